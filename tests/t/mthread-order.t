#!/bin/sh
# mthread: threading does not depend on the input order (property test).
#
# Every rooted tree shape of 1 to 5 messages (a parent array: message i>0
# has its parent among 0..i-1; (n-1)! shapes for n messages) is delivered in
# every order of its messages (n! orders), in two variants: replies carry
# only In-Reply-To ("irt"), or only the full References chain ("refs").
# One mbox per variant, size and order holds all shapes of that size, each
# tree with its own ids: 153 files of 1-120 messages per variant, 3039
# trees and 15017 messages.  Each tree must come out as one thread of its
# own with the expected parents and depths, messages depth-first with
# children by date, and threads ordered by last activity.
#
# Message id: o-VARIANT-N-SHAPE-ORDER-NODE@order.example, SHAPE the parents
# of nodes 1..N-1 ("r" for N=1), ORDER the delivery order of the nodes.
# Node i of the k-th tree of a file is dated k*10+i minutes after
# 2 Nov 2026 00:00 UTC.
. "$(dirname "$0")/../lib.sh"

gen() {	# gen DIR VARIANT: write the mbox files
	awk -v dir="$1" -v var="$2" '
	function fact(k,   r) { r = 1; while (k > 1) r *= k--; return r }
	function stamp(mins,   d, h, m) {
		d = 2 + int(mins / 1440); h = int((mins % 1440) / 60); m = mins % 60
		return sprintf("%s %d Nov 2026 %02d:%02d:00 +0000", wd[(d - 2) % 7], d, h, m)
	}
	function envdate(mins,   d, h, m) {
		d = 2 + int(mins / 1440); h = int((mins % 1440) / 60); m = mins % 60
		return sprintf("%s Nov %2d %02d:%02d:00 2026", wd[(d - 2) % 7], d, h, m)
	}
	function id(shape, ord, node) { return "o-" var "-" n "-" shape "-" ord "-" node "@order.example" }
	BEGIN {
		split("Mon Tue Wed Thu Fri Sat Sun", w, " "); for (i = 1; i <= 7; i++) wd[i - 1] = w[i]
		for (n = 1; n <= 5; n++) {
			nshapes = fact(n - 1); nperms = fact(n)
			for (q = 0; q < nperms; q++) {
				# the q-th permutation of 0..n-1 (factorial number system)
				for (i = 0; i < n; i++) used[i] = 0
				x = q; ord = ""
				for (i = n; i >= 1; i--) {
					f = fact(i - 1); k = int(x / f); x %= f
					for (j = 0; j < n; j++) if (!used[j]) { if (k == 0) break; k-- }
					used[j] = 1; perm[n - i] = j; ord = ord j
				}
				file = dir "/" var "-" n "-" ord ".mbox"
				for (s = 0; s < nshapes; s++) {
					# the s-th parent array: p[i] in 0..i-1 (mixed radix)
					x = s; shape = ""
					for (i = 1; i < n; i++) { p[i] = x % i; x = int(x / i); shape = shape p[i] }
					if (n == 1) shape = "r"
					for (j = 0; j < n; j++) {
						v = perm[j]; mins = s * 10 + v
						printf "From order@example.com %s\n", envdate(mins) > file
						printf "Date: %s\nFrom: Order Test <order@example.com>\n", stamp(mins) > file
						printf "To: support@lumen.example\nSubject: %s tree %s node %d\n", (v ? "Re:" : "Order"), shape, v > file
						printf "Message-ID: <%s>\n", id(shape, ord, v) > file
						if (v && var == "irt")
							printf "In-Reply-To: <%s>\n", id(shape, ord, p[v]) > file
						if (v && var == "refs") {
							# the ancestors, root first
							c = p[v]; chain = "<" id(shape, ord, c) ">"
							while (c) { c = p[c]; chain = "<" id(shape, ord, c) "> " chain }
							printf "References: %s\n", chain > file
						}
						printf "\nMessage %d of a tree of %d.\n\n", v, n > file
					}
				}
				close(file)
			}
		}
	}'
}

check_out() {	# check_out <json with {"file":...} markers: one summary line, errors first
	jq -r 'if has("file") then "F\t\(.file)" else
		("T\t\(.thread)\t\(.last)\t\(.count)"),
		(.thread as $t | .messages[] | "M\t\($t)\t\(.message_id)\t\(.parent // "-")\t\(.depth)\t\(.ghost // false)")
	       end' |
	awk -F'\t' '
	function err(s) { if (++errors <= 10) print "error: " s }
	function pre(u,   i) { o = o u; for (i = 1; i < n; i++) if (substr(s, i, 1) == u "") pre(i) }
	$1 == "F" { last = ""; file = $2; next }
	$1 == "T" { if ($3 < last) err(file ": thread " $2 " out of order"); last = $3; next }
	{
		msgs++
		if ($6 != "false") { err("ghost " $3); next }
		split($3, a, "@"); split(a[1], b, "-")
		pfx = b[1] "-" b[2] "-" b[3] "-" b[4] "-" b[5]; node = b[6] + 0; s = b[4]; n = b[3] + 0
		want = node ? pfx "-" substr(s, node, 1) "@order.example" : "-"
		if ($4 != want) err($3 ": parent " $4 ", want " want)
		d = 0; for (c = node; c; c = substr(s, c, 1) + 0) d++
		if ($5 != d) err($3 ": depth " $5 ", want " d)
		if (($2 in t2p) && t2p[$2] != pfx) err("thread " $2 " mixes " t2p[$2] " and " pfx)
		if ((pfx in p2t) && p2t[pfx] != $2) err(pfx " split over threads " p2t[pfx] " and " $2)
		t2p[$2] = pfx; p2t[pfx] = $2; seq[$2] = seq[$2] node; cnt[pfx]++; size[pfx] = n; shp[pfx] = s
	}
	END {
		for (p in cnt) {
			trees++
			if (cnt[p] != size[p]) err(p ": " cnt[p] " messages, want " size[p])
			n = size[p]; s = shp[p]; o = ""; pre(0)
			if (seq[p2t[p]] != o) err(p ": order " seq[p2t[p]] ", want " o)
		}
		printf "trees %d messages %d errors %d\n", trees, msgs, errors
	}'
}

for var in irt refs; do
	mkdir "$TMP/$var"
	gen "$TMP/$var" "$var"
	is "$var: 153 mbox files generated" "$(ls "$TMP/$var" | wc -l | tr -d ' ')" 153
	is "$var: 15017 messages generated" "$(cat "$TMP/$var"/*.mbox | grep -c '^From ')" 15017
	fails=0
	for f in "$TMP/$var"/*.mbox; do
		printf '{"file":"%s"}\n' "${f##*/}"
		mthread "$f" || { fails=$((fails + 1)); echo "{\"file\":\"FAILED ${f##*/}\"}"; }
	done >"$TMP/$var.json" 2>"$TMP/$var.err"
	is "$var: mthread exits 0 on every file" "$(grep -c FAILED "$TMP/$var.json")" 0
	is "$var: nothing on stderr" "$(head -3 "$TMP/$var.err")" ""
	res=$(check_out <"$TMP/$var.json")
	is "$var: every tree one thread, same parents, depth-first by date, in every order" \
		"$res" "trees 3039 messages 15017 errors 0"
done

done_testing
