#!/bin/sh
# Snooze and reminders: a snoozed ticket leaves the queue (mdesk ls, msla,
# the maildir views but all) until its time, then comes back open with its
# assignee told (mdesk ls --mentions, and once by mail through mdesk
# notify); a customer message wakes it early; while snoozed every SLA
# clock pauses.  A reminder is its agent's alone.  The state is events and
# the clock (--now): nothing runs at the time of the wake.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
manualdesk "$D"
export MDESK_DIR="$D"
capture_mailer "$D"
file() {	# file N TIME: a new ticket
	printf 'From: Cli %s <cli%s@example.com>\nTo: support@lumen.example\nSubject: Order %s is late\nMessage-ID: <o%s@example.com>\n\nWhere is it?\n' \
		"$1" "$1" "$1" "$1" | mroute --now "$2" | sed -n 's/^X-Mdesk-Ticket: //p'
}
answer() {	# answer N TIME: the customer of ticket N writes again
	printf 'From: Cli %s <cli%s@example.com>\nTo: support@lumen.example\nSubject: Re: Order %s is late\nMessage-ID: <o%s.2@example.com>\nIn-Reply-To: <o%s@example.com>\n\nAny news?\n' \
		"$1" "$1" "$1" "$1" "$1" | mroute --now "$2" >/dev/null
}
A=$(file 1 2026-11-03T13:00:00Z)
B=$(file 2 2026-11-03T13:01:00Z)
C=$(file 3 2026-11-03T13:02:00Z)
for t in $A $B $C; do mdesk --as ana --now 2026-11-03T13:03:00Z assign "$t" bob >/dev/null; done
ls_at() { mdesk --as "${2:-bob}" --now "$1" ls ${3-} --format csv | sed 1d | cut -d, -f1 | sort | tr '\n' ' '; }
sorted() { printf '%s\n' "$@" | sort | tr '\n' ' '; }
mentions() { ls_at "$1" "${2:-bob}" --mentions; }
nothing() {	# nothing DESC CMD...: CMD succeeds and commits nothing
	_d=$1; shift
	_h=$(head_id)
	"$@" >"$TMP/out" 2>"$TMP/err"; _rc=$?
	is "$_d" "$_rc $(head_id)" "0 $_h"
}

# ---------------------------------------------------------------- snooze
w "ana snoozes A for 2h" mdesk --as ana --now 2026-11-03T13:10:00Z snooze "$A" 2h
is "  ... says until when, in the desk's time zone" "$(cat "$TMP/out")" "$A: snoozed until 2026-11-03 12:10 -0300"
is "  ... a snoozed event with its instant" "$(mdesk show --json "$A" | jq -c '.events[-1] | [.type, .by, .until]')" \
	'["snoozed","ana","2026-11-03T15:10:00Z"]'
is "  ... out of mdesk ls while snoozed" "$(ls_at 2026-11-03T14:00:00Z)" "$(sorted "$B" "$C")"
is "  ... in mdesk ls --snoozed" "$(ls_at 2026-11-03T14:00:00Z bob --snoozed)" "$A "
is "  ... in mdesk ls --all" "$(ls_at 2026-11-03T14:00:00Z bob --all)" "$(sorted "$A" "$B" "$C")"
check "  ... the table says snoozed" "mdesk --now 2026-11-03T14:00:00Z ls --snoozed -f table | grep -q '^$A  *snoozed '"
check "  ... mdesk show says until when" \
	"mdesk --now 2026-11-03T14:00:00Z show $A | grep -q '^Snoozed:  until 2026-11-03 12:10 -0300'"
is "  ... the JSON has snoozed_until" "$(mdesk show --json "$A" | jq -r .snoozed_until)" 2026-11-03T15:10:00Z
is "  ... nobody is told before the time" "$(mentions 2026-11-03T15:09:59Z)" ""
is "back in mdesk ls at its time, without any command run" "$(ls_at 2026-11-03T15:10:00Z)" "$(sorted "$A" "$B" "$C")"
is "  ... open" "$(mdesk --now 2026-11-03T15:10:00Z ls --format json | jq -r "select(.id == \"$A\") | .status")" open
is "  ... its assignee told (ls --mentions)" "$(mentions 2026-11-03T15:10:00Z)" "$A "
is "  ... nobody else" "$(mentions 2026-11-03T15:10:00Z ana)" ""
is "  ... gone from ls --snoozed" "$(ls_at 2026-11-03T15:10:00Z bob --snoozed)" ""

# ---------------------------------------------------------------- told once by mail
rm -f "$TMP"/sent/*
mdesk --now 2026-11-03T15:00:00Z notify >"$TMP/out" 2>&1
is "mdesk notify before the time: no mail" "$(ls "$TMP/sent" | wc -l)" 0
nothing "mdesk notify --dry-run after the time: records nothing" mdesk --now 2026-11-03T15:20:00Z notify --dry-run
is "  ... says what it would tell" "$(cat "$TMP/out")" "$A: bob told (back from snooze)"
is "  ... and mails nobody" "$(ls "$TMP/sent" | wc -l)" 0
w "mdesk notify after the time tells bob" mdesk --now 2026-11-03T15:20:00Z notify
is "  ... one mail, to bob" "$(cat "$TMP"/sent/*.eml | grep '^To:')" "To: Bob Marsh <bob.marsh@lumen.example>"
M=$(ls "$TMP"/sent/*.eml | head -1)
is "  ... its subject" "$(grep '^Subject:' "$M" | head -1)" "Subject: [$A] back from snooze: Order 1 is late"
check "  ... automatic, no customer address in a header" \
	"grep -q '^Auto-Submitted: auto-generated' '$M' && ! grep -il '^\(to\|cc\|bcc\):.*example.com' '$M'"
is "  ... a told event" "$(mdesk show --json "$A" | jq -c '.events[-1] | [.type, .agent, .notice]')" '["told","bob","wake"]'
nothing "mdesk notify again: nothing to tell, no commit" mdesk --now 2026-11-03T15:30:00Z notify
is "  ... and no second mail" "$(ls "$TMP"/sent/*.eml | wc -l)" 1
is "  ... still unread for bob" "$(mentions 2026-11-03T15:30:00Z)" "$A "
w "bob says he has seen A" mdesk --as bob --now 2026-11-03T15:31:00Z seen "$A"
is "  ... read" "$(mentions 2026-11-03T15:32:00Z)" ""

# ---------------------------------------------------------------- woken early
w "ana snoozes B for 3d" mdesk --as ana --now 2026-11-03T13:20:00Z snooze "$B" 3d
answer 2 2026-11-04T10:00:00Z
is "the customer writes: B is back at once" "$(ls_at 2026-11-04T10:00:01Z)" "$(sorted "$A" "$B" "$C")"
is "  ... open" "$(mdesk --now 2026-11-04T10:00:01Z show --json "$B" | jq -r .status)" open
is "  ... no wake to tell when the 3 days end" "$(mentions 2026-11-07T00:00:00Z)" ""

# ---------------------------------------------------------------- unsnooze, refusals
w "snooze C until a local time (no offset: the desk's zone)" mdesk --as bob --now 2026-11-03T13:30:00Z snooze "$C" 2026-11-05T09:00
is "  ... 09:00 in Sao Paulo is 12:00Z" "$(mdesk show --json "$C" | jq -r .snoozed_until)" 2026-11-05T12:00:00Z
w "unsnooze C" mdesk --as bob --now 2026-11-03T13:40:00Z unsnooze "$C"
is "  ... back at once (A still snoozed; B's customer has written)" "$(ls_at 2026-11-03T13:41:00Z)" "$(sorted "$B" "$C")"
is "  ... no wake to tell later" "$(mentions 2026-11-06T00:00:00Z)" ""
refused "unsnooze of a ticket not snoozed: exit 65" 65 "not snoozed" mdesk --as bob --now 2026-11-03T13:42:00Z unsnooze "$C"
refused "a WHEN that is neither: exit 64" 64 "neither a duration" mdesk --as bob --now 2026-11-03T13:42:00Z snooze "$C" tomorrowish
refused "a WHEN in the past: exit 64" 64 "not in the future" mdesk --as bob --now 2026-11-03T13:42:00Z snooze "$C" 2026-11-01T00:00:00Z
w "a date alone: the start of that day, in the desk's zone" mdesk --as bob --now 2026-11-03T13:43:00Z snooze "$C" 2026-11-10
is "  ... 2026-11-10 00:00 -0300" "$(mdesk show --json "$C" | jq -r .snoozed_until)" 2026-11-10T03:00:00Z
w "a status change ends the snooze (C solved)" mdesk --as bob --now 2026-11-03T13:44:00Z status "$C" solved
is "  ... not snoozed" "$(ls_at 2026-11-04T00:00:00Z bob '--snoozed --all')" ""
refused "a solved ticket is not snoozed: exit 65" 65 "is solved" mdesk --as bob --now 2026-11-03T13:45:00Z snooze "$C" 1d

# ---------------------------------------------------------------- SLA clocks
E=$(file 5 2026-11-03T13:00:00Z)
mdesk --as ana --now 2026-11-03T13:00:30Z priority "$E" urgent >/dev/null
w "snooze E (urgent: first reply in 1h of calendar time) from 13:10 to 15:10" \
	mdesk --as ana --now 2026-11-03T13:10:00Z snooze "$E" 2026-11-03T15:10:00Z
msla --all --now 2026-11-03T14:30:00Z --format json "$E" >"$TMP/sla.json" 2>&1
is "while snoozed the first-reply clock is paused at 10m" "$(jq -r 'select(.metric == "first_reply") | .state' "$TMP/sla.json")" paused
check "  ... msla's default view leaves E out" "! msla --now 2026-11-03T14:30:00Z --format json | grep -q '$E'"
check "  ... msla --explain tells the snooze" "msla --now 2026-11-03T14:30:00Z --explain $E | grep -q 'snoozed 2026-11-03T13:10:00Z .. 2026-11-03T14:30:00Z: every clock pauses'"
msla --all --now 2026-11-03T15:30:00Z --format json "$E" >"$TMP/sla.json" 2>&1
is "after the wake it runs again: due 1h after the filing plus the 2h snoozed" \
	"$(jq -r 'select(.metric == "first_reply") | [.state, .due] | @tsv' "$TMP/sla.json")" "$(printf 'running\t2026-11-03T16:00:00Z')"
check "mdesk automate leaves E, unassigned, alone while snoozed" \
	"mdesk --now 2026-11-03T14:00:00Z automate --dry-run --explain --rule hand-out | grep -q '^$E: rule hand-out: snoozed until 2026-11-03T15:10:00Z'"
check "  ... and hands it out once back" \
	"mdesk --now 2026-11-03T15:30:00Z automate --dry-run --explain --rule hand-out | grep -q '^$E: rule hand-out: due'"
F=$(file 6 2026-11-03T13:00:00Z)
mdesk --as ana --now 2026-11-03T13:00:30Z priority "$F" urgent >/dev/null
check "F, urgent and unanswered at 15:00, is breached in msla's default view" \
	"msla --now 2026-11-03T15:00:00Z --format json | grep -q '$F'"
w "snooze F (breached) for a day" mdesk --as ana --now 2026-11-03T15:00:00Z snooze "$F" 1d
check "  ... msla's default view leaves it out while snoozed" "! msla --now 2026-11-03T15:30:00Z --format json | grep -q '$F'"
is "  ... msla --all shows it breached still" \
	"$(msla --all --now 2026-11-03T15:30:00Z --format json "$F" | jq -r 'select(.metric == "first_reply") | .state')" breached
mdesk --as ana --now 2026-11-03T15:31:00Z unsnooze "$F" >/dev/null
is "  ... E had no assignee: whoever snoozed it is told" "$(mentions 2026-11-03T15:30:00Z ana)" "$E "
mdesk --as ana --now 2026-11-03T15:31:00Z seen "$E" >/dev/null

# ---------------------------------------------------------------- reminders
rm -f "$TMP"/sent/*
w "ana sets a reminder on B for tomorrow 09:00" mdesk --as ana --now 2026-11-04T11:00:00Z remind "$B" 2026-11-05T09:00 "call the carrier about order 2"
is "  ... says when" "$(cat "$TMP/out")" "$B: reminder for ana at 2026-11-05 09:00 -0300"
is "  ... not due yet: nothing for ana" "$(mentions 2026-11-05T11:59:00Z ana)" ""
is "  ... due: in ana's ls --mentions" "$(mentions 2026-11-05T12:00:00Z ana)" "$B "
is "  ... never bob's" "$(mentions 2026-11-05T12:00:00Z bob)" ""
check "  ... mdesk show tells ana its text" \
	"MDESK_AGENT=ana mdesk --now 2026-11-05T12:00:00Z show $B | grep -q '^Reminder: 2026-11-05 09:00 -0300 (due): call the carrier about order 2'"
check "  ... bob's mdesk show has not its text" \
	"! MDESK_AGENT=bob mdesk --now 2026-11-05T12:00:00Z show $B | grep -q 'carrier'"
w "mdesk notify mails ana once" mdesk --now 2026-11-05T12:05:00Z notify
is "  ... to ana" "$(cat "$TMP"/sent/*.eml | grep '^To:')" "To: Ana Ribeiro <ana.ribeiro@lumen.example>"
check "  ... with the reminder's text and no customer address in a header" \
	"grep -q '^call the carrier about order 2' $TMP/sent/*.eml && ! grep -il '^\(to\|cc\|bcc\):.*example.com' $TMP/sent/*.eml"
nothing "  ... and only once" mdesk --now 2026-11-05T12:10:00Z notify
w "ana acts on B: read" mdesk --as ana --now 2026-11-05T12:11:00Z seen "$B"
is "  ... gone from her mentions" "$(mentions 2026-11-05T12:12:00Z ana)" ""
refused "an empty reminder: exit 64" 64 "empty reminder" mdesk --as ana --now 2026-11-05T12:12:00Z remind "$B" 1h ""

# ---------------------------------------------------------------- mail off
sed -i 's|^\(mailer = .*\)|\1\nmentions_off = dmitri|' "$D/desk.conf"
git -C "$D" commit -qam "dmitri wants no mail of mentions and notices"
G=$(file 7 2026-11-05T12:00:00Z)
mdesk --as ana --now 2026-11-05T12:01:00Z assign "$G" dmitri >/dev/null
mdesk --as dmitri --now 2026-11-05T12:02:00Z snooze "$G" 1h >/dev/null
rm -f "$TMP"/sent/*
w "mentions_off = dmitri: mdesk notify records the wake" mdesk --now 2026-11-05T13:05:00Z notify
is "  ... and mails nobody" "$(ls "$TMP/sent" | wc -l)" 0
is "  ... dmitri finds it in ls --mentions" "$(mentions 2026-11-05T13:05:00Z dmitri)" "$G "

# ---------------------------------------------------------------- replicas
# the snooze on one replica, the customer's message on another: once
# they meet, the ticket is awake on both (the state is the events)
replica "$TMP/remote.git" "$TMP/r1"
H=$(MDESK_DIR=$TMP/r1 file 8 2026-11-05T09:00:00Z)
mdesk --desk "$TMP/r1" sync >/dev/null 2>&1
mdesk clone "$TMP/remote.git" "$TMP/r2" >/dev/null 2>&1
mdesk --desk "$TMP/r1" --as ana --now 2026-11-05T09:10:00Z snooze "$H" 3d >/dev/null
MDESK_DIR=$TMP/r2 answer 8 2026-11-05T10:00:00Z
for r in r2 r1 r2; do mdesk --desk "$TMP/$r" sync >/dev/null 2>&1; done
is "snoozed on one replica, answered on the other: awake on both after sync" \
	"$(mdesk --desk "$TMP/r1" --now 2026-11-05T11:00:00Z ls -f csv | grep -c "^$H,")$(mdesk --desk "$TMP/r2" --now 2026-11-05T11:00:00Z ls -f csv | grep -c "^$H,")" 11

# ---------------------------------------------------------------- maildir views
w "snooze A again" mdesk --as bob --now 2026-11-05T13:00:00Z snooze "$A" 1w
mdesk --as bob --now 2026-11-05T13:01:00Z maildir "$TMP/md" --view mine --view all >/dev/null
check "the maildir view mine leaves A out" "! grep -rqs 'X-Mdesk-Ticket: $A' '$TMP/md/mine'"
check "  ... the view all keeps it" "grep -rqs 'X-Mdesk-Ticket: $A' '$TMP/md/all'"
kw=$(sed -n 's/^\([0-9]*\) snoozed$/\1/p' "$TMP/md/all/dovecot-keywords")
letter=$(printf "\\$(printf '%03o' $((97 + ${kw:-99})))")
is "  ... its messages carry the keyword snoozed" \
	"$(ls "$TMP/md/all/cur" | grep "^$A\." | grep -vc ":2,.*$letter")" 0
check "  ... the others do not" "ls '$TMP/md/all/cur' | grep -v '^$A\.' | grep -vq ':2,.*$letter'"
done_testing
