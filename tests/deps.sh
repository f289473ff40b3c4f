#!/bin/sh
# Install the Debian packages that building and testing mdesk need.
# As root: apt-get installs what is missing, after saying what and why.
# Otherwise: print the command to run.
#
#   sh tests/deps.sh          the build, the tests and the man page checks
#   sh tests/deps.sh bench    also miller (mlr), for tests/bench/mreport, and
#                             notmuch and mblaze, for tests/bench/mthread and
#                             tests/bench/threads-compare
#   sh tests/deps.sh fuzz     also clang and its libFuzzer runtime (make fuzz)

# the build: compiler, pkg-config and the libraries (libsqlite3-dev: FTS5
# for mdesk search; libxxhash-dev: XXH64, the derived files' checksum,
# compiled in from its header)
build="build-essential pkg-config libmailutils-dev libjansson-dev libcsv-dev
libgit2-dev libcld2-dev libmagic-dev libsqlite3-dev libxxhash-dev"
# the tests: jq reads the tools' JSON; mailutils' decodemail and perl decode
# RFC 2047; git inspects desks; valgrind runs make check-valgrind; python3
# writes the hostile mail of tests/t/hostile.t, whose /usr/bin/time (package
# time) measures each tool's memory; chromium renders mreport's page
# (tests/t/mreport.t); openssl and curl set up and probe the https server;
# procmail, maildrop and mutt read the recipes of examples/ (tests/t/examples.t);
# zsh and fish load the completions (tests/t/completions.t); sqlite3 reads the
# search index's key (tests/t/mdesk-search.t); mandoc, groff and man-db check
# the man pages (make lint-man)
tests="mailutils jq valgrind git perl python3 time chromium openssh-client openssl curl
procmail maildrop mutt zsh fish sqlite3 mandoc groff man-db"
# packages that come with a service: sshd serves tests/t/mdesk-sync-ssh.t and
# nginx-light and fcgiwrap serve tests/t/mdesk-sync-https.t (git http-backend
# over TLS), each started by its test on 127.0.0.1 with its own
# configuration; fetchmail only reads examples/fetchmailrc and never polls.
# Debian enables and starts such services when they are installed: these are
# installed with every service start refused and are then disabled, so none
# runs on this machine.  Where they cannot be installed, their tests skip.
servers="openssh-server nginx-light fcgiwrap fetchmail"
pkgs="$build $tests"
extra=
case ${1:-} in
bench) extra="miller notmuch mblaze" ;;
fuzz) extra="clang libclang-rt-14-dev" ;;
'') ;;
*) echo "usage: sh tests/deps.sh [bench|fuzz]" >&2; exit 64 ;;
esac
[ -n "$extra" ] && pkgs="$pkgs $extra" servers=

missing() {
	m=
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			m="$m $p"
	done
	echo "$m"
}
missing=$(missing $pkgs)
smissing=$(missing $servers)
[ -z "$missing$smissing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages; run as root: apt-get install$missing$smissing" >&2
	[ -z "$missing" ]
	exit
fi

export DEBIAN_FRONTEND=noninteractive
apt_install() {
	apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}
apt-get update -qq || echo "deps: apt-get update failed; trying the lists there are" >&2
if [ -n "$missing" ]; then
	echo "deps: installing (to build and test mdesk):$missing"
	apt_install $missing ||
		{ echo "deps: apt-get failed; run: apt-get install$missing" >&2; exit 1; }
fi
[ -z "$smissing" ] && exit 0

# The servers: invoke-rc.d asks /usr/sbin/policy-rc.d, and its exit 101
# refuses every start; one already in place (a container's) is kept.
echo "deps: installing (servers for the tests, started by the tests alone;" \
	"no service is enabled or started):$smissing"
policy=/usr/sbin/policy-rc.d
ours=
if [ ! -e "$policy" ]; then
	printf '#!/bin/sh\n# tests/deps.sh: no service starts while it installs\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	ours=1
	trap 'rm -f "$policy"' EXIT
	trap 'exit 1' INT TERM HUP
fi
apt_install $smissing 2>/dev/null ||
	echo "deps: could not install$smissing; the tests that need them skip" >&2
# what the packages enabled for the next boot is disabled again
for p in $smissing; do
	case $p in
	openssh-server) units="ssh.service ssh.socket" init=ssh ;;
	nginx-light) units="nginx.service" init=nginx ;;
	fcgiwrap) units="fcgiwrap.service fcgiwrap.socket" init=fcgiwrap ;;
	fetchmail) units="fetchmail.service" init=fetchmail ;;
	*) continue ;;
	esac
	command -v deb-systemd-helper >/dev/null && deb-systemd-helper disable $units >/dev/null 2>&1
	command -v systemctl >/dev/null && systemctl disable --quiet $units 2>/dev/null
	[ -x /etc/init.d/$init ] && update-rc.d $init disable >/dev/null 2>&1
done
[ -n "$ours" ] && rm -f "$policy"
exit 0
