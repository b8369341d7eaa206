#!/bin/bash
# reuse_test.sh FLOWC FLOWRUN: run --reuse RUN_DIR for real: the lume
# example with a marker file per flow (a line each time a process of it
# runs) run, edited, and run again reusing what did not change; a file a
# flow reads changed on disk, gone, replaced by a FIFO; a composed
# parameter changed; reuse of a failed run and resume after it; one task
# alone; an earlier run that cannot be read.
set -u
source "$(dirname "$0")/lib.sh"
suite_start "$1" "$2"
cd "$tmp" || exit 1

# the lume example, its processes leaving a line in $MARKS/FLOW when they run
mkdir specs marks
export MARKS=$tmp/marks
cp "$root"/specs/examples/lume/*.yaml specs/
sed -i "s|'printf \"%s%s\" \"\$1\" \"\$2\"'|'echo >> \"\$MARKS/flow1\"; printf \"%s%s\" \"\$1\" \"\$2\"'|" \
	specs/flow1.yaml
sed -i "s|run: \[cat\]|run: [sh, -c, 'echo >> \"\$MARKS/flow2\"; cat']|" specs/flow2.yaml
sed -i "s|run: \[sh, -c, 'if|run: [sh, -c, 'echo >> \"\$MARKS/flow3\"; if|" specs/flow3.yaml
check "the marked specs differ from the example's in each flow" \
	test "$(grep -c MARKS specs/flow1.yaml specs/flow2.yaml specs/flow3.yaml | tr '\n' ' ')" \
	= "specs/flow1.yaml:1 specs/flow2.yaml:1 specs/flow3.yaml:1 "
compile() { "$FLOWC_BIN" compile -I specs -o "$1" specs/flow_of_flows.yaml; }
FLOWC_BIN=$flowc
compile lume.json
args=(-p flow1-text1=hey -p flow1-filename=out/text.txt -p 'flow3-text2=hey you')
marks() { # the lines in each flow's marker file
	echo "$(wc -l < marks/flow1 2>/dev/null || echo 0) $(wc -l < marks/flow2 2>/dev/null || echo 0)" \
		"$(wc -l < marks/flow3 2>/dev/null || echo 0)"
}
"$flowrun" run lume.json --run-dir r1 "${args[@]}" > r1.out 2>&1
check "r1: the run succeeds" test $? -eq 0
check "r1: each flow's process ran once" test "$(marks)" = "1 1 1"
check "r1: every Success is journaled with its key" \
	test "$(grep -c '"state":"Success".*"key":"[0-9a-f]\{64\}"' r1/journal/0.jsonl)" = 6
check "r1: load_file's Success names the file it read and its SHA-256" \
	has r1/journal/0.jsonl "\"read\":\\{\"local:out/text.txt\":\"$(sha256sum out/text.txt | cut -c1-64)\"\\}"

# the same plan again: everything reused, nothing runs
"$flowrun" run lume.json --run-dir r1b --reuse r1 "${args[@]}" > r1b.out 2>&1
check "same plan: the run succeeds" test $? -eq 0
check "same plan: it says what it reused" has r1b.out '6 tasks \(6 reused from .*r1\)'
check "same plan: no process ran" test "$(marks)" = "1 1 1"
check "same plan: every task is Cached" test "$("$flowrun" status r1b | grep -c ' Cached ')" = 6
check "same plan: the result is the earlier one" \
	test "$("$flowrun" result r1b flow3/check_text_equivalence)" = true

# flow3 edited: flows 1 and 2 reused, flow3 runs
sed -i 's|then echo true; else echo false; fi|then echo true; else echo false; fi # edited|' specs/flow3.yaml
compile edited.json
"$flowrun" run edited.json --dry-run --reuse r1 "${args[@]}" > edit.dry 2>&1
check "edited flow3: the dry run exits 0" test $? -eq 0
check "edited flow3: the dry run says flow1's tasks are reused" \
	test "$(grep -c '^  flow1/.*: reused$' edit.dry)" = 2
check "edited flow3: ... and flow2's" test "$(grep -c '^  flow2/.*: reused$' edit.dry)" = 3
check "edited flow3: ... and flow3 runs because its definition changed" \
	has edit.dry '^  flow3/check_text_equivalence: runs: its definition changed \(run\)$'
check "edited flow3: ... and counts them" has edit.dry '^5 of 6 tasks reused, 1 run$'
check "edited flow3: the dry run ran nothing" test "$(marks)" = "1 1 1"
"$flowrun" run edited.json --run-dir r2 --reuse r1 "${args[@]}" > r2.out 2>&1
check "edited flow3: the run succeeds" test $? -eq 0
check "edited flow3: flows 1 and 2 did not run, flow3 did" test "$(marks)" = "1 1 2"
"$flowrun" status r2 > r2.status
check "edited flow3: flows 1 and 2 are Cached" \
	test "$(grep -E '^ +flow[12]/[a-z_]+ +Cached ' r2.status | wc -l)" = 5
check "edited flow3: flow3 is Success" has r2.status '^ +flow3/check_text_equivalence +Success '
check "edited flow3: its result is true" \
	test "$("$flowrun" result r2 flow3/check_text_equivalence)" = true
check "edited flow3: the stored document is not duplicated" \
	test "$(sqlite3 .flowrun/results.db 'select count(*) from results')" = 1

# the file flow2 reads changed on disk: flow2 and flow3 run, flow1 does not
printf 'hey there' > out/text.txt
"$flowrun" run edited.json --dry-run --reuse r2 "${args[@]}" > file.dry 2>&1
check "changed file: flow1 reused" test "$(grep -c '^  flow1/.*: reused$' file.dry)" = 2
check "changed file: load_file runs because the file changed" \
	has file.dry '^  flow2/load_file: runs: file local:out/text.txt changed$'
check "changed file: format_result runs because load_file does" \
	has file.dry '^  flow2/format_result: runs: it needs load_file, which runs$'
check "changed file: flow3 runs because its parameter comes from flow2" \
	has file.dry '^  flow3/check_text_equivalence: runs: parameter text1 comes from flow2/save_db_result, which runs$'
"$flowrun" run edited.json --run-dir r3 --reuse r2 "${args[@]}" > r3.out 2>&1
check "changed file: the run succeeds" test $? -eq 0
check "changed file: flow2 and flow3 ran, flow1 did not" test "$(marks)" = "1 2 3"
check "changed file: flow3 compares the changed text: false" \
	test "$("$flowrun" result r3 flow3/check_text_equivalence)" = false
check "changed file: the file keeps what was written to it" test "$(cat out/text.txt)" = "hey there"

# the file gone: the task that wrote it runs again (and what follows)
rm out/text.txt
"$flowrun" run edited.json --dry-run --reuse r3 "${args[@]}" > gone.dry 2>&1
check "file gone: append_text is reused" has gone.dry '^  flow1/append_text: reused$'
check "file gone: save_text_file runs, its file not there" \
	has gone.dry '^  flow1/save_text_file: runs: its file local:out/text.txt is not there'
"$flowrun" run edited.json --run-dir r4 --reuse r3 "${args[@]}" > r4.out 2>&1
check "file gone: the run succeeds" test $? -eq 0
check "file gone: the file is written again" test "$(cat out/text.txt)" = "hey you"
check "file gone: append_text did not run, flows 2 and 3 did" test "$(marks)" = "1 3 4"

# a hostile file: a FIFO where the file was, never opened for reading
rm out/text.txt && mkfifo out/text.txt
timeout 20 "$flowrun" run edited.json --dry-run --reuse r4 "${args[@]}" > fifo.dry 2>&1
check "FIFO: the dry run ends (exit 0)" test $? -eq 0
check "FIFO: save_text_file runs, its file not a regular file" \
	has fifo.dry "^  flow1/save_text_file: runs: its file local:out/text.txt is not there .*not a regular file"
check "FIFO: what reads it runs after it" \
	has fifo.dry '^  flow2/load_file: runs: parameter file_rep comes from flow1/save_text_file, which runs$'
rm out/text.txt
"$flowrun" run edited.json --run-dir r5 --reuse r4 "${args[@]}" > r5.out 2>&1

# a file given as a composed parameter: read by content, never opened
# when it is a FIFO
cat > specs/reader.yaml <<'EOF'
name: reader
project_name: test
composing_flows:
  - name: flow2
    project_name: test
EOF
"$FLOWC_BIN" compile -I specs -o reader.json specs/reader.yaml
printf one > given.txt
rep='flow2-file_rep={"filename": "given.txt", "file_type_string": "text", "filesystem_identifier": "local"}'
MARKS=$tmp/reader_marks "$flowrun" run reader.json --run-dir g1 -p "$rep" > g1.out 2>&1
check "given file: the run succeeds" test $? -eq 0
"$flowrun" run reader.json --dry-run --reuse g1 -p "$rep" > g2.dry 2>&1
check "given file: unchanged, everything is reused" has g2.dry '^3 of 3 tasks reused, 0 run$'
printf two > given.txt
"$flowrun" run reader.json --dry-run --reuse g1 -p "$rep" > g3.dry 2>&1
check "given file: changed, load_file runs" \
	has g3.dry '^  flow2/load_file: runs: file local:given.txt changed$'
rm given.txt && mkfifo given.txt
timeout 20 "$flowrun" run reader.json --dry-run --reuse g1 -p "$rep" > g4.dry 2>&1
check "given file: a FIFO in its place, the dry run ends (exit 0)" test $? -eq 0
check "given file: ... and load_file runs, the file cannot be read" \
	has g4.dry '^  flow2/load_file: runs: file local:given.txt cannot be read$'
rm given.txt

# another results store: the document save_db_result stored is not there,
# so it runs (and what follows); the run is complete on its own
"$flowrun" run edited.json --dry-run --reuse r5 --results-db other.db "${args[@]}" > store.dry 2>&1
check "other store: a dry run does not make the store" test ! -e other.db
check "other store: save_db_result runs, the store not there" \
	has store.dry '^  flow2/save_db_result: runs: its stored document is not in this run.s results store \(there is no results store at .*other.db\)$'
"$flowrun" run edited.json --run-dir st1 --reuse r5 --results-db other.db "${args[@]}" > st1.out 2>&1
check "other store: the run succeeds" test $? -eq 0 || cat st1.out
check "other store: the document is stored there" \
	test "$(sqlite3 other.db 'select count(*) from results')" = 1
check "other store: flow3 is true" test "$("$flowrun" result st1 flow3/check_text_equivalence)" = true

# started in another directory: the file save_file wrote is under another
# root now (the same name there holds something else): it runs again
mkdir elsewhere elsewhere/out && printf garbage > elsewhere/out/text.txt
(cd elsewhere && "$flowrun" run ../edited.json --run-dir ../el1 --reuse ../r5 "${args[@]}") > el1.out 2>&1
check "another root: the run succeeds" test $? -eq 0 || cat el1.out
check "another root: save_text_file ran, saying why" \
	has <("$flowrun" run edited.json --dry-run --reuse r5 --filesystem local=elsewhere "${args[@]}") \
	'^  flow1/save_text_file: runs: its file local:out/text.txt is under another root now'
check "another root: it wrote the file there" test "$(cat elsewhere/out/text.txt)" = "hey you"
check "another root: flow3 is true" test "$("$flowrun" result el1 flow3/check_text_equivalence)" = true

# an earlier run whose journal was edited: a result of another type, a
# result file that is gone
cp -r r5 tampered && chmod -R u+w tampered
python3 - tampered/journal/0.jsonl <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
out = []
for l in lines:
    e = json.loads(l)
    if e.get("task_name") == "append_text" and e.get("state") in ("Success", "Cached"):
        e["result"] = {"a": [1, 2]}
    if e.get("task_name") == "format_result" and e.get("state") in ("Success", "Cached"):
        e.pop("result", None)
        e["result_file"] = "tasks/nope.json"
    out.append(json.dumps(e))
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
"$flowrun" run edited.json --dry-run --reuse tampered "${args[@]}" > tampered.dry 2>&1
check "tampered: a result of another type is not reused" \
	has tampered.dry '^  flow1/append_text: runs: its result in the earlier run does not fit its type: result: expected string'
check "tampered: a result that cannot be read is said so" \
	has tampered.dry '^  flow2/format_result: runs: its result in the earlier run cannot be read$'

# a composed parameter changed: what reads it runs
"$flowrun" run edited.json --dry-run --reuse r5 -p flow1-text1=hey -p flow1-filename=out/text.txt \
	-p 'flow3-text2=hey' > param.dry 2>&1
check "parameter: flow1 and flow2 reused" test "$(grep -c ': reused$' param.dry)" = 5
check "parameter: flow3 runs, naming the parameter" \
	has param.dry '^  flow3/check_text_equivalence: runs: parameter text2 changed \(flow3-text2\)$'
"$flowrun" run edited.json --dry-run --reuse r5 > noparam.dry 2>&1
check "parameter: a dry run with --reuse needs the parameters (exit 2)" test $? -eq 2
check "parameter: ... and names the missing one" has noparam.dry "missing parameter 'flow1-text1'"

# reuse of a run that failed, and resume of a run that reused
sed -i 's|# edited|; exit 3|' specs/flow3.yaml
compile failing.json
read -r m1 m2 m3 <<< "$(marks)"
"$flowrun" run failing.json --run-dir f1 --reuse r5 "${args[@]}" > f1.out 2>&1
check "failing flow3: the run fails (exit 1)" test $? -eq 1
check "failing flow3: flows 1 and 2 reused" test "$(marks)" = "$m1 $m2 $((m3 + 1))"
"$flowrun" resume f1 > f1r.out 2>&1
check "failing flow3: resume keeps what was reused and runs flow3 alone" \
	test "$(marks)" = "$m1 $m2 $((m3 + 2))"
check "failing flow3: ... which fails again" has f1r.out 'flow3/check_text_equivalence: Failed'
"$flowrun" run failing.json --dry-run --reuse f1 "${args[@]}" > failed.dry 2>&1
check "failed run: its failed task runs, saying so" \
	has failed.dry '^  flow3/check_text_equivalence: runs: it ended Failed in the earlier run$'
check "failed run: what it reused is reused again" test "$(grep -c ': reused$' failed.dry)" = 5

# a bundle: its script reads a helper listed under `bundle`; a changed
# helper changes the key of the task that runs the script (cache and reuse)
mkdir bsrc && cp -r "$root/tests/run/bundle/." bsrc/
"$FLOWC_BIN" compile --bundle b1.json bsrc/flows.yaml
"$flowrun" run b1.json --run-dir bun1 -p analyze-marker="$tmp/bmark" > bun1.out 2>&1
check "bundle: the first run gives true" test "$("$flowrun" result bun1 analyze/check)" = true
sed -i 's|echo true; else echo false|echo false; else echo true|' bsrc/scripts/lib.sh
"$FLOWC_BIN" compile --bundle b2.json bsrc/flows.yaml
"$flowrun" run b2.json --dry-run --reuse bun1 -p analyze-marker="$tmp/bmark" > bun2.dry 2>&1
check "bundle: a changed helper: the task runs, naming it" \
	has bun2.dry '^  analyze/check: runs: bundled file lib.sh changed$'
"$flowrun" run b2.json --run-dir bun2 -p analyze-marker="$tmp/bmark" > bun2.out 2>&1
check "bundle: a changed helper: cache: true does not take the earlier result" \
	test "$("$flowrun" result bun2 analyze/check)" = false
check "bundle: ... the script ran again" test "$(wc -l < "$tmp/bmark")" = 2

# one task alone: nothing else wakes the loop
cat > specs/alone.yaml <<'EOF'
name: alone
project_name: test
tasks:
  - name: only
    run: [sh, -c, 'echo >> "$MARKS/alone"; echo 7']
    result: int
EOF
"$FLOWC_BIN" compile -o alone.json specs/alone.yaml
"$flowrun" run alone.json --run-dir a1 > a1.out 2>&1
timeout 20 "$flowrun" run alone.json --run-dir a2 --reuse a1 > a2.out 2>&1
check "one task: the reusing run ends at once (exit 0)" test $? -eq 0
check "one task: its process ran once" test "$(wc -l < marks/alone)" = 1
check "one task: its result is the earlier one" test "$("$flowrun" result a2 alone/only)" = 7
check "one task: reuse by run id and latest works as for other commands" \
	test "$(cd "$tmp" && mkdir -p w && cd w && "$flowrun" run ../alone.json > /dev/null 2>&1 &&
		"$flowrun" run ../alone.json --reuse latest > reuse_latest.out 2>&1 && grep -c 'reused' reuse_latest.out)" -ge 1

# cache: true entries a reusing run refers to are kept by clean --cache
cat > specs/cached.yaml <<'EOF'
name: cached
project_name: test
tasks:
  - name: once
    run: [sh, -c, 'echo >> "$MARKS/cached"; echo 5']
    result: int
    cache: true
EOF
"$FLOWC_BIN" compile -o cached.json specs/cached.yaml
mkdir cw && (cd cw && "$flowrun" run ../cached.json > c1.out 2>&1 &&
	"$flowrun" run ../cached.json --reuse latest > c2.out 2>&1 &&
	"$flowrun" clean --keep 1 --cache > clean.out 2>&1 &&
	"$flowrun" run ../cached.json > c3.out 2>&1)
check "cache and reuse: clean --cache keeps the entry the reusing run refers to" \
	has cw/clean.out 'removed 1 run and 0 cache entries'
check "cache and reuse: ... so the task ran once in three runs" test "$(wc -l < marks/cached)" = 1

# an earlier run that cannot be read: refused before a run directory is made
"$flowrun" run alone.json --run-dir x1 --reuse nowhere > x1.out 2>&1
check "no earlier run: exit 2" test $? -eq 2
check "no earlier run: said, naming --reuse" has x1.out 'nowhere.*\(--reuse\)'
check "no earlier run: no run directory made" test ! -e x1
"$flowrun" run lume.json --run-dir x2 --reuse a1 "${args[@]}" > x2.out 2>&1
check "another plan's run: the run succeeds, reusing nothing" test $? -eq 0
check "another plan's run: it says nothing was reused" has x2.out '\(0 reused from'

# status --json of every run above (they hold reused tasks) fits its schema
for d in r1b r2 r3 f1 a2; do "$flowrun" status "$d" --json > "$d.status.json"; done
check "status --json of runs that reused fits specs/status.schema.json" \
	/usr/bin/python3 - "$root/specs/status.schema.json" r1b r2 r3 f1 a2 <<'PY'
import json, sys
import jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
bad = 0
for d in sys.argv[2:]:
    doc = json.load(open(d + ".status.json"))
    for e in v.iter_errors(doc):
        print(f"  {d}: {'/'.join(map(str, e.absolute_path))}: {e.message[:120]}")
        bad += 1
    cached = [t for f in doc["flows"] for t in f["tasks"] if t["state"] == "Cached"]
    if not cached or any(t["reason"] != "reused" for t in cached):
        print(f"  {d}: no Cached task, or one whose reason is not 'reused'")
        bad += 1
sys.exit(1 if bad else 0)
PY

report "reuse"
