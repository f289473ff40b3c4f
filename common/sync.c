/* sync.c: several replicas of a desk through any git remote (see sync.h). */
#include "sync.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "index.h"
#include "msg.h"
#include "ticketid.h"

/* The exit status for a write that failed: EX_CANTCREAT when the disk
 * refused it (full, over quota, too large), else EX_TEMPFAIL. */
static int write_fail(void)
{
	return errno == ENOSPC || errno == EDQUOT || errno == EFBIG ? EX_CANTCREAT : EX_TEMPFAIL;
}

/* --- a set of strings (event ids, lines, names): copies in a strtab --- */

struct sset {
	struct strtab t;
	struct arena a;
};

static int sset_add(struct sset *s, const char *k)	/* 1 when new */
{
	if (strtab_get(&s->t, k))
		return 0;
	strtab_put(&s->t, arena_strndup(&s->a, k, strlen(k)), 1);
	return 1;
}

static void sset_free(struct sset *s)
{
	strtab_free(&s->t);
	arena_free(&s->a);
}

/* --- events: a union by id --- */

/* The line of text t (len bytes) that starts at *i, without its newline:
 * *n bytes; *i moves to the next line. */
static const char *line_at(const char *t, size_t len, size_t *i, size_t *n)
{
	const char *p = t + *i, *nl = memchr(p, '\n', len - *i);
	*n = nl ? (size_t)(nl - p) : len - *i;
	*i += *n + 1;
	return p;
}

/* The key of a line: "i" + its id, or "l" + the line when it has none. */
static char *line_key(const char *p, size_t n, json_t **obj)
{
	json_error_t err;
	json_t *o = json_loadb(p, n, JSON_REJECT_DUPLICATES, &err);
	const char *id = o && json_is_object(o) ? json_string_value(json_object_get(o, "id")) : NULL;
	char *k;
	if (id && *id) {
		k = xmalloc(strlen(id) + 2);
		k[0] = 'i';
		strcpy(k + 1, id);
	} else {
		k = xmalloc(n + 2);
		k[0] = 'l';
		memcpy(k + 1, p, n);
		k[n + 1] = 0;
	}
	if (obj && id)
		*obj = o;
	else
		json_decref(o);
	return k;
}

/* Lines by key (line_key): the first line of each key. */
struct lmap {
	struct strtab t;	/* key to 1 + its place in v */
	struct lline {
		char *key;
		const char *line;
		size_t len;
	} *v;
	size_t n;
};

static void lmap_put(struct lmap *m, char *k, const char *line, size_t len)
{
	if (strtab_get(&m->t, k)) {
		free(k);
		return;
	}
	m->v = xrealloc(m->v, (m->n + 1) * sizeof *m->v);
	m->v[m->n] = (struct lline){ k, line, len };
	strtab_put(&m->t, k, ++m->n);
}

static int lmap_get(const struct lmap *m, const char *k, const char **line, size_t *len)
{
	size_t i = strtab_get(&m->t, k);
	if (!i)
		return 0;
	*line = m->v[i - 1].line;
	*len = m->v[i - 1].len;
	return 1;
}

static void lmap_fill(struct lmap *m, const char *t, size_t tl)
{
	for (size_t i = 0, n; i < tl;) {
		const char *p = line_at(t, tl, &i, &n);
		if (n)
			lmap_put(m, line_key(p, n, NULL), p, n);
	}
}

static void lmap_free(struct lmap *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].key);
	free(m->v);
	strtab_free(&m->t);
}

void sync_union_events(const char *base, size_t bl, const char *a, size_t al,
    const char *b, size_t bbl, struct buf *out)
{
	struct sset seen = { 0 };
	struct lmap mb = { 0 }, mt = { 0 };
	if (base) {
		lmap_fill(&mb, base, bl);
		lmap_fill(&mt, b, bbl);
	}
	const char *src[2] = { a, b };
	size_t len[2] = { al, bbl };
	for (int s = 0; s < 2; s++)
		for (size_t i = 0, n; i < len[s];) {
			const char *p = line_at(src[s], len[s], &i, &n), *bp, *tp;
			size_t bn, tn;
			if (!n)
				continue;
			char *k = line_key(p, n, NULL);
			if (sset_add(&seen, k) || s == 0) {
				/* a line the other side changed (a file renamed) and
				 * this side did not: the other side's */
				if (s == 0 && k[0] == 'i' && lmap_get(&mb, k, &bp, &bn) &&
				    bn == n && !memcmp(bp, p, n) && lmap_get(&mt, k, &tp, &tn) &&
				    (tn != n || memcmp(tp, p, n))) {
					p = tp;
					n = tn;
				}
				buf_add(out, p, n);
				buf_addc(out, '\n');
			}
			free(k);
		}
	sset_free(&seen);
	lmap_free(&mb);
	lmap_free(&mt);
	if (!out->p)
		buf_add(out, "", 0);
}

/* text's lines whose id other lacks and that name a file renamed in ren
 * (nren pairs from, to) name the new file; the rest as they are. */
static void rename_new(const char *text, size_t tl, const char *other, size_t ol,
    char *const (*ren)[2], size_t nren, struct buf *out)
{
	struct lmap theirs = { 0 };
	lmap_fill(&theirs, other, ol);
	for (size_t i = 0, n; i < tl;) {
		const char *p = line_at(text, tl, &i, &n);
		json_t *o = NULL;
		char *k = n ? line_key(p, n, &o) : NULL;
		const char *f = o ? json_string_value(json_object_get(o, "file")) : NULL;
		size_t r = nren;
		if (f && !strtab_get(&theirs.t, k))
			for (r = 0; r < nren; r++)
				if (!strcmp(f, ren[r][0]))
					break;
		if (r < nren) {
			json_object_set_new(o, "file", json_string(ren[r][1]));
			char *l = event_line(o);
			buf_adds(out, l);
			free(l);
		} else if (n) {
			buf_add(out, p, n);
			buf_addc(out, '\n');
		}
		json_decref(o);
		free(k);
	}
	lmap_free(&theirs);
	if (!out->p)
		buf_add(out, "", 0);
}

/* --- merging trees --- */

struct smerge {
	git_repository *repo;
	sync_report_fn report;
	void *ctx;
	int conflicts;
};

static void conflict(struct smerge *m, const char *path, int line, const char *what)
{
	m->conflicts++;
	if (m->report)
		m->report(path, line, what, m->ctx);
}

static int same(const git_tree_entry *x, const git_tree_entry *y)
{
	if (!x || !y)
		return !x && !y;
	return git_oid_equal(git_tree_entry_id(x), git_tree_entry_id(y)) &&
	    git_tree_entry_filemode(x) == git_tree_entry_filemode(y);
}

static int is_tree(const git_tree_entry *e)
{
	return e && git_tree_entry_type(e) == GIT_OBJECT_TREE;
}

static int is_blob(const git_tree_entry *e)
{
	return e && git_tree_entry_type(e) == GIT_OBJECT_BLOB;
}

static char *path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s%s%s", dir, *dir ? "/" : "", name);
	return p;
}

static git_tree *subtree(struct smerge *m, const git_tree_entry *e)
{
	git_tree *t = NULL;
	if (is_tree(e) && git_tree_lookup(&t, m->repo, git_tree_entry_id(e)) != 0)
		desk_git_die(EX_TEMPFAIL, git_tree_entry_name(e));
	return t;
}

static void blob_text(struct smerge *m, const git_tree_entry *e, git_blob **b,
    const char **p, size_t *n)
{
	*b = NULL;
	*p = "";
	*n = 0;
	if (!e)
		return;
	if (git_blob_lookup(b, m->repo, git_tree_entry_id(e)) != 0)
		desk_git_die(EX_TEMPFAIL, git_tree_entry_name(e));
	*p = git_blob_rawcontent(*b);
	*n = (size_t)git_blob_rawsize(*b);
}

static void write_blob(struct smerge *m, const char *path, const void *p, size_t n, git_oid *out)
{
	if (git_blob_create_from_buffer(out, m->repo, n ? p : "", n) != 0)
		desk_git_die(write_fail(), path);
}

/* The local lines of each conflict in a merge result with markers. */
static void report_markers(struct smerge *m, const char *path, const char *p, size_t n)
{
	int line = 0, start = 0, state = 0;	/* 0 outside, 1 ours, 2 theirs */
	for (size_t i = 0, l; i < n;) {
		const char *s = line_at(p, n, &i, &l);
		if (state == 0 && l >= 7 && !memcmp(s, "<<<<<<<", 7)) {
			state = 1;
			start = line + 1;
		} else if (state == 1 && l >= 7 && !memcmp(s, "|||||||", 7))
			state = 3;	/* the base's lines (diff3 style) */
		else if ((state == 1 || state == 3) && l >= 7 && !memcmp(s, "=======", 7))
			state = 2;
		else if (state == 2 && l >= 7 && !memcmp(s, ">>>>>>>", 7)) {
			char what[160];
			int end = line < start ? start : line;
			if (end > start)
				snprintf(what, sizeof what, "conflict: lines %d-%d changed here "
				    "and on the remote", start, end);
			else
				snprintf(what, sizeof what, "conflict: changed here and on the remote");
			conflict(m, path, start, what);
			state = 0;
		} else if (state == 0 || state == 1)
			line++;
	}
}

static void merge_file(struct smerge *m, const char *path, const git_tree_entry *eb,
    const git_tree_entry *eo, const git_tree_entry *et, git_treebuilder *tb, const char *name)
{
	if (!eo || !et) {
		conflict(m, path, 1, eo ? "conflict: changed here and deleted on the remote" :
		    "conflict: deleted here and changed on the remote");
		return;
	}
	if (!is_blob(eo) || !is_blob(et) || (eb && !is_blob(eb))) {
		conflict(m, path, 1, "conflict: a file on one side, a folder on the other");
		return;
	}
	git_blob *bb, *bo, *bt;
	git_merge_file_input ib, io, it;
	git_merge_file_input_init(&ib, GIT_MERGE_FILE_INPUT_VERSION);
	git_merge_file_input_init(&io, GIT_MERGE_FILE_INPUT_VERSION);
	git_merge_file_input_init(&it, GIT_MERGE_FILE_INPUT_VERSION);
	blob_text(m, eb, &bb, &ib.ptr, &ib.size);
	blob_text(m, eo, &bo, &io.ptr, &io.size);
	blob_text(m, et, &bt, &it.ptr, &it.size);
	ib.path = io.path = it.path = path;
	git_merge_file_result r;
	git_merge_file_options opt;
	git_merge_file_options_init(&opt, GIT_MERGE_FILE_OPTIONS_VERSION);
	opt.our_label = "here";
	opt.their_label = "remote";
	if (git_merge_file(&r, &ib, &io, &it, &opt) != 0)
		desk_git_die(EX_TEMPFAIL, path);
	if (!r.automergeable) {
		size_t before = (size_t)m->conflicts;
		report_markers(m, path, r.ptr ? r.ptr : "", r.len);
		if ((size_t)m->conflicts == before)
			conflict(m, path, 1, "conflict: changed here and on the remote");
	} else {
		git_oid id;
		write_blob(m, path, r.ptr, r.len, &id);
		git_treebuilder_insert(NULL, tb, name, &id, git_tree_entry_filemode(eo));
	}
	git_merge_file_result_free(&r);
	git_blob_free(bb);
	git_blob_free(bo);
	git_blob_free(bt);
}

/* The names of the entries of up to three trees, sorted, once each (the
 * trees' own strings: valid while the trees are). */
static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char **names_of(git_tree *const t[3], size_t *n)
{
	struct strtab s = { 0 };
	const char **v = NULL;
	*n = 0;
	for (int k = 0; k < 3; k++)
		for (size_t i = 0; t[k] && i < git_tree_entrycount(t[k]); i++) {
			const char *nm = git_tree_entry_name(git_tree_entry_byindex(t[k], i));
			if (!strtab_get(&s, nm)) {
				strtab_put(&s, nm, 1);
				v = xrealloc(v, (*n + 1) * sizeof *v);
				v[(*n)++] = nm;
			}
		}
	strtab_free(&s);
	if (*n)
		qsort(v, *n, sizeof *v, by_str);
	return v;
}

static const git_tree_entry *entry(git_tree *t, const char *name)
{
	return t ? git_tree_entry_byname(t, name) : NULL;
}

/* Entry e (nothing when NULL) into tb as name. */
static void put(git_treebuilder *tb, const char *name, const git_tree_entry *e)
{
	if (e)
		git_treebuilder_insert(NULL, tb, name, git_tree_entry_id(e), git_tree_entry_filemode(e));
}

/* The number of a message file "NNNN.eml" (digits only, below 10^8), or -1. */
static int eml_number(const char *name)
{
	size_t n = strlen(name);
	if (n < 5 || strcmp(name + n - 4, ".eml") || strspn(name, "0123456789") != n - 4)
		return -1;
	long v = strtol(name, NULL, 10);
	return v < 100000000 ? (int)v : -1;
}

/* The top message number of folder t (none: NULL), or top when higher. */
static int top_number(git_tree *t, int top)
{
	for (size_t i = 0; t && i < git_tree_entrycount(t); i++) {
		int k = eml_number(git_tree_entry_name(git_tree_entry_byindex(t, i)));
		if (k > top)
			top = k;
	}
	return top;
}

static int merge_dir(struct smerge *m, const char *path, git_tree *b, git_tree *o,
    git_tree *t, git_oid *out, int *empty);

/* Merge the folder nm (entries eb, eo, et of base, ours, theirs) into tb;
 * a folder that comes out empty is left out. */
static void merge_subdir(struct smerge *m, const char *full, const git_tree_entry *eb,
    const git_tree_entry *eo, const git_tree_entry *et, git_treebuilder *tb, const char *nm)
{
	git_tree *sb = subtree(m, eb), *so = subtree(m, eo), *st = subtree(m, et);
	git_oid id;
	int empty;
	if (merge_dir(m, full, sb, so, st, &id, &empty) == 0 && !empty)
		git_treebuilder_insert(NULL, tb, nm, &id, GIT_FILEMODE_TREE);
	git_tree_free(sb);
	git_tree_free(so);
	git_tree_free(st);
}

/* The messages of a merged ticket folder, and what each is. */
struct emls {
	struct eml {
		char name[32];
		git_oid id;
		char *mid;	/* its Message-ID, read when needed */
		size_t same;	/* 1 + the one it repeats, 0 when none */
	} *v;
	size_t n;
};

static int emls_cb(const git_tree_entry *e, void *payload)
{
	struct emls *l = payload;
	const char *nm = git_tree_entry_name(e);
	if (eml_number(nm) < 0 || git_tree_entry_type(e) != GIT_OBJECT_BLOB || strlen(nm) >= 32)
		return 0;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n] = (struct eml){ "", *git_tree_entry_id(e), NULL, 0 };
	snprintf(l->v[l->n++].name, 32, "%s", nm);
	return 0;
}

/* The Message-ID of the message in blob id ("" when none), allocated. */
static char *blob_mid(git_repository *repo, const git_oid *id)
{
	git_blob *b;
	struct msg mm;
	struct msg_ids ids;
	char *mid = NULL;
	if (git_blob_lookup(&b, repo, id) != 0)
		return xstrdup("");
	const char *raw = git_blob_rawcontent(b);
	size_t len = (size_t)git_blob_rawsize(b);
	memset(&mm, 0, sizeof mm);
	if (msg_open(&mm, raw, msg_header_len(raw, len)) == 0) {
		msg_ids(&mm, &ids);
		mid = xstrdup(ids.mid);
	}
	msg_free(&mm);
	git_blob_free(b);
	return mid ? mid : xstrdup("");
}

/* After a merge of a ticket folder: a message that is in it twice (the
 * same message delivered to two replicas, under two names) keeps one
 * name, and every event that names a message names the file that holds
 * it (by its Message-ID), whatever the names each side gave. */
static void fix_files(struct smerge *m, git_treebuilder *tb, struct buf *ev)
{
	struct emls l = { NULL, 0 };
	git_treebuilder_filter(tb, emls_cb, &l);	/* keeps every entry */
	struct eml *v = l.v;
	for (size_t i = 1; i < l.n; i++)	/* by number */
		for (size_t j = i; j > 0 && eml_number(v[j].name) < eml_number(v[j - 1].name); j--) {
			struct eml x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	for (size_t i = 0; i < l.n; i++)
		for (size_t j = 0; j < i; j++)
			if (!v[j].same && git_oid_equal(&v[i].id, &v[j].id)) {
				git_treebuilder_remove(tb, v[i].name);
				v[i].same = j + 1;
				break;
			}
	struct buf out = { 0 };
	for (size_t i = 0, n; i < ev->len;) {
		const char *p = line_at(ev->p, ev->len, &i, &n);
		json_t *o = json_loadb(p, n, 0, NULL);
		const char *f = json_string_value(json_object_get(o, "file"));
		const char *mid = json_string_value(json_object_get(o, "message_id"));
		size_t k = l.n;
		int own = 0;
		for (size_t j = 0; f && mid && *mid && j < l.n; j++) {
			if (v[j].same)
				continue;
			if (!v[j].mid)	/* read when needed */
				v[j].mid = blob_mid(m->repo, &v[j].id);
			if (strcmp(v[j].mid, mid))
				continue;
			own |= !strcmp(v[j].name, f);
			if (k == l.n)
				k = j;
		}
		for (size_t j = 0; f && k == l.n && j < l.n; j++)
			if (v[j].same && !strcmp(v[j].name, f))
				k = v[j].same - 1;	/* a repeat that went */
		if (!own && k < l.n) {
			json_object_set_new(o, "file", json_string(v[k].name));
			char *line = event_line(o);
			buf_adds(&out, line);
			free(line);
		} else if (n) {
			buf_add(&out, p, n);
			buf_addc(&out, '\n');
		}
		json_decref(o);
	}
	buf_free(ev);	/* out holds the same bytes where nothing changed */
	*ev = out;
	for (size_t i = 0; i < l.n; i++)
		free(v[i].mid);
	free(v);
}

/* A ticket folder changed on both sides. */
static void merge_ticket(struct smerge *m, const char *path, git_tree *b, git_tree *o,
    git_tree *t, git_treebuilder *tb)
{
	git_tree *tt[3] = { o, t, b };
	size_t nn;
	const char **names = names_of(tt, &nn);
	int top = top_number(t, top_number(o, top_number(b, 0)));
	/* renames, per side: [0] ours, [1] theirs */
	char *(*ren[2])[2] = { NULL, NULL };
	size_t nren[2] = { 0, 0 };
	for (size_t i = 0; i < nn; i++) {
		const char *nm = names[i];
		const git_tree_entry *eb = entry(b, nm), *eo = entry(o, nm), *et = entry(t, nm);
		char *full = path_join(path, nm);
		if (!strcmp(nm, "events.jsonl")) {
			free(full);
			continue;	/* last, after the renames */
		}
		if (same(eo, et) || same(eb, et))
			put(tb, nm, eo);
		else if (same(eb, eo))
			put(tb, nm, et);
		else if (eml_number(nm) >= 0 && is_blob(eo) && is_blob(et)) {
			/* two messages, one name: both stay */
			int lose = git_oid_cmp(git_tree_entry_id(eo), git_tree_entry_id(et)) < 0;
			char nname[32];
			snprintf(nname, sizeof nname, "%04d.eml", ++top);
			put(tb, nm, lose ? eo : et);
			put(tb, nname, lose ? et : eo);
			ren[lose] = xrealloc(ren[lose], (nren[lose] + 1) * sizeof *ren[lose]);
			ren[lose][nren[lose]][0] = xstrdup(nm);
			ren[lose][nren[lose]++][1] = xstrdup(nname);
		} else if (eml_number(nm) >= 0 && (is_blob(eo) || is_blob(et)) && !(eo && et))
			put(tb, nm, eo ? eo : et);	/* a message is never deleted by a merge */
		else if (is_tree(eo) || is_tree(et))
			merge_subdir(m, full, eb, eo, et, tb, nm);
		else
			merge_file(m, full, eb, eo, et, tb, nm);
		free(full);
	}
	const git_tree_entry *eo = entry(o, "events.jsonl"), *et = entry(t, "events.jsonl");
	const git_tree_entry *eb = entry(b, "events.jsonl");
	if (eo || et) {
		git_blob *bo, *bt, *bb;
		const char *po, *pt, *pb;
		size_t lo, lt, lb;
		char *full = path_join(path, "events.jsonl");
		blob_text(m, is_blob(eo) ? eo : NULL, &bo, &po, &lo);
		blob_text(m, is_blob(et) ? et : NULL, &bt, &pt, &lt);
		blob_text(m, is_blob(eb) ? eb : NULL, &bb, &pb, &lb);
		struct buf u = { 0 }, ro = { 0 }, rt = { 0 };
		rename_new(po, lo, pt, lt, ren[0], nren[0], &ro);
		rename_new(pt, lt, po, lo, ren[1], nren[1], &rt);
		sync_union_events(bb ? pb : NULL, lb, ro.p, ro.len, rt.p, rt.len, &u);
		git_blob_free(bb);
		buf_free(&ro);
		buf_free(&rt);
		fix_files(m, tb, &u);
		git_oid id;
		write_blob(m, full, u.p ? u.p : "", u.len, &id);
		git_treebuilder_insert(NULL, tb, "events.jsonl", &id, GIT_FILEMODE_BLOB);
		buf_free(&u);
		git_blob_free(bo);
		git_blob_free(bt);
		free(full);
	}
	for (int s = 0; s < 2; s++) {
		for (size_t i = 0; i < nren[s]; i++) {
			free(ren[s][i][0]);
			free(ren[s][i][1]);
		}
		free(ren[s]);
	}
	free(names);
}

/* Is path a ticket folder, tickets/SH/ID? */
static int ticket_path(const char *path)
{
	return !strncmp(path, "tickets/", 8) && strlen(path) > 11 && path[10] == '/' &&
	    !strchr(path + 11, '/');
}

static int merge_dir(struct smerge *m, const char *path, git_tree *b, git_tree *o,
    git_tree *t, git_oid *out, int *empty)
{
	git_treebuilder *tb;
	if (git_treebuilder_new(&tb, m->repo, NULL) != 0)
		desk_git_die(EX_TEMPFAIL, "tree");
	git_tree *tt[3] = { o, t, b };
	size_t nn = 0;
	const char **names = NULL;
	if (ticket_path(path) && o && t)	/* a ticket folder changed on both sides */
		merge_ticket(m, path, b, o, t, tb);
	else
		names = names_of(tt, &nn);
	for (size_t i = 0; i < nn; i++) {
		const char *nm = names[i];
		const git_tree_entry *eb = entry(b, nm), *eo = entry(o, nm), *et = entry(t, nm);
		char *full = path_join(path, nm);
		if (same(eo, et) || same(eb, et))
			put(tb, nm, eo);
		else if (same(eb, eo))
			put(tb, nm, et);
		else if (ticket_path(full) && (!eo || !et) && (is_tree(eo) || is_tree(et)))
			put(tb, nm, eo ? eo : et);	/* archived on one side, changed on the other */
		else if ((is_tree(eo) || !eo) && (is_tree(et) || !et))
			merge_subdir(m, full, eb, eo, et, tb, nm);
		else
			merge_file(m, full, eb, eo, et, tb, nm);
		free(full);
	}
	free(names);
	*empty = git_treebuilder_entrycount(tb) == 0;
	if (git_treebuilder_write(out, tb) != 0)
		desk_git_die(write_fail(), *path ? path : "tree");
	git_treebuilder_free(tb);
	return m->conflicts;
}

int sync_merge_trees(git_repository *repo, git_tree *base, git_tree *ours,
    git_tree *theirs, git_oid *out, sync_report_fn report, void *ctx)
{
	struct smerge m = { repo, report, ctx, 0 };
	int empty;
	merge_dir(&m, "", base, ours, theirs, out, &empty);
	return m.conflicts;
}

/* --- the desk's layout: what a replica accepts from a remote --- */

/* Are the n bytes at s a plain file name (of [A-Za-z0-9._-], no dot first)? */
static int plain_name(const char *s, size_t n)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
	return n && s[0] != '.' && strspn(s, ok) >= n;
}

static int under(const char *p, const char *dir, const char *ext)
{
	size_t dl = strlen(dir), el = strlen(ext), n = strlen(p);
	if (strncmp(p, dir, dl) || n <= dl + el || strcmp(p + n - el, ext))
		return 0;
	return !strchr(p + dl, '/') && plain_name(p + dl, n - dl - el);
}

int sync_desk_path(const char *p)
{
	static const char *const top[] = { "desk.conf", "agents.csv", "customers.csv",
		"routing.sieve", "sla.conf", "automations.conf", ".gitattributes", ".gitignore",
		NULL };
	if (word_index(top, p) >= 0 || under(p, "calendars/", ".conf") ||
	    under(p, "templates/", ".txt"))
		return 1;
	/* tickets/SH/ID/events.jsonl or tickets/SH/ID/NNNN.eml */
	if (strncmp(p, "tickets/", 8) || strlen(p) < 12 || p[10] != '/')
		return 0;
	const char *id = p + 11, *sl = strchr(id, '/');
	char buf[16];
	if (!sl || (size_t)(sl - id) >= sizeof buf || strncmp(id, p + 8, 2))
		return 0;
	memcpy(buf, id, (size_t)(sl - id));
	buf[sl - id] = 0;
	if (!ticketid_valid(buf) || strchr(sl + 1, '/'))
		return 0;
	return !strcmp(sl + 1, "events.jsonl") || eml_number(sl + 1) >= 0;
}

/* What is wrong with a file the tree new brings (against old, NULL: none):
 * the first such path and why, or 0 when none. */
struct refusal {
	char path[512];
	const char *why;
};

/* The files that differ between the trees a and b (either NULL), found
 * by going only into the folders whose ids differ: fn(path, ea, eb) for
 * each entry that is not a folder (ea or eb NULL when absent on that
 * side); what fn returns other than 0 stops the walk and is returned. */
typedef int (*change_fn)(const char *path, const git_tree_entry *ea,
    const git_tree_entry *eb, void *payload);

static int tree_changes(git_repository *repo, git_tree *a, git_tree *b, const char *prefix,
    int depth, change_fn fn, void *payload)
{
	git_tree *t3[3] = { a, b, NULL };
	size_t n;
	const char **names = names_of(t3, &n);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *ea = entry(a, names[i]), *eb = entry(b, names[i]);
		if (rc || (ea && eb && same(ea, eb)))
			continue;
		char *full = path_join(prefix, names[i]);
		git_tree *sa = NULL, *sb = NULL;
		if ((is_tree(ea) && git_tree_lookup(&sa, repo, git_tree_entry_id(ea)) != 0) ||
		    (is_tree(eb) && git_tree_lookup(&sb, repo, git_tree_entry_id(eb)) != 0))
			desk_git_die(EX_TEMPFAIL, full);
		if ((sa || sb) && depth < 64)
			rc = tree_changes(repo, sa, sb, full, depth + 1, fn, payload);
		if (!rc && ((ea && !sa) || (eb && !sb) || depth >= 64))
			rc = fn(full, sa ? NULL : ea, sb ? NULL : eb, payload);
		git_tree_free(sa);
		git_tree_free(sb);
		free(full);
	}
	free(names);
	return rc;
}

static int refuse_cb(const char *p, const git_tree_entry *ea, const git_tree_entry *eb,
    void *payload)
{
	struct refusal *r = payload;
	const char *why = NULL;
	(void)ea;
	if (!eb)
		return 0;
	switch (git_tree_entry_filemode(eb)) {
	case GIT_FILEMODE_BLOB:
		if (!sync_desk_path(p))
			why = "a file outside the desk's layout (see mdesk-files(5))";
		break;
	case GIT_FILEMODE_LINK:
		why = "a symbolic link; a desk holds only plain files";
		break;
	case GIT_FILEMODE_COMMIT:
		why = "a submodule (gitlink); a desk holds only plain files";
		break;
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		why = "an executable file; a desk holds only plain files";
		break;
	default:
		why = "not a plain file";
	}
	if (!why)
		return 0;
	snprintf(r->path, sizeof r->path, "%s", p);
	r->why = why;
	return 1;
}

static git_tree *commit_tree(git_repository *repo, const git_oid *c)
{
	git_commit *cm;
	git_tree *t = NULL;
	if (git_commit_lookup(&cm, repo, c) != 0)
		return NULL;
	if (git_commit_tree(&t, cm) != 0)
		t = NULL;
	git_commit_free(cm);
	return t;
}

/* Is anything refused in what commit tip of branch brings over the tree
 * old (NULL: none)?  The first path refused in *r. */
static int tip_refused(git_repository *repo, git_tree *old, const git_oid *tip,
    const char *branch, struct refusal *r)
{
	git_tree *nt = commit_tree(repo, tip);
	if (!nt)
		desk_git_die(EX_TEMPFAIL, branch);
	r->why = NULL;
	tree_changes(repo, old, nt, "", 0, refuse_cb, r);
	git_tree_free(nt);
	return r->why != NULL;
}

/* --- a set of object ids --- */

struct oidset {
	git_oid *v;
	unsigned char *used;
	size_t cap, n;
};

static size_t oid_hash(const git_oid *id, size_t cap)
{
	uint64_t h;
	memcpy(&h, id->id, sizeof h);
	return (size_t)h & (cap - 1);
}

static int oidset_add(struct oidset *s, const git_oid *id)	/* 1 when new */
{
	if (2 * (s->n + 1) > s->cap) {
		struct oidset t = { NULL, NULL, s->cap ? s->cap * 2 : 4096, 0 };
		t.v = xcalloc(t.cap, sizeof *t.v);
		t.used = xcalloc(t.cap, 1);
		for (size_t i = 0; i < s->cap; i++)
			if (s->used[i])
				oidset_add(&t, &s->v[i]);
		free(s->v);
		free(s->used);
		*s = t;
	}
	size_t h = oid_hash(id, s->cap);
	for (; s->used[h]; h = (h + 1) & (s->cap - 1))
		if (git_oid_equal(&s->v[h], id))
			return 0;
	s->v[h] = *id;
	s->used[h] = 1;
	s->n++;
	return 1;
}

static void oidset_free(struct oidset *s)
{
	free(s->v);
	free(s->used);
	memset(s, 0, sizeof *s);
}

/* --- history: every object main and archive reach is there --- */

struct walk {
	git_repository *repo;
	git_odb *odb;
	struct oidset seen;
	const char *branch;
	const git_oid *commit;
	sync_fault_fn report;
	size_t missing;
};

static void missing(struct walk *w, const char *what, const git_oid *id, const char *path)
{
	char m[900], hex[GIT_OID_HEXSZ + 1], c[GIT_OID_HEXSZ + 1];
	if (w->missing++ >= 10)
		return;	/* the count says the rest */
	git_oid_tostr(hex, sizeof hex, id);
	git_oid_tostr(c, sizeof c, w->commit);
	if (!strcmp(what, "commit"))
		snprintf(m, sizeof m, "commit %s missing; 'mdesk check --repair' fetches it "
		    "from the remote", hex);
	else
		snprintf(m, sizeof m, "%s %s missing (%.400s of commit %s); 'mdesk check "
		    "--repair' fetches it from the remote", what, hex, *path ? path : "the tree", c);
	w->report(w->branch, 0, m);
}

static void walk_tree(struct walk *w, const git_oid *id, const char *path, int depth)
{
	if (!oidset_add(&w->seen, id))
		return;
	git_tree *t;
	if (depth > 64 || git_tree_lookup(&t, w->repo, id) != 0) {
		missing(w, "tree", id, path);
		return;
	}
	for (size_t i = 0; i < git_tree_entrycount(t); i++) {
		const git_tree_entry *e = git_tree_entry_byindex(t, i);
		const git_oid *eid = git_tree_entry_id(e);
		git_object_t ty = git_tree_entry_type(e);
		char *full = path_join(path, git_tree_entry_name(e));
		if (ty == GIT_OBJECT_TREE)
			walk_tree(w, eid, full, depth + 1);
		else if (ty == GIT_OBJECT_BLOB && oidset_add(&w->seen, eid) &&
		    !git_odb_exists(w->odb, eid))
			missing(w, "blob", eid, full);
		free(full);
	}
	git_tree_free(t);
}

static void walk_branch(struct walk *w, const char *ref)
{
	git_oid tip;
	if (git_reference_name_to_id(&tip, w->repo, ref) != 0)
		return;
	w->branch = ref;
	git_oid *stack = xmalloc(sizeof *stack);
	size_t n = 1, cap = 1;
	stack[0] = tip;
	while (n) {
		git_oid c = stack[--n];
		git_commit *cm;
		if (!oidset_add(&w->seen, &c))
			continue;
		w->commit = &c;
		if (git_commit_lookup(&cm, w->repo, &c) != 0) {
			missing(w, "commit", &c, "");
			continue;
		}
		walk_tree(w, git_commit_tree_id(cm), "", 0);
		for (unsigned i = 0; i < git_commit_parentcount(cm); i++) {
			if (n == cap)
				stack = xrealloc(stack, (cap *= 2) * sizeof *stack);
			stack[n++] = *git_commit_parent_id(cm, i);
		}
		git_commit_free(cm);
	}
	free(stack);
}

size_t sync_check_history(struct desk *d, sync_fault_fn report)
{
	struct walk w = { d->repo, NULL, { 0 }, NULL, NULL, report, 0 };
	if (git_repository_odb(&w.odb, d->repo) != 0)
		desk_git_die(EX_TEMPFAIL, "objects");
	const char *refs[2] = { DESK_BRANCH, DESK_ARCHIVE };
	for (int k = 0; k < 2; k++) {
		size_t before = w.missing;
		walk_branch(&w, refs[k]);
		if (w.missing - before > 10) {
			char m[200];
			snprintf(m, sizeof m, "%zu objects missing in all; 'mdesk check --repair' "
			    "fetches them from the remote", w.missing - before);
			report(refs[k], 0, m);
		}
	}
	git_odb_free(w.odb);
	oidset_free(&w.seen);
	return w.missing;
}

/* --- a ticket on both branches --- */

static int folder_id(git_tree *t, const char *p, git_oid *out)
{
	git_tree_entry *e;
	if (!t || git_tree_entry_bypath(&e, t, p) != 0)
		return 0;
	int ok = git_tree_entry_type(e) == GIT_OBJECT_TREE;
	if (ok)
		*out = *git_tree_entry_id(e);
	git_tree_entry_free(e);
	return ok;
}

/* The tickets on both branches: the folders (tickets/SH/ID) of main's
 * tree that the archive's tree a holds too, with the id of each copy. */
struct tlist {
	git_tree *a;
	struct both {
		char path[40];
		git_oid mid, aid;
	} *v;
	size_t n;
};

static int tlist_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct tlist *l = payload;
	if (!*root)
		return strcmp(git_tree_entry_name(e), "tickets") ? 1 : 0;
	if (git_tree_entry_type(e) != GIT_OBJECT_TREE || strlen(root) != 11)
		return 0;
	char p[64];
	git_oid aid;
	snprintf(p, sizeof p, "%s%s", root, git_tree_entry_name(e));
	if (strlen(p) >= 40 || !ticket_path(p) || !folder_id(l->a, p, &aid))
		return 1;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n] = (struct both){ "", *git_tree_entry_id(e), aid };
	memcpy(l->v[l->n++].path, p, strlen(p) + 1);	/* shorter than 40: checked above */
	return 1;	/* not into the ticket's folder */
}

/* The tickets on both the trees m (main's) and a (the archive's). */
static void on_both(git_tree *m, git_tree *a, struct tlist *l)
{
	*l = (struct tlist){ a, NULL, 0 };
	if (m && a)
		git_tree_walk(m, GIT_TREEWALK_PRE, tlist_cb, l);
}

/* The ticket folders a and b (at path) joined as a merge without a base
 * joins them: 0 and the folder in *out (which may be a), or -1 when they
 * cannot be read or do not join. */
static int join_two(git_repository *repo, const char *path, const git_oid *a,
    const git_oid *b, git_oid *out)
{
	git_tree *ta = NULL, *tb = NULL;
	git_treebuilder *bld = NULL;
	struct smerge m = { repo, NULL, NULL, 0 };
	int rc = -1;
	if (git_tree_lookup(&ta, repo, a) == 0 && git_tree_lookup(&tb, repo, b) == 0 &&
	    git_treebuilder_new(&bld, repo, NULL) == 0) {
		merge_ticket(&m, path, NULL, ta, tb, bld);
		if (!m.conflicts && git_treebuilder_write(out, bld) == 0)
			rc = 0;
	}
	git_treebuilder_free(bld);
	git_tree_free(ta);
	git_tree_free(tb);
	return rc;
}

/* A tree update that puts folder id at path. */
static void upsert(git_tree_update *u, const char *path, const git_oid *id)
{
	*u = (git_tree_update){ GIT_TREE_UPDATE_UPSERT, *id, GIT_FILEMODE_TREE, path };
}

/* Does the folder a hold everything of folder b (every file b has, every
 * event id of b's events.jsonl)? */
static int holds(git_repository *repo, const git_oid *a, const git_oid *b)
{
	git_tree *ta, *tb;
	if (git_tree_lookup(&ta, repo, a) != 0)
		return 0;
	if (git_tree_lookup(&tb, repo, b) != 0) {
		git_tree_free(ta);
		return 1;
	}
	int ok = 1;
	for (size_t i = 0; ok && i < git_tree_entrycount(tb); i++) {
		const git_tree_entry *eb = git_tree_entry_byindex(tb, i);
		const git_tree_entry *ea = git_tree_entry_byname(ta, git_tree_entry_name(eb));
		if (!ea)
			ok = 0;
		else if (same(ea, eb))
			continue;
		else if (strcmp(git_tree_entry_name(eb), "events.jsonl"))
			ok = 0;
		else {
			size_t la = 0, lb = 0;
			char *pa = desk_entry_file(repo, ea, &la), *pb = desk_entry_file(repo, eb, &lb);
			struct buf u = { 0 };
			if (pa && pb)
				sync_union_events(NULL, 0, pa, la, pb, lb, &u);
			ok = pa && pb && (u.len == la || (la && pa[la - 1] != '\n' && u.len == la + 1));
			buf_free(&u);
			free(pa);
			free(pb);
		}
	}
	git_tree_free(ta);
	git_tree_free(tb);
	return ok;
}

/* A commit of base's tree with the updates up (n of them), on the np (1
 * or 2) parents; what names it when it cannot be made. */
static void new_commit(struct desk *d, const git_oid *parents, unsigned np, git_tree *base,
    const git_tree_update *up, size_t n, const char *msg, const char *what, git_oid *out)
{
	git_oid tid;
	git_tree *nt = base;
	git_commit *pc[2] = { NULL, NULL };
	git_signature *sig;
	char name[64], email[300];
	desk_system_author(name, sizeof name, email, sizeof email);
	if ((n && (git_tree_create_updated(&tid, d->repo, base, n, up) != 0 ||
	    git_tree_lookup(&nt, d->repo, &tid) != 0)) ||
	    git_commit_lookup(&pc[0], d->repo, &parents[0]) != 0 ||
	    (np > 1 && git_commit_lookup(&pc[1], d->repo, &parents[1]) != 0) ||
	    git_signature_new(&sig, name, email, (git_time_t)d->now, 0) != 0)
		desk_git_die(EX_TEMPFAIL, what);
	const git_commit *ps[2] = { pc[0], pc[1] };
	if (git_commit_create(out, d->repo, NULL, sig, sig, NULL, msg, nt, np, ps) != 0)
		desk_git_die(write_fail(), what);
	git_signature_free(sig);
	git_commit_free(pc[0]);
	git_commit_free(pc[1]);
	if (nt != base)
		git_tree_free(nt);
}

size_t sync_check_branches(struct desk *d, sync_fault_fn report)
{
	git_oid mc, ac;
	if (git_reference_name_to_id(&mc, d->repo, DESK_BRANCH) != 0 ||
	    git_reference_name_to_id(&ac, d->repo, DESK_ARCHIVE) != 0)
		return 0;
	git_tree *tm = commit_tree(d->repo, &mc), *ta = commit_tree(d->repo, &ac);
	size_t n = 0;
	struct tlist la;
	on_both(tm, ta, &la);
	for (size_t i = 0; i < la.n; i++)
		/* a ticket restored by a change holds what the archive had */
		if (!holds(d->repo, &la.v[i].mid, &la.v[i].aid)) {
			report(la.v[i].path, 0, "on both main and archive, and the archive holds "
			    "what main lacks; 'mdesk sync' or 'mdesk check --repair' joins them "
			    "on main");
			n++;
		}
	free(la.v);
	git_tree_free(tm);
	git_tree_free(ta);
	return n;
}

/* --- talking to the remote --- */

struct cred {
	const char *url;	/* the remote's, for the ssh port */
	int tries;
	int quiet;
	int rejected;		/* a push refused by the remote */
	char why[256];
};

/* Credentials: ssh-agent for ssh; git's credential helpers (git credential
 * fill) for https.  Nothing is stored by mdesk. */
static int cred_cb(git_credential **out, const char *url, const char *user,
    unsigned int allowed, void *payload)
{
	struct cred *c = payload;
	if (c->tries++ >= 3) {
		git_error_set_str(GIT_ERROR_NET, allowed & GIT_CREDENTIAL_SSH_KEY ?
		    "the server refused the keys of ssh-agent" :
		    "the server refused the credentials of git's credential helper "
		    "(see git credential fill)");
		return GIT_EUSER;
	}
	if (allowed & GIT_CREDENTIAL_SSH_KEY)
		return git_credential_ssh_key_from_agent(out, user ? user : "git");
	if (allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		if (!url || strpbrk(url, "\n\r"))
			return GIT_PASSTHROUGH;
		setenv("MDESK_CRED_URL", url, 1);
		if (c->quiet)
			setenv("GIT_TERMINAL_PROMPT", "0", 1);
		FILE *f = popen("printf 'url=%s\\n\\n' \"$MDESK_CRED_URL\" | "
		    "git credential fill 2>/dev/null", "r");
		char line[1024], u[1024] = "", p[1024] = "";
		while (f && fgets(line, sizeof line, f)) {
			line[strcspn(line, "\n")] = 0;
			if (!strncmp(line, "username=", 9))
				snprintf(u, sizeof u, "%s", line + 9);
			else if (!strncmp(line, "password=", 9))
				snprintf(p, sizeof p, "%s", line + 9);
		}
		if (f)
			pclose(f);
		int rc = *u ? git_credential_userpass_plaintext_new(out, u, p) : GIT_PASSTHROUGH;
		memset(p, 0, sizeof p);
		return rc;
	}
	if (allowed & GIT_CREDENTIAL_USERNAME)
		return git_credential_username_new(out, user ? user : "git");
	return GIT_PASSTHROUGH;
}

/* An ssh host key must be one that ~/.ssh/known_hosts records for the
 * host (libgit2 1.5 checks none itself): its SHA256 fingerprint is looked
 * for in what ssh-keygen -lF prints.  TLS is left to libgit2. */
static int cert_cb(git_cert *cert, int valid, const char *host, void *payload)
{
	struct cred *c = payload;
	if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2)
		return GIT_PASSTHROUGH;
	const git_cert_hostkey *hk = (const git_cert_hostkey *)cert;
	(void)valid;
	if (!host || !(hk->type & GIT_CERT_SSH_SHA256) || strpbrk(host, " \t\n'\"\\$`;|&<>()")) {
		git_error_set_str(GIT_ERROR_SSH, "cannot check the host key");
		return GIT_ECERTIFICATE;
	}
	struct buf b64 = { 0 };
	char fp[64];
	b64_encode(&b64, hk->hash_sha256, 32, 0);
	snprintf(fp, sizeof fp, "SHA256:%.43s", b64.p);	/* unpadded, as ssh prints it */
	buf_free(&b64);
	/* a port other than 22 is recorded as [host]:port */
	char name[300];
	const char *u = c && c->url ? c->url : "";
	const char *at = strstr(u, host);
	int port = at && at[strlen(host)] == ':' ? atoi(at + strlen(host) + 1) : 0;
	if (port > 0 && port != 22 && !strncmp(u, "ssh://", 6))
		snprintf(name, sizeof name, "[%.200s]:%d", host, port);
	else
		snprintf(name, sizeof name, "%.200s", host);
	setenv("MDESK_SSH_HOST", name, 1);
	/* ~ is $HOME, as for git (ssh-keygen alone would take the passwd entry's) */
	const char *home = getenv("HOME");
	FILE *f = popen(home && *home ?
	    "ssh-keygen -lF \"$MDESK_SSH_HOST\" -f \"$HOME/.ssh/known_hosts\" 2>/dev/null" :
	    "ssh-keygen -lF \"$MDESK_SSH_HOST\" 2>/dev/null", "r");
	char line[1024];
	int found = 0;
	while (f && fgets(line, sizeof line, f))
		if (strstr(line, fp))
			found = 1;
	if (f)
		pclose(f);
	if (found)
		return 0;
	char msg[512];
	snprintf(msg, sizeof msg, "the host key of %s (%s) is not in ~/.ssh/known_hosts; "
	    "check it and record it by connecting once with ssh", name, fp);
	git_error_set_str(GIT_ERROR_SSH, msg);
	return GIT_ECERTIFICATE;
}

/* A remote is about to be reached: https needs certificate authorities: those of
 * SSL_CERT_FILE (a PEM bundle) or else SSL_CERT_DIR (a directory of PEM
 * files) when set, as for git and curl built with OpenSSL, otherwise the
 * system's. */
static void tls_setup(const char *url)
{
	static int done;
	if (done || !url || strncmp(url, "https:", 6))
		return;
	done = 1;
	const char *cf = getenv("SSL_CERT_FILE"), *cd = getenv("SSL_CERT_DIR");
	if ((cf && *cf) || (cd && *cd)) {
		/* one that cannot be read adds no authority */
		git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, cf && *cf ? cf : NULL,
		    cf && *cf ? NULL : cd);
		return;
	}
	struct stat st;
	const char *file = "/etc/ssl/certs/ca-certificates.crt";
	if (stat(file, &st) == 0)
		git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, file, NULL);
	else
		git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, NULL, "/etc/ssl/certs");
}

/* The branches a sync moves, [0] archive and [1] main, and the refs that
 * hold what a push sends of each (taken with the lock held). */
static const char *const branch_ref[2] = { DESK_ARCHIVE, DESK_BRANCH };
static const char *const push_ref[2] = { "refs/mdesk/push/archive", "refs/mdesk/push/main" };

static const char *git_msg(void)
{
	const git_error *e = git_error_last();
	return e && e->message ? e->message : "git error";
}

static int push_ref_cb(const char *ref, const char *status, void *payload)
{
	struct cred *p = payload;
	if (status) {
		p->rejected = 1;
		snprintf(p->why, sizeof p->why, "%s: %s", ref, status);
	}
	return 0;
}

static int ref_oid(git_repository *r, const char *name, git_oid *out)
{
	return git_reference_name_to_id(out, r, name) == 0;
}

static void print_conflict(const char *path, int line, const char *what, void *ctx)
{
	(void)ctx;
	print_fault(path, line, what);
}

/* --- a follow-up filed on two replicas before they synced --- */

/* A message "received" in ticket t (of a struct fold): filed on side 1
 * (ours) or 2 (theirs) of a merge, or (a held one) kept in ticket keep. */
struct fmid {
	char *mid;
	size_t t;
	union { int side; size_t keep; };
};

/* The tickets a merge touched: their folders, the Message-IDs their
 * "received" events name, and which are new since the merge base. */
struct fold {
	struct ftk {
		char path[40];	/* first: a ticket sorts by it */
		char first[40];	/* the time of its first event */
		char into[16];	/* folded by a sync into this one ("" none) */
		unsigned char isnew;
		unsigned char left;	/* it holds a "received" event all the same */
		unsigned char arch;	/* on the archive branch (not on main) once merged */
		size_t up;	/* union-find: the group of each ticket */
		size_t win;	/* a group's root: 1 + the group's winner (0: none) */
	} *k;
	size_t n;
	struct fmid *mids;
	size_t nmids;
};

/* Ticket folder p (shorter than 40) joins f. */
static void fold_add(struct fold *f, const char *p)
{
	f->k = xrealloc(f->k, (f->n + 1) * sizeof *f->k);
	memset(&f->k[f->n], 0, sizeof *f->k);
	snprintf(f->k[f->n++].path, sizeof f->k->path, "%s", p);
}

static void fold_free(struct fold *f)
{
	for (size_t i = 0; i < f->nmids; i++)
		free(f->mids[i].mid);
	free(f->mids);
	free(f->k);
}

static int fold_chg_cb(const char *p, const git_tree_entry *ea, const git_tree_entry *eb,
    void *payload)
{
	(void)ea;
	(void)eb;
	struct fold *f = payload;
	const char *s = strncmp(p, "tickets/", 8) ? NULL : strchr(p + 8, '/');
	s = s ? strchr(s + 1, '/') : NULL;
	if (!s || s - p >= 40)
		return 0;
	char tp[40];
	snprintf(tp, sizeof tp, "%.*s", (int)(s - p), p);
	if (ticket_path(tp) && (!f->n || strcmp(f->k[f->n - 1].path, tp)))
		fold_add(f, tp);
	return 0;
}

static int by_path(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int by_mid(const void *a, const void *b)
{
	const struct fmid *x = a, *y = b;
	int c = strcmp(x->mid, y->mid);
	return c ? c : x->t < y->t ? -1 : x->t > y->t;
}

static int by_mid_only(const void *a, const void *b)
{
	return strcmp(((const struct fmid *)a)->mid, ((const struct fmid *)b)->mid);
}

static size_t fold_root(struct fold *f, size_t i)
{
	while (f->k[i].up != i)
		i = f->k[i].up = f->k[f->k[i].up].up;
	return i;
}

/* The events text of folder path in tree t, *len bytes, malloc'd (NULL
 * and 0 when none). */
static char *fold_events(git_tree *t, const char *path, size_t *len)
{
	char p[64];
	snprintf(p, sizeof p, "%s/events.jsonl", path);
	*len = 0;
	return desk_tree_file(t, p, len);
}

/* The event on the line of events.jsonl text p (len bytes) that starts at
 * *k, or NULL when it is not JSON; *k moves to the next line, *n is the
 * line's length. */
static json_t *jsonl_next(const char *p, size_t len, size_t *k, size_t *n)
{
	const char *l = line_at(p, len, k, n);
	return json_loadb(l, *n, 0, NULL);
}

/* Read the Message-IDs of ticket i's "received" events in tree t (side 1
 * ours, 2 theirs), the time of its first event; side 0 (the merged tree):
 * is it merged into another (isnew 2, then neither folds nor is folded)? */
static void fold_read(struct fold *f, git_tree *t, size_t i, int side)
{
	size_t len;
	char *p = fold_events(t, f->k[i].path, &len);
	for (size_t k = 0, n; k < len;) {
		json_t *o = jsonl_next(p, len, &k, &n);
		const char *ty = json_string_value(json_object_get(o, "type"));
		const char *mid = json_string_value(json_object_get(o, "message_id"));
		const char *at = json_string_value(json_object_get(o, "at"));
		const char *into = json_string_value(json_object_get(o, "into"));
		const char *by = json_string_value(json_object_get(o, "by"));
		if (!side && ty && !strcmp(ty, "merged") && into) {
			f->k[i].isnew = 2;
			if (by && !strcmp(by, "sync") && ticketid_valid(into) && strlen(into) < 16)
				strcpy(f->k[i].into, into);
		}
		if (!side && ty && !strcmp(ty, "received"))
			f->k[i].left = 1;
		if (side && at && strlen(at) < 40 && (!f->k[i].first[0] || strcmp(at, f->k[i].first) < 0))
			strcpy(f->k[i].first, at);
		if (side && ty && mid && *mid && !strcmp(ty, "received")) {
			f->mids = xrealloc(f->mids, (f->nmids + 1) * sizeof *f->mids);
			f->mids[f->nmids].mid = xstrdup(mid);
			f->mids[f->nmids].side = side;
			f->mids[f->nmids++].t = i;
		}
		json_decref(o);
	}
	free(p);
}

/* Ticket i, new on side (its folder in tree t), and a message of it that
 * names (In-Reply-To, References) a message filed in another ticket only
 * on the other side: the follow-up of a conversation this side did not
 * know yet.  Its group joins that ticket's. */
static void fold_links(struct fold *f, git_repository *repo, git_tree *t, size_t i, int side)
{
	git_oid fid;
	git_tree *ft;
	if (!folder_id(t, f->k[i].path, &fid) || git_tree_lookup(&ft, repo, &fid) != 0)
		return;
	for (size_t k = 0; k < git_tree_entrycount(ft); k++) {
		const git_tree_entry *e = git_tree_entry_byindex(ft, k);
		git_blob *b;
		if (eml_number(git_tree_entry_name(e)) < 0 || !is_blob(e) ||
		    git_blob_lookup(&b, repo, git_tree_entry_id(e)) != 0)
			continue;
		const char *raw = git_blob_rawcontent(b);
		size_t len = (size_t)git_blob_rawsize(b);
		struct msg mm;
		struct msg_ids ids;
		const char *lk[16];
		size_t nl = 0;
		memset(&mm, 0, sizeof mm);
		if (msg_open(&mm, raw, msg_header_len(raw, len)) == 0) {
			msg_ids(&mm, &ids);
			nl = msg_links(&ids, lk, 16);
		}
		for (size_t j = 0; j < nl; j++) {
			struct fmid key = { .mid = (char *)lk[j] }, *hit;
			hit = bsearch(&key, f->mids, f->nmids, sizeof *f->mids, by_mid_only);
			if (!hit)
				continue;
			while (hit > f->mids && !strcmp(hit[-1].mid, lk[j]))
				hit--;
			size_t y = (size_t)-1;
			int here = 0;
			for (; hit < f->mids + f->nmids && !strcmp(hit->mid, lk[j]); hit++) {
				here |= hit->side == side;
				if (hit->t != i)
					y = hit->t;
			}
			size_t a = fold_root(f, i), c = y == (size_t)-1 ? a : fold_root(f, y);
			if (!here && a != c)
				f->k[a].up = c;
		}
		msg_free(&mm);
		git_blob_free(b);
	}
	git_tree_free(ft);
}

/* Tree builder tb with the events text p (n bytes): 0 and the folder
 * written in *out, or -1. */
static int put_events(git_repository *repo, git_treebuilder *tb, const char *p, size_t n,
    git_oid *out)
{
	git_oid bid;
	return git_blob_create_from_buffer(&bid, repo, n ? p : "", n) != 0 ||
	    git_treebuilder_insert(NULL, tb, "events.jsonl", &bid, GIT_FILEMODE_BLOB) != 0 ||
	    git_treebuilder_write(out, tb) != 0 ? -1 : 0;
}

/* The folder of ticket `loser` once folded: one "merged" event into `into`,
 * the same on every replica (its id from the ticket, its time the latest
 * of the ticket's events). */
static int fold_stub(git_repository *repo, git_tree *t, const char *loser, const char *into,
    git_oid *out)
{
	size_t len;
	char *p = fold_events(t, loser, &len), at[40] = "1970-01-01T00:00:00Z";
	json_t *e = json_object();
	event_id_for(e, "merged", loser + 11);
	const char *eid = json_string_value(json_object_get(e, "id"));
	char *line = NULL;
	for (size_t k = 0, n; k < len;) {
		json_t *o = jsonl_next(p, len, &k, &n);
		const char *a = json_string_value(json_object_get(o, "at"));
		const char *id = json_string_value(json_object_get(o, "id"));
		if (a && strlen(a) < sizeof at && strcmp(a, at) > 0)
			strcpy(at, a);
		if (id && !strcmp(id, eid) && !line)	/* folded before: the same line */
			line = event_line(o);
		json_decref(o);
	}
	free(p);
	json_object_set_new(e, "at", json_string(at));
	json_object_set_new(e, "type", json_string("merged"));
	json_object_set_new(e, "by", json_string("sync"));
	json_object_set_new(e, "into", json_string(into + 11));
	if (!line)
		line = event_line(e);
	json_decref(e);
	git_treebuilder *tb = NULL;
	int rc = git_treebuilder_new(&tb, repo, NULL) != 0 ? -1 :
	    put_events(repo, tb, line, strlen(line), out);
	git_treebuilder_free(tb);
	free(line);
	return rc;
}

/* Folder tl with its messages numbered after top (its events' "file"
 * following), as mdesk merge moves them, and without the "merged" event
 * of an earlier fold: the folder in *out; 0 or -1. */
static int renumbered(git_repository *repo, git_tree *tl, int top, git_oid *out)
{
	git_treebuilder *tb;
	if (git_treebuilder_new(&tb, repo, tl) != 0)
		return -1;
	json_t *ren = json_object();
	size_t n = git_tree_entrycount(tl);
	for (size_t i = 0; i < n; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tl, i);
		const char *nm = git_tree_entry_name(e);
		if (eml_number(nm) < 0 || !is_blob(e))
			continue;
		char nn[32];
		snprintf(nn, sizeof nn, "%04d.eml", ++top);
		git_treebuilder_remove(tb, nm);
		put(tb, nn, e);
		json_object_set_new(ren, nm, json_string(nn));
	}
	const git_tree_entry *ee = git_tree_entry_byname(tl, "events.jsonl");
	size_t len = 0;
	char *p = ee ? desk_entry_file(repo, ee, &len) : NULL;
	struct buf u = { 0 };
	for (size_t k = 0, l; k < len;) {
		size_t at = k;
		json_t *o = jsonl_next(p, len, &k, &l);
		const char *f = json_string_value(json_object_get(o, "file"));
		const char *ty = json_string_value(json_object_get(o, "type"));
		const char *by = json_string_value(json_object_get(o, "by"));
		json_t *to = f ? json_object_get(ren, f) : NULL;
		if (ty && by && !strcmp(ty, "merged") && !strcmp(by, "sync"))
			;	/* a fold before this one: not the winner's */
		else if (to) {
			json_object_set(o, "file", to);
			char *line = event_line(o);
			buf_adds(&u, line);
			free(line);
		} else if (l) {
			buf_add(&u, p + at, l);
			buf_addc(&u, '\n');
		}
		json_decref(o);
	}
	int rc = p ? put_events(repo, tb, u.p, u.len, out) :
	    git_treebuilder_write(out, tb) != 0 ? -1 : 0;
	buf_free(&u);
	free(p);
	git_treebuilder_free(tb);
	json_decref(ren);
	return rc;
}

/* Fold ticket folder `loser` of tree t into folder *wid of `winner`:
 * *wid the union of both (a message in both kept once); 0 or -1. */
static int fold_into(git_repository *repo, git_tree *t, const char *winner, git_oid *wid,
    const char *loser)
{
	git_oid lid, rid;
	git_tree *tw = NULL, *tl = NULL;
	int rc = -1;
	if (folder_id(t, loser, &lid) && git_tree_lookup(&tw, repo, wid) == 0 &&
	    git_tree_lookup(&tl, repo, &lid) == 0 &&
	    renumbered(repo, tl, top_number(tl, top_number(tw, 0)), &rid) == 0)
		rc = join_two(repo, winner, wid, &rid, wid);
	git_tree_free(tw);
	git_tree_free(tl);
	return rc;
}

/* The archive branch in a sync: its trees (base, ours, theirs and what
 * its merge made; any may be NULL) and the ticket folders the fold of
 * main brought back to main from it. */
struct arch {
	git_tree *t[4];
	struct sset gone;
};

/* The archive's trees once its merge is known (step, to: what
 * merge_branch said; from, has_from: the local archive before). */
static void arch_open(struct desk *d, const char *track, int step, const git_oid *to,
    const git_oid *from, int has_from, struct arch *a)
{
	git_oid r, b;
	memset(a, 0, sizeof *a);
	int hr = ref_oid(d->repo, track, &r);
	if (has_from)
		a->t[1] = commit_tree(d->repo, from);
	if (hr)
		a->t[2] = commit_tree(d->repo, &r);
	if (has_from && hr && git_merge_base(&b, d->repo, from, &r) == 0)
		a->t[0] = commit_tree(d->repo, &b);
	if (step > 0)
		a->t[3] = commit_tree(d->repo, to);
	else if (has_from)
		a->t[3] = commit_tree(d->repo, from);
}

static void arch_close(struct arch *a)
{
	for (int k = 0; k < 4; k++)
		git_tree_free(a->t[k]);
	sset_free(&a->gone);
}

/* The tree of main m or of the archive a (NULL: none) that holds ticket
 * folder p: main's unless only the archive has it. */
static git_tree *holder(git_tree *m, git_tree *a, const char *p)
{
	git_oid x;
	return a && !folder_id(m, p, &x) && folder_id(a, p, &x) ? a : m;
}

/* A ticket a sync folded that holds messages again (a replica that had
 * it merged the fold with its own copy, or archived it before it knew of
 * the fold): they go where the rest went.  Tree *mt (its id *tree)
 * updated; a ticket, or the one it went into, that was on the archive
 * comes to main and is named in ar->gone. */
static void fold_again(struct fold *f, git_repository *repo, git_tree **mt, git_oid *tree,
    struct arch *ar)
{
	for (size_t i = 0; i < f->n; i++) {
		char to[40];
		git_oid wid, sid, nt;
		git_tree *t2;
		if (!f->k[i].into[0] || !f->k[i].left)
			continue;
		desk_ticket_dir(f->k[i].into, to);
		git_tree *ti = f->k[i].arch ? ar->t[3] : *mt;
		git_tree *tw = holder(*mt, ar ? ar->t[3] : NULL, to);
		if (!strcmp(to, f->k[i].path) || !folder_id(tw, to, &wid) ||
		    fold_into(repo, ti, to, &wid, f->k[i].path) != 0 ||
		    fold_stub(repo, ti, f->k[i].path, to, &sid) != 0)
			continue;
		git_tree_update up[2] = {
			{ GIT_TREE_UPDATE_UPSERT, wid, GIT_FILEMODE_TREE, to },
			{ GIT_TREE_UPDATE_UPSERT, sid, GIT_FILEMODE_TREE, f->k[i].path },
		};
		if (git_tree_create_updated(&nt, repo, *mt, 2, up) != 0 ||
		    git_tree_lookup(&t2, repo, &nt) != 0)
			continue;
		if (tw != *mt)
			sset_add(&ar->gone, to);
		if (f->k[i].arch)
			sset_add(&ar->gone, f->k[i].path);
		git_tree_free(*mt);
		*mt = t2;
		*tree = nt;
	}
}

/* The tickets at the paths of up (n of them) in tree *mt (its id *tree)
 * that a sync had folded and that hold messages again (an archived copy
 * joined them): folded again where the rest went (fold_again). */
static void refold(git_repository *repo, const git_tree_update *up, size_t n, git_tree **mt,
    git_oid *tree)
{
	struct fold f = { 0 };
	for (size_t i = 0; i < n; i++)
		fold_add(&f, up[i].path);
	for (size_t i = 0; i < n; i++)
		fold_read(&f, *mt, i, 0);
	fold_again(&f, repo, mt, tree, NULL);
	fold_free(&f);
}

/* Tickets on both main (commit mc) and archive (commit ac) come back to
 * main with the files and events of both and leave the archive: new
 * commits in nm, na (parents mc, ac); the number joined, 0 when none,
 * -1 when a commit cannot be read. */
static int join_branches(struct desk *d, const git_oid *mc, const git_oid *ac,
    git_oid *nm, git_oid *na)
{
	git_tree *tm = commit_tree(d->repo, mc), *ta = commit_tree(d->repo, ac);
	if (!tm || !ta) {
		git_tree_free(tm);
		git_tree_free(ta);
		return -1;
	}
	struct tlist la;	/* walks main's tickets (fewer than the archive's) */
	on_both(tm, ta, &la);
	git_tree_update *um = xcalloc(la.n + 1, sizeof *um), *ua = xcalloc(la.n + 1, sizeof *ua);
	size_t nj = 0, numain = 0;
	for (size_t i = 0; i < la.n; i++) {
		git_oid jid;
		if (join_two(d->repo, la.v[i].path, &la.v[i].mid, &la.v[i].aid, &jid) != 0)
			continue;	/* left on both: mdesk check tells */
		if (!git_oid_equal(&jid, &la.v[i].mid))
			upsert(&um[numain++], la.v[i].path, &jid);
		ua[nj].action = GIT_TREE_UPDATE_REMOVE;
		ua[nj++].path = la.v[i].path;
	}
	*nm = *mc;
	*na = *ac;
	if (nj) {
		char msg[160];
		snprintf(msg, sizeof msg, "sync: %zu ticket%s on both branches joined on main\n",
		    nj, nj == 1 ? "" : "s");
		if (numain) {	/* a joined ticket that a sync had folded: folded again */
			git_oid tid;
			git_tree *t;
			if (git_tree_create_updated(&tid, d->repo, tm, numain, um) != 0 ||
			    git_tree_lookup(&t, d->repo, &tid) != 0)
				desk_git_die(EX_TEMPFAIL, "joining the branches");
			refold(d->repo, um, numain, &t, &tid);
			new_commit(d, mc, 1, t, NULL, 0, msg, "joining the branches", nm);
			git_tree_free(t);
		}
		new_commit(d, ac, 1, ta, ua, nj, msg, "joining the branches", na);
	}
	free(um);
	free(ua);
	free(la.v);
	git_tree_free(tm);
	git_tree_free(ta);
	return (int)nj;
}

/* The Message-IDs of the "received" events of ticket i (folder path of
 * tree t) added to *h, unless it was merged into another. */
static void held_read(git_tree *t, const char *path, size_t i, struct fmid **h, size_t *n)
{
	size_t len, n0 = *n;
	char *p = fold_events(t, path, &len);
	int merged = 0;
	for (size_t k = 0, l; k < len;) {
		json_t *o = jsonl_next(p, len, &k, &l);
		const char *ty = json_string_value(json_object_get(o, "type"));
		const char *mid = json_string_value(json_object_get(o, "message_id"));
		merged |= ty && !strcmp(ty, "merged");
		if (ty && mid && *mid && !strcmp(ty, "received")) {
			*h = xrealloc(*h, (*n + 1) * sizeof **h);
			(*h)[*n].mid = xstrdup(mid);
			(*h)[*n].keep = i;
			(*h)[(*n)++].t = i;
		}
		json_decref(o);
	}
	free(p);
	while (merged && *n > n0)
		free((*h)[--*n].mid);
}

/* The tickets that hold a message of the tickets in f->path by the
 * desk's Message-ID index, added to f->path: one that the merges did not
 * touch (a sync killed between its moves of the archive and of main
 * leaves the other replica's copy of a message there) takes part too. */
static void fold_known(struct fold *f, struct desk *d, git_tree *mt, git_tree *at)
{
	struct fmid *h = NULL;
	size_t nh = 0;
	index_sync(d);
	for (size_t i = 0, n = f->n; i < n; i++)
		held_read(holder(mt, at, f->k[i].path), f->k[i].path, i, &h, &nh);
	for (size_t j = 0; j < nh; j++) {
		char id[16], p[40];
		git_oid x;
		if (index_lookup(d, h[j].mid, id) && ticketid_valid(id)) {
			desk_ticket_dir(id, p);
			if (folder_id(mt, p, &x) || folder_id(at, p, &x))
				fold_add(f, p);
		}
		free(h[j].mid);
	}
	free(h);
}

/* The tickets the merges changed (main's and the archive's, each since its
 * base) and those the index names for their messages (fold_known), what
 * each holds and which group each is in. */
static void fold_gather(struct fold *f, struct desk *d, git_tree *const t[3],
    git_tree *mt, const struct arch *ar)
{
	git_repository *repo = d->repo;
	git_tree *none[4] = { NULL, NULL, NULL, NULL };
	git_tree *const *at = ar ? ar->t : none;
	for (int k = 1; k <= 2; k++) {
		tree_changes(repo, t[0], t[k], "", 0, fold_chg_cb, f);
		if (at[k])
			tree_changes(repo, at[0], at[k], "", 0, fold_chg_cb, f);
	}
	fold_known(f, d, mt, at[3]);
	if (f->n)
		qsort(f->k, f->n, sizeof *f->k, by_path);
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (!n || strcmp(f->k[n - 1].path, f->k[i].path))
			f->k[n++] = f->k[i];
	f->n = n;
	for (size_t i = 0; i < n; i++) {
		git_oid x;
		f->k[i].arch = holder(mt, at[3], f->k[i].path) != mt;
		f->k[i].isnew = !folder_id(t[0], f->k[i].path, &x) && !folder_id(at[0], f->k[i].path, &x);
		f->k[i].up = i;
		fold_read(f, f->k[i].arch ? at[3] : mt, i, 0);
		for (int k = 1; k <= 2; k++)
			fold_read(f, holder(t[k], at[k], f->k[i].path), i, k);
	}
}

/* Fold each group's new tickets into its winner (its root's win) in tree *mt:
 * the winner and the stubs of those folded on main, any of them that was
 * on the archive in ar->gone.  The number folded. */
static int fold_groups(struct fold *f, git_repository *repo, git_tree *mt, struct arch *ar,
    git_oid *tree)
{
	size_t n = f->n, nu = 0;
	git_tree_update *up = xcalloc(2 * n + 1, sizeof *up);
	size_t *gone = xcalloc(n + 1, sizeof *gone), ng = 0;	/* from the archive */
	int folded = 0;
	for (size_t r = 0; r < n; r++) {
		if (fold_root(f, r) != r || !f->k[r].win)
			continue;
		size_t w = f->k[r].win - 1;
		git_oid wid;
		if (!folder_id(f->k[w].arch ? ar->t[3] : mt, f->k[w].path, &wid))
			continue;
		int any = 0;
		for (size_t i = 0; i < n; i++) {
			git_tree *ti = f->k[i].arch ? ar->t[3] : mt;
			git_oid sid;
			if (i == w || f->k[i].isnew != 1 || fold_root(f, i) != r ||
			    fold_into(repo, ti, f->k[w].path, &wid, f->k[i].path) != 0 ||
			    fold_stub(repo, ti, f->k[i].path, f->k[w].path, &sid) != 0)
				continue;
			upsert(&up[nu++], f->k[i].path, &sid);
			any = 1;
			folded++;
			if (f->k[i].arch)
				gone[ng++] = i;
		}
		if (any) {
			upsert(&up[nu++], f->k[w].path, &wid);
			if (f->k[w].arch)
				gone[ng++] = w;
		}
	}
	git_oid nt;
	if (nu && git_tree_create_updated(&nt, repo, mt, nu, up) == 0) {
		*tree = nt;
		for (size_t k = 0; k < ng; k++)
			sset_add(&ar->gone, f->k[gone[k]].path);
	} else
		folded = 0;
	free(up);
	free(gone);
	return folded;
}

/* --- a message filed in two tickets that both stay --- */

/* The event ids of folder path of tree t into s. */
static void event_ids(git_tree *t, const char *path, struct sset *s)
{
	size_t len;
	char *p = fold_events(t, path, &len);
	for (size_t k = 0, l; k < len;) {
		json_t *o = jsonl_next(p, len, &k, &l);
		const char *id = json_string_value(json_object_get(o, "id"));
		if (id)
			sset_add(s, id);
		json_decref(o);
	}
	free(p);
}

/* Folder path of tree t without its copies of the messages another
 * ticket keeps: the "received" events of the Message-IDs in drop, the
 * files they name when those hold the same message, and every event
 * whose id is in kept (one event, recorded in two tickets).  The folder
 * in *out; the number of "received" events left, or -1. */
static int strip_held(git_repository *repo, git_tree *t, const char *path,
    struct sset *drop, struct sset *kept, git_oid *out)
{
	git_oid fid;
	git_tree *ft;
	git_treebuilder *tb;
	if (!folder_id(t, path, &fid) || git_tree_lookup(&ft, repo, &fid) != 0)
		return -1;
	if (git_treebuilder_new(&tb, repo, ft) != 0) {
		git_tree_free(ft);
		return -1;
	}
	size_t len;
	char *p = fold_events(t, path, &len);
	struct buf u = { 0 };
	int left = 0;
	for (size_t k = 0, l; k < len;) {
		size_t at = k;
		json_t *o = jsonl_next(p, len, &k, &l);
		const char *ty = json_string_value(json_object_get(o, "type"));
		const char *mid = json_string_value(json_object_get(o, "message_id"));
		const char *id = json_string_value(json_object_get(o, "id"));
		const char *f = json_string_value(json_object_get(o, "file"));
		int rec = ty && !strcmp(ty, "received");
		int gone = (rec && mid && strtab_get(&drop->t, mid)) || (id && strtab_get(&kept->t, id));
		const git_tree_entry *e = gone && rec && mid && f ? git_tree_entry_byname(ft, f) : NULL;
		if (e && is_blob(e) && eml_number(f) >= 0) {
			char *fm = blob_mid(repo, git_tree_entry_id(e));
			if (!strcmp(fm, mid))
				git_treebuilder_remove(tb, f);
			free(fm);
		}
		if (!gone && l) {
			left += rec;
			buf_add(&u, p + at, l);
			buf_addc(&u, '\n');
		}
		json_decref(o);
	}
	free(p);
	int rc = put_events(repo, tb, u.p, u.len, out) != 0 ? -1 : left;
	buf_free(&u);
	git_treebuilder_free(tb);
	git_tree_free(ft);
	return rc;
}

/* Ticket i of f loses its copies of the messages others keep (h, nh):
 * stripped (strip_held), or, when it holds no message then, folded into
 * the ticket that keeps the first of them.  Tree *mt (its id *tree)
 * updated; a ticket that was on the archive comes to main (ar->gone). */
static int drop_held(struct fold *f, git_repository *repo, const struct fmid *h, size_t nh,
    size_t i, git_tree **mt, git_oid *tree, struct arch *ar)
{
	git_tree *at = ar ? ar->t[3] : NULL, *ti = holder(*mt, at, f->k[i].path), *t2;
	struct sset drop = { 0 }, kept = { 0 };
	size_t keeper = (size_t)-1;
	for (size_t j = 0; j < nh; j++)
		if (h[j].t == i && h[j].keep != i) {
			if (keeper == (size_t)-1)
				keeper = h[j].keep;
			sset_add(&drop, h[j].mid);
			event_ids(holder(*mt, at, f->k[h[j].keep].path), f->k[h[j].keep].path, &kept);
		}
	git_oid sid = { { 0 } }, kid = { { 0 } }, nt;
	git_tree *tk = keeper == (size_t)-1 ? NULL : holder(*mt, at, f->k[keeper].path);
	int left = keeper == (size_t)-1 ? -1 : strip_held(repo, ti, f->k[i].path, &drop, &kept, &sid);
	git_tree_update up[2] = {
		{ GIT_TREE_UPDATE_UPSERT, sid, GIT_FILEMODE_TREE, f->k[i].path },
		{ GIT_TREE_UPDATE_UPSERT, kid, GIT_FILEMODE_TREE, keeper < f->n ? f->k[keeper].path : "" },
	};
	int nu = left > 0;
	if (left == 0 && folder_id(tk, f->k[keeper].path, &kid) &&
	    fold_into(repo, ti, f->k[keeper].path, &kid, f->k[i].path) == 0 &&
	    fold_stub(repo, ti, f->k[i].path, f->k[keeper].path, &sid) == 0) {
		up[0].id = sid;
		up[1].id = kid;
		nu = 2;
	}
	sset_free(&drop);
	sset_free(&kept);
	if (!nu || git_tree_create_updated(&nt, repo, *mt, (size_t)nu, up) != 0 ||
	    git_tree_lookup(&t2, repo, &nt) != 0)
		return 0;
	if (ti != *mt)
		sset_add(&ar->gone, f->k[i].path);
	if (nu == 2 && tk != *mt)
		sset_add(&ar->gone, f->k[keeper].path);
	git_tree_free(*mt);
	*mt = t2;
	*tree = nt;
	return 1;
}

/* After the folds: a message "received" in two tickets the merges
 * touched that both stay (each replica filed it in a ticket it had) is
 * kept once, in the one whose first event came first (then the smaller
 * ID), as a fold picks; the others lose their copy (drop_held).  Tree
 * *tree updated; the number of tickets changed. */
static int fold_held(struct fold *f, git_repository *repo, git_oid *tree, struct arch *ar)
{
	git_tree *mt;
	if (git_tree_lookup(&mt, repo, tree) != 0)
		return 0;
	struct fmid *h = NULL;
	size_t nh = 0;
	for (size_t i = 0; i < f->n; i++)
		held_read(holder(mt, ar ? ar->t[3] : NULL, f->k[i].path), f->k[i].path, i, &h, &nh);
	if (nh)
		qsort(h, nh, sizeof *h, by_mid);
	unsigned char *loses = xcalloc(f->n + 1, 1);
	for (size_t a = 0, b; a < nh; a = b) {
		size_t k = h[a].t;
		for (b = a + 1; b < nh && !strcmp(h[b].mid, h[a].mid); b++)
			if (strcmp(f->k[h[b].t].first, f->k[k].first) < 0)
				k = h[b].t;
		for (size_t j = a; j < b; j++) {
			h[j].keep = k;
			loses[h[j].t] |= h[j].t != k;
		}
	}
	int changed = 0;
	for (size_t i = 0; i < f->n; i++)
		if (loses[i])
			changed += drop_held(f, repo, h, nh, i, &mt, tree, ar);
	for (size_t j = 0; j < nh; j++)
		free(h[j].mid);
	free(h);
	free(loses);
	git_tree_free(mt);
	return changed;
}

/* After a merge of main (base, ours, theirs in t; the result in *tree): a
 * ticket new since base that holds a message another ticket the merge
 * touched holds (the same follow-up filed on two replicas, in the ticket
 * each knew) is folded into that ticket: the one whose first event came
 * first wins (then the smaller ID), so every replica folds alike; a
 * ticket merged into another is left as it is.  The tickets the merge of
 * the archive (ar, when not NULL) touched take part too: one of them in a
 * group that folds comes back to main (its folder in ar->gone, for the
 * archive to drop once main holds it).  Then a message still in two of
 * those tickets is kept in one (fold_held: the number changed in *held).
 * The number folded. */
static int fold_follow_ups(struct desk *d, git_tree *const t[3], git_oid *tree,
    struct arch *ar, int *held)
{
	git_repository *repo = d->repo;
	struct fold f = { 0 };
	git_tree *mt;
	if (git_tree_lookup(&mt, repo, tree) != 0)
		return 0;
	fold_gather(&f, d, t, mt, ar);
	size_t n = f.n;
	fold_again(&f, repo, &mt, tree, ar);
	for (size_t i = 0; i < n; i++)	/* brought to main by fold_again */
		f.k[i].arch = f.k[i].arch && holder(mt, ar->t[3], f.k[i].path) != mt;
	size_t nm = 0;
	for (size_t i = 0; i < f.nmids; i++)
		if (f.k[f.mids[i].t].isnew == 2)
			free(f.mids[i].mid);
		else
			f.mids[nm++] = f.mids[i];
	f.nmids = nm;
	if (f.nmids)
		qsort(f.mids, f.nmids, sizeof *f.mids, by_mid);
	for (size_t i = 0; i < n; i++)
		for (int side = 1; f.k[i].isnew == 1 && side <= 2; side++)
			fold_links(&f, repo, holder(t[side], ar ? ar->t[side] : NULL, f.k[i].path),
			    i, side);
	for (size_t i = 1; i < f.nmids; i++)
		if (!strcmp(f.mids[i].mid, f.mids[i - 1].mid)) {
			size_t a = fold_root(&f, f.mids[i].t), b = fold_root(&f, f.mids[i - 1].t);
			if (a != b)
				f.k[a].up = b;
		}
	/* each group's winner: the one whose first event came first, else the
	 * smaller ID (what the tickets hold, not what this side had: the
	 * same on every replica) */
	for (size_t i = 0; i < n; i++) {
		struct ftk *r = &f.k[fold_root(&f, i)];
		if (f.k[i].isnew != 2 && (!r->win || strcmp(f.k[i].first, f.k[r->win - 1].first) < 0))
			r->win = i + 1;
	}
	int folded = fold_groups(&f, repo, mt, ar, tree);
	*held = fold_held(&f, repo, tree, ar);
	fold_free(&f);
	git_tree_free(mt);
	return folded;
}

/* Merge the fetched commit into the local branch: the new commit in
 * *to, 0 nothing to do, 1 a new commit to move to, -1 conflicts. */
static int merge_branch(struct desk *d, const char *branch, const char *track,
    const char *remote, int *ahead, git_oid *from, int *has_from, git_oid *to,
    struct arch *ar)
{
	git_oid r;
	*has_from = ref_oid(d->repo, branch, from);
	*ahead = 0;
	if (!ref_oid(d->repo, track, &r)) {
		*ahead = *has_from;
		return 0;
	}
	if (*has_from && git_oid_equal(from, &r))
		return 0;
	if (!*has_from) {
		*to = r;
		return 1;
	}
	git_oid base;
	int hb = git_merge_base(&base, d->repo, from, &r) == 0;
	if (hb && git_oid_equal(&base, &r)) {
		*ahead = 1;
		return 0;
	}
	if (hb && git_oid_equal(&base, from)) {
		*to = r;
		return 1;
	}
	git_tree *tl = commit_tree(d->repo, from), *tr = commit_tree(d->repo, &r);
	git_tree *tbase = hb ? commit_tree(d->repo, &base) : NULL;
	if (!tl || !tr || (hb && !tbase))
		desk_git_die(EX_TEMPFAIL, branch);
	git_oid tree;
	int nc = sync_merge_trees(d->repo, tbase, tl, tr, &tree, print_conflict, NULL);
	git_tree *const t3[3] = { tbase, tl, tr };
	int held = 0, folded = !nc && !strcmp(branch, DESK_BRANCH) ?
	    fold_follow_ups(d, t3, &tree, ar, &held) : 0;
	int rc = -1;
	if (!nc) {
		git_tree *nt;
		git_oid parents[2] = { *from, r };
		char msg[512];
		if (git_tree_lookup(&nt, d->repo, &tree) != 0)
			desk_git_die(EX_TEMPFAIL, branch);
		snprintf(msg, sizeof msg, "sync: merged %.200s %s%s%s\n", remote,
		    strrchr(branch, '/') + 1, folded ? "; a follow-up filed on both "
		    "replicas folded into one ticket" : "", held ? "; a message filed in "
		    "two tickets kept in one" : "");
		new_commit(d, parents, 2, nt, NULL, 0, msg, "merge commit", to);
		git_tree_free(nt);
		*ahead = 1;
		rc = 1;
	}
	git_tree_free(tl);
	git_tree_free(tr);
	git_tree_free(tbase);
	return rc;
}

/* Files the move from commit a to commit b would write that hold
 * changes not committed (a hand edit in progress): reported, counted. */
static int dirty_paths(struct desk *d, const git_oid *a, const git_oid *b)
{
	if (d->bare)	/* no working tree: nothing to edit by hand */
		return 0;
	git_tree *ta = commit_tree(d->repo, a), *tb = commit_tree(d->repo, b);
	git_diff *diff;
	if (!ta || !tb || git_diff_tree_to_tree(&diff, d->repo, ta, tb, NULL) != 0)
		desk_git_die(EX_TEMPFAIL, "diff");
	int n = 0;
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *dd = git_diff_get_delta(diff, i);
		const char *p = dd->new_file.path ? dd->new_file.path : dd->old_file.path;
		unsigned int fl = 0;
		if (git_status_file(&fl, d->repo, p) == 0 && fl != GIT_STATUS_CURRENT &&
		    !(fl & GIT_STATUS_IGNORED)) {
			fprintf(stderr, "%s: %s:1: changes not committed, and the sync changes "
			    "this file; commit them (git -C %s commit -a) or undo them, then sync "
			    "again\n", progname, p, d->root);
			n++;
		}
	}
	git_diff_free(diff);
	git_tree_free(ta);
	git_tree_free(tb);
	return n;
}

/* --- the quarantine: a fetch lands outside the desk --- */

/* A fetch writes its pack into .git/mdesk/incoming, a repository of its
 * own that borrows the desk's objects (objects/info/alternates); under the
 * desk lock the pack moves into the desk, so that no other command (gc
 * --full) ever sees a pack no ref reaches yet. */

/* Syncs of one desk, one at a time (they share the quarantine). */
static int sync_lock(struct desk *d)
{
	char *p = path_join(d->state, "sync.lock");
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0)
		die(EX_CANTCREAT, "%s: %s", p, strerror(errno));
	const char *to = getenv("MDESK_LOCK_TIMEOUT");
	double limit = to && *to ? atof(to) : 30.0;
	for (double waited = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; waited += 0.05) {
		if (errno != EWOULDBLOCK && errno != EINTR)
			die(EX_TEMPFAIL, "%s: %s", p, strerror(errno));
		if (!(waited < limit))
			die(EX_TEMPFAIL, "%s: another sync of this desk is running (waited %.0f s); "
			    "try again later", p, limit > 0 ? limit : 0);
		struct timespec ts = { 0, 50000000L };
		nanosleep(&ts, NULL);
	}
	free(p);
	return fd;
}

/* A new quarantine; borrow: it sees the desk's objects (a fetch then
 * brings only what the desk lacks) and the desk's commits are its own. */
static git_repository *quarantine(struct desk *d, int borrow)
{
	char *qp = path_join(d->state, "incoming");
	git_repository *q;
	rm_rf(qp, 0);
	if (git_repository_init(&q, qp, 1) != 0)
		desk_git_die(write_fail(), qp);
	git_repository_free(q);
	if (borrow) {
		char *alt = path_join(qp, "objects/info/alternates");
		FILE *f = fopen(alt, "w");
		if (!f || fprintf(f, "%sobjects\n", git_repository_path(d->repo)) < 0 ||
		    fclose(f) != 0)
			die(EX_CANTCREAT, "%s: %s", alt, strerror(errno));
		free(alt);
	}
	if (git_repository_open_bare(&q, qp) != 0)
		desk_git_die(EX_TEMPFAIL, qp);
	free(qp);
	git_reference_iterator *it;
	const char *rn;
	int k = 0;
	if (borrow && git_reference_iterator_glob_new(&it, d->repo, "refs/*") == 0) {
		/* what the desk has: the fetch names it to the remote */
		while (git_reference_next_name(&rn, it) == 0) {
			git_oid id;
			git_reference *r;
			char name[64];
			if (git_reference_name_to_id(&id, d->repo, rn) != 0)
				continue;
			snprintf(name, sizeof name, "refs/have/%d", k++);
			if (git_reference_create(&r, q, name, &id, 1, NULL) == 0)
				git_reference_free(r);
		}
		git_reference_iterator_free(it);
	}
	return q;
}

/* The files of dir ending in ext move to todir (kept when there). */
static void move_files(struct desk *d, const char *dir, const char *todir, const char *ext)
{
	DIR *dp = opendir(dir);
	struct dirent *de;
	int any = 0;
	while (dp && (de = readdir(dp))) {
		size_t n = strlen(de->d_name), el = strlen(ext);
		if (de->d_name[0] == '.' || n <= el || strcmp(de->d_name + n - el, ext))
			continue;
		char *from = path_join(dir, de->d_name), *to = path_join(todir, de->d_name);
		struct stat st;
		if (d->fsync) {
			int fd = open(from, O_RDONLY);
			if (fd < 0 || fsync(fd) != 0)
				die(write_fail(), "%s: %s", from, strerror(errno));
			close(fd);
		}
		if (stat(to, &st) != 0) {
			if (mkdir(todir, 0777) != 0 && errno != EEXIST)
				die(EX_CANTCREAT, "%s: %s", todir, strerror(errno));
			if (rename(from, to) != 0)
				die(write_fail(), "%s: %s", to, strerror(errno));
			any = 1;
		}
		free(from);
		free(to);
	}
	if (dp)
		closedir(dp);
	if (any && d->fsync) {
		int fd = open(todir, O_RDONLY | O_DIRECTORY);
		if (fd >= 0) {
			fsync(fd);
			close(fd);
		}
	}
}

/* What the quarantine holds moves into the desk (the lock held). */
static void move_in(struct desk *d)
{
	char *qo = path_join(d->state, "incoming/objects");
	char *mo = desk_git_path(d, "objects");
	char *qp = path_join(qo, "pack"), *mp = path_join(mo, "pack");
	move_files(d, qp, mp, ".pack");	/* a pack is found by its index: last */
	move_files(d, qp, mp, ".idx");
	free(qp);
	free(mp);
	for (int i = 0; i < 256; i++) {
		char sub[4];
		snprintf(sub, sizeof sub, "%02x", i);
		char *from = path_join(qo, sub), *to = path_join(mo, sub);
		move_files(d, from, to, "");
		free(from);
		free(to);
	}
	free(qo);
	free(mo);
	git_odb *odb;
	if (git_repository_odb(&odb, d->repo) == 0) {
		git_odb_refresh(odb);
		git_odb_free(odb);
	}
}

/* The remote's archive [0] and main [1], fetched into q. */
static void fetch_into(git_repository *q, const char *url, const char *name, int quiet,
    git_oid tip[2], int has[2])
{
	git_remote *r;
	if (git_remote_create_anonymous(&r, q, url) != 0)
		desk_git_die(EX_USAGE, url);
	char s0[] = "+refs/heads/archive:refs/in/archive", s1[] = "+refs/heads/main:refs/in/main";
	char *specs[2] = { s0, s1 };
	git_strarray fetchspecs = { specs, 2 };
	struct cred cr = { url, 0, quiet, 0, "" };
	git_fetch_options fo;
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	fo.callbacks.credentials = cred_cb;
	fo.callbacks.certificate_check = cert_cb;
	fo.callbacks.payload = &cr;
	fo.prune = GIT_FETCH_NO_PRUNE;
	fo.update_fetchhead = 0;
	if (git_remote_fetch(r, &fetchspecs, &fo, NULL) != 0) {
		const char *m = git_msg();
		int code = write_fail();
		die(code, "%s: cannot fetch: %s%s", name, m,
		    code == EX_CANTCREAT ? "" : "; nothing changed, try again later");
	}
	git_remote_free(r);
	has[0] = ref_oid(q, "refs/in/archive", &tip[0]);
	has[1] = ref_oid(q, "refs/in/main", &tip[1]);
}

/* The files a fetched branch brings must be a desk's: plain files of the
 * layout.  Otherwise exit EX_DATAERR, naming the path (nothing moved in). */
static void vet(struct desk *d, git_repository *q, const char *name, const char *branch,
    const git_oid *tip)
{
	git_oid l;
	git_tree *old = ref_oid(d->repo, branch, &l) ? commit_tree(q, &l) : NULL;
	struct refusal r;
	int bad = tip_refused(q, old, tip, branch, &r);
	git_tree_free(old);
	if (bad) {
		git_repository_free(q);
		char *qp = path_join(d->state, "incoming");
		rm_rf(qp, 0);
		free(qp);
		die(EX_DATAERR, "%s: %s (on %s's %s); nothing changed: remove it on the remote",
		    r.path, r.why, name, strrchr(branch, '/') + 1);
	}
}

/* The refs only a sync writes (the tracking refs, refs/mdesk/push/):
 * with the sync lock and the desk lock held, a lock file of one is what a
 * sync killed while writing it left. */
static void clear_ref_locks(struct desk *d, char track[2][300])
{
	const char *mine[4] = { track[0], track[1], push_ref[0], push_ref[1] };
	for (int k = 0; k < 4; k++) {
		size_t n = strlen(git_repository_path(d->repo)) + strlen(mine[k]) + 8;
		char *p = xmalloc(n);
		snprintf(p, n, "%s%s.lock", git_repository_path(d->repo), mine[k]);
		unlink(p);
		free(p);
	}
}

/* Fetch into the quarantine, vet, and under the lock (taken here, held
 * on return) move the objects in and the tracking refs track[]. */
static void fetch_locked(struct desk *d, git_remote *rem, const char *name, int quiet,
    char track[2][300])
{
	git_repository *q = quarantine(d, 1);
	git_oid tip[2];
	int has[2];
	fetch_into(q, git_remote_url(rem), name, quiet, tip, has);
	for (int k = 0; k < 2; k++)
		if (has[k])
			vet(d, q, name, branch_ref[k], &tip[k]);
	git_repository_free(q);
	desk_lock(d);
	move_in(d);
	clear_ref_locks(d, track);
	for (int k = 0; k < 2; k++) {
		git_reference *r = NULL;
		if (has[k] && git_reference_create(&r, d->repo, track[k], &tip[k], 1,
		    "mdesk sync: fetch") != 0)
			desk_git_die(write_fail(), track[k]);
		git_reference_free(r);
	}
}

static git_remote *remote_of(struct desk *d, const char *name, int *named)
{
	git_remote *rem;
	*named = 1;
	if (git_remote_lookup(&rem, d->repo, name) != 0) {
		if (!strchr(name, '/') && !strchr(name, ':'))
			die(EX_CONFIG, "no remote '%s'; add one with 'git -C %s remote add %s URL'",
			    name, d->root, name);
		if (git_remote_create_anonymous(&rem, d->repo, name) != 0)
			desk_git_die(EX_USAGE, name);
		*named = 0;
	}
	tls_setup(git_remote_url(rem));
	return rem;
}

/* --- no ticket lost between the branches --- */

/* The ticket folders (tickets/SH/ID) of the files gone from a in b. */
static int gone_cb(const char *p, const git_tree_entry *ea, const git_tree_entry *eb,
    void *payload)
{
	struct sset *g = payload;
	if (!ea || eb || strncmp(p, "tickets/", 8) || strlen(p) < 12)
		return 0;
	const char *sl = strchr(p + 11, '/');
	char dir[40];
	if (sl && sl - p < 40) {
		snprintf(dir, sizeof dir, "%.*s", (int)(sl - p), p);
		sset_add(g, dir);
	}
	return 0;
}


/* The files and events of the copies of ticket folder p in the trees src
 * joined: 0 and *out, or -1 when they cannot be. */
static int join_copies(struct desk *d, git_tree *const src[4], const char *p, git_oid *out)
{
	int have = 0;
	for (int k = 0; k < 4; k++) {
		git_oid id;
		if (!folder_id(src[k], p, &id))
			continue;
		if (!have)
			*out = id;
		else if (join_two(d->repo, p, out, &id, out) != 0)
			return -1;
		have = 1;
	}
	return have ? 0 : -1;
}

/* Tickets that a side had on a branch (src: the local archive and main,
 * the remote's archive and main) and that neither merged branch (fm, fa)
 * holds, moved between the branches on two replicas at once: back on
 * main (commit mc) with the files and events of every copy, in *out.
 * The number brought back. */
static int rescue(struct desk *d, git_tree *const src[4], git_tree *fm, git_tree *fa,
    const git_oid *mc, git_oid *out)
{
	struct sset g = { 0 };
	for (int k = 0; k < 4; k++)
		if (src[k])
			tree_changes(d->repo, src[k], k % 2 ? fm : fa, "", 0, gone_cb, &g);
	git_tree_update *up = xcalloc(g.t.n + 1, sizeof *up);
	size_t n = 0;
	for (size_t i = 0; i < g.t.cap; i++) {
		git_oid id;
		const char *p = g.t.k[i];
		if (!p || folder_id(fm, p, &id) || folder_id(fa, p, &id) ||
		    join_copies(d, src, p, &id) != 0)
			continue;
		upsert(&up[n++], p, &id);
	}
	*out = *mc;
	if (n) {
		char msg[160];
		snprintf(msg, sizeof msg, "sync: %zu ticket%s moved off both branches at once "
		    "back on main\n", n, n == 1 ? "" : "s");
		new_commit(d, mc, 1, fm, up, n, msg, "joining the branches", out);
	}
	free(up);
	sset_free(&g);
	return (int)n;
}

/* The archive (commit ac) without the ticket folders of gone that main
 * (commit mc) holds: a new commit in *out, else ac. */
static void take_off(struct desk *d, const git_oid *mc, const git_oid *ac,
    const struct sset *gone, git_oid *out)
{
	*out = *ac;
	if (!gone->t.n)
		return;
	git_tree *tm = commit_tree(d->repo, mc), *ta = commit_tree(d->repo, ac);
	git_tree_update *up = xcalloc(gone->t.n + 1, sizeof *up);
	size_t n = 0;
	for (size_t i = 0; tm && ta && i < gone->t.cap; i++) {
		git_oid x;
		const char *p = gone->t.k[i];
		if (!p || !folder_id(tm, p, &x) || !folder_id(ta, p, &x))
			continue;
		up[n].action = GIT_TREE_UPDATE_REMOVE;
		up[n++].path = p;
	}
	if (n)
		new_commit(d, ac, 1, ta, up, n, "sync: a follow-up filed on both replicas folded "
		    "into one ticket, back on main\n", "joining the branches", out);
	free(up);
	git_tree_free(tm);
	git_tree_free(ta);
}

/* Move the branches to what the merges (step[k] > 0: to[k]) make, with
 * the tickets neither branch holds any more brought back (rescue) and
 * those on both joined on main: archive first, then main, then the
 * archive's tickets that went back to main leave it, so that a ticket is
 * always on a branch.  -1 when a branch moved meanwhile, 1 when a file
 * to change holds changes not committed. */
static int move_branches(struct desk *d, const git_oid from[2], const int has_from[2],
    const int step[2], const git_oid to[2], char track[2][300], const struct sset *gone,
    int *did)
{
	git_oid fin[2], j[2];
	int hasfin[2], nj = 0;
	git_tree *src[4] = { NULL, NULL, NULL, NULL };
	for (int k = 0; k < 2; k++) {
		git_oid r;
		hasfin[k] = step[k] > 0 || has_from[k];
		fin[k] = step[k] > 0 ? to[k] : from[k];
		if (has_from[k])
			src[k] = commit_tree(d->repo, &from[k]);
		if (ref_oid(d->repo, track[k], &r))
			src[2 + k] = commit_tree(d->repo, &r);
	}
	if (hasfin[1]) {
		git_tree *fm = commit_tree(d->repo, &fin[1]);
		git_tree *fa = hasfin[0] ? commit_tree(d->repo, &fin[0]) : NULL;
		if (fm)
			rescue(d, src, fm, fa, &fin[1], &fin[1]);
		git_tree_free(fm);
		git_tree_free(fa);
	}
	for (int k = 0; k < 4; k++)
		git_tree_free(src[k]);
	git_oid fa = fin[0];	/* the archive without what the fold of main took */
	if (hasfin[0] && hasfin[1])
		take_off(d, &fin[1], &fin[0], gone, &fa);
	if (hasfin[0] && hasfin[1])
		nj = join_branches(d, &fin[1], &fa, &j[1], &j[0]);
	if (nj <= 0) {
		j[0] = fa;
		j[1] = fin[1];
	}
	int main_moves = hasfin[1] && (!has_from[1] || !git_oid_equal(&from[1], &j[1]));
	if (main_moves && has_from[1] && dirty_paths(d, &from[1], &j[1]))
		return 1;
	if (step[0] > 0) {
		if (desk_move_branch(d, branch_ref[0], has_from[0] ? &from[0] : NULL, &fin[0],
		    "mdesk sync") != 0)
			return -1;
		*did = 1;
	}
	if (main_moves) {
		if (desk_move_branch(d, branch_ref[1], has_from[1] ? &from[1] : NULL, &j[1],
		    "mdesk sync") != 0)
			return -1;
		*did = 1;
	}
	if (hasfin[0] && !git_oid_equal(&j[0], &fin[0])) {
		if (desk_move_branch(d, branch_ref[0], &fin[0], &j[0], "mdesk sync") != 0)
			return -1;
		*did = 1;
	}
	return 0;
}

/* What to push, taken with the lock held so that main and archive go as
 * one state of the desk (never an archive's first half without its
 * second): refs/mdesk/push/NAME; ahead[k] when the remote lacks it. */
static void push_snapshot(struct desk *d, char track[2][300], int ahead[2])
{
	for (int k = 0; k < 2; k++) {
		git_oid l, r;
		git_reference *ref = NULL;
		ahead[k] = ref_oid(d->repo, branch_ref[k], &l) &&
		    (!ref_oid(d->repo, track[k], &r) || !git_oid_equal(&l, &r));
		if (ahead[k] && git_reference_create(&ref, d->repo, push_ref[k], &l, 1, NULL) != 0)
			desk_git_die(write_fail(), push_ref[k]);
		git_reference_free(ref);
	}
}

static int push_branches(git_remote *rem, struct desk *d, const int ahead[2], int quiet,
    struct cred *ps)
{
	char pspec[2][80];
	char *pv[2];
	size_t np = 0;
	for (int k = 0; k < 2; k++) {
		git_oid x;
		if (ahead[k] && ref_oid(d->repo, push_ref[k], &x)) {
			snprintf(pspec[np], sizeof pspec[np], "%s:%s", push_ref[k], branch_ref[k]);
			pv[np] = pspec[np];
			np++;
		}
	}
	git_strarray pushspecs = { pv, np };
	git_push_options po;
	git_push_options_init(&po, GIT_PUSH_OPTIONS_VERSION);
	po.callbacks.credentials = cred_cb;
	po.callbacks.certificate_check = cert_cb;
	po.callbacks.push_update_reference = push_ref_cb;
	*ps = (struct cred){ git_remote_url(rem), 0, quiet, 0, "" };
	po.callbacks.payload = ps;
	return git_remote_push(rem, &pushspecs, &po) != 0 || ps->rejected ? -1 : 0;
}

/* The path of a remote that is one (or file://), else NULL. */
static const char *local_path(const char *url)
{
	if (url && !strncmp(url, "file://", 7))
		return url + 7;
	return url && *url == '/' ? url : NULL;
}

/* A remote that is a path (or file://) is written by the pushing process
 * itself: a sync killed in its push leaves the remote's ref locked for
 * every replica.  A push holds the lock for milliseconds: one older than
 * ten seconds is such a leftover, and goes. */
static void clear_remote_locks(const char *url)
{
	if (!(url = local_path(url)))
		return;
	static const char *const refs[] = { "refs/heads/main.lock", "refs/heads/archive.lock",
		".git/refs/heads/main.lock", ".git/refs/heads/archive.lock" };
	for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++) {
		char *p = path_join(url, refs[i]);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode) && time(NULL) - st.st_mtime > 10)
			unlink(p);
		free(p);
	}
}

int sync_desk(struct desk *d, const char *name, int auto_mode)
{
	int named;
	if (!name)
		name = "origin";
	git_remote *rem = remote_of(d, name, &named);
	char track[2][300];
	for (int k = 0; k < 2; k++)
		snprintf(track[k], sizeof track[k], named ? "refs/remotes/%s/%s" :
		    "refs/mdesk/sync/%.0s%s", name, k ? "main" : "archive");
	int slock = sync_lock(d), did = 0, rc = 0;
	for (int attempt = 0;; attempt++) {
		fetch_locked(d, rem, name, auto_mode, track);
		git_oid from[2], to[2];
		int has_from[2], ahead[2], step[2], conflicts = 0;
		struct arch ar;
		for (int k = 0; k < 2; k++) {
			if (k)	/* main's merge reads what the archive's made */
				arch_open(d, track[0], step[0], &to[0], &from[0], has_from[0], &ar);
			step[k] = merge_branch(d, branch_ref[k], track[k], name, &ahead[k], &from[k],
			    &has_from[k], &to[k], k ? &ar : NULL);
			if (step[k] < 0)
				conflicts = 1;
		}
		int mv = conflicts ? 1 : move_branches(d, from, has_from, step, to, track, &ar.gone,
		    &did);
		arch_close(&ar);
		if (!mv)
			push_snapshot(d, track, ahead);
		desk_unlock(d);
		if (conflicts)
			fprintf(stderr, "%s: nothing changed; make the files agree on both sides "
			    "(or merge by hand: git merge %s%s), then sync again\n", progname,
			    named ? name : "", named ? "/main" : "FETCHED");
		if (mv > 0) {
			rc = 1;
			break;
		}
		if (mv < 0) {
			if (attempt >= 10)
				die(EX_TEMPFAIL, "%s: the desk keeps moving; try again later", d->root);
			continue;
		}
		if (!ahead[0] && !ahead[1]) {
			if (!auto_mode || did)
				printf("%s: %s\n", name, did ? "merged, up to date" : "up to date");
			break;
		}
		struct cred ps;
		clear_remote_locks(git_remote_url(rem));
		/* libgit2 moves a path remote's branches without comparing them
		 * to what it saw: a bare desk there is locked while the push
		 * looks and writes, so that no delivery there goes in between */
		const char *lp = local_path(git_remote_url(rem));
		int rlock = lp ? desk_lock_bare(lp) : -1;
		int pushed = push_branches(rem, d, ahead, auto_mode, &ps);
		if (rlock >= 0)
			close(rlock);
		if (pushed != 0) {
			if (attempt >= 10)
				die(EX_TEMPFAIL, "%s: cannot push: %s; the local desk holds the "
				    "merge, sync again later", name, ps.rejected ? ps.why : git_msg());
			/* the remote moved since the fetch (or refused): again */
			struct timespec ts = { 0, 20000000L * (attempt + 1) };
			nanosleep(&ts, NULL);
			continue;
		}
		printf("%s: %spushed\n", name, did ? "merged, " : "");
		break;
	}
	git_remote_free(rem);
	close(slock);
	return rc;
}

int sync_repair(struct desk *d, const char *name)
{
	int named;
	if (!name)
		name = "origin";
	git_remote *rem = remote_of(d, name, &named);
	int slock = sync_lock(d);
	/* a quarantine of its own: the desk's commits may lack what they reach */
	git_repository *q = quarantine(d, 0);
	git_oid tip[2];
	int has[2];
	fetch_into(q, git_remote_url(rem), name, 0, tip, has);
	git_repository_free(q);
	desk_lock(d);
	move_in(d);
	git_oid mc, ac, nm, na;
	int joined = 0;
	if (ref_oid(d->repo, DESK_BRANCH, &mc) && ref_oid(d->repo, DESK_ARCHIVE, &ac))
		joined = join_branches(d, &mc, &ac, &nm, &na);
	if (joined > 0 && (git_oid_equal(&nm, &mc) ||
	    desk_move_branch(d, DESK_BRANCH, &mc, &nm, "mdesk check --repair") == 0))
		desk_move_branch(d, DESK_ARCHIVE, &ac, &na, "mdesk check --repair");
	desk_unlock(d);
	char *qp = path_join(d->state, "incoming");
	rm_rf(qp, 0);
	free(qp);
	git_remote_free(rem);
	close(slock);
	return joined > 0 ? joined : 0;
}

/* A clone whose branch brings what no desk holds is undone: exit
 * EX_DATAERR naming the path, dir as it was (empty or absent). */
static void clone_vet(git_repository *repo, const char *url, const char *dir, int existed,
    const char *branch, const git_oid *tip)
{
	struct refusal r;
	if (!tip_refused(repo, NULL, tip, branch, &r))
		return;
	git_repository_free(repo);
	rm_rf(dir, existed);
	die(EX_DATAERR, "%s: %s (on %s's %s); nothing cloned", r.path, r.why, url, branch);
}

void sync_clone(const char *url, const char *dir, int bare)
{
	struct stat st;
	int existed = stat(dir, &st) == 0;
	if (existed) {
		DIR *dp = S_ISDIR(st.st_mode) ? opendir(dir) : NULL;
		struct dirent *de;
		int empty = dp != NULL;
		while (dp && (de = readdir(dp)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				empty = 0;
		if (dp)
			closedir(dp);
		if (!empty)
			die(EX_CANTCREAT, "%s: exists and is not an empty directory", dir);
	}
	desk_git_init();
	tls_setup(url);
	struct cred cr = { url, 0, 0, 0, "" };
	git_clone_options o;
	git_clone_options_init(&o, GIT_CLONE_OPTIONS_VERSION);
	o.fetch_opts.callbacks.credentials = cred_cb;
	o.fetch_opts.callbacks.certificate_check = cert_cb;
	o.fetch_opts.callbacks.payload = &cr;
	/* the remote's HEAD may name another branch (a bare repository made
	 * by git init says master): main is checked out below */
	o.checkout_opts.checkout_strategy = GIT_CHECKOUT_NONE;
	o.bare = bare;
	git_repository *repo;
	if (git_clone(&repo, url, dir, &o) != 0)
		die(write_fail(), "%s: cannot clone: %s", url, git_msg());
	git_oid a, mn;
	if (!ref_oid(repo, "refs/remotes/origin/main", &mn))
		die(EX_DATAERR, "%s: not a desk (no branch main); make one with 'mdesk init', "
		    "add this remote and 'mdesk sync'", url);
	clone_vet(repo, url, dir, existed, "main", &mn);
	if (ref_oid(repo, "refs/remotes/origin/archive", &a))
		clone_vet(repo, url, dir, existed, "archive", &a);
	git_reference *br;
	git_checkout_options co;
	git_checkout_options_init(&co, GIT_CHECKOUT_OPTIONS_VERSION);
	co.checkout_strategy = GIT_CHECKOUT_FORCE;
	git_tree *mt = commit_tree(repo, &mn);
	git_tree_entry *ce = NULL;
	int isdesk = mt && git_tree_entry_bypath(&ce, mt, "desk.conf") == 0 &&
	    git_tree_entry_type(ce) == GIT_OBJECT_BLOB;
	git_tree_entry_free(ce);
	git_tree_free(mt);
	if (!isdesk) {
		git_repository_free(repo);
		rm_rf(dir, existed);
		die(EX_DATAERR, "%s: not a desk (no desk.conf on main); nothing cloned", url);
	}
	if (git_reference_create(&br, repo, DESK_BRANCH, &mn, 1, "mdesk clone") != 0 ||
	    git_branch_set_upstream(br, "origin/main") != 0 ||
	    git_repository_set_head(repo, DESK_BRANCH) != 0 ||
	    (!bare && git_checkout_head(repo, &co) != 0))
		desk_git_die(write_fail(), dir);
	git_reference_free(br);
	if (ref_oid(repo, "refs/remotes/origin/archive", &a)) {
		git_reference *r;
		if (git_reference_create(&r, repo, DESK_ARCHIVE, &a, 0, "mdesk clone") != 0)
			desk_git_die(EX_CANTCREAT, "archive");
		git_reference_free(r);
	}
	git_repository_free(repo);
}

/* --- collisions: the loser is told --- */

void sync_notice(struct desk *d, const struct ticket *t, const char *login)
{
	if (!login || !t->collisions || !json_array_size(t->collisions))
		return;
	size_t i;
	json_t *c;
	char *path = path_join(d->state, "told");
	FILE *f = fopen(path, "r");
	struct buf told = { 0 };
	char tmp[4096];
	size_t n;
	while (f && (n = fread(tmp, 1, sizeof tmp, f)) > 0 && told.len < (1u << 24))
		buf_add(&told, tmp, n);
	if (f)
		fclose(f);
	json_array_foreach(t->collisions, i, c) {
		const char *loser = json_string_value(json_object_get(c, "loser"));
		const char *ev = json_string_value(json_object_get(c, "event"));
		const char *type = json_string_value(json_object_get(c, "type"));
		const char *winner = json_string_value(json_object_get(c, "winner"));
		const char *at = json_string_value(json_object_get(c, "at"));
		if (!loser || !ev || !type || !winner || strcmp(loser, login))
			continue;
		char key[128];
		snprintf(key, sizeof key, "%.16s %.60s\n", t->id, ev);
		if (told.len && mem_find(told.p, told.len, key, strlen(key)))
			continue;
		if (!strcmp(type, "claim"))
			warnx_("%s: your claim of %s collided with %s's earlier claim on another "
			    "replica; %s has the ticket (see mdesk show %s)", t->id, at ? at : "?",
			    winner, winner, t->id);
		else if (!strcmp(type, "status"))
			warnx_("%s: your status change of %s came during %s's claim on another "
			    "replica and does not count; %s has the ticket (see mdesk show %s; "
			    "status --force sets it over the claim)", t->id, at ? at : "?", winner,
			    winner, t->id);
		else
			warnx_("%s: your reply of %s answered a message %s had already answered "
			    "on another replica (see mdesk show %s)", t->id, at ? at : "?", winner, t->id);
		FILE *w = fopen(path, "a");
		if (w) {
			fputs(key, w);
			fclose(w);
		}
	}
	buf_free(&told);
	free(path);
}
