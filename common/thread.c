/* thread.c: conversation threading (see thread.h). */
#include "thread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "subject.h"

#define REFS_KEEP 512		/* the deepest (last) references kept */

struct thr *thr_new(void)
{
	return xcalloc(1, sizeof(struct thr));
}

void thr_free(struct thr *t)
{
	if (!t)
		return;
	free(t->n);
	strtab_free(&t->ids);
	free(t->ti);
	strtab_free(&t->strs);
	free(t->refs);
	free(t->roots);
	free(t->tid);
	arena_free(&t->ar);
	free(t);
}

static uint32_t new_node(struct thr *t, const char *mid, size_t len, uint64_t h)
{
	if (t->count == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 1024;
		t->n = xrealloc(t->n, t->cap * sizeof *t->n);
	}
	uint32_t i = t->count++;
	struct thr_node *n = &t->n[i];
	memset(n, 0, sizeof *n);
	n->mid = mid ? arena_strndup(&t->ar, mid, len) : NULL;
	n->hash = h;
	n->parent = n->child = n->next = n->dup = n->irt = THR_NONE;
	n->uf = n->uroot = i;
	n->ufsize = 1;
	n->date = n->sortdate = n->last = THR_NODATE;
	return i;
}

/* The node of id, created (as a phantom) when new. */
static uint32_t intern(struct thr *t, const char *id)
{
	size_t k = strtab_get(&t->ids, id);
	if (k)
		return (uint32_t)(k - 1);
	size_t len = strlen(id);
	uint32_t n = new_node(t, id, len, hash64(id, len));
	strtab_put(&t->ids, t->n[n].mid, (size_t)n + 1);
	return n;
}

uint32_t thr_find(const struct thr *t, const char *mid)
{
	size_t k = strtab_get(&t->ids, mid);
	return k ? (uint32_t)(k - 1) : THR_NONE;
}

/* A copy of s, one per distinct string: senders, names and subjects
 * repeat across a mailbox. */
static const char *keep(struct thr *t, const char *s)
{
	if (!s || !*s)
		return NULL;
	const char *k = (const char *)strtab_get(&t->strs, s);
	if (!k) {
		k = arena_strndup(&t->ar, s, strlen(s));
		strtab_put(&t->strs, k, (size_t)k);
	}
	return k;
}

/* A first mail's Thread-Index id ("<44 hex>@thread-index.invalid"): its
 * 22 bytes kept with the node, not a node of its own until a reply needs
 * it (a node and its id cost ten times as much). */
static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0;
}

static void ti_owner(struct thr *t, uint32_t k, const char *ti)
{
	if (t->nti == t->capti) {
		t->capti = t->capti ? 2 * t->capti : 1024;
		t->ti = xrealloc(t->ti, t->capti * sizeof *t->ti);
	}
	struct thr_ti *o = &t->ti[t->nti++];
	o->node = k;
	for (int i = 0; i < 22; i++)
		o->b[i] = (unsigned char)(hexval(ti[2 * i]) << 4 | hexval(ti[2 * i + 1]));
}

/* Append the node of id to the references of node k (not k itself). */
static void add_ref(struct thr *t, uint32_t k, const char *id, uint32_t *nr)
{
	uint32_t x = intern(t, id);
	if (x != k)
		t->refs[t->nrefs + (*nr)++] = x;
}

static int in_refs(const struct msg_ids *ids, const char *id)
{
	for (size_t i = 0; i < ids->nrefs; i++)
		if (!strcmp(ids->refs[i], id))
			return 1;
	return 0;
}

uint32_t thr_add(struct thr *t, const struct msg_ids *ids, uint32_t index,
    int64_t date, const char *subject, const char *from, const char *name)
{
	uint32_t k = intern(t, ids->mid), i = k;
	if (t->n[k].index) {		/* a later copy of a known id */
		i = new_node(t, NULL, 0, t->n[k].hash);
		t->n[i].mid = t->n[k].mid;
		t->n[i].isdup = 1;
		t->n[i].why = WHY_DUP;
		uint32_t *p = &t->n[k].dup;
		while (*p != THR_NONE)
			p = &t->n[*p].dup;
		*p = i;
		t->n[i].index = index;
		t->n[i].date = date;
		t->n[i].subject = keep(t, subject);
		t->n[i].from = keep(t, from);
		t->n[i].name = keep(t, name);
		return i;
	}
	/* references: the last REFS_KEEP; without References, the other links
	 * (msg_links: In-Reply-To, or a reply's Thread-Index) stand in */
	size_t first = ids->nrefs > REFS_KEEP ? ids->nrefs - REFS_KEEP : 0;
	size_t want = ids->nrefs - first + 4;
	if (t->nrefs + want > t->refscap) {
		while (t->nrefs + want > t->refscap)
			t->refscap = t->refscap ? t->refscap * 2 : 4096;
		t->refs = xrealloc(t->refs, t->refscap * sizeof *t->refs);
	}
	uint32_t off = (uint32_t)t->nrefs, nr = 0, nx = 0;
	const char *lk[4];
	size_t nl = ids->nrefs ? 0 : msg_links(ids, lk, 4);
	for (size_t r = first; r < ids->nrefs; r++)
		add_ref(t, k, ids->refs[r], &nr);
	for (size_t r = nl; r-- > 0;)
		add_ref(t, k, lk[r], &nr);
	nx = nr;
	/* links that join, not parent: an In-Reply-To that References leave
	 * out (a gateway rewrote one of them); the Thread-Index of a first mail */
	if (ids->nrefs && ids->irt_any[0] && strcmp(ids->irt_any, ids->irt) &&
	    !in_refs(ids, ids->irt_any))
		add_ref(t, k, ids->irt_any, &nx);
	if (ids->ti[0] && !ids->ti_reply)	/* kept aside: most get no reply */
		ti_owner(t, k, ids->ti);
	nx -= nr;
	uint32_t irt = ids->irt[0] ? intern(t, ids->irt) : THR_NONE;
	struct thr_node *n = &t->n[k];	/* after the interning above */
	n->refs = off;
	n->nrefs = (uint16_t)nr;
	n->nextra = (uint16_t)nx;
	t->nrefs += nr + nx;
	n->irt = irt == k ? THR_NONE : irt;
	n->index = index;
	n->date = date;
	n->subject = keep(t, subject);
	n->from = keep(t, from);
	n->name = keep(t, name);
	return k;
}

static int64_t key_date(int64_t d)
{
	return d == THR_NODATE ? INT64_MAX : d;
}

/* --- union-find: one set per conversation, uroot its real root --- */

static uint32_t uf_find(struct thr *t, uint32_t x)
{
	while (t->n[x].uf != x) {
		t->n[x].uf = t->n[t->n[x].uf].uf;	/* path halving */
		x = t->n[x].uf;
	}
	return x;
}

/* Hang root c under p; refused (0) when p's conversation is rooted at c. */
static int attach(struct thr *t, uint32_t c, uint32_t p, int why)
{
	uint32_t rc = uf_find(t, c), rp = uf_find(t, p);
	if (c == p || t->n[rp].uroot == c || t->n[c].parent != THR_NONE)
		return 0;
	uint32_t top = t->n[rp].uroot;
	if (t->n[rc].ufsize > t->n[rp].ufsize) {
		t->n[rp].uf = rc;
		t->n[rc].ufsize += t->n[rp].ufsize;
		t->n[rc].uroot = top;
	} else {
		t->n[rc].uf = rp;
		t->n[rp].ufsize += t->n[rc].ufsize;
	}
	t->n[c].parent = p;
	t->n[c].next = t->n[p].child;
	t->n[p].child = c;
	t->n[c].why = (uint8_t)why;
	return 1;
}

static int present(const struct thr *t, uint32_t x)
{
	return t->n[x].index != 0;
}

struct cand {
	uint32_t node, depth, pos;
};

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth > y->depth ? -1 : 1;
	return x->pos > y->pos ? -1 : x->pos < y->pos;
}

static void link_one(struct thr *t, uint32_t m, struct cand *cv)
{
	struct thr_node *n = &t->n[m];
	const uint32_t *refs = t->refs + n->refs;

	if (n->irt != THR_NONE && present(t, n->irt)) {
		if (attach(t, m, n->irt, WHY_IRT))
			return;
		t->n[m].loop = 1;
	}
	size_t nc = 0;
	for (uint32_t i = 0; i < n->nrefs; i++)
		if (present(t, refs[i]))
			cv[nc++] = (struct cand){ refs[i], t->n[refs[i]].nrefs, i };
	qsort(cv, nc, sizeof *cv, cand_cmp);
	for (size_t i = 0; i < nc; i++) {
		if (attach(t, m, cv[i].node, WHY_REFS))
			return;
		t->n[m].loop = 1;
	}
	for (uint32_t i = n->nrefs; i-- > 0;) {
		if (present(t, refs[i]))
			continue;
		if (!attach(t, m, refs[i], WHY_PHANTOM)) {
			t->n[m].loop = 1;
			continue;
		}
		/* the phantom hangs under the reference before it, and up */
		for (uint32_t c = refs[i], j = i; j-- > 0;) {
			if (!attach(t, c, refs[j], WHY_PHANTOM))
				break;
			if (present(t, refs[j]))
				break;
			c = refs[j];
		}
		return;
	}
	t->n[m].why = WHY_ROOT;
}

/* Membership: a message belongs to the conversation of every id it
 * refers to (References and In-Reply-To), as notmuch decides it, even
 * where the tree above gave it one parent only: a reply whose In-Reply-To
 * parent hangs under a phantom while its References name the
 * conversation's root.  The tree stays: the root of one conversation hangs
 * under the other's message ("references"), a phantom root first, else
 * the later root.  Ids without '@' never got here (msgid.c), so junk such
 * as <yes> joins nothing. */
static void join_pair(struct thr *t, uint32_t m, uint32_t r)
{
	uint32_t a = uf_find(t, m), b = uf_find(t, r);
	if (a == b || (t->n[b].ufsize == 1 && !present(t, r)))
		return;
	uint32_t ra = t->n[a].uroot, rb = t->n[b].uroot;
	int64_t da = key_date(t->n[ra].date), db = key_date(t->n[rb].date);
	if (!present(t, ra) || (present(t, rb) && da >= db))
		attach(t, ra, r, WHY_REFS);
	else
		attach(t, rb, m, WHY_REFS);
}

static int cmp_hash_mid(const struct thr *t, uint32_t a, uint32_t b)
{
	const struct thr_node *x = &t->n[a], *y = &t->n[b];
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return strcmp(x->mid, y->mid);
}

static struct thr *sort_ctx;	/* qsort has no context argument in C11 */

static int by_hash(const void *a, const void *b)
{
	return cmp_hash_mid(sort_ctx, *(const uint32_t *)a, *(const uint32_t *)b);
}

/* First mails sharing a Thread-Index, in a canonical order: which one the
 * replies hang under must not depend on the order of the input. */
static int by_ti_node(const void *a, const void *b)
{
	return cmp_hash_mid(sort_ctx, ((const struct thr_ti *)a)->node,
	    ((const struct thr_ti *)b)->node);
}

static void join_refs(struct thr *t, const uint32_t *order, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t m = order[i];
		uint32_t nr = t->n[m].nrefs + t->n[m].nextra, off = t->n[m].refs;
		for (uint32_t j = 0; j <= nr; j++) {
			uint32_t r = j < nr ? t->refs[off + j] : t->n[m].irt;
			if (r != THR_NONE)
				join_pair(t, m, r);
		}
	}
	/* first mails and the replies that carry only their Thread-Index */
	sort_ctx = t;
	if (t->nti)
		qsort(t->ti, t->nti, sizeof *t->ti, by_ti_node);
	for (uint32_t i = 0; i < t->nti; i++) {
		char key[80], *o = key;
		for (int j = 0; j < 22; j++, o += 2)
			snprintf(o, 3, "%02x", t->ti[i].b[j]);
		snprintf(o, sizeof key - 44, "@thread-index.invalid");
		uint32_t r = thr_find(t, key);
		if (r != THR_NONE && !present(t, r))
			join_pair(t, t->ti[i].node, r);
	}
}

static void detach(struct thr *t, uint32_t c)
{
	uint32_t p = t->n[c].parent, *q = &t->n[p].child;
	while (*q != c)
		q = &t->n[*q].next;
	*q = t->n[c].next;
	t->n[c].next = THR_NONE;
	t->n[c].parent = THR_NONE;
}

static int is_tindex(const struct thr *t, uint32_t x)
{
	const char *m = t->n[x].mid;
	size_t l = m ? strlen(m) : 0;
	return !present(t, x) && l > 21 && !strcmp(m + l - 21, "@thread-index.invalid");
}

/* The phantom of a Thread-Index under the first mail that carries it:
 * the replies that carry only that Thread-Index hang under that mail. */
static void splice_tindex(struct thr *t)
{
	for (uint32_t i = 0; i < t->count; i++) {
		uint32_t p = t->n[i].parent;
		if (p == THR_NONE || !is_tindex(t, i))
			continue;
		while (t->n[i].child != THR_NONE) {
			uint32_t c = t->n[i].child;
			detach(t, c);
			t->n[c].parent = p;
			t->n[c].next = t->n[p].child;
			t->n[p].child = c;
			t->n[c].why = WHY_TINDEX;
		}
		detach(t, i);
	}
}

static int by_sortdate(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int64_t dx = key_date(sort_ctx->n[x].sortdate), dy = key_date(sort_ctx->n[y].sortdate);
	if (dx != dy)
		return dx < dy ? -1 : 1;
	return cmp_hash_mid(sort_ctx, x, y);
}

static int by_last(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	int64_t dx = sort_ctx->n[x].last, dy = sort_ctx->n[y].last;
	if (dx != dy)	/* no date at all: first */
		return dx < dy ? -1 : 1;
	return cmp_hash_mid(sort_ctx, x, y);
}

static void collect_roots(struct thr *t)
{
	t->nroots = 0;
	for (uint32_t i = 0; i < t->count; i++) {
		const struct thr_node *n = &t->n[i];
		if (n->isdup || n->parent != THR_NONE)
			continue;
		if (!present(t, i) && n->child == THR_NONE)
			continue;	/* a reference nobody hangs under */
		t->roots[t->nroots++] = i;
	}
}

/* Post-order over a tree without recursion: compute sortdate and last,
 * then sort every child list by (sortdate, hash). */
static void finish_tree(struct thr *t, uint32_t root, uint32_t **stk, size_t *cap,
    uint32_t **tmp, size_t *tcap)
{
	size_t sp = 0;
	(*stk)[sp++] = root;
	/* order nodes: pre-order into stk2 then walk it backwards */
	size_t n = 0;
	uint32_t *order = *tmp;
	while (sp) {
		uint32_t x = (*stk)[--sp];
		if (n == *tcap) {
			*tcap *= 2;
			*tmp = order = xrealloc(order, *tcap * sizeof *order);
		}
		order[n++] = x;
		for (uint32_t c = t->n[x].child; c != THR_NONE; c = t->n[c].next) {
			if (sp == *cap) {
				*cap *= 2;
				*stk = xrealloc(*stk, *cap * sizeof **stk);
			}
			(*stk)[sp++] = c;
		}
	}
	for (size_t i = n; i-- > 0;) {
		uint32_t x = order[i];
		struct thr_node *nd = &t->n[x];
		nd->sortdate = nd->date;
		nd->last = nd->date;
		for (uint32_t d = nd->dup; d != THR_NONE; d = t->n[d].dup)
			if (t->n[d].date > nd->last)
				nd->last = t->n[d].date;
		size_t k = 0;
		for (uint32_t c = nd->child; c != THR_NONE; c = t->n[c].next) {
			if (nd->date == THR_NODATE && !present(t, x) &&
			    key_date(t->n[c].sortdate) < key_date(nd->sortdate))
				nd->sortdate = t->n[c].sortdate;
			if (t->n[c].last > nd->last)
				nd->last = t->n[c].last;
			if (sp + k == *cap) {
				*cap *= 2;
				*stk = xrealloc(*stk, *cap * sizeof **stk);
			}
			(*stk)[k++] = c;
		}
		if (k > 1) {
			qsort(*stk, k, sizeof **stk, by_sortdate);
			nd->child = (*stk)[0];
			for (size_t j = 0; j + 1 < k; j++)
				t->n[(*stk)[j]].next = (*stk)[j + 1];
			t->n[(*stk)[k - 1]].next = THR_NONE;
		}
	}
}

struct keyed {
	uint64_t key;
	uint32_t node;
	int reply;
	int64_t date;
};

static int by_key(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	if (x->reply != y->reply)	/* a non-reply leads its group */
		return x->reply - y->reply;
	if (key_date(x->date) != key_date(y->date))
		return key_date(x->date) < key_date(y->date) ? -1 : 1;
	return cmp_hash_mid(sort_ctx, x->node, y->node);
}

static void join_subjects(struct thr *t)
{
	struct keyed *kv = xmalloc((t->nroots + 1) * sizeof *kv);
	size_t n = 0;
	for (uint32_t i = 0; i < t->nroots; i++) {
		uint32_t r = t->roots[i];
		if (!present(t, r) || !t->n[r].subject)
			continue;
		int reply;
		char *b = subject_base(t->n[r].subject, &reply);
		for (char *p = b; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p += 'a' - 'A';
		if (*b)
			kv[n++] = (struct keyed){ hash64(b, strlen(b)), r, reply, t->n[r].date };
		free(b);
	}
	qsort(kv, n, sizeof *kv, by_key);
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		while (j < n && kv[j].key == kv[i].key) {
			attach(t, kv[j].node, kv[i].node, WHY_SUBJECT);
			j++;
		}
		i = j;
	}
	free(kv);
}

static void name_threads(struct thr *t)
{
	free(t->tid);
	t->tid = xmalloc((t->nroots + 1) * sizeof *t->tid);
	struct keyed *kv = xmalloc((t->nroots + 1) * sizeof *kv);
	for (uint32_t i = 0; i < t->nroots; i++) {
		uint64_t h = t->n[t->roots[i]].hash;
		ticketid_from_hash(h, TICKETID_LEN, t->tid[i]);
		kv[i] = (struct keyed){ h >> (64 - 5 * TICKETID_LEN), i, 0, 0 };
	}
	/* IDs that collide are lengthened */
	sort_ctx = t;
	qsort(kv, t->nroots, sizeof *kv, by_key);
	for (uint32_t i = 0; i + 1 < t->nroots; i++)
		if (kv[i].key == kv[i + 1].key)
			for (uint32_t j = i; j < i + 2; j++)
				ticketid_from_hash(t->n[t->roots[kv[j].node]].hash,
				    TICKETID_MAX, t->tid[kv[j].node]);
	free(kv);
}

static void join_tokens(struct thr *t)
{
	char tok[TICKETID_MAX + 1];
	for (uint32_t i = 0; i < t->nroots; i++) {
		uint32_t r = t->roots[i];
		if (!present(t, r) || !t->n[r].subject || !subject_token(t->n[r].subject, tok))
			continue;
		for (uint32_t j = 0; j < t->nroots; j++)
			if (j != i && !strcmp(t->tid[j], tok)) {
				attach(t, r, t->roots[j], WHY_TOKEN);
				break;
			}
	}
}

void thr_link(struct thr *t, int flags, int reverse)
{
	uint32_t *order = xmalloc((t->count + 1) * sizeof *order);
	size_t n = 0, maxrefs = 1;
	for (uint32_t i = 0; i < t->count; i++)
		if (present(t, i) && !t->n[i].isdup) {
			order[n++] = i;
			if (t->n[i].nrefs > maxrefs)
				maxrefs = t->n[i].nrefs;
		}
	sort_ctx = t;
	qsort(order, n, sizeof *order, by_hash);
	struct cand *cv = xmalloc(maxrefs * sizeof *cv);
	for (size_t i = 0; i < n; i++)
		link_one(t, order[i], cv);
	free(cv);
	join_refs(t, order, n);
	splice_tindex(t);

	/* splice out phantoms whose only child is a phantom */
	for (uint32_t i = 0; i < t->count; i++) {
		struct thr_node *g = &t->n[i];
		if (present(t, i) || g->isdup || g->child == THR_NONE)
			continue;
		uint32_t c = g->child;
		if (t->n[c].next != THR_NONE || present(t, c))
			continue;
		uint32_t p = g->parent;
		detach(t, c);
		if (p == THR_NONE)	/* c is the conversation's root now */
			t->n[uf_find(t, c)].uroot = c;
		else {
			int why = g->why;
			detach(t, i);
			t->n[c].parent = p;
			t->n[c].next = t->n[p].child;
			t->n[p].child = c;
			t->n[c].why = (uint8_t)why;
		}
	}

	t->roots = xrealloc(t->roots, (t->count + 1) * sizeof *t->roots);
	collect_roots(t);
	if (flags & THR_SUBJECT) {
		sort_ctx = t;
		qsort(t->roots, t->nroots, sizeof *t->roots, by_hash);
		join_subjects(t);
		collect_roots(t);
	}
	if (flags & THR_TOKEN) {
		qsort(t->roots, t->nroots, sizeof *t->roots, by_hash);
		name_threads(t);
		join_tokens(t);
		collect_roots(t);
	}
	size_t cap = 1024, tcap = 1024;
	uint32_t *stk = xmalloc(cap * sizeof *stk), *tmp = xmalloc(tcap * sizeof *tmp);
	sort_ctx = t;
	for (uint32_t i = 0; i < t->nroots; i++)
		finish_tree(t, t->roots[i], &stk, &cap, &tmp, &tcap);
	free(stk);
	free(tmp);
	free(order);
	sort_ctx = t;
	qsort(t->roots, t->nroots, sizeof *t->roots, by_last);
	if (reverse)
		for (uint32_t i = 0, j = t->nroots; i + 1 < j; i++, j--) {
			uint32_t x = t->roots[i];
			t->roots[i] = t->roots[j - 1];
			t->roots[j - 1] = x;
		}
	name_threads(t);
}

void thr_walk(struct thr *t, uint32_t root, int dups,
    void (*cb)(void *ctx, uint32_t node, uint32_t depth), void *ctx)
{
	size_t cap = 256, sp = 0;
	struct { uint32_t node, depth; } *stk = xmalloc(cap * sizeof *stk);
	stk[sp].node = root;
	stk[sp++].depth = 0;
	while (sp) {
		uint32_t x = stk[--sp].node, d = stk[sp].depth;
		cb(ctx, x, d);
		if (dups)
			for (uint32_t y = t->n[x].dup; y != THR_NONE; y = t->n[y].dup)
				cb(ctx, y, d);
		/* push children in reverse so the first comes out first */
		size_t k = 0;
		for (uint32_t c = t->n[x].child; c != THR_NONE; c = t->n[c].next)
			k++;
		while (sp + k > cap) {
			cap *= 2;
			stk = xrealloc(stk, cap * sizeof *stk);
		}
		size_t j = sp + k;
		for (uint32_t c = t->n[x].child; c != THR_NONE; c = t->n[c].next) {
			stk[--j].node = c;
			stk[j].depth = d + 1;
		}
		sp += k;
	}
	free(stk);
}

const char *thr_why_name(int why)
{
	static const char *const names[] = { "root", "in-reply-to", "references",
		"phantom", "subject", "token", "duplicate", "thread-index" };
	return why >= 0 && why <= WHY_TINDEX ? names[why] : "root";
}
