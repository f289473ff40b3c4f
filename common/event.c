/* event.c: ticket events and their fold (see event.h). */
#include "event.h"

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "agents.h"
#include "util.h"

const char *const ticket_statuses[] = { "new", "open", "pending", "on-hold", "solved",
	"closed", NULL };
static const char *const priorities[] = { "low", "normal", "high", "urgent", NULL };

int status_valid(const char *s) { return word_index(ticket_statuses, s) >= 0; }
int priority_valid(const char *s) { return word_index(priorities, s) >= 0; }

int tag_valid(const char *s)
{
	size_t n = strlen(s);
	return n && n <= 64 && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.:") == n;
}

int status_active(const char *s)
{
	return (unsigned)word_index(ticket_statuses, s) < 4;	/* new .. on-hold */
}

void random_hex(char out[17])
{
	static int fd = -2;
	static uint64_t fallback;
	uint64_t v = 0;
	if (fd == -2)
		fd = open("/dev/urandom", O_RDONLY);
	if (fd < 0 || read(fd, &v, sizeof v) != (ssize_t)sizeof v) {
		/* no /dev/urandom: time, pid and a counter, mixed */
		fallback += 0x9e3779b97f4a7c15ULL;
		v = hash64(&fallback, sizeof fallback) ^ (uint64_t)time(NULL) ^
		    ((uint64_t)getpid() << 32);
	}
	snprintf(out, 17, "%016llx", (unsigned long long)v);
}

json_t *event_new(const char *type, const char *by, long long at)
{
	/* ids sort by creation (microseconds of the real clock, then random
	 * bits), so events of one second fold in the order they were made */
	char id[32], rnd[17], b[32];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	random_hex(rnd);
	snprintf(id, sizeof id, "%013llx%.6s", (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)(ts.tv_nsec / 1000), rnd);
	json_t *e = json_pack("{s:s, s:s, s:s}", "id", id, "at", fmt_rfc3339(at, b), "type", type);
	json_object_set_new(e, "by", json_string(by ? by : "system"));
	return e;
}

void event_id_for(json_t *ev, const char *kind, const char *key)
{
	char id[32];
	uint64_t h = hash64_update(HASH64_INIT, kind, strlen(kind));
	h = hash64_update(h, "\0", 1);
	h = hash64_final(hash64_update(h, key, strlen(key)));
	snprintf(id, sizeof id, "%016llx", (unsigned long long)h);
	json_object_set_new(ev, "id", json_string(id));
}

char *event_line(json_t *ev)
{
	char *s = json_dumps(ev, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
	if (!s)
		die(EX_SOFTWARE, "cannot encode an event");
	size_t n = strlen(s);
	s = xrealloc(s, n + 2);
	s[n] = '\n';
	s[n + 1] = 0;
	return s;
}

/* --- one event --------------------------------------------------------- */

static int by_at_id(const void *a, const void *b)
{
	const struct event *x = a, *y = b;
	int c = strcmp(x->at_s, y->at_s);
	return c ? c : strcmp(x->id, y->id);
}

/* The string fields of an event the fold and its readers use, by name
 * (the timeline's text names them by their place here: keep the order). */
static const struct { const char *k; size_t off; } fields[] = {
#define F(name) { #name, offsetof(struct event, name) }
	F(id), F(type), F(by), F(agent), F(from), F(name), F(subject), F(queue),
	F(lang), F(thread), F(status), F(priority), F(into), F(tag), F(until),
	F(message_id), F(metric), F(level), F(since),
#undef F
	{ "at", offsetof(struct event, at_s) },
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static const char **field_at(struct event *e, size_t i)
{
	return (const char **)((char *)e + fields[i].off);
}

/* The names of enum ev_kind. */
static const char *const kinds[] = { "", "received", "replied", "status", "assigned",
	"priority", "tagged", "untagged", "note", "unassigned", "claimed", "released", "merged",
	"snoozed", "unsnoozed", "reminder" };

static unsigned char kind_of(const char *type)
{
	for (size_t i = 1; i < sizeof kinds / sizeof kinds[0]; i++)
		if (type[0] == kinds[i][0] && !strcmp(type, kinds[i]))
			return (unsigned char)i;
	return EV_OTHER;
}

/* Where the string field named k goes in e (NULL: not one the fold and
 * its readers use). */
static const char **slot(struct event *e, const char *k)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (k[0] == fields[i].k[0] && !strcmp(k, fields[i].k))
			return field_at(e, i);
	return NULL;
}

/* The fields of event object o into e: 0, or -1 with *err set when o is
 * not an event (no id, type or at; a time that is not one). */
static int event_read(struct event *e, json_t *o, const char **err)
{
	const char *k;
	json_t *v;
	memset(e, 0, sizeof *e);
	e->json = o;
	json_object_foreach(o, k, v) {
		const char **sp;
		if (json_is_string(v) && (sp = slot(e, k)))
			*sp = json_string_value(v);
		else if (!strcmp(k, "auto"))
			e->autom = json_is_true(v);
		else if (!strcmp(k, "ack"))
			e->ack = json_is_true(v);
		else if (!strcmp(k, "force"))
			e->force = json_is_true(v);
		else if (!strcmp(k, "merged_from"))
			e->merged = 1;
		else if (!strcmp(k, "tags") && json_is_array(v))
			e->tags = v;
		else if (!strcmp(k, "mentions") && json_is_array(v))
			e->mentions = v;
	}
	*err = !e->id || !*e->id ? "no \"id\"" : !e->at_s ? "no \"at\"" :
	    !e->type || !*e->type ? "no \"type\"" :
	    parse_rfc3339(e->at_s, &e->at) != 0 ? "bad \"at\" time (want RFC 3339)" : NULL;
	if (*err)
		return -1;
	e->kind = kind_of(e->type);
	return 0;
}

/* --- the fold ---------------------------------------------------------- */

/* The place of string s in array a (of strings) plus one, or 0. */
static size_t str_at(json_t *a, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		if (!strcmp(json_string_value(v), s))
			return i + 1;
	return 0;
}

/* Add or remove a tag; the tags stay sorted (by strcmp). */
static void tag_set(struct ticket *t, const char *tag, int on)
{
	size_t i = 0, n = json_array_size(t->tags);
	int c = 1;
	while (i < n && (c = strcmp(json_string_value(json_array_get(t->tags, i)), tag)) < 0)
		i++;
	if (!c && !on)
		json_array_remove(t->tags, i);
	else if (c && on)
		json_array_insert_new(t->tags, i, json_string(tag));
}

static void collide(struct ticket *t, const char *type, const char *winner,
    const char *loser, const struct event *e)
{
	if (!t->collisions)
		t->collisions = json_array();
	json_array_append_new(t->collisions, json_pack("{s:s, s:s*, s:s*, s:s, s:s}", "type", type,
	    "winner", winner, "loser", loser, "at", e->at_s, "event", e->id));
}

static void step_received(struct ticket *t, const struct event *e)
{
	int opener = e->thread && !strcmp(e->thread, "new");
	t->received++;
	if (!e->autom)
		t->answered_by = NULL;
	if (!t->identified || (opener && !t->opened)) {
		t->opened = opener;
		t->identified = 1;
		t->subject = e->subject;
		t->customer = e->from;
		t->customer_name = e->name;
		t->queue = e->queue;
		t->lang = e->lang;
		t->first_message_id = e->message_id;
		if (!t->status)
			t->status = "new";
	} else if (!e->autom && t->status && (!strcmp(t->status, "solved") ||
	    !strcmp(t->status, "pending") || !strcmp(t->status, "on-hold"))) {
		/* the customer wrote: the ticket is theirs to answer again */
		if (!strcmp(t->status, "solved"))
			t->reopened++;
		t->status = "open";
	}
	if (!t->lang)
		t->lang = e->lang;
}

static void step_replied(struct ticket *t, const struct event *e)
{
	if (!e->autom) {
		const char *who = e->agent ? e->agent : e->by;
		if (who && t->answered_by && strcmp(who, t->answered_by) && !e->force)
			collide(t, "reply", t->answered_by, who, e);
		if (who)
			t->answered_by = who;
		t->replies++;
		if (!t->first_reply)
			t->first_reply = e->at;
		if (t->status && !strcmp(t->status, "new"))
			t->status = "open";
	}
	if (e->status && status_valid(e->status))
		t->status = e->status;
}

/* Is e an agent's change, without --force, while another agent's claim
 * holds (made on another replica that did not know of the claim)?  The
 * desk's own changes (by system, by rule:NAME) never are. */
static int over_claim(const struct ticket *t, const struct event *e)
{
	const char *who = e->agent ? e->agent : e->by;
	return who && agent_login_valid(who) && strcmp(who, "system") &&
	    ticket_claimed(t, who, e->at) && !e->force;
}

int ticket_claimed(const struct ticket *t, const char *login, long long now)
{
	return t->claim_by && (!login || strcmp(login, t->claim_by)) &&
	    (!t->claim_until || t->claim_until > now);
}

static void step_claimed(struct ticket *t, const struct event *e)
{
	const char *who = e->agent;
	if (who && over_claim(t, e)) {
		/* claimed on another replica first: that claim stands */
		collide(t, "claim", t->claim_by, who, e);
		return;
	}
	t->claim_by = who;
	long long until = 0;
	t->claim_until = e->until && parse_rfc3339(e->until, &until) == 0 ? until : 0;
}

/* Mentions: whoever acts on the ticket has read what named them; a note
 * names others for them to read. */
static void step_mentions(struct ticket *t, const struct event *e)
{
	size_t i, k;
	json_t *v;
	if (e->by && t->unread && (k = str_at(t->unread, e->by)))
		json_array_remove(t->unread, k - 1);
	if (e->kind != EV_NOTE || !e->mentions)
		return;
	json_array_foreach(e->mentions, i, v) {
		const char *who = json_string_value(v);
		if (!who || (e->by && !strcmp(who, e->by)))
			continue;
		if (!t->unread)
			t->unread = json_array();
		if (!str_at(t->unread, who))
			json_array_append_new(t->unread, json_string(who));
	}
}

/* --- snooze and reminders -------------------------------------------- */

static long long notice_due(json_t *n)
{
	long long t = 0;
	const char *s = json_string_value(json_object_get(n, "due"));
	return s && parse_rfc3339(s, &t) == 0 ? t : 0;
}

static int notice_is(json_t *n, const char *type)
{
	const char *ty = json_string_value(json_object_get(n, "type"));
	return ty && !strcmp(ty, type);
}

const char *notice_agent(const struct ticket *t, json_t *n)
{
	if (notice_is(n, "wake") && t->assignee)
		return t->assignee;
	const char *a = json_string_value(json_object_get(n, "agent"));
	return a ? a : json_string_value(json_object_get(n, "by"));
}

int ticket_snoozed(const struct ticket *t, long long now)
{
	return t->snooze_until > now;
}

int ticket_notice_due(const struct ticket *t, const char *login, long long now)
{
	size_t i;
	json_t *n;
	json_array_foreach(t->notices, i, n) {
		const char *a = notice_agent(t, n);
		if (a && !strcmp(a, login) && notice_due(n) <= now)
			return 1;
	}
	return 0;
}

static void notice_add(struct ticket *t, const char *type, const struct event *e, long long due)
{
	char b[32];
	if (!t->notices)
		t->notices = json_array();
	json_t *n = json_pack("{s:s, s:s, s:s, s:s}", "type", type, "event", e->id, "due",
	    fmt_rfc3339(due, b), "by", e->by ? e->by : "system");
	if (!strcmp(type, "reminder") && e->by)
		json_object_set_new(n, "agent", json_string(e->by));
	json_array_append_new(t->notices, n);
}

/* Drop the notices that agent (NULL: any) has read by acting at at (due
 * then or before), or (wake != 0) the wake not yet due at at. */
static void notices_drop(struct ticket *t, const char *agent, long long at, int wake)
{
	for (size_t i = json_array_size(t->notices); i-- > 0;) {
		json_t *n = json_array_get(t->notices, i);
		const char *a = notice_agent(t, n);
		if (wake ? notice_is(n, "wake") && notice_due(n) > at :
		    a && agent && !strcmp(a, agent) && notice_due(n) <= at)
			json_array_remove(t->notices, i);
	}
}

/* A snooze and what ends it; a reminder. */
static void step_snooze(struct ticket *t, const struct event *e)
{
	int k = e->kind;
	long long until = 0;
	if (e->by)
		notices_drop(t, e->by, e->at, 0);
	if (k == EV_SNOOZED || k == EV_REMINDER) {
		if (!e->until || parse_rfc3339(e->until, &until) != 0)
			return;
		if (k == EV_REMINDER) {
			notice_add(t, "reminder", e, until);
			return;
		}
		notices_drop(t, NULL, e->at, 1);	/* a snooze replaces the one before */
		t->snooze_until = until;
		t->status = "open";	/* the status it comes back with */
		notice_add(t, "wake", e, until);
	} else if (t->snooze_until > e->at && (k == EV_UNSNOOZED ||
	    (k == EV_RECEIVED && !e->autom) || (k == EV_STATUS && !over_claim(t, e)) ||
	    (k == EV_REPLIED && e->status) || k == EV_MERGED)) {
		/* woken early: nobody is told, the ticket is back already */
		t->snooze_until = 0;
		notices_drop(t, NULL, e->at, 1);
	}
}

void ticket_start(struct ticket *t, const char *id)
{
	memset(t, 0, sizeof *t);
	memcpy(t->id, id, strnlen(id, sizeof t->id - 1));
	t->tags = json_array();
	t->priority = "normal";
}

void ticket_step(struct ticket *t, const struct event *e)
{
	if (e->merged) {
		/* a conversation merged in: its messages count, its state does not */
		if (e->kind == EV_RECEIVED)
			t->received++;
		else if (e->kind == EV_REPLIED && !e->autom)
			t->replies++;
		return;
	}
	if (!t->created)
		t->created = e->at;
	t->updated = e->at;
	step_mentions(t, e);
	step_snooze(t, e);
	switch (e->kind) {
	case EV_RECEIVED: step_received(t, e); break;
	case EV_REPLIED: step_replied(t, e); break;
	case EV_NOTE: t->notes++; break;
	case EV_ASSIGNED:
		t->assignee = e->agent;
		t->assigned_at = e->at;
		if (e->agent && (!t->status || !strcmp(t->status, "new")))
			t->status = "open";	/* a new ticket with an agent is open */
		break;
	case EV_UNASSIGNED: t->assignee = NULL; break;
	case EV_CLAIMED: step_claimed(t, e); break;
	case EV_RELEASED: t->claim_by = NULL, t->claim_until = 0; break;
	case EV_TAGGED:
	case EV_UNTAGGED: {
		size_t i;
		json_t *x;
		if (e->tag)
			tag_set(t, e->tag, e->kind == EV_TAGGED);
		json_array_foreach(e->tags, i, x)
			if (json_is_string(x))
				tag_set(t, json_string_value(x), e->kind == EV_TAGGED);
		break;
	}
	case EV_PRIORITY:
		if (e->priority && priority_valid(e->priority))
			t->priority = e->priority;
		break;
	case EV_STATUS: {
		const char *v = e->status;
		if (v && status_valid(v) && over_claim(t, e))
			/* made on another replica, not knowing of the claim: the claim stands */
			collide(t, "status", t->claim_by, e->by, e);
		else if (v && status_valid(v)) {
			if (t->status && (!strcmp(t->status, "solved") || !strcmp(t->status, "closed")) &&
			    !strcmp(v, "open"))
				t->reopened++;
			t->status = v;
			if (!strcmp(v, "solved"))
				t->solved_at = e->at;
		}
		break;
	}
	case EV_MERGED:
		t->merged_into = e->into;
		t->status = "closed";
		break;
	}
}

static void warn_bad_line(const char *id, int line, const char *err)
{
	warnx_("tickets/%.2s/%s/events.jsonl:%d: %s; the line is skipped", id, id, line, err);
}

static ticket_bad_line_fn bad_line = warn_bad_line;

void ticket_on_bad_line(ticket_bad_line_fn fn)
{
	bad_line = fn ? fn : warn_bad_line;
}

/* The events of text, in file order, into *ev (malloc'd; *n of them; each
 * owns its object).  A line that is not an event is told to report (when
 * not NULL) and skipped; returns the number of such lines. */
static int parse_lines(const char *id, const char *text, size_t len, struct event **ev,
    size_t *n, ticket_bad_line_fn report)
{
	size_t cap = 16;
	*n = 0;
	*ev = xmalloc(cap * sizeof **ev);
	const char *p = text, *e = text + len, *err;
	int line = 0, bad = 0;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(e - p);
		line++;
		if (l > 0) {
			json_error_t je;
			json_t *o = json_loadb(p, l, JSON_REJECT_DUPLICATES, &je);
			if (*n == cap) {
				cap *= 2;
				*ev = xrealloc(*ev, cap * sizeof **ev);
			}
			if (!o || !json_is_object(o) || event_read(&(*ev)[*n], o, &err) != 0) {
				if (!o)
					err = "not JSON";
				else if (!json_is_object(o))
					err = "not a JSON object";
				json_decref(o);
				bad++;
				if (report)
					report(id, line, err);
			} else
				(*n)++;
		}
		p += l + 1;
	}
	return bad;
}

/* After the events: the default status. */
static void fold_finish(struct ticket *t)
{
	t->status_implied = !t->status;
	if (!t->status)
		t->status = "new";
}

/* Append e (its object now t's) to t's timeline and fold it. */
static void fold_one(struct ticket *t, const struct event *e, size_t *cap)
{
	if (t->nev == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		t->ev = xrealloc(t->ev, *cap * sizeof *t->ev);
	}
	t->ev[t->nev++] = *e;
	json_array_append_new(t->events, e->json);
	ticket_step(t, e);
}

int ticket_fold(struct ticket *t, const char *id, const char *text, size_t len,
    long long asof)
{
	ticket_start(t, id);
	t->events = json_array();
	size_t n, cap = 0;
	struct event *ev;
	int bad = parse_lines(t->id, text, len, &ev, &n, bad_line);
	qsort(ev, n, sizeof *ev, by_at_id);
	/* the same event from two replicas: one id, kept at its first time
	 * (the copies need not have the same "at", so they need not be
	 * next to each other in (at, id) order) */
	const char **ids = xmalloc((n ? n : 1) * sizeof *ids);
	unsigned char *drop = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++)
		ids[i] = ev[i].id;
	mark_later_copies(ids, n, drop);
	free(ids);
	for (size_t i = 0; i < n; i++) {
		if (drop[i] || (asof && ev[i].at > asof))
			json_decref(ev[i].json);
		else
			fold_one(t, &ev[i], &cap);
	}
	free(drop);
	free(ev);
	fold_finish(t);
	return bad;
}

int ticket_fold_more(struct ticket *t, const char *text, size_t len)
{
	size_t n, have = t->nev;
	struct event *ev;
	int ok = parse_lines(t->id, text, len, &ev, &n, NULL) == 0;
	qsort(ev, n, sizeof *ev, by_at_id);
	/* every new event after the last one folded, each id new */
	if (ok && n && have && by_at_id(&t->ev[have - 1], &ev[0]) >= 0)
		ok = 0;
	for (size_t i = 0; ok && i < n; i++) {
		for (size_t j = i + 1; ok && j < n; j++)
			ok = strcmp(ev[i].id, ev[j].id) != 0;
		for (size_t j = 0; ok && j < have; j++)
			ok = strcmp(ev[i].id, t->ev[j].id) != 0;
	}
	if (!ok) {
		for (size_t i = 0; i < n; i++)
			json_decref(ev[i].json);
		free(ev);
		return -1;
	}
	if (t->status_implied)
		t->status = NULL;
	size_t cap = t->nev;	/* full: the next append grows it */
	for (size_t i = 0; i < n; i++)
		fold_one(t, &ev[i], &cap);
	free(ev);
	fold_finish(t);
	return 0;
}

/* --- the timeline as text ----------------------------------------------- */

/* Events are separated by TL_EV, an event's fields each begin with
 * TL_FIELD and a letter: 'a' + its place in fields[], '!' flags, '[' one
 * string of "tags", '@' one of "mentions".  In values, a backslash, tab,
 * newline, TL_EV and TL_FIELD are escaped (\\ \t \n \e \f). */
#define TL_EV '\x1e'
#define TL_FIELD '\x1f'

/* The flags, by their letter in FLAGS: "auto", "ack", "force", "merged_from". */
#define FLAGS "AKFM"
static unsigned char *flag_at(struct event *e, int i)
{
	unsigned char *f[] = { &e->autom, &e->ack, &e->force, &e->merged };
	return f[i];
}

static void tl_value(struct buf *b, int key, const char *v)
{
	buf_addc(b, TL_FIELD);
	buf_addc(b, key);
	for (; *v; v++) {
		int c = *v == '\\' ? '\\' : *v == '\t' ? 't' : *v == '\n' ? 'n' :
		    *v == TL_EV ? 'e' : *v == TL_FIELD ? 'f' : 0;
		if (c) {
			buf_addc(b, '\\');
			buf_addc(b, c);
		} else
			buf_addc(b, *v);
	}
}

static void tl_strings(struct buf *b, int key, json_t *a)
{
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
		if (json_is_string(v))
			tl_value(b, key, json_string_value(v));
}

void ticket_timeline_text(const struct ticket *t, struct buf *b)
{
	for (size_t i = 0; i < t->nev; i++) {
		struct event *e = &t->ev[i];
		buf_addc(b, TL_EV);
		for (size_t f = 0; f < NFIELDS; f++)
			if (*field_at(e, f))
				tl_value(b, 'a' + (int)f, *field_at(e, f));
		char fl[5], *p = fl;
		for (int k = 0; k < 4; k++)
			if (*flag_at(e, k))
				*p++ = FLAGS[k];
		*p = 0;
		if (p > fl)
			tl_value(b, '!', fl);
		tl_strings(b, '[', e->tags);
		tl_strings(b, '@', e->mentions);
	}
}

/* One field of the timeline text at *p (after its TL_FIELD) into e: the
 * value unescaped to *out (advanced past its NUL); 0, or -1 when the text
 * is not one ticket_timeline_text writes. */
static int tl_field(struct event *e, const char **p, const char *end, char **out,
    json_t *own)
{
	const char *s = *p;
	int key = *s++;
	char *v = *out;
	while (s < end && *s != TL_FIELD && *s != TL_EV) {
		if (*s == '\\') {
			if (++s == end)
				return -1;
			char c = *s == '\\' ? '\\' : *s == 't' ? '\t' : *s == 'n' ? '\n' :
			    *s == 'e' ? TL_EV : *s == 'f' ? TL_FIELD : 0;
			if (!c)
				return -1;
			*(*out)++ = c;
			s++;
		} else if (*s == 0)
			return -1;
		else
			*(*out)++ = *s++;
	}
	*(*out)++ = 0;
	*p = s;
	if (key >= 'a' && key < 'a' + (int)NFIELDS && !*field_at(e, (size_t)(key - 'a')))
		*field_at(e, (size_t)(key - 'a')) = v;
	else if (key == '!') {
		for (const char *f; *v; v++) {
			if (!(f = strchr(FLAGS, *v)))
				return -1;
			*flag_at(e, (int)(f - FLAGS)) = 1;
		}
	} else if (key == '[' || key == '@') {
		json_t **a = key == '[' ? &e->tags : &e->mentions;
		if (!*a) {
			*a = json_array();
			json_array_append_new(own, *a);
		}
		json_array_append_new(*a, json_string(v));
	} else
		return -1;
	return 0;
}

/* The events of a timeline text into t->ev (t->nev), their strings in
 * t->strings; 0, or -1 when the text is not one ticket_timeline_text
 * writes, or its events are not in (at, id) order each once. */
static int tl_read(struct ticket *t, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	size_t n = 0, cap = 0;
	char *out = t->strings = xmalloc(len + 1);
	json_t *own = t->extra = json_array();
	while (p < end) {
		if (*p++ != TL_EV)
			return -1;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			t->ev = xrealloc(t->ev, cap * sizeof *t->ev);
		}
		struct event *e = &t->ev[n++];
		memset(e, 0, sizeof *e);
		while (p < end && *p == TL_FIELD) {
			p++;
			if (p == end || tl_field(e, &p, end, &out, own) != 0)
				return -1;
		}
		if (!e->id || !*e->id || !e->type || !*e->type || !e->at_s ||
		    parse_rfc3339(e->at_s, &e->at) != 0 || (n > 1 && by_at_id(e - 1, e) >= 0))
			return -1;
		e->kind = kind_of(e->type);
		t->nev = n;
	}
	return 0;
}

int ticket_fold_timeline(struct ticket *t, const char *id, const char *text, size_t len,
    long long asof)
{
	ticket_start(t, id);
	t->events = json_array();
	if (tl_read(t, text, len) != 0) {
		ticket_free(t);
		return -1;
	}
	size_t n = t->nev;
	t->nev = 0;
	for (size_t i = 0; i < n && (!asof || t->ev[i].at <= asof); i++) {
		t->nev++;
		ticket_step(t, &t->ev[i]);
	}
	fold_finish(t);
	return 0;
}

void ticket_share(const struct ticket *src, struct ticket *t)
{
	if (src->strings)
		die(EX_SOFTWARE, "%s: a ticket of ticket_fold_timeline is not shared", src->id);
	*t = *src;
	json_incref(t->tags);
	json_incref(t->events);
	json_incref(t->extra);
	json_incref(t->collisions);
	json_incref(t->unread);
	json_incref(t->notices);
	t->ev = NULL;
	if (src->nev) {
		t->ev = xmalloc(src->nev * sizeof *t->ev);
		memcpy(t->ev, src->ev, src->nev * sizeof *t->ev);
	}
}

void ticket_free(struct ticket *t)
{
	json_decref(t->tags);
	json_decref(t->events);
	json_decref(t->extra);
	json_decref(t->collisions);
	json_decref(t->unread);
	json_decref(t->notices);
	free(t->ev);
	free(t->strings);
	memset(t, 0, sizeof *t);
}

/* A time of the state: null when 0. */
static json_t *jtime(long long t)
{
	char b[32];
	return t ? json_string(fmt_rfc3339(t, b)) : json_null();
}

json_t *ticket_json(const struct ticket *t)
{
	json_t *o = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:O, s:s?, s:o, s:o, "
	    "s:o}", "id", t->id, "status", t->status, "subject", t->subject, "customer", t->customer,
	    "customer_name", t->customer_name, "assignee", t->assignee, "queue", t->queue,
	    "priority", t->priority, "tags", t->tags, "lang", t->lang, "created", jtime(t->created),
	    "updated", jtime(t->updated), "first_reply", jtime(t->first_reply));
	if (t->assignee)
		json_object_set_new(o, "assigned_at", jtime(t->assigned_at));
	json_object_update_new(o, json_pack("{s:o, s:i, s:i, s:i}", "solved", jtime(t->solved_at),
	    "replies", t->replies, "messages", t->received, "reopened", t->reopened));
	if (t->claim_by)
		json_object_update_new(o, json_pack("{s:s, s:o}", "claimed_by", t->claim_by,
		    "claimed_until", jtime(t->claim_until)));
	if (t->merged_into)
		json_object_set_new(o, "merged_into", json_string(t->merged_into));
	if (t->collisions)
		json_object_set(o, "collisions", t->collisions);
	if (json_array_size(t->unread))
		json_object_set(o, "mentions_unread", t->unread);
	if (t->snooze_until)
		json_object_set_new(o, "snoozed_until", jtime(t->snooze_until));
	if (json_array_size(t->notices)) {
		/* each with the agent it tells */
		json_t *a = json_array(), *n;
		size_t i;
		json_array_foreach(t->notices, i, n) {
			json_t *c = json_copy(n);
			const char *who = notice_agent(t, n);
			if (who)
				json_object_set_new(c, "agent", json_string(who));
			json_array_append_new(a, c);
		}
		json_object_set_new(o, "notices", a);
	}
	return o;
}
