/* mime.c: the readable text of a message (see mime.h). */
#include "mime.h"
#include "msg.h"

#include <errno.h>
#include <iconv.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <mailutils/body.h>
#include <mailutils/filter.h>
#include <mailutils/header.h>
#include <mailutils/message.h>
#include <mailutils/mime.h>
#include <mailutils/stream.h>
#include <mailutils/util.h>
#include <mailutils/assoc.h>

#include "util.h"

#define MAX_DEPTH 50
#define MAX_PARTS 1000
#define MAX_TEXT (8 * 1024 * 1024)

/* A part of a multipart, split here and read by Mailutils as a message
 * of its own: Mailutils' own splitting writes out of bounds on hostile
 * part headers (fuzz_mime). */
struct held {
	char *buf;
	mu_stream_t s;
	mu_message_t m;
};

struct pick {
	mu_message_t plain, html;
	int parts;
	struct held *h;
	size_t nh, caph;
	size_t copied;		/* bytes of parts copied: bounded */
	mime_part_fn each;	/* mime_attachments: every attachment, then */
	void *ctx;
};

#define MAX_COPIED (64 * 1024 * 1024)

static const char *ctype_value(mu_message_t m)
{
	mu_header_t h;
	const char *v;
	if (mu_message_get_header(m, &h) != 0 ||
	    mu_header_sget_value(h, "Content-Type", &v) != 0)
		return NULL;
	return v;
}

/* The value of parameter name of a header value ("; name = value" or a
 * quoted string with backslash escapes) into out; 0 when absent. */
static int param(const char *v, const char *name, char *out, size_t on)
{
	size_t nl = strlen(name);
	const char *p = v;
	while ((p = strchr(p, ';')) != NULL) {
		p++;
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		size_t kl = strcspn(p, "=; \t\r\n");
		const char *q = p + kl;
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=')
			continue;
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		size_t n = 0;
		if (*q == '"') {
			for (q++; *q && *q != '"'; q++) {
				if (*q == '\\' && q[1])
					q++;
				if (n + 1 < on)
					out[n++] = *q;
			}
		} else
			for (; *q && !strchr("; \t\r\n", *q); q++)
				if (n + 1 < on)
					out[n++] = *q;
		out[n] = 0;
		if (kl == nl && !strncasecmp(p, name, nl) && n)
			return 1;
		p = *q ? q : p + kl;
	}
	return 0;
}

/* The type and charset of a Content-Type value, read here: Mailutils'
 * parser leaks on hostile values (8-bit bytes, repeated parameters,
 * backslashes; found by fuzz_mime). */
static int ctype(mu_message_t m, char *type, size_t tn, char *cs, size_t cn)
{
	const char *v;
	snprintf(type, tn, "text/plain");
	snprintf(cs, cn, "us-ascii");
	if (!(v = ctype_value(m)))
		return 0;
	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	size_t l = strcspn(v, "; \t\r\n(");
	if (l && memchr(v, '/', l)) {
		snprintf(type, tn, "%.*s", (int)(l < tn ? l : tn - 1), v);
		for (char *p = type; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p += 'a' - 'A';
	}
	char c[64];
	if (param(v + l, "charset", c, sizeof c))
		snprintf(cs, cn, "%s", c);
	return 0;
}

static int is_attachment(mu_message_t m)
{
	mu_header_t h;
	const char *v;
	return mu_message_get_header(m, &h) == 0 &&
	    mu_header_sget_value(h, "Content-Disposition", &v) == 0 &&
	    !strncasecmp(v, "attachment", 10);
}

static int readable_header(const char *p, size_t len);

/* The raw body of m (not transfer-decoded), at most MAX_TEXT bytes. */
static char *body_bytes(mu_message_t m, size_t *len)
{
	mu_body_t body;
	mu_stream_t bs;
	struct buf b = { 0 };
	*len = 0;
	if (mu_message_get_body(m, &body) != 0 || mu_body_get_streamref(body, &bs) != 0)
		return NULL;
	char tmp[8192];
	size_t n;
	while (b.len < MAX_TEXT && mu_stream_read(bs, tmp, sizeof tmp, &n) == 0 && n > 0)
		buf_add(&b, tmp, n);
	mu_stream_unref(bs);
	*len = b.len;
	return b.p;
}

static void walk(mu_message_t m, int depth, struct pick *p);

/* One part, given to Mailutils as a message of its own and walked. */
static void walk_part(const char *raw, size_t len, int depth, struct pick *p)
{
	if (p->copied + len > MAX_COPIED)
		return;
	p->copied += len;
	size_t fl;
	char *buf = msg_for_mailutils(raw, len, &fl);
	if (!buf) {
		buf = xmalloc(len + 1);
		memcpy(buf, raw, len);
		buf[len] = 0;
		fl = len;
	}
	for (size_t i = 0; i < fl; i++)
		if (!buf[i])
			buf[i] = ' ';
	mu_stream_t s;
	mu_message_t pm;
	if (!readable_header(buf, fl) || mu_static_memory_stream_create(&s, buf, fl) != 0) {
		free(buf);
		return;
	}
	if (mu_stream_to_message(s, &pm) != 0) {
		mu_stream_unref(s);
		free(buf);
		return;
	}
	if (p->nh == p->caph) {
		p->caph = p->caph ? 2 * p->caph : 8;
		p->h = xrealloc(p->h, p->caph * sizeof *p->h);
	}
	p->h[p->nh++] = (struct held){ buf, s, pm };
	walk(pm, depth, p);
	/* a part that was not chosen (nor one inside it) goes at once */
	if (p->nh && p->h[p->nh - 1].m == pm && p->plain != pm && p->html != pm) {
		p->nh--;
		mu_message_unref(pm);
		mu_stream_unref(s);
		free(buf);
	}
}

/* A delimiter line: "--" boundary, "--" when it closes, blanks, EOL. */
static int delimiter(const char *l, const char *e, const char *bnd, size_t bl, int *close)
{
	if ((size_t)(e - l) < bl + 2 || l[0] != '-' || l[1] != '-' || memcmp(l + 2, bnd, bl))
		return 0;
	const char *q = l + 2 + bl;
	*close = e - q >= 2 && q[0] == '-' && q[1] == '-';
	if (*close)
		q += 2;
	while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
		q++;
	return q == e;
}

static void attachment(mu_message_t m, const char *type, struct pick *p);
static void rfc2231_value(const char *v, struct buf *out);

static void walk(mu_message_t m, int depth, struct pick *p)
{
	if (depth > MAX_DEPTH || p->parts++ > MAX_PARTS || (p->plain && !p->each))
		return;
	char type[128], cs[64];
	ctype(m, type, sizeof type, cs, sizeof cs);
	if (!strncmp(type, "multipart/", 10)) {
		char bnd[128];
		const char *v = ctype_value(m);
		size_t bl, len;
		if (!v || !param(v, "boundary", bnd, sizeof bnd) || !(bl = strlen(bnd)))
			return;
		char *body = body_bytes(m, &len);
		if (!body)
			return;
		const char *b = body, *e = body + len, *start = NULL;
		while (b < e && (!p->plain || p->each)) {
			const char *nl = memchr(b, '\n', (size_t)(e - b));
			const char *le = nl ? nl : e;
			int close;
			if (delimiter(b, le, bnd, bl, &close)) {
				if (start) {
					/* the line end before the delimiter is the delimiter's */
					const char *pe = b;
					if (pe > start && pe[-1] == '\n')
						pe--;
					if (pe > start && pe[-1] == '\r')
						pe--;
					walk_part(start, (size_t)(pe - start), depth + 1, p);
				}
				if (close) {
					start = NULL;
					break;
				}
				start = nl ? nl + 1 : e;
			}
			b = nl ? nl + 1 : e;
		}
		if (start && start < e && (!p->plain || p->each))	/* never closed */
			walk_part(start, (size_t)(e - start), depth + 1, p);
		free(body);
		return;
	}
	if (p->each && (is_attachment(m) || strncmp(type, "text/", 5) ||
	    (!strcmp(type, "text/plain") && p->plain) || (!strcmp(type, "text/html") && p->html))) {
		attachment(m, type, p);
		return;
	}
	if (is_attachment(m))
		return;
	if (!strcmp(type, "text/plain") && !p->plain)
		p->plain = m;
	else if (!strcmp(type, "text/html") && !p->html)
		p->html = m;
}

/* ------------------------------------------------------------ charsets */

/* windows-1252's 0x80..0x9f (WHATWG); 0 where it has no character */
static const unsigned short CP1252[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0 };

/* Code point c as UTF-8 (U+FFFD for a surrogate or one past U+10FFFF). */
static void put_utf8(struct buf *b, unsigned long c)
{
	if (c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		c = 0xfffd;
	if (c < 0x80)
		buf_addc(b, (int)c);
	else if (c < 0x800) {
		buf_addc(b, (int)(0xc0 | (c >> 6)));
		buf_addc(b, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		buf_addc(b, (int)(0xe0 | (c >> 12)));
		buf_addc(b, (int)(0x80 | ((c >> 6) & 0x3f)));
		buf_addc(b, (int)(0x80 | (c & 0x3f)));
	} else {
		buf_addc(b, (int)(0xf0 | (c >> 18)));
		buf_addc(b, (int)(0x80 | ((c >> 12) & 0x3f)));
		buf_addc(b, (int)(0x80 | ((c >> 6) & 0x3f)));
		buf_addc(b, (int)(0x80 | (c & 0x3f)));
	}
}

/* The bytes as UTF-8 when they are valid UTF-8, else as windows-1252. */
static void sniff_to_utf8(const char *in, size_t len, struct buf *out)
{
	if (utf8_valid(in, len)) {
		buf_add(out, in, len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned c = (unsigned char)in[i];
		put_utf8(out, c >= 0x80 && c < 0xa0 ? (CP1252[c - 0x80] ? CP1252[c - 0x80] : 0xfffd) : c);
	}
}

enum { CS_SNIFF, CS_UTF8, CS_ICONV };

/* What a label means: the kind, and for iconv the name to open. */
static int cs_resolve(const char *label, char *name, size_t nn)
{
	static const char *const sniff[] = { "us-ascii", "ascii", "iso-8859-1", "iso8859-1",
		"latin1", "iso_8859-1", "l1", "windows-1252", "cp1252", "x-cp1252", "ansi_x3.4-1968",
		"unknown-8bit", "x-unknown", "unknown", "8bit", "default", "x-user-defined", "" };
	static const char *const alias[][2] = {
		{ "gb2312", "GB18030" }, { "gbk", "GB18030" }, { "x-gbk", "GB18030" },
		{ "euc-cn", "GB18030" }, { "gb_2312-80", "GB18030" }, { "cp936", "GB18030" },
		{ "euc-kr", "CP949" }, { "ks_c_5601-1987", "CP949" }, { "ks_c_5601", "CP949" },
		{ "ksc5601", "CP949" }, { "x-windows-949", "CP949" },
		{ "shift_jis", "CP932" }, { "shift-jis", "CP932" }, { "sjis", "CP932" },
		{ "x-sjis", "CP932" }, { "ms_kanji", "CP932" }, { "windows-31j", "CP932" },
		{ "big5", "BIG5-HKSCS" }, { "x-big5", "BIG5-HKSCS" }, { "cn-big5", "BIG5-HKSCS" },
		{ "iso-2022-jp", "ISO-2022-JP-2" }, { "iso-8859-8-i", "ISO-8859-8" },
		{ "tis-620", "CP874" }, { "iso-8859-11", "CP874" } };
	for (size_t i = 0; i < sizeof sniff / sizeof *sniff; i++)
		if (!strcmp(label, sniff[i]))
			return CS_SNIFF;
	if (!strcmp(label, "utf-8") || !strcmp(label, "utf8"))
		return CS_UTF8;
	for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
		if (!strcmp(label, alias[i][0])) {
			snprintf(name, nn, "%s", alias[i][1]);
			return CS_ICONV;
		}
	/* "x-cp1251" and the like: the name without its "x-" */
	snprintf(name, nn, "%s", strncmp(label, "x-", 2) ? label : label + 2);
	return CS_ICONV;
}

#define CS_CACHE 48

static struct cs_entry {
	char label[40];
	int kind;		/* CS_*; CS_SNIFF also for labels iconv does not know */
	iconv_t cd;
} cs_cache[CS_CACHE];
static size_t cs_n;
static pthread_mutex_t cs_mu = PTHREAD_MUTEX_INITIALIZER;

/* The label lower-cased, quotes and blanks dropped; 0 when too long. */
static int cs_label(const char *cs, size_t cslen, char *label, size_t ln)
{
	size_t o = 0;
	for (size_t i = 0; i < cslen; i++) {
		unsigned char c = (unsigned char)cs[i];
		if (c == '"' || c == '\'' || c == ' ' || c == '\t')
			continue;
		if (o + 1 >= ln)
			return 0;
		label[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 'a' - 'A' : c);
	}
	label[o] = 0;
	return 1;
}

/* The cache entry of a label, made on first use; NULL when the cache is
 * full (*tmp then holds a converter for this one call, or -1).  Called
 * with cs_mu held. */
static struct cs_entry *cs_lookup(const char *label, struct cs_entry *tmp)
{
	for (size_t i = 0; i < cs_n; i++)
		if (!strcmp(cs_cache[i].label, label))
			return &cs_cache[i];
	struct cs_entry *e = cs_n < CS_CACHE ? &cs_cache[cs_n] : tmp;
	char name[48];
	snprintf(e->label, sizeof e->label, "%s", label);
	e->kind = cs_resolve(label, name, sizeof name);
	e->cd = (iconv_t)-1;
	if (e->kind == CS_ICONV) {
		e->cd = iconv_open("UTF-8", name);
		if (e->cd == (iconv_t)-1)
			e->kind = CS_SNIFF;
	}
	if (e != tmp)
		cs_n++;
	return e;
}

static void iconv_to_utf8(iconv_t cd, const char *in, size_t len, struct buf *out)
{
	char *ip = (char *)in;
	size_t il = len;
	iconv(cd, NULL, NULL, NULL, NULL);	/* initial shift state */
	while (il > 0) {
		buf_grow(out, il * 4 + 16);
		char *o = out->p + out->len, *o0 = o;
		size_t left = out->cap - out->len - 1;
		size_t r = iconv(cd, &ip, &il, &o, &left);
		out->len += (size_t)(o - o0);
		if (r != (size_t)-1 || errno == E2BIG)
			continue;
		/* EILSEQ, or EINVAL (cut short): U+FFFD for the byte */
		buf_add(out, "\xef\xbf\xbd", 3);
		ip++;
		il--;
	}
	out->p[out->len] = 0;
}

void mime_to_utf8(const char *cs, size_t cslen, const char *in, size_t len, struct buf *out)
{
	char label[40];
	if (!len)
		return;
	if (!cs_label(cs, cslen, label, sizeof label)) {
		sniff_to_utf8(in, len, out);
		return;
	}
	struct cs_entry tmp, *e;
	pthread_mutex_lock(&cs_mu);
	e = cs_lookup(label, &tmp);
	if (e->kind == CS_UTF8)
		buf_add(out, in, len);	/* made valid by the caller */
	else if (e->kind == CS_SNIFF)
		sniff_to_utf8(in, len, out);
	else
		iconv_to_utf8(e->cd, in, len, out);
	pthread_mutex_unlock(&cs_mu);
	if (e == &tmp && tmp.cd != (iconv_t)-1)
		iconv_close(tmp.cd);
}

/* The body of a part, transfer-decoded by Mailutils, at most max bytes. */
static void part_bytes(mu_message_t m, size_t max, struct buf *b)
{
	mu_header_t h;
	const char *enc = "7bit";
	mu_body_t body;
	mu_stream_t bs, fs = NULL;
	if (mu_message_get_header(m, &h) == 0)
		mu_header_sget_value(h, "Content-Transfer-Encoding", &enc);
	char encb[32];
	snprintf(encb, sizeof encb, "%s", enc);
	for (char *q = encb; *q; q++) {
		if (*q == ' ' || *q == '\t' || *q == ';') {
			*q = 0;
			break;
		}
		if (*q >= 'A' && *q <= 'Z')
			*q += 'a' - 'A';
	}
	if (strcmp(encb, "base64") && strcmp(encb, "quoted-printable"))
		snprintf(encb, sizeof encb, "7bit");
	if (mu_message_get_body(m, &body) != 0 || mu_body_get_streamref(body, &bs) != 0)
		return;
	if (mu_filter_create(&fs, bs, encb, MU_FILTER_DECODE, MU_STREAM_READ) != 0)
		fs = NULL;
	char tmp[8192];
	size_t n;
	mu_stream_t src = fs ? fs : bs;
	while (b->len < max && mu_stream_read(src, tmp, sizeof tmp, &n) == 0 && n > 0)
		buf_add(b, tmp, n);
	if (fs)
		mu_stream_unref(fs);
	mu_stream_unref(bs);
}

static char *part_text(mu_message_t m)
{
	char type[128], cs[64];
	ctype(m, type, sizeof type, cs, sizeof cs);
	/* transfer decoding through Mailutils, the charset through iconv(3) */
	struct buf b = { 0 };
	part_bytes(m, MAX_TEXT, &b);
	if (b.p && strcasecmp(cs, "utf-8")) {
		struct buf u = { 0 };
		mime_to_utf8(cs, strlen(cs), b.p, b.len, &u);
		buf_free(&b);
		b = u;
	}
	char *out = b.p ? b.p : xstrdup("");
	if (!strcmp(type, "text/html")) {
		char *t = html_to_text(out, b.p ? b.len : 0);
		free(out);
		out = t;
	}
	return out;
}

/* Clean text: valid UTF-8, CR dropped, controls other than LF and TAB gone. */
static char *clean_text(char *s)
{
	size_t n = strlen(s), o = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] != '\r')
			s[o++] = s[i];
	s[o] = 0;
	struct buf b = { 0 };
	for (char *p = s; *p;) {
		char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		char *c = utf8_clean(p, l, 0);
		buf_adds(&b, c);
		free(c);
		if (nl)
			buf_addc(&b, '\n');
		p += l + (nl != NULL);
	}
	free(s);
	return b.p ? b.p : xstrdup("");
}

/* Would Mailutils read this as a message?  mu_stream_to_message (3.15)
 * fails, leaking a line buffer, when a line of the header block is not a
 * field (no ':', not a continuation; the first line is no continuation)
 * or the From_ line is empty (white space only: it reads out of bounds);
 * such text is not given to it (found by the hostile corpus and
 * fuzz_mime). */
static int readable_header(const char *p, size_t len)
{
	const char *e = p + len;
	if (len >= 5 && !memcmp(p, "From ", 5)) {
		const char *nl = memchr(p, '\n', len), *q = p + 5;
		while (q < e && (*q == ' ' || *q == '\t' || *q == '\r'))
			q++;
		if (!nl || q >= nl)
			return 0;	/* an envelope of white space: read out of bounds */
		p = nl + 1;
	}
	for (const char *first = p; p < e && *p != '\n';) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		if (((*p != ' ' && *p != '\t') || p == first) && !memchr(p, ':', (size_t)(le - p)))
			return 0;
		if (*p == ':')
			return 0;	/* no field name: its header parser */
		p = nl ? nl + 1 : e;	/* writes out of bounds (as in msg.c) */
	}
	/* a header without the empty line has no text, and an empty last
	 * field without its line end makes that parser write out of bounds */
	return p < e;
}

/* A part's file name: Content-Disposition's filename (RFC 2231 forms
 * too: filename*, filename*0*, ...), else Content-Type's name; RFC 2047
 * words decoded; "" when none.  malloc'd, clean UTF-8. */
static char *part_name(mu_message_t m)
{
	mu_header_t h;
	const char *v;
	char out[1024];
	struct buf b = { 0 };
	if (mu_message_get_header(m, &h) != 0)
		return xstrdup("");
	if (mu_header_sget_value(h, "Content-Disposition", &v) == 0) {
		if (param(v, "filename*", out, sizeof out))
			rfc2231_value(out, &b);
		for (int k = 0; !b.len && k < 40; k++) {
			char key[32];
			snprintf(key, sizeof key, "filename*%d*", k);
			if (param(v, key, out, sizeof out))
				rfc2231_value(out, &b);
			else {
				snprintf(key, sizeof key, "filename*%d", k);
				if (!param(v, key, out, sizeof out))
					break;
				buf_adds(&b, out);
			}
		}
		if (!b.len && param(v, "filename", out, sizeof out))
			buf_adds(&b, out);
	}
	if (!b.len && mu_header_sget_value(h, "Content-Type", &v) == 0 &&
	    param(v, "name", out, sizeof out))
		buf_adds(&b, out);
	char *name = rfc2047_text(b.p ? b.p : "");
	buf_free(&b);
	return name;
}

/* RFC 2231: charset'language'percent-encoded (the charset only on the
 * first segment; later segments have no quotes). */
static void rfc2231_value(const char *v, struct buf *out)
{
	const char *q1 = strchr(v, '\''), *q2 = q1 ? strchr(q1 + 1, '\'') : NULL;
	const char *cs = "utf-8";
	size_t csl = 5;
	if (q1 && q2) {
		cs = v, csl = (size_t)(q1 - v);
		v = q2 + 1;
	}
	struct buf raw = { 0 };
	for (const char *c = v; *c; c++) {
		int hi, lo;
		if (*c == '%' && (hi = hex_digit(c[1])) >= 0 && (lo = hex_digit(c[2])) >= 0) {
			buf_addc(&raw, hi << 4 | lo);
			c += 2;
		} else
			buf_addc(&raw, *c);
	}
	if (raw.len)
		mime_to_utf8(cs, csl, raw.p, raw.len, out);
	buf_free(&raw);
}

static void attachment(mu_message_t m, const char *type, struct pick *p)
{
	struct buf b = { 0 };
	part_bytes(m, MAX_COPIED, &b);
	char *name = part_name(m);
	p->each(p->ctx, type, name, b.p ? b.p : "", b.len);
	free(name);
	buf_free(&b);
}

/* Walk raw (fixed for Mailutils) with p; 0, or -1 when it cannot be read. */
static int walk_message(const char *raw, size_t len, struct pick *p, char **text)
{
	mu_stream_t s;
	mu_message_t m;
	char *nul = NULL;
	size_t fl;
	char *fixed = msg_for_mailutils(raw, len, &fl);
	if (fixed)
		raw = fixed, len = fl;
	if (memchr(raw, 0, len)) {
		nul = xmalloc(len + 1);
		for (size_t i = 0; i < len; i++)
			nul[i] = raw[i] ? raw[i] : ' ';
		raw = nul;
	}
	int rc = -1;
	if (readable_header(raw, len) && mu_static_memory_stream_create(&s, raw, len) == 0) {
		if (mu_stream_to_message(s, &m) == 0) {
			walk(m, 0, p);
			if (text && (p->plain || p->html))
				*text = part_text(p->plain ? p->plain : p->html);
			for (size_t i = 0; i < p->nh; i++) {
				mu_message_unref(p->h[i].m);
				mu_stream_unref(p->h[i].s);
				free(p->h[i].buf);
			}
			free(p->h);
			mu_message_unref(m);
			rc = 0;
		}
		mu_stream_unref(s);
	}
	free(fixed);
	free(nul);
	return rc;
}

void mime_attachments(const char *raw, size_t len, mime_part_fn each, void *ctx)
{
	struct pick p;
	memset(&p, 0, sizeof p);
	p.each = each;
	p.ctx = ctx;
	walk_message(raw, len, &p, NULL);
}

char *mime_text(const char *raw, size_t len)
{
	/* LF line ends and a sound header (msg_for_mailutils); header lines
	 * are read as C strings: NULs become spaces; and what Mailutils still
	 * could not read is not given to it */
	struct pick p;
	memset(&p, 0, sizeof p);
	char *out = NULL;
	walk_message(raw, len, &p, &out);
	return clean_text(out ? out : xstrdup(""));
}

static int tag_is(const char *p, const char *name)
{
	size_t n = strlen(name);
	return !strncasecmp(p, name, n) && !((p[n] >= 'a' && p[n] <= 'z') ||
	    (p[n] >= 'A' && p[n] <= 'Z') || (p[n] >= '0' && p[n] <= '9'));
}

char *html_to_text(const char *h, size_t len)
{
	static const struct { const char *name; unsigned long c; } ents[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' }, { "nbsp", ' ' }, { "copy", 0xa9 }, { "reg", 0xae },
		{ "mdash", 0x2014 }, { "ndash", 0x2013 }, { "hellip", 0x2026 },
		{ "rsquo", 0x2019 }, { "lsquo", 0x2018 }, { "ldquo", 0x201c },
		{ "rdquo", 0x201d }, { "euro", 0x20ac }
	};
	static const char *const breaks[] = { "br", "p", "div", "tr", "li", "h1", "h2", "h3",
		"blockquote", "table", NULL };
	struct buf b = { 0 };
	/* the scan below looks a few bytes ahead (tag names, entities) and
	 * stops at a NUL: work on a NUL-terminated copy, so that html need not
	 * be one (fuzz_mime read past its end) */
	char *copy = xmalloc(len + 1);
	if (len)
		memcpy(copy, h, len);
	copy[len] = 0;
	h = copy;
	const char *p = h, *e = h + len;
	int space = 0;
	while (p < e) {
		if (*p == '<') {
			const char *q = p + 1;
			int close = *q == '/';
			if (close)
				q++;
			if (!strncmp(p, "<!--", 4)) {
				const char *f = p + 4;
				while (f + 3 <= e && strncmp(f, "-->", 3))
					f++;
				p = f + 3 <= e ? f + 3 : e;
				continue;
			}
			int br = 0;
			for (int i = 0; breaks[i] && !br; i++)
				br = tag_is(q, breaks[i]);
			if (!close && (tag_is(q, "script") || tag_is(q, "style"))) {
				const char *end = tag_is(q, "script") ? "</script" : "</style";
				while (p < e && strncasecmp(p, end, strlen(end)))
					p++;	/* then past the closing tag */
			} else if (br) {
				while (b.len && b.p[b.len - 1] == ' ')
					b.len--;
				if (b.len && b.p[b.len - 1] != '\n')
					buf_addc(&b, '\n');
				else if ((tag_is(q, "p") && close) && b.len >= 1 &&
				    (b.len < 2 || b.p[b.len - 2] != '\n'))
					buf_addc(&b, '\n');
				if (!close && tag_is(q, "li"))
					buf_adds(&b, "- ");
				space = 0;
			}
			while (p < e && *p != '>')
				p++;
			p += p < e;
			continue;
		}
		if (*p == '&') {
			const char *q = p + 1;
			unsigned long c = 0;
			int ok = 0;
			if (*q == '#') {
				q++;
				int hex = *q == 'x' || *q == 'X';
				q += hex;
				const char *d = q;
				int v;
				while (q < e && q - d < 8 && (v = hex_digit((unsigned char)*q)) >= 0 &&
				    (hex || v < 10))
					c = c * (hex ? 16 : 10) + (unsigned long)v, q++;
				ok = q > d && q < e && *q == ';';
			} else
				for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++) {
					size_t n = strlen(ents[i].name);
					if ((size_t)(e - q) > n && !strncmp(q, ents[i].name, n) && q[n] == ';') {
						c = ents[i].c;
						q += n;
						ok = 1;
						break;
					}
				}
			if (ok) {
				put_utf8(&b, c ? c : 0xfffd);
				p = q + 1;
				space = 0;
				continue;
			}
		}
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
			if (!space && b.len && b.p[b.len - 1] != '\n')
				buf_addc(&b, ' ');
			space = 1;
			p++;
			continue;
		}
		space = 0;
		buf_addc(&b, *p++);
	}
	free(copy);
	while (b.len && (b.p[b.len - 1] == ' ' || b.p[b.len - 1] == '\n'))
		b.len--;
	buf_addc(&b, '\n');
	return b.p;
}
