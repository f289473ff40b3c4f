/* Unit tests: common/ring.c, a byte stream between two processes. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "ring.h"
#include "tap.h"

/* The byte at offset i of the test stream. */
static unsigned char byte_at(uint64_t i)
{
	return (unsigned char)((i * 2654435761u) >> 13);
}

int main(void)
{
	/* a stream many times the ring's size, in pieces of every size, some
	 * larger than the ring */
	struct ring *r = ring_new(4096);
	ok(r != NULL, "made");
	const uint64_t total = 3u << 20;
	pid_t pid = fork();
	if (pid == 0) {
		unsigned char b[10000];
		uint64_t at = 0;
		for (size_t piece = 1; at < total; piece = piece * 7 % 9973 + 1) {
			size_t n = piece > total - at ? (size_t)(total - at) : piece;
			for (size_t i = 0; i < n; i++)
				b[i] = byte_at(at + i);
			if (ring_put(r, b, n) != 0)
				_exit(2);
			at += n;
		}
		ring_close_put(r);
		_exit(0);
	}
	unsigned char b[6000];
	uint64_t at = 0;
	int same = 1, got = 0;
	for (size_t piece = 3; at < total; piece = piece * 5 % 5987 + 1) {
		size_t n = piece > total - at ? (size_t)(total - at) : piece;
		if (ring_get(r, b, n, pid) != 0) {
			got = -1;
			break;
		}
		for (size_t i = 0; i < n; i++)
			same &= b[i] == byte_at(at + i);
		at += n;
	}
	ok(got == 0 && at == total, "3 MiB through a 4 KiB ring");
	ok(same, "every byte in its order");
	ok(ring_get(r, b, 1, pid) == -1, "after the writer's close: the end");
	int st;
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the writer finished");
	ring_free(r);

	/* a writer that dies without closing: the reader is told */
	r = ring_new(4096);
	pid = fork();
	if (pid == 0) {
		ring_put(r, "abc", 3);
		_exit(0);
	}
	char s[8] = "";
	ok(ring_get(r, s, 3, pid) == 0 && !memcmp(s, "abc", 3), "a dying writer's bytes are read");
	ok(ring_get(r, s, 1, pid) == -1, "then the end, not a wait for ever");
	waitpid(pid, &st, 0);
	ring_free(r);

	/* a writer killed while the reader waits */
	r = ring_new(4096);
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	kill(pid, SIGKILL);
	ok(ring_get(r, s, 1, pid) == -1, "a killed writer: the end");
	waitpid(pid, &st, 0);
	ring_free(r);

	/* a reader that stops: the writer waiting for room is told */
	r = ring_new(4096);
	pid = fork();
	if (pid == 0) {
		static unsigned char big[20000];
		_exit(ring_put(r, big, sizeof big) == -1 ? 0 : 1);
	}
	ok(ring_get(r, s, 8, pid) == 0, "some bytes");
	ring_close_get(r);
	waitpid(pid, &st, 0);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the writer is told the reader stopped");
	ring_free(r);

	/* the writer's parent gone: it stops waiting */
	r = ring_new(4096);
	int pfd[2];
	if (pipe(pfd) != 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		pid_t w = fork();
		if (w == 0) {
			/* a grandchild writes into its grandparent's ring... */
			static unsigned char big[20000];
			int rc = ring_put(r, big, sizeof big);
			(void)!write(pfd[1], rc == -1 ? "y" : "n", 1);
			_exit(0);
		}
		_exit(0);
	}
	close(pfd[1]);
	char c = 0;
	ok(read(pfd[0], &c, 1) == 1 && c == 'y', "a writer whose ring's maker is not its parent gives up when full");
	close(pfd[0]);
	waitpid(pid, &st, 0);
	ring_free(r);

	/* how far the writer is ahead */
	r = ring_new(4096);
	ok(ring_filled(r) == 0, "an empty ring holds nothing");
	ring_put(r, "abcdef", 6);
	ok(ring_filled(r) == 6, "six bytes put: six held");
	ring_get(r, s, 4, 0);
	ok(ring_filled(r) == 2, "four got: two held");
	ring_free(r);
	return done_testing();
}
