/* compose.h: a desk's outgoing mail: a reply (a template rendered with
 * the ticket's values, the agent's words, a quote, attachments) or a
 * forward to a third party, as one RFC 5322 message, and the record the
 * desk keeps of it.  Who gets it is conversation.h's.  mreply(1) drives
 * it. */
#ifndef MDESK_COMPOSE_H
#define MDESK_COMPOSE_H
#include <jansson.h>
#include "agents.h"
#include "conversation.h"
#include "desk.h"
#include "event.h"
#include "msg.h"
#include "outmsg.h"
#include "template.h"

/* Make the mailers a mailer URL may name (sendmail://, smtp://,
 * smtps://) known to mail_send, once: by the tools that send (it is here,
 * not in outmsg.c, so that only they link Mailutils' mailer library). */
void mail_mailers(void);

/* The message a reply answers. */
struct source {
	char *raw;		/* malloc'd, taken over */
	size_t len;
	struct msg m;
	struct msg_ids ids;
	char mid[1000];		/* its Message-ID, or the stable id of one without */
	long long at;		/* when the desk received it */
	const char *from, *from_name;
};
/* Open raw (an mbox's From_ line is dropped); -1 when it is no message. */
int source_open(struct source *s, char *raw, size_t len);
void source_free(struct source *s);
/* The received event of message mid in t, or with mid NULL the last
 * customer message's (not a third party's answer to a forward, nor one
 * in an agent's name); NULL when none. */
json_t *source_event(const struct ticket *t, const char *mid);
/* The last customer message of t (source_event) opened into s, its "at"
 * set: 0, or -1 when there is none (source_free s either way). */
int source_last(struct desk *d, const struct ticket *t, int archived, struct source *s);

/* A reply being made.  The caller fills the first block; reply_address,
 * reply_render and reply_message fill the rest, in that order (an
 * editor may change rcpt, subject and text between the last two). */
struct reply {
	struct desk *d;
	struct agents *ag;
	struct customers *cu;
	const struct ticket *t;
	int archived;
	struct source *s;
	const struct agent *agent;	/* NULL: the desk (an acknowledgement) */
	const char *rule;	/* a rule of automations.conf sends it (agent NULL):
				 * automatic mail, recorded by rule:NAME */
	int ack;
	const char *tname;	/* the template */
	const char *words;	/* the agent's own words ({{reply.text}}), or NULL */
	int quote;
	int forward;		/* a forward to a third party (forward_render) */
	int edited;		/* the agent's editor had it: 1, 2 with no template */

	struct addrs rcpt[3];	/* To, Cc, Bcc */
	const char *to;		/* the first To address */
	char *cname;		/* the customer's name, or NULL */
	const char *lang, *tz, *queue, *qaddr, *qname, *deskname;
	char tpath[600];
	struct template tp;
	int have_tp;
	const char *values[32];	/* of tpl_placeholders */
	char *subject;
	struct buf text;	/* the body, UTF-8 text */
	struct buf msg;		/* the message */
	char mid[400];		/* its Message-ID */
	char digest[17];	/* of the body: the same answer twice */
	struct buf *fwd;	/* the messages a forward carries */
	size_t nfwd;
};

/* The recipients: To is the customer of record (or to, when the agent
 * names addresses), Cc the other participants (or cc; none with no_cc),
 * Bcc bcc.  A Reply-To or Sender of the message that is not the
 * customer's goes to claim (may be NULL).  Exits EX_DATAERR when there is
 * no address to answer. */
void reply_address(struct reply *r, const struct addrs *to, const struct addrs *cc,
    const struct addrs *bcc, int no_cc,
    void (*claim)(void *ctx, const char *field, const char *addr), void *ctx);
/* The language, the queue, the template and its values; the subject and
 * the body (the template rendered, wrapped, the signature, the quote).
 * Exits EX_CONFIG on a template or desk.conf fault. */
void reply_render(struct reply *r);
/* The file of template name in lang (tpl_pick among the desk's
 * templates/) into out: 0, or -1 when there is none. */
int reply_template(struct desk *d, const char *name, const char *lang, char *out, size_t n);
/* A draft for the agent's editor: To, Cc, Bcc and Subject as header
 * lines, a blank line, the body: the rendered template (with_template)
 * or room for the answer and the signature, then the customer's message
 * quoted.  malloc'd. */
char *reply_draft(struct reply *r, int with_template);
/* The draft as the agent left it: its To, Cc, Bcc (address lists) and
 * Subject replace r's, its body r's text.  0; -1 with err when it cannot
 * be read (a header that is not one of those, no To, a list that does
 * not parse, not UTF-8); 1 when the answer is empty (nothing but blanks
 * before the signature or the quote). */
int reply_from_draft(struct reply *r, const char *draft, char *err, size_t en);
/* The message: the header (threading, the template's Cc and Bcc) and
 * the body, with the files attached (multipart/mixed; each file's MIME
 * type from libmagic, its name per RFC 2231).  Exits EX_NOINPUT when a
 * file cannot be read, EX_DATAERR when the files pass desk.conf's
 * [mail] attach_max. */
void reply_message(struct reply *r, const char *const *files, size_t nfiles);
/* One part of a multipart message, fields and body: a file called name
 * (its MIME type from libmagic, base64; a mail message as message/rfc822
 * when it can go so), or with name NULL a mail message, inline. */
void compose_part(struct buf *out, const char *name, const char *p, size_t n);
/* The record of the reply (outbox.h): the replied event, the template's
 * status, tag and priority changes, the agent's claim, the commit's
 * author and message; force marks what was done over a collision. */
json_t *reply_record(const struct reply *r, int force);
/* The same answer (body) to the same message by the same agent, recorded
 * already: the event, else NULL. */
json_t *reply_sent_before(const struct reply *r);
void reply_free(struct reply *r);

/* A forward to a third party (a carrier, a supplier): the subject
 * "Fwd: subject [#ID]", the agent's words and signature, and the
 * conversation (or its message file number, when not 0) as
 * message/rfc822 parts, internal messages never among them; the caller
 * sets rcpt (to, cc) and r->to, then calls reply_message. */
void forward_render(struct reply *r, int number);
/* Its record: a "forwarded" event, internal: no reply, no effect on the
 * customer's deadlines; its Message-ID files the answer on the ticket. */
json_t *forward_record(const struct reply *r);

#endif
