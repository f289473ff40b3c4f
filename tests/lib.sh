# tests/lib.sh: TAP helpers for CLI tests.  Source it from tests/t/*.t.
# Tools come from PATH (tests/run puts the build directory first).
set -u
T_N=0
T_FAILED=0
TOP=${MDESK_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
DATA=$TOP/tests/data
CORPORA=$TOP/../shared/corpora
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mdesk-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
export TZ=UTC

ok() {		# ok CONDITION-EXIT-STATUS DESCRIPTION
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then echo "ok $T_N - $2"
	else echo "not ok $T_N - $2"; T_FAILED=$((T_FAILED + 1)); fi
}
check() {	# check DESCRIPTION COMMAND...: passes when COMMAND exits 0
	d=$1; shift
	if ( eval "$@" ) >"$TMP/.out" 2>&1; then ok 0 "$d"
	else ok 1 "$d"; sed 's/^/#   /' "$TMP/.out" | head -20; fi
}
is() {		# is DESCRIPTION GOT EXPECTED
	if [ "$2" = "$3" ]; then ok 0 "$1"
	else ok 1 "$1"; printf '#   got:      %s\n#   expected: %s\n' "$2" "$3" | head -40; fi
}
skip() {	# skip DESCRIPTION REASON
	T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP $2"
}
done_testing() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
}
