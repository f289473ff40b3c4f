#!/bin/sh
# valgrind: no
# mreply --edit: a draft (To, Cc, Bcc, Subject, the rendered template
# with -t, the signature, the customer's message quoted) opened in
# $VISUAL or $EDITOR (here scripts), the reply made from what the agent
# left; an editor that fails keeps the draft for --resume, nothing sent;
# an empty answer aborts; drafts live per agent under .git/mdesk, never
# committed; at a terminal with nothing written the editor opens by
# itself.  --text - reads the agent's words from the standard input.
. "${MDESK_TOP:-.}/tests/lib.sh"
. "${MDESK_TOP:-.}/tests/desklib.sh"

D=$TMP/desk
newdesk "$D"
export MDESK_DIR="$D" MDESK_MSGID_SEED=edit
cat >"$TMP/sendmail" <<EOS
#!/bin/sh
n=\$(ls "$TMP" | grep -c '^sent\\.')
cat >"$TMP/sent.\$n"
EOS
chmod +x "$TMP/sendmail"
sed -i "s|^mailer = .*|mailer = sendmail://$TMP/sendmail|" "$D/desk.conf"
git -C "$D" commit -qam "mail through the capture script"
hdr() { awk -v h="$1" 'BEGIN { IGNORECASE = 1 } /^$/ { exit }
	/^[ \t]/ { if (on) v = v " " substr($0, 2); next }
	{ if (on) exit; on = (tolower(substr($0, 1, length(h) + 1)) == tolower(h) ":"); if (on) v = substr($0, length(h) + 3) }
	END { print v }' "$2"; }
body() { sed '1,/^$/d' "$1" | perl -MMIME::QuotedPrint -0777 -ne 'print decode_qp($_)'; }
nsent() { ls "$TMP" | grep -c '^sent\.'; }
nreplies() { grep -c '"type":"replied"' "$D/tickets/$(printf %.2s "$1")/$1/events.jsonl"; }
NOW=--now=2026-11-02T10:00:00Z
cat >"$TMP/m.eml" <<'EOM'
From: Maria Costa <maria@shop.example>
To: support@lumen.example
Cc: John Hale <john@partner.example>
Subject: Where is parcel LB-77?
Message-ID: <p1@shop.example>
Date: Mon, 2 Nov 2026 08:00:00 +0000

My parcel LB-77 never arrived.
EOM
T=$(mroute --now 2026-11-02T08:00:00Z <"$TMP/m.eml" | sed -n 's/^X-Mdesk-Ticket: //p')
DRAFT=$D/.git/mdesk/drafts/ana/$T.txt

# the scripted editor: keeps a copy of the draft it was given, writes an
# answer on the body's first line, drops the Cc, changes the Subject
cat >"$TMP/ed.sh" <<EOS
#!/bin/sh
cp "\$1" "$TMP/draft.seen"
awk 'BEGIN { h = 1 }
	h && /^Cc:/ { print "Cc:"; next }
	h && /^Subject:/ { print \$0 " (traced)"; next }
	h && /^\$/ { h = 0; print; getline; print "Your parcel is with the carrier; it arrives on Friday."; next }
	{ print }' "\$1" >"\$1.x" && mv "\$1.x" "\$1"
EOS
chmod +x "$TMP/ed.sh"

w "--edit --send with a scripted \$EDITOR: sent and recorded" env EDITOR="$TMP/ed.sh" mreply --edit --send --as ana $NOW --ticket "$T"
S=$TMP/sent.0
is "  ... the draft had To, Cc, Bcc, Subject" "$(sed -n '1,4p' "$TMP/draft.seen")" "To: Maria Costa <maria@shop.example>
Cc: John Hale <john@partner.example>
Bcc:
Subject: Re: Where is parcel LB-77? [#$T]"
check "  ... the signature and the customer's message quoted" "grep -qx -- '-- ' '$TMP/draft.seen' && grep -qx '> My parcel LB-77 never arrived.' '$TMP/draft.seen'"
is "  ... the mail: the agent's To, no Cc, the edited Subject" "$(hdr To "$S")|$(grep -ci '^Cc:' "$S")|$(hdr Subject "$S")" \
	"Maria Costa <maria@shop.example>|0|Re: Where is parcel LB-77? [#$T] (traced)"
check "  ... the agent's words in the body" "body '$S' | grep -qx 'Your parcel is with the carrier; it arrives on Friday.'"
check "  ... threaded to the customer's message" "[ \"\$(hdr In-Reply-To '$S')\" = '<p1@shop.example>' ]"
is "  ... one reply recorded, the draft gone" "$(nreplies "$T") $(test -e "$DRAFT" && echo kept || echo gone)" "1 gone"
is "  ... recorded as written in the editor" "$(git -C "$D" log -1 --format=%s)|$(grep '"type":"replied"' "$D/tickets/$(printf %.2s "$T")/$T/events.jsonl" | jq -c '[.edited, .template]')" \
	"$T: replied by ana to maria@shop.example (written in the editor)|[true,null]"
is "  ... nothing of the draft in git" "$(git -C "$D" status --porcelain) $(git -C "$D" ls-files | grep -c drafts)" " 0"

# an editor that fails: nothing sent, nothing recorded, the draft kept
n=$(nsent)
refused "an editor that fails: exit 69, nothing recorded" 69 "the editor failed: nothing sent, nothing recorded; the draft is kept" \
	env EDITOR=false mreply --edit --send --force --as ana $NOW --ticket "$T" -t need-more-info
is "  ... nothing sent, the draft kept" "$(nsent) $(test -e "$DRAFT" && echo kept)" "$n kept"
check "  ... the draft holds the rendered template (-t)" "grep -q 'Thank you for getting in touch' '$DRAFT'"
check "  ... only the agent can read it" "[ \"\$(stat -c %a '$DRAFT')\" = 600 ]"
# a new Message-ID, as a real send has (the seed of this file would make
# the first reply's again, which the outbox takes for one recorded already)
w "--resume: the kept draft, edited, sent" env EDITOR="$TMP/ed.sh" MDESK_MSGID_SEED=edit-resume mreply --resume --send --force --as ana $NOW --ticket "$T"
is "  ... sent once, recorded, the draft gone" "$(( $(nsent) - n )) $(nreplies "$T") $(test -e "$DRAFT" && echo kept || echo gone)" "1 2 gone"
refused "--resume without a draft: exit 66" 66 "no draft of $T by ana to resume" \
	env EDITOR="$TMP/ed.sh" mreply --resume --send --as ana $NOW --ticket "$T"

# an empty answer aborts (the editor leaves the draft as it was)
n=$(nsent)
refused "an empty answer: exit 65, nothing recorded" 65 "an empty answer: nothing sent, nothing recorded" \
	env EDITOR=true mreply --edit --send --force --as ana $NOW --ticket "$T"
is "  ... nothing sent, the draft gone" "$(nsent) $(test -e "$DRAFT" && echo kept || echo gone)" "$n gone"
# a draft with no To
printf '#!/bin/sh\nsed -i "s/^To:.*/To:/; s/^\\$/\\nWords./" "$1"\n' >"$TMP/noto.sh"; chmod +x "$TMP/noto.sh"
refused "a draft without To: exit 65" 65 "no To" env EDITOR="$TMP/noto.sh" mreply --edit --send --force --as ana $NOW --ticket "$T"

# at a terminal, with nothing written: the editor opens by itself
if script -qec true /dev/null >/dev/null 2>&1; then
	n=$(nsent)
	script -qec "env EDITOR='$TMP/ed.sh' MDESK_DIR='$D' mreply --send --force --as ana $NOW --ticket $T" /dev/null >"$TMP/tty.out" 2>&1
	is "at a terminal, no -t, no --text: the editor, then sent" "$(( $(nsent) - n ))" 1
else
	skip "at a terminal, no -t, no --text: the editor, then sent" "no script(1)"
fi

# --text -: the words from the standard input
printf 'Words from the pipe.\n' | mreply --as ana $NOW --force --ticket "$T" -t answer --text - >"$TMP/r.eml"; rc=$?
is "--text -: exit 0" "$rc" 0
check "  ... the words in the body" "body '$TMP/r.eml' | grep -q 'Words from the pipe.'"
mreply --as ana $NOW -t answer --text - </dev/null >/dev/null 2>"$TMP/err"; rc=$?
is "--text - without --ticket: exit 64" "$rc" 64
check "mdesk check is happy" "mdesk check"
done_testing
