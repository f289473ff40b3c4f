/* fuzz_conf: the INI-like configuration reader (common/conf.c) used by
 * desk.conf and sla.conf, and its value helpers. */
#include "fuzz.h"
#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	const char *err = NULL;
	int line = conf_parse(&c, "fuzz.conf", (const char *)data, size, &err);
	if (line) {
		FUZZ_CHECK(err != NULL && line > 0);
		conf_free(&c);
		return 0;
	}
	for (size_t i = 0; i < c.n; i++) {
		struct conf_entry *e = &c.e[i];
		FUZZ_CHECK(e->section && e->name && e->key && e->value && *e->key);
		FUZZ_CHECK(e->line > 0);
		/* the first entry of a key is the one conf_get finds */
		const char *v = conf_get(&c, e->section, e->name, e->key);
		FUZZ_CHECK(v == e->value);
		FUZZ_CHECK(conf_line(&c, e->section, e->name, e->key) == e->line);
		int b;
		long long d;
		conf_bool(e->value, &b);
		if (conf_duration(e->value, &d) == 0)
			FUZZ_CHECK(d >= 0);
	}
	conf_get(&c, "", "", "timezone");
	conf_get(&c, "queue", "support", "calendar");
	conf_free(&c);
	return 0;
}
