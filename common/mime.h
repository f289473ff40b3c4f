/* mime.h: the readable text of a message (Mailutils MIME). */
#ifndef MDESK_MIME_H
#define MDESK_MIME_H
#include <stddef.h>

/* The text a person reads: the first text/plain part that is not an
 * attachment, transfer-decoded and converted to UTF-8; else the first
 * text/html part turned into plain text.  Never NULL (may be "").
 * Bounded: at most 50 levels and 1000 parts are looked at, 8 MB read. */
char *mime_text(const char *raw, size_t len);
/* Plain text from HTML: tags dropped, blocks become lines, entities
 * decoded, script and style removed. */
char *html_to_text(const char *html, size_t len);

#endif
