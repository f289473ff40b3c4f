# bash completion for mdesk(1)                                 -*- shell-script -*-

# Run mdesk on the desk named on the command line, quietly.
__mdesk_run()
{
	"$__mdesk_prog" "${__mdesk_desk[@]}" "$@" 2>/dev/null
}

# Ticket IDs, from ls: every ticket, solved, closed and archived ones too,
# unless ls options in "$@" choose; only when jq is there.
__mdesk_ids()
{
	type -P jq >/dev/null || return
	(($#)) || set -- --all
	__mdesk_run ls "$@" --format json | jq -r '.id' 2>/dev/null
}

# One field of the listed tickets, each value once (needs jq).
__mdesk_ticket_field()
{
	type -P jq >/dev/null || return
	__mdesk_run ls --format json | jq -r "$1 // empty" 2>/dev/null | sort -u
}

# Agent logins: the first column of agents.csv, without the comment
# lines and the header row.
__mdesk_agents()
{
	__mdesk_run agent ls --format csv |
		awk -F, '/^#/ || $1 == "login" || NF == 0 { next } { print $1 }'
}

# The desk's directory: --desk, else $MDESK_DIR, else the current
# directory or a parent.  A desk has a working tree (desk.conf and .git)
# or is a bare git repository (HEAD and objects/) whose branch main holds
# the files.
__mdesk_dir()
{
	local d=${__mdesk_root:-${MDESK_DIR:-}}
	if [[ -z $d ]]; then
		d=$PWD
		while [[ $d ]] && ! [[ -f $d/desk.conf && -d $d/.git ||
			-f $d/HEAD && -d $d/objects ]]; do
			d=${d%/*}
		done
	fi
	[[ -n $d ]] && printf '%s\n' "$d"
}

# __mdesk_file PATH: the desk's file PATH, or with PATH ending in '/' the
# names in that directory; in a bare desk, from the branch main.
__mdesk_file()
{
	local d f
	d=$(__mdesk_dir) || return
	if [[ -e $d/.git || ! -f $d/HEAD ]]; then
		if [[ $1 == */ ]]; then
			for f in "$d/$1"*; do
				[[ -e $f ]] && printf '%s\n' "${f##*/}"
			done
		else
			cat -- "$d/$1" 2>/dev/null
		fi
	elif [[ $1 == */ ]]; then
		git --git-dir="$d" ls-tree -z --name-only "main:$1" 2>/dev/null | tr '\0' '\n'
	else
		git --git-dir="$d" cat-file blob "main:$1" 2>/dev/null
	fi
}

# The calendars of the desk, for agent add/set calendar=.
__mdesk_calendars()
{
	local f
	__mdesk_file calendars/ | while IFS= read -r f; do
		[[ $f == *.conf && $f != .* ]] && printf '%s\n' "${f%.conf}"
	done
}

# The rules of automations.conf.
__mdesk_rules()
{
	__mdesk_file automations.conf | sed -n 's/^\[rule \([^]]*\)\]/\1/p'
}

_mdesk()
{
	local statuses='new open pending on-hold solved closed'
	local priorities='low normal high urgent'
	local formats='table json csv'
	local commands='init check ls search show assign unassign claim release note seen
		snooze unsnooze remind notify tag untag priority status merge log customer agent archive gc
		sync clone maildir automate help'
	local fields='name= email= groups= skills= languages= capacity= status=
		calendar='
	local -a words=() cand=()
	local __mdesk_prog=${COMP_WORDS[0]} __mdesk_root=
	local -a __mdesk_desk=()
	local i w cur raw brk prefix cword=0 pos=0 sep cmd= ci=0 prev opt val n
	local nospace=false dirs=false

	[[ $__mdesk_prog == "~/"* ]] && __mdesk_prog=$HOME/${__mdesk_prog#"~/"}
	type -P "$__mdesk_prog" >/dev/null || __mdesk_prog=mdesk

	# The words as typed: bash also breaks them at characters such as
	# '=', ':' and '@'; join the pieces that no blank separates.
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		sep=0
		while [[ ${COMP_LINE:pos:1} == [[:space:]] ]]; do
			((pos++))
			sep=1
		done
		if ((${#words[@]} && !sep)) && [[ -n $w ]]; then
			words[${#words[@]}-1]+=$w
		else
			words+=("$w")
		fi
		((pos += ${#w}))
		((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
	done
	cur=${words[cword]}
	# What bash replaces is the text after the last word break, with the
	# break itself when it is '@' or '$'; the rest of cur stays.
	raw=${COMP_LINE:0:COMP_POINT}
	brk=${COMP_WORDBREAKS-$' \t\n"\'@><=;|&(:'}
	raw=${raw##*[$brk]}
	i=$((COMP_POINT - ${#raw} - 1))
	((i >= 0)) && [[ ${COMP_LINE:i:1} == [@\$] ]] && raw=${COMP_LINE:i:1}$raw
	prefix=
	[[ $cur == *"$raw" ]] && prefix=${cur%"$raw"}

	# Global options, then the command.
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		-d|--desk)
			((i + 1 < cword)) && __mdesk_root=${words[i+1]}
			((i++)) ;;
		--desk=*) __mdesk_root=${w#--desk=} ;;
		-d?*) __mdesk_root=${w#-d} ;;
		--as|--now) ((i++)) ;;
		-*) ;;
		*) cmd=$w; ci=$i; break ;;
		esac
	done
	[[ $__mdesk_root == "~/"* ]] && __mdesk_root=$HOME/${__mdesk_root#"~/"}
	[[ -n $__mdesk_root ]] && __mdesk_desk=(--desk "$__mdesk_root")
	prev=${words[cword-1]}

	if [[ -z $cmd ]]; then
		case $cur in
		--desk=*) opt=--desk ;;
		--as=*) opt=--as ;;
		--now=*) opt=--now ;;
		*) opt=$prev ;;
		esac
		case $opt in
		-d|--desk) dirs=true ;;
		--as) cand=($(__mdesk_agents)) ;;
		--now) ;;
		*)
			if [[ $cur == -* ]]; then
				cand=(-d --desk --as --now -h --help --version)
			else
				cand=($commands)
			fi
			;;
		esac
		if [[ $cur == --*=* ]]; then
			val=${cur#*=}
			if $dirs; then
				cand=($(compgen -d -S / -- "$val"))
				dirs=false
				nospace=true
			fi
			cand=("${cand[@]/#/$opt=}")
		fi
	else
		# The operands before the current word, option values skipped.
		local -a args=()
		for ((i = ci + 1; i < cword; i++)); do
			w=${words[i]}
			case $cmd:$w in
			ls:-[satpqlcf]|ls:--status|ls:--assignee|ls:--tag|ls:--priority|\
			ls:--queue|ls:--lang|ls:--customer|ls:--format|\
			search:-[satqf]|search:--status|search:--assignee|search:--tag|\
			search:--queue|search:--format|search:--since|search:--until|\
			search:--limit|\
			ls:--sort|claim:--for|log:-n|log:--max|log:-f|log:--format|\
			customer:-f|customer:--format|archive:--older-than|agent:-f|\
			agent:--format|maildir:--view|automate:--rule|*:--as|*:--now|*:--desk|*:-d)
				((i++)) ;;
			*:-?*) ;;
			*) args+=("$w") ;;
			esac
		done
		n=${#args[@]}

		# An option's value: "--opt value" or "--opt=value".
		opt=
		if [[ $cur == --*=* ]]; then
			opt=${cur%%=*}
			val=${cur#*=}
		elif [[ $prev == -* && $prev != *=* ]]; then
			opt=$prev
		fi
		# search chooses tickets with the options of ls
		case ${cmd/#search/ls}:$opt in
		ls:-s|ls:--status) cand=($statuses) ;;
		ls:-a|ls:--assignee) cand=($(__mdesk_agents)) ;;
		ls:-p|ls:--priority) cand=($priorities) ;;
		ls:-q|ls:--queue) cand=($(__mdesk_ticket_field .queue)) ;;
		ls:-t|ls:--tag) cand=($(__mdesk_ticket_field '.tags[]')) ;;
		ls:-l|ls:--lang) cand=($(__mdesk_ticket_field .lang)) ;;
		ls:-c|ls:--customer) cand=($(__mdesk_ticket_field .customer)) ;;
		ls:-f|ls:--format|log:-f|log:--format|customer:-f|customer:--format|\
		agent:-f|agent:--format)
			cand=($formats) ;;
		ls:--sort) cand=(priority due updated created) ;;
		ls:--since|ls:--until|ls:--limit) ;;
		maildir:--view) cand=(mine unassigned at-risk mentions all) ;;
		automate:--rule)
			cand=($(__mdesk_rules)) ;;
		*:--as) cand=($(__mdesk_agents)) ;;
		*:--desk|*:-d) dirs=true ;;
		*:--now) ;;
		claim:--for) cand=(15m 30m 1h 2h 4h 1d) ;;
		archive:--older-than) cand=(7d 14d 30d 90d) ;;
		log:-n|log:--max) ;;
		*) opt= ;;
		esac
		if [[ -n $opt ]]; then
			[[ $cur == --*=* ]] && cand=("${cand[@]/#/$opt=}")
		elif [[ $cur == -* ]]; then
			case $cmd in
			ls)
				cand=(-A --all -s --status -a --assignee --mine -u
					--unassigned --collisions --mentions --snoozed -q --queue -t --tag -p --priority
					-l --lang -c --customer --sort -f --format) ;;
			search)
				cand=(-A --all -s --status -a --assignee --mine -u
					--unassigned -q --queue -t --tag --since --until --fts
					--limit -f --format) ;;
			show) cand=(--json --mbox --part --attachments) ;;
			claim) cand=(--for --force) ;;
			release) ((n == 1)) && cand=(--force) ;;
			status) ((n == 2)) && cand=(--force) ;;
			note) ((n == 1)) && cand=(-) ;;
			remind) ((n == 2)) && cand=(-) ;;
			notify) cand=(--dry-run) ;;
			log) cand=(-n --max -f --format) ;;
			customer) cand=(-f --format) ;;
			agent) [[ ${args[0]} == ls ]] && cand=(-f --format) ;;
			maildir) cand=(--view) ;;
			automate) cand=(--dry-run --explain --rule) ;;
			archive) cand=(--older-than) ;;
			gc) cand=(--full) ;;
			init|clone) cand=(--bare) ;;
			sync) cand=(--auto) ;;
			check) ((n == 0)) && cand=(--repair) ;;
			esac
			# the global options go after the command too
			cand+=(--as --now --desk --help)
		else
			case $cmd in
			init) ((n == 0)) && dirs=true ;;
			sync)
				((n == 0)) && cand=($(git -C "${__mdesk_root:-${MDESK_DIR:-.}}" remote 2>/dev/null)) ;;
			check)
				((n == 1)) && [[ ${args[0]} == --repair ]] &&
					cand=($(git -C "${__mdesk_root:-${MDESK_DIR:-.}}" remote 2>/dev/null)) ;;
			clone) ((n == 1)) && dirs=true ;;
			maildir) ((n == 0)) && dirs=true ;;
			help) ((n == 0)) && cand=($commands) ;;
			show|unassign|claim|log|seen|unsnooze)
				((n == 0)) && cand=($(__mdesk_ids)) ;;
			snooze|remind)
				if ((n == 0)); then
					cand=($(__mdesk_ids))
				elif ((n == 1)); then
					cand=(1h 4h 1d 3d 1w)
				fi
				;;
			release)
				((n == 0)) && cand=($(__mdesk_ids)) ;;
			assign)
				if ((n == 0)); then
					cand=($(__mdesk_ids))
				elif ((n == 1)); then
					cand=($(__mdesk_agents))
				fi
				;;
			note)
				if ((n == 0)); then
					cand=($(__mdesk_ids))
				elif [[ $cur == @* ]]; then
					cand=($(__mdesk_agents))
					cand=("${cand[@]/#/@}")
				fi
				;;
			tag)
				if ((n == 0)); then
					cand=($(__mdesk_ids))
				else
					cand=($(__mdesk_ticket_field '.tags[]'))
				fi
				;;
			untag)
				if ((n == 0)); then
					cand=($(__mdesk_ids))
				elif type -P jq >/dev/null; then
					cand=($(__mdesk_run show --json "${args[0]}" |
						jq -r '.tags[]' 2>/dev/null))
				fi
				;;
			priority)
				if ((n == 0)); then
					cand=($(__mdesk_ids))
				elif ((n == 1)); then
					cand=($priorities)
				fi
				;;
			status)
				if ((n == 0)); then
					cand=($(__mdesk_ids))
				elif ((n == 1)); then
					cand=($statuses)
				fi
				;;
			merge) ((n < 2)) && cand=($(__mdesk_ids)) ;;
			customer) ((n == 0)) && cand=($(__mdesk_ticket_field .customer)) ;;
			agent)
				if ((n == 0)); then
					cand=(add ls set)
				elif [[ ${args[0]} == set && n -eq 1 ]]; then
					cand=($(__mdesk_agents))
				elif [[ ${args[0]} == add || ${args[0]} == set ]] && ((n >= 2)); then
					case $cur in
					status=*) cand=(status=active status=away status=inactive) ;;
					calendar=*)
						cand=($(__mdesk_calendars))
						cand=("${cand[@]/#/calendar=}") ;;
					*=*) ;;
					*) cand=($fields); nospace=true ;;
					esac
				fi
				;;
			archive)
				cand=($(__mdesk_ids --status solved) $(__mdesk_ids --status closed)) ;;
			esac
		fi
	fi

	if $dirs; then
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W "${cand[*]}" -- "$cur"))
	# Options that take a value, and fields, go on without a space.
	[[ ${#COMPREPLY[@]} -eq 1 && $COMPREPLY == *= ]] && nospace=true
	$nospace && compopt -o nospace 2>/dev/null
	if [[ -n $prefix ]]; then
		COMPREPLY=("${COMPREPLY[@]#"$prefix"}")
	fi
	return 0
} &&
	complete -F _mdesk mdesk

# ex: filetype=sh
