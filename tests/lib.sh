# lib.sh: what the shell test scripts share: counting checks and reporting
# them. Sourced, never run.
nfail=0
ncheck=0

# suite_start FLOWC FLOWRUN: flowc and flowrun as absolute paths, root (the
# directory the script was started in: the source tree), and tmp, a new
# directory removed on exit (a script with more to clean up sets its own
# trap after this)
suite_start() {
	flowc=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
	flowrun=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
	root=$(pwd)
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
}

check() { # NAME COMMAND...: the command must succeed
	ncheck=$((ncheck + 1))
	if ! "${@:2}"; then
		echo "FAIL $1"
		nfail=$((nfail + 1))
	fi
}

has() { # FILE PATTERN: a line of FILE matches PATTERN (extended regex)
	grep -Eq -- "$2" "$1" || { echo "  no line matching '$2' in $1:"; sed 's/^/    /' "$1"; return 1; }
}

report() { # WHAT: prints the count and sets the script's exit status
	echo "$1: $ncheck checks, $nfail failed"
	[ "$nfail" -eq 0 ]
}
