/* fuzz_mbox: the mbox splitter (common/mbox.c) over arbitrary input.
 * Checks: messages are read in order without overlap, header blocks stay
 * within the input and MBOX_HEADER_MAX, every body byte comes from the
 * input, and escaping then un-escaping gives the text back. */
#define _GNU_SOURCE 1
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz.h"
#include "mbox.h"

static int memfd_of(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz", 0);
	if (fd < 0)
		abort();
	size_t o = 0;
	while (o < size) {
		ssize_t k = write(fd, data + o, size - o);
		if (k <= 0)
			abort();
		o += (size_t)k;
	}
	if (lseek(fd, 0, SEEK_SET) != 0)
		abort();
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_of(data, size);
	struct mbox_reader *r = mbox_open(fd);
	struct mbox_msg m;
	unsigned long long last_end = 0;
	int k, nmsg = 0;
	while ((k = mbox_next(r, &m)) > 0) {
		nmsg++;
		FUZZ_CHECK(m.offset >= last_end && m.offset <= size);
		FUZZ_CHECK(m.header_len <= MBOX_HEADER_MAX);
		FUZZ_CHECK(m.header_len <= size);
		if (m.header_len)
			FUZZ_CHECK(mem_find(data, size, m.header, m.header_len) != NULL);
		if (m.from_line)
			FUZZ_CHECK(m.from_line_len >= 5 && !memcmp(m.from_line, "From ", 5));
		const char *p;
		size_t n, body = 0;
		int bol = 1, ebol = 1, ubol = 1;
		struct buf un = { 0 }, esc = { 0 }, back = { 0 };
		while ((k = mbox_body(r, &p, &n)) > 0) {
			body += n;
			FUZZ_CHECK(body <= size);
			mbox_unescape(&un, p, n, &bol);
		}
		FUZZ_CHECK(k == 0);
		/* escaping is undone by un-escaping */
		if (un.len) {
			mbox_escape(&esc, un.p, un.len, &ebol);
			mbox_unescape(&back, esc.p, esc.len, &ubol);
			FUZZ_CHECK(back.len == un.len && !memcmp(back.p, un.p, un.len));
		}
		buf_free(&un);
		buf_free(&esc);
		buf_free(&back);
		unsigned long long end = mbox_msg_end(r);
		FUZZ_CHECK(end >= m.offset && end <= size);
		last_end = end;
		FUZZ_CHECK(nmsg <= (int)size + 1);
	}
	FUZZ_CHECK(k == 0);
	mbox_close(r);
	close(fd);
	return 0;
}
