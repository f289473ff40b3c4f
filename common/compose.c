/* compose.c: a desk's outgoing mail; see compose.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <magic.h>
#include <mailutils/mailutils.h>

#include "compose.h"
#include "jsonw.h"
#include "mime.h"
#include "sla.h"
#include "subject.h"
#include "tickets.h"

/* a, v and z onto b: "Name: " value "\n", a signature. */
static void adds3(struct buf *b, const char *a, const char *v, const char *z)
{
	buf_adds(b, a);
	buf_adds(b, v);
	buf_adds(b, z);
}

/* s wrapped at 72 columns onto b, ending in one line break. */
static void add_wrapped(struct buf *b, const char *s)
{
	char *w = text_wrap(s, 72);
	buf_adds(b, w);
	free(w);
	while (b->len && b->p[b->len - 1] == '\n')
		b->p[--b->len] = 0;
	buf_addc(b, '\n');
}

/* --- the message answered --- */

int source_open(struct source *s, char *raw, size_t len)
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
		return -1;
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
	return 0;
}

json_t *source_event(const struct ticket *t, const char *mid)
{
	size_t i;
	json_t *e, *found = NULL;
	json_array_foreach(t->events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		const char *m = json_string_value(json_object_get(e, "message_id"));
		/* the last customer message: not a third party's (internal), nor
		 * one in an agent's name (review) */
		if (!mid && (json_is_true(json_object_get(e, "internal")) ||
		    json_object_get(e, "review")))
			continue;
		if (ty && m && (!strcmp(ty, "received") || !strcmp(ty, "replied")) &&
		    (!mid || !strcmp(m, mid)) && (mid || !strcmp(ty, "received")))
			found = e;
	}
	return found;
}

int source_last(struct desk *d, const struct ticket *t, int archived, struct source *s)
{
	json_t *rev = source_event(t, NULL);
	const char *file = rev ? json_string_value(json_object_get(rev, "file")) : NULL;
	const char *at = rev ? json_string_value(json_object_get(rev, "at")) : NULL;
	size_t len;
	char *raw = file ? ticket_read(d, t->id, file, &len, archived) : NULL;
	if (!raw)
		return -1;
	if (source_open(s, raw, len) != 0)
		return -1;
	s->at = t->created;
	if (at)
		parse_rfc3339(at, &s->at);
	return 0;
}

void source_free(struct source *s)
{
	msg_free(&s->m);
	free(s->raw);
	s->raw = NULL;
}

/* --- placeholders --- */

static void set_value(struct reply *r, const char *name, const char *value)
{
	int k = word_index(tpl_placeholders, name);
	if (k < 0)
		die(EX_SOFTWARE, "no placeholder %s", name);
	free((char *)r->values[k]);
	r->values[k] = xstrdup(value ? value : "");
}

/* The value of a placeholder for reply ctx; "" when it has none. */
static const char *reply_value(void *ctx, const char *name)
{
	const struct reply *r = ctx;
	int k = word_index(tpl_placeholders, name);
	return k < 0 ? NULL : r->values[k] ? r->values[k] : "";
}

void mail_mailers(void)
{
	static int done;
	if (!done) {
		mu_registrar_record(mu_sendmail_record);
		mu_registrar_record(mu_smtp_record);
		mu_registrar_record(mu_smtps_record);
	}
	done = 1;
}

/* --- who gets it --- */

void reply_address(struct reply *r, const struct addrs *to, const struct addrs *cc,
    const struct addrs *bcc, int no_cc,
    void (*claim)(void *ctx, const char *field, const char *addr), void *ctx)
{
	const struct ticket *t = r->t;
	const char *who = t->customer, *name = t->customer_name;
	if (!who || !addr_plain(who))
		who = r->s->from, name = r->s->from_name;
	if (claim)
		reply_claims(&r->s->m, who, claim, ctx);
	struct addrs *R = r->rcpt;
	if (to && to->n)
		for (size_t k = 0; k < to->n; k++)
			addrs_add(&R[0], to->addr[k], to->name[k]);
	else if (who && addr_plain(who)) {
		/* the customer's name: customers.csv's record of the person (a
		 * domain's record names a company), else what the desk knows */
		struct customer *cu = r->cu ? customer_find(r->cu, who) : NULL;
		int person = cu && strchr(cu->key, '@') != NULL;
		const char *cn = person && *cu->name ? cu->name : name && *name ? name :
		    t->customer_name && t->customer && !strcasecmp(t->customer, who) ?
		    t->customer_name : NULL;
		addrs_add(&R[0], who, cn);
	}
	if (!R[0].n)
		die(EX_DATAERR, "%s: the message has no address to answer", t->id);
	r->to = R[0].addr[0];
	r->cname = R[0].name[0] ? xstrdup(R[0].name[0]) : NULL;
	if ((cc && cc->n) || no_cc)
		for (size_t k = 0; cc && k < cc->n; k++)
			addrs_add(&R[1], cc->addr[k], cc->name[k]);
	else if (!r->ack) {	/* everyone in the conversation who is not the desk */
		struct addrs all = { 0 };
		ticket_participants(r->d, r->ag, t, r->archived, &all);
		for (size_t k = 0; k < all.n; k++)
			if (!addrs_has(&R[0], all.addr[k]))
				addrs_add(&R[1], all.addr[k], all.name[k]);
		addrs_free(&all);
	}
	for (size_t k = 0; bcc && k < bcc->n; k++)
		addrs_add(&R[2], bcc->addr[k], bcc->name[k]);
}

/* --- what it says --- */

/* The attribution line of a quote, in the reply's language, wrapped
 * (malloc'd). */
static char *attribution(struct reply *r)
{
	static const struct { const char *lang, *dated, *undated; } forms[] = {
		{ "pt", "Em %D, %W escreveu:", "%W escreveu:" },
		{ "es", "El %D, %W escribió:", "%W escribió:" },
		{ "ru", "%D, %W написал(а):", "%W написал(а):" },
		{ "en", "On %D, %W wrote:", "%W wrote:" },
	};
	struct source *s = r->s;
	struct buf b = { 0 };
	long long t;
	char when[200] = "";
	if (msg_date(&s->m, &t) == 0)
		due_format(t, r->tz, r->lang, when, sizeof when);
	const char *who = s->from_name && *s->from_name ? s->from_name : s->from ? s->from : "?";
	size_t k = 3;
	for (size_t i = 0; r->lang && i < 3; i++)
		if (!strncmp(r->lang, forms[i].lang, 2))
			k = i;
	for (const char *f = *when ? forms[k].dated : forms[k].undated; *f; f++) {
		if (f[0] == '%' && f[1] == 'D')
			buf_adds(&b, when), f++;
		else if (f[0] == '%' && f[1] == 'W')
			buf_adds(&b, who), f++;
		else
			buf_addc(&b, *f);
	}
	buf_addc(&b, '\n');
	char *w = text_wrap(b.p, 72);
	buf_free(&b);
	return w;
}

/* The language and the queue the mail goes from. */
static void reply_queue(struct reply *r)
{
	struct desk *d = r->d;
	const struct ticket *t = r->t;
	struct customer *cu = r->cu && r->to ? customer_find(r->cu, r->to) : NULL;
	r->lang = t->lang && *t->lang ? t->lang : cu && *cu->language ? cu->language :
	    conf_or(&r->d->conf, "", "", "language", "en");
	r->tz = conf_or(&r->d->conf, "", "", "timezone", "UTC");
	const char *queue = t->queue && *t->queue ? t->queue : NULL;
	if (!queue || !conf_get(&d->conf, "queue", queue, "address"))
		for (size_t i = 0; i < d->conf.nsecs; i++)
			if (!strcmp(d->conf.secs[i].section, "queue")) {
				queue = d->conf.secs[i].name;
				break;
			}
	if (!queue)
		die(EX_CONFIG, "desk.conf: no [queue NAME] to answer from");
	r->queue = queue;
	r->qaddr = conf_or(&r->d->conf, "queue", queue, "address", NULL);
	if (!r->qaddr)
		die(EX_CONFIG, "desk.conf: [queue %s] has no address", queue);
	r->deskname = conf_or(&r->d->conf, "", "", "name", NULL);
	if (!r->deskname) {
		const char *sl = strrchr(d->root, '/');
		r->deskname = sl ? sl + 1 : d->root;
	}
	r->qname = conf_or(&r->d->conf, "queue", queue, "name", r->deskname);
}

int reply_template(struct desk *d, const char *name, const char *lang, char *out, size_t n)
{
	size_t nf;
	char **files = desk_list(d, "templates", &nf);
	int rc = tpl_pick(files, nf, name, lang, out, n);
	desk_list_free(files, nf);
	return rc;
}

/* The language, the queue and the template. */
static void reply_setup(struct reply *r)
{
	struct desk *d = r->d;
	reply_queue(r);
	if (reply_template(d, r->tname, r->lang, r->tpath, sizeof r->tpath) != 0)
		die(EX_CONFIG, "templates/%s.txt: no such template (see mreply --list)", r->tname);
	size_t tl;
	char *ttext = desk_read_file(d, r->tpath, &tl);
	if (!ttext)
		die(EX_CONFIG, "%s: cannot read: %s", r->tpath, strerror(errno));
	if (tpl_parse(&r->tp, r->tpath, ttext, tl, tpl_report_stderr, NULL) != 0)
		die(EX_CONFIG, "%s has faults (see mreply --check)", r->tpath);
	r->have_tp = 1;
	free(ttext);
}

/* The values of the placeholders. */
static void reply_values(struct reply *r)
{
	const struct ticket *t = r->t;
	const struct agent *a = r->agent;
	char fn[256];
	set_value(r, "customer.name", r->cname ? r->cname : r->to);
	msg_first_name(r->cname, fn, sizeof fn);
	set_value(r, "customer.first_name", fn);
	set_value(r, "customer.email", r->to);
	if (a) {
		set_value(r, "agent.name", a->name);
		first_name(a->name, fn, sizeof fn);
		set_value(r, "agent.first_name", fn);
		set_value(r, "agent.email", a->email);
		char sig[600];
		snprintf(sig, sizeof sig, "%s\n%s", a->name, r->qname);
		set_value(r, "agent.signature", sig);
	}
	set_value(r, "ticket.id", t->id);
	const char *tsubj = t->subject ? t->subject : msg_text(&r->s->m, "Subject");
	struct buf ts = { 0 };
	subject_drop_tokens(&ts, tsubj ? tsubj : "");
	set_value(r, "ticket.subject", ts.p);
	buf_free(&ts);
	set_value(r, "ticket.status", t->status);
	set_value(r, "ticket.priority", t->priority);
	set_value(r, "queue.name", r->qname);
	set_value(r, "queue.address", r->qaddr);
	set_value(r, "desk.name", r->deskname);
	if (r->words)
		set_value(r, "reply.text", r->words);
	/* due times: the shared SLA core (sla.h), under the desk's sla.conf */
	static const struct { const char *ph; enum sla_metric m; } dues[] = {
		{ "sla.first_reply.due", SLA_FIRST_REPLY },
		{ "sla.next_reply.due", SLA_NEXT_REPLY },
		{ "sla.resolution.due", SLA_RESOLUTION } };
	for (int k = 0; k < 3; k++) {
		long long due = 0;
		char b[200] = "";
		if (sla_due(r->d, t, dues[k].m, r->d->now, &due) == 0 && due > 0)
			due_format(due, r->tz, r->lang, b, sizeof b);
		set_value(r, dues[k].ph, b);
	}
}

/* The subject: the template's (with the token), else one Re: and one token. */
static void reply_subject(struct reply *r)
{
	char err[300];
	const char *id = r->t->id, *ts_h = tpl_header(&r->tp, "Subject");
	if (ts_h) {
		r->subject = tpl_render(ts_h, reply_value, r, 1, err, sizeof err);
		if (!r->subject)
			die(EX_CONFIG, "%s: Subject: %s", r->tpath, err);
		char tok[16];
		if (!subject_token(r->subject, tok) || strcmp(tok, id)) {
			char *x = xmalloc(strlen(r->subject) + 32);
			sprintf(x, "%s [#%s]", r->subject, id);
			free(r->subject);
			r->subject = x;
		}
		return;
	}
	const char *orig = msg_text(&r->s->m, "Subject");
	r->subject = subject_reply(orig ? orig : "", id);
}

/* The template's Cc and Bcc join the copies. */
static void template_copies(struct reply *r)
{
	char err[300];
	const char *lists[2] = { "Cc", "Bcc" };
	for (int k = 0; k < 2; k++) {
		const char *v = tpl_header(&r->tp, lists[k]);
		char *x = v ? tpl_render(v, reply_value, r, 1, err, sizeof err) : NULL;
		if (v && !x)
			die(EX_CONFIG, "%s: %s: %s", r->tpath, lists[k], err);
		if (x && *x && addrs_parse(&r->rcpt[k + 1], x) != 0)
			die(EX_DATAERR, "%s: %s: '%s' is not a list of addresses", r->tpath, lists[k], x);
		free(x);
	}
}

/* The customer's text quoted, after an attribution line. */
static void reply_quote(struct reply *r, struct buf *text)
{
	char *ct = mime_text(r->s->raw, r->s->len);
	char *q = text_quote(ct), *aw = attribution(r);
	buf_adds(text, aw);
	free(aw);
	buf_adds(text, q);
	free(q);
	free(ct);
}

void reply_render(struct reply *r)
{
	reply_setup(r);
	reply_values(r);
	reply_subject(r);
	template_copies(r);
	char err[300];
	char *body = tpl_render(r->tp.body, reply_value, r, 0, err, sizeof err);
	if (!body)
		die(EX_CONFIG, "%s: %s", r->tpath, err);
	struct buf *text = &r->text;
	add_wrapped(text, body);
	free(body);
	if (r->agent && !strstr(r->tp.body, "agent.signature") && !strstr(r->tp.body, "agent.name")) {
		adds3(text, "\n-- \n", reply_value(r, "agent.signature"), "\n");
	}
	if (r->quote) {
		buf_addc(text, '\n');
		reply_quote(r, text);
	}
}

/* --- drafts --- */

static void draft_list(struct buf *b, const char *name, const struct addrs *l)
{
	buf_adds(b, name);
	buf_adds(b, ":");
	for (size_t i = 0; i < l->n; i++) {
		buf_adds(b, i ? ", " : " ");
		if (l->name[i]) {
			int q = strpbrk(l->name[i], "()<>[]:;@\\,.\"") != NULL;
			buf_adds(b, q ? "\"" : "");
			for (const char *c = l->name[i]; *c; c++) {
				if (q && (*c == '"' || *c == '\\'))
					buf_addc(b, '\\');
				buf_addc(b, *c);
			}
			adds3(b, q ? "\" <" : " <", l->addr[i], ">");
		} else
			buf_adds(b, l->addr[i]);
	}
	buf_addc(b, '\n');
}

char *reply_draft(struct reply *r, int with_template)
{
	struct buf b = { 0 };
	draft_list(&b, "To", &r->rcpt[0]);
	draft_list(&b, "Cc", &r->rcpt[1]);
	draft_list(&b, "Bcc", &r->rcpt[2]);
	adds3(&b, "Subject: ", r->subject, "\n\n");
	if (with_template)
		buf_add(&b, r->text.p, r->text.len);
	else {
		buf_adds(&b, "\n");
		if (r->agent) {
			adds3(&b, "\n-- \n", reply_value(r, "agent.signature"), "\n");
		}
	}
	if (!with_template || !r->quote) {
		buf_addc(&b, '\n');
		reply_quote(r, &b);
	}
	buf_cstr(&b);
	return b.p;
}

/* Is the agent's part of a draft's body empty: nothing but blanks before
 * the signature, the quote or its attribution? */
static int answer_empty(struct reply *r, const char *body)
{
	char *aw = attribution(r);
	size_t al = strcspn(aw, "\n");
	int empty = 1;
	for (const char *l = body; *l && empty;) {
		size_t n = strcspn(l, "\n");
		if ((n == 3 && !memcmp(l, "-- ", 3)) || *l == '>' || (n == al && !memcmp(l, aw, n)))
			break;
		for (size_t i = 0; i < n; i++)
			if (l[i] != ' ' && l[i] != '\t' && l[i] != '\r')
				empty = 0;
		l += n + (l[n] == '\n');
	}
	free(aw);
	return empty;
}

int reply_from_draft(struct reply *r, const char *draft, char *err, size_t en)
{
	struct addrs l[3];
	memset(l, 0, sizeof l);
	char *subject = NULL;
	const char *p = draft;
	int line = 0, rc = 0;
	static const char *const names[] = { "To", "Cc", "Bcc", "Subject" };
	while (*p && *p != '\n' && !rc) {
		line++;
		struct buf v = { 0 };
		size_t n = strcspn(p, "\n"), k;
		const char *colon = memchr(p, ':', n);
		for (k = 0; k < 4; k++)
			if (colon && (size_t)(colon - p) == strlen(names[k]) &&
			    !strncasecmp(p, names[k], strlen(names[k])))
				break;
		if (k == 4) {
			snprintf(err, en, "line %d: '%.*s' is not To, Cc, Bcc or Subject (a blank line "
			    "ends them)", line, (int)(n > 60 ? 60 : n), p);
			rc = -1;
			break;
		}
		buf_add(&v, colon + 1, n - (size_t)(colon + 1 - p));
		p += n + (p[n] == '\n');
		while (*p == ' ' || *p == '\t') {	/* folded */
			n = strcspn(p, "\n");
			line++;
			buf_add(&v, p, n);
			p += n + (p[n] == '\n');
		}
		const char *val = buf_cstr(&v);
		while (*val == ' ' || *val == '\t')
			val++;
		if (k == 3) {
			free(subject);
			subject = utf8_clean(val, strlen(val), 1);
		} else if (*val && addrs_parse(&l[k], val) != 0) {
			snprintf(err, en, "line %d: %s: '%.60s' is not a list of addresses", line,
			    names[k], val);
			rc = -1;
		}
		buf_free(&v);
	}
	if (!rc && !l[0].n) {
		snprintf(err, en, "no To: whom does the answer go to?");
		rc = -1;
	}
	const char *body = *p == '\n' ? p + 1 : p;
	if (!rc && answer_empty(r, body)) {
		snprintf(err, en, "an empty answer");
		rc = 1;
	}
	if (!rc && !utf8_valid(body, strlen(body))) {
		snprintf(err, en, "the answer is not UTF-8 text");
		rc = -1;
	}
	if (rc) {
		for (int k = 0; k < 3; k++)
			addrs_free(&l[k]);
		free(subject);
		return rc;
	}
	for (int k = 0; k < 3; k++) {
		addrs_free(&r->rcpt[k]);
		r->rcpt[k] = l[k];
	}
	r->to = r->rcpt[0].addr[0];
	if (subject && *subject) {
		free(r->subject);
		r->subject = subject;
	} else
		free(subject);
	r->text.len = 0;
	buf_adds(&r->text, body);
	while (r->text.len && (r->text.p[r->text.len - 1] == '\n' || r->text.p[r->text.len - 1] == ' '))
		r->text.p[--r->text.len] = 0;
	buf_addc(&r->text, '\n');
	return 0;
}

/* --- the message --- */

/* The threading fields: In-Reply-To, References, Outlook's Thread-*. */
static void threading(struct reply *r, struct buf *out)
{
	struct source *s = r->s;
	if (s->ids.mid[0]) {
		adds3(out, "In-Reply-To: <", s->ids.mid, ">\n");
	}
	/* a parent without References: its In-Reply-To stands for them */
	const char *irt1[1] = { s->ids.irt };
	const char *parent = s->ids.mid[0] ? s->ids.mid : NULL;
	if (s->ids.nrefs == 0 && s->ids.irt[0])
		hdr_references(out, irt1, 1, parent, 20);
	else
		hdr_references(out, s->ids.refs, s->ids.nrefs, parent, 20);
	const char *tix = msg_raw(&s->m, "Thread-Index", 1);
	char tib[400];
	if (tix && thread_index_reply(tix, r->d->now, tib, sizeof tib) == 0) {
		const char *topic = msg_text(&s->m, "Thread-Topic");
		char *base = NULL;
		if (!topic) {
			const char *o = msg_text(&s->m, "Subject");
			topic = base = subject_base(o ? o : "", NULL);
		}
		hdr_text(out, "Thread-Topic", topic);
		adds3(out, "Thread-Index: ", tib, "\n");
		free(base);
	}
}

/* The header down to the MIME fields. */
static void reply_header(struct reply *r, struct buf *out)
{
	char date[64];
	rfc5322_date(r->d->now, date, sizeof date);
	const char *dom = conf_or(&r->d->conf, "", "", "domain",
	    strrchr(r->qaddr, '@') + 1);
	msgid_new(r->mid, sizeof r->mid, dom, r->d->now);
	adds3(out, "Date: ", date, "\n");
	const struct agent *a = r->agent;
	const char *fromw = conf_or(&r->d->conf, "queue", r->queue, "from", "queue");
	if (a && !strcmp(fromw, "agent") && addr_plain(a->email)) {
		hdr_addr(out, "From", a->name, a->email);
		hdr_addr(out, "Reply-To", r->qname, r->qaddr);
	} else if (hdr_addr(out, "From", r->qname, r->qaddr) != 0)
		die(EX_CONFIG, "desk.conf: [queue %s] address '%s' is not an address", r->queue,
		    r->qaddr);
	hdr_addrs(out, "To", &r->rcpt[0]);
	hdr_addrs(out, "Cc", &r->rcpt[1]);
	hdr_addrs(out, "Bcc", &r->rcpt[2]);
	hdr_text(out, "Subject", r->subject);
	adds3(out, "Message-ID: <", r->mid, ">\n");
	if (!r->forward)
		threading(r, out);
	if (r->ack || r->rule) {
		buf_adds(out, r->ack ? "Auto-Submitted: auto-replied\n" :
		    "Auto-Submitted: auto-generated\n");
		buf_adds(out, "X-Auto-Response-Suppress: All\n");
	}
	buf_adds(out, "MIME-Version: 1.0\n");
}

/* The text part's fields and its quoted-printable body. */
static void text_part(struct reply *r, struct buf *out)
{
	char lang[32];		/* of the text sent: the template's, the customer's */
	tpl_lang(r->tpath, conf_or(&r->d->conf, "", "", "language", "en"), lang, sizeof lang);
	size_t ll = strlen(lang);	/* when a region of it ("pt" -> "pt-br") */
	if (r->lang && !strncasecmp(r->lang, lang, ll) && r->lang[ll] == '-')
		snprintf(lang, sizeof lang, "%s", r->lang);
	buf_adds(out, "Content-Type: text/plain; charset=UTF-8\n");
	buf_adds(out, "Content-Transfer-Encoding: quoted-printable\n");
	if (*lang && strlen(lang) < 20 && strspn(lang,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") == strlen(lang)) {
		adds3(out, "Content-Language: ", lang, "\n");
	}
	buf_addc(out, '\n');
	char *qp = qp_encode(r->text.p, r->text.len);
	buf_adds(out, qp);
	free(qp);
}

/* A file to attach, read whole (at most max bytes). */
static char *read_attachment(const char *path, size_t max, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(EX_NOINPUT, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		die(EX_NOINPUT, "%s: not a regular file", path);
	if ((unsigned long long)st.st_size > max)
		die(EX_DATAERR, "%s: %lld bytes, more than [mail] attach_max of desk.conf (%zu)",
		    path, (long long)st.st_size, max);
	char *p = big_read_fd(fd, max, len);
	int e = errno;
	close(fd);
	if (!p)
		die(EX_NOINPUT, "%s: %s", path, strerror(e));
	return p;
}

/* The MIME type of a file's bytes, by libmagic; a safe default. */
static void mime_type_of(const char *p, size_t n, char *out, size_t on)
{
	snprintf(out, on, "application/octet-stream");
	magic_t mg = magic_open(MAGIC_MIME_TYPE | MAGIC_ERROR);
	if (mg && magic_load(mg, NULL) == 0) {
		const char *t = magic_buffer(mg, p, n);
		/* type/subtype of token characters only: it becomes a header */
		if (t && strlen(t) < on && strchr(t, '/') &&
		    strspn(t, "abcdefghijklmnopqrstuvwxyz0123456789!#$&^_.+-/") == strlen(t))
			snprintf(out, on, "%s", t);
	}
	if (mg)
		magic_close(mg);
}

/* Can a message go as a message/rfc822 part (RFC 2046 5.2.1: 7bit or
 * 8bit, no encoding): no NUL, no bare CR, lines of at most 998 bytes?
 * 0 no, 7 or 8. */
static int message_part_ok(const char *p, size_t n)
{
	int eight = 0;
	size_t col = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		if (!c || (c == '\r' && (i + 1 == n || p[i + 1] != '\n')))
			return 0;
		eight |= c >= 0x80;
		col = c == '\n' ? 0 : col + 1;
		if (col > 998)
			return 0;
	}
	return n && msg_header_len(p, n) < n ? (eight ? 8 : 7) : 0;
}

/* One attached part: a file (name) or a message (name NULL), its type
 * from libmagic, base64 but for a message. */
void compose_part(struct buf *out, const char *name, const char *p, size_t n)
{
	char type[128];
	mime_type_of(p, n, type, sizeof type);
	int msg = !name || !strcmp(type, "message/rfc822") ? message_part_ok(p, n) : 0;
	adds3(out, "Content-Type: ", msg ? "message/rfc822" : !strcmp(type, "message/rfc822") ?
	    "application/octet-stream" : type, "\n");
	buf_adds(out, msg == 8 ? "Content-Transfer-Encoding: 8bit\n" : msg ?
	    "Content-Transfer-Encoding: 7bit\n" : "Content-Transfer-Encoding: base64\n");
	if (name) {
		char *clean = utf8_clean(name, strlen(name), 1);
		hdr_filename(out, "Content-Disposition: attachment", clean);
		free(clean);
	} else
		buf_adds(out, "Content-Disposition: inline\n");
	buf_addc(out, '\n');
	if (msg) {
		buf_add(out, p, n);
		if (p[n - 1] != '\n')
			buf_addc(out, '\n');
		return;
	}
	b64_encode(out, p, n, 1);
}

void reply_message(struct reply *r, const char *const *files, size_t nfiles)
{
	struct buf *out = &r->msg;
	out->len = 0;
	reply_header(r, out);
	snprintf(r->digest, sizeof r->digest, "%016llx",
	    (unsigned long long)hash64(r->text.p ? r->text.p : "", r->text.len));
	if (!nfiles && !r->nfwd) {
		text_part(r, out);
		return;
	}
	unsigned long long max = 25ULL << 20;
	const char *mx = conf_get(&r->d->conf, "mail", "", "attach_max");
	if (mx && *mx && (conf_size(mx, &max) != 0 || max == 0))
		die(EX_CONFIG, "desk.conf:%d: [mail] attach_max: '%s' is not a size like 10M",
		    conf_line(&r->d->conf, "mail", "", "attach_max"), mx);
	char sep[64], rnd[17];	/* sep: "\n--BOUNDARY\n" */
	random_hex(rnd);
	snprintf(sep, sizeof sep, "\n--=_mdesk_%s\n", rnd);
	buf_adds(out, "Content-Type: multipart/mixed; boundary=\"");
	buf_add(out, sep + 3, strlen(sep) - 4);
	buf_adds(out, "\"\n\nThis is a message in MIME format.\n");
	buf_adds(out, sep);
	text_part(r, out);
	for (size_t i = 0; i < r->nfwd; i++) {	/* the messages forwarded */
		buf_adds(out, sep);
		compose_part(out, NULL, r->fwd[i].p, r->fwd[i].len);
	}
	size_t total = 0;
	for (size_t i = 0; i < nfiles; i++) {
		size_t len;
		char *data = read_attachment(files[i], (size_t)max - total, &len);
		const char *base = strrchr(files[i], '/');
		total += len;
		buf_adds(out, sep);
		compose_part(out, base ? base + 1 : files[i], data, len);
		big_free(data, len + 1);
	}
	buf_add(out, sep, strlen(sep) - 1);
	buf_adds(out, "--\n");
}

/* --- the record --- */

/* The template's X-Mdesk-Tags as tagged and untagged events. */
static void tag_events(const struct reply *r, const char *by, json_t *evs)
{
	const char *tags = tpl_header(&r->tp, "X-Mdesk-Tags");
	if (!tags)
		return;
	json_t *add = json_array(), *del = json_array();
	char *tg = xstrdup(tags), *save = NULL;
	for (char *x = strtok_r(tg, " \t,", &save); x; x = strtok_r(NULL, " \t,", &save)) {
		int minus = *x == '-';
		if (*x == '+' || *x == '-')
			x++;
		if (!*x)
			continue;
		if (minus && ticket_has_tag(r->t, x))
			json_array_append_new(del, json_string(x));
		else if (!minus && !ticket_has_tag(r->t, x))
			json_array_append_new(add, json_string(x));
	}
	free(tg);
	json_t *ch[2] = { add, del };
	for (int k = 0; k < 2; k++) {
		if (json_array_size(ch[k])) {
			json_t *e = event_new(k ? "untagged" : "tagged", by, r->d->now);
			json_object_set_new(e, "tags", ch[k]);
			json_array_append_new(evs, e);
		} else
			json_decref(ch[k]);
	}
}

/* The event of a mail sent (type, by whom): its agent, force (over
 * another's claim or answer, knowingly), Message-ID, To, the copies
 * ("cc", when there are any) and subject. */
static json_t *sent_event(const struct reply *r, const char *type, const char *by, int force)
{
	json_t *e = event_new(type, by, r->d->now);
	event_id_for(e, type, r->mid);
	if (r->agent)
		jw_str(e, "agent", r->agent->login);
	if (force)
		json_object_set_new(e, "force", json_true());
	jw_str(e, "message_id", r->mid);
	jw_str(e, "to", r->to);
	if (r->rcpt[1].n) {
		json_t *l = json_array();
		for (size_t k = 0; k < r->rcpt[1].n; k++)
			json_array_append_new(l, json_string(r->rcpt[1].addr[k]));
		json_object_set_new(e, "cc", l);
	}
	jw_str(e, "subject", r->subject);
	return e;
}

json_t *reply_record(const struct reply *r, int force)
{
	const struct agent *a = r->agent;
	long long now = r->d->now;
	char rb[80];
	snprintf(rb, sizeof rb, "rule:%.64s", r->rule ? r->rule : "");
	const char *by = a ? a->login : r->rule ? rb : "system";
	json_t *evs = json_array();
	json_t *e = sent_event(r, "replied", by, force);
	if (r->edited != 2)
		jw_str(e, "template", r->tname);
	if (r->edited)
		json_object_set_new(e, "edited", json_true());
	jw_str(e, "in_reply_to", r->s->mid);
	jw_str(e, "digest", r->digest);
	if (r->rule)
		jw_str(e, "rule", r->rule);
	if (r->ack || r->rule)
		json_object_set_new(e, "auto", json_true());
	if (!r->ack) {
		const char *st = tpl_header(&r->tp, "X-Mdesk-Status");
		jw_str(e, "status", st ? st : "pending");
	}
	json_array_append_new(evs, e);
	tag_events(r, by, evs);
	const char *pr = tpl_header(&r->tp, "X-Mdesk-Priority");
	if (pr && strcmp(pr, r->t->priority)) {
		e = event_new("priority", by, now);
		jw_str(e, "priority", pr);
		json_array_append_new(evs, e);
	}
	if (a) {
		long long secs = 30 * 60;
		conf_duration(conf_or(&r->d->conf, "", "", "claim_for", "30m"), &secs);
		char b[32];
		e = event_new("claimed", by, now);
		jw_str(e, "agent", a->login);
		if (force)
			json_object_set_new(e, "force", json_true());
		jw_str(e, "until", fmt_rfc3339(now + secs, b));
		json_array_append_new(evs, e);
	}
	char cm[600], an[128], ae[300];
	if (a)
		snprintf(cm, sizeof cm, "%s: replied by %s to %s (%s%s%s)\n", r->t->id, a->login,
		    r->to, r->edited == 2 ? "" : "template ", r->edited == 2 ? "" : r->tname,
		    r->edited == 2 ? "written in the editor" : r->edited ? ", edited" : "");
	else {
		if (r->rule)
			snprintf(cm, sizeof cm, "%s: %s to %s by rule %s\n", r->t->id, r->tname, r->to,
			    r->rule);
		else
			snprintf(cm, sizeof cm, "%s: acknowledged to %s\n", r->t->id, r->to);
		desk_system_author(an, sizeof an, ae, sizeof ae);
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:o}", "ticket", r->t->id, "name",
	    a ? a->name : an, "email", a ? a->email : ae, "message", cm, "events", evs);
}

json_t *reply_sent_before(const struct reply *r)
{
	size_t i;
	json_t *e;
	if (!r->agent)
		return NULL;
	json_array_foreach(r->t->events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		const char *by = json_string_value(json_object_get(e, "agent"));
		const char *irt = json_string_value(json_object_get(e, "in_reply_to"));
		const char *dg = json_string_value(json_object_get(e, "digest"));
		if (ty && !strcmp(ty, "replied") && by && !strcmp(by, r->agent->login) && irt &&
		    !strcmp(irt, r->s->mid) && dg && !strcmp(dg, r->digest))
			return e;
	}
	return NULL;
}

void reply_free(struct reply *r)
{
	for (int k = 0; k < 3; k++)
		addrs_free(&r->rcpt[k]);
	for (int k = 0; tpl_placeholders[k]; k++)
		free((char *)r->values[k]);
	if (r->have_tp)
		tpl_free(&r->tp);
	free(r->cname);
	free(r->subject);
	buf_free(&r->text);
	buf_free(&r->msg);
	for (size_t i = 0; i < r->nfwd; i++)
		buf_free(&r->fwd[i]);
	free(r->fwd);
}

/* --- forwards --- */

void forward_render(struct reply *r, int number)
{
	const struct ticket *t = r->t;
	reply_queue(r);
	const char *subj = t->subject ? t->subject : msg_text(&r->s->m, "Subject");
	char *base = subject_base(subj ? subj : "", NULL);
	struct buf b = { 0 };
	buf_adds(&b, "Fwd: ");
	subject_drop_tokens(&b, base);
	adds3(&b, b.len > 5 ? " [#" : "[#", t->id, "]");
	r->subject = b.p;
	free(base);
	if (r->words && *r->words)
		add_wrapped(&r->text, r->words);
	if (r->agent) {
		adds3(&r->text, r->text.len ? "\n-- \n" : "-- \n", r->agent->name, "\n");
		adds3(&r->text, "", r->qname, "\n");
	}
	/* the conversation: what the customer sent and the desk answered,
	 * never an internal message; or message number */
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		const char *file = json_string_value(json_object_get(e, "file"));
		if (!ty || !file || (strcmp(ty, "received") && strcmp(ty, "replied")) ||
		    json_is_true(json_object_get(e, "internal")) || (number && atoi(file) != number))
			continue;
		size_t len;
		char *raw = ticket_read(r->d, t->id, file, &len, r->archived);
		if (!raw)
			continue;
		r->fwd = xrealloc(r->fwd, (r->nfwd + 1) * sizeof *r->fwd);
		memset(&r->fwd[r->nfwd], 0, sizeof r->fwd[0]);
		buf_add(&r->fwd[r->nfwd++], raw, len);
		free(raw);
	}
	if (!r->nfwd)
		die(EX_DATAERR, number ? "%s: no message %d to forward (see mdesk show %s)" :
		    "%s: no message to forward", t->id, number, t->id);
}

json_t *forward_record(const struct reply *r)
{
	const struct agent *a = r->agent;
	json_t *e = sent_event(r, "forwarded", a->login, 0);
	json_object_set_new(e, "internal", json_true());
	char cm[600];
	snprintf(cm, sizeof cm, "%s: forwarded by %s to %s\n", r->t->id, a->login, r->to);
	return json_pack("{s:s, s:s, s:s, s:s, s:[o]}", "ticket", r->t->id, "name", a->name,
	    "email", a->email, "message", cm, "events", e);
}

