/* subject.c: RFC 5256 base subject (see subject.h). */
#include "subject.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "util.h"

/* Reply and forward prefixes, compared without case for ASCII; the
 * non-ASCII ones are listed in the cases clients use. */
static const char *const prefixes[] = {
	"re", "fw", "fwd", "aw", "wg", "sv", "vs", "res", "enc", "rv", "tr",
	"antw", "odp", "ref", "réf", "rif", "r", "fs", "ynt", "vá", "továbbítás",
	"ответ", "Ответ", "ОТВЕТ", "отв", "Отв", "ОТВ", "пересл", "Пересл",
	"ПЕРЕСЛ", "پاسخ", "ارسال", "هدایت", "回复", "转发", "答复", "返信", "転送",
	NULL
};

static int is_sp(const char *p)
{
	return *p == ' ' || *p == '\t';
}

/* Length of a reply/forward prefix at p (including optional counter,
 * optional blob and the ':'), or 0. */
static size_t refwd(const char *p)
{
	for (int i = 0; prefixes[i]; i++) {
		size_t n = strlen(prefixes[i]);
		if (strncasecmp(p, prefixes[i], n) != 0)
			continue;
		const char *q = p + n;
		if (*q == '[' || *q == '(') {	/* Re[2]: or Re(2): */
			char close = *q == '[' ? ']' : ')';
			const char *e = q + 1;
			while (*e >= '0' && *e <= '9')
				e++;
			if (e > q + 1 && *e == close)
				q = e + 1;
		}
		while (is_sp(q))
			q++;
		if (*q == '[') {	/* subj-blob before the colon */
			const char *e = strchr(q, ']');
			if (e && e[1] == ':')
				q = e + 1;
		}
		if (*q == ':' || !strncmp(q, "\xef\xbc\x9a", 3))	/* ':' or fullwidth */
			return (size_t)(q - p) + (*q == ':' ? 1 : 3);
	}
	return 0;
}

/* Length of a leading "[blob]" followed by more text, or 0. */
static size_t blob(const char *p)
{
	if (*p != '[')
		return 0;
	const char *e = p + 1;
	while (*e && *e != ']' && *e != '[')
		e++;
	if (*e != ']')
		return 0;
	e++;
	while (is_sp(e))
		e++;
	return *e ? (size_t)(e - p) : 0;	/* keep a subject that is only a blob */
}

char *subject_base(const char *s, int *was_reply)
{
	size_t n = strlen(s);
	char *b = xmalloc(n + 1), *o = b;
	int reply = 0;

	/* collapse whitespace */
	for (const char *p = s; *p; p++) {
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			if (o > b && o[-1] != ' ')
				*o++ = ' ';
		} else
			*o++ = *p;
	}
	*o = 0;
	for (;;) {
		int changed = 0;
		/* trailing "(fwd)" and spaces */
		size_t l = strlen(b);
		while (l > 0 && b[l - 1] == ' ')
			b[--l] = 0;
		if (l >= 5 && !strcasecmp(b + l - 5, "(fwd)")) {
			b[l - 5] = 0;
			reply = changed = 1;
			continue;
		}
		/* leading blobs and prefixes */
		char *p = b;
		for (;;) {
			while (is_sp(p))
				p++;
			size_t k = refwd(p);
			if (k) {
				p += k;
				reply = 1;
				continue;
			}
			k = blob(p);
			if (k) {
				p += k;
				continue;
			}
			break;
		}
		if (p != b) {
			memmove(b, p, strlen(p) + 1);
			changed = 1;
		}
		/* "[fwd: ...]" */
		l = strlen(b);
		if (l > 6 && !strncasecmp(b, "[fwd:", 5) && b[l - 1] == ']') {
			b[l - 1] = 0;
			memmove(b, b + 5, l - 5);
			reply = changed = 1;
		}
		if (!changed)
			break;
	}
	size_t l = strlen(b);
	while (l > 0 && b[l - 1] == ' ')
		b[--l] = 0;
	if (was_reply)
		*was_reply = reply;
	return b;
}

int subject_token(const char *s, char *out)
{
	int found = 0;
	for (const char *p = strstr(s, "[#"); p; p = strstr(p + 1, "[#")) {
		const char *q = p + 2;
		size_t n = 0;
		while ((q[n] >= '0' && q[n] <= '9') || (q[n] >= 'A' && q[n] <= 'Z'))
			n++;
		if (n >= 6 && n <= 12 && q[n] == ']') {
			memcpy(out, q, n);
			out[n] = 0;
			found = 1;
		}
	}
	return found;
}

/* Is "[...]" at p (length l) a desk token "[#ID]"? */
static int desk_token(const char *p, size_t l)
{
	if (l < 9 || l > 15 || p[1] != '#')
		return 0;
	for (size_t i = 2; i + 1 < l; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'A' && p[i] <= 'Z')))
			return 0;
	return 1;
}

void subject_drop_tokens(struct buf *b, const char *s)
{
	size_t start = b->len;
	buf_adds(b, "");
	for (const char *p = s; *p; p++) {
		const char *e = *p == '[' ? memchr(p, ']', strnlen(p, 16)) : NULL;
		if (e && desk_token(p, (size_t)(e - p + 1)))
			p = e;
		else if (!is_sp(p) || (b->len > start && b->p[b->len - 1] != ' '))
			buf_addc(b, is_sp(p) ? ' ' : *p);
	}
	while (b->len > start && b->p[b->len - 1] == ' ')
		b->p[--b->len] = 0;
}

char *subject_reply(const char *s, const char *id)
{
	char *base = subject_base(s, NULL);
	struct buf b = { 0 };
	buf_adds(&b, "Re: ");
	subject_drop_tokens(&b, base);
	/* tags of other systems that the base subject dropped (the first 8:
	 * bounded work on a hostile subject) */
	int tags = 0;
	for (const char *p = s; tags < 8 && (p = strchr(p, '[')) != NULL; p++) {
		const char *e = p + 1 + strcspn(p + 1, "[]");
		size_t l = (size_t)(e - p + 1), digits = 0;
		if (*e != ']' || l > 80 || desk_token(p, l))
			continue;
		for (const char *q = p; q < e; q++)
			digits += *q >= '0' && *q <= '9';
		if (!digits)
			continue;
		tags++;
		char *tag = xstrndup(p, l);
		if (!strstr(base, tag) && !strstr(b.p + 4, tag)) {
			if (b.p[b.len - 1] != ' ')
				buf_addc(&b, ' ');
			buf_adds(&b, tag);
		}
		free(tag);
	}
	while (b.len > 4 && b.p[b.len - 1] == ' ')
		b.len--;
	if (b.len > 4)
		buf_addc(&b, ' ');
	buf_adds(&b, "[#");
	buf_adds(&b, id);
	buf_addc(&b, ']');
	free(base);
	return b.p;
}
