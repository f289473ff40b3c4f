#!/bin/sh
# mdesk ls, show, log and customer on a desk of seven tickets in four
# languages (pt, ru, fa, en) and three queues.
. "$(dirname "$0")/../lib.sh"

# ---------------------------------------------------------------- a desk
. "$(dirname "$0")/../desklib.sh"
export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR" && manualdesk "$MDESK_DIR"
# route MSGFILE TIME: mroute it, print the ticket ID
route() { mroute --now "$2" <"$1" | sed -n 's/^X-Mdesk-Ticket: //p'; }
# ids: the ticket IDs of JSON lines on stdin, one line, space-separated
ids() { jq -r .id | tr '\n' ' '; }

# A: João (customers.csv: pt-br), Portuguese, Q subject with a comma and quotes
cat >"$TMP/a.eml" <<'EOF'
From: =?ISO-8859-1?Q?Jo=E3o_Pereira?= <Joao.Pereira@uol.example>
To: support@lumen.example
Subject: =?ISO-8859-1?Q?Troca_do_livro_=22Mem=F3rias=22=2C_pedido_LB-50300?=
Date: Mon, 9 Nov 2026 09:00:00 -0300
Message-ID: <a1-joao@uol.example>
Content-Language: pt-BR
MIME-Version: 1.0
Content-Type: text/plain; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

Bom dia! Gostaria de trocar o livro "Mem=F3rias" por outra edi=E7=E3o.
Jo=E3o
EOF
# B: Ivan, Russian, to sales@, base64 body
cat >"$TMP/b.eml" <<'EOF'
From: =?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan.petrov@yandex.example>
To: sales@lumen.example
Subject: =?UTF-8?B?0J7Qv9GC0L7QstGL0Lkg0LfQsNC60LDQtyDQutC90LjQsw==?=
Date: Mon, 9 Nov 2026 15:30:00 +0300
Message-ID: <b1-ivan@yandex.example>
Content-Language: ru
MIME-Version: 1.0
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: base64

0JfQtNGA0LDQstGB0YLQstGD0LnRgtC1ISDQpdC+0YLQuNC8INC30LDQutCw0LfQsNGC0YwgNTAg
0LrQvdC40LMg0LTQu9GPINC90LDRiNC10Lkg0LHQuNCx0LvQuNC+0YLQtdC60LguCg==
EOF
# C: Sara, Persian, to billing@, multipart with a PDF
cat >"$TMP/c.eml" <<'EOF'
From: =?UTF-8?B?2LPYp9ix2Kcg2LHYttin24zbjA==?= <sara.rezaei@example.ir>
To: billing@lumen.example
Subject: =?UTF-8?B?2KjYp9iy2b7Ysdiv2KfYrtiqINmH2LLbjNmG2Yc=?=
Date: Mon, 9 Nov 2026 16:10:00 +0330
Message-ID: <c1-sara@example.ir>
Content-Language: fa
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=-sara-boundary"

--=-sara-boundary
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: 8bit

سلام، لطفاً هزینه را برگردانید. رسید پیوست است.

--=-sara-boundary
Content-Type: application/pdf; name="receipt.pdf"
Content-Disposition: attachment; filename="receipt.pdf"
Content-Transfer-Encoding: base64

JVBERi0xLjQKJcfsj6IKMSAwIG9iago8PC9UeXBlL0NhdGFsb2c+PgplbmRvYmoKdHJhaWxlcgo8
PC9Sb290IDEgMCBSPj4KJSVFT0YK
--=-sara-boundary--
EOF
# D: Margaret (gold), English, to support@
cat >"$TMP/d.eml" <<'EOF'
From: Margaret Hale <margaret.hale@example.com>
To: support@lumen.example
Subject: Signed copy of The Salt Road?
Date: Mon, 9 Nov 2026 17:00:00 +0000
Message-ID: <d1-margaret@example.com>
Content-Language: en-GB
Content-Type: text/plain; charset=us-ascii

Is there a signed first edition of The Salt Road left?
EOF
# E: Read More Bookshops (vip by domain), to sales@
cat >"$TMP/e.eml" <<'EOF'
From: Accounts <accounts@readmore.example>
To: sales@lumen.example
Subject: Invoice TA-1042-11
Date: Mon, 9 Nov 2026 18:00:00 +0000
Message-ID: <e1-readmore@readmore.example>

Please find our remittance for invoice TA-1042-11.
EOF
# F: an auto-reply
cat >"$TMP/f.eml" <<'EOF'
From: Priya Natarajan <priya.n@example.org>
To: support@lumen.example
Subject: Out of office: Your order has shipped
Date: Mon, 9 Nov 2026 19:00:00 +0000
Message-ID: <f1-priya@example.org>
Auto-Submitted: auto-replied

I am out of the office until Monday.
EOF
# G: Margaret again, later, to billing@
cat >"$TMP/g.eml" <<'EOF'
From: Margaret Hale <Margaret.Hale@example.com>
To: billing@lumen.example
Subject: Charged twice for LB-50411
Date: Tue, 10 Nov 2026 08:00:00 +0000
Message-ID: <g1-margaret@example.com>

My card was charged twice for order LB-50411.
EOF
A=$(route "$TMP/a.eml" 2026-11-09T12:00:00Z)
B=$(route "$TMP/b.eml" 2026-11-09T12:30:00Z)
C=$(route "$TMP/c.eml" 2026-11-09T12:45:00Z)
D=$(route "$TMP/d.eml" 2026-11-09T17:00:05Z)
E=$(route "$TMP/e.eml" 2026-11-09T18:00:05Z)
F=$(route "$TMP/f.eml" 2026-11-09T19:00:05Z)
G=$(route "$TMP/g.eml" 2026-11-10T08:00:05Z)
check "seven tickets, seven IDs" "test \$(printf '%s\n' $A $B $C $D $E $F $G | sort -u | grep -c .) -eq 7"
mdesk --as ana --now 2026-11-10T09:00:00Z assign "$A" ana
mdesk --as ana --now 2026-11-10T09:01:00Z assign "$B" dmitri
mdesk --as ana --now 2026-11-10T09:02:00Z tag "$C" refund vip:no
mdesk --as ana --now 2026-11-10T09:03:00Z priority "$C" urgent
mdesk --as bob --now 2026-11-10T09:04:00Z status "$D" solved
mdesk --as bob --now 2026-11-10T09:05:00Z status "$E" closed
mdesk --as dmitri --now 2026-11-10T09:06:00Z status "$B" pending
mdesk --as ana --now 2026-11-10T09:07:00Z priority "$G" high
is "setup: 2 + 7 + 8 commits, clean" "$(commits) $(porcelain)" "17 "

# ---------------------------------------------------------------- ls
is "ls: the open ones (not solved or closed), oldest first" "$(mdesk ls | ids)" "$A $B $C $F $G "
is "ls --all: all seven, oldest first" "$(mdesk ls --all | ids)" "$A $B $C $D $E $F $G "
is "ls -A" "$(mdesk ls -A | ids)" "$A $B $C $D $E $F $G "
is "ls --status solved" "$(mdesk ls --status solved | ids)" "$D "
is "ls --status closed" "$(mdesk ls --status closed | ids)" "$E "
is "ls -s pending" "$(mdesk ls -s pending | ids)" "$B "
is "ls --status new (A, given to ana, is open)" "$(mdesk ls --status new | ids)" "$C $F $G "
is "ls --status open" "$(mdesk ls --status open | ids)" "$A "
is "ls --assignee ana" "$(mdesk ls --assignee ana | ids)" "$A "
is "ls -a dmitri" "$(mdesk ls -a dmitri | ids)" "$B "
is "ls --assignee bob: none" "$(mdesk ls --assignee bob | ids)" ""
is "ls --unassigned" "$(mdesk ls --unassigned | ids)" "$C $F $G "
is "ls --unassigned --all" "$(mdesk ls --unassigned --all | ids)" "$C $D $E $F $G "
is "ls --mine (--as ana)" "$(mdesk --as ana ls --mine | ids)" "$A "
is "ls --mine (MDESK_AGENT=dmitri)" "$(MDESK_AGENT=dmitri mdesk ls --mine | ids)" "$B "
mdesk ls --mine >"$TMP/out" 2>"$TMP/err"; rc=$?
is "ls --mine without an agent: exit 64" "$rc" 64
is "ls --queue sales" "$(mdesk ls --queue sales | ids)" "$B "
is "ls --queue sales --all" "$(mdesk ls --queue sales --all | ids)" "$B $E "
is "ls -q billing" "$(mdesk ls -q billing | ids)" "$C $G "
is "ls --queue nosuch: none" "$(mdesk ls --queue nosuch | ids)" ""
is "ls --tag refund" "$(mdesk ls --tag refund | ids)" "$C "
is "ls -t auto" "$(mdesk ls -t auto | ids)" "$F "
is "ls --tag vip (a tag is matched whole): none" "$(mdesk ls --tag vip | ids)" ""
is "ls --priority urgent" "$(mdesk ls --priority urgent | ids)" "$C "
is "ls -p high" "$(mdesk ls -p high | ids)" "$G "
is "ls --priority normal --all" "$(mdesk ls --priority normal --all | ids)" "$A $B $D $E $F "
is "ls --lang ru" "$(mdesk ls --lang ru | ids)" "$B "
is "ls -l fa" "$(mdesk ls -l fa | ids)" "$C "
# mdesk-files(5): a ticket's language is the sender's in customers.csv,
# else the message's; João is pt-br there, and pt does not match pt-br
is "ls --lang pt-br: João's ticket (his language in customers.csv)" "$(mdesk ls --lang pt-br | ids)" "$A "
is "ls --lang pt: a language matches its regional forms" "$(mdesk ls --lang pt | ids | grep -c "$A")" 1
is "ls --customer margaret.hale@example.com" "$(mdesk ls --customer margaret.hale@example.com | ids)" "$G "
is "ls --customer in another letter case, --all" "$(mdesk ls --all --customer MARGARET.HALE@EXAMPLE.COM | ids)" "$D $G "
is "ls -c @readmore.example --all" "$(mdesk ls -A -c @readmore.example | ids)" "$E "
is "ls --customer @example.com --all: the addresses ending so" "$(mdesk ls --all --customer @example.com | ids)" "$D $G "
is "ls --customer @ample.com: a domain is matched from the @" "$(mdesk ls --all --customer @ample.com | ids)" ""
is "ls --customer hale@example.com: an address is matched whole" "$(mdesk ls --all --customer hale@example.com | ids)" ""
is "ls: filters combine (--queue billing --priority urgent)" "$(mdesk ls --queue billing --priority urgent | ids)" "$C "
is "ls: filters combine (--all --queue sales --status closed)" "$(mdesk ls --all --queue sales --status closed | ids)" "$E "
is "ls: filters combine to nothing" "$(mdesk ls --assignee ana --queue sales | ids)" ""
for o in '--status done' '--priority asap' '--format xml' '--bogus' "$A"; do
	# shellcheck disable=SC2086
	mdesk ls $o >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "ls $o: exit 64, nothing on stdout" "$rc $(wc -c <"$TMP/out" | tr -d ' ')" "64 0"
done
check "ls --status done says which statuses there are" "mdesk ls --status done 2>&1 | grep -q 'new, open, pending, on-hold, solved, closed'"

# JSON lines
mdesk ls --all --format json >"$TMP/all.json"
mdesk ls --all >"$TMP/all2.json"
check "ls: json is the default when stdout is not a terminal" "cmp -s '$TMP/all.json' '$TMP/all2.json'"
is "ls --format json: one line per ticket" "$(wc -l <"$TMP/all.json" | tr -d ' ')" 7
check "ls --format json: every line is a JSON object (jq)" "jq -e 'type == \"object\"' '$TMP/all.json' >/dev/null"
check "ls --format json: id status subject customer assignee queue priority tags lang created updated" \
	"jq -e '[has(\"id\",\"status\",\"subject\",\"customer\",\"assignee\",\"queue\",\"priority\",\"tags\",\"lang\",\"created\",\"updated\")] | all' '$TMP/all.json' >/dev/null"
check "ls --format json: also customer_name first_reply solved replies messages reopened" \
	"jq -e '[has(\"customer_name\",\"first_reply\",\"solved\",\"replies\",\"messages\",\"reopened\")] | all' '$TMP/all.json' >/dev/null"
check "ls --format json: tags an array, counts numbers, times RFC 3339" \
	"jq -e '(.tags | type) == \"array\" and (.messages | type) == \"number\" and (.created | test(\"^2026-11-[0-9]{2}T[0-9:]{8}Z\$\"))' '$TMP/all.json' >/dev/null"
is "ls json: ticket A" "$(jq -c "select(.id == \"$A\") | [.status,.subject,.customer,.customer_name,.assignee,.queue,.priority,.tags,.created,.updated,.messages]" "$TMP/all.json")" \
	"[\"open\",\"Troca do livro \\\"Memórias\\\", pedido LB-50300\",\"joao.pereira@uol.example\",\"João Pereira\",\"ana\",\"support\",\"normal\",[],\"2026-11-09T12:00:00Z\",\"2026-11-10T09:00:00Z\",1]"
is "ls json: ticket B (ru)" "$(jq -c "select(.id == \"$B\") | [.status,.subject,.customer_name,.assignee,.queue,.lang]" "$TMP/all.json")" \
	'["pending","Оптовый заказ книг","Иван Петров","dmitri","sales","ru"]'
is "ls json: ticket C (fa), tags sorted" "$(jq -c "select(.id == \"$C\") | [.subject,.customer_name,.queue,.priority,.tags,.lang,.assignee]" "$TMP/all.json")" \
	'["بازپرداخت هزینه","سارا رضایی","billing","urgent",["refund","vip:no"],"fa",null]'
is "ls json: ticket D solved, its time" "$(jq -c "select(.id == \"$D\") | [.status,.solved,.lang]" "$TMP/all.json")" \
	'["solved","2026-11-10T09:04:00Z","en-gb"]'
is "ls json: ticket F, tagged auto" "$(jq -c "select(.id == \"$F\") | .tags" "$TMP/all.json")" '["auto"]'
is "ls json: ticket F, no Content-Language: Priya's language in customers.csv (en)" "$(jq -r "select(.id == \"$F\") | .lang" "$TMP/all.json")" en

# CSV
mdesk ls --all --format csv >"$TMP/all.crlf"
tr -d '\r' <"$TMP/all.crlf" >"$TMP/all.csv"
check "ls --format csv: CRLF line ends (RFC 4180)" "test \$(grep -c \"\$(printf '\\r')\$\" '$TMP/all.crlf') -eq 8"
is "ls --format csv: the header row" "$(head -1 "$TMP/all.csv")" \
	"id,status,priority,assignee,queue,customer,lang,tags,created,updated,subject"
is "ls --format csv: a row per ticket" "$(wc -l <"$TMP/all.csv" | tr -d ' ')" 8
is "ls --format csv: ticket C, tags joined by ';'" "$(grep "^$C," "$TMP/all.csv")" \
	"$C,new,urgent,,billing,sara.rezaei@example.ir,fa,refund;vip:no,2026-11-09T12:45:00Z,2026-11-10T09:03:00Z,بازپرداخت هزینه"
is "ls --format csv: a subject with a comma and quotes is quoted" "$(grep "^$A," "$TMP/all.csv" | sed 's/.*Z,//')" \
	'"Troca do livro ""Memórias"", pedido LB-50300"'
if command -v python3 >/dev/null 2>&1; then
	is "ls --format csv: parses as CSV to the same as json (python3 csv)" \
		"$(python3 -c 'import csv,sys
for r in list(csv.DictReader(open(sys.argv[1], encoding="utf-8"))): print(r["id"], r["subject"], r["customer"])' "$TMP/all.csv")" \
		"$(jq -r '"\(.id) \(.subject) \(.customer)"' "$TMP/all.json")"
else
	skip "ls --format csv: parses as CSV" "no python3"
fi
mdesk ls --status new --queue sales --format csv >"$TMP/out"
is "ls --format csv with no ticket: the header row alone" "$(tr -d '\r' <"$TMP/out")" \
	"id,status,priority,assignee,queue,customer,lang,tags,created,updated,subject"

# table
mdesk ls --format table >"$TMP/out"
is "ls --format table: a header line and 5 tickets" "$(wc -l <"$TMP/out" | tr -d ' ')" 6
check "ls --format table: the header" "head -1 '$TMP/out' | grep -q '^ID  *STATUS  *PRIO  *ASSIGNEE  *QUEUE  *UPDATED  *SUBJECT'"
check "ls --format table: ticket B with its status, assignee, queue, minute, subject, customer" \
	"grep -q '^$B  *pending  *normal  *dmitri  *sales  *2026-11-10 06:06 -0300  *Оптовый заказ книг  <ivan.petrov@yandex.example>\$' '$TMP/out'"
mdesk ls --status on-hold --format table >"$TMP/out"
is "ls --format table with no ticket: nothing" "$(cat "$TMP/out")" ""

# ---------------------------------------------------------------- show
mdesk show "$A" >"$TMP/show" 2>"$TMP/err"; rc=$?
is "show: exit 0" "$rc" 0
is "show: the head (times in the desk's zone, with their offset)" "$(sed -n '1,4p;6,8p' "$TMP/show")" \
	"Ticket:   $A
Subject:  Troca do livro \"Memórias\", pedido LB-50300
Customer: João Pereira <joao.pereira@uol.example>
Record:   tier standard, language pt-br
Assignee: ana
Tags:     (none)
Created:  2026-11-09 09:00 -0300   Updated: 2026-11-10 06:00 -0300"
check "show: the status line" "sed -n 5p '$TMP/show' | grep -q '^Status:   open   Priority: normal   Queue: support   Language: '"
check "show: the events" "grep -q '^  2026-11-09 09:00 -0300  received   customer   from=joao.pereira@uol.example' '$TMP/show' &&
	grep -q '^  2026-11-10 06:00 -0300  assigned   ana        agent=ana reason=manual' '$TMP/show'"
check "show: the message, decoded (quoted-printable, ISO-8859-1)" \
	"grep -q '^--- 0001.eml ---\$' '$TMP/show' && grep -q '^From: João Pereira <joao.pereira@uol.example>\$' '$TMP/show' &&
	grep -q 'Gostaria de trocar o livro \"Memórias\" por outra edição.' '$TMP/show'"
mdesk show "$B" >"$TMP/show"
check "show: a base64 UTF-8 body, decoded" "grep -q 'Здравствуйте! Хотим заказать 50 книг' '$TMP/show'"
mdesk show "$C" >"$TMP/show"
check "show: the text part of a multipart message, not the PDF" \
	"grep -q 'لطفاً هزینه را برگردانید' '$TMP/show' && ! grep -q JVBERi '$TMP/show'"
check "show: tags and priority" "grep -q '^Tags:     refund, vip:no\$' '$TMP/show' && grep -q 'Priority: urgent' '$TMP/show'"
check "show: an automatic message is marked" "mdesk show $F | grep -q '(automatic)'"

mdesk show --json "$A" >"$TMP/a.json"
is "show --json: one line" "$(wc -l <"$TMP/a.json" | tr -d ' ')" 1
is "show --json: the fields of ls, and events and archived" \
	"$(jq -c 'del(.events, .archived)' "$TMP/a.json")" "$(jq -c "select(.id == \"$A\")" "$TMP/all.json")"
is "show --json: events in order" "$(jq -r '[.events[].type] | join(",")' "$TMP/a.json")" "received,assigned"
is "show --json: archived false" "$(jq .archived "$TMP/a.json")" false

# a conversation: replies by mail, both ways
cat >"$TMP/a2.eml" <<'EOF'
From: Ana Ribeiro <ana.ribeiro@lumen.example>
To: =?ISO-8859-1?Q?Jo=E3o_Pereira?= <Joao.Pereira@uol.example>
Cc: support@lumen.example
Subject: Re: =?UTF-8?Q?Troca_do_livro_=22Mem=C3=B3rias=22=2C_pedido_LB-50300?=
Date: Tue, 10 Nov 2026 09:30:00 +0000
Message-ID: <a2-ana@lumen.example>
In-Reply-To: <a1-joao@uol.example>
References: <a1-joao@uol.example>
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Olá João, claro! Qual edição prefere?
From the desk: this line starts with From and must survive the mbox.
EOF
cat >"$TMP/a3.eml" <<'EOF'
From: =?ISO-8859-1?Q?Jo=E3o_Pereira?= <joao.pereira@uol.example>
To: Ana Ribeiro <ana.ribeiro@lumen.example>
Subject: Re: Troca do livro
Date: Tue, 10 Nov 2026 08:15:00 -0300
Message-ID: <a3-joao@uol.example>
In-Reply-To: <a2-ana@lumen.example>
References: <a1-joao@uol.example> <a2-ana@lumen.example>

A capa dura, por favor.
EOF
record_reply "$A" "$TMP/a2.eml" 2026-11-10T09:30:05Z ana
route "$TMP/a3.eml" 2026-11-10T11:15:05Z >/dev/null
mdesk show --mbox "$A" >"$TMP/a.mbox"; rc=$?
is "show --mbox: exit 0" "$rc" 0
is "show --mbox: three messages" "$(grep -c '^From ' "$TMP/a.mbox")" 3
mthread -f json "$TMP/a.mbox" >"$TMP/t.json"
is "show --mbox, read by mthread: one thread, the ticket's ID, 3 messages" \
	"$(jq -c '[.thread,.count]' "$TMP/t.json")" "[\"$A\",3]"
is "show --mbox, read by mthread: the conversation in order" \
	"$(jq -r '.messages[] | "\(.message_id) \(.parent // "-") \(.from)"' "$TMP/t.json")" \
	"a1-joao@uol.example - joao.pereira@uol.example
a2-ana@lumen.example a1-joao@uol.example ana.ribeiro@lumen.example
a3-joao@uol.example a2-ana@lumen.example joao.pereira@uol.example"
check "show --mbox: a body 'From ' line is escaped" "grep -q '^>From the desk' '$TMP/a.mbox'"
for f in 0001 0002 0003; do cat "$MDESK_DIR/tickets/$(printf %.2s "$A")/$A/$f.eml"; echo; done >"$TMP/all.eml"
check "show --mbox: unescaped, the messages are the files" \
	"sed -E -e '/^From [^ ]+ (Mon|Tue|Wed|Thu|Fri|Sat|Sun) [A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} [0-9]{4}\$/d' -e 's/^>From /From /' '$TMP/a.mbox' | cmp -s - '$TMP/all.eml'"
is "show --json after the replies: open, 2 messages, 1 reply, first reply" \
	"$(mdesk show --json "$A" | jq -c '[.status,.messages,.replies,.first_reply]')" '["open",2,1,"2026-11-10T09:30:05Z"]'
mdesk show "$A" --json >"$TMP/out" 2>"$TMP/err"; rc=$?
is "show ID --json (the option after the operand, as the usage text has it): exit 0" "$rc" 0
check "  ... the same as show --json ID" "mdesk show --json $A | cmp -s - '$TMP/out'"
mdesk show >"$TMP/out" 2>"$TMP/err"; rc=$?
is "show without an ID: exit 64" "$rc" 64
mdesk show "$A" "$B" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "show with two IDs: exit 64" "$rc" 64
mdesk show --bogus "$A" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "show --bogus: exit 64" "$rc" 64

# ---------------------------------------------------------------- log
n=$(commits)
mdesk log >"$TMP/log"; rc=$?
is "log: exit 0" "$rc" 0
is "log: one line per commit" "$(wc -l <"$TMP/log" | tr -d ' ')" "$n"
is "log: newest first" "$(head -1 "$TMP/log" | sed 's/^[0-9a-f]\{10\}  //')" \
	"2026-11-10T11:15:05Z  mdesk          $A: received from joao.pereira@uol.example"
is "log: the oldest is desk created" "$(tail -1 "$TMP/log" | sed 's/^[0-9a-f]\{10\}  //')" "2026-11-02T08:00:00Z  mdesk          desk created"
is "log: abbreviated commit IDs" "$(head -1 "$TMP/log" | cut -c1-10)" "$(git -C "$MDESK_DIR" rev-parse --short=10 HEAD)"
mdesk log "$A" >"$TMP/log"
is "log ID: only that ticket's commits" "$(cut -c35- "$TMP/log")" \
	"mdesk          $A: received from joao.pereira@uol.example
Tester         $A: replied by ana
Ana Ribeiro    $A: assigned to ana by ana
mdesk          $A: received from joao.pereira@uol.example (new ticket)"
is "log ID: as git log of the ticket's folder" "$(cut -c1-10 "$TMP/log")" \
	"$(git -C "$MDESK_DIR" log --format=%h --abbrev=10 -- "tickets/$(printf %.2s "$A")/$A")"
mdesk log --format json >"$TMP/log.json"
is "log --format json: one object per commit" "$(jq -s length "$TMP/log.json")" "$n"
check "log --format json: commit date author email message" \
	"jq -e 'has(\"commit\") and has(\"date\") and has(\"author\") and has(\"email\") and has(\"message\")' '$TMP/log.json' >/dev/null"
is "log --format json: the commits, as git has them" "$(jq -r .commit "$TMP/log.json")" "$(git -C "$MDESK_DIR" log --format=%H)"
is "log --format json, ID: the newest" "$(mdesk log -n 1 --format json "$G" | jq -c '[.author,.email,.date,.message]')" \
	"[\"Ana Ribeiro\",\"ana.ribeiro@lumen.example\",\"2026-11-10T09:07:00Z\",\"$G: priority high by ana\"]"
is "log -n 3" "$(mdesk log -n 3 | wc -l | tr -d ' ')" 3
is "log --max 2 --format json" "$(mdesk log --max 2 --format json | wc -l | tr -d ' ')" 2
mdesk log --format csv | tr -d '\r' >"$TMP/log.csv"
is "log --format csv: header row" "$(head -1 "$TMP/log.csv")" "commit,date,author,email,message"
is "log --format csv: a row per commit" "$(($(wc -l <"$TMP/log.csv") - 1))" "$n"
mdesk log --format xml >"$TMP/out" 2>"$TMP/err"; rc=$?
is "log --format xml: exit 64" "$rc" 64

# ---------------------------------------------------------------- customer
mdesk customer --format json margaret.hale@example.com >"$TMP/c.json"; rc=$?
is "customer: exit 0" "$rc" 0
is "customer: the record of customers.csv" "$(jq -c '[.customer,.name,.tier,.language,.notes]' "$TMP/c.json")" \
	'["margaret.hale@example.com","Margaret Hale","gold","en","Collects signed first editions"]'
is "customer: every ticket, solved too, most recently active first" "$(jq -r '[.tickets[].id] | join(" ")' "$TMP/c.json")" "$G $D"
is "customer: tickets as ls writes them" "$(jq -c '.tickets[1]' "$TMP/c.json")" "$(mdesk ls --all --format json | jq -c "select(.id == \"$D\")")"
mdesk --as bob --now 2026-11-10T12:00:00Z note "$D" 'Margaret asked again by phone'
is "customer: a note on the older ticket puts it first" \
	"$(mdesk customer --format json Margaret.Hale@Example.com | jq -r '[.tickets[].id] | join(" ")')" "$D $G"
is "customer: the default format off a terminal is json" \
	"$(mdesk customer margaret.hale@example.com | jq -r '[.tickets[].id] | join(" ")')" "$D $G"
is "customer @domain: the domain's record and its people's tickets" \
	"$(mdesk customer --format json @readmore.example | jq -c '[.name,.tier,[.tickets[].id]]')" "[\"Read More Bookshops\",\"vip\",[\"$E\"]]"
is "customer ADDRESS of a listed domain: the domain's record" \
	"$(mdesk customer --format json accounts@readmore.example | jq -c '[.name,.tier,.notes,[.tickets[].id]]')" \
	"[\"Read More Bookshops\",\"vip\",\"Trade account TA-1042, 30 days to pay; invoices to accounts@readmore.example\",[\"$E\"]]"
is "customer not in customers.csv: nulls, the tickets" \
	"$(mdesk customer --format json sara.rezaei@example.ir | jq -c '[.name,.tier,.language,.notes,[.tickets[].id]]')" "[null,null,null,null,[\"$C\"]]"
is "customer unknown everywhere: no tickets" \
	"$(mdesk customer --format json nobody@example.net | jq -c '[.customer,.name,.tickets]')" '["nobody@example.net",null,[]]'
mdesk customer --format table margaret.hale@example.com >"$TMP/out"
is "customer --format table: the record" "$(sed -n 1,4p "$TMP/out")" "Customer: Margaret Hale <margaret.hale@example.com>
Tier:     gold
Language: en
Notes:    Collects signed first editions"
check "customer --format table: the tickets, as ls" "grep -q '^$D  *solved' '$TMP/out' && grep -q '^$G  *new' '$TMP/out'"
check "customer --format table, unknown: says so" \
	"mdesk customer --format table nobody@example.net | grep -q '^Customer: nobody@example.net (not in customers.csv)'"
mdesk customer --format csv @example.com | tr -d '\r' >"$TMP/out"
is "customer --format csv: header and the tickets" "$(cut -d, -f1 "$TMP/out" | tr '\n' ' ')" "id $D $G "
mdesk customer >"$TMP/out" 2>"$TMP/err"; rc=$?
is "customer without an address: exit 64" "$rc" 64
is "reading changed nothing: clean" "$(porcelain)" ""

done_testing
