/* Unit tests: common/report.c */
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "tap.h"

/* 2026-11-02 (Monday) 00:00Z and friends */
#define NOV2 1793577600LL
#define DAY 86400LL

static const char *groups_of(void *ctx, const char *login)
{
	(void)ctx;
	return !strcmp(login, "ana") ? "billing; support" : NULL;
}

static void add_text(struct report *r, const char *id, const char *text)
{
	struct arena a = { 0 };
	struct ticket t;
	ticket_fold(&t, id, text, strlen(text), r->until - 1);
	report_add(r, &t, &a);
	ticket_free(&t);
	arena_free(&a);
}

static struct rep_row *find(struct report *r, const char *key, const char *period)
{
	for (size_t i = 0; i < r->nrows; i++) {
		struct rep_row *w = r->rows[i];
		if ((!key || !strcmp(w->key[0], key)) &&
		    (!period || (w->period >= 0 && !strcmp(r->per.label[w->period], period))))
			return w;
	}
	return NULL;
}

int main(void)
{
	/* nearest rank: p50 of 1..4 is rank 2, p90 rank 4; mean floor */
	struct rep_dist d = { 0 };
	is_int(rep_dist_pct(&d, 50), -1, "empty: no median");
	is_int(rep_dist_mean(&d), -1, "empty: no mean");
	rep_dist_add(&d, 40);
	rep_dist_add(&d, 10);
	rep_dist_add(&d, 30);
	rep_dist_add(&d, 20);
	is_int(rep_dist_pct(&d, 50), 20, "median of 10 20 30 40 is 20 (rank 2)");
	is_int(rep_dist_pct(&d, 90), 40, "p90 is 40 (rank 4)");
	is_int(rep_dist_mean(&d), 25, "mean 25");
	rep_dist_add(&d, 1);
	is_int(rep_dist_pct(&d, 50), 20, "median of 1 10 20 30 40 is 20 (rank 3)");
	is_int(rep_dist_mean(&d), 20, "mean 101 / 5 rounded down");
	rep_dist_free(&d);

	/* periods: weeks from Monday in Sao Paulo (UTC-3) */
	struct rep_periods p;
	ok(rep_periods_build(&p, REP_WEEK, "America/Sao_Paulo", NOV2 + DAY, NOV2 + 15 * DAY, 100) == 0,
	    "weeks build");
	is_int((long long)p.n, 3, "three weeks touched");
	is_int(p.start[0], NOV2 + 3 * 3600, "the first starts Monday 00:00 -03");
	is_str(p.label[0], "2026-W45", "ISO week label");
	is_int(rep_period_of(&p, NOV2 + 3 * 3600 + 7 * DAY), 1, "a week's first second");
	is_int(rep_period_of(&p, NOV2 + 3 * 3600 + 7 * DAY - 1), 0, "the week before's last");
	is_int(rep_period_of(&p, NOV2), -1, "before the periods");
	ok(rep_periods_extend(&p, REP_WEEK, "America/Sao_Paulo", NOV2 - 8 * DAY, 100) == 0, "extend");
	is_str(p.label[0], "2026-W43", "extended down to Sunday 2026-10-25: W43...");
	is_int((long long)p.n, 5, "...two weeks more");
	rep_periods_free(&p);
	ok(rep_periods_build(&p, REP_MONTH, "UTC", NOV2, NOV2 + 40 * DAY, 100) == 0, "months");
	is_str(p.label[1], "2026-12", "month label");
	rep_periods_free(&p);
	ok(rep_periods_build(&p, REP_DAY, "UTC", 0, NOV2, 100) != 0, "too many periods refused");
	rep_periods_free(&p);
	/* a day of 23 hours: Europe/Lisbon leaves summer time on 2026-10-25 */
	ok(rep_periods_build(&p, REP_DAY, "Europe/Lisbon", 1772323200LL + 0, 1772323200LL + 3 * DAY, 100) == 0,
	    "days");
	rep_periods_free(&p);
	ok(rep_periods_build(&p, REP_DAY, "Europe/Lisbon", 1774656000LL, 1774656000LL + 3 * DAY, 10) == 0,
	    "days over the March change");
	is_int(p.start[2] - p.start[1], 23 * 3600, "2026-03-29 has 23 hours in Lisbon");
	rep_periods_free(&p);

	/* busiest: Monday first on a tie */
	long long heat[7][24] = { { 0 } };
	int wd = -1, h = -1;
	is_int(rep_busiest((const long long (*)[24])heat, &wd, &h), 0, "empty heat map");
	heat[0][3] = 2;
	heat[1][9] = 2;
	is_int(rep_busiest((const long long (*)[24])heat, &wd, &h), 2, "busiest count");
	ok(wd == 1 && h == 9, "Monday wins a tie with Sunday");

	/* a report by agent and week, UTC, 2026-11-02 .. 2026-11-16 */
	struct report r;
	const char *err;
	int by[2] = { REP_AGENT, REP_WEEK };
	ok(report_init(&r, by, 2, NOV2, NOV2 + 14 * DAY, "UTC", NULL, groups_of, NULL, &err) == 0,
	    "report init");
	/* T1: created Mon 09:00, ack, reply Mon 10:00 (1h), solved Tue, reopened
	 * by the customer Mon next week, solved again Tue next week */
	add_text(&r, "TAAAAA",
	    "{\"id\":\"1\",\"at\":\"2026-11-02T09:00:00Z\",\"type\":\"received\",\"by\":\"customer\",\"from\":\"c@x\",\"thread\":\"new\"}\n"
	    "{\"id\":\"2\",\"at\":\"2026-11-02T09:00:05Z\",\"type\":\"replied\",\"by\":\"system\",\"auto\":true}\n"
	    "{\"id\":\"3\",\"at\":\"2026-11-02T09:01:00Z\",\"type\":\"assigned\",\"by\":\"rule:r\",\"agent\":\"ana\"}\n"
	    "{\"id\":\"4\",\"at\":\"2026-11-02T10:00:00Z\",\"type\":\"replied\",\"by\":\"ana\",\"agent\":\"ana\"}\n"
	    "{\"id\":\"5\",\"at\":\"2026-11-03T10:00:00Z\",\"type\":\"status\",\"by\":\"ana\",\"status\":\"solved\"}\n"
	    "{\"id\":\"6\",\"at\":\"2026-11-09T10:00:00Z\",\"type\":\"received\",\"by\":\"customer\",\"from\":\"c@x\"}\n"
	    "{\"id\":\"7\",\"at\":\"2026-11-10T09:00:00Z\",\"type\":\"replied\",\"by\":\"ana\",\"agent\":\"ana\"}\n"
	    "{\"id\":\"8\",\"at\":\"2026-11-10T09:00:00Z\",\"type\":\"status\",\"by\":\"ana\",\"status\":\"solved\"}\n");
	/* T2: created before the report (Oct 30), unassigned, never answered:
	 * backlog of both weeks, counted nowhere else */
	add_text(&r, "TBBBBB",
	    "{\"id\":\"1\",\"at\":\"2026-10-30T09:00:00Z\",\"type\":\"received\",\"by\":\"customer\",\"from\":\"d@x\",\"thread\":\"new\"}\n");
	/* T3: after the report: nothing */
	add_text(&r, "TCCCCC",
	    "{\"id\":\"1\",\"at\":\"2026-11-20T09:00:00Z\",\"type\":\"received\",\"by\":\"customer\",\"from\":\"e@x\",\"thread\":\"new\"}\n");
	report_finish(&r);
	is_int((long long)r.nrows, 4, "two agents (ana, -) x two weeks");
	struct rep_row *a1 = find(&r, "ana", "2026-W45"), *a2 = find(&r, "ana", "2026-W46");
	struct rep_row *u1 = find(&r, "-", "2026-W45"), *u2 = find(&r, "-", "2026-W46");
	ok(a1 && a2 && u1 && u2, "the rows");
	if (a1 && a2 && u1 && u2) {
		is_int(a1->created, 1, "ana W45 created");
		is_int(a1->solved, 1, "ana W45 solved");
		is_int(a1->backlog, 0, "ana W45 backlog: solved by the end");
		is_int(a1->acks, 1, "ana W45 acks");
		is_int(a1->incoming, 1, "ana W45 incoming");
		is_int(rep_dist_pct(&a1->first_reply, 50), 3600, "first reply 1h");
		is_int(rep_dist_pct(&a1->resolution, 50), 25 * 3600, "resolution 25h");
		is_int(a1->replies, 1, "one reply before the solve");
		is_int(a1->one_touch, 1, "one touch");
		is_int(a2->reopened, 1, "ana W46 reopened");
		is_int(a2->solved, 1, "ana W46 solved again");
		is_int(rep_dist_pct(&a2->resolution, 50), 8 * DAY, "second resolution: 8 days from the first message");
		is_int(a2->one_touch, 0, "two replies: not one touch");
		is_int(a2->created, 0, "not created again");
		is_int(a2->first_reply.n, 0, "no first reply in W46");
		is_int(u1->backlog, 1, "T2 open at the end of W45");
		is_int(u2->backlog, 1, "and of W46");
		is_int(u1->created, 0, "created before the report");
		int wd2 = 0, h2 = 0;
		rep_busiest((const long long (*)[24])a1->heat, &wd2, &h2);
		ok(wd2 == 1 && h2 == 9, "busiest: Monday 09h");
	}
	report_free(&r);

	/* by group: a ticket of ana counts in both her groups; no groups: "-" */
	int gb[1] = { REP_GROUP };
	ok(report_init(&r, gb, 1, REP_NOPERIOD, NOV2 + 14 * DAY, "UTC", NULL, groups_of, NULL, &err) == 0,
	    "by group");
	add_text(&r, "TDDDDD",
	    "{\"id\":\"1\",\"at\":\"2026-11-02T09:00:00Z\",\"type\":\"received\",\"by\":\"customer\",\"from\":\"c@x\",\"thread\":\"new\"}\n"
	    "{\"id\":\"3\",\"at\":\"2026-11-02T09:01:00Z\",\"type\":\"assigned\",\"by\":\"rule:r\",\"agent\":\"ana\"}\n");
	report_finish(&r);
	is_int((long long)r.nrows, 2, "two groups");
	ok(r.nrows == 2 && !strcmp(r.rows[0]->key[0], "billing") && !strcmp(r.rows[1]->key[0], "support"),
	    "billing and support, sorted");
	ok(r.nrows == 2 && r.rows[0]->backlog == 1 && r.rows[1]->created == 1, "counted in each");
	report_free(&r);

	/* an empty report by week: a row of zeros per period */
	int wb[1] = { REP_WEEK };
	ok(report_init(&r, wb, 1, NOV2, NOV2 + 14 * DAY, "UTC", NULL, NULL, NULL, &err) == 0, "empty");
	report_finish(&r);
	is_int((long long)r.nrows, 2, "two empty weeks");
	report_free(&r);
	int bad[2] = { REP_DAY, REP_WEEK };
	ok(report_init(&r, bad, 2, NOV2, NOV2 + DAY, "UTC", NULL, NULL, NULL, &err) != 0,
	    "two periods refused: %s", err);
	return done_testing();
}
