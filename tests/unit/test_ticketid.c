/* Unit tests: common/ticketid.c */
#include "tap.h"
#include "ticketid.h"

int main(void)
{
	char a[13], b[13];
	ticketid("abc@example.com", 15, 8, a);
	ticketid("abc@example.com", 15, 8, b);
	is_str(a, b, "stable");
	ok(ticketid_valid(a), "valid: %s", a);
	ok(strlen(a) == 8, "8 characters");
	ticketid("abc@example.com", 15, 12, b);
	ok(strncmp(a, b, 8) == 0 && strlen(b) == 12, "lengthening keeps the prefix");
	ok(strpbrk(a, "ILOU") == NULL, "no confusable letters");
	ok(!ticketid_valid("ab12cd"), "lower case refused");
	ok(!ticketid_valid("../../x"), "path characters refused");
	ok(!ticketid_valid("ABCDE"), "too short");
	ok(!ticketid_valid("ABCDEFGHJKMNP"), "too long");
	char n[13];
	ok(ticketid_norm("3j3gfesm", n) == 0 && !strcmp(n, "3J3GFESM"), "lower case read as capitals");
	ok(ticketid_norm("3J3gFeSm", n) == 0 && !strcmp(n, "3J3GFESM"), "mixed case too");
	ok(ticketid_norm("../../x", n) == -1 && !*n, "path characters still refused");
	ok(ticketid_norm("abcdefghjkmnp", n) == -1, "too long still refused");
	ok(ticketid_norm("ab\xc3\xa9" "cde", n) == -1, "non-ASCII refused");
	return done_testing();
}
