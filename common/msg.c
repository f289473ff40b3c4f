/* msg.c: a message's header block, parsed with Mailutils (see msg.h). */
#include "msg.h"
#include "mime.h"

#include <ctype.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <mailutils/address.h>
#include <mailutils/errno.h>
#include <mailutils/header.h>
#include <mailutils/mime.h>

#include "date.h"
#include "msgid.h"

/* Fields looked up on every message: found in one pass at open. */
static const char *const known_names[MSG_KNOWN] = {
	"Message-ID", "In-Reply-To", "References", "Date", "From", "Subject",
	"To", "Cc", "Reply-To", "Sender", "Content-Type", "Content-Language",
	"Auto-Submitted", "Precedence", "List-Id", "Return-Path",
	"Thread-Index", "Content-Transfer-Encoding"
};
static int known_index(const char *name, size_t n)
{
	for (int k = 0; k < MSG_KNOWN; k++)	/* ASCII names: the first letter first */
		if ((known_names[k][0] | 0x20) == (*name | 0x20) &&
		    !strncasecmp(known_names[k], name, n) && !known_names[k][n])
			return k;
	return -1;
}

static int is_ftext(unsigned char c)	/* RFC 5322 field-name characters */
{
	return c > 0x20 && c < 0x7f && c != ':';
}

/* One pass over the header: the first value of each known field,
 * unfolded (line breaks removed) and trimmed. */
static void index_fields(struct msg *m, const char *h, size_t len)
{
	const char *p = h, *e = h + len;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		if (le == p)
			break;		/* the empty line: end of header */
		const char *c = p;
		int k = -1;
		if (strchr("mirdfstcaplMIRDFSTCAPL", *p)) {	/* known initials */
			while (c < le && is_ftext((unsigned char)*c))
				c++;
			if (c < le && *c == ':')
				k = known_index(p, (size_t)(c - p));
		}
		/* the field's extent: continuation lines start with WSP */
		const char *fe = le;
		while (fe < e && fe + 1 < e && (fe[1] == ' ' || fe[1] == '\t')) {
			const char *n2 = memchr(fe + 1, '\n', (size_t)(e - fe - 1));
			fe = n2 ? n2 : e;
		}
		if (k >= 0 && m->nknown[k] < 255)
			m->nknown[k]++;
		if (k >= 0 && !m->known[k]) {
			const char *v = c + 1;
			while (v < fe && (*v == ' ' || *v == '\t' || *v == '\n'))
				v++;
			char *o = arena_alloc(&m->ar, (size_t)(fe - v) + 1), *q = o;
			while (v < fe) {	/* copy line by line, without the breaks */
				const char *b = memchr(v, '\n', (size_t)(fe - v));
				size_t l = b ? (size_t)(b - v) : (size_t)(fe - v);
				memcpy(q, v, l);
				q += l;
				v += l + (b != NULL);
			}
			while (q > o && (q[-1] == ' ' || q[-1] == '\t'))
				q--;
			*q = 0;
			m->known[k] = o;
		}
		p = fe < e ? fe + 1 : e;
	}
}

int msg_open(struct msg *m, const char *header, size_t len)
{
	m->hdr = NULL;
	m->bad = 0;
	memset(m->known, 0, sizeof m->known);
	memset(m->nknown, 0, sizeof m->nknown);
	/* a private copy: CRs dropped, NULs made spaces (Mailutils and the
	 * string functions work on C strings) */
	char *copy = arena_alloc(&m->ar, len + 1);
	size_t o = 0;
	if (!memchr(header, 0, len) && !memchr(header, '\r', len)) {
		memcpy(copy, header, len);
		o = len;
	} else
		for (size_t i = 0; i < len; i++) {
			char ch = header[i];
			if (ch != '\r')
				copy[o++] = ch ? ch : ' ';
		}
	copy[o] = 0;
	header = copy;
	len = o;
	/* leniency: a byte order mark, blank-looking lines and indentation
	 * before the first field are dropped */
	if (len >= 3 && !memcmp(header, "\xef\xbb\xbf", 3)) {
		header += 3;
		len -= 3;
	}
	for (;;) {
		size_t k = 0;
		while (k < len && (header[k] == ' ' || header[k] == '\t'))
			k++;
		if (k < len && header[k] == '\n' && k + 1 < len && header[k + 1] != '\n') {
			header += k + 1;
			len -= k + 1;
			continue;
		}
		header += k;
		len -= k;
		break;
	}
	m->text = header;
	m->len = len;
	/* a header must start with a field name */
	size_t i = 0;
	while (i < len && is_ftext((unsigned char)header[i]))
		i++;
	if (i == 0 || i >= len || header[i] != ':')
		m->bad = 1;
	index_fields(m, header, len);
	return m->bad ? -1 : 0;
}

void msg_close(struct msg *m)
{
	if (m->hdr) {
		mu_header_t h = m->hdr;
		mu_header_destroy(&h);
	}
	m->hdr = NULL;
	arena_reset(&m->ar);
}

void msg_free(struct msg *m)
{
	msg_close(m);
	arena_free(&m->ar);
}

const char *msg_raw(struct msg *m, const char *name, int n)
{
	const char *v;
	int k;
	if (n == 1 && (k = known_index(name, strlen(name))) >= 0)
		return m->known[k];
	/* other fields: through Mailutils' header object, made on demand */
	if (!m->hdr) {
		/* Mailutils 3.15 reads and writes out of bounds on a block
		 * that starts with ':' or ends in an empty last field without
		 * its line end (found by fuzzing): a bad block is not given to
		 * it, and the one it gets always ends with a line end */
		mu_header_t h;
		const char *text = m->text;
		if (m->bad || m->len == 0)
			return NULL;
		if (text[m->len - 1] != '\n') {
			char *t = arena_alloc(&m->ar, m->len + 2);
			memcpy(t, text, m->len);
			t[m->len] = '\n';
			t[m->len + 1] = 0;
			text = t;
		}
		if (mu_header_create(&h, text, m->len + (text != m->text)) != 0)
			return NULL;
		m->hdr = h;
	}
	if (mu_header_sget_value_n(m->hdr, name, n, &v) != 0)
		return NULL;
	/* unfold: drop CR and LF (RFC 5322 §2.2.3) */
	size_t len = strlen(v);
	if (!memchr(v, '\n', len) && !memchr(v, '\r', len))
		return v;
	char *o = arena_alloc(&m->ar, len + 1), *p = o;
	for (size_t i = 0; i < len; i++)
		if (v[i] != '\n' && v[i] != '\r')
			*p++ = v[i];
	*p = 0;
	return o;
}

/* The bytes of one encoded word's text (B or Q); 0 when malformed. */
static int word_bytes(char enc, const char *t, const char *te, struct buf *raw)
{
	if (enc == 'B' || enc == 'b')
		return b64_decode(t, (size_t)(te - t), 0, raw) == 0;
	if (enc != 'Q' && enc != 'q')
		return 0;
	for (const char *x = t; x < te; x++) {
		if (*x == '_')
			buf_addc(raw, ' ');
		else if (*x == '=' && x + 2 < te && hex_digit((unsigned char)x[1]) >= 0 &&
		    hex_digit((unsigned char)x[2]) >= 0) {
			buf_addc(raw, hex_digit((unsigned char)x[1]) * 16 + hex_digit((unsigned char)x[2]));
			x += 2;
		} else
			buf_addc(raw, *x);
	}
	return 1;
}

/* RFC 2047: 1 on success, 0 to leave the text to Mailutils (a malformed
 * word).  The bytes of adjacent words in the same charset are joined
 * before conversion, so a character split across two words (as some
 * mailers write them) comes out whole.  Conversion: mime_to_utf8, one
 * converter per charset for the life of the process. */
static int rfc2047_words(const char *s, struct buf *out)
{
	const char *p = s, *pcs = NULL;	/* charset of the bytes in raw */
	size_t pcl = 0;
	int after_word = 0, ok = 1;
	struct buf raw = { 0 };
	while (*p) {
		const char *w = strstr(p, "=?");
		/* text before the word: dropped if only white space between words */
		const char *q = p, *end = w ? w : p + strlen(p);
		int only_ws = 1;
		for (; q < end; q++)
			if (*q != ' ' && *q != '\t')
				only_ws = 0;
		const char *cs = w ? w + 2 : NULL, *ce = cs ? strchr(cs, '?') : NULL;
		if (w && (!ce || !ce[1] || ce[2] != '?')) {
			ok = 0;
			break;
		}
		size_t cl = w ? (size_t)(ce - cs) : 0;
		const char *star = w ? memchr(cs, '*', cl) : NULL;	/* RFC 2231 language */
		if (star)
			cl = (size_t)(star - cs);
		int joined = w && after_word && only_ws && pcs && cl == pcl &&
		    !strncasecmp(cs, pcs, cl);
		if (!joined && raw.len) {
			mime_to_utf8(pcs, pcl, raw.p, raw.len, out);
			raw.len = 0;
		}
		if (!(after_word && only_ws && w))
			buf_add(out, p, (size_t)(end - p));
		if (!w)
			break;
		const char *t = ce + 3, *te = strstr(t, "?=");
		if (!te || !word_bytes(ce[1], t, te, &raw)) {
			ok = 0;
			break;
		}
		pcs = cs;
		pcl = cl;
		p = te + 2;
		after_word = 1;
	}
	if (ok && raw.len)
		mime_to_utf8(pcs, pcl, raw.p, raw.len, out);
	buf_free(&raw);
	return ok;
}

/* Can every encoded word's charset be converted to UTF-8?  Mailutils 3.15
 * leaks its filter streams when a charset cannot (found by fuzzing), so
 * such text is not handed to it. */
static int charsets_known(const char *s)
{
	for (const char *w = s; (w = strstr(w, "=?")) != NULL; w += 2) {
		const char *cs = w + 2;
		size_t n = strcspn(cs, "?*");
		char name[64];
		if (!cs[n])
			break;		/* not a word: Mailutils leaves it */
		if (n == 0 || n >= sizeof name)
			return 0;
		memcpy(name, cs, n);
		name[n] = 0;
		iconv_t cd = iconv_open("UTF-8", name);
		if (cd == (iconv_t)-1)
			return 0;
		iconv_close(cd);
	}
	return 1;
}

char *rfc2047_text(const char *s)
{
	char *dec = NULL;
	if (!strstr(s, "=?"))
		return utf8_clean(s, strlen(s), 1);
	struct buf b = { 0 };
	if (rfc2047_words(s, &b)) {
		char *c = utf8_clean(b.p ? b.p : "", b.len, 1);
		buf_free(&b);
		return c;
	}
	buf_free(&b);
	if (charsets_known(s) && mu_rfc2047_decode("UTF-8", s, &dec) == 0 && dec) {
		char *c = utf8_clean(dec, strlen(dec), 1);
		free(dec);
		return c;
	}
	return utf8_clean(s, strlen(s), 1);
}

static const char *arena_take(struct msg *m, char *s)
{
	char *r = arena_strndup(&m->ar, s, strlen(s));
	free(s);
	return r;
}

const char *msg_text(struct msg *m, const char *name)
{
	const char *v = msg_raw(m, name, 1);
	if (!v)
		return NULL;
	char *t = rfc2047_text(v), *o = t;
	/* folding white space and tabs read as one space; ends trimmed */
	for (const char *p = t; *p; p++) {
		if (*p == ' ' || *p == '\t') {
			if (o > t && o[-1] != ' ')
				*o++ = ' ';
		} else
			*o++ = *p;
	}
	while (o > t && o[-1] == ' ')
		o--;
	*o = 0;
	return arena_take(m, t);
}

static void lower(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s += 'a' - 'A';
}

/* Display names: decoded, quotes and surrounding space trimmed. */
static const char *clean_display(struct msg *m, const char *p)
{
	if (!p || !*p)
		return NULL;
	char *d = rfc2047_text(p);
	for (char *t = d; (t = strchr(t, '\t')) != NULL; t++)
		*t = ' ';	/* no control characters at all (msg.h) */
	char *s = d, *e = d + strlen(d);
	while (*s == ' ' || *s == '"' || *s == '\'')
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '"' || e[-1] == '\''))
		e--;
	const char *r = e > s ? arena_strndup(&m->ar, s, (size_t)(e - s)) : NULL;
	free(d);
	return r;
}

struct addr_one {
	const char *addr, *display;
	int got;
};

static void take_one(void *ctx, const char *addr, const char *display)
{
	struct addr_one *o = ctx;
	if (!o->got) {
		o->addr = addr;
		o->display = display;
		o->got = 1;
	}
}

int msg_addr(struct msg *m, const char *name, const char **addr,
    const char **display)
{
	struct addr_one o = { NULL, NULL, 0 };
	msg_addrs(m, name, take_one, &o);
	*addr = o.addr;
	*display = o.display;
	return o.got ? 0 : -1;
}

/* Fallback for what Mailutils refuses: the last "<...>" or a bare word
 * with an '@'. */
static int rough_addr(struct msg *m, const char *v,
    void (*cb)(void *, const char *, const char *), void *ctx)
{
	const char *lt = strrchr(v, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	if (lt && gt && gt > lt + 1 && memchr(lt, '@', (size_t)(gt - lt))) {
		char *a = utf8_clean(lt + 1, (size_t)(gt - lt - 1), 1);
		lower(a);
		char *dn = xstrndup(v, (size_t)(lt - v));
		const char *d = clean_display(m, dn);
		free(dn);
		cb(ctx, arena_take(m, a), d);
		return 1;
	}
	const char *at = strchr(v, '@');
	if (!at)
		return 0;
	const char *s = at, *e = at;
	while (s > v && !strchr(" \t,;<>\"()", s[-1]))
		s--;
	while (*e && !strchr(" \t,;<>\"()", *e))
		e++;
	if (e - s < 3)
		return 0;
	char *a = utf8_clean(s, (size_t)(e - s), 1);
	lower(a);
	cb(ctx, arena_take(m, a), NULL);
	return 1;
}

/* The common forms, without Mailutils: "addr", "Name <addr>",
 * "\"Name\" <addr>" with no comments, groups, escapes or lists. */
static int simple_addr(struct msg *m, const char *v,
    void (*cb)(void *, const char *, const char *), void *ctx)
{
	const char *p = v, *ds = NULL, *de = NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '"') {
		ds = p + 1;
		de = strchr(ds, '"');
		if (!de)
			return 0;
		p = de + 1;
	}
	const char *lt = NULL, *q;
	for (q = p; *q; q++) {
		unsigned char c = (unsigned char)*q;
		if (c == '(' || c == ',' || c == ';' || c == '\\' || c == '"' ||
		    c == ':' || c < 0x20 || c >= 0x7f)
			return 0;
		if (c == '<') {
			if (lt)
				return 0;
			lt = q;
		}
	}
	const char *as, *ae;
	if (lt) {
		as = lt + 1;
		ae = strchr(as, '>');
		if (!ae)
			return 0;
		for (q = ae + 1; *q; q++)
			if (*q != ' ' && *q != '\t')
				return 0;
		if (!ds) {
			ds = p;
			de = lt;
		} else
			for (q = p; q < lt; q++)
				if (*q != ' ' && *q != '\t')
					return 0;
	} else {
		if (ds)
			return 0;
		as = p;
		ae = p + strlen(p);
		while (ae > as && (ae[-1] == ' ' || ae[-1] == '\t'))
			ae--;
	}
	const char *at = NULL;
	for (q = as; q < ae; q++) {
		if (*q == ' ' || *q == '\t' || *q == '<' || *q == '>')
			return 0;
		if (*q == '@') {
			if (at)
				return 0;
			at = q;
		}
	}
	if (!at || at == as || at + 1 == ae)
		return 0;
	char *a = arena_strndup(&m->ar, as, (size_t)(ae - as));
	lower(a);
	const char *d = NULL;
	if (ds && de > ds) {
		char *dn = arena_strndup(&m->ar, ds, (size_t)(de - ds));
		d = clean_display(m, dn);
	}
	cb(ctx, a, d);
	return 1;
}

static int is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* Past the quoted string at p (at its '"'); NULL when it does not end. */
static const char *past_quoted(const char *p)
{
	for (p++; *p && *p != '"'; p++)
		if (*p == '\\' && p[1])
			p++;
	return *p ? p + 1 : NULL;
}

/* Is every "<...>" of an address list (outside quoted strings and
 * comments) a plain ASCII "<local@domain>" or "<local>"?  Mailutils 3.15 leaks
 * the local part it parsed when a route-addr goes wrong after it ("<a.b",
 * "<ab x>", "<ab@>") and on source routes ("<@r:a@b>"), found by fuzzing;
 * such values take the rough path instead. */
int msg_angles_ok(const char *v)
{
	const char *p = v;
	int depth = 0;
	while (*p) {
		if (*p == '\\' && p[1]) {
			p += 2;
			continue;
		}
		if (depth) {
			depth += *p == '(' ? 1 : *p == ')' ? -1 : 0;
			p++;
			continue;
		}
		if (*p == '(') {
			depth = 1;
			p++;
			continue;
		}
		if (*p == '"') {
			if (!(p = past_quoted(p)))
				return 0;
			continue;
		}
		if (*p != '<') {
			p++;
			continue;
		}
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '"') {	/* quoted local part */
			if (!(p = past_quoted(p)))
				return 0;
		} else {		/* dot-atom */
			for (;;) {
				if (!is_atext((unsigned char)*p))
					return 0;
				while (is_atext((unsigned char)*p))
					p++;
				if (*p != '.')
					break;
				p++;
			}
		}
		if (*p == '@' && p[1] == '[') {	/* domain literal */
			for (p += 2; *p > ' ' && *p < 0x7f && *p != '[' && *p != ']' && *p != '\\'; p++)
				;
			if (*p++ != ']')
				return 0;
		} else if (*p == '@') {
			const char *d = ++p;
			while (is_atext((unsigned char)*p) || *p == '.')
				p++;
			if (p == d)
				return 0;
		}
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != '>')
			return 0;
		p++;
	}
	return 1;
}

void msg_addrs(struct msg *m, const char *names,
    void (*cb)(void *ctx, const char *addr, const char *display), void *ctx)
{
	const char *p = names;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		char name[64];
		if (n >= sizeof name)
			n = sizeof name - 1;
		memcpy(name, p, n);
		name[n] = 0;
		p += n + (c != NULL);

		int kn = known_index(name, strlen(name));
		for (int k = 1;; k++) {
			if (kn >= 0 && k > m->nknown[kn])
				break;
			const char *v = msg_raw(m, name, k);
			if (!v)
				break;
			if (simple_addr(m, v, cb, ctx))
				continue;
			mu_address_t a = NULL;
			size_t cnt = 0;
			int got = 0;
			if (strlen(v) < 16384 && msg_angles_ok(v) && mu_address_create(&a, v) == 0 &&
			    mu_address_get_count(a, &cnt) == 0) {
				for (size_t i = 1; i <= cnt; i++) {
					const char *e = NULL, *pers = NULL;
					if (mu_address_sget_email(a, i, &e) != 0 || !e || !*e)
						continue;
					mu_address_sget_personal(a, i, &pers);
					char *ae = utf8_clean(e, strlen(e), 1);
					lower(ae);
					cb(ctx, arena_take(m, ae), clean_display(m, pers));
					got++;
				}
			}
			if (a)
				mu_address_destroy(&a);
			if (!got)
				rough_addr(m, v, cb, ctx);
			if (k >= 64)
				break;
		}
	}
}

int msg_date(struct msg *m, long long *t)
{
	const char *v = msg_raw(m, "Date", 1);
	return v ? date_parse(v, t) : -1;
}

#define NADDR 64
struct refs_ctx {
	struct msg *m;
	const char *self;
	const char **v;
	size_t n, cap;
	/* the words with '@' of the address fields, the first NADDR */
	const char *addr[NADDR];
	size_t alen[NADDR], naddr;
};

static int addr_delim(char c)
{
	return c == '<' || c == '>' || c == ',' || c == ';' || c == ':' || c == '"' ||
	    c == '(' || c == ')' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The addresses of the message's own From, To, Cc, Sender and Reply-To:
 * a gateway or an MH-style client that names the parent's author as
 * In-Reply-To gives every reply to that person the same "id", which then
 * joins nothing (mthread and mroute alike).  Time linear in the fields. */
static void own_addresses(struct refs_ctx *r)
{
	static const char *const fields[] = { "From", "To", "Cc", "Sender", "Reply-To" };
	for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
		const char *p = msg_raw(r->m, fields[k], 1);
		while (p && *p && r->naddr < NADDR) {
			while (*p && addr_delim(*p))
				p++;
			const char *w = p;
			while (*p && !addr_delim(*p))
				p++;
			if (p > w && memchr(w, '@', (size_t)(p - w))) {
				r->addr[r->naddr] = w;
				r->alen[r->naddr++] = (size_t)(p - w);
			}
		}
	}
}

static int addressed(const struct refs_ctx *r, const char *id, size_t len)
{
	for (size_t k = 0; len && k < r->naddr; k++)
		if (r->alen[k] == len && !strncasecmp(r->addr[k], id, len))
			return 1;
	return 0;
}

static void add_ref(void *ctx, const char *id, size_t len)
{
	struct refs_ctx *r = ctx;
	if (strlen(r->self) == len && !memcmp(r->self, id, len))
		return;		/* self reference */
	if (addressed(r, id, len))
		return;
	if (r->n == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		const char **nv = arena_alloc(&r->m->ar, nc * sizeof *nv);
		if (r->n)
			memcpy(nv, r->v, r->n * sizeof *nv);
		r->v = nv;
		r->cap = nc;
	}
	r->v[r->n++] = arena_strndup(&r->m->ar, id, len);
}

/* Thread-Index: base64 of 22 bytes (a reserved byte, a FILETIME, a GUID)
 * and a 5-byte block per reply since. */
static void thread_index(const char *v, struct msg_ids *ids)
{
	struct buf b = { 0 };
	size_t n = b64_decode(v, strlen(v), 1, &b) == 0 ? b.len : 0;
	if (n >= 22 && (n - 22) % 5 == 0 && n <= 22 + 5 * 400) {
		char *o = ids->ti;
		for (size_t i = 0; i < 22; i++, o += 2)
			snprintf(o, 3, "%02x", (unsigned char)b.p[i]);
		snprintf(o, sizeof ids->ti - 44, "@thread-index.invalid");
		ids->ti_reply = n > 22;
	}
	buf_free(&b);
}

/* An In-Reply-To that names its parent in words before the id: exmh and
 * MH ("Message from NAME <ADDR> of "DATE." <ID>"), Eudora and others
 * ("Your message of DATE. <ID>"), whose last id is the parent. */
static int irt_phrase(const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	return *v && *v != '<' && *v != '(';
}

void msg_ids(struct msg *m, struct msg_ids *ids)
{
	const char *v;
	ids->mid[0] = ids->irt[0] = ids->irt_any[0] = 0;
	ids->refs = NULL;
	ids->nrefs = 0;
	if ((v = msg_raw(m, "Message-ID", 1)) != NULL)
		msgid_self(v, strlen(v), ids->mid);
	struct refs_ctx r = { m, ids->mid, NULL, 0, 0, { NULL }, { 0 }, 0 };
	own_addresses(&r);
	if ((v = msg_raw(m, "In-Reply-To", 1)) != NULL) {
		size_t n = strlen(v);
		if (msgid_last(v, n, ids->irt_any) && !strcmp(ids->irt_any, ids->mid))
			ids->irt_any[0] = 0;
		if (!msgid_strict(v, n, ids->irt) && irt_phrase(v))
			snprintf(ids->irt, sizeof ids->irt, "%s", ids->irt_any);
		if (!strcmp(ids->irt, ids->mid) || addressed(&r, ids->irt, strlen(ids->irt)))
			ids->irt[0] = 0;
		if (addressed(&r, ids->irt_any, strlen(ids->irt_any)))
			ids->irt_any[0] = 0;
	}
	if ((v = msg_raw(m, "References", 1)) != NULL)
		msgid_each(v, strlen(v), add_ref, &r);
	ids->refs = r.v;
	ids->nrefs = r.n;
	ids->ti[0] = 0;
	ids->ti_reply = 0;
	if ((v = msg_raw(m, "Thread-Index", 1)) != NULL)
		thread_index(v, ids);
}

static int listed(const char **v, size_t n, const char *id)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], id))
			return 1;
	return 0;
}

size_t msg_links(const struct msg_ids *ids, const char **out, size_t max)
{
	size_t n = 0;
	if (ids->irt[0] && n < max)
		out[n++] = ids->irt;
	for (size_t i = ids->nrefs; i-- > 0 && n < max;)	/* linear: not checked */
		if (!ids->irt[0] || strcmp(ids->refs[i], ids->irt))	/* among themselves */
			out[n++] = ids->refs[i];
	if (ids->irt_any[0] && n < max && !listed(out, n, ids->irt_any))
		out[n++] = ids->irt_any;
	if (n == 0 && ids->ti[0] && ids->ti_reply && max)
		out[n++] = ids->ti;
	return n;
}

uint64_t msg_hash_header(uint64_t h, const char *hdr, size_t len)
{
	const char *p = hdr, *e = hdr + len;
	int skip = 0;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl + 1 : e;
		if (*p != ' ' && *p != '\t')
			skip = (size_t)(le - p) >= 8 && !strncasecmp(p, "X-Mdesk-", 8);
		if (!skip)
			h = hash64_update(h, p, (size_t)(le - p));
		p = le;
	}
	return h;
}

void msg_hash_id(uint64_t h, char out[64])
{
	snprintf(out, 64, "mdesk-%016llx@hash.invalid", (unsigned long long)hash64_final(h));
}

char *msg_sound_header(const char *raw, size_t len, size_t *outlen)
{
	size_t hl = msg_header_len(raw, len);
	const char *p = raw, *end = raw + hl;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl + 1 : end;
		if (*p == '\n' || *p == '\r')
			return NULL;	/* the blank line: all sound */
		if (*p != ' ' && *p != '\t') {
			const char *q = p;
			while (q < le && *q > ' ' && *q < 127 && *q != ':')
				q++;
			if (q == p || q == le || *q != ':')
				break;
		} else if (p == raw)
			break;
		p = le;
	}
	if (p >= end)
		return NULL;
	char *o = xmalloc(len + 2);
	size_t k = (size_t)(p - raw);
	memcpy(o, raw, k);
	o[k] = '\n';
	memcpy(o + k + 1, p, len - k);
	o[len + 1] = 0;
	*outlen = len + 1;
	return o;
}

/* Header lines longer than this reach Mailutils cut short: it reads a
 * line in steps that copy it again and again (a 10 MB Subject took
 * minutes). */
#define MU_LINE_MAX 16384
/* and only the first fields: it looks fields up one by one (100k fields
 * took minutes) */
#define MU_FIELDS_MAX 1000

char *msg_for_mailutils(const char *raw, size_t len, size_t *outlen)
{
	char *lf = NULL;
	size_t hl = msg_header_len(raw, len), longest = 0, field = 0, nfields = 0;
	/* the longest field, continuation lines included, and the fields */
	for (const char *p = raw, *e = raw + hl; p < e;) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t l = (size_t)((nl ? nl : e) - p);
		nfields += *p != ' ' && *p != '\t';
		field = (*p == ' ' || *p == '\t') ? field + l : l;
		if (field > longest)
			longest = field;
		p = nl ? nl + 1 : e;
	}
	if (longest > MU_LINE_MAX || nfields > MU_FIELDS_MAX || mem_find(raw, len, "\r\n", 2)) {
		lf = xmalloc(len + 1);
		size_t k = 0, nf = 0;
		field = 0;
		int bol = 1, skip = 0, drop = 0;
		for (size_t i = 0; i < len; i++) {
			if (raw[i] == '\r' && i + 1 < len && raw[i + 1] == '\n')
				continue;
			if (i < hl) {
				if (bol) {
					/* a continuation line of a field cut short goes whole */
					int cont = raw[i] == ' ' || raw[i] == '\t';
					if (!cont) {
						field = 0;
						/* past the first fields, only those of MIME */
						drop = ++nf > MU_FIELDS_MAX && strncasecmp(raw + i, "content-", 8) &&
						    strncasecmp(raw + i, "mime-", 5);
					}
					skip = drop || (cont && field > MU_LINE_MAX);
				}
				bol = raw[i] == '\n';
				if (skip)
					continue;
				if (raw[i] != '\n' && ++field > MU_LINE_MAX)
					continue;	/* the rest of a long field */
			}
			lf[k++] = raw[i];
		}
		lf[k] = 0;
		raw = lf, len = k;
	}
	char *fixed = msg_sound_header(raw, len, outlen);
	if (fixed) {
		free(lf);
		return fixed;
	}
	if (lf)
		*outlen = len;
	return lf;
}

size_t msg_header_len(const char *raw, size_t len)
{
	if (len >= 1 && raw[0] == '\n')
		return 1;
	if (len >= 2 && raw[0] == '\r' && raw[1] == '\n')
		return 2;
	for (const char *p = raw; (p = memchr(p, '\n', len - (size_t)(p - raw))) != NULL; p++) {
		size_t i = (size_t)(p - raw);
		if (i + 1 < len && raw[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && raw[i + 1] == '\r' && raw[i + 2] == '\n')
			return i + 3;
	}
	return len;
}

/* RFC 3834 and common practice: mail written by a program. */
int msg_is_automatic(struct msg *m, const char *from)
{
	const char *v;
	if ((v = msg_raw(m, "Auto-Submitted", 1)) && strncasecmp(v, "no", 2) != 0)
		return 1;
	if ((v = msg_raw(m, "Precedence", 1)) && (!strncasecmp(v, "bulk", 4) ||
	    !strncasecmp(v, "junk", 4) || !strncasecmp(v, "list", 4)))
		return 1;
	if (msg_raw(m, "List-Id", 1) || msg_raw(m, "X-Autoreply", 1) ||
	    msg_raw(m, "X-Autorespond", 1) || msg_raw(m, "X-Auto-Response-Suppress", 1))
		return 1;
	if ((v = msg_raw(m, "Return-Path", 1)) && strstr(v, "<>"))
		return 1;
	if (from) {
		static const char *const robots[] = { "mailer-daemon@", "postmaster@",
			"no-reply", "noreply", "do-not-reply", "donotreply", "bounce" };
		for (size_t i = 0; i < sizeof robots / sizeof robots[0]; i++)
			if (!strncasecmp(from, robots[i], strlen(robots[i])))
				return 1;
	}
	return 0;
}

/* --- first names --- */

/* The code point at s (UTF-8, valid), its length into *len. */
static unsigned cp_at(const unsigned char *s, size_t *len)
{
	if (s[0] < 0x80 || !s[1]) {
		*len = 1;
		return s[0];
	}
	if (s[0] < 0xe0 || !s[2]) {
		*len = 2;
		return (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	}
	if (s[0] < 0xf0 || !s[3]) {
		*len = 3;
		return (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	}
	*len = 4;
	return (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3f) << 12 |
	    (unsigned)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
}

static int is_cjk(unsigned c)
{
	return (c >= 0x3040 && c <= 0x30ff) || (c >= 0x3400 && c <= 0x9fff) ||
	    (c >= 0xac00 && c <= 0xd7af) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0x1100 && c <= 0x11ff) || (c >= 0x20000 && c <= 0x2fa1f);
}

static int is_title(const char *w, size_t l)
{
	static const char *const t[] = { "dr", "prof", "mr", "mrs", "ms", "miss", "mx", "sir",
		"dame", "herr", "frau", "sr", "sra", "srta", "dott", "ing", "mag", "dipl", "m",
		"mme", "mlle", "monsieur", "madame", "sig", "signora", "pan", "pani", "dhr",
		"mevr", "doctor", "professor" };
	while (l && (w[l - 1] == '.' || w[l - 1] == ','))
		l--;
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (strlen(t[i]) == l && !strncasecmp(w, t[i], l))
			return 1;
	return 0;
}

/* Punctuation and quotes around a name part: ASCII, and the common
 * typographic quotes. */
static int name_punct(const unsigned char *p, size_t *len)
{
	unsigned c = cp_at(p, len);
	return (c < 0x80 && strchr(",;:.!?\"'()[]", (int)c) && c) ||
	    c == 0x201c || c == 0x201d || c == 0x2018 || c == 0x2019 || c == 0xab || c == 0xbb ||
	    c == 0x060c || c == 0x061b;	/* Arabic comma, semicolon */
}

void msg_first_name(const char *display, char *out, size_t n)
{
	out[0] = 0;
	if (!display || n < 2 || strchr(display, '@'))
		return;
	char *d = utf8_clean(display, strnlen(display, 512), 1);
	/* "Last, First ...": what follows the only comma */
	char *s = d, *comma = strchr(d, ',');
	if (comma && !strchr(comma + 1, ',') && comma[1 + strspn(comma + 1, " \t\"'")])
		s = comma + 1;
	else
		comma = NULL;
	int cjk = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t l;
		cjk |= is_cjk(cp_at(p, &l));
		p += l;
	}
	/* words: titles skipped; the first other word, or all of a CJK name */
	const char *w = NULL;
	size_t wl = 0;
	int titled = 0;
	for (char *p = s; *p; titled = 1) {
		p += strspn(p, " \t\"'");
		size_t l = strcspn(p, " \t");
		if (!l)
			break;
		if (!is_title(p, l) || cjk) {
			/* "Dr. Schmidt": a title and a family name only */
			if (titled && !comma && !p[l + strspn(p + l, " \t\"'")])
				break;
			w = p;
			wl = cjk ? strlen(p) : l;
			/* "عبد الله", "Abd al-...": the name goes on */
			if (!cjk && ((l == 6 && !memcmp(p, "\xd8\xb9\xd8\xa8\xd8\xaf", 6)) ||
			    (l == 3 && !strncasecmp(p, "abd", 3))) && p[l])
				wl = l + 1 + strcspn(p + l + 1, " \t");
			break;
		}
		p += l;
	}
	size_t pl;
	while (w && wl && name_punct((const unsigned char *)w, &pl) && pl <= wl)
		w += pl, wl -= pl;
	/* trailing punctuation: step back over whole characters */
	while (w && wl) {
		size_t k = wl;
		while (k > 0 && ((unsigned char)w[k - 1] & 0xc0) == 0x80)
			k--;
		if (k == 0 || !name_punct((const unsigned char *)w + k - 1, &pl))
			break;
		wl = k - 1;
	}
	while (w && wl && (w[wl - 1] == ' ' || w[wl - 1] == '\t'))
		wl--;
	/* an initial ("J.") or a single letter tells no first name */
	if (w && wl > 1 && !(wl == 2 && w[1] == '.')) {
		if (wl >= n)
			wl = n - 1;
		while (wl && ((unsigned char)w[wl] & 0xc0) == 0x80)	/* whole characters */
			wl--;
		memcpy(out, w, wl);
		out[wl] = 0;
		int upper = wl > 1, ascii = 1;
		for (size_t i = 0; i < wl; i++) {
			ascii &= (unsigned char)out[i] < 0x80;
			upper &= !(out[i] >= 'a' && out[i] <= 'z');
		}
		if (ascii && upper)
			for (size_t i = 1; i < wl; i++)
				if (out[i] >= 'A' && out[i] <= 'Z')
					out[i] += 'a' - 'A';
	}
	free(d);
}
