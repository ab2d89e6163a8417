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
"$devmig" run --compare --check tests/scenarios/*.scn $found || status=1
"$devmig" fuzz --seed 1 --count 50 --steps 40 --dir "${TMPDIR:-/tmp}" || status=1
exit $status
