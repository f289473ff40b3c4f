/* tap.h: minimal TAP producer for the unit tests of common/. */
#ifndef MDESK_TAP_H
#define MDESK_TAP_H
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define ok(cond, ...) do { \
	tap_n++; \
	if (cond) printf("ok %d - ", tap_n); \
	else { printf("not ok %d - ", tap_n); tap_failed++; \
		fprintf(stdout, "\n#   at %s:%d\n# ", __FILE__, __LINE__); } \
	printf(__VA_ARGS__); putchar('\n'); } while (0)

#define is_str(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	int c_ = (g_ == NULL && w_ == NULL) || (g_ && w_ && strcmp(g_, w_) == 0); \
	ok(c_, __VA_ARGS__); \
	if (!c_) printf("#   got:      '%s'\n#   expected: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
	} while (0)

#define is_int(got, want, ...) do { \
	long long g_ = (got), w_ = (want); \
	ok(g_ == w_, __VA_ARGS__); \
	if (g_ != w_) printf("#   got: %lld expected: %lld\n", g_, w_); } while (0)

static int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}
#endif
