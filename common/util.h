/* util.h: allocation, diagnostics, arenas, hashing and UTF-8 helpers. */
#ifndef MDESK_UTIL_H
#define MDESK_UTIL_H
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sysexits.h>

extern const char *progname;

/* Diagnostics: one line on stderr, "prog: message". */
void warnx_(const char *fmt, ...);
_Noreturn void die(int code, const char *fmt, ...);
/* "progname: file:line: msg" on stderr: the faults readers report */
/* Remove path and, when a folder, all below it (no link followed; keep:
 * the folder itself stays). */
void rm_rf(const char *path, int keep);
void print_fault(const char *file, int line, const char *msg);
/* the same with file:line:col when col is not 0 */
void print_fault_col(const char *file, int line, int col, const char *msg);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Arena: many small allocations freed together.  Blocks never move. */
struct arena {
	struct arena_block *head;
	size_t used, cap;
};
void *arena_alloc(struct arena *a, size_t n);
char *arena_strndup(struct arena *a, const char *s, size_t n);
void arena_reset(struct arena *a);	/* free all but one block, keep it */
void arena_free(struct arena *a);

/* Big buffers: arrays of megabytes filled once (a file's text, a table
 * of rows).  Every new page costs a fault, which some virtual machines
 * make dear, so big_alloc asks for huge pages where the system offers
 * them (2 MB: 512 times fewer faults); below 256 KB it is xcalloc.  The
 * memory is zeroed; big_free takes the size given to big_alloc.  Measured:
 * msla --all over 10k tickets takes 62-66 ms of CPU with it, 70-74 ms
 * without.  (The allocator's own heap is left as the C library sets it:
 * huge pages and a 16 MB top pad there cost mthread 6 MB of 65 and saved
 * no time.) */
void *big_alloc(size_t n);
void big_free(void *p, size_t n);
/* The whole of the regular file open on fd (not closed here) in a
 * big_alloc of *len + 1 bytes, NUL-terminated; NULL when it is not a
 * regular file, is larger than max or cannot be read (errno set). */
char *big_read_fd(int fd, size_t max, size_t *len);
/* Write all n bytes (short writes and EINTR retried): 0, or -1 (errno). */
int write_all(int fd, const void *p, size_t n);

/* First occurrence of needle in hay (memmem, which C11 lacks). */
void *mem_find(const void *hay, size_t n, const void *needle, size_t m);

/* Growable byte buffer. */
struct buf {
	char *p;
	size_t len, cap;
};
void buf_grow(struct buf *b, size_t n);	/* room for n more bytes and a NUL */
static inline void buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap)
		buf_grow(b, n);
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
}
static inline void buf_addc(struct buf *b, int c)
{
	if (b->len + 2 > b->cap)
		buf_grow(b, 1);
	b->p[b->len++] = (char)c;
	b->p[b->len] = 0;
}
void buf_adds(struct buf *b, const char *s);
const char *buf_cstr(struct buf *b);	/* NUL-terminated view */
void buf_free(struct buf *b);

/* 64-bit hash of bytes (FNV-1a, finished with a strong mix). */
uint64_t hash64(const void *p, size_t n);
uint64_t hash64_update(uint64_t h, const void *p, size_t n);
uint64_t hash64_final(uint64_t h);
#define HASH64_INIT 0xcbf29ce484222325ULL
/* A checksum of many bytes: XXH64 of libxxhash (several GB/s);
 * chain spans by passing one's result as the next one's seed. */
uint64_t hash64_wide(const void *p, size_t n, uint64_t seed);

/* Strings to numbers by hash (open addressing, grown at half full): the
 * keys are the caller's and must outlive the table; a value is never 0
 * (strtab_get's answer for a key not there). */
struct strtab {
	const char **k;
	size_t *v;
	size_t cap, n;
};
size_t strtab_get(const struct strtab *t, const char *key);
void strtab_put(struct strtab *t, const char *key, size_t val);
void strtab_clear(struct strtab *t);	/* empty, memory kept */
void strtab_free(struct strtab *t);

/* UTF-8: is the span valid?  utf8_clean returns a malloc'd copy where every
 * invalid sequence and every control character except TAB is replaced by
 * U+FFFD (controls by a space when ctl_space is set); NULs never survive. */
int utf8_valid(const char *s, size_t n);
char *utf8_clean(const char *s, size_t n, int ctl_space);

/* The index of w in list (ended by NULL; an empty entry is never matched),
 * or -1. */
int word_index(const char *const *list, const char *w);
/* The value of hex digit c (either case), or -1. */
int hex_digit(int c);
/* Base64 (RFC 4648): s[0..n) up to its first '=' decoded onto out; 0, or
 * -1 at a character that is none of the alphabet (a blank is skipped when
 * blanks is set).  b64_encode: data padded, a line break after every 76
 * characters and at the end when wrap is set. */
int b64_decode(const char *s, size_t n, int blanks, struct buf *out);
void b64_encode(struct buf *out, const void *data, size_t n, int wrap);

/* A table column on stdout: s ("-" when NULL) cut or padded to w
 * characters (a UTF-8 sequence counts as one). */
void put_col(const char *s, int w);
/* qsort's and bsearch's order of entries that begin with their ID (a
 * char array: a ticket's summary, its events), or of an ID and such an
 * entry: by ID. */
int by_id(const void *a, const void *b);
/* For ids[0..n): drop[i] = 1 when ids[i] already appeared at a lower index
 * (the later copies of the same id). */
void mark_later_copies(const char *const *ids, size_t n, unsigned char *drop);
/* The times a desk holds: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z. */
#define TIME_MIN 0LL
#define TIME_MAX 253402300799LL
/* Time as RFC 3339 UTC "2026-11-02T09:14:00Z"; buf needs 32 bytes.  A
 * time outside TIME_MIN..TIME_MAX (only ever computed: no input holds
 * one) is written as the nearer bound. */
char *fmt_rfc3339(long long t, char *buf);
/* Parse RFC 3339 (Z or +hh:mm) or "@epoch"; returns 0 on success, -1 when
 * malformed or outside TIME_MIN..TIME_MAX. */
int parse_rfc3339(const char *s, long long *t);
/* The clock: --now value, else $MDESK_NOW, else time(); a value that is
 * not a time of 1970-9999 exits EX_USAGE. */
long long mdesk_now(const char *opt);

#endif
