#!/usr/bin/env bash
# make demo: analyse the bundled samples, scan them into a demo catalog
# (build/demo/catalog.db, rebuilt each time) and query it.
set -eu
cd "$(dirname "$0")/.."
export GRYM_CATALOG="$PWD/build/demo/catalog.db"
rm -rf build/demo
mkdir -p build/demo
run() { printf '\n$ %s\n' "$*"; "$@"; }
run ./grym analyze samples/chords-Am-100bpm.flac
run ./grym scan samples
run ./grym ls
run ./grym ls 'class:percussion,class:music sort:-dur'
run ./grym show 1
run ./grym similar 1 -n 3
run ./grym patterns
run ./grym stats
printf '\nThe demo catalog is %s; browse it with: GRYM_CATALOG=%s ./grym\n' \
	"$GRYM_CATALOG" "$GRYM_CATALOG"
