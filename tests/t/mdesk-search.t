#!/bin/sh
# mdesk search: words in subjects, decoded bodies, people, notes and tags,
# over the tickets of main and (--all) the archive; the filters; the index
# (.git/mdesk/search.sqlite) rebuilt when deleted or damaged, brought up
# to date after commits and a sync; hostile query text.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
export MDESK_DIR="$TMP/desk"
replica "$TMP/remote.git" "$MDESK_DIR"
route() { mroute --now "$2" <"$1" | sed -n 's/^X-Mdesk-Ticket: //p'; }
ids() { jq -r .id | tr '\n' ' '; }
s() { mdesk search -f json "$@" | ids; }

# A: KOI8-R, base64; "посылка" (parcel) only in the body
{
	cat <<'EOF2'
From: =?UTF-8?B?0JjQstCw0L0g0J/QtdGC0YDQvtCy?= <ivan.petrov@yandex.example>
To: support@lumen.example
Subject: =?UTF-8?B?0JLQvtC/0YDQvtGB?=
Date: Mon, 9 Nov 2026 09:00:00 +0300
Message-ID: <a1-ivan@yandex.example>
MIME-Version: 1.0
Content-Type: text/plain; charset=koi8-r
Content-Transfer-Encoding: base64

EOF2
	printf 'Здравствуйте! Моя посылка не пришла.\n' | iconv -f UTF-8 -t KOI8-R | base64
} >"$TMP/a.eml"
# B: quoted-printable Latin-1, HTML only
cat >"$TMP/b.eml" <<'EOF2'
From: =?ISO-8859-1?Q?Jo=E3o_Pereira?= <joao.pereira@uol.example>
To: support@lumen.example
Subject: Pedido LB-50300
Date: Mon, 9 Nov 2026 10:00:00 -0300
Message-ID: <b1-joao@uol.example>
MIME-Version: 1.0
Content-Type: text/html; charset=ISO-8859-1
Content-Transfer-Encoding: quoted-printable

<html><body><p>Gostaria de trocar o livro <b>Mem=F3rias</b>.</p><script>secretscript()</script></body></html>
EOF2
# C: plain English
cat >"$TMP/c.eml" <<'EOF2'
From: Margaret Hale <margaret.hale@example.com>
To: support@lumen.example
Subject: Signed copy of The Salt Road?
Date: Mon, 9 Nov 2026 17:00:00 +0000
Message-ID: <c1-margaret@example.com>

Is there a signed first edition of The Salt Road left?
EOF2
# D: to be archived
cat >"$TMP/d.eml" <<'EOF2'
From: Old Customer <old@example.net>
To: support@lumen.example
Subject: Broken zipper
Date: Mon, 2 Nov 2026 09:00:00 +0000
Message-ID: <d1-old@example.net>

The zipper of my backpack broke.
EOF2
A=$(route "$TMP/a.eml" 2026-11-09T06:00:05Z)
B=$(route "$TMP/b.eml" 2026-11-09T13:00:05Z)
C=$(route "$TMP/c.eml" 2026-11-09T17:00:05Z)
D=$(route "$TMP/d.eml" 2026-11-02T09:00:05Z)
check "four tickets" "test \$(printf '%s\n' $A $B $C $D | sort -u | grep -c .) -eq 4"

# ---------------------------------------------------------------- words
is "a word only in a base64 KOI8-R body" "$(s посылка)" "$A "
is "  ... in any case" "$(s ПОСЫЛКА)" "$A "
is "a word of quoted-printable HTML, accents folded" "$(s memorias)" "$B "
is "  ... a script of the HTML is no text" "$(s secretscript)" ""
is "a subject word" "$(s zipper)" "$D "
is "a phrase" "$(s '"salt road"')" "$C "
is "  ... not when the words are apart" "$(s '"signed road"')" ""
is "every word is required" "$(s salt zipper)" ""
is "a prefix" "$(s 'zipp*')" "$D "
is "a customer's name (RFC 2047)" "$(s joão)" "$B "
is "a customer's address" "$(s margaret.hale@example.com)" "$C "
is "a word that is nowhere" "$(s nowhere)" ""

# ---------------------------------------------------------------- notes, tags, filters
mdesk --as ana --now 2026-11-10T09:00:00Z note "$C" "customer asked about a fountain pen" >/dev/null
mdesk --as ana --now 2026-11-10T09:01:00Z tag "$A" courier-lost >/dev/null
mdesk --as ana --now 2026-11-10T09:02:00Z assign "$B" ana >/dev/null
mdesk --as ana --now 2026-11-10T09:03:00Z status "$C" pending >/dev/null
is "a note's word" "$(s fountain)" "$C "
is "a tag" "$(s courier-lost)" "$A "
is "--status" "$(s --status pending salt)" "$C "
is "--status, another" "$(s --status new salt)" ""
is "--assignee" "$(s --assignee ana memorias)" "$B "
is "--assignee, another" "$(s --assignee bob memorias)" ""
is "--unassigned" "$(s --unassigned memorias)" ""
is "--tag" "$(s --tag courier-lost посылка)" "$A "
is "--tag, another" "$(s --tag vip посылка)" ""
is "--queue" "$(s --queue support zipper)" "$D "
is "--since" "$(s --since 2026-11-05 zipper)" ""
is "--until" "$(s --until 2026-11-05 zipper)" "$D "
is "--since, a time" "$(s --since 2026-11-09T17:00:00Z salt)" "$C "

# ---------------------------------------------------------------- the archive
mdesk --as ana --now 2026-11-10T09:04:00Z status "$D" solved >/dev/null
mdesk --now 2026-11-10T09:05:00Z archive "$D" >/dev/null 2>&1
is "an archived ticket is not searched by default" "$(s zipper)" ""
is "  ... with --all it is" "$(s --all zipper)" "$D "
# the customer writes again: the ticket comes back to main (its archived
# copy stays): found once, as it is on main
cat >"$TMP/d2.eml" <<'EOF2'
From: Old Customer <old@example.net>
To: support@lumen.example
Subject: Re: Broken zipper
Date: Tue, 10 Nov 2026 10:00:00 +0000
Message-ID: <d2-old@example.net>
In-Reply-To: <d1-old@example.net>
References: <d1-old@example.net>

The zipper broke again.
EOF2
mroute --now 2026-11-10T10:00:05Z <"$TMP/d2.eml" >/dev/null
is "a ticket back from the archive: found on main" "$(s zipper)" "$D "
is "  ... and once with --all" "$(s --all zipper)" "$D "
is "  ... with its state on main" "$(mdesk search --all -f json zipper | jq -r .status)" "open"
is "  ... not by the status of its archived copy" "$(s --all --status solved zipper)" ""

# ---------------------------------------------------------------- output
mdesk search -f csv salt >"$TMP/out"
is "CSV: the columns of ls, one row" "$(head -1 "$TMP/out" | cut -d, -f1-3) $(grep -c "$C" "$TMP/out")" "id,status,priority 1"
mdesk search -f table salt >"$TMP/out"
is "table: the header of ls and the ticket" "$(head -1 "$TMP/out" | cut -c1-16) $(grep -c "^$C" "$TMP/out")" "ID        STATUS 1"

# ---------------------------------------------------------------- --limit
# every ticket has the desk's address in its To:
is "--limit 2: the two best" "$(mdesk search -f json --limit 2 support@lumen.example 2>"$TMP/err" | wc -l | tr -d ' ')" 2
is "  ... and one line that there are more" "$(cat "$TMP/err")" \
	"mdesk: search: the 2 best shown; there are more (--limit N, or 0 for all)"
is "--limit 0: every one" "$(mdesk search -f json --limit 0 support@lumen.example 2>"$TMP/err" | wc -l | tr -d ' ') $(cat "$TMP/err")" "4 "
is "--limit 4 with 4 found: no such line" "$(mdesk search -f json --limit 4 support@lumen.example 2>&1 >/dev/null)" ""
is "--limit 1 --tag: the limit after the tag" "$(s --limit 1 --tag courier-lost support@lumen.example)" "$A "
mdesk search --limit -1 salt >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--limit -1: exit 64, one line and the usage line" "$rc $(wc -l <"$TMP/err" | tr -d ' ')" "64 2"

# ---------------------------------------------------------------- the index
IX=$MDESK_DIR/.git/mdesk/search.sqlite
check "the index is in the desk's private folder" "test -s '$IX'"
is "  ... and not in git" "$(git -C "$MDESK_DIR" status --porcelain)" ""
rm -f "$IX"
is "an index deleted is built again" "$(s fountain)" "$C "
check "  ... and written" "test -s '$IX'"
printf 'not a database at all' >"$IX"
is "an index damaged is built again" "$(s fountain)" "$C "
head -c 3000 /dev/urandom >"$IX"
is "an index of random bytes is built again" "$(s --all zipper)" "$D "

# a note through another replica, synced: the index follows
mdesk sync >"$TMP/out" 2>&1 || cat "$TMP/out"
mdesk clone "$TMP/remote.git" "$TMP/r2" >"$TMP/out" 2>&1 || cat "$TMP/out"
mdesk --desk "$TMP/r2" --as bob --now 2026-11-10T10:00:00Z note "$A" "tracking number quokka" >/dev/null
mdesk --desk "$TMP/r2" sync >/dev/null 2>&1
is "before the sync, the other replica's note is not here" "$(s quokka)" ""
mdesk sync >/dev/null 2>&1
is "after a sync the index is up to date" "$(s quokka)" "$A "

# ---------------------------------------------------------------- hostile text
for q in "'; DROP TABLE doc; --" 'x" OR 1=1' 'NEAR(a b)' 'subject:zipper' '(' 'AND' '^zipper' 'a\b' '%_'; do
	mdesk search -f json "$q" >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "metacharacters are words: $q" "$rc $(wc -l <"$TMP/err")" "0 0"
done
is "  ... the index is whole after them" "$(s fountain)" "$C "
mdesk search --fts 'salt AND (road' >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--fts: a syntax error is one line, exit 65" "$rc $(wc -l <"$TMP/err")" "65 1"
check "  ... that says so" "grep -q '^mdesk: search: not an FTS5 query' '$TMP/err'"
is "--fts: operators" "$(s --fts 'salt OR nowhere')" "$C "
is "--fts: a column" "$(s --fts 'notes:fountain')" "$C "
for q in '' '*' '"' '" "'; do
	mdesk search "$q" >"$TMP/out" 2>"$TMP/err"; rc=$?
	is "no word to look for ($q): one line, exit 65" "$rc $(wc -l <"$TMP/err")" "65 1"
done
mdesk search >"$TMP/out" 2>"$TMP/err"; rc=$?
is "no query: exit 64" "$rc" 64
mdesk search --since soon salt >"$TMP/out" 2>"$TMP/err"; rc=$?
is "--since that is no date: exit 64" "$rc" 64

# a file of tickets/ that is no ticket folder is passed over
printf 'x\n' >"$MDESK_DIR/tickets/README"
git -C "$MDESK_DIR" add tickets/README && git -C "$MDESK_DIR" commit -qm "a stray file"
s salt >/dev/null
ino=$(ls -i "$IX" | cut -d' ' -f1)
mdesk --as ana --now 2026-11-10T11:00:00Z note "$B" "the wombat edition" >/dev/null
is "a stray file in tickets/: the index still follows" "$(s wombat)" "$B "
is "  ... brought up to date, not built again" "$(ls -i "$IX" | cut -d' ' -f1)" "$ino"
# ---------------------------------------------------------------- the writers keep it current
# the key of main the index holds, against main's tickets/ tree
ixkey() { sqlite3 "file:$IX?mode=ro" "SELECT v FROM meta WHERE k = 'main'" 2>/dev/null; }
tkey() { git -C "$MDESK_DIR" rev-parse main:tickets; }
# a customer's mail, delivered here and below, altered, while a build runs
cat >"$TMP/e.eml" <<'EOF2'
From: Nadia Rahman <nadia@example.org>
To: support@lumen.example
Subject: A marmoset on the cover
Date: Tue, 10 Nov 2026 11:20:00 +0000
Message-ID: <e1-nadia@example.org>

Is the marmoset edition in stock?
EOF2
if command -v sqlite3 >/dev/null 2>&1; then
	s salt >/dev/null
	mdesk --as ana --now 2026-11-10T11:10:00Z note "$C" "the okapi binding" >/dev/null
	is "a note: the writer brings the index up to its commit" "$(ixkey)" "$(tkey)"
	mdesk --as ana --now 2026-11-10T11:11:00Z tag "$C" okapi >/dev/null
	is "  ... a tag" "$(ixkey)" "$(tkey)"
	E=$(route "$TMP/e.eml" 2026-11-10T11:20:05Z)
	is "  ... a delivery" "$(ixkey)" "$(tkey)"
	is "  ... and it is found" "$(s marmoset)" "$E "
	printf 'The axolotl edition ships on Monday.\n' >"$TMP/answer"
	mreply --as ana --force --record --now 2026-11-10T11:25:00Z --ticket "$E" -t answer \
		--text "$TMP/answer" >/dev/null 2>"$TMP/err"
	is "  ... a reply recorded by mreply" "$(ixkey) $(cat "$TMP/err")" "$(tkey) "
	is "  ... and its words found" "$(s axolotl)" "$E "
else
	for t in "a note: the writer brings the index up to its commit" "  ... a tag" \
	    "  ... a delivery" "  ... and it is found" "  ... a reply recorded by mreply" \
	    "  ... and its words found"; do
		skip "$t" "no sqlite3 command"
	done
fi
rm -f "$IX"
mdesk --as ana --now 2026-11-10T11:21:00Z note "$C" "no index to keep" >/dev/null
check "a writer does not build an index that is not there" "test ! -e '$IX'"

# a build does not hold the desk: a delivery meanwhile is filed at once,
# and found once the build is done (the next search catches up)
MDESK_TEST_SEARCH_BUILD_DELAY=4 mdesk search -f json salt >"$TMP/build.out" 2>"$TMP/build.err" &
bpid=$!
i=0
while [ ! -e "$IX.new" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
check "the build is under way" "test -e '$IX.new' && test ! -e '$IX'"
sed 's/e1-nadia/f1-nadia/; s/marmoset/capybara/g' "$TMP/e.eml" >"$TMP/f.eml"
MDESK_LOCK_TIMEOUT=1 mroute --now 2026-11-10T11:30:05Z <"$TMP/f.eml" >"$TMP/out" 2>"$TMP/err"; rc=$?
is "  ... a delivery meanwhile: exit 0, no wait for the desk lock" "$rc $(cat "$TMP/err")" "0 "
F=$(sed -n 's/^X-Mdesk-Ticket: //p' "$TMP/out")
check "  ... the build still under way after it" "kill -0 $bpid && test ! -e '$IX'"
wait "$bpid"; rc=$?
is "  ... the search that built it answers" "$rc $(jq -r .id <"$TMP/build.out") $(cat "$TMP/build.err")" "0 $C "
is "  ... the delivery is found afterwards" "$(s capybara)" "$F "
check "  ... no file of the build is left" "test ! -e '$IX.new'"

# deliveries, notes and searches at once, the index built meanwhile: at
# the end it holds every one of them
rm -f "$IX"
pids=
for k in 1 2 3 4 5; do
	sed "s/e1-nadia/g$k-nadia/; s/marmoset/lemur$k/g" "$TMP/e.eml" >"$TMP/g$k.eml"
	mroute --now 2026-11-10T12:0$k:05Z <"$TMP/g$k.eml" >/dev/null 2>"$TMP/g$k.err" &
	pids="$pids $!"
	mdesk search -f json salt >/dev/null 2>>"$TMP/g.err" &
	pids="$pids $!"
done
mdesk --as ana --now 2026-11-10T12:10:00Z note "$C" "the pangolin binding" >/dev/null 2>>"$TMP/g.err" &
pids="$pids $!"
rc=0
for p in $pids; do wait "$p" || rc=$?; done
is "at once: every command exits 0, nothing on stderr" "$rc $(cat "$TMP"/g*.err)" "0 "
is "  ... and the index finds each delivery" \
	"$(mdesk search -f json --fts 'lemur1 OR lemur2 OR lemur3 OR lemur4 OR lemur5' 2>&1 | wc -l | tr -d ' ')" 5
is "  ... and the note" "$(s pangolin)" "$C "
done_testing
