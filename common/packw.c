/* packw.c: the objects of a large commit, written as one pack (packw.h). */
#include "packw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <git2/sys/odb_backend.h>
#include <libdeflate.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "util.h"

/* --- SHA-1: of the pack's and the index's bytes, and of blobs' ---------
 * Large inputs (the index of a large desk is tens of megabytes, summed at
 * every commit; a batch's pack) go through libcrypto, which uses the
 * processor's SHA instructions; those under 2 MB (a single delivery's
 * index) through the plain C code below (about 600 MB/s here), which
 * spares libcrypto's start, about 2 ms of a process. */

struct sha1p {
	uint32_t h[5];
	uint64_t len;
	unsigned char blk[64];
	size_t nblk;
};

static uint32_t rol(uint32_t x, int n)
{
	return (x << n) | (x >> (32 - n));
}

/* One block: the 80 rounds written out four groups of twenty, the
 * message schedule kept in sixteen words (about twice as fast as a loop
 * that picks each round's function as it goes). */
#define SHA1_W(i) (w[(i) & 15] = rol(w[((i) + 13) & 15] ^ w[((i) + 8) & 15] ^ \
	w[((i) + 2) & 15] ^ w[(i) & 15], 1))
#define SHA1_R(a, b, c, d, e, f, k, x) do { \
		e += rol(a, 5) + (f) + (k) + (x); \
		b = rol(b, 30); \
	} while (0)
#define SHA1_F1(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define SHA1_F2(b, c, d) ((b) ^ (c) ^ (d))
#define SHA1_F3(b, c, d) (((b) & (c)) | ((d) & ((b) | (c))))
#define SHA1_5(i, F, k, X) do { \
		SHA1_R(a, bb, c, d, e, F(bb, c, d), k, X(i)); \
		SHA1_R(e, a, bb, c, d, F(a, bb, c), k, X((i) + 1)); \
		SHA1_R(d, e, a, bb, c, F(e, a, bb), k, X((i) + 2)); \
		SHA1_R(c, d, e, a, bb, F(d, e, a), k, X((i) + 3)); \
		SHA1_R(bb, c, d, e, a, F(c, d, e), k, X((i) + 4)); \
	} while (0)
#define SHA1_W0(i) w[i]

static void sha1p_block(struct sha1p *s, const unsigned char *b)
{
	uint32_t w[16];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)b[4 * i] << 24 | (uint32_t)b[4 * i + 1] << 16 |
		    (uint32_t)b[4 * i + 2] << 8 | b[4 * i + 3];
	uint32_t a = s->h[0], bb = s->h[1], c = s->h[2], d = s->h[3], e = s->h[4];
	SHA1_5(0, SHA1_F1, 0x5A827999u, SHA1_W0);
	SHA1_5(5, SHA1_F1, 0x5A827999u, SHA1_W0);
	SHA1_5(10, SHA1_F1, 0x5A827999u, SHA1_W0);
	SHA1_R(a, bb, c, d, e, SHA1_F1(bb, c, d), 0x5A827999u, w[15]);
	SHA1_R(e, a, bb, c, d, SHA1_F1(a, bb, c), 0x5A827999u, SHA1_W(16));
	SHA1_R(d, e, a, bb, c, SHA1_F1(e, a, bb), 0x5A827999u, SHA1_W(17));
	SHA1_R(c, d, e, a, bb, SHA1_F1(d, e, a), 0x5A827999u, SHA1_W(18));
	SHA1_R(bb, c, d, e, a, SHA1_F1(c, d, e), 0x5A827999u, SHA1_W(19));
	for (int i = 20; i < 40; i += 5)
		SHA1_5(i, SHA1_F2, 0x6ED9EBA1u, SHA1_W);
	for (int i = 40; i < 60; i += 5)
		SHA1_5(i, SHA1_F3, 0x8F1BBCDCu, SHA1_W);
	for (int i = 60; i < 80; i += 5)
		SHA1_5(i, SHA1_F2, 0xCA62C1D6u, SHA1_W);
	s->h[0] += a;
	s->h[1] += bb;
	s->h[2] += c;
	s->h[3] += d;
	s->h[4] += e;
}

static void sha1p_init(struct sha1p *s)
{
	static const uint32_t h0[5] = {
		0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0
	};
	memcpy(s->h, h0, sizeof h0);
	s->len = 0;
	s->nblk = 0;
}

static void sha1p_add(struct sha1p *s, const void *p, size_t n)
{
	const unsigned char *c = p;
	s->len += n;
	if (s->nblk) {
		size_t k = 64 - s->nblk < n ? 64 - s->nblk : n;
		memcpy(s->blk + s->nblk, c, k);
		s->nblk += k;
		c += k;
		n -= k;
		if (s->nblk < 64)
			return;
		sha1p_block(s, s->blk);
		s->nblk = 0;
	}
	for (; n >= 64; c += 64, n -= 64)
		sha1p_block(s, c);
	memcpy(s->blk, c, n);
	s->nblk = n;
}

static void sha1p_end(struct sha1p *s, unsigned char out[20])
{
	uint64_t bits = s->len * 8;
	unsigned char pad[72] = { 0x80 };
	size_t np = (s->nblk < 56 ? 56 : 120) - s->nblk;
	for (int i = 0; i < 8; i++)
		pad[np + i] = (unsigned char)(bits >> (56 - 8 * i));
	sha1p_add(s, pad, np + 8);
	for (int i = 0; i < 5; i++)
		for (int j = 0; j < 4; j++)
			out[4 * i + j] = (unsigned char)(s->h[i] >> (24 - 8 * j));
}

struct sha1 {
	EVP_MD_CTX *c;
};

static void sha1_init(struct sha1 *s)
{
	s->c = EVP_MD_CTX_new();
	if (!s->c || EVP_DigestInit_ex(s->c, EVP_sha1(), NULL) != 1)
		die(EX_SOFTWARE, "libcrypto: no SHA-1");
}

/* (after sha1_end, nothing: a checksum written is not summed) */
static void sha1_add(struct sha1 *s, const void *p, size_t n)
{
	if (n && s->c && EVP_DigestUpdate(s->c, p, n) != 1)
		die(EX_SOFTWARE, "libcrypto: SHA-1 failed");
}

static void sha1_end(struct sha1 *s, unsigned char out[20])
{
	unsigned int n = 20;
	if (EVP_DigestFinal_ex(s->c, out, &n) != 1 || n != 20)
		die(EX_SOFTWARE, "libcrypto: SHA-1 failed");
	EVP_MD_CTX_free(s->c);
	s->c = NULL;
}

void packw_sha1(const void *p, size_t n, unsigned char out[20])
{
	if (n >= ((size_t)2 << 20)) {
		struct sha1 s;
		sha1_init(&s);
		sha1_add(&s, p, n);
		sha1_end(&s, out);
	} else {
		struct sha1p s;
		sha1p_init(&s);
		sha1p_add(&s, p, n);
		sha1p_end(&s, out);
	}
}

/* --- the backend --------------------------------------------------------- */

struct obj {
	git_oid id;
	git_object_t type;
	size_t len;
	unsigned char *z;	/* its deflated bytes, made before (packw_offer) */
	size_t zlen;
	unsigned char data[];
};

/* Deflated blobs offered ahead of their write (packw_offer). */
struct offer {
	git_oid id;
	unsigned char *z;
	size_t zlen;
};

struct packw {
	git_odb_backend be;	/* first: libgit2 hands it back */
	int active;
	struct obj **tab;	/* open addressing on the id, cap a power of 2 */
	size_t cap;
	struct obj **order;	/* in the order written */
	size_t n, ocap;
	size_t bytes;
	int err;		/* a spill that failed: its errno */
	int fsync;
	char *dir;		/* .git/objects/pack/ */
	struct offer *off;	/* open addressing on the id, cap a power of 2 */
	size_t offcap, noff;
	z_stream zs[2];		/* trees (stored) */
	int zinit[2];
	unsigned char *zbuf;	/* an object deflated by libdeflate */
	size_t zcap;
};

static size_t slot(const struct packw *p, const git_oid *id)
{
	uint64_t h;
	memcpy(&h, id->id, sizeof h);
	size_t i = (size_t)h & (p->cap - 1);
	while (p->tab[i] && git_oid_cmp(&p->tab[i]->id, id) != 0)
		i = (i + 1) & (p->cap - 1);
	return i;
}

static struct obj *find(const struct packw *p, const git_oid *id)
{
	return p->n ? p->tab[slot(p, id)] : NULL;
}

static size_t offer_slot(const struct packw *p, const git_oid *id)
{
	uint64_t h;
	memcpy(&h, id->id, sizeof h);
	size_t i = (size_t)h & (p->offcap - 1);
	while (p->off[i].z && git_oid_cmp(&p->off[i].id, id) != 0)
		i = (i + 1) & (p->offcap - 1);
	return i;
}

void packw_offers_clear(struct packw *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->offcap && p->noff; i++)
		if (p->off[i].z) {
			free(p->off[i].z);
			p->off[i].z = NULL;
			p->noff--;
		}
	p->noff = 0;
}

void packw_offer(struct packw *p, const git_oid *id, void *z, size_t zlen)
{
	if (!p || !z) {
		free(z);
		return;
	}
	if (2 * (p->noff + 1) > p->offcap) {
		struct offer *old = p->off;
		size_t oc = p->offcap;
		p->offcap = p->offcap ? 2 * p->offcap : 1024;
		p->off = xcalloc(p->offcap, sizeof *p->off);
		for (size_t i = 0; i < oc; i++)
			if (old[i].z)
				p->off[offer_slot(p, &old[i].id)] = old[i];
		free(old);
	}
	struct offer *o = &p->off[offer_slot(p, id)];
	if (o->z && o->zlen) {	/* offered before: the same bytes */
		free(z);
		return;
	}
	if (o->z)	/* a tombstone: its slot again */
		free(o->z);
	else
		p->noff++;
	o->id = *id;
	o->z = z;
	o->zlen = zlen;
}

/* Blobs and commits are deflated by libdeflate at its fastest level:
 * four times zlib's speed at its fastest, for a little less room, and
 * its output a zlib stream as git wants. */
static struct libdeflate_compressor *fast_deflater(void)
{
	static struct libdeflate_compressor *c;	/* (plain memory: a forked
						 * process has its own copy) */
	if (!c && !(c = libdeflate_alloc_compressor(1)))
		die(EX_OSERR, "libdeflate: %s", strerror(ENOMEM));
	return c;
}

/* data[0..len) deflated into *buf (grown as needed, *cap its room): the
 * length, or 0 when it cannot be (more than 1 GB). */
static size_t fast_deflate(const void *data, size_t len, unsigned char **buf, size_t *cap)
{
	if (len > (1u << 30))
		return 0;
	struct libdeflate_compressor *c = fast_deflater();
	size_t need = libdeflate_zlib_compress_bound(c, len);
	if (need > *cap) {
		*buf = xrealloc(*buf, need);
		*cap = need;
	}
	return libdeflate_zlib_compress(c, data, len, *buf, *cap);
}

void *packw_deflate_blob(const void *data, size_t len, git_oid *id, size_t *zlen)
{
	char hdr[32];
	int hl = snprintf(hdr, sizeof hdr, "blob %zu", len) + 1;
	struct sha1 s;
	sha1_init(&s);
	sha1_add(&s, hdr, (size_t)hl);
	sha1_add(&s, data, len);
	sha1_end(&s, id->id);
	unsigned char *z = NULL;
	size_t cap = 0, zl = fast_deflate(data, len, &z, &cap);
	if (!zl) {
		free(z);
		return NULL;
	}
	*zlen = zl;
	return z;
}

static void clear(struct packw *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->order[i]->z);
		free(p->order[i]);
	}
	if (p->tab)
		memset(p->tab, 0, p->cap * sizeof *p->tab);
	p->n = 0;
	p->bytes = 0;
}

static int be_read(void **buf, size_t *len, git_object_t *type, git_odb_backend *be,
    const git_oid *id)
{
	struct obj *o = find((struct packw *)be, id);
	if (!o)
		return GIT_ENOTFOUND;
	*buf = git_odb_backend_data_alloc(be, o->len ? o->len : 1);
	if (!*buf)
		return -1;
	memcpy(*buf, o->data, o->len);
	*len = o->len;
	*type = o->type;
	return 0;
}

static int be_read_header(size_t *len, git_object_t *type, git_odb_backend *be,
    const git_oid *id)
{
	struct obj *o = find((struct packw *)be, id);
	if (!o)
		return GIT_ENOTFOUND;
	*len = o->len;
	*type = o->type;
	return 0;
}

static int be_exists(git_odb_backend *be, const git_oid *id)
{
	return find((struct packw *)be, id) != NULL;
}

static int be_freshen(git_odb_backend *be, const git_oid *id)
{
	return find((struct packw *)be, id) ? 0 : GIT_ENOTFOUND;
}

static int be_refresh(git_odb_backend *be)
{
	(void)be;
	return 0;
}

static int be_foreach(git_odb_backend *be, git_odb_foreach_cb cb, void *payload)
{
	struct packw *p = (struct packw *)be;
	for (size_t i = 0; i < p->n; i++) {
		int e = cb(&p->order[i]->id, payload);
		if (e)
			return e;
	}
	return 0;
}

static int write_pack(struct packw *p);
static int (*pack_refresh)(git_odb_backend *);
static int refresh_off;

static int be_write(git_odb_backend *be, const git_oid *id, const void *data, size_t len,
    git_object_t type)
{
	struct packw *p = (struct packw *)be;
	if (find(p, id))
		return 0;
	if (2 * (p->n + 1) > p->cap) {
		struct obj **old = p->tab;
		size_t oc = p->cap;
		p->cap = p->cap ? 2 * p->cap : 1024;
		p->tab = xcalloc(p->cap, sizeof *p->tab);
		for (size_t i = 0; i < oc; i++)
			if (old[i])
				p->tab[slot(p, &old[i]->id)] = old[i];
		free(old);
	}
	if (p->n == p->ocap) {
		p->ocap = p->ocap ? 2 * p->ocap : 1024;
		p->order = xrealloc(p->order, p->ocap * sizeof *p->order);
	}
	struct obj *o = xmalloc(sizeof *o + len);
	o->id = *id;
	o->type = type;
	o->len = len;
	o->z = NULL;
	o->zlen = 0;
	memcpy(o->data, data, len);
	if (p->noff && type == GIT_OBJECT_BLOB) {
		struct offer *f = &p->off[offer_slot(p, id)];
		if (f->z && f->zlen) {	/* taken over; its slot stays (a tombstone) */
			o->z = f->z;
			o->zlen = f->zlen;
			f->z = xmalloc(1);
			f->zlen = 0;
		}
	}
	p->tab[slot(p, id)] = o;
	p->order[p->n++] = o;
	p->bytes += len;
	if (p->bytes > PACKW_SPILL) {
		int e = write_pack(p);
		if (e) {
			p->err = e;
			git_error_set_str(GIT_ERROR_ODB, strerror(e));
			return -1;
		}
	}
	return 0;
}

/* The id of an object: libcrypto's SHA-1 (SHA-NI where the processor
 * has it; libgit2's collision-detecting one is several times slower),
 * with one context kept. */
static int obj_hash(git_oid *id, const void *data, size_t len, git_object_t type)
{
	static EVP_MD_CTX *c;
	static EVP_MD *md;
	if (!c && !(c = EVP_MD_CTX_new()))
		return -1;
	if (!md && !(md = EVP_MD_fetch(NULL, "SHA1", NULL)))
		return -1;
	char hdr[64];
	int hl = snprintf(hdr, sizeof hdr, "%s %zu", git_object_type2string(type), len) + 1;
	unsigned int n = 20;
	if (EVP_DigestInit_ex(c, md, NULL) != 1 || EVP_DigestUpdate(c, hdr, (size_t)hl) != 1 ||
	    (len && EVP_DigestUpdate(c, data, len) != 1) || EVP_DigestFinal_ex(c, id->id, &n) != 1)
		return -1;
	return 0;
}

int packw_put(struct packw *p, git_oid *id, git_object_t type, const void *data, size_t len)
{
	if (!p || !p->active || obj_hash(id, data, len, type) != 0)
		return -1;
	return be_write(&p->be, id, data, len, type);
}

static void be_free(git_odb_backend *be)
{
	struct packw *p = (struct packw *)be;
	clear(p);
	packw_offers_clear(p);
	free(p->off);
	free(p->tab);
	free(p->order);
	free(p->dir);
	for (int i = 0; i < 2; i++)
		if (p->zinit[i])
			deflateEnd(&p->zs[i]);
	free(p->zbuf);
	free(p);
}

/* libgit2 takes a miss in its object database as a sign that another
 * process may have written a pack: before every write of a new object it
 * rereads the folder objects/pack and, for each pack there, looks for it
 * among those it knows.  On a desk of a few hundred packs that was a
 * third of an import.  While quiet, the pack backends' refresh does
 * nothing: set by the writer holding the desk lock (no other writer makes
 * packs then), after one refresh of its own.  The backend's own writing
 * of a pack (writepack) loads the new pack without this entry point. */

static int quiet_refresh(git_odb_backend *b)
{
	return refresh_off ? 0 : pack_refresh(b);
}

/* Likewise, before writing an object libgit2 asks each backend whether
 * it has it already (freshen): the pack backend looks in every pack, and
 * each miss formats an error message.  While quiet the packs answer no at
 * once: the writer's objects are new (its trees and blobs changed), and
 * one that was not is written a second time, which git allows. */
static int (*pack_freshen)(git_odb_backend *, const git_oid *);

static int quiet_freshen(git_odb_backend *b, const git_oid *id)
{
	return refresh_off ? GIT_ENOTFOUND : pack_freshen(b, id);
}

void packw_quiet(git_repository *repo, int on)
{
	refresh_off = 0;
	if (!on)
		return;
	git_odb *odb;
	if (git_repository_odb(&odb, repo) != 0)
		return;
	size_t n = git_odb_num_backends(odb);
	for (size_t i = 0; i < n; i++) {
		git_odb_backend *b;
		if (git_odb_get_backend(&b, odb, i) != 0 || !b->refresh || !b->writepack ||
		    b->write || b->refresh == quiet_refresh)
			continue;	/* not a pack backend, or done */
		if (pack_refresh && b->refresh != pack_refresh)
			continue;	/* another kind: left alone */
		pack_refresh = b->refresh;
		b->refresh = quiet_refresh;
		if (b->freshen && b->freshen != quiet_freshen &&
		    (!pack_freshen || b->freshen == pack_freshen)) {
			pack_freshen = b->freshen;
			b->freshen = quiet_freshen;
		}
	}
	git_odb_refresh(odb);	/* the packs made before the lock was taken */
	refresh_off = pack_refresh != NULL;
	git_odb_free(odb);
}

struct packw *packw_attach(git_repository *repo)
{
	git_odb *odb;
	if (git_repository_odb(&odb, repo) != 0)
		return NULL;
	struct packw *p = xcalloc(1, sizeof *p);
	const char *gd = git_repository_path(repo);
	size_t dl = strlen(gd) + 16;
	p->dir = xmalloc(dl);
	snprintf(p->dir, dl, "%sobjects/pack/", gd);
	git_odb_init_backend(&p->be, GIT_ODB_BACKEND_VERSION);
	p->be.read = be_read;
	p->be.read_header = be_read_header;
	/* write is set only while active: libgit2 then writes loose objects */
	p->be.exists = be_exists;
	p->be.freshen = be_freshen;
	p->be.refresh = be_refresh;
	p->be.foreach = be_foreach;
	p->be.free = be_free;
	/* tried before the loose (1) and packed (2) backends */
	if (git_odb_add_backend(odb, &p->be, 1000) != 0) {
		free(p->dir);
		free(p);
		p = NULL;
	}
	git_odb_free(odb);
	return p;
}

void packw_begin(struct packw *p)
{
	if (p) {
		p->active = 1;
		p->err = 0;
		p->be.write = be_write;
	}
}

int packw_holds(const struct packw *p, const git_oid *id)
{
	return p && p->active && find(p, id) != NULL;
}

size_t packw_count(const struct packw *p)
{
	return p ? p->n : 0;
}

/* --- the pack: "PACK", version 2, the count, each object as its type
 * and size and its deflated bytes, no deltas, and the SHA-1 of it all;
 * then its index (version 2): the ids sorted, with each entry's CRC-32
 * and offset.  Both are written here, each to a temporary file renamed
 * into place, the index last (it makes the pack visible): libgit2's
 * indexer would inflate and hash every object again. -- */

struct ent {
	git_oid id;
	uint64_t off;
	uint32_t crc;
};

struct out {
	int fd;
	struct sha1 sum;
	unsigned char buf[1 << 16];
	size_t n;
	uint64_t off;		/* bytes written before buf */
	int err;
};

static void out_flush(struct out *o)
{
	if (o->n && !o->err) {
		sha1_add(&o->sum, o->buf, o->n);
		const unsigned char *c = o->buf;
		size_t left = o->n;
		while (left) {
			ssize_t w = write(o->fd, c, left);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				o->err = w < 0 ? errno : EIO;
				break;
			}
			c += w;
			left -= (size_t)w;
		}
	}
	o->off += o->n;
	o->n = 0;
}

static void out_add(struct out *o, const void *p, size_t n)
{
	const unsigned char *c = p;
	while (n) {
		size_t k = sizeof o->buf - o->n < n ? sizeof o->buf - o->n : n;
		memcpy(o->buf + o->n, c, k);
		o->n += k;
		c += k;
		n -= k;
		if (o->n == sizeof o->buf)
			out_flush(o);
	}
}

/* The end of a pack or an index: the SHA-1 of all before it, into sum
 * and written. */
static void out_finish(struct out *o, unsigned char sum[20])
{
	out_flush(o);
	sha1_end(&o->sum, sum);
	memcpy(o->buf, sum, 20);
	o->n = 20;
	out_flush(o);
}

static int pack_type(git_object_t t)
{
	switch (t) {
	case GIT_OBJECT_COMMIT: return 1;
	case GIT_OBJECT_TREE: return 2;
	case GIT_OBJECT_BLOB: return 3;
	case GIT_OBJECT_TAG: return 4;
	default: return 3;
	}
}

/* One object at the end of the pack; its offset and CRC-32 into e.
 * Trees are stored, not compressed: twenty of their every thirty-odd
 * bytes are hashes, deflate saves a fifth of them at the cost of most of
 * a batch's compression time, and a repack (mdesk gc) deltifies them
 * anyway.  The streams are kept from one object to the next: setting one
 * up costs more than deflating a small object. */
static int deflate_obj(struct packw *p, struct out *o, const struct obj *ob, struct ent *e)
{
	unsigned char hdr[16];
	size_t h = 0, sz = ob->len;
	hdr[h++] = (unsigned char)(pack_type(ob->type) << 4 | (sz & 15)) | (sz >= 16 ? 0x80 : 0);
	sz >>= 4;
	while (sz) {
		hdr[h++] = (unsigned char)(sz & 0x7f) | (sz >= 128 ? 0x80 : 0);
		sz >>= 7;
	}
	e->id = ob->id;
	e->off = o->off + o->n;
	uLong crc = crc32(crc32(0L, Z_NULL, 0), hdr, (uInt)h);
	out_add(o, hdr, h);
	if (ob->z) {
		e->crc = (uint32_t)crc32(crc, ob->z, (uInt)ob->zlen);
		out_add(o, ob->z, ob->zlen);
		return 0;
	}
	int k = ob->type != GIT_OBJECT_TREE;
	if (k && ob->len <= (1u << 30)) {	/* (larger: zlib, a chunk at a time) */
		size_t zl = fast_deflate(ob->data, ob->len, &p->zbuf, &p->zcap);
		if (!zl)
			return EIO;
		e->crc = (uint32_t)crc32(crc, p->zbuf, (uInt)zl);
		out_add(o, p->zbuf, zl);
		return 0;
	}
	z_stream *zp = &p->zs[k];
	if (!p->zinit[k]) {
		memset(zp, 0, sizeof *zp);
		if (deflateInit(zp, k ? Z_BEST_SPEED : Z_NO_COMPRESSION) != Z_OK)
			return ENOMEM;
		p->zinit[k] = 1;
	} else if (deflateReset(zp) != Z_OK)
		return EIO;
	const unsigned char *in = ob->data;
	size_t left = ob->len;
	int rc;
	do {
		uInt chunk = left > (1u << 30) ? 1u << 30 : (uInt)left;
		zp->next_in = (Bytef *)in;
		zp->avail_in = chunk;
		in += chunk;
		left -= chunk;
		do {
			if (o->n == sizeof o->buf)
				out_flush(o);
			size_t at = o->n;
			zp->next_out = o->buf + o->n;
			zp->avail_out = (uInt)(sizeof o->buf - o->n);
			rc = deflate(zp, left ? Z_NO_FLUSH : Z_FINISH);
			o->n = sizeof o->buf - zp->avail_out;
			crc = crc32(crc, o->buf + at, (uInt)(o->n - at));
		} while (rc == Z_OK && (zp->avail_out == 0 || left == 0));
	} while (left && (rc == Z_OK || rc == Z_BUF_ERROR));
	e->crc = (uint32_t)crc;
	return rc == Z_STREAM_END ? 0 : EIO;
}

static void be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static int by_ent_id(const void *a, const void *b)
{
	return git_oid_cmp(&((const struct ent *)a)->id, &((const struct ent *)b)->id);
}

/* A temporary file in the pack folder: its descriptor, or -1 (errno). */
static int tmp_file(const struct packw *p, const char *stem, char **path)
{
	size_t n = strlen(p->dir) + strlen(stem) + 16;
	*path = xmalloc(n);
	int k = snprintf(*path, n, "%s%s_", p->dir, stem);
	memset(*path + k, 'X', 6);	/* mkstemp's template: six of them */
	(*path)[k + 6] = 0;
	int fd = mkstemp(*path);
	if (fd < 0) {
		int e = errno;
		free(*path);
		*path = NULL;
		errno = e;
	}
	return fd;
}

/* Close fd (flushed to the disk first when asked), read-only, renamed to
 * to: 0 or an errno value (the temporary file removed). */
static int install(int fd, char *tmp, const char *to, int fsync_)
{
	int e = 0;
	if (fsync_ && fsync(fd) != 0)
		e = errno;
	if (fchmod(fd, 0444) != 0 && !e)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e && rename(tmp, to) != 0)
		e = errno;
	if (e)
		unlink(tmp);
	free(tmp);
	return e;
}

/* The index of the entries (sorted here) of the pack whose checksum is
 * sum, into out. */
static void make_index(struct ent *v, size_t n, const unsigned char sum[20], struct out *o)
{
	qsort(v, n, sizeof *v, by_ent_id);
	unsigned char b[8];
	out_add(o, "\377tOc", 4);
	be32(b, 2);
	out_add(o, b, 4);
	size_t k = 0;
	for (int i = 0; i < 256; i++) {
		while (k < n && v[k].id.id[0] == i)
			k++;
		be32(b, (uint32_t)k);
		out_add(o, b, 4);
	}
	for (size_t i = 0; i < n; i++)
		out_add(o, v[i].id.id, GIT_OID_RAWSZ);
	for (size_t i = 0; i < n; i++) {
		be32(b, v[i].crc);
		out_add(o, b, 4);
	}
	uint32_t big = 0;
	for (size_t i = 0; i < n; i++) {
		be32(b, v[i].off < 0x80000000u ? (uint32_t)v[i].off : 0x80000000u | big++);
		out_add(o, b, 4);
	}
	for (size_t i = 0; i < n; i++)
		if (v[i].off >= 0x80000000u) {
			be32(b, (uint32_t)(v[i].off >> 32));
			be32(b + 4, (uint32_t)v[i].off);
			out_add(o, b, 8);
		}
	out_add(o, sum, 20);
	unsigned char isum[20];
	out_finish(o, isum);
}

static int write_pack(struct packw *p)
{
	if (!p->n)
		return 0;
	struct out *o = xcalloc(1, sizeof *o);
	struct ent *v = xmalloc(p->n * sizeof *v);
	char *tmp = NULL, *itmp = NULL;
	int e = 0;
	errno = 0;
	o->fd = tmp_file(p, "tmp_pack", &tmp);
	if (o->fd < 0) {
		e = errno ? errno : EIO;
		goto out;
	}
	sha1_init(&o->sum);
	unsigned char head[12] = { 'P', 'A', 'C', 'K', 0, 0, 0, 2 };
	be32(head + 8, (uint32_t)p->n);
	out_add(o, head, sizeof head);
	for (size_t i = 0; i < p->n && !o->err && !e; i++)
		e = deflate_obj(p, o, p->order[i], &v[i]);
	unsigned char sum[20];
	out_finish(o, sum);
	e = e ? e : o->err;
	char hex[GIT_OID_HEXSZ + 1];
	for (int i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", sum[i]);
	size_t nl = strlen(p->dir) + 64;
	char *name = xmalloc(nl);
	if (e) {
		close(o->fd);
		unlink(tmp);
		free(tmp);
	} else {
		snprintf(name, nl, "%spack-%s.pack", p->dir, hex);
		e = install(o->fd, tmp, name, p->fsync);
	}
	if (!e) {
		struct out *x = o;
		memset(x, 0, sizeof *x);
		x->fd = tmp_file(p, "tmp_idx", &itmp);
		if (x->fd < 0)
			e = errno ? errno : EIO;
		else {
			sha1_init(&x->sum);
			make_index(v, p->n, sum, x);
			snprintf(name, nl, "%spack-%s.idx", p->dir, hex);
			if (x->err) {
				e = x->err;
				close(x->fd);
				unlink(itmp);
				free(itmp);
			} else
				e = install(x->fd, itmp, name, p->fsync);
		}
		if (e) {	/* no index: the pack is nothing */
			snprintf(name, nl, "%spack-%s.pack", p->dir, hex);
			unlink(name);
		}
	}
	if (!e && p->fsync) {
		int dfd = open(p->dir, O_RDONLY | O_DIRECTORY);
		if (dfd < 0 || fsync(dfd) != 0)
			e = errno ? errno : EIO;
		if (dfd >= 0)
			close(dfd);
	}
	free(name);
out:
	free(v);
	free(o);
	clear(p);
	if (e == EFBIG || e == EDQUOT)
		e = ENOSPC;
	if (!e) {	/* the new pack, loaded (a quiet refresh would not) */
		int q = refresh_off;
		refresh_off = 0;
		git_odb_refresh(p->be.odb);
		refresh_off = q;
	}
	return e;
}

int packw_flush(struct packw *p, int fsync)
{
	if (!p)
		return 0;
	p->fsync = fsync;
	int e = p->err ? p->err : write_pack(p);
	p->active = 0;
	p->be.write = NULL;
	p->err = 0;
	clear(p);
	packw_offers_clear(p);
	return e;
}

void packw_discard(struct packw *p)
{
	if (p) {
		clear(p);
		p->active = 0;
		p->be.write = NULL;
		p->err = 0;
	}
}
