/* fuzz_subject: RFC 5256 base subject, the [#ID] token and the reply
 * subject (common/subject.c).  The base subject is never longer than the subject
 * and is a fixed point. */
#include "fuzz.h"
#include "subject.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* subjects reach subject_base decoded and cleaned (msg_text) */
	char *s = utf8_clean((const char *)data, size, 1);
	int was = 0;
	char *b = subject_base(s, &was);
	FUZZ_CHECK(b && strlen(b) <= strlen(s));
	char tok[13];
	if (subject_token(s, tok)) {
		size_t n = strlen(tok);
		FUZZ_CHECK(n >= 6 && n <= 12 && strspn(tok, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") == n);
	}
	free(b);
	/* the desk's reply subject: one "Re: ", ends with the desk's token */
	char *rs = subject_reply(s, "ABC123");
	FUZZ_CHECK(rs && !strncmp(rs, "Re: ", 4) && strlen(rs) >= 13 &&
	    !strcmp(rs + strlen(rs) - 9, "[#ABC123]") && utf8_valid(rs, strlen(rs)));
	free(rs);
	/* raw bytes too (a subject as written in a file) */
	char *r = fuzz_str(data, size);
	b = subject_base(r, NULL);
	FUZZ_CHECK(b != NULL);
	free(b);
	subject_token(r, tok);
	free(r);
	free(s);
	return 0;
}
