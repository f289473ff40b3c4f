/* conf.c: INI-like configuration files (see conf.h). */
#include "conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "util.h"

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

/* A section name or key: lower-case letters, digits, '_', '-' or '.'. */
static int is_key(const char *s)
{
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-.") == strlen(s);
}

int conf_parse(struct conf *c, const char *file, const char *text, size_t len,
    const char **err)
{
	memset(c, 0, sizeof *c);
	c->file = xstrdup(file);
	c->text = xstrndup(text, len);
	if (memchr(text, 0, len)) {
		*err = "NUL byte in the file";
		return 1;
	}
	if (!utf8_valid(c->text, strlen(c->text))) {
		*err = "not valid UTF-8";
		return 1;
	}
	const char *section = "", *name = "";
	char *p = c->text;
	int line = 0;
	while (*p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		line++;
		char *s = trim(p);
		p = nl ? nl + 1 : p + strlen(p);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']');
			if (!e || *trim(e + 1)) {
				*err = "a section header must be [section] or [section name]";
				return line;
			}
			*e = 0;
			s = trim(s + 1);
			char *sp = strpbrk(s, " \t");
			if (sp) {
				*sp = 0;
				name = trim(sp + 1);
			} else
				name = "";
			section = s;
			if (!is_key(section)) {
				*err = "a section name is lower-case letters, digits, '_', '-' or '.'";
				return line;
			}
			if (!*section) {
				*err = "empty section name";
				return line;
			}
			c->secs = xrealloc(c->secs, (c->nsecs + 1) * sizeof *c->secs);
			c->secs[c->nsecs++] = (struct conf_sec){ section, name, line };
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq) {
			*err = "expected 'key = value'";
			return line;
		}
		*eq = 0;
		char *key = trim(s), *val = trim(eq + 1);
		if (!*key) {
			*err = "empty key";
			return line;
		}
		if (!is_key(key)) {
			*err = "a key is lower-case letters, digits, '_', '-' or '.'";
			return line;
		}
		if (*val == '"') {
			char *e = strrchr(val + 1, '"');
			if (!e || (*trim(e + 1) && *trim(e + 1) != '#')) {
				*err = "unterminated quoted value";
				return line;
			}
			*e = 0;
			val++;
		} else {
			char *h = strstr(val, " #");
			if (!h)
				h = strstr(val, "\t#");
			if (h) {
				*h = 0;
				val = trim(val);
			}
		}
		for (size_t i = 0; i < c->n; i++)
			if (!strcmp(c->e[i].section, section) && !strcmp(c->e[i].name, name) &&
			    !strcmp(c->e[i].key, key)) {
				*err = "key set twice in the same section";
				return line;
			}
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 32;
			c->e = xrealloc(c->e, c->cap * sizeof *c->e);
		}
		c->e[c->n++] = (struct conf_entry){ section, name, key, val, line, 0 };
	}
	return 0;
}

void conf_free(struct conf *c)
{
	free(c->file);
	free(c->e);
	free(c->text);
	free(c->secs);
	memset(c, 0, sizeof *c);
}

static struct conf_entry *find(struct conf *c, const char *section,
    const char *name, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->e[i].section, section) && !strcmp(c->e[i].name, name ? name : "") &&
		    !strcmp(c->e[i].key, key))
			return &c->e[i];
	return NULL;
}

const char *conf_get(struct conf *c, const char *section, const char *name,
    const char *key)
{
	struct conf_entry *e = find(c, section, name, key);
	if (!e)
		return NULL;
	e->used = 1;
	return e->value;
}

const char *conf_or(struct conf *c, const char *section, const char *name, const char *key,
    const char *def)
{
	const char *v = conf_get(c, section, name, key);
	return v && *v ? v : def;
}

int conf_line(const struct conf *c, const char *section, const char *name,
    const char *key)
{
	struct conf_entry *e = find((struct conf *)c, section, name, key);
	if (e)
		return e->line;
	for (size_t i = 0; i < c->nsecs; i++)
		if (!strcmp(c->secs[i].section, section) && !strcmp(c->secs[i].name, name ? name : ""))
			return c->secs[i].line;
	return 0;
}

int conf_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (int i = 0; i < 4; i++)
		if (!strcasecmp(v, yes[i]) || !strcasecmp(v, no[i])) {
			*out = !strcasecmp(v, yes[i]);
			return 0;
		}
	return -1;
}

int conf_duration(const char *v, long long *out)
{
	long long total = 0;
	const char *p = v;
	if (!*p)
		return -1;
	if (!strcmp(p, "0")) {	/* off */
		*out = 0;
		return 0;
	}
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -1;
		long long n = 0;
		while (isdigit((unsigned char)*p)) {
			n = n * 10 + (*p++ - '0');
			if (n > 100000000LL)
				return -1;
		}
		long long unit;
		switch (*p) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		default: return -1;
		}
		p++;
		total += n * unit;
	}
	*out = total;
	return 0;
}

int conf_size(const char *v, unsigned long long *out)
{
	unsigned long long n = 0;
	const char *p = v;
	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		n = n * 10 + (unsigned long long)(*p++ - '0');
		if (n > (1ULL << 40))
			return -1;
	}
	int shift = 0;
	switch (*p) {
	case 0: break;
	case 'K': case 'k': shift = 10; p++; break;
	case 'M': shift = 20; p++; break;
	case 'G': shift = 30; p++; break;
	default: return -1;
	}
	if (*p || (n << shift) >> shift != n || (n << shift) > (1ULL << 40))
		return -1;
	*out = n << shift;
	return 0;
}

size_t conf_message_max(struct conf *c)
{
	const char *v = conf_get(c, "", "", "message_max");
	unsigned long long n;
	if (!v)
		return CONF_MESSAGE_MAX_DEFAULT;
	if (conf_size(v, &n) != 0 || n < CONF_MESSAGE_MAX_LEAST)
		die(EX_CONFIG, "desk.conf:%d: message_max: '%s' is not a size of 1M or more (like 64M)",
		    conf_line(c, "", "", "message_max"), v);
	return (size_t)n;
}

int conf_rate(const char *v, long *count, long long *secs)
{
	const char *slash = strchr(v, '/');
	char *end;
	if (!slash || slash == v || !isdigit((unsigned char)*v))
		return -1;
	errno = 0;
	long n = strtol(v, &end, 10);
	long long w;
	if (errno || end != slash || n < 0 || conf_duration(slash + 1, &w) != 0 || w <= 0)
		return -1;
	*count = n;
	*secs = w;
	return 0;
}
