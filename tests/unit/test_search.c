/* Unit tests: common/search.c, the words of a query as FTS5 phrases (the
 * index over a desk is tested through mdesk search, tests/t/mdesk-search.t). */
#include <stdlib.h>
#include <string.h>
#include "search.h"
#include "tap.h"

static void phr(const char *in, const char *want, const char *what)
{
	char *q = search_phrases(in);
	is_str(q, want, what);
	free(q);
}

int main(void)
{
	phr("refund", "\"refund\"", "a word, a phrase");
	phr("  refund  order ", "\"refund\" \"order\"", "words, each a phrase");
	phr("\"late parcel\" x", "\"late parcel\" \"x\"", "text in quotes, one phrase");
	phr("refu*", "\"refu\" *", "a trailing star, a prefix");
	phr("a\"b", "\"a\" \"b\"", "a quote ends a word");
	phr("x' OR 1=1; --", "\"x'\" \"OR\" \"1=1;\" \"--\"", "operators and SQL stay words");
	phr("\"unclosed", "\"unclosed\"", "an unclosed quote ends at the end");
	phr("  \"\" * ", "", "nothing to look for");
	return done_testing();
}
