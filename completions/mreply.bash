# bash completion for mreply(1)                                -*- shell-script -*-

# The desk: the one given on the command line ($1, may be empty), else
# $MDESK_DIR, else the current directory or a parent.
__mreply_desk()
{
	local d=${1:-${MDESK_DIR:-}}
	[[ $d == "~/"* ]] && d=$HOME/${d#"~/"}
	if [[ -z $d ]]; then
		d=$PWD
		while [[ $d && ! ( -f $d/desk.conf && -d $d/.git ) ]]; do
			d=${d%/*}
		done
	fi
	[[ -n $d && -r $d/desk.conf ]] && printf '%s\n' "$d"
}

# Template names (templates/NAME.txt and NAME.LANG.txt give NAME).
__mreply_templates()
{
	local d f n
	d=$(__mreply_desk "$1") || return
	for f in "$d"/templates/*.txt; do
		[[ -e $f ]] || continue
		n=${f##*/}
		printf '%s\n' "${n%%.*}"
	done | sort -u
}

# Agent logins of agents.csv (comment lines and the header row skipped).
__mreply_agents()
{
	local d
	d=$(__mreply_desk "$1") || return
	awk -F, '/^#/ || !NF { next } !h { h = 1; next } { print $1 }' "$d/agents.csv" 2>/dev/null
}

# Ticket IDs of the working tree.
__mreply_tickets()
{
	local d t
	d=$(__mreply_desk "$1") || return
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
