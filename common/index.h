/* index.h: derived lookups of a desk, under .git/mdesk/ids/.
 *
 * Message-ID -> ticket, for threading new mail into tickets (and the
 * Thread-Index id of an Outlook first mail -> its ticket).  Derived
 * data only: never committed, rebuilt from the events when missing or
 * stale, so deleting it changes no answer.  Kept in 256 bucket files
 * (by the first byte of the Message-ID's hash), so a lookup reads one
 * small file.  Staleness: the index remembers the tickets/ trees of the
 * main and archive branches it reflects (the key of every derived file,
 * tickets_tree); when they moved behind its back (a sync,
 * a merge, a hand commit) only the event files that changed since are
 * read again (a tree diff in libgit2).  Entries are only added: when
 * events go away (a reset, a removal) callers check what a lookup names
 * against the ticket (mroute does), so a stale entry is never trusted. */
#ifndef MDESK_INDEX_H
#define MDESK_INDEX_H
#include "desk.h"

/* Bring the index up to the branches.  Call with the desk lock held. */
void index_sync(struct desk *d);
/* The ticket that holds Message-ID mid (the newest entry); 1 and
 * *ticket set, or 0. */
int index_lookup(struct desk *d, const char *mid, char ticket[16]);
/* Record mid -> ticket (after a commit that added it). */
void index_add(struct desk *d, const char *mid, const char *ticket);
/* The same for n of them, each bucket's file written once. */
struct index_entry {
	const char *mid, *ticket;
};
void index_add_many(struct desk *d, const struct index_entry *e, size_t n);
/* Mark the index current with the branches as they are now. */
void index_mark(struct desk *d);

#endif
