/* mbox.c: streaming mbox splitter (see mbox.h). */
#define _GNU_SOURCE 1	/* F_SETPIPE_SZ on Linux; harmless elsewhere */
#include "mbox.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "msg.h"

#define CHUNK (1024 * 1024)
#define KEEP 8			/* bytes kept before pos for boundary look-back */
#define ENVELOPE_MAX 4096

struct mbox_reader {
	int fd;
	char *buf;
	size_t cap, pos, end;	/* unconsumed data is buf[pos..end) */
	unsigned long long base;	/* input offset of buf[0] */
	int eof, started, mbox, inbody, body_first;
	unsigned long long msg_off, msg_end;
	char env[ENVELOPE_MAX];
};

struct mbox_reader *mbox_open(int fd)
{
	struct mbox_reader *r = xcalloc(1, sizeof *r);
	r->fd = fd;
	r->cap = 4 * CHUNK;
	r->buf = xmalloc(r->cap);
#ifdef F_SETPIPE_SZ
	/* Linux: a larger pipe means fewer wake-ups of reader and writer */
	fcntl(fd, F_SETPIPE_SZ, CHUNK);
#endif
	return r;
}

int mbox_is_mbox(const struct mbox_reader *r)
{
	return r->mbox;
}

void mbox_close(struct mbox_reader *r)
{
	if (!r)
		return;
	free(r->buf);
	free(r);
}

/* Read more input, keeping buf[pos-KEEP..end).  want: make room so that at
 * least this many bytes after pos can be held.  Returns bytes read, 0 at
 * EOF, -1 on error. */
static ssize_t fill(struct mbox_reader *r, size_t want)
{
	if (r->eof)
		return 0;
	size_t keep_from = r->pos > KEEP ? r->pos - KEEP : 0;
	if (keep_from > 0 && (r->end == r->cap || r->cap - r->end < CHUNK)) {
		memmove(r->buf, r->buf + keep_from, r->end - keep_from);
		r->base += keep_from;
		r->pos -= keep_from;
		r->end -= keep_from;
	}
	size_t need = r->pos + want + KEEP;
	if (need > r->cap || r->cap - r->end < CHUNK / 4) {
		size_t c = r->cap;
		while (c < need || c - r->end < CHUNK / 4)
			c *= 2;
		r->buf = xrealloc(r->buf, c);
		r->cap = c;
	}
	ssize_t n;
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	r->end += (size_t)n;
	return n;
}

/* Make sure at least n bytes are available after pos (or EOF). */
static int need(struct mbox_reader *r, size_t n)
{
	while (r->end - r->pos < n) {
		ssize_t k = fill(r, n);
		if (k < 0)
			return -1;
		if (k == 0)
			return 0;
	}
	return 1;
}

/* Is there a message boundary at buf[k] == '\n' followed by "From "?
 * The line before must be empty.  msg_end gets where the message ends. */
static int boundary_at(const struct mbox_reader *r, size_t k, size_t *msg_end)
{
	if (k >= 1 && r->buf[k - 1] == '\n') {
		*msg_end = k;
		return 1;
	}
	if (k >= 2 && r->buf[k - 1] == '\r' && r->buf[k - 2] == '\n') {
		*msg_end = k - 1;
		return 1;
	}
	return 0;
}

int mbox_body(struct mbox_reader *r, const char **p, size_t *n)
{
	if (!r->inbody)
		return 0;
	for (;;) {
		size_t s = r->pos;
		if (r->mbox) {
			/* the header's empty line may be the separator too */
			size_t from = r->body_first && s > 0 ? s - 1 : s;
			const char *q = r->buf + from, *e = r->buf + r->end;
			while (q + 6 <= e && (q = mem_find(q, (size_t)(e - q), "\nFrom ", 6))) {
				size_t k = (size_t)(q - r->buf), me;
				if (boundary_at(r, k, &me)) {
					r->msg_end = r->base + me;
					*p = r->buf + s;
					*n = me > s ? me - s : 0;
					r->pos = k + 1;
					r->inbody = r->body_first = 0;
					return 1;
				}
				q++;
			}
		}
		if (r->eof) {
			size_t e = r->end;
			if (r->mbox) {
				/* the final separator is not the message's; it may be
				 * the header's empty line (kept in the look-back) */
				unsigned long long start = r->msg_off > r->base ? r->msg_off - r->base : 0;
				if (e >= 2 && e - 2 >= start && r->buf[e - 1] == '\n' && r->buf[e - 2] == '\n')
					e--;
				else if (e >= 4 && e - 4 >= start && !memcmp(r->buf + e - 4, "\r\n\r\n", 4))
					e -= 2;
			}
			r->msg_end = r->base + e;
			*p = r->buf + s;
			*n = e > s ? e - s : 0;
			r->pos = r->end;
			r->inbody = r->body_first = 0;
			return 1;
		}
		/* hand out whole lines, keeping the last line end (and a tail
		 * that may be the start of a boundary) for the next search */
		if (r->end - s > 6) {
			size_t safe = r->end - 6, c = safe;
			const char *nl = NULL;
			while (c > s) {
				if (r->buf[c - 1] == '\n') {
					nl = r->buf + c - 1;
					break;
				}
				c--;
			}
			if (nl) {
				c = (size_t)(nl - r->buf);
				if (c > s && r->buf[c - 1] == '\r')
					c--;
			}
			if (!nl || c <= s)
				c = r->end - s > CHUNK ? safe : s;
			if (c > s) {
				*p = r->buf + s;
				*n = c - s;
				r->pos = c;
				r->body_first = 0;
				return 1;
			}
		}
		if (fill(r, CHUNK) < 0)
			return -1;
	}
}

unsigned long long mbox_msg_end(const struct mbox_reader *r)
{
	return r->msg_end;
}

/* Skip empty lines at the very start of the input. */
static int skip_leading_blank(struct mbox_reader *r)
{
	for (;;) {
		int k = need(r, 2);
		if (k < 0)
			return -1;
		if (r->pos < r->end && r->buf[r->pos] == '\n')
			r->pos++;
		else if (r->end - r->pos >= 2 && r->buf[r->pos] == '\r' && r->buf[r->pos + 1] == '\n')
			r->pos += 2;
		else
			return 0;
	}
}

/* The From_ line at r->pos into r->env and m; r->pos after it (an
 * overlong one is cut in m and skipped to its end).  -1 on a read error. */
static int read_from_line(struct mbox_reader *r, struct mbox_msg *m)
{
	const char *nl;
	for (;;) {
		nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
		if (nl || r->eof || r->end - r->pos > ENVELOPE_MAX)
			break;
		if (fill(r, r->end - r->pos + CHUNK) < 0)
			return -1;
	}
	size_t ll = nl ? (size_t)(nl - (r->buf + r->pos)) + 1 : r->end - r->pos;
	size_t raw = ll < ENVELOPE_MAX - 1 ? ll : ENVELOPE_MAX - 1;
	memcpy(r->env, r->buf + r->pos, raw);
	r->env[raw] = 0;
	size_t el = raw;
	while (el > 5 && (r->env[el - 1] == '\n' || r->env[el - 1] == '\r'))
		el--;
	m->from_line = r->env;
	m->from_line_len = raw;
	m->envelope = r->env + 5;
	m->envelope_len = el - 5;
	if (nl)
		r->pos = (size_t)(nl - r->buf) + 1;
	else {
		/* an overlong From_ line: skip to its end */
		r->pos = r->end;
		for (;;) {
			if (fill(r, CHUNK) <= 0)
				break;
			nl = memchr(r->buf + r->pos, '\n', r->end - r->pos);
			if (nl) {
				r->pos = (size_t)(nl - r->buf) + 1;
				break;
			}
			r->pos = r->end;
		}
	}
	return 0;
}

int mbox_next(struct mbox_reader *r, struct mbox_msg *m)
{
	const char *p;
	size_t n;
	int k;

	memset(m, 0, sizeof *m);
	while (r->inbody)		/* skip the unread rest of the previous body */
		if ((k = mbox_body(r, &p, &n)) <= 0) {
			if (k < 0)
				return -1;
			break;
		}
	if (!r->started) {
		r->started = 1;
		if (skip_leading_blank(r) < 0 || need(r, 5) < 0)
			return -1;
		r->mbox = r->end - r->pos >= 5 && !memcmp(r->buf + r->pos, "From ", 5);
		if (r->pos == r->end)
			return 0;
	} else if (!r->mbox || r->pos >= r->end) {
		if (need(r, 1) < 0)
			return -1;
		if (!r->mbox || r->pos >= r->end)
			return 0;
	}
	r->msg_off = r->base + r->pos;
	m->offset = r->msg_off;

	if (r->mbox && read_from_line(r, m) < 0)	/* the From_ line */
		return -1;

	/* the header block, up to and including its empty line */
	size_t scanned = 0, hend = 0;
	for (;;) {
		const char *base = r->buf + r->pos;
		size_t avail = r->end - r->pos;
		/* an empty first line: the header is empty */
		if (scanned == 0 && avail >= 1 && base[0] == '\n') {
			hend = 1;
			break;
		}
		if (scanned == 0 && avail >= 2 && base[0] == '\r' && base[1] == '\n') {
			hend = 2;
			break;
		}
		size_t from = scanned > 2 ? scanned - 2 : 0;
		const char *q = base + from;
		while ((q = memchr(q, '\n', avail - (size_t)(q - base))) != NULL) {
			size_t i = (size_t)(q - base);
			if (i + 1 < avail && base[i + 1] == '\n') {
				hend = i + 2;
				break;
			}
			if (i + 2 < avail && base[i + 1] == '\r' && base[i + 2] == '\n') {
				hend = i + 3;
				break;
			}
			/* "\n" then "\r" at the end: need more to decide */
			if (i + 2 >= avail && !r->eof)
				break;
			q++;
		}
		if (hend)
			break;
		scanned = avail;
		if (avail >= MBOX_HEADER_MAX) {
			m->header_truncated = 1;
			hend = MBOX_HEADER_MAX;
			break;
		}
		if (r->eof) {
			hend = avail;
			break;
		}
		if (fill(r, avail + CHUNK) < 0)
			return -1;
	}
	if (hend > MBOX_HEADER_MAX) {	/* the rest is skipped like a body */
		hend = MBOX_HEADER_MAX;
		m->header_truncated = 1;
	}
	m->header = r->buf + r->pos;
	m->header_len = hend;
	r->pos += hend;
	r->inbody = r->body_first = 1;
	return 1;
}

/* Line by line: a line of '>'* "From " gains one '>' (add) or, when it
 * has one, loses one. */
static void from_quote(struct buf *out, const char *p, size_t n, int *bol, int add)
{
	size_t i = 0;
	while (i < n) {
		if (*bol && (add || p[i] == '>')) {
			size_t j = i;
			while (j < n && p[j] == '>')
				j++;
			if (n - j >= 5 && !memcmp(p + j, "From ", 5)) {
				if (add)
					buf_addc(out, '>');
				else
					i++;
			}
		}
		const char *nl = memchr(p + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - p) + 1 : n;
		buf_add(out, p + i, e - i);
		*bol = nl != NULL;
		i = e;
	}
}

void mbox_unescape(struct buf *out, const char *p, size_t n, int *bol)
{
	from_quote(out, p, n, bol, 0);
}

void mbox_escape(struct buf *out, const char *p, size_t n, int *bol)
{
	from_quote(out, p, n, bol, 1);
}

void mbox_origin(const char *raw, size_t len, long long fallback, char *sender,
    long long *when)
{
	struct msg m = { 0 };
	const char *addr = NULL, *name = NULL;
	long long t;
	size_t hl = msg_header_len(raw, len);
	snprintf(sender, 256, "MAILER-DAEMON");
	*when = fallback;
	if (msg_open(&m, raw, hl) != 0) {
		msg_free(&m);
		return;
	}
	if (msg_addr(&m, "From", &addr, &name) == 0 && addr && strlen(addr) < 256 &&
	    strchr(addr, '@')) {
		int ok = 1;
		for (const unsigned char *c = (const unsigned char *)addr; *c; c++)
			ok &= *c > 0x20 && *c < 0x7f;
		if (ok)
			snprintf(sender, 256, "%s", addr);
	}
	if (msg_date(&m, &t) == 0)
		*when = t;
	msg_free(&m);
}

void mbox_from(struct buf *out, const char *sender, long long when)
{
	char date[64];
	time_t tt = (time_t)when;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
	buf_adds(out, "From ");
	buf_adds(out, sender);
	buf_addc(out, ' ');
	buf_adds(out, date);
	buf_addc(out, '\n');
}

void mbox_from_line(struct buf *out, const char *raw, size_t len, long long fallback)
{
	char sender[256];
	long long w;
	mbox_origin(raw, len, fallback, sender, &w);
	mbox_from(out, sender, w);
}
