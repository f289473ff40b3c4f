/* mreply: answers from templates, acknowledgements, no collisions.
 *
 * Renders a template as a reply to a customer message (stdin, or the last
 * customer message of --ticket), writes one RFC 5322 message to stdout or
 * sends it through the desk's Mailutils mailer (--send), and records it
 * in the desk as one commit: the stored message, a "replied" event, the
 * template's status, tag and priority changes, and the agent's claim.
 * --ack sends the acknowledgement of a new ticket under RFC 3834 rules.
 * See mreply(1). */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <mailutils/mailutils.h>

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
#include "tickets.h"
#include "util.h"

static struct desk D;
static const char *opt_desk, *opt_now, *opt_as, *opt_template, *opt_ticket, *opt_mailer,
    *opt_text;
static int opt_quote, opt_send, opt_record, opt_ack, opt_force, opt_dry, opt_quiet;
static struct agents AG;
static struct customers CU;
static struct addrs opt_to, opt_cc, opt_bcc;	/* --to, --cc, --bcc */
static struct addrs rcpt[3];	/* the reply's To, Cc, Bcc */
static int opt_no_cc;

/* A message's claim about where answers go, shown (never followed). */
static void show_claim(void *ctx, const char *field, const char *addr)
{
	fprintf(stderr, "%s: %s: the message names %s as its %s, not the customer's address; "
	    "the reply goes to the customer (use --to to answer %s)\n", progname,
	    (const char *)ctx, addr, field, addr);
}

static void usage(FILE *f, int code)
{
	fprintf(f, "usage: %s [-t TEMPLATE] [--text FILE] [--ticket ID] [--quote] [--send | --record]\n"
	    "              [--as AGENT] [--force] [--desk DIR] [--now TIME] < message\n"
	    "       %s --ack [--ticket ID] [--send | --record] < message\n"
	    "       %s --check | --list\n"
	    "see mreply(1)\n", progname, progname, progname);
	exit(code);
}

static void report(void *ctx, const char *file, int line, const char *msg)
{
	int *n = ctx;
	if (n)
		(*n)++;
	fprintf(stderr, "%s: %s:%d: %s\n", progname, file, line, msg);
}

static const char *conf(const char *sec, const char *name, const char *key, const char *def)
{
	const char *v = conf_get(&D.conf, sec, name, key);
	return v && *v ? v : def;
}

/* --- the desk's people --- */

static void load_people(void)
{
	size_t len;
	char *t = desk_read_file(&D, "agents.csv", &len);
	if (!t)
		die(EX_CONFIG, "%s/agents.csv: cannot read: %s", D.root, strerror(errno));
	if (agents_parse(&AG, t, len, NULL))
		die(EX_CONFIG, "agents.csv has errors; run 'mdesk check'");
	free(t);
	t = desk_read_file(&D, "customers.csv", &len);
	if (t && customers_parse(&CU, t, len, NULL))
		die(EX_CONFIG, "customers.csv has errors; run 'mdesk check'");
	free(t);
}

/* The acting agent: --as, $MDESK_AGENT, then git's user.email or
 * user.name matched against agents.csv (as mdesk does). */
static struct agent *me(void)
{
	const char *who = opt_as ? opt_as : getenv("MDESK_AGENT");
	if (!who || !*who) {
		git_config *cfg;
		const char *v;
		struct agent *a = NULL;
		if (git_repository_config_snapshot(&cfg, D.repo) == 0) {
			if (git_config_get_string(&v, cfg, "user.email") == 0)
				for (size_t i = 0; i < AG.n && !a; i++)
					if (!strcasecmp(AG.v[i].email, v))
						a = &AG.v[i];
			if (!a && git_config_get_string(&v, cfg, "user.name") == 0)
				a = agent_find(&AG, v);
			git_config_free(cfg);
		}
		if (a)
			return a;
		die(EX_USAGE, "who is answering? use --as AGENT or set MDESK_AGENT "
		    "(or a git user.email listed in agents.csv)");
	}
	struct agent *a = agent_find(&AG, who);
	if (!a)
		die(EX_USAGE, "agent '%s' is not in agents.csv (see mdesk agent ls)", who);
	return a;
}

static int has_tag(const struct ticket *t, const char *tag)
{
	size_t i;
	json_t *v;
	json_array_foreach(t->tags, i, v)
		if (!strcmp(json_string_value(v), tag))
			return 1;
	return 0;
}

/* --- the message answered --- */

struct source {
	char *raw;
	size_t len;
	struct msg m;
	struct msg_ids ids;
	char mid[1000];		/* its Message-ID, or the stable id of one without */
	long long at;		/* when the desk received it */
	const char *from, *from_name;
};

static char *read_all(int fd, size_t *len)
{
	struct buf b = { 0 };
	char tmp[65536];
	ssize_t k;
	while ((k = read(fd, tmp, sizeof tmp)) > 0) {
		buf_add(&b, tmp, (size_t)k);
		if (b.len > 64u << 20)
			die(EX_DATAERR, "<stdin>: a message of more than 64 MB");
	}
	if (k < 0)
		die(EX_IOERR, "<stdin>: %s", strerror(errno));
	*len = b.len;
	return b.p ? b.p : xstrdup("");
}

static void source_open(struct source *s, char *raw, size_t len)
{
	/* one message of an mbox: its From_ line goes */
	if (len > 5 && !memcmp(raw, "From ", 5)) {
		char *nl = memchr(raw, '\n', len);
		size_t cut = nl ? (size_t)(nl + 1 - raw) : len;
		memmove(raw, raw + cut, len - cut);
		len -= cut;
	}
	s->raw = raw;
	s->len = len;
	size_t hl = msg_header_len(raw, len);
	if (msg_open(&s->m, raw, hl) != 0 || hl == 0)
		die(EX_DATAERR, "<stdin>: not a mail message");
	msg_ids(&s->m, &s->ids);
	if (s->ids.mid[0])
		snprintf(s->mid, sizeof s->mid, "%s", s->ids.mid);
	else {
		uint64_t h = msg_hash_header(HASH64_INIT, raw, hl);
		msg_hash_id(hash64_update(h, raw + hl, len - hl), s->mid);
	}
	msg_addr(&s->m, "From", &s->from, &s->from_name);
	if (!s->from)
		msg_addr(&s->m, "Sender", &s->from, &s->from_name);
}

/* The received event of message id mid in t; NULL if none. */
static json_t *received_event(const struct ticket *t, const char *mid)
{
	size_t i;
	json_t *e, *found = NULL;
	json_array_foreach(t->events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		const char *m = json_string_value(json_object_get(e, "message_id"));
		if (ty && m && (!strcmp(ty, "received") || !strcmp(ty, "replied")) &&
		    (!mid || !strcmp(m, mid)) && (mid || !strcmp(ty, "received")))
			found = e;
	}
	return found;
}

static long long ev_at(json_t *e)
{
	long long t = 0;
	const char *a = json_string_value(json_object_get(e, "at"));
	if (a)
		parse_rfc3339(a, &t);
	return t;
}

static void follow_merges(char id[16])
{
	for (int hops = 0; hops < 16; hops++) {
		struct ticket t;
		if (ticket_load(&D, id, &t, NULL, 1) != 0)
			return;
		int more = t.merged_into && strlen(t.merged_into) < 16;
		if (more)
			snprintf(id, 16, "%s", t.merged_into);
		ticket_free(&t);
		if (!more)
			return;
	}
}

/* --- placeholders --- */

struct values {
	const char *v[32];
};

static struct values V;

static const char *lookup(void *ctx, const char *name)
{
	(void)ctx;
	for (int k = 0; tpl_placeholders[k]; k++)
		if (!strcmp(tpl_placeholders[k], name))
			return V.v[k] ? V.v[k] : "";
	return NULL;
}

static void set_value(const char *name, const char *value)
{
	for (int k = 0; tpl_placeholders[k]; k++)
		if (!strcmp(tpl_placeholders[k], name)) {
			free((char *)V.v[k]);
			V.v[k] = xstrdup(value ? value : "");
			return;
		}
	die(EX_SOFTWARE, "no placeholder %s", name);
}

/* A subject without desk tokens, blanks collapsed. */
static char *strip_tokens(const char *s)
{
	struct buf b = { 0 };
	buf_adds(&b, "");
	for (const char *p = s; *p;) {
		if (p[0] == '[' && p[1] == '#') {
			size_t k = 2;
			while ((p[k] >= 'A' && p[k] <= 'Z') || (p[k] >= '0' && p[k] <= '9'))
				k++;
			if (p[k] == ']' && k - 2 >= 6 && k - 2 <= 12) {
				p += k + 1;
				continue;
			}
		}
		buf_addc(&b, *p++);
	}
	/* collapse blanks */
	char *o = b.p, *w = b.p;
	int sp = 1;
	for (char *r = b.p; *r; r++) {
		if (*r == ' ' || *r == '\t') {
			if (!sp)
				*w++ = ' ';
			sp = 1;
		} else
			*w++ = *r, sp = 0;
	}
	while (w > o && w[-1] == ' ')
		w--;
	*w = 0;
	return o;
}

/* --- templates: --check and --list --- */

/* Order of template files: by name without ".txt" (ack before ack.pt). */
static int stem_cmp(const char *a, const char *b)
{
	size_t la = strlen(a) - 4, lb = strlen(b) - 4, n = la < lb ? la : lb;
	int c = memcmp(a, b, n);
	return c ? c : la < lb ? -1 : la > lb;
}

static int template_files(char ***out)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/templates", D.root);
	DIR *dp = opendir(dir);
	struct dirent *de;
	size_t n = 0, cap = 0;
	char **v = NULL;
	while (dp && (de = readdir(dp))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".txt") || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n++] = xstrdup(de->d_name);
	}
	if (dp)
		closedir(dp);
	for (size_t i = 1; i < n; i++)	/* insertion sort: few files */
		for (size_t j = i; j > 0 && stem_cmp(v[j - 1], v[j]) > 0; j--) {
			char *x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	*out = v;
	return (int)n;
}

static int cmd_check(void)
{
	char **f;
	int n = template_files(&f), faults = 0;
	for (int i = 0; i < n; i++) {
		char path[600];
		snprintf(path, sizeof path, "templates/%s", f[i]);
		size_t len;
		char *t = desk_read_file(&D, path, &len);
		struct template tp;
		if (t) {
			tpl_parse(&tp, path, t, len, report, &faults);
			tpl_free(&tp);
		}
		free(t);
	}
	/* the languages of desk.conf: every template in each of them */
	const char *langs = conf("", "", "languages", NULL);
	int line = conf_line(&D.conf, "", "", "languages");
	const char *deflang = conf("", "", "language", "en");
	for (int i = 0; langs && i < n; i++) {
		if (strchr(f[i], '.') != strrchr(f[i], '.'))
			continue;	/* a variant itself */
		char base[300];
		snprintf(base, sizeof base, "%.*s", (int)(strlen(f[i]) - 4), f[i]);
		char *ls = xstrdup(langs);
		for (char *l = strtok(ls, " \t,;"); l; l = strtok(NULL, " \t,;")) {
			if (!strcmp(l, deflang))
				continue;
			char got[600], m[700];
			if (tpl_pick(D.root, base, l, got, sizeof got) != 0 ||
			    !strcmp(got + 10 + strlen(base), ".txt")) {
				snprintf(m, sizeof m, "templates/%s has no %s variant (templates/%s.%s.txt); "
				    "languages names %s", f[i], l, base, l, l);
				report(&faults, "desk.conf", line, m);
			}
		}
		free(ls);
	}
	for (int i = 0; i < n; i++)
		free(f[i]);
	free(f);
	if (faults)
		return EX_CONFIG;
	if (!opt_quiet)
		printf("%d templates, no faults\n", n);
	return 0;
}

static int cmd_list(void)
{
	char **f;
	int n = template_files(&f);
	for (int i = 0; i < n; i++) {
		char path[600];
		snprintf(path, sizeof path, "templates/%s", f[i]);
		size_t len;
		char *t = desk_read_file(&D, path, &len);
		struct template tp;
		const char *first = "";
		char *cl = NULL;
		if (t) {
			tpl_parse(&tp, path, t, len, NULL, NULL);
			const char *p = tp.body;
			while (*p == '\n')
				p++;
			first = p;
			cl = xstrndup(first, strcspn(first, "\n"));
			tpl_free(&tp);
		}
		printf("%-28.*s %s\n", (int)(strlen(f[i]) - 4), f[i], cl ? cl : "");
		free(cl);
		free(t);
		free(f[i]);
	}
	free(f);
	return 0;
}

/* --- sending --- */

static int send_mail(const char *raw, size_t len, char *err, size_t errlen)
{
	const char *url = opt_mailer ? opt_mailer : conf("mail", "", "mailer",
	    "sendmail:///usr/sbin/sendmail");
	mu_mailer_t mailer = NULL;
	mu_stream_t str = NULL;
	mu_message_t msg = NULL;
	int rc;
	if ((rc = mu_mailer_create(&mailer, url)) != 0) {
		snprintf(err, errlen, "mailer %s: %s", url, mu_strerror(rc));
		return -1;
	}
	if ((rc = mu_mailer_open(mailer, 0)) != 0) {
		snprintf(err, errlen, "mailer %s: %s", url, mu_strerror(rc));
		mu_mailer_destroy(&mailer);
		return -1;
	}
	if ((rc = mu_static_memory_stream_create(&str, raw, len)) != 0 ||
	    (rc = mu_stream_to_message(str, &msg)) != 0) {
		snprintf(err, errlen, "the message: %s", mu_strerror(rc));
		mu_stream_unref(str);
		mu_mailer_close(mailer);
		mu_mailer_destroy(&mailer);
		return -1;
	}
	mu_stream_unref(str);
	rc = mu_mailer_send_message(mailer, msg, NULL, NULL);
	if (rc != 0)
		snprintf(err, errlen, "mailer %s refused the message: %s", url, mu_strerror(rc));
	int rc2 = mu_mailer_close(mailer);
	if (rc == 0 && rc2 != 0) {
		snprintf(err, errlen, "mailer %s: %s", url, mu_strerror(rc2));
		rc = rc2;
	}
	mu_mailer_destroy(&mailer);
	mu_message_unref(msg);
	return rc ? -1 : 0;
}

/* --- the reply --- */

struct counter {
	const char *addr;
	long long since;
	int n;
};

static int count_acks(void *ctx, struct ticket *t)
{
	struct counter *c = ctx;
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		const char *to = json_string_value(json_object_get(e, "to"));
		if (ty && !strcmp(ty, "replied") && json_is_true(json_object_get(e, "auto")) &&
		    to && !strcasecmp(to, c->addr) && ev_at(e) >= c->since)
			c->n++;
	}
	return 0;
}

/* Why no acknowledgement may go to this message; NULL when one may. */
static const char *no_ack(const struct ticket *t, json_t *rev, struct source *s,
    const char *to)
{
	int on = 1;
	const char *en = conf("ack", "", "enabled", "yes");
	if (conf_bool(en, &on) != 0)
		die(EX_CONFIG, "desk.conf:%d: [ack] enabled: '%s' is not yes or no",
		    conf_line(&D.conf, "ack", "", "enabled"), en);
	if (!on)
		return "acknowledgements are off ([ack] enabled = no)";
	if ((rev && json_is_true(json_object_get(rev, "auto"))) || has_tag(t, "auto") ||
	    msg_is_automatic(&s->m, s->from))
		return "automatic mail (RFC 3834)";
	if (has_tag(t, "noack"))
		return "the ticket is tagged noack";
	if (has_tag(t, "spam"))
		return "the ticket is tagged spam";
	if (desk_own_address(&D, &AG, to))
		return "the sender is one of the desk's own addresses";
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		if (ty && !strcmp(ty, "replied") && json_is_true(json_object_get(e, "auto")))
			return "the ticket was acknowledged already";
	}
	/* the rate limit: COUNT/DURATION per sender */
	const char *rate = conf("ack", "", "rate", "3/1d");
	long count = 3;
	long long win = 86400;
	char *slash = strchr(rate, '/'), *end;
	if (slash) {
		count = strtol(rate, &end, 10);
		if (end != slash || count < 0 || conf_duration(slash + 1, &win) != 0)
			slash = NULL;
	}
	if (!slash)
		die(EX_CONFIG, "desk.conf:%d: [ack] rate: '%s' is not like 3/1d",
		    conf_line(&D.conf, "ack", "", "rate"), rate);
	struct counter c = { to, D.now - win, 0 };
	{
		/* the tickets of that customer with activity in the window */
		size_t n;
		const struct tsum *ts = tickets_summary(&D, 0, &n);
		for (size_t k = 0; k < n; k++) {
			if (ts[k].updated < c.since)
				continue;
			json_t *o = json_loads(ts[k].json, 0, NULL);
			const char *cu = json_string_value(json_object_get(o, "customer"));
			int mine = cu && !strcasecmp(cu, to);
			json_decref(o);
			struct ticket tk;
			if (mine && ticket_load(&D, ts[k].id, &tk, NULL, 1) == 0) {
				count_acks(&c, &tk);
				ticket_free(&tk);
			}
		}
	}
	if (c.n >= count) {
		static char why[200];
		snprintf(why, sizeof why, "%d acknowledgements to %s within %s already ([ack] rate = %s)",
		    c.n, to, slash + 1, rate);
		return why;
	}
	return NULL;
}

/* Refuse to answer over someone else: a live claim by another agent, or
 * a reply by someone else since the message arrived. */
static int collision(const struct ticket *t, const struct agent *a, long long since)
{
	char b[32];
	if (t->claim_by && strcmp(t->claim_by, a->login) &&
	    (!t->claim_until || t->claim_until > D.now)) {
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

/* The same answer to the same message by the same agent, recorded
 * already (a retry after a send that was cut short): never twice. */
static int sent_before(const struct ticket *t, const struct agent *a, const char *in_reply_to,
    const char *digest)
{
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		const char *by = json_string_value(json_object_get(e, "agent"));
		const char *irt = json_string_value(json_object_get(e, "in_reply_to"));
		const char *dg = json_string_value(json_object_get(e, "digest"));
		if (ty && !strcmp(ty, "replied") && by && !strcmp(by, a->login) && irt &&
		    !strcmp(irt, in_reply_to) && dg && !strcmp(dg, digest)) {
			fprintf(stderr, "%s: %s: this answer went to %s at %s already; use --force "
			    "to send it again\n", progname, t->id,
			    json_string_value(json_object_get(e, "to")),
			    json_string_value(json_object_get(e, "at")));
			return 1;
		}
	}
	return 0;
}

/* The attribution line of a quote, in the reply's language. */
static void attribution(struct buf *b, struct source *s, const char *lang, const char *tz)
{
	static const struct { const char *lang, *dated, *undated; } forms[] = {
		{ "pt", "Em %D, %W escreveu:", "%W escreveu:" },
		{ "es", "El %D, %W escribió:", "%W escribió:" },
		{ "ru", "%D, %W написал(а):", "%W написал(а):" },
		{ "en", "On %D, %W wrote:", "%W wrote:" },
	};
	long long t;
	char when[200] = "";
	if (msg_date(&s->m, &t) == 0)
		due_format(t, tz, lang, when, sizeof when);
	const char *who = s->from_name && *s->from_name ? s->from_name : s->from ? s->from : "?";
	size_t k = 3;
	for (size_t i = 0; lang && i < 3; i++)
		if (!strncmp(lang, forms[i].lang, 2))
			k = i;
	for (const char *f = *when ? forms[k].dated : forms[k].undated; *f; f++) {
		if (f[0] == '%' && f[1] == 'D')
			buf_adds(b, when), f++;
		else if (f[0] == '%' && f[1] == 'W')
			buf_adds(b, who), f++;
		else
			buf_addc(b, *f);
	}
	buf_addc(b, '\n');
}

/* --- the record and the delivery --- */

/* The record of a reply (outbox.h): the replied event, the template's
 * tag, priority and status changes, the agent's claim; the commit's
 * author and message. */
static json_t *record_of(const struct ticket *t, const struct template *tp,
    const struct agent *a, const char *id, const char *mid, const char *to,
    const char *subject, const char *tname, const char *in_reply_to, const char *digest,
    const struct addrs *cc)
{
	const char *by = a ? a->login : "system";
	json_t *evs = json_array();
	json_t *e = event_new("replied", by, D.now);
	event_id_for(e, "replied", mid);
	if (a)
		jw_str(e, "agent", a->login);
	if (opt_force)	/* over another's claim or answer, knowingly */
		json_object_set_new(e, "force", json_true());
	jw_str(e, "message_id", mid);
	jw_str(e, "to", to);
	if (cc->n) {
		json_t *l = json_array();
		for (size_t k = 0; k < cc->n; k++)
			json_array_append_new(l, json_string(cc->addr[k]));
		json_object_set_new(e, "cc", l);
	}
	jw_str(e, "subject", subject);
	jw_str(e, "template", tname);
	jw_str(e, "in_reply_to", in_reply_to);
	jw_str(e, "digest", digest);
	if (opt_ack)
		json_object_set_new(e, "auto", json_true());
	else {
		const char *st = tpl_header(tp, "X-Mdesk-Status");
		jw_str(e, "status", st ? st : "pending");
	}
	json_array_append_new(evs, e);
	const char *tags = tpl_header(tp, "X-Mdesk-Tags");
	if (tags) {
		json_t *add = json_array(), *del = json_array();
		char *tg = xstrdup(tags);
		for (char *x = strtok(tg, " \t,"); x; x = strtok(NULL, " \t,")) {
			int minus = *x == '-';
			if (*x == '+' || *x == '-')
				x++;
			if (!*x)
				continue;
			if (minus && has_tag(t, x))
				json_array_append_new(del, json_string(x));
			else if (!minus && !has_tag(t, x))
				json_array_append_new(add, json_string(x));
		}
		free(tg);
		json_t *ch[2] = { add, del };
		for (int k = 0; k < 2; k++) {
			if (json_array_size(ch[k])) {
				e = event_new(k ? "untagged" : "tagged", by, D.now);
				json_object_set_new(e, "tags", ch[k]);
				json_array_append_new(evs, e);
			} else
				json_decref(ch[k]);
		}
	}
	const char *pr = tpl_header(tp, "X-Mdesk-Priority");
	if (pr && strcmp(pr, t->priority)) {
		e = event_new("priority", by, D.now);
		jw_str(e, "priority", pr);
		json_array_append_new(evs, e);
	}
	if (a) {
		long long secs = 30 * 60;
		const char *cf = conf("", "", "claim_for", "30m");
		conf_duration(cf, &secs);
		char b[32];
		e = event_new("claimed", by, D.now);
		jw_str(e, "agent", a->login);
		if (opt_force)
			json_object_set_new(e, "force", json_true());
		jw_str(e, "until", fmt_rfc3339(D.now + secs, b));
		json_array_append_new(evs, e);
	}
	char cm[600], an[128], ae[300];
	if (a)
		snprintf(cm, sizeof cm, "%s: replied by %s to %s (template %s)\n", id, a->login, to,
		    tname);
	else {
		snprintf(cm, sizeof cm, "%s: acknowledged to %s\n", id, to);
		desk_system_author(an, sizeof an, ae, sizeof ae);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "ticket", id, "name", a ? a->name : an,
	    "email", a ? a->email : ae, "message", cm, "events", evs);
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
	struct outbox_entry *e = outbox_put(&D, rec, raw, len);
	json_decref(rec);
	if (!opt_send) {
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
	desk_unlock(&D);
	char err[300];
	if (send_mail(raw, len, err, sizeof err) != 0) {
		outbox_drop(e);
		die(EX_TEMPFAIL, "%s: not sent, nothing recorded: %s", id, err);
	}
	outbox_sent(e);
	if (desk_lock_try(&D) != 0) {	/* it is in the outbox: the next writer records it */
		warnx_("%s: sent; the desk is busy, its next writer records the reply", id);
		return 0;
	}
	tickets_upkeep(&D);
	desk_unlock(&D);
	return 0;
}

static int reply(void)
{
	struct agent *a = opt_ack ? NULL : me();
	struct source s;
	memset(&s, 0, sizeof s);
	/* the message is read before the desk is locked: a slow or idle
	 * standard input (a terminal) never holds up the desk's writers */
	char *in = NULL;
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
	json_t *rev = NULL;
	if (opt_ticket) {
		snprintf(id, sizeof id, "%s", opt_ticket);
		follow_merges(id);
		if (ticket_load(&D, id, &t, &archived, 1) != 0)
			die(EX_DATAERR, "%s: no such ticket", opt_ticket);
		rev = received_event(&t, NULL);
		const char *file = rev ? json_string_value(json_object_get(rev, "file")) : NULL;
		size_t len;
		char *raw = file ? ticket_read(&D, id, file, &len, archived) : NULL;
		if (!raw)
			die(EX_DATAERR, "%s: no customer message to answer", id);
		source_open(&s, raw, len);
	} else {
		source_open(&s, in, inlen);
		if (!index_lookup(&D, s.mid, id))
			die(EX_DATAERR, "<stdin>: message <%s> is not in the desk (file it with mroute first)",
			    s.mid);
		follow_merges(id);
		if (ticket_load(&D, id, &t, &archived, 1) != 0)
			die(EX_DATAERR, "<stdin>: message <%s>: ticket %s is gone", s.mid, id);
		rev = received_event(&t, s.mid);
	}
	s.at = rev ? ev_at(rev) : t.created;

	/* the customer of record: a Reply-To or Sender is a claim, shown and
	 * never followed; another address only when the agent names it */
	const char *to = t.customer, *to_name = t.customer_name;
	if (!to || !addr_plain(to))
		to = s.from, to_name = s.from_name;
	if (!opt_quiet)
		reply_claims(&s.m, to, show_claim, id);
	if (opt_to.n) {
		for (size_t k = 0; k < opt_to.n; k++)
			addrs_add(&rcpt[0], opt_to.addr[k], opt_to.name[k]);
		to = rcpt[0].addr[0], to_name = rcpt[0].name[0];
	} else if (to && addr_plain(to))
		addrs_add(&rcpt[0], to, to_name);
	if (!to || !addr_plain(to))
		die(EX_DATAERR, "%s: the message has no address to answer", id);
	if (opt_cc.n || opt_no_cc)
		for (size_t k = 0; k < opt_cc.n; k++)
			addrs_add(&rcpt[1], opt_cc.addr[k], opt_cc.name[k]);
	else if (!opt_ack) {	/* everyone in the conversation who is not the desk */
		struct addrs all = { 0 };
		ticket_participants(&D, &AG, &t, archived, &all);
		for (size_t k = 0; k < all.n; k++)
			if (!addrs_has(&rcpt[0], all.addr[k]))
				addrs_add(&rcpt[1], all.addr[k], all.name[k]);
		addrs_free(&all);
	}
	for (size_t k = 0; k < opt_bcc.n; k++)
		addrs_add(&rcpt[2], opt_bcc.addr[k], opt_bcc.name[k]);
	struct customer *cu = customer_find(&CU, to);
	/* a person's record names the person; a domain's names a company */
	int person = cu && strchr(cu->key, '@') != NULL;
	const char *cname = person && *cu->name ? cu->name : to_name && *to_name ? to_name :
	    t.customer_name && t.customer && !strcasecmp(t.customer, to) ? t.customer_name : NULL;

	if (opt_ack) {
		const char *why = no_ack(&t, rev, &s, to);
		if (why) {
			if (!opt_quiet)
				fprintf(stderr, "%s: %s: no acknowledgement: %s\n", progname, id, why);
			desk_unlock(&D);
			ticket_free(&t);
			msg_free(&s.m);
			free(s.raw);
			return 0;
		}
	} else {
		sync_notice(&D, &t, a ? a->login : NULL);
		if (desk_own_address(&D, &AG, to) && !opt_force)
			die(EX_DATAERR, "%s: %s is one of the desk's own addresses; use --force to answer it",
			    id, to);
		if (!opt_force && collision(&t, a, s.at)) {
			desk_unlock(&D);
			ticket_free(&t);
			msg_free(&s.m);
			free(s.raw);
			return 1;
		}
	}

	/* the language */
	const char *lang = t.lang && *t.lang ? t.lang : cu && *cu->language ? cu->language :
	    conf("", "", "language", "en");
	const char *tz = conf("", "", "timezone", "UTC");

	/* the queue */
	const char *queue = t.queue && *t.queue ? t.queue : NULL;
	if (!queue || !conf_get(&D.conf, "queue", queue, "address"))
		for (size_t i = 0; i < D.conf.nsecs; i++)
			if (!strcmp(D.conf.secs[i].section, "queue")) {
				queue = D.conf.secs[i].name;
				break;
			}
	if (!queue)
		die(EX_CONFIG, "desk.conf: no [queue NAME] to answer from");
	const char *qaddr = conf("queue", queue, "address", NULL);
	const char *deskname = conf("", "", "name", NULL);
	char dn[256];
	if (!deskname) {
		const char *sl = strrchr(D.root, '/');
		snprintf(dn, sizeof dn, "%s", sl ? sl + 1 : D.root);
		deskname = dn;
	}
	const char *qname = conf("queue", queue, "name", deskname);
	if (!qaddr)
		die(EX_CONFIG, "desk.conf: [queue %s] has no address", queue);

	/* the template */
	const char *tname = opt_ack ? conf("ack", "", "template", "ack") :
	    opt_template ? opt_template : "answer";
	char tpath[600];
	if (tpl_pick(D.root, tname, lang, tpath, sizeof tpath) != 0)
		die(EX_CONFIG, "templates/%s.txt: no such template (see mreply --list)", tname);
	size_t tl;
	char *ttext = desk_read_file(&D, tpath, &tl);
	if (!ttext)
		die(EX_CONFIG, "%s: cannot read: %s", tpath, strerror(errno));
	struct template tp;
	if (tpl_parse(&tp, tpath, ttext, tl, report, NULL) != 0)
		die(EX_CONFIG, "%s has faults (see mreply --check)", tpath);
	free(ttext);

	/* the values */
	char fn[256];
	const char *cn = cname ? cname : to;
	set_value("customer.name", cn);
	first_name(cname ? cname : "", fn, sizeof fn);
	set_value("customer.first_name", fn);
	set_value("customer.email", to);
	if (a) {
		set_value("agent.name", a->name);
		first_name(a->name, fn, sizeof fn);
		set_value("agent.first_name", fn);
		set_value("agent.email", a->email);
		char sig[600];
		snprintf(sig, sizeof sig, "%s\n%s", a->name, qname);
		set_value("agent.signature", sig);
	}
	set_value("ticket.id", id);
	const char *tsubj = t.subject ? t.subject : msg_text(&s.m, "Subject");
	char *ts = strip_tokens(tsubj ? tsubj : "");
	set_value("ticket.subject", ts);
	free(ts);
	set_value("ticket.status", t.status);
	set_value("ticket.priority", t.priority);
	set_value("queue.name", qname);
	set_value("queue.address", qaddr);
	set_value("desk.name", deskname);
	if (opt_text) {
		FILE *f = fopen(opt_text, "r");
		if (!f)
			die(EX_NOINPUT, "%s: %s", opt_text, strerror(errno));
		struct buf tb = { 0 };
		char chunk[4096];
		size_t k;
		while ((k = fread(chunk, 1, sizeof chunk, f)) > 0)
			buf_add(&tb, chunk, k);
		fclose(f);
		if (!utf8_valid(buf_cstr(&tb), tb.len) || memchr(tb.p, 0, tb.len))
			die(EX_DATAERR, "%s: not UTF-8 text", opt_text);
		while (tb.len && tb.p[tb.len - 1] == '\n')
			tb.p[--tb.len] = 0;
		set_value("reply.text", tb.p);
		buf_free(&tb);
	}
	/* due times: the shared SLA core (sla.h), under the desk's sla.conf */
	static const struct { const char *ph; enum sla_metric m; } dues[] = {
		{ "sla.first_reply.due", SLA_FIRST_REPLY },
		{ "sla.next_reply.due", SLA_NEXT_REPLY },
		{ "sla.resolution.due", SLA_RESOLUTION } };
	for (int k = 0; k < 3; k++) {
		long long due = 0;
		char b[200] = "";
		if (sla_due(&D, &t, dues[k].m, D.now, &due) == 0 && due > 0)
			due_format(due, tz, lang, b, sizeof b);
		set_value(dues[k].ph, b);
	}

	/* the subject: one Re:, one token */
	char err[300];
	char *subject;
	const char *ts_h = tpl_header(&tp, "Subject");
	if (ts_h) {
		subject = tpl_render(ts_h, lookup, NULL, 1, err, sizeof err);
		if (!subject)
			die(EX_CONFIG, "%s: Subject: %s", tpath, err);
		char tok[16];
		if (!subject_token(subject, tok) || strcmp(tok, id)) {
			char *x = xmalloc(strlen(subject) + 32);
			sprintf(x, "%s [#%s]", subject, id);
			free(subject);
			subject = x;
		}
	} else {
		const char *orig = msg_text(&s.m, "Subject");
		char *base = subject_base(orig ? orig : "", NULL);
		char *clean = strip_tokens(base);
		subject = xmalloc(strlen(clean) + 40);
		sprintf(subject, "Re: %s%s[#%s]", clean, *clean ? " " : "", id);
		free(base);
		free(clean);
	}

	/* the body */
	char *body = tpl_render(tp.body, lookup, NULL, 0, err, sizeof err);
	if (!body)
		die(EX_CONFIG, "%s: %s", tpath, err);
	char *wrapped = text_wrap(body, 72);
	free(body);
	struct buf text = { 0 };
	buf_adds(&text, wrapped);
	free(wrapped);
	while (text.len && text.p[text.len - 1] == '\n')
		text.p[--text.len] = 0;
	buf_addc(&text, '\n');
	if (a && !strstr(tp.body, "agent.signature") && !strstr(tp.body, "agent.name")) {
		buf_adds(&text, "\n-- \n");
		buf_adds(&text, lookup(NULL, "agent.signature"));
		buf_addc(&text, '\n');
	}
	if (opt_quote) {
		char *ct = mime_text(s.raw, s.len);
		char *q = text_quote(ct);
		buf_addc(&text, '\n');
		struct buf at = { 0 };
		attribution(&at, &s, lang, tz);
		char *aw = text_wrap(at.p, 72);
		buf_adds(&text, aw);
		free(aw);
		buf_free(&at);
		buf_adds(&text, q);
		free(q);
		free(ct);
	}

	/* the header */
	struct buf out = { 0 };
	char date[64], mid[400];
	rfc5322_date(D.now, date, sizeof date);
	const char *dom = conf("", "", "domain", strrchr(qaddr, '@') + 1);
	msgid_new(mid, sizeof mid, dom, D.now);
	buf_adds(&out, "Date: ");
	buf_adds(&out, date);
	buf_addc(&out, '\n');
	const char *fromw = conf("queue", queue, "from", "queue");
	if (a && !strcmp(fromw, "agent") && addr_plain(a->email)) {
		hdr_addr(&out, "From", a->name, a->email);
		hdr_addr(&out, "Reply-To", qname, qaddr);
	} else if (hdr_addr(&out, "From", qname, qaddr) != 0)
		die(EX_CONFIG, "desk.conf: [queue %s] address '%s' is not an address", queue, qaddr);
	if (!opt_to.n) {	/* the customer's name as the desk knows it */
		free(rcpt[0].name[0]);
		rcpt[0].name[0] = cname ? xstrdup(cname) : NULL;
	}
	hdr_addrs(&out, "To", &rcpt[0]);
	const char *lists[2] = { "Cc", "Bcc" };
	for (int k = 0; k < 2; k++) {
		const char *v = tpl_header(&tp, lists[k]);
		char *r = v ? tpl_render(v, lookup, NULL, 1, err, sizeof err) : NULL;
		if (v && !r)
			die(EX_CONFIG, "%s: %s: %s", tpath, lists[k], err);
		if (r && *r && addrs_parse(&rcpt[k + 1], r) != 0)
			die(EX_DATAERR, "%s: %s: '%s' is not a list of addresses", tpath, lists[k], r);
		free(r);
		hdr_addrs(&out, lists[k], &rcpt[k + 1]);
	}
	hdr_text(&out, "Subject", subject);
	buf_adds(&out, "Message-ID: <");
	buf_adds(&out, mid);
	buf_adds(&out, ">\n");
	if (s.ids.mid[0]) {
		buf_adds(&out, "In-Reply-To: <");
		buf_adds(&out, s.ids.mid);
		buf_adds(&out, ">\n");
	}
	/* a parent without References: its In-Reply-To stands for them */
	const char *irt1[1] = { s.ids.irt };
	if (s.ids.nrefs == 0 && s.ids.irt[0])
		hdr_references(&out, irt1, 1, s.ids.mid[0] ? s.ids.mid : NULL, 20);
	else
		hdr_references(&out, s.ids.refs, s.ids.nrefs, s.ids.mid[0] ? s.ids.mid : NULL, 20);
	const char *tix = msg_raw(&s.m, "Thread-Index", 1);
	char tib[400];
	if (tix && thread_index_reply(tix, D.now, tib, sizeof tib) == 0) {
		const char *topic = msg_text(&s.m, "Thread-Topic");
		char *base = NULL;
		if (!topic) {
			const char *o = msg_text(&s.m, "Subject");
			topic = base = subject_base(o ? o : "", NULL);
		}
		hdr_text(&out, "Thread-Topic", topic);
		buf_adds(&out, "Thread-Index: ");
		buf_adds(&out, tib);
		buf_addc(&out, '\n');
		free(base);
	}
	if (opt_ack) {
		buf_adds(&out, "Auto-Submitted: auto-replied\n");
		buf_adds(&out, "X-Auto-Response-Suppress: All\n");
	}
	buf_adds(&out, "MIME-Version: 1.0\n");
	buf_adds(&out, "Content-Type: text/plain; charset=UTF-8\n");
	buf_adds(&out, "Content-Transfer-Encoding: quoted-printable\n");
	if (lang && *lang && strlen(lang) < 20 && strspn(lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") == strlen(lang)) {
		buf_adds(&out, "Content-Language: ");
		buf_adds(&out, lang);
		buf_addc(&out, '\n');
	}
	buf_addc(&out, '\n');
	char *qp = qp_encode(text.p, text.len);
	buf_adds(&out, qp);
	free(qp);
	char digest[17];
	snprintf(digest, sizeof digest, "%016llx", (unsigned long long)hash64(text.p, text.len));
	buf_free(&text);
	int rc = 1;
	if (!opt_ack && !opt_force && sent_before(&t, a, s.mid, digest))
		desk_unlock(&D);
	else {
		/* the record: the events, the commit's author and message */
		json_t *rec = NULL;
		if (opt_send || opt_record)
			rec = record_of(&t, &tp, a, id, mid, to, subject, tname, s.mid, digest,
			    &rcpt[1]);
		rc = deliver(id, rec, out.p, out.len);
	}
	buf_free(&out);
	free(subject);
	tpl_free(&tp);
	ticket_free(&t);
	msg_free(&s.m);
	free(s.raw);
	return rc;
}

static void addr_opt(const char *opt, struct addrs *l, const char *v)
{
	if (addrs_parse(l, v) != 0)
		die(EX_USAGE, "%s: '%s' is not a list of addresses", opt, v);
}

int main(int argc, char **argv)
{
	heap_init();
	static const struct option opts[] = {
		{ "template", required_argument, NULL, 't' },
		{ "ticket", required_argument, NULL, 'T' },
		{ "quote", no_argument, NULL, 'q' },
		{ "send", no_argument, NULL, 's' },
		{ "record", no_argument, NULL, 'R' },
		{ "to", required_argument, NULL, 'o' },
		{ "cc", required_argument, NULL, 'c' },
		{ "bcc", required_argument, NULL, 'b' },
		{ "no-cc", no_argument, NULL, 'O' },
		{ "as", required_argument, NULL, 'a' },
		{ "ack", no_argument, NULL, 'A' },
		{ "force", no_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'C' },
		{ "list", no_argument, NULL, 'L' },
		{ "mailer", required_argument, NULL, 'M' },
		{ "text", required_argument, NULL, 'x' },
		{ "desk", required_argument, NULL, 'd' },
		{ "now", required_argument, NULL, 'n' },
		{ "dry-run", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c, check = 0, list = 0;
	progname = "mreply";
	setenv("TZ", "UTC", 1);
	tzset();
	while ((c = getopt_long(argc, argv, "ht:d:qsf", opts, NULL)) != -1) {
		switch (c) {
		case 't': opt_template = optarg; break;
		case 'T': opt_ticket = optarg; break;
		case 'q': opt_quote = 1; break;
		case 's': opt_send = 1; break;
		case 'R': opt_record = 1; break;
		case 'o': addr_opt("--to", &opt_to, optarg); break;
		case 'c': addr_opt("--cc", &opt_cc, optarg); break;
		case 'b': addr_opt("--bcc", &opt_bcc, optarg); break;
		case 'O': opt_no_cc = 1; break;
		case 'a': opt_as = optarg; break;
		case 'A': opt_ack = 1; break;
		case 'f': opt_force = 1; break;
		case 'C': check = 1; break;
		case 'L': list = 1; break;
		case 'M': opt_mailer = optarg; break;
		case 'x': opt_text = optarg; break;
		case 'd': opt_desk = optarg; break;
		case 'n': opt_now = optarg; break;
		case 'N': opt_dry = 1; break;
		case 'Q': opt_quiet = 1; break;
		case 'h': usage(stdout, 0); break;
		case 'V': printf("mreply (mdesk) %s\n", MDESK_VERSION); return 0;
		default: usage(stderr, EX_USAGE);
		}
	}
	if (optind != argc)
		usage(stderr, EX_USAGE);
	if (opt_ack && (opt_template || opt_quote || opt_as || opt_force || opt_text))
		die(EX_USAGE, "--ack takes the [ack] template of desk.conf; no -t, --text, --quote, --as or --force");
	if (opt_ack && (opt_to.n || opt_cc.n || opt_bcc.n || opt_no_cc))
		die(EX_USAGE, "--ack goes to the customer alone; no --to, --cc, --bcc or --no-cc");
	if (opt_send + opt_record + opt_dry > 1)
		die(EX_USAGE, "one of --send, --record and --dry-run");
	if (check + list > 1 || ((check || list) && (opt_ack || opt_template || opt_ticket)))
		usage(stderr, EX_USAGE);
	long long now = mdesk_now(opt_now);
	desk_open(&D, opt_desk);
	D.now = now;
	int rc;
	if (check)
		rc = cmd_check();
	else if (list)
		rc = cmd_list();
	else {
		mu_registrar_record(mu_sendmail_record);
		mu_registrar_record(mu_smtp_record);
		mu_registrar_record(mu_smtps_record);
		load_people();
		rc = reply();
		agents_free(&AG);
		customers_free(&CU);
	}
	for (int k = 0; tpl_placeholders[k]; k++)
		free((char *)V.v[k]);
	addrs_free(&opt_to);
	addrs_free(&opt_cc);
	addrs_free(&opt_bcc);
	for (int k = 0; k < 3; k++)
		addrs_free(&rcpt[k]);
	desk_close(&D);
	git_libgit2_shutdown();
	return rc;
}
