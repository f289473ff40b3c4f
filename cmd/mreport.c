/* mreport: the desk's figures for a support lead.
 *
 * Reads every ticket's events through libgit2 (the main branch and the
 * archive, at --rev or now), counts them with common/report.c grouped by
 * --by keys and periods, and writes a table, CSV, JSON Lines or one HTML
 * page with SVG charts (common/rephtml.c).  See mreport(1). */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "opt.h"
#include "agents.h"
#include "calendar.h"
#include "csvw.h"
#include "desk.h"
#include "jsonw.h"
#include "rephtml.h"
#include "report.h"
#include "sla.h"
#include "tickets.h"
#include "util.h"

enum { F_TABLE, F_JSON, F_CSV, F_HTML };
static const char *const formats[] = { "table", "json", "csv", "html", NULL };

static struct desk D;
static struct sla S;
static const char *opt_desk, *opt_now, *opt_since, *opt_until, *opt_rev, *opt_tz;
static int fmt = -1;
static int opt_target = 90;	/* --sla-target, percent */
static int by[REP_NBY];
static size_t nby;
static git_commit *rev_commit;	/* the main branch at --rev (or now) */
static struct agents AG;

static const char usage_line[] = "usage: mreport [--desk DIR] [--since TIME] [--until TIME] "
    "[--by agent|group|queue|tag|priority|language|customer|day|week|month]... "
    "[--format table|csv|json|html] [--rev REV] [--tz ZONE] [--now TIME] [--sla-target PERCENT]";

_Noreturn static void usage(FILE *f, int code)
{
	fprintf(f, "%s\n", usage_line);
	fprintf(f,
	    "TIME: RFC 3339, @seconds, or a date YYYY-MM-DD (midnight in the report's zone)\n"
	    "see mreport(1)\n");
	exit(code);
}

/* an option misspelled, unknown or without its value (said on stderr) */
static _Noreturn void bad_option(void)
{
	opt_misuse(usage_line, NULL);
}

/* --- reading the desk -------------------------------------------------- */

/* A file of the desk at the report's revision (malloc'd), or NULL. */
static char *read_rev(const char *path, size_t *len)
{
	git_tree *tree = NULL;
	git_tree_entry *e = NULL;
	git_blob *blob = NULL;
	char *out = NULL;
	if (git_commit_tree(&tree, rev_commit) == 0 &&
	    git_tree_entry_bypath(&e, tree, path) == 0 &&
	    git_tree_entry_type(e) == GIT_OBJECT_BLOB &&
	    git_blob_lookup(&blob, D.repo, git_tree_entry_id(e)) == 0) {
		size_t n = (size_t)git_blob_rawsize(blob);
		out = xmalloc(n + 1);
		if (n)
			memcpy(out, git_blob_rawcontent(blob), n);
		out[n] = 0;
		*len = n;
	}
	git_blob_free(blob);
	git_tree_entry_free(e);
	git_tree_free(tree);
	return out;
}

/* --- counting ---------------------------------------------------------- */

static struct report *reps[5];
static size_t nreps;
static struct arena scratch;
static long long asof;

static void count_ticket(struct ticket *t)
{
	arena_reset(&scratch);
	for (size_t i = 0; i < nreps; i++)
		report_add(reps[i], t, &scratch);
	ticket_free(t);
}

/* All of mreport's reading: every ticket at the report's revision, folded
 * up to asof: the main branch, then the archive as it stood then (a
 * ticket on both is read once, from main).  The present through the
 * summaries' timelines (tickets_summary), a revision from its trees
 * (tickets_events_at). */
static void count_tickets(void)
{
	size_t n;
	struct ticket t;
	if (opt_rev) {
		const struct tevents *te = tickets_events_at(&D, rev_commit, &n);
		for (size_t i = 0; i < n; i++) {
			ticket_fold(&t, te[i].id, te[i].text, te[i].len, asof);
			count_ticket(&t);
		}
		tickets_events_free();
		return;
	}
	const struct tsum *sv = tickets_timelines(&D, 1, &n);
	for (size_t i = 0; i < n; i++) {
		tsum_fold(&D, &sv[i], &t, asof);
		count_ticket(&t);
	}
	tickets_summary_free();
}

static const char *agent_groups(void *ctx, const char *login)
{
	(void)ctx;
	struct agent *a = agent_find(&AG, login);
	return a ? a->groups : NULL;
}

static void load_agents(void)
{
	size_t len = 0;
	char *text = read_rev("agents.csv", &len);
	agents_load(&AG, text, len);
	free(text);
}

/* --- output ------------------------------------------------------------ */

/* One field of a row: name, value (NULL: none), number or string. */
typedef void (*field_fn)(const char *name, const char *val, int num);

static void dist_fields(field_fn f, const char *m, struct rep_dist *d, struct rep_dist *db)
{
	char n[64], v[32];
	snprintf(n, sizeof n, "%s_n", m);
	snprintf(v, sizeof v, "%zu", d->n);
	f(n, v, 1);
	static const char *const what[] = { "median", "p90", "mean" };
	for (int b = 0; b < 2; b++)
		for (int k = 0; k < 3; k++) {
			struct rep_dist *x = b ? db : d;
			long long s = k == 0 ? rep_dist_pct(x, 50) : k == 1 ? rep_dist_pct(x, 90) :
			    rep_dist_mean(x);
			snprintf(n, sizeof n, "%s%s_%s_s", m, b ? "_business" : "", what[k]);
			snprintf(v, sizeof v, "%lld", s);
			f(n, s < 0 ? NULL : v, 1);
		}
}

static void ratio(field_fn f, const char *name, long long a, long long b)
{
	char v[32];
	snprintf(v, sizeof v, "%.4f", b ? (double)a / (double)b : 0);
	f(name, b ? v : NULL, 1);
}

static void count(field_fn f, const char *name, long long v)
{
	char b[32];
	snprintf(b, sizeof b, "%lld", v);
	f(name, b, 1);
}

static void row_fields(const struct report *r, struct rep_row *w, field_fn f)
{
	char b[32];
	for (size_t i = 0; i < r->nby; i++)
		f(rep_by_names[r->by[i]], w->key[i], 0);
	if (r->period >= 0)
		f("period", r->per.label[w->period], 0);
	f("from", w->from == REP_NOPERIOD ? NULL : fmt_rfc3339(w->from, b), 0);
	f("to", fmt_rfc3339(w->to, b), 0);
	count(f, "created", w->created);
	count(f, "solved", w->solved);
	count(f, "reopened", w->reopened);
	count(f, "backlog", w->backlog);
	count(f, "incoming", w->incoming);
	dist_fields(f, "first_reply", &w->first_reply, &w->first_reply_b);
	dist_fields(f, "resolution", &w->resolution, &w->resolution_b);
	ratio(f, "replies_per_solved", w->replies, w->solved);
	count(f, "one_touch", w->one_touch);
	ratio(f, "one_touch_rate", w->one_touch, w->solved);
	for (int m = 0; m < SLA_NMETRICS; m++) {
		char n[64];
		snprintf(n, sizeof n, "sla_%s_met", sla_metric_names[m]);
		count(f, n, w->met[m]);
		snprintf(n, sizeof n, "sla_%s_breached", sla_metric_names[m]);
		count(f, n, w->breached[m]);
		snprintf(n, sizeof n, "sla_%s_achievement", sla_metric_names[m]);
		ratio(f, n, w->met[m], w->met[m] + w->breached[m]);
	}
	count(f, "escalations", w->escalations);
	count(f, "acks", w->acks);
	int wd = 0, h = 0;
	long long busiest = rep_busiest((const long long (*)[24])w->heat, &wd, &h);
	f("busiest_weekday", busiest ? rep_weekday[wd] : NULL, 0);
	snprintf(b, sizeof b, "%d", h);
	f("busiest_hour", busiest ? b : NULL, 1);
}

static struct jout J;
static void json_field(const char *name, const char *val, int num)
{
	jo_key(&J, name);
	if (!val)
		jo_null(&J);
	else if (num)
		jo_num(&J, val);
	else
		jo_str(&J, val);
}

static char *csv_store[128];
static size_t csv_n;
static int csv_header;
static void csv_field(const char *name, const char *val, int num)
{
	(void)num;
	if (csv_n == 128)
		return;
	csv_store[csv_n++] = xstrdup(csv_header ? name : val ? val : "");
}
static void csv_flush(void)
{
	if (csvw_row(stdout, (const char *const *)csv_store, csv_n) != 0)
		die(EX_IOERR, "write error: %s", strerror(errno));
	for (size_t i = 0; i < csv_n; i++)
		free(csv_store[i]);
	csv_n = 0;
}

static const char *dur(long long s, char *b)
{
	return s < 0 ? "-" : sla_fmt_duration(s, b);
}

static const char *share(long long a, long long b, char *out)
{
	if (!b)
		return "-";
	snprintf(out, 16, "%.0f%%", 100.0 * (double)a / (double)b);
	return out;
}

static void print_table(struct report *r)
{
	for (size_t i = 0; i < r->nby; i++) {
		put_col(rep_by_names[r->by[i]], 16);
		putchar(' ');
	}
	if (r->period >= 0)
		printf("%-10s ", "period");
	printf("%7s %7s %7s %7s %9s %9s %9s %9s %9s %7s %7s %5s %5s\n", "created", "solved",
	    "reopen", "backlog", "frt-med", "frt-p90", "frt-bmed", "res-med", "res-bmed",
	    "1touch", "sla-fr", "esc", "acks");
	for (size_t i = 0; i < r->nrows; i++) {
		struct rep_row *w = r->rows[i];
		char b[8][32];
		for (size_t k = 0; k < r->nby; k++) {
			put_col(w->key[k], 16);
			putchar(' ');
		}
		if (r->period >= 0)
			printf("%-10s ", r->per.label[w->period]);
		printf("%7lld %7lld %7lld %7lld %9s %9s %9s %9s %9s %7s %7s %5lld %5lld\n",
		    w->created, w->solved, w->reopened, w->backlog,
		    dur(rep_dist_pct(&w->first_reply, 50), b[0]),
		    dur(rep_dist_pct(&w->first_reply, 90), b[1]),
		    dur(rep_dist_pct(&w->first_reply_b, 50), b[2]),
		    dur(rep_dist_pct(&w->resolution, 50), b[3]),
		    dur(rep_dist_pct(&w->resolution_b, 50), b[4]),
		    share(w->one_touch, w->solved, b[5]),
		    share(w->met[SLA_FIRST_REPLY], w->met[SLA_FIRST_REPLY] + w->breached[SLA_FIRST_REPLY],
		    b[6]), w->escalations, w->acks);
	}
}

/* --- arguments --------------------------------------------------------- */

/* A time of an option: RFC 3339, @seconds, or YYYY-MM-DD at local
 * midnight in zone tz. */
static long long opt_time(const char *opt, const char *v, const char *tz)
{
	long long t;
	int y, m, d;
	char tail;
	if (strlen(v) == 10 && sscanf(v, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 &&
	    isdigit((unsigned char)v[0]) && v[4] == '-' && v[7] == '-' &&
	    m >= 1 && m <= 12 && d >= 1 && y >= 1970 &&
	    d <= (m == 2 ? 28 + (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) :
	    m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31)) {
		calendar_use_tz(tz);
		t = calendar_local(y, m - 1, d, 0);
		calendar_use_tz("UTC");
		if (t >= TIME_MIN && t <= TIME_MAX)
			return t;
	} else if (parse_rfc3339(v, &t) == 0)
		return t;
	die(EX_USAGE, "%s: '%s' is not a time of 1970-9999 (RFC 3339, @seconds or YYYY-MM-DD)",
	    opt, v);
}

static void parse_options(int argc, char **argv)
{
	enum { O_NOW = 256, O_SINCE, O_UNTIL, O_REV, O_TZ, O_TARGET, O_VERSION };
	static const struct option opts[] = {
		{ "desk", required_argument, NULL, 'd' },
		{ "now", required_argument, NULL, O_NOW },
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "by", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "rev", required_argument, NULL, O_REV },
		{ "tz", required_argument, NULL, O_TZ },
		{ "sla-target", required_argument, NULL, O_TARGET },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, O_VERSION },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	while ((c = opt_get(argc, argv, "hd:f:b:", opts, bad_option)) != -1) {
		switch (c) {
		case 'd': opt_desk = optarg; break;
		case O_NOW: opt_now = optarg; break;
		case O_SINCE: opt_since = optarg; break;
		case O_UNTIL: opt_until = optarg; break;
		case O_REV: opt_rev = optarg; break;
		case O_TZ: opt_tz = optarg; break;
		case O_TARGET: {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || (*end && strcmp(end, "%")) || v < 1 || v > 100)
				die(EX_USAGE, "--sla-target: '%s' is not a percentage from 1 to 100",
				    optarg);
			opt_target = (int)v;
			break;
		}
		case 'b': {
			int k = rep_by_find(optarg);
			if (k < 0)
				die(EX_USAGE, "--by: '%s' is not agent, group, queue, tag, priority, "
				    "language, customer, day, week or month", optarg);
			if (nby == REP_NBY)
				die(EX_USAGE, "--by: too many groupings");
			by[nby++] = k;
			break;
		}
		case 'f':
			if ((fmt = word_index(formats, optarg)) < 0)
				die(EX_USAGE, "--format: unknown format '%s' (table, csv, json or html)",
				    optarg);
			break;
		case 'h': usage(stdout, 0); break;
		case O_VERSION: printf("mreport (mdesk) %s\n", MDESK_VERSION); exit(0);
		default: bad_option();
		}
	}
	if (optind < argc)
		die(EX_USAGE, "unexpected argument '%s' (see mreport --help)", argv[optind]);
	if (fmt < 0)
		fmt = isatty(1) ? F_TABLE : F_JSON;
	if (opt_tz && !calendar_zone_valid(opt_tz))
		die(EX_USAGE, "--tz: '%s' is not a time zone (e.g. Europe/Lisbon or UTC)", opt_tz);
}

/* The report's span, in zone *tz: the commit of --rev (or main), now, and
 * [*since, *until). */
static void report_span(const char **tz, long long *since, long long *until)
{
	if (opt_rev) {
		git_object *obj = NULL;
		if (git_revparse_single(&obj, D.repo, opt_rev) != 0 ||
		    git_object_peel((git_object **)&rev_commit, obj, GIT_OBJECT_COMMIT) != 0)
			die(EX_USAGE, "--rev: '%s' is not a revision of the desk", opt_rev);
		git_object_free(obj);
	} else {
		git_oid oid;
		if (git_reference_name_to_id(&oid, D.repo, DESK_BRANCH) != 0 ||
		    git_commit_lookup(&rev_commit, D.repo, &oid) != 0)
			die(EX_CONFIG, "%s: the desk has no branch main (mdesk init makes one)", D.root);
	}
	long long now = opt_now || getenv("MDESK_NOW") || !opt_rev ? mdesk_now(opt_now) :
	    (long long)git_commit_time(rev_commit) + 1;
	D.now = now;
	*tz = opt_tz ? opt_tz : conf_get(&D.conf, "", "", "timezone");
	if (!*tz || !**tz)
		*tz = "UTC";
	if (!opt_tz && !calendar_zone_valid(*tz))
		die(EX_CONFIG, "desk.conf:%d: timezone '%s' is not a time zone",
		    conf_line(&D.conf, "", "", "timezone"), *tz);
	*until = opt_until ? opt_time("--until", opt_until, *tz) : now;
	*since = opt_since ? opt_time("--since", opt_since, *tz) : REP_NOPERIOD;
	if (*since != REP_NOPERIOD && *since >= *until)
		die(EX_USAGE, "--since: %s is not before the end of the report", opt_since);
}

static struct report main_r, time_r, group_r, agent_r, prev_r;

/* The reports to count: the one asked for, or the page's (html). */
static struct report *init_reports(const char *tz, long long since, long long until)
{
	const char *err;
	struct report *prev_rep = NULL;
	if (fmt != F_HTML) {
		if (report_init(&main_r, by, nby, since, until, tz, &S, agent_groups, NULL, &err))
			die(EX_USAGE, "--by: %s", err);
		reps[nreps++] = &main_r;
		return NULL;
	}
	int pb[1] = { REP_WEEK }, gb[1] = { REP_GROUP }, ab[1] = { REP_AGENT };
	for (size_t i = 0; i < nby; i++)
		if (by[i] >= REP_DAY)
			pb[0] = by[i];
	if (report_init(&time_r, pb, 1, since, until, tz, &S, agent_groups, NULL, &err) ||
	    report_init(&group_r, gb, 1, since, until, tz, &S, agent_groups, NULL, &err) ||
	    report_init(&agent_r, ab, 1, since, until, tz, &S, agent_groups, NULL, &err) ||
	    report_init(&main_r, NULL, 0, since, until, tz, &S, agent_groups, NULL, &err))
		die(EX_USAGE, "%s", err);
	reps[nreps++] = &time_r;
	reps[nreps++] = &group_r;
	reps[nreps++] = &agent_r;
	reps[nreps++] = &main_r;
	/* the period of the same length before, when there is a start */
	if (since != REP_NOPERIOD && since >= 0 && until - since <= since) {
		if (report_init(&prev_r, NULL, 0, since - (until - since), since, tz, &S,
		    agent_groups, NULL, &err))
			die(EX_USAGE, "%s", err);
		prev_rep = reps[nreps++] = &prev_r;
	}
	return prev_rep;
}

static void write_rows(void)
{
	if (fmt == F_TABLE)
		print_table(&main_r);
	else if (fmt == F_JSON) {
		for (size_t i = 0; i < main_r.nrows; i++) {
			jo_obj(&J);
			row_fields(&main_r, main_r.rows[i], json_field);
			jo_end(&J);
			if (jo_line(&J, stdout) != 0)
				die(EX_IOERR, "write error: %s", strerror(errno));
		}
	} else {
		struct rep_row dummy;
		memset(&dummy, 0, sizeof dummy);
		for (size_t i = 0; i < main_r.nby; i++)
			dummy.key[i] = "";
		csv_header = 1;
		row_fields(&main_r, main_r.nrows ? main_r.rows[0] : &dummy, csv_field);
		csv_flush();
		csv_header = 0;
		for (size_t i = 0; i < main_r.nrows; i++) {
			row_fields(&main_r, main_r.rows[i], csv_field);
			csv_flush();
		}
	}
}

int main(int argc, char **argv)
{
	progname = "mreport";
	setenv("TZ", "UTC", 1);
	tzset();
	parse_options(argc, argv);
	desk_open(&D, opt_desk);
	/* every object is read once: libgit2's cache would only grow */
	git_libgit2_opts(GIT_OPT_ENABLE_CACHING, 0);
	const char *tz;
	long long since, until;
	report_span(&tz, &since, &until);
	asof = until - 1;
	sla_load(&S, &D, opt_rev);
	sla_prepare(&S, until);
	load_agents();
	struct report *prev_rep = init_reports(tz, since, until);
	count_tickets();
	for (size_t i = 0; i < nreps; i++)
		report_finish(reps[i]);

	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	if (fmt == F_HTML) {
		const char *name = conf_get(&D.conf, "", "", "name");
		struct rephtml h = { .title = name ? name : "mdesk", .tz = tz, .since = since,
			.until = until, .time = &time_r, .groups = &group_r, .agents = &agent_r,
			.total = &main_r, .prev = prev_rep, .sla = &S, .target = opt_target };
		rephtml_write(stdout, &h);
	} else
		write_rows();
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EX_IOERR, "write error: %s", strerror(errno));
	for (size_t i = 0; i < nreps; i++)
		report_free(reps[i]);
	arena_free(&scratch);
	jo_free(&J);
	agents_free(&AG);
	git_commit_free(rev_commit);
	sla_free(&S);
	desk_close(&D);
	git_libgit2_shutdown();
	return 0;
}
