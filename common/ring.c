/* ring.c: a byte stream through shared memory (see ring.h).
 *
 * head counts the bytes ever put, tail those ever got; the data lives at
 * their values modulo cap.  Only the writer moves head and only the
 * reader tail.  A side about to sleep raises its flag, looks again, then
 * waits on its semaphore; the other side, after moving its counter, posts
 * when it finds the flag raised.  Both look at the counters and flags in
 * sequentially consistent order, so one of them always sees the other.
 * The waits time out now and then to look whether the other process is
 * still there. */
#include "ring.h"

#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct ring {
	_Atomic uint64_t head, tail;
	_Atomic int wwait, rwait;	/* the writer waits for room, the
					 * reader for bytes */
	_Atomic int wclosed, rclosed;
	sem_t room, bytes;
	pid_t maker;
	size_t cap, size;	/* the data's bytes; the mapping's */
	unsigned char *data;	/* the maker's address: fork keeps it */
};

struct ring *ring_new(size_t cap)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t ps = pg > 0 ? (size_t)pg : 4096;
	if (cap < 4096)
		cap = 4096;
	size_t head = (sizeof(struct ring) + ps - 1) / ps * ps;
	if (cap > SIZE_MAX - head) {
		errno = ENOMEM;
		return NULL;
	}
	void *m = mmap(NULL, head + cap, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	struct ring *r = m;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	atomic_init(&r->wwait, 0);
	atomic_init(&r->rwait, 0);
	atomic_init(&r->wclosed, 0);
	atomic_init(&r->rclosed, 0);
	if (sem_init(&r->room, 1, 0) != 0 || sem_init(&r->bytes, 1, 0) != 0) {
		int e = errno;
		munmap(m, head + cap);
		errno = e;
		return NULL;
	}
	r->maker = getpid();
	r->cap = cap;
	r->size = head + cap;
	r->data = (unsigned char *)m + head;
	return r;
}

void ring_free(struct ring *r)
{
	if (r)
		munmap(r, r->size);
}

/* Sleep on s for a while (a fifth of a second at most). */
static void nap(sem_t *s)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += 200000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	while (sem_timedwait(s, &ts) != 0 && errno == EINTR)
		;
}

int ring_put(struct ring *r, const void *p, size_t n)
{
	const unsigned char *c = p;
	while (n) {
		if (atomic_load(&r->rclosed))
			return -1;
		uint64_t h = atomic_load(&r->head);
		size_t room = r->cap - (size_t)(h - atomic_load(&r->tail));
		if (!room) {
			if (getpid() != r->maker && getppid() != r->maker)
				return -1;	/* the reader's process is gone */
			atomic_store(&r->wwait, 1);
			if (r->cap - (size_t)(h - atomic_load(&r->tail)) == 0 &&
			    !atomic_load(&r->rclosed))
				nap(&r->room);
			atomic_store(&r->wwait, 0);
			continue;
		}
		size_t at = (size_t)(h % r->cap);
		size_t k = r->cap - at < room ? r->cap - at : room;
		if (k > n)
			k = n;
		memcpy(r->data + at, c, k);
		atomic_store(&r->head, h + k);
		if (atomic_exchange(&r->rwait, 0))
			sem_post(&r->bytes);
		c += k;
		n -= k;
	}
	return 0;
}

void ring_close_put(struct ring *r)
{
	atomic_store(&r->wclosed, 1);
	sem_post(&r->bytes);
}

/* Has the process pid ended?  (It stays a child to wait for.) */
static int ended(pid_t pid)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	return pid > 0 && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	    si.si_pid == pid;
}

int ring_get(struct ring *r, void *p, size_t n, pid_t writer)
{
	unsigned char *c = p;
	while (n) {
		uint64_t t = atomic_load(&r->tail);
		size_t have = (size_t)(atomic_load(&r->head) - t);
		if (!have) {
			int closed = atomic_load(&r->wclosed);
			atomic_store(&r->rwait, 1);
			if (atomic_load(&r->head) == t) {
				/* the writer's last bytes come before its close */
				if (closed || ended(writer)) {
					atomic_store(&r->rwait, 0);
					if (atomic_load(&r->head) == t)
						return -1;
					continue;
				}
				nap(&r->bytes);
			}
			atomic_store(&r->rwait, 0);
			continue;
		}
		size_t at = (size_t)(t % r->cap);
		size_t k = r->cap - at < have ? r->cap - at : have;
		if (k > n)
			k = n;
		memcpy(c, r->data + at, k);
		atomic_store(&r->tail, t + k);
		if (atomic_exchange(&r->wwait, 0))
			sem_post(&r->room);
		c += k;
		n -= k;
	}
	return 0;
}

size_t ring_filled(struct ring *r)
{
	uint64_t h = atomic_load(&r->head), t = atomic_load(&r->tail);
	return h >= t ? (size_t)(h - t) : 0;
}

void ring_close_get(struct ring *r)
{
	atomic_store(&r->rclosed, 1);
	sem_post(&r->room);
}
