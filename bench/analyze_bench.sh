#!/usr/bin/env bash
# Issue 2 benchmark: speed of `grym analyze` as a ratio to decode-only time
# of the same file in the same run (10-minute 44.1 kHz stereo FLAC), and
# peak RSS of analysing a 10-minute and a 2-hour file.  Figures, not tests.
#   BENCH_LONG=0 skips the 2-hour file (it takes a few minutes to make).
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build/rel}
make --no-print-directory -s BUILD="$B" "$B/tools/mkaudio" "$B/tools/decode_bench" grym >/dev/null
D=${BENCH_DIR:-/tmp/grym-bench}
mkdir -p "$D"
py=/usr/bin/python3
[ -f "$D/10min.flac" ] || "$B/tools/mkaudio" "$D/10min.flac" flac16 44100 2 600 mix 1
if [ "${BENCH_LONG:-1}" = 1 ] && [ ! -f "$D/2h.flac" ]; then
	echo "making a 2-hour FLAC in $D (once)..."
	"$B/tools/mkaudio" "$D/2h.flac" flac16 44100 2 7200 mix 2
fi

# median wall time of a command over N runs, and its peak RSS (KiB)
measure() { # N cmd...
	$py - "$@" <<'PY'
import resource, statistics, subprocess, sys, time
n = int(sys.argv[1]); cmd = sys.argv[2:]
ts = []
for _ in range(n):
    t = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    ts.append(time.monotonic() - t)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("%.4f %d" % (statistics.median(ts), rss))
PY
}

echo "== analysis speed (10-minute 44.1 kHz stereo FLAC, median of 5, same run)"
read -r t_dec _ < <(measure 5 "$B/tools/decode_bench" "$D/10min.flac")
read -r t_flac _ < <(measure 5 flac -d -s -c -f "$D/10min.flac" -o /dev/null)
read -r t_an _ < <(measure 5 ./grym analyze --json "$D/10min.flac")
$py - "$t_dec" "$t_flac" "$t_an" <<'PY'
import sys
dec, flac, an = map(float, sys.argv[1:])
print("  decode only (grym's decoder)   %7.3f s  %6.0fx real time" % (dec, 600 / dec))
print("  flac -d (reference)            %7.3f s  %6.0fx real time" % (flac, 600 / flac))
print("  grym analyze (all plugins)     %7.3f s  %6.0fx real time" % (an, 600 / an))
print("  ratio analyze / decode-only    %7.2f   (target <= 2.0)" % (an / dec))
PY

echo "== peak RSS of grym analyze"
for f in 10min 2h; do
	[ -f "$D/$f.flac" ] || { echo "  $f: skipped (BENCH_LONG=0)"; continue; }
	read -r t rss < <(measure 1 ./grym analyze --json "$D/$f.flac")
	printf '  %-6s %8.1f MB peak RSS  (%.1f s)\n' "$f" "$(echo "$rss / 1024" | bc -l)" "$t"
done
