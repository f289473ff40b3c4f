/* template.h: reply templates (templates/NAME[.LANG].txt).
 *
 * A template is a header block ("Name: value" lines: Subject, Cc, Bcc,
 * X-Mdesk-Status, X-Mdesk-Tags, X-Mdesk-Priority), a blank line and the
 * body.  Placeholders {{name}} or {{name|default}} are replaced in one
 * pass: a value is copied as it is and never looked at again, so a value
 * that holds "{{...}}" stays literal.  See mdesk-files(5). */
#ifndef MDESK_TEMPLATE_H
#define MDESK_TEMPLATE_H
#include <stddef.h>

struct tpl_header {
	char *name, *value;
	int line;
};

struct template {
	char *file;			/* for messages */
	struct tpl_header *h;
	size_t nh;
	char *body;
	int body_line;			/* line of the body's first line */
};

typedef void (*tpl_report)(void *ctx, const char *file, int line, const char *msg);

/* A tpl_report that prints "prog: file:line: msg" on stderr and counts
 * in *(int *)ctx when ctx is not NULL. */
void tpl_report_stderr(void *ctx, const char *file, int line, const char *msg);

/* The known placeholder names (NULL-terminated). */
extern const char *const tpl_placeholders[];
int tpl_known(const char *name);

/* Parse a template; returns the number of faults, each reported through
 * report (may be NULL): bad UTF-8, unknown headers, unknown placeholders,
 * "{{" without "}}", a bad status or priority. */
int tpl_parse(struct template *t, const char *file, const char *text, size_t len,
    tpl_report report, void *ctx);
void tpl_free(struct template *t);
/* The value of a header of the template (case-insensitive); NULL if none. */
const char *tpl_header(const struct template *t, const char *name);

/* Check the placeholders of text (line numbers from line); returns
 * the number of faults. */
int tpl_check_text(const char *file, int line, const char *text, tpl_report report,
    void *ctx);

/* Can the placeholder's value be empty under some policy (a due time
 * where a policy sets no target)?  In a body, such a placeholder with
 * no value and no default takes its sentence with it (tpl_render). */
int tpl_may_be_empty(const char *name);
/* Each placeholder of text, with whether it has a default and its line
 * (counted from line); the number of them. */
int tpl_each(const char *text, int line, void (*cb)(void *ctx, const char *name,
    int has_default, int line), void *ctx);

/* Replace every placeholder of text.  lookup returns the value of a name
 * (NULL: unknown name, an error).  In {{name|default}} the default is used
 * when the value is empty; a placeholder that may be empty
 * (tpl_may_be_empty) with neither drops its sentence.  With oneline,
 * line breaks and other control
 * characters in values become spaces (for header fields).  Returns a
 * malloc'd string, or NULL with err filled. */
char *tpl_render(const char *text, const char *(*lookup)(void *ctx, const char *name),
    void *ctx, int oneline, char *err, size_t errlen);

/* Wrap text at width columns (characters, not bytes), line by line:
 * lines are broken at blanks only, never inside a URL (a long URL gets
 * a line of its own), continuation lines keep the line's indentation
 * (and a list item's hanging indent); lines starting with '>' are left
 * alone.  A URL at the end of a sentence is put in angle brackets
 * (RFC 3986, appendix C), so that no mail program takes the period for
 * part of it.  Returns malloc'd text. */
char *text_wrap(const char *text, int width);

/* Quote text for a reply: "> " before each line (">" before a line that
 * is already quoted or empty); trailing blank lines dropped. */
char *text_quote(const char *text);

/* Pick templates/NAME.LANG.txt, then NAME.BASE.txt (pt for pt-br), then
 * NAME.txt among files[0..nf), the names in the desk's templates/ (see
 * desk_list); the path relative to the desk into out.  0, or -1 when
 * none exists. */
int tpl_pick(char *const *files, size_t nf, const char *name, const char *lang, char *out,
    size_t n);
/* The language of the text of a template picked by tpl_pick: LANG of
 * "templates/NAME.LANG.txt", else deflang (the desk's language, which
 * NAME.txt is written in), into out (n bytes). */
void tpl_lang(const char *tpath, const char *deflang, char *out, size_t n);

/* A due time for people: in time zone tz, with weekday and month names
 * of lang (en, pt, es, ru; others get English), and the UTC offset:
 * "Tuesday, 3 November 2026, 14:00 (UTC-03:00)". */
void due_format(long long t, const char *tz, const char *lang, char *out, size_t n);

#endif
