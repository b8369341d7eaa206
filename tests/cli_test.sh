#!/bin/bash
# cli_test.sh FLOWC FLOWRUN: the conventions around the commands: the manual
# pages render without a warning, the bash and zsh completion scripts load
# and complete commands, options, run ids and diagnostic codes, and `make
# install` puts the programs, pages and completions where they belong.
set -u
source "$(dirname "$0")/lib.sh"
suite_start "$1" "$2"

# ---- manual pages ----
for page in docs/man/flowc.1 docs/man/flowrun.1 docs/man/flowc-spec.5; do
	MANWIDTH=80 man --warnings -l "$page" > "$tmp/page.txt" 2> "$tmp/page.err"
	check "man -l $page renders" test $? -eq 0 -a -s "$tmp/page.txt"
	check "... without a warning" test ! -s "$tmp/page.err" || sed 's/^/    /' "$tmp/page.err"
done
MANWIDTH=200 man -l docs/man/flowrun.1 > "$tmp/flowrun.txt" 2> /dev/null
check "flowrun(1) names every command" \
	bash -c 'for c in run resume status result logs runs clean results; do grep -Eq "flowrun +$c( |$)" "$1" || exit 1; done' \
	_ "$tmp/flowrun.txt"

# ---- bash completion ----
for f in completion/flowc.bash completion/flowrun.bash; do
	check "bash -n $f" bash -n "$f"
done
complete_bash() { # SCRIPT FUNCTION WORD...: the completions of the last word
	local script=$1 fn=$2
	shift 2
	bash -c 'source "$1"; shift; fn=$1; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
		"$fn"; printf "%s\n" "${COMPREPLY[@]}"' _ "$script" "$fn" "$@"
}
check "bash: flowrun st<TAB> completes status" \
	test "$(complete_bash completion/flowrun.bash _flowrun flowrun st)" = status
check "bash: flowrun run --cont<TAB> completes --container-engine" \
	test "$(complete_bash completion/flowrun.bash _flowrun flowrun run --cont)" = --container-engine
check "bash: --container-engine <TAB> offers the engines" \
	test "$(complete_bash completion/flowrun.bash _flowrun flowrun run p.json --container-engine '' |
		tr '\n' ' ')" = "podman docker apptainer "
mkdir -p "$tmp/w/.flowrun/runs/20261127-101010-abcdef" && touch "$tmp/w/.flowrun/runs/20261127-101010-abcdef/run.json"
check "bash: flowrun status <TAB> offers latest and the run ids" \
	test "$(cd "$tmp/w" && complete_bash "$root/completion/flowrun.bash" _flowrun flowrun status '' |
		grep -v / | tr '\n' ' ')" = "latest 20261127-101010-abcdef "
check "bash: flowc exp<TAB> completes explain" \
	test "$(complete_bash completion/flowc.bash _flowc flowc exp)" = explain
check "bash: flowc explain E020<TAB> offers the codes" \
	test "$(complete_bash completion/flowc.bash _flowc "$flowc" explain E020 | tr '\n' ' ')" = \
	"E0201 E0202 E0203 E0204 E0205 E0206 E0207 E0208 E0209 "

# ---- zsh completion ----
# compinit writes its dump file (even with -D) by renaming over it: never
# give it /dev/null, which as root it would replace with a regular file
if command -v zsh > /dev/null; then
	for f in completion/_flowc completion/_flowrun; do
		check "zsh -n $f" zsh -n "$f"
	done
	check "zsh: compinit finds both by their #compdef lines" \
		test "$(zsh -fc 'fpath=(completion $fpath); autoload -Uz compinit && compinit -u -d "$1"
			print -r -- "${_comps[flowrun]} ${_comps[flowc]}"' _ "$tmp/zcompdump")" = "_flowrun _flowc"
else
	check "zsh is installed (make deps installs it)" false
fi

# ---- make install ----
make -s --no-print-directory install DESTDIR="$tmp/dest" PREFIX=/usr/local \
	B="$(dirname "$(dirname "$flowc")")/$(basename "$(dirname "$flowc")")" > "$tmp/install.out" 2>&1
check "make install DESTDIR=... succeeds" test $? -eq 0 || cat "$tmp/install.out"
for f in bin/flowc bin/flowrun share/man/man1/flowc.1 share/man/man1/flowrun.1 \
	share/man/man5/flowc-spec.5 share/bash-completion/completions/flowc \
	share/bash-completion/completions/flowrun share/zsh/site-functions/_flowc \
	share/zsh/site-functions/_flowrun; do
	check "make install puts $f" test -s "$tmp/dest/usr/local/$f"
done
check "man finds the installed pages by name" \
	bash -c 'MANPATH="$1" man -w flowc-spec > /dev/null' _ "$tmp/dest/usr/local/share/man"

report cli
