#!/bin/bash
# store_test.sh TEST_STORE FLOWC FLOWRUN: the store suite against SQLite and
# against a real PostgreSQL server started here (tests/pg), then flowrun
# with --results-db postgresql://: the lume example, a server that is down,
# and one that goes away in the middle of a run and comes back for resume.
set -u
test_store=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
flowc=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
flowrun=$(cd "$(dirname "$3")" && pwd)/$(basename "$3")
root=$(pwd)
tmp=$(mktemp -d)
chmod 755 "$tmp"
pgdir=$tmp/pg
source "$(dirname "$0")/lib.sh"
cleanup() { [ -d "$pgdir" ] && "$root/tests/pg/stop.sh" "$pgdir"; rm -rf "$tmp"; }
trap cleanup EXIT

check "store suite on SQLite" env FLOWRUN_TEST_STORE="$tmp/results.db" "$test_store"

if [ "$(id -u)" != 0 ] || ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
	echo "SKIP PostgreSQL store tests: they need root and Debian's postgresql package (make deps)"
	report stores
	exit
fi
url=$("$root/tests/pg/start.sh" "$pgdir") || { echo "FAIL cannot start PostgreSQL"; exit 1; }
check "store suite on PostgreSQL" env FLOWRUN_TEST_STORE="$url" "$test_store"

cd "$tmp" || exit 1
"$flowc" compile -I "$root/specs/examples/lume" -o lume.json "$root/specs/examples/lume/flow_of_flows.yaml"
FLOWRUN_RESULTS_DB=$url "$flowrun" run lume.json --run-dir lume -p flow1-text1=hey \
	-p flow1-filename=out/f.txt -p 'flow3-text2=hey you' > lume.out 2>&1
check "lume example with a PostgreSQL store (FLOWRUN_RESULTS_DB)" test $? -eq 0
check "flow3 finds the texts equal" test "$("$flowrun" result lume flow3/check_text_equivalence)" = true
"$flowrun" results --results-db "$url" --project test --flow flow2 > docs.json
check "flowrun results lists the stored document" grep -q '"output1": "hey you"' docs.json

# a server that went away in the middle of a run, and came back
"$flowc" compile -o dbsave.json "$root/tests/run/dbsave.yaml"
"$flowrun" run dbsave.json --run-dir gone --results-db "$url" -p slowsave-gate="$tmp/gate" > gone.out 2>&1 &
pid=$!
sleep 0.5
"$root/tests/pg/stop.sh" "$pgdir" keep
touch "$tmp/gate"
wait "$pid"
check "a run whose store went away fails" test $? -eq 1
check "the failure names host and database" grep -q 'slowsave/save: Failed: results store postgresql://flowrun@127.0.0.1:[0-9]*/postgres' gone.out
"$flowrun" run dbsave.json --run-dir down --results-db "$url" -p slowsave-gate="$tmp/gate" > down.out 2>&1
check "a store that is down stops a new run before it starts (exit 2)" test $? -eq 2
check "and says where it is" grep -q 'postgresql://flowrun@127.0.0.1' down.out
"$root/tests/pg/start.sh" "$pgdir" > /dev/null
"$flowrun" resume gone > resume.out 2>&1
check "resume succeeds once the server is back" test $? -eq 0
check "resume ran only the failed task" grep -q 'resuming, 1 of 2 tasks already succeeded' resume.out

report stores
