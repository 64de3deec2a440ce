#!/usr/bin/env bash
# `grym export` end to end on a scanned tree: regions and files, JSON,
# names from a hostile file name, no overwriting without --force, a full
# disk (a 200 KB tmpfs; RLIMIT_FSIZE when mounting is not permitted) and
# an unwritable folder (a read-only tmpfs as root, chmod otherwise) leaving
# no partial file, an SFZ that parses, and `grym ls --m3u`.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
mk="$GRYM_BUILD/tools/scan_fixture"
lib="$T/lib"
g() { "$GRYM" "$@"; }
# same NAME WANT GOT
same() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (wanted '$2', got '$3')"; fi; }
# no_partial NAME DIR: nothing but complete outputs in DIR (no temp files)
no_temp() { if ls -A "$2" | grep -q '\.grym-export'; then not_ok "$1"; ls -A "$2" | sed 's/^/# /'; else ok "$1"; fi; }

mkdir -p "$lib"
"$mk" "$lib/a.wav" wav16 44100 2 8 1 &&
"$mk" "$lib/b.flac" flac24 48000 1 6 2 &&
"$mk" "$lib/evil"$'\x1b'"[31m"$'\n'"name.wav" wav16 22050 1 4 3 ||
	{ not_ok "generate the fixtures"; finish; }
g scan -q "$lib" >/dev/null 2>&1
n_reg=$(g ls --regions --json | $py -c 'import json,sys; print(len(json.load(sys.stdin)))')
[ "$n_reg" -gt 5 ] && ok "scan found $n_reg regions" || not_ok "scan found $n_reg regions"

# ---- usage ----------------------------------------------------------------
check_status "export without --to is a usage error" 2 g export a.wav
check_status "a bad --normalize is a usage error" 2 g export a.wav --to "$T" --normalize loud
check_status "a bad template is a usage error" 2 g export a.wav --to "$T" --name '{nope}'
contains "the template error names the field" "$T/.err" "unknown field {nope}"
check_status "a missing target folder fails" 1 g export a.wav --to "$T/nope"
check_status "nothing matching fails" 1 g export zzz_nothing --to "$T"
check "help export" g help export
contains "help lists the template fields" "$T/.out" "{name} {index}"

# ---- regions, JSON ----------------------------------------------------------
mkdir "$T/out"
g export --regions '' --to "$T/out" --json >"$T/r.json" 2>"$T/r.err"
same "export of every region exits 0" 0 $?
same "one file per region" "$n_reg" "$(ls "$T/out" | wc -l)"
check "JSON reports every file with exact lengths" $py - "$T/r.json" <<'PY'
import json, sys, os
d = json.load(open(sys.argv[1]))
assert d["failed"] == 0 and d["sfz"] is None
for it in d["items"]:
    assert it["status"] == "ok", it
    assert os.path.exists(it["path"]), it["path"]
    rate = it["rate"]
    want = round(it["end"] * rate) - round(it["start"] * rate)
    assert it["frames"] == want, (it["frames"], want)
    assert "\x1b" not in it["path"] and "\n" not in os.path.basename(it["path"])
PY
ls "$T/out" >"$T/names"
if grep -q $'\x1b' "$T/names"; then not_ok "hostile name sanitised"; else ok "hostile name sanitised"; fi
contains "the hostile name became a safe one" "$T/names" "evil_[31m_name_01.wav"

# ---- bit-exact against the source (sox reads both) ---------------------------
if command -v sox >/dev/null; then
	g export --regions 'a.wav idx:1' --to "$T" --fade 0 --name cut -q
	read -r s e < <(g ls --regions 'a.wav idx:1' --json | $py -c 'import json,sys; r=json.load(sys.stdin)[0]; print(round(r["start"]*44100), round(r["end"]*44100))')
	sox "$lib/a.wav" -t raw "$T/src.raw" trim "${s}s" "$((e - s))s"
	sox "$T/cut.wav" -t raw "$T/cut.raw"
	if cmp -s "$T/src.raw" "$T/cut.raw"; then ok "region is bit-exact (sox)"; else not_ok "region is bit-exact (sox)"; fi
fi

# ---- no overwriting -------------------------------------------------------------
sum1=$(cat "$T"/out/* | md5sum)
check_status "a second export without --force fails" 1 g export --regions '' --to "$T/out"
contains "it names the existing file" "$T/.err" "exists; use --force to replace it"
same "nothing was touched" "$sum1" "$(cat "$T"/out/* | md5sum)"
check_status "--force replaces" 0 g export --regions '' --to "$T/out" --force -q
no_temp "no temp files after exports" "$T/out"

# ---- whole files, formats, rate, normalisation ------------------------------------
mkdir "$T/flac"
check "whole files to 16-bit FLAC at 44.1 kHz, -16 LUFS" g export '' --to "$T/flac" --format flac --bits 16 --rate 44.1k --normalize -16LUFS -q
same "every file written" 3 "$(ls "$T/flac" | wc -l)"
if command -v soxi >/dev/null; then
	same "rate converted" 44100 "$(soxi -r "$T/flac/b.flac")"
	same "length converted" 264600 "$(soxi -s "$T/flac/b.flac")"
fi

# ---- SFZ -------------------------------------------------------------------------
mkdir "$T/kit"
check "export with --sfz" g export --regions 'class:noise,percussion,music' --to "$T/kit" --sfz 'My Kit' -q
check "the SFZ parses and its samples exist" $py - "$T/kit/My Kit.sfz" <<'PY'
import os, re, sys
path = sys.argv[1]
base = os.path.dirname(path)
regions = []
header = None
for line in open(path):
    line = line.strip()
    if not line or line.startswith("//"):
        continue
    m = re.match(r"<(\w+)>\s*(.*)$", line)
    if m:
        header = m.group(1)
        assert header in ("global", "region", "control", "group"), header
        rest = m.group(2)
    else:
        rest = line
    ops = dict(re.findall(r"(\w+)=(\S+(?: [^=]+$)?)", rest))
    if header == "region" and m:
        regions.append(ops)
assert regions, "no regions"
keys = []
for r in regions:
    assert set(r) >= {"lokey", "hikey", "pitch_keycenter", "sample"}, r
    lo, hi = int(r["lokey"]), int(r["hikey"])
    assert 0 <= lo <= hi <= 127
    assert not os.path.isabs(r["sample"]) and "/" not in r["sample"]
    assert os.path.isfile(os.path.join(base, r["sample"])), r["sample"]
    keys.append(lo)
assert keys[0] == 36 and keys == sorted(keys), keys
PY

# ---- a full disk ---------------------------------------------------------------------
mkdir "$T/full"
if mount -t tmpfs -o size=200k tmpfs "$T/full" 2>/dev/null; then
	how="tmpfs of 200 KB"
	g export a.wav --to "$T/full" >"$T/full.out" 2>"$T/full.err"
	rc=$?
	umount_full=1
else
	how="RLIMIT_FSIZE of 200 KB (mount not permitted)"
	(ulimit -f 200; trap '' XFSZ; "$GRYM" export a.wav --to "$T/full") >"$T/full.out" 2>"$T/full.err"
	rc=$?
	umount_full=0
fi
same "a full disk ($how) fails" 1 "$rc"
if grep -qE "No space left on device|File too large" "$T/full.err"; then ok "the error says why"; else
	not_ok "the error says why"; sed 's/^/# /' "$T/full.err"; fi
contains "the error names the file" "$T/full.err" "full/a.wav"
same "no partial file on the full disk" "" "$(ls -A "$T/full")"
[ "$umount_full" = 1 ] && umount "$T/full"

# ---- an unwritable folder ----------------------------------------------------------------
mkdir "$T/ro"
if [ "$(id -u)" = 0 ]; then
	mount -t tmpfs -o ro,size=100k tmpfs "$T/ro" 2>/dev/null && ro_mounted=1 || ro_mounted=0
else
	chmod 555 "$T/ro"; ro_mounted=0
fi
if [ "$(id -u)" != 0 ] || [ "$ro_mounted" = 1 ]; then
	check_status "an unwritable folder fails" 1 g export --regions a.wav --to "$T/ro"
	if grep -qE "cannot write in .*ro: (Read-only file system|Permission denied)" "$T/.err"; then
		ok "the error names the folder and the reason"; else
		not_ok "the error names the folder and the reason"; sed 's/^/# /' "$T/.err"; fi
	same "nothing was left in it" "" "$(ls -A "$T/ro")"
	[ "$ro_mounted" = 1 ] && umount "$T/ro"
fi

# ---- ls --m3u ----------------------------------------------------------------------------
g ls --m3u >"$T/all.m3u"
same "m3u starts with #EXTM3U" "#EXTM3U" "$(head -1 "$T/all.m3u")"
same "m3u lists the plain files" 2 "$(grep -c '^/' "$T/all.m3u")"
g ls --m3u --regions a.wav >"$T/reg.m3u"
contains "m3u regions carry start times" "$T/reg.m3u" "#EXTVLCOPT:start-time="
finish
