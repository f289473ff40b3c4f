/* conversation.c: who a ticket's conversation involves; see conversation.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conversation.h"
#include "tickets.h"

const char *desk_queue_of(struct desk *d, const char *addr)
{
	for (size_t i = 0; addr && i < d->conf.n; i++) {
		const struct conf_entry *e = &d->conf.e[i];
		if (!strcmp(e->section, "queue") && !strcmp(e->key, "address") &&
		    !strcasecmp(e->value, addr))
			return e->name;
	}
	return NULL;
}

int desk_own_address(struct desk *d, const struct agents *ag, const char *addr)
{
	if (!addr || desk_queue_of(d, addr))
		return 1;
	for (size_t i = 0; ag && i < ag->n; i++)
		if (!strcasecmp(ag->v[i].email, addr))
			return 1;
	const char *dom = conf_get(&d->conf, "", "", "domain"), *at = strrchr(addr, '@');
	return dom && *dom && at && !strcasecmp(at + 1, dom);
}

struct copied {
	struct desk *d;
	const struct agents *ag;
	struct addrs *out;
};

static void add_copied(void *ctx, const char *addr, const char *name)
{
	struct copied *c = ctx;
	if (!desk_own_address(c->d, c->ag, addr))
		addrs_add(c->out, addr, name);
}

void ticket_participants(struct desk *d, const struct agents *ag, const struct ticket *t,
    int archived, struct addrs *out)
{
	if (t->customer)
		addrs_add(out, t->customer, t->customer_name);
	struct copied c = { d, ag, out };
	struct msg m = { 0 };
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		const char *file = json_string_value(json_object_get(e, "file"));
		if (!ty || strcmp(ty, "received") || !file ||
		    json_is_true(json_object_get(e, "internal")))	/* a third party's */
			continue;
		size_t len;
		char *raw = ticket_read(d, t->id, file, &len, archived);
		if (!raw)
			continue;
		const char *from = NULL, *name = NULL;
		if (msg_open(&m, raw, msg_header_len(raw, len)) == 0) {
			msg_addr(&m, "From", &from, &name);
			if (from && addrs_has(out, from))
				msg_addrs(&m, "To,Cc", add_copied, &c);
		}
		msg_close(&m);
		free(raw);
	}
	msg_free(&m);
}

int reply_claims(struct msg *m, const char *customer,
    void (*cb)(void *ctx, const char *field, const char *addr), void *ctx)
{
	static const char *const fields[] = { "Reply-To", "Sender" };
	int n = 0;
	for (int k = 0; k < 2; k++) {
		const char *a = NULL, *name = NULL;
		if (msg_addr(m, fields[k], &a, &name) == 0 && a &&
		    (!customer || strcasecmp(a, customer))) {
			cb(ctx, fields[k], a);
			n++;
		}
	}
	return n;
}

int ticket_has_tag(const struct ticket *t, const char *tag)
{
	size_t i;
	json_t *v;
	json_array_foreach(t->tags, i, v)
		if (!strcmp(json_string_value(v), tag))
			return 1;
	return 0;
}

int answers_forward(const struct ticket *t, const struct msg_ids *ids)
{
	size_t i;
	json_t *e;
	json_array_foreach(t->events, i, e) {
		const char *ty = json_string_value(json_object_get(e, "type"));
		const char *mid = json_string_value(json_object_get(e, "message_id"));
		if (!ty || strcmp(ty, "forwarded") || !mid)
			continue;
		if (!strcmp(ids->irt, mid) || !strcmp(ids->irt_any, mid))
			return 1;
		for (size_t k = 0; k < ids->nrefs; k++)
			if (!strcmp(ids->refs[k], mid))
				return 1;
	}
	return 0;
}
