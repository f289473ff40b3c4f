#!/bin/sh
# mthread on the bundled mailbox tests/data/support.mbox (made by
# tests/data/gen-support.py): 308 messages of the Lumen Books desk, one of
# them delivered twice.  tests/data/support.expect lists, by construction,
# every message id with its parent, whether it is a ghost, its thread
# without --subject (group) and with --subject (sgroup).
. "$(dirname "$0")/../lib.sh"
S=$DATA/support.mbox
E=$DATA/support.expect
tab=$(printf '\t')

mask() { sed 's/mdesk-[0-9a-f]\{16\}@hash\.invalid/NOMID/g'; }
# "id parent kind" of every message, as in support.expect
triples() {
	jq -r '.messages[] | "\(.message_id)\t\(.parent // "-")\t\(if .ghost then "ghost" else "real" end)"' |
	mask | LC_ALL=C sort
}
# the partition of messages into threads agrees with column $2 of the
# expectations: prints "ids (thread,group)-pairs groups threads"; the last
# three are equal when it does
partition() {	# partition COLUMN <json
	jq -r '.thread as $t | .messages[] | "\(.message_id)\t\($t)"' | mask | LC_ALL=C sort >"$TMP/id2t"
	grep -v '^#' "$E" | cut -f1,"$1" | LC_ALL=C sort >"$TMP/id2g"
	join -t "$tab" "$TMP/id2t" "$TMP/id2g" >"$TMP/joined"
	cut -f2,3 "$TMP/joined" | LC_ALL=C sort -u >"$TMP/tg"
	echo "$(wc -l <"$TMP/joined") $(wc -l <"$TMP/tg") $(cut -f2 "$TMP/tg" | sort -u | wc -l) $(cut -f1 "$TMP/tg" | sort -u | wc -l)" | tr -s ' '
}
reverse_mbox() {	# reverse_mbox FILE: the messages of an mbox in reverse order
	awk '/^From / && (NR == 1 || p == "") { n++ } { p = $0; printf "%d\t%s\n", n, $0 }' "$1" |
	LC_ALL=C sort -t "$(printf '\t')" -k1,1nr -s | cut -f2-
}

is "support.mbox has 308 messages" "$(grep -c '^From ' "$S")" 308
mthread "$S" >"$TMP/s.json" 2>"$TMP/err"; rc=$?
is "exit 0" "$rc" 0
is "nothing on stderr" "$(cat "$TMP/err")" ""
is "every message once: 307 distinct ids (one delivered twice)" \
	"$(jq -r '.messages[] | select(.ghost | not) | .message_id' "$TMP/s.json" | sort -u | wc -l | tr -d ' ')" 307
is "no id listed twice" "$(jq -r '.messages[] | .message_id' "$TMP/s.json" | sort | uniq -d)" ""
is "counts add up to 307" "$(jq -s '[.[].count] | add' "$TMP/s.json")" 307
grep -v '^#' "$E" | cut -f1-3 | LC_ALL=C sort >"$TMP/expect"
triples <"$TMP/s.json" >"$TMP/got"
is "parents and ghosts as support.expect" "$(LC_ALL=C diff "$TMP/expect" "$TMP/got" | head -20)" ""
is "96 threads" "$(grep -c '^{' "$TMP/s.json")" 96
is "threads as support.expect" "$(partition 4 <"$TMP/s.json")" "308 96 96 96"
is "one message without Date: date null" "$(jq '.messages[] | select(.ghost | not) | .date' "$TMP/s.json" | grep -c null)" 1
is "all dates in 2-20 November 2026" \
	"$(jq -r '.messages[].date // empty' "$TMP/s.json" | grep -Evc '^2026-11-([01][0-9]|20)T[0-9:]{8}Z$')" 0
check "dates not before 2 November" "! jq -r '.messages[].date // empty' '$TMP/s.json' | grep -q '^2026-11-0[01]'"
is "no RFC 2047 word left undecoded in subjects and names" \
	"$(jq -r '.subject, .messages[].subject, .messages[].name' "$TMP/s.json" | grep -c '=?')" 0
is "participants are lower-case" "$(jq -r '.participants[]' "$TMP/s.json" | grep -c '[A-Z]')" 0
check "Margaret.Hale@Example.com is a participant in lower case" \
	"jq -r '.participants[]' '$TMP/s.json' | grep -qx margaret.hale@example.com"
is "the EST date (Eudora) is read" \
	"$(jq -r '.messages[] | select(.message_id | startswith("6.2.5.6.2.")) | .date' "$TMP/s.json" | sort | head -1 | cut -c1-4)" 2026

# input order does not matter
reverse_mbox "$S" | mthread >"$TMP/r.json"
is "reversed mailbox: same parents" "$(triples <"$TMP/r.json" | md5sum)" "$(md5sum <"$TMP/got")"
is "reversed mailbox: same thread IDs" "$(jq -r .thread "$TMP/r.json" | sort | md5sum)" "$(jq -r .thread "$TMP/s.json" | sort | md5sum)"

# --subject: broken replies ("Re:", "RE:", "RES:", "Ответ:", "پاسخ:") and the
# contact form's answer join their conversation: 91 threads
mthread --subject "$S" >"$TMP/sub.json"
is "--subject: 91 threads" "$(grep -c '^{' "$TMP/sub.json")" 91
is "--subject: threads as support.expect" "$(partition 5 <"$TMP/sub.json")" "308 91 91 91"
is "--subject: parents of non-roots unchanged" \
	"$(triples <"$TMP/sub.json" | awk -F'\t' 'NR == FNR { if ($2 != "-") want[$1] = 1; next } want[$1]' "$TMP/expect" - | md5sum)" \
	"$(awk -F'\t' '$2 != "-"' "$TMP/expect" | md5sum)"
reverse_mbox "$S" | mthread --subject >"$TMP/subr.json"
is "--subject, reversed mailbox: same threads" "$(partition 5 <"$TMP/subr.json")" "308 91 91 91"

# --token: the [#XXXXXXXX] tokens in the mailbox name no thread of it
mthread --token "$S" >"$TMP/tok.json"
is "--token: no token matches, 96 threads" "$(partition 4 <"$TMP/tok.json")" "308 96 96 96"

# --dups: the copy delivered to support@ is listed too
mthread --dups "$S" >"$TMP/d.json"
is "--dups: 308 entries" "$(jq -r '.messages[] | select(.ghost | not) | .message_id' "$TMP/d.json" | wc -l | tr -d ' ')" 308
is "--dups: the twice-delivered id" "$(jq -r '.messages[] | select(.ghost | not) | .message_id' "$TMP/d.json" | sort | uniq -d)" \
	"$(grep -i '^Message-ID:' "$S" | sort | uniq -d | grep -v '@lumen.example>' | sed 's/^[^<]*<//; s/>.*//')"

# the generator is deterministic and its output is what is committed
if command -v python3 >/dev/null 2>&1 && [ -f "$DATA/gen-support.py" ]; then
	mkdir "$TMP/gen"
	python3 "$DATA/gen-support.py" "$TMP/gen" 2>/dev/null
	check "gen-support.py reproduces support.mbox" "cmp '$TMP/gen/support.mbox' '$S'"
	check "gen-support.py reproduces support.expect" "cmp '$TMP/gen/support.expect' '$E'"
else
	skip "gen-support.py reproduces support.mbox" "no python3"
	skip "gen-support.py reproduces support.expect" "no python3"
fi

done_testing
