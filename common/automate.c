/* automate.c: the desk's automations (see automate.h). */
#include "automate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <unistd.h>

#include "agents.h"
#include "compose.h"
#include "conf.h"
#include "filing.h"
#include "jsonw.h"
#include "outbox.h"
#include "outmsg.h"
#include "route.h"
#include "sla.h"
#include "tickets.h"
#include "util.h"

#define FILE_NAME "automations.conf"

static const char *const status_names[] = { "new", "open", "pending", "on-hold", "solved",
	"closed", NULL };
static const char *const since_names[] = { "", "status", "customer", "reply", "assigned",
	"created", NULL };
static const char *const action_names[] = { "", "reply", "status", "mail", "assign", NULL };

/* --- reading the file ---------------------------------------------- */

struct reader {
	struct desk *d;
	void (*report)(const char *file, int line, const char *msg);
	int faults;
	struct agents ag;
	int have_ag;
};

static void fault(struct reader *rd, int line, const char *fmt, const char *a, const char *b)
{
	char m[400];
	snprintf(m, sizeof m, fmt, a, b ? b : "");
	rd->faults++;
	if (rd->report)
		rd->report(FILE_NAME, line, m);
}

/* Words of v separated by '|', ',' or blanks, as a NULL-terminated list. */
static char **words(const char *v)
{
	size_t n = 0;
	char **w = xcalloc(strlen(v) / 2 + 2, sizeof *w);
	for (const char *p = v; *p;) {
		p += strspn(p, "|, \t");
		size_t l = strcspn(p, "|, \t");
		if (l)
			w[n++] = xstrndup(p, l);
		p += l;
	}
	return w;
}

static void words_free(char **w)
{
	for (size_t i = 0; w && w[i]; i++)
		free(w[i]);
	free(w);
}

static int rule_name_ok(const char *s)
{
	size_t n = strlen(s);
	return n && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == n;
}

static void read_status(struct reader *rd, struct auto_rule *r, const struct conf_entry *e)
{
	char **w = words(e->value);
	for (size_t i = 0; w[i]; i++) {
		int k = word_index(status_names, w[i]);
		if (k < 0)
			fault(rd, e->line, "status: '%s' is not one of %s", w[i], STATUS_LIST);
		else
			r->status |= 1u << k;
	}
	if (!w[0])
		fault(rd, e->line, "status: empty (want one or more of %s)", STATUS_LIST, NULL);
	words_free(w);
}

static void read_assignee(struct reader *rd, struct auto_rule *r, const struct conf_entry *e)
{
	const char *v = e->value;
	if (!strcmp(v, "none"))
		r->assignee = WHO_NONE;
	else if (!strcmp(v, "set"))
		r->assignee = WHO_SET;
	else if (!strcmp(v, "any"))
		r->assignee = WHO_ANY;
	else if (rd->have_ag && agent_find(&rd->ag, v)) {
		r->assignee = WHO_LOGIN;
		r->agent = xstrdup(v);
	} else
		fault(rd, e->line, "assignee: '%s' is not none, set, any or a login of agents.csv",
		    v, NULL);
}

static void read_tags(struct reader *rd, struct auto_rule *r, const struct conf_entry *e)
{
	r->tag = words(e->value);
	for (size_t i = 0; r->tag[i]; i++)
		if (!tag_valid(r->tag[i] + (r->tag[i][0] == '!')))
			fault(rd, e->line, "tag: '%s' is not a tag (a-z 0-9 - _ . :, ! before one "
			    "the ticket must not have)", r->tag[i], NULL);
}

static void read_queues(struct reader *rd, struct auto_rule *r, const struct conf_entry *e)
{
	r->queue = words(e->value);
	for (size_t i = 0; r->queue[i]; i++)
		if (!conf_get(&rd->d->conf, "queue", r->queue[i], "address"))
			fault(rd, e->line, "queue: '%s' is no [queue] of desk.conf", r->queue[i], NULL);
}

static void read_to(struct reader *rd, struct auto_rule *r, const struct conf_entry *e)
{
	r->to = xstrdup(e->value);
	char **w = words(e->value);
	for (size_t i = 0; w[i]; i++)
		if (strcmp(w[i], "lead") && strcmp(w[i], "assignee") && !addr_plain(w[i]))
			fault(rd, e->line, "to: '%s' is not lead, assignee or an address", w[i], NULL);
	if (!w[0])
		fault(rd, e->line, "to: empty (want lead, assignee or addresses)", NULL, NULL);
	words_free(w);
}

/* One key of a [rule] into r. */
static void read_key(struct reader *rd, struct auto_rule *r, const struct conf_entry *e)
{
	const char *k = e->key, *v = e->value;
	int i;
	if (!strcmp(k, "status"))
		read_status(rd, r, e);
	else if (!strcmp(k, "assignee"))
		read_assignee(rd, r, e);
	else if (!strcmp(k, "tag"))
		read_tags(rd, r, e);
	else if (!strcmp(k, "queue"))
		read_queues(rd, r, e);
	else if (!strcmp(k, "to"))
		read_to(rd, r, e);
	else if (!strcmp(k, "since")) {
		if ((i = word_index(since_names, v)) < 0)
			fault(rd, e->line, "since: '%s' is not status, customer, reply, assigned or "
			    "created", v, NULL);
		else
			r->since = i;
	} else if (!strcmp(k, "after")) {
		if (conf_duration(v, &r->after) != 0 || r->after <= 0)
			fault(rd, e->line, "after: '%s' is not a duration (like 30m, 24h, 7d)", v, NULL);
	} else if (!strcmp(k, "time")) {
		if (strcmp(v, "business") && strcmp(v, "calendar"))
			fault(rd, e->line, "time: '%s' is not business or calendar", v, NULL);
		r->business = !strcmp(v, "business");
	} else if (!strcmp(k, "action")) {
		if ((i = word_index(action_names, v)) < 0)
			fault(rd, e->line, "action: '%s' is not reply, status, mail or assign", v, NULL);
		else
			r->action = i;
	} else if (!strcmp(k, "set_status")) {
		if (!status_valid(v))
			fault(rd, e->line, "set_status: '%s' is not one of %s", v, STATUS_LIST);
		r->set_status = xstrdup(v);
	} else if (!strcmp(k, "template"))
		r->tname = xstrdup(v);
	else if (!strcmp(k, "note"))
		r->note = xstrdup(v);
	else if (strcmp(k, "calendar"))
		fault(rd, e->line, "unknown key '%s' in [rule %s]", k, r->name);
}

/* What a rule needs as a whole: a status, since and after together, what
 * its action needs. */
static void rule_complete(struct reader *rd, struct auto_rule *r, struct conf *c)
{
	const char *need = NULL;
	if (!r->status)
		need = "status = (the statuses it acts on)";
	else if (r->since && !r->after)
		need = "after = (a duration), with since";
	else if (r->after && !r->since)
		need = "since = (status, customer, reply, assigned or created), with after";
	else if (r->business && !r->since)
		need = "since and after, with time = business";
	else if (!r->business && conf_get(c, "rule", r->name, "calendar"))
		need = "time = business, with calendar";
	else if (r->action == ACT_NONE)
		need = "action = (reply, status, mail or assign)";
	else if (r->action == ACT_REPLY && !r->tname)
		need = "template = (a template of templates/), with action = reply";
	else if (r->action == ACT_STATUS && !r->set_status)
		need = "set_status = (a status), with action = status";
	else if (r->action == ACT_MAIL && !r->to)
		need = "to = (lead, assignee or addresses), with action = mail";
	if (need)
		fault(rd, r->line, "[rule %s] needs %s", r->name, need);
	if (r->tname) {
		char p[300];
		snprintf(p, sizeof p, "templates/%.200s.txt", r->tname);
		size_t len;
		char *t = strchr(r->tname, '/') || r->tname[0] == '.' ? NULL :
		    desk_read_file(rd->d, p, &len);
		if (!t)
			fault(rd, conf_line(c, "rule", r->name, "template"),
			    "template: no templates/%s.txt", r->tname, NULL);
		free(t);
	}
	if (r->business) {
		const char *cn = conf_get(c, "rule", r->name, "calendar");
		int line = conf_line(c, "rule", r->name, cn ? "calendar" : "time");
		if (!cn)
			cn = conf_get(&rd->d->conf, "", "", "calendar");
		if (!cn)
			cn = "business";
		int bad = sla_calendar_read(&r->cal, rd->d, cn, FILE_NAME, line, rd->report);
		rd->faults += bad;
		r->have_cal = 1;
	}
}

static void read_rules(struct reader *rd, struct automations *a, struct conf *c)
{
	a->v = xcalloc(c->nsecs + 1, sizeof *a->v);
	for (size_t s = 0; s < c->nsecs; s++) {
		const struct conf_sec *sec = &c->secs[s];
		if (strcmp(sec->section, "rule") || !*sec->name) {
			fault(rd, sec->line, "[%s%s] is not a [rule NAME] section", sec->section,
			    *sec->name ? " ..." : "");
			continue;
		}
		if (!rule_name_ok(sec->name))
			fault(rd, sec->line, "[rule %s]: a name is 1-64 of a-z 0-9 - _ .", sec->name, NULL);
		for (size_t i = 0; i < a->n; i++)
			if (!strcmp(a->v[i].name, sec->name))
				fault(rd, sec->line, "[rule %s] a second time (a rule's name is its own)",
				    sec->name, NULL);
		struct auto_rule *r = &a->v[a->n++];
		r->name = xstrdup(sec->name);
		r->line = sec->line;
		for (size_t i = 0; i < c->n; i++)
			if (!strcmp(c->e[i].section, "rule") && !strcmp(c->e[i].name, sec->name))
				read_key(rd, r, &c->e[i]);
		rule_complete(rd, r, c);
	}
	for (size_t i = 0; i < c->n; i++)
		if (!*c->e[i].section)
			fault(rd, c->e[i].line, "'%s' outside a [rule NAME] section", c->e[i].key, NULL);
}

int automate_read(struct automations *a, struct desk *d,
    void (*report)(const char *file, int line, const char *msg))
{
	memset(a, 0, sizeof *a);
	size_t len;
	char *text = desk_read_file(d, FILE_NAME, &len);
	if (!text)
		return 0;
	struct reader rd = { d, report, 0, { 0 }, 0 };
	size_t al;
	char *at = desk_read_file(d, "agents.csv", &al);
	rd.have_ag = at && agents_parse(&rd.ag, at, al, NULL) == 0;
	free(at);
	struct conf c;
	const char *err;
	int line = conf_parse(&c, FILE_NAME, text, len, &err);
	free(text);
	if (line)
		fault(&rd, line, "%s", err, NULL);
	else
		read_rules(&rd, a, &c);
	conf_free(&c);
	agents_free(&rd.ag);	/* what a faulty agents.csv filled too */
	return rd.faults;
}

void automate_free(struct automations *a)
{
	for (size_t i = 0; i < a->n; i++) {
		struct auto_rule *r = &a->v[i];
		free(r->name);
		free(r->agent);
		words_free(r->queue);
		words_free(r->tag);
		if (r->have_cal)
			calendar_free(&r->cal);
		free(r->tname);
		free(r->set_status);
		free(r->note);
		free(r->to);
	}
	free(a->v);
	memset(a, 0, sizeof *a);
}

/* --- what matches ---------------------------------------------------- */

/* The moments a rule may count from, by replay of the timeline. */
struct moments {
	long long at[SINCE_CREATED + 1];	/* by enum auto_since; 0: never */
};

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void moments_of(const struct ticket *t, struct moments *m)
{
	struct ticket s;
	ticket_start(&s, t->id);
	memset(m, 0, sizeof *m);
	for (size_t i = 0; i < t->nev; i++) {
		const struct event *e = &t->ev[i];
		const char *st = s.status, *as = s.assignee;
		ticket_step(&s, e);
		if (!m->at[SINCE_CREATED])
			m->at[SINCE_CREATED] = e->at;
		if (!same(st, s.status))
			m->at[SINCE_STATUS] = e->at;
		if (!same(as, s.assignee))
			m->at[SINCE_ASSIGNED] = e->at;
		if (e->merged || e->autom)
			continue;
		if (!strcmp(e->type, "received") && !json_is_true(json_object_get(e->json,
		    "internal")) && !json_object_get(e->json, "review"))
			m->at[SINCE_CUSTOMER] = e->at;
		else if (!strcmp(e->type, "replied"))
			m->at[SINCE_REPLY] = e->at;
	}
	ticket_free(&s);
	if (!m->at[SINCE_STATUS])
		m->at[SINCE_STATUS] = m->at[SINCE_CREATED];
	if (!m->at[SINCE_ASSIGNED])
		m->at[SINCE_ASSIGNED] = m->at[SINCE_CREATED];
}

/* Do r's conditions other than time hold for t?  NULL, or why not. */
static const char *conditions(const struct auto_rule *r, const struct ticket *t, char *b,
    size_t bn)
{
	int k = word_index(status_names, t->status);
	if (k < 0 || !(r->status & (1u << k)))
		return snprintf(b, bn, "status is %s", t->status), b;
	if ((r->assignee == WHO_NONE && t->assignee) || (r->assignee == WHO_SET && !t->assignee) ||
	    (r->assignee == WHO_LOGIN && !same(r->agent, t->assignee)))
		return snprintf(b, bn, "assignee is %s", t->assignee ? t->assignee : "none"), b;
	int inq = !r->queue || !r->queue[0];
	for (size_t i = 0; r->queue && r->queue[i]; i++)
		inq |= same(r->queue[i], t->queue);
	if (!inq)
		return snprintf(b, bn, "queue is %s", t->queue ? t->queue : "none"), b;
	for (size_t i = 0; r->tag && r->tag[i]; i++) {
		int not = r->tag[i][0] == '!';
		if (ticket_has_tag(t, r->tag[i] + not) == not)
			return snprintf(b, bn, "%s tagged %s", not ? "is" : "not", r->tag[i] + not), b;
	}
	return NULL;
}

/* The episode's start: the latest moment of what r looks at. */
static long long episode(const struct auto_rule *r, const struct moments *m)
{
	long long e = m->at[SINCE_STATUS];
	if (r->assignee != WHO_ANY && m->at[SINCE_ASSIGNED] > e)
		e = m->at[SINCE_ASSIGNED];
	if (r->since && m->at[r->since] > e)
		e = m->at[r->since];
	return e;
}

/* Has r acted on t in the episode that began at ep? */
static int acted(const struct auto_rule *r, const struct ticket *t, const char *ep)
{
	for (size_t i = 0; i < t->nev; i++) {
		json_t *o = t->ev[i].json;
		const char *rn = json_string_value(json_object_get(o, "rule"));
		const char *es = json_string_value(json_object_get(o, "episode"));
		if (rn && es && !strcmp(rn, r->name) && !strcmp(es, ep))
			return 1;
	}
	return 0;
}

/* Is r due on t at now?  1 with ep (the episode, RFC 3339) set, or 0
 * with why not in b. */
static int due(const struct auto_rule *r, const struct ticket *t, long long now, char ep[32],
    char *b, size_t bn)
{
	char sb[32];
	if (ticket_snoozed(t, now))	/* out of the queue until then */
		return snprintf(b, bn, "snoozed until %s", fmt_rfc3339(t->snooze_until, sb)), 0;
	if (conditions(r, t, b, bn))
		return 0;
	char x[32], y[32], z[32];
	struct moments m;
	moments_of(t, &m);
	fmt_rfc3339(episode(r, &m), ep);
	if (r->since) {
		long long from = m.at[r->since], waited;
		if (!from)
			return snprintf(b, bn, "no %s yet", since_names[r->since]), 0;
		waited = r->business ? calendar_seconds(&r->cal, from, now) : now - from;
		if (waited < r->after)
			return snprintf(b, bn, "%s of %s %s time since %s %s: not yet",
			    sla_fmt_duration(waited, x), sla_fmt_duration(r->after, y),
			    r->business ? "business" : "calendar", since_names[r->since],
			    fmt_rfc3339(from, z)), 0;
	}
	if (acted(r, t, ep))
		return snprintf(b, bn, "done already in this episode (since %s)", ep), 0;
	return 1;
}

/* --- what is done ---------------------------------------------------- */

struct run {
	struct desk *d;
	const struct automate_opts *o;
	struct agents ag;
	struct customers cu;
	struct filing *fil;
	const char *url;
	size_t failed;
};

/* An event of rule r in episode ep: by rule:NAME, its id from them. */
static json_t *rule_event(const struct run *x, const char *type, const struct auto_rule *r,
    const struct ticket *t, const char *ep)
{
	char by[80], key[200];
	snprintf(by, sizeof by, "rule:%s", r->name);
	json_t *e = event_new(type, by, x->d->now);
	snprintf(key, sizeof key, "%s/%s/%s/%s", t->id, r->name, ep, type);
	event_id_for(e, "rule", key);
	jw_str(e, "rule", r->name);
	jw_str(e, "episode", ep);
	return e;
}

/* The events as one commit (lock held); they are freed. */
static void record(struct run *x, const char *id, json_t **ev, size_t n, const char *msg)
{
	struct desk_tx *tx = desk_tx_new(x->d);
	char an[64], ae[300];
	ticket_append_events(tx, id, ev, n);
	desk_system_author(an, sizeof an, ae, sizeof ae);
	desk_tx_commit(tx, an, ae, msg);
}

static void said(struct run *x, const struct ticket *t, const struct auto_rule *r,
    const char *what)
{
	fprintf(x->o->out, "%s: rule %s: %s%s\n", t->id, r->name, x->o->dry_run ? "would " : "",
	    what);
}

/* set_status (and a note, internal): 1 when recorded. */
static int act_status(struct run *x, const struct auto_rule *r, const struct ticket *t,
    const char *ep)
{
	char w[200], msg[300];
	snprintf(w, sizeof w, "set status %s%s", r->set_status, r->note ? " with a note" : "");
	said(x, t, r, w);
	if (x->o->dry_run)
		return 0;
	json_t *ev[2];
	size_t n = 0;
	ev[n] = rule_event(x, "status", r, t, ep);
	jw_str(ev[n++], "status", r->set_status);
	if (r->note) {
		ev[n] = rule_event(x, "note", r, t, ep);
		jw_str(ev[n++], "text", r->note);
	}
	snprintf(msg, sizeof msg, "%s: status %s by rule %s\n", t->id, r->set_status, r->name);
	record(x, t->id, ev, n, msg);
	return 1;
}

/* An agent chosen as for a new ticket (filing.h): 1 when recorded. */
static int act_assign(struct run *x, const struct auto_rule *r, const struct ticket *t,
    const char *ep)
{
	const char *login;
	char why[200], w[300], msg[300];
	if (!x->fil) {
		struct filing_opts fo = { 0 };
		fo.clock = x->d->now;
		fo.dry_run = 1;
		x->fil = filing_new(x->d, &fo);
	}
	if (filing_pick(x->fil, t, &login, why, sizeof why) != 0) {
		if (x->o->explain)
			fprintf(x->o->explain, "%s: rule %s: nobody to assign: %s\n", t->id, r->name, why);
		return 0;
	}
	snprintf(w, sizeof w, "assign %s (%s)", login, why);
	said(x, t, r, w);
	if (x->o->dry_run)
		return 0;
	json_t *e = rule_event(x, "assigned", r, t, ep);
	jw_str(e, "agent", login);
	jw_str(e, "reason", why);
	snprintf(msg, sizeof msg, "%s: assigned to %s by rule %s\n", t->id, login, r->name);
	record(x, t->id, &e, 1, msg);
	return 1;
}

/* The template to the customer, as a reply of the desk's (compose.h),
 * recorded once the mailer accepted it (outbox.h): 1 when it left. */
static int act_reply(struct run *x, const struct auto_rule *r, const struct ticket *t,
    const char *ep)
{
	struct source s;
	memset(&s, 0, sizeof s);
	if (source_last(x->d, t, 0, &s) != 0) {
		warnx_("%s: rule %s: no customer message to answer", t->id, r->name);
		source_free(&s);
		return 0;
	}
	struct reply rp = { .d = x->d, .ag = &x->ag, .cu = &x->cu, .t = t, .s = &s,
		.rule = r->name, .tname = r->tname };
	reply_address(&rp, NULL, NULL, NULL, 0, NULL, NULL);
	/* no automatic mail to automatic mail (RFC 3834), nor to the desk */
	if (ticket_has_tag(t, "auto") || ticket_has_tag(t, "spam") ||
	    msg_is_automatic(&s.m, s.from) || desk_own_address(x->d, &x->ag, rp.to)) {
		if (x->o->explain)
			fprintf(x->o->explain, "%s: rule %s: no mail: the customer's message is "
			    "automatic, spam or the desk's own\n", t->id, r->name);
		reply_free(&rp);
		source_free(&s);
		return 0;
	}
	reply_render(&rp);
	reply_message(&rp, NULL, 0);
	char w[400];
	snprintf(w, sizeof w, "send template %s to %s", r->tname, rp.to);
	said(x, t, r, w);
	int sent = 0;
	if (!x->o->dry_run) {
		json_t *rec = reply_record(&rp, 0);
		size_t i;
		json_t *e;
		json_array_foreach(json_object_get(rec, "events"), i, e) {
			jw_str(e, "rule", r->name);
			jw_str(e, "episode", ep);
			if (i == 0 && r->set_status)
				jw_str(e, "status", r->set_status);
		}
		char err[300];
		sent = outbox_send(x->d, rec, rp.msg.p, rp.msg.len, x->url, err, sizeof err) == 0;
		json_decref(rec);
		if (!sent) {
			warnx_("%s: rule %s: not sent, nothing recorded: %s", t->id, r->name, err);
			x->failed++;
		}
		desk_lock(x->d);	/* and with it the record (outbox_finish) */
	}
	reply_free(&rp);
	source_free(&s);
	return sent;
}

/* Who a mail rule tells about t: lead (the leads of the queue's group),
 * assignee, addresses. */
static void mail_rcpt(struct run *x, const struct auto_rule *r, const struct ticket *t,
    struct addrs *to)
{
	char **w = words(r->to);
	const char *g = t->queue ? route_queue_group(x->d, t->queue) : NULL;
	for (size_t i = 0; w[i]; i++) {
		if (!strcmp(w[i], "lead")) {
			for (size_t k = 0; k < x->ag.n; k++)
				if (agent_is_lead(&x->ag.v[k], g))
					addrs_add(to, x->ag.v[k].email, x->ag.v[k].name);
		} else if (!strcmp(w[i], "assignee")) {
			struct agent *a = t->assignee ? agent_find(&x->ag, t->assignee) : NULL;
			if (a)
				addrs_add(to, a->email, a->name);
		} else
			addrs_add(to, w[i], NULL);
	}
	words_free(w);
}

/* The mail to an agent or a lead: the rule's note and the ticket's
 * summary (mail_about_ticket). */
static void mail_text(struct run *x, const struct auto_rule *r, const struct ticket *t,
    const struct addrs *to, struct buf *m)
{
	const char *dom = conf_get(&x->d->conf, "", "", "domain");
	char from[300], what[300], intro[300];
	snprintf(from, sizeof from, "mdesk@%s", dom ? dom : "localhost");
	snprintf(what, sizeof what, "rule %s", r->name);
	snprintf(intro, sizeof intro, "The automation rule %s matched ticket %s", r->name, t->id);
	mail_about_ticket(m, t, x->d->now, "mdesk", from, to, what, intro, r->note);
}

/* A mail to agents or leads through the desk's mailer, then its record
 * (a "notified" event): 1 when recorded. */
static int act_mail(struct run *x, const struct auto_rule *r, const struct ticket *t,
    const char *ep)
{
	struct addrs to = { 0 };
	mail_rcpt(x, r, t, &to);
	if (!to.n) {
		warnx_("%s: rule %s: nobody to tell (to = %s)", t->id, r->name, r->to);
		addrs_free(&to);
		return 0;
	}
	struct buf w = { 0 };
	buf_adds(&w, "mail ");
	for (size_t i = 0; i < to.n; i++) {
		buf_adds(&w, i ? ", " : "");
		buf_adds(&w, to.addr[i]);
	}
	said(x, t, r, w.p);
	buf_free(&w);
	int done = 0;
	if (!x->o->dry_run) {
		struct buf m = { 0 };
		mail_text(x, r, t, &to, &m);
		char err[300];
		desk_unlock(x->d);	/* the mailer runs without the desk lock */
		int bad = mail_send(x->url, m.p, m.len, err, sizeof err);
		desk_lock(x->d);
		if (bad) {
			warnx_("%s: rule %s: not sent, nothing recorded: %s", t->id, r->name, err);
			x->failed++;
		} else {
			json_t *e = rule_event(x, "notified", r, t, ep);
			json_t *a = json_array();
			for (size_t i = 0; i < to.n; i++)
				json_array_append_new(a, jw_cstr(to.addr[i]));
			json_object_set_new(e, "to", a);
			char msg[300];
			snprintf(msg, sizeof msg, "%s: mail by rule %s\n", t->id, r->name);
			record(x, t->id, &e, 1, msg);
			done = 1;
		}
		buf_free(&m);
	}
	addrs_free(&to);
	return done;
}

static int act(struct run *x, const struct auto_rule *r, const struct ticket *t, const char *ep)
{
	switch (r->action) {
	case ACT_REPLY: return act_reply(x, r, t, ep);
	case ACT_STATUS: return act_status(x, r, t, ep);
	case ACT_MAIL: return act_mail(x, r, t, ep);
	case ACT_ASSIGN: return act_assign(x, r, t, ep);
	}
	return 0;
}

/* --- the run --------------------------------------------------------- */

static void run_setup(struct run *x)
{
	size_t len;
	char *t = desk_read_file(x->d, "agents.csv", &len);
	agents_load(&x->ag, t, len);
	free(t);
	t = desk_read_file(x->d, "customers.csv", &len);
	if (t && customers_parse(&x->cu, t, len, NULL) != 0)
		die(EX_CONFIG, "customers.csv has errors; run 'mdesk check'");
	free(t);
	const char *u = conf_get(&x->d->conf, "mail", "", "mailer");
	x->url = u ? u : "sendmail:///usr/sbin/sendmail";
}

/* Every rule on ticket id, in order; a rule that acted changes the
 * ticket the next ones see. */
static void run_ticket(struct run *x, const struct automations *a, const char *id)
{
	struct ticket t;
	if (ticket_load(x->d, id, &t, NULL, 1) != 0)
		return;
	for (size_t i = 0; i < a->n; i++) {
		const struct auto_rule *r = &a->v[i];
		char ep[32], why[300];
		if (x->o->only && strcmp(x->o->only, r->name))
			continue;
		int k = due(r, &t, x->d->now, ep, why, sizeof why);
		int st = word_index(status_names, t.status);
		if (x->o->explain && st >= 0 && (r->status & (1u << st)))
			fprintf(x->o->explain, "%s: rule %s: %s\n", t.id, r->name, k ? "due" : why);
		if (!k || !act(x, r, &t, ep))
			continue;
		ticket_free(&t);
		if (ticket_load(x->d, id, &t, NULL, 1) != 0)
			return;
	}
	ticket_free(&t);
}

const struct auto_rule *automate_find(const struct automations *a, const char *name)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i].name, name))
			return &a->v[i];
	return NULL;
}

/* One run at a time (.git/mdesk/automate.lock, held to the end): a
 * reply waits in the outbox, not yet an event, while the mailer has it,
 * and a second run must not send it again.  The descriptor, or exits 75
 * when another run is at work. */
static int run_lock(struct desk *d)
{
	char *p = xmalloc(strlen(d->state) + 20);
	sprintf(p, "%s/automate.lock", d->state);
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	free(p);
	if (fd < 0)
		die(EX_CANTCREAT, "%s/automate.lock: %s", d->state, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) != 0)
		die(EX_TEMPFAIL, "another mdesk automate is at work on this desk; nothing done");
	return fd;
}

size_t automate_run(const struct automations *a, struct desk *d, const struct automate_opts *o)
{
	struct run x = { .d = d, .o = o };
	unsigned want = 0;
	for (size_t i = 0; i < a->n; i++)
		if (!o->only || !strcmp(o->only, a->v[i].name))
			want |= a->v[i].status;
	if (!a->n)
		return 0;
	int lk = o->dry_run ? -1 : run_lock(d);
	run_setup(&x);
	if (!o->dry_run)
		desk_lock(d);
	size_t n;
	const struct tsum *ts = tickets_summary(d, 0, &n);
	char (*ids)[16] = xmalloc((n + 1) * sizeof *ids);
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		int k = word_index(status_names, ts[i].status);
		if (k >= 0 && (want & (1u << k)))
			memcpy(ids[m++], ts[i].id, 16);
	}
	for (size_t i = 0; i < m; i++)
		run_ticket(&x, a, ids[i]);
	free(ids);
	if (x.fil)
		filing_free(x.fil);
	if (!o->dry_run) {
		tickets_upkeep(d);
		desk_unlock(d);
		close(lk);
	}
	agents_free(&x.ag);
	customers_free(&x.cu);
	return x.failed;
}
