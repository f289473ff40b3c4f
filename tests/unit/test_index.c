/* Unit tests: common/index.c are in test_tickets.c (they need tickets). */
#include "tap.h"
#include "index.h"
int main(void)
{
	ok(1, "see test_tickets");
	return done_testing();
}
