# bash completion for mroute(1)                                -*- shell-script -*-

# The desk: the one given on the command line ($1, may be empty), else
# $MDESK_DIR, else the current directory or a parent.  A desk has a
# working tree (desk.conf and .git) or is a bare git repository (HEAD
# and objects/) whose branch main holds the files.
__mroute_desk()
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

# __mroute_file DESK PATH: the desk's file PATH; in a bare desk, from
# the branch main.
__mroute_file()
{
	if [[ -e $1/.git || ! -f $1/HEAD ]]; then
		cat -- "$1/$2" 2>/dev/null
	else
		git --git-dir="$1" cat-file blob "main:$2" 2>/dev/null
	fi
}

# The queues of the desk: the names of the [queue NAME] sections of
# desk.conf.
__mroute_queues()
{
	local d
	d=$(__mroute_desk "$1") || return
	__mroute_file "$d" desk.conf | awk '/^[ \t]*\[[ \t]*queue[ \t]+/ {
		s = $0
		sub(/^[ \t]*\[[ \t]*queue[ \t]+/, "", s)
		sub(/[ \t]*\].*$/, "", s)
		if (s != "") print s
	}'
}

_mroute()
{
	local cur prev words cword split=false
	local opts='-d --desk -q --queue --now --ack --at-date --batch --dry-run --explain --quiet -h --help --version'
	local desk= i w
	local IFS=$' \t\n'

	if declare -F _init_completion >/dev/null; then
		# bash-completion: splits --opt=VALUE into prev and cur.
		_init_completion -s || return
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		# '=' is a word break by default: "--desk" "=" "VALUE".
		if [[ $cur == = ]]; then
			cur=
		elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
			prev=${COMP_WORDS[COMP_CWORD-2]}
		fi
	fi

	# The desk named so far, for the queue names.
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

	case $prev in
	-d|--desk)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	-q|--queue)
		local IFS=$'\n'
		COMPREPLY=($(compgen -W "$(__mroute_queues "$desk")" -- "$cur"))
		return
		;;
	--now|--batch)
		# an RFC 3339 time or @seconds: nothing to offer
		return
		;;
	-h|--help|--version)
		return
		;;
	esac

	case $cur in
	--desk=*)
		# '=' is not a word break here: complete the whole word.
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -P --desk= -d -- "${cur#--desk=}"))
		return
		;;
	--queue=*)
		local IFS=$'\n'
		COMPREPLY=($(compgen -P --queue= -W "$(__mroute_queues "$desk")" \
			-- "${cur#--queue=}"))
		return
		;;
	-?*)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
		;;
	esac

	# Mail files: mboxes and single messages.
	if declare -F _filedir >/dev/null; then
		_filedir
	else
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
} &&
	complete -F _mroute mroute

# ex: filetype=sh
