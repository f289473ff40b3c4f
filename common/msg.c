/* msg.c: a message's header block, parsed with Mailutils (see msg.h). */
#include "msg.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <mailutils/address.h>
#include <mailutils/errno.h>
#include <mailutils/header.h>
#include <mailutils/mime.h>

#include "date.h"
#include "msgid.h"

int msg_open(struct msg *m, const char *header, size_t len)
{
	mu_header_t h = NULL;
	char *copy = NULL;

	memset(m, 0, sizeof *m);
	/* Mailutils works on C strings: NULs become spaces, CRs go */
	if (memchr(header, 0, len) || memchr(header, '\r', len)) {
		copy = xmalloc(len + 1);
		size_t o = 0;
		for (size_t i = 0; i < len; i++) {
			char c = header[i];
			if (c == '\r')
				continue;
			copy[o++] = c ? c : ' ';
		}
		copy[o] = 0;
		header = copy;
		len = o;
	}
	/* leniency: blank-looking lines and indentation before the first
	 * field are dropped */
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
	/* a header must start with a field name */
	size_t i = 0;
	while (i < len && header[i] != ':' && header[i] != '\n' &&
	    (unsigned char)header[i] > 0x20 && header[i] != 0x7f)
		i++;
	if (i == 0 || i >= len || header[i] != ':')
		m->bad = 1;
	if (len > 0 && mu_header_create(&h, header, len) != 0) {
		h = NULL;
		m->bad = 1;
	}
	free(copy);
	m->hdr = h;
	return m->bad ? -1 : 0;
}

void msg_close(struct msg *m)
{
	if (m->hdr) {
		mu_header_t h = m->hdr;
		mu_header_destroy(&h);
	}
	m->hdr = NULL;
	arena_free(&m->ar);
}

const char *msg_raw(struct msg *m, const char *name, int n)
{
	const char *v;
	if (!m->hdr || mu_header_sget_value_n(m->hdr, name, n, &v) != 0)
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

char *rfc2047_text(const char *s)
{
	char *dec = NULL;
	if (strstr(s, "=?") && mu_rfc2047_decode("UTF-8", s, &dec) == 0 && dec) {
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

		for (int k = 1;; k++) {
			const char *v = msg_raw(m, name, k);
			if (!v)
				break;
			mu_address_t a = NULL;
			size_t cnt = 0;
			int got = 0;
			if (strlen(v) < 16384 && mu_address_create(&a, v) == 0 &&
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

struct refs_ctx {
	struct msg *m;
	const char *self;
	const char **v;
	size_t n, cap;
};

static void add_ref(void *ctx, const char *id, size_t len)
{
	struct refs_ctx *r = ctx;
	if (strlen(r->self) == len && !memcmp(r->self, id, len))
		return;		/* self reference */
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

void msg_ids(struct msg *m, struct msg_ids *ids)
{
	const char *v;
	memset(ids, 0, sizeof *ids);
	if ((v = msg_raw(m, "Message-ID", 1)) != NULL)
		msgid_self(v, strlen(v), ids->mid);
	if ((v = msg_raw(m, "In-Reply-To", 1)) != NULL) {
		size_t n = strlen(v);
		if (msgid_strict(v, n, ids->irt) && !strcmp(ids->irt, ids->mid))
			ids->irt[0] = 0;
		if (msgid_first(v, n, ids->irt_any) && !strcmp(ids->irt_any, ids->mid))
			ids->irt_any[0] = 0;
	}
	struct refs_ctx r = { m, ids->mid, NULL, 0, 0 };
	if ((v = msg_raw(m, "References", 1)) != NULL)
		msgid_each(v, strlen(v), add_ref, &r);
	ids->refs = r.v;
	ids->nrefs = r.n;
}
