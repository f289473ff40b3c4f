/* Unit tests: common/jsonw.c (the streaming writer checked with jansson) */
#include <stdint.h>
#include <stdlib.h>
#include "jsonw.h"
#include "tap.h"

int main(void)
{
	struct jout j = { 0 };
	const char *nasty = "q\"b\\s/\n\t\x01 caf\xe9 Привет \xf0\x9f\x98\x80 \xed\xa0\x80";
	jo_obj(&j);
	jo_key(&j, "s");
	jo_str(&j, nasty);
	jo_key(&j, "n");
	jo_int(&j, -9223372036854775807LL);
	jo_key(&j, "a");
	jo_arr(&j);
	jo_int(&j, 1);
	jo_null(&j);
	jo_bool(&j, 1);
	jo_obj(&j);
	jo_end(&j);
	jo_end_arr(&j);
	jo_key(&j, "t");
	jo_time(&j, 0);
	jo_key(&j, "u");
	jo_time(&j, INT64_MIN);
	jo_key(&j, "r");
	jo_num(&j, "0.75");
	jo_end(&j);
	json_error_t err;
	json_t *v = json_loadb(j.b.p, j.b.len, 0, &err);
	ok(v != NULL, "jansson parses the output: %s", v ? "" : err.text);
	const char *s = json_string_value(json_object_get(v, "s"));
	is_str(s, "q\"b\\s/\n\t\x01 caf\xef\xbf\xbd Привет \xf0\x9f\x98\x80 \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd",
	    "escapes and U+FFFD round-trip");
	ok(json_integer_value(json_object_get(v, "n")) == -9223372036854775807LL, "integer");
	ok(json_array_size(json_object_get(v, "a")) == 4, "array");
	is_str(json_string_value(json_object_get(v, "t")), "1970-01-01T00:00:00Z", "time");
	ok(json_is_null(json_object_get(v, "u")), "no time is null");
	ok(json_real_value(json_object_get(v, "r")) == 0.75, "a number as written (jo_num)");
	json_decref(v);
	jo_free(&j);

	json_t *o = json_object();
	jw_str(o, "bad", "x\xff");
	jw_str(o, "none", NULL);
	char *d = json_dumps(o, JSON_COMPACT);
	is_str(d, "{\"bad\":\"x\xef\xbf\xbd\",\"none\":null}", "jw_str never drops a key");
	free(d);
	json_decref(o);
	return done_testing();
}
