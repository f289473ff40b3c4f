/* scratch.h: a desk of its own for a unit test of the core, and one
 * commit of a file to it. */
#ifndef MDESK_SCRATCH_H
#define MDESK_SCRATCH_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "desk.h"

/* A new desk in /tmp/mdesk-unit-TAG-PID (its path into root) whose
 * desk.conf, in the working tree, holds conf. */
static inline void scratch_desk(struct desk *d, char *root, size_t n, const char *tag,
    const char *conf)
{
	char p[600];
	snprintf(root, n, "/tmp/mdesk-unit-%s-%d", tag, (int)getpid());
	desk_git_create(root, 0);
	snprintf(p, sizeof p, "%s/desk.conf", root);
	FILE *f = fopen(p, "w");
	if (!f || fputs(conf, f) == EOF || fclose(f) != 0)
		abort();
	desk_open(d, root);
}

/* text as the file path of d, in a commit of its own. */
static inline void scratch_put(struct desk *d, const char *path, const char *text)
{
	desk_lock(d);
	struct desk_tx *tx = desk_tx_new(d);
	desk_tx_write(tx, path, text, strlen(text));
	desk_tx_commit(tx, "t", "t@t", "test\n");
	desk_unlock(d);
}
#endif
