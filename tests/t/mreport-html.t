#!/bin/sh
# mreport --format html as a lead sees it: the headline figures on the
# page are mreport's JSON figures, for the report's seven days and for the
# seven days before; the page renders in headless Chromium (a picture of
# the asked size with something drawn, on a desktop and on a phone) and
# prints.
#
# The desk: the bundled mailbox (2-20 November 2026) filed with its
# dates, every ticket answered with mreply within hours; the tickets quiet since before 10 November solved on the 10th,
# one of them reopened on the 12th, the tickets quiet since before the
# 17th solved on the 18th; one ticket of the 11th answered late on the
# 14th.  The zone is the example desk's,
# America/Sao_Paulo; the report runs over 13-20 November (local
# midnights), so the page compares with 6-13 November.
#
# valgrind: no
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
export MDESK_DIR="$TMP/desk" MDESK_AGENT=ana
newdesk "$MDESK_DIR"
MDESK_NOW=2026-11-20T18:00:00Z mroute --at-date <"$DATA/support.mbox" >/dev/null
# every ticket answered (mreply --record) 30 minutes to 9 hours after it
# opened: the mailbox's mail from agents' addresses counts for nothing
i=0
for t in $(mdesk ls --all --format json | jq -r '"\(.id):\(.created | fromdateiso8601)"'); do
	i=$((i + 1))
	mreply --now @$((${t#*:} + 1800 + i % 7 * 5400)) --as ana --force --record \
	    --ticket "${t%:*}" -t need-more-info >/dev/null || echo "reply to ${t%:*} failed"
done >"$TMP/replies"
is "the desk: every ticket answered" "$(cat "$TMP/replies")" ""
solve() {	# solve TIME BEFORE: the open tickets quiet since before BEFORE
	for id in $(mdesk ls --format json | jq -r "select(.updated < \"$2\") | .id"); do
		mdesk --now "$1" status "$id" solved >/dev/null || return 1
	done
}
solve 2026-11-10T12:00:00Z 2026-11-10 &&
reopen=$(mdesk ls --all --format json | jq -r 'select(.status == "solved") | .id' | head -1) &&
mdesk --now 2026-11-12T12:00:00Z status "$reopen" open >/dev/null &&
solve 2026-11-18T12:00:00Z 2026-11-17
ok $? "the desk: filed, solved, reopened"
# a first reply due on the 12th (8h of business time from Wednesday
# 11th 16:00 São Paulo) and given on the 14th: breached in the period
# before, as the desk stood then; stopped in the report's
cat >"$TMP/late.eml" <<'EOF2'
From: Late Larry <larry@example.org>
To: support@lumen.example
Subject: Where is my parcel?
Date: Wed, 11 Nov 2026 16:00:00 -0300
Message-ID: <late.1@example.org>

It has been a while.
EOF2
mroute --at-date --now 2026-11-11T19:00:00Z <"$TMP/late.eml" >/dev/null &&
late=$(mdesk ls --format json | jq -r 'select(.customer == "larry@example.org") | .id') &&
echo "It left the warehouse today." >"$TMP/text" &&
mreply --now 2026-11-14T12:00:00Z --record --ticket "$late" -t answer --text "$TMP/text" >/dev/null
ok $? "the desk: a late first reply"

R="--since 2026-11-13 --until 2026-11-20 --now 2026-11-21T00:00:00Z"
mreport $R --by day --format html >"$TMP/page.html"; rc=$?
is "html: exit 0" "$rc" 0
mreport $R --format json >"$TMP/now.json" &&
mreport --since 2026-11-06 --until 2026-11-13 --now 2026-11-21T00:00:00Z --format json >"$TMP/before.json"
ok $? "json: the same seven days, and the seven before"

# the headline of a page (file $1): "field value previous" lines
headline() {
	grep -o 'data-field="[a-z_]*" data-value="[^"]*" data-previous="[^"]*"' "$1" |
	    sed 's/data-field="\([^"]*\)" data-value="\([^"]*\)" data-previous="\([^"]*\)"/\1 \2 \3/'
}
# the same from the JSON: numbers as %.4f, null as null
expect() {
	for f in created solved backlog first_reply_median_s sla_first_reply_achievement one_touch_rate; do
		printf '%s %s %s\n' "$f" "$(jq ".$f" "$TMP/now.json")" "$(jq ".$f" "$TMP/before.json")"
	done
}
norm() { awk '{ for (i = 2; i <= 3; i++) if ($i != "null") $i = sprintf("%.4f", $i); print }'; }
headline "$TMP/page.html" | norm >"$TMP/got"
expect | norm >"$TMP/want"
is "headline: six figures, each against the period before" "$(cut -d' ' -f1 "$TMP/got" | tr '\n' ' ')" \
    "created solved backlog first_reply_median_s sla_first_reply_achievement one_touch_rate "
is "headline: the page's figures are the JSON's" "$(cat "$TMP/got")" "$(cat "$TMP/want")"
# the figures are not all zeros or nulls: the comparison means something
is "headline: solves, a median and shares in both periods" \
    "$(awk '$2 == "null" || $3 == "null" || $2 + 0 == 0 || $3 + 0 == 0 { print $1 }' "$TMP/got")" ""
is "headline: the figures shown are those" \
    "$(sed -n '/id="kpi-created"/,/class="value"/p' "$TMP/page.html" | sed -n 's/.*class="value">\([0-9]*\).*/\1/p')" \
    "$(jq .created "$TMP/now.json")"
is "the range in the desk's zone, not UTC" \
    "$(grep -o '<p class="range">From <time datetime="[^"]*">[^<]*</time> to <time datetime="[^"]*">[^<]*' "$TMP/page.html" | sed 's/<[^>]*>//g')" \
    "From 2026-11-13 00:00 -0300 to 2026-11-20 00:00 -0300"
check "charts scale with the page: a viewBox and no fixed size" \
    "[ \$(grep -c '<svg class=\"chart\"[^>]*viewBox=' '$TMP/page.html') -eq 4 ] && ! grep -q '<svg class=\"chart\"[^>]* width=' '$TMP/page.html'"
check "rules for a phone and for print" "grep -q '@media (max-width:600px)' '$TMP/page.html' && grep -q '@media print' '$TMP/page.html'"
# metrics and the absent group or agent in words (a missing figure is "-")
check "words, not internal names" "! grep -qE '>(first_reply|next_reply|periodic_update|resolution)<|<tr><td>-</td>|class=\"group\"[^>]*>-<' '$TMP/page.html' && grep -q '>First reply<' '$TMP/page.html' && grep -q '<tr><td>Unassigned</td>' '$TMP/page.html'"
# round ticks: each axis counts in steps of 1, 2, 2.5 or 5 times a power
# of ten, from 0
round_ticks() {
	sed -n 's/.*<svg class="chart" id="\([a-z-]*\)".*/svg \1/p; s/.*class="tick" x="[0-9.]*" y="[0-9.]*" text-anchor="end">\([0-9]*\)<.*/\1/p' "$1" |
	awk '$1 == "svg" { step = 0; n = 0; next }
		{ if (n++ == 0 && $1 != 0) bad = bad " no 0"
		  if (n == 2) { step = $1; m = step; while (m >= 10 && m % 10 == 0) m /= 10
			if (m != 1 && m != 2 && m != 25 && m != 5) bad = bad " step " step }
		  if (step && $1 % step) bad = bad " " $1 }
		END { print bad == "" ? "round" : bad }'
}
is "round ticks on the axes" "$(round_ticks "$TMP/page.html")" round

# SLA bars: each graded against the target (ok at or above, near up to
# 10 points below, low further) and labelled "M of N"
grades() {	# grades TARGET: "bad" lines for bars whose class or label is wrong
	mreport $R --format html --sla-target "$1" | tr '\n' ' ' |
	grep -o '<rect class="[a-z]*" x="[0-9]*" y="[0-9]*" width="[0-9.]*" height="14"><title>[^<]*: [0-9]* met, [0-9]* breached</title></rect> <text[^>]*>[^<]*' |
	sed 's/<rect class="\([a-z]*\)".*: \([0-9]*\) met, \([0-9]*\) breached.*>\([0-9]*\) of \([0-9]*\), .*/\1 \2 \3 \4 \5/' |
	awk -v t="$1" '{ p = 100 * $2 / ($2 + $3); want = p >= t ? "ok" : p >= t - 10 ? "near" : "low"
		n++; if ($1 != want || $4 != $2 || $5 != $2 + $3) print "bad: " $0 }
		END { if (n < 8) print "only " n " bars" }'
}
is "SLA bars graded against a target of 90%, with counts" "$(grades 90)" ""
is "SLA bars graded against a target of 50%, with counts" "$(grades 50)" ""
check "SLA target: the legend says it" "mreport $R --format html --sla-target 75% | grep -q 'At or above the target (75%)'"
mreport $R --format html --sla-target 101 >/dev/null 2>"$TMP/err"; rc=$?
is "SLA target: 101 refused" "$rc $(cat "$TMP/err")" "64 mreport: --sla-target: '101' is not a percentage from 1 to 100"

# --------------------------------------------------------------- chromium
CHROME=
for c in chromium chromium-browser google-chrome; do
	command -v "$c" >/dev/null 2>&1 && { CHROME=$c; break; }
done
# png_size FILE: "WIDTHxHEIGHT" from the PNG header
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ printf "%dx%d", (($1 * 256 + $2) * 256 + $3) * 256 + $4, (($5 * 256 + $6) * 256 + $7) * 256 + $8 }'; }
if [ -z "$CHROME" ]; then
	for t in "the DOM's headline" "desktop picture" "phone picture" "print"; do
		skip "chromium: $t" "chromium not found"
	done
else
	cflags="--headless --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync --user-data-dir=$TMP/chrome"
	timeout 120 "$CHROME" $cflags --dump-dom "file://$TMP/page.html" >"$TMP/dom.html" 2>/dev/null
	is "chromium: the DOM's headline is the JSON's" "$(headline "$TMP/dom.html" | norm)" "$(cat "$TMP/want")"
	# a white page of this size is some 10 KB of PNG; the report is more
	timeout 120 "$CHROME" $cflags --window-size=1280,2000 --screenshot="$TMP/desk.png" "file://$TMP/page.html" >/dev/null 2>&1
	is "chromium: desktop picture, 1280x2000, drawn" \
	    "$(png_size "$TMP/desk.png") $([ "$(wc -c <"$TMP/desk.png")" -gt 60000 ] && echo drawn)" "1280x2000 drawn"
	timeout 120 "$CHROME" $cflags --window-size=390,3000 --screenshot="$TMP/phone.png" "file://$TMP/page.html" >/dev/null 2>&1
	is "chromium: phone picture, 390x3000, drawn" \
	    "$(png_size "$TMP/phone.png") $([ "$(wc -c <"$TMP/phone.png")" -gt 40000 ] && echo drawn)" "390x3000 drawn"
	timeout 120 "$CHROME" $cflags --no-pdf-header-footer --print-to-pdf="$TMP/page.pdf" "file://$TMP/page.html" >/dev/null 2>&1
	check "chromium: the page prints" "head -c 5 '$TMP/page.pdf' | grep -q '%PDF-' && [ \$(wc -c <'$TMP/page.pdf') -gt 20000 ]"
fi
done_testing
