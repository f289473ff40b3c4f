#!/bin/sh
# valgrind: yes
# Making and opening a desk as a newcomer does: mdesk init makes missing
# parent folders, as git init does; a desk that belongs to another user
# (Postfix running mroute as its own user) is refused with one line that
# says what to do, exit 78 (a configuration error: an MTA keeps the mail
# and tries again), and the way it names works.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

mdesk init "$TMP/a/b/desk" >"$TMP/out" 2>"$TMP/err"
is "mdesk init a/b/desk with a and b missing: exit 0" "$?:$(cat "$TMP/err")" "0:"
check "... a desk that opens and checks" "mdesk --desk '$TMP/a/b/desk' check"
is "... git status is clean" "$(git -C "$TMP/a/b/desk" status --porcelain)" ""
: >"$TMP/file"
mdesk init "$TMP/file/desk" >"$TMP/out" 2>"$TMP/err"
is "mdesk init under a plain file: exit 73" "$?" 73
is "... one line naming the path" "$(wc -l <"$TMP/err" | tr -d ' '):$(grep -c "$TMP/file" "$TMP/err")" "1:1"

M=$TMP/m.eml
printf 'From: Vera <vera@customer.example>\nTo: support@lumen.example\nSubject: Order 7\nMessage-ID: <own-1@customer.example>\nDate: Mon, 2 Nov 2026 08:00:00 +0000\n\nWhere is it?\n' >"$M"
if [ "$(id -u)" != 0 ] || ! id nobody >/dev/null 2>&1; then
	skip "a desk of another user" "needs root and the user nobody"
	done_testing
	exit
fi
D=$TMP/a/b/desk
chown -R nobody "$D"
mroute --desk "$D" --now 2026-11-02T09:00:00Z <"$M" >"$TMP/out" 2>"$TMP/err"
is "mroute on a desk of another user: exit 78" "$?" 78
is "... one line" "$(wc -l <"$TMP/err" | tr -d ' ')" 1
check "... naming the owner, chown and safe.directory" \
	"grep -q 'belongs to user nobody' '$TMP/err' && grep -q \"chown -R \" '$TMP/err' &&
	 grep -q \"git config --global --add safe.directory $D\" '$TMP/err'"
check "... and not libgit2's words" "! grep -q 'config value' '$TMP/err'"
mdesk --desk "$D" ls >"$TMP/out" 2>"$TMP/err"
is "mdesk ls says the same: exit 78" "$?:$(grep -c safe.directory "$TMP/err")" "78:1"
git config --global --add safe.directory "$D"
mroute --desk "$D" --now 2026-11-02T09:00:00Z <"$M" >"$TMP/out" 2>"$TMP/err"
is "after git config --global --add safe.directory, mroute files the message" \
	"$?:$(grep -c '^X-Mdesk-Ticket: ' "$TMP/out")" "0:1"
done_testing
