/* lang.c: language detection with Compact Language Detector 2 (libcld2,
 * through the C++ shim lang_cld2.cc).
 *
 * tests/bench/lang-eval measured it against libexttextcat's n-gram
 * fingerprints on short texts from Debian's message catalogues in the 14
 * languages below: 96.9% against 72.0% right on texts of 10 words, 98.1%
 * against 82.1% on 20 words; 98.7% and 99.5% (TEXTS=400) with the best
 * guess, the prose filter and the weight of Han characters below.  Its answer is the first of its three
 * likeliest languages that mdesk tells apart (Galician taken as Spanish),
 * asked for its best guess on short texts (without it, it says nothing on
 * a third of its misses); text mostly in Han characters without kana is
 * Chinese without asking it (it says nothing on a text of simplified and
 * traditional characters).  Words that are not prose are left out.  CLD2's
 * fuller tables (Debian's libcld2_full) were measured worse (94% on 10
 * words: more languages to confuse) and replace the default ones only by
 * symbol interposition: not used. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lang.h"
#include "util.h"

static const char *const langs[] = { "en", "pt", "es", "fr", "de", "it", "nl", "pl", "tr",
	"ru", "uk", "fa", "ar", "zh" };
#define NLANG (sizeof langs / sizeof langs[0])
/* Languages the desk does not answer in, taken as the one their writers
 * read: on a few lines CLD2 takes Spanish for Galician (a third of its
 * misses on Spanish in tests/bench/lang-eval), and a Galician reads
 * Spanish. */
static const char *const near[][2] = { { "gl", "es" } };
/* the first 1.5 KB of the customer's words: plenty, and the cost grows
 * with the text */
#define MAXTEXT 1536

int lang_cld2_top3(const char *text, int len, const char *tld, const char *codes[3],
    int percent[3]);

void lang_done(void)
{
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

/* Lines that begin a quoted message: everything from there on is not the
 * customer's (Outlook, Lotus Notes, Gmail forwards). */
static int quote_start(const char *p, size_t n)
{
	static const char *const marks[] = { "-----Original Message-----",
		"-----Urspr\xc3\xbcngliche Nachricht-----", "-----Message d'origine-----",
		"-----Mensaje original-----", "-----Messaggio originale-----",
		"---------- Forwarded message", "________________________________" };
	for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
		if (n >= strlen(marks[i]) && !strncasecmp(p, marks[i], strlen(marks[i])))
			return 1;
	return 0;
}

/* The customer's own words: no quoted lines, no attribution line before
 * them ("On ... wrote:"), nothing after a signature line or the start of a
 * quoted message, no ticket tokens ("[#ID]", "[Ticket#...]"). */
static char *own_words(const char *text, size_t len)
{
	struct buf b = { 0 };
	const char *p = text, *end = text + len;
	while (p < end && b.len < MAXTEXT) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end, *next = nl ? nl + 1 : end;
		size_t n = (size_t)(le - p);
		if (n && p[n - 1] == '\r')
			n--;
		if ((n == 3 && !memcmp(p, "-- ", 3)) || quote_start(p, n))
			break;
		/* an attribution: a line ending in ':' before quoted lines */
		const char *q = next;
		while (q < end && (*q == '\n' || *q == '\r'))
			q++;
		int attribution = n && p[n - 1] == ':' && q < end && *q == '>';
		if (n && *p != '>' && !attribution) {
			for (size_t i = 0; i < n; i++) {
				if (p[i] == '[') {	/* a ticket token: a tag with '#' */
					const char *e = memchr(p + i, ']', n - i);
					if (e && e - (p + i) < 40 && memchr(p + i, '#', (size_t)(e - (p + i)))) {
						i = (size_t)(e - p);
						continue;
					}
				}
				buf_addc(&b, p[i]);
			}
			buf_addc(&b, ' ');
		}
		p = next;
	}
	if (b.len > MAXTEXT)
		b.len = MAXTEXT;
	char *clean = utf8_clean(b.p ? b.p : "", b.len, 1);
	buf_free(&b);
	return clean;
}

/* A word that is not prose: a URL, an address, a path, an identifier
 * (digits, '_', camelCase) or, when shouting is not the whole text, a word
 * in capitals ("COPY FROM", "USB"): on a short text the English technical
 * words a customer quotes outweigh their own language.  Words with letters
 * beyond ASCII count as prose (a Chinese sentence is one "word"). */
static int not_prose(const char *w, size_t n, int caps_too)
{
	size_t upper = 0, lower = 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)w[i] >= 0x80)
			return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)w[i];
		if (c == '/' || c == '\\' || c == '@' || c == '_' || (c >= '0' && c <= '9'))
			return 1;
		if (c >= 'A' && c <= 'Z') {
			if (i && w[i - 1] >= 'a' && w[i - 1] <= 'z')
				return 1;	/* camelCase */
			upper++;
		} else if (c >= 'a' && c <= 'z')
			lower++;
	}
	return (n >= 4 && !strncasecmp(w, "www.", 4)) || (caps_too && upper >= 2 && !lower);
}

/* text without the words that are not prose, in place */
static void prose_only(char *text)
{
	size_t words = 0, caps = 0, o = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (char *p = text; *p;) {
			size_t n = strcspn(p, " \t\r\n");
			if (n && pass == 0) {
				words++;
				caps += not_prose(p, n, 1) && !not_prose(p, n, 0);
			} else if (n && !not_prose(p, n, caps * 2 < words)) {
				if (o)
					text[o++] = ' ';
				memmove(text + o, p, n);
				o += n;
			}
			p += n;
			p += *p != 0;
		}
	}
	text[o] = 0;
}

const char *lang_detect(const char *text, size_t len)
{
	return lang_detect_hinted(text, len, NULL);
}

const char *lang_detect_hinted(const char *text, size_t len, const char *from)
{
	char tld[8] = "";
	const char *dot = from ? strrchr(from, '.') : NULL;
	if (dot && !strchr(dot, '@')) {	/* the last label of the address's domain */
		size_t k = 0;
		while (k < sizeof tld - 1 && isalpha((unsigned char)dot[1 + k])) {
			tld[k] = (char)tolower((unsigned char)dot[1 + k]);
			k++;
		}
		if (dot[1 + k])	/* not a plain label: no hint */
			k = 0;
		tld[k] = 0;
	}
	char *clean = own_words(text, len);
	prose_only(clean);
	size_t cl = strlen(clean), letters = 0, han = 0, kana = 0;
	for (size_t i = 0; i < cl;) {
		size_t adv;
		unsigned c = cp_at((const unsigned char *)clean + i, cl - i, &adv);
		i += adv;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0xc0)
			letters++;
		han += (c >= 0x3400 && c <= 0x4dbf) || (c >= 0x4e00 && c <= 0x9fff);
		kana += c >= 0x3040 && c <= 0x30ff;
	}
	const char *best = NULL;
	/* a Han character says as much as a short word: three letters */
	if (letters + 2 * han >= 12 && han * 3 >= letters && !kana)
		best = "zh";	/* Han script without kana: Chinese, in either script */
	else if (letters >= 12) {
		const char *codes[3];
		int pct[3];
		lang_cld2_top3(clean, (int)cl, *tld ? tld : NULL, codes, pct);
		for (int k = 0; k < 3 && !best; k++) {
			if (!codes[k] || pct[k] <= 0)
				continue;
			for (size_t i = 0; i < sizeof near / sizeof *near; i++)
				if (!strcmp(codes[k], near[i][0]))
					codes[k] = near[i][1];
			for (size_t i = 0; i < NLANG && !best; i++)
				if (!strncmp(codes[k], langs[i], strlen(langs[i])) &&
				    (!codes[k][strlen(langs[i])] || codes[k][strlen(langs[i])] == '-'))
					best = langs[i];
		}
	}
	free(clean);
	return best;
}
