#!/bin/sh
# stop.sh DIR [keep]: stops the PostgreSQL server start.sh started in DIR,
# by the pid in its postmaster.pid, and removes DIR unless told to keep it.
set -u
dir=$1
pid=$(head -n 1 "$dir/data/postmaster.pid" 2> /dev/null)
if [ -n "$pid" ]; then
	kill -INT "$pid" 2> /dev/null # fast shutdown
	for _ in $(seq 1 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
	kill -KILL "$pid" 2> /dev/null
fi
[ "${2:-}" = keep ] || rm -rf "$dir"
