#!/bin/sh
# valgrind: yes
# Hostile mail (tests/data/hostile/gen.py, made in $TMP at test time): every
# tool that reads mail runs over messages built to hurt -- 10 MB header
# lines, 100k headers, 50 nested multiparts, NULs, invalid UTF-8, unknown
# charsets, Message-IDs with "../", "/" and control characters, 100 KB ids,
# reference loops, a 10k-deep chain, year 99999, bare CR, unescaped From_
# lines.  No crash, bounded memory, every message filed (exit 0) or refused
# with 75, no file name derived from a hostile Message-ID, git fsck clean,
# mdesk check, ls and show fine afterwards.  Under valgrind the big cases
# are scaled down (gen.py --small), mroute reads all of it as one mbox and
# mdesk show looks at a few tickets.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
H=$TMP/hostile
small=
[ -n "${MDESK_VALGRIND:-}" ] && small=--small
python3 "$DATA/hostile/gen.py" "$H" $small
ok $? "gen.py made the hostile corpus"
# resident memory allowed per run, KB (sanitizers map shadow memory)
maxrss=262144
[ -n "${MDESK_SANITIZED:-}" ] && maxrss=1048576
# run NAME CMD...: rc in $TMP/rc, max RSS (KB) checked unless under valgrind
# (which measures itself)
run() {
	_n=$1; shift
	if [ -z "${MDESK_VALGRIND:-}" ]; then
		/usr/bin/time -f %M -o "$TMP/rss" "$@" >"$TMP/out" 2>"$TMP/err" <"$TMP/in"
		rc=$?
		rss=$(tail -1 "$TMP/rss")
		case $rss in *[!0-9]*|'') rss=0 ;; esac
		if [ "$rss" -gt "$maxrss" ]; then
			ok 1 "$_n: memory bounded"; echo "#   max RSS ${rss} KB > ${maxrss} KB"
		fi
	else
		"$@" >"$TMP/out" 2>"$TMP/err" <"$TMP/in"; rc=$?
	fi
}

# Under valgrind (some 30 times slower) each tool runs once over all of it:
# mthread over every file, mroute over one mbox of every message.
vg=${MDESK_VALGRIND:+yes}

# ---------------------------------------------------------------- mthread
[ -z "$vg" ] && for f in "$H"/*; do
	n=${f##*/}
	cp "$f" "$TMP/in"
	run "mthread $n" mthread --format json
	case $rc in
	0|65) ok 0 "mthread < $n: exit $rc" ;;
	*) ok 1 "mthread < $n: exit $rc"; sed 's/^/#   /' "$TMP/err" | head -5 ;;
	esac
done
: >"$TMP/in"
run "mthread over all files" mthread --format tree "$H"/*
is "mthread over every file at once: exit 0" "$rc" 0
chain=$(grep -c '^From ' "$H/deep-chain.mbox")
mthread --format json "$H/deep-chain.mbox" >"$TMP/chain.json" 2>"$TMP/err"
is "the deep chain is one thread" "$(jq -s length "$TMP/chain.json")" 1
is "... of every message" "$(jq -s 'map(.messages | length) | add' "$TMP/chain.json")" "$chain"
is "... $chain deep" "$(jq -s '[.[].messages[].depth] | max' "$TMP/chain.json")" $((chain - 1))
mthread --format json "$H/ref-loop.mbox" >"$TMP/loop.json" 2>"$TMP/err"
is "a reference loop: exit 0" "$?" 0
is "... all four messages out" "$(jq -s 'map(.messages | length) | add' "$TMP/loop.json")" 4

# ---------------------------------------------------------------- mroute
export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR"
# routing.sieve and assignment still run: only the joining by subject is
# off, so that every distinct message is a ticket of its own
sed -i "s/^subject_window = .*/subject_window = 0s/" "$MDESK_DIR/desk.conf"
git -C "$MDESK_DIR" commit -qam "no subject window"
filed=0 refused=0 bad=0
inputs=$(ls "$H"/* | grep -v '/deep-chain.mbox$')	# 10k commits: see deep-chain-short
if [ -n "$vg" ]; then
	for f in $inputs; do
		case $f in *.mbox) cat "$f" ;;
		*) echo "From hostile@example.com Mon Nov  2 10:00:00 2026"
		   sed 's/^\(>*From \)/>\1/' "$f" ;;
		esac
		echo
	done >"$H/all.mbox"
	inputs=$H/all.mbox
fi
for f in $inputs; do
	n=${f##*/}
	cp "$f" "$TMP/in"
	run "mroute $n" mroute --now 2026-11-02T09:00:00Z
	got=$(grep -c '^X-Mdesk-Ticket: ' "$TMP/out")
	case $rc in
	0)	filed=$((filed + got))
		# non-empty input: every message read has its ticket
		if [ -n "$(sed '1{/^From /d;}' "$f" | tr -d ' \t\r\n' | head -c 1)" ] && [ "$got" -lt 1 ]; then
			ok 1 "mroute < $n: filed, but no X-Mdesk-Ticket on stdout"; bad=$((bad + 1))
		fi ;;
	75)	refused=$((refused + 1)) ;;
	*)	ok 1 "mroute < $n: exit $rc (want 0 or 75)"; bad=$((bad + 1))
		sed 's/^/#   /' "$TMP/err" | head -5 ;;
	esac
	echo "# mroute < $n: exit $rc, $got filed"
done
is "mroute: every message filed or refused with 75" "$bad" 0
check "mroute filed the hostile mail ($filed messages, $refused refused)" "[ $filed -gt 150 ]"
is "the short chain: 100 messages in one ticket" \
	"$(grep -l 'chain-0@example.com' "$MDESK_DIR"/tickets/*/*/events.jsonl 2>/dev/null | wc -l)" 1
is "git status clean" "$(porcelain)" ""
id=$(grep -l 'crlf@example.com' "$MDESK_DIR"/tickets/*/*/events.jsonl | head -1)
id=${id%/events.jsonl}; id=${id##*/}
mdesk show "$id" >"$TMP/out" 2>&1
check "mdesk show of CRLF mail prints its text" "grep -q 'line two' '$TMP/out'"

# ---------------------------------------------------------------- the desk
check "no file name from a hostile Message-ID anywhere" \
	"[ -z \"\$(find '$TMP' -iname '*hostilepath*' | head -3)\" ]"
check "no '..' in any path of the desk" \
	"[ -z \"\$(find '$MDESK_DIR' -name '*..*' | head -3)\" ]"
check "git fsck clean" "git -C '$MDESK_DIR' fsck --no-dangling"
: >"$TMP/in"
run "mdesk check" mdesk check
is "mdesk check: exit 0" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/#   /' "$TMP/err" | head -5
run "mdesk ls" mdesk ls --all --format json
is "mdesk ls --all: exit 0" "$rc" 0
cp "$TMP/out" "$TMP/ls.json"
check "mdesk ls --all: JSON lines" "jq -e . '$TMP/ls.json' >/dev/null"
nt=$(wc -l <"$TMP/ls.json")
check "mdesk ls lists the tickets ($nt)" "[ $nt -gt 40 ]"
sbad=0
ids=$(jq -r .id "$TMP/ls.json")
[ -n "$vg" ] && ids=$(echo "$ids" | head -6)
for id in $ids; do
	run "mdesk show $id" mdesk show "$id"
	[ $rc -eq 0 ] || { sbad=$((sbad + 1)); echo "# mdesk show $id: exit $rc"; sed 's/^/#   /' "$TMP/err" | head -3; }
	run "mdesk show --json $id" mdesk show "$id" --json
	[ $rc -eq 0 ] && jq -e . "$TMP/out" >/dev/null 2>&1 ||
		{ sbad=$((sbad + 1)); echo "# mdesk show $id --json: exit $rc or not JSON"; }
done
is "mdesk show (text and JSON) on every ticket" "$sbad" 0
done_testing
