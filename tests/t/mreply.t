#!/bin/sh
# valgrind: yes
# mreply: replies from templates on a fresh desk.  Options, --list and
# --check, headers and encodings (parsed back by Mailutils' decodemail),
# golden messages byte for byte, language variants, placeholders and
# their defaults, re-expansion and header injection attempts, wrapping,
# quoting (HTML-only mail too), Re: chains and tokens, References and
# Thread-Index, the recorded commit, collisions, --send against a capture
# script (and a failing one), acknowledgements under RFC 3834 and the
# rate limit, internal notes kept out.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
GOLD=$DATA/reply
export MDESK_DIR="$TMP/desk" MDESK_MSGID_SEED=tests
newdesk "$MDESK_DIR"
tdir() { printf '%s/tickets/%.2s/%s' "$MDESK_DIR" "$1" "$1"; }
events() { cat "$(tdir "$1")/events.jsonl"; }
last() { tail -1 "$(tdir "$1")/events.jsonl"; }
state() { mdesk show "$1" --json | jq -c "$2"; }
# a header decoded by perl's MIME-Header (RFC 2047), unfolded
dhdr() { hdr "$1" "$2" | perl -CS -MEncode -ne 'print decode("MIME-Header", $_)'; }
# longest line in characters
maxlen() { perl -CSD -ne 'chomp; $m = length if length > $m; END { print $m + 0 }'; }
# file a message (stdin) and print its ticket
file_msg() { mroute --now "$1" | sed -n 's/^X-Mdesk-Ticket: //p'; }
# a message as an mbox for decodemail: headers decoded, body decoded
decode() {
	{ echo "From mdesk@lumen.example Tue Nov  3 14:00:00 2026"; cat "$1"; } >"$TMP/dec.mbox"
	decodemail --no-config -c UTF-8 "$TMP/dec.mbox" 2>/dev/null | sed 1d
}
# the (unfolded) value of a header of a raw or decoded message
hdr() { awk -v h="$1" 'BEGIN { IGNORECASE = 1 } /^$/ { exit }
	/^[ \t]/ { if (on) v = v " " substr($0, 2); next }
	{ if (on) exit; on = (tolower(substr($0, 1, length(h) + 1)) == tolower(h) ":"); if (on) v = substr($0, length(h) + 3) }
	END { print v }' "$2"; }
body() { sed '1,/^$/d' "$1"; }
commit_desk() { git -C "$MDESK_DIR" add -A && git -C "$MDESK_DIR" commit -qm "$1"; }

# ---------------------------------------------------------------- options
out=$(mreply --version 2>&1); rc=$?
is "mreply --version exits 0" "$rc" 0
ver=$(sed -n 's/^VERSION *= *//p' "$TOP/Makefile")
case $out in *"$ver"*) ok 0 "mreply --version prints $ver" ;; *) ok 1 "mreply --version prints $ver" ;; esac
mreply --help >"$TMP/out" 2>&1; rc=$?
is "mreply --help: exit 0, usage" "$rc $(grep -c usage "$TMP/out")" "0 1"
mreply --bogus </dev/null >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mreply --bogus: exit 64" "$rc" 64
mreply --ack -t refund </dev/null >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--ack with -t: exit 64" "$rc" 64
(cd "$TMP" && MDESK_DIR='' mreply --list >"$TMP/out" 2>"$TMP/err"); rc=$?
is "no desk: exit 78" "$rc" 78

# ---------------------------------------------------------------- --list, --check
mreply --list >"$TMP/out"; rc=$?
is "--list: exit 0" "$rc" 0
check "--list: a template and its first line" "grep -q '^refund  *Hello {{customer.first_name}},\$' '$TMP/out'"
check "--list: the variants" "grep -q '^refund.pt  *Olá' '$TMP/out' && grep -q '^ack.ru ' '$TMP/out'"
check "--list: ack before ack.es (sorted by name)" "[ \"\$(sed -n '1p' '$TMP/out' | cut -d' ' -f1)\" = ack ]"
mreply --check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--check: the example desk has no faults" "$rc $(cat "$TMP/out")" "0 26 templates, no faults"
printf 'Subject: Re: {{ticket.subject}}\nReply-To: x@example.com\nX-Mdesk-Status: gone\n\nOi {{customer.frist_name}} {{ticket.id\n' \
	>"$MDESK_DIR/templates/bad.pt.txt"
mreply --check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--check: a bad template: exit 78" "$rc" 78
is "  ... each fault with file:line" "$(cat "$TMP/err")" \
"mreply: templates/bad.pt.txt:2: header 'Reply-To: x@example.com' is not one of Subject, Cc, Bcc, X-Mdesk-Status, X-Mdesk-Tags, X-Mdesk-Priority (a blank line ends the header)
mreply: templates/bad.pt.txt:3: status 'gone' is not one of new, open, pending, on-hold, solved, closed
mreply: templates/bad.pt.txt:5: unknown placeholder {{customer.frist_name}}
mreply: templates/bad.pt.txt:5: '{{' without '}}' on the same line"
rm "$MDESK_DIR/templates/bad.pt.txt"
sed 's/^languages = en pt$/languages = en pt ru/' "$MDESK_DIR/desk.conf" >"$TMP/dc" && cp "$TMP/dc" "$MDESK_DIR/desk.conf"
mreply --check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--check: languages = en pt ru: exit 78" "$rc" 78
check "  ... closing has no ru variant, at desk.conf's line" \
	"grep -q '^mreply: desk.conf:[0-9]*: templates/closing.txt has no ru variant (templates/closing.ru.txt)' '$TMP/err'"
check "  ... refund has one" "! grep -q 'refund.txt has no' '$TMP/err'"
git -C "$MDESK_DIR" checkout -q desk.conf
is "the desk is unchanged by --list and --check" "$(commits) $(porcelain)" "2 "

# ---------------------------------------------------------------- a reply (pt)
cat >"$TMP/m1.eml" <<'EOF'
Return-Path: <joao.pereira@uol.example>
MIME-Version: 1.0
Date: Tue, 3 Nov 2026 10:05:03 -0300
Message-ID: <CAJx7Lm0q9pZ+w3kR1uT5vY8bN2cD4eF6gH8iJ0kL2mN4oP6qR@mail.uol.example>
Subject: =?UTF-8?Q?Livro_chegou_com_a_capa_rasgada_=E2=80=94_pedido_LB-50112?=
From: =?UTF-8?B?Sm/Do28gUGVyZWlyYQ==?= <joao.pereira@uol.example>
To: Lumen Books <support@lumen.example>
Thread-Index: AdlN4Jqa1d2e3f4g5h6i7j8k9l0m1g==
Thread-Topic: Livro chegou com a capa rasgada
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Ol=C3=A1, o livro chegou com a capa rasgada. Podem trocar ou devolver o
dinheiro?

Jo=C3=A3o
EOF
T1=$(file_msg 2026-11-03T13:06:00Z <"$TMP/m1.eml")
is "the customer message is filed" "$(printf %s "$T1" | wc -c | tr -d ' ')" 8
refused "no acting agent: exit 64" 64 "who is answering" mreply -t refund <"$TMP/m1.eml"
refused "an unknown agent: exit 64" 64 "agent 'zoe' is not in agents.csv" mreply --as zoe -t refund <"$TMP/m1.eml"
refused "an unknown template: exit 78" 78 "templates/nope.txt: no such template" mreply --as ana -t nope <"$TMP/m1.eml"
printf 'Subject: x\nMessage-ID: <not-filed@example.com>\nFrom: a@example.com\n\nhi\n' >"$TMP/nf.eml"
refused "a message that is not in the desk: exit 65" 65 "not in the desk \\(file it with mroute first\\)" \
	mreply --as ana -t refund <"$TMP/nf.eml"
w "reply with refund, --quote, as ana" sh -c 'mreply --record --as ana --now 2026-11-03T14:00:00Z -t refund --quote <"$1" >"$2"' sh "$TMP/m1.eml" "$TMP/r1.eml"
# golden: byte for byte (fixed clock and Message-ID seed)
check "  ... the message is the golden one, byte for byte" "cmp '$TMP/r1.eml' '$GOLD/refund-pt.eml'"
R=$TMP/r1.eml
decode "$R" >"$TMP/d1"
is "  ... From: the queue" "$(hdr From "$TMP/d1")" "Lumen Books Support <support@lumen.example>"
is "  ... To: the customer, name from customers.csv" "$(hdr To "$TMP/d1")" '"João Pereira" <joao.pereira@uol.example>'
is "  ... Subject: one Re:, the token" "$(dhdr Subject "$R")" "Re: Livro chegou com a capa rasgada — pedido LB-50112 [#$T1]"
is "  ... In-Reply-To: the parent" "$(hdr In-Reply-To "$R")" "<CAJx7Lm0q9pZ+w3kR1uT5vY8bN2cD4eF6gH8iJ0kL2mN4oP6qR@mail.uol.example>"
is "  ... References: the parent" "$(hdr References "$R")" "<CAJx7Lm0q9pZ+w3kR1uT5vY8bN2cD4eF6gH8iJ0kL2mN4oP6qR@mail.uol.example>"
check "  ... Message-ID under the desk's domain" "hdr Message-ID '$R' | grep -Eq '^<20261103140000\\.[0-9a-f]{16}@lumen\\.example>\$'"
is "  ... Date" "$(hdr Date "$R")" "Tue, 03 Nov 2026 14:00:00 +0000"
is "  ... MIME: UTF-8 text in quoted-printable" "$(hdr MIME-Version "$R")|$(hdr Content-Type "$R")|$(hdr Content-Transfer-Encoding "$R")" \
	"1.0|text/plain; charset=UTF-8|quoted-printable"
is "  ... Thread-Topic kept" "$(hdr Thread-Topic "$R")" "Livro chegou com a capa rasgada"
check "  ... Thread-Index: the parent's and a child block" "hdr Thread-Index '$R' | grep -q '^AdlN4Jqa1d2e3f4g5h6i7j8k9l0m1[A-Za-z0-9+/]\\{7\\}\$'"
check "  ... header lines: ASCII, at most 78 (but for one long Message-ID)" "sed '/^\$/q' '$R' | grep -v '^In-Reply-To: <[^ ]*>\$' | grep -v '^References: <[^ ]*>\$' | LC_ALL=C awk 'length > 78 || /[^ -~\\t]/ { bad = 1 } END { exit bad }'"
check "  ... body lines: ASCII, at most 76 (quoted-printable)" "body '$R' | LC_ALL=C awk 'length > 76 || /[^ -~\\t]/ { bad = 1 } END { exit bad }'"
check "  ... the pt variant (customers.csv says pt-br)" "grep -q '^Olá, João, tudo bem?\$' '$TMP/d1'"
check "  ... the agent's name and the desk's" "grep -q '^Ana Ribeiro\$' '$TMP/d1' && grep -q '^Atendimento Lumen Books\$' '$TMP/d1'"
check "  ... decoded body lines at most 72 characters" "[ \$(body '$TMP/d1' | maxlen) -le 72 ]"
check "  ... an attribution line in Portuguese (wrapped too)" "body '$TMP/d1' | tr '\\n' ' ' | grep -q 'Em terça-feira, 3 de novembro de 2026, às 10:05 (UTC-03:00), João Pereira escreveu: > Olá'"
check "  ... the customer's text quoted" "grep -q '^> Olá, o livro chegou com a capa rasgada. Podem trocar ou devolver o\$' '$TMP/d1' && grep -q '^>\$' '$TMP/d1' && grep -q '^> João\$' '$TMP/d1'"
is "  ... the event: replied by ana, status pending, the file" \
	"$(events "$T1" | jq -c 'select(.type == "replied") | [.by, .agent, .status, .file, .template, .to]')" \
	'["ana","ana","pending","0002.eml","refund","joao.pereira@uol.example"]'
is "  ... Message-ID recorded" "<$(events "$T1" | jq -r 'select(.type == "replied") | .message_id')>" "$(hdr Message-ID "$R")"
is "  ... the stored message is the one written" "$(cmp "$(tdir "$T1")/0002.eml" "$R" && echo same)" same
is "  ... status pending, tag refund (template), claimed by ana" "$(state "$T1" '[.status, .tags, .claimed_by, .replies]')" '["pending",["refund"],"ana",1]'
is "  ... the commit says who and what" "$(git -C "$MDESK_DIR" log -1 --format='%an|%s')" "Ana Ribeiro|$T1: replied by ana to joao.pereira@uol.example (template refund)"
# the reply comes back (a Bcc to the desk): the same message, no change
n=$(commits)
mroute --now 2026-11-03T14:00:05Z <"$R" >"$TMP/out"
is "the sent reply filed again is a duplicate" "$(hdr X-Mdesk-Status "$TMP/out") $(commits)" "duplicate $n"
# the customer answers the reply: In-Reply-To finds the ticket
mid=$(hdr Message-ID "$R")
printf 'From: joao.pereira@uol.example\nTo: support@lumen.example\nSubject: Re: Livro\nMessage-ID: <r2@uol.example>\nIn-Reply-To: %s\n\nObrigado!\n' "$mid" >"$TMP/m1b.eml"
is "the customer's answer to the reply joins the ticket" "$(file_msg 2026-11-03T15:00:00Z <"$TMP/m1b.eml")" "$T1"

# ---------------------------------------------------------------- collisions
refused "bob answering while ana's claim lasts: exit 1" 1 "^mreply: $T1: claimed by ana until 2026-11-03T14:30:00Z; use --force" \
	mreply --as bob --now 2026-11-03T14:10:00Z -t refund <"$TMP/m1.eml"
refused "bob answering after ana replied (claim over): exit 1" 1 "^mreply: $T1: answered by ana at 2026-11-03T14:00:00Z, after the message being answered arrived" \
	mreply --as bob --now 2026-11-03T14:40:00Z -t refund <"$TMP/m1.eml"
w "mdesk claim by dmitri (ana's claim has run out)" mdesk --as dmitri --now 2026-11-03T15:01:00Z claim "$T1"
refused "ana answering the new message while dmitri holds the claim: exit 1" 1 "^mreply: $T1: claimed by dmitri until 2026-11-03T15:31:00Z; use --force" \
	mreply --as ana --now 2026-11-03T15:05:00Z -t closing <"$TMP/m1b.eml"
w "--force answers anyway" sh -c 'mreply --record --as ana --force --now 2026-11-03T15:06:00Z -t closing <"$1" >/dev/null' sh "$TMP/m1b.eml"
is "  ... status solved (closing), the claim is ana's" "$(state "$T1" '[.status, .claimed_by]')" '["solved","ana"]'
w "--ticket: the last customer message, by dmitri with --force" sh -c 'mreply --record --as dmitri --force --now 2026-11-03T15:07:00Z --ticket "$1" -t need-more-info >"$2"' sh "$T1" "$TMP/r3.eml"
is "  ... answers the last customer message" "$(hdr In-Reply-To "$TMP/r3.eml")" "<r2@uol.example>"
is "  ... References: the chain, oldest first" "$(hdr References "$TMP/r3.eml")" "$mid <r2@uol.example>"
is "  ... Subject from that message: one Re:" "$(dhdr Subject "$TMP/r3.eml")" "Re: Livro [#$T1]"
is "  ... need-more-info tags need-info" "$(state "$T1" .tags)" '["need-info","refund"]'

# ---------------------------------------------------------------- placeholders
cat >"$MDESK_DIR/templates/all.txt" <<'EOF'
Subject: {{ticket.subject}} ({{queue.name}})
Cc: {{agent.name}} <{{agent.email}}>
X-Mdesk-Priority: high
X-Mdesk-Status: on-hold

name={{customer.name}}
first={{customer.first_name}}
email={{customer.email}}
agent={{agent.name}}|{{agent.first_name}}|{{agent.email}}
id={{ticket.id}} status={{ticket.status}} priority={{ticket.priority}}
queue={{queue.name}} <{{queue.address}}> desk={{desk.name}}
due={{sla.first_reply.due}}
next={{sla.next_reply.due}}
resolution={{sla.resolution.due}}
default={{customer.first_name|there}}
text={{reply.text}}
Read the guide at https://lumen.example/help/returns/a-rather-long-path/that-goes-on-and-on.
EOF
cat >"$MDESK_DIR/templates/sig.txt" <<'EOF'

Hi {{customer.first_name|there}},

no signature placeholder here.
EOF
commit_desk "templates for the tests"
cat >"$TMP/m2.eml" <<'EOF'
From: "{{agent.signature}}" <{{x}}@example.org>
To: sales@lumen.example
Subject: =?UTF-8?Q?evil=0D=0ABcc:_victim@example.net?=
Message-ID: <m2@example.org>
Date: Wed, 4 Nov 2026 12:00:00 +0000
Content-Type: text/plain; charset=UTF-8

Hello, {{agent.email}} is my name.
EOF
T2=$(file_msg 2026-11-04T12:00:00Z <"$TMP/m2.eml")
printf 'First line of my own words, {{customer.email}} left as it is.\n' >"$TMP/text"
w "every placeholder (sales queue: from = agent)" sh -c 'mreply --record --as bob --now 2026-11-04T12:30:00Z -t all --text "$1" <"$2" >"$3"' sh "$TMP/text" "$TMP/m2.eml" "$TMP/r2.eml"
decode "$TMP/r2.eml" >"$TMP/d2"
is "  ... From: the agent (from = agent)" "$(hdr From "$TMP/r2.eml")" 'Bob Marsh <bob.marsh@lumen.example>'
is "  ... Reply-To: the queue" "$(hdr Reply-To "$TMP/r2.eml")" 'Lumen Books Sales <sales@lumen.example>'
is "  ... To: a name that looks like a placeholder stays literal" "$(hdr To "$TMP/r2.eml")" '"{{agent.signature}}" <{{x}}@example.org>'
check "  ... no Bcc header was injected" "! grep -qi '^Bcc:' '$TMP/r2.eml'"
is "  ... the subject: the line break is a blank, the token added" "$(dhdr Subject "$TMP/r2.eml")" \
	"evil Bcc: victim@example.net (Lumen Books Sales) [#$T2]"
is "  ... Cc from the template" "$(hdr Cc "$TMP/r2.eml")" 'Bob Marsh <bob.marsh@lumen.example>'
is "  ... customer.name: from the From line, literal" "$(grep '^name=' "$TMP/d2")" "name={{agent.signature}}"
is "  ... customer.first_name" "$(grep '^first=' "$TMP/d2")" "first={{agent.signature}}"
is "  ... customer.email" "$(grep '^email=' "$TMP/d2")" "email={{x}}@example.org"
is "  ... agent.*" "$(grep '^agent=' "$TMP/d2")" "agent=Bob Marsh|Bob|bob.marsh@lumen.example"
is "  ... ticket.*" "$(grep '^id=' "$TMP/d2")" "id=$T2 status=open priority=normal"
is "  ... queue.*, desk.name" "$(grep '^queue=' "$TMP/d2")" "queue=Lumen Books Sales <sales@lumen.example> desk=Lumen Books"
# normal policy: 8 business hours from Wed 12:00Z (09:00 -03:00): Wed 09-12,13-18 = 8h
is "  ... sla.first_reply.due: 8 business hours, desk's time zone" "$(grep '^due=' "$TMP/d2")" \
	"due=Wednesday, 4 November 2026, 18:00 (UTC-03:00)"
is "  ... sla.resolution.due: 40 business hours" "$(grep '^resolution=' "$TMP/d2")" \
	"resolution=Tuesday, 10 November 2026, 18:00 (UTC-03:00)"
is "  ... a default form" "$(grep '^default=' "$TMP/d2")" "default={{agent.signature}}"
is "  ... reply.text: --text, not expanded" "$(grep '^text=' "$TMP/d2")" "text=First line of my own words, {{customer.email}} left as it is."
check "  ... the URL is whole, on its own line, the period outside" \
	"grep -qx '<https://lumen.example/help/returns/a-rather-long-path/that-goes-on-and-on>.' '$TMP/d2'"
is "  ... X-Mdesk-* lines are not sent" "$(grep -ci '^X-Mdesk' "$TMP/r2.eml")" 0
state_t2=$(state "$T2" '[.status,.priority]')
is "  ... (the ticket: $T2)" "$state_t2" '["on-hold","high"]'
w "no signature placeholder: a signature block is added" sh -c 'mreply --record --as bob --force --now 2026-11-04T12:40:00Z -t sig <"$1" >"$2"' sh "$TMP/m2.eml" "$TMP/r2b.eml"
decode "$TMP/r2b.eml" >"$TMP/d2b"
check "  ... '-- ', name, queue" "body '$TMP/d2b' | grep -A2 -x -- '-- ' | tr '\\n' '|' | grep -qx -- '-- |Bob Marsh|Lumen Books Sales|'"

# ---------------------------------------------------------------- HTML-only, Re: chains, long References
cat >"$TMP/m3.eml" <<'EOF'
From: Dmitri Ivanov <d.ivanov@example.ru>
Reply-To: orders@example.ru
To: support@lumen.example
Subject: =?UTF-8?B?UkU6INCe0YLQstC10YI6IEFXOiBbIzBBQkNERUZHXSDQl9Cw0LrQsNC3INC90LUg0L/RgNC40YjRkdC7?=
Message-ID: <m3@example.ru>
References: <a0@x.example> <a1@x.example> <a2@x.example> <a3@x.example> <a4@x.example>
 <a5@x.example> <a6@x.example> <a7@x.example> <a8@x.example> <a9@x.example> <a10@x.example>
 <a11@x.example> <a12@x.example> <a13@x.example> <a14@x.example> <a15@x.example>
 <a16@x.example> <a17@x.example> <a18@x.example> <a19@x.example> <a20@x.example>
 <a21@x.example> <a22@x.example> <a23@x.example> <a24@x.example>
In-Reply-To: <a24@x.example>
Date: Thu, 5 Nov 2026 09:00:00 +0300
Content-Language: ru
MIME-Version: 1.0
Content-Type: text/html; charset=UTF-8
Content-Transfer-Encoding: base64

PGh0bWw+PGJvZHk+PHA+0JfQsNC60LDQtyA8Yj5MQi03NzAxPC9iPiDQvdC1INC/0YDQuNGI0ZHQuy48L3A+PHA+0KHQv9Cw0YHQuNCx0L4hPC9wPjwvYm9keT48L2h0bWw+
EOF
T3=$(file_msg 2026-11-05T06:00:00Z <"$TMP/m3.eml")
w "reply to HTML-only Russian mail with --quote" sh -c 'mreply --record --as dmitri --now 2026-11-05T07:00:00Z -t answer --quote <"$1" >"$2"' sh "$TMP/m3.eml" "$TMP/r3.eml"
decode "$TMP/r3.eml" >"$TMP/d3"
is "  ... To: the customer of record, not the Reply-To" "$(hdr To "$TMP/r3.eml")" "Dmitri Ivanov <d.ivanov@example.ru>"
check "  ... the Reply-To is shown, not followed" "grep -q '^mreply: $T3: the message names orders@example.ru as its Reply-To, not the customer.s address; the reply goes to the customer (use --to to answer orders@example.ru)\$' '$TMP/err'"
mreply --as dmitri --now 2026-11-05T07:00:00Z -t answer --to orders@example.ru <"$TMP/m3.eml" >"$TMP/r3to.eml" 2>/dev/null
is "  ... --to: the address the agent names" "$(hdr To "$TMP/r3to.eml")" "orders@example.ru"
is "  ... one Re:, one token (the old one dropped)" "$(dhdr Subject "$TMP/r3.eml")" "Re: Заказ не пришёл [#$T3]"
check "  ... the ru variant" "grep -q '^Здравствуйте, Dmitri!\$' '$TMP/d3'"
check "  ... the HTML part quoted as text" "grep -q '^> Заказ LB-7701 не пришёл.\$' '$TMP/d3' && grep -q '^> Спасибо!\$' '$TMP/d3'"
check "  ... no tags in the quote" "! grep -q '<p>' '$TMP/d3'"
check "  ... attribution in Russian" "grep -q 'Dmitri Ivanov написал(а):\$' '$TMP/d3'"
refs=$(hdr References "$TMP/r3.eml")
is "  ... References trimmed to 20: the first and the newest" "$(echo "$refs" | wc -w | tr -d ' ') $(echo "$refs" | cut -d' ' -f1,2) $(echo "$refs" | awk '{ print $NF }')" \
	"20 <a0@x.example> <a7@x.example> <m3@example.ru>"
check "  ... no Thread-Index when the customer sent none" "! grep -qi '^Thread-Index' '$TMP/r3.eml'"
is "  ... Content-Language" "$(hdr Content-Language "$TMP/r3.eml")" "ru"

# a customer of a company record (customers.csv: readmore.example): the
# company's name is not the person's
printf 'From: accounts@readmore.example\nTo: support@lumen.example\nSubject: Invoice\nMessage-ID: <rm1@readmore.example>\n\nPlease send the invoice.\n' >"$TMP/rm.eml"
file_msg 2026-11-05T08:00:00Z <"$TMP/rm.eml" >/dev/null
mreply --as bob --dry-run --now 2026-11-05T08:10:00Z -t need-more-info <"$TMP/rm.eml" >"$TMP/rm.out"
is "a domain record's name is not the customer's: the default greeting, the bare address" \
	"$(decode "$TMP/rm.out" | grep -c '^Hello there,$') $(hdr To "$TMP/rm.out")" "1 accounts@readmore.example"

# ---------------------------------------------------------------- internal notes
w "a note on the ticket" mdesk --as dmitri --now 2026-11-05T07:10:00Z note "$T3" "INTERNAL: customer owes us 40 EUR"
refused "the same answer to the same message by the same agent again: exit 1" 1 \
	"^mreply: $T3: this answer went to d.ivanov@example.ru at 2026-11-05T07:00:00Z already; use --force" \
	mreply --record --as dmitri --now 2026-11-05T07:20:00Z --ticket "$T3" -t answer --quote
w "a reply with --quote --ticket (--force: the same answer again)" sh -c 'mreply --record --force --as dmitri --now 2026-11-05T07:20:00Z --ticket "$1" -t answer --quote >"$2"' sh "$T3" "$TMP/r4.eml"
decode "$TMP/r4.eml" >"$TMP/d4"
check "  ... the note is nowhere in the mail" "! grep -q 'INTERNAL' '$TMP/r4.eml' '$TMP/d4'"

# ---------------------------------------------------------------- --dry-run
n=$(commits)
mreply --as dmitri --now 2026-11-05T07:30:00Z --ticket "$T3" -t answer --dry-run >"$TMP/out"; rc=$?
is "--dry-run: exit 0, a message, no commit" "$rc $(grep -c '^Message-ID:' "$TMP/out") $(commits)" "0 1 $n"

# ---------------------------------------------------------------- --send
cat >"$TMP/sendmail" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >"$TMP/sent.args"
cat >"$TMP/sent.eml"
exit \${FAKE_SENDMAIL_EXIT:-0}
EOF
chmod +x "$TMP/sendmail"
sed "s|^mailer = .*|mailer = sendmail://$TMP/sendmail|" "$MDESK_DIR/desk.conf" >"$TMP/dc" && cp "$TMP/dc" "$MDESK_DIR/desk.conf"
commit_desk "mail through the capture script"
cat >"$TMP/m5.eml" <<'EOF'
From: Margaret Hale <margaret.hale@example.com>
To: support@lumen.example
Subject: Signed first edition arrived bent
Message-ID: <m5@example.com>
Date: Fri, 6 Nov 2026 10:00:00 +0000

The corner of the dust jacket is bent.
EOF
T5=$(file_msg 2026-11-06T10:00:00Z <"$TMP/m5.eml")
rm -f "$TMP/sent.eml"
refused "--send with a failing mailer: exit 75, nothing recorded" 75 "^mreply: $T5: not sent, nothing recorded: mailer sendmail://" \
	env FAKE_SENDMAIL_EXIT=75 mreply --as bob --now 2026-11-06T10:30:00Z --send -t answer <"$TMP/m5.eml"
is "  ... no reply event" "$(events "$T5" | jq -s 'map(select(.type == "replied")) | length')" 0
w "--send with a working mailer: recorded" sh -c 'mreply --as bob --now 2026-11-06T10:31:00Z --send -t answer <"$1" >"$2"' sh "$TMP/m5.eml" "$TMP/out"
is "  ... nothing on stdout" "$(wc -c <"$TMP/out" | tr -d ' ')" 0
check "  ... sendmail -t read the recipients from the message" "grep -q -- '-t' '$TMP/sent.args' && grep -q -- '-f support@lumen.example' '$TMP/sent.args'"
is "  ... the message sent is the one stored" "$(cmp "$TMP/sent.eml" "$(tdir "$T5")/0002.eml" && echo same)" same
is "  ... To" "$(hdr To "$TMP/sent.eml")" "Margaret Hale <margaret.hale@example.com>"
is "  ... the reply event" "$(state "$T5" '.replies')" 1

# ---------------------------------------------------------------- acknowledgements
ack() { mreply --ack --send --now "$1"; }
cat >"$TMP/a1.eml" <<'EOF'
From: Priya Natarajan <priya.n@example.org>
To: support@lumen.example
Subject: Where is my order LB-9001?
Message-ID: <a1@example.org>
Date: Mon, 9 Nov 2026 11:00:00 +0000

Hello, where is it?
EOF
A1=$(file_msg 2026-11-09T11:00:00Z <"$TMP/a1.eml")
rm -f "$TMP/sent.eml"
w "--ack --send: the acknowledgement" sh -c 'mreply --ack --send --now 2026-11-09T11:00:10Z <"$1"' sh "$TMP/a1.eml"
decode "$TMP/sent.eml" >"$TMP/da1"
check "  ... the message sent is the golden one, byte for byte" "cmp '$TMP/sent.eml' '$GOLD/ack-en.eml'"
is "  ... Auto-Submitted: auto-replied" "$(hdr Auto-Submitted "$TMP/sent.eml")" "auto-replied"
is "  ... X-Auto-Response-Suppress: All" "$(hdr X-Auto-Response-Suppress "$TMP/sent.eml")" "All"
is "  ... the ack template's subject, one token" "$(dhdr Subject "$TMP/sent.eml")" "[#$A1] Where is my order LB-9001?"
# Mon 11:00Z = 08:00 -03:00, before opening: 8 business hours = Mon 09-12, 13-18
check "  ... the promised time (first reply, business calendar)" \
	"tr '\n' ' ' <'$TMP/da1' | grep -q 'answer you by Monday, 9 November 2026, 18:00 (UTC-03:00) at the latest'"
is "  ... recorded as replied, auto, by system" "$(events "$A1" | jq -c 'select(.type == "replied") | [.by, .auto, .status]')" '["system",true,null]'
is "  ... not a first reply: status open (it has an agent), no replies, no claim" "$(state "$A1" '[.status, .replies, .first_reply, .claimed_by]')" '["open",0,null,null]'
is "  ... committed by mdesk" "$(git -C "$MDESK_DIR" log -1 --format='%an|%s')" "mdesk|$A1: acknowledged to priya.n@example.org"
golden_ack=$(mktemp "$TMP/ack.XXXXXX")
mreply --ack --dry-run --now 2026-11-09T11:00:10Z --ticket "$A1" >"$golden_ack" 2>"$TMP/err"
is "at most one ack per ticket" "$(wc -c <"$golden_ack" | tr -d ' ') $(cat "$TMP/err")" "0 mreply: $A1: no acknowledgement: the ticket was acknowledged already"
n=$(commits)
for case in "Auto-Submitted: auto-generated" "Precedence: bulk" "List-Id: <books.lists.example>" \
	"Return-Path: <>" "X-Auto-Response-Suppress: All"; do
	k=$((k + 1))
	printf 'From: robot%d@example.net\nTo: support@lumen.example\n%s\nSubject: Notice %d\nMessage-ID: <auto%d@example.net>\n\nautomatic\n' \
		"$k" "$case" "$k" "$k" >"$TMP/auto.eml"
	file_msg 2026-11-09T12:00:00Z <"$TMP/auto.eml" >/dev/null
	n=$(commits)
	ack 2026-11-09T12:00:01Z <"$TMP/auto.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "no ack to automatic mail ($case)" "$rc $(commits) $(grep -c 'automatic mail (RFC 3834)' "$TMP/err")" "0 $n 1"
done
printf 'From: MAILER-DAEMON@mx.example.net\nTo: support@lumen.example\nSubject: Undelivered Mail\nMessage-ID: <bounce@mx.example.net>\n\nbounce\n' >"$TMP/b.eml"
file_msg 2026-11-09T12:00:00Z <"$TMP/b.eml" >/dev/null
n=$(commits)
ack 2026-11-09T12:00:01Z <"$TMP/b.eml" 2>"$TMP/err"
is "no ack to mailer-daemon" "$(commits) $(grep -c 'automatic mail' "$TMP/err")" "$n 1"
printf 'From: bob.marsh@lumen.example\nTo: support@lumen.example\nSubject: Internal test\nMessage-ID: <own@lumen.example>\n\nours\n' >"$TMP/own.eml"
file_msg 2026-11-09T12:00:00Z <"$TMP/own.eml" >/dev/null
n=$(commits)
ack 2026-11-09T12:00:01Z <"$TMP/own.eml" 2>"$TMP/err"
is "no ack to the desk's own addresses" "$(commits) $(grep -c "desk's own addresses" "$TMP/err")" "$n 1"
printf 'From: spammer@example.biz\nTo: support@lumen.example\nSubject: Cheap\nMessage-ID: <spam@example.biz>\n\nbuy\n' >"$TMP/spam.eml"
S=$(file_msg 2026-11-09T12:00:00Z <"$TMP/spam.eml")
mdesk --as ana --now 2026-11-09T12:00:01Z tag "$S" spam >/dev/null
n=$(commits)
ack 2026-11-09T12:00:02Z <"$TMP/spam.eml" 2>"$TMP/err"
is "no ack to a ticket tagged spam" "$(commits) $(grep -c 'tagged spam' "$TMP/err")" "$n 1"
mdesk --as ana --now 2026-11-09T12:00:03Z untag "$S" spam >/dev/null
mdesk --as ana --now 2026-11-09T12:00:04Z tag "$S" noack >/dev/null
n=$(commits)
ack 2026-11-09T12:00:05Z <"$TMP/spam.eml" 2>"$TMP/err"
is "no ack to a ticket tagged noack" "$(commits) $(grep -c 'tagged noack' "$TMP/err")" "$n 1"
# the rate limit: 3 per day per sender (desk.conf [ack] rate = 3/1d)
for k in 1 2 3 4; do
	printf 'From: loop@example.com\nTo: support@lumen.example\nSubject: Question %d\nMessage-ID: <loop%d@example.com>\n\nq\n' "$k" "$k" >"$TMP/l$k.eml"
	file_msg "2026-11-10T1$k:00:00Z" <"$TMP/l$k.eml" >/dev/null
	n=$(commits)
	ack "2026-11-10T1$k:00:01Z" <"$TMP/l$k.eml" 2>"$TMP/err"
	if [ $k -le 3 ]; then is "rate limit: ack $k of 3 goes out" "$(commits)" $((n + 1))
	else is "rate limit: the 4th within a day does not" "$(commits) $(cat "$TMP/err" | sed 's/.*: no ack/no ack/')" \
		"$n no acknowledgement: 3 acknowledgements to loop@example.com within 1d already ([ack] rate = 3/1d)"; fi
done
printf 'From: loop@example.com\nTo: support@lumen.example\nSubject: Question 5\nMessage-ID: <loop5@example.com>\n\nq\n' >"$TMP/l5.eml"
file_msg 2026-11-11T11:00:02Z <"$TMP/l5.eml" >/dev/null
n=$(commits)
ack 2026-11-11T11:00:02Z <"$TMP/l5.eml"
is "  ... a day after the first, one goes out again" "$(commits)" $((n + 1))
# mroute --ack: file and acknowledge in one step
printf 'From: Ana Costa <ana.costa@example.pt>\nTo: support@lumen.example\nSubject: Encomenda\nMessage-ID: <ma1@example.pt>\nContent-Language: pt\n\nOla\n' >"$TMP/ma1.eml"
rm -f "$TMP/sent.eml"
n=$(commits)
mroute --ack --now 2026-11-11T13:00:00Z <"$TMP/ma1.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
MA=$(hdr X-Mdesk-Ticket "$TMP/out")
is "mroute --ack: exit 0, two commits (filed, acknowledged), the message on stdout" \
	"$rc $(commits) $(hdr X-Mdesk-Status "$TMP/out")" "0 $((n + 2)) new"
is "  ... the acknowledgement went out, in Portuguese" "$(hdr Auto-Submitted "$TMP/sent.eml") $(decode "$TMP/sent.eml" | grep -c '^Olá, Ana!$')" "auto-replied 1"
is "  ... recorded in the ticket" "$(events "$MA" | jq -c 'select(.type == "replied") | [.by, .auto]')" '["system",true]'
printf 'From: ana.costa@example.pt\nTo: support@lumen.example\nSubject: Re: Encomenda\nMessage-ID: <ma2@example.pt>\nIn-Reply-To: <ma1@example.pt>\n\nMais\n' >"$TMP/ma2.eml"
n=$(commits)
mroute --ack --now 2026-11-11T13:05:00Z <"$TMP/ma2.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mroute --ack on a reply: filed, no acknowledgement" "$rc $(commits) $(hdr X-Mdesk-Status "$TMP/out")" "0 $((n + 1)) reply"
printf 'From: robot@example.net\nTo: support@lumen.example\nAuto-Submitted: auto-generated\nSubject: Report\nMessage-ID: <ma3@example.net>\n\nr\n' >"$TMP/ma3.eml"
n=$(commits)
mroute --ack --quiet --now 2026-11-11T13:06:00Z <"$TMP/ma3.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mroute --ack --quiet on automatic mail: filed, none sent, nothing said" "$rc $(commits) $(wc -c <"$TMP/err" | tr -d ' ')" "0 $((n + 1)) 0"
sed 's/^enabled = yes$/enabled = no/' "$MDESK_DIR/desk.conf" >"$TMP/dc" && cp "$TMP/dc" "$MDESK_DIR/desk.conf"
commit_desk "no acks"
printf 'From: new@example.com\nTo: support@lumen.example\nSubject: Hi\nMessage-ID: <new1@example.com>\n\nq\n' >"$TMP/n1.eml"
file_msg 2026-11-11T12:00:00Z <"$TMP/n1.eml" >/dev/null
n=$(commits)
ack 2026-11-11T12:00:01Z <"$TMP/n1.eml" 2>"$TMP/err"
is "[ack] enabled = no: no ack" "$(commits) $(grep -c 'acknowledgements are off' "$TMP/err")" "$n 1"
# a policy with no first-reply target: the ack's due time would be empty
sed 's/^enabled = no$/enabled = yes/' "$MDESK_DIR/desk.conf" >"$TMP/dc" && cp "$TMP/dc" "$MDESK_DIR/desk.conf"
awk '/^\[policy normal\]/ { p = 1 } /^\[/ && !/normal/ { p = 0 } !(p && /^first_reply/)' "$MDESK_DIR/sla.conf" >"$TMP/sc" && cp "$TMP/sc" "$MDESK_DIR/sla.conf"
commit_desk "acks on; policy normal without a first-reply target"
mreply --check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--check: a due time some policy leaves empty: exit 78" "$rc" 78
check "  ... names the template, line and policy" "grep -q '^mreply: templates/ack.txt:[0-9]*: {{sla.first_reply.due}} is empty under policy normal of sla.conf (no first_reply target)' '$TMP/err'"
printf 'From: Nora <nora@example.com>\nTo: support@lumen.example\nSubject: Question\nMessage-ID: <nf1@example.com>\n\nq\n' >"$TMP/nf1.eml"
NF=$(file_msg 2026-11-12T10:00:00Z <"$TMP/nf1.eml")
mreply --ack --now 2026-11-12T10:00:01Z --ticket "$NF" >"$TMP/ack.eml"
decode "$TMP/ack.eml" >"$TMP/dack"
check "  ... the acknowledgement drops that sentence, no hole" "! grep -q 'answer you by\|at the latest' '$TMP/dack' && grep -q 'There is no need to write again' '$TMP/dack'"
check "  ... one blank line between the paragraphs" "grep -A2 '^ticket $NF\\.\$' '$TMP/dack' | tr '\\n' '|' | grep -q '^ticket $NF\\.||There is no need'"
is "the desk is clean after all" "$(porcelain)" ""
done_testing
