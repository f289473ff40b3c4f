/* Unit tests: common/outbox.c on a scratch desk: an entry whose sender is
 * at it is left alone, a sent one is recorded once, one whose sender died
 * is recorded unconfirmed, a dropped one leaves nothing. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "outbox.h"
#include "scratch.h"
#include "tap.h"
#include "tickets.h"

static json_t *recs[4];
static int nrecs;

/* A record (freed at the end: outbox_put does not take it). */
static json_t *rec(const char *mid)
{
	json_t *e = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", mid, "at",
	    "2026-11-02T10:00:00Z", "type", "replied", "by", "ana", "message_id", mid);
	return recs[nrecs++] = json_pack("{s:s, s:s, s:s, s:s, s:[o]}", "ticket", "ABCDEF12",
	    "name", "Ana", "email", "ana@x", "message", "ABCDEF12: replied\n", "events", e);
}

static int replies(struct desk *d, const char *mid, int *unconfirmed, char *file)
{
	struct ticket t;
	int n = 0;
	*unconfirmed = 0;
	if (ticket_load(d, "ABCDEF12", &t, NULL, 1) != 0)
		return -1;
	size_t i;
	json_t *e;
	json_array_foreach(t.events, i, e)
		if (!strcmp(json_string_value(json_object_get(e, "id")), mid)) {
			n++;
			*unconfirmed = json_is_true(json_object_get(e, "unconfirmed"));
			snprintf(file, 16, "%s", json_string_value(json_object_get(e, "file")));
		}
	ticket_free(&t);
	return n;
}

int main(void)
{
	char root[128], p[600];
	struct desk d;
	scratch_desk(&d, root, sizeof root, "ob", "fsync = no\n");
	d.now = 1794128400LL;
	scratch_put(&d, "desk.conf", "fsync = no\n");
	scratch_put(&d, "tickets/AB/ABCDEF12/events.jsonl",
	    "{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"customer\",\"id\":\"1\",\"type\":\"received\","
	    "\"message_id\":\"m1@x\",\"file\":\"0001.eml\"}\n");
	scratch_put(&d, "tickets/AB/ABCDEF12/0001.eml", "Subject: S\n\nhi\n");
	int unc;
	char file[16] = "";

	/* sent: recorded by the next lock, once, as 0002.eml */
	desk_lock(&d);
	struct outbox_entry *e = outbox_put(&d, rec("r1@x"), "Subject: Re: S\n\nok\n", 19);
	is_int(outbox_finish(&d), 0, "an entry whose sender is at it waits");
	desk_unlock(&d);
	outbox_sent(e);
	desk_lock(&d);
	desk_unlock(&d);
	is_int(replies(&d, "r1@x", &unc, file), 1, "sent: recorded by the next lock");
	is_str(file, "0002.eml", "  ... as the next message file");
	is_int(unc, 0, "  ... confirmed");
	size_t len;
	char *m = ticket_read(&d, "ABCDEF12", "0002.eml", &len, 0);
	is_str(m, "Subject: Re: S\n\nok\n", "  ... the message as sent");
	free(m);
	desk_lock(&d);
	is_int(outbox_finish(&d), 0, "  ... and only once");
	desk_unlock(&d);
	snprintf(p, sizeof p, "%s/.git/mdesk/outbox", root);
	ok(access(p, F_OK) != 0, "  ... the outbox is gone when empty");

	/* dropped: nothing */
	desk_lock(&d);
	e = outbox_put(&d, rec("r2@x"), "x\n", 2);
	desk_unlock(&d);
	outbox_drop(e);
	desk_lock(&d);
	desk_unlock(&d);
	is_int(replies(&d, "r2@x", &unc, file), 0, "dropped: not recorded");

	/* the sender died while sending: its flock went with it */
	pid_t pid = fork();
	if (pid == 0) {
		desk_lock(&d);
		outbox_put(&d, rec("r3@x"), "y\n", 2);
		desk_unlock(&d);
		_exit(0);	/* killed while the mailer had it */
	}
	int st;
	waitpid(pid, &st, 0);
	desk_lock(&d);
	desk_unlock(&d);
	is_int(replies(&d, "r3@x", &unc, file), 1, "a dead sender's entry: recorded");
	is_int(unc, 1, "  ... unconfirmed");
	is_str(file, "0003.eml", "  ... as the next message file");

	/* a bad entry is kept aside, never fatal */
	snprintf(p, sizeof p, "%s/.git/mdesk/outbox", root);
	mkdir(p, 0777);
	snprintf(p, sizeof p, "%s/.git/mdesk/outbox/0123456789abcdef.sent", root);
	FILE *f = fopen(p, "w");
	fputs("{\"ticket\":\"../../x\"}\nX\n", f);
	fclose(f);
	desk_lock(&d);
	desk_unlock(&d);
	snprintf(p, sizeof p, "%s/.git/mdesk/outbox/0123456789abcdef.bad", root);
	ok(access(p, F_OK) == 0, "a bad entry is kept aside as .bad");
	desk_close(&d);
	for (int k = 0; k < nrecs; k++)
		json_decref(recs[k]);
	snprintf(p, sizeof p, "rm -rf '%s'", root);
	if (system(p) != 0)
		return 1;
	return done_testing();
}
