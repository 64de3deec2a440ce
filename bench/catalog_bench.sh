#!/usr/bin/env bash
# bench/catalog_bench.sh [BUILD_DIR] - catalog query latency on a synthetic
# catalog of 100 000 files / 1 000 000 regions (tests/tools/catgen), timed
# with tests/tools/catq: median and p95 of ten typical queries (first page
# of 100 rows, warm cache), the catalog's size on disk and build time.
#   FILES=10000 REGIONS=100000 bench/catalog_bench.sh   for a quick run
set -eu
build=${1:-build/rel}
files=${FILES:-100000}
regions=${REGIONS:-1000000}
here=$(cd "$(dirname "$0")/.." && pwd)
tools="$here/$build/tools"
[ -x "$tools/catgen" ] || { echo "build first: make BUILD=$build test-build" >&2; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/grym-catbench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
db="$dir/catalog.db"

echo "== building $files files / $regions regions"
"$tools/catgen" "$db" "$files" "$regions" --peaks 250 --runs 5
# checkpoint the WAL so the size is the database's own
sqlite3 "$db" 'PRAGMA wal_checkpoint(TRUNCATE);' >/dev/null
echo "catalog size: $(du -m "$db" | cut -f1) MB ($(stat -c %s "$db") bytes)"

echo "== latency, ms: median p95 (wall) cpu-median rows query"
"$tools/catq" "$db" --reps 30 \
	'kick' \
	'tag:drums' \
	'class:percussion bpm:~120' \
	'key:~Am mode:minor' \
	'bpm:118..124 dur:<10s' \
	'dur:<2s rate:>=48k' \
	'conf:>0.7 class:speech sort:-dur' \
	'format:flac -class:music' \
	'sort:-bpm' \
	'"interview_099"'
"$tools/catq" "$db" --reps 30 --regions \
	'class:percussion bpm:~120 dur:<1s' \
	'key:Am sort:-conf' \
	'kick'
