/* jsonw.c: JSON Lines output through jansson (see jsonw.h). */
#include "jsonw.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

json_t *jw_cstr(const char *s)
{
	if (!s)
		return json_null();
	size_t n = strlen(s);
	json_t *v = json_stringn(s, n);	/* NULL on invalid UTF-8 */
	if (v)
		return v;
	char *c = utf8_clean(s, n, 0);
	v = json_string(c);
	free(c);
	return v ? v : json_string("");
}

void jw_str(json_t *obj, const char *key, const char *s)
{
	json_object_set_new_nocheck(obj, key, jw_cstr(s));
}

void jw_int(json_t *obj, const char *key, long long v)
{
	json_object_set_new_nocheck(obj, key, json_integer(v));
}

void jw_time(json_t *obj, const char *key, long long t)
{
	char b[32];
	if (t == INT64_MIN)
		json_object_set_new_nocheck(obj, key, json_null());
	else
		json_object_set_new_nocheck(obj, key, json_string(fmt_rfc3339(t, b)));
}

static int put(const char *buf, size_t size, void *data)
{
	return fwrite(buf, 1, size, data) == size ? 0 : -1;
}

int jw_line(FILE *f, json_t *obj)
{
	int rc = json_dump_callback(obj, put, f, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	if (rc == 0 && putc('\n', f) == EOF)
		rc = -1;
	return rc;
}
