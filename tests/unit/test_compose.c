/* Unit tests: common/compose.c: the parts of a message (a file by its
 * bytes' type, a mail message as message/rfc822 when it can go so). */
#include <stdio.h>
#include <stdlib.h>
#include "compose.h"
#include "tap.h"

static char *part(const char *name, const char *p, size_t n)
{
	struct buf b = { 0 };
	compose_part(&b, name, p, n);
	buf_cstr(&b);
	return b.p;
}

int main(void)
{
	static const char pdf[] = "%PDF-1.4\n1 0 obj\n<<>>\nendobj\n";
	char *s = part("a.pdf", pdf, sizeof pdf - 1);
	ok(strstr(s, "Content-Type: application/pdf\n") && strstr(s, "filename=\"a.pdf\""),
	    "a PDF by its bytes, under its name");
	ok(strstr(s, "JVBERi0xLjQK") != NULL, "  ... in base64");
	free(s);
	static const char mail[] = "From: a@x\nSubject: hi\n\nhello\n";
	s = part(NULL, mail, sizeof mail - 1);
	is_str(s, "Content-Type: message/rfc822\nContent-Transfer-Encoding: 7bit\n"
	    "Content-Disposition: inline\n\nFrom: a@x\nSubject: hi\n\nhello\n",
	    "a mail message: message/rfc822, as it is");
	free(s);
	static const char eight[] = "From: a@x\nSubject: ol\xc3\xa1\n\nol\xc3\xa1\n";
	s = part(NULL, eight, sizeof eight - 1);
	ok(strstr(s, "Content-Transfer-Encoding: 8bit\n") != NULL, "  ... 8bit when it has 8-bit bytes");
	free(s);
	static const char nul[] = "From: a@x\n\nx\0y\n";
	s = part(NULL, nul, sizeof nul - 1);
	ok(strstr(s, "Content-Transfer-Encoding: base64\n") != NULL &&
	    !strstr(s, "message/rfc822"), "a message with a NUL: not message/rfc822, base64");
	free(s);
	return done_testing();
}
