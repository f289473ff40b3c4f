/* fuzz_date: Date header parsing (common/date.c).  Results are refused
 * outside 1971..9999, so an accepted date must fall in that range. */
#include "fuzz.h"
#include "date.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size);
	long long t = 0;
	if (date_parse(s, &t) == 0)
		FUZZ_CHECK(t >= 31536000LL && t < 253402300800LL);
	free(s);
	return 0;
}
