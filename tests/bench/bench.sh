#!/bin/bash
# bench.sh FLOWC FLOWRUN YAML_FLOOR: times flowc check and compile on the
# lume example and on generated compositions (chains, where each flow takes
# a parameter from the one before, and fan-outs, where every flow takes one
# from the first), next to the time libyaml alone needs to parse the same
# input. A benchmark, not a test: it prints figures and fails only if a tool
# does.
set -eu
flowc=$1
flowrun=$2
floor=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# gen SHAPE N FILE: N flows and a flow of flows composing them
gen() {
	awk -v shape="$1" -v n="$2" 'BEGIN {
		for (i = 1; i <= n; i++) {
			printf "name: f%d\nproject_name: bench\nparameters:\n  x: string\n  y: {type: int, default: 1}\n", i
			printf "tasks:\n  - {name: a, run: [echo, \"${{ params.x }}\"]}\n"
			printf "  - {name: b, run: [cat], with: {v: \"${{ tasks.a }}\", n: \"${{ params.y }}\"}, timeout: 5m}\n---\n"
		}
		printf "name: all\nproject_name: bench\ncomposing_flows:\n  - {name: f1, project_name: bench}\n"
		for (i = 2; i <= n; i++) {
			printf "  - name: f%d\n    project_name: bench\n    mapped_parameters:\n", i
			printf "      x: {parent_flow_name: f%d, parent_task_name: b}\n", shape == "chain" ? i - 1 : 1
		}
	}' > "$3"
}

# best_ms CMD...: the best wall-clock time of 3 runs, in milliseconds
best_ms() {
	local best= start end ms
	for _ in 1 2 3; do
		start=$(date +%s%N)
		"$@" > /dev/null 2>&1 || { echo "bench: '$*' failed" >&2; exit 1; }
		end=$(date +%s%N)
		ms=$(( (end - start) / 1000000 ))
		if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
	done
	echo "$best"
}

# peak_kib CMD...: the peak resident set size of one run
peak_kib() {
	/usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ { print $2 }'
}

lume=specs/examples/lume
printf '%-24s %9s %9s %9s %10s %10s %12s\n' input "yaml KiB" "floor ms" "check ms" "compile ms" "peak KiB" "plan KiB"
printf '%-24s %9s %9s %9s %10s %10s %12s\n' "lume example" \
	"$(( $(cat $lume/*.yaml | wc -c) / 1024 ))" - \
	"$(best_ms "$flowc" check -I $lume $lume/flow_of_flows.yaml)" \
	"$(best_ms "$flowc" compile -I $lume $lume/flow_of_flows.yaml)" \
	"$(peak_kib "$flowc" compile -I $lume $lume/flow_of_flows.yaml)" \
	"$("$flowc" compile -I $lume $lume/flow_of_flows.yaml | wc -c | awk '{printf "%.1f", $1 / 1024}')"
for shape in chain fanout; do
	for n in 1000 10000; do
		f=$tmp/$shape$n.yaml
		gen "$shape" "$n" "$f"
		"$flowc" compile -o "$tmp/plan.json" "$f"
		ysize=$(wc -c < "$f")
		psize=$(wc -c < "$tmp/plan.json")
		printf '%-24s %9s %9s %9s %10s %10s %12s\n' "$n-flow $shape" "$((ysize / 1024))" \
			"$("$floor" "$f" | awk '{print $1}')" \
			"$(best_ms "$flowc" check "$f")" "$(best_ms "$flowc" compile "$f")" \
			"$(peak_kib "$flowc" compile "$f")" \
			"$((psize / 1024)) ($(awk -v p="$psize" -v y="$ysize" 'BEGIN { printf "%.2f", p / y }')x)"
	done
done
"$flowc" compile -o "$tmp/plan.json" "$tmp/chain10000.yaml"
echo "flowrun run --dry-run on the 10000-flow chain plan (verify hash and structure):" \
	"$(best_ms "$flowrun" run "$tmp/plan.json" --dry-run) ms," \
	"peak $(peak_kib "$flowrun" run "$tmp/plan.json" --dry-run) KiB"
