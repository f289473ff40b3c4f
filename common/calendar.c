/* calendar.c: business hours in a time zone (see calendar.h). */
#include "calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "conf.h"
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

int calendar_parse(struct calendar *c, const char *name, const char *text,
    size_t len, const char **err)
{
	struct conf cf;
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "%s", name);
	int line = conf_parse(&cf, name, text, len, err);
	if (line) {
		conf_free(&cf);
		return line;
	}
	const char *tz = conf_get(&cf, "", "", "timezone");
	snprintf(c->tz, sizeof c->tz, "%s", tz ? tz : "UTC");
	char zp[300];
	struct stat st;
	snprintf(zp, sizeof zp, "/usr/share/zoneinfo/%s", c->tz);
	if (strstr(c->tz, "..") || stat(zp, &st) != 0) {
		*err = "timezone: not an IANA time zone (like America/Sao_Paulo)";
		line = conf_line(&cf, "", "", "timezone");
		conf_free(&cf);
		return line ? line : 1;
	}
	for (int d = 0; d < 7; d++) {
		const char *v = conf_get(&cf, "", "", days[d]);
		if (v && parse_intervals(v, c->open[d], &c->nopen[d]) != 0) {
			*err = "want intervals like 09:00-12:00 13:00-18:00 (in order), or closed";
			line = conf_line(&cf, "", "", days[d]);
			conf_free(&cf);
			return line;
		}
	}
	for (size_t i = 0; i < cf.n; i++) {
		if (strcmp(cf.e[i].section, "holidays"))
			continue;
		struct holiday h = { 0, 0, 0 };
		int k = 0;
		const char *key = cf.e[i].key;
		if (!((sscanf(key, "%4d-%2d-%2d%n", &h.y, &h.m, &h.d, &k) == 3 && k == 10) ||
		    (h.y = 0, sscanf(key, "%2d-%2d%n", &h.m, &h.d, &k) == 2 && k == 5)) ||
		    h.m < 1 || h.m > 12 || h.d < 1 || h.d > 31) {
			*err = "a holiday is YYYY-MM-DD or MM-DD = name";
			line = cf.e[i].line;
			conf_free(&cf);
			return line;
		}
		c->hol = xrealloc(c->hol, (c->nhol + 1) * sizeof *c->hol);
		c->hol[c->nhol++] = h;
	}
	conf_free(&cf);
	return 0;
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
	struct tm tm;
	memset(&tm, 0, sizeof tm);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo;
	tm.tm_mday = d;
	tm.tm_hour = min / 60;
	tm.tm_min = min % 60;
	tm.tm_isdst = -1;
	return (long long)mktime(&tm);
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
		struct tm tm;
		memset(&tm, 0, sizeof tm);
		tm.tm_year = y - 1900;
		tm.tm_mon = mo;
		tm.tm_mday = d + k;
		tm.tm_hour = 12;
		tm.tm_isdst = -1;
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
