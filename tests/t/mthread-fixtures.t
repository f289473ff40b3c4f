#!/bin/sh
# valgrind: yes
# mthread: threading rules on the focused fixtures of tests/data/mail/.
# Expected values were worked out by hand from the interface (see
# tests/data/mail/README); each is stated next to its test.
. "$(dirname "$0")/../lib.sh"
M=$DATA/mail

ids() { jq -r '.messages[] | select(.ghost | not) | .message_id'; }
pairs() { jq -r '.messages[] | "\(.message_id) \(.parent // "-")"' | LC_ALL=C sort; }
nthreads() { grep -c '^{' ; }
parent_of() {	# parent_of ID <json: the parent of message ID, "-" for none
	jq -r --arg id "$1" '.messages[] | select(.message_id == $id) | .parent // "-"'
}
field_of() {	# field_of ID FIELD <json
	jq -c --arg id "$1" ".messages[] | select(.message_id == \$id) | .$2"
}
# the threads as sorted lists of their real message ids, one thread a line
groups() { jq -c '[.messages[] | select(.ghost | not) | .message_id] | sort' | LC_ALL=C sort; }
# each message once: real entries = distinct ids = N
once() {	# once N DESCRIPTION <json
	f=$TMP/.once; cat >"$f"
	is "$2: $1 messages" "$(ids <"$f" | wc -l | tr -d ' ')" "$1"
	is "$2: no message twice" "$(ids <"$f" | sort | uniq -d)" ""
}
reverse_mbox() {	# reverse_mbox FILE: the messages of an mbox in reverse order
	awk '/^From / && (NR == 1 || p == "") { n++ } { p = $0; printf "%d\t%s\n", n, $0 }' "$1" |
	LC_ALL=C sort -t "$(printf '\t')" -k1,1nr -s | cut -f2-
}

# ---------------------------------------------------------------- multipart-mixed.mbox
# 3 messages, one thread; the forwarded message/rfc822 part carries its own
# Message-ID, In-Reply-To and References, which must not be read.
mthread "$M/multipart-mixed.mbox" >"$TMP/mm.json"
mm1=CAF8x2mm1Qp7sLw0dK3vTzY=mm-1@mail.gmail.example
mm2=5e0c7a51-2f1d-4b8e-9a3c-mm-2@lumen.example
mm3=CAF8x2mm3Rr9uVb1eF5wXzA=mm-3@mail.gmail.example
is "multipart-mixed: 1 thread" "$(nthreads <"$TMP/mm.json")" 1
once 3 multipart-mixed <"$TMP/mm.json"
is "multipart-mixed: parents" "$(pairs <"$TMP/mm.json")" "$mm2 $mm1
$mm1 -
$mm3 $mm2"
is "multipart-mixed: headers of an attached message are not the message's" \
	"$(grep -c 'courier-77' "$TMP/mm.json")" 0

# ---------------------------------------------------------------- mangled-ids.mbox
# 12 messages: 11 under mangle-root, mangle-g alone (its only reference is <yes>).
mthread "$M/mangled-ids.mbox" >"$TMP/mg.json"
is "mangled-ids: 2 threads" "$(nthreads <"$TMP/mg.json")" 2
once 12 mangled-ids <"$TMP/mg.json"
R=mangle-root@example.scot
is "In-Reply-To names the parent (b)" "$(parent_of mangle-b@lumen.example <"$TMP/mg.json")" "$R"
is "In-Reply-To 'Your message of ... <id>' names the id after the words (c -> b)" \
	"$(parent_of mangle-c@example.scot <"$TMP/mg.json")" mangle-b@lumen.example
is "two ids in In-Reply-To: References decide, deepest present (d -> b)" \
	"$(parent_of mangle-d@lumen.example <"$TMP/mg.json")" mangle-b@lumen.example
is "comments around and between References ids are skipped (e -> d)" \
	"$(parent_of mangle-e@example.scot <"$TMP/mg.json")" mangle-d@lumen.example
# RFC 5322 4.5.4 (obs-id-left/obs-id-right allow CFWS): <mangle-e@ example.scot> is mangle-e@example.scot
is "a References id folded inside its brackets is the same id (f -> e)" \
	"$(parent_of mangle-f@lumen.example <"$TMP/mg.json")" mangle-e@example.scot
is "<yes> is no reference: g is a root" "$(parent_of mangle-g@example.scot <"$TMP/mg.json")" -
is "In-Reply-To <yes> is ignored, References used (h -> root)" \
	"$(parent_of mangle-h@example.scot <"$TMP/mg.json")" "$R"
is "self reference dropped (i -> b)" "$(parent_of mangle-i@example.scot <"$TMP/mg.json")" mangle-b@lumen.example
# RFC 5322: msg-id = [CFWS] "<" id-left "@" id-right ">" [CFWS]; a trailing comment keeps one clean id
is "Message-Id/In-reply-to in other cases, with trailing comments (j -> f)" \
	"$(parent_of mangle-j@lumen.example <"$TMP/mg.json")" mangle-f@lumen.example
is "In-Reply-To wins over deeper References (k -> root)" \
	"$(parent_of mangle-k@example.scot <"$TMP/mg.json")" "$R"
is "In-Reply-To not in the input: deepest References present (l -> b)" \
	"$(parent_of mangle-l@example.scot <"$TMP/mg.json")" mangle-b@lumen.example
is "mangled-ids: 'yes' appears nowhere" "$(jq -r '.messages[] | .message_id, .parent' "$TMP/mg.json" | grep -c '^yes$')" 0
is "mangled-ids: no ghosts (mangle-missing is not needed)" \
	"$(jq -s '[.[].messages[] | select(.ghost)] | length' "$TMP/mg.json")" 0
is "depth follows the parents (f: root > b > d > e > f = 4)" \
	"$(field_of mangle-f@lumen.example depth <"$TMP/mg.json")" 4
reverse_mbox "$M/mangled-ids.mbox" | mthread | pairs >"$TMP/mg.rev"
is "mangled-ids reversed: same parents" "$(cat "$TMP/mg.rev")" "$(pairs <"$TMP/mg.json")"

# ---------------------------------------------------------------- --explain
mthread --explain "$M/mangled-ids.mbox" >"$TMP/mgx.json"
is "--explain: root" "$(field_of "$R" why <"$TMP/mgx.json")" '"root"'
is "--explain: in-reply-to" "$(field_of mangle-b@lumen.example why <"$TMP/mgx.json")" '"in-reply-to"'
is "--explain: in-reply-to (words before the id)" "$(field_of mangle-c@example.scot why <"$TMP/mgx.json")" '"in-reply-to"'
is "--explain: references (comments)" "$(field_of mangle-e@example.scot why <"$TMP/mgx.json")" '"references"'
is "--explain: root (<yes>)" "$(field_of mangle-g@example.scot why <"$TMP/mgx.json")" '"root"'
is "--explain: in-reply-to (k)" "$(field_of mangle-k@example.scot why <"$TMP/mgx.json")" '"in-reply-to"'
is "without --explain: no why" "$(jq '[.messages[] | select(has("why"))] | length' "$TMP/mg.json" | sort -u)" 0
is "--explain changes nothing else" "$(jq -c 'del(.messages[].why)' "$TMP/mgx.json")" "$(jq -c . "$TMP/mg.json")"

# ---------------------------------------------------------------- ghost.mbox
# ghost-root@lumen.example is referenced but absent: a ghost root of x, z
# (and so y, v); v's In-Reply-To ghost-later is absent, its References
# reach x.  w refers only to absent ghost-a, ghost-b: ghost parent ghost-b.
mthread "$M/ghost.mbox" >"$TMP/gh.json"
once 5 ghost <"$TMP/gh.json"
is "ghost: 2 threads" "$(nthreads <"$TMP/gh.json")" 2
G=ghost-root@lumen.example
is "ghost: x's parent is the missing root" "$(parent_of ghost-x@example.com.br <"$TMP/gh.json")" "$G"
is "ghost: y -> x" "$(parent_of ghost-y@lumen.example <"$TMP/gh.json")" ghost-x@example.com.br
is "ghost: z (References only) -> the missing root" "$(parent_of ghost-z@example.com.br <"$TMP/gh.json")" "$G"
is "ghost: v -> x (deepest References present beats an absent In-Reply-To)" \
	"$(parent_of ghost-v@example.com.br <"$TMP/gh.json")" ghost-x@example.com.br
is "ghost: w -> ghost-b (last reference as phantom)" "$(parent_of ghost-w@uol.example <"$TMP/gh.json")" ghost-b@lumen.example
is "ghost: the missing root is a ghost, listed once, first, depth 0, no index" \
	"$(jq -c '.messages[] | select(.message_id == "ghost-root@lumen.example") | [.ghost, .depth, .parent, has("index")]' "$TMP/gh.json")" \
	'[true,0,null,false]'
is "ghost: the root's thread counts 4 real messages" \
	"$(jq 'select(.messages[0].message_id == "ghost-root@lumen.example") | .count' "$TMP/gh.json")" 4
is "ghost: depths x1 y2 z1 v2" \
	"$(jq -r '.messages[] | select(.message_id | test("^ghost-[xyzv]@")) | "\(.message_id | .[6:7])\(.depth)"' "$TMP/gh.json" | sort | tr -d '\n')" \
	"v2x1y2z1"
is "ghost: ghost-b is a ghost" "$(field_of ghost-b@lumen.example ghost <"$TMP/gh.json")" true
is "ghost: an absent In-Reply-To with a present References makes no ghost" \
	"$(grep -c 'ghost-later' "$TMP/gh.json")" 0
mthread --explain "$M/ghost.mbox" >"$TMP/ghx.json"
is "--explain: phantom" "$(field_of ghost-x@example.com.br why <"$TMP/ghx.json")" '"phantom"'
is "--explain: references (v)" "$(field_of ghost-v@example.com.br why <"$TMP/ghx.json")" '"references"'

# ---------------------------------------------------------------- loop.mbox
# a <-> b and x -> z -> y -> x: 2 threads, 5 messages, loops refused.
mthread "$M/loop.mbox" >"$TMP/lp.json" 2>"$TMP/err"; rc=$?
is "loop: exit 0" "$rc" 0
is "loop: 2 threads" "$(nthreads <"$TMP/lp.json")" 2
once 5 loop <"$TMP/lp.json"
is "loop: no ghosts" "$(jq -c '[.messages[] | select(.ghost)]' "$TMP/lp.json" | sort -u)" "[]"
is "loop: one root per thread" "$(jq -c '[.messages[] | select(.parent == null)] | length' "$TMP/lp.json" | sort -u)" 1
is "loop: every parent is in its thread" \
	"$(jq -c '[.messages[].message_id] as $in | [.messages[] | select(.parent != null) | .parent | IN($in[])] | all' "$TMP/lp.json" | sort -u)" true
is "loop: groups" "$(groups <"$TMP/lp.json")" '["loop-a@example.com","loop-b@example.com"]
["loop-x@example.com","loop-y@example.com","loop-z@example.com"]'
reverse_mbox "$M/loop.mbox" | mthread | pairs >"$TMP/lp.rev"
is "loop reversed: same parents" "$(cat "$TMP/lp.rev")" "$(pairs <"$TMP/lp.json")"
mthread --explain "$M/loop.mbox" >"$TMP/lpx.json"
check "--explain: a refused parent is marked loop:true" \
	"jq -r '.messages[] | select(.loop == true) | .why' '$TMP/lpx.json' | grep -qx root"

# ---------------------------------------------------------------- dups.mbox
# dup-1 twice (sales@ and support@ copies), dup-2 answers it, dup-3 twice
# with different text: 3 messages; the first copy counts.
mthread "$M/dups.mbox" >"$TMP/dp.json"
once 3 dups <"$TMP/dp.json"
is "dups: 2 threads" "$(nthreads <"$TMP/dp.json")" 2
is "dups: the first copy is the message (index 1, index 4)" \
	"$(jq -r '.messages[] | "\(.message_id) \(.index)"' "$TMP/dp.json" | sort)" \
	"dup-1@example.org 1
dup-2@lumen.example 3
dup-3@lumen.example 4"
is "dups: dup-3 keeps the first copy's subject" "$(field_of dup-3@lumen.example subject <"$TMP/dp.json")" '"New titles in November"'
is "dups: counts" "$(jq -c .count "$TMP/dp.json" | sort | tr '\n' ' ')" "1 2 "
mthread --dups "$M/dups.mbox" >"$TMP/dpd.json"
is "--dups: all 5 input messages are listed" "$(ids <"$TMP/dpd.json" | wc -l | tr -d ' ')" 5
is "--dups: the copies' indexes" "$(jq -r '.messages[] | select(.ghost | not) | "\(.message_id) \(.index)"' "$TMP/dpd.json" | sort)" \
	"dup-1@example.org 1
dup-1@example.org 2
dup-2@lumen.example 3
dup-3@lumen.example 4
dup-3@lumen.example 5"
is "--dups: still 2 threads" "$(nthreads <"$TMP/dpd.json")" 2
mthread --dups --explain "$M/dups.mbox" >"$TMP/dpx.json"
is "--dups --explain: the later copies are 'duplicate'" \
	"$(jq -r '.messages[] | select(.why == "duplicate") | .index' "$TMP/dpx.json" | sort | tr '\n' ' ')" "2 5 "

# ---------------------------------------------------------------- join.mbox
# 5 messages, one conversation.  p hangs under the ghost join-missing; r's
# In-Reply-To names p, its References the root: r joins the root's thread,
# whose root is older, so the ghost hangs under the root.  mh and mh2 carry
# exmh/MH In-Reply-To fields: the id after the words is the parent, not the
# sender's address.
mthread --explain "$M/join.mbox" >"$TMP/jn.json"
is "join: 1 thread" "$(nthreads <"$TMP/jn.json")" 1
once 5 join <"$TMP/jn.json"
is "join: parents" "$(pairs <"$TMP/jn.json")" "join-mh2@example.org join-mh@lumen.example
join-mh@lumen.example join-root@example.org
join-missing@lumen.example join-root@example.org
join-p@lumen.example join-missing@lumen.example
join-r@example.org join-p@lumen.example
join-root@example.org -"
is "join: the ghost joined through References" "$(field_of join-missing@lumen.example why <"$TMP/jn.json")" '"references"'
is "join: exmh In-Reply-To" "$(field_of join-mh@lumen.example why <"$TMP/jn.json")" '"in-reply-to"'
is "join: no sender address taken as an id" \
	"$(jq -r '.messages[] | .message_id, .parent' "$TMP/jn.json" | grep -c '^tom.lane\|^chen.wei')" 0
reverse_mbox "$M/join.mbox" | mthread | pairs >"$TMP/jn.rev"
is "join reversed: same parents" "$(cat "$TMP/jn.rev")" "$(pairs <"$TMP/jn.json")"

# ---------------------------------------------------------------- dates.mbox
# P: p0 12:00Z; children p1 13:00Z (-0300), p2 12:30Z, p3 12:15Z (+0330),
#    p4 13:10Z (EST), p5 13:05Z (GMT, no weekday, no seconds)
# Q: q0 06:00Z (-0800, Nov 1 locally), q1 23:00Z (+0300, Nov 3 locally)
# R: r0 without Date, r1 11:00Z.  Last activity: R 11:00 < P 13:10 < Q 23:00.
mthread "$M/dates.mbox" >"$TMP/dt.json"
once 10 dates <"$TMP/dt.json"
is "dates: threads by last activity, oldest first" \
	"$(jq -r '.messages[0].message_id' "$TMP/dt.json" | tr '\n' ' ')" \
	"date-r0@example.co.uk date-p0@example.com.br date-q0@fastpost.example "
is "dates: children by their own date, whatever the zone" \
	"$(jq -r 'select(.messages[0].message_id == "date-p0@example.com.br") | .messages[] | "\(.message_id | .[5:7]) \(.date)"' "$TMP/dt.json")" \
	"p0 2026-11-02T12:00:00Z
p3 2026-11-02T12:15:00Z
p2 2026-11-02T12:30:00Z
p1 2026-11-02T13:00:00Z
p5 2026-11-02T13:05:00Z
p4 2026-11-02T13:10:00Z"
is "dates: zones -0800 and +0300 across midnight" \
	"$(jq -r 'select(.messages[0].message_id == "date-q0@fastpost.example") | .messages[].date' "$TMP/dt.json" | tr '\n' ' ')" \
	"2026-11-02T06:00:00Z 2026-11-02T23:00:00Z "
is "dates: first and last" "$(jq -r 'select(.messages[0].message_id == "date-p0@example.com.br") | "\(.first) \(.last)"' "$TMP/dt.json")" \
	"2026-11-02T12:00:00Z 2026-11-02T13:10:00Z"
is "dates: no Date header gives date null" "$(field_of date-r0@example.co.uk date <"$TMP/dt.json")" null
is "dates: a thread's last activity ignores a missing date" \
	"$(jq -r 'select(.messages[0].message_id == "date-r0@example.co.uk") | .last' "$TMP/dt.json")" "2026-11-02T11:00:00Z"
is "dates: participants lower-case, each once, root's sender first" \
	"$(jq -c 'select(.messages[0].message_id == "date-p0@example.com.br") | [.participants[0], (.participants | sort)]' "$TMP/dt.json")" \
	'["carla.nunes@example.com.br",["ana.ribeiro@lumen.example","bob.marsh@lumen.example","carla.nunes@example.com.br","chen.wei@lumen.example","farah.karimi@lumen.example"]]'
mthread -r "$M/dates.mbox" >"$TMP/dtr.json"
is "dates -r: newest first" "$(jq -r '.messages[0].message_id' "$TMP/dtr.json" | tr '\n' ' ')" \
	"date-q0@fastpost.example date-p0@example.com.br date-r0@example.co.uk "
is "dates -r: messages inside a thread keep their order" \
	"$(jq -c 'select(.messages[0].message_id == "date-p0@example.com.br") | [.messages[].message_id]' "$TMP/dtr.json")" \
	"$(jq -c 'select(.messages[0].message_id == "date-p0@example.com.br") | [.messages[].message_id]' "$TMP/dt.json")"

# ---------------------------------------------------------------- crlf.mbox
# 3 messages with CRLF line ends, one thread: 0001 <- crlf-2 <- 0003.
c1=DB9PR03MB73210001AAAABBBBCCCC@DB9PR03MB7321.eurprd03.prod.outlook.example
c3=DB9PR03MB73210003DDDDEEEEFFFF@DB9PR03MB7321.eurprd03.prod.outlook.example
mthread "$M/crlf.mbox" >"$TMP/crlf.json" 2>"$TMP/err"; rc=$?
is "crlf: exit 0" "$rc" 0
is "crlf: 1 thread" "$(nthreads <"$TMP/crlf.json")" 1
is "crlf: parents" "$(pairs <"$TMP/crlf.json")" "$c1 -
$c3 crlf-2@lumen.example
crlf-2@lumen.example $c1"
is "crlf: no CR in any field" "$(grep -c '\\r' "$TMP/crlf.json")" 0
tr -d '\r' <"$M/crlf.mbox" >"$TMP/lf.mbox"
mthread "$TMP/lf.mbox" >"$TMP/lf.json"
is "crlf: same parents as with LF" "$(pairs <"$TMP/crlf.json")" "$(pairs <"$TMP/lf.json")"
check "crlf: same JSON as with LF" "cmp '$TMP/crlf.json' '$TMP/lf.json'"
is "crlf: subject and date of the last message" "$(jq -c --arg id "$c3" '.messages[] | select(.message_id == $id) | [.subject, .date]' "$TMP/crlf.json")" \
	'["RE: Invoice for order LB-54988","2026-11-04T08:59:40Z"]'

# ---------------------------------------------------------------- mboxrd.mbox
# >From and >>From body lines do not split messages: 3 messages, 1 thread.
mthread "$M/mboxrd.mbox" >"$TMP/rd.json"
once 3 mboxrd <"$TMP/rd.json"
is "mboxrd: 1 thread" "$(nthreads <"$TMP/rd.json")" 1
is "mboxrd: parents" "$(pairs <"$TMP/rd.json")" "20261105100000.GA1201@host.example.pl -
20261105130000.GB1201@host.example.pl 20261105100000.GA1201@host.example.pl
mboxrd-2@lumen.example 20261105100000.GA1201@host.example.pl"
# mboxo: a "From " line splits only after an empty line
printf 'From a@example.com Mon Nov  2 10:00:00 2026\nMessage-ID: <o-1@example.com>\nSubject: one\n\nbody line\nFrom here on it is still the body\n\nFrom b@example.com Mon Nov  2 11:00:00 2026\nMessage-ID: <o-2@example.com>\nSubject: two\n\nbody\n' >"$TMP/mboxo.mbox"
is "a 'From ' line right after text does not start a message" \
	"$(mthread "$TMP/mboxo.mbox" | ids | sort | tr '\n' ' ')" "o-1@example.com o-2@example.com "

# ---------------------------------------------------------------- broken-headers.mbox
# 6 messages: 1 (a header line without colon), 2 -> 1 (two Subjects, a
# header name with spaces, an empty name), 3 -> 2 (values on continuation
# lines, spaces around the id), 4 (raw UTF-8 Subject), 5 (no header at
# all), 6 (headers, no body).  Threads: {1,2,3} {4} {5} {6}.
mthread "$M/broken-headers.mbox" >"$TMP/bh.json" 2>"$TMP/err"; rc=$?
is "broken-headers: exit 0" "$rc" 0
once 6 broken-headers <"$TMP/bh.json"
is "broken-headers: 4 threads" "$(nthreads <"$TMP/bh.json")" 4
check "broken-headers: ids read where the headers allow it" \
	"for i in broken-1@mail.example.net broken-2@lumen.example broken-3@mail.example.net broken-4@example.com.br broken-6@example.org; do grep -q \"\\\"message_id\\\":\\\"\$i\\\"\" '$TMP/bh.json' || { echo \"missing \$i\"; exit 1; }; done"
is "broken-headers: 2 -> 1" "$(parent_of broken-2@lumen.example <"$TMP/bh.json")" broken-1@mail.example.net
is "broken-headers: 3 -> 2 (In-Reply-To value on a continuation line)" \
	"$(parent_of broken-3@mail.example.net <"$TMP/bh.json")" broken-2@lumen.example
is "broken-headers: raw UTF-8 subject kept" "$(field_of broken-4@example.com.br subject <"$TMP/bh.json")" \
	'"Pedido não chegou (cabeçalho sem codificação)"'
is "broken-headers: one warning line" "$(wc -l <"$TMP/err" | tr -d ' ')" 1
check "broken-headers: the warning is 'mthread: N messages with unreadable headers'" \
	"grep -Eqx 'mthread: [1-9][0-9]* messages? with unreadable headers' '$TMP/err'"

# ---------------------------------------------------------------- subjects.mbox
# 11 roots (no references).  RFC 2047 B and Q, folded, in pt, ru, fa.
mthread "$M/subjects.mbox" >"$TMP/sj.json"
once 11 subjects <"$TMP/sj.json"
is "subjects: 11 threads without --subject" "$(nthreads <"$TMP/sj.json")" 11
is "ru B, folded between two words" "$(field_of subj-04@yandex.example subject <"$TMP/sj.json")" '"Возврат средств за заказ 50117"'
is "ru Q, folded inside a word over three lines" "$(field_of subj-05@yandex.example subject <"$TMP/sj.json")" '"Ответ: Возврат средств за заказ 50117"'
is "fa B" "$(field_of subj-06@chmail.example subject <"$TMP/sj.json")" '"فاکتور سفارش ۷۷۲۱"'
is "fa B, folded" "$(field_of subj-07@chmail.example subject <"$TMP/sj.json")" '"پاسخ: فاکتور سفارش ۷۷۲۱"'
is "pt: ASCII prefix and a B word" "$(field_of subj-03@uol.example subject <"$TMP/sj.json")" '"RES: Pedido"'
is "pt: Q word between ASCII words" "$(field_of subj-08@uol.example subject <"$TMP/sj.json")" '"Pedido 48214 não chegou"'
is "names: ru B, fa B, fa Q, pt Q, pt B" \
	"$(for i in subj-04@yandex.example subj-06@chmail.example subj-07@chmail.example subj-01@uol.example subj-03@uol.example; do field_of $i name <"$TMP/sj.json"; done | tr '\n' ' ')" \
	'"Ирина Смирнова" "مریم احمدی" "مریم احمدی" "João Pereira" "João Pereira" '
mthread --subject "$M/subjects.mbox" >"$TMP/sjs.json"
once 11 "subjects --subject" <"$TMP/sjs.json"
is "--subject: 5 threads" "$(nthreads <"$TMP/sjs.json")" 5
is "--subject: Pedido / Re: / RES: / Fwd: Re: [list] / Re: Re: (fwd) join; Pedidos does not" \
	"$(groups <"$TMP/sjs.json")" \
	'["subj-01@uol.example","subj-02@uol.example","subj-03@uol.example","subj-09@uol.example","subj-10@uol.example"]
["subj-04@yandex.example","subj-05@yandex.example"]
["subj-06@chmail.example","subj-07@chmail.example"]
["subj-08@uol.example"]
["subj-11@example.com.br"]'
is "--subject: the thread subject is the base subject" \
	"$(jq -r 'select(.count == 5) | .subject' "$TMP/sjs.json")" "Pedido"
is "--subject: ru thread subject without 'Ответ:'" \
	"$(jq -r 'select([.messages[].message_id] | index("subj-05@yandex.example")) | .subject' "$TMP/sjs.json")" \
	"Возврат средств за заказ 50117"
mthread --subject --explain "$M/subjects.mbox" >"$TMP/sjx.json"
is "--subject --explain: 6 roots joined by subject" \
	"$(jq -r '.messages[] | select(.why == "subject") | .message_id' "$TMP/sjx.json" | wc -l | tr -d ' ')" 6
reverse_mbox "$M/subjects.mbox" | mthread --subject | groups >"$TMP/sjs.rev"
is "--subject reversed input: same threads" "$(cat "$TMP/sjs.rev")" "$(groups <"$TMP/sjs.json")"

# ---------------------------------------------------------------- charsets.mbox
# encoded words in ISO-8859-1, KOI8-R, windows-1251, and two charsets in one field
mthread "$M/charsets.mbox" >"$TMP/cs.json"
once 4 charsets <"$TMP/cs.json"
is "charsets: names and subjects decoded to UTF-8" \
	"$(jq -r '.messages[] | "\(.name)|\(.subject)"' "$TMP/cs.json" | LC_ALL=C sort)" \
	"Claire Dubois|Livre abîmé à l'arrivée
João Pereira|Pedido não chegou
Алексей Кузнецов|Возврат денег за заказ
Сергей Попов|Счёт на оплату"

# ---------------------------------------------------------------- --token
# the qp-pt thread's ID in [#ID] of a root joins that thread with --token
T=$(mthread "$M/qp-pt.mbox" | jq -r .thread)
cat >"$TMP/tok.mbox" <<EOF
From fernanda.lima@uol.example Tue Nov  3 09:00:00 2026
Date: Tue, 3 Nov 2026 06:00:00 -0300
From: Fernanda Lima <fernanda.lima@uol.example>
To: support@lumen.example
Subject: Re: [#$T] Pedido LB-48213
Message-ID: <tok-1@uol.example>

Escrevi de novo, sem responder ao e-mail anterior.

From fernanda.lima@uol.example Tue Nov  3 10:00:00 2026
Date: Tue, 3 Nov 2026 07:00:00 -0300
From: Fernanda Lima <fernanda.lima@uol.example>
To: support@lumen.example
Subject: [#ZZZZZZZZ] Outro assunto
Message-ID: <tok-2@uol.example>

Um token que não é de nenhum ticket.

EOF
mthread "$M/qp-pt.mbox" "$TMP/tok.mbox" >"$TMP/tk.json"
is "without --token: 3 threads" "$(nthreads <"$TMP/tk.json")" 3
mthread --token "$M/qp-pt.mbox" "$TMP/tok.mbox" >"$TMP/tkt.json"
is "--token: 2 threads" "$(nthreads <"$TMP/tkt.json")" 2
is "--token: [#$T] joins thread $T" \
	"$(jq -r --arg t "$T" 'select(.thread == $t) | [.messages[].message_id] | index("tok-1@uol.example") != null' "$TMP/tkt.json")" true
is "--token: thread $T keeps its ID and counts 3" "$(jq -r --arg t "$T" 'select(.thread == $t) | .count' "$TMP/tkt.json")" 3
is "--token: an unknown token joins nothing" \
	"$(jq -r 'select([.messages[].message_id] | index("tok-2@uol.example")) | .count' "$TMP/tkt.json")" 1
mthread --token --explain "$M/qp-pt.mbox" "$TMP/tok.mbox" >"$TMP/tkx.json"
is "--token --explain: why token" "$(field_of tok-1@uol.example why <"$TMP/tkx.json")" '"token"'
mthread --token "$TMP/tok.mbox" "$M/qp-pt.mbox" >"$TMP/tkt2.json"
is "--token: the same whatever the file order" "$(groups <"$TMP/tkt2.json")" "$(groups <"$TMP/tkt.json")"

done_testing
