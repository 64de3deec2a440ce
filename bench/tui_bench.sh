#!/usr/bin/env bash
# bench/tui_bench.sh [BUILD_DIR] - the browser's responsiveness on a
# synthetic catalog (100 000 files by default): time to the first full
# frame, and keypress-to-redraw for scrolling, filtering and opening files.
#
# It drives `grym tui --bench FILE` in a private tmux server at 160x48 and
# reads the frame log the app writes:
#   first_frame MS            start of tui_run to the first frame showing rows
#   first_frame_since_exec MS process start to that frame (10 ms resolution)
#   first_complete MS         ... to the frame with the count and the first
#                             file's detail as well
#   key KIND MS               keypress to the finished redraw
#   ready KIND MS             keypress to the frame showing the loader's
#                             answer (rows of a new filter, a file's detail)
# Targets (issue 6): first frame < 150 ms, key -> frame < 16 ms median.
#
# Environment: TUI_BENCH_FILES (100000), TUI_BENCH_CATALOG (reuse a catalog
# made by tui_catgen instead of generating one).
set -eu
build=${1:-build/rel}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
grym="$root/$build/grym"
gen="$root/$build/tools/tui_catgen"
n=${TUI_BENCH_FILES:-100000}
work=$(mktemp -d "${TMPDIR:-/tmp}/grym-tui-bench.XXXXXX")
sock="grym-bench-$$"
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"; rm -rf "$work"' EXIT

[ -x "$grym" ] && [ -x "$gen" ] || { echo "build first: make BUILD=$build test-build" >&2; exit 1; }
cat=${TUI_BENCH_CATALOG:-}
if [ -z "$cat" ]; then
	cat="$work/catalog.db"
	t0=$(date +%s.%N)
	"$gen" "$cat" "$n" >/dev/null
	printf 'generated %d files in %.1f s\n' "$n" "$(echo "$(date +%s.%N) - $t0" | bc)"
fi
log="$work/frames.log"
mkdir -p "$work/data" "$work/cfg"
tm new-session -d -x 160 -y 48 "env TERM=xterm-256color LANG=C.UTF-8 \
	XDG_DATA_HOME='$work/data' XDG_CONFIG_HOME='$work/cfg' '$grym' --catalog '$cat' tui \
	--bench '$log' --log '$work/tui.log'; sleep 600"
for _ in $(seq 1 100); do grep -q '^first_frame ' "$log" 2>/dev/null && break; sleep 0.05; done
sleep 1.5    # let the count and the status poll settle

keys() { tm send-keys "$@"; }
# scrolling: single rows, then pages (each key measured on its own)
for _ in $(seq 1 150); do keys j; sleep 0.03; done
for _ in $(seq 1 30); do keys pgdn; sleep 0.08; done
keys G; sleep 1.5; keys g; sleep 0.5
# filtering: type queries a character at a time (each keystroke re-queries)
for q in percussion 'bpm:100..120' 'class:music key:Am' '000123'; do
	keys /
	for ((i = 0; i < ${#q}; i++)); do keys -l "${q:i:1}"; sleep 0.25; done
	keys Enter; sleep 0.3; keys / C-u Enter; sleep 0.6
done
# opening files: focus the detail pane, then next file with n
keys Enter; sleep 0.3
for _ in $(seq 1 40); do keys n; sleep 0.12; done
keys q
sleep 0.5

stats() { # KIND TYPE
	grep "^$2 $1 " "$log" | awk '{print $3}' | sort -n | awk '
		{ v[NR] = $1 }
		END { if (NR == 0) { print "    (none)"; exit }
		      m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      p = v[int(NR * 0.95 + 0.999)]; if (p == "") p = v[NR]
		      printf "    n=%-4d median %7.2f ms   p95 %7.2f ms   max %7.2f ms\n", NR, m, p, v[NR] }'
}
echo "catalog: $(basename "$cat"), $n files; terminal 160x48"
grep '^first_' "$log" | sed 's/^/  /; s/$/ ms/'
for k in scroll filter open; do
	echo "  $k: keypress -> redraw"
	stats "$k" key
	echo "  $k: keypress -> loader's answer on screen"
	stats "$k" ready
done
