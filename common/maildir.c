/* maildir.c: a desk's tickets as a maildir, for mail clients.  See maildir.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "maildir.h"
#include "mbox.h"
#include "ticketid.h"
#include "tickets.h"
#include "util.h"

#define NKW 26			/* keywords a-z */
#define KW_MAX (64 * 1024)	/* a dovecot-keywords file read at most */

struct entry {
	char *base;		/* "ID.NNNN" */
	char *name;		/* the file's name now, with its info */
	int in_new;		/* in new/ rather than cur/ */
	int wanted;		/* put in by this run */
};

struct maildir {
	char *dir;
	int lock;
	struct entry *e;
	size_t n, cap;
	struct strtab idx;	/* base -> index + 1 */
	char *kw[NKW];
	int kw_changed;
	struct maildir_stats st;
};

int maildir_name(const char *name, char *base)
{
	const char *dot = strchr(name, '.');
	if (!dot || dot - name > TICKETID_MAX)
		return 0;
	char id[TICKETID_MAX + 1];
	snprintf(id, sizeof id, "%.*s", (int)(dot - name), name);
	if (!ticketid_valid(id))
		return 0;
	size_t k = 0;
	while (dot[1 + k] >= '0' && dot[1 + k] <= '9')
		k++;
	if (k < 1 || k > 8 || (dot[1 + k] && strncmp(dot + 1 + k, ":2,", 3)))
		return 0;
	snprintf(base, 24, "%.*s", (int)(dot + 1 + k - name), name);
	return 1;
}

static char *path3(const char *a, const char *b, const char *c)
{
	char *p = xmalloc(strlen(a) + strlen(b) + (c ? strlen(c) : 0) + 3);
	sprintf(p, c ? "%s/%s/%s" : "%s/%s", a, b, c);
	return p;
}

static struct entry *entry_add(struct maildir *m, const char *base, const char *name, int in_new)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 64;
		m->e = xrealloc(m->e, m->cap * sizeof *m->e);
	}
	struct entry *e = &m->e[m->n++];
	e->base = xstrdup(base);
	e->name = xstrdup(name);
	e->in_new = in_new;
	e->wanted = 0;
	strtab_put(&m->idx, e->base, m->n);
	return e;
}

/* the messages of ours in cur/ or new/ */
static int scan(struct maildir *m, const char *sub)
{
	char *p = path3(m->dir, sub, NULL);
	DIR *dp = opendir(p);
	struct dirent *de;
	char base[24];
	free(p);
	if (!dp)
		return -1;
	while ((de = readdir(dp))) {
		if (!maildir_name(de->d_name, base))
			continue;
		size_t k = strtab_get(&m->idx, base);
		if (k) {	/* the same message twice (a reader's copy): one goes */
			char *q = path3(m->dir, sub, de->d_name);
			if (unlink(q) == 0)
				m->st.removed++;
			free(q);
			continue;
		}
		entry_add(m, base, de->d_name, sub[0] == 'n');
	}
	closedir(dp);
	return 0;
}

/* dovecot-keywords: "N keyword" lines, N 0-25 the letter a-z */
static void read_keywords(struct maildir *m)
{
	char *p = path3(m->dir, "dovecot-keywords", NULL);
	int fd = open(p, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t len = 0;
	char *t = fd >= 0 ? big_read_fd(fd, KW_MAX, &len) : NULL;
	if (fd >= 0)
		close(fd);
	free(p);
	for (char *l = t, *nl; l && *l; l = nl ? nl + 1 : l + strlen(l)) {
		nl = strchr(l, '\n');
		if (nl)
			*nl = 0;
		char *end;
		long i = strtol(l, &end, 10);
		if (end == l || *end != ' ' || i < 0 || i >= NKW || m->kw[i] || !end[1] ||
		    strpbrk(end + 1, " \t\r"))
			continue;
		m->kw[i] = xstrdup(end + 1);
	}
	if (t)
		big_free(t, len + 1);
}

static int write_keywords(struct maildir *m)
{
	struct buf b = { 0 };
	for (int i = 0; i < NKW; i++)
		if (m->kw[i]) {
			char n[16];
			snprintf(n, sizeof n, "%d ", i);
			buf_adds(&b, n);
			buf_adds(&b, m->kw[i]);
			buf_addc(&b, '\n');
		}
	char *p = path3(m->dir, "dovecot-keywords", NULL), *tmp = path3(m->dir, "tmp", "dovecot-keywords");
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
	int rc = fd < 0 || write_all(fd, b.p, b.len) != 0;
	if (fd >= 0 && close(fd) != 0)
		rc = 1;
	if (!rc && rename(tmp, p) != 0)
		rc = 1;
	if (rc)
		unlink(tmp);
	free(p);
	free(tmp);
	buf_free(&b);
	return rc ? -1 : 0;
}

/* The maildir's lock, waited for $MDESK_LOCK_TIMEOUT seconds at most (30
 * by default, as the desk's lock), then EWOULDBLOCK. */
static int lock_wait(int fd)
{
	const char *to = getenv("MDESK_LOCK_TIMEOUT");
	double limit = to && *to ? atof(to) : 30.0;
	for (int i = 0; i <= limit * 10 && i < 36000; i++) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			return -1;
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	errno = EWOULDBLOCK;
	return -1;
}

struct maildir *maildir_open(const char *dir)
{
	static const char *const subs[] = { "cur", "new", "tmp" };
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return NULL;
	for (int i = 0; i < 3; i++) {
		char *p = path3(dir, subs[i], NULL);
		int r = mkdir(p, 0777) != 0 && errno != EEXIST;
		free(p);
		if (r)
			return NULL;
	}
	struct maildir *m = xcalloc(1, sizeof *m);
	m->dir = xstrdup(dir);
	/* one run at a time on a maildir */
	char *lp = path3(dir, "tmp", "mdesk.lock");
	m->lock = open(lp, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
	free(lp);
	if (m->lock < 0 || lock_wait(m->lock) != 0 || scan(m, "cur") || scan(m, "new")) {
		int err = errno;
		struct maildir_stats st;
		if (m->lock >= 0)
			close(m->lock);
		m->lock = -1;	/* nothing removed */
		maildir_close(m, &st);
		errno = err;
		return NULL;
	}
	read_keywords(m);
	return m;
}

/* The letter of keyword kw, numbered anew when it has none (no letter
 * left: 0). */
static char kw_letter(struct maildir *m, const char *kw)
{
	int free_at = -1;
	for (int i = 0; i < NKW; i++) {
		if (m->kw[i] && !strcmp(m->kw[i], kw))
			return (char)('a' + i);
		if (!m->kw[i] && free_at < 0)
			free_at = i;
	}
	if (free_at < 0)
		return 0;
	m->kw[free_at] = xstrdup(kw);
	m->kw_changed = 1;
	return (char)('a' + free_at);
}

/* The desk's flags of a ticket's messages: F, and the keywords' letters. */
static void ticket_flags(struct maildir *m, const struct ticket *t, long long now, char *on)
{
	char kw[80];
	if (!strcmp(t->priority, "high") || !strcmp(t->priority, "urgent"))
		on['F'] = 1;
	snprintf(kw, sizeof kw, "status-%s", t->status ? t->status : "new");
	on[(unsigned char)kw_letter(m, kw)] = 1;
	snprintf(kw, sizeof kw, "priority-%s", t->priority);
	on[(unsigned char)kw_letter(m, kw)] = 1;
	if (t->assignee)
		snprintf(kw, sizeof kw, "assigned-%.40s", t->assignee);
	else
		snprintf(kw, sizeof kw, "unassigned");
	on[(unsigned char)kw_letter(m, kw)] = 1;
	if (ticket_claimed(t, NULL, now)) {
		on[(unsigned char)kw_letter(m, "claimed")] = 1;
		snprintf(kw, sizeof kw, "claimed-by-%.40s", t->claim_by);
		on[(unsigned char)kw_letter(m, kw)] = 1;
	}
	if (ticket_snoozed(t, now))
		on[(unsigned char)kw_letter(m, "snoozed")] = 1;
	on[0] = 0;	/* a keyword without a letter */
}

/* The reader's flags of an existing file: every letter of its info but
 * the desk's (F, R, a-z). */
static void reader_flags(const char *name, char *on)
{
	const char *info = strstr(name, ":2,");
	if (!info)
		return;
	for (const unsigned char *c = (const unsigned char *)info + 3; *c; c++)
		if (*c >= 'A' && *c <= 'Z' && *c != 'F' && *c != 'R')
			on[*c] = 1;
}

static void info_of(const char *on, const char *base, char *name, size_t n)
{
	size_t k = (size_t)snprintf(name, n, "%s:2,", base);
	for (int c = 'A'; c <= 'z' && k + 1 < n; c++)
		if (on[c])
			name[k++] = (char)c;
	name[k] = 0;
}

/* Write a message as cur/name, its time when: through tmp/. */
static int deliver(struct maildir *m, const char *id, const char *raw, size_t len,
    long long when, const char *name)
{
	char tn[96];
	snprintf(tn, sizeof tn, "%.63s.%ld", name, (long)getpid());
	char *tmp = path3(m->dir, "tmp", tn), *dst = path3(m->dir, "cur", name);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
	struct buf b = { 0 };
	buf_adds(&b, "X-Mdesk-Ticket: ");
	buf_adds(&b, id);
	buf_addc(&b, '\n');
	buf_add(&b, raw, len);
	int bad = fd < 0 || write_all(fd, b.p, b.len) != 0;
	struct timespec ts[2] = { { (time_t)when, 0 }, { (time_t)when, 0 } };
	if (!bad && futimens(fd, ts) != 0)
		bad = 1;
	if (fd >= 0 && close(fd) != 0)
		bad = 1;
	if (!bad && rename(tmp, dst) != 0)
		bad = 1;
	int err = errno;
	if (bad && fd >= 0)
		unlink(tmp);
	free(tmp);
	free(dst);
	buf_free(&b);
	errno = err;
	return bad ? -1 : 0;
}

/* Bring one message in line: rename it when its flags changed, write it
 * when it is not there. */
static int one_message(struct maildir *m, struct desk *d, const struct ticket *t, int archived,
    const char *file, const char *base, const char *on_desk, int unseen, long long at)
{
	char on[128], name[64];
	memcpy(on, on_desk, sizeof on);
	size_t k = strtab_get(&m->idx, base);
	if (k) {
		struct entry *e = &m->e[k - 1];
		if (e->wanted)
			return 0;
		e->wanted = 1;
		reader_flags(e->name, on);
		info_of(on, base, name, sizeof name);
		if (!e->in_new && !strcmp(name, e->name)) {
			m->st.kept++;
			return 0;
		}
		char *from = path3(m->dir, e->in_new ? "new" : "cur", e->name);
		char *to = path3(m->dir, "cur", name);
		int r = rename(from, to);
		free(from);
		free(to);
		if (r != 0)
			return -1;
		free(e->name);
		e->name = xstrdup(name);
		e->in_new = 0;
		m->st.renamed++;
		return 0;
	}
	if (!unseen)
		on['S'] = 1;
	info_of(on, base, name, sizeof name);
	size_t len;
	char *raw = ticket_read(d, t->id, file, &len, archived);
	if (!raw)
		return 0;	/* gone meanwhile */
	char sender[256];
	long long when;
	mbox_origin(raw, len, at, sender, &when);
	int r = deliver(m, t->id, raw, len, when, name);
	free(raw);
	if (r != 0)
		return -1;
	entry_add(m, base, name, 0)->wanted = 1;
	m->st.written++;
	return 0;
}

/* Where file sits among t's events: the index of its event (-1: none),
 * whether a customer sent it, and when. */
static int file_event(const struct ticket *t, const char *file, int *customer, long long *at)
{
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *f = json_string_value(json_object_get(e, "file"));
		if (!f || strcmp(f, file))
			continue;
		const char *a = json_string_value(json_object_get(e, "at"));
		const char *ty = json_string_value(json_object_get(e, "type"));
		if (a)
			parse_rfc3339(a, at);
		*customer = ty && !strcmp(ty, "received");
		return (int)i;
	}
	return -1;
}

int maildir_ticket(struct maildir *m, struct desk *d, const struct ticket *t, int archived,
    long long now)
{
	char desk[128] = { 0 };
	if (!ticketid_valid(t->id))
		return 0;
	ticket_flags(m, t, now, desk);
	/* the last reply of an agent: the customer's messages before it are
	 * answered (R), those after it wait (not seen at first) */
	int last_reply = -1;
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		if (ty && !strcmp(ty, "replied") && !json_is_true(json_object_get(e, "auto")))
			last_reply = (int)i;
	}
	size_t nf;
	char **files = ticket_files(d, t->id, &nf, archived);
	int rc = 0;
	for (size_t k = 0; k < nf && rc == 0; k++) {
		size_t dl = strspn(files[k], "0123456789");
		char base[24], on[128];
		if (dl < 1 || dl > 8 || strcmp(files[k] + dl, ".eml"))
			continue;
		snprintf(base, sizeof base, "%s.%.*s", t->id, (int)dl, files[k]);
		int customer = 0;
		long long at = t->created;
		int ev = file_event(t, files[k], &customer, &at);
		memcpy(on, desk, sizeof on);
		if (customer && ev < last_reply)
			on['R'] = 1;
		rc = one_message(m, d, t, archived, files[k], base, on, customer && ev > last_reply, at);
	}
	for (size_t k = 0; k < nf; k++)
		free(files[k]);
	free(files);
	return rc;
}

int maildir_close(struct maildir *m, struct maildir_stats *st)
{
	int rc = 0, err = 0;
	for (size_t i = 0; i < m->n; i++) {
		struct entry *e = &m->e[i];
		if (!e->wanted && m->lock >= 0) {
			char *p = path3(m->dir, e->in_new ? "new" : "cur", e->name);
			if (unlink(p) == 0)
				m->st.removed++;
			else if (errno != ENOENT)
				rc = -1, err = errno;
			free(p);
		}
		free(e->base);
		free(e->name);
	}
	if (m->kw_changed && write_keywords(m) != 0)
		rc = -1, err = errno;
	for (int i = 0; i < NKW; i++)
		free(m->kw[i]);
	st->written += m->st.written;
	st->renamed += m->st.renamed;
	st->removed += m->st.removed;
	st->kept += m->st.kept;
	if (m->lock >= 0)
		close(m->lock);
	strtab_free(&m->idx);
	free(m->e);
	free(m->dir);
	free(m);
	errno = err;
	return rc;
}
