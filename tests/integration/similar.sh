#!/usr/bin/env bash
# similar.sh - `grym similar` on a small scanned library of generated
# sounds (sox): a region is its own best match, a quieter copy of a sound
# comes right after it, -n, --aspect, a query restricts the answers,
# --json is valid and has the documented fields, FILE:REGION and a file on
# disk that is not in the catalog as the target, and usage errors.
. "$(dirname "$0")/lib.sh"

g() { "$GRYM" "$@"; }
same() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (wanted '$2', got '$3')"; fi; }

if ! command -v sox >/dev/null; then
	not_ok "sox is installed (scripts/deps.sh)"
	finish
fi
L="$T/lib"
mkdir -p "$L/tones" "$L/noise" "$T/outside"
# one region each: 0.3 s of silence around the sound
mk() { local out=$1; shift; sox -n -r 44100 -c 1 -b 16 "$out" "$@" pad 0.3 0.3; }
mk "$L/tones/organ.wav" synth 1.5 sine 220 sine 440 sine 660 remix - fade 0.02 1.5 0.05 vol 0.5
mk "$L/tones/organ_quiet.wav" synth 1.5 sine 220 sine 440 sine 660 remix - fade 0.02 1.5 0.05 vol 0.125
mk "$L/tones/square.wav" synth 1.5 square 330 fade 0.02 1.5 0.05 vol 0.3
mk "$L/noise/pink.wav" synth 1.5 pinknoise fade 0.02 1.5 0.05 vol 0.4
mk "$L/noise/brown.wav" synth 1.5 brownnoise fade 0.02 1.5 0.05 vol 0.4
mk "$L/noise/white.wav" synth 1.5 whitenoise fade 0.02 1.5 0.05 vol 0.2
mk "$T/outside/organ_copy.wav" synth 1.5 sine 220 sine 440 sine 660 remix - fade 0.02 1.5 0.05 vol 0.35

check_status "similar without a catalog says so" 1 g similar 1
g scan -q "$L" >"$T/scan.out" 2>&1 || { not_ok "scan the library"; sed 's/^/# /' "$T/scan.out"; finish; }

# region id of a file's first region
rid() { g ls --regions --json "name:$1" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])'; }
ORGAN=$(rid organ.wav)
QUIET=$(rid organ_quiet.wav)
PINK=$(rid pink.wav)

g similar "$ORGAN" >"$T/s.out" 2>"$T/s.err"
same "similar lists 6 regions (all there are)" 6 "$(wc -l <"$T/s.out" | tr -d ' ')"
same "the target is its own best match" "$ORGAN" "$(awk 'NR==1 {print $3}' "$T/s.out")"
same "its score is 1.000" "1.000" "$(awk 'NR==1 {print $2}' "$T/s.out")"
same "the quieter copy comes next" "$QUIET" "$(awk 'NR==2 {print $3}' "$T/s.out")"
same "-n 3" 3 "$(g similar "$ORGAN" -n 3 | wc -l | tr -d ' ')"

g similar "$ORGAN" --json -n 4 >"$T/s.json"
check "--json is JSON with the documented fields" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["aspect"] == "overall", d["aspect"]
t = d["target"]
assert t["region"] == int(sys.argv[2]) and t["in_catalog"] is True and t["idx"] == 0, t
assert t["path"].endswith("/tones/organ.wav"), t
r = d["results"]
assert len(r) == 4, len(r)
for i, x in enumerate(r):
    for k in ("id", "file", "idx", "path", "start", "end", "class", "tags", "rank", "score", "distance"):
        assert k in x, k
    assert x["rank"] == i + 1
    assert 0 <= x["score"] <= 1
    assert i == 0 or x["score"] <= r[i - 1]["score"]
assert r[0]["id"] == t["region"] and abs(r[0]["score"] - 1) < 1e-3 and r[0]["distance"] < 1e-3
assert r[-1]["score"] < 0.5, r[-1]["score"]
' "$T/s.json" "$ORGAN"

# a query restricts the answers: only the noise folder
g similar "$ORGAN" path:noise --json >"$T/q.json"
check "a query restricts the results" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))["results"]
assert len(r) == 3, len(r)
assert all("/noise/" in x["path"] for x in r), [x["path"] for x in r]
' "$T/q.json"
same "a query matching nothing gives nothing" 0 "$(g similar "$ORGAN" name:nosuchname | wc -l | tr -d ' ')"
g tag "$PINK" +sky >/dev/null 2>&1
same "a tag query (files tagged sky)" 1 "$(g similar "$ORGAN" tag:sky | wc -l | tr -d ' ')"

# aspects: pink noise is nearer to brown noise than to the organ by timbre
g similar "$PINK" --aspect timbre --json >"$T/a.json"
check "--aspect timbre: the other noises first" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["aspect"] == "timbre"
names = [x["path"].rsplit("/", 1)[1] for x in d["results"]]
assert names[0] == "pink.wav", names
assert set(names[1:3]) <= {"brown.wav", "white.wav"}, names
' "$T/a.json"
for a in overall timbre spectrum pitch rhythm loudness; do
	check "--aspect $a runs" g similar "$ORGAN" --aspect "$a" -n 2
done

# FILE and FILE:REGION targets
same "FILE in the catalog is its first region" "$ORGAN" \
	"$(g similar "$L/tones/organ.wav" -n 1 | awk '{print $3}')"
same "FILE:0 too" "$ORGAN" "$(g similar "$L/tones/organ.wav:0" -n 1 | awk '{print $3}')"
check_status "FILE:REGION past the last region fails" 1 g similar "$L/tones/organ.wav:5"
contains "and says how many there are" "$T/.err" "no region 5"

# a file not in the catalog is analysed on the spot
g similar "$T/outside/organ_copy.wav" --json -n 2 >"$T/o.json"
check "a file on disk not in the catalog" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = d["target"]
assert t["region"] is None and t["in_catalog"] is False, t
names = [x["path"].rsplit("/", 1)[1] for x in d["results"]]
assert names[0] in ("organ.wav", "organ_quiet.wav"), names
assert d["results"][0]["score"] > 0.8, d["results"][0]["score"]
' "$T/o.json"
same "it is not added to the catalog" 6 "$(g ls --regions -p | wc -l | tr -d ' ')"

check_status "no target is a usage error" 2 g similar
check_status "a bad aspect is a usage error" 2 g similar "$ORGAN" --aspect colour
check_status "a bad -n is a usage error" 2 g similar "$ORGAN" -n 0
check_status "a query error is a usage error" 2 g similar "$ORGAN" 'bpm:<'
check_status "an unknown region id fails" 1 g similar 999999
contains "and says why" "$T/.err" "region 999999"
check_status "a missing file fails" 1 g similar "$T/nope.wav"
contains "and names it" "$T/.err" "nope.wav"
finish
