#!/bin/sh
# completions/: what bash, zsh and fish offer at a TAB, on a desk with an
# open and a solved ticket.  bash runs the completion function as it does
# at a prompt (COMP_WORDS, COMPREPLY); fish answers `complete -C`; zsh
# loads the completion file with the completion system's own functions
# (_arguments, _wanted, _describe, _call_program) replaced by ones that
# print what they are given.  A shell that is not installed skips.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../desklib.sh"
C=$TOP/completions
D=$TMP/desk
newdesk "$D"
file() {	# file N SUBJECT: a message of its own, filed; prints its ticket
	sed -e "s/^Message-ID: .*/Message-ID: <comp-$1@example.com>/" -e "s/^Subject: .*/Subject: $2/" \
		-e "s/^From: .*/From: Customer $1 <c$1@example.org>/" "$DATA/mail/single.eml" |
		mroute --desk "$D" --now "2026-11-0$1T09:00:00Z" | sed -n 's/^X-Mdesk-Ticket: //p'
}
open=$(file 2 "Where is my parcel")
solved=$(file 3 "Refund for order 12")
mdesk --desk "$D" --as ana --now 2026-11-04T10:00:00Z status "$solved" solved
templates=$(ls "$D/templates" | sed 's/\..*//' | sort -u | tr '\n' ' ')
ids=$(printf '%s\n' "$open" "$solved" | sort | tr '\n' ' ')
is "the desk: two tickets, one solved" "$(mdesk --desk "$D" ls -A --format json | jq -r .status | sort | tr '\n' ' ')" "new solved "
sorted() { grep . | sort -u | tr '\n' ' '; }
rules=$(sed -n 's/^\[rule \(.*\)\]$/\1/p' "$D/automations.conf" | sorted)
commands=$(mdesk help | sed -n 's/^  \([a-z]*\) .*/\1/p' | sorted)
calendars=$(ls "$D/calendars" | sed 's/\.conf$//' | sorted)
agents=$(sed -n '/^login,/,$p' "$D/agents.csv" | sed 1d | cut -d, -f1 | sorted)
queues=$(sed -n 's/^\[queue \(.*\)\]$/\1/p' "$D/desk.conf" | sorted)
# B: a bare desk, a clone of D: no working tree, the files on its branch
# main; the completions offer the same as on D
B=$TMP/bare.git
mdesk clone --bare "$D" "$B" >/dev/null 2>&1
check "a bare clone of the desk, no desk.conf on the disk" \
	"[ -f '$B/HEAD' ] && [ ! -e '$B/desk.conf' ] && [ ! -e '$B/templates' ] && mdesk --desk '$B' check"
is "the desk has templates, calendars, rules, agents and queues" \
	"$(for v in "$templates" "$calendars" "$rules" "$agents" "$queues"; do [ -n "$v" ] && echo y; done | wc -l)" 5

# ---------------------------------------------------------------- bash
if command -v bash >/dev/null 2>&1; then
	bcomp() {	# bcomp FILE WORD...: COMPREPLY for the last word
		bash -c '
			f=$1; shift
			source "$f" || exit 1
			COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
			"_${1}"
			printf "%s\n" "${COMPREPLY[@]}"' bash "$@" 2>/dev/null
	}
	is "bash: mreply -t <TAB> offers the templates" \
		"$(bcomp "$C/mreply.bash" mreply --desk "$D" -t '' | sorted)" "$templates"
	is "bash: mdesk show <TAB> offers every ticket, the solved one too" \
		"$(bcomp "$C/mdesk.bash" mdesk --desk "$D" show '' | sorted)" "$ids"
	is "bash: mdesk archive <TAB> offers only the solved and closed" \
		"$(bcomp "$C/mdesk.bash" mdesk --desk "$D" archive '' | grep -v '^-' | sorted)" "$solved "
	is "bash: mdesk search --s<TAB> offers --since and --status" \
		"$(bcomp "$C/mdesk.bash" mdesk --desk "$D" search --s | sorted)" "--since --status "
	is "bash: mdesk search --status <TAB> offers the statuses" \
		"$(bcomp "$C/mdesk.bash" mdesk --desk "$D" search --status '' | sorted)" "closed new on-hold open pending solved "
	is "bash: mdesk <TAB> offers every command of mdesk help" \
		"$(bcomp "$C/mdesk.bash" mdesk '' | sorted)" "$commands"
	is "bash: mdesk automate --<TAB> offers --dry-run and --explain" \
		"$(bcomp "$C/mdesk.bash" mdesk --desk "$D" automate -- | grep -e dry -e explain | sorted)" "--dry-run --explain "
	is "bash: mdesk automate --rule <TAB> offers the rules of automations.conf" \
		"$(bcomp "$C/mdesk.bash" mdesk --desk "$D" automate --rule '' | sorted)" "$rules"
	is "bash: mroute --a<TAB> offers --ack and --at-date once each" \
		"$(bcomp "$C/mroute.bash" mroute --a | tr '\n' ' ')" "--ack --at-date "
	is "bash: bare desk: mreply -t <TAB> offers the templates" \
		"$(bcomp "$C/mreply.bash" mreply --desk "$B" -t '' | sorted)" "$templates"
	is "bash: bare desk (MDESK_DIR): mreply --as <TAB> offers the agents" \
		"$(MDESK_DIR=$B bcomp "$C/mreply.bash" mreply --as '' | sorted)" "$agents"
	is "bash: bare desk (the current directory): mreply --template=<TAB> offers the templates" \
		"$(cd "$B/refs" && bcomp "$C/mreply.bash" mreply --template= | sed 's/^--template=//' | sorted)" "$templates"
	is "bash: bare desk: mdesk automate --rule <TAB> offers the rules" \
		"$(bcomp "$C/mdesk.bash" mdesk --desk "$B" automate --rule '' | sorted)" "$rules"
	is "bash: bare desk: mdesk agent set ana calendar=<TAB> offers the calendars" \
		"$(bcomp "$C/mdesk.bash" mdesk --desk "$B" agent set ana calendar= | sed 's/^calendar=//' | sorted)" "$calendars"
	is "bash: desk: mdesk agent set ana calendar=<TAB> offers the calendars" \
		"$(bcomp "$C/mdesk.bash" mdesk --desk "$D" agent set ana calendar= | sed 's/^calendar=//' | sorted)" "$calendars"
	is "bash: bare desk: mdesk assign ID <TAB> offers the agents" \
		"$(bcomp "$C/mdesk.bash" mdesk --desk "$B" assign "$open" '' | sorted)" "$agents"
	is "bash: bare desk: msla --assignee <TAB> offers the agents" \
		"$(bcomp "$C/msla.bash" msla --desk "$B" --assignee '' | grep -vx -- - | sorted)" "$agents"
	is "bash: bare desk: mreply --ticket <TAB> offers the tickets" \
		"$(bcomp "$C/mreply.bash" mreply --desk "$B" --ticket '' | sorted)" "$ids"
	is "bash: bare desk: msla --explain <TAB> offers the tickets" \
		"$(bcomp "$C/msla.bash" msla --desk "$B" --explain '' | sorted)" "$ids"
	is "bash: desk: msla --explain <TAB> offers the tickets" \
		"$(bcomp "$C/msla.bash" msla --desk "$D" --explain '' | sorted)" "$ids"
	is "bash: bare desk: msla --queue <TAB> offers the queues" \
		"$(bcomp "$C/msla.bash" msla --desk "$B" --queue '' | sorted)" "$queues"
	is "bash: bare desk: mroute --queue <TAB> offers the queues" \
		"$(bcomp "$C/mroute.bash" mroute --desk "$B" --queue '' | sorted)" "$queues"
else
	skip "bash completions" "bash not installed"
fi

# ---------------------------------------------------------------- fish
if command -v fish >/dev/null 2>&1; then
	fcomp() {	# fcomp FILE LINE: the candidates fish offers, without descriptions
		HOME=$TMP fish --no-config -c 'source $argv[1]; complete -C $argv[2]' "$@" 2>/dev/null | cut -f1
	}
	is "fish: mreply -t <TAB> offers the templates" \
		"$(fcomp "$C/mreply.fish" "mreply --desk $D -t " | sorted)" "$templates"
	is "fish: mdesk show <TAB> offers every ticket, the solved one too" \
		"$(fcomp "$C/mdesk.fish" "mdesk --desk $D show " | sorted)" "$ids"
	is "fish: mdesk search --s<TAB> offers --since and --status" \
		"$(fcomp "$C/mdesk.fish" "mdesk --desk $D search --s" | sorted)" "--since --status "
	is "fish: mdesk <TAB> offers every command of mdesk help" \
		"$(fcomp "$C/mdesk.fish" "mdesk " | grep -v '^-' | sorted)" "$commands"
	is "fish: mdesk automate --<TAB> offers --dry-run and --explain" \
		"$(fcomp "$C/mdesk.fish" "mdesk --desk $D automate --" | grep -e dry -e explain | sorted)" "--dry-run --explain "
	is "fish: mdesk automate --rule <TAB> offers the rules of automations.conf" \
		"$(fcomp "$C/mdesk.fish" "mdesk --desk $D automate --rule " | sorted)" "$rules"
	is "fish: mroute --a<TAB> offers --ack and --at-date" \
		"$(fcomp "$C/mroute.fish" "mroute --a" | tr '\n' ' ')" "--ack --at-date "
	is "fish: bare desk: mreply -t <TAB> offers the templates" \
		"$(fcomp "$C/mreply.fish" "mreply --desk $B -t " | sorted)" "$templates"
	is "fish: bare desk (MDESK_DIR): mreply --as <TAB> offers the agents" \
		"$(MDESK_DIR=$B fcomp "$C/mreply.fish" "mreply --as " | sorted)" "$agents"
	is "fish: bare desk (the current directory): mreply -t <TAB> offers the templates" \
		"$(cd "$B/refs" && fcomp "$C/mreply.fish" "mreply -t " | sorted)" "$templates"
	is "fish: bare desk: mdesk automate --rule <TAB> offers the rules" \
		"$(fcomp "$C/mdesk.fish" "mdesk --desk $B automate --rule " | sorted)" "$rules"
	is "fish: bare desk: mdesk agent set ana calendar=<TAB> offers the calendars" \
		"$(fcomp "$C/mdesk.fish" "mdesk --desk $B agent set ana calendar=" | sed 's/^calendar=//' | sorted)" "$calendars"
	is "fish: desk: mdesk agent set ana calendar=<TAB> offers the calendars" \
		"$(fcomp "$C/mdesk.fish" "mdesk --desk $D agent set ana calendar=" | sed 's/^calendar=//' | sorted)" "$calendars"
	is "fish: bare desk: msla --assignee <TAB> offers the agents" \
		"$(fcomp "$C/msla.fish" "msla --desk $B --assignee " | grep -vx -- - | sorted)" "$agents"
	is "fish: bare desk: mreply --ticket <TAB> offers the tickets" \
		"$(fcomp "$C/mreply.fish" "mreply --desk $B --ticket " | sorted)" "$ids"
	is "fish: bare desk: msla --explain <TAB> offers the tickets" \
		"$(fcomp "$C/msla.fish" "msla --desk $B --explain " | sorted)" "$ids"
	is "fish: desk: msla --explain <TAB> offers the tickets" \
		"$(fcomp "$C/msla.fish" "msla --desk $D --explain " | sorted)" "$ids"
	is "fish: bare desk: msla --queue <TAB> offers the queues" \
		"$(fcomp "$C/msla.fish" "msla --desk $B --queue " | sorted)" "$queues"
	is "fish: bare desk: mroute --queue <TAB> offers the queues" \
		"$(fcomp "$C/mroute.fish" "mroute --desk $B --queue " | sorted)" "$queues"
	# fish shows one of two completions of the same option, with either
	# description: each option is completed once (tools without subcommands)
	for t in mreply mroute msla mreport mthread; do
		is "fish: $t: no option completed twice" \
			"$(grep '^complete ' "$C/$t.fish" | grep -oE -- ' -l [a-z-]+' | sort | uniq -d | tr '\n' ' ')" ""
	done
else
	skip "fish completions" "fish not installed"
fi

# ---------------------------------------------------------------- zsh
if command -v zsh >/dev/null 2>&1; then
	# zcomp FILE CODE: load FILE with the completion functions stubbed,
	# then run CODE
	zcomp() {
		: >"$TMP/zargs"
		ZARGS=$TMP/zargs zsh -f -c '
			_arguments() { local a; for a; do print -r -- "$a"; done >>$ZARGS; return 1 }
			_wanted() { print -rl -- ${(P)6} }
			_describe() { print -rl -- ${${(P)4}%%:*} }
			_call_program() { shift; eval "$@" }
			_message() { : }
			typeset -A opt_args
			words=(${${1:t}#_})
			source $1 >/dev/null
			eval $2' zsh "$@" 2>"$TMP/zsh.err"
	}
	is "zsh: mreply -t <TAB> offers the templates" \
		"$(MDESK_DIR=$D zcomp "$C/_mreply" _mreply_templates | sorted)" "$templates"
	is "zsh: mdesk show <TAB> offers every ticket, the solved one too" \
		"$(zcomp "$C/_mdesk" "_mdesk_prog=mdesk; _mdesk_desk=(--desk $D); _mdesk_tickets" | sorted)" "$ids"
	is "zsh: mdesk archive <TAB> offers only the solved and closed" \
		"$(zcomp "$C/_mdesk" "_mdesk_prog=mdesk; _mdesk_desk=(--desk $D); _mdesk_tickets --status solved; _mdesk_tickets --status closed" | sorted)" "$solved "
	is "zsh: mdesk <TAB> offers every command of mdesk help" \
		"$(zcomp "$C/_mdesk" _mdesk_commands | sorted)" "$commands"
	is "zsh: bare desk: mreply -t <TAB> offers the templates" \
		"$(MDESK_DIR=$B zcomp "$C/_mreply" _mreply_templates | sorted)" "$templates"
	is "zsh: bare desk (--desk): mreply --as <TAB> offers the agents" \
		"$(zcomp "$C/_mreply" "opt_args[--desk]=${B}; _mreply_agents" | sorted)" "$agents"
	is "zsh: bare desk (the current directory): mreply -t <TAB> offers the templates" \
		"$(cd "$B/refs" && zcomp "$C/_mreply" _mreply_templates | sorted)" "$templates"
	is "zsh: bare desk: mdesk automate --rule <TAB> offers the rules" \
		"$(zcomp "$C/_mdesk" "_mdesk_root=${B}; _mdesk_rules" | sorted)" "$rules"
	is "zsh: desk: mdesk automate --rule <TAB> offers the rules" \
		"$(zcomp "$C/_mdesk" "_mdesk_root=${D}; _mdesk_rules" | sorted)" "$rules"
	is "zsh: bare desk: mdesk agent set ana calendar=<TAB> offers the calendars" \
		"$(zcomp "$C/_mdesk" "_mdesk_root=${B}; _mdesk_calendars" | sorted)" "$calendars"
	is "zsh: desk: mdesk agent set ana calendar=<TAB> offers the calendars" \
		"$(zcomp "$C/_mdesk" "_mdesk_root=${D}; _mdesk_calendars" | sorted)" "$calendars"
	is "zsh: bare desk: msla --assignee <TAB> offers the agents" \
		"$(MDESK_DIR=$B zcomp "$C/_msla" _msla_agents | grep -vx -- - | sorted)" "$agents"
	is "zsh: bare desk: mreply --ticket <TAB> offers the tickets" \
		"$(MDESK_DIR=$B zcomp "$C/_mreply" _mreply_tickets | sorted)" "$ids"
	is "zsh: bare desk: msla --explain <TAB> offers the tickets" \
		"$(MDESK_DIR=$B zcomp "$C/_msla" _msla_ids | sorted)" "$ids"
	is "zsh: desk: msla --explain <TAB> offers the tickets" \
		"$(MDESK_DIR=$D zcomp "$C/_msla" _msla_ids | sorted)" "$ids"
	is "zsh: bare desk: msla --queue <TAB> offers the queues" \
		"$(MDESK_DIR=$B zcomp "$C/_msla" _msla_queues | sorted)" "$queues"
	is "zsh: bare desk: mroute --queue <TAB> offers the queues" \
		"$(MDESK_DIR=$B zcomp "$C/_mroute" _mroute_queues | sorted)" "$queues"
	# every option of each tool's _arguments spec once
	for t in mdesk mreply mroute msla mreport mthread; do
		zcomp "$C/_$t" :
		dup=$(grep '\[' "$TMP/zargs" | grep -v '^[0-9*]' |
			sed -e 's/^([^)]*)//' -e 's/^\*//' -e 's/[+:=[].*//' | sort | uniq -d | tr '\n' ' ')
		is "zsh: $t: no option offered twice ($(grep -c '\[' "$TMP/zargs") options)" "$dup" ""
	done
else
	skip "zsh completions" "zsh not installed"
fi
done_testing
