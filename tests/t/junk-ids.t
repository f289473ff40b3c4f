#!/bin/sh
# Message-IDs that name no one message join nothing, in mthread and in
# mroute alike: a placeholder a broken mailer writes into every message
# ("<null@localhost>", "<undefined@...>", only zeros), and a person's
# address given as In-Reply-To by a gateway.  A message whose own
# Message-ID is a placeholder is known by its hash, so the next one with
# that id is not taken for a copy of it (and dropped); mroute does the same
# for any Message-ID it stored for another message (From, Date or Subject
# differ).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"

# msg FILE FROM TO MESSAGE-ID SUBJECT [IN-REPLY-TO]
msg() {
	{
		printf 'From x Mon Nov  9 10:00:00 2026\n'
		printf 'From: %s\nTo: %s\nSubject: %s\n' "$2" "$3" "$5"
		printf 'Date: Mon, 9 Nov 2026 10:00:00 +0000\nMessage-ID: <%s>\n' "$4"
		[ -n "${6:-}" ] && printf 'In-Reply-To: <%s>\n' "$6"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\nText of %s.\n\n' "$1"
	} >"$TMP/$1.mbox"
}
DESK='support@lumen.example'
# three strangers' mailers write the same In-Reply-To
msg n1 'Ana <ana@a.example>' "$DESK" n1@a.example 'Printer jam' null@localhost
msg n2 'Bo <bo@b.example>' "$DESK" n2@b.example 'Refund' null@localhost
msg n3 'Cy <cy@c.example>' "$DESK" n3@c.example 'Login fails' 00000@localhost
# one mailer writes the same Message-ID into every message
msg u1 'Dee <dee@d.example>' "$DESK" undefined@mailer.example 'Order 1'
msg u2 'Eve <eve@e.example>' "$DESK" undefined@mailer.example 'Order 2'
# a gateway names the author as In-Reply-To, in two unrelated answers
msg g0 'Tom Lane <tgl@sss.example>' "$DESK" g0@sss.example 'Vacuum'
msg g1 'Chen <chen@c.example>' 'Tom Lane <tgl@sss.example>' g1@c.example 'Re: Vacuum' tgl@sss.example
msg g2 'Dora <dora@d.example>' 'Tom Lane <tgl@sss.example>' g2@d.example 'Re: Indexes' tgl@sss.example

threads() { cat "$@" | mthread --format json | jq -s 'map(.messages | map(select(.index != null)) | length)' | tr -d ' \n'; }
is "mthread: a placeholder In-Reply-To joins nothing" "$(threads "$TMP/n1.mbox" "$TMP/n2.mbox" "$TMP/n3.mbox")" "[1,1,1]"
is "mthread: two messages of one placeholder Message-ID are two" "$(threads "$TMP/u1.mbox" "$TMP/u2.mbox")" "[1,1]"
is "mthread: an address as In-Reply-To joins nothing" "$(threads "$TMP/g0.mbox" "$TMP/g1.mbox" "$TMP/g2.mbox")" "[1,1,1]"

export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR" && manualdesk "$MDESK_DIR"
route() { mroute --now 2026-11-09T10:00:05Z <"$TMP/$1.mbox" | sed -n '/^$/q; s/^X-Mdesk-\(Ticket\|Status\): //p' | tr '\n' ' '; }
tickets() { mdesk ls --all | jq -r .id | sort -u | grep -c .; }
for f in n1 n2 n3; do route $f >/dev/null; done
u1=$(route u1) u2=$(route u2)
is "mroute: the second message of a placeholder Message-ID is new, not a duplicate (five tickets)" \
	"$(echo "$u1" | cut -d' ' -f2) $(echo "$u2" | cut -d' ' -f2) $(tickets)" "new new 5"
is "mroute: ... and stored" "$(mdesk show --json "$(echo "$u2" | cut -d' ' -f1)" | jq -r .subject)" "Order 2"
for f in g0 g1 g2; do route $f >/dev/null; done
is "mroute: an address as In-Reply-To files into no ticket of that person" "$(tickets)" 8

# A mailer that writes one Message-ID, not a placeholder, into every
# message: the second, another message, is filed (by its hash), not dropped
# as a copy; a copy of either, delivered again by another way, is one.
msg r1 'Hal <hal@h.example>' "$DESK" 4FEEF9B3.7060508@h.example 'Scan 1'
msg r2 'Hal <hal@h.example>' "$DESK" 4FEEF9B3.7060508@h.example 'Scan 2'
r1=$(route r1) r2=$(route r2)
is "mroute: a second message under a known Message-ID is new" \
	"$(echo "$r1" | cut -d' ' -f2) $(echo "$r2" | cut -d' ' -f2) $(tickets)" "new new 10"
is "mroute: ... stored, known by its hash" \
	"$(mdesk show --json "$(echo "$r2" | cut -d' ' -f1)" | jq -r '[.subject, (.events[0].message_id | test("^mdesk-[0-9a-f]{16}@hash.invalid$"))] | @tsv')" \
	"$(printf 'Scan 2\ttrue')"
h=$(head_id)
for f in r1 r2; do sed '2i Received: from relay2.example by mx.lumen.example; Mon, 9 Nov 2026 10:00:03 +0000' "$TMP/$f.mbox" >"$TMP/$f.again.mbox"; done
a1=$(route r1.again) a2=$(route r2.again)
is "mroute: copies of both delivered again: duplicates of their tickets, nothing committed" \
	"$a1$a2$(head_id)" "$(echo "$r1" | cut -d' ' -f1) duplicate $(echo "$r2" | cut -d' ' -f1) duplicate $h"
# in one batch, the first not yet committed
export MDESK_DIR="$TMP/desk2"
newdesk "$MDESK_DIR" && manualdesk "$MDESK_DIR"
cat "$TMP/r1.mbox" "$TMP/r2.mbox" "$TMP/r1.again.mbox" | mroute --now 2026-11-09T10:00:05Z |
	sed -n 's/^X-Mdesk-Status: //p' | tr '\n' ' ' >"$TMP/st"
is "mroute: one batch: new, new, duplicate" "$(cat "$TMP/st")" "new new duplicate "

done_testing
