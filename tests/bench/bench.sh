#!/bin/bash
# bench.sh FLOWC FLOWRUN YAML_FLOOR SPAWN_FLOOR STORE_BENCH [DAG_FLOOR OWN_USAGE REUSE_BENCH]
# A benchmark, not a test: it prints figures next to floors measured in the
# same run, and fails only if a tool does (or flowrun computes a wrong
# result).
# * flowc: check and compile on the lume example and on generated
#   compositions (chains, where each flow takes a parameter from the one
#   before, and fan-outs, where every flow takes one from the first), next
#   to the time libyaml alone needs to parse the same input (YAML_FLOOR)
#   inside a running process, and to the time and peak memory of a process
#   doing that parse alone; all run in turn, the best of 5 each; the times
#   of processes (flowc's, the parse's) are from their start to their exit
#   (OWN_USAGE).
# * flowrun, run directory on the disk and on tmpfs (/dev/shm): 1,000
#   /bin/true tasks as a chain and as a fan-out, against posix_spawn+waitpid
#   loops (SPAWN_FLOOR); a layered DAG of 1,000 tasks passing results, as one
#   flow and as 1,000 composed flows, against DAG_FLOOR running the same
#   commands; 100,000 tasks: flowrun's own CPU time per task and peak RSS,
#   measured by OWN_USAGE; what run --reuse takes to decide, for 10,000
#   tasks against 10,000 (REUSE_BENCH). DAG_FLOOR, OWN_USAGE and
#   REUSE_BENCH default to the programs of those names next to SPAWN_FLOOR.
# * the results stores (STORE_BENCH), and Slurm when root and its packages
#   are there.
set -eu
shopt -s inherit_errexit
flowc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
flowrun=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
floor=$3
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
spawn_floor=$(abs "$4")
store_bench=$(abs "$5")
dag_floor=$(abs "${6:-$(dirname "$4")/dag_floor}")
own_usage=$(abs "${7:-$(dirname "$4")/own_usage}")
reuse_bench=$(abs "${8:-$(dirname "$4")/reuse_bench}")
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

# once_ms CMD...: the wall-clock time of one run, in milliseconds, from
# CMD's start to its exit, measured by own_usage: reading the clock in
# processes of their own (date) would add theirs, 5 ms or more here
once_ms() {
	local r
	r=$("$own_usage" "$@" 2> /dev/null) || { echo "bench: '$*' failed" >&2; exit 1; }
	echo "${r%% *}"
}

# keep_best NAME CMD...: runs CMD and sets NAME to what it printed when
# its first word (a time) is below that of NAME's value
keep_best() {
	local name=$1 line
	shift
	line=$("$@") || { echo "bench: '$*' failed" >&2; exit 1; }
	if [ -z "${!name}" ] || [ "${line%% *}" -lt "${!name%% *}" ]; then printf -v "$name" '%s' "$line"; fi
}

# best_ms CMD...: the best wall-clock time of 3 runs, in milliseconds
best_ms() {
	local best=
	for _ in 1 2 3; do
		keep_best best once_ms "$@"
	done
	echo "$best"
}

# peak_kib CMD...: the peak resident set size of one run
peak_kib() {
	/usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ { print $2 }'
}

# in_turn FILE: libyaml's parse of FILE inside a running process (the
# floor), a process doing that parse alone (started, parsing, exiting),
# flowc check and flowc compile of it, one after the other 5 times; the
# best of each in milliseconds, "FLOOR PROCESS CHECK COMPILE". In turn, so
# that all see the machine at the same moments: its CPUs' speed changes
# over seconds.
in_turn() {
	local fl= fp= ck= co=
	for _ in 1 2 3 4 5; do
		keep_best fl floor_once "$1"
		keep_best fp once_ms "$floor" "$1"
		keep_best ck once_ms "$flowc" check "$1"
		keep_best co once_ms "$flowc" compile "$1"
	done
	echo "$fl $fp $ck $co"
}

# floor_once FILE: libyaml's parse of FILE, in whole milliseconds
floor_once() {
	"$floor" "$1" | awk '{ printf "%d\n", $1 }'
}

# ratio A B: A / B, as "1.23x"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / (b ? b : 1) }'; }

# Targets: compile within 2x the floor, peak RSS within 10x the YAML. The
# floor is libyaml's parse alone, without starting a process; "process"
# is the same parse as a process of its own, timed and measured as flowc
# is (start to exit; peak RSS with its libraries mapped), which a small
# input's figures are better read against: starting a process costs
# several milliseconds here, and flowc alone, libraries mapped, is about
# 2.3 MiB.
lume=specs/examples/lume
row='%-20s %9s %8s %8s %8s %24s %17s %10s %14s\n'
printf "$row" input "yaml KiB" "floor ms" "proc ms" "check ms" "compile ms (xfl, xproc)" \
	"peak KiB (xyaml)" "proc KiB" "plan KiB"
printf "$row" "lume example" \
	"$(( $(cat $lume/*.yaml | wc -c) / 1024 ))" - - \
	"$(best_ms "$flowc" check -I $lume $lume/flow_of_flows.yaml)" \
	"$(best_ms "$flowc" compile -I $lume $lume/flow_of_flows.yaml)" \
	"$(peak_kib "$flowc" compile -I $lume $lume/flow_of_flows.yaml)" - \
	"$("$flowc" compile -I $lume $lume/flow_of_flows.yaml | wc -c | awk '{printf "%.1f", $1 / 1024}')"
for shape in chain fanout; do
	for n in 1000 10000 100000; do
		f=$tmp/$shape$n.yaml
		gen "$shape" "$n" "$f"
		"$flowc" compile -o "$tmp/plan.json" "$f"
		ysize=$(wc -c < "$f")
		psize=$(wc -c < "$tmp/plan.json")
		times=$(in_turn "$f")
		read -r fl fp ck ms <<< "$times"
		peak=$(peak_kib "$flowc" compile "$f")
		printf "$row" "$n-flow $shape" "$((ysize / 1024))" "$fl" "$fp" "$ck" \
			"$ms ($(ratio "$ms" "$fl"), $(ratio "$ms" "$fp"))" \
			"$peak ($(awk -v p="$peak" -v y="$ysize" 'BEGIN { printf "%.1f", p * 1024 / y }'))" \
			"$(peak_kib "$floor" "$f")" \
			"$((psize / 1024)) ($(awk -v p="$psize" -v y="$ysize" 'BEGIN { printf "%.2f", p / y }')x)"
	done
	rm -f "$tmp/${shape}100000.yaml"
done
"$flowc" compile -o "$tmp/plan.json" "$tmp/chain10000.yaml"
echo "flowrun run --dry-run on the 10000-flow chain plan (verify hash and structure):" \
	"$(best_ms "$flowrun" run "$tmp/plan.json" --dry-run) ms," \
	"peak $(peak_kib "$flowrun" run "$tmp/plan.json" --dry-run) KiB"
# one string holding 500,000 references (positions found in linear time)
awk 'BEGIN {
	printf "name: refs\nproject_name: bench\nparameters: {x: string}\ntasks:\n  - name: t\n    run: [echo, \""
	for (i = 0; i < 500000; i++) printf "${{ params.x }}"
	printf "\"]\n"
}' > "$tmp/refs.yaml"
echo "flowc check, one string with 500,000 references ($(( $(wc -c < "$tmp/refs.yaml") / 1024 )) KiB):" \
	"$(best_ms "$flowc" check "$tmp/refs.yaml") ms (target 1000)"

# flowrun against floors measured in the same run. Every run of flowrun
# goes through own_usage (wall time, flowrun's own user and system CPU,
# peak RSS) into a fresh run directory, in the temporary directory (on the
# disk) or under /dev/shm (tmpfs). Each figure is the best of 3, and the
# floors' runs alternate with flowrun's, round by round, so that a busy
# moment of the machine weighs on both alike.
shm=/dev/shm/flowrun-bench.$$
trap 'rm -rf "$tmp" "$shm"' EXIT
mkdir -p "$shm"
disk="disk ($(df -T "$tmp" | awk 'NR == 2 { print $2 }'))"
mem="tmpfs ($(df -T "$shm" | awk 'NR == 2 { print $2 }'))"

# run_once DIR PLAN J: one run of PLAN with -j J in a fresh run directory
# DIR/run-PLANNAME, started in DIR; prints "wall_ms user_ms sys_ms
# peak_kib" of flowrun itself
run_once() {
	local run=run-$(basename "$2" .json)
	rm -rf "${1:?}/$run"
	(cd "$1" && "$own_usage" "$flowrun" run "$2" --run-dir "$run" -j "$3" < /dev/null) ||
		{ echo "bench: flowrun run $2 -j $3 failed" >&2; exit 1; }
}

# 1. and 2.: 1,000 trivial tasks (/bin/true) as a chain (each depends on
# the one before) and as a fan-out (none depends on another). Floors:
# spawn_floor's loop; for the fan-out at -j 2 also half of it, two loops
# of 500 at once, and one process keeping 2 running.
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
echo
echo "flowrun, 1,000 /bin/true tasks, -j 2. Floors: posix_spawn+waitpid loop (\"floor\")," \
	"2 such loops of 500 at once (\"2 loops\"), one process keeping 2 running (\"keep 2\")"
printf '%-22s %3s %6s %8s %8s %8s %38s %9s\n' "shape / run directory" -j floor "2 loops" "keep 2" \
	"flowrun" "flowrun vs floor, ms (target)" "peak KiB"
for shape in chain fan; do
	for where in disk mem; do
		base=$tmp
		[ "$where" = mem ] && base=$shm
		f1= f2= fk= r=
		for _ in 1 2 3; do
			keep_best f1 "$spawn_floor" 1000 /bin/true
			if [ "$shape" = fan ]; then
				keep_best f2 "$spawn_floor" -j 2 1000 /bin/true
				keep_best fk "$spawn_floor" -k 2 1000 /bin/true
			fi
			keep_best r run_once "$base" "$tmp/t$shape.json" 2
		done
		read -r wall _ _ peak <<< "$r"
		if [ "$shape" = chain ]; then
			target=1.3x
			[ "$where" = mem ] && target=1.15x
			vs="$(ratio "$wall" "$f1") floor ($target)"
			f2=- fk=-
		else
			vs="$(ratio "$((wall * 2))" "$f1") floor/2"
			[ "$where" = disk ] && vs="$vs (1.2x)"
			vs="$vs, $(ratio "$wall" "$f2") 2 loops"
		fi
		printf '%-22s %3s %6s %8s %8s %8s %38s %9s\n' "$shape / ${!where}" 2 "$f1" "$f2" "$fk" \
			"$wall" "$vs" "$peak"
	done
done
rm -rf "$tmp"/run-* "$shm"/run-*

# 3.: a layered DAG, 4 wide and 250 layers deep; every task from the second
# layer on adds the results of two tasks of the layer before. As one flow
# of 1,000 tasks, and as 1,000 flows of one task each, composed, whose two
# inputs are parameters mapped raw from the parents' tasks. dag_floor runs
# the same commands in the same dependency order, output through a pipe.
script='echo $((($1 + $2) % 1000))'
awk -v s="$script" 'BEGIN { print "name: dag\nproject_name: b\ntasks:"
	for (l = 1; l <= 250; l++) for (w = 0; w < 4; w++) {
		if (l == 1) { a = "\"" w + 1 "\""; b = "\"" w + 2 "\"" }
		else { a = "\"${{ tasks.t" l - 1 "_" w " }}\""; b = "\"${{ tasks.t" l - 1 "_" (w + 1) % 4 " }}\"" }
		printf "  - {name: t%d_%d, result: int, run: [sh, -c, '\''%s'\'', sh, %s, %s]}\n", l, w, s, a, b
	}
	print "---\nname: c\nproject_name: b\ncomposing_flows: [{name: dag, project_name: b}]" }' \
	> "$tmp/dag.yaml"
awk -v s="$script" 'BEGIN {
	for (l = 1; l <= 250; l++) for (w = 0; w < 4; w++) {
		printf "name: f%d_%d\nproject_name: b\n", l, w
		if (l == 1) { a = "\"" w + 1 "\""; b = "\"" w + 2 "\"" }
		else { print "parameters: {a: int, b: int}"; a = "\"${{ params.a }}\""; b = "\"${{ params.b }}\"" }
		printf "tasks: [{name: t, result: int, run: [sh, -c, '\''%s'\'', sh, %s, %s]}]\n---\n", s, a, b
	}
	print "name: all\nproject_name: b\ncomposing_flows:"
	for (l = 1; l <= 250; l++) for (w = 0; w < 4; w++) {
		printf "  - {name: f%d_%d, project_name: b", l, w
		if (l > 1) printf ", mapped_parameters: {a: {parent_flow_name: f%d_%d, parent_task_name: t}, b: {parent_flow_name: f%d_%d, parent_task_name: t}}", l - 1, w, l - 1, (w + 1) % 4
		print "}"
	}
}' > "$tmp/dagflows.yaml"
awk -v s="$script" 'BEGIN { for (l = 1; l <= 250; l++) for (w = 0; w < 4; w++) {
	if (l == 1) { a = w + 1; b = w + 2 } else { a = "@" (l - 2) * 4 + w; b = "@" (l - 2) * 4 + (w + 1) % 4 }
	printf "sh\t-c\t%s\tsh\t%s\t%s\n", s, a, b } }' > "$tmp/dag.cmds"
"$flowc" compile -o "$tmp/dag.json" "$tmp/dag.yaml"
"$flowc" compile -o "$tmp/dagflows.json" "$tmp/dagflows.yaml"
# check_dag DIR PLAN FLOW/TASK: flowrun's last run of PLAN in DIR computed
# what dag_floor did
check_dag() {
	local got
	got=$("$flowrun" result "$1/run-$2" "$3")
	[ "$got" = "${fl#* }" ] ||
		{ echo "bench: $3 is $got in flowrun's run of $2, ${fl#* } in dag_floor's" >&2; exit 1; }
}
dag_row() { # LABEL J FLOOR FLOWRUN VS
	printf '%-28s %3s %8s %8s %34s %9s\n' "$1" "$2" "${3%% *}" "${4%% *}" "$5" "$(echo "$4" | cut -d' ' -f4)"
}
echo
echo "layered DAG, 4 wide x 250 layers, 1,000 tasks [sh, -c, '$script', sh, A, B]," \
	"A and B the results of two tasks of the layer before."
echo "Floor: dag_floor, the same commands in the same order, stdout through a pipe."
printf '%-28s %3s %8s %8s %34s %9s\n' "plan / run directory" -j "floor ms" "flowrun" \
	"flowrun vs (target)" "peak KiB"
for where in disk mem; do
	base=$tmp
	[ "$where" = mem ] && base=$shm
	for j in 1 2; do
		[ "$where/$j" = mem/2 ] && continue
		fl= one= many=
		for _ in 1 2 3; do
			keep_best fl "$dag_floor" $j "$tmp/dag.cmds"
			keep_best one run_once "$base" "$tmp/dag.json" $j
			[ $j = 1 ] && keep_best many run_once "$base" "$tmp/dagflows.json" 1
		done
		check_dag "$base" dag dag/t250_3
		vs="$(ratio "${one%% *}" "${fl%% *}") floor"
		[ "$where" = disk ] && vs="$vs (1.3x)"
		dag_row "1 flow / ${!where}" $j "$fl" "$one" "$vs"
		if [ $j = 1 ]; then
			check_dag "$base" dagflows f250_3/t
			dag_row "1,000 flows / ${!where}" 1 "$fl" "$many" \
				"$(ratio "${many%% *}" "${fl%% *}") floor, $(ratio "${many%% *}" "${one%% *}") 1 flow (1.1x)"
		fi
	done
done
rm -rf "$tmp"/run-* "$shm"/run-*

# 4.: 100,000 trivial tasks as a fan-out, -j 2, run directory on tmpfs:
# flowrun's own CPU time per task and its peak memory, those of loading
# the plan alone (--dry-run), and the own CPU of spawn_floor keeping 2
# running (10,000 of them), the floor under the first
awk 'BEGIN { print "name: fan\nproject_name: b\ntasks:"
	for (i = 1; i <= 100000; i++) printf "  - {name: t%d, run: [/bin/true]}\n", i
	print "---\nname: c\nproject_name: b\ncomposing_flows: [{name: fan, project_name: b}]" }' \
	> "$tmp/tfan100k.yaml"
"$flowc" compile -o "$tmp/tfan100k.json" "$tmp/tfan100k.yaml"
rm -f "$tmp/tfan100k.yaml"
echo
echo "flowrun, 100,000 /bin/true tasks as a fan-out, -j 2, run directory on $mem, plan" \
	"$(( $(wc -c < "$tmp/tfan100k.json") / 1024 )) KiB; own CPU (children excluded), one run each:"
big_row() { # LABEL TASKS "WALL USER SYS PEAK" [CPU-NOTE [PEAK-NOTE]]
	local wall user sys peak
	read -r wall user sys peak <<< "$3"
	printf '%-28s %8s %8s %8s %18s %24s\n' "$1" "$wall" "$user" "$sys" \
		"$(awk -v u="$user" -v s="$sys" -v n="$2" 'BEGIN { printf "%.1f", (u + s) * 1000 / n }')${4:-}" \
		"$peak${5:+ ($(awk -v p="$peak" 'BEGIN { printf "%.0f", p / 1024 }') MiB$5)}"
}
printf '%-28s %8s %8s %8s %18s %24s\n' "" "wall ms" "user ms" "sys ms" "CPU us/task" "peak KiB"
r=$(cd "$shm" && "$own_usage" "$flowrun" run "$tmp/tfan100k.json" --dry-run)
big_row "flowrun, plan loading only" 100000 "$r" "" ""
r=$(run_once "$shm" "$tmp/tfan100k.json" 2)
big_row "flowrun run" 100000 "$r" " (target 20)" ", target 64"
r=$("$own_usage" "$spawn_floor" -k 2 10000 /bin/true)
big_row "floor: keep 2, 10,000 tasks" 10000 "$r"
rm -rf "$shm"

# 5.: one task writing 1 GB to its standard output (its result through
# FLOWRUN_RESULT), run directory on the disk, the default --max-log (1 GiB,
# so all of it is kept): flowrun's peak memory must not grow with it
awk 'BEGIN {
	printf "name: out\nproject_name: b\ntasks:\n"
	printf "  - {name: t, result: int, shell: '\''head -c 1000000000 /dev/zero; echo 1 > \"$FLOWRUN_RESULT\"'\''}\n"
	printf "---\nname: all\nproject_name: b\ncomposing_flows: [{name: out, project_name: b}]\n"
}' > "$tmp/out1g.yaml"
"$flowc" compile -o "$tmp/out1g.json" "$tmp/out1g.yaml"
r=$(run_once "$tmp" "$tmp/out1g.json" 1)
read -r wall user sys peak <<< "$r"
echo
echo "flowrun, one task writing 1 GB to standard output (kept in the run directory):" \
	"$wall ms wall, own CPU $((user + sys)) ms, peak $peak KiB ($((peak / 1024)) MiB, target 64)"
[ "$(wc -c < "$tmp/run-out1g/tasks/out.t.stdout")" -eq 1000000000 ] ||
	{ echo "bench: the 1 GB of output was not kept whole" >&2; exit 1; }
rm -rf "$tmp/run-out1g"

# 6.: run --reuse: a chain of 5,000 flows of two tasks (10,000 tasks) run
# once on tmpfs, then what a run of the same plan, and of the plan with
# the first task of the middle flow edited, would reuse from it. REUSE_BENCH
# times reading the earlier run (plan, run.json, journal) and deciding
# apart (best of 3): the decision computes the key of every task it may
# reuse, as the run would.
awk -v n=5000 'BEGIN {
	for (i = 1; i <= n; i++) {
		printf "name: f%d\nproject_name: bench\nparameters:\n  x: string\n  y: {type: int, default: 1}\n", i
		printf "tasks:\n  - {name: a, run: [echo, \"${{ params.x }}\"]}\n"
		printf "  - {name: b, run: [echo, \"%d\"], with: {v: \"${{ tasks.a }}\", n: \"${{ params.y }}\"}}\n---\n", i
	}
	printf "name: all\nproject_name: bench\ncomposing_flows:\n  - {name: f1, project_name: bench}\n"
	for (i = 2; i <= n; i++)
		printf "  - name: f%d\n    project_name: bench\n    mapped_parameters:\n      x: {parent_flow_name: f%d, parent_task_name: b}\n", i, i - 1
}' > "$tmp/reuse.yaml"
awk '/^name: f2500$/ { f = 1 } f && /name: a, run: \[echo/ { sub(/\[echo/, "[/bin/echo"); f = 0 } { print }' \
	"$tmp/reuse.yaml" > "$tmp/reuse_edited.yaml"
"$flowc" compile -o "$tmp/reuse.json" "$tmp/reuse.yaml"
"$flowc" compile -o "$tmp/reuse_edited.json" "$tmp/reuse_edited.yaml"
rdir=$(mktemp -d /dev/shm/flowrun-bench.XXXXXX)
"$flowrun" run "$tmp/reuse.json" -j 2 --run-dir "$rdir/r" -p f1-x=hi > /dev/null 2>&1 ||
	{ echo "bench: the 10,000-task run for --reuse failed" >&2; exit 1; }
echo
echo "run --reuse, 10,000 tasks against an earlier run of 10,000 (journal $(( $(cat "$rdir"/r/journal/* | wc -c) / 1024 )) KiB):"
for plan in reuse reuse_edited; do
	read -r rd dec reused total <<< "$("$reuse_bench" "$tmp/$plan.json" "$rdir/r")"
	[ "$plan" = reuse ] && [ "$reused" != 10000 ] &&
		{ echo "bench: the unchanged plan reused $reused of 10000 tasks" >&2; exit 1; }
	[ "$plan" = reuse_edited ] && [ "$reused" != 4998 ] &&
		{ echo "bench: the edited plan reused $reused of 10000 tasks, not 4998" >&2; exit 1; }
	echo "  $plan: reading the earlier run $rd ms, deciding $dec ms (target 100): $reused of $total reused;" \
		"the whole dry run $(best_ms "$flowrun" run "$tmp/$plan.json" --dry-run --reuse "$rdir/r" -p f1-x=hi) ms"
done
rm -rf "$rdir"

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
# containers: N tasks of `true` in a busybox image, one after another
# (-j 1), through podman, against a loop of bare `podman run --rm IMAGE
# true` and a loop of the very command line flowrun ran (logged by a
# podman on PATH that records its arguments, then runs the real one).
# Rounds alternate, the best of 3 is kept.
if command -v podman > /dev/null; then
	root=$(pwd)
	export CONTAINERS_CONF=$root/tests/container/containers.conf
	source "$root/tests/container/images.sh"
	build_images
	image=localhost/flowrun-test-busybox:1
	n=20
	mkdir -p "$tmp/ct/fake"
	awk -v n=$n -v image=$image 'BEGIN {
		printf "name: c\nproject_name: bench\nimage: %s\ntasks:\n", image
		for (i = 1; i <= n; i++) {
			printf "  - {name: t%d, run: [\"true\"]", i
			if (i > 1) printf ", depends_on: [t%d]", i - 1
			printf "}\n"
		}
		printf "---\nname: all\nproject_name: bench\ncomposing_flows: [{name: c, project_name: bench}]\n"
	}' > "$tmp/ct/c.yaml"
	"$flowc" compile -o "$tmp/ct/c.json" "$tmp/ct/c.yaml"
	real=$(command -v podman)
	printf '#!/bin/sh\n[ "$1" = run ] && printf "%%s\\n" "$@" > %s/ct/argv\nexec %s "$@"\n' "$tmp" "$real" \
		> "$tmp/ct/fake/podman"
	chmod 755 "$tmp/ct/fake/podman"
	(cd "$tmp/ct" && PATH=$tmp/ct/fake:$PATH "$flowrun" run c.json --run-dir logged -j 1 > /dev/null)
	mapfile -t argv < "$tmp/ct/argv"
	bare_loop() { for _ in $(seq $n); do podman run --rm "$image" true; done; }
	same_loop() { for _ in $(seq $n); do podman "${argv[@]}" < /dev/null; done; }
	best_f= best_b= best_s=
	for round in 1 2 3; do
		start=$(date +%s%N)
		(cd "$tmp/ct" && rm -rf run && "$flowrun" run c.json --run-dir run -j 1 > /dev/null)
		f=$(( ($(date +%s%N) - start) / 1000000 ))
		start=$(date +%s%N)
		bare_loop > /dev/null
		b=$(( ($(date +%s%N) - start) / 1000000 ))
		start=$(date +%s%N)
		(cd "$tmp/ct" && same_loop > /dev/null)
		c=$(( ($(date +%s%N) - start) / 1000000 ))
		if [ -z "$best_f" ] || [ $f -lt $best_f ]; then best_f=$f; fi
		if [ -z "$best_b" ] || [ $b -lt $best_b ]; then best_b=$b; fi
		if [ -z "$best_s" ] || [ $c -lt $best_s ]; then best_s=$c; fi
	done
	[ -z "$(podman ps -aq)" ] || { echo "bench: containers were left" >&2; exit 1; }
	echo
	echo "Containers (podman $(podman --version | awk '{print $3}')), $n tasks of true in $image, -j 1:"
	printf '%-48s %10s %12s\n' "" "total ms" "ms per task"
	printf '%-48s %10s %12s\n' "flowrun run" "$best_f" "$(( best_f / n ))"
	printf '%-48s %10s %12s\n' "loop of podman run --rm IMAGE true" "$best_b" "$(( best_b / n ))"
	printf '%-48s %10s %12s\n' "loop of flowrun's own podman command line" "$best_s" "$(( best_s / n ))"
	echo "flowrun over its own command line: $(awk -v a=$best_f -v b=$best_s \
		'BEGIN { printf "%+.1f%%", (a - b) * 100 / b }'); over a bare run: $(awk -v a=$best_f \
		-v b=$best_b 'BEGIN { printf "%+.1f%%", (a - b) * 100 / b }') (target: at most +5%)"
	unset CONTAINERS_CONF
else
	echo "Containers: not measured (needs podman: make deps)"
fi

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
