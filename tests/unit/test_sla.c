/* Unit tests: common/sla.c.  Expected figures are computed by hand in the
 * comments (local times of America/Sao_Paulo, UTC-3 in 2026). */
#include <stdlib.h>
#include "agents.h"
#include "sla.h"
#include "tap.h"
#include "util.h"

static long long T(const char *s)
{
	long long t;
	if (parse_rfc3339(s, &t) != 0)
		abort();
	return t;
}

static const char *files[][2] = {
	{ "sla.conf",
	  "[policy urgent]\n"
	  "match = priority=urgent\n"
	  "first_reply = 1h\n"
	  "next_reply = 1h\n"
	  "resolution = 1d\n"
	  "warn = 15m\n"
	  "\n"
	  "[policy vip]\n"
	  "match = tier=vip lang=pt\n"
	  "first_reply = 2h\n"
	  "time = calendar\n"
	  "\n"
	  "[policy normal]\n"
	  "match = priority=normal|low\n"
	  "first_reply = 8h\n"
	  "next_reply = 4h\n"
	  "periodic_update = 16h\n"
	  "resolution = 40h\n"
	  "time = business\n"
	  "calendar = biz\n"
	  "warn = 25%\n"
	  "\n"
	  "[pause]\n"
	  "first_reply = pending on-hold\n" },
	{ "calendars/biz.conf",
	  "timezone = America/Sao_Paulo\n"
	  "holidays_file = extra.csv\n"
	  "mon = 09:00-18:00\ntue = 09:00-18:00\nwed = 09:00-18:00\n"
	  "thu = 09:00-18:00\nfri = 09:00-18:00\n"
	  "[holidays]\n2026-11-16 = A Monday holiday\n12-25 = Christmas\n" },
	{ "calendars/extra.csv", "date,name\n2026-12-31,New Year's Eve\n\"01-04\",\"Day after, rest\"\n" },
	{ "customers.csv", "email,name,tier,language,notes\nana@vip.example,Ana,vip,pt,\n" },
	{ NULL, NULL }
};

static const char *(*fs)[2] = files;

static char *rd(void *ctx, const char *path, size_t *len)
{
	(void)ctx;
	for (size_t i = 0; fs[i][0]; i++)
		if (!strcmp(fs[i][0], path)) {
			*len = strlen(fs[i][1]);
			return xstrdup(fs[i][1]);
		}
	return NULL;
}

static int nfaults;
static char faults[8][200];

static void rep(const char *file, int line, const char *msg)
{
	if (nfaults < 8)
		snprintf(faults[nfaults], sizeof faults[0], "%s:%d: %s", file, line, msg);
	nfaults++;
}

static void fold(struct ticket *t, const char *text)
{
	ticket_fold(t, "TEST01", text, strlen(text), 0);
}

/* the last line a fold skipped */
static int bad_n;
static const char *bad_e;

static void skipped_line(const char *id, int line, const char *err)
{
	(void)id;
	bad_n = line;
	bad_e = err;
}

#define RECV(id, at) "{\"id\":\"" id "\",\"at\":\"" at "\",\"type\":\"received\",\"by\":\"customer\"," \
	"\"from\":\"carla@example.com\",\"queue\":\"support\",\"thread\":\"new\"}\n"
#define RECV2(id, at) "{\"id\":\"" id "\",\"at\":\"" at "\",\"type\":\"received\",\"by\":\"customer\"," \
	"\"from\":\"carla@example.com\",\"thread\":\"references\"}\n"
#define REPLY(id, at) "{\"id\":\"" id "\",\"at\":\"" at "\",\"type\":\"replied\",\"by\":\"bob\",\"agent\":\"bob\"}\n"
#define EV(id, at, type, rest) "{\"id\":\"" id "\",\"at\":\"" at "\",\"type\":\"" type "\",\"by\":\"bob\"" rest "}\n"

static char b1[32];
#define TS(t) ((t) == SLA_UNKNOWN ? "unknown" : fmt_rfc3339((t), b1))

int main(void)
{
	struct sla s;
	struct ticket t;
	struct sla_result r;
	char d[32];

	is_int(sla_parse(&s, rd, NULL, "business", "UTC", rep), 0, "the policies parse");
	is_int(s.npol, 3, "three policies");
	is_str(s.pol[2].name, "normal", "in order");
	is_int(s.pol[2].target[SLA_PERIODIC_UPDATE], 16 * 3600, "periodic update 16h");
	ok(s.pol[2].business && s.pol[2].cal, "normal counts business time in biz");
	ok(!s.pol[0].business, "calendar time by default");
	is_int(s.pol[0].warn.secs, 900, "warn 15m");
	is_int(s.pol[2].warn.pct, 25, "warn 25%%");
	is_int(s.pause[SLA_RESOLUTION], 1 << 3, "resolution pauses in on-hold by default");

	is_int(s.cal[0].nhol, 4, "two holidays of biz.conf and two of its holidays_file");
	ok(!calendar_is_open(s.pol[2].cal, T("2027-01-04T15:00:00Z")) && !calendar_is_open(s.pol[2].cal, T("2026-12-31T15:00:00Z")) && calendar_is_open(s.pol[2].cal, T("2027-01-05T15:00:00Z")) &&
	    calendar_is_open(s.pol[2].cal, T("2026-12-30T15:00:00Z")), "holidays from the CSV file");

	/* A: Friday 2026-11-13 17:55 local, Monday 16 a holiday.  First reply
	 * 8h business: 5m on Friday, 7h55m on Tuesday from 09:00: 16:55 local
	 * = 19:55Z.  Resolution 40h: 5m + Tue..Fri 36h + 3h55m on Monday 23:
	 * 12:55 local = 15:55Z. */
	fold(&t, RECV("a1", "2026-11-13T20:55:00Z"));
	sla_eval(&s, &t, T("2026-11-16T15:00:00Z"), NULL, &r, NULL);
	is_str(r.policy ? r.policy->name : NULL, "normal", "A: policy normal");
	is_int(r.m[SLA_FIRST_REPLY].state, SLA_RUNNING, "A: first reply running on the holiday");
	is_int(r.m[SLA_FIRST_REPLY].elapsed, 300, "A: 5 minutes counted (Friday 17:55-18:00)");
	is_int(r.m[SLA_FIRST_REPLY].remaining, 7 * 3600 + 55 * 60, "A: 7h55m left");
	is_str(TS(r.m[SLA_FIRST_REPLY].due), "2026-11-17T19:55:00Z", "A: due Tuesday 16:55 local");
	is_int(r.m[SLA_FIRST_REPLY].remaining_cal, 28 * 3600 + 55 * 60, "A: 28h55m of calendar time left");
	is_str(TS(r.m[SLA_RESOLUTION].due), "2026-11-23T15:55:00Z", "A: resolution due Monday 23 12:55 local");
	is_int(r.m[SLA_NEXT_REPLY].state, SLA_NONE, "A: no next-reply clock before an answer");
	is_int(r.m[SLA_PERIODIC_UPDATE].state, SLA_NONE, "A: no periodic clock before an answer");
	sla_eval(&s, &t, T("2026-11-17T18:00:00Z"), NULL, &r, NULL);
	is_int(r.m[SLA_FIRST_REPLY].state, SLA_AT_RISK, "A: Tuesday 15:00 local, 1h55m left of 8h: at risk");
	struct sla_warn w = { 0, 3600 };
	sla_eval(&s, &t, T("2026-11-17T18:00:00Z"), &w, &r, NULL);
	is_int(r.m[SLA_FIRST_REPLY].state, SLA_RUNNING, "A: with warn 1h: running");
	sla_eval(&s, &t, T("2026-11-17T20:00:00Z"), NULL, &r, NULL);
	is_int(r.m[SLA_FIRST_REPLY].state, SLA_BREACHED, "A: Tuesday 17:00 local: breached");
	is_int(r.m[SLA_FIRST_REPLY].remaining, -300, "A: 5 minutes overdue");
	is_str(TS(r.m[SLA_FIRST_REPLY].due), "2026-11-17T19:55:00Z", "A: the deadline stays");
	ok(r.m[SLA_FIRST_REPLY].active, "A: an open breach");
	ticket_free(&t);

	/* B: pending pauses the first reply; replies; next reply re-armed and
	 * breached; acknowledgements do not count. */
	fold(&t, RECV("b1", "2026-11-13T20:55:00Z")
	    EV("b2", "2026-11-17T13:00:00Z", "status", ",\"status\":\"pending\"")
	    RECV2("b3", "2026-11-18T13:00:00Z")
	    REPLY("b4", "2026-11-18T15:00:00Z")
	    RECV2("b5", "2026-11-18T17:00:00Z")
	    RECV2("b6", "2026-11-18T18:00:00Z")
	    EV("b7", "2026-11-18T20:30:00Z", "replied", ",\"auto\":true")
	    EV("b8", "2026-11-18T20:40:00Z", "replied", ",\"ack\":true"));
	sla_eval(&s, &t, T("2026-11-17T18:00:00Z"), NULL, &r, NULL);
	is_int(r.m[SLA_FIRST_REPLY].state, SLA_PAUSED, "B: pending: paused");
	is_int(r.m[SLA_FIRST_REPLY].elapsed, 3900, "B: 1h05m counted before the pause");
	ok(r.m[SLA_FIRST_REPLY].due == SLA_UNKNOWN, "B: no due time while paused");
	is_int(r.m[SLA_RESOLUTION].state, SLA_RUNNING, "B: resolution does not pause in pending");
	sla_eval(&s, &t, T("2026-11-18T20:00:00Z"), NULL, &r, NULL);
	is_int(r.m[SLA_FIRST_REPLY].state, SLA_MET, "B: first reply met");
	is_int(r.m[SLA_FIRST_REPLY].elapsed, 3 * 3600 + 300, "B: 1h05m + Wednesday 10:00-12:00");
	ok(!r.m[SLA_FIRST_REPLY].active, "B: stopped");
	is_int(r.m[SLA_NEXT_REPLY].state, SLA_RUNNING, "B: next reply runs from 14:00 local");
	is_int(r.m[SLA_NEXT_REPLY].start, T("2026-11-18T17:00:00Z"), "B: from the oldest unanswered message");
	is_int(r.m[SLA_NEXT_REPLY].remaining, 3600, "B: 1h left of 4h (exactly 25%%: not yet at risk)");
	is_str(TS(r.m[SLA_NEXT_REPLY].due), "2026-11-18T21:00:00Z", "B: due 18:00 local");
	is_int(r.m[SLA_PERIODIC_UPDATE].elapsed, 5 * 3600, "B: 5h since the reply");
	sla_eval(&s, &t, T("2026-11-19T12:30:00Z"), NULL, &r, NULL);
	is_int(r.m[SLA_NEXT_REPLY].state, SLA_BREACHED, "B: acknowledgements do not answer: breached");
	is_str(TS(r.m[SLA_NEXT_REPLY].due), "2026-11-18T21:00:00Z", "B: breached at 18:00 local");
	is_int(r.m[SLA_NEXT_REPLY].remaining, -1800, "B: 30 minutes overdue on Thursday 09:30");
	is_int(r.m[SLA_NEXT_REPLY].cycles, 1, "B: one next-reply cycle");
	ticket_free(&t);

	/* C: urgent, calendar time; solved and reopened. */
	fold(&t, RECV("c1", "2026-11-02T10:00:00Z")
	    EV("c2", "2026-11-02T10:00:00Z", "priority", ",\"priority\":\"urgent\"")
	    REPLY("c3", "2026-11-02T11:00:00Z")
	    EV("c4", "2026-11-02T16:00:00Z", "status", ",\"status\":\"solved\"")
	    RECV2("c5", "2026-11-03T10:00:00Z"));
	sla_eval(&s, &t, T("2026-11-02T20:00:00Z"), NULL, &r, NULL);
	is_str(r.policy->name, "urgent", "C: urgent");
	is_int(r.m[SLA_FIRST_REPLY].state, SLA_MET, "C: a reply exactly at the deadline meets it");
	is_int(r.m[SLA_RESOLUTION].state, SLA_MET, "C: solved after 6h: met");
	is_int(r.m[SLA_RESOLUTION].elapsed, 6 * 3600, "C: 6h");
	is_int(r.m[SLA_PERIODIC_UPDATE].state, SLA_NONE, "C: urgent sets no periodic update");
	sla_eval(&s, &t, T("2026-11-03T12:00:00Z"), NULL, &r, NULL);
	is_int(r.m[SLA_RESOLUTION].state, SLA_RUNNING, "C: reopened: the clock resumes");
	is_int(r.m[SLA_RESOLUTION].elapsed, 8 * 3600, "C: 6h + 2h");
	is_str(TS(r.m[SLA_RESOLUTION].due), "2026-11-04T04:00:00Z", "C: 16h from now");
	is_int(r.m[SLA_NEXT_REPLY].state, SLA_BREACHED, "C: the message that reopened arms next reply (1h)");
	is_str(TS(r.m[SLA_NEXT_REPLY].due), "2026-11-03T11:00:00Z", "C: breached at 11:00Z");
	ticket_free(&t);

	/* D: a policy change midway applies from the moment of the change:
	 * Monday 09:00 local normal, 30m later urgent (1h calendar). */
	fold(&t, RECV("d1", "2026-11-09T12:00:00Z")
	    EV("d2", "2026-11-09T12:30:00Z", "priority", ",\"priority\":\"urgent\""));
	sla_eval(&s, &t, T("2026-11-09T12:40:00Z"), NULL, &r, NULL);
	is_int(r.m[SLA_FIRST_REPLY].state, SLA_RUNNING, "D: 20m left of urgent's 1h (warn 15m)");
	is_str(TS(r.m[SLA_FIRST_REPLY].due), "2026-11-09T13:00:00Z", "D: due 13:00Z");
	sla_eval(&s, &t, T("2026-11-09T12:50:00Z"), NULL, &r, NULL);
	is_int(r.m[SLA_FIRST_REPLY].state, SLA_AT_RISK, "D: 10m left: at risk");
	ticket_free(&t);
	/* after 2h of business time, urgent's 1h is already past at the change */
	fold(&t, RECV("e1", "2026-11-09T12:00:00Z")
	    EV("e2", "2026-11-09T14:00:00Z", "priority", ",\"priority\":\"urgent\""));
	sla_eval(&s, &t, T("2026-11-09T14:10:00Z"), NULL, &r, NULL);
	is_int(r.m[SLA_FIRST_REPLY].state, SLA_BREACHED, "D: breached at the change");
	is_str(TS(r.m[SLA_FIRST_REPLY].due), "2026-11-09T14:00:00Z", "D: the breach is the change");
	ticket_free(&t);

	/* E: tier (customers.csv) and language conditions, lang=pt matches pt-br */
	fold(&t, "{\"id\":\"f1\",\"at\":\"2026-11-09T12:00:00Z\",\"type\":\"received\",\"by\":\"customer\","
	    "\"from\":\"ana@vip.example\",\"lang\":\"pt-br\",\"thread\":\"new\"}\n");
	sla_eval(&s, &t, T("2026-11-09T12:30:00Z"), NULL, &r, NULL);
	is_str(r.policy ? r.policy->name : NULL, "vip", "E: tier=vip lang=pt");
	is_str(TS(r.m[SLA_FIRST_REPLY].due), "2026-11-09T14:00:00Z", "E: 2h calendar time");
	ticket_free(&t);

	/* F: the precomputed calendar gives calendar.c's answers */
	int bad = 0;
	srand(7);
	for (int i = 0; i < 300; i++) {
		long long a = T("2026-01-01T00:00:00Z") + (long long)(rand() % 300) * 86400 + rand() % 86400;
		long long b = a + (long long)(rand() % (20 * 86400));
		long long secs = rand() % (50 * 3600);
		if (sla_count(&s, &s.pol[2], a, b) != calendar_seconds(s.pol[2].cal, a, b) ||
		    sla_add(&s, &s.pol[2], a, secs) != calendar_add(s.pol[2].cal, a, secs))
			bad++;
	}
	is_int(bad, 0, "F: 300 random spans: the same seconds and deadlines as calendar.c");
	is_str(sla_fmt_duration(7 * 3600 + 55 * 60, d), "7h55m", "durations: 7h55m");
	is_str(sla_fmt_duration(-90061, d), "-25h1m", "durations: hours, no seconds beyond a day");
	is_str(sla_fmt_duration(3725, d), "1h2m5s", "durations: seconds");
	is_str(sla_fmt_local(T("2026-11-17T19:55:00Z"), "America/Sao_Paulo", d), "2026-11-17 16:55 -0300",
	    "local time for templates");
	is_str(sla_fmt_local(T("2022-03-22T07:30:00Z"), "Asia/Tehran", d), "2022-03-22 12:00 +0430",
	    "local time with DST");
	is_str(sla_fmt_local(T("2026-11-17T19:55:00Z"), NULL, d), "2026-11-17 19:55 +0000", "UTC");

	/* I: on random histories, the clocks keep their promises: the policy
	 * in force at now is the one the folded ticket matches (the replay and
	 * the fold are one fold), a clock counts no more than the wall time
	 * since it started, a met clock stopped, a breached one's deadline has
	 * passed, a running one's has not; and the order of the lines in the
	 * file changes nothing (the fold sorts by (at, id)). */
	{
		static const char *const kinds[] = { "received", "replied", "status", "priority",
			"tagged", "untagged", "assigned", "note", "replied-ack", "received-auto" };
		static const char *const sts[] = { "open", "pending", "on-hold", "solved", "new" };
		static const char *const prs[] = { "low", "normal", "high", "urgent" };
		int diff = 0, fdiff = 0, clocks = 0;
		srand(11);
		for (int k = 0; k < 400; k++) {
			struct buf b = { NULL, 0, 0 };
			long long at = T("2026-11-02T10:00:00Z") + rand() % 86400;
			char line[512], ts[32];
			int n = 1 + rand() % 12;
			for (int i = 0; i < n; i++) {
				const char *kd = i == 0 ? "received" : kinds[rand() % 10];
				fmt_rfc3339(at, ts);
				int id = rand() % (n + 3);	/* duplicates now and then */
				if (!strcmp(kd, "received") || !strcmp(kd, "received-auto"))
					snprintf(line, sizeof line, "{\"type\":\"received\", \"at\":\"%s\",\"id\":\"e%d\","
					    "\"by\":\"customer\",\"from\":\"x%d@example.com\",\"subject\":\"Caf\\u00e9 \\\"%d\\\" \\ud83d\\ude00\","
					    "\"thread\":\"%s\",\"queue\":\"support\",\"x\":{\"a\":[1,{\"b\":\"]\"}]},\"auto\":%s}\n",
					    ts, id, k, k, i ? "references" : "new", kd[8] ? "true" : "false");
				else if (!strcmp(kd, "replied") || !strcmp(kd, "replied-ack"))
					snprintf(line, sizeof line, "{\"at\":\"%s\",\"id\":\"e%d\",\"type\":\"replied\",\"agent\":\"bob\"%s}\n",
					    ts, id, kd[7] ? ",\"ack\":true,\"auto\":true" : "");
				else if (!strcmp(kd, "status"))
					snprintf(line, sizeof line, "{\"at\":\"%s\",\"id\":\"e%d\",\"type\":\"status\",\"status\":\"%s\"}\n",
					    ts, id, sts[rand() % 5]);
				else if (!strcmp(kd, "priority"))
					snprintf(line, sizeof line, "{\"at\":\"%s\",\"id\":\"e%d\",\"type\":\"priority\",\"priority\":\"%s\"}\n",
					    ts, id, prs[rand() % 4]);
				else if (!strcmp(kd, "assigned"))
					snprintf(line, sizeof line, "{\"at\":\"%s\",\"id\":\"e%d\",\"type\":\"assigned\",\"agent\":\"ana\"}\n", ts, id);
				else if (kd[0] == 't' || kd[0] == 'u')
					snprintf(line, sizeof line, "{\"at\":\"%s\",\"id\":\"e%d\",\"type\":\"%s\",\"tags\":[\"vip\",\"x\"]}\n",
					    ts, id, kd);
				else
					snprintf(line, sizeof line, "  {\"at\" : \"%s\" , \"id\":\"e%d\",\"type\":\"note\",\"text\":\"a\\nb\",\"n\":-1.5e3} \n",
					    ts, id);
				buf_adds(&b, line);
				at += rand() % (6 * 3600);
			}
			struct ticket ft, rt;
			long long asof = k % 3 ? 0 : at - rand() % 7200;
			ticket_fold(&ft, "R", b.p, b.len, asof);
			/* the same lines, last first */
			struct buf rev = { NULL, 0, 0 };
			for (size_t e = b.len; e > 0;) {
				size_t st = e - 1;
				while (st > 0 && b.p[st - 1] != '\n')
					st--;
				buf_add(&rev, b.p + st, e - st);
				e = st;
			}
			ticket_fold(&rt, "R", rev.p, rev.len, asof);
			json_t *j1 = ticket_json(&ft), *j2 = ticket_json(&rt);
			fdiff += !json_equal(j1, j2);
			json_decref(j1);
			json_decref(j2);
			struct sla_result r1, r2;
			long long when = at + rand() % 86400;
			sla_eval(&s, &ft, when, NULL, &r1, NULL);
			sla_eval(&s, &rt, when, NULL, &r2, NULL);
			if (memcmp(&r1, &r2, sizeof r1) != 0) {
				diff++;
				printf("# %d: the clocks depend on the order of the lines\n", k);
			}
			if (ft.nev && r1.policy != sla_match(&s, &ft)) {
				diff++;
				printf("# %d: policy %s, the fold matches %s\n", k,
				    r1.policy ? r1.policy->name : "-", sla_match(&s, &ft) ? sla_match(&s, &ft)->name : "-");
			}
			for (int m = 0; m < SLA_NMETRICS; m++) {
				const struct sla_clock *c = &r1.m[m];
				if (c->state == SLA_NONE)
					continue;
				clocks++;
				long long end = c->stop ? c->stop : when;
				int bad = c->elapsed < 0 || c->start > when || c->elapsed > end - c->start ||
				    (c->state == SLA_MET && (!c->stop || c->stop > when || c->elapsed > c->target)) ||
				    (c->state == SLA_BREACHED && c->due != SLA_UNKNOWN && c->due > when) ||
				    ((c->state == SLA_RUNNING || c->state == SLA_AT_RISK) &&
				    (c->remaining <= 0 || (c->due != SLA_UNKNOWN && c->due < when)));
				if (bad) {
					diff++;
					printf("# %d: %s: %s start %lld stop %lld elapsed %lld target %lld due %lld\n",
					    k, sla_metric_names[m], sla_state_name(c->state), c->start, c->stop,
					    c->elapsed, c->target, c->due);
				}
			}
			ticket_free(&ft);
			ticket_free(&rt);
			buf_free(&rev);
			buf_free(&b);
		}
		is_int(fdiff, 0, "I: 400 random histories: the order of the lines does not change the fold");
		is_int(diff, 0, "I: the clocks keep their promises, and follow the fold's policy");
		ok(clocks > 600, "I: %d clocks checked", clocks);
	}
	{
		/* J: what the fold reads of a line (jansson's JSON) */
		ticket_on_bad_line(skipped_line);
		const char *t1 = "{\"at\":\"2026-11-02T10:00:00Z\",\"id\":\"a\",\"type\":\"received\",\"subject\":\"\\u00e9\\ud83d\\ude00\\t\"}\n";
		fold(&t, t1);
		is_str(t.subject, "\xc3\xa9\xf0\x9f\x98\x80\t", "J: escapes decoded to UTF-8");
		ticket_free(&t);
		bad_n = 0;
		fold(&t, "{\"at\":\"2026-11-02T10:00:00Z\",\"id\":\"a\",\"id\":\"b\",\"type\":\"received\"}\n");
		ok(bad_n == 1 && !strcmp(bad_e, "not JSON") && t.nev == 0, "J: a duplicate key: not JSON, skipped");
		ticket_free(&t);
		fold(&t, "{\"at\":\"2026-11-02T07:00:00-03:00\",\"id\":\"a\",\"type\":\"received\"}");
		ok(t.created == T("2026-11-02T10:00:00Z"), "J: an offset time, no final newline");
		ticket_free(&t);
		ticket_on_bad_line(NULL);
		/* K: collisions between replicas: msla shows the first */
		fold(&t,
		    "{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"customer\",\"id\":\"c1\",\"type\":\"received\",\"thread\":\"new\"}\n"
		    "{\"agent\":\"ana\",\"at\":\"2026-11-02T09:05:00Z\",\"by\":\"ana\",\"id\":\"c2\",\"type\":\"claimed\",\"until\":\"2026-11-02T09:35:00Z\"}\n"
		    "{\"agent\":\"bob\",\"at\":\"2026-11-02T09:06:00Z\",\"by\":\"bob\",\"id\":\"c3\",\"type\":\"claimed\",\"until\":\"2026-11-02T09:36:00Z\"}\n"
		    "{\"agent\":\"dmitri\",\"at\":\"2026-11-02T09:07:00Z\",\"by\":\"dmitri\",\"force\":true,\"id\":\"c4\",\"type\":\"claimed\",\"until\":\"2026-11-02T09:37:00Z\"}\n");
		json_t *c0 = json_array_get(t.collisions, 0);
		ok(json_array_size(t.collisions) == 1 &&
		    !strcmp(json_string_value(json_object_get(c0, "winner")), "ana") &&
		    !strcmp(json_string_value(json_object_get(c0, "loser")), "bob") && !strcmp(t.claim_by, "dmitri"),
		    "K: a claim over a live one collides; a forced one takes over");
		ticket_free(&t);
	}
	sla_free(&s);

	/* G: DST.  Sao Paulo started DST on Sunday 2018-11-04 at 00:00 (a
	 * 23-hour day); Moscow left +04 on Sunday 2014-10-26 (25 hours);
	 * Tehran started DST on Tuesday 2022-03-22 (23 hours). */
	static const char *dst[][2] = {
		{ "sla.conf", "[policy all]\nmatch = *\nresolution = 30h\ntime = business\ncalendar = z\n" },
		{ "calendars/z.conf", NULL }, { NULL, NULL } };
	static const struct { const char *cal, *from, *to; long long secs; const char *due; } g[] = {
		{ "timezone = America/Sao_Paulo\nsun = 00:00-24:00\n", "2018-11-03T12:00:00Z",
		  "2018-11-05T12:00:00Z", 23 * 3600, "2018-11-11T09:00:00Z" },
		{ "timezone = Europe/Moscow\nsun = 00:00-24:00\n", "2014-10-25T12:00:00Z",
		  "2014-10-27T12:00:00Z", 25 * 3600, "2014-11-02T02:00:00Z" },
		{ "timezone = Asia/Tehran\ntue = 00:00-24:00\n", "2022-03-20T12:00:00Z",
		  "2022-03-23T12:00:00Z", 23 * 3600, "2022-03-29T02:30:00Z" },
	};
	fs = dst;
	for (size_t i = 0; i < 3; i++) {
		dst[1][1] = g[i].cal;
		is_int(sla_parse(&s, rd, NULL, "business", "UTC", rep), 0, "G: parses");
		is_int(sla_count(&s, &s.pol[0], T(g[i].from), T(g[i].to)), g[i].secs,
		    "G: %s: the day of the change has %lld hours", s.cal[0].tz, g[i].secs / 3600);
		/* 30h: the short or long day, then 7h or 5h of the next week's */
		is_str(TS(sla_add(&s, &s.pol[0], T(g[i].from), 30 * 3600)), g[i].due,
		    "G: 30h counted across it");
		sla_free(&s);
	}

	/* H: faults, each with its file and line */
	static const char *broken[][2] = {
		{ "sla.conf",
		  "[policy a]\n"
		  "match = priority=soon\n"
		  "first_reply = fast\n"
		  "time = business\n"
		  "calendar = nowhere\n"
		  "colour = blue\n"
		  "[policy b]\n"
		  "warn = 200%\n"
		  "[pause]\n"
		  "first_reply = waiting\n"
		  "[other]\n" },
		{ NULL, NULL } };
	fs = broken;
	nfaults = 0;
	is_int(sla_parse(&s, rd, NULL, "business", "UTC", rep), 8, "H: eight faults");
	is_str(faults[0], "sla.conf:2: match: priority 'soon' is not one of low, normal, high, urgent",
	    "H: a bad priority");
	is_str(faults[1], "sla.conf:3: first_reply: want a duration like 30m, 4h, 1h30m, not 'fast'",
	    "H: a bad duration");
	is_str(faults[2], "sla.conf:5: calendar 'nowhere': no calendars/nowhere.conf", "H: no calendar");
	is_str(faults[3], "sla.conf:7: policy 'b' has no match (match = * for every ticket)", "H: no match");
	is_str(faults[4], "sla.conf:8: warn: want a share like 25% or a duration like 30m, not '200%'",
	    "H: a bad warn");
	is_str(faults[5], "sla.conf:11: unknown section [other] (sla.conf has [policy NAME] and [pause])",
	    "H: an unknown section");
	is_str(faults[6], "sla.conf:6: unknown key 'colour' in a policy", "H: an unknown key");
	is_str(faults[7], "sla.conf:10: [pause]: 'waiting' is not one of " STATUS_LIST, "H: a bad status");
	sla_free(&s);
	return done_testing();
}
