#!/bin/sh
# valgrind: yes
# mthread: command line, input handling, exit codes, JSON shape.
# Threading rules are in mthread-fixtures.t, mbox output in mthread-mbox.t,
# the bundled mailbox in mthread-support.t, shared corpora in
# mthread-corpora.t, input-order independence in mthread-order.t.
. "$(dirname "$0")/../lib.sh"
M=$DATA/mail

# ids of the real (non-ghost) messages, one a line
ids() { jq -r '.messages[] | select(.ghost | not) | .message_id'; }
# "id parent" of every message (ghosts too), sorted
pairs() { jq -r '.messages[] | "\(.message_id) \(.parent // "-")"' | LC_ALL=C sort; }

# ---------------------------------------------------------------- options
out=$(mthread --version 2>"$TMP/err"); rc=$?
is "--version exits 0" "$rc" 0
ver=$(sed -n 's/^VERSION *= *//p' "$TOP/Makefile")
case $out in *"$ver"*) ok 0 "--version prints the version $ver" ;;
	*) ok 1 "--version prints the version $ver"; echo "#   got: $out" ;; esac

for o in -h --help; do
	mthread $o >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "$o exits 0" "$rc" 0
	check "$o prints a usage text" "grep -qi 'usage' '$TMP/out' '$TMP/err'"
done

for o in --bogus -x '--format' '-f' '-f nosuchformat' '--format xml'; do
	# shellcheck disable=SC2086
	mthread $o "$M/single.eml" >"$TMP/out" 2>"$TMP/err" </dev/null; rc=$?
	is "'mthread $o FILE' is a usage error (64)" "$rc" 64
	check "'mthread $o FILE' says why on stderr, nothing on stdout" \
		"test -s '$TMP/err' && test ! -s '$TMP/out'"
done

# ---------------------------------------------------------------- files and errors
mthread "$TMP/nonexistent.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a missing file exits 66" "$rc" 66
is "a missing file gives one line on stderr" "$(wc -l <"$TMP/err" | tr -d ' ')" 1
check "the line is 'mthread: FILE: ...'" \
	"grep -q '^mthread: $TMP/nonexistent.mbox: .' '$TMP/err'"

mthread "$M/single.eml" "$TMP/nonexistent.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a missing file among good ones still exits 66" "$rc" 66
check "and names the missing file" "grep -q '^mthread: $TMP/nonexistent.mbox: ' '$TMP/err'"

: >"$TMP/empty"
out=$(mthread </dev/null 2>"$TMP/err"); rc=$?
is "empty stdin exits 0" "$rc" 0
is "empty stdin prints nothing" "$out" ""
out=$(mthread "$TMP/empty" 2>"$TMP/err"); rc=$?
is "an empty file exits 0" "$rc" 0
is "an empty file prints nothing" "$out" ""

printf 'hello\n' >"$TMP/hello.txt"
mthread "$TMP/hello.txt" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "'hello' is not mail: exit 65" "$rc" 65
check "not mail: one line 'mthread: FILE: ...' on stderr" \
	"test \$(wc -l <'$TMP/err') -eq 1 && grep -q '^mthread: $TMP/hello.txt: .' '$TMP/err'"
printf 'hello\n' | mthread >"$TMP/out" 2>"$TMP/err"; rc=$?
is "'hello' on stdin: exit 65" "$rc" 65

# a PNG file: signature, IHDR, a few binary bytes
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\010\000\000\000\010\010\002\000\000\000\113\155\051\334\000\000\000\000IEND\256B`\202' >"$TMP/pic.png"
mthread "$TMP/pic.png" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a PNG image is not mail: exit 65" "$rc" 65
is "a PNG image: nothing on stdout" "$(wc -c <"$TMP/out" | tr -d ' ')" 0

# ---------------------------------------------------------------- stdin
mthread "$M/qp-pt.mbox" >"$TMP/file.json"
mthread <"$M/qp-pt.mbox" >"$TMP/redir.json"
# shellcheck disable=SC2002
cat "$M/qp-pt.mbox" | mthread >"$TMP/pipe.json"
mthread - <"$M/qp-pt.mbox" >"$TMP/dash.json"
check "stdin redirected gives the same output as the file argument" "cmp '$TMP/file.json' '$TMP/redir.json'"
check "stdin from a pipe gives the same output as the file argument" "cmp '$TMP/file.json' '$TMP/pipe.json'"
check "'-' reads stdin" "cmp '$TMP/file.json' '$TMP/dash.json'"
check "output is not empty" "test -s '$TMP/file.json'"

# default format is json when stdout is not a tty
mthread -f json "$M/qp-pt.mbox" >"$TMP/f.json"
mthread --format json "$M/qp-pt.mbox" >"$TMP/ff.json"
check "default format (not a tty) is json" "cmp '$TMP/file.json' '$TMP/f.json'"
check "--format json = -f json" "cmp '$TMP/f.json' '$TMP/ff.json'"

# ---------------------------------------------------------------- JSON shape
check "every output line is one JSON object" \
	"jq -e 'type == \"object\"' '$TMP/file.json' >/dev/null"
is "lines = threads (qp-pt.mbox: 1 thread)" "$(wc -l <"$TMP/file.json" | tr -d ' ')" 1
check "thread keys: thread subject count first last participants messages" \
	"jq -e 'has(\"thread\") and has(\"subject\") and has(\"count\") and has(\"first\") and has(\"last\") and has(\"participants\") and has(\"messages\")' '$TMP/file.json' >/dev/null"
check "message keys: message_id index parent depth date from name subject" \
	"jq -e '[.messages[] | has(\"message_id\") and has(\"index\") and has(\"parent\") and has(\"depth\") and has(\"date\") and has(\"from\") and has(\"name\") and has(\"subject\")] | all' '$TMP/file.json' >/dev/null"
check "thread ID: 8 Crockford base32 characters" \
	"jq -r .thread '$TMP/file.json' | grep -Eq '^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{8}\$'"
check "dates are RFC 3339 UTC" \
	"jq -r '.first, .last, .messages[].date' '$TMP/file.json' | grep -Evq '^2026-11-02T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\$' && exit 1 || exit 0"
is "first/last of qp-pt.mbox" "$(jq -r '"\(.first) \(.last)"' "$TMP/file.json")" \
	"2026-11-02T12:14:00Z 2026-11-02T15:40:10Z"
is "count of qp-pt.mbox" "$(jq .count "$TMP/file.json")" 2
is "index is the 1-based input position" "$(jq -c '[.messages[].index]' "$TMP/file.json")" "[1,2]"
is "ids are without <>" "$(ids <"$TMP/file.json" | head -1)" \
	"8F2C1A4B-3D5E-4F60-9A7B-QPPT00000001@uol.example"
is "participants lower-case in first-appearance order" \
	"$(jq -c .participants "$TMP/file.json")" '["fernanda.lima@uol.example","ana.ribeiro@lumen.example"]'
is "names and subjects decoded (RFC 2047 Q, Apple style with a bare word)" \
	"$(jq -r '.messages[] | "\(.name)|\(.subject)"' "$TMP/file.json")" \
	"Fernanda Lima|Pedido LB-48213 não chegou
Ana Ribeiro|Re: Pedido LB-48213 não chegou"
is "thread subject is the base subject" "$(jq -r .subject "$TMP/file.json")" "Pedido LB-48213 não chegou"
is "no ghost key on real messages" "$(jq '[.messages[] | select(has("ghost"))] | length' "$TMP/file.json")" 0

# ---------------------------------------------------------------- single message (no From_ line)
out=$(mthread "$M/single.eml" 2>"$TMP/err"); rc=$?
is "single.eml (no From_ line) exits 0" "$rc" 0
is "single.eml: one thread" "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1
is "single.eml: the message" "$(printf '%s\n' "$out" | jq -c '.messages[] | [.message_id,.index,.parent,.depth,.date,.from,.name,.subject]')" \
	'["single-1@example.com",1,null,0,"2026-11-05T16:20:00Z","grace.adeyemi@example.com","Grace Adeyemi","Do you ship to Nigeria?"]'
printf 'Subject: hi\n' >"$TMP/hdr-only.eml"
out=$(mthread "$TMP/hdr-only.eml" 2>"$TMP/err"); rc=$?
is "a message of one header line and no body is mail (exit 0)" "$rc" 0
is "  ... and gives one message" "$(printf '%s\n' "$out" | jq '.count')" 1

# ---------------------------------------------------------------- ids without Message-ID
nomid() {	# nomid ENVELOPE-DAY: a message without Message-ID
	printf 'From anna.schmidt@example.de Mon Nov  2 10:00:00 2026\nDate: Mon, 2 Nov 2026 10:00:00 +0100\nFrom: Anna Schmidt <anna.schmidt@example.de>\nTo: support@lumen.example\nSubject: Sent from a web form\n\nNo Message-ID here.\n\n'
}
nomid >"$TMP/nomid1.mbox"
{ cat "$M/qp-pt.mbox"; nomid; } >"$TMP/nomid2.mbox"
a=$(mthread "$TMP/nomid1.mbox" | ids)
b=$(mthread "$TMP/nomid2.mbox" | jq -r '.messages[] | select(.subject == "Sent from a web form") | .message_id')
check "no Message-ID: id mdesk-<16 hex>@hash.invalid" "printf '%s\n' '$a' | grep -Eqx 'mdesk-[0-9a-f]{16}@hash\\.invalid'"
is "no Message-ID: the id depends on the bytes, not the position" "$b" "$a"
a2=$(mthread "$TMP/nomid1.mbox" | ids)
is "no Message-ID: the id is stable across runs" "$a2" "$a"
sed 's/No Message-ID here./Other text./' "$TMP/nomid1.mbox" >"$TMP/nomid3.mbox"
c=$(mthread "$TMP/nomid3.mbox" | ids)
check "no Message-ID: other bytes, other id" "test '$c' != '$a'"

# ---------------------------------------------------------------- NUL bytes
printf 'From x@example.com Mon Nov  2 10:00:00 2026\nMessage-ID: <nul-body@example.com>\nSubject: NUL in body\n\nbefore\000after\n\n' >"$TMP/nulbody.mbox"
mthread "$TMP/nulbody.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a NUL byte in the body: exit 0" "$rc" 0
is "a NUL byte in the body: the message is read" "$(ids <"$TMP/out")" "nul-body@example.com"
printf 'From x@example.com Mon Nov  2 10:00:00 2026\nMessage-ID: <nul-hdr@example.com>\nSubject: NUL\000in header\n\nbody\n\nFrom y@example.com Mon Nov  2 11:00:00 2026\nMessage-ID: <after-nul@example.com>\nIn-Reply-To: <nul-hdr@example.com>\nSubject: next\n\nbody\n\n' >"$TMP/nulhdr.mbox"
mthread "$TMP/nulhdr.mbox" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a NUL byte in a header: exit 0" "$rc" 0
is "a NUL byte in a header: both messages, threaded" "$(pairs <"$TMP/out")" \
	"after-nul@example.com nul-hdr@example.com
nul-hdr@example.com -"

# ---------------------------------------------------------------- several inputs
# ghost.mbox misses its root; given in another file, the ghost becomes real
printf 'From ana.ribeiro@lumen.example Fri Nov  6 18:00:00 2026\nDate: Fri, 6 Nov 2026 18:00:00 +0000\nFrom: Ana Ribeiro <ana.ribeiro@lumen.example>\nTo: rafaelcosta@example.com.br\nSubject: Proposta para a Livraria Beira-Rio\nMessage-ID: <ghost-root@lumen.example>\n\nOla, Rafael.\n\n' >"$TMP/root.mbox"
mthread "$TMP/root.mbox" "$M/ghost.mbox" >"$TMP/out"
is "two files: the root from the first file is no ghost" \
	"$(jq -r '.messages[] | select(.message_id == "ghost-root@lumen.example") | "\(.ghost // false) \(.index)"' "$TMP/out")" "false 1"
is "two files: ghost-x is the root's child" \
	"$(jq -r '.messages[] | select(.message_id == "ghost-x@example.com.br") | .parent' "$TMP/out")" "ghost-root@lumen.example"
is "two files: index runs on over the files" \
	"$(jq -r '.messages[] | select(.message_id == "ghost-x@example.com.br") | .index' "$TMP/out")" 2
mthread "$M/ghost.mbox" "$TMP/root.mbox" >"$TMP/out2"
is "two files in the other order: same parents" "$(pairs <"$TMP/out2")" "$(pairs <"$TMP/out")"
mthread - "$M/qp-pt.mbox" <"$TMP/root.mbox" >"$TMP/out"
is "'-' among files reads stdin there" "$(jq -r '.messages[] | select(.index == 1) | .message_id' "$TMP/out")" "ghost-root@lumen.example"

mthread "$M/mangled-ids.mbox" "$M/mangled-ids.mbox" >"$TMP/twice.json"
is "the same file twice: each message once (duplicates)" "$(jq -s '[.[].count] | add' "$TMP/twice.json")" 12
is "the same file twice: same parents" "$(pairs <"$TMP/twice.json")" "$(mthread "$M/mangled-ids.mbox" | pairs)"

# thread IDs: stable for the same root, whatever else is in the input
t1=$(mthread "$M/qp-pt.mbox" | jq -r .thread)
t2=$(mthread "$M/subjects.mbox" "$M/qp-pt.mbox" | jq -r 'select(.messages[0].message_id == "8F2C1A4B-3D5E-4F60-9A7B-QPPT00000001@uol.example") | .thread')
is "thread ID depends on the root only" "$t2" "$t1"
check "thread IDs are unique in one output" \
	"test \$(mthread '$DATA/support.mbox' | jq -r .thread | sort | uniq -d | wc -l) -eq 0"

# ---------------------------------------------------------------- maildir and MH
# split an mbox into one file per message, undoing the mboxrd escaping
split_mbox() {	# split_mbox MBOX DIR PREFIX
	awk -v dir="$2" -v pre="$3" '
	function end() { if (f != "") { for (i = 1; i < nb; i++) print "" > f; close(f) } }
	/^From / && (NR == 1 || prev == "") { end(); n++; f = dir "/" pre n; nb = 0; prev = $0; next }
	{ prev = $0; if ($0 == "") { nb++; next }
	  for (i = 0; i < nb; i++) print "" > f; nb = 0
	  line = $0; if (line ~ /^>+From /) line = substr(line, 2); print line > f }
	END { end() }' "$1"
}
mkdir -p "$TMP/md/cur" "$TMP/md/new" "$TMP/md/tmp" "$TMP/mh"
split_mbox "$M/mangled-ids.mbox" "$TMP/md/cur" "1762070400.M"
mv "$TMP/md/cur/1762070400.M1" "$TMP/md/new/"
split_mbox "$M/mangled-ids.mbox" "$TMP/mh" ""
mthread "$M/mangled-ids.mbox" | pairs >"$TMP/mbox.pairs"
mthread "$TMP/md" >"$TMP/md.json" 2>"$TMP/err"; rc=$?
is "a maildir: exit 0" "$rc" 0
is "a maildir (cur/ and new/): same parents as the mbox" "$(pairs <"$TMP/md.json")" "$(cat "$TMP/mbox.pairs")"
mthread "$TMP/mh" >"$TMP/mh.json" 2>"$TMP/err"; rc=$?
is "an MH folder: exit 0" "$rc" 0
is "an MH folder: same parents as the mbox" "$(pairs <"$TMP/mh.json")" "$(cat "$TMP/mbox.pairs")"

# ---------------------------------------------------------------- -r
mthread "$M/dates.mbox" | jq -r .thread >"$TMP/fwd"
mthread -r "$M/dates.mbox" | jq -r .thread >"$TMP/rev"
is "-r: threads newest first" "$(cat "$TMP/rev")" "$(awk '{ l[NR] = $0 } END { for (i = NR; i; i--) print l[i] }' "$TMP/fwd")"
mthread --reverse "$M/dates.mbox" | jq -r .thread >"$TMP/rev2"
check "--reverse = -r" "cmp '$TMP/rev' '$TMP/rev2'"

# ---------------------------------------------------------------- tree
mthread -f tree "$M/dates.mbox" >"$TMP/tree" 2>"$TMP/err"; rc=$?
is "--format tree exits 0" "$rc" 0
check "tree names every subject" "grep -q 'Boleto vencido' '$TMP/tree' && grep -q 'Late night question' '$TMP/tree' && grep -q 'No date on this one' '$TMP/tree'"
check "tree shows thread IDs" "for t in \$(cat '$TMP/fwd'); do grep -q \"\$t\" '$TMP/tree' || exit 1; done"
is "tree: one line per thread and per message (no ghosts in dates.mbox)" \
	"$(grep -c . "$TMP/tree")" 13

# on a terminal the default is tree (script(1) from util-linux gives one)
if command -v script >/dev/null 2>&1 && script -qc true /dev/null >/dev/null 2>&1; then
	script -qc "mthread '$M/dates.mbox'" /dev/null </dev/null | tr -d '\r' >"$TMP/tty"
	check "stdout a terminal: tree format by default (no JSON, thread IDs and subjects)" \
		"! grep -q '^{' '$TMP/tty' && grep -q 'Boleto vencido' '$TMP/tty' && for t in \$(cat '$TMP/fwd'); do grep -q \"\$t\" '$TMP/tty' || exit 1; done"
	script -qc "mthread -f json '$M/dates.mbox'" /dev/null </dev/null | tr -d '\r' >"$TMP/ttyj"
	is "stdout a terminal: -f json still json" "$(cat "$TMP/ttyj")" "$(mthread "$M/dates.mbox")"
else
	skip "stdout a terminal: tree format by default" "no script(1)"
	skip "stdout a terminal: -f json still json" "no script(1)"
fi

done_testing
