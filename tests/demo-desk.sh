#!/bin/sh
# demo-desk.sh: the story of the demo desk of "make demo".
#
# The bundled mailbox (tests/data/support.mbox, 2-20 November 2026) is
# filed half a day at a time, as the mail arrived; between deliveries the
# team works the desk with the tools, the clock (MDESK_NOW) at the end of
# each half day:
#   - the lead gives the two oldest unassigned tickets to an agent of the
#     queue's group (mornings);
#   - an agent claims a new unanswered ticket and leaves a note for a
#     colleague (evenings);
#   - the agents answer up to two customers who have waited a day
#     or more (mreply --record with the template "answer": recorded as
#     if a mailer had taken it, nothing is sent);
#   - a ticket that the agent answered last, with no news for 20 hours,
#     is solved by its agent; a customer who writes again
#     reopens it (mroute);
#   - two customers phone back about solved tickets on 12 November: the
#     agent notes it and reopens them;
#   - msla --notify escalates the clocks that broke their targets.
#
# usage: sh tests/demo-desk.sh BUILD DESK MBOX
# The desk must be new (mdesk init); the story ends at 2026-11-21T00:00Z.
set -eu
B=$1 DESK=$2 MBOX=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# the mailbox in half days (UTC, from the From_ lines): T/DD-0, T/DD-1
awk -v dir="$T" '
	/^From / { split($6, hm, ":"); f = sprintf("%s/%02d-%d", dir, $5, hm[1] >= 12) }
	{ print > f }
' "$MBOX"

desk() { "$B/mdesk" --desk "$DESK" "$@"; }

printf '%s\n' "We have checked your order and put it right: you will see the" \
    "change in your account within a day." >"$T/answer"

# the IDs of the open tickets matching a jq condition, oldest first
open_ids() { desk ls --format json | jq -r "select($1) | .id"; }

# the agent for a queue's ticket: billing to dmitri, sales to bob, the
# others to ana and farah in turn
pick() {
	case $1 in
	billing) echo dmitri ;;
	sales) echo bob ;;
	*) [ $(($2 % 2)) -eq 0 ] && echo ana || echo farah ;;
	esac
}

n=0
for day in 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17 18 19 20; do
	for half in 0 1; do
		n=$((n + 1))
		if [ "$half" = 0 ]; then
			now=2026-11-${day}T12:00:00Z
		else
			now=$(date -u -d "2026-11-$day + 1 day" +%Y-%m-%dT00:00:00Z)
		fi
		export MDESK_NOW="$now"
		[ -f "$T/$day-$half" ] &&
			"$B/mroute" --at-date --desk "$DESK" <"$T/$day-$half" >/dev/null
		ago=$(($(date -u -d "$now" +%s) - 20 * 3600))
		if [ "$half" = 0 ]; then
			k=0
			for id in $(open_ids '.assignee == null' | head -2); do
				q=$(desk show "$id" --json | jq -r .queue)
				desk --as ana assign "$id" "$(pick "$q" $((n + k)))" >/dev/null
				k=$((k + 1))
			done
		else
			id=$(open_ids '.assignee != null and .replies == 0 and .claimed_by == null' | tail -1)
			if [ -n "$id" ]; then
				a=$(desk show "$id" --json | jq -r .assignee)
				desk --as "$a" claim "$id" --for 2h >/dev/null
				desk --as "$a" note "$id" "Checking the order history first; @bob, do we still have stock?" >/dev/null
			fi
		fi
		# answers: the customers who wrote last, a day ago or more
		wait=$(($(date -u -d "$now" +%s) - 24 * 3600))
		desk ls --format json | jq -r "select(.messages > .replies and
		    (.updated | fromdateiso8601) < $wait) | \"\\(.id) \\(.assignee // \"ana\")\"" |
		head -2 | while read -r id a; do
			"$B/mreply" --desk "$DESK" --as "$a" --force --record --ticket "$id" -t answer \
			    --text "$T/answer" >/dev/null
		done
		# solved: the agent answered last (as many replies as messages)
		# and nothing happened for 20 hours
		desk ls --format json | jq -r "select(.replies >= .messages and
		    (.updated | fromdateiso8601) < $ago) | \"\\(.id) \\(.assignee // \"ana\")\"" |
		while read -r id a; do
			desk --as "$a" status "$id" solved >/dev/null
		done
		if [ "$day$half" = 121 ]; then
			for id in $(desk ls --all --format json |
			    jq -r 'select(.status == "solved") | .id' | head -2); do
				a=$(desk show "$id" --json | jq -r '.assignee // "ana"')
				desk --as "$a" note "$id" "The customer phoned: the problem is back. Reopening." >/dev/null
				desk --as "$a" status "$id" open >/dev/null
			done
		fi
		"$B/msla" --desk "$DESK" --notify --escalate lead@lumen.example >/dev/null || :
	done
done
