/* Unit tests of common/packw.c: SHA-1 vectors, and a commit whose objects
 * are held in memory and written as one pack that git reads back. */
#include "tap.h"
#include "packw.h"
#include "util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *hex(const unsigned char *d)
{
	static char b[41];
	for (int i = 0; i < 20; i++)
		sprintf(b + 2 * i, "%02x", d[i]);
	return b;
}

/* Loose object files and packs under dir/.git/objects. */
static void count_objects(const char *dir, int *loose, int *packs)
{
	char p[1200];
	*loose = *packs = 0;
	for (int i = 0; i < 256; i++) {
		snprintf(p, sizeof p, "%s/.git/objects/%02x", dir, i);
		DIR *d = opendir(p);
		struct dirent *e;
		while (d && (e = readdir(d)))
			if (strlen(e->d_name) == 38)
				(*loose)++;
		if (d)
			closedir(d);
	}
	snprintf(p, sizeof p, "%s/.git/objects/pack", dir);
	DIR *d = opendir(p);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (n > 5 && !strcmp(e->d_name + n - 5, ".pack"))
			(*packs)++;
	}
	if (d)
		closedir(d);
}

int main(void)
{
	unsigned char d[20];
	packw_sha1("", 0, d);
	is_str(hex(d), "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1 of nothing");
	packw_sha1("abc", 3, d);
	is_str(hex(d), "a9993e364706816aba3e25717850c26c9cd0d89d", "sha1 of abc");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	packw_sha1(m, strlen(m), d);
	is_str(hex(d), "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "sha1 of 448 bits");
	char *mil = malloc(1000000);
	memset(mil, 'a', 1000000);
	packw_sha1(mil, 1000000, d);
	is_str(hex(d), "34aa973cd4c4daa4f61eeb2bdbad27316534016f", "sha1 of a million a");
	free(mil);
	mil = malloc(2097152);	/* over 1 MB: libcrypto's */
	memset(mil, 'a', 2097152);
	packw_sha1(mil, 2097152, d);
	is_str(hex(d), "b84b7b775430232c2ee4e2216db1a591d97b2db0", "sha1 of 2 MiB of a (libcrypto)");
	free(mil);

	char tmpl[] = "/tmp/test_packw.XXXXXX";
	char *dir = mkdtemp(tmpl);
	ok(dir != NULL, "a temporary folder");
	git_libgit2_init();
	git_repository *repo;
	ok(git_repository_init(&repo, dir, 0) == 0, "a repository");
	struct packw *p = packw_attach(repo);
	ok(p != NULL, "the backend attaches");

	/* objects made while inactive are loose as ever */
	git_oid before;
	ok(git_blob_create_from_buffer(&before, repo, "loose\n", 6) == 0, "a loose blob");
	ok(!packw_holds(p, &before) && packw_count(p) == 0, "not held while inactive");

	packw_begin(p);
	git_treebuilder *tb;
	git_treebuilder_new(&tb, repo, NULL);
	git_oid ids[300];
	int held = 1;
	for (int i = 0; i < 300; i++) {
		char name[32], body[200000];
		size_t n = i == 7 ? sizeof body : (size_t)(40 + i);
		for (size_t k = 0; k < n; k++)
			body[k] = (char)('a' + (k * 7 + (size_t)i) % 26);
		snprintf(name, sizeof name, "%04d.eml", i);
		git_blob_create_from_buffer(&ids[i], repo, body, n);
		held &= packw_holds(p, &ids[i]);
		git_treebuilder_insert(NULL, tb, name, &ids[i], GIT_FILEMODE_BLOB);
	}
	ok(held, "every new blob is held in memory");
	git_oid again;
	git_blob_create_from_buffer(&again, repo, "loose\n", 6);
	ok(!packw_holds(p, &again), "an object already on disk is not held again");
	git_oid tree, commit;
	ok(git_treebuilder_write(&tree, tb) == 0, "a tree from held blobs");
	git_treebuilder_free(tb);
	git_tree *t;
	ok(git_tree_lookup(&t, repo, &tree) == 0, "the held tree reads back");
	git_signature *sig;
	git_signature_new(&sig, "T", "t@example.invalid", 1700000000, 0);
	ok(git_commit_create(&commit, repo, "refs/heads/main", sig, sig, NULL, "m", t, 0, NULL) == 0,
	    "a commit of held objects");
	git_signature_free(sig);
	git_tree_free(t);
	is_int(packw_count(p), 302, "300 blobs, a tree and a commit held");
	int loose, packs;
	count_objects(dir, &loose, &packs);
	is_int(loose, 1, "no loose file for them");
	is_int(packw_flush(p, 0), 0, "flushed as a pack");
	is_int(packw_count(p), 0, "nothing held after the flush");
	count_objects(dir, &loose, &packs);
	is_int(packs, 1, "one pack");
	/* a fresh database of the folder (no backend of ours) reads them */
	git_odb *odb;
	char od[1200];
	snprintf(od, sizeof od, "%s/.git/objects", dir);
	ok(git_odb_open(&odb, od) == 0, "a fresh object database");
	int all = git_odb_exists(odb, &tree) && git_odb_exists(odb, &commit);
	for (int i = 0; i < 300; i++)
		all &= git_odb_exists(odb, &ids[i]);
	ok(all, "every object is in the pack");
	git_odb_object *o;
	ok(git_odb_read(&o, odb, &ids[7]) == 0 && git_odb_object_size(o) == 200000,
	    "a large blob reads back whole");
	git_odb_object_free(o);
	git_odb_free(odb);

	/* after the flush, new objects are loose again */
	git_oid later;
	git_blob_create_from_buffer(&later, repo, "later\n", 6);
	count_objects(dir, &loose, &packs);
	is_int(loose, 2, "loose objects again after the flush");

	/* a discarded batch leaves nothing */
	packw_begin(p);
	git_oid gone;
	git_blob_create_from_buffer(&gone, repo, "gone\n", 5);
	ok(packw_holds(p, &gone), "held");
	packw_discard(p);
	git_odb *rodb;
	git_repository_odb(&rodb, repo);
	ok(!git_odb_exists(rodb, &gone), "a discarded object is gone");
	git_odb_free(rodb);

	/* packw_put hashes as git does: empty, small and large objects */
	packw_begin(p);
	int same = 1;
	for (size_t n = 0; n < 300000; n = n ? n * 7 : 1) {
		static char big[300000];
		for (size_t k = 0; k < n; k++)
			big[k] = (char)(k * 31 + n);
		git_oid a, b;
		same &= packw_put(p, &a, GIT_OBJECT_BLOB, big, n) == 0 &&
		    git_odb_hash(&b, big, n, GIT_OBJECT_BLOB) == 0 && git_oid_equal(&a, &b);
		same &= packw_put(p, &a, GIT_OBJECT_TREE, big, n) == 0 &&
		    git_odb_hash(&b, big, n, GIT_OBJECT_TREE) == 0 && git_oid_equal(&a, &b);
	}
	packw_discard(p);
	ok(same, "packw_put names blobs and trees as git does");

	/* a blob deflated ahead (mroute's reading process) is written from
	 * the offered bytes, and reads back as itself */
	const char *msg = "From: a@example.org\nSubject: offered\n\nbody of the offered blob\n";
	git_oid oid, put;
	size_t zl = 0;
	void *z = packw_deflate_blob(msg, strlen(msg), &oid, &zl);
	git_oid_fromstr(&put, "0000000000000000000000000000000000000000");
	ok(z && zl > 0 && git_odb_hash(&put, msg, strlen(msg), GIT_OBJECT_BLOB) == 0 &&
	    git_oid_equal(&oid, &put), "a blob deflated ahead is named as git names it");
	packw_begin(p);
	packw_offer(p, &oid, z, zl);
	ok(packw_put(p, &put, GIT_OBJECT_BLOB, msg, strlen(msg)) == 0 && git_oid_equal(&put, &oid),
	    "the offered blob is put");
	is_int(packw_flush(p, 0), 0, "and flushed");
	ok(git_odb_open(&odb, od) == 0 && git_odb_read(&o, odb, &oid) == 0 &&
	    git_odb_object_size(o) == strlen(msg) && !memcmp(git_odb_object_data(o), msg, strlen(msg)),
	    "the offered bytes read back as the blob");
	git_odb_object_free(o);
	git_odb_free(odb);

	char cmd[1400];
	snprintf(cmd, sizeof cmd, "git -C '%s' fsck --strict >/dev/null 2>&1", dir);
	ok(system(cmd) == 0, "git fsck accepts the pack");
	git_repository_free(repo);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	git_libgit2_shutdown();
	return done_testing();
}
