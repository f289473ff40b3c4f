/* Unit tests: common/outmsg.c (headers parsed back by msg.c, which
 * decodes through Mailutils). */
#include <stdio.h>
#include <stdlib.h>
#include "msg.h"
#include "outmsg.h"
#include "event.h"
#include "tap.h"

static struct buf b;
static struct msg m;

/* Write one header with fn, parse it back, return the decoded value. */
static const char *back(const char *name)
{
	buf_adds(&b, "\n");
	msg_close(&m);
	msg_open(&m, b.p, b.len);
	return msg_text(&m, name);
}

static int lines_ok(const char *s)
{
	for (const char *p = s; *p;) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > 78)
			return 0;
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)p[i] >= 0x80 || p[i] == '\r')
				return 0;
		if (!nl)
			break;
		p = nl + 1;
	}
	return 1;
}

int main(void)
{
	b.len = 0;
	hdr_text(&b, "Subject", "Re: Refund for order 1042 [#7K2QXA]");
	is_str(b.p, "Subject: Re: Refund for order 1042 [#7K2QXA]\n", "plain ASCII stays plain");
	b.len = 0;
	hdr_text(&b, "Subject", "Re: Livro chegou com a capa rasgada — pedido LB-50112 [#7K2QXA]");
	ok(lines_ok(b.p), "encoded: ASCII lines of at most 78");
	ok(strstr(b.p, "Subject: Re: Livro chegou com a capa rasgada =?UTF-8?Q?") != NULL,
	    "only the words that need it are encoded");
	is_str(back("Subject"), "Re: Livro chegou com a capa rasgada — pedido LB-50112 [#7K2QXA]",
	    "  ... and decode back");
	b.len = 0;
	const char *ru = "Re: Заказ не пришёл, прошло уже три недели, помогите пожалуйста разобраться [#7K2QXA]";
	hdr_text(&b, "Subject", ru);
	ok(lines_ok(b.p), "a long Cyrillic subject folds into short ASCII lines");
	is_str(back("Subject"), ru, "  ... and decodes back whole");
	b.len = 0;
	hdr_text(&b, "Subject", "evil\r\nBcc: victim@example.com");
	ok(!strstr(b.p, "\nBcc:"), "a line break cannot start a header");
	is_str(back("Subject"), "evil Bcc: victim@example.com", "  ... it is a blank");
	b.len = 0;
	hdr_text(&b, "Subject", "=?UTF-8?Q?fake?= word");
	is_str(back("Subject"), "=?UTF-8?Q?fake?= word", "text that looks encoded stays literal");
	b.len = 0;
	hdr_text(&b, "Subject", "a-very-long-word-without-any-blank-in-it-that-passes-the-line-length-of-mail-headers");
	ok(lines_ok(b.p), "a long word is encoded so it can fold");
	is_str(back("Subject"), "a-very-long-word-without-any-blank-in-it-that-passes-the-line-length-of-mail-headers",
	    "  ... and decodes whole");

	const char *a, *d;
	b.len = 0;
	ok(hdr_addr(&b, "To", "João Pereira", "joao.pereira@uol.example") == 0, "an address");
	back("To");
	ok(msg_addr(&m, "To", &a, &d) == 0 && !strcmp(a, "joao.pereira@uol.example") &&
	    d && !strcmp(d, "João Pereira"), "  ... with an encoded name, parsed back");
	b.len = 0;
	hdr_addr(&b, "From", "Marsh, Bob", "bob@lumen.example");
	is_str(b.p, "From: \"Marsh, Bob\" <bob@lumen.example>\n", "a name with a comma is quoted");
	b.len = 0;
	hdr_addr(&b, "From", "Ev\"il\nBcc: x@y", "bob@lumen.example");
	ok(!strstr(b.p, "\nBcc"), "a name cannot break the header");
	ok(hdr_addr(&b, "To", NULL, "a@b\nBcc: c@d") < 0, "an address with a line break is refused");
	ok(hdr_addr(&b, "To", NULL, "no-at-sign") < 0, "an address without @ is refused");
	b.len = 0;
	ok(hdr_addrlist(&b, "Cc", "Read More <accounts@readmore.example>, =?UTF-8?Q?Jo=C3=A3o?= <j@x.example>") == 0,
	    "an address list");
	is_str(b.p, "Cc: Read More <accounts@readmore.example>,\n =?UTF-8?Q?Jo=C3=A3o?= <j@x.example>\n",
	    "  ... written again, one address a line");
	ok(hdr_addrlist(&b, "Cc", "") < 0, "an empty list is refused");

	const char *qs = "Olá, João!\nFrom here\n.\nend  \n= sign\n";
	char *q = qp_encode(qs, strlen(qs));
	is_str(q, "Ol=C3=A1, Jo=C3=A3o!\n=46rom here\n=2E\nend =20\n=3D sign\n", "quoted-printable");
	free(q);
	char longl[200];
	memset(longl, 'x', 150);
	longl[150] = 0;
	q = qp_encode(longl, 150);
	ok(strlen(q) == 152 && q[75] == '=' && q[76] == '\n', "soft line breaks at 76");
	free(q);
	memset(longl, 0, sizeof longl);
	for (int i = 0; i < 40; i++)
		strcat(longl, "é");
	q = qp_encode(longl, strlen(longl));
	int fine = 1;
	for (char *p = q; *p;) {
		char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		fine &= n <= 76;
		if (nl)
			fine &= n > 0 && p[n - 1] == '=';
		if (!nl)
			break;
		p = nl + 1;
	}
	ok(fine, "no escape is split by a soft break");
	free(q);

	char id[300], id2[300];
	setenv("MDESK_MSGID_SEED", "t", 1);
	msgid_new(id, sizeof id, "lumen.example", 1793718000LL);
	msgid_new(id2, sizeof id2, "lumen.example", 1793718000LL);
	ok(!strncmp(id, "20261103150000.", 15) && strstr(id, "@lumen.example") && strcmp(id, id2),
	    "Message-IDs: time, random part, domain, unique");
	unsetenv("MDESK_MSGID_SEED");

	const char *refs[30];
	char store[30][40];
	for (int i = 0; i < 30; i++) {
		snprintf(store[i], sizeof store[i], "id%02d@example.com", i);
		refs[i] = store[i];
	}
	b.len = 0;
	hdr_references(&b, refs, 2, "parent@example.com", 20);
	is_str(b.p, "References: <id00@example.com>\n <id01@example.com>\n <parent@example.com>\n",
	    "References: parent's and the parent");
	b.len = 0;
	hdr_references(&b, refs, 30, "parent@example.com", 10);
	ok(strstr(b.p, "<id00@example.com>") && !strstr(b.p, "<id01@") && !strstr(b.p, "<id21@") &&
	    strstr(b.p, "<id22@") && strstr(b.p, "<parent@"), "trimmed: the first and the newest");
	b.len = 0;
	hdr_references(&b, NULL, 0, NULL, 10);
	is_int(b.len, 0, "no ids, no field");

	char ti[200];
	/* 22 bytes: a Thread-Index written by Outlook */
	ok(thread_index_reply("AdlN4Jqa1d2e3f4g5h6i7j8k9l0m1g==", 1793718000LL, ti, sizeof ti) == 0,
	    "Thread-Index of a reply");
	is_int(strlen(ti), 36, "  ... 27 bytes");
	ok(!strncmp(ti, "AdlN4Jqa1d2e3f4g5h6i7j8k9l0m1", 29), "  ... begins with the parent's");
	ok(thread_index_reply("bm90IGEgdGhyZWFkIGluZGV4", 0, ti, sizeof ti) < 0, "a wrong length is refused");

	char dt[64];
	rfc5322_date(1793718000LL, dt, sizeof dt);
	is_str(dt, "Tue, 03 Nov 2026 15:00:00 +0000", "RFC 5322 date");
	buf_free(&b);
	msg_free(&m);
	{	/* a mail to agents about a ticket: its headers, no line break
		 * smuggled from the subject, the summary */
		struct ticket t = { .id = "AB12CD34", .subject = "Late\nBcc: x@evil.example",
			.customer = "cli@example.com", .customer_name = "Cli", .status = "open",
			.priority = "high", .assignee = "ana" };
		struct addrs to = { 0 };
		addrs_add(&to, "bob@desk.example", "Bob");
		addrs_add(&to, "dmitri@desk.example", NULL);
		struct buf m = { 0 };
		mail_about_ticket(&m, &t, 1794128400LL, "Ana", "ana@desk.example", &to, "reminder",
		    "Your reminder", "call \001back");
		buf_add(&m, "", 1);
		ok(strstr(m.p, "\nFrom: Ana <ana@desk.example>\n") != NULL, "notice: From");
		ok(strstr(m.p, "\nTo: Bob <bob@desk.example>,\n dmitri@desk.example\n") != NULL,
		    "notice: To every address");
		ok(strstr(m.p, "\nSubject: [AB12CD34] reminder: Late Bcc: x@evil.example\n") != NULL,
		    "notice: the subject on one line");
		ok(!strstr(m.p, "\nBcc:"), "notice: no line from the subject, in the header or the body");
		ok(strstr(m.p, "@desk.example>\nAuto-Submitted: auto-generated\nX-Mdesk-Ticket: AB12CD34\n")
		    != NULL, "notice: automatic, its ticket named");
		ok(strstr(m.p, "\n\nYour reminder:\n\ncall") != NULL, "notice: intro and text");
		ok(!strchr(m.p, 1), "notice: no control character in the body");
		ok(strstr(m.p, "Customer: Cli <cli@example.com>\nStatus:   open   Priority: high") != NULL,
		    "notice: the summary");
		buf_free(&m);
		addrs_free(&to);
	}
	return done_testing();
}
