#!/bin/sh
# mdesk sync and mdesk clone over ssh (libgit2's ssh transport): a private
# sshd on 127.0.0.1, the client key in a private ssh-agent, the host key in
# the test's ~/.ssh/known_hosts.  A desk pushed to a bare remote, cloned
# into a second replica, a delivery on one side reaches the other; a host
# key that known_hosts does not record is refused.  Skips unless root with
# sshd, ssh-keygen and ssh-agent installed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"

SSHD=/usr/sbin/sshd
why=
[ "$(id -u)" -eq 0 ] || why="not root"
for p in ssh-keygen ssh-agent ssh-add git; do
	[ -n "$why" ] || command -v "$p" >/dev/null 2>&1 || why="no $p"
done
[ -n "$why" ] || [ -x "$SSHD" ] || why="no $SSHD"
if [ -n "$why" ]; then
	skip "mdesk sync and clone over ssh" "$why"
	done_testing; exit
fi

# under ASan: whole stacks through libgit2, for tests/lsan.supp
[ -n "${MDESK_SANITIZED:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
S=$TMP/sshd
mkdir -p "$S" "$HOME/.ssh" /run/sshd
chmod 700 "$HOME/.ssh"
agent_pid=
cleanup() {
	[ -f "$S/sshd.pid" ] && kill "$(cat "$S/sshd.pid")" 2>/dev/null
	[ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

ssh-keygen -q -t ed25519 -N '' -C host -f "$S/host_key" &&
ssh-keygen -q -t ed25519 -N '' -C client -f "$S/client_key" &&
cp "$S/client_key.pub" "$S/authorized_keys" || { skip "mdesk sync and clone over ssh" "ssh-keygen failed"; done_testing; exit; }

# a free high port: sshd exits non-zero when it cannot bind
port= try=0
while [ $try -lt 8 ]; do
	p=$(( 20000 + ($$ * 7 + try * 1543) % 40000 ))
	cat >"$S/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $p
HostKey $S/host_key
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin prohibit-password
AllowUsers root
MaxStartups 50
EOF
	if "$SSHD" -f "$S/sshd_config" -E "$S/sshd.log" 2>>"$S/start.err"; then port=$p; break; fi
	try=$((try + 1))
done
i=0
while [ -n "$port" ] && [ ! -s "$S/sshd.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if [ -z "$port" ] || [ ! -s "$S/sshd.pid" ]; then
	skip "mdesk sync and clone over ssh" "sshd does not start: $(tail -qn 1 "$S/start.err" "$S/sshd.log" 2>/dev/null | tr '\n' ' ' | head -c 200)"
	done_testing; exit
fi

eval "$(ssh-agent -s)" >/dev/null
agent_pid=${SSH_AGENT_PID:-}
ssh-add -q "$S/client_key" 2>/dev/null
check "the client key is in the private ssh-agent" "ssh-add -l | grep -q client"

R=$TMP/remote.git
URL="ssh://root@127.0.0.1:$port$R"
git init -q --bare --initial-branch=main "$R"
A=$TMP/a B=$TMP/b
newdesk "$A"
git -C "$A" remote add origin "$URL"

# ------------------------------------------------ an unknown host key
: >"$HOME/.ssh/known_hosts"
mdesk --desk "$A" sync >"$TMP/out" 2>"$TMP/err"
rc=$?
is "an unknown host key: sync exits 75" "$rc" 75
check "... naming known_hosts and the host as [127.0.0.1]:$port" \
	"grep -q 'host key of \\[127.0.0.1\\]:$port (SHA256:.*) is not in ~/.ssh/known_hosts' '$TMP/err'"
fp=$(ssh-keygen -lf "$S/host_key.pub" | cut -d' ' -f2)
check "... with the server's fingerprint" "grep -qF '($fp)' '$TMP/err'"
is "... and the remote stays empty" "$(git -C "$R" for-each-ref | wc -l)" 0
mdesk clone "$URL" "$B" >"$TMP/out" 2>"$TMP/err"
is "mdesk clone from an unknown host: exit 75, no replica" "$?:$( [ -e "$B/desk.conf" ] && echo made)" "75:"
rm -rf "$B"
# a different key recorded for that host is no better
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$S/client_key.pub")" >"$HOME/.ssh/known_hosts"
mdesk --desk "$A" sync >"$TMP/out" 2>"$TMP/err"
is "another key recorded for the host: sync exits 75" "$?" 75

# ------------------------------------------------ the host key recorded
echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$S/host_key.pub")" >"$HOME/.ssh/known_hosts"
mdesk --desk "$A" sync >"$TMP/out" 2>"$TMP/err"
is "the first sync over ssh pushes the desk" "$?:$(cat "$TMP/out")" "0:origin: pushed"
sed 's/^/#   stderr: /' "$TMP/err" | head -5
is "... the remote's main is the desk's" "$(git -C "$R" rev-parse main 2>/dev/null)" "$(git -C "$A" rev-parse main)"
mdesk clone "$URL" "$B" >"$TMP/out" 2>"$TMP/err"
is "mdesk clone over ssh makes a second replica" \
	"$?:$(git -C "$B" status --porcelain 2>/dev/null):$(git -C "$B" rev-parse main 2>/dev/null)" "0::$(git -C "$R" rev-parse main)"
sed 's/^/#   stderr: /' "$TMP/err" | head -5
check "... a desk that opens (mdesk check)" "mdesk --desk '$B' check"

printf 'From: Customer <c1@example.com>\nTo: support@lumen.example\nSubject: ssh question\nMessage-ID: <ssh1@example.com>\nDate: Mon, 2 Nov 2026 09:00:00 +0000\n\nPlease help.\n' >"$TMP/m.eml"
MDESK_DIR=$A mroute --now 2026-11-02T09:00:00Z <"$TMP/m.eml" >/dev/null 2>"$TMP/err"
is "a delivery on the first replica" "$?" 0
mdesk --desk "$A" sync >"$TMP/out" 2>"$TMP/err"
is "... sync over ssh pushes it" "$?:$(cat "$TMP/out")" "0:origin: pushed"
mdesk --desk "$B" sync >"$TMP/out" 2>"$TMP/err"
is "... sync over ssh on the second replica fetches it" "$?" 0
sed 's/^/#   stderr: /' "$TMP/err" | head -5
mdesk --desk "$A" ls --all --format json >"$TMP/a.json"
mdesk --desk "$B" ls --all --format json >"$TMP/b.json"
is "... one ticket, the same on both replicas" "$(jq -s length "$TMP/a.json"):$(cmp -s "$TMP/a.json" "$TMP/b.json" && echo same)" "1:same"
is "... the same main everywhere" "$(git -C "$B" rev-parse main):$(git -C "$R" rev-parse main)" \
	"$(git -C "$A" rev-parse main):$(git -C "$A" rev-parse main)"
mdesk --desk "$A" sync >"$TMP/out" 2>&1
is "a sync with nothing to do says so" "$?:$(cat "$TMP/out")" "0:origin: up to date"
for d in "$A" "$B" "$R"; do
	check "git fsck clean: ${d##*/}" "git -C '$d' fsck --strict --no-progress"
done
check "sshd saw public-key logins" "grep -q 'Accepted publickey for root' '$S/sshd.log'"
done_testing
