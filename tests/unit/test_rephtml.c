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

	struct report t, g, a;
	const char *err;
	int pw[1] = { REP_WEEK }, pg[1] = { REP_GROUP }, pa[1] = { REP_AGENT };
	long long since = 1793577600LL, until = since + 14 * 86400;
	ok(report_init(&t, pw, 1, since, until, "UTC", NULL, NULL, NULL, &err) == 0 &&
	    report_init(&g, pg, 1, since, until, "UTC", NULL, NULL, NULL, &err) == 0 &&
	    report_init(&a, pa, 1, since, until, "UTC", NULL, NULL, NULL, &err) == 0, "reports");
	const char *text =
	    "{\"id\":\"1\",\"at\":\"2026-11-02T09:00:00Z\",\"type\":\"received\",\"by\":\"customer\",\"from\":\"c@x\",\"thread\":\"new\"}\n"
	    "{\"id\":\"3\",\"at\":\"2026-11-02T09:01:00Z\",\"type\":\"assigned\",\"by\":\"rule:r\",\"agent\":\"<b>&\"}\n"
	    "{\"id\":\"4\",\"at\":\"2026-11-02T10:00:00Z\",\"type\":\"replied\",\"by\":\"x\",\"agent\":\"x\"}\n";
	struct report *all[3] = { &t, &g, &a };
	for (int i = 0; i < 3; i++) {
		struct arena ar = { 0 };
		struct sla_ticket st;
		char *copy = xstrdup(text);
		sla_ticket_parse(&st, "TAAAAA", copy, strlen(copy), until - 1, &ar, &err);
		report_add(all[i], &st, &ar);
		report_finish(all[i]);
		arena_free(&ar);
		free(copy);
	}
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct rephtml h = { "Desk \"<x>\"", "UTC", since, until, &t, &g, &a };
	ok(rephtml_write(f, &h) == 0, "written");
	fclose(f);
	ok(strstr(out, "<svg class=\"chart\" id=\"volume\"") != NULL, "the volume chart");
	ok(strstr(out, "id=\"first-reply\"") && strstr(out, "id=\"sla\"") && strstr(out, "id=\"heatmap\""),
	    "the first-reply, SLA and heat map charts");
	is_int(count(out, "<rect class=\"created\""), 2 + 1, "a created bar per week (and the legend's)");
	is_int(count(out, "<rect class=\"cell\""), 7 * 24, "a cell per weekday and hour");
	ok(strstr(out, "&lt;b&gt;&amp;") && !strstr(out, "<b>&"), "names escaped");
	ok(strstr(out, "Desk &quot;&lt;x&gt;&quot;") != NULL, "the title escaped");
	ok(!strstr(out, "<script") && !strstr(out, "http"), "no script, nothing fetched");
	ok(strstr(out, "1h: 1 tickets") || strstr(out, "1-2h: 1 tickets"), "the first reply of 1h in 1-2h");
	free(out);
	for (int i = 0; i < 3; i++)
		report_free(all[i]);
	return done_testing();
}
