/* msla: the service levels of the open tickets.
 *
 * Evaluates every open ticket's clocks (common/sla.c) at --now or as it
 * stood at --as-of, lists the deadlines at risk and breached (--all:
 * every clock), explains one ticket's clocks (--explain), and with
 * --notify writes escalation mail as an mbox and records one "escalated"
 * event per ticket, metric, level and cycle, so that a cron job tells
 * each of them once.  Exit 1 when a deadline is breached.  See msla(1). */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "opt.h"
#include "agents.h"
#include "conversation.h"
#include "csvw.h"
#include "desk.h"
#include "event.h"
#include "jsonw.h"
#include "outmsg.h"
#include "sla.h"
#include "ticketid.h"
#include "tickets.h"
#include "util.h"

enum { F_TABLE, F_JSON, F_CSV };
static const char *const formats[] = { "table", "json", "csv", NULL };

static struct desk D;
static struct sla S;
static const char *opt_desk, *opt_now, *opt_asof, *opt_policy, *opt_explain;
static const char *f_queue, *f_assignee, *f_priority, *f_tag;
static int f_metric = -1, f_state = -1, opt_all, opt_notify, dryrun, fmt = -1;
static struct sla_warn opt_warn;
static int have_warn;
static long long now, asof;
static char **f_ids;	/* the IDs asked for, ended by NULL (in argv) */
static const char **escalate;
static size_t nescalate;

static const char usage_line[] = "usage: msla [--desk DIR] [--now TIME] [--as-of TIME] "
    "[--policy REV] [--warn 25%|30m] [--format table|json|csv] [--all] [--queue Q] "
    "[--assignee LOGIN] [--priority P] [--tag TAG] [--metric M] [--state S] [ID ...]";

_Noreturn static void usage(FILE *f, int code)
{
	fprintf(f, "%s\n", usage_line);
	fprintf(f,
	    "       msla --notify [--escalate ADDRESS]... [--dry-run] [filters]\n"
	    "       msla --explain ID\n"
	    "exit status: 0 nothing breached, 1 a deadline breached, 64 and up errors\n"
	    "see msla(1)\n");
	exit(code);
}

/* an option misspelled, unknown or without its value (said on stderr) */
static _Noreturn void bad_option(void)
{
	opt_misuse(usage_line, NULL);
}

/* --- the tickets ------------------------------------------------------- */

/* What the output needs of a ticket, copied out of its events. */
struct tinfo {
	char id[16];
	size_t ord;		/* the ticket's place, by ID */
	const char *status, *priority, *queue, *assignee, *customer, *subject;
	const char *collision;	/* "WINNER, LOSER" of a collision between replicas */
};

struct row {
	const struct tinfo *t;
	int m;
	int escalated;		/* escalated at this clock's level before */
	struct sla_clock c;
};

/* A row's place in the output: most urgent first (rank), then the
 * earliest deadline, then by ticket ID (the order of tickets_summary) and
 * metric (ord). */
struct skey {
	int rank;
	long long due;
	size_t ord;
	const struct row *r;
};

/* A reader's work: its rows and the memory of what they show. */
struct work {
	struct row *rows;
	size_t n, cap;
	/* the infos of the tickets shown, each with its strings: together,
	 * since the output reads them in another order (big_alloc, room for
	 * every ticket's text; the arena when that is full) */
	char *keep;
	size_t kept, keepcap;
	struct arena more;
	int breached;
};
static int selected(const struct ticket *t)
{
	if (!status_active(t->status) || t->merged_into || !t->created)
		return 0;
	if (!opt_all && ticket_snoozed(t, now))
		return 0;	/* out of the queue: every clock paused */
	if (f_queue && (!t->queue || strcmp(t->queue, f_queue)))
		return 0;
	if (f_priority && strcmp(t->priority, f_priority))
		return 0;
	if (f_assignee && (!strcmp(f_assignee, "-") ? t->assignee != NULL :
	    !t->assignee || strcmp(t->assignee, f_assignee)))
		return 0;
	if (f_tag && !ticket_has_tag(t, f_tag))
		return 0;
	if (f_ids[0] && word_index((const char *const *)f_ids, t->id) < 0)
		return 0;
	return 1;
}

static void *keep_alloc(struct work *w, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (w->keepcap - w->kept < n)
		return arena_alloc(&w->more, n);
	void *p = w->keep + w->kept;
	w->kept += n;
	return p;
}

static const char *keep_str(struct work *w, const char *v)
{
	if (!v)
		return NULL;
	size_t n = strlen(v);
	char *p = keep_alloc(w, n + 1);
	memcpy(p, v, n + 1);
	return p;
}

static int shown(const struct sla_clock *c)
{
	if (c->state == SLA_NONE)
		return 0;
	if (f_state >= 0)
		return (int)c->state == f_state;
	return opt_all || sla_urgent(c);
}

static int escalated_before(const struct ticket *t, const char *metric, const char *level,
    const char *since)
{
	for (size_t i = 0; i < t->nev; i++) {
		const struct event *e = &t->ev[i];
		if (!strcmp(e->type, "escalated") && e->metric && !strcmp(e->metric, metric) &&
		    e->level && !strcmp(e->level, level) && e->since && !strcmp(e->since, since))
			return 1;
	}
	return 0;
}

/* The rows of a selected ticket's clocks. */
static void ticket_rows(struct work *wk, size_t ord, const struct ticket *t)
{
	struct sla_result r;
	sla_eval(&S, t, now, have_warn ? &opt_warn : NULL, &r, NULL);
	struct tinfo *ti = NULL;
	for (int m = 0; m < SLA_NMETRICS; m++) {
		const struct sla_clock *c = &r.m[m];
		if (f_metric >= 0 && m != f_metric)
			continue;
		if (c->state == SLA_BREACHED && c->active)
			wk->breached = 1;
		if (!(opt_notify ? sla_urgent(c) : shown(c)))
			continue;
		if (!ti) {
			ti = keep_alloc(wk, sizeof *ti);
			memcpy(ti->id, t->id, sizeof ti->id);
			ti->ord = ord;
			ti->status = keep_str(wk, t->status);
			ti->priority = keep_str(wk, t->priority);
			ti->queue = keep_str(wk, t->queue);
			ti->assignee = keep_str(wk, t->assignee);
			ti->customer = keep_str(wk, t->customer);
			ti->subject = keep_str(wk, t->subject);
			ti->collision = NULL;
			json_t *c0 = json_array_get(t->collisions, 0);
			if (c0) {
				char cb[80];
				snprintf(cb, sizeof cb, "%.32s, %.32s",
				    json_string_value(json_object_get(c0, "winner")),
				    json_string_value(json_object_get(c0, "loser")));
				ti->collision = keep_str(wk, cb);
			}
		}
		struct row *w = &wk->rows[wk->n++];	/* room for every clock of every ticket */
		w->t = ti;
		w->m = m;
		w->c = *c;
		w->escalated = 0;
		if (opt_notify) {
			char since[32];
			fmt_rfc3339(c->start, since);
			w->escalated = escalated_before(t, sla_metric_names[m],
			    c->state == SLA_BREACHED ? "breach" : "warn", since);
		}
	}
}

/* One ticket: fold, select, evaluate, keep its rows.  In a reader
 * thread (from_timeline) only from the summary's timeline, without git:
 * 0, or -1 when that does not read (the main thread folds it later). */
static int one_ticket(struct work *wk, size_t ord, const struct tsum *s, int from_timeline)
{
	struct ticket t;
	if (!from_timeline)
		tsum_fold(&D, s, &t, now);
	else if (!s->timeline || ticket_fold_timeline(&t, s->id, s->timeline, s->tlen, now) != 0)
		return -1;
	if (selected(&t))
		ticket_rows(wk, ord, &t);
	ticket_free(&t);
	return 0;
}

/* The tickets (tickets_summary) and the next chunk of them a reader
 * takes. */
static const struct tsum *SV;
static size_t nsv;
static atomic_size_t next_chunk;
#define CHUNK 128

/* The tickets not folded from their timelines, for the main thread: 1
 * in later[i] (each written by the one reader that took ticket i). */
static unsigned char *later;

/* Is ticket i to be read?  Not when msla of the present finds it solved
 * or closed in the summary (no running clock: read no further). */
static int wanted(size_t i)
{
	return asof || status_active(SV[i].status);
}

/* A reader: chunks of the tickets until there are none left. */
static void *reader(void *arg)
{
	struct work *wk = arg;
	for (;;) {
		size_t i = atomic_fetch_add(&next_chunk, 1) * CHUNK;
		if (i >= nsv)
			break;
		size_t end = nsv - i < CHUNK ? nsv : i + CHUNK;
		for (; i < end; i++)
			if (wanted(i) && one_ticket(wk, i, &SV[i], 1) != 0)
				later[i] = 1;
	}
	return NULL;
}

static struct work *W;
static size_t nw;

/* Every ticket of the main branch (with --as-of, and of the archive),
 * read by one reader per processor (at most 4). */
static void load_tickets(void)
{
	SV = tickets_timelines(&D, asof != 0, &nsv);
	long np = sysconf(_SC_NPROCESSORS_ONLN);
	const char *env = getenv("MSLA_THREADS");
	if (env && atoi(env) > 0)
		np = atoi(env);
	nw = np < 1 ? 1 : np > 4 ? 4 : (size_t)np;
	if (nsv < 4 * CHUNK)
		nw = 1;
	W = xcalloc(nw, sizeof *W);
	size_t text = 0;
	for (size_t i = 0; i < nsv; i++)
		text += SV[i].tlen + sizeof(struct tinfo) + 6 * 8;
	for (size_t i = 0; i < nw; i++) {
		W[i].cap = (nsv + 1) * SLA_NMETRICS;
		W[i].rows = big_alloc(W[i].cap * sizeof *W[i].rows);
		W[i].keepcap = text;
		W[i].keep = big_alloc(text);
	}
	sla_prepare(&S, now);
	later = xcalloc(nsv + 1, 1);
	atomic_init(&next_chunk, 0);
	pthread_t th[4];
	for (size_t i = 1; i < nw; i++)
		if (pthread_create(&th[i], NULL, reader, &W[i]) != 0)
			die(EX_OSERR, "cannot start a thread: %s", strerror(errno));
	reader(&W[0]);
	for (size_t i = 1; i < nw; i++)
		pthread_join(th[i], NULL);
	/* from their events blobs (git), telling the lines that are not
	 * events: here, one thread */
	for (size_t i = 0; i < nsv; i++)
		if (later[i])
			one_ticket(&W[0], i, &SV[i], 0);
	free(later);
}

/* --- the rows ---------------------------------------------------------- */

static int rank(const struct sla_clock *c)
{
	switch (c->state) {
	case SLA_BREACHED: return c->active ? 0 : 5;
	case SLA_AT_RISK: return 1;
	case SLA_RUNNING: return 2;
	case SLA_PAUSED: return 3;
	default: return 4;
	}
}

static int before(const struct skey *x, const struct skey *y)
{
	if (x->rank != y->rank)
		return x->rank < y->rank;
	if (x->due != y->due)
		return x->due < y->due;
	return x->ord < y->ord;
}

/* Sort v[0..n) by before(), a merge sort through tmp (n entries; qsort's
 * own scratch would be new memory again). */
static struct skey *merge_sort(struct skey *v, struct skey *tmp, size_t n)
{
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = before(&v[j], &v[i]) ? v[j++] : v[i++];
			while (i < mid)
				tmp[k++] = v[i++];
			while (j < hi)
				tmp[k++] = v[j++];
		}
		struct skey *t = v;
		v = tmp;
		tmp = t;
	}
	return v;
}

/* The rows of every reader in output order (n set). */
static struct skey *sorted_rows(size_t *n)
{
	size_t k = 0;
	for (size_t i = 0; i < nw; i++)
		k += W[i].n;
	size_t cap = k + 1;
	struct skey *v = big_alloc(2 * cap * sizeof *v);
	k = 0;
	for (size_t i = 0; i < nw; i++)
		for (size_t j = 0; j < W[i].n; j++) {
			const struct row *r = &W[i].rows[j];
			const struct sla_clock *c = &r->c;
			v[k].rank = rank(c);
			v[k].due = c->due != SLA_UNKNOWN ? c->due : now + c->remaining;
			v[k].ord = r->t->ord * SLA_NMETRICS + (size_t)r->m;
			v[k++].r = r;
		}
	struct skey *s = merge_sort(v, v + cap, k);
	if (s != v)
		memcpy(v, s, k * sizeof *v);
	*n = k;
	return v;
}

/* --- output ------------------------------------------------------------ */

static const char *short_time(long long t, char *b)
{
	if (t == SLA_UNKNOWN)
		return strcpy(b, "-");
	fmt_rfc3339(t, b);
	b[10] = ' ';
	b[16] = 0;
	return b;
}

static const char *dur(long long secs, char *b)
{
	if (secs == SLA_UNKNOWN)
		return strcpy(b, "-");
	return sla_fmt_duration(secs, b);
}

/* A CSV field: v in decimal, a time, or empty when not have. */
static const char *num(long long v, char b[24], int have)
{
	if (have)
		snprintf(b, 24, "%lld", v);
	return have ? b : "";
}

static const char *csv_time(long long t, char b[32], int have)
{
	return have ? fmt_rfc3339(t, b) : "";
}

static const char *const csv_cols[] = { "ticket", "metric", "state", "active", "policy",
	"time", "target", "start", "stop", "due", "elapsed", "remaining", "remaining_calendar",
	"cycles", "breaches", "longest", "status", "priority", "queue", "assignee", "customer",
	"subject" };
#define NCOLS (sizeof csv_cols / sizeof csv_cols[0])

/* Every row to stdout, in the format. */
static void print_rows(const struct skey *v, size_t n)
{
	char b[8][40];
	struct jout J = { { NULL, 0, 0 }, { 0 }, 0 };
	if (fmt == F_CSV)
		csvw_row(stdout, csv_cols, NCOLS);
	else if (fmt == F_TABLE && n)
		printf("TICKET    METRIC           STATE     POLICY    TARGET  DUE (UTC)         "
		    "LEFT     LEFT-CAL  ASSIGNEE  SUBJECT\n");
	for (size_t i = 0; i < n; i++) {
		const struct tinfo *t = v[i].r->t;
		const struct sla_clock *c = &v[i].r->c;
		const char *metric = sla_metric_names[v[i].r->m], *state = sla_state_name(c->state);
		const char *pol = c->policy ? c->policy->name : NULL;
		if (fmt == F_TABLE) {
			put_col(t->id, 10);
			put_col(metric, 17);
			put_col(state, 10);
			put_col(pol, 10);
			put_col(dur(c->target, b[0]), 8);
			put_col(short_time(c->due, b[1]), 18);
			put_col(c->state == SLA_MET ? "-" : dur(c->remaining, b[2]), 9);
			put_col(c->state == SLA_MET ? "-" : dur(c->remaining_cal, b[3]), 10);
			put_col(t->assignee, 10);
			if (t->collision)	/* both agents of a collision between replicas */
				printf("[collision: %s] ", t->collision);
			printf("%s\n", t->subject ? t->subject : "(no subject)");
			continue;
		}
		if (fmt == F_JSON) {
			jo_obj(&J);
			jo_key(&J, "ticket"); jo_str(&J, t->id);
			jo_key(&J, "metric"); jo_str(&J, metric);
			jo_key(&J, "state"); jo_str(&J, state);
			jo_key(&J, "active"); jo_bool(&J, c->active);
			jo_key(&J, "policy"); jo_str(&J, pol);
			jo_key(&J, "time"); jo_str(&J, c->business ? "business" : "calendar");
			jo_key(&J, "calendar");
			jo_str(&J, c->business && c->policy->cal ? c->policy->cal->name : NULL);
			jo_key(&J, "target"); jo_int(&J, c->target);
			jo_key(&J, "start"); jo_time(&J, c->start);
			jo_key(&J, "stop"); jo_time(&J, c->stop ? c->stop : INT64_MIN);
			jo_key(&J, "due"); jo_time(&J, c->due);
			jo_key(&J, "elapsed"); jo_int(&J, c->elapsed);
			jo_key(&J, "remaining"); jo_int(&J, c->remaining);
			jo_key(&J, "remaining_calendar");
			if (c->remaining_cal == SLA_UNKNOWN)
				jo_null(&J);
			else
				jo_int(&J, c->remaining_cal);
			jo_key(&J, "warn"); jo_int(&J, c->warn);
			jo_key(&J, "cycles"); jo_int(&J, c->cycles);
			jo_key(&J, "breaches"); jo_int(&J, c->breaches);
			jo_key(&J, "longest"); jo_int(&J, c->longest);
			jo_key(&J, "status"); jo_str(&J, t->status);
			jo_key(&J, "priority"); jo_str(&J, t->priority);
			jo_key(&J, "queue"); jo_str(&J, t->queue);
			jo_key(&J, "assignee"); jo_str(&J, t->assignee);
			jo_key(&J, "customer"); jo_str(&J, t->customer);
			jo_key(&J, "subject"); jo_str(&J, t->subject);
			if (t->collision) {
				jo_key(&J, "collision"); jo_str(&J, t->collision);
			}
			jo_end(&J);
			if (jo_line(&J, stdout) != 0)
				die(EX_IOERR, "write error: %s", strerror(errno));
			continue;
		}
		char n[7][24], tm[3][32];
		const char *row[NCOLS] = { t->id, metric, state, c->active ? "yes" : "no", pol,
			c->business ? "business" : "calendar", num(c->target, n[0], 1),
			csv_time(c->start, tm[0], 1), csv_time(c->stop, tm[1], c->stop != 0),
			csv_time(c->due, tm[2], c->due != SLA_UNKNOWN), num(c->elapsed, n[1], 1),
			num(c->remaining, n[2], 1), num(c->remaining_cal, n[3],
			c->remaining_cal != SLA_UNKNOWN), num(c->cycles, n[4], 1),
			num(c->breaches, n[5], 1), num(c->longest, n[6], 1), t->status, t->priority,
			t->queue, t->assignee, t->customer, t->subject };
		csvw_row(stdout, row, NCOLS);
	}
	jo_free(&J);
}

/* --- escalation ---------------------------------------------------------- */

static struct agents AG;
static int have_agents;

struct rcpt {
	const char *v[32];
	size_t n;
};

static void add_rcpt(struct rcpt *r, const char *a)
{
	if (!a || !*a || r->n == 32)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (!strcasecmp(r->v[i], a))
			return;
	r->v[r->n++] = a;
}

/* The group leads of the ticket's queue: active agents of the queue's
 * group with the skill "lead". */
static void add_leads(struct rcpt *r, const struct tinfo *t)
{
	const char *g = t->queue ? conf_get(&D.conf, "queue", t->queue, "group") : NULL;
	if (!g)
		g = t->queue;
	for (size_t i = 0; g && i < AG.n; i++)
		if (agent_is_lead(&AG.v[i], g))
			add_rcpt(r, AG.v[i].email);
}

static void mail_text(struct buf *out, const char *to, size_t k, const struct tinfo *t, int m,
    const struct sla_clock *c, int breach)
{
	const char *dom = conf_get(&D.conf, "", "", "domain");
	char date[64], envd[64], b[6][40];
	time_t tt = (time_t)now;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(envd, sizeof envd, "%a %b %e %H:%M:%S %Y", &tm);
	rfc5322_date(now, date, sizeof date);
	char metric[32];
	snprintf(metric, sizeof metric, "%s", sla_metric_names[m]);
	for (char *p = metric; *p; p++)
		if (*p == '_')
			*p = ' ';
	char *hdr = NULL;
	size_t hl = 0;
	FILE *f = open_memstream(&hdr, &hl);
	fprintf(f, "From mdesk@%s %s\n", dom ? dom : "localhost", envd);
	fprintf(f, "From: mdesk <mdesk@%s>\n", dom ? dom : "localhost");
	fprintf(f, "To: %s\n", to);
	if (breach)
		fprintf(f, "Subject: SLA breach: ticket %s, %s overdue by %s\n", t->id, metric,
		    sla_fmt_duration(-c->remaining, b[0]));
	else
		fprintf(f, "Subject: SLA warning: ticket %s, %s due in %s\n", t->id, metric,
		    sla_fmt_duration(c->remaining, b[0]));
	fprintf(f, "Date: %s\n", date);
	fprintf(f, "Message-ID: <msla.%s.%s.%s.%lld.%zu@%s>\n", t->id, sla_metric_names[m],
	    breach ? "breach" : "warn", c->start, k + 1, dom ? dom : "localhost");
	fprintf(f, "Auto-Submitted: auto-generated\n");
	fprintf(f, "X-Mdesk-Ticket: %s\n", t->id);
	fprintf(f, "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: 8bit\n\n");
	fprintf(f, "%s of ticket %s %s.\n\n", breach ? "The deadline" : "A deadline", t->id,
	    breach ? "has passed" : "is near");
	fprintf(f, "  Ticket:    %s\n", t->id);
	char *subj = utf8_clean(t->subject ? t->subject : "(no subject)",
	    strlen(t->subject ? t->subject : "(no subject)"), 1);
	fprintf(f, "  Subject:   %s\n", subj);
	free(subj);
	fprintf(f, "  Customer:  %s\n", t->customer ? t->customer : "-");
	fprintf(f, "  Assignee:  %s\n", t->assignee ? t->assignee : "(nobody)");
	fprintf(f, "  Metric:    %s\n", metric);
	fprintf(f, "  Policy:    %s, %s of %s time\n", c->policy ? c->policy->name : "-",
	    sla_fmt_duration(c->target, b[1]), c->business ? "business" : "calendar");
	fprintf(f, "  Since:     %s\n", fmt_rfc3339(c->start, b[2]));
	if (c->due == SLA_UNKNOWN)
		fprintf(f, "  Due:       -\n");
	else
		fprintf(f, "  Due:       %s (%s)\n", sla_fmt_local(c->due, conf_get(&D.conf, "", "",
		    "timezone"), b[5]), fmt_rfc3339(c->due, b[3]));
	fprintf(f, "  %s %s\n", c->remaining < 0 ? "Overdue:  " : "Left:     ",
	    sla_fmt_duration(c->remaining < 0 ? -c->remaining : c->remaining, b[4]));
	fprintf(f, "\nmsla --explain %s shows how the clock ran.\n\n", t->id);
	fclose(f);
	buf_add(out, hdr, hl);
	free(hdr);
}

/* Mail and events for the clocks at risk or breached; returns how many
 * escalations there were. */
static size_t notify(const struct skey *v, size_t n)
{
	size_t len;
	char *text = desk_read_file(&D, "agents.csv", &len);
	agents_load(&AG, text, len);
	have_agents = text != NULL;
	free(text);
	struct buf mail = { 0 };
	struct desk_tx *tx = dryrun ? NULL : desk_tx_new(&D);
	struct buf msg = { 0 };
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sla_clock *c = &v[i].r->c;
		if (!sla_urgent(c))
			continue;
		const struct tinfo *t = v[i].r->t;
		int breach = c->state == SLA_BREACHED;
		const char *metric = sla_metric_names[v[i].r->m], *level = breach ? "breach" : "warn";
		char since[32];
		fmt_rfc3339(c->start, since);
		if (v[i].r->escalated)
			continue;
		struct rcpt rc = { { 0 }, 0 };
		struct agent *a = t->assignee && have_agents ? agent_find(&AG, t->assignee) : NULL;
		if (a)
			add_rcpt(&rc, a->email);
		if (breach || !a) {
			add_leads(&rc, t);
			for (size_t k = 0; k < nescalate; k++)
				add_rcpt(&rc, escalate[k]);
		}
		if (!rc.n)
			continue;	/* nobody to tell: asked again next time */
		for (size_t k = 0; k < rc.n; k++)
			mail_text(&mail, rc.v[k], k, t, v[i].r->m, c, breach);
		json_t *e = event_new("escalated", "system", now);
		char key[128];
		snprintf(key, sizeof key, "%s/%s/%s/%s", t->id, metric, level, since);
		event_id_for(e, "escalated", key);
		jw_str(e, "metric", metric);
		jw_str(e, "level", level);
		jw_str(e, "since", since);
		jw_time(e, "due", c->due);
		json_t *to = json_array();
		for (size_t k = 0; k < rc.n; k++)
			json_array_append_new(to, jw_cstr(rc.v[k]));
		json_object_set_new(e, "to", to);
		if (tx)
			ticket_append_events(tx, t->id, &e, 1);
		else
			json_decref(e);
		char one[128];
		snprintf(one, sizeof one, "%s: %s %s\n", t->id, metric, level);
		buf_adds(&msg, one);
		count++;
	}
	/* the record is built before the mail goes: a desk that cannot take
	 * it (a full or read-only disk) stops the mail too */
	char an[64], ae[300];
	struct buf cm = { 0 };
	if (tx && count) {
		desk_system_author(an, sizeof an, ae, sizeof ae);
		char head[96];
		snprintf(head, sizeof head, "msla: %zu escalation%s\n\n", count, count == 1 ? "" : "s");
		buf_adds(&cm, head);
		buf_add(&cm, msg.p, msg.len);
		desk_tx_prepare(tx, an, ae, cm.p);
	}
	if (mail.len && (fwrite(mail.p, 1, mail.len, stdout) != mail.len || fflush(stdout) != 0)) {
		int e = errno;
		if (tx)
			desk_tx_abort(tx);
		die(EX_IOERR, "write error: %s", strerror(e));
	}
	if (tx && count)
		desk_tx_commit(tx, an, ae, cm.p);
	else if (tx)
		desk_tx_abort(tx);
	buf_free(&cm);
	buf_free(&mail);
	buf_free(&msg);
	if (have_agents)
		agents_free(&AG);
	return count;
}

/* --- --as-of: the sla.conf of that time ------------------------------------ */

/* The last commit of the desk's branch made at or before t, as hex. */
static int commit_at(long long t, char out[GIT_OID_HEXSZ + 1])
{
	git_revwalk *w;
	git_oid id;
	int found = 0;
	if (git_revwalk_new(&w, D.repo) != 0)
		return 0;
	git_revwalk_sorting(w, GIT_SORT_TIME);
	git_revwalk_simplify_first_parent(w);
	if (git_revwalk_push_ref(w, DESK_BRANCH) != 0) {
		git_revwalk_free(w);
		return 0;
	}
	while (!found && git_revwalk_next(&id, w) == 0) {
		git_commit *c;
		if (git_commit_lookup(&c, D.repo, &id) != 0)
			continue;
		if ((long long)git_commit_time(c) <= t) {
			git_oid_tostr(out, GIT_OID_HEXSZ + 1, &id);
			found = 1;
		}
		git_commit_free(c);
	}
	git_revwalk_free(w);
	return found;
}

/* --- main ------------------------------------------------------------------- */

static void parse_options(int argc, char **argv)
{
	enum { O_NOW = 256, O_ASOF, O_WARN, O_POLICY, O_NOTIFY, O_EXPLAIN, O_DRY, O_ESC,
		O_VERSION };
	static const struct option opts[] = {
		{ "desk", required_argument, NULL, 'd' },
		{ "now", required_argument, NULL, O_NOW },
		{ "as-of", required_argument, NULL, O_ASOF },
		{ "warn", required_argument, NULL, O_WARN },
		{ "policy", required_argument, NULL, O_POLICY },
		{ "format", required_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "queue", required_argument, NULL, 'q' },
		{ "assignee", required_argument, NULL, 'A' },
		{ "priority", required_argument, NULL, 'p' },
		{ "tag", required_argument, NULL, 't' },
		{ "metric", required_argument, NULL, 'm' },
		{ "state", required_argument, NULL, 's' },
		{ "notify", no_argument, NULL, O_NOTIFY },
		{ "escalate", required_argument, NULL, O_ESC },
		{ "dry-run", no_argument, NULL, O_DRY },
		{ "explain", required_argument, NULL, O_EXPLAIN },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	while ((c = opt_get(argc, argv, "hd:f:aq:p:t:", opts, bad_option)) != -1) {
		switch (c) {
		case 'd': opt_desk = optarg; break;
		case O_NOW: opt_now = optarg; break;
		case O_ASOF: opt_asof = optarg; break;
		case O_POLICY: opt_policy = optarg; break;
		case O_WARN:
			if (sla_warn_parse(optarg, &opt_warn) != 0)
				die(EX_USAGE, "--warn: want a share like 25%% or a duration like 30m, not '%s'",
				    optarg);
			have_warn = 1;
			break;
		case 'f':
			if ((fmt = word_index(formats, optarg)) < 0)
				die(EX_USAGE, "--format: unknown format '%s' (table, json or csv)", optarg);
			break;
		case 'a': opt_all = 1; break;
		case 'q': f_queue = optarg; break;
		case 'A': f_assignee = optarg; break;
		case 'p':
			if (!priority_valid(optarg))
				die(EX_USAGE, "--priority: '%s' is not one of " PRIORITY_LIST, optarg);
			f_priority = optarg;
			break;
		case 't': f_tag = optarg; break;
		case 'm':
			if ((f_metric = sla_metric_find(optarg)) < 0)
				die(EX_USAGE, "--metric: '%s' is not first_reply, next_reply, "
				    "periodic_update or resolution", optarg);
			break;
		case 's':
			for (f_state = SLA_RUNNING; f_state <= SLA_MET; f_state++)
				if (!strcmp(optarg, sla_state_name(f_state)))
					break;
			if (f_state > SLA_MET)
				die(EX_USAGE, "--state: '%s' is not running, paused, at-risk, breached "
				    "or met", optarg);
			break;
		case O_NOTIFY: opt_notify = 1; break;
		case O_ESC:
			if (!addr_plain(optarg))	/* it goes into a To: field */
				die(EX_USAGE, "--escalate: '%s' is not an address (local@domain, no blanks)",
				    optarg);
			escalate = xrealloc(escalate, (nescalate + 1) * sizeof *escalate);
			escalate[nescalate++] = optarg;
			break;
		case O_DRY: dryrun = 1; break;
		case O_EXPLAIN: opt_explain = optarg; break;
		case 'h': usage(stdout, 0); break;
		case O_VERSION: printf("msla (mdesk) %s\n", MDESK_VERSION); exit(0);
		default: bad_option();
		}
	}
	char norm[16];
	for (int i = optind; i < argc; i++) {
		if (ticketid_norm(argv[i], norm) != 0)
			die(EX_USAGE, "'%s' is not a ticket ID", argv[i]);
		memcpy(argv[i], norm, strlen(norm));	/* its capitals, in place */
	}
	f_ids = argv + optind;
	now = mdesk_now(opt_now);
	if (opt_asof) {
		if (parse_rfc3339(opt_asof, &asof) != 0)
			die(EX_USAGE, "--as-of: '%s' is not a time (RFC 3339 or @seconds)", opt_asof);
		if (asof > now)
			die(EX_USAGE, "--as-of: %s is later than now", opt_asof);
		now = asof;
	}
	if (opt_notify && (opt_asof || opt_policy))
		die(EX_USAGE, "--notify works on the present: not with --as-of or --policy");
	static char explain[16];
	if (opt_explain && ticketid_norm(opt_explain, explain) != 0)
		die(EX_USAGE, "--explain: '%s' is not a ticket ID", opt_explain);
	if (opt_explain)
		opt_explain = explain;
	if (fmt < 0)
		fmt = isatty(1) ? F_TABLE : F_JSON;
}

/* --explain ID: one ticket's clocks, step by step. */
static void explain(const char *use_rev)
{
	struct ticket t;
	if (ticket_load(&D, opt_explain, &t, NULL, 0) != 0)
		die(EX_NOINPUT, "%s: no such ticket", opt_explain);
	printf("ticket %s: %s\n", t.id, t.subject ? t.subject : "(no subject)");
	char b[32];
	printf("at %s, sla.conf %s\n", fmt_rfc3339(now, b), use_rev ? use_rev : "of the working tree");
	struct sla_result r;
	sla_eval(&S, &t, now, have_warn ? &opt_warn : NULL, &r, stdout);
	ticket_free(&t);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EX_IOERR, "write error: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	progname = "msla";
	setenv("TZ", "UTC", 1);
	tzset();
	parse_options(argc, argv);
	desk_open(&D, opt_desk);
	D.now = now;
	char rev[GIT_OID_HEXSZ + 1];
	const char *use_rev = opt_policy;
	if (!use_rev && asof && commit_at(asof, rev))
		use_rev = rev;
	sla_load(&S, &D, use_rev);

	if (opt_explain) {
		explain(use_rev);
		sla_free(&S);
		desk_close(&D);
		git_libgit2_shutdown();
		return 0;
	}

	if (opt_notify && !dryrun)
		desk_lock(&D);
	load_tickets();
	int breached = 0;
	for (size_t i = 0; i < nw; i++)
		breached |= W[i].breached;
	size_t nr;
	struct skey *rows = sorted_rows(&nr);
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	if (opt_notify) {
		notify(rows, nr);
		if (!dryrun)
			desk_unlock(&D);
	} else
		print_rows(rows, nr);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EX_IOERR, "write error: %s", strerror(errno));
	big_free(rows, 2 * (nr + 1) * sizeof *rows);
	for (size_t i = 0; i < nw; i++) {
		big_free(W[i].rows, W[i].cap * sizeof *W[i].rows);
		big_free(W[i].keep, W[i].keepcap);
		arena_free(&W[i].more);
	}
	free(W);
	tickets_summary_free();
	free(escalate);
	sla_free(&S);
	desk_close(&D);
	git_libgit2_shutdown();
	return breached;
}
