/* conversation.h: who a ticket's conversation involves, by the desk's
 * rules: the desk's own addresses, the participants, what a message
 * claims about where answers go, and answers to the desk's forwards.
 * mreply(1) answers by these rules, mdesk show shows them, filing marks
 * a third party's answer. */
#ifndef MDESK_CONVERSATION_H
#define MDESK_CONVERSATION_H
#include "agents.h"
#include "desk.h"
#include "event.h"
#include "msg.h"
#include "outmsg.h"

/* The queue whose address addr is ([queue NAME] address); NULL if none. */
const char *desk_queue_of(struct desk *d, const char *addr);
/* One of the desk's own addresses: a queue's, an agent's, or any address
 * of the desk's mail domain (desk.conf domain).  ag may be NULL. */
int desk_own_address(struct desk *d, const struct agents *ag, const char *addr);

/* The people of a ticket's conversation who are not the desk, in order:
 * the customer of record first, then everyone the customer or another
 * participant copied (To, Cc) on a message the desk received.  Whoever
 * only writes in (a stranger who knows a Message-ID) copies nobody in.
 * Added to out. */
void ticket_participants(struct desk *d, const struct agents *ag, const struct ticket *t,
    int archived, struct addrs *out);

/* Does the ticket carry tag? */
int ticket_has_tag(const struct ticket *t, const char *tag);

/* What a message claims about where answers go: a Reply-To address, or a
 * Sender address, that is not the customer's.  Each is passed to cb with
 * the field's name; never followed, only shown.  The number found. */
int reply_claims(struct msg *m, const char *customer,
    void (*cb)(void *ctx, const char *field, const char *addr), void *ctx);

/* Does a message with these ids answer one of the ticket's forwards
 * (its In-Reply-To or References name a forward's Message-ID)?  Such an
 * answer is a third party's: filed as internal, for agents only. */
int answers_forward(const struct ticket *t, const struct msg_ids *ids);

#endif
