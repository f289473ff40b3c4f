/* Unit tests: common/date.c */
#include "date.h"
#include "tap.h"
#include "util.h"

static const char *d(const char *s)
{
	static char b[32];
	long long t;
	if (date_parse(s, &t) != 0)
		return "none";
	return fmt_rfc3339(t, b);
}

int main(void)
{
	is_str(d("Tue, 14 Nov 2023 22:14:28 +0000"), "2023-11-14T22:14:28Z", "RFC 5322");
	is_str(d("14 Nov 2023 22:14:28 +0100"), "2023-11-14T21:14:28Z", "no weekday");
	is_str(d("Tue, 14 Nov 2023 22:14 -0500"), "2023-11-15T03:14:00Z", "no seconds: zero, not the clock");
	is_str(d("Tue, 14 Nov 2023 22:14:28 GMT"), "2023-11-14T22:14:28Z", "obsolete GMT");
	is_str(d("Tue, 14 Nov 2023 22:14:28 EST"), "2023-11-15T03:14:28Z", "obsolete EST");
	is_str(d("Tue, 14 Nov 23 22:14:28 +0000"), "2023-11-14T22:14:28Z", "2-digit year");
	is_str(d("Tue, 14 Nov 99 22:14:28 +0000"), "1999-11-14T22:14:28Z", "2-digit year 99");
	is_str(d("Tue, 14 Nov 2023 22:14:28 +0000 (UTC)"), "2023-11-14T22:14:28Z", "trailing comment");
	is_str(d("Mon, 2 Nov 2026 09:14:00 -0300"), "2026-11-02T12:14:00Z", "Brazil");
	is_str(d("Mon, 2 Nov 2026 09:14:00 +0330"), "2026-11-02T05:44:00Z", "Tehran");
	is_str(d("Tue, 14 Nov 2023 22:14:28"), "2023-11-14T22:14:28Z", "no zone: UTC");
	is_str(d(""), "none", "empty is no date, never now");
	is_str(d("garbage"), "none", "garbage");
	is_str(d("Tue, 31 Feb 2023 10:00:00 +0000"), "none", "31 February refused");
	is_str(d("Tue, 14 Nov 2023 25:61:00 +0000"), "none", "25:61 refused");
	is_str(d("Tue, 14 Nov 2023 22:14:28 +2500"), "none", "zone +2500 refused");
	is_str(d("Tue, 14 Nov 99999 22:14:28 +0000"), "none", "year 99999 refused");
	is_str(d("Thu Jan  1 00:00:00 1970"), "none", "1970 refused (the pinned clock)");
	is_str(d("Mon Nov 14 22:14:28 2023"), "2023-11-14T22:14:28Z", "asctime via Mailutils");
	return done_testing();
}
