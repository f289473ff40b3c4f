/* search.h: full-text search over a desk's tickets (SQLite FTS5).
 *
 * Derived data only, never committed: .git/mdesk/search.sqlite, one row
 * per ticket and branch (main, archive) with its subjects, the people of
 * its messages (names and addresses), the decoded text of its messages
 * (mime_text: any transfer encoding and charset, HTML as text), its notes
 * and its tags, and its state (ticket_json), so that a query's answer
 * needs no other file.  The file records the oids of the tickets/ trees of main
 * and archive it reflects; search_sync reads again only the tickets whose
 * files differ from those trees (a tree diff), and builds the whole file
 * again when it is missing, unreadable or of another version.  Deleting
 * it changes no answer. */
#ifndef MDESK_SEARCH_H
#define MDESK_SEARCH_H
#include <stddef.h>
#include "desk.h"

/* Bring the index up to the branches, or build it when there is none (or
 * none this version can read).  Needs no desk lock: the index has its own
 * (SQLite's, and .git/mdesk/search.lock for a build, which waits for no
 * other writer of the desk).  0, or -1 when it cannot be written (a
 * message said; a query then reads what exists). */
int search_sync(struct desk *d);
/* A writer's catch-up after its commits (desk_close): an index that
 * exists brought up to the branches, unless it is being built, another
 * writer of the index holds it, or many tickets changed (the next
 * search_sync does it then).  Never builds, never waits long. */
void search_follow(struct desk *d);

/* A ticket found, with its state as the index holds it (what the summary
 * of tickets.h holds: ticket_json, compact, and its times). */
struct search_hit {
	char id[16];
	int archived;
	long long created, updated;
	char *json;
};
/* Which tickets: on main (all == 0) or on main and the archive (a ticket
 * on both as it is on main); with this status, assignee, queue (NULL: any),
 * no assignee (unassigned != 0), created in [since, until); the limit best
 * of them (0: every one). */
struct search_where {
	int all, unassigned;
	const char *status, *assignee, *queue;
	long long since, until;
	size_t limit;
};
/* The tickets of wh matching the FTS5 query q, best first (bm25), each
 * once.  0 and *hits (search_hits_free) and *n; -1 with err set (one
 * line) when q is not an FTS5 query; -2 when the index cannot be read. */
int search_query(struct desk *d, const char *q, const struct search_where *wh,
    struct search_hit **hits, size_t *n, char *err, size_t errlen);
void search_hits_free(struct search_hit *h, size_t n);
/* The words of text as an FTS5 query that has no operators: each word, or
 * each run of text in double quotes, a phrase, all of them required; a
 * word that ends in '*' a prefix.  Malloc'd; "" when text has no word. */
char *search_phrases(const char *text);

#endif
