#!/bin/sh
# mthread on the shared real-world corpora (../shared/corpora/*.mbox, mail
# nobody on this project wrote); skipped when the folder is absent.
# NAME.manifest.json lists message N's key: its Message-ID, or nomid-N.
# Duplicate Message-IDs are one message, so the expected number of
# messages is the number of distinct keys; with --dups, every input message.
. "$(dirname "$0")/../lib.sh"

ids() { jq -r '.messages[] | select(.ghost | not) | .message_id'; }
pairs() { jq -r '.messages[] | "\(.message_id) \(.parent // "-")"' | LC_ALL=C sort; }
reverse_mbox() {	# reverse_mbox FILE: the messages of an mbox in reverse order
	awk '/^From / && (NR == 1 || p == "") { n++ } { p = $0; printf "%d\t%s\n", n, $0 }' "$1" |
	LC_ALL=C sort -t "$(printf '\t')" -k1,1nr -s | cut -f2-
}

found=0
for f in "$CORPORA"/*.mbox; do
	[ -f "$f" ] || continue
	man=${f%.mbox}.manifest.json
	[ -f "$man" ] || continue
	found=1
	n=${f##*/}
	total=$(jq length "$man")
	keys=$(jq -r '.[].key' "$man" | sort -u | wc -l | tr -d ' ')
	mthread "$f" >"$TMP/j" 2>"$TMP/err"; rc=$?
	is "$n: exit 0" "$rc" 0
	is "$n: stderr has at most the one warning line" \
		"$(grep -Evc '^mthread: [0-9]+ messages? with unreadable headers$' "$TMP/err")" 0
	is "$n: every message once ($keys distinct keys of $total)" "$(ids <"$TMP/j" | sort -u | wc -l | tr -d ' ')" "$keys"
	is "$n: no id listed twice" "$(jq -r '.messages[].message_id' "$TMP/j" | sort | uniq -d | head -5)" ""
	is "$n: counts add up" "$(jq -s '[.[].count] | add' "$TMP/j")" "$keys"
	jq -r '.[].key | select(startswith("nomid-") | not)' "$man" | sort -u >"$TMP/want"
	ids <"$TMP/j" | sort -u >"$TMP/have"
	is "$n: the manifest's Message-IDs are the message ids" "$(comm -23 "$TMP/want" "$TMP/have" | head -5)" ""
	is "$n: the others have ids made from their bytes" \
		"$(comm -13 "$TMP/want" "$TMP/have" | grep -Evc '^mdesk-[0-9a-f]{16}@hash\.invalid$')" 0
	is "$n: every parent is listed" \
		"$(jq -r '[.messages[].message_id] as $in | .messages[] | select(.parent != null) | select(.parent | IN($in[]) | not) | .message_id' "$TMP/j" | head -5)" ""
	is "$n: depths follow parents" \
		"$(jq -r '(reduce .messages[] as $m ({}; .[$m.message_id] = $m.depth)) as $d | .messages[] | select((.parent == null and .depth != 0) or (.parent != null and .depth != $d[.parent] + 1)) | .message_id' "$TMP/j" | head -5)" ""
	mthread --dups "$f" >"$TMP/d" 2>/dev/null
	is "$n --dups: all $total input messages" "$(ids <"$TMP/d" | wc -l | tr -d ' ')" "$total"
	# a Message-ID given to two different messages is the first one's: its
	# parent may change with the order, so those are left out here
	jq -r '.[].key' "$man" | sort | uniq -d >"$TMP/dupkeys"
	rpairs() { jq -r '.messages[] | select(.ghost | not) | "\(.message_id) \(.parent // "-")"' |
		awk 'NR == FNR { d[$1] = 1; next } !($1 in d)' "$TMP/dupkeys" - | LC_ALL=C sort; }
	reverse_mbox "$f" | mthread 2>/dev/null | rpairs >"$TMP/rev"
	is "$n reversed: same parents (ids given once)" "$(rpairs <"$TMP/j" | md5sum)" "$(md5sum <"$TMP/rev")"
	mthread --format mbox --dups "$f" >"$TMP/o.mbox" 2>/dev/null; rc=$?
	is "$n --format mbox --dups: exit 0" "$rc" 0
	is "$n --format mbox --dups: one X-Mdesk-Thread per input message" "$(grep -c '^X-Mdesk-Thread: ' "$TMP/o.mbox")" "$total"
	for o in --subject --token --explain "-f tree"; do
		# shellcheck disable=SC2086
		mthread $o "$f" >/dev/null 2>&1; rc=$?
		is "$n $o: exit 0" "$rc" 0
	done
done
[ $found = 1 ] || skip "shared corpora" "no $CORPORA/*.mbox"

f=$CORPORA/notmuch-lists.mbox
if [ -f "$f" ]; then
	mthread "$f" >"$TMP/nm.json"
	is "notmuch-lists: 'yes' (In-Reply-To: <yes>) is never a message, ghost or parent" \
		"$(jq -r '.messages[] | select(.message_id == "yes" or .parent == "yes") | .message_id' "$TMP/nm.json" | wc -l | tr -d ' ')" 0
	is "notmuch-lists: no ghost without '@'" \
		"$(jq -r '.messages[] | select(.ghost) | .message_id | select(contains("@") | not)' "$TMP/nm.json" | head -3)" ""
else
	skip "notmuch-lists: <yes>" "no $f"
fi

f=$CORPORA/edge-cases.mbox
if [ -f "$f" ]; then
	mthread "$f" >"$TMP/ec.json" 2>/dev/null
	is "edge-cases: broken/loop: both messages, one thread, one root" \
		"$(jq -c 'select([.messages[].message_id] | index("mid-loop-12@example.org")) | [([.messages[] | select(.ghost | not) | .message_id] | sort), ([.messages[] | select(.parent == null)] | length)]' "$TMP/ec.json")" \
		'[["mid-loop-12@example.org","mid-loop-21@example.org"],1]'
	is "edge-cases: notmuch parent-priority: child under root, grand-child under child" \
		"$(jq -r '.messages[] | select(.message_id | test("^B0[01]-")) | "\(.message_id) \(.parent // "-")"' "$TMP/ec.json" | sort | tr '\n' ';')" \
		"B00-root@example.org -;B01-child@example.org B00-root@example.org;B01-grand-child@example.org B01-child@example.org;"
else
	skip "edge-cases: loop" "no $f"
fi

done_testing
