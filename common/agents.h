/* agents.h: agents.csv and customers.csv.
 *
 * agents.csv:    login,name,email,groups,skills,languages,capacity,status,calendar
 * customers.csv: email,name,tier,language,notes
 * RFC 4180 CSV with a header row; lines starting with '#' are comments;
 * list fields (groups, skills, languages) are separated by ';' or spaces. */
#ifndef MDESK_AGENTS_H
#define MDESK_AGENTS_H
#include <stddef.h>

struct agent {
	char *login, *name, *email, *groups, *skills, *languages, *status, *calendar;
	long capacity;		/* -1: no limit */
	int line;
};

struct agents {
	struct agent *v;
	size_t n;
	char *comments;		/* the leading comment block, kept on rewrite */
};

struct customer {
	char *key;		/* an address, or a domain ("@example.com" or "example.com") */
	char *name, *tier, *language, *notes;
	int line;
};

struct customers {
	struct customer *v;
	size_t n;
};

/* Parse; on a fault prints "file:line: problem" lines through report and
 * returns how many faults there were.  report may be NULL (silent). */
int agents_parse(struct agents *a, const char *text, size_t len,
    void (*report)(const char *file, int line, const char *msg));
/* The one way a tool reads agents.csv: text (len bytes; NULL when the desk
 * has no agents.csv: no agents).  Each fault is printed as "prog:
 * agents.csv:LINE: what", then the process exits EX_CONFIG (78): a tool
 * never works with part of the agents. */
void agents_load(struct agents *a, const char *text, size_t len);
void agents_free(struct agents *a);
struct agent *agent_find(struct agents *a, const char *login);
/* Render back to CSV (header, comments kept). */
char *agents_render(const struct agents *a);
int agent_login_valid(const char *s);
int agent_has(const char *list, const char *item);	/* in a ';'/space list */
/* Is a a lead of group g: not inactive, in the group, with the skill
 * "lead"? */
int agent_is_lead(const struct agent *a, const char *g);
/* The first name: the first word of the name. */
void first_name(const char *name, char *out, size_t n);

int customers_parse(struct customers *c, const char *text, size_t len,
    void (*report)(const char *file, int line, const char *msg));
void customers_free(struct customers *c);
/* The record of an address: exact address first, then its domain. */
struct customer *customer_find(struct customers *c, const char *addr);

#endif
