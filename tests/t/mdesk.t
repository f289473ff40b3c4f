#!/bin/sh
# valgrind: yes
# mdesk: the command line of every tool (-h, --version), init, check,
# finding the desk, the acting agent, bad times and bad ticket IDs.
# Listing and showing are in mdesk-ls.t, ticket writes in mdesk-write.t,
# merges in mdesk-merge.t, agents in mdesk-agent.t, the archive and gc in
# mdesk-archive.t.
. "$(dirname "$0")/../lib.sh"
M=$DATA/mail

# ---------------------------------------------------------------- a desk
# No global or system git configuration: the acting agent must not come
# from the tester's git identity, and commits by hand need one.
. "$(dirname "$0")/../desklib.sh"


# ---------------------------------------------------------------- -h and --version of every tool
ver=$(sed -n 's/^VERSION *= *//p' "$TOP/Makefile")
for t in mdesk mroute mthread; do
	out=$($t --version 2>"$TMP/err"); rc=$?
	is "$t --version exits 0" "$rc" 0
	case $out in "$t "*"$ver") ok 0 "$t --version: '$t ... $ver'" ;;
		*) ok 1 "$t --version: '$t ... $ver'"; echo "#   got: $out" ;; esac
	for o in -h --help; do
		$t $o </dev/null >"$TMP/out" 2>"$TMP/err"; rc=$?
		is "$t $o exits 0" "$rc" 0
		check "$t $o: usage on stdout, nothing on stderr" "grep -q '^usage: $t' '$TMP/out' && test ! -s '$TMP/err'"
	done
done
mdesk >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mdesk without a command: exit 64" "$rc" 64
check "mdesk without a command: usage on stderr" "grep -q '^usage: mdesk' '$TMP/err' && test ! -s '$TMP/out'"
mdesk frobnicate >"$TMP/out" 2>"$TMP/err"; rc=$?
is "an unknown command: exit 64" "$rc" 64
check "an unknown command is named" "grep -q \"^mdesk: unknown command 'frobnicate'\" '$TMP/err'"
mdesk --bogus ls >"$TMP/out" 2>"$TMP/err"; rc=$?
is "an unknown global option: exit 64" "$rc" 64
mdesk --desk >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--desk without its argument: exit 64" "$rc" 64

# ---------------------------------------------------------------- init
D=$TMP/desk
mdesk --now 2026-11-02T08:00:00Z init "$D" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "init DIR: exit 0" "$rc" 0
is "init DIR: says where and what next" "$(cat "$TMP/out")" "created a desk in $D
next: edit desk.conf and agents.csv, then run 'mdesk check'"
is "init DIR: nothing on stderr" "$(cat "$TMP/err")" ""
for f in desk.conf agents.csv customers.csv routing.sieve sla.conf .gitattributes \
    calendars/business.conf templates/ack.txt templates/ack.pt.txt; do
	check "init writes $f" "test -s '$D/$f'"
done
check "the files are those of common/skel, byte for byte" "diff -r -x .git '$TOP/common/skel' '$D'"
is "every file is committed" "$(git -C "$D" ls-files | wc -l | tr -d ' ')" \
	"$(cd "$TOP/common/skel" && find . -type f | wc -l | tr -d ' ')"
is "one commit" "$(git -C "$D" rev-list --count HEAD)" 1
is "the branch is main" "$(git -C "$D" symbolic-ref HEAD)" refs/heads/main
is "the commit: 'desk created' by mdesk, at --now" \
	"$(git -C "$D" log -1 --format='%s|%an|%aI')" "desk created|mdesk|2026-11-02T08:00:00+00:00"
is "git status is clean" "$(git -C "$D" status --porcelain)" ""
is ".gitattributes merges events by union" \
	"$(grep -v '^#' "$D/.gitattributes")" "tickets/**/events.jsonl merge=union"
mdesk --desk "$D" check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "check on a new desk: exit 0" "$rc" 0
is "check on a new desk: 'desk DIR: ok'" "$(cat "$TMP/out")" "desk $D: ok"

mdesk init "$D" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "init into the same (non-empty) directory: exit 73" "$rc" 73
check "  ... says it is not empty" "grep -q '^mdesk: $D: not empty' '$TMP/err'"
is "  ... and leaves the desk alone" "$(git -C "$D" rev-list --count HEAD)" 1
mkdir "$TMP/nonempty" && echo keep >"$TMP/nonempty/notes.txt"
mdesk init "$TMP/nonempty" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "init into a directory with a file: exit 73" "$rc" 73
check "  ... no repository made there" "test ! -e '$TMP/nonempty/.git' && test ! -e '$TMP/nonempty/desk.conf'"
: >"$TMP/afile"
mdesk init "$TMP/afile" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "init onto a file: exit 73" "$rc" 73
check "  ... says it is not a directory" "grep -q 'not a directory' '$TMP/err'"
mkdir "$TMP/empty"
(cd "$TMP/empty" && mdesk init >/dev/null 2>&1); rc=$?
is "init without DIR, in an empty directory: exit 0" "$rc" 0
check "  ... the desk is the current directory" "test -f '$TMP/empty/desk.conf' && test -d '$TMP/empty/.git'"
mdesk init "$TMP/new/deeper" >/dev/null 2>"$TMP/err"; rc=$?
is "init into a directory whose parent does not exist: exit 0" "$rc" 0
check "  ... the parents are made, as git init makes them" "test -f '$TMP/new/deeper/desk.conf'"
mdesk init "$TMP/a" "$TMP/b" >/dev/null 2>"$TMP/err"; rc=$?
is "init with two directories: exit 64" "$rc" 64

# ---------------------------------------------------------------- finding the desk
newdesk "$TMP/d1"; newdesk "$TMP/d2"
sed 's/^name = Lumen Books$/name = Desk Two/' "$TMP/d2/desk.conf" >"$TMP/x" && cat "$TMP/x" >"$TMP/d2/desk.conf" &&
	git -C "$TMP/d2" commit -qam 'name'
where() { sed -n 's/^desk \(.*\): ok$/\1/p' "$TMP/out"; }
mdesk --desk "$TMP/d1" check >"$TMP/out" 2>&1
is "--desk DIR" "$(where)" "$TMP/d1"
mdesk -d "$TMP/d1" check >"$TMP/out" 2>&1
is "-d DIR" "$(where)" "$TMP/d1"
MDESK_DIR=$TMP/d2 mdesk check >"$TMP/out" 2>&1
is "MDESK_DIR" "$(where)" "$TMP/d2"
MDESK_DIR=$TMP/d2 mdesk --desk "$TMP/d1" check >"$TMP/out" 2>&1
is "--desk wins over MDESK_DIR" "$(where)" "$TMP/d1"
(cd "$TMP/d1" && mdesk check) >"$TMP/out" 2>&1
is "the current directory" "$(where)" "$TMP/d1"
(cd "$TMP/d1/templates" && mdesk check) >"$TMP/out" 2>&1
is "a parent of the current directory" "$(where)" "$TMP/d1"
(cd "$TMP/d1/calendars" && MDESK_DIR=$TMP/d2 mdesk check) >"$TMP/out" 2>&1
is "MDESK_DIR wins over the current directory" "$(where)" "$TMP/d2"
(cd "$TMP/d1" && MDESK_DIR=$TMP/nonempty mdesk check) >"$TMP/out" 2>"$TMP/err"; rc=$?
is "an MDESK_DIR that is no desk is an error, even inside a desk: exit 78" "$rc" 78
check "  ... the message mentions mdesk init" "grep -q 'mdesk init' '$TMP/err'"
(cd "$TMP/d1" && mdesk --desk "$TMP/nothere" ls) >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a --desk that does not exist: exit 78" "$rc" 78
check "  ... the message mentions mdesk init" "grep -q 'mdesk init' '$TMP/err'"
mkdir -p "$TMP/nowhere/sub"
for c in check ls "show ABCDEF" "log" "--as ana note ABCDEF hi"; do
	# shellcheck disable=SC2086
	(cd "$TMP/nowhere/sub" && mdesk $c) >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "no desk anywhere: 'mdesk $c' exits 78" "$rc" 78
	check "no desk anywhere: 'mdesk $c' mentions mdesk init, one line" \
		"grep -q 'mdesk init' '$TMP/err' && test \$(wc -l <'$TMP/err') -eq 1"
done

# ---------------------------------------------------------------- check finds mistakes
export MDESK_DIR="$TMP/d1"
cp "$MDESK_DIR/desk.conf" "$TMP/desk.conf.good"
cp "$MDESK_DIR/agents.csv" "$TMP/agents.csv.good"
ln=$(grep -n '^claim_for = ' "$MDESK_DIR/desk.conf" | cut -d: -f1)
sed 's/^claim_for = 30m$/claim_for = half an hour/' "$TMP/desk.conf.good" >"$MDESK_DIR/desk.conf"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "desk.conf: a bad duration: exit 78" "$rc" 78
is "desk.conf: a bad duration: file:line and the problem, then the count" "$(cat "$TMP/err")" \
	"mdesk: desk.conf:$ln: claim_for: 'half an hour' is not a duration (like 30m, 4h, 2d)
mdesk: 1 problem"
sed 's/^claim_for = 30m$/claim_for 30m/' "$TMP/desk.conf.good" >"$MDESK_DIR/desk.conf"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "desk.conf: a line without '=': exit 78" "$rc" 78
check "desk.conf: a line without '=': reported as desk.conf:$ln" "grep -q '^mdesk: desk.conf:$ln: ' '$TMP/err'"
sed 's/^claim_for = 30m$/claim_fro = 30m/' "$TMP/desk.conf.good" >"$MDESK_DIR/desk.conf"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "desk.conf: a misspelt key: exit 78" "$rc" 78
check "desk.conf: a misspelt key: desk.conf:$ln: unknown key 'claim_fro'" \
	"grep -q \"^mdesk: desk.conf:$ln: unknown key 'claim_fro'\" '$TMP/err'"
ln=$(grep -n '^address = sales@' "$TMP/desk.conf.good" | cut -d: -f1)
sed 's/^address = sales@lumen.example$/address = sales-at-lumen/' "$TMP/desk.conf.good" >"$MDESK_DIR/desk.conf"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "desk.conf: a queue address without @: exit 78, desk.conf:$ln" \
	"$rc $(grep -c "^mdesk: desk.conf:$ln: address: 'sales-at-lumen' is not an address" "$TMP/err")" "78 1"
cp "$TMP/desk.conf.good" "$MDESK_DIR/desk.conf"

n=$(($(wc -l <"$TMP/agents.csv.good") + 1))
{ cat "$TMP/agents.csv.good"; echo 'gabriel,Gabriel Souza,gabriel.souza@lumen.example,support,,pt,twelve,active,'; } >"$MDESK_DIR/agents.csv"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "agents.csv: a bad capacity: exit 78" "$rc" 78
check "agents.csv: a bad capacity: agents.csv:$n" "grep -q '^mdesk: agents.csv:$n: capacity' '$TMP/err'"
{ cat "$TMP/agents.csv.good"; echo 'gabriel,Gabriel Souza,gabriel.souza@lumen.example,support,,pt,12,retired,'; } >"$MDESK_DIR/agents.csv"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "agents.csv: a bad status: exit 78, agents.csv:$n" "$rc $(grep -c "^mdesk: agents.csv:$n: status 'retired'" "$TMP/err")" "78 1"
{ cat "$TMP/agents.csv.good"; echo 'gabriel,Gabriel Souza'; } >"$MDESK_DIR/agents.csv"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "agents.csv: a short row: exit 78, agents.csv:$n: 2 fields, want 9" \
	"$rc $(grep -c "^mdesk: agents.csv:$n: 2 fields, want 9" "$TMP/err")" "78 1"
{ cat "$TMP/agents.csv.good"; echo 'gabriel,Gabriel Souza,gabriel.souza@lumen.example,support,,pt,12,active,night-shift'; } >"$MDESK_DIR/agents.csv"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "agents.csv: a calendar that does not exist: exit 78, agents.csv:$n" \
	"$rc $(grep -c "^mdesk: agents.csv:$n: calendar 'night-shift'" "$TMP/err")" "78 1"
{ cat "$TMP/agents.csv.good"; echo 'ana,Ana Again,ana2@lumen.example,support,,pt,12,active,'; } >"$MDESK_DIR/agents.csv"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "agents.csv: a login twice: exit 78, agents.csv:$n" "$rc $(grep -c "^mdesk: agents.csv:$n: " "$TMP/err")" "78 1"
cp "$TMP/agents.csv.good" "$MDESK_DIR/agents.csv"

printf 'Subject: Re: {{ticket.subject}}\nX-Mdesk-Status: pending\n\nOlá {{customer.frist_name}},\n\n{{ agent.signature }}\n' >"$MDESK_DIR/templates/typo.pt.txt"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a template with an unknown placeholder: exit 78" "$rc" 78
is "a template with an unknown placeholder: file:line (blanks in braces are fine)" "$(cat "$TMP/err")" \
	"mdesk: templates/typo.pt.txt:4: unknown placeholder {{customer.frist_name}}
mdesk: 1 problem"
printf 'Subject: Hello\nReply-To: x@example.com\n\nHi {{customer.name\n' >"$MDESK_DIR/templates/typo.pt.txt"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a template with an unknown header and an unclosed {{: exit 78, 2 problems" \
	"$rc $(grep -c '^mdesk: templates/typo.pt.txt:[24]: ' "$TMP/err") $(tail -1 "$TMP/err")" "78 2 mdesk: 2 problems"
rm "$MDESK_DIR/templates/typo.pt.txt"

mroute --now 2026-11-03T10:00:00Z <"$M/single.eml" >"$TMP/out"
T=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")
EV=tickets/$(printf %.2s "$T")/$T/events.jsonl
check "check with a ticket: ok" "mdesk check"
cp "$MDESK_DIR/$EV" "$TMP/events.good"
L=$(wc -l <"$TMP/events.good" | tr -d ' ')	# the received event and the assignment
{ cat "$TMP/events.good"; echo '{"id":"0123456789abcdef","at":"2026-11-03T11:00:00Z","type":"note","by":"ana","text":"ok"}'; echo 'not json at all'; } >"$MDESK_DIR/$EV"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "events.jsonl: a line that is not JSON: exit 78" "$rc" 78
is "events.jsonl: a line that is not JSON: file:line" "$(cat "$TMP/err")" "mdesk: $EV:$((L + 2)): not JSON
mdesk: 1 problem"
{ cat "$TMP/events.good"; echo '{"id":"0123456789abcdef","type":"note","by":"ana"}'; } >"$MDESK_DIR/$EV"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "events.jsonl: an event without \"at\": exit 78, file:2" "$rc $(head -1 "$TMP/err")" "78 mdesk: $EV:$((L + 1)): no \"at\""
{ cat "$TMP/events.good"; echo '{"id":"0123456789abcdef","at":"3 Nov 2026","type":"note"}'; } >"$MDESK_DIR/$EV"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "events.jsonl: a bad time: exit 78, file:2" "$rc $(head -1 "$TMP/err")" "78 mdesk: $EV:$((L + 1)): bad \"at\" time (want RFC 3339)"
{ cat "$TMP/events.good"; echo '[1,2,3]'; } >"$MDESK_DIR/$EV"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "events.jsonl: an array: exit 78, file:2" "$rc $(head -1 "$TMP/err")" "78 mdesk: $EV:$((L + 1)): not a JSON object"
mdesk show "$T" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "show of a ticket with a malformed events.jsonl: exit 0, the line skipped" "$rc" 0
check "  ... with a warning naming file:line" "grep -q '^mdesk: $EV:$((L + 1)): not a JSON object; the line is skipped' '$TMP/err'"
cp "$TMP/events.good" "$MDESK_DIR/$EV"
mkdir -p "$MDESK_DIR/tickets/ZZ/not-a-ticket"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a folder under tickets/ that is not a ticket: exit 78" \
	"$rc $(grep -c '^mdesk: tickets/ZZ/not-a-ticket:0: not a ticket folder' "$TMP/err")" "78 1"
rm -r "$MDESK_DIR/tickets/ZZ"
check "all repaired: check is ok again" "mdesk check"
is "all repaired: git status is clean" "$(porcelain)" ""

# a broken desk.conf stops every command, with file:line
sed 's/^\[queue sales\]$/[queue sales/' "$TMP/desk.conf.good" >"$MDESK_DIR/desk.conf"
ln=$(grep -n '^\[queue sales$' "$MDESK_DIR/desk.conf" | cut -d: -f1)
for c in check ls "--as ana note $T hi"; do
	# shellcheck disable=SC2086
	mdesk $c >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "a broken desk.conf: 'mdesk $c' exits 78" "$rc" 78
	check "a broken desk.conf: 'mdesk $c' names desk.conf:$ln" "grep -q '^mdesk: desk.conf:$ln: ' '$TMP/err'"
done
mroute <"$M/qp-pt.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a broken desk.conf: mroute exits 78 with desk.conf:$ln" "$rc $(grep -c "desk.conf:$ln:" "$TMP/err")" "78 1"
cp "$TMP/desk.conf.good" "$MDESK_DIR/desk.conf"
is "a broken desk.conf: nothing was committed" "$(porcelain)" ""

# ---------------------------------------------------------------- the acting agent
n0=$(commits)
refused "a write without --as or MDESK_AGENT: exit 64" 64 'who is acting\? use --as AGENT or set MDESK_AGENT' \
	mdesk --now 2026-11-03T12:00:00Z note "$T" 'who am I?'
refused "--as an agent not in agents.csv: exit 64" 64 "agent 'zoe' is not in agents.csv" \
	mdesk --as zoe --now 2026-11-03T12:00:00Z note "$T" 'hello'
refused "MDESK_AGENT not in agents.csv: exit 64" 64 "agent 'zoe' is not in agents.csv" \
	env MDESK_AGENT=zoe mdesk --now 2026-11-03T12:00:00Z tag "$T" x
refused "MDESK_AGENT empty: exit 64" 64 'who is acting' \
	env MDESK_AGENT= mdesk --now 2026-11-03T12:00:00Z tag "$T" x
for c in "assign $T ana" "unassign $T" "claim $T" "release $T" "tag $T x" "untag $T x" \
    "priority $T high" "status $T open" "agent add zed email=zed@lumen.example" "agent set bob status=away"; do
	# shellcheck disable=SC2086
	refused "'mdesk $c' without an agent: exit 64" 64 'who is acting' mdesk --now 2026-11-03T12:00:00Z $c
done
w "--as ana: a note" mdesk --as ana --now 2026-11-03T12:01:00Z note "$T" 'from ana'
is "  ... the commit is authored by ana, as agents.csv has her" \
	"$(git -C "$MDESK_DIR" log -1 --format='%an <%ae>|%aI')" "Ana Ribeiro <ana.ribeiro@lumen.example>|2026-11-03T12:01:00+00:00"
w "MDESK_AGENT=bob: a note" env MDESK_AGENT=bob mdesk --now 2026-11-03T12:02:00Z note "$T" 'from bob'
is "  ... by bob" "$(git -C "$MDESK_DIR" log -1 --format='%an <%ae>')" "Bob Marsh <bob.marsh@lumen.example>"
w "--as wins over MDESK_AGENT" env MDESK_AGENT=bob mdesk --as dmitri --now 2026-11-03T12:03:00Z note "$T" 'from dmitri'
is "  ... by dmitri" "$(git -C "$MDESK_DIR" log -1 --format=%an)" "Dmitri Orlov"
git -C "$MDESK_DIR" config user.email FARAH.Karimi@lumen.example
w "git's user.email, in any case, names the agent" mdesk --now 2026-11-03T12:04:00Z note "$T" 'from farah'
is "  ... by farah" "$(git -C "$MDESK_DIR" log -1 --format=%an)" "Farah Karimi"
git -C "$MDESK_DIR" config user.email nobody@example.invalid
git -C "$MDESK_DIR" config user.name chen
w "else git's user.name as a login" mdesk --now 2026-11-03T12:05:00Z note "$T" 'from chen'
is "  ... by chen" "$(git -C "$MDESK_DIR" log -1 --format=%an)" "Chen Wei"
git -C "$MDESK_DIR" config --unset user.email; git -C "$MDESK_DIR" config --unset user.name
is "the notes, by whom" "$(jq -r 'select(.type == "note") | .by' "$MDESK_DIR/$EV" | tr '\n' ' ')" "ana bob dmitri farah chen "
check "reading needs no agent" "mdesk ls >/dev/null && mdesk show $T >/dev/null && mdesk log >/dev/null"

# ---------------------------------------------------------------- times
for c in ls check "show $T" "--as ana note $T hi" "log"; do
	# shellcheck disable=SC2086
	refused "--now 'next tuesday': 'mdesk $c' exits 64" 64 "^mdesk: --now: bad time 'next tuesday'" \
		mdesk --now 'next tuesday' $c
done
refused "--now 2026-11-31T10:00:00Z (no such day): exit 64" 64 'bad time' mdesk --as ana --now 2026-11-31T10:00:00Z note "$T" x
refused "--now 2026-02-30T00:00:00Z (no such day): exit 64" 64 'bad time' mdesk --as ana --now 2026-02-30T00:00:00Z note "$T" x
refused "--now '2026-11-03T10:00:00 UTC': exit 64" 64 'bad time' mdesk --as ana --now '2026-11-03T10:00:00 UTC' note "$T" x
refused "--now 2026/11/03: exit 64" 64 'bad time' mdesk --as ana --now 2026/11/03 note "$T" x
refused "--now @12ab: exit 64" 64 'bad time' mdesk --as ana --now @12ab note "$T" x
refused "MDESK_NOW=soon: exit 64" 64 "^mdesk: MDESK_NOW: bad time 'soon'" env MDESK_NOW=soon mdesk --as ana note "$T" x
refused "MDESK_NOW=soon, even for ls: exit 64" 64 "MDESK_NOW: bad time" env MDESK_NOW=soon mdesk ls
refused "MDESK_NOW=soon, for mroute: exit 64" 64 "MDESK_NOW: bad time" sh -c 'MDESK_NOW=soon mroute <"$1"' sh "$M/single.eml"
w "--now with an offset" mdesk --as ana --now 2026-11-03T10:30:00-03:00 note "$T" 'offset'
is "  ... is stored as UTC" "$(tail -1 "$MDESK_DIR/$EV" | jq -r .at) $(git -C "$MDESK_DIR" log -1 --format=%aI)" \
	"2026-11-03T13:30:00Z 2026-11-03T13:30:00+00:00"
w "--now @EPOCH" mdesk --as ana --now @1793786400 note "$T" 'epoch'
is "  ... is that second" "$(tail -1 "$MDESK_DIR/$EV" | jq -r .at)" "2026-11-04T10:00:00Z"
w "MDESK_NOW" env MDESK_NOW=2026-11-04T11:00:00Z mdesk --as ana note "$T" 'env'
is "  ... is used" "$(tail -1 "$MDESK_DIR/$EV" | jq -r .at)" "2026-11-04T11:00:00Z"
w "--now wins over MDESK_NOW" env MDESK_NOW=2026-11-04T11:00:00Z mdesk --as ana --now 2026-11-04T12:00:00Z note "$T" 'both'
is "  ... --now" "$(tail -1 "$MDESK_DIR/$EV" | jq -r .at)" "2026-11-04T12:00:00Z"

# ---------------------------------------------------------------- ticket IDs
n0=$(commits)
for id in ../../etc "$(printf %.2s "$T")/$T" ABCDE ABCDEFGHJKMNP 'AB CDEF'; do
	refused "show '$id': exit 65" 65 "is not a ticket ID" mdesk show "$id"
done
for id in ../x a/b ..; do
	for c in note tag; do
		refused "$c '$id': exit 65" 65 "is not a ticket ID" mdesk --as ana --now 2026-11-05T10:00:00Z $c "$id" x
	done
done
for c in "assign ../x ana" "unassign ../x" "claim ../x" "release ../x" "untag ../x x" "priority ../x high" \
    "status ../x open" "log ../x" "archive ../x" "merge ../x $T" "merge $T ../x"; do
	# shellcheck disable=SC2086
	refused "'$c': exit 65" 65 "ticket ID" mdesk --as ana --now 2026-11-05T10:00:00Z $c
done
check "nothing was written outside the desk" "test ! -e '$TMP/tickets' && test ! -e '$MDESK_DIR/x' && test ! -e '$MDESK_DIR/tickets/x'"
for c in "show ABCDEF" "note ABCDEF hi" "tag ABCDEF x" "assign ABCDEF ana" "claim ABCDEF" "status ABCDEF open" "merge ABCDEF $T" "merge $T ABCDEF"; do
	# shellcheck disable=SC2086
	refused "'$c' (no such ticket): exit 66" 66 "^mdesk: ABCDEF: no such ticket" mdesk --as ana --now 2026-11-05T10:00:00Z $c
done
is "after all refusals: no commit, clean" "$(commits) $(porcelain)" "$n0 "

done_testing
