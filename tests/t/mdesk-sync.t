#!/bin/sh
# mdesk sync and mdesk clone: three replicas and a bare remote.  Deliveries,
# replies, notes, claims and status changes on all three, synced in a random
# (seeded) order; afterwards every replica holds the same tickets, no event
# is lost or repeated.  Then: a conflict on agents.csv, two claims that
# collide, two replies that take the same message file name, an unreachable
# remote and a full disk.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"

R="$TMP/remote.git"
rep() { printf '%s/r%s' "$TMP" "$1"; }
git init -q --bare "$R"
newdesk "$(rep 1)"
git -C "$(rep 1)" remote add origin "$R"
mdesk --desk "$(rep 1)" sync >"$TMP/out" 2>"$TMP/err"
is "the first sync pushes the desk to an empty remote" "$?:$(cat "$TMP/out")" "0:origin: pushed"
is "... the remote's main is the desk's" "$(git -C "$R" rev-parse main)" "$(git -C "$(rep 1)" rev-parse main)"
for k in 2 3; do
	mdesk clone "$R" "$(rep $k)" >"$TMP/out" 2>"$TMP/err"
	is "mdesk clone makes replica $k" "$?:$(git -C "$(rep $k)" status --porcelain):$(git -C "$(rep $k)" rev-parse main)" \
		"0::$(git -C "$R" rev-parse main)"
done
check "... a desk that opens (mdesk check)" "mdesk --desk '$(rep 2)' check"
mdesk clone "$R" "$(rep 2)" >/dev/null 2>"$TMP/err"
is "mdesk clone into a desk that exists: exit 73" "$?" 73
mdesk sync --auto --desk "$(rep 2)" >"$TMP/out" 2>&1
mdesk --desk "$(rep 2)" sync --auto >"$TMP/out" 2>&1
is "mdesk sync --auto with nothing to do: exit 0, silent" "$?:$(cat "$TMP/out")" "0:"
mdesk --desk "$(rep 2)" sync >"$TMP/out" 2>&1
is "mdesk sync with nothing to do says so" "$?:$(cat "$TMP/out")" "0:origin: up to date"

# ------------------------------------------------------------ convergence
seed=${MDESK_SYNC_SEED:-20261123}
N=100
if [ -n "${MDESK_VALGRIND:-}" ]; then N=15
elif [ -n "${MDESK_SANITIZED:-}" ]; then N=25; fi
N=${MDESK_SYNC_N:-$N}
rnd() { seed=$(( (seed * 1103515245 + 12345) % 2147483648 )); RN=$(( (seed / 65536) % $1 )); }
base=$(date -u -d 2026-11-02T09:00:00Z +%s)
agents="ana bob dmitri farah"
pick_agent() { rnd 4; set -- $agents; shift $RN; AG=$1; }
pick_ticket() {	# pick_ticket DESK: TK, or empty
	mdesk --desk "$1" ls --all --format json | jq -r .id >"$TMP/ids"
	n=$(wc -l <"$TMP/ids")
	TK=
	[ "$n" -gt 0 ] || return 1
	rnd "$n"
	TK=$(sed -n "$((RN + 1))p" "$TMP/ids")
}
mail() {	# mail N [IN-REPLY-TO]
	printf 'From: Customer %s <c%s@example.com>\nTo: support@lumen.example\n' "$1" "$(( $1 % 7 ))"
	printf 'Subject: question number %s\nMessage-ID: <m%s@example.com>\n' "$1" "$1"
	[ -n "${2:-}" ] && printf 'In-Reply-To: <%s>\n' "$2"
	printf 'Date: Mon, 2 Nov 2026 09:00:00 +0000\n\nPlease help with case %s.\n' "$1"
}
: >"$TMP/made"
record() {	# record DESK OLDHEAD: the ids of the events the last command added
	git -C "$1" diff "$2" HEAD -- tickets | sed -n 's/^+{/{/p' | jq -r .id >>"$TMP/made"
}
deliveries=0 dups=0 followups=0 replies=0 notes=0 claims=0 statuses=0 syncs=0 refused=0 bad=0
for i in $(seq 1 $N); do
	now=$(date -u -d "@$((base + i * 60))" +%Y-%m-%dT%H:%M:%SZ)
	rnd 3; r=$((RN + 1)); D=$(rep $r)
	h=$(git -C "$D" rev-parse HEAD)
	rnd 12; op=$RN
	rc=0
	case $op in
	0|1|2)
		mail "$i" >"$TMP/m.eml"
		MDESK_DIR=$D mroute --now "$now" <"$TMP/m.eml" >/dev/null 2>>"$TMP/errs" || rc=$?
		deliveries=$((deliveries + 1))
		rnd 3
		if [ "$RN" -eq 0 ]; then	# the same message to a second mail host
			rnd 2; r2=$(( (r + RN) % 3 + 1 )); D2=$(rep $r2)
			h2=$(git -C "$D2" rev-parse HEAD)
			MDESK_DIR=$D2 mroute --now "$now" <"$TMP/m.eml" >/dev/null 2>>"$TMP/errs" || rc=$?
			record "$D2" "$h2"
			dups=$((dups + 1))
		fi ;;
	3)
		if pick_ticket "$D"; then
			mid=$(mdesk --desk "$D" show --json "$TK" | jq -r '[.events[] | select(.type == "received")][0].message_id')
			mail "$i" "$mid" >"$TMP/m.eml"
			MDESK_DIR=$D mroute --now "$now" <"$TMP/m.eml" >/dev/null 2>>"$TMP/errs" || rc=$?
			followups=$((followups + 1))
		fi ;;
	4|5)
		if pick_ticket "$D"; then
			pick_agent
			MDESK_DIR=$D mreply --record --as "$AG" --now "$now" --ticket "$TK" -t answer >/dev/null 2>>"$TMP/errs"
			case $? in 0) replies=$((replies + 1)) ;; 1) refused=$((refused + 1)) ;; *) rc=1 ;; esac
		fi ;;
	6)
		if pick_ticket "$D"; then
			pick_agent
			mdesk --desk "$D" --as "$AG" --now "$now" note "$TK" "note $i by $AG" 2>>"$TMP/errs" || rc=$?
			notes=$((notes + 1))
		fi ;;
	7)
		if pick_ticket "$D"; then
			pick_agent
			mdesk --desk "$D" --as "$AG" --now "$now" claim "$TK" 2>>"$TMP/errs"
			case $? in 0) claims=$((claims + 1)) ;; 1) refused=$((refused + 1)) ;; *) rc=1 ;; esac
		fi ;;
	8)
		if pick_ticket "$D"; then
			pick_agent; rnd 3; set -- open pending solved; shift $RN
			mdesk --desk "$D" --as "$AG" --now "$now" status "$TK" "$1" 2>>"$TMP/errs"
			case $? in 0) statuses=$((statuses + 1)) ;; 1) refused=$((refused + 1)) ;; *) rc=1 ;; esac
		fi ;;
	*)
		MDESK_NOW=$now mdesk --desk "$D" sync --auto >/dev/null 2>>"$TMP/errs" || rc=$?
		syncs=$((syncs + 1)) ;;
	esac
	[ "$op" -le 8 ] && record "$D" "$h"
	[ "$rc" -eq 0 ] || { bad=$((bad + 1)); echo "# op $i ($op) on r$r: exit $rc"; }
done
for round in 1 2; do
	for r in 1 2 3; do
		mdesk --desk "$(rep $r)" sync --auto >/dev/null 2>>"$TMP/errs" || bad=$((bad + 1))
		syncs=$((syncs + 1))
	done
done
ops=$((deliveries + dups + followups + replies + notes + claims + statuses))
echo "# replicas 3, operations $ops (deliveries $deliveries, the same message to two replicas $dups," \
	"follow-ups $followups, replies $replies, notes $notes, claims $claims, status changes $statuses;" \
	"refused over another's claim or answer $refused), syncs $syncs, seed ${MDESK_SYNC_SEED:-20261123}"
is "every operation and sync succeeded" "$bad" 0
sed 's/^/#   /' "$TMP/errs" | grep -v 'claimed by\|answered by' | head -5
is "all replicas and the remote at one commit" \
	"$(for r in 1 2 3; do git -C "$(rep $r)" rev-parse main; done | sort -u | wc -l):$(git -C "$(rep 1)" rev-parse main)" \
	"1:$(git -C "$R" rev-parse main)"
for r in 1 2 3; do
	D=$(rep $r)
	mdesk --desk "$D" ls --all --format json >"$TMP/ls$r"
	for t in $(jq -r .id "$TMP/ls$r"); do mdesk --desk "$D" show --json "$t"; done >"$TMP/show$r"
	check "replica $r: git fsck clean, git status clean" \
		"git -C '$D' fsck --no-progress && test -z \"\$(git -C '$D' status --porcelain)\""
done
check "git fsck of the remote is clean" "git -C '$R' fsck --no-progress"
is "mdesk ls --all: the same on the three replicas" "$(md5sum <"$TMP/ls2"):$(md5sum <"$TMP/ls3")" \
	"$(md5sum <"$TMP/ls1"):$(md5sum <"$TMP/ls1")"
is "every ticket's folded state and events: the same on the three" \
	"$(md5sum <"$TMP/show2"):$(md5sum <"$TMP/show3")" "$(md5sum <"$TMP/show1"):$(md5sum <"$TMP/show1")"
echo "# $(wc -l <"$TMP/ls1") tickets"
cat "$(rep 1)"/tickets/*/*/events.jsonl | jq -r .id | sort >"$TMP/final"
is "no event repeated in any events file" "$(uniq -d "$TMP/final" | wc -l)" 0
sort -u "$TMP/made" >"$TMP/made.u"
is "no event lost: the events made on the replicas are the events after sync" \
	"$(comm -3 "$TMP/made.u" "$TMP/final" | wc -l):$(wc -l <"$TMP/final")" "0:$(wc -l <"$TMP/made.u")"
is "one received event per message" \
	"$(cat "$(rep 1)"/tickets/*/*/events.jsonl | jq -r 'select(.type == "received") | .message_id' | sort | uniq -d | wc -l)" 0
is "every message the events name is there" \
	"$(cd "$(rep 1)" && for d in tickets/*/*; do jq -r "select(.file) | \"$d/\" + .file" "$d/events.jsonl"; done | while read -r f; do test -f "$f" || echo "$f"; done | wc -l)" 0

# ------------------------------------------------------------ agents.csv
A=$(rep 1) B=$(rep 2)
w_in() { MDESK_DIR=$1; shift; w "$@"; }
MDESK_DIR=$A w "replica 1: bob's capacity 30" mdesk --desk "$A" --as ana agent set bob capacity=30
MDESK_DIR=$B w "replica 2: bob's capacity 40" mdesk --desk "$B" --as ana agent set bob capacity=40
mdesk --desk "$A" sync >/dev/null 2>&1
line=$(grep -n '^bob,' "$B/agents.csv" | cut -d: -f1)
cp "$B/agents.csv" "$TMP/agents.before"
export MDESK_DIR=$B
refused "a conflict on agents.csv: exit 1, nothing changed" 1 "^mdesk: agents.csv:$line: conflict" \
	mdesk sync
cmp -s "$B/agents.csv" "$TMP/agents.before"; ok $? "... agents.csv as it was"
is "... one line for the conflict and one for what to do" "$(wc -l <"$TMP/err")" 2
git -C "$B" reset -q --hard origin/main
unset MDESK_DIR
w_in "$A" "replica 1: ana's capacity 21" mdesk --desk "$A" --as ana agent set ana capacity=21
w_in "$B" "replica 2: dmitri's capacity 16" mdesk --desk "$B" --as ana agent set dmitri capacity=16
mdesk --desk "$A" sync >/dev/null 2>&1 && mdesk --desk "$B" sync >/dev/null 2>&1 && mdesk --desk "$A" sync >/dev/null 2>&1
is "changes on other lines merge: both on both replicas" \
	"$(grep -c '^ana,.*,21,\|^dmitri,.*,16,' "$A/agents.csv"):$(cmp -s "$A/agents.csv" "$B/agents.csv" && echo same)" "2:same"

w_in "$A" "replica 1: bob's capacity 22" mdesk --desk "$A" --as ana agent set bob capacity=22
mdesk --desk "$A" sync >/dev/null 2>&1
sed -i 's/^farah,\(.*\),10,active/farah,\1,11,active/' "$B/agents.csv"
cp "$B/agents.csv" "$TMP/agents.before"
h=$(git -C "$B" rev-parse HEAD)
mdesk --desk "$B" sync >/dev/null 2>"$TMP/err"
is "a hand edit not yet committed in a file the sync changes: exit 1, HEAD kept" \
	"$?:$(grep -c '^mdesk: agents.csv:1: changes not committed' "$TMP/err"):$(git -C "$B" rev-parse HEAD)" "1:1:$h"
cmp -s "$B/agents.csv" "$TMP/agents.before"; ok $? "... the edit is kept"
git -C "$B" commit -qam "farah's capacity"
mdesk --desk "$B" sync >/dev/null 2>&1
is "... committed, it merges" "$?:$(grep -c '^bob,.*,22,\|^farah,.*,11,' "$B/agents.csv")" "0:2"

# ------------------------------------------------------------ collisions
C=$(rep 3)
for r in 1 2 3; do mdesk --desk "$(rep $r)" sync --auto >/dev/null 2>&1; done
mail 9001 >"$TMP/m.eml"
T=$(MDESK_DIR=$A mroute --now 2026-11-03T08:00:00Z <"$TMP/m.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
mdesk --desk "$A" sync >/dev/null && mdesk --desk "$B" sync >/dev/null
w_in "$A" "ana claims $T on replica 1" mdesk --desk "$A" --as ana --now 2026-11-03T08:05:00Z claim "$T"
w_in "$B" "bob claims $T on replica 2, not knowing" mdesk --desk "$B" --as bob --now 2026-11-03T08:06:00Z claim "$T"
w_in "$A" "ana answers $T on replica 1" sh -c 'mreply --record --desk "$1" --as ana --now 2026-11-03T08:10:00Z --ticket "$2" -t answer >/dev/null' sh "$A" "$T"
w_in "$B" "bob answers $T on replica 2" sh -c 'mreply --record --desk "$1" --as bob --now 2026-11-03T08:11:00Z --ticket "$2" -t answer >/dev/null' sh "$B" "$T"
mdesk --desk "$B" sync >/dev/null && mdesk --desk "$A" sync >/dev/null && mdesk --desk "$B" sync >/dev/null
for r in 1 2; do
	is "replica $r: ana's earlier claim stands" "$(mdesk --desk "$(rep $r)" show --json "$T" | jq -r .claimed_by)" ana
done
is "mdesk show: both claims and both answers" \
	"$(mdesk --desk "$A" show "$T" | grep '^Collision:' | sort)" \
"Collision: claim claimed by bob at 2026-11-03T08:06:00Z, after ana's (another replica); ana's stands
Collision: claim claimed by bob at 2026-11-03T08:11:00Z, after ana's (another replica); ana's stands
Collision: reply answered by bob at 2026-11-03T08:11:00Z, after ana's (another replica); ana's stands"
mdesk --desk "$A" ls --all --collisions --format json >"$TMP/col"
is "mdesk ls --collisions lists it, and only tickets with collisions" \
	"$(grep -c "\"id\":\"$T\"" "$TMP/col"):$(jq -c 'select(.collisions | length == 0)' "$TMP/col" | wc -l)" "1:0"
is "... the tickets of mdesk ls --all that have collisions" "$(wc -l <"$TMP/col")" \
	"$(mdesk --desk "$A" ls --all --format json | jq -c 'select(.collisions)' | wc -l)"
is "... with the collisions in its JSON" \
	"$(grep "\"id\":\"$T\"" "$TMP/col" | jq -c '[.collisions[] | [.type, .winner, .loser]] | sort')" \
	'[["claim","ana","bob"],["claim","ana","bob"],["reply","ana","bob"]]'
is "msla shows both agents" \
	"$(msla --desk "$A" --all --format json --now 2026-11-03T12:00:00Z | jq -r "select(.ticket == \"$T\") | .collision" | sort -u)" "ana, bob"
msla --desk "$A" --all --now 2026-11-03T12:00:00Z >"$TMP/out"
is "... in its table too" "$(grep "^$T" "$TMP/out" | grep -c '\[collision: ana, bob\]')" "$(grep -c "^$T" "$TMP/out")"
mdesk --desk "$A" --as ana note "$T" "mine" 2>"$TMP/err"
is "the winner is not warned" "$(cat "$TMP/err")" ""
mdesk --desk "$B" --as bob note "$T" "sorry" 2>"$TMP/err"
is "the loser is told on the next command for the ticket" \
	"$(grep -c "^mdesk: $T: your claim of 2026-11-03T08:06:00Z collided with ana's earlier claim" "$TMP/err"):$(grep -c "^mdesk: $T: your reply of" "$TMP/err")" "1:1"
mdesk --desk "$B" --as bob note "$T" "again" 2>"$TMP/err"
is "... once" "$(cat "$TMP/err")" ""
n=$(ls "$A/tickets/$(printf %.2s "$T")/$T" | grep -c '\.eml$')
mdesk --desk "$B" sync >/dev/null; mdesk --desk "$A" sync >/dev/null
is "two answers that took the same file name: both kept (3 messages)" \
	"$(ls "$A/tickets/$(printf %.2s "$T")/$T" | grep -c '\.eml$')" 3
is "... each replied event names its own message" \
	"$(cd "$A/tickets/$(printf %.2s "$T")/$T" && jq -r 'select(.type == "replied") | .file + " " + .message_id' events.jsonl |
	while read -r f m; do grep -qi "^Message-ID: <$m>" "$f" && echo ok; done | sort | uniq -c | tr -s ' ')" " 2 ok"
mail 9002 >"$TMP/m.eml"
T2=$(MDESK_DIR=$A mroute --now 2026-11-03T09:00:00Z <"$TMP/m.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
mdesk --desk "$A" sync >/dev/null && mdesk --desk "$B" sync >/dev/null
mdesk --desk "$A" --as ana --now 2026-11-03T09:05:00Z claim "$T2" 2>/dev/null
mdesk --desk "$B" --as bob --now 2026-11-03T09:06:00Z claim --force "$T2" 2>/dev/null
mdesk --desk "$B" sync >/dev/null && mdesk --desk "$A" sync >/dev/null
is "a claim taken over with --force is no collision" \
	"$(mdesk --desk "$A" show --json "$T2" | jq -r '.claimed_by + " " + (.collisions | length | tostring)')" "bob 0"

# a status change on one replica while another agent's claim, made on the
# other, held: a collision, and the claim stands
mail 9003 >"$TMP/m.eml"
T3=$(MDESK_DIR=$A mroute --now 2026-11-03T09:30:00Z <"$TMP/m.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
mail 9004 >"$TMP/m.eml"
T4=$(MDESK_DIR=$A mroute --now 2026-11-03T09:30:00Z <"$TMP/m.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
mdesk --desk "$A" sync >/dev/null && mdesk --desk "$B" sync >/dev/null
st3=$(mdesk --desk "$A" show --json "$T3" | jq -r .status)
for t in "$T3" "$T4"; do
	w_in "$A" "ana claims $t on replica 1" mdesk --desk "$A" --as ana --now 2026-11-03T09:35:00Z claim "$t"
done
w_in "$B" "bob sets $T3 solved on replica 2, not knowing of the claim" \
	mdesk --desk "$B" --as bob --now 2026-11-03T09:36:00Z status "$T3" solved
w_in "$B" "... and $T4, with --force" mdesk --desk "$B" --as bob --now 2026-11-03T09:36:00Z status --force "$T4" solved
mdesk --desk "$B" sync >/dev/null && mdesk --desk "$A" sync >/dev/null && mdesk --desk "$B" sync >/dev/null
for r in 1 2; do
	is "replica $r: ana's claim stands, bob's status does not count, a collision" \
		"$(mdesk --desk "$(rep $r)" show --json "$T3" | jq -c '[.claimed_by, .status, [.collisions[] | [.type, .winner, .loser, .at]]]')" \
		"[\"ana\",\"$st3\",[[\"status\",\"ana\",\"bob\",\"2026-11-03T09:36:00Z\"]]]"
	is "replica $r: the status set with --force counts, no collision" \
		"$(mdesk --desk "$(rep $r)" show --json "$T4" | jq -c '[.status, (.collisions | length)]')" '["solved",0]'
done
is "mdesk show names it" "$(mdesk --desk "$A" show "$T3" | grep '^Collision:')" \
	"Collision: status set by bob at 2026-11-03T09:36:00Z, after ana's claim (another replica); ana's stands"
is "mdesk ls --collisions lists it" "$(mdesk --desk "$A" ls --all --collisions --format json | jq -r .id | grep -c "^$T3\$")" 1
mdesk --desk "$B" --as bob show "$T3" >/dev/null 2>"$TMP/err"
is "bob is told" "$(cat "$TMP/err")" \
	"mdesk: $T3: your status change of 2026-11-03T09:36:00Z came during ana's claim on another replica and does not count; ana has the ticket (see mdesk show $T3; status --force sets it over the claim)"
mdesk --desk "$B" --as bob --now 2026-11-03T10:06:00Z status "$T3" pending
mdesk --desk "$B" sync >/dev/null && mdesk --desk "$A" sync >/dev/null
is "a status change after the claim ended is no collision" \
	"$(mdesk --desk "$A" show --json "$T3" | jq -c '[.status, (.collisions | length)]')" '["pending",1]'

# ------------------------------------------------------------ archive
mdesk --desk "$A" --as ana --now 2026-11-03T10:00:00Z status "$T2" closed
mdesk --desk "$A" sync >/dev/null && mdesk --desk "$B" sync >/dev/null
mdesk --desk "$A" --now 2026-11-03T10:01:00Z archive --older-than 0s >/dev/null
mdesk --desk "$B" --as bob --now 2026-11-03T10:02:00Z note "$T2" "one more thing" 2>/dev/null
mdesk --desk "$A" sync >/dev/null && mdesk --desk "$B" sync >/dev/null && mdesk --desk "$A" sync >/dev/null
is "archive synced: the archive branch is the same on both" \
	"$(git -C "$A" rev-parse archive)" "$(git -C "$B" rev-parse archive)"
is "a ticket archived on one replica and noted on another is back, with the note" \
	"$(mdesk --desk "$A" show --json "$T2" | jq -r '.archived, .status, ([.events[] | select(.type == "note")] | length)' | tr '\n' ' ')" \
	"false closed 1 "
mdesk clone "$R" "$TMP/r4" >/dev/null 2>&1
is "a new clone has the archive branch" "$(git -C "$TMP/r4" rev-parse archive)" "$(git -C "$A" rev-parse archive)"

# ------------------------------------------------------------ unreachable, full disk
export MDESK_DIR=$A
mdesk --as ana note "$T" "local work" 2>/dev/null
refused "an unreachable remote: exit 75, nothing changed" 75 "^mdesk: $TMP/nowhere.git: cannot fetch: " \
	mdesk sync "$TMP/nowhere.git"
git -C "$A" remote add gone "file://$TMP/nowhere.git"
refused "an unreachable named remote: exit 75" 75 "^mdesk: gone: cannot fetch" mdesk sync gone
refused "no such remote: exit 78" 78 "^mdesk: no remote 'upstream'" mdesk sync upstream
mdesk --desk "$B" --as bob note "$T" "remote work" 2>/dev/null && mdesk --desk "$B" sync >/dev/null
if [ -n "${MDESK_VALGRIND:-}" ]; then	# valgrind itself dies of the file-size limit
	skip "a sync and a merge on a full disk" "under valgrind"
else
	h=$(git -C "$A" rev-parse HEAD) s=$(git -C "$A" status --porcelain) f=$(cat "$A"/tickets/*/"$T"/events.jsonl | md5sum)
	err=$(sh -c 'ulimit -f 0; exec mdesk sync' 2>&1 >/dev/null); rc=$?
	check "a sync on a full disk: exit 75 or 73 (got $rc: $err)" "test $rc -eq 75 -o $rc -eq 73"
	is "... one line on stderr" "$(echo "$err" | wc -l)" 1
	is "... the desk unchanged" "$(git -C "$A" rev-parse HEAD):$(git -C "$A" status --porcelain):$(cat "$A"/tickets/*/"$T"/events.jsonl | md5sum)" "$h:$s:$f"
	# the remote's commits fetched already: the merge itself meets the full disk
	git -C "$A" fetch -q origin
	h=$(git -C "$A" rev-parse HEAD)
	err=$(sh -c 'ulimit -f 0; exec mdesk sync' 2>&1 >/dev/null); rc=$?
	check "a merge on a full disk: exit 75 or 73 (got $rc: $err)" "test $rc -eq 75 -o $rc -eq 73"
	is "... the desk unchanged" "$(git -C "$A" rev-parse HEAD):$(git -C "$A" status --porcelain):$(cat "$A"/tickets/*/"$T"/events.jsonl | md5sum)" "$h:$s:$f"
fi
mdesk sync >/dev/null 2>&1
is "with room again, the sync goes through" "$?:$(git -C "$A" rev-parse main)" "0:$(git -C "$R" rev-parse main)"
check "git fsck clean" "git -C '$A' fsck --no-progress"

# ------------------------------------------------------------ a hostile remote
git clone -q -b main "$R" "$TMP/evil"
b=$(echo 'echo owned' | git -C "$TMP/evil" hash-object -w --stdin)
sub=$(printf '100755 blob %s\tpost-checkout\n' "$b" | git -C "$TMP/evil" mktree)
t=$( (git -C "$TMP/evil" ls-tree HEAD; printf '040000 tree %s\t.GIT\n' "$sub") | git -C "$TMP/evil" mktree)
c=$(git -C "$TMP/evil" commit-tree "$t" -p HEAD -m evil)
git -C "$TMP/evil" push -q origin "$c:refs/heads/main" 2>/dev/null
refused "a remote commit with a path under .git: exit 65, nothing changed" 65 "^mdesk: .GIT/post-checkout: " \
	mdesk sync
check "... nothing written there" "test ! -e '$A/.GIT' && test ! -e '$A/.git/post-checkout'"
done_testing
