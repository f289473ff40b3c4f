/* msg.h: a message's header block.
 *
 * msg_open indexes the fields every tool reads (Message-ID, References,
 * Date, From, Subject, ...) in one pass over the block; any other field is
 * looked up through a Mailutils header object (mu_header_create) made on
 * first demand.  Decoding uses Mailutils: RFC 2047 (mu_rfc2047_decode),
 * addresses (mu_address_*, with a fast path for the plain forms) and
 * dates (see date.h).  Strings stay valid until msg_close; the decoded
 * ones (msg_text, msg_addr) are valid UTF-8 without control characters. */
#ifndef MDESK_MSG_H
#define MDESK_MSG_H
#include <stddef.h>
#include <stdint.h>
#include "util.h"

#define MSG_KNOWN 18

struct msg {
	void *hdr;		/* mu_header_t, NULL when unparseable */
	struct arena ar;	/* strings handed out */
	int bad;		/* the header block could not be parsed */
	const char *known[MSG_KNOWN];	/* first value of common fields */
	unsigned char nknown[MSG_KNOWN];	/* how many times each occurs */
	const char *text;	/* the header block (private copy) */
	size_t len;
};

/* Parse a header block.  m must be zeroed before its first use; it can be
 * reused (msg_close keeps its memory for the next message, msg_free
 * releases it).  Returns -1 when the block is not a header. */
int msg_open(struct msg *m, const char *header, size_t len);
void msg_close(struct msg *m);
void msg_free(struct msg *m);

/* The unfolded raw value of the first (n = 1) or last (n = -1) field
 * called name, CR/LF removed; NULL if absent. Not decoded, not cleaned. */
const char *msg_raw(struct msg *m, const char *name, int n);
/* The value with RFC 2047 words decoded to UTF-8 and made clean. */
const char *msg_text(struct msg *m, const char *name);
/* The first mailbox of an address field: address lower-cased (NULL when
 * absent or unparseable), display name decoded (NULL when none). */
int msg_addr(struct msg *m, const char *name, const char **addr,
    const char **display);
/* Every address of the fields (comma-separated names), lower-cased,
 * each passed to cb. */
void msg_addrs(struct msg *m, const char *names,
    void (*cb)(void *ctx, const char *addr, const char *display), void *ctx);
/* The first name in a display name, for a greeting, into out (n bytes;
 * "" when there is none to tell: then the template's fallback greets):
 * "Schmidt, Anna" and "Anna Schmidt" give "Anna"; titles go ("Dr. Anna
 * Schmidt", "Herr Dr. Klaus Becker"); a Chinese, Japanese or Korean name
 * is kept whole ("田中 太郎"); Arabic and Hebrew names give their first
 * word in reading order ("عبد الله" whole); an address, an initial
 * ("J. Smith") or a title alone ("Dr. Schmidt") give "".  Quotes and the
 * punctuation around the name go, so a template's "Hello NAME," never
 * doubles a comma; an all-capital Latin name is written "Anna". */
void msg_first_name(const char *display, char *out, size_t n);
/* Date header as seconds since the epoch; -1 if none or unparseable. */
int msg_date(struct msg *m, long long *t);

/* Decode RFC 2047 words of s to clean UTF-8 (malloc'd). */
char *rfc2047_text(const char *s);

/* The stable id of a message that has no Message-ID:
 * "mdesk-<16 hex>@hash.invalid" from a hash of its bytes, its X-Mdesk-*
 * fields left out (so the id survives mthread and mroute stamping it).
 * Feed the header, then the body (un-escaped), then finish. */
uint64_t msg_hash_header(uint64_t h, const char *hdr, size_t len);
void msg_hash_id(uint64_t h, char out[64]);

/* Length of the header block of a raw message, its empty line (LF or
 * CRLF) included; len when there is no empty line. */
size_t msg_header_len(const char *raw, size_t len);
/* Mailutils refuses a header with a line that is no field ("Name: value")
 * and leaks what it read: a copy where the body begins at the first such
 * line (a blank line put before it), or NULL when the header is sound. */
char *msg_sound_header(const char *raw, size_t len, size_t *outlen);
/* What to hand to Mailutils: LF line ends (it leaks on CRLF headers) and a
 * sound header; NULL when raw is fine as it is. */
char *msg_for_mailutils(const char *raw, size_t len, size_t *outlen);

/* The threading view of a message. */
struct msg_ids {
	char mid[996];		/* Message-ID, no brackets; "" when none */
	char irt[996];		/* a clean single-id In-Reply-To, or the id after
				 * the words of an exmh/MH one, else "" */
	char irt_any[996];	/* last valid id of In-Reply-To, else "" */
	const char **refs;	/* valid References ids, in order, no self */
	size_t nrefs;
	/* Outlook's Thread-Index: its first 22 bytes (the conversation's first
	 * mail) as an id "<44 hex>@thread-index.invalid", else ""; ti_reply
	 * when 5-byte blocks follow them (a reply) */
	char ti[80];
	int ti_reply;
};
/* Fill ids from the header (refs live in m's arena). */
void msg_ids(struct msg *m, struct msg_ids *ids);
/* The ids a message is linked by, in the order its parent (mthread) or
 * ticket (mroute) is looked for: the In-Reply-To it names, the
 * References from the deepest, the last id of In-Reply-To; when there is
 * none of those, the Thread-Index id of a reply.  In-Reply-To ids once
 * (a References id named twice is listed twice); at most max into out
 * (pointers into ids).  Returns how many; time linear in the ids. */
size_t msg_links(const struct msg_ids *ids, const char **out, size_t max);
/* Is the message written by a program (RFC 3834: Auto-Submitted other than
 * no; Precedence bulk, junk or list; List-Id and auto-reply fields; a null
 * Return-Path; mailer-daemon, postmaster, no-reply and bounce senders)?
 * from is the sender's address, or NULL. */
int msg_is_automatic(struct msg *m, const char *from);

/* Is every "<...>" of an address list a plain "<local@domain>" or
 * "<local>"?  Mailutils 3.15 leaks in its parser on some others (see
 * msg.c): such values must not reach mu_address_create. */
int msg_angles_ok(const char *v);

#endif
