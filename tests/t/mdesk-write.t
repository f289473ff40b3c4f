#!/bin/sh
# mdesk's ticket writes: assign, unassign, claim, release, note, tag,
# untag, priority, status.  Each is one event and one commit, authored by
# the acting agent, with git status clean after it.
. "$(dirname "$0")/../lib.sh"
M=$DATA/mail

# ---------------------------------------------------------------- a desk
. "$(dirname "$0")/../desklib.sh"
export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR" && manualdesk "$MDESK_DIR"
T=$(mroute --now 2026-11-05T16:20:11Z <"$M/single.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
EV=$MDESK_DIR/tickets/$(printf %.2s "$T")/$T/events.jsonl
last() { tail -1 "$EV"; }			# the newest event line
state() { mdesk show --json "$T" | jq -c "$1"; }	# a jq view of the ticket
subject() { git -C "$MDESK_DIR" log -1 --format='%s'; }
author() { git -C "$MDESK_DIR" log -1 --format='%an <%ae> %aI'; }

# ---------------------------------------------------------------- assign, unassign
w "assign ID ana" mdesk --as bob --now 2026-11-06T09:00:00Z assign "$T" ana
is "  ... the event: assigned, by bob, agent ana, reason manual" "$(last | jq -c '[.type,.by,.agent,.reason,.at]')" \
	'["assigned","bob","ana","manual","2026-11-06T09:00:00Z"]'
is "  ... the commit: by bob, at --now" "$(author)" "Bob Marsh <bob.marsh@lumen.example> 2026-11-06T09:00:00+00:00"
is "  ... the message" "$(subject)" "$T: assigned to ana by bob"
is "  ... only the events file changed" "$(git -C "$MDESK_DIR" show --name-only --format= HEAD)" \
	"tickets/$(printf %.2s "$T")/$T/events.jsonl"
is "  ... the ticket's assignee" "$(state .assignee)" '"ana"'
refused "assign to an agent not in agents.csv: exit 65" 65 "^mdesk: agent 'zoe' is not in agents.csv" \
	mdesk --as bob --now 2026-11-06T09:01:00Z assign "$T" zoe
w "assign to an agent who is away (chen) is allowed" mdesk --as bob --now 2026-11-06T09:02:00Z assign "$T" chen
is "  ... chen" "$(state .assignee)" '"chen"'
sed 's/^farah,\(.*\),active,support-eu$/farah,\1,inactive,support-eu/' "$MDESK_DIR/agents.csv" >"$TMP/a" &&
	cat "$TMP/a" >"$MDESK_DIR/agents.csv" && git -C "$MDESK_DIR" commit -qm 'farah left' agents.csv
refused "assign to an inactive agent: exit 65" 65 "^mdesk: agent 'farah' is inactive" \
	mdesk --as bob --now 2026-11-06T09:03:00Z assign "$T" farah
refused "assign without an agent argument: exit 64" 64 usage mdesk --as bob assign "$T"
refused "assign with too many arguments: exit 64" 64 usage mdesk --as bob assign "$T" ana bob
w "unassign" mdesk --as ana --now 2026-11-06T09:04:00Z unassign "$T"
is "  ... the event" "$(last | jq -c '[.type,.by]')" '["unassigned","ana"]'
is "  ... no assignee" "$(state .assignee)" null
is "  ... the message" "$(subject)" "$T: unassigned by ana"
is "  ... ls --unassigned lists it" "$(mdesk ls --unassigned | jq -r .id)" "$T"
w "unassign a ticket without an agent is a no-op event" mdesk --as ana --now 2026-11-06T09:05:00Z unassign "$T"

# ---------------------------------------------------------------- claim, release
w "claim (ana): the default 30m of desk.conf" mdesk --as ana --now 2026-11-06T10:00:00Z claim "$T"
is "  ... the event: claimed, agent, until" "$(last | jq -c '[.type,.by,.agent,.until]')" \
	'["claimed","ana","ana","2026-11-06T10:30:00Z"]'
is "  ... the ticket: claimed_by, claimed_until" "$(state '[.claimed_by,.claimed_until]')" '["ana","2026-11-06T10:30:00Z"]'
is "  ... a claim does not assign" "$(state .assignee)" null
is "  ... the message" "$(subject)" "$T: claimed by ana"
check "  ... show tells the claim" "mdesk --now 2026-11-06T10:01:00Z show $T | grep -q 'Claimed by ana until 2026-11-06 07:30 -0300'"
refused "claim by bob while ana's claim holds: exit 1, naming the holder" 1 \
	"^mdesk: $T: claimed by ana until 2026-11-06T10:30:00Z; use --force to take it over\$" \
	mdesk --as bob --now 2026-11-06T10:05:00Z claim "$T"
is "  ... one line on stderr" "$(wc -l <"$TMP/err" | tr -d ' ')" 1
refused "release by bob of ana's claim: exit 1" 1 "claimed by ana" \
	mdesk --as bob --now 2026-11-06T10:06:00Z release "$T"
w "claim again by the holder starts the time again" mdesk --as ana --now 2026-11-06T10:10:00Z claim "$T"
is "  ... until 10:40" "$(state .claimed_until)" '"2026-11-06T10:40:00Z"'
w "claim --force --for 1h by bob takes it over" mdesk --as bob --now 2026-11-06T10:15:00Z claim --force --for 1h "$T"
is "  ... bob, until 11:15" "$(state '[.claimed_by,.claimed_until]')" '["bob","2026-11-06T11:15:00Z"]'
refused "now ana is refused, naming bob" 1 "claimed by bob until 2026-11-06T11:15:00Z" \
	mdesk --as ana --now 2026-11-06T11:14:59Z claim "$T"
w "an expired claim: ana may claim (--for 1h30m)" mdesk --as ana --now 2026-11-06T11:15:00Z claim --for 1h30m "$T"
is "  ... ana, until 12:45" "$(state '[.claimed_by,.claimed_until]')" '["ana","2026-11-06T12:45:00Z"]'
check "  ... show at 13:00 tells no claim" "! mdesk --now 2026-11-06T13:00:00Z show $T | grep -q 'Claimed by'"
refused "claim --for ten: exit 64" 64 "^mdesk: --for: 'ten' is not a duration" mdesk --as ana --now 2026-11-06T11:20:00Z claim --for ten "$T"
refused "claim with two IDs: exit 64" 64 usage mdesk --as ana claim "$T" "$T"
w "release by the holder" mdesk --as ana --now 2026-11-06T11:30:00Z release "$T"
is "  ... the event" "$(last | jq -c '[.type,.by]')" '["released","ana"]'
is "  ... no claim left" "$(state 'has("claimed_by")')" false
is "  ... the message" "$(subject)" "$T: released by ana"
w "then bob may claim" mdesk --as bob --now 2026-11-06T11:31:00Z claim "$T"
w "release --force by ana of bob's claim" mdesk --as ana --now 2026-11-06T11:32:00Z release "$T" --force
is "  ... no claim left" "$(state 'has("claimed_by")')" false
refused "release --bogus: exit 64" 64 usage mdesk --as ana release "$T" --bogus
# the desk's claim_for
sed 's/^claim_for = 30m$/claim_for = 2h/' "$MDESK_DIR/desk.conf" >"$TMP/c" && cat "$TMP/c" >"$MDESK_DIR/desk.conf" &&
	git -C "$MDESK_DIR" commit -qm 'longer claims' desk.conf
w "claim with claim_for = 2h in desk.conf" mdesk --as dmitri --now 2026-11-06T12:00:00Z claim "$T"
is "  ... until 14:00" "$(state .claimed_until)" '"2026-11-06T14:00:00Z"'
w "release" mdesk --as dmitri --now 2026-11-06T12:01:00Z release "$T"

# ---------------------------------------------------------------- note
w "note: the words joined by spaces" mdesk --as bob --now 2026-11-06T13:00:00Z note "$T" Shipping to Lagos: 7-10 days.
is "  ... text" "$(last | jq -r .text)" "Shipping to Lagos: 7-10 days."
is "  ... the event: note by bob, no mentions" "$(last | jq -c '[.type,.by,.mentions]')" '["note","bob",[]]'
is "  ... the message" "$(subject)" "$T: note by bob"
refused "note with @zoe, no such agent: exit 65, the agents named" 65 "@zoe is not an agent's login; the agents are ana, bob" \
	mdesk --as bob --now 2026-11-06T13:01:00Z note "$T" "@ana can you check DHL? cc @zoe"
w "note with @mentions" mdesk --as bob --now 2026-11-06T13:01:00Z note "$T" \
	"@ana can you check DHL? cc @dmitri, @ana again, grace@ana.example (an address), @chen."
is "  ... mentions: each agent once, in order; no address, no final dot" \
	"$(last | jq -c .mentions)" '["ana","dmitri","chen"]'
w "note with newlines in the argument" mdesk --as ana --now 2026-11-06T13:02:00Z note "$T" "$(printf 'Line one.\n\nLine three, @farah-\nend')"
is "  ... the line breaks are kept" "$(last | jq -r .text)" "Line one.

Line three, @farah-
end"
is "  ... a hyphen ending the word is not part of the login" "$(last | jq -c .mentions)" '["farah"]'
printf 'Нужно вернуть деньги, @dmitri.\nمشتری منتظر است.\n' >"$TMP/note.txt"
w "note - reads stdin (ru, fa)" sh -c 'mdesk --as farah --now 2026-11-06T13:03:00Z note "$1" - <"$2"' sh "$T" "$TMP/note.txt"
is "  ... the text is stdin, line breaks and all" "$(last | jq -r .text)" "$(cat "$TMP/note.txt")"
is "  ... stdin's final newline too" "$(last | jq .text)" '"Нужно вернуть деньги, @dmitri.\nمشتری منتظر است.\n"'
is "  ... mentions" "$(last | jq -c .mentions)" '["dmitri"]'
check "  ... the line is ASCII (\\u escapes)" "! last | LC_ALL=C grep -q '[^ -~]'"
printf 'bad \377\376 bytes\n' >"$TMP/bad.txt"
w "note with bytes that are not UTF-8" sh -c 'mdesk --as ana --now 2026-11-06T13:04:00Z note "$1" - <"$2"' sh "$T" "$TMP/bad.txt"
check "  ... stored as valid JSON, the bad bytes replaced" "last | jq -e '.text | startswith(\"bad \") and endswith(\" bytes\n\")' >/dev/null"
refused "an empty note: exit 64" 64 "^mdesk: an empty note" mdesk --as ana --now 2026-11-06T13:05:00Z note "$T" ''
refused "an empty note on stdin: exit 64" 64 "an empty note" sh -c 'mdesk --as ana --now 2026-11-06T13:05:00Z note "$1" - </dev/null' sh "$T"
refused "note without text: exit 64" 64 usage mdesk --as ana note "$T"
is "show --json counts no notes as replies" "$(state '[.replies,.messages]')" '[0,1]'

# ---------------------------------------------------------------- tag, untag
w "tag two tags" mdesk --as ana --now 2026-11-06T14:00:00Z tag "$T" shipping intl:ng
is "  ... the event" "$(last | jq -c '[.type,.by,.tags]')" '["tagged","ana",["shipping","intl:ng"]]'
is "  ... the tags, sorted" "$(state .tags)" '["intl:ng","shipping"]'
is "  ... the message" "$(subject)" "$T: tagged shipping intl:ng by ana"
w "tag one it has: no change to the tags" mdesk --as ana --now 2026-11-06T14:01:00Z tag "$T" shipping
is "  ... the same tags" "$(state .tags)" '["intl:ng","shipping"]'
t64=$(printf '%064d' 0 | tr 0 a)
w "a tag of 64 characters of a-z 0-9 - _ . :" mdesk --as ana --now 2026-11-06T14:02:00Z tag "$T" "$t64" a-b_c.d:e
for bad in Shipping 'two words' '' "${t64}a" 'ção' 'a/b' '#x'; do
	refused "tag '$bad': exit 64" 64 "^mdesk: tag '.*': use 1-64 of a-z 0-9 - _ . :" \
		mdesk --as ana --now 2026-11-06T14:03:00Z tag "$T" ok-tag "$bad"
done
refused "tag without tags: exit 64" 64 usage mdesk --as ana tag "$T"
w "untag two, one of which it has not" mdesk --as bob --now 2026-11-06T14:04:00Z untag "$T" shipping never-had
is "  ... the event" "$(last | jq -c '[.type,.by,.tags]')" '["untagged","bob",["shipping","never-had"]]'
is "  ... the tags, sorted bytewise" "$(state .tags)" "[\"a-b_c.d:e\",\"$t64\",\"intl:ng\"]"
is "  ... the message" "$(subject)" "$T: untagged shipping never-had by bob"
refused "untag 'Bad': exit 64" 64 "use 1-64" mdesk --as bob untag "$T" Bad
is "ls --tag intl:ng" "$(mdesk ls --tag intl:ng | jq -r .id)" "$T"

# ---------------------------------------------------------------- priority
m=0
for p in low high urgent normal; do
	m=$((m + 1))
	w "priority $p" mdesk --as ana --now "2026-11-06T15:0$m:00Z" priority "$T" "$p"
	is "  ... is $p" "$(state .priority)" "\"$p\""
done
is "  ... the event" "$(last | jq -c '[.type,.by,.priority]')" '["priority","ana","normal"]'
is "  ... the message" "$(subject)" "$T: priority normal by ana"
for bad in HIGH critical ''; do
	refused "priority '$bad': exit 64" 64 "^mdesk: priority '$bad' is not one of low, normal, high, urgent" \
		mdesk --as ana --now 2026-11-06T15:10:00Z priority "$T" "$bad"
done
refused "priority without a value: exit 64" 64 usage mdesk --as ana priority "$T"

# ---------------------------------------------------------------- status
is "the ticket is open (it has an agent)" "$(state '[.status,.reopened]')" '["open",0]'
w "status pending" mdesk --as ana --now 2026-11-07T09:00:00Z status "$T" pending
is "  ... the event" "$(last | jq -c '[.type,.by,.status]')" '["status","ana","pending"]'
is "  ... the message" "$(subject)" "$T: status pending by ana"
cat >"$TMP/r1.eml" <<'EOF'
From: Grace Adeyemi <grace.adeyemi@example.com>
To: support@lumen.example
Subject: Re: Do you ship to Nigeria?
Date: Sat, 7 Nov 2026 10:00:00 +0100
Message-ID: <single-2@example.com>
In-Reply-To: <single-1@example.com>

Thanks! And to Abuja?
EOF
mroute --now 2026-11-07T09:00:05Z <"$TMP/r1.eml" >/dev/null
is "a customer's mail makes a pending ticket open" "$(state '[.status,.reopened,.messages]')" '["open",0,2]'
w "status solved" mdesk --as ana --now 2026-11-07T10:00:00Z status "$T" solved
is "  ... solved, with its time; not in ls" "$(state '[.status,.solved]') $(mdesk ls | jq -r .id)" '["solved","2026-11-07T10:00:00Z"] '
sed 's/single-2@/single-3@/; s/And to Abuja?/One more question./' "$TMP/r1.eml" >"$TMP/r2.eml"
mroute --now 2026-11-07T11:00:00Z <"$TMP/r2.eml" >/dev/null
is "a customer's mail reopens a solved ticket, counted" "$(state '[.status,.reopened]')" '["open",1]'
w "status solved again" mdesk --as ana --now 2026-11-07T12:00:00Z status "$T" solved
w "status open on a solved ticket (reopen)" mdesk --as bob --now 2026-11-07T12:10:00Z status "$T" open
is "  ... open, reopened counts it" "$(state '[.status,.reopened]')" '["open",2]'
w "status closed" mdesk --as bob --now 2026-11-07T12:20:00Z status "$T" closed
sed 's/single-2@/single-4@/; s/And to Abuja?/Hello again./' "$TMP/r1.eml" >"$TMP/r3.eml"
mroute --now 2026-11-07T13:00:00Z <"$TMP/r3.eml" >"$TMP/out"
is "mail does not reopen a closed ticket" "$(state '[.status,.reopened,.messages]')" '["closed",2,3]'
is "  ... it opens a new ticket that follows it" \
	"$(sed -n 's/^X-Mdesk-Status: //p' "$TMP/out") $(mdesk show --json "$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")" | jq -r '.events[0].follows')" "new $T"
w "status open on a closed ticket" mdesk --as bob --now 2026-11-07T13:10:00Z status "$T" open
is "  ... reopened counts it" "$(state '[.status,.reopened]')" '["open",3]'
m=0
for s in on-hold new; do
	m=$((m + 1))
	w "status $s" mdesk --as bob --now "2026-11-07T14:0$m:00Z" status "$T" "$s"
	is "  ... $s" "$(state .status)" "\"$s\""
done
# an automatic reply never reopens
w "status solved" mdesk --as bob --now 2026-11-07T14:10:00Z status "$T" solved
cat >"$TMP/auto.eml" <<'EOF2'
From: Grace Adeyemi <grace.adeyemi@example.com>
To: support@lumen.example
Subject: Automatic reply: Re: Do you ship to Nigeria?
Date: Sat, 7 Nov 2026 15:00:00 +0100
Message-ID: <auto-grace-1@example.com>
In-Reply-To: <single-1@example.com>
Auto-Submitted: auto-replied

I am travelling until 20 November.
EOF2
mroute --now 2026-11-07T14:20:00Z <"$TMP/auto.eml" >"$TMP/out"
is "an auto-reply joins the ticket" "$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")" "$T"
is "  ... and does not reopen it" "$(state '[.status,.reopened]')" '["solved",3]'
# two writes within one second fold in the order they were made
w "status open at 14:30:00" mdesk --as bob --now 2026-11-07T14:30:00Z status "$T" open
w "status pending at the same second" mdesk --as bob --now 2026-11-07T14:30:00Z status "$T" pending
w "status on-hold at the same second" mdesk --as bob --now 2026-11-07T14:30:00Z status "$T" on-hold
is "  ... the last one wins" "$(state '[.status,.reopened]')" '["on-hold",4]'
for bad in 'done' Open ''; do
	refused "status '$bad': exit 64" 64 "^mdesk: status '$bad' is not one of new, open, pending, on-hold, solved, closed" \
		mdesk --as ana --now 2026-11-07T15:00:00Z status "$T" "$bad"
done

# ---------------------------------------------------------------- hand edits elsewhere are left alone
printf '# a comment, not committed yet\n' >>"$MDESK_DIR/customers.csv"
cp "$MDESK_DIR/customers.csv" "$TMP/cust.hand"
n0=$(commits)
mdesk --as ana --now 2026-11-07T16:00:00Z note "$T" 'with a hand edit elsewhere' >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a write with an uncommitted edit of customers.csv: exit 0, one commit" "$rc $(($(commits) - n0))" "0 1"
is "  ... the commit holds only the ticket's events" "$(git -C "$MDESK_DIR" show --name-only --format= HEAD)" \
	"tickets/$(printf %.2s "$T")/$T/events.jsonl"
check "  ... the edit is left as it was" "cmp -s '$MDESK_DIR/customers.csv' '$TMP/cust.hand'"
is "  ... and still uncommitted" "$(porcelain)" " M customers.csv"
git -C "$MDESK_DIR" checkout -q customers.csv

# ---------------------------------------------------------------- the whole log
check "events.jsonl: every line an event (mdesk check)" "mdesk check"
is "events.jsonl: every event id unique" "$(jq -r .id "$EV" | sort | uniq -d)" ""
is "events.jsonl: every event id hex digits" "$(jq -r .id "$EV" | grep -Ev '^[0-9a-f]{16,}$')" ""
is "events.jsonl: every event has at, type, by" "$(jq -c 'select((.at and .type and .by) | not)' "$EV")" ""
is "events.jsonl: in time order, since every --now was later" "$(jq -r .at "$EV")" "$(jq -r .at "$EV" | sort)"
is "one commit per event (the auto tag rides with its message): the ticket's commits" \
	"$(git -C "$MDESK_DIR" log --format=%H -- "tickets/$(printf %.2s "$T")/$T" | wc -l | tr -d ' ')" \
	"$(jq -c 'select(.by != "system")' "$EV" | wc -l | tr -d ' ')"
is "git status is clean" "$(porcelain)" ""

done_testing
