#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shrink scenario scripts on which the model and the stock kernel disagree,
# for make kernel-diff (kernel/kdiff.sh) to keep as corpus files.
#
#   kernel/minimise.sh BUILD_DIR SCRIPTS_DIR OUT_DIR NAME...
#
# Each round makes, for every NAME still shrinking, the variants of its
# current form without one chunk of steps (chunks of half, a quarter, ...,
# one step), runs them all on the model (one devmig process) and on stock
# (one boot, kcheck.sh scenarios), and keeps the shortest variant whose
# transcripts still differ.  A variant the parser refuses (a step using a
# region no longer mapped...) has no model transcript and is never kept.
# It stops when no script shrinks or after DEVMIG_MIN_ROUNDS (default 8)
# rounds, and writes OUT_DIR/NAME, the smallest form found of each.

set -euo pipefail

build=${1:?usage: minimise.sh BUILD_DIR SCRIPTS_DIR OUT_DIR NAME...}
scripts=${2:?}
out=${3:?}
shift 3
repo=$(cd "$(dirname "$0")/.." && pwd)
cache=${DEVMIG_KCACHE:-$HOME/.cache/devmig-kernel}
rounds=${DEVMIG_MIN_ROUNDS:-8}
devmig=$repo/$build/devmig
work=$cache/minimise

say() { printf '== minimise: %s\n' "$*"; }

# The variants of $1 (step lines only) without one chunk, into dir $2.
variants() {
	local src=$1 dir=$2 n c start

	n=$(wc -l <"$src")
	mkdir -p "$dir"
	[ "$n" -gt 0 ] || return 0
	c=$n
	while [ "$c" -gt 1 ] || [ "$c" = "$n" ]; do
		c=$(((c + 1) / 2))
		for ((start = 0; start < n; start += c)); do
			awk -v a="$start" -v b="$((start + c))" \
				'NR <= a || NR > b' "$src" >"$dir/c$c-$start.scn"
			[ -s "$dir/c$c-$start.scn" ] || rm -f "$dir/c$c-$start.scn"
		done
		[ "$c" -gt 1 ] || break
	done
}

# The model's transcript of every variant under $1, as $1/NAME.model:
# one devmig process, whose "== FILE" lines separate the transcripts.
run_model() {
	local dir=$1

	# devmig's exit status says whether expectations held: not the point.
	(cd "$dir" && find . -name '*.scn' | sed 's|^\./||' | LC_ALL=C sort |
		xargs "$devmig" run 2>/dev/null || true) |
		awk -v root="$dir" '
			/^== / { if (f) close(f); f = root "/" substr($0, 4) ".model"; next }
			f { print > f }'
}

main() {
	local names=("$@") i r cand best bestn n improved stock

	rm -rf "$work" "$out"
	mkdir -p "$work" "$out"
	for i in "${!names[@]}"; do
		mkdir -p "$(dirname "$out/${names[i]}")"
		grep -v -E '^[[:space:]]*(#|$)' "$scripts/${names[i]}" \
			>"$out/${names[i]}"
	done
	for ((r = 1; r <= rounds; r++)); do
		rm -rf "$work/round"
		for i in "${!names[@]}"; do
			variants "$out/${names[i]}" "$work/round/$i"
		done
		run_model "$work/round"
		DEVMIG_SCEN_BIN=$repo/$build/devmig-static \
			DEVMIG_SCEN_DIR=$work/round DEVMIG_SCEN_TREES=stock \
			bash "$repo/kernel/kcheck.sh" scenarios >"$work/boot.log" 2>&1 ||
			true
		improved=0
		for i in "${!names[@]}"; do
			best=""
			bestn=$(wc -l <"$out/${names[i]}")
			for cand in "$work/round/$i"/*.scn; do
				stock=$cache/runs/stock-scenarios/transcripts/$i/$(basename "$cand")
				[ -e "$cand.model" ] && [ -e "$stock" ] || continue
				n=$(wc -l <"$cand")
				[ "$n" -lt "$bestn" ] || continue
				if ! cmp -s "$cand.model" "$stock"; then
					best=$cand
					bestn=$n
				fi
			done
			if [ -n "$best" ]; then
				cp "$best" "$out/${names[i]}"
				improved=1
			fi
			say "round $r: ${names[i]}: $(wc -l <"$out/${names[i]}") steps"
		done
		[ "$improved" = 1 ] || break
	done
}

main "$@"
