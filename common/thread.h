/* thread.h: conversation threading (JWZ / RFC 5256 REFERENCES).
 *
 * Two passes: thr_add every message, then thr_link.  The result depends
 * only on the set of messages, not on their order: messages are linked in
 * a canonical order (hash of the Message-ID) and children are sorted by
 * (date, hash).
 *
 * Parent of a message, first rule that applies:
 *  1. a clean single-id In-Reply-To, or the id after the words of an
 *     exmh/MH one, naming a message present ("in-reply-to");
 *  2. the deepest References entry present, i.e. the one with the longest
 *     References of its own, the later one on a tie ("references");
 *     without References, the ids of In-Reply-To stand in for them;
 *  3. the last reference that is not present, as a phantom ("phantom");
 *     a phantom hangs under the reference before it, and so on up;
 *  4. none: a root ("root").
 * A link that would close a loop is refused (the next rule is tried):
 * each conversation is a set in a union-find structure, so the test is
 * "is the candidate's conversation rooted at the message itself", in
 * near-constant time.  Then every message joins the conversation of every
 * id it references (notmuch's membership): the other conversation's root
 * hangs under the id referenced ("references").  Phantoms whose only child
 * is a phantom are spliced out.
 * Options join roots afterwards: THR_SUBJECT (same RFC 5256 base subject,
 * "subject") and THR_TOKEN ("[#ID]" of another conversation, "token").
 * Duplicate Message-IDs are one message; later copies are kept aside. */
#ifndef MDESK_THREAD_H
#define MDESK_THREAD_H
#include <stdint.h>
#include "msg.h"
#include "ticketid.h"

#define THR_NONE UINT32_MAX
#define THR_NODATE INT64_MIN

enum thr_why { WHY_ROOT, WHY_IRT, WHY_REFS, WHY_PHANTOM, WHY_SUBJECT,
	WHY_TOKEN, WHY_DUP, WHY_TINDEX };
enum { THR_SUBJECT = 1, THR_TOKEN = 2 };

struct thr_node {
	const char *mid;
	uint64_t hash;
	uint32_t parent, child, next;	/* the tree after thr_link */
	uint32_t uf, ufsize, uroot;	/* union-find (loop refusal) */
	uint32_t dup;			/* next later copy of this id */
	uint32_t index;			/* 1-based input position; 0: phantom */
	uint32_t irt;			/* clean In-Reply-To, or THR_NONE */
	uint32_t refs;			/* into thr.refs: nrefs references, */
	uint16_t nrefs, nextra;		/* then nextra that join only */
	uint8_t why, loop, isdup, reply;
	int64_t date, sortdate, last;
	const char *subject, *from, *name;
};

/* A first mail that carries an Outlook Thread-Index, its first 22 bytes. */
struct thr_ti {
	uint32_t node;
	unsigned char b[22];
};

struct thr {
	struct thr_node *n;
	uint32_t count, cap;
	struct strtab ids;		/* Message-ID -> 1 + its node */
	uint32_t *refs;
	size_t nrefs, refscap;
	struct arena ar;
	struct thr_ti *ti;		/* first mails with a Thread-Index */
	uint32_t nti, capti;
	struct strtab strs;		/* the strings kept: each to itself */
	uint32_t *roots, nroots;	/* after thr_link, sorted */
	char (*tid)[TICKETID_MAX + 1];	/* thread ID per root */
};

struct thr *thr_new(void);
void thr_free(struct thr *t);
/* Add a message; strings are copied.  Returns its node. */
uint32_t thr_add(struct thr *t, const struct msg_ids *ids, uint32_t index,
    int64_t date, const char *subject, const char *from, const char *name);
/* Node of a Message-ID, or THR_NONE. */
uint32_t thr_find(const struct thr *t, const char *mid);
/* Link, prune, join (flags), name and sort.  reverse: newest first. */
void thr_link(struct thr *t, int flags, int reverse);
/* Depth-first walk of the thread rooted at root, children in order; with
 * dups, later copies follow their original (same parent and depth). */
void thr_walk(struct thr *t, uint32_t root, int dups,
    void (*cb)(void *ctx, uint32_t node, uint32_t depth), void *ctx);
const char *thr_why_name(int why);

#endif
