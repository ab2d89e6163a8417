#!/bin/sh
# Run each deliberately broken driver of tests/hung/broken_driver.c: the
# hung-task detector must end it within seconds (DEVMIG_HUNG_TASK_SECS=2)
# with a message naming the cause.  Usage: hang-check.sh BINARY
set -u
bin=$1
fail=0
check() {
	case=$1 cause=$2
	start=$(date +%s)
	out=$(DEVMIG_HUNG_TASK_SECS=2 timeout 60 "$bin" "$case" 2>&1)
	rc=$?
	secs=$(($(date +%s) - start))
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 124 ] ||
	   ! printf '%s\n' "$out" | grep -q "hung task:.*$cause"; then
		echo "hang-check $case: FAILED (status $rc after ${secs}s)"
		printf '%s\n' "$out" | head -5
		fail=1
	else
		echo "hang-check $case: ok, ended after ${secs}s:"
		printf '%s\n' "$out" | grep "hung task:" | cut -c1-200
	fi
}
check no-fault-page "migrate_to_ram() keeps returning"
check no-finalize "never finalized"
exit $fail
