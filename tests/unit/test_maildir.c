/* Unit tests: common/maildir.c (the names; the rest through mdesk maildir,
 * tests/t/mdesk-maildir.t) */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "maildir.h"

int main(void)
{
	char b[24];
	ok(maildir_name("3J3GFESM.0001", b) && !strcmp(b, "3J3GFESM.0001"), "ID.NNNN");
	ok(maildir_name("3J3GFESM.0012:2,FRSab", b) && !strcmp(b, "3J3GFESM.0012"), "with its info");
	ok(!maildir_name("3j3gfesm.0001", b), "lower case: not ours");
	ok(!maildir_name("3J3GFESM.0001,S=123", b), "another program's info: not ours");
	ok(!maildir_name("1700000000.M1P2.host:2,S", b), "a delivery name: not ours");
	ok(!maildir_name("../3J3GFESM.0001", b), "a path: not ours");
	ok(!maildir_name(".3J3GFESM.0001", b), "a leading dot: not ours");
	ok(!maildir_name("3J3GFESM.123456789", b), "nine digits: not ours");
	ok(!maildir_name("3J3GFESM.", b), "no number: not ours");

	char dir[] = "/tmp/test_maildir.XXXXXX";
	ok(mkdtemp(dir) != NULL, "a folder");
	char p[128];
	snprintf(p, sizeof p, "%s/m", dir);
	struct maildir *m = maildir_open(p);
	struct maildir_stats st = { 0 };
	ok(m != NULL, "open makes the maildir");
	ok(m && maildir_close(m, &st) == 0 && st.written + st.removed == 0, "an empty run");
	struct stat s;
	snprintf(p, sizeof p, "%s/m/cur", dir);
	ok(stat(p, &s) == 0 && S_ISDIR(s.st_mode), "cur/ is there");
	snprintf(p, sizeof p, "%s/m/cur/ABCDEF.0001:2,S", dir);
	FILE *f = fopen(p, "w");
	ok(f && fclose(f) == 0, "a message of ours");
	snprintf(p, sizeof p, "%s/m", dir);
	m = maildir_open(p);
	ok(m && maildir_close(m, &st) == 0 && st.removed == 1, "a run without its ticket removes it");
	snprintf(p, sizeof p, "rm -rf '%s'", dir);
	ok(system(p) == 0, "cleaned up");
	return done_testing();
}
