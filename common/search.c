/* search.c: the full-text index of a desk's tickets (see search.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include <jansson.h>
#include <sqlite3.h>
#include "event.h"
#include "mime.h"
#include "msg.h"
#include "search.h"
#include "ticketid.h"

#define SEARCH_VERSION "3"
/* the text of one message kept, and of one ticket */
#define MSG_TEXT_MAX (256u << 10)
#define TICKET_TEXT_MAX (4u << 20)
/* a writer's catch-up (search_follow): how long it waits for another
 * writer of the index, and how many tickets it reads again at most */
#define FOLLOW_WAIT_MS 200
#define FOLLOW_MAX 500

static const char *const schema =
    "CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT NOT NULL);"
    "CREATE TABLE tix(n INTEGER PRIMARY KEY, id TEXT NOT NULL, arch INTEGER NOT NULL,"
    " created INTEGER NOT NULL, updated INTEGER NOT NULL, json TEXT NOT NULL,"
    " status TEXT NOT NULL, assignee TEXT, queue TEXT,"
    " UNIQUE(id, arch));"
    "CREATE VIRTUAL TABLE doc USING fts5(subject, people, body, notes, tags,"
    " tokenize = 'unicode61 remove_diacritics 2');"
    "INSERT INTO meta VALUES('version', '" SEARCH_VERSION "');";

static char *db_path(struct desk *d)
{
	char *p = xmalloc(strlen(d->state) + 20);
	sprintf(p, "%s/search.sqlite", d->state);
	return p;
}

/* The files of the database at path but path itself: its logs, and what
 * a build cut short left. */
static void db_remove_logs(const char *path, int all)
{
	static const char *const ext[] = { "-journal", "-wal", "-shm", "" };
	char *p = xmalloc(strlen(path) + 10);
	for (int i = 0; i < (all ? 4 : 3); i++) {
		sprintf(p, "%s%s", path, ext[i]);
		unlink(p);
	}
	free(p);
}

/* A value of meta into out ("" when none); 0, or -1 when the file is no
 * index of this version (unreadable, damaged, another schema). */
static int meta_get(sqlite3 *db, const char *k, char *out, size_t n)
{
	sqlite3_stmt *st;
	int rc = -1;
	*out = 0;
	if (sqlite3_prepare_v2(db, "SELECT v FROM meta WHERE k = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	int s = sqlite3_step(st);
	if (s == SQLITE_ROW) {
		snprintf(out, n, "%s", (const char *)sqlite3_column_text(st, 0));
		rc = 0;
	} else if (s == SQLITE_DONE)
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

static int meta_set(sqlite3 *db, const char *k, const char *v)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, "INSERT OR REPLACE INTO meta VALUES(?, ?)", -1, &st,
	    NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* Open the index that exists (read-only or not), waiting busy_ms for
 * another writer of it.  NULL when there is none, or it is no index of
 * this version. */
static sqlite3 *db_open(struct desk *d, int writable, int busy_ms)
{
	char *path = db_path(d), v[16];
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(path, &db, writable ? SQLITE_OPEN_READWRITE :
	    SQLITE_OPEN_READONLY, NULL);
	free(path);
	if (rc == SQLITE_OK) {
		sqlite3_busy_timeout(db, busy_ms);
		/* derived data: a commit need not reach the disk (WAL keeps
		 * the file whole; a lost update is caught up by the keys) */
		if (writable) {
			sqlite3_exec(db, "PRAGMA synchronous = NORMAL;"
			    "PRAGMA journal_size_limit = 16777216", NULL, NULL, NULL);
			/* the log is folded in by the commits that fill it,
			 * not by every close */
			sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
		}
		if (meta_get(db, "version", v, sizeof v) == 0 && !strcmp(v, SEARCH_VERSION))
			return db;
	}
	sqlite3_close(db);
	return NULL;
}

/* The index's own lock, .git/mdesk/search.lock (flock): shared by every
 * process that has the index open, exclusive for the one that builds it
 * again.  op: LOCK_SH or LOCK_EX, with LOCK_NB or not.  The descriptor
 * (ix_unlock), -1 when the lock is taken (LOCK_NB), or -2 when there is
 * no lock to take (a desk this process cannot write). */
static int ix_lock(struct desk *d, int op)
{
	char *p = xmalloc(strlen(d->state) + 20);
	sprintf(p, "%s/search.lock", d->state);
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		fd = open(p, O_RDONLY | O_CLOEXEC);
	free(p);
	if (fd < 0)
		return -2;
	while (flock(fd, op) != 0)
		if (errno != EINTR) {
			close(fd);
			return -1;
		}
	return fd;
}

static void ix_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* releases the flock */
}

/* --- one ticket's text --- */

struct doc {
	struct buf f[5];	/* subject, people, body, notes, tags */
	struct msg m;
	size_t total;
	char *json;		/* the ticket's state: ticket_json, compact */
	long long created, updated;
	char *status, *assignee, *queue;	/* NULL for none */
};

static void add_text(struct doc *o, int col, const char *s, size_t n)
{
	if (!s || !n || o->total + n > TICKET_TEXT_MAX)
		return;
	if (o->f[col].len)
		buf_addc(&o->f[col], '\n');
	buf_add(&o->f[col], s, n);
	o->total += n;
}

static void add_person(void *ctx, const char *addr, const char *display)
{
	struct doc *o = ctx;
	if (display)
		add_text(o, 1, display, strlen(display));
	if (addr)
		add_text(o, 1, addr, strlen(addr));
}

static void add_message(struct doc *o, const char *raw, size_t len)
{
	size_t hl = msg_header_len(raw, len);
	if (msg_open(&o->m, raw, hl) == 0) {
		const char *s = msg_text(&o->m, "Subject");
		add_text(o, 0, s, s ? strlen(s) : 0);
		msg_addrs(&o->m, "From,Reply-To,Sender,To,Cc", add_person, o);
	}
	msg_close(&o->m);
	char *t = mime_text(raw, len);
	size_t n = strlen(t);
	add_text(o, 2, t, n < MSG_TEXT_MAX ? n : MSG_TEXT_MAX);
	free(t);
}

static void doc_state(struct doc *o, const char *status, const char *assignee,
    const char *queue)
{
	free(o->status);
	free(o->assignee);
	free(o->queue);
	o->status = status ? xstrdup(status) : NULL;
	o->assignee = assignee ? xstrdup(assignee) : NULL;
	o->queue = queue ? xstrdup(queue) : NULL;
}

static void add_events(struct doc *o, const char *id, const char *text, size_t len)
{
	struct ticket t;
	size_t i;
	json_t *e;
	ticket_fold(&t, id, text, len, 0);
	add_text(o, 0, t.subject, t.subject ? strlen(t.subject) : 0);
	add_text(o, 1, t.customer_name, t.customer_name ? strlen(t.customer_name) : 0);
	add_text(o, 1, t.customer, t.customer ? strlen(t.customer) : 0);
	json_array_foreach(t.events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		const char *tx = json_string_value(json_object_get(e, "text"));
		if (ty && tx && !strcmp(ty, "note"))
			add_text(o, 3, tx, strlen(tx));
	}
	json_array_foreach(t.tags, i, e)
		add_text(o, 4, json_string_value(e), strlen(json_string_value(e)));
	json_t *tj = ticket_json(&t);
	free(o->json);
	o->json = json_dumps(tj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(tj);
	o->created = t.created;
	o->updated = t.updated;
	doc_state(o, t.status ? t.status : "new", t.assignee, t.queue);
	ticket_free(&t);
}

/* --- writing --- */

struct writer {
	struct desk *d;
	sqlite3 *db;
	sqlite3_stmt *find, *del_tix, *del_doc, *ins_tix, *ins_doc;
	struct doc o;
	int arch, failed;
	size_t done;		/* tickets read again */
	size_t limit;		/* at most so many (0: no limit), or left */
};

static int w_prepare(struct writer *w)
{
	static const char *const sql[] = {
		"SELECT n FROM tix WHERE id = ? AND arch = ?",
		"DELETE FROM tix WHERE n = ?",
		"DELETE FROM doc WHERE rowid = ?",
		"INSERT INTO tix(id, arch, created, updated, json, status, assignee, queue) "
		"VALUES(?, ?, ?, ?, ?, ?, ?, ?)",
		"INSERT INTO doc(rowid, subject, people, body, notes, tags) VALUES(?, ?, ?, ?, ?, ?)",
	};
	sqlite3_stmt **st[] = { &w->find, &w->del_tix, &w->del_doc, &w->ins_tix, &w->ins_doc };
	for (int i = 0; i < 5; i++)
		if (sqlite3_prepare_v2(w->db, sql[i], -1, st[i], NULL) != SQLITE_OK)
			return -1;
	return 0;
}

static void w_finish(struct writer *w)
{
	sqlite3_finalize(w->find);
	sqlite3_finalize(w->del_tix);
	sqlite3_finalize(w->del_doc);
	sqlite3_finalize(w->ins_tix);
	sqlite3_finalize(w->ins_doc);
	for (int i = 0; i < 5; i++)
		buf_free(&w->o.f[i]);
	msg_free(&w->o.m);
	free(w->o.json);
	doc_state(&w->o, NULL, NULL, NULL);
}

static int w_step(struct writer *w, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		w->failed = 1;
	return rc;
}

/* Forget ticket id of the current branch. */
static void w_drop(struct writer *w, const char *id)
{
	sqlite3_bind_text(w->find, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(w->find, 2, w->arch);
	if (sqlite3_step(w->find) == SQLITE_ROW) {
		sqlite3_int64 n = sqlite3_column_int64(w->find, 0);
		sqlite3_bind_int64(w->del_doc, 1, n);
		w_step(w, w->del_doc);
		sqlite3_bind_int64(w->del_tix, 1, n);
		w_step(w, w->del_tix);
	}
	sqlite3_reset(w->find);
}

/* Index ticket id from its folder (a tree of its branch). */
static void w_add(struct writer *w, const char *id, git_tree *dir)
{
	struct doc *o = &w->o;
	for (int i = 0; i < 5; i++)
		o->f[i].len = 0;
	o->total = 0;
	free(o->json);
	o->json = NULL;
	size_t n = git_tree_entrycount(dir), len;
	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(dir, i);
		const char *name = git_tree_entry_name(e);
		size_t nl = strlen(name);
		int ev = !strcmp(name, "events.jsonl");
		if (!ev && (nl < 5 || strcmp(name + nl - 4, ".eml")))
			continue;
		char *t = desk_entry_file(w->d->repo, e, &len);
		if (!t)
			continue;
		if (ev)
			add_events(o, id, t, len);
		else
			add_message(o, t, len);
		free(t);
	}
	if (!o->json)
		return;	/* no events: no ticket */
	sqlite3_bind_text(w->ins_tix, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int(w->ins_tix, 2, w->arch);
	sqlite3_bind_int64(w->ins_tix, 3, o->created);
	sqlite3_bind_int64(w->ins_tix, 4, o->updated);
	sqlite3_bind_text(w->ins_tix, 5, o->json, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->ins_tix, 6, o->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->ins_tix, 7, o->assignee, -1, SQLITE_STATIC);
	sqlite3_bind_text(w->ins_tix, 8, o->queue, -1, SQLITE_STATIC);
	w_step(w, w->ins_tix);
	sqlite3_bind_int64(w->ins_doc, 1, sqlite3_last_insert_rowid(w->db));
	for (int i = 0; i < 5; i++)
		sqlite3_bind_text(w->ins_doc, 2 + i, buf_cstr(&o->f[i]), (int)o->f[i].len,
		    SQLITE_STATIC);
	w_step(w, w->ins_doc);
}

/* Ticket id as it is in tickets tree root: indexed again, or forgotten
 * when it is not there. */
static void w_ticket(struct writer *w, git_tree *root, const char *id)
{
	char path[40];
	git_tree_entry *e = NULL;
	git_tree *dir = NULL;
	w_drop(w, id);
	snprintf(path, sizeof path, "%.2s/%s", id, id);
	if (root && git_tree_entry_bypath(&e, root, path) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&dir, w->d->repo, git_tree_entry_id(e)) == 0)
		w_add(w, id, dir);
	git_tree_free(dir);
	git_tree_entry_free(e);
}

/* The tickets/ tree of branch ref (NULL when none) and its key. */
static git_tree *tickets_tree(struct desk *d, const char *ref, char key[GIT_OID_HEXSZ + 1])
{
	git_oid c;
	git_commit *cm;
	git_tree *root, *t = NULL;
	git_tree_entry *e;
	strcpy(key, "-");
	if (desk_branch_id(d, ref, &c) != 0 || git_commit_lookup(&cm, d->repo, &c) != 0)
		return NULL;
	if (git_commit_tree(&root, cm) == 0) {
		if (git_tree_entry_bypath(&e, root, "tickets") == 0) {
			if (git_tree_entry_type(e) == GIT_OBJECT_TREE &&
			    git_tree_lookup(&t, d->repo, git_tree_entry_id(e)) == 0)
				git_oid_tostr(key, GIT_OID_HEXSZ + 1, git_tree_id(t));
			git_tree_entry_free(e);
		}
		git_tree_free(root);
	}
	git_commit_free(cm);
	return t;
}

struct ids {
	char (*v)[16];
	size_t n;
};

static void add_id(struct ids *c, const char *id)
{
	if (!ticketid_valid(id))
		return;
	c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
	snprintf(c->v[c->n++], 16, "%s", id);
}

struct changed {
	struct desk *d;
	struct ids *c;
};

static int ticket_entry(void *ctx, const git_tree_entry *x, const git_tree_entry *y)
{
	add_id(((struct changed *)ctx)->c, git_tree_entry_name(x ? x : y));
	return 0;
}

static int shard_entry(void *ctx, const git_tree_entry *x, const git_tree_entry *y)
{
	git_repository *r = ((struct changed *)ctx)->d->repo;
	git_tree *a, *b = NULL;
	int rc = desk_entry_tree(r, x, &a) != 0 || desk_entry_tree(r, y, &b) != 0 ? -1 :
	    desk_tree_pairs(a, b, ticket_entry, ctx);
	git_tree_free(a);
	git_tree_free(b);
	return rc;
}

/* The tickets (tickets/SH/ID) whose folders differ between the tickets
 * trees old and now (NULL: none): the shards of the same object are not
 * read.  0, or -1 when a tree cannot be read. */
static int changed(struct desk *d, git_tree *old, git_tree *now, struct ids *c)
{
	c->v = NULL;
	c->n = 0;
	struct changed ch = { d, c };
	return desk_tree_pairs(old, now, shard_entry, &ch);
}

/* Bring the rows of one branch from the tree of its recorded key to now
 * (the tree read once, at the start).  0; 1 when more tickets changed
 * than w->limit (left for a reader); -1 when the rows cannot follow (a
 * key whose tree is gone: the index is built again). */
static int sync_branch(struct writer *w, const char *ref, const char *mkey)
{
	char was[64], key[GIT_OID_HEXSZ + 1];
	git_oid o;
	git_tree *now = tickets_tree(w->d, ref, key), *old = NULL;
	int rc = -1;
	if (meta_get(w->db, mkey, was, sizeof was) != 0)
		goto out;
	if (!strcmp(was, key)) {
		rc = 0;
		goto out;
	}
	if (*was && strcmp(was, "-") && (git_oid_fromstr(&o, was) != 0 ||
	    git_tree_lookup(&old, w->d->repo, &o) != 0))
		goto out;	/* a tree we cannot see: built again */
	if (!*was) {	/* never indexed: no row of this branch */
		sqlite3_stmt *st;
		if (sqlite3_prepare_v2(w->db, "SELECT 1 FROM tix WHERE arch = ? LIMIT 1", -1, &st,
		    NULL) != SQLITE_OK)
			goto out;
		sqlite3_bind_int(st, 1, w->arch);
		int any = sqlite3_step(st) != SQLITE_DONE;
		sqlite3_finalize(st);
		if (any)
			goto out;
	}
	struct ids c;
	if (changed(w->d, old, now, &c) != 0)
		goto out;
	if (w->limit && w->done + c.n > w->limit) {
		free(c.v);
		rc = 1;
		goto out;
	}
	for (size_t i = 0; i < c.n && !w->failed; i++)
		w_ticket(w, now, c.v[i]);
	w->done += c.n;
	free(c.v);
	if (!w->failed && meta_set(w->db, mkey, key) == 0)
		rc = 0;
out:
	git_tree_free(old);
	git_tree_free(now);
	return rc;
}

/* Bring the index db up to both branches, in one transaction (SQLite's
 * write lock, waited for as db's busy timeout allows).  0 done; 1 left
 * as it was (another writer of the index holds it, or more than limit
 * tickets to read again); -1 when it cannot follow. */
static int sync_db(struct desk *d, sqlite3 *db, size_t limit)
{
	struct writer w = { .d = d, .db = db, .limit = limit };
	int rc = -1;
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return sqlite3_errcode(db) == SQLITE_BUSY ? 1 : -1;
	if (w_prepare(&w) == 0) {
		w.arch = 0;
		rc = sync_branch(&w, DESK_BRANCH, "main");
		w.arch = 1;
		if (rc == 0)
			rc = sync_branch(&w, DESK_ARCHIVE, "archive");
	}
	w_finish(&w);
	if (rc == 0 && sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
		if (w.done > 1000)	/* a large log folded in and cut now */
			sqlite3_wal_checkpoint_v2(db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
		return 0;
	}
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return rc == 1 ? 1 : -1;
}

/* The index that exists brought up to the branches: sync_db's answer, or
 * -1 when there is no index of this version. */
static int catch_up(struct desk *d, int busy_ms, size_t limit)
{
	sqlite3 *db = db_open(d, 1, busy_ms);
	if (!db)
		return -1;
	int rc = sync_db(d, db, limit);
	sqlite3_close(db);
	return rc;
}

/* For the tests: a build that takes $MDESK_TEST_SEARCH_BUILD_DELAY seconds
 * more, after it read the trees. */
static void test_delay(void)
{
	const char *s = getenv("MDESK_TEST_SEARCH_BUILD_DELAY");
	int n = s ? atoi(s) : 0;
	if (n > 0 && n <= 60)
		sleep((unsigned)n);
}

/* Build the index from nothing: into search.sqlite.new (no journal: a
 * build cut short is thrown away), renamed over search.sqlite when whole.
 * With the exclusive lock held (no process has the index open). */
static int ix_build(struct desk *d)
{
	char *path = db_path(d), *tmp = xmalloc(strlen(path) + 8);
	sprintf(tmp, "%s.new", path);
	db_remove_logs(tmp, 1);
	sqlite3 *db = NULL;
	int rc = -1;
	if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) ==
	    SQLITE_OK && sqlite3_exec(db, "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;",
	    NULL, NULL, NULL) == SQLITE_OK && sqlite3_exec(db, schema, NULL, NULL, NULL) ==
	    SQLITE_OK && sync_db(d, db, 0) == 0 &&
	    sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
	if (sqlite3_close(db) != SQLITE_OK)
		rc = -1;
	test_delay();
	if (rc == 0) {
		db_remove_logs(path, 0);	/* the old file's, if any */
		rc = rename(tmp, path);
	}
	if (rc != 0)
		db_remove_logs(tmp, 1);
	free(tmp);
	free(path);
	return rc;
}

int search_sync(struct desk *d)
{
	int fd = ix_lock(d, LOCK_SH), rc = -1;
	if (fd != -1)
		rc = catch_up(d, 10000, 0);
	ix_unlock(fd);
	if (rc < 0) {	/* none, damaged, of another version, stale beyond repair */
		fd = ix_lock(d, LOCK_EX);
		if (fd != -1 && (rc = catch_up(d, 10000, 0)) < 0)	/* built meanwhile? */
			rc = ix_build(d);
		ix_unlock(fd);
	}
	if (rc < 0)
		warnx_("cannot write the search index %s/search.sqlite", d->state);
	return rc < 0 ? -1 : 0;
}

void search_follow(struct desk *d)
{
	char *p = db_path(d);
	int there = access(p, F_OK) == 0;
	free(p);
	if (!there)
		return;	/* built by the first search */
	int fd = ix_lock(d, LOCK_SH | LOCK_NB);
	if (fd < 0)
		return;	/* being built, or a desk this process cannot write */
	catch_up(d, FOLLOW_WAIT_MS, FOLLOW_MAX);
	ix_unlock(fd);
}

/* --- reading --- */

/* Keep each ticket once, its row of main (the hits stay best first). */
static void drop_copies(struct search_hit *h, size_t *n)
{
	struct strtab seen = { 0 };
	size_t k = 0;
	for (size_t i = 0; i < *n; i++) {
		size_t at = strtab_get(&seen, h[i].id);
		if (!at) {
			if (k != i)
				h[k] = h[i];
			strtab_put(&seen, h[k].id, k + 1);
			k++;
		} else if (!h[i].archived) {
			free(h[at - 1].json);	/* the archive's row came first */
			h[at - 1].json = h[i].json;
			h[at - 1].archived = 0;
		} else
			free(h[i].json);
	}
	strtab_free(&seen);
	*n = k;
}

int search_query(struct desk *d, const char *q, const struct search_where *wh,
    struct search_hit **hits, size_t *n, char *err, size_t errlen)
{
	*hits = NULL;
	*n = 0;
	int fd = ix_lock(d, LOCK_SH);	/* not while it is built again */
	sqlite3 *db = db_open(d, 0, 10000);
	if (!db) {
		ix_unlock(fd);
		snprintf(err, errlen, "cannot read the search index %s/search.sqlite", d->state);
		return -2;
	}
	sqlite3_stmt *st;
	int rc = 0;
	/* a ticket on main and archived is its row of main */
	const char *sql = "SELECT t.id, t.arch, t.created, t.updated, t.json FROM doc "
	    "JOIN tix t ON t.n = doc.rowid WHERE doc MATCH ?1 AND t.arch <= ?2 "
	    "AND (t.arch = 0 OR NOT EXISTS (SELECT 1 FROM tix m WHERE m.id = t.id AND m.arch = 0)) "
	    "AND (?3 IS NULL OR t.status = ?3) AND (?4 IS NULL OR t.assignee = ?4) "
	    "AND (?5 = 0 OR t.assignee IS NULL) AND (?6 IS NULL OR t.queue = ?6) "
	    "AND t.created >= ?7 AND t.created < ?8 ORDER BY rank LIMIT ?9";
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "search index: %s", sqlite3_errmsg(db));
		sqlite3_close(db);
		ix_unlock(fd);
		return -2;
	}
	sqlite3_bind_text(st, 1, q, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, wh->all ? 1 : 0);
	sqlite3_bind_text(st, 3, wh->status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, wh->assignee, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, wh->unassigned != 0);
	sqlite3_bind_text(st, 6, wh->queue, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, wh->since);
	sqlite3_bind_int64(st, 8, wh->until);
	/* in the order of the ranks: the rows of tickets read up to the limit */
	sqlite3_bind_int64(st, 9, wh->limit ? (sqlite3_int64)wh->limit : -1);
	size_t cap = 0;
	int s;
	while ((s = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			*hits = xrealloc(*hits, cap * sizeof **hits);
		}
		struct search_hit *h = &(*hits)[(*n)++];
		snprintf(h->id, sizeof h->id, "%s", (const char *)sqlite3_column_text(st, 0));
		h->archived = sqlite3_column_int(st, 1);
		h->created = sqlite3_column_int64(st, 2);
		h->updated = sqlite3_column_int64(st, 3);
		h->json = xstrdup((const char *)sqlite3_column_text(st, 4));
	}
	if (s != SQLITE_DONE) {
		snprintf(err, errlen, "%s", sqlite3_errmsg(db));
		rc = -1;
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	ix_unlock(fd);
	drop_copies(*hits, n);
	return rc;
}

void search_hits_free(struct search_hit *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(h[i].json);
	free(h);
}

char *search_phrases(const char *text)
{
	struct buf b = { 0 };
	const char *p = text;
	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p)
			break;
		const char *s = p, *e;
		if (*p == '"') {
			s = ++p;
			e = strchr(p, '"');
			if (!e)
				e = p + strlen(p);
			p = *e ? e + 1 : e;
		} else {
			while (*p && !strchr(" \t\n\r\"", *p))
				p++;
			e = p;
		}
		int prefix = e > s && e[-1] == '*';
		if (prefix)
			e--;
		while (s < e && strchr(" \t\n\r", *s))
			s++;
		if (e == s)
			continue;
		if (b.len)
			buf_addc(&b, ' ');
		buf_addc(&b, '"');
		for (const char *c = s; c < e; c++) {
			if (*c == '"')
				buf_addc(&b, '"');
			buf_addc(&b, *c);
		}
		buf_addc(&b, '"');
		if (prefix)
			buf_adds(&b, " *");
	}
	char *r = xstrdup(b.len ? buf_cstr(&b) : "");
	buf_free(&b);
	return r;
}
