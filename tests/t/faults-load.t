#!/bin/sh
# valgrind: no
# Load: P mroutes at once, N messages each (an mbox filed in batches of B),
# while two agents answer (mreply) and note (mdesk note) their tickets at
# the same time.  Every message is filed exactly once, every reply and
# every note is recorded once, git fsck and mdesk check are clean.
# MDESK_LOAD_P, MDESK_LOAD_N, MDESK_LOAD_BATCH, MDESK_LOAD_ROUNDS and
# MDESK_LOAD_K set the size (default 8 x 500 in batches of 25, 3 rounds
# of the agents over 8 tickets each; fewer under the sanitizers).
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

P=${MDESK_LOAD_P:-8} N=${MDESK_LOAD_N:-500} B=${MDESK_LOAD_BATCH:-25} R=${MDESK_LOAD_ROUNDS:-3}
K=${MDESK_LOAD_K:-8}	# tickets per agent
if [ -n "${MDESK_SANITIZED:-}" ]; then
	N=${MDESK_LOAD_N:-40} R=${MDESK_LOAD_ROUNDS:-2} K=${MDESK_LOAD_K:-2}
fi
D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D" MDESK_LOCK_TIMEOUT=600
NOW=--now=2026-11-02T09:00:00Z

# the agents' tickets, filed first
for a in ana bob; do
	k=1
	while [ $k -le $K ]; do
		printf 'From: %s-cust%d@example.org\nTo: support@lumen.example\nSubject: For %s, %d\nMessage-ID: <%s-%d@example.org>\n\nPlease help (%d).\n' \
			$a $k $a $k $a $k $k | mroute $NOW | sed -n 's/^X-Mdesk-Ticket: //p' >>"$TMP/$a.tickets"
		k=$((k + 1))
	done
done
is "the agents' tickets" "$(cat "$TMP"/*.tickets | sort -u | wc -l | tr -d ' ')" $((2 * K))
# the mailboxes
p=1
while [ $p -le $P ]; do
	awk -v p=$p -v n=$N 'BEGIN { for (i = 1; i <= n; i++) {
		printf "From load%d@example.com Mon Nov  2 08:00:00 2026\n", p
		printf "From: Customer %d <c%d-%d@example.com>\nTo: support@lumen.example\n", i, p, i
		printf "Subject: Load %d from %d\nMessage-ID: <load-%d-%d@example.com>\n", i, p, p, i
		if (i % 4 == 0) printf "In-Reply-To: <load-%d-%d@example.com>\n", p, i - 1
		printf "\nQuestion %d of mailbox %d.\n\n", i, p } }' >"$TMP/p$p.mbox"
	p=$((p + 1))
done
base=$(commits)

start=$(date +%s)
p=1
while [ $p -le $P ]; do
	( mroute $NOW --batch "$B" "$TMP/p$p.mbox" >"$TMP/p$p.out" 2>"$TMP/p$p.err"; echo $? >"$TMP/p$p.rc" ) &
	p=$((p + 1))
done
for a in ana bob; do
	(
		r=1
		while [ $r -le $R ]; do
			for t in $(cat "$TMP/$a.tickets"); do
				# --force: the same answer to the same message, round after round
				mreply --record --force --as $a $NOW --ticket "$t" -t answer >"$TMP/r-$a-$r-$t.eml" 2>>"$TMP/$a.err" ||
					echo "reply $r $t: $?" >>"$TMP/$a.fail"
				mdesk --as $a $NOW note "$t" "note-$a-$r-$t" >/dev/null 2>>"$TMP/$a.err" ||
					echo "note $r $t: $?" >>"$TMP/$a.fail"
			done
			r=$((r + 1))
		done
	) &
done
wait
secs=$(( $(date +%s) - start ))
echo "# $P mroutes x $N messages (batches of $B) and 2 agents x $R rounds x $K tickets (a reply and a note each): $secs s"

is "every mroute exited 0" "$(cat "$TMP"/p*.rc | sort -u | tr -d '\n')" 0
is "every reply and note succeeded" "$(cat "$TMP"/ana.fail "$TMP"/bob.fail 2>/dev/null | head -5)" ""
cat "$D"/tickets/*/*/events.jsonl >"$TMP/all.jsonl"
is "$((P * N)) messages filed, each once" \
	"$(jq -r 'select(.type == "received") | .message_id' "$TMP/all.jsonl" | grep -c '^load-') $(jq -r 'select(.type == "received") | .message_id' "$TMP/all.jsonl" | grep '^load-' | sort -u | wc -l | tr -d ' ')" \
	"$((P * N)) $((P * N))"
is "  ... each mroute wrote out its $N messages" \
	"$(for p in $(seq 1 $P); do grep -c '^X-Mdesk-Ticket: ' "$TMP/p$p.out"; done | sort -u)" "$N"
# each message in the ticket its output named
jq -r 'select(.type == "received") | "\(.message_id) \(input_filename | split("/") | .[-2])"' \
	"$D"/tickets/*/*/events.jsonl | grep '^load-' | sort >"$TMP/recv"
for p in $(seq 1 $P); do
	awk '/^From / { h = 1 } h && /^Message-ID: </ { m = substr($2, 2, length($2) - 2) }
		h && /^X-Mdesk-Ticket: / { t = $2 } h && /^$/ { print m, t; h = 0 }' "$TMP/p$p.out"
done | sort >"$TMP/named"
is "  ... each in the ticket its output named" "$(comm -3 "$TMP/recv" "$TMP/named" | head -5)" ""
nr=$((2 * R * K))
is "$nr replies recorded, each once" \
	"$(jq -r 'select(.type == "replied") | .message_id' "$TMP/all.jsonl" | sort | uniq | wc -l | tr -d ' ') $(grep -c '"type":"replied"' "$TMP/all.jsonl")" "$nr $nr"
is "  ... the ones written out" \
	"$(sed -n 's/^Message-ID: <\(.*\)>$/\1/p' "$TMP"/r-*.eml | sort | tr '\n' ' ')" \
	"$(jq -r 'select(.type == "replied") | .message_id' "$TMP/all.jsonl" | sort | tr '\n' ' ')"
is "$nr notes recorded, each once" \
	"$(jq -r 'select(.type == "note") | .text' "$TMP/all.jsonl" | sort -u | grep -c '^note-') $(grep -c '"type":"note"' "$TMP/all.jsonl")" "$nr $nr"
check "  ... each in its ticket" "for t in \$(cat '$TMP'/*.tickets); do grep -q \"\\\"text\\\":\\\"note-[a-z]*-1-\$t\\\"\" '$D'/tickets/*/\$t/events.jsonl || exit 1; done"
is "one commit per batch, reply and note" "$(( $(commits) - base ))" "$((P * ((N + B - 1) / B) + 2 * nr))"
check "git fsck is clean" "git -C '$D' fsck --no-progress"
is "git status is clean" "$(porcelain)" ""
check "mdesk check passes" "mdesk check"
done_testing
