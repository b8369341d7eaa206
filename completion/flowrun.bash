# bash completion for flowrun: commands, options, run ids (installed by
# `make install` as PREFIX/share/bash-completion/completions/flowrun)
_flowrun() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]} cmd=${COMP_WORDS[1]}
	local runs
	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W "run resume status result logs runs clean results --help --version" -- "$cur"))
		return
	fi
	case $prev in
	--backend) COMPREPLY=($(compgen -W "local slurm" -- "$cur")); return ;;
	--container-engine) COMPREPLY=($(compgen -W "podman docker apptainer" -- "$cur")); return ;;
	--run-dir | --params | --results-db) COMPREPLY=($(compgen -f -- "$cur")); return ;;
	--reuse) COMPREPLY=($(compgen -W "latest $(ls .flowrun/runs 2> /dev/null)" -- "$cur") $(compgen -d -- "$cur")); return ;;
	-p | -j | --filesystem | --partition | --sbatch-arg | --project | --flow | --max-* | --attempt | --older-than | --keep) return ;;
	esac
	runs=$(ls .flowrun/runs 2> /dev/null)
	case $cmd in
	run)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-p --params -j --run-dir --results-db --filesystem -v
				--verbose --dry-run --max-depth --max-result --max-log --container-engine
				--pull --reuse --backend --partition --sbatch-arg --detach --help" -- "$cur"))
		else
			COMPREPLY=($(compgen -f -X '!*.json' -- "$cur") $(compgen -d -S / -- "$cur"))
		fi ;;
	resume | status | result | logs)
		if [[ $cur == -* ]]; then
			case $cmd in
			resume) COMPREPLY=($(compgen -W "-j -v --verbose --backend --max-depth --max-result
					--max-log --help" -- "$cur")) ;;
			status) COMPREPLY=($(compgen -W "--json --help" -- "$cur")) ;;
			logs) COMPREPLY=($(compgen -W "--attempt --stdout --follow --help" -- "$cur")) ;;
			*) COMPREPLY=($(compgen -W "--help" -- "$cur")) ;;
			esac
		elif [ "$COMP_CWORD" -eq 2 ]; then
			COMPREPLY=($(compgen -W "latest $runs" -- "$cur") $(compgen -d -S / -- "$cur"))
		fi ;;
	results)
		COMPREPLY=($(compgen -W "--results-db --project --flow --help" -- "$cur")) ;;
	runs)
		COMPREPLY=($(compgen -W "--help" -- "$cur")) ;;
	clean)
		COMPREPLY=($(compgen -W "--older-than --keep --cache --dry-run --help" -- "$cur")) ;;
	esac
}
complete -F _flowrun flowrun
