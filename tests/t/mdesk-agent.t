#!/bin/sh
# mdesk agent ls, add, set: agents.csv rewritten and committed, still
# valid; refusals; uncommitted hand edits left alone.
. "$(dirname "$0")/../lib.sh"

# ---------------------------------------------------------------- a desk
. "$(dirname "$0")/../desklib.sh"
export MDESK_DIR="$TMP/desk"
newdesk "$MDESK_DIR"
AC=$MDESK_DIR/agents.csv
cp "$AC" "$TMP/agents.orig"
ncomments=$(grep -c '^#' "$AC")
comments() { sed -n "1,${ncomments}p" "$AC"; }
row() { grep "^$1," "$AC"; }

# ---------------------------------------------------------------- ls
mdesk agent ls --format json >"$TMP/ls.json"; rc=$?
is "agent ls --format json: exit 0" "$rc" 0
is "agent ls: the five agents of the example, in file order" "$(jq -r .login "$TMP/ls.json" | tr '\n' ' ')" "ana bob chen dmitri farah "
is "agent ls json: every field of the file" "$(jq -c 'select(.login == "ana")' "$TMP/ls.json")" \
	'{"login":"ana","name":"Ana Ribeiro","email":"ana.ribeiro@lumen.example","groups":"support;billing","skills":"refunds;shipping","languages":"pt;en","capacity":20,"status":"active","calendar":"support-br"}'
check "agent ls: the default off a terminal is json" "mdesk agent ls | cmp -s - '$TMP/ls.json'"
check "agent ls --format csv: the file itself, comments included" "mdesk agent ls --format csv | cmp -s - '$AC'"
mdesk agent ls --format table >"$TMP/out"
is "agent ls --format table: header and five lines" "$(wc -l <"$TMP/out" | tr -d ' ')" 6
check "agent ls --format table: a row" "grep -q '^chen  *Chen Wei  *away  *15  *en  *support\$' '$TMP/out'"
refused "agent ls --format xml: exit 64" 64 "unknown format" mdesk agent ls --format xml
refused "agent with no subcommand: exit 64" 64 usage mdesk --as ana agent
refused "agent frob: exit 64" 64 usage mdesk --as ana agent frob x

# ---------------------------------------------------------------- add
w "agent add gabriel with fields (a name with a comma, two groups)" mdesk --as ana --now 2026-11-03T09:00:00Z agent add gabriel \
	'name=Gabriel Souza, Jr.' email=gabriel.souza@lumen.example 'groups=support;sales' skills=wholesale 'languages=pt;en' capacity=12 calendar=support-br
is "  ... the new row, quoted where needed" "$(row gabriel)" \
	'gabriel,"Gabriel Souza, Jr.",gabriel.souza@lumen.example,support;sales,wholesale,pt;en,12,active,support-br'
is "  ... appended: the other rows as they were" "$(grep -v '^gabriel,' "$AC" | cmp -s - "$TMP/agents.orig" && echo same)" same
is "  ... the leading comments kept" "$(comments)" "$(sed -n "1,${ncomments}p" "$TMP/agents.orig")"
is "  ... the commit: by ana, 'agent gabriel added', at --now" \
	"$(git -C "$MDESK_DIR" log -1 --format='%an <%ae>|%s|%aI')" "Ana Ribeiro <ana.ribeiro@lumen.example>|agent gabriel added|2026-11-03T09:00:00+00:00"
is "  ... only agents.csv changed" "$(git -C "$MDESK_DIR" show --name-only --format= HEAD)" agents.csv
check "  ... mdesk check: ok" "mdesk check"
is "  ... agent ls reads it back" "$(mdesk agent ls --format json | jq -c 'select(.login == "gabriel") | [.name,.groups,.capacity,.status]')" \
	'["Gabriel Souza, Jr.","support;sales",12,"active"]'
w "the new agent may act" mdesk --as gabriel --now 2026-11-03T09:01:00Z agent add hana email=hana.sato@lumen.example
is "  ... by gabriel (git drops the final dot of a name)" "$(git -C "$MDESK_DIR" log -1 --format='%an <%ae>|%s')" 'Gabriel Souza, Jr <gabriel.souza@lumen.example>|agent hana added'
is "  ... defaults: name = login, active, no capacity, empty fields" \
	"$(mdesk agent ls --format json | jq -c 'select(.login == "hana") | [.name,.email,.groups,.skills,.languages,.capacity,.status]')" \
	'["hana","hana.sato@lumen.example","","","",null,"active"]'
check "  ... mdesk check: ok" "mdesk check"
refused "agent add of an existing login: exit 65" 65 "^mdesk: agent 'bob' exists; use mdesk agent set" \
	mdesk --as ana --now 2026-11-03T09:02:00Z agent add bob email=bob2@lumen.example
refused "agent add of a login that differs only in case: exit 64 (logins are lower-case)" 64 "login 'Bob' must be" \
	mdesk --as ana --now 2026-11-03T09:02:00Z agent add Bob email=bob2@lumen.example
for bad in 'Iris K' '.iris' '-iris' 'íris' "$(printf '%033d' 0 | tr 0 i)" ''; do
	refused "agent add '$bad': exit 64" 64 "login '.*' must be 1-32 of a-z 0-9" \
		mdesk --as ana --now 2026-11-03T09:03:00Z agent add -- "$bad" email=iris@lumen.example
done
refused "agent add without email: exit 64" 64 "an agent needs email=ADDRESS" mdesk --as ana --now 2026-11-03T09:04:00Z agent add iris name=Iris
refused "agent add with email=iris (no @): exit 64" 64 "an agent needs email=ADDRESS" mdesk --as ana --now 2026-11-03T09:04:00Z agent add iris email=iris
refused "agent add with an unknown field: exit 64" 64 "'colour': not a field" mdesk --as ana --now 2026-11-03T09:04:00Z agent add iris email=iris@lumen.example colour=blue
refused "agent add with a word that is not FIELD=VALUE: exit 64" 64 "want FIELD=VALUE" mdesk --as ana --now 2026-11-03T09:04:00Z agent add iris email=iris@lumen.example blue
refused "agent add with capacity=many: exit 64" 64 "capacity" mdesk --as ana --now 2026-11-03T09:04:00Z agent add iris email=iris@lumen.example capacity=many
refused "agent add with capacity=-1: exit 64" 64 "capacity" mdesk --as ana --now 2026-11-03T09:04:00Z agent add iris email=iris@lumen.example capacity=-1
refused "agent add with a line break in a field: exit 64" 64 "line break" mdesk --as ana --now 2026-11-03T09:04:00Z agent add iris email=iris@lumen.example "name=$(printf 'Iris\nKim')"
refused "agent add with status=retired (agents.csv would be invalid): exit 65" 65 "refusing to write an invalid agents.csv" \
	mdesk --as ana --now 2026-11-03T09:04:00Z agent add iris email=iris@lumen.example status=retired
h=$(head_id)
refused "agent add with a calendar that does not exist (check would fail): exit 65" 65 "calendar" \
	mdesk --as ana --now 2026-11-03T09:04:00Z agent add owl email=owl@lumen.example calendar=night-shift
git -C "$MDESK_DIR" reset -q --hard "$h"	# in case it was not refused
refused "agent add without an acting agent: exit 64" 64 "who is acting" mdesk --now 2026-11-03T09:04:00Z agent add iris email=iris@lumen.example
check "after the refusals: mdesk check ok" "mdesk check"

# ---------------------------------------------------------------- set
w "agent set bob status=away capacity= (no limit)" mdesk --as dmitri --now 2026-11-03T10:00:00Z agent set bob status=away capacity=
is "  ... the row" "$(row bob)" "bob,Bob Marsh,bob.marsh@lumen.example,support;sales,,en,,away,support-eu"
is "  ... the commit: by dmitri, 'agent bob changed'" "$(git -C "$MDESK_DIR" log -1 --format='%an|%s')" "Dmitri Orlov|agent bob changed"
is "  ... row order and comments kept" "$(cut -d, -f1 "$AC" | grep -v '^#' | tr '\n' ' ')" "login ana bob chen dmitri farah gabriel hana "
is "  ... the comments" "$(comments)" "$(sed -n "1,${ncomments}p" "$TMP/agents.orig")"
is "  ... agent ls: capacity null" "$(mdesk agent ls | jq -c 'select(.login == "bob") | [.status,.capacity]')" '["away",null]'
w "agent set a name with quotes and an address with a comma in skills" mdesk --as ana --now 2026-11-03T10:01:00Z agent set chen \
	'name=Chen "CW" Wei' 'skills=accounts,refunds'
is "  ... quotes doubled, fields quoted" "$(row chen)" 'chen,"Chen ""CW"" Wei",chen.wei@lumen.example,support,"accounts,refunds",en,15,away,'
is "  ... read back the same" "$(mdesk agent ls | jq -c 'select(.login == "chen") | [.name,.skills]')" '["Chen \"CW\" Wei","accounts,refunds"]'
check "  ... mdesk check: ok" "mdesk check"
w "agent set a name in Persian" mdesk --as farah --now 2026-11-03T10:02:00Z agent set farah 'name=فرح کریمی'
is "  ... read back" "$(mdesk agent ls | jq -r 'select(.login == "farah") | .name')" 'فرح کریمی'
w "the acting agent changes their own email" mdesk --as ana --now 2026-11-03T10:03:00Z agent set ana email=ana@lumen.example
is "  ... the commit has the new address" "$(git -C "$MDESK_DIR" log -1 --format='%an <%ae>')" "Ana Ribeiro <ana@lumen.example>"
refused "agent set of an unknown login: exit 65" 65 "^mdesk: agent 'zoe' is not in agents.csv" mdesk --as ana --now 2026-11-03T10:04:00Z agent set zoe status=away
refused "agent set without fields: exit 64" 64 usage mdesk --as ana --now 2026-11-03T10:04:00Z agent set bob
refused "agent set status=retired: exit 65" 65 "refusing to write an invalid agents.csv" mdesk --as ana --now 2026-11-03T10:04:00Z agent set bob status=retired
h=$(head_id)
refused "agent set calendar=night-shift (no calendars/night-shift.conf): exit 65" 65 "calendar" \
	mdesk --as ana --now 2026-11-03T10:04:00Z agent set bob calendar=night-shift
git -C "$MDESK_DIR" reset -q --hard "$h"	# in case it was not refused
check "mdesk check: ok" "mdesk check"

# ---------------------------------------------------------------- hand edits
printf 'iris,Iris Kim,iris.kim@lumen.example,support,,en,5,active,\n' >>"$AC"
cp "$AC" "$TMP/agents.hand"
n0=$(commits)
mdesk --as ana --now 2026-11-03T11:00:00Z agent add jun email=jun@lumen.example >"$TMP/out" 2>"$TMP/err"; rc=$?
is "agent add over an uncommitted edit of agents.csv: exit 75" "$rc" 75
check "  ... says why" "grep -q '^mdesk: agents.csv has changes that are not committed' '$TMP/err'"
check "  ... the file is left alone" "cmp -s '$AC' '$TMP/agents.hand'"
is "  ... no commit" "$(commits)" "$n0"
is "  ... git status: agents.csv modified, as before" "$(porcelain)" " M agents.csv"
mdesk --as ana --now 2026-11-03T11:00:00Z agent set bob status=active >"$TMP/out" 2>"$TMP/err"; rc=$?
is "agent set over it: exit 75, the file left alone" "$rc $(cmp -s "$AC" "$TMP/agents.hand" && echo same)" "75 same"
git -C "$MDESK_DIR" commit -qm 'iris joins' agents.csv
w "committed, agent add works" mdesk --as iris --now 2026-11-03T11:01:00Z agent add jun email=jun@lumen.example
is "  ... iris's row and jun's" "$(tail -2 "$AC" | cut -d, -f1 | tr '\n' ' ')" "iris jun "
sed 's/^dmitri,\(.*\),15,active,/dmitri,\1,lots,active,/' "$AC" >"$TMP/bad" && cat "$TMP/bad" >"$AC" && git -C "$MDESK_DIR" commit -qm 'typo' agents.csv
refused "a committed agents.csv with errors: agent set exits 78" 78 "agents.csv" mdesk --as ana --now 2026-11-03T11:02:00Z agent set bob status=active
refused "  ... and so does every write that needs the agent" 78 "agents.csv" mdesk --as ana --now 2026-11-03T11:02:00Z agent add kai email=kai@lumen.example

done_testing
