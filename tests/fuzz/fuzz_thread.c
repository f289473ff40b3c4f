/* fuzz_thread: the threading core (common/thread.c) over the messages of
 * an mbox, read as mthread reads them.  The first byte picks the options.
 * Checks: every message appears once in the walk of the threads, no walk
 * loops, and the parents do not depend on the order of the input (the
 * messages are threaded again in reverse order and compared). */
#define _GNU_SOURCE 1
#include <sys/mman.h>
#include <unistd.h>
#include "fuzz.h"
#include "mbox.h"
#include "msg.h"
#include "thread.h"

#define MAXMSG 256

struct one {
	struct msg_ids ids;
	const char **refs;	/* copies */
	long long date;
	char *subject, *from, *name;
};

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

static char *dup0(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct walk {
	struct thr *t;
	unsigned char *seen;
	uint32_t visits;
};

static void on_node(void *ctx, uint32_t x, uint32_t depth)
{
	struct walk *w = ctx;
	FUZZ_CHECK(x < w->t->count);
	FUZZ_CHECK(depth <= w->t->count);
	FUZZ_CHECK(!w->seen[x]);
	w->seen[x] = 1;
	w->visits++;
}

static struct thr *thread(struct one *v, size_t n, int flags, int reverse_input)
{
	struct thr *t = thr_new();
	for (size_t k = 0; k < n; k++) {
		size_t i = reverse_input ? n - 1 - k : k;
		thr_add(t, &v[i].ids, (uint32_t)i + 1, v[i].date, v[i].subject,
		    v[i].from, v[i].name);
	}
	thr_link(t, flags, 0);
	struct walk w = { t, calloc(t->count + 1, 1), 0 };
	for (uint32_t r = 0; r < t->nroots; r++)
		thr_walk(t, t->roots[r], 1, on_node, &w);
	/* every message (and every later copy) is in some thread */
	for (uint32_t x = 0; x < t->count; x++)
		if (t->n[x].index)
			FUZZ_CHECK(w.seen[x]);
	free(w.seen);
	return t;
}

static const char *parent_mid(struct thr *t, const char *mid)
{
	uint32_t x = thr_find(t, mid);
	FUZZ_CHECK(x != THR_NONE);
	uint32_t p = t->n[x].parent;
	return p == THR_NONE ? "" : t->n[p].mid;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int flags = data[0] & 3;
	int fd = memfd_of(data + 1, size - 1);
	struct mbox_reader *r = mbox_open(fd);
	struct mbox_msg mm;
	static struct msg m;
	struct one *v = calloc(MAXMSG, sizeof *v);
	size_t n = 0;
	while (n < MAXMSG && mbox_next(r, &mm) > 0) {
		struct one *o = &v[n];
		msg_open(&m, mm.header, mm.header_len);
		msg_ids(&m, &o->ids);
		if (!o->ids.mid[0]) {
			char hid[64];
			msg_hash_id(msg_hash_header(HASH64_INIT, mm.header, mm.header_len), hid);
			snprintf(o->ids.mid, sizeof o->ids.mid, "%s", hid);
		}
		o->refs = calloc(o->ids.nrefs + 1, sizeof *o->refs);
		for (size_t i = 0; i < o->ids.nrefs; i++)
			o->refs[i] = xstrdup(o->ids.refs[i]);
		o->ids.refs = o->refs;
		if (msg_date(&m, &o->date) != 0)
			o->date = THR_NODATE;
		const char *a = NULL, *d = NULL;
		msg_addr(&m, "From", &a, &d);
		o->from = dup0(a);
		o->name = dup0(d);
		o->subject = dup0(msg_text(&m, "Subject"));
		msg_close(&m);
		n++;
	}
	mbox_close(r);
	close(fd);

	struct thr *t1 = thread(v, n, flags, 0);
	/* order independence, when every Message-ID is distinct (copies of
	 * one id are told apart by input position by design) */
	int distinct = 1;
	for (size_t i = 0; i < n && distinct; i++)
		for (size_t j = i + 1; j < n && distinct; j++)
			distinct = strcmp(v[i].ids.mid, v[j].ids.mid) != 0;
	if (distinct && !(flags & THR_SUBJECT)) {
		struct thr *t2 = thread(v, n, flags, 1);
		for (size_t i = 0; i < n; i++) {
			const char *p1 = parent_mid(t1, v[i].ids.mid);
			const char *p2 = parent_mid(t2, v[i].ids.mid);
			if (strcmp(p1, p2)) {
				fprintf(stderr, "message <%s>: parent <%s> or <%s> by input order\n",
				    v[i].ids.mid, p1, p2);
				abort();
			}
		}
		thr_free(t2);
	}
	thr_free(t1);
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < v[i].ids.nrefs; k++)
			free((void *)v[i].refs[k]);
		free(v[i].refs);
		free(v[i].subject);
		free(v[i].from);
		free(v[i].name);
	}
	free(v);
	return 0;
}
