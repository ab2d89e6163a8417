#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make kernel-diff: the scenario corpus (and GEN generated scripts) in three
# worlds, the model on this host and the stock and ours 6.12 kernels in a
# QEMU guest (one boot each, kernel/kcheck.sh scenarios), then one row per
# script: does the model agree with stock, does ours agree with stock.
#
#   kernel/kdiff.sh BUILD_DIR
#   kernel/kdiff.sh --model-only BUILD_DIR   (make model-diff)
#
# The kernels' transcripts are kept in the cache (kdiff/stock, kdiff/ours),
# so --model-only runs the model again on the scripts of the last run and
# compares it with them, in seconds and without booting: the loop for
# fixing the model.
#
# Environment (all optional, besides kcheck.sh's own):
#   GEN, SEED        also run GEN scripts generated from SEED (default 0, 1)
#   DEVMIG_SCEN_CORPUS  the corpus directory, default tests/scenarios
#
# Exit status 0 when every script agrees (or differs exactly as
# tests/scenarios/DIFFERENCES says, the same way in the model and in ours),
# 1 otherwise.  A generated script that disagrees is kept as a corpus file
# in tests/scenarios/found/.

set -euo pipefail

model_only=0
if [ "${1:-}" = --model-only ]; then
	model_only=1
	shift
fi
build=${1:?usage: kdiff.sh [--model-only] BUILD_DIR}
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${DEVMIG_KCACHE:-$HOME/.cache/devmig-kernel}
corpus=${DEVMIG_SCEN_CORPUS:-$repo/tests/scenarios}
gen=${GEN:-0}
seed=${SEED:-1}
work=$cache/kdiff
devmig=$repo/$build/devmig

say() { printf '== %s\n' "$*"; }
now() { date +%s; }

# The scripts to run, under $work/scripts: corpus/... and gen/...
stage_scripts() {
	rm -rf "$work"
	mkdir -p "$work/scripts/corpus" "$work/model"
	if [ -d "$corpus" ]; then
		(cd "$corpus" && find . -name '*.scn' -type f) |
			while IFS= read -r f; do
				mkdir -p "$(dirname "$work/scripts/corpus/$f")"
				cp "$corpus/$f" "$work/scripts/corpus/$f"
			done
	fi
	if [ "$gen" -gt 0 ]; then
		mkdir -p "$work/scripts/gen"
		if ! "$devmig" gen --seed "$seed" --count "$gen" \
			--dir "$work/scripts/gen" >"$work/gen.log" 2>&1; then
			say "devmig gen failed (GEN=$gen SEED=$seed):"
			sed 's/^/    /' "$work/gen.log"
			exit 1
		fi
	fi
	(cd "$work/scripts" && find . -name '*.scn' -type f | sed 's|^\./||' |
		LC_ALL=C sort) >"$work/list"
}

# The model's transcripts, in the layout the guest's have: NAME and
# NAME.status ("exit N", then "STDERR line"s).  Run from the scripts'
# directory, so a message naming the file names it as the guest does.  A
# script the model hangs on is stopped after DEVMIG_SCEN_TIMEOUT seconds
# (exit 124, a difference), as the guest stops its own.  The scripts are
# independent: one worker per host CPU, each taking every Nth.
run_model() {
	local w n pids=() rc=0

	n=$(nproc)
	for ((w = 0; w < n; w++)); do
		awk -v n="$n" -v w="$w" 'NR % n == w' "$work/list" |
			run_model_part &
		pids+=("$!")
	done
	for w in "${pids[@]}"; do
		wait "$w" || rc=1
	done
	return "$rc"
}

run_model_part() {
	local name rc out

	while IFS= read -r name; do
		out=$work/model/$name
		mkdir -p "$(dirname "$out")"
		rc=0
		(cd "$work/scripts" &&
			timeout -k 5 "${DEVMIG_SCEN_TIMEOUT:-60}" "$devmig" run "$name") >"$out" \
			2>"$out.stderr" || rc=$?
		{
			sed 's/^/STDERR /' "$out.stderr"
			echo "exit $rc"
		} >"$out.status"
		rm -f "$out.stderr"
	done
}

# Keep each generated script that disagrees as a corpus file: shrunk
# (kernel/minimise.sh, the first DEVMIG_MIN_SCRIPTS=4 of them) when the
# model is what disagrees with stock, as generated when only ours does
# (shrinking that would need both kernels) or when stock oopsed.
keep_disagreements() {
	local name dest src how model_diff=()

	[ -s "$work/disagree" ] || return 0
	while IFS= read -r name; do
		case "$name" in
		gen/*) ;;
		*) continue ;;
		esac
		# An oops reboots the guest: too slow to shrink by trial.
		grep -q '^exit oops' "$work/stock/$name.status" && continue
		if [ "${#model_diff[@]}" -lt "${DEVMIG_MIN_SCRIPTS:-4}" ] &&
			! cmp -s "$work/model/$name" "$work/stock/$name"; then
			model_diff+=("$name")
		fi
	done <"$work/disagree"
	if [ "${#model_diff[@]}" -gt 0 ]; then
		say "shrinking ${#model_diff[@]} generated scripts on which the model differs from stock"
		bash "$repo/kernel/minimise.sh" "$build" "$work/scripts" \
			"$work/minimised" "${model_diff[@]}" || true
	fi
	mkdir -p "$corpus/found"
	while IFS= read -r name; do
		case "$name" in
		gen/*) ;;
		*) continue ;;
		esac
		src=$work/scripts/$name
		how=""
		if [ -s "$work/minimised/$name" ]; then
			src=$work/minimised/$name
			how=", shrunk"
		fi
		dest=$corpus/found/seed$seed-$(basename "$name")
		{
			echo "# found by make kernel-diff GEN=$gen SEED=$seed ($name$how)"
			cat "$src"
		} >"$dest"
		say "kept $dest ($(grep -c -v '^#' "$dest") steps)"
	done <"$work/disagree"
}

# One row per script (kernel/kdiff.awk); non-zero if any disagrees.
compare() {
	awk -f "$repo/kernel/kdiff.awk" \
		-v list="$work/list" \
		-v model="$work/model" \
		-v stock="$work/stock" \
		-v ours="$work/ours" \
		-v differences="$corpus/DIFFERENCES" \
		-v disagree="$work/disagree"
}

# --model-only: the model again, against the kernels' last transcripts.
model_again() {
	local t0 rc=0

	t0=$(now)
	[ -x "$devmig" ] || { echo "kdiff: no $devmig" >&2; exit 1; }
	if [ ! -d "$work/stock" ] || [ ! -s "$work/list" ]; then
		echo "kdiff: no kernel transcripts in $work: run make kernel-diff first" >&2
		exit 1
	fi
	say "model-diff: $(wc -l <"$work/list") scripts of the last kernel-diff, model only"
	rm -rf "$work/model"
	run_model
	compare || rc=1
	say "model-diff: $( [ "$rc" = 0 ] && echo PASS || echo FAIL ) in $(($(now) - t0)) s"
	return "$rc"
}

main() {
	local t0 n rc=0

	[ "$model_only" = 1 ] && { model_again; return; }
	t0=$(now)
	[ -x "$devmig" ] || { echo "kdiff: no $devmig" >&2; exit 1; }
	stage_scripts
	n=$(wc -l <"$work/list")
	say "kernel-diff: $n scripts ($(grep -c '^corpus/' "$work/list" || true) corpus," \
		"$(grep -c '^gen/' "$work/list" || true) generated, GEN=$gen SEED=$seed)"
	run_model
	say "model: ran in $(($(now) - t0)) s"
	DEVMIG_SCEN_BIN=$repo/$build/devmig-static \
		DEVMIG_SCEN_DIR=$work/scripts \
		bash "$repo/kernel/kcheck.sh" scenarios || rc=$?
	# Kept apart: shrinking below boots stock again over runs/.
	cp -a "$cache/runs/stock-scenarios/transcripts" "$work/stock"
	cp -a "$cache/runs/ours-scenarios/transcripts" "$work/ours"
	compare || rc=1
	keep_disagreements
	say "kernel-diff: $( [ "$rc" = 0 ] && echo PASS || echo FAIL )" \
		"in $(($(now) - t0)) s"
	return "$rc"
}

main
