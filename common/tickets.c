/* tickets.c: tickets of a desk (see tickets.h). */
#include "tickets.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ticketid.h"

void ticket_events_path(const char *id, char out[64])
{
	char dir[40];
	desk_ticket_dir(id, dir);
	snprintf(out, 64, "%s/events.jsonl", dir);
}

int ticket_load(struct desk *d, const char *id, struct ticket *t, int *archived,
    int from_head)
{
	size_t len;
	char p[64];
	int arch = 0;
	ticket_events_path(id, p);
	char *text = from_head ? desk_read_head(d, p, &len, 0) : desk_read_file(d, p, &len);
	if (!text) {
		text = desk_read_head(d, p, &len, 1);
		arch = 1;
	}
	if (!text)
		return -1;
	const char *err;
	int line = ticket_fold(t, id, text, len, 0, &err);
	if (line)
		die(EX_DATAERR, "%s:%d: %s", p, line, err);
	free(text);
	if (archived)
		*archived = arch;
	return 0;
}

/* The archive branch's tree of one ticket, or NULL. */
static git_tree *archived_tree(struct desk *d, const char *id)
{
	char dir[40];
	git_oid aid;
	git_commit *c;
	git_tree *t, *sub = NULL;
	git_tree_entry *e;
	desk_ticket_dir(id, dir);
	if (git_reference_name_to_id(&aid, d->repo, DESK_ARCHIVE) != 0 ||
	    git_commit_lookup(&c, d->repo, &aid) != 0)
		return NULL;
	git_commit_tree(&t, c);
	if (git_tree_entry_bypath(&e, t, dir) == 0) {
		git_tree_lookup(&sub, d->repo, git_tree_entry_id(e));
		git_tree_entry_free(e);
	}
	git_tree_free(t);
	git_commit_free(c);
	return sub;
}

void ticket_restore(struct desk *d, struct desk_tx *tx, const char *id)
{
	char dir[40];
	desk_ticket_dir(id, dir);
	git_tree *sub = archived_tree(d, id);
	if (!sub)
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

static int is_eml(const char *nm)
{
	size_t l = strlen(nm);
	return l > 4 && !strcmp(nm + l - 4, ".eml") && nm[0] != '.';
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
		char *full = xmalloc(strlen(d->root) + 48);
		sprintf(full, "%s/%s", d->root, dir);
		DIR *dp = opendir(full);
		struct dirent *de;
		while (dp && (de = readdir(dp)))
			if (is_eml(de->d_name)) {
				v = xrealloc(v, (*n + 1) * sizeof *v);
				v[(*n)++] = xstrdup(de->d_name);
			}
		if (dp)
			closedir(dp);
		free(full);
	} else {
		git_tree *sub = archived_tree(d, id);
		for (size_t i = 0; sub && i < git_tree_entrycount(sub); i++) {
			const char *nm = git_tree_entry_name(git_tree_entry_byindex(sub, i));
			if (is_eml(nm)) {
				v = xrealloc(v, (*n + 1) * sizeof *v);
				v[(*n)++] = xstrdup(nm);
			}
		}
		git_tree_free(sub);
	}
	if (*n > 1)
		qsort(v, *n, sizeof *v, cmp_names);
	return v;
}

void ticket_files_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int ticket_next_number(struct desk *d, const char *id, int archived)
{
	size_t n;
	char **v = ticket_files(d, id, &n, archived);
	int next = 0;
	for (size_t i = 0; i < n; i++)
		if (atoi(v[i]) > next)
			next = atoi(v[i]);
	ticket_files_free(v, n);
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

void tickets_each(struct desk *d, int (*fn)(void *ctx, struct ticket *t), void *ctx)
{
	char *tdir = xmalloc(strlen(d->root) + 16);
	sprintf(tdir, "%s/tickets", d->root);
	DIR *a = opendir(tdir);
	struct dirent *sh;
	while (a && (sh = readdir(a))) {
		if (sh->d_name[0] == '.' || strlen(sh->d_name) != 2)
			continue;
		char sd[600];
		snprintf(sd, sizeof sd, "%s/%s", tdir, sh->d_name);
		DIR *b = opendir(sd);
		struct dirent *de;
		while (b && (de = readdir(b))) {
			struct ticket t;
			if (!ticketid_valid(de->d_name) || ticket_load(d, de->d_name, &t, NULL, 0) != 0)
				continue;
			if (!fn(ctx, &t))
				ticket_free(&t);
		}
		if (b)
			closedir(b);
	}
	if (a)
		closedir(a);
	free(tdir);
}

struct old {
	struct desk *d;
	long long age;
	char **ids;
	size_t n;
};

static int old_cb(void *ctx, struct ticket *t)
{
	struct old *o = ctx;
	if (!status_active(t->status) && t->updated + o->age <= o->d->now) {
		o->ids = xrealloc(o->ids, (o->n + 1) * sizeof *o->ids);
		o->ids[o->n++] = xstrdup(t->id);
	}
	return 0;
}

char **tickets_to_archive(struct desk *d, long long age, size_t *n)
{
	struct old o = { d, age, NULL, 0 };
	tickets_each(d, old_cb, &o);
	*n = o.n;
	return o.ids;
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
	desk_archive(d, ids, n, name, email);
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}
