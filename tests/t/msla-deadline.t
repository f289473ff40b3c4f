#!/bin/sh
# A deadline is an instant: once passed it is breached, whatever the
# calendar says now.  A ticket filed Thursday after closing in São Paulo
# (normal policy, 8 business hours) is due Friday 18:00 local; on Saturday
# it is breached at that time, not at-risk with the due time following the
# clock all weekend.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D"
printf 'From: Cli <cli@example.com>\nTo: support@lumen.example\nSubject: Printer broken\nMessage-ID: <p1@example.com>\n\nHelp.\n' |
	mroute --now 2026-11-26T21:30:00Z >/dev/null 2>"$TMP/err"
is "filed Thursday 2026-11-26 21:30Z" "$?" 0
fr() { msla --all --now "$1" | jq -r 'select(.metric == "first_reply") | "\(.policy) \(.state) \(.due)"'; }
is "Friday 17:59 local: at-risk, due Friday 18:00 local" "$(fr 2026-11-27T20:59:00Z)" \
	"normal at-risk 2026-11-27T21:00:00Z"
is "Friday 18:00 local exactly: not yet breached" "$(fr 2026-11-27T21:00:00Z)" \
	"normal at-risk 2026-11-27T21:00:00Z"
is "Saturday: breached, due the Friday time (msla --all --now 2026-11-28T15:00:00Z)" \
	"$(fr 2026-11-28T15:00:00Z)" "normal breached 2026-11-27T21:00:00Z"
is "Sunday night: the same" "$(fr 2026-11-30T02:00:00Z)" "normal breached 2026-11-27T21:00:00Z"
is "Monday 09:00:01 local: the same" "$(fr 2026-11-30T12:00:01Z)" "normal breached 2026-11-27T21:00:00Z"
done_testing
