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
# 10,000 nested flow mappings and flow sequences
{ printf 'name: deep\nnested: '; yes '{a: ' | head -n 10000 | tr -d '\n'
  printf 'x'; yes '}' | head -n 10000 | tr -d '\n'; printf '\n'; } > "$dir/deep_mappings.yaml"
{ printf 'tasks: '; yes '[' | head -n 10000 | tr -d '\n'
  yes ']' | head -n 10000 | tr -d '\n'; printf '\n'; } > "$dir/deep_sequences.yaml"
