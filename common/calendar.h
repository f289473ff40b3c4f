/* calendar.h: business hours (calendars/NAME.conf) in a time zone.
 *
 *   timezone = America/Sao_Paulo
 *   mon = 09:00-12:00 13:00-18:00      (several intervals; "closed")
 *   [holidays]
 *   12-25 = Christmas                  (every year)
 *   2026-02-16 = Carnival              (once)
 *
 * Local times are turned into instants through the time zone database,
 * so daylight-saving changes are handled by the zone. */
#ifndef MDESK_CALENDAR_H
#define MDESK_CALENDAR_H
#include <stddef.h>

#define CAL_MAX_INTERVALS 8

struct calendar {
	char name[64];
	char tz[128];
	int open[7][CAL_MAX_INTERVALS][2];	/* [weekday 0=sun][i] = {start, end} minutes */
	int nopen[7];
	struct holiday {
		int y, m, d;	/* y == 0: every year */
	} *hol;
	size_t nhol;
	/* calendar_is_open's last answer and the span [lo, hi) over which it
	 * holds (hi == 0: none): mroute asks for each agent at each message,
	 * and every change of zone makes the C library read its file again */
	long long memo_lo, memo_hi;
	int memo_open;
};

/* Parse calendar text; returns 0, or the line of the first fault with
 * *err set.  Without a timezone, the calendar is in UTC. */
int calendar_parse(struct calendar *c, const char *name, const char *text,
    size_t len, const char **err);

/* Reads a file of the desk (path relative to its root): malloc'd bytes
 * and *len, or NULL when absent. */
typedef char *(*cal_reader)(void *ctx, const char *path, size_t *len);
/* Reports one fault: "file:line: msg". */
typedef void (*cal_report)(const char *file, int line, const char *msg);
/* The one way a desk's calendar is read: calendars/NAME.conf through rd,
 * with its holidays_file; a calendar without a timezone takes default_tz
 * (desk.conf's).  A missing file or a bad NAME is reported at from:from_line
 * (the file that names the calendar).  Returns the number of faults, each
 * reported (report may be NULL); 0: c is ready (calendar_free it either
 * way). */
int calendar_load(struct calendar *c, const char *name, cal_reader rd, void *ctx,
    const char *default_tz, const char *from, int from_line, cal_report report);
/* Is tz a zone of the time zone database (a file under $TZDIR or
 * /usr/share/zoneinfo), or UTC?  The one test of every tool. */
int calendar_zone_valid(const char *tz);
/* A calendar NAME: 1-60 of A-Z a-z 0-9 _ - . without "..". */
int calendar_name_valid(const char *s);
/* Add holiday "YYYY-MM-DD" or "MM-DD" (every year); -1 when it is neither. */
int calendar_holiday_add(struct calendar *c, const char *v);
/* Local time in zone tz: the process runs in UTC and comes back to it
 * (calendar_use_tz("UTC")); every change of TZ goes through here. */
void calendar_use_tz(const char *tz);
/* The instant of local date (y, mo 0-11, d) at minute min of the day, in
 * the zone set by calendar_use_tz. */
long long calendar_local(int y, int mo, int d, int min);
/* WHEN, as mdesk snooze and remind take it: a duration after now ("2h",
 * "3d", "1w", "1h30m"), or a time: RFC 3339 with its offset or Z, @EPOCH,
 * or a date ("2026-12-10", the start of that day) or a date and time
 * ("2026-12-10T09:00", seconds optional) without an offset, read in zone
 * tz (the desk's; NULL or "": UTC).  0 with *t set, or -1. */
int when_parse(const char *s, long long now, const char *tz, long long *t);
struct tm;
/* Is the local day tm one of the calendar's holidays? */
int calendar_holiday(const struct calendar *c, const struct tm *tm);
/* A calendar open all the time, in UTC (calendar time). */
void calendar_always(struct calendar *c);
void calendar_free(struct calendar *c);
/* Is the calendar open at t (and not on a holiday)?  Remembers the span
 * of its answer in c (not for use by several threads at once). */
int calendar_is_open(const struct calendar *c, long long t);
/* Open seconds in [from, to). */
long long calendar_seconds(const struct calendar *c, long long from, long long to);
/* The instant when secs open seconds have passed after from; -1 if the
 * calendar never opens (within ten years). */
long long calendar_add(const struct calendar *c, long long from, long long secs);

#endif
