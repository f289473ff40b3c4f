/* Unit tests: common/desk.c (commits, the working tree, recovery, archive,
 * a large commit written as a pack) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "desk.h"
#include "tap.h"

static char root[256];

static int status_clean(struct desk *d)
{
	git_status_list *sl;
	git_status_options o;
	git_status_options_init(&o, GIT_STATUS_OPTIONS_VERSION);
	o.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED;
	if (git_status_list_new(&sl, d->repo, &o) != 0)
		return 0;
	size_t n = git_status_list_entrycount(sl);
	for (size_t i = 0; i < n; i++)
		printf("#   dirty: %s\n", git_status_byindex(sl, i)->head_to_index ?
		    git_status_byindex(sl, i)->head_to_index->new_file.path :
		    git_status_byindex(sl, i)->index_to_workdir->new_file.path);
	git_status_list_free(sl);
	return n == 0;
}

/* Loose object files and packs under root's .git/objects. */
static void count_objects(int *loose, int *packs)
{
	char p[600];
	*loose = *packs = 0;
	for (int i = 0; i < 256; i++) {
		snprintf(p, sizeof p, "%s/.git/objects/%02x", root, i);
		DIR *dp = opendir(p);
		struct dirent *de;
		while (dp && (de = readdir(dp)))
			*loose += strlen(de->d_name) == 38;
		if (dp)
			closedir(dp);
	}
	snprintf(p, sizeof p, "%s/.git/objects/pack", root);
	DIR *dp = opendir(p);
	struct dirent *de;
	while (dp && (de = readdir(dp)))
		*packs += strlen(de->d_name) > 5 && !strcmp(de->d_name + strlen(de->d_name) - 5, ".pack");
	if (dp)
		closedir(dp);
}

/* git itself finds the repository sound. */
static int git_ok(const char *what)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "git -C %s %s >/dev/null 2>&1", root, what);
	return system(cmd) == 0;
}

static void commit_files(struct desk *d, const char *msg, const char *path, const char *text,
    int append);

/* A commit of 300 files (one of them 200 kB) and an append: written as
 * one pack, no loose object, readable by libgit2 and by git. */
static void large_commit(struct desk *d)
{
	int loose0, packs0, loose, packs;
	count_objects(&loose0, &packs0);
	static char body[200000];
	desk_lock(d);
	struct desk_tx *tx = desk_tx_new(d);
	for (int i = 0; i < 300; i++) {
		char path[64];
		size_t n = i == 7 ? sizeof body : (size_t)(40 + i);
		for (size_t k = 0; k < n; k++)
			body[k] = (char)('a' + (k * 7 + (size_t)i) % 26);
		snprintf(path, sizeof path, "tickets/%02d/LARGE%03d/%04d.eml", i % 40, i, i);
		desk_tx_write(tx, path, body, n);
	}
	desk_tx_append(tx, "tickets/AB/ABCDEF12/events.jsonl", "{\"a\":9}\n", 8);
	desk_tx_commit(tx, "Ana", "ana@lumen.example", "a batch\n");
	desk_unlock(d);
	count_objects(&loose, &packs);
	is_int(loose, loose0, "a large commit makes no loose object");
	is_int(packs, packs0 + 1, "... but one pack");
	size_t len;
	for (size_t k = 0; k < sizeof body; k++)
		body[k] = (char)('a' + (k * 7 + 7) % 26);
	char *t = desk_read_head(d, "tickets/07/LARGE007/0007.eml", &len, 0);
	ok(t && len == sizeof body && !memcmp(t, body, len), "its large file reads back whole");
	free(t);
	t = desk_read_head(d, "tickets/19/LARGE299/0299.eml", &len, 0);
	ok(t && len == 339, "and its last one");
	free(t);
	t = desk_read_head(d, "tickets/AB/ABCDEF12/events.jsonl", &len, 0);
	is_str(t, "{\"a\":1}\n{\"a\":2}\n{\"a\":9}\n", "an append in a large commit");
	free(t);
	t = desk_read_file(d, "tickets/07/LARGE007/0007.eml", &len);
	ok(t && len == sizeof body, "the working tree follows a large commit");
	free(t);
	ok(status_clean(d), "git status is clean after a large commit");
	ok(git_ok("fsck --strict --no-dangling"), "git fsck finds it sound");
	ok(git_ok("diff --quiet HEAD") && git_ok("diff --cached --quiet HEAD"),
	    "git agrees: index and files are HEAD's");
	/* and the next, small commit goes on from it */
	commit_files(d, "T1: note\n", "tickets/AB/ABCDEF12/events.jsonl", "{\"a\":2}\n", 1);
	desk_lock(d);
	tx = desk_tx_new(d);
	for (int i = 0; i < 300; i++) {
		char path[64];
		snprintf(path, sizeof path, "tickets/%02d/LARGE%03d", i % 40, i);
		desk_tx_remove(tx, path);
	}
	desk_tx_commit(tx, "Ana", "ana@lumen.example", "removed\n");
	desk_unlock(d);
	t = desk_read_head(d, "tickets/AB/ABCDEF12/events.jsonl", &len, 0);
	is_str(t, "{\"a\":1}\n{\"a\":2}\n{\"a\":9}\n{\"a\":2}\n", "commits after it build on it");
	free(t);
	snprintf(body, sizeof body, "%s/tickets/07", root);
	struct stat st;
	ok(stat(body, &st) != 0, "a large removal empties the working tree");
	ok(status_clean(d) && git_ok("fsck --strict --no-dangling"), "clean and sound after it");
	/* put the file back as the rest of the tests expect it */
	commit_files(d, "reset\n", "tickets/AB/ABCDEF12/events.jsonl", "{\"a\":1}\n{\"a\":2}\n", 0);
}

static void commit_files(struct desk *d, const char *msg, const char *path, const char *text, int append)
{
	desk_lock(d);
	struct desk_tx *tx = desk_tx_new(d);
	if (append)
		desk_tx_append(tx, path, text, strlen(text));
	else
		desk_tx_write(tx, path, text, strlen(text));
	desk_tx_commit(tx, "Ana", "ana@lumen.example", msg);
	desk_unlock(d);
}

static int diff_seen(void *ctx, const char *path, const git_tree_entry *old,
    const git_tree_entry *now)
{
	char *out = ctx;
	size_t l = strlen(out);
	snprintf(out + l, 256 - l, "%s%s:%c", l ? " " : "", path, !old ? 'A' : !now ? 'D' : 'M');
	return 0;
}

/* desk_tree_diff: the files that differ, by path, and nothing else. */
static void test_tree_diff(struct desk *d)
{
	struct desk_tx *tx = desk_tx_new(d);
	desk_tx_write(tx, "x/a/1", "one", 3);
	desk_tx_write(tx, "x/a/2", "two", 3);
	desk_tx_write(tx, "x/b/1", "b", 1);
	desk_tx_write(tx, "y", "y", 1);
	desk_tx_commit(tx, "Ana", "ana@lumen.example", "diff 1\n");
	git_tree *t1 = desk_branch_tree(d, DESK_BRANCH, NULL);
	tx = desk_tx_new(d);
	desk_tx_write(tx, "x/a/1", "ONE", 3);
	desk_tx_remove(tx, "x/b");
	desk_tx_write(tx, "x/c/1", "c", 1);
	desk_tx_commit(tx, "Ana", "ana@lumen.example", "diff 2\n");
	git_tree *t2 = desk_branch_tree(d, DESK_BRANCH, NULL);
	char seen[256] = "";
	ok(desk_tree_diff(d->repo, t1, t2, diff_seen, seen) == 0, "two trees compared");
	is_str(seen, "x/a/1:M x/b/1:D x/c/1:A", "each file that changed, once, by path");
	seen[0] = 0;
	desk_tree_diff(d->repo, t2, t2, diff_seen, seen);
	is_str(seen, "", "a tree against itself: nothing");
	seen[0] = 0;
	desk_tree_diff(d->repo, NULL, t1, diff_seen, seen);
	ok(strstr(seen, "x/a/2:A") && strstr(seen, "y:A") && strstr(seen, "desk.conf:A"),
	    "against no tree: every file, added");
	git_tree_free(t1);
	git_tree_free(t2);
}

int main(void)
{
	struct desk d;
	snprintf(root, sizeof root, "/tmp/mdesk-unit-%d", (int)getpid());
	desk_git_create(root, 0);
	char p[512];
	struct stat gst;
	snprintf(p, sizeof p, "%s/.git/HEAD", root);
	ok(stat(p, &gst) == 0, "repository");
	snprintf(p, sizeof p, "%s/desk.conf", root);
	FILE *f = fopen(p, "w");
	fputs("name = Test\nfsync = no\n", f);
	fclose(f);
	desk_open(&d, root);
	d.now = 1794128400LL;
	commit_files(&d, "first\n", "desk.conf", "name = Test\nfsync = no\n", 0);
	commit_files(&d, "T1: received\n", "tickets/AB/ABCDEF12/events.jsonl", "{\"a\":1}\n", 1);
	commit_files(&d, "T1: note\n", "tickets/AB/ABCDEF12/events.jsonl", "{\"a\":2}\n", 1);
	size_t len;
	char *t = desk_read_head(&d, "tickets/AB/ABCDEF12/events.jsonl", &len, 0);
	is_str(t, "{\"a\":1}\n{\"a\":2}\n", "appends accumulate at HEAD");
	free(t);
	t = desk_read_file(&d, "tickets/AB/ABCDEF12/events.jsonl", &len);
	is_str(t, "{\"a\":1}\n{\"a\":2}\n", "the working tree follows");
	free(t);
	ok(status_clean(&d), "git status is clean after commits");
	large_commit(&d);

	/* count the commits */
	git_revwalk *w;
	git_oid id;
	int n = 0;
	git_revwalk_new(&w, d.repo);
	git_revwalk_push_ref(w, DESK_BRANCH);
	while (git_revwalk_next(&id, w) == 0)
		n++;
	git_revwalk_free(w);
	is_int(n, 7, "one commit per transaction");
	git_commit *c;
	git_reference_name_to_id(&id, d.repo, DESK_BRANCH);
	git_commit_lookup(&c, d.repo, &id);
	is_str(git_commit_author(c)->name, "Ana", "authored by the agent");
	ok(git_commit_author(c)->when.time == 1794128400LL, "at --now");
	git_commit_free(c);

	/* a writer killed after moving the branch, before the files: the
	 * journal names the path, the working tree is stale */
	desk_lock(&d);
	struct desk_tx *tx = desk_tx_new(&d);
	desk_tx_append(tx, "tickets/AB/ABCDEF12/events.jsonl", "{\"a\":3}\n", 8);
	desk_tx_commit(tx, "Ana", "ana@lumen.example", "third\n");
	desk_unlock(&d);
	snprintf(p, sizeof p, "%s/tickets/AB/ABCDEF12/events.jsonl", root);
	f = fopen(p, "w");
	fputs("{\"a\":1}\n", f);
	fclose(f);
	snprintf(p, sizeof p, "%s/.git/mdesk/pending", root);
	f = fopen(p, "w");
	fputs("tickets/AB/ABCDEF12/events.jsonl\n", f);
	fclose(f);
	desk_lock(&d);		/* the next writer repairs */
	desk_unlock(&d);
	t = desk_read_file(&d, "tickets/AB/ABCDEF12/events.jsonl", &len);
	is_str(t, "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", "recovery brings the file back to HEAD");
	free(t);
	struct stat st;
	ok(stat(p, &st) != 0, "the journal is gone");
	ok(status_clean(&d), "clean after recovery");

	/* path safety */
	tx = desk_tx_new(&d);
	desk_tx_write(tx, "tickets/AB/ok", "x", 1);
	desk_tx_abort(tx);
	ok(1, "a normal path is accepted");

	/* archive: out of the working tree and index, still readable */
	char *ids[] = { "ABCDEF12" };
	desk_lock(&d);
	is_int(desk_archive(&d, ids, 1, "mdesk", "mdesk@test"), 1, "archived one ticket");
	desk_unlock(&d);
	snprintf(p, sizeof p, "%s/tickets/AB/ABCDEF12", root);
	ok(stat(p, &st) != 0, "gone from the working tree");
	ok(status_clean(&d), "clean after archiving");
	t = desk_read_head(&d, "tickets/AB/ABCDEF12/events.jsonl", &len, 1);
	is_str(t, "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", "readable from the archive branch");
	free(t);
	git_tree *arch = desk_branch_tree(&d, DESK_ARCHIVE, NULL);
	git_tree_entry *te = NULL;
	ok(arch && git_tree_entry_bypath(&te, arch, "tickets/AB/ABCDEF12") == 0 &&
	    git_tree_entry_type(te) == GIT_OBJECT_TREE, "the archive branch holds the ticket's folder");
	git_tree_entry_free(te);
	git_tree_free(arch);

	desk_lock(&d);
	desk_gc(&d, 0, 1);
	desk_unlock(&d);
	snprintf(p, sizeof p, "%s/.git/objects/pack", root);
	ok(stat(p, &st) == 0, "pack directory");
	t = desk_read_head(&d, "desk.conf", &len, 0);
	is_str(t, "name = Test\nfsync = no\n", "objects readable after packing");
	free(t);
	desk_lock(&d);
	desk_gc(&d, 1, 1);
	desk_unlock(&d);
	t = desk_read_head(&d, "tickets/AB/ABCDEF12/events.jsonl", &len, 1);
	ok(t != NULL, "archive readable after a full pack");
	free(t);
	desk_lock(&d);
	test_tree_diff(&d);
	desk_unlock(&d);
	desk_close(&d);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf %s", root);
	if (system(cmd) != 0)
		return 1;
	return done_testing();
}
