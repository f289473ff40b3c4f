#!/bin/sh
# soak: every writer against every other, for a bounded time.  Two
# replicas of a desk and a bare remote; three workers pick, at random,
# deliveries (one message or a batch, new mail or a follow-up), replies
# sent through a capture mailer (quick, slow or failing), notes, claims,
# status changes, archive, gc, gc --full and sync, on either replica, and
# kill -9 one command in five at a random moment.  A delivery that did
# not exit 0 is delivered again later to the same replica, as the mail
# host that took it would; a new message goes to both replicas at times
# (a sender that reached both mail hosts).  At the end: every message delivered is on the desk exactly
# once, every event id once, git fsck, git status and mdesk check clean,
# both replicas and the remote at the same commits, and every mail the
# capture mailer took is recorded exactly once.
#
# MDESK_SOAK_SECONDS (default 60) bounds the run, MDESK_SOAK_SEED picks
# the operations (printed; the interleaving itself is the machine's);
# `make soak` runs it for 10 minutes with a new seed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"

secs=${MDESK_SOAK_SECONDS:-60}
[ -n "${MDESK_VALGRIND:-}${MDESK_SANITIZED:-}" ] && secs=${MDESK_SOAK_SECONDS:-30}
seed=${MDESK_SOAK_SEED:-20261206}
workers=${MDESK_SOAK_WORKERS:-3}
echo "# soak: $secs s, $workers workers, seed $seed (MDESK_SOAK_SEED=$seed MDESK_SOAK_SECONDS=$secs to run it again)"

R="$TMP/remote.git" A="$TMP/a" B="$TMP/b"
mkdir -p "$TMP/got" "$TMP/msg" "$TMP/busy"
# the capture mailer: SOAK_MAIL=ok takes the message, slow takes it after
# a second, fail refuses it (exit 75); what it took is in $TMP/got
cat >"$TMP/mailer" <<EOF
#!/bin/sh
: >"$TMP/busy/\$\$"
t=\$(mktemp "$TMP/got/.in.XXXXXX")
cat >"\$t"
case \${SOAK_MAIL:-ok} in
slow) sleep 1 ;;
fail) rm -f "\$t" "$TMP/busy/\$\$"; exit 75 ;;
esac
mv "\$t" "$TMP/got/\${t##*.}.eml"
rm -f "$TMP/busy/\$\$"
exit 0
EOF
chmod +x "$TMP/mailer"
git init -q --bare "$R"
newdesk "$A"
sed -i "s|^mailer = .*|mailer = sendmail://$TMP/mailer|" "$A/desk.conf"
git -C "$A" commit -qam "mail through the capture mailer"
git -C "$A" remote add origin "$R"
mdesk --desk "$A" sync >/dev/null
mdesk clone "$R" "$B" >/dev/null
export MDESK_LOCK_TIMEOUT=60

worker() {	# worker W: operations until the end; counts in $TMP/count.W
	W=$1 s=$((seed + W * 7919)) n=0
	rnd() { s=$(( (s * 1103515245 + 12345) % 2147483648 )); RN=$(( (s / 65536) % $1 )); }
	pick_desk() { rnd 2; [ "$RN" -eq 0 ] && D=$A || D=$B; }
	pick_agent() { rnd 4; set -- ana bob dmitri farah; shift "$RN"; AG=$1; }
	pick_ticket() {	# TK from D's working tree, or 1 when none
		set -- "$D"/tickets/*/*
		[ -d "$1" ] || return 1
		rnd $#; shift "$RN"; TK=${1##*/}
	}
	message() {	# message FILE: a new message, or a follow-up of one delivered
		n=$((n + 1)) id="soak-$seed-$W-$n@customer.example" ref=
		if [ -s "$TMP/delivered.$W" ]; then
			rnd 3
			[ "$RN" -eq 0 ] && ref=$(tail -n 1 "$TMP/delivered.$W")
		fi
		{
			printf 'From c%s-%s@customer.example Sun Dec  6 09:00:00 2026\n' "$W" "$n"
			printf 'From: Customer %s <c%s-%s@customer.example>\nTo: support@lumen.example\n' "$n" "$W" "$((n % 13))"
			printf 'Subject: %s %s-%s\nMessage-ID: <%s>\n' "${ref:+Re: }question" "$W" "$n" "$id"
			[ -n "$ref" ] && printf 'In-Reply-To: <%s>\n' "$ref"
			printf 'Date: Sun, 6 Dec 2026 09:00:00 +0000\n\nPlease help with case %s.\n\n' "$n"
		} >>"$1"
		echo "$id" >>"$1.ids"
	}
	run() {	# run INPUT CMD...: CMD (killed one time in five), its exit in RC
		rnd 5
		if [ "$RN" -eq 0 ]; then
			"$@" <"$in" >/dev/null 2>>"$TMP/err.$W" &
			p=$!
			rnd 250
			sleep "$(printf '0.%03d' "$RN")"
			kill -9 "$p" 2>/dev/null && echo kill >>"$TMP/count.$W"
			wait "$p"; RC=$?
		else
			"$@" <"$in" >/dev/null 2>>"$TMP/err.$W"; RC=$?
		fi
		case $RC in
		0|75|137) ;;
		1) [ "$op" = claim ] || [ "$op" = status ] || [ "$op" = reply ] || bad "$@" ;;
		*) bad "$@" ;;
		esac
		echo "$op $RC" >>"$TMP/count.$W"
	}
	bad() { echo "exit $RC: $*" >>"$TMP/bad"; tail -n 3 "$TMP/err.$W" | sed 's/^/    /' >>"$TMP/bad"; }
	deliver() {	# deliver FILE: mroute; delivered or left for later
		run mroute --desk "$D"
		if [ "$RC" -eq 0 ]; then cat "$1.ids" >>"$TMP/delivered.$W"
		else echo "$1 $D" >>"$TMP/later.$W"; fi
	}
	end=$(( $(date +%s) + secs ))
	while [ "$(date +%s)" -lt "$end" ]; do
		pick_desk
		in=/dev/null
		rnd 16
		case $RN in
		0|1|2|3)
			op=deliver in="$TMP/msg/$W-$((n + 1))"
			message "$in"; deliver "$in"
			rnd 6
			if [ "$RN" -eq 0 ]; then	# to the other mail host too (a follow-up too)
				op=deliver-twice
				[ "$D" = "$A" ] && D=$B || D=$A
				deliver "$in"
			fi ;;
		4)
			op=batch in="$TMP/msg/$W-$((n + 1))"
			rnd 4
			for k in $(seq 0 "$((RN + 1))"); do message "$in"; done
			deliver "$in" ;;
		5|6)
			op=reply
			pick_ticket || continue
			pick_agent
			rnd 5
			case $RN in 0) m=slow ;; 1) m=fail ;; *) m=ok ;; esac
			SOAK_MAIL=$m run mreply --desk "$D" --as "$AG" --ticket "$TK" -t answer --send ;;
		7)
			op=note; pick_ticket || continue; pick_agent
			run mdesk --desk "$D" --as "$AG" note "$TK" "note by $AG from worker $W" ;;
		8)
			op=claim; pick_ticket || continue; pick_agent
			run mdesk --desk "$D" --as "$AG" claim "$TK" ;;
		9)
			op=status; pick_ticket || continue; pick_agent
			rnd 3; set -- open pending solved; shift "$RN"
			run mdesk --desk "$D" --as "$AG" status "$TK" "$1" ;;
		10) op=archive; run mdesk --desk "$D" archive --older-than 0s ;;
		11) op=gc; run mdesk --desk "$D" gc ;;
		12) op=gc-full; run mdesk --desk "$D" gc --full ;;
		*) op=sync; run mdesk --desk "$D" sync --auto ;;
		esac
	done
	touch "$TMP/delivered.$W" "$TMP/later.$W"
}
pids=
for w in $(seq 1 "$workers"); do
	worker "$w" 2>>"$TMP/shell.$w" &	# the shell's "Killed" lines
	pids="$pids $!"
done
wait $pids

# ------------------------------------------------------------ the end
# the mail that was not delivered goes again, until it is
left=0
cat "$TMP"/later.* 2>/dev/null >"$TMP/later"
while read -r f D; do
	for try in 1 2 3 4 5; do
		if mroute --desk "$D" <"$f" >/dev/null 2>>"$TMP/err.end"; then
			cat "$f.ids" >>"$TMP/delivered.end"
			break
		fi
		[ "$try" -eq 5 ] && left=$((left + 1))
	done
done <"$TMP/later"
is "every message delivered in the end (again after a failure or a kill)" "$left" 0
# the slow mailers finish; then each replica's next writer records what they took
for i in $(seq 1 30); do [ -z "$(ls "$TMP/busy")" ] && break; sleep 1; done
syncs_bad=0
for D in "$A" "$B"; do mdesk --desk "$D" gc >/dev/null 2>>"$TMP/err.end" || syncs_bad=$((syncs_bad + 1)); done
# as from cron: a sync that fails is run again a little later (a sync
# killed in its push leaves a path remote locked for ten seconds)
for D in "$A" "$B" "$A" "$B"; do
	for try in 1 2 3 4 5 6; do
		mdesk --desk "$D" sync --auto >/dev/null 2>>"$TMP/err.end" && break
		[ "$try" -eq 6 ] && syncs_bad=$((syncs_bad + 1))
		sleep 3
	done
done
is "the last upkeep and syncs succeed" "$syncs_bad" 0
sed 's/^/# /' "$TMP/err.end" | grep -v 'unconfirmed' | head -5

cat "$TMP"/count.* 2>/dev/null | grep -v '^kill' | sort | uniq -c |
	awk '{ c = $3 == 137 ? "killed" : "exit " $3; if ($2 != o) printf "%s# %s:", o ? "\n" : "", $2; o = $2; printf " %s %d", c, $1 } END { print "" }'
is "no command failed but as allowed (0, 75, killed; 1 for a refused claim, status or reply: another's claim)" "$(cat "$TMP/bad" 2>/dev/null | head -20)" ""

is "both replicas and the remote at one main and one archive" \
	"$(for D in "$A" "$B" "$R"; do git -C "$D" rev-parse main archive 2>/dev/null | tr '\n' ' '; echo; done | sort -u | wc -l)" 1
for D in "$A" "$B"; do
	r=${D##*/}
	check "$r: git fsck clean" "git -C '$D' fsck --no-progress --no-dangling"
	is "$r: git status clean" "$(git -C "$D" status --porcelain | head -5)" ""
	check "$r: mdesk check ok" "mdesk --desk '$D' check"
done

# what the desk holds, on both branches
refs=main
git -C "$A" rev-parse -q --verify archive >/dev/null && refs="main archive"
git -C "$A" grep -e '' $refs -- 'tickets/*/events.jsonl' >"$TMP/events.all"
git -C "$A" grep -i -e '^message-id:' $refs -- 'tickets/*.eml' |
	sed -n 's/^\([a-z]*\):tickets\/..\/\([0-9A-Z]*\)\/\([0-9]*\.eml\):[Mm][Ee][Ss][Ss][Aa][Gg][Ee]-[Ii][Dd]: *<\(.*\)>.*$/\4 \2 \3 \1/p' | sort >"$TMP/emls.all"
# emls: MESSAGE-ID TICKET FILE; events: every event line, on both branches
cut -d' ' -f1-3 "$TMP/emls.all" >"$TMP/emls"
sed 's/^[a-z]*:tickets\/[^:]*:\(.*\)$/\1/' "$TMP/events.all" >"$TMP/events"
cat "$TMP"/delivered.* | sort -u >"$TMP/sent-in"
echo "# messages delivered $(wc -l <"$TMP/sent-in"), events $(wc -l <"$TMP/events"), message files $(wc -l <"$TMP/emls"), mail the mailer took $(ls "$TMP/got" | wc -l)"
is "every event id once" "$(jq -r .id "$TMP/events" | sort | uniq -d | head -5)" ""
is "every message delivered received once" \
	"$(jq -r 'select(.type == "received") | .message_id' "$TMP/events" | sort | uniq -c | awk '$1 != 1' | head -5)" ""
is "... and every one there" \
	"$(jq -r 'select(.type == "received") | .message_id' "$TMP/events" | sort -u | comm -23 "$TMP/sent-in" - | head -5)" ""
is "... its file once" "$(cut -d' ' -f1 "$TMP/emls" | sort | uniq -d | head -5)" ""
# each mail the mailer took: one message file, named by one replied event
git -C "$A" grep -e '"type":"replied"' $refs -- 'tickets/*/events.jsonl' |
	sed -n 's/^[a-z]*:tickets\/..\/\([0-9A-Z]*\)\/events.jsonl:\(.*\)$/\1 \2/p' |
	while read -r t j; do printf '%s %s\n' "$t" "$(printf '%s' "$j" | jq -r '"\(.file) \(.unconfirmed // false)"')"; done |
	sort >"$TMP/replied"
unconfirmed=$(grep -c ' true$' "$TMP/replied")
for g in "$TMP"/got/*.eml; do
	[ -f "$g" ] || continue
	sed -n 's/^[Mm]essage-[Ii][Dd]: *<\(.*\)>.*$/\1/p' "$g" | head -1
done | sort >"$TMP/took"
while read -r mid; do
	set -- $(awk -v m="$mid" '$1 == m { print $2, $3 }' "$TMP/emls")
	if [ $# -ne 2 ]; then echo "$mid: $(($# / 2)) message files"
	else
		r=$(awk -v t="$1" -v f="$2" '$1 == t && $2 == f' "$TMP/replied" | wc -l)
		[ "$r" -eq 1 ] || echo "$mid: $r replied events"
	fi
done <"$TMP/took" >"$TMP/unrecorded"
is "every mail the mailer took is recorded exactly once ($unconfirmed recorded unconfirmed)" "$(head -5 "$TMP/unrecorded")" ""
# and no reply recorded as sent that the mailer never took
while read -r t f u; do
	[ "$u" = true ] && continue
	mid=$(awk -v t="$t" -v f="$f" '$2 == t && $3 == f { print $1 }' "$TMP/emls")
	grep -qxF "$mid" "$TMP/took" || echo "$t $f ($mid): recorded, never sent"
done <"$TMP/replied" >"$TMP/unsent"
is "no reply recorded that the mailer did not take" "$(head -5 "$TMP/unsent")" ""
[ -n "${MDESK_SOAK_KEEP:-}" ] && cp -a "$TMP" "$MDESK_SOAK_KEEP"
[ "$T_FAILED" -eq 0 ] || echo "# soak failed: MDESK_SOAK_SEED=$seed MDESK_SOAK_SECONDS=$secs sh tests/run build tests/t/soak.t"
done_testing
