#!/bin/sh
# mdesk check reports a message received in two tickets (two replicas that
# filed it apart, a hand edit): in the ticket met second, with the other
# ticket and the merge that makes them one conversation; after that merge
# check passes.  A Message-ID is a stranger's: it is said without its
# control characters.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"

D=$TMP/desk
newdesk "$D" && manualdesk "$D"
export MDESK_DIR=$D
AGENT=ana
printf 'From: Cleo <cleo@c.example>\nTo: support@lumen.example\nSubject: The lamp\nMessage-ID: <m1@c.example>\nDate: Mon, 2 Nov 2026 08:00:00 +0000\n\nIt flickers.\n' >"$TMP/m1"
printf 'From: Dan <dan@d.example>\nTo: support@lumen.example\nSubject: The bill\nMessage-ID: <m3@d.example>\nDate: Mon, 2 Nov 2026 08:05:00 +0000\n\nTwice.\n' >"$TMP/m3"
T1=$(mroute --now 2026-11-02T08:00:00Z <"$TMP/m1" | sed -n 's/^X-Mdesk-Ticket: //p')
T3=$(mroute --now 2026-11-02T08:05:00Z <"$TMP/m3" | sed -n 's/^X-Mdesk-Ticket: //p')
check "two tickets ($T1, $T3)" "[ -n '$T1' ] && [ -n '$T3' ] && [ '$T1' != '$T3' ]"
check "mdesk check passes on them" "mdesk check >'$TMP/out' 2>'$TMP/err'"

# m1's received event copied into T3 (as a second replica would have filed it)
E1=$(ls "$D"/tickets/*/"$T1"/events.jsonl) E3=$(ls "$D"/tickets/*/"$T3"/events.jsonl)
grep '"type":"received"' "$E1" | sed 's/"id":"[^"]*"/"id":"copy-1"/' >>"$E3"
git -C "$D" commit -qam "m1 filed twice"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
check "check fails" "[ $rc -ne 0 ]"
check "it names the message and both tickets" \
	"grep -Eq 'tickets/../($T1|$T3)/events.jsonl:0: message m1@c.example was also received in ticket ($T1|$T3); merge one ticket into the other \\(mdesk merge ($T1 $T3|$T3 $T1)\\)' '$TMP/err'"
is "once" "$(grep -c 'm1@c.example' "$TMP/err")" 1
check "m3 is not reported" "! grep -q m3@d.example '$TMP/err'"

# a Message-ID with an escape sequence, received in both
for E in "$E1" "$E3"; do
	printf '{"at":"2026-11-02T09:00:00Z","from":"x@evil.example","id":"esc-%s","message_id":"e\\u001b[2Jvil@x","type":"received"}\n' "${E##*/tickets/}" | tr '/' '-' >>"$E"
done
git -C "$D" commit -qam "a hostile Message-ID twice"
mdesk check >"$TMP/out" 2>"$TMP/err"
check "the hostile one is reported" "grep -q 'message e.\\[2Jvil@x was also received' '$TMP/err'"
check "... without its escape" "! grep -q \"\$(printf '\\033')\" '$TMP/err'"

# the merge that check proposes makes them one conversation
mdesk --now 2026-11-02T10:00:00Z --as "$AGENT" merge "$T3" "$T1" >/dev/null 2>"$TMP/merr"; rc=$?
check "mdesk merge $T3 $T1" "[ $rc -eq 0 ] || { cat '$TMP/merr'; false; }"
check "then check passes" "mdesk check >'$TMP/out' 2>'$TMP/err' || { cat '$TMP/err'; false; }"
done_testing
