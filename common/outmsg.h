/* outmsg.h: outgoing mail, RFC 5322 and MIME, built by hand.
 *
 * Header values are UTF-8; they are written as RFC 2047 encoded words
 * (UTF-8, Q) where they are not plain ASCII, folded below 78 columns.
 * The body is UTF-8 text in quoted-printable.  No value can bring a line
 * break into a header: control characters become spaces. */
#ifndef MDESK_OUTMSG_H
#define MDESK_OUTMSG_H
#include <stddef.h>
#include "util.h"

/* "Name: value\n", unstructured text (Subject, Thread-Topic). */
void hdr_text(struct buf *b, const char *name, const char *value);
/* "Name: display <addr>\n"; display may be NULL or "".  -1 (nothing
 * written) when addr is not a plain address. */
int hdr_addr(struct buf *b, const char *name, const char *display, const char *addr);
/* An address list (as a user writes it: "A <a@x>, b@y"), parsed by
 * Mailutils and written again; -1 when it does not parse. */
int hdr_addrlist(struct buf *b, const char *name, const char *list);
/* A list of addresses, each once (compared without case), in order. */
struct addrs {
	size_t n, cap;
	char **addr, **name;	/* name[i] may be NULL */
};
/* Add addr (ignored when it is not plain or is there already). */
void addrs_add(struct addrs *l, const char *addr, const char *name);
int addrs_has(const struct addrs *l, const char *addr);
/* Add the addresses of a list as a user writes it ("A <a@x>, b@y"),
 * parsed by Mailutils: 0, or -1 when it does not parse or holds an
 * address that is not plain. */
int addrs_parse(struct addrs *l, const char *list);
void addrs_free(struct addrs *l);
/* "Name: a, b\n", folded; nothing when l is empty. */
void hdr_addrs(struct buf *b, const char *name, const struct addrs *l);
/* Is addr a plain address (local@domain, printable ASCII, no blanks)? */
int addr_plain(const char *addr);

/* Quoted-printable of UTF-8 text with LF line ends (RFC 2045 §6.7):
 * lines of at most 76 characters, blanks at line ends encoded, "From "
 * and a lone "." at a line start encoded.  malloc'd. */
char *qp_encode(const char *text, size_t len);

/* "field;\n filename=..." and LF: a file's name in a Content-Disposition
 * field, quoted when plain ASCII, else per RFC 2231 (UTF-8,
 * percent-encoded, in continuations when long). */
void hdr_filename(struct buf *b, const char *field, const char *name);

/* A new Message-ID (no brackets) under domain: date, time and 64 random
 * bits.  With $MDESK_MSGID_SEED set (for tests) the bits come from the
 * seed and a counter instead, so output is reproducible. */
void msgid_new(char *out, size_t n, const char *domain, long long now);

/* References of a reply: the parent's references and the parent's id,
 * trimmed to at most max ids (the first one and the newest ones are
 * kept) and 900 bytes.  Writes the folded "References:" field; nothing
 * when there are no ids. */
void hdr_references(struct buf *b, const char *const *refs, size_t nrefs,
    const char *parent, size_t max);

/* Outlook's Thread-Index of a reply to a message whose Thread-Index is
 * parent (base64): the parent's bytes and a 5-byte child block for the
 * time since the thread began.  0, or -1 when parent is not one. */
int thread_index_reply(const char *parent, long long now, char *out, size_t n);

/* Hand a message to the mailer at url (a GNU Mailutils mailer URL, such
 * as sendmail:///usr/sbin/sendmail or smtp://host:25): 0 once it accepted
 * it, else -1 and why in err. */
int mail_send(const char *url, const char *raw, size_t len, char *err, size_t errlen);

/* RFC 5322 date "Tue, 03 Nov 2026 13:05:00 +0000" (UTC). */
void rfc5322_date(long long t, char *out, size_t n);

/* A mail to agents about ticket t (a mention, a wake, a reminder, an
 * automation's): From from_name <from_addr>, To every address of to,
 * Subject "[ID] what: subject", Auto-Submitted, X-Mdesk-Ticket; the body
 * intro, then text when not NULL, then the ticket's summary.  Nothing of
 * the customer's but their name, address and subject. */
struct ticket;
void mail_about_ticket(struct buf *m, const struct ticket *t, long long now, const char *from_name,
    const char *from_addr, const struct addrs *to, const char *what, const char *intro,
    const char *text);

#endif
