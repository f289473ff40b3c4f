# bash completion for msla(1)                                  -*- shell-script -*-

# The desk: the one given on the command line ($1, may be empty), else
# $MDESK_DIR, else the current directory or a parent.  A desk has a
# working tree (desk.conf and .git) or is a bare git repository (HEAD
# and objects/) whose branch main holds the files.
__msla_desk()
{
	local d=${1:-${MDESK_DIR:-}}
	[[ $d == "~/"* ]] && d=$HOME/${d#"~/"}
	if [[ -z $d ]]; then
		d=$PWD
		while [[ $d ]] && ! [[ -f $d/desk.conf && -d $d/.git ||
			-f $d/HEAD && -d $d/objects ]]; do
			d=${d%/*}
		done
	fi
	[[ -n $d && ( -r $d/desk.conf || -f $d/HEAD ) ]] && printf '%s\n' "$d"
}

# __msla_file DESK PATH: the desk's file PATH; in a bare desk, from the
# branch main.
__msla_file()
{
	if [[ -e $1/.git || ! -f $1/HEAD ]]; then
		cat -- "$1/$2" 2>/dev/null
	else
		git --git-dir="$1" cat-file blob "main:$2" 2>/dev/null
	fi
}

# The queues of the desk: the [queue NAME] sections of desk.conf.
__msla_queues()
{
	local d
	d=$(__msla_desk "$1") || return
	__msla_file "$d" desk.conf | awk '/^[ \t]*\[[ \t]*queue[ \t]+/ {
		s = $0
		sub(/^[ \t]*\[[ \t]*queue[ \t]+/, "", s)
		sub(/[ \t]*\].*$/, "", s)
		if (s != "") print s
	}'
}

# The agents' logins: the first column of agents.csv after its header.
__msla_agents()
{
	local d
	d=$(__msla_desk "$1") || return
	__msla_file "$d" agents.csv |
		awk -F, '/^#/ && !h { next } !h { h = 1; next } $1 != "" { print $1 }'
}

# The open tickets' IDs: the directories tickets/SH/ID (of the branch
# main in a bare desk).
__msla_ids()
{
	local d
	d=$(__msla_desk "$1") || return
	if [[ -e $d/.git || ! -f $d/HEAD ]]; then
		( cd "$d/tickets" 2>/dev/null && printf '%s\n' */* | sed 's|.*/||' )
	else
		git --git-dir="$d" ls-tree -r -d -z --name-only main:tickets 2>/dev/null |
			tr '\0' '\n' | sed -n 's|^[^/]*/\([^/]*\)$|\1|p'
	fi
}

_msla()
{
	local cur prev words cword split=false
	local opts='-d --desk --now --as-of --policy --warn -f --format -a --all
		--state --metric -q --queue --assignee -p --priority -t --tag
		--notify --escalate --dry-run --explain -h --help --version'
	local desk= i w
	local IFS=$' \t\n'

	if declare -F _init_completion >/dev/null; then
		_init_completion -s || return
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		if [[ $cur == = ]]; then
			cur=
		elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
			prev=${COMP_WORDS[COMP_CWORD-2]}
		fi
	fi

	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		case $w in
		-d|--desk) desk=${words[i+1]} ;;
		--desk=*) desk=${w#--desk=} ;;
		esac
	done

	case $prev in
	-d|--desk)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	-f|--format)
		COMPREPLY=($(compgen -W 'table json csv' -- "$cur"))
		return
		;;
	--state)
		COMPREPLY=($(compgen -W 'running paused at-risk breached met' -- "$cur"))
		return
		;;
	--metric)
		COMPREPLY=($(compgen -W 'first_reply next_reply periodic_update resolution' -- "$cur"))
		return
		;;
	-p|--priority)
		COMPREPLY=($(compgen -W 'low normal high urgent' -- "$cur"))
		return
		;;
	-q|--queue)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(__msla_queues "$desk")" -- "$cur"))
		return
		;;
	--assignee)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(__msla_agents "$desk")"$'\n'- -- "$cur"))
		return
		;;
	--explain)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(__msla_ids "$desk")" -- "$cur"))
		return
		;;
	--now|--as-of|--policy|--warn|-t|--tag|--escalate|-h|--help|--version)
		return
		;;
	esac

	case $cur in
	-?*)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
		;;
	esac
	local IFS=$'\n'
	COMPREPLY=($(compgen -W "$(__msla_ids "$desk")" -- "$cur"))
} &&
	complete -F _msla msla

# ex: filetype=sh
