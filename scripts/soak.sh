#!/bin/bash
# The suite under load: run the test binaries given RUNS times in a row while
# loops of the race and mm suites keep both cores busy beside them, then list
# the slowest tests of the last run.  Fails on the first failing run.
#
#   scripts/soak.sh [RUNS] -- build/tests/*
set -u
runs=${1:-20}
shift
[ "${1:-}" = "--" ] && shift
dir=$(mktemp -d)
trap 'touch "$dir/stop"; wait; rm -rf "$dir"' EXIT
for load in build/tests/races build/tests/model_fork; do
	( while [ ! -e "$dir/stop" ]; do "$load" >/dev/null 2>&1; done ) &
done
for i in $(seq "$runs"); do
	start=$(date +%s%N)
	rm -f "$dir"/*.xml
	failed=0
	for t in "$@"; do
		CMOCKA_MESSAGE_OUTPUT=xml CMOCKA_XML_FILE="$dir/$(basename "$t").xml" \
			timeout "${TEST_TIMEOUT:-300}" "$t" >"$dir/out" 2>&1 ||
			{ echo "run $i: $t failed"; cat "$dir/out"; failed=1; }
	done
	printf 'run %d/%d: %d ms, load %s\n' "$i" "$runs" \
		$(( ($(date +%s%N) - start) / 1000000 )) "$(cut -d' ' -f1 /proc/loadavg)"
	[ "$failed" -eq 0 ] || exit 1
done
echo "slowest tests of the last run (seconds):"
cat "$dir"/*.xml | sed -n 's/.*testcase name="\([^"]*\)" time="\([^"]*\)".*/\2 \1/p' |
	sort -rn | head -5
