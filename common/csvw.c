/* csvw.c: CSV through libcsv (see csvw.h). */
#include "csvw.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

static int needs_quotes(const char *s)
{
	return s[0] == ' ' || s[0] == '\t' || strpbrk(s, ",\"\r\n") != NULL ||
	    (*s && (s[strlen(s) - 1] == ' ' || s[strlen(s) - 1] == '\t'));
}

static int row(FILE *f, const char *const *fields, size_t n, const char *eol);

int csvw_row(FILE *f, const char *const *fields, size_t n)
{
	return row(f, fields, n, "\r\n");
}

int csvw_row_lf(FILE *f, const char *const *fields, size_t n)
{
	return row(f, fields, n, "\n");
}

static int row(FILE *f, const char *const *fields, size_t n, const char *eol)
{
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		const char *s = fields[i] ? fields[i] : "";
		if (i > 0 && putc(',', f) == EOF)
			rc = -1;
		if (needs_quotes(s)) {
			if (csv_fwrite(f, s, strlen(s)) != 0)
				rc = -1;
		} else if (fputs(s, f) == EOF)
			rc = -1;
	}
	if (fputs(eol, f) == EOF)
		rc = -1;
	return rc;
}

struct pstate {
	char **f;
	size_t n, cap;
	long line, rowline;
	void (*cb)(void *, char **, size_t, long);
	void *ctx;
};

static void on_field(void *s, size_t len, void *data)
{
	struct pstate *p = data;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->f = xrealloc(p->f, p->cap * sizeof *p->f);
	}
	p->f[p->n++] = xstrndup(s ? s : "", s ? len : 0);
}

static void on_row(int c, void *data)
{
	struct pstate *p = data;
	(void)c;
	p->cb(p->ctx, p->f, p->n, p->rowline);
	for (size_t i = 0; i < p->n; i++)
		free(p->f[i]);
	p->n = 0;
}

long csvw_parse(const char *buf, size_t len,
    void (*cb)(void *ctx, char **fields, size_t n, long line), void *ctx)
{
	struct csv_parser cp;
	struct pstate p = { NULL, 0, 0, 1, 1, cb, ctx };
	long bad = 0;
	if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		die(EX_TEMPFAIL, "out of memory");
	/* feed line by line to know the line of each row */
	size_t i = 0;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - buf) + 1 : len;
		size_t before = p.n;
		(void)before;
		if (csv_parse(&cp, buf + i, e - i, on_field, on_row, &p) != e - i) {
			bad = p.line;
			break;
		}
		p.line++;
		if (p.n == 0)
			p.rowline = p.line;
		i = e;
	}
	if (!bad && csv_fini(&cp, on_field, on_row, &p) != 0)
		bad = p.rowline;
	csv_free(&cp);
	for (size_t k = 0; k < p.n; k++)
		free(p.f[k]);
	free(p.f);
	return bad;
}
