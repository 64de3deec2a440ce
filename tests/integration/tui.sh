#!/usr/bin/env bash
# tests/integration/tui.sh - drive the browser in tmux (a private server,
# fixed sizes, send-keys, capture-pane) on a generated catalog: startup,
# filter, detail vs `grym show --json`, resize, hostile names, tags,
# audition and export failing cleanly, changes by another process, mouse,
# and terminal restore on q, SIGTERM and SIGINT.  Audition and export that
# work are in tui_play.sh.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8   # grep and awk count characters, not bytes

if ! command -v tmux >/dev/null; then
	not_ok "tmux is installed (scripts/deps.sh)"
	finish
fi
GEN="$GRYM_BUILD/tools/tui_catgen"
CAT="$T/cat.db"
"$GEN" "$CAT" 300 --hostile >/dev/null || { not_ok "generate catalog"; finish; }

# A fresh private server (socket) per start: reusing a socket name right
# after kill-server races with the dying server.
NSRV=0
SOCK="grym-test-$$-0"
cleanup() {
	for ((i = 0; i <= NSRV; i++)); do tmux -L "grym-test-$$-$i" kill-server 2>/dev/null; done
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/grym-test-$$-"*
	chmod -R u+rwx "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
mkdir -p "$T/data" "$T/cfg" "$T/home"
# no sound card (see play.sh): audition fails cleanly, nothing probes the host's
printf 'pcm.!default {\n\ttype hw\n\tcard 9\n}\n' >"$T/none.conf"

# start W H [ARGS]: a fresh server whose pane runs grym, then a shell.
# Records the terminal state before and after, and grym's pid and status.
start() {
	tm kill-server 2>/dev/null
	NSRV=$((NSRV + 1))
	SOCK="grym-test-$$-$NSRV"
	rm -f "$T/pid" "$T/stty.before" "$T/stty.after" "$T/exit"
	tm new-session -d -x "$1" -y "$2" \
		"cd '$T'; stty -g > stty.before; env TERM=xterm-256color LANG=C.UTF-8 HOME='$T/home' ALSA_CONFIG_PATH='$T/none.conf' \
		 XDG_DATA_HOME='$T/data' \
		 XDG_CONFIG_HOME='$T/cfg' sh -c 'echo \$\$ > pid; exec \"$GRYM\" --catalog \"$CAT\" tui \
		 --log \"$T/tui.log\" ${3:-}'; echo \$? > exit; stty -g > stty.after; \
		 echo SHELL-PROMPT-BACK; exec sleep 600"
	tm set-option -g status off >/dev/null
}
# eventually NAME COMMAND...: passes once COMMAND succeeds (within 5 s)
eventually() {
	local name=$1 i; shift
	for ((i = 0; i < 100; i++)); do
		"$@" && { ok "$name"; return; }
		sleep 0.05
	done
	not_ok "$name"; screen | sed 's/^/# /'
}

# layout_ok W H: every line fits, the header is on top, the separator,
# the status line and the hint line are where they belong.
layout_ok() {
	local w=$1 h=$2 s
	s=$(screen)
	[ "$(printf '%s\n' "$s" | wc -l)" -eq "$h" ] || return 1
	[ "$(printf '%s\n' "$s" | wc -L)" -le "$w" ] || return 1
	printf '%s\n' "$s" | sed -n 1p | grep -q '^name .* dur .* class' || return 1
	printf '%s\n' "$s" | sed -n "$((h - 1))p" | grep -q 'cat.db | 301 files' || return 1
	printf '%s\n' "$s" | grep -qE '^(── (\[detail\]|detail) ──|.*│)' || return 1
	return 0
}

# ---- startup -------------------------------------------------------------
start 100 30
expect "startup shows the list" "_000003.wav"
expect "status line counts the catalog" "cat.db | 301 files"
expect "first file's detail is drawn" "regions  tags: "

# ---- filter ----------------------------------------------------------------
keys / 000012
expect "filter counts its matches live" "1 match"
if screen | grep -q 'ambience_000024'; then not_ok "filter narrows the list"; else
	ok "filter narrows the list"; fi
keys C-u class:percussion
expect "filter by class" "of 301 files"
only_percussion() {
	local s; s=$(screen | sed -n '2,11p')
	[ "$(printf '%s\n' "$s" | grep -c 'percussion_')" -ge 5 ] &&
	[ "$(printf '%s\n' "$s" | grep -cE '^(ambience|speech|music|noise|effect|singing)_')" -eq 0 ]
}
eventually "class filter shows only percussion" only_percussion
keys C-u 'bpm:<x'
expect "malformed query: inline error with position" "at character 6"
keys Escape
expect "Esc restores the previous filter" "cat.db | 301 files"

# ---- detail vs grym show --json ---------------------------------------------
keys / ambience_000012 Enter Enter
expect "Enter focuses the detail pane" "[detail]"
expect "the filtered file's detail arrives" "6 regions  tags"
# start, length, class and loudness of each row of the region table
screen | awk '/^ +# +start +length/ { t = 1; next } t && /^ +[0-9]+ / { print $2, $3, $4, $NF }' >"$T/tui.starts"
nreg=$(wc -l <"$T/tui.starts")
if "$GRYM" help show >/dev/null 2>&1; then
	"$GRYM" --catalog "$CAT" show --json /gen/lib/ambience_000012.wav >"$T/show.json" 2>"$T/show.err"
	python3 - "$T/show.json" >"$T/show.starts" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
if isinstance(d, list):
    d = d[0]
regs = d.get("region_list", [])
def t(s):
    return "%.1fs" % s if s < 60 else "%d:%04.1f" % (int(s // 60), s - 60 * int(s // 60))
for r in regs:
    print(t(r["start"]), t(r["end"] - r["start"]), r["class"] or "-",
          "%.1f" % r["loudness"] if r["loudness"] is not None else "-")
EOF
	if [ "$nreg" -gt 0 ] && cmp -s "$T/tui.starts" "$T/show.starts"; then
		ok "detail regions match grym show --json"
	else
		not_ok "detail regions match grym show --json"
		paste "$T/tui.starts" "$T/show.starts" | sed 's/^/# /'
	fi
else
	ok "detail regions match grym show --json # SKIP grym show is not built in yet"
fi
[ "$nreg" -eq 6 ] && ok "region table lists the file's 6 regions" || not_ok "region table ($nreg rows)"
# the waveform is drawn from stored peaks (braille in UTF-8)
expect "waveform drawn with braille" "⣿"
# the selected region is the solid block run on the timeline
sel_col() { screen | python3 -c '
import sys
for l in sys.stdin:
    if "\u2586" in l or "\u2588" in l:
        print(l.find("\u2588")); break'; }
c0=$(sel_col)
keys ']' ']'
sleep 0.3
c2=$(sel_col)
if [ -n "$c0" ] && [ -n "$c2" ] && [ "$c0" -ge 0 ] && [ "$c2" -gt "$c0" ]; then
	ok "] moves the selected region along the timeline"
else
	not_ok "] moves the selected region along the timeline ($c0 -> $c2)"
fi
keys + + h
expect "zoom shows its factor" "zoom x4"
# the generated catalog's files do not exist: space and e say so (the
# real paths are in tui_play.sh), and the browser carries on
keys space
expect "space without a sound card says why" "no audio output device"
keys e
expect "e on a file that is not there says why" "1 of 1 failed (/gen/lib/ambience_000012.wav"
[ -z "$(ls "$T/home/grym-export" 2>/dev/null)" ] && ok "a failed export leaves no file" ||
	not_ok "a failed export leaves no file"
keys Tab

# ---- tags ---------------------------------------------------------------------
keys : 'tag +tuitest' Enter
expect "tag from the command line" "tags saved"
expect "tag shows in the list" "ambience,tuitest" 3

# ---- hostile names ------------------------------------------------------------
title_before=$(tm display -p '#{pane_title}')
keys / C-u evil Enter
expect "hostile name is shown escaped" 'evil\x1b[2J\x1b]0;pwned\x07\tname.wav'
title_after=$(tm display -p '#{pane_title}')
if [ "$title_after" = "$title_before" ] && screen | grep -q '^name '; then
	ok "escape sequences in a name do not reach the terminal"
else
	not_ok "escape sequences in a name reach the terminal (title '$title_after')"
fi
keys / C-u Enter

# ---- resize --------------------------------------------------------------------
tm resize-window -x 80 -y 24
eventually "layout intact at 80x24" layout_ok 80 24
tm resize-window -x 200 -y 60
eventually "layout intact at 200x60" layout_ok 200 60
tm resize-window -x 50 -y 12
expect "below the minimum size a clear message" "terminal too small: 50x12"
tm resize-window -x 100 -y 30
expect "back to the layout after growing" "cat.db | 301 files"

# ---- mouse: a click (xterm SGR report) selects the row under it ----------------
keys g
sleep 0.2
row4=$(screen | sed -n 5p | awk '{print $1}')
keys -l $'\e[<0;2;5M'    # button 1 press at column 2, row 5 (1-based)
keys -l $'\e[<0;2;5m'    # release
clicked_title() {
	local title
	title=$(screen | grep -A1 -E '^── (\[detail\]|detail)' | sed -n 2p | awk '{print $1}')
	[ -n "$row4" ] && [ "$title" = "$row4" ]
}
eventually "mouse click selects a row" clicked_title

# ---- another process changes the catalog ------------------------------------
"$GEN" "$CAT" 310 >/dev/null
expect "changes by another process appear within a second or two" "cat.db | 311 files" 3

# ---- themes -------------------------------------------------------------------
keys : 'theme high-contrast' Enter
expect ":theme switches theme" "theme high-contrast"
keys : 'theme no-such' Enter
expect "a missing theme says so and keeps working" "theme 'no-such' not found"

# ---- help overlay from the keymap -------------------------------------------
keys '?'
expect "help overlay lists the bindings" "focus-detail"
keys Escape

# ---- background scan ----------------------------------------------------------
mkdir -p "$T/music"
keys : "scan $T/music" Enter
expect "scan starts in the background" "in the background"
for i in $(seq 1 40); do [ -s "$T/data/grym/scan.log" ] && break; sleep 0.05; done
[ -e "$T/data/grym/scan.log" ] && ok "background scan writes its log" ||
	not_ok "background scan writes its log"

# ---- quitting restores the terminal -------------------------------------------
restored() { # NAME
	if wait_for SHELL-PROMPT-BACK 5 && [ "$(tm display -p '#{alternate_on}')" = 0 ] &&
	   [ "$(tm display -p '#{cursor_flag}')" = 1 ] && cmp -s "$T/stty.before" "$T/stty.after"
	then ok "$1"; else
		not_ok "$1"; screen | sed 's/^/# /'; fi
}
keys q
restored "q restores the terminal"
[ "$(cat "$T/exit" 2>/dev/null)" = 0 ] && ok "q exits with status 0" || not_ok "q exit status"

start 100 30
wait_for "cat.db | 311 files"
kill -TERM "$(cat "$T/pid")"
restored "SIGTERM restores the terminal"

start 100 30
wait_for "cat.db | 311 files"
kill -INT "$(cat "$T/pid")"
restored "SIGINT restores the terminal"

start 100 30 --ascii
expect "--ascii draws the timeline in ASCII" "====="
keys q
wait_for SHELL-PROMPT-BACK 5
# a file that is not a catalog: said in the list, and q still exits cleanly
good=$CAT
CAT="$T/garbage.db"
head -c 4096 /dev/urandom >"$CAT"
start 100 30
expect "an unreadable catalog is reported in the list" "not an SQLite catalog"
keys q
restored "q restores the terminal after a catalog error"
CAT=$good

check_status "without a terminal: a usage error, not a broken screen" 2 \
	"$GRYM" --catalog "$CAT" tui </dev/null
# the browser's stderr went to its log: sanitizers report there
if grep -qE 'ERROR: AddressSanitizer|runtime error:|LeakSanitizer' "$T/tui.log" 2>/dev/null; then
	not_ok "no sanitizer reports in the browser's log"; grep -m5 -E 'ERROR|runtime' "$T/tui.log" | sed 's/^/# /'
else
	ok "no sanitizer reports in the browser's log"
fi
finish
