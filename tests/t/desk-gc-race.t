#!/bin/sh
# valgrind: no
# mdesk gc --full never removes an object that a ref written during or
# just after the gc names: a fetch writes its pack first and its ref
# after, so a pack the gc's walk did not reach may be wanted a moment
# later.  Packs and loose objects younger than an hour stay; older
# unreachable ones go.  Then gc --full, sync and deliveries on two
# replicas at once: every object reachable from a ref is still there.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

R=$TMP/remote.git D=$TMP/d D2=$TMP/d2
git init -q --bare "$R"
newdesk "$D"
git -C "$D" remote add origin "$R"
mdesk --desk "$D" sync >/dev/null 2>&1
mdesk clone "$R" "$D2" >/dev/null 2>&1
# msg N: a message of its own
msg() {
	printf 'From: Customer %s <c%s@example.com>\nTo: support@lumen.example\nSubject: Order %s\nMessage-ID: <gc-%s@example.com>\nDate: Mon, 2 Nov 2026 08:00:00 +0000\n\nWhere is order %s?\n' \
		"$1" "$1" "$1" "$1" "$1"
}
msg 1 | MDESK_DIR=$D2 mroute --now 2026-11-02T09:00:00Z >/dev/null
mdesk --desk "$D2" sync >/dev/null 2>&1
NEW=$(git -C "$D2" rev-parse main)

# a fetch into D, cut in two: the pack first, then (after a gc) the ref
printf '%s\n^%s\n' "$NEW" "$(git -C "$D" rev-parse main)" |
	git -C "$D2" pack-objects --revs --stdout >"$TMP/fetch.pack" 2>/dev/null
git -C "$D" index-pack --stdin <"$TMP/fetch.pack" >/dev/null
is "the fetched commit is in D (a pack no ref names yet)" "$(git -C "$D" cat-file -t "$NEW")" commit
mdesk --desk "$D" gc --full >"$TMP/out" 2>"$TMP/err"
is "gc --full runs" "$?" 0
check "the pack a fetch wrote before the gc still holds what its ref names" \
	"git -C '$D' update-ref refs/remotes/origin/main '$NEW' && git -C '$D' rev-list --objects refs/remotes/origin/main >/dev/null"
check "git fsck is clean" "git -C '$D' fsck --no-dangling"
mdesk --desk "$D" sync >"$TMP/out" 2>"$TMP/err"
is "sync merges the fetched commit" "$?:$(git -C "$D" rev-parse main)" "0:$NEW"

# an unreachable pack older than the grace goes, a reachable desk stays
msg 2 | MDESK_DIR=$D2 mroute --now 2026-11-02T09:10:00Z >/dev/null
printf '%s\n^%s\n' "$(git -C "$D2" rev-parse main)" "$NEW" |
	git -C "$D2" pack-objects --revs --stdout >"$TMP/old.pack" 2>/dev/null
OLD=$(git -C "$D" index-pack --stdin <"$TMP/old.pack" | sed -n 's/^pack\t//p')
is "an unreachable pack" "$(test -e "$D/.git/objects/pack/pack-$OLD.pack" && echo yes)" yes
touch -d '2 hours ago' "$D/.git/objects/pack/pack-$OLD.pack" "$D/.git/objects/pack/pack-$OLD.idx"
mdesk --desk "$D" gc --full >/dev/null 2>&1
ok "$(test ! -e "$D/.git/objects/pack/pack-$OLD.pack" && test ! -e "$D/.git/objects/pack/pack-$OLD.idx"; echo $?)" \
	"an unreachable pack older than an hour is removed"
check "git fsck is clean after it" "git -C '$D' fsck --no-dangling"
is "git status is clean" "$(git -C "$D" status --porcelain)" ""

# gc --full, sync and deliveries at once, for a few seconds
end=$(($(date +%s) + 6))
( n=100; while [ "$(date +%s)" -lt "$end" ]; do n=$((n + 1))
	msg $n | MDESK_DIR=$D2 mroute --now 2026-11-02T10:00:00Z >/dev/null 2>&1
	mdesk --desk "$D2" sync --auto >/dev/null 2>&1; done ) &
p1=$!
( while [ "$(date +%s)" -lt "$end" ]; do mdesk --desk "$D" sync --auto >/dev/null 2>&1; done ) &
p2=$!
( while [ "$(date +%s)" -lt "$end" ]; do mdesk --desk "$D" gc --full >/dev/null 2>&1; done ) &
p3=$!
wait $p1 $p2 $p3
check "after gc --full raced sync: git fsck is clean" "git -C '$D' fsck --no-dangling"
check "... git status works and is clean" "test -z \"\$(git -C '$D' status --porcelain)\""
msg 999 | MDESK_DIR=$D mroute --now 2026-11-02T11:00:00Z >"$TMP/out" 2>"$TMP/err"
is "... and a delivery still succeeds" "$?" 0
mdesk --desk "$D" sync >"$TMP/out" 2>"$TMP/err"
is "... and so does a sync" "$?" 0
done_testing
