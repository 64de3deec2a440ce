#!/usr/bin/env bash
# bench/similar_bench.sh [BUILD_DIR] - `grym similar` search latency at
# 100 000 and 1 000 000 regions: synthetic catalogs from tests/tools/catgen
# (every region gets a pseudo-random similarity vector), timed with
# tests/tools/simbench: the time to load every vector from the catalog,
# the median of exact top-10 searches per aspect, and as the reference
# measured in the same run a plain pass over the same float array.  Then
# one whole `grym similar` command (process start, load, search, rows).
#   SIZES="10000" bench/similar_bench.sh   for a quick run
set -eu
build=${1:-build/rel}
sizes=${SIZES:-"100000 1000000"}
here=$(cd "$(dirname "$0")/.." && pwd)
tools="$here/$build/tools"
[ -x "$tools/simbench" ] || { echo "build first: make BUILD=$build test-build" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/grym-simbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT

for n in $sizes; do
	db="$dir/cat-$n.db"
	files=$((n / 10))
	echo "== $n regions ($files files)"
	t0=$(date +%s.%N)
	"$tools/catgen" "$db" "$files" "$n" --runs 0 >/dev/null
	echo "catalog built in $(echo "$(date +%s.%N) - $t0" | bc) s"
	"$tools/simbench" "$db" --reps 9 --k 10
	id=$(sqlite3 "$db" 'SELECT region FROM simvec ORDER BY region LIMIT 1 OFFSET 77')
	t0=$(date +%s.%N)
	GRYM_CATALOG="$db" "$here/$build/grym" similar "$id" -n 10 >/dev/null
	echo "grym similar $id -n 10 (whole command): $(echo "($(date +%s.%N) - $t0) * 1000" | bc | cut -d. -f1) ms"
	rm -f "$db" "$db-wal" "$db-shm"
done
