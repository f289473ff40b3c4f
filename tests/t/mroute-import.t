#!/bin/sh
# valgrind: no
# An import commits batch after batch, the working tree and the index
# following each: at the end the index is HEAD's and git status clean; an
# import killed in the middle leaves a journal that the next writer
# repairs; single deliveries between the batches of an import leave the
# desk as they should, and the import goes on without undoing their work;
# a delivery during an import gets the lock after one batch.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

N=600
[ -n "${MDESK_SANITIZED:-}" ] && N=200
D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D"
NOW=--now=2026-11-02T09:00:00Z

# genmail N PREFIX: an mbox of N messages from 40 customers in pt, ru and
# en; every fourth answers the one before it
genmail() {
	awk -v n="$1" -v p="$2" 'BEGIN {
		split("Meu pedido ainda não chegou, podem verificar o rastreamento?|Здравствуйте, мой заказ до сих пор не пришёл, проверьте пожалуйста.|My order has not arrived yet, could you check the tracking please?", body, "|")
		for (i = 1; i <= n; i++) {
			c = i % 40
			printf "From cust%d@example.com Mon Nov  2 08:00:00 2026\n", c
			printf "From: Customer %d <cust%d@example.com>\nTo: support@lumen.example\n", c, c
			printf "Subject: Order %s-%d\nMessage-ID: <%s-%d@example.com>\n", p, i - i % 4, p, i
			if (i % 4) printf "In-Reply-To: <%s-%d@example.com>\n", p, i - 1
			printf "Date: Mon, 2 Nov 2026 08:%02d:00 +0000\nMIME-Version: 1.0\n", i % 60
			printf "Content-Type: text/plain; charset=UTF-8\n\n%s\nNumber %d.\n\n", body[i % 3 + 1], i
		}
	}'
}
# same: the index names exactly HEAD's files with HEAD's blobs
same() {
	git -C "$D" ls-files -s | awk '{ print $2, $4 }' >"$TMP/ix"
	git -C "$D" ls-tree -r HEAD | awk '{ print $3, $4 }' >"$TMP/tree"
	cmp -s "$TMP/ix" "$TMP/tree"
}

# --- a whole import, in batches of 25
genmail "$N" a >"$TMP/a.mbox"
base=$(commits)
mroute $NOW --batch 25 "$TMP/a.mbox" >"$TMP/a.out" 2>"$TMP/a.err"
ok $? "an import of $N messages in batches of 25"
is "... one commit per batch" "$(($(commits) - base))" "$(((N + 24) / 25))"
is "... every message out once" "$(grep -c '^X-Mdesk-Ticket: ' "$TMP/a.out")" "$N"
check "... the index is HEAD's" same
is "... git status is clean" "$(porcelain)" ""
check "... no journal left" "test ! -e '$D/.git/mdesk/pending'"
check "... git fsck is clean" "git -C '$D' fsck --strict --no-progress"

# --- a batch's pack holds its objects whole: mail hardly deltas against
# other mail, and the search for deltas cost a third of an import
P=$TMP/packdesk
newdesk "$P"
genmail 300 p >"$TMP/p.mbox"
MDESK_DIR=$P mroute $NOW --batch 150 "$TMP/p.mbox" >/dev/null 2>"$TMP/p.err"
ok $? "an import of 300 messages in batches of 150"
is "... two packs" "$(ls "$P"/.git/objects/pack/*.idx | wc -l)" 2
deltas() { for i in "$P"/.git/objects/pack/*.idx; do git verify-pack -v "$i"; done | awk 'NF == 7 { n++ } END { print n + 0 }'; }
is "... no object in them is a delta" "$(deltas)" 0
check "... git fsck is clean" "git -C '$P' fsck --strict --no-progress"

# --- killed after some batches: the next writer repairs what the kill left
genmail 4000 b >"$TMP/b.mbox"
base=$(commits)
mroute $NOW --batch 10 "$TMP/b.mbox" >/dev/null 2>&1 &
pid=$!
i=0
while [ "$(commits)" -lt $((base + 4)) ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
landed=$(($(commits) - base))
echo "# killed after $landed batches"
check "... a batch or more landed before the kill" "test $landed -ge 4"
# the kill may hit a commit (a journal left) or fall between two: the next
# writer leaves the desk as HEAD has it either way
printf 'From: x@example.com\nTo: support@lumen.example\nSubject: after\nMessage-ID: <after-kill@example.com>\n\nhi\n' |
	mroute $NOW >/dev/null
ok $? "the next delivery"
check "... the index is HEAD's again" same
is "... git status is clean" "$(porcelain)" ""
check "... no journal left" "test ! -e '$D/.git/mdesk/pending'"
check "... mdesk check passes" "mdesk check"

# --- deliveries between the batches of an import: the import reads a
# pipe fed a part at a time; after each part is filed (one batch per
# message, so no batch waits open for the next part), four deliveries
# answer the last message of threads of that part, tickets the import
# does not write again: the index must end with their changes, not with
# the import's older ones it let wait
genmail 240 c >"$TMP/c.mbox"
awk -v d="$TMP" '/^From / { n++ } { print > (d "/c.part" int((n - 1) / 60)) }' "$TMP/c.mbox"
base=$(commits)
{
	j=0
	for k in 0 1 2 3; do
		cat "$TMP/c.part$k"
		# the part's last message waits for the next part's first line
		want=$((base + j + (k + 1) * 60 - 1))
		i=0
		while [ "$(commits)" -lt $want ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
		for t in 1 2 3 4; do
			j=$((j + 1))
			n=$((k * 60 + t * 12 + 3))	# the last of its thread
			printf 'From: Customer %d <cust%d@example.com>\nTo: support@lumen.example\nSubject: Re: Order c-%d\nMessage-ID: <solo-%d@example.com>\nIn-Reply-To: <c-%d@example.com>\n\nHello, any news?\n' \
				$((n % 40)) $((n % 40)) $((n - 3)) $j $n |
				mroute $NOW >"$TMP/solo.$j" 2>>"$TMP/solo.err" || echo "solo $j: $?" >>"$TMP/solo.fail"
			tk=$(grep -l "\"message_id\":\"c-$n@example.com\"" "$D"/tickets/*/*/events.jsonl | head -1)
			tk=${tk%/events.jsonl}
			grep -q "^X-Mdesk-Ticket: ${tk##*/}\$" "$TMP/solo.$j" ||
				echo "solo $j: not in the ticket of c-$n" >>"$TMP/solo.fail"
		done
	done
} | mroute $NOW --batch 1 >"$TMP/c.out" 2>"$TMP/c.err" &
pid=$!
wait $pid
ok $? "an import with 16 deliveries between its batches"
is "... every delivery filed, in the ticket it answers" "$(cat "$TMP/solo.fail" 2>/dev/null)" ""
is "... every message of the import out once" "$(grep -c '^X-Mdesk-Ticket: ' "$TMP/c.out")" 240
check "... the index is HEAD's" same
is "... git status is clean" "$(porcelain)" ""
check "... no journal left" "test ! -e '$D/.git/mdesk/pending'"
check "... git fsck is clean" "git -C '$D' fsck --strict --no-progress"
check "... mdesk check passes" "mdesk check"

# --- a delivery during an import waits for one batch, not for the import
genmail 3000 e >"$TMP/e.mbox"
base=$(commits)
mroute $NOW --batch 100 "$TMP/e.mbox" >/dev/null 2>"$TMP/e.err" &
pid=$!
i=0
while [ "$(commits)" -lt $((base + 1)) ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
printf 'From: late@example.com\nTo: support@lumen.example\nSubject: during the import\nMessage-ID: <during@example.com>\n\nHello.\n' |
	MDESK_LOCK_TIMEOUT=120 mroute $NOW >/dev/null
ok $? "a delivery during an import"
wait $pid
ok $? "... the import ends well"
after=$(git -C "$D" log --format=%s | grep -n 'received from late@example.com' | cut -d: -f1)
echo "# import batches after the delivery: $((after - 1))"
check "... it went in between two batches, the import's last far off" "test $((after - 1)) -ge 5"
done_testing
