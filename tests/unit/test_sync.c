/* Unit tests: common/sync.c (the union of events; tree merges are tested
 * through mdesk sync in tests/t/mdesk-sync.t). */
#include "tap.h"
#include "sync.h"

static int is(const char *a, size_t al, const char *b, size_t bl, const char *want)
{
	struct buf o = { 0 };
	sync_union_events(a, al, b, bl, &o);
	int r = !strcmp(o.p, want);
	if (!r)
		fprintf(stderr, "# got:\n%s# want:\n%s", o.p, want);
	buf_free(&o);
	return r;
}
#define IS(a, b, want) is(a, strlen(a), b, strlen(b), want)

int main(void)
{
	ok(IS("", "", ""), "empty");
	ok(IS("{\"id\":\"1\"}\n", "{\"id\":\"1\"}\n", "{\"id\":\"1\"}\n"), "one event on both sides is one");
	ok(IS("{\"id\":\"1\",\"at\":\"a\"}\n", "{\"at\":\"a\",\"id\":\"1\"}\n{\"id\":\"2\"}\n",
	    "{\"id\":\"1\",\"at\":\"a\"}\n{\"id\":\"2\"}\n"), "the same id written otherwise is one; new ones follow");
	ok(IS("{\"id\":\"1\"}", "{\"id\":\"2\"}", "{\"id\":\"1\"}\n{\"id\":\"2\"}\n"), "no final newline");
	ok(IS("x\n", "x\ny\ny\n", "x\ny\n"), "lines without ids count by bytes");
	ok(IS("", "{\"id\":\"3\"}\n{\"id\":\"3\"}\n", "{\"id\":\"3\"}\n"), "a repeat on the other side is dropped");
	ok(IS("{\"id\":\"3\"}\n{\"id\":\"3\"}\n", "", "{\"id\":\"3\"}\n{\"id\":\"3\"}\n"), "the local side is kept as it is");
	ok(IS("\n\n{\"id\":\"4\"}\n", "{bad\n", "{\"id\":\"4\"}\n{bad\n"), "blank lines go, malformed lines stay");
	return done_testing();
}
