#!/usr/bin/env bash
# bench/soak_bench.sh - memory soak: `grym scan -j 1` over SOAK_FILES (1000)
# generated short files (SOAK_SECS = 1 s each, a mix of WAV/FLAC/Ogg, mono
# and stereo, 22.05-48 kHz) so that one worker process analyses them all;
# the worker's resident set (VmRSS from /proc) is sampled every 0.2 s.
# Prints the RSS of the first and last quartile of the samples (by time),
# the growth between them, the peak, and how many worker processes served
# the scan (1 unless one was replaced).  A leak of even 1 KB per file shows
# as ~1 MB of growth.  Needs build/rel (make BUILD=build/rel test-build).
set -u
cd "$(dirname "$0")/.."
build=${BUILD:-build/rel}
n=${SOAK_FILES:-1000}
secs=${SOAK_SECS:-1}
g="$build/grym"
mk="$build/tools/scan_fixture"
[ -x "$g" ] && [ -x "$mk" ] || { echo "soak: build $build first"; exit 1; }
T=$(mktemp -d)
trap 'kill "$scan" 2>/dev/null; rm -rf "$T"' EXIT
export GRYM_CATALOG="$T/catalog.db" XDG_CONFIG_HOME="$T/config"
t0=$SECONDS
for i in $(seq 1 "$n"); do
	d="$T/lib/d$((i % 20))"
	mkdir -p "$d"
	case $((i % 4)) in
	0) "$mk" "$d/f$i.wav" wav16 44100 2 "$secs" "$i" ;;
	1) "$mk" "$d/f$i.flac" flac16 48000 1 "$secs" "$i" ;;
	2) "$mk" "$d/f$i.ogg" ogg 22050 1 "$secs" "$i" ;;
	3) "$mk" "$d/f$i.wav" wav24 32000 2 "$secs" "$i" ;;
	esac || { echo "soak: fixture $i failed"; exit 1; }
done
echo "soak: $n files of $secs s generated in $((SECONDS - t0)) s"
t0=$SECONDS
"$g" scan -q -j 1 "$T/lib" >"$T/scan.out" 2>&1 &
scan=$!
: >"$T/samples"
while kill -0 "$scan" 2>/dev/null; do
	for w in $(cat /proc/"$scan"/task/*/children 2>/dev/null); do
		rss=$(awk '/^VmRSS:/ { print $2 }' /proc/"$w"/status 2>/dev/null)
		[ -n "$rss" ] && echo "$SECONDS $w $rss" >>"$T/samples"
	done
	sleep 0.2
done
wait "$scan"
rc=$?
elapsed=$((SECONDS - t0))
done_n=$("$g" stats --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["files"] - d["failed"])')
echo "soak: scan exit $rc, $done_n of $n files analysed in $elapsed s"
python3 - "$T/samples" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
if len(rows) < 8:
    print("soak: too few RSS samples (%d)" % len(rows)); sys.exit(1)
workers = sorted(set(r[1] for r in rows))
rss = [int(r[2]) for r in rows]
q = len(rss) // 4
first = sorted(rss[:q])[q // 2]
last = sorted(rss[-q:])[q // 2]
print("soak: %d RSS samples from %d worker process(es)" % (len(rss), len(workers)))
print("soak: worker RSS median, first quartile of the run: %.1f MiB" % (first / 1024))
print("soak: worker RSS median, last quartile of the run:  %.1f MiB" % (last / 1024))
print("soak: growth first -> last quartile: %+.1f MiB (%+.1f%%); peak %.1f MiB" %
      ((last - first) / 1024, 100.0 * (last - first) / first, max(rss) / 1024))
PY
