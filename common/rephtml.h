/* rephtml.h: mreport's HTML page: one self-contained file (inline CSS and
 * SVG, no script, nothing fetched) with what a support lead reads first:
 *
 *   section#headline  created, solved, backlog, first-reply median,
 *                     first-reply SLA and one-touch rate, each against
 *                     the previous period of the same length; every
 *                     figure is an element .kpi with data-field (the
 *                     field of mreport's JSON), data-value and
 *                     data-previous in that field's JSON form
 *   svg#volume        created and solved per period (bars), backlog (line)
 *   svg#first-reply   the distribution of first reply times (bars), the
 *                     median and the policies' targets marked
 *   svg#sla           SLA achievement by agent group, per metric, coloured
 *                     against the achievement target
 *   svg#heatmap       incoming mail by weekday and hour (cells), a scale
 *   table#agents      the per-agent figures
 *
 * The charts scale with the page (viewBox); the page reflows on a phone
 * and prints.  Every mark carries a <title> with its figure. */
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
	struct report *total;	/* not grouped: the headline */
	struct report *prev;	/* the same over [since - (until - since), since);
				 * NULL: no comparison */
	const struct sla *sla;	/* the policies' targets; NULL: none */
	int target;		/* SLA achievement target, percent */
};

/* The duration buckets of the first-reply chart: upper bounds in seconds
 * (the last is open). */
#define REPHTML_NBUCKETS 9
extern const long long rephtml_bucket_max[REPHTML_NBUCKETS - 1];
extern const char *const rephtml_bucket_name[REPHTML_NBUCKETS];
/* Count values of d into the buckets. */
void rephtml_buckets(const struct rep_dist *d, long long out[REPHTML_NBUCKETS]);

/* The step of an axis from 0 to at least max in at most 4 steps of a
 * round size (1, 2, 2.5 or 5 times a power of ten, whole numbers):
 * 92 gives 25 (0, 25, 50, 75, 100). */
long long rephtml_step(long long max);

/* Write the page; 0, or -1 on a write error. */
int rephtml_write(FILE *f, const struct rephtml *h);

#endif
