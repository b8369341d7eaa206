#!/bin/bash
# slurm_test.sh FLOWC FLOWRUN: runs plans on a real single-node Slurm
# cluster started here (tests/slurm/start.sh) and stopped again: the lume
# example with results read back, a failing flow whose dependant is skipped
# beside an independent one, --detach followed by status, cancelled jobs
# reported Failed by status, the lume example with flow2 in a container
# image, the lume example with a PostgreSQL store, and a run reusing what
# did not change since an earlier one.
set -u
source "$(dirname "$0")/lib.sh"
suite_start "$1" "$2"
chmod 755 "$tmp"
cleanup() {
	[ -d "$tmp/cluster" ] && "$root/tests/slurm/stop.sh" "$tmp/cluster"
	[ -d "$tmp/pg" ] && "$root/tests/pg/stop.sh" "$tmp/pg"
	rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$(id -u)" != 0 ] || ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
	echo "SKIP Slurm tests: they need root and Debian's slurmctld, slurmd, slurm-client, munge (make deps)"
	exit 0
fi
SLURM_CONF=$("$root/tests/slurm/start.sh" "$tmp/cluster") || { echo "FAIL cannot start the Slurm cluster"; exit 1; }
export SLURM_CONF
cd "$tmp" || exit 1

"$flowc" compile -I "$root/specs/examples/lume" -o lume.json "$root/specs/examples/lume/flow_of_flows.yaml"
"$flowrun" run lume.json --backend slurm --run-dir lume -p flow1-text1=hey \
	-p flow1-filename=out/f.txt -p 'flow3-text2=hey you' > lume.out 2>&1
check "the lume example runs on Slurm" test $? -eq 0
check "flow3 finds the texts equal, read back with flowrun result" \
	test "$("$flowrun" result lume flow3/check_text_equivalence)" = true
check "one job per flow, with its output in the run directory" \
	test "$(ls lume/slurm/*.out | wc -l)" = 3
check "job names say plan and flow" grep -q 'flow2: job [0-9]' lume.out

# flow3 edited, then run on Slurm reusing the run above: flows 1 and 2 are
# Cached without a job, flow3's job reads flow2's stored document
mkdir lumeed && cp "$root"/specs/examples/lume/*.yaml lumeed/
sed -i 's|then echo true; else echo false; fi|then echo true; else echo false; fi # edited|' lumeed/flow3.yaml
"$flowc" compile -I lumeed -o lumeed.json lumeed/flow_of_flows.yaml
"$flowrun" run lumeed.json --backend slurm --reuse lume --run-dir lumeed-run -p flow1-text1=hey \
	-p flow1-filename=out/f.txt -p 'flow3-text2=hey you' > lumeed.out 2>&1
check "reuse on Slurm: the run succeeds" test $? -eq 0 || cat lumeed.out
check "reuse on Slurm: one job, flow3's" test "$(ls lumeed-run/slurm/ | tr '\n' ' ')" = \
	"$(cd lumeed-run/slurm && ls flow3-*.out) "
check "reuse on Slurm: flows 1 and 2 are Cached" \
	test "$("$flowrun" status lumeed-run | grep -cE '^ +flow[12]/[a-z_]+ +Cached ')" = 5
check "reuse on Slurm: flow3's job gives true" \
	test "$("$flowrun" result lumeed-run flow3/check_text_equivalence)" = true

# the lume example with flow2 in a python image (tests/container_test.sh):
# its job body runs the task through podman on the node
export CONTAINERS_CONF=$root/tests/container/containers.conf
source "$root/tests/container/images.sh"
if command -v podman > /dev/null && build_images; then
	mkdir lumect
	cp "$root"/specs/examples/lume/flow1.yaml "$root"/specs/examples/lume/flow3.yaml \
		"$root"/tests/container/flow2.yaml "$root"/tests/container/flow_of_flows.yaml lumect/
	"$flowc" compile -I lumect -o lumect.json lumect/flow_of_flows.yaml
	"$flowrun" run lumect.json --backend slurm --run-dir lumect-run -p flow1-text1=hey \
		-p flow1-filename=out/ct.txt -p 'flow3-text2=hey you' > lumect.out 2>&1
	check "a flow in an image runs on Slurm" test $? -eq 0 || cat lumect.out
	check "its result is true" \
		test "$("$flowrun" result lumect-run flow3/check_text_equivalence)" = true
	pyid=sha256:$(podman image inspect --format '{{.Id}}' localhost/flowrun-test-python:1 |
		sed 's/^sha256://')
	check "its job body journaled the image's id" \
		grep -q "\"task_name\":\"format_result\",\"state\":\"Success\".*\"image\":\"$pyid\"" \
		lumect-run/journal/0.1.0.jsonl
	check "python3 ran in the image, in the job" test "$(cat out/flow2-seen.txt 2>/dev/null)" = "hey you"
	check "no container is left" test -z "$(podman ps -aq)"
else
	check "podman and the test images are there for the container case" false
fi

"$flowc" compile --flow mixed -o mixed.json "$root/tests/run/slurm.yaml"
"$flowrun" run mixed.json --backend slurm --run-dir mixed > mixed.out 2>&1
check "a failing flow makes the Slurm run fail" test $? -eq 1
"$flowrun" status mixed > mixed.status
check "its task failed" grep -Eq 'breaks/fail +Failed .*exit status 4' mixed.status
check "the flow that needs it did not run" grep -Eq 'needs_breaks/never +Skipped' mixed.status
check "the independent flow succeeded" grep -Eq 'independent/fine +Success' mixed.status

"$flowrun" run lume.json --backend slurm --detach --run-dir detached -p flow1-text1=a \
	-p flow1-filename=out/g.txt -p 'flow3-text2=a you' > detached.out 2>&1
check "--detach returns after submitting" test $? -eq 0
for _ in $(seq 1 100); do
	"$flowrun" status detached > detached.status 2>&1 && break
	sleep 0.2
done
check "status shows the detached run succeeded" grep -Eq '^run .*: Success$' detached.status

"$flowc" compile --flow slowfof -o slow.json "$root/tests/run/slurm.yaml"
# jobs held back a minute, and one cancelled before it starts: it never
# journals anything
"$flowrun" run slow.json --backend slurm --detach --run-dir cancelled \
	--sbatch-arg=--begin=now+60 > cancelled.out 2>&1
job=$(sed -n 's/^slow: job \([0-9]*\)$/\1/p' cancelled.out)
scancel "$job"
for _ in $(seq 1 50); do
	squeue -h -t all -j "$job" -o %T 2> /dev/null | grep -q CANCELLED && break
	sleep 0.1
done
"$flowrun" status cancelled > cancelled.status
check "a cancelled job's flow is Failed, not Running" grep -q "slow: Failed: its job $job" cancelled.status
check "status exits 1 for it" test "$("$flowrun" status cancelled > /dev/null; echo $?)" = 1
check "a job still waiting is shown as such" grep -Eq "independent: job [0-9]+ is PENDING" cancelled.status

# Ctrl-C while the jobs run: none of them stays in the queue
"$flowrun" run slow.json --backend slurm --run-dir interrupted > interrupted.out 2>&1 &
pid=$!
for _ in $(seq 1 100); do cat interrupted/journal/*.jsonl 2> /dev/null |
	grep -q '"task_name":"wait","state":"Running"' && break; sleep 0.1; done
kill -INT "$pid"
wait "$pid"
check "Ctrl-C ends a Slurm run with 130" test $? -eq 130
jobs=$(sed -n 's/^[a-z]*: job \([0-9]*\)$/\1/p' interrupted.out | paste -sd, -)
check "no job of the interrupted run is left in the queue" \
	test -z "$(squeue -h -t PENDING,RUNNING -j "$jobs" -o %i 2> /dev/null)"

# a job cancelled in the middle, then resume on Slurm: only what did not
# succeed runs again
"$flowc" compile --flow twostep -o twostep.json "$root/tests/run/slurm.yaml"
"$flowrun" run twostep.json --backend slurm --detach --run-dir twostep -p mark1-log="$tmp/marks" \
	-p mark2-log="$tmp/marks" > twostep.out 2>&1
job2=$(sed -n 's/^mark2: job \([0-9]*\)$/\1/p' twostep.out)
for _ in $(seq 1 100); do grep -q m2 "$tmp/marks" 2> /dev/null && break; sleep 0.1; done
scancel "$job2"
for _ in $(seq 1 50); do
	squeue -h -t all -j "$job2" -o %T 2> /dev/null | grep -q CANCELLED && break
	sleep 0.1
done
"$flowrun" resume twostep --backend slurm > twostep.resume 2>&1
check "resume on Slurm finishes the run" test $? -eq 0
check "the flow that succeeded got no new job" test "$(grep -c '^mark1: job' twostep.resume)" = 0
check "the succeeded flow ran once" test "$(grep -c '^m1$' "$tmp/marks")" = 1
check "the cancelled flow ran again" test "$(grep -c '^m2$' "$tmp/marks")" = 2
check "its result is there" test "$("$flowrun" result twostep mark2/m)" = '"done"'

# a flow's resources reach sbatch
"$flowc" compile --flow res -o res.json "$root/tests/golden/cases/resources_ok.yaml"
"$flowrun" run res.json --backend slurm --detach --run-dir res > res.out 2>&1
rjob=$(sed -n 's/^heavy: job \([0-9]*\)$/\1/p' res.out)
scontrol show job -o "$rjob" > res.job
check "cpus reach the job" grep -q 'NumCPUs=2' res.job
check "mem reaches the job" grep -q 'MinMemoryNode=1.50G' res.job
check "time reaches the job" grep -q 'TimeLimit=00:02:00' res.job
check "partition reaches the job" grep -q 'Partition=debug' res.job
for _ in $(seq 1 100); do "$flowrun" status res > /dev/null 2>&1 && break; sleep 0.1; done

# resume refuses while the run's jobs are still queued, and submits nothing
"$flowrun" run slow.json --backend slurm --detach --run-dir held \
	--sbatch-arg=--begin=now+60 > held.out 2>&1
held_jobs=$(sed -n 's/^[a-z]*: job \([0-9]*\)$/\1/p' held.out | paste -sd, -)
"$flowrun" resume held --backend slurm > held.resume 2>&1
check "resume while jobs are queued exits 2" test $? -eq 2
check "and says which" grep -q 'still queued or running: .*slow (PENDING' held.resume
check "it submitted nothing" test "$(grep -c ': job [0-9]' held.resume)" = 0
check "the run still has exactly its two jobs" \
	test "$(squeue -h -t PENDING,RUNNING -n flowrun:slowfof:slow,flowrun:slowfof:independent -o %i |
		grep -cE "^(${held_jobs//,/|})\$")" = 2
scancel ${held_jobs//,/ }

# resume on Slurm keeps --partition and --sbatch-arg
"$flowrun" run twostep.json --backend slurm --detach --run-dir kept -p mark1-log="$tmp/kmarks" \
	-p mark2-log="$tmp/kmarks" --partition debug --sbatch-arg=--comment=flowrun-kept \
	--sbatch-arg=--begin=now+60 > kept.out 2>&1
scancel $(sed -n 's/^[a-z0-9]*: job \([0-9]*\)$/\1/p' kept.out)
for _ in $(seq 1 50); do
	[ -z "$(squeue -h -t PENDING,RUNNING -n flowrun:twostep:mark1,flowrun:twostep:mark2 -o %i)" ] && break
	sleep 0.1
done
"$flowrun" resume kept --backend slurm > kept.resume 2>&1 &
kpid=$!
kjob=
for _ in $(seq 1 50); do
	kjob=$(sed -n 's/^mark1: job \([0-9]*\)$/\1/p' kept.resume)
	[ -n "$kjob" ] && break
	sleep 0.1
done
scontrol show job -o "$kjob" > kept.job 2> /dev/null
check "the resumed job keeps --sbatch-arg" grep -q 'Comment=flowrun-kept' kept.job
check "the resumed job keeps --partition" grep -q 'Partition=debug' kept.job
kill -INT "$kpid" 2> /dev/null
wait "$kpid"

# a job body killed with SIGKILL leaves no task process behind
"$flowrun" run slow.json --backend slurm --detach --run-dir bodykill > bodykill.out 2>&1
for _ in $(seq 1 100); do cat bodykill/journal/*.jsonl 2> /dev/null |
	grep -q '"task_name":"wait","state":"Running"' && break; sleep 0.1; done
# the job body's pid, from the first line of its journal file (the one
# whose first event names the flow slow)
bodyjournal=$(grep -l '"flow_name":"slow"' bodykill/journal/0.*.jsonl 2> /dev/null | head -n 1)
body=$(sed -n '1s/.*"pid":\([0-9]*\).*/\1/p' "${bodyjournal:-/nonexistent}" 2> /dev/null)
check "the job body of the slow flow was found" test -n "$body"
[ -n "$body" ] && kill -9 "$body"
for _ in $(seq 1 50); do # a loaded machine may take a moment
	left=
	for p in /proc/[0-9]*; do
		[ "$({ tr '\0' ' ' < "$p/cmdline"; } 2> /dev/null)" = "sleep 20 " ] && left="$left ${p#/proc/}"
	done
	[ -z "$left" ] && break
	sleep 0.1
done
check "no task of the killed job body is left running" test -z "$left"
scancel $(sed -n 's/^[a-z]*: job \([0-9]*\)$/\1/p' bodykill.out) 2> /dev/null

# a flow given one CPU never runs two of its tasks at once (locally, with
# -j 4, the same flow does: the check can fail)
"$flowc" compile --flow onecpu_fof -o onecpu.json "$root/tests/run/slurm.yaml"
mkdir -p "$tmp/oc_local" "$tmp/oc_slurm"
"$flowrun" run onecpu.json --run-dir oc_local -j 4 -p onecpu-dir="$tmp/oc_local" > /dev/null 2>&1
check "locally with -j 4 the tasks overlap" test -s "$tmp/oc_local/overlaps"
"$flowrun" run onecpu.json --backend slurm --run-dir oc_slurm -p onecpu-dir="$tmp/oc_slurm" > oc.out 2>&1
check "the cpus: 1 flow succeeds on Slurm" test $? -eq 0
check "its tasks never overlapped" test ! -e "$tmp/oc_slurm/overlaps"

# a job cancelled while its flow runs, followed: the tasks that succeeded
# in it are kept, and resume runs only the rest
"$flowc" compile --flow halves_fof -o halves.json "$root/tests/run/slurm.yaml"
mkdir -p "$tmp/halves"
"$flowrun" run halves.json --backend slurm --run-dir halves -p halves-dir="$tmp/halves" \
	> halves.out 2>&1 &
hpid=$!
for _ in $(seq 1 100); do cat halves/journal/*.jsonl 2> /dev/null |
	grep -q '"task_name":"second","state":"Running"' && break; sleep 0.1; done
scancel "$(sed -n 's/^halves: job \([0-9]*\)$/\1/p' halves.out)"
wait "$hpid"
check "a run whose job was cancelled fails" test $? -eq 1
"$flowrun" status halves > halves.status
check "the task that succeeded in the job stays Success" has halves.status 'halves/first +Success'
check "the one that did not is Skipped" has halves.status 'halves/second +Skipped'
touch "$tmp/halves/go"
"$flowrun" resume halves > halves.resume 2>&1
check "resume finishes it on Slurm" test $? -eq 0
check "resume started from the task that did not succeed" \
	grep -q 'resuming, 1 of 2 tasks already succeeded' halves.resume
check "the first task ran once" test "$(grep -c first "$tmp/halves/marks")" = 1

# 20 flows at once as concurrent job bodies, each writing its own journal
awk 'BEGIN {
	for (f = 1; f <= 20; f++) {
		printf "name: w%d\nproject_name: t\ntasks:\n", f
		for (t = 1; t <= 100; t++) printf "  - {name: t%d, run: [/bin/true]}\n", t
		printf "---\n"
	}
	printf "name: wide\nproject_name: t\ncomposing_flows:\n"
	for (f = 1; f <= 20; f++) printf "  - {name: w%d, project_name: t}\n", f
}' > wide.yaml
"$flowc" compile -o wide.json wide.yaml
"$flowrun" run wide.json --backend slurm --run-dir wide > wide.out 2>&1
check "20 concurrent flows succeed on Slurm" test $? -eq 0
check "each wrote its own journal file" test "$(ls wide/journal/0.*.jsonl | wc -l)" = 20
check "every journal line is JSON" python3 -c '
import json, sys, glob
for f in glob.glob(sys.argv[1] + "/journal/*.jsonl"):
    for line in open(f):
        json.loads(line)' wide
check "every task event is there: 2,000 Success" \
	test "$(cat wide/journal/*.jsonl | grep -c '"state":"Success","attempt"')" = 2000
check "status shows 2,000 tasks Success" test "$("$flowrun" status wide | grep -c ' Success ')" = 2000

if ls /usr/lib/postgresql/*/bin/initdb > /dev/null 2>&1; then
	url=$("$root/tests/pg/start.sh" "$tmp/pg")
	"$flowrun" run lume.json --backend slurm --results-db "$url" --run-dir lumepg -p flow1-text1=hey \
		-p flow1-filename=out/h.txt -p 'flow3-text2=hey you' > lumepg.out 2>&1
	check "the lume example on Slurm with a PostgreSQL store" test $? -eq 0
	check "flow3 is true there too" test "$("$flowrun" result lumepg flow3/check_text_equivalence)" = true
fi

report slurm
