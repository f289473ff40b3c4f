/* Unit tests: common/route.c (assignment as a pure function) */
#include <stdlib.h>
#include "route.h"
#include "util.h"
#include "tap.h"

static struct agent A[] = {
	{ "ana", "Ana", "ana@x", "support;billing", "refunds;shipping", "pt;en", "active", "br", 2, 2 },
	{ "bob", "Bob", "bob@x", "support;sales", "", "en", "active", "", 25, 3 },
	{ "chen", "Chen", "chen@x", "support", "accounts", "en", "away", "", 15, 4 },
	{ "dmitri", "Dmitri", "d@x", "support;billing", "", "ru;en", "active", "", -1, 5 },
};

int main(void)
{
	struct calendar br;
	const char *err;
	const char *txt = "timezone = America/Sao_Paulo\nmon = 09:00-18:00\ntue = 09:00-18:00\n"
	    "[holidays]\n2026-11-24 = Local holiday\n";
	ok(calendar_parse(&br, "br", txt, strlen(txt), &err) == 0, "calendar parses");
	struct route_cand v[4];
	memset(v, 0, sizeof v);
	for (int i = 0; i < 4; i++)
		v[i].a = &A[i];
	v[0].cal = &br;
	long long mon_noon_brt, tue_noon, mon_night;
	parse_rfc3339("2026-11-23T15:00:00Z", &mon_noon_brt);	/* 12:00 in São Paulo */
	parse_rfc3339("2026-11-24T15:00:00Z", &tue_noon);	/* a holiday */
	parse_rfc3339("2026-11-23T23:30:00Z", &mon_night);	/* 20:30 local */
	const char *why;
	struct route_need n = { 0 };
	n.now = mon_noon_brt;
	v[0].load = 1, v[1].load = 5, v[3].load = 3;

	is_int(route_assign(v, 4, &n, &why), 0, "least-loaded: ana (1) over dmitri (3), bob (5)");
	ok(strstr(v[2].why, "away") != NULL, "chen is away: %s", v[2].why);
	n.now = mon_night;
	is_int(route_assign(v, 4, &n, &why), 3, "ana off shift at night: dmitri");
	ok(strstr(v[0].why, "off shift") != NULL, "why: %s", v[0].why);
	n.now = tue_noon;
	is_int(route_assign(v, 4, &n, &why), 3, "ana on holiday: dmitri");
	n.now = mon_noon_brt;
	v[0].load = 2;
	is_int(route_assign(v, 4, &n, &why), 3, "ana at capacity (2 of 2): dmitri");
	ok(strstr(v[0].why, "at capacity") != NULL, "why: %s", v[0].why);
	v[0].load = 1;

	/* group and skills */
	n.group = "billing";
	char *sk[] = { "refunds" };
	n.skills = sk, n.nskills = 1;
	is_int(route_assign(v, 4, &n, &why), 0, "billing + refunds: ana");
	ok(strstr(v[1].why, "not in group billing") && strstr(v[3].why, "lacks skill refunds"),
	    "reasons: %s / %s", v[1].why, v[3].why);
	n.now = mon_night;
	is_int(route_assign(v, 4, &n, &why), -1, "nobody: unassigned");
	is_str(why, "no eligible agent", "why nobody");
	n.now = mon_noon_brt;
	n.group = NULL, n.nskills = 0;

	/* language narrows when someone eligible writes it */
	n.lang = "ru";
	is_int(route_assign(v, 4, &n, &why), 3, "ru: dmitri although ana has fewer tickets");
	ok(strstr(v[0].why, "does not write ru") != NULL, "why: %s", v[0].why);
	n.lang = "pt-BR";
	is_int(route_assign(v, 4, &n, &why), 0, "pt-BR: ana");
	n.lang = "de";
	is_int(route_assign(v, 4, &n, &why), 0, "de: nobody writes it, the language is not a bar");
	n.lang = NULL;

	/* round-robin: the one given a ticket longest ago */
	n.round_robin = 1;
	v[0].last = 300, v[1].last = 100, v[3].last = 200;
	is_int(route_assign(v, 4, &n, &why), 1, "round-robin: bob (longest ago)");
	v[1].last = 0;
	is_int(route_assign(v, 4, &n, &why), 1, "never given one: first");
	n.round_robin = 0;
	v[0].load = 3, v[1].load = 3, v[3].load = 3;
	v[0].last = 50, v[1].last = 40, v[3].last = 60;
	is_int(route_assign(v, 4, &n, &why), 1, "least-loaded tie: round-robin order");

	/* sticky and forced */
	n.sticky = "dmitri";
	is_int(route_assign(v, 4, &n, &why), 3, "sticky: the customer's last agent");
	n.sticky = "chen";
	is_int(route_assign(v, 4, &n, &why), 1, "sticky agent away: the strategy");
	n.sticky = NULL;
	n.forced = "chen";
	is_int(route_assign(v, 4, &n, &why), 2, "assign passes over status away");
	n.forced = "nobody";
	is_int(route_assign(v, 4, &n, &why), 1, "assign of an unknown login: the strategy");
	n.forced = NULL;
	is_int(route_assign(v, 0, &n, &why), -1, "no agents");

	ok(route_lang_ok("pt;en", "pt-br") && route_lang_ok("pt-br", "pt") && !route_lang_ok("en", "es") &&
	    route_lang_ok("en", NULL) && !route_lang_ok("", "en") && route_lang_ok(" en , fa", "fa"),
	    "language lists");
	calendar_free(&br);
	return done_testing();
}
