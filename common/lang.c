/* lang.c: language detection with libexttextcat's fingerprints.
 *
 * textcat_Init wants a configuration file naming every model; the
 * fingerprint API is used directly instead, with only the models of the
 * languages mdesk tells apart, so that loading costs a few milliseconds.
 * Scripts that settle the question alone (Han) are decided first. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <fingerprint.h>
#include <textcat.h>

#include "lang.h"
#include "util.h"

static const char *const langs[] = { "en", "pt", "es", "fr", "de", "it", "nl", "pl", "tr",
	"ru", "uk", "fa", "ar", "zh-Hans" };
#define NLANG (sizeof langs / sizeof langs[0])
#define NGRAMS 400
/* the first 1.5 KB of the customer's words: plenty for a fingerprint,
 * whose cost grows with the text */
#define MAXTEXT 1536

static void *models[NLANG];
static int loaded;		/* 0 not yet, 1 ok, -1 no models */

static void load(void)
{
	const char *dir = getenv("MDESK_TEXTCAT_DIR");
	if (!dir || !*dir)
		dir = "/usr/share/libexttextcat";
	loaded = -1;
	for (size_t i = 0; i < NLANG; i++) {
		char path[4096];
		snprintf(path, sizeof path, "%s/%s.lm", dir, langs[i]);
		models[i] = fp_Init(langs[i]);
		if (!models[i])
			continue;
		fp_SetProperty(models[i], TCPROP_UTF8AWARE, 1);
		if (fp_Read(models[i], path, NGRAMS) == 0) {
			fp_Done(models[i]);
			models[i] = NULL;
			continue;
		}
		loaded = 1;
	}
}

void lang_done(void)
{
	for (size_t i = 0; i < NLANG; i++)
		if (models[i]) {
			fp_Done(models[i]);
			models[i] = NULL;
		}
	loaded = 0;
}

/* The code point at p (valid UTF-8 assumed by the caller's cleaning). */
static unsigned cp_at(const unsigned char *p, size_t n, size_t *adv)
{
	if (p[0] < 0x80 || n < 2) {
		*adv = 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) {
		*adv = 2;
		return ((p[0] & 0x1fu) << 6) | (p[1] & 0x3fu);
	}
	if ((p[0] & 0xf0) == 0xe0 && n >= 3) {
		*adv = 3;
		return ((p[0] & 0x0fu) << 12) | ((p[1] & 0x3fu) << 6) | (p[2] & 0x3fu);
	}
	if (n >= 4) {
		*adv = 4;
		return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3fu) << 12) | ((p[2] & 0x3fu) << 6) |
		    (p[3] & 0x3fu);
	}
	*adv = 1;
	return 0xfffd;
}

const char *lang_detect(const char *text, size_t len)
{
	/* the customer's own words: no quotes, no signature */
	struct buf b = { 0 };
	const char *p = text, *end = text + len;
	while (p < end && b.len < MAXTEXT) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t n = (size_t)(le - p);
		if ((n == 3 && !memcmp(p, "-- ", 3)) || (n == 4 && !memcmp(p, "-- \r", 4)))
			break;
		if (n && *p != '>') {
			buf_add(&b, p, n);
			buf_addc(&b, ' ');
		}
		p = nl ? nl + 1 : end;
	}
	if (b.len > MAXTEXT)
		b.len = MAXTEXT;
	char *clean = utf8_clean(b.p ? b.p : "", b.len, 1);
	buf_free(&b);
	size_t cl = strlen(clean);
	/* count letters per script */
	size_t letters = 0, han = 0, kana = 0;
	for (size_t i = 0; i < cl;) {
		size_t adv;
		unsigned c = cp_at((const unsigned char *)clean + i, cl - i, &adv);
		i += adv;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0xc0)
			letters++;
		if (c >= 0x4e00 && c <= 0x9fff)
			han++;
		if (c >= 0x3040 && c <= 0x30ff)
			kana++;
	}
	const char *best = NULL;
	if (han >= 4 && han * 2 >= letters && !kana)
		best = "zh";
	else if (letters >= 12) {
		if (!loaded)
			load();
		if (loaded > 0) {
			void *u = fp_Init("text");
			fp_SetProperty(u, TCPROP_UTF8AWARE, 1);
			fp_SetProperty(u, TCPROP_MINIMUM_DOCUMENT_SIZE, 1);
			if (u && fp_Create(u, clean, (unsigned)cl, NGRAMS)) {
				long sc[NLANG], s1 = -1;
				size_t bi = 0, close = 0;
				/* as textcat does: a model stops counting once it is
				 * more than 3% behind the best so far, since it can
				 * be neither the best nor close to it (fp_Compare
				 * then answers above the cutoff) */
				int cut = 1 << 30;
				for (size_t i = 0; i < NLANG; i++) {
					sc[i] = models[i] ? fp_Compare(models[i], u, cut) : -1;
					if (sc[i] > cut)
						sc[i] = LONG_MAX / 200;
					if (sc[i] >= 0 && (s1 < 0 || sc[i] < s1)) {
						s1 = sc[i];
						bi = i;
						cut = (int)(s1 * 103 / 100);
					}
				}
				/* textcat's rule: the models within 3% of the best are
				 * candidates; more than four of them is no answer */
				for (size_t i = 0; i < NLANG; i++)
					close += sc[i] >= 0 && sc[i] * 100 <= s1 * 103;
				if (s1 >= 0 && close <= 4)
					best = !strcmp(langs[bi], "zh-Hans") ? "zh" : langs[bi];
			}
			if (u)
				fp_Done(u);
		}
	}
	free(clean);
	return best;
}
