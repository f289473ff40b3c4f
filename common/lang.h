/* lang.h: the language of a text (libexttextcat n-gram models).
 *
 * The languages told apart: en pt es fr de it nl pl tr ru uk fa ar zh.
 * The models are read from $MDESK_TEXTCAT_DIR, else
 * /usr/share/libexttextcat, on the first call. */
#ifndef MDESK_LANG_H
#define MDESK_LANG_H
#include <stddef.h>

/* The language code of text (UTF-8), or NULL when the text is too short
 * or too unlike every model.  Quoted lines ("> ") and anything after a
 * signature line ("-- ") are left out; at most the first 4 KB count. */
const char *lang_detect(const char *text, size_t len);
/* Free the models (for leak checkers). */
void lang_done(void);

#endif
