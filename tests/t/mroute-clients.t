#!/bin/sh
# mroute: replies as real mail clients write them (tests/data/mail/clients/)
# are filed into their ticket when they come ten days later, after the
# same-subject window (2 days) has passed, so that only the reply's own
# header fields can find the ticket: Outlook (Thread-Index and
# Thread-Topic, with References and In-Reply-To, with In-Reply-To only, and
# with neither), Gmail, Apple Mail, Thunderbird, Lotus Notes, exmh/MH,
# mutt, K-9 Mail and iOS Mail, with their quoting styles and reply prefixes
# in the customer's language.  mthread threads each pair the same way.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
C=$DATA/mail/clients

export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR"

# first CLIENT MESSAGE-ID SUBJECT [THREAD-INDEX]: the customer's first mail,
# from the sender of CLIENT's reply
first() {
	from=$(sed -n 's/^From: *//p' "$C/$1.eml" | head -1)
	{
		printf 'From: %s\nTo: Lumen Books Support <support@lumen.example>\n' "$from"
		printf 'Subject: %s\nDate: Mon, 02 Nov 2026 09:00:00 +0000\n' "$3"
		printf 'Message-ID: <%s>\n' "$2"
		[ -n "${4:-}" ] && printf 'Thread-Topic: %s\nThread-Index: %s\n' "$3" "$4"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\n'
		printf 'Please help.\n'
	} >"$TMP/$1.first"
}
# answer CLIENT: the desk's answer, as mreply records it
answer() {
	{
		printf 'From: Lumen Books Support <support@lumen.example>\n'
		printf 'To: %s\n' "$(sed -n 's/^From: *//p' "$C/$1.eml" | head -1)"
		printf 'Subject: Re: %s\nDate: Mon, 02 Nov 2026 11:00:00 +0000\n' "$2"
		printf 'Message-ID: <answer-%s@lumen.example>\nReferences: <%s>\nIn-Reply-To: <%s>\n' "$1" "$3" "$3"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\nWe are on it.\n'
	} >"$TMP/$1.answer"
}
hdr() { sed -n "/^\$/q; s/^$1: //p" "$2" | head -1; }
# the rule that filed the last message of ticket T
rule_of() {
	grep '"type":"received"' "$(ls -d "$MDESK_DIR"/tickets/*/"$1")/events.jsonl" | tail -1 |
		jq -r .thread
}

# client  first Message-ID  subject  Thread-Index of the first mail  rule
while IFS='|' read -r client fmid subj ti rule; do
	first "$client" "$fmid" "$subj" "$ti"
	mroute --now 2026-11-02T09:00:05Z <"$TMP/$client.first" >"$TMP/out" 2>"$TMP/err"
	T=$(hdr X-Mdesk-Ticket "$TMP/out")
	answer "$client" "$subj" "$fmid"
	record_reply "$T" "$TMP/$client.answer" 2026-11-02T11:00:05Z ana
	mroute --now 2026-11-12T13:00:00Z <"$C/$client.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "$client: the reply ten days later goes into its ticket" \
		"$rc $(hdr X-Mdesk-Status "$TMP/out") $(hdr X-Mdesk-Ticket "$TMP/out")" "0 reply $T"
	is "$client: found by $rule" "$(rule_of "$T")" "$rule"
	# mthread: the first mail, the answer and the reply are one thread
	{
		printf 'From x Mon Nov  2 09:00:00 2026\n'; cat "$TMP/$client.first"; echo
		printf 'From x Mon Nov  2 11:00:00 2026\n'; cat "$TMP/$client.answer"; echo
		printf 'From x Thu Nov 12 13:00:00 2026\n'; cat "$C/$client.eml"; echo
	} >"$TMP/$client.mbox"
	is "$client: mthread, one thread of 3" \
		"$(mthread "$TMP/$client.mbox" | jq -r '.count')" 3
done <<'EOF'
outlook-refs|first-outlook-refs@contoso.example|Rechnung 4471 fehlt|v+OMuaB9E57iU2jsU/exnFr6bMTOSA==|in-reply-to
outlook-ti-only|first-outlook-ti-only@contoso.example|Lieferung verspaetet|RIaFNtj6nddkNgHfaCbDPNX2umxYkA==|thread-index
outlook-irt-only|first-outlook-irt-only@fabrikam.example|Order 88120 damaged|eNISZ18Lu0oyTlSbVfe2q2gUEVPhgw==|in-reply-to
gmail|first-gmail@gmail.example|¿Dónde está mi pedido?||in-reply-to
apple-mail|first-apple-mail@icloud.example|Colis abîmé||in-reply-to
thunderbird|first-thunderbird@posteo.example|Login funktioniert nicht||in-reply-to
lotus-notes|first-lotus-notes@initech.example|Lieferschein fehlt||in-reply-to
exmh|first-exmh@sss.example|License key does not work||in-reply-to
mutt|20261102095500.GA1234@novak.example|Export of my data||in-reply-to
k9|first-k9@yandex.example|Заказ не доставлен||in-reply-to
ios-mail|first-ios-mail@icloud.example|Refund for order 55102||in-reply-to
EOF

# the Thread-Index of a first mail is found again after the index is
# rebuilt from the events (derived data, deleted)
ids=$(find "$MDESK_DIR/.git" -type d -name ids | head -1)
check "the index is where it is looked for" "test -f '$ids/HEAD'"
rm -rf "$ids"
sed 's/^Message-ID: <AM9PR04MB7717A1B2/Message-ID: <AM9PR04MB7717A1B3/' "$C/outlook-ti-only.eml" >"$TMP/again.eml"
T=$(grep -l 'first-outlook-ti-only@contoso.example' "$MDESK_DIR"/tickets/*/*/events.jsonl | sed 's|.*/\([^/]*\)/events.jsonl|\1|')
mroute --now 2026-11-13T13:00:00Z <"$TMP/again.eml" >"$TMP/out" 2>"$TMP/err"
is "Thread-Index: found after the index is rebuilt" "$(hdr X-Mdesk-Ticket "$TMP/out")" "$T"

# a Thread-Index that names no first mail on the desk opens a ticket
sed 's/^Thread-Index: .*/Thread-Index: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/; s/^Message-ID: <AM9PR04MB7717A1B2/Message-ID: <AM9PR04MB7717A1B4/; s/^Subject: .*/Subject: AW: Neue Frage/' \
	"$C/outlook-ti-only.eml" >"$TMP/other.eml"
mroute --now 2026-11-13T13:00:00Z <"$TMP/other.eml" >"$TMP/out" 2>"$TMP/err"
is "another Thread-Index: a new ticket" "$(hdr X-Mdesk-Status "$TMP/out")" new
done_testing
