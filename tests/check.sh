#!/usr/bin/env bash
# tests/check.sh BUILD_DIR... - run the tests of each build directory and
# end with one summary line "N passed, N failed" (exit 1 on any failure).
set -u
cd "$(dirname "$0")/.."
total_p=0
total_f=0
for b in "$@"; do
	echo "== tests in $b"
	tests/run.sh "$b"
	read -r p f <"tests/.results/$(basename "$b").counts" || { p=0; f=1; }
	total_p=$((total_p + p))
	total_f=$((total_f + f))
done
echo "$total_p passed, $total_f failed"
[ "$total_f" -eq 0 ] && [ "$total_p" -gt 0 ]
