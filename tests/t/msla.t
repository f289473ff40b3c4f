#!/bin/sh
# msla: deadlines of tickets built with the real tools at fixed times, each
# figure computed by hand in the comments.  Calendar "nine": 09:00-18:00
# Monday to Friday in America/Sao_Paulo (UTC-3 in 2026: 09:00 local is
# 12:00Z), Monday 2026-11-16 a holiday.
# valgrind: no
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
export MDESK_DIR="$TMP/desk" MDESK_AGENT=bob
newdesk "$MDESK_DIR"

cat >"$MDESK_DIR/calendars/nine.conf" <<'EOF'
timezone = America/Sao_Paulo
mon = 09:00-18:00
tue = 09:00-18:00
wed = 09:00-18:00
thu = 09:00-18:00
fri = 09:00-18:00
[holidays]
2026-11-16 = A Monday holiday
EOF
for z in Europe/Moscow Asia/Tehran America/Sao_Paulo; do
	f=$(echo "$z" | sed 's|.*/||; s/_//' | tr 'A-Z' 'a-z')
	{ echo "timezone = $z"
	  for d in mon tue wed thu fri sat sun; do echo "$d = 09:00-18:00"; done; } >"$MDESK_DIR/calendars/$f.conf"
done
cat >"$MDESK_DIR/sla.conf" <<'EOF'
[policy urgent]
match = priority=urgent
first_reply = 1h
next_reply = 1h
resolution = 1d
warn = 15m

[policy moscow]
match = tag=moscow
first_reply = 4h
time = business
calendar = moscow

[policy tehran]
match = tag=tehran
first_reply = 4h
time = business
calendar = tehran

[policy saopaulo]
match = tag=saopaulo
first_reply = 4h
time = business
calendar = saopaulo

[policy normal]
match = *
first_reply = 8h
next_reply = 4h
periodic_update = 16h
resolution = 40h
time = business
calendar = nine
warn = 25%
EOF
git -C "$MDESK_DIR" add -A
GIT_AUTHOR_DATE=2026-11-02T08:00:02Z GIT_COMMITTER_DATE=2026-11-02T08:00:02Z git -C "$MDESK_DIR" commit -qm "SLA for the tests"

# mail FROM MSGID [IN-REPLY-TO]: a message on stdout
mail() {
	printf 'From: %s\nTo: support@lumen.example\nSubject: Order question\nMessage-ID: <%s>\n' "$1" "$2"
	[ -n "${3:-}" ] && printf 'In-Reply-To: <%s>\n' "$3"
	printf '\nHello.\n'
}
# route TIME FROM MSGID [IN-REPLY-TO]: mroute it, print the ticket ID
route() { _t=$1; shift; mail "$@" | mroute --now "$_t" | sed -n 's/^X-Mdesk-Ticket: //p'; }
# field TIME ID METRIC KEY: one field of msla --all --format json
field() { msla --now "$1" --all --format json "$2" | jq -r "select(.metric == \"$3\") | .$4"; }
# ack ID TIME: record an acknowledgement as mreply does (replied, auto and ack)
ack() {
	_p=$(ls -d "$MDESK_DIR"/tickets/*/"$1")/events.jsonl
	printf '{"ack":true,"agent":"system","at":"%s","auto":true,"by":"system","id":"ack-%s","type":"replied"}\n' "$2" "$1" >>"$_p"
	git -C "$MDESK_DIR" add -A && GIT_COMMITTER_DATE=$2 GIT_AUTHOR_DATE=$2 git -C "$MDESK_DIR" commit -qm "$1: acknowledged"
}
# answer ID TIME MSGID: record bob's reply as mreply --send does (mail in
# an agent's name through mroute counts for nothing)
answer() {
	_p=$(ls -d "$MDESK_DIR"/tickets/*/"$1")/events.jsonl
	printf '{"agent":"bob","at":"%s","by":"bob","id":"reply-%s","message_id":"%s","type":"replied"}\n' "$2" "$3" "$3" >>"$_p"
	git -C "$MDESK_DIR" add -A && GIT_COMMITTER_DATE=$2 GIT_AUTHOR_DATE=$2 git -C "$MDESK_DIR" commit -qm "$1: replied"
}
CUST=carla@example.com

# ------------------------------------------------ A: Friday 17:55, Monday off
A=$(route 2026-11-13T20:55:00Z $CUST a1@example.com)
mdesk --now 2026-11-13T20:56:00Z assign "$A" bob >/dev/null
# first reply 8h business: 5m on Friday; Monday is a holiday; 7h55m on
# Tuesday from 09:00: 16:55 local = 19:55Z.  At Monday 12:00 local: 28h55m
# of calendar time left.
is "A: first reply due Tuesday 16:55 local" "$(field 2026-11-16T15:00:00Z "$A" first_reply due)" 2026-11-17T19:55:00Z
is "A: 7h55m of business time left" "$(field 2026-11-16T15:00:00Z "$A" first_reply remaining)" 28500
is "A: 28h55m of calendar time left" "$(field 2026-11-16T15:00:00Z "$A" first_reply remaining_calendar)" 104100
is "A: running on the holiday" "$(field 2026-11-16T15:00:00Z "$A" first_reply state)" running
# resolution 40h: 5m + Tuesday..Friday 36h + 3h55m on Monday 23: 12:55 local
is "A: resolution due Monday 23 12:55 local" "$(field 2026-11-16T15:00:00Z "$A" resolution due)" 2026-11-23T15:55:00Z
msla --now 2026-11-16T15:00:00Z "$A" >"$TMP/out"; rc=$?
is "A: nothing at risk: no output, exit 0" "$rc:$(cat "$TMP/out")" "0:"
# Tuesday 15:00 local: 1h55m left of 8h, under 25% (2h)
is "A: at risk on Tuesday 15:00 local" "$(msla --now 2026-11-17T18:00:00Z --format csv "$A" | cut -d, -f1-3 | tail -n +2)" "$A,first_reply,at-risk"
is "A: --warn 1h: running" "$(msla --now 2026-11-17T18:00:00Z --warn 1h --all --format csv "$A" | grep first_reply | cut -d, -f3)" running
msla --now 2026-11-17T20:00:00Z --format json "$A" >"$TMP/out"; rc=$?
is "A: breached at 17:00 local: exit 1" "$rc" 1
is "A: 5 minutes overdue" "$(jq -r '[.metric,.state,.remaining,.due]|join(" ")' "$TMP/out")" "first_reply breached -300 2026-11-17T19:55:00Z"
msla --now 2026-11-17T20:00:00Z --format table >"$TMP/out"
check "A: table: a header and the row" "grep -q '^TICKET  *METRIC' '$TMP/out' && grep -q '^$A  *first_reply  *breached  *normal  *8h  *2026-11-17 19:55  *-5m' '$TMP/out'"

is "filters: --state at-risk" "$(msla --now 2026-11-17T18:00:00Z --all --state at-risk --format csv | tail -n +2 | cut -d, -f1-3)" "$A,first_reply,at-risk"
is "filters: --metric resolution --assignee bob" "$(msla --now 2026-11-17T18:00:00Z --all --metric resolution --assignee bob --format json | jq -r '.ticket + " " + .metric')" "$A resolution"
is "filters: --assignee - (unassigned) leaves A out" "$(msla --now 2026-11-17T18:00:00Z --all --assignee - --format json "$A" | wc -l)" 0
msla --now 2026-11-17T20:00:00Z --queue billing --format json "$A" >"$TMP/out"; rc=$?
is "filters: --queue billing leaves A's breach out: exit 0" "$(wc -l <"$TMP/out"):$rc" "0:0"

# ------------------------------------------------ notify, once per level
n=$(commits)
msla --now 2026-11-17T18:00:00Z --notify --dry-run "$A" >"$TMP/mbox"
is "notify --dry-run: the mail, no commit" "$(grep -c '^From ' "$TMP/mbox"):$(($(commits) - n))" "1:0"
msla --now 2026-11-17T18:00:00Z --notify "$A" >"$TMP/mbox" 2>"$TMP/err"
is "notify: one warning to the assignee" "$(grep -c '^From ' "$TMP/mbox"):$(sed -n 's/^To: //p' "$TMP/mbox")" "1:bob.marsh@lumen.example"
check "notify: subject and automatic" "grep -q '^Subject: SLA warning: ticket $A, first reply due in 1h55m' '$TMP/mbox' && grep -q '^Auto-Submitted: auto-generated' '$TMP/mbox'"
is "notify: an escalated event" "$(grep -c '"type":"escalated"' "$MDESK_DIR"/tickets/*/"$A"/events.jsonl)" 1
is "notify: git status clean" "$(porcelain)" ""
n=$(commits)
msla --now 2026-11-17T18:05:00Z --notify "$A" >"$TMP/mbox"
is "notify again: quiet, no commit" "$(wc -c <"$TMP/mbox"):$(($(commits) - n))" "0:0"
msla --now 2026-11-17T20:00:00Z --notify --escalate lead@lumen.example "$A" >"$TMP/mbox"; rc=$?
is "notify breach: assignee, the group's lead and escalation address, exit 1" "$rc:$(sed -n 's/^To: //p' "$TMP/mbox" | tr '\n' ' ')" "1:bob.marsh@lumen.example dmitri.orlov@lumen.example lead@lumen.example "
msla --now 2026-11-17T20:10:00Z --notify --escalate lead@lumen.example "$A" >"$TMP/mbox"
is "notify breach again: quiet" "$(wc -c <"$TMP/mbox")" 0
is "notify: two escalated events in all" "$(grep -c '"type":"escalated"' "$MDESK_DIR"/tickets/*/"$A"/events.jsonl)" 2
mdesk --now 2026-11-17T20:20:00Z status "$A" solved >/dev/null

# ------------------------------------------------ B: pause, ack, next reply
B=$(route 2026-11-09T12:00:00Z $CUST b1@example.com)
ack "$B" 2026-11-09T12:00:30Z
mdesk --now 2026-11-09T13:00:00Z status "$B" pending >/dev/null
is "B: pending: paused" "$(field 2026-11-09T15:00:00Z "$B" first_reply state)" paused
is "B: 1h counted before the pause (the ack does not stop it)" "$(field 2026-11-09T15:00:00Z "$B" first_reply elapsed)" 3600
is "B: no due time while paused" "$(field 2026-11-09T15:00:00Z "$B" first_reply due)" null
is "B: resolution does not pause in pending" "$(field 2026-11-09T15:00:00Z "$B" resolution state)" running
route 2026-11-10T12:00:00Z $CUST b2@example.com b1@example.com >/dev/null
# Tuesday 11:00 local: 1h + 2h counted, 5h left: due 16:00 local = 19:00Z
is "B: the customer's answer resumes the clock" "$(field 2026-11-10T14:00:00Z "$B" first_reply due)" 2026-11-10T19:00:00Z
answer "$B" 2026-11-10T15:00:00Z b3@lumen.example
is "B: an agent's reply meets the first reply after 4h" "$(field 2026-11-10T15:30:00Z "$B" first_reply state) $(field 2026-11-10T15:30:00Z "$B" first_reply elapsed)" "met 14400"
route 2026-11-10T16:00:00Z $CUST b4@example.com b3@lumen.example >/dev/null
route 2026-11-10T17:00:00Z $CUST b5@example.com b4@example.com >/dev/null
# next reply from the oldest unanswered message (13:00 local): 3h at 16:00
is "B: next reply from the oldest unanswered message" "$(field 2026-11-10T19:00:00Z "$B" next_reply start)" 2026-11-10T16:00:00Z
is "B: 1h left (exactly 25%: running)" "$(field 2026-11-10T19:00:00Z "$B" next_reply state) $(field 2026-11-10T19:00:00Z "$B" next_reply remaining)" "running 3600"
is "B: periodic update: 4h since the reply" "$(field 2026-11-10T19:00:00Z "$B" periodic_update elapsed)" 14400
msla --now 2026-11-10T19:30:00Z --all --format json >"$TMP/asof1"
is "B: at risk at 16:30 local" "$(field 2026-11-10T19:30:00Z "$B" next_reply state)" at-risk
ack "$B" 2026-11-10T19:40:00Z
# Wednesday 09:30 local: breached at 17:00 local (20:00Z), 1h30m overdue
is "B: acks do not answer: breached" "$(field 2026-11-11T12:30:00Z "$B" next_reply state) $(field 2026-11-11T12:30:00Z "$B" next_reply due) $(field 2026-11-11T12:30:00Z "$B" next_reply remaining)" \
	"breached 2026-11-10T20:00:00Z -5400"
answer "$B" 2026-11-11T13:00:00Z b6@lumen.example
msla --now 2026-11-11T13:30:00Z "$B" >"$TMP/out"; rc=$?
is "B: answered late: breached but stopped, not listed, exit 0" "$rc:$(cat "$TMP/out"):$(field 2026-11-11T13:30:00Z "$B" next_reply active)" "0::false"
route 2026-11-11T14:00:00Z $CUST b7@example.com b6@lumen.example >/dev/null
is "B: re-armed by a new message: second cycle" "$(field 2026-11-11T15:00:00Z "$B" next_reply state) $(field 2026-11-11T15:00:00Z "$B" next_reply elapsed) $(field 2026-11-11T15:00:00Z "$B" next_reply cycles) $(field 2026-11-11T15:00:00Z "$B" next_reply breaches)" \
	"running 3600 2 1"
msla --now 2026-11-11T15:00:00Z --explain "$B" >"$TMP/out"
check "B: --explain shows pauses, resumes, stops and intervals" \
	"grep -q 'first_reply: pauses (pending)' '$TMP/out' && grep -q 'first_reply: resumes (open)' '$TMP/out' && grep -q 'first_reply: stops at 2026-11-10T15:00:00Z' '$TMP/out' && grep -q 'open 2026-11-10T12:00:00Z .. 2026-11-10T15:00:00Z' '$TMP/out' && grep -q 'automatic: does not count' '$TMP/out'"

# ------------------------------------------------ C: urgent, solved, reopened
C=$(route 2026-11-02T10:00:00Z dan@example.com c1@example.com)
mdesk --now 2026-11-02T10:00:00Z priority "$C" urgent >/dev/null
answer "$C" 2026-11-02T10:30:00Z c2@lumen.example
mdesk --now 2026-11-02T16:00:00Z status "$C" solved >/dev/null
is "C: solved: not listed" "$(msla --now 2026-11-02T20:00:00Z --all --format csv "$C" | wc -l)" 1
route 2026-11-03T10:00:00Z dan@example.com c3@example.com c2@lumen.example >/dev/null
# resolution 1d of calendar time: 6h, solved, reopened, 2h: 16h left
is "C: a reopen resumes the resolution clock" "$(field 2026-11-03T12:00:00Z "$C" resolution elapsed) $(field 2026-11-03T12:00:00Z "$C" resolution due)" "28800 2026-11-04T04:00:00Z"
is "C: the reopening message arms next reply (1h)" "$(field 2026-11-03T12:00:00Z "$C" next_reply state) $(field 2026-11-03T12:00:00Z "$C" next_reply due)" "breached 2026-11-03T11:00:00Z"
mdesk --now 2026-11-03T12:00:00Z status "$C" solved >/dev/null

# ------------------------------------------------ D, E: a policy change midway
D=$(route 2026-11-09T12:00:00Z eve@example.com d1@example.com)
mdesk --now 2026-11-09T12:30:00Z priority "$D" urgent >/dev/null
# 30m under normal, then urgent's 1h of calendar time: due 13:00Z
is "D: urgent from the change: due 13:00Z" "$(field 2026-11-09T12:40:00Z "$D" first_reply due) $(field 2026-11-09T12:40:00Z "$D" first_reply policy)" "2026-11-09T13:00:00Z urgent"
is "D: 10m left of warn 15m: at risk" "$(field 2026-11-09T12:50:00Z "$D" first_reply state)" at-risk
E=$(route 2026-11-09T12:00:00Z fay@example.com e1@example.com)
mdesk --now 2026-11-09T14:00:00Z priority "$E" urgent >/dev/null
is "E: 2h counted when urgent (1h) starts: breached at the change" "$(field 2026-11-09T14:10:00Z "$E" first_reply state) $(field 2026-11-09T14:10:00Z "$E" first_reply due)" "breached 2026-11-09T14:00:00Z"
mdesk --now 2026-11-09T15:00:00Z status "$D" solved >/dev/null
mdesk --now 2026-11-09T15:00:00Z status "$E" solved >/dev/null

# ------------------------------------------------ daylight saving
# Sao Paulo, Saturday 2018-11-03 17:00 local (-03, 20:00Z): 1h, then
# Sunday 09:00-12:00 local, now -02 (DST from midnight): 14:00Z
S=$(route 2018-11-03T20:00:00Z sao@example.com s1@example.com)
mdesk --now 2018-11-03T20:00:00Z tag "$S" saopaulo >/dev/null
is "DST: Sao Paulo 2018 due Sunday 12:00 -02" "$(field 2018-11-03T21:00:00Z "$S" first_reply due)" 2018-11-04T14:00:00Z
# Moscow, Saturday 2014-10-25 17:00 local (+04, 13:00Z): 1h, then
# Sunday 09:00-12:00 local, now +03: 09:00Z
M=$(route 2014-10-25T13:00:00Z mos@example.com m1@example.com)
mdesk --now 2014-10-25T13:00:00Z tag "$M" moscow >/dev/null
is "DST: Moscow 2014 due Sunday 12:00 +03" "$(field 2014-10-25T14:00:00Z "$M" first_reply due)" 2014-10-26T09:00:00Z
# Tehran, Monday 2022-03-21 17:00 local (+03:30, 13:30Z): 1h, then
# Tuesday 09:00-12:00 local, now +04:30: 07:30Z
H=$(route 2022-03-21T13:30:00Z teh@example.com h1@example.com)
mdesk --now 2022-03-21T13:30:00Z tag "$H" tehran >/dev/null
is "DST: Tehran 2022 due Tuesday 12:00 +04:30" "$(field 2022-03-21T14:00:00Z "$H" first_reply due)" 2022-03-22T07:30:00Z
# the same instant under Moscow (+03 all year since 2014): 16:30 local,
# 1h30m, then 2h30m on Tuesday: 11:30 local = 08:30Z
M2=$(route 2022-03-21T13:30:00Z mos2@example.com m2@example.com)
mdesk --now 2022-03-21T13:30:00Z tag "$M2" moscow >/dev/null
is "DST: Moscow vs Tehran at the same instant" "$(field 2022-03-21T14:00:00Z "$M2" first_reply due)" 2022-03-22T08:30:00Z
for t in $S $M $H $M2; do mdesk --now 2026-11-02T09:00:00Z status "$t" solved >/dev/null; done

# ------------------------------------------------ --as-of and --policy
sed 's/^next_reply = 4h$/next_reply = 2h/' "$MDESK_DIR/sla.conf" >"$TMP/sla" && cp "$TMP/sla" "$MDESK_DIR/sla.conf"
GIT_AUTHOR_DATE=2026-11-12T00:00:00Z GIT_COMMITTER_DATE=2026-11-12T00:00:00Z git -C "$MDESK_DIR" commit -qam "next reply 2h"
msla --now 2026-11-20T00:00:00Z --as-of 2026-11-10T19:30:00Z --all --format json >"$TMP/asof2"
check "--as-of reproduces the earlier run exactly (the sla.conf of that time)" "cmp '$TMP/asof1' '$TMP/asof2'"
is "--as-of with --policy HEAD: next reply 2h, breached" \
	"$(msla --now 2026-11-20T00:00:00Z --as-of 2026-11-10T19:30:00Z --policy HEAD --all --format json "$B" | jq -r 'select(.metric=="next_reply") | .state + " " + .due')" \
	"breached 2026-11-10T18:00:00Z"
is "--policy HEAD~1: the old 4h" \
	"$(msla --now 2026-11-10T19:30:00Z --policy HEAD~1 --all --format json "$B" | jq -r 'select(.metric=="next_reply") | .state')" at-risk

# ------------------------------------------------ the summary's timelines
# .git/mdesk/tickets-main (and tickets-archive) hold every ticket's folded
# state and timeline, so msla parses no events file: derived data that
# changes no answer when deleted, damaged or left behind by a commit
EV=$MDESK_DIR/.git/mdesk/tickets-main
answers() {
	msla --now 2026-11-10T19:30:00Z --all --format json
	msla --now 2026-11-10T19:30:00Z --all --format csv
	msla --now 2026-11-20T00:00:00Z --as-of 2026-11-09T12:40:00Z --all --format json
}
answers >"$TMP/ev1"
check "msla writes the summary of main with timelines" "head -c 16 '$EV' | grep -q '^mdesk-tickets 7 ' && grep -q \"^$B	.*$(printf '\037')breceived\" '$EV'"
check "  ... answering for several tickets" "test \$(wc -l <'$TMP/ev1') -gt 10 && grep -q \"$D\" '$TMP/ev1'"
cp "$EV" "$TMP/evgood"
rm -f "$EV"
answers >"$TMP/ev2"
check "deleted: the same answers" "cmp -s '$TMP/ev1' '$TMP/ev2'"
check "  ... and the file built again" "cmp -s '$TMP/evgood' '$EV'"
head -c 300 "$TMP/evgood" >"$EV"
answers >"$TMP/ev3"
check "truncated: the same answers" "cmp -s '$TMP/ev1' '$TMP/ev3'"
check "  ... and the file built again" "cmp -s '$TMP/evgood' '$EV'"
# an agent reply turned into a note in every timeline: the clocks would
# not stop, were the file believed
sed "s/$(printf '\037')breplied/$(printf '\037')bnote/g" "$TMP/evgood" >"$EV"
check "  (the test changes the file)" "! cmp -s '$TMP/evgood' '$EV'"
answers >"$TMP/ev4"
check "an event changed in the file: the same answers (the checksum)" "cmp -s '$TMP/ev1' '$TMP/ev4'"
check "  ... and the file built again" "cmp -s '$TMP/evgood' '$EV'"
printf 'mdesk-tickets 7 %s\nend 0 0000000000000000\n' "$(git -C "$MDESK_DIR" rev-parse HEAD:tickets)" >"$EV"
answers >"$TMP/ev4"
check "no tickets for the current tree, with a wrong checksum: the same answers" "cmp -s '$TMP/ev1' '$TMP/ev4'"
head -c 100000 /dev/urandom >"$EV"
answers >"$TMP/ev4" 2>"$TMP/everr"
check "random bytes: the same answers, nothing said" "cmp -s '$TMP/ev1' '$TMP/ev4' && test ! -s '$TMP/everr'"
# stale: a commit after the file was written
mdesk --now 2026-11-10T19:00:00Z priority "$B" urgent >/dev/null
answers >"$TMP/ev5"
check "a commit: the answers follow it" "! cmp -s '$TMP/ev1' '$TMP/ev5' && grep '\"$B\"' '$TMP/ev5' | grep -q '\"priority\":\"urgent\"'"
check "  ... the file keyed by the new tree" "! cmp -s '$TMP/evgood' '$EV' && test \"\$(head -n 1 '$EV' | cut -d' ' -f3)\" = \"\$(git -C '$MDESK_DIR' rev-parse HEAD:tickets)\""
rm -f "$EV"
answers >"$TMP/ev6"
check "  ... the same answers as a file built afresh" "cmp -s '$TMP/ev5' '$TMP/ev6'"
# --as-of counts archived tickets: from tickets-archive
mdesk --now 2026-11-20T10:00:00Z archive "$D" >/dev/null
answers >"$TMP/ev7"
check "an archived ticket: --as-of still counts it" "cmp -s '$TMP/ev5' '$TMP/ev7' && ! ls -d '$MDESK_DIR'/tickets/*/'$D' 2>/dev/null"
check "  ... from .git/mdesk/tickets-archive" "grep -q '^$D	' '$MDESK_DIR/.git/mdesk/tickets-archive'"
rm -f "$MDESK_DIR/.git/mdesk/tickets-archive"
answers >"$TMP/ev8"
check "  ... deleted: the same answers" "cmp -s '$TMP/ev5' '$TMP/ev8'"
# a malformed event committed by hand: the ticket has no timeline in the
# summary; msla reads its file, tells the line once, and answers as
# without it (a summary written or not)
_p=$(cd "$MDESK_DIR" && ls tickets/*/"$B"/events.jsonl)
_n=$(wc -l <"$MDESK_DIR/$_p")
printf '{"at":"2026-11-10T19:10:00Z","id":"bad",\n' >>"$MDESK_DIR/$_p"
git -C "$MDESK_DIR" commit -qam "a broken line"
for _run in first second; do
	answers >"$TMP/ev9" 2>"$TMP/everr"
	is "a malformed line, $_run run: one warning with file:line per answer" "$(sort -u "$TMP/everr")" \
		"msla: $_p:$((_n + 1)): not JSON; the line is skipped"
	check "  ... the same answers as without it" "cmp -s '$TMP/ev5' '$TMP/ev9'"
done
check "  ... no timeline for it in the summary" "grep '^$B	' '$EV' | grep -q '	-\$'"
git -C "$MDESK_DIR" reset -q --hard HEAD~1
check "the files are not in git" "test -z \"\$(git -C '$MDESK_DIR' status --porcelain --ignored)\""

# ------------------------------------------------ errors
refused "--policy: an unknown revision" 64 "not a revision" msla --policy nosuchrev
refused "--as-of: not a time" 64 "not a time" msla --as-of yesterday
refused "--notify with --as-of" 64 "present" msla --notify --as-of 2026-11-10T00:00:00Z --now 2026-11-11T00:00:00Z
printf '[policy a]\nmatch = priority=soon\nfirst_reply = fast\n' >"$MDESK_DIR/sla.conf"
msla --now 2026-11-11T00:00:00Z >/dev/null 2>"$TMP/err"; rc=$?
is "a broken sla.conf: exit 78" "$rc" 78
is "a broken sla.conf: file:line errors" "$(cat "$TMP/err")" "msla: sla.conf:2: match: priority 'soon' is not one of low, normal, high, urgent
msla: sla.conf:3: first_reply: want a duration like 30m, 4h, 1h30m, not 'fast'"
git -C "$MDESK_DIR" checkout -q sla.conf
msla --explain ZZZZZZZZ >/dev/null 2>"$TMP/err"
is "--explain: no such ticket: exit 66" "$?:$(cat "$TMP/err")" "66:msla: ZZZZZZZZ: no such ticket"
msla --bogus >/dev/null 2>&1
is "an unknown option: exit 64" $? 64
check "--help" "msla --help | grep -q 'usage: msla'"
check "--version" "msla --version | grep -q '^msla (mdesk) '"
done_testing
