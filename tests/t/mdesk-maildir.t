#!/bin/sh
# mdesk maildir: the tickets of each view as a maildir, kept up to date:
# each message with its own date and an X-Mdesk-Ticket field, the desk's
# state in flags and keywords, stable names that nothing in the mail
# decides, only what changed written again.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR" && manualdesk "$MDESK_DIR"
route() { mroute --now "$2" <"$1" | sed -n 's/^X-Mdesk-Ticket: //p'; }
M=$TMP/mail

# B: a Message-ID and a subject that would make paths
cat >"$TMP/b1.eml" <<'EOF'
From: Priya Natarajan <priya.n@example.org>
To: support@lumen.example
Subject: ../../.hidden/evil
Date: Mon, 9 Nov 2026 11:00:00 +0000
Message-ID <../../.evil/x@example.org>
Message-ID: <../../.evil/../x@example.org>

Order LB-1.
EOF
A=$(route "$DATA/mail/signed/a1.eml" 2026-11-09T12:00:00Z)
B=$(route "$TMP/b1.eml" 2026-11-09T11:00:00Z)
record_reply "$A" "$DATA/mail/signed/a2.eml" 2026-11-10T10:30:00Z ana
mroute --now 2026-11-11T08:00:00Z <"$DATA/mail/signed/a3.eml" >/dev/null
mdesk --as ana --now 2026-11-11T08:05:00Z assign "$A" ana >/dev/null
is "two tickets, A of three messages" "$(mdesk ls -f json | jq -r '"\(.id) \(.messages + .replies)"' | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$A 3" "$B 1" | sort | tr '\n' ' ')"

NOW=2026-11-11T09:00:00Z
mdesk --now $NOW maildir "$M" --as ana >"$TMP/out" 2>"$TMP/err"; rc=$?
is "maildir: exit 0, nothing on stderr" "$rc $(cat "$TMP/err")" "0 "
for v in all unassigned at-risk mine mentions; do
	check "  ... view $v: a maildir" "test -d '$M/$v/cur' && test -d '$M/$v/new' && test -d '$M/$v/tmp'"
done
names() { (cd "$M/$1/cur" && ls | sort | tr '\n' ' '); }
base() { (cd "$M/$1/cur" && ls | sed 's/:2,.*//' | sort | tr '\n' ' '); }
is "all: every message of both tickets, named ID.NNNN" "$(base all)" \
	"$(printf '%s\n' "$A.0001" "$A.0002" "$A.0003" "$B.0001" | sort | tr '\n' ' ')"
is "unassigned: B's" "$(base unassigned)" "$B.0001 "
is "mine (ana's): A's" "$(base mine)" "$A.0001 $A.0002 $A.0003 "
is "mentions: none yet" "$(base mentions)" ""
check "no file or folder with a leading dot" "! find '$M' -name '.*' | grep -q ."
is "every name: ticket ID, number, flags (so no '/')" "$(find "$M" -path '*/cur/*' | sed 's|.*/||' | grep -Ec '^[0-9A-Z]{6,12}\.[0-9]{1,8}:2,[A-Za-z]*$')" \
	"$(find "$M" -path '*/cur/*' | wc -l | tr -d ' ')"
check "  ... nothing named after the Message-ID" "! find '$M' | grep -q evil"
f=$(ls "$M/all/cur/$A.0001:"*)
is "a message: X-Mdesk-Ticket, then the stored message" "$(head -1 "$f")" "X-Mdesk-Ticket: $A"
check "  ... byte for byte" "tail -n +2 '$f' | cmp -s - '$MDESK_DIR/tickets/$(printf %.2s "$A")/$A/0001.eml'"
is "  ... its file time its own date (Mon 9 Nov 12:00Z)" "$(date -u -d @"$(stat -c %Y "$f")" +%FT%TZ)" 2026-11-09T12:00:00Z
is "  ... the reply's own date" "$(date -u -d @"$(stat -c %Y "$M/all/cur/$A.0002:"*)" +%FT%TZ)" 2026-11-10T10:30:00Z
flags() { ls "$M/$1/cur/$2:"* | sed 's/.*:2,//'; }
upper() { flags "$@" | tr -dc 'A-Z'; }
is "the customer's first message, answered: R, seen" "$(upper all "$A.0001")" RS
is "the agent's reply: seen" "$(upper all "$A.0002")" S
is "the customer's message after it: unanswered, not seen" "$(upper all "$A.0003")" ""
kw() {	# kw VIEW ID.NNNN: the keywords of a message, sorted
	for l in $(flags "$1" "$2" | tr -dc 'a-z' | fold -w1); do
		n=$(( $(printf %d "'$l") - 97 ))
		sed -n "s/^$n //p" "$M/$1/dovecot-keywords"
	done | sort | tr '\n' ' '
}
is "keywords (dovecot-keywords): status, priority, assignee" "$(kw all "$A.0003")" "assigned-ana priority-normal status-open "
is "  ... B: unassigned" "$(kw all "$B.0001")" "priority-normal status-new unassigned "
# the messages of the tickets msla calls at risk or breached at $1
risky() {
	msla --now "$1" -f json | jq -r 'select(.state == "at-risk" or .state == "breached") | .ticket' | sort -u |
	while read -r t; do ls "$MDESK_DIR/tickets/$(printf %.2s "$t")/$t" | grep '\.eml$' | sed "s/\.eml\$//; s/^/$t./"; done | sort | tr '\n' ' '
}
is "at-risk: the tickets msla calls at risk or breached" "$(base at-risk)" "$(risky $NOW)"

# a second run changes nothing
snap() { (cd "$M" && find . -type f ! -name mdesk.lock -printf '%p %i %T@ %s\n' | sort); }
snap >"$TMP/snap1"
mdesk --now $NOW maildir "$M" --as ana >"$TMP/out" 2>&1; rc=$?
is "a second run: exit 0, says nothing" "$rc $(cat "$TMP/out")" "0 "
snap >"$TMP/snap2"
check "  ... and changes nothing (names, inodes, times, sizes)" "cmp -s '$TMP/snap1' '$TMP/snap2'"

# the reader's flags stay; the desk's change by a rename
f=$(ls "$M/all/cur/$A.0003:"*)
mv "$f" "${f}S"
mdesk --as ana --now 2026-11-11T09:10:00Z claim "$A" >/dev/null
mdesk --as ana --now 2026-11-11T09:10:00Z priority "$A" urgent >/dev/null
ino=$(stat -c %i "$M/all/cur/$A.0001:"*)
mdesk --now 2026-11-11T09:11:00Z maildir "$M" --as ana >"$TMP/out" 2>&1
check "a claim and a priority: A's messages renamed, none written" \
	"grep -q '^$M/all: 0 written, 3 changed, 0 removed, 1 as they were\$' '$TMP/out'"
is "  ... the same file (inode)" "$(stat -c %i "$M/all/cur/$A.0001:"*)" "$ino"
is "  ... urgent: flagged; the reader's S kept" "$(upper all "$A.0003")" FS
is "  ... claimed by ana" "$(kw all "$A.0003")" "assigned-ana claimed claimed-by-ana priority-urgent status-open "

# at risk, mentions
mdesk --now 2026-11-16T09:00:00Z maildir "$M" --view at-risk >"$TMP/out" 2>&1
is "at-risk at a later time: the tickets whose deadline passed" "$(base at-risk)" "$(risky 2026-11-16T09:00:00Z)"
check "  ... A and B" "base at-risk | grep -q '$B.0001' && base at-risk | grep -q '$A.0003'"
mdesk --as bob --now 2026-11-11T09:20:00Z note "$B" "@ana can you look?" >/dev/null
mdesk --now 2026-11-11T09:21:00Z maildir "$M" --as ana --view mentions >/dev/null
is "mentions: the ticket of the note that names ana" "$(base mentions)" "$B.0001 "
mdesk --now 2026-11-11T09:21:00Z maildir "$M" --as bob --view mentions >/dev/null
is "  ... not bob's" "$(base mentions)" ""

# a ticket leaves a view
echo 'not ours' >"$M/all/cur/1700000000.M1P2.host:2,S"
mdesk --as ana --now 2026-11-11T09:30:00Z status "$B" solved >/dev/null
mdesk --now 2026-11-11T09:31:00Z maildir "$M" --as ana >"$TMP/out" 2>&1
is "B solved: it leaves all and unassigned" "$(base all) | $(base unassigned)" \
	"1700000000.M1P2.host $A.0001 $A.0002 $A.0003  | "
check "  ... a file not of ours is left alone" "test -f '$M/all/cur/1700000000.M1P2.host:2,S'"

# runs wait for each other, for a while
sh -c 'exec 9>"$1"; flock 9; exec sleep 60' sh "$M/all/tmp/mdesk.lock" &
holder=$!
while flock -n "$M/all/tmp/mdesk.lock" true; do sleep 0.1; done
MDESK_LOCK_TIMEOUT=1 mdesk maildir "$M" --view all >/dev/null 2>"$TMP/err"; rc=$?
is "a maildir another run keeps: exit 75 after MDESK_LOCK_TIMEOUT" "$rc $(wc -l <"$TMP/err" | tr -d ' ')" "75 1"
kill "$holder"
wait
check "  ... and then it runs" "mdesk maildir '$M' --view all"

refused "--view nosuch: exit 64" 64 "'nosuch' is not mine, unassigned, at-risk, mentions or all" \
	mdesk maildir "$M" --view nosuch
refused "mine without an acting agent: exit 64" 64 "who is acting" mdesk maildir "$M" --view mine
mkdir "$TMP/ro" && chmod 500 "$TMP/ro"
if [ "$(id -u)" != 0 ]; then
	mdesk maildir "$TMP/ro/x" >/dev/null 2>"$TMP/err"; rc=$?
	is "a folder that cannot be made: exit 73, one line" "$rc $(wc -l <"$TMP/err" | tr -d ' ')" "73 1"
else
	skip "a folder that cannot be made" "running as root"
fi
done_testing
