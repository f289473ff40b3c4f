/* fuzz_msg: header blocks (common/msg.c): field index, unfolding, RFC 2047
 * decoding, addresses, dates and the threading ids, as the tools read
 * them.  Decoded text must be valid UTF-8 without control characters. */
#include "fuzz.h"
#include "msg.h"
#include "util.h"

static void clean(const char *s)
{
	if (!s)
		return;
	size_t n = strlen(s);
	FUZZ_CHECK(utf8_valid(s, n));
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

static void on_addr(void *ctx, const char *addr, const char *display)
{
	(*(int *)ctx)++;
	FUZZ_CHECK(addr != NULL);
	for (const char *p = addr; *p; p++)
		FUZZ_CHECK(!(*p >= 'A' && *p <= 'Z'));
	clean(display);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct msg m;	/* reused, as the tools do */
	const char *h = (const char *)data;
	size_t hl = msg_header_len(h, size);
	FUZZ_CHECK(hl <= size);
	msg_open(&m, h, size);
	struct msg_ids ids;
	msg_ids(&m, &ids);
	FUZZ_CHECK(strlen(ids.mid) < sizeof ids.mid);
	for (size_t i = 0; i < ids.nrefs; i++) {
		FUZZ_CHECK(ids.refs[i] && *ids.refs[i]);
		FUZZ_CHECK(strcmp(ids.refs[i], ids.mid) != 0);
	}
	long long t;
	msg_date(&m, &t);
	clean(msg_text(&m, "Subject"));
	clean(msg_text(&m, "X-Custom"));
	const char *a, *d;
	if (msg_addr(&m, "From", &a, &d) == 0) {
		clean(d);
		char fn[64];	/* the greeting's first name: valid, bounded */
		msg_first_name(d, fn, sizeof fn);
		FUZZ_CHECK(strlen(fn) < sizeof fn && utf8_valid(fn, strlen(fn)));
	}
	const char *lk[8];	/* the links: ids of the message, at most max */
	size_t nl = msg_links(&ids, lk, 8);
	FUZZ_CHECK(nl <= 8);
	for (size_t i = 0; i < nl; i++)
		FUZZ_CHECK(lk[i] && *lk[i]);
	FUZZ_CHECK(!ids.ti[0] || strlen(ids.ti) == 65);
	int n = 0;
	msg_addrs(&m, "To,Cc,Reply-To", on_addr, &n);
	msg_raw(&m, "Received", -1);
	msg_raw(&m, "Subject", -1);
	char hid[64];
	msg_hash_id(msg_hash_header(HASH64_INIT, h, hl), hid);
	msg_close(&m);
	return 0;
}
