#!/bin/sh
# examples/: each recipe run by the tool that reads it, against a desk.
# `make install` puts them (with README and LICENSE) under share/doc/mdesk
# and `make uninstall` takes them away; the crontab finds the installed
# tools through its PATH and its jobs run; procmail and maildrop file mail
# into the desk and, when the desk is busy, hand the mail transport agent
# exit 75 with nothing delivered; the muttrc's macros claim, note, answer
# and set the status of the ticket of the message they are given; the
# systemd units pass systemd-analyze verify; fetchmail and mutt read their
# files without a complaint.  Paths of the examples (/srv/desk,
# /usr/local/bin, the mail folders) are replaced by the test's own.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
EX=$TOP/examples
B=${MDESK_BUILD:-$TOP/build}
D=$TMP/desk
export MDESK_DIR=$D MDESK_MSGID_SEED=tests
newdesk "$D"
# replies leave through a capture script, not a real sendmail
cat >"$TMP/sendmail" <<EOF
#!/bin/sh
cat >"$TMP/sent.\$\$"
EOF
chmod +x "$TMP/sendmail"
sed -i "s|^mailer = .*|mailer = sendmail://$TMP/sendmail|" "$D/desk.conf"
git -C "$D" commit -qam "mail through the capture script"
filed() {	# filed N: message N is in the desk
	grep -rqs "^Message-ID: <example-$1@example.com>" "$D/tickets"
}
msg() {	# msg N: the bundled message with its own Message-ID
	sed "s/^Message-ID: .*/Message-ID: <example-$1@example.com>/" "$DATA/mail/single.eml"
}
hold_lock() {	# the desk locked by another writer for a few seconds
	( exec 9>"$D/.git/mdesk/lock"; flock -x 9; exec sleep "$1" ) &
	i=0; while ! [ -e "$D/.git/mdesk/lock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 0.2
}

# ---------------------------------------------------------------- install
S=$TMP/stage
DOC=$S/usr/local/share/doc/mdesk
make -s -C "$TOP" install B="$B" DESTDIR="$S" PREFIX=/usr/local >"$TMP/install.out" 2>&1
is "make install: exit 0" "$?" 0
n=0 missing=
for f in "$EX"/*; do
	n=$((n + 1))
	cmp -s "$f" "$DOC/examples/${f##*/}" || missing="$missing ${f##*/}"
done
is "make install: the $n examples in share/doc/mdesk/examples" "$missing" ""
check "make install: README and LICENSE in share/doc/mdesk" "cmp '$TOP/README' '$DOC/README' && cmp '$TOP/LICENSE' '$DOC/LICENSE'"
cp -R "$S" "$TMP/stage2"
make -s -C "$TOP" uninstall B="$B" DESTDIR="$TMP/stage2" PREFIX=/usr/local >/dev/null 2>&1
is "make uninstall: no file left, share/doc/mdesk gone" \
	"$(find "$TMP/stage2" -type f | wc -l | tr -d ' ') $(test -e "$TMP/stage2/usr/local/share/doc/mdesk" && echo there)" "0 "

# ---------------------------------------------------------------- crontab
CT=$DOC/examples/crontab
cpath=$(sed -n 's/^PATH=//p' "$CT")
check "crontab: PATH includes /usr/local/bin" "case ':$cpath:' in *:/usr/local/bin:*) ;; *) false ;; esac"
# every command of every job, looked up in the crontab's PATH with the
# installed tree in place of /
notfound=
for c in $(grep -E '^[0-9*@]' "$CT" | sed -E 's/^(@[a-z]+|([^ ]+ +){5})//' |
	sed -E 's/"[^"]*"//g' | tr '|;&' '\n\n\n' | awk '{ print $1 }' | sort -u); do
	case $c in mdesk|mroute|mreply|msla|mreport|mthread) ;; *) continue ;; esac
	found=
	IFS=:; for dir in $cpath; do [ -x "$S$dir/$c" ] && found=1; done; unset IFS
	[ -n "$found" ] || notfound="$notfound $c"
done
is "crontab: every mdesk tool of its jobs is found on its PATH after install" "$notfound" ""
tools=$(grep -E '^[0-9*@]' "$CT" | grep -oE '\bm(desk|route|reply|sla|report|thread)\b' | sort -u | tr '\n' ' ')
is "crontab: the jobs use msla, mreport and mdesk" "$tools" "mdesk mreport msla "
# the jobs run as cron runs them: sh -c, the crontab's variables, the
# installed tools; mail and sendmail are capture scripts
mkdir -p "$TMP/cronbin"
for c in mail sendmail; do printf '#!/bin/sh\ncat >>"%s/cron.%s"\n' "$TMP" "$c" >"$TMP/cronbin/$c"; chmod +x "$TMP/cronbin/$c"; done
cronrun() {	# cronrun PATTERN: run the job whose command matches PATTERN
	job=$(grep -E '^[0-9*@]' "$CT" | grep -E "$1" | head -1 | sed -E 's/^([^ ]+ +){5}//; s/\\%/%/g')
	env -i HOME="$HOME" MDESK_DIR="$D" MDESK_NOW=2026-11-10T07:00:00Z \
		GIT_CONFIG_NOSYSTEM=1 PATH="$TMP/cronbin:$(echo "$cpath" | sed "s|/usr/local/bin|$S/usr/local/bin|")" \
		sh -c "$job" >"$TMP/cron.out" 2>&1
}
msg 1 | mroute --now 2026-11-02T09:00:00Z >/dev/null
cronrun 'msla --notify'
is "crontab: the msla job runs" "$? $(cat "$TMP/cron.out")" "0 "
cronrun 'mreport'
is "crontab: the mreport job runs and mails a table" "$? $(grep -c . "$TMP/cron.mail" | awk '$1 > 1 { print "mailed" }')" "0 mailed"
cronrun 'mdesk archive'
is "crontab: the archive job runs" "$?" 0
cronrun 'mdesk automate'
is "crontab: the automate job runs" "$? $(cat "$TMP/cron.out")" "0 "

# ---------------------------------------------------------------- procmail
if command -v procmail >/dev/null 2>&1; then
	mkdir -p "$TMP/Mail/desk"
	sed -e "s|/srv/desk|$D|g" -e "s|^PATH=/usr/local/bin:|PATH=$B:|" \
		-e "s|^MAILDIR=.*|MAILDIR=$TMP/Mail|" "$EX/procmailrc" >"$TMP/procmailrc"
	# procmail clears the environment; under the sanitizers it keeps it
	# (-p), so that LeakSanitizer still reads its suppressions
	pm="procmail"; [ -n "${MDESK_SANITIZED:-}" ] && pm="procmail -p"
	msg 2 | $pm -m "$TMP/procmailrc" >"$TMP/pm.out" 2>"$TMP/pm.err"
	is "procmailrc: exit 0, the message filed" "$? $(filed 2 && echo filed)" "0 filed"
	f=$(ls "$TMP"/Mail/desk/support/new/* 2>/dev/null | head -1)
	check "procmailrc: delivered to Mail/desk/support/ with its X-Mdesk-Ticket" \
		"test -n '$f' && grep -q '^X-Mdesk-Ticket: [0-9A-Z]\{8\}$' '$f'"
	check "procmailrc: new ticket acknowledged (mroute --ack)" "grep -l '^Auto-Submitted: auto-replied' '$TMP'/sent.* >/dev/null"
	hold_lock 5
	before=$(find "$TMP/Mail" -type f | wc -l)
	msg 3 | env MDESK_LOCK_TIMEOUT=1 $pm -m MDESK_LOCK_TIMEOUT=1 "$TMP/procmailrc" >/dev/null 2>"$TMP/pm.err"
	rc=$?
	is "procmailrc: the desk busy: exit 75 for the mail transport agent, nothing filed or delivered" \
		"$rc $(($(find "$TMP/Mail" -type f | wc -l) - before)) $(filed 3 || echo no)" "75 0 no"
	wait
	msg 3 | $pm -m "$TMP/procmailrc" >/dev/null 2>&1
	is "procmailrc: delivered again, the message is filed" "$? $(filed 3 && echo filed)" "0 filed"
else
	skip "procmailrc" "procmail not installed"
fi

# ---------------------------------------------------------------- maildrop
if command -v maildrop >/dev/null 2>&1 && command -v maildirmake >/dev/null 2>&1; then
	maildirmake "$TMP/Maildir"
	sed -e "s|/srv/desk|$D|g" -e "s|^PATH=\"/usr/local/bin:|PATH=\"$B:|" \
		-e "s|^MAILDIR=.*|MAILDIR=\"$TMP/Maildir\"|" "$EX/maildroprc" >"$TMP/mailfilter"
	chmod 600 "$TMP/mailfilter"
	msg 4 | maildrop "$TMP/mailfilter" >/dev/null 2>"$TMP/md.err"
	is "maildroprc: exit 0, the message filed" "$? $(filed 4 && echo filed)" "0 filed"
	check "maildroprc: delivered to the queue's folder .desk.support" \
		"grep -l '^X-Mdesk-Queue: support' '$TMP'/Maildir/.desk.support/new/* >/dev/null"
	hold_lock 5
	before=$(find "$TMP/Maildir" -type f | wc -l)
	msg 5 | env MDESK_LOCK_TIMEOUT=1 maildrop "$TMP/mailfilter" >/dev/null 2>&1
	is "maildroprc: the desk busy: exit 75, nothing filed or delivered" \
		"$? $(($(find "$TMP/Maildir" -type f | wc -l) - before)) $(filed 5 || echo no)" "75 0 no"
	wait
else
	skip "maildroprc" "maildrop not installed"
fi

# ---------------------------------------------------------------- muttrc
# each macro's command, run as mutt's <pipe-message> runs it: sh -c with
# the message on the standard input; what the agent types at an open
# prompt is appended
macro() {	# macro KEY: the shell command of the macro bound to KEY
	grep -E "^macro index,pager \\\\e$1 " "$EX/muttrc" |
		sed -e "s/^[^']*'<pipe-message>//" -e "s/'.*//" -e 's/<enter>$//'
}
pipe() {	# pipe KEY TYPED MESSAGE-FILE TIME
	MDESK_NOW=$4 sh -c "$(macro "$1")$2" <"$3" >"$TMP/mutt.out" 2>"$TMP/mutt.err"
}
msg 6 | sed -e 's/^Subject: .*/Subject: A copy of my invoice/' -e 's/^From: .*/From: Ola Bello <ola@example.org>/' |
	mroute --now 2026-12-20T09:00:00Z >"$TMP/filed.eml"
id=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/filed.eml")
export MDESK_AGENT=bob
pipe c "" "$TMP/filed.eml" 2026-12-20T09:01:00Z
is "muttrc Esc-c: claims the ticket" "$? $(mdesk show --json "$id" | jq -r .claimed_by)" "0 bob"
pipe n "the customer is in Lagos" "$TMP/filed.eml" 2026-12-20T09:02:00Z
is "muttrc Esc-n: the typed note is on the ticket" \
	"$? $(jq -r 'select(.type == "note") | .text' "$D"/tickets/*/"$id"/events.jsonl)" "0 the customer is in Lagos"
rm -f "$TMP"/sent.*
pipe r "need-more-info" "$TMP/filed.eml" 2026-12-20T09:03:00Z
is "muttrc Esc-r: the answer is sent and recorded" \
	"$? $(ls "$TMP"/sent.* 2>/dev/null | wc -l | tr -d ' ') $(mdesk show --json "$id" | jq -r .replies)" "0 1 1"
pipe s "solved" "$TMP/filed.eml" 2026-12-20T09:04:00Z
is "muttrc Esc-s: the ticket is solved" "$? $(mdesk show --json "$id" | jq -r .status)" "0 solved"
check "muttrc Esc-v: shows the ticket" "sh -c \"\$(echo '$(macro v)' | sed 's/ | less//')\" <'$TMP/filed.eml' | grep -q '$id'"
if command -v mutt >/dev/null 2>&1; then
	HOME=$TMP mutt -n -F "$EX/muttrc" -Q wait_key </dev/null >/dev/null 2>"$TMP/mutt.err"
	is "muttrc: mutt reads it without an error" "$? $(cat "$TMP/mutt.err")" "0 "
else
	skip "muttrc: mutt reads it" "mutt not installed"
fi

# ---------------------------------------------------------------- systemd
if command -v systemd-analyze >/dev/null 2>&1; then
	# the units as installed, their commands in the staged tree
	mkdir -p "$TMP/units"
	for u in "$EX"/*.service "$EX"/*.timer; do
		sed "s|/usr/local/bin/|$S/usr/local/bin/|g" "$u" >"$TMP/units/${u##*/}"
	done
	(cd "$TMP/units" && systemd-analyze verify --man=no ./*.service ./*.timer) >"$TMP/sd.out" 2>&1
	is "systemd units: systemd-analyze verify finds nothing" "$? $(cat "$TMP/sd.out")" "0 "
else
	skip "systemd units" "no systemd-analyze"
fi

# ---------------------------------------------------------------- fetchmail
if command -v fetchmail >/dev/null 2>&1; then
	cp "$EX/fetchmailrc" "$TMP/fetchmailrc" && chmod 600 "$TMP/fetchmailrc"
	HOME=$TMP fetchmail -f "$TMP/fetchmailrc" --configdump >"$TMP/fm.out" 2>&1
	is "fetchmailrc: fetchmail reads it" "$?" 0
	check "fetchmailrc: mroute is the mda, the certificate checked" \
		"grep -q \"mda.*mroute --ack --desk /srv/desk\" '$TMP/fm.out' && grep -q \"sslcertck.*TRUE\" '$TMP/fm.out'"
else
	skip "fetchmailrc" "fetchmail not installed"
fi
# Postfix: the pipe service names the installed mroute
prog=$(sed -n 's/.*argv=\([^ ]*\).*/\1/p' "$EX/master.cf")
check "master.cf: the pipe runs the installed mroute ($prog)" "test -x '$S$prog'"
check "transport: every entry goes to the mdesk service of master.cf" \
	"grep -Ev '^(#|$)' '$EX/transport' | awk '\$2 != \"mdesk:\" { exit 1 }' && grep -q '^mdesk  *unix ' '$EX/master.cf'"
done_testing
