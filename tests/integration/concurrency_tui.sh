#!/usr/bin/env bash
# tests/integration/concurrency_tui.sh - the browser open on a catalog
# while two `grym scan` processes write to it (40 generated files each, one
# worker each) and a third process runs `grym ls` in a loop.  Checks: no
# "database is locked" / "busy" text reaches any stderr, the browser's log
# or its screen; the browser answers key presses while the scans run (the
# help overlay opens and closes, round after round, each within a deadline);
# it picks up the new files as they land (its file count moves during the
# scans and ends at 80); every file is analysed exactly once; the catalog
# passes PRAGMA integrity_check; q still exits cleanly.
# All waits poll with generous deadlines (ASan builds, a loaded 2-core host).
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8
py=/usr/bin/python3

if ! command -v tmux >/dev/null || ! command -v sqlite3 >/dev/null; then
	not_ok "tmux and sqlite3 are installed (scripts/deps.sh)"
	finish
fi
mk="$GRYM_BUILD/tools/scan_fixture"
N=40                   # files per scan
# seconds per file: long enough that the scans outlast several of the
# browser's one-second change polls even on a fast, idle machine (with 2 s
# files the scans took 1 s there and no intermediate count was seen)
SECS=12
KEY_DEADLINE=${KEY_DEADLINE:-8}   # s for the browser to answer one key
SOCK="grym-conc-$$"
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
cleanup() {
	for p in ${s1:-} ${s2:-} ${rd:-}; do kill "$p" 2>/dev/null; done
	tm kill-server 2>/dev/null
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"
	chmod -R u+rwx "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
g() { "$GRYM" "$@"; }
nfiles() { g stats --json | $py -c "import json,sys; d=json.load(sys.stdin); print(d['$1'])"; }

# ---- fixtures: two folders of N files of SECS seconds (each has regions) ----
t0=$SECONDS
mkdir -p "$T/lib/a" "$T/lib/b" "$T/empty" "$T/home" "$T/cfg" "$T/data"
gen() { # DIR PREFIX FORMAT SEED0
	for i in $(seq 1 $N); do
		"$mk" "$1/$2$i.$3" "$([ "$3" = wav ] && echo wav16 || echo flac16)" 22050 1 $SECS $(($4 + i)) ||
			return 1
	done
}
gen "$T/lib/a" x wav 100 & ga=$!
gen "$T/lib/b" y flac 500 & gb=$!
wait $ga && wait $gb || { not_ok "generate fixtures"; finish; }
echo "# fixtures: $((2 * N)) files in $((SECONDS - t0)) s"
# the catalog exists before the readers start (reading a catalog that does
# not exist yet is an error, not a race)
g scan -q "$T/empty" >/dev/null 2>&1 || { not_ok "create the catalog"; finish; }

# ---- the browser ---------------------------------------------------------------
tm new-session -d -x 100 -y 30 \
	"cd '$T'; env TERM=xterm-256color LANG=C.UTF-8 HOME='$T/home' XDG_DATA_HOME='$T/data' \
	 XDG_CONFIG_HOME='$T/cfg' '$GRYM' --catalog '$GRYM_CATALOG' tui --log '$T/tui.log'; \
	 echo \$? > exit; echo SHELL-PROMPT-BACK; exec sleep 600"
tm set-option -g status off >/dev/null
: >"$T/screens"
# every screen looked at is kept, to search it for "locked" afterwards
screen() { tm capture-pane -p | tee -a "$T/screens"; }
# wait_for TEXT SECONDS: until the pane shows TEXT (fixed string)
wait_for() {
	local end=$((SECONDS + $2))
	while [ $SECONDS -le $end ]; do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	return 1
}
# wait_gone TEXT SECONDS: until the pane no longer shows TEXT
wait_gone() {
	local end=$((SECONDS + $2))
	while [ $SECONDS -le $end ]; do
		screen | grep -qF -- "$1" || return 0
		sleep 0.05
	done
	return 1
}
# the file count on the status line ("catalog.db | 12 files")
shown_count() { screen | sed -n 's/.*catalog\.db | \([0-9]*\) files.*/\1/p' | head -1; }
if wait_for "catalog.db | 0 files" 20; then ok "the browser opens on the empty catalog"; else
	not_ok "the browser opens on the empty catalog"; screen | sed 's/^/# /'; finish; fi

# ---- two scans and a reader, all at once --------------------------------------
t0=$SECONDS
g scan -j 1 "$T/lib/a" >"$T/c1.out" 2>"$T/c1.err" &
s1=$!
g scan -j 1 "$T/lib/b" >"$T/c2.out" 2>"$T/c2.err" &
s2=$!
scanning() { kill -0 $s1 2>/dev/null || kill -0 $s2 2>/dev/null; }
( n=0; while scanning; do
	g ls >/dev/null 2>>"$T/reader.err" || echo "ls failed" >>"$T/reader.err"
	g ls --json 'format:flac' >/dev/null 2>>"$T/reader.err" || echo "ls --json failed" >>"$T/reader.err"
	n=$((n + 1))
  done; echo "$n" >"$T/reader.n" ) &
rd=$!

# Meanwhile: open and close the help overlay, round after round, and note
# every file count the status line shows.
rounds=0 slow=0 worst=0 counts=""
while scanning; do
	c=$(shown_count)
	[ -n "$c" ] && counts="$counts $c"
	t=$(date +%s%N)
	tm send-keys '?'
	if ! wait_for "focus-detail" "$KEY_DEADLINE"; then
		slow=$((slow + 1)); echo "# round $rounds: help did not open within $KEY_DEADLINE s"
		screen | sed 's/^/#   /' | head -8
	fi
	tm send-keys Escape
	if ! wait_gone "focus-detail" "$KEY_DEADLINE"; then
		slow=$((slow + 1)); echo "# round $rounds: help did not close within $KEY_DEADLINE s"
	fi
	ms=$((($(date +%s%N) - t) / 1000000))
	[ $ms -gt $worst ] && worst=$ms
	rounds=$((rounds + 1))
done
wait $s1; r1=$?
wait $s2; r2=$?
wait $rd
echo "# scans took $((SECONDS - t0)) s; $rounds key rounds (worst open+close $worst ms);" \
	"reader ran $(cat "$T/reader.n") rounds; counts seen:$counts"
[ $r1 -eq 0 ] && [ $r2 -eq 0 ] && ok "both scans succeed" ||
	{ not_ok "scan exit $r1 / $r2"; sed 's/^/# /' "$T/c1.err" "$T/c2.err" | head -5; }
[ $rounds -ge 1 ] && [ $slow -eq 0 ] &&
	ok "the browser answered every key press during the scans ($rounds rounds, worst $worst ms)" ||
	not_ok "the browser was slow: $slow of $((2 * rounds)) key presses unanswered within $KEY_DEADLINE s"
[ ! -s "$T/reader.err" ] && ok "grym ls never failed during the scans" ||
	{ not_ok "grym ls errors"; sed 's/^/# /' "$T/reader.err" | head -3; }
# the count moved while the scans ran: seen between 0 and the total
moving=$(echo "$counts" | tr ' ' '\n' | awk -v t=$((2 * N)) '$1 > 0 && $1 < t' | sort -u | wc -l)
[ "$moving" -ge 1 ] && ok "the browser showed files arriving during the scans ($moving counts)" ||
	not_ok "the browser showed no intermediate count (seen:$counts)"
if wait_for "catalog.db | $((2 * N)) files" 15; then
	ok "the browser picks up all $((2 * N)) files"
else
	not_ok "the browser shows $(shown_count) files, not $((2 * N))"
fi

# ---- no lock error anywhere ------------------------------------------------------
if grep -qiE 'locked|busy' "$T/c1.out" "$T/c1.err" "$T/c2.out" "$T/c2.err" "$T/reader.err" \
	"$T/tui.log" "$T/screens" 2>/dev/null; then
	not_ok "'database is locked' / busy reached the user"
	grep -hiE 'locked|busy' "$T/c1.err" "$T/c2.err" "$T/reader.err" "$T/tui.log" "$T/screens" |
		head -3 | sed 's/^/# /'
else
	ok "no 'locked' or 'busy' in the scans' and reader's output, the browser's log or screen"
fi

# ---- the final catalog --------------------------------------------------------------
[ "$(nfiles files)" = $((2 * N)) ] && [ "$(nfiles failed)" = 0 ] &&
	ok "stats: $((2 * N)) files, none failed" ||
	not_ok "stats: $(nfiles files) files, $(nfiles failed) failed"
g ls --json >"$T/all.json"
$py - "$T/all.json" $((2 * N)) <<'PY' && ok "ls --json: every file once, each analysed" || not_ok "ls --json"
import json, sys
d = json.load(open(sys.argv[1]))
paths = [f["relpath"] for f in d]
assert len(paths) == int(sys.argv[2]) == len(set(paths)), (len(paths), len(set(paths)))
bad = [f["relpath"] for f in d if f.get("status") != "ok"]
assert not bad, bad[:3]
PY
a1=$(sed -n 's/^grym scan: \([0-9]*\) analysed.*/\1/p' "$T/c1.out" "$T/c1.err" | head -1)
a2=$(sed -n 's/^grym scan: \([0-9]*\) analysed.*/\1/p' "$T/c2.out" "$T/c2.err" | head -1)
# the scans share the catalog's job queue: either may analyse the other's
# files, but together each file exactly once
[ $((${a1:-0} + ${a2:-0})) -eq $((2 * N)) ] && ok "the two scans analysed each file once ($a1 + $a2)" ||
	not_ok "analysed ${a1:-?} + ${a2:-?}, wanted $((2 * N)) in all"
[ "$(sqlite3 "file:$GRYM_CATALOG?mode=ro" 'PRAGMA integrity_check' 2>&1)" = ok ] &&
	ok "integrity_check ok" || not_ok "integrity_check"

# ---- the browser still quits cleanly --------------------------------------------
tm send-keys q
if wait_for SHELL-PROMPT-BACK 10 && [ "$(cat "$T/exit" 2>/dev/null)" = 0 ]; then
	ok "q exits the browser with status 0"
else
	not_ok "q exit ($(cat "$T/exit" 2>/dev/null))"
fi
if grep -qE 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$T/tui.log" 2>/dev/null; then
	not_ok "no sanitizer reports in the browser's log"
else
	ok "no sanitizer reports in the browser's log"
fi
finish
