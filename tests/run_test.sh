#!/bin/bash
# run_test.sh FLOWC FLOWRUN: runs plans for real and checks what happened:
# the lume example end to end (alone and nested in flows of flows), every way a task can fail, retries, skipped
# dependants beside a sibling that succeeds, a filename escaping its
# filesystem, a db index missing at run time, and crash-and-resume.
set -u
source "$(dirname "$0")/lib.sh"
suite_start "$1" "$2"

# ---- the lume example: true, then false ----
cd "$tmp" || exit 1
"$flowc" compile -I "$root/specs/examples/lume" -o lume.json "$root/specs/examples/lume/flow_of_flows.yaml"
"$flowrun" run lume.json --run-dir lume1 -p flow1-text1=hey -p flow1-filename=out/flow1_res.txt \
	-p 'flow3-text2=hey you' > lume1.out 2>&1
check "lume run succeeds" test $? -eq 0
"$flowrun" result lume1 flow3/check_text_equivalence > lume1.result
check "lume: flow3 finds the texts equal" has lume1.result '^true$'
check "lume: flow1 wrote the file" test "$(cat out/flow1_res.txt)" = "hey you"
"$flowrun" result lume1 flow2 > lume1.flow2
check "lume: flow2's results as one object" has lume1.flow2 '"load_file": "hey you"'
"$flowrun" run lume.json --run-dir lume2 -p flow1-text1=hey -p flow1-filename=out/flow1_res.txt \
	-p 'flow3-text2=something else' > lume2.out 2>&1
check "second lume run succeeds" test $? -eq 0
"$flowrun" result lume2 flow3/check_text_equivalence > lume2.result
check "lume: a different text2 gives false" has lume2.result '^false$'
check "the same document saved twice is one row" \
	test "$(sqlite3 .flowrun/results.db 'select count(*) from results')" = 1
"$flowrun" status lume1 > lume1.status
check "status lists every task as succeeded" test "$(grep -c ' Success ' lume1.status)" = 6

# ---- the lume example nested in two outer flows of flows ----
"$flowc" compile -I "$root/specs/examples/lume" -I "$root/specs/examples/nested" -o facility.json \
	"$root/specs/examples/nested/facility.yaml"
"$flowrun" run facility.json --run-dir nested -p beamline-flow_of_flows-flow1-filename=out/nested.txt \
	> nested.out 2>&1
check "nested: the run succeeds" test $? -eq 0
"$flowrun" result nested beamline-report/say > nested.result
check "nested: the report says what flow3 found, true" has nested.result '^true$'
check "nested: flow1 inside wrote the text source made" test "$(cat out/nested.txt)" = "hello you"
"$flowrun" result nested archive/keep > nested.archive
check "nested: archive read the document flow2 stored, two levels down" \
	has nested.archive '^"hello you"$'
"$flowrun" run facility.json --run-dir nested2 -p beamline-flow_of_flows-flow1-filename=out/nested.txt \
	-p beamline-source-greeting=bye -p 'beamline-flow_of_flows-flow1-text2= now' > nested2.out 2>&1
"$flowrun" result nested2 beamline-report/say > nested2.result
check "nested: a text2 that makes them differ gives false" has nested2.result '^false$'

# ---- a bundle: the plan with the scripts its tasks run ----
bsrc=$root/tests/run/bundle
"$flowc" compile --bundle bundle.json "$bsrc/flows.yaml"
check "bundle: compile --bundle succeeds" test $? -eq 0
(cd / && "$flowc" compile --bundle "$tmp/bundle2.json" "$bsrc/flows.yaml")
check "bundle: the same bytes from another directory" cmp -s bundle.json bundle2.json
"$flowc" compile "$bsrc/flows.yaml" > plain.json
check "bundle: a plain plan of the same flow has no files" test -z "$(grep -o '"files"' plain.json)"
check "bundle: a plain plan's hash differs (the files are in the bundle's)" \
	test "$(grep -o 'sha256:[0-9a-f]*' plain.json)" != "$(grep -o 'sha256:[0-9a-f]*' bundle.json)"
mkdir -p deploy && mv bundle.json deploy/
(cd deploy && "$flowrun" run --dry-run bundle.json) > bundle.dry 2>&1
check "bundle: a dry run lists the bundled files" has bundle.dry '^  check.sh  .* bytes  sha256:'
(cd deploy && "$flowrun" run bundle.json --run-dir b1 -p analyze-marker="$tmp/bmarker") > bundle1.out 2>&1
check "bundle: it runs in an empty directory" test $? -eq 0
check "bundle: its result is true" test "$(cd deploy && "$flowrun" result b1 analyze/check)" = true
check "bundle: the files are written read-only under the run directory" \
	test "$(stat -c %a deploy/b1/bundle/check.sh deploy/b1/bundle/lib.sh | tr '\n' ' ')" = "400 400 "
(cd deploy && "$flowrun" run bundle.json --run-dir b2 -p analyze-marker="$tmp/bmarker") > bundle2.out 2>&1
check "bundle: a second run takes the cached result (the key names files by content)" \
	has bundle2.out 'analyze/check: Cached'
check "bundle: ... so the script ran once" test "$(wc -l < "$tmp/bmarker")" = 1
# a bundled script changed inside the artifact: refused before anything runs
python3 - deploy/bundle.json deploy/changed.json deploy/rehashed.json <<'PY'
import base64, hashlib, json, sys
plan = json.load(open(sys.argv[1]))
f = [f for f in plan["files"] if f["path"] == "check.sh"][0]
f["base64"] = base64.b64encode(base64.b64decode(f["base64"]).replace(b"hello", b"HELLO")).decode()
json.dump(plan, open(sys.argv[2], "w"))
f["sha256"] = hashlib.sha256(base64.b64decode(f["base64"])).hexdigest()
json.dump(plan, open(sys.argv[3], "w"))
PY
(cd deploy && "$flowrun" run changed.json --run-dir b3 -p analyze-marker="$tmp/bmarker") > bundle3.out 2>&1
check "bundle: a changed script is refused (exit 2)" test $? -eq 2
check "bundle: ... naming it" has bundle3.out "bundled file 'check.sh' was changed after flowc wrote the bundle"
check "bundle: ... before any task ran" test "$(wc -l < "$tmp/bmarker")" = 1
check "bundle: ... and no run directory was made" test ! -e deploy/b3
(cd deploy && "$flowrun" run rehashed.json --run-dir b4) > bundle4.out 2>&1
check "bundle: a changed script with its hash changed too fails the plan hash" \
	has bundle4.out "does not match its hash"
# what a task (or anyone) changes under RUN_DIR/bundle is written anew by resume
chmod u+w deploy/b1/bundle/lib.sh && echo 'same() { echo false; }' > deploy/b1/bundle/lib.sh
(cd deploy && "$flowrun" resume b1) > bundle5.out 2>&1
check "bundle: resume writes the bundle's files anew" \
	cmp -s deploy/b1/bundle/lib.sh "$bsrc/scripts/lib.sh"

# ---- failures ----
"$flowc" compile -o failures.json "$root/tests/run/failures.yaml"
start=$(date +%s)
"$flowrun" run failures.json --run-dir fail -p flaky-counter="$tmp/count" -j 4 > fail.out 2>&1
status=$?
elapsed=$(( $(date +%s) - start ))
check "a failed flow makes the exit status 1" test $status -eq 1
"$flowrun" status fail > fail.status
check "a task that exits 1 fails with its stderr" has fail.status 'exits/fail +Failed .*exit status 3; stderr: failing'
check "a task killed by a signal fails" has fail.status 'signalled/die +Failed .*killed by signal 9'
check "a task past its timeout is stopped" has fail.status 'slow/sleep +Failed .*timed out after 1000 ms'
check "the timeout did not wait for the task" test "$elapsed" -lt 10
check "output that is not JSON fails an int task" has fail.status 'bad_output/not_json +Failed .*not JSON'
check "a result of the wrong type names its path" has fail.status 'bad_output/wrong_type +Failed .*result: expected int, got a string'
check "FLOWRUN_RESULT is checked too" has fail.status 'bad_output/via_file +Failed .*result.n: expected int'
check "a retry succeeds on the second attempt" has fail.status 'flaky/second_time_lucky +Success'
check "the flaky task ran exactly twice" test "$(cat "$tmp/count")" = 2
check "a failed flow's dependant is skipped" has fail.status 'after_exits/never +Skipped'
check "an independent sibling still succeeds" has fail.status 'sibling/after_fine +Success'
check "a filename leaving its filesystem is refused" has fail.status "escape/save +Failed .*leaves filesystem 'local'"
check "nothing was written outside" test ! -e "$tmp/../outside.txt"
check "a db index missing at run time fails the flow" has fail.out "consumer: Failed: parameter 'value': .*missing"

# ---- file serializers ----
"$flowc" compile --flow fof_files -o files.json "$root/tests/run/files.yaml"
"$flowrun" run files.json --run-dir files > files.out 2>&1
check "the file serializers run" test $? -eq 0
compact() { "$flowrun" result files "files/$1" | tr -d ' \n'; }
check "json reads back what was saved" test "$(compact load_json)" = '{"a":[1,2],"b":null}'
check "yaml reads back what was saved" test "$(compact load_yaml)" = '{"a":[1,2],"b":"text"}'
check "bytes are written decoded" test "$(cat out/data.bin)" = hello
check "bytes read back in base64" test "$(compact load_bytes)" = '"aGVsbG8K"'
check "real YAML is read with its scalar types" \
	test "$(compact load_real)" = '{"a":[1,2.5,"3"],"b":{"c":"yes","d":null}}'

# ---- cache ----
"$flowc" compile -o cache.json "$root/tests/run/cache.yaml"
"$flowrun" run cache.json --run-dir cache1 -p f-x=2 > cache1.out 2>&1
"$flowrun" run cache.json --run-dir cache2 -p f-x=2 > cache2.out 2>&1
check "the same inputs reuse the cached result" has cache2.out '^f/costly: Cached$'
check "the cached result is the result" test "$("$flowrun" result cache2 f/costly)" = 4
"$flowrun" run cache.json --run-dir cache3 -p f-x=3 > cache3.out 2>&1
check "other inputs run the task again" has cache3.out '^f/costly: Success$'
check "the costly task ran twice in three runs" test "$(grep -c ran ran.log)" = 2

# ---- -v ----
"$flowrun" run failures.json --run-dir verbose -v -p flaky-counter="$tmp/count2" -j 4 > /dev/null 2> verbose.err
check "-v copies a task's stderr prefixed by flow/task" has verbose.err '^exits/fail: failing$'

"$flowc" compile --flow fof_talk -o talk.json "$root/tests/run/files.yaml"
"$flowrun" run talk.json --run-dir talk -v > /dev/null 2> talk.err &
pid=$!
for _ in $(seq 1 30); do grep -q '^talk/speak: first$' talk.err && break; sleep 0.05; done
check "-v shows stderr while the task still runs" grep -q '^talk/speak: first$' talk.err
check "the task was still running then" kill -0 "$pid"
wait "$pid"
check "-v shows the rest at the end" grep -q '^talk/speak: second$' talk.err

# ---- Ctrl-C ----
"$flowc" compile --flow fof_slow -o slow.json "$root/tests/run/files.yaml"
rm -f started
"$flowrun" run slow.json --run-dir slow > slow.out 2>&1 &
pid=$!
for _ in $(seq 1 100); do [ -e started ] && break; sleep 0.05; done
kill -INT "$pid"
wait "$pid"
check "an interrupted run exits 130" test $? -eq 130
"$flowrun" status slow > slow.status
check "the running task is recorded Cancelled" has slow.status 'slow/wait +Cancelled'
running_sleep() { # prints the pids of 'sleep 30' processes, read from /proc
	local p
	for p in /proc/[0-9]*; do
		if [ "$({ tr '\0' ' ' < "$p/cmdline"; } 2> /dev/null)" = "sleep 30 " ]; then
			echo "${p#/proc/}"
		fi
	done
}
check "the task's process group is gone" test -z "$(running_sleep)"

# ---- crash and resume ----
"$flowc" compile -o chain.json "$root/tests/run/chain.yaml"
"$flowrun" run chain.json --run-dir clean -p steps-log="$tmp/clean.log" -p tail-log="$tmp/clean.log" \
	--results-db "$tmp/clean.db" > clean.out 2>&1
check "an uninterrupted chain succeeds" test $? -eq 0
for point in 1 2 3 4 5 6; do
	log=$tmp/crash$point.log
	db=$tmp/crash$point.db
	dir=crash$point
	"$flowrun" run chain.json --run-dir "$dir" -p steps-log="$log" -p tail-log="$log" \
		--results-db "$db" > "$dir.out" 2>&1 &
	pid=$!
	# kill it after `point` journaled successes, at a varying moment after
	for _ in $(seq 1 200); do
		n=$(cat "$dir"/journal/*.jsonl 2> /dev/null | grep -c '"state":"Success"' || true)
		[ "${n:-0}" -ge "$point" ] && break
		sleep 0.02
	done
	sleep "0.0$(( point * 3 % 10 ))"
	kill -9 "$pid" 2> /dev/null
	wait "$pid" 2> /dev/null
	sleep 0.3 # let an orphaned task finish writing its mark
	check "the kill at point $point came before the run ended" \
		test "$(cat "$dir"/journal/*.jsonl | grep -c '"event":"end"')" = 0
	done_before=$(cat "$dir"/journal/*.jsonl | grep '"state":"Success"' | grep -o '"task_name":"[a-z0-9]*"' | sort -u)
	"$flowrun" resume "$dir" > "$dir.resume" 2>&1
	check "resume after kill at point $point succeeds" test $? -eq 0
	for name in $done_before; do
		task=${name#\"task_name\":\"}
		task=${task%\"}
		[ "$task" = s4 ] && continue # a built-in leaves no mark
		check "task $task journaled before the kill at point $point ran once" \
			test "$(grep -c "^$task\$" "$log")" = 1
	done
	for t in steps/s1 steps/s2 steps/s3 steps/s4 steps/s5 steps/s6 tail/t1; do
		check "result of $t after resume at point $point is as without a crash" \
			test "$("$flowrun" result clean "$t")" = "$("$flowrun" result "$dir" "$t")"
	done
	check "one stored row after crash at point $point" \
		test "$(sqlite3 "$db" 'select count(*) from results')" = 1
done

# ---- runs listed, and named by id or as latest ----
mkdir -p listed && cd listed || exit 1
"$flowrun" runs > none.out 2>&1
check "runs with no run says so" has none.out '^no runs in \.flowrun/runs$'
"$flowc" compile -o one.json "$root/tests/golden/cases/compile_one_flow.yaml"
for word in first second third; do
	"$flowrun" run one.json -p solo-x=$word > /dev/null 2>&1
done
"$flowrun" run one.json -p solo-n=oops > /dev/null 2>&1
"$flowrun" runs > runs.out 2>&1
check "runs lists the three runs" test "$(grep -c ' solo ' runs.out)" = 3
ids=($(awk 'NR > 1 { print $1 }' runs.out))
check "runs lists them newest first" \
	test "$("$flowrun" result "${ids[0]}" solo/say)" = '"third"' -a \
	"$("$flowrun" result "${ids[2]}" solo/say)" = '"first"'
check "runs shows the plan, the state and the start" \
	has runs.out "^${ids[1]} +solo +Success +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} +[0-9.]+$"
check "latest names the newest run" test "$("$flowrun" result latest solo/say)" = '"third"'
"$flowrun" status "${ids[1]}" > byid.out 2>&1
check "a run id names its run directory" has byid.out "^run ${ids[1]}: Success$"
"$flowrun" status no-such-run > noid.out 2>&1
check "an unknown id is not a run directory (exit 2)" test $? -eq 2
cd .. || exit 1
mkdir -p norun && (cd norun && "$flowrun" status latest) > nolatest.out 2>&1
check "latest with no run is an error (exit 2)" test $? -eq 2
check "... that says so" has nolatest.out 'no run in \.flowrun/runs to be the latest'

# ---- status --json: every run directory of these tests, against its schema ----
mkdir -p status_json
n=0
while IFS= read -r runjson; do
	dir=$(dirname "$runjson")
	n=$((n + 1))
	"$flowrun" status "$dir" --json > "status_json/$n.json" 2> /dev/null
	echo $? > "status_json/$n.rc"
	"$flowrun" status "$dir" > "status_json/$n.txt" 2> /dev/null
	echo $? > "status_json/$n.txt.rc"
done < <(find . -name run.json -path '*/run.json' | sort)
check "status --json read $n run directories" test "$n" -ge 10
check "every status --json document fits specs/status.schema.json, and agrees with status" \
	/usr/bin/python3 - "$root/specs/status.schema.json" status_json <<'PY'
import glob, json, sys
import jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
bad = 0
states = set()
for path in sorted(glob.glob(sys.argv[2] + "/*.json")):
    doc = json.load(open(path))
    for e in v.iter_errors(doc):
        print(f"  {path}: {'/'.join(map(str, e.absolute_path))}: {e.message[:120]}")
        bad += 1
    text = open(path[:-5] + ".txt").read().splitlines()[0]
    head = text.split(": ", 1)[1]
    if not head.startswith(doc["state"]):
        print(f"  {path}: state {doc['state']} but status says '{head}'")
        bad += 1
    if open(path[:-5] + ".rc").read() != open(path[:-5] + ".txt.rc").read():
        print(f"  {path}: the exit statuses of status and status --json differ")
        bad += 1
    states.add(doc["state"])
    tasks = sum(len(f["tasks"]) for f in doc["flows"])
    if tasks == 0:
        print(f"  {path}: no task"); bad += 1
print(f"  states seen: {sorted(states)}")
for want in ("Success", "Failed", "Cancelled"):
    if want not in states:
        print(f"  no run was {want}"); bad += 1
sys.exit(1 if bad else 0)
PY

# ---- status --json of a live run ----
printf 'name: nap\nproject_name: t\ntasks:\n  - {name: nap, shell: "touch napping; sleep 4.2"}\n' > nap.yaml
"$flowc" compile -o nap.json nap.yaml
rm -f napping
"$flowrun" run nap.json --run-dir nap > nap.out 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e napping ] && break; sleep 0.1; done
"$flowrun" status nap --json > nap-status.json
check "status --json of a live run: Running, live, with its holder" \
	/usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = d["state"] == "Running" and d["live"] and d["holder"].startswith("pid ") and \
    d["flows"][0]["tasks"][0]["state"] == "Running"
sys.exit(0 if ok else print(d) or 1)' nap-status.json
kill -INT $pid
wait $pid

# ---- every attempt's output kept, and read back with logs ----
"$flowc" compile -o attempts.json "$root/tests/run/attempts.yaml"
"$flowrun" run attempts.json --run-dir attempts -p attempts-counter="$tmp/attempts.count" > /dev/null 2>&1
check "attempts: the first session fails after two attempts" test $? -eq 1
"$flowrun" resume attempts > /dev/null 2>&1
check "attempts: the resumed session succeeds" test $? -eq 0
check "attempts: the first session's two attempts are kept by session and number" \
	test -s attempts/tasks/attempts.t.0.1.stderr -a -s attempts/tasks/attempts.t.0.2.stderr -a \
	-s attempts/tasks/attempts.t.0.1.stdout
for a in 1 2 3; do
	check "logs --attempt $a prints that attempt's standard error" \
		test "$("$flowrun" logs attempts attempts/t --attempt $a)" = "attempt $a says"
done
"$flowrun" status attempts > attempts.status
check "status counts the attempts of all sessions" has attempts.status '^  attempts/t +Success +[0-9.]+ +3  0$'
check "status shows each flow with its tasks succeeded" \
	has attempts.status '^  flow attempts: Success, 1 of 1 tasks succeeded$'
check "logs prints the last attempt by default" \
	test "$("$flowrun" logs attempts attempts/t)" = "attempt 3 says"
check "logs --stdout prints an attempt's standard output" \
	test "$("$flowrun" logs attempts attempts/t --attempt 2 --stdout)" = "out 2"
check "... and nothing for the last, whose output was its result" \
	test -z "$("$flowrun" logs attempts attempts/t --stdout)"
"$flowrun" logs attempts attempts/t --attempt 4 > logs4.out 2>&1
check "logs of an attempt that does not exist: exit 2, saying how many there are" \
	test $? -eq 2 -a "$(cat logs4.out)" = "flowrun: attempts/t has 3 attempts, not 4"
"$flowrun" logs attempts attempts/nope > logsnope.out 2>&1
check "logs of a task that does not exist: exit 2" test $? -eq 2
# a session in which the task was only Skipped does not lose the output of
# the attempt before it
mkdir -p between && cd between || exit 1
"$flowc" compile -o between.json "$root/tests/run/between.yaml"
"$flowrun" run between.json --run-dir r -p F-counter="$PWD/count" > /dev/null 2>&1
mv .flowrun/results.db db.away
"$flowrun" resume r > /dev/null 2>&1
mv db.away .flowrun/results.db
"$flowrun" resume r > /dev/null 2>&1
check "between: the run ends in success" test $? -eq 0
check "between: the first attempt's output is kept across the session that skipped it" \
	test "$("$flowrun" logs r F/X --attempt 1)" = "run 1" -a "$("$flowrun" logs r F/X)" = "run 2"
cd .. || exit 1
# --follow: what a running task writes, until the run ends
printf 'name: chatter\nproject_name: t\ntasks:\n  - {name: chatter, shell: "for i in 1 2 3; do echo line $i >&2; sleep 0.3; done"}\n' > chatter.yaml
"$flowc" compile -o chatter.json chatter.yaml
"$flowrun" run chatter.json --run-dir chatter > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s chatter/tasks/chatter.chatter.stderr ] && break; sleep 0.05; done
timeout 20 "$flowrun" logs chatter chatter/chatter --follow > follow.out 2> follow.err; echo "rc=$?" >> follow.err
check "logs --follow ends with the run" grep -q "^rc=0$" follow.err
wait $pid
check "logs --follow printed every line the task wrote" \
	test "$(tr '\n' ' ' < follow.out)" = "line 1 line 2 line 3 "

# ---- clean: old runs, and cache entries no run refers to ----
mkdir -p cleaning && cd cleaning || exit 1
printf 'name: c\nproject_name: t\nparameters: {x: string}\ntasks:\n  - {name: t, run: [echo, "${{ params.x }}"], cache: true}\n' > c.yaml
"$flowc" compile -o c.json c.yaml
for x in a b c d; do "$flowrun" run c.json -p c-x=$x > /dev/null 2>&1; done
"$flowrun" run c.json -p c-x=a > /dev/null 2>&1
check "clean: five runs and four cache entries to start with" \
	test "$(ls .flowrun/runs | wc -l) $(ls .flowrun/cache | wc -l)" = "5 4"
mapfile -t ids < <("$flowrun" runs | awk 'NR > 1 { print $1 }')
"$flowrun" clean > clean_none.out 2>&1
check "clean without a choice removes nothing (exit 2)" test $? -eq 2 -a "$(ls .flowrun/runs | wc -l)" = 5
"$flowrun" clean --keep 2 --cache --dry-run > clean_dry.out 2>&1
check "clean --dry-run lists what would go" \
	has clean_dry.out '^would remove 3 runs and 2 cache entries, '
check "... and removes nothing" test "$(ls .flowrun/runs | wc -l) $(ls .flowrun/cache | wc -l)" = "5 4"
# a task's symbolic link out of its run directory: removed, not followed
mkdir -p outside && echo precious > outside/keep
ln -s "$PWD/outside" ".flowrun/runs/${ids[4]}/tasks/link"
"$flowrun" clean --keep 2 --cache > clean.out 2>&1
check "clean --keep 2 --cache succeeds" test $? -eq 0
check "... keeps the two newest runs" \
	test "$(ls .flowrun/runs | sort | tr '\n' ' ')" = "$(printf '%s\n' "${ids[0]}" "${ids[1]}" | sort | tr '\n' ' ')"
check "... and the cache entries they refer to (a, d), no other" \
	test "$(for e in .flowrun/cache/*.json; do cat "$e"; echo; done | sort | tr '\n' ' ')" = '"a" "d" '
check "... without following a link a task left" test "$(cat outside/keep)" = precious
check "... and says what it removed" has clean.out '^removed 3 runs and 2 cache entries, '
"$flowrun" run c.json -p c-x=a > /dev/null 2>&1
check "the cache entry kept serves the next run" \
	has <("$flowrun" status latest) '^  c/t +Cached'
touch -d '3 days ago' ".flowrun/runs/${ids[1]}/plan.json"
"$flowrun" clean --older-than 2d > clean_old.out 2>&1
check "clean --older-than 2d removes the run that started 3 days ago, only it" \
	test ! -e ".flowrun/runs/${ids[1]}" -a -e ".flowrun/runs/${ids[0]}" -a "$(ls .flowrun/runs | wc -l)" = 2
"$flowrun" clean --older-than 2x > /dev/null 2>&1
check "clean --older-than with a bad age is a usage error" test $? -eq 2
printf 'name: n\nproject_name: t\ntasks:\n  - {name: n, shell: "touch live; sleep 3.3"}\n' > n.yaml
"$flowc" compile -o n.json n.yaml
rm -f live
"$flowrun" run n.json > /dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -e live ] && break; sleep 0.05; done
"$flowrun" clean --keep 0 > clean_live.out 2>&1
check "clean never removes a run a flowrun is running" has clean_live.out '^kept .*: a flowrun runs it'
check "... and removed the others" test "$(ls .flowrun/runs | wc -l)" = 1
kill -INT $pid
wait $pid
cd .. || exit 1

# ---- the progress line on a terminal (a pseudo-terminal from script) ----
cat > tty.yaml <<'YAML'
name: chatty
project_name: t
tasks:
  - {name: talk, shell: 'for i in 1 2 3; do echo "line $i" >&2; sleep 0.2; done'}
  - {name: fail, shell: 'sleep 0.1; exit 3'}
  - {name: never, run: ["true"], depends_on: [fail]}
  - {name: save, uses: save_file, with: {obj: hi, file_type: text, filename: out/tty.txt}}
YAML
"$flowc" compile -o tty.json tty.yaml
TERM=xterm script -qec "$(printf '%q ' "$flowrun" run tty.json --run-dir tty -v -j 2)" tty.typescript \
	> /dev/null 2>&1
check "on a terminal, task standard error is never glued onto the progress line" \
	/usr/bin/python3 - tty.typescript <<'PY'
import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
bad = 0
for m in re.finditer(r"chatty/talk: line", text):
    before = text[max(0, m.start() - 4):m.start()]
    if not (before.endswith("\n") or before.endswith("\r\x1b[K")):
        print("  glued:", repr(text[max(0, m.start() - 60):m.end()]))
        bad += 1
if text.count("chatty/talk: line") != 3:
    print("  lines of standard error seen:", text.count("chatty/talk: line")); bad += 1
sys.exit(bad)
PY
check "the progress line counts Skipped apart from Failed" grep -q '1 failed, 1 skipped' tty.typescript
check "the progress line shows the time elapsed" grep -Eq ', [0-9]+\.[0-9] s\] ' tty.typescript
check "the progress line shows a running count" grep -q '1 running' tty.typescript
check "a built-in task shows Running like the others" grep -q 'chatty/save Running' tty.typescript

# ---- reals read back as they were written ----
printf 'name: reals\nproject_name: t\ntasks:\n  - {name: r, run: [echo, "{\\"v\\": 0.05, \\"w\\": [0.1, 1e-7, 100.0]}"], result: "{v: float, w: list[float]}"}\n' > reals.yaml
"$flowc" compile -o reals.json reals.yaml
"$flowrun" run reals.json --run-dir reals > /dev/null 2>&1
check "a result's reals are printed in their shortest form" \
	test "$("$flowrun" result reals reals/r | tr -d ' \n')" = '{"v":0.05,"w":[0.1,1e-7,100.0]}'
check "... and journaled so" grep -q '"result":{"v":0.05,"w":\[0.1,1e-7,100.0\]}' reals/journal/0.jsonl

report runs
