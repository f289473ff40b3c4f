/* Unit tests: common/rephtml.c */
#include <stdlib.h>
#include <string.h>
#include "rephtml.h"
#include "tap.h"

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

int main(void)
{
	struct rep_dist d = { 0 };
	long long b[REPHTML_NBUCKETS];
	rep_dist_add(&d, 0);
	rep_dist_add(&d, 899);
	rep_dist_add(&d, 900);
	rep_dist_add(&d, 3 * 86400);
	rephtml_buckets(&d, b);
	ok(b[0] == 2 && b[1] == 1 && b[8] == 1, "buckets: < 15m twice, 15-30m, > 2d");
	rep_dist_free(&d);

	is_int(rephtml_step(92), 25, "92: steps of 25 (0, 25, 50, 75, 100)");
	is_int(rephtml_step(4), 1, "4: steps of 1");
	is_int(rephtml_step(7), 2, "7: steps of 2");
	is_int(rephtml_step(12), 5, "12: steps of 5 (2.5 is not whole)");
	is_int(rephtml_step(0), 1, "0: steps of 1");
	is_int(rephtml_step(1000), 250, "1000: steps of 250");

	struct report t, g, a, tot, prev;
	const char *err;
	int pw[1] = { REP_WEEK }, pg[1] = { REP_GROUP }, pa[1] = { REP_AGENT };
	long long since = 1793577600LL, until = since + 14 * 86400;
	ok(report_init(&t, pw, 1, since, until, "UTC", NULL, NULL, NULL, &err) == 0 &&
	    report_init(&g, pg, 1, since, until, "UTC", NULL, NULL, NULL, &err) == 0 &&
	    report_init(&a, pa, 1, since, until, "UTC", NULL, NULL, NULL, &err) == 0 &&
	    report_init(&tot, NULL, 0, since, until, "UTC", NULL, NULL, NULL, &err) == 0 &&
	    report_init(&prev, NULL, 0, since - 14 * 86400, since, "UTC", NULL, NULL, NULL, &err) == 0,
	    "reports");
	const char *text =
	    "{\"id\":\"1\",\"at\":\"2026-11-02T09:00:00Z\",\"type\":\"received\",\"by\":\"customer\",\"from\":\"c@x\",\"thread\":\"new\"}\n"
	    "{\"id\":\"3\",\"at\":\"2026-11-02T09:01:00Z\",\"type\":\"assigned\",\"by\":\"rule:r\",\"agent\":\"<b>&\"}\n"
	    "{\"id\":\"4\",\"at\":\"2026-11-02T10:00:00Z\",\"type\":\"replied\",\"by\":\"x\",\"agent\":\"x\"}\n";
	struct report *all[5] = { &t, &g, &a, &tot, &prev };
	for (int i = 0; i < 5; i++) {
		struct arena ar = { 0 };
		struct ticket st;
		ticket_fold(&st, "TAAAAA", text, strlen(text), until - 1);
		report_add(all[i], &st, &ar);
		report_finish(all[i]);
		ticket_free(&st);
		arena_free(&ar);
	}
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct rephtml h = { .title = "Desk \"<x>\"", .tz = "America/Sao_Paulo", .since = since,
		.until = until, .time = &t, .groups = &g, .agents = &a, .total = &tot, .prev = &prev,
		.target = 90 };
	ok(rephtml_write(f, &h) == 0, "written");
	fclose(f);
	ok(strstr(out, "<svg class=\"chart\" id=\"volume\"") != NULL, "the volume chart");
	ok(strstr(out, "id=\"first-reply\"") && strstr(out, "id=\"sla\"") && strstr(out, "id=\"heatmap\""),
	    "the first-reply, SLA and heat map charts");
	is_int(count(out, "<rect class=\"created\""), 2, "a created bar per week");
	is_int(count(out, "<rect class=\"cell l"), 7 * 24, "a cell per weekday and hour");
	ok(strstr(out, "&lt;b&gt;&amp;") && !strstr(out, "<b>&"), "names escaped");
	ok(strstr(out, "Desk &quot;&lt;x&gt;&quot;") != NULL, "the title escaped");
	ok(!strstr(out, "<script") && !strstr(out, "http"), "no script, nothing fetched");
	ok(strstr(out, "1h: 1 tickets") || strstr(out, "1-2h: 1 tickets"), "the first reply of 1h in 1-2h");
	ok(strstr(out, "id=\"kpi-created\" data-field=\"created\" data-value=\"1\" data-previous=\"0\"")
	    != NULL, "the headline: created, this period and the one before");
	ok(strstr(out, "data-field=\"first_reply_median_s\" data-value=\"3600\"") != NULL,
	    "the headline: the first-reply median in seconds");
	ok(strstr(out, "data-field=\"one_touch_rate\" data-value=\"null\"") != NULL,
	    "the headline: no one-touch rate without solves");
	ok(strstr(out, "2026-11-02 00:00 -0300") || strstr(out, "2026-11-01 21:00 -0300"),
	    "the range in the desk's zone");
	ok(!strstr(out, ">first_reply<") && !strstr(out, "<tr><td>-</td>") &&
	    strstr(out, ">No group<") && strstr(out, ">First reply<"), "words, not internal names");
	ok(strstr(out, "against 0 in the previous 14 days") != NULL,
	    "the change: against the previous period of the same length");
	ok(strstr(out, "nothing to compare with") != NULL, "no first-reply median before: nothing to compare");
	ok(strstr(out, "Median 1h") != NULL, "the median marked on the first-reply chart");
	ok(strstr(out, "class=\"cell l5\"") != NULL && strstr(out, "<i class=\"sw l5\"></i>1</span>"),
	    "the heat map's scale");
	ok(strstr(out, "@media print") && strstr(out, "@media (max-width:600px)") &&
	    strstr(out, "viewport"), "prints and reflows");
	free(out);
	for (int i = 0; i < 5; i++)
		report_free(all[i]);
	return done_testing();
}
