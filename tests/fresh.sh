#!/bin/sh
# The README's quick start on a fresh Debian 12: debootstrap a minimal
# bookworm (minbase plus build-essential, git, python3, valgrind and
# ca-certificates) into a chroot, clone the committed HEAD of this
# repository into it and run `make demo` and `make check` there as root, so
# that a package missing from tests/deps.sh fails here and not on a
# newcomer's machine.
#
# Usage: sh tests/fresh.sh [demo|check]...   (as root; both by default)
#
# The finished root is cached as a tar in $MDESK_FRESH_CACHE (default
# /var/cache/mdesk-fresh) and each run unpacks a new copy of it, so only
# the first run downloads the base system.  apt inside the chroot uses the
# Debian mirrors this host's apt uses (apt-get indextargets).  Everything
# runs in its own mount and PID namespaces: the mounts of /proc, /sys and
# /dev go away with them, and every process started in the chroot (a test
# server left behind, say) ends when the run does.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${MDESK_FRESH_CACHE:-/var/cache/mdesk-fresh}
suite=bookworm
include=build-essential,git,python3,valgrind,ca-certificates
targets=${*:-demo check}

t0=$(date +%s)
say() { echo "fresh: $*"; }
die() { echo "fresh: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot, mounts)"
command -v unshare >/dev/null || die "unshare not found: apt-get install util-linux"
if ! command -v debootstrap >/dev/null; then
	say "installing debootstrap (to build the fresh Debian $suite)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
		die "cannot install debootstrap: apt-get install debootstrap"
fi

# The Debian archives this host's apt reads: "SITE SUITE" per line.
sites=$(apt-get indextargets --format '$(SITE) $(RELEASE)' 'Created-By: Packages' 2>/dev/null |
	awk -v s="$suite" '$2 == s || index($2, s "-") == 1' | sort -u)
mirror=$(echo "$sites" | awk -v s="$suite" '$2 == s { print $1; exit }')
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

mkdir -p "$cache"
# one run at a time; what a run that was killed left behind goes
exec 9>"$cache/lock"
flock 9
unmount_under() {
	for m in $(awk -v r="$1" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r); do
		umount -l "$m" 2>/dev/null || :
	done
}
for old in "$cache"/run.* "$cache"/build.*; do
	[ -d "$old" ] || continue
	unmount_under "$old"
	rm -rf --one-file-system "$old"
done
tarball=$cache/$suite-minbase.tar
stamp="$suite minbase $include $mirror"
if [ ! -s "$tarball" ] || [ "$(cat "$tarball.stamp" 2>/dev/null)" != "$stamp" ]; then
	say "debootstrap $suite (minbase + $include) from $mirror into $cache (cached for the next runs)"
	b=$(mktemp -d "$cache/build.XXXXXX")
	trap 'rm -rf "$b"' EXIT
	debootstrap --variant=minbase --include="$include" "$suite" "$b/root" "$mirror" \
		>"$cache/debootstrap.log" 2>&1 ||
		die "debootstrap failed; see $cache/debootstrap.log"
	rm -rf "$b/root/var/cache/apt/archives/"*.deb "$b/root/var/lib/apt/lists/"*_Packages
	tar -C "$b/root" -cf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
	echo "$stamp" >"$tarball.stamp"
	rm -rf "$b"
	trap - EXIT
fi

R=$(mktemp -d "$cache/run.XXXXXX")
child=
cleanup() {
	# the namespaces end with their last process; a mount left here is
	# unmounted before the removal
	if [ -n "$child" ]; then
		# unshare ignores SIGTERM while it waits for its child
		kill -KILL "$child" 2>/dev/null || :
		wait "$child" 2>/dev/null || :
	fi
	unmount_under "$R"
	# processes of the chroot that are still being ended may write a
	# moment longer
	for i in 1 2 3 4 5; do
		rm -rf --one-file-system "$R" 2>/dev/null && break
		sleep 1
	done
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP
tar -C "$R" -xf "$tarball"

# apt inside reaches the archives the host's apt reaches
echo "$sites" | awk '{ print "deb " $1 " " $2 " main" }' >"$R/etc/apt/sources.list"
rm -f "$R/etc/apt/sources.list.d/"*
cp -L /etc/resolv.conf "$R/etc/resolv.conf" 2>/dev/null || :
[ -f /etc/apt/apt.conf.d/proxy ] && cp /etc/apt/apt.conf.d/proxy "$R/etc/apt/apt.conf.d/" 2>/dev/null || :

# the committed HEAD, not the working tree
git init -q "$R/root/mdesk"
git -C "$R/root/mdesk" fetch -q "$top" HEAD
git -C "$R/root/mdesk" checkout -q -b main FETCH_HEAD
say "chroot $R: $(git -C "$R/root/mdesk" log -1 --format='%h %s')"

start=$(date +%s)
rc=0
# in the background, so that a signal to this script ends the run at once:
# when unshare dies (cleanup kills it), --kill-child ends the first process
# of the new PID namespace, and with it every process started in the chroot
unshare --mount --pid --fork --kill-child sh -eu -c '
	R=$1; shift
	mount --make-rprivate /
	mount -t proc proc "$R/proc"
	mount -t sysfs sysfs "$R/sys"
	mount --rbind /dev "$R/dev"
	mount --make-rslave "$R/dev"
	mount -t tmpfs tmpfs "$R/tmp"
	chmod 1777 "$R/tmp"
	for t in "$@"; do
		echo "fresh: make $t"
		chroot "$R" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
			PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
			sh -c "cd /root/mdesk && make $t" || exit $?
	done
	# deps.sh installed the servers with no service enabled, and took
	# its policy-rc.d away again
	on=$( (ls "$R"/etc/rc[2-5].d/; ls "$R"/etc/systemd/system/*.wants/) 2>/dev/null |
		grep -E "^(S[0-9]+)?(ssh|nginx|fcgiwrap|fetchmail)(\.service|\.socket)?\$" | sort -u)
	[ -z "$on" ] || { echo "fresh: services left enabled:" $on >&2; exit 1; }
	[ ! -e "$R/usr/sbin/policy-rc.d" ] || { echo "fresh: /usr/sbin/policy-rc.d left behind" >&2; exit 1; }
	echo "fresh: no service enabled, no policy-rc.d left"
' fresh "$R" $targets &
child=$!
wait $child || rc=$?
child=
say "$targets: exit $rc after $(( $(date +%s) - start )) s ($(( $(date +%s) - t0 )) s in all)"
exit $rc
