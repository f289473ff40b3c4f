/* ticketid.h: short, stable IDs for threads and tickets. */
#ifndef MDESK_TICKETID_H
#define MDESK_TICKETID_H
#include <stddef.h>
#include <stdint.h>

#define TICKETID_LEN 8		/* default length */
#define TICKETID_MAX 12		/* lengthened on collision */

/* The ID of a conversation whose root has Message-ID mid (no brackets):
 * nchars (6..12) characters of Crockford's base32 alphabet
 * (0-9 A-Z without I L O U) from hash64 of the id.  out: 13 bytes. */
void ticketid(const char *mid, size_t len, int nchars, char *out);
void ticketid_from_hash(uint64_t h, int nchars, char *out);
/* Is s a well-formed ID (6-12 characters of [0-9A-Z])? */
int ticketid_valid(const char *s);
/* A ticket ID as people type it: letters in either case.  out (13 bytes)
 * gets the ID in capitals; 0 when that is a well-formed ID, -1 (out "")
 * when not.  Every tool that takes an ID reads it through here. */
int ticketid_norm(const char *in, char *out);

#endif
