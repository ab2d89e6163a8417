#!/bin/bash
# Run each cmocka test binary given, streaming its output, then print one
# closing line with the totals: "N passed, N failed".  A binary that crashes
# or hangs (killed after TEST_TIMEOUT seconds) counts as one more failure.
set -u
timeout_s=${TEST_TIMEOUT:-300}
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "$@"; do
	timeout "$timeout_s" "$t" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		if [ "$rc" -eq 124 ]; then
			echo "$t: timed out after ${timeout_s}s"
		else
			echo "$t: exited with status $rc"
		fi
		f=1
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
