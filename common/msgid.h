/* msgid.h: Message-ID parsing (RFC 5322 msg-id, leniently). */
#ifndef MDESK_MSGID_H
#define MDESK_MSGID_H
#include <stddef.h>

#define MSGID_MAX 995		/* longer ids are refused */

/* Call cb for every id in a msg-id list (References, In-Reply-To,
 * Message-ID): "<...>" tokens with RFC 5322 comments skipped and inner
 * whitespace dropped; a value without any '<' is taken as one bare id.
 * Ids must hold an '@', be at most MSGID_MAX bytes of printable ASCII or
 * valid UTF-8, and not be a placeholder (a part before '@' such as null,
 * undefined, none, yes or only zeros: the same id in unrelated mail).  The id handed to cb has no angle brackets and lives only
 * for the call.  Returns the number of ids passed. */
size_t msgid_each(const char *s, size_t n,
    void (*cb)(void *ctx, const char *id, size_t len), void *ctx);

/* A clean single-id value: exactly one "<id>" (no inner whitespace) and
 * nothing else but whitespace.  On success copies the id into out (size
 * MSGID_MAX + 1) and returns its length; 0 otherwise. */
size_t msgid_strict(const char *s, size_t n, char *out);

/* First valid id of a list into out (size MSGID_MAX + 1); 0 if none. */
size_t msgid_first(const char *s, size_t n, char *out);
/* Last valid id of a list into out (size MSGID_MAX + 1); 0 if none.  The
 * parent an In-Reply-To names: exmh and MH write the parent's sender
 * before its id ("Message from A <a@b> of "DATE." <id>"), other mailers
 * the id last. */
size_t msgid_last(const char *s, size_t n, char *out);

/* A message's own Message-ID: like msgid_first, but an id without '@'
 * is accepted (it names this message; as a reference it would not count);
 * a placeholder is not. */
size_t msgid_self(const char *s, size_t n, char *out);

#endif
