#!/bin/sh
# mroute: a message whose In-Reply-To and References name messages filed in
# two tickets is one conversation (mthread says so too): it goes into the
# older ticket and the other is merged into it, as mdesk merge does, with a
# "merged" event; unless the tickets are two customers' (a stranger must
# not join them by naming their messages): then they stay apart, and the
# message's event names the other ticket.  Delivered one by one, and all
# in one batch.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"

# msg FILE FROM MESSAGE-ID SUBJECT DATE [IN-REPLY-TO [REFERENCES]]
msg() {
	{
		printf 'From: %s\nTo: Lumen Books Support <support@lumen.example>\n' "$2"
		printf 'Subject: %s\nDate: %s\nMessage-ID: <%s>\n' "$4" "$5" "$3"
		[ -n "${6:-}" ] && printf 'In-Reply-To: <%s>\n' "$6"
		[ -n "${7:-}" ] && printf 'References: %s\n' "$7"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=us-ascii\n\nAbout my order.\n'
	} >"$TMP/$1.eml"
}
hdr() { sed -n "/^\$/q; s/^$1: //p" "$2" | head -1; }
tdir() { ls -d "$MDESK_DIR"/tickets/*/"$1"; }
emls() { set -- "$(tdir "$1")"/*.eml; echo $#; }
state() { mdesk show --json "$1" | jq -c "$2"; }
state_r() { mdesk show --json "$1" | jq -r "$2"; }
route() { mroute --now "$2" <"$TMP/$1.eml" >"$TMP/out" 2>"$TMP/err"; hdr X-Mdesk-Ticket "$TMP/out"; }

MARI='Mariana Souza <mari.souza@example.com.br>'
# Mariana writes about her order (A); a day later, anew, with another
# subject (B); then she answers the desk's reply in B, her client keeping
# the References of both.
msg a1 "$MARI" a1-mari@example.com.br 'Pedido LB-51234 atrasado' 'Mon, 9 Nov 2026 10:00:00 -0300'
msg b1 "$MARI" b1-mari@example.com.br 'Onde está meu pedido?' 'Tue, 10 Nov 2026 09:00:00 -0300'
msg j1 "$MARI" j1-mari@example.com.br 'Re: Onde está meu pedido?' 'Wed, 11 Nov 2026 09:00:00 -0300' \
	b1-mari@example.com.br '<a1-mari@example.com.br> <b1-mari@example.com.br>'
# Two customers, each with a ticket (C, D); a stranger names both.
msg c1 'Chen Wei <chen.wei@example.cn>' c1-chen@example.cn 'Invoice 778' 'Mon, 9 Nov 2026 08:00:00 +0800'
msg d1 'Dora Black <dora@example.org>' d1-dora@example.org 'Broken cover' 'Tue, 10 Nov 2026 08:00:00 +0000'
msg x1 'Mallory <mallory@example.net>' x1-mal@example.net 'Re: Broken cover' 'Wed, 11 Nov 2026 08:00:00 +0000' \
	d1-dora@example.org '<c1-chen@example.cn> <d1-dora@example.org>'
# Dora herself names both: her own ticket takes it, Chen's stays apart.
msg d2 'Dora Black <dora@example.org>' d2-dora@example.org 'Re: Broken cover' 'Wed, 11 Nov 2026 09:00:00 +0000' \
	c1-chen@example.cn '<c1-chen@example.cn> <d1-dora@example.org>'

# checks NAME: the outcome, whatever the batches
checks() {
	k=$1
	is "$k: the reply names both tickets: it goes into the older, A" "$J" "$A"
	is "$k: B is merged into A (closed, merged_into)" "$(state "$B" '[.status,.merged_into]')" "[\"closed\",\"$A\"]"
	is "$k: B's merged event: by system, into A, for the message" \
		"$(grep '"type":"merged"' "$(tdir "$B")/events.jsonl" | jq -c '[.by,.into,.message_id]')" \
		"[\"system\",\"$A\",\"j1-mari@example.com.br\"]"
	is "$k: A holds the three messages, B's renumbered after A's" \
		"$(emls "$A") $(jq -r "select(.merged_from == \"$B\" and .type == \"received\") | .file" "$(tdir "$A")/events.jsonl")" \
		"3 0002.eml"
	is "$k: the reply is A's third message" \
		"$(jq -r 'select(.message_id == "j1-mari@example.com.br") | .file' "$(tdir "$A")/events.jsonl")" "0003.eml"
	is "$k: A's note tells of the merge" \
		"$(jq -r "select(.type == \"note\") | .text" "$(tdir "$A")/events.jsonl")" "merged $B into this ticket"
	is "$k: the stranger's mail names two customers' tickets: no merge" \
		"$(state_r "$C" '.merged_into // "-"') $(state_r "$D" '.merged_into // "-"')" "- -"
	is "$k: ... it goes where its In-Reply-To points, D, naming C" \
		"$X $(jq -c 'select(.message_id == "x1-mal@example.net") | .linked' "$(tdir "$D")/events.jsonl")" "$D [\"$C\"]"
	is "$k: ... and D is tagged linked" "$(state "$D" '.tags | index("linked") != null')" true
	is "$k: Dora's own mail naming Chen's first goes into her ticket" "$D2" "$D"
	is "$k: Chen's ticket is untouched: one message, no event of another" \
		"$(emls "$C") $(wc -l <"$(tdir "$C")/events.jsonl" | tr -d ' ')" "1 $C_EVENTS"
	is "$k: git status clean" "$(porcelain)" ""
}

# ---------------------------------------------------------------- one by one
export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR" && manualdesk "$MDESK_DIR"
A=$(route a1 2026-11-09T13:00:05Z)
B=$(route b1 2026-11-10T12:00:05Z)
C=$(route c1 2026-11-09T00:00:05Z)
C_EVENTS=$(wc -l <"$(tdir "$C")/events.jsonl" | tr -d ' ')
D=$(route d1 2026-11-10T08:00:05Z)
is "four tickets" "$(printf '%s\n' "$A" "$B" "$C" "$D" | sort -u | grep -c .)" 4
n=$(commits)
J=$(route j1 2026-11-11T12:00:05Z)
is "the joining mail: one commit" "$(($(commits) - n))" 1
X=$(route x1 2026-11-11T08:00:05Z)
D2=$(route d2 2026-11-11T09:00:05Z)
checks "one by one"
# mthread agrees: a1, b1 and j1 are one conversation
for f in a1 b1 j1; do printf 'From x Mon Nov  9 10:00:00 2026\n'; cat "$TMP/$f.eml"; echo; done >"$TMP/abj.mbox"
is "mthread: one conversation of three" "$(mthread --format json "$TMP/abj.mbox" | jq -s 'map(.messages | length)' | tr -d ' \n')" "[3]"

# delivered again: a duplicate, nothing changes
h=$(head_id)
mroute --now 2026-11-11T13:00:00Z <"$TMP/j1.eml" >"$TMP/out" 2>"$TMP/err"
is "the joining mail again: duplicate of A, no commit" "$(hdr X-Mdesk-Status "$TMP/out") $(hdr X-Mdesk-Ticket "$TMP/out") $(head_id)" "duplicate $A $h"
# mail for B's conversation now goes to A
msg b2 "$MARI" b2-mari@example.com.br 'Re: Onde está meu pedido?' 'Thu, 12 Nov 2026 09:00:00 -0300' b1-mari@example.com.br
is "a later reply to B's first mail goes into A" "$(route b2 2026-11-12T12:00:05Z)" "$A"
is "mdesk check: the desk is sound" "$(mdesk check >/dev/null 2>&1; echo $?)" 0

# ---------------------------------------------------------------- one batch
export MDESK_DIR="$TMP/desk2"
newdesk "$MDESK_DIR" && manualdesk "$MDESK_DIR"
for f in a1 b1 c1 d1 j1 x1 d2; do printf 'From x Mon Nov  9 10:00:00 2026\n'; cat "$TMP/$f.eml"; echo; done >"$TMP/all.mbox"
n=$(commits)
mroute --now 2026-11-11T12:00:05Z <"$TMP/all.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "one batch: exit 0, nothing on stderr" "$rc $(cat "$TMP/err")" "0 "
tk() { sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out" | sed -n "$1p"; }
A=$(tk 1) B=$(tk 2) C=$(tk 3) D=$(tk 4) J=$(tk 5) X=$(tk 6) D2=$(tk 7)
checks "one batch"
is "one batch: the batch before the merge committed, the rest after" "$(($(commits) - n))" 2
is "one batch: mdesk check: the desk is sound" "$(mdesk check >/dev/null 2>&1; echo $?)" 0

# ---------------------------------------------------------------- dry run
export MDESK_DIR="$TMP/desk3"
newdesk "$MDESK_DIR" && manualdesk "$MDESK_DIR"
A=$(route a1 2026-11-09T13:00:05Z)
B=$(route b1 2026-11-10T12:00:05Z)
h=$(head_id)
mroute --dry-run --now 2026-11-11T12:00:05Z <"$TMP/j1.eml" >"$TMP/out" 2>"$TMP/err"
is "--dry-run: A decided, B to merge; nothing merged or committed" \
	"$(jq -c '[.ticket,.merged,.thread]' "$TMP/out") $(state_r "$B" '.merged_into // "-"') $(head_id)" \
	"[\"$A\",[\"$B\"],\"references\"] - $h"

done_testing
