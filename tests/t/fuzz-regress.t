#!/bin/sh
# valgrind: yes
# Fuzz regressions: every fuzz target (tests/fuzz/fuzz_NAME.c, built with a
# plain main as replay_NAME) over its seed corpus and over the inputs that
# once crashed it or broke one of its checks (tests/fuzz/regress/NAME/).
# Inputs of the mbox, msg and thread targets also go through mthread.
. "$(dirname "$0")/../lib.sh"
B=${MDESK_BUILD:-$TOP/build}
F=$TOP/tests/fuzz
for t in mbox msg msgid date thread subject calendar conf csv event mime; do
	bin=$B/tests/fuzz/replay_$t
	if [ ! -x "$bin" ]; then ok 1 "replay_$t built"; continue; fi
	for set in corpus regress; do
		[ -d "$F/$set/$t" ] || continue
		set -- "$F/$set/$t"/*
		[ -e "$1" ] || continue
		if [ -n "${MDESK_VALGRIND:-}" ]; then
			run="valgrind -q --error-exitcode=98 --leak-check=full --errors-for-leak-kinds=definite"
		else run=; fi
		$run "$bin" "$@" >"$TMP/out" 2>&1; rc=$?
		if [ $rc -eq 0 ]; then ok 0 "$t: $# $set inputs"
		else ok 1 "$t: $# $set inputs (exit $rc)"; sed 's/^/#   /' "$TMP/out" | head -20; fi
	done
done
# the real tool over the mail-shaped regressions: threads or refuses, no crash
for t in mbox msg thread; do
	[ -d "$F/regress/$t" ] || continue
	for f in "$F/regress/$t"/*; do
		[ -e "$f" ] || continue
		if [ $t = thread ]; then tail -c +2 "$f" >"$TMP/in"; else cp "$f" "$TMP/in"; fi
		mthread --format json <"$TMP/in" >/dev/null 2>"$TMP/err"; rc=$?
		case $rc in 0|65) ok 0 "mthread over regress/$t/${f##*/}: exit $rc" ;;
		*) ok 1 "mthread over regress/$t/${f##*/}: exit $rc"; sed 's/^/#   /' "$TMP/err" | head -5 ;; esac
	done
done
done_testing
