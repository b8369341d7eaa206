#!/bin/bash
# bench.sh FLOWC FLOWRUN YAML_FLOOR SPAWN_FLOOR: times flowc check and compile on the
# lume example and on generated compositions (chains, where each flow takes
# a parameter from the one before, and fan-outs, where every flow takes one
# from the first), next to the time libyaml alone needs to parse the same
# input. A benchmark, not a test: it prints figures and fails only if a tool
# does.
set -eu
flowc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
flowrun=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
floor=$3
spawn_floor=$4
store_bench=$(cd "$(dirname "$5")" && pwd)/$(basename "$5")
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

# flowrun against the floor: 1,000 trivial tasks (/bin/true) as a chain and
# as a fan-out, the run directory on this disk and on tmpfs (/dev/shm)
awk 'BEGIN { print "name: chain\nproject_name: b\ntasks:"
	for (i = 1; i <= 1000; i++) { d = (i > 1) ? ", depends_on: [t" (i - 1) "]" : ""
		printf "  - {name: t%d, run: [/bin/true]%s}\n", i, d }
	print "---\nname: c\nproject_name: b\ncomposing_flows: [{name: chain, project_name: b}]" }' \
	> "$tmp/tchain.yaml"
awk 'BEGIN { print "name: fan\nproject_name: b\ntasks:"
	for (i = 1; i <= 1000; i++) printf "  - {name: t%d, run: [/bin/true]}\n", i
	print "---\nname: c\nproject_name: b\ncomposing_flows: [{name: fan, project_name: b}]" }' \
	> "$tmp/tfan.yaml"
"$flowc" compile -o "$tmp/tchain.json" "$tmp/tchain.yaml"
"$flowc" compile -o "$tmp/tfan.json" "$tmp/tfan.yaml"
floor_ms=$(for _ in 1 2 3; do "$spawn_floor" 1000 /bin/true; done | sort -n | head -1)
echo
echo "flowrun, 1,000 /bin/true tasks, -j 2; floor: posix_spawn+waitpid loop, best of 3: $floor_ms ms"
printf '%-28s %10s %14s %10s\n' "plan / run directory" "wall ms" "vs floor" "peak KiB"
shm=/dev/shm/flowrun-bench.$$
for shape in chain fan; do
	for where in disk tmpfs; do
		base=$tmp
		[ "$where" = tmpfs ] && base=$shm
		best=
		for i in 1 2 3; do
			rm -rf "$base/run"
			mkdir -p "$base"
			start=$(date +%s%N)
			(cd "$base" && "$flowrun" run "$tmp/t$shape.json" --run-dir run -j 2 > /dev/null)
			ms=$(( ($(date +%s%N) - start) / 1000000 ))
			if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
		done
		rm -rf "$base/run"
		peak=$(cd "$base" && peak_kib "$flowrun" run "$tmp/t$shape.json" --run-dir run -j 2)
		if [ "$shape" = chain ]; then
			ratio=$(awk -v a="$best" -v b="$floor_ms" 'BEGIN { printf "%.2fx floor", a / b }')
		else
			ratio=$(awk -v a="$best" -v b="$floor_ms" 'BEGIN { printf "%.2fx floor/2", a / (b / 2) }')
		fi
		printf '%-28s %10s %14s %10s\n' "$shape / $where" "$best" "$ratio" "$peak"
	done
done
rm -rf "$shm"

# the results stores: 2,000 saves, then 2,000 loads, one process
echo
echo "results store throughput, 2,000 distinct results (save, then load each):"
echo "  SQLite ($tmp, disk):    $("$store_bench" "$tmp/bench.db" 2000)"
if [ "$(id -u)" = 0 ] && ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
	pgdir=$tmp/pg
	chmod 755 "$tmp" # the server's user must reach its directory
	url=$(tests/pg/start.sh "$pgdir")
	echo "  PostgreSQL (loopback): $("$store_bench" "$url" 2000)"
	tests/pg/stop.sh "$pgdir"
else
	echo "  PostgreSQL: not measured (needs root and the postgresql package)"
fi

# Slurm: 100 flows of one trivial task as a chain and as a fan-out, against
# 100 bare `sbatch --wrap true` with the same dependencies
if [ "$(id -u)" = 0 ] && command -v slurmctld > /dev/null && command -v munged > /dev/null; then
	root=$(pwd)
	export SLURM_CONF
	SLURM_CONF=$(tests/slurm/start.sh "$tmp/cluster")
	for shape in chain fanout; do
		awk -v shape="$shape" 'BEGIN {
			for (i = 1; i <= 100; i++) {
				printf "name: f%d\nproject_name: b\nparameters: {after: any}\n", i
				printf "tasks: [{name: t, run: [/bin/true]}]\n---\n"
			}
			printf "name: all\nproject_name: b\ncomposing_flows:\n"
			printf "  - {name: f1, project_name: b}\n"
			for (i = 2; i <= 100; i++)
				printf "  - {name: f%d, project_name: b, mapped_parameters: {after: {parent_flow_name: f%d, parent_task_name: t}}}\n", i, shape == "chain" ? i - 1 : 1
		}' > "$tmp/s$shape.yaml"
		# f1's own parameter is a required input
		"$flowc" compile -o "$tmp/s$shape.json" "$tmp/s$shape.yaml"
	done
	wait_idle() { # until the cluster runs nothing
		while [ -n "$(squeue -h -t PENDING,RUNNING -o %i)" ]; do sleep 0.05; done
	}
	echo
	echo "Slurm, 100 flows of one /bin/true task (single-node test cluster):"
	printf '%-10s %16s %12s %22s %14s\n' shape "flowrun submit" "flowrun all" "sbatch floor: submit" "floor: all"
	for shape in chain fanout; do
		start=$(date +%s%N)
		(cd "$tmp" && "$flowrun" run "s$shape.json" --backend slurm --detach --run-dir "sd$shape" \
			-p f1-after=0 > /dev/null)
		submit=$(( ($(date +%s%N) - start) / 1000000 ))
		wait_idle
		start=$(date +%s%N)
		(cd "$tmp" && "$flowrun" run "s$shape.json" --backend slurm --run-dir "sf$shape" \
			-p f1-after=0 > /dev/null)
		all=$(( ($(date +%s%N) - start) / 1000000 ))
		wait_idle
		start=$(date +%s%N)
		first=$(sbatch --parsable --output=/dev/null --wrap true)
		prev=$first
		for i in $(seq 2 100); do
			dep=$prev
			[ "$shape" = fanout ] && dep=$first
			prev=$(sbatch --parsable --output=/dev/null --kill-on-invalid-dep=yes \
				--dependency=afterok:"$dep" --wrap true)
		done
		fsubmit=$(( ($(date +%s%N) - start) / 1000000 ))
		wait_idle
		fall=$(( ($(date +%s%N) - start) / 1000000 ))
		printf '%-10s %13s ms %9s ms %19s ms %11s ms\n' "$shape" "$submit" "$all" "$fsubmit" "$fall"
	done
	tests/slurm/stop.sh "$tmp/cluster"
	cd "$root" || exit 1
else
	echo "Slurm: not measured (needs root and the slurm packages)"
fi
