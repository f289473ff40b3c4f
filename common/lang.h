/* lang.h: the language of a text (Compact Language Detector 2, libcld2,
 * and the frequent words of the Latin-script languages).
 *
 * The languages told apart: en pt es fr de it nl pl tr ru uk fa ar zh. */
#ifndef MDESK_LANG_H
#define MDESK_LANG_H
#include <stddef.h>

/* The language code of text (UTF-8), or NULL when the text is too short
 * or in none of those languages.  Only the customer's own words count:
 * quoted lines ("> ") and the attribution line before them, anything after
 * a signature line ("-- ") or the start of a quoted message ("-----Original
 * Message-----", Outlook's rule), and ticket tokens ("[#ID]",
 * "[Ticket#...]") are left out, and so are words that are not prose
 * (URLs, addresses, paths, identifiers with digits, '_' or camelCase, and
 * words in capitals unless most words are); at most the first 1.5 KB
 * count. */
const char *lang_detect(const char *text, size_t len);
/* The same, with the sender's address as a hint: its top-level domain
 * (".es", ".com.br") favours its country's languages (CLD2's tld_hint);
 * from may be NULL. */
const char *lang_detect_hinted(const char *text, size_t len, const char *from);
/* Nothing to free: CLD2's tables are static (kept for its callers). */
void lang_done(void);

#endif
