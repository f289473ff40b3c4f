/* rephtml.h: mreport's HTML page: one self-contained file (inline CSS and
 * SVG, no script, nothing fetched) with the charts a support lead reads:
 *
 *   svg#volume       created and solved per period (bars), backlog (line)
 *   svg#first-reply  the distribution of first reply times (bars)
 *   svg#sla          SLA achievement by agent group, per metric (bars)
 *   svg#heatmap      incoming mail by weekday and hour (cells)
 *   table#agents     the per-agent figures
 *
 * Every mark carries a <title> with its figure. */
#ifndef MDESK_REPHTML_H
#define MDESK_REPHTML_H
#include <stdio.h>
#include "report.h"

struct rephtml {
	const char *title;	/* the desk's name */
	const char *tz;
	long long since, until;	/* since REP_NOPERIOD: from the beginning */
	struct report *time;	/* grouped by a period only */
	struct report *groups;	/* grouped by group */
	struct report *agents;	/* grouped by agent */
};

/* The duration buckets of the first-reply chart: upper bounds in seconds
 * (the last is open). */
#define REPHTML_NBUCKETS 9
extern const long long rephtml_bucket_max[REPHTML_NBUCKETS - 1];
extern const char *const rephtml_bucket_name[REPHTML_NBUCKETS];
/* Count values of d into the buckets. */
void rephtml_buckets(const struct rep_dist *d, long long out[REPHTML_NBUCKETS]);

/* Write the page; 0, or -1 on a write error. */
int rephtml_write(FILE *f, const struct rephtml *h);

#endif
