#!/usr/bin/env bash
# bench/scan_bench.sh [BUILD_DIR] - scan throughput on generated audio
# files with 1 and 2 workers: audio seconds analysed per wall-clock second
# (and files per second), the median of 3 runs each, each run a fresh
# catalog over the same files (so every file is analysed).  Also audio s
# per CPU s (grym and its workers, user + system), which depends less on
# what else the machine runs.
#
#   SCAN_BENCH_FILES=24  SCAN_BENCH_SECONDS=20  SCAN_BENCH_RUNS=3
set -u
build=${1:-build/rel}
here=$(cd "$(dirname "$0")/.." && pwd)
grym="$here/$build/grym"
mk="$here/$build/tools/scan_fixture"
nfiles=${SCAN_BENCH_FILES:-24}
secs=${SCAN_BENCH_SECONDS:-20}
runs=${SCAN_BENCH_RUNS:-3}
[ -x "$grym" ] && [ -x "$mk" ] || { echo "scan_bench: build $build first (make BUILD=$build test-build)" >&2; exit 2; }

T=$(mktemp -d "${TMPDIR:-/tmp}/grym-scanbench.XXXXXX")
trap 'rm -rf "$T"' EXIT
export XDG_CONFIG_HOME="$T/cfg" XDG_DATA_HOME="$T/data"
unset GRYM_FAULT

# A mix of formats and rates, like a real sample folder.
fmts=(wav16 flac16 wav24 ogg flac24 aiff16)
rates=(44100 48000 44100 44100 96000 22050)
for i in $(seq 0 $((nfiles - 1))); do
	k=$((i % ${#fmts[@]}))
	case ${fmts[$k]} in ogg) ext=ogg ;; flac*) ext=flac ;; aiff*) ext=aiff ;; *) ext=wav ;; esac
	mkdir -p "$T/lib/d$((i % 4))"
	"$mk" "$T/lib/d$((i % 4))/f$i.$ext" "${fmts[$k]}" "${rates[$k]}" $((1 + i % 2)) "$secs" $((i + 1)) ||
		{ echo "scan_bench: cannot generate fixtures" >&2; exit 1; }
done
audio=$((nfiles * secs))

median() { sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

echo "scan_bench: $nfiles files, $audio s of audio, $runs runs per setting, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "scan_bench: workers run at nice 10: on a loaded machine they yield (see the load)"
for j in 1 2; do
	: >"$T/rates"
	for r in $(seq 1 "$runs"); do
		export GRYM_CATALOG="$T/cat-$j-$r.db"
		# wall, user and system s of grym and its (reaped) workers
		/usr/bin/time -f '%e %U %S' -o "$T/time" "$grym" scan -q -j "$j" "$T/lib" ||
			{ echo "scan_bench: scan failed" >&2; exit 1; }
		awk -v a="$audio" -v n="$nfiles" '{ w = $1; c = $2 + $3;
			printf "%.3f %.1f %.2f %.1f\n", w, a / w, n / w, a / (c > 0 ? c : 1) }' "$T/time" >>"$T/rates"
	done
	wall=$(cut -d' ' -f1 "$T/rates" | median)
	asps=$(cut -d' ' -f2 "$T/rates" | median)
	fps=$(cut -d' ' -f3 "$T/rates" | median)
	cpu=$(cut -d' ' -f4 "$T/rates" | median)
	printf 'scan_bench: -j %d: median %s s wall, %s audio s per wall s, %s files/s, %s audio s per CPU s (runs: %s)\n' \
		"$j" "$wall" "$asps" "$fps" "$cpu" "$(cut -d' ' -f2 "$T/rates" | tr '\n' ' ')"
done
