/* rules.c: routing.sieve through GNU Mailutils' libmu_sieve.
 *
 * Before Mailutils sees a script, a small scanner walks its tokens: every
 * command and test must be one mdesk knows (so no script can file into a
 * mailbox, redirect, reject or load a module that runs programs), every
 * require must name an extension that is built in, and the constant
 * arguments of priority, queue, group, assign, tag and skill are checked
 * with their line.  Then libmu_sieve compiles it; its diagnostics
 * ("file:3.5-9: text") are turned into (file, line, column, text). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mailutils/mailutils.h>
#include <mailutils/sieve.h>

#include "msg.h"
#include "rules.h"
#include "util.h"

struct rules {
	mu_sieve_machine_t mach;
	mu_stream_t log, diag;
};

struct run {
	struct rules_out *out;
	const struct rules_ctx *ctx;
};

/* --- the scanner ------------------------------------------------------ */

static const char *const known_ids[] = {
	/* control */
	"if", "elsif", "else", "require", "stop", "keep",
	/* tests */
	"address", "allof", "anyof", "envelope", "exists", "false", "header", "not",
	"size", "true", "body", "language", "tier",
	/* mdesk's actions */
	"tag", "priority", "queue", "group", "skill", "assign", "noack", "spam",
	/* multi-line strings */
	"text",
};

static const char *const known_ext[] = {
	"relational", "comparator-i;ascii-numeric", "comparator-i;octet",
	"comparator-i;ascii-casemap", "envelope", "regex", "body",
	"encoded-character",
};

struct scan {
	const char *p, *end, *file;
	int line, col, faults;
	rules_check_fn check;
	void *check_ctx;
	void (*report)(const char *, int, int, const char *);
};

static void fault(struct scan *s, int line, int col, const char *fmt, const char *a)
{
	char m[1200];
	snprintf(m, sizeof m, fmt, a);
	s->faults++;
	if (s->report)
		s->report(s->file, line, col, m);
}

enum { T_END, T_ID, T_TAG, T_STR, T_NUM, T_PUNCT };

struct tok {
	int type, line, col;
	char text[512];
};

static void adv(struct scan *s)
{
	if (*s->p == '\n') {
		s->line++;
		s->col = 1;
	} else
		s->col++;
	s->p++;
}

static int next_tok(struct scan *s, struct tok *t)
{
	for (;;) {
		while (s->p < s->end && isspace((unsigned char)*s->p))
			adv(s);
		if (s->p < s->end && *s->p == '#') {
			while (s->p < s->end && *s->p != '\n')
				adv(s);
			continue;
		}
		if (s->end - s->p >= 2 && s->p[0] == '/' && s->p[1] == '*') {
			adv(s), adv(s);
			while (s->p < s->end && !(s->end - s->p >= 2 && s->p[0] == '*' && s->p[1] == '/'))
				adv(s);
			if (s->p < s->end)
				adv(s), adv(s);
			continue;
		}
		break;
	}
	t->line = s->line;
	t->col = s->col;
	t->text[0] = 0;
	if (s->p >= s->end)
		return t->type = T_END;
	unsigned char c = (unsigned char)*s->p;
	size_t n = 0;
	if (c == '"') {
		adv(s);
		while (s->p < s->end && *s->p != '"') {
			if (*s->p == '\\' && s->p + 1 < s->end)
				adv(s);
			if (n + 1 < sizeof t->text)
				t->text[n++] = *s->p;
			adv(s);
		}
		if (s->p < s->end)
			adv(s);
		t->text[n] = 0;
		return t->type = T_STR;
	}
	if (c == ':' || isalpha(c) || c == '_') {
		int tag = c == ':';
		if (tag)
			adv(s);
		while (s->p < s->end && (isalnum((unsigned char)*s->p) || *s->p == '_')) {
			if (n + 1 < sizeof t->text)
				t->text[n++] = (char)tolower((unsigned char)*s->p);
			adv(s);
		}
		t->text[n] = 0;
		/* text: multi-line string up to a line with a single dot */
		if (!tag && !strcmp(t->text, "text") && s->p < s->end && *s->p == ':') {
			while (s->p < s->end) {
				const char *bol;
				while (s->p < s->end && *s->p != '\n')
					adv(s);
				if (s->p < s->end)
					adv(s);
				bol = s->p;
				if (s->end - bol >= 1 && bol[0] == '.' &&
				    (bol + 1 == s->end || bol[1] == '\n' || bol[1] == '\r'))
					break;
			}
			while (s->p < s->end && *s->p != '\n')
				adv(s);
			return t->type = T_STR;
		}
		return t->type = tag ? T_TAG : T_ID;
	}
	if (isdigit(c)) {
		while (s->p < s->end && isalnum((unsigned char)*s->p))
			adv(s);
		return t->type = T_NUM;
	}
	t->text[0] = (char)c;
	t->text[1] = 0;
	adv(s);
	return t->type = T_PUNCT;
}

static int in_list(const char *const *l, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(l[i], s))
			return 1;
	return 0;
}

static void scan_script(struct scan *s)
{
	struct tok t, a;
	while (next_tok(s, &t) != T_END) {
		if (t.type != T_ID)
			continue;
		if (!in_list(known_ids, sizeof known_ids / sizeof known_ids[0], t.text)) {
			fault(s, t.line, t.col, "unknown command or test '%.100s' (mdesk knows tag, "
			    "priority, queue, group, skill, assign, noack, spam, stop and the "
			    "tests of mdesk-files(5))", t.text);
			continue;
		}
		if (!strcmp(t.text, "require")) {
			/* a string or a list of strings */
			while (next_tok(s, &a) != T_END && !(a.type == T_PUNCT && a.text[0] == ';')) {
				if (a.type == T_STR &&
				    !in_list(known_ext, sizeof known_ext / sizeof known_ext[0], a.text))
					fault(s, a.line, a.col, "extension '%.100s' is not available", a.text);
			}
			continue;
		}
		static const char *const checked[] = { "tag", "priority", "queue", "group",
			"skill", "assign" };
		if (in_list(checked, 6, t.text) && next_tok(s, &a) == T_STR) {
			char why[300] = "";
			if (s->check && s->check(s->check_ctx, t.text, a.text, why, sizeof why) != 0) {
				char m[600];
				snprintf(m, sizeof m, "%.20s \"%.100s\": %.300s", t.text, a.text, why);
				fault(s, a.line, a.col, "%s", m);
			}
		}
	}
}

/* --- actions and tests ------------------------------------------------ */

static struct run *R(mu_sieve_machine_t m)
{
	return mu_sieve_get_data(m);
}

static void fired(mu_sieve_machine_t m, const char *what, const char *arg)
{
	struct rules_out *o = R(m)->out;
	struct mu_locus_range loc = MU_LOCUS_RANGE_INITIALIZER;
	mu_sieve_get_locus(m, &loc);
	if (o->nfired < sizeof o->fired / sizeof o->fired[0]) {
		char b[200];
		if (arg)
			snprintf(b, sizeof b, "%u: %s \"%.100s\"", loc.beg.mu_line, what, arg);
		else
			snprintf(b, sizeof b, "%u: %s", loc.beg.mu_line, what);
		o->fired[o->nfired++] = xstrdup(b);
	}
	mu_locus_range_deinit(&loc);
}

static const char *arg0(mu_sieve_machine_t m)
{
	char *s = NULL;
	mu_sieve_get_arg(m, 0, SVT_STRING, &s);
	return s ? s : "";
}

static void add_unique(char **v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(v[i], s))
			return;
	if (*n < RULES_MAX_LIST)
		v[(*n)++] = xstrdup(s);
}

static int act_tag(mu_sieve_machine_t m)
{
	const char *a = arg0(m);
	fired(m, "tag", a);
	add_unique(R(m)->out->tags, &R(m)->out->ntags, a);
	return 0;
}

static int act_skill(mu_sieve_machine_t m)
{
	const char *a = arg0(m);
	fired(m, "skill", a);
	add_unique(R(m)->out->skills, &R(m)->out->nskills, a);
	return 0;
}

#define SETTER(NAME, FIELD) \
	static int act_##NAME(mu_sieve_machine_t m) \
	{ \
		const char *a = arg0(m); \
		fired(m, #NAME, a); \
		snprintf(R(m)->out->FIELD, sizeof R(m)->out->FIELD, "%s", a); \
		return 0; \
	}
SETTER(priority, priority)
SETTER(queue, queue)
SETTER(group, group)
SETTER(assign, assign)

static int act_noack(mu_sieve_machine_t m)
{
	fired(m, "noack", NULL);
	R(m)->out->noack = 1;
	return 0;
}

static int act_spam(mu_sieve_machine_t m)
{
	fired(m, "spam", NULL);
	R(m)->out->spam = 1;
	add_unique(R(m)->out->tags, &R(m)->out->ntags, "spam");
	return 0;
}

static int lang_match(const char *have, const char *want)
{
	size_t n = strlen(want);
	return have && !strncasecmp(have, want, n) && (have[n] == 0 || have[n] == '-');
}

struct keyq {
	const char *have;
	int (*eq)(const char *, const char *);
};

static int key_eq(void *item, void *data)
{
	struct keyq *q = data;
	return item && q->eq(q->have, item) ? 1 : 0;	/* nonzero stops the walk */
}

static int any_key(mu_sieve_machine_t m, const char *have, int (*eq)(const char *, const char *))
{
	mu_sieve_value_t *v = mu_sieve_get_arg_untyped(m, 0);
	if (!have || !*have || !v)
		return 0;
	struct keyq q = { have, eq };
	return mu_sieve_vlist_do(m, v, key_eq, &q) != 0;
}

static int tier_match(const char *have, const char *want)
{
	return !strcasecmp(have, want);
}

static int test_language(mu_sieve_machine_t m)
{
	return any_key(m, R(m)->ctx->lang, lang_match);
}

static int test_tier(mu_sieve_machine_t m)
{
	return any_key(m, R(m)->ctx->tier, tier_match);
}

/* body: the keys against the decoded text, with the match type given */
static int test_body(mu_sieve_machine_t m)
{
	mu_sieve_value_t *v = mu_sieve_get_arg_untyped(m, 0);
	mu_sieve_comparator_t comp = mu_sieve_get_comparator(m);
	const char *text = R(m)->ctx->text ? R(m)->ctx->text : "";
	if (!v || !comp)
		return 0;
	if (v->type != SVT_STRING_LIST && v->type != SVT_STRING)
		return 0;
	/* one string or a list: both are stored as a slice */
	for (size_t i = 0; i < v->v.list.count; i++) {
		mu_sieve_string_t *k = mu_sieve_string_raw(m, &v->v.list, i);
		if (k && comp(m, k, text))
			return 1;
	}
	return 0;
}

static mu_sieve_data_type str_arg[] = { SVT_STRING, SVT_VOID };
static mu_sieve_data_type list_arg[] = { SVT_STRING_LIST, SVT_VOID };
static mu_sieve_data_type no_arg[] = { SVT_VOID };

static mu_sieve_tag_group_t body_tags[] = {
	{ mu_sieve_match_part_tags, mu_sieve_match_part_checker },
	{ NULL, NULL }
};

static void register_all(mu_sieve_machine_t m)
{
	mu_sieve_register_action(m, "tag", act_tag, str_arg, NULL, 1);
	mu_sieve_register_action(m, "priority", act_priority, str_arg, NULL, 1);
	mu_sieve_register_action(m, "queue", act_queue, str_arg, NULL, 1);
	mu_sieve_register_action(m, "group", act_group, str_arg, NULL, 1);
	mu_sieve_register_action(m, "skill", act_skill, str_arg, NULL, 1);
	mu_sieve_register_action(m, "assign", act_assign, str_arg, NULL, 1);
	mu_sieve_register_action(m, "noack", act_noack, no_arg, NULL, 1);
	mu_sieve_register_action(m, "spam", act_spam, no_arg, NULL, 1);
	mu_sieve_register_test(m, "language", test_language, list_arg, NULL, 1);
	mu_sieve_register_test(m, "tier", test_tier, list_arg, NULL, 1);
	mu_sieve_register_test(m, "body", test_body, list_arg, body_tags, 1);
	/* "require" of what is built in: make the names known so that
	 * Mailutils does not look for a loadable module */
	mu_sieve_register_action(m, "regex", act_noack, no_arg, NULL, 1);
}

/* --- compile ---------------------------------------------------------- */

/* "file:3.5-9: text" or "file:3.5: text" or "file:3: text" */
static void report_diag(const char *file, const char *text,
    void (*report)(const char *, int, int, const char *), int *nfaults)
{
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char line[600];
		snprintf(line, sizeof line, "%.*s", (int)(n < 590 ? n : 590), p);
		int ln = 0, col = 0;
		const char *msgp = line;
		char *c = strstr(line, ": ");
		if (c) {
			/* the locus is just before the first ": " after the file name */
			char *q = c;
			while (q > line && (isdigit((unsigned char)q[-1]) || q[-1] == '.' || q[-1] == '-'))
				q--;
			if (q > line && q[-1] == ':') {
				ln = atoi(q);
				char *dot = strchr(q, '.');
				if (dot && dot < c)
					col = atoi(dot + 1);
				msgp = c + 2;
			}
		}
		/* drop Mailutils' "sieve: " style prefixes */
		if (*msgp) {
			(*nfaults)++;
			if (report)
				report(file, ln, col, msgp);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
}

struct rules *rules_compile(const char *text, size_t len, const char *file,
    rules_check_fn check, void *check_ctx,
    void (*report)(const char *file, int line, int col, const char *msg), int *nfaults)
{
	int dummy = 0;
	if (!nfaults)
		nfaults = &dummy;
	*nfaults = 0;
	struct scan s = { text, text + len, file, 1, 1, 0, check, check_ctx, report };
	if (memchr(text, 0, len)) {
		fault(&s, 1, 1, "%s", "the file holds a NUL byte");
		*nfaults = s.faults;
		return NULL;
	}
	scan_script(&s);
	if (s.faults) {
		*nfaults = s.faults;
		return NULL;
	}

	mu_sieve_machine_t m;
	if (mu_sieve_machine_create(&m) != 0)
		die(EX_SOFTWARE, "cannot create a Sieve machine");
	mu_stream_t diag, log;
	if (mu_memory_stream_create(&diag, MU_STREAM_RDWR) != 0 ||
	    mu_log_stream_create(&log, diag) != 0)
		die(EX_SOFTWARE, "cannot create a memory stream");
	int mode = MU_LOGMODE_LOCUS;
	mu_stream_ioctl(log, MU_IOCTL_LOGSTREAM, MU_IOCTL_LOGSTREAM_SET_MODE, &mode);
	mu_sieve_set_diag_stream(m, log);
	register_all(m);
	struct mu_locus_point pt = { file, 1, 0 };
	int rc = mu_sieve_compile_text(m, text, len, &pt);
	if (rc != 0) {
		struct buf b = { 0 };
		char chunk[1024];
		size_t n;
		mu_stream_seek(diag, 0, MU_SEEK_SET, NULL);
		while (mu_stream_read(diag, chunk, sizeof chunk, &n) == 0 && n > 0 && b.len < 65536)
			buf_add(&b, chunk, n);
		int before = *nfaults;
		report_diag(file, b.len ? b.p : "", report, nfaults);
		if (*nfaults == before) {
			(*nfaults)++;
			if (report)
				report(file, 0, 0, "the Sieve script does not compile");
		}
		buf_free(&b);
		mu_sieve_machine_destroy(&m);
		/* the compiler keeps a reference of its own */
		mu_stream_unref(log);
		mu_stream_destroy(&log);
		mu_stream_destroy(&diag);
		return NULL;
	}
	/* run-time messages of Mailutils are not kept (faults come back as -1) */
	mu_stream_truncate(diag, 0);
	struct rules *r = xcalloc(1, sizeof *r);
	r->mach = m;
	r->log = log;
	r->diag = diag;
	return r;
}

void rules_free(struct rules *r)
{
	if (!r)
		return;
	mu_sieve_machine_destroy(&r->mach);
	mu_stream_unref(r->log);
	mu_stream_destroy(&r->log);
	mu_stream_destroy(&r->diag);
	free(r);
}

void rules_out_free(struct rules_out *o)
{
	for (size_t i = 0; i < o->ntags; i++)
		free(o->tags[i]);
	for (size_t i = 0; i < o->nskills; i++)
		free(o->skills[i]);
	for (size_t i = 0; i < o->nfired; i++)
		free(o->fired[i]);
	memset(o, 0, sizeof *o);
}

/* --- the message the rules see --------------------------------------- */

/* The fields of addresses; the last three (Message-ID, In-Reply-To,
 * References) hold ids, not addresses. */
static const char *const addr_fields[] = { "from", "to", "cc", "bcc", "reply-to", "sender",
	"delivered-to", "x-original-to", "return-path", "resent-from", "resent-to",
	"resent-cc", "resent-sender", "message-id", "in-reply-to", "references" };
#define ID_FIELDS (sizeof addr_fields / sizeof addr_fields[0] - 3)

/* Is name (n bytes) one of addr_fields[from..]? */
static int field_in(const char *name, size_t n, size_t from)
{
	for (size_t i = from; i < ID_FIELDS + 3; i++)
		if (strlen(addr_fields[i]) == n && !strncasecmp(addr_fields[i], name, n))
			return 1;
	return 0;
}

/* Does Mailutils parse the address list v (n bytes, folded)? */
static int parses(const char *v, size_t n)
{
	char *u = xstrndup(v, n);
	char *w = u;
	for (char *r = u; *r; r++)
		if (*r != '\r' && *r != '\n')
			*w++ = *r;
	*w = 0;
	mu_address_t a = NULL;
	int ok = strlen(u) < 16384 && msg_angles_ok(u) && mu_address_create(&a, u) == 0;
	mu_address_destroy(&a);
	free(u);
	return ok;
}

/* The address of an unparsable field: the last <...> that holds an '@',
 * else the first word with one; printable ASCII only.  NULL if none. */
static char *rough_address(const char *v, size_t n)
{
	const char *end = v + n, *lt = NULL, *s = NULL, *e = NULL;
	for (const char *q = v; q < end; q++)
		if (*q == '<')
			lt = q;
	if (lt) {
		const char *gt = memchr(lt, '>', (size_t)(end - lt));
		if (gt && memchr(lt, '@', (size_t)(gt - lt)))
			s = lt + 1, e = gt;
	}
	if (!s) {
		const char *at = memchr(v, '@', n);
		if (!at)
			return NULL;
		for (s = at; s > v && !strchr(" \t\r\n,;:<>\"()", s[-1]); s--)
			;
		for (e = at; e < end && !strchr(" \t\r\n,;:<>\"()", *e); e++)
			;
	}
	for (const char *q = s; q < e; q++)
		if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 127 || strchr("<>()[],;:\"\\", *q))
			return NULL;
	return e - s >= 3 && e - s < 256 ? xstrndup(s, (size_t)(e - s)) : NULL;
}

char *rules_decoded_message(const char *raw, size_t len, size_t *outlen)
{
	size_t hl = msg_header_len(raw, len);
	struct buf b = { 0 };
	const char *p = raw, *end = raw + hl;
	while (p < end) {
		/* one field: its first line and continuation lines */
		const char *f = p;
		do {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
		} while (p < end && (*p == ' ' || *p == '\t'));
		const char *colon = memchr(f, ':', (size_t)(p - f));
		if (*f == '\r' || *f == '\n') {
			buf_add(&b, f, (size_t)(p - f));
			continue;
		}
		int field = colon && colon > f;
		for (const char *q = f; field && q < colon; q++)
			field = *q > ' ' && *q < 127;
		if (!field) {
			/* not a header field: what Mailutils would refuse is
			 * body text from here on */
			buf_addc(&b, '\n');
			buf_add(&b, f, (size_t)(end - f));
			break;
		}
		size_t nlen = (size_t)(colon - f);
		if (field_in(f, nlen, 0) && !field_in(f, nlen, ID_FIELDS) &&
		    !parses(colon + 1, (size_t)(p - colon - 1))) {
			/* an address field Mailutils cannot parse stops the whole
			 * script in libmu_sieve's address test, where RFC 5228
			 * 2.7.4 wants it only not to match: the rules see the
			 * address in it alone, or no field */
			char *a = rough_address(colon + 1, (size_t)(p - colon - 1));
			if (a) {
				char *v = xmalloc(strlen(a) + 3);
				sprintf(v, "<%s>", a);
				if (parses(v, strlen(v))) {
					buf_add(&b, f, nlen);
					buf_adds(&b, ": ");
					buf_adds(&b, v);
					buf_addc(&b, '\n');
				}
				free(v);
				free(a);
			}
			continue;
		}
		if (field_in(f, nlen, 0) || !mem_find(colon, (size_t)(p - colon), "=?", 2)) {
			buf_add(&b, f, (size_t)(p - f));
			continue;
		}
		char *v = xstrndup(colon + 1, (size_t)(p - colon - 1));
		/* unfold */
		char *w = v;
		for (char *r = v; *r; r++)
			if (*r != '\r' && *r != '\n')
				*w++ = *r;
		*w = 0;
		char *d = rfc2047_text(v), *q = d;
		while (*q == ' ' || *q == '\t')
			q++;
		buf_add(&b, f, nlen);
		buf_adds(&b, ": ");
		for (; *q; q++)
			buf_addc(&b, *q == '\r' || *q == '\n' ? ' ' : *q);
		buf_addc(&b, '\n');
		free(d);
		free(v);
	}
	buf_add(&b, raw + hl, len - hl);
	if (!b.p)
		buf_add(&b, "", 0);
	*outlen = b.len;
	return b.p;
}

/* --- run -------------------------------------------------------------- */

int rules_run(struct rules *r, const char *raw, size_t len, const struct rules_ctx *ctx,
    struct rules_out *out)
{
	memset(out, 0, sizeof *out);
	size_t dl, fl;
	char *fixed = msg_for_mailutils(raw, len, &fl);
	char *dec = rules_decoded_message(fixed ? fixed : raw, fixed ? fl : len, &dl);
	free(fixed);
	mu_stream_t s;
	mu_message_t m;
	int rc = -1;
	if (mu_static_memory_stream_create(&s, dec, dl) == 0) {
		if (mu_stream_to_message(s, &m) == 0) {
			struct run run = { out, ctx };
			mu_sieve_set_data(r->mach, &run);
			rc = mu_sieve_message(r->mach, m) == 0 ? 0 : -1;
			mu_sieve_set_data(r->mach, NULL);
			mu_message_unref(m);
		}
		mu_stream_unref(s);
	}
	free(dec);
	return rc;
}
