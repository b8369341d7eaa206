#!/bin/sh
# stop.sh DIR: ends the daemons start.sh started in DIR (by their pid
# files, nothing else) and removes DIR.
set -u
dir=$1
for name in slurmd slurmctld munged; do
	pid=$(cat "$dir/run/$name.pid" 2> /dev/null)
	[ -n "$pid" ] || continue
	kill "$pid" 2> /dev/null
	for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
	kill -9 "$pid" 2> /dev/null
done
rm -rf "$dir"
