/* Unit tests: common/automate.c reads automations.conf on a scratch desk:
 * rules and their fields, each fault at its line. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "automate.h"
#include "scratch.h"
#include "tap.h"

static char said[4096];

static void report(const char *file, int line, const char *msg)
{
	size_t n = strlen(said);
	snprintf(said + n, sizeof said - n, "%s:%d: %s\n", file, line, msg);
}

int main(void)
{
	char root[128], p[600];
	struct desk d;
	scratch_desk(&d, root, sizeof root, "au", "fsync = no\n[queue support]\naddress = s@x.example\n");
	scratch_put(&d, "templates/nudge.txt", "Subject: x\n\nHello\n");
	scratch_put(&d, "calendars/business.conf", "timezone = UTC\nmon = 09:00-17:00\n");
	scratch_put(&d, "agents.csv", "login,name,email,groups,skills,languages,capacity,status,calendar\n"
	    "ana,Ana,ana@x.example,support,lead,en,,active,\n");

	struct automations a;
	is_int(automate_read(&a, &d, report), 0, "no automations.conf: no rules, no faults");
	is_int(a.n, 0, "  ... none");
	automate_free(&a);

	scratch_put(&d, "automations.conf", "[rule nudge]\nstatus = pending|on-hold\nsince = status\n"
	    "after = 24h\ntime = business\naction = reply\ntemplate = nudge\n"
	    "[rule tell]\nstatus = new\nassignee = none\nqueue = support\ntag = vip !spam\n"
	    "action = mail\nto = lead boss@x.example\n");
	said[0] = 0;
	is_int(automate_read(&a, &d, report), 0, "two good rules: no faults");
	is_str(said, "", "  ... nothing said");
	is_int(a.n, 2, "  ... two rules");
	is_str(a.v[0].name, "nudge", "  ... in the file's order");
	is_int(a.v[0].status, (1 << 2) | (1 << 3), "  ... pending or on-hold");
	is_int(a.v[0].after, 86400, "  ... after 24h");
	ok(a.v[0].business && a.v[0].have_cal, "  ... of business time, the desk's calendar");
	is_int(a.v[0].action, ACT_REPLY, "  ... a reply");
	is_int(a.v[1].assignee, WHO_NONE, "the second: unassigned");
	is_str(a.v[1].tag[1], "!spam", "  ... not tagged spam");
	is_int(a.v[1].line, 8, "  ... its section's line");
	automate_free(&a);

	scratch_put(&d, "automations.conf", "top = 1\n[rule x]\nstatus = late\naction = reply\n"
	    "[rule y]\nstatus = open\nsince = reply\naction = mail\nto = nobody\ncolour = red\n"
	    "[rule z]\nstatus = open\nassignee = zed\naction = reply\ntemplate = ../etc\n");
	said[0] = 0;
	is_int(automate_read(&a, &d, report), 8, "a bad file: each fault counted");
	is_str(said,
	    "automations.conf:3: status: 'late' is not one of new, open, pending, on-hold, solved, closed\n"
	    "automations.conf:2: [rule x] needs status = (the statuses it acts on)\n"
	    "automations.conf:9: to: 'nobody' is not lead, assignee or an address\n"
	    "automations.conf:10: unknown key 'colour' in [rule y]\n"
	    "automations.conf:5: [rule y] needs after = (a duration), with since\n"
	    "automations.conf:13: assignee: 'zed' is not none, set, any or a login of agents.csv\n"
	    "automations.conf:15: template: no templates/../etc.txt\n"
	    "automations.conf:1: 'top' outside a [rule NAME] section\n",
	    "  ... each at its line");
	automate_free(&a);

	scratch_put(&d, "automations.conf", "[rule b]\nstatus = open\ntime = business\naction = assign\n"
	    "[rule c]\nstatus = open\ncalendar = business\naction = assign\n");
	said[0] = 0;
	automate_read(&a, &d, report);
	is_str(said, "automations.conf:1: [rule b] needs since and after, with time = business\n"
	    "automations.conf:5: [rule c] needs time = business, with calendar\n",
	    "business time without since, a calendar without business time");
	automate_free(&a);

	scratch_put(&d, "automations.conf", "[rule x\n");
	said[0] = 0;
	is_int(automate_read(&a, &d, report), 1, "a syntax error: one fault");
	ok(!strncmp(said, "automations.conf:1: ", 20), "  ... at its line");
	automate_free(&a);
	desk_close(&d);
	snprintf(p, sizeof p, "rm -rf '%s'", root);
	if (system(p) != 0)
		return 1;
	return done_testing();
}
