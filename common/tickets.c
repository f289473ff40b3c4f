/* tickets.c: tickets of a desk (see tickets.h). */
#include "tickets.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "ticketid.h"

void ticket_events_path(const char *id, char out[64])
{
	char dir[40];
	desk_ticket_dir(id, dir);
	snprintf(out, 64, "%s/events.jsonl", dir);
}

/* ev as one line at the end of the file path in tx. */
static void append_event(struct desk_tx *tx, const char *path, json_t *ev)
{
	char *line = event_line(ev);
	desk_tx_append(tx, path, line, strlen(line));
	free(line);
}

void ticket_append_events(struct desk_tx *tx, const char *id, json_t **ev, size_t n)
{
	char p[64];
	ticket_events_path(id, p);
	for (size_t i = 0; i < n; i++) {
		append_event(tx, p, ev[i]);
		json_decref(ev[i]);
	}
}

/* The commits of main and the archive into ids (zero: none). */
static git_oid *branch_ids(struct desk *d, git_oid ids[2])
{
	memset(ids, 0, 2 * sizeof *ids);
	desk_branch_id(d, DESK_BRANCH, &ids[0]);
	desk_branch_id(d, DESK_ARCHIVE, &ids[1]);
	return ids;
}

int ticket_load(struct desk *d, const char *id, struct ticket *t, int *archived,
    int from_head)
{
	size_t len;
	char p[64], *text = NULL;
	int arch = 0;
	ticket_events_path(id, p);
	/* main, then the archive.  A sync that takes a ticket back from the
	 * archive puts it on main, then off the archive: a reader that looks
	 * at main before and at the archive after misses it in both, so a
	 * miss looks again until the branches hold still */
	git_oid was[2], now[2];
	for (int tries = 0; !text && tries < 4; tries++) {
		if (tries)
			branch_ids(d, was);
		text = from_head ? desk_read_head(d, p, &len, 0) : desk_read_file(d, p, &len);
		arch = !text;
		if (!text)
			text = desk_read_head(d, p, &len, 1);
		if (!text && tries && !memcmp(was, branch_ids(d, now), sizeof now))
			break;
	}
	if (!text)
		return -1;
	ticket_fold(t, id, text, len, 0);
	free(text);
	if (archived)
		*archived = arch;
	return 0;
}

void ticket_follow_merges(struct desk *d, char id[16], ticket_loader load, void *ctx)
{
	for (int hops = 0; hops < 16; hops++) {
		struct ticket t;
		if (load ? load(ctx, id, &t) != 0 : ticket_load(d, id, &t, NULL, 1) != 0)
			return;
		int more = t.merged_into && ticketid_valid(t.merged_into);
		if (more)
			snprintf(id, 16, "%s", t.merged_into);
		ticket_free(&t);
		if (!more)
			return;
	}
}

int ticket_merge_stage(struct desk *d, struct desk_tx *tx, const struct ticket *from, int af,
    const char *into, int next, json_t *merged, json_t *note)
{
	size_t nf;
	char **ff = ticket_files(d, from->id, &nf, af);
	char dinto[40];
	desk_ticket_dir(into, dinto);
	/* the messages move, renumbered after INTO's */
	json_t *renames = json_object();
	for (size_t i = 0; i < nf; i++) {
		size_t len;
		char *raw = ticket_read(d, from->id, ff[i], &len, af);
		if (!raw)
			continue;
		char nn[32], path[128];
		snprintf(nn, sizeof nn, "%04d.eml", ++next);
		snprintf(path, sizeof path, "%s/%s", dinto, nn);
		desk_tx_write(tx, path, raw, len);
		json_object_set_new(renames, ff[i], json_string(nn));
		free(raw);
	}
	desk_list_free(ff, nf);
	/* the events move too, marked, with their files renamed */
	char ep[64], fp[64];
	ticket_events_path(into, ep);
	ticket_events_path(from->id, fp);
	size_t i;
	json_t *ev;
	json_array_foreach(from->events, i, ev) {
		json_t *c = json_deep_copy(ev);
		json_object_set_new(c, "merged_from", json_string(from->id));
		const char *f = json_string_value(json_object_get(c, "file"));
		if (f && json_object_get(renames, f))
			json_object_set(c, "file", json_object_get(renames, f));
		append_event(tx, ep, c);
		json_decref(c);
	}
	json_decref(renames);
	json_object_set_new(merged, "into", json_string(into));
	append_event(tx, fp, merged);
	char text[128];
	snprintf(text, sizeof text, "merged %s into this ticket", from->id);
	json_object_set_new(note, "text", json_string(text));
	json_object_set_new(note, "merged", json_string(from->id));
	append_event(tx, ep, note);
	return next;
}

/* Is ticket id on branch?  Its tree into *sub when sub is set (NULL when
 * it is not a tree). */
static int ticket_tree(struct desk *d, const char *branch, const char *id, git_tree **sub)
{
	char key[GIT_OID_HEXSZ + 1], dir[40];
	git_tree *t;
	git_tree_entry *e;
	tickets_tree(d, branch, key, &t);
	desk_ticket_dir(id, dir);
	if (sub)
		*sub = NULL;
	int found = t && git_tree_entry_bypath(&e, t, dir + strlen("tickets/")) == 0;
	if (found) {
		if (sub && git_tree_lookup(sub, d->repo, git_tree_entry_id(e)) != 0)
			*sub = NULL;
		git_tree_entry_free(e);
	}
	git_tree_free(t);
	return found;
}

void ticket_restore(struct desk *d, struct desk_tx *tx, const char *id)
{
	char dir[40];
	desk_ticket_dir(id, dir);
	git_tree *sub;
	if (!ticket_tree(d, DESK_ARCHIVE, id, &sub) || !sub)
		return;
	for (size_t i = 0; i < git_tree_entrycount(sub); i++) {
		const git_tree_entry *f = git_tree_entry_byindex(sub, i);
		git_blob *b;
		if (git_blob_lookup(&b, d->repo, git_tree_entry_id(f)) != 0)
			continue;
		char path[128];
		snprintf(path, sizeof path, "%s/%s", dir, git_tree_entry_name(f));
		desk_tx_write(tx, path, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
		git_blob_free(b);
	}
	git_tree_free(sub);
}

/* nm onto v (*n of them) when it names a message file. */
static void add_eml(char ***v, size_t *n, const char *nm)
{
	size_t l = strlen(nm);
	if (l > 4 && !strcmp(nm + l - 4, ".eml") && nm[0] != '.') {
		*v = xrealloc(*v, (*n + 1) * sizeof **v);
		(*v)[(*n)++] = xstrdup(nm);
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **ticket_files(struct desk *d, const char *id, size_t *n, int archived)
{
	char dir[40];
	desk_ticket_dir(id, dir);
	char **v = NULL;
	*n = 0;
	if (!archived) {
		size_t k;
		char **all = desk_list(d, dir, &k);
		for (size_t i = 0; i < k; i++)
			add_eml(&v, n, all[i]);
		desk_list_free(all, k);
	} else {
		git_tree *sub;
		ticket_tree(d, DESK_ARCHIVE, id, &sub);
		for (size_t i = 0; sub && i < git_tree_entrycount(sub); i++)
			add_eml(&v, n, git_tree_entry_name(git_tree_entry_byindex(sub, i)));
		git_tree_free(sub);
	}
	if (*n > 1)
		qsort(v, *n, sizeof *v, cmp_names);
	return v;
}

int ticket_next_number(struct desk *d, const char *id, int archived)
{
	size_t n;
	char **v = ticket_files(d, id, &n, archived);
	int next = 0;
	for (size_t i = 0; i < n; i++)
		if (atoi(v[i]) > next)
			next = atoi(v[i]);
	desk_list_free(v, n);
	return next + 1;
}

char *ticket_read(struct desk *d, const char *id, const char *name, size_t *len,
    int archived)
{
	char dir[40], path[128];
	desk_ticket_dir(id, dir);
	if (strchr(name, '/') || strstr(name, ".."))
		return NULL;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return archived ? desk_read_head(d, path, len, 1) : desk_read_file(d, path, len);
}

char **tickets_to_archive(struct desk *d, long long age, size_t *n)
{
	size_t k;
	const struct tsum *v = tickets_states(d, &k);
	char **ids = NULL;
	*n = 0;
	for (size_t i = 0; i < k; i++)
		if (!status_active(v[i].status) && v[i].updated + age <= d->now) {
			ids = xrealloc(ids, (*n + 1) * sizeof *ids);
			ids[(*n)++] = xstrdup(v[i].id);
		}
	return ids;
}

void tickets_upkeep(struct desk *d)
{
	if (!d->upkeep_due)
		return;
	d->upkeep_due = 0;
	const char *v = conf_get(&d->conf, "", "", "archive_after");
	long long age = 30 * 86400;
	if ((v && conf_duration(v, &age) != 0) || age <= 0)
		return;
	size_t n;
	char **ids = tickets_to_archive(d, age, &n);
	char name[64], email[300];
	desk_system_author(name, sizeof name, email, sizeof email);
	if (desk_archive(d, ids, n, name, email) > 0)
		tickets_summary_refresh(d);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* --- the summary of every ticket (derived, under .git/mdesk/) --- */

#define SUM_MAGIC "mdesk-tickets 7 "	/* a new number when what a line holds changes */
#define SUM_FIELDS 10
#define STATES_MAGIC "mdesk-states 2 "
#define STATES_FIELDS 8

struct sumfile {
	const char *branch, *name;
	int light;			/* the states: no JSON, no timeline */
	int loaded;
	char key[GIT_OID_HEXSZ + 1];	/* the branch's tickets/ tree, or "-" */
	struct tsum *v;
	size_t n, cap;
	char *text;			/* the file as read: entries point into it */
	size_t tlen;			/* its length (big_alloc'd: tlen + 1) */
	int dirty;			/* ahead of the file: tickets_summary_save writes it */
	struct arena a;			/* strings of tickets folded here */
};

static struct sumfile sum_main = { .branch = DESK_BRANCH, .name = "tickets-main" };
static struct sumfile sum_arch = { .branch = DESK_ARCHIVE, .name = "tickets-archive" };
/* main's tickets as filing sees them: the fields of struct tsum up to the
 * subject, a tenth of the summary's size (a delivery reads and writes
 * this one, and leaves the summary to its readers) */
static struct sumfile sum_states = { .branch = DESK_BRANCH, .name = "states-main", .light = 1 };
static struct tsum *sum_all;

int status_load(const char *s)
{
	return s && (!strcmp(s, "new") || !strcmp(s, "open"));
}

static void sum_reset(struct sumfile *s)
{
	big_free(s->v, s->cap * sizeof *s->v);
	if (s->text)
		big_free(s->text, s->tlen + 1);
	arena_free(&s->a);
	s->v = NULL;
	s->text = NULL;
	s->tlen = 0;
	s->n = s->cap = 0;
	s->loaded = 0;
	s->dirty = 0;
	s->key[0] = 0;
}

void tickets_summary_free(void)
{
	sum_reset(&sum_main);
	sum_reset(&sum_arch);
	sum_reset(&sum_states);
	free(sum_all);
	sum_all = NULL;
}

/* The oid of the tickets/ tree of a root tree into key ("-": none). */
static void root_tickets_key(git_tree *root, char key[GIT_OID_HEXSZ + 1])
{
	const git_tree_entry *e = root ? git_tree_entry_byname(root, "tickets") : NULL;
	if (e && git_tree_entry_type(e) == GIT_OBJECT_TREE)
		git_oid_tostr(key, GIT_OID_HEXSZ + 1, git_tree_entry_id(e));
	else
		strcpy(key, "-");
}

void tickets_tree(struct desk *d, const char *branch, char key[GIT_OID_HEXSZ + 1],
    git_tree **out)
{
	strcpy(key, "-");
	if (out)
		*out = NULL;
	git_tree *root = desk_branch_tree(d, branch, NULL);
	if (!root)
		return;
	root_tickets_key(root, key);
	if (out && strcmp(key, "-") && git_tree_lookup(out, d->repo,
	    git_tree_entry_id(git_tree_entry_byname(root, "tickets"))) != 0)
		desk_git_die(EX_TEMPFAIL, "tickets");
	git_tree_free(root);
}

/* Room for cap entries (big_alloc'd: sum_reset frees with the size). */
static void sum_room(struct sumfile *s, size_t cap)
{
	if (cap <= s->cap)
		return;
	struct tsum *v = big_alloc(cap * sizeof *v);
	if (s->n)
		memcpy(v, s->v, s->n * sizeof *v);
	big_free(s->v, s->cap * sizeof *s->v);
	s->v = v;
	s->cap = cap;
}

static struct tsum *sum_new(struct sumfile *s)
{
	if (s->n == s->cap)
		sum_room(s, s->cap ? s->cap * 2 : 1024);
	struct tsum *e = &s->v[s->n++];
	memset(e, 0, sizeof *e);
	return e;
}

/* A field of the file: no tab, no newline. */
static char *sum_field(struct arena *a, const char *v)
{
	char *p = arena_strndup(a, v, strlen(v));
	for (char *q = p; *q; q++)
		if (*q == '\t' || *q == '\n' || *q == '\r')
			*q = ' ';
	return p;
}

/* Fold the events blob of ticket id into a new entry; 0.  What cannot be
 * read or folded exits, or when soft returns -1 (no entry). */
static int sum_fold(struct desk *d, struct sumfile *s, const char *id, const git_oid *blob,
    int soft)
{
	struct ticket t;
	git_blob *b;
	char path[64];
	ticket_events_path(id, path);
	if (git_blob_lookup(&b, d->repo, blob) != 0) {
		if (soft)
			return -1;
		desk_git_die(EX_TEMPFAIL, path);
	}
	int bad = ticket_fold(&t, id, git_blob_rawcontent(b), (size_t)git_blob_rawsize(b), 0);
	git_blob_free(b);
	struct tsum *e = sum_new(s);
	snprintf(e->id, sizeof e->id, "%s", id);
	e->status = sum_field(&s->a, t.status);
	e->assignee = t.assignee ? sum_field(&s->a, t.assignee) : NULL;
	e->created = t.created;
	e->updated = t.updated;
	e->assigned_at = t.assigned_at;
	e->customer = t.customer ? sum_field(&s->a, t.customer) : NULL;
	e->subject = t.subject ? sum_field(&s->a, t.subject) : NULL;
	if (!s->light) {
		json_t *tj = ticket_json(&t);
		char *js = json_dumps(tj, JSON_COMPACT | JSON_PRESERVE_ORDER);
		json_decref(tj);
		if (!js)
			die(EX_SOFTWARE, "%s: cannot encode the ticket", id);
		e->json = arena_strndup(&s->a, js, strlen(js));
		free(js);
	}
	if (!bad && !s->light) {
		/* a file with lines that are not events has none: its reader
		 * folds the file and tells them */
		struct buf tl = { 0 };
		ticket_timeline_text(&t, &tl);
		e->timeline = arena_strndup(&s->a, tl.p ? tl.p : "", tl.len);
		e->tlen = tl.len;
		buf_free(&tl);
	}
	ticket_free(&t);
	return 0;
}

/* Every ticket of a tickets/ tree: fn(ctx, id, blob of SH/ID/events.jsonl). */
typedef void (*ticket_fn)(void *ctx, const char *id, const git_oid *blob);
struct tree_ctx {
	ticket_fn fn;
	void *ctx;
};

static int tree_walk_cb(const char *root, const git_tree_entry *e, void *payload)
{
	struct tree_ctx *w = payload;
	if (git_tree_entry_type(e) == GIT_OBJECT_TREE)
		return strlen(root) > 3 ? 1 : 0;	/* not below SH/ID/ */
	char id[16];
	size_t rl = strlen(root);
	if (strcmp(git_tree_entry_name(e), "events.jsonl") || rl < 4 || rl - 4 > 12)
		return 0;
	snprintf(id, sizeof id, "%.*s", (int)(rl - 4), root + 3);
	if (ticketid_valid(id) && !strncmp(root, id, 2))
		w->fn(w->ctx, id, git_tree_entry_id(e));
	return 0;
}

static void tree_tickets(git_tree *t, ticket_fn fn, void *ctx)
{
	struct tree_ctx w = { fn, ctx };
	if (t)
		git_tree_walk(t, GIT_TREEWALK_PRE, tree_walk_cb, &w);
}

static void sum_walk(void *ctx, const char *id, const git_oid *blob)
{
	void **p = ctx;
	sum_fold(p[0], p[1], id, blob, 0);
}

/* The trailer of a derived file: "end COUNT HASH\n", COUNT the lines
 * between the first and the trailer, HASH the hash64_wide of every line
 * before it, chained line by line (h = 0, then h = hash64_wide(line, len,
 * h)).  Where the trailer begins in text (len bytes, the last line the
 * trailer) when it holds, *count set; NULL otherwise. */
static const char *sum_trailer(const char *text, size_t len, size_t *count)
{
	const char *end = text + len, *t = end - 1;
	if (len < 2 || end[-1] != '\n')
		return NULL;
	while (t > text && t[-1] != '\n')
		t--;
	/* "end COUNT HASH\n": COUNT in decimal, HASH 16 lowercase hex digits */
	const char *q = t + 4;
	size_t n = 0, lines = 0;
	if (end - t < 23 || memcmp(t, "end ", 4) != 0 || end - 18 <= q || end[-18] != ' ')
		return NULL;
	for (; q < end - 18; q++) {
		if (*q < '0' || *q > '9' || n > SIZE_MAX / 10 - 1)
			return NULL;
		n = n * 10 + (size_t)(*q - '0');
	}
	uint64_t sum = 0;
	for (q++; q < end - 1; q++) {
		int v = *q >= '0' && *q <= '9' ? *q - '0' : *q >= 'a' && *q <= 'f' ? *q - 'a' + 10 : -1;
		if (v < 0)
			return NULL;
		sum = sum << 4 | (unsigned)v;
	}
	uint64_t h = 0;
	for (const char *p = text; p < t; lines++) {
		const char *nl = memchr(p, '\n', (size_t)(t - p));
		h = hash64_wide(p, (size_t)(nl - p) + 1, h);
		p = nl + 1;
	}
	*count = n;
	return h == sum && lines == n + 1 ? t : NULL;
}

/* A number of sum_write's (lltoa_); digits past 18 are not read. */
static long long sum_num(const char *s)
{
	int neg = *s == '-';
	long long v = 0;
	for (s += neg; *s >= '0' && *s <= '9' && v < 100000000000000000LL; s++)
		v = v * 10 + (*s - '0');
	return neg ? -v : v;
}

/* One line of the file (NUL-terminated at end, no newline) into a new
 * entry of s; 0, or -1 when it is not one sum_write writes. */
static int sum_line(struct sumfile *s, char *line, const char *end)
{
	char *f[SUM_FIELDS];
	int nf = s->light ? STATES_FIELDS : SUM_FIELDS;
	f[0] = line;
	for (int i = 1; i < nf; i++) {
		char *t = strchr(f[i - 1], '\t');
		if (!t)
			return -1;
		*t = 0;
		f[i] = t + 1;
	}
	struct tsum *e = sum_new(s);
	if (!ticketid_valid(f[0]) || !status_valid(f[1]) || (!s->light && f[8][0] != '{') ||
	    (s->light && strchr(f[7], '\t')))
		return -1;
	memcpy(e->id, f[0], strlen(f[0]) + 1);	/* valid: it fits */
	if (s->n > 1 && strcmp(s->v[s->n - 2].id, e->id) >= 0)
		return -1;	/* sorted, once each */
	e->status = f[1];
	e->created = sum_num(f[2]);
	e->updated = sum_num(f[3]);
	e->assigned_at = sum_num(f[4]);
	e->assignee = *f[5] ? f[5] : NULL;
	e->customer = *f[6] ? f[6] : NULL;
	e->subject = *f[7] ? f[7] : NULL;
	if (s->light)
		return 0;
	e->json = f[8];
	if (strcmp(f[9], "-")) {
		e->timeline = f[9];
		e->tlen = (size_t)(end - f[9]);
	}
	return 0;
}

/* The path of derived file name (malloc'd). */
static char *state_path(struct desk *d, const char *name)
{
	char *p = xmalloc(strlen(d->state) + strlen(name) + 2);
	sprintf(p, "%s/%s", d->state, name);
	return p;
}

/* Read the file; 0, or -1 when it is missing or not right in any way
 * (a checksum covers all of it). */
static int sum_read(struct desk *d, struct sumfile *s)
{
	char *p = state_path(d, s->name);
	int fd = open(p, O_RDONLY | O_NONBLOCK);	/* a FIFO there does not hang */
	free(p);
	if (fd < 0)
		return -1;
	size_t len;
	char *b = big_read_fd(fd, (size_t)1 << 40, &len);
	close(fd);
	if (!b)
		return -1;
	s->text = b;
	s->tlen = len;
	const char *magic = s->light ? STATES_MAGIC : SUM_MAGIC;
	size_t count;
	char *end = (char *)sum_trailer(b, len, &count);
	if (!end || strncmp(b, magic, strlen(magic)) != 0)
		return -1;
	*end = 0;
	sum_room(s, count + 16);
	char *line = b + strlen(magic), *nl = strchr(line, '\n');
	if (!nl || nl - line > GIT_OID_HEXSZ)
		return -1;
	*nl = 0;
	snprintf(s->key, sizeof s->key, "%s", line);
	for (line = nl + 1; *line; line = nl + 1) {
		if (!(nl = strchr(line, '\n')))
			return -1;
		*nl = 0;
		if (sum_line(s, line, nl) != 0)
			return -1;
	}
	return line == end ? 0 : -1;	/* not cut short by a NUL */
}

/* A derived file under .git/mdesk: written to a temporary name, then
 * renamed over name (state_install), so readers see the old file or the
 * new one whole.  A desk that cannot take it is still answered: a failure
 * leaves the old file. */
static FILE *state_create(struct desk *d, const char *name, char **path, char **tmp)
{
	*path = state_path(d, name);
	*tmp = xmalloc(strlen(*path) + 32);
	sprintf(*tmp, "%s.%ld.tmp", *path, (long)getpid());
	return fopen(*tmp, "w");
}

static void state_install(FILE *f, char *path, char *tmp)
{
	if (f) {
		int bad = ferror(f);
		if (fclose(f) != 0 || bad || rename(tmp, path) != 0)
			unlink(tmp);
	}
	free(tmp);
	free(path);
}

/* Write a derived file with write(d, s): only with the desk lock, taken
 * here without waiting when this process does not hold it.  When another
 * process holds it the file is left as it was, for a later process: the
 * answer in memory is the same. */
static void state_save(struct desk *d, void (*write)(struct desk *, void *), void *s)
{
	int held = d->lockfd >= 0;
	if (!held && desk_lock_now(d) != 0)
		return;
	write(d, s);
	if (!held)
		desk_unlock(d);
}

/* v in decimal into out (24 bytes). */
static const char *lltoa_(long long v, char out[24])
{
	char *p = out + 23;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
	*p = 0;
	do
		*--p = (char)('0' + u % 10);
	while (u /= 10);
	if (v < 0)
		*--p = '-';
	return p;
}

static void sum_write(struct desk *d, void *sp)
{
	struct sumfile *s = sp;
	char *p, *tmp;
	FILE *f = state_create(d, s->name, &p, &tmp);
	if (f) {
		char num[3][24];
		/* the lines built in a buffer, not through fprintf: the file
		 * is written whole after every commit of a batch */
		struct buf b = { 0 };
		buf_adds(&b, s->light ? STATES_MAGIC : SUM_MAGIC);
		buf_adds(&b, s->key);
		buf_addc(&b, '\n');
		uint64_t h = hash64_wide(b.p, b.len, 0);
		for (size_t i = 0; i < s->n; i++) {
			const struct tsum *e = &s->v[i];
			const char *fld[SUM_FIELDS] = { e->id, e->status,
				lltoa_(e->created, num[0]), lltoa_(e->updated, num[1]),
				lltoa_(e->assigned_at, num[2]), e->assignee ? e->assignee : "",
				e->customer ? e->customer : "", e->subject ? e->subject : "",
				e->json ? e->json : "", e->timeline ? e->timeline : "-" };
			size_t start = b.len;
			int nf = s->light ? STATES_FIELDS : SUM_FIELDS;
			for (int k = 0; k < nf; k++) {
				if (k == SUM_FIELDS - 1 && e->timeline)
					buf_add(&b, e->timeline, e->tlen);
				else
					buf_adds(&b, fld[k]);
				buf_addc(&b, k < nf - 1 ? '\t' : '\n');
			}
			h = hash64_wide(b.p + start, b.len - start, h);
			if (b.len >= 65536) {
				fwrite(b.p, 1, b.len, f);
				b.len = 0;
			}
		}
		fwrite(b.p, 1, b.len, f);
		buf_free(&b);
		fprintf(f, "end %zu %016llx\n", s->n, (unsigned long long)h);
	}
	state_install(f, p, tmp);
	s->dirty = 0;
}

struct sum_change {
	char id[16];
	int gone;	/* its events file is gone (-1 while sum_committed_one looks) */
	git_oid blob;
};
struct sum_changes {
	struct sum_change *v;
	size_t n;
};

static int sum_diff_cb(void *payload, const char *path, const git_tree_entry *old,
    const git_tree_entry *now)
{
	(void)old;
	struct sum_changes *c = payload;
	size_t l = strlen(path);
	char id[16];
	if (l < 3 + 6 + 13 || strcmp(path + l - 13, "/events.jsonl") || path[2] != '/' ||
	    l - 16 > 12)
		return 0;
	snprintf(id, sizeof id, "%.*s", (int)(l - 16), path + 3);
	if (!ticketid_valid(id))
		return 0;
	c->v = xrealloc(c->v, (c->n + 1) * sizeof *c->v);
	struct sum_change *ch = &c->v[c->n++];
	snprintf(ch->id, sizeof ch->id, "%s", id);
	ch->gone = !now;
	memset(&ch->blob, 0, sizeof ch->blob);
	if (now)
		ch->blob = *git_tree_entry_id(now);
	return 0;
}

/* The tickets whose events changed from the tickets/ tree key ("-":
 * none) to tree now; 0, or -1 when the old tree is not there (rebuild). */
static int tree_changes(struct desk *d, const char *key, git_tree *now, struct sum_changes *c)
{
	git_oid old_id;
	git_tree *old = NULL;
	c->v = NULL;
	c->n = 0;
	if (strcmp(key, "-") && (git_oid_fromstr(&old_id, key) != 0 ||
	    git_tree_lookup(&old, d->repo, &old_id) != 0))
		return -1;
	int rc = desk_tree_diff(d->repo, old, now, sum_diff_cb, c);
	git_tree_free(old);
	if (rc != 0) {
		free(c->v);
		c->v = NULL;
		c->n = 0;
		return -1;
	}
	return 0;
}

/* The entries of a and b (na and nb of them, each size bytes, sorted by
 * the ID that begins each) as one malloc'd array sorted by ID, an ID in
 * both once, as in a (main's); *n set. */
static void *merge_by_id(const void *a, size_t na, const void *b, size_t nb, size_t size,
    size_t *n)
{
	const char *x = a, *y = b;
	char *all = xmalloc((na + nb + 1) * size);
	size_t i = 0, j = 0, k = 0;
	while (i < na || j < nb) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(x + i * size, y + j * size);
		if (c <= 0) {
			memcpy(all + k++ * size, x + i++ * size, size);
			j += c == 0;	/* on both: a's */
		} else
			memcpy(all + k++ * size, y + j++ * size, size);
	}
	*n = k;
	return all;
}

/* The n entries of v (each size bytes, sorted by the ID that begins
 * each) without those of the tickets c changed, kept in order; their
 * count. */
static size_t drop_changed(void *v, size_t n, size_t size, const struct sum_changes *c)
{
	char *base = v, *drop = xcalloc(n + 1, 1);
	for (size_t i = 0; i < c->n; i++) {
		const char *e = n ? bsearch(c->v[i].id, base, n, size, by_id) : NULL;
		if (e)
			drop[(size_t)(e - base) / size] = 1;
	}
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (!drop[i]) {
			if (w != i)
				memcpy(base + w * size, base + i * size, size);
			w++;
		}
	free(drop);
	return w;
}

/* Fold the changed tickets of c into s (c's array is freed); 0, or when
 * soft -1 if one could not be folded (s is then not to be trusted). */
static int sum_apply(struct desk *d, struct sumfile *s, struct sum_changes c, int soft)
{
	int bad = 0;
	s->n = drop_changed(s->v, s->n, sizeof *s->v, &c);
	size_t k = s->n;
	for (size_t i = 0; i < c.n; i++)
		if (!c.v[i].gone && sum_fold(d, s, c.v[i].id, &c.v[i].blob, soft) != 0)
			bad = -1;
	free(c.v);
	/* the entries kept stay sorted; the new ones are sorted and merged
	 * in (a sort of the whole, after every batch of an import, cost more
	 * than the batch) */
	size_t m = s->n - k, n;
	if (m > 1)
		qsort(s->v + k, m, sizeof *s->v, by_id);
	if (k && m && by_id(&s->v[k - 1], &s->v[k]) > 0) {
		struct tsum *all = merge_by_id(s->v, k, s->v + k, m, sizeof *s->v, &n);
		memcpy(s->v, all, (s->n = n) * sizeof *s->v);
		free(all);
	}
	return bad;
}

/* Bring the entries from the tree of s->key to tree now; 0, or -1 when
 * the old tree is not there (rebuild). */
static int sum_update(struct desk *d, struct sumfile *s, git_tree *now)
{
	struct sum_changes c;
	if (tree_changes(d, s->key, now, &c) != 0)
		return -1;
	sum_apply(d, s, c, 0);
	return 0;
}

void tickets_summary_save(struct desk *d)
{
	struct sumfile *v[2] = { &sum_main, &sum_states };
	for (int i = 0; i < 2; i++)
		if (v[i]->dirty && v[i]->loaded)
			state_save(d, sum_write, v[i]);
}

/* sum_committed for one file of main's tickets (when it reflected was). */
static void sum_committed_one(struct desk *d, struct sumfile *s, const char *was,
    git_tree *root, const char *const *paths, const git_oid *ids, size_t n)
{
	char key[GIT_OID_HEXSZ + 1];
	if (!s->loaded || !s->key[0] || strcmp(was, s->key))
		return;
	root_tickets_key(root, key);
	/* room for every path: the ids, the table's keys, never move */
	struct sum_changes c = { xcalloc(n + 1, sizeof *c.v), 0 };
	struct strtab seen = { 0 };
	static const git_oid zero;
	for (size_t i = 0; i < n; i++) {
		const char *p = paths[i];
		if (strncmp(p, "tickets/", 8) && strcmp(p, "tickets"))
			continue;
		/* tickets/SH/ID[/...]: the ticket's events.jsonl as now */
		const char *sh = p + 8, *idp = sh + 3, *end;
		char id[16];
		if (strlen(p) < 8 + 3 || sh[2] != '/')
			goto stale;
		end = idp + strcspn(idp, "/");
		if (end - idp >= (ptrdiff_t)sizeof id)
			goto stale;
		snprintf(id, sizeof id, "%.*s", (int)(end - idp), idp);
		if (!ticketid_valid(id) || strncmp(sh, id, 2))
			goto stale;
		size_t k = strtab_get(&seen, id);
		if (!k) {
			struct sum_change *ch = &c.v[c.n++];
			snprintf(ch->id, sizeof ch->id, "%s", id);
			ch->gone = -1;	/* not known yet */
			strtab_put(&seen, ch->id, k = c.n);
		}
		/* the commit wrote the events file itself: its blob is known */
		if (!strcmp(end, "/events.jsonl") && ids && git_oid_cmp(&ids[i], &zero)) {
			c.v[k - 1].gone = 0;
			c.v[k - 1].blob = ids[i];
		}
	}
	for (size_t k = 0; k < c.n; k++) {
		git_tree_entry *e;
		char ev[64];
		if (c.v[k].gone >= 0)
			continue;
		ticket_events_path(c.v[k].id, ev);
		c.v[k].gone = 1;
		if (git_tree_entry_bypath(&e, root, ev) == 0) {
			c.v[k].gone = git_tree_entry_type(e) != GIT_OBJECT_BLOB;
			c.v[k].blob = *git_tree_entry_id(e);
			git_tree_entry_free(e);
		}
	}
	strtab_free(&seen);
	/* the commit has landed: what cannot be folded here (a file edited
	 * by hand) is left for a reader to report, the summary read again */
	if (sum_apply(d, s, c, 1) != 0) {
		sum_reset(s);
		return;
	}
	snprintf(s->key, sizeof s->key, "%s", key);
	/* written once, by tickets_summary_save when the writer is done: an
	 * import commits a batch at a time, and the file is the size of the
	 * desk */
	s->dirty = 1;
	return;
stale:
	strtab_free(&seen);
	free(c.v);
}

/* desk_tx_commit's observer (desk_on_commit): main moved from old (NULL:
 * unborn) to a commit of tree root changing paths.  When the summary of
 * main reflected old, the tickets the paths touch are folded again and
 * the file written for the new tree: the next process finds it current
 * and no reader has to diff the trees.  Otherwise, or on a path it
 * cannot place, it is left as it was (a reader catches up). */
static void sum_committed(struct desk *d, const git_oid *old, git_tree *root,
    const char *const *paths, const git_oid *ids, size_t n)
{
	if (!root || !((sum_main.loaded && sum_main.key[0]) ||
	    (sum_states.loaded && sum_states.key[0])))
		return;
	char was[GIT_OID_HEXSZ + 1] = "-";
	if (old) {
		git_commit *c;
		git_tree *t;
		if (git_commit_lookup(&c, d->repo, old) != 0)
			return;
		int rc = git_commit_tree(&t, c);
		git_commit_free(c);
		if (rc != 0)
			return;
		root_tickets_key(t, was);
		git_tree_free(t);
	}
	sum_committed_one(d, &sum_main, was, root, paths, ids, n);
	sum_committed_one(d, &sum_states, was, root, paths, ids, n);
}

/* Bring s up to its branch: read, update or rebuild, write back. */
static void sum_sync(struct desk *d, struct sumfile *s)
{
	char now[GIT_OID_HEXSZ + 1];
	tickets_tree(d, s->branch, now, NULL);
	if (s->loaded && !strcmp(s->key, now))
		return;
	if (!s->loaded) {
		if (sum_read(d, s) != 0)
			sum_reset(s);
		s->loaded = 1;
		if (s != &sum_arch)
			desk_on_commit(d, sum_committed);
		if (s->key[0] && !strcmp(s->key, now))
			return;
	}
	git_tree *t;
	tickets_tree(d, s->branch, now, &t);
	if (!s->key[0] || sum_update(d, s, t) != 0) {
		sum_reset(s);
		s->loaded = 1;
		void *p[2] = { d, s };
		tree_tickets(t, sum_walk, p);
		if (s->n > 1)
			qsort(s->v, s->n, sizeof *s->v, by_id);
	}
	git_tree_free(t);
	snprintf(s->key, sizeof s->key, "%s", now);
	state_save(d, sum_write, s);
}

const struct tsum *tickets_states(struct desk *d, size_t *n)
{
	sum_sync(d, &sum_states);
	*n = sum_states.n;
	return sum_states.v;
}

const struct tsum *tickets_summary(struct desk *d, int all, size_t *n)
{
	sum_sync(d, &sum_main);
	if (!all) {
		*n = sum_main.n;
		return sum_main.v;
	}
	sum_sync(d, &sum_arch);
	free(sum_all);
	sum_all = merge_by_id(sum_main.v, sum_main.n, sum_arch.v, sum_arch.n, sizeof *sum_all, n);
	return sum_all;
}

static long long jtime(json_t *o, const char *k)
{
	long long t = 0;
	const char *s = json_string_value(json_object_get(o, k));
	return s && parse_rfc3339(s, &t) == 0 ? t : 0;
}

void tsum_ticket(const struct tsum *s, struct ticket *t)
{
	memset(t, 0, sizeof *t);
	json_t *o = json_loads(s->json, 0, NULL);
	if (!o || !json_is_object(o))
		die(EX_SOFTWARE, "%s: a broken ticket summary", s->id);
	snprintf(t->id, sizeof t->id, "%s", s->id);
	t->extra = o;
#define S(k) json_string_value(json_object_get(o, k))
	t->status = S("status") ? S("status") : "new";
	t->subject = S("subject");
	t->customer = S("customer");
	t->customer_name = S("customer_name");
	t->assignee = S("assignee");
	t->queue = S("queue");
	t->priority = S("priority") ? S("priority") : "normal";
	t->lang = S("lang");
	t->claim_by = S("claimed_by");
	t->merged_into = S("merged_into");
#undef S
	t->created = s->created;
	t->updated = s->updated;
	t->first_reply = jtime(o, "first_reply");
	t->solved_at = jtime(o, "solved");
	t->claim_until = jtime(o, "claimed_until");
	t->replies = (int)json_integer_value(json_object_get(o, "replies"));
	t->received = (int)json_integer_value(json_object_get(o, "messages"));
	t->reopened = (int)json_integer_value(json_object_get(o, "reopened"));
	json_t *tags = json_object_get(o, "tags");
	t->tags = json_is_array(tags) ? json_incref(tags) : json_array();
	json_t *col = json_object_get(o, "collisions");
	t->collisions = json_is_array(col) ? json_incref(col) : NULL;
	t->snooze_until = jtime(o, "snoozed_until");
	json_t *nt = json_object_get(o, "notices");
	t->notices = json_is_array(nt) ? json_incref(nt) : NULL;
	json_t *un = json_object_get(o, "mentions_unread");
	t->unread = json_is_array(un) ? json_incref(un) : NULL;
	t->events = json_array();
}

void agents_read(struct agents *a, struct desk *d)
{
	size_t len;
	char *t = desk_read_file(d, "agents.csv", &len);
	if (!t)
		die(EX_CONFIG, "%s/agents.csv: cannot read: %s", d->root, strerror(errno));
	agents_load(a, t, len);
	free(t);
}

struct agent *agent_acting(struct agents *ag, struct desk *d, const char *as,
    const char *doing)
{
	const char *who = as ? as : getenv("MDESK_AGENT");
	struct agent *a = NULL;
	if (who && *who) {
		if (!(a = agent_find(ag, who)))
			die(EX_USAGE, "agent '%s' is not in agents.csv (see mdesk agent ls)", who);
		return a;
	}
	git_config *cfg;
	const char *v;
	if (git_repository_config_snapshot(&cfg, d->repo) == 0) {
		if (git_config_get_string(&v, cfg, "user.email") == 0)
			for (size_t i = 0; i < ag->n && !a; i++)
				if (!strcasecmp(ag->v[i].email, v))
					a = &ag->v[i];
		if (!a && git_config_get_string(&v, cfg, "user.name") == 0)
			a = agent_find(ag, v);
		git_config_free(cfg);
	}
	if (!a)
		die(EX_USAGE, "who is %s? use --as AGENT or set MDESK_AGENT "
		    "(or a git user.email listed in agents.csv)", doing);
	return a;
}

int agent_load(struct desk *d, const char *login)
{
	size_t n;
	const struct tsum *v = tickets_summary(d, 0, &n);
	int load = 0;
	for (size_t i = 0; i < n; i++)
		load += status_load(v[i].status) && v[i].assignee && !strcmp(v[i].assignee, login);
	return load;
}

/* Is ticket id in the summary file of s, when that file is current?  1 or
 * 0; -1 when the file cannot tell (missing, stale, damaged).  A binary
 * search over the lines (sorted by ID) of the mapped file. */
static int sum_file_has(struct desk *d, struct sumfile *s, const char *id)
{
	char now[GIT_OID_HEXSZ + 1];
	tickets_tree(d, s->branch, now, NULL);
	if (s->loaded && !strcmp(s->key, now)) {
		return s->n && bsearch(id, s->v, s->n, sizeof *s->v, by_id) != NULL;
	}
	char *p = state_path(d, s->name);
	int fd = open(p, O_RDONLY);
	free(p);
	struct stat st;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)strlen(SUM_MAGIC) + 2) {
		close(fd);
		return -1;
	}
	size_t len = (size_t)st.st_size;
	const char *m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return -1;
	int r = -1;
	size_t kl = strlen(now), il = strlen(id);
	const char *end = m + len, *lo = m + strlen(SUM_MAGIC);
	if (!memcmp(m, SUM_MAGIC, strlen(SUM_MAGIC)) && (size_t)(end - lo) > kl &&
	    !memcmp(lo, now, kl) && lo[kl] == '\n' && end[-1] == '\n') {
		while (end - 1 > lo && end[-2] != '\n')
			end--;	/* the trailer (sum_write) is not an entry */
		end--;
		const char *hi = end;
		lo += kl + 1;
		r = 0;
		while (lo < hi) {
			const char *mid = lo + (hi - lo) / 2;
			while (mid > lo && mid[-1] != '\n')
				mid--;
			const char *tab = memchr(mid, '\t', (size_t)(hi - mid));
			const char *nl = memchr(mid, '\n', (size_t)(end - mid));
			if (!tab || !nl || tab > nl) {
				r = -1;	/* not a line of ours */
				break;
			}
			size_t ml = (size_t)(tab - mid);
			int c = memcmp(mid, id, ml < il ? ml : il);
			if (!c)
				c = ml < il ? -1 : ml > il ? 1 : 0;
			if (!c) {
				r = 1;
				break;
			}
			if (c < 0)
				lo = nl + 1;
			else
				hi = mid;
		}
	}
	munmap((void *)m, len);
	return r;
}

int ticket_exists(struct desk *d, const char *id)
{
	if (ticket_tree(d, DESK_BRANCH, id, NULL))
		return 1;
	int r = sum_file_has(d, &sum_arch, id);
	if (r >= 0)
		return r;
	/* the archive's summary is built (once) or brought up to date and
	 * asked: a walk of the archive's trees costs every delivery the
	 * inflating of long delta chains */
	sum_sync(d, &sum_arch);
	return sum_arch.n && bsearch(id, sum_arch.v, sum_arch.n, sizeof *sum_arch.v, by_id) != NULL;
}

void tickets_summary_refresh(struct desk *d)
{
	struct sumfile *v[3] = { &sum_main, &sum_arch, &sum_states };
	for (int i = 0; i < 3; i++) {
		char *p = state_path(d, v[i]->name);
		struct stat st;
		int have = stat(p, &st) == 0;
		free(p);
		if (have)
			sum_sync(d, v[i]);
	}
}

static void quiet(const char *id, int line, const char *err)
{
	(void)id, (void)line, (void)err;
}

const struct tsum *tickets_timelines(struct desk *d, int all, size_t *n)
{
	ticket_on_bad_line(quiet);
	const struct tsum *v = tickets_summary(d, all, n);
	ticket_on_bad_line(NULL);
	return v;
}

int tsum_fold(struct desk *d, const struct tsum *s, struct ticket *t, long long asof)
{
	if (s->timeline && ticket_fold_timeline(t, s->id, s->timeline, s->tlen, asof) == 0)
		return 0;
	char path[64], *text;
	size_t len;
	ticket_events_path(s->id, path);
	if (!(text = desk_read_head(d, path, &len, 0)) && !(text = desk_read_head(d, path, &len, 1)))
		die(EX_TEMPFAIL, "%s: not on main nor archived; run again", path);
	ticket_fold(t, s->id, text, len, asof);
	free(text);
	return 0;
}

/* --- the events of every ticket at a commit --- */

struct evlist {
	int archived;
	struct tevents *v;
	size_t n, cap;
	struct arena a;			/* texts read from blobs */
};

static struct evlist ev_main, ev_arch = { 1, NULL, 0, 0, { NULL, 0, 0 } };
static struct tevents *ev_all;

static void ev_reset(struct evlist *s)
{
	free(s->v);
	arena_free(&s->a);
	s->v = NULL;
	s->n = s->cap = 0;
}

void tickets_events_free(void)
{
	ev_reset(&ev_main);
	ev_reset(&ev_arch);
	free(ev_all);
	ev_all = NULL;
}

/* A new entry: ticket id with the text of its events blob. */
static void ev_blob(void *ctx, const char *id, const git_oid *blob)
{
	void **p = ctx;
	struct desk *d = p[0];
	struct evlist *s = p[1];
	git_blob *b;
	if (git_blob_lookup(&b, d->repo, blob) != 0) {
		char path[64];
		ticket_events_path(id, path);
		desk_git_die(EX_TEMPFAIL, path);
	}
	size_t len = (size_t)git_blob_rawsize(b);
	char *text = arena_alloc(&s->a, len + 1);
	memcpy(text, git_blob_rawcontent(b), len);
	text[len] = 0;
	git_blob_free(b);
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->v = xrealloc(s->v, s->cap * sizeof *s->v);
	}
	struct tevents *e = &s->v[s->n++];
	memset(e, 0, sizeof *e);
	snprintf(e->id, sizeof e->id, "%s", id);
	e->archived = s->archived;
	e->events = *blob;
	e->text = text;
	e->len = len;
}

/* s: every ticket of commit c's tickets/ tree (none when c is NULL). */
static void ev_commit(struct desk *d, struct evlist *s, git_commit *c)
{
	git_tree *root = NULL, *t = NULL;
	ev_reset(s);
	if (!c)
		return;
	if (git_commit_tree(&root, c) != 0)
		desk_git_die(EX_TEMPFAIL, "the commit's tree");
	const git_tree_entry *e = git_tree_entry_byname(root, "tickets");
	if (e && git_tree_entry_type(e) == GIT_OBJECT_TREE &&
	    git_tree_lookup(&t, d->repo, git_tree_entry_id(e)) != 0)
		desk_git_die(EX_TEMPFAIL, "tickets");
	void *p[2] = { d, s };
	tree_tickets(t, ev_blob, p);
	if (s->n > 1)
		qsort(s->v, s->n, sizeof *s->v, by_id);
	git_tree_free(t);
	git_tree_free(root);
}

/* The archive's newest commit not later than time limit, or NULL. */
static git_commit *archive_at(struct desk *d, long long limit)
{
	git_oid id;
	git_commit *c = NULL;
	if (desk_branch_id(d, DESK_ARCHIVE, &id) != 0 || git_commit_lookup(&c, d->repo, &id) != 0)
		return NULL;
	while (c && git_commit_time(c) > limit) {
		git_commit *p = NULL;
		if (git_commit_parentcount(c) == 0 || git_commit_parent(&p, c, 0) != 0)
			p = NULL;
		git_commit_free(c);
		c = p;
	}
	return c;
}

const struct tevents *tickets_events_at(struct desk *d, git_commit *c, size_t *n)
{
	ev_commit(d, &ev_main, c);
	git_commit *ac = archive_at(d, git_commit_time(c));
	ev_commit(d, &ev_arch, ac);
	git_commit_free(ac);
	free(ev_all);
	ev_all = merge_by_id(ev_main.v, ev_main.n, ev_arch.v, ev_arch.n, sizeof *ev_all, n);
	return ev_all;
}
