#!/bin/sh
# mdesk archive (the branch "archive", out of the working tree, still read
# by every tool, brought back by new mail or a write) and mdesk gc.
. "$(dirname "$0")/../lib.sh"

# ---------------------------------------------------------------- a desk
. "$(dirname "$0")/../desklib.sh"
route() { mroute --now "$2" <"$1" >"$TMP/routed"; sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/routed"; }
rel() { printf 'tickets/%.2s/%s' "$1" "$1"; }
state() { mdesk show --json "$1" | jq -c "$2"; }
arch() { git -C "$MDESK_DIR" rev-list --count archive 2>/dev/null || echo 0; }
export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR" && manualdesk "$MDESK_DIR"

msg() {	# msg N FROM SUBJECT: a message <arN@...>
	printf 'From: %s\nTo: support@lumen.example\nSubject: %s\nDate: Mon, 2 Nov 2026 10:0%s:00 +0000\nMessage-ID: <ar%s@example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\nMessage %s.\n' \
		"$2" "$3" "$1" "$1" "$1" >"$TMP/m$1.eml"
}
msg 1 'Priya Natarajan <priya.n@example.org>' 'Gift card not received'
msg 2 'Margaret Hale <margaret.hale@example.com>' 'Receipt for LB-40100'
msg 3 '=?UTF-8?B?0JjQstCw0L0=?= <ivan@yandex.example>' '=?UTF-8?B?0JPQtNC1INC80L7QuSDQt9Cw0LrQsNC3Pw==?='
msg 4 'Joana Alves <joana.alves@example.com.br>' '=?UTF-8?Q?D=C3=BAvida_sobre_frete?='
msg 5 'Sara Rezaei <sara.rezaei@example.ir>' '=?UTF-8?B?2LPZgdin2LHYtCDZhdmGINqp2KzYp9iz2Ko/?='
S=$(route "$TMP/m1.eml" 2026-11-02T10:01:05Z)	# solved
C=$(route "$TMP/m2.eml" 2026-11-02T10:02:05Z)	# closed
O=$(route "$TMP/m3.eml" 2026-11-02T10:03:05Z)	# open
P=$(route "$TMP/m4.eml" 2026-11-02T10:04:05Z)	# pending
R=$(route "$TMP/m5.eml" 2026-11-02T10:05:05Z)	# solved later
mdesk --as ana --now 2026-11-03T09:00:00Z status "$S" solved
mdesk --as ana --now 2026-11-03T09:01:00Z status "$C" closed
mdesk --as ana --now 2026-11-03T09:02:00Z status "$O" open
mdesk --as ana --now 2026-11-03T09:03:00Z status "$P" pending
mdesk --as ana --now 2026-11-20T09:00:00Z status "$R" solved
is "setup: clean" "$(porcelain)" ""
mdesk ls --all --format json >"$TMP/before.json"

# ---------------------------------------------------------------- nothing to archive
n0=$(commits)
mdesk --now 2026-11-20T10:00:00Z archive >"$TMP/out" 2>"$TMP/err"; rc=$?
is "archive with archive_after = 30d, nothing that old: exit 0" "$rc" 0
is "  ... 'archived 0 tickets'" "$(cat "$TMP/out")" "archived 0 tickets"
is "  ... no commit, no archive branch" "$(commits) $(arch)" "$n0 0"
refused "archive --older-than soon: exit 64" 64 "not a duration" mdesk --now 2026-11-20T10:00:00Z archive --older-than soon
refused "archive ID of an open ticket: exit 65" 65 "^mdesk: $O: is open; only solved or closed tickets are archived" \
	mdesk --now 2026-11-20T10:00:00Z archive "$O"
refused "archive ID of a pending ticket: exit 65" 65 "is pending" mdesk --now 2026-11-20T10:00:00Z archive "$P"
refused "archive ID that does not exist: exit 66" 66 "no such ticket" mdesk --now 2026-11-20T10:00:00Z archive ZZZZZZZZ
refused "archive a bad ID: exit 65" 65 "ticket ID" mdesk --now 2026-11-20T10:00:00Z archive ../../x
is "  ... still no archive branch" "$(arch)" 0

# ---------------------------------------------------------------- archive by age
w "archive --older-than 1w: the solved and closed tickets quiet for a week" mdesk --now 2026-11-20T10:00:00Z archive --older-than 1w
is "  ... 'archived 2 tickets'" "$(cat "$TMP/out")" "archived 2 tickets"
is "  ... one commit on main: 'archive: 2 tickets' by mdesk" "$(git -C "$MDESK_DIR" log -1 --format='%s|%an|%aI')" \
	"archive: 2 tickets|mdesk|2026-11-20T10:00:00+00:00"
check "  ... the git branch 'archive' exists" "git -C '$MDESK_DIR' show-ref --verify -q refs/heads/archive"
is "  ... the branch archive: one commit, the same message" "$(arch) $(git -C "$MDESK_DIR" log -1 --format=%s archive)" "1 archive: 2 tickets"
check "  ... the tickets left the working tree" "test ! -e '$MDESK_DIR/$(rel "$S")' && test ! -e '$MDESK_DIR/$(rel "$C")'"
is "  ... and the index" "$(git -C "$MDESK_DIR" ls-files "$(rel "$S")" "$(rel "$C")")" ""
is "  ... and main's tree" "$(git -C "$MDESK_DIR" ls-tree -r --name-only HEAD -- "$(rel "$S")")" ""
is "  ... the archive branch has them, same layout" \
	"$(git -C "$MDESK_DIR" ls-tree -r --name-only archive | LC_ALL=C sort | tr '\n' ' ')" \
	"$(printf '%s/0001.eml\n%s/events.jsonl\n%s/0001.eml\n%s/events.jsonl\n' "$(rel "$S")" "$(rel "$S")" "$(rel "$C")" "$(rel "$C")" | LC_ALL=C sort | tr '\n' ' ')"
check "  ... the archived message is the one received" "git -C '$MDESK_DIR' show 'archive:$(rel "$S")/0001.eml' | cmp -s - '$TMP/m1.eml'"
check "  ... the others stay" "test -f '$MDESK_DIR/$(rel "$O")/0001.eml' && test -f '$MDESK_DIR/$(rel "$R")/events.jsonl'"
check "  ... the current branch is still main" "test \"\$(git -C '$MDESK_DIR' symbolic-ref HEAD)\" = refs/heads/main"
is "ls --all still lists all five, the same" "$(mdesk ls --all --format json)" "$(cat "$TMP/before.json")"
is "ls: the open ones" "$(mdesk ls | jq -r .id | tr '\n' ' ')" "$O $P "
is "ls --status solved --all" "$(mdesk ls --all --status solved | jq -r .id | tr '\n' ' ')" "$S $R "
check "show: an archived ticket, marked so" "mdesk show $S | grep -q '^Ticket:   $S (archived)\$'"
check "show: its message" "mdesk show $S | grep -q '^Message 1.\$'"
is "show --json: archived true, its state" "$(state "$S" '[.archived,.status,.subject]')" '[true,"solved","Gift card not received"]'
is "show --mbox of an archived ticket: the message" "$(mdesk show --mbox "$C" | sed 1d | sed '$d')" "$(cat "$TMP/m2.eml")"
is "customer finds archived tickets" "$(mdesk customer --format json margaret.hale@example.com | jq -r '.tickets[].id')" "$C"
check "mdesk check: ok" "mdesk check"

# ---------------------------------------------------------------- archive by ID, author
w "archive ID (younger than archive_after), --as bob" mdesk --as bob --now 2026-11-20T10:05:00Z archive "$R"
is "  ... 'archived 1 ticket'" "$(cat "$TMP/out")" "archived 1 ticket"
is "  ... by bob, on both branches" "$(git -C "$MDESK_DIR" log -1 --format='%an|%s') $(git -C "$MDESK_DIR" log -1 --format='%an|%s' archive)" \
	"Bob Marsh|archive: 1 ticket Bob Marsh|archive: 1 ticket"
is "  ... the archive branch grows by one commit" "$(arch)" 2
check "  ... R left the working tree" "test ! -e '$MDESK_DIR/$(rel "$R")'"
is "  ... S and C are still on archive" "$(git -C "$MDESK_DIR" ls-tree -r --name-only archive | grep -c 'events.jsonl$')" 3
n0=$(commits)
mdesk --now 2026-11-20T10:06:00Z archive --older-than 0s >"$TMP/out" 2>&1
is "archive --older-than 0s with nothing left: archived 0, no commit" "$(cat "$TMP/out") $(($(commits) - n0))" "archived 0 tickets 0"

# ---------------------------------------------------------------- mail for an archived ticket
h0=$(head_id)
T=$(route "$TMP/m1.eml" 2026-11-21T08:00:00Z)
is "the archived ticket's message again: duplicate, nothing moves" \
	"$T $(sed -n 's/^X-Mdesk-Status: //p' "$TMP/routed") $( [ "$(head_id)" = "$h0" ] && echo same)" "$S duplicate same"
check "  ... the ticket stays archived" "test ! -e '$MDESK_DIR/$(rel "$S")'"
cat >"$TMP/r1.eml" <<'EOF'
From: Priya Natarajan <priya.n@example.org>
To: support@lumen.example
Subject: Re: Gift card not received
Date: Sat, 21 Nov 2026 09:00:00 +0530
Message-ID: <ar1-reply@example.org>
In-Reply-To: <ar1@example.org>

It still has not arrived, sorry.
EOF
n0=$(commits)
T=$(route "$TMP/r1.eml" 2026-11-21T08:30:00Z)
is "a reply to an archived ticket: that ticket, a reply" "$T $(sed -n 's/^X-Mdesk-Status: //p' "$TMP/routed")" "$S reply"
is "  ... one commit, clean" "$(($(commits) - n0)) $(porcelain)" "1 "
check "  ... the ticket is back in the working tree, its first message too" \
	"cmp -s '$MDESK_DIR/$(rel "$S")/0001.eml' '$TMP/m1.eml' && cmp -s '$MDESK_DIR/$(rel "$S")/0002.eml' '$TMP/r1.eml'"
is "  ... the events: all of them, the reply last" "$(jq -r .type "$MDESK_DIR/$(rel "$S")/events.jsonl" | tr '\n' ' ')" "received status received "
is "  ... not archived, open again, reopened" "$(state "$S" '[.archived,.status,.reopened,.messages]')" '[false,"open",1,2]'
is "  ... listed once by ls --all" "$(mdesk ls --all | jq -r .id | grep -c "^$S\$")" 1
is "  ... ls lists it" "$(mdesk ls | jq -r .id | tr '\n' ' ')" "$S $O $P "
check "mdesk check: ok" "mdesk check"

# a write on an archived ticket
w "a note on an archived ticket" mdesk --as ana --now 2026-11-21T09:00:00Z note "$C" 'Margaret called about this one'
check "  ... the ticket is back in the working tree" "test -f '$MDESK_DIR/$(rel "$C")/0001.eml' && test -f '$MDESK_DIR/$(rel "$C")/events.jsonl'"
is "  ... the note is there" "$(tail -1 "$MDESK_DIR/$(rel "$C")/events.jsonl" | jq -r .text)" "Margaret called about this one"
is "  ... not archived, still closed" "$(state "$C" '[.archived,.status]')" '[false,"closed"]'
is "  ... the commit has the ticket's files" "$(git -C "$MDESK_DIR" show --name-only --format= HEAD | LC_ALL=C sort | tr '\n' ' ')" \
	"$(rel "$C")/0001.eml $(rel "$C")/events.jsonl "
w "archive it again" mdesk --as ana --now 2026-11-21T09:05:00Z archive "$C"
is "  ... the archive branch has the note" "$(git -C "$MDESK_DIR" show "archive:$(rel "$C")/events.jsonl" | tail -1 | jq -r .text)" \
	"Margaret called about this one"
is "  ... ls --all: each ticket once" "$(mdesk ls --all | jq -r .id | sort | uniq -d)" ""
is "  ... ls --all: five tickets" "$(mdesk ls --all | wc -l | tr -d ' ')" 5

# the token, from the archived ticket's customer
cat >"$TMP/t1.eml" <<EOF
From: Sara Rezaei <sara.rezaei@example.ir>
To: support@lumen.example
Subject: [#$R] =?UTF-8?B?2YraqSDYs9mI2KfZhA==?=
Date: Sat, 21 Nov 2026 10:00:00 +0330
Message-ID: <ar5-token@example.ir>

Another question.
EOF
T=$(route "$TMP/t1.eml" 2026-11-21T07:00:00Z)
is "the [#ID] token of an archived ticket, from its customer: that ticket" "$T" "$R"
check "  ... back in the working tree" "test -f '$MDESK_DIR/$(rel "$R")/0002.eml'"
is "clean" "$(porcelain)" ""

# ---------------------------------------------------------------- gc
mdesk ls --all --format json >"$TMP/before.json"
n0=$(commits)
mdesk gc >"$TMP/out" 2>"$TMP/err"; rc=$?
is "gc: exit 0" "$rc" 0
check "gc: 'packed N objects, removed M loose objects'" "grep -Eq '^packed [1-9][0-9]* objects, removed [1-9][0-9]* loose objects\$' '$TMP/out'"
is "gc: no loose objects left" "$(git -C "$MDESK_DIR" count-objects -v | sed -n 's/^count: //p')" 0
is "gc: no commit, clean" "$(commits) $(porcelain)" "$n0 "
check "gc: git fsck is happy" "git -C '$MDESK_DIR' fsck --no-progress --no-dangling 2>&1 | grep -v '^notice' | grep -q . && exit 1 || exit 0"
w "a write after gc" mdesk --as ana --now 2026-11-21T11:00:00Z note "$O" 'after gc'
# packs younger than an hour stay (a fetch's pack may be wanted a moment
# later: tests/t/desk-gc-race.t); these are older
touch -d '2 hours ago' "$MDESK_DIR"/.git/objects/pack/*
mdesk gc --full >"$TMP/out" 2>"$TMP/err"; rc=$?
is "gc --full: exit 0" "$rc" 0
check "gc --full: says what it packed" "grep -Eq '^packed [1-9][0-9]* objects' '$TMP/out'"
is "gc --full: one pack" "$(git -C "$MDESK_DIR" count-objects -v | sed -n 's/^packs: //p')" 1
git -C "$MDESK_DIR" fsck --no-progress --no-dangling >"$TMP/fsck" 2>&1; sed "s/^/# fsck: /" "$TMP/fsck"
check "gc --full: git fsck is happy" "grep -v '^notice' '$TMP/fsck' | grep -q . && exit 1 || exit 0"
is "gc --full: the desk reads the same (ls --all)" \
	"$(mdesk ls --all --format json | jq -c 'select(.id != "'"$O"'")')" "$(jq -c 'select(.id != "'"$O"'")' "$TMP/before.json")"
is "gc --full: archived tickets still read" "$(state "$C" '[.archived,.status]')" '[true,"closed"]'
check "gc --full: mdesk check ok" "mdesk check"
is "gc --full: clean" "$(porcelain)" ""
w "a write after gc --full" mdesk --as ana --now 2026-11-21T11:05:00Z note "$O" 'after gc --full'
T=$(route "$TMP/r1.eml" 2026-11-21T11:10:00Z)
is "mroute after gc --full: the index still knows the messages" "$T $(sed -n 's/^X-Mdesk-Status: //p' "$TMP/routed")" "$S duplicate"
refused "gc --fast: exit 64" 64 usage mdesk gc --fast

done_testing
