/* Unit tests: common/conversation.c: the desk's own addresses, the
 * participants of a conversation (copied only by participants), the
 * claims of a message (Reply-To, Sender). */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "conversation.h"
#include "scratch.h"
#include "tap.h"
#include "tickets.h"

static char got[400];

static void claim(void *ctx, const char *field, const char *addr)
{
	(void)ctx;
	snprintf(got + strlen(got), sizeof got - strlen(got), "%s=%s;", field, addr);
}

int main(void)
{
	char root[128], p[600];
	static const char conf[] = "fsync = no\ndomain = lumen.example\n[queue support]\n"
	    "address = help@lumen.io\n";
	struct desk d;
	scratch_desk(&d, root, sizeof root, "co", conf);
	d.now = 1794128400LL;
	scratch_put(&d, "desk.conf", conf);
	struct agents ag = { 0 };
	static const char csv[] = "login,name,email,groups,skills,languages,capacity,status,calendar\n"
	    "ana,Ana,ana@elsewhere.example,,,,,active,\n";
	ok(agents_parse(&ag, csv, strlen(csv), NULL) == 0, "agents");
	ok(desk_own_address(&d, &ag, "help@lumen.io"), "a queue's address is the desk's");
	ok(desk_own_address(&d, &ag, "ANA@elsewhere.example"), "an agent's too");
	ok(desk_own_address(&d, &ag, "x@lumen.example"), "and the desk's domain");
	ok(!desk_own_address(&d, &ag, "vera@customer.example"), "a customer's is not");
	is_str(desk_queue_of(&d, "Help@Lumen.io"), "support", "the queue of an address");

	scratch_put(&d, "tickets/AB/ABCDEF12/events.jsonl",
	    "{\"at\":\"2026-11-02T09:00:00Z\",\"by\":\"customer\",\"id\":\"1\",\"type\":\"received\","
	    "\"message_id\":\"m1@x\",\"from\":\"vera@customer.example\",\"file\":\"0001.eml\"}\n"
	    "{\"at\":\"2026-11-02T09:10:00Z\",\"by\":\"customer\",\"id\":\"2\",\"type\":\"received\","
	    "\"message_id\":\"m2@x\",\"from\":\"eve@evil.example\",\"file\":\"0002.eml\"}\n"
	    "{\"at\":\"2026-11-02T09:20:00Z\",\"by\":\"customer\",\"id\":\"3\",\"type\":\"received\","
	    "\"message_id\":\"m3@x\",\"from\":\"john@partner.example\",\"file\":\"0003.eml\"}\n");
	scratch_put(&d, "tickets/AB/ABCDEF12/0001.eml", "From: Vera <vera@customer.example>\n"
	    "To: help@lumen.io, ana@elsewhere.example\nCc: John Hale <john@partner.example>\n"
	    "Subject: S\n\nhi\n");
	scratch_put(&d, "tickets/AB/ABCDEF12/0002.eml", "From: eve@evil.example\n"
	    "To: help@lumen.io\nCc: mallory@evil.example\nSubject: Re: S\n\nme too\n");
	scratch_put(&d, "tickets/AB/ABCDEF12/0003.eml", "From: john@partner.example\n"
	    "To: help@lumen.io\nCc: vera@customer.example, kim@partner.example\n"
	    "Subject: Re: S\n\nok\n");
	struct ticket t;
	ok(ticket_load(&d, "ABCDEF12", &t, NULL, 1) == 0, "the ticket");
	struct addrs l = { 0 };
	ticket_participants(&d, &ag, &t, 0, &l);
	struct buf b = { 0 };
	for (size_t i = 0; i < l.n; i++) {
		buf_adds(&b, l.addr[i]);
		buf_addc(&b, ' ');
	}
	is_str(buf_cstr(&b), "vera@customer.example john@partner.example kim@partner.example ",
	    "participants: the customer, whom she copied, whom they copied; not the desk, "
	    "not a stranger's copies");
	buf_free(&b);
	addrs_free(&l);
	ticket_free(&t);

	static const char hdr[] = "From: vera@customer.example\nReply-To: attacker@evil.example\n"
	    "Sender: VERA@customer.example\n\n";
	struct msg m = { 0 };
	msg_open(&m, hdr, sizeof hdr - 1);
	is_int(reply_claims(&m, "vera@customer.example", claim, NULL), 1, "one claim");
	is_str(got, "Reply-To=attacker@evil.example;", "  ... the Reply-To, not the same Sender");
	msg_free(&m);
	agents_free(&ag);
	desk_close(&d);
	snprintf(p, sizeof p, "rm -rf '%s'", root);
	if (system(p) != 0)
		return 1;
	return done_testing();
}
