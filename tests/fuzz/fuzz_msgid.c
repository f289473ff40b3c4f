/* fuzz_msgid: Message-ID lists (common/msgid.c).  Every id handed out
 * holds no angle bracket, is at most MSGID_MAX bytes and valid UTF-8. */
#include "fuzz.h"
#include "msgid.h"
#include "util.h"

static void check_id(void *ctx, const char *id, size_t len)
{
	size_t *n = ctx;
	(*n)++;
	FUZZ_CHECK(len > 0 && len <= MSGID_MAX);
	FUZZ_CHECK(!memchr(id, '<', len) && !memchr(id, '>', len) && !memchr(id, 0, len));
	FUZZ_CHECK(utf8_valid(id, len));
	FUZZ_CHECK(memchr(id, '@', len) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	char out[MSGID_MAX + 1];
	size_t n = 0, k;
	size_t r = msgid_each(s, size, check_id, &n);
	FUZZ_CHECK(r == n);
	if ((k = msgid_strict(s, size, out)) != 0)
		FUZZ_CHECK(k <= MSGID_MAX && strlen(out) == k);
	if ((k = msgid_first(s, size, out)) != 0) {
		FUZZ_CHECK(k <= MSGID_MAX && strlen(out) == k);
		FUZZ_CHECK(n > 0);
	}
	if ((k = msgid_self(s, size, out)) != 0)
		FUZZ_CHECK(k <= MSGID_MAX && strlen(out) == k);
	return 0;
}
