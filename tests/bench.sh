#!/bin/sh
# bench.sh FLOWC: times `flowc check` on the lume example and on generated
# chains of flows (each flow takes a parameter from the one before). A
# benchmark, not a test: it prints figures and fails only if flowc does.
set -eu
flowc=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# gen_chain N FILE: N flows in one file and a flow of flows chaining them
gen_chain() {
	n=$1
	awk -v n="$n" 'BEGIN {
		for (i = 1; i <= n; i++) {
			printf "name: f%d\nproject_name: bench\nparameters:\n  x: string\n  y: {type: int, default: 1}\n", i
			printf "tasks:\n  - {name: a, run: [echo, \"${{ params.x }}\"]}\n"
			printf "  - {name: b, run: [cat], with: {v: \"${{ tasks.a }}\"}, timeout: 5m}\n---\n"
		}
		printf "name: chain\nproject_name: bench\ncomposing_flows:\n  - {name: f1, project_name: bench}\n"
		for (i = 2; i <= n; i++) {
			printf "  - name: f%d\n    project_name: bench\n    mapped_parameters:\n", i
			printf "      x: {parent_flow_name: f%d, parent_task_name: b}\n", i - 1
		}
	}' > "$2"
}

# best of 5 wall-clock runs, in milliseconds
time_ms() {
	best=
	for _ in 1 2 3 4 5; do
		start=$(date +%s%N)
		"$@" > /dev/null 2>&1 || { echo "bench: '$*' failed" >&2; exit 1; }
		end=$(date +%s%N)
		ms=$(( (end - start) / 1000000 ))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	echo "$best"
}

echo "flowc check, best of 5 runs:"
printf '  %-32s %6s ms\n' "lume example (4 files)" \
	"$(time_ms "$flowc" check -I specs/examples/lume specs/examples/lume/flow_of_flows.yaml)"
for n in 1000 10000; do
	gen_chain "$n" "$tmp/chain$n.yaml"
	size=$(wc -c < "$tmp/chain$n.yaml")
	printf '  %-32s %6s ms\n' "$n-flow chain ($((size / 1024)) KiB)" \
		"$(time_ms "$flowc" check "$tmp/chain$n.yaml")"
done
