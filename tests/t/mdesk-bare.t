#!/bin/sh
# valgrind: no
# A bare desk (mdesk init --bare, mdesk clone --bare, git clone --bare of
# a desk): no working tree, no index, every tool reads the main branch's
# tree.  The same mail and the same commands on a desk with a working tree
# and on a bare copy of it make the same branch, byte for byte, and the
# tools print the same; a desk cloned from the bare one syncs with it both
# ways, and so does a bare clone.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
M=$DATA/mail
T0=2026-11-02T08:00:00Z

# ------------------------------------------------------------- init --bare
mdesk --now $T0 init --bare "$TMP/i/bare.git" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mdesk init --bare: exit 0" "$rc" 0
is "  ... a bare repository" "$(git -C "$TMP/i/bare.git" rev-parse --is-bare-repository)" true
mdesk --now $T0 init "$TMP/i/work" >/dev/null 2>&1
is "  ... its main branch holds what mdesk init's holds" \
	"$(git -C "$TMP/i/bare.git" ls-tree -r main)" "$(git -C "$TMP/i/work" ls-tree -r main)"
check "  ... no index, no desk.conf, no tickets/ on the disk; state in DIR/mdesk" \
	"[ ! -e '$TMP/i/bare.git/index' ] && [ ! -e '$TMP/i/bare.git/desk.conf' ] && [ -d '$TMP/i/bare.git/mdesk' ] && [ ! -e '$TMP/i/bare.git/.git' ]"
mdesk --desk "$TMP/i/bare.git" check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "  ... mdesk check (--desk): ok" "$rc:$(cat "$TMP/out")" "0:desk $TMP/i/bare.git: ok"
out=$(MDESK_DIR="$TMP/i/bare.git" mdesk check 2>&1)
is "  ... found by MDESK_DIR" "$out" "desk $TMP/i/bare.git: ok"
out=$(cd "$TMP/i/bare.git/refs/heads" && mdesk check 2>&1)
is "  ... found from a directory inside it" "$out" "desk $TMP/i/bare.git: ok"
out=$(cd "$TMP/i/work/.git" && mdesk check 2>&1)
is "  ... the .git of a working tree is not taken for a bare desk" "$out" "desk $TMP/i/work: ok"
git init -q --bare "$TMP/i/plain.git"
mdesk --desk "$TMP/i/plain.git" check >"$TMP/out" 2>"$TMP/err"; rc=$?
check "a bare repository without desk.conf on main: exit 78, said" \
	"[ $rc -eq 78 ] && grep -q 'not a desk' '$TMP/err'"
mdesk init --bare "$TMP/i/bare.git" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mdesk init --bare into a desk: exit 73" "$rc" 73

# ------------------------------------------ the same work on both desks
# W: a desk with a working tree; B: its bare copy (git clone --bare), both
# named lumen (a reply signs with the desk's name).
W=$TMP/w/lumen B=$TMP/b/lumen
mkdir -p "$TMP/w" "$TMP/b"
newdesk "$W" && capture_mailer "$W"
git clone -q --bare "$W" "$B" && git -C "$B" remote remove origin
check "git clone --bare of a desk is a bare desk" "mdesk --desk '$B' check"
export MDESK_MSGID_SEED=bare
# work DESK: deliveries, replies and changes, all at fixed times; what the
# tools print goes to $TMP/o.NAME.*
work() {
	o=$TMP/o.$(basename "$(dirname "$1")")
	export MDESK_DIR=$1
	mroute --now 2026-11-02T09:00:00Z <"$M/single.eml" >"$o.route1" 2>&1 &&
	mroute --now 2026-11-02T09:05:00Z "$M/join.mbox" >"$o.route2" 2>&1 &&
	mroute --now 2026-11-02T09:06:00Z "$M/charsets.mbox" >"$o.route3" 2>&1 || return 1
	git -C "$1" ls-tree -r main >"$o.tree"
	mdesk ls --all --format json | jq -r .id >"$o.ids"
	t1=$(sed -n 1p "$o.ids") t2=$(sed -n 2p "$o.ids") t3=$(sed -n 3p "$o.ids")
	mreply --as ana --now 2026-11-02T10:00:00Z -t answer --ticket "$t1" >"$o.preview" 2>&1 &&
	mreply --as ana --now 2026-11-02T10:01:00Z -t answer --send --ticket "$t1" >"$o.send" 2>&1 &&
	mreply --ack --now 2026-11-02T10:02:00Z --send --ticket "$t3" >"$o.ack" 2>&1 &&
	mdesk --as ana --now 2026-11-02T10:03:00Z assign "$t2" bob >"$o.cmds" 2>&1 &&
	mdesk --as bob --now 2026-11-02T10:04:00Z note "$t2" "checked with @ana" >>"$o.cmds" 2>&1 &&
	mdesk --as bob --now 2026-11-02T10:05:00Z tag "$t2" vip >>"$o.cmds" 2>&1 &&
	mdesk --as ana --now 2026-11-02T10:06:00Z claim "$t3" >>"$o.cmds" 2>&1 &&
	mdesk --as ana --now 2026-11-02T10:07:00Z status "$t1" closed >>"$o.cmds" 2>&1 &&
	mdesk --as ana --now 2026-11-20T10:00:00Z archive --older-than 1d >>"$o.cmds" 2>&1 &&
	mdesk --as ana --now 2026-11-20T10:01:00Z agent add carla email=carla@lumen.example >>"$o.cmds" 2>&1 &&
	mroute --now 2026-11-20T11:00:00Z "$DATA/support.mbox" >"$o.route4" 2>&1 || return 1	# in batches
	# the readers: what they print and their exit codes
	N=--now=2026-11-21T10:00:00Z
	for r in "ls:mdesk $N ls --all" "lsj:mdesk $N ls --all --format json" \
	    "show1:mdesk $N show $t1" "show2:mdesk $N show $t2" "search:mdesk $N search ship" \
	    "cust:mdesk $N customer grace.adeyemi@example.com" "msla:msla $N" \
	    "mslaj:msla $N --format json" "report:mreport $N" "list:mreply --list" \
	    "check:mreply --check" "deskcheck:mdesk check"; do
		$(printf '%s' "${r#*:}") >"$o.${r%%:*}" 2>&1
		echo "${r%%:*} $?" >>"$o.rc"
	done
}
work "$W"; rc=$?; [ $rc -eq 0 ] || tail -n 3 "$TMP"/o.w.* | sed "s/^/#  /"; is "the work on the working-tree desk succeeds" "$rc" 0
mv "$TMP/sent" "$TMP/sent.w" && mkdir "$TMP/sent"
work "$B"; is "the same work on the bare desk succeeds" "$?" 0
mv "$TMP/sent" "$TMP/sent.b" && mkdir "$TMP/sent"
unset MDESK_DIR
check "after the deliveries both branches main hold the same files (the same blobs)" \
	"cmp '$TMP/o.w.tree' '$TMP/o.b.tree' && grep -q tickets/ '$TMP/o.b.tree'"
# snapshot DESK BRANCH: its files and blobs, each events.jsonl by its
# lines with the random ids of events made by hand masked (mail, replies
# and acknowledgements have ids derived from what they record)
snapshot() {
	git -C "$1" ls-tree -r "$2" | while read -r _m _t blob path; do
		case $path in
		*/events.jsonl) echo "$path"; git -C "$1" cat-file blob "$blob" | sed 's/"id":"[0-9a-f]\{19\}"/"id":"-"/' ;;
		*) echo "$blob $path" ;;
		esac
	done
}
is "after all the work both branches main hold the same files" "$(snapshot "$B" main)" "$(snapshot "$W" main)"
is "  ... and the same archive" "$(snapshot "$B" archive)" "$(snapshot "$W" archive)"
check "  ... tickets were made, replied, archived" \
	"[ \$(wc -l <'$TMP/o.w.ids') -ge 3 ] && [ \$(wc -l <'$TMP/o.b.lsj') -gt 50 ] && git -C '$B' ls-tree -r main | grep -q '/0002.eml' && git -C '$B' ls-tree -r archive | grep -q events.jsonl"
for f in route1 route2 route3 route4 preview send ack cmds ls lsj show1 show2 search cust msla mslaj report list check rc; do
	check "the tools print the same on both ($f)" "cmp '$TMP/o.w.$f' '$TMP/o.b.$f'"
done
is "mdesk check on the bare desk" "$(sed "s|$B|DESK|" "$TMP/o.b.deskcheck")" "desk DESK: ok"
check "the mailer got the same messages from both" \
	"[ \$(ls '$TMP/sent.b' | grep -c eml) -eq 3 ] && diff -r '$TMP/sent.w' '$TMP/sent.b'"
check "the bare desk has no index and no working tree" \
	"[ ! -e '$B/index' ] && [ ! -e '$B/tickets' ] && [ ! -e '$B/desk.conf' ] && [ ! -e '$B/mdesk/pending' ]"
check "git fsck: clean" "git -C '$B' fsck --strict --no-dangling"

# ---------------------------------------------------------------- sync
C=$TMP/c/lumen
mdesk clone "$B" "$C" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mdesk clone of the bare desk: a working tree, clean, at its main" \
	"$rc:$(git -C "$C" status --porcelain):$(git -C "$C" rev-parse main)" "0::$(git -C "$B" rev-parse main)"
mdesk clone --bare "$B" "$TMP/c2.git" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mdesk clone --bare: a bare desk at its main" \
	"$rc:$(git -C "$TMP/c2.git" rev-parse --is-bare-repository):$(git -C "$TMP/c2.git" rev-parse main)" \
	"0:true:$(git -C "$B" rev-parse main)"
git clone -q "$TMP/i/plain.git" "$TMP/plain" 2>/dev/null && echo x >"$TMP/plain/x" &&
	git -C "$TMP/plain" add x && git -C "$TMP/plain" commit -qm x && git -C "$TMP/plain" push -q origin HEAD:main 2>/dev/null
mdesk clone --bare "$TMP/i/plain.git" "$TMP/c3.git" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mdesk clone --bare of a repository whose main has no desk.conf: exit 65, nothing left" \
	"$rc:$(ls -d "$TMP/c3.git" 2>/dev/null)" "65:"
printf 'From: Dana <dana@example.org>\nTo: support@lumen.example\nSubject: Lost parcel\nMessage-ID: <lost1@example.org>\nDate: Mon, 23 Nov 2026 08:00:00 +0000\n\nWhere is my parcel?\n' >"$TMP/new.eml"
id=$(mroute --desk "$B" --now 2026-11-23T08:00:00Z <"$TMP/new.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
check "a delivery on the bare desk" "[ -n '$id' ] && [ ! -e '$B/tickets' ]"
mdesk --desk "$C" sync >"$TMP/out" 2>"$TMP/err"; rc=$?
is "the clone syncs: the ticket in its working tree, status clean" \
	"$rc:$(ls "$C/tickets/"*"/$id" 2>/dev/null | sort | tr '\n' ' '):$(git -C "$C" status --porcelain)" \
	"0:0001.eml events.jsonl :"
mreply --desk "$C" --as ana --now 2026-11-23T09:00:00Z -t answer --send --ticket "$id" >/dev/null 2>"$TMP/err"
is "a reply sent from the clone" "$?" 0
mdesk --desk "$C" sync >"$TMP/out" 2>"$TMP/err"; rc=$?
is "  ... synced back: pushed" "$rc:$(cat "$TMP/out")" "0:origin: pushed"
is "  ... the bare desk holds it" "$(mdesk --desk "$B" show "$id" --json | jq -r .replies)" 1
is "  ... both branches alike" "$(git -C "$B" ls-tree -r main)" "$(git -C "$C" ls-tree -r main)"
check "  ... the bare desk still has no working tree or index" "[ ! -e '$B/index' ] && [ ! -e '$B/tickets' ]"
mdesk --desk "$TMP/c2.git" sync >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a bare desk syncs with its remote" "$rc:$(git -C "$TMP/c2.git" rev-parse main)" "0:$(git -C "$B" rev-parse main)"
mdesk --desk "$TMP/c2.git" --as bob --now 2026-11-23T10:00:00Z note "$id" "parcel found" >/dev/null 2>&1 &&
	mdesk --desk "$TMP/c2.git" sync >/dev/null 2>&1 && mdesk --desk "$C" sync >/dev/null 2>&1
check "  ... and pushes: its note reaches the clone's working tree" \
	"grep -q 'parcel found' '$C'/tickets/*/'$id'/events.jsonl && [ ! -e '$TMP/c2.git/index' ] && [ ! -e '$TMP/c2.git/tickets' ]"

# a clone's pushes while mail arrives: libgit2 writes a path remote's
# branch without comparing it to what it saw; the bare desk's lock,
# taken by the push, keeps every delivery on main
N=60
(
	i=0
	while [ $i -lt $N ]; do
		i=$((i + 1))
		printf 'From: Racer %d <racer%d@example.org>\nTo: support@lumen.example\nSubject: race %d\nMessage-ID: <race%d@example.org>\nDate: Mon, 23 Nov 2026 08:00:00 +0000\n\nrace %d\n' \
			$i $i $i $i $i | mroute --desk "$B" >/dev/null 2>>"$TMP/race.err" || echo "mroute $i: exit $?" >>"$TMP/race.err"
	done
) &
pid=$! i=0
while kill -0 $pid 2>/dev/null; do	# notes and syncs as long as mail comes
	i=$((i + 1))
	mdesk --desk "$C" --as ana note "$id" "race $i" >/dev/null 2>>"$TMP/race.err" &&
		mdesk --desk "$C" sync >/dev/null 2>>"$TMP/race.err"
done
wait
is "pushes from a clone during deliveries: every message stays on the bare desk's main" \
	"$(git -C "$B" grep -l 'Message-ID: <race' main -- tickets | wc -l | tr -d ' '):$(cat "$TMP/race.err")" "$N:"
mdesk --desk "$C" sync >/dev/null 2>&1
is "  ... and every note of the clone" "$(git -C "$B" show "main:$(cd "$C" && ls -d tickets/*/"$id")/events.jsonl" | grep -c '"race [0-9]*"')" $i
check "mdesk check and git fsck on the bare desks" \
	"mdesk --desk '$B' check && mdesk --desk '$TMP/c2.git' check && git -C '$B' fsck --strict --no-dangling && git -C '$TMP/c2.git' fsck --strict --no-dangling"
done_testing
