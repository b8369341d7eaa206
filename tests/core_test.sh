#!/bin/bash
# core_test.sh FLOWC FLOWRUN: the runtime's core under stress: timeouts and
# retry delays of a task that runs alone, one writer per run directory, two
# runs filling the cache at once, twenty job bodies writing one journal
# directory at once, SIGKILL at random moments then resume, a full disk, a
# hostile journal, a low limit of open files, the guard, a lonely task.
set -u
source "$(dirname "$0")/lib.sh"
suite_start "$1" "$2"
specs=$root/tests/core
mnt=$tmp/mnt
cleanup() {
	if mountpoint -q "$mnt" 2> /dev/null; then umount "$mnt"; fi
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" || exit 1

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

procs_with() { # STRING: pids of the processes whose command line holds STRING (from /proc)
	local p args
	for p in /proc/[0-9]*; do
		[ "${p#/proc/}" = "$$" ] && continue
		mapfile -d '' args 2> /dev/null < "$p/cmdline" || continue
		case " ${args[*]} " in *"$1"*) echo "${p#/proc/}" ;; esac
	done
}

gone_within() { # MS STRING: no process holds STRING, at the latest MS milliseconds from now
	local end=$(( $(now_ms) + $1 ))
	while [ -n "$(procs_with "$2")" ]; do
		if [ "$(now_ms)" -ge "$end" ]; then
			echo "  still running after $1 ms:"
			for p in $(procs_with "$2"); do echo "    $p: $(tr '\0' ' ' < /proc/$p/cmdline 2> /dev/null)"; done
			return 1
		fi
		sleep 0.05
	done
}

between() { # LOW VALUE HIGH: LOW <= VALUE < HIGH
	[ "$1" -le "$2" ] && [ "$2" -lt "$3" ] || { echo "  $2 is not in [$1, $3)"; return 1; }
}

is() { # WANT GOT: GOT is WANT
	[ "$1" = "$2" ] || { echo "  expected '$1', got '$2'"; return 1; }
}

# fanout NFLOWS NTASKS: a flow of flows 'fan' of NFLOWS independent flows
# f0.. of NTASKS independent tasks t0.., each {name: tN, $TASK}
fanout() {
	awk -v nf="$1" -v nt="$2" 'BEGIN {
		for (f = 0; f < nf; f++) {
			printf "---\nname: f%d\nproject_name: core\ntasks:\n", f
			for (t = 0; t < nt; t++)
				printf "  - {name: t%d, %s}\n", t, ENVIRON["TASK"]
		}
		printf "---\nname: fan\nproject_name: core\ncomposing_flows:\n"
		for (f = 0; f < nf; f++)
			printf "  - {name: f%d, project_name: core}\n", f
	}'
}

# journal checks, in Python: 'lines STRICT DIR...': every line of every
# journal file is a JSON object (with STRICT=0 a last line without its
# newline may be torn) and no line holds two events glued ('}{');
# 'bodies DIR NFLOWS NTASKS': after session 0 and one job body per flow in
# session 1, each body's file records a Success for every task of its flow
# that had none in session 0 ('missing'), and none of those ran again
# ('again')
cat > jcheck.py << 'EOF'
import glob, json, os, sys

def lines(strict, dirs):
    bad = 0
    for d in dirs:
        for path in sorted(glob.glob(os.path.join(d, "journal", "*.jsonl"))):
            data = open(path, "rb").read()
            parts = data.split(b"\n")
            for i, line in enumerate(parts):
                last = i == len(parts) - 1
                if last and line == b"":
                    continue
                if b"}{" in line:
                    print("  %s:%d: two events glued: %r" % (path, i + 1, line[:200])); bad += 1
                    continue
                if last and not strict:
                    continue
                if last:
                    print("  %s:%d: no newline at the end: %r" % (path, i + 1, line[:200])); bad += 1
                    continue
                try:
                    if not isinstance(json.loads(line), dict):
                        raise ValueError("not an object")
                except ValueError as e:
                    print("  %s:%d: %s: %r" % (path, i + 1, e, line[:200])); bad += 1
    return bad

def events(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.endswith("\n")]

def bodies(what, d, nflows, ntasks):
    before = set()
    for e in events(os.path.join(d, "journal", "0.jsonl")):
        if "task" in e and e.get("state") == "Success":
            before.add((e["flow"], e["task"]))
    bad = 0
    for f in range(nflows):
        path = os.path.join(d, "journal", "1.%d.0.jsonl" % f)
        if not os.path.exists(path):
            print("  no %s" % path); bad += 1
            continue
        evs = events(path)
        ok = {e["task"] for e in evs if e.get("flow") == f and "task" in e and e.get("state") == "Success"}
        ran = {e["task"] for e in evs if e.get("flow") == f and "task" in e and e.get("state") == "Running"}
        if what == "missing":
            miss = [t for t in range(ntasks) if (f, t) not in before and t not in ok]
            if miss:
                print("  %s: no Success for tasks %s" % (path, miss[:20])); bad += 1
        else:
            again = [t for t in range(ntasks) if (f, t) in before and t in ran]
            if again:
                print("  %s: tasks %s succeeded in session 0 and ran again" % (path, again[:20])); bad += 1
    return bad

if sys.argv[1] == "lines":
    sys.exit(1 if lines(sys.argv[2] == "1", sys.argv[3:]) else 0)
sys.exit(1 if bodies(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])) else 0)
EOF
jcheck() { python3 "$tmp/jcheck.py" "$@"; }

"$flowc" compile --flow fof_shell -o shell_sleep.json "$specs/timeouts.yaml" &&
	"$flowc" compile --flow fof_run -o run_sleep.json "$specs/timeouts.yaml" &&
	"$flowc" compile --flow fof_stubborn -o stubborn.json "$specs/timeouts.yaml" &&
	"$flowc" compile --flow fof_retry -o retry.json "$specs/timeouts.yaml" &&
	"$flowc" compile -o lock.json "$specs/lock.yaml" &&
	"$flowc" compile -o cache.json "$specs/cache.yaml" &&
	"$flowc" compile --flow fof_true -o lonely_true.json "$specs/lonely.yaml" &&
	"$flowc" compile --flow fof_builtin -o lonely_builtin.json "$specs/lonely.yaml" &&
	"$flowc" compile --flow fof_killed -o killed.json "$specs/lonely.yaml" &&
	"$flowc" compile -o dag.json "$specs/dag.yaml" || { echo "FAIL the specs compile"; exit 1; }

# ---- 1. timeouts and retry delays with nothing else running ----
for kind in shell_sleep run_sleep; do
	start=$(now_ms)
	"$flowrun" run $kind.json --run-dir $kind > $kind.out 2>&1
	status=$?
	elapsed=$(( $(now_ms) - start ))
	check "$kind: a lone task past its 500ms timeout fails the run" is 1 "$status"
	"$flowrun" status $kind > $kind.status 2>&1
	check "$kind: the lone task is recorded timed out" has $kind.status '/sleep +Failed .*timed out after 500 ms'
	check "$kind: the run ends within 1.5 s of its start ($elapsed ms)" between 0 "$elapsed" 1500
done

start=$(now_ms)
"$flowrun" run stubborn.json --run-dir stubborn > stubborn.out 2>&1
status=$?
elapsed=$(( $(now_ms) - start ))
check "a lone task ignoring SIGTERM fails the run" is 1 "$status"
"$flowrun" status stubborn > stubborn.status 2>&1
check "a lone task ignoring SIGTERM is recorded timed out" has stubborn.status 'stubborn/ignore_term +Failed .*timed out after 500 ms'
check "a lone task ignoring SIGTERM gets SIGKILL 5 s later ($elapsed ms)" between 5000 "$elapsed" 7000
check "nothing of the task ignoring SIGTERM is left" gone_within 0 "sleep 30.57"

start=$(now_ms)
"$flowrun" run retry.json --run-dir retry -p retry_once-times="$tmp/times" > retry.out 2>&1
status=$?
elapsed=$(( $(now_ms) - start ))
check "a lone task succeeds on its retry" is 0 "$status"
check "the lone task ran twice" is 2 "$(wc -l < times)"
check "a lone retry waits its 1s retry_delay, and not much more ($elapsed ms)" between 1000 "$elapsed" 1400
gap=$(awk 'NR == 1 { a = $1 } NR == 2 { print int(($1 - a) / 1000000) }' times)
check "the attempts started 1000 to 1100 ms apart (${gap:-?} ms)" between 1000 "${gap:-0}" 1100

# ---- 2. one writer per run directory ----
host=$(uname -n)
"$flowrun" run lock.json --run-dir locked -p held-mark="$tmp/marks" > locked.out 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -s marks ] && break; sleep 0.02; done
"$flowrun" resume locked > resume_live.out 2> resume_live.err
check "resume of a live run exits 2" is 2 $?
check "resume of a live run names its holder" has resume_live.err "in use by another flowrun \(pid $pid on $host\)"
"$flowrun" run lock.json --run-dir locked -p held-mark="$tmp/marks" > run_live.out 2> run_live.err
check "a second run into a live run's directory exits 2" is 2 $?
check "a second run into a live run's directory names its holder" has run_live.err "in use by another flowrun \(pid $pid on $host\)"
"$flowrun" status locked > status_live.out 2>&1
check "status of a live run says Running with its pid" has status_live.out "Running \(pid $pid on $host\)"
check "the first run was still running then" kill -0 $pid
wait $pid
check "the first run succeeds" is 0 $?
check "the locked run's task ran exactly once" is 1 "$(wc -l < marks)"
"$flowrun" run lock.json --run-dir locked -p held-mark="$tmp/marks" > run_done.out 2> run_done.err
check "run into a finished run's directory exits 2" is 2 $?
check "run into a finished run's directory points at flowrun resume" has run_done.err 'flowrun resume'
"$flowrun" resume locked > resume_done.out 2>&1
check "resume of a run that succeeded exits 0" is 0 $?
check "nothing ran again" is 1 "$(wc -l < marks)"

# ---- 3. two runs filling the cache at the same moment ----
mkdir cachecwd
for x in 1 2 3 4 5; do
	(cd cachecwd && exec "$flowrun" run ../cache.json --run-dir "../cacheA$x" -p twice-x=$x > "../cacheA$x.out" 2>&1) &
	a=$!
	(cd cachecwd && exec "$flowrun" run ../cache.json --run-dir "../cacheB$x" -p twice-x=$x > "../cacheB$x.out" 2>&1) &
	b=$!
	wait $a
	sa=$?
	wait $b
	sb=$?
	check "pair $x: the first of two runs filling the cache at once succeeds" is 0 $sa
	check "pair $x: the second of two runs filling the cache at once succeeds" is 0 $sb
	check "pair $x: both have the right result" \
		is "$((x * 2)) $((x * 2))" "$("$flowrun" result cacheA$x twice/costly) $("$flowrun" result cacheB$x twice/costly)"
done
check "a third run after the pairs hits the cache" \
	sh -c "cd cachecwd && '$flowrun' run ../cache.json --run-dir ../cacheC -p twice-x=3 | grep -q '^twice/costly: Cached$'"

# ---- 4. twenty job bodies writing one run directory at once ----
TASK='run: [/bin/true]' fanout 20 100 > fan20.yaml
"$flowc" compile -o fan20.json fan20.yaml
"$flowrun" run fan20.json --run-dir fan20 -j 1 > fan20.out 2>&1 &
pid=$!
for _ in $(seq 1 1000); do [ -e fan20/run.json ] && [ -e fan20/journal/0.jsonl ] && break; sleep 0.005; done
{ kill -9 $pid; wait $pid; } 2> /dev/null
pids=()
for f in $(seq 0 19); do
	"$flowrun" run-flow fan20 $f 1 > fan20.body$f.out 2>&1 &
	pids+=($!)
done
bad=0
for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
check "twenty job bodies at once all exit 0 ($bad did not)" is 0 $bad
check "each job body wrote its own journal file" is 20 "$(ls fan20/journal/1.*.0.jsonl 2> /dev/null | wc -l)"
check "every line of twenty concurrent journals is JSON" jcheck lines 1 fan20
check "each job body journaled a Success for every task it had to run" jcheck missing fan20 20 100
check "no task that succeeded before ran again in a job body" jcheck again fan20 20 100
"$flowrun" status fan20 > fan20.status 2> fan20.status.err
check "status lists all 2000 tasks of the twenty flows as succeeded" is 2000 "$(grep -c ' Success ' fan20.status)"
check "status reads the twenty journals without a warning" is 0 "$(wc -c < fan20.status.err)"

# ---- 5. SIGKILL at random moments, then resume ----
dagargs() { # DIR LOG DB: the arguments of a run of the DAG, in the array dag
	dag=(run dag.json --run-dir "$1" -p a-log="$2" -p b-log="$2" -p c-log="$2" -p d-log="$2"
		--results-db "$3" -j 4)
}
dagargs dagref "$tmp/dagref.log" "$tmp/dagref.db"
"$flowrun" "${dag[@]}" > dagref.out 2>&1
check "the DAG runs uninterrupted" is 0 $?
tasks=$("$flowrun" status dagref | awk '$2 == "Success" { print $1 }')
check "the DAG has 50 tasks" is 50 "$(echo $tasks | wc -w)"
missing=0
for t in $tasks; do
	"$flowrun" result dagref "$t" > /dev/null 2>&1 || { echo "  no result for $t"; missing=$((missing + 1)); }
done
check "every task of the DAG has a result" is 0 $missing
for fl in a b c d; do "$flowrun" result dagref $fl > dagref.$fl; done
refrows=$(sqlite3 dagref.db 'select count(*) from results')
check "the DAG stored one document" is 1 "$refrows"
builtins=' save_a db_a load_c '
marked=$(for t in $tasks; do n=${t#*/}; case $builtins in *" $n "*) ;; *) echo "$n" ;; esac; done)

marks_once() { # LOG NAMES...: each name is in LOG exactly once
	local log=$1 n bad=0
	shift
	for n in "$@"; do
		c=$(grep -cx "$n" "$log")
		[ "$c" = 1 ] || { echo "  $n: $c marks in $log"; bad=1; }
	done
	return $bad
}
marks_some() { # LOG NAMES...: each name is in LOG
	local log=$1 n bad=0
	shift
	for n in "$@"; do grep -qx "$n" "$log" || { echo "  $n: no mark in $log"; bad=1; }; done
	return $bad
}
same_results() { # DIR: every flow's results as in the reference run
	local fl bad=0
	for fl in a b c d; do
		"$flowrun" result "$1" $fl > "$1.$fl" 2>&1
		cmp -s dagref.$fl "$1.$fl" || { echo "  $fl differs:"; diff dagref.$fl "$1.$fl" | head -5; bad=1; }
	done
	return $bad
}

RANDOM=7
midrun=0
for i in $(seq 1 36); do
	torn=$([ "$i" -gt 30 ] && echo 1 || echo 0)
	dir=kill$i
	log=$tmp/kill$i.log
	db=$tmp/kill$i.db
	delay=$(( RANDOM % 301 ))
	dagargs "$dir" "$log" "$db"
	"$flowrun" "${dag[@]}" > "$dir.out" 2>&1 &
	pid=$!
	# the delay counts from the moment the journal exists (before, there is
	# no run to resume: that moment is checked after the loop)
	for _ in $(seq 1 400); do [ -e "$dir/journal/0.jsonl" ] && break; sleep 0.005; done
	sleep "$(printf '0.%03d' "$delay")"
	{ kill -9 $pid; wait $pid; } 2> /dev/null
	sleep 0.3 # let an orphaned task finish writing its mark
	[ "$(cat "$dir"/journal/*.jsonl 2> /dev/null | grep -c '"event":"end"')" = 0 ] && midrun=$((midrun + 1))
	done_before=$(cat "$dir"/journal/*.jsonl 2> /dev/null | grep '"state":"Success"' |
		sed -n 's/.*"task_name":"\([a-z0-9_]*\)".*/\1/p' | sort -u)
	what="kill $i after $delay ms"
	if [ "$torn" = 1 ]; then
		printf '{"flow":0,"fl' >> "$dir/journal/0.jsonl"
		what="$what, torn last line"
	fi
	"$flowrun" resume "$dir" > "$dir.resume" 2> "$dir.resume.err"
	check "$what: resume succeeds" is 0 $?
	[ "$torn" = 1 ] && check "$what: the torn line is skipped silently" is 0 "$(wc -c < "$dir.resume.err")"
	mine=$(for n in $done_before; do case $builtins in *" $n "*) ;; *) echo "$n" ;; esac; done)
	check "$what: each task journaled Success before the kill ran once" marks_once "$log" $mine
	check "$what: every task ran" marks_some "$log" $marked
	check "$what: the results are as without a kill" same_results "$dir"
	check "$what: the store holds as many documents as without a kill" \
		is "$refrows" "$(sqlite3 "$db" 'select count(*) from results')"
done
check "most kills came before the run ended ($midrun of 36)" between 18 $midrun 37
# killed after run.json was written and before the journal was: the
# directory holds a run (run refuses it and points at resume), so resume
# must take it
mkdir nojournal
cp dagref/plan.json nojournal/
python3 - "$tmp" << 'EOF'
import json, sys
m = json.load(open("dagref/run.json"))
m["results_db"] = sys.argv[1] + "/nojournal.db"
m["params"] = {k: sys.argv[1] + "/nojournal.log" for k in m["params"]}
json.dump(m, open("nojournal/run.json", "w"))
EOF
"$flowrun" resume nojournal > nojournal.resume 2>&1
check "a run killed before its journal existed can be resumed" is 0 $?
check "a run killed before its journal existed ends with the right results" same_results nojournal

# ---- 6. a full disk ----
if [ "$(id -u)" != 0 ]; then
	echo "SKIP full disk: not root"
elif ! { mkdir -p "$mnt" && mount -t tmpfs -o size=256k tmpfs "$mnt"; }; then
	echo "SKIP full disk: cannot mount a tmpfs"
else
	{
		printf 'name: gated\nproject_name: core\nparameters:\n  gate: string\ntasks:\n'
		printf '  - {name: wait, shell: '\''touch "$GATE.started"; [ -e "$GATE" ] || sleep 30.63'\'', env: {GATE: "${{ params.gate }}"}}\n'
		printf -- '---\nname: writers\nproject_name: core\ntasks:\n'
		for t in $(seq 1 100); do
			printf '  - {name: w%d, run: [sh, -c, '\''head -c 3000 /dev/zero | tr "\\0" x'\''], result: string}\n' "$t"
		done
		printf -- '---\nname: disk\nproject_name: core\ncomposing_flows:\n'
		printf '  - {name: gated, project_name: core}\n  - {name: writers, project_name: core}\n'
	} > disk.yaml
	"$flowc" compile -o disk.json disk.yaml
	"$flowrun" run disk.json --run-dir "$mnt/run" -p gated-gate="$tmp/gate" -j 2 > disk.out 2>&1
	check "a run that fills its disk exits 1" is 1 $?
	check "a run that fills its disk says so" has disk.out 'No space left on device'
	check "the slow task was running when the disk filled" test -e gate.started
	check "nothing of a run that filled its disk is left running" gone_within 1000 "sleep 30.63"
	check "the full journal has no glued or broken lines" jcheck lines 0 "$mnt/run"
	touch gate
	mount -o remount,size=16m "$mnt"
	"$flowrun" resume "$mnt/run" > disk.resume 2>&1
	check "resume after space is freed succeeds" is 0 $?
	"$flowrun" status "$mnt/run" > disk.status 2>&1
	check "after the resume all 101 tasks succeeded" is 101 "$(grep -c ' Success ' disk.status)"
	check "every result is there after the resume" is 3000 "$("$flowrun" result "$mnt/run" writers/w100 | tr -d '"\n' | wc -c)"
	check "the journal of a full disk and its resume has no glued or broken lines" jcheck lines 0 "$mnt/run"
	umount "$mnt"
fi

# ---- 7. a hostile journal ----
"$flowrun" run lonely_true.json --run-dir hostile > /dev/null 2>&1
next=$(( $(wc -l < hostile/journal/0.jsonl) + 1 ))
hostile_line() { # NAME LINE WHAT: status of the run with LINE appended to its journal
	cp -r hostile "$1"
	echo "$2" >> "$1/journal/0.jsonl"
	"$flowrun" status "$1" > "$1.out" 2> "$1.err"
	local status=$?
	check "status survives $3 (exit $status)" between 0 $status 2
	check "$3 is reported with its file and line" has "$1.err" "journal/0\.jsonl:$next"
}
hostile_line nostate '{"flow":0,"flow_name":"x","task":0}' "an event without a state"
hostile_line notjson 'this is not JSON {' "a line that is not JSON"
check "the run is still reported after a line that is not JSON" has notjson.out 'one_true/t +Success'
cp -r hostile newer
sed -i '1s/"journal":2/"journal":99/' newer/journal/0.jsonl
"$flowrun" status newer > newer.out 2> newer.err
check "a journal of a newer version makes status exit 2" is 2 $?
check "a journal of a newer version is named as such" has newer.err 'newer flowrun.*99'
mkdir old
cp hostile/plan.json old/
python3 -c 'import json, sys; m = json.load(open(sys.argv[1])); m.pop("format", None); json.dump(m, open(sys.argv[2], "w"))' \
	hostile/run.json old/run.json
echo '{"flow":0,"flow_name":"one_true","task":0,"task_name":"t","state":"Success","result":""}' > old/journal.jsonl
cp old/journal.jsonl old.journal
cp old/run.json old.run.json
"$flowrun" status old > old.out 2> old.err
check "status refuses a run directory of format 1" is 2 $?
check "status names format 1" has old.err 'format 1'
"$flowrun" resume old > old.resume 2> old.resume.err
check "resume refuses a run directory of format 1" is 2 $?
check "resume names format 1" has old.resume.err 'format 1'
check "resume left the old journal and run.json as they were" \
	sh -c 'cmp old/journal.jsonl old.journal && cmp old/run.json old.run.json' 

# ---- 8. a low limit of open files ----
TASK='run: [sleep, "0.2"]' fanout 1 700 > fd.yaml
"$flowc" compile -o fd.json fd.yaml
(ulimit -n 1024 && exec "$flowrun" run fd.json --run-dir fd -j 600 > fd.out 2> fd.err)
check "-j 600 under ulimit -n 1024 succeeds" is 0 $?
check "-j 600 under ulimit -n 1024 is lowered, on stderr" has fd.err '-j 600 lowered'
"$flowrun" status fd > fd.status 2>&1
check "all 700 tasks under a low limit of open files succeeded" is 700 "$(grep -c ' Success ' fd.status)"

# ---- 9. SIGKILL of flowrun while a task runs ----
"$flowrun" run killed.json --run-dir killed > killed.out 2>&1 &
pid=$!
for _ in $(seq 1 200); do [ -n "$(procs_with "sleep 30.41")" ] && break; sleep 0.02; done
check "the task to orphan started" test -n "$(procs_with "sleep 30.41")"
{ kill -9 $pid; wait $pid; } 2> /dev/null
check "the task of a SIGKILLed flowrun is gone within 1 s" gone_within 1000 "sleep 30.41"

# ---- 10. a lonely task ----
for kind in true builtin; do
	start=$(now_ms)
	"$flowrun" run lonely_$kind.json --run-dir lonely_$kind > lonely_$kind.out 2>&1
	status=$?
	elapsed=$(( $(now_ms) - start ))
	check "a plan of one $kind task succeeds" is 0 $status
	check "a plan of one $kind task ends within 1 s ($elapsed ms)" between 0 $elapsed 1000
done
check "the lonely save_file wrote its file" is lonely "$(cat out/lonely.txt 2> /dev/null)"

# ---- 11. found in review ----
# a journal file whose name is not one flowrun writes is ignored
cp lonely_true/journal/0.jsonl lonely_true/journal/4294967295.jsonl
"$flowrun" status lonely_true > hostile_name.status 2>&1
check "a journal file named 4294967295.jsonl does not crash status" is 0 $?
# a session file left empty by a crash as it was made does not block resume
: > lonely_true/journal/1.jsonl
"$flowrun" resume lonely_true > empty_session.out 2>&1
check "resume after an empty session file succeeds" is 0 $?
check "and writes the next session" test -s lonely_true/journal/2.jsonl
# a task's env replaces flowrun's variable of the same name
"$flowc" compile --flow fof_env -o env.json "$specs/lonely.yaml"
FOO=from-flowrun "$flowrun" run env.json --run-dir env > env.out 2>&1
check "a task's env replaces flowrun's (one FOO, the task's)" \
	is '"from-task,"' "$("$flowrun" result env one_env/show)"
# a task killed by SIGTERM alone fails; one killed just before flowrun
# itself receives SIGTERM (a cancelled Slurm job) is Cancelled with the run
"$flowc" compile --flow fof_term -o term.json "$specs/lonely.yaml"
rm -f also_flowrun
"$flowrun" run term.json --run-dir term_alone > term_alone.out 2>&1
check "a task that dies of SIGTERM alone fails the run (exit 1)" is 1 $?
check "... as killed by signal 15" has term_alone.out \
	'^one_term/self: Failed: killed by signal 15 \(Terminated\)$'
touch also_flowrun
"$flowrun" run term.json --run-dir term_both > term_both.out 2>&1
check "a task that dies of SIGTERM just before flowrun does: exit 130" is 130 $?
check "... and it is Cancelled, not Failed" has term_both.out '^one_term/self: Cancelled'
rm -f also_flowrun
# likewise a shell whose command died of SIGTERM, exiting 143 (a cancelled
# Slurm job's task shell may outlive its command by a moment)
"$flowc" compile --flow fof_child_term -o child_term.json "$specs/lonely.yaml"
"$flowrun" run child_term.json --run-dir child_term_alone > child_term_alone.out 2>&1
check "a task that exits 143 alone fails the run (exit 1)" is 1 $?
check "... with its exit status" has child_term_alone.out '^child_term/self: Failed: exit status 143'
touch also_flowrun
"$flowrun" run child_term.json --run-dir child_term_both > child_term_both.out 2>&1
check "a task that exits 143 just before flowrun receives SIGTERM: exit 130" is 130 $?
check "... and it is Cancelled, not Failed" has child_term_both.out '^child_term/self: Cancelled'
rm -f also_flowrun

report core
