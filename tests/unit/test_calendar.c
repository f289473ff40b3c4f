/* Unit tests: common/calendar.c */
#include <stdlib.h>
#include "calendar.h"
#include "tap.h"
#include "util.h"

static long long T(const char *s)
{
	long long t;
	if (parse_rfc3339(s, &t) != 0)
		abort();
	return t;
}

int main(void)
{
	struct calendar c;
	const char *err;
	const char *text =
	    "timezone = America/Sao_Paulo\n"
	    "mon = 09:00-12:00 13:00-18:00\ntue = 09:00-12:00 13:00-18:00\n"
	    "wed = 09:00-12:00 13:00-18:00\nthu = 09:00-12:00 13:00-18:00\n"
	    "fri = 09:00-12:00 13:00-18:00\nsat = closed\n"
	    "[holidays]\n11-20 = Consciencia Negra\n2026-12-24 = Vespera\n";
	is_int(calendar_parse(&c, "business", text, strlen(text), &err), 0, "parses");
	/* Sao Paulo is UTC-3 (no DST since 2019) */
	ok(calendar_is_open(&c, T("2026-11-02T12:00:00Z")), "Monday 09:00 local: open");
	ok(!calendar_is_open(&c, T("2026-11-02T11:59:59Z")), "Monday 08:59:59 local: closed");
	ok(!calendar_is_open(&c, T("2026-11-02T15:30:00Z")), "lunch: closed");
	ok(!calendar_is_open(&c, T("2026-11-07T15:00:00Z")), "Saturday: closed");
	ok(!calendar_is_open(&c, T("2026-11-20T15:00:00Z")), "yearly holiday: closed");
	ok(!calendar_is_open(&c, T("2026-12-24T15:00:00Z")), "one-off holiday: closed");
	is_int(calendar_seconds(&c, T("2026-11-02T12:00:00Z"), T("2026-11-03T12:00:00Z")), 8 * 3600,
	    "one business day is 8 hours");
	is_int(calendar_seconds(&c, T("2026-11-06T20:00:00Z"), T("2026-11-09T13:00:00Z")), 3600 + 3600,
	    "Friday 17:00 to Monday 10:00 local: 2 hours");
	char b[32];
	is_str(fmt_rfc3339(calendar_add(&c, T("2026-11-06T20:00:00Z"), 8 * 3600), b), "2026-11-09T20:00:00Z",
	    "8 business hours from Friday 17:00 local: Monday 17:00 local (lunch closed)");
	is_str(fmt_rfc3339(calendar_add(&c, T("2026-11-07T12:00:00Z"), 60), b), "2026-11-09T12:01:00Z",
	    "from a closed weekend: the clock starts Monday 09:00");
	is_str(fmt_rfc3339(calendar_add(&c, T("2026-11-19T20:30:00Z"), 3600), b), "2026-11-23T12:30:00Z",
	    "across a Friday holiday");
	calendar_free(&c);

	/* Europe/Berlin across the end of daylight saving (2026-10-25) */
	const char *eu = "timezone = Europe/Berlin\nsun = 00:00-24:00\nsat = 00:00-24:00\n";
	is_int(calendar_parse(&c, "eu", eu, strlen(eu), &err), 0, "parses");
	is_int(calendar_seconds(&c, T("2026-10-23T22:00:00Z"), T("2026-10-27T00:00:00Z")), 49 * 3600,
	    "a weekend with the clock change has 49 hours");
	calendar_free(&c);

	calendar_always(&c);
	is_int(calendar_seconds(&c, 0, 86400), 86400, "calendar time");
	ok(calendar_add(&c, 100, 50) == 150, "calendar add");

	const char *bad1 = "timezone = Mars/Olympus\n";
	ok(calendar_parse(&c, "x", bad1, strlen(bad1), &err) == 1, "unknown zone refused");
	calendar_free(&c);
	const char *bad2 = "mon = 09:00-08:00\n";
	ok(calendar_parse(&c, "x", bad2, strlen(bad2), &err) == 1, "backwards interval refused");
	calendar_free(&c);
	const char *bad3 = "[holidays]\n2026-13-01 = x\n";
	ok(calendar_parse(&c, "x", bad3, strlen(bad3), &err) == 2, "bad holiday refused");
	calendar_free(&c);
	const char *never = "mon = closed\n";
	calendar_parse(&c, "x", never, strlen(never), &err);
	ok(calendar_add(&c, 0, 60) == -1, "a calendar that never opens: -1");
	calendar_free(&c);
	/* when_parse: durations after now, times with an offset as they are,
	 * times without one in the zone given */
	long long now, w, want;
	char wb[32];
	parse_rfc3339("2026-11-03T13:00:00Z", &now);
	ok(when_parse("2h", now, "America/Sao_Paulo", &w) == 0 && w == now + 7200, "when: 2h");
	ok(when_parse("1w", now, NULL, &w) == 0 && w == now + 7 * 86400, "when: 1w");
	ok(when_parse("2026-12-10T09:00:00Z", now, "America/Sao_Paulo", &w) == 0 &&
	    !strcmp(fmt_rfc3339(w, wb), "2026-12-10T09:00:00Z"), "when: Z kept");
	ok(when_parse("2026-12-10T09:00:00+01:00", now, "America/Sao_Paulo", &w) == 0 &&
	    !strcmp(fmt_rfc3339(w, wb), "2026-12-10T08:00:00Z"), "when: an offset kept");
	ok(when_parse("2026-12-10T09:00", now, "America/Sao_Paulo", &w) == 0 &&
	    !strcmp(fmt_rfc3339(w, wb), "2026-12-10T12:00:00Z"), "when: no offset, the zone's 09:00");
	ok(when_parse("2026-12-10", now, "Asia/Tokyo", &w) == 0 &&
	    !strcmp(fmt_rfc3339(w, wb), "2026-12-09T15:00:00Z"), "when: a date, the start of the zone's day");
	ok(when_parse("2026-12-10", now, NULL, &w) == 0 && parse_rfc3339("2026-12-10T00:00:00Z", &want) == 0 &&
	    w == want, "when: no zone, UTC");
	ok(when_parse("soon", now, NULL, &w) == -1 && when_parse("0", now, NULL, &w) == -1 &&
	    when_parse("", now, NULL, &w) == -1 && when_parse("2026-13-01", now, NULL, &w) == -1,
	    "when: not a duration or a time refused");
	ok(when_parse("100000000w", now, NULL, &w) == -1, "when: past 9999 refused");
	return done_testing();
}
