#!/bin/sh
# valgrind: yes
# mreply --forward: the conversation (or one message) to a third party as
# message/rfc822 parts with the agent's words, recorded as an internal
# event that is no reply and moves no deadline; the third party's answer
# (In-Reply-To the forward) is filed on the ticket as internal, shown to
# agents, never quoted to the customer, never answered to the customer.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D" MDESK_MSGID_SEED=forward
cat >"$TMP/sendmail" <<EOS
#!/bin/sh
n=\$(ls "$TMP" | grep -c '^sent\\.')
cat >"$TMP/sent.\$n"
EOS
chmod +x "$TMP/sendmail"
sed -i "s|^mailer = .*|mailer = sendmail://$TMP/sendmail|" "$D/desk.conf"
git -C "$D" commit -qam "mail through the capture script"
hdr() { awk -v h="$1" 'BEGIN { IGNORECASE = 1 } /^$/ { exit }
	/^[ \t]/ { if (on) v = v " " substr($0, 2); next }
	{ if (on) exit; on = (tolower(substr($0, 1, length(h) + 1)) == tolower(h) ":"); if (on) v = substr($0, length(h) + 3) }
	END { print v }' "$2"; }
state() { mdesk show "$1" --json | jq -c "$2"; }
NOW=--now=2026-11-02T10:00:00Z
cat >"$TMP/m.eml" <<'EOM'
From: Maria Costa <maria@shop.example>
To: support@lumen.example
Subject: Parcel LB-77 lost in transit
Message-ID: <p1@shop.example>
Date: Mon, 2 Nov 2026 08:00:00 +0000

My parcel LB-77 never arrived. Tracking stops in Porto.
EOM
T=$(mroute --now 2026-11-02T08:00:00Z <"$TMP/m.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
before=$(state "$T" '[.status, .replies, .first_reply]')
printf 'Please trace parcel LB-77; the customer is waiting.\n' >"$TMP/words"

mreply --forward --as ana $NOW --ticket "$T" --to carrier@partner.example --text "$TMP/words" >"$TMP/f0.eml"; rc=$?
is "--forward without --send: a preview, exit 0" "$rc $(state "$T" .replies)" "0 0"
w "--forward --send: sent and recorded" mreply --forward --send --as ana $NOW --ticket "$T" --to "Porto Carrier <carrier@partner.example>" --text "$TMP/words"
F=$TMP/sent.0
is "  ... To the third party" "$(hdr To "$F")" "Porto Carrier <carrier@partner.example>"
is "  ... Subject: Fwd: and the token" "$(hdr Subject "$F")" "Fwd: Parcel LB-77 lost in transit [#$T]"
check "  ... no Cc to the customer, no In-Reply-To" "! grep -qi '^Cc:\\|^In-Reply-To:' '$F'"
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print(m.get_body(("plain",)).get_content().splitlines()[0])
for p in m.iter_parts():
    if p.get_content_type() == "message/rfc822":
        print(p.get_content()["Message-ID"], p.get_content().get_body(("plain",)).get_content().splitlines()[0])
' "$F" >"$TMP/py"
	is "  ... the words, then the customer's message as message/rfc822 (Python's email)" "$(cat "$TMP/py")" "Please trace parcel LB-77; the customer is waiting.
<p1@shop.example> My parcel LB-77 never arrived. Tracking stops in Porto."
else
	skip "  ... the words, then the customer's message as message/rfc822" "no python3"
fi
is "  ... recorded: an internal forwarded event" "$(grep '"type":"forwarded"' "$D/tickets/$(printf %.2s "$T")/$T/events.jsonl" | jq -c '[.agent, .to, .internal, .file]')" '["ana","carrier@partner.example",true,"0002.eml"]'
is "  ... no reply: status, replies and first reply as they were" "$(state "$T" '[.status, .replies, .first_reply]')" "$before"
mdesk show "$T" >"$TMP/show"
check "  ... mdesk show marks it internal" "grep -q 'forwarded .*to=carrier@partner.example.*(internal)' '$TMP/show'"
mreply --forward --as ana $NOW --ticket "$T" --to x@partner.example --message 1 >"$TMP/f1.eml"
is "--message 1: one message forwarded" "$(grep -c '^Content-Type: message/rfc822' "$TMP/f1.eml")" 1
mreply --forward --as ana $NOW --ticket "$T" --to x@partner.example --message 7 >/dev/null 2>"$TMP/err"; rc=$?
is "--message 7 (none): exit 65" "$rc" 65
mreply --forward --as ana $NOW --ticket "$T" >/dev/null 2>&1; rc=$?
is "--forward without --to: exit 64" "$rc" 64

# the carrier's answer: filed on the ticket as internal
FMID=$(hdr Message-ID "$F")
cat >"$TMP/c.eml" <<EOM
From: Porto Carrier <carrier@partner.example>
To: support@lumen.example
Subject: Re: Fwd: Parcel LB-77 lost in transit [#$T]
Message-ID: <c1@partner.example>
In-Reply-To: $FMID
References: $FMID
Date: Mon, 2 Nov 2026 12:00:00 +0000

INTERNAL-CARRIER: the parcel was damaged, we will pay the claim.
EOM
is "the third party's answer joins the ticket" "$(mroute --now 2026-11-02T12:00:00Z <"$TMP/c.eml" | sed -n 's/^X-Mdesk-Ticket: //p')" "$T"
is "  ... filed internal, counting for nothing" "$(grep '"message_id":"c1@partner.example"' "$D/tickets/$(printf %.2s "$T")/$T/events.jsonl" | jq -c '[.type, .internal, .auto]')" '["received",true,true]'
is "  ... status, replies and first reply as they were" "$(state "$T" '[.status, .replies, .first_reply]')" "$before"
mdesk show "$T" >"$TMP/show"
check "  ... shown to agents" "grep -q 'INTERNAL-CARRIER' '$TMP/show' && grep -q 'received .*(automatic) (internal)' '$TMP/show'"
mreply --as ana --now 2026-11-02T12:30:00Z --ticket "$T" -t answer --quote >"$TMP/r.eml"
is "a reply to the customer answers the customer's message" "$(hdr In-Reply-To "$TMP/r.eml") $(hdr To "$TMP/r.eml")" "<p1@shop.example> Maria Costa <maria@shop.example>"
check "  ... and never quotes the third party" "! grep -q 'INTERNAL-CARRIER' '$TMP/r.eml'"
mreply --as ana --now 2026-11-02T12:30:00Z -t answer <"$TMP/c.eml" >"$TMP/r2.eml" 2>"$TMP/err"; rc=$?
is "answering the third party's message without --to: exit 65, nothing written" "$rc $(wc -c <"$TMP/r2.eml" | tr -d ' ')" "65 0"
mreply --as ana --now 2026-11-02T12:30:00Z -t answer --quote --to carrier@partner.example <"$TMP/c.eml" >"$TMP/r3.eml"
is "  ... with --to: to the third party alone" "$(hdr To "$TMP/r3.eml")|$(hdr Cc "$TMP/r3.eml")" "carrier@partner.example|"
check "mdesk check is happy" "mdesk check"
done_testing
