#!/bin/sh
# The command line people expect: global options before or after the
# command, long options spelled in full, one-line errors with the
# command's usage line, help, ticket IDs in either case, -f everywhere,
# ls --sort, times in the desk's zone, show's customer record and
# follow-up link, and show --mbox with each message's own From_ line.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR" && manualdesk "$MDESK_DIR"
route() { mroute --now "$2" <"$1" | sed -n 's/^X-Mdesk-Ticket: //p'; }

cat >"$TMP/b.eml" <<'EOF'
From: Priya Natarajan <priya.n@example.org>
To: support@lumen.example
Subject: Where is my order?
Date: Mon, 9 Nov 2026 11:00:00 +0000
Message-ID: <b1-priya@example.org>

Order LB-1.
EOF
A=$(route "$DATA/mail/signed/a1.eml" 2026-11-09T12:00:00Z)
B=$(route "$TMP/b.eml" 2026-11-09T11:00:00Z)
record_reply "$A" "$DATA/mail/signed/a2.eml" 2026-11-10T10:30:00Z ana
a=$(echo "$A" | tr A-Z a-z) b=$(echo "$B" | tr A-Z a-z)
is "two tickets" "$(mdesk ls -f json | wc -l | tr -d ' ')" 2

# ---------------------------------------------------------------- options anywhere
w "claim ID --as ana --now T: the global options after the command" \
	mdesk claim "$A" --as ana --now 2026-11-10T11:00:00Z
is "  ... by ana at that time" "$(mdesk show "$A" --json | jq -r '.events[-1] | "\(.by) \(.at)"')" "ana 2026-11-10T11:00:00Z"
w "--desk=DIR, --as=ana and -d DIR anywhere" \
	mdesk priority "$A" --as=ana high --desk="$MDESK_DIR" --now 2026-11-10T11:01:00Z
w "  ... and -d DIR" mdesk --as ana -d "$MDESK_DIR" --now 2026-11-10T11:02:00Z tag "$A" signed
mdesk assign "$B" bob --as ana --now 2026-11-10T11:03:00Z >/dev/null 2>&1
is "ls --as bob is the acting agent, not --assignee bob" "$(mdesk ls --as bob -f json | wc -l | tr -d ' ')" 2
refused "ls --assig bob (an abbreviation): exit 64" 64 "unrecognized option '--assig'" mdesk ls --assig bob
is "  ... one line and the command's usage line" "$(sed -n '2s/ .*//p;$=' "$TMP/err" | tr '\n' ' ')" "usage: 2 "
check "  ... that usage line is ls's" "sed -n 2p '$TMP/err' | grep -q '^usage: mdesk ls '"
refused "claim ID --bogus: exit 64" 64 "^mdesk: unrecognized option '--bogus'" mdesk --as ana claim "$A" --bogus
is "  ... two lines on stderr, the second claim's usage" "$(sed -n 2p "$TMP/err")" \
	"usage: mdesk claim ID [--for DURATION] [--force]"
refused "claim without an ID: exit 64, two lines" 64 "^mdesk: claim: " mdesk --as ana claim
is "  ... two lines" "$(wc -l <"$TMP/err" | tr -d ' ')" 2
refused "claim --for ten (a bad value): exit 64" 64 "^mdesk: --for: 'ten' is not a duration" mdesk --as ana claim "$A" --for ten
is "  ... then claim's usage line" "$(sed -n '2p;$=' "$TMP/err" | tr '\n' '|')" "usage: mdesk claim ID [--for DURATION] [--force]|2|"
refused "ls --status done: exit 64, then ls's usage line" 64 "^usage: mdesk ls " mdesk ls --status done
refused "msla --al (an abbreviation of --all): exit 64" 64 "unrecognized option '--al'" msla --al
refused "mreport --form csv: exit 64" 64 "unrecognized option '--form'" mreport --form csv
# every tool: a bad option is one line, then the tool's usage line (one)
for t in mthread mroute mreply msla mreport mdesk; do
	$t --bogus </dev/null >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "$t --bogus: exit 64, what is wrong, then one usage line" \
		"$rc|$(sed -n 1p "$TMP/err")|$(sed -n '2s/ .*//p' "$TMP/err")|$(wc -l <"$TMP/err" | tr -d ' ')" \
		"64|$t: unrecognized option '--bogus'|usage:|2"
done
for c in "mroute --queue" "mreply --ticket" "msla --format" "mreport --since" "mthread -f"; do
	$c </dev/null >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "$c (no value): exit 64, two lines" "$rc|$(sed -n 1p "$TMP/err")|$(wc -l <"$TMP/err" | tr -d ' ')" \
		"64|${c%% *}: option '${c#* }' needs a value|2"
done
check "  ... the second the usage line of that tool" "sed -n 2p '$TMP/err' | grep -q '^usage: mthread \['"
mthread -f yaml </dev/null >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mthread -f yaml: exit 64, two lines" "$rc $(wc -l <"$TMP/err" | tr -d ' ')" "64 2"
mreply --check --list </dev/null >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mreply --check --list: exit 64, what is wrong and the usage line" "$rc $(sed -n 1p "$TMP/err") $(wc -l <"$TMP/err" | tr -d ' ')" \
	"64 mreply: --check and --list go alone 2"
check "msla --help still shows every form" "msla --help | grep -q '^ *msla --notify'"
check "mreply --help still shows every form" "mreply --help | grep -q '^ *mreply --ack'"
refused "an unknown command: exit 64" 64 "unknown command 'frobnicate'" mdesk frobnicate
refused "--desk without its value: exit 64" 64 "'--desk' needs a value" mdesk ls --desk

# ---------------------------------------------------------------- help
mdesk help claim >"$TMP/out" 2>&1; rc=$?
is "help claim: exit 0, its usage" "$rc $(head -1 "$TMP/out")" \
	"0 usage: mdesk [--desk DIR] [--as AGENT] [--now TIME] claim ID [--for DURATION] [--force]"
is "claim --help: the same" "$(mdesk claim --help)" "$(cat "$TMP/out")"
check "ls -h: ls's usage" "mdesk ls -h | head -1 | grep -q '^usage: mdesk .*TIME\] ls \[--status'"
check "help: every command listed" "mdesk help | grep -q '^  claim ' && mdesk help | grep -q '^  maildir ' && mdesk help | grep -q '^  help '"
refused "help nosuch: exit 64" 64 "no such command" mdesk help nosuch

# ---------------------------------------------------------------- IDs in either case
mdesk show "$a" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "show in lower case: exit 0, the ticket" "$rc $(head -1 "$TMP/out")" "0 Ticket:   $A"
w "note in lower case" mdesk --as ana --now 2026-11-10T11:05:00Z note "$a" "checked the shelf"
is "  ... on the ticket" "$(mdesk show "$A" --json | jq -r '.events[-1].text')" "checked the shelf"
w "a note's text is its own: -d, --as and --help in it are words" \
	mdesk --as ana --now 2026-11-10T11:05:30Z note "$A" run it with -d /tmp --as root --help
is "  ... all of them" "$(mdesk show "$A" --json | jq -r '.events[-1].text')" "run it with -d /tmp --as root --help"
w "status in mixed case" mdesk --as ana --now 2026-11-10T11:06:00Z status "$(echo "$A" | sed 's/^\(..\)/\L\1/')" pending
is "log in lower case: that ticket's commits" "$(mdesk log -f json "$a" | jq -r .message | grep -vc "^$A")" 0
is "msla in lower case" "$(msla --now 2026-11-10T12:00:00Z -f json "$b" | jq -r .ticket | sort -u)" "$B"
check "msla --explain in lower case" "msla --now 2026-11-10T12:00:00Z --explain '$b' | grep -q '$B'"
printf 'Thank you.\n' >"$TMP/text"
check "mreply --ticket in lower case" "mreply --as bob --now 2026-11-10T12:00:00Z --ticket '$b' --text '$TMP/text' </dev/null | grep -q '^To: .*priya.n@example.org'"

# ---------------------------------------------------------------- -f everywhere
check "customer -f table" "mdesk customer -f table margaret.hale@example.com | grep -q '^Tier:     gold'"
check "agent ls -f table: a table, not JSON" "mdesk agent ls -f table | head -1 | grep -q '^LOGIN  *NAME'"
check "agent -f csv ls: CSV" "mdesk agent -f csv ls | grep -q '^login,name,email'"
check "log -f csv: CSV" "mdesk log -f csv | head -1 | grep -q '^commit,date,author,email,message'"
refused "ls -f yaml: exit 64, ls's usage" 64 "unknown format 'yaml'" mdesk ls -f yaml

# ---------------------------------------------------------------- ls --sort, times
mroute --now 2026-11-11T09:00:00Z <"$DATA/mail/signed/a3.eml" >/dev/null	# joins A (pending): A updated last
ids() { jq -r .id | tr '\n' ' '; }
is "ls: by creation (B, then A)" "$(mdesk ls -f json | ids)" "$B $A "
is "ls --sort created: the same" "$(mdesk ls --sort created -f json | ids)" "$B $A "
is "ls --sort priority: A (high) first" "$(mdesk ls --sort priority -f json | ids)" "$A $B "
is "ls --sort updated: the latest first" "$(mdesk ls --sort updated -f json | ids)" "$A $B "
mdesk --as ana --now 2026-11-11T09:10:00Z priority "$B" urgent >/dev/null
is "ls --sort priority: B (urgent) first" "$(mdesk ls --sort priority -f json | ids)" "$B $A "
is "ls --sort updated: now B" "$(mdesk ls --sort updated -f json | ids)" "$B $A "
is "ls --sort due: the nearest deadline first" "$(mdesk ls --now 2026-11-11T09:20:00Z --sort due -f json | ids)" "$B $A "
mdesk --as ana --now 2026-11-11T09:21:00Z status "$B" solved >/dev/null
is "ls --sort due: a ticket that owes nothing last" "$(mdesk ls --all --now 2026-11-11T09:22:00Z --sort due -f json | ids)" "$A $B "
refused "ls --sort size: exit 64" 64 "'size' is not priority, due, updated or created" mdesk ls --sort size
check "ls table: times in the desk's zone with their offset" \
	"mdesk ls --all -f table | grep -q '^$B .* 2026-11-11 06:21 -0300  Where is my order?'"

# ---------------------------------------------------------------- show
mdesk show "$A" >"$TMP/show"
check "show: the customer's record (tier, notes)" \
	"grep -q '^Record:   tier gold, language en; notes: Collects signed first editions\$' '$TMP/show'"
check "show: created in the desk's zone" "grep -q '^Created:  2026-11-09 09:00 -0300 ' '$TMP/show'"
check "show: the events in the desk's zone" "grep -q '^  2026-11-10 08:00 -0300  claimed ' '$TMP/show'"
mdesk --as ana --now 2026-11-12T09:00:00Z status "$A" closed >/dev/null
sed 's/a3-margaret/a4-margaret/; s/11 Nov/17 Nov/' "$DATA/mail/signed/a3.eml" >"$TMP/a4.eml"
C=$(route "$TMP/a4.eml" 2026-11-17T08:00:00Z)
check "a reply to a solved ticket past the window: a new ticket" "test -n '$C' && test '$C' != '$A'"
check "show: the ticket it follows, with its status and subject" \
	"mdesk show '$C' | grep -q '^Follows:  $A (closed) A signed first edition\$'"
check "show: no Follows line on a first ticket" "! mdesk show '$B' | grep -q '^Follows:'"
check "show: a customer's record, no notes" "mdesk show '$B' | grep -q '^Record:   tier standard, language en\$'"

# ---------------------------------------------------------------- show --mbox
mdesk show "$a" --mbox >"$TMP/a.mbox"
is "show --mbox: each message's own sender and date in its From_ line" "$(grep '^From ' "$TMP/a.mbox")" \
	"From margaret.hale@example.com Mon Nov  9 12:00:00 2026
From ana.ribeiro@lumen.example Tue Nov 10 10:30:00 2026
From margaret.hale@example.com Wed Nov 11 08:00:00 2026"
check "  ... which mthread reads as three messages" "mthread -f json <'$TMP/a.mbox' | jq -e '.count == 3' >/dev/null"
# a sender that is no address, a Date that is no date
d=$(ls -d "$MDESK_DIR"/tickets/*/"$B")
printf 'From: "evil" <x y@z>\nSubject: odd\nDate: yesterday\nMessage-ID: <odd@x>\n\nodd\n' >"$d/0002.eml"
git -C "$MDESK_DIR" add -A && git -C "$MDESK_DIR" commit -qm odd
is "show --mbox: no address, no date: MAILER-DAEMON and the ticket's time" \
	"$(mdesk show "$B" --mbox | grep '^From ' | sed -n 2p)" "From MAILER-DAEMON Mon Nov  9 11:00:00 2026"

done_testing
