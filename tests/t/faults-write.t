#!/bin/sh
# valgrind: no
# Every writer on a desk that cannot take the write: a full disk (a
# file-size limit of 0) and a read-only one (a read-only bind mount).
# mreply (plain, --send, --ack), mdesk note, claim, assign, status and
# msla --notify each exit 75 or 73, write nothing on stdout (and send
# nothing), and leave the desk as it was: HEAD, the files, git status, no
# journal.  With room again the same command succeeds, once.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D" MDESK_MSGID_SEED=faults
cat >"$TMP/sendmail" <<EOF
#!/bin/sh
cat >>"$TMP/sent"
EOF
chmod +x "$TMP/sendmail"
sed -i "s|^mailer = .*|mailer = sendmail://$TMP/sendmail|" "$D/desk.conf"
git -C "$D" commit -qam "mail through the capture script"
M=$DATA/mail/single.eml
id=$(mroute --now 2026-11-02T09:00:00Z <"$M" | sed -n 's/^X-Mdesk-Ticket: //p')
check "a ticket to write to ($id)" "test -n '$id'"

# the desk as it is: HEAD, every file of the working tree, git status
snap() {
	printf '%s %s %s\n' "$(git -C "$D" rev-parse HEAD)" \
		"$(cd "$D" && find . -path ./.git -prune -o -type f -print | LC_ALL=C sort | xargs md5sum | md5sum)" \
		"$(git -C "$D" status --porcelain | md5sum)"
	test -e "$D/.git/mdesk/pending" && echo "journal left"
}
# full CMD...: run CMD under a file-size limit of 0 (stdout and stderr are
# pipes, which the limit does not touch); $rc, $TMP/out, $TMP/err
full() {
	{ { sh -c 'ulimit -f 0; exec "$@"' sh "$@"; echo $? >"$TMP/rc"; } 2>&1 >&3 |
		cat >"$TMP/err"; } 3>&1 | cat >"$TMP/out"
	rc=$(cat "$TMP/rc")
}
# unchanged DESC CMD...: on a full disk CMD exits 75 or 73, says why in
# one line, writes nothing on stdout, sends nothing, changes nothing
unchanged() {
	_d=$1; shift
	_s=$(snap)
	rm -f "$TMP/sent"
	full "$@"
	_e=$(grep -c . "$TMP/err")
	if [ "$rc" -ne 75 ] && [ "$rc" -ne 73 ]; then ok 1 "$_d: exit 75 or 73"; echo "#   exit $rc"
	else ok 0 "$_d: exit 75 or 73 ($rc)"; fi
	is "  ... nothing on stdout" "$(wc -c <"$TMP/out" | tr -d ' ')" 0
	is "  ... nothing sent" "$(test -e "$TMP/sent" && echo sent)" ""
	is "  ... one line on stderr" "$_e" 1
	is "  ... the desk is as it was (HEAD, files, git status)" "$(snap)" "$_s"
}
NOW=--now=2026-11-02T10:00:00Z

unchanged "mreply on a full disk" mreply --record --as ana $NOW -t answer <"$M"
unchanged "mreply --send on a full disk" mreply --as ana $NOW -t answer --send <"$M"
unchanged "mreply --ack --send on a full disk" mreply --ack $NOW --send <"$M"
unchanged "mdesk note on a full disk" mdesk --as ana $NOW note "$id" "full?"
unchanged "mdesk claim on a full disk" mdesk --as ana $NOW claim "$id"
unchanged "mdesk assign on a full disk" mdesk --as ana $NOW assign "$id" chen
unchanged "mdesk status on a full disk" mdesk --as ana $NOW status "$id" pending
# a deadline passed: msla --notify would escalate to the assignee
late=--now=2026-11-20T10:00:00Z
check "msla sees a breach to notify" "msla $late --notify --dry-run | grep -q '^Subject: SLA'"
unchanged "msla --notify on a full disk" msla $late --notify

# with room again: each succeeds once
w "with room: mreply" sh -c 'mreply --record --as ana "$1" -t answer <"$2" >"$3"' sh "$NOW" "$M" "$TMP/r.eml"
is "  ... one reply event" "$(grep -c '"type":"replied"' "$D"/tickets/*/"$id"/events.jsonl)" 1
check "  ... the reply written is the one stored" "cmp '$TMP/r.eml' '$D/tickets/$(printf %.2s "$id")/$id/0002.eml'"
w "with room: mdesk note" mdesk --as ana $NOW note "$id" "room again"
w "with room: msla --notify (exit 1: a breach)" sh -c 'msla "$1" --notify >"$2"; [ $? -eq 1 ]' sh "$late" "$TMP/n.mbox"
check "  ... the mail went out" "grep -q '^Subject: SLA' '$TMP/n.mbox'"
check "mdesk check is happy" "mdesk check"
check "git fsck is clean" "git -C '$D' fsck --no-progress"

# mreply whose stdout cannot be written: nothing recorded either
_s=$(snap)
mreply --record --as ana --force $NOW -t answer <"$M" >/dev/full 2>"$TMP/err"; rc=$?
is "mreply with stdout on a full device: exit 74" "$rc" 74
is "  ... nothing recorded" "$(snap)" "$_s"

# --- a read-only desk: a read-only bind mount in a private mount
# namespace (root), else write permission taken away
cat >"$TMP/ro.sh" <<EOF
export MDESK_DIR="$D"
one() { n=\$1; shift; rm -f "$TMP/sent"; "\$@" >"$TMP/ro-\$n.out" 2>"$TMP/ro-\$n.err"; echo "\$n \$? \$(wc -c <"$TMP/ro-\$n.out") \$(test -e "$TMP/sent" && echo sent || echo none)"; }
one reply mreply --record --as ana $NOW -t answer --force <"$M"
one send mreply --as ana $NOW -t answer --force --send <"$M"
one note mdesk --as ana $NOW note "$id" "read-only?"
one claim mdesk --as chen $NOW claim "$id" --force
one assign mdesk --as ana $NOW assign "$id" chen
one status mdesk --as ana $NOW status "$id" solved
one notify msla --now=2026-11-30T10:00:00Z --notify
EOF
ro=
_s=$(snap)
if [ "$(id -u)" = 0 ]; then
	if command -v unshare >/dev/null 2>&1 &&
		unshare -m sh -c "mount --bind '$D' '$D' && mount -o remount,bind,ro '$D' && ! touch '$D/.probe' 2>/dev/null" 2>/dev/null; then
		ro=$(unshare -m sh -c "mount --bind '$D' '$D' && mount -o remount,bind,ro '$D' && sh '$TMP/ro.sh'")
	fi
else
	chmod -R a-w "$D"
	ro=$(sh "$TMP/ro.sh")
	chmod -R u+w "$D"
fi
if [ -n "$ro" ]; then
	for n in reply send note claim assign status notify; do
		is "read-only desk: $n exits 73, nothing on stdout, nothing sent" \
			"$(echo "$ro" | grep "^$n ")" "$n 73 0 none"
	done
	check "  ... each says why" "grep -Eq 'Read-only file system|Permission denied' $TMP/ro-*.err"
	is "  ... the desk is as it was" "$(snap)" "$_s"
else
	skip "read-only desk" "no read-only bind mount here (unshare -m needs privileges)"
fi
done_testing
