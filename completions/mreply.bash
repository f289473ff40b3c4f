# bash completion for mreply(1)                                -*- shell-script -*-

# The desk: the one given on the command line ($1, may be empty), else
# $MDESK_DIR, else the current directory or a parent.  A desk has a
# working tree (desk.conf and .git) or is a bare git repository (HEAD
# and objects/) whose branch main holds the files.
__mreply_desk()
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

# __mreply_file DESK PATH: the desk's file PATH, or with PATH ending in
# '/' the names in that directory; in a bare desk, from the branch main.
__mreply_file()
{
	local f
	if [[ -e $1/.git || ! -f $1/HEAD ]]; then
		if [[ $2 == */ ]]; then
			for f in "$1/$2"*; do
				[[ -e $f ]] && printf '%s\n' "${f##*/}"
			done
		else
			cat -- "$1/$2" 2>/dev/null
		fi
	elif [[ $2 == */ ]]; then
		git --git-dir="$1" ls-tree -z --name-only "main:$2" 2>/dev/null | tr '\0' '\n'
	else
		git --git-dir="$1" cat-file blob "main:$2" 2>/dev/null
	fi
}

# Template names (templates/NAME.txt and NAME.LANG.txt give NAME).
__mreply_templates()
{
	local d n
	d=$(__mreply_desk "$1") || return
	__mreply_file "$d" templates/ | while IFS= read -r n; do
		[[ $n == *.txt && $n != .* ]] && printf '%s\n' "${n%%.*}"
	done | sort -u
}

# Agent logins of agents.csv (comment lines and the header row skipped).
__mreply_agents()
{
	local d
	d=$(__mreply_desk "$1") || return
	__mreply_file "$d" agents.csv |
		awk -F, '/^#/ || !NF { next } !h { h = 1; next } { print $1 }'
}

# Ticket IDs: the directories tickets/SH/ID (of the branch main in a
# bare desk).
__mreply_tickets()
{
	local d t
	d=$(__mreply_desk "$1") || return
	if [[ -f $d/HEAD && ! -e $d/.git ]]; then
		git --git-dir="$d" ls-tree -r -d -z --name-only main:tickets 2>/dev/null |
			tr '\0' '\n' | sed -n 's|^[^/]*/\([^/]*\)$|\1|p'
		return
	fi
	for t in "$d"/tickets/*/*/; do
		[[ -d $t ]] || continue
		t=${t%/}
		printf '%s\n' "${t##*/}"
	done
}

_mreply()
{
	local cur prev words cword split=false
	local opts='-t --template --text --ticket --quote --attach --edit --resume --forward --message --to --cc --bcc --no-cc -s --send --record --as -f --force --ack
		--check --list --mailer --dry-run --quiet -d --desk --now -h --help --version'
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
		-d|--desk)
			if [[ ${words[i+1]} == = ]]; then
				desk=${words[i+2]}
			else
				desk=${words[i+1]}
			fi
			;;
		--desk=*) desk=${w#--desk=} ;;
		-d?*) desk=${w#-d} ;;
		esac
	done

	local IFS=$'\n'
	case $prev in
	-d|--desk)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	-t|--template)
		COMPREPLY=($(compgen -W "$(__mreply_templates "$desk")" -- "$cur"))
		return
		;;
	--as)
		COMPREPLY=($(compgen -W "$(__mreply_agents "$desk")" -- "$cur"))
		return
		;;
	--ticket)
		COMPREPLY=($(compgen -W "$(__mreply_tickets "$desk")" -- "$cur"))
		return
		;;
	--text|--attach)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--mailer)
		COMPREPLY=($(compgen -W 'sendmail:///usr/sbin/sendmail smtp:// smtps://' -- "$cur"))
		return
		;;
	--now|-h|--help|--version)
		return
		;;
	esac

	case $cur in
	--template=*)
		COMPREPLY=($(compgen -P --template= -W "$(__mreply_templates "$desk")" -- "${cur#--template=}"))
		return
		;;
	--as=*)
		COMPREPLY=($(compgen -P --as= -W "$(__mreply_agents "$desk")" -- "${cur#--as=}"))
		return
		;;
	--ticket=*)
		COMPREPLY=($(compgen -P --ticket= -W "$(__mreply_tickets "$desk")" -- "${cur#--ticket=}"))
		return
		;;
	--desk=*)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -P --desk= -d -- "${cur#--desk=}"))
		return
		;;
	esac
	local IFS=$' \t\n'
	COMPREPLY=($(compgen -W "$opts" -- "$cur"))
} &&
	complete -F _mreply mreply

# ex: filetype=sh
