/* filing.c: incoming mail filed into the desk's tickets (see filing.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agents.h"
#include "calendar.h"
#include "desk.h"
#include "event.h"
#include "filing.h"
#include "conversation.h"
#include "index.h"
#include "jsonw.h"
#include "lang.h"
#include "mbox.h"
#include "mime.h"
#include "msg.h"
#include "route.h"
#include "sla.h"
#include "rules.h"
#include "subject.h"
#include "ticketid.h"
#include "tickets.h"
#include "util.h"

/* A batch is committed at the latest when it holds this many bytes of
 * mail, or this many tickets: what waits for the commit is in memory. */
#define BATCH_BYTES ((size_t)4 << 20)
#define BATCH_TICKETS 16384

/* A ticket the open batch has read or written, folded once: the events
 * this batch adds are folded onto it (ticket_fold_more) when next asked
 * for, instead of folding all of its events again for every message of
 * its thread. */
struct batch_ticket {
	char id[16];
	struct ticket t;
	int loaded;		/* t is the ticket (else: fold again when asked) */
	int archived;		/* t came from the archive branch */
	size_t folded;		/* bytes of the batch's pending events in t */
	int next;		/* the number of its next message file; 0 unknown */
	int restored;		/* brought back from the archive in this batch */
};

/* The desk as assignment and subject joining see it: each ticket of the
 * main branch with its customer, base subject, status and agent, and
 * each agent's load and last assignment. */
struct view_ticket {
	char id[16];
	const char *customer;	/* its view_customer's key (once linked) */
	const char *subject;	/* in the view's arena */
	char *base;		/* subject_base(subject), when first asked */
	int active, load;	/* status_active, status_load of its status */
	int assigned;		/* it has an assignee */
	int agent;		/* its assignee's index in agents, -1 when none is */
	long long updated;
};
/* A customer's tickets, newest first, as a list of nodes (a ticket whose
 * customer changed stays in the old list too: readers check the
 * customer; ties go to the ticket that came first into the view). */
struct view_node {
	size_t ticket;		/* v index */
	size_t next;		/* nodes index + 1; 0 ends */
};
struct view_customer {
	const char *key;	/* the customer, lower case (in the arena) */
	size_t newest;		/* nodes index + 1 */
};
struct desk_view {
	int built;
	/* the customers' lists, made once the view is asked often (a batch):
	 * before, a lookup reads every ticket, cheaper for a delivery */
	int asked, linked;
	git_oid head;		/* main when built or last changed by us */
	/* the tickets of the summaries (the first nsorted, sorted by ID as
	 * tickets_states has them), then those put since */
	struct view_ticket *v;
	size_t n, cap, nsorted;
	struct strtab by_id;	/* ID of a ticket put since -> v index + 1 */
	struct view_customer *c;
	size_t nc, capc;
	struct strtab by_customer;	/* customer key -> c index + 1 */
	struct view_node *nodes;
	size_t nnodes, capnodes;
	struct arena strings;	/* customer keys, subjects, IDs of by_id */
	struct buf key;		/* the customer looked up, lower case */
	long *load;		/* per agent (agents.csv order) */
	long long *last;
};

struct filing {
	struct desk *desk;
	struct filing_opts opt;
	struct agents agents;
	struct customers customers;
	struct rules *rules;
	struct route_conf routing;
	struct desk_view view;
	struct calendar_cache {
		char name[64];
		struct calendar c;
		int ok;
	} calendars[64];
	size_t ncalendars;
	/* the open batch */
	struct desk_tx *tx;
	struct batch_ticket **tickets;
	size_t ntickets, captickets;
	struct strtab ticket_ix;	/* id -> tickets index + 1 */
	struct index_entry *msgs;	/* the messages filed, and their tickets */
	size_t nmsgs, capmsgs;
	struct arena msg_strings;	/* of msgs */
	struct strtab msg_ix;	/* Message-ID -> msgs index + 1 */
	size_t batch_seen, batch_new, batch_bytes;	/* messages, new tickets, bytes */
	struct buf log;		/* the commit message's lines */
	size_t total_n, total_new;
};

/* v (n used of *cap) with room for one more of size sz. */
static void *room(void *v, size_t n, size_t *cap, size_t sz)
{
	if (n == *cap) {
		*cap = *cap ? 2 * *cap : 64;
		v = xrealloc(v, *cap * sz);
	}
	return v;
}

static int addr_is_agent(const struct filing *f, const char *addr)
{
	for (size_t k = 0; addr && k < f->agents.n; k++)
		if (!strcasecmp(f->agents.v[k].email, addr))
			return 1;
	return 0;
}

/* --- the session ----------------------------------------------------- */

struct filing *filing_new(struct desk *d, const struct filing_opts *o)
{
	struct filing *f = xcalloc(1, sizeof *f);
	f->desk = d;
	f->opt = *o;
	if (f->opt.batch_max < 1)
		f->opt.batch_max = 1000;
	size_t len;
	char *t = desk_read_file(d, "customers.csv", &len);
	if (t && customers_parse(&f->customers, t, len, NULL) != 0)
		die(EX_CONFIG, "customers.csv has errors; run 'mdesk check'");
	free(t);
	t = desk_read_file(d, "agents.csv", &len);
	agents_load(&f->agents, t, len);
	free(t);
	route_conf_load(d, &f->routing);
	int nf = 0;
	f->rules = route_rules_load(d, &f->agents, o->rule_fault, &nf);
	if (nf)
		die(EX_CONFIG, "routing.sieve: %d problem%s; no message was touched", nf, nf == 1 ? "" : "s");
	return f;
}

static void view_free(struct desk_view *v);

void filing_free(struct filing *f)
{
	if (!f)
		return;
	filing_commit(f);
	tickets_summary_save(f->desk);
	view_free(&f->view);
	strtab_free(&f->view.by_id);
	strtab_free(&f->view.by_customer);
	strtab_free(&f->ticket_ix);
	strtab_free(&f->msg_ix);
	free(f->tickets);
	free(f->msgs);
	arena_free(&f->msg_strings);
	buf_free(&f->log);
	rules_free(f->rules);
	agents_free(&f->agents);
	customers_free(&f->customers);
	for (size_t i = 0; i < f->ncalendars; i++)
		calendar_free(&f->calendars[i].c);
	free(f);
}

void filing_counts(const struct filing *f, size_t *messages, size_t *new_tickets)
{
	*messages = f->total_n;
	*new_tickets = f->total_new;
}

/* --- the queue ------------------------------------------------------- */

struct queue_search {
	struct desk *d;
	const char *found;
};

static void queue_cb(void *ctx, const char *addr, const char *display)
{
	struct queue_search *q = ctx;
	(void)display;
	if (!q->found)
		q->found = desk_queue_of(q->d, addr);
}

/* The first [queue NAME] whose address is among the recipients (To, Cc,
 * Delivered-To, X-Original-To), else the first queue. */
static const char *pick_queue(struct filing *f, struct msg *m)
{
	if (f->opt.queue)
		return f->opt.queue;
	struct queue_search q = { f->desk, NULL };
	msg_addrs(m, "Delivered-To,X-Original-To,To,Cc", queue_cb, &q);
	if (q.found)
		return q.found;
	for (size_t i = 0; i < f->desk->conf.nsecs; i++)
		if (!strcmp(f->desk->conf.secs[i].section, "queue"))
			return f->desk->conf.secs[i].name;
	return "support";
}

/* --- the tickets of the batch ---------------------------------------- */

static struct batch_ticket *batch_ticket(struct filing *f, const char *id, int make)
{
	size_t i = strtab_get(&f->ticket_ix, id);
	if (i || !make)
		return i ? f->tickets[i - 1] : NULL;
	f->tickets = room(f->tickets, f->ntickets, &f->captickets, sizeof *f->tickets);
	struct batch_ticket *b = xcalloc(1, sizeof *b);
	snprintf(b->id, sizeof b->id, "%s", id);
	f->tickets[f->ntickets++] = b;
	strtab_put(&f->ticket_ix, b->id, f->ntickets);
	return b;
}

/* The batch's fold of a ticket is stale (its events were written whole,
 * or it was merged): folded again when next asked for. */
static void batch_forget(struct batch_ticket *b)
{
	if (b->loaded)
		ticket_free(&b->t);
	b->loaded = 0;
}

/* Fold ticket id from its events at HEAD followed by the batch's pending
 * text (pend: pl bytes, after HEAD's when append, else instead of it). */
static void fold_pending(struct filing *f, const char *id, struct ticket *t, const char *pend,
    size_t pl, int append)
{
	struct buf text = { 0 };
	if (append) {	/* as the commit joins them (desk.c) */
		char ep[64];
		size_t hl;
		ticket_events_path(id, ep);
		char *h = desk_read_head(f->desk, ep, &hl, 0);
		if (h) {
			buf_add(&text, h, hl);
			if (hl && h[hl - 1] != '\n')
				buf_addc(&text, '\n');
		}
		free(h);
	}
	buf_add(&text, pend, pl);
	ticket_fold(t, id, text.p ? text.p : "", text.len, 0);
	buf_free(&text);
}

/* Ticket id as HEAD and the open batch have it: 0 and *t (a reference:
 * ticket_free it), or -1 when there is none. */
static int load_ticket(struct filing *f, const char *id, struct ticket *t, int *archived)
{
	if (archived)
		*archived = 0;
	if (!ticketid_valid(id) || !f->tx)
		return ticket_load(f->desk, id, t, archived, 1);
	char ep[64];
	size_t pl = 0;
	int append = 0;
	ticket_events_path(id, ep);
	const char *pend = desk_tx_pending(f->tx, ep, &pl, &append);
	struct batch_ticket *b = batch_ticket(f, id, 0);
	if (b && b->loaded && b->folded < pl && append &&
	    ticket_fold_more(&b->t, pend + b->folded, pl - b->folded) == 0) {
		b->folded = pl;
		b->archived = 0;
	}
	if (!b || !b->loaded || b->folded != pl) {	/* folded (again) */
		struct ticket n;
		int arch = 0;
		if (pend)
			fold_pending(f, id, &n, pend, pl, append);
		else if (ticket_load(f->desk, id, &n, b ? &b->archived : &arch, 1) != 0)
			return -1;
		if (!b) {
			b = batch_ticket(f, id, 1);
			b->archived = arch;
		}
		if (b->loaded)
			ticket_free(&b->t);
		b->t = n;
		b->loaded = 1;
		b->folded = pl;
		if (pend)
			b->archived = 0;
	}
	if (archived)
		*archived = b->archived;
	ticket_share(&b->t, t);	/* a reference: t shares its events */
	return 0;
}

/* --- threading ------------------------------------------------------- */

/* The ticket of a Message-ID, checked: the ticket the desk's map names
 * must hold the message (the map may be stale after a reset). */
static int ticket_of_message(struct filing *f, const char *mid, char id[16])
{
	size_t k = strtab_get(&f->msg_ix, mid);
	if (k) {
		snprintf(id, 16, "%s", f->msgs[k - 1].ticket);
		return 1;
	}
	struct ticket t;
	if (!index_lookup(f->desk, mid, id) || load_ticket(f, id, &t, NULL) != 0)
		return 0;
	int found = 0;
	size_t i;
	json_t *e;
	json_array_foreach(t.events, i, e) {
		const char *m = json_string_value(json_object_get(e, "message_id"));
		const char *ti = json_string_value(json_object_get(e, "thread_index"));
		if ((m && !strcmp(m, mid)) || (ti && !strcmp(ti, mid)))
			found = 1;
	}
	ticket_free(&t);
	return found;
}

/* Does addr take part in the ticket (a sender of one of its messages, or
 * an agent)? */
static int participant(struct filing *f, const struct ticket *t, const char *addr)
{
	if (!addr)
		return 0;
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *from = json_string_value(json_object_get(e, "from"));
		if (from && !strcasecmp(from, addr))
			return 1;
	}
	return addr_is_agent(f, addr);
}

/* Follow merges to the ticket that answers now. */
static int load_for_merges(void *ctx, const char *id, struct ticket *t)
{
	return load_ticket(ctx, id, t, NULL);
}

static void follow_merges(struct filing *f, char id[16])
{
	ticket_follow_merges(f->desk, id, load_for_merges, f);
}

/* The tickets a reply belongs to: those of every id it is linked by, as
 * mthread links it (msg_links: In-Reply-To, References from the deepest,
 * a reply's Thread-Index), each followed through merges, in that order
 * and once, at most FILING_LINKED_MAX; else the ticket of the [#ID]
 * token of the subject from a participant of that ticket.  How many, each
 * with its why. */
static size_t find_parent_tickets(struct filing *f, const struct msg_ids *ids,
    const char *subject, const char *from, char id[][16], const char *why[])
{
	const char **lk = xmalloc((ids->nrefs + 3) * sizeof *lk);
	size_t n = msg_links(ids, lk, ids->nrefs + 3), k = 0;
	for (size_t i = 0; i < n && k < FILING_LINKED_MAX; i++) {
		char t[16];
		if (!ticket_of_message(f, lk[i], t))
			continue;
		follow_merges(f, t);
		size_t j = 0;
		while (j < k && strcmp(id[j], t))
			j++;
		if (j < k)
			continue;
		why[k] = lk[i] == ids->ti ? "thread-index" :
		    lk[i] == ids->irt || lk[i] == ids->irt_any ? "in-reply-to" : "references";
		snprintf(id[k++], 16, "%s", t);
	}
	free(lk);
	if (k)
		return k;
	char tok[16];
	struct ticket t;
	if (subject && subject_token(subject, tok) && load_ticket(f, tok, &t, NULL) == 0) {
		int ok = participant(f, &t, from);
		ticket_free(&t);
		if (ok) {
			snprintf(id[0], 16, "%s", tok);
			follow_merges(f, id[0]);
			why[0] = "token";
			return 1;
		}
	}
	return 0;
}

/* r opens a new ticket, its ID from the root Message-ID, lengthened
 * while taken by a ticket of another root. */
static void new_ticket(struct filing *f, const char *mid, struct filed *r)
{
	char *id = r->ticket;
	r->is_new = 1;
	r->thread = "new";
	for (int len = TICKETID_LEN; len <= TICKETID_MAX; len++) {
		ticketid(mid, strlen(mid), len, id);
		struct ticket t;
		if ((!batch_ticket(f, id, 0) && !ticket_exists(f->desk, id)) ||
		    load_ticket(f, id, &t, NULL) != 0)
			return;
		int same = t.first_message_id && !strcmp(t.first_message_id, mid);
		ticket_free(&t);
		if (same)
			return;
	}
	die(EX_SOFTWARE, "%s: no free ticket ID", mid);
}

/* --- the desk view --------------------------------------------------- */

static void view_free(struct desk_view *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i].base);
	free(v->v);
	free(v->c);
	free(v->nodes);
	free(v->load);
	free(v->last);
	arena_free(&v->strings);
	buf_free(&v->key);
	struct strtab a = v->by_id, b = v->by_customer;
	strtab_clear(&a);
	strtab_clear(&b);
	memset(v, 0, sizeof *v);
	v->by_id = a;
	v->by_customer = b;
}

/* The customer's entry, made when make; NULL when there is none. */
static struct view_customer *view_customer(struct desk_view *v, const char *customer, int make)
{
	if (!customer)
		return NULL;
	size_t len = strlen(customer);
	v->key.len = 0;
	buf_add(&v->key, customer, len);
	for (char *p = v->key.p; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p | 0x20);
	size_t i = strtab_get(&v->by_customer, v->key.p);
	if (i || !make)
		return i ? &v->c[i - 1] : NULL;
	v->c = room(v->c, v->nc, &v->capc, sizeof *v->c);
	struct view_customer *c = &v->c[v->nc++];
	c->key = arena_strndup(&v->strings, v->key.p, len);
	c->newest = 0;
	strtab_put(&v->by_customer, c->key, v->nc);
	return c;
}

/* The index + 1 of ticket id in the view, 0 when it is not there. */
static size_t view_find(const struct desk_view *v, const char *id)
{
	const struct view_ticket *w = v->nsorted ?
	    bsearch(id, v->v, v->nsorted, sizeof *v->v, by_id) : NULL;
	return w ? (size_t)(w - v->v) + 1 : strtab_get(&v->by_id, id);
}

static int agent_index(struct filing *f, const char *login)
{
	struct agent *a = agent_find(&f->agents, login);
	return a ? (int)(a - f->agents.v) : -1;
}

/* Put ticket i of the view at the head of its customer's list (until
 * the lists are made: give it its customer). */
static void view_link(struct desk_view *v, size_t i, const char *customer)
{
	if (!v->linked) {
		v->v[i].customer = arena_strndup(&v->strings, customer, strlen(customer));
		return;
	}
	struct view_customer *c = view_customer(v, customer, 1);
	v->v[i].customer = c->key;
	v->nodes = room(v->nodes, v->nnodes, &v->capnodes, sizeof *v->nodes);
	v->nodes[v->nnodes].ticket = i;
	v->nodes[v->nnodes].next = c->newest;
	c->newest = ++v->nnodes;
}

/* Put a ticket's present state into the view. */
static void view_put(struct filing *f, const struct ticket *t)
{
	struct desk_view *v = &f->view;
	size_t i = v->built ? view_find(v, t->id) : 0;	/* else sorted, each once */
	struct view_ticket *w;
	const char *customer = t->customer ? t->customer : "";
	const char *subject = t->subject ? t->subject : "";
	if (i) {
		w = &v->v[i - 1];
		if (w->agent >= 0 && w->load)
			v->load[w->agent]--;
	} else {
		v->v = room(v->v, v->n, &v->cap, sizeof *v->v);
		w = memset(&v->v[v->n++], 0, sizeof *w);
		memcpy(w->id, t->id, sizeof w->id);
		if (v->built)	/* after the sorted ones */
			strtab_put(&v->by_id, arena_strndup(&v->strings, w->id, strlen(w->id)), v->n);
		i = v->n;
	}
	if (!w->customer || strcasecmp(w->customer, customer))
		view_link(v, i - 1, customer);
	if (!w->subject || strcmp(w->subject, subject)) {
		w->subject = arena_strndup(&v->strings, subject, strlen(subject));
		free(w->base);
		w->base = NULL;
	}
	const char *status = t->status ? t->status : "new";
	w->active = status_active(status);
	w->load = status_load(status);
	w->assigned = t->assignee && *t->assignee;
	w->agent = agent_index(f, t->assignee);
	w->updated = t->updated;
	if (w->agent >= 0) {
		v->load[w->agent] += w->load;
		if (t->assigned_at > v->last[w->agent])
			v->last[w->agent] = t->assigned_at;
	}
}

/* A ticket's base subject, made when first asked: only the customer's
 * own tickets are ever compared. */
static const char *view_base(const struct view_ticket *cw)
{
	struct view_ticket *w = (struct view_ticket *)cw;
	if (!w->base)
		w->base = subject_base(w->subject, NULL);
	return w->base;
}

/* The customer's tickets in the view, newest first (among others the
 * caller passes over until the lists are made): the first, then
 * view_next until NULL. */
static const struct view_ticket *view_next(const struct desk_view *v, size_t *node)
{
	if (!*node)
		return NULL;
	if (!v->linked)
		return &v->v[--*node];
	const struct view_node *nd = &v->nodes[*node - 1];
	*node = nd->next;
	return &v->v[nd->ticket];
}

static size_t view_first(struct desk_view *v, const char *customer)
{
	if (!v->linked && ++v->asked > 16) {
		v->linked = 1;
		for (size_t i = 0; i < v->n; i++)
			view_link(v, i, v->v[i].customer);
	}
	if (!v->linked)
		return customer ? v->n : 0;
	struct view_customer *c = view_customer(v, customer, 0);
	return c ? c->newest : 0;
}

/* The view from the tickets' summaries, built again when someone else
 * moved the main branch. */
static struct desk_view *view_need(struct filing *f)
{
	struct desk_view *v = &f->view;
	git_oid h;
	memset(&h, 0, sizeof h);
	desk_branch_id(f->desk, DESK_BRANCH, &h);
	if (v->built && !git_oid_cmp(&h, &v->head))
		return v;
	view_free(v);
	v->load = xcalloc(f->agents.n + 1, sizeof *v->load);
	v->last = xcalloc(f->agents.n + 1, sizeof *v->last);
	size_t n;
	const struct tsum *ts = tickets_states(f->desk, &n);
	struct ticket t;
	memset(&t, 0, sizeof t);
	for (size_t i = 0; i < n; i++) {
		memcpy(t.id, ts[i].id, sizeof t.id);
		t.customer = ts[i].customer;
		t.subject = ts[i].subject;
		t.status = ts[i].status;
		t.assignee = ts[i].assignee;
		t.updated = ts[i].updated;
		t.assigned_at = ts[i].assigned_at;
		view_put(f, &t);
	}
	v->nsorted = v->n;
	v->built = 1;
	v->head = h;
	return v;
}

/* The customer's open ticket with the same base subject, active within
 * the window: mail that is not a reply but belongs to it. */
static int subject_join(struct filing *f, const char *from, const char *subject, char id[16])
{
	if (f->routing.subject_window <= 0 || !from || !subject)
		return 0;
	char *base = subject_base(subject, NULL);
	int found = 0;
	long long best = 0, since = f->desk->now - f->routing.subject_window;
	struct desk_view *v = view_need(f);
	size_t nd = *base ? view_first(v, from) : 0;
	for (const struct view_ticket *w; (w = view_next(v, &nd));)
		if (!strcasecmp(w->customer, from) && w->active &&
		    w->updated >= since && w->updated >= best && !strcasecmp(view_base(w), base)) {
			best = w->updated;
			snprintf(id, 16, "%s", w->id);
			found = 1;
		}
	free(base);
	return found;
}

/* The agent of the customer's most recent assigned ticket (NULL when
 * its assignee is no longer an agent). */
static const char *customer_last_agent(struct filing *f, const char *from)
{
	long long best = 0;
	int a = -1;
	struct desk_view *v = view_need(f);
	size_t nd = view_first(v, from);
	for (const struct view_ticket *w; (w = view_next(v, &nd));)
		if (w->assigned && !strcasecmp(w->customer, from) && w->updated > best) {
			best = w->updated;
			a = w->agent;
		}
	return a >= 0 ? f->agents.v[a].login : NULL;
}

/* An agent's calendar (agents.csv, else desk.conf's, else "business");
 * NULL when the desk has none: shifts do not limit. */
static const struct calendar *agent_calendar(struct filing *f, const struct agent *a)
{
	const char *name = *a->calendar ? a->calendar : conf_get(&f->desk->conf, "", "", "calendar");
	if (!name || !*name)
		name = "business";
	for (size_t i = 0; i < f->ncalendars; i++)
		if (!strcmp(f->calendars[i].name, name))
			return f->calendars[i].ok ? &f->calendars[i].c : NULL;
	size_t max = sizeof f->calendars / sizeof f->calendars[0];
	if (f->ncalendars == max || strchr(name, '/'))
		return NULL;
	struct calendar_cache *cc = &f->calendars[f->ncalendars++];
	snprintf(cc->name, sizeof cc->name, "%s", name);
	char path[128];
	size_t len;
	snprintf(path, sizeof path, "calendars/%s.conf", name);
	char *t = *a->calendar ? NULL : desk_read_file(f->desk, path, &len);
	if (!*a->calendar && !t)
		return NULL;	/* no desk calendar: shifts do not limit */
	free(t);
	/* read as mdesk check and the SLA clocks read it */
	if (sla_calendar_read(&cc->c, f->desk, name, "agents.csv", a->line, print_fault))
		die(EX_CONFIG, "calendar '%s' of %s: run 'mdesk check'", name, a->login);
	cc->ok = 1;
	return &cc->c;
}

/* --- one message ----------------------------------------------------- */

/* The message as filing reads it. */
struct incoming {
	const char *raw;
	size_t len;
	struct msg m;
	struct msg_ids ids;
	const char *from, *name, *subject;
	const char *reply_to, *sender;	/* the claims beside From, when they differ */
	char *text;		/* the readable text, read once (language, rules) */
	unsigned long long received;	/* bytes received (more than len: truncated) */
	int archived;		/* its ticket is on the archive branch */
};

/* Parse the header (its first MBOX_HEADER_MAX bytes at most): 1 when it is
 * malformed (too long, no field, no sender). */
static int read_header(struct incoming *in)
{
	int bad = 0;
	size_t hl = msg_header_len(in->raw, in->len);
	if (hl > MBOX_HEADER_MAX) {
		hl = MBOX_HEADER_MAX;
		bad = 1;
	}
	msg_open(&in->m, in->raw, hl);
	const char *display;
	msg_addr(&in->m, "From", &in->from, &in->name);
	msg_addr(&in->m, "Sender", &in->sender, &display);
	if (!in->from) {	/* the Sender stands for the author */
		in->from = in->sender;
		in->name = display;
	} else if (in->sender && !strcasecmp(in->sender, in->from))
		in->sender = NULL;
	msg_addr(&in->m, "Reply-To", &in->reply_to, &display);
	if (in->reply_to && in->from && !strcasecmp(in->reply_to, in->from))
		in->reply_to = NULL;
	if (!in->from || !memchr(in->raw, ':', hl ? hl : 1))
		bad = 1;
	in->subject = msg_text(&in->m, "Subject");
	msg_ids(&in->m, &in->ids);
	if (!in->ids.mid[0]) {	/* a stable id for mail without one (as mthread's) */
		uint64_t h = msg_hash_header(HASH64_INIT, in->raw, hl);
		char hid[64];
		msg_hash_id(hash64_update(h, in->raw + hl, in->len - hl), hid);
		snprintf(in->ids.mid, sizeof in->ids.mid, "%s", hid);
	}
	return bad;
}

static const char *text_of(struct incoming *in)
{
	if (!in->text)
		in->text = mime_text(in->raw, in->len);
	return in->text;
}

/* The language: Content-Language (its first tag, lower case, region
 * kept), the customer's in customers.csv, or detected; NULL when none. */
static const char *message_lang(struct filing *f, struct incoming *in, char l[16])
{
	const char *lang = msg_raw(&in->m, "Content-Language", 1);
	if (lang) {
		lang += strspn(lang, " ");
		size_t k = strspn(lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-");
		k = k < 15 ? k : 15;
		for (size_t i = 0; i < k; i++)
			l[i] = (char)(lang[i] | 0x20);	/* lower case; '-' stays */
		l[k] = 0;
		if (k >= 2)
			return "content-language";
		l[0] = 0;
	}
	struct customer *cu = in->from ? customer_find(&f->customers, in->from) : NULL;
	if (cu && *cu->language) {
		snprintf(l, 16, "%s", cu->language);
		return "customer";
	}
	if (f->routing.detect) {
		struct buf b = { 0 };
		if (in->subject) {
			buf_adds(&b, in->subject);
			buf_adds(&b, "\n");
		}
		buf_adds(&b, text_of(in));
		const char *d = lang_detect_hinted(b.p, b.len, in->from);
		buf_free(&b);
		if (d) {
			snprintf(l, 16, "%s", d);
			return "detected";
		}
	}
	return NULL;
}

/* The language, then the rules with it (mail from outside: an agent's
 * reply in copy is not routed). */
static void decide_lang_and_rules(struct filing *f, struct incoming *in, struct filed *r)
{
	r->lang_from = message_lang(f, in, r->lang);
	if (!r->lang_from && r->have_t && r->t.lang) {
		snprintf(r->lang, sizeof r->lang, "%s", r->t.lang);
		r->lang_from = "ticket";
	}
	if (!f->rules || (addr_is_agent(f, in->from) && !r->is_new))
		return;
	struct customer *cu = in->from ? customer_find(&f->customers, in->from) : NULL;
	struct rules_ctx cx = { r->lang[0] ? r->lang : NULL, cu && *cu->tier ? cu->tier : NULL,
		text_of(in) };
	if (rules_run(f->rules, in->raw, in->len, &cx, &r->ro) != 0 && !r->ro.nfired)
		warnx_("routing.sieve: the rules failed on %s; filed without them", in->ids.mid);
	if (r->is_new && r->ro.queue[0])
		r->queue = r->ro.queue;
	/* a rule that tags a message "auto" says it is automatic (a bounce,
	 * an out-of-office the headers did not tell) */
	for (size_t i = 0; i < r->ro.ntags; i++)
		if (!strcmp(r->ro.tags[i], "auto"))
			r->automatic = 1;
}

static void batch_flush(struct filing *f, size_t len);

/* Is ticket a older than b (created first; the lower ID on a tie)? */
static int older(const struct ticket *a, const struct ticket *b)
{
	return a->created != b->created ? a->created < b->created : strcmp(a->id, b->id) < 0;
}

/* Merge ticket from into ticket into, for the message being filed (its
 * batch committed first, the lock kept): into's next message number and
 * its coming back from the archive kept in the batch. */
static void merge_for(struct filing *f, struct incoming *in, const char *from, const char *into)
{
	struct ticket t;
	int af, ai;
	struct batch_ticket *b = batch_ticket(f, into, 1);
	if (load_ticket(f, into, &t, &ai) != 0)
		return;
	ticket_free(&t);
	if (load_ticket(f, from, &t, &af) != 0)
		return;
	if (ai && !b->restored)
		ticket_restore(f->desk, f->tx, into);
	if (af)
		ticket_restore(f->desk, f->tx, from);
	if (!b->next)
		b->next = ticket_next_number(f->desk, into, ai);
	char key[1100];
	snprintf(key, sizeof key, "%s %s", from, in->ids.mid);
	json_t *e = event_new("merged", "system", f->desk->now), *note = event_new("note", "system", f->desk->now);
	event_id_for(e, "merged", key);
	event_id_for(note, "merged-note", key);
	jw_str(e, "message_id", in->ids.mid);
	b->next = ticket_merge_stage(f->desk, f->tx, &t, af, into, b->next - 1, e, note) + 1;
	json_decref(e);
	json_decref(note);
	ticket_free(&t);
	b->restored |= ai;
	batch_forget(b);	/* folded again with the merge */
	batch_forget(batch_ticket(f, from, 1));
	char line[160];
	snprintf(line, sizeof line, "%s: merged into %s (a message names both)\n", from, into);
	buf_adds(&f->log, line);
	if (f->view.built && load_ticket(f, from, &t, NULL) == 0) {
		view_put(f, &t);	/* closed now */
		ticket_free(&t);
	}
}

/* A message whose ids name messages of n tickets: one conversation, as
 * mthread has it, so one ticket.  It goes into the oldest of them that is
 * the sender's, else the oldest of the first one's customer; each other
 * ticket of that customer is merged into it (as mdesk merge does); a
 * ticket of another customer stays apart, named in r->linked: naming
 * others' messages never joins two customers' tickets. */
static void join_linked(struct filing *f, struct incoming *in, struct filed *r, char id[][16],
    const char *why[], size_t n)
{
	struct ticket t[FILING_LINKED_MAX];
	int ok[FILING_LINKED_MAX];
	size_t best = n;
	for (size_t i = 0; i < n; i++)
		ok[i] = load_ticket(f, id[i], &t[i], NULL) == 0;
	/* the sender's tickets, else those of the first one's customer */
	const char *who = in->from;
	for (int pass = 0; pass < 2 && best == n; pass++, who = ok[0] ? t[0].customer : NULL)
		for (size_t i = 0; i < n; i++)
			if (ok[i] && who && t[i].customer && !strcasecmp(t[i].customer, who) &&
			    (best == n || older(&t[i], &t[best])))
				best = i;
	for (size_t i = 0; best < n && i < n; i++) {
		if (i == best || !ok[i])
			continue;
		if (t[i].customer && t[best].customer && !strcasecmp(t[i].customer, t[best].customer))
			memcpy(r->merged[r->nmerged++], id[i], sizeof r->merged[0]);
		else
			memcpy(r->linked[r->nlinked++], id[i], sizeof r->linked[0]);
	}
	if (best < n) {
		snprintf(r->ticket, sizeof r->ticket, "%s", id[best]);
		r->thread = why[best];
	}
	for (size_t i = 0; i < n; i++)
		if (ok[i])
			ticket_free(&t[i]);
	if (r->nmerged && !f->opt.dry_run)
		batch_flush(f, in->len);
	for (size_t i = 0; i < r->nmerged && !f->opt.dry_run; i++)
		merge_for(f, in, r->merged[i], r->ticket);
}

/* Its ticket: a reply's, the same subject's, else a new one; a ticket
 * closed, or solved longer ago than reopen_window, is followed by a new
 * one.  r->t is the ticket when it exists. */
static void decide_ticket(struct filing *f, struct incoming *in, struct filed *r)
{
	char id[16], linked[FILING_LINKED_MAX][16];
	const char *why[FILING_LINKED_MAX];
	size_t nl = find_parent_tickets(f, &in->ids, in->subject, in->from, linked, why);
	if (nl) {
		snprintf(r->ticket, sizeof r->ticket, "%s", linked[0]);
		r->thread = why[0];
		if (nl > 1)
			join_linked(f, in, r, linked, why, nl);
	} else if (!r->automatic && subject_join(f, in->from, in->subject, id)) {
		snprintf(r->ticket, sizeof r->ticket, "%s", id);
		r->thread = "subject";
	} else {
		new_ticket(f, in->ids.mid, r);
		return;
	}
	if (load_ticket(f, r->ticket, &r->t, &in->archived) != 0)
		return;
	r->have_t = 1;
	/* a third party's answer to a forward (mreply --forward): internal */
	r->internal = answers_forward(&r->t, &in->ids);
	int from_outside = !addr_is_agent(f, in->from) && !r->automatic && !r->internal;
	const struct ticket *t = &r->t;
	if (from_outside && (!strcmp(t->status, "closed") || (!strcmp(t->status, "solved") &&
	    f->routing.reopen_window > 0 && t->solved_at &&
	    f->desk->now - t->solved_at > f->routing.reopen_window))) {
		snprintf(r->follows, sizeof r->follows, "%s", r->ticket);
		ticket_free(&r->t);
		r->have_t = 0;
		in->archived = 0;
		new_ticket(f, in->ids.mid, r);
	} else if (from_outside && !strcmp(t->status, "solved"))
		r->reopen = 1;
}

static void add_event(struct filing *f, struct incoming *in, struct filed *r, json_t *e,
    const char *kind)
{
	event_id_for(e, kind, in->ids.mid);
	ticket_append_events(f->tx, r->ticket, &e, 1);
}

/* Can a new ticket's folder be made: is each folder of its path on the
 * main branch a folder, or not there yet?  (A file in its place, put
 * there with plain git, would fail the whole batch's commit.) */
static int ticket_dir_free(struct filing *f, const char *id, const char **why)
{
	static char msg[160];
	char dir[40];
	int ok = 1;
	desk_ticket_dir(id, dir);
	git_tree *tree = desk_branch_tree(f->desk, DESK_BRANCH, NULL);
	if (!tree)
		return 1;
	for (size_t n = 1; ok && n <= strlen(dir); n++) {
		if (dir[n] != '/' && dir[n])
			continue;
		char part[40];	/* tickets, tickets/AB, tickets/AB/ID */
		snprintf(part, sizeof part, "%.*s", (int)n, dir);
		git_tree_entry *e;
		if (git_tree_entry_bypath(&e, tree, part) == 0) {
			ok = git_tree_entry_type(e) == GIT_OBJECT_TREE;
			git_tree_entry_free(e);
			if (!ok)
				snprintf(msg, sizeof msg, "%s: not a folder on the main branch; run 'mdesk check'", part);
		}
	}
	git_tree_free(tree);
	*why = ok ? NULL : msg;
	return ok;
}

/* Store the message as the ticket's next NNNN.eml (bringing an archived
 * ticket back first); its file name into file. */
static void stage_message(struct filing *f, struct incoming *in, struct filed *r, char file[16])
{
	struct batch_ticket *b = batch_ticket(f, r->ticket, 1);
	if (!b->next)
		b->next = r->is_new ? 1 : ticket_next_number(f->desk, r->ticket, in->archived);
	if (in->archived && !b->restored) {
		ticket_restore(f->desk, f->tx, r->ticket);
		b->restored = 1;
		batch_forget(b);	/* its events are written whole now */
	}
	char dir[40], path[80];
	desk_ticket_dir(r->ticket, dir);
	snprintf(file, 16, "%04d.eml", b->next++);
	snprintf(path, sizeof path, "%s/%s", dir, file);
	desk_tx_write(f->tx, path, in->raw, in->len);
}

/* The "received" event: who wrote, to whom, about what, and what filing
 * decided. */
static void add_received(struct filing *f, struct incoming *in, struct filed *r,
    const char *file)
{
	json_t *e = event_new("received", "customer", f->desk->now);
	jw_str(e, "message_id", in->ids.mid);
	if (in->ids.ti[0] && !in->ids.ti_reply)	/* a first mail of Outlook's */
		jw_str(e, "thread_index", in->ids.ti);
	jw_str(e, "from", in->from);
	if (in->name)
		jw_str(e, "name", in->name);
	/* claims a reply must not follow silently (mreply, mdesk show) */
	if (in->reply_to)
		jw_str(e, "reply_to", in->reply_to);
	if (in->sender)
		jw_str(e, "sender", in->sender);
	const char *to = msg_raw(&in->m, "To", 1);
	if (to) {
		char *c = rfc2047_text(to);
		jw_str(e, "to", c);
		free(c);
	}
	jw_str(e, "subject", in->subject ? in->subject : "");
	jw_str(e, "queue", r->queue);
	if (r->lang[0]) {
		jw_str(e, "lang", r->lang);
		jw_str(e, "lang_from", r->lang_from);
	}
	jw_str(e, "file", file);
	jw_str(e, "thread", r->thread);
	if (r->follows[0])
		jw_str(e, "follows", r->follows);
	if (r->nlinked) {	/* tickets it names too, of another customer */
		json_t *l = json_array();
		for (size_t i = 0; i < r->nlinked; i++)
			json_array_append_new(l, json_string(r->linked[i]));
		json_object_set_new(e, "linked", l);
	}
	if (r->automatic || ((r->review || r->internal) && !r->is_new))	/* counts for nothing */
		json_object_set_new(e, "auto", json_true());
	if (r->internal)
		json_object_set_new(e, "internal", json_true());
	if (r->review)
		jw_str(e, "review", "the sender's address is an agent's");
	if (r->truncated)	/* the bytes received; the file holds the first message_max */
		json_object_set_new(e, "truncated", json_integer((json_int_t)in->received));
	if (r->ro.noack)
		json_object_set_new(e, "noack", json_true());
	if (r->ro.nfired) {
		json_t *rl = json_array();
		for (size_t i = 0; i < r->ro.nfired; i++)
			json_array_append_new(rl, json_string(r->ro.fired[i]));
		json_object_set_new(e, "rules", rl);
	}
	add_event(f, in, r, e, "received");
}

/* The tags this message gives its ticket: auto, malformed and the rules'. */
static json_t *message_tags(const struct filed *r)
{
	json_t *tags = json_array();
	const struct { int on; const char *tag; } own[] = { { r->automatic, "auto" },
		{ r->malformed, "malformed" }, { r->review, "review" },
		{ r->truncated, "truncated" }, { r->nlinked > 0, "linked" } };
	for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
		if (own[i].on)
			json_array_append_new(tags, json_string(own[i].tag));
	for (size_t i = 0; i < r->ro.ntags; i++) {
		int dup = 0;
		size_t k;
		json_t *v;
		json_array_foreach(tags, k, v)
			dup |= !strcmp(json_string_value(v), r->ro.tags[i]);
		if (!dup && tag_valid(r->ro.tags[i]))
			json_array_append_new(tags, json_string(r->ro.tags[i]));
	}
	return tags;
}

/* Tags, priority (the rules', else the queue's for a new ticket) and
 * spam (closed at once, nobody's). */
static void add_tags_priority(struct filing *f, struct incoming *in, struct filed *r)
{
	long long now = f->desk->now;
	json_t *tags = message_tags(r), *e;
	if (json_array_size(tags)) {
		e = event_new("tagged", "system", now);
		json_object_set(e, "tags", tags);
		add_event(f, in, r, e, "tagged");
	}
	r->tags = json_array();
	if (r->have_t)
		json_array_extend(r->tags, r->t.tags);
	json_array_extend(r->tags, tags);
	json_decref(tags);

	r->priority = r->have_t ? r->t.priority : "normal";
	const char *want = r->ro.priority[0] && priority_valid(r->ro.priority) ? r->ro.priority :
	    r->is_new ? route_queue_priority(f->desk, r->queue) : NULL;
	if (want && strcmp(want, r->priority)) {
		e = event_new("priority", "system", now);
		jw_str(e, "priority", want);
		add_event(f, in, r, e, "priority");
		r->priority = want;
	}
	if (r->ro.spam && r->is_new) {
		e = event_new("status", "system", now);
		jw_str(e, "status", "closed");
		add_event(f, in, r, e, "status-spam");
	}
}

/* The agents as candidates (their shifts, loads, last assignments) and
 * the one route_assign picks for need (its strategy and clock set here). */
static int choose(struct filing *f, struct route_cand **cand, size_t *ncand,
    struct route_need *need, const char **why)
{
	struct desk_view *v = view_need(f);
	*cand = xcalloc(f->agents.n + 1, sizeof **cand);
	*ncand = f->agents.n;
	for (size_t k = 0; k < f->agents.n; k++) {
		(*cand)[k].a = &f->agents.v[k];
		(*cand)[k].cal = agent_calendar(f, &f->agents.v[k]);
		(*cand)[k].load = v->load[k];
		(*cand)[k].last = v->last[k];
	}
	need->round_robin = route_group_round_robin(f->desk, &f->routing, need->group);
	need->now = f->desk->now;
	return route_assign(*cand, *ncand, need, why);
}

int filing_pick(struct filing *f, const struct ticket *t, const char **login, char *why,
    size_t wn)
{
	if (ticket_has_tag(t, "auto") || ticket_has_tag(t, "spam")) {	/* as filing's */
		*login = NULL;
		snprintf(why, wn, "automatic mail and spam are not assigned");
		return -1;
	}
	struct route_need need = { 0 };
	need.group = t->queue ? route_queue_group(f->desk, t->queue) : NULL;
	need.lang = t->lang;
	need.sticky = f->routing.sticky && t->customer ? customer_last_agent(f, t->customer) : NULL;
	struct route_cand *cand;
	size_t n;
	const char *nobody;
	int k = choose(f, &cand, &n, &need, &nobody);
	*login = k >= 0 ? f->agents.v[k].login : NULL;
	snprintf(why, wn, "%s", k >= 0 ? cand[k].why : nobody);
	free(cand);
	return k >= 0 ? 0 : -1;
}

static void assign_agent(struct filing *f, struct incoming *in, struct filed *r)
{
	struct route_need need = { 0 };
	const char *grp = r->ro.group[0] ? r->ro.group : route_queue_group(f->desk, r->queue);
	need.group = grp;
	need.skills = r->ro.skills;
	need.nskills = r->ro.nskills;
	need.lang = r->lang[0] ? r->lang : NULL;
	need.forced = r->is_new && r->ro.assign[0] ? r->ro.assign : NULL;
	need.sticky = f->routing.sticky && r->is_new ? customer_last_agent(f, in->from) : NULL;
	const char *nobody;
	int k = choose(f, &r->cand, &r->ncand, &need, &nobody);
	json_t *e;
	if (k >= 0) {
		r->assignee = f->agents.v[k].login;
		r->assign_why = r->cand[k].why;
		e = event_new("assigned", "system", f->desk->now);
		jw_str(e, "agent", r->assignee);
		jw_str(e, "reason", r->assign_why);
		add_event(f, in, r, e, "assigned");
	} else if (r->is_new) {
		r->assign_why = nobody;
		e = event_new("unassigned", "system", f->desk->now);
		jw_str(e, "reason", nobody);
		json_t *why = json_object();
		for (size_t i = 0; i < r->ncand; i++)
			jw_str(why, r->cand[i].a->login, r->cand[i].why);
		json_object_set_new(e, "agents", why);
		add_event(f, in, r, e, "unassigned");
	} else
		r->assign_why = nobody;
}

/* The ticket's agent stays while active; else an open ticket is given
 * to one ([routing] assign). */
static void decide_agent(struct filing *f, struct incoming *in, struct filed *r)
{
	const char *cur = r->have_t ? r->t.assignee : NULL;
	int k = agent_index(f, cur);
	int open = r->is_new || (r->have_t && (status_active(r->t.status) || r->reopen));
	if (k >= 0 && !strcmp(f->agents.v[k].status, "active")) {
		r->assignee = cur;
		r->assign_why = "sticky: the ticket's agent";
	} else if (f->routing.assign && !r->ro.spam && open &&
	    !r->automatic && !((r->review || r->internal) && !r->is_new) &&
	    f->agents.n)
		assign_agent(f, in, r);
	else if (cur) {
		r->assignee = cur;
		r->assign_why = "kept";
	}
}

/* The batch's record of a message: its commit message line, its
 * Message-ID for the messages after it, the view's ticket. */
static void remember(struct filing *f, struct incoming *in, const struct filed *r)
{
	char line[600];
	snprintf(line, sizeof line, "%s: received from %.200s%s%s%s%s%s%s\n", r->ticket,
	    in->from ? in->from : "unknown sender", r->is_new ? " (new ticket" : "",
	    r->follows[0] ? ", follows " : "", r->follows,
	    r->is_new && r->assignee ? ", for " : "", r->is_new && r->assignee ? r->assignee : "",
	    r->is_new ? ")" : "");
	buf_adds(&f->log, line);
	/* its Message-ID and, for a first mail of Outlook's, its Thread-Index */
	const char *keys[2] = { in->ids.mid, in->ids.ti[0] && !in->ids.ti_reply ? in->ids.ti : NULL };
	for (int j = 0; j < 2 && keys[j]; j++) {
		f->msgs = room(f->msgs, f->nmsgs, &f->capmsgs, sizeof *f->msgs);
		struct index_entry *bm = &f->msgs[f->nmsgs++];
		bm->mid = arena_strndup(&f->msg_strings, keys[j], strlen(keys[j]));
		bm->ticket = arena_strndup(&f->msg_strings, r->ticket, strlen(r->ticket));
		if (!strtab_get(&f->msg_ix, bm->mid))
			strtab_put(&f->msg_ix, bm->mid, f->nmsgs);
	}
	f->batch_new += r->is_new;
	struct ticket t;
	if (f->view.built && load_ticket(f, r->ticket, &t, NULL) == 0) {
		view_put(f, &t);
		ticket_free(&t);
	}
}

static void batch_open(struct filing *f)
{
	if (f->tx)
		return;
	desk_lock(f->desk);
	index_sync(f->desk);
	f->tx = desk_tx_new(f->desk);
}

static int same_field(struct msg *a, struct msg *b, const char *name)
{
	const char *x = msg_raw(a, name, 1), *y = msg_raw(b, name, 1);
	return x && y ? !strcmp(x, y) : x == y;
}

/* Is the message a copy of the one ticket id stores under its Message-ID
 * (the same From, Date and Subject fields)?  A mailer that writes one
 * Message-ID into every message sends a new message with a known id: it
 * is filed, by its hash, not dropped as a copy.  When the stored message
 * cannot be read, it is taken for a copy. */
static int stored_copy(struct filing *f, struct incoming *in, const char *id)
{
	struct ticket t;
	int archived, copy = 1;
	if (load_ticket(f, id, &t, &archived) != 0)
		return 1;
	const char *file = NULL;
	size_t i;
	json_t *e;
	json_array_foreach(t.events, i, e) {
		const char *m = json_string_value(json_object_get(e, "message_id"));
		const char *fl = json_string_value(json_object_get(e, "file"));
		if (m && fl && !file && !strcmp(m, in->ids.mid))
			file = fl;
	}
	size_t len;
	char *old = file ? ticket_read(f->desk, id, file, &len, archived) : NULL;
	const char *text = old;
	if (!old && file && !archived) {	/* filed by this batch: not on disk yet */
		char dir[40], path[80];
		int append;
		desk_ticket_dir(id, dir);
		snprintf(path, sizeof path, "%s/%s", dir, file);
		text = desk_tx_pending(f->tx, path, &len, &append);
	}
	struct msg m;
	memset(&m, 0, sizeof m);
	if (text && msg_open(&m, text, msg_header_len(text, len)) == 0)
		copy = same_field(&m, &in->m, "From") && same_field(&m, &in->m, "Date") &&
		    same_field(&m, &in->m, "Subject");
	msg_free(&m);
	free(old);
	ticket_free(&t);
	return copy;
}

int filing_file(struct filing *f, const char *raw, size_t len, unsigned long long received,
    struct filed *r, const char **why)
{
	struct incoming in;
	memset(&in, 0, sizeof in);
	memset(r, 0, sizeof *r);
	*why = NULL;
	in.raw = raw;
	in.len = len;
	r->malformed = read_header(&in);
	r->truncated = received > len;
	in.received = received;
	snprintf(r->message_id, sizeof r->message_id, "%s", in.ids.mid);
	r->queue = pick_queue(f, &in.m);
	struct desk *d = f->desk;
	d->now = f->opt.clock;
	long long date;
	if (f->opt.at_date && msg_date(&in.m, &date) == 0 && date <= f->opt.clock)
		d->now = date;
	r->automatic = msg_is_automatic(&in.m, in.from) || desk_queue_of(d, in.from);

	batch_open(f);
	f->batch_seen++;
	f->batch_bytes += len;
	if (ticket_of_message(f, in.ids.mid, r->ticket) && !stored_copy(f, &in, r->ticket)) {
		/* a new message under a known Message-ID: known by a hash of
		 * it and the fields that tell it apart (the same for a copy
		 * that came another way) */
		uint64_t h = hash64_update(HASH64_INIT, in.ids.mid, strlen(in.ids.mid) + 1);
		const char *fields[3] = { "From", "Date", "Subject" };
		for (int k = 0; k < 3; k++) {
			const char *v = msg_raw(&in.m, fields[k], 1);
			h = hash64_update(h, v ? v : "", v ? strlen(v) + 1 : 1);
		}
		msg_hash_id(h, in.ids.mid);
		snprintf(r->message_id, sizeof r->message_id, "%s", in.ids.mid);
	}
	if (ticket_of_message(f, in.ids.mid, r->ticket)) {	/* delivered before */
		follow_merges(f, r->ticket);
		r->duplicate = 1;
		r->thread = "duplicate";
		msg_free(&in.m);
		return 0;
	}
	decide_ticket(f, &in, r);
	if (r->is_new && !ticket_dir_free(f, r->ticket, why)) {
		filed_free(r);
		snprintf(r->message_id, sizeof r->message_id, "%s", in.ids.mid);
		msg_free(&in.m);
		f->batch_seen--;
		f->batch_bytes -= len;
		return -1;
	}
	/* mail in an agent's name: anyone can write that From; agents
	 * answer through mreply and mdesk */
	r->review = addr_is_agent(f, in.from);
	decide_lang_and_rules(f, &in, r);
	free(in.text);	/* before the message is copied into the batch */
	in.text = NULL;
	char file[16];
	stage_message(f, &in, r, file);
	add_received(f, &in, r, file);
	add_tags_priority(f, &in, r);
	decide_agent(f, &in, r);
	remember(f, &in, r);
	r->ack = r->is_new && !r->automatic && !r->review && !r->ro.noack && !r->ro.spam && !f->opt.dry_run;
	free(in.text);
	msg_free(&in.m);
	return 0;
}

void filed_free(struct filed *r)
{
	if (r->have_t)
		ticket_free(&r->t);
	json_decref(r->tags);
	free(r->cand);
	rules_out_free(&r->ro);
	memset(r, 0, sizeof *r);
}

int filing_batch_full(const struct filing *f)
{
	return f->tx && (f->batch_seen >= (size_t)f->opt.batch_max || f->batch_bytes >= BATCH_BYTES ||
	    f->ntickets >= BATCH_TICKETS);
}

/* --- the commit ------------------------------------------------------ */

static void batch_clear(struct filing *f)
{
	for (size_t i = 0; i < f->ntickets; i++) {
		if (f->tickets[i]->loaded)
			ticket_free(&f->tickets[i]->t);
		free(f->tickets[i]);
	}
	arena_reset(&f->msg_strings);
	f->ntickets = f->nmsgs = 0;
	strtab_clear(&f->ticket_ix);
	strtab_clear(&f->msg_ix);
	f->log.len = 0;
	f->batch_seen = f->batch_new = f->batch_bytes = 0;
}

/* Commit the open batch (with --dry-run: drop it); the lock stays. */
static void batch_commit(struct filing *f)
{
	struct desk *d = f->desk;
	size_t n = f->nmsgs, seen = f->batch_seen;
	if (f->opt.dry_run || desk_tx_count(f->tx) == 0) {
		desk_tx_abort(f->tx);
		if (n)	/* the view has what was not committed */
			view_free(&f->view);
	} else {
		char an[64], ae[300];
		desk_system_author(an, sizeof an, ae, sizeof ae);
		struct buf m = { 0 };
		if (seen > 1) {
			char head[128];
			snprintf(head, sizeof head, "%zu messages received (%zu new ticket%s)\n\n",
			    seen, f->batch_new, f->batch_new == 1 ? "" : "s");
			buf_adds(&m, head);
		}
		buf_add(&m, f->log.p, f->log.len);
		desk_tx_commit(f->tx, an, ae, m.p ? m.p : "");
		buf_free(&m);
		index_add_many(d, f->msgs, n);
		index_mark(d);
		if (f->view.built)	/* it has what the commit changed */
			desk_branch_id(d, DESK_BRANCH, &f->view.head);
		tickets_upkeep(d);
	}
	f->tx = NULL;
	f->total_n += seen;
	f->total_new += f->batch_new;
	batch_clear(f);
}

void filing_commit(struct filing *f)
{
	if (!f->tx)
		return;
	batch_commit(f);
	desk_unlock(f->desk);
}

/* Commit the batch before the message being filed (len bytes), the lock
 * kept: a merge reads the tickets it moves from the desk's files. */
static void batch_flush(struct filing *f, size_t len)
{
	f->batch_seen--;
	f->batch_bytes -= len;
	batch_commit(f);
	f->tx = desk_tx_new(f->desk);
	f->batch_seen = 1;
	f->batch_bytes = len;
}
