#!/bin/sh
# valgrind: no
# Deliveries killed with kill -9 at random moments, several at once: every
# delivery that exited 0 is in the desk once (its Message-ID in one ticket,
# one received event, the ticket its output named); the desk passes mdesk
# check and git fsck; the next writer proceeds; the killed ones delivered
# again (as an MTA retries) are filed once.  A writer stopped with kill
# -STOP while it holds the lock: the others wait a bounded time and exit
# 75, changing nothing; after kill -CONT it finishes.  mreply does not hold
# the lock while it waits for its standard input.
# MDESK_SEED=N replays another sequence of delays; MDESK_KILL_N the count.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

SEED=${MDESK_SEED:-9}
N=${MDESK_KILL_N:-200}
[ -n "${MDESK_SANITIZED:-}" ] && N=${MDESK_KILL_N:-30}
P=4		# deliveries at once
D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D"
NOW=--now=2026-11-02T09:00:00Z
# the delays before kill -9: from 0 to 2.5 times what P deliveries at once
# take here (so that about half of them finish): the quickest of three
best=999999
for i in 1 2 3; do
	t0=$(date +%s%N)
	printf 'From: c@example.com\nSubject: warm %d\nMessage-ID: <warm-%d@example.com>\n\nhi\n' $i $i |
		mroute $NOW >/dev/null
	t=$(( ($(date +%s%N) - t0) / 1000000 ))
	[ $t -lt $best ] && best=$t
done
MAXMS=$(( best * P * 5 / 2 ))
[ $MAXMS -lt 30 ] && MAXMS=30
cap=600; [ -n "${MDESK_SANITIZED:-}" ] && cap=4000
[ $MAXMS -gt $cap ] && MAXMS=$cap
echo "# seed $SEED, $N deliveries, $P at once, delays 0-$MAXMS ms"

# N messages; every fifth answers the one before it (it joins that ticket
# when that one is filed)
i=1
while [ $i -le $N ]; do
	{
		printf 'From: Customer %d <cust%d@example.com>\nTo: support@lumen.example\n' $((i % 37)) $((i % 37))
		printf 'Subject: Question %d\nMessage-ID: <kill-%d@example.com>\n' $i $i
		[ $((i % 5)) -eq 0 ] && printf 'In-Reply-To: <kill-%d@example.com>\n' $((i - 1))
		printf 'Date: Mon, 2 Nov 2026 08:00:00 +0000\n\nQuestion number %d.\n' $i
	} >"$TMP/m$i.eml"
	i=$((i + 1))
done
awk -v s="$SEED" -v n="$N" -v m="$MAXMS" 'BEGIN { srand(s); for (i = 1; i <= n; i++) printf "%d %d\n", i, rand() * m }' >"$TMP/delays"

# deliver I MS: mroute, killed with kill -9 after MS ms; its exit status in rc.I
deliver() {
	mroute $NOW <"$TMP/m$1.eml" >"$TMP/out.$1" 2>"$TMP/err.$1" &
	_p=$!
	sleep "$(( $2 / 1000 )).$(printf %03d $(( $2 % 1000 )))"
	kill -9 $_p 2>/dev/null
	{ wait $_p; } 2>/dev/null
	echo $? >"$TMP/rc.$1"
}
start=$(date +%s)
p=0
while [ $p -lt $P ]; do
	( awk -v p=$p -v P=$P '$1 % P == p' "$TMP/delays" | while read -r i ms; do deliver "$i" "$ms"; done ) &
	p=$((p + 1))
done
wait
echo "# $N deliveries in $(( $(date +%s) - start )) s"
ok_n=0 killed=
i=1
while [ $i -le $N ]; do
	case $(cat "$TMP/rc.$i") in
	0) ok_n=$((ok_n + 1)) ;;
	137) killed="$killed $i" ;;
	*) echo "# delivery $i: exit $(cat "$TMP/rc.$i"): $(head -c 300 "$TMP/err.$i")" ;;
	esac
	i=$((i + 1))
done
nk=$(echo $killed | wc -w)
is "every delivery exited 0 or was killed" "$((ok_n + nk))" "$N"
check "some were killed ($nk) and some finished ($ok_n)" "test $nk -gt 0 && test $ok_n -gt 0"

# the received events: message id, ticket (from the path)
recv() {
	jq -r 'select(.type == "received") | "\(.message_id) \(input_filename | split("/") | .[-2])"' \
		"$D"/tickets/*/*/events.jsonl | grep '^kill-' | sort
}
recv >"$TMP/recv"
is "no message filed twice" "$(cut -d' ' -f1 "$TMP/recv" | uniq -d | head -5)" ""
bad=
i=1
while [ $i -le $N ]; do
	if [ "$(cat "$TMP/rc.$i")" = 0 ]; then
		t=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out.$i")
		grep -qx "kill-$i@example.com $t" "$TMP/recv" || bad="$bad $i($t)"
	fi
	i=$((i + 1))
done
is "every delivery that exited 0 is in the ticket its output named" "$bad" ""

start=$(date +%s)
WT=$(jq -r 'select(.type == "received" and .message_id == "warm-1@example.com") | input_filename | split("/") | .[-2]' "$D"/tickets/*/*/events.jsonl)
mdesk --as ana $NOW note "$WT" "after the kills" >/dev/null 2>"$TMP/err"
ok $? "the next writer proceeds"
is "  ... and says nothing" "$(cat "$TMP/err")" ""
check "  ... at once" "test $(( $(date +%s) - start )) -le 5"
check "mdesk check passes" "mdesk check"
check "git fsck is clean" "git -C '$D' fsck --no-progress"
is "git status is clean" "$(git -C "$D" status --porcelain)" ""
check "no journal left" "test ! -e '$D/.git/mdesk/pending'"

# killed after their commit: filed though the delivery did not exit 0
late=0
for i in $killed; do grep -q "^kill-$i@" "$TMP/recv" && late=$((late + 1)); done
echo "# $late of the $nk killed deliveries were killed after their commit"
# the MTA delivers the killed ones again, P at once
: >"$TMP/fail"
p=0
while [ $p -lt $P ]; do
	( for i in $killed; do
		[ $((i % P)) -eq $p ] || continue
		mroute $NOW <"$TMP/m$i.eml" >"$TMP/out.$i" 2>"$TMP/err.$i" || echo "$i" >>"$TMP/fail"
	done ) &
	p=$((p + 1))
done
wait
is "the $nk killed deliveries, delivered again: all exit 0" "$(cat "$TMP/fail")" ""
recv >"$TMP/recv"
is "all $N messages are filed, each once" \
	"$(cut -d' ' -f1 "$TMP/recv" | sort -u | wc -l | tr -d ' ') $(wc -l <"$TMP/recv" | tr -d ' ')" "$N $N"
bad=
for i in $killed; do
	t=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out.$i")
	grep -qx "kill-$i@example.com $t" "$TMP/recv" || bad="$bad $i($t)"
done
is "  ... each in the ticket the second delivery named" "$bad" ""
check "  ... mdesk check passes" "mdesk check"
check "  ... git fsck is clean" "git -C '$D' fsck --no-progress"
is "  ... git status is clean" "$(git -C "$D" status --porcelain)" ""

# --- a writer stopped (kill -STOP) while it holds the lock: an mroute of
# a 100-message mbox in one batch, caught inside its batch
M=100
i=1
while [ $i -le $M ]; do
	printf 'From stop@example.com Mon Nov  2 08:00:00 2026\nFrom: s%d@example.com\nTo: support@lumen.example\nSubject: Stop %d\nMessage-ID: <stop-%d@example.com>\n\nBody %d.\n\n' $i $i $i $i
	i=$((i + 1))
done >"$TMP/stop.mbox"
LOCK=$D/.git/mdesk/lock
held() { ! flock -n "$LOCK" true; }
caught=
for try in 1 2 3 4 5; do
	mroute $NOW "$TMP/stop.mbox" >"$TMP/stop.out" 2>"$TMP/stop.err" &
	w=$!
	k=0
	while ! held && [ $k -lt 500 ]; do sleep 0.01; k=$((k + 1)); done
	kill -STOP $w
	if held; then caught=$w; break; fi
	kill -CONT $w; wait $w
done
check "a writer stopped while it holds the lock (try $try)" "test -n '$caught'"
if [ -n "$caught" ]; then
	s=$(head_id)
	sed 's/kill-1@/stopped-1@/' "$TMP/m1.eml" >"$TMP/s1.eml"
	t0=$(date +%s)
	MDESK_LOCK_TIMEOUT=2 mroute $NOW <"$TMP/s1.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
	el=$(( $(date +%s) - t0 ))
	is "  ... a delivery meanwhile: exit 75" "$rc" 75
	check "  ... after the bounded wait (2 s; took $el s)" "test $el -ge 1 && test $el -le 6"
	is "  ... nothing on stdout" "$(wc -c <"$TMP/out" | tr -d ' ')" 0
	check "  ... it says the desk is locked" "grep -q 'locked by another writer' '$TMP/err'"
	MDESK_LOCK_TIMEOUT=1 mdesk --as ana $NOW note "$WT" "stopped?" >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "  ... a note meanwhile: exit 75" "$rc" 75
	is "  ... nothing changed: HEAD, git status" "$(head_id) $(porcelain)" "$s "
	kill -CONT $caught
	wait $caught
	ok $? "after kill -CONT the stopped writer finishes"
	is "  ... its $M messages filed, once each" \
		"$(cat "$D"/tickets/*/*/events.jsonl | jq -r 'select(.type == "received") | .message_id' | grep -c '^stop-') $(grep -c '^X-Mdesk-Ticket:' "$TMP/stop.out")" "$M $M"
	mroute $NOW <"$TMP/s1.eml" >/dev/null 2>"$TMP/err"
	ok $? "  ... the refused delivery, again: filed"
	check "  ... git fsck is clean" "git -C '$D' fsck --no-progress"
	is "  ... git status is clean" "$(porcelain)" ""
fi

# --- mreply reads the message before it locks the desk: an agent's
# mreply waiting on its standard input holds up no delivery
T=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out.3")
idle=2; [ -n "${MDESK_SANITIZED:-}" ] && idle=8
{ sleep $idle; cat "$TMP/m3.eml"; } | mreply --record --as ana $NOW -t answer >"$TMP/r.eml" 2>"$TMP/r.err" &
r=$!
sleep 0.5
t0=$(date +%s)
sed 's/kill-2@/idle-2@/' "$TMP/m2.eml" | MDESK_LOCK_TIMEOUT=10 mroute $NOW >/dev/null 2>"$TMP/err"
ok $? "a delivery while mreply waits for its input"
el=$(( $(date +%s) - t0 ))
check "  ... before mreply has its input (in $el s)" "! grep -q replied '$D/tickets/$(printf %.2s "$T")/$T/events.jsonl'"
wait $r
ok $? "  ... then mreply answers ($T)"
check "  ... and records its reply" "grep -q '\"type\":\"replied\"' '$D/tickets/$(printf %.2s "$T")/$T/events.jsonl'"
done_testing
