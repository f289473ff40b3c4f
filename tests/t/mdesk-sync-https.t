#!/bin/sh
# mdesk sync and mdesk clone over https (libgit2's https transport): a
# private nginx on 127.0.0.1 serving git http-backend through fcgiwrap,
# with HTTP basic authentication and a server certificate signed by a CA
# made here and trusted through SSL_CERT_FILE.  The password comes from
# git's credential helper (credential.helper store in the test's
# ~/.gitconfig), never from the URL.  A wrong password and an untrusted
# certificate are refused with nothing changed; with the right ones a desk
# is pushed, cloned into a second replica, and a delivery on one side
# reaches the other.  Skips unless root with nginx, fcgiwrap, openssl, curl
# and git http-backend installed, or when the server does not answer.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"

NGINX=/usr/sbin/nginx
BACKEND=$(git --exec-path 2>/dev/null)/git-http-backend
why=
[ "$(id -u)" -eq 0 ] || why="not root"
for p in fcgiwrap openssl curl git jq; do
	[ -n "$why" ] || command -v "$p" >/dev/null 2>&1 || why="no $p"
done
[ -n "$why" ] || [ -x "$NGINX" ] || why="no $NGINX"
[ -n "$why" ] || [ -x "$BACKEND" ] || why="no $BACKEND"
if [ -n "$why" ]; then
	skip "mdesk sync and clone over https" "$why"
	done_testing; exit
fi

# under ASan: whole stacks through libgit2, for tests/lsan.supp
[ -n "${MDESK_SANITIZED:-}" ] && export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"
unset SSL_CERT_FILE SSL_CERT_DIR
export GIT_TERMINAL_PROMPT=0
S=$TMP/https
mkdir -p "$S/srv" "$S/tmp"
fcgi_pid=
cleanup() {
	[ -f "$S/nginx.pid" ] && kill "$(cat "$S/nginx.pid")" 2>/dev/null
	[ -n "$fcgi_pid" ] && kill "$fcgi_pid" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# a CA and a server certificate for 127.0.0.1 that it signs
(
	cd "$S" &&
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=mdesk test CA' \
		-keyout ca.key -out ca.pem &&
	openssl req -newkey rsa:2048 -nodes -subj '/CN=127.0.0.1' -keyout server.key -out server.csr &&
	printf 'subjectAltName=IP:127.0.0.1,DNS:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext &&
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
		-extfile ext -out server.pem &&
	printf 'user:%s\n' "$(openssl passwd -apr1 s3cret)" >htpasswd
) >"$S/openssl.log" 2>&1 || { skip "mdesk sync and clone over https" "openssl failed: $(tail -1 "$S/openssl.log")"; done_testing; exit; }

fcgiwrap -s "unix:$S/fcgi.sock" 2>"$S/fcgi.log" &
fcgi_pid=$!

# a free high port: nginx exits non-zero when it cannot bind
port= try=0
while [ $try -lt 8 ]; do
	p=$(( 20000 + ($$ * 11 + try * 1543) % 40000 ))
	cat >"$S/nginx.conf" <<EOF
daemon on;
user root;
worker_processes 1;
pid $S/nginx.pid;
error_log $S/error.log;
events { worker_connections 64; }
http {
	access_log $S/access.log;
	client_body_temp_path $S/tmp/body;
	fastcgi_temp_path $S/tmp/fastcgi;
	proxy_temp_path $S/tmp/proxy;
	server {
		listen 127.0.0.1:$p ssl;
		ssl_certificate $S/server.pem;
		ssl_certificate_key $S/server.key;
		client_max_body_size 0;
		location / {
			auth_basic "mdesk test";
			auth_basic_user_file $S/htpasswd;
			fastcgi_pass unix:$S/fcgi.sock;
			fastcgi_param SCRIPT_FILENAME $BACKEND;
			fastcgi_param GIT_PROJECT_ROOT $S/srv;
			fastcgi_param GIT_HTTP_EXPORT_ALL "";
			fastcgi_param PATH_INFO \$uri;
			fastcgi_param QUERY_STRING \$query_string;
			fastcgi_param REQUEST_METHOD \$request_method;
			fastcgi_param CONTENT_TYPE \$content_type;
			fastcgi_param CONTENT_LENGTH \$content_length;
			fastcgi_param REMOTE_USER \$remote_user;
			fastcgi_param REMOTE_ADDR \$remote_addr;
			fastcgi_param SERVER_PROTOCOL \$server_protocol;
			fastcgi_param HTTP_CONTENT_ENCODING \$http_content_encoding;
			fastcgi_param GIT_CONFIG_NOSYSTEM 1;
			fastcgi_param HOME $S;
		}
	}
}
EOF
	if "$NGINX" -q -c "$S/nginx.conf" -p "$S" -e "$S/error.log" 2>>"$S/start.err"; then port=$p; break; fi
	try=$((try + 1))
done
R=$S/srv/remote.git
git init -q --bare --initial-branch=main "$R"
git -C "$R" config http.receivepack true
# within five seconds the server refuses a request without credentials
# (401) and serves git to curl with them (200)
up=
i=0
while [ -n "$port" ] && [ $i -lt 50 ]; do
	u="https://127.0.0.1:$port/remote.git/info/refs?service=git-receive-pack"
	code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' --cacert "$S/ca.pem" "$u" 2>/dev/null)
	[ "$code" = 401 ] &&
		code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' --cacert "$S/ca.pem" -u user:s3cret "$u" 2>/dev/null) &&
		[ "$code" = 200 ] && { up=1; break; }
	sleep 0.1; i=$((i + 1))
done
if [ -z "$port" ] || [ -z "$up" ] || ! kill -0 "$fcgi_pid" 2>/dev/null; then
	skip "mdesk sync and clone over https" "nginx or fcgiwrap does not start: $(tail -qn 1 "$S/start.err" "$S/error.log" "$S/fcgi.log" 2>/dev/null | tr '\n' ' ' | head -c 200)"
	done_testing; exit
fi

URL="https://127.0.0.1:$port/remote.git"
A=$TMP/a B=$TMP/b
newdesk "$A"
git -C "$A" remote add origin "$URL"
git config --global credential.helper store
(umask 077; echo "https://user:wrong@127.0.0.1:$port" >"$HOME/.git-credentials")
mainA=$(git -C "$A" rev-parse main)

# ------------------------------------------------ an untrusted certificate
mdesk --desk "$A" sync >"$TMP/out" 2>"$TMP/err"
rc=$?
is "a certificate no trusted CA signed: sync exits 75" "$rc" 75
sed 's/^/#   stderr: /' "$TMP/err" | head -3
check "... saying it cannot fetch" "grep -q 'origin: cannot fetch' '$TMP/err'"
is "... nothing changed locally, the remote stays empty" \
	"$(git -C "$A" rev-parse main):$(git -C "$R" for-each-ref | wc -l)" "$mainA:0"
mdesk clone "$URL" "$B" >"$TMP/out" 2>"$TMP/err"
is "mdesk clone from an untrusted server: exit 75, no replica" "$?:$( [ -e "$B/desk.conf" ] && echo made)" "75:"
rm -rf "$B"
is "... the server never saw a request from mdesk" \
	"$(grep -c 'libgit2' "$S/access.log" 2>/dev/null)" 0

export SSL_CERT_FILE="$S/ca.pem"
# ------------------------------------------------ a wrong password
mdesk --desk "$A" sync >"$TMP/out" 2>"$TMP/err"
rc=$?
is "the CA trusted, a wrong password: sync exits 75" "$rc" 75
sed 's/^/#   stderr: /' "$TMP/err" | head -3
is "... nothing changed locally, the remote stays empty" \
	"$(git -C "$A" rev-parse main):$(git -C "$R" for-each-ref | wc -l)" "$mainA:0"
check "... saying the credentials were refused" \
	"grep -q \"origin: cannot fetch: the server refused the credentials of git's credential helper\" '$TMP/err'"
check "... the server refused user's password" "grep -q 'user \"user\": password mismatch' '$S/error.log'"
mdesk clone "$URL" "$B" >"$TMP/out" 2>"$TMP/err"
is "mdesk clone with a wrong password: exit 75, no replica" "$?:$( [ -e "$B/desk.conf" ] && echo made)" "75:"
rm -rf "$B"

# ------------------------------------------------ the right password
echo "https://user:s3cret@127.0.0.1:$port" >"$HOME/.git-credentials"
mdesk --desk "$A" sync >"$TMP/out" 2>"$TMP/err"
is "the first sync over https pushes the desk" "$?:$(cat "$TMP/out")" "0:origin: pushed"
sed 's/^/#   stderr: /' "$TMP/err" | head -5
is "... the remote's main is the desk's" "$(git -C "$R" rev-parse main 2>/dev/null)" "$mainA"
mdesk clone "$URL" "$B" >"$TMP/out" 2>"$TMP/err"
is "mdesk clone over https makes a second replica" \
	"$?:$(git -C "$B" status --porcelain 2>/dev/null):$(git -C "$B" rev-parse main 2>/dev/null)" "0::$(git -C "$R" rev-parse main)"
sed 's/^/#   stderr: /' "$TMP/err" | head -5
check "... a desk that opens (mdesk check)" "mdesk --desk '$B' check"
check "... whose origin URL holds no password" "! grep -q s3cret '$B/.git/config'"

printf 'From: Customer <c1@example.com>\nTo: support@lumen.example\nSubject: https question\nMessage-ID: <https1@example.com>\nDate: Mon, 2 Nov 2026 09:00:00 +0000\n\nPlease help.\n' >"$TMP/m.eml"
MDESK_DIR=$A mroute --now 2026-11-02T09:00:00Z <"$TMP/m.eml" >/dev/null 2>"$TMP/err"
is "a delivery on the first replica" "$?" 0
mdesk --desk "$A" sync >"$TMP/out" 2>"$TMP/err"
is "... sync over https pushes it" "$?:$(cat "$TMP/out")" "0:origin: pushed"
mdesk --desk "$B" sync >"$TMP/out" 2>"$TMP/err"
is "... sync over https on the second replica fetches it" "$?" 0
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
check "nginx saw user's authenticated pushes" "grep -q ' - user \\[.*POST /remote.git/git-receive-pack.*libgit2' '$S/access.log'"
done_testing
