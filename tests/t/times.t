#!/bin/sh
# valgrind: no
# Times a desk cannot hold (before 1970, after 9999) are refused with exit
# 64 before anything is written, from --now, MDESK_NOW and every date
# option; a reader that meets an event it cannot use (not JSON, no time,
# a time outside 1970-9999) skips it with one warning naming the ticket's
# file and line, and reports the rest of the desk.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
M=$DATA/mail
export MDESK_DIR="$TMP/desk" MDESK_AGENT=ana
newdesk "$MDESK_DIR"
mroute --now 2026-11-03T10:00:00Z <"$M/single.eml" >"$TMP/out"
A=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")
sed 's/^Message-ID: .*/Message-ID: <second@example.com>/; s/^Subject: .*/Subject: another one/' \
	"$M/single.eml" | mroute --now 2026-11-03T10:05:00Z >"$TMP/out"
B=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")
check "two tickets ($A, $B)" "test -n '$A' && test -n '$B' && test '$A' != '$B'"

# ---------------------------------------------------------------- refused times
for t in @-9223372036854775807 @-1 1969-12-31T23:59:59Z @253402300800 \
    9999-12-31T23:59:59-01:00 1970-01-01T00:30:00+01:00; do
	refused "mdesk --now $t note: exit 64" 64 "--now: bad time" mdesk --now "$t" note "$A" x
	MDESK_NOW=$t refused "MDESK_NOW=$t mdesk note: exit 64" 64 "MDESK_NOW: bad time" mdesk note "$A" x
done
refused "mroute --now @-1: exit 64, nothing filed" 64 "--now: bad time" \
	sh -c 'mroute --now @-1 <"$1"' sh "$M/single.eml"
refused "mreply --now @253402300800: exit 64" 64 "--now: bad time" \
	sh -c 'mreply --now @253402300800 --ticket "$1" --template answer </dev/null' sh "$A"
msla --now @-1 >"$TMP/out" 2>"$TMP/err"
is "msla --now @-1: exit 64" "$?" 64
msla --now 2026-11-04T00:00:00Z --as-of 1969-12-31T00:00:00Z >"$TMP/out" 2>"$TMP/err"
is "msla --as-of 1969: exit 64" "$?" 64
mreport --now 2026-11-04T00:00:00Z --since 1969-12-31 >"$TMP/out" 2>"$TMP/err"
is "mreport --since 1969-12-31: exit 64" "$?" 64
mreport --now 2026-11-04T00:00:00Z --since 1970-01-01 --tz Asia/Tokyo >"$TMP/out" 2>"$TMP/err"
is "mreport --since 1970-01-01 in Tokyo (before the epoch in UTC): exit 64" "$?" 64
mreport --now @99999999999999 >"$TMP/out" 2>"$TMP/err"
is "mreport --now past 9999: exit 64" "$?" 64
refused "mdesk claim --for past 9999: exit 64" 64 "--for: the claim would end after 9999" \
	mdesk --now 9999-12-31T23:00:00Z claim "$A" --for 2h
w "the last second of 9999 is a time: mdesk note" mdesk --now 9999-12-31T23:59:59Z note "$A" "at the end"
check "... written as it is" "grep -q '\"at\":\"9999-12-31T23:59:59Z\"' '$MDESK_DIR/tickets/'*/'$A/events.jsonl'"
w "... and the ticket takes changes after it" mdesk --now 2026-11-03T12:00:00Z note "$A" "later"

# ---------------------------------------------------------------- one bad line
EV=tickets/$(printf %.2s "$A")/$A/events.jsonl
n=$(($(wc -l <"$MDESK_DIR/$EV") + 1))
{ echo '{"at":"0001-01-01T00:00:00Z","by":"ana","id":"aaaa","type":"note","text":"x"}'
  echo 'not json'; } >>"$MDESK_DIR/$EV"
git -C "$MDESK_DIR" commit -qam "a replica's broken lines"
for cmd in "msla --now 2026-11-04T00:00:00Z --all" "mdesk ls" "mdesk show $A" "msla --now 2026-11-04T00:00:00Z --all" \
    "mreport --now 2026-11-04T00:00:00Z"; do
	rm -rf "$MDESK_DIR/.git/mdesk"	# each reader meets the lines itself
	$cmd >"$TMP/out" 2>"$TMP/err"; rc=$?
	tool=${cmd%% *}
	check "$cmd: not stopped by them (exit $rc)" "test $rc -le 1"
	is "$cmd: one warning for each line, naming it" \
		"$(grep -c "^$tool: $EV:$n: bad \"at\" time" "$TMP/err") $(grep -c "^$tool: $EV:$((n + 1)): not JSON; the line is skipped" "$TMP/err")" "1 1"
	check "$cmd: nothing else on stderr" "test \$(wc -l <'$TMP/err') -eq 2"
done
mdesk ls >"$TMP/out" 2>/dev/null
check "mdesk ls lists both tickets" "grep -q '$A' '$TMP/out' && grep -q '$B' '$TMP/out'"
msla --now 2026-11-04T00:00:00Z --all --format json >"$TMP/out" 2>/dev/null
check "msla shows both tickets" "grep -q '\"$A\"' '$TMP/out' && grep -q '\"$B\"' '$TMP/out'"
mreport --now 2026-11-04T00:00:00Z --since 2026-11-01 --format json >"$TMP/out" 2>/dev/null
check "mreport counts both tickets" "grep -Eq '\"created\": *2\\b|\"created\":2\\b' '$TMP/out'"
w "a writer takes a change to that ticket" mdesk --now 2026-11-04T01:00:00Z note "$A" "still works"
mdesk check >"$TMP/out" 2>"$TMP/err"; rc=$?
is "mdesk check reports both lines as problems: exit 78" \
	"$rc $(grep -c "^mdesk: $EV:" "$TMP/err")" "78 2"
done_testing
