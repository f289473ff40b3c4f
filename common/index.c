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

static char *ids_dir(struct desk *d)
{
	char *p = xmalloc(strlen(d->state) + 8);
	sprintf(p, "%s/ids", d->state);
	return p;
}

static char *bucket(struct desk *d, const char *mid)
{
	char *dir = ids_dir(d);
	char *p = xmalloc(strlen(dir) + 8);
	sprintf(p, "%s/%02x", dir, (unsigned)(hash64(mid, strlen(mid)) >> 56));
	free(dir);
	return p;
}

static int mid_ok(const char *mid)
{
	return *mid && strlen(mid) < 1000 && !strpbrk(mid, "\t\n\r");
}

int index_lookup(struct desk *d, const char *mid, char ticket[16])
{
	if (!mid_ok(mid))
		return 0;
	char *p = bucket(d, mid);
	int fd = open(p, O_RDONLY | O_NONBLOCK);
	free(p);
	if (fd < 0)
		return 0;
	size_t len;
	char *b = big_read_fd(fd, (size_t)1 << 30, &len);
	close(fd);
	if (!b)
		return 0;
	/* lines "TICKET\tMID\n": the whole bucket read at once and searched
	 * for the Message-ID, not read a line at a time; the newest (last)
	 * entry wins */
	size_t ml = strlen(mid);
	int found = 0;
	const char *end = b + len;
	for (const char *q = b; q < end;) {
		const char *m = mem_find(q, (size_t)(end - q), mid, ml);
		if (!m)
			break;
		q = m + 1;
		const char *after = m + ml;
		if (m == b || m[-1] != '\t' || (after < end && *after != '\n'))
			continue;
		const char *ls = m - 1;
		while (ls > b && ls[-1] != '\n')
			ls--;
		const char *tab = memchr(ls, '\t', (size_t)(m - ls));
		if (tab != m - 1 || tab - ls > 12)
			continue;	/* the Message-ID is not the line's second field */
		char id[16];
		snprintf(id, sizeof id, "%.*s", (int)(tab - ls), ls);
		if (ticketid_valid(id)) {
			snprintf(ticket, 16, "%s", id);
			found = 1;
		}
	}
	big_free(b, len + 1);
	return found;
}

static int bulk;	/* rebuilding: no look-up before each add */

void index_add(struct desk *d, const char *mid, const char *ticket)
{
	char have[16];
	if (!mid_ok(mid) || !ticketid_valid(ticket))
		return;
	if (!bulk && index_lookup(d, mid, have) && !strcmp(have, ticket))
		return;
	if (!bulk) {
		char *dir = ids_dir(d);
		mkdir(dir, 0777);
		free(dir);
	}
	char *p = bucket(d, mid);
	int fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0666);
	free(p);
	if (fd < 0)
		return;		/* derived data: the next sync rebuilds it */
	char *line = xmalloc(strlen(mid) + 20);
	int n = sprintf(line, "%s\t%s\n", ticket, mid);
	if (write(fd, line, (size_t)n) != n)
		warnx_("index: %s", strerror(errno));
	free(line);
	close(fd);
}

static void branch_oid(struct desk *d, const char *ref, char out[GIT_OID_HEXSZ + 1])
{
	git_oid id;
	if (desk_branch_id(d, ref, &id) == 0)
		git_oid_tostr(out, GIT_OID_HEXSZ + 1, &id);
	else
		strcpy(out, "-");
}

static char *state_file(struct desk *d)
{
	char *dir = ids_dir(d);
	char *p = xmalloc(strlen(dir) + 8);
	sprintf(p, "%s/HEAD", dir);
	free(dir);
	return p;
}

void index_mark(struct desk *d)
{
	char m[GIT_OID_HEXSZ + 1], a[GIT_OID_HEXSZ + 1];
	branch_oid(d, DESK_BRANCH, m);
	branch_oid(d, DESK_ARCHIVE, a);
	char *dir = ids_dir(d);
	mkdir(dir, 0777);
	free(dir);
	char *p = state_file(d);
	char *tmp = xmalloc(strlen(p) + 8);
	sprintf(tmp, "%s.tmp", p);
	FILE *f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "%s %s\n", m, a);
		if (fclose(f) == 0)
			rename(tmp, p);
	}
	free(tmp);
	free(p);
}

/* The ticket ID of a path tickets/SH/ID/events.jsonl, or NULL. */
static int events_ticket(const char *path, char id[16])
{
	if (strncmp(path, "tickets/", 8) != 0)
		return 0;
	const char *p = path + 8, *s1 = strchr(p, '/');
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
		if (mid)
			index_add(d, mid, ticket);
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
		return !strcmp(root, "") && strcmp(git_tree_entry_name(e), "tickets") ? 1 : 0;
	char path[600];
	snprintf(path, sizeof path, "%s%s", root, git_tree_entry_name(e));
	if (!strcmp(git_tree_entry_name(e), "events.jsonl"))
		add_blob(d, git_tree_entry_id(e), path);
	return 0;
}

static git_tree *tree_of(struct desk *d, const char *hex)
{
	git_oid id;
	git_commit *c;
	git_tree *t = NULL;
	if (!strcmp(hex, "-") || git_oid_fromstr(&id, hex) != 0 ||
	    git_commit_lookup(&c, d->repo, &id) != 0)
		return NULL;
	git_commit_tree(&t, c);
	git_commit_free(c);
	return t;
}

static int diff_cb(const git_diff_delta *delta, float progress, void *payload)
{
	(void)progress;
	if (delta->status == GIT_DELTA_DELETED)
		return 0;	/* archived or removed: lookups are checked by the caller */
	add_blob(payload, &delta->new_file.id, delta->new_file.path);
	return 0;
}

/* Index what changed on one branch between two commits; 0 on success. */
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
	} else if (b) {
		git_diff *diff;
		git_diff_options o;
		git_diff_options_init(&o, GIT_DIFF_OPTIONS_VERSION);
		char *spec[] = { "tickets" };
		o.pathspec.strings = spec;
		o.pathspec.count = 1;
		if (git_diff_tree_to_tree(&diff, d->repo, a, b, &o) == 0) {
			if (git_diff_foreach(diff, diff_cb, NULL, NULL, NULL, d) != 0)
				rc = -1;
			git_diff_free(diff);
		} else
			rc = -1;
	}
	git_tree_free(a);
	git_tree_free(b);
	return rc;
}

void index_rebuild(struct desk *d)
{
	char *dir = ids_dir(d);
	mkdir(dir, 0777);
	char *p = xmalloc(strlen(dir) + 8);
	for (int i = 0; i < 256; i++) {
		sprintf(p, "%s/%02x", dir, i);
		unlink(p);
	}
	free(p);
	free(dir);
	char m[GIT_OID_HEXSZ + 1], a[GIT_OID_HEXSZ + 1];
	branch_oid(d, DESK_BRANCH, m);
	branch_oid(d, DESK_ARCHIVE, a);
	bulk = 1;	/* a fresh index: every entry is new */
	update_branch(d, "-", m);
	update_branch(d, "-", a);
	bulk = 0;
	index_mark(d);
}

void index_sync(struct desk *d)
{
	char m[GIT_OID_HEXSZ + 1], a[GIT_OID_HEXSZ + 1], om[64] = "", oa[64] = "";
	branch_oid(d, DESK_BRANCH, m);
	branch_oid(d, DESK_ARCHIVE, a);
	char *p = state_file(d);
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
