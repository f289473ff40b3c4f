/* skel.h: the example desk that mdesk init writes (common/skel/). */
#ifndef MDESK_SKEL_H
#define MDESK_SKEL_H

struct skel_file {
	const char *path, *text;
};
extern const struct skel_file skel_files[];	/* ends with { 0, 0 } */

#endif
