/* mdesk: administer the desk.
 *
 * init, check, ls, show, assign, unassign, claim, release, note, tag,
 * untag, priority, status, merge, log, customer, agent, archive, gc,
 * sync, clone, maildir, automate.
 * Every write is one commit through common/desk.c.  See mdesk(1). */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mailutils/mailutils.h>

#include "agents.h"
#include "automate.h"
#include "route.h"
#include "rules.h"
#include "compose.h"
#include "conf.h"
#include "csvw.h"
#include "conversation.h"
#include "desk.h"
#include "event.h"
#include "jsonw.h"
#include "maildir.h"
#include "mbox.h"
#include "mime.h"
#include "msg.h"
#include "outmsg.h"
#include "opt.h"
#include "search.h"
#include "skel.h"
#include "sla.h"
#include "sync.h"
#include "ticketid.h"
#include "template.h"
#include "tickets.h"
#include "util.h"

static struct desk D;
static const char *opt_desk, *opt_as, *opt_now;
static struct agents AG;
static int agents_loaded;

enum { F_TABLE, F_JSON, F_CSV };

/* The commands: name, function, usage line (after "mdesk "), what it does. */
struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *use, *what;
};
static const struct command *cur;	/* the one running */

/* The usage line of the command running (or of mdesk) into u. */
static const char *usage_line(char u[600])
{
	if (!cur)
		return "usage: mdesk [--desk DIR] [--as AGENT] [--now TIME] COMMAND [ARGS]"
		    " (mdesk help lists the commands)";
	snprintf(u, 600, "usage: mdesk %s", cur->use);
	return u;
}

/* A command used wrongly: why (or a word on the arguments), and its usage
 * line; exit 64. */
__attribute__((format(printf, 1, 2))) _Noreturn static void misuse(const char *fmt, ...)
{
	char why[400], u[600];
	va_list ap;
	va_start(ap, fmt);
	if (fmt)
		vsnprintf(why, sizeof why, fmt, ap);
	else if (cur)
		snprintf(why, sizeof why, "%s: wrong number of arguments", cur->name);
	else
		snprintf(why, sizeof why, "no command");
	va_end(ap);
	opt_misuse(usage_line(u), "%s", why);
}

/* An option misspelled, unknown or without its value (said already). */
_Noreturn static void bad_option(void)
{
	char u[600];
	opt_misuse(usage_line(u), NULL);
}

/* A command's options: getopt_long, names spelled in full (opt.h). */
static int next_opt(int argc, char **argv, const char *so, const struct option *lo)
{
	return opt_get(argc, argv, so, lo, bad_option);
}

/* A command without options: every option refused, "--" dropped; the
 * operands in argv[1..*argc) of the array returned (argv[0] the command).
 * so "+": options only before the first operand (free text after it). */
static char **no_options(int *argc, char **argv, const char *so, int least, int most)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };
	while (next_opt(*argc, argv, so, none) != -1)
		;
	argv[optind - 1] = argv[0];
	*argc -= optind - 1;
	if (*argc < least || *argc > most)
		misuse(NULL);
	return argv + optind - 1;
}

/* A command whose one option is --name (with a value when arg): 1 when
 * given, *val its (last) value. */
static int one_opt(int argc, char **argv, const char *name, int arg, const char **val)
{
	const struct option o[] = { { name, arg, NULL, 'o' }, { NULL, 0, NULL, 0 } };
	int given = 0;
	while (next_opt(argc, argv, "", o) != -1) {
		given = 1;
		if (val)
			*val = optarg;
	}
	return given;
}

/* A ticket ID as typed (either case): in capitals when it is well formed
 * (four at a time live), else as given, for "no such ticket". */
static const char *tid(const char *s)
{
	static char ids[4][16];
	static int k;
	char *o = ids[k++ & 3];
	return ticketid_norm(s, o) == 0 ? o : s;
}

static int parse_format(const char *s)
{
	static const char *const names[] = { "table", "json", "csv", NULL };
	int k = word_index(names, s);
	if (k >= 0)
		return k;
	misuse("--format: unknown format '%.40s' (table, json or csv)", s);
}

/* --- the desk, its agents, the acting agent --- */

static void open_desk(void)
{
	desk_open(&D, opt_desk);
	D.now = mdesk_now(opt_now);
}

static void load_agents(void)
{
	if (!agents_loaded)
		agents_read(&AG, &D);
	agents_loaded = 1;
}

/* The acting agent: --as, $MDESK_AGENT, then git's user.email or
 * user.name matched against agents.csv. */
static struct agent *me(void)
{
	load_agents();
	return agent_acting(&AG, &D, opt_as, "acting");
}

/* The desk opened, and the agent acting on it. */
static struct agent *open_as_me(void)
{
	open_desk();
	return me();
}

static struct agent *agent_arg(const char *login)
{
	load_agents();
	struct agent *a = agent_find(&AG, login);
	if (!a)
		die(EX_DATAERR, "agent '%s' is not in agents.csv (see mdesk agent ls)", login);
	return a;
}

/* --- tickets --- */

static void need_ticket(const char *id, struct ticket *t, int *archived, int from_head)
{
	if (ticket_load(&D, id, t, archived, from_head) != 0)
		die(EX_NOINPUT, "%s: no such ticket", id);
}

/* Append event ev to a ticket as one commit, under the lock, after
 * checking the ticket against HEAD: "ID: WHAT by LOGIN", WHAT from fmt.
 * check (may be NULL) may refuse: it returns an exit code (0 to go on). */
__attribute__((format(printf, 6, 7)))
static void one_event(const char *id, json_t *ev, const struct agent *a,
    int (*check)(const struct ticket *, void *), void *ctx, const char *fmt, ...)
{
	struct ticket t;
	int archived = 0;
	desk_lock(&D);
	need_ticket(id, &t, &archived, 1);
	sync_notice(&D, &t, a->login);
	int rc = check ? check(&t, ctx) : 0;
	ticket_free(&t);
	if (rc)
		exit(rc);
	struct desk_tx *tx = desk_tx_new(&D);
	if (archived)
		ticket_restore(&D, tx, id);
	ticket_append_events(tx, id, &ev, 1);
	char what[1024], msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	snprintf(msg, sizeof msg, "%s: %s by %s\n", id, what, a->login);
	desk_tx_commit(tx, a->name, a->email, msg);
	tickets_upkeep(&D);
	desk_unlock(&D);
}

/* --- init --- */

static int cmd_init(int argc, char **argv)
{
	int bare = one_opt(argc, argv, "bare", no_argument, NULL);
	if (argc - optind > 1)
		misuse(NULL);
	const char *dir = optind < argc ? argv[optind] : ".";
	struct stat st;
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode))
			die(EX_CANTCREAT, "%s: exists and is not a directory", dir);
		DIR *dp = opendir(dir);
		struct dirent *de;
		int empty = 1;
		while (dp && (de = readdir(dp)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				empty = 0;
		if (dp)
			closedir(dp);
		if (!empty)
			die(EX_CANTCREAT, "%s: not empty; mdesk init wants a new or empty directory", dir);
	}
	desk_git_create(dir, bare);	/* makes dir and its missing parents, as git init */
	desk_open_new(&D, dir);
	D.now = mdesk_now(opt_now);
	desk_lock(&D);
	struct desk_tx *tx = desk_tx_new(&D);
	for (const struct skel_file *f = skel_files; f->path; f++)
		desk_tx_write(tx, f->path, f->text, strlen(f->text));
	char name[64], email[300];
	desk_system_author(name, sizeof name, email, sizeof email);
	desk_tx_commit(tx, name, email, "desk created\n");
	desk_unlock(&D);
	printf("created a %sdesk in %s\n", bare ? "bare " : "", D.root);
	if (bare)
		printf("next: 'mdesk clone %s DIR' makes a desk to edit desk.conf and agents.csv "
		    "in; 'mdesk sync' brings them here\n", D.root);
	else
		printf("next: edit desk.conf and agents.csv, then run 'mdesk check'\n");
	return 0;
}

/* --- check --- */

static int faults;
static char **said;	/* the faults reported: each once */
static size_t nsaid;

static void count_fault(const char *file, int line, const char *msg)
{
	char *m = xmalloc(strlen(file) + strlen(msg) + 32);
	sprintf(m, "%s:%d: %s", file, line, msg);
	for (size_t i = 0; i < nsaid; i++)
		if (!strcmp(said[i], m)) {
			free(m);
			return;
		}
	said = xrealloc(said, (nsaid + 1) * sizeof *said);
	said[nsaid++] = m;
	faults++;
	print_fault(file, line, msg);
}

/* A fault of file at line, in words from fmt. */
__attribute__((format(printf, 3, 4)))
static void faultf(const char *file, int line, const char *fmt, ...)
{
	char m[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m, sizeof m, fmt, ap);
	va_end(ap);
	count_fault(file, line, m);
}

/* routing.sieve faults carry a column: "routing.sieve:2:12: text" */
static void count_rule_fault(const char *file, int line, int col, const char *msg)
{
	faults++;
	print_fault_col(file, line, col, msg);
}

static void check_conf_file(const char *path, const char *const *top,
    const char *const *secs, const char *const *const *seckeys)
{
	size_t len;
	char *t = desk_read_file(&D, path, &len);
	if (!t) {
		count_fault(path, 0, "missing (mdesk init writes an example)");
		return;
	}
	struct conf c;
	const char *err;
	int line = conf_parse(&c, path, t, len, &err);
	free(t);
	if (line) {
		count_fault(path, line, err);
		conf_free(&c);
		return;
	}
	for (size_t i = 0; i < c.n; i++) {
		const struct conf_entry *e = &c.e[i];
		int s = word_index(secs, e->section);
		const char *const *keys = !*e->section ? top : s >= 0 ? seckeys[s] : NULL;
		if (!keys) {
			faultf(path, e->line, "unknown section [%.200s]", e->section);
			continue;
		}
		if (word_index(keys, e->key) < 0) {
			faultf(path, e->line, "unknown key '%.100s'%s%.100s%s", e->key,
			    *e->section ? " in [" : "", e->section, *e->section ? "]" : "");
			continue;
		}
		long long dur;
		int b;
		if ((!strcmp(e->key, "claim_for") || !strcmp(e->key, "archive_after") ||
		    !strcmp(e->key, "subject_window") || !strcmp(e->key, "reopen_window")) &&
		    conf_duration(e->value, &dur) != 0)
			faultf(path, e->line, "%s: '%.200s' is not a duration (like 30m, 4h, 2d)",
			    e->key, e->value);
		if ((!strcmp(e->key, "fsync") || !strcmp(e->key, "enabled") ||
		    !strcmp(e->key, "sticky") || !strcmp(e->key, "detect_language") ||
		    (!strcmp(e->key, "assign") && !strcmp(e->section, "routing"))) &&
		    conf_bool(e->value, &b) != 0)
			faultf(path, e->line, "%s: '%.200s' is not yes or no", e->key, e->value);
		unsigned long long size;
		if (!strcmp(e->key, "message_max") && !*e->section &&
		    (conf_size(e->value, &size) != 0 || size < CONF_MESSAGE_MAX_LEAST))
			faultf(path, e->line, "message_max: '%.200s' is not a size of 1M or more "
			    "(like 64M)", e->value);
		if (!strcmp(e->key, "strategy") && strcmp(e->value, "least-loaded") &&
		    strcmp(e->value, "round-robin"))
			faultf(path, e->line, "strategy: '%.200s' is not least-loaded or round-robin",
			    e->value);
		long rn;
		if (!strcmp(e->section, "ack") && (!strcmp(e->key, "rate") || !strcmp(e->key, "ceiling")) &&
		    conf_rate(e->value, &rn, &dur) != 0)
			faultf(path, e->line, "%s: '%.200s' is not like %s", e->key, e->value,
			    e->key[0] == 'r' ? "3/1d" : "100/1h");
		if (!strcmp(e->key, "address") && !strchr(e->value, '@'))
			faultf(path, e->line, "address: '%.200s' is not an address", e->value);
		if (!strcmp(e->key, "priority") && !priority_valid(e->value))
			faultf(path, e->line, "priority: '%.200s' is not one of " PRIORITY_LIST, e->value);
		if (!strcmp(e->key, "timezone") && !calendar_zone_valid(e->value))
			faultf(path, e->line, "timezone: '%.200s' is not an IANA time zone "
			    "(like America/Sao_Paulo)", e->value);
	}
	conf_free(&c);
}

/* What every reply needs of desk.conf (compose.c): a queue to answer
 * from, each with an address, and the acknowledgement's template. */
static void check_replying(void)
{
	int queues = 0;
	for (size_t i = 0; i < D.conf.nsecs; i++) {
		const struct conf_sec *q = &D.conf.secs[i];
		if (strcmp(q->section, "queue"))
			continue;
		queues++;
		if (!conf_get(&D.conf, "queue", q->name, "address"))
			faultf("desk.conf", q->line, "[queue %.60s] has no address", q->name);
	}
	if (!queues)
		count_fault("desk.conf", 0, "no [queue NAME]: replies need one to answer from");
	const char *en = conf_get(&D.conf, "ack", "", "enabled");
	int on = 1;
	if (en && conf_bool(en, &on) != 0)
		return;	/* reported with the other booleans */
	const char *tn = conf_get(&D.conf, "ack", "", "template");
	char p[300];
	if (on && reply_template(&D, tn ? tn : "ack", "", p, sizeof p) != 0)
		faultf("desk.conf", tn ? conf_line(&D.conf, "ack", "", "template") : 0,
		    "template: no templates/%.60s.txt", tn ? tn : "ack");
}

/* fn(NAME, "sub/NAME") for each file of the desk's folder sub whose
 * name is longer than suffix and ends in it (with suffix "", each whose
 * name does not start with a dot). */
static void each_file(const char *sub, const char *suffix, void (*fn)(const char *, const char *))
{
	char path[600];
	size_t n, sl = strlen(suffix);
	char **names = desk_list(&D, sub, &n);
	for (size_t i = 0; i < n; i++) {
		const char *nm = names[i];
		size_t l = strlen(nm);
		snprintf(path, sizeof path, "%s/%s", sub, nm);
		if (l > sl && !strcmp(nm + l - sl, suffix) && (sl || nm[0] != '.'))
			fn(nm, path);
	}
	desk_list_free(names, n);
}

/* A calendars/NAME.conf, read as the tools read it (sla.c). */
static void check_calendar(const char *file, const char *path)
{
	char name[256];
	struct calendar c;
	snprintf(name, sizeof name, "%.*s", (int)(strlen(file) - 5), file);
	sla_calendar_read(&c, &D, name, path, 0, count_fault);
	calendar_free(&c);
}

static void template_fault(void *ctx, const char *file, int line, const char *msg)
{
	(void)ctx;
	count_fault(file, line, msg);
}

/* A template: the header block, placeholders, UTF-8 (template.h). */
static void check_template(const char *file, const char *path)
{
	size_t len;
	char *t = desk_read_file(&D, path, &len);
	struct template tp;
	(void)file;
	if (!t)
		return;
	tpl_parse(&tp, path, t, len, template_fault, NULL);
	tpl_free(&tp);
	free(t);
}

static void count_bad_line(const char *id, int line, const char *err)
{
	char path[64];
	ticket_events_path(id, path);
	count_fault(path, line, err);
}

/* Each message received, with its ticket: a message received in two
 * tickets (two replicas filed it apart) is reported in the second one
 * met.  A ticket merged into another is left out: the merge made them one
 * conversation. */
struct seen_mid {
	char *mid;
	char id[16];
};
static struct seen_mid *seen;
static size_t nseen, capseen;
static struct strtab seen_by_mid;

static void check_messages(const struct ticket *tk, const char *ev)
{
	for (size_t i = 0; i < tk->nev && !tk->merged_into; i++) {
		const struct event *e = &tk->ev[i];
		if (e->kind != EV_RECEIVED || e->merged || !e->message_id || !*e->message_id)
			continue;
		size_t k = strtab_get(&seen_by_mid, e->message_id);
		if (k && strcmp(seen[k - 1].id, tk->id)) {
			char *mid = utf8_clean(e->message_id, strnlen(e->message_id, 200), 1);
			char *m = xmalloc(strlen(mid) + 160);
			sprintf(m, "message %s was also received in ticket %s; merge one ticket into "
			    "the other (mdesk merge %s %s)", mid, seen[k - 1].id, tk->id, seen[k - 1].id);
			count_fault(ev, 0, m);
			free(m);
			free(mid);
		} else if (!k) {
			if (nseen == capseen) {
				capseen = capseen ? 2 * capseen : 256;
				seen = xrealloc(seen, capseen * sizeof *seen);
			}
			seen[nseen].mid = xstrdup(e->message_id);
			snprintf(seen[nseen].id, sizeof seen[nseen].id, "%s", tk->id);
			strtab_put(&seen_by_mid, seen[nseen].mid, nseen + 1);
			nseen++;
		}
	}
}

/* A ticket's folder tickets/SHARD/ID and its events.jsonl. */
static void check_ticket(const char *id, const char *path)
{
	char ev[640];
	if (!ticketid_valid(id) || strncmp(id, path + strlen("tickets/"), 2)) {
		count_fault(path, 0, "not a ticket folder (ID: 6-12 of 0-9 A-Z under its first two characters)");
		return;
	}
	snprintf(ev, sizeof ev, "%s/events.jsonl", path);
	size_t len;
	char *t = desk_read_file(&D, ev, &len);
	if (!t) {
		count_fault(ev, 0, "missing");
		return;
	}
	struct ticket tk;
	ticket_on_bad_line(count_bad_line);
	ticket_fold(&tk, id, t, len, 0);
	ticket_on_bad_line(NULL);
	check_messages(&tk, ev);
	ticket_free(&tk);
	free(t);
}

static void check_shard(const char *name, const char *path)
{
	(void)name;
	each_file(path, "", check_ticket);
}

/* The desk's history: main and archive complete (every object they reach
 * there), no ticket on both with what one copy lacks.  --repair first
 * fetches from the remote and joins such tickets. */
static void check_history(int repair, const char *remote)
{
	if (repair) {
		int j = sync_repair(&D, remote);
		if (j > 0)
			printf("joined %d ticket%s found on both branches\n", j, j == 1 ? "" : "s");
	}
	faults += (int)sync_check_history(&D, print_fault);
	faults += (int)sync_check_branches(&D, print_fault);
}

static int cmd_check(int argc, char **argv)
{
	int repair = argc > 1 && !strcmp(argv[1], "--repair");
	if (argc > 2 + repair || (argc > 1 && !repair))
		misuse(NULL);
	open_desk();
	check_history(repair, argc > 2 ? argv[2] : NULL);
	static const char *const desk_top[] = { "name", "domain", "timezone", "language",
		"languages", "calendar", "claim_for", "archive_after", "fsync", "message_max", NULL };
	static const char *const queue_keys[] = { "address", "name", "group", "priority",
		"from", NULL };
	static const char *const ack_keys[] = { "enabled", "template", "rate", "ceiling", NULL };
	static const char *const mail_keys[] = { "mailer", "attach_max", "mentions", "mentions_off", NULL };
	static const char *const routing_keys[] = { "strategy", "sticky", "subject_window",
		"reopen_window", "detect_language", "assign", NULL };
	static const char *const group_keys[] = { "strategy", NULL };
	static const char *const desk_secs[] = { "queue", "ack", "mail", "routing", "group", NULL };
	static const char *const *const desk_seckeys[] = { queue_keys, ack_keys, mail_keys, routing_keys,
		group_keys };
	check_conf_file("desk.conf", desk_top, desk_secs, desk_seckeys);
	check_replying();
	/* sla.conf, the calendars and customers.csv as msla, mreply and
	 * mreport read them */
	struct sla sla;
	size_t len;
	char *t = desk_read_file(&D, "sla.conf", &len);
	if (!t)
		count_fault("sla.conf", 0, "missing (mdesk init writes an example)");
	free(t);
	sla_read(&sla, &D, NULL, count_fault);
	sla_free(&sla);
	each_file("calendars", ".conf", check_calendar);
	struct automations au;
	automate_read(&au, &D, count_fault);	/* as mdesk automate reads it */
	automate_free(&au);
	each_file("templates", ".txt", check_template);
	t = desk_read_file(&D, "agents.csv", &len);
	struct agents ag = { 0 };
	int have = t && agents_parse(&ag, t, len, count_fault) == 0;
	if (!t)
		count_fault("agents.csv", 0, "missing");
	free(t);
	for (size_t i = 0; i < ag.n; i++) {
		struct calendar c;
		if (!*ag.v[i].calendar)
			continue;
		sla_calendar_read(&c, &D, ag.v[i].calendar, "agents.csv", ag.v[i].line, count_fault);
		calendar_free(&c);
	}
	/* routing.sieve, its names checked against desk.conf and agents.csv */
	int nf = 0;
	rules_free(route_rules_load(&D, have ? &ag : NULL, count_rule_fault, &nf));
	agents_free(&ag);
	t = desk_read_file(&D, "customers.csv", &len);
	if (t) {
		struct customers cu;
		customers_parse(&cu, t, len, count_fault);
		customers_free(&cu);
		free(t);
	}
	each_file("tickets", "", check_shard);
	if (faults) {
		fprintf(stderr, "%s: %d problem%s\n", progname, faults, faults == 1 ? "" : "s");
		return EX_CONFIG;
	}
	printf("desk %s: ok\n", D.root);
	return 0;
}

/* --- ls --- */

enum { S_CREATED, S_UPDATED, S_PRIORITY, S_DUE };

struct filter {
	const char *status, *assignee, *queue, *tag, *priority, *lang, *customer;
	int unassigned, all, collisions, sort;
	int snoozed;		/* 0: not snoozed ones (unless all), 1: only those, 2: either */
	int anystatus;		/* every status, not only the active ones (search) */
};

/* The options of ls and search that choose tickets. */
#define FILTER_OPTIONS \
	{ "status", required_argument, NULL, 's' }, \
	{ "assignee", required_argument, NULL, 'a' }, \
	{ "mine", no_argument, NULL, 'm' }, \
	{ "unassigned", no_argument, NULL, 'u' }, \
	{ "queue", required_argument, NULL, 'q' }, \
	{ "tag", required_argument, NULL, 't' }, \
	{ "all", no_argument, NULL, 'A' }

/* Option c (of FILTER_OPTIONS) into f: 1, or 0 when it is none of them. */
static int filter_opt(int c, struct filter *f, int *mine)
{
	switch (c) {
	case 's':
		if (!status_valid(optarg))
			misuse("--status: '%s' is not one of " STATUS_LIST, optarg);
		f->status = optarg;
		return 1;
	case 'a': f->assignee = optarg; return 1;
	case 'm': *mine = 1; return 1;
	case 'u': f->unassigned = 1; return 1;
	case 'q': f->queue = optarg; return 1;
	case 't': f->tag = optarg; return 1;
	case 'A': f->all = 1; return 1;
	}
	return 0;
}

static int matches(const struct ticket *t, const struct filter *f)
{
	if (f->status ? strcmp(t->status, f->status) != 0 :
	    !f->all && !f->anystatus && !status_active(t->status))
		return 0;
	if (f->assignee && (!t->assignee || strcmp(t->assignee, f->assignee)))
		return 0;
	if (f->unassigned && t->assignee)
		return 0;
	if (f->collisions && !json_array_size(t->collisions))
		return 0;
	if (f->queue && (!t->queue || strcmp(t->queue, f->queue)))
		return 0;
	if (f->priority && strcmp(t->priority, f->priority))
		return 0;
	/* --lang pt matches pt and pt-br; --lang pt-br only pt-br */
	if (f->lang && (!t->lang || (strcasecmp(t->lang, f->lang) &&
	    !(strncasecmp(t->lang, f->lang, strlen(f->lang)) == 0 &&
	    t->lang[strlen(f->lang)] == '-'))))
		return 0;
	if (f->customer && (!t->customer || (strcasecmp(t->customer, f->customer) &&
	    !(f->customer[0] == '@' && strlen(t->customer) > strlen(f->customer) &&
	    !strcasecmp(t->customer + strlen(t->customer) - strlen(f->customer), f->customer)))))
		return 0;
	if (f->tag) {
		size_t i;
		json_t *v;
		int found = 0;
		json_array_foreach(t->tags, i, v)
			found |= !strcmp(json_string_value(v), f->tag);
		if (!found)
			return 0;
	}
	return 1;
}

static int by_created_sum(const void *a, const void *b)
{
	const struct tsum *x = *(const struct tsum *const *)a, *y = *(const struct tsum *const *)b;
	if (x->created != y->created)
		return x->created < y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Does needle occur in hay, ASCII letters in any case? */
static int ci_has(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return n == 0;
}

static int plain(const char *s)
{
	return !strpbrk(s, "\t\n\r\"\\");
}

/* A ticket's place in a --sort order: smaller first; ties keep the order
 * of creation (i). */
struct skey {
	long long k;
	size_t i;
	const struct tsum *s;
};

static int by_skey(const void *a, const void *b)
{
	const struct skey *x = a, *y = b;
	if (x->k != y->k)
		return x->k < y->k ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

static long long priority_rank(const char *p)
{
	static const char *const order[] = { "urgent", "high", "normal", "low", NULL };
	int k = word_index(order, p);
	return k < 0 ? 4 : k;
}

/* The ticket's nearest deadline (sla.conf), or TIME_MAX + 1 when none. */
static long long next_due(const struct tsum *s)
{
	struct ticket t;
	long long best = TIME_MAX + 1, due;
	if (ticket_load(&D, s->id, &t, NULL, 0) != 0)
		return best;
	for (int m = 0; m < SLA_NMETRICS; m++)
		if (sla_due(&D, &t, (enum sla_metric)m, D.now, &due) == 0 && due < best)
			best = due;
	ticket_free(&t);
	return best;
}

/* Tickets in creation order into the order of --sort: the newest update
 * first, the highest priority first, the nearest deadline first. */
static void sort_tickets(const struct tsum **v, size_t n, int by)
{
	if (by == S_CREATED || n < 2)
		return;
	struct skey *a = xmalloc(n * sizeof *a);
	for (size_t i = 0; i < n; i++) {
		a[i].i = i;
		a[i].s = v[i];
		if (by == S_UPDATED)
			a[i].k = -v[i]->updated;
		else if (by == S_DUE)
			a[i].k = next_due(v[i]);
		else {
			struct ticket t;
			tsum_ticket(v[i], &t);
			a[i].k = priority_rank(t.priority);
			ticket_free(&t);
		}
	}
	qsort(a, n, sizeof *a, by_skey);
	for (size_t i = 0; i < n; i++)
		v[i] = a[i].s;
	free(a);
}

static int parse_sort(const char *s)
{
	static const char *const keys[] = { "created", "updated", "priority", "due", NULL };
	int k = word_index(keys, s);
	if (k >= 0)
		return k;
	misuse("--sort: '%.40s' is not priority, due, updated or created", s);
}

/* Is the ticket of summary s snoozed now? */
static int sum_snoozed(const struct tsum *s)
{
	if (!strstr(s->json, "\"snoozed_until\""))
		return 0;
	struct ticket t;
	tsum_ticket(s, &t);
	int z = ticket_snoozed(&t, D.now);
	ticket_free(&t);
	return z;
}

/* The tickets that pass f, from the desk's summaries (main, and with
 * --all the archive), sorted by (created, id).  Status and assignee are
 * read from the summary line; any other filter folds the line back into
 * a ticket (the customer only when its text occurs in the line). */
static const struct tsum **select_tickets(const struct filter *f, size_t *nout)
{
	size_t n, k = 0;
	const struct tsum *v = tickets_summary(&D, f->all, &n);
	const struct tsum **out = xmalloc((n + 1) * sizeof *out);
	int deep = f->queue || f->tag || f->priority || f->lang || f->customer || f->collisions ||
	    (f->assignee && !plain(f->assignee));
	for (size_t i = 0; i < n; i++) {
		const struct tsum *s = &v[i];
		if (f->status ? strcmp(s->status, f->status) != 0 :
		    !f->all && !status_active(s->status))
			continue;
		if (f->unassigned && s->assignee)
			continue;
		if (f->assignee && plain(f->assignee) &&
		    (!s->assignee || strcmp(s->assignee, f->assignee)))
			continue;
		if (f->customer && plain(f->customer) && !ci_has(s->json, f->customer))
			continue;
		if ((f->snoozed == 1 || (!f->snoozed && !f->all)) &&
		    sum_snoozed(s) != (f->snoozed == 1))
			continue;
		if (deep) {
			struct ticket t;
			tsum_ticket(s, &t);
			int ok = matches(&t, f);
			ticket_free(&t);
			if (!ok)
				continue;
		}
		out[k++] = s;
	}
	if (k > 1)
		qsort(out, k, sizeof *out, by_created_sum);
	sort_tickets(out, k, f->sort);
	*nout = k;
	return out;
}

/* A time for people: in the desk's time zone, with its offset
 * ("2026-11-09 09:00 -0300"); buf needs 32 bytes. */
static char *local_time(long long t, char *buf)
{
	return sla_fmt_local(t, conf_get(&D.conf, "", "", "timezone"), buf);
}

/* The tickets of summaries v[0..n) as a table, JSON Lines (the summary
 * lines are ticket_json already) or CSV. */
static void print_tickets(const struct tsum **v, size_t n, int fmt)
{
	static const char *const cols[] = { "id", "status", "priority", "assignee",
		"queue", "customer", "lang", "tags", "created", "updated", "subject" };
	if (fmt == F_JSON) {
		for (size_t i = 0; i < n; i++) {
			fputs(v[i]->json, stdout);
			putchar('\n');
		}
		return;
	}
	if (fmt == F_CSV)
		csvw_row(stdout, cols, 11);
	else if (n)
		printf("ID        STATUS   PRIO    ASSIGNEE  QUEUE     UPDATED                 SUBJECT\n");
	for (size_t i = 0; i < n; i++) {
		struct ticket tk, *t = &tk;
		tsum_ticket(v[i], t);
		char cr[32], up[32], tags[512] = "";
		size_t k;
		json_t *tag;
		json_array_foreach(t->tags, k, tag) {
			if (k)
				strncat(tags, ";", sizeof tags - strlen(tags) - 1);
			strncat(tags, json_string_value(tag), sizeof tags - strlen(tags) - 1);
		}
		fmt_rfc3339(t->created, cr);
		fmt_rfc3339(t->updated, up);
		if (fmt == F_CSV) {
			const char *row[11] = { t->id, t->status, t->priority, t->assignee, t->queue,
				t->customer, t->lang, tags, cr, up, t->subject };
			csvw_row(stdout, row, 11);
		} else {
			put_col(t->id, 10);
			put_col(ticket_snoozed(t, D.now) ? "snoozed" : t->status, 9);
			put_col(t->priority, 8);
			put_col(t->assignee, 10);
			put_col(t->queue, 10);
			put_col(local_time(t->updated, up), 24);
			printf("%s", t->subject ? t->subject : "(no subject)");
			if (t->customer)
				printf("  <%s>", t->customer);
			putchar('\n');
		}
		ticket_free(t);
	}
}

/* Keep of v[0..n) the tickets with a mention of login not yet read, or
 * a notice to login that is due (a wake, a reminder): how many. */
static size_t keep_mentions(const struct tsum **v, size_t n, const char *login)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!strstr(v[i]->json, "\"mentions_unread\"") && !strstr(v[i]->json, "\"notices\""))
			continue;
		struct ticket t;
		tsum_ticket(v[i], &t);
		size_t j;
		json_t *x;
		int hit = ticket_notice_due(&t, login, D.now);
		json_array_foreach(t.unread, j, x)
			hit |= json_is_string(x) && !strcmp(json_string_value(x), login);
		ticket_free(&t);
		if (hit)
			v[k++] = v[i];
	}
	return k;
}

static int cmd_ls(int argc, char **argv)
{
	struct filter f = { 0 };
	const struct option o[] = {
		FILTER_OPTIONS,
		{ "priority", required_argument, NULL, 'p' },
		{ "lang", required_argument, NULL, 'l' },
		{ "customer", required_argument, NULL, 'c' },
		{ "collisions", no_argument, &f.collisions, 1 },
		{ "sort", required_argument, NULL, 'S' },
		{ "format", required_argument, NULL, 'f' },
		{ "mentions", no_argument, NULL, 'M' },
		{ "snoozed", no_argument, &f.snoozed, 1 },
		{ NULL, 0, NULL, 0 }
	};
	int fmt = isatty(1) ? F_TABLE : F_JSON, c, mine = 0, mentions = 0;
	while ((c = next_opt(argc, argv, "s:a:q:t:p:l:c:uAf:", o)) != -1) {
		if (filter_opt(c, &f, &mine))
			continue;
		switch (c) {
		case 'p':
			if (!priority_valid(optarg))
				misuse("--priority: '%s' is not one of " PRIORITY_LIST, optarg);
			f.priority = optarg;
			break;
		case 'l': f.lang = optarg; break;
		case 'c': f.customer = optarg; break;
		case 'S': f.sort = parse_sort(optarg); break;
		case 'f': fmt = parse_format(optarg); break;
		case 'M': mentions = f.all = 1; break;
		}
	}
	if (optind < argc)
		misuse(NULL);
	open_desk();
	if (mine)
		f.assignee = me()->login;
	size_t n;
	const struct tsum **v = select_tickets(&f, &n);
	if (mentions)
		n = keep_mentions(v, n, me()->login);
	print_tickets(v, n, fmt);
	free(v);
	return 0;
}

/* --- search --- */

static long long search_time(const char *opt, const char *s)
{
	long long t;
	char b[40];
	if (strlen(s) == 10 && snprintf(b, sizeof b, "%sT00:00:00Z", s) > 0 &&
	    parse_rfc3339(b, &t) == 0)
		return t;
	if (parse_rfc3339(s, &t) == 0)
		return t;
	misuse("%s: '%.40s' is not a date (2026-11-09 or 2026-11-09T10:00:00Z)", opt, s);
}

/* The hits that pass f's tag filter (the index chose the rest), as
 * summaries (into v, the number of them returned). */
static size_t search_filter(const struct search_hit *h, size_t nh, const struct filter *f,
    struct tsum *v)
{
	size_t k = 0;
	for (size_t i = 0; i < nh; i++) {
		struct tsum *s = &v[k];
		memset(s, 0, sizeof *s);
		snprintf(s->id, sizeof s->id, "%s", h[i].id);
		s->created = h[i].created;
		s->updated = h[i].updated;
		s->json = h[i].json;
		if (f->tag) {
			struct ticket t;
			tsum_ticket(s, &t);
			int ok = matches(&t, f);
			ticket_free(&t);
			if (!ok)
				continue;
		}
		k++;
	}
	return k;
}

/* The tickets a search shows at most, unless --limit says otherwise. */
#define SEARCH_LIMIT 100

static int cmd_search(int argc, char **argv)
{
	int fts = 0;
	const struct option o[] = {
		FILTER_OPTIONS,
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "fts", no_argument, &fts, 1 },
		{ "format", required_argument, NULL, 'f' },
		{ "limit", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	struct filter f = { .anystatus = 1 };
	struct search_where wh = { .since = LLONG_MIN, .until = LLONG_MAX };
	long limit = SEARCH_LIMIT;
	char *end;
	int fmt = isatty(1) ? F_TABLE : F_JSON, c, mine = 0;
	while ((c = next_opt(argc, argv, "s:a:q:t:uAf:", o)) != -1) {
		if (filter_opt(c, &f, &mine))
			continue;
		switch (c) {
		case 'S': wh.since = search_time("--since", optarg); break;
		case 'U': wh.until = search_time("--until", optarg); break;
		case 'f': fmt = parse_format(optarg); break;
		case 'L':
			errno = 0;
			limit = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || limit < 0 || limit > 1000000000)
				misuse("--limit: '%.40s' is not a number of tickets (0 for all)",
				    optarg);
			break;
		}
	}
	if (optind >= argc)
		misuse(NULL);
	struct buf text = { 0 };
	for (int i = optind; i < argc; i++) {
		if (i > optind)
			buf_addc(&text, ' ');
		buf_adds(&text, argv[i]);
	}
	char *q = fts ? xstrdup(buf_cstr(&text)) : search_phrases(buf_cstr(&text));
	buf_free(&text);
	if (!*q)
		die(EX_DATAERR, "search: no word to look for");
	open_desk();
	if (mine)
		f.assignee = me()->login;
	search_sync(&D);
	struct search_hit *h;
	size_t nh, n;
	char err[300];
	wh.all = f.all;
	wh.status = f.status;
	wh.assignee = f.assignee;
	wh.unassigned = f.unassigned;
	wh.queue = f.queue;
	/* one more than the limit: whether there are more; the tag is
	 * chosen here, after the index, so then every match */
	wh.limit = limit && !f.tag ? (size_t)limit + 1 : 0;
	int rc = search_query(&D, q, &wh, &h, &nh, err, sizeof err);
	free(q);
	if (rc == -1)
		die(EX_DATAERR, "search: not an FTS5 query (--fts): %s", err);
	if (rc != 0)
		die(EX_IOERR, "search: %s", err);
	struct tsum *v = xmalloc((nh + 1) * sizeof *v);
	const struct tsum **p = xmalloc((nh + 1) * sizeof *p);
	n = search_filter(h, nh, &f, v);
	int more = limit && n > (size_t)limit;
	if (more)
		n = (size_t)limit;
	for (size_t i = 0; i < n; i++)
		p[i] = &v[i];
	print_tickets(p, n, fmt);
	fflush(stdout);
	if (more)
		warnx_("search: the %zu best shown; there are more (--limit N, or 0 for all)", n);
	free(p);
	free(v);
	search_hits_free(h, nh);
	return 0;
}

/* --- show --- */

/* The agent who reads, when named (--as, $MDESK_AGENT), or NULL. */
static const char *viewer(void)
{
	const char *who = opt_as ? opt_as : getenv("MDESK_AGENT");
	return who && *who ? who : NULL;
}

static void print_event(json_t *e)
{
	const char *type = json_string_value(json_object_get(e, "type"));
	const char *at = json_string_value(json_object_get(e, "at"));
	const char *by = json_string_value(json_object_get(e, "by"));
	/* a reminder is its agent's: others see that it is there */
	int hide = type && !strcmp(type, "reminder") && (!viewer() || !by || strcmp(by, viewer()));
	char detail[600] = "";
	size_t dl = 0;
#define DETAIL(...) (dl += (size_t)snprintf(detail + dl, sizeof detail - dl, __VA_ARGS__), \
	dl = dl < sizeof detail ? dl : sizeof detail - 1)
	const char *keys[] = { "from", "to", "subject", "agent", "reason", "status", "priority",
		"into", "until", "metric", "level", "policy", "text", "file", "reply_to", "sender",
		"review", NULL };
	for (int k = 0; keys[k]; k++) {
		json_t *v = json_object_get(e, keys[k]);
		if (json_is_string(v) && !(hide && !strcmp(keys[k], "text")))
			DETAIL("%s%s=%.*s", dl ? " " : "", keys[k],
			    (int)(298 - strlen(keys[k]) - !!dl), json_string_value(v));
	}
	json_t *tags = json_object_get(e, "tags"), *v;
	size_t i;
	if (json_is_array(tags))
		DETAIL(" tags=");
	json_array_foreach(tags, i, v)
		DETAIL("%s%s", i ? "," : "", json_is_string(v) ? json_string_value(v) : "");
	static const char *const flags[][2] = { { "auto", " (automatic)" },
		{ "internal", " (internal)" },
		{ "unconfirmed", " (unconfirmed: its sender stopped while the mailer had it)" } };
	for (int k = 0; k < 3; k++)
		if (json_is_true(json_object_get(e, flags[k][0])))
			DETAIL("%s", flags[k][1]);
#undef DETAIL
	char when[32];
	long long tt;
	if (at && parse_rfc3339(at, &tt) == 0)
		at = local_time(tt, when);
	printf("  %s  %-10s %-10s %s\n", at ? at : "?", type ? type : "?", by ? by : "-", detail);
}

static void show_claim(void *ctx, const char *field, const char *addr)
{
	(void)ctx;
	printf("%s: %s (not the customer's address: never answered unless an agent says so)\n",
	    field, addr);
}

/* The attachments of a ticket's messages, numbered from 1 across them:
 * listed (show), one written out (--part N), or all saved (--attachments). */
struct parts {
	int n;			/* parts seen */
	int want;		/* --part N, or 0 */
	const char *dir;	/* --attachments DIR, or NULL */
	int done, failed;
};

/* A file name from a stranger, safe in a folder: no folder, no leading
 * dot, no control characters; "part-N" when nothing is left. */
static void safe_name(const char *name, int n, char *out, size_t on)
{
	size_t o = 0;
	const char *c = name;
	while (*c == '.' || *c == '/' || *c == '\\' || *c == ' ' || *c == '_')
		c++;
	for (; *c && o + 1 < on; c++)
		out[o++] = (unsigned char)*c < 0x20 || *c == '/' || *c == '\\' || *c == 0x7f ? '_' : *c;
	out[o] = 0;
	while (o && (out[o - 1] == ' ' || out[o - 1] == '.'))
		out[--o] = 0;
	if (!o)
		snprintf(out, on, "part-%d", n);
}

/* Save data as DIR/name, never over a file there: name-1.ext, ... */
static int save_part(const char *dir, const char *name, const char *data, size_t len)
{
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	for (int k = 0; k < 1000; k++) {
		char path[4400];
		if (k)
			snprintf(path, sizeof path, "%s/%.*s-%d%s", dir, (int)stem, name, k, name + stem);
		else
			snprintf(path, sizeof path, "%s/%s", dir, name);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return -1;
		int bad = write_all(fd, data, len) != 0;
		if (close(fd) != 0 || bad) {
			unlink(path);
			return -1;
		}
		return 0;
	}
	errno = EEXIST;
	return -1;
}

static void each_part(void *ctx, const char *type, const char *name, const char *data,
    size_t len)
{
	struct parts *p = ctx;
	int n = ++p->n;
	if (p->want) {
		if (n == p->want && fwrite(data, 1, len, stdout) == len)
			p->done = 1;
	} else if (p->dir) {
		char safe[256];
		safe_name(name, n, safe, sizeof safe);
		if (save_part(p->dir, safe, data, len) == 0)
			p->done++;
		else {
			warnx_("%s/%s: %s", p->dir, safe, strerror(errno));
			p->failed = 1;
		}
	} else
		printf("[part %d] %-24s %s (%zu bytes)\n", n, type, *name ? name : "-", len);
}

/* When the ticket's events say file (NNNN.eml) came in or went out; the
 * ticket's creation when none does. */
static long long file_time(const struct ticket *t, const char *file)
{
	size_t i;
	json_t *e;
	long long at;
	json_array_foreach(t->events, i, e) {
		const char *f = json_string_value(json_object_get(e, "file"));
		const char *a = json_string_value(json_object_get(e, "at"));
		if (f && a && !strcmp(f, file) && parse_rfc3339(a, &at) == 0)
			return at;
	}
	return t->created;
}

/* customers.csv (none: an empty list) */
static void load_customers(struct customers *cu)
{
	size_t len;
	char *t = desk_read_file(&D, "customers.csv", &len);
	memset(cu, 0, sizeof *cu);
	if (t && customers_parse(cu, t, len, print_fault))
		die(EX_CONFIG, "customers.csv has errors; fix them (see mdesk check)");
	free(t);
}

/* show: the customer's record in customers.csv (its tier and notes) */
static void show_customer_record(const struct ticket *t)
{
	struct customers cu;
	if (!t->customer)
		return;
	load_customers(&cu);
	const struct customer *rec = customer_find(&cu, t->customer);
	if (rec)
		printf("Record:   tier %s%s%s%s%s\n", *rec->tier ? rec->tier : "-",
		    *rec->language ? ", language " : "", rec->language,
		    *rec->notes ? "; notes: " : "", rec->notes);
	else
		printf("Record:   (not in customers.csv)\n");
	customers_free(&cu);
}

/* show: the earlier ticket this one follows up (its first message's
 * "follows"), with its subject and status */
static void show_follows(const struct ticket *t)
{
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *prev = json_string_value(json_object_get(e, "follows"));
		struct ticket p;
		if (!prev)
			continue;
		if (!ticketid_valid(prev) || ticket_load(&D, prev, &p, NULL, 0) != 0) {
			printf("Follows:  %.40s (gone)\n", prev);
			return;
		}
		printf("Follows:  %s (%s) %s\n", p.id, p.status, p.subject ? p.subject : "(no subject)");
		ticket_free(&p);
		return;
	}
}

/* show --mbox: a message in an mbox, with its own sender and date (else
 * when it was filed). */
static void mbox_message(const struct ticket *t, const char *file, const char *raw, size_t len)
{
	struct buf b = { 0 };
	int bol = 1;
	mbox_from_line(&b, raw, len, file_time(t, file));
	mbox_escape(&b, raw, len, &bol);
	fwrite(b.p, 1, b.len, stdout);
	if (b.len && b.p[b.len - 1] != '\n')
		putchar('\n');
	putchar('\n');
	buf_free(&b);
}

/* show: a message's sender, date and subject, its text and its
 * attachments listed. */
static void text_message(const struct ticket *t, const char *file, const char *raw, size_t len,
    struct parts *parts)
{
	struct msg m = { 0 };
	const char *from = NULL, *name = NULL;
	size_t hl = msg_header_len(raw, len);
	msg_open(&m, raw, hl);
	msg_addr(&m, "From", &from, &name);
	const char *subj = msg_text(&m, "Subject"), *date = msg_raw(&m, "Date", 1);
	printf("\n--- %s ---\nFrom: %s%s%s%s\n", file, name ? name : "",
	    name ? " <" : "", from ? from : "?", name ? ">" : "");
	/* where the message asks answers to go, when not to the customer */
	reply_claims(&m, t->customer, show_claim, NULL);
	printf("Date: %s\nSubject: %s\n\n", date ? date : "?", subj ? subj : "");
	char *text = mime_text(raw, len);
	fputs(text, stdout);
	if (*text && text[strlen(text) - 1] != '\n')
		putchar('\n');
	free(text);
	mime_attachments(raw, len, each_part, parts);	/* listed */
	msg_free(&m);
}

/* The ticket's messages: as an mbox, their attachments (--part N,
 * --attachments DIR) or as text. */
static void show_messages(const struct ticket *t, int archived, int mbox, struct parts *p)
{
	size_t nf, len;
	char **files = ticket_files(&D, t->id, &nf, archived);
	for (size_t k = 0; k < nf; k++) {
		char *raw = ticket_read(&D, t->id, files[k], &len, archived);
		if (raw && mbox)
			mbox_message(t, files[k], raw, len);
		else if (raw && (p->want || p->dir))
			mime_attachments(raw, len, each_part, p);
		else if (raw)
			text_message(t, files[k], raw, len, p);
		free(raw);
	}
	desk_list_free(files, nf);
}

/* The participants of a ticket, when there are others than the customer. */
static void show_participants(const struct ticket *t, int archived)
{
	struct addrs pp = { 0 };
	struct agents ag = { 0 };	/* their addresses are the desk's; a broken
					 * agents.csv only shows more */
	size_t al;
	char *at = desk_read_file(&D, "agents.csv", &al);
	int have = at && agents_parse(&ag, at, al, NULL) == 0;
	free(at);
	ticket_participants(&D, have ? &ag : NULL, t, archived, &pp);
	agents_free(&ag);
	if (pp.n > 1) {
		printf("Participants:");
		for (size_t k = 0; k < pp.n; k++)
			printf("%s %s", k ? "," : "", pp.addr[k]);
		putchar('\n');
	}
	addrs_free(&pp);
}

/* show: the state, the events, each message's text and attachments. */
/* The text of the event id of t (a reminder's), or NULL. */
static const char *event_text(const struct ticket *t, const char *id)
{
	for (size_t i = 0; id && i < t->nev; i++)
		if (!strcmp(t->ev[i].id, id))
			return json_string_value(json_object_get(t->ev[i].json, "text"));
	return NULL;
}

/* The snooze in force, and the reader's reminders. */
static void show_snooze(const struct ticket *t)
{
	char b[32];
	size_t i;
	json_t *n;
	if (ticket_snoozed(t, D.now))
		printf("Snoozed:  until %s (back open then, or at the customer's next message)\n",
		    local_time(t->snooze_until, b));
	json_array_foreach(t->notices, i, n) {
		const char *a = notice_agent(t, n), *due = json_string_value(json_object_get(n, "due"));
		const char *ty = json_string_value(json_object_get(n, "type"));
		long long dt;
		if (!ty || strcmp(ty, "reminder") || !a || !viewer() || strcmp(a, viewer()) || !due ||
		    parse_rfc3339(due, &dt) != 0)
			continue;
		const char *text = event_text(t, json_string_value(json_object_get(n, "event")));
		printf("Reminder: %s%s: %s\n", local_time(dt, b), dt <= D.now ? " (due)" : "",
		    text ? text : "");
	}
}

static void show_text(struct ticket *t, int archived, struct parts *parts)
{
	char cr[32], up[32];
	size_t i;
	json_t *v;
	printf("Ticket:   %s%s\n", t->id, archived ? " (archived)" : "");
	printf("Subject:  %s\n", t->subject ? t->subject : "(no subject)");
	printf("Customer: %s%s%s%s\n", t->customer_name ? t->customer_name : "",
	    t->customer_name ? " <" : "", t->customer ? t->customer : "-",
	    t->customer_name ? ">" : "");
	show_customer_record(t);
	show_follows(t);
	printf("Status:   %s   Priority: %s   Queue: %s   Language: %s\n", t->status,
	    t->priority, t->queue ? t->queue : "-", t->lang ? t->lang : "-");
	printf("Assignee: %s", t->assignee ? t->assignee : "(none)");
	if (ticket_claimed(t, NULL, D.now)) {
		char cu[32];
		printf("   Claimed by %s until %s", t->claim_by,
		    t->claim_until ? local_time(t->claim_until, cu) : "released");
	}
	putchar('\n');
	show_snooze(t);
	printf("Tags:     ");
	json_array_foreach(t->tags, i, v)
		printf("%s%s", i ? ", " : "", json_string_value(v));
	printf("%s\n", json_array_size(t->tags) ? "" : "(none)");
	show_participants(t, archived);
	if (t->merged_into)
		printf("Merged into: %s\n", t->merged_into);
	json_array_foreach(t->collisions, i, v) {
		const char *ty = json_string_value(json_object_get(v, "type"));
		if (!ty)
			continue;
		printf("Collision: %s %s by %s at %s, after %s's%s (another replica); %s's stands\n",
		    ty, !strcmp(ty, "claim") ? "claimed" : !strcmp(ty, "status") ? "set" : "answered",
		    json_string_value(json_object_get(v, "loser")),
		    json_string_value(json_object_get(v, "at")),
		    json_string_value(json_object_get(v, "winner")),
		    !strcmp(ty, "status") ? " claim" : "",
		    json_string_value(json_object_get(v, "winner")));
	}
	printf("Created:  %s   Updated: %s\n", local_time(t->created, cr), local_time(t->updated, up));
	printf("\nEvents:\n");
	json_array_foreach(t->events, i, v)
		print_event(v);
	show_messages(t, archived, 0, parts);
}

static int cmd_show(int argc, char **argv)
{
	int mbox = 0, json = 0, c;
	const struct option o[] = {
		{ "mbox", no_argument, &mbox, 1 },
		{ "json", no_argument, &json, 1 },
		{ "part", required_argument, NULL, 'p' },
		{ "attachments", required_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 }
	};
	struct parts parts = { 0 };
	char *end;
	while ((c = next_opt(argc, argv, "", o)) != -1) {
		if (c == 'p') {
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 100000)
				misuse("--part: '%s' is not a part number (see mdesk show ID)", optarg);
			parts.want = (int)v;
		} else if (c == 'a')
			parts.dir = optarg;
	}
	if (optind + 1 != argc || mbox + json + !!parts.want + !!parts.dir > 1)
		misuse(NULL);
	const char *id = tid(argv[optind]);
	open_desk();
	struct ticket t;
	int archived;
	if (!ticketid_valid(id))
		die(EX_DATAERR, "'%.40s' is not a ticket ID (6 to 12 of 0-9 A-Z)", id);
	need_ticket(id, &t, &archived, 0);
	if (viewer())	/* the acting agent, when known, hears of a collision it lost */
		sync_notice(&D, &t, viewer());
	if (parts.want || parts.dir) {
		struct stat st;
		if (parts.dir && (stat(parts.dir, &st) != 0 || !S_ISDIR(st.st_mode)))
			die(EX_CANTCREAT, "%s: not a folder", parts.dir);
		show_messages(&t, archived, 0, &parts);
		if (parts.want && !parts.done)
			die(EX_NOINPUT, "%s: no part %d (see mdesk show %s)", id, parts.want, id);
		if (fflush(stdout) != 0)
			die(EX_IOERR, "write error: %s", strerror(errno));
		if (parts.failed)
			die(EX_CANTCREAT, "%s: not every attachment was saved", parts.dir);
	} else if (mbox)
		show_messages(&t, archived, 1, &parts);
	else if (json) {
		json_t *o = ticket_json(&t);
		json_object_set(o, "events", t.events);
		json_object_set_new(o, "archived", json_boolean(archived));
		jw_line(stdout, o);
	} else
		show_text(&t, archived, &parts);
	ticket_free(&t);
	return 0;
}

/* --- simple writes --- */

static int cmd_assign(int argc, char **argv)
{
	argv = no_options(&argc, argv, "", 3, 3);
	struct agent *a = open_as_me(), *to = agent_arg(argv[2]);
	if (!strcmp(to->status, "inactive"))
		die(EX_DATAERR, "agent '%s' is inactive (see mdesk agent set)", to->login);
	json_t *e = event_new("assigned", a->login, D.now);
	json_object_set_new(e, "agent", json_string(to->login));
	json_object_set_new(e, "reason", json_string("manual"));
	one_event(tid(argv[1]), e, a, NULL, NULL, "assigned to %s", to->login);
	return 0;
}

/* A command whose event says no more than its type and who: "ID". */
static int bare_event(int argc, char **argv, const char *type)
{
	argv = no_options(&argc, argv, "", 2, 2);
	struct agent *a = open_as_me();
	json_t *e = event_new(type, a->login, D.now);
	one_event(tid(argv[1]), e, a, NULL, NULL, "%s", type);
	return 0;
}

static int cmd_unassign(int argc, char **argv)
{
	return bare_event(argc, argv, "unassigned");
}

/* Another agent's live claim stands (unless --force: then this check is
 * not made); login is the acting agent's. */
static int claim_check(const struct ticket *t, void *login)
{
	if (ticket_claimed(t, login, D.now)) {
		char b[32];
		fprintf(stderr, "%s: %s: claimed by %s until %s; use --force to take it over\n",
		    progname, t->id, t->claim_by, t->claim_until ? fmt_rfc3339(t->claim_until, b) : "released");
		return 1;
	}
	return 0;
}

static int cmd_claim(int argc, char **argv)
{
	const char *dur = NULL;
	int c, force = 0;
	const struct option o[] = {
		{ "for", required_argument, NULL, 'f' },
		{ "force", no_argument, &force, 1 },
		{ NULL, 0, NULL, 0 }
	};
	while ((c = next_opt(argc, argv, "", o)) != -1)
		if (c == 'f')
			dur = optarg;
	if (optind + 1 != argc)
		misuse(NULL);
	struct agent *a = open_as_me();
	if (!dur)
		dur = conf_get(&D.conf, "", "", "claim_for");
	long long secs = 30 * 60;
	if (dur && conf_duration(dur, &secs) != 0)
		misuse("--for: '%s' is not a duration (like 30m or 2h)", dur);
	if (D.now + secs > TIME_MAX)
		misuse("--for: the claim would end after 9999");
	json_t *e = event_new("claimed", a->login, D.now);
	char b[32];
	json_object_set_new(e, "agent", json_string(a->login));
	json_object_set_new(e, "until", json_string(fmt_rfc3339(D.now + secs, b)));
	if (force)	/* over another's claim, knowingly */
		json_object_set_new(e, "force", json_true());
	one_event(tid(argv[optind]), e, a, force ? NULL : claim_check, a->login, "claimed");
	return 0;
}

static int cmd_release(int argc, char **argv)
{
	int force = one_opt(argc, argv, "force", no_argument, NULL);
	argv += optind - 1;
	if (argc - optind != 1)
		misuse(NULL);
	struct agent *a = open_as_me();
	json_t *e = event_new("released", a->login, D.now);
	one_event(tid(argv[1]), e, a, force ? NULL : claim_check, a->login, "released");
	return 0;
}

/* A mail from agent a to agent to about ticket t: the subject "[ID]
 * what: SUBJECT", the body intro, text (may be NULL) and the ticket's
 * summary. */
static void agent_mail(struct buf *m, const struct ticket *t, const struct agent *a,
    const struct agent *to, const char *what, const char *intro, const char *text)
{
	struct addrs rcpt = { 0 };
	addrs_add(&rcpt, to->email, to->name);
	mail_about_ticket(m, t, D.now, a->name, a->email, &rcpt, what, intro, text);
	addrs_free(&rcpt);
}

/* May agent to be told by mail ([mail] mentions not no, to not in
 * mentions_off, an address of its own)? */
static int agent_mail_on(const struct agent *to)
{
	return strcmp(conf_or(&D.conf, "mail", "", "mentions", "yes"), "no") &&
	    !agent_has(conf_get(&D.conf, "mail", "", "mentions_off"), to->login) &&
	    to->email && addr_plain(to->email);
}

/* Send m through the desk's mailer; a mail that does not leave is a
 * warning (what it was to tell is recorded already): 0, or -1. */
static int agent_mail_send(const char *id, const char *login, const char *what, struct buf *m)
{
	const char *url = conf_get(&D.conf, "mail", "", "mailer");
	mail_mailers();
	char err[512];
	if (mail_send(url ? url : "sendmail:///usr/sbin/sendmail", m->p, m->len, err, sizeof err) == 0)
		return 0;
	warnx_("%s: the mail that tells %s of the %s was not sent: %s", id, login, what, err);
	return -1;
}

/* Tell each agent a note mentions (not its author; not those whose
 * [mail] mentions_off lists them; none with [mail] mentions = no) by mail
 * through the desk's mailer, to the agent's own address.  The note is
 * recorded already: a mail that does not leave is a warning. */
static void tell_mentioned(const char *id, json_t *mentions, const struct agent *a,
    const char *note)
{
	if (!json_array_size(mentions))
		return;
	struct ticket t;
	int archived;
	if (ticket_load(&D, id, &t, &archived, 1) != 0)
		return;
	char what[300], intro[400];
	snprintf(what, sizeof what, "%.200s mentioned you", a->name && *a->name ? a->name : a->login);
	snprintf(intro, sizeof intro, "%s in a note on ticket %s", what, t.id);
	size_t i;
	json_t *v;
	json_array_foreach(mentions, i, v) {
		const char *login = json_string_value(v);
		struct agent *to = login ? agent_find(&AG, login) : NULL;
		if (!to || !strcmp(to->login, a->login) || !agent_mail_on(to))
			continue;
		struct buf m = { 0 };
		agent_mail(&m, &t, a, to, what, intro, note);
		agent_mail_send(id, to->login, "mention", &m);
		buf_free(&m);
	}
	ticket_free(&t);
}

/* A note's @login that names no agent: refused, the agents named. */
static _Noreturn void unknown_mention(const char *login)
{
	struct buf known = { 0 };
	for (size_t i = 0; i < AG.n; i++) {
		buf_adds(&known, i ? ", " : "");
		buf_adds(&known, AG.v[i].login);
	}
	die(EX_DATAERR, "note: @%s is not an agent's login; the agents are %s",
	    login, known.len ? known.p : "(none)");
}

/* The text of a note or reminder: argv[first..argc) joined by spaces, or
 * standard input when that is "-" alone; valid UTF-8 with its line breaks
 * kept, into nb.  Empty: misuse(empty). */
static void args_text(int argc, char **argv, int first, struct buf *nb, const char *empty)
{
	struct buf text = { 0 };
	if (argc == first + 1 && !strcmp(argv[first], "-")) {
		char tmp[4096];
		size_t n;
		while ((n = fread(tmp, 1, sizeof tmp, stdin)) > 0)
			buf_add(&text, tmp, n);
	} else
		for (int i = first; i < argc; i++) {
			if (i > first)
				buf_addc(&text, ' ');
			buf_adds(&text, argv[i]);
		}
	if (!text.len)
		misuse("%s", empty);
	/* utf8_clean would turn line breaks into U+FFFD: a line at a time */
	for (const char *p = text.p; *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		char *c = utf8_clean(p, l, 0);
		buf_adds(nb, c);
		free(c);
		if (nl)
			buf_addc(nb, '\n');
		p += l + (nl != NULL);
	}
	buf_free(&text);
}

static int cmd_note(int argc, char **argv)
{
	argv = no_options(&argc, argv, "+", 3, INT_MAX);
	struct agent *a = open_as_me();
	struct buf nb = { 0 };
	args_text(argc, argv, 2, &nb, "an empty note");
	json_t *e = event_new("note", a->login, D.now);
	json_object_set_new(e, "text", json_string(nb.p));
	json_t *mentions = json_array();
	load_agents();
	for (const char *p = strchr(nb.p, '@'); p; p = strchr(p + 1, '@')) {
		if (p > nb.p && ((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= '0' && p[-1] <= '9')))
			continue;	/* an address, not a mention */
		char login[40];
		size_t l = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789._-");
		l = l < 32 ? l : 32;
		while (l && (p[l] == '.' || p[l] == '-'))
			l--;
		snprintf(login, sizeof login, "%.*s", (int)l, p + 1);
		if (l && !agent_find(&AG, login)) {
			json_decref(mentions);
			json_decref(e);
			unknown_mention(login);
		}
		int dup = !l;	/* an "@" alone names nobody */
		size_t i;
		json_t *v;
		json_array_foreach(mentions, i, v)
			dup |= !strcmp(json_string_value(v), login);
		if (!dup)
			json_array_append_new(mentions, json_string(login));
	}
	json_object_set_new(e, "mentions", json_incref(mentions));
	const char *id = tid(argv[1]);
	one_event(id, e, a, NULL, NULL, "note");
	tell_mentioned(id, mentions, a, nb.p);
	json_decref(mentions);
	buf_free(&nb);
	return 0;
}

static int cmd_tag(int argc, char **argv)
{
	argv = no_options(&argc, argv, "", 3, INT_MAX);
	int untag = !strcmp(argv[0], "untag");
	struct agent *a = open_as_me();
	json_t *e = event_new(untag ? "untagged" : "tagged", a->login, D.now);
	json_t *tags = json_array();
	struct buf list = { 0 };
	for (int i = 2; i < argc; i++) {
		if (!tag_valid(argv[i]))
			misuse("tag '%s': use 1-64 of a-z 0-9 - _ . :", argv[i]);
		json_array_append_new(tags, json_string(argv[i]));
		buf_adds(&list, i > 2 ? " " : "");
		buf_adds(&list, argv[i]);
	}
	json_object_set_new(e, "tags", tags);
	one_event(tid(argv[1]), e, a, NULL, NULL, "%s %s", untag ? "untagged" : "tagged", list.p);
	buf_free(&list);
	return 0;
}

static int cmd_priority(int argc, char **argv)
{
	argv = no_options(&argc, argv, "", 3, 3);
	if (!priority_valid(argv[2]))
		misuse("priority '%s' is not one of " PRIORITY_LIST, argv[2]);
	struct agent *a = open_as_me();
	json_t *e = event_new("priority", a->login, D.now);
	json_object_set_new(e, "priority", json_string(argv[2]));
	one_event(tid(argv[1]), e, a, NULL, NULL, "priority %s", argv[2]);
	return 0;
}

static int cmd_seen(int argc, char **argv)
{
	return bare_event(argc, argv, "seen");
}

/* --- snooze, reminders and what they tell --- */

/* WHEN of snooze or remind: a duration or a time (when_parse), after now. */
static long long when_arg(const char *s)
{
	long long t;
	if (when_parse(s, D.now, conf_get(&D.conf, "", "", "timezone"), &t) != 0)
		misuse("WHEN: '%.40s' is neither a duration (2h, 3d, 1w) nor a time "
		    "(2026-12-10, 2026-12-10T09:00, 2026-12-10T09:00:00Z)", s);
	if (t <= D.now)
		misuse("WHEN: '%.40s' is not in the future", s);
	return t;
}

/* A snooze is for a ticket in the queue: not solved, closed or merged. */
static int snooze_check(const struct ticket *t, void *ctx)
{
	(void)ctx;
	if (status_active(t->status) && !t->merged_into)
		return 0;
	warnx_("%s: the ticket is %s: only a new, open, pending or on-hold ticket is snoozed",
	    t->id, t->merged_into ? "merged" : t->status);
	return EX_DATAERR;
}

static int unsnooze_check(const struct ticket *t, void *ctx)
{
	(void)ctx;
	if (ticket_snoozed(t, D.now))
		return 0;
	warnx_("%s: the ticket is not snoozed", t->id);
	return EX_DATAERR;
}

static int cmd_snooze(int argc, char **argv)
{
	int un = !strcmp(argv[0], "unsnooze");
	argv = no_options(&argc, argv, "", un ? 2 : 3, un ? 2 : 3);
	struct agent *a = open_as_me();
	const char *id = tid(argv[1]);
	json_t *e = event_new(un ? "unsnoozed" : "snoozed", a->login, D.now);
	char lt[32], ut[32] = "";
	long long until = un ? 0 : when_arg(argv[2]);
	if (!un)
		json_object_set_new(e, "until", json_string(fmt_rfc3339(until, ut)));
	one_event(id, e, a, un ? unsnooze_check : snooze_check, NULL, un ? "unsnoozed" :
	    "snoozed until %s", ut);
	if (un)
		printf("%s: back in the queue\n", id);
	else
		printf("%s: snoozed until %s\n", id, local_time(until, lt));
	return 0;
}

static int cmd_remind(int argc, char **argv)
{
	argv = no_options(&argc, argv, "+", 4, INT_MAX);
	struct agent *a = open_as_me();
	const char *id = tid(argv[1]);
	long long due = when_arg(argv[2]);
	struct buf text = { 0 };
	args_text(argc, argv, 3, &text, "an empty reminder");
	char ut[32], lt[32];
	json_t *e = event_new("reminder", a->login, D.now);
	json_object_set_new(e, "until", json_string(fmt_rfc3339(due, ut)));
	json_object_set_new(e, "text", json_string(text.p));
	one_event(id, e, a, NULL, NULL, "reminder");
	printf("%s: reminder for %s at %s\n", id, a->login, local_time(due, lt));
	buf_free(&text);
	return 0;
}

/* Has t a "told" event of notice n to login? */
static int told_before(const struct ticket *t, const char *about, const char *login)
{
	for (size_t i = 0; i < t->nev; i++) {
		json_t *o = t->ev[i].json;
		const char *ab = json_string_value(json_object_get(o, "about"));
		if (!strcmp(t->ev[i].type, "told") && t->ev[i].agent && !strcmp(t->ev[i].agent, login) &&
		    ab && !strcmp(ab, about))
			return 1;
	}
	return 0;
}

/* Is notice n a wake (else a reminder)? */
static int notice_wake(json_t *n)
{
	const char *type = json_string_value(json_object_get(n, "type"));
	return type && !strcmp(type, "wake");
}

/* The mail that tells agent to of due notice n of t, into m. */
static void notice_mail(const struct ticket *t, json_t *n, const struct agent *to, struct buf *m)
{
	const char *about = json_string_value(json_object_get(n, "event"));
	const char *due = json_string_value(json_object_get(n, "due"));
	const char *by = json_string_value(json_object_get(n, "by"));
	int wake = notice_wake(n);
	char intro[256], lt[32];
	long long dt = 0;
	parse_rfc3339(due ? due : "", &dt);
	if (wake)
		snprintf(intro, sizeof intro, "Ticket %s is back in the queue, open: %.40s snoozed it "
		    "until %s", t->id, by ? by : "?", local_time(dt, lt));
	else
		snprintf(intro, sizeof intro, "Your reminder on ticket %s, due %s", t->id,
		    local_time(dt, lt));
	agent_mail(m, t, to, to, wake ? "back from snooze" : "reminder", intro,
	    wake ? NULL : event_text(t, about));
}

/* The "told" event of notice n (of event about) to login: one id for the
 * same notice told on any replica. */
static json_t *told_event(const struct ticket *t, json_t *n, const char *about, const char *login)
{
	char key[160];
	json_t *e = event_new("told", "system", D.now);
	snprintf(key, sizeof key, "%s/%.60s/%.40s", t->id, about, login);
	event_id_for(e, "told", key);
	json_object_set_new(e, "about", json_string(about));
	json_object_set_new(e, "agent", json_string(login));
	json_object_set_new(e, "notice", json_string(notice_wake(n) ? "wake" : "reminder"));
	return e;
}

/* A mail that notify sends once the record is made. */
struct told_mail {
	struct buf m;
	char id[16], login[64];
};

/* The due notices of ticket id not yet told: their "told" events to tx
 * (when not NULL), their mail (for the agents who take it) to *mails. */
static size_t notify_ticket(const char *id, struct desk_tx *tx, struct told_mail **mails,
    size_t *nm)
{
	struct ticket t;
	size_t i, count = 0;
	json_t *n;
	if (ticket_load(&D, id, &t, NULL, 1) != 0)
		return 0;
	json_array_foreach(t.notices, i, n) {
		const char *login = notice_agent(&t, n);
		const char *about = json_string_value(json_object_get(n, "event"));
		const char *due = json_string_value(json_object_get(n, "due"));
		long long dt;
		struct agent *to = login ? agent_find(&AG, login) : NULL;
		if (!to || !about || !due || parse_rfc3339(due, &dt) != 0 || dt > D.now ||
		    told_before(&t, about, login))
			continue;
		if (agent_mail_on(to)) {
			*mails = xrealloc(*mails, (*nm + 1) * sizeof **mails);
			struct told_mail *tm = &(*mails)[(*nm)++];
			memset(tm, 0, sizeof *tm);
			snprintf(tm->login, sizeof tm->login, "%s", to->login);
			snprintf(tm->id, sizeof tm->id, "%s", t.id);
			notice_mail(&t, n, to, &tm->m);
		}
		json_t *e = told_event(&t, n, about, to->login);
		if (tx)
			ticket_append_events(tx, t.id, &e, 1);
		else
			json_decref(e);
		printf("%s: %s told (%s)\n", t.id, to->login,
		    notice_wake(n) ? "back from snooze" : "reminder");
		count++;
	}
	ticket_free(&t);
	return count;
}

/* mdesk notify: every wake and reminder that is due and not yet told, by
 * mail to its agent and a "told" event (one per notice and agent, so a
 * run from cron tells each once). */
static int cmd_notify(int argc, char **argv)
{
	int dry = one_opt(argc, argv, "dry-run", no_argument, NULL);
	if (optind != argc)
		misuse(NULL);
	open_desk();
	load_agents();
	if (!dry)
		desk_lock(&D);
	size_t n, nm = 0, count = 0;
	struct told_mail *mails = NULL;
	struct desk_tx *tx = dry ? NULL : desk_tx_new(&D);
	const struct tsum *v = tickets_summary(&D, 0, &n);
	for (size_t i = 0; i < n; i++)
		if (strstr(v[i].json, "\"notices\""))
			count += notify_ticket(v[i].id, tx, &mails, &nm);
	if (tx && count) {
		char an[64], ae[300], msg[64];
		desk_system_author(an, sizeof an, ae, sizeof ae);
		snprintf(msg, sizeof msg, "notify: %zu notice%s told\n", count, count == 1 ? "" : "s");
		desk_tx_commit(tx, an, ae, msg);	/* recorded before the mail goes */
	} else if (tx)
		desk_tx_abort(tx);
	if (!dry)
		desk_unlock(&D);
	for (size_t i = 0; i < nm; i++) {
		if (!dry)
			agent_mail_send(mails[i].id, mails[i].login, "notice", &mails[i].m);
		buf_free(&mails[i].m);
	}
	free(mails);
	return 0;
}

static int cmd_status(int argc, char **argv)
{
	int force = one_opt(argc, argv, "force", no_argument, NULL);
	argv += optind - 1;
	if (argc - optind != 2)
		misuse(NULL);
	if (!status_valid(argv[2]))
		misuse("status '%s' is not one of " STATUS_LIST, argv[2]);
	struct agent *a = open_as_me();
	json_t *e = event_new("status", a->login, D.now);
	json_object_set_new(e, "status", json_string(argv[2]));
	if (force)	/* over another's claim, knowingly */
		json_object_set_new(e, "force", json_true());
	one_event(tid(argv[1]), e, a, force ? NULL : claim_check, a->login, "status %s", argv[2]);
	return 0;
}

/* --- merge --- */

static int cmd_merge(int argc, char **argv)
{
	argv = no_options(&argc, argv, "", 3, 3);
	const char *from = tid(argv[1]), *into = tid(argv[2]);
	if (!strcmp(from, into))
		misuse("a ticket cannot be merged into itself");
	struct agent *a = open_as_me();
	desk_lock(&D);
	struct ticket tf, ti;
	int af, ai;
	if (!ticketid_valid(from) || !ticketid_valid(into))
		die(EX_DATAERR, "ticket IDs are 6 to 12 of 0-9 A-Z");
	need_ticket(from, &tf, &af, 1);
	need_ticket(into, &ti, &ai, 1);
	if (tf.merged_into)
		die(EX_DATAERR, "%s: already merged into %s", from, tf.merged_into);
	if (ti.merged_into)
		die(EX_DATAERR, "%s: merged into %s; merge into that one", into, ti.merged_into);
	struct desk_tx *tx = desk_tx_new(&D);
	if (af)
		ticket_restore(&D, tx, from);
	if (ai)
		ticket_restore(&D, tx, into);
	json_t *e = event_new("merged", a->login, D.now), *note = event_new("note", a->login, D.now);
	ticket_merge_stage(&D, tx, &tf, af, into, ticket_next_number(&D, into, ai) - 1, e, note);
	json_decref(e);
	json_decref(note);
	char msg[128];
	snprintf(msg, sizeof msg, "%s: merged into %s by %s\n", from, into, a->login);
	desk_tx_commit(tx, a->name, a->email, msg);
	desk_unlock(&D);
	ticket_free(&tf);
	ticket_free(&ti);
	return 0;
}

/* --- log --- */

static int touches(git_commit *c, const char *path)
{
	git_tree *t, *pt = NULL;
	git_tree_entry *e = NULL, *pe = NULL;
	git_commit *p = NULL;
	git_commit_tree(&t, c);
	git_tree_entry_bypath(&e, t, path);
	if (git_commit_parentcount(c) > 0 && git_commit_parent(&p, c, 0) == 0) {
		git_commit_tree(&pt, p);
		git_tree_entry_bypath(&pe, pt, path);
	}
	int r = (e == NULL) != (pe == NULL) ||
	    (e && pe && !git_oid_equal(git_tree_entry_id(e), git_tree_entry_id(pe)));
	git_tree_entry_free(e);
	git_tree_entry_free(pe);
	git_tree_free(t);
	git_tree_free(pt);
	git_commit_free(p);
	return r;
}

static int cmd_log(int argc, char **argv)
{
	static const struct option o[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "max", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	int fmt = F_TABLE, c;
	long max = -1;
	while ((c = next_opt(argc, argv, "n:f:", o)) != -1) {
		if (c == 'f')
			fmt = parse_format(optarg);
		else
			max = atol(optarg);
	}
	if (optind + 1 < argc)
		misuse(NULL);
	open_desk();
	char dir[40] = "";
	if (optind < argc)
		desk_ticket_dir(tid(argv[optind]), dir);
	git_revwalk *w;
	git_oid id;
	git_revwalk_new(&w, D.repo);
	git_revwalk_sorting(w, GIT_SORT_TIME);
	git_revwalk_push_ref(w, DESK_BRANCH);
	long n = 0;
	static const char *const h[] = { "commit", "date", "author", "email", "message" };
	if (fmt == F_CSV)
		csvw_row(stdout, h, 5);
	while (git_revwalk_next(&id, w) == 0 && (max < 0 || n < max)) {
		git_commit *cm;
		if (git_commit_lookup(&cm, D.repo, &id) != 0)
			continue;
		if (*dir && !touches(cm, dir)) {
			git_commit_free(cm);
			continue;
		}
		n++;
		const git_signature *s = git_commit_author(cm);
		char when[32], hex[GIT_OID_HEXSZ + 1];
		fmt_rfc3339((long long)s->when.time, when);
		git_oid_tostr(hex, sizeof hex, &id);
		const char *summary = git_commit_summary(cm) ? git_commit_summary(cm) : "";
		const char *row[] = { hex, when, s->name, s->email, summary };
		if (fmt == F_JSON) {
			json_t *o = json_object();
			for (int k = 0; k < 5; k++)
				jw_str(o, h[k], row[k]);
			jw_line(stdout, o);
		} else if (fmt == F_CSV)
			csvw_row(stdout, row, 5);
		else
			printf("%.10s  %s  %-14s %s\n", hex, when, s->name, summary);
		git_commit_free(cm);
	}
	git_revwalk_free(w);
	return 0;
}

/* --- customer --- */

static int by_updated_desc(const void *a, const void *b)
{
	const struct tsum *x = *(const struct tsum *const *)a, *y = *(const struct tsum *const *)b;
	if (x->updated != y->updated)
		return x->updated > y->updated ? -1 : 1;
	return strcmp(x->id, y->id);
}

static int cmd_customer(int argc, char **argv)
{
	static const struct option o[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	int fmt = isatty(1) ? F_TABLE : F_JSON;
	while (next_opt(argc, argv, "f:", o) != -1)
		fmt = parse_format(optarg);
	if (optind + 1 != argc)
		misuse(NULL);
	const char *who = argv[optind];
	open_desk();
	struct customers cu = { 0 };
	load_customers(&cu);
	struct customer *rec = customer_find(&cu, who);
	struct filter f = { .all = 1, .customer = who };
	size_t n;
	const struct tsum **v = select_tickets(&f, &n);
	if (n > 1)
		qsort(v, n, sizeof *v, by_updated_desc);
	if (fmt == F_TABLE && rec)
		printf("Customer: %s%s%s%s\nTier:     %s\nLanguage: %s\nNotes:    %s\n\n",
		    *rec->name ? rec->name : "", *rec->name ? " <" : "", who,
		    *rec->name ? ">" : "", *rec->tier ? rec->tier : "-",
		    *rec->language ? rec->language : "-", *rec->notes ? rec->notes : "-");
	else if (fmt == F_TABLE)
		printf("Customer: %s (not in customers.csv)\n\n", who);
	if (fmt == F_JSON) {
		json_t *o = json_object();
		jw_str(o, "customer", who);
		jw_str(o, "name", rec ? rec->name : NULL);
		jw_str(o, "tier", rec ? rec->tier : NULL);
		jw_str(o, "language", rec ? rec->language : NULL);
		jw_str(o, "notes", rec ? rec->notes : NULL);
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++) {
			struct ticket t;
			tsum_ticket(v[i], &t);
			json_array_append_new(arr, ticket_json(&t));
			ticket_free(&t);
		}
		json_object_set_new(o, "tickets", arr);
		jw_line(stdout, o);
	} else
		print_tickets(v, n, fmt);
	free(v);
	customers_free(&cu);
	return 0;
}

/* --- agents --- */

/* The text fields of an agent that agent add and set write, and field i
 * of g. */
static const char *const agent_fields[] = { "name", "email", "groups", "skills", "languages",
	"status", "calendar", NULL };

static char **agent_field(struct agent *g, int i)
{
	char **slot[] = { &g->name, &g->email, &g->groups, &g->skills, &g->languages,
		&g->status, &g->calendar };
	return slot[i];
}

static void set_field(struct agent *g, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq)
		misuse("'%s': want FIELD=VALUE", kv);
	size_t kl = (size_t)(eq - kv);
	const char *v = eq + 1;
	int k = 0;
	while (agent_fields[k] && (strlen(agent_fields[k]) != kl || strncmp(kv, agent_fields[k], kl)))
		k++;
	if (kl == 8 && !strncmp(kv, "capacity", 8)) {
		char *e;
		long c = *v ? strtol(v, &e, 10) : -1;
		if (*v && (*e || c < 0))
			misuse("capacity: want a number of tickets, or empty for no limit");
		g->capacity = c;
		return;
	} else if (!agent_fields[k])
		misuse("'%.*s': not a field (name, email, groups, skills, languages, "
		    "capacity, status, calendar)", (int)kl, kv);
	if (strpbrk(v, "\n\r"))
		misuse("a field cannot hold a line break");
	free(*agent_field(g, k));
	*agent_field(g, k) = xstrdup(v);
}

static void save_agents(struct agents *ag, const struct agent *a, const char *msg)
{
	char *csv = agents_render(ag);
	/* validate what we are about to write */
	struct agents chk;
	if (agents_parse(&chk, csv, strlen(csv), print_fault))
		die(EX_DATAERR, "refusing to write an invalid agents.csv");
	agents_free(&chk);
	struct desk_tx *tx = desk_tx_new(&D);
	desk_tx_write(tx, "agents.csv", csv, strlen(csv));
	desk_tx_commit(tx, a->name, a->email, msg);
	free(csv);
}

/* agents.csv is edited by hand too: refuse to write over uncommitted edits */
static void agents_clean_or_die(void)
{
	size_t l1, l2;
	char *w = desk_read_file(&D, "agents.csv", &l1), *h = desk_read_head(&D, "agents.csv", &l2, 0);
	int same = w && h && l1 == l2 && !memcmp(w, h, l1);
	free(w);
	free(h);
	if (!same)
		die(EX_TEMPFAIL, "agents.csv has changes that are not committed; commit "
		    "them first (git -C %s commit agents.csv)", D.root);
}

/* mdesk agent ls: agents.csv as a table, JSON Lines or CSV. */
static int agent_ls(int fmt)
{
	if (fmt == -1)
		fmt = isatty(1) ? F_TABLE : F_JSON;
	load_agents();
	if (fmt == F_TABLE)
		printf("LOGIN     NAME                  STATUS    CAP  LANGS     GROUPS\n");
	else if (fmt == F_CSV) {
		char *csv = agents_render(&AG);
		fputs(csv, stdout);
		free(csv);
		return 0;
	}
	for (size_t i = 0; i < AG.n; i++) {
		struct agent *g = &AG.v[i];
		if (fmt == F_JSON) {
			json_t *o = json_object();
			jw_str(o, "login", g->login);
			for (int k = 0; agent_fields[k]; k++) {	/* agents.csv's order */
				if (!strcmp(agent_fields[k], "status"))
					json_object_set_new(o, "capacity", g->capacity >= 0 ?
					    json_integer(g->capacity) : json_null());
				jw_str(o, agent_fields[k], *agent_field(g, k));
			}
			jw_line(stdout, o);
			continue;
		}
		char cap[24] = "-";
		if (g->capacity >= 0)
			snprintf(cap, sizeof cap, "%ld", g->capacity);
		put_col(g->login, 10);
		put_col(g->name, 22);
		put_col(g->status, 10);
		put_col(cap, 5);
		put_col(g->languages, 10);
		printf("%s\n", g->groups);
	}
	return 0;
}

static int cmd_agent(int argc, char **argv)
{
	static const struct option o[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	int fmt = -1, c;
	while ((c = next_opt(argc, argv, "f:", o)) != -1)
		fmt = parse_format(optarg);
	argv[optind - 1] = argv[0];
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 2)
		misuse(NULL);
	const char *sub = argv[1];
	if (strcmp(sub, "ls") ? fmt != -1 : argc != 2)
		misuse(strcmp(sub, "ls") ? "--format is for agent ls" : NULL);
	open_desk();
	if (!strcmp(sub, "ls"))
		return agent_ls(fmt);
	if ((strcmp(sub, "add") && strcmp(sub, "set")) || argc < 3)
		misuse(NULL);
	char actor_login[40];
	snprintf(actor_login, sizeof actor_login, "%s", me()->login);
	const char *login = argv[2];
	desk_lock(&D);
	agents_clean_or_die();
	agents_free(&AG);	/* re-read under the lock */
	agents_loaded = 0;
	load_agents();
	int add = !strcmp(sub, "add");
	struct agent *g = agent_find(&AG, login);
	if (add) {
		if (!agent_login_valid(login))
			misuse("login '%s' must be 1-32 of a-z 0-9 . _ -", login);
		if (g)
			die(EX_DATAERR, "agent '%s' exists; use mdesk agent set", login);
		AG.v = xrealloc(AG.v, (AG.n + 1) * sizeof *AG.v);
		g = &AG.v[AG.n++];
		memset(g, 0, sizeof *g);
		g->login = xstrdup(login);
		g->capacity = -1;
		for (int i = 0; agent_fields[i]; i++)	/* no calendar: always on */
			*agent_field(g, i) = xstrdup(!strcmp(agent_fields[i], "name") ? login :
			    !strcmp(agent_fields[i], "status") ? "active" : "");
	} else if (!g)
		die(EX_DATAERR, "agent '%s' is not in agents.csv", login);
	else if (argc < 4)
		misuse(NULL);
	for (int i = 3; i < argc; i++)
		set_field(g, argv[i]);
	if (add && !strchr(g->email, '@'))
		misuse("an agent needs email=ADDRESS");
	struct agent *actor = agent_find(&AG, actor_login);
	char msg[256];
	snprintf(msg, sizeof msg, "agent %s %s\n", login, add ? "added" : "changed");
	for (size_t i = 0; i < AG.n; i++) {	/* a shift calendar must exist */
		const char *cal = AG.v[i].calendar;
		char cp[400];
		size_t cl;
		snprintf(cp, sizeof cp, "calendars/%s.conf", cal);
		char *ct = *cal && !strchr(cal, '/') ? desk_read_file(&D, cp, &cl) : NULL;
		int have = ct != NULL;
		free(ct);
		if (*cal && !have)
			die(EX_DATAERR, "calendar '%s' of %s: no calendars/%s.conf", cal,
			    AG.v[i].login, cal);
	}
	struct agent sys = { 0 };
	char sn[64], se[300];
	if (!actor) {
		desk_system_author(sn, sizeof sn, se, sizeof se);
		sys.name = sn;
		sys.email = se;
		actor = &sys;
	}
	save_agents(&AG, actor, msg);
	desk_unlock(&D);
	return 0;
}

/* --- archive and gc --- */

static int cmd_archive(int argc, char **argv)
{
	const char *older = NULL;
	one_opt(argc, argv, "older-than", required_argument, &older);
	open_desk();
	if (!older)
		older = conf_get(&D.conf, "", "", "archive_after");
	long long age = 30 * 86400;
	if (older && conf_duration(older, &age) != 0)
		misuse("'%s' is not a duration (like 30d)", older);
	desk_lock(&D);
	char **ids = NULL;
	size_t n = 0;
	for (int i = optind; i < argc; i++) {	/* the tickets named */
		struct ticket t;
		const char *id = tid(argv[i]);
		need_ticket(id, &t, NULL, 1);
		if (status_active(t.status))
			die(EX_DATAERR, "%s: is %s; only solved or closed tickets are archived",
			    id, t.status);
		ticket_free(&t);
		ids = xrealloc(ids, (n + 1) * sizeof *ids);
		ids[n++] = xstrdup(id);
	}
	if (optind == argc)	/* else those older than age */
		ids = tickets_to_archive(&D, age, &n);
	char name[64], email[300];
	desk_system_author(name, sizeof name, email, sizeof email);
	if (viewer()) {
		load_agents();
		struct agent *a = agent_find(&AG, viewer());
		if (a) {
			snprintf(name, sizeof name, "%s", a->name);
			snprintf(email, sizeof email, "%s", a->email);
		}
	}
	int moved = desk_archive(&D, ids, n, name, email);
	if (moved > 0)
		tickets_summary_refresh(&D);
	printf("archived %d ticket%s\n", moved, moved == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	desk_unlock(&D);
	return 0;
}

static int cmd_gc(int argc, char **argv)
{
	int full = argc == 2 && !strcmp(argv[1], "--full");
	if (argc > 2 || (argc == 2 && !full))
		misuse(NULL);
	open_desk();
	desk_lock(&D);
	desk_gc(&D, full, 0);
	desk_unlock(&D);
	return 0;
}

/* --- several replicas --- */

static int cmd_sync(int argc, char **argv)
{
	int auto_mode = one_opt(argc, argv, "auto", no_argument, NULL);
	if (argc - optind > 1)
		misuse(NULL);
	open_desk();
	return sync_desk(&D, optind < argc ? argv[optind] : NULL, auto_mode);
}

/* --- maildir --- */

static const char *const views[] = { "all", "unassigned", "at-risk", "mine", "mentions", NULL };
enum { V_ALL, V_UNASSIGNED, V_AT_RISK, V_MINE, V_MENTIONS, V_N };

/* Is one of t's clocks at risk or breached, and still running? */
static int at_risk(const struct sla *s, const struct ticket *t)
{
	struct sla_result r;
	sla_eval(s, t, D.now, NULL, &r, NULL);
	for (int m = 0; m < SLA_NMETRICS; m++)
		if (sla_urgent(&r.m[m]))
			return 1;
	return 0;
}

/* Does a note of t mention login? */
static int mentions(const struct ticket *t, const char *login)
{
	size_t i, k;
	json_t *e, *v;
	json_array_foreach(t->events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		if (!ty || strcmp(ty, "note"))
			continue;
		json_array_foreach(json_object_get(e, "mentions"), k, v)
			if (json_is_string(v) && !strcmp(json_string_value(v), login))
				return 1;
	}
	return 0;
}

/* One view's maildir, DIR/VIEW, brought in line with the desk. */
static void maildir_view(const char *dir, int v, const char *login, const struct sla *sla)
{
	struct filter f = { 0 };
	if (v == V_UNASSIGNED)
		f.unassigned = 1;
	else if (v == V_ALL)
		f.snoozed = 2;	/* every ticket of the queue, snoozed ones too */
	else if (v == V_MINE)
		f.assignee = login;
	char *path = xmalloc(strlen(dir) + 16);
	sprintf(path, "%s/%s", dir, views[v]);
	struct maildir *md = maildir_open(path);
	if (!md)
		die(errno == EWOULDBLOCK ? EX_TEMPFAIL : EX_CANTCREAT, "%s: %s", path, strerror(errno));
	size_t n;
	const struct tsum **list = select_tickets(&f, &n);
	for (size_t i = 0; i < n; i++) {
		struct ticket t;
		int archived;
		if (ticket_load(&D, list[i]->id, &t, &archived, 0) != 0)
			continue;
		int in = v == V_AT_RISK ? at_risk(sla, &t) : v == V_MENTIONS ?
		    mentions(&t, login) || ticket_notice_due(&t, login, D.now) : 1;
		if (in && maildir_ticket(md, &D, &t, archived, D.now) != 0)
			die(EX_CANTCREAT, "%s: %s", path, strerror(errno));
		ticket_free(&t);
	}
	free(list);
	struct maildir_stats st = { 0 };
	if (maildir_close(md, &st) != 0)
		die(EX_CANTCREAT, "%s: %s", path, strerror(errno));
	if (st.written + st.renamed + st.removed)
		printf("%s: %zu written, %zu changed, %zu removed, %zu as they were\n", path,
		    st.written, st.renamed, st.removed, st.kept);
	free(path);
}

static int cmd_maildir(int argc, char **argv)
{
	static const struct option o[] = {
		{ "view", required_argument, NULL, 'v' },
		{ NULL, 0, NULL, 0 }
	};
	int want[V_N] = { 0 }, any = 0, c;
	while ((c = next_opt(argc, argv, "", o)) != -1) {
		int v = word_index(views, optarg);
		if (v < 0)
			misuse("--view: '%.40s' is not mine, unassigned, at-risk, mentions or all",
			    optarg);
		want[v] = any = 1;
	}
	if (argc - optind != 1)
		misuse(NULL);
	const char *dir = argv[optind];
	open_desk();
	if (!any)	/* every view; yours when the acting agent is named */
		for (int v = 0; v < V_N; v++)
			want[v] = v < V_MINE || opt_as || getenv("MDESK_AGENT");
	const char *login = NULL;
	if (want[V_MINE] || want[V_MENTIONS])
		login = me()->login;
	struct sla sla;
	if (want[V_AT_RISK])
		sla_load(&sla, &D, NULL);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		die(EX_CANTCREAT, "%s: %s", dir, strerror(errno));
	for (int v = 0; v < V_N; v++)
		if (want[v])
			maildir_view(dir, v, login, &sla);
	if (want[V_AT_RISK])
		sla_free(&sla);
	return 0;
}

/* --- automate --- */

static int cmd_automate(int argc, char **argv)
{
	struct automate_opts ao = { 0, stdout, NULL, NULL };
	int c;
	const struct option o[] = {
		{ "dry-run", no_argument, &ao.dry_run, 1 },
		{ "explain", no_argument, NULL, 'x' },
		{ "rule", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 }
	};
	while ((c = next_opt(argc, argv, "", o)) != -1)
		if (c == 'r')
			ao.only = optarg;
		else if (c == 'x')
			ao.explain = stdout;
	if (argc != optind)
		misuse(NULL);
	open_desk();
	struct automations a;
	int nf = automate_read(&a, &D, print_fault);
	if (nf) {
		automate_free(&a);
		die(EX_CONFIG, "automations.conf: %d problem%s; nothing was done", nf, nf == 1 ? "" : "s");
	}
	if (ao.only && !automate_find(&a, ao.only)) {
		automate_free(&a);
		misuse("--rule: no [rule %.64s] in automations.conf", ao.only);
	}
	mail_mailers();
	size_t failed = automate_run(&a, &D, &ao);
	automate_free(&a);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EX_IOERR, "write error: %s", strerror(errno));
	return failed ? EX_TEMPFAIL : 0;
}

static int cmd_clone(int argc, char **argv)
{
	int bare = one_opt(argc, argv, "bare", no_argument, NULL);
	if (argc - optind != 2)
		misuse(NULL);
	sync_clone(argv[optind], argv[optind + 1], bare);
	desk_open(&D, argv[optind + 1]);	/* its state under .git/mdesk or DIR/mdesk */
	printf("cloned %s into %s\n", argv[optind], D.root);
	printf("next: 'mdesk sync' fetches, merges and pushes (see mdesk(1), SYNC)\n");
	return 0;
}

static int cmd_help(int argc, char **argv);

static const struct command cmds[] = {
	{ "init", cmd_init, "init [--bare] [DIR]", "create a desk with example files" },
	{ "check", cmd_check, "check [--repair [REMOTE]]",
	    "validate the desk's files and history" },
	{ "ls", cmd_ls, "ls [--status S] [--assignee A | --mine | --unassigned] [--queue Q] "
	    "[--tag T] [--priority P] [--lang L] [--customer C] [--collisions] [--mentions] [--snoozed] [--all] "
	    "[--sort priority|due|updated|created] [-f table|json|csv]",
	    "list tickets (open ones by default)" },
	{ "search", cmd_search, "search [--status S] [--assignee A | --mine | --unassigned] "
	    "[--queue Q] [--tag T] [--since DATE] [--until DATE] [--all] [--fts] "
	    "[--limit N] [-f table|json|csv] QUERY...", "tickets whose text has the words of QUERY" },
	{ "show", cmd_show, "show ID [--mbox | --json | --part N | --attachments DIR]",
	    "a ticket: state, customer, events, conversation" },
	{ "assign", cmd_assign, "assign ID AGENT", "give a ticket to an agent" },
	{ "unassign", cmd_unassign, "unassign ID", "take a ticket back to the queue" },
	{ "claim", cmd_claim, "claim ID [--for DURATION] [--force]",
	    "say that you are answering a ticket" },
	{ "release", cmd_release, "release ID [--force]", "end a claim" },
	{ "note", cmd_note, "note ID TEXT... | note ID -", "an internal note (@login mentions)" },
	{ "seen", cmd_seen, "seen ID", "mark the ticket's mentions of you read" },
	{ "snooze", cmd_snooze, "snooze ID WHEN", "take a ticket out of the queue until WHEN" },
	{ "unsnooze", cmd_snooze, "unsnooze ID", "bring a snoozed ticket back now" },
	{ "remind", cmd_remind, "remind ID WHEN TEXT... | remind ID WHEN -",
	    "a private reminder to you at WHEN" },
	{ "notify", cmd_notify, "notify [--dry-run]",
	    "mail the wakes and reminders that are due (from cron)" },
	{ "tag", cmd_tag, "tag ID TAG...", "add tags" },
	{ "untag", cmd_tag, "untag ID TAG...", "remove tags" },
	{ "priority", cmd_priority, "priority ID low|normal|high|urgent", "set the priority" },
	{ "status", cmd_status, "status ID new|open|pending|on-hold|solved|closed [--force]",
	    "set the status" },
	{ "merge", cmd_merge, "merge FROM INTO", "move FROM's conversation into INTO" },
	{ "log", cmd_log, "log [-n MAX] [-f table|json|csv] [ID]", "the desk's history" },
	{ "customer", cmd_customer, "customer [-f table|json|csv] EMAIL",
	    "a customer's record and tickets" },
	{ "agent", cmd_agent, "agent ls [-f table|json|csv] | agent add LOGIN FIELD=VALUE... | "
	    "agent set LOGIN FIELD=VALUE...", "manage agents.csv" },
	{ "archive", cmd_archive, "archive [--older-than DURATION] [ID...]",
	    "move old solved and closed tickets to the archive" },
	{ "gc", cmd_gc, "gc [--full]", "pack the repository" },
	{ "sync", cmd_sync, "sync [--auto] [REMOTE]",
	    "fetch, merge and push (origin by default)" },
	{ "clone", cmd_clone, "clone [--bare] URL DIR", "a new replica of a desk" },
	{ "maildir", cmd_maildir, "maildir DIR [--view mine|unassigned|at-risk|mentions|all]...",
	    "the tickets of each view as a maildir, for mail clients" },
	{ "automate", cmd_automate, "automate [--dry-run] [--explain] [--rule NAME]",
	    "run the rules of automations.conf (from cron)" },
	{ "help", cmd_help, "help [COMMAND]", "the commands, or one command's usage" },
};

static const struct command *find_cmd(const char *name)
{
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

_Noreturn static void usage(FILE *f, int code)
{
	fprintf(f, "usage: mdesk [--desk DIR] [--as AGENT] [--now TIME] COMMAND [ARGS]\n"
	    "  (the options before or after the command)\ncommands:\n");
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].what);
	fprintf(f, "mdesk help COMMAND or mdesk COMMAND --help: its usage; see mdesk(1)\n");
	exit(code);
}

_Noreturn static void command_help(const struct command *c)
{
	printf("usage: mdesk [--desk DIR] [--as AGENT] [--now TIME] %s\n  %s\nsee mdesk(1)\n",
	    c->use, c->what);
	exit(0);
}

static int cmd_help(int argc, char **argv)
{
	argv = no_options(&argc, argv, "", 1, 2);
	if (argc == 1)
		usage(stdout, 0);
	const struct command *c = find_cmd(argv[1]);
	if (!c) {
		cur = NULL;
		misuse("no such command (mdesk help lists them)");
	}
	command_help(c);
	return 0;
}

/* --desk, --as, --now (and -d DIR), anywhere before "--": 1 when argv[*i]
 * is one (*i then at its value), 0 when not. */
static int global_opt(int argc, char **argv, int *i)
{
	static const struct option g[] = {
		{ "desk", required_argument, NULL, 'd' },
		{ "as", required_argument, NULL, 'a' },
		{ "now", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	const char *t = argv[*i], *v;
	const struct option *o = opt_exact(t, g);
	int c;
	if (o)
		c = o->val;
	else if (t[0] == '-' && t[1] == 'd')
		c = 'd';
	else
		return 0;
	if (o && strchr(t, '='))
		v = strchr(t, '=') + 1;
	else if (!o && t[2])
		v = t + 2;
	else if (*i + 1 < argc)
		v = argv[++*i];
	else
		misuse("option '%.60s' needs a value", t);
	*(c == 'd' ? &opt_desk : c == 'a' ? &opt_as : &opt_now) = v;
	return 1;
}

int main(int argc, char **argv)
{
	progname = "mdesk";
	setenv("TZ", "UTC", 1);
	tzset();
	/* the global options out, wherever they are; the command and its own
	 * arguments left in order */
	char **rest = xmalloc(((size_t)argc + 1) * sizeof *rest);
	int nr = 0, ended = 0, operands = 0;
	for (int i = 1; i < argc; i++) {
		char *t = argv[i];
		if (!ended && !strcmp(t, "--")) {
			ended = 1;
			if (cur)
				rest[nr++] = t;
			continue;
		}
		if (!ended && global_opt(argc, argv, &i))
			continue;
		if (!ended && (!strcmp(t, "--help") || !strcmp(t, "-h"))) {
			if (cur)
				command_help(cur);
			usage(stdout, 0);
		}
		if (!ended && !cur && !strcmp(t, "--version")) {
			printf("mdesk %s\n", MDESK_VERSION);
			free(rest);
			return 0;
		}
		if (!cur) {
			if (t[0] == '-' || !(cur = find_cmd(t)))
				misuse(t[0] == '-' ? "unrecognized option '%.60s'" :
				    "unknown command '%.60s'", t);
		} else if (t[0] != '-' && !strcmp(cur->name, "note") && ++operands == 1)
			ended = 1;	/* after its ID, a note's text: every word its own */
		rest[nr++] = t;
	}
	rest[nr] = NULL;
	if (!cur)
		misuse(NULL);
	mdesk_now(opt_now);	/* a bad --now fails before anything else */
	optind = 0;	/* glibc: start over, permuting operands */
	int rc = cur->fn(nr, rest);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EX_IOERR, "write error: %s", strerror(errno));
	if (agents_loaded)
		agents_free(&AG);
	if (D.root) {
		tickets_summary_save(&D);	/* what its commits changed */
		desk_close(&D);
	}
	git_libgit2_shutdown();
	free(rest);
	return rc;
}
