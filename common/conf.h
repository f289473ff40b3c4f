/* conf.h: the desk's configuration files (INI-like, with line numbers).
 *
 *   # comment
 *   key = value            (top-level)
 *   [section name]         (e.g. [queue support], [policy urgent])
 *   key = value
 *
 * Keys are [a-z0-9_.-]; values run to the end of the line, trimmed; a
 * value may be "quoted" to keep spaces or a '#'.  Anything else is an
 * error with its line number. */
#ifndef MDESK_CONF_H
#define MDESK_CONF_H
#include <stddef.h>

struct conf_entry {
	const char *section;	/* "" for top level */
	const char *name;	/* the section's name ("" if none) */
	const char *key, *value;
	int line;
	int used;		/* set by conf_get: unused keys are reported */
};

struct conf {
	char *file;		/* for messages */
	struct conf_entry *e;
	size_t n, cap;
	char *text;		/* storage */
	struct conf_sec {
		const char *section, *name;
		int line;
	} *secs;
	size_t nsecs;
};

/* Parse text; on a syntax error returns its line number and sets *err
 * (static text).  0 on success. */
int conf_parse(struct conf *c, const char *file, const char *text, size_t len,
    const char **err);
void conf_free(struct conf *c);
/* Value of key in [section name] (section "" = top level); NULL if unset. */
const char *conf_get(struct conf *c, const char *section, const char *name,
    const char *key);
/* The same, def when unset or empty. */
const char *conf_or(struct conf *c, const char *section, const char *name, const char *key,
    const char *def);
int conf_line(const struct conf *c, const char *section, const char *name,
    const char *key);

/* Helpers for values. */
int conf_bool(const char *v, int *out);		/* yes/no/true/false/on/off/1/0 */
/* Durations: "90s", "30m", "4h", "2d", "1w", combined "1h30m"; seconds. */
int conf_duration(const char *v, long long *out);
/* A rate "COUNT/DURATION" (3/1d: three a day): 0 with *count >= 0 and
 * *secs > 0, or -1. */
int conf_rate(const char *v, long *count, long long *secs);
/* Sizes: a number of bytes, or of K, M or G (1024, 1024^2, 1024^3). */
int conf_size(const char *v, unsigned long long *out);
/* The largest message a desk takes whole (desk.conf message_max, default
 * 64M, at least 1M): mail above it is stored truncated and tagged, never
 * refused.  A value that is not a size exits EX_CONFIG. */
#define CONF_MESSAGE_MAX_DEFAULT ((size_t)64 << 20)
#define CONF_MESSAGE_MAX_LEAST ((size_t)1 << 20)
size_t conf_message_max(struct conf *c);

#endif
