#!/bin/sh
# Mentions that reach people: @login in a note of an unknown login is
# refused; the agent mentioned finds it in `mdesk ls --mentions` until they
# act on the ticket or say `mdesk seen ID`; the state is events, so a sync
# merges it.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D"
file() {	# file N TIME: a new ticket
	printf 'From: Cli %s <cli%s@example.com>\nTo: support@lumen.example\nSubject: Order %s is late\nMessage-ID: <o%s@example.com>\n\nWhere is it?\n' \
		"$1" "$1" "$1" "$1" | mroute --now "$2" | sed -n 's/^X-Mdesk-Ticket: //p'
}
capture_mailer "$D"
A=$(file 1 2026-11-03T13:00:00Z)
B=$(file 2 2026-11-03T13:01:00Z)
mentions() { mdesk --as "$1" --now 2026-11-03T14:00:00Z ls --mentions --format csv | sed 1d | cut -d, -f1 | sort | tr '\n' ' '; }

refused "@nobody: exit 65, the known logins named" 65 "@nobody is not an agent's login; the agents are ana, bob, chen, dmitri, farah" \
	mdesk --as ana --now 2026-11-03T13:10:00Z note "$A" "ask @nobody"
is "no mentions yet" "$(mentions bob)" ""
w "ana mentions bob on A" mdesk --as ana --now 2026-11-03T13:10:00Z note "$A" "@bob can you look? mail me at ana@x.example"
w "ana mentions bob and dmitri on B" mdesk --as ana --now 2026-11-03T13:11:00Z note "$B" "@bob @dmitri the same customer"
w "ana mentions herself: nothing unread for her" mdesk --as ana --now 2026-11-03T13:12:00Z note "$B" "@ana remember"
is "mail: one to bob, one to dmitri, none to ana, none to a customer" \
	"$(cat "$TMP"/sent/*.eml | grep '^To:' | sort | tr '\n' ' ')" \
	"To: Bob Marsh <bob.marsh@lumen.example> To: Bob Marsh <bob.marsh@lumen.example> To: Dmitri Orlov <dmitri.orlov@lumen.example> "
check "  ... no customer address in any header" "! grep -il '^\(to\|cc\|bcc\):.*example.com' '$TMP'/sent/*.eml"
M=$(grep -l "^Subject: \[$A\]" "$TMP"/sent/*.eml)
is "  ... the mail of A: who, the ticket and its subject" "$(grep '^Subject: ' "$M" | head -1)" "Subject: [$A] Ana Ribeiro mentioned you: Order 1 is late"
check "  ... the note and the ticket's summary in the body" \
	"grep -q '^@bob can you look? mail me at ana@x.example' '$M' && grep -q '^Customer: Cli 1 <cli1@example.com>' '$M' && grep -q '^Status:   open' '$M'"
check "  ... marked automatic (Auto-Submitted), named X-Mdesk-Ticket" "grep -q '^Auto-Submitted: auto-generated' '$M' && grep -q '^X-Mdesk-Ticket: $A' '$M'"
is "bob: two unread mentions (mdesk ls --mentions)" "$(mentions bob)" "$(printf '%s\n' "$A" "$B" | sort | tr '\n' ' ')"
is "dmitri: one" "$(mentions dmitri)" "$B "
is "ana: none" "$(mentions ana)" ""
is "mdesk show --json names the unread" "$(mdesk show --json "$B" | jq -c .mentions_unread)" '["bob","dmitri"]'
w "bob says he has seen A (mdesk seen)" mdesk --as bob --now 2026-11-03T13:20:00Z seen "$A"
is "  ... a seen event by bob" "$(mdesk show --json "$A" | jq -c '[.events[-1].type, .events[-1].by]')" '["seen","bob"]'
is "  ... A is read" "$(mentions bob)" "$B "
w "dmitri acts on B (a note)" mdesk --as dmitri --now 2026-11-03T13:21:00Z note "$B" "on it"
is "  ... B read for dmitri, not for bob" "$(mentions dmitri)/$(mentions bob)" "/$B "
w "bob claims B" mdesk --as bob --now 2026-11-03T13:22:00Z claim "$B"
is "  ... read for bob too" "$(mentions bob)" ""
is "  ... mentions_unread gone" "$(mdesk show --json "$B" | jq -c .mentions_unread)" null
# ---------------------------------------------------------------- mail off, mail refused
sed -i 's|^\(mailer = .*\)|\1\nmentions_off = bob|' "$D/desk.conf"
git -C "$D" commit -qam "bob wants no mention mail"
rm -f "$TMP"/sent/*
w "mentions_off = bob: a note mentions bob and dmitri" mdesk --as ana --now 2026-11-03T13:30:00Z note "$A" "@bob @dmitri again"
is "  ... mail to dmitri only" "$(cat "$TMP"/sent/*.eml | grep '^To:')" "To: Dmitri Orlov <dmitri.orlov@lumen.example>"
is "  ... bob's mention is unread all the same" "$(mentions bob)" "$A "
sed -i "s|^mailer = .*|mailer = sendmail://$TMP/nonexistent|" "$D/desk.conf"
git -C "$D" commit -qam "a mailer that is not there"
w "a mailer that refuses: the note is recorded all the same" mdesk --as ana --now 2026-11-03T13:31:00Z note "$A" "@dmitri once more"
check "  ... and says the mail was not sent" "grep -q 'the mail that tells dmitri of the mention was not sent' '$TMP/err'"
refused "mdesk seen of no ticket: exit 66" 66 "no such ticket" mdesk --as bob seen ZZZZZZZZ
done_testing
