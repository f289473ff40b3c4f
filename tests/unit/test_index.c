/* Unit tests: common/index.c, the Message-ID index's buckets (the index
 * over a desk's tickets, its sync and rebuild, is in test_tickets.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "index.h"
#include "tap.h"

static char state[128];

/* The bucket file of mid, as index.c names it. */
static void bucket_path(const char *mid, char *out, size_t n)
{
	snprintf(out, n, "%s/ids/%02x", state, (unsigned)(hash64(mid, strlen(mid)) >> 56));
}

static void write_bucket(const char *mid, const char *text)
{
	char p[256];
	bucket_path(mid, p, sizeof p);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static const char *look(struct desk *d, const char *mid)
{
	static char t[16];
	return index_lookup(d, mid, t) ? t : "-";
}

int main(void)
{
	struct desk d;
	memset(&d, 0, sizeof d);
	snprintf(state, sizeof state, "/tmp/mdesk-unit-ix-%d", (int)getpid());
	mkdir(state, 0777);
	d.state = state;

	is_str(look(&d, "a@x"), "-", "no index: not found");
	index_add(&d, "a@x", "ABCDEF12");
	is_str(look(&d, "a@x"), "ABCDEF12", "added, found");
	index_add(&d, "a@x", "GHJK3456");
	is_str(look(&d, "a@x"), "GHJK3456", "the newest entry wins");
	index_add(&d, "bad\tid@x", "ABCDEF12");
	is_str(look(&d, "bad\tid@x"), "-", "a Message-ID with a tab is never indexed");
	index_add(&d, "c@x", "not-an-id");
	is_str(look(&d, "c@x"), "-", "nor an invalid ticket ID");

	/* a bucket written by hand: only "TICKET<tab>MID" lines name MID */
	write_bucket("b@x", "ABCDEF12\tb@x\n"
	    "ZZZZ9999\tx\tb@x\n"		/* MID as a third field */
	    "TOOLONGTICKETID1\tb@x\n"	/* a first field over 12 bytes */
	    "GHJK3456\tb@x.more\n"		/* MID as a prefix */
	    "MNPQ7890\tab@x\n"		/* MID as a suffix */
	    "not a line at all b@x\n");
	is_str(look(&d, "b@x"), "ABCDEF12", "by hand: the one right line, not the look-alikes");
	write_bucket("b@x", "ABCDEF12\tb@x\nCDEF5678\tb@x");
	is_str(look(&d, "b@x"), "CDEF5678", "the last line without a newline counts");
	write_bucket("b@x", "b@x\tb@x\n\tb@x\n");
	is_str(look(&d, "b@x"), "-", "a first field that is no ticket ID names nothing");
	write_bucket("b@x", "");
	is_str(look(&d, "b@x"), "-", "an empty bucket");
	/* the buckets read are kept: what another process appends is read,
	 * a bucket made anew is read again */
	write_bucket("b@x", "ABCDEF12\tb@x\n");
	is_str(look(&d, "b@x"), "ABCDEF12", "kept bucket: read");
	char bp[256];
	snprintf(bp, sizeof bp, "%s/ids/%02x", state, (unsigned)(hash64("b@x", 3) >> 56));
	FILE *af = fopen(bp, "a");
	if (af) {
		fputs("GHJK3456\tb@x\n", af);
		fclose(af);
	}
	is_str(look(&d, "b@x"), "GHJK3456", "kept bucket: a line appended by another process is read");
	write_bucket("b@x", "MNPQ7890\tb@x\n");
	is_str(look(&d, "b@x"), "MNPQ7890", "kept bucket: a file written anew is read again");

	/* many at once: one append to each bucket, the order given kept */
	const struct index_entry many[] = { { "m1@x", "ABCDEF12" }, { "m2@y", "GHJK3456" },
		{ "m1@x", "MNPQ7890" }, { "m3@z", "CDEF5678" }, { "bad\tm@x", "ABCDEF12" } };
	index_add_many(&d, many, 5);
	is_str(look(&d, "m1@x"), "MNPQ7890", "many: the later of two entries wins");
	is_str(look(&d, "m2@y"), "GHJK3456", "many: another bucket");
	is_str(look(&d, "m3@z"), "CDEF5678", "many: a third");
	is_str(look(&d, "bad\tm@x"), "-", "many: a bad Message-ID left out");

	/* while the desk lock is held, a bucket read in that tenure is not
	 * checked again (every writer holds the lock); after an add, or in
	 * the next tenure, it is */
	d.lockfd = 99;
	d.lock_gen = 7;
	is_str(look(&d, "b@x"), "MNPQ7890", "locked: read");
	FILE *lf = fopen(bp, "a");
	if (lf) {
		fputs("ABCDEF12\tb@x\n", lf);
		fclose(lf);
	}
	is_str(look(&d, "b@x"), "MNPQ7890", "locked: the same tenure trusts what it read");
	d.lock_gen = 8;
	is_str(look(&d, "b@x"), "ABCDEF12", "locked: the next tenure looks again");
	index_add(&d, "b@x", "CDEF5678");
	is_str(look(&d, "b@x"), "CDEF5678", "locked: its own add is seen");
	d.lockfd = -1;

	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf %s", state);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
