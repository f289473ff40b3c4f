# bash completion for mreport(1)                               -*- shell-script -*-

_mreport()
{
	local cur prev words cword split=false
	local opts='-d --desk --since --until -b --by -f --format --rev --tz --now
		--sla-target -h --help --version'
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

	case $prev in
	-d|--desk)
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -d -- "$cur"))
		return
		;;
	-b|--by)
		COMPREPLY=($(compgen -W 'agent group queue tag priority language customer
			day week month' -- "$cur"))
		return
		;;
	-f|--format)
		COMPREPLY=($(compgen -W 'table csv json html' -- "$cur"))
		return
		;;
	--tz)
		local z=${TZDIR:-/usr/share/zoneinfo}
		COMPREPLY=($(cd "$z" 2>/dev/null && compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return
		;;
	--since|--until|--now|--rev|--sla-target|-h|--help|--version)
		return
		;;
	esac
	COMPREPLY=($(compgen -W "$opts" -- "$cur"))
} &&
	complete -F _mreport mreport

# ex: filetype=sh
