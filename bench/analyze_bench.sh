#!/usr/bin/env bash
# Issue 2 benchmark: speed of `grym analyze` as a ratio to decode-only time
# of the same file in the same run (10-minute 44.1 kHz stereo FLAC), and
# peak RSS of analysing a 10-minute and a 2-hour file.  Figures, not tests.
#   BENCH_LONG=0 skips the 2-hour file (it takes a few minutes to make).
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build/rel}
make --no-print-directory -s BUILD="$B" "$B/tools/make_fixture" "$B/tools/decode_bench" grym >/dev/null
D=${BENCH_DIR:-/tmp/grym-bench}
mkdir -p "$D"
py=/usr/bin/python3
[ -f "$D/10min.flac" ] || "$B/tools/make_fixture" "$D/10min.flac" flac16 44100 2 600
if [ "${BENCH_LONG:-1}" = 1 ] && [ ! -f "$D/2h.flac" ]; then
	echo "making a 2-hour FLAC in $D (once)..."
	"$B/tools/make_fixture" "$D/2h.flac" flac16 44100 2 7200
fi

# median wall time of a command over N runs, and its peak RSS (KiB)
measure() { # N cmd...: prints median wall s, median CPU s (user+sys), peak RSS KiB
	$py - "$@" <<'PY'
import resource, statistics, subprocess, sys, time
n = int(sys.argv[1]); cmd = sys.argv[2:]
ts, cs = [], []
for _ in range(n):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.monotonic()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    ts.append(time.monotonic() - t)
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cs.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print("%.4f %.4f %d" % (statistics.median(ts), statistics.median(cs), rss))
PY
}

echo "== analysis speed (10-minute 44.1 kHz stereo FLAC, median of 5, same run)"
read -r t_dec c_dec _ < <(measure 5 "$B/tools/decode_bench" "$D/10min.flac" 22050 1 decode)
read -r t_flac c_flac _ < <(measure 5 flac -d -s -c -f "$D/10min.flac" -o /dev/null)
read -r t_an c_an _ < <(measure 5 ./grym analyze --json "$D/10min.flac")
$py - "$t_dec" "$t_flac" "$t_an" "$c_dec" "$c_flac" "$c_an" <<'PY'
import sys
dec, flac, an, cdec, cflac, can = map(float, sys.argv[1:])
print("                                  wall s   CPU s   x real time (CPU)")
print("  decode only (grym's decoder)   %7.3f %7.3f   %6.0fx" % (dec, cdec, 600 / cdec))
print("  flac -d (reference)            %7.3f %7.3f   %6.0fx" % (flac, cflac, 600 / cflac))
print("  grym analyze (all plugins)     %7.3f %7.3f   %6.0fx" % (an, can, 600 / can))
print("  ratio analyze / decode-only: %.2f by CPU time, %.2f by wall time (target <= 2.0)"
      % (can / cdec, an / dec))
PY

echo "== peak RSS of grym analyze"
for f in 10min 2h; do
	[ -f "$D/$f.flac" ] || { echo "  $f: skipped (BENCH_LONG=0)"; continue; }
	read -r t _ rss < <(measure 1 ./grym analyze --json "$D/$f.flac")
	awk -v f="$f" -v r="$rss" -v t="$t" 'BEGIN { printf "  %-6s %8.1f MB peak RSS  (%.1f s)\n", f, r / 1024, t }'
done
