#!/bin/sh
# The status rules every help desk follows: a customer reply to a
# pending, on-hold or solved ticket opens it; a new ticket that gets an
# agent is open; automatic mail (Auto-Submitted, a bounce, an
# out-of-office only a rule catches) is not assigned and starts no
# service-level clock; a status change over another agent's live claim is
# refused without --force.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D"
NOW=2026-11-03T13:00:00Z	# a Tuesday, agents on shift
mail() {	# mail FROM MSGID SUBJECT [HEADER]: one message on stdout
	printf 'From: %s\nTo: support@lumen.example\nSubject: %s\nMessage-ID: <%s>\n%s\nHello, my order is late.\n' \
		"$1" "$3" "$2" "${4:+$4
}"
}
file() { mroute --now "$1" | sed -n 's/^X-Mdesk-Ticket: //p'; }
st() { mdesk --now "${2:-$NOW}" show --json "$1" | jq -r '"\(.status) \(.assignee)"'; }

# ---------------------------------------------------------------- a new ticket with an agent is open
T=$(mail 'Cli <cli@example.com>' c1@example.com 'Where is my order' | file $NOW)
is "a new ticket given to an agent is open" "$(st "$T" | cut -d' ' -f1)" open
check "  ... and it has an agent" "[ \"\$(mdesk show --json $T | jq -r .assignee)\" != null ]"
A=$(mdesk show --json "$T" | jq -r .assignee)

# ---------------------------------------------------------------- a customer reply opens it
reply() {	# reply N TIME: the customer writes again
	printf 'From: Cli <cli@example.com>\nTo: support@lumen.example\nSubject: Re: Where is my order\nMessage-ID: <c1-r%s@example.com>\nIn-Reply-To: <c1@example.com>\n\nAny news?\n' "$1" |
		mroute --now "$2" >/dev/null
}
n=1
for s in pending on-hold solved; do
	mdesk --now 2026-11-03T13:1${n}:00Z --as "$A" status "$T" $s >/dev/null 2>&1
	is "  ... set $s" "$(st "$T" 2026-11-03T13:1${n}:30Z | cut -d' ' -f1)" $s
	reply $n 2026-11-03T13:1${n}:40Z
	is "a customer reply to a $s ticket sets it open" "$(st "$T" 2026-11-03T13:1${n}:50Z | cut -d' ' -f1)" open
	n=$((n + 1))
done
is "the first-reply clock runs again after the reply to the on-hold ticket" \
	"$(msla --all --now 2026-11-03T13:12:50Z | jq -r --arg t "$T" 'select(.ticket == $t and .metric == "first_reply") | .state')" running

# ---------------------------------------------------------------- automatic mail is nobody's
B=$(mail 'Mail Delivery System <mailer-daemon@mx.example.net>' b1@mx.example.net 'Undelivered Mail Returned to Sender' 'Auto-Submitted: auto-replied' | file $NOW)
is "an Auto-Submitted bounce is not assigned" "$(st "$B" | cut -d' ' -f2)" null
is "  ... nor open" "$(st "$B" | cut -d' ' -f1)" new
O=$(mail 'Dana <dana@example.org>' o1@example.org 'Out of office: back on Monday' | file $NOW)
check "an out-of-office that only the rules catch is tagged auto-reply" \
	"mdesk show --json $O | jq -e '.tags | index(\"auto-reply\")'"
is "  ... it is not assigned" "$(st "$O" | cut -d' ' -f2)" null
is "  ... it has no running clock, a week later" \
	"$(msla --all --now 2026-11-10T13:00:00Z | jq -r --arg b "$B" --arg o "$O" 'select(.ticket == $b or .ticket == $o) | .state' | sort -u | tr '\n' ' ')" ""
# ---------------------------------------------------------------- a status over another's claim
for x in ana bob; do [ "$x" != "$A" ] && O2=$x && break; done
mdesk --now 2026-11-03T14:00:00Z --as "$A" claim "$T" >/dev/null 2>&1
refused "a status change over another agent's live claim is refused (as a claim is)" 1 "claimed by $A" \
	mdesk --now 2026-11-03T14:05:00Z --as "$O2" status "$T" solved
w "  ... and made with --force" mdesk --now 2026-11-03T14:06:00Z --as "$O2" status "$T" solved --force
is "  ... recorded as forced" "$(mdesk show --json "$T" | jq -r '[.events[] | select(.type == "status")][-1].force')" true
w "the claimer changes the status freely" mdesk --now 2026-11-03T14:07:00Z --as "$A" status "$T" pending
w "after the claim ends, anyone may" mdesk --now 2026-11-03T15:00:00Z --as "$O2" status "$T" open
done_testing
