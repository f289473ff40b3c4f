/* mbox.h: streaming mbox splitter that works on pipes.
 *
 * Splits at "From " lines that start the input or follow an empty line
 * (LF or CRLF).  Input that does not start with a "From " line is one
 * RFC 5322 message.  Memory is bounded: the header block is kept whole up
 * to MBOX_HEADER_MAX bytes, the body is handed out in chunks and never
 * held whole. */
#ifndef MDESK_MBOX_H
#define MDESK_MBOX_H
#include <stddef.h>
#include "util.h"

#define MBOX_HEADER_MAX (1024 * 1024)

struct mbox_msg {
	const char *from_line;	/* the From_ line as read, with its EOL; NULL if none */
	size_t from_line_len;
	const char *envelope;	/* From_ line after "From ", no EOL; NULL if none */
	size_t envelope_len;
	const char *header;	/* header block incl. the empty line ending it */
	size_t header_len;
	int header_truncated;	/* header longer than MBOX_HEADER_MAX */
	unsigned long long offset;	/* input offset of the From_ line */
};

struct mbox_reader;

struct mbox_reader *mbox_open(int fd);
/* Next message: 1 and *m filled, 0 at end of input, -1 on a read error
 * (errno set).  The header stays valid until mbox_body or mbox_next. */
int mbox_next(struct mbox_reader *r, struct mbox_msg *m);
/* Next chunk of the current message's body (raw, still escaped): 1 with
 * p and n set, 0 at the end of the message, -1 on a read error.  Chunks end
 * at line ends unless a line is longer than the buffer. */
int mbox_body(struct mbox_reader *r, const char **p, size_t *n);
/* Input offset where the current message ends (its separator excluded);
 * valid once mbox_body returned 0 or its last chunk. */
unsigned long long mbox_msg_end(const struct mbox_reader *r);
/* Was the input an mbox (1) or a single message (0)?  Valid after the first
 * mbox_next. */
int mbox_is_mbox(const struct mbox_reader *r);
void mbox_close(struct mbox_reader *r);

/* mboxrd un-escaping of body text: ">From " loses one '>' at line starts.
 * *bol is the line-start state carried between chunks (start with 1). */
void mbox_unescape(struct buf *out, const char *p, size_t n, int *bol);
/* mboxrd escaping for writing: "From " and ">...From " gain one '>'. */
void mbox_escape(struct buf *out, const char *p, size_t n, int *bol);

/* A stored message's origin, for a From_ line or a file's time: its
 * sender's address (From:, only when it is one word of printable ASCII
 * with an '@', else "MAILER-DAEMON"; sender needs 256 bytes) and its Date
 * (else fallback). */
void mbox_origin(const char *raw, size_t len, long long fallback, char *sender,
    long long *when);
/* Append a From_ line to out: "From SENDER DATE\n" (asctime date, UTC);
 * mbox_from_line: that of a stored message, from mbox_origin. */
void mbox_from(struct buf *out, const char *sender, long long when);
void mbox_from_line(struct buf *out, const char *raw, size_t len, long long fallback);

#endif
