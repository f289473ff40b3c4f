/* compose.h: the rules of a desk's outgoing mail: who a reply goes to,
 * which addresses are the desk's own, who takes part in a conversation
 * and what a customer's message claims about where answers go.
 * mreply(1) drives it; mdesk show lists what it finds. */
#ifndef MDESK_COMPOSE_H
#define MDESK_COMPOSE_H
#include "agents.h"
#include "desk.h"
#include "event.h"
#include "msg.h"
#include "outmsg.h"

/* The queue whose address addr is ([queue NAME] address); NULL if none. */
const char *desk_queue_of(struct desk *d, const char *addr);
/* One of the desk's own addresses: a queue's, an agent's, or any address
 * of the desk's mail domain (desk.conf domain). */
int desk_own_address(struct desk *d, const struct agents *ag, const char *addr);

/* The people of a ticket's conversation who are not the desk, in order:
 * the customer of record first, then everyone the customer or another
 * participant copied (To, Cc) on a message the desk received.  Whoever
 * only writes in (a stranger who knows a Message-ID) copies nobody in.
 * Added to out. */
void ticket_participants(struct desk *d, const struct agents *ag, const struct ticket *t,
    int archived, struct addrs *out);

/* What a message claims about where answers go: a Reply-To address, or a
 * Sender address, that is not the customer's.  Each is passed to cb with
 * the field's name; never followed, only shown.  The number found. */
int reply_claims(struct msg *m, const char *customer,
    void (*cb)(void *ctx, const char *field, const char *addr), void *ctx);

#endif
