/* desk.h: the desk, a git repository of plain files, through libgit2.
 *
 * A bare desk has no working tree and no index: its files are read from
 * the main branch's tree, its state is DIR/mdesk instead of .git/mdesk,
 * and nothing follows a commit.
 *
 * Writers take the desk lock (flock on .git/mdesk/lock, bounded wait,
 * then EX_TEMPFAIL), stage changes in a transaction and commit them as
 * exactly one commit: blobs and trees are built from HEAD's tree with
 * git_tree_create_updated (never through the index; a large change's
 * objects go to one pack), the branch moves by compare-and-swap, and then
 * the working tree and the index entries of the touched paths are brought
 * to the new commit (git_index_add), so `git status` stays clean.  A journal (.git/mdesk/pending) names the paths in flight; a
 * writer killed at any point is repaired by the next one, which brings
 * those paths back in line with HEAD.  It also records the replies that
 * left while no lock was held (outbox.h).
 *
 * Closed tickets move to the branch "archive" (mdesk archive): still in
 * git, still read by every tool, but out of the working tree and index. */
#ifndef MDESK_DESK_H
#define MDESK_DESK_H
#include <stddef.h>
#include <git2.h>
#include "conf.h"
#include "util.h"

#define DESK_BRANCH "refs/heads/main"
#define DESK_ARCHIVE "refs/heads/archive"

struct desk;
/* An observer of the commits of desk_tx_commit: main moved from the
 * commit old (NULL: the branch was unborn) to a commit of the tree root,
 * changing paths (as given to desk_tx_write, _append, _remove); ids[i]
 * is the blob path i holds now, all zeros for a removal. */
typedef void (*desk_commit_fn)(struct desk *d, const git_oid *old, git_tree *root,
    const char *const *paths, const git_oid *ids, size_t n);

struct desk {
	char *root;		/* the working tree, absolute; of a bare desk,
				 * its git directory */
	int bare;		/* no working tree, no index: the files are
				 * read from the main branch's tree */
	char *state;		/* derived state: .git/mdesk, or DIR/mdesk */
	git_repository *repo;
	int lockfd;
	unsigned lock_gen;	/* counts the times the lock was taken */
	struct conf conf;	/* desk.conf */
	int conf_loaded;
	long long now;
	const char *agent;	/* acting agent (--as, $MDESK_AGENT, git user) */
	int upkeep_due;		/* many commits since the last upkeep */
	int fsync;		/* desk.conf fsync: files of .git reach the disk */
	/* the commits of main and archive while the lock is held (no other
	 * writer moves them then): 0 unknown, 1 known, -1 no such branch */
	int refc_state[2];
	git_oid refc[2];
	desk_commit_fn committed;	/* desk_on_commit */
	int wrote;		/* a branch moved by this process: desk_close
				 * brings the search index up to it */
};

/* Find the desk: dir (--desk), $MDESK_DIR, the current directory or its
 * parents.  A desk is a directory holding desk.conf and .git, or a bare
 * git repository (core.bare) whose branch main holds desk.conf.  Exits EX_CONFIG with a hint on failure (a desk owned by
 * another user included: git refuses it). */
void desk_open(struct desk *d, const char *dir);
/* Open the desk just made in dir by desk_git_create, for its first
 * commit: without desk.conf (the defaults: fsync on). */
void desk_open_new(struct desk *d, const char *dir);
/* Unlock and close; when this process moved a branch, the search index
 * (when there is one) follows (search_follow, without the lock). */
void desk_close(struct desk *d);
/* Create an empty git repository for a desk (branch main) in dir, made
 * with its missing parents (bare: dir is the git directory itself);
 * exits EX_CANTCREAT when it cannot be. */
void desk_git_create(const char *dir, int bare);
/* name (a path inside the git directory: "objects", "mdesk/lock") under
 * d's git directory, malloc'd. */
char *desk_git_path(struct desk *d, const char *name);
/* The git library, once per process. */
void desk_git_init(void);
/* Die with the libgit2 error: "what: message". */
_Noreturn void desk_git_die(int code, const char *what);

/* The lock: bounded wait ($MDESK_LOCK_TIMEOUT seconds, default 30), then
 * exit EX_TEMPFAIL.  Also repairs what a killed writer left. */
void desk_lock(struct desk *d);
/* The same, but -1 instead of exiting when the wait is over. */
int desk_lock_try(struct desk *d);
/* The same without waiting: -1 at once when another process holds it
 * (or the lock cannot be opened: a read-only desk). */
int desk_lock_now(struct desk *d);
void desk_unlock(struct desk *d);
/* The desk lock of the bare desk whose git directory is gitdir (a remote
 * that is a path: a push writes its branches itself), waited for as
 * desk_lock does: its descriptor (close it to let go), or -1 when gitdir
 * has no lock (it is no desk, or none has run there). */
int desk_lock_bare(const char *gitdir);

/* The commit a branch (DESK_BRANCH or DESK_ARCHIVE; any other ref is
 * read every time) points to: 0, or -1 when there is none.  Remembered
 * while the lock is held (every change of a branch by this process
 * forgets it). */
int desk_branch_id(struct desk *d, const char *ref, git_oid *out);
/* The tree of a branch's commit (its id into *head when head is given);
 * NULL when the branch has none.  git_tree_free it. */
git_tree *desk_branch_tree(struct desk *d, const char *ref, git_oid *head);

/* Read a file of the desk at HEAD (or of the archive branch when
 * archived != 0); returns malloc'd bytes and *len, NULL if absent. */
char *desk_read_head(struct desk *d, const char *path, size_t *len, int archived);
/* The file at path in tree t, or of tree entry e of repository r:
 * malloc'd bytes (all of them, NUL bytes too) with a NUL after them, and
 * *len; NULL when absent or not a file. */
char *desk_tree_file(git_tree *t, const char *path, size_t *len);
char *desk_entry_file(git_repository *r, const git_tree_entry *e, size_t *len);
/* Each name whose entry differs between the trees a and b (NULL: empty;
 * added, removed or another object), in git's order: fn(ctx, its entry
 * in a or NULL, in b or NULL).  0, or -1 when fn returned nonzero. */
int desk_tree_pairs(git_tree *a, git_tree *b,
    int (*fn)(void *ctx, const git_tree_entry *x, const git_tree_entry *y), void *ctx);
/* The tree of entry e of r into *t (NULL when e is none or not a tree);
 * 0, or -1 when it cannot be read. */
int desk_entry_tree(git_repository *r, const git_tree_entry *e, git_tree **t);
/* Each file that differs between the trees a and b (NULL: empty), its
 * path under them: fn(ctx, path, its entry in a or NULL, in b or NULL).
 * A subtree that is the same object in both is not read (libgit2's
 * tree-to-tree diff reads every one).  0, or -1 when a tree cannot be
 * read or fn returns nonzero. */
int desk_tree_diff(git_repository *r, git_tree *a, git_tree *b,
    int (*fn)(void *ctx, const char *path, const git_tree_entry *old, const git_tree_entry *now),
    void *ctx);
/* Read a file of the working tree (of a bare desk: of the main branch's
 * tree); NULL if absent, not a regular file or reached through a
 * symbolic link (no component of path is followed). */
char *desk_read_file(struct desk *d, const char *path, size_t *len);
/* The names in the folder dir of the desk (working tree, or main's tree
 * when bare), sorted, "." and ".." left out; *n of them.  Free with
 * desk_list_free. */
char **desk_list(struct desk *d, const char *dir, size_t *n);
void desk_list_free(char **v, size_t n);

/* A transaction: one commit. */
struct desk_tx;
struct desk_tx *desk_tx_new(struct desk *d);
void desk_tx_write(struct desk_tx *tx, const char *path, const void *p, size_t n);
void desk_tx_append(struct desk_tx *tx, const char *path, const void *p, size_t n);
void desk_tx_remove(struct desk_tx *tx, const char *path);
size_t desk_tx_count(const struct desk_tx *tx);
/* What tx holds for path, not yet committed: NULL when nothing (or a
 * removal); *append set when the bytes go after the file at HEAD. */
const char *desk_tx_pending(const struct desk_tx *tx, const char *path, size_t *len,
    int *append);
/* Set the observer told after each commit (one per desk; NULL: none). */
void desk_on_commit(struct desk *d, desk_commit_fn fn);
/* Commit with the author (name, email) and message; returns 0, or exits
 * (EX_TEMPFAIL when a retry may succeed, EX_CANTCREAT when the disk
 * refuses).  The transaction is freed.  After desk_tx_prepare the
 * prepared commit is the one made (its author and message). */
int desk_tx_commit(struct desk_tx *tx, const char *name, const char *email,
    const char *message);
/* Abandon tx (after desk_tx_prepare too: the branch never moved). */
void desk_tx_abort(struct desk_tx *tx);
/* The first half of desk_tx_commit: build the commit's objects and write
 * the journal, everything that needs room on the disk, and exit as
 * desk_tx_commit does when the disk refuses; the branch does not move.
 * A tool whose output must go only with the commit (a reply) prepares,
 * writes or sends, then commits (or aborts: nothing is recorded). */
void desk_tx_prepare(struct desk_tx *tx, const char *name, const char *email,
    const char *message);

/* Move branch ref (DESK_BRANCH or DESK_ARCHIVE) from old (NULL: the
 * branch does not exist yet) to the commit to, by compare-and-swap, with
 * the lock held.  For the main branch the working tree and the index follow
 * (the changed paths, journalled like a commit), so `git status` stays
 * clean.  0, 1 when the branch is no longer at old (nothing changed), or
 * exits (EX_TEMPFAIL, EX_CANTCREAT when the disk refuses). */
int desk_move_branch(struct desk *d, const char *ref, const git_oid *old,
    const git_oid *to, const char *message);

/* Ticket paths: "tickets/SH/ID" (ID validated: dies with EX_DATAERR on
 * anything but 6-12 of [0-9A-Z]). */
void desk_ticket_dir(const char *id, char out[40]);

/* The author of automatic work: "mdesk" <mdesk@HOST>. */
void desk_system_author(char *name, size_t nn, char *email, size_t en);

/* Pack loose objects when there are many (libgit2 never does).  full:
 * one pack of everything reachable; older packs and loose objects go,
 * except those younger than an hour (a fetch's pack before its ref). */
void desk_gc(struct desk *d, int full, int quiet);

/* Move tickets (ids) to the archive branch and out of the working tree. */
int desk_archive(struct desk *d, char **ids, size_t n, const char *name,
    const char *email);

#endif
