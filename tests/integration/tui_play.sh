#!/usr/bin/env bash
# tests/integration/tui_play.sh - audition and export from the browser,
# driven in tmux: space plays the selected region through the real
# PortAudio -> ALSA path into a recording (the `file` plugin and
# tests/tools/pacer, as in play.sh) that must hold the region's samples;
# the status line says playing, then nothing; the playhead moves along
# the timeline; ] jumps regions while playing; with no device the status
# line gives the reason and the browser keeps working; e writes the
# selected region (and Tab e the filtered set) at the right length.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8
B=$GRYM_BUILD
unset GRYM_DEBUG

if ! command -v tmux >/dev/null; then
	not_ok "tmux is installed (scripts/deps.sh)"
	finish
fi
mkdir -p "$T/lib" "$T/home" "$T/data" "$T/cfg"
CAT="$T/catalog.db"
if ! "$B/tools/playfix" "$T/lib" "$CAT" >"$T/fix.sh" 2>"$T/fix.err"; then
	not_ok "fixtures"; cat "$T/fix.err"; finish
fi
. "$T/fix.sh"

# The device: default PCM -> file plugin -> pacer at 44.1 kHz (8 bytes a
# frame) -> $T/rec.raw; the pacer writes $T/rec.stats when the player
# closes the device (3 s after the last sound).
cat >"$T/dev.conf" <<EOF
pcm.!default {
	type file
	slave.pcm "nullpcm"
	file "|exec $B/tools/pacer $T/rec.raw $((44100 * 8)) $T/rec.stats"
	format "raw"
}
pcm.nullpcm {
	type null
}
EOF
# no device: the default PCM is a card that is not there (see play.sh)
printf 'pcm.!default {\n\ttype hw\n\tcard 9\n}\n' >"$T/none.conf"
# gain 1 so the recording can be compared sample for sample
printf 'play:\n  level_match: false\n  volume: 1\n' >"$T/grym.yaml"

NSRV=0
SOCK="grym-play-$$-0"
cleanup() {
	for ((i = 0; i <= NSRV; i++)); do tmux -L "grym-play-$$-$i" kill-server 2>/dev/null; done
	rm -rf "$T"
}
trap cleanup EXIT

# start ALSA_CONF: a fresh tmux server running the browser (then a shell)
start() {
	tm kill-server 2>/dev/null
	NSRV=$((NSRV + 1))
	SOCK="grym-play-$$-$NSRV"
	rm -f "$T/exit"
	tm new-session -d -x 100 -y 30 \
		"cd '$T'; env TERM=xterm-256color LANG=C.UTF-8 HOME='$T/home' XDG_DATA_HOME='$T/data' \
		 XDG_CONFIG_HOME='$T/cfg' ALSA_CONFIG_PATH='$1' \"$GRYM\" --config '$T/grym.yaml' \
		 --catalog '$CAT' tui --log '$T/tui.log'; echo \$? > exit; exec sleep 600"
	tm set-option -g status off >/dev/null
}
status_line() { screen | sed -n 29p; }
# column of the playhead bar on the timeline, empty when not drawn
playhead_col() { screen | python3 -c '
import sys
for l in sys.stdin:
    if "\u2503" in l:
        print(l.find("\u2503")); break'; }

# number of the region table's cursor row (on the cursor's background)
cursor_row() { tm capture-pane -p -e | python3 -c '
import re, sys
for l in sys.stdin:
    m = re.match(r"((?:\x1b\[[0-9;]*m)*) +([0-9]+) +[0-9.:]+s ", l)
    if m and "48;" in m.group(1):
        print(m.group(2)); break'; }

# ---- space plays the selected region ------------------------------------------
start "$T/dev.conf"
expect "browser shows the scanned file" "regions.flac"
keys Enter
expect "Enter focuses the detail pane" "[detail]"
[ "$(cursor_row)" = 1 ] && ok "region 1 is selected" || not_ok "region 1 is selected ($(cursor_row))"
keys space
expect "the status line says playing" "/ 1.0s region 1 vol 100%" 3
# the playhead moves right along the timeline while the region plays
# (polled: on a loaded machine the 1 s region may be half over before the
# first capture, so any later column right of the first one counts)
c1=$(playhead_col); c2=""
for _ in 1 2 3 4 5 6 7 8 9 10; do
	sleep 0.05; c=$(playhead_col)
	[ -n "$c" ] || break
	[ -n "$c1" ] && [ "$c" -gt "$c1" ] && { c2=$c; break; }
done
if [ -n "$c1" ] && [ -n "$c2" ] && [ "$c2" -gt "$c1" ]; then
	ok "playhead moves along the timeline ($c1 -> $c2)"
else not_ok "playhead moves along the timeline ($c1 -> $c2)"; screen | sed 's/^/# /'; fi
stopped() { ! status_line | grep -q playing && [ -z "$(playhead_col)" ]; }
for _ in $(seq 60); do stopped && break; sleep 0.05; done
stopped && ok "after the region the status line is idle again" ||
	{ not_ok "status line idle after the region"; screen | sed 's/^/# /'; }
for _ in $(seq 100); do [ -s "$T/rec.stats" ] && break; sleep 0.05; done
set -- $R0
if "$B/tools/playcmp" "$T/rec.raw" "$T/lib/regions.flac" 44100 "$1" "$2" 1 1 1e-6 >"$T/cmp" 2>&1
then ok "the device received region 1's samples, sample for sample"
else not_ok "the device received region 1's samples"; sed 's/^/# /' "$T/cmp" "$T/tui.log"; fi

# ---- ] while playing, loop, volume, stop -----------------------------------
keys L
expect "L turns looping on" "loop on"
keys '('
expect "( lowers the volume" "volume 90%"
keys space
sleep 0.3
keys ']'
expect "] while playing jumps to the next region" "region 2 loop" 3
[ "$(cursor_row)" = 2 ] && ok "the region table's selection follows the player" ||
	{ not_ok "the region table's selection follows the player ($(cursor_row))"; screen | sed 's/^/# /'; }
keys space
for _ in $(seq 40); do stopped && break; sleep 0.05; done
stopped && ok "space on what plays stops it" || { not_ok "space stops"; screen | sed 's/^/# /'; }
keys L

# ---- export -------------------------------------------------------------------
frames() { python3 - "$1" <<'EOF'
import struct, sys
d = open(sys.argv[1], 'rb').read()
# RIFF chunks: fmt (block align at +12) and data (its size)
i, align, size = 12, 0, -1
while i + 8 <= len(d):
    cid, n = d[i:i+4], struct.unpack('<I', d[i+4:i+8])[0]
    if cid == b'fmt ':
        align = struct.unpack('<H', d[i+20:i+22])[0]
    elif cid == b'data':
        size = n
        break
    i += 8 + n + (n & 1)
print(size // align if align else -1)
EOF
}
keys ':' 'loop off' Enter
keys g e
expect "e exports the selected region" "1 file written to $T/home/grym-export" 5
out=$(ls "$T/home/grym-export"/*.wav 2>/dev/null | head -1)
set -- $R0
want=$(awk -v s="$1" -v e="$2" 'BEGIN { printf "%d", (e - s) * 44100 + 0.5 }')
got=$([ -n "$out" ] && frames "$out")
if [ -n "$got" ] && [ "$got" -ge $((want - 1)) ] && [ "$got" -le $((want + 1)) ]; then
	ok "the exported region has its length ($got frames)"
else not_ok "exported region length ($got, wanted $want, file '$out')"; fi
keys e
expect "exporting it again does not overwrite" ":export! replaces" 5
mkdir -p "$T/set"
keys Tab ':' "export $T/set" Enter
expect ":export DIR with the list focused writes the filtered set" "1 file written to $T/set" 5
got=$(frames "$T/set/regions.wav" 2>/dev/null)
src=$(python3 -c 'import sys; print(int(4.5 * 44100))')
[ -n "$got" ] && [ "$got" -eq "$src" ] && ok "the exported file is whole ($got frames)" ||
	not_ok "exported file length ($got, wanted $src)"
keys q
for _ in $(seq 100); do [ -s "$T/exit" ] && break; sleep 0.05; done
[ "$(cat "$T/exit" 2>/dev/null)" = 0 ] && ok "q exits 0 after playing and exporting" ||
	not_ok "q exit status ($(cat "$T/exit" 2>/dev/null))"

# ---- no device -------------------------------------------------------------------
start "$T/none.conf"
expect "browser starts without a device" "regions.flac"
keys Enter space
expect "no device: the status line says why" "no audio output device" 5
keys '?'
expect "the browser still responds" "focus-detail"
keys Escape ':' 'volume 0.5' Enter
expect "and its command line works" "volume 50%"
keys q
for _ in $(seq 100); do [ -s "$T/exit" ] && break; sleep 0.05; done
[ "$(cat "$T/exit" 2>/dev/null)" = 0 ] && ok "q exits 0 without a device" ||
	not_ok "q exit status without a device"
if grep -qE 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$T/tui.log" 2>/dev/null; then
	not_ok "no sanitizer reports in the browser's log"; grep -m5 -E 'ERROR|runtime' "$T/tui.log" | sed 's/^/# /'
else
	ok "no sanitizer reports in the browser's log"
fi
finish
