# SPDX-License-Identifier: MIT
# bash completion for hostctx and hostctx-run.  Installed as
# share/bash-completion/completions/{hostctx,hostctx-run}.  Options and
# subcommands come from the programs' own --help, field groups from
# `hostctx snapshot --fields=help` and check ids from
# `hostctx check --list`, so a new option needs no change here.

# The long and short options a --help text names.
_hostctx_options_of() {
	"$@" --help 2>/dev/null | grep -oE '(^|[ ,])--?[A-Za-z][A-Za-z0-9-]*=?' |
		sed -E 's/^[ ,]//' | sort -u |
		awk '{ o[NR] = $0; has[$0] = 1 } END { for (i = 1; i <= NR; i++) if (!has[o[i] "="]) print o[i] }'
}

_hostctx_groups() {
	hostctx snapshot --fields=help 2>/dev/null | awk '{ print $1 }'
}

# GROUP,GROUP,...: complete the word after the last comma.
_hostctx_complete_list() {
	local cur=$1 words=$2 prefix=
	case $cur in *,*) prefix=${cur%,*},; cur=${cur##*,} ;; esac
	COMPREPLY=($(compgen -P "$prefix" -W "$words" -- "$cur"))
	compopt -o nospace 2>/dev/null
}

# Values of the options that take one; 0 when the word was completed.
# sub (may be empty): the subcommand, whose own --help names the values.
_hostctx_option_value() {
	local cmd=$1 opt=$2 cur=$3 sub=${4-}
	case $opt in
	--fields)
		_hostctx_complete_list "$cur" "$(_hostctx_groups)"
		return 0 ;;
	--root | --output-dir | -O)
		COMPREPLY=($(compgen -d -- "$cur"))
		return 0 ;;
	--output | -o | --next-to | --tolerances)
		COMPREPLY=($(compgen -f -- "$cur"))
		return 0 ;;
	--profile)
		COMPREPLY=($(compgen -W "throughput latency" -- "$cur"))
		return 0 ;;
	--class)
		_hostctx_complete_list "$cur" "identity instance config telemetry"
		return 0 ;;
	--format)
		COMPREPLY=($(compgen -W "$("$cmd" ${sub:+"$sub"} --help 2>/dev/null |
			grep -oE -- '--format=[a-z|]+' | head -1 | sed 's/--format=//; s/|/ /g')" -- "$cur"))
		return 0 ;;
	--ignore | --threshold)
		if [ "${COMP_WORDS[1]}" = check ]; then
			COMPREPLY=($(compgen -W "$(hostctx check --list 2>/dev/null | awk '{ print $1 }')" -- "$cur"))
			return 0
		fi ;;
	--check | --ci)
		COMPREPLY=($(compgen -W "$("$cmd" --help 2>/dev/null |
			grep -oE -- "$opt\\[?=[a-z|]+" | head -1 | sed -E 's/.*=//; s/\|/ /g')" -- "$cur"))
		return 0 ;;
	esac
	return 1
}

# The word being completed as OPTION and VALUE when it is --opt=value.
_hostctx_split() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=
	[ "$COMP_CWORD" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD - 1]}
	if [ "$cur" = = ]; then
		_opt=$prev _val=
	elif [ "$prev" = = ] && [ "$COMP_CWORD" -gt 1 ]; then
		_opt=${COMP_WORDS[COMP_CWORD - 2]} _val=$cur
	else
		_opt=$prev _val=$cur
	fi
}

_hostctx() {
	local cur=${COMP_WORDS[COMP_CWORD]} _opt _val sub=
	local i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in -*|=) ;; *) sub=${COMP_WORDS[i]}; break ;; esac
	done
	_hostctx_split
	if [ -n "$sub" ] && _hostctx_option_value hostctx "$_opt" "$_val" "$sub"; then
		return
	fi
	if [ -z "$sub" ]; then
		COMPREPLY=($(compgen -W "$(hostctx --help 2>/dev/null |
			sed -n '/^Subcommands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p') \
			--help --version" -- "$cur"))
		return
	fi
	case $cur in
	-*)
		COMPREPLY=($(compgen -W "$(_hostctx_options_of hostctx "$sub")" -- "$cur"))
		case ${COMPREPLY[0]-} in *=) compopt -o nospace 2>/dev/null ;; esac ;;
	*)
		if [ "$sub" = junit ]; then
			_hostctx_junit_operand "$cur"
		else
			COMPREPLY=($(compgen -f -- "$cur"))
		fi ;;
	esac
}

# junit JUNIT.xml SIDECAR: XML files first, then records (and directories).
_hostctx_junit_operand() {
	local cur=$1 n=0 i seen=
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		junit) [ -z "$seen" ] && seen=1 || n=$((n + 1)) ;;
		-*) ;;
		*) [ -n "$seen" ] && n=$((n + 1)) ;;
		esac
	done
	local glob='!*.xml'
	[ "$n" -ge 1 ] && glob='!*.json'
	COMPREPLY=($(compgen -f -X "$glob" -- "$cur") $(compgen -d -- "$cur"))
	compopt -o filenames 2>/dev/null
}

_hostctx_run() {
	local cur=${COMP_WORDS[COMP_CWORD]} _opt _val i
	# after the command's name, complete for the command itself
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--) _command_offset $((i + 1)) 2>/dev/null; return ;;
		-o | -O | --output | --output-dir | --next-to | --root | --fields | --ci) ((i++)) ;;
		-* | =) ;;
		*) [ "${COMP_WORDS[i - 1]}" = = ] && continue
		   _command_offset "$i" 2>/dev/null; return ;;
		esac
	done
	_hostctx_split
	if _hostctx_option_value hostctx-run "$_opt" "$_val"; then
		return
	fi
	case $cur in
	-*)
		COMPREPLY=($(compgen -W "$(_hostctx_options_of hostctx-run)" -- "$cur"))
		case ${COMPREPLY[0]-} in *=) compopt -o nospace 2>/dev/null ;; esac ;;
	*)
		COMPREPLY=($(compgen -c -- "$cur")) ;;
	esac
}

complete -F _hostctx hostctx
complete -F _hostctx_run hostctx-run
