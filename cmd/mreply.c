/* mreply: answers from templates, acknowledgements, no collisions.
 *
 * Renders a template as a reply to a customer message (stdin, or the last
 * customer message of --ticket), writes one RFC 5322 message to stdout or
 * sends it through the desk's Mailutils mailer (--send), and records it
 * in the desk as one commit: the stored message, a "replied" event, the
 * template's status, tag and priority changes, and the agent's claim.
 * --ack sends the acknowledgement of a new ticket under RFC 3834 rules.
 * See mreply(1). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mailutils/mailutils.h>

#include "opt.h"
#include "ticketid.h"
#include "sync.h"
#include "agents.h"
#include "desk.h"
#include "event.h"
#include "compose.h"
#include "index.h"
#include "jsonw.h"
#include "mime.h"
#include "msg.h"
#include "outbox.h"
#include "outmsg.h"
#include "sla.h"
#include "subject.h"
#include "template.h"
#include "ticketid.h"
#include "tickets.h"
#include "util.h"

static struct desk D;
static const char *opt_desk, *opt_now, *opt_as, *opt_template, *opt_ticket, *opt_mailer,
    *opt_text;
static int opt_quote, opt_send, opt_record, opt_ack, opt_force, opt_dry, opt_quiet;
static struct agents AG;
static struct customers CU;
static struct addrs opt_to, opt_cc, opt_bcc;	/* --to, --cc, --bcc */
static char **opt_attach;	/* --attach */
static size_t nattach;
static int opt_no_cc, opt_forward, opt_message, opt_edit, opt_resume;

/* A message's claim about where answers go, shown (never followed). */
static void show_claim(void *ctx, const char *field, const char *addr)
{
	fprintf(stderr, "%s: %s: the message names %s as its %s, not the customer's address; "
	    "the reply goes to the customer (use --to to answer %s)\n", progname,
	    (const char *)ctx, addr, field, addr);
}

static const char usage_line[] = "usage: mreply [-t TEMPLATE] [--text FILE] [--ticket ID] "
    "[--quote] [--send | --record] [--as AGENT] [--force] [--desk DIR] [--now TIME] < message";

_Noreturn static void usage(FILE *f, int code)
{
	fprintf(f, "%s\n"
	    "       mreply --ack [--ticket ID] [--send | --record] < message\n"
	    "       mreply --check | --list\n"
	    "see mreply(1)\n", usage_line);
	exit(code);
}

/* an option misspelled, unknown or without its value (said on stderr) */
static _Noreturn void bad_option(void)
{
	opt_misuse(usage_line, NULL);
}

/* --- the desk's people --- */

static void load_people(void)
{
	size_t len;
	agents_read(&AG, &D);
	char *t = desk_read_file(&D, "customers.csv", &len);
	if (t && customers_parse(&CU, t, len, NULL))
		die(EX_CONFIG, "customers.csv has errors; run 'mdesk check'");
	free(t);
}

/* The acting agent: --as, $MDESK_AGENT, then git's user.email or
 * user.name matched against agents.csv (as mdesk does). */
static struct agent *me(void)
{
	return agent_acting(&AG, &D, opt_as, "answering");
}

static char *read_all(int fd, size_t *len)
{
	struct buf b = { 0 };
	char tmp[65536];
	ssize_t k;
	while ((k = read(fd, tmp, sizeof tmp)) > 0) {
		buf_add(&b, tmp, (size_t)k);
		if (b.len > conf_message_max(&D.conf))
			die(EX_DATAERR, "<stdin>: a message of more than message_max (desk.conf)");
	}
	if (k < 0)
		die(EX_IOERR, "<stdin>: %s", strerror(errno));
	*len = b.len;
	return b.p ? b.p : xstrdup("");
}

static long long ev_at(json_t *e)
{
	long long t = 0;
	const char *a = json_string_value(json_object_get(e, "at"));
	if (a)
		parse_rfc3339(a, &t);
	return t;
}

/* --- templates: --check and --list --- */

static int is_template(const char *name)
{
	size_t l = strlen(name);
	return l >= 5 && !strcmp(name + l - 4, ".txt") && name[0] != '.';
}

/* Order of template files: by name without ".txt" (ack before ack.pt). */
static int stem_cmp(const void *x, const void *y)
{
	const char *a = *(char *const *)x, *b = *(char *const *)y;
	size_t la = strlen(a) - 4, lb = strlen(b) - 4, n = la < lb ? la : lb;
	int c = memcmp(a, b, n);
	return c ? c : la < lb ? -1 : la > lb;
}

/* The files templates/ *.txt, in order (desk_list_free them). */
static char **template_files(size_t *n)
{
	size_t all, k = 0;
	char **v = desk_list(&D, "templates", &all);
	for (size_t i = 0; i < all; i++)
		if (is_template(v[i]))
			v[k++] = v[i];
		else
			free(v[i]);
	*n = k;
	if (k > 1)
		qsort(v, k, sizeof *v, stem_cmp);
	return v;
}

/* A placeholder that some policy leaves empty, without a default: a
 * hole in the mail (rendering drops its sentence); a fault for --check. */
struct empty_check {
	const struct sla *sla;
	const char *file;
	int *faults;
};

static void empty_check(void *ctx, const char *name, int has_default, int line)
{
	struct empty_check *c = ctx;
	if (has_default || !tpl_may_be_empty(name))
		return;
	char metric[64];
	snprintf(metric, sizeof metric, "%.*s", (int)(strlen(name) - 8), name + 4);
	int m = sla_metric_find(metric);
	for (size_t i = 0; m >= 0 && i < c->sla->npol; i++)
		if (!c->sla->pol[i].target[m]) {
			char msg[400];
			snprintf(msg, sizeof msg, "{{%s}} is empty under policy %s of sla.conf (no %s "
			    "target) and its sentence would go: give it a default "
			    "({{%s|...}}) or the policy a target", name, c->sla->pol[i].name, metric, name);
			tpl_report_stderr(c->faults, c->file, line, msg);
			return;
		}
}

static void no_report(const char *file, int line, const char *msg)
{
	(void)file, (void)line, (void)msg;
}

/* templates/FILE parsed into tp (faults to report): 0, or -1 when it
 * cannot be read. */
static int load_template(const char *file, struct template *tp, tpl_report rep, void *ctx)
{
	char path[600];
	size_t len;
	snprintf(path, sizeof path, "templates/%s", file);
	char *t = desk_read_file(&D, path, &len);
	if (t)
		tpl_parse(tp, path, t, len, rep, ctx);
	free(t);
	return t ? 0 : -1;
}

static int cmd_check(void)
{
	size_t n;
	char **de = template_files(&n);
	int faults = 0;
	struct sla sla;
	int have_sla = sla_read(&sla, &D, NULL, no_report) == 0;	/* its faults: mdesk check's */
	for (size_t i = 0; i < n; i++) {
		struct template tp;
		if (load_template(de[i], &tp, tpl_report_stderr, &faults) == 0) {
			struct empty_check ec = { &sla, tp.file, &faults };
			if (have_sla)
				tpl_each(tp.body, tp.body_line, empty_check, &ec);
			tpl_free(&tp);
		}
	}
	sla_free(&sla);
	/* the languages of desk.conf: every template in each of them */
	const char *langs = conf_or(&D.conf, "", "", "languages", NULL);
	int line = conf_line(&D.conf, "", "", "languages");
	const char *deflang = conf_or(&D.conf, "", "", "language", "en");
	for (size_t i = 0; langs && i < n; i++) {
		const char *f = de[i];
		if (strchr(f, '.') != strrchr(f, '.'))
			continue;	/* a variant itself */
		char base[300];
		snprintf(base, sizeof base, "%.*s", (int)(strlen(f) - 4), f);
		char *ls = xstrdup(langs);
		for (char *l = strtok(ls, " \t,;"); l; l = strtok(NULL, " \t,;")) {
			if (!strcmp(l, deflang))
				continue;
			char got[600], m[700];
			if (tpl_pick(de, n, base, l, got, sizeof got) != 0 ||
			    !strcmp(got + 10 + strlen(base), ".txt")) {
				snprintf(m, sizeof m, "templates/%s has no %s variant (templates/%s.%s.txt); "
				    "languages names %s", f, l, base, l, l);
				tpl_report_stderr(&faults, "desk.conf", line, m);
			}
		}
		free(ls);
	}
	desk_list_free(de, n);
	if (faults)
		return EX_CONFIG;
	if (!opt_quiet)
		printf("%zu templates, no faults\n", n);
	return 0;
}

static int cmd_list(void)
{
	size_t n;
	char **de = template_files(&n);
	for (size_t i = 0; i < n; i++) {
		struct template tp;
		char *cl = NULL;	/* the first line of its body */
		if (load_template(de[i], &tp, NULL, NULL) == 0) {
			const char *p = tp.body + strspn(tp.body, "\n");
			cl = xstrndup(p, strcspn(p, "\n"));
			tpl_free(&tp);
		}
		printf("%-28.*s %s\n", (int)(strlen(de[i]) - 4), de[i], cl ? cl : "");
		free(cl);
	}
	desk_list_free(de, n);
	return 0;
}

/* --- the reply --- */

/* The acknowledgements recorded since a time: to one address, and in all. */
struct ack_count {
	const char *addr;
	long long addr_since, all_since;
	long to_addr, all;
};

/* Is event e an acknowledgement (an automatic reply; an automation's
 * mail is none)? */
static int is_ack(json_t *e)
{
	const char *ty = json_string_value(json_object_get(e, "type"));
	return ty && !strcmp(ty, "replied") && json_is_true(json_object_get(e, "auto")) &&
	    !json_object_get(e, "rule");
}

static void count_acks(struct ack_count *c, const struct ticket *t)
{
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *to = json_string_value(json_object_get(e, "to"));
		if (!is_ack(e))
			continue;
		long long at = ev_at(e);
		c->all += at >= c->all_since;
		c->to_addr += to && !strcasecmp(to, c->addr) && at >= c->addr_since;
	}
}

/* [ack] KEY = COUNT/DURATION into *count and *win (dflt when unset). */
static const char *ack_limit(const char *key, const char *dflt, long *count, long long *win)
{
	const char *v = conf_or(&D.conf, "ack", "", key, dflt);
	if (conf_rate(v, count, win) != 0)
		die(EX_CONFIG, "desk.conf:%d: [ack] %s: '%s' is not like %s",
		    conf_line(&D.conf, "ack", "", key), key, v, dflt);
	return v;
}

/* The limits on acknowledgements: [ack] rate to one address (default
 * 3/1d) and [ack] ceiling for the whole desk (default 100/1h), counted
 * over every acknowledgement recorded on the main branch, whatever its
 * ticket.  Why none may go to addr now, or NULL. */
static const char *ack_over_limit(const char *addr)
{
	long rate, ceiling;
	long long rate_win = 86400, ceiling_win = 3600;
	const char *rv = ack_limit("rate", "3/1d", &rate, &rate_win);
	const char *cv = ack_limit("ceiling", "100/1h", &ceiling, &ceiling_win);
	struct ack_count c = { addr, D.now - rate_win, D.now - ceiling_win, 0, 0 };
	long long since = c.addr_since < c.all_since ? c.addr_since : c.all_since;
	size_t n;
	const struct tsum *ts = tickets_states(&D, &n);
	for (size_t k = 0; k < n; k++) {
		struct ticket tk;
		if (ts[k].updated >= since && ticket_load(&D, ts[k].id, &tk, NULL, 1) == 0) {
			count_acks(&c, &tk);
			ticket_free(&tk);
		}
	}
	static char why[240];
	if (c.to_addr >= rate)
		snprintf(why, sizeof why, "%ld acknowledgements to %s within %s already ([ack] rate = %s)",
		    c.to_addr, addr, strchr(rv, '/') + 1, rv);
	else if (c.all >= ceiling)
		snprintf(why, sizeof why, "%ld acknowledgements from the desk within %s already "
		    "([ack] ceiling = %s)", c.all, strchr(cv, '/') + 1, cv);
	else
		return NULL;
	return why;
}

/* Why no acknowledgement may go to this message; NULL when one may. */
static const char *no_ack(const struct ticket *t, json_t *rev, struct source *s,
    const char *to)
{
	int on = 1;
	const char *en = conf_or(&D.conf, "ack", "", "enabled", "yes");
	if (conf_bool(en, &on) != 0)
		die(EX_CONFIG, "desk.conf:%d: [ack] enabled: '%s' is not yes or no",
		    conf_line(&D.conf, "ack", "", "enabled"), en);
	if (!on)
		return "acknowledgements are off ([ack] enabled = no)";
	if ((rev && json_is_true(json_object_get(rev, "auto"))) || ticket_has_tag(t, "auto") ||
	    msg_is_automatic(&s->m, s->from))
		return "automatic mail (RFC 3834)";
	if (ticket_has_tag(t, "noack"))
		return "the ticket is tagged noack";
	if (ticket_has_tag(t, "spam"))
		return "the ticket is tagged spam";
	if (desk_own_address(&D, &AG, to))
		return "the sender is one of the desk's own addresses";
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e)
		if (is_ack(e))
			return "the ticket was acknowledged already";
	return ack_over_limit(to);
}

/* Refuse to answer over someone else: a live claim by another agent, or
 * a reply by someone else since the message arrived. */
static int collision(const struct ticket *t, const struct agent *a, long long since)
{
	char b[32];
	if (ticket_claimed(t, a->login, D.now)) {
		fprintf(stderr, "%s: %s: claimed by %s until %s; use --force to answer anyway\n",
		    progname, t->id, t->claim_by, t->claim_until ? fmt_rfc3339(t->claim_until, b) : "released");
		return 1;
	}
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		const char *by = json_string_value(json_object_get(e, "agent"));
		if (!by)
			by = json_string_value(json_object_get(e, "by"));
		if (ty && !strcmp(ty, "replied") && !json_is_true(json_object_get(e, "auto")) &&
		    by && strcmp(by, a->login) && ev_at(e) >= since) {
			fprintf(stderr, "%s: %s: answered by %s at %s, after the message being "
			    "answered arrived; use --force to answer anyway\n", progname, t->id, by,
			    json_string_value(json_object_get(e, "at")));
			return 1;
		}
	}
	return 0;
}

static int write_out(const char *raw, size_t len)
{
	return fwrite(raw, 1, len, stdout) != len || fflush(stdout) != 0 ? -1 : 0;
}

/* Out it goes: written (a preview: nothing recorded), written and
 * recorded (--record), or sent and then recorded (--send).  The lock is
 * held on entry; a send hands the message to the mailer without it. */
static int deliver(const char *id, json_t *rec, const char *raw, size_t len)
{
	if (!rec) {
		int bad = write_out(raw, len);
		desk_unlock(&D);
		if (bad)
			die(EX_IOERR, "write error: %s", strerror(errno));
		return 0;
	}
	if (!opt_send) {
		struct outbox_entry *e = outbox_put(&D, rec, raw, len);
		json_decref(rec);
		signal(SIGPIPE, SIG_IGN);	/* a reader gone: EPIPE, nothing recorded */
		if (write_out(raw, len) != 0) {
			int er = errno;
			outbox_drop(e);
			die(EX_IOERR, "write error: %s; nothing recorded", strerror(er));
		}
		outbox_sent(e);
		outbox_finish(&D);
		tickets_upkeep(&D);
		desk_unlock(&D);
		return 0;
	}
	char err[300];
	int bad = outbox_send(&D, rec, raw, len, opt_mailer ? opt_mailer :
	    conf_or(&D.conf, "mail", "", "mailer", "sendmail:///usr/sbin/sendmail"), err, sizeof err);
	json_decref(rec);
	if (bad)
		die(EX_TEMPFAIL, "%s: not sent, nothing recorded: %s", id, err);
	if (desk_lock_try(&D) != 0) {	/* it is in the outbox: the next writer records it */
		warnx_("%s: sent; the desk is busy, its next writer records the reply", id);
		return 0;
	}
	tickets_upkeep(&D);
	desk_unlock(&D);
	return 0;
}

/* The message answered: from the standard input (read before the lock)
 * or the last customer message of --ticket; its ticket loaded into t. */
static void answered(struct source *s, char *in, size_t inlen, char id[16], struct ticket *t,
    int *archived)
{
	json_t *rev;
	if (opt_ticket) {
		if (ticketid_norm(opt_ticket, id) != 0)	/* either case */
			snprintf(id, 16, "%s", opt_ticket);
		ticket_follow_merges(&D, id, NULL, NULL);
		if (ticket_load(&D, id, t, archived, 1) != 0)
			die(EX_DATAERR, "%s: no such ticket", opt_ticket);
		rev = source_event(t, NULL);
		if (source_last(&D, t, *archived, s) != 0)
			die(EX_DATAERR, "%s: no customer message to answer", id);
	} else {
		if (source_open(s, in, inlen) != 0)
			die(EX_DATAERR, "<stdin>: not a mail message");
		if (!index_lookup(&D, s->mid, id))
			die(EX_DATAERR, "<stdin>: message <%s> is not in the desk (file it with mroute first)",
			    s->mid);
		ticket_follow_merges(&D, id, NULL, NULL);
		if (ticket_load(&D, id, t, archived, 1) != 0)
			die(EX_DATAERR, "<stdin>: message <%s>: ticket %s is gone", s->mid, id);
		rev = source_event(t, s->mid);
		if (rev && json_is_true(json_object_get(rev, "internal"))) {
			if (!opt_to.n)
				die(EX_DATAERR, "<stdin>: message <%s> is a third party's answer to a "
				    "forward of %s, for agents only: answer it with --to, never to the "
				    "customer", s->mid, id);
			opt_no_cc = 1;	/* the customer's people never see it */
		}
	}
	s->at = rev ? ev_at(rev) : t->created;
}

/* Why this reply must not go (said on stderr): 1, or 0 when it may. */
static int refused(struct reply *r)
{
	const struct ticket *t = r->t;
	if (opt_ack) {
		const char *why = no_ack(t, source_event(t, r->s->mid), r->s, r->to);
		if (why && !opt_quiet)
			fprintf(stderr, "%s: %s: no acknowledgement: %s\n", progname, t->id, why);
		return why != NULL;
	}
	sync_notice(&D, (struct ticket *)t, r->agent->login);
	if (desk_own_address(&D, &AG, r->to) && !opt_force)
		die(EX_DATAERR, "%s: %s is one of the desk's own addresses; use --force to answer it",
		    t->id, r->to);
	return !opt_force && collision(t, r->agent, r->s->at);
}

/* The agent's own words: --text FILE, or - for the standard input. */
static char *read_words(void)
{
	int fd = strcmp(opt_text, "-") ? open(opt_text, O_RDONLY | O_CLOEXEC) : 0;
	if (fd < 0)
		die(EX_NOINPUT, "%s: %s", opt_text, strerror(errno));
	size_t len;
	char *w = read_all(fd, &len);
	if (fd)
		close(fd);
	if (!utf8_valid(w, len) || memchr(w, 0, len))
		die(EX_DATAERR, "%s: not UTF-8 text", opt_text);
	while (len && w[len - 1] == '\n')
		w[--len] = 0;
	return w;
}

/* --- drafts (--edit, --resume) --- */

static int drafting;		/* reply() makes the draft only */
static char *draft;		/* the draft made */
static char *edited;		/* the draft as the agent left it */
static char draft_path[4200];

/* .git/mdesk/drafts/AGENT/TICKET.txt: the agent's own, never committed. */
static void draft_file(const struct agent *a, const char *ticket)
{
	if (!ticketid_valid(ticket) || strspn(a->login, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != strlen(a->login) || a->login[0] == '.')
		die(EX_DATAERR, "%s: no draft for this ticket and agent", ticket);
	snprintf(draft_path, sizeof draft_path, "%s/drafts", D.state);
	mkdir(draft_path, 0700);
	snprintf(draft_path, sizeof draft_path, "%s/drafts/%s", D.state, a->login);
	mkdir(draft_path, 0700);
	snprintf(draft_path, sizeof draft_path, "%s/drafts/%s/%s.txt", D.state, a->login, ticket);
}

/* The draft written whole, private to its agent (a new file renamed). */
static int write_draft(const char *text)
{
	char tmp[4300];
	snprintf(tmp, sizeof tmp, "%s.new", draft_path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0 || close(fd) != 0 ||
	    rename(tmp, draft_path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* $VISUAL, else $EDITOR, else vi, on the draft; 0 when it exits 0. */
static int run_editor(void)
{
	const char *ed = getenv("VISUAL");
	if (!ed || !*ed)
		ed = getenv("EDITOR");
	setenv("MREPLY_EDITOR", ed && *ed ? ed : "vi", 1);
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* the editor word by word as the shell splits it, the file one word */
		execl("/bin/sh", "sh", "-c", "exec $MREPLY_EDITOR \"$1\"", "sh", draft_path, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* The reply (or with --forward the conversation to a third party,
 * recorded as internal), made, checked and delivered. */
static int reply(void)
{
	struct agent *a = opt_ack ? NULL : me();
	struct source s;
	memset(&s, 0, sizeof s);
	/* what comes from outside is read before the desk is locked: a slow
	 * or idle standard input (a terminal) never holds up its writers */
	char *words = opt_text ? read_words() : NULL, *in = NULL;
	size_t inlen = 0;
	if (!opt_ticket) {
		if (isatty(0))
			warnx_("reading the message to answer from the terminal (see --ticket)");
		in = read_all(0, &inlen);
	}
	desk_lock(&D);
	index_sync(&D);
	char id[16] = "";
	struct ticket t;
	int archived = 0;
	answered(&s, in, inlen, id, &t, &archived);
	struct reply r = { .d = &D, .ag = &AG, .cu = &CU, .t = &t, .archived = archived,
		.s = &s, .agent = a, .ack = opt_ack, .words = words, .quote = opt_quote,
		.forward = opt_forward };
	r.tname = opt_forward ? "forward" : opt_ack ? conf_or(&D.conf, "ack", "", "template", "ack") :
	    opt_template ? opt_template : "answer";
	reply_address(&r, &opt_to, &opt_cc, &opt_bcc, opt_no_cc || opt_forward,
	    opt_quiet || opt_forward ? NULL : show_claim, id);
	int rc = !opt_forward && refused(&r) ? !opt_ack : -1;
	if (opt_forward)
		forward_render(&r, opt_message);
	else if (rc < 0) {
		reply_render(&r);
		if (drafting) {	/* --edit: the draft only */
			draft = reply_draft(&r, opt_template != NULL);
			rc = 0;
		} else if (edited) {
			r.edited = opt_template ? 1 : 2;
			char err[300];
			int k = reply_from_draft(&r, edited, err, sizeof err);
			if (k > 0)	/* the agent's way to abort: the draft goes */
				unlink(draft_path);
			if (k)
				die(EX_DATAERR, "%s: %s%s", draft_path, err, k > 0 ?
				    ": nothing sent, nothing recorded" : "; fix it with --resume");
		}
	}
	if (rc < 0) {
		reply_message(&r, (const char *const *)opt_attach, nattach);
		json_t *prev = opt_ack || opt_force || opt_forward ? NULL : reply_sent_before(&r);
		if (prev) {
			fprintf(stderr, "%s: %s: this answer went to %s at %s already; use --force "
			    "to send it again\n", progname, id,
			    json_string_value(json_object_get(prev, "to")),
			    json_string_value(json_object_get(prev, "at")));
			rc = 1;
		}
	}
	if (rc >= 0)
		desk_unlock(&D);
	else	/* the record: the events, the commit's author and message */
		rc = deliver(id, !opt_send && !opt_record ? NULL : opt_forward ? forward_record(&r) :
		    reply_record(&r, opt_force), r.msg.p, r.msg.len);
	reply_free(&r);
	ticket_free(&t);
	source_free(&s);
	free(words);
	return rc;
}

/* --edit: the draft made (or --resume: kept), the agent's editor, then
 * the reply from what the agent left; the draft goes once it is out. */
static int edit_reply(void)
{
	struct agent *a = me();
	draft_file(a, opt_ticket);
	if (!opt_resume) {
		drafting = 1;
		int rc = reply();
		drafting = 0;
		if (rc || !draft)
			return rc;
		if (write_draft(draft) != 0)
			die(EX_CANTCREAT, "%s: %s", draft_path, strerror(errno));
		free(draft);
	} else if (access(draft_path, F_OK) != 0)
		die(EX_NOINPUT, "%s: no draft of %s by %s to resume", draft_path, opt_ticket, a->login);
	if (run_editor() != 0)
		die(EX_UNAVAILABLE, "the editor failed: nothing sent, nothing recorded; the draft "
		    "is kept (mreply --ticket %s --resume)", opt_ticket);
	int fd = open(draft_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t len;
	if (fd < 0 || !(edited = read_all(fd, &len)))
		die(EX_NOINPUT, "%s: %s", draft_path, strerror(errno));
	close(fd);
	if (memchr(edited, 0, len))
		die(EX_DATAERR, "%s: not text", draft_path);
	int rc = reply();
	if (rc == 0)
		unlink(draft_path);
	free(edited);
	return rc;
}

static void addr_opt(const char *opt, struct addrs *l, const char *v)
{
	if (addrs_parse(l, v) != 0)
		die(EX_USAGE, "%s: '%s' is not a list of addresses", opt, v);
}

/* Options that go together, and the editor by default at a terminal. */
static void options_agree(int check, int list)
{
	if (opt_ack && (opt_template || opt_quote || opt_as || opt_force || opt_text))
		die(EX_USAGE, "--ack takes the [ack] template of desk.conf; no -t, --text, --quote, --as or --force");
	if (opt_ack && (opt_to.n || opt_cc.n || opt_bcc.n || opt_no_cc))
		die(EX_USAGE, "--ack goes to the customer alone; no --to, --cc, --bcc or --no-cc");
	if (opt_forward && (!opt_ticket || !opt_to.n || opt_ack || opt_template || opt_quote ||
	    opt_no_cc))
		die(EX_USAGE, "--forward needs --ticket and --to; no --ack, -t, --quote or --no-cc");
	/* an agent at a terminal with nothing written yet: the editor */
	if (!opt_edit && opt_ticket && !opt_text && !opt_template && !opt_ack && !opt_forward &&
	    !check && !list && isatty(0) && isatty(2))
		opt_edit = 1;
	if (opt_edit && (!opt_ticket || opt_ack || opt_forward))
		die(EX_USAGE, "--edit and --resume answer a --ticket; no --ack or --forward");
	if (opt_message && !opt_forward)
		die(EX_USAGE, "--message goes with --forward");
	if (opt_text && !strcmp(opt_text, "-") && !opt_ticket)
		die(EX_USAGE, "--text - reads the words from the standard input: give --ticket");
	if (opt_send + opt_record + opt_dry > 1)
		die(EX_USAGE, "one of --send, --record and --dry-run");
	if (check + list > 1 || ((check || list) && (opt_ack || opt_template || opt_ticket)))
		opt_misuse(usage_line, "--check and --list go alone");
}

int main(int argc, char **argv)
{
	static int check, list;
	static const struct option opts[] = {	/* a flag's option sets it */
		{ "template", required_argument, NULL, 't' },
		{ "ticket", required_argument, NULL, 'T' },
		{ "quote", no_argument, NULL, 'q' },
		{ "send", no_argument, NULL, 's' },
		{ "record", no_argument, &opt_record, 1 },
		{ "to", required_argument, NULL, 'o' },
		{ "cc", required_argument, NULL, 'c' },
		{ "bcc", required_argument, NULL, 'b' },
		{ "no-cc", no_argument, &opt_no_cc, 1 },
		{ "attach", required_argument, NULL, 'F' },
		{ "forward", no_argument, &opt_forward, 1 },
		{ "edit", no_argument, &opt_edit, 1 },
		{ "resume", no_argument, NULL, 'r' },
		{ "message", required_argument, NULL, 'm' },
		{ "as", required_argument, NULL, 'a' },
		{ "ack", no_argument, &opt_ack, 1 },
		{ "force", no_argument, NULL, 'f' },
		{ "check", no_argument, &check, 1 },
		{ "list", no_argument, &list, 1 },
		{ "mailer", required_argument, NULL, 'M' },
		{ "text", required_argument, NULL, 'x' },
		{ "desk", required_argument, NULL, 'd' },
		{ "now", required_argument, NULL, 'n' },
		{ "dry-run", no_argument, &opt_dry, 1 },
		{ "quiet", no_argument, &opt_quiet, 1 },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	progname = "mreply";
	setenv("TZ", "UTC", 1);
	tzset();
	while ((c = opt_get(argc, argv, "ht:d:qsf", opts, bad_option)) != -1) {
		switch (c) {
		case 't': opt_template = optarg; break;
		case 'T': opt_ticket = optarg; break;
		case 'q': opt_quote = 1; break;
		case 's': opt_send = 1; break;
		case 'o': addr_opt("--to", &opt_to, optarg); break;
		case 'c': addr_opt("--cc", &opt_cc, optarg); break;
		case 'b': addr_opt("--bcc", &opt_bcc, optarg); break;
		case 'r': opt_resume = opt_edit = 1; break;
		case 'm': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 9999)
				die(EX_USAGE, "--message: '%s' is not a message number (0001.eml is 1)", optarg);
			opt_message = (int)v;
			break;
		}
		case 'F':
			opt_attach = xrealloc(opt_attach, (nattach + 1) * sizeof *opt_attach);
			opt_attach[nattach++] = optarg;
			break;
		case 'a': opt_as = optarg; break;
		case 'f': opt_force = 1; break;
		case 'M': opt_mailer = optarg; break;
		case 'x': opt_text = optarg; break;
		case 'd': opt_desk = optarg; break;
		case 'n': opt_now = optarg; break;
		case 'h': usage(stdout, 0); break;
		case 'V': printf("mreply (mdesk) %s\n", MDESK_VERSION); return 0;
		}
	}
	if (optind != argc)
		opt_misuse(usage_line, "'%.60s': the message comes on the standard input", argv[optind]);
	options_agree(check, list);
	long long now = mdesk_now(opt_now);
	desk_open(&D, opt_desk);
	D.now = now;
	int rc;
	if (check)
		rc = cmd_check();
	else if (list)
		rc = cmd_list();
	else {
		mail_mailers();
		load_people();
		rc = opt_edit ? edit_reply() : reply();
		agents_free(&AG);
		customers_free(&CU);
	}
	addrs_free(&opt_to);
	addrs_free(&opt_cc);
	addrs_free(&opt_bcc);
	free(opt_attach);
	tickets_summary_save(&D);	/* what its commits changed */
	desk_close(&D);
	git_libgit2_shutdown();
	return rc;
}
