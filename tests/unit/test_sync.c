/* Unit tests: common/sync.c (the union of events; tree merges are tested
 * through mdesk sync in tests/t/mdesk-sync.t). */
#include <stdlib.h>
#include <unistd.h>
#include "tap.h"
#include "sync.h"

static git_repository *repo;

/* A tree of paths and texts (NULL-terminated pairs). */
static git_tree *mktree(const char *const *pt)
{
	git_treebuilder *tb;
	git_oid id, e;
	git_tree *base, *t;
	git_treebuilder_new(&tb, repo, NULL);
	git_treebuilder_write(&e, tb);
	git_treebuilder_free(tb);
	git_tree_lookup(&base, repo, &e);
	size_t n = 0;
	while (pt[2 * n])
		n++;
	git_tree_update *up = calloc(n + 1, sizeof *up);
	for (size_t i = 0; i < n; i++) {
		git_blob_create_from_buffer(&up[i].id, repo, pt[2 * i + 1], strlen(pt[2 * i + 1]));
		up[i].action = GIT_TREE_UPDATE_UPSERT;
		up[i].filemode = GIT_FILEMODE_BLOB;
		up[i].path = pt[2 * i];
	}
	git_tree_create_updated(&id, repo, base, n, up);
	free(up);
	git_tree_free(base);
	git_tree_lookup(&t, repo, &id);
	return t;
}

static char *file_of(const git_oid *tree, const char *path)
{
	git_tree *t;
	git_tree_entry *e;
	git_blob *b;
	char *r = NULL;
	git_tree_lookup(&t, repo, tree);
	if (git_tree_entry_bypath(&e, t, path) == 0) {
		git_blob_lookup(&b, repo, git_tree_entry_id(e));
		r = xstrndup(git_blob_rawcontent(b), (size_t)git_blob_rawsize(b));
		git_blob_free(b);
		git_tree_entry_free(e);
	}
	git_tree_free(t);
	return r;
}

static char reported[1024];
static void report(const char *path, int line, const char *what, void *ctx)
{
	(void)ctx;
	size_t n = strlen(reported);
	snprintf(reported + n, sizeof reported - n, "%s:%d: %s\n", path, line, what);
}

#define EV "tickets/AB/ABCDEF/events.jsonl"
#define M(n) "tickets/AB/ABCDEF/000" n ".eml"

static void trees(void)
{
	char dir[] = "/tmp/test_sync.XXXXXX";
	if (!mkdtemp(dir) || git_repository_init(&repo, dir, 1) != 0) {
		ok(0, "a repository");
		return;
	}
	const char *b[] = { "agents.csv", "h\na,1\nb,2\nc,3\n", EV, "{\"id\":\"r1\",\"at\":\"x\"}\n",
		M("1"), "first", NULL };
	const char *o[] = { "agents.csv", "h\na,10\nb,2\nc,3\n",
		EV, "{\"id\":\"r1\",\"at\":\"x\"}\n{\"file\":\"0002.eml\",\"id\":\"o2\"}\n",
		M("1"), "first", M("2"), "ours", NULL };
	const char *t[] = { "agents.csv", "h\na,1\nb,2\nc,30\n",
		EV, "{\"id\":\"r1\",\"at\":\"x\"}\n{\"file\":\"0002.eml\",\"id\":\"t2\"}\n",
		M("1"), "first", M("2"), "theirs", NULL };
	git_tree *tb = mktree(b), *to = mktree(o), *tt = mktree(t);
	git_oid out;
	*reported = 0;
	is_int(sync_merge_trees(repo, tb, to, tt, &out, report, NULL), 0, "no conflict");
	char *a = file_of(&out, "agents.csv");
	is_str(a, "h\na,10\nb,2\nc,30\n", "agents.csv: changes on two lines merge");
	free(a);
	/* "ours" < "theirs" by blob id decides which message keeps 0002 */
	char *m2 = file_of(&out, M("2")), *m3 = file_of(&out, M("3"));
	ok(m2 && m3 && strcmp(m2, m3) && (!strcmp(m2, "ours") || !strcmp(m2, "theirs")) &&
	    (!strcmp(m3, "ours") || !strcmp(m3, "theirs")), "two messages named 0002: both kept, one as 0003");
	char *ev = file_of(&out, EV);
	const char *moved = m3 && !strcmp(m3, "ours") ? "o2" : "t2";
	char want[128];
	snprintf(want, sizeof want, "\"file\":\"0003.eml\",\"id\":\"%s\"", moved);
	ok(ev && strstr(ev, want) && strstr(ev, "\"r1\"") && strstr(ev, "\"o2\"") && strstr(ev, "\"t2\""),
	    "the events: a union, the moved message's event names 0003");
	free(ev);
	free(m2);
	free(m3);
	/* overlapping changes: a conflict with the local line */
	const char *t2[] = { "agents.csv", "h\na,11\nb,2\nc,3\n", EV, "", M("1"), "first", NULL };
	git_tree *tt2 = mktree(t2);
	*reported = 0;
	is_int(sync_merge_trees(repo, tb, to, tt2, &out, report, NULL), 1, "a conflict on one line");
	is_str(reported, "agents.csv:2: conflict: changed here and on the remote\n", "... reported at its line");
	/* a file deleted on one side, changed on the other */
	const char *t3[] = { EV, "", M("1"), "first", NULL };
	git_tree *tt3 = mktree(t3);
	*reported = 0;
	is_int(sync_merge_trees(repo, tb, to, tt3, &out, report, NULL), 1, "changed here, deleted there");
	is_str(reported, "agents.csv:1: conflict: changed here and deleted on the remote\n", "... reported");
	git_tree_free(tb);
	git_tree_free(to);
	git_tree_free(tt);
	git_tree_free(tt2);
	git_tree_free(tt3);
	git_repository_free(repo);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ok(0, "cleanup");
}

static int is(const char *a, size_t al, const char *b, size_t bl, const char *want)
{
	struct buf o = { 0 };
	sync_union_events(NULL, 0, a, al, b, bl, &o);
	int r = !strcmp(o.p, want);
	if (!r)
		fprintf(stderr, "# got:\n%s# want:\n%s", o.p, want);
	buf_free(&o);
	return r;
}
#define IS(a, b, want) is(a, strlen(a), b, strlen(b), want)

static int is3(const char *base, const char *a, const char *b, const char *want)
{
	struct buf o = { 0 };
	sync_union_events(base, base ? strlen(base) : 0, a, strlen(a), b, strlen(b), &o);
	int r = !strcmp(o.p, want);
	if (!r)
		fprintf(stderr, "# got:\n%s# want:\n%s", o.p, want);
	buf_free(&o);
	return r;
}

/* The desk's layout: what a sync or a clone takes. */
static void layout(void)
{
	static const char *const yes[] = { "desk.conf", "agents.csv", "customers.csv",
		"routing.sieve", "sla.conf", ".gitattributes", "calendars/support-eu.conf",
		"templates/ack.txt", "templates/answer.pt.txt", "tickets/4H/4HGMEEHM/events.jsonl",
		"tickets/4H/4HGMEEHM/0001.eml", "tickets/4H/4HGMEEHM/10000.eml", NULL };
	static const char *const no[] = { "", "passwd-link", ".gitmodules", "README",
		"desk.conf/x", "calendars/.conf", "calendars/a/b.conf", "calendars/x.txt",
		"templates/.hidden.txt", "templates/x", "templates/a b.txt", "tickets/ZZ",
		"tickets/ZZ/x", "tickets/4H/4HGMEEHM", "tickets/4H/5HGMEEHM/events.jsonl",
		"tickets/4H/4hgmeehm/events.jsonl", "tickets/4H/4HGMEEHM/run",
		"tickets/4H/4HGMEEHM/x.eml", "tickets/4H/4HGMEEHM/sub/0001.eml",
		"tickets/4H/4H/events.jsonl", ".git/config", "tickets/4H/../4HGMEEHM/events.jsonl",
		NULL };
	for (int i = 0; yes[i]; i++)
		ok(sync_desk_path(yes[i]) == 1, "layout: %s", yes[i]);
	for (int i = 0; no[i]; i++)
		ok(sync_desk_path(no[i]) == 0, "not in the layout: '%s'", no[i]);
}

int main(void)
{
	layout();
	ok(IS("", "", ""), "empty");
	ok(IS("{\"id\":\"1\"}\n", "{\"id\":\"1\"}\n", "{\"id\":\"1\"}\n"), "one event on both sides is one");
	ok(IS("{\"id\":\"1\",\"at\":\"a\"}\n", "{\"at\":\"a\",\"id\":\"1\"}\n{\"id\":\"2\"}\n",
	    "{\"id\":\"1\",\"at\":\"a\"}\n{\"id\":\"2\"}\n"), "the same id written otherwise is one; new ones follow");
	ok(IS("{\"id\":\"1\"}", "{\"id\":\"2\"}", "{\"id\":\"1\"}\n{\"id\":\"2\"}\n"), "no final newline");
	ok(IS("x\n", "x\ny\ny\n", "x\ny\n"), "lines without ids count by bytes");
	ok(IS("", "{\"id\":\"3\"}\n{\"id\":\"3\"}\n", "{\"id\":\"3\"}\n"), "a repeat on the other side is dropped");
	ok(IS("{\"id\":\"3\"}\n{\"id\":\"3\"}\n", "", "{\"id\":\"3\"}\n{\"id\":\"3\"}\n"), "the local side is kept as it is");
	ok(IS("\n\n{\"id\":\"4\"}\n", "{bad\n", "{\"id\":\"4\"}\n{bad\n"), "blank lines go, malformed lines stay");
	ok(is3("{\"id\":\"1\",\"file\":\"0002.eml\"}\n",
	    "{\"id\":\"1\",\"file\":\"0002.eml\"}\n{\"id\":\"2\"}\n",
	    "{\"id\":\"1\",\"file\":\"0003.eml\"}\n",
	    "{\"id\":\"1\",\"file\":\"0003.eml\"}\n{\"id\":\"2\"}\n"),
	    "a line the remote changed (a file renamed) and this side did not: the remote's");
	ok(is3("{\"id\":\"1\",\"file\":\"0002.eml\"}\n",
	    "{\"id\":\"1\",\"file\":\"0004.eml\"}\n",
	    "{\"id\":\"1\",\"file\":\"0003.eml\"}\n",
	    "{\"id\":\"1\",\"file\":\"0004.eml\"}\n"),
	    "a line changed on both sides: this side's");
	ok(is3(NULL, "{\"id\":\"1\",\"file\":\"0002.eml\"}\n",
	    "{\"id\":\"1\",\"file\":\"0003.eml\"}\n",
	    "{\"id\":\"1\",\"file\":\"0002.eml\"}\n"), "no base: this side's line");
	git_libgit2_init();
	trees();
	git_libgit2_shutdown();
	return done_testing();
}
