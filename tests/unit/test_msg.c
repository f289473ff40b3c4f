/* Unit tests: common/msg.c */
#include <stdlib.h>
#include "msg.h"
#include "util.h"
#include "tap.h"

#define S(x) x, sizeof(x) - 1

int main(void)
{
	struct msg m = { 0 };
	struct msg_ids ids;
	const char *a, *d;
	long long t;

	ok(msg_open(&m, S("From: \"Souza, Ana\" <Ana@Example.COM>\n"
	    "Subject: =?UTF-8?Q?Pedido_n=C3=A3o_chegou?=\n"
	    "Message-ID: <m1@example.com>\n"
	    "In-Reply-To: <m0@example.com>\n"
	    "References: <r0@example.com>\n <m0@example.com> <yes> <m1@example.com>\n"
	    "Date: Mon, 2 Nov 2026 09:14:00 -0300\n"
	    "X-Custom: one\n\tfolded\n"
	    "X-Custom: two\n\nbody")) == 0, "header opens");
	is_str(msg_text(&m, "Subject"), "Pedido não chegou", "RFC 2047 Q subject decoded");
	ok(msg_addr(&m, "From", &a, &d) == 0, "From parsed");
	is_str(a, "ana@example.com", "address lower-cased");
	is_str(d, "Souza, Ana", "quoted display name with comma");
	msg_ids(&m, &ids);
	is_str(ids.mid, "m1@example.com", "Message-ID");
	is_str(ids.irt, "m0@example.com", "clean In-Reply-To");
	is_int((long long)ids.nrefs, 2, "References: <yes> and self dropped");
	is_str(ids.refs[1], "m0@example.com", "References in order");
	ok(msg_date(&m, &t) == 0 && t == 1793621640LL, "date");
	is_str(msg_raw(&m, "X-Custom", 1), "one\tfolded", "other fields via Mailutils, unfolded");
	is_str(msg_raw(&m, "X-Custom", 2), "two", "second occurrence");
	ok(msg_raw(&m, "X-Missing", 1) == NULL, "missing field");
	msg_close(&m);

	ok(msg_open(&m, S("Subject: =?koi8-r?B?8NLJ18XU?=\r\nFrom: =?UTF-8?B?0JjQstCw0L0=?= <ivan@example.ru>\r\n\r\n")) == 0, "CRLF header");
	is_str(msg_text(&m, "Subject"), "Привет", "KOI8-R");
	msg_addr(&m, "From", &a, &d);
	is_str(d, "Иван", "encoded display name");
	msg_close(&m);

	/* the field's charsets and labels */
	static const char *const cs[][2] = {
		{ "=?shift_jis?B?kL+L?= =?shift_jis?B?gY+R?=", "請求書" },	/* a character split */
		{ "=?gb2312?B?zfWI0g==?=", "王堃" },	/* GBK bytes labelled GB2312 */
		{ "=?ks_c_5601-1987?B?udq5zsHY?=", "박민준" },	/* Outlook's label */
		{ "=?windows-1256?B?483jzw==?=", "محمد" },
		{ "=?ISO-2022-JP?B?GyRCQ21KOBsoQg==?=", "注文" },
		{ "=?big5?B?s6+n06n6?= x", "陳志明 x" },
		{ "=?iso-8859-1?Q?=47=72=C3=B6=C3=9F=65?=", "Größe" },	/* UTF-8 labelled Latin-1 */
		{ "=?us-ascii?Q?caf=E9?=", "café" },
		{ "=?unknown-8bit?Q?=93ok=94?=", "\xe2\x80\x9cok\xe2\x80\x9d" },	/* windows-1252 */
		{ "=?x-cp1251?Q?=CF=F0=E8?=", "При" },
		{ "=?koi8-r?B?8NLJ?= =?utf-8?Q?_=C3=A9?=", "При é" },
		{ "a =?no-such-charset?Q?x?= b", "a x b" } };
	for (size_t i = 0; i < sizeof cs / sizeof *cs; i++) {
		char *d = rfc2047_text(cs[i][0]);
		is_str(d, cs[i][1], "RFC 2047: %s", cs[i][0]);
		free(d);
	}

	/* exmh/MH In-Reply-To; the links in the order a parent is looked for */
	ok(msg_open(&m, S("Message-ID: <c@x>\nIn-Reply-To: Message from Tom Lane <tgl@sss.example>\n"
	    "  of \"Wed, 07 Aug 2002 01:38:55 EDT.\" <p@x>\nReferences: <r@x> <q@x>\n\n")) == 0, "MH header");
	msg_ids(&m, &ids);
	is_str(ids.irt, "p@x", "MH In-Reply-To: the id after the words");
	is_str(ids.irt_any, "p@x", "  ... not the sender's address");
	{
		const char *lk[8];
		size_t n = msg_links(&ids, lk, 8);
		is_int((long long)n, 3, "links: In-Reply-To, References deepest first");
		ok(n == 3 && !strcmp(lk[0], "p@x") && !strcmp(lk[1], "q@x") && !strcmp(lk[2], "r@x"),
		    "links in order");
		is_int((long long)msg_links(&ids, lk, 2), 2, "links: at most max");
	}
	msg_close(&m);
	ok(msg_open(&m, S("Message-ID: <c@x>\nIn-Reply-To: <g@gateway.example>\nReferences: <r@x>\n\n")) == 0,
	    "gateway header");
	msg_ids(&m, &ids);
	{
		const char *lk[8];
		size_t n = msg_links(&ids, lk, 8);
		ok(n == 2 && !strcmp(lk[0], "g@gateway.example") && !strcmp(lk[1], "r@x"),
		    "a rewritten In-Reply-To: it, then References; each once");
	}
	msg_close(&m);
	/* an address of the message's own header as an id: the same in all
	 * mail to that person, it links nothing */
	ok(msg_open(&m, S("From: Chen <chen@x.example>\nTo: Tom Lane <TGL@sss.example>, b@y\n"
	    "Message-ID: <c@x>\nIn-Reply-To: <tgl@sss.example>\nReferences: <r@x> <chen@x.example>\n\n")) == 0,
	    "address header");
	msg_ids(&m, &ids);
	{
		const char *lk[8];
		size_t n = msg_links(&ids, lk, 8);
		ok(n == 1 && !strcmp(lk[0], "r@x"), "an address of To or From as an id: not a link");
		is_str(ids.irt_any, "", "  ... not even as the last id of In-Reply-To");
	}
	msg_close(&m);
	ok(msg_open(&m, S("From: Chen <chen@x.example>\nTo: tgl@sss.example\n"
	    "Message-ID: <null@localhost>\nIn-Reply-To: <undefined@sss.example>\n"
	    "References: <r@x> <0000@x> <xtgl@sss.example>\n\n")) == 0, "placeholder header");
	msg_ids(&m, &ids);
	{
		const char *lk[8];
		size_t n = msg_links(&ids, lk, 8);
		ok(n == 2 && !strcmp(lk[0], "xtgl@sss.example") && !strcmp(lk[1], "r@x"),
		    "placeholders link nothing; an id that only holds an address is one");
		is_str(ids.mid, "", "a placeholder Message-ID: none (the message is known by its hash)");
	}
	msg_close(&m);

	/* first names for greetings */
	static const char *const fn[][2] = {
		{ "Schmidt, Anna", "Anna" }, { "\"Schmidt, Anna\"", "Anna" },
		{ "Anna Schmidt", "Anna" }, { "Dr. Anna Schmidt", "Anna" },
		{ "Herr Dr. Klaus Becker", "Klaus" }, { "Schmidt, Dr. Anna Maria", "Anna" },
		{ "Dr. Schmidt", "" }, { "J. Smith", "" }, { "anna@example.com", "" }, { "", "" },
		{ "Anna,", "Anna" }, { "'Anna Schmidt'", "Anna" }, { "ANNA SCHMIDT", "Anna" },
		{ "\xe7\x94\xb0\xe4\xb8\xad \xe5\xa4\xaa\xe9\x83\x8e", "\xe7\x94\xb0\xe4\xb8\xad \xe5\xa4\xaa\xe9\x83\x8e" },	/* 田中 太郎 */
		{ "\xea\xb9\x80\xec\xa7\x80\xec\x88\x98", "\xea\xb9\x80\xec\xa7\x80\xec\x88\x98" },	/* 김지수 */
		{ "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf \xd8\xa7\xd9\x84\xd8\xb9\xd9\x84\xd9\x8a", "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf" },	/* محمد العلي */
		{ "\xd8\xb9\xd8\xa8\xd8\xaf \xd8\xa7\xd9\x84\xd9\x84\xd9\x87 \xd8\xad\xd8\xb3\xd9\x86", "\xd8\xb9\xd8\xa8\xd8\xaf \xd8\xa7\xd9\x84\xd9\x84\xd9\x87" },	/* عبد الله حسن */
		{ "\xd7\x93\xd7\xa0\xd7\x94 \xd7\x9c\xd7\x95\xd7\x99", "\xd7\x93\xd7\xa0\xd7\x94" },	/* דנה לוי */
		{ "\xe2\x80\x9cMa\xc3\xaft\xc3\xa9\xe2\x80\x9d \xc3\x87" "elik", "Ma\xc3\xaft\xc3\xa9" } };
	for (size_t i = 0; i < sizeof fn / sizeof *fn; i++) {
		char out[64];
		msg_first_name(fn[i][0], out, sizeof out);
		is_str(out, fn[i][1], "first name of '%s'", fn[i][0]);
	}

	ok(msg_open(&m, S("Subject: =?UTF-8?B?2LPZgdin2LHYtCDZhdmG?=\n\n")) == 0, "Persian subject");
	is_str(msg_text(&m, "Subject"), "سفارش من", "base64 UTF-8");
	msg_close(&m);

	ok(msg_open(&m, S("Subject: caf\xe9 \x01 ok\nFrom: broken <<<@>>>\n\n")) == 0, "raw 8-bit");
	is_str(msg_text(&m, "Subject"), "caf\xef\xbf\xbd ok", "invalid UTF-8 replaced, control removed");
	ok(msg_addr(&m, "From", &a, &d) != 0 || a != NULL, "broken address: no crash");
	msg_close(&m);

	ok(msg_open(&m, S("hello world\n")) != 0, "not a header");
	msg_close(&m);
	ok(msg_open(&m, S("   \n From: x@y\nSubject: indented\n\n")) == 0, "leading junk tolerated");
	is_str(msg_text(&m, "Subject"), "indented", "fields after it found");
	msg_close(&m);
	ok(msg_open(&m, S("Subject: a\0b\n\n")) == 0, "NUL in header");
	is_str(msg_text(&m, "Subject"), "a b", "NUL read as a space");
	msg_free(&m);

	/* headers Mailutils would refuse: the body starts at the bad line */
	size_t fl;
	char *f = msg_sound_header(S("Subject: x\nhello\nmore\n"), &fl);
	is_str(f, "Subject: x\n\nhello\nmore\n", "a line that is no field begins the body");
	ok(f && fl == strlen(f), "its length");
	free(f);
	f = msg_sound_header(S("hello\n"), &fl);
	is_str(f, "\nhello\n", "no field at all: all body");
	free(f);
	f = msg_sound_header(S(" folded first\nX: y\n\nb\n"), &fl);
	is_str(f, "\n folded first\nX: y\n\nb\n", "a continuation line first: all body");
	free(f);
	ok(msg_sound_header(S("Subject: x\n y\nTo: a@b\n\nbody: no\n"), &fl) == NULL, "a sound header: NULL");
	ok(msg_sound_header(S("Subject: x\r\n\r\nb\r\n"), &fl) == NULL, "CRLF: sound");
	f = msg_for_mailutils(S("Subject: x\r\nbad\r\n\r\nb\r\n"), &fl);
	is_str(f, "Subject: x\n\nbad\n\nb\n", "for Mailutils: LF line ends and a sound header");
	ok(f && fl == strlen(f), "  ... its length");
	free(f);
	f = msg_for_mailutils(S("Subject: x\n\nb\r\n"), &fl);
	is_str(f, "Subject: x\n\nb\n", "a CR LF in the body is made LF too");
	free(f);
	ok(msg_for_mailutils(S("Subject: x\n\nb\n"), &fl) == NULL, "nothing to change: NULL");
	{
		struct buf lb = { 0 };
		buf_adds(&lb, "Subject: ");
		for (int i = 0; i < 20000; i++)
			buf_addc(&lb, 'x');
		buf_adds(&lb, "\nTo: a@b\n\n");
		for (int i = 0; i < 20000; i++)
			buf_addc(&lb, 'y');
		buf_adds(&lb, "\n");
		f = msg_for_mailutils(lb.p, lb.len, &fl);
		ok(f && strstr(f, "\nTo: a@b\n\n") && strchr(f, '\n') - f == 16384 &&
		    fl == 16385 + 9 + 20001, "a long header line is cut at 16384 bytes, the body is not");
		free(f);
		buf_free(&lb);
		buf_adds(&lb, "X-Long: a\n");
		for (int i = 0; i < 2000; i++)
			buf_adds(&lb, " folded line of the same field\n");
		buf_adds(&lb, "To: a@b\n\nbody\n");
		f = msg_for_mailutils(lb.p, lb.len, &fl);
		ok(f && fl < 16384 + 600 && strstr(f, "\nTo: a@b\n\nbody\n"),
		    "a field folded over many lines is cut at 16384 bytes (and its line ends) too (%zu)", fl);
		free(f);
		buf_free(&lb);
	}
	return done_testing();
}
