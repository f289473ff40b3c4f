/* template.c: reply templates, placeholders, wrapping and quoting (see
 * template.h). */
#include "template.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "event.h"
#include "util.h"

const char *const tpl_placeholders[] = { "customer.name", "customer.first_name",
	"customer.email", "agent.name", "agent.first_name", "agent.email",
	"agent.signature", "ticket.id", "ticket.subject", "ticket.status",
	"ticket.priority", "queue.name", "queue.address", "desk.name",
	"sla.first_reply.due", "sla.next_reply.due", "sla.resolution.due", "reply.text", NULL };

static const char *const tpl_headers[] = { "Subject", "Cc", "Bcc", "X-Mdesk-Status",
	"X-Mdesk-Tags", "X-Mdesk-Priority", NULL };

int tpl_known(const char *name)
{
	return word_index(tpl_placeholders, name) >= 0;
}

__attribute__((format(printf, 6, 7)))
static void fault(int *n, tpl_report report, void *ctx, const char *file, int line,
    const char *fmt, ...)
{
	char m[300];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	(*n)++;
	if (report)
		report(ctx, file, line, m);
}

/* s..e without blanks at either end into out. */
static void trimmed(const char *s, const char *e, char *out, size_t n)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	snprintf(out, n, "%.*s", (int)(e - s), s);
}

/* One placeholder "{{ name | default }}" at p (p points at "{{"); the
 * name and the default, trimmed, into the buffers; returns the length of
 * the whole placeholder, 0 when "}}" is missing on this line. */
static size_t placeholder(const char *p, char *name, size_t nn, char *def, size_t dn,
    int *has_def)
{
	const char *q = p + 2, *end = NULL;
	for (const char *s = q; *s && *s != '\n'; s++)
		if (s[0] == '}' && s[1] == '}') {
			end = s;
			break;
		}
	if (!end)
		return 0;
	const char *bar = memchr(q, '|', (size_t)(end - q));
	trimmed(q, bar ? bar : end, name, nn);
	trimmed(bar ? bar + 1 : end, end, def, dn);
	*has_def = bar != NULL;
	return (size_t)(end + 2 - p);
}

int tpl_check_text(const char *file, int line, const char *text, tpl_report report,
    void *ctx)
{
	int n = 0;
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			line++;
			continue;
		}
		if (p[0] != '{' || p[1] != '{')
			continue;
		char name[128], def[256];
		int hd;
		size_t l = placeholder(p, name, sizeof name, def, sizeof def, &hd);
		if (!l) {
			fault(&n, report, ctx, file, line, "'{{' without '}}' on the same line");
			p++;
			continue;
		}
		if (!tpl_known(name))
			fault(&n, report, ctx, file, line, "unknown placeholder {{%s}}", name);
		p += l - 1;
	}
	return n;
}

int tpl_parse(struct template *t, const char *file, const char *text, size_t len,
    tpl_report report, void *ctx)
{
	int n = 0;
	memset(t, 0, sizeof *t);
	t->file = xstrdup(file);
	if (!utf8_valid(text, len) || memchr(text, 0, len)) {
		fault(&n, report, ctx, file, 1, "not valid UTF-8 text");
		t->body = xstrdup("");
		return n;
	}
	char *s = xstrndup(text, len);
	/* CRLF line ends are taken as LF */
	char *w = s;
	for (char *r = s; *r; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r;
	*w = 0;
	int line = 1;
	char *p = s;
	size_t cap = 0;
	while (*p) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		if (!*p) {		/* the blank line: the body follows */
			p = nl ? nl + 1 : p;
			line++;
			break;
		}
		if ((*p == ' ' || *p == '\t') && t->nh) {	/* a folded value */
			struct tpl_header *h = &t->h[t->nh - 1];
			char *v = xmalloc(strlen(h->value) + strlen(p) + 2);
			char *q = p;
			while (*q == ' ' || *q == '\t')
				q++;
			sprintf(v, "%s %s", h->value, q);
			free(h->value);
			h->value = v;
		} else {
			char *c = strchr(p, ':');
			int known = -1;
			for (int k = 0; c && tpl_headers[k]; k++)
				if ((size_t)(c - p) == strlen(tpl_headers[k]) &&
				    !strncasecmp(p, tpl_headers[k], strlen(tpl_headers[k])))
					known = k;
			if (known < 0)
				fault(&n, report, ctx, file, line, "header '%.40s' is not one of "
				    "Subject, Cc, Bcc, X-Mdesk-Status, X-Mdesk-Tags, X-Mdesk-Priority "
				    "(a blank line ends the header)", p);
			else {
				char *v = c + 1;
				while (*v == ' ' || *v == '\t')
					v++;
				char *e = v + strlen(v);
				while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
					*--e = 0;
				if (t->nh == cap) {
					cap = cap ? cap * 2 : 8;
					t->h = xrealloc(t->h, cap * sizeof *t->h);
				}
				t->h[t->nh].name = xstrdup(tpl_headers[known]);
				t->h[t->nh].value = xstrdup(v);
				t->h[t->nh].line = line;
				t->nh++;
			}
		}
		line++;
		if (!nl) {
			p += strlen(p);
			break;
		}
		p = nl + 1;
	}
	t->body_line = line;
	t->body = xstrdup(p);
	free(s);
	/* the values */
	for (size_t i = 0; i < t->nh; i++) {
		struct tpl_header *h = &t->h[i];
		n += tpl_check_text(file, h->line, h->value, report, ctx);
		if (!strcmp(h->name, "X-Mdesk-Status") && !status_valid(h->value))
			fault(&n, report, ctx, file, h->line, "status '%.40s' is not one of %s",
			    h->value, STATUS_LIST);
		if (!strcmp(h->name, "X-Mdesk-Priority") && !priority_valid(h->value))
			fault(&n, report, ctx, file, h->line, "priority '%.40s' is not one of %s",
			    h->value, PRIORITY_LIST);
		for (size_t j = 0; j < i; j++)
			if (!strcmp(t->h[j].name, h->name))
				fault(&n, report, ctx, file, h->line, "%s given twice", h->name);
	}
	n += tpl_check_text(file, t->body_line, t->body, report, ctx);
	return n;
}

void tpl_free(struct template *t)
{
	for (size_t i = 0; i < t->nh; i++) {
		free(t->h[i].name);
		free(t->h[i].value);
	}
	free(t->h);
	free(t->body);
	free(t->file);
	memset(t, 0, sizeof *t);
}

const char *tpl_header(const struct template *t, const char *name)
{
	for (size_t i = 0; i < t->nh; i++)
		if (!strcasecmp(t->h[i].name, name))
			return t->h[i].value;
	return NULL;
}

/* Append a value: once, as it is; for headers every control character
 * (line breaks above all) becomes a space. */
static void add_value(struct buf *b, const char *v, int oneline)
{
	if (!oneline) {
		buf_adds(b, v);
		return;
	}
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		buf_addc(b, *p < 0x20 || *p == 0x7f ? ' ' : *p);
}

int tpl_may_be_empty(const char *name)
{
	size_t n = strlen(name);
	return n > 8 && !strncmp(name, "sla.", 4) && !strcmp(name + n - 4, ".due");
}

/* A placeholder with nothing to say: its sentence goes, from after the
 * end of the sentence before it (or the paragraph's start) in out to
 * its own end in the text at p; the blanks around it go too, and the
 * whole paragraph when it was the only sentence.  A "sentence" over more
 * than three lines is no sentence (a list of fields): then nothing goes
 * and NULL is returned.  Where the text goes on. */
static const char *drop_sentence(struct buf *out, const char *p, int *line)
{
	size_t i = out->len;
	int lines = 0;
	while (i > 0) {
		char c = out->p[i - 1];
		if (c == '\n' && i >= 2 && out->p[i - 2] == '\n')
			break;
		if ((c == ' ' || c == '\n') && i >= 2 && strchr(".!?:", out->p[i - 2]))
			break;
		lines += c == '\n';
		i--;
	}
	const char *q = p;
	int ended = 0;
	while (*q && !(q[0] == '\n' && q[1] == '\n')) {
		if (strchr(".!?", *q) && (q[1] == ' ' || q[1] == '\n' || !q[1])) {
			q++;
			ended = 1;
			break;
		}
		lines += *q == '\n';
		q++;
	}
	if (lines > 2 || (!ended && q == p))
		return NULL;
	for (const char *c = p; c < q; c++)
		*line += *c == '\n';
	p = q;
	out->len = i;
	out->p[i] = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	int para = !i || (i >= 2 && out->p[i - 1] == '\n' && out->p[i - 2] == '\n');
	if (para)
		while (*p == '\n')
			*line += 1, p++;
	else if (i && out->p[i - 1] == '\n' && *p == '\n')
		*line += 1, p++;
	else if (i && out->p[i - 1] == ' ' && *p == '\n')
		out->p[--out->len] = 0;	/* the line ends where the sentence went */
	return p;
}

int tpl_each(const char *text, int line, void (*cb)(void *ctx, const char *name,
    int has_default, int line), void *ctx)
{
	int n = 0;
	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			line++;
			continue;
		}
		char name[128], def[256];
		int hd;
		size_t l = p[0] == '{' && p[1] == '{' ?
		    placeholder(p, name, sizeof name, def, sizeof def, &hd) : 0;
		if (!l)
			continue;
		cb(ctx, name, hd, line);
		n++;
		p += l - 1;
	}
	return n;
}

char *tpl_render(const char *text, const char *(*lookup)(void *ctx, const char *name),
    void *ctx, int oneline, char *err, size_t errlen)
{
	struct buf b = { 0 };
	buf_adds(&b, "");
	int line = 1;
	for (const char *p = text; *p;) {
		if (p[0] != '{' || p[1] != '{') {
			line += *p == '\n';
			buf_addc(&b, *p++);
			continue;
		}
		char name[128], def[256];
		int hd;
		size_t l = placeholder(p, name, sizeof name, def, sizeof def, &hd);
		const char *v = l ? lookup(ctx, name) : NULL;
		if (!l || !v) {
			if (!l)
				snprintf(err, errlen, "line %d: '{{' without '}}' on the same line", line);
			else
				snprintf(err, errlen, "line %d: unknown placeholder {{%s}}", line, name);
			buf_free(&b);
			return NULL;
		}
		p += l;
		const char *next;
		if (!*v && !hd && !oneline && tpl_may_be_empty(name) &&
		    (next = drop_sentence(&b, p, &line))) {
			p = next;
			continue;
		}
		add_value(&b, *v || !hd ? v : def, oneline);
	}
	return b.p;
}

/* --- wrapping --- */

static size_t cols(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

static int is_url(const char *w, size_t n)
{
	for (size_t i = 0; i + 3 <= n; i++)
		if (!memcmp(w + i, "://", 3))
			return 1;
	return (n > 4 && !strncasecmp(w, "www.", 4)) || (n > 7 && !strncasecmp(w, "mailto:", 7));
}

/* A URL at the end of a sentence ("https://x/y." ) becomes "<https://x/y>.". */
static void bracket_urls(struct buf *out, const char *line, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (line[i] == ' ' || line[i] == '\t') {
			buf_addc(out, line[i++]);
			continue;
		}
		size_t s = i;
		while (i < n && line[i] != ' ' && line[i] != '\t')
			i++;
		const char *w = line + s;
		size_t wl = i - s, k = wl;
		while (k > 0 && strchr(".,;:!?", w[k - 1]))
			k--;
		if (k < wl && k > 0 && w[0] != '<' && w[0] != '(' && is_url(w, k) &&
		    w[k - 1] != '>') {
			buf_addc(out, '<');
			buf_add(out, w, k);
			buf_addc(out, '>');
			buf_add(out, w + k, wl - k);
		} else
			buf_add(out, w, wl);
	}
}

/* The indentation of continuation lines: the line's own, plus a list
 * marker's width ("1. ", "- ", "* "). */
static size_t hang(const char *l, size_t n)
{
	size_t i = 0;
	while (i < n && l[i] == ' ')
		i++;
	size_t j = i;
	while (j < n && isdigit((unsigned char)l[j]))
		j++;
	if (j > i && j < n && (l[j] == '.' || l[j] == ')'))
		j++;
	else if (j == i && j < n && (l[j] == '-' || l[j] == '*'))
		j++;
	else
		return i;
	if (j < n && l[j] == ' ') {
		while (j < n && l[j] == ' ')
			j++;
		return j;
	}
	return i;
}

static void wrap_line(struct buf *out, const char *l, size_t n, int width)
{
	while (n && (l[n - 1] == ' ' || l[n - 1] == '\t' || l[n - 1] == '\r'))
		n--;
	if (n == 0 || l[0] == '>' || cols(l, n) <= (size_t)width) {
		buf_add(out, l, n);
		buf_addc(out, '\n');
		return;
	}
	size_t ind = 0;
	while (ind < n && l[ind] == ' ')
		ind++;
	size_t hg = hang(l, n);
	if (hg > (size_t)width / 2)
		hg = ind;
	size_t i = ind, cur = ind;
	int words = 0;
	buf_add(out, l, ind);
	while (i < n) {
		size_t sp = i;
		while (i < n && (l[i] == ' ' || l[i] == '\t'))
			i++;
		size_t ws = i;
		while (i < n && l[i] != ' ' && l[i] != '\t')
			i++;
		size_t wc = cols(l + ws, i - ws), sc = ws - sp;
		/* a list marker belongs to its first word */
		if (words == 0 || cur + sc + wc <= (size_t)width ||
		    (words == 1 && hg > ind && ws < hg)) {
			buf_add(out, l + sp, ws - sp);
			buf_add(out, l + ws, i - ws);
			cur += sc + wc;
		} else {
			buf_addc(out, '\n');
			for (size_t k = 0; k < hg; k++)
				buf_addc(out, ' ');
			buf_add(out, l + ws, i - ws);
			cur = hg + wc;
		}
		words++;
	}
	buf_addc(out, '\n');
}

/* Does line (n bytes) go on the paragraph of the line before it? */
static int continues(const char *l, size_t n, size_t ind)
{
	size_t i = 0;
	while (i < n && l[i] == ' ')
		i++;
	return i < n && i == ind && l[0] != '>' && hang(l, n) == ind;
}

char *text_wrap(const char *text, int width)
{
	struct buf out = { 0 }, tmp = { 0 }, one = { 0 }, carry = { 0 };
	buf_adds(&out, "");
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		tmp.len = 0;
		buf_adds(&tmp, "");
		size_t ind = 0;
		while (ind < n && p[ind] == ' ')
			ind++;
		if (carry.len) {	/* the words that overflowed the line before */
			buf_add(&tmp, p, ind);
			buf_add(&tmp, carry.p, carry.len);
			buf_addc(&tmp, ' ');
			p += ind, n -= ind;
			carry.len = 0;
		}
		if (p[0] == '>')
			buf_add(&tmp, p, n);
		else
			bracket_urls(&tmp, p, n);
		one.len = 0;
		buf_adds(&one, "");
		wrap_line(&one, tmp.p, tmp.len, width);
		/* a wrapped line's last piece flows into the next line of its
		 * paragraph (not after a line ending in ':') */
		const char *next = nl ? nl + 1 : NULL;
		size_t nn = next ? strcspn(next, "\n") : 0;
		char *last = NULL;
		for (size_t k = one.len > 1 ? one.len - 1 : 0; k-- > 0;)
			if (one.p[k] == '\n') {
				last = one.p + k;
				break;
			}
		size_t lind = 0;
		while (lind < tmp.len && tmp.p[lind] == ' ')
			lind++;
		if (last && next && continues(next, nn, lind) && tmp.p[tmp.len - 1] != ':') {
			const char *w = last + 1;
			while (*w == ' ')
				w++;
			buf_add(&carry, w, (size_t)(one.p + one.len - 1 - w));
			one.len = (size_t)(last + 1 - one.p);
		}
		buf_add(&out, one.p, one.len);
		if (!nl)
			break;
		p = nl + 1;
	}
	/* no newline added where the text had none */
	if (*text && text[strlen(text) - 1] != '\n' && out.len)
		out.p[--out.len] = 0;
	buf_free(&tmp);
	buf_free(&one);
	buf_free(&carry);
	return out.p;
}

char *text_quote(const char *text)
{
	struct buf out = { 0 };
	buf_adds(&out, "");
	size_t keep = 0;	/* length up to the last non-blank line */
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
			n--;
		if (n == 0)
			buf_adds(&out, ">\n");
		else {
			buf_adds(&out, p[0] == '>' ? ">" : "> ");
			buf_add(&out, p, n);
			buf_addc(&out, '\n');
			keep = out.len;
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	out.len = keep;
	out.p[keep] = 0;
	return out.p;
}

/* --- picking a language variant --- */

static int safe_part(const char *s, const char *extra)
{
	if (!s || !*s || *s == '.' || strlen(s) > 100)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr(extra, *s))
			return 0;
	return 1;
}

int tpl_pick(char *const *files, size_t nf, const char *name, const char *lang, char *out,
    size_t n)
{
	char l[32] = "";
	if (!safe_part(name, "-_."))
		return -1;
	if (lang && safe_part(lang, "-_")) {
		snprintf(l, sizeof l, "%s", lang);
		for (char *c = l; *c; c++)
			*c = *c == '_' ? '-' : (char)tolower((unsigned char)*c);
	}
	for (int k = 0; k < 3; k++) {
		char cand[300];
		if (k == 0 && *l)
			snprintf(cand, sizeof cand, "templates/%s.%s.txt", name, l);
		else if (k == 1 && strchr(l, '-'))
			snprintf(cand, sizeof cand, "templates/%s.%.*s.txt", name,
			    (int)strcspn(l, "-"), l);
		else if (k == 2)
			snprintf(cand, sizeof cand, "templates/%s.txt", name);
		else
			continue;
		for (size_t i = 0; i < nf; i++)
			if (!strcmp(files[i], cand + strlen("templates/"))) {
				snprintf(out, n, "%s", cand);
				return 0;
			}
	}
	return -1;
}

void tpl_lang(const char *tpath, const char *deflang, char *out, size_t n)
{
	const char *b = strrchr(tpath, '/'), *d1, *d2;
	b = b ? b + 1 : tpath;
	d2 = strrchr(b, '.');
	for (d1 = d2; d1 && d1 > b && d1[-1] != '.'; d1--)
		;
	if (d2 && d1 && d1 > b && d2 > d1)
		snprintf(out, n, "%.*s", (int)(d2 - d1), d1);
	else
		snprintf(out, n, "%s", deflang ? deflang : "");
}

/* --- due times for people --- */

struct names {
	const char *lang;
	const char *day[7], *month[12];
	const char *fmt;	/* %W weekday, %D day, %M month, %Y year, %T time, %Z offset */
};

static const struct names NAMES[] = {
	{ "en", { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" },
	  { "January", "February", "March", "April", "May", "June", "July", "August",
	    "September", "October", "November", "December" }, "%W, %D %M %Y, %T (UTC%Z)" },
	{ "pt", { "domingo", "segunda-feira", "terça-feira", "quarta-feira", "quinta-feira",
	    "sexta-feira", "sábado" },
	  { "janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto",
	    "setembro", "outubro", "novembro", "dezembro" }, "%W, %D de %M de %Y, às %T (UTC%Z)" },
	{ "es", { "domingo", "lunes", "martes", "miércoles", "jueves", "viernes", "sábado" },
	  { "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
	    "septiembre", "octubre", "noviembre", "diciembre" }, "%W, %D de %M de %Y, a las %T (UTC%Z)" },
	{ "ru", { "воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница",
	    "суббота" },
	  { "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа",
	    "сентября", "октября", "ноября", "декабря" }, "%W, %D %M %Y г., %T (UTC%Z)" },
};

void due_format(long long t, const char *tz, const char *lang, char *out, size_t n)
{
	const struct names *nm = &NAMES[0];
	for (size_t i = 0; lang && i < sizeof NAMES / sizeof NAMES[0]; i++)
		if (!strncasecmp(lang, NAMES[i].lang, 2) && (!lang[2] || lang[2] == '-' ||
		    lang[2] == '_'))
			nm = &NAMES[i];
	const char *old = getenv("TZ");
	char *saved = old ? xstrdup(old) : NULL;
	setenv("TZ", tz && *tz ? tz : "UTC", 1);
	tzset();
	time_t tt = (time_t)t;
	struct tm tm;
	localtime_r(&tt, &tm);
	char off[16];
	strftime(off, sizeof off, "%z", &tm);	/* +hhmm */
	if (saved) {
		setenv("TZ", saved, 1);
		free(saved);
	} else
		unsetenv("TZ");
	tzset();
	struct buf b = { 0 };
	buf_adds(&b, "");
	for (const char *f = nm->fmt; *f; f++) {
		char x[64];
		if (*f != '%' || !f[1]) {
			buf_addc(&b, *f);
			continue;
		}
		switch (*++f) {
		case 'W': buf_adds(&b, nm->day[tm.tm_wday]); break;
		case 'D': snprintf(x, sizeof x, "%d", tm.tm_mday); buf_adds(&b, x); break;
		case 'M': buf_adds(&b, nm->month[tm.tm_mon]); break;
		case 'Y': snprintf(x, sizeof x, "%d", tm.tm_year + 1900); buf_adds(&b, x); break;
		case 'T': snprintf(x, sizeof x, "%02d:%02d", tm.tm_hour, tm.tm_min); buf_adds(&b, x); break;
		case 'Z': snprintf(x, sizeof x, "%.3s:%.2s", off, off + 3); buf_adds(&b, x); break;
		default: buf_addc(&b, *f);
		}
	}
	snprintf(out, n, "%s", b.p);
	buf_free(&b);
}

void tpl_report_stderr(void *ctx, const char *file, int line, const char *msg)
{
	int *n = ctx;
	if (n)
		(*n)++;
	print_fault(file, line, msg);
}
