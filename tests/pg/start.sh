#!/bin/sh
# start.sh DIR: starts a PostgreSQL server for the tests in DIR (made here;
# started again on the same port when DIR already holds one), listening on
# 127.0.0.1 only, run by an unprivileged user as PostgreSQL requires; prints
# its URL. Run as root. stop.sh DIR stops it by its pid.
set -eu
dir=$1
bin=$(ls -d /usr/lib/postgresql/*/bin 2> /dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "start.sh: no PostgreSQL server installed" >&2; exit 2; }
user=flowrun-pg
id "$user" > /dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
if [ ! -d "$dir/data" ]; then
	mkdir -p "$dir"
	chown "$user" "$dir"
	chmod 700 "$dir"
	# a free port: the first of a range nobody listens on
	port=55432
	while (echo > "/dev/tcp/127.0.0.1/$port") 2> /dev/null; do port=$((port + 1)); done
	echo "$port" > "$dir/port"
	runuser -u "$user" -- "$bin/initdb" -D "$dir/data" -U flowrun --auth=trust -E UTF8 \
		> "$dir/initdb.log" 2>&1
fi
port=$(cat "$dir/port")
runuser -u "$user" -- "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-k $dir -p $port -c listen_addresses=127.0.0.1 -c fsync=off" start > /dev/null
echo "postgresql://flowrun@127.0.0.1:$port/postgres"
