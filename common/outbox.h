/* outbox.h: replies on their way out, under .git/mdesk/outbox/.
 *
 * A reply is recorded only once it left, and the mailer runs without the
 * desk lock.  With the lock held, outbox_put keeps the message and its
 * record (the ticket, the events, the commit's author and message) as an
 * entry NAME.send, locked (flock) by the sender for as long as it lives.
 * The sender lets the desk lock go and hands the message over; accepted,
 * outbox_sent renames the entry NAME.sent; refused, outbox_drop removes
 * it.  Every writer's desk_lock then calls outbox_finish, which records
 * each entry that was sent, and each whose sender died while the mailer
 * had the message (the mailer may have taken it: recorded, the replied
 * event marked "unconfirmed"), as one commit each, and removes it.  So a
 * reply that left is recorded exactly once and never sent twice by the
 * desk; a reply the mailer refused leaves no trace.
 *
 * An entry is one file: a line of JSON (ticket, name, email, message,
 * events) and then the message's bytes.  The replied event gets its
 * "file" (NNNN.eml) when it is recorded. */
#ifndef MDESK_OUTBOX_H
#define MDESK_OUTBOX_H
#include <stddef.h>
#include <jansson.h>
#include "desk.h"

struct outbox_entry;

/* Keep a reply (lock held): record holds "ticket", "name", "email",
 * "message" and "events" (an array); the caller keeps it.  Exits EX_TEMPFAIL or
 * EX_CANTCREAT, leaving nothing, when the disk refuses. */
struct outbox_entry *outbox_put(struct desk *d, json_t *record, const char *raw,
    size_t len);
/* The mailer accepted it: the entry is due for the record.  Frees e. */
void outbox_sent(struct outbox_entry *e);
/* It did not leave: the entry goes.  Frees e. */
void outbox_drop(struct outbox_entry *e);
/* A reply out through the mailer at url (lock held on entry, let go):
 * kept (outbox_put), handed to the mailer without the lock, due for the
 * record once accepted.  0, or -1 with why in err when the mailer
 * refused it (nothing kept).  The next desk_lock records it. */
int outbox_send(struct desk *d, json_t *record, const char *raw, size_t len,
    const char *url, char *err, size_t errlen);
/* Record every entry that is due (lock held): the number recorded.
 * desk_lock calls it. */
int outbox_finish(struct desk *d);

#endif
