#!/bin/sh
# A malicious or broken remote: commits pushed with plain git that hold
# symbolic links, submodules (gitlinks, .gitmodules), executable files or
# paths outside the desk's layout.  mdesk sync and mdesk clone refuse them
# (exit 65, the path named, the desk unchanged); the tools never read a
# desk file through a link.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"

R="$TMP/remote.git" A="$TMP/a" E="$TMP/evil"
replica "$R" "$A"
printf 'From: Vera <vera@customer.example>\nTo: support@lumen.example\nSubject: hello\nMessage-ID: <h1@customer.example>\nDate: Mon, 2 Nov 2026 09:00:00 +0000\n\nHi.\n' |
	MDESK_DIR=$A mroute --now 2026-11-02T09:00:00Z >/dev/null
mdesk --desk "$A" sync >/dev/null 2>&1
git clone -q -b main "$R" "$E"
good=$(git -C "$R" rev-parse main)
export MDESK_DIR=$A
state() {	# what must not change: the branches, the tracking refs, the files
	git -C "$A" for-each-ref --format='%(refname) %(objectname)'
	git -C "$A" status --porcelain
	find "$A" -path "$A/.git" -prune -o -print | sort | md5sum
}
evil() {	# evil DESC PATH-ERE SETUP...: a commit made by SETUP in E, pushed; sync and clone refuse
	_d=$1 _p=$2; shift 2
	git -C "$E" reset -q --hard "$good"
	( cd "$E" && eval "$@" ) >/dev/null 2>&1
	git -C "$E" commit -qam "$_d" >/dev/null 2>&1 || git -C "$E" commit -qm "$_d" >/dev/null
	git -C "$E" push -qf origin HEAD:main 2>/dev/null
	_s=$(state)
	mdesk sync >"$TMP/out" 2>"$TMP/err"; _rc=$?
	is "$_d: sync exits 65 naming the path" "$_rc:$(grep -Ec "^mdesk: $_p: " "$TMP/err")" "65:1"
	is "... the desk unchanged" "$(state)" "$_s"
	rm -rf "$TMP/c"
	mdesk clone "$R" "$TMP/c" >"$TMP/out" 2>"$TMP/err"; _rc=$?
	is "... clone exits 65 naming the path, leaves nothing" "$_rc:$(grep -Ec "^mdesk: $_p: " "$TMP/err"):$(ls -A "$TMP/c" 2>/dev/null)" "65:1:"
	mkdir "$TMP/c"
	mdesk clone "$R" "$TMP/c" >"$TMP/out" 2>"$TMP/err"; _rc=$?
	is "... into an empty folder: exits 65, the folder kept empty" "$_rc:$(ls -A "$TMP/c" 2>/dev/null):$(test -d "$TMP/c" && echo kept)" "65::kept"
}
evil "a symbolic link to /etc/passwd" "passwd-link" 'ln -s /etc/passwd passwd-link && git add passwd-link'
evil "a ticket shard that is a link to /tmp" "tickets/ZZ" 'ln -s /tmp tickets/ZZ && git add tickets/ZZ'
evil "a file where a ticket shard goes" "tickets/ZZ" 'echo x >tickets/ZZ && git add tickets/ZZ'
evil "a template that is a link" "templates/ack.txt" 'rm templates/ack.txt && ln -s ../../../../etc/hostname templates/ack.txt && git add -A templates'
evil "a gitlink" "vendor" "git update-index --add --cacheinfo 160000,$good,vendor"
evil "a .gitmodules" "\\.gitmodules" 'printf "[submodule \"x\"]\n\tpath = x\n\turl = ../x\n" >.gitmodules && git add .gitmodules'
evil "an executable desk.conf" "desk.conf" 'chmod +x desk.conf && git update-index --chmod=+x desk.conf'
evil "a file outside the layout" "notes/todo.sh" 'mkdir notes && echo "rm -rf ~" >notes/todo.sh && git add notes'
evil "a ticket folder with an unknown file" "tickets/../[0-9A-Z]*/run" 'd=$(ls -d tickets/*/* | head -1) && echo x >$d/run && git add $d/run'
git -C "$E" reset -q --hard "$good"
git -C "$E" push -qf origin HEAD:main 2>/dev/null
mdesk sync >"$TMP/out" 2>"$TMP/err"
is "with the remote mended, sync goes through" "$?:$(cat "$TMP/err")" "0:"
rm -rf "$TMP/c"
mdesk clone "$R" "$TMP/c" >/dev/null 2>"$TMP/err"
is "... and clone" "$?:$(cat "$TMP/err")" "0:"

# ------------------------------------------------------------ no desk file read through a link
T=$(mdesk ls --format json | jq -r .id | head -1)
cp "$A/templates/answer.txt" "$TMP/answer.txt"
{ cat "$TMP/answer.txt"; echo "Dear customer, the secret is 42."; } >"$TMP/outside.txt"
ln -sf "$TMP/outside.txt" "$A/templates/answer.txt"
mreply --as ana --now 2026-11-02T10:00:00Z --ticket "$T" -t answer >"$TMP/out" 2>"$TMP/err"; rc=$?
is "a template that is a symbolic link is not read" "$(test "$rc" -ne 0 && echo refused):$(grep -c secret "$TMP/out")" "refused:0"
cp "$TMP/answer.txt" "$A/templates/answer.txt.new" && mv "$A/templates/answer.txt.new" "$A/templates/answer.txt"
mkdir -p "$TMP/elsewhere"
cp "$A/templates/answer.txt" "$TMP/elsewhere/answer.txt"
echo "Dear customer, the secret is 42." >>"$TMP/elsewhere/answer.txt"
mv "$A/templates" "$TMP/templates.real"
ln -s "$TMP/elsewhere" "$A/templates"
mreply --as ana --now 2026-11-02T10:00:00Z --ticket "$T" -t answer >"$TMP/out" 2>"$TMP/err"; rc=$?
is "nor one under a folder that is a link" "$(test "$rc" -ne 0 && echo refused):$(grep -c secret "$TMP/out")" "refused:0"
rm "$A/templates"
mv "$TMP/templates.real" "$A/templates"
cp "$A/agents.csv" "$TMP/agents.csv"
rm "$A/agents.csv"
ln -s "$TMP/agents.csv" "$A/agents.csv"
mdesk check >"$TMP/out" 2>"$TMP/err"
is "mdesk check: agents.csv that is a link is not read" "$?:$(grep -c '^mdesk: agents.csv:0: missing' "$TMP/err")" "78:1"
rm "$A/agents.csv"
cp "$TMP/agents.csv" "$A/agents.csv"
check "with the plain file back, mdesk check ok" "mdesk check"
done_testing
