/* event.h: ticket events (one JSON object per line) and their fold.
 *
 * Every event has "id" (unique), "at" (RFC 3339 UTC), "type" and "by".
 * A ticket's state is the fold of its events ordered by (at, id), with
 * duplicate ids dropped; unknown types and fields are kept and ignored. */
#ifndef MDESK_EVENT_H
#define MDESK_EVENT_H
#include <stddef.h>
#include <jansson.h>

#define STATUS_LIST "new, open, pending, on-hold, solved, closed"
/* The statuses in that order, ended by NULL. */
extern const char *const ticket_statuses[];
int status_valid(const char *s);
/* Does the status keep SLA clocks and agent load running? */
int status_active(const char *s);
#define PRIORITY_LIST "low, normal, high, urgent"
int priority_valid(const char *s);
/* A tag: 1-64 of a-z 0-9 - _ . : */
int tag_valid(const char *s);

/* A new event: random id, at, type, by. */
json_t *event_new(const char *type, const char *by, long long at);
/* An id derived from a key (e.g. "received" + Message-ID), so the same
 * fact recorded on two replicas is one event. */
void event_id_for(json_t *ev, const char *kind, const char *key);
/* One line: compact, keys sorted, newline; malloc'd. */
char *event_line(json_t *ev);
/* Random 64-bit value as 16 hex digits (for ids). */
void random_hex(char out[17]);

/* The types of event the fold tells apart (EV_OTHER: any other). */
enum ev_kind { EV_OTHER, EV_RECEIVED, EV_REPLIED, EV_STATUS, EV_ASSIGNED, EV_PRIORITY,
	EV_TAGGED, EV_UNTAGGED, EV_NOTE, EV_UNASSIGNED, EV_CLAIMED, EV_RELEASED, EV_MERGED,
	EV_SNOOZED, EV_UNSNOOZED, EV_REMINDER };

/* One event of a ticket, as the fold and its readers (the SLA clocks,
 * reports) see it: its fields, NULL when absent or not a string, pointing
 * into json, the whole object. */
struct event {
	json_t *json;
	long long at;
	const char *at_s, *id, *type, *by, *agent, *from, *name, *subject, *queue, *lang;
	const char *thread, *status, *priority, *into, *tag, *until, *message_id;
	const char *metric, *level, *since;	/* of "escalated" */
	json_t *tags;		/* "tags", an array (NULL: none) */
	json_t *mentions;	/* a note's "mentions", an array of logins (NULL: none) */
	unsigned char autom, ack, force;	/* "auto", "ack", "force" true */
	unsigned char merged;	/* "merged_from" set: a merged conversation's */
	unsigned char kind;	/* the type, an ev_kind */
};

struct ticket {
	char id[16];
	const char *subject, *customer, *customer_name, *queue, *lang;
	const char *status, *priority, *assignee, *merged_into;
	const char *claim_by, *first_message_id;
	long long claim_until, created, updated, solved_at, first_reply;
	long long assigned_at;	/* when the current assignee was given it */
	int reopened, replies, received, notes, opened, identified;
	int status_implied;	/* no event set a status: "new" by default */
	json_t *tags;		/* array of strings, sorted */
	json_t *events;		/* array, sorted by (at, id), no duplicates */
	json_t *extra;		/* owns the strings above when set (a summary) */
	/* Collisions between replicas: a claim over another agent's live
	 * claim, or a reply to a customer message another agent had already
	 * answered, neither made with --force (so made where the other was
	 * not yet known).  The earlier one, by (at, id), wins; each entry is
	 * {"type": "claim"|"reply", "winner", "loser", "at", "event"} (the
	 * loser's event).  NULL when none. */
	json_t *collisions;
	const char *answered_by;	/* the last reply since the last message */
	/* the agents a note mentioned who have not acted on the ticket since
	 * (any event by them, such as "seen"): an array of logins, NULL when
	 * none */
	json_t *unread;
	/* A snooze: the ticket is out of the queue while snooze_until > now
	 * (ticket_snoozed); set by a "snoozed" event (the ticket comes back
	 * open), ended early by "unsnoozed", a customer message, a status
	 * change (a "status" event, a reply that sets one) or a merge.  0: none.  It stays set once passed (the state
	 * is a function of the events; the clock decides). */
	long long snooze_until;
	/* What an agent is to be told at a time: [{"type": "wake" | "reminder",
	 * "event": the id of the event that made it, "due", "by", "agent"
	 * (a reminder's)}].  A wake tells the ticket's assignee (else whoever
	 * snoozed it), a reminder its agent; a notice is read once that agent
	 * acts on the ticket at or after its due time.  NULL when none. */
	json_t *notices;
	/* the timeline: the events of "events" (ev[i].json), as struct event */
	struct event *ev;
	size_t nev;
	char *strings;		/* owns the timeline's strings (ticket_fold_timeline) */
};

/* The state before any event (status NULL until the first message,
 * priority normal), for a replay: ticket_step each event in (at, id)
 * order, reading the state between them; ticket_free it after.  A ticket
 * built so has no timeline of its own. */
void ticket_start(struct ticket *t, const char *id);
/* Fold one event into the state: the one rule of what each event does. */
void ticket_step(struct ticket *t, const struct event *e);

/* Fold the events text of a ticket.  Folding stops at events after asof
 * when asof != 0.  A line that is not an event (not a JSON object, no
 * "id", "type" or "at", a time outside 1970-9999) is skipped and told to
 * the handler of ticket_on_bad_line: one line never stops a reader.
 * Returns the number of such lines. */
int ticket_fold(struct ticket *t, const char *id, const char *text, size_t len,
    long long asof);
/* Who is told of a skipped line (ticket ID, 1-based line, what is wrong):
 * by default a warning on stderr, "prog: tickets/AB/ID/events.jsonl:LINE:
 * what; the line is skipped"; NULL restores it. */
typedef void (*ticket_bad_line_fn)(const char *id, int line, const char *err);
void ticket_on_bad_line(ticket_bad_line_fn fn);
/* Fold more events (the lines of text) onto t, a fold of the events
 * before them: 0, the same state as a fold of all of them; -1 when that
 * needs a new fold of all (an event of text sorts before one already
 * folded or repeats an id, or a line is not an event), t unchanged. */
int ticket_fold_more(struct ticket *t, const char *text, size_t len);
void ticket_free(struct ticket *t);

/* The timeline of t (every event folded, in order) as one line of text
 * appended to b: the fields the fold and its readers use, no JSON, so
 * that a reader of many tickets need not parse their events again (the
 * derived summary keeps it, tickets.h). */
struct buf;
void ticket_timeline_text(const struct ticket *t, struct buf *b);
/* Fold a timeline text of ticket_timeline_text, up to asof when asof !=
 * 0: the same state and timeline as ticket_fold of the events it was
 * made from, except that ev[i].json is NULL and "events" empty.  0, or -1
 * when the text is not such a timeline (t is then empty). */
int ticket_fold_timeline(struct ticket *t, const char *id, const char *text, size_t len,
    long long asof);
/* t, a second reference to the state of src: its JSON shared, its
 * timeline copied (ticket_free each). */
void ticket_share(const struct ticket *src, struct ticket *t);
/* Is t snoozed at now? */
int ticket_snoozed(const struct ticket *t, long long now);
/* Does an agent other than login (any agent when login is NULL) hold a
 * claim on t that is live at now (no end, or an end after now)? */
int ticket_claimed(const struct ticket *t, const char *login, long long now);
/* Who notice n (an entry of t->notices) tells. */
const char *notice_agent(const struct ticket *t, json_t *n);
/* Does t hold a notice for login due at or before now? */
int ticket_notice_due(const struct ticket *t, const char *login, long long now);

/* The state as a JSON object (the fields of mdesk ls --format json). */
json_t *ticket_json(const struct ticket *t);

#endif
