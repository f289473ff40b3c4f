/* outmsg.c: outgoing mail (see outmsg.h). */
#include "outmsg.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <mailutils/mailutils.h>
#include <mailutils/address.h>
#include <mailutils/errno.h>

#include "event.h"
#include "msg.h"

#define FOLD 76			/* longest header line we write (RFC 5322: 78) */
#define EW_MAX 72		/* longest encoded word (RFC 2047 §2) */

/* A token of a header value: plain text, or text to encode. */
struct tok {
	const char *p;
	size_t n;
	int enc;
};

/* Lay tokens out, one blank between them, folding before a token that
 * would pass FOLD. */
static void layout(struct buf *b, size_t col, const char **tokp, const size_t *tokn,
    size_t nt, int lead)
{
	for (size_t i = 0; i < nt; i++) {
		if (i > 0 || lead) {
			if (col + 1 + tokn[i] > FOLD) {
				buf_adds(b, "\n ");
				col = 1;
			} else {
				buf_addc(b, ' ');
				col++;
			}
		}
		buf_add(b, tokp[i], tokn[i]);
		col += tokn[i];
	}
	buf_addc(b, '\n');
}

static int needs_enc(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] >= 0x7f || (unsigned char)p[i] < 0x20)
			return 1;
	return mem_find(p, n, "=?", 2) != NULL || mem_find(p, n, "?=", 2) != NULL;
}

/* Encode s (n bytes of UTF-8) as Q encoded words, appended to words
 * (each NUL-terminated in store).  phrase: the stricter set of RFC 2047
 * §5 (3). */
static void encode_words(struct buf *store, size_t *offs, size_t *nw, size_t maxw,
    const char *s, size_t n, int phrase)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i = 0;
	while (i < n && *nw < maxw) {
		size_t start = store->len;
		buf_adds(store, "=?UTF-8?Q?");
		size_t used = 12;	/* prefix and "?=" */
		size_t cut_store = 0, cut_i = 0;	/* just after the last blank */
		while (i < n) {
			/* one whole UTF-8 character */
			size_t cl = 1;
			unsigned char c = (unsigned char)s[i];
			if (c >= 0xc0)
				while (i + cl < n && ((unsigned char)s[i + cl] & 0xc0) == 0x80)
					cl++;
			char piece[32];
			size_t pl = 0;
			for (size_t k = 0; k < cl; k++) {
				unsigned char x = (unsigned char)s[i + k];
				if (x == ' ')
					piece[pl++] = '_';
				else if (x < 0x80 && (isalnum(x) || strchr(phrase ? "!*+-/" :
				    "!*+-/,.:;()<>@[]'&#$%", x)))
					piece[pl++] = (char)x;
				else {
					piece[pl++] = '=';
					piece[pl++] = hex[x >> 4];
					piece[pl++] = hex[x & 15];
				}
			}
			if (used + pl > EW_MAX && used > 12) {
				/* end the word after a blank rather than inside a
				 * word, so no decoder shows a break there */
				if (cut_store) {
					store->len = cut_store;
					i = cut_i;
				}
				break;
			}
			buf_add(store, piece, pl);
			used += pl;
			i += cl;
			if (s[i - 1] == ' ' && i < n)
				cut_store = store->len, cut_i = i;
		}
		buf_adds(store, "?=");
		buf_addc(store, 0);	/* the NUL separates the words */
		offs[(*nw)++] = start;
	}
}

static void header_value(struct buf *b, size_t col, const char *value, int phrase, int lead)
{
	/* clean: control characters become spaces, blanks collapse */
	char *v = utf8_clean(value, strlen(value), 1);
	for (char *c = v; *c; c++)
		if (*c == '\t')
			*c = ' ';
	/* words, grouped in runs to encode */
	enum { MAXT = 512 };
	struct tok t[MAXT];
	size_t nt = 0;
	for (char *p = v; *p && nt < MAXT;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		char *e = p;
		while (*e && *e != ' ')
			e++;
		int enc = needs_enc(p, (size_t)(e - p));
		if (enc && nt && t[nt - 1].enc)	/* join the run, with its blank */
			t[nt - 1].n = (size_t)(e - t[nt - 1].p);
		else {
			t[nt].p = p;
			t[nt].n = (size_t)(e - p);
			t[nt].enc = enc;
			nt++;
		}
		p = e;
	}
	/* a plain word longer than a line could be: encode it (it folds) */
	for (size_t i = 0; i < nt; i++)
		if (t[i].n > FOLD - 12)
			t[i].enc = 1;
	struct buf store = { 0 };
	size_t *offs = xmalloc(4096 * sizeof *offs), nw = 0;
	size_t *isplain = xmalloc(4096 * sizeof *isplain);
	for (size_t i = 0; i < nt && nw < 4096; i++) {
		if (t[i].enc) {
			size_t before = nw;
			encode_words(&store, offs, &nw, 4096, t[i].p, t[i].n, phrase);
			for (size_t k = before; k < nw; k++)
				isplain[k] = 0;
		} else {
			offs[nw] = store.len;
			isplain[nw++] = 1;
			buf_add(&store, t[i].p, t[i].n);
			buf_addc(&store, 0);
		}
	}
	const char **tp = xmalloc((nw + 1) * sizeof *tp);
	size_t *tn = xmalloc((nw + 1) * sizeof *tn);
	for (size_t i = 0; i < nw; i++) {
		tp[i] = store.p + offs[i];
		tn[i] = strlen(tp[i]);
	}
	if (nw == 0)
		buf_addc(b, '\n');
	else
		layout(b, col, tp, tn, nw, lead);
	free(tp);
	free(tn);
	free(offs);
	free(isplain);
	buf_free(&store);
	free(v);
}

void hdr_text(struct buf *b, const char *name, const char *value)
{
	buf_adds(b, name);
	buf_adds(b, ":");
	header_value(b, strlen(name) + 1, value ? value : "", 0, 1);
}

int addr_plain(const char *a)
{
	if (!a || !*a || strlen(a) > 254)
		return 0;
	const char *at = strrchr(a, '@');
	if (!at || at == a || !at[1])
		return 0;
	for (const char *p = a; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("<>()[],;:\"\\", *p))
			return 0;
	return 1;
}

/* A display name: an atom phrase as it is, specials in quotes, anything
 * else encoded. */
static void display_name(struct buf *b, const char *name, size_t col)
{
	char *v = utf8_clean(name, strlen(name), 1);
	int ascii = !needs_enc(v, strlen(v)), special = 0;
	for (char *c = v; *c; c++) {
		if (*c == '\t')
			*c = ' ';
		if (strchr("()<>[]:;@\\,.\"", *c))
			special = 1;
	}
	if (ascii && !special)
		buf_adds(b, v);
	else if (ascii && strlen(v) < 60) {
		buf_addc(b, '"');
		for (char *c = v; *c; c++) {
			if (*c == '"' || *c == '\\')
				buf_addc(b, '\\');
			buf_addc(b, *c);
		}
		buf_addc(b, '"');
	} else {
		struct buf tmp = { 0 };
		header_value(&tmp, col, v, 1, 0);
		buf_add(b, tmp.p, tmp.len - 1);	/* without its newline */
		buf_free(&tmp);
	}
	free(v);
}

static void one_addr(struct buf *b, const char *display, const char *addr, size_t col)
{
	if (display && *display) {
		size_t at = b->len;
		display_name(b, display, col);
		/* the address on the next line when the name took the line */
		const char *last = b->p + at;
		for (const char *c = b->p + at; c < b->p + b->len; c++)
			if (*c == '\n')
				last = c + 1, col = 0;
		col += (size_t)(b->p + b->len - last);
		buf_adds(b, col + strlen(addr) + 3 > FOLD ? "\n <" : " <");
		buf_adds(b, addr);
		buf_addc(b, '>');
	} else
		buf_adds(b, addr);
}

int hdr_addr(struct buf *b, const char *name, const char *display, const char *addr)
{
	if (!addr_plain(addr))
		return -1;
	buf_adds(b, name);
	buf_adds(b, ": ");
	one_addr(b, display, addr, strlen(name) + 2);
	buf_addc(b, '\n');
	return 0;
}

void addrs_add(struct addrs *l, const char *addr, const char *name)
{
	if (!addr_plain(addr) || addrs_has(l, addr))
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 8;
		l->addr = xrealloc(l->addr, l->cap * sizeof *l->addr);
		l->name = xrealloc(l->name, l->cap * sizeof *l->name);
	}
	l->addr[l->n] = xstrdup(addr);
	l->name[l->n++] = name && *name ? xstrdup(name) : NULL;
}

int addrs_has(const struct addrs *l, const char *addr)
{
	for (size_t i = 0; addr && i < l->n; i++)
		if (!strcasecmp(l->addr[i], addr))
			return 1;
	return 0;
}

int addrs_parse(struct addrs *l, const char *list)
{
	mu_address_t a = NULL;
	size_t n = 0;
	if (!msg_angles_ok(list) || mu_address_create(&a, list) != 0 ||
	    mu_address_get_count(a, &n) != 0 || n == 0) {
		mu_address_destroy(&a);
		return -1;
	}
	int rc = 0;
	for (size_t i = 1; i <= n && !rc; i++) {
		const char *e = NULL, *p = NULL;
		if (mu_address_sget_email(a, i, &e) != 0 || !e || !addr_plain(e)) {
			rc = -1;
			break;
		}
		mu_address_sget_personal(a, i, &p);
		char *dp = p ? rfc2047_text(p) : NULL;
		addrs_add(l, e, dp);
		free(dp);
	}
	mu_address_destroy(&a);
	return rc;
}

void addrs_free(struct addrs *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->addr[i]);
		free(l->name[i]);
	}
	free(l->addr);
	free(l->name);
	memset(l, 0, sizeof *l);
}

void hdr_addrs(struct buf *b, const char *name, const struct addrs *l)
{
	if (!l->n)
		return;
	buf_adds(b, name);
	buf_adds(b, ": ");
	size_t col = strlen(name) + 2;
	for (size_t i = 0; i < l->n; i++) {
		if (i) {
			buf_adds(b, ",\n ");
			col = 1;
		}
		size_t at = b->len;
		one_addr(b, l->name[i], l->addr[i], col);
		col += b->len - at;
	}
	buf_addc(b, '\n');
}

int hdr_addrlist(struct buf *b, const char *name, const char *list)
{
	struct addrs l = { 0 };
	int rc = addrs_parse(&l, list);
	if (rc == 0)
		hdr_addrs(b, name, &l);
	addrs_free(&l);
	return rc;
}

char *qp_encode(const char *text, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	struct buf b = { 0 };
	buf_adds(&b, "");
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (le > p && le[-1] == '\r')
			le--;
		size_t col = 0;
		for (const char *c = p; c < le; c++) {
			unsigned char x = (unsigned char)*c;
			char piece[4];
			size_t pl;
			int at_end = c + 1 == le;
			int lit = (x >= 33 && x <= 126 && x != '=') || ((x == ' ' || x == '\t') && !at_end);
			if (c == p && x == 'F' && le - p >= 5 && !memcmp(p, "From ", 5))
				lit = 0;
			if (c == p && x == '.' && le - p == 1)
				lit = 0;
			if (lit)
				piece[0] = (char)x, pl = 1;
			else
				piece[0] = '=', piece[1] = hex[x >> 4], piece[2] = hex[x & 15], pl = 3;
			/* the soft break: "=" ends a line of at most 76 */
			if (col + pl > (at_end ? 76u : 75u)) {
				buf_adds(&b, "=\n");
				col = 0;
			}
			buf_add(&b, piece, pl);
			col += pl;
		}
		if (!nl)
			break;
		buf_addc(&b, '\n');
		p = nl + 1;
	}
	return b.p;
}

void msgid_new(char *out, size_t n, const char *domain, long long now)
{
	static unsigned long counter;
	char rnd[17];
	const char *seed = getenv("MDESK_MSGID_SEED");
	if (seed && *seed) {
		char key[256];
		snprintf(key, sizeof key, "%s/%lu", seed, counter++);
		snprintf(rnd, sizeof rnd, "%016llx", (unsigned long long)hash64(key, strlen(key)));
	} else
		random_hex(rnd);
	time_t t = (time_t)now;
	struct tm tm;
	gmtime_r(&t, &tm);
	char ts[32];
	strftime(ts, sizeof ts, "%Y%m%d%H%M%S", &tm);
	snprintf(out, n, "%s.%s@%s", ts, rnd, domain && *domain ? domain : "mdesk.invalid");
}

void hdr_references(struct buf *b, const char *const *refs, size_t nrefs,
    const char *parent, size_t max)
{
	size_t n = nrefs + (parent && *parent ? 1 : 0);
	if (n == 0)
		return;
	const char **all = xmalloc(n * sizeof *all);
	for (size_t i = 0; i < nrefs; i++)
		all[i] = refs[i];
	if (parent && *parent)
		all[n - 1] = parent;
	if (max < 2)
		max = 2;
	/* the first, then the newest that fit */
	size_t keep_from = n, total = strlen(all[0]) + 3;
	for (size_t i = n; i-- > 1;) {
		size_t l = strlen(all[i]) + 3;
		if (n - i + 1 > max || total + l > 900)
			break;
		total += l;
		keep_from = i;
	}
	buf_adds(b, "References: <");
	buf_adds(b, all[0]);
	buf_addc(b, '>');
	for (size_t i = keep_from; i < n; i++) {
		buf_adds(b, "\n <");
		buf_adds(b, all[i]);
		buf_addc(b, '>');
	}
	buf_addc(b, '\n');
	free(all);
}

int thread_index_reply(const char *parent, long long now, char *out, size_t n)
{
	unsigned char raw[512];
	struct buf in = { 0 };
	size_t rl = b64_decode(parent, strlen(parent), 1, &in) == 0 ? in.len : 0;
	if (rl < sizeof raw - 8)
		memcpy(raw, in.p, rl);
	buf_free(&in);
	if (rl < 22 || rl >= sizeof raw - 8 || (rl - 22) % 5 != 0)
		return -1;
	/* FILETIME: 100 ns since 1601; the header holds its top 48 bits */
	unsigned long long ft = ((unsigned long long)now + 11644473600ULL) * 10000000ULL;
	unsigned long long hf = 0;
	for (int i = 0; i < 6; i++)
		hf = (hf << 8) | raw[i];
	hf <<= 16;
	unsigned long long d = ft > hf ? ft - hf : 0;
	unsigned long v;
	if ((d >> 49) == 0)
		v = (unsigned long)((d >> 18) & 0x7fffffffUL);
	else
		v = 0x80000000UL | (unsigned long)((d >> 23) & 0x7fffffffUL);
	size_t kids = (rl - 22) / 5;
	raw[rl++] = (unsigned char)(v >> 24);
	raw[rl++] = (unsigned char)(v >> 16);
	raw[rl++] = (unsigned char)(v >> 8);
	raw[rl++] = (unsigned char)v;
	unsigned long long h = hash64(raw, rl);
	raw[rl++] = (unsigned char)(((h & 0xf) << 4) | (kids & 0xf));
	struct buf b = { 0 };
	b64_encode(&b, raw, rl, 0);
	int fits = b.len < n;
	if (fits)
		memcpy(out, b.p, b.len + 1);
	buf_free(&b);
	return fits ? 0 : -1;
}

void rfc5322_date(long long t, char *out, size_t n)
{
	static const char *const dn[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mn[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
		"Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d +0000", dn[tm.tm_wday], tm.tm_mday,
	    mn[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void hdr_filename(struct buf *b, const char *field, const char *name)
{
	buf_adds(b, field);
	/* a plain name as it is, quoted; another as RFC 2231 says, in
	 * segments that keep the lines short */
	int plain = 1;
	for (const unsigned char *c = (const unsigned char *)name; *c; c++)
		if (*c < 0x20 || *c >= 0x7f || *c == '"' || *c == '\\')
			plain = 0;
	if (plain) {
		buf_adds(b, ";\n filename=\"");
		buf_adds(b, name);
		buf_addc(b, '"');
	} else {
		static const char hex[] = "0123456789ABCDEF";
		struct buf enc = { 0 };
		for (const unsigned char *c = (const unsigned char *)name; *c; c++) {
			if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
			    (*c >= '0' && *c <= '9') || strchr("!#$&+-.^_`|~", *c))
				buf_addc(&enc, (char)*c);
			else {
				char h[3] = { '%', hex[*c >> 4], hex[*c & 15] };
				buf_add(&enc, h, 3);
			}
		}
		size_t at = 0;
		for (int k = 0; at < enc.len; k++) {
			size_t take = enc.len - at > 60 ? 60 : enc.len - at;
			while (take > 2 && at + take < enc.len && (enc.p[at + take - 1] == '%' ||
			    enc.p[at + take - 2] == '%'))
				take--;	/* never a %XX cut in two */
			char head[48];
			if (!k && take == enc.len)	/* one segment */
				snprintf(head, sizeof head, ";\n filename*=UTF-8''");
			else
				snprintf(head, sizeof head, ";\n filename*%d*=%s", k, k ? "" : "UTF-8''");
			buf_adds(b, head);
			buf_add(b, enc.p + at, take);
			at += take;
		}
		buf_free(&enc);
	}
	buf_addc(b, '\n');
}

int mail_send(const char *url, const char *raw, size_t len, char *err, size_t errlen)
{
	mu_mailer_t mailer = NULL;
	mu_stream_t str = NULL;
	mu_message_t msg = NULL;
	int rc = mu_mailer_create(&mailer, url);
	if (rc != 0 || (rc = mu_mailer_open(mailer, 0)) != 0) {
		snprintf(err, errlen, "mailer %s: %s", url, mu_strerror(rc));
		if (mailer)
			mu_mailer_destroy(&mailer);
		return -1;
	}
	if ((rc = mu_static_memory_stream_create(&str, raw, len)) != 0 ||
	    (rc = mu_stream_to_message(str, &msg)) != 0)
		snprintf(err, errlen, "the message: %s", mu_strerror(rc));
	else if ((rc = mu_mailer_send_message(mailer, msg, NULL, NULL)) != 0)
		snprintf(err, errlen, "mailer %s refused the message: %s", url, mu_strerror(rc));
	mu_stream_unref(str);
	int rc2 = mu_mailer_close(mailer);
	if (rc == 0 && rc2 != 0)
		snprintf(err, errlen, "mailer %s: %s", url, mu_strerror(rc = rc2));
	mu_mailer_destroy(&mailer);
	if (msg)
		mu_message_unref(msg);
	return rc ? -1 : 0;
}

/* s on one line: control characters and bad UTF-8 replaced. */
static void buf_add_oneline(struct buf *b, const char *s)
{
	char *c = utf8_clean(s, strlen(s), 1);
	buf_adds(b, c);
	free(c);
}

/* The summary of t in a notice: who, what, where it stands. */
static void notice_summary(struct buf *b, const struct ticket *t)
{
	buf_adds(b, "\n\nSubject:  ");
	buf_add_oneline(b, t->subject ? t->subject : "");
	buf_adds(b, "\nCustomer: ");
	buf_add_oneline(b, t->customer_name ? t->customer_name : "");
	buf_adds(b, t->customer_name ? " <" : "<");
	buf_add_oneline(b, t->customer ? t->customer : "");
	buf_adds(b, ">\nStatus:   ");
	buf_adds(b, t->status);
	buf_adds(b, "   Priority: ");
	buf_adds(b, t->priority);
	buf_adds(b, "   Queue: ");
	buf_adds(b, t->queue ? t->queue : "-");
	buf_adds(b, "\nAssignee: ");
	buf_adds(b, t->assignee ? t->assignee : "(none)");
	buf_adds(b, "\n\nmdesk show ");
	buf_adds(b, t->id);
	buf_adds(b, "\n");
}

void mail_about_ticket(struct buf *m, const struct ticket *t, long long now, const char *from_name,
    const char *from_addr, const struct addrs *to, const char *what, const char *intro,
    const char *text)
{
	char b[64], mid[256];
	const char *dom = strchr(from_addr, '@');
	rfc5322_date(now, b, sizeof b);
	buf_adds(m, "Date: ");
	buf_adds(m, b);
	buf_adds(m, "\n");
	hdr_addr(m, "From", from_name, from_addr);
	hdr_addrs(m, "To", to);
	struct buf sub = { 0 };
	buf_adds(&sub, "[");
	buf_adds(&sub, t->id);
	buf_adds(&sub, "] ");
	buf_adds(&sub, what);
	buf_adds(&sub, ": ");
	buf_adds(&sub, t->subject ? t->subject : "(no subject)");
	char *hs = utf8_clean(sub.p, sub.len, 1);
	hdr_text(m, "Subject", hs);
	free(hs);
	buf_free(&sub);
	msgid_new(mid, sizeof mid, dom ? dom + 1 : "mdesk.invalid", now);
	buf_adds(m, "Message-ID: <");
	buf_adds(m, mid);
	buf_adds(m, ">\nAuto-Submitted: auto-generated\nX-Mdesk-Ticket: ");
	buf_adds(m, t->id);
	buf_adds(m, "\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n");
	struct buf body = { 0 };
	buf_adds(&body, intro);
	buf_adds(&body, text ? ":\n\n" : ".\n");
	buf_adds(&body, text ? text : "");
	notice_summary(&body, t);
	struct buf clean = { 0 };	/* line by line: the line ends stay */
	for (size_t i = 0; i < body.len;) {
		size_t n = strcspn(body.p + i, "\n");
		char *line = utf8_clean(body.p + i, n, 1);
		buf_adds(&clean, line);
		buf_adds(&clean, "\n");
		free(line);
		i += n + 1;
	}
	char *qp = qp_encode(clean.p, clean.len);
	buf_adds(m, qp);
	free(qp);
	buf_free(&clean);
	buf_free(&body);
}
