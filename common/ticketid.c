/* ticketid.c: short, stable IDs (see ticketid.h). */
#include "ticketid.h"

#include <string.h>
#include "util.h"

static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void ticketid_from_hash(uint64_t h, int nchars, char *out)
{
	if (nchars < 6)
		nchars = 6;
	if (nchars > TICKETID_MAX)
		nchars = TICKETID_MAX;
	for (int i = 0; i < nchars; i++) {	/* 5 bits each, from the top */
		out[i] = alphabet[(h >> 59) & 31];
		h <<= 5;
	}
	out[nchars] = 0;
}

void ticketid(const char *mid, size_t len, int nchars, char *out)
{
	ticketid_from_hash(hash64(mid, len), nchars, out);
}

int ticketid_valid(const char *s)
{
	size_t n = strlen(s);
	if (n < 6 || n > TICKETID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return 1;
}

int ticketid_norm(const char *in, char *out)
{
	size_t n = strlen(in);
	out[0] = 0;
	if (n < 6 || n > TICKETID_MAX)
		return -1;
	for (size_t i = 0; i <= n; i++)
		out[i] = in[i] >= 'a' && in[i] <= 'z' ? (char)(in[i] - 'a' + 'A') : in[i];
	if (!ticketid_valid(out)) {
		out[0] = 0;
		return -1;
	}
	return 0;
}
