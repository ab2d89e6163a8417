#!/bin/bash
# Replay the scenario corpus on the model (tests/scenarios/*.scn against
# their checked-in .out transcripts, invariants checked after every step),
# then a short fuzz of generated scenarios (make fuzz-smoke).  Prints
# cmocka-style counts for scripts/run-tests.sh.  DEVMIG names the binary
# (default build/devmig).
set -u
devmig=${DEVMIG:-build/devmig}
cd "$(dirname "$0")/.." || exit 1
status=0
# tests/scenarios/found/: scripts make kernel-diff generated; those with a
# transcript (stock's, which the model now matches) are replayed, the others
# wait for a model fix (tests/scenarios/found/README.md).
found=$(ls tests/scenarios/found/*.out 2>/dev/null | sed 's/\.out$/.scn/')
# Some scripts provoke the kernel's own WARN_ON()s on purpose (GUP asked for
# FOLL_LONGTERM without FOLL_PIN, test_hmm's write fault that gets a
# read-only page, gup_test's check of a short-term pin of the zero page):
# the model warns there too, and the transcripts say at
# which steps (WARN), so a warning anywhere else fails the replay.  Their
# reports (message and backtrace) are shown when a replay fails, counted
# when all pass.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$devmig" run --compare --check tests/scenarios/*.scn $found 2>"$log" ||
	status=1
"$devmig" fuzz --seed 1 --count 50 --steps 40 --dir "${TMPDIR:-/tmp}" \
	2>>"$log" || status=1
if [ $status -ne 0 ]; then
	cat "$log" >&2
else
	n=$(grep -c '^WARNING: ' "$log")
	[ "$n" -eq 0 ] || echo "note: $n expected kernel warnings from scripts that provoke them (Linux warns there too)"
	# Where the model's mirror parts from lib/test_hmm.c on purpose
	# (tests/scenarios/DIFFERENCES, stale@dmirror).
	n=$(grep -c ': note (step [0-9]*): ' "$log")
	[ "$n" -eq 0 ] || echo "note: $n steps where lib/test_hmm.c would use a stale mirror entry"
	grep -v '^WARNING: \|^backtrace:\|^  #\|: note (step [0-9]*): ' "$log" >&2
fi
exit $status
