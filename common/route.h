/* route.h: the routing core shared by mroute and mdesk check: desk.conf's
 * [routing] settings, loading routing.sieve with its names checked
 * against the desk, and the choice of an agent.
 *
 * Assignment is a pure function of its inputs (the agents with their
 * calendars, loads and last assignment times, the ticket's needs and the
 * clock), so that --dry-run and a real run agree and tests can pin it. */
#ifndef MDESK_ROUTE_H
#define MDESK_ROUTE_H
#include <stddef.h>

#include "agents.h"
#include "calendar.h"
#include "desk.h"
#include "rules.h"

struct route_conf {
	int round_robin;		/* [routing] strategy (default least-loaded) */
	int sticky;			/* [routing] sticky (default yes) */
	long long subject_window;	/* [routing] subject_window (default 2d) */
	long long reopen_window;	/* [routing] reopen_window (default 14d) */
	int detect;			/* [routing] detect_language (default yes) */
	int assign;			/* [routing] assign (default yes) */
};

/* Read [routing] of desk.conf (validated by mdesk check; a bad value
 * exits EX_CONFIG here). */
void route_conf_load(struct desk *d, struct route_conf *rc);
/* The strategy of a group: [group NAME] strategy, else [routing]'s. */
int route_group_round_robin(struct desk *d, const struct route_conf *rc, const char *group);
/* Is there a [queue NAME] in desk.conf? */
int route_queue_known(struct desk *d, const char *queue);
/* The group that works a queue ([queue NAME] group, else its name). */
const char *route_queue_group(struct desk *d, const char *queue);
/* The priority of new tickets of a queue (default normal). */
const char *route_queue_priority(struct desk *d, const char *queue);

/* Compile routing.sieve of the desk, its names checked against desk.conf
 * and agents.csv.  NULL without faults when the desk has no such file;
 * faults go to report as "routing.sieve", line, column, text. */
struct rules *route_rules_load(struct desk *d, struct agents *ag,
    void (*report)(const char *file, int line, int col, const char *msg), int *nfaults);

/* --- assignment --------------------------------------------------- */

struct route_cand {
	const struct agent *a;
	const struct calendar *cal;	/* the shift; NULL: always on */
	long load;			/* open tickets (new, open) assigned now */
	long long last;			/* when last given a ticket; 0 never */
	char why[128];			/* filled by route_assign */
	int eligible;			/* filled by route_assign */
};

struct route_need {
	const char *group;		/* required group, or NULL */
	char **skills;			/* required skills */
	size_t nskills;
	const char *lang;		/* the ticket's language, or NULL */
	const char *forced;		/* routing.sieve's assign, or NULL */
	const char *sticky;		/* the customer's last agent, or NULL */
	int round_robin;
	long long now;
};

/* Pick an agent: forced (an agent that is not inactive), else the sticky
 * agent when eligible, else among the eligible (active, on shift, in the
 * group, with the skills, writing the language when anyone eligible
 * writes it, under capacity): least-loaded, or round-robin (the one given
 * a ticket longest ago), ties broken by that order and then by agents.csv
 * order.  Returns the index into v, or -1 with *why saying why nobody. */
int route_assign(struct route_cand *v, size_t n, const struct route_need *need,
    const char **why);

/* Does an agent's language list hold the ticket's language ("pt" holds
 * "pt-br", and "pt-br" holds "pt")? */
int route_lang_ok(const char *list, const char *lang);

#endif
