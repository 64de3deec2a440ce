#!/usr/bin/env bash
# `grym scan` end to end on a generated tree: exact counts, bad files with
# reasons, walker skips, terminal-safe names, rescans that do nothing, a
# moved file keeping its id and tags, crash/abort/hang containment through
# GRYM_FAULT, --dry-run, --retry-failed, and two scans at once.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
mk="$GRYM_BUILD/tools/scan_fixture"
lib="$T/lib"
conf="$T/grym.yaml"
printf 'scan:\n  job_timeout: 3\n' >"$conf"
g() { "$GRYM" --config "$conf" "$@"; }

# ---- the tree: 7 good files in 5 formats, 3 bad, odd names, traps --------
mkdir -p "$lib/sub/deep" "$lib/dir.flac" "$lib/bad" "$lib/.hidden"
"$mk" "$lib/a.wav" wav16 44100 2 4 1 &&
"$mk" "$lib/b.flac" flac16 48000 1 3 2 &&
"$mk" "$lib/sub/c.ogg" ogg 44100 2 3 3 &&
"$mk" "$lib/sub/deep/d.aiff" aiff16 22050 1 2 4 &&
"$mk" "$lib/dir.flac/e.wav" wav24 44100 1 2 5 &&
"$mk" "$lib/sub/f.caf" caf16 44100 1 2 6 &&
"$mk" "$lib/odd"$'\n'"name"$'\x1b'"[31m.wav" wav16 44100 1 2 7 &&
"$mk" "$lib/.hidden/h.wav" wav16 44100 1 1 8 ||
	{ not_ok "generate the fixtures"; finish; }
: >"$lib/bad/empty.wav"
head -c 3000 /dev/urandom >"$lib/bad/junk.flac"
head -c 30 "$lib/a.wav" >"$lib/bad/trunc.wav"
mkfifo "$lib/fifo.wav"
ln -s . "$lib/sub/loop"
ln -s a.wav "$lib/link.wav"
echo "notes" >"$lib/readme.txt"
n_good=7
n_bad=3
n_all=$((n_good + n_bad))

stats() { g stats --json | $py -c "import json,sys; d=json.load(sys.stdin); print(d['$1'])"; }
# ls --json as "relpath<TAB>id<TAB>analysed_at<TAB>status<TAB>tags<TAB>error" lines
listing() {
	g ls --json | $py -c '
import json, sys
for f in json.load(sys.stdin):
    print("\t".join([repr(f["relpath"]), str(f["id"]), repr(f["analysed_at"]), f["status"],
                     ",".join(f["tags"]), repr(f["error"])]))' | sort
}

# ---- dry run: lists, writes nothing ---------------------------------------
g scan --dry-run "$lib" >"$T/dry.out" 2>&1
check_status "dry run exits 0" 0 g scan --dry-run "$lib"
n=$(grep -c '^analyse (new): ' "$T/dry.out")
[ "$n" -eq "$n_all" ] && ok "dry run lists $n_all files to analyse" ||
	{ not_ok "dry run lists $n files, wanted $n_all"; sed 's/^/# /' "$T/dry.out"; }
contains "dry run names the FIFO as skipped" "$T/dry.out" "fifo.wav: not a regular file"
contains "dry run escapes names" "$T/dry.out" 'odd\nname\x1b[31m.wav'
[ "$(stats files)" = 0 ] && ok "dry run stored nothing" || not_ok "dry run stored files"

# ---- first scan ------------------------------------------------------------
t0=$SECONDS
g scan -j 2 "$lib" >"$T/scan1.out" 2>"$T/scan1.err"
rc=$?
[ "$rc" -eq 1 ] && ok "scan with bad files exits 1" || not_ok "scan exit $rc, wanted 1"
[ "$(stats files)" = "$n_all" ] && ok "stats: $n_all files" ||
	not_ok "stats: $(stats files) files, wanted $n_all"
[ "$(stats failed)" = "$n_bad" ] && ok "stats: $n_bad failed" ||
	not_ok "stats: $(stats failed) failed, wanted $n_bad"
[ "$(stats jobs_queued)$(stats jobs_running)" = 00 ] && ok "queue empty after the scan" ||
	not_ok "jobs left in the queue"
contains "summary counts" "$T/scan1.out" "grym scan: $n_good analysed, 0 unchanged, 0 moved, $n_bad failed, 3 skipped"
for f in empty.wav junk.flac trunc.wav; do
	grep -qE "^  failed: .*/bad/$f: .+" "$T/scan1.out" && ok "summary gives a reason for $f" ||
		{ not_ok "no reason for $f"; sed 's/^/# /' "$T/scan1.out"; }
done
contains "summary lists the FIFO" "$T/scan1.out" "fifo.wav: not a regular file (FIFO, socket or device)"
contains "summary lists the symlink to a file" "$T/scan1.out" "link.wav: symbolic link (not followed)"
contains "summary lists the symlink loop" "$T/scan1.out" "sub/loop: symbolic link (not followed)"
if grep -q $'\x1b' "$T/scan1.out" "$T/scan1.err"; then not_ok "raw ESC reached the output"; else
	ok "no raw escape byte in the output"; fi
grep -q 'hidden' "$T/scan1.out" && not_ok "hidden file scanned" || ok "hidden folder skipped"
listing >"$T/list1"
[ "$(grep -c $'\tok\t' "$T/list1")" = "$n_good" ] && ok "$n_good files analysed ok" ||
	{ not_ok "files ok: $(grep -c $'\tok\t' "$T/list1")"; sed 's/^/# /' "$T/list1"; }

# ---- rescan: nothing to do ---------------------------------------------------
check_status "rescan exits 0 (failures are not retried)" 0 g scan "$lib"
g scan "$lib" >"$T/scan2.out" 2>&1
contains "rescan analyses nothing" "$T/scan2.out" "grym scan: 0 analysed, $n_good unchanged, 0 moved, 0 failed"
contains "rescan mentions the earlier failures" "$T/scan2.out" "$n_bad failed in an earlier scan"
listing >"$T/list2"
cmp -s "$T/list1" "$T/list2" && ok "rescan changed no row" || not_ok "rescan changed rows"

# ---- move and tag: same id, tags kept, not re-analysed ----------------------
id=$(grep "^'a.wav'" "$T/list1" | cut -f2)
check "tag a file" g tag "$id" +keeper
mv "$lib/a.wav" "$lib/sub/deep/moved.wav"
rm "$lib/link.wav"
g scan "$lib" >"$T/scan3.out" 2>&1
contains "the move is recognised" "$T/scan3.out" "grym scan: 0 analysed, $((n_good - 1)) unchanged, 1 moved"
listing >"$T/list3"
line=$(grep "^'sub/deep/moved.wav'" "$T/list3")
[ "$(echo "$line" | cut -f2)" = "$id" ] && ok "moved file keeps its id" ||
	not_ok "moved file id '$(echo "$line" | cut -f2)', wanted $id"
case ",$(echo "$line" | cut -f5)," in *,keeper,*) ok "moved file keeps its tag" ;; *) false ;; esac ||
	not_ok "moved file tags '$(echo "$line" | cut -f5)'"
[ "$(echo "$line" | cut -f3)" = "$(grep "^'a.wav'" "$T/list1" | cut -f3)" ] &&
	ok "moved file not re-analysed" || not_ok "moved file was analysed again"
[ "$(stats files)" = "$n_all" ] && ok "no duplicate row after the move" || not_ok "rows: $(stats files)"

# ---- --retry-failed -----------------------------------------------------------
g scan --retry-failed "$lib" >"$T/scan4.out" 2>&1
contains "--retry-failed retries the failed files" "$T/scan4.out" "grym scan: 0 analysed, $((n_good)) unchanged, 0 moved, $n_bad failed"

# ---- crash, abort and hang containment ----------------------------------------
for m in crash abort hang; do
	export GRYM_CATALOG="$T/fault-$m.db"
	GRYM_FAULT="classify:$m:b.flac" timeout 60 "$GRYM" --config "$conf" scan -j 2 "$lib" \
		>"$T/fault.out" 2>&1
	case $m in
	crash) want="crashed: SIGSEGV during classify" ;;
	abort) want="crashed: SIGABRT during classify" ;;
	hang) want="timed out after 3 s during classify" ;;
	esac
	contains "GRYM_FAULT $m: the scan completes" "$T/fault.out" "grym scan: $((n_good - 1)) analysed"
	contains "GRYM_FAULT $m: b.flac failed with the reason" "$T/fault.out" "/b.flac: $want"
	[ "$(stats failed)" = $((n_bad + 1)) ] && ok "GRYM_FAULT $m: only that file failed" ||
		not_ok "GRYM_FAULT $m: $(stats failed) failed"
	g ls --json | $py -c "
import json,sys
f=[x for x in json.load(sys.stdin) if x['relpath']=='b.flac'][0]
assert f['status']=='failed' and f['error']=='$want', f['error']" &&
		ok "GRYM_FAULT $m: the reason is stored" || not_ok "GRYM_FAULT $m: stored reason"
done

# ---- two scans at once on one catalog --------------------------------------------
export GRYM_CATALOG="$T/two.db"
g scan -j 1 "$lib" >"$T/two1.out" 2>&1 &
p1=$!
g scan -j 1 "$lib" >"$T/two2.out" 2>&1 &
p2=$!
# a third process reads the catalog all along, from the moment a scan
# has created it (reading a catalog that does not exist yet is an error)
( while [ ! -e "$GRYM_CATALOG" ] && { kill -0 $p1 2>/dev/null || kill -0 $p2 2>/dev/null; }; do
	sleep 0.05
  done
  while kill -0 $p1 2>/dev/null || kill -0 $p2 2>/dev/null; do
	g ls --json >/dev/null 2>>"$T/reader.err" || echo "reader failed" >>"$T/reader.err"
	g stats --json >/dev/null 2>>"$T/reader.err" || echo "reader failed" >>"$T/reader.err"
  done ) &
p3=$!
wait $p1 $p2 $p3
[ ! -s "$T/reader.err" ] && ok "a reader during two scans never failed" ||
	{ not_ok "reader errors"; sed 's/^/# /' "$T/reader.err" | head -5; }
a1=$(sed -n 's/^grym scan: \([0-9]*\) analysed.*/\1/p' "$T/two1.out")
a2=$(sed -n 's/^grym scan: \([0-9]*\) analysed.*/\1/p' "$T/two2.out")
f1=$(sed -n 's/^grym scan: .* moved, \([0-9]*\) failed.*/\1/p' "$T/two1.out")
f2=$(sed -n 's/^grym scan: .* moved, \([0-9]*\) failed.*/\1/p' "$T/two2.out")
[ $((a1 + a2)) -eq "$n_good" ] && [ $((f1 + f2)) -eq "$n_bad" ] &&
	ok "two concurrent scans analysed each file once ($a1 + $a2)" ||
	{ not_ok "two scans: analysed $a1 + $a2, failed $f1 + $f2"; sed 's/^/# /' "$T/two1.out" "$T/two2.out"; }
[ "$(stats files)" = "$n_all" ] && ok "two scans: no duplicate rows" || not_ok "two scans: $(stats files) rows"
grep -qi 'locked' "$T/two1.out" "$T/two2.out" && not_ok "'database is locked' reached the user" ||
	ok "no locking error reached the user"
g doctor >"$T/doctor.out" 2>&1
contains "integrity ok after everything" "$T/doctor.out" "integrity: ok"
# ---- one file named on the command line (the browser's re-analyse) ----------
one=$(find "$lib" -name '*.flac' -not -path '*/bad/*' | sort | head -1)
id_before=$(g ls --json | $py -c "
import json,sys; print([x['id'] for x in json.load(sys.stdin) if x['path']=='$one'][0])")
g scan --force "$one" >"$T/one.out" 2>&1
contains "scan --force FILE analyses just that file" "$T/one.out" "1 analysed, 0 unchanged"
id_after=$(g ls --json | $py -c "
import json,sys; print([x['id'] for x in json.load(sys.stdin) if x['path']=='$one'][0])")
[ "$id_before" = "$id_after" ] && ok "re-analysed file keeps its id" || not_ok "id $id_before -> $id_after"
[ "$(stats files)" = "$n_all" ] && ok "re-analysing one file adds no rows" || not_ok "rows after one-file scan"
printf 'x' >"$T/notes.txt"
check_status "scan of a non-audio file is a usage error" 2 g scan "$T/notes.txt"
echo "# scan.sh took $((SECONDS - t0)) s"
finish
