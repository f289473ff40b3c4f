#!/bin/sh
# mdesk merge FROM INTO: messages and events copied to INTO, FROM closed
# and pointing at INTO, and mail for FROM's conversation filed into INTO.
. "$(dirname "$0")/../lib.sh"

# ---------------------------------------------------------------- a desk
. "$(dirname "$0")/../desklib.sh"
route() { mroute --now "$2" <"$1" >"$TMP/routed"; sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/routed"; }
tdir() { printf '%s/tickets/%.2s/%s' "$MDESK_DIR" "$1" "$1"; }
events() { cat "$(tdir "$1")/events.jsonl"; }
state() { mdesk show --json "$1" | jq -c "$2"; }
export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR" && manualdesk "$MDESK_DIR"

# Mariana writes about her order (INTO), an agent answers; a day later she
# writes again, anew, about the same order (FROM), and farah answers that.
cat >"$TMP/i1.eml" <<'EOF'
From: Mariana Souza <mari.souza@example.com.br>
To: support@lumen.example
Subject: =?UTF-8?Q?Pedido_LB-51234_atrasado?=
Date: Mon, 9 Nov 2026 10:00:00 -0300
Message-ID: <i1-mari@example.com.br>
Content-Language: pt-BR
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: 8bit

Meu pedido LB-51234 ainda não chegou.
EOF
cat >"$TMP/i2.eml" <<'EOF'
From: Ana Ribeiro <ana.ribeiro@lumen.example>
To: Mariana Souza <mari.souza@example.com.br>
Cc: support@lumen.example
Subject: Re: Pedido LB-51234 atrasado
Date: Mon, 9 Nov 2026 14:00:00 +0000
Message-ID: <i2-ana@lumen.example>
In-Reply-To: <i1-mari@example.com.br>

Olá Mariana, vou verificar com a transportadora.
EOF
cat >"$TMP/f1.eml" <<'EOF'
From: Mariana Souza <mari.souza@example.com.br>
To: support@lumen.example
Subject: =?UTF-8?Q?Onde_est=C3=A1_meu_pedido=3F?=
Date: Tue, 10 Nov 2026 09:00:00 -0300
Message-ID: <f1-mari@example.com.br>
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b-f1"

--b-f1
Content-Type: text/plain; charset=UTF-8
Content-Transfer-Encoding: quoted-printable

Ainda n=C3=A3o recebi o LB-51234!

--b-f1
Content-Type: text/html; charset=UTF-8

<p>Ainda n&atilde;o recebi o LB-51234!</p>

--b-f1--
EOF
cat >"$TMP/f2.eml" <<'EOF'
From: Farah Karimi <farah.karimi@lumen.example>
To: Mariana Souza <mari.souza@example.com.br>
Cc: support@lumen.example
Subject: Re: Onde =?UTF-8?Q?est=C3=A1?= meu pedido?
Date: Tue, 10 Nov 2026 13:00:00 +0000
Message-ID: <f2-farah@lumen.example>
In-Reply-To: <f1-mari@example.com.br>
References: <f1-mari@example.com.br>

We're on it.
EOF
INTO=$(route "$TMP/i1.eml" 2026-11-09T13:00:05Z)
record_reply "$INTO" "$TMP/i2.eml" 2026-11-09T14:00:05Z ana
FROM=$(route "$TMP/f1.eml" 2026-11-10T12:00:05Z)
record_reply "$FROM" "$TMP/f2.eml" 2026-11-10T13:00:05Z farah
mdesk --as farah --now 2026-11-10T13:01:00Z tag "$FROM" shipping
mdesk --as farah --now 2026-11-10T13:02:00Z note "$FROM" '@ana this is your LB-51234 customer'
check "two tickets" "test -n '$INTO' && test -n '$FROM' && test '$INTO' != '$FROM'"
DI=$(tdir "$INTO") DF=$(tdir "$FROM")
cp "$DF/events.jsonl" "$TMP/from.events"
nfrom=$(wc -l <"$DF/events.jsonl" | tr -d ' ')
ninto=$(wc -l <"$DI/events.jsonl" | tr -d ' ')

# ---------------------------------------------------------------- refusals
refused "merge into itself: exit 64" 64 "cannot be merged into itself" mdesk --as ana --now 2026-11-10T14:00:00Z merge "$FROM" "$FROM"
refused "merge without INTO: exit 64" 64 usage mdesk --as ana merge "$FROM"
refused "merge without an agent: exit 64" 64 "who is acting" mdesk --now 2026-11-10T14:00:00Z merge "$FROM" "$INTO"
refused "merge from a ticket that does not exist: exit 66" 66 "^mdesk: ZZZZZZZZ: no such ticket" mdesk --as ana --now 2026-11-10T14:00:00Z merge ZZZZZZZZ "$INTO"
refused "merge into a ticket that does not exist: exit 66" 66 "^mdesk: ZZZZZZZZ: no such ticket" mdesk --as ana --now 2026-11-10T14:00:00Z merge "$FROM" ZZZZZZZZ
refused "merge with a bad ID: exit 65" 65 "ticket ID" mdesk --as ana --now 2026-11-10T14:00:00Z merge "$FROM" "../$INTO"

# ---------------------------------------------------------------- the merge
w "merge FROM INTO" mdesk --as ana --now 2026-11-10T14:00:00Z merge "$FROM" "$INTO"
is "  ... the commit: by ana, its message" "$(git -C "$MDESK_DIR" log -1 --format='%an|%s')" "Ana Ribeiro|$FROM: merged into $INTO by ana"
is "  ... the files it touched" "$(git -C "$MDESK_DIR" show --name-only --format= HEAD | LC_ALL=C sort | sed "s|^tickets/../||" | tr '\n' ' ')" \
	"$FROM/events.jsonl $INTO/0003.eml $INTO/0004.eml $INTO/events.jsonl "
check "  ... FROM's 0001.eml is INTO's 0003.eml, byte for byte" "cmp -s '$DF/0001.eml' '$DI/0003.eml' && cmp -s '$TMP/f1.eml' '$DI/0003.eml'"
check "  ... FROM's 0002.eml is INTO's 0004.eml" "cmp -s '$DF/0002.eml' '$DI/0004.eml' && cmp -s '$TMP/f2.eml' '$DI/0004.eml'"
check "  ... INTO's own messages stay" "cmp -s '$TMP/i1.eml' '$DI/0001.eml' && cmp -s '$TMP/i2.eml' '$DI/0002.eml'"
check "  ... FROM keeps its messages" "cmp -s '$TMP/f1.eml' '$DF/0001.eml' && cmp -s '$TMP/f2.eml' '$DF/0002.eml'"
is "  ... FROM keeps its events, and one more: merged" "$(head -n "$nfrom" "$DF/events.jsonl" | cmp -s - "$TMP/from.events" && echo same) $(wc -l <"$DF/events.jsonl" | tr -d ' ')" \
	"same $((nfrom + 1))"
is "  ... FROM's merged event: by ana, into INTO" "$(tail -1 "$DF/events.jsonl" | jq -c '[.type,.by,.into,.at]')" \
	"[\"merged\",\"ana\",\"$INTO\",\"2026-11-10T14:00:00Z\"]"
is "  ... INTO has its own events, FROM's and a note" "$(wc -l <"$DI/events.jsonl" | tr -d ' ')" $((ninto + nfrom + 1))
is "  ... FROM's events in INTO carry merged_from, their files renamed" \
	"$(jq -c "select(.merged_from == \"$FROM\") | [.type,.by,.file]" "$DI/events.jsonl")" \
	'["received","customer","0003.eml"]
["replied","farah","0004.eml"]
["tagged","farah",null]
["note","farah",null]'
is "  ... the copied events keep their ids" \
	"$(jq -r "select(.merged_from == \"$FROM\") | .id" "$DI/events.jsonl")" "$(jq -r .id "$TMP/from.events")"
is "  ... INTO's note tells of the merge" "$(tail -1 "$DI/events.jsonl" | jq -c '[.type,.by,.text,.merged]')" \
	"[\"note\",\"ana\",\"merged $FROM into this ticket\",\"$FROM\"]"
is "FROM: closed, merged_into INTO" "$(state "$FROM" '[.status,.merged_into]')" "[\"closed\",\"$INTO\"]"
check "FROM: show tells it" "mdesk show $FROM | grep -q '^Merged into: $INTO\$'"
is "INTO: its own subject and customer, the messages of both, the replies of both" \
	"$(state "$INTO" '[.status,.subject,.customer,.messages,.replies]')" \
	'["open","Pedido LB-51234 atrasado","mari.souza@example.com.br",2,2]'
is "INTO: no merged_into" "$(state "$INTO" 'has("merged_into")')" false
is "ls: INTO is open, FROM is not listed" "$(mdesk ls | jq -r .id)" "$INTO"
is "ls --all: FROM's merged_into" "$(mdesk ls --all | jq -r "select(.id == \"$FROM\") | .merged_into")" "$INTO"
mdesk show --mbox "$INTO" >"$TMP/into.mbox"
is "show --mbox INTO: four messages, two threads for mthread" \
	"$(grep -c '^From ' "$TMP/into.mbox") $(mthread -f json "$TMP/into.mbox" | wc -l | tr -d ' ')" "4 2"
check "mdesk check: ok" "mdesk check"
refused "merge FROM again: exit 65" 65 "^mdesk: $FROM: already merged into $INTO" mdesk --as ana --now 2026-11-10T14:05:00Z merge "$FROM" "$INTO"
sed 's/i1-mari@/x1-mari@/; s/LB-51234/LB-59999/' "$TMP/i1.eml" >"$TMP/x1.eml"
X=$(route "$TMP/x1.eml" 2026-11-10T14:10:00Z)
refused "merge into FROM (merged already): exit 65" 65 "^mdesk: $FROM: merged into $INTO; merge into that one" \
	mdesk --as ana --now 2026-11-10T14:11:00Z merge "$X" "$FROM"

# ---------------------------------------------------------------- mail after the merge
cat >"$TMP/f3.eml" <<'EOF'
From: Mariana Souza <mari.souza@example.com.br>
To: Farah Karimi <farah.karimi@lumen.example>, support@lumen.example
Subject: Re: Onde =?UTF-8?Q?est=C3=A1?= meu pedido?
Date: Wed, 11 Nov 2026 09:00:00 -0300
Message-ID: <f3-mari@example.com.br>
In-Reply-To: <f2-farah@lumen.example>
References: <f1-mari@example.com.br> <f2-farah@lumen.example>

Chegou! Obrigada.
EOF
n0=$(commits)
T3=$(route "$TMP/f3.eml" 2026-11-11T12:00:05Z)
is "a reply to FROM's message is filed into INTO" "$T3 $(sed -n 's/^X-Mdesk-Status: //p' "$TMP/routed")" "$INTO reply"
check "  ... as INTO's 0005.eml" "cmp -s '$TMP/f3.eml' '$DI/0005.eml'"
check "  ... FROM gets nothing" "test ! -e '$DF/0003.eml'"
is "  ... FROM's events unchanged" "$(wc -l <"$DF/events.jsonl" | tr -d ' ')" $((nfrom + 1))
is "  ... one commit, clean" "$(($(commits) - n0)) $(porcelain)" "1 "
h0=$(head_id)
T1=$(route "$TMP/f1.eml" 2026-11-11T12:01:00Z)
is "FROM's first message delivered again: a duplicate, shown as INTO's" \
	"$T1 $(sed -n 's/^X-Mdesk-Status: //p' "$TMP/routed") $( [ "$(head_id)" = "$h0" ] && echo unchanged)" "$INTO duplicate unchanged"
cat >"$TMP/f4.eml" <<EOF
From: Mariana Souza <mari.souza@example.com.br>
To: support@lumen.example
Subject: [#$FROM] Mais uma coisa
Date: Wed, 11 Nov 2026 10:00:00 -0300
Message-ID: <f4-mari@example.com.br>

A nota fiscal veio errada.
EOF
T4=$(route "$TMP/f4.eml" 2026-11-11T13:00:05Z)
is "FROM's [#ID] token from its customer: filed into INTO" "$T4" "$INTO"

# a chain: INTO merged into W; FROM's conversation follows both merges
W=$X
w "merge INTO into a third ticket" mdesk --as bob --now 2026-11-11T14:00:00Z merge "$INTO" "$W"
sed 's/f3-mari@/f5-mari@/; s/Chegou! Obrigada./Outra pergunta./' "$TMP/f3.eml" >"$TMP/f5.eml"
T5=$(route "$TMP/f5.eml" 2026-11-11T15:00:05Z)
is "a reply in FROM's conversation follows two merges" "$T5" "$W"
is "W holds every message: 1 + 6 + 1" "$(ls "$(tdir "$W")" | grep -c '\.eml$')" 8
check "mdesk check: ok" "mdesk check"
is "git status is clean" "$(porcelain)" ""

# ---------------------------------------------------------------- an older ticket merged into a newer one
# The ticket merged into another is the older one here: INTO must keep its
# own subject and customer all the same.
newdesk "$TMP/d2" && manualdesk "$TMP/d2"
export MDESK_DIR="$TMP/d2"
OLD=$(route "$TMP/x1.eml" 2026-11-10T14:10:00Z)
sed 's/^From: .*/From: Priya Natarajan <priya.n@example.org>/; s/i1-mari@/p1-priya@/; s/^Subject: .*/Subject: Gift card balance/' "$TMP/i1.eml" >"$TMP/p1.eml"
NEW=$(route "$TMP/p1.eml" 2026-11-12T09:00:00Z)
w "merge an older ticket into a newer one" mdesk --as ana --now 2026-11-12T10:00:00Z merge "$OLD" "$NEW"
is "  ... INTO keeps its subject and customer" "$(state "$NEW" '[.subject,.customer]')" '["Gift card balance","priya.n@example.org"]'
is "  ... INTO counts both messages" "$(state "$NEW" .messages)" 2

done_testing
