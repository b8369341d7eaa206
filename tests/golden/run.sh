#!/bin/bash
# run.sh FLOWC FLOWRUN: runs every golden case and compares the output and
# exit status with the case's .expected file, byte for byte.
#
# A case is cases/NAME.expected plus either cases/NAME.yaml (run as
# `flowc check NAME.yaml`) or cases/NAME.args (the whole argument list),
# run from the cases directory. Cases too large to commit are written by
# gen.sh into a temporary directory and run from there.
# UPDATE=1 rewrites the .expected files from the actual output: review them.
set -u
flowc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
flowrun=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
here=$(cd "$(dirname "$0")" && pwd)
gen=$(mktemp -d)
trap 'rm -rf "$gen"' EXIT
"$here/gen.sh" "$gen" || { echo "golden: gen.sh failed"; exit 1; }

ncases=0
nfail=0
for expected in "$here"/cases/*.expected; do
	name=$(basename "$expected" .expected)
	dir=$here/cases
	if [ ! -e "$dir/$name.yaml" ] && [ ! -e "$dir/$name.args" ]; then
		dir=$gen
	fi
	if [ -e "$dir/$name.args" ]; then
		read -r -a args < "$dir/$name.args"
	elif [ -e "$dir/$name.yaml" ]; then
		args=(check "$name.yaml")
	else
		echo "FAIL $name: no $name.yaml or $name.args"
		nfail=$((nfail + 1))
		continue
	fi
	tool=$flowc
	if [ "${args[0]}" = flowrun ]; then
		tool=$flowrun
		args=("${args[@]:1}")
	fi
	actual=$(cd "$dir" && "$tool" "${args[@]}" 2>&1; echo "[exit $?]")
	ncases=$((ncases + 1))
	if [ "${UPDATE:-0}" = 1 ]; then
		printf '%s\n' "$actual" > "$expected"
	fi
	if [ "$actual" != "$(cat "$expected")" ]; then
		echo "FAIL $name"
		diff -u "$expected" <(printf '%s\n' "$actual") | head -n 40
		nfail=$((nfail + 1))
	fi
done
# every diagnostic code has at least one case that reports it
for code in $("$flowc" explain | cut -d' ' -f1); do
	if ! grep -q "\[$code\]" "$here"/cases/*.expected; then
		echo "FAIL no golden case reports $code"
		nfail=$((nfail + 1))
	fi
done
echo "golden: $ncases cases, $nfail failed"
[ "$ncases" -gt 0 ] && [ "$nfail" -eq 0 ]
