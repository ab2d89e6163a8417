#!/bin/bash
# Run each cmocka test binary given, one suite per binary, then print one
# closing line with the totals: "N passed, N failed".  A binary that crashes
# or hangs (killed after TEST_TIMEOUT seconds) counts as one more failure.
#
#   run-tests.sh [--tap] [--junit FILE] TEST...
#
# No binary given, or binaries that run no test at all, is an error (exit
# status 2 and 1) with a message on stderr.
#
# Each suite is announced ("== roundtrip"), its output streamed and closed
# with its own count.  --junit FILE also writes a JUnit XML report there, one
# <testsuite> per binary, named after it.  --tap prints one TAP stream
# instead: "ok N - suite/test" or "not ok N - suite/test" per test, the
# tests' own output as "# " comments, the plan at the end.  With either, the
# binaries report to cmocka XML files, from which the lines are printed.
set -u
# As long as the harness gives one test (DEVMIG_TEST_TIMEOUT): a suite
# binary under ThreadSanitizer on a loaded machine needs minutes.
timeout_s=${TEST_TIMEOUT:-600}
mode=human
junit=
while [ $# -gt 0 ]; do
	case $1 in
	--tap) mode=tap; shift ;;
	--junit) junit=$2; shift 2 ;;
	--junit=*) junit=${1#--junit=}; shift ;;
	*) break ;;
	esac
done
# No suite at all (an empty glob, a wrong directory) is a failure, not a pass.
if [ $# -eq 0 ]; then
	echo "run-tests.sh: no test binaries given" >&2
	exit 2
fi
passed=0
failed=0
tapn=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
log=$tmp/log
: > "$tmp/suites.xml"

# "#" before each line in TAP mode; nothing otherwise.
comment() {
	if [ "$mode" = tap ]; then sed 's/^/# /'; else cat; fi
}

# One line per <testcase> of a cmocka XML report, with the failure text:
# cmocka's own format, or TAP numbered from $2.  Prints "P F" last.
render_xml() {
	awk -v mode="$mode" -v suite="$2" -v n="$3" '
	function flush() {
		if (name == "")
			return
		if (bad) {
			f++
			if (mode == "tap")
				printf "not ok %d - %s/%s\n", ++n, suite, name
			else
				printf "[  FAILED  ] %s\n", name
			printf "%s", text
		} else {
			p++
			if (mode == "tap")
				printf "ok %d - %s/%s\n", ++n, suite, name
			else
				printf "[       OK ] %s\n", name
		}
		name = ""; text = ""; bad = 0
	}
	/<testcase / {
		flush()
		match($0, /name="[^"]*"/)
		name = substr($0, RSTART + 6, RLENGTH - 7)
		next
	}
	/<failure|<error/ { bad = 1; infail = 1 }
	infail {
		line = $0
		gsub(/^ *<(failure|error)[^>]*>(<!\[CDATA\[)?/, "", line)
		gsub(/(\]\]>)?<\/(failure|error)>.*$/, "", line)
		if (line != "")
			text = text (mode == "tap" ? "# " : "    ") line "\n"
		if ($0 ~ /<\/(failure|error)>|\/>/)
			infail = 0
	}
	END { flush(); printf "%d %d\n", p, f }' "$1"
}

for t in "$@"; do
	suite=$(basename "$t")
	start=$(date +%s.%N)
	rm -f "$tmp"/*.part
	if [ "$mode" = tap ]; then echo "# == $suite"; else echo "== $suite"; fi
	if [ "$mode" = human ] && [ -z "$junit" ]; then
		timeout "$timeout_s" "$t" 2>&1 | tee "$log"
		rc=${PIPESTATUS[0]}
		p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
		f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
		xml=
	else
		CMOCKA_MESSAGE_OUTPUT=xml CMOCKA_XML_FILE="$tmp/%g.part" \
			timeout "$timeout_s" "$t" > "$log" 2>&1
		rc=$?
		comment < "$log"
		xml=$(ls "$tmp"/*.part 2>/dev/null | head -n 1)
		p=0
		f=0
		if [ -n "$xml" ] && grep -q '</testsuite>' "$xml"; then
			render_xml "$xml" "$suite" "$tapn" > "$tmp/render"
			head -n -1 "$tmp/render"
			read -r p f < <(tail -n 1 "$tmp/render")
			tapn=$((tapn + p + f))
		else
			xml=
		fi
	fi
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')

	crashed=
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		if [ "$rc" -eq 124 ]; then
			crashed="timed out after ${timeout_s}s"
		else
			crashed="exited with status $rc"
		fi
		f=$((f + 1))
		if [ "$mode" = tap ]; then
			tapn=$((tapn + 1))
			echo "not ok $tapn - $suite ($crashed)"
		else
			echo "$t: $crashed"
		fi
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	echo "-- $suite: $p passed, $f failed (${secs}s)" | comment

	if [ -z "$junit" ]; then
		:
	elif [ -n "$xml" ] && [ -z "$crashed" ]; then
		# cmocka's <testsuite>, without its XML header and wrapper.
		sed -n '/<testsuite /,/<\/testsuite>/p' "$xml" >> "$tmp/suites.xml"
	else
		cat >> "$tmp/suites.xml" <<-EOF
		  <testsuite name="$suite" time="$secs" tests="1" failures="0" errors="1" skipped="0" >
		    <testcase name="$suite" time="$secs" >
		      <error message="${crashed:-no report}" />
		    </testcase>
		  </testsuite>
		EOF
	fi
done

if [ -n "$junit" ]; then
	{
		echo '<?xml version="1.0" encoding="UTF-8" ?>'
		echo "<testsuites tests=\"$((passed + failed))\" failures=\"$failed\" >"
		cat "$tmp/suites.xml"
		echo '</testsuites>'
	} > "$junit"
fi
[ "$mode" = tap ] && echo "1..$tapn"
echo "$passed passed, $failed failed" | comment
if [ $((passed + failed)) -eq 0 ]; then
	echo "run-tests.sh: no tests ran in $# suite(s)" >&2
	exit 1
fi
[ "$failed" -eq 0 ]
