/* mroute: file incoming mail into the desk's tickets.
 *
 * For each message on stdin (one RFC 5322 message, or an mbox): find its
 * ticket (Message-ID already known: nothing to do; In-Reply-To and
 * References through the desk's index; the [#ID] token when the sender
 * takes part in that ticket) or open a new one, store the message and a
 * "received" event as one commit, and write the message to stdout with
 * X-Mdesk-* headers for procmail.  See mroute(1). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/wait.h>

#include "agents.h"
#include "desk.h"
#include "event.h"
#include "jsonw.h"
#include "index.h"
#include "lang.h"
#include "mime.h"
#include "route.h"
#include "ring.h"
#include "rules.h"
#include "mbox.h"
#include "msg.h"
#include "subject.h"
#include "ticketid.h"
#include "tickets.h"
#include "util.h"

static struct desk D;
static const char *opt_desk, *opt_now, *opt_queue;
static int dryrun, quiet, at_date, opt_ack;
static char mreply_path[4096] = "mreply";
static long long clock_now;
static struct agents AG;
static int have_agents;
static struct customers CU;
static struct rules *RULES;
static struct route_conf RC;
static int explain;

struct result {
	char ticket[16];
	const char *queue;
	int is_new, duplicate, automatic;
	const char *why;
};

static void usage(FILE *f, int code)
{
	fprintf(f, "usage: %s [--desk DIR] [--now TIME] [--at-date] [--queue NAME] [--ack] [--dry-run] [--explain] [--batch N] [file ...]\n",
	    progname);
	exit(code);
}

static void rule_fault(const char *file, int line, int col, const char *msg)
{
	if (col)
		fprintf(stderr, "%s: %s:%d:%d: %s\n", progname, file, line, col, msg);
	else
		fprintf(stderr, "%s: %s:%d: %s\n", progname, file, line, msg);
}

/* --- the message --- */


/* The queue: the first [queue NAME] whose address is among the
 * recipients (To, Cc, Delivered-To, X-Original-To), else the first queue. */
struct qctx {
	const char *found;
};

static const char *queue_of_addr(const char *addr)
{
	for (size_t i = 0; i < D.conf.n; i++) {
		const struct conf_entry *e = &D.conf.e[i];
		if (!strcmp(e->section, "queue") && !strcmp(e->key, "address") &&
		    !strcasecmp(e->value, addr))
			return e->name;
	}
	return NULL;
}

static void q_cb(void *ctx, const char *addr, const char *display)
{
	struct qctx *q = ctx;
	(void)display;
	if (!q->found)
		q->found = queue_of_addr(addr);
}

static const char *pick_queue(struct msg *m)
{
	if (opt_queue)
		return opt_queue;
	struct qctx q = { NULL };
	msg_addrs(m, "Delivered-To,X-Original-To,To,Cc", q_cb, &q);
	if (q.found)
		return q.found;
	for (size_t i = 0; i < D.conf.nsecs; i++)
		if (!strcmp(D.conf.secs[i].section, "queue"))
			return D.conf.secs[i].name;
	return "support";
}

static int is_queue_address(const char *addr)
{
	return addr && queue_of_addr(addr) != NULL;
}

static void load_agents(void)
{
	size_t len;
	if (have_agents)
		return;
	char *t = desk_read_file(&D, "agents.csv", &len);
	if (t && agents_parse(&AG, t, len, NULL) == 0)
		have_agents = 1;
	else if (t)
		die(EX_CONFIG, "agents.csv has errors; run 'mdesk check'");
	free(t);
}

/* --- the batch: messages filed in one commit ----------------------
 *
 * An mbox is filed in batches of --batch messages (default 1000): the
 * desk stays locked, every message adds its files and events to one
 * transaction, and the batch is one commit.  What the batch holds is read
 * back through the transaction (tload, lookup), so a message sees those
 * before it.  Output waits in memory until its batch is committed: when a
 * commit fails, nothing of that batch reaches stdout. */
static struct desk_tx *TX;
static char (*acks)[16];	/* new tickets to acknowledge after the commit */
static size_t nacks, capacks;
static void acknowledge(const char *ticket);
static void view_committed(void);
static long batch_max = 1000;
static size_t batch_n, batch_new, total_n, total_new;
static struct buf batch_log;	/* the commit message's lines */
static FILE *OUT;		/* stdout, or the batch's memory stream */
static char *out_mem;
static size_t out_len;
static struct bmid {
	char *mid;
	char ticket[16];
} *bm;
static size_t nbm, capbm;
static struct strtab bm_ix;	/* Message-ID -> bm index + 1 */
static struct bticket {
	char id[16];
	int next;		/* the next .eml number */
	int restored;		/* brought back from the archive in this batch */
} *bt;
static size_t nbt, capbt;
static struct strtab bt_ix;	/* ticket -> bt index + 1 */

static struct bticket *bt_find(const char *id)
{
	size_t i = strtab_get(&bt_ix, id);
	return i ? &bt[i - 1] : NULL;
}

/* --- the tickets this process has folded ---
 * A ticket is folded once and kept: the events this process adds are
 * folded onto it (ticket_fold_more) when it is next asked for, instead of
 * folding all of its events again for every message of its thread.  An
 * entry knows how many bytes of the open transaction's pending text for
 * the ticket it holds; the entries stay while the branches are as this
 * process left them (another writer between two batches, or an aborted
 * transaction, empties the cache).  Bounded: emptied between messages
 * when it holds more than TC_MAX tickets. */
#define TC_MAX 16384
static struct tcache {
	char id[16];
	struct ticket t;
	int archived;
	size_t folded;		/* bytes of TX's pending text in t */
	unsigned gen;		/* the transaction those bytes are of */
	int stale;		/* t is not the ticket (fold again) */
	int next;		/* its next message's number when known, or 0 */
} **tc;
static size_t ntc, captc;
static struct strtab tc_ix;	/* ticket -> tc index + 1 */
static unsigned tx_gen;		/* transactions begun */
static git_oid tc_heads[2];	/* main and archive when the lock was let go */
static int tc_heads_ok[2];

static void tc_clear(void)
{
	for (size_t i = 0; i < ntc; i++) {
		ticket_free(&tc[i]->t);
		free(tc[i]);
	}
	ntc = 0;
	strtab_clear(&tc_ix);
}

/* The entry of id is no longer the ticket: folded again when next asked. */
static void tc_drop(const char *id)
{
	size_t i = strtab_get(&tc_ix, id);
	if (i) {
		tc[i - 1]->stale = 1;
		tc[i - 1]->next = 0;
	}
}

/* A reference to a folded ticket: t shares its events (ticket_free it). */
static void ticket_ref(const struct ticket *src, struct ticket *t)
{
	*t = *src;
	json_incref(t->tags);
	json_incref(t->events);
	json_incref(t->extra);
	json_incref(t->collisions);
}

/* Fold a ticket as HEAD and the open transaction have it. */
static int tfold(const char *id, struct ticket *t, int *archived, const char *pend, size_t pl,
    int append)
{
	if (!pend)
		return ticket_load(&D, id, t, archived, 1);
	char ep[64];
	ticket_events_path(id, ep);
	struct buf text = { 0 };
	if (append) {	/* as the commit joins them (desk.c) */
		size_t hl;
		char *h = desk_read_head(&D, ep, &hl, 0);
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
	return 0;
}

/* A ticket as HEAD and the open transaction have it, through the cache:
 * 0 and *t (a reference: ticket_free it), or -1 when there is none. */
static int tload(const char *id, struct ticket *t, int *archived)
{
	char ep[64];
	size_t pl = 0;
	int append = 0, arch = 0;
	const char *pend = NULL;
	if (archived)
		*archived = 0;
	if (!ticketid_valid(id))
		return ticket_load(&D, id, t, archived, 1);
	if (TX) {
		ticket_events_path(id, ep);
		pend = desk_tx_pending(TX, ep, &pl, &append);
	}
	size_t i = strtab_get(&tc_ix, id);
	struct tcache *c = i ? tc[i - 1] : NULL;
	if (c && !c->stale && c->gen != tx_gen) {	/* folded before this transaction */
		c->gen = tx_gen;
		c->folded = 0;
	}
	if (c && !c->stale && c->folded < pl &&
	    ticket_fold_more(&c->t, pend + c->folded, pl - c->folded) == 0) {
		c->folded = pl;
		c->archived = 0;
	}
	if (!c || c->stale || c->folded != pl) {
		struct ticket f;
		if (tfold(id, &f, &arch, pend, pl, append) != 0)
			return -1;
		if (!c) {
			if (ntc == captc) {
				captc = captc ? 2 * captc : 256;
				tc = xrealloc(tc, captc * sizeof *tc);
			}
			c = tc[ntc++] = xcalloc(1, sizeof *c);
			snprintf(c->id, sizeof c->id, "%s", id);
			strtab_put(&tc_ix, c->id, ntc);
		} else
			ticket_free(&c->t);
		c->t = f;
		c->archived = pend ? 0 : arch;
		c->folded = pl;
		c->gen = tx_gen;
		c->stale = 0;
	}
	if (archived)
		*archived = c->archived;
	ticket_ref(&c->t, t);
	return 0;
}

/* The transaction is committed: an entry holds the ticket as committed
 * only when it folded all of the ticket's pending text. */
static void tc_committed(void)
{
	for (size_t i = 0; i < nbt; i++) {
		char ep[64];
		size_t pl = 0;
		int append;
		ticket_events_path(bt[i].id, ep);
		size_t k = strtab_get(&tc_ix, bt[i].id);
		if (k && desk_tx_pending(TX, ep, &pl, &append) &&
		    (tc[k - 1]->gen != tx_gen || tc[k - 1]->folded != pl))
			tc_drop(bt[i].id);	/* events it has not folded */
		else if (k && !tc[k - 1]->stale)
			tc[k - 1]->next = bt[i].next;
	}
}

/* For the summary after a commit (tickets_known): the ticket as just
 * committed, when the cache holds all of it. */
static const struct ticket *tc_known(const char *id)
{
	size_t i = strtab_get(&tc_ix, id);
	if (!i || !TX)
		return NULL;
	const struct tcache *c = tc[i - 1];
	char ep[64];
	size_t pl = 0;
	int append;
	ticket_events_path(id, ep);
	if (c->stale || c->gen != tx_gen || !desk_tx_pending(TX, ep, &pl, &append) || c->folded != pl)
		return NULL;
	return &c->t;
}

/* The branches as this process leaves them (0), or are they still so? */
static int tc_heads_same(int check)
{
	static const char *const refs[2] = { DESK_BRANCH, DESK_ARCHIVE };
	int same = 1;
	for (int k = 0; k < 2; k++) {
		git_oid h;
		int ok = desk_branch_id(&D, refs[k], &h) == 0;
		if (check)
			same &= ok == tc_heads_ok[k] && (!ok || !git_oid_cmp(&h, &tc_heads[k]));
		else {
			tc_heads_ok[k] = ok;
			if (ok)
				tc_heads[k] = h;
		}
	}
	return same;
}

static void batch_begin(void)
{
	if (TX)
		return;
	desk_lock(&D);
	index_sync(&D);
	if (ntc && !tc_heads_same(1))
		tc_clear();
	TX = desk_tx_new(&D);
	OUT = open_memstream(&out_mem, &out_len);
	if (!OUT)
		die(EX_TEMPFAIL, "memory: %s", strerror(errno));
}

static void batch_end(void)
{
	if (!TX)
		return;
	if (dryrun || desk_tx_count(TX) == 0) {
		if (desk_tx_count(TX))
			tc_clear();
		desk_tx_abort(TX);
		tc_heads_same(0);
	} else {
		tc_committed();
		char an[64], ae[300];
		desk_system_author(an, sizeof an, ae, sizeof ae);
		struct buf m = { 0 };
		if (batch_n == 1)
			buf_add(&m, batch_log.p, batch_log.len);
		else {
			char head[128];
			snprintf(head, sizeof head, "%zu messages received (%zu new ticket%s)\n\n",
			    batch_n, batch_new, batch_new == 1 ? "" : "s");
			buf_adds(&m, head);
			buf_add(&m, batch_log.p, batch_log.len);
		}
		desk_tx_commit(TX, an, ae, m.p ? m.p : "");
		buf_free(&m);
		const char **mids = xcalloc(nbm + 1, sizeof *mids);
		const char **tids = xcalloc(nbm + 1, sizeof *tids);
		for (size_t i = 0; i < nbm; i++) {
			mids[i] = bm[i].mid;
			tids[i] = bm[i].ticket;
		}
		index_add_many(&D, mids, tids, nbm);
		free(mids);
		free(tids);
		index_mark(&D);
		view_committed();
		/* the cache holds the branches as they are now; an upkeep that
		 * archives tickets moves one, and the next batch starts afresh */
		tc_heads_same(0);
		tickets_upkeep(&D);
	}
	TX = NULL;
	tx_gen++;
	desk_unlock(&D);
	/* acknowledgements, by mreply, once the tickets are in the desk */
	for (size_t i = 0; i < nacks; i++)
		acknowledge(acks[i]);
	nacks = 0;
	for (size_t i = 0; i < nbm; i++)
		free(bm[i].mid);
	nbm = nbt = 0;
	strtab_clear(&bm_ix);
	strtab_clear(&bt_ix);
	batch_log.len = 0;
	total_n += batch_n;
	total_new += batch_new;
	batch_n = batch_new = 0;
	/* the batch is in the desk: its output may go */
	fclose(OUT);
	if (out_len && fwrite(out_mem, 1, out_len, stdout) != out_len)
		die(EX_IOERR, "write error: %s", strerror(errno));
	free(out_mem);
	out_mem = NULL;
	out_len = 0;
	OUT = NULL;
	if (isatty(2) && total_n >= 100)
		fprintf(stderr, "\rmroute: %zu messages, %zu new tickets", total_n, total_new);
}

/* Does addr take part in the ticket (its customer, a sender of one of its
 * messages, or an agent)? */
static int participant(const struct ticket *t, const char *addr)
{
	if (!addr)
		return 0;
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *f = json_string_value(json_object_get(e, "from"));
		if (f && !strcasecmp(f, addr))
			return 1;
	}
	load_agents();
	for (size_t k = 0; k < AG.n; k++)
		if (!strcasecmp(AG.v[k].email, addr))
			return 1;
	return 0;
}

/* Follow merges to the ticket that answers now. */
static void follow_merges(char id[16])
{
	for (int hops = 0; hops < 16; hops++) {
		struct ticket t;
		if (tload(id, &t, NULL) != 0)
			return;
		if (!t.merged_into || !ticketid_valid(t.merged_into)) {
			ticket_free(&t);
			return;
		}
		snprintf(id, 16, "%s", t.merged_into);
		ticket_free(&t);
	}
}

/* A new ticket's ID: from the root Message-ID, lengthened while taken by
 * a ticket of another root. */
static void new_ticket_id(const char *mid, char id[16])
{
	for (int len = TICKETID_LEN; len <= TICKETID_MAX; len++) {
		ticketid(mid, strlen(mid), len, id);
		struct ticket t;
		if ((!bt_find(id) && !ticket_exists(&D, id)) || tload(id, &t, NULL) != 0)
			return;
		int same = t.first_message_id && !strcmp(t.first_message_id, mid);
		ticket_free(&t);
		if (same)
			return;
	}
	die(EX_SOFTWARE, "%s: no free ticket ID", mid);
}

/* The index, checked: the ticket it names must hold the message (the
 * index may be stale after a reset or a removal). */
static int lookup(const char *mid, char id[16])
{
	struct ticket t;
	size_t k = strtab_get(&bm_ix, mid);
	if (k) {
		snprintf(id, 16, "%s", bm[k - 1].ticket);
		return 1;
	}
	if (!index_lookup(&D, mid, id) || tload(id, &t, NULL) != 0)
		return 0;
	int found = 0;
	size_t i;
	json_t *e;
	json_array_foreach(t.events, i, e) {
		const char *m = json_string_value(json_object_get(e, "message_id"));
		if (m && !strcmp(m, mid))
			found = 1;
	}
	ticket_free(&t);
	return found;
}

static void find_ticket(struct msg_ids *ids, const char *subject, const char *from,
    struct result *r)
{
	char id[16];
	/* In-Reply-To, then References from the deepest */
	if (ids->irt[0] && lookup(ids->irt, id)) {
		snprintf(r->ticket, sizeof r->ticket, "%s", id);
		r->why = "in-reply-to";
		return;
	}
	for (size_t i = ids->nrefs; i-- > 0;)
		if (lookup(ids->refs[i], id)) {
			snprintf(r->ticket, sizeof r->ticket, "%s", id);
			r->why = "references";
			return;
		}
	if (ids->irt_any[0] && lookup(ids->irt_any, id)) {
		snprintf(r->ticket, sizeof r->ticket, "%s", id);
		r->why = "in-reply-to";
		return;
	}
	/* the token, from a participant only */
	char tok[16];
	if (subject && subject_token(subject, tok)) {
		struct ticket t;
		if (tload(tok, &t, NULL) == 0) {
			int ok = participant(&t, from);
			ticket_free(&t);
			if (ok) {
				snprintf(r->ticket, sizeof r->ticket, "%s", tok);
				r->why = "token";
				return;
			}
		}
	}
	r->is_new = 1;
	r->why = "new";
	new_ticket_id(ids->mid, r->ticket);
}

/* Write the message with X-Mdesk-* headers (customer-supplied X-Mdesk-*
 * fields are dropped first). */
struct decision;
static void emit_headers(const struct result *r, const struct decision *dc);

static void emit(const char *raw, size_t len, const struct result *r,
    const struct decision *dc, int as_mbox, const char *envelope)
{
	size_t hl = msg_header_len(raw, len);
	if (as_mbox)
		fprintf(OUT, "From %s\n", envelope ? envelope : "MAILER-DAEMON Thu Jan  1 00:00:00 1970");
	emit_headers(r, dc);
	int skip = 0;
	struct buf out = { 0 };
	for (const char *p = raw; p < raw + hl;) {
		const char *nl = memchr(p, '\n', (size_t)(raw + hl - p));
		const char *le = nl ? nl + 1 : raw + hl;
		if (*p != ' ' && *p != '\t')
			skip = !strncasecmp(p, "X-Mdesk-", 8);
		if (!skip)
			buf_add(&out, p, (size_t)(le - p));
		p = le;
	}
	buf_add(&out, raw + hl, len - hl);
	if (as_mbox) {
		struct buf esc = { 0 };
		int bol = 1;
		mbox_escape(&esc, out.p, out.len, &bol);
		fwrite(esc.p, 1, esc.len, OUT);
		if (esc.len && esc.p[esc.len - 1] != '\n')
			putc('\n', OUT);
		putc('\n', OUT);
		buf_free(&esc);
	} else
		fwrite(out.p, 1, out.len, OUT);
	buf_free(&out);
}

/* --- what the desk looks like: loads, last assignments, open tickets --- */

struct tview {
	char id[16];
	char *customer, *base;
	char status[16], assignee[40];
	long long updated;
};

/* A customer's tickets in the view, newest first (nodes may repeat or be
 * stale: the readers check the customer again; ties go to the ticket
 * that came first into the view, as a scan in view order gave). */
struct cnode {
	size_t i;
	struct cnode *next;
};
struct centry {
	char *key;		/* the customer, lower case */
	struct cnode *head;
};

static struct {
	int built;
	git_oid head;		/* HEAD when built or last changed by us */
	struct tview *v;
	size_t n, cap;
	long *load;		/* per agent (AG order) */
	long long *last;
	size_t *idt, idcap;	/* ticket id -> index + 1 (open addressing) */
	struct centry *ct;	/* customer -> their tickets */
	size_t ccap, cn;
} V;

static size_t id_slot(const char *id)
{
	size_t i = (size_t)hash64(id, strlen(id)) & (V.idcap - 1);
	while (V.idt[i] && strcmp(V.v[V.idt[i] - 1].id, id) != 0)
		i = (i + 1) & (V.idcap - 1);
	return i;
}

static char *lower_dup(const char *s)
{
	char *l = xstrdup(s);
	for (char *p = l; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p | 0x20);
	return l;
}

static size_t cust_slot(const char *key)
{
	size_t i = (size_t)hash64(key, strlen(key)) & (V.ccap - 1);
	while (V.ct[i].key && strcmp(V.ct[i].key, key) != 0)
		i = (i + 1) & (V.ccap - 1);
	return i;
}

static void cust_add(const char *customer, size_t idx)
{
	if (2 * (V.cn + 1) > V.ccap) {
		struct centry *old = V.ct;
		size_t oc = V.ccap;
		V.ccap = V.ccap ? 2 * V.ccap : 1024;
		V.ct = xcalloc(V.ccap, sizeof *V.ct);
		for (size_t i = 0; i < oc; i++)
			if (old[i].key)
				V.ct[cust_slot(old[i].key)] = old[i];
		free(old);
	}
	char *key = lower_dup(customer);
	size_t s = cust_slot(key);
	if (!V.ct[s].key) {
		V.ct[s].key = key;
		V.cn++;
	} else
		free(key);
	struct cnode *nd = xmalloc(sizeof *nd);
	nd->i = idx;
	nd->next = V.ct[s].head;
	V.ct[s].head = nd;
}

/* The first node of a customer's tickets (NULL: none). */
static const struct cnode *cust_tickets(const char *customer)
{
	if (!V.ccap || !customer)
		return NULL;
	char *key = lower_dup(customer);
	size_t s = cust_slot(key);
	free(key);
	return V.ct[s].key ? V.ct[s].head : NULL;
}

static int agent_index(const char *login)
{
	for (size_t k = 0; login && k < AG.n; k++)
		if (!strcmp(AG.v[k].login, login))
			return (int)k;
	return -1;
}

static void view_put_fields(const char *id, const char *customer, const char *subject,
    const char *status, const char *assignee, long long updated, long long assigned_at)
{
	struct tview *w = NULL;
	if (2 * (V.n + 1) > V.idcap) {
		free(V.idt);
		V.idcap = V.idcap ? 2 * V.idcap : 1024;
		V.idt = xcalloc(V.idcap, sizeof *V.idt);
		for (size_t i = 0; i < V.n; i++)
			V.idt[id_slot(V.v[i].id)] = i + 1;
	}
	size_t slot = id_slot(id);
	int same_customer = 0;
	if (V.idt[slot]) {
		w = &V.v[V.idt[slot] - 1];
		int k = agent_index(w->assignee);
		if (k >= 0 && status_load(w->status))
			V.load[k]--;
		same_customer = !strcasecmp(w->customer, customer ? customer : "");
		free(w->customer);
		free(w->base);
	} else {
		if (V.n == V.cap) {
			V.cap = V.cap ? 2 * V.cap : 256;
			V.v = xrealloc(V.v, V.cap * sizeof *V.v);
		}
		w = &V.v[V.n++];
		V.idt[slot] = V.n;
	}
	memset(w, 0, sizeof *w);
	snprintf(w->id, sizeof w->id, "%s", id);
	w->customer = xstrdup(customer ? customer : "");
	if (!same_customer)
		cust_add(w->customer, (size_t)(w - V.v));
	w->base = subject_base(subject ? subject : "", NULL);
	snprintf(w->status, sizeof w->status, "%s", status ? status : "new");
	snprintf(w->assignee, sizeof w->assignee, "%s", assignee ? assignee : "");
	w->updated = updated;
	int k = agent_index(w->assignee);
	if (k >= 0) {
		if (status_load(w->status))
			V.load[k]++;
		if (assigned_at > V.last[k])
			V.last[k] = assigned_at;
	}
}

static void view_free(void)
{
	for (size_t i = 0; i < V.n; i++) {
		free(V.v[i].customer);
		free(V.v[i].base);
	}
	free(V.v);
	free(V.load);
	free(V.last);
	free(V.idt);
	for (size_t i = 0; i < V.ccap; i++) {
		free(V.ct[i].key);
		for (struct cnode *nd = V.ct[i].head, *nx; nd; nd = nx) {
			nx = nd->next;
			free(nd);
		}
	}
	free(V.ct);
	memset(&V, 0, sizeof V);
}

/* Build the view from the tickets' summaries (.git/mdesk/), or again when
 * someone else moved HEAD. */
static void view_need(void)
{
	git_oid h;
	memset(&h, 0, sizeof h);
	desk_branch_id(&D, DESK_BRANCH, &h);
	if (V.built && !git_oid_cmp(&h, &V.head))
		return;
	view_free();
	V.load = xcalloc(AG.n + 1, sizeof *V.load);
	V.last = xcalloc(AG.n + 1, sizeof *V.last);
	size_t n;
	const struct tsum *ts = tickets_summary(&D, 0, &n);
	for (size_t i = 0; i < n; i++)
		view_put_fields(ts[i].id, ts[i].customer, ts[i].subject, ts[i].status, ts[i].assignee,
		    ts[i].updated, ts[i].assigned_at);
	V.built = 1;
	V.head = h;
}

/* Our own commit moved HEAD: the view already has what it changed. */
static void view_committed(void)
{
	if (V.built)
		desk_branch_id(&D, DESK_BRANCH, &V.head);
}

static void view_after_commit(const char *id)
{
	if (!V.built)
		return;
	struct ticket t;
	if (tload(id, &t, NULL) == 0) {
		view_put_fields(t.id, t.customer, t.subject, t.status, t.assignee, t.updated, t.assigned_at);
		ticket_free(&t);
	}
}

/* The customer's open ticket with the same base subject, active within
 * the window: mail that is not a reply but belongs to it. */
static int subject_join(const char *from, const char *subject, char id[16])
{
	if (RC.subject_window <= 0 || !from || !subject)
		return 0;
	char *base = subject_base(subject, NULL);
	int found = 0;
	long long best = 0;
	if (*base) {
		view_need();
		for (const struct cnode *nd = cust_tickets(from); nd; nd = nd->next) {
			const struct tview *w = &V.v[nd->i];
			if (!strcasecmp(w->customer, from) && status_active(w->status) &&
			    w->updated >= D.now - RC.subject_window && w->updated >= best &&
			    !strcasecmp(w->base, base)) {
				best = w->updated;
				snprintf(id, 16, "%s", w->id);
				found = 1;
			}
		}
	}
	free(base);
	return found;
}

/* The agent of the customer's most recent ticket. */
static const char *customer_last_agent(const char *from)
{
	long long best = 0;
	const char *a = NULL;
	view_need();
	for (const struct cnode *nd = cust_tickets(from); nd; nd = nd->next) {
		const struct tview *w = &V.v[nd->i];
		if (w->assignee[0] && !strcasecmp(w->customer, from) && w->updated > best) {
			best = w->updated;
			a = w->assignee;
		}
	}
	return a;
}

static const struct calendar *agent_calendar(const struct agent *a)
{
	static struct {
		char name[64];
		struct calendar c;
		int ok;
	} cache[64];
	static size_t n;
	const char *name = *a->calendar ? a->calendar : conf_get(&D.conf, "", "", "calendar");
	if (!name || !*name)
		name = "business";
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cache[i].name, name))
			return cache[i].ok ? &cache[i].c : NULL;
	if (n == sizeof cache / sizeof cache[0] || strchr(name, '/'))
		return NULL;
	size_t i = n++;
	snprintf(cache[i].name, sizeof cache[i].name, "%s", name);
	char path[128];
	size_t len;
	const char *err;
	snprintf(path, sizeof path, "calendars/%s.conf", name);
	char *t = desk_read_file(&D, path, &len);
	if (!t) {
		if (*a->calendar)
			die(EX_CONFIG, "agents.csv:%d: calendar '%s' of %s: no %s; run 'mdesk check'",
			    a->line, a->calendar, a->login, path);
		return NULL;	/* no desk calendar: shifts do not limit */
	}
	int line = calendar_parse(&cache[i].c, name, t, len, &err);
	free(t);
	if (line)
		die(EX_CONFIG, "%s:%d: %s; run 'mdesk check'", path, line, err);
	cache[i].ok = 1;
	return &cache[i].c;
}

/* --- one message --- */

struct decision {
	struct rules_out ro;
	int have_rules, reopen, malformed;
	const char *lang_from;
	char lang[16];
	char follows[16];
	const char *assignee, *assign_why, *priority;
	struct route_cand *cand;
	size_t ncand;
	json_t *tags;		/* the ticket's tags afterwards */
};

/* The X-Mdesk-* fields for procmail and mreply: values are desk names
 * (ticket ids, queue and agent names, tags, codes), never mail text. */
static int cmp_strp(const void *a, const void *b);

static void emit_headers(const struct result *r, const struct decision *dc)
{
	fprintf(OUT, "X-Mdesk-Ticket: %s\n", r->ticket);
	fprintf(OUT, "X-Mdesk-Queue: %s\n", r->queue);
	fprintf(OUT, "X-Mdesk-Status: %s\n", r->duplicate ? "duplicate" : r->is_new ? "new" : "reply");
	if (dc->assignee)
		fprintf(OUT, "X-Mdesk-Assignee: %s\n", dc->assignee);
	if (dc->priority)
		fprintf(OUT, "X-Mdesk-Priority: %s\n", dc->priority);
	if (dc->lang[0])
		fprintf(OUT, "X-Mdesk-Lang: %s\n", dc->lang);
	size_t n = dc->tags ? json_array_size(dc->tags) : 0;
	if (!dc->tags && r->automatic)
		fprintf(OUT, "X-Mdesk-Tags: auto\n");
	if (n) {
		/* sorted, once each */
		const char **v = xmalloc(n * sizeof *v);
		for (size_t i = 0; i < n; i++)
			v[i] = json_string_value(json_array_get(dc->tags, i));
		qsort(v, n, sizeof *v, cmp_strp);
		fputs("X-Mdesk-Tags: ", OUT);
		for (size_t i = 0; i < n; i++)
			if (!i || strcmp(v[i], v[i - 1]))
				fprintf(OUT, "%s%s", i ? ", " : "", v[i]);
		putc('\n', OUT);
		free(v);
	}
	if (!r->duplicate && (!r->is_new || r->automatic || dc->ro.noack || dc->ro.spam))
		fprintf(OUT, "X-Mdesk-Noack: yes\n");
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void add_event(struct desk_tx *tx, const char *ep, json_t *e, const char *kind, const char *mid)
{
	event_id_for(e, kind, mid);
	char *line = event_line(e);
	desk_tx_append(tx, ep, line, strlen(line));
	free(line);
	json_decref(e);
}

/* The readable text of the message, read once (language and rules). */
static const char *text_of(const char *raw, size_t len, char **text)
{
	if (!*text)
		*text = mime_text(raw, len);
	return *text;
}

static const char *detect_lang(struct msg *m, const char *raw, size_t len, const char *from,
    char l[16], const char *subject, char **text)
{
	/* Content-Language (first tag, lower case, region kept) */
	const char *lang = msg_raw(m, "Content-Language", 1);
	if (lang) {
		while (*lang == ' ')
			lang++;
		size_t k = 0;
		for (; lang[k] && k < 15 && ((lang[k] >= 'a' && lang[k] <= 'z') ||
		    (lang[k] >= 'A' && lang[k] <= 'Z') || lang[k] == '-'); k++)
			l[k] = (char)(lang[k] == '-' ? '-' : lang[k] | 0x20);
		l[k] = 0;
		if (k >= 2)
			return "content-language";
		l[0] = 0;
	}
	if (from) {
		struct customer *cu = customer_find(&CU, from);
		if (cu && *cu->language) {
			snprintf(l, 16, "%s", cu->language);
			return "customer";
		}
	}
	if (RC.detect) {
		struct buf b = { 0 };
		if (subject) {
			buf_adds(&b, subject);
			buf_adds(&b, "\n");
		}
		buf_adds(&b, text_of(raw, len, text));
		const char *d = lang_detect(b.p, b.len);
		buf_free(&b);
		if (d) {
			snprintf(l, 16, "%s", d);
			return "detected";
		}
	}
	return NULL;
}

/* The rules on one message: 1, or 2 when they failed with nothing done. */
static int run_rules(const char *raw, size_t len, const char *from, const char *lang,
    char **text, struct rules_out *ro)
{
	char *own = NULL;
	if (!text)
		text = &own;
	struct customer *cu = from ? customer_find(&CU, from) : NULL;
	struct rules_ctx cx = { lang[0] ? lang : NULL, cu && *cu->tier ? cu->tier : NULL,
		text_of(raw, len, text) };
	int rc = rules_run(RULES, raw, len, &cx, ro) != 0 && !ro->nfired ? 2 : 1;
	free(own);
	return rc;
}

/* What a message's own bytes decide, whatever the desk holds: its
 * language as the message and customers.csv tell it, and the rules run
 * with that language (mroute runs them again when the language comes
 * from the ticket instead). */
struct pre {
	char lang[16];
	const char *lang_from;	/* NULL: not told */
	int rules;		/* 0 not run, 1 run, 2 failed with nothing done */
	struct rules_out ro;
	void *z;		/* the message deflated as a blob (reading process) */
	size_t zlen;
	git_oid blob;
};
static const char *const lang_froms[] = { "content-language", "customer", "detected" };

static void prepare(struct msg *m, const char *raw, size_t len, const char *from,
    const char *subject, struct pre *p)
{
	char *text = NULL;
	memset(p, 0, sizeof *p);
	p->lang_from = detect_lang(m, raw, len, from, p->lang, subject, &text);
	if (RULES)
		p->rules = run_rules(raw, len, from, p->lang, &text, &p->ro);
	free(text);
}

static void explain_json(json_t *o, const struct result *r, const struct decision *dc,
    const char *mid, int automatic)
{
	jw_str(o, "message_id", mid);
	jw_str(o, "ticket", r->ticket);
	json_object_set_new(o, "new", json_boolean(r->is_new));
	jw_str(o, "thread", r->duplicate ? "duplicate" : r->why);
	if (dc->follows[0])
		jw_str(o, "follows", dc->follows);
	json_object_set_new(o, "reopen", json_boolean(dc->reopen));
	jw_str(o, "queue", r->queue);
	if (dc->tags)
		json_object_set(o, "tags", dc->tags);
	else
		json_object_set_new(o, "tags", json_array());
	if (dc->priority)
		jw_str(o, "priority", dc->priority);
	if (dc->lang[0]) {
		jw_str(o, "lang", dc->lang);
		jw_str(o, "lang_from", dc->lang_from);
	} else
		json_object_set_new(o, "lang", json_null());
	if (dc->assignee)
		jw_str(o, "assignee", dc->assignee);
	else
		json_object_set_new(o, "assignee", json_null());
	if (dc->assign_why)
		jw_str(o, "assign_why", dc->assign_why);
	json_object_set_new(o, "auto", json_boolean(automatic));
	json_object_set_new(o, "noack", json_boolean(dc->ro.noack || dc->ro.spam || automatic ||
	    !r->is_new));
	json_object_set_new(o, "spam", json_boolean(dc->ro.spam));
	if (dc->malformed)
		json_object_set_new(o, "malformed", json_true());
	json_t *rl = json_array();
	for (size_t i = 0; i < dc->ro.nfired; i++)
		json_array_append_new(rl, json_string(dc->ro.fired[i]));
	json_object_set_new(o, "rules", rl);
	if (dc->ncand) {
		json_t *ag = json_object();
		for (size_t i = 0; i < dc->ncand; i++)
			jw_str(ag, dc->cand[i].a->login, dc->cand[i].why[0] ? dc->cand[i].why : "not considered");
		json_object_set_new(o, "agents", ag);
	}
}

/* --ack: the acknowledgement of a new ticket, sent by mreply --ack --send
 * (which applies RFC 3834, the rate limit and the [ack] settings).  A
 * failure to acknowledge is reported and does not undo the filing. */
static void acknowledge(const char *ticket)
{
	char now[32];
	fmt_rfc3339(D.now, now);
	const char *argv[] = { mreply_path, "--ack", "--send", "--desk", D.root, "--now", now,
		"--ticket", ticket, quiet ? "--quiet" : NULL, NULL };
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) {
		warnx_("%s: no acknowledgement: fork: %s", ticket, strerror(errno));
		return;
	}
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
		}
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "mroute: %s: %s\n", argv[0], strerror(errno));
		_exit(EX_UNAVAILABLE);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		warnx_("%s: filed, but the acknowledgement failed (mreply exit %d)", ticket,
		    WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
}

/* What became of a message: the decisions as JSON (--dry-run on stdout,
 * --explain on stderr) and, unless --dry-run, the message with its
 * X-Mdesk-* fields. */
static void report(const char *raw, size_t len, const struct result *r,
    const struct decision *dc, const char *mid, int as_mbox, const char *envelope)
{
	if (dryrun || explain) {
		json_t *o = json_object();
		explain_json(o, r, dc, mid, r->automatic);
		char *s = json_dumps(o, JSON_COMPACT);
		fprintf(dryrun ? stdout : stderr, "%s\n", s);
		free(s);
		json_decref(o);
	}
	if (!dryrun)
		emit(raw, len, r, dc, as_mbox, envelope);
}

/* Parse a message's header (its first MBOX_HEADER_MAX bytes at most):
 * 1 when it is malformed (too long, no field, no sender). */
static int open_msg(struct msg *m, const char *raw, size_t len, size_t *hlp, const char **from,
    const char **name, const char **subject)
{
	int bad = 0;
	size_t hl = msg_header_len(raw, len);
	if (hl > MBOX_HEADER_MAX) {
		hl = MBOX_HEADER_MAX;
		bad = 1;
	}
	msg_open(m, raw, hl);
	*from = *name = NULL;
	msg_addr(m, "From", from, name);
	if (!*from)
		msg_addr(m, "Sender", from, name);
	if (!*from || !memchr(raw, ':', hl ? hl : 1))
		bad = 1;
	*subject = msg_text(m, "Subject");
	*hlp = hl;
	return bad;
}

static int route(const char *raw, size_t len, int as_mbox, const char *envelope,
    struct pre *pre)
{
	struct msg m = { 0 };
	struct msg_ids ids;
	struct result r;
	struct decision dc;
	const char *from = NULL, *name = NULL;
	memset(&r, 0, sizeof r);
	memset(&dc, 0, sizeof dc);
	if (ntc > TC_MAX)
		tc_clear();

	size_t hl;
	const char *subject;
	dc.malformed = open_msg(&m, raw, len, &hl, &from, &name, &subject);
	msg_ids(&m, &ids);
	if (!ids.mid[0]) {	/* a stable id for mail without one (as mthread's) */
		uint64_t h = msg_hash_header(HASH64_INIT, raw, hl);
		char hid[64];
		msg_hash_id(hash64_update(h, raw + hl, len - hl), hid);
		snprintf(ids.mid, sizeof ids.mid, "%s", hid);
	}
	r.queue = pick_queue(&m);
	/* --at-date (imports): the message's own Date, when it is not later
	 * than the clock, is when the desk received it */
	D.now = clock_now;
	long long md;
	if (at_date && msg_date(&m, &md) == 0 && md <= clock_now)
		D.now = md;
	r.automatic = msg_is_automatic(&m, from) || is_queue_address(from);

	batch_begin();
	char have[16];
	if (lookup(ids.mid, have)) {
		/* delivered before: nothing changes */
		snprintf(r.ticket, sizeof r.ticket, "%s", have);
		follow_merges(r.ticket);
		r.duplicate = 1;
		r.why = "duplicate";
		report(raw, len, &r, &dc, ids.mid, as_mbox, envelope);
		if (pre) {
			rules_out_free(&pre->ro);
			free(pre->z);
		}
		msg_free(&m);
		if (++batch_n >= (size_t)batch_max)
			batch_end();
		return 0;
	}
	find_ticket(&ids, subject, from, &r);
	if (!r.is_new)
		follow_merges(r.ticket);
	else if (!r.automatic && subject_join(from, subject, have)) {
		r.is_new = 0;
		r.why = "subject";
		snprintf(r.ticket, sizeof r.ticket, "%s", have);
	}

	int archived = 0;
	struct ticket t;
	int have_t = 0;
	if (!r.is_new && tload(r.ticket, &t, &archived) == 0) {
		have_t = 1;
		/* closed, or solved too long ago: a new ticket that follows it */
		int is_agent = 0;
		for (size_t k = 0; from && k < AG.n; k++)
			is_agent |= !strcasecmp(AG.v[k].email, from);
		if (!is_agent && !r.automatic && (!strcmp(t.status, "closed") ||
		    (!strcmp(t.status, "solved") && RC.reopen_window > 0 &&
		    t.solved_at && D.now - t.solved_at > RC.reopen_window))) {
			snprintf(dc.follows, sizeof dc.follows, "%s", r.ticket);
			ticket_free(&t);
			have_t = 0;
			archived = 0;
			r.is_new = 1;
			r.why = "new";
			new_ticket_id(ids.mid, r.ticket);
		} else if (!is_agent && !r.automatic && !strcmp(t.status, "solved"))
			dc.reopen = 1;
	}

	/* language and rules: what the reading process worked out, else
	 * here (the same function) */
	struct pre local;
	if (!pre) {
		prepare(&m, raw, len, from, subject, &local);
		pre = &local;
	}
	snprintf(dc.lang, sizeof dc.lang, "%s", pre->lang);
	dc.lang_from = pre->lang_from;
	if (!dc.lang_from && have_t && t.lang)
		snprintf(dc.lang, sizeof dc.lang, "%s", t.lang), dc.lang_from = "ticket";

	/* rules: for mail from outside (an agent's reply in copy is not routed) */
	int from_agent = 0;
	for (size_t k = 0; from && k < AG.n; k++)
		from_agent |= !strcasecmp(AG.v[k].email, from);
	if (RULES && !(from_agent && !r.is_new)) {
		int rc;
		if (pre->rules && !strcmp(pre->lang, dc.lang)) {
			dc.ro = pre->ro;	/* moved */
			memset(&pre->ro, 0, sizeof pre->ro);
			rc = pre->rules;
		} else
			rc = run_rules(raw, len, from, dc.lang, NULL, &dc.ro);
		if (rc == 2)
			warnx_("routing.sieve: the rules failed on %s; filed without them", ids.mid);
		dc.have_rules = 1;
	}
	rules_out_free(&pre->ro);
	if (r.is_new && dc.ro.queue[0])
		r.queue = dc.ro.queue;

	struct desk_tx *tx = TX;
	struct bticket *bk = bt_find(r.ticket);
	if (!bk) {
		if (nbt == capbt) {
			capbt = capbt ? 2 * capbt : 64;
			bt = xrealloc(bt, capbt * sizeof *bt);
			strtab_clear(&bt_ix);	/* its keys moved with bt */
			for (size_t i = 0; i < nbt; i++)
				strtab_put(&bt_ix, bt[i].id, i + 1);
		}
		bk = &bt[nbt++];
		memset(bk, 0, sizeof *bk);
		snprintf(bk->id, sizeof bk->id, "%s", r.ticket);
		strtab_put(&bt_ix, bk->id, nbt);
		/* the number after the ticket's last message: kept from the
		 * batches before (listing the folder costs) */
		size_t k = strtab_get(&tc_ix, r.ticket);
		bk->next = r.is_new ? 1 : k && !tc[k - 1]->stale && tc[k - 1]->next ?
		    tc[k - 1]->next : ticket_next_number(&D, r.ticket, archived);
	}
	if (archived && !bk->restored) {
		ticket_restore(&D, tx, r.ticket);
		bk->restored = 1;
		tc_drop(r.ticket);	/* its events are written whole now */
	}
	int num = bk->next++;
	char dir[40], file[16], path[80], ep[64];
	desk_ticket_dir(r.ticket, dir);
	snprintf(file, sizeof file, "%04d.eml", num);
	snprintf(path, sizeof path, "%s/%s", dir, file);
	ticket_events_path(r.ticket, ep);
	desk_tx_write(tx, path, raw, len);
	if (pre->z) {
		desk_tx_offer(tx, &pre->blob, pre->z, pre->zlen);
		pre->z = NULL;
	}

	/* an agent's own mail (a reply sent from a mail client with the desk
	 * in copy) is that agent's reply */
	struct agent *ag = NULL;
	for (size_t k = 0; from && k < AG.n && !ag; k++)
		if (!strcasecmp(AG.v[k].email, from))
			ag = &AG.v[k];
	int as_reply = ag && !r.is_new;
	json_t *e = event_new(as_reply ? "replied" : "received", as_reply ? ag->login : "customer", D.now);
	if (as_reply)
		jw_str(e, "agent", ag->login);
	jw_str(e, "message_id", ids.mid);
	jw_str(e, "from", from);
	if (name)
		jw_str(e, "name", name);
	const char *to = msg_raw(&m, "To", 1);
	if (to) {
		char *c = rfc2047_text(to);
		jw_str(e, "to", c);
		free(c);
	}
	jw_str(e, "subject", subject ? subject : "");
	jw_str(e, "queue", r.queue);
	if (dc.lang[0]) {
		jw_str(e, "lang", dc.lang);
		jw_str(e, "lang_from", dc.lang_from);
	}
	jw_str(e, "file", file);
	jw_str(e, "thread", r.why);
	if (dc.follows[0])
		jw_str(e, "follows", dc.follows);
	if (r.automatic)
		json_object_set_new(e, "auto", json_true());
	if (dc.ro.noack)
		json_object_set_new(e, "noack", json_true());
	if (dc.ro.nfired) {
		json_t *rl = json_array();
		for (size_t i = 0; i < dc.ro.nfired; i++)
			json_array_append_new(rl, json_string(dc.ro.fired[i]));
		json_object_set_new(e, "rules", rl);
	}
	add_event(tx, ep, e, "received", ids.mid);

	/* tags: auto, malformed and the rules' */
	json_t *tags = json_array();
	if (r.automatic)
		json_array_append_new(tags, json_string("auto"));
	if (dc.malformed)
		json_array_append_new(tags, json_string("malformed"));
	for (size_t i = 0; i < dc.ro.ntags; i++)
		if (tag_valid(dc.ro.tags[i]))
			json_array_append_new(tags, json_string(dc.ro.tags[i]));
	if (json_array_size(tags)) {
		e = event_new("tagged", "system", D.now);
		json_object_set(e, "tags", tags);
		add_event(tx, ep, e, "tagged", ids.mid);
	}
	json_decref(tags);

	/* priority: the rules', else the queue's for a new ticket */
	dc.priority = have_t ? t.priority : "normal";
	const char *want = dc.ro.priority[0] && priority_valid(dc.ro.priority) ? dc.ro.priority :
	    r.is_new ? route_queue_priority(&D, r.queue) : NULL;
	if (want && strcmp(want, dc.priority)) {
		e = event_new("priority", "system", D.now);
		jw_str(e, "priority", want);
		add_event(tx, ep, e, "priority", ids.mid);
		dc.priority = want;
	}

	/* spam: closed at once, nobody's */
	if (dc.ro.spam && r.is_new) {
		e = event_new("status", "system", D.now);
		jw_str(e, "status", "closed");
		add_event(tx, ep, e, "status-spam", ids.mid);
	}

	/* assignment */
	const char *cur = have_t ? t.assignee : NULL;
	int cur_active = 0;
	for (size_t k = 0; cur && k < AG.n; k++)
		if (!strcmp(AG.v[k].login, cur))
			cur_active = !strcmp(AG.v[k].status, "active");
	int ticket_open = r.is_new || (have_t && (status_active(t.status) || dc.reopen));
	if (cur && cur_active) {
		dc.assignee = cur;
		dc.assign_why = "sticky: the ticket's agent";
	} else if (RC.assign && !dc.ro.spam && !as_reply && ticket_open && !(r.automatic && !r.is_new) &&
	    AG.n) {
		view_need();
		dc.cand = xcalloc(AG.n, sizeof *dc.cand);
		dc.ncand = AG.n;
		for (size_t k = 0; k < AG.n; k++) {
			dc.cand[k].a = &AG.v[k];
			dc.cand[k].cal = agent_calendar(&AG.v[k]);
			dc.cand[k].load = V.load[k];
			dc.cand[k].last = V.last[k];
		}
		struct route_need need = { 0 };
		const char *grp = dc.ro.group[0] ? dc.ro.group : route_queue_group(&D, r.queue);
		need.group = grp;
		need.skills = dc.ro.skills;
		need.nskills = dc.ro.nskills;
		need.lang = dc.lang[0] ? dc.lang : NULL;
		need.forced = r.is_new && dc.ro.assign[0] ? dc.ro.assign : NULL;
		need.sticky = RC.sticky && r.is_new ? customer_last_agent(from) : NULL;
		need.round_robin = route_group_round_robin(&D, &RC, grp);
		need.now = D.now;
		const char *nobody;
		int k = route_assign(dc.cand, dc.ncand, &need, &nobody);
		if (k >= 0) {
			dc.assignee = AG.v[k].login;
			dc.assign_why = dc.cand[k].why;
			e = event_new("assigned", "system", D.now);
			jw_str(e, "agent", dc.assignee);
			jw_str(e, "reason", dc.assign_why);
			add_event(tx, ep, e, "assigned", ids.mid);
		} else if (r.is_new) {
			dc.assign_why = nobody;
			e = event_new("unassigned", "system", D.now);
			jw_str(e, "reason", nobody);
			json_t *why = json_object();
			for (size_t i = 0; i < dc.ncand; i++)
				jw_str(why, dc.cand[i].a->login, dc.cand[i].why);
			json_object_set_new(e, "agents", why);
			add_event(tx, ep, e, "unassigned", ids.mid);
		} else
			dc.assign_why = nobody;
	} else if (cur) {
		dc.assignee = cur;
		dc.assign_why = "kept";
	}

	/* the ticket's tags afterwards, for the headers */
	dc.tags = json_array();
	if (have_t) {
		size_t i;
		json_t *x;
		json_array_foreach(t.tags, i, x)
			json_array_append(dc.tags, x);
	}
	if (r.automatic)
		json_array_append_new(dc.tags, json_string("auto"));
	if (dc.malformed)
		json_array_append_new(dc.tags, json_string("malformed"));
	for (size_t i = 0; i < dc.ro.ntags; i++)
		if (tag_valid(dc.ro.tags[i]))
			json_array_append_new(dc.tags, json_string(dc.ro.tags[i]));

	char cmsg[600];
	snprintf(cmsg, sizeof cmsg, "%s: received from %.200s%s%s%s%s%s\n", r.ticket,
	    from ? from : "unknown sender", r.is_new ? " (new ticket" : "",
	    dc.follows[0] ? ", follows " : "", dc.follows,
	    r.is_new && dc.assignee ? ", for " : "", r.is_new && dc.assignee ? dc.assignee : "");
	if (r.is_new) {
		size_t l = strlen(cmsg) - 1;
		snprintf(cmsg + l, sizeof cmsg - l, ")\n");
	}
	buf_adds(&batch_log, cmsg);
	if (nbm == capbm) {
		capbm = capbm ? 2 * capbm : 64;
		bm = xrealloc(bm, capbm * sizeof *bm);
	}
	bm[nbm].mid = xstrdup(ids.mid);
	snprintf(bm[nbm].ticket, sizeof bm[nbm].ticket, "%s", r.ticket);
	nbm++;
	if (!strtab_get(&bm_ix, bm[nbm - 1].mid))
		strtab_put(&bm_ix, bm[nbm - 1].mid, nbm);
	view_after_commit(r.ticket);
	batch_new += r.is_new;
	if (opt_ack && r.is_new && !dryrun && !r.automatic && !dc.ro.noack && !dc.ro.spam) {
		if (nacks == capacks) {
			capacks = capacks ? 2 * capacks : 16;
			acks = xrealloc(acks, capacks * sizeof *acks);
		}
		snprintf(acks[nacks++], 16, "%s", r.ticket);
	}
	report(raw, len, &r, &dc, ids.mid, as_mbox, envelope);
	if (have_t)
		ticket_free(&t);
	json_decref(dc.tags);
	free(dc.cand);
	rules_out_free(&dc.ro);
	msg_free(&m);
	if (++batch_n >= (size_t)batch_max)
		batch_end();
	return 0;
}

/* The next message of rd into raw (unescaped, whole: it is stored), its
 * envelope into env: 1, or 0 at the end. */
static int next_raw(struct mbox_reader *rd, const char *name, struct buf *raw, char env[512],
    int *is_mbox, int *err)
{
	struct mbox_msg mm;
	int k;
	*err = 0;
	for (;;) {
		if ((k = mbox_next(rd, &mm)) <= 0)
			break;
		const char *p;
		size_t len;
		int bol = 1;
		*is_mbox = mbox_is_mbox(rd);
		raw->len = 0;
		env[0] = 0;
		if (mm.envelope)
			snprintf(env, 512, "%.*s", (int)(mm.envelope_len < 500 ? mm.envelope_len : 500),
			    mm.envelope);
		if (*is_mbox)
			mbox_unescape(raw, mm.header, mm.header_len, &bol);
		else
			buf_add(raw, mm.header, mm.header_len);
		while ((k = mbox_body(rd, &p, &len)) > 0) {
			if (*is_mbox)
				mbox_unescape(raw, p, len, &bol);
			else
				buf_add(raw, p, len);
		}
		if (k < 0)
			break;
		if (*is_mbox) {	/* drop what the header took of the separator */
			unsigned long long own = mbox_msg_end(rd) - mm.offset - mm.from_line_len;
			if (own < raw->len)
				raw->len = own;
		}
		if (raw->len)
			return 1;
	}
	if (k < 0) {
		*err = errno ? errno : EIO;
		if (name)
			die(EX_TEMPFAIL, "%s: %s", name, strerror(*err));
	}
	return 0;
}

/* --- the reading process ---
 * Over an mbox, a second process reads ahead: it parses each message,
 * tells its language and runs the rules (prepare), and hands the
 * message and those results to mroute through a ring of shared memory
 * (ring.h), so that the work that needs no desk runs beside the work that
 * does.  It starts at the second message (a single delivery never
 * forks), writes nothing but the ring, and ends with an end record: a
 * process that ends without one (it died) fails the run with
 * EX_TEMPFAIL, as a read error does. */
enum { REC_MSG, REC_END, REC_ERR };
struct rec {
	uint64_t raw_len;
	uint32_t env_len, ro_len;
	int32_t kind, is_mbox, lang_from, rules, err;
	int32_t prepared;	/* 0: the filing process prepares it itself */
	char lang[16];
	uint64_t zlen;		/* the deflated blob after the message */
	unsigned char blob[GIT_OID_RAWSZ];
};

/* Index changes an import lets wait (a batch makes one or two per
 * message): the journal names them meanwhile. */
#define INDEX_DEFER 16384

/* The ring: the size of what the reading process may run ahead. */
#define RING_CAP ((size_t)64 << 20)
/* The share of the work: while less than RING_LOW waits in the ring the
 * filing process is about to wait for the reading one, and takes the
 * next message as it comes (it tells the language and runs the rules
 * itself, as for a single delivery); while more than RING_CAP / 4
 * waits, the filing process is the slower, and the reading one deflates
 * the message as a blob besides. */
#define RING_LOW ((size_t)2 << 20)
static size_t ring_low = RING_LOW;	/* $MDESK_RING_LOW */
static struct ring *RING;

static void put_all(const void *p, size_t n)
{
	if (ring_put(RING, p, n) != 0)
		_exit(EX_IOERR);
}

static _Noreturn void reader(struct mbox_reader *rd, struct buf *raw, char env[512], int is_mbox)
{
	struct buf b = { 0 };
	int err = 0;
	do {
		struct msg m = { 0 };
		const char *from, *name, *subject;
		size_t hl;
		struct pre p;
		size_t ahead = ring_filled(RING);
		memset(&p, 0, sizeof p);
		if (ahead >= ring_low) {
			open_msg(&m, raw->p, raw->len, &hl, &from, &name, &subject);
			prepare(&m, raw->p, raw->len, from, subject, &p);
			msg_free(&m);
		}
		struct rec r;
		memset(&r, 0, sizeof r);	/* padding too: it goes to the other process */
		r.raw_len = raw->len;
		r.env_len = (uint32_t)strlen(env);
		r.kind = REC_MSG;
		r.is_mbox = is_mbox;
		r.lang_from = -1;
		r.rules = p.rules;
		r.prepared = ahead >= ring_low;
		git_oid id;
		size_t zl = 0;
		void *z = r.prepared && ahead > RING_CAP / 4 ?
		    packw_deflate_blob(raw->p, raw->len, &id, &zl) : NULL;
		if (z) {
			r.zlen = zl;
			memcpy(r.blob, id.id, sizeof r.blob);
		}
		for (int i = 0; i < 3; i++)
			if (p.lang_from == lang_froms[i])
				r.lang_from = i;
		memcpy(r.lang, p.lang, sizeof r.lang);
		b.len = 0;
		buf_add(&b, &r, sizeof r);
		size_t at = b.len;
		if (p.rules)
			rules_out_pack(&p.ro, &b);
		rules_out_free(&p.ro);
		((struct rec *)b.p)->ro_len = (uint32_t)(b.len - at);
		buf_add(&b, env, r.env_len);
		put_all(b.p, b.len);
		put_all(raw->p, raw->len);
		if (z)
			put_all(z, zl);
		free(z);
	} while (next_raw(rd, NULL, raw, env, &is_mbox, &err));
	struct rec end;
	memset(&end, 0, sizeof end);
	end.kind = err ? REC_ERR : REC_END;
	end.err = err;
	put_all(&end, sizeof end);
	ring_close_put(RING);
	_exit(0);
}

static void get_all(void *p, size_t n, pid_t pid, const char *name)
{
	if (ring_get(RING, p, n, pid) != 0)
		die(EX_TEMPFAIL, "%s: the reading process ended before the mail did", name);
}

/* Route what the reading process sends; its messages are counted. */
static int from_reader(pid_t pid, const char *name)
{
	struct buf raw = { 0 }, ro = { 0 };
	char env[512];
	int n = 0;
	for (;;) {
		struct rec r;
		get_all(&r, sizeof r, pid, name);
		if (r.kind == REC_END)
			break;
		if (r.kind == REC_ERR)
			die(EX_TEMPFAIL, "%s: %s", name, strerror(r.err));
		if (r.kind != REC_MSG || r.env_len >= sizeof env || r.raw_len > ((uint64_t)1 << 40) ||
		    r.zlen > r.raw_len + (r.raw_len >> 8) + 64 ||
		    r.lang_from < -1 || r.lang_from > 2 || r.rules < 0 || r.rules > 2 ||
		    r.prepared < 0 || r.prepared > 1 || (!r.prepared && (r.rules || r.ro_len || r.zlen)))
			die(EX_SOFTWARE, "%s: the reading process sent nonsense", name);
		struct pre p;
		memset(&p, 0, sizeof p);
		memcpy(p.lang, r.lang, sizeof p.lang);
		p.lang[sizeof p.lang - 1] = 0;
		p.lang_from = r.lang_from >= 0 ? lang_froms[r.lang_from] : NULL;
		p.rules = r.rules;
		ro.len = 0;
		buf_grow(&ro, r.ro_len);
		get_all(ro.p, r.ro_len, pid, name);
		if (p.rules && rules_out_unpack(&p.ro, ro.p, r.ro_len) != 0)
			die(EX_SOFTWARE, "%s: the reading process sent nonsense", name);
		get_all(env, r.env_len, pid, name);
		env[r.env_len] = 0;
		raw.len = 0;
		buf_grow(&raw, (size_t)r.raw_len);
		get_all(raw.p, (size_t)r.raw_len, pid, name);
		raw.len = (size_t)r.raw_len;
		if (r.zlen) {
			p.z = xmalloc((size_t)r.zlen);
			p.zlen = (size_t)r.zlen;
			memcpy(p.blob.id, r.blob, sizeof r.blob);
			get_all(p.z, p.zlen, pid, name);
		}
		route(raw.p, raw.len, r.is_mbox, *env ? env : NULL, r.prepared ? &p : NULL);
		n++;
	}
	ring_close_get(RING);
	buf_free(&raw);
	buf_free(&ro);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return n;
}

/* Read every message of fd and route it; from the second message on,
 * through the reading process when one can be started. */
static int read_fd(int fd, const char *name)
{
	struct mbox_reader *rd = mbox_open(fd);
	struct buf raw = { 0 };
	char env[512];
	int is_mbox, err, n = 0;
	while (next_raw(rd, name, &raw, env, &is_mbox, &err)) {
		pid_t pid = -1;
		if (n == 1 && (RING || (RING = ring_new(RING_CAP)))) {
			const char *lo = getenv("MDESK_RING_LOW");
			if (lo && *lo) {
				char *end;
				unsigned long long v = strtoull(lo, &end, 10);
				if (*end || *lo == '-')
					die(EX_USAGE, "MDESK_RING_LOW: '%.40s' is not a number of bytes", lo);
				ring_low = v > RING_CAP ? RING_CAP : (size_t)v;
			}
			fflush(NULL);
			if ((pid = fork()) == 0) {
				if (D.lockfd >= 0)
					close(D.lockfd);
				reader(rd, &raw, env, is_mbox);
			}
		}
		if (pid > 0) {
			/* an import: the index of the desk follows every so
			 * many batches (desk_defer_index) */
			desk_defer_index(&D, INDEX_DEFER);
			n += from_reader(pid, name);
			ring_free(RING);
			RING = NULL;
			break;
		}
		route(raw.p, raw.len, is_mbox, *env ? env : NULL, NULL);
		n++;
	}
	buf_free(&raw);
	mbox_close(rd);
	return n;
}

int main(int argc, char **argv)
{
	heap_init();
	static const struct option opts[] = {
		{ "desk", required_argument, NULL, 'd' },
		{ "now", required_argument, NULL, 'n' },
		{ "queue", required_argument, NULL, 'q' },
		{ "dry-run", no_argument, NULL, 'N' },
		{ "quiet", no_argument, NULL, 'Q' },
		{ "at-date", no_argument, NULL, 'A' },
		{ "explain", no_argument, NULL, 'E' },
		{ "batch", required_argument, NULL, 'b' },
		{ "ack", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c;
	progname = "mroute";
	setenv("TZ", "UTC", 1);
	tzset();
	while ((c = getopt_long(argc, argv, "hd:q:", opts, NULL)) != -1) {
		switch (c) {
		case 'd': opt_desk = optarg; break;
		case 'n': opt_now = optarg; break;
		case 'q': opt_queue = optarg; break;
		case 'N': dryrun = 1; break;
		case 'Q': quiet = 1; break;
		case 'A': at_date = 1; break;
		case 'E': explain = 1; break;
		case 'b': {
			char *end;
			batch_max = strtol(optarg, &end, 10);
			if (*end || batch_max < 1 || batch_max > 1000000)
				die(EX_USAGE, "--batch: '%s' is not a number of messages (1 to 1000000)", optarg);
			break;
		}
		case 'K': opt_ack = 1; break;
		case 'h': usage(stdout, 0); break;
		case 'V': printf("mroute (mdesk) %s\n", MDESK_VERSION); return 0;
		default: usage(stderr, EX_USAGE);
		}
	}
	/* mreply for --ack: beside this program when it was started by path */
	const char *sl = strrchr(argv[0], '/');
	if (sl && (size_t)(sl - argv[0]) < sizeof mreply_path - 8)
		snprintf(mreply_path, sizeof mreply_path, "%.*s/mreply", (int)(sl - argv[0]), argv[0]);
	long long now = mdesk_now(opt_now);
	desk_open(&D, opt_desk);
	D.now = clock_now = now;
	if (opt_queue) {
		int known = 0;
		for (size_t i = 0; i < D.conf.nsecs; i++)
			known |= !strcmp(D.conf.secs[i].section, "queue") &&
			    !strcmp(D.conf.secs[i].name, opt_queue);
		if (!known)
			die(EX_USAGE, "--queue: no [queue %s] in desk.conf", opt_queue);
	}
	size_t cl;
	char *ct = desk_read_file(&D, "customers.csv", &cl);
	if (ct && customers_parse(&CU, ct, cl, NULL) != 0)
		die(EX_CONFIG, "customers.csv has errors; run 'mdesk check'");
	free(ct);
	/* the desk's configuration, all of it checked before any message */
	load_agents();
	route_conf_load(&D, &RC);
	tickets_known(tc_known);
	int nf = 0;
	RULES = route_rules_load(&D, &AG, rule_fault, &nf);
	if (nf)
		die(EX_CONFIG, "routing.sieve: %d problem%s; no message was touched", nf, nf == 1 ? "" : "s");
	static char obuf[1 << 16];
	setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
	if (optind == argc)
		read_fd(0, "<stdin>");
	for (int i = optind; i < argc; i++) {
		int fd = !strcmp(argv[i], "-") ? 0 : open(argv[i], O_RDONLY);
		if (fd < 0)
			die(EX_NOINPUT, "%s: %s", argv[i], strerror(errno));
		read_fd(fd, argv[i]);
		if (fd)
			close(fd);
	}
	/* what the index still waits for goes in with the last batch */
	desk_defer_index(&D, 0);
	batch_end();
	if (isatty(2) && total_n >= 100)
		fputc('\n', stderr);
	if (fflush(stdout) != 0 || ferror(stdout))
		die(EX_IOERR, "write error: %s", strerror(errno));
	free(acks);
	tc_clear();
	free(tc);
	strtab_free(&tc_ix);
	strtab_free(&bm_ix);
	strtab_free(&bt_ix);
	free(bm);
	free(bt);
	view_free();
	tickets_summary_free();
	rules_free(RULES);
	lang_done();
	if (have_agents)
		agents_free(&AG);
	customers_free(&CU);
	desk_close(&D);
	git_libgit2_shutdown();
	return 0;
}
