#!/bin/sh
# valgrind: no
# What a message claims is not who sent it: acknowledgements (mroute
# --ack) go to the customer of record and are limited per address and for
# the whole desk; a Reply-To or Sender other than From is recorded and
# shown, never followed; mail in an agent's name changes no status or
# service level and is never that agent's reply.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D"
NOW=--now=2026-11-03T13:00:00Z
capture_mailer "$D"
sent_to() { cat "$TMP"/sent/*.eml 2>/dev/null | grep -i '^\(to\|cc\|bcc\):' | grep -c -- "$1"; }

# ---------------------------------------------------------------- a relay through Reply-To
i=1
while [ $i -le 20 ]; do
	printf 'From eve%d@evil.example Tue Nov  3 12:00:00 2026\n' $i
	printf 'From: Eve %d <eve%d@evil.example>\nReply-To: "Claim" <target@victim.example>\n' $i $i
	printf 'To: support@lumen.example\nSubject: Hello %d from your friend\nMessage-ID: <eve-%d@evil.example>\n\nHi.\n\n' $i $i
	i=$((i + 1))
done >"$TMP/eve.mbox"
mroute $NOW --ack "$TMP/eve.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "20 senders, one Reply-To, mroute --ack: exit 0, 20 tickets" "$rc $(grep -c '^X-Mdesk-Status: new' "$TMP/out")" "0 20"
is "  ... no acknowledgement reaches the Reply-To (at most the limit may)" "$(sent_to target@victim.example)" 0
is "  ... each went to its sender, the customer of record" "$(sent_to 'eve[0-9]*@evil.example')" 20
T=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out" | head -1)
is "  ... the Reply-To is recorded in the received event" \
	"$(mdesk show --json "$T" | jq -r '.events[] | select(.type == "received") | .reply_to')" target@victim.example
check "  ... and shown by mdesk show" "mdesk show '$T' | grep -q 'reply_to=target@victim.example'"

# ---------------------------------------------------------------- the rate counts the address an ack goes to
rm -f "$TMP"/sent/*
for k in 1 2 3 4 5; do
	printf 'From: Target <target@victim.example>\nTo: support@lumen.example\nSubject: Question number %d\nMessage-ID: <t-%d@victim.example>\n\nHi.\n' $k $k |
		mroute --now 2026-11-03T14:0$k:00Z --ack >/dev/null 2>>"$TMP/err5"
done
is "five tickets of one address: three acknowledgements ([ack] rate = 3/1d)" "$(sent_to target@victim.example)" 3
check "  ... mreply says why" "grep -q 'acknowledgements to target@victim.example within 1d already' '$TMP/err5'"

# ---------------------------------------------------------------- the desk's ceiling
rm -f "$TMP"/sent/*
sed -i 's/^ceiling = .*/ceiling = 5\/1h/' "$D/desk.conf"
git -C "$D" commit -qam "ceiling = 5/1h"
sed 's/eve/mallory/g' "$TMP/eve.mbox" >"$TMP/mallory.mbox"
mroute --now 2026-11-03T14:30:00Z --ack "$TMP/mallory.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "20 more senders within the hour: exit 0, 20 tickets" "$rc $(grep -c '^X-Mdesk-Status: new' "$TMP/out")" "0 20"
is "  ... acknowledgements stop at the ceiling (5 an hour: 3 sent since 13:30, 2 now)" \
	"$(ls "$TMP"/sent/ | grep -c args)" 2
check "  ... mreply says why" "grep -q 'from the desk within 1h already (.ack. ceiling = 5/1h)' '$TMP/err'"
check "mdesk check: ceiling is a known key" "mdesk check >/dev/null 2>&1"

# ---------------------------------------------------------------- From claims the customer
printf 'From: Vera <victim@customer.example>\nTo: support@lumen.example\nSubject: My order\nMessage-ID: <v1@customer.example>\n\nWhere is my order?\n' >"$TMP/v1.eml"
V=$(mroute --now 2026-11-03T15:00:00Z <"$TMP/v1.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
printf 'From: Vera <victim@customer.example>\nReply-To: attacker@evil.example\nTo: support@lumen.example\nSubject: Re: [#%s] update\nMessage-ID: <v2@evil.example>\n\nSend it elsewhere.\n' "$V" >"$TMP/v2.eml"
mroute --now 2026-11-03T15:10:00Z <"$TMP/v2.eml" >"$TMP/out"
is "From the customer, Reply-To another: filed in the customer's ticket" "$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")" "$V"
is "  ... the claim recorded, the customer unchanged" \
	"$(mdesk show --json "$V" | jq -c '[.customer, (.events[] | select(.message_id == "v2@evil.example") | .reply_to)]')" \
	'["victim@customer.example","attacker@evil.example"]'
printf 'From: undisclosed-recipients:;\nSender: victim@customer.example\nTo: support@lumen.example\nSubject: Re: [#%s] update\nMessage-ID: <v3@evil.example>\n\nAgain.\n' "$V" >"$TMP/v3.eml"
mroute --now 2026-11-03T15:20:00Z <"$TMP/v3.eml" >/dev/null
is "From with no address, Sender the customer's: the Sender recorded as such" \
	"$(mdesk show --json "$V" | jq -c '.events[] | select(.message_id == "v3@evil.example") | [.from, .sender]')" \
	'["victim@customer.example","victim@customer.example"]'
check "  ... shown by mdesk show" "mdesk show '$V' | grep -q 'sender=victim@customer.example'"

# ---------------------------------------------------------------- From claims an agent
before=$(msla --now 2026-11-03T15:40:00Z --all --format json "$V" | jq -r 'select(.metric == "first_reply") | .state')
printf 'From: Ana Ribeiro <ana.ribeiro@lumen.example>\nTo: support@lumen.example\nSubject: Re: [#%s] update\nMessage-ID: <a1@evil.example>\n\nSolved, nothing to see.\n' "$V" >"$TMP/a1.eml"
mroute --now 2026-11-03T15:30:00Z <"$TMP/a1.eml" >"$TMP/out"
is "From an agent's address with the token: filed in the ticket, tagged review" \
	"$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out") $(mdesk show --json "$V" | jq -c '.tags | index("review") != null')" "$V true"
is "  ... never ana's reply: no replied event, no reply counted, status unchanged" \
	"$(mdesk show --json "$V" | jq -c '[([.events[] | select(.type == "replied")] | length), .replies, .status, .first_reply]')" \
	'[0,0,"open",null]'
is "  ... the first reply's clock runs as before ($before)" \
	"$(msla --now 2026-11-03T15:40:00Z --all --format json "$V" | jq -r 'select(.metric == "first_reply") | .state')" "$before"
is "  ... git status clean" "$(porcelain)" ""

done_testing
