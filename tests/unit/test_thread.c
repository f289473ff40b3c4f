/* Unit tests: common/thread.c */
#include <stdio.h>
#include <stdlib.h>
#include "tap.h"
#include "thread.h"

struct spec {
	const char *mid, *irt, *refs;
	long long date;
	const char *subject;
};

static struct thr *build(const struct spec *s, size_t n, const size_t *order, int flags)
{
	struct thr *t = thr_new();
	for (size_t k = 0; k < n; k++) {
		const struct spec *x = &s[order ? order[k] : k];
		struct msg_ids ids = { 0 };
		const char *refs[16];
		snprintf(ids.mid, sizeof ids.mid, "%s", x->mid);
		if (x->irt)
			snprintf(ids.irt, sizeof ids.irt, "%s", x->irt);
		if (x->irt)
			snprintf(ids.irt_any, sizeof ids.irt_any, "%s", x->irt);
		char buf[512];
		size_t nr = 0;
		if (x->refs) {
			snprintf(buf, sizeof buf, "%s", x->refs);
			for (char *p = strtok(buf, " "); p && nr < 16; p = strtok(NULL, " "))
				refs[nr++] = p;
		}
		ids.refs = refs;
		ids.nrefs = nr;
		thr_add(t, &ids, (uint32_t)k + 1, x->date, x->subject, NULL, NULL);
	}
	thr_link(t, flags, 0);
	return t;
}

static const char *parent(struct thr *t, const char *mid)
{
	uint32_t i = thr_find(t, mid);
	if (i == THR_NONE || t->n[i].parent == THR_NONE)
		return "-";
	return t->n[t->n[i].parent].mid;
}

int main(void)
{
	static const struct spec a[] = {
		{ "r@x", NULL, NULL, 100, "Refund" },
		{ "c1@x", "r@x", "r@x", 200, "Re: Refund" },
		{ "c2@x", NULL, "r@x c1@x", 300, "Re: Refund" },
		{ "c3@x", "Your message <c1@x>", "c1@x", 150, "Re: Refund" },
		{ "o@x", "gone@x", "gone0@x gone@x", 50, "Re: Lost" },
		{ "o2@x", NULL, "gone0@x", 60, "Re: Lost" },
	};
	size_t n = sizeof a / sizeof a[0];
	struct thr *t = build(a, n, NULL, 0);
	is_str(parent(t, "c1@x"), "r@x", "In-Reply-To");
	is_str(parent(t, "c2@x"), "c1@x", "deepest reference");
	is_str(parent(t, "o@x"), "gone@x", "phantom parent");
	is_str(parent(t, "gone@x"), "gone0@x", "phantoms chain up");
	is_str(parent(t, "o2@x"), "gone0@x", "sibling under the shared phantom");
	is_int(t->nroots, 2, "two threads");
	thr_free(t);

	/* order independence over all 720 orders of 6 messages */
	size_t ord[6] = { 0, 1, 2, 3, 4, 5 }, bad = 0, perms = 0;
	char want[6][64];
	t = build(a, n, NULL, 0);
	for (size_t i = 0; i < n; i++)
		snprintf(want[i], 64, "%s", parent(t, a[i].mid));
	thr_free(t);
	for (;;) {		/* next permutation, lexicographic */
		struct thr *u = build(a, n, ord, 0);
		for (size_t i = 0; i < n; i++)
			bad += strcmp(want[i], parent(u, a[i].mid)) != 0;
		thr_free(u);
		perms++;
		int i = (int)n - 2;
		while (i >= 0 && ord[i] > ord[i + 1])
			i--;
		if (i < 0)
			break;
		int j = (int)n - 1;
		while (ord[j] < ord[i])
			j--;
		size_t x = ord[i]; ord[i] = ord[j]; ord[j] = x;
		for (int l = i + 1, r = (int)n - 1; l < r; l++, r--) {
			x = ord[l]; ord[l] = ord[r]; ord[r] = x;
		}
	}
	is_int((long long)perms, 720, "all orders tried");
	is_int((long long)bad, 0, "same parents in every order");

	/* loops refused */
	static const struct spec loop[] = {
		{ "a@x", "b@x", "b@x", 1, "x" },
		{ "b@x", "a@x", "a@x", 2, "x" },
	};
	t = build(loop, 2, NULL, 0);
	ok((!strcmp(parent(t, "a@x"), "-")) != (!strcmp(parent(t, "b@x"), "-")),
	    "a two-message loop: exactly one root");
	is_int(t->nroots, 1, "one thread");
	thr_free(t);

	/* a 10,000-deep chain: no recursion, one thread */
	struct spec *chain = calloc(10000, sizeof *chain);
	char (*ids)[32] = calloc(10000, 32);
	for (int i = 0; i < 10000; i++) {
		snprintf(ids[i], 32, "m%d@x", i);
		chain[i].mid = ids[i];
		chain[i].irt = i ? ids[i - 1] : NULL;
		chain[i].date = i;
	}
	t = build(chain, 10000, NULL, 0);
	is_int(t->nroots, 1, "deep chain is one thread");
	is_str(parent(t, "m9999@x"), "m9998@x", "deep chain parent");
	thr_free(t);
	free(chain);
	free(ids);

	/* duplicates */
	static const struct spec dup[] = {
		{ "d@x", NULL, NULL, 1, "x" },
		{ "d@x", NULL, NULL, 2, "x again" },
	};
	t = build(dup, 2, NULL, 0);
	is_int(t->nroots, 1, "duplicate Message-ID is one message");
	ok(t->n[thr_find(t, "d@x")].dup != THR_NONE, "the copy is kept aside");
	thr_free(t);

	/* subject joining */
	static const struct spec subj[] = {
		{ "s1@x", NULL, NULL, 10, "Pedido atrasado" },
		{ "s2@x", NULL, NULL, 20, "Re: Pedido atrasado" },
		{ "s3@x", NULL, NULL, 5, "RES: pedido atrasado" },
	};
	t = build(subj, 3, NULL, 0);
	is_int(t->nroots, 3, "no subject joining by default");
	thr_free(t);
	t = build(subj, 3, NULL, THR_SUBJECT);
	is_int(t->nroots, 1, "--subject joins");
	is_str(parent(t, "s2@x"), "s1@x", "the non-reply leads");
	thr_free(t);
	return done_testing();
}
