#!/bin/sh
# mreply: what the customer reads first.  The greeting's first name from
# the forms display names take ("Last, First", titles, CJK, RTL, a bare
# address: the template's fallback), never a doubled comma; the tag of the
# customer's own ticket system kept in the subject; Content-Language says
# the language of the text sent (the fallback template's, not the
# customer's).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
export MDESK_DIR="$TMP/desk" MDESK_MSGID_SEED=tests
newdesk "$MDESK_DIR"
hdr() { sed -n "/^\$/q; s/^$1: //p" "$2" | head -1; }

n=0
# reply FROM SUBJECT [LANG]: file a message, answer it (dry run) with
# the answer template; the answer in $TMP/r.eml
reply() {
	n=$((n + 1))
	{
		printf 'From: %s\nTo: support@lumen.example\nSubject: %s\n' "$1" "$2"
		printf 'Date: Tue, 3 Nov 2026 10:00:00 +0000\nMessage-ID: <names-%d@example.org>\n' "$n"
		[ -n "${3:-}" ] && printf 'Content-Language: %s\n' "$3"
		printf 'MIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\n\n'
		printf 'Meine Lieferung ist seit zwei Wochen unterwegs und noch nicht da.\n'
	} >"$TMP/m$n.eml"
	mroute --now 2026-11-03T10:00:05Z <"$TMP/m$n.eml" >/dev/null 2>&1
	mreply --as ana --dry-run --now 2026-11-03T11:00:00Z -t answer <"$TMP/m$n.eml" >"$TMP/r.eml" 2>"$TMP/err"
}
# the greeting line of the answer, decoded from quoted-printable
greeting() { sed '1,/^$/d' "$TMP/r.eml" | perl -MMIME::QuotedPrint -0777 -ne 'print decode_qp($_)' | grep -m1 '^Hello'; }

reply '"Schmidt, Anna" <anna.schmidt@example.de>' '[Ticket#2026112510000017] Delivery delayed' de-DE
is "'Schmidt, Anna': Hello Anna, (one comma)" "$(greeting)" "Hello Anna,"
T=$(sed -n 's/.*\[#\([0-9A-Z]*\)\].*/\1/p' "$TMP/r.eml" | head -1)
is "the customer's ticket tag is kept, the desk's token after it" "$(hdr Subject "$TMP/r.eml")" \
	"Re: Delivery delayed [Ticket#2026112510000017] [#$T]"
is "a German customer answered from the English template: Content-Language: en" \
	"$(hdr Content-Language "$TMP/r.eml")" en
reply 'Dr. Anna Schmidt <a.schmidt@example.de>' 'Lieferung'
is "Dr. Anna Schmidt: Hello Anna," "$(greeting)" "Hello Anna,"
reply 'Schmidt <schmidt@example.de>' 'Lieferung'
is "a family name alone in quotes-free form: Hello Schmidt," "$(greeting)" "Hello Schmidt,"
reply 'anna.schmidt@example.de' 'Lieferung'
is "a bare address: the template's fallback" "$(greeting)" "Hello there,"
reply '=?UTF-8?B?55Sw5LitIOWkqumDjg==?= <tanaka@example.jp>' 'Lieferung'
is "a Japanese name whole" "$(greeting)" "Hello 田中 太郎,"
reply '=?UTF-8?B?2YXYrdmF2K8g2KfZhNi52YTZig==?= <m.alali@example.sa>' 'Lieferung'
is "an Arabic name: its first word" "$(greeting)" "Hello محمد,"
done_testing
