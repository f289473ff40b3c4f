# bash completion for mthread(1)                               -*- shell-script -*-

_mthread()
{
	local cur prev words cword split=false
	local formats='json tree mbox'
	local opts='-f --format -r --reverse --subject --token --dups --explain
		-h --help --version'

	if declare -F _init_completion >/dev/null; then
		# bash-completion: splits --format=VALUE into prev and cur.
		_init_completion -s || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		# '=' is a word break by default: "--format" "=" "VALUE".
		if [[ $cur == = ]]; then
			cur=
		elif [[ $prev == = ]] && ((COMP_CWORD > 1)); then
			prev=${COMP_WORDS[COMP_CWORD-2]}
		fi
	fi

	case $prev in
	-f|--format)
		COMPREPLY=($(compgen -W "$formats" -- "$cur"))
		return
		;;
	-h|--help|--version)
		return
		;;
	esac

	case $cur in
	--format=*)
		# '=' is not a word break here: complete the whole word.
		COMPREPLY=($(compgen -P --format= -W "$formats" -- "${cur#--format=}"))
		return
		;;
	-?*)
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		return
		;;
	esac

	# Mail files, maildirs and MH folders.
	if declare -F _filedir >/dev/null; then
		_filedir
	else
		compopt -o filenames 2>/dev/null
		COMPREPLY=($(compgen -f -- "$cur"))
	fi
} &&
	complete -F _mthread mthread

# ex: filetype=sh
