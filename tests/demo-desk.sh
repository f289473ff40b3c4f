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
#   - msla --notify escalates the clocks that broke their targets;
#   - on Friday night the agent of the newest open ticket, waiting on a
#     carrier, snoozes it until Monday 09:00 and sets a reminder to call
#     them at 10:00 (mdesk snooze, mdesk remind).
#
# usage: sh tests/demo-desk.sh BUILD DESK MBOX
# The desk must be new (mdesk init at 2026-11-02); the story ends at
# 2026-11-21T00:00Z.
set -eu
B=$1 DESK=$2 MBOX=$3
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# the mailbox in half days (UTC, from the From_ lines): T/index lists the
# messages in order, "DD-H customer - - NNN" or, for mail from an agent's
# address, "DD-H agent LOGIN EPOCH NNN"; T/NNN.eml is the message (an mbox
# of one) and T/NNN.txt an agent's words, decoded.  Mail in an agent's
# name counts for nothing in a desk: agents answer through mreply, so
# their messages become replies recorded by mreply when they were written.
python3 - "$MBOX" "$T" <<'PY'
import email, email.policy, email.utils, re, sys
mbox, out = sys.argv[1], sys.argv[2]
agents = {'ana.ribeiro': 'ana', 'bob.marsh': 'bob', 'chen.wei': 'chen',
          'dmitri.orlov': 'dmitri', 'farah.karimi': 'farah'}
msgs = re.split(rb'(?m)^(?=From )', open(mbox, 'rb').read())
with open(out + '/index', 'w') as index:
    for n, raw in enumerate(m for m in msgs if m.startswith(b'From ')):
        f = raw.split(b'\n', 1)[0].split()
        slot = '%02d-%d' % (int(f[4]), int(f[5][:2]) >= 12)
        name = '%s/%03d' % (out, n)
        open(name + '.eml', 'wb').write(raw)
        who, _, dom = f[1].decode().partition('@')
        if dom != 'lumen.example' or who not in agents:
            print(slot, 'customer - -', '%03d' % n, file=index)
            continue
        m = email.message_from_bytes(raw.split(b'\n', 1)[1], policy=email.policy.default)
        body = m.get_body(preferencelist=('plain',))
        open(name + '.txt', 'w').write(body.get_content() if body else '')
        at = int(email.utils.parsedate_to_datetime(m['Date']).timestamp())
        print(slot, 'agent', agents[who], at, '%03d' % n, file=index)
PY

desk() { "$B/mdesk" --desk "$DESK" "$@"; }

# the demo's settings, committed as a person edits a desk: no fsync (a
# demo), and the template of the agents' own words
sed -i 's/^fsync = yes/fsync = no/' "$DESK/desk.conf"
printf '\n{{reply.text}}\n' >"$DESK/templates/as-written.txt"
git -C "$DESK" add desk.conf templates/as-written.txt
GIT_AUTHOR_DATE=2026-11-02T00:00:00Z GIT_COMMITTER_DATE=2026-11-02T00:00:00Z \
    git -C "$DESK" -c user.name=Demo -c user.email=demo@lumen.example \
    commit -q -m 'desk.conf: no fsync for the demo; templates/as-written.txt'


printf '%s\n' "We have checked your order and put it right: you will see the" \
    "change in your account within a day." >"$T/answer"

# the mail of a half day in order: the customers' messages filed by
# mroute, a batch at a time; each agent's message recorded as the answer
# of its ticket (mroute --dry-run tells which) by mreply, as written
file_slot() {
	: >"$T/batch"
	grep "^$1 " "$T/index" | {
		while read -r slot kind login at n; do
			if [ "$kind" = customer ]; then
				cat "$T/$n.eml" >>"$T/batch"
				continue
			fi
			flush
			id=$("$B/mroute" --dry-run --at-date --desk "$DESK" <"$T/$n.eml" | jq -r 'select(.thread != "new") | .ticket // empty')
			[ -z "$id" ] || "$B/mreply" --desk "$DESK" --now "@$at" --as "$login" --force \
			    --record --ticket "$id" -t as-written --text "$T/$n.txt" >/dev/null
		done
		flush
	}
}
flush() {
	[ ! -s "$T/batch" ] || "$B/mroute" --at-date --desk "$DESK" <"$T/batch" >/dev/null
	: >"$T/batch"
}

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
		file_slot "$day-$half"
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

# Friday night: the newest assigned ticket waits on the carrier; its agent
# snoozes it until Monday 09:00 (the desk's time), when it comes back
# open and its agent is told, and sets a reminder for 10:00
export MDESK_NOW=2026-11-21T00:00:00Z
id=$(open_ids '.assignee != null' | tail -1)
if [ -n "$id" ]; then
	a=$(desk show "$id" --json | jq -r .assignee)
	desk --as "$a" note "$id" "Waiting for the carrier's answer; back to it on Monday." >/dev/null
	desk --as "$a" snooze "$id" 2026-11-23T09:00 >/dev/null
	desk --as "$a" remind "$id" 2026-11-23T10:00 "Call the carrier if they have not written." >/dev/null
fi
