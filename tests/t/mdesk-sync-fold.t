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

done_testing
