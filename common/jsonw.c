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

static inline void sep(struct jout *j)
{
	if (j->depth > 0 && j->depth < 64) {
		if (j->need_comma[j->depth])
			buf_addc(&j->b, ',');
		j->need_comma[j->depth] = 1;
	}
}

static void open_(struct jout *j, int c)
{
	sep(j);
	buf_addc(&j->b, c);
	j->depth++;
	if (j->depth < 64)
		j->need_comma[j->depth] = 0;
}

void jo_obj(struct jout *j) { open_(j, '{'); }
void jo_arr(struct jout *j) { open_(j, '['); }

void jo_end(struct jout *j)
{
	buf_addc(&j->b, '}');
	j->depth--;
}

void jo_end_arr(struct jout *j)
{
	buf_addc(&j->b, ']');
	j->depth--;
}

void jo_key(struct jout *j, const char *key)
{
	size_t n = strlen(key);
	sep(j);
	if (j->b.len + n + 4 > j->b.cap)
		buf_grow(&j->b, n + 3);
	char *o = j->b.p + j->b.len;
	*o++ = '"';
	memcpy(o, key, n);
	o += n;
	*o++ = '"';
	*o++ = ':';
	*o = 0;
	j->b.len += n + 3;
	if (j->depth < 64)
		j->need_comma[j->depth] = 0;	/* the value follows */
}

static inline void value_done(struct jout *j)
{
	if (j->depth > 0 && j->depth < 64)
		j->need_comma[j->depth] = 1;
}

void jo_str(struct jout *j, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	if (!s) {
		jo_null(j);
		return;
	}
	sep(j);
	buf_addc(&j->b, '"');
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p;
	static unsigned char plain[256];	/* bytes copied as they are */
	if (!plain['a'])
		for (int i = 0x20; i < 0x80; i++)
			plain[i] = i != '"' && i != '\\';
	while (*p) {
		unsigned c = *p;
		if (plain[c]) {
			p++;
			while (plain[*p])
				p++;
			continue;
		}
		if (p > run)
			buf_add(&j->b, run, (size_t)(p - run));
		if (c >= 0x80) {
			size_t l = 0;
			/* the length of one valid sequence, else 0; the NUL
			 * at the end is never a continuation byte */
			if (c >= 0xc2 && c < 0xe0)
				l = (p[1] & 0xc0) == 0x80 ? 2 : 0;
			else if (c >= 0xe0 && c < 0xf0)
				l = (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 &&
				    !(c == 0xe0 && p[1] < 0xa0) && !(c == 0xed && p[1] >= 0xa0) ? 3 : 0;
			else if (c >= 0xf0 && c < 0xf5)
				l = (p[1] & 0xc0) == 0x80 && (p[2] & 0xc0) == 0x80 &&
				    (p[3] & 0xc0) == 0x80 && !(c == 0xf0 && p[1] < 0x90) &&
				    !(c == 0xf4 && p[1] >= 0x90) ? 4 : 0;
			if (l) {
				buf_add(&j->b, p, l);
				p += l;
			} else {
				buf_add(&j->b, "\xef\xbf\xbd", 3);
				p++;
			}
		} else {
			char e[7] = { '\\', 0 };
			switch (c) {
			case '"': e[1] = '"'; break;
			case '\\': e[1] = '\\'; break;
			case '\n': e[1] = 'n'; break;
			case '\t': e[1] = 't'; break;
			case '\r': e[1] = 'r'; break;
			default:
				e[1] = 'u'; e[2] = '0'; e[3] = '0';
				e[4] = hex[c >> 4]; e[5] = hex[c & 15];
			}
			buf_add(&j->b, e, e[1] == 'u' ? 6 : 2);
			p++;
		}
		run = p;
	}
	if (p > run)
		buf_add(&j->b, run, (size_t)(p - run));
	buf_addc(&j->b, '"');
	value_done(j);
}

void jo_num(struct jout *j, const char *num)
{
	sep(j);
	buf_adds(&j->b, num);
	value_done(j);
}

void jo_int(struct jout *j, long long v)
{
	char t[24], *e = t + sizeof t, *p = e;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	sep(j);
	buf_add(&j->b, p, (size_t)(e - p));
	value_done(j);
}

void jo_bool(struct jout *j, int v)
{
	sep(j);
	buf_adds(&j->b, v ? "true" : "false");
	value_done(j);
}

void jo_null(struct jout *j)
{
	sep(j);
	buf_add(&j->b, "null", 4);
	value_done(j);
}

void jo_time(struct jout *j, long long t)
{
	char b[32];
	if (t == INT64_MIN) {
		jo_null(j);
		return;
	}
	sep(j);
	b[0] = '"';
	fmt_rfc3339(t, b + 1);	/* 20 bytes, none escaped */
	b[21] = '"';
	buf_add(&j->b, b, 22);
	value_done(j);
}

int jo_line(struct jout *j, FILE *f)
{
	buf_addc(&j->b, '\n');
	int rc = fwrite(j->b.p, 1, j->b.len, f) == j->b.len ? 0 : -1;
	j->b.len = 0;
	j->depth = 0;
	return rc;
}

void jo_free(struct jout *j)
{
	buf_free(&j->b);
}
