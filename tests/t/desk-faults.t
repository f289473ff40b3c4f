#!/bin/sh
# A desk whose writes fail (a file-size limit of 0 stands for a full disk;
# a read-only bind mount for a read-only disk): the tool exits 75 or 73,
# writes nothing on stdout, leaves the desk as it was, and the next writer
# proceeds.  A writer killed with kill -9 (holding the lock, or inside its
# commit) leaves a desk the next writer repairs.
. "${MDESK_TOP:-.}/tests/lib.sh"

D=$TMP/desk
mdesk init "$D" >/dev/null
sed -i 's/^fsync = yes/fsync = no/' "$D/desk.conf"
git -C "$D" -c user.name=t -c user.email=t@t commit -qam "no fsync for the test"
export MDESK_DIR="$D" MDESK_NOW=2026-11-02T09:00:00Z
M=$DATA/mail/single.eml

head=$(git -C "$D" rev-parse HEAD)
# stderr goes to a pipe: the file-size limit would swallow it in a file
err=$(sh -c 'ulimit -f 0; exec mroute' <"$M" 2>&1 >"$TMP/out")
is "mroute on a full disk: exit 75" "$?" 75
is "... nothing on stdout" "$(wc -c <"$TMP/out" | tr -d ' ')" 0
is "... one line on stderr that names the file" "$(echo "$err" | grep -c '^mroute: tickets/.*/0001.eml: .*')" 1
is "... the branch did not move" "$(git -C "$D" rev-parse HEAD)" "$head"
is "... the working tree is clean" "$(git -C "$D" status --porcelain)" ""

id=$(mroute <"$M" | sed -n 's/^X-Mdesk-Ticket: //p')
check "with room again, the same message is filed ($id)" "test -n '$id'"
is "... one commit" "$(git -C "$D" rev-list --count HEAD)" 3

head=$(git -C "$D" rev-parse HEAD)
sh -c "ulimit -f 0; exec mdesk --as ana note $id 'lost?'" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "mdesk note on a full disk: exit 75 or 73 (got $rc)" "test $rc -eq 75 -o $rc -eq 73"
is "... the branch did not move" "$(git -C "$D" rev-parse HEAD)" "$head"
is "... the working tree is clean" "$(git -C "$D" status --porcelain)" ""
mdesk --as ana note "$id" "after the disk was freed"
ok $? "the next write succeeds"
check "mdesk check is happy" "mdesk check"
check "git fsck is clean" "git -C '$D' fsck --no-progress"

# --- a batch whose pack does not fit: nothing of it lands
head=$(git -C "$D" rev-parse HEAD)
sh -c "ulimit -f 40; exec mroute --batch 100 '$DATA/support.mbox'" >"$TMP/out" 2>"$TMP/err"
rc=$?
check "a batch on a full disk: exit 75 or 73 (got $rc)" "test $rc -eq 75 -o $rc -eq 73"
is "... nothing on stdout" "$(wc -c <"$TMP/out" | tr -d ' ')" 0
is "... the branch did not move" "$(git -C "$D" rev-parse HEAD)" "$head"
is "... the working tree is clean" "$(git -C "$D" status --porcelain)" ""
check "... and says where: $(head -1 "$TMP/err")" "grep -q '^mroute: .*objects' '$TMP/err'"
mroute --batch 100 "$DATA/support.mbox" >/dev/null 2>"$TMP/err"
ok $? "with room again, the batch is filed"
check "... git fsck is clean" "git -C '$D' fsck --no-progress"

# --- a read-only disk: a read-only bind mount of the desk in a private
# mount namespace (root), else write permission taken away (other users)
ls_before=$(mdesk ls --format json)
rm -f "$D/.git/mdesk/tickets-main"
is "full disk: mdesk ls answers without writing its summary" \
	"$(sh -c 'ulimit -f 0; exec mdesk ls --format json' 2>&1)" "$ls_before"
check "... and leaves no temporary file" "test -z \"\$(ls '$D/.git/mdesk' | grep tmp)\""
rm -f "$D/.git/mdesk/tickets-main"
head=$(git -C "$D" rev-parse HEAD)
cat >"$TMP/ro.sh" <<EOF
cd "$D"
mroute <"$M" >"$TMP/ro-out" 2>"$TMP/ro-err"; echo "mroute \$?"
mdesk --as ana note $id 'read-only?' >/dev/null 2>"$TMP/ro-err2"; echo "note \$?"
mdesk ls --format json >"$TMP/ro-ls" 2>&1; echo "ls \$?"
mdesk check >/dev/null 2>&1; echo "check \$?"
EOF
ro=
if [ "$(id -u)" = 0 ]; then
	if command -v unshare >/dev/null 2>&1 &&
		unshare -m sh -c "mount --bind '$D' '$D' && mount -o remount,bind,ro '$D' && ! touch '$D/.probe' 2>/dev/null" 2>/dev/null; then
		ro=$(unshare -m sh -c "mount --bind '$D' '$D' && mount -o remount,bind,ro '$D' && sh '$TMP/ro.sh'")
	fi
else
	chmod -R a-w "$D"
	ro=$(sh "$TMP/ro.sh")
	chmod -R u+w "$D"
fi
if [ -n "$ro" ]; then
	is "read-only desk: mroute exits 73" "$(echo "$ro" | sed -n 's/^mroute //p')" 73
	is "... nothing on stdout" "$(wc -c <"$TMP/ro-out" | tr -d ' ')" 0
	check "... a message that says why" "grep -Eq 'Read-only file system|Permission denied' '$TMP/ro-err'"
	is "... mdesk note exits 73" "$(echo "$ro" | sed -n 's/^note //p')" 73
	is "... mdesk ls still answers (its summary cannot be written)" "$(echo "$ro" | sed -n 's/^ls //p')" 0
	is "... with the same tickets" "$(cat "$TMP/ro-ls")" "$ls_before"
	is "... mdesk check still passes" "$(echo "$ro" | sed -n 's/^check //p')" 0
	is "... the branch did not move" "$(git -C "$D" rev-parse HEAD)" "$head"
	is "... the working tree is clean" "$(git -C "$D" status --porcelain)" ""
else
	skip "read-only desk" "no read-only bind mount here (unshare -m needs privileges)"
fi

# --- a writer killed with kill -9 while it holds the desk lock: the
# kernel drops its lock, the next writer does not wait it out
( exec 9>"$D/.git/mdesk/lock"; flock -x 9; exec sleep 60 ) &
holder=$!
sleep 1
kill -9 "$holder"
wait "$holder" 2>/dev/null
start=$(date +%s)
MDESK_LOCK_TIMEOUT=20 mdesk --as ana note "$id" "after a killed holder" >/dev/null 2>"$TMP/err"
ok $? "a lock holder killed with kill -9: the next writer proceeds"
check "... at once (not after the lock timeout)" "test \$(( \$(date +%s) - $start )) -le 5"

# --- a writer killed inside its commit: the branch moved, the files and
# the index did not follow, git's lock files and a temporary file stay
ev=tickets/$(echo "$id" | cut -c1-2)/$id/events.jsonl
head=$(git -C "$D" rev-parse HEAD)
git -C "$D" show "HEAD~1:$ev" >"$D/$ev"
printf '%s\n' "$ev" >"$D/.git/mdesk/pending"
: >"$D/.git/index.lock"
: >"$D/.git/refs/heads/main.lock"
tmpf=$D/$(dirname "$ev")/.events.jsonl.Ab3dEf
: >"$tmpf"
mdesk --as ana note "$id" "after a crash" >/dev/null 2>"$TMP/err"
ok $? "after a writer killed inside its commit, the next writer proceeds"
is "... and says nothing" "$(cat "$TMP/err")" ""
is "... one commit more" "$(git -C "$D" rev-list --count "$head"..HEAD)" 1
check "... git's lock files are gone" "test ! -e '$D/.git/index.lock' && test ! -e '$D/.git/refs/heads/main.lock'"
check "... the journal and the temporary file are gone" "test ! -e '$D/.git/mdesk/pending' && test ! -e '$tmpf'"
check "... the working tree has HEAD's events" "git -C '$D' show 'HEAD:$ev' | cmp -s - '$D/$ev'"
is "... git status is clean" "$(git -C "$D" status --porcelain)" ""
check "... mdesk check finds nothing to repair" "mdesk check"
check "... git fsck is clean" "git -C '$D' fsck --no-progress"

# --- a loose object cut short (a power cut with fsync off leaves empty
# ones; here: an empty file where the next message's blob goes) is
# written again
sed -i 's/^fsync = no/fsync = yes/' "$D/desk.conf"
git -C "$D" -c user.name=t -c user.email=t@t commit -qam "fsync on"
sed 's/single-1@example.com/single-2@example.com/' "$M" >"$TMP/m2.eml"
blob=$(git -C "$D" hash-object "$TMP/m2.eml")
obj=$D/.git/objects/$(echo "$blob" | cut -c1-2)/$(echo "$blob" | cut -c3-)
mkdir -p "$(dirname "$obj")"
: >"$obj"
id2=$(mroute <"$TMP/m2.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
check "fsync on, an empty object file in the way: the message is filed ($id2)" "test -n '$id2'"
check "... its blob is whole" "git -C '$D' cat-file -e '$blob' && test -s '$obj'"
check "... git fsck is clean" "git -C '$D' fsck --no-progress"
is "... git status is clean" "$(git -C "$D" status --porcelain)" ""
done_testing
