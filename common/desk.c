/* desk.c: the desk, a git repository of plain files (see desk.h). */
#define _GNU_SOURCE	/* RTLD_NEXT */
#include "desk.h"
#include "outbox.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ticketid.h"

#define GC_EVERY 200		/* commits between packing loose objects */

/* A libgit2 built with mbedTLS (Debian's) parses the whole system CA
 * bundle inside git_libgit2_init: about 6 ms of every run, for TLS that no
 * local desk command uses.  While the library starts, that parse is
 * skipped (the chain stays empty, so an https connection would fail its
 * certificate check, never pass it); at any other time the call goes to
 * mbedTLS, so code that talks https first sets the CA locations with
 * git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, ...).  A libgit2 built
 * with OpenSSL never calls this. */
static int git_starting;
struct mbedtls_x509_crt;
int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path);
int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path)
{
	static int (*real)(struct mbedtls_x509_crt *, const char *);
	if (git_starting)
		return 0;
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "mbedtls_x509_crt_parse_file");
	return real ? real(chain, path) : -1;
}

/* Likewise libssh2_init, which libgit2 calls while it starts: with
 * libssh2 built on OpenSSL it starts OpenSSL (its configuration read, and
 * its clean-up at exit), about 3 ms of every run, for ssh that no local
 * desk command uses.  It is put off until desk_git_net. */
static int ssh_deferred;
int libssh2_init(int flags);
int libssh2_init(int flags)
{
	static int (*real)(int);
	if (git_starting) {
		ssh_deferred = 1;
		return 0;
	}
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "libssh2_init");
	return real ? real(flags) : -1;
}

void desk_git_net(void)
{
	if (ssh_deferred) {
		ssh_deferred = 0;
		libssh2_init(0);
	}
}

void desk_git_init(void)
{
	static int done;
	if (!done) {
		git_starting = 1;
		git_libgit2_init();
		git_starting = 0;
		/* libgit2 caches only commits and trees under 4 KB: a desk's
		 * tickets/ tree and a batch's commit are larger, and were read
		 * and inflated again at every lookup */
		git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, (int)GIT_OBJECT_COMMIT, (size_t)1 << 20);
		git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, (int)GIT_OBJECT_TREE, (size_t)1 << 20);
		done = 1;
	}
}

void desk_git_create(const char *dir)
{
	git_repository *repo;
	git_repository_init_options o;
	desk_git_init();
	git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	o.flags = GIT_REPOSITORY_INIT_MKPATH;
	o.initial_head = "main";
	if (git_repository_init_ext(&repo, dir, &o) != 0)
		desk_git_die(EX_CANTCREAT, dir);
	git_repository_free(repo);
}

void desk_git_die(int code, const char *what)
{
	const git_error *e = git_error_last();
	die(code, "%s: %s", what, e && e->message ? e->message : "git error");
}

static char *join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s", a, b);
	return p;
}

static int is_desk(const char *dir)
{
	struct stat st;
	char *c = join(dir, "desk.conf"), *g = join(dir, ".git");
	int ok = stat(c, &st) == 0 && S_ISREG(st.st_mode) && stat(g, &st) == 0 &&
	    S_ISDIR(st.st_mode);
	free(c);
	free(g);
	return ok;
}

static void load_conf(struct desk *d)
{
	size_t len;
	char *text = desk_read_file(d, "desk.conf", &len);
	const char *err = NULL;
	if (!text)
		die(EX_CONFIG, "%s/desk.conf: cannot read: %s", d->root, strerror(errno));
	int line = conf_parse(&d->conf, "desk.conf", text, len, &err);
	free(text);
	if (line)
		die(EX_CONFIG, "desk.conf:%d: %s", line, err);
	d->conf_loaded = 1;
}

void desk_open(struct desk *d, const char *dir)
{
	char cwd[PATH_MAX], *found = NULL;
	memset(d, 0, sizeof *d);
	d->lockfd = -1;
	if (dir && *dir) {
		if (!is_desk(dir))
			die(EX_CONFIG, "%s: not a desk (no desk.conf or .git); create one "
			    "with 'mdesk init %s'", dir, dir);
		found = realpath(dir, NULL);
	} else if ((dir = getenv("MDESK_DIR")) && *dir) {
		if (!is_desk(dir))
			die(EX_CONFIG, "MDESK_DIR=%s: not a desk (no desk.conf or .git); "
			    "create one with 'mdesk init %s'", dir, dir);
		found = realpath(dir, NULL);
	} else if (getcwd(cwd, sizeof cwd)) {
		for (;;) {
			if (is_desk(cwd)) {
				found = xstrdup(cwd);
				break;
			}
			char *sl = strrchr(cwd, '/');
			if (!sl || sl == cwd)
				break;
			*sl = 0;
		}
	}
	if (!found)
		die(EX_CONFIG, "no desk here or in any parent directory; create one "
		    "with 'mdesk init DIR' and use --desk DIR or MDESK_DIR");
	d->root = found;
	/* a file-size limit (a full disk in miniature) must fail a write,
	 * not kill the writer half way */
	signal(SIGXFSZ, SIG_IGN);
	desk_git_init();
	if (git_repository_open(&d->repo, d->root) != 0)
		desk_git_die(EX_CONFIG, d->root);
	char *g = join(d->root, ".git");
	d->state = join(g, "mdesk");
	free(g);
	mkdir(d->state, 0777);
	load_conf(d);
	const char *fs = conf_get(&d->conf, "", "", "fsync");
	int on = 1;
	if (fs && conf_bool(fs, &on) != 0)
		die(EX_CONFIG, "desk.conf:%d: fsync: want yes or no",
		    conf_line(&d->conf, "", "", "fsync"));
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, on);
	d->fsync = on;
}

static void ixd_free(struct desk *d);

void desk_close(struct desk *d)
{
	desk_defer_index(d, 0);
	desk_unlock(d);
	ixd_free(d);
	if (d->repo)
		git_repository_free(d->repo);
	if (d->conf_loaded)
		conf_free(&d->conf);
	free(d->root);
	free(d->state);
	memset(d, 0, sizeof *d);
	d->lockfd = -1;
}

/* --- reading --- */

/* path under root, each of its components opened without following a
 * link; only a regular file (a FIFO there does not hang): fd or -1. */
static int open_plain(const char *root, const char *path)
{
	int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (const char *p = path; dfd >= 0;) {
		const char *sl = strchr(p, '/');
		size_t n = sl ? (size_t)(sl - p) : strlen(p);
		char comp[256];
		if (n >= sizeof comp || n == 0) {
			close(dfd);
			errno = ENOENT;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = 0;
		int fd = openat(dfd, comp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC |
		    (sl ? O_DIRECTORY : O_NONBLOCK));
		close(dfd);
		struct stat st;
		if (fd < 0)
			return -1;
		if (sl) {
			dfd = fd;
			p = sl + 1;
			continue;
		}
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			errno = EINVAL;
			return -1;
		}
		return fd;
	}
	return -1;
}

char *desk_read_file(struct desk *d, const char *path, size_t *len)
{
	int fd = open_plain(d->root, path);
	if (fd < 0)
		return NULL;
	struct buf b = { 0 };
	char tmp[65536];
	ssize_t n;
	while ((n = read(fd, tmp, sizeof tmp)) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(fd);
	if (n < 0) {
		buf_free(&b);
		return NULL;
	}
	buf_cstr(&b);
	*len = b.len;
	return b.p;
}

int desk_branch_id(struct desk *d, const char *ref, git_oid *out)
{
	int k = !strcmp(ref, DESK_BRANCH) ? 0 : !strcmp(ref, DESK_ARCHIVE) ? 1 : -1;
	if (k >= 0 && d->lockfd >= 0 && d->refc_state[k]) {
		if (d->refc_state[k] < 0)
			return -1;
		*out = d->refc[k];
		return 0;
	}
	git_oid id;
	int rc = git_reference_name_to_id(&id, d->repo, ref) == 0 ? 0 : -1;
	if (k >= 0 && d->lockfd >= 0) {
		d->refc_state[k] = rc == 0 ? 1 : -1;
		d->refc[k] = id;
	}
	if (rc == 0)
		*out = id;
	return rc;
}

void desk_branch_moved(struct desk *d)
{
	d->refc_state[0] = d->refc_state[1] = 0;
}

static git_tree *branch_tree(struct desk *d, const char *ref, git_oid *head)
{
	git_oid id;
	git_commit *c;
	git_tree *t;
	if (desk_branch_id(d, ref, &id) != 0)
		return NULL;
	if (head)
		*head = id;
	if (git_commit_lookup(&c, d->repo, &id) != 0)
		desk_git_die(EX_TEMPFAIL, ref);
	if (git_commit_tree(&t, c) != 0)
		desk_git_die(EX_TEMPFAIL, ref);
	git_commit_free(c);
	return t;
}

static char *blob_at(struct desk *d, git_tree *t, const char *path, size_t *len)
{
	git_tree_entry *e;
	git_blob *b;
	if (!t || git_tree_entry_bypath(&e, t, path) != 0)
		return NULL;
	char *out = NULL;
	if (git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
	    git_blob_lookup(&b, d->repo, git_tree_entry_id(e)) == 0) {
		*len = (size_t)git_blob_rawsize(b);
		out = xstrndup(git_blob_rawcontent(b), *len);
		git_blob_free(b);
	}
	git_tree_entry_free(e);
	return out;
}

char *desk_read_head(struct desk *d, const char *path, size_t *len, int archived)
{
	git_tree *t = branch_tree(d, archived ? DESK_ARCHIVE : DESK_BRANCH, NULL);
	char *r = blob_at(d, t, path, len);
	git_tree_free(t);
	return r;
}

/* --- writing files atomically --- */

static int mkdirs(const char *root, const char *path)
{
	char *p = join(root, path);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = 0;
		if (mkdir(p, 0777) != 0 && errno != EEXIST) {
			free(p);
			return -1;
		}
		*s = '/';
	}
	free(p);
	return 0;
}

/* A temporary file next to full, named as remove_temps expects (".NAME."
 * and six characters), made with the mode git gives a file; its
 * directories are made when missing.  The descriptor, or -1. */
static int open_temp(const char *root, const char *path, const char *full, char *tmp,
    size_t tl)
{
	static unsigned long seq;
	const char *sl = strrchr(full, '/');
	int tn = snprintf(tmp, tl, "%.*s/.%s.", (int)(sl - full), full, sl + 1);
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
	for (int tries = 0, made = 0; tries < 100; tries++) {
		/* unique for the writer holding the lock, which is the only one */
		unsigned long v = (unsigned long)getpid() * 7919u + seq++;
		for (int i = 0; i < 6; i++, v /= 36)
			tmp[tn + i] = digits[v % 36];
		tmp[tn + 6] = 0;
		int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd >= 0)
			return fd;
		if (errno == ENOENT && !made) {
			made = 1;
			if (mkdirs(root, path) != 0)
				return -1;
			continue;
		}
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

/* Write path (relative to root) by a temporary file and rename; a file
 * expected to be new (fresh) is made in place when it is, as a message's
 * file in its ticket is: the journal of the commit names it, so a writer
 * killed halfway leaves it to the next writer to make again. */
static int write_atomic(const char *root, const char *path, const void *data,
    size_t len, struct stat *st, int fresh)
{
	char *full = join(root, path);
	size_t tl = strlen(full) + 16;
	char *tmp = xmalloc(tl);
	int fd = -1;
	if (fresh) {
		fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno == ENOENT && mkdirs(root, path) == 0)
			fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	}
	int direct = fd >= 0;	/* made in place: no rename */
	if (direct)
		snprintf(tmp, tl, "%s", full);	/* what a failure unlinks */
	else
		fd = open_temp(root, path, full, tmp, tl);
	int rc = -1;
	if (fd >= 0) {
		const char *p = data;
		size_t left = len;
		while (left) {
			ssize_t n = write(fd, p, left);
			if (n < 0) {
				if (errno == EINTR)
					continue;
				break;
			}
			p += n;
			left -= (size_t)n;
		}
		if (left == 0 && close(fd) == 0) {
			fd = -1;
			if ((direct || rename(tmp, full) == 0) && stat(full, st) == 0)
				rc = 0;
		}
		if (fd >= 0)
			close(fd);
		if (rc != 0) {
			int e = errno;
			unlink(tmp);
			errno = e;
		}
	}
	free(tmp);
	free(full);
	return rc;
}

static void rm_rf(const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode)) {
		DIR *dir = opendir(path);
		struct dirent *de;
		while (dir && (de = readdir(dir))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char *c = join(path, de->d_name);
			rm_rf(c);
			free(c);
		}
		if (dir)
			closedir(dir);
		rmdir(path);
	} else
		unlink(path);
}

/* Remove empty parent directories of path up to the root. */
static void prune_dirs(const char *root, const char *path)
{
	char *p = join(root, path);
	size_t rl = strlen(root);
	for (char *s; (s = strrchr(p, '/')) && (size_t)(s - p) > rl;) {
		*s = 0;
		if (rmdir(p) != 0)
			break;
	}
	free(p);
}

/* A change of the index: path out (all its stages, and everything under
 * it), then, unless gone, in with the entry e. */
struct ixc {
	char *path;
	int gone;
	git_index_entry e;
};
struct ixlist {
	struct ixc *v;
	size_t n;
};

static void ix_free(struct ixlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* Apply the changes to a libgit2 index. */
static void ix_apply(git_index *idx, const struct ixlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct ixc *c = &l->v[i];
		if (c->gone) {
			git_index_remove_directory(idx, c->path, 0);
			git_index_remove(idx, c->path, 0);
		} else if (git_index_add(idx, &c->e) != 0)
			desk_git_die(EX_TEMPFAIL, c->path);
	}
}

/* Is the file at full a plain file holding exactly data[0..len)?  Its
 * stat into *st when it is. */
static int file_holds(const char *full, const void *data, size_t len, struct stat *st)
{
	if (lstat(full, st) != 0 || !S_ISREG(st->st_mode) || (size_t)st->st_size != len)
		return 0;
	int fd = open(full, O_RDONLY | O_NOFOLLOW);
	if (fd < 0)
		return 0;
	char buf[65536];
	size_t at = 0;
	ssize_t n = 0;
	int same = 1;
	while (same && (n = read(fd, buf, sizeof buf)) > 0) {
		same = at + (size_t)n <= len && !memcmp((const char *)data + at, buf, (size_t)n);
		at += (size_t)n;
	}
	same = same && n == 0 && at == len && fstat(fd, st) == 0;
	close(fd);
	return same;
}

struct change;
static const void *change_file(const struct change *c, size_t *len, const git_oid **id);
static int change_new(const struct change *c);

/* Bring path in the working tree in line with tree (or with the file of
 * the committed change ch, when given); the change the index needs goes
 * to rec. */
static int materialize(struct desk *d, struct ixlist *rec, git_tree *tree, const char *path,
    const struct change *ch)
{
	git_tree_entry *e = NULL;
	char *full = join(d->root, path);
	int rc = 0;
	rec->v = xrealloc(rec->v, (rec->n + 1) * sizeof *rec->v);
	struct ixc *c = &rec->v[rec->n];
	memset(c, 0, sizeof *c);
	c->path = xstrdup(path);
	if (ch || (tree && git_tree_entry_bypath(&e, tree, path) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_BLOB)) {
		git_blob *b = NULL;
		struct stat st;
		const void *data;
		size_t len;
		const git_oid *id;
		if (ch)
			data = change_file(ch, &len, &id);
		else {
			if (git_blob_lookup(&b, d->repo, git_tree_entry_id(e)) != 0)
				desk_git_die(EX_TEMPFAIL, path);
			data = git_blob_rawcontent(b);
			len = (size_t)git_blob_rawsize(b);
			id = git_tree_entry_id(e);
		}
		/* a file already as the tree has it (a path of the journal
		 * whose writer got that far) is kept: only the index needs it */
		if (!(!ch && file_holds(full, data, len, &st)) &&
		    write_atomic(d->root, path, data, len, &st, ch && change_new(ch)) != 0) {
			rc = -1;
			free(c->path);
		} else {
			git_index_entry *ie = &c->e;
			ie->ctime.seconds = (int32_t)st.st_ctim.tv_sec;
			ie->ctime.nanoseconds = (uint32_t)st.st_ctim.tv_nsec;
			ie->mtime.seconds = (int32_t)st.st_mtim.tv_sec;
			ie->mtime.nanoseconds = (uint32_t)st.st_mtim.tv_nsec;
			ie->dev = (uint32_t)st.st_dev;
			ie->ino = (uint32_t)st.st_ino;
			ie->mode = GIT_FILEMODE_BLOB;
			ie->uid = (uint32_t)st.st_uid;
			ie->gid = (uint32_t)st.st_gid;
			ie->file_size = (uint32_t)st.st_size;
			ie->id = *id;
			ie->path = c->path;
			rec->n++;
		}
		git_blob_free(b);
	} else {
		/* gone (or a directory gone): out of the tree and the index */
		struct stat st;
		if (lstat(full, &st) == 0)
			rm_rf(full);
		c->gone = 1;
		rec->n++;
		prune_dirs(d->root, path);
	}
	git_tree_entry_free(e);
	free(full);
	return rc;
}


/* --- the index file, spliced ---
 *
 * libgit2 reads and parses the whole index, then writes it whole: at two
 * thousand open tickets (six thousand entries) about 15 ms of every
 * commit.  The entries of an index (versions 2 and 3) are kept sorted by
 * path, so a commit's few changes are spliced into the file's bytes
 * instead: the untouched entries are copied as they are, the extensions
 * (the cache tree and the like, all optional) are dropped, the checksum
 * is computed again, and the file replaced through index.lock as git
 * does.  Any other index (version 4, a split or sparse index, damage)
 * goes through libgit2. */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(struct buf *b, uint32_t v)
{
	unsigned char x[4] = { (unsigned char)(v >> 24), (unsigned char)(v >> 16),
		(unsigned char)(v >> 8), (unsigned char)v };
	buf_add(b, x, 4);
}

static int by_ixc_path(const void *a, const void *b)
{
	return strcmp(((const struct ixc *)a)->path, ((const struct ixc *)b)->path);
}

/* Is there a change for the path name[0..n)?  (a binary search) */
static const struct ixc *ix_find(const struct ixlist *l, const char *name, size_t n)
{
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *p = l->v[mid].path;
		int c = strncmp(p, name, n);
		if (!c && p[n])
			c = 1;
		if (!c)
			return &l->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static void ix_entry(struct buf *b, const git_index_entry *e)
{
	size_t nl = strlen(e->path);
	put32(b, (uint32_t)e->ctime.seconds);
	put32(b, e->ctime.nanoseconds);
	put32(b, (uint32_t)e->mtime.seconds);
	put32(b, e->mtime.nanoseconds);
	put32(b, e->dev);
	put32(b, e->ino);
	put32(b, e->mode);
	put32(b, e->uid);
	put32(b, e->gid);
	put32(b, e->file_size);
	buf_add(b, e->id.id, GIT_OID_RAWSZ);
	unsigned char fl[2] = { (unsigned char)((nl < 0xfff ? nl : 0xfff) >> 8),
		(unsigned char)(nl < 0xfff ? nl : 0xfff) };
	buf_add(b, fl, 2);
	buf_add(b, e->path, nl);
	static const char zeros[8];
	buf_add(b, zeros, ((62 + nl + 8) & ~(size_t)7) - 62 - nl);
}

/* 0 written; 1 an index this does not handle (use libgit2); -1 failed
 * (errno set). */
static int ix_splice(struct desk *d, struct ixlist *l)
{
	char *ip = join(d->root, ".git/index");
	int fd = open(ip, O_RDONLY);
	size_t len = 0;
	unsigned char *x = fd < 0 ? NULL : (unsigned char *)big_read_fd(fd, (size_t)1 << 40, &len);
	if (fd >= 0)
		close(fd);
	uint32_t ver = x && len >= 32 ? be32(x + 4) : 0;
	if (!x || len < 32 || memcmp(x, "DIRC", 4) || (ver != 2 && ver != 3)) {
		if (x)
			big_free(x, len + 1);
		free(ip);
		return 1;
	}
	ssize_t k;
	uint32_t n = be32(x + 8);
	size_t end = len - 20, p = 12;
	qsort(l->v, l->n, sizeof *l->v, by_ixc_path);
	/* the new index is the old one with the changes spliced in: its
	 * room is known (an entry takes at most 72 bytes and its path) */
	size_t room = len + 21;
	for (size_t i = 0; i < l->n; i++)
		room += 72 + strlen(l->v[i].path);
	struct buf out = { big_alloc(room), 0, room };
	buf_add(&out, x, 12);
	uint32_t count = 0;
	size_t j = 0;	/* next change to put in */
	int bad = 0, gone = 0;
	for (size_t i = 0; i < l->n; i++)
		gone |= l->v[i].gone;
	for (uint32_t i = 0; i < n && !bad; i++) {
		if (p + 62 > end) {
			bad = 1;
			break;
		}
		unsigned fl = (unsigned)x[p + 60] << 8 | x[p + 61];
		size_t ext = ver >= 3 && (fl & 0x4000) ? 2 : 0;
		const char *name = (const char *)x + p + 62 + ext;
		size_t nl = fl & 0xfff;
		if (nl == 0xfff) {
			const char *z = memchr(name, 0, end - (p + 62 + ext));
			if (!z) {
				bad = 1;
				break;
			}
			nl = (size_t)(z - name);
		}
		size_t el = (62 + ext + nl + 8) & ~(size_t)7;
		if (p + el > end) {
			bad = 1;
			break;
		}
		/* changes that sort before this entry go in first; one that
		 * names it takes its place */
		int drop = 0;
		while (j < l->n) {
			const struct ixc *c = &l->v[j];
			size_t cl = strlen(c->path);
			int cmp = memcmp(c->path, name, cl < nl ? cl : nl);
			if (!cmp)
				cmp = cl < nl ? -1 : cl > nl ? 1 : 0;
			if (cmp > 0)
				break;
			drop |= cmp == 0;
			if (!c->gone) {
				ix_entry(&out, &c->e);
				count++;
			}
			j++;
		}
		/* the entry stays unless a change names it or a directory above
		 * it is gone */
		for (size_t s = 0; s < nl && !drop && gone; s++)
			if (name[s] == '/') {
				const struct ixc *c = ix_find(l, name, s);
				drop = c && c->gone;
			}
		if (!drop) {
			buf_add(&out, x + p, el);
			count++;
		}
		p += el;
	}
	/* a split or sparse index is not ours to splice */
	for (size_t q = p; !bad && q + 8 <= end; q += 8 + be32(x + q + 4))
		if (!memcmp(x + q, "link", 4) || !memcmp(x + q, "sdir", 4))
			bad = 1;
	big_free(x, len + 1);
	if (bad) {
		big_free(out.p, room);
		free(ip);
		return 1;
	}
	for (; j < l->n; j++)
		if (!l->v[j].gone) {
			ix_entry(&out, &l->v[j].e);
			count++;
		}
	unsigned char *h = (unsigned char *)out.p + 8;
	h[0] = (unsigned char)(count >> 24);
	h[1] = (unsigned char)(count >> 16);
	h[2] = (unsigned char)(count >> 8);
	h[3] = (unsigned char)count;
	unsigned char sum[20];
	packw_sha1(out.p, out.len, sum);
	buf_add(&out, sum, 20);
	char *lk = join(d->root, ".git/index.lock");
	int rc = -1;
	fd = open(lk, O_WRONLY | O_CREAT | O_EXCL, 0666);
	if (fd >= 0) {
		size_t w = 0;
		while (w < out.len && (k = write(fd, out.p + w, out.len - w)) > 0)
			w += (size_t)k;
		int e = w == out.len ? 0 : errno ? errno : EIO;
		if (!e && d->fsync && fsync(fd) != 0)
			e = errno;
		if (close(fd) != 0 && !e)
			e = errno;
		if (!e && rename(lk, ip) == 0)
			rc = 0;
		else {
			unlink(lk);
			errno = e ? e : errno;
		}
	}
	free(lk);
	free(ip);
	big_free(out.p, room);
	return rc;
}

/* The index follows the changes: spliced, else through libgit2.  0, or
 * -1 with errno. */
static int ix_update(struct desk *d, struct ixlist *l)
{
	int rc = ix_splice(d, l);
	if (rc <= 0)
		return rc;
	git_index *idx;
	if (git_repository_index(&idx, d->repo) != 0 || git_index_read(idx, 0) != 0)
		desk_git_die(EX_TEMPFAIL, "index");
	ix_apply(idx, l);
	rc = git_index_write(idx) == 0 ? 0 : -1;
	if (rc)
		errno = EIO;
	git_index_free(idx);
	return rc;
}

/* --- the index, deferred ---
 *
 * An import commits a batch at a time, and on a large desk splicing the
 * index (tens of megabytes) after each batch is most of what the batch
 * writes.  Under desk_defer_index the index changes of the commits wait
 * in memory, while the working tree follows every commit as ever, and go
 * in at once every so many changes and when the deferral ends.  Their
 * paths stay in the journal meanwhile: a process that dies leaves them
 * to the next writer, which repairs them as it repairs any journal; a
 * writer that takes the lock between two batches does the same and the
 * changes in memory are dropped; the lock taken again by this process
 * finds its own journal as it left it and keeps waiting. */
struct ixdefer {
	struct ixlist l;
	struct strtab at;	/* path -> 1 + its place in l */
	size_t max;
	struct stat js;		/* the journal as written */
	int have_js;
};

static void ixd_drop(struct ixdefer *x)
{
	ix_free(&x->l);
	strtab_clear(&x->at);
	x->have_js = 0;
}

static void ixd_free(struct desk *d)
{
	if (d->ixd) {
		ixd_drop(d->ixd);
		strtab_free(&d->ixd->at);
		free(d->ixd);
		d->ixd = NULL;
	}
}

/* The changes of rec join the waiting ones (rec is emptied); a path's
 * last change wins. */
static void ixd_add(struct ixdefer *x, struct ixlist *rec)
{
	for (size_t i = 0; i < rec->n; i++) {
		struct ixc *c = &rec->v[i];
		size_t k = strtab_get(&x->at, c->path);
		if (k) {
			struct ixc *o = &x->l.v[k - 1];
			char *keep = o->path;
			free(c->path);
			*o = *c;
			o->path = keep;
			o->e.path = keep;
			continue;
		}
		x->l.v = xrealloc(x->l.v, (x->l.n + 1) * sizeof *x->l.v);
		x->l.v[x->l.n] = *c;
		strtab_put(&x->at, c->path, ++x->l.n);
	}
	free(rec->v);
	rec->v = NULL;
	rec->n = 0;
}

static int ix_gone(const struct ixlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].gone)
			return 1;
	return 0;
}

/* The waiting changes into the index (the lock held); 0, or -1 with
 * errno (they are dropped either way: the journal names them). */
static int ixd_flush(struct desk *d)
{
	struct ixdefer *x = d->ixd;
	if (!x || !x->l.n)
		return 0;
	int rc = ix_update(d, &x->l);
	ixd_drop(x);
	return rc;
}

/* Is the journal at jp the one this process wrote last? */
static int journal_ours(struct desk *d, const char *jp)
{
	struct stat st;
	const struct ixdefer *x = d->ixd;
	return x && x->have_js && stat(jp, &st) == 0 && st.st_dev == x->js.st_dev &&
	    st.st_ino == x->js.st_ino && st.st_size == x->js.st_size &&
	    st.st_mtim.tv_sec == x->js.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == x->js.st_mtim.tv_nsec;
}

/* --- the lock and the journal --- */

static char *state_path(struct desk *d, const char *name)
{
	return join(d->state, name);
}

/* Temporary files of write_atomic (".NAME." and six random characters) a killed writer left
 * next to path. */
static void remove_temps(struct desk *d, const char *path)
{
	char *full = join(d->root, path);
	char *sl = strrchr(full, '/');
	*sl = 0;
	const char *base = sl + 1;
	size_t bl = strlen(base);
	DIR *dp = opendir(full);
	struct dirent *de;
	while (dp && (de = readdir(dp))) {
		const char *n = de->d_name;
		if (n[0] == '.' && !strncmp(n + 1, base, bl) && n[1 + bl] == '.' &&
		    strlen(n + 2 + bl) == 6) {
			char *t = join(full, n);
			unlink(t);
			free(t);
		}
	}
	if (dp)
		closedir(dp);
	free(full);
}

/* Paths of the pending journal, bring them in line with HEAD. */
static void recover(struct desk *d)
{
	char *jp = state_path(d, "pending");
	if (d->ixd && d->ixd->l.n) {
		if (journal_ours(d, jp)) {
			free(jp);
			return;
		}
		/* another writer took the lock and repaired them */
		ixd_drop(d->ixd);
	}
	int fd = open(jp, O_RDONLY);
	if (fd < 0) {
		free(jp);
		return;
	}
	struct buf b = { 0 };
	char tmp[8192];
	ssize_t n;
	while ((n = read(fd, tmp, sizeof tmp)) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(fd);
	git_tree *t = branch_tree(d, DESK_BRANCH, NULL);
	struct ixlist rec = { NULL, 0 };
	struct strtab seen = { 0 };	/* a path once: the index takes no twins */
	for (char *p = b.p, *nl; p && *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = 0;
		if (*p && !strstr(p, "..") && *p != '/' && !strtab_get(&seen, p)) {
			strtab_put(&seen, p, 1);
			remove_temps(d, p);
			materialize(d, &rec, t, p, NULL);
		}
	}
	if (ix_update(d, &rec) != 0)
		desk_git_die(EX_TEMPFAIL, "index");
	ix_free(&rec);
	strtab_free(&seen);
	git_tree_free(t);
	buf_free(&b);
	unlink(jp);
	free(jp);
}

/* git's own lock files left by a killed writer.  We hold the desk lock:
 * with a journal present, a writer died inside its commit and the locks
 * are its own; without one, a lock older than a few seconds is stale (a
 * younger one may be a person's git command). */
static void clear_stale_git_locks(struct desk *d)
{
	char *jp = state_path(d, "pending");
	struct stat js;
	int dying = stat(jp, &js) == 0;
	free(jp);
	static const char *const names[] = { ".git/index.lock",
		".git/refs/heads/main.lock", ".git/refs/heads/archive.lock",
		".git/HEAD.lock", ".git/packed-refs.lock" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *p = join(d->root, names[i]);
		struct stat st;
		if (stat(p, &st) == 0 && (dying || time(NULL) - st.st_mtime > 5))
			unlink(p);
		free(p);
	}
}

void desk_defer_index(struct desk *d, size_t max)
{
	if (max && !d->ixd)
		d->ixd = xcalloc(1, sizeof *d->ixd);
	if (!d->ixd)
		return;
	d->ixd->max = max;
	if (max || !d->ixd->l.n)
		return;
	/* the end: what waits goes in now, unless another writer has
	 * repaired it meanwhile (desk_lock tells) */
	int held = d->lockfd >= 0;
	if (!held)
		desk_lock(d);
	char *jp = state_path(d, "pending");
	int ours = journal_ours(d, jp);
	if (ixd_flush(d) != 0)
		die(EX_TEMPFAIL, "%s/.git/index: %s; the next command repairs it", d->root,
		    strerror(errno));
	if (ours)
		unlink(jp);
	free(jp);
	if (!held)
		desk_unlock(d);
}

/* Wait for the lock on fd for at most limit seconds: 0 held, -1 not.
 * The wait sleeps in flock itself, so that the kernel hands the lock
 * over as soon as its holder lets go: polling would lose, time after
 * time, to a holder that takes it again at once (an import between two
 * batches); an interval timer ends the wait. */
static volatile sig_atomic_t lock_timed_out;

static void on_lock_alarm(int sig)
{
	(void)sig;
	lock_timed_out = 1;
}

static int wait_lock(int fd, double limit)
{
	if (!(limit > 0))
		return -1;
	if (limit > 1e6)
		limit = 1e6;
	struct sigaction sa, osa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_lock_alarm;	/* no SA_RESTART: flock returns EINTR */
	sigemptyset(&sa.sa_mask);
	struct itimerval it, oit;
	memset(&it, 0, sizeof it);
	it.it_value.tv_sec = (time_t)limit;
	it.it_value.tv_usec = (suseconds_t)((limit - (double)(time_t)limit) * 1e6);
	if (!it.it_value.tv_sec && !it.it_value.tv_usec)
		it.it_value.tv_usec = 1;
	lock_timed_out = 0;
	sigaction(SIGALRM, &sa, &osa);
	setitimer(ITIMER_REAL, &it, &oit);
	int rc;
	while ((rc = flock(fd, LOCK_EX)) != 0 && errno == EINTR && !lock_timed_out)
		;
	memset(&it, 0, sizeof it);
	setitimer(ITIMER_REAL, &it, NULL);
	sigaction(SIGALRM, &osa, NULL);
	if (oit.it_value.tv_sec || oit.it_value.tv_usec)
		setitimer(ITIMER_REAL, &oit, NULL);
	return rc == 0 ? 0 : -1;
}

/* The lock, waiting at most $MDESK_LOCK_TIMEOUT: 0 held, or -1 (when
 * may_fail) or exit EX_TEMPFAIL when it stays taken. */
static int lock_take(struct desk *d, int may_fail)
{
	if (d->lockfd >= 0)
		return 0;
	char *lp = state_path(d, "lock");
	int fd = open(lp, O_RDWR | O_CREAT, 0666);
	if (fd < 0)
		die(errno == EROFS || errno == EACCES ? EX_CANTCREAT : EX_TEMPFAIL,
		    "%s: cannot open the desk lock: %s", lp, strerror(errno));
	const char *to = getenv("MDESK_LOCK_TIMEOUT");
	double limit = to && *to ? atof(to) : 30.0;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			die(EX_TEMPFAIL, "%s: %s", lp, strerror(errno));
		if (wait_lock(fd, limit) != 0) {
			if (may_fail) {
				close(fd);
				free(lp);
				return -1;
			}
			die(EX_TEMPFAIL, "%s: the desk is locked by another writer "
			    "(waited %.0f s); try again later", lp, limit > 0 ? limit : 0);
		}
	}
	free(lp);
	d->lockfd = fd;
	if (++d->lock_gen == 0)	/* 0 stands for none */
		d->lock_gen = 1;
	desk_branch_moved(d);	/* others may have moved them before */
	clear_stale_git_locks(d);
	recover(d);
	outbox_finish(d);	/* replies that left and are not recorded yet */
	return 0;
}

void desk_lock(struct desk *d)
{
	lock_take(d, 0);
}

int desk_lock_try(struct desk *d)
{
	return lock_take(d, 1);
}

void desk_unlock(struct desk *d)
{
	if (d->lockfd >= 0) {
		close(d->lockfd);	/* releases the flock */
		d->lockfd = -1;
		desk_branch_moved(d);
	}
}

/* --- transactions --- */

enum { OP_WRITE, OP_APPEND, OP_REMOVE };

struct change {
	char *path;
	int op;
	struct buf data;
	struct buf full;	/* after tx_build: the file as committed */
	git_oid id;		/* and its blob */
};

struct desk_tx {
	struct desk *d;
	struct change *c;
	size_t n, cap;
	struct strtab paths;	/* path -> index + 1: a batch of mroute stages
				 * thousands and looks them up per message */
	/* after desk_tx_prepare: the commit, built, the branch not moved */
	int prepared;
	git_signature *sig;
	char *message;
	git_oid commit_id, head;
	git_tree *newtree;
	int unborn;
};

struct desk_tx *desk_tx_new(struct desk *d)
{
	struct desk_tx *tx = xcalloc(1, sizeof *tx);
	tx->d = d;
	return tx;
}

static struct change *tx_find(const struct desk_tx *tx, const char *path)
{
	size_t i = strtab_get(&tx->paths, path);
	return i ? &tx->c[i - 1] : NULL;
}

static struct change *change_for(struct desk_tx *tx, const char *path, int op)
{
	if (!*path || *path == '/' || strstr(path, "..") || strstr(path, "//") ||
	    strchr(path, '\n') || !strcmp(path, ".git") || !strncmp(path, ".git/", 5))
		die(EX_SOFTWARE, "refusing to write the path '%s'", path);
	struct change *c = tx_find(tx, path);
	if (c) {
		if (op != OP_APPEND || c->op == OP_REMOVE) {
			c->op = op;
			c->data.len = 0;
		}
		return c;
	}
	if (tx->n == tx->cap) {
		tx->cap = tx->cap ? tx->cap * 2 : 8;
		tx->c = xrealloc(tx->c, tx->cap * sizeof *tx->c);
	}
	c = &tx->c[tx->n++];
	memset(c, 0, sizeof *c);
	c->path = xstrdup(path);
	c->op = op;
	strtab_put(&tx->paths, c->path, tx->n);
	return c;
}

/* A file written whole, not appended to: often one not there before. */
static int change_new(const struct change *c)
{
	return c->op == OP_WRITE;
}

static const void *change_file(const struct change *c, size_t *len, const git_oid **id)
{
	*len = c->full.len;
	*id = &c->id;
	return c->full.p ? c->full.p : "";
}

void desk_tx_write(struct desk_tx *tx, const char *path, const void *p, size_t n)
{
	buf_add(&change_for(tx, path, OP_WRITE)->data, p, n);
}

void desk_tx_append(struct desk_tx *tx, const char *path, const void *p, size_t n)
{
	buf_add(&change_for(tx, path, OP_APPEND)->data, p, n);
}

void desk_tx_remove(struct desk_tx *tx, const char *path)
{
	change_for(tx, path, OP_REMOVE);
}

size_t desk_tx_count(const struct desk_tx *tx)
{
	return tx->n;
}

const char *desk_tx_pending(const struct desk_tx *tx, const char *path, size_t *len,
    int *append)
{
	const struct change *c = tx_find(tx, path);
	if (!c || c->op == OP_REMOVE)
		return NULL;
	*len = c->data.len;
	*append = c->op == OP_APPEND;
	return c->data.p ? c->data.p : "";
}

void desk_tx_offer(struct desk_tx *tx, const git_oid *id, void *z, size_t zlen)
{
	struct desk *d = tx->d;
	if (!d->packw)
		d->packw = packw_attach(d->repo);
	packw_offer(d->packw, id, z, zlen);
}

static void tx_free(struct desk_tx *tx)
{
	packw_offers_clear(tx->d->packw);
	git_signature_free(tx->sig);
	git_tree_free(tx->newtree);
	free(tx->message);
	if (tx->prepared && tx->d->fsync)
		git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	for (size_t i = 0; i < tx->n; i++) {
		free(tx->c[i].path);
		buf_free(&tx->c[i].data);
		buf_free(&tx->c[i].full);
	}
	free(tx->c);
	strtab_free(&tx->paths);
	free(tx);
}

void desk_tx_abort(struct desk_tx *tx)
{
	if (tx->prepared) {
		/* the branch did not move: the journal names files that are
		 * HEAD's still */
		char *jp = state_path(tx->d, "pending");
		if (ixd_flush(tx->d) == 0)
			unlink(jp);
		free(jp);
	}
	tx_free(tx);
}

static void write_journal(struct desk *d, struct desk_tx *tx)
{
	struct buf b = { 0 };
	struct stat st;
	for (size_t i = 0; i < tx->n; i++) {
		buf_adds(&b, tx->c[i].path);
		buf_addc(&b, '\n');
	}
	for (size_t i = 0; d->ixd && i < d->ixd->l.n; i++)
		if (!strtab_get(&tx->paths, d->ixd->l.v[i].path)) {
			buf_adds(&b, d->ixd->l.v[i].path);
			buf_addc(&b, '\n');
		}
	char *rel = join(".git/mdesk", "pending");
	if (write_atomic(d->root, rel, b.p, b.len, &st, 0) != 0)
		die(errno == ENOSPC || errno == EDQUOT || errno == EROFS ? EX_CANTCREAT :
		    EX_TEMPFAIL, "%s/%s: %s", d->root, rel, strerror(errno));
	free(rel);
	buf_free(&b);
}

void desk_system_author(char *name, size_t nn, char *email, size_t en)
{
	char host[256];
	if (gethostname(host, sizeof host) != 0 || !*host)
		strcpy(host, "localhost");
	host[sizeof host - 1] = 0;
	snprintf(name, nn, "mdesk");
	snprintf(email, en, "mdesk@%s", host);
}

static int count_commit(struct desk *d)
{
	char *p = state_path(d, "commits");
	FILE *f = fopen(p, "r+");
	long n = 0;
	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = 0;
		rewind(f);
	} else
		f = fopen(p, "w");
	n++;
	if (f) {
		fprintf(f, "%ld\n", n >= GC_EVERY ? 0 : n);
		fclose(f);
	}
	free(p);
	return n >= GC_EVERY;
}

/* --- durable in groups ---
 *
 * With fsync on, libgit2 flushes every loose object and its directory as
 * it writes them: one journal commit of the file system per object, a
 * dozen per commit.  Instead the objects of a commit are written without,
 * then flushed together, every file first and then their directories, so
 * that the file system can commit them at once; only then does the branch
 * move (libgit2 flushes the ref and its logs). */

static void oid_add(git_oid **v, size_t *n, const git_oid *id)
{
	for (size_t i = 0; i < *n; i++)
		if (git_oid_equal(&(*v)[i], id))
			return;
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = *id;
}

/* fsync a file or directory of the desk; a missing one is not an error. */
static int sync_path(struct desk *d, const char *rel, int dir)
{
	char *p = join(d->root, rel);
	int fd = open(p, O_RDONLY | (dir ? O_DIRECTORY : 0));
	free(p);
	if (fd < 0)
		return errno == ENOENT ? 0 : errno;
	int e = fsync(fd) == 0 ? 0 : errno;
	close(fd);
	return e;
}

/* The loose objects ids (those that are loose: others are in packs
 * already) reach the disk; 0 or an errno. */
static int sync_objects(struct desk *d, const git_oid *ids, size_t n)
{
	unsigned char dirs[256] = { 0 };
	char rel[80], hex[GIT_OID_HEXSZ + 1];
	int e = 0;
	for (size_t i = 0; i < n && !e; i++) {
		git_oid_tostr(hex, sizeof hex, &ids[i]);
		snprintf(rel, sizeof rel, ".git/objects/%.2s/%s", hex, hex + 2);
		e = sync_path(d, rel, 0);
		dirs[ids[i].id[0]] = 1;
	}
	for (int b = 0; b < 256 && !e; b++)
		if (dirs[b]) {
			snprintf(rel, sizeof rel, ".git/objects/%02x", b);
			e = sync_path(d, rel, 1);
		}
	return e ? e : sync_path(d, ".git/objects", 1);
}

/* Do the objects ids read back whole (a fresh object database, no cache;
 * libgit2 checks each object's hash)?  An object whose loose file does
 * not is removed, and 0 returned: a writer killed before its flush can
 * leave a loose file cut short, which libgit2 takes as present when the
 * same blob (the same message, delivered again) is written later.  Trees
 * and commits are checked by libgit2 itself where they are used. */
static int objects_sound(struct desk *d, const git_oid *ids, size_t n)
{
	git_odb *odb;
	char *od = join(d->root, ".git/objects");
	int ok = 1;
	if (git_odb_open(&odb, od) != 0)
		desk_git_die(EX_TEMPFAIL, od);
	for (size_t i = 0; i < n; i++) {
		git_odb_object *o;
		if (git_odb_read(&o, odb, &ids[i]) == 0) {
			git_odb_object_free(o);
			continue;
		}
		char rel[80], hex[GIT_OID_HEXSZ + 1];
		git_oid_tostr(hex, sizeof hex, &ids[i]);
		snprintf(rel, sizeof rel, ".git/objects/%.2s/%s", hex, hex + 2);
		char *p = join(d->root, rel);
		unlink(p);
		free(p);
		ok = 0;
	}
	git_odb_free(odb);
	free(od);
	return ok;
}

/* Changes from which a commit's objects go to one pack. */
#define PACK_CHANGES 64

/* Build the commit of tx on the branch's current tip: its blobs, trees
 * and commit object (flushed together when fsync is on), then the
 * journal.  Everything that needs room on the disk; dies on failure. */
static void tx_build(struct desk_tx *tx)
{
	struct desk *d = tx->d;
	git_oid *made = NULL;	/* the loose objects of this attempt */
	size_t nmade = 0;
	git_tree_update *up = NULL;
	size_t nu = 0;
	git_tree *base = NULL;
	/* a large change (a batch of mroute) makes its objects in memory and
	 * writes them as one pack: no loose file for each (packw.h) */
	int packed = tx->n >= PACK_CHANGES;
	if (packed && !d->packw && !(d->packw = packw_attach(d->repo)))
		packed = 0;
	packw_quiet(d->repo, 1);	/* with the lock: every miss is a new object */
	for (int attempt = 0;; attempt++) {
		if (packed)
			packw_begin(d->packw);
		base = branch_tree(d, DESK_BRANCH, &tx->head);
		tx->unborn = base == NULL;
		up = xcalloc(tx->n + 1, sizeof *up);
		nu = 0;
		for (size_t i = 0; i < tx->n; i++) {
			struct change *c = &tx->c[i];
			if (c->op == OP_REMOVE) {
				git_tree_entry *e;
				if (!base || git_tree_entry_bypath(&e, base, c->path) != 0)
					continue;
				git_tree_entry_free(e);
				up[nu].action = GIT_TREE_UPDATE_REMOVE;
				up[nu++].path = c->path;
				continue;
			}
			struct buf *content = &c->full;
			content->len = 0;
			if (c->op == OP_APPEND) {
				size_t ol = 0;
				char *old = blob_at(d, base, c->path, &ol);
				if (old) {
					buf_add(content, old, ol);
					if (ol && old[ol - 1] != '\n')
						buf_addc(content, '\n');
					free(old);
				}
			}
			buf_add(content, c->data.p ? c->data.p : "", c->data.len);
			/* held for the pack at once: asking every pack whether it
			 * has the blob costs more than a second copy would */
			if (packed ? packw_put(d->packw, &up[nu].id, GIT_OBJECT_BLOB,
			    content->p ? content->p : "", content->len) != 0 :
			    git_blob_create_from_buffer(&up[nu].id, d->repo, content->p ? content->p : "",
			    content->len) != 0)
				desk_git_die(errno == ENOSPC ? EX_CANTCREAT : EX_TEMPFAIL, c->path);
			c->id = up[nu].id;
			if (!packw_holds(packed ? d->packw : NULL, &up[nu].id))
				oid_add(&made, &nmade, &up[nu].id);
			up[nu].action = GIT_TREE_UPDATE_UPSERT;
			up[nu].filemode = GIT_FILEMODE_BLOB;
			up[nu++].path = c->path;
		}
		if (!d->fsync || objects_sound(d, made, nmade))
			break;
		/* a blob's loose file, cut short by a writer that died before
		 * its flush, stood in for the blob: it is gone, write again */
		free(up);
		if (packed)
			packw_discard(d->packw);
		free(made);
		made = NULL;
		nmade = 0;
		git_tree_free(base);
		if (attempt >= 20)
			die(EX_TEMPFAIL, "%s/.git/objects: damaged objects", d->root);
	}
	git_oid tree_id;
	git_tree *start = base;
	if (tx->unborn) {
		git_treebuilder *tb;
		git_oid empty;
		if (git_treebuilder_new(&tb, d->repo, NULL) != 0 ||
		    git_treebuilder_write(&empty, tb) != 0 ||
		    git_tree_lookup(&start, d->repo, &empty) != 0)
			desk_git_die(EX_TEMPFAIL, "empty tree");
		git_treebuilder_free(tb);
	}
	if (git_tree_create_updated(&tree_id, d->repo, start, nu, up) != 0)
		desk_git_die(EX_TEMPFAIL, "tree");
	if (tx->unborn)
		git_tree_free(start);
	free(up);
	git_tree_free(tx->newtree);
	tx->newtree = NULL;
	git_tree_lookup(&tx->newtree, d->repo, &tree_id);
	git_commit *parent = NULL;
	if (!tx->unborn && git_commit_lookup(&parent, d->repo, &tx->head) != 0)
		desk_git_die(EX_TEMPFAIL, "HEAD");
	const git_commit *parents[1] = { parent };
	if (git_commit_create(&tx->commit_id, d->repo, NULL, tx->sig, tx->sig, NULL, tx->message,
	    tx->newtree, tx->unborn ? 0 : 1, parents) != 0)
		desk_git_die(EX_TEMPFAIL, "commit");
	git_commit_free(parent);
	git_tree_free(base);
	if (packed) {
		/* the pack reaches the disk (flushed with fsync on) before the
		 * branch names its objects */
		int e = packw_flush(d->packw, d->fsync);
		if (e)
			die(e == ENOSPC || e == EROFS ? EX_CANTCREAT : EX_TEMPFAIL,
			    "%s/.git/objects/pack: %s", d->root, strerror(e));
	}
	if (d->fsync) {
		/* the commit, its trees (the root and the directories above
		 * each change) and blobs reach the disk before the branch
		 * names them */
		if (!packed) {
			oid_add(&made, &nmade, &tx->commit_id);
			oid_add(&made, &nmade, &tree_id);
		}
		for (size_t i = 0; i < tx->n && !packed; i++) {
			char *pp = xstrdup(tx->c[i].path);
			for (char *sl = strchr(pp, '/'); sl; sl = strchr(sl + 1, '/')) {
				git_tree_entry *te;
				*sl = 0;
				if (git_tree_entry_bypath(&te, tx->newtree, pp) == 0) {
					oid_add(&made, &nmade, git_tree_entry_id(te));
					git_tree_entry_free(te);
				}
				*sl = '/';
			}
			free(pp);
		}
		int e = sync_objects(d, made, nmade);
		if (e)
			die(e == ENOSPC || e == EDQUOT || e == EROFS ? EX_CANTCREAT : EX_TEMPFAIL,
			    "%s/.git/objects: %s", d->root, strerror(e));
	}
	free(made);
	packw_quiet(d->repo, 0);
	write_journal(d, tx);
}

void desk_tx_prepare(struct desk_tx *tx, const char *name, const char *email,
    const char *message)
{
	struct desk *d = tx->d;
	if (d->lockfd < 0)
		die(EX_SOFTWARE, "commit without the desk lock");
	if (tx->prepared)
		return;
	if (git_signature_new(&tx->sig, name, email, (git_time_t)d->now, 0) != 0)
		desk_git_die(EX_DATAERR, "author");
	tx->message = xstrdup(message);
	if (d->fsync)	/* flushed in groups by tx_build */
		git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 0);
	tx->prepared = 1;
	tx_build(tx);
}

void desk_on_commit(struct desk *d, desk_commit_fn fn)
{
	d->committed = fn;
}

int desk_tx_commit(struct desk_tx *tx, const char *name, const char *email,
    const char *message)
{
	struct desk *d = tx->d;
	desk_tx_prepare(tx, name, email, message);
	for (int attempt = 0;; attempt++) {
		git_reference *ref = NULL;
		int rc = tx->unborn ?
		    git_reference_create(&ref, d->repo, DESK_BRANCH, &tx->commit_id, 0, tx->message) :
		    git_reference_create_matching(&ref, d->repo, DESK_BRANCH, &tx->commit_id, 1,
			&tx->head, tx->message);
		git_reference_free(ref);
		desk_branch_moved(d);
		if (rc == 0)
			break;
		if ((rc != GIT_EMODIFIED && rc != GIT_ELOCKED && rc != GIT_EEXISTS) || attempt >= 20)
			desk_git_die(EX_TEMPFAIL, "updating the branch");
		struct timespec ts = { 0, 2000000L * (attempt + 1) };
		nanosleep(&ts, NULL);
		tx_build(tx);	/* on the branch's new tip */
	}
	if (d->fsync)
		git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	tx->prepared = 0;
	if (d->committed) {
		const char **paths = xcalloc(tx->n + 1, sizeof *paths);
		git_oid *ids = xcalloc(tx->n + 1, sizeof *ids);
		for (size_t i = 0; i < tx->n; i++) {
			paths[i] = tx->c[i].path;
			if (tx->c[i].op != OP_REMOVE)
				ids[i] = tx->c[i].id;
		}
		d->committed(d, tx->unborn ? NULL : &tx->head, tx->newtree, paths, ids, tx->n);
		free(paths);
		free(ids);
	}

	/* the working tree and the index follow */
	struct ixlist rec = { NULL, 0 };
	int bad = 0;
	for (size_t i = 0; i < tx->n; i++) {
		const struct change *c = &tx->c[i];
		if (materialize(d, &rec, tx->newtree, c->path, c->op == OP_REMOVE ? NULL : c) != 0)
			bad = errno ? errno : EIO;
	}
	struct ixdefer *x = d->ixd;
	char *jp = state_path(d, "pending");
	int gone = ix_gone(&rec);
	if (!bad && x && x->max && !gone && x->l.n + rec.n <= x->max) {
		/* the index waits; the journal names its paths meanwhile */
		ixd_add(x, &rec);
		x->have_js = stat(jp, &x->js) == 0;
		free(jp);
		tx_free(tx);
		goto done;
	}
	if (x && x->l.n && !gone)
		ixd_add(x, &rec);	/* one splice for all */
	if (ixd_flush(d) != 0)
		bad = bad ? bad : errno ? errno : EIO;
	if (rec.n && ix_update(d, &rec) != 0)
		bad = bad ? bad : errno ? errno : EIO;
	ix_free(&rec);
	tx_free(tx);
	if (bad) {
		/* committed, but the files could not follow: the journal stays
		 * and the next writer completes the job */
		warnx_("%s: the working tree could not be updated (%s); the change "
		    "is committed and the next command repairs the files",
		    d->root, strerror(bad));
		free(jp);
		return 0;
	}
	unlink(jp);
	free(jp);
done:
	if (count_commit(d)) {
		desk_gc(d, 0, 1);
		d->upkeep_due = 1;	/* the tools archive old tickets then */
	}
	return 0;
}

void desk_ticket_dir(const char *id, char out[40])
{
	if (!ticketid_valid(id))
		die(EX_DATAERR, "'%.40s' is not a ticket ID (6 to 12 of 0-9 A-Z)", id);
	snprintf(out, 40, "tickets/%.2s/%s", id, id);
}

/* --- packing loose objects --- */

struct loose {
	git_oid *ids;
	char **paths;
	size_t n, cap;
};

static void collect_loose(const char *objdir, struct loose *l)
{
	for (int i = 0; i < 256; i++) {
		char sub[8];
		snprintf(sub, sizeof sub, "%02x", i);
		char *dir = join(objdir, sub);
		DIR *dp = opendir(dir);
		struct dirent *de;
		while (dp && (de = readdir(dp))) {
			if (strlen(de->d_name) != 38)
				continue;
			char hex[300];
			snprintf(hex, sizeof hex, "%s%s", sub, de->d_name);
			git_oid id;
			if (git_oid_fromstr(&id, hex) != 0)
				continue;
			if (l->n == l->cap) {
				l->cap = l->cap ? l->cap * 2 : 1024;
				l->ids = xrealloc(l->ids, l->cap * sizeof *l->ids);
				l->paths = xrealloc(l->paths, l->cap * sizeof *l->paths);
			}
			l->ids[l->n] = id;
			l->paths[l->n++] = join(dir, de->d_name);
		}
		if (dp)
			closedir(dp);
		free(dir);
	}
}

static void push_reflog(struct desk *d, git_revwalk *w, const char *ref)
{
	git_reflog *rl;
	if (git_reflog_read(&rl, d->repo, ref) != 0)
		return;
	for (size_t i = 0; i < git_reflog_entrycount(rl); i++) {
		const git_reflog_entry *e = git_reflog_entry_byindex(rl, i);
		const git_oid *o = git_reflog_entry_id_new(e);
		git_object *obj;
		/* only what is still there: a reflog may name lost objects */
		if (o && !git_oid_is_zero(o) && git_object_lookup(&obj, d->repo, o, GIT_OBJECT_COMMIT) == 0) {
			git_revwalk_push(w, o);
			git_object_free(obj);
		}
	}
	git_reflog_free(rl);
}

void desk_gc(struct desk *d, int full, int quiet)
{
	char *objdir = join(d->root, ".git/objects");
	struct loose l = { 0 };
	git_packbuilder *pb;
	collect_loose(objdir, &l);
	if (git_packbuilder_new(&pb, d->repo) != 0)
		desk_git_die(EX_TEMPFAIL, "pack");
	if (full) {
		git_revwalk *w;
		git_revwalk_new(&w, d->repo);
		git_revwalk_push_glob(w, "refs/*");
		/* what the reflogs name stays too, as git gc keeps it: a commit
		 * amended by hand is still in HEAD's reflog, and git fsck checks it */
		git_reference_iterator *it;
		const char *rn;
		if (git_reference_iterator_glob_new(&it, d->repo, "refs/*") == 0) {
			while (git_reference_next_name(&rn, it) == 0)
				push_reflog(d, w, rn);
			git_reference_iterator_free(it);
		}
		push_reflog(d, w, "HEAD");
		if (git_packbuilder_insert_walk(pb, w) != 0)
			desk_git_die(EX_TEMPFAIL, "pack");
		git_revwalk_free(w);
	} else
		for (size_t i = 0; i < l.n; i++)
			git_packbuilder_insert(pb, &l.ids[i], NULL);
	size_t packed = git_packbuilder_object_count(pb);
	if (packed > 0 && git_packbuilder_write(pb, NULL, 0, NULL, NULL) != 0) {
		if (!quiet)
			desk_git_die(EX_TEMPFAIL, "writing a pack");
		git_packbuilder_free(pb);
		goto out;
	}
	char keep[64] = "";
	if (full && packed > 0)
		snprintf(keep, sizeof keep, "pack-%s.", git_oid_tostr_s(git_packbuilder_hash(pb)));
	git_packbuilder_free(pb);
	/* loose objects now in a pack can go; with a full pack, loose objects
	 * older than an hour (unreachable ones included) and the older packs */
	size_t removed = 0;
	for (size_t i = 0; i < l.n; i++) {
		struct stat st;
		if (full && (stat(l.paths[i], &st) != 0 || time(NULL) - st.st_mtime < 3600))
			continue;
		if (unlink(l.paths[i]) == 0)
			removed++;
	}
	if (*keep) {
		char *pd = join(objdir, "pack");
		DIR *dp = opendir(pd);
		struct dirent *de;
		while (dp && (de = readdir(dp))) {
			if (strncmp(de->d_name, "pack-", 5) != 0 || !strncmp(de->d_name, keep, strlen(keep)))
				continue;
			char *p = join(pd, de->d_name);
			unlink(p);
			free(p);
		}
		if (dp)
			closedir(dp);
		free(pd);
	}
	if (!quiet)
		printf("packed %zu objects, removed %zu loose objects\n", packed, removed);
out:
	for (size_t i = 0; i < l.n; i++)
		free(l.paths[i]);
	free(l.paths);
	free(l.ids);
	free(objdir);
}

/* --- the archive branch --- */

int desk_archive(struct desk *d, char **ids, size_t n, const char *name,
    const char *email)
{
	if (n == 0)
		return 0;
	git_oid mhead;
	git_tree *main = branch_tree(d, DESK_BRANCH, &mhead);
	if (!main)
		return 0;
	git_oid ahead;
	git_tree *arch = branch_tree(d, DESK_ARCHIVE, &ahead);
	int unborn = arch == NULL;
	git_tree_update *up = xcalloc(n, sizeof *up);
	char (*paths)[40] = xcalloc(n, 40);
	size_t nu = 0;
	for (size_t i = 0; i < n; i++) {
		git_tree_entry *e;
		desk_ticket_dir(ids[i], paths[nu]);
		if (git_tree_entry_bypath(&e, main, paths[nu]) != 0)
			continue;
		up[nu].action = GIT_TREE_UPDATE_UPSERT;
		up[nu].filemode = GIT_FILEMODE_TREE;
		up[nu].id = *git_tree_entry_id(e);
		up[nu].path = paths[nu];
		nu++;
		git_tree_entry_free(e);
	}
	git_signature *sig;
	git_signature_new(&sig, name, email, (git_time_t)d->now, 0);
	if (nu > 0) {
		git_tree *start = arch;
		if (unborn) {
			git_treebuilder *tb;
			git_oid empty;
			git_treebuilder_new(&tb, d->repo, NULL);
			git_treebuilder_write(&empty, tb);
			git_treebuilder_free(tb);
			git_tree_lookup(&start, d->repo, &empty);
		}
		git_oid tid, cid;
		git_tree *nt;
		if (git_tree_create_updated(&tid, d->repo, start, nu, up) != 0 ||
		    git_tree_lookup(&nt, d->repo, &tid) != 0)
			desk_git_die(EX_TEMPFAIL, "archive tree");
		git_commit *parent = NULL;
		if (!unborn)
			git_commit_lookup(&parent, d->repo, &ahead);
		const git_commit *parents[1] = { parent };
		char msg[128];
		snprintf(msg, sizeof msg, "archive: %zu ticket%s", nu, nu == 1 ? "" : "s");
		if (git_commit_create(&cid, d->repo, NULL, sig, sig, NULL, msg, nt,
		    unborn ? 0 : 1, parents) != 0)
			desk_git_die(EX_TEMPFAIL, "archive commit");
		git_reference *ref = NULL;
		int rc = unborn ? git_reference_create(&ref, d->repo, DESK_ARCHIVE, &cid, 0, msg) :
		    git_reference_create_matching(&ref, d->repo, DESK_ARCHIVE, &cid, 1, &ahead, msg);
		desk_branch_moved(d);
		if (rc != 0)
			desk_git_die(EX_TEMPFAIL, "archive branch");
		git_reference_free(ref);
		git_commit_free(parent);
		git_tree_free(nt);
		if (unborn)
			git_tree_free(start);
		/* then out of the main branch */
		struct desk_tx *tx = desk_tx_new(d);
		for (size_t i = 0; i < nu; i++)
			desk_tx_remove(tx, paths[i]);
		desk_tx_commit(tx, name, email, msg);
	}
	git_signature_free(sig);
	free(up);
	free(paths);
	git_tree_free(main);
	git_tree_free(arch);
	return (int)nu;
}

static int collect_ids(const char *root, const git_tree_entry *e, void *payload)
{
	struct { char **v; size_t n, cap; } *c = payload;
	/* tickets/SH/ID: depth 2 under tickets */
	if (git_tree_entry_type(e) != GIT_OBJECT_TREE || strncmp(root, "tickets/", 8) != 0 ||
	    strlen(root) != 11)
		return 0;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	}
	c->v[c->n++] = xstrdup(git_tree_entry_name(e));
	return 1;	/* do not descend into the ticket */
}

char **desk_archived_ids(struct desk *d, size_t *n)
{
	struct { char **v; size_t n, cap; } c = { NULL, 0, 0 };
	git_tree *t = branch_tree(d, DESK_ARCHIVE, NULL);
	if (t) {
		git_tree_walk(t, GIT_TREEWALK_PRE, collect_ids, &c);
		git_tree_free(t);
	}
	*n = c.n;
	return c.v;
}

/* --- moving a branch to another commit (a sync) --- */

static int diff_path(const git_diff_delta *dd, float progress, void *payload)
{
	(void)progress;
	struct { char **v; size_t n; } *l = payload;
	const char *p[2] = { dd->old_file.path, dd->new_file.path };
	for (int k = 0; k < 2; k++) {
		if (!p[k] || (k == 1 && dd->old_file.path && !strcmp(p[0], p[1])))
			continue;
		l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		l->v[l->n++] = xstrdup(p[k]);
	}
	return 0;
}

/* A path a commit from elsewhere may bring into the working tree: no
 * empty, "." or ".." component, nothing under .git. */
static int safe_path(const char *p)
{
	if (!*p || *p == '/')
		return 0;
	for (const char *c = p; c;) {
		const char *sl = strchr(c, '/');
		size_t n = sl ? (size_t)(sl - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && !strncmp(c, "..", 2)) ||
		    (n == 4 && !strncasecmp(c, ".git", 4)))
			return 0;
		c = sl ? sl + 1 : NULL;
	}
	return 1;
}

int desk_move_branch(struct desk *d, const char *ref, const git_oid *old,
    const git_oid *to, const char *message)
{
	if (d->lockfd < 0)
		die(EX_SOFTWARE, "branch move without the desk lock");
	int main_branch = !strcmp(ref, DESK_BRANCH);
	if (ixd_flush(d) != 0)
		die(EX_TEMPFAIL, "%s/.git/index: %s", d->root, strerror(errno));
	struct { char **v; size_t n; } paths = { NULL, 0 };
	git_commit *nc;
	git_tree *nt = NULL, *ot = NULL;
	if (git_commit_lookup(&nc, d->repo, to) != 0 || git_commit_tree(&nt, nc) != 0)
		desk_git_die(EX_TEMPFAIL, "sync commit");
	git_commit_free(nc);
	if (main_branch) {
		git_commit *oc;
		if (old && (git_commit_lookup(&oc, d->repo, old) != 0 ||
		    git_commit_tree(&ot, oc) != 0))
			desk_git_die(EX_TEMPFAIL, "main");
		if (old)
			git_commit_free(oc);
		git_diff *diff;
		if (git_diff_tree_to_tree(&diff, d->repo, ot, nt, NULL) != 0)
			desk_git_die(EX_TEMPFAIL, "diff");
		git_diff_foreach(diff, diff_path, NULL, NULL, NULL, &paths);
		git_diff_free(diff);
		for (size_t i = 0; i < paths.n; i++)
			if (!safe_path(paths.v[i]) || strchr(paths.v[i], '\n'))
				die(EX_DATAERR, "%.200s: a path no desk has (under .git, or with "
				    "'..'); nothing changed", paths.v[i]);
		/* the journal names the paths in flight, as a commit's does */
		struct buf b = { 0 };
		struct stat st;
		for (size_t i = 0; i < paths.n; i++) {
			buf_adds(&b, paths.v[i]);
			buf_addc(&b, '\n');
		}
		if (write_atomic(d->root, ".git/mdesk/pending", b.p ? b.p : "", b.len, &st, 0) != 0)
			die(errno == ENOSPC || errno == EDQUOT || errno == EROFS ? EX_CANTCREAT :
			    EX_TEMPFAIL, "%s/.git/mdesk/pending: %s", d->root, strerror(errno));
		buf_free(&b);
	}
	git_reference *r = NULL;
	int rc = old ? git_reference_create_matching(&r, d->repo, ref, to, 1, old, message) :
	    git_reference_create(&r, d->repo, ref, to, 0, message);
	git_reference_free(r);
	desk_branch_moved(d);
	int moved = rc == 0;
	if (!moved && rc != GIT_EMODIFIED && rc != GIT_EEXISTS && rc != GIT_ELOCKED) {
		const git_error *e = git_error_last();
		int full = errno == ENOSPC || errno == EDQUOT || errno == EFBIG;
		char *jp = state_path(d, "pending");
		unlink(jp);
		free(jp);
		die(full ? EX_CANTCREAT : EX_TEMPFAIL, "%s: %s", ref,
		    e && e->message ? e->message : "cannot update");
	}
	int bad = 0;
	if (main_branch && moved) {
		struct ixlist rec = { NULL, 0 };
		for (size_t i = 0; i < paths.n; i++)
			if (materialize(d, &rec, nt, paths.v[i], NULL) != 0)
				bad = errno ? errno : EIO;
		if (rec.n && ix_update(d, &rec) != 0)
			bad = bad ? bad : errno ? errno : EIO;
		ix_free(&rec);
		if (bad)
			warnx_("%s: the working tree could not be updated (%s); the sync "
			    "is committed and the next command repairs the files",
			    d->root, strerror(bad));
	}
	if (main_branch && !bad) {
		char *jp = state_path(d, "pending");
		unlink(jp);
		free(jp);
	}
	for (size_t i = 0; i < paths.n; i++)
		free(paths.v[i]);
	free(paths.v);
	git_tree_free(nt);
	git_tree_free(ot);
	return moved ? 0 : 1;
}
