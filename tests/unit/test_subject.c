/* Unit tests: common/subject.c */
#include <stdlib.h>
#include "subject.h"
#include "tap.h"

static char *b;
static int r;

static const char *base(const char *s)
{
	free(b);
	b = subject_base(s, &r);
	return b;
}

int main(void)
{
	char tok[16];
	is_str(base("Re: Pedido atrasado"), "Pedido atrasado", "Re:");
	ok(r == 1, "marked as a reply");
	is_str(base("Pedido atrasado"), "Pedido atrasado", "plain");
	ok(r == 0, "not a reply");
	is_str(base("RE: Fwd: re: hello"), "hello", "stacked prefixes");
	is_str(base("Re[2]: hello"), "hello", "Re[2]:");
	is_str(base("AW: WG: SV: VS: Res: Enc: RV: TR: x"), "x", "European prefixes");
	is_str(base("Ответ: Заказ не пришёл"), "Заказ не пришёл", "Russian Ответ:");
	is_str(base("پاسخ: سفارش من"), "سفارش من", "Persian پاسخ:");
	is_str(base("[support] Re: [#7K2QXA01] Refund"), "Refund", "blobs and token removed");
	is_str(base("Re: hello (fwd)"), "hello", "trailing (fwd)");
	is_str(base("[Fwd: hello]"), "hello", "[fwd: ...] unwrapped");
	is_str(base("  many    spaces\there "), "many spaces here", "white space collapsed");
	is_str(base("[only a blob]"), "[only a blob]", "a subject that is only a blob stays");
	is_str(base("Reunion"), "Reunion", "Re without colon is a word");
	ok(subject_token("Re: Refund [#7K2QXA01]", tok) && !strcmp(tok, "7K2QXA01"), "token found");
	ok(!subject_token("Order [#12] and [#abcdefg]", tok), "malformed tokens ignored");
	ok(subject_token("[#AAAAAA] then [#BBBBBBBB]", tok) && !strcmp(tok, "BBBBBBBB"), "last token wins");
	free(b);
	{
		static const char *const rs[][2] = {
			{ "[Ticket#2026112510000017] Delivery delayed",
			  "Re: Delivery delayed [Ticket#2026112510000017] [#ABC123]" },
			{ "Re: [Case #00123] Refund", "Re: Refund [Case #00123] [#ABC123]" },
			{ "AW: Rechnung fehlt [#ABC123]", "Re: Rechnung fehlt [#ABC123]" },
			{ "[support] Login", "Re: Login [#ABC123]" },
			{ "Delivery delayed [Ticket#77]", "Re: Delivery delayed [Ticket#77] [#ABC123]" },
			{ "", "Re: [#ABC123]" } };
		for (size_t i = 0; i < sizeof rs / sizeof *rs; i++) {
			char *r = subject_reply(rs[i][0], "ABC123");
			is_str(r, rs[i][1], "reply subject of '%s'", rs[i][0]);
			free(r);
		}
	}
	{	/* a hostile subject: many brackets, linear work */
		size_t n = 1 << 20;
		char *h = malloc(n + 1);
		for (size_t i = 0; i < n; i++)
			h[i] = "[]1#"[i % 3 ? 0 : i % 4];
		h[n] = 0;
		char *r = subject_reply(h, "ABC123");
		ok(r && strlen(r) > 10, "a megabyte of brackets: an answer");
		free(r);
		free(h);
	}
	return done_testing();
}
