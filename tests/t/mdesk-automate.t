#!/bin/sh
# mdesk automate: the example desk's rules (automations.conf of mdesk
# init) through the real tools at fixed times.  The desk's calendar
# "business" is 09-12 and 13-18 in America/Sao_Paulo (UTC-3: 12:00Z to
# 15:00Z and 16:00Z to 21:00Z), Monday to Friday; ana's shift is
# 11:00Z-20:00Z, bob's, dmitri's and farah's 08:00Z-16:30Z; dmitri is the
# support group's lead.  Each action is recorded by rule:NAME, once per
# ticket and episode.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D"
capture_mailer "$D"
file() {	# file N TIME: a new ticket from cliN
	printf 'From: Cli %s <cli%s@example.com>\nTo: support@lumen.example\nSubject: Order %s is late\nMessage-ID: <o%s@example.com>\n\nWhere is it?\n' \
		"$1" "$1" "$1" "$1" | mroute --now "$2" | sed -n 's/^X-Mdesk-Ticket: //p'
}
sent() { ls "$TMP/sent" | grep -c '\.eml$'; }
auto() { mdesk --now "$1" automate; }
# nothing IS DESC CMD...: CMD exits 0, commits nothing, sends nothing
nothing() {
	_d=$1; shift
	_h=$(head_id) _m=$(sent)
	"$@" >"$TMP/out" 2>"$TMP/err"; _rc=$?
	if [ "$_rc" -eq 0 ] && [ "$(head_id)" = "$_h" ] && [ "$(sent)" -eq "$_m" ] && [ -z "$(porcelain)" ]; then ok 0 "$_d"
	else ok 1 "$_d"; echo "#   exit $_rc, HEAD $( [ "$(head_id)" = "$_h" ] && echo kept || echo moved), $(($(sent) - _m)) mail"
		sed 's/^/#   /' "$TMP/out" "$TMP/err" | head -5; fi
}
last_mail() { ls -t "$TMP"/sent/*.eml | head -1; }
ev() { mdesk show --json "$1" | jq -c "$2"; }

# ---------------------------------------------------------------- check
check "the example desk's automations pass mdesk check" "mdesk check"
cp "$D/automations.conf" "$TMP/good.conf"
printf '\n[rule broken]\nstatus = pendng\naction = reply\n' >>"$D/automations.conf"
n=$(wc -l <"$D/automations.conf")
git -C "$D" commit -qam "a broken rule"
refused "mdesk check: the unknown status at its line" 78 "automations.conf:$((n - 1)): status: 'pendng' is not one of" mdesk check
check "  ... and the reply without a template at the rule's line" \
	"grep -q 'automations.conf:$((n - 2)): \[rule broken\] needs' '$TMP/err'"
refused "mdesk automate refuses to run a broken file, nothing done" 78 "automations.conf: 2 problems; nothing was done" \
	mdesk --now 2026-11-20T14:00:00Z automate
cp "$TMP/good.conf" "$D/automations.conf"
git -C "$D" commit -qam "the rule mended"

# ---------------------------------------------------------------- pending: reminder, close
A=$(file 1 2026-11-03T13:00:00Z)
w "ana's internal note on A" mdesk --as ana --now 2026-11-03T13:20:00Z note "$A" "SECRET-NOTE the customer is on the watch list"
echo "Which order number is it?" >"$TMP/words"
mreply --ticket "$A" --as ana --send --text "$TMP/words" --now 2026-11-03T13:30:00Z >/dev/null 2>&1
is "ana asked the customer: A is pending" "$(ev "$A" .status)" '"pending"'
# pending since Tue 10:30 local: 6h30 that day, 8h Wed, 8h Thu, 1h30 on
# Friday: 24h of business time at Fri 10:30 local, 13:30Z
nothing "Fri 13:00Z: 23h30 of the 24h business: nothing" auto 2026-11-06T13:00:00Z
mdesk --now 2026-11-06T13:00:00Z automate --explain >"$TMP/explain"
check "  ... --explain says how long it has been" \
	"grep -q '^$A: rule remind-pending: 23h30m of 24h business time since status 2026-11-03T13:30:00Z: not yet' '$TMP/explain'"
nothing "Fri 14:00Z --dry-run: writes and sends nothing" mdesk --now 2026-11-06T14:00:00Z automate --dry-run
is "  ... and says what it would do" "$(cat "$TMP/out")" "$A: rule remind-pending: would send template reminder to cli1@example.com"
nothing "Fri 14:00Z --rule close-pending: the reminder is another rule's" \
	mdesk --now 2026-11-06T14:00:00Z automate --rule close-pending
refused "--rule of no rule: exit 64" 64 "no \[rule nosuch\] in automations.conf" \
	mdesk --now 2026-11-06T14:00:00Z automate --rule nosuch
n=$(sent)
w "Fri 14:00Z: the reminder, one commit" mdesk --now 2026-11-06T14:00:00Z automate --rule remind-pending
is "  ... one mail, to the customer" "$(($(sent) - n)):$(grep '^To:' "$(last_mail)")" "1:To: Cli 1 <cli1@example.com>"
M=$(last_mail)
check "  ... the reminder template, automatic mail (RFC 3834)" \
	"grep -q '^Subject: \[#$A\] Waiting for your answer: Order 1 is late' '$M' && grep -q '^Auto-Submitted: auto-generated' '$M'"
is "  ... recorded by rule:remind-pending, automatic, in its episode" \
	"$(ev "$A" '[.events[] | select(.rule == "remind-pending") | [.type, .by, .auto, .episode, .status]]')" \
	'[["replied","rule:remind-pending",true,"2026-11-03T13:30:00Z","pending"]]'
is "  ... no reply of an agent's: replies stay 1, still pending" "$(ev "$A" '[.replies, .status]')" '[1,"pending"]'
is "  ... mreport counts it as no acknowledgement" \
	"$(mreport --since 2026-11-01 --until 2026-11-07 --format json | jq -s '[.[].acks] | add')" 0
nothing "a second run does nothing" auto 2026-11-06T14:05:00Z
nothing "  ... nor on Monday" auto 2026-11-09T14:00:00Z
n=$(sent)
w "Tue 10 14:00Z, pending for a week: the closing mail" auto 2026-11-10T14:00:00Z
is "  ... one mail, the auto-close template, to the customer" \
	"$(($(sent) - n)):$(grep '^To:' "$(last_mail)"):$(grep -c 'we are marking ticket' "$(last_mail)")" "1:To: Cli 1 <cli1@example.com>:1"
is "  ... A solved by rule:close-pending" "$(ev "$A" '[.status, .events[-1].by]')" '["solved","rule:close-pending"]'
nothing "  ... again: nothing" auto 2026-11-10T15:00:00Z
nothing "solved 3 days: nothing" auto 2026-11-13T14:00:00Z
n=$(sent)
w "solved 4 days: closed" auto 2026-11-14T14:00:00Z
is "  ... closed with an internal note by rule:close-solved, no mail" \
	"$(ev "$A" '[.status, ([.events[] | select(.rule == "close-solved") | .type] | sort)]'):$(($(sent) - n))" \
	'["closed",["note","status"]]:0'
check "internal notes never reach a customer (no mail holds one)" \
	"! grep -l 'SECRET-NOTE\|Closed automatically' '$TMP'/sent/*.eml"
nothing "closed: the rules are done with A" auto 2026-11-30T14:00:00Z

# ---------------------------------------------------------------- a new episode
E=$(file 5 2026-11-16T13:00:00Z)
mreply --ticket "$E" --as ana --send --text "$TMP/words" --now 2026-11-16T13:30:00Z >/dev/null 2>&1
w "E pending for 3 business days: reminded" auto 2026-11-19T14:00:00Z
printf 'From: Cli 5 <cli5@example.com>\nTo: support@lumen.example\nSubject: Re: Order 5 is late\nIn-Reply-To: <o5@example.com>\nMessage-ID: <o5b@example.com>\n\nNumber 77.\n' |
	mroute --now 2026-11-19T15:00:00Z >/dev/null
mreply --ticket "$E" --as ana --send --text "$TMP/words" --now 2026-11-19T15:30:00Z >/dev/null 2>&1
is "the customer answered, ana asked again: pending anew" "$(ev "$E" .status)" '"pending"'
nothing "  ... a day later: nothing" auto 2026-11-20T16:00:00Z
w "  ... 3 business days later: reminded again (a new episode)" auto 2026-11-25T16:00:00Z
is "  ... two reminders, each in its own episode" \
	"$(ev "$E" '[.events[] | select(.rule == "remind-pending") | .episode]')" \
	'["2026-11-16T13:30:00Z","2026-11-19T15:30:00Z"]'

# ---------------------------------------------------------------- snoozed
G=$(file 7 2026-11-17T02:00:00Z)
is "G arrived at night: unassigned" "$(ev "$G" .assignee)" null
w "G snoozed until Monday 23" mdesk --as ana --now 2026-11-17T02:30:00Z snooze "$G" 2026-11-23T12:00:00Z
mdesk --now 2026-11-17T09:00:00Z automate --dry-run --explain >"$TMP/explain"
check "a snoozed ticket is out of the rules' reach until its time" \
	"grep -q '^$G: rule hand-out: snoozed until 2026-11-23T12:00:00Z' '$TMP/explain' && ! grep -q '^$G: rule hand-out: would' '$TMP/explain'"

# ---------------------------------------------------------------- overnight tickets
B=$(file 2 2026-11-04T02:00:00Z)
is "B arrived at 02:00Z, nobody on shift: unassigned" "$(ev "$B" '[.status, .assignee]')" '["new",null]'
printf 'From: Mail Delivery System <mailer-daemon@example.net>\nTo: support@lumen.example\nSubject: Undelivered Mail Returned to Sender\nAuto-Submitted: auto-replied\nMessage-ID: <bounce1@example.net>\n\nThe mail could not be delivered.\n' |
	mroute --now 2026-11-04T02:10:00Z >/dev/null
H=$(mdesk ls --format json | jq -r 'select(.customer == "mailer-daemon@example.net") | .id')
is "a bounce at night: automatic, unassigned" "$(ev "$H" '[.assignee, (.tags | index("auto") != null)]')" '[null,true]'
nothing "07:00Z: still nobody on shift, nothing" auto 2026-11-04T07:00:00Z
mdesk --now 2026-11-04T08:10:00Z automate --dry-run --explain >"$TMP/explain"
check "  ... at 08:10Z the bounce is no rule's (tag !auto)" "grep -q '^$H: rule hand-out: is tagged auto' '$TMP/explain'"

w "08:10Z: the shifts have started: B handed out" auto 2026-11-04T08:10:00Z
is "  ... to an agent on shift (not ana, whose shift starts at 11:00Z), by rule:hand-out" \
	"$(ev "$B" '[.status, (.assignee | IN("bob", "dmitri", "farah")), .events[-1].by]')" '["open",true,"rule:hand-out"]'
nothing "  ... again: nothing" auto 2026-11-04T08:20:00Z
is "  ... the bounce stays unassigned" "$(ev "$H" .assignee)" null

# ---------------------------------------------------------------- the lead
C=$(file 3 2026-11-04T20:05:00Z)
is "C at 20:05Z: business hours, no agent on shift: unassigned" "$(ev "$C" .assignee)" null
nothing "25 business minutes: nothing" auto 2026-11-04T20:30:00Z
n=$(sent)
w "30 business minutes: the group's lead is told" auto 2026-11-04T20:40:00Z
M=$(last_mail)
is "  ... one mail, to dmitri (skill lead in group support)" "$(($(sent) - n)):$(grep '^To:' "$M")" "1:To: Dmitri Orlov <dmitri.orlov@lumen.example>"
check "  ... naming the ticket, automatic" "grep -q '^X-Mdesk-Ticket: $C' '$M' && grep -q '^Auto-Submitted: auto-generated' '$M'"
is "  ... recorded as notified by rule:unassigned-lead" "$(ev "$C" '.events[-1] | [.type, .by, .to]')" \
	'["notified","rule:unassigned-lead",["dmitri.orlov@lumen.example"]]'
nothing "  ... again: nothing" auto 2026-11-04T20:50:00Z

# ---------------------------------------------------------------- a mailer that refuses
F=$(file 6 2026-11-16T13:00:00Z)
mreply --ticket "$F" --as ana --send --text "$TMP/words" --now 2026-11-16T13:30:00Z >/dev/null 2>&1
auto 2026-11-19T13:00:00Z >/dev/null 2>&1	# the rest done first (C handed out)
flock "$D/.git/mdesk/automate.lock" sleep 3 &
sleep 1
refused "another run at work: exit 75, nothing done" 75 "another mdesk automate is at work on this desk; nothing done" \
	auto 2026-11-19T14:00:00Z
wait
sed -i "s|^mailer = .*|mailer = sendmail://$TMP/nonexistent|" "$D/desk.conf"
git -C "$D" commit -qam "a mailer that is not there"
refused "a mailer that refuses: exit 75, nothing recorded" 75 "$F: rule remind-pending: not sent, nothing recorded" \
	auto 2026-11-19T14:00:00Z
sed -i "s|^mailer = .*|mailer = sendmail://$TMP/sendmail|" "$D/desk.conf"
git -C "$D" commit -qam "the mailer back"
w "  ... the next run sends it" auto 2026-11-19T14:05:00Z
is "  ... once" "$(ev "$F" '[.events[] | select(.rule == "remind-pending")] | length')" 1

# ---------------------------------------------------------------- no automatic mail to automatic mail
w "the bounce set pending" mdesk --as ana --now 2026-11-04T09:00:00Z status "$H" pending
nothing "3 business days later: no reminder to a mailer daemon (RFC 3834)" auto 2026-11-09T14:00:00Z
mdesk --now 2026-11-09T14:00:00Z automate --explain >"$TMP/explain"
check "  ... --explain says why" "grep -q '^$H: rule remind-pending: no mail: the customer.s message is automatic' '$TMP/explain'"

# ---------------------------------------------------------------- assign never takes automatic mail
printf '[rule give-all]\nstatus = new|open|pending\nassignee = none\naction = assign\n' >"$D/automations.conf"
git -C "$D" commit -qam "a hand-out rule without tags"
nothing "a rule that would assign anything: the bounce is not assigned" auto 2026-11-20T09:00:00Z
mdesk --now 2026-11-20T09:00:00Z automate --explain >"$TMP/explain"
check "  ... automatic mail is never assigned (as mroute)" \
	"grep -q '^$H: rule give-all: nobody to assign: automatic mail and spam are not assigned' '$TMP/explain'"

# ---------------------------------------------------------------- mail to the assignee and an address; since customer
printf '%s\n' '[rule vip-waits]' 'status = new|open' 'assignee = set' 'tag = vip !spam' 'since = customer' \
	'after = 2h' 'action = mail' 'to = assignee ops@lumen.example' \
	'note = "A VIP has waited two hours since their last message."' >"$D/automations.conf"
git -C "$D" commit -qam "a rule for VIPs"
V=$(file 8 2026-11-24T13:00:00Z)
w "V tagged vip" mdesk --as ana --now 2026-11-24T13:05:00Z tag "$V" vip
VA=$(ev "$V" .assignee | tr -d '"')
VM=$(sed -n "s/^$VA,[^,]*,\([^,]*\),.*/\1/p" "$D/agents.csv")
nothing "1h59m after the customer's message: nothing" auto 2026-11-24T14:59:00Z
n=$(sent)
w "2h after it: the assignee and ops told" auto 2026-11-24T15:00:00Z
M=$(last_mail)
is "  ... one mail, to the assignee (bob) and ops, not to the customer" \
	"$(($(sent) - n)):$(awk '/^[A-Za-z-]+:/ { f = /^To:/ } /^$/ { exit } f' "$M" | tr -d '\n')" \
	"1:To: Bob Marsh <$VM>, ops@lumen.example"
check "  ... with the rule's note" "grep -q '^A VIP has waited two hours since their last message.' '$M'"
nothing "  ... once" auto 2026-11-24T16:00:00Z
printf 'From: Cli 8 <cli8@example.com>\nTo: support@lumen.example\nSubject: Re: Order 8 is late\nIn-Reply-To: <o8@example.com>\nMessage-ID: <o8b@example.com>\n\nStill waiting.\n' |
	mroute --now 2026-11-24T17:00:00Z >/dev/null
nothing "the customer writes again: a new episode; 1h later nothing" auto 2026-11-24T18:00:00Z
w "  ... 2h later: told again" auto 2026-11-24T19:00:00Z
done_testing
