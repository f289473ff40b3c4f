// lang_cld2.cc: the C face of Compact Language Detector 2 (libcld2, C++),
// for common/lang.c.
#include <cstdio>	// the header needs FILE
#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

extern "C" int lang_cld2_top3(const char *text, int len, const char *tld, const char *codes[3],
    int percent[3]);

// The three likeliest languages of text (valid UTF-8), as CLD2's codes
// ("en", "zh", "zh-Hant", ...), with the percent of the text each
// covers; the number of them that are known.  On a short text CLD2 gives
// its best guess rather than none (kCLDFlagBestEffort).  tld, when not
// NULL, is the top-level domain the text came from ("es", "br"): a hint
// that favours its country's languages.
int lang_cld2_top3(const char *text, int len, const char *tld, const char *codes[3], int percent[3])
{
	CLD2::Language l3[3];
	int bytes = 0, n = 0;
	bool reliable = false;
	double score[3];
	CLD2::CLDHints hints = { nullptr, tld, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE };
	CLD2::ExtDetectLanguageSummary(text, len, true, &hints, CLD2::kCLDFlagBestEffort, l3, percent,
	    score, nullptr, &bytes, &reliable);
	for (int i = 0; i < 3; i++) {
		codes[i] = l3[i] == CLD2::UNKNOWN_LANGUAGE ? nullptr : CLD2::LanguageCode(l3[i]);
		n += codes[i] != nullptr;
	}
	return n;
}
