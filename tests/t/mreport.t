#!/bin/sh
# mreport: a support week built with the real tools at fixed times, every
# figure computed by hand in the comments.
#
# The desk's zone is UTC; calendar "nine" is open 09:00-18:00 UTC Monday
# to Friday; one policy for every ticket: first reply 2h and resolution
# 16h of business time (no next-reply or update targets).  The week is
# Monday 2026-11-16 .. Sunday 2026-11-22; the report runs
# --since 2026-11-16 --until 2026-11-23 (midnights UTC).
#
#   D  Sun 15 23:00 dora, acknowledged (before the week); ana
#      Mon 16 08:00 ana replies: first reply 9h (32400 s), business 0
#      Mon 16 08:30 solved: resolution 9h30m (34200), business 0; 1 reply
#   A  Mon 16 09:00 alma, acknowledged; ana
#      Mon 16 09:30 ana replies: first reply 30m (1800), business 1800
#      Mon 16 10:00 solved: resolution 1h (3600), business 3600; 1 reply
#   B  Mon 16 17:00 bea, acknowledged; bob
#      Tue 17 09:30 bob replies: first reply 16h30m (59400), business
#                   1h (Mon 17-18) + 30m = 5400
#      Tue 17 11:00 bea writes again; 12:00 bob replies
#      Tue 17 12:05 solved: resolution 19h05m (68700), business
#                   1h + 3h05m = 14700; 2 replies before
#      Thu 19 10:00 bea writes: reopened
#      Thu 19 11:00 bob replies; 11:05 solved: resolution 66h05m (237900),
#                   business 1h + 9h + 9h + 2h05m = 21h05m (75900); 3 replies
#   C  Wed 18 20:00 cleo, acknowledged; ana; never answered: the first
#      reply was due Thu 11:00 (2h of business time): breached.
#      Thu 19 12:00 msla --notify: one escalation.  Resolution (16h) was
#      due Fri 16:00 (Thu 9h + 7h): breached by the end of the week.
#   G  Fri 20 17:00 gus, acknowledged; bob; Mon 23 09:00 bob replies
#      (after the report: left out).  Open at the end, clocks running.
#   E  Sun 22 22:00 eva, acknowledged; nobody.  Open at the end.
#
# valgrind: no
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
export MDESK_DIR="$TMP/desk" MDESK_AGENT=bob
newdesk "$MDESK_DIR"
manualdesk "$MDESK_DIR"
sed -i 's/^timezone = .*/timezone = UTC/' "$MDESK_DIR/desk.conf"
cat >"$MDESK_DIR/calendars/nine.conf" <<'EOF'
timezone = UTC
mon = 09:00-18:00
tue = 09:00-18:00
wed = 09:00-18:00
thu = 09:00-18:00
fri = 09:00-18:00
EOF
cat >"$MDESK_DIR/sla.conf" <<'EOF'
[policy normal]
match = *
first_reply = 2h
resolution = 16h
time = business
calendar = nine
warn = 1m
EOF
git -C "$MDESK_DIR" add -A
GIT_AUTHOR_DATE=2026-11-02T08:00:02Z GIT_COMMITTER_DATE=2026-11-02T08:00:02Z git -C "$MDESK_DIR" commit -qm "report tests"

R="--since 2026-11-16 --until 2026-11-23 --now 2026-11-24T00:00:00Z"

# the empty desk: one row of zeros; by day: seven of them
mreport $R --format json >"$TMP/out"; rc=$?
is "empty desk: one row, exit 0" "$rc:$(wc -l <"$TMP/out")" "0:1"
is "empty desk: zeros and nulls" "$(jq -r '[.created,.solved,.backlog,.first_reply_n,.first_reply_median_s,.sla_first_reply_achievement,.busiest_weekday]|map(tostring)|join(" ")' "$TMP/out")" "0 0 0 0 null null null"
is "empty desk by day: seven empty periods" "$(mreport $R --by day --format json | jq -r '"\(.period) \(.created)"' | tr '\n' ' ')" "2026-11-16 0 2026-11-17 0 2026-11-18 0 2026-11-19 0 2026-11-20 0 2026-11-21 0 2026-11-22 0 "
is "empty desk by agent: no rows" "$(mreport $R --by agent --format json | wc -l)" 0

# mail FROM MSGID [IN-REPLY-TO]: a message on stdout
mail() {
	printf 'From: %s\nTo: support@lumen.example\nSubject: Order %s\nMessage-ID: <%s>\n' "$1" "$2" "$2"
	[ -n "${3:-}" ] && printf 'In-Reply-To: <%s>\n' "$3"
	printf '\nHello, where is my order?\n'
}
# new TIME FROM MSGID: a new ticket, acknowledged; prints its ID
new() {
	mail "$2" "$3" | mroute --now "$1" >"$TMP/routed" &&
	MDESK_NOW=$1 mreply --ack --record <"$TMP/routed" >/dev/null &&
	sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/routed"
}
more() { mail "$2" "$3" "$4" | mroute --now "$1" >/dev/null; }	# TIME FROM MSGID IRT
reply() { MDESK_NOW=$1 mreply --record --as "$2" --force --ticket "$3" -t answer >/dev/null; }
st() { mdesk --now "$1" status "$2" "$3" >/dev/null; }
as() { mdesk --now "$1" assign "$2" "$3" >/dev/null; }

D=$(new 2026-11-15T23:00:00Z dora@example.com d1@example.com)
as 2026-11-15T23:01:00Z "$D" ana
reply 2026-11-16T08:00:00Z ana "$D"
st 2026-11-16T08:30:00Z "$D" solved
A=$(new 2026-11-16T09:00:00Z alma@example.com a1@example.com)
as 2026-11-16T09:01:00Z "$A" ana
reply 2026-11-16T09:30:00Z ana "$A"
st 2026-11-16T10:00:00Z "$A" solved
B=$(new 2026-11-16T17:00:00Z bea@example.com b1@example.com)
as 2026-11-16T17:01:00Z "$B" bob
reply 2026-11-17T09:30:00Z bob "$B"
more 2026-11-17T11:00:00Z bea@example.com b2@example.com b1@example.com
reply 2026-11-17T12:00:00Z bob "$B"
st 2026-11-17T12:05:00Z "$B" solved
TUESDAY=$(head_id)
C=$(new 2026-11-18T20:00:00Z cleo@example.com c1@example.com)
as 2026-11-18T20:01:00Z "$C" ana
more 2026-11-19T10:00:00Z bea@example.com b3@example.com b1@example.com
reply 2026-11-19T11:00:00Z bob "$B"
st 2026-11-19T11:05:00Z "$B" solved
msla --now 2026-11-19T12:00:00Z --notify >/dev/null
G=$(new 2026-11-20T17:00:00Z gus@example.com g1@example.com)
as 2026-11-20T17:01:00Z "$G" bob
E=$(new 2026-11-22T22:00:00Z eva@example.com e1@example.com)
reply 2026-11-23T09:00:00Z bob "$G"
is "the week: six tickets, git status clean" "$(ls -d "$MDESK_DIR"/tickets/*/* | wc -l):$(porcelain)" "6:"
is "B's reopen joined B" "$(grep -c '"type":"received"' "$MDESK_DIR"/tickets/*/"$B"/events.jsonl)" 3
is "one escalation (C's first reply)" "$(cat "$MDESK_DIR"/tickets/*/*/events.jsonl | grep -c '"type":"escalated"')" 1

# ---------------------------------------------------------------- totals
# created A B C G E = 5 (D before the week); solved D A B B = 4; reopened
# B = 1; backlog at Mon 23 00:00: C G E = 3; incoming A B B B C G E = 7
# first reply: 1800 32400 59400: median rank ceil(1.5) = 2: 32400; p90
# rank ceil(2.7) = 3: 59400; mean 93600 / 3 = 31200; business 0 1800
# 5400: median 1800, p90 5400, mean 7200 / 3 = 2400
# resolution: 3600 34200 68700 237900: median rank 2: 34200; p90 rank
# ceil(3.6) = 4: 237900; mean 344400 / 4 = 86100; business 0 3600 14700
# 75900: 3600, 75900, 94200 / 4 = 23550
# replies before the solves 1 + 1 + 2 + 3 = 7: 7 / 4 = 1.75; one touch D
# A = 2: 0.5
# SLA first reply: met D A B, breached C (G and E running: not counted):
# 3 / 4 = 0.75; resolution: met D A B, breached C: 0.75; next reply and
# update: no targets: 0 / 0, null
# escalations 1; acknowledgements A B C G E = 5 (D's on Sunday 15)
# busiest: seven cells of one message; Monday 09 (A) comes first
mreport $R --format json >"$TMP/all.json"; rc=$?
is "totals: exit 0, one row" "$rc:$(wc -l <"$TMP/all.json")" "0:1"
j() { jq -r "$1" "$TMP/all.json"; }
is "totals: created solved reopened backlog incoming" "$(j '[.created,.solved,.reopened,.backlog,.incoming]|join(" ")')" "5 4 1 3 7"
is "totals: first reply n, median, p90, mean" "$(j '[.first_reply_n,.first_reply_median_s,.first_reply_p90_s,.first_reply_mean_s]|join(" ")')" "3 32400 59400 31200"
is "totals: first reply in business time" "$(j '[.first_reply_business_median_s,.first_reply_business_p90_s,.first_reply_business_mean_s]|join(" ")')" "1800 5400 2400"
is "totals: resolution n, median, p90, mean" "$(j '[.resolution_n,.resolution_median_s,.resolution_p90_s,.resolution_mean_s]|join(" ")')" "4 34200 237900 86100"
is "totals: resolution in business time" "$(j '[.resolution_business_median_s,.resolution_business_p90_s,.resolution_business_mean_s]|join(" ")')" "3600 75900 23550"
is "totals: replies per solved, one touch" "$(j '[.replies_per_solved,.one_touch,.one_touch_rate]|join(" ")')" "1.75 2 0.5"
is "totals: SLA first reply and resolution" "$(j '[.sla_first_reply_met,.sla_first_reply_breached,.sla_first_reply_achievement,.sla_resolution_met,.sla_resolution_breached,.sla_resolution_achievement]|join(" ")')" "3 1 0.75 3 1 0.75"
is "totals: no next-reply target: null" "$(j '[.sla_next_reply_met,.sla_next_reply_breached,.sla_next_reply_achievement]|map(tostring)|join(" ")')" "0 0 null"
is "totals: escalations, acks" "$(j '[.escalations,.acks]|join(" ")')" "1 5"
is "totals: busiest weekday and hour" "$(j '[.busiest_weekday,.busiest_hour]|join(" ")')" "mon 9"
is "totals: the span" "$(j '[.from,.to]|join(" ")')" "2026-11-16T00:00:00Z 2026-11-23T00:00:00Z"

# ---------------------------------------------------------------- by agent
# ana: A C D: created A C = 2, solved D A = 2, backlog C = 1; first reply
# 1800 32400: median rank 1: 1800, p90 rank 2: 32400, mean 17100; SLA
# first reply met D A, breached C: 2/3 = 0.6667; acks A C = 2; escalation C
# bob: B G: created 2, solved B B = 2, reopened 1, backlog G = 1; first
# reply 59400; resolution 68700 237900: median 68700, p90 237900, mean
# 153300; replies (2 + 3) / 2 = 2.5, one touch 0; acks B G = 2
# "-": E: created 1, backlog 1, incoming 1, ack 1
mreport $R --by agent --format json >"$TMP/agent.json"
a() { jq -r "select(.agent == \"$1\") | $2" "$TMP/agent.json"; }
is "by agent: three rows, sorted" "$(jq -r .agent "$TMP/agent.json" | tr '\n' ' ')" "- ana bob "
is "ana: created solved reopened backlog" "$(a ana '[.created,.solved,.reopened,.backlog]|join(" ")')" "2 2 0 1"
is "ana: first reply median p90 mean" "$(a ana '[.first_reply_median_s,.first_reply_p90_s,.first_reply_mean_s]|join(" ")')" "1800 32400 17100"
is "ana: SLA first reply, acks, escalations" "$(a ana '[.sla_first_reply_met,.sla_first_reply_breached,.sla_first_reply_achievement,.acks,.escalations]|join(" ")')" "2 1 0.6667 2 1"
is "bob: created solved reopened backlog" "$(a bob '[.created,.solved,.reopened,.backlog]|join(" ")')" "2 2 1 1"
is "bob: resolution median p90 mean" "$(a bob '[.resolution_median_s,.resolution_p90_s,.resolution_mean_s]|join(" ")')" "68700 237900 153300"
is "bob: replies per solved, one touch" "$(a bob '[.replies_per_solved,.one_touch,.one_touch_rate]|join(" ")')" "2.5 0 0"
is "unassigned: created backlog incoming acks" "$(a - '[.created,.backlog,.incoming,.acks]|join(" ")')" "1 1 1 1"

# by group (agents.csv): ana is in support and billing, bob in support
# and sales: created - E = 1, billing A C = 2, sales B G = 2, support 4
is "by group: a ticket in each of its agent's groups" "$(mreport $R --by group --format json | jq -r '"\(.group)=\(.created)"' | tr '\n' ' ')" "-=1 billing=2 sales=2 support=4 "

# ---------------------------------------------------------------- by day
# Mon 16: created A B, solved D A, backlog B (pending) = 1
# Tue 17: solved B, backlog 0
# Wed 18: created C, backlog C
# Thu 19: reopened B and solved B, escalation, backlog C
# Fri 20: created G, backlog C G
# Sat 21: nothing happened: backlog C G
# Sun 22: created E: backlog C G E
is "by day: created solved reopened backlog" "$(mreport $R --by day --format json | jq -r '"\(.period)=\(.created)/\(.solved)/\(.reopened)/\(.backlog)"' | tr '\n' ' ')" \
	"2026-11-16=2/2/0/1 2026-11-17=0/1/0/0 2026-11-18=1/0/0/1 2026-11-19=0/1/1/1 2026-11-20=1/0/0/2 2026-11-21=0/0/0/2 2026-11-22=1/0/0/3 "
# B spans three days: its first reply counts on Tuesday (when sent), its
# resolutions on Tuesday and Thursday
is "by day: B's first reply on Tuesday, resolutions Tue and Thu" "$(mreport $R --by day --format json | jq -r 'select(.period == "2026-11-17" or .period == "2026-11-19") | "\(.first_reply_median_s) \(.resolution_median_s)"' | tr '\n' ' ')" "59400 68700 null 237900 "
# agent x week: combined groupings, one week
is "by agent and week" "$(mreport $R --by agent --by week --format json | jq -r '"\(.agent) \(.period) \(.solved)"' | tr '\n' ' ')" "- 2026-W47 0 ana 2026-W47 2 bob 2026-W47 2 "
# the week before: D created Sunday 15; its ack; backlog at the end: D
is "the week before: D" "$(mreport --since 2026-11-09 --until 2026-11-16 --now 2026-11-24T00:00:00Z --format json | jq -r '[.created,.backlog,.acks,.incoming]|join(" ")')" "1 1 1 1"
# no --since: from the first event; by week: W46 (D) and W47
is "no --since: from D's week" "$(mreport --until 2026-11-23 --now 2026-11-24T00:00:00Z --by week --format json | jq -r '"\(.period) \(.created)"' | tr '\n' ' ')" "2026-W46 1 2026-W47 5 "

# ---------------------------------------------------------------- zones
# In America/Sao_Paulo (UTC-3) the dates are midnights -03; nothing moves
# out of the week, but A came in Monday 06:00 local
is "--tz: busiest hour in Sao Paulo" "$(mreport $R --tz America/Sao_Paulo --format json | jq -r '[.created,.busiest_weekday,.busiest_hour,.from]|join(" ")')" "5 mon 6 2026-11-16T03:00:00Z"
refused "--tz: not a zone" 64 "not a time zone" mreport $R --tz Mars/Olympus
refused "--by: unknown" 64 "is not agent" mreport $R --by planet
refused "--by: two periods" 64 "one period" mreport $R --by day --by week
refused "--since: no such date" 64 "not a time" mreport --since 2026-02-29
refused "--since after --until" 64 "not before" mreport --since 2026-11-23 --until 2026-11-16

# ---------------------------------------------------------------- CSV
# the header and the row parsed back (perl reads RFC 4180 quoting here)
mreport $R --by agent --format csv >"$TMP/out.csv"
is "CSV: a header and three rows" "$(wc -l <"$TMP/out.csv")" 4
is "CSV: the header starts" "$(head -1 "$TMP/out.csv" | cut -d, -f1-5 | tr -d '\r')" "agent,from,to,created,solved"
is "CSV: the same fields as JSON" "$(head -1 "$TMP/out.csv" | tr -d '\r' | tr , '\n' | wc -l)" "$(head -1 "$TMP/agent.json" | jq -r 'keys_unsorted|length')"
is "CSV: bob's resolution median" "$(perl -ne 's/\r?\n$//; @f = split /,/, $_, -1; if ($. == 1) { %i = map { $f[$_] => $_ } 0..$#f; next } print "$f[$i{agent}] $f[$i{resolution_median_s}] $f[$i{one_touch_rate}]\n" if $f[$i{agent}] eq "bob"' "$TMP/out.csv")" "bob 68700 0.0000"

# ---------------------------------------------------------------- table
mreport $R --by agent --format table >"$TMP/out"
check "table: a header and ana's row" "grep -q '^agent  *created  *solved' '$TMP/out' && grep -q '^ana  *2  *2  *0  *1  *30m  *9h ' '$TMP/out'"

# ---------------------------------------------------------------- --rev
# at Tuesday's last commit (B solved at 12:05): until = that commit's time
# + 1 s; created A B = 2 (D before --since), solved D A B = 3, backlog 0
is "--rev: the desk on Tuesday" "$(mreport --rev "$TUESDAY" --since 2026-11-16 --format json | jq -r '[.created,.solved,.backlog,.to]|join(" ")')" "2 3 0 2026-11-17T12:05:01Z"
refused "--rev: unknown" 64 "not a revision" mreport --rev nosuchrev

# ---------------------------------------------------------------- archive
# the solved tickets D A B move to the archive: the same figures
mdesk --now 2026-11-24T00:00:00Z archive --older-than 1d >/dev/null
is "archive: D A B left the working tree" "$(ls -d "$MDESK_DIR"/tickets/*/* | wc -l)" 3
mreport $R --format json >"$TMP/after.json"
is "archive: the same totals" "$(cat "$TMP/after.json")" "$(cat "$TMP/all.json")"
# at a revision too: main's tickets, then the archive as it stood then
is "archive: --rev HEAD, the same totals" "$(mreport $R --rev HEAD --format json)" "$(cat "$TMP/all.json")"

# ---------------------------------------------------------------- hostile
# a malformed event committed by hand: skipped with one warning naming
# its file and line; the report is the report without it
_p=$(cd "$MDESK_DIR" && ls tickets/*/"$E"/events.jsonl)
printf '{"at":"2026-11-22T23:00:00Z","id":"bad",\n' >>"$MDESK_DIR/$_p"
git -C "$MDESK_DIR" commit -qam "a broken line"
mreport $R --format json >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a malformed events file: exit 0, one warning with file:line" \
	"$rc $(cat "$TMP/err")" "0 mreport: $_p:3: not JSON; the line is skipped"
is "... the same totals" "$(cat "$TMP/out")" "$(cat "$TMP/all.json")"
git -C "$MDESK_DIR" reset -q --hard HEAD~1

# ---------------------------------------------------------------- html
mreport $R --format html >"$TMP/r.html"; rc=$?
is "html: exit 0" "$rc" 0
check "html: self-contained (no script, no external file)" "! grep -qiE '<script|src=|href=|@import|url\\(' '$TMP/r.html'"
is "html: five charts and the table" "$(grep -o '<svg class=\"chart\" id=\"[a-z-]*\"' "$TMP/r.html" | sed 's/.*id=//' | tr -d '"' | tr '\n' ' ')$(grep -c '<table id="agents">' "$TMP/r.html")" "volume first-reply sla heatmap 1"
# rendered by a browser: the charts are in the DOM with their marks, and
# the picture is not blank
CHROME=
for c in chromium chromium-browser google-chrome; do
	command -v "$c" >/dev/null 2>&1 && { CHROME=$c; break; }
done
if [ -z "$CHROME" ]; then
	skip "html in chromium: the DOM" "chromium not found"
	skip "html in chromium: a picture" "chromium not found"
else
	cflags="--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir=$TMP/chrome"
	timeout 120 "$CHROME" $cflags --dump-dom "file://$TMP/r.html" >"$TMP/dom.html" 2>/dev/null
	# marks: a created bar per week (one), 168 heat cells, an SLA bar
	# for each metric with clocks in each of the four groups (-, billing,
	# sales, support): six here, the others say "no tickets"; the three
	# agents' rows
	is "html in chromium: the DOM has the charts and marks" \
		"$(grep -c '<svg class="chart"' "$TMP/dom.html"):$(grep -o '<rect class="cell l[0-5]"' "$TMP/dom.html" | wc -l):$(grep -o '<rect class="created"' "$TMP/dom.html" | wc -l):$(grep -oE '<rect class="(ok|near|low)"' "$TMP/dom.html" | wc -l):$(grep -o '<tr><td>' "$TMP/dom.html" | wc -l)" \
		"4:168:1:6:3"
	timeout 120 "$CHROME" $cflags --window-size=900,1600 --screenshot="$TMP/shot.png" "file://$TMP/r.html" >/dev/null 2>&1
	# non-blank: a PNG whose compressed size shows drawing (a white page
	# of this size is about 10 KB), and more than one colour in it
	check "html in chromium: a picture with something drawn" "[ -s '$TMP/shot.png' ] && [ \$(wc -c <'$TMP/shot.png') -gt 20000 ]"
fi
done_testing
