/* msgid.c: Message-ID parsing (see msgid.h). */
#include "msgid.h"

#include <string.h>
#include <strings.h>
#include "util.h"

static int need_at = 1;

/* An id that names no one message: its part before '@' (the whole id
 * when it has none) is a word programs write when the unique part is
 * missing ("<null@localhost>", "<undefined>", git send-email's "<yes>"),
 * or only zeros.  Such an id is the same in many unrelated messages:
 * it joins nothing, and a message that carries it as its Message-ID is
 * known by its hash as one without (mthread and mroute alike). */
static int placeholder(const char *id, size_t len)
{
	static const char *const words[] = { "null", "(null)", "nil", "none", "undefined",
		"unknown", "unset", "empty", "yes", "no", "true", "false", "msgid", "message-id",
		"messageid", "id", "test" };
	const char *at = memchr(id, '@', len);
	size_t n = at ? (size_t)(at - id) : len, z = 0;
	while (z < n && id[z] == '0')
		z++;
	if (n && z == n)
		return 1;
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strlen(words[i]) == n && !strncasecmp(id, words[i], n))
			return 1;
	return 0;
}

static int id_ok(const char *id, size_t len)
{
	if (len == 0 || len > MSGID_MAX || placeholder(id, len))
		return 0;
	if (need_at && (id[0] == '@' || id[len - 1] == '@'))
		return 0;
	int at = 0, high = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];
		if (c <= 0x20 || c == 0x7f || c == '<' || c == '>')
			return 0;
		at |= c == '@';
		high |= c >= 0x80;
	}
	if (need_at && !at)
		return 0;
	return !high || utf8_valid(id, len);
}

/* Skip an RFC 5322 comment starting at s[i] == '('; nested, with quoted
 * pairs.  Returns the index after it. */
static size_t skip_comment(const char *s, size_t n, size_t i)
{
	int depth = 0;
	for (; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return n;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t msgid_each(const char *s, size_t n,
    void (*cb)(void *ctx, const char *id, size_t len), void *ctx)
{
	char id[MSGID_MAX + 1];
	size_t count = 0, i = 0;

	if (!memchr(s, '<', n)) {	/* a bare id */
		size_t a = 0, b = n;
		while (a < b && is_ws(s[a]))
			a++;
		while (b > a && is_ws(s[b - 1]))
			b--;
		if (id_ok(s + a, b - a)) {
			cb(ctx, s + a, b - a);
			count++;
		}
		return count;
	}
	while (i < n) {
		if (s[i] == '(') {
			i = skip_comment(s, n, i);
			continue;
		}
		if (s[i] == '"') {	/* a quoted string (phrase): skip */
			for (i++; i < n && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			i++;
			continue;
		}
		if (s[i] != '<') {
			i++;
			continue;
		}
		size_t len = 0, j = i + 1;
		int bad = 0;
		for (; j < n && s[j] != '>' && s[j] != '<'; j++) {
			if (is_ws(s[j]))
				continue;
			if (s[j] == '(') {	/* a comment inside: skip */
				j = skip_comment(s, n, j) - 1;
				continue;
			}
			if (len < MSGID_MAX)
				id[len++] = s[j];
			else
				bad = 1;
		}
		if (j < n && s[j] == '>') {
			if (!bad && id_ok(id, len)) {
				cb(ctx, id, len);
				count++;
			}
			i = j + 1;
		} else
			i = j;	/* unterminated: resume at the next '<' */
	}
	return count;
}

size_t msgid_strict(const char *s, size_t n, char *out)
{
	/* one "<id>" and nothing else but white space and comments */
	size_t i = 0, len = 0;
	int ids = 0;
	while (i < n) {
		if (is_ws(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '(') {
			i = skip_comment(s, n, i);
			continue;
		}
		if (s[i] != '<' || ids++) {
			out[0] = 0;
			return 0;
		}
		size_t j = i + 1;
		while (j < n && s[j] != '>') {
			if (is_ws(s[j]) || s[j] == '<') {
				out[0] = 0;
				return 0;
			}
			j++;
		}
		len = j - i - 1;
		if (j >= n || !id_ok(s + i + 1, len)) {
			out[0] = 0;
			return 0;
		}
		memcpy(out, s + i + 1, len);
		out[len] = 0;
		i = j + 1;
	}
	if (ids != 1)
		out[0] = 0;
	return ids == 1 ? len : 0;
}

struct first {
	char *out;
	size_t len;
};

static void take_first(void *ctx, const char *id, size_t len)
{
	struct first *f = ctx;
	if (f->len == 0) {
		memcpy(f->out, id, len);
		f->out[len] = 0;
		f->len = len;
	}
}

size_t msgid_first(const char *s, size_t n, char *out)
{
	struct first f = { out, 0 };
	msgid_each(s, n, take_first, &f);
	return f.len;
}

static void take_last(void *ctx, const char *id, size_t len)
{
	struct first *f = ctx;
	memcpy(f->out, id, len);
	f->out[len] = 0;
	f->len = len;
}

size_t msgid_last(const char *s, size_t n, char *out)
{
	struct first f = { out, 0 };
	out[0] = 0;
	msgid_each(s, n, take_last, &f);
	return f.len;
}

size_t msgid_self(const char *s, size_t n, char *out)
{
	need_at = 0;
	size_t r = msgid_first(s, n, out);
	need_at = 1;
	return r;
}
