/* util.c: allocation, diagnostics, arenas, hashing and UTF-8 helpers. */
#define _XOPEN_SOURCE 700	/* nftw */
#include "util.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>
/* XXH64 from libxxhash (Debian libxxhash-dev), compiled in: no library
 * to link */
#define XXH_INLINE_ALL
#include <xxhash.h>

const char *progname = "mdesk";

static void vmsg(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", progname);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void warnx_(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
}

void die(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	exit(code);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die(EX_TEMPFAIL, "out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p)
		die(EX_TEMPFAIL, "out of memory");
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die(EX_TEMPFAIL, "out of memory (%zu bytes)", n);
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

struct arena_block {
	struct arena_block *next;
	size_t cap;
	max_align_t align[];
};

/* Blocks grow from ARENA_FIRST to ARENA_BLOCK bytes: an arena that holds
 * little (one of many hash buckets) costs little. */
#define ARENA_FIRST (4 * 1024)
#define ARENA_BLOCK (256 * 1024)

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (!a->head || a->used + n > a->cap) {
		size_t next = !a->head ? ARENA_FIRST : a->cap < ARENA_BLOCK ? 2 * a->cap : ARENA_BLOCK;
		size_t cap = n > ARENA_BLOCK / 4 ? n : n > next ? ARENA_BLOCK : next;
		struct arena_block *b = xmalloc(sizeof *b + cap);
		b->cap = cap;
		if (cap == n && a->head) {	/* big: keep the current block */
			b->next = a->head->next;
			a->head->next = b;
			return b->align;
		}
		b->next = a->head;
		a->head = b;
		a->used = 0;
		a->cap = cap;
	}
	void *p = (char *)a->head->align + a->used;
	a->used += n;
	return p;
}

#define BIG_MIN ((size_t)1 << 18)
#define HUGE_PAGE ((size_t)2 << 20)

void *big_alloc(size_t n)
{
	if (n < BIG_MIN)
		return xcalloc(1, n ? n : 1);
	if (n > SIZE_MAX - 2 * HUGE_PAGE)
		die(EX_OSERR, "out of memory");
	size_t len = (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1), all = len + HUGE_PAGE;
	char *raw = mmap(NULL, all, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		die(EX_OSERR, "out of memory");
	/* aligned to a huge page: the head and the tail go back */
	char *p = (char *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	if (p > raw)
		munmap(raw, (size_t)(p - raw));
	if (raw + all > p + len)
		munmap(p + len, (size_t)(raw + all - (p + len)));
#ifdef MADV_HUGEPAGE
	madvise(p, len, MADV_HUGEPAGE);	/* a hint: without it, small pages */
#endif
	return p;
}

void big_free(void *p, size_t n)
{
	if (!p)
		return;
	if (n < BIG_MIN)
		free(p);
	else
		munmap(p, (n + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1));
}

void print_fault_col(const char *file, int line, int col, const char *msg)
{
	char c[16] = "";
	if (col)
		snprintf(c, sizeof c, ":%d", col);
	fprintf(stderr, "%s: %s:%d%s: %s\n", progname, file, line, c, msg);
}

void print_fault(const char *file, int line, const char *msg)
{
	print_fault_col(file, line, 0, msg);
}

static int rm_keep_top;

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)type;
	if (!rm_keep_top || ftw->level > 0)
		remove(path);
	return 0;
}

void rm_rf(const char *path, int keep)
{
	rm_keep_top = keep;
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

int write_all(int fd, const void *p, size_t n)
{
	const char *c = p;
	while (n) {
		ssize_t k = write(fd, c, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		c += k;
		n -= (size_t)k;
	}
	return 0;
}

char *big_read_fd(int fd, size_t max, size_t *len)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return NULL;
	if (!S_ISREG(st.st_mode) || st.st_size < 0 || (unsigned long long)st.st_size > max) {
		errno = EFBIG;
		return NULL;
	}
	size_t size = (size_t)st.st_size, got = 0;
	char *b = big_alloc(size + 1);
	int e = 0;
	while (got < size) {
		ssize_t k = read(fd, b + got, size - got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			e = k < 0 ? errno : EIO;	/* an error, or cut short */
			break;
		}
		got += (size_t)k;
	}
	if (got != size) {
		big_free(b, size + 1);
		errno = e;
		return NULL;
	}
	b[size] = 0;
	*len = size;
	return b;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void arena_reset(struct arena *a)
{
	struct arena_block *b = a->head, *n;
	if (!b)
		return;
	for (b = b->next; b; b = n) {
		n = b->next;
		free(b);
	}
	a->head->next = NULL;
	a->used = 0;
	a->cap = a->head->cap;
}

void arena_free(struct arena *a)
{
	struct arena_block *b = a->head, *n;
	for (; b; b = n) {
		n = b->next;
		free(b);
	}
	a->head = NULL;
	a->used = a->cap = 0;
}

void *mem_find(const void *hay, size_t n, const void *needle, size_t m)
{
	const unsigned char *h = hay, *e = h + n, *nd = needle;
	if (m == 0)
		return (void *)h;
	while (n >= m && (h = memchr(h, nd[0], (size_t)(e - h) - m + 1)) != NULL) {
		if (!memcmp(h, nd, m))
			return (void *)h;
		h++;
		if ((size_t)(e - h) < m)
			break;
	}
	return NULL;
}

void buf_grow(struct buf *b, size_t n)
{
	size_t c = b->cap ? b->cap : 256;
	while (c < b->len + n + 1)
		c *= 2;
	b->p = xrealloc(b->p, c);
	b->cap = c;
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

const char *buf_cstr(struct buf *b)
{
	if (!b->p)
		buf_add(b, "", 0);
	return b->p;
}

void buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

uint64_t hash64_update(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t hash64_final(uint64_t h)
{
	/* splitmix64 finaliser: spreads FNV's weak high bits */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

uint64_t hash64(const void *p, size_t n)
{
	return hash64_final(hash64_update(HASH64_INIT, p, n));
}

static size_t strtab_slot(const struct strtab *t, const char *key)
{
	size_t i = (size_t)hash64_wide(key, strlen(key), 0) & (t->cap - 1);
	while (t->k[i] && strcmp(t->k[i], key))
		i = (i + 1) & (t->cap - 1);
	return i;
}

size_t strtab_get(const struct strtab *t, const char *key)
{
	return t->n ? t->v[strtab_slot(t, key)] : 0;
}

void strtab_put(struct strtab *t, const char *key, size_t val)
{
	if (2 * (t->n + 1) > t->cap) {
		struct strtab g = { NULL, NULL, t->cap ? 2 * t->cap : 16, 0 };
		g.k = xcalloc(g.cap, sizeof *g.k);
		g.v = xcalloc(g.cap, sizeof *g.v);
		for (size_t i = 0; i < t->cap; i++)
			if (t->k[i]) {
				size_t j = strtab_slot(&g, t->k[i]);
				g.k[j] = t->k[i];
				g.v[j] = t->v[i];
				g.n++;
			}
		strtab_free(t);
		*t = g;
	}
	size_t i = strtab_slot(t, key);
	t->n += !t->k[i];
	t->k[i] = key;
	t->v[i] = val;
}

void strtab_clear(struct strtab *t)
{
	if (t->n) {
		memset(t->k, 0, t->cap * sizeof *t->k);
		memset(t->v, 0, t->cap * sizeof *t->v);
	}
	t->n = 0;
}

void strtab_free(struct strtab *t)
{
	free(t->k);
	free(t->v);
	memset(t, 0, sizeof *t);
}

uint64_t hash64_wide(const void *p, size_t n, uint64_t seed)
{
	return XXH64(p, n, seed);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if invalid. */
static size_t u8len(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return 0;
	if (c < 0xe0)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c < 0xf0) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0;	/* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0;	/* surrogate */
		return 3;
	}
	if (c < 0xf5) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0;
		if (c == 0xf4 && s[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

int utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < n) {
		/* eight bytes at a time while they are ASCII and not NUL */
		while (n - i >= 8) {
			uint64_t w;
			memcpy(&w, p + i, 8);
			if ((w | ((w - 0x0101010101010101ULL) & ~w)) & 0x8080808080808080ULL)
				break;
			i += 8;
		}
		if (i == n)
			break;
		if (p[i] < 0x80) {
			if (p[i] == 0)
				return 0;
			i++;
			continue;
		}
		size_t l = u8len(p + i, n - i);
		if (!l)
			return 0;
		i += l;
	}
	return 1;
}

char *utf8_clean(const char *s, size_t n, int ctl_space)
{
	const unsigned char *p = (const unsigned char *)s;
	char *out = xmalloc(n * 3 + 1), *o = out;
	size_t i = 0;
	while (i < n) {
		unsigned c = p[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				if (ctl_space)
					*o++ = ' ';
				else {
					memcpy(o, "\xef\xbf\xbd", 3);
					o += 3;
				}
			} else
				*o++ = (char)c;
			i++;
			continue;
		}
		size_t l = u8len(p + i, n - i);
		if (!l) {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(o, p + i, l);
		o += l;
		i += l;
	}
	*o = 0;
	return out;
}

int word_index(const char *const *list, const char *w)
{
	for (int i = 0; w && list[i]; i++)
		if (*list[i] && !strcmp(list[i], w))
			return i;
	return -1;
}

int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static const char b64_tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_decode(const char *s, size_t n, int blanks, struct buf *out)
{
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n && s[i] != '='; i++) {
		const char *v = s[i] ? strchr(b64_tab, s[i]) : NULL;
		if (!v && blanks && (s[i] == ' ' || s[i] == '\t'))
			continue;
		if (!v)
			return -1;
		acc = (acc << 6) | (unsigned)(v - b64_tab);
		if ((bits += 6) >= 8) {
			bits -= 8;
			buf_addc(out, (int)((acc >> bits) & 0xff));
		}
	}
	return 0;
}

void b64_encode(struct buf *out, const void *data, size_t n, int wrap)
{
	const unsigned char *p = data;
	size_t col = 0;
	buf_grow(out, n / 3 * 4 + n / 57 + 8);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
		    (i + 2 < n ? p[i + 2] : 0);
		char q[4] = { b64_tab[v >> 18 & 63], b64_tab[v >> 12 & 63],
			i + 1 < n ? b64_tab[v >> 6 & 63] : '=', i + 2 < n ? b64_tab[v & 63] : '=' };
		buf_add(out, q, 4);
		if (wrap && (col += 4) == 76) {
			buf_addc(out, '\n');
			col = 0;
		}
	}
	if (wrap && col)
		buf_addc(out, '\n');
	buf_cstr(out);
}

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

char *fmt_rfc3339(long long t, char *buf)
{
	t = t < TIME_MIN ? TIME_MIN : t > TIME_MAX ? TIME_MAX : t;
	long long days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	long long secs = t - days * 86400;
	long long z = days + 719468;
	long long era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	long long y = (long long)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	int hh = (int)(secs / 3600), mi = (int)(secs / 60 % 60), ss = (int)(secs % 60);
	int yy = (int)y;
	char *o = buf;
	*o++ = (char)('0' + yy / 1000);
	*o++ = (char)('0' + yy / 100 % 10);
	*o++ = (char)('0' + yy / 10 % 10);
	*o++ = (char)('0' + yy % 10);
	const int f[5] = { (int)m, (int)d, hh, mi, ss };
	const char sepc[5] = { '-', '-', 'T', ':', ':' };
	for (int i = 0; i < 5; i++) {
		*o++ = sepc[i];
		*o++ = (char)('0' + f[i] / 10 % 10);
		*o++ = (char)('0' + f[i] % 10);
	}
	*o++ = 'Z';
	*o = 0;
	return buf;
}

/* "YYYY-MM-DDTHH:MM:SSZ", the form every event has: 0 with *t set, or -1
 * when s has another form (parse_rfc3339 then reads it the long way). */
static int plain_utc(const char *s, long long *t)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:ddZ";
	for (size_t i = 0; i < sizeof pat; i++)
		if (pat[i] == 'd' ? !(s[i] >= '0' && s[i] <= '9') : s[i] != pat[i])
			return -1;
#define N2(k) ((s[k] - '0') * 10 + (s[k + 1] - '0'))
	int y = N2(0) * 100 + N2(2), mo = N2(5), d = N2(8), h = N2(11), mi = N2(14), sec = N2(17);
#undef N2
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    sec > 60 || (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
		return -1;
	*t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
	return 0;
}

int parse_rfc3339(const char *s, long long *t)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
	char *end;
	if (plain_utc(s, t) == 0)
		return 0;
	if (s[0] == '@') {
		errno = 0;
		long long v = strtoll(s + 1, &end, 10);
		if (errno || end == s + 1 || *end || v < TIME_MIN || v > TIME_MAX)
			return -1;
		*t = v;
		return 0;
	}
	if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	s += n;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &n) != 2 || n != 5)
			return -1;
		s += 1 + n;
		if (*s == ':') {
			if (sscanf(s + 1, "%2d%n", &sec, &n) != 1 || n != 2)
				return -1;
			s += 1 + n;
			if (*s == '.')
				for (s++; *s >= '0' && *s <= '9'; s++)
					;
		}
	}
	long long off = 0;
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		int oh, om;
		if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5)
			return -1;
		off = (oh * 3600 + om * 60) * (*s == '-' ? -1 : 1);
		s += 1 + n;
	}
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (*s || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return -1;
	long long v = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 +
	    mi * 60 + sec - off;
	if (v < TIME_MIN || v > TIME_MAX)
		return -1;
	*t = v;
	return 0;
}

long long mdesk_now(const char *opt)
{
	long long t;
	const char *s = opt ? opt : getenv("MDESK_NOW");
	if (s && *s) {
		if (parse_rfc3339(s, &t) != 0)
			die(EX_USAGE, "%s: bad time '%s' (use RFC 3339 between 1970 and 9999, "
			    "e.g. 2026-11-23T09:00:00Z, or @EPOCH)",
			    opt ? "--now" : "MDESK_NOW", s);
		return t;
	}
	return (long long)time(NULL);
}

int by_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

struct idpos {
	const char *id;
	size_t i;
};

static int by_id_pos(const void *a, const void *b)
{
	const struct idpos *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

void mark_later_copies(const char *const *ids, size_t n, unsigned char *drop)
{
	if (n < 2)
		return;
	struct idpos *v = xmalloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = (struct idpos){ ids[i], i };
	qsort(v, n, sizeof *v, by_id_pos);
	for (size_t i = 1; i < n; i++)
		if (!strcmp(v[i].id, v[i - 1].id))
			drop[v[i].i] = 1;
	free(v);
}

void put_col(const char *s, int w)
{
	int cols = 0;
	for (const char *p = s ? s : "-"; *p && cols < w;) {
		const char *q = p + 1;
		while ((*q & 0xc0) == 0x80)
			q++;
		fwrite(p, 1, (size_t)(q - p), stdout);
		p = q;
		cols++;
	}
	for (; cols < w; cols++)
		putchar(' ');
}
