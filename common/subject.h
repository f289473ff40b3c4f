/* subject.h: RFC 5256 base subject and the desk's [#ID] token. */
#ifndef MDESK_SUBJECT_H
#define MDESK_SUBJECT_H
#include <stddef.h>

/* The base subject of a decoded UTF-8 subject (RFC 5256 §2.1): runs of
 * whitespace become one space; trailing "(fwd)" and leading "[blob]"
 * tags and reply/forward prefixes are removed repeatedly, in English and
 * in the forms other mail clients use (Re, Fw, Fwd, AW, WG, SV, VS, Res,
 * Enc, RV, TR, Antw, Odp, Ref, Rif, Ответ, Отв, Пересл, پاسخ, ...), with
 * counters like "Re[2]:" or "Re(2):"; "[fwd: ...]" wrappers are unwrapped.
 * Returns a malloc'd string; *was_reply (may be NULL) says whether a
 * reply or forward marker was removed. */
char *subject_base(const char *s, int *was_reply);

/* Find a desk token "[#ID]" (ID: 6-12 of [0-9A-Z]).  Copies the last one
 * into out (13 bytes) and returns 1; 0 if none. */
int subject_token(const char *s, char *out);

/* Append s to b without its desk tokens "[#ID]", each run of blanks as
 * one space, none at the start or the end of what is appended. */
struct buf;
void subject_drop_tokens(struct buf *b, const char *s);

/* The subject of the desk's reply to a message of subject s (decoded):
 * "Re: BASE [#id]", where BASE is the base subject without desk tokens,
 * and the tags of another ticket system that the base subject leaves out
 * ("[Ticket#2026112510000017]", "[Case #00123]": a bracketed tag with a
 * digit) are kept, before the desk's token, since the customer's own
 * system threads on them.  malloc'd. */
char *subject_reply(const char *s, const char *id);

#endif
