/* tickets.h: tickets of a desk: load, list files, restore from the archive. */
#ifndef MDESK_TICKETS_H
#define MDESK_TICKETS_H
#include "desk.h"
#include "event.h"

/* Load and fold ticket id: the working tree (or HEAD when from_head),
 * then the archive branch.  0, or -1 when there is no such ticket; a
 * malformed events file exits EX_DATAERR with file:line. */
int ticket_load(struct desk *d, const char *id, struct ticket *t, int *archived,
    int from_head);
/* The message files (NNNN.eml) of a ticket, sorted; *n set. */
char **ticket_files(struct desk *d, const char *id, size_t *n, int archived);
void ticket_files_free(char **v, size_t n);
/* The number the next message file gets (1 + the highest). */
int ticket_next_number(struct desk *d, const char *id, int archived);
/* Read one file of a ticket. */
char *ticket_read(struct desk *d, const char *id, const char *name, size_t *len,
    int archived);
/* Stage the archived ticket's files in tx (it comes back to the tree). */
void ticket_restore(struct desk *d, struct desk_tx *tx, const char *id);
/* "tickets/SH/ID/events.jsonl" into out (64 bytes). */
void ticket_events_path(const char *id, char out[64]);

/* Fold every ticket of the working tree and call fn with it; fn keeps
 * the ticket (returns 1) or leaves it to be freed (returns 0). */
void tickets_each(struct desk *d, int (*fn)(void *ctx, struct ticket *t), void *ctx);
/* Tickets in the working tree that are solved or closed and untouched for
 * age seconds (malloc'd array of malloc'd ids). */
char **tickets_to_archive(struct desk *d, long long age, size_t *n);
/* The automatic upkeep after a commit (when d->upkeep_due is set): move
 * old closed tickets to the archive (desk.conf archive_after, 30d; 0 turns
 * it off).  Call with the lock held. */
void tickets_upkeep(struct desk *d);

#endif
