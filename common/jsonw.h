/* jsonw.h: JSON Lines output through jansson. */
#ifndef MDESK_JSONW_H
#define MDESK_JSONW_H
#include <stdio.h>
#include <jansson.h>

/* Set key to a string made clean UTF-8 first (never silently dropped);
 * NULL sets JSON null. */
void jw_str(json_t *obj, const char *key, const char *s);
void jw_int(json_t *obj, const char *key, long long v);
/* RFC 3339 UTC time, or null for t == INT64_MIN. */
void jw_time(json_t *obj, const char *key, long long t);
json_t *jw_cstr(const char *s);	/* a clean JSON string value */
/* Write obj compactly (keys in insertion order) and a newline, then
 * decref it.  Returns 0, or -1 on a write error. */
int jw_line(FILE *f, json_t *obj);

#endif
