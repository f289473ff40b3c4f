/* desk.c: the desk, a git repository of plain files (see desk.h). */
#include "desk.h"
#include "outbox.h"
#include "search.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
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
#include <git2/sys/config.h>
#include <git2/sys/mempack.h>
#include <git2/sys/odb_backend.h>
#include <git2/sys/repository.h>

#include "ticketid.h"

#define GC_EVERY 200		/* commits between packing loose objects */
#define GC_GRACE 3600		/* seconds a new pack or loose object is kept */

void desk_git_init(void)
{
	static int done;
	if (!done) {
		git_libgit2_init();
		/* libgit2 caches only commits and trees under 4 KB: a desk's
		 * tickets/ tree and a batch's commit are larger, and were read
		 * and inflated again at every lookup */
		git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, (int)GIT_OBJECT_COMMIT, (size_t)1 << 20);
		git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, (int)GIT_OBJECT_TREE, (size_t)1 << 20);
		/* packs are read through mapped windows, all of them kept by
		 * default (8 GiB): an import that writes hundreds of packs grew
		 * by what it had read; git's core.packedGitLimit, smaller */
		git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)64 << 20);
		/* the cache keeps what it read up to 256 MiB of the objects'
		 * sizes, three times that in memory: every version of the trees
		 * of every batch of an import */
		git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)8 << 20);
		done = 1;
	}
}

void desk_git_create(const char *dir, int bare)
{
	git_repository *repo;
	git_repository_init_options o;
	/* dir and its missing parents, as git init makes them */
	char *p = xstrdup(dir);
	for (char *s = p + (*p != 0);; s++) {
		char c = *s;
		if (c && c != '/')
			continue;
		*s = 0;
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			die(EX_CANTCREAT, "%s: %s", p, strerror(errno));
		if (!(*s = c))
			break;
	}
	free(p);
	desk_git_init();
	git_repository_init_options_init(&o, GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	o.flags = GIT_REPOSITORY_INIT_MKPATH | (bare ? GIT_REPOSITORY_INIT_BARE : 0);
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

/* Is dir a git repository that says it is bare (core.bare)?  Read from
 * its config file alone: the repository of a working tree says false. */
static int is_bare_repo(const char *dir)
{
	struct stat st;
	char *h = join(dir, "HEAD"), *c = join(dir, "config");
	git_config *cf = NULL;
	int bare = 0;
	desk_git_init();
	if (stat(h, &st) == 0 && S_ISREG(st.st_mode) && stat(c, &st) == 0 &&
	    S_ISREG(st.st_mode) && git_config_open_ondisk(&cf, c) == 0 &&
	    git_config_get_bool(&bare, cf, "core.bare") != 0)
		bare = 0;
	git_config_free(cf);
	free(h);
	free(c);
	return bare;
}

/* A desk at dir: 1 with a working tree (desk.conf and .git), 2 bare (a
 * bare repository: its main branch holds desk.conf, see desk_open), 0
 * none. */
static int is_desk(const char *dir)
{
	struct stat st;
	char *c = join(dir, "desk.conf"), *g = join(dir, ".git");
	int ok = stat(c, &st) == 0 && S_ISREG(st.st_mode) && stat(g, &st) == 0 &&
	    S_ISDIR(st.st_mode);
	free(c);
	free(g);
	return ok ? 1 : is_bare_repo(dir) ? 2 : 0;
}

static void load_conf(struct desk *d)
{
	size_t len;
	char *text = desk_read_file(d, "desk.conf", &len);
	const char *err = NULL;
	if (!text && d->bare)
		die(EX_CONFIG, "%s: not a desk (a bare repository whose branch main has no "
		    "desk.conf); make one with 'mdesk init --bare DIR'", d->root);
	if (!text)
		die(EX_CONFIG, "%s/desk.conf: cannot read: %s", d->root, strerror(errno));
	int line = conf_parse(&d->conf, "desk.conf", text, len, &err);
	free(text);
	if (line)
		die(EX_CONFIG, "desk.conf:%d: %s", line, err);
	d->conf_loaded = 1;
}

/* git refuses a repository that another user owns (safe.directory):
 * when the repository at root is another user's (libgit2 1.5 answers rc,
 * GIT_EOWNER, or, when no safe.directory is set at all, a "not found" of
 * that setting), say whose it is and the ways out, in one line. */
static void check_owner(const char *root, int bare, int rc)
{
	struct stat st;
	char owner[64] = "another user", me[64] = "this user";
	struct passwd *pw;
	if (rc == 0)
		return;
	char *g = bare ? xstrdup(root) : join(root, ".git");
	int found = stat(g, &st) == 0;
	free(g);
	if (rc != GIT_EOWNER && (!found || st.st_uid == geteuid()))
		return;
	if (found || stat(root, &st) == 0) {
		if ((pw = getpwuid(st.st_uid)))
			snprintf(owner, sizeof owner, "user %s", pw->pw_name);
		else
			snprintf(owner, sizeof owner, "uid %u", (unsigned)st.st_uid);
	}
	if ((pw = getpwuid(geteuid())))
		snprintf(me, sizeof me, "%s", pw->pw_name);
	die(EX_CONFIG, "%s: the desk belongs to %s, not to %s; run as its owner, "
	    "give it to %s with 'chown -R %s %s', or trust it with "
	    "'git config --global --add safe.directory %s'", root, owner, me, me, me, root, root);
}

/* Open the repository of the desk at root (absolute, malloc'd: d's now)
 * and its state directory, without desk.conf yet. */
static void open_repo(struct desk *d, char *root, int bare)
{
	memset(d, 0, sizeof *d);
	d->lockfd = -1;
	d->root = root;
	d->bare = bare;
	/* a file-size limit (a full disk in miniature) must fail a write,
	 * not kill the writer half way */
	signal(SIGXFSZ, SIG_IGN);
	desk_git_init();
	int rc = git_repository_open(&d->repo, d->root);
	check_owner(d->root, d->bare, rc);
	if (rc != 0)
		desk_git_die(EX_CONFIG, d->root);
	/* derived state in the git directory: .git/mdesk, or DIR/mdesk */
	d->state = desk_git_path(d, "mdesk");
	mkdir(d->state, 0777);
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1);
	d->fsync = 1;
}

void desk_open_new(struct desk *d, const char *dir)
{
	char *root = realpath(dir, NULL);
	if (!root)
		die(EX_CANTCREAT, "%s: %s", dir, strerror(errno));
	open_repo(d, root, is_bare_repo(root));
}

void desk_open(struct desk *d, const char *dir)
{
	char cwd[PATH_MAX], *found = NULL;
	const char *named = "";	/* how dir was given: --desk or MDESK_DIR */
	if ((!dir || !*dir) && (dir = getenv("MDESK_DIR")) && *dir)
		named = "MDESK_DIR=";
	int kind = 0;
	if (dir && *dir) {
		if (!(kind = is_desk(dir)))
			die(EX_CONFIG, "%s%s: not a desk (no desk.conf or .git, nor a bare "
			    "repository); create one with 'mdesk init %s'", named, dir, dir);
		found = realpath(dir, NULL);
	} else if (getcwd(cwd, sizeof cwd)) {
		for (;;) {
			if ((kind = is_desk(cwd))) {
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
	open_repo(d, found, kind == 2);
	load_conf(d);
	const char *fs = conf_get(&d->conf, "", "", "fsync");
	int on = 1;
	if (fs && conf_bool(fs, &on) != 0)
		die(EX_CONFIG, "desk.conf:%d: fsync: want yes or no",
		    conf_line(&d->conf, "", "", "fsync"));
	git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, on);
	d->fsync = on;
}

void desk_close(struct desk *d)
{
	desk_unlock(d);
	if (d->wrote && d->repo)
		search_follow(d);	/* derived state of its own lock: see search.h */
	d->wrote = 0;
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

/* All of fd (closed here), NUL-terminated, and *len; NULL when fd < 0
 * or on a read error. */
static char *read_all(int fd, size_t *len)
{
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

char *desk_read_file(struct desk *d, const char *path, size_t *len)
{
	if (d->bare)
		return desk_read_head(d, path, len, 0);
	return read_all(open_plain(d->root, path), len);
}

char *desk_git_path(struct desk *d, const char *name)
{
	const char *g = git_repository_path(d->repo);	/* ends in '/' */
	char *p = xmalloc(strlen(g) + strlen(name) + 1);
	sprintf(p, "%s%s", g, name);
	return p;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **desk_list(struct desk *d, const char *dir, size_t *n)
{
	char **v = NULL;
	*n = 0;
	if (d->bare) {
		git_tree *t = desk_branch_tree(d, DESK_BRANCH, NULL), *sub = NULL;
		git_tree_entry *e;
		if (t && git_tree_entry_bypath(&e, t, dir) == 0) {
			if (git_tree_entry_type(e) != GIT_OBJECT_TREE ||
			    git_tree_lookup(&sub, d->repo, git_tree_entry_id(e)) != 0)
				sub = NULL;
			git_tree_entry_free(e);
		}
		*n = sub ? git_tree_entrycount(sub) : 0;
		v = xcalloc(*n + 1, sizeof *v);
		for (size_t i = 0; i < *n; i++)
			v[i] = xstrdup(git_tree_entry_name(git_tree_entry_byindex(sub, i)));
		git_tree_free(sub);
		git_tree_free(t);
	} else {
		char *full = join(d->root, dir);
		DIR *dp = opendir(full);
		struct dirent *de;
		while (dp && (de = readdir(dp))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			v = xrealloc(v, (*n + 2) * sizeof *v);
			v[(*n)++] = xstrdup(de->d_name);
		}
		if (dp)
			closedir(dp);
		free(full);
	}
	if (*n > 1)
		qsort(v, *n, sizeof *v, cmp_names);
	return v;
}

void desk_list_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
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

/* Forget the branches' commits (one moved, or the lock changed hands). */
static void desk_branch_moved(struct desk *d)
{
	d->refc_state[0] = d->refc_state[1] = 0;
}

/* The tree of the commit id in repo; dies with what. */
static git_tree *tree_in(git_repository *repo, const git_oid *id, const char *what)
{
	git_tree *t;
	git_commit *c;
	if (git_commit_lookup(&c, repo, id) != 0 || git_commit_tree(&t, c) != 0)
		desk_git_die(EX_TEMPFAIL, what);
	git_commit_free(c);
	return t;
}

git_tree *desk_branch_tree(struct desk *d, const char *ref, git_oid *head)
{
	git_oid id;
	if (desk_branch_id(d, ref, &id) != 0)
		return NULL;
	if (head)
		*head = id;
	return tree_in(d->repo, &id, ref);
}

/* The file at path in tree t (read from t's repository), NULL when absent. */
char *desk_entry_file(git_repository *r, const git_tree_entry *e, size_t *len)
{
	git_blob *b;
	if (git_tree_entry_type(e) != GIT_OBJECT_BLOB ||
	    git_blob_lookup(&b, r, git_tree_entry_id(e)) != 0)
		return NULL;
	*len = (size_t)git_blob_rawsize(b);
	char *out = xstrndup(git_blob_rawcontent(b), *len);
	git_blob_free(b);
	return out;
}

char *desk_tree_file(git_tree *t, const char *path, size_t *len)
{
	git_tree_entry *e;
	if (!t || git_tree_entry_bypath(&e, t, path) != 0)
		return NULL;
	char *out = desk_entry_file(git_tree_owner(t), e, len);
	git_tree_entry_free(e);
	return out;
}

int desk_tree_pairs(git_tree *a, git_tree *b,
    int (*fn)(void *ctx, const git_tree_entry *x, const git_tree_entry *y), void *ctx)
{
	size_t na = a ? git_tree_entrycount(a) : 0, nb = b ? git_tree_entrycount(b) : 0;
	size_t i = 0, j = 0;
	while (i < na || j < nb) {
		const git_tree_entry *x = i < na ? git_tree_entry_byindex(a, i) : NULL;
		const git_tree_entry *y = j < nb ? git_tree_entry_byindex(b, j) : NULL;
		int c = !x ? 1 : !y ? -1 : git_tree_entry_cmp(x, y);
		if (c < 0)
			y = NULL, i++;
		else if (c > 0)
			x = NULL, j++;
		else
			i++, j++;
		if (x && y && git_oid_equal(git_tree_entry_id(x), git_tree_entry_id(y)))
			continue;
		if (fn(ctx, x, y) != 0)
			return -1;
	}
	return 0;
}

int desk_entry_tree(git_repository *r, const git_tree_entry *e, git_tree **t)
{
	*t = NULL;
	return !e || git_tree_entry_type(e) != GIT_OBJECT_TREE ||
	    git_tree_lookup(t, r, git_tree_entry_id(e)) == 0 ? 0 : -1;
}

struct tree_diff {
	git_repository *r;
	struct buf path;
	int depth;
	int (*fn)(void *, const char *, const git_tree_entry *, const git_tree_entry *);
	void *ctx;
};

/* One name that differs: a file to fn, a folder (on either side) walked. */
static int tree_diff_pair(void *p, const git_tree_entry *x, const git_tree_entry *y)
{
	struct tree_diff *td = p;
	size_t at = td->path.len;
	if (at)
		buf_addc(&td->path, '/');
	buf_adds(&td->path, git_tree_entry_name(x ? x : y));
	git_tree *sa, *sb = NULL;
	int rc = 0;
	if (desk_entry_tree(td->r, x, &sa) != 0 || desk_entry_tree(td->r, y, &sb) != 0 ||
	    td->depth >= 32)	/* deeper than any desk: a stranger's tree */
		rc = -1;
	else if (sa || sb) {
		td->depth++;
		rc = desk_tree_pairs(sa, sb, tree_diff_pair, td);
		td->depth--;
	}
	const git_tree_entry *fx = sa ? NULL : x, *fy = sb ? NULL : y;
	if (!rc && (fx || fy))	/* a file on either side */
		rc = td->fn(td->ctx, td->path.p, fx, fy);
	git_tree_free(sa);
	git_tree_free(sb);
	td->path.p[td->path.len = at] = 0;
	return rc;
}

int desk_tree_diff(git_repository *r, git_tree *a, git_tree *b,
    int (*fn)(void *ctx, const char *path, const git_tree_entry *old, const git_tree_entry *now),
    void *ctx)
{
	struct tree_diff td = { r, { 0 }, 0, fn, ctx };
	buf_grow(&td.path, 64);
	td.path.p[0] = 0;
	int rc = desk_tree_pairs(a, b, tree_diff_pair, &td);
	buf_free(&td.path);
	return rc;
}

char *desk_read_head(struct desk *d, const char *path, size_t *len, int archived)
{
	git_tree *t = desk_branch_tree(d, archived ? DESK_ARCHIVE : DESK_BRANCH, NULL);
	char *r = desk_tree_file(t, path, len);
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
		if (write_all(fd, data, len) == 0 && close(fd) == 0) {
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

/* --- transactions --- */

enum { OP_WRITE, OP_APPEND, OP_REMOVE };

struct change {
	char *path;
	int op;
	struct buf data;
	struct buf full;	/* after tx_build, of an append: the file as committed */
	git_oid id;		/* and its blob */
};

/* The file as tx_build committed it: a write's data, or an append's
 * whole file (a copy of a message's file would double a batch's mail in
 * memory). */
static const struct buf *committed(const struct change *c)
{
	return c->op == OP_APPEND ? &c->full : &c->data;
}

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

/* --- the working tree and the index follow a commit --- */

/* Is the file at full a plain file holding exactly data[0..len)?  Its
 * stat into *st when it is. */
static int file_holds(const char *full, const void *data, size_t len, struct stat *st)
{
	if (lstat(full, st) != 0 || !S_ISREG(st->st_mode) || (size_t)st->st_size != len)
		return 0;
	size_t n;
	char *have = read_all(open(full, O_RDONLY | O_NOFOLLOW | O_CLOEXEC), &n);
	int same = have && n == len && !memcmp(have, data, len) && lstat(full, st) == 0;
	free(have);
	return same;
}

/* The index entry of path: blob id, in the file st describes (so that
 * git status need not read the file again). */
static void index_put(git_index *idx, const char *path, const git_oid *id, const struct stat *st)
{
	git_index_entry e = {
		.ctime = { (int32_t)st->st_ctim.tv_sec, (uint32_t)st->st_ctim.tv_nsec },
		.mtime = { (int32_t)st->st_mtim.tv_sec, (uint32_t)st->st_mtim.tv_nsec },
		.dev = (uint32_t)st->st_dev, .ino = (uint32_t)st->st_ino,
		.mode = GIT_FILEMODE_BLOB, .uid = (uint32_t)st->st_uid, .gid = (uint32_t)st->st_gid,
		.file_size = (uint32_t)st->st_size, .id = *id, .path = path,
	};
	if (git_index_add(idx, &e) != 0)
		desk_git_die(EX_TEMPFAIL, path);
}

/* Bring path in the working tree and in idx in line with tree (or with
 * the file of the committed change ch, when given).  0, or -1 with errno
 * when the file cannot be written. */
static int materialize(struct desk *d, git_index *idx, git_tree *tree, const char *path,
    const struct change *ch)
{
	git_tree_entry *e = NULL;
	char *full = join(d->root, path);
	int rc = 0;
	if (ch || (tree && git_tree_entry_bypath(&e, tree, path) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_BLOB)) {
		git_blob *b = NULL;
		struct stat st;
		const void *data;
		size_t len;
		const git_oid *id;
		if (ch) {
			data = committed(ch)->p ? committed(ch)->p : "";
			len = committed(ch)->len;
			id = &ch->id;
		} else {
			if (git_blob_lookup(&b, d->repo, git_tree_entry_id(e)) != 0)
				desk_git_die(EX_TEMPFAIL, path);
			data = git_blob_rawcontent(b);
			len = (size_t)git_blob_rawsize(b);
			id = git_tree_entry_id(e);
		}
		/* a file already as the tree has it (a path of the journal
		 * whose writer got that far) is kept: only the index needs it */
		if (!(!ch && file_holds(full, data, len, &st)) &&
		    write_atomic(d->root, path, data, len, &st, ch && ch->op == OP_WRITE) != 0)
			rc = -1;
		else
			index_put(idx, path, id, &st);
		git_blob_free(b);
	} else {
		/* gone (or a directory gone): out of the tree and the index */
		struct stat st;
		if (lstat(full, &st) == 0)
			rm_rf(full, 0);
		git_index_remove_directory(idx, path, 0);
		git_index_remove(idx, path, 0);
		prune_dirs(d->root, path);
	}
	git_tree_entry_free(e);
	free(full);
	return rc;
}

/* The desk's index, as on the disk now (libgit2 reads it again only when
 * the file changed). */
static git_index *index_open(struct desk *d)
{
	git_index *idx;
	if (git_repository_index(&idx, d->repo) != 0 || git_index_read(idx, 0) != 0)
		desk_git_die(EX_TEMPFAIL, "index");
	return idx;
}

/* Write idx and let it go: 0, or -1 (what it holds is dropped: read
 * again from the disk next time). */
static int index_close(git_index *idx)
{
	int rc = git_index_write(idx) == 0 ? 0 : -1;
	if (rc) {
		int e = errno ? errno : EIO;
		git_index_read(idx, 1);
		errno = e;
	}
	git_index_free(idx);
	return rc;
}

/* --- the lock and the journal --- */

static void unlink_journal(struct desk *d)
{
	char *jp = join(d->state, "pending");
	unlink(jp);
	free(jp);
}

/* The journal names the paths (of the changes c[0..n)) whose files and
 * index entries follow the branch once it moved: a writer killed in
 * between leaves it to the next, which brings them in line with HEAD
 * (recover). */
static void write_journal(struct desk *d, const struct change *c, size_t n)
{
	struct buf paths = { 0 };
	struct stat st;
	for (size_t i = 0; i < n; i++) {
		buf_adds(&paths, c[i].path);
		buf_addc(&paths, '\n');
	}
	if (write_atomic(d->state, "pending", paths.p ? paths.p : "", paths.len, &st, 0) != 0)
		die(errno == ENOSPC || errno == EDQUOT || errno == EROFS ? EX_CANTCREAT :
		    EX_TEMPFAIL, "%s/pending: %s", d->state, strerror(errno));
	buf_free(&paths);
}

/* Main moved to tree: the working tree and the index follow the changes
 * c[0..n) (their committed files when own, else tree's) and the journal
 * goes.  When the files cannot follow, the journal stays and the next
 * writer completes the job; what moved the branch (a change, a sync) is
 * named in the warning.  0, or the errno. */
static int follow(struct desk *d, git_tree *tree, const struct change *c, size_t n, int own,
    const char *what)
{
	int bad = 0;
	if (d->bare) {	/* nothing follows the branch */
		unlink_journal(d);
		return 0;
	}
	git_index *idx = index_open(d);
	for (size_t i = 0; i < n; i++)
		if (materialize(d, idx, tree, c[i].path, own && c[i].op != OP_REMOVE ? &c[i] :
		    NULL) != 0)
			bad = errno ? errno : EIO;
	if (index_close(idx) != 0 && !bad)
		bad = errno ? errno : EIO;
	if (bad)
		warnx_("%s: the working tree could not be updated (%s); the %s "
		    "is committed and the next command repairs the files", d->root, strerror(bad),
		    what);
	else
		unlink_journal(d);
	return bad;
}

/* Move ref to the commit to from old (NULL: the branch is made) by
 * compare-and-swap: libgit2's answer. */
static int set_ref(struct desk *d, const char *ref, const git_oid *to, const git_oid *old,
    const char *message)
{
	git_reference *r = NULL;
	int rc = old ? git_reference_create_matching(&r, d->repo, ref, to, 1, old, message) :
	    git_reference_create(&r, d->repo, ref, to, 0, message);
	git_reference_free(r);
	desk_branch_moved(d);
	return rc;
}

/* The commit of root on the commit parent (NULL: none) into *out, in
 * repo; dies with what. */
static void make_commit(git_repository *repo, git_oid *out, const git_oid *parent_id,
    git_tree *root, const git_signature *sig, const char *message, const char *what)
{
	git_commit *parent = NULL;
	if (parent_id && git_commit_lookup(&parent, repo, parent_id) != 0)
		desk_git_die(EX_TEMPFAIL, what);
	const git_commit *parents[1] = { parent };
	if (git_commit_create(out, repo, NULL, sig, sig, NULL, message, root, parent ? 1 : 0,
	    parents) != 0)
		desk_git_die(EX_TEMPFAIL, what);
	git_commit_free(parent);
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
	if (d->bare) {	/* nothing to bring in line */
		unlink_journal(d);
		return;
	}
	char *jp = join(d->state, "pending");
	size_t len;
	char *text = read_all(open(jp, O_RDONLY | O_CLOEXEC), &len);
	free(jp);
	if (!text)
		return;
	git_tree *t = desk_branch_tree(d, DESK_BRANCH, NULL);
	git_index *idx = index_open(d);
	for (char *p = text, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = 0;
		if (*p && !strstr(p, "..") && *p != '/') {
			remove_temps(d, p);
			materialize(d, idx, t, p, NULL);
		}
	}
	if (index_close(idx) != 0)
		desk_git_die(EX_TEMPFAIL, "index");
	git_tree_free(t);
	free(text);
	unlink_journal(d);
}

/* git's own lock files left by a killed writer.  We hold the desk lock:
 * with a journal present, a writer died inside its commit and the locks
 * are its own; without one, a lock older than a few seconds is stale (a
 * younger one may be a person's git command). */
static void clear_stale_git_locks(struct desk *d)
{
	char *jp = join(d->state, "pending");
	struct stat js;
	int dying = stat(jp, &js) == 0;
	free(jp);
	static const char *const names[] = { "index.lock",
		"refs/heads/main.lock", "refs/heads/archive.lock",
		"HEAD.lock", "packed-refs.lock" };
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char *p = desk_git_path(d, names[i]);
		struct stat st;
		if (stat(p, &st) == 0 && (dying || time(NULL) - st.st_mtime > 5))
			unlink(p);
		free(p);
	}
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

static double lock_limit(void)
{
	const char *to = getenv("MDESK_LOCK_TIMEOUT");
	return to && *to ? atof(to) : 30.0;
}

int desk_lock_bare(const char *gitdir)
{
	char *lp = join(gitdir, "mdesk/lock");
	int fd = open(lp, O_RDWR | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0 && wait_lock(fd, lock_limit()) != 0)
		die(EX_TEMPFAIL, "%s: the desk is locked by another writer (waited %.0f s); "
		    "try again later", lp, lock_limit());
	free(lp);
	return fd;
}

/* The lock, waiting at most $MDESK_LOCK_TIMEOUT (not at all when
 * !wait): 0 held, or -1 (when may_fail) or exit EX_TEMPFAIL when it stays
 * taken. */
static int lock_take(struct desk *d, int may_fail, int wait)
{
	if (d->lockfd >= 0)
		return 0;
	char *lp = join(d->state, "lock");
	int fd = open(lp, O_RDWR | O_CREAT, 0666);
	if (fd < 0 && !wait) {	/* desk_lock_now: a read-only desk */
		free(lp);
		return -1;
	}
	if (fd < 0)
		die(errno == EROFS || errno == EACCES ? EX_CANTCREAT : EX_TEMPFAIL,
		    "%s: cannot open the desk lock: %s", lp, strerror(errno));
	double limit = !wait ? 0 : lock_limit();
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
	lock_take(d, 0, 1);
}

int desk_lock_try(struct desk *d)
{
	return lock_take(d, 1, 1);
}

int desk_lock_now(struct desk *d)
{
	return lock_take(d, 1, 0);
}

void desk_unlock(struct desk *d)
{
	if (d->lockfd >= 0) {
		close(d->lockfd);	/* releases the flock */
		d->lockfd = -1;
		desk_branch_moved(d);
	}
}

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
	char *p = join(d->state, "commits");
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


static void tx_free(struct desk_tx *tx)
{
	git_signature_free(tx->sig);
	git_tree_free(tx->newtree);
	free(tx->message);
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
	/* prepared, the branch did not move: the journal names files that
	 * are HEAD's still */
	if (tx->prepared)
		unlink_journal(tx->d);
	tx_free(tx);
}

/* --- building a commit ---
 *
 * libgit2 writes each new object as a file of its own.  A large change
 * (a batch of mroute: thousands of objects) holds them in memory instead
 * (git_mempack, on a second handle of the repository) and writes them as
 * one pack with git_packbuilder, whose index libgit2's indexer makes.
 * The pack is complete on the disk before the branch names its objects:
 * a writer killed in between leaves an unreferenced pack, which
 * mdesk gc --full removes. */
#define PACK_CHANGES 64

/* The packbuilder looks for deltas between the objects of a pack, each
 * tried against its ten neighbours by size: a batch has one version of
 * each file, mail hardly deltas against other mail (the packs of an
 * import were 4% smaller), and the search took a third of the import's
 * time.  A batch's handle has a configuration level of its own, in
 * memory, that turns it off: libgit2 1.5 takes the size above which it
 * does not try from pack.deltaCacheSize (core.bigFileThreshold in git,
 * and pack.window = 0 in git too). */
static const char *const batch_conf[][2] = {
	{ "pack.deltacachesize", "1" },
	{ "core.bigfilethreshold", "1" },
	{ "pack.window", "0" },
};

static void batch_conf_entry_free(git_config_entry *e)
{
	free(e);
}

static int batch_conf_get(git_config_backend *b, const char *key, git_config_entry **out)
{
	(void)b;
	for (size_t i = 0; i < sizeof batch_conf / sizeof batch_conf[0]; i++)
		if (!strcasecmp(key, batch_conf[i][0])) {
			git_config_entry *e = xcalloc(1, sizeof *e);
			e->name = batch_conf[i][0];
			e->value = batch_conf[i][1];
			e->level = GIT_CONFIG_LEVEL_APP;
			e->free = batch_conf_entry_free;
			*out = e;
			return 0;
		}
	return GIT_ENOTFOUND;
}

static int batch_conf_open(git_config_backend *b, git_config_level_t l, const git_repository *r)
{
	(void)b, (void)l, (void)r;
	return 0;
}

static int batch_conf_iter_next(git_config_entry **e, git_config_iterator *it)
{
	(void)e, (void)it;
	return GIT_ITEROVER;
}

static void batch_conf_iter_free(git_config_iterator *it)
{
	free(it);
}

static int batch_conf_iterator(git_config_iterator **out, git_config_backend *b)
{
	git_config_iterator *it = xcalloc(1, sizeof *it);
	it->backend = b;
	it->next = batch_conf_iter_next;
	it->free = batch_conf_iter_free;
	*out = it;
	return 0;
}

static int batch_conf_lock(git_config_backend *b)
{
	(void)b;
	git_error_set_str(GIT_ERROR_CONFIG, "a batch's configuration is read-only");
	return -1;
}

static int batch_conf_unlock(git_config_backend *b, int success)
{
	(void)b, (void)success;
	return 0;
}

static void batch_conf_free(git_config_backend *b)
{
	free(b);
}

static int batch_conf_new(git_config_backend **out, git_config_backend *from)
{
	(void)from;
	git_config_backend *b = xcalloc(1, sizeof *b);
	git_config_init_backend(b, GIT_CONFIG_BACKEND_VERSION);
	b->readonly = 1;	/* libgit2 sets and deletes only in a writable level:
				 * no set, set_multivar, del or del_multivar here */
	b->open = batch_conf_open;
	b->get = batch_conf_get;
	b->iterator = batch_conf_iterator;
	b->snapshot = batch_conf_new;
	b->lock = batch_conf_lock;
	b->unlock = batch_conf_unlock;
	b->free = batch_conf_free;
	*out = b;
	return 0;
}

/* The objects already in the desk, for a batch's handle: read through
 * the desk's own object database.  The handle does not ask it whether an
 * object it writes is there already (no exists): that looked through
 * every pack of the desk for each new object, hundreds of packs into an
 * import; an object the desk has is at worst written again, in the
 * batch's pack, as git allows. */
struct desk_odb {
	git_odb_backend parent;
	git_odb *src;
};

static int desk_odb_read(void **data, size_t *len, git_object_t *type, git_odb_backend *b,
    const git_oid *id)
{
	git_odb_object *o;
	int rc = git_odb_read(&o, ((struct desk_odb *)b)->src, id);
	if (rc != 0)
		return rc;
	*len = git_odb_object_size(o);
	*type = git_odb_object_type(o);
	*data = git_odb_backend_data_alloc(b, *len + 1);
	if (*data)
		memcpy(*data, git_odb_object_data(o), *len);
	git_odb_object_free(o);
	return *data ? 0 : -1;
}

static int desk_odb_header(size_t *len, git_object_t *type, git_odb_backend *b, const git_oid *id)
{
	return git_odb_read_header(len, type, ((struct desk_odb *)b)->src, id);
}

static void desk_odb_free(git_odb_backend *b)
{
	git_odb_free(((struct desk_odb *)b)->src);
	free(b);
}

/* A handle of d's repository whose new objects stay in memory; *mem the
 * store. */
static git_repository *mempack_open(struct desk *d, git_odb_backend **mem)
{
	git_repository *r;
	git_odb *odb;
	git_config *cf;
	git_config_backend *bc;
	struct desk_odb *old = xcalloc(1, sizeof *old);
	git_odb_init_backend(&old->parent, GIT_ODB_BACKEND_VERSION);
	old->parent.read = desk_odb_read;
	old->parent.read_header = desk_odb_header;
	old->parent.free = desk_odb_free;
	if (git_repository_odb(&old->src, d->repo) != 0 || git_odb_new(&odb) != 0 ||
	    git_odb_add_backend(odb, &old->parent, 1) != 0 || git_mempack_new(mem) != 0 ||
	    git_odb_add_backend(odb, *mem, 2) != 0 || git_repository_wrap_odb(&r, odb) != 0)
		desk_git_die(EX_TEMPFAIL, "object database");
	git_odb_free(odb);
	batch_conf_new(&bc, NULL);
	if (git_repository_config(&cf, r) != 0 ||
	    git_config_add_backend(cf, bc, GIT_CONFIG_LEVEL_APP, r, 0) != 0)
		desk_git_die(EX_TEMPFAIL, "configuration");
	git_config_free(cf);
	return r;
}

/* Into pb: the tree id and what it holds that the tree old (NULL: none)
 * does not hold as is, the objects a commit adds.  Subtrees the same in
 * both are not looked at, each new tree is read once. */
static int pack_insert(git_packbuilder *pb, git_repository *r, const git_oid *id,
    const git_oid *old)
{
	git_tree *t = NULL, *o = NULL;
	if (git_packbuilder_insert(pb, id, NULL) != 0 || git_tree_lookup(&t, r, id) != 0 ||
	    (old && git_tree_lookup(&o, r, old) != 0)) {
		git_tree_free(t);
		return -1;
	}
	int bad = 0;
	for (size_t i = 0; i < git_tree_entrycount(t) && !bad; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const git_tree_entry *was = o ? git_tree_entry_byname(o, git_tree_entry_name(e)) : NULL;
		if (was && git_oid_equal(git_tree_entry_id(was), git_tree_entry_id(e)))
			continue;
		if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
			bad = pack_insert(pb, r, git_tree_entry_id(e), was &&
			    git_tree_entry_type(was) == GIT_OBJECT_TREE ? git_tree_entry_id(was) : NULL);
		else
			bad = git_packbuilder_insert(pb, git_tree_entry_id(e), NULL) != 0;
	}
	git_tree_free(t);
	git_tree_free(o);
	return bad;
}

/* Write the objects of tx's commit, held in r's memory store mem, as a
 * pack; r is freed.  Dies when the disk refuses. */
static void mempack_write(struct desk_tx *tx, git_repository *r, git_odb_backend *mem,
    git_tree *root, git_tree *base)
{
	git_packbuilder *pb;
	if (git_packbuilder_new(&pb, r) != 0 || git_packbuilder_insert(pb, &tx->commit_id, NULL) ||
	    pack_insert(pb, r, git_tree_id(root), base ? git_tree_id(base) : NULL) != 0)
		desk_git_die(EX_TEMPFAIL, "pack");
	errno = 0;
	char *dir = desk_git_path(tx->d, "objects/pack");
	if (git_packbuilder_write(pb, dir, 0, NULL, NULL) != 0) {
		int e = errno;
		desk_git_die(e == ENOSPC || e == EDQUOT || e == EROFS || e == EFBIG ?
		    EX_CANTCREAT : EX_TEMPFAIL, "writing a pack");
	}
	free(dir);
	git_packbuilder_free(pb);
	git_mempack_reset(mem);
	git_repository_free(r);
}

/* The blobs of tx's changes written to repo, on the tree base: the tree
 * updates into up (as many as returned). */
static size_t tx_blobs(struct desk_tx *tx, git_repository *repo, git_tree *base,
    git_tree_update *up)
{
	size_t nu = 0;
	for (size_t i = 0; i < tx->n; i++) {
		struct change *c = &tx->c[i];
		if (c->op == OP_REMOVE) {
			git_tree_entry *e;
			if (tx->unborn || git_tree_entry_bypath(&e, base, c->path) != 0)
				continue;
			git_tree_entry_free(e);
			up[nu].action = GIT_TREE_UPDATE_REMOVE;
			up[nu++].path = c->path;
			continue;
		}
		if (c->op == OP_APPEND) {
			size_t ol = 0;
			char *old = desk_tree_file(base, c->path, &ol);	/* NULL: unborn */
			c->full.len = 0;
			if (old) {
				buf_add(&c->full, old, ol);
				if (ol && old[ol - 1] != '\n')
					buf_addc(&c->full, '\n');
				free(old);
			}
			buf_add(&c->full, c->data.p ? c->data.p : "", c->data.len);
		}
		const struct buf *content = committed(c);
		errno = 0;
		if (git_blob_create_from_buffer(&c->id, repo, content->p ? content->p : "",
		    content->len) != 0)
			desk_git_die(errno == ENOSPC ? EX_CANTCREAT : EX_TEMPFAIL, c->path);
		up[nu].id = c->id;
		up[nu].action = GIT_TREE_UPDATE_UPSERT;
		up[nu].filemode = GIT_FILEMODE_BLOB;
		up[nu++].path = c->path;
	}
	return nu;
}

/* The file of a loose object id of d, into out (PATH_MAX bytes). */
static void loose_path(struct desk *d, const git_oid *id, char *out)
{
	char hex[GIT_OID_HEXSZ + 1];
	git_oid_tostr(hex, sizeof hex, id);
	snprintf(out, PATH_MAX, "%sobjects/%.2s/%s", git_repository_path(d->repo), hex, hex + 2);
}

/* A loose file that does not hold its object (cut short: a power cut
 * with fsync off leaves empty ones) stands in for a blob of tx, and
 * libgit2 takes it as present: remove it, so that the blob is written
 * again.  1 when there was one. */
static int drop_damaged(struct desk *d, struct desk_tx *tx, git_repository *repo)
{
	git_odb *odb;
	int found = 0;
	if (git_repository_odb(&odb, repo) != 0)
		return 0;
	for (size_t i = 0; i < tx->n; i++) {
		size_t len;
		git_object_t type;
		char p[PATH_MAX];
		if (tx->c[i].op == OP_REMOVE || git_odb_read_header(&len, &type, odb, &tx->c[i].id) == 0)
			continue;
		loose_path(d, &tx->c[i].id, p);
		found |= unlink(p) == 0;
	}
	git_odb_free(odb);
	return found;
}

/* Build the commit of tx on the branch's current tip (its blobs, trees
 * and commit object), then write the journal: everything that needs room
 * on the disk; dies on failure. */
static void tx_build(struct desk_tx *tx)
{
	struct desk *d = tx->d;
	git_odb_backend *mem = NULL;
	git_repository *repo = tx->n >= PACK_CHANGES ? mempack_open(d, &mem) : d->repo;
	tx->unborn = desk_branch_id(d, DESK_BRANCH, &tx->head) != 0;
	git_tree *base = tx->unborn ? NULL : tree_in(repo, &tx->head, "HEAD");
	git_tree_update *up = xcalloc(tx->n + 1, sizeof *up);
	size_t nu = tx_blobs(tx, repo, base, up);
	git_oid tree_id;
	git_tree *root;
	int rc = git_tree_create_updated(&tree_id, repo, base, nu, up);
	if (rc != 0 && drop_damaged(d, tx, repo)) {
		nu = tx_blobs(tx, repo, base, up);
		rc = git_tree_create_updated(&tree_id, repo, base, nu, up);
	}
	if (rc != 0 || git_tree_lookup(&root, repo, &tree_id) != 0)
		desk_git_die(EX_TEMPFAIL, "tree");
	free(up);
	make_commit(repo, &tx->commit_id, tx->unborn ? NULL : &tx->head, root, tx->sig,
	    tx->message, "commit");
	if (mem)
		mempack_write(tx, repo, mem, root, base);
	git_tree_free(base);
	git_tree_free(root);
	git_tree_free(tx->newtree);
	if (git_tree_lookup(&tx->newtree, d->repo, &tree_id) != 0)
		desk_git_die(EX_TEMPFAIL, "tree");
	write_journal(d, tx->c, tx->n);
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
	tx->prepared = 1;
	tx_build(tx);
}

void desk_on_commit(struct desk *d, desk_commit_fn fn)
{
	d->committed = fn;
}

static void tell_committed(struct desk *d, struct desk_tx *tx)
{
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

int desk_tx_commit(struct desk_tx *tx, const char *name, const char *email,
    const char *message)
{
	struct desk *d = tx->d;
	desk_tx_prepare(tx, name, email, message);
	for (int attempt = 0;; attempt++) {
		int rc = set_ref(d, DESK_BRANCH, &tx->commit_id, tx->unborn ? NULL : &tx->head,
		    tx->message);
		if (rc == 0)
			break;
		if ((rc != GIT_EMODIFIED && rc != GIT_ELOCKED && rc != GIT_EEXISTS) || attempt >= 20)
			desk_git_die(EX_TEMPFAIL, "updating the branch");
		struct timespec ts = { 0, 2000000L * (attempt + 1) };
		nanosleep(&ts, NULL);
		tx_build(tx);	/* on the branch's new tip */
	}
	tx->prepared = 0;
	d->wrote = 1;
	if (d->committed)
		tell_committed(d, tx);
	int bad = follow(d, tx->newtree, tx->c, tx->n, 1, "change");
	tx_free(tx);
	if (!bad && count_commit(d)) {
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

/* --- packing ---
 *
 * libgit2 never packs loose objects: every GC_EVERY commits they go into
 * one pack (desk_gc).  mdesk gc --full packs everything reachable from a
 * ref or a reflog into one pack and removes the older packs and loose
 * objects, as git gc does, but keeps every pack and loose object younger
 * than GC_GRACE seconds: a fetch writes its pack before it writes the
 * ref that names it, so an object the walk did not reach may be wanted a
 * moment later. */

struct loose {
	git_oid *ids;
	size_t n, cap;
};

static int loose_one(const git_oid *id, void *payload)
{
	struct loose *l = payload;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->ids = xrealloc(l->ids, l->cap * sizeof *l->ids);
	}
	l->ids[l->n++] = *id;
	return 0;
}

/* The loose objects under objdir, as libgit2's loose backend lists them. */
static void collect_loose(const char *objdir, struct loose *l)
{
	git_odb *odb;
	git_odb_backend *b;
	if (git_odb_new(&odb) != 0 || git_odb_backend_loose(&b, objdir, -1, 0, 0, 0) != 0 ||
	    git_odb_add_backend(odb, b, 1) != 0)
		desk_git_die(EX_TEMPFAIL, objdir);
	git_odb_foreach(odb, loose_one, l);
	git_odb_free(odb);
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

/* Everything reachable from a ref or a reflog into pb. */
static void insert_reachable(struct desk *d, git_packbuilder *pb)
{
	git_revwalk *w;
	if (git_revwalk_new(&w, d->repo) != 0)
		desk_git_die(EX_TEMPFAIL, "pack");
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
}

/* Remove the packs older than before, except keep (the new one's
 * "pack-HASH.") and those with a .keep file.  The index goes first:
 * without it no reader opens the pack. */
static void remove_old_packs(const char *objdir, const char *keep, time_t before)
{
	static const char *const ext[] = { ".idx", ".pack", ".rev", ".bitmap" };
	char *pd = join(objdir, "pack");
	DIR *dp = opendir(pd);
	struct dirent *de;
	while (dp && (de = readdir(dp))) {
		size_t nl = strlen(de->d_name);
		if (strncmp(de->d_name, "pack-", 5) != 0 || nl < 10 ||
		    strcmp(de->d_name + nl - 5, ".pack") != 0 || !strncmp(de->d_name, keep, strlen(keep)))
			continue;
		char *base = join(pd, de->d_name), p[PATH_MAX];
		base[strlen(base) - 5] = 0;
		struct stat st;
		int young = 0;
		for (int i = 0; i < 2; i++) {
			snprintf(p, sizeof p, "%s%s", base, ext[i]);
			young |= stat(p, &st) == 0 && st.st_mtime >= before;
		}
		snprintf(p, sizeof p, "%s.keep", base);
		if (!young && stat(p, &st) != 0)
			for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
				snprintf(p, sizeof p, "%s%s", base, ext[i]);
				unlink(p);
			}
		free(base);
	}
	if (dp)
		closedir(dp);
	free(pd);
}

void desk_gc(struct desk *d, int full, int quiet)
{
	time_t before = time(NULL) - GC_GRACE;
	char *objdir = desk_git_path(d, "objects");
	struct loose l = { 0 };
	git_packbuilder *pb;
	collect_loose(objdir, &l);
	if (git_packbuilder_new(&pb, d->repo) != 0)
		desk_git_die(EX_TEMPFAIL, "pack");
	if (full)
		insert_reachable(d, pb);
	else
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
	if (packed > 0)
		snprintf(keep, sizeof keep, "pack-%s.", git_oid_tostr_s(git_packbuilder_hash(pb)));
	git_packbuilder_free(pb);
	/* loose objects now in the pack can go; with a full pack, those
	 * older than the grace (unreachable ones included) */
	size_t removed = 0;
	for (size_t i = 0; i < l.n; i++) {
		struct stat st;
		char p[PATH_MAX];
		loose_path(d, &l.ids[i], p);
		if (full && (stat(p, &st) != 0 || st.st_mtime >= before))
			continue;
		if (unlink(p) == 0)
			removed++;
	}
	if (full && packed > 0)
		remove_old_packs(objdir, keep, before);
	if (!quiet)
		printf("packed %zu objects, removed %zu loose objects\n", packed, removed);
out:
	free(l.ids);
	free(objdir);
}

/* --- the archive branch --- */

int desk_archive(struct desk *d, char **ids, size_t n, const char *name,
    const char *email)
{
	if (n == 0)
		return 0;
	git_tree *main = desk_branch_tree(d, DESK_BRANCH, NULL);
	if (!main)
		return 0;
	git_oid ahead;
	git_tree *arch = desk_branch_tree(d, DESK_ARCHIVE, &ahead);	/* NULL: unborn */
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
		git_oid tid, cid;
		git_tree *nt;
		if (git_tree_create_updated(&tid, d->repo, arch, nu, up) != 0 ||
		    git_tree_lookup(&nt, d->repo, &tid) != 0)
			desk_git_die(EX_TEMPFAIL, "archive tree");
		char msg[128];
		snprintf(msg, sizeof msg, "archive: %zu ticket%s", nu, nu == 1 ? "" : "s");
		make_commit(d->repo, &cid, arch ? &ahead : NULL, nt, sig, msg, "archive commit");
		if (set_ref(d, DESK_ARCHIVE, &cid, arch ? &ahead : NULL, msg) != 0)
			desk_git_die(EX_TEMPFAIL, "archive branch");
		git_tree_free(nt);
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

/* --- moving a branch to another commit (a sync) --- */

struct paths {
	struct change *v;	/* only their paths */
	size_t n;
};

static int diff_path(const git_diff_delta *dd, float progress, void *payload)
{
	(void)progress;
	struct paths *l = payload;
	const char *p[2] = { dd->old_file.path, dd->new_file.path };
	for (int k = 0; k < 2; k++) {
		if (!p[k] || (k == 1 && dd->old_file.path && !strcmp(p[0], p[1])))
			continue;
		l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		memset(&l->v[l->n], 0, sizeof *l->v);
		l->v[l->n++].path = xstrdup(p[k]);
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
	struct paths paths = { NULL, 0 };
	git_tree *nt = tree_in(d->repo, to, "sync commit"), *ot = NULL;
	if (main_branch) {
		ot = old ? tree_in(d->repo, old, "main") : NULL;
		git_diff *diff;
		if (git_diff_tree_to_tree(&diff, d->repo, ot, nt, NULL) != 0)
			desk_git_die(EX_TEMPFAIL, "diff");
		git_diff_foreach(diff, diff_path, NULL, NULL, NULL, &paths);
		git_diff_free(diff);
		for (size_t i = 0; i < paths.n; i++)
			if (!safe_path(paths.v[i].path) || strchr(paths.v[i].path, '\n'))
				die(EX_DATAERR, "%.200s: a path no desk has (under .git, or with "
				    "'..'); nothing changed", paths.v[i].path);
		write_journal(d, paths.v, paths.n);	/* the paths in flight */
	}
	int rc = set_ref(d, ref, to, old, message);
	int moved = rc == 0;
	d->wrote |= moved;
	if (!moved && rc != GIT_EMODIFIED && rc != GIT_EEXISTS && rc != GIT_ELOCKED) {
		const git_error *e = git_error_last();
		int full = errno == ENOSPC || errno == EDQUOT || errno == EFBIG;
		unlink_journal(d);
		die(full ? EX_CANTCREAT : EX_TEMPFAIL, "%s: %s", ref,
		    e && e->message ? e->message : "cannot update");
	}
	if (main_branch && moved)
		follow(d, nt, paths.v, paths.n, 0, "sync");
	else if (main_branch)
		unlink_journal(d);
	for (size_t i = 0; i < paths.n; i++)
		free(paths.v[i].path);
	free(paths.v);
	git_tree_free(nt);
	git_tree_free(ot);
	return moved ? 0 : 1;
}
