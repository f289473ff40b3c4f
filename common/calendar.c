/* calendar.c: business hours in a time zone (see calendar.h). */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "conf.h"
#include "csvw.h"
#include "util.h"

#define HORIZON_DAYS 3660

static const char *const days[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

void calendar_use_tz(const char *tz)
{
	static char cur[128] = "";
	if (strcmp(cur, tz) != 0) {
		setenv("TZ", tz, 1);
		tzset();
		snprintf(cur, sizeof cur, "%s", tz);
	}
}

static int parse_intervals(const char *v, int out[][2], int *n)
{
	*n = 0;
	if (!*v || !strcmp(v, "closed"))
		return 0;
	const char *p = v;
	while (*p) {
		int h1, m1, h2, m2, k = 0;
		if (*n >= CAL_MAX_INTERVALS)
			return -1;
		/* exactly HH:MM-HH:MM: sscanf alone would take "-9" or " 9" */
		for (int i = 0; i < 11; i++)
			if (i == 2 || i == 8 ? p[i] != ':' : i == 5 ? p[i] != '-' :
			    !(p[i] >= '0' && p[i] <= '9'))
				return -1;
		if (sscanf(p, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &k) != 4 || k != 11)
			return -1;
		int a = h1 * 60 + m1, b = h2 * 60 + m2;
		if (h1 > 23 || m1 > 59 || m2 > 59 || b > 24 * 60 || a >= b)
			return -1;
		if (*n > 0 && a < out[*n - 1][1])
			return -1;	/* overlapping or out of order */
		out[*n][0] = a;
		out[*n][1] = b;
		(*n)++;
		p += k;
		while (*p == ' ' || *p == ',')
			p++;
	}
	return 0;
}

static const char *const top_keys[] = { "timezone", "sun", "mon", "tue", "wed", "thu",
	"fri", "sat", "holidays_file", NULL };

int calendar_zone_valid(const char *tz)
{
	if (!strcmp(tz, "UTC"))
		return 1;
	if (!*tz || strlen(tz) > 100 || tz[0] == '/' || strstr(tz, ".."))
		return 0;
	for (const char *p = tz; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("/_+-", *p)))
			return 0;
	const char *dir = getenv("TZDIR");
	char zp[300];
	struct stat st;
	snprintf(zp, sizeof zp, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
	return stat(zp, &st) == 0 && S_ISREG(st.st_mode);
}

/* The calendar of a parsed file: 0, or the line of the first fault with
 * *err set.  A file without a timezone takes default_tz. */
static int from_conf(struct calendar *c, struct conf *cf, const char *default_tz,
    const char **err)
{
	for (size_t i = 0; i < cf->n; i++) {
		const struct conf_entry *e = &cf->e[i];
		if (!*e->section && word_index(top_keys, e->key) < 0) {
			*err = "unknown key (timezone, mon ... sun, holidays_file; "
			    "dates under [holidays])";
			return e->line;
		}
	}
	for (size_t i = 0; i < cf->nsecs; i++)
		if (strcmp(cf->secs[i].section, "holidays") || *cf->secs[i].name) {
			*err = "unknown section (a calendar has [holidays] only)";
			return cf->secs[i].line;
		}
	const char *tz = conf_get(cf, "", "", "timezone");
	snprintf(c->tz, sizeof c->tz, "%s", tz ? tz : default_tz);
	if (!calendar_zone_valid(c->tz)) {
		*err = tz ? "timezone: not an IANA time zone (like America/Sao_Paulo)" :
		    "no timezone, and the desk's is not an IANA time zone";
		int line = conf_line(cf, "", "", "timezone");
		return line ? line : 1;
	}
	for (int d = 0; d < 7; d++) {
		const char *v = conf_get(cf, "", "", days[d]);
		if (v && parse_intervals(v, c->open[d], &c->nopen[d]) != 0) {
			*err = "want intervals like 09:00-12:00 13:00-18:00 (in order, "
			    "not overlapping), or closed";
			return conf_line(cf, "", "", days[d]);
		}
	}
	for (size_t i = 0; i < cf->n; i++) {
		if (strcmp(cf->e[i].section, "holidays"))
			continue;
		if (calendar_holiday_add(c, cf->e[i].key) != 0) {
			*err = "a holiday is YYYY-MM-DD or MM-DD = name";
			return cf->e[i].line;
		}
	}
	return 0;
}

int calendar_holiday_add(struct calendar *c, const char *v)
{
	struct holiday h = { 0, 0, 0 };
	int k = 0;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (!((sscanf(v, "%4d-%2d-%2d%n", &h.y, &h.m, &h.d, &k) == 3 && k == 10 && !v[k]) ||
	    (h.y = 0, sscanf(v, "%2d-%2d%n", &h.m, &h.d, &k) == 2 && k == 5 && !v[k])) ||
	    (h.y && h.y < 1970) || h.m < 1 || h.m > 12 || h.d < 1 || h.d > mdays[h.m - 1])
		return -1;
	c->hol = xrealloc(c->hol, (c->nhol + 1) * sizeof *c->hol);
	c->hol[c->nhol++] = h;
	return 0;
}

int calendar_parse(struct calendar *c, const char *name, const char *text,
    size_t len, const char **err)
{
	struct conf cf;
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", name);
	int line = conf_parse(&cf, name, text, len, err);
	if (!line)
		line = from_conf(c, &cf, "UTC", err);
	conf_free(&cf);
	return line;
}

int calendar_name_valid(const char *s)
{
	if (!*s || strlen(s) > 60)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		    *s == '_' || *s == '-' || *s == '.') || (s[0] == '.' && s[1] == '.'))
			return 0;
	return 1;
}

struct holctx {
	struct calendar *c;
	const char *file;
	cal_report report;
	int header, faults;
};

static void holiday_row(void *ctx, char **f, size_t n, long line)
{
	struct holctx *h = ctx;
	if (n == 0 || (n == 1 && !*f[0]) || f[0][0] == '#')
		return;
	if (!h->header) {
		h->header = 1;
		if (strcmp(f[0], "date")) {
			h->faults++;
			h->report(h->file, (int)line, "the first row must be the header date,name");
		}
		return;
	}
	if (calendar_holiday_add(h->c, f[0]) != 0) {
		char m[200];
		snprintf(m, sizeof m, "holiday '%.60s' is not YYYY-MM-DD or MM-DD", f[0]);
		h->faults++;
		h->report(h->file, (int)line, m);
	}
}

/* holidays_file = NAME: more holidays from calendars/NAME (CSV, header
 * date,name). */
static int holidays_file(struct calendar *c, const char *cpath, int line, const char *name,
    cal_reader rd, void *ctx, cal_report report)
{
	char path[300], m[300];
	if (!calendar_name_valid(name)) {
		snprintf(m, sizeof m, "holidays_file: '%.60s' is not a file name in calendars/", name);
		report(cpath, line, m);
		return 1;
	}
	snprintf(path, sizeof path, "calendars/%s", name);
	size_t len;
	char *text = rd(ctx, path, &len);
	if (!text) {
		snprintf(m, sizeof m, "holidays_file: no %.200s", path);
		report(cpath, line, m);
		return 1;
	}
	struct holctx h = { c, path, report, 0, 0 };
	long bad = csvw_parse(text, len, holiday_row, &h);
	free(text);
	if (bad) {
		report(path, (int)bad, "not CSV (RFC 4180)");
		h.faults++;
	}
	return h.faults;
}

static void no_report(const char *file, int line, const char *msg)
{
	(void)file, (void)line, (void)msg;
}

int calendar_load(struct calendar *c, const char *name, cal_reader rd, void *ctx,
    const char *default_tz, const char *from, int from_line, cal_report report)
{
	char path[128], m[300];
	if (!report)
		report = no_report;
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", name);
	if (!calendar_name_valid(name)) {
		snprintf(m, sizeof m, "calendar: '%.60s' is not a calendar name", name);
		report(from, from_line, m);
		return 1;
	}
	snprintf(path, sizeof path, "calendars/%s.conf", name);
	size_t len;
	char *text = rd(ctx, path, &len);
	if (!text) {
		snprintf(m, sizeof m, "calendar '%s': no %s", name, path);
		report(from, from_line, m);
		return 1;
	}
	struct conf cf;
	const char *err;
	int line = conf_parse(&cf, path, text, len, &err);
	free(text);
	if (!line)
		line = from_conf(c, &cf, default_tz && *default_tz ? default_tz : "UTC", &err);
	int faults = 0;
	if (line) {
		report(path, line, err);
		faults = 1;
	} else if (conf_get(&cf, "", "", "holidays_file"))
		faults = holidays_file(c, path, conf_line(&cf, "", "", "holidays_file"),
		    conf_get(&cf, "", "", "holidays_file"), rd, ctx, report);
	conf_free(&cf);
	return faults;
}

void calendar_always(struct calendar *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "always");
	snprintf(c->tz, sizeof c->tz, "UTC");
	for (int d = 0; d < 7; d++) {
		c->open[d][0][0] = 0;
		c->open[d][0][1] = 24 * 60;
		c->nopen[d] = 1;
	}
}

void calendar_free(struct calendar *c)
{
	free(c->hol);
	c->hol = NULL;
	c->nhol = 0;
}

int calendar_holiday(const struct calendar *c, const struct tm *tm)
{
	for (size_t i = 0; i < c->nhol; i++)
		if (c->hol[i].m == tm->tm_mon + 1 && c->hol[i].d == tm->tm_mday &&
		    (c->hol[i].y == 0 || c->hol[i].y == tm->tm_year + 1900))
			return 1;
	return 0;
}

long long calendar_local(int y, int mo, int d, int min)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo, .tm_mday = d, .tm_hour = min / 60,
		.tm_min = min % 60, .tm_isdst = -1 };
	return (long long)mktime(&tm);
}

int when_parse(const char *s, long long now, const char *tz, long long *t)
{
	long long d, u;
	if (conf_duration(s, &d) == 0)
		return d > 0 && now + d <= TIME_MAX ? (*t = now + d, 0) : -1;
	if (parse_rfc3339(s, &u) != 0)
		return -1;
	size_t n = strlen(s);
	if (s[0] == '@' || s[n - 1] == 'Z' || s[n - 1] == 'z' || strpbrk(s + 10, "+-")) {
		*t = u;
		return 0;
	}
	/* no offset: the wall-clock time parse_rfc3339 read as UTC, in tz */
	time_t tt = (time_t)u;
	struct tm tm;
	if (!gmtime_r(&tt, &tm))
		return -1;
	calendar_use_tz(tz && *tz ? tz : "UTC");
	long long v = calendar_local(tm.tm_year + 1900, tm.tm_mon, tm.tm_mday,
	    tm.tm_hour * 60 + tm.tm_min) + tm.tm_sec;
	calendar_use_tz("UTC");
	if (v < TIME_MIN || v > TIME_MAX)
		return -1;
	*t = v;
	return 0;
}

/* Calls fn for each open interval [a, b) from the local day of `from`
 * onwards, in order; fn returns nonzero to stop. */
static void each_interval(const struct calendar *c, long long from,
    int (*fn)(void *, long long, long long), void *ctx)
{
	calendar_use_tz(c->tz);
	time_t t0 = (time_t)from;
	struct tm day;
	localtime_r(&t0, &day);
	int y = day.tm_year + 1900, mo = day.tm_mon, d = day.tm_mday;
	for (int k = 0; k < HORIZON_DAYS; k++) {
		struct tm tm = { .tm_year = y - 1900, .tm_mon = mo, .tm_mday = d + k, .tm_hour = 12,
			.tm_isdst = -1 };
		mktime(&tm);	/* normalises the date, gives the weekday */
		if (calendar_holiday(c, &tm))
			continue;
		int wd = tm.tm_wday;
		for (int i = 0; i < c->nopen[wd]; i++) {
			long long a = calendar_local(tm.tm_year + 1900, tm.tm_mon, tm.tm_mday, c->open[wd][i][0]);
			long long b = calendar_local(tm.tm_year + 1900, tm.tm_mon, tm.tm_mday, c->open[wd][i][1]);
			if (b <= from)
				continue;
			if (fn(ctx, a < from ? from : a, b)) {
				calendar_use_tz("UTC");
				return;
			}
		}
	}
	calendar_use_tz("UTC");
}

struct sum {
	long long to, total;
};

static int sum_cb(void *ctx, long long a, long long b)
{
	struct sum *s = ctx;
	if (a >= s->to)
		return 1;
	s->total += (b < s->to ? b : s->to) - a;
	return b >= s->to;
}

long long calendar_seconds(const struct calendar *c, long long from, long long to)
{
	if (to <= from)
		return 0;
	struct sum s = { to, 0 };
	each_interval(c, from, sum_cb, &s);
	return s.total;
}

struct add {
	long long left, at;
};

static int add_cb(void *ctx, long long a, long long b)
{
	struct add *s = ctx;
	if (b - a >= s->left) {
		s->at = a + s->left;
		return 1;
	}
	s->left -= b - a;
	return 0;
}

long long calendar_add(const struct calendar *c, long long from, long long secs)
{
	if (secs <= 0)
		return from;
	struct add s = { secs, -1 };
	each_interval(c, from, add_cb, &s);
	return s.at;
}

struct first {
	long long a, b;
};

static int first_cb(void *ctx, long long a, long long b)
{
	struct first *f = ctx;
	f->a = a;
	f->b = b;
	return 1;
}

int calendar_is_open(const struct calendar *c, long long t)
{
	struct calendar *m = (struct calendar *)c;	/* the memo only */
	if (m->memo_hi && t >= m->memo_lo && t < m->memo_hi)
		return m->memo_open;
	/* the first open interval ending after t: open when it has begun,
	 * closed until it begins otherwise (or for the horizon) */
	struct first f = { -1, -1 };
	each_interval(c, t, first_cb, &f);
	m->memo_lo = t;
	if (f.a < 0) {
		m->memo_open = 0;
		m->memo_hi = t + (long long)HORIZON_DAYS * 86400;
	} else {
		m->memo_open = f.a <= t;
		m->memo_hi = m->memo_open ? f.b : f.a;
	}
	return m->memo_open;
}
