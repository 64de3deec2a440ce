#!/usr/bin/env bash
# dupes.sh - grym dupes end to end: generated material (tests/tools/
# dupes_fixture, seeded tone sequences with noise bursts) and its copies
# made with lame, ffmpeg and sox (MP3 128k, Ogg Vorbis, -6 dB, 1.5 s cut
# from the start, 48 kHz FLAC resampled to 44.1 kHz), a two-part file
# whose regions are exported with grym export (FLAC 48k) and scanned back,
# and unrelated material that must stay out of every group.
. "$(dirname "$0")/lib.sh"

g() { "$GRYM" "$@"; }
same() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (wanted '$2', got '$3')"; fi; }
FX="$GRYM_BUILD/tools/dupes_fixture"

check_status "dupes without a catalog says so" 1 g dupes
contains "dupes without a catalog hints at scan" "$T/.err" "grym scan"
check_status "dupes rejects a bad threshold" 2 g dupes --threshold 1.5
check_status "dupes rejects a bad option" 2 g dupes --frobnicate

for t in lame ffmpeg sox; do
	command -v "$t" >/dev/null || { echo "ok - dupes # SKIP $t missing"; exit 0; }
done

L="$T/lib"
mkdir -p "$L" "$T/parts" "$T/export"
"$FX" "$L/a.wav" wav24 44100 11 12 &&
	lame --quiet -b 128 "$L/a.wav" "$L/a.mp3" &&
	ffmpeg -loglevel error -i "$L/a.wav" -c:a libvorbis -q:a 3 "$L/a.ogg" &&
	sox "$L/a.wav" -b 16 "$L/a_quiet.wav" gain -6 &&
	sox "$L/a.wav" -b 16 "$L/a_trim.wav" trim 1.5 &&
	"$FX" "$L/c48.flac" flac24 48000 12 12 &&
	sox "$L/c48.flac" -b 16 "$L/c44.flac" rate 44100 &&
	"$FX" "$L/b.wav" wav16 44100 13 12 &&
	"$FX" "$L/d.mp3" mp3 44100 14 12 &&
	"$FX" "$T/parts/p1.wav" wav16 44100 15 8 &&
	"$FX" "$T/parts/p2.wav" wav16 44100 16 8 &&
	sox -n -r 44100 -c 1 -b 16 "$T/parts/gap.wav" trim 0 1.5 &&
	sox "$T/parts/p1.wav" "$T/parts/gap.wav" "$T/parts/p2.wav" "$L/long.wav" ||
	not_ok "fixtures made"

check "scan the library" g scan "$L"
check "export the regions of the two-part file as FLAC 48k" \
	g export name:long.wav --regions --to "$T/export" --format flac --rate 48k --quiet
check "scan the exported regions back" g scan "$T/export"

g dupes --json >"$T/d.json" 2>"$T/d.err"
check "dupes --json groups the copies" python3 - "$T/d.json" <<'PY'
import json, os, sys
groups = json.load(open(sys.argv[1]))
def names(gr):
    return sorted(os.path.basename(m["path"]) +
                  ("#%d" % m["region"] if m["region"] is not None else "")
                  for m in gr["members"])
found = {tuple(names(gr)): gr for gr in groups}
want_a = ("a.mp3", "a.ogg", "a.wav", "a_quiet.wav", "a_trim.wav")
want_c = ("c44.flac", "c48.flac")
assert want_a in found, ("MP3, Ogg, -6 dB and trimmed copies of a.wav", list(found))
assert want_c in found, ("48k and 44.1k FLAC", list(found))
for gr in groups:
    for m in gr["members"]:
        assert os.path.basename(m["path"]) not in ("b.wav", "d.mp3"), ("unrelated", names(gr))
        for k in ("id", "path", "region", "region_id", "start", "end", "format", "codec",
                  "rate", "bits", "lossless", "duration", "score", "best"):
            assert k in m, k
        assert 0.7 <= m["score"] <= 1.0, m
    assert gr["score"] >= 0.7, gr
    assert sum(m["best"] for m in gr["members"]) == 1
best = {tuple(names(gr)): [os.path.basename(m["path"]) for m in gr["members"] if m["best"]][0]
        for gr in groups}
assert best[want_a] == "a.wav", best[want_a]        # 24-bit lossless
assert best[want_c] == "c48.flac", best[want_c]     # 48 kHz 24-bit
# each exported region is found as that region of long.wav
regions = [n for n in found if any(x.startswith("long.wav#") for x in n)]
assert len(regions) == 2, list(found)
for n in regions:
    exp = [x for x in n if x.startswith("long_") and x.endswith(".flac")]
    reg = [x for x in n if x in ("long.wav#0", "long.wav#1")]
    assert len(n) == 2 and len(exp) == 1 and len(reg) == 1, n
assert len(groups) == 4, list(found)
PY

g dupes >"$T/d.txt" 2>&1
contains "dupes text names the best copy" "$T/d.txt" "best $L/a.wav"
contains "dupes text shows a region" "$T/d.txt" "long.wav region 1"
contains "dupes text sums up" "$T/d.txt" "4 groups"

same "a query limits the files compared" 1 \
	"$(g dupes --json format:flac | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
same "unrelated files alone make no group" 0 \
	"$(g dupes --json 'name:b.wav,d.mp3' | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"

# a name with terminal controls is escaped in the text output
cp "$L/b.wav" "$L/$(printf 'evil\033[31m.wav')"
g scan "$L" >/dev/null 2>&1
g dupes >"$T/e.txt" 2>&1
if grep -q "$(printf '\033')" "$T/e.txt"; then not_ok "dupes escapes names"; else
	ok "dupes escapes names"; fi
contains "the copied file is found as a duplicate" "$T/e.txt" 'evil\x1b[31m.wav'
finish
