#!/bin/bash
# plan_test.sh FLOWC FLOWRUN: the plan is deterministic (the same bytes
# whatever the order of files and -I directories), matches the committed
# plans byte for byte, is written atomically and runs --dry-run where no
# spec file exists; and flowc checks a string of 500,000 references quickly.
set -u
source "$(dirname "$0")/lib.sh"
suite_start "$1" "$2"
lume=$root/specs/examples/lume

expect_same() { # NAME FILE FILE
	ncheck=$((ncheck + 1))
	if ! cmp -s "$2" "$3"; then
		echo "FAIL $1: $2 and $3 differ"
		nfail=$((nfail + 1))
	fi
}

# the committed lume plan is what flowc writes
"$flowc" compile -I "$lume" -o "$tmp/lume.json" "$lume/flow_of_flows.yaml" || nfail=$((nfail + 1))
expect_same "lume plan is the committed one" "$root/tests/plans/lume.json" "$tmp/lume.json"

"$flowc" compile -o "$tmp/features.json" "$root/tests/golden/cases/plan_features.yaml" || nfail=$((nfail + 1))
expect_same "features plan is the committed one" "$root/tests/plans/features.json" "$tmp/features.json"

# keys that need escaping (a quote, a backslash, control characters,
# beyond ASCII) in a task's input object, written as jansson writes them
"$flowc" compile -o "$tmp/escaped.json" "$root/tests/plans/escaped_keys.yaml" || nfail=$((nfail + 1))
expect_same "escaped keys plan is the committed one" "$root/tests/plans/escaped_keys.json" "$tmp/escaped.json"

# the same plan from every arrangement of the inputs
mkdir -p "$tmp/a" "$tmp/b" "$tmp/c"
cp "$lume/flow1.yaml" "$lume/flow3.yaml" "$tmp/a/"
cp "$lume/flow2.yaml" "$tmp/b/"
cp "$lume/flow_of_flows.yaml" "$tmp/c/"
i=0
for args in "-I $tmp/a -I $tmp/b $tmp/c/flow_of_flows.yaml" \
	    "-I $tmp/b -I $tmp/a $tmp/c/flow_of_flows.yaml" \
	    "$tmp/c/flow_of_flows.yaml $tmp/a/flow3.yaml $tmp/b/flow2.yaml $tmp/a/flow1.yaml" \
	    "$tmp/a/flow1.yaml $tmp/b/flow2.yaml $tmp/a/flow3.yaml $tmp/c/flow_of_flows.yaml" \
	    "-I $tmp/a $tmp/b/flow2.yaml $tmp/c/flow_of_flows.yaml -I $tmp/c"; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	(cd "$tmp" && "$flowc" compile $args > "$tmp/shuffled$i.json") || nfail=$((nfail + 1))
	expect_same "lume plan, input order $i" "$root/tests/plans/lume.json" "$tmp/shuffled$i.json"
done

# nested flows of flows (two and three levels): the committed plans, from
# every arrangement of files and -I directories, and from one file with
# every document and every composing_flows list in another order
nested=$root/specs/examples/nested
"$flowc" compile -I "$lume" -I "$nested" -o "$tmp/beamline.json" "$nested/beamline.yaml" ||
	nfail=$((nfail + 1))
expect_same "two-level plan is the committed one" "$root/tests/plans/beamline.json" "$tmp/beamline.json"
"$flowc" compile -I "$lume" -I "$nested" -o "$tmp/facility.json" "$nested/facility.yaml" ||
	nfail=$((nfail + 1))
expect_same "three-level plan is the committed one" "$root/tests/plans/facility.json" "$tmp/facility.json"
i=0
for args in "-I $nested -I $lume $nested/facility.yaml" \
	    "$lume/flow3.yaml $nested/report.yaml $nested/facility.yaml -I $lume $nested/beamline.yaml $nested/source.yaml" \
	    "$nested/source.yaml $nested/report.yaml $nested/beamline.yaml $nested/facility.yaml $lume/flow_of_flows.yaml $lume/flow2.yaml $lume/flow1.yaml $lume/flow3.yaml"; do
	i=$((i + 1))
	# shellcheck disable=SC2086
	"$flowc" compile --flow facility $args > "$tmp/nested$i.json" || nfail=$((nfail + 1))
	expect_same "three-level plan, input order $i" "$root/tests/plans/facility.json" "$tmp/nested$i.json"
done
for f in facility:facility beamline:beamline flow_of_flows:lume; do
	"$flowc" compile --flow "${f%%:*}" "$root/tests/plans/reordered/all.yaml" > "$tmp/reordered.json" ||
		nfail=$((nfail + 1))
	expect_same "${f%%:*} plan, documents and listings reordered" \
		"$root/tests/plans/${f##*:}.json" "$tmp/reordered.json"
done

# a bundle (the plan with the scripts its task runs) is the committed one
"$flowc" compile --bundle "$tmp/bundle.json" "$root/tests/run/bundle/flows.yaml" || nfail=$((nfail + 1))
expect_same "bundle is the committed one" "$root/tests/plans/bundle.json" "$tmp/bundle.json"

# one document per file, files in every rotation
awk -v dir="$tmp/split" 'BEGIN { n = 0; system("mkdir -p " dir) }
	/^---$/ { n++; next } { print > (dir "/doc" n ".yaml") }' \
	"$root/tests/golden/cases/plan_features.yaml"
"$flowc" compile "$root/tests/golden/cases/plan_features.yaml" > "$tmp/features.json" || nfail=$((nfail + 1))
docs=("$tmp"/split/doc*.yaml)
for r in 0 1 2 3; do
	rotated=("${docs[@]:r}" "${docs[@]:0:r}")
	"$flowc" compile --flow pipeline "${rotated[@]}" > "$tmp/rot$r.json" || nfail=$((nfail + 1))
	expect_same "features plan, rotation $r" "$tmp/features.json" "$tmp/rot$r.json"
done

# -o replaces the file only when complete: a failed compile leaves it alone
cp "$tmp/lume.json" "$tmp/kept.json"
"$flowc" compile -o "$tmp/kept.json" "$root/tests/golden/cases/flow_cycle.yaml" \
	"$root/tests/golden/cases/mappings.yaml" 2> /dev/null
expect_same "failed compile keeps the old plan" "$tmp/lume.json" "$tmp/kept.json"
ncheck=$((ncheck + 1))
if ls "$tmp"/kept.json.tmp.* > /dev/null 2>&1; then
	echo "FAIL a temporary file was left behind"
	nfail=$((nfail + 1))
fi

# -o onto what is not a regular file writes to it, never replaces it
# (as root, a rename over /dev/null would replace the device)
mkfifo "$tmp/fifo"
cat "$tmp/fifo" > "$tmp/from_fifo" &
reader=$!
"$flowc" compile -o "$tmp/fifo" -I "$root/specs/examples/lume" "$root/specs/examples/lume/flow_of_flows.yaml"
wait "$reader"
ncheck=$((ncheck + 1))
if [ ! -p "$tmp/fifo" ] || ! cmp -s "$tmp/from_fifo" "$tmp/lume.json"; then
	echo "FAIL -o onto a FIFO: the FIFO was replaced, or its reader did not get the plan"
	nfail=$((nfail + 1))
fi
ncheck=$((ncheck + 1))
(umask 077 && "$flowc" compile -o "$tmp/private.json" -I "$root/specs/examples/lume" \
	"$root/specs/examples/lume/flow_of_flows.yaml")
if [ "$(stat -c %a "$tmp/private.json")" != 600 ]; then
	echo "FAIL a plan written under umask 077 is $(stat -c %a "$tmp/private.json"), not 600"
	nfail=$((nfail + 1))
fi

# a write that fails part way through the plan, as its flows are written
# (past the file size limit: EFBIG, or SIGXFSZ where it is not ignored),
# leaves neither a partial plan nor a temporary file, and keeps the plan
# that was there
{ for i in $(seq 1 300); do
	printf 'name: f%d\nproject_name: big\ntasks:\n  - {name: a, run: [echo, "%d"]}\n---\n' "$i" "$i"
  done
  printf 'name: big\nproject_name: big\ncomposing_flows:\n'
  for i in $(seq 1 300); do printf '  - {name: f%d, project_name: big}\n' "$i"; done; } > "$tmp/big.yaml"
"$flowc" compile -o "$tmp/big.json" "$tmp/big.yaml" || nfail=$((nfail + 1))
ncheck=$((ncheck + 1))
if [ "$(stat -c %s "$tmp/big.json")" -lt 32768 ]; then
	echo "FAIL the plan of 300 flows is not larger than 32 KiB: the limit below is not reached"
	nfail=$((nfail + 1))
fi
cp "$tmp/lume.json" "$tmp/kept.json"
(trap '' XFSZ; ulimit -f 8; exec "$flowc" compile -o "$tmp/kept.json" "$tmp/big.yaml") 2> "$tmp/efbig.err"
rc=$?
ncheck=$((ncheck + 1))
if [ $rc -ne 2 ] || ! grep -qF "flowc: cannot write '$tmp/kept.json': File too large" "$tmp/efbig.err"; then
	echo "FAIL a write past the file size limit: exit $rc, not 2 naming the file: $(cat "$tmp/efbig.err")"
	nfail=$((nfail + 1))
fi
expect_same "a failed write keeps the old plan" "$tmp/lume.json" "$tmp/kept.json"
ncheck=$((ncheck + 1))
if ls "$tmp"/kept.json.tmp.* > /dev/null 2>&1; then
	echo "FAIL a failed write left its temporary file behind"
	nfail=$((nfail + 1))
fi
{ (ulimit -c 0; ulimit -f 8; exec "$flowc" compile -o "$tmp/kept.json" "$tmp/big.yaml"); rc=$?; } 2> /dev/null
ncheck=$((ncheck + 1))
if [ $rc -ne $((128 + $(kill -l XFSZ))) ]; then
	echo "FAIL a write past the file size limit was not ended by SIGXFSZ (exit $rc)"
	nfail=$((nfail + 1))
fi
expect_same "a write ended by a signal keeps the old plan" "$tmp/lume.json" "$tmp/kept.json"
ncheck=$((ncheck + 1))
if ls "$tmp"/kept.json.tmp.* > /dev/null 2>&1; then
	echo "FAIL a write ended by a signal left its temporary file behind"
	nfail=$((nfail + 1))
fi
# a plan that cannot be written anywhere names where, and exits 2
for to in "-o /dev/full:cannot write '/dev/full': No space left on device" \
	  "-o $tmp/nodir/plan.json:cannot write '$tmp/nodir/plan.json': No such file or directory" \
	  ":cannot write to standard output: No space left on device"; do
	# shellcheck disable=SC2086
	"$flowc" compile ${to%%:*} "$tmp/big.yaml" > /dev/full 2> "$tmp/nowhere.err"
	rc=$?
	ncheck=$((ncheck + 1))
	if [ $rc -ne 2 ] || [ "$(cat "$tmp/nowhere.err")" != "flowc: ${to#*:}" ]; then
		echo "FAIL compile ${to%%:*} onto a full or missing place: exit $rc: $(cat "$tmp/nowhere.err")"
		nfail=$((nfail + 1))
	fi
done
ncheck=$((ncheck + 1))
if [ -e "$tmp/nodir" ]; then
	echo "FAIL a plan for a missing directory made something there"
	nfail=$((nfail + 1))
fi

# a plan needs nothing but itself
mkdir -p "$tmp/empty"
cp "$root/tests/plans/lume.json" "$tmp/empty/plan.json"
ncheck=$((ncheck + 1))
out=$(cd "$tmp/empty" && "$flowrun" run plan.json --dry-run 2>&1)
if [ $? -ne 0 ] || ! grep -q '3. flow3 (after flow2)' <<< "$out" || [ "$(ls "$tmp/empty")" != plan.json ]; then
	echo "FAIL dry run from a directory without specs: $out"
	nfail=$((nfail + 1))
fi

# within_cpu NAME CMD...: CMD ends well in under a second of CPU time,
# flowc's own user and system time (wall time would measure whatever else
# the machine runs); a release build, the sanitizer build (whose path holds
# /san/ as `make check` passes it) is allowed ten. A quadratic flowc is
# stopped at ten times the limit.
within_cpu() {
	local name=$1 limit_ms=1000 rc cpu_ms
	shift
	case $flowc in */san/*) limit_ms=10000 ;; esac
	ncheck=$((ncheck + 1))
	TIMEFORMAT='%U %S'
	{ time timeout $((limit_ms / 100)) "$@" > "$tmp/cpu.out" 2>&1; } 2> "$tmp/cpu.time"
	rc=$?
	unset TIMEFORMAT
	cpu_ms=$(awk '{ printf "%d", ($1 + $2) * 1000 }' "$tmp/cpu.time")
	if [ "$rc" -ne 0 ] || [ "$cpu_ms" -ge "$limit_ms" ]; then
		echo "FAIL $name: exit $rc in $cpu_ms ms of CPU (limit $limit_ms ms): $(head -c 200 "$tmp/cpu.out")"
		nfail=$((nfail + 1))
	fi
}

# positions of references are found in linear time: one string holding
# 500,000 references
{ printf 'name: many\nproject_name: p\nparameters: {x: string}\n'
  printf 'tasks:\n  - name: t\n    run: [echo, "'
  yes '${{ params.x }}' | head -n 500000 | tr -d '\n'
  printf '"]\n'; } > "$tmp/many_refs.yaml"
within_cpu "500,000 references in one string" "$flowc" check "$tmp/many_refs.yaml"
# a task's environment is written in linear time: 100,000 variables
{ printf 'name: envs\nproject_name: p\ntasks:\n  - name: t\n    run: [env]\n    env:\n'
  seq 1 100000 | sed 's/.*/      V&: x/'; } > "$tmp/many_env.yaml"
within_cpu "a task with 100,000 environment variables" \
	"$flowc" compile -o "$tmp/many_env.json" "$tmp/many_env.yaml"

# a large file (over 1 MiB) is parsed in runs by two threads, its
# documents read by the thread that parsed them, and a large plan's flows
# written by two threads, where two CPUs are there: the plan is the same
# bytes as one thread writes (taskset to one CPU), flowrun verifies it, and
# its composed parameters (one per flow) are numbered in plan order across
# the runs of flows the threads take. One CPU only: both runs take the
# one-thread path.
awk 'BEGIN {
	for (i = 1; i <= 3500; i++) {
		printf "name: f%d\nproject_name: p\nparameters:\n  x: string\n  y: {type: int, default: %d}\n", i, i
		printf "tasks:\n  - {name: a, run: [echo, \"${{ params.x }}\"]}\n"
		printf "  - {name: b, run: [cat], with: {v: \"${{ tasks.a }}\", n: \"${{ params.y }}\"}}\n---\n"
	}
	printf "name: all\nproject_name: p\ncomposing_flows:\n  - {name: f1, project_name: p}\n"
	for (i = 2; i <= 3500; i++)
		printf "  - name: f%d\n    project_name: p\n    mapped_parameters:\n      x: {parent_flow_name: f%d, parent_task_name: b}\n", i, i % 2 ? i - 1 : 1
}' > "$tmp/large.yaml"
check "the large spec is over 1 MiB" test "$(wc -c < "$tmp/large.yaml")" -gt 1048576
"$flowc" compile -o "$tmp/large.json" "$tmp/large.yaml" || nfail=$((nfail + 1))
taskset -c 0 "$flowc" compile -o "$tmp/large1.json" "$tmp/large.yaml" || nfail=$((nfail + 1))
expect_same "a large plan is the same whether one thread or two write it" \
	"$tmp/large.json" "$tmp/large1.json"
check "... and it verifies" "$flowrun" run "$tmp/large.json" --dry-run
check "... its composed parameters numbered in plan order" python3 -c '
import json, sys
plan = json.load(open(sys.argv[1]))
seen = []
for f in plan["flows"]:
    for p in f["params"]:
        if "input" in p["source"]:
            i = p["source"]["input"]
            seen.append(i)
            q = plan["params"][i]
            assert q["name"] == f["name"] + "-" + p["name"], (f["name"], q)
            if p["name"] == "y":
                assert q["default"] == int(f["name"][1:]), (f["name"], q)
assert seen == list(range(3501)), seen[:10]
' "$tmp/large.json"

# a large set (over 1 MiB) is parsed, its documents read and its flows
# checked by two threads where two CPUs are there, the second checking
# while the first resolves the flow of flows: errors of every per-flow
# check (references to nothing, a bad type, type mismatches, a cycle of
# tasks, an unknown key) throughout, two on one line, a flow defined
# again near the end (reported there, the first one kept), and entries
# naming no flow, mappings into no parameter, from no composing flow and
# from no task, give the same report, in the same order, as one thread
# gives
awk 'BEGIN {
	for (i = 1; i <= 5000; i++) {
		printf "name: f%d\nproject_name: p\nparameters:\n  x: string\n", i
		if (i % 701 == 0) printf "  y: {type: \"lst[int]\"}\n"
		if (i % 503 == 0) printf "  z: {type: int, default: nope}\n"
		printf "tasks:\n  - {name: a, run: [echo, \"${{ params.%s }}\"]%s}\n", (i % 997 ? "x" : "w"), (i % 607 ? "" : ", depends_on: [b]")
		printf "  - {name: b, run: [cat], with: {v: \"${{ tasks.a.q }}${{ tasks.c }}\"}%s}\n---\n", (i % 409 ? "" : ", retires: 2")
	}
	printf "name: f7\nproject_name: p\ntasks: [{name: a, run: [echo]}]\n---\n"
	printf "name: all\nproject_name: p\ncomposing_flows:\n"
	for (i = 1; i <= 5000; i++) {
		printf "  - {name: %s%d, project_name: p", (i % 811 ? "f" : "g"), i
		if (i % 401 == 0) printf ", mapped_parameters: {%s: {parent_flow_name: %s%d, parent_task_name: %s}}",
			(i % 3 ? "x" : "nope"), (i % 2 ? "f" : "h"), i - 1, (i % 5 ? "b" : "zz")
		printf "}\n"
	}
}' > "$tmp/large_bad.yaml"
check "the large spec with errors is over 1 MiB" test "$(wc -c < "$tmp/large_bad.yaml")" -gt 1048576
"$flowc" check "$tmp/large_bad.yaml" > "$tmp/bad2.out" 2>&1
rc2=$?
taskset -c 0 "$flowc" check "$tmp/large_bad.yaml" > "$tmp/bad1.out" 2>&1
rc1=$?
check "a large spec with errors fails (exit 1), under one CPU too" test "$rc2.$rc1" = 1.1
expect_same "... with the same report whether one thread or two check it" \
	"$tmp/bad1.out" "$tmp/bad2.out"
check "... which holds every kind of error" bash -c 'for c in E0102 E0110 E0111 E0114 E0301 E0302 E0303 E0202 E0201 E0203 E0204 E0205; do
	grep -q "\[$c\]" "$1" || { echo "no $c"; exit 1; }; done' _ "$tmp/bad2.out"

# the same two specs each in two files under 1 MiB, which one thread
# parses and two read by halves of their nodes: the same plan as from one
# file, and the same report as one thread gives
halves() {
	awk -v a="$2" -v b="$3" -v at="$4" 'BEGIN { out = a } $0 == "name: " at { out = b } { print > out }' "$1"
}
halves "$tmp/large.yaml" "$tmp/large_a.yaml" "$tmp/large_b.yaml" f1751
"$flowc" compile -o "$tmp/large2.json" "$tmp/large_a.yaml" "$tmp/large_b.yaml" || nfail=$((nfail + 1))
expect_same "a large spec in two files gives the plan it gives in one" "$tmp/large.json" "$tmp/large2.json"
halves "$tmp/large_bad.yaml" "$tmp/bad_a.yaml" "$tmp/bad_b.yaml" f2501
"$flowc" check "$tmp/bad_a.yaml" "$tmp/bad_b.yaml" > "$tmp/bad2f.out" 2>&1
taskset -c 0 "$flowc" check "$tmp/bad_a.yaml" "$tmp/bad_b.yaml" > "$tmp/bad1f.out" 2>&1
expect_same "... and a large spec with errors in two files the report one thread gives" \
	"$tmp/bad1f.out" "$tmp/bad2f.out"
check "... a report of every kind of error, in both files" bash -c 'grep -q "bad_a.yaml.*\[E0102\]" "$1" &&
	grep -q "bad_b.yaml.*\[E0102\]" "$1" && grep -q "bad_b.yaml.*\[E0202\]" "$1"' _ "$tmp/bad2f.out"

# a spec of 2 MiB or more is read into memory of its own, aligned on
# 2 MiB pages; through a pipe it is read as a smaller one is: the same
# plan either way, and with errors the same reports (lines shown only
# from the file, which can be read again)
awk 'BEGIN {
	for (i = 1; i <= 8000; i++) {
		printf "name: f%d\nproject_name: p\nparameters:\n  x: string\n", i
		printf "tasks:\n  - {name: a, run: [echo, \"${{ params.%s }}\"]}\n", (i % 1999 ? "x" : "w")
		printf "  - {name: b, run: [cat], with: {v: \"${{ tasks.a }}\"}}\n---\n"
	}
	printf "name: all\nproject_name: p\ncomposing_flows:\n  - {name: f1, project_name: p}\n"
	for (i = 2; i <= 8000; i++)
		printf "  - name: f%d\n    project_name: p\n    mapped_parameters:\n      x: {parent_flow_name: f%d, parent_task_name: b}\n", i, i - 1
}' > "$tmp/big_bad.yaml"
sed 's/params\.w/params.x/' "$tmp/big_bad.yaml" > "$tmp/big.yaml"
check "the spec read into memory of its own is 2 MiB or more" test "$(wc -c < "$tmp/big.yaml")" -ge 2097152
"$flowc" compile -o "$tmp/big.json" "$tmp/big.yaml" || nfail=$((nfail + 1))
cat "$tmp/big.yaml" | "$flowc" compile -o "$tmp/big_pipe.json" /dev/stdin || nfail=$((nfail + 1))
expect_same "a spec of 2 MiB or more gives the plan it gives through a pipe" "$tmp/big.json" "$tmp/big_pipe.json"
check "... and it verifies" "$flowrun" run "$tmp/big.json" --dry-run
"$flowc" check "$tmp/big_bad.yaml" > "$tmp/big_bad.out" 2>&1
(cd "$tmp" && cat big_bad.yaml | "$flowc" check /dev/stdin) > "$tmp/big_bad_pipe.out" 2>&1
check "... with errors, the report it gives through a pipe" bash -c '
	test "$(grep -c "\[E0110\]" "$1")" = 4 &&
	diff <(grep "error\[" "$2" | sed "s#^/dev/stdin:#$3:#") <(grep "error\[" "$1")' \
	_ "$tmp/big_bad.out" "$tmp/big_bad_pipe.out" "$tmp/big_bad.yaml"

# a plan an earlier flowc wrote, its reals in 17 digits (0.050000000000000003),
# is verified the way it was written; its reals read as the same doubles
"$flowrun" run "$root/tests/plans/legacy_reals.json" --dry-run > "$tmp/legacy.out" 2>&1
check "a plan written with 17-digit reals still verifies" test $? -eq 0
check "... and its defaults print in their shortest form" has "$tmp/legacy.out" 'floats-rate +float +default 0.05$'
"$flowc" compile "$root/tests/golden/cases/floats.yaml" > "$tmp/floats_now.json"
check "the same specs compiled today give shortest reals and another hash" \
	bash -c '! cmp -s "$1" "$2" && grep -q "\"default\":0.05," "$2"' _ "$root/tests/plans/legacy_reals.json" \
	"$tmp/floats_now.json"

# numbers at the edges of what a plan holds keep their values (one past
# them is E0115: golden case number_range)
cat > "$tmp/edges.yaml" <<'EOF'
name: edges
project_name: test
parameters:
  n: {type: "list[float]", default: [9223372036854775807, -9223372036854775808, 0e-999, 1e308, 4.9e-324]}
tasks:
  - {name: a, run: [echo, 9223372036854775807, -9223372036854775808]}
EOF
"$flowc" compile -o "$tmp/edges.json" "$tmp/edges.yaml"
check "numbers at the edges compile" test $? -eq 0
check "... to the same values in the plan" python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))
assert p["params"][0]["default"] == [9223372036854775807, -9223372036854775808, 0.0, 1e308, 5e-324], p["params"]
argv = p["flows"][0]["tasks"][0]["argv"]
assert argv[1:] == [{"v": 9223372036854775807}, {"v": -9223372036854775808}], argv
' "$tmp/edges.json"

# colour of text diagnostics on a terminal (a pseudo-terminal from script)
bad=$root/tests/golden/cases/type_mismatch.yaml
on_tty() { # ENV... -- ARGS...: flowc's output on a terminal, with ENV set
	local env=()
	while [ "$1" != -- ]; do env+=("$1"); shift; done
	shift
	env "${env[@]}" TERM=xterm script -qec "$(printf '%q ' "$flowc" "$@")" /dev/null
}
esc=$(printf '\033')
check "on a terminal, diagnostics are coloured" \
	grep -q "$esc\[1;31merror" <(on_tty -- check "$bad")
check "NO_COLOR turns colour off on a terminal" \
	bash -c '! grep -q "$1" "$2"' _ "$esc" <(on_tty NO_COLOR=1 -- check "$bad")
check "an empty NO_COLOR does not" grep -q "$esc\[1;31merror" <(on_tty NO_COLOR= -- check "$bad")
check "TERM=dumb turns it off" \
	bash -c '! grep -q "$1" "$2"' _ "$esc" <(TERM=dumb script -qec "$flowc check $bad" /dev/null)
check "--color=always wins over NO_COLOR" \
	grep -q "$esc\[1;31merror" <(on_tty NO_COLOR=1 -- check --color=always "$bad")
check "--color=never on a terminal" \
	bash -c '! grep -q "$1" "$2"' _ "$esc" <(on_tty -- check --color=never "$bad")
check "not on a terminal: no colour" \
	bash -c '! grep -q "$1" "$2"' _ "$esc" <("$flowc" check "$bad" 2>&1)

report plans
