/* route.c: [routing] settings, routing.sieve with its names checked, and
 * the choice of an agent (see route.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "event.h"
#include "route.h"
#include "util.h"

/* [routing] key, a duration (dur) or yes or no; def when unset. */
static long long setting(struct desk *d, const char *key, int dur, long long def)
{
	const char *v = conf_get(&d->conf, "routing", "", key);
	long long x = def;
	int b = 0;
	if (v && (dur ? conf_duration(v, &x) : conf_bool(v, &b)) != 0)
		die(EX_CONFIG, "desk.conf: [routing] %s: '%s' is not %s; run 'mdesk check'", key, v,
		    dur ? "a duration" : "yes or no");
	return !v || dur ? x : b;
}

static int strategy_rr(const char *v, const char *where)
{
	if (!v || !strcmp(v, "least-loaded"))
		return 0;
	if (!strcmp(v, "round-robin"))
		return 1;
	die(EX_CONFIG, "desk.conf: %s strategy: '%s' is not least-loaded or round-robin", where, v);
}

void route_conf_load(struct desk *d, struct route_conf *rc)
{
	rc->round_robin = strategy_rr(conf_get(&d->conf, "routing", "", "strategy"), "[routing]");
	rc->sticky = (int)setting(d, "sticky", 0, 1);
	rc->detect = (int)setting(d, "detect_language", 0, 1);
	rc->assign = (int)setting(d, "assign", 0, 1);
	rc->subject_window = setting(d, "subject_window", 1, 2 * 86400);
	rc->reopen_window = setting(d, "reopen_window", 1, 14 * 86400);
}

int route_group_round_robin(struct desk *d, const struct route_conf *rc, const char *group)
{
	const char *v = group ? conf_get(&d->conf, "group", group, "strategy") : NULL;
	return v ? strategy_rr(v, "[group]") : rc->round_robin;
}

const char *route_queue_group(struct desk *d, const char *queue)
{
	return conf_or(&d->conf, "queue", queue, "group", queue);
}

const char *route_queue_priority(struct desk *d, const char *queue)
{
	const char *p = conf_get(&d->conf, "queue", queue, "priority");
	return p && priority_valid(p) ? p : "normal";
}

/* --- routing.sieve ------------------------------------------------ */

struct chk {
	struct desk *d;
	struct agents *ag;
};

int route_queue_known(struct desk *d, const char *q)
{
	for (size_t i = 0; i < d->conf.nsecs; i++)
		if (!strcmp(d->conf.secs[i].section, "queue") && !strcmp(d->conf.secs[i].name, q))
			return 1;
	return 0;
}

static int has_group(struct chk *c, const char *g)
{
	for (size_t i = 0; c->ag && i < c->ag->n; i++)
		if (agent_has(c->ag->v[i].groups, g))
			return 1;
	for (size_t i = 0; i < c->d->conf.nsecs; i++)
		if (!strcmp(c->d->conf.secs[i].section, "queue") &&
		    !strcmp(route_queue_group(c->d, c->d->conf.secs[i].name), g))
			return 1;
	return 0;
}

static int check_name(void *ctx, const char *action, const char *arg, char *why, size_t n)
{
	struct chk *c = ctx;
	if (!strcmp(action, "priority") && !priority_valid(arg))
		snprintf(why, n, "not one of " PRIORITY_LIST);
	else if (!strcmp(action, "tag") && !tag_valid(arg))
		snprintf(why, n, "a tag is 1-64 of a-z 0-9 - _ . :");
	else if (!strcmp(action, "queue") && !route_queue_known(c->d, arg))
		snprintf(why, n, "no [queue %.60s] in desk.conf", arg);
	else if (!strcmp(action, "group") && !has_group(c, arg))
		snprintf(why, n, "no agent in agents.csv and no queue of desk.conf has this group");
	else if (!strcmp(action, "assign") && (!c->ag || !agent_find(c->ag, arg)))
		snprintf(why, n, "no such agent in agents.csv");
	else if (!strcmp(action, "skill") && (!*arg || strpbrk(arg, "; ,")))
		snprintf(why, n, "a skill is one word");
	else
		return 0;
	return 1;
}

struct rules *route_rules_load(struct desk *d, struct agents *ag,
    void (*report)(const char *file, int line, int col, const char *msg), int *nfaults)
{
	size_t len;
	*nfaults = 0;
	char *t = desk_read_file(d, "routing.sieve", &len);
	if (!t)
		return NULL;
	struct chk c = { d, ag };
	struct rules *r = rules_compile(t, len, "routing.sieve", check_name, &c, report, nfaults);
	free(t);
	return r;
}

/* --- assignment --------------------------------------------------- */

int route_lang_ok(const char *list, const char *lang)
{
	if (!lang || !*lang)
		return 1;
	size_t pl = strcspn(lang, "-_");
	const char *p = list;
	while (p && *p) {
		while (*p == ';' || *p == ' ' || *p == ',')
			p++;
		size_t wl = strcspn(p, "; ,");
		if (!wl)
			break;
		size_t wpl = strcspn(p, "-_");
		/* the primary subtags agree */
		if ((wpl < wl ? wpl : wl) == pl && !strncasecmp(p, lang, pl))
			return 1;
		p += wl;
	}
	return 0;
}

int route_assign(struct route_cand *v, size_t n, const struct route_need *need,
    const char **why)
{
	*why = NULL;
	if (need->forced) {
		for (size_t i = 0; i < n; i++)
			if (!strcmp(v[i].a->login, need->forced)) {
				if (!strcmp(v[i].a->status, "inactive")) {
					snprintf(v[i].why, sizeof v[i].why, "named by assign, but inactive");
					break;
				}
				snprintf(v[i].why, sizeof v[i].why, "named by assign in routing.sieve");
				v[i].eligible = 1;
				return (int)i;
			}
	}
	/* everything but the language */
	size_t nel = 0, nlang = 0;
	for (size_t i = 0; i < n; i++) {
		struct route_cand *c = &v[i];
		const struct agent *a = c->a;
		c->eligible = 0;
		if (strcmp(a->status, "active"))
			snprintf(c->why, sizeof c->why, "%s", a->status);
		else if (c->cal && !calendar_is_open(c->cal, need->now))
			snprintf(c->why, sizeof c->why, "off shift (calendar %s)", c->cal->name);
		else if (need->group && !agent_has(a->groups, need->group))
			snprintf(c->why, sizeof c->why, "not in group %s", need->group);
		else if (a->capacity >= 0 && c->load >= a->capacity)
			snprintf(c->why, sizeof c->why, "at capacity (%ld of %ld)", c->load, a->capacity);
		else {
			size_t k;
			for (k = 0; k < need->nskills; k++)
				if (!agent_has(a->skills, need->skills[k]))
					break;
			if (k < need->nskills)
				snprintf(c->why, sizeof c->why, "lacks skill %s", need->skills[k]);
			else {
				c->eligible = 1;
				nel++;
				if (route_lang_ok(a->languages, need->lang))
					nlang++;
			}
		}
	}
	/* the language narrows the choice when someone eligible writes it */
	if (need->lang && nlang && nlang < nel)
		for (size_t i = 0; i < n; i++)
			if (v[i].eligible && !route_lang_ok(v[i].a->languages, need->lang)) {
				v[i].eligible = 0;
				snprintf(v[i].why, sizeof v[i].why, "does not write %s", need->lang);
			}
	int best = -1, sticky = 0;
	for (size_t i = 0; i < n && !sticky; i++) {
		const struct route_cand *c = &v[i], *b = best < 0 ? NULL : &v[best];
		if (!c->eligible)
			continue;
		snprintf(v[i].why, sizeof v[i].why, "eligible (load %ld)", c->load);
		sticky = need->sticky && !strcmp(c->a->login, need->sticky);
		if (sticky || !b || (need->round_robin ? c->last < b->last :
		    c->load < b->load || (c->load == b->load && c->last < b->last)))
			best = (int)i;
	}
	if (best >= 0) {
		snprintf(v[best].why, sizeof v[best].why, "chosen: %s, load %ld",
		    sticky ? "the customer's last agent" : need->round_robin ? "round-robin" :
		    "least-loaded", v[best].load);
		return best;
	}
	*why = n == 0 ? "no agents in agents.csv" : "no eligible agent";
	return -1;
}
