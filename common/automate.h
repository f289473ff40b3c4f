/* automate.h: the desk's automations: time-based rules on tickets
 * (automations.conf, in the syntax of conf.h), what matches now, and
 * the actions, each recorded by "rule:NAME" once per ticket and episode.
 *
 *   [rule NAME]
 *   status = pending | open       the ticket's status, one of them (required)
 *   assignee = none | set | LOGIN
 *   queue = support | billing
 *   tag = vip !noauto             tags it has, and (!) has not
 *   since = status | customer | reply | assigned | created
 *   after = 24h                   that long since that moment
 *   time = business | calendar    after counts business time or all time
 *   calendar = NAME               business time of calendars/NAME.conf
 *   action = reply | status | mail | assign
 *   template = NAME               reply: the template sent to the customer
 *   set_status = solved           reply, status: the status it leaves
 *   note = TEXT                   status: an internal note; mail: its text
 *   to = lead | assignee | ADDRESS   mail: who is told
 *
 * An episode is the span in which what a rule looks at stays the same:
 * it begins at the latest of the moments when the ticket took its
 * status, its assignee (when the rule names one) and the since moment.
 * A rule acts once per ticket and episode; doing nothing (nobody to
 * assign, a mailer that refuses) records nothing and is tried again on
 * the next run.  mdesk-files(5) is the reference; mdesk(1) runs them. */
#ifndef MDESK_AUTOMATE_H
#define MDESK_AUTOMATE_H
#include <stddef.h>
#include <stdio.h>

#include "calendar.h"
#include "desk.h"
#include "event.h"

enum auto_since { SINCE_NONE, SINCE_STATUS, SINCE_CUSTOMER, SINCE_REPLY, SINCE_ASSIGNED,
	SINCE_CREATED };
enum auto_action { ACT_NONE, ACT_REPLY, ACT_STATUS, ACT_MAIL, ACT_ASSIGN };
enum { WHO_ANY, WHO_NONE, WHO_SET, WHO_LOGIN };

struct auto_rule {
	char *name;
	int line;
	unsigned status;	/* bit 1 << index in STATUS_LIST order */
	int assignee;		/* WHO_* */
	char *agent;		/* WHO_LOGIN */
	char **queue, **tag;	/* NULL-terminated; tag "!x": not tagged x */
	int since;		/* enum auto_since */
	long long after;
	int business;
	struct calendar cal;	/* business: the calendar */
	int have_cal;
	int action;		/* enum auto_action */
	char *tname, *set_status, *note, *to;
};

struct automations {
	struct auto_rule *v;
	size_t n;
};

/* Read automations.conf of desk d (absent: no rules) with the calendars
 * and templates its rules name; every fault goes to report as file,
 * line and text.  Returns the number of faults (0: ready; automate_free
 * either way). */
int automate_read(struct automations *a, struct desk *d,
    void (*report)(const char *file, int line, const char *msg));
void automate_free(struct automations *a);

struct automate_opts {
	int dry_run;		/* say what would be done, write and send nothing */
	FILE *out;		/* one line per action */
	FILE *explain;		/* NULL, or why each rule acts or not on each ticket */
	const char *only;	/* NULL, or the one rule to run */
};
/* The rule called name, or NULL. */
const struct auto_rule *automate_find(const struct automations *a, const char *name);

/* Run the rules on the tickets of the main branch at d->now, in the
 * order of the file, under the desk lock (none with dry_run).  Returns
 * the number of actions that could not be done now (a mailer refused):
 * they are tried again on the next run. */
size_t automate_run(const struct automations *a, struct desk *d, const struct automate_opts *o);

#endif
