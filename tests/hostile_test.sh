#!/bin/bash
# hostile_test.sh FLOWC FLOWRUN: what a task or a plan can hand flowrun, and
# the limits that hold it (docs/run.md, "Limits"): values nested 40,000 and
# 1,000,000 levels deep, a FIFO for load_file, NUL characters in a result,
# 1 GB of output with flowrun's memory bounded, save_file under the umask,
# and plans edited to hold what flowc never writes (their hashes
# recomputed), each refused by --dry-run with exit 2.
set -u
source "$(dirname "$0")/lib.sh"
suite_start "$1" "$2"
cd "$tmp" || exit 1
mkdir out
# the sanitizer build is several times slower and AddressSanitizer keeps
# its own shadow memory and quarantine: its bounds are looser, said here
case "$flowrun" in */san/*) san=1 ;; *) san=0 ;; esac

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
spec=$root/tests/hostile/values.yaml
for f in deep fifo nul big yaml; do "$flowc" compile --flow "fof_$f" -o "$f.json" "$spec" || exit 1; done

# ---- values nested too deep: refused at once, and flowrun stays well ----
for levels in 40000 1000000; do
	start=$(now_ms)
	"$flowrun" run deep.json --run-dir "deep$levels" -p deep-levels=$levels > "deep$levels.out" 2>&1
	rc=$? ms=$(( $(now_ms) - start ))
	check "$levels levels: the run fails (exit 1), flowrun does not crash" test $rc -eq 1
	check "$levels levels: load_file names the depth limit" has "deep$levels.out" \
		'^deep/load: Failed: YAML at line 1 nests deeper than 512 levels \(--max-depth\)$'
	check "$levels levels: a result that deep is refused" has "deep$levels.out" \
		'^deep/json: Failed: standard output nests deeper than 512 levels \(--max-depth\)$'
	check "$levels levels: the whole run ends promptly ($ms ms)" test "$ms" -lt 10000
	"$flowrun" status "deep$levels" > "status$levels.out" 2>&1
	check "$levels levels: status reads the run back" has "status$levels.out" 'deep/write +Success'
	secs=$(awk '$1 == "deep/load" { print $3 }' "status$levels.out")
	check "$levels levels: load_file refused it in under a second (${secs}s)" \
		awk -v s="$secs" 'BEGIN { exit !(s != "" && s < 1) }'
	"$flowrun" resume "deep$levels" > "resume$levels.out" 2>&1
	check "$levels levels: resume fails the same way, without a crash" test $? -eq 1
done
"$flowrun" run deep.json --run-dir deep1000 -p deep-levels=1000 > deep1000.out 2>&1
check "1000 levels: deeper than the default" has deep1000.out \
	'^deep/json: Failed: the result nests deeper than 512 levels \(--max-depth\)$'
"$flowrun" resume deep1000 --max-depth 1500 > deep1000r.out 2>&1
check "1000 levels: resume --max-depth 1500 takes it" test $? -eq 0
check "1000 levels: and reads the result back" \
	test "$("$flowrun" result deep1000 deep/json | tr -d ' \n' | wc -c)" -eq 2000
check "1000 levels: run.json keeps the raised limit" grep -q '"depth": 1500' deep1000/run.json
"$flowrun" run deep.json --max-depth 2001 > /dev/null 2> maxdepth.err
check "--max-depth above 2000 is a usage error" test $? -eq 2
check "... that says the bound" grep -q 'from 1 to 2000' maxdepth.err

# ---- a FIFO for load_file: refused, never waited on ----
start=$(now_ms)
timeout 20 "$flowrun" run fifo.json --run-dir fifo > fifo.out 2>&1
rc=$? ms=$(( $(now_ms) - start ))
check "FIFO: the run ends by itself (exit 1)" test $rc -eq 1
check "FIFO: load_file says it is not a regular file" has fifo.out \
	"^fifo/load: Failed: 'out/fifo' in filesystem 'local' is not a regular file$"
check "FIFO: at once ($ms ms)" test "$ms" -lt $(( san ? 5000 : 2000 ))

# ---- NUL characters: never carried, always a clear task failure ----
"$flowrun" run nul.json --run-dir nul > nul.out 2>&1
check "NUL: the run fails" test $? -eq 1
check "NUL: a string result on standard output" has nul.out \
	'^nul/text: Failed: standard output holds a NUL character'
check "NUL: a JSON result with \\u0000" has nul.out \
	'^nul/json: Failed: standard output holds a string with a NUL character'
check "NUL: a text file" has nul.out '^nul/load: Failed: out/nul.txt holds a NUL character'
check "NUL: a YAML file" has nul.out '^nul/load_yaml: Failed: YAML at line 1 holds a NUL character'
"$flowrun" result nul nul/text > /dev/null 2>&1
check "NUL: no result was recorded" test $? -ne 0

# ---- YAML written by save_file reads back as it was ----
"$flowrun" run yaml.json --run-dir yaml > yaml.out 2>&1
check "YAML: the run succeeds" test $? -eq 0
"$flowrun" result yaml yaml/load > yaml_load.json
check "YAML: control characters, a 1,100-character key, 1.0 and \"3\" read back as saved" \
	/usr/bin/python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
sys.exit(v != {"k" * 1100: "a\x85b\x7fc\u2028 d\ufffe", "f": 1.0, "s": "3", "t": "true", "n": None}
	 or not isinstance(v["f"], float))' yaml_load.json
check "YAML: a number beyond a double stays its text, nothing dropped" \
	test "$("$flowrun" result yaml yaml/load_huge | tr -d ' \n')" = '{"a":"1e999","b":2,"1e999":"c"}'

# ---- 1 GB of output: memory bounded, the log capped where asked ----
cat > rss.py <<'PY'
import resource, subprocess, sys
rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode
print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PY
# AddressSanitizer keeps 256 MiB of freed memory in quarantine by default,
# whatever flowrun does: the sanitizer build is measured with a small one
read -r rc mib < <(ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16 \
	/usr/bin/python3 rss.py "$flowrun" run big.json --run-dir big \
	-p big-bytes=1000000000 --max-log 64M -j 3)
check "1 GB: the run ends (exit 1: a 1 GB result is refused)" test "$rc" -eq 1
check "1 GB: flowrun's peak memory stays under $(( san ? 128 : 64 )) MiB (${mib} MiB)" \
	test "$mib" -lt $(( san ? 128 : 64 ))
"$flowrun" status big > big.status
check "1 GB: standard output streamed, the task Success" has big.status 'big/out +Success'
check "1 GB: standard error streamed, the task Success" has big.status 'big/err +Success'
check "1 GB: as a result, refused naming the limit" has big.status \
	'big/result +Failed .*larger than the limit on a result, 16 MiB \(--max-result\)'
for f in big/tasks/big.out.stdout big/tasks/big.err.stderr; do
	check "1 GB: $f keeps 64 MiB and a line saying so" \
		test "$(head -c 67108864 "$f" | tr -d '\0' | wc -c)" -eq 0
	check "1 GB: $f ends with the line" grep -aq \
		'^\[flowrun: 932891136 more bytes not kept: the limit is 64 MiB (--max-log)\]$' "$f"
done
"$flowrun" run big.json --run-dir mid -p big-bytes=1000000 > mid.out 2>&1
check "1 MB: every task succeeds" test $? -eq 0
check "1 MB: a result past what memory holds is read back whole" \
	test "$("$flowrun" result mid big/result | wc -c)" -eq 1000003
check "1 MB: standard output kept whole" test "$(wc -c < mid/tasks/big.out.stdout)" -eq 1000000
check "1 MB: no stdout file where it is the result" test ! -e mid/tasks/big.result.stdout
"$flowrun" run big.json --max-result 0 > /dev/null 2> maxresult.err
check "--max-result 0 is a usage error" test $? -eq 2

# ---- save_file honours the umask ----
"$flowc" compile --flow fof_files -o files.json "$root/tests/run/files.yaml" || exit 1
(umask 077 && "$flowrun" run files.json --run-dir files > files.out 2>&1)
check "umask 077: the run succeeds" test $? -eq 0
check "umask 077: a saved file is 0600" test "$(stat -c %a out/data.json)" = 600
(umask 022 && "$flowrun" run files.json --run-dir files022 > files022.out 2>&1)
check "umask 022: a saved file is 0644" test "$(stat -c %a out/data.json)" = 644

# ---- plans holding what flowc never writes ----
mkdir plans
/usr/bin/python3 "$root/tests/hostile/plans.py" "$root/tests/plans/lume.json" plans
check "the hostile plans were written" test "$(ls plans | wc -l)" -ge 15
for p in plans/*.json; do
	"$flowrun" run "$p" --dry-run > "$p.out" 2>&1
	rc=$?
	check "$(basename "$p" .json): refused by --dry-run with exit 2 ($rc)" test $rc -eq 2
	check "$(basename "$p" .json): the message names the plan" grep -q "^flowrun: $p: " "$p.out"
done
"$flowrun" run plans/flow_up.json --run-dir up > up.out 2>&1
check "a plan with a flow named ../../etc does not run (exit 2)" test $? -eq 2
check "... and leaves no run directory" test ! -e up

report hostile
