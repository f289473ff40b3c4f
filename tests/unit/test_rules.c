/* Unit tests: common/rules.c (routing.sieve through libmu_sieve) */
#include <stdio.h>
#include <stdlib.h>
#include <mailutils/mailutils.h>
#include "rules.h"
#include "util.h"
#include "tap.h"

static char last[600];
static int nrep;

static void rep(const char *file, int line, int col, const char *msg)
{
	snprintf(last, sizeof last, "%s:%d:%d: %s", file, line, col, msg);
	nrep++;
}

static int check(void *ctx, const char *action, const char *arg, char *why, size_t n)
{
	(void)ctx;
	if (!strcmp(action, "priority") && strcmp(arg, "low") && strcmp(arg, "normal") &&
	    strcmp(arg, "high") && strcmp(arg, "urgent")) {
		snprintf(why, n, "not a priority (low, normal, high, urgent)");
		return 1;
	}
	if (!strcmp(action, "queue") && strcmp(arg, "support") && strcmp(arg, "billing") &&
	    strcmp(arg, "sales")) {
		snprintf(why, n, "no such queue in desk.conf");
		return 1;
	}
	return 0;
}

static struct rules *comp(const char *s)
{
	int nf;
	last[0] = 0;
	nrep = 0;
	return rules_compile(s, strlen(s), "routing.sieve", check, NULL, rep, &nf);
}

static int has(char **v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return 1;
	return 0;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char tmp[4096];
	size_t n;
	if (!f)
		return NULL;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		buf_add(&b, tmp, n);
	fclose(f);
	*len = b.len;
	return b.p;
}

#define M(s) s, strlen(s)

int main(void)
{
	struct rules_out o;
	struct rules_ctx cx = { NULL, NULL, "" };
	size_t dl;
	char *d;

	/* the example desk's rules compile and do what their comments say */
	size_t sl;
	char *skel = slurp("common/skel/routing.sieve", &sl);
	ok(skel != NULL, "example routing.sieve read");
	int nf = 0;
	struct rules *r = skel ? rules_compile(skel, sl, "routing.sieve", check, NULL, rep, &nf) : NULL;
	ok(r != NULL, "example routing.sieve compiles (%s)", last);
	if (r) {
		const char *m1 =
		    "From: Maria <maria@cliente.com.br>\nTo: support@lumen.example\n"
		    "Subject: =?UTF-8?Q?Reembolso_do_pedido_urgente?=\n\nOlá\n";
		cx.lang = "pt-br";
		ok(rules_run(r, M(m1), &cx, &o) == 0, "runs");
		is_str(o.queue, "billing", "pt refund (encoded subject) goes to billing");
		ok(has(o.skills, o.nskills, "refunds") && has(o.tags, o.ntags, "refund") &&
		    has(o.tags, o.ntags, "urgent"), "skill refunds, tags refund and urgent");
		is_str(o.priority, "high", "urgent in the subject: high");
		ok(o.nfired > 3 && strstr(o.fired[0], ": queue \"billing\""), "fired lines: %s", o.fired[0]);
		rules_out_free(&o);

		const char *m2 = "From: MAILER-DAEMON@mx.example\nTo: support@lumen.example\n"
		    "Subject: Undelivered Mail\n\nbounce\n";
		cx.lang = NULL;
		rules_run(r, M(m2), &cx, &o);
		ok(o.noack && has(o.tags, o.ntags, "bounce") && !o.queue[0], "bounce: noack, tag, stop");
		rules_out_free(&o);

		const char *m3 = "From: x@spam.example\nTo: support@lumen.example\n"
		    "Subject: You have WON the lottery\n\nclick\n";
		rules_run(r, M(m3), &cx, &o);
		ok(o.spam && has(o.tags, o.ntags, "spam"), "spam");
		rules_out_free(&o);

		const char *m4 = "From: vip@bigcorp.example\nTo: support@lumen.example\n"
		    "Subject: =?KOI8-R?B?08LPyc7P?= ASAP\n\nx\n";
		cx.tier = "vip";
		rules_run(r, M(m4), &cx, &o);
		is_str(o.priority, "urgent", "vip + urgent subject: urgent");
		rules_out_free(&o);
		cx.tier = NULL;

		const char *m5 = "From: a@b.example\nTo: support@lumen.example\nSubject: hello\n\n"
		    "سلام\n";
		cx.lang = "fa";
		rules_run(r, M(m5), &cx, &o);
		is_str(o.assign, "farah", "language fa: assign farah");
		rules_out_free(&o);
		cx.lang = NULL;
		rules_free(r);
	}
	free(skel);

	/* body test on the decoded text */
	r = comp("if body :contains \"pedido 1234\" { tag \"order\"; }\n"
	    "if body :regex \"[0-9]{5}-[0-9]{3}\" { tag \"cep\"; }\n");
	ok(r != NULL, "body test compiles");
	if (r) {
		cx.text = "Olá, o pedido 1234 não chegou. CEP 01310-100";
		rules_run(r, M("Subject: x\n\nraw\n"), &cx, &o);
		ok(has(o.tags, o.ntags, "order") && has(o.tags, o.ntags, "cep"), "body :contains and :regex");
		rules_out_free(&o);
		cx.text = "";
		rules_free(r);
	}
	/* require of what is built in works; "require regex" as other servers write it */
	r = comp("require [\"regex\", \"relational\", \"comparator-i;ascii-numeric\"];\n"
	    "if header :regex \"subject\" \"^re:\" { tag \"reply\"; }\n");
	ok(r != NULL, "require regex accepted (%s)", last);
	rules_free(r);

	/* faults: line and column, nothing compiled */
	r = comp("if header :contains \"subject\" \"x\" {\n  tag \"a\";\n  priority \"hgih\";\n}\n");
	ok(r == NULL && strstr(last, "routing.sieve:3:12: priority \"hgih\": not a priority"), "bad priority: %s", last);
	r = comp("if header :contains \"subject\" \"x\" {\n  queue \"nowhere\";\n}\n");
	ok(r == NULL && strstr(last, ":2:") && strstr(last, "no such queue"), "unknown queue: %s", last);
	r = comp("if true {\n  fileinto \"/tmp/x\";\n}\n");
	ok(r == NULL && strstr(last, ":2:3: unknown command or test 'fileinto'"), "fileinto refused: %s", last);
	r = comp("redirect \"a@b\";\n");
	ok(r == NULL && strstr(last, "'redirect'"), "redirect refused");
	r = comp("require \"pipe\";\npipe \"rm -rf /\";\n");
	ok(r == NULL && nrep == 2 && strstr(last, "'pipe'"), "pipe extension and command refused (%d faults)", nrep);
	r = comp("if header :contains \"subject\" {\n tag \"x\";\n}\n");
	ok(r == NULL && strstr(last, "routing.sieve:1:"), "Mailutils' own syntax error with its line: %s", last);
	r = comp("tag \"a\"\nif true { stop; }\n");
	ok(r == NULL && nrep >= 1 && last[0], "missing semicolon: %s", last);
	r = comp("/* only a comment */\n# and another\n");
	ok(r != NULL, "empty script compiles");
	if (r) {
		rules_run(r, M("Subject: x\n\n"), &cx, &o);
		ok(o.ntags == 0 && o.nfired == 0, "nothing fired");
		rules_out_free(&o);
	}
	rules_free(r);
	r = comp("if header :contains \"subject\" \"x\" { tag \"seen\"; }\n");
	if (r) {
		ok(rules_run(r, M("Subject: x\nnot a field\n"), &cx, &o) == 0 && o.ntags == 1,
		    "a header line that is no field: the rest is body, the rules still run");
		rules_out_free(&o);
		ok(rules_run(r, M("hello\n"), &cx, &o) == 0 && o.ntags == 0, "no header at all: the rules run");
		rules_out_free(&o);
	}
	rules_free(r);
	r = comp("tag \"a\0b\";");
	ok(r == NULL, "NUL refused");

	/* an address field Mailutils cannot parse (specials in an encoded
	 * name, an unclosed bracket): the address test does not stop the
	 * script, it sees the address (a sender could escape every rule) */
	r = comp("if address :domain :is \"from\" \"spam.example\" { tag \"spam\"; }\n"
	    "if header :contains \"subject\" \"x\" { tag \"after\"; }\n");
	ok(r != NULL, "address test compiles");
	if (r) {
		static const char *const froms[] = {
			"=?UTF-8?Q?Eve=0D=0ABcc:_v@evil.example?= <eve@spam.example>",
			"a: b <eve@spam.example", "<<<eve@spam.example>>>", "eve@spam.example (x" };
		for (int k = 0; k < 4; k++) {
			char m[300];
			snprintf(m, sizeof m, "From: %s\nSubject: x\n\nhi\n", froms[k]);
			int rc = rules_run(r, m, strlen(m), &cx, &o);
			ok(rc == 0 && has(o.tags, o.ntags, "spam") && has(o.tags, o.ntags, "after"),
			    "unparsable From '%s': the rules run and match its address", froms[k]);
			rules_out_free(&o);
		}
		static const char *const none[] = { "a: b: c;", "<a..b@spam.example>",
			"<@r:a@spam.example>", "x <ab@>" };
		for (int k = 0; k < 4; k++) {
			char m[300];
			snprintf(m, sizeof m, "From: %s\nSubject: x\n\nhi\n", none[k]);
			ok(rules_run(r, m, strlen(m), &cx, &o) == 0 && !has(o.tags, o.ntags, "spam") &&
			    has(o.tags, o.ntags, "after"), "From '%s': no address, no match, the rules go on",
			    none[k]);
			rules_out_free(&o);
		}
		rules_free(r);
	}
	d = rules_decoded_message(M("From: a: b <eve@x.example\nTo: t@x\n\nbody\n"), &dl);
	ok(!strcmp(d, "From: <eve@x.example>\nTo: t@x\n\nbody\n"), "unparsable From: its address alone");
	free(d);

	/* the decoded message keeps address fields as they are */
	d = rules_decoded_message(M("From: =?UTF-8?Q?Jo=C3=A3o=2C_Silva?= <j@x>\n"
	    "Subject: =?UTF-8?Q?Ol=C3=A1?=\n =?UTF-8?Q?_mundo?=\n\nbody\n"), &dl);
	ok(strstr(d, "From: =?UTF-8?Q?Jo=C3=A3o=2C_Silva?= <j@x>\n") && strstr(d, "Subject: Olá mundo\n\nbody\n"),
	    "decoded: %s", d);
	free(d);
	return done_testing();
}
