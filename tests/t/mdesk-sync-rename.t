#!/bin/sh
# Two agents answer one ticket on two replicas: both replies take the
# name 0002.eml, and the merge renames one and the event that names it.
# That rename must survive every later merge, also one with a replica
# that changed the ticket meanwhile: each replied event names the file
# that holds its message.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"

R="$TMP/remote.git" A="$TMP/a" B="$TMP/b"
replica "$R" "$A"
printf 'From: Vera <vera@customer.example>\nTo: support@lumen.example\nSubject: a bent cover\nMessage-ID: <rn1@customer.example>\nDate: Mon, 2 Nov 2026 09:00:00 +0000\n\nThe cover is bent.\n' |
	MDESK_DIR=$A mroute --now 2026-11-02T09:00:00Z >/dev/null
T=$(mdesk --desk "$A" ls --format json | jq -r .id)
mdesk --desk "$A" sync >/dev/null 2>&1
mdesk clone "$R" "$B" >/dev/null 2>&1
MDESK_DIR=$A mreply --as ana --now 2026-11-02T10:00:00Z --ticket "$T" -t answer --record >/dev/null
MDESK_DIR=$B mreply --as bob --now 2026-11-02T10:01:00Z --ticket "$T" -t answer --record >/dev/null
mdesk --desk "$B" --as bob --now 2026-11-02T10:02:00Z note "$T" "also called her" >/dev/null
mdesk --desk "$A" sync --auto >/dev/null 2>&1	# pushes ana's reply
mdesk --desk "$B" sync --auto >/dev/null 2>&1	# merges: one reply renamed; pushes
mdesk --desk "$A" --as ana --now 2026-11-02T10:03:00Z note "$T" "a note meanwhile" >/dev/null
mdesk --desk "$A" sync --auto >/dev/null 2>"$TMP/err"	# merges B's merge into a changed ticket
is "both syncs of a ticket answered on two replicas succeed" "$?:$(cat "$TMP/err")" "0:"
mdesk --desk "$B" sync --auto >/dev/null 2>&1
named() {	# named DESK ID JQ-FILTER: how many events the filter takes, and those
	# whose file does not hold the message of their message_id
	_sh=$(printf %s "$2" | cut -c1-2) _n=0 _bad=
	git -C "$1" show "main:tickets/$_sh/$2/events.jsonl" | jq -r "$3 | \"\\(.file) \\(.message_id)\"" >"$TMP/named"
	while read -r _f _mid; do
		_n=$((_n + 1))
		_got=$(git -C "$1" show "main:tickets/$_sh/$2/$_f" | sed -n 's/^Message-ID: <\(.*\)>$/\1/p')
		[ "$_got" = "$_mid" ] || _bad="$_bad $_f"
	done <"$TMP/named"
	echo "$_n:$_bad"
}
for D in "$A" "$B"; do
	is "${D##*/}: two replies, each event naming the file of its message" \
		"$(named "$D" "$T" 'select(.type == "replied")')" "2:"
done
is "both replicas agree" "$(git -C "$A" rev-parse main)" "$(git -C "$B" rev-parse main)"

# ------------------------------------------------------------ one message, two replicas, two names
# a follow-up delivered to both replicas (two mail hosts) takes 0003.eml
# on a, which holds a reply, and 0002.eml on b: one file, and every event
# names the file that holds its message
printf 'From: Ivo <ivo@customer.example>\nTo: support@lumen.example\nSubject: a lost parcel\nMessage-ID: <rn2@customer.example>\nDate: Mon, 2 Nov 2026 11:00:00 +0000\n\nWhere is it?\n' >"$TMP/m2"
MDESK_DIR=$A mroute --now 2026-11-02T11:00:00Z <"$TMP/m2" >/dev/null
T2=$(mdesk --desk "$A" ls --format json | jq -r 'select(.subject == "a lost parcel") | .id')
mdesk --desk "$A" sync --auto >/dev/null 2>&1
mdesk --desk "$B" sync --auto >/dev/null 2>&1
MDESK_DIR=$A mreply --as ana --now 2026-11-02T11:10:00Z --ticket "$T2" -t answer --record >/dev/null
printf 'From: Ivo <ivo@customer.example>\nTo: support@lumen.example\nSubject: Re: a lost parcel\nMessage-ID: <rn3@customer.example>\nIn-Reply-To: <rn2@customer.example>\nDate: Mon, 2 Nov 2026 11:20:00 +0000\n\nStill nothing.\n' >"$TMP/m3"
MDESK_DIR=$A mroute --now 2026-11-02T11:20:00Z <"$TMP/m3" >/dev/null
MDESK_DIR=$B mroute --now 2026-11-02T11:20:00Z <"$TMP/m3" >/dev/null
mdesk --desk "$B" sync --auto >/dev/null 2>&1
mdesk --desk "$A" sync --auto >/dev/null 2>"$TMP/err"
is "one follow-up filed on both replicas under two names: the syncs succeed" "$?:$(cat "$TMP/err")" "0:"
mdesk --desk "$B" sync --auto >/dev/null 2>&1
sh=$(printf %s "$T2" | cut -c1-2)
for D in "$A" "$B"; do
	is "${D##*/}: every event names the file of its message" "$(named "$D" "$T2" 'select(.file)')" "3:"
	is "... the follow-up in one file" "$(git -C "$D" grep -l 'rn3@customer' main -- "tickets/$sh/$T2/*.eml" | wc -l | tr -d ' ')" 1
done
done_testing
