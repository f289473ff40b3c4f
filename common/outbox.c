/* outbox.c: replies on their way out; see outbox.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "event.h"
#include "outbox.h"
#include "outmsg.h"
#include "tickets.h"
#include "util.h"

struct outbox_entry {
	int fd;
	char *path;		/* .../outbox/NAME.send */
	int fsync;		/* desk.conf fsync: renames reach the disk */
};

/* The folder of path to the disk, so that a rename in it stays. */
static void sync_dir(const char *path)
{
	char *dir = xstrdup(path), *sl = strrchr(dir, '/');
	if (sl)
		*sl = 0;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

static char *outbox_dir(struct desk *d)
{
	char *p = xmalloc(strlen(d->state) + 8);
	sprintf(p, "%s/outbox", d->state);
	return p;
}

static _Noreturn void refused(const char *what, int e)
{
	die(e == EROFS || e == EACCES || e == EPERM ? EX_CANTCREAT : EX_TEMPFAIL,
	    "%s: %s; nothing was sent or recorded", what, strerror(e));
}

struct outbox_entry *outbox_put(struct desk *d, json_t *record, const char *raw,
    size_t len)
{
	char *dir = outbox_dir(d), hex[17];
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		refused(dir, errno);
	random_hex(hex);
	size_t pl = strlen(dir) + 32;
	char *tmp = xmalloc(pl), *path = xmalloc(pl);
	snprintf(tmp, pl, "%s/.%s.tmp", dir, hex);
	snprintf(path, pl, "%s/%s.send", dir, hex);
	char *line = json_dumps(record, JSON_COMPACT);
	int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		refused(tmp, errno);
	int e = 0;
	if (write_all(fd, line, strlen(line)) != 0 || write_all(fd, "\n", 1) != 0 ||
	    write_all(fd, raw, len) != 0 || (d->fsync && fsync(fd) != 0) ||
	    flock(fd, LOCK_EX) != 0 || rename(tmp, path) != 0)
		e = errno ? errno : EIO;
	if (e) {
		close(fd);
		unlink(tmp);
		rmdir(dir);
		refused(path, e);
	}
	if (d->fsync)
		sync_dir(path);
	free(line);
	free(tmp);
	free(dir);
	struct outbox_entry *oe = xmalloc(sizeof *oe);
	oe->fd = fd;
	oe->path = path;
	oe->fsync = d->fsync;
	return oe;
}

void outbox_sent(struct outbox_entry *e)
{
	size_t n = strlen(e->path);
	char *to = xstrdup(e->path);
	memcpy(to + n - 4, "sent", 4);
	if (rename(e->path, to) != 0)	/* left as .send: recorded all the same */
		warnx_("%s: %s", e->path, strerror(errno));
	else if (e->fsync)
		sync_dir(to);
	close(e->fd);
	free(to);
	free(e->path);
	free(e);
}

void outbox_drop(struct outbox_entry *e)
{
	unlink(e->path);	/* the folder goes with the next outbox_finish */
	close(e->fd);
	free(e->path);
	free(e);
}

static int id_ok(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	return n >= 6 && n <= 12 && strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == n;
}

/* Is an event of evs (by its id) on ticket t already?  Then the entry
 * was recorded by a writer stopped before it could remove it. */
static int recorded_already(const struct ticket *t, json_t *evs)
{
	size_t i, k;
	json_t *e;
	json_array_foreach(evs, i, e) {
		const char *eid = json_string_value(json_object_get(e, "id"));
		for (k = 0; eid && k < t->nev; k++)
			if (t->ev[k].id && !strcmp(t->ev[k].id, eid))
				return 1;
	}
	return 0;
}

/* One entry into the desk as one commit, none when it is there already
 * (recording is idempotent); -1 when it cannot be (bad). */
static int record(struct desk *d, const char *text, size_t len, int unconfirmed)
{
	const char *nl = memchr(text, '\n', len);
	if (!nl)
		return -1;
	json_t *r = json_loadb(text, (size_t)(nl - text), 0, NULL);
	const char *id = json_string_value(json_object_get(r, "ticket"));
	const char *name = json_string_value(json_object_get(r, "name"));
	const char *email = json_string_value(json_object_get(r, "email"));
	const char *msg = json_string_value(json_object_get(r, "message"));
	json_t *evs = json_object_get(r, "events");
	struct ticket t;
	int archived = 0;
	if (!id_ok(id) || !name || !email || !msg || !json_is_array(evs) ||
	    ticket_load(d, id, &t, &archived, 1) != 0) {
		json_decref(r);
		return -1;
	}
	int done = recorded_already(&t, evs);
	ticket_free(&t);
	if (done) {
		json_decref(r);
		return 0;
	}
	struct desk_tx *tx = desk_tx_new(d);
	if (archived)
		ticket_restore(d, tx, id);
	char dir[40], file[16], path[80], ep[64];
	desk_ticket_dir(id, dir);
	snprintf(file, sizeof file, "%04d.eml", ticket_next_number(d, id, archived));
	snprintf(path, sizeof path, "%s/%s", dir, file);
	ticket_events_path(id, ep);
	desk_tx_write(tx, path, nl + 1, len - (size_t)(nl + 1 - text));
	size_t i;
	json_t *e;
	json_array_foreach(evs, i, e) {
		if (!json_is_object(e))
			continue;
		const char *ty = json_string_value(json_object_get(e, "type"));
		if (ty && (!strcmp(ty, "replied") || !strcmp(ty, "forwarded"))) {
			json_object_set_new(e, "file", json_string(file));
			if (unconfirmed)
				json_object_set_new(e, "unconfirmed", json_true());
		}
		char *line = event_line(e);
		desk_tx_append(tx, ep, line, strlen(line));
		free(line);
	}
	desk_tx_commit(tx, name, email, msg);
	if (unconfirmed)
		warnx_("%s: a reply whose sender stopped while the mailer had it is recorded "
		    "as sent, unconfirmed (see the mailer's log)", id);
	json_decref(r);
	return 0;
}

/* Entry name: 16 hex digits and .send or .sent; 1 sent, 0 sending, -1 not one. */
static int entry_kind(const char *n)
{
	if (strlen(n) != 21 || strspn(n, "0123456789abcdef") != 16)
		return -1;
	return !strcmp(n + 16, ".sent") ? 1 : !strcmp(n + 16, ".send") ? 0 : -1;
}

static int finish_one(struct desk *d, const char *dir, const char *n, int sent)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", dir, n);
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {	/* its sender is at it */
		close(fd);
		return 0;
	}
	size_t len;
	char *text = big_read_fd(fd, (size_t)1 << 31, &len);
	int rc = text ? record(d, text, len, !sent) : -1;
	if (text)
		big_free(text, len + 1);
	if (rc == 0)
		unlink(path);
	else {
		char bad[4210];
		snprintf(bad, sizeof bad, "%.*s.bad", (int)(strlen(path) - 5), path);
		rename(path, bad);
		warnx_("%s: not a reply that can be recorded; kept as %s", path, bad);
	}
	close(fd);
	return rc == 0;
}

int outbox_finish(struct desk *d)
{
	static int busy;
	if (busy)
		return 0;
	char *dir = outbox_dir(d);
	DIR *dp = opendir(dir);
	if (!dp) {
		free(dir);
		return 0;
	}
	busy = 1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(dp))) {
		int k = entry_kind(de->d_name);
		if (k >= 0)
			n += finish_one(d, dir, de->d_name, k);
	}
	closedir(dp);
	rmdir(dir);		/* when nothing is left */
	busy = 0;
	free(dir);
	return n;
}

int outbox_send(struct desk *d, json_t *record, const char *raw, size_t len,
    const char *url, char *err, size_t errlen)
{
	struct outbox_entry *e = outbox_put(d, record, raw, len);
	desk_unlock(d);
	if (mail_send(url, raw, len, err, errlen) != 0) {
		outbox_drop(e);
		return -1;
	}
	outbox_sent(e);
	return 0;
}
