/* report.c: the figures of mreport (see report.h and mreport(1)). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "report.h"

const char *const rep_by_names[REP_NBY] = { "agent", "group", "queue", "tag", "priority",
	"language", "customer", "day", "week", "month" };
const char *const rep_weekday[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

int rep_by_find(const char *name)
{
	for (int i = 0; i < REP_NBY; i++)
		if (!strcmp(rep_by_names[i], name))
			return i;
	return -1;
}

/* --- durations --------------------------------------------------------- */

void rep_dist_add(struct rep_dist *d, long long v)
{
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = xrealloc(d->v, d->cap * sizeof *d->v);
	}
	d->v[d->n++] = v;
	d->sorted = 0;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

long long rep_dist_pct(struct rep_dist *d, int p)
{
	if (!d->n)
		return -1;
	if (!d->sorted) {
		qsort(d->v, d->n, sizeof *d->v, cmp_ll);
		d->sorted = 1;
	}
	size_t k = ((size_t)p * d->n + 99) / 100;	/* ceil(p * n / 100) */
	if (k < 1)
		k = 1;
	if (k > d->n)
		k = d->n;
	return d->v[k - 1];
}

long long rep_dist_mean(const struct rep_dist *d)
{
	if (!d->n)
		return -1;
	/* a sum of durations in seconds: no overflow below 2^63 / n */
	long double s = 0;
	for (size_t i = 0; i < d->n; i++)
		s += (long double)d->v[i];
	long double m = s / (long double)d->n;
	return (long long)(m < 0 ? m - 0.999999L : m);
}

void rep_dist_free(struct rep_dist *d)
{
	free(d->v);
	memset(d, 0, sizeof *d);
}

/* --- periods ----------------------------------------------------------- */

/* The local date of t in zone tz (already set). */
static void local_date(long long t, int *y, int *mo, int *d, int *wd)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!localtime_r(&tt, &tm))
		memset(&tm, 0, sizeof tm);
	*y = tm.tm_year + 1900, *mo = tm.tm_mon, *d = tm.tm_mday, *wd = tm.tm_wday;
}

/* The start of the period of kind holding t, and the next one's. */
static long long align(int kind, long long t)
{
	int y, mo, d, wd;
	local_date(t, &y, &mo, &d, &wd);
	if (kind == REP_WEEK)
		d -= (wd + 6) % 7;
	else if (kind == REP_MONTH)
		d = 1;
	long long s = calendar_local(y, mo, d, 0);
	if (s > t)	/* a zone whose midnight does not exist, moved forward */
		s = calendar_local(y, mo, d, 0) - 3600;
	return s;
}

static long long next_start(int kind, long long s)
{
	int y, mo, d, wd;
	local_date(s + 7200, &y, &mo, &d, &wd);	/* 2h in: past a skipped midnight */
	if (kind == REP_DAY)
		d += 1;
	else if (kind == REP_WEEK)
		d += 7;
	else
		mo += 1, d = 1;
	long long n = calendar_local(y, mo, d, 0);
	return n > s ? n : s + 86400;
}

static void label(int kind, long long s, char out[16])
{
	time_t tt = (time_t)(s + 7200);
	struct tm tm;
	if (!localtime_r(&tt, &tm))
		memset(&tm, 0, sizeof tm);
	strftime(out, 16, kind == REP_DAY ? "%Y-%m-%d" : kind == REP_WEEK ? "%G-W%V" : "%Y-%m", &tm);
}

int rep_periods_build(struct rep_periods *p, int kind, const char *tz, long long since,
    long long until, size_t max)
{
	memset(p, 0, sizeof *p);
	calendar_use_tz(tz);
	long long s = align(kind, since);
	size_t cap = 16;
	p->start = xmalloc((cap + 1) * sizeof *p->start);
	p->label = xmalloc(cap * sizeof *p->label);
	int rc = 0;
	while (s < until) {
		if (p->n == max) {
			rc = -1;
			break;
		}
		if (p->n == cap) {
			cap *= 2;
			p->start = xrealloc(p->start, (cap + 1) * sizeof *p->start);
			p->label = xrealloc(p->label, cap * sizeof *p->label);
		}
		p->start[p->n] = s;
		label(kind, s, p->label[p->n]);
		p->n++;
		s = next_start(kind, s);
	}
	p->start[p->n] = s;
	calendar_use_tz("UTC");
	return rc;
}

int rep_periods_extend(struct rep_periods *p, int kind, const char *tz, long long t,
    size_t max)
{
	if (!p->n || t >= p->start[0])
		return 0;
	calendar_use_tz(tz);
	long long s = align(kind, t);
	size_t k = 0;
	for (long long x = s; x < p->start[0]; x = next_start(kind, x))
		if (++k + p->n > max) {
			calendar_use_tz("UTC");
			return -1;
		}
	p->start = xrealloc(p->start, (p->n + k + 1) * sizeof *p->start);
	p->label = xrealloc(p->label, (p->n + k) * sizeof *p->label);
	memmove(p->start + k, p->start, (p->n + 1) * sizeof *p->start);
	memmove(p->label + k, p->label, p->n * sizeof *p->label);
	size_t i = 0;
	for (long long x = s; i < k; x = next_start(kind, x), i++) {
		p->start[i] = x;
		label(kind, x, p->label[i]);
	}
	p->n += k;
	calendar_use_tz("UTC");
	return 0;
}

long rep_period_of(const struct rep_periods *p, long long t)
{
	if (!p->n || t < p->start[0] || t >= p->start[p->n])
		return -1;
	size_t lo = 0, hi = p->n;	/* start[lo] <= t < start[hi] */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->start[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return (long)lo;
}

void rep_periods_free(struct rep_periods *p)
{
	free(p->start);
	free(p->label);
	memset(p, 0, sizeof *p);
}

long long rep_busiest(const long long heat[7][24], int *wd, int *hour)
{
	long long best = 0;
	for (int k = 0; k < 7; k++) {
		int w = (k + 1) % 7;	/* Monday first */
		for (int h = 0; h < 24; h++)
			if (heat[w][h] > best) {
				best = heat[w][h];
				*wd = w;
				*hour = h;
			}
	}
	return best;
}

/* --- the report -------------------------------------------------------- */

#define MAXPER 100000

int report_init(struct report *r, const int *by, size_t nby, long long since,
    long long until, const char *tz, const struct sla *s, rep_groups_fn groups,
    void *ctx, const char **err)
{
	memset(r, 0, sizeof *r);
	r->period = -1;
	r->since = since;
	r->until = until;
	r->sla = s;
	r->groups = groups;
	r->groups_ctx = ctx;
	snprintf(r->tz, sizeof r->tz, "%s", tz && *tz ? tz : "UTC");
	for (size_t i = 0; i < nby; i++) {
		if (by[i] < 0 || by[i] >= REP_NBY) {
			*err = "unknown grouping";
			return -1;
		}
		if (by[i] >= REP_DAY) {
			if (r->period >= 0) {
				*err = "one period at most (day, week or month)";
				return -1;
			}
			r->period = by[i];
			continue;
		}
		for (size_t k = 0; k < r->nby; k++)
			if (r->by[k] == by[i]) {
				*err = "a grouping given twice";
				return -1;
			}
		if (r->nby == REP_MAXBY) {
			*err = "too many groupings";
			return -1;
		}
		r->by[r->nby++] = by[i];
	}
	if (until <= since) {
		*err = "the end of the report is not after its start";
		return -1;
	}
	if (r->period >= 0 && rep_periods_build(&r->per, r->period, r->tz,
	    since == REP_NOPERIOD ? until - 1 : since, until, MAXPER) != 0) {
		rep_periods_free(&r->per);
		*err = "more than 100000 periods (give a later --since)";
		return -1;
	}
	return 0;
}

/* v in decimal, and then c, onto b. */
static void put_num(struct buf *b, unsigned long long v, char c)
{
	char t[24];
	int i = sizeof t;
	t[--i] = c;
	do
		t[--i] = (char)('0' + v % 10);
	while (v /= 10);
	buf_add(b, t + i, sizeof t - (size_t)i);
}

/* The row of group key and period, made when there is none. */
static struct rep_row *row_get(struct report *r, const char *const *key, long long period)
{
	r->ident.len = 0;	/* "LEN:KEY" each, then the period: one string a row */
	for (size_t i = 0, l; i < r->nby; i++) {
		put_num(&r->ident, l = strlen(key[i]), ':');
		buf_add(&r->ident, key[i], l);
	}
	put_num(&r->ident, (unsigned long long)period, ';');
	size_t at = strtab_get(&r->index, buf_cstr(&r->ident));
	if (at)
		return (struct rep_row *)(uintptr_t)at;
	struct rep_row *w = arena_alloc(&r->mem, sizeof *w);
	memset(w, 0, sizeof *w);
	for (size_t i = 0; i < r->nby; i++)
		w->key[i] = arena_strndup(&r->mem, key[i], strlen(key[i]));
	w->pstart = period;
	w->period = -1;
	if (r->nrows == r->rcap) {
		r->rcap = r->rcap ? r->rcap * 2 : 64;
		r->rows = xrealloc(r->rows, r->rcap * sizeof *r->rows);
	}
	r->rows[r->nrows++] = w;
	strtab_put(&r->index, arena_strndup(&r->mem, r->ident.p, r->ident.len), (uintptr_t)w);
	return w;
}

/* The row of group key for instant t, or NULL when t is outside. */
static struct rep_row *row_at(struct report *r, const char *const *key, long long t)
{
	if (t < r->since || t >= r->until)
		return NULL;
	if (r->period < 0)
		return row_get(r, key, REP_NOPERIOD);
	long p = rep_period_of(&r->per, t);
	if (p < 0 && r->since == REP_NOPERIOD && t < r->per.start[0]) {
		if (rep_periods_extend(&r->per, r->period, r->tz, t, MAXPER) != 0)
			die(EX_DATAERR, "more than %d periods: give a later --since", MAXPER);
		p = rep_period_of(&r->per, t);
	}
	return p < 0 ? NULL : row_get(r, key, r->per.start[p]);
}

static int done_status(const char *s)
{
	return s && (!strcmp(s, "solved") || !strcmp(s, "closed"));
}

/* The local weekday and hour of t, through a cache of quarter hours (a
 * zone's offset changes on a quarter hour at most). */
struct slot {
	long long q;
	signed char wd, hour;
};
#define NSLOT 4096
static struct slot slots[NSLOT];
static char slots_tz[128];

static void weekday_hour(const char *tz, long long t, int *wd, int *hour)
{
	long long q = t >= 0 ? t / 900 : -((-t + 899) / 900);
	if (strcmp(slots_tz, tz)) {
		for (size_t i = 0; i < NSLOT; i++)
			slots[i].q = LLONG_MIN;
		snprintf(slots_tz, sizeof slots_tz, "%s", tz);
	}
	struct slot *s = &slots[(unsigned long long)q % NSLOT];
	if (s->q != q) {
		calendar_use_tz(tz);
		time_t tt = (time_t)(q * 900);
		struct tm tm;
		if (!localtime_r(&tt, &tm))
			memset(&tm, 0, sizeof tm);
		s->q = q;
		s->wd = (signed char)tm.tm_wday;
		s->hour = (signed char)tm.tm_hour;
	}
	*wd = s->wd;
	*hour = s->hour;
}

/* The facts of one ticket, found by its replay. */
enum { F_CREATED, F_SOLVED, F_REOPENED, F_INCOMING, F_FIRST_REPLY, F_ESC, F_ACK, F_SLA };
struct fact {
	long long at, v, vb;	/* durations: calendar, business */
	int kind, n;		/* F_SOLVED: replies before; F_SLA: metric */
	int met;
};
struct span {
	long long a, b;
};

static void add_fact(struct report *r, struct rep_row *w, const struct fact *f)
{
	switch (f->kind) {
	case F_CREATED: w->created++; break;
	case F_SOLVED:
		w->solved++;
		w->replies += f->n;
		w->one_touch += f->n <= 1;
		rep_dist_add(&w->resolution, f->v);
		rep_dist_add(&w->resolution_b, f->vb);
		break;
	case F_REOPENED: w->reopened++; break;
	case F_INCOMING: {
		int wd, h;
		w->incoming++;
		weekday_hour(r->tz, f->at, &wd, &h);
		w->heat[wd][h]++;
		break;
	}
	case F_FIRST_REPLY:
		rep_dist_add(&w->first_reply, f->v);
		rep_dist_add(&w->first_reply_b, f->vb);
		break;
	case F_ESC: w->escalations++; break;
	case F_ACK: w->acks++; break;
	case F_SLA:
		if (f->met)
			w->met[f->n]++;
		else
			w->breached[f->n]++;
		break;
	}
}

/* The values of grouping key k for ticket t (into v, at most max). */
static size_t key_values(struct report *r, int k, const struct ticket *t, const char **v,
    size_t max, struct arena *a)
{
	size_t n = 0;
	switch (k) {
	case REP_AGENT: v[n++] = t->assignee; break;
	case REP_QUEUE: v[n++] = t->queue; break;
	case REP_PRIORITY: v[n++] = t->priority; break;
	case REP_LANGUAGE: v[n++] = t->lang; break;
	case REP_CUSTOMER: v[n++] = t->customer; break;
	case REP_TAG:
		for (size_t i = 0; i < json_array_size(t->tags) && n < max; i++)
			v[n++] = json_string_value(json_array_get(t->tags, i));
		break;
	case REP_GROUP: {
		const char *g = t->assignee && r->groups ? r->groups(r->groups_ctx, t->assignee) : NULL;
		while (g && *g && n < max) {
			g += strspn(g, "; \t");
			size_t l = strcspn(g, "; \t");
			if (l)
				v[n++] = arena_strndup(a, g, l);
			g += l;
		}
		break;
	}
	}
	for (size_t i = 0; i < n; i++)
		if (!v[i] || !*v[i])
			v[i] = "-";
	if (!n)
		v[n++] = "-";
	return n;
}

/* The facts fv[0..nf) and the open spans sv[0..ns) of a ticket in the
 * rows of the group key. */
static void count_group(struct report *r, const char *const *key, const struct fact *fv,
    size_t nf, const struct span *sv, size_t ns)
{
	for (size_t i = 0; i < nf; i++) {
		struct rep_row *w = row_at(r, key, fv[i].at);
		if (!w)
			continue;
		add_fact(r, w, &fv[i]);
		if (fv[i].kind == F_INCOMING) {
			int wd, h;
			weekday_hour(r->tz, fv[i].at, &wd, &h);
			r->heat[wd][h]++;
		} else if (fv[i].kind == F_FIRST_REPLY)
			rep_dist_add(&r->all_first_reply, fv[i].v);
	}
	/* the backlog: counted in report_finish */
	for (size_t i = 0; i < ns; i++) {
		if (sv[i].a >= r->until)
			continue;
		if (r->nspans == r->scap) {
			r->scap = r->scap ? r->scap * 2 : 1024;
			r->spans = xrealloc(r->spans, r->scap * sizeof *r->spans);
		}
		struct rep_row *w = r->period < 0 ? row_get(r, key, REP_NOPERIOD) :
		    row_at(r, key, sv[i].a > r->since ? sv[i].a : r->since);
		if (!w)	/* opened before the periods: extend them */
			w = row_at(r, key, sv[i].a);
		if (!w)
			continue;
		r->spans[r->nspans++] = (struct rep_span){ sv[i].a, sv[i].b, w };
	}
}

/* The SLA facts of a ticket's clocks res into fv: each metric met in
 * every cycle, or breached, counted when its clock stopped (breached and
 * running: at its deadline).  Returns how many. */
static size_t sla_facts(const struct sla_result *res, struct fact *fv)
{
	size_t nf = 0;
	for (int m = 0; m < SLA_NMETRICS; m++) {
		const struct sla_clock *c = &res->m[m];
		if (c->state == SLA_NONE)
			continue;
		int breached = c->breaches > 0 || c->state == SLA_BREACHED;
		if (!breached && c->state != SLA_MET)
			continue;
		long long at = !c->active ? c->stop : c->state == SLA_BREACHED ? c->due : c->start;
		if (at == SLA_UNKNOWN || !at)
			continue;
		fv[nf++] = (struct fact){ at, 0, 0, F_SLA, m, !breached };
	}
	return nf;
}

#define MAXVAL 64	/* values of one key for one ticket (tags, groups) */
#define MAXCOMBO 1024	/* groups of one ticket */

void report_add(struct report *r, const struct ticket *t, struct arena *scratch)
{
	if (t->merged_into || !t->created || !t->nev)
		return;
	/* the replay */
	struct fact *fv = arena_alloc(scratch, (3 * t->nev + SLA_NMETRICS + 2) * sizeof *fv);
	struct span *sv = arena_alloc(scratch, (t->nev + 1) * sizeof *sv);
	size_t nf = 0, ns = 0;
	struct ticket st;
	ticket_start(&st, t->id);
	struct sla_result res;
	int have_res = 0;
	if (r->sla) {
		sla_eval(r->sla, t, r->until - 1, NULL, &res, NULL);
		have_res = 1;
	}
	long long first_cust = 0, open_since = 0;
	int replies = 0, replied = 0, open = 0;
	for (size_t i = 0; i < t->nev; i++) {
		const struct event *e = &t->ev[i];
		const char *prev = st.status;
		int was_created = st.created != 0;
		ticket_step(&st, e);
		const char *ty = e->type;
		struct fact f = { e->at, 0, 0, -1, 0, 0 };
		if (!strcmp(ty, "received")) {
			if (!e->autom) {
				f.kind = F_INCOMING;
				if (!first_cust && !e->merged)
					first_cust = e->at;
			}
		} else if (!strcmp(ty, "replied")) {
			if (e->autom || e->ack) {
				if (!e->by || strncmp(e->by, "rule:", 5))	/* an automation's: no ack */
					f.kind = F_ACK;
			} else if (!e->merged) {
				replies++;
				if (!replied) {
					replied = 1;
					long long from = first_cust ? first_cust : t->created;
					f.kind = F_FIRST_REPLY;
					f.v = e->at - from;
					const struct sla_policy *p = have_res ?
					    (res.m[SLA_FIRST_REPLY].policy ? res.m[SLA_FIRST_REPLY].policy :
					    res.policy) : NULL;
					f.vb = r->sla ? sla_count(r->sla, p, from, e->at) : f.v;
				}
			}
		} else if (!strcmp(ty, "escalated"))
			f.kind = F_ESC;
		if (f.kind >= 0)
			fv[nf++] = f;
		if (e->merged)
			continue;
		if (!was_created && st.created) {
			fv[nf++] = (struct fact){ st.created, 0, 0, F_CREATED, 0, 0 };
			open = 1;
			open_since = st.created;
		}
		int d0 = done_status(prev), d1 = done_status(st.status);
		if (!d0 && d1 && was_created) {
			long long from = first_cust ? first_cust : t->created;
			const struct sla_policy *p = have_res ? (res.m[SLA_RESOLUTION].policy ?
			    res.m[SLA_RESOLUTION].policy : res.policy) : NULL;
			fv[nf++] = (struct fact){ e->at, e->at - from,
				r->sla ? sla_count(r->sla, p, from, e->at) : e->at - from, F_SOLVED,
				replies, 0 };
		} else if (d0 && !d1)
			fv[nf++] = (struct fact){ e->at, 0, 0, F_REOPENED, 0, 0 };
		if (open && d1) {
			sv[ns++] = (struct span){ open_since, e->at };
			open = 0;
		} else if (!open && !d1 && st.created) {
			open = 1;
			open_since = e->at;
		}
	}
	if (open)
		sv[ns++] = (struct span){ open_since, LLONG_MAX };
	if (have_res)
		nf += sla_facts(&res, fv + nf);

	/* the groups: every combination of the keys' values */
	const char *vals[REP_MAXBY][MAXVAL];
	size_t nv[REP_MAXBY], idx[REP_MAXBY];
	size_t combos = 1;
	for (size_t k = 0; k < r->nby; k++) {
		nv[k] = key_values(r, r->by[k], &st, vals[k], MAXVAL, scratch);
		idx[k] = 0;
		combos *= nv[k];
	}
	/* many tags times many groups: bounded work per ticket */
	while (combos > MAXCOMBO) {
		size_t big = 0;
		for (size_t k = 1; k < r->nby; k++)
			if (nv[k] > nv[big])
				big = k;
		combos = combos / nv[big] * (nv[big] - 1);
		nv[big]--;
	}
	for (;;) {
		const char *key[REP_MAXBY];
		for (size_t k = 0; k < r->nby; k++)
			key[k] = vals[k][idx[k]];
		count_group(r, key, fv, nf, sv, ns);
		size_t k = 0;
		while (k < r->nby && ++idx[k] == nv[k])
			idx[k++] = 0;
		if (k == r->nby)
			break;
	}
	ticket_free(&st);
}

static const struct report *sort_r;
static int by_key(const void *a, const void *b)
{
	const struct rep_row *x = *(struct rep_row *const *)a, *y = *(struct rep_row *const *)b;
	for (size_t i = 0; i < sort_r->nby; i++) {
		int c = strcmp(x->key[i], y->key[i]);
		if (c)
			return c;
	}
	return x->pstart < y->pstart ? -1 : x->pstart > y->pstart;
}

static int same_keys(const struct report *r, const struct rep_row *x, const struct rep_row *y)
{
	for (size_t i = 0; i < r->nby; i++)
		if (strcmp(x->key[i], y->key[i]))
			return 0;
	return 1;
}

void report_finish(struct report *r)
{
	if (r->nby == 0 && r->nrows == 0)
		row_get(r, NULL, r->period < 0 ? REP_NOPERIOD : r->per.start[r->per.n - 1]);
	if (r->period >= 0) {
		/* every group a row for each period */
		size_t n0 = r->nrows;
		for (size_t i = 0; i < n0; i++) {
			struct rep_row *w = r->rows[i];
			for (size_t p = 0; p < r->per.n; p++)
				row_get(r, w->key, r->per.start[p]);
		}
	}
	/* the backlog: the tickets open at the end of each period.  A span
	 * [a, b) is open at the ends of periods p0..p1: +1 at p0 and -1 at
	 * p1 + 1, summed along each group's periods once sorted. */
	for (size_t i = 0; i < r->nspans; i++) {
		const struct rep_span *s = &r->spans[i];
		if (r->period < 0) {
			if (s->a < r->until && s->b >= r->until)
				s->row->backlog++;
			continue;
		}
		long p0 = s->a < r->per.start[0] ? 0 : rep_period_of(&r->per, s->a);
		long p1 = s->b == LLONG_MAX ? (long)r->per.n - 1 : s->b < r->per.start[0] ? -1 :
		    rep_period_of(&r->per, s->b) - 1;
		if (p0 < 0 || p1 < p0)
			continue;
		row_get(r, s->row->key, r->per.start[p0])->bdelta++;
		if ((size_t)p1 + 1 < r->per.n)
			row_get(r, s->row->key, r->per.start[p1 + 1])->bdelta--;
	}
	for (size_t i = 0; i < r->nrows; i++) {
		struct rep_row *w = r->rows[i];
		w->from = r->since;
		w->to = r->until;
		if (w->pstart != REP_NOPERIOD) {
			w->period = rep_period_of(&r->per, w->pstart);
			if (w->pstart > w->from)
				w->from = w->pstart;
			long long e = r->per.start[w->period + 1];
			if (e < w->to)
				w->to = e;
		}
	}
	sort_r = r;
	if (r->nrows > 1)
		qsort(r->rows, r->nrows, sizeof *r->rows, by_key);
	if (r->period >= 0) {
		long long acc = 0;
		for (size_t i = 0; i < r->nrows; i++) {
			struct rep_row *w = r->rows[i];
			if (i && !same_keys(r, w, r->rows[i - 1]))
				acc = 0;
			acc += w->bdelta;
			w->backlog = acc;
		}
	}
	calendar_use_tz("UTC");
}

void report_free(struct report *r)
{
	for (size_t i = 0; i < r->nrows; i++) {
		struct rep_row *w = r->rows[i];
		rep_dist_free(&w->first_reply);
		rep_dist_free(&w->first_reply_b);
		rep_dist_free(&w->resolution);
		rep_dist_free(&w->resolution_b);
	}
	rep_dist_free(&r->all_first_reply);
	free(r->rows);
	free(r->spans);
	strtab_free(&r->index);
	buf_free(&r->ident);
	rep_periods_free(&r->per);
	arena_free(&r->mem);
	memset(r, 0, sizeof *r);
}
