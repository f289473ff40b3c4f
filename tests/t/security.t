#!/bin/sh
# valgrind: no
# Hostile input against the desk's outgoing mail and files: header
# injection (CR/LF raw and RFC 2047-encoded) through customer names,
# subjects, customers.csv, agents.csv and placeholder values into mreply's
# replies, acknowledgements (mreply --ack, mroute --ack) and msla --notify;
# path traversal through Message-IDs, ticket tokens, template names and
# agent logins; template re-expansion; internal notes kept out of outgoing
# mail; customer-supplied X-Mdesk-* fields; Sieve rules that would run
# programs, write files or send mail; two desks acknowledging each other.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D" MDESK_MSGID_SEED=security
cat >"$TMP/sendmail" <<'EOF'
#!/bin/sh
# a mailer that keeps every message, one file each
n=$(ls "$SENT_DIR" 2>/dev/null | wc -l)
cat >"$SENT_DIR/$((n + 1)).eml"
EOF
chmod +x "$TMP/sendmail"
export SENT_DIR=$TMP/sent
mkdir -p "$SENT_DIR"
sed -i "s|^mailer = .*|mailer = sendmail://$TMP/sendmail|" "$D/desk.conf"
git -C "$D" commit -qam "mail through the capture script"
NOW=--now=2026-11-02T12:00:00Z
tdir() { printf '%s/tickets/%.2s/%s' "$D" "$1" "$1"; }
file_msg() { mroute $NOW | sed -n 's/^X-Mdesk-Ticket: //p'; }
# the header block of a message; its field names, one a line
head_of() { sed '/^\r\{0,1\}$/q' "$1"; }
fields() { head_of "$1" | grep -v '^[ 	]' | sed 's/:.*//' | tr 'A-Z' 'a-z'; }
# a sound header: every line a field or a continuation, no CR, no field
# the attack asked for, one To
sound() {	# sound DESC FILE
	_f=$2
	_bad=$(head_of "$_f" | LC_ALL=C grep -n -v -e '^[A-Za-z0-9-]*: ' -e '^[ 	]' -e '^$' | head -3)
	_cr=$(head_of "$_f" | LC_ALL=C grep -c "$(printf '\r')")
	_inj=$(fields "$_f" | grep -c -e '^bcc$' -e '^x-evil$' -e '^x-injected$')
	_to=$(fields "$_f" | grep -c '^to$')
	if [ -s "$_f" ] && [ -z "$_bad" ] && [ "$_cr" = 0 ] && [ "$_inj" = 0 ] && [ "$_to" = 1 ]; then ok 0 "$1"
	else ok 1 "$1"; echo "#   bad lines: $_bad; CRs $_cr; injected fields $_inj; To fields $_to; size $(wc -c <"$_f")"
		head_of "$_f" | sed 's/^/#   /' | head -20; fi
}
# the text of a header, RFC 2047 decoded and unfolded
dhdr() { head_of "$2" | awk -v h="$1" 'BEGIN { IGNORECASE = 1 }
	/^[ \t]/ { if (on) v = v " " substr($0, 2); next }
	{ if (on) exit; on = (tolower(substr($0, 1, length(h) + 1)) == tolower(h) ":"); if (on) v = substr($0, length(h) + 3) }
	END { print v }' | perl -CS -MEncode -ne 'print decode("MIME-Header", $_)'; }
# the body, quoted-printable decoded
dbody() { sed '1,/^$/d' "$1" | perl -MMIME::QuotedPrint -0777 -ne 'print decode_qp($_)'; }

# ---------------------------------------------------------------- header injection
# CR/LF in a customer's name and subject: encoded (Q and B), and a bare CR
b64=$(printf 'Mallory\r\nBcc: victim@evil.example\r\n\r\nInjected body' | base64 -w0)
cat >"$TMP/inj1.eml" <<EOF
From: =?UTF-8?Q?Eve=0D=0ABcc:_victim@evil.example=0D=0AX-Evil:_1?= <eve@example.net>
To: support@lumen.example
Subject: =?UTF-8?Q?Refund=0D=0ABcc:_victim@evil.example=0A=0AInjected_body?=
Message-ID: <inj1@example.net>
Date: Mon, 2 Nov 2026 10:00:00 +0000

Please refund.
EOF
cat >"$TMP/inj2.eml" <<EOF
From: =?UTF-8?B?$b64?= <mallory@example.net>
To: support@lumen.example
Subject: Order$(printf '\r')X-Injected: yes$(printf '\r')Bcc: victim@evil.example
Message-ID: <inj2@example.net>
Date: Mon, 2 Nov 2026 10:00:00 +0000

Where is my order?
EOF
cat >"$TMP/benign.eml" <<'EOF'
From: Grace <grace@example.net>
To: support@lumen.example
Subject: A plain question
Message-ID: <benign@example.net>
Date: Mon, 2 Nov 2026 10:00:00 +0000

Hello.
EOF
T1=$(file_msg <"$TMP/inj1.eml")
T2=$(file_msg <"$TMP/inj2.eml")
TB=$(file_msg <"$TMP/benign.eml")
check "the hostile messages are filed ($T1 $T2)" "test -n '$T1' && test -n '$T2' && test -n '$TB'"
mreply --as ana $NOW --dry-run -t answer <"$TMP/benign.eml" >"$TMP/rb.eml"
for k in 1 2; do
	mreply --as ana $NOW --dry-run -t answer --quote <"$TMP/inj$k.eml" >"$TMP/r$k.eml" 2>"$TMP/err"
	ok $? "mreply answers hostile message $k"
	sound "  ... its header is sound" "$TMP/r$k.eml"
	is "  ... the same fields as a reply to a plain message" "$(fields "$TMP/r$k.eml" | tr '\n' ' ')" "$(fields "$TMP/rb.eml" | tr '\n' ' ')"
	check "  ... the recipient is the customer alone" "dhdr To '$TMP/r$k.eml' | grep -q '<e*[a-z]*@example.net>\$' && ! head_of '$TMP/r$k.eml' | grep -qi 'evil.example>'"
done
is "  ... the name's line breaks became blanks" "$(dhdr To "$TMP/r1.eml")" '"Eve  Bcc: victim@evil.example  X-Evil: 1" <eve@example.net>'
check "  ... the subject's too (and the injected body stays in the subject)" "dhdr Subject '$TMP/r1.eml' | grep -q '^Re: Refund Bcc: victim@evil.example *Injected body \[#$T1\]\$'"
check "  ... a bare CR in a subject is no line break either" "dhdr Subject '$TMP/r2.eml' | grep -q '^Re: Order *X-Injected: yes *Bcc: victim@evil.example \[#$T2\]\$'"
# a template whose Subject and Cc take values: the customer's subject,
# name and address
printf 'Subject: About {{ticket.subject}} for {{customer.name}}\nCc: {{customer.email}}\n\nHello {{customer.name}}.\n' >"$D/templates/probe.txt"
git -C "$D" add templates/probe.txt && git -C "$D" commit -qm probe
for k in 1 2; do
	mreply --as ana $NOW --dry-run -t probe <"$TMP/inj$k.eml" >"$TMP/p$k.eml" 2>"$TMP/err"
	ok $? "a template with placeholders in its header, hostile message $k"
	sound "  ... its header is sound" "$TMP/p$k.eml"
	is "  ... one Cc: the customer" "$(fields "$TMP/p$k.eml" | grep -c '^cc$') $(dhdr Cc "$TMP/p$k.eml")" \
		"1 $(sed -n 's/^From:.*<\(.*\)>$/\1/p' "$TMP/inj$k.eml")"
done
# mreply --send and --ack: what the mailer gets
rm -f "$SENT_DIR"/*
mreply --as ana $NOW --send -t answer <"$TMP/inj1.eml" 2>"$TMP/err"
ok $? "mreply --send to the hostile customer"
sound "  ... the message the mailer got is sound" "$SENT_DIR/1.eml"
for k in 1 2; do
	rm -f "$SENT_DIR"/*
	mreply --ack --send $NOW <"$TMP/inj$k.eml" 2>"$TMP/err"
	ok $? "mreply --ack --send, hostile message $k"
	sound "  ... the acknowledgement is sound" "$SENT_DIR/1.eml"
done
rm -f "$SENT_DIR"/*
sed 's/inj1@/inj3@/; s/eve@/eve3@/' "$TMP/inj1.eml" | mroute --ack $NOW >/dev/null 2>"$TMP/err"
ok $? "mroute --ack of a hostile message"
sound "  ... the acknowledgement is sound" "$SENT_DIR/1.eml"
# customers.csv and agents.csv: names with line breaks (quoted CSV fields)
cat >>"$D/customers.csv" <<'EOF'
grace@example.net,"Grace
Bcc: victim@evil.example",standard,en,
EOF
sed -i 's/^bob,Bob Marsh,/bob,"Bob\nX-Evil: 1",/' "$D/agents.csv"
sed -i 's/^bob,"Bob\\nX-Evil: 1",/bob,"Bob\nX-Evil: 1",/' "$D/agents.csv"
awk '{ if ($0 ~ /^bob,"Bob/) { sub(/\\n/, "\n") } print }' "$D/agents.csv" >"$TMP/a" && cp "$TMP/a" "$D/agents.csv"
git -C "$D" commit -qam "hostile names"
# bob answers from the sales queue, which sends as the agent
sed 's/benign@/sales1@/; s/support@/sales@/; s/A plain question/Trade terms/' "$TMP/benign.eml" >"$TMP/sales.eml"
TS=$(file_msg <"$TMP/sales.eml")
mreply --as bob $NOW --dry-run -t answer <"$TMP/sales.eml" >"$TMP/r4.eml" 2>"$TMP/err"
ok $? "a customer and an agent whose names hold line breaks (customers.csv, agents.csv)"
sound "  ... the header is sound" "$TMP/r4.eml"
is "  ... the agent's name in From, on one line" "$(dhdr From "$TMP/r4.eml")" '"Bob X-Evil: 1" <bob.marsh@lumen.example>'
is "  ... the customer's in To" "$(dhdr To "$TMP/r4.eml")" '"Grace Bcc: victim@evil.example" <grace@example.net>'
# an agent whose email holds a line break: refused where it is read
TF=$(sed 's/benign@/farah1@/; s/A plain question/For Farah/' "$TMP/benign.eml" | file_msg)
mdesk --as ana $NOW assign "$TF" farah >/dev/null
cp "$D/agents.csv" "$TMP/agents.good"
awk '{ if ($0 ~ /^farah,/) { sub(/farah.karimi@lumen.example/, "\"farah.karimi@lumen.example\nBcc: victim@evil.example\"") } print }' "$TMP/agents.good" >"$D/agents.csv"
mdesk check >"$TMP/out" 2>&1; rc=$?
is "agents.csv: an email with a line break: mdesk check exits 78" "$rc" 78
check "  ... and names the line" "grep -q 'agents.csv:[0-9]*: email' '$TMP/out'"
msla --now 2026-11-20T12:00:00Z --notify --dry-run "$TF" >"$TMP/n.mbox" 2>"$TMP/err"; rc=$?
check "  ... msla --notify to her (exit $rc) writes no Bcc" "! grep -qi '^bcc:' '$TMP/n.mbox'"
cp "$TMP/agents.good" "$D/agents.csv"
git -C "$D" checkout -q agents.csv customers.csv
# msla --notify: the hostile subject of a breached ticket
mdesk --as ana $NOW assign "$T1" ana >/dev/null
msla --now 2026-11-20T12:00:00Z --notify "$T1" "$T2" >"$TMP/n.mbox" 2>"$TMP/err"
is "msla --notify on hostile tickets: exit 1 (breached)" "$?" 1
is "  ... one message per mail (no From_ line injected)" "$(grep -c '^From ' "$TMP/n.mbox")" "$(grep -c '^Message-ID: ' "$TMP/n.mbox")"
check "  ... no Bcc, no injected field" "! grep -Eqi '^(bcc|x-evil|x-injected):' '$TMP/n.mbox'"
check "  ... no CR" "! grep -q \"\$(printf '\\r')\" '$TMP/n.mbox'"
msla --now 2026-11-20T12:00:00Z --notify --escalate "lead@lumen.example
Bcc: victim@evil.example" --dry-run >"$TMP/n.mbox" 2>"$TMP/err"
is "msla --escalate with a line break in the address: exit 64" "$?" 64
is "  ... nothing written" "$(wc -c <"$TMP/n.mbox" | tr -d ' ')" 0

# ---------------------------------------------------------------- path traversal
outside() { (cd "$D" && find . -path ./.git -prune -o -path ./tickets -prune -o -type f -print | LC_ALL=C sort | xargs md5sum; ls -a "$D" "$TMP") >"$TMP/outside.$1"; md5sum <"$TMP/outside.$1"; }
: >"$TMP/tr.eml"; : >"$TMP/outside.2"
before=$(outside 1)
for id in '../../../../../tmp/pwn1@x' '../../desk.conf' '/etc/passwd' 'a/../../b@c' '..' "$(printf 'ctl\001\033[2J@x')"; do
	printf 'From: t@example.net\nTo: support@lumen.example\nSubject: traversal\nMessage-ID: <%s>\n\nx\n' "$id" >"$TMP/tr.eml"
	t=$(file_msg <"$TMP/tr.eml")
	check "Message-ID <$(printf %s "$id" | tr -d '\001\033')>: filed in a ticket ($t)" "test -n '$t'"
	check "  ... under tickets/, as NNNN.eml" "ls '$(tdir "$t")' | grep -Eqx '[0-9]{4}\.eml' && test \$(ls '$(tdir "$t")' | grep -Evc '^([0-9]{4}\.eml|events\.jsonl)\$') -eq 0"
	mreply --as ana $NOW --dry-run -t answer <"$TMP/tr.eml" >"$TMP/out" 2>"$TMP/err"
	ok $? "  ... and answered"
done
is "  ... no file outside tickets/ appeared or changed" \
	"$(outside 2)" "$before"
check "  ... no /tmp/pwn1" "test ! -e /tmp/pwn1@x"
check "  ... mdesk check passes" "mdesk check"
# ticket tokens: [#../X] and friends are no tokens
for tok in '../X' '../../desk.conf' "$T1/../$TB" "$(printf %s "$T1" | tr A-Z a-z)" "$T1%2F.." ; do
	printf 'From: eve@example.net\nTo: support@lumen.example\nSubject: Re: hi [#%s]\nMessage-ID: <tok-%s@example.net>\n\nx\n' "$tok" "$(echo "$tok" | tr -c 'A-Za-z0-9' _)" >"$TMP/tok.eml"
	mroute $NOW --explain <"$TMP/tok.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
	t=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")
	is "token [#$tok]: a new ticket (exit $rc), not $T1" "$(sed -n 's/^X-Mdesk-Status: //p' "$TMP/out")" new
done
for bad in '../X' '../../etc/passwd' 'tickets/../../x' "$T1/../$T1" ''; do
	refused "mdesk note '$bad': refused" 65 '.' mdesk --as ana $NOW note "$bad" hello
	mreply --as ana $NOW --dry-run --ticket "$bad" -t answer >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "mreply --ticket '$bad': exit 65, nothing written" "$rc $(wc -c <"$TMP/out" | tr -d ' ')" "65 0"
	mdesk show "$bad" >"$TMP/out" 2>&1; rc=$?
	check "mdesk show '$bad': refused (exit $rc)" "test $rc -ne 0"
done
# template names: -t ../../x
mkdir -p "$TMP/x"
printf 'Subject: pwned\n\nPWNED {{ticket.id}}\n' >"$TMP/x.txt"
cp "$TMP/x.txt" "$D/x.txt"
for t in '../x' '../../x' "$TMP/x" '../desk' '../tickets/../x' 'x/../../x' '.hidden' ''; do
	mreply --as ana $NOW --dry-run -t "$t" <"$TMP/benign.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "mreply -t '$t': exit 78 (no such template), nothing written" "$rc $(wc -c <"$TMP/out" | tr -d ' ')" "78 0"
done
rm -f "$D/x.txt"
# agent logins: --as ../x, agents.csv
for a in '../x' '../../etc/passwd' 'ana/../bob' '.'; do
	refused "mreply --as '$a': refused" 64 "is not in agents.csv" mreply --as "$a" $NOW -t answer <"$TMP/benign.eml"
	refused "mdesk --as '$a' note: refused" 64 "." mdesk --as "$a" $NOW note "$TB" hi
	refused "mdesk agent add '$a': refused" 64 "login" mdesk --as ana $NOW agent add -- "$a" name=X email=x@lumen.example
done
printf '../../x,Evil,evil@lumen.example,support,,en,10,active,../../../x\n' >>"$D/agents.csv"
mdesk check >"$TMP/out" 2>&1; rc=$?
is "agents.csv: a login '../../x': mdesk check exits 78" "$rc" 78
check "  ... at its line" "grep -q \"agents.csv:[0-9]*: login '../../x'\" '$TMP/out'"
git -C "$D" checkout -q agents.csv
sed -i 's/^chen,\(.*\),$/chen,\1,..\/..\/..\/x/' "$D/agents.csv"
mdesk check >"$TMP/out" 2>&1; rc=$?
is "agents.csv: a calendar '../../../x': mdesk check exits 78" "$rc" 78
git -C "$D" checkout -q agents.csv

# ---------------------------------------------------------------- re-expansion
cat >"$TMP/re.eml" <<'EOF'
From: "{{agent.signature}}" <re@example.net>
To: support@lumen.example
Subject: {{agent.name}} {{ticket.id}} {{sla.first_reply.due}} {{customer.email}} {{reply.text}}
Message-ID: <re@example.net>
Date: Mon, 2 Nov 2026 10:00:00 +0000

{{agent.email}} in the body
EOF
TR=$(file_msg <"$TMP/re.eml")
printf '{{agent.name}} and {{ticket.id}} in my own words\n' >"$TMP/text"
printf 'Subject: Re: {{ticket.subject}}\n\nDear {{customer.name}}, about "{{ticket.subject}}":\n{{reply.text}}\n' >"$D/templates/echo.txt"
git -C "$D" add templates/echo.txt && git -C "$D" commit -qm echo
mreply --as ana $NOW --dry-run -t echo --quote --text "$TMP/text" <"$TMP/re.eml" >"$TMP/out" 2>"$TMP/err"
ok $? "placeholders in a customer's name, subject and text, and in --text"
dbody "$TMP/out" >"$TMP/body"
check "  ... the name comes out literally" "grep -qF 'Dear {{agent.signature}}, about' '$TMP/body'"
check "  ... the subject too, in the body" "tr '\\n' ' ' <'$TMP/body' | grep -qF '\"{{agent.name}} {{ticket.id}} {{sla.first_reply.due}} {{customer.email}} {{reply.text}}\"'"
check "  ... and in the Subject field" "dhdr Subject '$TMP/out' | grep -qF 'Re: {{agent.name}} {{ticket.id}} {{sla.first_reply.due}} {{customer.email}} {{reply.text}} [#$TR]'"
check "  ... the agent's text literally" "grep -qF '{{agent.name}} and {{ticket.id}} in my own words' '$TMP/body'"
check "  ... the quoted text literally" "grep -qF '> {{agent.email}} in the body' '$TMP/body'"
check "  ... no value was expanded: no agent's name or address above the signature" "sed '/^-- \$/q' '$TMP/body' | grep -c . && ! sed '/^-- \$/q' '$TMP/body' | grep -Eq 'Ana Ribeiro|ana.ribeiro@'"
rm -f "$SENT_DIR"/*
mreply --ack --send $NOW <"$TMP/re.eml" 2>"$TMP/err"
check "  ... the acknowledgement keeps the subject literally" "dhdr Subject '$SENT_DIR/1.eml' | grep -qF '[#$TR] {{agent.name}} {{ticket.id}} {{sla.first_reply.due}}'"

# ---------------------------------------------------------------- internal notes
MARK=NOTE-7f3a91c-INTERNAL
cat >"$TMP/nt.eml" <<'EOF'
From: Nadia <nadia@example.net>
To: support@lumen.example
Subject: My order
Message-ID: <nt@example.net>
Date: Mon, 2 Nov 2026 10:00:00 +0000

Where is it?
EOF
TN=$(file_msg <"$TMP/nt.eml")
mdesk --as ana $NOW note "$TN" "$MARK: the customer owes us money" >/dev/null
mdesk --as ana $NOW assign "$TN" ana >/dev/null
rm -f "$SENT_DIR"/*
mreply --ack --send $NOW <"$TMP/nt.eml" 2>"$TMP/err"
mreply --as ana --now 2026-11-02T12:05:00Z -t answer --quote --ticket "$TN" >"$TMP/o1.eml"
mreply --as ana --now 2026-11-02T12:06:00Z -t need-more-info --send --quote <"$TMP/nt.eml"
for t in refund closing shipping-delay; do mreply --as ana --now 2026-11-02T12:07:00Z --dry-run -t $t --quote --ticket "$TN"; done >"$TMP/o2.eml"
msla --now 2026-11-30T12:00:00Z --notify "$TN" >"$TMP/o3.mbox"
check "the outgoing mail of a ticket with a note: an ack, replies, an escalation" \
	"test -s '$SENT_DIR/1.eml' && test -s '$SENT_DIR/2.eml' && test -s '$TMP/o1.eml' && grep -q '^Subject: SLA' '$TMP/o3.mbox'"
check "  ... the note is in the desk" "grep -q '$MARK' '$(tdir "$TN")/events.jsonl'"
is "  ... and in none of them (raw or decoded)" \
	"$(for f in "$SENT_DIR"/*.eml "$TMP/o1.eml" "$TMP/o2.eml" "$TMP/o3.mbox"; do cat "$f"; dbody "$f"; done | grep -c "$MARK")" 0

# ---------------------------------------------------------------- X-Mdesk-* from customers
cat >"$TMP/xm.eml" <<EOF
From: Xavier <xavier@example.net>
To: support@lumen.example
Subject: Forged fields
Message-ID: <xm@example.net>
X-Mdesk-Ticket: $T1
x-mdesk-assignee: chen
X-MDESK-Priority: urgent
X-Mdesk-Tags: vip
 refund
X-Mdesk-Status: closed
X-Mdesk-Noack: yes
X-Mdesk-Queue: billing
Date: Mon, 2 Nov 2026 10:00:00 +0000

Forged.
EOF
mroute $NOW <"$TMP/xm.eml" >"$TMP/out"
TX=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")
check "forged X-Mdesk-* fields: a new ticket of its own ($TX), not $T1" "test -n '$TX' && test '$TX' != '$T1'"
is "  ... one of each X-Mdesk field on stdout, the desk's" \
	"$(grep -i '^x-mdesk-' "$TMP/out" | cut -d: -f1 | tr 'A-Z' 'a-z' | sort | uniq -d)" ""
check "  ... no forged value survives" "! grep -Ei '^x-mdesk-(assignee: chen|priority: urgent|status: closed|queue: billing|noack)|^ refund' '$TMP/out'"
is "  ... the ticket: status open (given to an agent), priority normal, queue support, not chen's (away), no vip" \
	"$(mdesk show "$TX" --json | jq -c '[.status, .priority, .queue, .assignee == "chen", (.tags | index("vip"))]')" \
	'["open","normal","support",false,null]'
check "  ... $T1 got no message" "! grep -q 'xm@example.net' '$(tdir "$T1")/events.jsonl'"
rm -f "$SENT_DIR"/*
mreply --ack --send $NOW <"$TMP/xm.eml" 2>"$TMP/err"
is "  ... X-Mdesk-Noack from the customer does not stop the acknowledgement" "$(ls "$SENT_DIR" | wc -l | tr -d ' ')" 1

# ---------------------------------------------------------------- Sieve
for rule in 'require "pipe"; pipe "touch /tmp/pwn2";' \
	'require ["fileinto"]; fileinto "/tmp/pwn2";' \
	'require "fileinto"; if true { fileinto "../../../tmp/pwn2"; }' \
	'redirect "victim@evil.example";' \
	'require "vacation"; vacation "away";' \
	'require "reject"; reject "no";' \
	'discard;' \
	'require "program"; run "touch" "/tmp/pwn2";' \
	'require "include"; include :personal "../../x";' \
	'require "extprograms"; execute "touch /tmp/pwn2";' \
	'if header :contains "subject" "x" { keep; } pipe "touch /tmp/pwn2";'; do
	cp "$D/routing.sieve" "$TMP/sieve.good"
	printf '# hostile\n%s\n' "$rule" >"$D/routing.sieve"
	h=$(head_id)
	sed 's/benign@/sv@/' "$TMP/benign.eml" | mroute $NOW >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "routing.sieve '$rule': mroute exits 78" "$rc" 78
	check "  ... with the line" "grep -q 'routing.sieve:2' '$TMP/err'"
	is "  ... nothing on stdout, no commit, no file" "$(wc -c <"$TMP/out" | tr -d ' ') $(test "$(head_id)" = "$h" && echo same) $(test -e /tmp/pwn2 && echo pwned)" "0 same "
	mdesk check >/dev/null 2>&1
	is "  ... mdesk check exits 78" "$?" 78
	cp "$TMP/sieve.good" "$D/routing.sieve"
done

# a sender cannot escape the rules with an address Mailutils cannot parse
cp "$D/routing.sieve" "$TMP/sieve.good"
printf 'if address :domain :is "from" "spam.example" { spam; stop; }\ntag "seen";\n' >"$D/routing.sieve"
git -C "$D" commit -qam "spam rule"
k=0
for fr in '=?UTF-8?Q?Eve=0D=0ABcc:_v@evil.example?= <eve@spam.example>' 'a: b <eve@spam.example' \
	'<<<eve@spam.example>>>' 'eve@spam.example (unclosed'; do
	k=$((k + 1))
	printf 'From: %s\nTo: support@lumen.example\nSubject: Cheap pills %d\nMessage-ID: <spam%d@spam.example>\n\nBuy.\n' "$fr" $k $k |
		mroute $NOW >"$TMP/out" 2>"$TMP/err"
	is "From: $fr: the rules run (the spam rule matches)" "$(sed -n 's/^X-Mdesk-Tags: //p' "$TMP/out") $(cat "$TMP/err")" "spam "
done
cp "$TMP/sieve.good" "$D/routing.sieve"
git -C "$D" commit -qam "rules back"

# ---------------------------------------------------------------- two desks
# Desk A's customer is desk B's queue and the other way round: each
# acknowledges what the other sends.  Every message either desk sends is
# fed to the other's mroute --ack; the exchange ends after one message.
B=$TMP/deskb
newdesk "$B"
sed -i "s/lumen\.example/other.example/g; s|^mailer = .*|mailer = sendmail://$TMP/sendmail|" "$B/desk.conf" "$B/agents.csv"
git -C "$B" commit -qam "desk B"
mkdir -p "$TMP/sa" "$TMP/sb"
cat >"$TMP/ping.eml" <<'EOF'
From: Desk B <support@other.example>
To: support@lumen.example
Subject: Hello from B
Message-ID: <ping@other.example>
Date: Mon, 2 Nov 2026 10:00:00 +0000

Hello.
EOF
cp "$TMP/ping.eml" "$TMP/sa/in.eml"
rounds=0 total=0
side=A
inbox=$TMP/sa/in.eml
while [ -s "$inbox" ] && [ $rounds -lt 6 ]; do
	rm -rf "$SENT_DIR" && mkdir -p "$SENT_DIR"
	if [ $side = A ]; then MDESK_DIR=$D mroute --ack $NOW <"$inbox" >/dev/null 2>>"$TMP/loop.err"; next=$TMP/sb/in.eml side=B
	else MDESK_DIR=$B mroute --ack $NOW <"$inbox" >/dev/null 2>>"$TMP/loop.err"; next=$TMP/sa/in.eml side=A; fi
	n=$(ls "$SENT_DIR" | wc -l)
	total=$((total + n))
	rm -f "$next"
	[ "$n" -gt 0 ] && cat "$SENT_DIR"/1.eml >"$next"
	inbox=$next
	rounds=$((rounds + 1))
done
is "two desks acknowledging each other: one acknowledgement in all" "$total" 1
is "  ... the exchange ended after 2 deliveries" "$rounds" 2
check "  ... the acknowledgement was marked automatic" "grep -q '^Auto-Submitted: auto-replied' '$TMP/sa/in.eml' || grep -q '^Auto-Submitted: auto-replied' '$TMP/sb/in.eml' || grep -rq '^Auto-Submitted: auto-replied' '$B/tickets'"
check "  ... desk B filed it as automatic mail" "grep -rh '\"type\":\"received\"' '$B'/tickets/*/*/events.jsonl | grep -q '\"auto\":true'"
is "  ... and recorded no acknowledgement; desk A one" \
	"$(cat "$B"/tickets/*/*/events.jsonl | grep -c '"type":"replied"') $(grep -l 'ping@other.example' "$D"/tickets/*/*/events.jsonl | xargs cat | jq -c 'select(.type == "replied" and .auto == true)' | wc -l | tr -d ' ')" "0 1"
done_testing
