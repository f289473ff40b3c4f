/* fuzz_csv: agents.csv and customers.csv (common/agents.c over the CSV
 * reader of common/csvw.c).  Agents written back by agents_render read
 * again to the same agents. */
#include "fuzz.h"
#include "agents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	if (data[0] & 1) {
		struct customers c;
		customers_parse(&c, text, len, NULL);
		for (size_t i = 0; i < c.n; i++)
			FUZZ_CHECK(customer_find(&c, c.v[i].key) != NULL);
		customer_find(&c, "someone@example.com");
		customer_find(&c, "");
		customers_free(&c);
		return 0;
	}
	struct agents a, b;
	int faults = agents_parse(&a, text, len, NULL);
	for (size_t i = 0; i < a.n; i++) {
		FUZZ_CHECK(agent_find(&a, a.v[i].login) == &a.v[i]);
		char fn[64];
		first_name(a.v[i].name, fn, sizeof fn);
		FUZZ_CHECK(strlen(fn) < sizeof fn);
		agent_has(a.v[i].groups, "support");
	}
	if (!faults) {
		char *out = agents_render(&a);
		int f2 = agents_parse(&b, out, strlen(out), NULL);
		FUZZ_CHECK(f2 == 0 && b.n == a.n);
		for (size_t i = 0; i < a.n; i++) {
			FUZZ_CHECK(!strcmp(a.v[i].login, b.v[i].login));
			FUZZ_CHECK(!strcmp(a.v[i].name, b.v[i].name));
			FUZZ_CHECK(!strcmp(a.v[i].email, b.v[i].email));
			FUZZ_CHECK(!strcmp(a.v[i].calendar, b.v[i].calendar));
			FUZZ_CHECK(a.v[i].capacity == b.v[i].capacity);
		}
		agents_free(&b);
		free(out);
	}
	agents_free(&a);
	return 0;
}
