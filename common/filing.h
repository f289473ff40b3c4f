/* filing.h: incoming mail filed into the desk's tickets (mroute(1)).
 *
 * A filing session files messages in batches.  The first message of a
 * batch takes the desk lock; every message adds its file and its events
 * to the batch's transaction, and filing_commit makes the batch one
 * commit and lets the lock go.  A message sees those filed before it in
 * the same batch (a reply goes into the ticket its parent opened a
 * moment earlier).
 *
 * For each message: is it known (its Message-ID is in the desk: a
 * duplicate, nothing changes)?  Else its ticket (find_parent_tickets:
 * In-Reply-To and References through the desk's Message-ID map, several
 * tickets of one customer merged into the oldest, then the
 * [#ID] token when the sender takes part in that ticket; the customer's
 * open ticket of the same subject; else a new ticket), its language,
 * the rules of routing.sieve, its priority and its agent, written as a
 * "received" event and the events those decisions make.
 *
 * See doc/filing.md for the data flow. */
#ifndef MDESK_FILING_H
#define MDESK_FILING_H
#include <stddef.h>
#include <jansson.h>

#include "desk.h"
#include "event.h"
#include "route.h"
#include "rules.h"

struct filing_opts {
	const char *queue;	/* every message into this queue (--queue), or NULL */
	int at_date;		/* a message's own Date, when not later, is when it arrived */
	int dry_run;		/* decide, write nothing */
	long batch_max;		/* messages in one commit (default 1000) */
	long long clock;	/* now */
	/* a fault of routing.sieve: file, line, column (0: none), text */
	void (*rule_fault)(const char *file, int line, int col, const char *msg);
};

/* The tickets one message joins at most (its ids name messages of as
 * many tickets: they become one, or stay apart when of other customers) */
#define FILING_LINKED_MAX 8
/* What became of one message. */
struct filed {
	char message_id[996];	/* its Message-ID, or the one made for it */
	char ticket[16];
	const char *queue;
	const char *thread;	/* new, in-reply-to, references, token, subject, duplicate */
	int is_new, duplicate, automatic, malformed, truncated;
	int reopen;		/* a solved ticket opens again */
	int ack;		/* a new ticket that may be acknowledged */
	int review;		/* claims an agent's address: filed for review */
	int internal;		/* a third party's answer to a forward: for agents only */
	char follows[16];	/* a closed ticket this new one follows */
	char merged[FILING_LINKED_MAX][16];	/* tickets it names, merged into this one */
	size_t nmerged;
	char linked[FILING_LINKED_MAX][16];	/* tickets of another customer it names too */
	size_t nlinked;
	char lang[16];
	const char *lang_from;	/* content-language, customer, detected, ticket */
	const char *priority, *assignee, *assign_why;
	struct rules_out ro;	/* what the rules decided */
	struct route_cand *cand;	/* the agents considered, with why */
	size_t ncand;
	json_t *tags;		/* the ticket's tags afterwards */
	/* private: the ticket the strings above may point into */
	struct ticket t;
	int have_t;
};

struct filing;

/* A session on desk d: desk.conf's [routing], agents.csv, customers.csv
 * and routing.sieve are read and checked now (EX_CONFIG when wrong, no
 * message touched). */
struct filing *filing_new(struct desk *d, const struct filing_opts *o);
void filing_free(struct filing *f);

/* File one message: the len bytes to store, of the received bytes that
 * came in (more than len when the message was cut at the desk's
 * message_max: it is tagged truncated).  0 and *out (filed_free it), or
 * -1 when this message cannot be filed (*why says why, out->message_id
 * names it; nothing of it is in the batch, the others are not touched). */
int filing_file(struct filing *f, const char *raw, size_t len, unsigned long long received,
    struct filed *out, const char **why);
void filed_free(struct filed *r);

/* An agent for ticket t now, chosen as for a new ticket of its queue
 * (its group and language, the customer's last agent, shifts, loads):
 * 0 with *login (valid as long as f), or -1 when nobody may take it or
 * it is automatic mail or spam (tagged auto or spam), which is never
 * assigned; why says why either way. */
int filing_pick(struct filing *f, const struct ticket *t, const char **login, char *why,
    size_t wn);

/* Should the open batch be committed before the next message (it holds
 * batch_max messages, or many bytes or tickets)? */
int filing_batch_full(const struct filing *f);
/* Commit the open batch (with --dry-run: drop it) and let the lock go;
 * nothing when no batch is open.  Exits as desk_tx_commit does when the
 * commit fails: nothing of the batch is then in the desk. */
void filing_commit(struct filing *f);
/* Messages and new tickets filed by the commits so far. */
void filing_counts(const struct filing *f, size_t *messages, size_t *new_tickets);

#endif
