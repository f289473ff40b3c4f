/* sla.h: service levels: sla.conf, policies and the clocks of a ticket.
 *
 * sla.conf (mdesk-files(5)) holds ordered [policy NAME] sections (match =
 * conditions on priority, queue, tier, tag, lang; targets first_reply,
 * next_reply, periodic_update, resolution; time = business|calendar;
 * calendar = NAME; warn = 25%|30m) and a [pause] section (per metric, the
 * statuses in which its clock stops).
 *
 * The clocks are a pure function of (the ticket's events, the parsed
 * sla.conf with its calendars, now): the events are replayed in their
 * (at, id) order, the policy is chosen again after every event (first
 * match wins; a change applies from the moment of the event), and each
 * metric counts the seconds in which its clock runs, in business time
 * through the policy's calendar or in calendar time.
 *
 *   first_reply      from the ticket's first customer message to the
 *                    first public reply by an agent; acknowledgements
 *                    (replied with auto or ack true), notes and
 *                    automatic mail do not count.
 *   next_reply       from the oldest customer message not yet answered to
 *                    the next agent reply; re-armed by each new customer
 *                    message after an answer.
 *   periodic_update  the gaps between agent replies while the ticket is
 *                    open (a new gap starts at each reply); the longest
 *                    is kept.
 *   resolution       from the first customer message to solved; a reopen
 *                    resumes the clock.
 *
 * In solved and closed every clock stops; a reopen resumes it.  While
 * the ticket is snoozed (event.h, snooze_until) every clock pauses,
 * whatever the status.  A clock that has passed its target is breached,
 * and stays breached. */
#ifndef MDESK_SLA_H
#define MDESK_SLA_H
#include <stdint.h>
#include <stdio.h>
#include "calendar.h"
#include "event.h"
#include "util.h"

struct desk;
struct customers;

enum sla_metric {
	SLA_FIRST_REPLY, SLA_NEXT_REPLY, SLA_PERIODIC_UPDATE, SLA_RESOLUTION,
	SLA_NMETRICS
};
/* "first_reply", "next_reply", "periodic_update", "resolution". */
extern const char *const sla_metric_names[SLA_NMETRICS];
/* The metric of a name, or -1. */
int sla_metric_find(const char *name);

enum sla_state {
	SLA_NONE,		/* no target (no policy, no such key, no clock yet) */
	SLA_RUNNING, SLA_PAUSED, SLA_AT_RISK, SLA_BREACHED, SLA_MET
};
/* "none", "running", "paused", "at-risk", "breached", "met". */
const char *sla_state_name(enum sla_state s);

/* A warning threshold: a share of the target (pct > 0) or seconds. */
struct sla_warn {
	int pct;
	long long secs;
};
/* "25%" or a duration ("30m"); 0, or -1 when malformed. */
int sla_warn_parse(const char *v, struct sla_warn *w);

struct sla_cond {
	int key;		/* SLA_KEY_* */
	char **alt;		/* alternatives (value a|b|c) */
	size_t nalt;
};
enum { SLA_KEY_PRIORITY, SLA_KEY_QUEUE, SLA_KEY_TIER, SLA_KEY_TAG, SLA_KEY_LANG };

struct sla_policy {
	char *name;
	int line;
	struct sla_cond *cond;	/* all must hold; none: match = * */
	size_t ncond;
	long long target[SLA_NMETRICS];	/* seconds; 0: no target */
	int business;		/* time = business */
	const struct calendar *cal;	/* business time: the calendar */
	struct sla_warn warn;
};

struct sla_calx;		/* a calendar's open intervals, precomputed */

struct sla {
	struct sla_policy *pol;
	size_t npol;
	unsigned pause[SLA_NMETRICS];	/* bit 1 << status index (STATUS_LIST order) */
	struct calendar *cal;	/* the calendars the policies use */
	struct sla_calx **calx;
	size_t ncal;
	struct customers *cust;	/* tiers (NULL: none) */
};

/* Reads a file of the desk (path relative to the desk's root); malloc'd
 * bytes and *len, or NULL when absent. */
typedef char *(*sla_reader)(void *ctx, const char *path, size_t *len);
/* Reports one fault: "file:line: msg". */
typedef void (*sla_report)(const char *file, int line, const char *msg);

/* Parse sla.conf (read through rd) and the calendars it needs
 * (calendars/NAME.conf; NAME defaults to default_cal; a calendar without
 * a timezone takes default_tz), and customers.csv for tiers.  Every fault
 * is reported with its file and line; returns the number of faults (0:
 * ready to use).  An absent sla.conf is an empty one (no deadlines). */
int sla_parse(struct sla *s, sla_reader rd, void *ctx, const char *default_cal,
    const char *default_tz, sla_report report);
void sla_free(struct sla *s);

/* Load the desk's sla.conf: from the working tree, or from the git
 * revision rev (any revspec: a commit, a branch, "HEAD~3") when rev is
 * not NULL.  Faults are printed as "prog: file:line: what" and the
 * process exits EX_CONFIG (78); an unknown rev exits EX_USAGE. */
void sla_load(struct sla *s, struct desk *d, const char *rev);
/* The same, with every fault given to report (mdesk check): returns their
 * number (sla_free s either way). */
int sla_read(struct sla *s, struct desk *d, const char *rev, sla_report report);
/* Calendar NAME of the desk's working tree, read as sla_read reads the
 * calendars of the policies (calendar_load with desk.conf's timezone). */
int sla_calendar_read(struct calendar *c, struct desk *d, const char *name, const char *from,
    int from_line, sla_report report);

/* One metric's clock of one ticket at now. */
struct sla_clock {
	enum sla_state state;
	const struct sla_policy *policy;	/* in force at now, or at the stop */
	long long target;	/* seconds of the policy's time; 0: none */
	int business;		/* the target counts business time */
	long long start;	/* the current (or last) cycle's start; 0: none */
	long long stop;		/* when it stopped (reply, solved); 0: not stopped */
	long long elapsed;	/* seconds counted in the cycle */
	long long remaining;	/* target - elapsed (negative: overdue) */
	long long due;		/* the deadline; SLA_UNKNOWN while paused */
	long long remaining_cal;/* due - now in wall seconds; SLA_UNKNOWN */
	long long warn;		/* at risk when remaining <= this */
	int active;		/* running or paused: not stopped */
	int cycles;		/* next_reply, periodic_update: cycles so far */
	int breaches;		/* cycles that breached */
	long long longest;	/* the longest cycle, counted (periodic_update) */
};
#define SLA_UNKNOWN ((long long)INT64_MIN)

/* At risk or breached, and running: what msla --notify tells and
 * mdesk's at-risk view shows. */
static inline int sla_urgent(const struct sla_clock *c)
{
	return c->active && (c->state == SLA_AT_RISK || c->state == SLA_BREACHED);
}

struct sla_result {
	const struct sla_policy *policy;	/* in force at now; NULL: none */
	struct sla_clock m[SLA_NMETRICS];
};

/* The clocks of ticket t (folded up to now: its timeline is replayed
 * through ticket_step) at now.  warn, when not NULL,
 * replaces every policy's warn.  explain, when not NULL, receives the
 * clocks' history in text: every start, pause, resume, stop, the policy
 * changes, the calendar intervals counted and the resulting figures. */
void sla_eval(const struct sla *s, const struct ticket *t, long long now,
    const struct sla_warn *warn, struct sla_result *r, FILE *explain);

/* Build the calendar tables for instants around t now rather than on
 * first use.  After it, sla_eval (without explain) may run in several
 * threads at once, on different tickets. */
void sla_prepare(const struct sla *s, long long t);

/* The policy t matches with its current state (NULL: none). */
const struct sla_policy *sla_match(const struct sla *s, const struct ticket *t);

/* For mreply and templates: the deadline of metric m of ticket t at now,
 * under the desk's sla.conf (loaded from the working tree on the first
 * call and kept; a broken sla.conf exits EX_CONFIG with file:line).
 * Returns 0 with *due set when the ticket owes that answer (running,
 * at risk, or breached: *due is in the past; paused: *due as if the
 * clock started again at now), 1 when there is no such deadline (no
 * policy, no target, already met, ticket solved). */
int sla_due(struct desk *d, const struct ticket *t, enum sla_metric m, long long now,
    long long *due);

/* Seconds in [a, b) counted in policy p's time (business time through its
 * calendar; calendar time when p is NULL or counts calendar time), and the
 * instant when secs of that time have passed after from (-1: never).  The
 * same answers as calendar_seconds and calendar_add, from a precomputed
 * table (for mreport's business-time figures too). */
long long sla_count(const struct sla *s, const struct sla_policy *p, long long a, long long b);
long long sla_add(const struct sla *s, const struct sla_policy *p, long long from, long long secs);

/* A time for people in zone tz (IANA name; NULL or "" for UTC), as in
 * templates: "2026-11-03 14:00 -0300".  buf needs 32 bytes. */
char *sla_fmt_local(long long t, const char *tz, char *buf);

/* Durations for people: "1h30m", "40h", "45s", "0s" (hours, no days: a
 * business day is not 24 hours; seconds below a day); negative with '-'.
 * buf needs 32 bytes. */
char *sla_fmt_duration(long long secs, char *buf);

#endif
