/* Unit tests: common/event.c (the fold) */
#include <stdlib.h>
#include <string.h>
#include "event.h"
#include "tap.h"
#include "util.h"

#define S(x) x, sizeof(x) - 1

static struct buf said;

static void bad(const char *id, int line, const char *err)
{
	char m[200];
	snprintf(m, sizeof m, "%s:%d: %s\n", id, line, err);
	buf_adds(&said, m);
}

/* The state and timeline of t in one string (the fields readers use). */
static char *state_of(const struct ticket *t)
{
	struct buf b = { 0 };
	json_t *j = ticket_json(t);
	char *js = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	buf_adds(&b, js);
	free(js);
	json_decref(j);
	for (size_t i = 0; i < t->nev; i++) {
		const struct event *e = &t->ev[i];
		const char *f[] = { e->id, e->type, e->by, e->agent, e->from, e->name, e->subject,
			e->queue, e->lang, e->thread, e->status, e->priority, e->into, e->tag,
			e->until, e->message_id, e->metric, e->level, e->since, e->at_s };
		char m[64];
		snprintf(m, sizeof m, "\n%lld %d%d%d%d", e->at, e->autom, e->ack, e->force, e->merged);
		buf_adds(&b, m);
		for (size_t k = 0; k < sizeof f / sizeof *f; k++) {
			buf_addc(&b, '|');
			buf_adds(&b, f[k] ? f[k] : "(null)");
		}
		/* of "tags" and "mentions", the strings (all the fold reads) */
		json_t *a[2] = { e->tags, e->mentions }, *v;
		size_t k2;
		for (int k = 0; k < 2; k++) {
			buf_addc(&b, '[');
			json_array_foreach(a[k], k2, v)
				if (json_is_string(v)) {
					buf_adds(&b, json_string_value(v));
					buf_addc(&b, ',');
				}
		}
	}
	buf_cstr(&b);
	return b.p;
}

/* Does the timeline text of a fold of text fold to the same state and
 * timeline, at every asof of its events (and 0)? */
static int timeline_alike(const char *id, const char *text)
{
	struct ticket t, u;
	ticket_fold(&t, id, text, strlen(text), 0);
	struct buf tl = { 0 };
	ticket_timeline_text(&t, &tl);
	buf_cstr(&tl);
	int same = 1;
	for (size_t i = 0; i <= t.nev; i++) {
		long long asof = i < t.nev ? t.ev[i].at : 0;
		struct ticket a;
		ticket_fold(&a, id, text, strlen(text), asof);
		same &= ticket_fold_timeline(&u, id, tl.p, tl.len, asof) == 0;
		char *x = state_of(&a), *y = state_of(&u);
		same &= !strcmp(x, y);
		if (strcmp(x, y))
			printf("# %s\n# %s\n", x, y);
		free(x);
		free(y);
		ticket_free(&a);
		ticket_free(&u);
	}
	ticket_free(&t);
	buf_free(&tl);
	return same;
}

int main(void)
{
	struct ticket t;
	/* out of order, with a duplicate (a replica merge) and an unknown type */
	const char *ev =
	    "{\"at\":\"2026-11-02T10:00:00Z\",\"by\":\"ana\",\"id\":\"b2\",\"type\":\"replied\",\"agent\":\"ana\"}\n"
	    "{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"customer\",\"id\":\"a1\",\"type\":\"received\","
	    "\"from\":\"x@y.com\",\"subject\":\"Pedido\",\"queue\":\"support\",\"lang\":\"pt\",\"message_id\":\"m1@y\"}\n"
	    "{\"at\":\"2026-11-02T10:00:00Z\",\"by\":\"ana\",\"id\":\"b2\",\"type\":\"replied\",\"agent\":\"ana\"}\n"
	    "{\"at\":\"2026-11-02T09:30:00Z\",\"by\":\"system\",\"id\":\"a5\",\"type\":\"replied\",\"auto\":true}\n"
	    "{\"at\":\"2026-11-02T09:01:00Z\",\"by\":\"rule:billing\",\"id\":\"a2\",\"type\":\"assigned\",\"agent\":\"bob\"}\n"
	    "{\"at\":\"2026-11-02T09:02:00Z\",\"by\":\"bob\",\"id\":\"a3\",\"type\":\"tagged\",\"tags\":[\"refund\",\"vip\"]}\n"
	    "{\"at\":\"2026-11-02T09:03:00Z\",\"by\":\"bob\",\"id\":\"a4\",\"type\":\"untagged\",\"tags\":[\"vip\"]}\n"
	    "{\"at\":\"2026-11-02T11:00:00Z\",\"by\":\"ana\",\"id\":\"c1\",\"type\":\"status\",\"status\":\"solved\"}\n"
	    "{\"at\":\"2026-11-02T12:00:00Z\",\"by\":\"customer\",\"id\":\"c2\",\"type\":\"received\",\"from\":\"x@y.com\"}\n"
	    "{\"at\":\"2026-11-02T12:30:00Z\",\"by\":\"x\",\"id\":\"c3\",\"type\":\"future-thing\",\"k\":1}\n";
	ticket_fold(&t, "ABCDEF12", ev, strlen(ev), 0);
	is_str(t.subject, "Pedido", "subject from the first received");
	is_str(t.assignee, "bob", "assigned");
	is_int((long long)json_array_size(t.tags), 1, "tagged then untagged");
	is_int(t.replies, 1, "duplicate event dropped, automatic reply not counted");
	is_str(t.status, "open", "a customer message reopens a solved ticket");
	is_int(t.reopened, 1, "reopen counted");
	is_int((long long)json_array_size(t.events), 9, "9 distinct events kept (unknown type too)");
	char b[32];
	is_str(fmt_rfc3339(t.first_reply, b), "2026-11-02T10:00:00Z", "first reply is the agent's, not the ack");
	ticket_free(&t);

	ticket_fold(&t, "ABCDEF12", ev, strlen(ev), 1794128400LL - 6 * 86400 - 3600 * 23);
	is_int((long long)json_array_size(t.events), 0, "as of a time before them: no events");
	ticket_free(&t);
	long long asof;
	parse_rfc3339("2026-11-02T09:02:30Z", &asof);
	ticket_fold(&t, "ABCDEF12", ev, strlen(ev), asof);
	is_str(t.status, "open", "--as-of: before the first reply, given to bob: open");
	is_int((long long)json_array_size(t.tags), 2, "--as-of: both tags then");
	ticket_free(&t);

	/* lines that are not events: skipped, each told once with its line */
	ticket_on_bad_line(bad);
	ticket_fold(&t, "X", S("{\"id\":\"a\",\"at\":\"2026-11-02T09:00:00Z\",\"type\":\"note\"}\nnot json\n"
	    "{\"id\":\"b\",\"at\":\"yesterday\",\"type\":\"note\"}\n[1,2]\n{\"at\":\"2026-11-02T09:00:00Z\",\"type\":\"note\"}\n"
	    "{\"id\":\"c\",\"at\":\"1969-12-31T23:59:59Z\",\"type\":\"note\"}\n"
	    "{\"id\":\"d\",\"at\":\"@253402300800\",\"type\":\"note\"}\n"
	    "{\"id\":\"e\",\"at\":\"9999-12-31T23:59:59Z\",\"type\":\"note\"}\n"), 0);
	is_str(said.p, "X:2: not JSON\nX:3: bad \"at\" time (want RFC 3339)\nX:4: not a JSON object\n"
	    "X:5: no \"id\"\nX:6: bad \"at\" time (want RFC 3339)\nX:7: bad \"at\" time (want RFC 3339)\n",
	    "each line that is not an event told, with its number and why");
	ok(t.notes == 2 && json_array_size(t.events) == 2, "... the events around them folded");
	ticket_free(&t);
	ticket_on_bad_line(NULL);
	buf_free(&said);

	json_t *e = event_new("note", "ana", 0);
	json_object_set_new(e, "text", json_string("olá \"quoted\"\nline"));
	char *line = event_line(e);
	ok(line[strlen(line) - 1] == '\n' && !strchr(line, '\n') == 0 && strchr(line, '\n') == line + strlen(line) - 1,
	    "one line");
	ok(strstr(line, "\"at\":\"1970-01-01T00:00:00Z\"") && strstr(line, "\"by\":\"ana\""), "fields");
	ok(strstr(line, "\"at\"") < strstr(line, "\"by\"") && strstr(line, "\"by\"") < strstr(line, "\"id\""),
	    "keys sorted");
	free(line);
	event_id_for(e, "received", "m1@y");
	char id1[32];
	snprintf(id1, sizeof id1, "%s", json_string_value(json_object_get(e, "id")));
	event_id_for(e, "received", "m1@y");
	is_str(json_string_value(json_object_get(e, "id")), id1, "derived ids are stable");
	json_decref(e);
	/* a merged conversation: its messages count, its state does not */
	const char *mg =
	    "{\"at\":\"2026-11-01T09:00:00Z\",\"by\":\"customer\",\"id\":\"m1\",\"type\":\"received\",\"merged_from\":\"OLDOLD11\",\"subject\":\"Old\",\"from\":\"o@x\"}\n"
	    "{\"at\":\"2026-11-01T10:00:00Z\",\"by\":\"bob\",\"id\":\"m2\",\"type\":\"status\",\"merged_from\":\"OLDOLD11\",\"status\":\"solved\"}\n"
	    "{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"customer\",\"id\":\"n1\",\"type\":\"received\",\"subject\":\"New\",\"from\":\"n@x\",\"thread\":\"new\"}\n"
	    "{\"at\":\"2026-11-02T10:00:00Z\",\"by\":\"ana\",\"id\":\"n2\",\"type\":\"status\",\"status\":\"solved\"}\n"
	    "{\"at\":\"2026-11-02T11:00:00Z\",\"by\":\"customer\",\"id\":\"n3\",\"type\":\"received\",\"auto\":true,\"from\":\"n@x\"}\n";
	ticket_fold(&t, "NEWNEW22", mg, strlen(mg), 0);
	ok(json_array_size(t.events) > 0, "merged events fold");
	is_str(t.subject, "New", "the target keeps its subject");
	is_str(t.customer, "n@x", "and its customer");
	is_int(t.received, 3, "merged messages count");
	is_str(t.status, "solved", "an automatic reply does not reopen");
	ticket_free(&t);

	/* collisions between replicas: the earlier claim and answer stand */
	const char *co =
	    "{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"customer\",\"id\":\"c1\",\"type\":\"received\",\"thread\":\"new\"}\n"
	    "{\"at\":\"2026-11-02T09:06:00Z\",\"by\":\"bob\",\"id\":\"c3\",\"type\":\"claimed\",\"agent\":\"bob\",\"until\":\"2026-11-02T09:36:00Z\"}\n"
	    "{\"at\":\"2026-11-02T09:05:00Z\",\"by\":\"ana\",\"id\":\"c2\",\"type\":\"claimed\",\"agent\":\"ana\",\"until\":\"2026-11-02T09:35:00Z\"}\n"
	    "{\"at\":\"2026-11-02T09:10:00Z\",\"by\":\"ana\",\"id\":\"c4\",\"type\":\"replied\",\"agent\":\"ana\"}\n"
	    "{\"at\":\"2026-11-02T09:11:00Z\",\"by\":\"bob\",\"id\":\"c5\",\"type\":\"replied\",\"agent\":\"bob\"}\n"
	    "{\"at\":\"2026-11-02T09:12:00Z\",\"by\":\"dmitri\",\"id\":\"c6\",\"type\":\"replied\",\"agent\":\"dmitri\",\"force\":true}\n"
	    "{\"at\":\"2026-11-02T09:40:00Z\",\"by\":\"bob\",\"id\":\"c7\",\"type\":\"claimed\",\"agent\":\"bob\",\"until\":\"2026-11-02T10:10:00Z\"}\n";
	ticket_fold(&t, "COLLID11", co, strlen(co), 0);
	ok(json_array_size(t.events) > 0, "collisions fold");
	is_str(t.claim_by, "bob", "a claim after the first expired is no collision");
	char *cj = json_dumps(t.collisions, JSON_COMPACT | JSON_SORT_KEYS);
	is_str(cj, "[{\"at\":\"2026-11-02T09:06:00Z\",\"event\":\"c3\",\"loser\":\"bob\",\"type\":\"claim\",\"winner\":\"ana\"},"
	    "{\"at\":\"2026-11-02T09:11:00Z\",\"event\":\"c5\",\"loser\":\"bob\",\"type\":\"reply\",\"winner\":\"ana\"}]",
	    "the later claim and the second answer collide; a forced answer does not");
	free(cj);
	json_t *tj = ticket_json(&t);
	ok(json_array_size(json_object_get(tj, "collisions")) == 2, "ticket_json carries them");
	json_decref(tj);
	ticket_free(&t);
	/* a status change during another agent's claim, made on another
	 * replica: a collision, the claim stands; forced, by the claimant, by
	 * the system or after the claim ended: none */
	const char *cs =
	    "{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"customer\",\"id\":\"s1\",\"type\":\"received\",\"thread\":\"new\"}\n"
	    "{\"at\":\"2026-11-02T09:05:00Z\",\"by\":\"ana\",\"id\":\"s2\",\"type\":\"claimed\",\"agent\":\"ana\",\"until\":\"2026-11-02T09:35:00Z\"}\n"
	    "{\"at\":\"2026-11-02T09:06:00Z\",\"by\":\"bob\",\"id\":\"s3\",\"type\":\"status\",\"status\":\"solved\"}\n";
	ticket_fold(&t, "COLLID33", cs, strlen(cs), 0);
	cj = json_dumps(t.collisions, JSON_COMPACT | JSON_SORT_KEYS);
	is_str(cj, "[{\"at\":\"2026-11-02T09:06:00Z\",\"event\":\"s3\",\"loser\":\"bob\",\"type\":\"status\",\"winner\":\"ana\"}]",
	    "a status change during another's claim collides");
	free(cj);
	is_str(t.status, "new", "... and does not count");
	ticket_free(&t);
	{
		struct buf b = { 0 };
		const char *s3 = strstr(cs, "{\"at\":\"2026-11-02T09:06");
		buf_add(&b, cs, (size_t)(s3 - cs));
		buf_adds(&b, "{\"at\":\"2026-11-02T09:05:30Z\",\"by\":\"ana\",\"id\":\"s2b\",\"type\":\"snoozed\",\"until\":\"2026-11-03T09:00:00Z\"}\n");
		buf_adds(&b, s3);
		ticket_fold(&t, "COLLID33", b.p, b.len, 0);
		ok(t.snooze_until > 0 && json_array_size(t.collisions) == 1,
		    "... nor wakes a snoozed ticket");
		ticket_free(&t);
		buf_free(&b);
	}
	static const char *const fine[] = {
		"{\"at\":\"2026-11-02T09:06:00Z\",\"by\":\"bob\",\"id\":\"s3\",\"type\":\"status\",\"status\":\"solved\",\"force\":true}\n",
		"{\"at\":\"2026-11-02T09:06:00Z\",\"by\":\"ana\",\"id\":\"s3\",\"type\":\"status\",\"status\":\"solved\"}\n",
		"{\"at\":\"2026-11-02T09:06:00Z\",\"by\":\"system\",\"id\":\"s3\",\"type\":\"status\",\"status\":\"solved\"}\n",
		"{\"at\":\"2026-11-02T09:06:00Z\",\"by\":\"rule:close-solved\",\"id\":\"s3\",\"type\":\"status\",\"status\":\"solved\"}\n",
		"{\"at\":\"2026-11-02T09:36:00Z\",\"by\":\"bob\",\"id\":\"s3\",\"type\":\"status\",\"status\":\"solved\"}\n",
	};
	for (size_t k = 0; k < sizeof fine / sizeof fine[0]; k++) {
		struct buf b = { 0 };
		buf_add(&b, cs, (size_t)(strstr(cs, "{\"at\":\"2026-11-02T09:06") - cs));
		buf_adds(&b, fine[k]);
		ticket_fold(&t, "COLLID33", b.p, b.len, 0);
		ok(!t.collisions && !strcmp(t.status, "solved"),
		    "a status change forced, by the claimant, by the system, by a rule, after the claim: counts");
		ticket_free(&t);
		buf_free(&b);
	}

	ticket_fold(&t, "NEWNEW22", mg, strlen(mg), 0);
	ok(json_array_size(t.events) > 0, "a ticket without collisions");
	tj = ticket_json(&t);
	ok(!json_object_get(tj, "collisions"), "... has no collisions key");
	json_decref(tj);
	ticket_free(&t);

	/* ticket_fold_more: a fold of the first lines, then the rest, is the
	 * fold of all of them, wherever the text is cut */
	const char *inc =
	    "{\"at\":\"2026-11-02T08:59:00Z\",\"by\":\"ana\",\"id\":\"a0\",\"type\":\"replied\",\"agent\":\"ana\"}\n"
	    "{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"customer\",\"id\":\"a1\",\"type\":\"received\",\"thread\":\"new\","
	    "\"from\":\"x@y.com\",\"subject\":\"Pedido\",\"lang\":\"pt\"}\n"
	    "{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"system\",\"id\":\"a2\",\"type\":\"tagged\",\"tags\":[\"vip\",\"auto\"]}\n"
	    "{\"at\":\"2026-11-02T09:01:00Z\",\"by\":\"system\",\"id\":\"a3\",\"type\":\"assigned\",\"agent\":\"bob\"}\n"
	    "{\"at\":\"2026-11-02T10:00:00Z\",\"by\":\"bob\",\"id\":\"b1\",\"type\":\"replied\",\"agent\":\"bob\"}\n"
	    "{\"at\":\"2026-11-02T11:00:00Z\",\"by\":\"bob\",\"id\":\"b2\",\"type\":\"status\",\"status\":\"solved\"}\n"
	    "{\"at\":\"2026-11-02T12:00:00Z\",\"by\":\"customer\",\"id\":\"b3\",\"type\":\"received\",\"from\":\"x@y.com\"}\n"
	    "{\"at\":\"2026-11-02T12:00:00Z\",\"by\":\"system\",\"id\":\"b4\",\"type\":\"tagged\",\"tags\":[\"again\"]}\n";
	struct ticket whole;
	ticket_fold(&whole, "INCR1234", inc, strlen(inc), 0);
	json_t *wj = ticket_json(&whole);
	char *ws = json_dumps(wj, JSON_COMPACT | JSON_SORT_KEYS);
	int same = 1, cuts = 0;
	for (const char *cut = inc; cut; cut = strchr(cut, '\n')) {
		if (*cut == '\n')
			cut++;
		size_t k = (size_t)(cut - inc);
		ticket_fold(&t, "INCR1234", inc, k, 0);
		if (ticket_fold_more(&t, cut, strlen(cut)) != 0)
			same = 0;
		json_t *ij = ticket_json(&t);
		char *is = json_dumps(ij, JSON_COMPACT | JSON_SORT_KEYS);
		same &= !strcmp(is, ws) && json_array_size(t.events) == json_array_size(whole.events);
		free(is);
		json_decref(ij);
		ticket_free(&t);
		cuts++;
		if (!*cut)
			break;
	}
	ok(same && cuts == 9, "fold_more after each of the %d cuts is the whole fold", cuts);
	is_str(whole.status, "open", "... (reopened, tags sorted)");
	char *tg = json_dumps(whole.tags, JSON_COMPACT);
	is_str(tg, "[\"again\",\"auto\",\"vip\"]", "tags in strcmp order, whatever order they came in");
	free(tg);
	free(ws);
	json_decref(wj);
	/* an event before the last one folded, a repeated id, a bad line:
	 * refused, the ticket as it was */
	ticket_fold(&t, "INCR1234", inc, strlen(inc), 0);
	is_int(ticket_fold_more(&t, S("{\"at\":\"2026-11-02T11:30:00Z\",\"by\":\"x\",\"id\":\"c1\",\"type\":\"note\"}\n")),
	    -1, "an earlier event: fold all again");
	is_int(ticket_fold_more(&t, S("{\"at\":\"2026-11-02T12:00:00Z\",\"by\":\"x\",\"id\":\"b35\",\"type\":\"note\"}\n")),
	    -1, "an event of the same time and a smaller id: fold all again");
	is_int(ticket_fold_more(&t, S("{\"at\":\"2026-11-03T12:00:00Z\",\"by\":\"x\",\"id\":\"a1\",\"type\":\"note\"}\n")),
	    -1, "a repeated id: fold all again");
	is_int(ticket_fold_more(&t, S("{\"at\":\"2026-11-03T12:00:00Z\",\"by\":\"x\",\"id\":\"z1\",\"type\":\"note\"}\nnot json\n")),
	    -1, "a malformed line: refused");
	ok(t.notes == 0 && json_array_size(t.events) == 8, "... the ticket unchanged");
	is_int(ticket_fold_more(&t, S("{\"at\":\"2026-11-03T12:00:00Z\",\"by\":\"x\",\"id\":\"z1\",\"type\":\"note\"}\n"
	    "{\"at\":\"2026-11-03T11:00:00Z\",\"by\":\"ana\",\"id\":\"z0\",\"type\":\"status\",\"status\":\"pending\"}\n")),
	    0, "later events, themselves out of order: folded");
	ok(t.notes == 1 && !strcmp(t.status, "pending"), "... in (at, id) order");
	ticket_free(&t);
	ticket_free(&whole);
	/* no event sets a status: "new" by default, and still a default for
	 * the events after (an agent's reply to a ticket of no status leaves it
	 * so in a whole fold) */
	const char *ns = "{\"at\":\"2026-11-02T08:00:00Z\",\"by\":\"x\",\"id\":\"n1\",\"type\":\"note\"}\n";
	ticket_fold(&t, "NOSTAT12", ns, strlen(ns), 0);
	is_str(t.status, "new", "no status: new");
	ticket_fold_more(&t, S("{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"ana\",\"id\":\"n2\",\"type\":\"replied\",\"agent\":\"ana\"}\n"));
	is_str(t.status, "new", "... a reply then leaves it as a whole fold does");
	ticket_free(&t);

	/* snooze: out until its instant, back open, its assignee told; ended
	 * early by a customer message; a reminder is its agent's */
	const char *sz =
	    "{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"customer\",\"id\":\"s1\",\"type\":\"received\",\"from\":\"x@y.com\",\"thread\":\"new\"}\n"
	    "{\"at\":\"2026-11-02T09:01:00Z\",\"by\":\"ana\",\"id\":\"s2\",\"type\":\"assigned\",\"agent\":\"bob\"}\n"
	    "{\"at\":\"2026-11-02T09:02:00Z\",\"by\":\"bob\",\"id\":\"s3\",\"type\":\"status\",\"status\":\"pending\"}\n"
	    "{\"at\":\"2026-11-02T09:03:00Z\",\"by\":\"ana\",\"id\":\"s4\",\"type\":\"snoozed\",\"until\":\"2026-11-02T12:00:00Z\"}\n"
	    "{\"at\":\"2026-11-02T09:04:00Z\",\"by\":\"ana\",\"id\":\"s5\",\"type\":\"reminder\",\"until\":\"2026-11-02T10:00:00Z\",\"text\":\"x\"}\n";
	long long t1, t2;
	parse_rfc3339("2026-11-02T11:59:59Z", &t1);
	parse_rfc3339("2026-11-02T12:00:00Z", &t2);
	ticket_fold(&t, "SNOOZE12", sz, strlen(sz), 0);
	ok(ticket_snoozed(&t, t1) && !ticket_snoozed(&t, t2), "snoozed until its instant, not at it");
	is_str(t.status, "open", "... the status it comes back with: open");
	ok(!ticket_notice_due(&t, "bob", t1) && ticket_notice_due(&t, "bob", t2), "... its assignee told at the instant");
	ok(!ticket_notice_due(&t, "ana", t2 - 7201) && ticket_notice_due(&t, "ana", t2 - 7200),
	    "a reminder is due to its agent at its time");
	json_t *sj = ticket_json(&t);
	is_str(json_string_value(json_object_get(sj, "snoozed_until")), "2026-11-02T12:00:00Z", "snoozed_until in the JSON");
	json_decref(sj);
	ticket_fold_more(&t, S("{\"at\":\"2026-11-02T12:30:00Z\",\"by\":\"bob\",\"id\":\"s6\",\"type\":\"seen\"}\n"));
	ok(!ticket_notice_due(&t, "bob", t2 + 3600) && ticket_notice_due(&t, "ana", t2),
	    "bob acts after the wake: read; ana's reminder stays");
	ticket_free(&t);
	struct buf early = { 0 };
	buf_adds(&early, sz);
	buf_adds(&early, "{\"at\":\"2026-11-02T10:30:00Z\",\"by\":\"customer\",\"id\":\"s7\",\"type\":\"received\",\"from\":\"x@y.com\"}\n");
	ticket_fold(&t, "SNOOZE12", early.p, early.len, 0);
	ok(!ticket_snoozed(&t, t1) && !ticket_notice_due(&t, "bob", t2 + 86400),
	    "a customer message wakes it early, nobody told");
	is_str(t.status, "open", "... open");
	ticket_free(&t);
	buf_free(&early);
	ticket_fold(&t, "SNOOZE12", sz, strlen(sz), 0);
	ticket_fold_more(&t, S("{\"at\":\"2026-11-02T10:40:00Z\",\"by\":\"bob\",\"id\":\"s8\",\"type\":\"replied\",\"agent\":\"bob\",\"status\":\"pending\"}\n"));
	ok(!ticket_snoozed(&t, t1) && !strcmp(t.status, "pending"), "a reply that sets a status ends the snooze");
	ticket_free(&t);
	/* the timeline as text: the same fold, without JSON */
	const char *odd =
	    "{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"customer\",\"id\":\"o1\",\"type\":\"received\",\"thread\":\"new\","
	    "\"subject\":\"tab\\there, line\\nthere, back\\\\slash \\u001e\\u001f \\u00e9\",\"from\":\"x@y\",\"name\":\"X\"}\n"
	    "{\"at\":\"2026-11-02T09:01:00Z\",\"by\":\"ana\",\"id\":\"o2\",\"type\":\"note\",\"mentions\":[\"bob\",7,\"ana\"]}\n"
	    "{\"at\":\"2026-11-02T09:02:00Z\",\"by\":\"ana\",\"id\":\"o3\",\"type\":\"tagged\",\"tag\":\"x\",\"tags\":[]}\n"
	    "{\"at\":\"2026-11-02T09:03:00Z\",\"by\":\"ana\",\"id\":\"o4\",\"type\":\"escalated\",\"metric\":\"first_reply\","
	    "\"level\":\"warn\",\"since\":\"2026-11-02T09:00:00Z\",\"ack\":true}\n"
	    "{\"at\":\"2026-11-02T09:04:00Z\",\"by\":\"ana\",\"id\":\"o5\",\"type\":\"merged\",\"into\":\"ZZZZZZ99\"}\n";
	ok(timeline_alike("ABCDEF12", ev) && timeline_alike("NEWNEW22", mg) &&
	    timeline_alike("COLLID11", co) && timeline_alike("INCR1234", inc) &&
	    timeline_alike("NOSTAT12", ns) && timeline_alike("ODDODD12", odd) &&
	    timeline_alike("SNOOZE12", sz) && timeline_alike("EMPTY123", ""), "a timeline text folds as its events, at every asof");
	/* every cut and every changed byte of a timeline text: refused or
	 * folded, never a crash (the sanitizers watch) */
	ticket_fold(&t, "ODDODD12", odd, strlen(odd), 0);
	struct buf tl = { 0 };
	ticket_timeline_text(&t, &tl);
	ticket_free(&t);
	int refused = 0;
	for (size_t cut = 0; cut < tl.len; cut++) {
		refused += ticket_fold_timeline(&t, "ODDODD12", tl.p, cut, 0) != 0;
		ticket_free(&t);
	}
	for (size_t at = 0; at < tl.len; at++)
		for (int bit = 0; bit < 8; bit++) {
			tl.p[at] ^= (char)(1 << bit);
			refused += ticket_fold_timeline(&t, "ODDODD12", tl.p, tl.len, 0) != 0;
			ticket_free(&t);
			tl.p[at] ^= (char)(1 << bit);
		}
	ok(refused > 0 && ticket_fold_timeline(&t, "ODDODD12", tl.p, tl.len, 0) == 0,
	    "cut or changed anywhere: refused or folded (%d refused)", refused);
	ticket_free(&t);
	is_int(ticket_fold_timeline(&t, "X", S("\x1e\x1f" "a1\x1f" "bnote\x1f" "t2026-11-02T09:00:00Z\x1f" "zq"), 0), -1,
	    "an unknown field: refused");
	buf_free(&tl);

	ok(status_valid("on-hold") && !status_valid("done"), "statuses");
	ok(priority_valid("urgent") && !priority_valid("meh"), "priorities");
	return done_testing();
}
