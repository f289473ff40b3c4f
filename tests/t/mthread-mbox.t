#!/bin/sh
# mthread --format mbox: messages regrouped by thread, "X-Mdesk-Thread: ID"
# added as the first header line, otherwise byte-exact; the output reads
# back to the same threads.
. "$(dirname "$0")/../lib.sh"
M=$DATA/mail

# "id parent" of every message, sorted; ids made from bytes are masked
# (adding a header changes the bytes, so such an id changes on re-reading)
pairs() {
	jq -r '.messages[] | "\(.message_id) \(.parent // "-")"' |
	sed 's/mdesk-[0-9a-f]\{16\}@hash\.invalid/NOMID/g' | LC_ALL=C sort
}
# the messages of an mbox, one a line (\001 for line ends), sorted
msgs() {
	awk '/^From / && (NR == 1 || p == "" || p == "\r") { if (n) print r; r = ""; n = 1 }
	     { r = r $0 "\001"; p = $0 } END { if (n) print r }' "$@" | LC_ALL=C sort
}
# drop the X-Mdesk-Thread line right after each From_ line
strip() {
	awk 's && /^X-Mdesk-Thread: / { s = 0; next } { s = 0 }
	     /^From / && (NR == 1 || p == "" || p == "\r") { s = 1 } { print; p = $0 }' "$@"
}
# X-Mdesk-Thread values in output order, consecutive repeats merged
tids() { tr -d '\r' <"$1" | sed -n 's/^X-Mdesk-Thread: //p' | uniq; }

for f in mangled-ids.mbox mboxrd.mbox multipart-mixed.mbox ghost.mbox loop.mbox dates.mbox \
	subjects.mbox qp-pt.mbox crlf.mbox broken-headers.mbox charsets.mbox; do
	mthread "$M/$f" >"$TMP/j" 2>/dev/null
	mthread --format mbox "$M/$f" >"$TMP/o.mbox" 2>/dev/null; rc=$?
	is "$f: --format mbox exits 0" "$rc" 0
	n=$(jq -s '[.[].count] | add' "$TMP/j")
	is "$f: one X-Mdesk-Thread line per message ($n)" "$(grep -c '^X-Mdesk-Thread: ' "$TMP/o.mbox")" "$n"
	is "$f: X-Mdesk-Thread is the first line after each From_ line" \
		"$(awk 's { print (/^X-Mdesk-Thread: / ? "ok" : "bad: " $0) } { s = 0 }
			/^From / && (NR == 1 || p == "" || p == "\r") { s = 1 } { p = $0 }' "$TMP/o.mbox" | sort | uniq -c | sed 's/^ *//')" "$n ok"
	is "$f: grouped by thread, threads in the json order" "$(tids "$TMP/o.mbox")" "$(jq -r .thread "$TMP/j")"
	check "$f: messages sorted by thread give the input messages byte for byte" \
		"strip '$TMP/o.mbox' >'$TMP/s.mbox' && msgs '$TMP/s.mbox' >'$TMP/a' && msgs '$M/$f' >'$TMP/b' && cmp '$TMP/a' '$TMP/b'"
	mthread "$TMP/o.mbox" >"$TMP/j2" 2>/dev/null
	is "$f: read back: same parents" "$(pairs <"$TMP/j2")" "$(pairs <"$TMP/j")"
	is "$f: read back: same thread IDs in the same order" "$(jq -r .thread "$TMP/j2")" "$(jq -r .thread "$TMP/j")"
done

# mboxrd escaping survives: the output keeps >From and >>From lines
check "mboxrd.mbox: escaped lines kept as they were" \
	"test \$(mthread --format mbox '$M/mboxrd.mbox' | grep -c '^From ') -eq 3 &&
	 test \$(mthread --format mbox '$M/mboxrd.mbox' | grep -c '^>>*From ') -eq \$(grep -c '^>>*From ' '$M/mboxrd.mbox')"

# the bundled mailbox: 308 messages, one Message-ID twice
S=$DATA/support.mbox
mthread "$S" >"$TMP/sj"
mthread --format mbox "$S" >"$TMP/s.mbox"
u=$(jq -s '[.[].count] | add' "$TMP/sj")
is "support.mbox: 307 messages" "$u" 307
is "support.mbox --format mbox: X-Mdesk-Thread count = messages" "$(grep -c '^X-Mdesk-Thread: ' "$TMP/s.mbox")" "$u"
is "support.mbox --format mbox: thread order" "$(tids "$TMP/s.mbox")" "$(jq -r .thread "$TMP/sj")"
mthread "$TMP/s.mbox" >"$TMP/sj2"
is "support.mbox --format mbox read back: same parents" "$(pairs <"$TMP/sj2")" "$(pairs <"$TMP/sj")"
# a thread whose root has no Message-ID gets a new ID: its bytes changed
tmask() { jq -r 'if (.messages[0].message_id | test("@hash\\.invalid$")) then "NOMID" else .thread end' "$@"; }
is "support.mbox --format mbox read back: same thread IDs (roots without Message-ID masked)" \
	"$(tmask "$TMP/sj2")" "$(tmask "$TMP/sj")"
mthread --dups --format mbox "$S" >"$TMP/sd.mbox"
is "support.mbox --dups --format mbox: all 308 input messages" "$(grep -c '^X-Mdesk-Thread: ' "$TMP/sd.mbox")" 308
check "support.mbox --dups --format mbox: byte-exact apart from X-Mdesk-Thread" \
	"strip '$TMP/sd.mbox' >'$TMP/x' && msgs '$TMP/x' >'$TMP/a' && msgs '$S' >'$TMP/b' && cmp '$TMP/a' '$TMP/b'"
check "support.mbox --format mbox: every output message is an input message" \
	"strip '$TMP/s.mbox' >'$TMP/x' && msgs '$TMP/x' >'$TMP/a' && msgs '$S' >'$TMP/b' && test -z \"\$(LC_ALL=C comm -23 '$TMP/a' '$TMP/b')\""

# -r and stdin
mthread -r --format mbox "$M/dates.mbox" >"$TMP/r.mbox"
is "-r --format mbox: threads newest first" "$(tids "$TMP/r.mbox")" "$(mthread -r "$M/dates.mbox" | jq -r .thread)"
mthread --format mbox <"$M/dates.mbox" >"$TMP/in.mbox"
mthread --format mbox "$M/dates.mbox" >"$TMP/arg.mbox"
check "--format mbox from stdin = from the file" "cmp '$TMP/in.mbox' '$TMP/arg.mbox'"

# a single message without From_ line still gives a readable mbox
mthread --format mbox "$M/single.eml" >"$TMP/one.mbox"; rc=$?
is "single.eml --format mbox exits 0" "$rc" 0
check "single.eml --format mbox starts with a From_ line" "head -1 '$TMP/one.mbox' | grep -q '^From '"
is "single.eml --format mbox: X-Mdesk-Thread is the second line" \
	"$(sed -n 2p "$TMP/one.mbox")" "X-Mdesk-Thread: $(mthread "$M/single.eml" | jq -r .thread)"
is "single.eml --format mbox reads back to the same message" \
	"$(mthread "$TMP/one.mbox" | jq -c '.messages[] | [.message_id, .subject, .date]')" \
	'["single-1@example.com","Do you ship to Nigeria?","2026-11-05T16:20:00Z"]'
check "single.eml --format mbox: the message's own lines follow" \
	"sed 1,2d '$TMP/one.mbox' | grep -v '^\$' >'$TMP/x' && grep -v '^\$' '$M/single.eml' | cmp - '$TMP/x'"

# a message of headers only (no empty line, no body) stays as it was,
# in the middle of the input and at its end
printf 'From a@example.com Mon Nov  2 10:00:00 2026\nMessage-ID: <h1@example.com>\nSubject: headers only\n\n' >"$TMP/h1"
printf 'From b@example.com Mon Nov  2 11:00:00 2026\nMessage-ID: <h2@example.com>\nSubject: with body\n\nbody\n\n' >"$TMP/h2"
cat "$TMP/h1" "$TMP/h2" >"$TMP/ho1.mbox"
cat "$TMP/h2" "$TMP/h1" >"$TMP/ho2.mbox"
for f in ho1 ho2; do
	mthread --format mbox "$TMP/$f.mbox" | strip >"$TMP/$f.out"
	is "a headers-only message is copied byte for byte ($f: $(test $f = ho1 && echo first || echo last) in the input)" \
		"$(msgs "$TMP/$f.out" | od -c)" "$(msgs "$TMP/$f.mbox" | od -c)"
done

# empty input: no output
is "--format mbox, empty input: no output" "$(mthread --format mbox </dev/null | wc -c | tr -d ' ')" 0

done_testing
