#!/bin/sh
# valgrind: no
# mdesk check reads sla.conf and the calendars with the parser of the tools
# that use them: each broken line of the table below is refused by check
# with file:line and what is wrong, and every tool that then stops on it
# (exit 78) names the same file and line.  A desk that check passes is
# one on which no tool exits 78.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
M=$DATA/mail
G=$TMP/good
newdesk "$G"
sed -i 's|^mailer = .*|mailer = sendmail:///bin/true|' "$G/desk.conf"
git -C "$G" commit -qam "a mailer that accepts"
MDESK_DIR=$G mroute --now 2026-11-03T10:00:00Z <"$M/single.eml" >"$TMP/out"
T=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")
check "a ticket to answer ($T)" "test -n '$T'"

# Each row: FILE|LINE|WHAT[|SAY].  LINE replaces the first line of FILE
# that starts with the same key (or, with no such line, is appended);
# WHAT is an extended regular expression for check's message after
# file:line; a tool that stops names FILE:LINE, or says SAY when given.
cat >"$TMP/table" <<'EOF'
sla.conf|first_reply = 0s|first_reply: want a duration
sla.conf|first_reply = -1h|first_reply: want a duration
sla.conf|warn = 200%|warn: want a share
sla.conf|warn = -25%|warn: want a share
sla.conf|warn = 0%|warn: want a share
sla.conf|calendar = nosuch|calendar 'nosuch': no calendars/nosuch.conf
sla.conf|calendar = ../desk|calendar: '../desk' is not a calendar name
sla.conf|match = priority=|match: 'priority=' is not KEY=VALUE
sla.conf|match = priority=hgih|match: priority 'hgih' is not one of
sla.conf|time = sometimes|time: 'sometimes' is not business or calendar
sla.conf|first_reply = pending waiting|\[pause\]: 'waiting' is not one of
sla.conf|bogus = 1|unknown key 'bogus'
calendars/business.conf|mon = 09:00-17:00 10:00-11:00|want intervals like
calendars/business.conf|mon = 13:00-17:00 09:00-11:00|want intervals like
calendars/business.conf|tue = 09:00-25:00|want intervals like
calendars/business.conf|timezone = Mars/Olympus|timezone: not an IANA time zone
calendars/business.conf|thurs = 09:00-18:00|unknown key
calendars/business.conf|holidays_file = holidays.csv|holidays_file: no calendars/holidays.csv
calendars/support-eu.conf|12-32 = Nope|a holiday is YYYY-MM-DD or MM-DD
calendars/support-eu.conf|02-30 = Nope|a holiday is YYYY-MM-DD or MM-DD
desk.conf|timezone = America|timezone: 'America' is not an IANA time zone
desk.conf|timezone = ../../etc/passwd|timezone: '../../etc/passwd' is not an IANA time zone
desk.conf|rate = 3|rate: '3' is not like 3/1d
desk.conf|rate = 3/0s|rate: '3/0s' is not like 3/1d
desk.conf|template = nosuch|template: no templates/nosuch.txt|templates/nosuch.txt: no such template
EOF

# set FILE LINE: the desk $D with LINE in place of the line of its key
setline() {
	key=$(printf '%s' "$2" | sed 's/ *=.*//')
	if [ "$1" = sla.conf ] && [ "$2" = "first_reply = pending waiting" ]; then
		# the [pause] section's key of the same name
		n=$(grep -n '^first_reply = pending on-hold$' "$D/$1" | head -1 | cut -d: -f1)
	elif [ "$key" = 12-32 ] || [ "$key" = 02-30 ]; then
		n=$(grep -n '^12-25 = ' "$D/$1" | head -1 | cut -d: -f1)
	else
		n=$(grep -n "^$key = " "$D/$1" | head -1 | cut -d: -f1)
	fi
	if [ -n "$n" ]; then
		awk -v n="$n" -v l="$2" 'NR == n { print l; next } { print }' "$D/$1" >"$D/$1.new"
	else
		n=$(grep -n '^\[policy urgent\]$' "$D/$1" | cut -d: -f1)
		[ "$1" != sla.conf ] && n=$(grep -n '^timezone = ' "$D/$1" | cut -d: -f1)
		awk -v n="$n" -v l="$2" '{ print } NR == n { print l }' "$D/$1" >"$D/$1.new"
		n=$((n + 1))
	fi
	mv "$D/$1.new" "$D/$1"
	LN=$n
}

# a tool on the broken desk: works, or stops (exit 78, or an
# acknowledgement that failed with exit 78) naming FILE:LN
agree() {	# agree TOOL-NAME FILE EXIT
	if [ "$3" -eq 78 ] || grep -q 'exit 78' "$TMP/terr"; then
		grep -q ": $2:$LN: " "$TMP/terr" && return 0
		[ -n "$say" ] && grep -q "$say" "$TMP/terr" && return 0
		echo "#   $1 stopped: $(head -1 "$TMP/terr")"
		return 1
	fi
	return 0
}

row=0
while IFS='|' read -r file line what say; do
	D=$TMP/d
	rm -rf "$D"
	cp -a "$G" "$D"
	setline "$file" "$line"
	export MDESK_DIR=$D
	mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
	ok=1
	[ "$rc" -eq 78 ] && grep -Eq "^mdesk: $file:$LN: $what" "$TMP/err" && ok=0
	ok $ok "check refuses $file:$LN '$line': $what"
	[ $ok -eq 0 ] || sed 's/^/#   /' "$TMP/err" | head -3
	stopped=0
	MDESK_AGENT=ana mreply --now 2026-11-03T11:00:00Z --ticket "$T" --template answer --send \
		</dev/null >/dev/null 2>"$TMP/terr"; rc=$?
	agree mreply "$file" $rc; a=$?; [ $rc -eq 78 ] && stopped=$((stopped + 1))
	row=$((row + 1))
	printf 'From: Row %s <row%s@example.org>\nTo: support@lumen.example\nSubject: question %s\nMessage-ID: <row%s@example.org>\nDate: Tue, 03 Nov 2026 10:00:00 +0000\n\nHello.\n' \
		$row $row $row $row >"$TMP/row.eml"
	mroute --ack --now 2026-11-03T11:00:00Z <"$TMP/row.eml" >/dev/null 2>"$TMP/terr"; rc=$?
	agree mroute "$file" $rc; b=$?
	{ [ $rc -eq 78 ] || grep -q 'exit 78' "$TMP/terr"; } && stopped=$((stopped + 1))
	msla --now 2026-11-03T12:00:00Z >/dev/null 2>"$TMP/terr"; rc=$?
	agree msla "$file" $rc; c=$?; [ $rc -eq 78 ] && stopped=$((stopped + 1))
	mreport --now 2026-11-03T12:00:00Z >/dev/null 2>"$TMP/terr"; rc=$?
	agree mreport "$file" $rc; d=$?; [ $rc -eq 78 ] && stopped=$((stopped + 1))
	ok $((a + b + c + d)) "... the tools that stop on it ($stopped) name $file:$LN too"
done <"$TMP/table"

# a queue without an address: replies from it have no From
D=$TMP/d; rm -rf "$D"; cp -a "$G" "$D"; export MDESK_DIR=$D
ln=$(grep -n '^\[queue support\]$' "$D/desk.conf" | cut -d: -f1)
sed -i '/^address = support@lumen.example$/d' "$D/desk.conf"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "check refuses a queue without an address, at its section" \
	"$rc $(grep -c "^mdesk: desk.conf:$ln: \[queue support\] has no address" "$TMP/err")" "78 1"

# the desk as mdesk init writes it: check ok, and no tool exits 78
export MDESK_DIR=$G
check "the good desk: check ok" "mdesk check"
MDESK_AGENT=ana mreply --now 2026-11-03T11:00:00Z --ticket "$T" --template answer </dev/null >/dev/null 2>&1
is "... mreply works" "$?" 0
msla --now 2026-11-03T12:00:00Z >/dev/null 2>&1; rc=$?
check "... msla works (exit $rc)" "test $rc -le 1"
mreport --now 2026-11-03T12:00:00Z >/dev/null 2>&1
is "... mreport works" "$?" 0

# an agent's shift calendar is read like the others
D=$TMP/d; rm -rf "$D"; cp -a "$G" "$D"; export MDESK_DIR=$D
printf 'timezone = Europe/Lisbon\nmon = 18:00-09:00\n' >"$D/calendars/night.conf"
sed -i 's/,support-eu$/,night/' "$D/agents.csv"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a shift calendar with a bad line: check exit 78, calendars/night.conf:2" \
	"$rc $(grep -c '^mdesk: calendars/night.conf:2: want intervals' "$TMP/err")" "78 1"
printf 'From: New Person <new.person@example.org>\nTo: support@lumen.example\nSubject: a new question\nMessage-ID: <fresh.1@example.org>\nDate: Tue, 03 Nov 2026 10:00:00 +0000\n\nHello.\n' >"$TMP/fresh.eml"
mroute --now 2026-11-03T11:00:00Z <"$TMP/fresh.eml" >/dev/null 2>"$TMP/err"; rc=$?
is "... mroute, assigning, stops on the same line" \
	"$rc $(grep -c '^mroute: calendars/night.conf:2: want intervals' "$TMP/err")" "78 1"
printf 'mon = 09:00-18:00\nfoo = bar\n' >"$D/calendars/night.conf"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
mroute --now 2026-11-03T11:00:00Z <"$TMP/fresh.eml" >/dev/null 2>"$TMP/err2"; rc2=$?
is "a shift calendar with an unknown key: check and mroute both refuse calendars/night.conf:2" \
	"$rc $(grep -c '^mdesk: calendars/night.conf:2: unknown key' "$TMP/err") $rc2 $(grep -c '^mroute: calendars/night.conf:2: unknown key' "$TMP/err2")" "78 1 78 1"
rm "$D/calendars/night.conf"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a shift calendar that does not exist: named at each of its three agents' lines" \
	"$rc $(grep -c "^mdesk: agents.csv:[0-9]*: calendar 'night': no calendars/night.conf" "$TMP/err")" "78 3"

# agents.csv: read through one function with one policy by every tool
# that reads it: each fault named, exit 78, never a part of the agents
D=$TMP/d; rm -rf "$D"; cp -a "$G" "$D"; export MDESK_DIR=$D
n=$(($(wc -l <"$D/agents.csv") + 1))
echo 'gabriel,Gabriel Souza,gabriel.souza@lumen.example,support,,pt,twelve,active,' >>"$D/agents.csv"
git -C "$D" commit -qam "a bad capacity"
for cmd in "mdesk check" "mdesk --as ana note $T x" "mreply --now 2026-11-03T11:00:00Z --as ana --ticket $T --template answer" \
    "mroute --now 2026-11-03T11:00:00Z" "msla --now 2026-11-03T12:00:00Z --notify --dry-run" \
    "mreport --now 2026-11-03T12:00:00Z --by group"; do
	$cmd <"$M/single.eml" >/dev/null 2>"$TMP/err"; rc=$?
	is "${cmd%% --*}: a bad row of agents.csv: exit 78, agents.csv:$n named" \
		"$rc $(grep -c "^${cmd%% *}: agents.csv:$n: capacity" "$TMP/err")" "78 1"
done
done_testing
