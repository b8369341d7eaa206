# lib.sh: what the shell test scripts share: counting checks and reporting
# them. Sourced, never run.
nfail=0
ncheck=0

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
