/* report.h: the figures of mreport, computed from the tickets' events.
 *
 * A report is a set of rows, one per group: the values of the grouping
 * keys (agent, group, queue, tag, priority, language, customer) and a
 * period (day, week or month in the report's time zone).  Each ticket is
 * replayed event by event (ticket_step, the fold) and every fact is counted
 * in the row of the ticket's groups and the period in which it happened;
 * facts outside [since, until) are left out.  The definitions are those
 * of mreport(1):
 *
 *   created      tickets whose first event is in the period
 *   solved       changes of status to solved or closed from any other
 *   reopened     changes of status from solved or closed to any other
 *   backlog      tickets created and neither solved nor closed at the
 *                period's end (the end of the report without a period)
 *   incoming     customer messages received (automatic mail left out)
 *   first reply  first customer message to the first public agent reply
 *                (acknowledgements excluded), counted when the reply is
 *   resolution   first customer message to each solve, counted at the solve
 *   replies      public agent replies before each solve
 *   one touch    solves with at most one public agent reply before them
 *   sla          per metric, tickets whose clock met its target in every
 *                cycle / breached at least once (sla_eval at until),
 *                counted when the clock stopped (breached and running:
 *                at its deadline)
 *   escalations  "escalated" events; acks: acknowledgements sent
 *   heat         incoming mail by local weekday and hour
 *
 * Business time is counted through sla_count with the ticket's policy
 * for that metric (calendar time when it has none or counts calendar
 * time).  Durations are summarised by median and p90 (nearest rank: the
 * value at rank ceil(p * n) of the sorted values) and mean (rounded
 * down). */
#ifndef MDESK_REPORT_H
#define MDESK_REPORT_H
#include <stddef.h>
#include "sla.h"
#include "util.h"

enum rep_by {
	REP_AGENT, REP_GROUP, REP_QUEUE, REP_TAG, REP_PRIORITY, REP_LANGUAGE,
	REP_CUSTOMER, REP_DAY, REP_WEEK, REP_MONTH, REP_NBY
};
/* "agent", "group", ..., "month"; rep_by_find: the index or -1. */
extern const char *const rep_by_names[REP_NBY];
int rep_by_find(const char *name);
#define REP_MAXBY 8
#define REP_NOPERIOD ((long long)INT64_MIN)

/* Durations in seconds and their summary. */
struct rep_dist {
	long long *v;
	size_t n, cap;
	int sorted;
};
void rep_dist_add(struct rep_dist *d, long long v);
/* The value at rank ceil(p * n / 100) of the sorted values (p in 1..100);
 * -1 when empty. */
long long rep_dist_pct(struct rep_dist *d, int p);
long long rep_dist_mean(const struct rep_dist *d);	/* -1 when empty */
void rep_dist_free(struct rep_dist *d);

/* The periods of a report: starts[i] .. starts[i + 1], aligned on local
 * days, weeks (Monday) or months of zone tz, covering [since, until). */
struct rep_periods {
	long long *start;	/* n + 1 boundaries */
	char (*label)[16];	/* "2026-11-16", "2026-W47", "2026-11" */
	size_t n;
};
/* 0, or -1 when the range holds more than max periods. */
int rep_periods_build(struct rep_periods *p, int kind, const char *tz, long long since,
    long long until, size_t max);
/* Add the periods before the first down to the one holding t (0, or -1
 * when there would be more than max). */
int rep_periods_extend(struct rep_periods *p, int kind, const char *tz, long long t,
    size_t max);
/* The period of t, or -1 when outside. */
long rep_period_of(const struct rep_periods *p, long long t);
void rep_periods_free(struct rep_periods *p);

struct rep_span {
	long long a, b;		/* open in [a, b); b = INT64_MAX: still open */
	struct rep_row *row;	/* a row of the ticket's group */
};

struct rep_row {
	const char *key[REP_MAXBY];	/* the grouping values ("-": none) */
	long long pstart;	/* the period's start; REP_NOPERIOD: none */
	long period;		/* its index in the periods (report_finish); -1: none */
	long long from, to;	/* the row's span, inside [since, until) (finish) */
	long long created, solved, reopened, backlog, incoming, escalations, acks;
	long long replies;	/* public agent replies before the solves */
	long long bdelta;	/* backlog change at this period (report_finish) */
	long long one_touch;
	struct rep_dist first_reply, first_reply_b, resolution, resolution_b;
	long long met[SLA_NMETRICS], breached[SLA_NMETRICS];
	long long heat[7][24];	/* weekday (0 = Sunday), hour */
};

/* The agents' groups (agents.csv): the groups of login as a ';' or space
 * separated list, or NULL. */
typedef const char *(*rep_groups_fn)(void *ctx, const char *login);

struct report {
	int by[REP_MAXBY];	/* the grouping keys, without the period */
	size_t nby;
	int period;		/* REP_DAY, REP_WEEK, REP_MONTH, or -1 */
	long long since, until;
	char tz[128];
	const struct sla *sla;	/* NULL: no SLA figures, business = calendar */
	rep_groups_fn groups;
	void *groups_ctx;
	struct rep_periods per;
	struct rep_span *spans;	/* tickets open from a to b, for the backlog */
	size_t nspans, scap;
	struct rep_row **rows;	/* in order of creation */
	size_t nrows, rcap;
	struct strtab index;	/* a row's keys and period (row_get) -> the row */
	struct buf ident;
	struct arena mem;
	long long heat[7][24];	/* every row's together */
	struct rep_dist all_first_reply;	/* every row's together */
};

/* A report grouped by by[0..nby) (a period among them at most once) over
 * [since, until) in zone tz; since REP_NOPERIOD: from the earliest event.
 * Returns 0, or -1 with *err set. */
int report_init(struct report *r, const int *by, size_t nby, long long since,
    long long until, const char *tz, const struct sla *s, rep_groups_fn groups,
    void *ctx, const char **err);
/* Count ticket t (folded up to until - 1) in the report; scratch is
 * memory for the replay (reset by the caller). */
void report_add(struct report *r, const struct ticket *t, struct arena *scratch);
/* Sort the rows (by key values, then period) and give every group a row
 * for each period (empty periods are rows of zeros). */
void report_finish(struct report *r);
void report_free(struct report *r);

/* "mon".."sun" of a weekday 0 = Sunday. */
extern const char *const rep_weekday[7];
/* The busiest cell of a heat map: 0 when empty, else its count with *wd
 * and *hour set (the earliest in the week on a tie, Monday first). */
long long rep_busiest(const long long heat[7][24], int *wd, int *hour);

#endif
