/* Unit tests: common/template.c */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "template.h"
#include "tap.h"

static int nrep;
static char lastrep[400];

static void rep(void *ctx, const char *file, int line, const char *msg)
{
	(void)ctx;
	nrep++;
	snprintf(lastrep, sizeof lastrep, "%s:%d: %s", file, line, msg);
}

static const char *look(void *ctx, const char *name)
{
	(void)ctx;
	if (!strcmp(name, "customer.first_name"))
		return "{{agent.signature}}";
	if (!strcmp(name, "customer.name"))
		return "";
	if (!strcmp(name, "ticket.subject"))
		return "evil\r\nBcc: x@y";
	if (!strcmp(name, "ticket.id"))
		return "7K2QXA";
	if (!strcmp(name, "agent.signature"))
		return "Ana\nLumen";
	return NULL;
}

static char *w;
static const char *wrap(const char *s, int width)
{
	free(w);
	w = text_wrap(s, width);
	return w;
}

static const char *empty_lookup(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return "";
}

int main(void)
{
	struct template t;
	const char *src = "Subject: Re: {{ticket.subject}}\nX-Mdesk-Tags: +refund -new\n"
	    "x-mdesk-status: pending\n\nHello {{ customer.first_name }},\n\n{{agent.signature}}\n";
	is_int(tpl_parse(&t, "templates/a.txt", src, strlen(src), rep, NULL), 0, "a good template parses");
	is_int(t.nh, 3, "three header lines");
	is_str(tpl_header(&t, "subject"), "Re: {{ticket.subject}}", "Subject, any case");
	is_str(tpl_header(&t, "X-Mdesk-Status"), "pending", "status header, name canonical");
	is_int(t.body_line, 5, "the body starts on line 5");
	is_str(t.body, "Hello {{ customer.first_name }},\n\n{{agent.signature}}\n", "body kept");
	tpl_free(&t);

	src = "\nNo header at all\n";
	is_int(tpl_parse(&t, "x", src, strlen(src), rep, NULL), 0, "an empty header block");
	is_str(t.body, "No header at all\n", "  ... body");
	tpl_free(&t);

	nrep = 0;
	src = "From: x@y\nX-Mdesk-Status: gone\n\nHi {{customer.shoe_size}} {{ticket.id\n";
	is_int(tpl_parse(&t, "templates/b.txt", src, strlen(src), rep, NULL), 4, "four faults");
	is_str(lastrep, "templates/b.txt:4: '{{' without '}}' on the same line", "file:line of the last");
	tpl_free(&t);
	src = "Hello there\nsecond line\n";
	is_int(tpl_parse(&t, "templates/c.txt", src, strlen(src), rep, NULL), 2,
	    "a body without the blank line: its lines are bad headers");
	tpl_free(&t);
	is_int(tpl_parse(&t, "x", "\n\xff\n", 3, rep, NULL), 1, "bad UTF-8 is a fault");
	tpl_free(&t);

	char err[200];
	char *r = tpl_render("Hi {{customer.first_name}}!", look, NULL, 0, err, sizeof err);
	is_str(r, "Hi {{agent.signature}}!", "a value is never expanded again");
	free(r);
	r = tpl_render("Dear {{customer.name|customer}},", look, NULL, 0, err, sizeof err);
	is_str(r, "Dear customer,", "the default of an empty value");
	free(r);
	r = tpl_render("Dear {{ customer.first_name | there }},", look, NULL, 0, err, sizeof err);
	is_str(r, "Dear {{agent.signature}},", "no default when there is a value");
	free(r);
	r = tpl_render("Re: {{ticket.subject}} [#{{ticket.id}}]", look, NULL, 1, err, sizeof err);
	is_str(r, "Re: evil  Bcc: x@y [#7K2QXA]", "a header value loses its line breaks");
	free(r);
	r = tpl_render("{{agent.signature}}", look, NULL, 0, err, sizeof err);
	is_str(r, "Ana\nLumen", "a body value keeps them");
	free(r);
	r = tpl_render("a\n{{nope}}", look, NULL, 0, err, sizeof err);
	ok(r == NULL, "an unknown placeholder fails");
	is_str(err, "line 2: unknown placeholder {{nope}}", "  ... with its line");
	r = tpl_render("{ {single} } }}", look, NULL, 0, err, sizeof err);
	is_str(r, "{ {single} } }}", "single braces are text");
	free(r);

	is_str(wrap("short line\n", 72), "short line\n", "short lines stay");
	is_str(wrap("aaaa bbbb cccc dddd", 10), "aaaa bbbb\ncccc dddd", "wrapped at blanks");
	is_str(wrap("see https://lumen.example/a/very/long/path/that/goes/on and on", 20),
	    "see\nhttps://lumen.example/a/very/long/path/that/goes/on\nand on", "a long URL on its own line, whole");
	is_str(wrap("Go to https://lumen.example/help.", 72), "Go to <https://lumen.example/help>.",
	    "a URL ending a sentence gets brackets");
	is_str(wrap("Go to <https://lumen.example/help>.", 72), "Go to <https://lumen.example/help>.",
	    "  ... not twice");
	is_str(wrap("a www.lumen.example, b", 72), "a <www.lumen.example>, b", "  ... www. and a comma");
	is_str(wrap("version 2.0. ok", 72), "version 2.0. ok", "no URL, no brackets");
	is_str(wrap("  1. Open the link on the device you want to sign in with today", 30),
	    "  1. Open the link on the\n     device you want to sign\n     in with today",
	    "a list item hangs");
	is_str(wrap("> quoted text that is long enough to be wrapped but is not", 20),
	    "> quoted text that is long enough to be wrapped but is not", "quoted lines stay");
	is_str(wrap("aaaa bbbb cccc dddd\neeee ffff\n\nKind regards,\nAna\n", 10),
	    "aaaa bbbb\ncccc dddd\neeee ffff\n\nKind\nregards,\nAna\n", "overflow flows into its paragraph");
	is_str(wrap("aaaa bbbb cccc dddd:\neeee ffff", 10), "aaaa bbbb\ncccc dddd:\neeee ffff",
	    "  ... not after a colon");
	is_str(wrap("aaaa bbbb cccc\n  1. x", 10), "aaaa bbbb\ncccc\n  1. x", "  ... not into a list");
	is_str(wrap("ção ção ção ção", 11), "ção ção ção\nção", "columns are characters");
	is_str(wrap("trailing   \n", 72), "trailing\n", "trailing blanks dropped");

	char *q = text_quote("Hello\n\n> old\nbye\n\n\n");
	is_str(q, "> Hello\n>\n>> old\n> bye\n", "quoting");
	free(q);

	char dir[] = "/tmp/mdesk-tpl-XXXXXX", p[600], got[300];
	ok(mkdtemp(dir) != NULL, "a temporary directory");
	snprintf(p, sizeof p, "%s/templates", dir);
	mkdir(p, 0777);
	const char *files[] = { "ack.txt", "ack.pt.txt", "refund.pt-br.txt", "refund.txt" };
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/templates/%s", dir, files[i]);
		FILE *f = fopen(p, "w");
		fputs("\nx\n", f);
		fclose(f);
	}
	ok(tpl_pick((char **)files, 4, "ack", "pt-br", got, sizeof got) == 0 && !strcmp(got, "templates/ack.pt.txt"),
	    "pt-br picks NAME.pt.txt");
	ok(tpl_pick((char **)files, 4, "refund", "pt-BR", got, sizeof got) == 0 && !strcmp(got, "templates/refund.pt-br.txt"),
	    "the regional variant first");
	ok(tpl_pick((char **)files, 4, "ack", "ru", got, sizeof got) == 0 && !strcmp(got, "templates/ack.txt"),
	    "no variant: NAME.txt");
	ok(tpl_pick((char **)files, 4, "ack", NULL, got, sizeof got) == 0 && !strcmp(got, "templates/ack.txt"),
	    "no language: NAME.txt");
	ok(tpl_pick((char **)files, 4, "../ack", "en", got, sizeof got) != 0, "no path in a name");
	ok(tpl_pick((char **)files, 4, "nope", "en", got, sizeof got) != 0, "a missing template");
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof p, "%s/templates/%s", dir, files[i]);
		unlink(p);
	}
	snprintf(p, sizeof p, "%s/templates", dir);
	rmdir(p);
	rmdir(dir);

	char d[200];
	due_format(1793718000LL, "America/Sao_Paulo", "en", d, sizeof d);	/* 2026-11-03T15:00Z */
	is_str(d, "Tuesday, 3 November 2026, 12:00 (UTC-03:00)", "due time in English");
	due_format(1793718000LL, "America/Sao_Paulo", "pt-br", d, sizeof d);
	is_str(d, "terça-feira, 3 de novembro de 2026, às 12:00 (UTC-03:00)", "in Portuguese");
	due_format(1793718000LL, "Europe/Moscow", "ru", d, sizeof d);
	is_str(d, "вторник, 3 ноября 2026 г., 18:00 (UTC+03:00)", "in Russian");
	due_format(1793718000LL, "UTC", "xx", d, sizeof d);
	is_str(d, "Tuesday, 3 November 2026, 15:00 (UTC+00:00)", "unknown language: English");
	free(w);

	/* a due time with no value: its sentence goes, not a hole */
	static const char *const drops[][2] = {
		{ "Thanks.\n\nWe answer by {{sla.first_reply.due}}\nat the latest.\n\nBye.\n",
		  "Thanks.\n\nBye.\n" },
		{ "Thanks. We answer by {{sla.first_reply.due}} at the latest. Bye.\n",
		  "Thanks. Bye.\n" },
		{ "Thanks.\nWe answer by {{sla.first_reply.due}}.\nBye.\n", "Thanks.\nBye.\n" },
		{ "Thanks. We answer by {{sla.first_reply.due}}.\nBye.\n", "Thanks.\nBye.\n" },
		{ "We answer by {{sla.first_reply.due}}.\n\nBye.\n", "Bye.\n" },
		{ "Answer by {{sla.first_reply.due|soon}}.\n", "Answer by soon.\n" },
		{ "Hi {{customer.first_name}}.\n", "Hi .\n" },
		{ "a=1\nb=2\nc=3\nd={{sla.next_reply.due}}\ne=5.\n", "a=1\nb=2\nc=3\nd=\ne=5.\n" },
	};
	for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++) {
		char er[200];
		char *r = tpl_render(drops[i][0], empty_lookup, NULL, 0, er, sizeof er);
		is_str(r, drops[i][1], "an empty due time drops its sentence (%zu)", i);
		free(r);
	}
	ok(tpl_may_be_empty("sla.next_reply.due") && !tpl_may_be_empty("customer.name"),
	    "due times may be empty, names not");
	return done_testing();
}
