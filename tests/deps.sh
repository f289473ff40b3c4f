#!/bin/sh
# Install the Debian packages that building and testing mdesk need.
# As root: apt-get installs what is missing.  Otherwise: print the command.
pkgs="build-essential pkg-config libmailutils-dev mailutils libjansson-dev libcsv-dev libssl-dev
libgit2-dev zlib1g-dev libdeflate-dev libexttextcat-dev mandoc jq valgrind git perl chromium
openssh-client openssl curl"
# chromium renders mreport's HTML page in tests/t/mreport.t.  The servers
# of the sync tests are installed too, but a machine where their packages
# cannot be installed (or their services cannot start) still builds and
# tests: those tests skip.  sshd serves tests/t/mdesk-sync-ssh.t; nginx-light
# and fcgiwrap serve tests/t/mdesk-sync-https.t (git http-backend over TLS).
servers="openssh-server nginx-light fcgiwrap"
# miller (mlr) is only for the benchmark tests/bench/mreport: deps.sh bench
[ "${1:-}" = bench ] && pkgs="$pkgs miller"
# `make fuzz` also needs clang and its libFuzzer runtime: deps.sh fuzz
[ "${1:-}" = fuzz ] && pkgs="$pkgs clang libclang-rt-14-dev"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ "$(id -u)" -eq 0 ] && [ "${1:-}" != bench ] && [ "${1:-}" != fuzz ]; then
	smissing=
	for p in $servers; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			smissing="$smissing $p"
	done
	if [ -n "$smissing" ]; then
		echo "deps: installing (for the sync tests):$smissing"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			$smissing >/dev/null 2>&1 ||
			echo "deps: could not install$smissing; the ssh and https sync tests will skip" >&2
	fi
fi
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		{ echo "deps: apt-get failed; run: apt-get install$missing" >&2; exit 1; }
else
	echo "deps: missing packages; run as root: apt-get install$missing" >&2
	exit 1
fi
