/* tickets.h: tickets of a desk: load, list files, restore from the archive. */
#ifndef MDESK_TICKETS_H
#define MDESK_TICKETS_H
#include "agents.h"
#include "desk.h"
#include "event.h"

/* Load and fold ticket id: the working tree (or HEAD when from_head),
 * then the archive branch.  0, or -1 when there is no such ticket (a line
 * that is not an event is skipped, see ticket_fold). */
int ticket_load(struct desk *d, const char *id, struct ticket *t, int *archived,
    int from_head);
/* How a caller loads a ticket (0, or -1 when there is none). */
typedef int (*ticket_loader)(void *ctx, const char *id, struct ticket *t);
/* Follow "merged" events from ticket id to the ticket its conversation
 * ended in (at most 16 hops), id updated in place; tickets are loaded
 * through load (NULL: ticket_load of d's HEAD, then the archive). */
void ticket_follow_merges(struct desk *d, char id[16], ticket_loader load, void *ctx);
/* Stage in tx the merge of ticket from (archived: af; staged back from
 * the archive by the caller) into ticket into: from's messages copied
 * into into's folder numbered after next (into's highest number), its
 * events appended to into's marked "merged_from" (their files renamed),
 * the event merged (given "into" here) appended to from's and the note
 * (given its text here) to into's; the caller made both (who, when, id)
 * and keeps them.  Returns the highest number used. */
int ticket_merge_stage(struct desk *d, struct desk_tx *tx, const struct ticket *from, int af,
    const char *into, int next, json_t *merged, json_t *note);
/* The message files (NNNN.eml) of a ticket, sorted; *n set (free with
 * desk_list_free). */
char **ticket_files(struct desk *d, const char *id, size_t *n, int archived);
/* The number the next message file gets (1 + the highest). */
int ticket_next_number(struct desk *d, const char *id, int archived);
/* Read one file of a ticket. */
char *ticket_read(struct desk *d, const char *id, const char *name, size_t *len,
    int archived);
/* Stage the archived ticket's files in tx (it comes back to the tree). */
void ticket_restore(struct desk *d, struct desk_tx *tx, const char *id);
/* "tickets/SH/ID/events.jsonl" into out (64 bytes). */
void ticket_events_path(const char *id, char out[64]);
/* Append events to ticket id's events file in tx, one line each; they
 * are freed. */
void ticket_append_events(struct desk_tx *tx, const char *id, json_t **ev, size_t n);

/* Tickets on the main branch that are solved or closed and untouched for
 * age seconds (malloc'd array of malloc'd ids; from the summaries). */
char **tickets_to_archive(struct desk *d, long long age, size_t *n);
/* The automatic upkeep after a commit (when d->upkeep_due is set): move
 * old closed tickets to the archive (desk.conf archive_after, 30d; 0 turns
 * it off).  Call with the lock held. */
void tickets_upkeep(struct desk *d);

/* The key of every derived file under .git/mdesk/ (the summaries, the
 * Message-ID map): the oid of the tickets/ tree of a branch, into key
 * ("-": none); the tree itself into *out when out is set (NULL when
 * none). */
void tickets_tree(struct desk *d, const char *branch, char key[GIT_OID_HEXSZ + 1],
    git_tree **out);

/* The summary of every ticket: derived data under .git/mdesk/ (the files
 * tickets-main and tickets-archive, one per branch), never committed.
 * Each file is keyed by the oid of its branch's tickets/ tree and holds,
 * sorted by ID, one line per ticket: the ticket's events blob oid, its
 * folded state (the fields of ticket_json) and its timeline (the events
 * the fold read, as text: ticket_timeline_text), then a checksum of all
 * of it; a file that does not match is not read.  A reader compares the key
 * with the branch; when the branch moved it folds again only the tickets
 * whose events changed (a tree diff), when the file is missing or
 * unreadable it folds every ticket, and writes the file back (atomically;
 * a desk it cannot write is still answered).  Deleting the files changes
 * no answer. */
struct tsum {
	char id[16];
	const char *status;	/* new, open, ... */
	const char *assignee;	/* NULL: unassigned */
	const char *customer;	/* NULL: none */
	const char *subject;	/* NULL: none; tabs and line ends as spaces */
	long long created, updated, assigned_at;
	const char *json;	/* ticket_json, one compact line (no newline) */
	/* the timeline (ticket_timeline_text), tlen bytes; NULL when the
	 * events file has lines that are not events (its reader folds the
	 * file, and tells them) */
	const char *timeline;
	size_t tlen;
};
/* The summaries of the main branch (the working set; all == 0), or of main
 * and the archive (all != 0; a ticket on both counted once, as on main),
 * sorted by ID.  Valid until the next call or tickets_summary_free. */
const struct tsum *tickets_summary(struct desk *d, int all, size_t *n);
void tickets_summary_free(void);
/* The same entries as tickets_summary(d, 0, n) without json and timeline
 * (NULL), from their own file (states-main): what a delivery needs, at a
 * tenth of the reading and writing.  Valid until the next call or
 * tickets_summary_free. */
const struct tsum *tickets_states(struct desk *d, size_t *n);
/* The summary of main, kept current in memory by this process's commits,
 * to its file: by the writer when it is done, with the desk lock (taken
 * here when free; when another process holds it the file is left to a
 * later one, which catches up from the trees). */
void tickets_summary_save(struct desk *d);
/* A summary as a ticket: the fields of ticket_json, no events; ticket_free. */
void tsum_ticket(const struct tsum *s, struct ticket *t);
/* Is there a ticket id, on main or archived?  The archive is asked
 * through its summary file, built or brought up to date first when it is
 * missing or stale (no walk of the archive's trees, whose delta chains
 * made every delivery on a large desk pay for them). */
int ticket_exists(struct desk *d, const char *id);
/* Bring the summary files that exist up to the branches (after an
 * archive move, so readers and ticket_exists find them current). */
void tickets_summary_refresh(struct desk *d);
/* tickets_summary for a reader that folds every ticket through
 * tsum_fold: the lines that are not events are told there, once, not
 * when the summary is brought up to date. */
const struct tsum *tickets_timelines(struct desk *d, int all, size_t *n);
/* Fold ticket s of tickets_summary as ticket_fold does (up to asof when
 * asof != 0): from its timeline, without a JSON parse, or when it has
 * none (or one that does not read) from its events blob.  Returns 0. */
int tsum_fold(struct desk *d, const struct tsum *s, struct ticket *t, long long asof);
/* The events text of every ticket as the desk stood at commit c of the
 * main branch: its tickets, then the archive's at its newest commit not
 * later than c (a ticket on both once, as on main), sorted by ID.  Read
 * from git's trees; no file is written.  The texts are the caller's to
 * change in place.  Valid until the next call or tickets_events_free. */
struct tevents {
	char id[16];
	int archived;		/* from the archive branch */
	git_oid events;		/* the blob of its events.jsonl */
	char *text;		/* the events.jsonl: len bytes and a NUL */
	size_t len;
};
const struct tevents *tickets_events_at(struct desk *d, git_commit *c, size_t *n);
void tickets_events_free(void);
/* Does the status run the SLA clock and count in an agent's load? (new, open) */
int status_load(const char *status);
/* agents.csv of desk d, through agents_load; a desk without one is a
 * fault: "prog: ROOT/agents.csv: cannot read: why", exit EX_CONFIG. */
void agents_read(struct agents *a, struct desk *d);
/* The acting agent: as (--as), else $MDESK_AGENT, else the agent whose
 * email is git's user.email, or whose login is git's user.name, in desk d.
 * None, or one not in agents.csv: exits EX_USAGE ("who is DOING? ..."). */
struct agent *agent_acting(struct agents *ag, struct desk *d, const char *as,
    const char *doing);
/* An agent's load: tickets on main assigned to login in new or open. */
int agent_load(struct desk *d, const char *login);

#endif
