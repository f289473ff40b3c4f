/* fuzz_mime: the readable text of a message (common/mime.c, what mdesk
 * show prints) and HTML to text.  Both give valid UTF-8. */
#include "fuzz.h"
#include "mime.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *t = mime_text((const char *)data, size);
	FUZZ_CHECK(t && utf8_valid(t, strlen(t)));
	free(t);
	t = html_to_text((const char *)data, size);
	FUZZ_CHECK(t != NULL);
	free(t);
	return 0;
}
