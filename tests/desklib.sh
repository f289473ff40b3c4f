# tests/desklib.sh: helpers for CLI tests on a desk.  Source after lib.sh.
# A private HOME and git identity (so no one's git user acts), newdesk, and
# the w / refused checks: one new commit and a clean status, or none.
mkdir -p "$TMP/home"
export HOME="$TMP/home" XDG_CONFIG_HOME="$TMP/home/.config" GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=tester@example.invalid
export GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=tester@example.invalid
unset MDESK_AGENT MDESK_NOW MDESK_DIR
newdesk() {	# newdesk DIR: mdesk init, fsync off, committed
	mdesk --now 2026-11-02T08:00:00Z init "$1" >/dev/null &&
	sed 's/^fsync = yes$/fsync = no/' "$1/desk.conf" >"$1/desk.conf.new" &&
	mv "$1/desk.conf.new" "$1/desk.conf" &&
	GIT_AUTHOR_DATE=2026-11-02T08:00:01Z GIT_COMMITTER_DATE=2026-11-02T08:00:01Z git -C "$1" commit -qam "fsync off"
}
# manualdesk DIR: no automatic routing (for tests of mdesk itself): no
# rules, no assignment, no joining by subject, no language detection
manualdesk() {
	: >"$1/routing.sieve" &&
	sed -i 's/^subject_window = .*/subject_window = 0s/; s/^detect_language = .*/detect_language = no/; s/^reopen_window = .*/reopen_window = 0s/; s/^\[routing\]$/[routing]\nassign = no/' "$1/desk.conf" &&
	GIT_AUTHOR_DATE=2026-11-02T08:00:01Z GIT_COMMITTER_DATE=2026-11-02T08:00:01Z git -C "$1" commit -q --amend -a --no-edit
}
# replica REMOTE DESK: a bare REMOTE and a manual desk DESK pushed to it
# (its origin); `mdesk clone REMOTE DIR` makes more replicas
replica() {
	git init -q --bare "$1" && newdesk "$2" && manualdesk "$2" &&
	git -C "$2" remote add origin "$1" && mdesk --desk "$2" sync >/dev/null 2>&1
}
commits() { git -C "$MDESK_DIR" rev-list --count HEAD; }
head_id() { git -C "$MDESK_DIR" rev-parse HEAD; }
porcelain() { git -C "$MDESK_DIR" status --porcelain; }
# w DESC CMD...: CMD succeeds with exactly one new commit and git status clean
w() {
	_d=$1; shift
	_n=$(commits)
	"$@" >"$TMP/out" 2>"$TMP/err"; _rc=$?
	_m=$(($(commits) - _n)) _s=$(porcelain)
	if [ "$_rc" -eq 0 ] && [ "$_m" -eq 1 ] && [ -z "$_s" ]; then ok 0 "$_d"
	else ok 1 "$_d"; echo "#   exit $_rc, $_m new commits, status: $(echo $_s | head -c 200)"
		sed 's/^/#   stderr: /' "$TMP/err" | head -5; fi
}
# refused DESC CODE ERE CMD...: CMD exits CODE, says ERE on stderr, commits
# nothing and leaves git status clean
refused() {
	_d=$1 _c=$2 _re=$3; shift 3
	_h=$(head_id)
	"$@" >"$TMP/out" 2>"$TMP/err"; _rc=$?
	_s=$(porcelain)
	if [ "$_rc" -eq "$_c" ] && grep -Eq -- "$_re" "$TMP/err" && [ "$(head_id)" = "$_h" ] && [ -z "$_s" ]; then ok 0 "$_d"
	else ok 1 "$_d"; echo "#   exit $_rc (want $_c), HEAD $( [ "$(head_id)" = "$_h" ] && echo kept || echo moved), status: $(echo $_s | head -c 200)"
		sed 's/^/#   stderr: /' "$TMP/err" | head -5; fi
}
# record_reply ID FILE TIME LOGIN: FILE as LOGIN's reply in ticket ID, as
# mreply --send records one (mail in an agent's name through mroute only
# goes in for review)
record_reply() {
	_d=$(ls -d "$MDESK_DIR"/tickets/*/"$1")
	_f=$(printf '%04d.eml' $(($(ls "$_d" | grep -c '\.eml$') + 1)))
	cp "$2" "$_d/$_f"
	_mid=$(sed -n 's/^Message-ID: *<\([^>]*\)>.*/\1/p' "$2" | head -1)
	printf '{"agent":"%s","at":"%s","by":"%s","file":"%s","id":"reply-%s","message_id":"%s","type":"replied"}\n' \
		"$4" "$3" "$4" "$_f" "$_mid" "$_mid" >>"$_d/events.jsonl"
	git -C "$MDESK_DIR" add -A && GIT_COMMITTER_DATE=$3 GIT_AUTHOR_DATE=$3 git -C "$MDESK_DIR" commit -qm "$1: replied by $4"
}
# capture_mailer DESK: DESK's mail leaves through a script that keeps
# each message as $TMP/sent/N.eml and its arguments as N.args (committed)
capture_mailer() {
	mkdir -p "$TMP/sent"
	{
		echo '#!/bin/sh'
		echo "n=\$(ls '$TMP/sent' | wc -l)"
		echo "printf '%s\\n' \"\$*\" >'$TMP/sent/'\$n.args"
		echo "cat >'$TMP/sent/'\$n.eml"
	} >"$TMP/sendmail" &&
	chmod +x "$TMP/sendmail" &&
	sed -i "s|^mailer = .*|mailer = sendmail://$TMP/sendmail|" "$1/desk.conf" &&
	git -C "$1" commit -qam "mail through the capture script"
}
