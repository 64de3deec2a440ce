#!/usr/bin/env bash
# bench/soak_bench.sh - memory soak: `grym scan -j 1` over SOAK_FILES (1000)
# generated short files (SOAK_SECS = 1 s each, a mix of WAV/FLAC/Ogg, mono
# and stereo, 22.05-48 kHz) so that one worker process analyses them all;
# the worker's resident set (VmRSS, and its parts RssAnon = heap and
# RssFile = mapped files such as the catalog, which SQLite reads through
# mmap) is sampled from /proc every 0.2 s.
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
		rss=$(awk '/^VmRSS:/ { r = $2 } /^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 }
			END { if (r != "") print r, a, f }' /proc/"$w"/status 2>/dev/null)
		[ -n "$rss" ] && echo "$SECONDS $w $rss" >>"$T/samples"
	done
	sleep 0.2
done
wait "$scan"
rc=$?
elapsed=$((SECONDS - t0))
done_n=$("$g" stats --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["files"] - d["failed"])')
echo "soak: scan exit $rc, $done_n of $n files analysed in $elapsed s; catalog $(du -m "$GRYM_CATALOG" | cut -f1) MiB"
python3 - "$T/samples" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
if len(rows) < 8:
    print("soak: too few RSS samples (%d)" % len(rows)); sys.exit(1)
workers = sorted(set(r[1] for r in rows))
print("soak: %d RSS samples from %d worker process(es)" % (len(rows), len(workers)))
q = len(rows) // 4
for col, what in ((2, "RSS (all)"), (3, "RssAnon (heap, stacks)"), (4, "RssFile (mapped files)")):
    v = [int(r[col]) for r in rows]
    first = sorted(v[:q])[q // 2]
    last = sorted(v[-q:])[q // 2]
    quart = ["%.1f" % (sorted(v[k * q:(k + 1) * q])[q // 2] / 1024) for k in range(4)]
    print("soak: %-24s medians by quartile of the run: %s MiB" % (what, " / ".join(quart)))
    print("soak: %-24s first quartile %6.1f MiB, last quartile %6.1f MiB, growth %+6.1f MiB "
          "(%+.1f%%), peak %.1f MiB" % (what, first / 1024, last / 1024, (last - first) / 1024,
                                        100.0 * (last - first) / max(first, 1), max(v) / 1024))
PY
