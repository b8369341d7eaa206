#!/bin/sh
# docs.sh FLOWC: the documentation lists every diagnostic code flowc has.
set -u
flowc=$1
missing=0
for code in $("$flowc" explain | cut -d' ' -f1); do
	if ! grep -q "^| $code |" docs/diagnostics.md; then
		echo "FAIL docs/diagnostics.md does not list $code"
		missing=$((missing + 1))
	fi
done
[ "$missing" -eq 0 ] && echo "docs: every diagnostic code is documented"
