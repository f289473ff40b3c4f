#!/bin/sh
# A desk whose writes fail (a file-size limit of 0 stands for a full disk):
# the tool exits 75, writes nothing on stdout, leaves the desk as it was,
# and the next writer proceeds.
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
done_testing
