/* agents.c: agents.csv and customers.csv (see agents.h). */
#include "agents.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "csvw.h"
#include "outmsg.h"
#include "util.h"

static const char *const agent_cols[] = { "login", "name", "email", "groups",
	"skills", "languages", "capacity", "status", "calendar" };
static const char *const cust_cols[] = { "email", "name", "tier", "language", "notes" };

int agent_login_valid(const char *s)
{
	size_t n = strlen(s);
	return n && n <= 32 && s[0] != '.' && s[0] != '-' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

int agent_has(const char *list, const char *item)
{
	size_t n = strlen(item);
	for (const char *p = list ? list : ""; *p;) {
		while (*p == ';' || *p == ' ' || *p == ',')
			p++;
		const char *e = p;
		while (*e && *e != ';' && *e != ' ' && *e != ',')
			e++;
		if ((size_t)(e - p) == n && !strncasecmp(p, item, n))
			return 1;
		p = e;
	}
	return 0;
}

void first_name(const char *name, char *out, size_t n)
{
	const char *p = name ? name : "";
	while (*p == ' ')
		p++;
	size_t l = strcspn(p, " ");
	if (l >= n)
		l = n - 1;
	memcpy(out, p, l);
	out[l] = 0;
}

/* Comment lines become empty lines (libcsv skips them; numbers hold). */
static char *strip_comments(const char *text, size_t len, char **comments)
{
	char *t = xstrndup(text, len);
	struct buf c = { 0 };
	int leading = 1;
	for (char *p = t; *p;) {
		char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		if (*p == '#') {
			if (leading) {
				buf_add(&c, p, l);
				buf_addc(&c, '\n');
			}
			memset(p, ' ', l);
		} else if (l > 0)
			leading = 0;
		p += l + (nl != NULL);
	}
	if (comments)
		*comments = c.p ? c.p : xstrdup("");
	else
		buf_free(&c);
	return t;
}

struct pctx {
	const char *file;
	const char *const *cols;
	size_t ncols;
	int faults, header_done;
	void (*report)(const char *, int, const char *);
	void (*row)(struct pctx *, char **, size_t, long);
	void *out;
};

static void fault(struct pctx *p, long line, const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof msg, fmt, arg ? arg : "");
	p->faults++;
	if (p->report)
		p->report(p->file, (int)line, msg);
}

static void on_row(void *ctx, char **f, size_t n, long line)
{
	struct pctx *p = ctx;
	int blank = 1;
	for (size_t i = 0; i < n; i++)
		if (*f[i] && strspn(f[i], " \t\r") != strlen(f[i]))
			blank = 0;
	if (blank)
		return;		/* a comment line */
	if (!p->header_done) {
		p->header_done = 1;
		int bad = n != p->ncols;
		for (size_t i = 0; !bad && i < n; i++)
			bad = strcmp(f[i], p->cols[i]) != 0;
		if (bad) {
			char want[256] = "";
			for (size_t i = 0; i < p->ncols; i++) {
				strcat(want, p->cols[i]);
				if (i + 1 < p->ncols)
					strcat(want, ",");
			}
			fault(p, line, "the header row must be: %s", want);
		}
		return;
	}
	if (n != p->ncols) {
		char b[64];
		snprintf(b, sizeof b, "%zu fields, want %zu", n, p->ncols);
		fault(p, line, "%s", b);
		return;
	}
	p->row(p, f, n, line);
}

static void agent_row(struct pctx *p, char **f, size_t n, long line)
{
	struct agents *a = p->out;
	(void)n;
	if (!agent_login_valid(f[0])) {
		fault(p, line, "login '%s' must be 1-32 of a-z 0-9 . _ -", f[0]);
		return;
	}
	if (agent_find(a, f[0])) {
		fault(p, line, "login '%s' appears twice", f[0]);
		return;
	}
	if (!addr_plain(f[2]))	/* it goes into mail headers as it is */
		fault(p, line, "email '%s' is not an address (local@domain, no blanks)", f[2]);
	long cap = -1;
	if (*f[6]) {
		char *e;
		cap = strtol(f[6], &e, 10);
		if (*e || cap < 0 || cap > 100000) {
			fault(p, line, "capacity '%s' must be a number of tickets (or empty for no limit)", f[6]);
			cap = -1;
		}
	}
	if (strcmp(f[7], "active") && strcmp(f[7], "away") && strcmp(f[7], "inactive"))
		fault(p, line, "status '%s' must be active, away or inactive", f[7]);
	if (f[5][strspn(f[5], "abcdefghijklmnopqrstuvwxyz-; ")])
		fault(p, line, "languages '%s' must be codes like en;pt;ru", f[5]);
	a->v = xrealloc(a->v, (a->n + 1) * sizeof *a->v);
	struct agent *g = &a->v[a->n++];
	g->login = xstrdup(f[0]);
	g->name = xstrdup(f[1]);
	g->email = xstrdup(f[2]);
	g->groups = xstrdup(f[3]);
	g->skills = xstrdup(f[4]);
	g->languages = xstrdup(f[5]);
	g->capacity = cap;
	g->status = xstrdup(f[7]);
	g->calendar = xstrdup(f[8]);
	g->line = (int)line;
}

static int parse(struct pctx *p, const char *text, size_t len, char **comments)
{
	if (!utf8_valid(text, len) && len) {
		fault(p, 1, "%s", "not valid UTF-8 (or holds a NUL byte)");
		return p->faults;
	}
	char *t = strip_comments(text, len, comments);
	long bad = csvw_parse(t, strlen(t), on_row, p);
	free(t);
	if (bad)
		fault(p, bad, "%s", "malformed CSV (a stray or unterminated quote?)");
	if (!p->header_done)
		fault(p, 1, "%s", "no header row");
	return p->faults;
}

int agents_parse(struct agents *a, const char *text, size_t len,
    void (*report)(const char *file, int line, const char *msg))
{
	memset(a, 0, sizeof *a);
	struct pctx p = { "agents.csv", agent_cols, 9, 0, 0, report, agent_row, a };
	return parse(&p, text, len, &a->comments);
}

void agents_load(struct agents *a, const char *text, size_t len)
{
	if (!text) {
		memset(a, 0, sizeof *a);
		return;
	}
	int n = agents_parse(a, text, len, print_fault);
	if (n) {
		fflush(stdout);
		die(EX_CONFIG, "agents.csv: %d problem%s; run 'mdesk check'", n, n == 1 ? "" : "s");
	}
}

void agents_free(struct agents *a)
{
	for (size_t i = 0; i < a->n; i++) {
		struct agent *g = &a->v[i];
		free(g->login); free(g->name); free(g->email); free(g->groups);
		free(g->skills); free(g->languages); free(g->status); free(g->calendar);
	}
	free(a->v);
	free(a->comments);
	memset(a, 0, sizeof *a);
}

struct agent *agent_find(struct agents *a, const char *login)
{
	for (size_t i = 0; login && i < a->n; i++)
		if (!strcmp(a->v[i].login, login))
			return &a->v[i];
	return NULL;
}

char *agents_render(const struct agents *a)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	if (!f)
		die(EX_TEMPFAIL, "out of memory");
	if (a->comments)
		fputs(a->comments, f);
	csvw_row_lf(f, agent_cols, 9);
	for (size_t i = 0; i < a->n; i++) {
		const struct agent *g = &a->v[i];
		char cap[24] = "";
		if (g->capacity >= 0)
			snprintf(cap, sizeof cap, "%ld", g->capacity);
		const char *row[9] = { g->login, g->name, g->email, g->groups, g->skills,
			g->languages, cap, g->status, g->calendar };
		csvw_row_lf(f, row, 9);
	}
	fclose(f);
	return out;
}

static void cust_row(struct pctx *p, char **f, size_t n, long line)
{
	struct customers *c = p->out;
	(void)n;
	if (!*f[0] || strchr(f[0], ' ') || (!strchr(f[0], '@') && !strchr(f[0], '.'))) {
		fault(p, line, "'%s' is neither an address nor a domain", f[0]);
		return;
	}
	if (f[3][strspn(f[3], "abcdefghijklmnopqrstuvwxyz-")])
		fault(p, line, "language '%s' must be a code like pt or pt-br", f[3]);
	c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
	struct customer *r = &c->v[c->n++];
	r->key = xstrdup(f[0]);
	for (char *q = r->key; *q; q++)
		if (*q >= 'A' && *q <= 'Z')
			*q += 'a' - 'A';
	r->name = xstrdup(f[1]);
	r->tier = xstrdup(f[2]);
	r->language = xstrdup(f[3]);
	r->notes = xstrdup(f[4]);
	r->line = (int)line;
}

int customers_parse(struct customers *c, const char *text, size_t len,
    void (*report)(const char *file, int line, const char *msg))
{
	memset(c, 0, sizeof *c);
	struct pctx p = { "customers.csv", cust_cols, 5, 0, 0, report, cust_row, c };
	return parse(&p, text, len, NULL);
}

void customers_free(struct customers *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].key); free(c->v[i].name); free(c->v[i].tier);
		free(c->v[i].language); free(c->v[i].notes);
	}
	free(c->v);
	memset(c, 0, sizeof *c);
}

struct customer *customer_find(struct customers *c, const char *addr)
{
	if (!addr)
		return NULL;
	for (size_t i = 0; i < c->n; i++)
		if (!strcasecmp(c->v[i].key, addr))
			return &c->v[i];
	const char *at = strrchr(addr, '@');
	if (!at)
		return NULL;
	for (size_t i = 0; i < c->n; i++) {
		const char *k = c->v[i].key;
		if (*k == '@')
			k++;
		if (!strchr(k, '@') && !strcasecmp(k, at + 1))
			return &c->v[i];
	}
	return NULL;
}

int agent_is_lead(const struct agent *a, const char *g)
{
	return g && agent_has(a->groups, g) && agent_has(a->skills, "lead") &&
	    (!a->status || strcmp(a->status, "inactive"));
}
