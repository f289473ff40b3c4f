/* Unit tests: common/util.c */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include "tap.h"
#include "util.h"

int main(void)
{
	char b[32];
	long long t;

	/* UTF-8 cleaning */
	char *c = utf8_clean("caf\xe9 ok", 7, 0);
	is_str(c, "caf\xef\xbf\xbd ok", "invalid byte becomes U+FFFD");
	free(c);
	c = utf8_clean("a\x01" "b\tc", 5, 1);
	is_str(c, "a b\tc", "control becomes space, tab stays");
	free(c);
	c = utf8_clean("\xed\xa0\x80x", 4, 0);
	is_str(c, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdx", "surrogates refused byte by byte");
	free(c);
	ok(utf8_valid("Привет, پاسخ", strlen("Привет, پاسخ")), "Cyrillic and Persian are valid");
	ok(!utf8_valid("\xc0\xaf", 2), "overlong refused");
	ok(!utf8_valid("a\0b", 3), "NUL refused");

	/* RFC 3339 both ways */
	is_str(fmt_rfc3339(0, b), "1970-01-01T00:00:00Z", "epoch");
	is_str(fmt_rfc3339(1794128400LL, b), "2026-11-08T09:00:00Z", "a date in 2026");
	is_str(fmt_rfc3339(951782400LL, b), "2000-02-29T00:00:00Z", "leap day 2000");
	ok(parse_rfc3339("2026-11-08T09:00:00Z", &t) == 0 && t == 1794128400LL, "parse Z");
	ok(parse_rfc3339("2026-11-08T06:00:00-03:00", &t) == 0 && t == 1794128400LL, "parse offset");
	ok(parse_rfc3339("@1794128400", &t) == 0 && t == 1794128400LL, "parse @epoch");
	ok(parse_rfc3339("2026-13-01T00:00:00Z", &t) != 0, "month 13 refused");
	ok(parse_rfc3339("yesterday", &t) != 0, "words refused");
	ok(parse_rfc3339("2026-11-08", &t) == 0 && t == 1794096000LL, "date only is midnight UTC");

	/* hashing is stable across machines and runs */
	is_int((long long)(hash64("", 0) != hash64("a", 1)), 1, "hash differs");
	ok(hash64("abc@example.com", 15) == hash64("abc@example.com", 15), "hash deterministic");
	char hx[32];
	snprintf(hx, sizeof hx, "%016llx", (unsigned long long)hash64("x@y", 3));
	is_str(hx, "34f2d34534ac948e", "hash64 value is fixed (IDs depend on it)");

	/* hash64_wide is XXH64: the reference's values */
	snprintf(hx, sizeof hx, "%016llx", (unsigned long long)hash64_wide("", 0, 0));
	is_str(hx, "ef46db3751d8e999", "XXH64 of nothing");
	snprintf(hx, sizeof hx, "%016llx", (unsigned long long)hash64_wide("abc", 3, 0));
	is_str(hx, "44bc2cf5ad770999", "XXH64 of abc");
	const char *spam = "Nobody inspects the spammish repetition";
	snprintf(hx, sizeof hx, "%016llx", (unsigned long long)hash64_wide(spam, strlen(spam), 0));
	is_str(hx, "fbcea83c8a378bf1", "XXH64 of 39 bytes (the 32-byte steps)");
	ok(hash64_wide(spam, 39, 1) != hash64_wide(spam, 39, 0), "the seed counts");

	/* big_alloc: zeroed, usable to the end, small or big */
	size_t bigs[] = { 0, 100, (size_t)3 << 20, ((size_t)2 << 20) + 1 };
	int bigok = 1;
	for (size_t i = 0; i < sizeof bigs / sizeof *bigs; i++) {
		unsigned char *bp = big_alloc(bigs[i]);
		for (size_t k = 0; k < bigs[i]; k += 4093)
			bigok &= bp[k] == 0;
		if (bigs[i]) {
			bigok &= bp[bigs[i] - 1] == 0;
			memset(bp, 0xab, bigs[i]);
		}
		big_free(bp, bigs[i]);
	}
	ok(bigok, "big_alloc: zeroed, writable to the end");

	/* big_read_fd: the bytes and a NUL, in memory that held other bytes */
	char tmpl[] = "/tmp/mdesk-util.XXXXXX";
	int fd = mkstemp(tmpl);
	ok(fd >= 0 && write(fd, "abc", 3) == 3 && lseek(fd, 0, SEEK_SET) == 0, "a file of 3 bytes");
	char *dirty = xmalloc(4);
	memset(dirty, 'x', 4);
	free(dirty);
	size_t rl = 0;
	char *whole = big_read_fd(fd, 100, &rl);
	ok(whole && rl == 3 && !strcmp(whole, "abc"), "big_read_fd: the bytes, NUL-terminated");
	big_free(whole, rl + 1);
	ok(big_read_fd(fd, 2, &rl) == NULL, "big_read_fd: larger than max: NULL");
	close(fd);
	unlink(tmpl);
	ok(big_read_fd(0 - 1, 100, &rl) == NULL, "big_read_fd: no file: NULL");

	/* mem_find */
	const char *hay = "ab\nFrom x\n\nFrom y";
	ok(mem_find(hay, strlen(hay), "\n\nFrom ", 7) == hay + 9, "mem_find finds");
	ok(mem_find(hay, 5, "From", 4) == NULL, "mem_find respects length");

	/* arena */
	struct arena a = { 0 };
	char *s1 = arena_strndup(&a, "hello", 5);
	char *big = arena_alloc(&a, 1 << 20);
	big[0] = 1;
	char *s2 = arena_strndup(&a, "world", 5);
	is_str(s1, "hello", "arena keeps strings");
	is_str(s2, "world", "arena after a big block");
	arena_reset(&a);
	arena_free(&a);

	struct buf bb = { 0 };
	for (int i = 0; i < 1000; i++)
		buf_adds(&bb, "0123456789");
	is_int((long long)bb.len, 10000, "buf grows");
	buf_free(&bb);
	/* strtab: many keys, grown, found; absent keys are 0; clear */
	{
		struct strtab st = { 0 };
		char (*keys)[16] = xmalloc(5000 * sizeof *keys);
		for (int i = 0; i < 5000; i++) {
			snprintf(keys[i], sizeof keys[i], "k%d", i * 7);
			strtab_put(&st, keys[i], (size_t)i + 1);
		}
		strtab_put(&st, keys[42], 9999);	/* a key again: its value replaced */
		int good = st.n == 5000;
		for (int i = 0; i < 5000; i++)
			good &= strtab_get(&st, keys[i]) == (i == 42 ? 9999u : (size_t)i + 1);
		ok(good, "strtab: 5000 keys found, one replaced");
		ok(strtab_get(&st, "k1") == 0 && strtab_get(&st, "") == 0, "strtab: absent keys are 0");
		strtab_clear(&st);
		ok(st.n == 0 && strtab_get(&st, keys[7]) == 0, "strtab: cleared");
		strtab_put(&st, keys[7], 3);
		ok(strtab_get(&st, keys[7]) == 3, "strtab: used again after a clear");
		strtab_free(&st);
		free(keys);
	}
	return done_testing();
}
