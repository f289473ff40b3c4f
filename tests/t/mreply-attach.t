#!/bin/sh
# valgrind: yes
# mreply --attach: a multipart/mixed reply, each file's MIME type from
# libmagic, a non-ASCII name per RFC 2231, read back by Python's email
# module and by mdesk show --part (Mailutils); a mail message attached as
# message/rfc822; the size limit of desk.conf; a file that cannot be read.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D" MDESK_MSGID_SEED=attach
NOW=--now=2026-11-02T10:00:00Z
printf 'From: Maria <maria@shop.example>\nTo: support@lumen.example\nSubject: Invoice please\nMessage-ID: <i1@shop.example>\nDate: Mon, 2 Nov 2026 08:00:00 +0000\n\nCan I have the invoice?\n' >"$TMP/m.eml"
T=$(mroute --now 2026-11-02T09:00:00Z <"$TMP/m.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
# a PDF (by its bytes) with a name that is not ASCII, and a PNG
printf '%%PDF-1.4\n%%\342\343\317\323\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%%%EOF\n' >"$TMP/Fatura março €.pdf"
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\000\001\000\000\000\001\010\006\000\000\000\037\025\304\211\000\000\000\rIDATx\234c\000\001\000\000\005\000\001\015\012\055\264\000\000\000\000IEND\256B`\202' >"$TMP/dot.png"

mreply --as ana $NOW --ticket "$T" -t answer --attach "$TMP/Fatura março €.pdf" --attach "$TMP/dot.png" --attach "$TMP/m.eml" >"$TMP/r.eml" 2>"$TMP/err"; rc=$?
is "--attach three files: exit 0" "$rc" 0
py() { python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
print(m.get_content_type())
print(m.get_body(("plain",)).get_content().splitlines()[0])
for p in m.iter_attachments():
    c = p.get_content()
    print(p.get_content_type(), p.get_filename(), c["Subject"] if p.get_content_type() == "message/rfc822" else len(c))
' "$1"; }
if command -v python3 >/dev/null 2>&1; then
	py "$TMP/r.eml" >"$TMP/py" 2>&1
	is "Python's email module reads it back" "$(cat "$TMP/py")" "multipart/mixed
Hello Maria,
application/pdf Fatura março €.pdf $(wc -c <"$TMP/Fatura março €.pdf" | tr -d ' ')
image/png dot.png $(wc -c <"$TMP/dot.png" | tr -d ' ')
message/rfc822 m.eml Invoice please"
	python3 -c '
import email, email.policy, sys
m = email.message_from_bytes(open(sys.argv[1], "rb").read(), policy=email.policy.default)
a = list(m.iter_attachments())
sys.exit(a[0].get_content() != open(sys.argv[2], "rb").read() or a[1].get_content() != open(sys.argv[3], "rb").read())
' "$TMP/r.eml" "$TMP/Fatura março €.pdf" "$TMP/dot.png"
	ok $? "  ... the files' bytes, exactly"
else
	skip "Python's email module reads it back" "no python3"
	skip "  ... the files' bytes, exactly" "no python3"
fi
check "  ... the name per RFC 2231" "grep -q \"^ filename\\*=UTF-8''Fatura%20mar%C3%A7o%20%E2%82%AC.pdf\\\$\" '$TMP/r.eml'"
check "  ... header lines within 78 columns" "sed '/^\$/q' '$TMP/r.eml' | awk 'length > 78 { bad = 1 } END { exit bad }'"
check "  ... the message attached as it is (message/rfc822, 7bit)" "grep -A1 '^Content-Type: message/rfc822' '$TMP/r.eml' | grep -q '^Content-Transfer-Encoding: 7bit'"

# recorded: the stored reply is the multipart sent; mdesk show lists and writes the parts
w "--attach --record: recorded" sh -c 'mreply --record --as ana "$1" --ticket "$2" -t answer --attach "$3" --attach "$4" >"$5"' sh "$NOW" "$T" "$TMP/Fatura março €.pdf" "$TMP/dot.png" "$TMP/r2.eml"
check "  ... the stored message is the one written" "cmp '$TMP/r2.eml' '$D/tickets/$(printf %.2s "$T")/$T/0002.eml'"
mdesk show "$T" >"$TMP/show"
check "mdesk show lists the attachments" "grep -q '^\\[part 1\\] application/pdf  *Fatura março €.pdf' '$TMP/show' && grep -q '^\\[part 2\\] image/png  *dot.png' '$TMP/show'"
mdesk show "$T" --part 1 >"$TMP/p1"; rc=$?
is "mdesk show --part 1: exit 0" "$rc" 0
check "  ... the PDF, decoded by Mailutils, byte for byte" "cmp '$TMP/p1' '$TMP/Fatura março €.pdf'"
mdesk show "$T" --part 2 >"$TMP/p2"
check "  ... --part 2: the PNG" "cmp '$TMP/p2' '$TMP/dot.png'"
mdesk show "$T" --part 9 >"$TMP/p9" 2>"$TMP/err"; rc=$?
is "  ... --part 9: exit 66 (no such part), nothing written" "$rc $(wc -c <"$TMP/p9" | tr -d ' ')" "66 0"
mkdir "$TMP/saved"
mdesk show "$T" --attachments "$TMP/saved" >/dev/null; rc=$?
is "mdesk show --attachments DIR: exit 0" "$rc" 0
check "  ... every attachment saved under its name" "cmp '$TMP/saved/Fatura março €.pdf' '$TMP/Fatura março €.pdf' && cmp '$TMP/saved/dot.png' '$TMP/dot.png'"

# a hostile name: never a path outside DIR, never a hidden file
printf 'From: eve@evil.example\nTo: support@lumen.example\nSubject: Re: [#%s] x\nMessage-ID: <e1@evil.example>\nIn-Reply-To: <i1@shop.example>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="../../../etc/evil"\nContent-Transfer-Encoding: base64\n\naGk=\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename=".bashrc"\n\nho\n--b\nContent-Type: application/octet-stream\nContent-Disposition: attachment; filename="dot.png"\n\nsame name\n--b--\n' "$T" >"$TMP/e.eml"
mroute --now 2026-11-02T11:00:00Z <"$TMP/e.eml" >/dev/null
mkdir "$TMP/out2"
mdesk show "$T" --attachments "$TMP/out2" >/dev/null 2>"$TMP/err"; rc=$?
is "hostile names: exit 0" "$rc" 0
is "  ... every file inside DIR, none hidden, none overwritten" "$(cd "$TMP/out2" && ls -A | LC_ALL=C sort | tr '\n' '|')" "Fatura março €.pdf|bashrc|dot-1.png|dot.png|etc_evil|"
check "  ... nothing outside" "! test -e '$TMP/etc/evil' && ! test -e '$TMP/../etc/evil'"

# limits
sed -i 's/^\[mail\]$/[mail]\nattach_max = 50/' "$D/desk.conf"
git -C "$D" commit -qam "attach_max = 50"
refused "a file over [mail] attach_max: exit 65, nothing written" 65 "more than \\[mail\\] attach_max" \
	mreply --record --as ana $NOW --ticket "$T" -t answer --force --attach "$TMP/Fatura março €.pdf"
is "  ... nothing on stdout" "$(wc -c <"$TMP/out" | tr -d ' ')" 0
refused "a file that cannot be read: exit 66" 66 "nosuch.pdf: No such file or directory" \
	mreply --record --as ana $NOW --ticket "$T" -t answer --force --attach "$TMP/nosuch.pdf"
check "mdesk check is happy" "mdesk check"
done_testing
