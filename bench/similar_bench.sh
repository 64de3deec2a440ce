#!/usr/bin/env bash
# bench/similar_bench.sh [BUILD_DIR] - `grym similar` search latency at
# 100 000 and 1 000 000 regions, timed with tests/tools/simbench: the
# median of exact top-10 searches per aspect and, as references measured
# in the same run, a plain pass over the same float array (memory
# bandwidth: the floor of any exact scan) and the time to load the vectors.
#
# 100 000 regions: a synthetic catalog from tests/tools/catgen (every
# region gets a pseudo-random similarity vector; ~30 s to build), loaded
# through the catalog API, plus one whole `grym similar` command.
# 1 000 000 regions: vectors made directly in memory (a catgen catalog of
# that size takes ~5 min to build; FULL=1 builds it anyway and also times
# loading it).
#   SIZES="10000" bench/similar_bench.sh   for a quick run
set -eu
build=${1:-build/rel}
sizes=${SIZES:-"100000 1000000"}
here=$(cd "$(dirname "$0")/.." && pwd)
tools="$here/$build/tools"
[ -x "$tools/simbench" ] || { echo "build first: make BUILD=$build test-build" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/grym-simbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
now() { date +%s.%N; }

for n in $sizes; do
	if [ "$n" -gt 100000 ] && [ "${FULL:-0}" != 1 ]; then
		echo "== $n regions (vectors in memory)"
		"$tools/simbench" --synthetic "$n" --reps 9 --k 10
		continue
	fi
	db="$dir/cat-$n.db"
	files=$((n / 10))
	echo "== $n regions ($files files, catalog from catgen)"
	t0=$(now)
	"$tools/catgen" "$db" "$files" "$n" --runs 0 >/dev/null
	echo "catalog built in $(echo "$(now) - $t0" | bc | cut -c1-5) s"
	"$tools/simbench" "$db" --reps 9 --k 10
	id=$(sqlite3 "$db" 'SELECT region FROM simvec ORDER BY region LIMIT 1 OFFSET 77')
	for i in 1 2 3; do
		t0=$(now)
		GRYM_CATALOG="$db" "$here/$build/grym" similar "$id" -n 10 >/dev/null
		echo "$(echo "($(now) - $t0) * 1000" | bc | cut -d. -f1)"
	done | sort -n | sed -n 2p | sed "s/^/grym similar $id -n 10, whole command (median of 3): /; s/$/ ms/"
	rm -f "$db" "$db-wal" "$db-shm"
done
