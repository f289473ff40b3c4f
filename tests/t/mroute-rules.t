#!/bin/sh
# mroute: routing.sieve (every mdesk action and test), assignment
# (strategies, shifts, holidays, capacity, language, sticky), language
# detection, the subject window, reopen and follow-up tickets, --dry-run
# and --explain, refusals (bad rules, a locked desk) and concurrent
# deliveries.  Times are pinned with --now.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR"

# ---------------------------------------------------------------- the test's desk
cat >"$MDESK_DIR/agents.csv" <<'EOF'
login,name,email,groups,skills,languages,capacity,status,calendar
ana,Ana Ribeiro,ana@lumen.example,support;billing,refunds,pt;en,2,active,br
bob,Bob Marsh,bob@lumen.example,support,,en,,active,eu
chen,Chen Wei,chen@lumen.example,support,accounts,en,5,away,
dmitri,Dmitri Orlov,dmitri@lumen.example,support;billing,,ru;en,3,active,eu
EOF
cat >"$MDESK_DIR/calendars/br.conf" <<'EOF'
timezone = America/Sao_Paulo
mon = 09:00-18:00
tue = 09:00-18:00
wed = 09:00-18:00
thu = 09:00-18:00
fri = 09:00-18:00
[holidays]
11-20 = Dia da Consciência Negra
EOF
cat >"$MDESK_DIR/calendars/eu.conf" <<'EOF'
timezone = Europe/Lisbon
mon = 09:00-17:00
tue = 09:00-17:00
wed = 09:00-17:00
thu = 09:00-17:00
fri = 09:00-17:00
EOF
cat >"$MDESK_DIR/customers.csv" <<'EOF'
email,name,tier,language,notes
vip@bigshop.example,Big Shop,gold,,
@livraria.example,Livraria,,pt-br,
EOF
cat >"$MDESK_DIR/routing.sieve" <<'EOF'
# rules of the test desk
require ["relational", "comparator-i;ascii-numeric"];
if header :contains "subject" "[spam]" {
    spam;
    stop;
}
if header :contains "subject" "reembolso" {
    queue "billing";
    group "billing";
    skill "refunds";
    tag "refund";
}
if header :contains "subject" ["urgente", "срочно"] {
    priority "urgent";
}
if tier "gold" {
    tag "gold";
    priority "high";
}
if language "ru" {
    tag "russian";
}
if body :contains "pedido 4711" {
    tag "order";
}
if header :contains "subject" "for chen" {
    assign "chen";
}
if header :contains "subject" "no ack" {
    noack;
}
if header :contains "subject" "stop here" {
    tag "stopped";
    stop;
}
if header :contains "subject" "stop here" {
    tag "never";
}
EOF
git -C "$MDESK_DIR" add -A && git -C "$MDESK_DIR" commit -qm "test desk"
check "the test desk passes mdesk check" "mdesk check"

# mk FILE FROM SUBJECT BODY [HEADER...]: a message
n=0
mk() {
	_f=$1 _from=$2 _s=$3 _b=$4; shift 4
	n=$((n + 1))
	{ printf 'From: %s\nTo: support@lumen.example\nSubject: %s\nDate: Mon, 23 Nov 2026 12:00:00 +0000\nMessage-ID: <t%d.%s@test.example>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n' "$_from" "$_s" "$n" "$$"
	  for h; do printf '%s\n' "$h"; done
	  printf '\n%s\n' "$_b"; } >"$TMP/$_f"
}
# dry FILE NOW JQ: mroute --dry-run's decision
dry() { mroute --dry-run --now "$2" <"$TMP/$1" 2>"$TMP/err" | jq -c "$3"; }
MON=2026-11-23T13:00:00Z	# 10:00 in São Paulo, 13:00 in Lisbon
NIGHT=2026-11-23T22:00:00Z	# 19:00 and 22:00: both closed
HOL=2026-11-20T13:00:00Z	# a Friday, a holiday in Brazil only

# ---------------------------------------------------------------- the Sieve extension
mk r1.eml 'Maria <maria@cliente.example>' '=?UTF-8?Q?Reembolso_urgente?=' 'Olá, quero o reembolso do pedido 4711, veio errado.'
is "queue, group, skill, tag, priority (subject matched decoded), body" \
	"$(dry r1.eml $MON '[.queue,.priority,.tags,.assignee,.lang]')" '["billing","urgent",["refund","order"],"ana","pt"]'
is "  ... the rule lines that fired" "$(dry r1.eml $MON '.rules')" \
	'["8: queue \"billing\"","9: group \"billing\"","10: skill \"refunds\"","11: tag \"refund\"","14: priority \"urgent\"","24: tag \"order\""]'
is "  ... why each agent was or was not eligible" "$(dry r1.eml $MON '.agents')" \
	'{"ana":"chosen: round-robin, load 0","bob":"not in group billing","chen":"away","dmitri":"lacks skill refunds"}'
is "  ... --dry-run commits nothing" "$(commits)" 3
mk r2.eml 'Big Shop <vip@bigshop.example>' 'Order status' 'Hello, where is our order? We need it for the weekend sale.'
is "tier gold: tag and priority high" "$(dry r2.eml $MON '[.tags,.priority]')" '[["gold"],"high"]'
mk r3.eml 'Иван <ivan@mail.example>' "=?UTF-8?B?$(printf 'срочно' | base64)?=" 'Здравствуйте, мой заказ до сих пор не пришёл, а на странице отслеживания ничего нет.'
is "language ru (detected), subject decoded (срочно): urgent, for dmitri (writes ru)" \
	"$(dry r3.eml $MON '[.lang,.lang_from,.tags,.priority,.assignee]')" '["ru","detected",["russian"],"urgent","dmitri"]'
# a short Spanish text CLD2 calls English, with too few frequent words to
# tell (a line of git's Spanish catalogue), told by the sender's domain
mk r3es.eml 'Lucía <lucia@correo.es>' 'git alias' "bucle de alias detectado: expansión de ' ' no termina:."
sed 's/lucia@correo.es/lucia@mail.example/' "$TMP/r3es.eml" >"$TMP/r3en.eml"
is "language es (detected) from a .es address, en from another" \
	"$(dry r3es.eml $MON '[.lang,.lang_from]')$(dry r3en.eml $MON '.lang')" '["es","detected"]"en"'
mk r4.eml 'Pat <pat@example.org>' 'a question for chen' 'Hello, can Chen look at my account please? Thanks a lot.'
is "assign names an agent who is away: given all the same" "$(dry r4.eml $MON '[.assignee,.assign_why]')" '["chen","named by assign in routing.sieve"]'
mk r5.eml 'Pat <pat@example.org>' 'no ack please' 'Just letting you know that the parcel arrived today.'
is "noack: no acknowledgement" "$(dry r5.eml $MON '.noack')" true
mk r6.eml 'Pat <pat@example.org>' 'stop here' 'Some text for the stop rule of the test desk.'
is "stop: the rules after it do not run" "$(dry r6.eml $MON '.tags')" '["stopped"]'
mk r7.eml 'Spammer <win@spam.example>' '[spam] you won' 'Click here to claim your prize today.'
is "spam: tagged, closed, nobody's, no acknowledgement" "$(dry r7.eml $MON '[.spam,.tags,.assignee,.noack]')" '[true,["spam"],null,true]'
mroute --now $MON <"$TMP/r7.eml" >"$TMP/out" 2>"$TMP/err"
T7=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")
is "  ... the spam ticket is closed" "$(mdesk show --json "$T7" | jq -c '[.status,.tags,.assignee]')" '["closed",["spam"],null]'

# ---------------------------------------------------------------- assignment
mk a1.eml 'Tom <tom@example.net>' 'Shipping time to Canada' 'Hello, how long does shipping to Canada take for two books?'
is "least-loaded on Monday: ana, bob and dmitri eligible; ana (agents.csv order)" \
	"$(dry a1.eml $MON '[.assignee,.agents.bob,.agents.dmitri,.agents.chen]')" '["ana","eligible (load 0)","eligible (load 0)","away"]'
is "at night: nobody on shift, unassigned with the reason" \
	"$(dry a1.eml $NIGHT '[.assignee,.assign_why,.agents.ana,.agents.bob]')" '[null,"no eligible agent","off shift (calendar br)","off shift (calendar eu)"]'
is "on a Brazilian holiday: not ana" "$(dry a1.eml $HOL '[.assignee,.agents.ana]')" '["bob","off shift (calendar br)"]'
# fill ana to her capacity (2), then the next goes to the least loaded other
for i in 1 2; do
	mk c$i.eml "Cust$i <cust$i@example.net>" "Question $i" "Hello, this is question number $i about my order, thanks."
	mroute --now $MON <"$TMP/c$i.eml" >"$TMP/out" 2>"$TMP/err"
	check "delivery $i: assigned" "grep -q '^X-Mdesk-Assignee: ' '$TMP/out'"
done
is "two deliveries: least-loaded spreads them (ana, bob)" \
	"$(mdesk ls --format json | jq -r 'select(.subject | startswith("Question")) | .assignee' | sort | tr '\n' ' ')" "ana bob "
Q2=$(mdesk ls --format json | jq -r 'select(.subject == "Question 2") | .id')
mdesk --as bob --now 2026-11-23T13:00:30Z assign "$Q2" ana >/dev/null 2>&1
is "ana at capacity (2 of 2): passed over; bob and dmitri hold none: agents.csv order" "$(dry a1.eml $MON "[.assignee,.agents.ana]")" '["bob","at capacity (2 of 2)"]'
# round-robin for the group: the agent given a ticket longest ago
sed -i 's/^strategy = .*/strategy = round-robin/' "$MDESK_DIR/desk.conf"
git -C "$MDESK_DIR" commit -qam "round-robin"
is "round-robin: bob (holds no ticket; ana was given hers later)" "$(dry a1.eml $MON '.assignee')" '"bob"'
mroute --now 2026-11-23T13:01:00Z <"$TMP/a1.eml" >/dev/null 2>&1
mk a2.eml 'Zoe <zoe@example.net>' 'Gift cards' 'Hello, do you sell gift cards for the holidays this year?'
is "round-robin: then dmitri (bob was given one just now)" "$(dry a2.eml 2026-11-23T13:02:00Z '[.assignee,.agents.dmitri]')" '["dmitri","chosen: round-robin, load 0"]'
# sticky: a customer's new ticket goes to the agent of their last one
mk s1.eml 'Cust1 <cust1@example.net>' 'Another question' 'Hello again, one more question about the same order.'
is "sticky: cust1's agent (ana is at capacity, so the strategy)" "$(dry s1.eml 2026-11-23T13:02:00Z '.assignee')" '"dmitri"'
mk s2.eml 'Cust2 <cust2@example.net>' 'Another question' 'Hello again, one more question about the same order.'
C2=$(mdesk ls --format json | jq -r 'select(.subject == "Question 2") | .assignee')
Q1=$(mdesk ls --format json | jq -r 'select(.subject == "Question 1") | .id')
mdesk --as ana --now $MON status "$Q1" solved >/dev/null 2>&1
is "sticky: cust2's last agent ($C2) when eligible" "$(dry s2.eml $MON '[.assignee,.assign_why]')" "[\"$C2\",\"chosen: the customer's last agent, load 1\"]"

# ---------------------------------------------------------------- language
lang_is() {
	mk l.eml 'Someone <someone@example.com>' 'Hello' "$2"
	is "language $1: $(printf %.30s "$2")" "$(dry l.eml $MON '.lang')" "\"$1\""
}
lang_is en "Hello, my order has not arrived yet and the tracking page shows nothing. Could you check?"
lang_is pt "Olá, o meu pedido ainda não chegou e a página de rastreio não mostra nada. Podem verificar?"
lang_is es "Hola, mi pedido todavía no ha llegado y la página de seguimiento no muestra nada. ¿Pueden revisarlo?"
lang_is fr "Bonjour, ma commande n'est toujours pas arrivée et le suivi n'affiche rien. Pouvez-vous vérifier ?"
lang_is de "Hallo, meine Bestellung ist immer noch nicht angekommen und die Sendungsverfolgung zeigt nichts an."
lang_is ru "Здравствуйте, мой заказ до сих пор не пришёл, а на странице отслеживания ничего нет."
lang_is fa "سلام، سفارش من هنوز نرسیده است و صفحه پیگیری چیزی نشان نمی‌دهد. لطفا بررسی کنید."
lang_is ar "مرحبا، لم يصل طلبي حتى الآن وصفحة التتبع لا تظهر أي شيء. هل يمكنكم التحقق من ذلك؟"
lang_is zh "你好，我的订单到现在还没有到，物流页面也没有任何信息。请帮我查一下。"
mk l2.eml 'Loja <compras@livraria.example>' 'Order' 'Hello, we would like to order ten copies of the new catalogue.'
is "the customer's record (domain) beats detection" "$(dry l2.eml $MON '[.lang,.lang_from]')" '["pt-br","customer"]'
mk l3.eml 'Loja <compras@livraria.example>' 'Order' 'Bonjour, nous voulons commander dix exemplaires.' 'Content-Language: fr-CA'
is "Content-Language beats the record" "$(dry l3.eml $MON '[.lang,.lang_from]')" '["fr-ca","content-language"]'

# ---------------------------------------------------------------- subject window, reopen, follow-up
mk w1.eml 'Rita <rita@example.pt>' 'Encomenda atrasada' 'Olá, a minha encomenda está atrasada há uma semana.'
W1MID="<t$n.$$@test.example>"
mroute --now 2026-11-23T13:00:00Z <"$TMP/w1.eml" >"$TMP/out" 2>&1
W1=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")
mk w2.eml 'Rita <rita@example.pt>' 'Re: encomenda atrasada' 'Esqueci: o número é 4711.'
is "same customer, same base subject, no references, within 2d: joins" \
	"$(dry w2.eml 2026-11-24T13:00:00Z '[.ticket,.new,.thread]')" "[\"$W1\",false,\"subject\"]"
is "  ... not after the window" "$(dry w2.eml 2026-11-26T13:00:01Z '[.new,.thread]')" '[true,"new"]'
mk w3.eml 'Other <other@example.pt>' 'Encomenda atrasada' 'Olá, a minha encomenda também está atrasada.'
is "  ... not for another customer" "$(dry w3.eml 2026-11-24T13:00:00Z '.new')" true
mroute --now 2026-11-24T13:00:00Z <"$TMP/w2.eml" >/dev/null 2>&1
mdesk --as ana --now 2026-11-24T14:00:00Z status "$W1" solved >/dev/null 2>&1
mk w4.eml 'Rita <rita@example.pt>' 'Re: Encomenda atrasada' 'Chegou, mas faltou um livro.' "In-Reply-To: $W1MID"
mroute --now 2026-11-25T10:00:00Z <"$TMP/w4.eml" >"$TMP/out" 2>&1
is "a reply to a solved ticket reopens it" "$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out") $(mdesk show --json "$W1" | jq -r '"\(.status) \(.reopened)"')" "$W1 open 1"
mk w5.eml 'Mailer <mailer-daemon@mx.example.pt>' 'Re: Encomenda atrasada' 'Delivery failed' "In-Reply-To: $W1MID" 'Auto-Submitted: auto-replied'
mdesk --as ana --now 2026-11-25T11:00:00Z status "$W1" solved >/dev/null 2>&1
mroute --now 2026-11-25T12:00:00Z <"$TMP/w5.eml" >/dev/null 2>&1
is "automatic mail never reopens" "$(mdesk show --json "$W1" | jq -r .status)" solved
mdesk --as ana --now 2026-11-25T13:00:00Z status "$W1" closed >/dev/null 2>&1
mk w6.eml 'Rita <rita@example.pt>' 'Re: Encomenda atrasada' 'Mais uma pergunta sobre a encomenda.' "In-Reply-To: $W1MID"
mroute --now 2026-11-26T10:00:00Z <"$TMP/w6.eml" >"$TMP/out" 2>&1
W6=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")
is "a reply to a closed ticket opens a new one" "$(sed -n 's/^X-Mdesk-Status: //p' "$TMP/out") $( [ "$W6" != "$W1" ] && echo other)" "new other"
is "  ... that follows the old one" "$(jq -r 'select(.type == "received") | .follows' "$MDESK_DIR/tickets/$(printf %.2s "$W6")/$W6/events.jsonl")" "$W1"
is "  ... the closed ticket is untouched" "$(mdesk show --json "$W1" | jq -r .status)" closed

# ---------------------------------------------------------------- --explain
mk e1.eml 'Eve <eve@example.org>' 'Explain me' 'Hello, this message is routed with explanations please.'
mroute --explain --now $MON <"$TMP/e1.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--explain: filed (exit 0, the message on stdout)" "$rc $(grep -c '^X-Mdesk-Ticket' "$TMP/out")" "0 1"
is "--explain: the decisions on stderr as JSON" "$(jq -c '[.new,.queue,(.agents | length)]' "$TMP/err")" '[true,"support",4]'

# ---------------------------------------------------------------- refusals
h=$(head_id)
printf 'if header :contains "subject" "x" {\n  priority "hgih";\n}\nfileinto "INBOX";\n' >"$MDESK_DIR/routing.sieve"
git -C "$MDESK_DIR" commit -qam "broken rules"
h=$(head_id)
mroute --now $MON <"$TMP/e1.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "broken routing.sieve: exit 78, nothing on stdout" "$rc $(wc -c <"$TMP/out" | tr -d ' ')" "78 0"
check "  ... with line and column of each fault" \
	"grep -q 'routing.sieve:2:12: priority \"hgih\"' '$TMP/err' && grep -q \"routing.sieve:4:1: unknown command or test 'fileinto'\" '$TMP/err'"
is "  ... the desk unchanged" "$(head_id) $(porcelain)" "$h "
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
check "mdesk check reports routing.sieve too (exit 78)" "[ $rc -eq 78 ] && grep -q 'routing.sieve:2' '$TMP/err'"
git -C "$MDESK_DIR" revert --no-edit HEAD >/dev/null
# a held lock: exit 75, stdout empty, desk unchanged
h=$(head_id)
if command -v flock >/dev/null; then
	mkdir -p "$MDESK_DIR/.git/mdesk"
	( flock 9; sleep 4 ) 9>>"$MDESK_DIR/.git/mdesk/lock" &
	sleep 0.5
	MDESK_LOCK_TIMEOUT=1 mroute --now $MON <"$TMP/e1.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "a locked desk: exit 75, nothing on stdout" "$rc $(wc -c <"$TMP/out" | tr -d ' ')" "75 0"
	is "  ... the desk unchanged" "$(head_id) $(porcelain)" "$h "
	wait
else
	skip "flock(1) is not installed" 2
fi

# ---------------------------------------------------------------- an mbox: the reading process
# Over an mbox a second process parses each message, tells its language
# and runs the rules while mroute files the one before.  The desk comes
# out the same as with the messages delivered one at a time, and a reply
# whose own words tell no language takes the ticket's, the rules run
# again with it (tag "russian" fired for the reply too).
rm -rf "$TMP/one" "$TMP/box0"
cp -R "$MDESK_DIR" "$TMP/one"
cp -R "$MDESK_DIR" "$TMP/box0"
mk b1.eml 'Иван <ivan.box@mail.example>' 'Посылка' 'Здравствуйте, мой заказ до сих пор не пришёл, а на странице отслеживания ничего нет.'
b1=$n
mk b2.eml 'Иван <ivan.box@mail.example>' 'Re: Посылка' 'ok?' "In-Reply-To: <t$b1.$$@test.example>"
mk b3.eml 'Maria <maria.box@cliente.example>' '=?UTF-8?Q?Reembolso_urgente?=' 'Olá, quero o reembolso do pedido 4711, veio errado.' 'Content-Language: pt-BR'
mk b4.eml 'Big Shop <vip@bigshop.example>' 'Order status' 'Hello, where is our order? We need it for the weekend sale.'
for f in b1 b2 b3 b4 b1; do
	printf 'From sender@example.com Mon Nov 23 12:00:00 2026\n'
	sed 's/^From />From /' "$TMP/$f.eml"
	printf '\n'
done >"$TMP/box.mbox"
for f in b1 b2 b3 b4 b1; do
	MDESK_DIR=$TMP/one mroute --now $MON <"$TMP/$f.eml" >/dev/null 2>>"$TMP/one.err"
done
# an mbox filed in one run: the same as one delivery at a time
for batch in 1000 2; do
	rm -rf "$TMP/box"
	cp -R "$TMP/box0" "$TMP/box"
	MDESK_DIR=$TMP/box mroute --now $MON --batch $batch --explain "$TMP/box.mbox" >"$TMP/box.out" 2>"$TMP/box.err"
	is "mbox (--batch $batch): exit 0, five messages out" "$?:$(grep -c '^X-Mdesk-Ticket:' "$TMP/box.out")" "0:5"
	is "  ... the same tickets and events as one delivery at a time" \
		"$(cd "$TMP/box" && cat tickets/*/*/events.jsonl | sort | cksum)" \
		"$(cd "$TMP/one" && cat tickets/*/*/events.jsonl | sort | cksum)"
	is "  ... the same messages stored" "$(cd "$TMP/box" && cat tickets/*/*/*.eml | cksum)" \
		"$(cd "$TMP/one" && cat tickets/*/*/*.eml | cksum)"
	is "  ... the reply: the ticket's language, the rules run with it" \
		"$(sed -n 2p "$TMP/box.err" | jq -c '[.thread,.lang,.lang_from,.rules]')" \
		'["in-reply-to","ru","ticket",["21: tag \"russian\""]]'
	is "  ... Content-Language and the customer's tier" \
		"$(sed -n 3,4p "$TMP/box.err" | jq -c '[.lang_from,.tags]' | tr -d '\n')" \
		'["content-language",["refund","order"]]["detected",["gold"]]'
	is "  ... the same message again: a duplicate" "$(sed -n 5p "$TMP/box.err" | jq -r .thread)" duplicate
	check "  ... git fsck is clean" "git -C '$TMP/box' fsck --no-progress >/dev/null 2>&1"
	is "  ... git status is clean" "$(git -C "$TMP/box" status --porcelain)" ""
done

# ---------------------------------------------------------------- concurrent deliveries
# 8 mroutes at once, each a mailbox of its own filed a commit per message
# (--batch 1: as procmail runs one mroute per message; the sanitizer
# build is slower, so fewer there)
P=8 N=${MROUTE_N:-250}
[ -n "${MDESK_SANITIZED:-}" ] && N=40
rm -rf "$TMP/cd"; newdesk "$TMP/cd"
for p in $(seq 1 $P); do
	for i in $(seq 1 $N); do
		printf 'From cust%d@example.com Mon Nov 23 12:00:00 2026\nFrom: Customer %d <cust%d-%d@example.com>\nTo: support@lumen.example\nSubject: Question %d from process %d\nMessage-ID: <c%d.%d@example.com>\n\nHello, question %d.\n\n' \
			"$p" "$i" "$p" "$i" "$i" "$p" "$p" "$i" "$i"
	done >"$TMP/p$p.mbox"
done
for p in $(seq 1 $P); do
	( 	  MDESK_LOCK_TIMEOUT=600 MDESK_DIR=$TMP/cd mroute --batch 1 --now $MON "$TMP/p$p.mbox" >"$TMP/p$p.out" 2>"$TMP/p$p.err"; echo $? >"$TMP/p$p.rc" ) &
done
wait
is "$P concurrent mroutes: all exit 0" "$(cat "$TMP"/p*.rc | sort -u | tr -d '\n')" 0
is "  ... $((P * N)) tickets, each filed once" \
	"$(cat "$TMP"/cd/tickets/*/*/events.jsonl | jq -r 'select(.type == "received") | .message_id' | sort | uniq | wc -l | tr -d ' ') $(cat "$TMP"/cd/tickets/*/*/events.jsonl | grep -c '"type":"received"')" \
	"$((P * N)) $((P * N))"
is "  ... one commit each" "$(git -C "$TMP/cd" rev-list --count HEAD)" $((P * N + 2))
check "  ... git fsck is clean" "git -C '$TMP/cd' fsck --no-progress >/dev/null 2>&1"
is "  ... git status is clean" "$(git -C "$TMP/cd" status --porcelain)" ""

done_testing
