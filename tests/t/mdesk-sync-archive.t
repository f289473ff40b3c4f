#!/bin/sh
# A ticket archived on one replica and changed on another: after any sync
# it lives on one branch (main) with the files and events of both sides,
# whichever replica syncs first; mdesk check reports a ticket whose copies
# on main and archive differ.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"

R="$TMP/remote.git" A="$TMP/a" B="$TMP/b"
replica "$R" "$A"
mdesk clone "$R" "$B" >/dev/null 2>&1
mail() {	# mail N
	printf 'From: Vera %s <vera%s@customer.example>\nTo: support@lumen.example\n' "$1" "$1"
	printf 'Subject: case %s\nMessage-ID: <arch%s@customer.example>\n' "$1" "$1"
	printf 'Date: Mon, 2 Nov 2026 09:00:00 +0000\n\nHelp with %s.\n' "$1"
}
on_branch() {	# on_branch DESK BRANCH ID: the ticket's folder there, or nothing
	git -C "$1" ls-tree "$2" "tickets/$(printf %s "$3" | cut -c1-2)/$3" | wc -l | tr -d ' '
}
ids() {	# ids DESK BRANCH ID: the event ids of the ticket there, sorted
	git -C "$1" show "$2:tickets/$(printf %s "$3" | cut -c1-2)/$3/events.jsonl" 2>/dev/null | jq -r .id | sort
}
scenario() {	# scenario N FIRST SECOND: archived on A, noted on B, synced FIRST then SECOND
	mail "$1" | MDESK_DIR=$A mroute --now 2026-11-02T09:00:00Z >/dev/null
	T=$(mdesk --desk "$A" ls --format json | jq -r .id | tail -1)
	mdesk --desk "$A" sync --auto >/dev/null 2>&1
	mdesk --desk "$B" sync --auto >/dev/null 2>&1
	mdesk --desk "$A" --as ana --now 2026-11-03T09:00:00Z status "$T" solved >/dev/null
	mdesk --desk "$A" --now 2026-11-03T09:00:01Z archive "$T" >/dev/null
	mdesk --desk "$B" --as bob --now 2026-11-03T10:00:00Z note "$T" "called the customer" >/dev/null
	{ ids "$A" archive "$T"; ids "$B" main "$T"; } | sort -u >"$TMP/want"
	mdesk --desk "$2" sync --auto >/dev/null 2>"$TMP/err1"
	mdesk --desk "$3" sync --auto >/dev/null 2>"$TMP/err2"
	mdesk --desk "$2" sync --auto >/dev/null 2>>"$TMP/err1"
}
for order in "$A $B" "$B $A"; do
	n=$((${n:-0} + 1))
	set -- $order
	first=$(basename "$1")
	scenario "$n" "$1" "$2"
	is "archived on a, noted on b, $first syncs first: both syncs succeed" "$(cat "$TMP/err1" "$TMP/err2")" ""
	for D in "$A" "$B"; do
		d=$(basename "$D")
		is "... on $d the ticket is on main only" "$(on_branch "$D" main "$T"):$(on_branch "$D" archive "$T")" "1:0"
		is "... with the events of both sides" "$(ids "$D" main "$T")" "$(cat "$TMP/want")"
		is "... mdesk show: solved, with the note" \
			"$(mdesk --desk "$D" show --json "$T" | jq -r '[.status, .archived, ([.events[] | select(.type == "note")] | length)] | join(" ")')" \
			"solved false 1"
		check "... mdesk check ok, git status clean" "mdesk --desk '$D' check && test -z \"\$(git -C '$D' status --porcelain)\""
	done
	is "... both replicas and the remote agree" \
		"$(git -C "$A" rev-parse main archive | tr '\n' ' ')" "$(git -C "$R" rev-parse main archive | tr '\n' ' ')"
done
mdesk --desk "$A" --now 2026-11-04T09:00:00Z archive "$T" >/dev/null
is "mdesk archive moves it again" "$(on_branch "$A" main "$T"):$(on_branch "$A" archive "$T")" "0:1"

# ------------------------------------------------------------ check
# main gets back a copy of the archived ticket that lacks its last event
sh=$(printf %s "$T" | cut -c1-2)
git -C "$A" show "archive:tickets/$sh/$T/events.jsonl" | sed '$d' >"$TMP/ev"
blob=$(git -C "$A" hash-object -w "$TMP/ev")
export GIT_INDEX_FILE="$TMP/index"
git -C "$A" read-tree main
for f in $(git -C "$A" ls-tree --name-only "archive:tickets/$sh/$T"); do
	git -C "$A" update-index --add --cacheinfo "100644,$(git -C "$A" rev-parse "archive:tickets/$sh/$T/$f"),tickets/$sh/$T/$f"
done
git -C "$A" update-index --cacheinfo "100644,$blob,tickets/$sh/$T/events.jsonl"
c=$(git -C "$A" commit-tree "$(git -C "$A" write-tree)" -p main -m "a copy on main")
unset GIT_INDEX_FILE
git -C "$A" update-ref refs/heads/main "$c"
git -C "$A" reset -q --hard
mdesk --desk "$A" check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a ticket on both branches whose archive copy holds more: mdesk check fails" "$rc" 78
check "... naming it" "grep -q '^mdesk: tickets/$sh/$T:0: on both main and archive' '$TMP/err'"
mdesk --desk "$A" check --repair >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mdesk check --repair joins it on main" "$rc:$(cat "$TMP/out"):$(on_branch "$A" archive "$T")" "0:joined 1 ticket found on both branches
desk $A: ok:0"
is "... with every event" "$(ids "$A" main "$T" | wc -l)" "$(git -C "$A" show "archive~1:tickets/$sh/$T/events.jsonl" | wc -l)"
check "... git status clean" "test -z \"\$(git -C '$A' status --porcelain)\""

# ------------------------------------------------------------ moved off both branches at once
# A ticket on both branches on both replicas (an archive cut short between
# its two commits, pushed as it was); then a finishes the archive (the
# ticket leaves main) while b's sync joins it on main (it leaves archive).
# The merges alone would drop it from both branches: it comes back.
R2="$TMP/r2.git" C="$TMP/c" E="$TMP/e"
git init -q --bare "$R2"
newdesk "$C"
manualdesk "$C"
git -C "$C" remote add origin "$R2"
mail 50 | MDESK_DIR=$C mroute --now 2026-11-02T09:00:00Z >/dev/null
T=$(mdesk --desk "$C" ls --format json | jq -r .id)
sh=$(printf %s "$T" | cut -c1-2)
mdesk --desk "$C" --as ana --now 2026-11-03T09:00:00Z status "$T" solved >/dev/null
t=$(printf '040000 tree %s\t%s\n' "$(git -C "$C" rev-parse "main:tickets/$sh/$T")" "$T" | git -C "$C" mktree)
t=$(printf '040000 tree %s\t%s\n' "$t" "$sh" | git -C "$C" mktree)
t=$(printf '040000 tree %s\ttickets\n' "$t" | git -C "$C" mktree)
git -C "$C" update-ref refs/heads/archive "$(git -C "$C" commit-tree "$t" -m "archive: 1 ticket")"
git -C "$C" push -q origin main archive 2>/dev/null
mdesk clone "$R2" "$E" >/dev/null 2>&1
is "the same ticket on both branches on both replicas" \
	"$(on_branch "$C" main "$T")$(on_branch "$C" archive "$T")$(on_branch "$E" main "$T")$(on_branch "$E" archive "$T")" 1111
{ ids "$C" main "$T"; } >"$TMP/want"
mdesk --desk "$C" --now 2026-11-04T09:00:00Z archive "$T" >/dev/null
mdesk --desk "$E" sync --auto >/dev/null 2>&1
is "e joins it on main" "$(on_branch "$E" main "$T"):$(on_branch "$E" archive "$T")" "1:0"
mdesk --desk "$C" sync --auto >/dev/null 2>"$TMP/err"
is "c, which archived it meanwhile, syncs" "$?:$(cat "$TMP/err")" "0:"
mdesk --desk "$E" sync --auto >/dev/null 2>&1
for D in "$C" "$E"; do
	is "... on ${D##*/} the ticket is on one branch" "$(( $(on_branch "$D" main "$T") + $(on_branch "$D" archive "$T") ))" 1
	is "... with every event" "$( (ids "$D" main "$T"; ids "$D" archive "$T") | sort -u)" "$(cat "$TMP/want")"
done
done_testing
