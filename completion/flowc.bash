# bash completion for flowc: commands, options, diagnostic codes (installed
# by `make install` as PREFIX/share/bash-completion/completions/flowc)
_flowc() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} cmd=${COMP_WORDS[1]}
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "check compile graph explain --help --version" -- "$cur"))
		return
	fi
	case $prev in
	-I) COMPREPLY=($(compgen -d -- "$cur")); return ;;
	-o | --output | --bundle) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--flow) return ;;
	esac
	case $cmd in
	explain)
		[ "$COMP_CWORD" -eq 2 ] &&
			COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" explain 2> /dev/null |
				awk '{ print $1, $2 }')" -- "$cur")) ;;
	check | compile | graph)
		if [[ $cur == -* ]]; then
			local opts="-I --strict --diagnostics=text --diagnostics=json --diagnostics=sarif
				--color=auto --color=always --color=never --help"
			if [ "$cmd" = check ]; then opts="$opts --list-params"; else opts="$opts -o --flow"; fi
			[ "$cmd" = compile ] && opts="$opts --bundle"
			COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -X '!*.y*ml' -- "$cur") $(compgen -d -S / -- "$cur"))
		fi ;;
	esac
}
complete -F _flowc flowc
