#!/bin/sh
# A follow-up delivered to two replicas before they synced: each files it
# in the ticket it knows (a its first mail's ticket, b a new one); sync
# folds the newer ticket into the older, the same on both replicas, and the
# message is kept once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"

R=$TMP/remote.git A=$TMP/a B=$TMP/b
replica "$R" "$A"
mdesk clone "$R" "$B" >/dev/null 2>&1
printf 'From: Cleo <cleo@c.example>\nTo: support@lumen.example\nSubject: The lamp\nMessage-ID: <m1@c.example>\nDate: Mon, 2 Nov 2026 08:00:00 +0000\n\nIt flickers.\n' >"$TMP/m1"
printf 'From: Cleo <cleo@c.example>\nTo: support@lumen.example\nSubject: Re: The lamp\nMessage-ID: <m2@c.example>\nIn-Reply-To: <m1@c.example>\nReferences: <m1@c.example>\nDate: Mon, 2 Nov 2026 08:10:00 +0000\n\nStill flickers.\n' >"$TMP/m2"
T1=$(mroute --desk "$A" --now 2026-11-02T08:00:00Z <"$TMP/m1" | sed -n 's/^X-Mdesk-Ticket: //p')
mroute --desk "$A" --now 2026-11-02T08:10:00Z <"$TMP/m2" >/dev/null
T2=$(mroute --desk "$B" --now 2026-11-02T08:10:01Z <"$TMP/m2" | sed -n 's/^X-Mdesk-Ticket: //p')
check "the follow-up went to two tickets ($T1 on a, $T2 on b)" "[ -n '$T1' ] && [ -n '$T2' ] && [ '$T1' != '$T2' ]"
for D in "$A" "$B" "$A"; do
	mdesk --desk "$D" sync >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; break; }
done
is "a and b at one main" "$(git -C "$A" rev-parse main)" "$(git -C "$B" rev-parse main)"
is "the follow-up in one ticket folder" "$(git -C "$A" grep -l m2@c.example main -- tickets | sed 's|/[^/]*$||' | sort -u | wc -l)" 1
is "... the first mail's, once" "$(git -C "$A" grep -l -i '^message-id: <m2@c.example>' main -- tickets | tr '\n' ' ')" \
	"main:tickets/$(printf %.2s "$T1")/$T1/0002.eml "
is "... received once" "$(git -C "$A" grep -h '"message_id":"m2@c.example"' main -- 'tickets/*/events.jsonl' | grep -c '"type":"received"')" 1
is "$T2 is merged into $T1" "$(mdesk --desk "$A" show --json "$T2" 2>/dev/null | jq -r .merged_into)" "$T1"
for D in "$A" "$B"; do
	check "${D##*/}: mdesk check ok" "mdesk --desk '$D' check"
	is "${D##*/}: git status clean" "$(git -C "$D" status --porcelain)" ""
done

# a follow-up delivered to b only, its first mail on a only
printf 'From: Dora <dora@d.example>\nTo: support@lumen.example\nSubject: The switch\nMessage-ID: <m3@d.example>\nDate: Mon, 2 Nov 2026 09:00:00 +0000\n\nIt sticks.\n' >"$TMP/m3"
printf 'From: Dora <dora@d.example>\nTo: support@lumen.example\nSubject: Re: The switch\nMessage-ID: <m4@d.example>\nIn-Reply-To: <m3@d.example>\nReferences: <m3@d.example>\nDate: Mon, 2 Nov 2026 09:10:00 +0000\n\nStill sticks.\n' >"$TMP/m4"
T3=$(mroute --desk "$A" --now 2026-11-02T09:00:00Z <"$TMP/m3" | sed -n 's/^X-Mdesk-Ticket: //p')
T4=$(mroute --desk "$B" --now 2026-11-02T09:10:00Z <"$TMP/m4" | sed -n 's/^X-Mdesk-Ticket: //p')
check "a follow-up on b, its first mail on a: two tickets ($T3, $T4)" "[ -n '$T3' ] && [ -n '$T4' ] && [ '$T3' != '$T4' ]"
for D in "$B" "$A" "$B"; do
	mdesk --desk "$D" sync >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; break; }
done
is "... after sync one ticket holds both" "$(git -C "$B" grep -l -i -e '^message-id: <m3@d.example>' -e '^message-id: <m4@d.example>' main -- tickets | sed 's|/[^/]*$||' | sort -u)" \
	"main:tickets/$(printf %.2s "$T3")/$T3"
is "... $T4 is merged into $T3" "$(mdesk --desk "$B" show --json "$T4" 2>/dev/null | jq -r .merged_into)" "$T3"
is "a and b at one main" "$(git -C "$A" rev-parse main)" "$(git -C "$B" rev-parse main)"
check "b: mdesk check ok" "mdesk --desk '$B' check"

# ------------------------------------------------------------ one copy archived
# A follow-up whose other copy is in a ticket on the archive branch: the
# fold reads the archive too, and the ticket that wins comes back to main
# with both copies.
# tickets_of DESK MID: "BRANCH:ID" of each ticket folder holding MID
tickets_of() {
	git -C "$1" grep -l -i "^message-id: <$2>" main archive -- tickets 2>/dev/null |
		sed 's|^\([a-z]*\):tickets/../\([0-9A-Z]*\)/.*|\1:\2|' | sort -u | tr '\n' ' '
}
msg() {	# msg N [PARENT]: message <fN@f.example>, an answer to PARENT (In-Reply-To only)
	printf 'From: Finn <finn@f.example>\nTo: support@lumen.example\nSubject: %sThe fuse\n' "${2:+Re: }"
	printf 'Message-ID: <f%s@f.example>\n' "$1"
	[ -n "${2:-}" ] && printf 'In-Reply-To: <f%s@f.example>\n' "$2"
	printf 'Date: Mon, 2 Nov 2026 11:%02d:00 +0000\n\nMessage %s.\n' "$1" "$1"
}
synced() {	# synced DESK...: each syncs, in turn
	for D in "$@"; do
		mdesk --desk "$D" sync >"$TMP/out" 2>"$TMP/err" || { cat "$TMP/err"; break; }
	done
}
scenario() {	# scenario N ARCHIVER: a ticket on both; a files N+1, N+2 in it, b files N+2 alone
	n=$1
	T=$(msg "$n" | mroute --desk "$A" --now "2026-11-03T1$n:00:00Z" | sed -n 's/^X-Mdesk-Ticket: //p')
	synced "$A" "$B"
	msg $((n + 1)) "$n" | mroute --desk "$A" --now "2026-11-03T1$n:01:00Z" >/dev/null
	msg $((n + 2)) $((n + 1)) | mroute --desk "$A" --now "2026-11-03T1$n:02:00Z" >/dev/null
	mdesk --desk "$2" --as ana --now "2026-11-03T1$n:03:00Z" status "$T" solved >/dev/null
	mdesk --desk "$2" --now "2026-11-03T1$n:04:00Z" archive "$T" >/dev/null
	# b knows neither N+1 nor that it is in T: a ticket of its own
	U=$(msg $((n + 2)) $((n + 1)) | mroute --desk "$B" --now "2026-11-03T1$n:05:00Z" | sed -n 's/^X-Mdesk-Ticket: //p')
}
for who in a b; do
	case $who in a) X=$A n=1 ;; b) X=$B n=4 ;; esac
	scenario $n "$X"
	m=f$((n + 2))@f.example
	check "$who archives $T; a filed $m there, b in $U" "[ -n '$T' ] && [ -n '$U' ] && [ '$T' != '$U' ]"
	synced "$A" "$B" "$A"
	for D in "$A" "$B"; do
		d=${D##*/}
		is "$d: $m in one ticket, on main: $T" "$(tickets_of "$D" "$m")" "main:$T "
		is "$d: ... received once" "$(git -C "$D" grep -h "\"message_id\":\"$m\"" main archive -- 'tickets/*/events.jsonl' | grep -c '"type":"received"')" 1
		is "$d: ... with every message of the conversation" \
			"$(for k in 0 1; do tickets_of "$D" "f$((n + k))@f.example"; done)" "main:$T main:$T "
		is "$d: $U is merged into $T" "$(mdesk --desk "$D" show --json "$U" 2>/dev/null | jq -r .merged_into)" "$T"
		check "$d: mdesk check ok, git status clean" "mdesk --desk '$D' check && test -z \"\$(git -C '$D' status --porcelain)\""
	done
	is "a, b and the remote at one main and one archive" \
		"$(for D in "$A" "$B" "$R"; do git -C "$D" rev-parse main archive | tr '\n' ' '; echo; done | sort -u | wc -l)" 1
done

# the fold made on a while b, not knowing of it, archived the folded
# ticket: b's sync joins its archived copy with the fold's stub, and what
# it held goes where the rest went
T=$(msg 7 | mroute --desk "$A" --now 2026-11-03T17:00:00Z | sed -n 's/^X-Mdesk-Ticket: //p')
synced "$A" "$B"
msg 8 7 | mroute --desk "$A" --now 2026-11-03T17:01:00Z >/dev/null
U=$(msg 9 8 | mroute --desk "$B" --now 2026-11-03T17:02:00Z | sed -n 's/^X-Mdesk-Ticket: //p')
synced "$B" "$A"
is "a folds $U (b's, a follow-up of a message only a had) into $T" \
	"$(mdesk --desk "$A" show --json "$U" 2>/dev/null | jq -r .merged_into)" "$T"
mdesk --desk "$B" --as bob --now 2026-11-03T17:03:00Z status "$U" solved >/dev/null
mdesk --desk "$B" --now 2026-11-03T17:04:00Z archive "$U" >/dev/null
check "... while b, not knowing, archives $U" "[ '$(tickets_of "$B" f9@f.example)' = 'archive:$U ' ]"
synced "$B" "$A" "$B"
for D in "$A" "$B"; do
	d=${D##*/}
	is "$d: f9@f.example in one ticket, on main: $T" "$(tickets_of "$D" f9@f.example)" "main:$T "
	is "$d: $U is merged into $T, on main, holding no message" \
		"$(mdesk --desk "$D" show --json "$U" 2>/dev/null | jq -r '[.merged_into, .archived] | join(" ")'):$(git -C "$D" ls-tree --name-only -r main "tickets/$(printf %.2s "$U")/$U" | grep -c '\.eml$')" "$T false:0"
	check "$d: mdesk check ok, git status clean" "mdesk --desk '$D' check && test -z \"\$(git -C '$D' status --porcelain)\""
done
is "a, b and the remote at one main and one archive" \
	"$(for D in "$A" "$B" "$R"; do git -C "$D" rev-parse main archive | tr '\n' ' '; echo; done | sort -u | wc -l)" 1

# ------------------------------------------------------------ two tickets both had
# A customer's two open tickets of one subject, on both replicas; a new
# message of that subject joins the one each replica saw active last: a
# the first, b the second.  After sync it is in the ticket whose first
# event came first, once (one received event, one file); the other keeps
# its own message and note; both replicas end with one tree.
sed -i 's/^subject_window = .*/subject_window = 2d/' "$A/desk.conf"
git -C "$A" commit -qam "join by subject"
synced "$A" "$B"
gus() {	# gus N SUBJECT
	printf 'From: Gus <gus@g.example>\nTo: support@lumen.example\nSubject: %s\n' "$2"
	printf 'Message-ID: <g%s@g.example>\nDate: Thu, 5 Nov 2026 08:00:00 +0000\n\nPump %s.\n' "$1" "$1"
}
for first in a b; do
	case $first in a) n=1 order="$A $B $A" ;; b) n=4 order="$B $A $B" ;; esac
	G1=$(gus "$n" "The pump $n" | mroute --desk "$A" --now "2026-11-0${n}T08:00:00Z" | sed -n 's/^X-Mdesk-Ticket: //p')
	G2=$(gus $((n + 1)) "The pump $n" | mroute --desk "$A" --now "2026-11-0$((n + 3))T08:00:00Z" | sed -n 's/^X-Mdesk-Ticket: //p')
	synced "$A" "$B"
	mdesk --desk "$A" --as ana --now "2026-11-0$((n + 3))T09:00:00Z" note "$G1" "first pump" >/dev/null
	mdesk --desk "$B" --as bob --now "2026-11-0$((n + 3))T09:00:00Z" note "$G2" "second pump" >/dev/null
	m=g$((n + 2))@g.example
	Ga=$(gus $((n + 2)) "Re: The pump $n" | mroute --desk "$A" --now "2026-11-0$((n + 3))T10:00:00Z" | sed -n 's/^X-Mdesk-Ticket: //p')
	Gb=$(gus $((n + 2)) "Re: The pump $n" | mroute --desk "$B" --now "2026-11-0$((n + 3))T10:00:01Z" | sed -n 's/^X-Mdesk-Ticket: //p')
	check "$first syncs first: $m joined $G1 on a, $G2 on b" "[ '$Ga' = '$G1' ] && [ '$Gb' = '$G2' ] && [ '$G1' != '$G2' ]"
	synced $order
	for D in "$A" "$B"; do
		d=${D##*/}
		is "$d: $m in one ticket, the older: $G1" "$(tickets_of "$D" "$m")" "main:$G1 "
		is "$d: ... its file once" "$(git -C "$D" grep -l -i "^message-id: <$m>" main -- tickets | wc -l)" 1
		is "$d: ... received once" "$(git -C "$D" grep -h "\"message_id\":\"$m\"" main -- 'tickets/*/events.jsonl' | grep -c '"type":"received"')" 1
		is "$d: $G2 keeps its own message and note" \
			"$(mdesk --desk "$D" show --json "$G2" | jq -r '[([.events[] | select(.type == "received")] | length), ([.events[] | select(.type == "note")] | length), .merged_into // "-"] | join(" ")')" "1 1 -"
		check "$d: mdesk check ok, git status clean" "mdesk --desk '$D' check && test -z \"\$(git -C '$D' status --porcelain)\""
	done
	is "a, b and the remote at one main" \
		"$(for D in "$A" "$B" "$R"; do git -C "$D" rev-parse main; done | sort -u | wc -l)" 1
	is "every event id once" "$(git -C "$A" grep -h -e '' main -- 'tickets/*/events.jsonl' | jq -r .id | sort | uniq -d)" ""
done

# ------------------------------------------------------------ a sync killed between its moves
# b files a follow-up in a ticket of its own and archives it; a files it
# in the conversation's ticket, and a's sync is killed after it moved the
# archive (b's ticket there now) and before it moved main: the next sync
# touches only a's ticket, and still keeps the message once.
hal() {	# hal N [PARENT]
	printf 'From: Hal <hal@h.example>\nTo: support@lumen.example\nSubject: %sThe valve\n' "${2:+Re: }"
	printf 'Message-ID: <h%s@h.example>\n' "$1"
	[ -n "${2:-}" ] && printf 'In-Reply-To: <h%s@h.example>\n' "$2"
	printf 'Date: Mon, 9 Nov 2026 08:0%s:00 +0000\n\nValve %s.\n' "$1" "$1"
}
H1=$(hal 1 | mroute --desk "$A" --now 2026-11-09T08:01:00Z | sed -n 's/^X-Mdesk-Ticket: //p')
H2=$(hal 2 1 | mroute --desk "$B" --now 2026-11-09T08:02:00Z | sed -n 's/^X-Mdesk-Ticket: //p')
mdesk --desk "$B" --as bob --now 2026-11-09T08:03:00Z status "$H2" solved >/dev/null
mdesk --desk "$B" --now 2026-11-09T08:04:00Z archive "$H2" >/dev/null
synced "$B"
hal 2 1 | mroute --desk "$A" --now 2026-11-09T08:05:00Z >/dev/null
git -C "$A" fetch -q origin
git -C "$A" update-ref refs/heads/archive refs/remotes/origin/archive
check "h2@h.example on a in $H1 (main) and $H2 (archive): a sync killed between its moves" \
	"[ '$(tickets_of "$A" h2@h.example)' = 'archive:$H2 main:$H1 ' ]"
synced "$A" "$B" "$A"
for D in "$A" "$B"; do
	d=${D##*/}
	is "$d: h2@h.example in one ticket, on main: $H1" "$(tickets_of "$D" h2@h.example)" "main:$H1 "
	is "$d: ... received once" "$(git -C "$D" grep -h '"message_id":"h2@h.example"' main archive -- 'tickets/*/events.jsonl' | grep -c '"type":"received"')" 1
	is "$d: $H2 is merged into $H1" "$(mdesk --desk "$D" show --json "$H2" 2>/dev/null | jq -r .merged_into)" "$H1"
	check "$d: mdesk check ok, git status clean" "mdesk --desk '$D' check && test -z \"\$(git -C '$D' status --porcelain)\""
done
is "a, b and the remote at one main and one archive" \
	"$(for D in "$A" "$B" "$R"; do git -C "$D" rev-parse main archive | tr '\n' ' '; echo; done | sort -u | wc -l)" 1

done_testing
