/* mime.h: the readable text of a message (Mailutils MIME). */
#ifndef MDESK_MIME_H
#define MDESK_MIME_H
#include <stddef.h>

/* The text a person reads: the first text/plain part that is not an
 * attachment, transfer-decoded and converted to UTF-8; else the first
 * text/html part turned into plain text.  Never NULL (may be "").
 * Bounded: at most 50 levels and 1000 parts are looked at, 8 MB read. */
char *mime_text(const char *raw, size_t len);
/* Every attachment of a message (a part with Content-Disposition
 * attachment, any part that is not text, a text part after the one
 * mime_text reads), in order: its type, its file name (RFC 2231 and
 * RFC 2047 decoded; "" when none) and its bytes, transfer-decoded.
 * Bounded as mime_text is (64 MB copied in all). */
typedef void (*mime_part_fn)(void *ctx, const char *type, const char *name, const char *data,
    size_t len);
void mime_attachments(const char *raw, size_t len, mime_part_fn each, void *ctx);
/* Plain text from HTML: tags dropped, blocks become lines, entities
 * decoded, script and style removed. */
char *html_to_text(const char *html, size_t len);

struct buf;
/* Append len bytes in charset cs (a MIME label of cslen bytes) to out as
 * UTF-8.  Labels are read as mailers mean them: US-ASCII, Latin-1,
 * windows-1252 and unknown labels as UTF-8 when the bytes are valid UTF-8,
 * else as windows-1252; GB2312 and GBK as GB18030, EUC-KR and
 * ks_c_5601-1987 as CP949, Shift_JIS as CP932, Big5 as Big5-HKSCS,
 * ISO-2022-JP as ISO-2022-JP-2.  A byte that does not convert becomes
 * U+FFFD.  The converter of each charset is opened once and kept for the
 * life of the process (at most 48 charsets; others are opened per call). */
void mime_to_utf8(const char *cs, size_t cslen, const char *in, size_t len, struct buf *out);

#endif
