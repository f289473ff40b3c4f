#!/bin/sh
# The summary of every ticket under .git/mdesk/ (tickets-main,
# tickets-archive) is derived data: deleted, damaged, stale or from a
# changed history, it changes no answer of mdesk ls, ls --all or customer.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR" && manualdesk "$MDESK_DIR"
S=$MDESK_DIR/.git/mdesk

for f in "$DATA"/mail/subjects.mbox "$DATA"/mail/charsets.mbox "$DATA"/mail/dates.mbox; do
	mroute --now 2026-11-03T08:00:00Z <"$f" >/dev/null || echo "# mroute $f failed"
done
set -- $(mdesk ls --format json | jq -r .id)
is "tickets to work on" "$([ $# -ge 6 ] && echo yes)" yes
mdesk --as ana --now 2026-11-03T09:00:00Z assign "$1" ana >/dev/null
mdesk --as ana --now 2026-11-03T09:01:00Z tag "$2" vip >/dev/null
mdesk --as ana --now 2026-11-03T09:02:00Z status "$3" solved >/dev/null
mdesk --as ana --now 2026-11-03T09:03:00Z status "$4" closed >/dev/null
mdesk --as ana --now 2026-11-03T09:04:00Z priority "$5" urgent >/dev/null
mdesk --now 2026-11-20T10:00:00Z archive "$3" "$4" >/dev/null
cust=$(mdesk ls --format json | jq -r 'select(.customer != null) | .customer' | head -n 1)

# answers: every listing and view the summary serves
answers() {
	mdesk ls --format json
	mdesk ls --format csv
	mdesk ls --format table
	mdesk ls --all --format json
	mdesk ls --all --status solved --format csv
	mdesk ls --assignee ana --format json
	mdesk ls --unassigned --format csv
	mdesk ls --tag vip --format json
	mdesk ls --priority urgent --format json
	mdesk customer "$cust" --format json
	mdesk customer "@${cust#*@}" --format csv
}
answers >"$TMP/a1" 2>&1
check "answers without errors" "! grep -q '^mdesk:' '$TMP/a1' && test \$(wc -l <'$TMP/a1') -gt 30"
check "the summary files exist after a listing" "test -s '$S/tickets-main' && test -s '$S/tickets-archive'"
check "they are not in git" "test -z \"\$(git -C '$MDESK_DIR' status --porcelain --ignored)\""
check "a ticket on main is listed by ls --all once" "test \$(mdesk ls --all --format json | jq -r .id | sort | uniq -d | wc -l) -eq 0"

rm -f "$S/tickets-main" "$S/tickets-archive"
answers >"$TMP/a2" 2>&1
check "deleted: the same answers" "cmp -s '$TMP/a1' '$TMP/a2'"
check "  ... and the files come back" "test -s '$S/tickets-main' && test -s '$S/tickets-archive'"

# only a writer holding the desk lock writes them: while another process
# holds it, a reader answers from the trees and leaves the files alone
rm -f "$S/tickets-main" "$S/tickets-archive"
( exec 9>"$S/lock"; flock -x 9; exec sleep 60 ) &
holder=$!
sleep 0.3
answers >"$TMP/a2b" 2>&1
check "the lock held elsewhere: the same answers" "cmp -s '$TMP/a1' '$TMP/a2b'"
check "  ... and no file written" "test ! -e '$S/tickets-main' && test ! -e '$S/tickets-archive'"
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
answers >/dev/null 2>&1
check "  ... written by the next with the lock free" "test -s '$S/tickets-main' && test -s '$S/tickets-archive'"

printf 'mdesk-tickets 1 -\nnot a line\n' >"$S/tickets-main"
head -c 100 "$S/tickets-archive" >"$S/tickets-archive.cut" && mv "$S/tickets-archive.cut" "$S/tickets-archive"
answers >"$TMP/a3" 2>&1
check "damaged: the same answers" "cmp -s '$TMP/a1' '$TMP/a3'"

# stale: a commit made with git behind mdesk's back
cp "$S/tickets-main" "$TMP/old-summary"
f=$MDESK_DIR/tickets/$(echo "$6" | cut -c1-2)/$6/events.jsonl
echo '{"agent":"bob","at":"2026-11-04T10:00:00Z","by":"ana","id":"hand-1","type":"assigned"}' >>"$f"
git -C "$MDESK_DIR" commit -qam "by hand"
mdesk ls --assignee bob --format json >"$TMP/b1"
is "stale: a commit by git is seen" "$(jq -r .id "$TMP/b1")" "$6"
answers >"$TMP/a4" 2>&1
rm -f "$S/tickets-main" "$S/tickets-archive"
answers >"$TMP/a5" 2>&1
check "  ... the same answers as a rebuilt summary" "cmp -s '$TMP/a4' '$TMP/a5'"

# a summary of a history that no longer exists (a reset)
git -C "$MDESK_DIR" reset -q --hard HEAD~1
cp "$TMP/old-summary" "$S/tickets-main"
mdesk ls --format json >/dev/null
printf 'mdesk-tickets 1 0123456789abcdef0123456789abcdef01234567\n' >"$S/tickets-main"
answers >"$TMP/a6" 2>&1
check "a summary keyed to a tree that is gone: the answers before the hand commit" "cmp -s '$TMP/a1' '$TMP/a6'"

# a writer that holds the states brings them to its own commit: the next
# delivery finds them current, the same as built from nothing (mroute
# reads them to join mail to a ticket by subject); the summary, which a
# delivery does not read, is left to its readers
sed -i 's/^subject_window = .*/subject_window = 24h/' "$MDESK_DIR/desk.conf"
git -C "$MDESK_DIR" commit -qam "subject window"
mdesk ls --format json >/dev/null
cp "$S/tickets-main" "$TMP/before"
mroute --now 2026-11-03T10:00:00Z <"$DATA"/mail/multipart-mixed.mbox >/dev/null || echo "# mroute failed"
is "after mroute: the states are keyed to main's tickets tree" \
    "$(sed -n '1s/^mdesk-states 2 //p' "$S/states-main")" "$(git -C "$MDESK_DIR" rev-parse main:tickets)"
check "  ... and the summary is not written" "cmp -s '$TMP/before' '$S/tickets-main'"
cp "$S/states-main" "$TMP/kept-states"
rm -f "$S/states-main"
printf 'From: Nia <nia@n.example>\nTo: support@lumen.example\nSubject: The hinge\nMessage-ID: <hinge@n.example>\nDate: Tue, 3 Nov 2026 10:00:00 +0000\n\nIt squeaks.\n' |
	mroute --dry-run --now 2026-11-03T10:00:00Z >/dev/null || echo "# mroute --dry-run failed"
check "  ... the same, byte for byte, as built again" "cmp -s '$TMP/kept-states' '$S/states-main'"
check "  ... where the new tickets are" "test \$(grep -c . '$S/states-main') -gt \$(grep -c . '$TMP/old-summary')"
mdesk ls --format json >/dev/null
is "the next reader brings the summary to main's tickets tree" \
    "$(sed -n '1s/^mdesk-tickets 7 //p' "$S/tickets-main")" "$(git -C "$MDESK_DIR" rev-parse main:tickets)"
cp "$S/tickets-main" "$TMP/kept"
rm -f "$S/tickets-main"
mdesk ls --format json >/dev/null
check "  ... the same, byte for byte, as one built again" "cmp -s '$TMP/kept' '$S/tickets-main'"
cut -f1-8 "$TMP/kept" | sed '1s/^mdesk-tickets 7 /mdesk-states 2 /; $d' >"$TMP/k9"
sed '$d' "$TMP/kept-states" >"$TMP/s9"
check "  ... whose fields are the states' (but the checksum)" "cmp -s '$TMP/k9' '$TMP/s9'"
printf 'mdesk-tickets 2 %s\n' "$(git -C "$MDESK_DIR" rev-parse main:tickets)" >"$S/tickets-main"
mdesk ls --format json >"$TMP/v2"
check "a summary of an older version is built again" "cmp -s '$TMP/kept' '$S/tickets-main' && test -s '$TMP/v2'"
answers >"$TMP/a1" 2>&1

# a read-only state directory: answered, nothing written
if [ "$(id -u)" != 0 ]; then
	rm -f "$S/tickets-main"
	chmod a-w "$S"
	answers >"$TMP/a7" 2>&1
	chmod u+w "$S"
	check "state dir not writable: the same answers" "cmp -s '$TMP/a1' '$TMP/a7'"
else
	skip "state dir not writable: the same answers" "running as root"
fi
check "mdesk check is happy" "mdesk check"
is "git status is clean" "$(git -C "$MDESK_DIR" status --porcelain)" ""
done_testing
