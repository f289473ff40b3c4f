/* ring.h: a byte stream from one process to another through shared
 * memory.
 *
 * A pipe copies every byte twice (into the kernel and out of it) and
 * costs a system call for each write and read; between mroute's reading
 * process and the process that files its messages that was a sixth of an
 * import.  A ring is a buffer mapped shared before fork: the writer
 * copies into it, the reader copies out, and they wait on each other
 * (process-shared semaphores) only when it is full or empty.
 *
 * One process writes, one reads.  A writer whose reader is gone, or a
 * reader whose writer died, is told instead of waiting for ever. */
#ifndef MDESK_RING_H
#define MDESK_RING_H
#include <stddef.h>
#include <sys/types.h>

struct ring;

/* A ring of cap bytes (at least 4096), mapped to be shared with the
 * children forked after; NULL (errno set) when it cannot be made. */
struct ring *ring_new(size_t cap);
/* Unmap it (in each process that has it). */
void ring_free(struct ring *r);

/* The writer: put n bytes, waiting for room.  0, or -1 when the reader
 * is gone (ring_close_get), or when the writer is a child of the process
 * that made the ring and that process has exited. */
int ring_put(struct ring *r, const void *p, size_t n);
/* The writer is done: a reader waiting for more is told. */
void ring_close_put(struct ring *r);

/* The reader: get n bytes, waiting for them.  0, or -1 when the writer
 * closed the ring or the process writer (when > 0) ended first. */
int ring_get(struct ring *r, void *p, size_t n, pid_t writer);
/* The bytes put and not yet got (a snapshot): how far the writer is
 * ahead. */
size_t ring_filled(struct ring *r);
/* The reader stops: a writer waiting for room is told. */
void ring_close_get(struct ring *r);

#endif
