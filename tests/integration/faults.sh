#!/usr/bin/env bash
# Faults around the catalog and the plugins:
#  - disk full: the catalog on a small tmpfs with a filler file; the scan
#    stops with a clear error (catalog write failed: disk full, nothing
#    lost, rerun to resume; not a Ctrl-C line), nothing is corrupted or
#    recorded as a file failure, at the first claim and again mid-scan with
#    a little more room; after the file system is made bigger the same scan
#    finishes the work;
#  - read-only catalog (the tmpfs remounted read-only): reading commands
#    work, writing commands fail clearly, nothing changes;
#  - GRYM_FAULT on every core plugin in every mode (crash, abort, hang,
#    fail, slow; scan.sh covers crash/abort/hang on classify only through
#    the summary): the run completes, the file carries the reason, the
#    other files are untouched;
#  - concurrency: two scans writing, a reader running `grym ls` and a
#    tagger running `grym tag` in loops: no "database is locked" reaches
#    anyone, and the final catalog is complete.
# The mount parts need root (mount -t tmpfs); without it they are skipped
# and say so.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
mk="$GRYM_BUILD/tools/scan_fixture"
conf="$T/grym.yaml"
printf 'scan:\n  job_timeout: 2\n' >"$conf"
g() { "$GRYM" --config "$conf" "$@"; }
integrity() { [ "$(sqlite3 "file:$1?mode=ro" 'PRAGMA integrity_check' 2>&1)" = ok ]; }
nfiles() { g stats --json | $py -c "import json,sys; d=json.load(sys.stdin); print(d['$1'])"; }

mkdir -p "$T/lib"
for i in $(seq 1 12); do
	"$mk" "$T/lib/f$i.wav" wav16 22050 1 3 "$i" || { not_ok "fixtures"; finish; }
done

# ---- disk full ---------------------------------------------------------------
echo "# t=$SECONDS s: disk full"
fs="$T/fs"
mkdir -p "$fs"
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=4m tmpfs "$fs" 2>/dev/null; then
	trap 'umount "$fs" 2>/dev/null; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
	export GRYM_CATALOG="$fs/catalog.db"
	# leave about 300 KB: less than the analyses of 12 files need
	avail=$(df -k --output=avail "$fs" | tail -1)
	head -c $(((avail - 300) * 1024)) /dev/zero >"$fs/filler" 2>/dev/null
	g scan -j 2 "$T/lib" >"$T/full.out" 2>"$T/full.err"
	rc=$?
	[ "$rc" -ne 0 ] && ok "disk full: the scan fails (exit $rc)" || not_ok "disk full: scan exit 0"
	grep -q "disk is full" "$T/full.out" "$T/full.err" && ok "disk full: the error says the disk is full" ||
		{ not_ok "disk full: no clear error"; sed 's/^/# /' "$T/full.err" | tail -3; }
	# what happened and what to do, not a Ctrl-C message nobody typed
	grep -q "scan stopped: catalog write failed: disk full" "$T/full.err" &&
		grep -q "nothing is lost: .*run the same scan again to resume" "$T/full.err" &&
		ok "disk full: says the catalog write failed, nothing is lost, rerun to resume" ||
		{ not_ok "disk full: unclear message"; sed 's/^/# /' "$T/full.err" | tail -4; }
	grep -qi "stopping after\|Ctrl-C" "$T/full.out" "$T/full.err" &&
		{ not_ok "disk full: a misleading stop line"; grep -i "stopping\|Ctrl-C" "$T/full.err" | sed 's/^/# /'; } ||
		ok "disk full: no 'stopping after the files in progress' line"
	integrity "$GRYM_CATALOG" && ok "disk full: integrity_check ok" || not_ok "disk full: integrity"
	check "disk full: grym ls still works" g ls
	check "disk full: grym stats still works" g stats
	[ "$(nfiles failed)" = 0 ] && ok "disk full: no file recorded as failed because of the disk" ||
		not_ok "disk full: $(nfiles failed) files recorded as failed"
	# about 500 KB more: a few files fit, then the disk fills again mid-scan
	# (while a worker commits an analysis, not at its first claim)
	truncate -s -500K "$fs/filler"
	g scan -j 2 "$T/lib" >"$T/full2.out" 2>"$T/full2.err"
	rc=$?
	stored=$(sed -n 's/.*nothing is lost: \([0-9]*\) files analysed.*/\1/p' "$T/full2.err")
	if [ "$rc" -ne 0 ] && [ -n "$stored" ] && [ "$(nfiles files)" -ge "$stored" ] &&
	   [ "$(nfiles files)" -lt 12 ]; then
		ok "disk full mid-scan: stops clearly, $stored files stored before it"
	else
		not_ok "disk full mid-scan: exit $rc, stored '$stored', $(nfiles files) files"
		sed 's/^/# /' "$T/full2.err" | tail -4
	fi
	grep -qi "stopping after\|Ctrl-C" "$T/full2.err" && not_ok "disk full mid-scan: a misleading stop line" ||
		ok "disk full mid-scan: no 'stopping after the files in progress' line"
	[ "$(nfiles failed)" = 0 ] && ok "disk full mid-scan: no file recorded as failed" ||
		not_ok "disk full mid-scan: $(nfiles failed) files recorded as failed"
	integrity "$GRYM_CATALOG" && ok "disk full mid-scan: integrity_check ok" ||
		not_ok "disk full mid-scan: integrity"
	before=$(nfiles files)
	mount -o remount,size=64m "$fs"
	g scan -j 2 "$T/lib" >"$T/resume.out" 2>&1
	rc=$?
	[ "$rc" -eq 0 ] && ok "space back: the same scan finishes (exit 0)" ||
		{ not_ok "space back: scan exit $rc"; sed 's/^/# /' "$T/resume.out" | tail -3; }
	[ "$(nfiles files)" = 12 ] && [ "$(nfiles failed)" = 0 ] &&
		ok "space back: all 12 files analysed ($before before)" ||
		not_ok "space back: $(nfiles files) files, $(nfiles failed) failed"
	integrity "$GRYM_CATALOG" && ok "space back: integrity_check ok" || not_ok "space back: integrity"

	# ---- read-only catalog ---------------------------------------------------------
	g tag f1.wav +before >/dev/null 2>&1 || g tag "$T/lib/f1.wav" +before >/dev/null 2>&1
	g ls --json >"$T/ro-before.json"
	id=$($py -c "import json; print(json.load(open('$T/ro-before.json'))[0]['id'])")
	mount -o remount,ro "$fs"
	check "read-only: grym ls works" g ls
	check "read-only: grym ls --json works" g ls --json
	check "read-only: grym show works" g show "$id"
	check "read-only: grym stats works" g stats
	check "read-only: grym doctor works" g doctor
	g ls 'tag:before' >"$T/ro-q.out" 2>&1 && grep -q f1.wav "$T/ro-q.out" &&
		ok "read-only: a query finds the tagged file" || not_ok "read-only: query"
	check_status "read-only: grym tag fails" 1 g tag "$id" +after
	grep -qiE "read-only|readonly|read only" "$T/.err" && ok "read-only: tag says the catalog is read-only" ||
		{ not_ok "read-only: tag error unclear"; sed 's/^/# /' "$T/.err" | head -3; }
	touch "$T/lib/f1.wav"    # something to do
	g scan "$T/lib" >"$T/ro-scan.out" 2>&1
	rc=$?
	[ "$rc" -ne 0 ] && grep -qiE "read-only|readonly|read only" "$T/ro-scan.out" &&
		ok "read-only: scan fails and says why (exit $rc)" ||
		{ not_ok "read-only: scan exit $rc"; sed 's/^/# /' "$T/ro-scan.out" | tail -3; }
	mount -o remount,rw "$fs"
	g ls --json >"$T/ro-after.json"
	cmp -s "$T/ro-before.json" "$T/ro-after.json" && ok "read-only: nothing changed" ||
		not_ok "read-only: the catalog changed"
	integrity "$GRYM_CATALOG" && ok "read-only: integrity_check ok" || not_ok "read-only: integrity"
	umount "$fs"
else
	ok "disk full and read-only catalog need root to mount a tmpfs # SKIP"
fi

# ---- GRYM_FAULT: every core plugin, every mode --------------------------------------
echo "# t=$SECONDS s: GRYM_FAULT: every core plugin, every mode"
fl="$T/fl"
mkdir -p "$fl"
"$mk" "$fl/target.wav" wav16 22050 1 1.2 1 && "$mk" "$fl/other1.wav" wav16 22050 1 1.2 2 &&
	"$mk" "$fl/other2.flac" flac16 22050 1 1.2 3 || not_ok "fault fixtures"
g plugins >"$T/plugins.out" 2>&1
plugins=$(awk '$2 ~ /^v[0-9]/ { print $1 }' "$T/plugins.out")
[ -n "$plugins" ] && ok "plugins listed: $(echo $plugins)" || { not_ok "no plugins"; finish; }
# slow sleeps past each region's budget (at least 1 s): give it room
printf 'scan:\n  job_timeout: 8\n' >"$T/slow.yaml"
# Only the hang runs need the short 2 s deadline; with it, 25 scans at
# once (ASan, a loaded 2-core host) timed healthy files out too, so the
# others get room, and the hang runs go in a batch of their own.
printf 'scan:\n  job_timeout: 60\n' >"$T/roomy.yaml"
for batch in "crash abort fail slow" hang; do
	for mode in $batch; do
		for p in $plugins; do
			case $mode in hang) c="$conf" ;; slow) c="$T/slow.yaml" ;; *) c="$T/roomy.yaml" ;; esac
			( GRYM_CATALOG="$T/fault-$p-$mode.db" GRYM_FAULT="$p:$mode:target.wav" \
				timeout 120 "$GRYM" --config "$c" scan -j 1 "$fl" >"$T/fault-$p-$mode.out" 2>&1
			  echo $? >"$T/fault-$p-$mode.rc" ) &
		done
	done
	wait
done
for mode in crash abort hang fail slow; do
	for p in $plugins; do
		rc=$(cat "$T/fault-$p-$mode.rc")
		case $mode in
		crash|abort|hang) want_rc=1 ;;
		*) want_rc=0 ;;
		esac
		[ "$rc" -eq "$want_rc" ] && ok "GRYM_FAULT $p:$mode: the scan completes (exit $rc)" ||
			{ not_ok "GRYM_FAULT $p:$mode: exit $rc"; sed 's/^/# /' "$T/fault-$p-$mode.out" | tail -3; }
		GRYM_CATALOG="$T/fault-$p-$mode.db" g show --json "$fl/target.wav" >"$T/t.json" 2>/dev/null
		GRYM_CATALOG="$T/fault-$p-$mode.db" g ls --json >"$T/all.json" 2>/dev/null
		$py - "$p" "$mode" "$T/t.json" "$T/all.json" "$T/plugins.out" <<'EOF'
import json, re, sys
p, mode, tpath, apath, plist = sys.argv[1:6]
needs = {}
for line in open(plist):
    f = line.split()
    if len(f) > 3 and f[1].startswith("v"):
        needs[f[0]] = [] if f[3] == "-" else f[3].split(",")
def depends(q):        # q needs p, directly or not
    return any(n == p or depends(n) for n in needs.get(q, []))
t = json.load(open(tpath))
rows = json.load(open(apath))
msgs = []
if mode in ("crash", "abort", "hang"):
    want = {"crash": "crashed: SIGSEGV during " + p, "abort": "crashed: SIGABRT during " + p,
            "hang": "timed out after 2 s during " + p}[mode]
    if t["status"] != "failed" or t["error"] != want:
        msgs.append("target: %s %r, wanted failed %r" % (t["status"], t["error"], want))
else:
    if t["status"] != "ok":
        msgs.append("target: %s %r, wanted ok" % (t["status"], t["error"]))
    res = t.get("results") or []
    if not res:
        msgs.append("no plugin results stored")
    for r in res:
        if r["plugin"] == p:
            st, pat = ("failed", "injected failure") if mode == "fail" else ("timeout", "timed out")
            if r["status"] != st or not re.search(pat, r["error"] or ""):
                msgs.append("%s on region %d: %s %r" % (p, r["region"], r["status"], r["error"]))
        elif depends(r["plugin"]):
            if r["status"] != "skipped" or p not in (r["error"] or ""):
                msgs.append("dependent %s: %s %r" % (r["plugin"], r["status"], r["error"]))
        elif r["status"] != "ok":
            msgs.append("unrelated %s: %s" % (r["plugin"], r["status"]))
others = [r for r in rows if r["relpath"] != "target.wav"]
if len(others) != 2 or any(r["status"] != "ok" for r in others):
    msgs.append("other files: %r" % [(r["relpath"], r["status"]) for r in others])
print(("ok - " if not msgs else "not ok - ") + "GRYM_FAULT %s:%s: reason stored, dependents skipped, "
      "other files unaffected" % (p, mode))
for m in msgs:
    print("# " + m)
EOF
	done
done
# the other files' results are complete in one of the runs
p1=$(echo $plugins | cut -d' ' -f1)
GRYM_CATALOG="$T/fault-$p1-fail.db" g show --json "$fl/other1.wav" | $py -c "
import json,sys
d=json.load(sys.stdin); res=d['results']
assert res and all(r['status']=='ok' for r in res), res
print('ok - other files: every plugin ok on every region (%d results)' % len(res))" ||
	not_ok "other files' results"

# ---- concurrency: two scans writing, a reader and a tagger ------------------------
echo "# t=$SECONDS s: concurrency: two scans writing, a reader and a tagger"
export GRYM_CATALOG="$T/conc.db"
# The 2 s deadline above is for the hang cases; on a loaded machine a
# healthy file can take longer, which is not what this part tests.
printf 'scan:\n  job_timeout: 120\n' >"$conf"
cl="$T/conc"
mkdir -p "$cl/a" "$cl/b"
for i in $(seq 1 8); do
	"$mk" "$cl/a/x$i.wav" wav16 22050 1 1 $((100 + i)) &&
		"$mk" "$cl/b/y$i.flac" flac16 22050 1 1 $((200 + i)) || not_ok "fixture"
done
# the catalog exists before the readers start (reading a catalog that
# does not exist yet is an error, not a race)
mkdir -p "$T/empty"
g scan -q "$T/empty" >/dev/null 2>&1
g scan -j 1 "$cl" >"$T/c1.out" 2>&1 &
s1=$!
g scan -j 1 "$cl/b" "$cl/a" >"$T/c2.out" 2>&1 &
s2=$!
busy() { kill -0 $s1 2>/dev/null || kill -0 $s2 2>/dev/null; }
( n=0; while busy; do
	g ls >/dev/null 2>>"$T/reader.err" || echo "ls failed" >>"$T/reader.err"
	g ls --json 'format:flac' >/dev/null 2>>"$T/reader.err" || echo "ls failed" >>"$T/reader.err"
	n=$((n + 1))
  done; echo "$n" >"$T/reader.n" ) &
r=$!
( n=0; while busy; do
	id=$(g ls --json 2>/dev/null | $py -c 'import json,sys; d=json.load(sys.stdin); print(d[0]["id"] if d else "")')
	if [ -n "$id" ]; then
		g tag "$id" +busy >/dev/null 2>>"$T/tagger.err" || echo "tag failed" >>"$T/tagger.err"
		g tag "$id" -busy >/dev/null 2>>"$T/tagger.err" || echo "tag failed" >>"$T/tagger.err"
	fi
	n=$((n + 1))
	sleep 0.05
  done; echo "$n" >"$T/tagger.n" ) &
tg=$!
wait $s1 $s2 $r $tg
echo "# reader ran $(cat "$T/reader.n") rounds, tagger $(cat "$T/tagger.n")"
[ ! -s "$T/reader.err" ] && ok "concurrency: the reader never failed" ||
	{ not_ok "concurrency: reader errors"; sed 's/^/# /' "$T/reader.err" | head -3; }
[ ! -s "$T/tagger.err" ] && ok "concurrency: the tagger never failed" ||
	{ not_ok "concurrency: tagger errors"; sed 's/^/# /' "$T/tagger.err" | head -3; }
if grep -qi 'locked' "$T/c1.out" "$T/c2.out" "$T/reader.err" "$T/tagger.err" 2>/dev/null; then
	not_ok "concurrency: 'database is locked' reached a user"
else
	ok "concurrency: no 'database is locked' anywhere"
fi
[ "$(nfiles files)" = 16 ] && [ "$(nfiles failed)" = 0 ] &&
	ok "concurrency: the final catalog has all 16 files analysed" ||
	{ not_ok "concurrency: $(nfiles files) files, $(nfiles failed) failed"
	  g ls --json status:failed | $py -c 'import json,sys
for f in json.load(sys.stdin): print("#", f["relpath"], f["error"])'; }
a1=$(sed -n 's/^grym scan: \([0-9]*\) analysed.*/\1/p' "$T/c1.out")
a2=$(sed -n 's/^grym scan: \([0-9]*\) analysed.*/\1/p' "$T/c2.out")
[ $((a1 + a2)) -eq 16 ] && ok "concurrency: each file analysed once ($a1 + $a2)" ||
	not_ok "concurrency: analysed $a1 + $a2"
integrity "$GRYM_CATALOG" && ok "concurrency: integrity_check ok" || not_ok "concurrency: integrity"
finish
