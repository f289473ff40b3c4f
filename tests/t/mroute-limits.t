#!/bin/sh
# valgrind: no
# mroute's limits: memory bounded by a constant and a small multiple of the
# largest message, whatever the batch; one size limit (desk.conf
# message_max) above which mail is stored truncated and tagged, never
# bounced; one message that cannot be filed never fails the others of its
# batch.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D"
NOW=--now=2026-11-02T09:00:00Z
MIB=1048576

# big N MSGID SIZE: an mbox of N messages of SIZE bytes of text each
big() {
	awk -v n="$1" -v id="$2" -v size="$3" 'BEGIN {
		line = "The quick brown fox jumps over the lazy dog, again and again and again.."
		for (i = 1; i <= n; i++) {
			printf "From c%d@example.com Mon Nov  2 08:00:00 2026\n", i
			printf "From: Customer %d <c%d@example.com>\nTo: support@lumen.example\n", i, i
			printf "Subject: Attachment %d\nMessage-ID: <%s-%d@example.com>\n\n", i, id, i
			for (k = 0; k < size; k += 73)
				print line
			print ""
		}
	}'
}
# peak KIB CMD...: run CMD (stdout to $TMP/out), its peak RSS in KiB into $TMP/peak
peak() { /usr/bin/time -f %M -o "$TMP/peak" "$@" >"$TMP/out" 2>"$TMP/err"; }

# ---------------------------------------------------------------- message_max
sed -i 's/^message_max = .*/message_max = 1M/' "$D/desk.conf"
git -C "$D" commit -qam 'message_max = 1M'
check "mdesk check: message_max = 1M is fine" "mdesk check >/dev/null 2>&1"
big 1 cut $((3 * MIB)) | sed 1d >"$TMP/cut.eml"
full=$(wc -c <"$TMP/cut.eml" | tr -d ' ')
mroute $NOW <"$TMP/cut.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
T=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")
is "a message of 3 MiB over message_max = 1M: exit 0 (never bounced)" "$rc" 0
check "  ... stderr says it was cut" "grep -q 'more than message_max' '$TMP/err'"
F=$D/tickets/$(printf %.2s "$T")/$T
size=$(wc -c <"$F/0001.eml" | tr -d ' ')
check "  ... stored: the first MiB at most, a head of the message ($size bytes)" \
	"test $size -le $MIB && test $size -gt $((MIB - 200)) && head -c $size '$TMP/cut.eml' | cmp -s - '$F/0001.eml'"
is "  ... tagged truncated, the size received in its event" \
	"$(jq -c 'select(.type == "received") | .truncated' "$F/events.jsonl") $(mdesk show --json "$T" | jq -c '.tags | index("truncated") != null')" "$full true"
is "  ... X-Mdesk-Tags says so" "$(sed -n 's/^X-Mdesk-Tags: //p' "$TMP/out")" truncated
is "  ... git status clean" "$(porcelain)" ""
sed -i 's/^message_max = .*/message_max = 12x/' "$D/desk.conf"
check "mdesk check refuses message_max = 12x with file:line" \
	"mdesk check 2>&1 | grep -q 'desk.conf:[0-9]*: message_max'"
h=$(head_id)
mroute $NOW <"$TMP/cut.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mroute with message_max = 12x: exit 78 with file:line, nothing filed" \
	"$rc $(grep -c '^mroute: desk.conf:[0-9]*: message_max' "$TMP/err") $(test "$(head_id)" = "$h" && echo kept)" "78 1 kept"
git -C "$D" checkout -q desk.conf
sed -i 's/^message_max = .*/message_max = 64M/' "$D/desk.conf"
git -C "$D" commit -qam 'message_max = 64M'
# an mbox's ">From " is one byte more than the message's "From ": not a cut
printf 'From c@example.com Mon Nov  2 08:00:00 2026\nFrom: C <c@example.com>\nSubject: Quoted\nMessage-ID: <quoted-1@example.com>\n\nAs I wrote:\n>From the start it failed.\n\nFrom d@example.com Mon Nov  2 08:00:00 2026\nFrom: D <d@example.com>\nSubject: Other\nMessage-ID: <quoted-2@example.com>\n\nHello.\n' >"$TMP/quoted.mbox"
mroute $NOW "$TMP/quoted.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
T=$(sed -n '1,/^$/s/^X-Mdesk-Ticket: //p' "$TMP/out")
is "an mbox message with a '>From ' line: exit 0, not cut, not tagged" \
	"$rc:$(cat "$TMP/err"):$(grep -c '^X-Mdesk-Tags:.*truncated' "$TMP/out")" "0::0"
check "  ... stored with its 'From ' line unescaped" \
	"grep -qx 'From the start it failed.' '$D/tickets/$(printf %.2s "$T")/$T/0001.eml'"

# ---------------------------------------------------------------- memory
if [ -x /usr/bin/time ] && [ -z "${MDESK_SANITIZED:-}" ]; then
	big 200 mb $MIB >"$TMP/200.mbox"
	peak mroute $NOW "$TMP/200.mbox"; rc=$?
	kib=$(cat "$TMP/peak")
	is "200 messages of 1 MiB in one mbox: exit 0, 200 filed" "$rc $(grep -c '^X-Mdesk-Ticket:' "$TMP/out")" "0 200"
	check "  ... peak RSS $((kib / 1024)) MiB <= 64 MiB + 3 x 1 MiB" "test $kib -le $(((64 + 3) * 1024))"
	rm -f "$TMP/200.mbox"
	big 1 one $((40 * MIB)) >"$TMP/one.mbox"
	peak mroute $NOW "$TMP/one.mbox"; rc=$?
	kib=$(cat "$TMP/peak")
	is "one message of 40 MiB: exit 0, filed" "$rc $(grep -c '^X-Mdesk-Ticket:' "$TMP/out")" "0 1"
	check "  ... peak RSS $((kib / 1024)) MiB <= 64 MiB + 3 x 40 MiB" "test $kib -le $(((64 + 120) * 1024))"
	rm -f "$TMP/one.mbox"
	is "  ... git status clean" "$(porcelain)" ""
else
	skip "memory bounds" "no /usr/bin/time, or a sanitizer build"
fi

# ---------------------------------------------------------------- one message cannot be filed
# a file where a new ticket's folder goes (committed with plain git)
printf 'From: A <a@example.com>\nTo: support@lumen.example\nSubject: One\nMessage-ID: <df-1@example.com>\n\nOne.\n' >"$TMP/df1.eml"
printf 'From: B <b@example.com>\nTo: support@lumen.example\nSubject: Two\nMessage-ID: <df-2@example.com>\n\nTwo.\n' >"$TMP/df2.eml"
printf 'From: C <c@example.com>\nTo: support@lumen.example\nSubject: Three\nMessage-ID: <df-3@example.com>\n\nThree.\n' >"$TMP/df3.eml"
for i in 1 2 3; do
	eval "T$i=\$(mroute $NOW --dry-run <'$TMP/df$i.eml' | jq -r .ticket)"
done
P=$(printf %.2s "$T2")
check "three new tickets in three folders ($T1 $T2 $T3)" \
	"test '$(printf %.2s "$T1")' != '$P' && test '$(printf %.2s "$T3")' != '$P'"
printf 'not a folder\n' >"$D/tickets/$P"
git -C "$D" add "tickets/$P" && git -C "$D" commit -qm "a file in the way"
for i in 1 2 3; do printf 'From x@example.com Mon Nov  2 08:00:00 2026\n'; cat "$TMP/df$i.eml"; echo; done >"$TMP/df.mbox"
n=$(commits)
mroute $NOW "$TMP/df.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "an mbox whose second message's folder is a file: exit 75" "$rc" 75
is "  ... the others filed in one commit" "$(grep -c '^X-Mdesk-Ticket:' "$TMP/out") $(($(commits) - n))" "2 1"
check "  ... their tickets exist" "mdesk show '$T1' >/dev/null && mdesk show '$T3' >/dev/null"
check "  ... stderr names the path" "grep -q 'tickets/$P: not a folder' '$TMP/err'"
is "  ... git status clean" "$(porcelain)" ""
git -C "$D" rm -q "tickets/$P" && git -C "$D" commit -qm "the file out of the way"
mroute $NOW "$TMP/df.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "the same mbox again: exit 0, the one set aside is filed, the others duplicates" \
	"$rc $(sed -n 's/^X-Mdesk-Status: //p' "$TMP/out" | tr '\n' ' ')" "0 duplicate new duplicate "
check "  ... git fsck clean" "git -C '$D' fsck --no-progress >/dev/null 2>&1"

done_testing
