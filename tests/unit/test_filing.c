/* Unit tests: common/filing.c on a scratch desk */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "filing.h"
#include "scratch.h"
#include "tap.h"
#include "tickets.h"

static int file_one(struct filing *f, const char *raw, struct filed *r)
{
	const char *why;
	return filing_file(f, raw, strlen(raw), strlen(raw), r, &why);
}

int main(void)
{
	char root[128], p[600];
	struct desk d;
	scratch_desk(&d, root, sizeof root, "fl", "fsync = no\n");
	d.now = 1794128400LL;
	scratch_put(&d, "desk.conf", "fsync = no\n[queue support]\naddress = support@desk.example\n");
	scratch_put(&d, "agents.csv", "login,name,email,groups,skills,languages,capacity,status,calendar\n"
	    "ana,Ana,ana@desk.example,support,,en,10,active,\n");
	desk_close(&d);
	desk_open(&d, root);
	struct filing_opts o = { .clock = 1794128400LL, .batch_max = 1000 };
	struct filing *f = filing_new(&d, &o);
	struct filed r;
	const char *m1 = "From: Vera <vera@customer.example>\nTo: support@desk.example\n"
	    "Subject: Broken\nMessage-ID: <m1@customer.example>\n\nIt broke.\n";
	const char *m2 = "From: Vera <vera@customer.example>\nTo: support@desk.example\n"
	    "Subject: Re: Broken\nMessage-ID: <m2@customer.example>\n"
	    "In-Reply-To: <m1@customer.example>\n\nStill broken.\n";
	ok(file_one(f, m1, &r) == 0 && r.is_new && !strcmp(r.thread, "new") &&
	    !strcmp(r.queue, "support"), "a new message opens a ticket in its queue");
	char t1[16];
	snprintf(t1, sizeof t1, "%s", r.ticket);
	is_str(r.assignee, "ana", "given to the active agent");
	ok(r.ack, "a new ticket from a person may be acknowledged");
	filed_free(&r);
	ok(file_one(f, m2, &r) == 0 && !r.is_new && !strcmp(r.ticket, t1) &&
	    !strcmp(r.thread, "in-reply-to"), "a reply in the same batch finds the ticket");
	filed_free(&r);
	ok(file_one(f, m1, &r) == 0 && r.duplicate && !strcmp(r.ticket, t1),
	    "the same message again is a duplicate");
	filed_free(&r);
	filing_commit(f);
	size_t n, k;
	filing_counts(f, &n, &k);
	ok(n == 3 && k == 1, "three messages, one new ticket");
	struct ticket t;
	ok(ticket_load(&d, t1, &t, NULL, 1) == 0 && t.received == 2 && !strcmp(t.status, "open"),
	    "committed: two messages in the ticket");
	ticket_free(&t);
	ok(file_one(f, m2, &r) == 0 && r.duplicate, "after the commit, still a duplicate");
	filed_free(&r);
	filing_free(f);
	desk_close(&d);
	snprintf(p, sizeof p, "rm -rf %s", root);
	if (system(p) != 0)
		return 1;
	return done_testing();
}
