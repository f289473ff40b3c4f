/* index.c: derived lookups of a desk (see index.h). */
#include "index.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "ticketid.h"
#include "tickets.h"

/* .git/mdesk/ids, or its file name when given (malloc'd). */
static char *ids_path(struct desk *d, const char *name)
{
	size_t n = strlen(d->state) + 16;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/ids%s%.8s", d->state, name ? "/" : "", name ? name : "");
	return p;
}

/* The bucket of a Message-ID: the first byte of its hash. */
static unsigned bucket_of(const char *mid)
{
	return (unsigned)(hash64(mid, strlen(mid)) >> 56);
}

static char *bucket(struct desk *d, unsigned k)
{
	char name[4];
	snprintf(name, sizeof name, "%02x", k & 0xffu);
	return ids_path(d, name);
}

static int mid_ok(const char *mid)
{
	return *mid && strlen(mid) < 1000 && !strpbrk(mid, "\t\n\r");
}

/* The buckets this process has read, kept as hash tables: a bucket file
 * only grows (entries are appended; a rebuild makes a new file), so a
 * look-up checks the file's size and reads only what was added since.
 * An import looks up every In-Reply-To and References field and adds
 * every message: reading a whole bucket for each grew with the desk. */
static struct bcache {
	int loaded;
	dev_t dev;
	ino_t ino;
	off_t size;		/* bytes read into map */
	struct timespec mtime;	/* the file's when read */
	char tail[32];		/* the last bytes of those (a file made anew
				 * under a reused inode differs there) */
	size_t tl;
	unsigned gen;		/* brought up to its file in this tenure of the
				 * desk lock (0: not since the last add) */
	struct strtab map;	/* Message-ID -> its ticket (arena strings) */
	struct arena a;
} B[256];

static void bcache_drop(struct bcache *c)
{
	strtab_free(&c->map);
	arena_free(&c->a);
	memset(c, 0, sizeof *c);
}

/* The lines "TICKET\tMID" of b into c's table (the newest entry wins).
 * Returns the bytes up to the last newline: a last line without one
 * counts now and is read again with what follows it. */
static size_t bcache_parse(struct bcache *c, const char *b, size_t len)
{
	const char *q = b, *end = b + len;
	while (q < end) {
		const char *nl = memchr(q, '\n', (size_t)(end - q)), *le = nl ? nl : end;
		const char *tab = memchr(q, '\t', (size_t)(le - q));
		char id[16];
		if (tab && tab - q <= 12 && tab + 1 < le) {
			snprintf(id, sizeof id, "%.*s", (int)(tab - q), q);
			if (ticketid_valid(id))
				strtab_put(&c->map, arena_strndup(&c->a, tab + 1, (size_t)(le - tab - 1)),
				    (size_t)arena_strndup(&c->a, id, strlen(id)));
		}
		if (!nl)
			break;
		q = nl + 1;
	}
	return (size_t)(q - b);
}

/* The bucket of mid, brought up to its file: NULL when there is none. */
static struct bcache *bcache_get(struct desk *d, const char *mid)
{
	unsigned k = bucket_of(mid);
	struct bcache *c = &B[k];
	char *p = bucket(d, k);
	struct stat st;
	/* every writer of a bucket holds the desk lock: one brought up to its
	 * file while this process holds it is as it was */
	if (c->loaded && d->lockfd >= 0 && c->gen && c->gen == d->lock_gen) {
		free(p);
		return c;
	}
	/* as read before: a stat, no more (a message looks up each of its
	 * References) */
	if (c->loaded && stat(p, &st) == 0 && st.st_dev == c->dev && st.st_ino == c->ino &&
	    st.st_size == c->size && st.st_mtim.tv_sec == c->mtime.tv_sec &&
	    st.st_mtim.tv_nsec == c->mtime.tv_nsec) {
		free(p);
		c->gen = d->lockfd >= 0 ? d->lock_gen : 0;
		return c;
	}
	int fd = open(p, O_RDONLY | O_NONBLOCK);
	free(p);
	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		bcache_drop(c);
		return NULL;
	}
	char t[32];
	int same_size_changed = st.st_size == c->size && (st.st_mtim.tv_sec != c->mtime.tv_sec ||
	    st.st_mtim.tv_nsec != c->mtime.tv_nsec);
	if (c->loaded && (c->dev != st.st_dev || c->ino != st.st_ino || st.st_size < c->size ||
	    same_size_changed ||
	    (st.st_size > c->size && (pread(fd, t, c->tl, c->size - (off_t)c->tl) != (ssize_t)c->tl ||
	    memcmp(t, c->tail, c->tl)))))
		bcache_drop(c);		/* another file (a rebuild) */
	if (!c->loaded) {
		c->loaded = 1;
		c->dev = st.st_dev;
		c->ino = st.st_ino;
	}
	c->mtime = st.st_mtim;
	if (st.st_size > c->size && st.st_size - c->size <= (off_t)1 << 30) {
		size_t len = (size_t)(st.st_size - c->size), got = 0;
		char *b = xmalloc(len);
		ssize_t k;
		while (got < len && ((k = pread(fd, b + got, len - got, c->size + (off_t)got)) > 0 ||
		    (k < 0 && errno == EINTR)))
			got += k > 0 ? (size_t)k : 0;
		size_t took = bcache_parse(c, b, got);
		if (took) {
			c->size += (off_t)took;
			c->tl = took < sizeof c->tail ? took : sizeof c->tail;
			memcpy(c->tail, b + took - c->tl, c->tl);
		}
		free(b);
	}
	close(fd);
	c->gen = d->lockfd >= 0 ? d->lock_gen : 0;
	return c;
}

int index_lookup(struct desk *d, const char *mid, char ticket[16])
{
	if (!mid_ok(mid))
		return 0;
	struct bcache *c = bcache_get(d, mid);
	const char *id = c ? (const char *)strtab_get(&c->map, mid) : NULL;
	if (!id)
		return 0;
	snprintf(ticket, 16, "%s", id);
	return 1;
}

static int bulk;	/* rebuilding: no look-up before each add */

static int by_bucket(const void *a, const void *b)
{
	/* the bucket, then the order given (the newest entry wins) */
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

void index_add_many(struct desk *d, const struct index_entry *e, size_t n)
{
	/* the new entries, grouped by bucket: one append to each */
	unsigned *v = xmalloc((n ? n : 1) * sizeof *v);
	size_t k = 0;
	for (size_t i = 0; i < n && i < (1u << 24); i++) {
		char have[16];
		if (!mid_ok(e[i].mid) || !ticketid_valid(e[i].ticket))
			continue;
		if (!bulk && index_lookup(d, e[i].mid, have) && !strcmp(have, e[i].ticket))
			continue;
		v[k++] = bucket_of(e[i].mid) << 24 | (unsigned)i;
	}
	qsort(v, k, sizeof *v, by_bucket);
	struct buf b = { 0 };
	for (size_t i = 0; i < k;) {
		size_t j = i;
		b.len = 0;
		for (; j < k && v[j] >> 24 == v[i] >> 24; j++) {
			size_t m = v[j] & 0xffffffu;
			buf_adds(&b, e[m].ticket);
			buf_addc(&b, '\t');
			buf_adds(&b, e[m].mid);
			buf_addc(&b, '\n');
		}
		B[v[i] >> 24].gen = 0;	/* its file grew */
		char *p = bucket(d, v[i] >> 24);
		int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0666);
		if (fd < 0 && errno == ENOENT && !bulk) {
			char *dir = ids_path(d, NULL);
			mkdir(dir, 0777);
			free(dir);
			fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0666);
		}
		free(p);
		/* derived data: what cannot be written the next sync rebuilds */
		if (fd >= 0) {
			if (write(fd, b.p, b.len) != (ssize_t)b.len)
				warnx_("index: %s", strerror(errno));
			close(fd);
		}
		i = j;
	}
	buf_free(&b);
	free(v);
}

void index_add(struct desk *d, const char *mid, const char *ticket)
{
	struct index_entry e = { mid, ticket };
	index_add_many(d, &e, 1);
}

void index_mark(struct desk *d)
{
	char m[GIT_OID_HEXSZ + 1], a[GIT_OID_HEXSZ + 1];
	tickets_tree(d, DESK_BRANCH, m, NULL);
	tickets_tree(d, DESK_ARCHIVE, a, NULL);
	char *dir = ids_path(d, NULL), *p = ids_path(d, "HEAD"), *tmp = ids_path(d, "HEAD.tmp");
	mkdir(dir, 0777);
	free(dir);
	FILE *f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "%s %s\n", m, a);
		if (fclose(f) == 0)
			rename(tmp, p);
	}
	free(tmp);
	free(p);
}

/* The ticket ID of a path SH/ID/events.jsonl of the tickets/ tree, or
 * NULL. */
static int events_ticket(const char *path, char id[16])
{
	const char *p = path, *s1 = strchr(p, '/');
	if (!s1)
		return 0;
	const char *s2 = strchr(s1 + 1, '/');
	if (!s2 || strcmp(s2, "/events.jsonl") != 0 || s2 - s1 - 1 > 12)
		return 0;
	snprintf(id, 16, "%.*s", (int)(s2 - s1 - 1), s1 + 1);
	return ticketid_valid(id);
}

static void add_events(struct desk *d, const char *ticket, const char *text, size_t len)
{
	const char *p = text, *e = text + len;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(e - p);
		json_t *o = json_loadb(p, l, 0, NULL);
		const char *mid = json_string_value(json_object_get(o, "message_id"));
		const char *ti = json_string_value(json_object_get(o, "thread_index"));
		if (mid)
			index_add(d, mid, ticket);
		if (ti)		/* Outlook's Thread-Index of a first mail */
			index_add(d, ti, ticket);
		json_decref(o);
		p += l + 1;
	}
}

static void add_blob(struct desk *d, const git_oid *blob, const char *path)
{
	char id[16];
	git_blob *b;
	if (!events_ticket(path, id) || git_blob_lookup(&b, d->repo, blob) != 0)
		return;
	add_events(d, id, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
	git_blob_free(b);
}

static int walk_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct desk *d = payload;
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
		return 0;
	char path[600];
	snprintf(path, sizeof path, "%s%s", root, git_tree_entry_name(e));
	if (!strcmp(git_tree_entry_name(e), "events.jsonl"))
		add_blob(d, git_tree_entry_id(e), path);
	return 0;
}

static git_tree *tree_of(struct desk *d, const char *hex)
{
	git_oid id;
	git_tree *t = NULL;
	if (!strcmp(hex, "-") || git_oid_fromstr(&id, hex) != 0 ||
	    git_tree_lookup(&t, d->repo, &id) != 0)
		return NULL;
	return t;
}

static int diff_cb(void *payload, const char *path, const git_tree_entry *old,
    const git_tree_entry *now)
{
	(void)old;
	if (now)	/* archived or removed: lookups are checked by the caller */
		add_blob(payload, git_tree_entry_id(now), path);
	return 0;
}

/* Index what changed on one branch between two of its tickets/ trees; 0
 * on success. */
static int update_branch(struct desk *d, const char *from, const char *to)
{
	if (!strcmp(from, to))
		return 0;
	git_tree *a = tree_of(d, from), *b = tree_of(d, to);
	if (strcmp(from, "-") && !a) {
		git_tree_free(b);
		return -1;	/* history we cannot see: rebuild */
	}
	int rc = 0;
	if (!a) {
		if (b)
			git_tree_walk(b, GIT_TREEWALK_PRE, walk_cb, d);
	} else if (b && desk_tree_diff(d->repo, a, b, diff_cb, d) != 0)
		rc = -1;
	git_tree_free(a);
	git_tree_free(b);
	return rc;
}

/* Throw the index away and build it again from the branches. */
static void index_rebuild(struct desk *d)
{
	char *dir = ids_path(d, NULL);
	mkdir(dir, 0777);
	free(dir);
	for (unsigned i = 0; i < 256; i++) {
		char *p = bucket(d, i);
		unlink(p);
		free(p);
	}
	char m[GIT_OID_HEXSZ + 1], a[GIT_OID_HEXSZ + 1];
	tickets_tree(d, DESK_BRANCH, m, NULL);
	tickets_tree(d, DESK_ARCHIVE, a, NULL);
	for (int i = 0; i < 256; i++)
		bcache_drop(&B[i]);
	bulk = 1;	/* a fresh index: every entry is new */
	update_branch(d, "-", m);
	update_branch(d, "-", a);
	bulk = 0;
	index_mark(d);
}

void index_sync(struct desk *d)
{
	char m[GIT_OID_HEXSZ + 1], a[GIT_OID_HEXSZ + 1], om[64] = "", oa[64] = "";
	tickets_tree(d, DESK_BRANCH, m, NULL);
	tickets_tree(d, DESK_ARCHIVE, a, NULL);
	char *p = ids_path(d, "HEAD");
	FILE *f = fopen(p, "r");
	free(p);
	int have = f && fscanf(f, "%63s %63s", om, oa) == 2;
	if (f)
		fclose(f);
	if (!have) {
		index_rebuild(d);
		return;
	}
	if (!strcmp(om, m) && !strcmp(oa, a))
		return;
	if (update_branch(d, om, m) != 0 || update_branch(d, oa, a) != 0) {
		index_rebuild(d);
		return;
	}
	index_mark(d);
}
