/* jsonw.h: JSON Lines output through jansson. */
#ifndef MDESK_JSONW_H
#define MDESK_JSONW_H
#include <stdio.h>
#include <jansson.h>
#include "util.h"

/* Set key to a string made clean UTF-8 first (never silently dropped);
 * NULL sets JSON null. */
void jw_str(json_t *obj, const char *key, const char *s);
/* RFC 3339 UTC time, or null for t == INT64_MIN. */
void jw_time(json_t *obj, const char *key, long long t);
json_t *jw_cstr(const char *s);	/* a clean JSON string value */
/* Write obj compactly (keys in insertion order) and a newline, then
 * decref it.  Returns 0, or -1 on a write error. */
int jw_line(FILE *f, json_t *obj);



/* A streaming writer for JSON Lines on hot paths (one call per value,
 * no tree, no allocation per value); strings are escaped per RFC 8259
 * and made valid UTF-8 (invalid bytes become U+FFFD).  Its output is
 * checked against jansson's parser in the unit tests. */
struct jout {
	struct buf b;
	unsigned char need_comma[64];
	int depth;
};
void jo_obj(struct jout *j);
void jo_end(struct jout *j);		/* closes the innermost object */
void jo_arr(struct jout *j);
void jo_end_arr(struct jout *j);
void jo_key(struct jout *j, const char *key);	/* key: plain ASCII */
void jo_str(struct jout *j, const char *s);	/* NULL writes null */
void jo_int(struct jout *j, long long v);
/* A number already written as JSON (e.g. "0.75" by snprintf "%.4g"). */
void jo_num(struct jout *j, const char *num);
void jo_bool(struct jout *j, int v);
void jo_null(struct jout *j);
void jo_time(struct jout *j, long long t);	/* INT64_MIN writes null */
/* Write the finished line with a newline to f; 0 or -1. */
int jo_line(struct jout *j, FILE *f);
void jo_free(struct jout *j);

#endif
