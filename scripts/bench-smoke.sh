#!/bin/sh
# bench-smoke.sh BUILD - every bench path once at small sizes, and two
# workers against one: the bench checks each page's bytes after every
# round and that faults came one per page, and exits 1 otherwise, so its
# driver (bench/bench_dev.c) is tested here; no figure is looked at.
set -e
bench="$1/bench/bench"
out="$1/bench-smoke"
mkdir -p "$out"
start=$(date +%s)
if ! "$bench" --min-mib 1 --max-mib 4 --mirror-max-mib 4 --runs 1 \
	--out "$out" >"$out/log" 2>&1 ||
   ! "$bench" --scaling --scaling-mib 16 --runs 1 --out "$out" \
	>>"$out/log" 2>&1; then
	cat "$out/log"
	echo "-- bench-smoke: FAILED"
	exit 1
fi
echo "-- bench-smoke: every path's bytes and fault counts checked ($(($(date +%s) - start))s)"
