#!/bin/sh
# mdesk sync against the other writers of a desk: the fetch lands outside
# the desk and moves in under the desk lock, so gc --full never deletes a
# pack no ref reaches yet; mdesk check finds objects missing from main or
# archive and names them; mdesk check --repair fetches them back.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"

R="$TMP/remote.git" A="$TMP/a" B="$TMP/b"
replica "$R" "$A"
mdesk clone "$R" "$B" >/dev/null 2>&1
mail() {	# mail N
	printf 'From: Customer %s <c%s@example.com>\nTo: support@lumen.example\n' "$1" "$1"
	printf 'Subject: question %s\nMessage-ID: <lock%s@example.com>\n' "$1" "$1"
	printf 'Date: Mon, 2 Nov 2026 09:00:00 +0000\n\nPlease help with case %s.\n' "$1"
}
packs() { find "$1/.git/objects" -type f ! -path '*/info/*' | sort | md5sum; }

# ------------------------------------------------------------ the fetch waits for the lock
for i in 1 2 3; do mail "$i" | MDESK_DIR=$B mroute --now 2026-11-02T09:0$i:00Z >/dev/null; done
mdesk --desk "$B" sync >/dev/null 2>&1
before=$(packs "$A")
exec 9>"$A/.git/mdesk/lock"
flock 9
MDESK_LOCK_TIMEOUT=20 mdesk --desk "$A" sync >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 2
is "while another writer holds the desk lock, a sync brings no object into the desk" \
	"$(packs "$A")" "$before"
flock -u 9
exec 9>&-
wait $pid
is "... and when the lock is free it merges" "$?:$(git -C "$A" rev-parse main)" "0:$(git -C "$R" rev-parse main)"
check "... git fsck clean" "git -C '$A' fsck --no-progress"

# ------------------------------------------------------------ what a killed sync leaves
mail 50 | MDESK_DIR=$B mroute --now 2026-11-02T09:50:00Z >/dev/null
mdesk --desk "$B" sync >/dev/null 2>&1
: >"$A/.git/refs/remotes/origin/main.lock"
: >"$A/.git/refs/remotes/origin/archive.lock"
mdesk --desk "$A" sync >/dev/null 2>"$TMP/err"
is "a sync killed while writing a tracking ref: the next one goes through" \
	"$?:$(cat "$TMP/err"):$(git -C "$A" rev-parse main)" "0::$(git -C "$R" rev-parse main)"

mail 51 | MDESK_DIR=$A mroute --now 2026-11-02T09:51:00Z >/dev/null
: >"$R/refs/heads/main.lock"
mdesk --desk "$A" sync >/dev/null 2>"$TMP/err"
is "a path remote locked by a push under way: exit 75, the merge kept" "$?" 75
touch -d '-1 minute' "$R/refs/heads/main.lock"
mdesk --desk "$A" sync >/dev/null 2>"$TMP/err"
is "... a lock a killed push left a minute ago goes" "$?:$(cat "$TMP/err"):$(git -C "$R" rev-parse main)" "0::$(git -C "$A" rev-parse main)"

# ------------------------------------------------------------ gc --full racing sync
secs=${MDESK_RACE_SECONDS:-8}
[ -n "${MDESK_VALGRIND:-}${MDESK_SANITIZED:-}" ] && secs=3
end=$(( $(date +%s) + secs ))
( i=100; while [ "$(date +%s)" -lt "$end" ]; do
	i=$((i + 1))
	mail "$i" | MDESK_DIR=$B mroute --now 2026-11-02T10:00:00Z >/dev/null 2>>"$TMP/race-b"
	mdesk --desk "$B" sync --auto >/dev/null 2>>"$TMP/race-b"
done ) &
p1=$!
( while [ "$(date +%s)" -lt "$end" ]; do mdesk --desk "$A" sync --auto >/dev/null 2>>"$TMP/race-a"; done ) &
p2=$!
( while [ "$(date +%s)" -lt "$end" ]; do mdesk --desk "$A" gc --full >/dev/null 2>>"$TMP/race-gc"; done ) &
p3=$!
wait $p1 $p2 $p3
for r in "$B" "$A" "$B" "$A"; do mdesk --desk "$r" sync --auto >/dev/null 2>>"$TMP/race-end"; done
check "after $secs s of gc --full racing sync: git fsck clean" "git -C '$A' fsck --no-progress --connectivity-only"
check "... git status works" "git -C '$A' status --porcelain"
check "... mdesk check ok" "mdesk --desk '$A' check"
is "... both replicas at the remote's commit" "$(git -C "$A" rev-parse main) $(git -C "$B" rev-parse main)" \
	"$(git -C "$R" rev-parse main) $(git -C "$R" rev-parse main)"
cat "$TMP/race-end" | sed 's/^/# /' | head -5

# ------------------------------------------------------------ check sees what is missing
mdesk --desk "$A" gc --full >/dev/null
f=$(ls "$A"/tickets/*/*/0001.eml | head -1)
blob=$(git -C "$A" hash-object "$f")
git -C "$R" cat-file -e "$blob" 2>/dev/null && have=yes || have=no
# a pack of everything but one blob
for i in "$A"/.git/objects/pack/*.idx; do git show-index <"$i"; done | cut -d' ' -f2 |
	grep -v "^$blob\$" | git -C "$A" pack-objects -q "$TMP/part" >/dev/null
rm -f "$A"/.git/objects/pack/*
mdesk --desk "$A" check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a desk whose objects are gone: mdesk check fails" "$rc" 78
check "... and names what is missing, with the repair" \
	"grep -q '^mdesk: refs/heads/main:0: commit [0-9a-f]* missing; .mdesk check --repair' '$TMP/err'"
cp "$TMP"/part-*.pack "$TMP"/part-*.idx "$A/.git/objects/pack/"
mdesk --desk "$A" check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "one blob gone: mdesk check fails" "$rc:$have" "78:yes"
check "... naming the blob and its file" \
	"grep -q 'blob $blob missing (${f#$A/} of commit' '$TMP/err'"
mdesk --desk "$A" check --repair >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mdesk check --repair fetches it from the remote" "$rc:$(cat "$TMP/err")" "0:"
check "... git fsck clean" "git -C '$A' fsck --no-progress"
check "... git status clean" "test -z \"\$(git -C '$A' status --porcelain)\""
mail 900 | MDESK_DIR=$A mroute --now 2026-11-02T11:00:00Z >/dev/null 2>"$TMP/err"
is "... mroute files mail again" "$?:$(cat "$TMP/err")" "0:"
mdesk --desk "$A" check --repair nosuch >/dev/null 2>"$TMP/err"
is "mdesk check --repair with no such remote: exit 78" "$?" 78
done_testing
