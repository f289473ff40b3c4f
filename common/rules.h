/* rules.h: routing.sieve, the desk's Sieve rules (RFC 5228, GNU Mailutils
 * libmu_sieve) with mdesk's actions and tests.
 *
 * Actions: tag "t", priority "p", queue "q", group "g", skill "s",
 * assign "login", noack, spam (and Sieve's own stop).  Tests: language
 * "pt" ..., tier "vip" ..., and body (:contains/:matches/:regex over the
 * decoded text; Mailutils has none).  Header values are matched after
 * RFC 2047 decoding.  A script that needs a program (pipe, "program"
 * extensions) cannot be loaded: only the actions above are known. */
#ifndef MDESK_RULES_H
#define MDESK_RULES_H
#include <stddef.h>

struct rules;

#define RULES_MAX_LIST 32

/* What the rules decided for one message. */
struct rules_out {
	char *tags[RULES_MAX_LIST];
	size_t ntags;
	char *skills[RULES_MAX_LIST];
	size_t nskills;
	char priority[16], queue[64], group[64], assign[40];
	int noack, spam;
	/* the actions that ran, in order: "12: tag \"refund\"" */
	char *fired[64];
	size_t nfired;
};

/* The facts about a message that the tests language and tier need. */
struct rules_ctx {
	const char *lang;	/* "pt-br", or NULL when unknown */
	const char *tier;	/* customers.csv tier, or NULL */
	const char *text;	/* the decoded text, for body */
};

/* Check the names used by the script's constant arguments: return 0 when
 * name is acceptable for action ("priority", "queue", "group", "assign",
 * "tag", "skill"), else fill why. */
typedef int (*rules_check_fn)(void *ctx, const char *action, const char *arg,
    char *why, size_t whylen);

/* Compile a script.  Faults are reported as (file, line, column, text)
 * and counted; on any fault NULL is returned. */
struct rules *rules_compile(const char *text, size_t len, const char *file,
    rules_check_fn check, void *check_ctx,
    void (*report)(const char *file, int line, int col, const char *msg), int *nfaults);

/* Run on one message (raw RFC 5322 bytes).  Returns 0, or -1 when the
 * script failed at run time (out->fired holds the reason). */
int rules_run(struct rules *r, const char *raw, size_t len, const struct rules_ctx *ctx,
    struct rules_out *out);
void rules_out_free(struct rules_out *o);
void rules_free(struct rules *r);

/* The message as the rules see it: unstructured header fields decoded
 * (RFC 2047) and unfolded, address fields left as they are. */
char *rules_decoded_message(const char *raw, size_t len, size_t *outlen);

#endif
