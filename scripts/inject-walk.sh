#!/bin/bash
# The injection walk (scenario/inject.c, doc/DRIVER_GUIDE.md) over its own
# scripts (tests/inject/, first: each reads both views back after every
# path) and the scenario corpus make test replays.  Every failure site of the
# model and the driver must be reached by some script (--require-all); each
# is failed and checked (the step's error, a byte shadow, the invariants, no
# leak).  Arguments go to `devmig inject`; without any, --first-only (each
# site in the first script reaching it: what make test runs); make inject
# passes --nth 2 (each site in every script reaching it, attempts 1, 2 and
# all of them).  The
# model's own messages (the corpus's expected WARNs) go to a log printed
# only on failure.  DEVMIG names the binary (default build/devmig).
set -u
devmig=${DEVMIG:-build/devmig}
cd "$(dirname "$0")/.." || exit 1
found=$(ls tests/scenarios/found/*.out 2>/dev/null | sed 's/\.out$/.scn/')
[ $# -eq 0 ] && set -- --first-only
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$devmig" inject --require-all "$@" tests/inject/*.scn tests/scenarios/*.scn \
	$found 2> "$log"
status=$?
if [ $status -ne 0 ]; then
	echo "inject: the model's messages, last 60 lines:"
	tail -n 60 "$log"
fi
exit $status
