/* Unit tests: common/csvw.c */
#include <stdlib.h>
#include "csvw.h"
#include "tap.h"

static char rows[8][4][64];
static long lines[8];
static int nrows;

static void cb(void *ctx, char **f, size_t n, long line)
{
	(void)ctx;
	for (size_t i = 0; i < n && i < 4; i++)
		snprintf(rows[nrows][i], 64, "%s", f[i]);
	lines[nrows] = line;
	nrows++;
}

int main(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	const char *r1[] = { "login", "name", "note" };
	const char *r2[] = { "ana", "Ribeiro, Ana", "says \"hi\"\nand bye" };
	const char *r3[] = { "bob", NULL, " padded " };
	csvw_row(f, r1, 3);
	csvw_row(f, r2, 3);
	csvw_row(f, r3, 3);
	fclose(f);
	ok(strstr(buf, "login,name,note\r\n") == buf, "plain fields unquoted, CRLF");
	ok(strstr(buf, "\"Ribeiro, Ana\"") != NULL, "comma quoted");
	ok(strstr(buf, "\"says \"\"hi\"\"\nand bye\"") != NULL, "quotes doubled, newline kept");
	long bad = csvw_parse(buf, len, cb, NULL);
	is_int(bad, 0, "parses back");
	is_int(nrows, 3, "three rows");
	is_str(rows[1][1], "Ribeiro, Ana", "field round trip");
	is_str(rows[1][2], "says \"hi\"\nand bye", "multi-line field round trip");
	is_str(rows[2][2], " padded ", "spaces kept when quoted");
	is_int(lines[2], 4, "line number of the row after a multi-line field");
	free(buf);
	nrows = 0;
	const char *broken = "a,b\nc,\"d\ne,f\n";
	bad = csvw_parse(broken, strlen(broken), cb, NULL);
	ok(bad == 2, "unterminated quote reported at its row (%ld)", bad);
	return done_testing();
}
