/* fuzz_calendar: calendars/NAME.conf (common/calendar.c) and the open-time
 * arithmetic.  An accepted calendar has intervals inside the day, in
 * order; open seconds never exceed the span; calendar_add lands where
 * calendar_seconds agrees. */
#include "fuzz.h"
#include "calendar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct calendar c;
	const char *err = NULL;
	if (calendar_parse(&c, "fuzz", (const char *)data, size, &err) != 0) {
		FUZZ_CHECK(err != NULL);
		calendar_free(&c);
		return 0;
	}
	int any = 0;
	for (int d = 0; d < 7; d++) {
		FUZZ_CHECK(c.nopen[d] >= 0 && c.nopen[d] <= CAL_MAX_INTERVALS);
		for (int i = 0; i < c.nopen[d]; i++) {
			FUZZ_CHECK(c.open[d][i][0] >= 0 && c.open[d][i][0] < c.open[d][i][1]);
			FUZZ_CHECK(c.open[d][i][1] <= 24 * 60);
			if (i > 0)
				FUZZ_CHECK(c.open[d][i - 1][1] <= c.open[d][i][0]);
			any = 1;
		}
	}
	for (size_t i = 0; i < c.nhol; i++)
		FUZZ_CHECK(c.hol[i].m >= 1 && c.hol[i].m <= 12 && c.hol[i].d >= 1 && c.hol[i].d <= 31);
	/* a few fixed instants around 2026 (the time is not fuzzed: the
	 * walk over ten years of days is slow for calendars never open) */
	long long from = 1793000000LL + (long long)(size % 97) * 3607;
	long long week = 7 * 86400LL;
	long long s = calendar_seconds(&c, from, from + week);
	FUZZ_CHECK(s >= 0 && s <= week);
	calendar_is_open(&c, from);
	if (any && s > 0) {
		long long at = calendar_add(&c, from, s);
		FUZZ_CHECK(at > from && at <= from + week);
		FUZZ_CHECK(calendar_seconds(&c, from, at) == s);
	}
	calendar_free(&c);
	return 0;
}
