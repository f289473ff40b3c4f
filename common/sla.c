/* sla.c: service levels (see sla.h). */
#include "sla.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "agents.h"
#include "conf.h"
#include "conversation.h"
#include "desk.h"
#include "util.h"

const char *const sla_metric_names[SLA_NMETRICS] = { "first_reply", "next_reply",
	"periodic_update", "resolution" };

static const char *const state_names[] = { "none", "running", "paused", "at-risk",
	"breached", "met" };

/* indexes of ticket_statuses */
#define ST_SOLVED 4
#define ST_CLOSED 5

static const char *const cond_keys[] = { "priority", "queue", "tier", "tag", "lang", NULL };

int sla_metric_find(const char *name)
{
	for (int m = 0; m < SLA_NMETRICS; m++)
		if (!strcmp(name, sla_metric_names[m]))
			return m;
	return -1;
}

const char *sla_state_name(enum sla_state s)
{
	return state_names[s];
}

static int status_index(const char *s)
{
	int i = word_index(ticket_statuses, s);
	return i < 0 ? 1 : i;	/* unknown: counted as open */
}

int sla_warn_parse(const char *v, struct sla_warn *w)
{
	size_t n = strlen(v);
	w->pct = 0;
	w->secs = 0;
	if (n >= 2 && v[n - 1] == '%') {
		long p = strspn(v, "0123456789") == n - 1 ? strtol(v, NULL, 10) : 0;
		if (p < 1 || p > 99)
			return -1;
		w->pct = (int)p;
		return 0;
	}
	return conf_duration(v, &w->secs);
}

char *sla_fmt_duration(long long secs, char *buf)
{
	char *p = buf;
	if (secs < 0) {
		*p++ = '-';
		secs = -secs;
	}
	if (secs == 0) {
		strcpy(p, "0s");
		return buf;
	}
	long long h = secs / 3600, m = secs / 60 % 60, s = secs % 60;
	if (h)
		p += sprintf(p, "%lldh", h);
	if (m)
		p += sprintf(p, "%lldm", m);
	if (s && h < 24)
		sprintf(p, "%llds", s);
	return buf;
}

/* --- calendars: open intervals precomputed for a window ---------------
 *
 * calendar.c walks the local days of a calendar for every question; the
 * clocks of thousands of tickets ask many.  Here the intervals of a
 * window of days are listed once, in the same way (local day, holidays,
 * mktime in the zone), with running sums: a count or an addition is then
 * a binary search.  Outside the window calendar.c answers. */

struct sla_calx {
	const struct calendar *cal;
	long long lo, hi;	/* the window; lo == hi: not built */
	long long *a, *b, *cum;	/* intervals [a, b); cum: open seconds before */
	size_t n;
};

#define WINDOW_BACK (800LL * 86400)
#define WINDOW_AHEAD (800LL * 86400)

static void calx_build(struct sla_calx *x, long long around)
{
	const struct calendar *c = x->cal;
	size_t cap = 1024;
	x->a = xmalloc(cap * sizeof *x->a);
	x->b = xmalloc(cap * sizeof *x->b);
	x->cum = xmalloc(cap * sizeof *x->cum);
	x->n = 0;
	calendar_use_tz(c->tz);
	time_t t0 = (time_t)(around - WINDOW_BACK);
	struct tm day;
	localtime_r(&t0, &day);
	long long days = (WINDOW_BACK + WINDOW_AHEAD) / 86400;
	long long sum = 0, first = 0, last = 0;
	int y = day.tm_year + 1900, mo = day.tm_mon, d = day.tm_mday;
	for (long long k = 0; k <= days; k++) {
		struct tm tm = { .tm_year = y - 1900, .tm_mon = mo, .tm_mday = d + (int)k,
			.tm_hour = 12, .tm_isdst = -1 };
		mktime(&tm);
		/* the window: from the start of the first local day to the
		 * start of the day after the last */
		if (k == 0)
			first = calendar_local(tm.tm_year + 1900, tm.tm_mon, tm.tm_mday, 0);
		last = calendar_local(tm.tm_year + 1900, tm.tm_mon, tm.tm_mday, 24 * 60);
		if (calendar_holiday(c, &tm))
			continue;
		int wd = tm.tm_wday;
		for (int i = 0; i < c->nopen[wd]; i++) {
			long long a = calendar_local(tm.tm_year + 1900, tm.tm_mon, tm.tm_mday, c->open[wd][i][0]);
			long long b = calendar_local(tm.tm_year + 1900, tm.tm_mon, tm.tm_mday, c->open[wd][i][1]);
			if (x->n && a < x->b[x->n - 1])
				a = x->b[x->n - 1];	/* a repeated hour (DST): once */
			if (b <= a)
				continue;
			if (x->n == cap) {
				cap *= 2;
				x->a = xrealloc(x->a, cap * sizeof *x->a);
				x->b = xrealloc(x->b, cap * sizeof *x->b);
				x->cum = xrealloc(x->cum, cap * sizeof *x->cum);
			}
			x->a[x->n] = a;
			x->b[x->n] = b;
			x->cum[x->n] = sum;
			sum += b - a;
			x->n++;
		}
	}
	calendar_use_tz("UTC");
	x->lo = first;
	x->hi = last;
}

static void calx_free(struct sla_calx *x)
{
	if (!x)
		return;
	free(x->a);
	free(x->b);
	free(x->cum);
	free(x);
}

/* The time zone is the process's: tables are built and calendar.c is
 * asked under this lock. */
static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;

static int calx_ready(struct sla_calx *x, long long t)
{
	if (x->lo == x->hi && !x->a) {
		pthread_mutex_lock(&tz_lock);
		if (x->lo == x->hi && !x->a)
			calx_build(x, t);
		pthread_mutex_unlock(&tz_lock);
	}
	return t >= x->lo && t <= x->hi;
}

/* The first interval whose end is after t (n when none). */
static size_t calx_find(const struct sla_calx *x, long long t)
{
	size_t lo = 0, hi = x->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (x->b[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Open seconds in [lo, t). */
static long long calx_cum(const struct sla_calx *x, long long t)
{
	size_t i = calx_find(x, t);
	if (i == x->n)
		return x->n ? x->cum[x->n - 1] + x->b[x->n - 1] - x->a[x->n - 1] : 0;
	return x->cum[i] + (t > x->a[i] ? t - x->a[i] : 0);
}

/* Counting seconds: business time through x, or calendar time (x NULL). */
static long long count(struct sla_calx *x, long long a, long long b)
{
	if (b <= a)
		return 0;
	if (!x)
		return b - a;
	if (calx_ready(x, a) && calx_ready(x, b))
		return calx_cum(x, b) - calx_cum(x, a);
	pthread_mutex_lock(&tz_lock);
	long long r = calendar_seconds(x->cal, a, b);
	pthread_mutex_unlock(&tz_lock);
	return r;
}

static long long add(struct sla_calx *x, long long from, long long secs)
{
	if (secs <= 0)
		return from;
	if (!x)
		return from + secs;
	if (calx_ready(x, from)) {
		long long want = calx_cum(x, from) + secs;
		size_t lo = calx_find(x, from), hi = x->n;
		/* the first interval i with cum[i] + len[i] >= want */
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (x->cum[mid] + x->b[mid] - x->a[mid] < want)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < x->n)
			return x->a[lo] + (want - x->cum[lo]);
	}
	pthread_mutex_lock(&tz_lock);
	long long r = calendar_add(x->cal, from, secs);
	pthread_mutex_unlock(&tz_lock);
	return r;
}

char *sla_fmt_local(long long t, const char *tz, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;
	pthread_mutex_lock(&tz_lock);
	calendar_use_tz(tz && *tz ? tz : "UTC");
	localtime_r(&tt, &tm);
	strftime(buf, 32, "%Y-%m-%d %H:%M %z", &tm);
	calendar_use_tz("UTC");
	pthread_mutex_unlock(&tz_lock);
	return buf;
}

void sla_prepare(const struct sla *s, long long t)
{
	for (size_t i = 0; i < s->ncal; i++)
		calx_ready(s->calx[i], t);
}

/* --- sla.conf ----------------------------------------------------------- */

struct parse {
	struct sla *s;
	sla_reader rd;
	void *ctx;
	sla_report report;
	const char *default_tz;
	int faults;
};

static void fault(struct parse *p, const char *file, int line, const char *fmt, const char *a,
    const char *b)
{
	char m[600];
	snprintf(m, sizeof m, fmt, a ? a : "", b ? b : "");
	if (p->report)
		p->report(file, line, m);
	p->faults++;
}

/* The index of calendar name, loaded on first use; -1 on a fault. */
static int need_calendar(struct parse *p, const char *name, int line)
{
	struct sla *s = p->s;
	for (size_t i = 0; i < s->ncal; i++)
		if (!strcmp(s->cal[i].name, name))	/* a loaded name is valid: it fits */
			return (int)i;
	struct calendar c;
	int n = calendar_load(&c, name, p->rd, p->ctx, p->default_tz, "sla.conf", line, p->report);
	if (n) {
		p->faults += n;
		calendar_free(&c);
		return -1;
	}
	s->cal = xrealloc(s->cal, (s->ncal + 1) * sizeof *s->cal);
	s->cal[s->ncal] = c;
	return (int)s->ncal++;
}

static void parse_match(struct parse *p, struct sla_policy *pol, const char *v, int line)
{
	if (!strcmp(v, "*"))
		return;
	char *copy = xstrdup(v), *save = NULL;
	for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		char *eq = strchr(w, '=');
		int key = -1;
		if (eq) {
			*eq = 0;
			key = word_index(cond_keys, w);
		}
		if (!eq || key < 0 || !eq[1]) {
			if (eq)
				*eq = '=';
			fault(p, "sla.conf", line, "match: '%s' is not KEY=VALUE with KEY priority, "
			    "queue, tier, tag or lang (or match = *)", w, NULL);
			continue;
		}
		struct sla_cond c = { key, NULL, 0 };
		char *save2 = NULL;
		for (char *a = strtok_r(eq + 1, "|", &save2); a; a = strtok_r(NULL, "|", &save2)) {
			if (key == SLA_KEY_PRIORITY && !priority_valid(a))
				fault(p, "sla.conf", line, "match: priority '%s' is not one of "
				    PRIORITY_LIST, a, NULL);
			c.alt = xrealloc(c.alt, (c.nalt + 1) * sizeof *c.alt);
			c.alt[c.nalt++] = xstrdup(a);
		}
		pol->cond = xrealloc(pol->cond, (pol->ncond + 1) * sizeof *pol->cond);
		pol->cond[pol->ncond++] = c;
	}
	free(copy);
}

/* The targets, match, time and warn of policy pol ([policy NAME] of cf). */
static void policy_keys(struct parse *p, struct conf *cf, struct sla_policy *pol)
{
	const char *v;
	if (!(v = conf_get(cf, "policy", pol->name, "match")))
		fault(p, "sla.conf", pol->line, "policy '%s' has no match (match = * for every ticket)",
		    pol->name, NULL);
	else
		parse_match(p, pol, v, conf_line(cf, "policy", pol->name, "match"));
	for (int m = 0; m < SLA_NMETRICS; m++)
		if ((v = conf_get(cf, "policy", pol->name, sla_metric_names[m])) &&
		    (conf_duration(v, &pol->target[m]) != 0 || pol->target[m] <= 0))
			fault(p, "sla.conf", conf_line(cf, "policy", pol->name, sla_metric_names[m]),
			    "%s: want a duration like 30m, 4h, 1h30m, not '%s'",
			    sla_metric_names[m], v);
	if ((v = conf_get(cf, "policy", pol->name, "time"))) {
		if (!strcmp(v, "business"))
			pol->business = 1;
		else if (strcmp(v, "calendar"))
			fault(p, "sla.conf", conf_line(cf, "policy", pol->name, "time"),
			    "time: '%s' is not business or calendar", v, NULL);
	}
	if ((v = conf_get(cf, "policy", pol->name, "warn")) && sla_warn_parse(v, &pol->warn) != 0)
		fault(p, "sla.conf", conf_line(cf, "policy", pol->name, "warn"),
		    "warn: want a share like 25%% or a duration like 30m, not '%s'", v, NULL);
}

int sla_parse(struct sla *s, sla_reader rd, void *ctx, const char *default_cal,
    const char *default_tz, sla_report report)
{
	memset(s, 0, sizeof *s);
	struct parse p = { s, rd, ctx, report, default_tz, 0 };
	s->pause[SLA_FIRST_REPLY] = s->pause[SLA_NEXT_REPLY] = 1u << 2 | 1u << 3;
	s->pause[SLA_PERIODIC_UPDATE] = 1u << 2;
	s->pause[SLA_RESOLUTION] = 1u << 3;
	size_t len;
	char *text = rd(ctx, "sla.conf", &len);
	struct conf cf;
	const char *err;
	int *calidx = NULL;
	if (!text)
		goto customers;
	int line = conf_parse(&cf, "sla.conf", text, len, &err);
	free(text);
	if (line) {
		fault(&p, "sla.conf", line, "%s", err, NULL);
		conf_free(&cf);
		goto customers;
	}
	for (size_t i = 0; i < cf.nsecs; i++) {
		const char *sec = cf.secs[i].section, *nm = cf.secs[i].name;
		int sl = cf.secs[i].line;
		if (!strcmp(sec, "pause")) {
			if (*nm)
				fault(&p, "sla.conf", sl, "[pause] takes no name", NULL, NULL);
			continue;
		}
		if (strcmp(sec, "policy")) {
			fault(&p, "sla.conf", sl, "unknown section [%s] (sla.conf has [policy NAME] "
			    "and [pause])", sec, NULL);
			continue;
		}
		if (!*nm) {
			fault(&p, "sla.conf", sl, "a policy needs a name: [policy NAME]", NULL, NULL);
			continue;
		}
		int dup = 0;
		for (size_t k = 0; k < s->npol; k++)
			dup |= !strcmp(s->pol[k].name, nm);
		if (dup) {
			fault(&p, "sla.conf", sl, "policy '%s' is defined twice", nm, NULL);
			continue;
		}
		s->pol = xrealloc(s->pol, (s->npol + 1) * sizeof *s->pol);
		calidx = xrealloc(calidx, (s->npol + 1) * sizeof *calidx);
		struct sla_policy *pol = &s->pol[s->npol];
		*pol = (struct sla_policy){ .name = xstrdup(nm), .line = sl, .warn = { 25, 0 } };
		policy_keys(&p, &cf, pol);
		const char *cn = conf_get(&cf, "policy", nm, "calendar");
		int cl = cn ? conf_line(&cf, "policy", nm, "calendar") : sl;
		calidx[s->npol++] = cn || pol->business ? need_calendar(&p, cn ? cn : default_cal ?
		    default_cal : "business", cl) : -1;
	}
	for (size_t i = 0; i < cf.n; i++) {
		const struct conf_entry *e = &cf.e[i];
		if (!*e->section)
			fault(&p, "sla.conf", e->line, "'%s' outside a section ([policy NAME] or [pause])",
			    e->key, NULL);
		else if (!strcmp(e->section, "policy")) {
			static const char *const keys[] = { "match", "first_reply", "next_reply",
				"periodic_update", "resolution", "time", "calendar", "warn", NULL };
			if (word_index(keys, e->key) < 0)
				fault(&p, "sla.conf", e->line, "unknown key '%s' in a policy", e->key, NULL);
		} else if (!strcmp(e->section, "pause")) {
			int m = sla_metric_find(e->key);
			if (m < 0) {
				fault(&p, "sla.conf", e->line, "[pause]: '%s' is not first_reply, "
				    "next_reply, periodic_update or resolution", e->key, NULL);
				continue;
			}
			unsigned mask = 0;
			char *v = xstrdup(e->value), *save = NULL;
			for (char *w = strtok_r(v, " ,;\t", &save); w; w = strtok_r(NULL, " ,;\t", &save)) {
				if (!status_valid(w))
					fault(&p, "sla.conf", e->line, "[pause]: '%s' is not one of "
					    STATUS_LIST, w, NULL);
				else
					mask |= 1u << status_index(w);
			}
			free(v);
			s->pause[m] = mask;
		}
	}
	conf_free(&cf);
	for (size_t i = 0; i < s->npol; i++) {
		s->pol[i].cal = calidx[i] >= 0 ? &s->cal[calidx[i]] : NULL;
		if (!s->pol[i].cal)
			s->pol[i].business = 0;	/* faulted: never used */
	}
customers:
	free(calidx);
	s->calx = xcalloc(s->ncal + 1, sizeof *s->calx);
	for (size_t i = 0; i < s->ncal; i++) {
		s->calx[i] = xcalloc(1, sizeof *s->calx[i]);
		s->calx[i]->cal = &s->cal[i];
	}
	text = rd(ctx, "customers.csv", &len);
	if (text) {
		s->cust = xcalloc(1, sizeof *s->cust);
		p.faults += customers_parse(s->cust, text, len, report);
		free(text);
	}
	return p.faults;
}

void sla_free(struct sla *s)
{
	for (size_t i = 0; i < s->npol; i++) {
		struct sla_policy *pol = &s->pol[i];
		for (size_t k = 0; k < pol->ncond; k++) {
			for (size_t j = 0; j < pol->cond[k].nalt; j++)
				free(pol->cond[k].alt[j]);
			free(pol->cond[k].alt);
		}
		free(pol->cond);
		free(pol->name);
	}
	free(s->pol);
	for (size_t i = 0; i < s->ncal; i++) {
		calendar_free(&s->cal[i]);
		calx_free(s->calx[i]);
	}
	free(s->cal);
	free(s->calx);
	if (s->cust) {
		customers_free(s->cust);
		free(s->cust);
	}
	memset(s, 0, sizeof *s);
}

/* --- loading from a desk ------------------------------------------------ */

struct deskrd {
	struct desk *d;
	git_tree *tree;
};

static char *desk_reader(void *ctx, const char *path, size_t *len)
{
	struct deskrd *r = ctx;
	return r->tree ? desk_tree_file(r->tree, path, len) : desk_read_file(r->d, path, len);
}

int sla_read(struct sla *s, struct desk *d, const char *rev, sla_report report)
{
	struct deskrd r = { d, NULL };
	if (rev) {
		git_object *o;
		git_commit *c;
		if (git_revparse_single(&o, d->repo, rev) != 0)
			die(EX_USAGE, "--policy: '%s' is not a revision of the desk", rev);
		if (git_object_peel((git_object **)&c, o, GIT_OBJECT_COMMIT) != 0 ||
		    git_commit_tree(&r.tree, c) != 0)
			die(EX_USAGE, "--policy: '%s' is not a commit", rev);
		git_commit_free(c);
		git_object_free(o);
	}
	const char *cal = conf_get(&d->conf, "", "", "calendar");
	const char *tz = conf_get(&d->conf, "", "", "timezone");
	int n = sla_parse(s, desk_reader, &r, cal ? cal : "business", tz ? tz : "UTC", report);
	git_tree_free(r.tree);
	return n;
}

int sla_calendar_read(struct calendar *c, struct desk *d, const char *name, const char *from,
    int from_line, sla_report report)
{
	struct deskrd r = { d, NULL };
	const char *tz = conf_get(&d->conf, "", "", "timezone");
	return calendar_load(c, name, desk_reader, &r, tz ? tz : "UTC", from, from_line, report);
}

void sla_load(struct sla *s, struct desk *d, const char *rev)
{
	if (sla_read(s, d, rev, print_fault)) {
		fflush(stdout);
		exit(EX_CONFIG);
	}
}

/* --- matching ----------------------------------------------------------- */

static int cond_holds(const struct sla_cond *c, const struct ticket *t, const char *tier)
{
	for (size_t i = 0; i < c->nalt; i++) {
		const char *a = c->alt[i];
		switch (c->key) {
		case SLA_KEY_PRIORITY:
			if (t->priority && !strcmp(t->priority, a))
				return 1;
			break;
		case SLA_KEY_QUEUE:
			if (t->queue && !strcmp(t->queue, a))
				return 1;
			break;
		case SLA_KEY_TIER:
			if (tier && !strcasecmp(tier, a))
				return 1;
			break;
		case SLA_KEY_TAG:
			if (ticket_has_tag(t, a))
				return 1;
			break;
		case SLA_KEY_LANG: {
			size_t n = strlen(a);
			if (t->lang && !strncasecmp(t->lang, a, n) &&
			    (t->lang[n] == 0 || t->lang[n] == '-'))
				return 1;
			break;
		}
		}
	}
	return 0;
}

static const struct sla_policy *match_state(const struct sla *s, const struct ticket *t,
    const char *tier)
{
	for (size_t i = 0; i < s->npol; i++) {
		const struct sla_policy *p = &s->pol[i];
		size_t k = 0;
		while (k < p->ncond && cond_holds(&p->cond[k], t, tier))
			k++;
		if (k == p->ncond)
			return p;
	}
	return NULL;
}

static const char *tier_of(const struct sla *s, const char *customer)
{
	if (!s->cust || !customer)
		return NULL;
	struct customer *c = customer_find(s->cust, customer);
	return c && c->tier && *c->tier ? c->tier : NULL;
}

const struct sla_policy *sla_match(const struct sla *s, const struct ticket *t)
{
	return match_state(s, t, tier_of(s, t->customer));
}

/* --- the replay of a ticket's events --------------------------------------
 *
 * The events are folded again one by one (ticket_step, the fold of
 * event.c), so that the policy and the pauses are known at every instant. */

/* One metric's clock during the replay. */
struct clk {
	int exists, open;	/* a cycle started; not ended by an answer */
	long long start, stop, elapsed, breach_at;
	int breached, running;
	const struct sla_policy *pol_stop;
	int cycles, breaches;
	long long longest;
};

struct ev_ctx {
	const struct sla *s;
	FILE *x;		/* explain */
};

static struct sla_calx *counter(const struct sla *s, const struct sla_policy *p)
{
	if (!p || !p->business || !p->cal)
		return NULL;
	return s->calx[p->cal - s->cal];
}

static const char *tstr(long long t, char *b)
{
	if (t == SLA_UNKNOWN)
		return strcpy(b, "-");
	return fmt_rfc3339(t, b);
}

/* The open intervals of x in [a, b), for --explain. */
static void explain_intervals(FILE *f, struct sla_calx *x, long long a, long long b)
{
	if (!x || !calx_ready(x, a) || !calx_ready(x, b))
		return;
	char b1[32], b2[32];
	int shown = 0;
	for (size_t i = calx_find(x, a); i < x->n && x->a[i] < b; i++) {
		long long s = x->a[i] < a ? a : x->a[i], e = x->b[i] > b ? b : x->b[i];
		if (shown++ == 40) {
			fprintf(f, "      ...\n");
			break;
		}
		fprintf(f, "      open %s .. %s\n", fmt_rfc3339(s, b1), fmt_rfc3339(e, b2));
	}
}

/* Count [a, b) on clock c of metric m under policy p. */
static void run(const struct ev_ctx *cx, int m, struct clk *c, long long a, long long b,
    const struct sla_policy *p, int running)
{
	if (!c->exists || !c->open || b <= a || !running)
		return;
	struct sla_calx *x = counter(cx->s, p);
	long long secs = count(x, a, b), T = p ? p->target[m] : 0;
	/* a deadline is an instant: the one where the target is reached;
	 * once passed it is breached, even while the calendar is closed */
	long long reach = T && !c->breached && c->elapsed + secs >= T ?
	    (c->elapsed > T ? a : add(x, a, T - c->elapsed)) : -1;
	int breach = reach != -1 && reach < b;
	if (breach) {
		c->breached = 1;
		c->breaches++;
		c->breach_at = reach;
	}
	c->elapsed += secs;
	if (cx->x) {
		char b1[32], b2[32], d1[32], d2[32];
		fprintf(cx->x, "  %s: counts %s .. %s: %s %s (total %s)\n", sla_metric_names[m],
		    fmt_rfc3339(a, b1), fmt_rfc3339(b, b2), sla_fmt_duration(secs, d1),
		    x ? "business" : "calendar", sla_fmt_duration(c->elapsed, d2));
		explain_intervals(cx->x, x, a, b);
		if (breach)
			fprintf(cx->x, "  %s: target %s passed at %s: breached\n", sla_metric_names[m],
			    sla_fmt_duration(T, d1), fmt_rfc3339(c->breach_at, b1));
	}
}

static void start(const struct ev_ctx *cx, int m, struct clk *c, long long at, const char *why)
{
	if (c->exists && (c->elapsed > c->longest))
		c->longest = c->elapsed;
	c->exists = c->open = 1;
	c->start = at;
	c->stop = c->elapsed = c->breach_at = 0;
	c->breached = 0;
	c->pol_stop = NULL;
	c->cycles++;
	if (cx->x) {
		char b[32];
		fprintf(cx->x, "  %s: starts at %s (%s)\n", sla_metric_names[m], fmt_rfc3339(at, b), why);
	}
}

static void stop(const struct ev_ctx *cx, int m, struct clk *c, long long at,
    const struct sla_policy *p, const char *why)
{
	c->open = 0;
	c->stop = at;
	c->pol_stop = p;
	if (c->elapsed > c->longest)
		c->longest = c->elapsed;
	if (cx->x) {
		char b[32], d[32];
		fprintf(cx->x, "  %s: stops at %s (%s) after %s\n", sla_metric_names[m],
		    fmt_rfc3339(at, b), why, sla_fmt_duration(c->elapsed, d));
	}
}

static int is_running(const struct sla *s, int m, int st)
{
	return st != ST_SOLVED && st != ST_CLOSED && !(s->pause[m] & (1u << st));
}

/* Count [a, b) on every clock, status index sidx: while the ticket is
 * snoozed (until snooze) every clock pauses. */
static void run_span(const struct ev_ctx *cx, struct clk *c, long long a, long long b,
    const struct sla_policy *pol, int sidx, long long snooze)
{
	long long mid = snooze > a ? (snooze < b ? snooze : b) : a;
	if (mid > a && cx->x) {
		char b1[32], b2[32];
		fprintf(cx->x, "  snoozed %s .. %s: every clock pauses\n", fmt_rfc3339(a, b1),
		    fmt_rfc3339(mid, b2));
	}
	for (int m = 0; m < SLA_NMETRICS; m++)
		run(cx, m, &c[m], mid, b, pol, is_running(cx->s, m, sidx));
}

/* What clock k of metric m says at now: the ticket's status is status
 * index sidx (stopped at stopped_at when solved or closed) and pol the
 * policy in force. */
static void clock_result(const struct sla *s, int m, const struct clk *k,
    const struct sla_policy *pol, int sidx, long long stopped_at, long long now,
    int snoozed, const struct sla_warn *warn, struct sla_clock *o, FILE *explain)
{
	int tstopped = sidx == ST_SOLVED || sidx == ST_CLOSED;
	char b1[32];
	o->due = o->remaining_cal = SLA_UNKNOWN;
	o->cycles = k->cycles;
	o->breaches = k->breaches;
	o->longest = k->elapsed > k->longest ? k->elapsed : k->longest;
	if (!k->exists)
		return;
	const struct sla_policy *p = k->open ? pol : k->pol_stop;
	long long T = p ? p->target[m] : 0;
	o->policy = p;
	o->target = T;
	o->business = p && p->business;
	o->start = k->start;
	o->elapsed = k->elapsed;
	/* a cycle that began after the ticket was solved ends where it began */
	o->stop = !k->open ? k->stop : !tstopped ? 0 : stopped_at > k->start ? stopped_at : k->start;
	o->active = k->open && !tstopped;
	if (!T && !k->breached)
		return;
	struct sla_warn w = warn ? *warn : p ? p->warn : (struct sla_warn){ 25, 0 };
	o->warn = w.pct ? T * w.pct / 100 : w.secs;
	o->remaining = T - k->elapsed;
	struct sla_calx *x = counter(s, p);
	if (k->breached) {
		o->state = SLA_BREACHED;
		o->due = k->breach_at;
	} else if (!o->active) {
		o->state = SLA_MET;
		o->due = add(x, o->stop, T - k->elapsed);
	} else if (!is_running(s, m, sidx) || snoozed)
		o->state = SLA_PAUSED;
	else {
		o->due = add(x, now, T - k->elapsed);
		o->state = o->remaining < o->warn ? SLA_AT_RISK : SLA_RUNNING;
	}
	if (o->due == -1)
		o->due = SLA_UNKNOWN;	/* the calendar never opens */
	if (o->due != SLA_UNKNOWN)
		o->remaining_cal = o->due - (o->state == SLA_MET ? o->stop : now);
	if (explain) {
		char d1[32], d2[32], d3[32];
		fprintf(explain, "%s: policy %s, target %s %s, elapsed %s, %s %s, due %s: %s\n",
		    sla_metric_names[m], p ? p->name : "(none)", sla_fmt_duration(T, d1),
		    o->business ? "business" : "calendar", sla_fmt_duration(o->elapsed, d2),
		    o->remaining < 0 ? "overdue" : "left",
		    sla_fmt_duration(o->remaining < 0 ? -o->remaining : o->remaining, d3),
		    tstr(o->due, b1), sla_state_name(o->state));
	}
}

/* A new policy whose target an open clock has already passed: breached
 * from the moment of the change. */
static void policy_change(const struct ev_ctx *cx, struct clk *c, const struct sla_policy *np,
    long long at)
{
	for (int m = 0; np && m < SLA_NMETRICS; m++) {
		struct clk *k = &c[m];
		long long T = np->target[m];
		if (!k->exists || !k->open || k->breached || !T || k->elapsed <= T)
			continue;
		k->breached = 1;
		k->breaches++;
		k->breach_at = at;
		if (cx->x) {
			char b[32], d[32];
			fprintf(cx->x, "  %s: past the target %s of policy %s at %s: breached\n",
			    sla_metric_names[m], sla_fmt_duration(T, d), np->name, fmt_rfc3339(at, b));
		}
	}
}

void sla_eval(const struct sla *s, const struct ticket *t, long long now,
    const struct sla_warn *warn, struct sla_result *r, FILE *explain)
{
	struct ev_ctx cx = { s, explain };
	struct ticket st;
	struct clk c[SLA_NMETRICS];
	ticket_start(&st, t->id);
	memset(c, 0, sizeof c);
	memset(r, 0, sizeof *r);
	const char *tier = tier_of(s, t->customer);
	const struct event *ev = t->ev;
	size_t nev = t->nev;
	const struct sla_policy *pol = NULL;
	long long prev = 0, stopped_at = 0;
	int first = 1, sidx = 0;
	char b1[32];
	for (size_t i = 0; i < nev; i++) {
		const struct event *e = &ev[i];
		long long at = e->at;
		const char *type = e->type;
		if (at > now)
			continue;
		if (e->merged)
			continue;	/* a merged conversation: its clocks were its own */
		if (!first)
			run_span(&cx, c, prev, at, pol, sidx, st.snooze_until);
		first = 0;
		prev = at;
		int auto_ = e->autom || e->ack;
		if (explain) {
			const char *who = e->agent ? e->agent : e->by;
			fprintf(explain, "%s %s%s%s%s%s%s\n", fmt_rfc3339(at, b1), type,
			    who ? " by " : "", who ? who : "",
			    e->status ? " " : "", e->status ? e->status : "",
			    auto_ ? " (automatic: does not count)" : "");
		}
		int was_stopped = sidx == ST_SOLVED || sidx == ST_CLOSED;
		ticket_step(&st, e);
		if (e->kind == EV_RECEIVED && !auto_) {
			if (!c[SLA_FIRST_REPLY].exists) {
				start(&cx, SLA_FIRST_REPLY, &c[SLA_FIRST_REPLY], at, "the first customer message");
				start(&cx, SLA_RESOLUTION, &c[SLA_RESOLUTION], at, "the first customer message");
			} else if (!c[SLA_FIRST_REPLY].open && !c[SLA_NEXT_REPLY].open)
				start(&cx, SLA_NEXT_REPLY, &c[SLA_NEXT_REPLY], at, "a customer message after an answer");
		} else if (e->kind == EV_REPLIED && !auto_) {
			for (int m = SLA_FIRST_REPLY; m <= SLA_PERIODIC_UPDATE; m++)
				if (c[m].open)
					stop(&cx, m, &c[m], at, pol, m == SLA_FIRST_REPLY ?
					    "the first agent reply" : "an agent reply");
			start(&cx, SLA_PERIODIC_UPDATE, &c[SLA_PERIODIC_UPDATE], at, "an agent reply");
		}
		int ns = status_index(st.status);
		int now_stopped = ns == ST_SOLVED || ns == ST_CLOSED;
		if (now_stopped && !was_stopped)
			stopped_at = at;
		if (explain && ns != sidx) {
			for (int m = 0; m < SLA_NMETRICS; m++) {
				if (!c[m].exists || !c[m].open)
					continue;
				int r0 = is_running(s, m, sidx), r1 = is_running(s, m, ns);
				if (r0 != r1)
					fprintf(explain, "  %s: %s (%s)\n", sla_metric_names[m],
					    r1 ? "resumes" : now_stopped ? "stops" : "pauses",
					    st.status ? st.status : "no status");
			}
		}
		sidx = ns;
		const struct sla_policy *np = match_state(s, &st, tier);
		if (np != pol && explain)
			fprintf(explain, "  policy %s from %s\n", np ? np->name : "(none)",
			    fmt_rfc3339(at, b1));
		if (np != pol)
			policy_change(&cx, c, np, at);
		pol = np;
	}
	if (!first)
		run_span(&cx, c, prev, now, pol, sidx, st.snooze_until);
	int snoozed = ticket_snoozed(&st, now);
	ticket_free(&st);

	r->policy = pol;
	for (int m = 0; m < SLA_NMETRICS; m++)
		clock_result(s, m, &c[m], pol, sidx, stopped_at, now, snoozed, warn, &r->m[m], explain);
}

long long sla_count(const struct sla *s, const struct sla_policy *p, long long a, long long b)
{
	return count(counter(s, p), a, b);
}

long long sla_add(const struct sla *s, const struct sla_policy *p, long long from, long long secs)
{
	return add(counter(s, p), from, secs);
}

/* --- the entry point for other tools ------------------------------------ */

static struct sla cached;
static struct desk *cached_desk;

int sla_due(struct desk *d, const struct ticket *t, enum sla_metric m, long long now,
    long long *due)
{
	if (cached_desk != d) {
		if (cached_desk)
			sla_free(&cached);
		sla_load(&cached, d, NULL);
		cached_desk = d;
	}
	struct sla_result r;
	sla_eval(&cached, t, now, NULL, &r, NULL);
	const struct sla_clock *c = &r.m[m];
	switch (c->state) {
	case SLA_RUNNING:
	case SLA_AT_RISK:
		*due = c->due;
		return c->due == SLA_UNKNOWN;
	case SLA_BREACHED:
		if (!c->active)
			return 1;
		*due = c->due;
		return 0;
	case SLA_PAUSED: {
		long long v = add(counter(&cached, c->policy), now, c->remaining);
		if (v == -1)
			return 1;
		*due = v;
		return 0;
	}
	default:
		return 1;
	}
}
