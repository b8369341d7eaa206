# check.sh TEXT MARKER: true when TEXT is the expected greeting; appends a
# line to MARKER each time it runs (so a test sees whether it ran)
. "$(dirname "$0")/lib.sh"
echo ran >> "$2"
same "$1" hello
