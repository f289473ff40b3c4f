#!/bin/sh
# valgrind: yes
# mroute: mail into tickets on a fresh desk.  New tickets, replies,
# duplicates, [#ID] tokens (participants only), X-Mdesk-* headers on
# stdout, queues, automatic mail, agents' own replies, mboxes, mail
# without Message-ID, commits.  Merges and archived tickets are in
# mdesk-merge.t and mdesk-archive.t.
. "$(dirname "$0")/../lib.sh"
M=$DATA/mail

# ---------------------------------------------------------------- a desk
# No global or system git configuration: the acting agent must not come
# from the tester's git identity, and commits by hand need one.
. "$(dirname "$0")/../desklib.sh"
tdir() { printf '%s/tickets/%.2s/%s' "$MDESK_DIR" "$1" "$1"; }
# the message events of a ticket (received, replied), as stored
events() { grep -E '"type":"(received|replied)"' "$(tdir "$1")/events.jsonl"; }
# the value of header NAME in mroute's output (first occurrence)
hdr() { sed -n "/^\$/q; s/^$1: //p" "$2" | head -1; }

export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR"
is "a fresh desk: two commits (init, fsync off)" "$(commits)" 2

# ---------------------------------------------------------------- options
out=$(mroute --version 2>&1); rc=$?
is "mroute --version exits 0" "$rc" 0
ver=$(sed -n 's/^VERSION *= *//p' "$TOP/Makefile")
case $out in *"$ver"*) ok 0 "mroute --version prints $ver" ;;
	*) ok 1 "mroute --version prints $ver"; echo "#   got: $out" ;; esac
for o in -h --help; do
	mroute $o >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "mroute $o exits 0" "$rc" 0
	check "mroute $o prints a usage text on stdout" "grep -qi usage '$TMP/out'"
done
mroute --bogus </dev/null >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mroute --bogus: exit 64" "$rc" 64
check "mroute --bogus: usage on stderr" "grep -qi usage '$TMP/err'"
mroute --now yesterday <"$M/single.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mroute --now yesterday: exit 64" "$rc" 64
check "mroute --now yesterday: says so" "grep -q 'bad time' '$TMP/err'"
mroute --queue nosuch <"$M/single.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mroute --queue nosuch: exit 64" "$rc" 64
check "mroute --queue nosuch: names the queue" "grep -q nosuch '$TMP/err'"
is "refused options leave no commit" "$(commits)" 2
mroute "$TMP/nonexistent.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a missing input file: exit 66" "$rc" 66
check "a missing input file is named" "grep -q nonexistent.mbox '$TMP/err'"
n0=$(commits)
printf '' | mroute >"$TMP/out" 2>"$TMP/err"; rc=$?
is "empty input: exit 0, nothing out, no commit" "$rc $(wc -c <"$TMP/out" | tr -d ' ') $(commits)" "0 0 $n0"
mroute "$TMP" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a directory as input: exit 75 (mroute(1))" "$rc" 75
is "  ... no commit" "$(commits)" "$n0"
# mroute(1): input that is not an mbox is one message, even without fields
newdesk "$TMP/dh"	# a desk of its own, not to disturb the counts below
printf 'hello\n' | MDESK_DIR=$TMP/dh mroute --now 2026-11-03T00:00:00Z >"$TMP/out" 2>"$TMP/err"; rc=$?
is "'hello': one message without fields, a new ticket" "$rc $(hdr X-Mdesk-Status "$TMP/out")" "0 new"
is "  ... its event: from null, subject empty, no name, to or lang" \
	"$(cat "$TMP"/dh/tickets/*/*/events.jsonl | jq -c 'select(.type == "received") | [.from,.subject,has("name"),has("to"),has("lang")]')" '[null,"",false,false,false]'
is "  ... tagged malformed (no From)" "$(hdr X-Mdesk-Tags "$TMP/out")" malformed
(cd "$TMP" && MDESK_DIR='' mroute <"$M/single.eml" >"$TMP/out" 2>"$TMP/err"); rc=$?
is "no desk: exit 78" "$rc" 78
check "no desk: the message mentions mdesk init" "grep -q 'mdesk init' '$TMP/err'"

# ---------------------------------------------------------------- a new message
# Portuguese, multipart/alternative, RFC 2047 subject (Q) and name (B),
# and X-Mdesk-* fields of its own that must not survive (one folded).
cat >"$TMP/m1.eml" <<'EOF'
Return-Path: <joana.alves@example.com.br>
Delivered-To: support@lumen.example
Received: from mail-sor-f41.example.com.br (mail-sor-f41.example.com.br [198.51.100.41])
	by mx.lumen.example (Postfix) with ESMTPS id 4RA1b22xQz
	for <support@lumen.example>; Tue,  3 Nov 2026 13:05:12 +0000 (UTC)
MIME-Version: 1.0
Date: Tue, 3 Nov 2026 10:05:03 -0300
Message-ID: <CAJx7Lm0q9pZ+w3kR1uT5vY8bN2cD4eF6gH8iJ0kL2mN4oP6qR@mail.example.com.br>
Subject: =?UTF-8?Q?Livro_chegou_com_a_capa_rasgada_=E2=80=94_pedido_LB-50112?=
From: =?UTF-8?B?Sm9hbmEgQWx2ZXM=?= <joana.alves@example.com.br>
To: Lumen Books <support@lumen.example>
X-Mdesk-Ticket: 0000AAAA
X-Mdesk-Queue: billing
X-Mdesk-Status: closed;
	folded=yes
Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f60718"

--000000000000a1b2c3d4e5f60718
Content-Type: text/plain; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

Ol=C3=A1,

Recebi hoje o pedido LB-50112, mas o livro "Cartas da Costa Seca" veio com
a capa rasgada. Posso trocar?

Obrigada,
Joana

--000000000000a1b2c3d4e5f60718
Content-Type: text/html; charset="UTF-8"
Content-Transfer-Encoding: quoted-printable

<div dir=3D"ltr">Ol=C3=A1,<br><br>Recebi hoje o pedido LB-50112, mas o livro=
 &quot;Cartas da Costa Seca&quot; veio com a capa rasgada. Posso trocar?<br>=
<br>Obrigada,<br>Joana</div>

--000000000000a1b2c3d4e5f60718--
EOF
M1ID='CAJx7Lm0q9pZ+w3kR1uT5vY8bN2cD4eF6gH8iJ0kL2mN4oP6qR@mail.example.com.br'

mroute --now 2026-11-03T13:05:20Z <"$TMP/m1.eml" >"$TMP/out1" 2>"$TMP/err"; rc=$?
is "a new message: exit 0" "$rc" 0
is "a new message: nothing on stderr" "$(cat "$TMP/err")" ""
T1=$(hdr X-Mdesk-Ticket "$TMP/out1")
check "the ticket ID is 8 of [0-9A-Z] (Crockford)" \
	"printf '%s\n' '$T1' | grep -Eqx '[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}'"
is "the ticket ID is mthread's thread ID of the message" "$T1" \
	"$(mthread -f json "$TMP/m1.eml" | jq -r .thread)"
is "X-Mdesk-Queue: support" "$(hdr X-Mdesk-Queue "$TMP/out1")" support
is "X-Mdesk-Status: new" "$(hdr X-Mdesk-Status "$TMP/out1")" new
is "the first lines are mroute's" "$(sed -n '/^X-Mdesk-/!q; s/:.*//p' "$TMP/out1" | tr '\n' ' ')" \
	"X-Mdesk-Ticket X-Mdesk-Queue X-Mdesk-Status X-Mdesk-Assignee X-Mdesk-Priority X-Mdesk-Lang "
is "  ... Ticket, Queue, Status" "$(sed -n 1,3p "$TMP/out1")" \
	"X-Mdesk-Ticket: $T1
X-Mdesk-Queue: support
X-Mdesk-Status: new"
is "  ... Portuguese (detected), normal, for ana (the agent who writes pt, on shift)" \
	"$(hdr X-Mdesk-Lang "$TMP/out1") $(hdr X-Mdesk-Priority "$TMP/out1") $(hdr X-Mdesk-Assignee "$TMP/out1")" "pt normal ana"
is "the customer's X-Mdesk-* fields are gone (one of each, mroute's)" \
	"$(grep -ci '^X-Mdesk-' "$TMP/out1")" 6
check "the customer's X-Mdesk-Ticket value does not survive" "! grep -q 0000AAAA '$TMP/out1'"
check "the folded line of a dropped field is dropped too" "! grep -q 'folded=yes' '$TMP/out1'"
grep -v '^X-Mdesk-' "$TMP/m1.eml" | grep -v 'folded=yes' >"$TMP/m1.clean"
check "the rest of stdout is the message, byte for byte" \
	"sed 1,6d '$TMP/out1' | cmp -s - '$TMP/m1.clean'"
D1=$(tdir "$T1")
check "tickets/SH/ID/ holds events.jsonl and 0001.eml" \
	"test -f '$D1/events.jsonl' && test -f '$D1/0001.eml'"
is "the ticket folder holds nothing else" "$(ls "$D1" | tr '\n' ' ')" "0001.eml events.jsonl "
check "0001.eml is the input message, byte for byte (its X-Mdesk-* fields too)" \
	"cmp -s '$D1/0001.eml' '$TMP/m1.eml'"
is "one event" "$(events "$T1" | wc -l | tr -d ' ')" 1
is "the event: received, from the customer, fields" \
	"$(events "$T1" | jq -c '[.type,.by,.at,.from,.name,.message_id,.subject,.queue,.file,.thread,.to]')" \
	"[\"received\",\"customer\",\"2026-11-03T13:05:20Z\",\"joana.alves@example.com.br\",\"Joana Alves\",\"$M1ID\",\"Livro chegou com a capa rasgada — pedido LB-50112\",\"support\",\"0001.eml\",\"new\",\"Lumen Books <support@lumen.example>\"]"
check "the event id is 16 hex digits" "events $T1 | jq -r .id | grep -Eqx '[0-9a-f]{16}'"
check "the event line has its keys sorted" "events $T1 | jq -e 'keys_unsorted == keys' >/dev/null"
check "the event line is ASCII (\\u escapes)" "! events $T1 | LC_ALL=C grep -q '[^ -~]'"
check "the event line is compact" "events $T1 | grep -q '^{\"at\":\"2026-11-03T13:05:20Z\",\"by\":\"customer\",'"
is "one new commit" "$(commits)" 3
is "git status is clean" "$(porcelain)" ""
is "the commit's author is mdesk" "$(git -C "$MDESK_DIR" log -1 --format=%an)" mdesk
check "the commit's author address is mdesk@..." "git -C '$MDESK_DIR' log -1 --format=%ae | grep -q '^mdesk@'"
is "the commit's date is --now" "$(git -C "$MDESK_DIR" log -1 --format=%aI)" "2026-11-03T13:05:20+00:00"
is "the commit message names the ticket, the sender and the agent" \
	"$(git -C "$MDESK_DIR" log -1 --format=%s)" "$T1: received from joana.alves@example.com.br (new ticket, for ana)"
is "the commit touches only the ticket" \
	"$(git -C "$MDESK_DIR" show --name-only --format= HEAD | LC_ALL=C sort | tr '\n' ' ')" \
	"tickets/$(printf %.2s "$T1")/$T1/0001.eml tickets/$(printf %.2s "$T1")/$T1/events.jsonl "
is "mdesk ls sees it: open (it has an agent), support, subject" \
	"$(mdesk ls --format json | jq -r '"\(.id) \(.status) \(.queue) \(.subject)"')" \
	"$T1 open support Livro chegou com a capa rasgada — pedido LB-50112"

# ---------------------------------------------------------------- the same message again
h0=$(head_id)
mroute --now 2026-11-03T13:06:00Z <"$TMP/m1.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "the same message again: exit 0" "$rc" 0
is "the same message again: X-Mdesk-Status: duplicate" "$(hdr X-Mdesk-Status "$TMP/out")" duplicate
is "the same message again: same ticket" "$(hdr X-Mdesk-Ticket "$TMP/out")" "$T1"
is "the same message again: HEAD does not move" "$(head_id)" "$h0"
is "the same message again: still one event" "$(events "$T1" | wc -l | tr -d ' ')" 1
check "the same message again: no 0002.eml" "test ! -e '$D1/0002.eml'"
check "the same message again: the message is still on stdout" \
	"sed '/^X-Mdesk-/d' '$TMP/out' | cmp -s - '$TMP/m1.clean'"
is "git status is clean" "$(porcelain)" ""

# ---------------------------------------------------------------- mail in an agent's name (anyone can write that From)
# an agent's reply sent with the desk in copy, or a stranger claiming to be
# ana: filed for review, counting for nothing (agents answer through mreply)
cat >"$TMP/m2.eml" <<EOF
Return-Path: <ana.ribeiro@lumen.example>
Message-ID: <5b1e9c0a-77d2-4f3e-b0a1-ana00000001@lumen.example>
Date: Tue, 3 Nov 2026 14:20:41 +0000
MIME-Version: 1.0
User-Agent: Mozilla Thunderbird
Content-Language: pt-BR
Subject: =?UTF-8?Q?Re=3A_Livro_chegou_com_a_capa_rasgada_=E2=80=94_pedido_LB-5?=
 =?UTF-8?Q?0112?=
To: Joana Alves <joana.alves@example.com.br>
Cc: support@lumen.example
References: <$M1ID>
In-Reply-To: <$M1ID>
From: Ana Ribeiro <ana.ribeiro@lumen.example>
Content-Type: text/plain; charset=UTF-8; format=flowed
Content-Transfer-Encoding: 8bit

Olá, Joana,

Sinto muito! Vamos enviar outro exemplar ainda esta semana; não é
preciso devolver o livro rasgado.

Abraço,
Ana Ribeiro
Lumen Books
EOF
mroute --now 2026-11-03T14:20:50Z <"$TMP/m2.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "ana's address: exit 0" "$rc" 0
is "ana's address: same ticket" "$(hdr X-Mdesk-Ticket "$TMP/out")" "$T1"
is "ana's address: X-Mdesk-Status: reply, tagged review" \
	"$(hdr X-Mdesk-Status "$TMP/out") $(hdr X-Mdesk-Tags "$TMP/out")" "reply review"
check "ana's address: 0002.eml is the message" "cmp -s '$D1/0002.eml' '$TMP/m2.eml'"
is "ana's address: a received event for review, counting for nothing, never ana's reply" \
	"$(events "$T1" | sed -n 2p | jq -c '[.type,.by,.agent,.file,.thread,.lang,.auto,(.review != null)]')" \
	'["received","customer",null,"0002.eml","in-reply-to","pt-br",true,true]'
is "ana's address: status, replies and the SLA untouched (open, 0 replies, no first reply)" \
	"$(mdesk show --json "$T1" | jq -c '[.status,.replies,.first_reply,(.tags | index("review") != null)]')" \
	'["open",0,null,true]'
is "ana's address: one commit, clean" "$(commits) $(porcelain)" "4 "
is "ana's address: the commit's author is mdesk" "$(git -C "$MDESK_DIR" log -1 --format=%an)" mdesk

# ---------------------------------------------------------------- the customer answers (References only)
cat >"$TMP/m3.eml" <<EOF
Date: Tue, 3 Nov 2026 12:02:10 -0300
From: Joana Alves <joana.alves@example.com.br>
To: Ana Ribeiro <ana.ribeiro@lumen.example>, support@lumen.example
Subject: Re: Livro chegou com a capa rasgada =?UTF-8?Q?=E2=80=94?= pedido LB-50112
Message-ID: <CAJx7Lm1r0qA+x4lS2vU6wZ9cO3dE5fG7hI9jK1lM3nO5pQ7rS@mail.example.com.br>
References: <$M1ID> <5b1e9c0a-77d2-4f3e-b0a1-ana00000001@lumen.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Muito obrigada, Ana! Aguardo o novo exemplar.
Joana
EOF
mroute --now 2026-11-03T15:02:30Z <"$TMP/m3.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a customer reply by References: exit 0" "$rc" 0
is "a customer reply by References: same ticket, reply" \
	"$(hdr X-Mdesk-Ticket "$TMP/out") $(hdr X-Mdesk-Status "$TMP/out")" "$T1 reply"
check "a customer reply: 0003.eml is the message" "cmp -s '$D1/0003.eml' '$TMP/m3.eml'"
is "a customer reply: received, by customer, thread references" \
	"$(events "$T1" | sed -n 3p | jq -c '[.type,.by,.file,.thread]')" '["received","customer","0003.eml","references"]'
is "a customer reply: one commit, clean" "$(commits) $(porcelain)" "5 "
is "mdesk show --json: 3 messages, no reply" \
	"$(mdesk show --json "$T1" | jq -c '[.messages,.replies,.customer,.subject]')" \
	'[3,0,"joana.alves@example.com.br","Livro chegou com a capa rasgada — pedido LB-50112"]'

# ---------------------------------------------------------------- the [#ID] token
# a stranger quoting someone else's ticket token opens a ticket of their own
cat >"$TMP/m4.eml" <<EOF
From: Mallory Quinn <mallory@evil.example>
To: support@lumen.example
Subject: Re: [#$T1] Livro chegou com a capa rasgada
Date: Tue, 3 Nov 2026 16:00:00 +0000
Message-ID: <stranger-1@evil.example>

Please send the replacement to my address instead.
EOF
mroute --now 2026-11-03T16:00:05Z <"$TMP/m4.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a stranger's token: exit 0" "$rc" 0
T4=$(hdr X-Mdesk-Ticket "$TMP/out")
check "a stranger's token: another ticket" "test -n '$T4' && test '$T4' != '$T1'"
is "a stranger's token: X-Mdesk-Status: new" "$(hdr X-Mdesk-Status "$TMP/out")" new
is "a stranger's token: the first ticket still has 3 events" "$(events "$T1" | wc -l | tr -d ' ')" 3
is "a stranger's token: the new ticket is the stranger's" \
	"$(mdesk show --json "$T4" | jq -r .customer)" mallory@evil.example

# the customer of the ticket, writing anew with the token, joins it
cat >"$TMP/m5.eml" <<EOF
From: Joana Alves <joana.alves@example.com.br>
To: support@lumen.example
Subject: =?UTF-8?Q?[#$T1]_Mais_uma_coisa_=E2=80=94_endere=C3=A7o?=
Date: Wed, 4 Nov 2026 09:00:00 -0300
Message-ID: <CAJx7Lm2token@mail.example.com.br>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Esqueci de dizer: o número do apartamento é 42.
EOF
mroute --now 2026-11-04T12:00:10Z <"$TMP/m5.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "the customer's token: same ticket, reply" \
	"$(hdr X-Mdesk-Ticket "$TMP/out") $(hdr X-Mdesk-Status "$TMP/out")" "$T1 reply"
is "the customer's token: thread token, file 0004.eml" \
	"$(events "$T1" | jq -r 'select(.message_id == "CAJx7Lm2token@mail.example.com.br") | "\(.thread) \(.file)"')" "token 0004.eml"

# an agent (farah, who never wrote in it) is a participant
cat >"$TMP/m6.eml" <<EOF
From: Farah Karimi <farah.karimi@lumen.example>
To: Joana Alves <joana.alves@example.com.br>
Cc: support@lumen.example
Subject: [#$T1] Novo envio
Date: Wed, 4 Nov 2026 13:00:00 +0000
Message-ID: <farah-1@lumen.example>

Joana, o novo exemplar foi enviado hoje.
EOF
mroute --now 2026-11-04T13:00:10Z <"$TMP/m6.eml" >"$TMP/out" 2>"$TMP/err"
is "an agent's token: same ticket" "$(hdr X-Mdesk-Ticket "$TMP/out")" "$T1"
is "an agent's token: received for review, never farah's reply" \
	"$(events "$T1" | jq -r 'select(.message_id == "farah-1@lumen.example") | "\(.type) \(.by) \(.thread) \(.auto)"')" "received customer token true"

# a token of no ticket: a new ticket
sed "s/$T1/ZZZZZZZZ/; s/stranger-1/stranger-2/; s/Livro chegou/Another thing/" "$TMP/m4.eml" >"$TMP/m7.eml"
mroute --now 2026-11-04T13:10:00Z <"$TMP/m7.eml" >"$TMP/out" 2>"$TMP/err"
is "a token of no ticket: a new ticket" "$(hdr X-Mdesk-Status "$TMP/out")" new
check "a token of no ticket: not ZZZZZZZZ" "test '$(hdr X-Mdesk-Ticket "$TMP/out")' != ZZZZZZZZ"
is "after the token cases: one commit each, clean" "$(commits) $(porcelain)" "9 "

# of several tokens, the last counts
cat >"$TMP/m8.eml" <<EOF
From: Joana Alves <joana.alves@example.com.br>
To: support@lumen.example
Subject: Fwd: [#$T4] Re: [#$T1] Livro
Date: Wed, 4 Nov 2026 10:00:00 -0300
Message-ID: <CAJx7Lm3twotokens@mail.example.com.br>

Encaminhando.
EOF
mroute --now 2026-11-04T13:20:00Z <"$TMP/m8.eml" >"$TMP/out" 2>"$TMP/err"
is "two tokens: the last one counts" "$(hdr X-Mdesk-Ticket "$TMP/out") $(hdr X-Mdesk-Status "$TMP/out")" "$T1 reply"
# In-Reply-To with free text around the id (rule 3)
cat >"$TMP/m9.eml" <<EOF
From: Joana Alves <joana.alves@example.com.br>
To: support@lumen.example
Subject: Obrigada
Date: Wed, 4 Nov 2026 11:00:00 -0300
Message-ID: <CAJx7Lm4freetext@mail.example.com.br>
In-Reply-To: Your message of Tue, 3 Nov 2026 <5b1e9c0a-77d2-4f3e-b0a1-ana00000001@lumen.example>

Obrigada!
EOF
mroute --now 2026-11-04T13:30:00Z <"$TMP/m9.eml" >"$TMP/out" 2>"$TMP/err"
is "In-Reply-To with free text: joins" "$(hdr X-Mdesk-Ticket "$TMP/out") $(hdr X-Mdesk-Status "$TMP/out")" "$T1 reply"
is "  ... thread in-reply-to" "$(events "$T1" | jq -r 'select(.message_id == "CAJx7Lm4freetext@mail.example.com.br") | .thread')" in-reply-to
is "after the token cases: one commit each, clean" "$(commits) $(porcelain)" "11 "

# ---------------------------------------------------------------- queues
# Russian, to sales@, RFC 2047 B subject
cat >"$TMP/ru.eml" <<'EOF'
Return-Path: <ivan.petrov@yandex.example>
Delivered-To: sales@lumen.example
From: =?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan.petrov@yandex.example>
To: sales@lumen.example
Subject: =?UTF-8?B?0J7Qv9GC0L7QstGL0Lkg0LfQsNC60LDQtyDQutC90LjQsw==?=
Date: Wed, 4 Nov 2026 17:30:00 +0300
Message-ID: <1730730600.ivan@yandex.example>
Content-Language: ru
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

0JfQtNGA0LDQstGB0YLQstGD0LnRgtC1ISDQpdC+0YLQuNC8INC30LDQutCw0LfQsNGC0YwgNTAg
0LrQvdC40LMg0LTQu9GPINC90LDRiNC10Lkg0LHQuNCx0LvQuNC+0YLQtdC60LguCg==
EOF
mroute --now 2026-11-04T14:30:10Z <"$TMP/ru.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "to sales@: exit 0" "$rc" 0
is "to sales@: X-Mdesk-Queue: sales" "$(hdr X-Mdesk-Queue "$TMP/out")" sales
TR=$(hdr X-Mdesk-Ticket "$TMP/out")
is "to sales@: the ticket's queue, subject (ru), lang" \
	"$(mdesk show --json "$TR" | jq -r '"\(.queue)|\(.subject)|\(.lang)|\(.customer_name)"')" \
	"sales|Оптовый заказ книг|ru|Иван Петров"
check "to sales@: stored byte for byte" "cmp -s '$(tdir "$TR")/0001.eml' '$TMP/ru.eml'"

# Persian, Cc billing@ (To another address)
cat >"$TMP/fa.eml" <<'EOF'
From: =?UTF-8?B?2LPYp9ix2Kcg2LHYttin24zbjA==?= <sara.rezaei@example.ir>
To: accounts@elsewhere.example
Cc: billing@lumen.example
Subject: =?UTF-8?B?2YHYp9qp2KrZiNixINiz2YHYp9ix2LQgTEItNTEwMDI=?=
Date: Wed, 4 Nov 2026 19:10:00 +0330
Message-ID: <fa-invoice-1@example.ir>
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

سلام، لطفاً فاکتور سفارش را برای من بفرستید.
EOF
mroute --now 2026-11-04T15:40:10Z <"$TMP/fa.eml" >"$TMP/out" 2>"$TMP/err"
is "Cc billing@: X-Mdesk-Queue: billing" "$(hdr X-Mdesk-Queue "$TMP/out")" billing
TF=$(hdr X-Mdesk-Ticket "$TMP/out")
is "Cc billing@: subject in Persian" "$(mdesk show --json "$TF" | jq -r .subject)" "فاکتور سفارش LB-51002"

# to nobody we know: the first queue
sed 's/^Message-ID: .*/Message-ID: <elsewhere-1@example.org>/; s/^Cc: .*/Cc: someone@elsewhere.example/' "$TMP/fa.eml" >"$TMP/q0.eml"
mroute --now 2026-11-04T15:41:00Z <"$TMP/q0.eml" >"$TMP/out" 2>"$TMP/err"
is "to no queue address: the first queue (support)" "$(hdr X-Mdesk-Queue "$TMP/out")" support
# --queue wins
sed 's/^Message-ID: .*/Message-ID: <forced-1@example.org>/' "$TMP/q0.eml" >"$TMP/q1.eml"
mroute --now 2026-11-04T15:42:00Z --queue billing <"$TMP/q1.eml" >"$TMP/out" 2>"$TMP/err"
is "--queue billing: X-Mdesk-Queue: billing" "$(hdr X-Mdesk-Queue "$TMP/out")" billing
is "after the queue cases: one commit each, clean" "$(commits) $(porcelain)" "15 "

# ---------------------------------------------------------------- automatic mail
cat >"$TMP/auto.eml" <<'EOF'
From: Margaret Hale <margaret.hale@example.com>
To: support@lumen.example
Subject: Automatic reply: Your order LB-49001 has shipped
Date: Thu, 5 Nov 2026 08:00:00 +0000
Message-ID: <auto-1@example.com>
Auto-Submitted: auto-replied
X-Auto-Response-Suppress: All
Content-Type: text/plain; charset=us-ascii

I am away until 16 November with no access to email.
EOF
mroute --now 2026-11-05T08:00:05Z <"$TMP/auto.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "an auto-reply: exit 0" "$rc" 0
is "an auto-reply: X-Mdesk-Tags: auto (and routing.sieve's auto-reply)" "$(hdr X-Mdesk-Tags "$TMP/out")" "auto, auto-reply"
is "an auto-reply: X-Mdesk-Noack: yes" "$(hdr X-Mdesk-Noack "$TMP/out")" yes
TA=$(hdr X-Mdesk-Ticket "$TMP/out")
is "an auto-reply: the ticket is tagged auto" "$(mdesk show --json "$TA" | jq -c .tags)" '["auto","auto-reply"]'
is "an auto-reply: the received event says auto, a tagged event by system" \
	"$(jq -c 'select(.type != "assigned" and .type != "unassigned") | [.type,.by,.auto,.tags]' "$(tdir "$TA")/events.jsonl")" '["received","customer",true,null]
["tagged","system",null,["auto","auto-reply"]]'
is "an auto-reply: still one commit" "$(commits) $(porcelain)" "16 "
check "mdesk ls --tag auto finds it" "mdesk ls --tag auto --format json | jq -r .id | grep -qx '$TA'"
sed 's/^Auto-Submitted: .*/Auto-Submitted: no/; /^X-Auto-Response-Suppress/d; s/auto-1@/human-1@/; s/^Subject: .*/Subject: My order LB-49001/' "$TMP/auto.eml" >"$TMP/human.eml"
mroute --now 2026-11-05T08:01:00Z <"$TMP/human.eml" >"$TMP/out" 2>"$TMP/err"
is "Auto-Submitted: no is a person (not tagged auto; acknowledged)" \
	"$(hdr X-Mdesk-Tags "$TMP/out" | tr -s ', ' '\n' | grep -cx auto) $(grep -c '^X-Mdesk-Noack' "$TMP/out")" "0 0"
printf 'From: MAILER-DAEMON@mx.lumen.example\nTo: support@lumen.example\nSubject: Undelivered Mail Returned to Sender\nDate: Thu, 5 Nov 2026 09:00:00 +0000\nMessage-ID: <bounce-1@mx.lumen.example>\n\nThis is the mail system.\n' >"$TMP/bounce.eml"
mroute --now 2026-11-05T09:00:05Z <"$TMP/bounce.eml" >"$TMP/out" 2>"$TMP/err"
is "mail from MAILER-DAEMON is automatic (and a bounce to routing.sieve)" "$(hdr X-Mdesk-Tags "$TMP/out")" "auto, bounce"

# ---------------------------------------------------------------- CRLF line ends
# a customer's X-Mdesk-Ticket field goes; a body line that looks like one stays
printf 'From: Tom Baker <tom.baker@example.net>\r\nTo: support@lumen.example\r\nSubject: Windows mail\r\nDate: Thu, 5 Nov 2026 10:00:00 +0000\r\nMessage-ID: <crlf-1@example.net>\r\nX-Mdesk-Ticket: 0000AAAA\r\n\r\nHello,\r\nX-Mdesk-Ticket: as quoted from your last mail\r\nBye\r\n' >"$TMP/crlf.eml"
mroute --now 2026-11-05T10:00:05Z <"$TMP/crlf.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "CRLF: exit 0, a new ticket" "$rc $(hdr X-Mdesk-Status "$TMP/out")" "0 new"
TC=$(hdr X-Mdesk-Ticket "$TMP/out")
check "CRLF: stored byte for byte" "cmp -s '$(tdir "$TC")/0001.eml' '$TMP/crlf.eml'"
check "CRLF: the customer's X-Mdesk-Ticket field is gone" "! grep -q '0000AAAA' '$TMP/out'"
check "CRLF: a body line beginning 'X-Mdesk-' is kept" "grep -q '^X-Mdesk-Ticket: as quoted from your last mail' '$TMP/out'"
is "CRLF: the subject" "$(mdesk show --json "$TC" | jq -r .subject)" "Windows mail"

# ---------------------------------------------------------------- no Message-ID
printf 'From: Anna Schmidt <anna.schmidt@example.de>\nTo: support@lumen.example\nSubject: Kontaktformular: Lieferzeit nach Wien?\nDate: Thu, 5 Nov 2026 10:00:00 +0100\n\nWie lange dauert die Lieferung nach Wien?\n' >"$TMP/nomid.eml"
n0=$(commits)
mroute --now 2026-11-05T09:10:00Z <"$TMP/nomid.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "no Message-ID: exit 0" "$rc" 0
is "no Message-ID: a new ticket" "$(hdr X-Mdesk-Status "$TMP/out")" new
TN=$(hdr X-Mdesk-Ticket "$TMP/out")
MN=$(events "$TN" | jq -r .message_id)
check "no Message-ID: a derived id mdesk-<16 hex>@hash.invalid" \
	"printf '%s\n' '$MN' | grep -Eqx 'mdesk-[0-9a-f]{16}@hash\\.invalid'"
is "no Message-ID: mthread derives the same id" "$MN" \
	"$(mthread -f json "$TMP/nomid.eml" | jq -r '.messages[0].message_id')"
h0=$(head_id)
mroute --now 2026-11-05T09:20:00Z <"$TMP/nomid.eml" >"$TMP/out" 2>"$TMP/err"
is "no Message-ID, again: the same ticket, duplicate" \
	"$(hdr X-Mdesk-Ticket "$TMP/out") $(hdr X-Mdesk-Status "$TMP/out")" "$TN duplicate"
is "no Message-ID, again: HEAD does not move" "$(head_id)" "$h0"
is "no Message-ID: one commit in all" "$(commits)" $((n0 + 1))

cp "$TMP/out" "$TMP/nomid.routed"
mroute --now 2026-11-05T09:21:00Z <"$TMP/nomid.routed" >"$TMP/out" 2>"$TMP/err"
is "no Message-ID: mroute's own output of it (with X-Mdesk-* fields) is the same message" \
	"$(hdr X-Mdesk-Ticket "$TMP/out") $(hdr X-Mdesk-Status "$TMP/out")" "$TN duplicate"
is "  ... HEAD does not move" "$(head_id)" "$h0"

# ---------------------------------------------------------------- --dry-run
n0=$(commits)
printf 'From: Priya Natarajan <priya.n@example.org>\nTo: support@lumen.example\nSubject: Gift wrapping?\nDate: Thu, 5 Nov 2026 11:00:00 +0000\nMessage-ID: <dry-1@example.org>\n\nDo you gift wrap?\n' >"$TMP/dry.eml"
mroute --dry-run --now 2026-11-05T11:00:05Z <"$TMP/dry.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--dry-run: exit 0" "$rc" 0
is "--dry-run: one JSON line of decisions" "$(jq -c '[.new,.thread,.queue,.priority,.lang,.noack]' "$TMP/out")" '[true,"new","support","normal","en",false]'
is "--dry-run: no commit, clean" "$(commits) $(porcelain)" "$n0 "
check "--dry-run: no ticket folder" "test ! -d '$(tdir "$(jq -r .ticket "$TMP/out")")'"

# ---------------------------------------------------------------- an mbox
n0=$(commits)
mroute --now 2026-11-06T00:00:00Z "$M/subjects.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "subjects.mbox (11 messages, no references): exit 0" "$rc" 0
is "subjects.mbox: 5 new tickets, 6 joined by subject within subject_window" \
	"$(grep -c '^X-Mdesk-Status: new$' "$TMP/out") $(grep -c '^X-Mdesk-Status: reply$' "$TMP/out")" "5 6"
is "subjects.mbox: one batch, one commit" "$(commits)" $((n0 + 1))
is "  ... by mdesk, saying what it holds" "$(git -C "$MDESK_DIR" log -1 --format='%an|%s')" "mdesk|11 messages received (5 new tickets)"
is "  ... a line per message in its body" "$(git -C "$MDESK_DIR" log -1 --format=%b | grep -c ': received from ')" 11
is "subjects.mbox: clean" "$(porcelain)" ""
rm -rf "$TMP/db"; newdesk "$TMP/db"
MDESK_DIR=$TMP/db mroute --batch 1 --now 2026-11-06T00:00:00Z "$M/subjects.mbox" >"$TMP/out1" 2>"$TMP/err"
is "--batch 1: a commit per message" "$(git -C "$TMP/db" rev-list --count HEAD)" 13
rm -rf "$TMP/db"; newdesk "$TMP/db"
MDESK_DIR=$TMP/db mroute --batch 4 --now 2026-11-06T00:00:00Z "$M/subjects.mbox" >"$TMP/out4" 2>"$TMP/err"
is "--batch 4: 11 messages in 3 commits, the same tickets" \
	"$(git -C "$TMP/db" rev-list --count HEAD) $(grep -c '^X-Mdesk-Status: new$' "$TMP/out4")" "5 5"
check "  ... the same output as one batch" "cmp -s '$TMP/out' '$TMP/out4'"
mroute --batch 0 <"$M/subjects.mbox" >"$TMP/o" 2>"$TMP/err"; rc=$?
is "--batch 0: exit 64" "$rc" 64
is "stdout is an mbox again: 11 From_ lines, each followed by X-Mdesk-Ticket" \
	"$(grep -A1 '^From ' "$TMP/out" | grep -c '^X-Mdesk-Ticket: ')" 11
is "mthread reads mroute's mbox output: 11 messages" \
	"$(mthread -f json "$TMP/out" | jq -s '[.[].count] | add')" 11

# mboxrd: ">From " lines are stored unescaped, as the message was
rm -rf "$TMP/d2"; newdesk "$TMP/d2"
MDESK_DIR=$TMP/d2 mroute --now 2026-11-06T01:00:00Z "$M/qp-pt.mbox" >"$TMP/out" 2>"$TMP/err"
TQ=$(hdr X-Mdesk-Ticket "$TMP/out")
# the first message of the mbox, without its From_ line and separator
awk 'NR == 1 { next } /^From / { exit } { print }' "$M/qp-pt.mbox" | sed '$d' >"$TMP/qp1.eml"
check "an mbox message is stored without From_ line, byte for byte" \
	"cmp -s '$TMP/d2/tickets/$(printf %.2s "$TQ")/$TQ/0001.eml' '$TMP/qp1.eml'"
is "qp-pt.mbox: one ticket, ana's mail in it for review" \
	"$(jq -r 'select(.type == "received" or .type == "replied") | "\(.type) \(.by) \(.review != null)"' "$TMP/d2/tickets/$(printf %.2s "$TQ")/$TQ/events.jsonl" | tr '\n' ',')" \
	"received customer false,received customer true,"
is "qp-pt.mbox: commits 2 + 1 (a batch), clean" \
	"$(git -C "$TMP/d2" rev-list --count HEAD) $(git -C "$TMP/d2" status --porcelain)" "3 "

# the Message-ID index (.git/mdesk/ids) is derived: deleting it changes no
# answer, and it follows the branch when it moves under it
rm -rf "$TMP/d2/.git/mdesk/ids"
MDESK_DIR=$TMP/d2 mroute --now 2026-11-06T01:10:00Z "$M/qp-pt.mbox" >"$TMP/out" 2>"$TMP/err"
is "index deleted: both messages still known (duplicates)" "$(grep -c '^X-Mdesk-Status: duplicate$' "$TMP/out")" 2
is "index deleted: nothing committed" "$(git -C "$TMP/d2" rev-list --count HEAD)" 3
git clone -q "$TMP/d2" "$TMP/d2c"
printf 'From: Fernanda Lima <fernanda.lima@uol.example>\nTo: support@lumen.example\nSubject: Re: Pedido\nDate: Tue, 3 Nov 2026 09:00:00 -0300\nMessage-ID: <qp3@uol.example>\nIn-Reply-To: <0d6f1e2a-8b3c-4d5e-9f01-qppt00000002@lumen.example>\n\nChegou, obrigada!\n' >"$TMP/qp3.eml"
MDESK_DIR=$TMP/d2c mroute --now 2026-11-06T01:20:00Z <"$TMP/qp3.eml" >"$TMP/out" 2>"$TMP/err"
is "a replica files a reply" "$(hdr X-Mdesk-Ticket "$TMP/out") $(hdr X-Mdesk-Status "$TMP/out")" "$TQ reply"
git -C "$TMP/d2" pull -q "$TMP/d2c" main 2>"$TMP/err"
MDESK_DIR=$TMP/d2 mroute --now 2026-11-06T01:30:00Z <"$TMP/qp3.eml" >"$TMP/out" 2>"$TMP/err"
is "after a pull, the pulled message is known: duplicate" "$(hdr X-Mdesk-Status "$TMP/out")" duplicate
is "  ... nothing committed" "$(git -C "$TMP/d2" rev-list --count HEAD)" 4
git -C "$TMP/d2" reset -q --hard HEAD~1
MDESK_DIR=$TMP/d2 mroute --now 2026-11-06T01:40:00Z <"$TMP/qp3.eml" >"$TMP/out" 2>"$TMP/err"
is "after a reset that drops it, the message is new to the desk again: a reply" \
	"$(hdr X-Mdesk-Ticket "$TMP/out") $(hdr X-Mdesk-Status "$TMP/out")" "$TQ reply"
check "  ... stored again as 0003.eml" "cmp -s '$TMP/d2/tickets/$(printf %.2s "$TQ")/$TQ/0003.eml' '$TMP/qp3.eml'"
git -C "$TMP/d2" rm -q -r tickets && git -C "$TMP/d2" commit -qm 'tickets removed by hand'
MDESK_DIR=$TMP/d2 mroute --now 2026-11-06T01:50:00Z "$M/qp-pt.mbox" >"$TMP/out" 2>"$TMP/err"
is "after a commit by hand that removes the ticket, its mail opens it again: new, reply" \
	"$(sed -n 's/^X-Mdesk-Status: //p' "$TMP/out" | tr '\n' ' ')" "new reply "
is "  ... clean" "$(git -C "$TMP/d2" status --porcelain)" ""

rm -rf "$TMP/d3"; newdesk "$TMP/d3"
MDESK_DIR=$TMP/d3 mroute --now 2026-11-06T02:00:00Z "$M/mboxrd.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mboxrd.mbox: exit 0" "$rc" 0
check "mboxrd.mbox: a stored message has the unescaped 'From ' body line" \
	"cat '$TMP'/d3/tickets/*/*/0*.eml | grep -q '^From '"
check "mboxrd.mbox: no stored message starts with a From_ line" \
	"! head -qn1 '$TMP'/d3/tickets/*/*/0*.eml | grep -q '^From '"
is "mboxrd.mbox: clean" "$(git -C "$TMP/d3" status --porcelain)" ""

# ---------------------------------------------------------------- --at-date
rm -rf "$TMP/d5"; newdesk "$TMP/d5"
MDESK_DIR=$TMP/d5 mroute --at-date --now 2026-11-20T00:00:00Z <"$M/single.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
TS=$(hdr X-Mdesk-Ticket "$TMP/out")
is "--at-date: the event and the commit are dated by the message's Date (UTC)" \
	"$rc $(jq -r 'select(.type == "received") | .at' "$TMP/d5/tickets/$(printf %.2s "$TS")/$TS/events.jsonl") $(git -C "$TMP/d5" log -1 --format=%aI)" \
	"0 2026-11-05T16:20:00Z 2026-11-05T16:20:00+00:00"
sed 's/^Message-ID: .*/Message-ID: <future-1@example.com>/; s/^Date: .*/Date: Tue, 1 Dec 2026 10:00:00 +0000/' "$M/single.eml" >"$TMP/future.eml"
MDESK_DIR=$TMP/d5 mroute --at-date --now 2026-11-20T00:00:00Z <"$TMP/future.eml" >"$TMP/out" 2>"$TMP/err"
TS=$(hdr X-Mdesk-Ticket "$TMP/out")
is "--at-date: a Date later than now gives now" "$(jq -r 'select(.type == "received") | .at' "$TMP/d5/tickets/$(printf %.2s "$TS")/$TS/events.jsonl")" "2026-11-20T00:00:00Z"
sed 's/^Message-ID: .*/Message-ID: <nodate-1@example.com>/; /^Date: /d; s/^Subject: .*/Subject: no date/' "$M/single.eml" >"$TMP/nodate.eml"
MDESK_DIR=$TMP/d5 mroute --at-date --now 2026-11-20T00:00:00Z <"$TMP/nodate.eml" >"$TMP/out" 2>"$TMP/err"
TS=$(hdr X-Mdesk-Ticket "$TMP/out")
is "--at-date: no Date gives now" "$(jq -r 'select(.type == "received") | .at' "$TMP/d5/tickets/$(printf %.2s "$TS")/$TS/events.jsonl")" "2026-11-20T00:00:00Z"

# ---------------------------------------------------------------- the bundled mailbox
rm -rf "$TMP/d4"; newdesk "$TMP/d4"
# without the subject window, tickets are mthread's threads
sed -i 's/^subject_window = .*/subject_window = 0s/' "$TMP/d4/desk.conf"
git -C "$TMP/d4" commit -qam 'no subject window'
MDESK_DIR=$TMP/d4 mroute --batch 100 --now 2026-11-21T00:00:00Z "$DATA/support.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "support.mbox: exit 0" "$rc" 0
is "support.mbox --batch 100: 308 messages, 4 commits" "$(git -C "$TMP/d4" rev-list --count HEAD)" 7
is "  ... the batches say how many messages they hold" \
	"$(git -C "$TMP/d4" log -4 --format=%s | sed 's/ (.*//' | tr '\n' ',')" "8 messages received,100 messages received,100 messages received,100 messages received,"
is "support.mbox: one duplicate (sales@ and support@ copies)" \
	"$(grep -c '^X-Mdesk-Status: duplicate$' "$TMP/out")" 1
is "support.mbox: 96 tickets, as mthread's 96 threads" \
	"$(MDESK_DIR=$TMP/d4 mdesk ls --all --format json | wc -l | tr -d ' ')" 96
is "support.mbox: 307 .eml files" "$(ls "$TMP"/d4/tickets/*/*/*.eml | wc -l | tr -d ' ')" 307
is "support.mbox: clean" "$(git -C "$TMP/d4" status --porcelain)" ""
check "support.mbox: every ticket folder passes mdesk check" "MDESK_DIR=$TMP/d4 mdesk check"
# a batch's objects go to one pack, not to a loose file each
is "support.mbox: a pack for each batch of 100 (the last 8 stay loose)" "$(ls "$TMP"/d4/.git/objects/pack/*.pack | wc -l | tr -d ' ')" 3
check "support.mbox: 300 messages, yet few loose objects ($(git -C "$TMP/d4" count-objects | cut -d' ' -f1))" \
	"test $(git -C "$TMP/d4" count-objects | cut -d' ' -f1) -lt 100"
check "support.mbox: git fsck --strict is clean" "git -C '$TMP/d4' fsck --strict --no-progress"
# the packs and their indexes are mroute's own: git reads them back whole
# (every object's CRC-32, offset and id checked against the pack)
is "support.mbox: git verify-pack accepts each pack and index" \
	"$(for i in "$TMP"/d4/.git/objects/pack/*.idx; do git -C "$TMP/d4" verify-pack -v "$i" >/dev/null 2>&1 && echo ok; done | wc -l | tr -d ' ')" 3
is "support.mbox: the auto-replies are tagged (3 + the bounce)" \
	"$(MDESK_DIR=$TMP/d4 mdesk ls --all --tag auto --format json | wc -l | tr -d ' ')" \
	"$(awk '/^X-Mdesk-Ticket: / { t = $2 } /^X-Mdesk-Tags: (.*, )?auto(,|$)/ { print t }' "$TMP/out" | sort -u | wc -l | tr -d ' ')"
# routing it all again changes nothing
h0=$(git -C "$TMP/d4" rev-parse HEAD)
MDESK_DIR=$TMP/d4 mroute --now 2026-11-22T00:00:00Z "$DATA/support.mbox" >"$TMP/out" 2>"$TMP/err"
is "support.mbox again: all 308 duplicates" "$(grep -c '^X-Mdesk-Status: duplicate$' "$TMP/out")" 308
is "support.mbox again: HEAD does not move" "$(git -C "$TMP/d4" rev-parse HEAD)" "$h0"

# three imports of the same mailbox at once: each waits for the lock while
# the others write packs, then reads the tickets they made from those packs
rm -rf "$TMP/d6"; newdesk "$TMP/d6"
sed -i 's/^subject_window = .*/subject_window = 0s/; s/^fsync = yes/fsync = no/' "$TMP/d6/desk.conf"
git -C "$TMP/d6" commit -qam 'no subject window'
for k in 1 2 3; do
	(MDESK_DIR=$TMP/d6 mroute --batch 64 --now 2026-11-21T00:00:00Z "$DATA/support.mbox" \
	    >"$TMP/c$k.out" 2>"$TMP/c$k.err"; echo $? >"$TMP/c$k.rc") &
done
wait
is "three imports at once: each exits 0" "$(cat "$TMP"/c1.rc "$TMP"/c2.rc "$TMP"/c3.rc | tr '\n' ' ')" "0 0 0 "
is "  ... each message filed once: 96 tickets, as one import makes" \
	"$(MDESK_DIR=$TMP/d6 mdesk ls --all --format json | wc -l | tr -d ' ')" 96
is "  ... 307 .eml files" "$(ls "$TMP"/d6/tickets/*/*/*.eml | wc -l | tr -d ' ')" 307
is "  ... every copy is a duplicate but one of each (308 × 3 - 307)" \
	"$(cat "$TMP"/c1.out "$TMP"/c2.out "$TMP"/c3.out | grep -c '^X-Mdesk-Status: duplicate$')" 617
check "  ... git fsck --strict is clean" "git -C '$TMP/d6' fsck --strict --no-progress"
is "  ... clean" "$(git -C "$TMP/d6" status --porcelain)" ""

done_testing
