#!/bin/sh
# gen.sh DIR: writes the golden cases too large to commit into DIR. Their
# .expected files are in cases/ like every other case.
set -eu
dir=$1
mkdir -p "$dir"

# a 1 MiB key as a plain scalar: libyaml refuses simple keys over 1024 chars
{ printf 'name: big\n'; head -c 1048576 /dev/zero | tr '\0' k; printf ': 1\n'; } \
	> "$dir/big_key_plain.yaml"
# the same key written as an explicit key, which YAML allows at any length
{ printf 'name: big\nproject_name: p\ntasks: [{name: t, run: [true]}]\n? '
  head -c 1048576 /dev/zero | tr '\0' k; printf '\n: 1\n'; } > "$dir/big_key_explicit.yaml"
# a file one byte larger than the 2 GiB flowc reads (sparse: no disk taken)
truncate -s 2147483648 "$dir/too_large.yaml"
# 10,000 nested flow mappings and flow sequences
{ printf 'name: deep\nnested: '; yes '{a: ' | head -n 10000 | tr -d '\n'
  printf 'x'; yes '}' | head -n 10000 | tr -d '\n'; printf '\n'; } > "$dir/deep_mappings.yaml"
{ printf 'tasks: '; yes '[' | head -n 10000 | tr -d '\n'
  yes ']' | head -n 10000 | tr -d '\n'; printf '\n'; } > "$dir/deep_sequences.yaml"
# 70 flows of flows, each composing the one before: nesting is bounded
{ printf 'name: d0\nproject_name: p\ntasks: [{name: t, run: [echo]}]\n'
  i=1
  while [ $i -le 70 ]; do
	printf -- '---\nname: d%d\nproject_name: p\ncomposing_flows: [{name: d%d, project_name: p}]\n' \
		$i $((i - 1))
	i=$((i + 1))
  done; } > "$dir/nest_deep.yaml"
# doubling P LEVELS: after the flows P0a and P0b (written by the caller),
# two flows of flows per level, Pia and Pib, each composing both of the
# level below: 2^LEVELS flows at the top
doubling() {
	i=1
	while [ "$i" -le "$2" ]; do
		for s in a b; do
			printf -- '---\nname: %s%d%s\nproject_name: p\n' "$1" $i $s
			printf 'composing_flows: [{name: %s%da, project_name: p}, {name: %s%db, project_name: p}]\n' \
				"$1" $((i - 1)) "$1" $((i - 1))
		done
		i=$((i + 1))
	done
}
# 2^22 flows at the top, refused before they are built
{ printf 'name: l0a\nproject_name: p\ntasks: [{name: t, run: [echo]}]\n'
  printf -- '---\nname: l0b\nproject_name: p\ntasks: [{name: t, run: [echo]}]\n'
  doubling l 22; } > "$dir/nest_wide.yaml"
# the same doubling with a parameter whose name is 60,000 bytes: names are
# counted, so the limit comes at once instead of gigabytes later
{ printf 'name: m0a\nproject_name: p\nparameters:\n  ? '
  head -c 60000 /dev/zero | tr '\0' k; printf '\n  : string\ntasks: [{name: t, run: [echo]}]\n'
  printf -- '---\nname: m0b\nproject_name: p\ntasks: [{name: t, run: [echo]}]\n'
  doubling m 16; } > "$dir/nest_names.yaml"
