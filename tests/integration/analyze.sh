#!/usr/bin/env bash
# `grym analyze` on the bundled samples and on bad input: JSON shape,
# regions of the samples, exit status, escaping, no hang on a FIFO.
. "$(dirname "$0")/lib.sh"
root=$GRYM_ROOT
py=/usr/bin/python3

check "analyze the bundled samples" "$GRYM" analyze "$root"/samples/*.flac "$root"/samples/*.wav \
	"$root"/samples/*.ogg "$root"/samples/*.aiff
check "analyze --json the chord sample" "$GRYM" analyze --json "$root/samples/chords-Am-100bpm.flac"
cp "$T/.out" "$T/chords.json"

# the JSON is valid and carries the documented fields
cat >"$T/check.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
need = ["path", "format", "codec", "rate", "channels", "duration", "loudness", "lra",
        "peak_db", "partial", "regions", "summary", "plugins", "hash", "size"]
miss = [k for k in need if k not in d]
assert not miss, "missing fields %s" % miss
assert d["format"] == "flac" and d["rate"] == 22050 and d["channels"] == 1, d["format"]
assert abs(d["duration"] - 22.2) < 0.05, d["duration"]
r = d["regions"]
assert len(r) == 2, "regions: %d" % len(r)
# two phrases: 0.5-10.1 s and 11.6-21.2 s (decay tails may extend the ends)
assert abs(r[0]["start"] - 0.5) < 0.03 and abs(r[1]["start"] - 11.6) < 0.03, r
assert 10.0 < r[0]["end"] < 11.0 and 21.1 < r[1]["end"] < 22.2, r
for reg in r:
    for k in ["start", "end", "duration", "peak_db", "loudness", "class", "timeline",
              "bpm", "key", "plugins"]:
        assert k in reg, "region lacks " + k
    assert -40 < reg["loudness"] < 0, reg["loudness"]
for k in ["class", "key", "bpm", "key_confidence", "bpm_confidence", "bpm_alternates"]:
    assert k in d["summary"], "summary lacks " + k
PY
check "JSON has the documented shape and the sample's two regions" $py "$T/check.py" "$T/chords.json"

# several files: an array, in order
"$GRYM" analyze --json "$root/samples/drums-120bpm.wav" "$root/samples/bell-C5.aiff" >"$T/two.json"
check "several files give a JSON array" $py -c "
import json,sys; d=json.load(open('$T/two.json')); assert isinstance(d,list) and len(d)==2
assert d[0]['path'].endswith('drums-120bpm.wav') and d[1]['path'].endswith('bell-C5.aiff')"

# bad input: one clear line per bad file, exit 1, the good file still analysed
: >"$T/empty.wav"
printf 'not audio at all\n' >"$T/text.mp3"
mkdir "$T/dir.flac"
mkfifo "$T/fifo.wav"
ln -s "$root/samples/drums-120bpm.wav" "$T/link.wav"
timeout 20 "$GRYM" analyze --json "$T/empty.wav" "$T/text.mp3" "$T/dir.flac" "$T/fifo.wav" \
	"$T/link.wav" "$root/samples/bell-C5.aiff" >"$T/bad.json" 2>"$T/bad.err"
rc=$?
[ "$rc" -eq 1 ] && ok "bad files give exit status 1" || not_ok "bad files give exit status 1 (got $rc)"
[ "$(wc -l <"$T/bad.err")" -eq 5 ] && ok "one error line per bad file" ||
	{ not_ok "one error line per bad file"; sed 's/^/# /' "$T/bad.err"; }
contains "empty file named" "$T/bad.err" "empty.wav"
contains "FIFO refused" "$T/bad.err" "fifo.wav"
contains "directory refused" "$T/bad.err" "dir.flac"
contains "symlink refused" "$T/bad.err" "link.wav"
check "the good file is still analysed" $py -c "
import json; d=json.load(open('$T/bad.json')); assert len(d)==6
assert 'error' in d[0] and 'error' in d[3] and d[5]['format']=='aiff' and len(d[5]['regions'])==1"

# a name with an escape sequence never reaches the terminal raw
evil="$T/"$'\e[2Jevil\nname.wav'
: >"$evil"
"$GRYM" analyze "$evil" >"$T/evil.out" 2>"$T/evil.err"
if grep -q $'\e' "$T/evil.out" "$T/evil.err"; then not_ok "escape sequence in a name is escaped"
else ok "escape sequence in a name is escaped"; fi
contains "escaped name shown" "$T/evil.err" '\x1b[2Jevil\nname.wav'

# usage errors
check_status "no file is a usage error" 2 "$GRYM" analyze
check_status "unknown option is a usage error" 2 "$GRYM" analyze --nope x.wav
finish
