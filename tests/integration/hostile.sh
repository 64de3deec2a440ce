#!/usr/bin/env bash
# Hostile and odd files: `grym scan` over the generated corpus of
# tests/tools/hostile_gen.c (62 cases: empty, truncated, absurd headers,
# NaN/Inf floats, damaged FLAC/Ogg/MP3 (an Ogg damaged just after its headers), wrong extensions, FIFOs, symlink
# loops, names with newlines/escapes/invalid UTF-8, a sparse file declaring
# hours) plus cases made here: unreadable files and folders, a file that
# grows and a file that is deleted while the scan runs.  Every case must
# end as its manifest line expects (ok / partial / failed with a reason
# matching a pattern / skipped with a reason / absent), the scan must
# finish (each job has a 4 s deadline), no raw control byte may reach the
# terminal, and the catalog must pass its integrity check.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
gen="$GRYM_BUILD/tools/hostile_gen"
H="$T/h"
mkdir -p "$H"
lib="$H/lib"
conf="$H/grym.yaml"
export GRYM_CATALOG="$H/catalog.db"
printf 'scan:\n  job_timeout: 4\n' >"$conf"

"$gen" "$lib" >"$H/manifest" 2>"$H/gen.err" || { not_ok "generate the corpus"; cat "$H/gen.err"; finish; }
# cases made here.  Root reads everything, so as root the unreadable
# cases expect what root sees (the walker's permission checks are still
# covered when the suite runs as a normal user).
root=0
[ "$(id -u)" -eq 0 ] && root=1
printf 'RIFF' >"$lib/h70-unreadable.wav"; chmod 000 "$lib/h70-unreadable.wav"
mkdir -p "$lib/h71-locked"; cp "$lib/h47-flac-named.wav" "$lib/h71-locked/x.wav"
chmod 000 "$lib/h71-locked"
if [ $root -eq 0 ]; then
	echo "h70	skipped	file not readable	a file without read permission" >>"$H/manifest"
	echo "h71	skipped	directory not readable	a folder without permissions" >>"$H/manifest"
else
	echo "# running as root: mode 000 does not stop root (h70, h71 read anyway)"
	echo "h70	failed	not an audio file	mode 000 file (root reads it)" >>"$H/manifest"
	echo "h71	ok		mode 000 folder (root reads it)" >>"$H/manifest"
fi
cp "$lib/h47-flac-named.wav" "$lib/h72-grows.flac"
echo "h72	ok|failed|partial	.	a file that grows during the scan" >>"$H/manifest"
cp "$lib/h52-dir.wav/inner.wav" "$lib/h73-deleted.wav"
echo "h73	failed|missing	no such file|vanished|cannot open	a file deleted during the scan" >>"$H/manifest"
n_cases=$(wc -l <"$H/manifest")
[ "$n_cases" -ge 40 ] && ok "hostile corpus: $n_cases cases" || not_ok "only $n_cases cases"

g() { "$GRYM" --config "$conf" "$@"; }

# ---- the scan, one worker (so the deletion lands before the file's turn:
# the sparse file ahead of it holds the worker for its 4 s deadline) --------
t0=$SECONDS
timeout 300 "$GRYM" --config "$conf" scan -j 1 "$lib" >"$H/scan.out" 2>"$H/scan.err" &
pid=$!
# wait until the walk is over (the first file, h01, fails at once and is
# reported on stderr), then delete one file and grow another
for _ in $(seq 1 400); do
	[ -s "$H/scan.err" ] && break
	sleep 0.05
done
rm -f "$lib/h73-deleted.wav"
( while kill -0 $pid 2>/dev/null; do
	head -c 8192 /dev/urandom >>"$lib/h72-grows.flac"
	sleep 0.1
  done ) &
grower=$!
wait $pid
rc=$?
wait $grower 2>/dev/null

echo "# scan took $((SECONDS - t0)) s, exit $rc"
[ "$rc" -eq 1 ] && ok "the scan finishes (exit 1: some files failed)" ||
	{ not_ok "scan exit $rc (124 = hung)"; sed 's/^/# /' "$H/scan.err" | tail -5; }
contains "the summary line is printed" "$H/scan.out" "grym scan: "

# ---- no raw control byte on the terminal ------------------------------------
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$H/scan.out" "$H/scan.err"; then
	not_ok "raw control bytes reached the output"
	LC_ALL=C grep -n $'[\x01-\x08\x0b-\x1f\x7f]' "$H/scan.out" "$H/scan.err" | cat -v | head -5 | sed 's/^/# /'
else
	ok "no raw control byte in the scan's output"
fi
LC_ALL=C grep -aq $'\xff\xfe' "$H/scan.out" "$H/scan.err" && not_ok "invalid UTF-8 reached the output" ||
	ok "no invalid UTF-8 in the scan's output"

# ---- every case as expected --------------------------------------------------------
g ls --json >"$H/ls.json" 2>"$H/ls.err" || not_ok "grym ls --json after the scan"
$py - "$H/manifest" "$H/ls.json" "$H/scan.out" <<'EOF'
import json, re, sys
manifest, listing, summary = sys.argv[1:4]
rows = json.load(open(listing))
skips = [l for l in open(summary, encoding="utf-8", errors="replace") if l.startswith("  skipped: ")]
for line in open(manifest, encoding="utf-8"):
    cid, want, pat, what = line.rstrip("\n").split("\t")
    mine = [r for r in rows if r["relpath"].startswith(cid + "-")]
    states = want.split("|")
    got = "absent"
    reason = ""
    if mine:
        r = mine[0]
        got = "missing" if r.get("missing") else r["status"]
        reason = r["error"] or ""
    else:
        sk = [l for l in skips if re.search("/" + cid + "-", l)]
        if sk:
            got, reason = "skipped", sk[0]
    good = got in states
    if good and got in ("failed", "partial", "skipped"):
        good = bool(reason) and re.search(pat, reason) is not None
    if good and got in ("ok", "partial"):
        d = mine[0]["duration"]
        good = d is not None and d >= 0 and d < 1e6
    if good and len(mine) > 1:
        good, got = False, "%d rows" % len(mine)
    print("%s - %s %s: %s%s" % ("ok" if good else "not ok", cid, what, got,
                                 (" (" + reason.strip()[:100] + ")") if reason else ""))
EOF
[ $? -eq 0 ] || not_ok "the case checker ran"

# ---- the catalog is sound; a rescan settles the grown file -------------------------
g doctor >"$H/doctor.out" 2>&1
contains "integrity ok after the hostile scan" "$H/doctor.out" "integrity: ok"
timeout 120 "$GRYM" --config "$conf" scan -q -j 2 "$lib" >"$H/scan2.out" 2>&1
rc=$?
[ "$rc" -le 1 ] && ok "a rescan finishes (exit $rc)" || not_ok "rescan exit $rc"
finish
