/* event.c: ticket events and their fold (see event.h). */
#include "event.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "util.h"

static const char *const statuses[] = { "new", "open", "pending", "on-hold",
	"solved", "closed", NULL };
static const char *const priorities[] = { "low", "normal", "high", "urgent", NULL };

static int in(const char *const *list, const char *s)
{
	for (int i = 0; s && list[i]; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

int status_valid(const char *s) { return in(statuses, s); }
int tag_valid(const char *s)
{
	size_t n = strlen(s);
	if (!n || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr("-_.:", s[i])))
			return 0;
	return 1;
}

int priority_valid(const char *s) { return in(priorities, s); }

int status_active(const char *s)
{
	return s && (!strcmp(s, "new") || !strcmp(s, "open") || !strcmp(s, "pending") ||
	    !strcmp(s, "on-hold"));
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
	json_t *e = json_object();
	json_object_set_new(e, "id", json_string(id));
	json_object_set_new(e, "at", json_string(fmt_rfc3339(at, b)));
	json_object_set_new(e, "type", json_string(type));
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
	char *l = xmalloc(n + 2);
	memcpy(l, s, n);
	l[n] = '\n';
	l[n + 1] = 0;
	free(s);
	return l;
}

static const char *sget(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int by_at_id(const void *a, const void *b)
{
	json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(sget(x, "at"), sget(y, "at"));
	return c ? c : strcmp(sget(x, "id"), sget(y, "id"));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void tag_set(struct ticket *t, const char *tag, int on)
{
	size_t i;
	json_t *v;
	json_array_foreach(t->tags, i, v)
		if (!strcmp(json_string_value(v), tag)) {
			if (!on)
				json_array_remove(t->tags, i);
			return;
		}
	if (on)
		json_array_append_new(t->tags, json_string(tag));
}

static void collide(struct ticket *t, const char *type, const char *winner,
    const char *loser, json_t *e)
{
	if (!t->collisions)
		t->collisions = json_array();
	json_t *c = json_object();
	json_object_set_new(c, "type", json_string(type));
	json_object_set_new(c, "winner", json_string(winner));
	json_object_set_new(c, "loser", json_string(loser));
	json_object_set(c, "at", json_object_get(e, "at"));
	json_object_set(c, "event", json_object_get(e, "id"));
	json_array_append_new(t->collisions, c);
}

/* Apply one event to the state. */
static void apply(struct ticket *t, json_t *e, long long at)
{
	const char *type = sget(e, "type"), *v;
	if (json_object_get(e, "merged_from")) {
		/* a conversation merged in: its messages count, its state does not */
		if (!strcmp(type, "received"))
			t->received++;
		else if (!strcmp(type, "replied") && !json_is_true(json_object_get(e, "auto")))
			t->replies++;
		return;
	}
	if (!t->created)
		t->created = at;
	t->updated = at;
	if (!strcmp(type, "received")) {
		const char *th = sget(e, "thread");
		int opener = th && !strcmp(th, "new");
		t->received++;
		if (!json_is_true(json_object_get(e, "auto")))
			t->answered_by = NULL;
		if (!t->identified || (opener && !t->opened)) {
			t->opened = opener;
			t->identified = 1;
			t->subject = sget(e, "subject");
			t->customer = sget(e, "from");
			t->customer_name = sget(e, "name");
			t->queue = sget(e, "queue");
			t->lang = sget(e, "lang");
			t->first_message_id = sget(e, "message_id");
			if (!t->status)
				t->status = "new";
		} else if (!json_is_true(json_object_get(e, "auto")) && t->status &&
		    (!strcmp(t->status, "solved") ||
		    !strcmp(t->status, "pending"))) {
			if (!strcmp(t->status, "solved"))
				t->reopened++;
			t->status = "open";
		}
		if (!t->lang)
			t->lang = sget(e, "lang");
	} else if (!strcmp(type, "replied")) {
		json_t *au = json_object_get(e, "auto");
		if (!json_is_true(au)) {
			const char *who = sget(e, "agent") ? sget(e, "agent") : sget(e, "by");
			if (who && t->answered_by && strcmp(who, t->answered_by) &&
			    !json_is_true(json_object_get(e, "force")))
				collide(t, "reply", t->answered_by, who, e);
			if (who)
				t->answered_by = who;
			t->replies++;
			if (!t->first_reply)
				t->first_reply = at;
			if (t->status && !strcmp(t->status, "new"))
				t->status = "open";
		}
		if ((v = sget(e, "status")) && status_valid(v))
			t->status = v;
	} else if (!strcmp(type, "note"))
		t->notes++;
	else if (!strcmp(type, "assigned")) {
		t->assignee = sget(e, "agent");
		t->assigned_at = at;
	}
	else if (!strcmp(type, "unassigned"))
		t->assignee = NULL;
	else if (!strcmp(type, "claimed")) {
		const char *who = sget(e, "agent");
		if (who && t->claim_by && strcmp(who, t->claim_by) &&
		    (!t->claim_until || t->claim_until > at) &&
		    !json_is_true(json_object_get(e, "force"))) {
			/* claimed on another replica first: that claim stands */
			collide(t, "claim", t->claim_by, who, e);
			return;
		}
		t->claim_by = who;
		const char *u = sget(e, "until");
		long long until = 0;
		t->claim_until = u && parse_rfc3339(u, &until) == 0 ? until : 0;
	} else if (!strcmp(type, "released"))
		t->claim_by = NULL, t->claim_until = 0;
	else if (!strcmp(type, "tagged") || !strcmp(type, "untagged")) {
		json_t *tags = json_object_get(e, "tags");
		size_t i;
		json_t *x;
		if ((v = sget(e, "tag")))
			tag_set(t, v, type[0] == 't');
		json_array_foreach(tags, i, x)
			if (json_is_string(x))
				tag_set(t, json_string_value(x), type[0] == 't');
	} else if (!strcmp(type, "priority")) {
		if ((v = sget(e, "priority")) && priority_valid(v))
			t->priority = v;
	} else if (!strcmp(type, "status")) {
		if ((v = sget(e, "status")) && status_valid(v)) {
			if (t->status && (!strcmp(t->status, "solved") || !strcmp(t->status, "closed")) &&
			    !strcmp(v, "open"))
				t->reopened++;
			t->status = v;
			if (!strcmp(v, "solved"))
				t->solved_at = at;
		}
	} else if (!strcmp(type, "merged")) {
		t->merged_into = sget(e, "into");
		t->status = "closed";
	}
}

/* One line of an events file as an event object: NULL and *err set when
 * it is not one. */
static json_t *event_parse(const char *p, size_t l, const char **err)
{
	json_error_t je;
	json_t *o = json_loadb(p, l, JSON_REJECT_DUPLICATES, &je);
	const char *at, *eid, *type;
	long long t0;
	if (!o || !json_is_object(o) || !(eid = sget(o, "id")) || !*eid ||
	    !(at = sget(o, "at")) || parse_rfc3339(at, &t0) != 0 ||
	    !(type = sget(o, "type")) || !*type) {
		*err = !o ? "not JSON" : !json_is_object(o) ? "not a JSON object" :
		    !sget(o, "id") ? "no \"id\"" : !sget(o, "at") ? "no \"at\"" :
		    !sget(o, "type") ? "no \"type\"" : "bad \"at\" time (want RFC 3339)";
		json_decref(o);
		return NULL;
	}
	return o;
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

void ticket_bad_line(const char *id, int line, const char *err)
{
	bad_line(id, line, err);
}

/* The events of text, in file order, into *ev (malloc'd; *n of them).  A
 * line that is not an event is told to report (when not NULL) and
 * skipped; returns the number of such lines. */
static int parse_lines(const char *id, const char *text, size_t len, json_t ***ev, size_t *n,
    ticket_bad_line_fn report)
{
	size_t cap = 64;
	*n = 0;
	*ev = xmalloc(cap * sizeof **ev);
	const char *p = text, *e = text + len, *err;
	int line = 0, bad = 0;
	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(e - p);
		line++;
		if (l > 0) {
			json_t *o = event_parse(p, l, &err);
			if (!o) {
				bad++;
				if (report)
					report(id, line, err);
			} else {
				if (*n == cap) {
					cap *= 2;
					*ev = xrealloc(*ev, cap * sizeof **ev);
				}
				(*ev)[(*n)++] = o;
			}
		}
		p += l + 1;
	}
	return bad;
}

/* After the events: the default status, the tags sorted for stable
 * output. */
static void fold_finish(struct ticket *t)
{
	t->status_implied = !t->status;
	if (!t->status)
		t->status = "new";
	size_t nt = json_array_size(t->tags);
	if (nt > 1) {
		const char **v = xmalloc(nt * sizeof *v);
		for (size_t i = 0; i < nt; i++)
			v[i] = json_string_value(json_array_get(t->tags, i));
		qsort(v, nt, sizeof *v, cmp_str);
		json_t *s = json_array();
		for (size_t i = 0; i < nt; i++)
			json_array_append_new(s, json_string(v[i]));
		free(v);
		json_decref(t->tags);
		t->tags = s;
	}
}

void ticket_fold(struct ticket *t, const char *id, const char *text, size_t len,
    long long asof)
{
	memset(t, 0, sizeof *t);
	snprintf(t->id, sizeof t->id, "%s", id);
	t->tags = json_array();
	t->events = json_array();
	t->priority = "normal";
	size_t n;
	json_t **ev;
	parse_lines(t->id, text, len, &ev, &n, bad_line);
	qsort(ev, n, sizeof *ev, by_at_id);
	/* the same event from two replicas: one id, kept at its first time
	 * (the copies need not have the same "at", so they need not be
	 * next to each other in (at, id) order) */
	const char **ids = xmalloc((n ? n : 1) * sizeof *ids);
	unsigned char *drop = xcalloc(n ? n : 1, 1);
	for (size_t i = 0; i < n; i++)
		ids[i] = sget(ev[i], "id");
	mark_later_copies(ids, n, drop);
	free(ids);
	for (size_t i = 0; i < n; i++) {
		if (drop[i]) {
			json_decref(ev[i]);
			continue;
		}
		long long at;
		parse_rfc3339(sget(ev[i], "at"), &at);
		if (asof && at > asof) {
			json_decref(ev[i]);
			continue;
		}
		json_array_append_new(t->events, ev[i]);
		apply(t, ev[i], at);
	}
	free(drop);
	free(ev);
	fold_finish(t);
}

int ticket_fold_more(struct ticket *t, const char *text, size_t len)
{
	size_t n, have = json_array_size(t->events);
	json_t **ev;
	if (parse_lines(t->id, text, len, &ev, &n, NULL)) {
		for (size_t i = 0; i < n; i++)
			json_decref(ev[i]);
		free(ev);
		return -1;
	}
	qsort(ev, n, sizeof *ev, by_at_id);
	int ok = 1;
	json_t *last = have ? json_array_get(t->events, have - 1) : NULL;
	/* every new event after the last one folded, each id new */
	if (n && last && by_at_id(&last, &ev[0]) >= 0)
		ok = 0;
	for (size_t i = 0; ok && i < n; i++) {
		const char *id = sget(ev[i], "id");
		for (size_t j = i + 1; ok && j < n; j++)
			ok = strcmp(id, sget(ev[j], "id")) != 0;
		for (size_t j = 0; ok && j < have; j++)
			ok = strcmp(id, sget(json_array_get(t->events, j), "id")) != 0;
	}
	if (!ok) {
		for (size_t i = 0; i < n; i++)
			json_decref(ev[i]);
		free(ev);
		return -1;
	}
	if (t->status_implied)
		t->status = NULL;
	for (size_t i = 0; i < n; i++) {
		long long at;
		parse_rfc3339(sget(ev[i], "at"), &at);
		json_array_append_new(t->events, ev[i]);
		apply(t, ev[i], at);
	}
	free(ev);
	fold_finish(t);
	return 0;
}

void ticket_free(struct ticket *t)
{
	json_decref(t->tags);
	json_decref(t->events);
	json_decref(t->extra);
	json_decref(t->collisions);
	memset(t, 0, sizeof *t);
}

static void set_s(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, v ? json_string(v) : json_null());
}

static void set_t(json_t *o, const char *k, long long t)
{
	char b[32];
	json_object_set_new(o, k, t ? json_string(fmt_rfc3339(t, b)) : json_null());
}

json_t *ticket_json(const struct ticket *t)
{
	json_t *o = json_object();
	set_s(o, "id", t->id);
	set_s(o, "status", t->status);
	set_s(o, "subject", t->subject);
	set_s(o, "customer", t->customer);
	set_s(o, "customer_name", t->customer_name);
	set_s(o, "assignee", t->assignee);
	set_s(o, "queue", t->queue);
	set_s(o, "priority", t->priority);
	json_object_set(o, "tags", t->tags);
	set_s(o, "lang", t->lang);
	set_t(o, "created", t->created);
	set_t(o, "updated", t->updated);
	set_t(o, "first_reply", t->first_reply);
	if (t->assignee)
		set_t(o, "assigned_at", t->assigned_at);
	set_t(o, "solved", t->solved_at);
	json_object_set_new(o, "replies", json_integer(t->replies));
	json_object_set_new(o, "messages", json_integer(t->received));
	json_object_set_new(o, "reopened", json_integer(t->reopened));
	if (t->claim_by) {
		set_s(o, "claimed_by", t->claim_by);
		set_t(o, "claimed_until", t->claim_until);
	}
	if (t->merged_into)
		set_s(o, "merged_into", t->merged_into);
	if (t->collisions)
		json_object_set(o, "collisions", t->collisions);
	return o;
}
