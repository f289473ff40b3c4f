#!/bin/sh
# valgrind: no
# mreply records only what left: a preview (no --send) records nothing;
# --record records what it wrote; --send records once the mailer accepted
# the message.  A failing mailer: nothing recorded.  A send killed after
# the mailer accepted: the next writer records it, once, and a retry does
# not send it again.  A slow mailer holds no lock: a delivery meanwhile
# (with a short MDESK_LOCK_TIMEOUT) goes through.  A desk busy when the
# mail has left: the reply waits in the outbox for the next writer.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D" MDESK_MSGID_SEED=send
# the capture mailer: every message it accepts goes to $TMP/sent.N;
# MAILER_FAIL makes it refuse, MAILER_SLEEP makes it slow, MAILER_KILL
# kills its sender (mreply) with kill -9 once it has accepted
cat >"$TMP/sendmail" <<EOF
#!/bin/sh
[ -n "\${MAILER_SLEEP:-}" ] && sleep "\$MAILER_SLEEP"
[ -n "\${MAILER_FAIL:-}" ] && { cat >/dev/null; echo "mailer: no" >&2; exit 75; }
n=\$(ls "$TMP" | grep -c '^sent\\.')
cat >"$TMP/sent.\$n"
[ -n "\${MAILER_KILL:-}" ] && kill -9 \$PPID
exit 0
EOF
chmod +x "$TMP/sendmail"
sed -i "s|^mailer = .*|mailer = sendmail://$TMP/sendmail|" "$D/desk.conf"
git -C "$D" commit -qam "mail through the capture script"
nsent() { ls "$TMP" | grep -c '^sent\.'; }
tdir() { printf '%s/tickets/%.2s/%s' "$D" "$1" "$1"; }
nreplies() { grep -c '"type":"replied"' "$(tdir "$1")/events.jsonl"; }
outbox() { ls "$D/.git/mdesk/outbox" 2>/dev/null | wc -l | tr -d ' '; }
msg() {	# msg N: a customer message
	printf 'From: Customer %d <c%d@example.com>\nTo: support@lumen.example\nSubject: Question %d\nMessage-ID: <q%d@example.com>\nDate: Mon, 2 Nov 2026 08:00:00 +0000\n\nQuestion %d.\n' \
		"$1" "$1" "$1" "$1" "$1" >"$TMP/m$1.eml"
	mroute --now 2026-11-02T09:00:00Z <"$TMP/m$1.eml" | sed -n 's/^X-Mdesk-Ticket: //p'
}
NOW=--now=2026-11-02T10:00:00Z

# ---------------------------------------------------------------- a preview
T1=$(msg 1)
h=$(head_id)
mreply --as ana $NOW -t answer <"$TMP/m1.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "no --send: a preview, exit 0, the message on stdout" "$rc $(grep -c '^Message-ID:' "$TMP/out")" "0 1"
is "  ... nothing recorded, nothing sent" "$(head_id) $(nreplies "$T1") $(nsent)" "$h 0 0"
mreply --ack $NOW --ticket "$T1" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--ack without --send: a preview too" "$rc $(grep -c '^Auto-Submitted: auto-replied' "$TMP/out") $(head_id)" "0 1 $h"
mreply --as ana $NOW --send --record -t answer <"$TMP/m1.eml" >/dev/null 2>"$TMP/err"; rc=$?
is "--send with --record: exit 64" "$rc" 64

# ---------------------------------------------------------------- --record
w "--record: written and recorded" sh -c 'mreply --record --as ana "$1" -t answer <"$2" >"$3"' sh "$NOW" "$TMP/m1.eml" "$TMP/r1.eml"
check "  ... the message written is the one stored" "cmp '$TMP/r1.eml' '$(tdir "$T1")/0002.eml'"
is "  ... one reply, nothing sent, the outbox empty" "$(nreplies "$T1") $(nsent) $(outbox)" "1 0 0"
# the pipeline recipe of mreply(1): a sender's failure is seen
T2=$(msg 2)
out=$(bash -c 'set -o pipefail; mreply --record --as ana "$1" --ticket "$2" -t answer | false' sh "$NOW" "$T2" 2>&1); rc=$?
is "mreply --record | a failing sender, under pipefail: exit 1" "$rc" 1
is "  ... the outbox is empty (a reader gone: nothing kept)" "$(outbox)" 0

# ---------------------------------------------------------------- --send
T3=$(msg 3)
refused "--send, the mailer refuses: exit 75, nothing recorded" 75 "^mreply: $T3: not sent, nothing recorded: mailer sendmail://" \
	env MAILER_FAIL=1 mreply --as ana $NOW --send -t answer --ticket "$T3"
is "  ... no reply, nothing sent, the outbox empty" "$(nreplies "$T3") $(nsent) $(outbox)" "0 0 0"
w "--send, the mailer accepts: recorded" mreply --as ana $NOW --send -t answer --ticket "$T3"
is "  ... one reply, one mail, nothing on stdout" "$(nreplies "$T3") $(nsent) $(wc -c <"$TMP/out" | tr -d ' ')" "1 1 0"
check "  ... the message sent is the one stored" "cmp '$TMP/sent.0' '$(tdir "$T3")/0002.eml'"
is "  ... the outbox is empty" "$(outbox)" 0

# ---------------------------------------------------------------- killed after the mailer accepted
T4=$(msg 4)
h=$(head_id)
MAILER_KILL=1 mreply --as ana $NOW --send -t answer --ticket "$T4" >/dev/null 2>"$TMP/err"; rc=$?
is "mreply killed once the mailer accepted: killed (137), one mail" "$rc $(nsent)" "137 2"
is "  ... not recorded yet, the reply in the outbox" "$(head_id) $(nreplies "$T4") $(outbox)" "$h 0 1"
check "the next writer (mdesk note) records it" "mdesk --as bob $NOW note '$T1' 'a note'"
is "  ... the reply is recorded, once" "$(nreplies "$T4") $(outbox)" "1 0"
check "  ... the message is the one the mailer got" "cmp '$TMP/sent.1' '$(tdir "$T4")/0002.eml'"
check "  ... marked unconfirmed" "grep '\"type\":\"replied\"' '$(tdir "$T4")/events.jsonl' | grep -q '\"unconfirmed\":true'"
check "  ... by ana, in a commit of its own" "git -C '$D' log --format=%an:%s -2 | grep -q '^Ana Ribeiro:$T4: replied by ana'"
refused "a retry of the same answer: exit 1, not sent again" 1 "^mreply: $T4: this answer went to c4@example.com at .* already" \
	mreply --as ana $NOW --send -t answer --ticket "$T4"
is "  ... still one mail, one reply" "$(nsent) $(nreplies "$T4")" "2 1"
# the same with mroute as the next writer
T5=$(msg 5)
MAILER_KILL=1 mreply --as ana $NOW --send -t answer --ticket "$T5" >/dev/null 2>&1
T6=$(msg 6 2>"$TMP/err")
is "mroute, the next writer, records a killed send first" "$(nreplies "$T5") $(outbox) $(nsent)" "1 0 3"
check "  ... and says so" "grep -q '^mroute: $T5: a reply whose sender stopped while the mailer had it is recorded as sent, unconfirmed' '$TMP/err'"

# ---------------------------------------------------------------- an entry left after its record
# a writer stopped between the record's commit and the entry's removal
# leaves the entry: the next writer sees its events on the ticket, records
# nothing again and removes it
T9=$(msg 9)
MAILER_KILL=1 mreply --as ana $NOW --send -t answer --ticket "$T9" >/dev/null 2>&1
mkdir -p "$TMP/aside"
cp "$D/.git/mdesk/outbox/"* "$TMP/aside/"
check "the next writer records the killed send" "mdesk --as bob $NOW note '$T1' 'first' 2>/dev/null"
is "  ... once" "$(nreplies "$T9") $(outbox)" "1 0"
mkdir -p "$D/.git/mdesk/outbox"
cp "$TMP/aside/"* "$D/.git/mdesk/outbox/"
h=$(git -C "$D" rev-list --count HEAD)
check "the entry put back, the next writer" "mdesk --as bob $NOW note '$T1' 'second' 2>/dev/null"
is "  ... records nothing new (one commit, the note's), removes the entry" \
	"$(($(git -C "$D" rev-list --count HEAD) - h)) $(nreplies "$T9") $(ls "$(tdir "$T9")" | grep -c '\.eml$') $(outbox)" "1 1 2 0"

# ---------------------------------------------------------------- a slow mailer
T7=$(msg 7)
MAILER_SLEEP=6 mreply --as ana $NOW --send -t answer --ticket "$T7" >/dev/null 2>"$TMP/slow.err" &
sp=$!
sleep 1
printf 'From: x@example.com\nSubject: During\nMessage-ID: <during@example.com>\n\nhi\n' >"$TMP/during.eml"
t0=$(date +%s)
MDESK_LOCK_TIMEOUT=3 mroute --now 2026-11-02T10:00:01Z <"$TMP/during.eml" >/dev/null 2>"$TMP/err"; rc=$?
el=$(( $(date +%s) - t0 ))
is "a delivery while a slow mailer sends (MDESK_LOCK_TIMEOUT=3): exit 0" "$rc" 0
check "  ... at once ($el s)" "[ $el -lt 3 ]"
MDESK_LOCK_TIMEOUT=3 mdesk --as bob $NOW note "$T1" "during the send" 2>"$TMP/err"; rc=$?
is "  ... and a note: exit 0" "$rc" 0
wait $sp; rc=$?
is "the slow send ends: exit 0, recorded" "$rc $(nreplies "$T7") $(outbox)" "0 1 0"
check "git status is clean" "[ -z \"\$(git -C '$D' status --porcelain)\" ]"

# ---------------------------------------------------------------- the desk busy when the mail has left
T8=$(msg 8)
MAILER_SLEEP=2 MDESK_LOCK_TIMEOUT=1 mreply --as ana $NOW --send -t answer --ticket "$T8" >/dev/null 2>"$TMP/err" &
mp=$!
sleep 1
flock "$D/.git/mdesk/lock" sleep 4 &
lp=$!
wait $mp; rc=$?
is "sent while the desk is busy: exit 0" "$rc" 0
check "  ... it says the next writer records it" "grep -q '^mreply: $T8: sent; the desk is busy, its next writer records the reply' '$TMP/err'"
is "  ... not yet recorded, in the outbox" "$(nreplies "$T8") $(outbox)" "0 1"
wait $lp
check "the next writer records it" "mdesk --as bob $NOW note '$T1' after"
is "  ... recorded, not unconfirmed" "$(nreplies "$T8") $(grep -c unconfirmed "$(tdir "$T8")/events.jsonl")" "1 0"

check "mdesk check is happy" "mdesk check"
check "git fsck is clean" "git -C '$D' fsck --no-progress"
done_testing
