/* date.c: RFC 5322 dates (see date.h). */
#include "date.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <mailutils/datetime.h>

#define T_MIN 31536000LL	/* 1971-01-01 */
#define T_MAX 253402300799LL	/* 9999-12-31T23:59:59Z */

static const char *const months[] = { "jan", "feb", "mar", "apr", "may",
	"jun", "jul", "aug", "sep", "oct", "nov", "dec" };

static int mdays(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

static long long civil(long long y, int m, int d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static const char *skip_ws(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		if (*p != '(')
			return p;
		int depth = 0;	/* a comment */
		for (; *p; p++) {
			if (*p == '\\' && p[1]) {
				p++;
				continue;
			}
			if (*p == '(')
				depth++;
			else if (*p == ')' && --depth == 0) {
				p++;
				break;
			}
		}
	}
}

static int num(const char **pp, int mindig, int maxdig, int *v)
{
	const char *p = *pp;
	int n = 0, d = 0;
	while (isdigit((unsigned char)*p) && d < maxdig) {
		n = n * 10 + (*p++ - '0');
		d++;
	}
	if (d < mindig || isdigit((unsigned char)*p))
		return -1;
	*v = n;
	*pp = p;
	return 0;
}

/* Zone names of RFC 5322 §4.3 (obsolete) and common abbreviations. */
static int zone_name(const char *p, size_t n, int *off)
{
	static const struct {
		const char *name;
		int off;
	} z[] = { { "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
		{ "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
		{ "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
		{ "CET", 1 }, { "CEST", 2 }, { "BST", 1 }, { "MSK", 3 } };
	for (size_t i = 0; i < sizeof z / sizeof z[0]; i++)
		if (strlen(z[i].name) == n && !strncasecmp(p, z[i].name, n)) {
			*off = z[i].off * 3600;
			return 0;
		}
	if (n == 1 && isalpha((unsigned char)*p)) {	/* military: unknown */
		*off = 0;
		return 0;
	}
	return -1;
}

/* [day ","] dd mon yy[yy] hh:mm[:ss] [zone] with obsolete forms. */
static int parse_obs(const char *s, long long *t)
{
	const char *p = skip_ws(s);
	int d, m = -1, y, hh, mm, ss = 0, off = 0;

	if (isalpha((unsigned char)*p)) {	/* day-of-week, ignored */
		while (isalpha((unsigned char)*p))
			p++;
		p = skip_ws(p);
		if (*p == ',')
			p = skip_ws(p + 1);
	}
	if (num(&p, 1, 2, &d) < 0)
		return -1;
	p = skip_ws(p);
	if (*p == '-')
		p++;
	for (int i = 0; i < 12; i++)
		if (!strncasecmp(p, months[i], 3)) {
			m = i + 1;
			break;
		}
	if (m < 0)
		return -1;
	while (isalpha((unsigned char)*p))
		p++;
	p = skip_ws(p);
	if (*p == '-')
		p++;
	const char *ys = p;
	if (num(&p, 2, 4, &y) < 0)
		return -1;
	if (p - ys == 2)
		y += y < 50 ? 2000 : 1900;
	else if (p - ys == 3)
		y += 1900;
	p = skip_ws(p);
	if (num(&p, 1, 2, &hh) < 0 || *p++ != ':' || num(&p, 2, 2, &mm) < 0)
		return -1;
	if (*p == ':') {
		p++;
		if (num(&p, 2, 2, &ss) < 0)
			return -1;
	}
	p = skip_ws(p);
	if (*p == '+' || *p == '-') {
		int z;
		const char *zs = p + 1;
		if (num(&zs, 4, 4, &z) < 0)
			return -1;
		if (z % 100 > 59 || z / 100 > 23)
			return -2;
		off = (z / 100 * 3600 + z % 100 * 60) * (*p == '-' ? -1 : 1);
		p = zs;
	} else if (isalpha((unsigned char)*p)) {
		const char *ze = p;
		while (isalpha((unsigned char)*ze))
			ze++;
		if (zone_name(p, (size_t)(ze - p), &off) < 0)
			return -1;
		p = ze;
	}
	p = skip_ws(p);
	if (*p)
		return -1;
	if (d < 1 || d > mdays(y, m) || hh > 23 || mm > 59 || ss > 60)
		return -2;	/* the form is right, the values impossible */
	*t = civil(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss - off;
	return 0;
}

int date_parse(const char *s, long long *t)
{
	long long v;

	if (!s)
		return -1;
	s = skip_ws(s);
	if (!*s || strlen(s) > 200)
		return -1;
	/* RFC 5322 date-time, including its obsolete syntax; a date of that
	 * form with impossible values is no date (no second opinion) */
	int rc = parse_obs(s, &v);
	if (rc == 0) {
		if (v < T_MIN || v > T_MAX)
			return -1;
		*t = v;
		return 0;
	}
	if (rc == -2)
		return -1;
	/* last resort: asctime, ISO 8601 and other forms; "now" pinned to 0
	 * so that nothing missing is filled from the clock, and a result
	 * that needed it (a year of 1970) is refused */
	time_t now = 0, r;
	if (mu_parse_date(s, &r, &now) == 0 && (long long)r >= T_MIN &&
	    (long long)r <= T_MAX) {
		*t = (long long)r;
		return 0;
	}
	return -1;
}
