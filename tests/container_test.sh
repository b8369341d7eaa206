#!/bin/bash
# container_test.sh FLOWC FLOWRUN: flows with an image run their process
# tasks in it through podman (docs/run.md, "Containers"): the lume example
# with flow2 in a python image, what a task sees in its container (working
# directory, input, env, user, network), a program only the image has,
# timeouts, Ctrl-C, a killed flowrun, resume past a stale container,
# caching and reuse keyed on the image id, a missing image, the engine's choice. No
# container may be left after any case. The images are built offline by
# tests/container/images.sh; an engine that cannot start a container here
# is a failure, said plainly.
set -u
source "$(dirname "$0")/lib.sh"
suite_start "$1" "$2"
export CONTAINERS_CONF=$root/tests/container/containers.conf
trap 'podman rm -f -t 0 --filter label=flowrun.run >/dev/null 2>&1; rm -rf "$tmp"' EXIT
source "$(dirname "$0")/container/images.sh"
cd "$tmp" || exit 1
mkdir out

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
# no_containers: podman holds no container at all (none of flowrun's left)
no_containers() {
	local left
	left=$(podman ps -a --format '{{.Names}} {{.Status}}')
	[ -z "$left" ] || { echo "  containers left: $left"; return 1; }
}
# wait_for FILE-GLOB: up to 20 s for a file matching it
wait_for() {
	local i
	for i in $(seq 200); do compgen -G "$1" > /dev/null && return 0; sleep 0.1; done
	echo "  nothing matched $1 in 20 s"; return 1
}
image_id() { echo "sha256:$(podman image inspect --format '{{.Id}}' "$1" | sed 's/^sha256://')"; }

# ---- the engine works here, and the images are built ----
if ! command -v podman > /dev/null; then
	echo "FAIL podman is not installed (make deps installs it)"; exit 1
fi
check "the test images are built" build_images
podman run --rm --network=none localhost/flowrun-test-busybox:1 true > engine.err 2>&1
check "podman can start a container here" test $? -eq 0 || { cat engine.err; report containers; exit 1; }
for fof in only sees slow long cached missing; do
	"$flowc" compile --flow "fof_$fof" -o "$fof.json" "$root/tests/container/flows.yaml" || exit 1
done

# ---- the lume example, flow2 in an image with python3 ----
mkdir lume
cp "$root"/specs/examples/lume/flow1.yaml "$root"/specs/examples/lume/flow3.yaml \
	"$root"/tests/container/flow2.yaml "$root"/tests/container/flow_of_flows.yaml lume/
"$flowc" compile -I lume -o lume.json lume/flow_of_flows.yaml || exit 1
"$flowrun" run lume.json --dry-run > lume-dry.out 2>&1
check "lume: the dry run lists flow2's image as present" has lume-dry.out \
	'^  localhost/flowrun-test-python:1  present  for flow2$'
"$flowrun" run lume.json --run-dir lume-run -p flow1-text1=hey -p flow1-filename=out/flow1_res.txt \
	-p 'flow3-text2=hey you' > lume.out 2>&1
check "lume: the run succeeds" test $? -eq 0 || cat lume.out
check "lume: flow3's result is true" test "$("$flowrun" result lume-run flow3/check_text_equivalence)" = true
check "lume: python3 in the image read the file flow1 saved on the host" \
	test "$(cat out/flow2-seen.txt 2>/dev/null)" = "hey you"
check "lume: the file it wrote is the invoking user's, not the image's user 1000" \
	test "$(stat -c %u:%g out/flow2-seen.txt 2>/dev/null)" = "$(id -u):$(id -g)"
pyid=$(image_id localhost/flowrun-test-python:1)
check "lume: flow2's task events record the image's id" \
	grep -q "\"task_name\":\"format_result\",\"state\":\"Success\".*\"image\":\"$pyid\"" \
	lume-run/journal/0.jsonl
check "lume: built-in and host tasks record no image" \
	test "$(grep -c '"image"' lume-run/journal/0.jsonl)" -eq 2
"$flowrun" status lume-run > lume-status.out 2>&1
check "lume: status shows the image and its id" has lume-status.out \
	"^  flow2 +localhost/flowrun-test-python:1 $pyid$"
# reuse: the built-ins of flow2 (no image of their own) and its process
# task (the image's id) are all reused, and again from a run that reused
largs=(-p flow1-text1=hey -p flow1-filename=out/flow1_res.txt -p 'flow3-text2=hey you')
"$flowrun" run lume.json --dry-run --reuse lume-run "${largs[@]}" > lume-reuse.dry 2>&1
check "reuse: every task of a flow with an image is reused" \
	has lume-reuse.dry '^6 of 6 tasks reused, 0 run$'
"$flowrun" run lume.json --run-dir lume-reuse --reuse lume-run "${largs[@]}" > lume-reuse.out 2>&1
check "reuse: the run reusing them succeeds" test $? -eq 0
check "reuse: it journals the image the reused task ran in" \
	grep -q "\"task_name\":\"format_result\",\"state\":\"Cached\".*\"image\":\"$pyid\"" \
	lume-reuse/journal/0.jsonl
"$flowrun" run lume.json --dry-run --reuse lume-reuse "${largs[@]}" > lume-reuse2.dry 2>&1
check "reuse: a run that reused is reused from in turn" has lume-reuse2.dry '^6 of 6 tasks reused, 0 run$'
check "lume: no container is left" no_containers

# ---- a program only the image has ----
"$flowrun" run only.json --run-dir only-img > only-img.out 2>&1
check "only: in the image, it runs" test $? -eq 0
check "only: its output is the result" \
	test "$("$flowrun" result only-img only/run)" = '"only in the image: hello"'
sed '/^image: localhost\/flowrun-test-busybox:1$/d' "$root/tests/container/flows.yaml" > host.yaml
"$flowc" compile --flow fof_only -o only-host.json host.yaml || exit 1
"$flowrun" run only-host.json --run-dir only-host > only-host.out 2>&1
check "only: the same flow without its image fails on the host (exit 1)" test $? -eq 1
check "only: ... because the host has no such program" has only-host.out \
	'^only/run: Failed: cannot start only-in-image: No such file or directory$'
check "only: no container is left" no_containers

# ---- what a task sees in its container ----
FLOWRUN_TEST_SECRET=host-only "$flowrun" run sees.json --run-dir sees > sees.out 2>&1
check "sees: the run succeeds" test $? -eq 0 || cat sees.out
check "sees: its with on standard input" test "$(cat out/input.json)" = '{"word":"hi there"}'
check "sees: its env" test "$(cat out/word.txt)" = "hi there"
check "sees: the same working directory" test "$(cat out/pwd.txt)" = "$tmp"
check "sees: the invoking user's uid" test "$(cat out/uid.txt)" = "$(id -u)"
check "sees: FLOWRUN_RESULT, in the run directory bound at its path" \
	has out/env.txt "^FLOWRUN_RESULT=$tmp/sees/tasks/sees.look.result.out$"
check "sees: not the rest of flowrun's environment" \
	bash -c '! grep -q FLOWRUN_TEST_SECRET out/env.txt'
check "sees: no network but loopback by default" test "$(cat out/net-off.txt)" -eq 3
check "sees: the host's network with network: true" \
	test "$(cat out/net-on.txt)" -eq "$(wc -l < /proc/net/dev)"
check "sees: a built-in of the flow runs in flowrun (save_file)" test -s out/builtin.json
check "sees: no container is left" no_containers

# ---- timeouts ----
start=$(now_ms)
"$flowrun" run slow.json --run-dir slow > slow.out 2>&1
rc=$? ms=$(( $(now_ms) - start ))
check "timeout: the run fails (exit 1)" test $rc -eq 1
check "timeout: sleep 7 is stopped at its 1 s" has slow.out \
	'^slow/sleeps: Failed: timed out after 1000 ms$'
check "timeout: a task ignoring SIGTERM is killed after the grace" has slow.out \
	'^slow/stubborn: Failed: timed out after 1000 ms$'
check "timeout: the run ends in time ($ms ms: 1 s, then 5 s of grace)" test $ms -lt 9000
sleeps=$(awk '$1 == "slow/sleeps" { print $3 }' <("$flowrun" status slow))
check "timeout: sleep 7 ends within a second of its timeout (${sleeps}s)" \
	awk -v s="$sleeps" 'BEGIN { exit !(s != "" && s < 2.5) }'
check "timeout: no container is left" no_containers

# ---- Ctrl-C ----
echo 25 > delay
"$flowrun" run long.json --run-dir int > int.out 2>&1 &
pid=$!
wait_for out/started
start=$(now_ms)
kill -INT $pid
wait $pid
rc=$? ms=$(( $(now_ms) - start ))
check "Ctrl-C: flowrun exits 130" test $rc -eq 130
check "Ctrl-C: promptly ($ms ms)" test $ms -lt 5000
check "Ctrl-C: the task is Cancelled" has <("$flowrun" status int) '^  long/waits +Cancelled'
check "Ctrl-C: no container is left" no_containers

# ---- flowrun killed: its guard removes its containers ----
rm -f out/started
"$flowrun" run long.json --run-dir killed > killed.out 2>&1 &
pid=$!
wait_for out/started
{ kill -KILL $pid; wait $pid; } 2> /dev/null
for i in $(seq 100); do [ -z "$(podman ps -aq)" ] && break; sleep 0.1; done
check "SIGKILL: the guard removed the container within 10 s" no_containers

# ---- a stale container: flowrun and its guard killed, then resume ----
rm -f out/started
"$flowrun" run long.json --run-dir stale > stale.out 2>&1 &
pid=$!
wait_for out/started
# flowrun is stopped first: alive, it would see its engine process killed
# and remove the container itself, as it should
{ kill -STOP $pid; pkill -KILL -P $pid; kill -KILL $pid; wait $pid; } 2> /dev/null
runid=$(sed -n 's/.*"run_id": "\(.*\)".*/\1/p' stale/run.json)
check "stale: the container outlived flowrun and its guard" \
	test -n "$(podman ps -q --filter "label=flowrun.run=$runid")" ||
	{ echo "  run $runid; podman has:"; podman ps -a --format '    {{.Names}} {{.Status}}'; }
echo 1 > delay
"$flowrun" resume stale > stale-resume.out 2>&1
check "stale: resume succeeds" test $? -eq 0 || cat stale-resume.out
check "stale: the task ran again" test "$("$flowrun" result stale long/waits)" = '"done"'
check "stale: resume removed the earlier session's container" no_containers

# ---- cache: true keyed on the image's id ----
stamp_image() { # CONTENT: localhost/flowrun-test-stamp:1 with /etc/stamp holding it
	rm -rf stamp && rootfs stamp && echo "$1" > stamp/etc/stamp &&
		import_image stamp localhost/flowrun-test-stamp:1
}
stamp_image first
rm -f out/stamp-ran
"$flowrun" run cached.json --run-dir cache1 > cache1.out 2>&1
check "cache: the first run succeeds" test "$("$flowrun" result cache1 cached/stamp)" = '"first"'
"$flowrun" run cached.json --run-dir cache2 > cache2.out 2>&1
check "cache: the same image: Cached" has <("$flowrun" status cache2) '^  cached/stamp +Cached'
check "cache: ... and its process did not run" test "$(wc -l < out/stamp-ran)" -eq 1
"$flowrun" run cached.json --dry-run --reuse cache1 > reuse1.dry 2>&1
check "reuse: the same image: reused" has reuse1.dry '^  cached/stamp: reused$'
stamp_image second
"$flowrun" run cached.json --dry-run --reuse cache1 > reuse2.dry 2>&1
check "reuse: the image rebuilt under the same name: it runs, saying so" \
	has reuse2.dry '^  cached/stamp: runs: its image is sha256:[0-9a-f]{12} now, was sha256:[0-9a-f]{12}$'
"$flowrun" run cached.json --run-dir cache3 > cache3.out 2>&1
check "cache: the image rebuilt under the same name: it runs again" \
	test "$("$flowrun" result cache3 cached/stamp)" = '"second"'
check "cache: ... its process ran" test "$(wc -l < out/stamp-ran)" -eq 2
check "cache: ... and the journal records the new id" \
	grep -q "\"image\":\"$(image_id localhost/flowrun-test-stamp:1)\"" cache3/journal/0.jsonl
podman rmi -f localhost/flowrun-test-stamp:1 > /dev/null 2>&1
check "cache: no container is left" no_containers

# ---- a missing image ----
"$flowrun" run missing.json --dry-run > missing-dry.out 2>&1
check "missing: the dry run says so" has missing-dry.out \
	'^  localhost/flowrun-test-missing:1  missing \(--pull fetches it\)  for missing$'
"$flowrun" run missing.json --run-dir missing > missing.out 2>&1
check "missing: the run fails (exit 1)" test $? -eq 1
check "missing: the task fails naming the image, and that flowrun did not pull it" \
	has missing.out '^missing/never: Failed: image localhost/flowrun-test-missing:1 is not present for podman, and flowrun pulls only with --pull \(podman: .*image not known\)$'
check "missing: the flow on the host runs on" has missing.out '^host/here: Success$'
"$flowrun" run missing.json --run-dir missing-pull --pull > missing-pull.out 2>&1
check "missing: --pull tries, and says why it could not" \
	has missing-pull.out '^missing/never: Failed: image localhost/flowrun-test-missing:1: podman: '
check "missing: no container is left" no_containers

# ---- the engine's choice ----
"$flowrun" run only.json --container-engine nerdctl > engine-bad.out 2>&1
check "engine: an unknown one is a usage error (exit 2)" test $? -eq 2
check "engine: ... naming the ones there are" has engine-bad.out 'podman, docker or apptainer'
mkdir -p fakebin
printf '#!/bin/sh\necho "fake docker: $*" >&2\nexit 1\n' > fakebin/docker
chmod 755 fakebin/docker
PATH=$tmp/fakebin:$PATH FLOWRUN_CONTAINER_ENGINE=docker "$flowrun" run only.json --run-dir docker \
	> docker.out 2>&1
check "engine: FLOWRUN_CONTAINER_ENGINE=docker is recorded in run.json" \
	grep -q '"container_engine": "docker"' docker/run.json
PATH=$tmp/fakebin:$PATH "$flowrun" run only.json --container-engine docker --dry-run > docker-dry.out 2>&1
check "engine: a dry run says when the engine cannot tell, rather than 'missing'" has docker-dry.out \
	'^  localhost/flowrun-test-busybox:1  unknown: docker: fake docker: image inspect '
check "engine: ... and docker is what is asked for the image" has docker.out \
	'^only/run: Failed: image localhost/flowrun-test-busybox:1: docker: fake docker: image inspect --format \{\{.Id\}\} localhost/flowrun-test-busybox:1$'

report containers
