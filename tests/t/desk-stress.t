#!/bin/sh
# valgrind: yes
# The desk under concurrent writers and under writers killed at random:
# nothing lost, nothing twice, git fsck clean, git status clean.
. "${MDESK_TOP:-.}/tests/lib.sh"

# sanitizer and valgrind runs are slow: fewer writes, same checks
P=8 N=200 K=200
if [ -n "${MDESK_VALGRIND:-}" ]; then P=3 N=5 K=10
elif [ -n "${MDESK_SANITIZED:-}" ]; then P=8 N=25 K=40; fi

D=$TMP/desk
mdesk init "$D" >/dev/null
sed -i 's/^fsync = yes/fsync = no/' "$D/desk.conf"
git -C "$D" -c user.name=t -c user.email=t@t commit -qam "no fsync for the test"
export MDESK_DIR="$D" MDESK_NOW=2026-11-02T09:00:00Z

cat >"$TMP/m.eml" <<'MAIL'
From: Ana Souza <ana.souza@example.com.br>
To: support@lumen.example
Subject: =?UTF-8?Q?Pedido_n=C3=A3o_chegou?=
Message-ID: <stress-1@example.com.br>
Date: Mon, 2 Nov 2026 08:00:00 -0300
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

Meu pedido LB-1 não chegou.
MAIL
id=$(mroute <"$TMP/m.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
ok $? "a ticket to write to ($id)"
ev=$D/tickets/$(printf %.2s "$id")/$id/events.jsonl
base=$(git -C "$D" rev-list --count HEAD)

# --- P writers x N notes each, all at once
agents="ana bob chen dmitri farah"
i=0
while [ $i -lt $P ]; do
	(
		a=$(echo $agents | cut -d' ' -f$((i % 5 + 1)))
		j=0
		while [ $j -lt $N ]; do
			MDESK_LOCK_TIMEOUT=120 mdesk --as "$a" note "$id" "w$i-n$j" ||
				echo "w$i-n$j failed" >>"$TMP/fail"
			j=$((j + 1))
		done
	) &
	i=$((i + 1))
done
wait
is "$P x $N concurrent notes: every writer succeeded" "$(cat "$TMP/fail" 2>/dev/null)" ""
total=$((P * N))
is "all $total notes present" "$(grep -c '"type":"note"' "$ev")" "$total"
is "no note twice" "$(grep -o '"text":"w[0-9]*-n[0-9]*"' "$ev" | sort | uniq -d | head -3)" ""
is "one commit per note" "$(git -C "$D" rev-list --count HEAD)" "$((base + total))"
check "git fsck is clean" "git -C '$D' fsck --strict --no-progress"
is "git status is clean" "$(git -C "$D" status --porcelain)" ""
check "mdesk check passes" "mdesk check"

# --- K writers killed at random moments
: >"$TMP/done"
k=0
while [ $k -lt $K ]; do
	mdesk --as ana note "$id" "kill-$k" >/dev/null 2>&1 &
	pid=$!
	# a pseudo-random delay of 0-99 ms: about half the writers finish
	ms=$(( (k * 7919 + 13) % 100 ))
	sleep "0.$(printf %03d $ms)"
	kill -9 $pid 2>/dev/null
	if wait $pid 2>/dev/null; then echo "kill-$k" >>"$TMP/done"; fi
	k=$((k + 1))
done
mdesk --as bob note "$id" "after the crashes" 2>"$TMP/err"
ok $? "the next writer proceeds after $K killed writers"
is "... and says nothing" "$(cat "$TMP/err")" ""
missing=
while read -r t; do
	grep -q "\"text\":\"$t\"" "$ev" || missing="$missing $t"
done <"$TMP/done"
is "every write that exited 0 is present ($(wc -l <"$TMP/done") of $K)" "$missing" ""
is "no write twice" "$(grep -o '"text":"kill-[0-9]*"' "$ev" | sort | uniq -d | head -3)" ""
check "git fsck is clean after the crashes" "git -C '$D' fsck --strict --no-progress"
is "git status is clean after the crashes" "$(git -C "$D" status --porcelain)" ""
check "mdesk check passes after the crashes" "mdesk check"
check "no journal left" "test ! -e '$D/.git/mdesk/pending'"
is "HEAD's events file equals the working tree's" \
	"$(git -C "$D" show "HEAD:tickets/$(printf %.2s "$id")/$id/events.jsonl" | md5sum)" "$(md5sum <"$ev")"

# --- a lock held by a stopped process: bounded wait, then 75
( flock -x 9; sleep 5 ) 9>"$D/.git/mdesk/lock" &
sleep 0.3
start=$(date +%s)
MDESK_LOCK_TIMEOUT=1 mdesk --as ana note "$id" "blocked" 2>"$TMP/err"
rc=$?
is "a held lock: exit 75" "$rc" 75
limit=3; [ -n "${MDESK_VALGRIND:-}" ] && limit=10	# valgrind starts slowly
check "... within the bounded wait" "test $(( $(date +%s) - start )) -le $limit"
check "... with a message that says so" "grep -q 'locked by another writer' '$TMP/err'"
check "... and the note is not there" "! grep -q '\"text\":\"blocked\"' '$ev'"
wait
done_testing
