#!/usr/bin/env bash
# Issue 10 benchmark (near-duplicates): recall of `grym dupes` on planted
# copies among unrelated material, the number of false groups, and its
# time relative to `grym ls --json` (reading the same catalog) and to the
# scan that built it, all in the same run.  Figures, not tests.
#
# Material (tests/tools/dupes_fixture: seeded tone sequences with noise
# bursts, 15 s, 44.1 kHz 16-bit): DUPES_ORIG originals (default 12), each
# with 6 planted copies (MP3 128k via lame, Ogg Vorbis q3 via ffmpeg,
# 48 kHz FLAC via sox, -6 dB, 1.5 s cut from the start, and all at once:
# 0.77 s cut, -3 dB, 32 kHz, MP3 64k), among
# DUPES_OTHER unrelated files (default 40; a few are MP3s of their own).
set -eu
cd "$(dirname "$0")/.."
B=${BUILD:-build/rel}
make --no-print-directory -s BUILD="$B" "$B/tools/dupes_fixture" grym >/dev/null
for t in lame ffmpeg sox; do
	command -v "$t" >/dev/null || { echo "dupes: $t missing, skipped"; exit 0; }
done
NO=${DUPES_ORIG:-12}
NU=${DUPES_OTHER:-40}
D=${BENCH_DIR:-/tmp/grym-bench}/dupes2-$NO-$NU
FX="$B/tools/dupes_fixture"
py=/usr/bin/python3
if [ ! -f "$D/.done" ]; then
	echo "making $NO originals x 6 copies + $NU unrelated files in $D (once)..."
	rm -rf "$D" && mkdir -p "$D/lib"
	for i in $(seq 1 "$NO"); do
		o=$(printf '%s/lib/o%03d' "$D" "$i")
		"$FX" "$o.wav" wav16 44100 "$i" 15
		lame --quiet -b 128 "$o.wav" "${o}_mp3.mp3"
		ffmpeg -loglevel error -i "$o.wav" -c:a libvorbis -q:a 3 "${o}_ogg.ogg"
		sox "$o.wav" -b 16 "${o}_48k.flac" rate 48000
		sox "$o.wav" "${o}_quiet.wav" gain -6
		sox "$o.wav" "${o}_trim.wav" trim 1.5
		sox "$o.wav" "$D/tmp.wav" trim 0.77 gain -3 rate 32000
		lame --quiet -b 64 "$D/tmp.wav" "${o}_combo.mp3" && rm "$D/tmp.wav"
	done
	for i in $(seq 1 "$NU"); do
		u=$(printf '%s/lib/u%03d' "$D" "$i")
		if [ $((i % 5)) = 0 ]; then
			"$FX" "$u.wav" wav16 44100 $((1000 + i)) 15
			lame --quiet -b 128 "$u.wav" "$u.mp3" && rm "$u.wav"
		else
			"$FX" "$u.wav" wav16 44100 $((1000 + i)) 15
		fi
	done
	touch "$D/.done"
fi

export GRYM_CATALOG="$D/catalog.db"
rm -f "$GRYM_CATALOG" "$GRYM_CATALOG-wal" "$GRYM_CATALOG-shm"
t0=$(date +%s.%N)
./grym scan -j 2 "$D/lib" >/dev/null 2>&1
t1=$(date +%s.%N)

# median wall time of a command over 5 runs
med() {
	$py - "$@" <<'PY'
import statistics, subprocess, sys, time
ts = []
for _ in range(5):
    t = time.monotonic()
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
    ts.append(time.monotonic() - t)
print("%.4f" % statistics.median(ts))
PY
}
t_ls=$(med ./grym ls --json)
t_dupes=$(med ./grym dupes --json)
./grym dupes --json >"$D/dupes.json"
# the margin: how alike unrelated material can look (threshold lowered)
./grym dupes --json --threshold 0.05 >"$D/dupes_low.json"

$py - "$D/dupes.json" "$NO" "$NU" "$t_ls" "$t_dupes" "$t0" "$t1" <<'PY'
import json, os, re, sys
groups = json.load(open(sys.argv[1]))
no, nu = int(sys.argv[2]), int(sys.argv[3])
t_ls, t_dupes, t_scan = float(sys.argv[4]), float(sys.argv[5]), float(sys.argv[7]) - float(sys.argv[6])
kinds = ["mp3", "ogg", "48k", "quiet", "trim", "combo"]
def origin(path):
    m = re.match(r"(o\d+|u\d+)(?:_(\w+))?\.", os.path.basename(path))
    return m.group(1), m.group(2)
found = {k: 0 for k in kinds}
false_groups = 0
best_ok = 0
for g in groups:
    srcs = {origin(m["path"])[0] for m in g["members"]}
    if len(srcs) > 1 or any(s.startswith("u") for s in srcs):
        false_groups += 1
        continue
    names = {origin(m["path"])[1] for m in g["members"]}
    if None in names:                       # the original is in the group
        for k in kinds:
            found[k] += k in names
    best = [m for m in g["members"] if m["best"]][0]
    best_ok += origin(best["path"])[1] in (None, "48k")
total = sum(found.values())
print("== dupes recall on planted copies (%d originals x 6 copies, %d unrelated files)"
      % (no, nu))
for k in kinds:
    print("  %-6s %3d / %d" % (k, found[k], no))
print("  recall: %d / %d = %.3f" % (total, 6 * no, total / (6.0 * no)))
print("  false groups (mixing sources or holding unrelated files): %d of %d" %
      (false_groups, len(groups)))
print("  groups whose best copy is the original or the 48 kHz FLAC: %d" % best_ok)
low = json.load(open(sys.argv[1].replace("dupes.json", "dupes_low.json")))
worst_false = max([m["score"] for g in low for m in g["members"]
                   if len({origin(x["path"])[0] for x in g["members"]}) > 1] or [0])
true_scores = [m["score"] for g in groups for m in g["members"]]
print("  margin: lowest score of a planted copy %.3f; highest score in a group mixing\n"
      "  sources with the threshold lowered to 0.05: %.3f (0 = no unrelated pair shared\n"
      "  enough exact items to be verified); default threshold 0.7" %
      (min(true_scores or [0]), worst_false))
print("== time (median of 5, same run, %d files)" % (7 * no + nu))
print("  grym ls --json      %.3f s" % t_ls)
print("  grym dupes --json   %.3f s   (%.1fx ls --json; %.3f of the scan's %.1f s)"
      % (t_dupes, t_dupes / t_ls, t_dupes / t_scan, t_scan))
PY
