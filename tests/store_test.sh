#!/bin/bash
# store_test.sh TEST_STORE FLOWC FLOWRUN: the store suite against SQLite and
# against a real PostgreSQL server started here (tests/pg), then flowrun
# with --results-db postgresql://: the lume example, a server that is down,
# and one that goes away in the middle of a run and comes back for resume.
set -u
source "$(dirname "$0")/lib.sh"
suite_start "$2" "$3"
test_store=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
chmod 755 "$tmp"
pgdir=$tmp/pg
cleanup() { [ -d "$pgdir" ] && "$root/tests/pg/stop.sh" "$pgdir"; rm -rf "$tmp"; }
trap cleanup EXIT

check "store suite on SQLite" env FLOWRUN_TEST_STORE="$tmp/results.db" "$test_store"

if [ "$(id -u)" != 0 ] || ! ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
	echo "SKIP PostgreSQL store tests: they need root and Debian's postgresql package (make deps)"
	report stores
	exit
fi
url=$("$root/tests/pg/start.sh" "$pgdir" 2> "$tmp/pg-start.err") || {
	echo "FAIL cannot start PostgreSQL:"
	cat "$tmp/pg-start.err" "$pgdir/initdb.log" "$pgdir/server.log" 2> /dev/null | tail -n 30 |
		sed 's/^/    /'
	exit 1
}
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

# ---- passwords: used, never recorded; key=value strings are PostgreSQL ----
port=${url##*:} port=${port%%/*}
psql -q "$url" -c "ALTER ROLE flowrun PASSWORD 'pw-s3cret'" > /dev/null
echo "host all all 127.0.0.1/32 scram-sha-256" > "$pgdir/data/pg_hba.conf"
runuser -u flowrun-pg -- "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pg_ctl" \
	-D "$pgdir/data" reload > /dev/null
sleep 0.5
psql -q "$url" -c "SELECT 1" > /dev/null 2>&1
check "the server now asks for a password" test $? -ne 0
pwurl="postgresql://flowrun:pw-s3cret@127.0.0.1:$port/postgres"
rm -f "$tmp/gate2"
"$flowrun" run dbsave.json --run-dir secret --results-db "$pwurl" -p slowsave-gate="$tmp/gate2" \
	> secret.out 2>&1 &
pid=$!
for _ in $(seq 1 100); do grep -q 'slowsave/wait: Running' secret.out && break; sleep 0.05; done
kill -INT "$pid"
wait "$pid"
check "a run with a password in its URL is interrupted (130)" test $? -eq 130
check "run.json does not hold the password" test -z "$(grep -l pw-s3cret secret/run.json)"
check "run.json records the URL without it" \
	grep -q "\"results_db\": \"postgresql://flowrun@127.0.0.1:$port/postgres\"" secret/run.json
check "run.json is its owner's alone (0600)" test "$(stat -c %a secret/run.json)" = 600
check "the run directory is its owner's alone (0700)" test "$(stat -c %a secret)" = 700
touch "$tmp/gate2"
env -u PGPASSWORD HOME="$tmp" "$flowrun" resume secret > nopw.out 2>&1
check "resume without a password is refused before it runs (2)" test $? -eq 2
check "... saying the server wants one" grep -q 'password' nopw.out
check "... and naming the server, not the password" test -z "$(grep -l pw-s3cret nopw.out)"
PGPASSWORD=pw-s3cret "$flowrun" resume secret > pw.out 2>&1
check "resume with PGPASSWORD succeeds" test $? -eq 0
printf '127.0.0.1:%s:postgres:flowrun:pw-s3cret\n' "$port" > "$tmp/pgpass"
chmod 600 "$tmp/pgpass"
"$flowrun" run dbsave.json --run-dir kv -p slowsave-gate="$tmp/gate2" \
	--results-db "host=127.0.0.1 port=$port user=flowrun dbname=postgres password=pw-s3cret" \
	> kv.out 2>&1
check "a libpq key=value string is a PostgreSQL store" test $? -eq 0
check "... and no file is named after it" test -z "$(find . -name '*s3cret*')"
check "... nor is its password recorded" test -z "$(grep -l pw-s3cret kv/run.json)"
env -u PGPASSWORD PGPASSFILE="$tmp/pgpass" "$flowrun" results --results-db \
	"host=127.0.0.1 port=$port user=flowrun dbname=postgres" --project t > kv.json
check "a password from a passfile is used" grep -q '"n": 7' kv.json

report stores
