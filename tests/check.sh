#!/bin/bash
# check.sh B SUMMARY: runs every test suite against the build in B (its
# unit tests, then the golden cases and the scripted suites), one after
# another, going on past a failing one. Each suite's output goes to
# B/logs/NAME.log; one line per suite says what ran and how it ended
# (the whole log too when it failed, or always with V=1). Each suite adds
# "NAME PASSED FAILED" to SUMMARY. Exits 1 when any suite failed.
# SUITES="golden plans" runs only the suites named (unit tests: unit-NAME).
#
# A suite that says SKIP (a test it could not run here) has its skips
# counted apart: "NAME PASSED FAILED SKIPPED".
#
# check.sh --total SUMMARY: prints the one line "N passed, M failed" over
# every suite in SUMMARY (with the skips and the suites that failed, when
# there are any); exits 1 when M > 0.
set -u

if [ "${1:-}" = --total ]; then
	awk '{ p += $2; f += $3; s += $4; if ($3 > 0) bad = bad " " $1 }
	     END { printf "%d passed, %d failed", p, f
		   if (s) printf ", %d skipped", s
		   if (bad) printf " (failed:%s)", bad
		   printf "\n"; exit f > 0 }' "$2"
	exit $?
fi

B=$1
summary=$2
logs=$B/logs
mkdir -p "$logs"
status=0

# counts LOG RC: "PASSED FAILED" of a suite from what it printed: the
# "N checks, M failed" (cases, documents checked) lines of the scripts and
# cmocka's PASSED/FAILED lines; a suite that printed none counts as one
# check; a non-zero exit with nothing failed counts as one failure
counts() {
	awk -v rc="$2" '
	match($0, /: [0-9]+ (checks|cases|documents checked), [0-9]+ failed/) {
		split(substr($0, RSTART + 2, RLENGTH - 2), w, " ")
		n += w[1]; f += w[length(w) - 1]; seen = 1
	}
	/^\[  PASSED  \] [0-9]+ test/ { n += $4; seen = 1 }
	/^\[  FAILED  \] [0-9]+ test/ { n += $4; f += $4; seen = 1 }
	/^SKIP / { skip++ }
	END {
		if (!seen && !skip) { n = 1; f = rc != 0 }
		if (rc != 0 && f == 0) { f = 1; n++ }
		print n - f, f + 0, skip + 0
	}' "$1"
}

# suite NAME CMD...: runs one suite (only those named in $SUITES, when set)
suite() {
	local name=$1 log=$logs/$1.log start rc pass fail skip secs
	shift
	case " ${SUITES:-$name} " in *" $name "*) ;; *) return 0 ;; esac
	printf '%-10s %-26s ' "${B##*/}" "$name"
	start=$(date +%s)
	"$@" > "$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	read -r pass fail skip < <(counts "$log" $rc)
	# a suite that replaced /dev/null (a rename over it, as root) fails, and
	# the device is made again so that the suites after it are not broken
	if [ ! -c /dev/null ]; then
		echo "FAIL $name replaced /dev/null with $(stat -c %F /dev/null)" >> "$log"
		fail=$((fail + 1))
		[ "$(id -u)" = 0 ] && rm -f /dev/null && mknod -m 666 /dev/null c 1 3
	fi
	echo "$name $pass $fail $skip" >> "$summary"
	if [ "$fail" -eq 0 ] && [ "$skip" -ne 0 ]; then
		printf 'ok    %5d passed %5ds, %d SKIPPED: %s\n' "$pass" "$secs" "$skip" \
			"$(grep -m1 '^SKIP ' "$log")"
	elif [ "$fail" -eq 0 ]; then
		printf 'ok    %5d passed %5ds\n' "$pass" "$secs"
	else
		printf 'FAIL  %5d passed %5d failed %5ds: %s\n' "$pass" "$fail" "$secs" "$log"
		status=1
	fi
	if [ "$fail" -ne 0 ] || [ "${V:-0}" = 1 ]; then
		sed 's/^/    /' "$log"
	fi
}

for t in "$B"/tests/test_*; do
	case $t in */test_store) continue ;; esac # run by the store suite, once per store
	[ -x "$t" ] && suite "unit-${t##*/test_}" "$t"
done
suite golden tests/golden/run.sh "$B/flowc" "$B/flowrun"
suite plans tests/plan_test.sh "$B/flowc" "$B/flowrun"
suite runs tests/run_test.sh "$B/flowc" "$B/flowrun"
suite reuse tests/reuse_test.sh "$B/flowc" "$B/flowrun"
suite core tests/core_test.sh "$B/flowc" "$B/flowrun"
suite hostile tests/hostile_test.sh "$B/flowc" "$B/flowrun"
suite containers tests/container_test.sh "$B/flowc" "$B/flowrun"
suite cli tests/cli_test.sh "$B/flowc" "$B/flowrun"
suite readme /usr/bin/python3 tests/readme_test.py "$B"
suite stores tests/store_test.sh "$B/tests/test_store" "$B/flowc" "$B/flowrun"
suite slurm tests/slurm_test.sh "$B/flowc" "$B/flowrun"
suite schemas /usr/bin/python3 tests/schema_test.py
suite docs tests/docs.sh "$B/flowc"
exit $status
