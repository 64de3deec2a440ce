#!/usr/bin/env bash
# tests/integration/tui_similar.sh - the browser's `s` in tmux, on a small
# scanned library of generated sounds (sox): s lists the regions that
# sound like the selected file's first region in place of the file list,
# best first with scores (the file itself at 1.000, its quieter copy next),
# j moves through them, space auditions the selected region (no sound card
# here: it says why), e exports the selected region, :similar ASPECT
# searches by one aspect, and s, Esc and backspace each go back to the file
# list with the cursor where it was.
. "$(dirname "$0")/lib.sh"
export LC_ALL=C.UTF-8

for t in tmux sox; do
	command -v $t >/dev/null || { not_ok "$t is installed (scripts/deps.sh)"; finish; }
done
L="$T/lib"
mkdir -p "$L" "$T/home" "$T/data" "$T/cfg"
mk() { local out=$1; shift; sox -n -r 44100 -c 1 -b 16 "$out" "$@" pad 0.3 0.3; }
mk "$L/a_pink.wav" synth 1.5 pinknoise fade 0.02 1.5 0.05 vol 0.4
mk "$L/b_organ.wav" synth 1.5 sine 220 sine 440 sine 660 remix - fade 0.02 1.5 0.05 vol 0.5
mk "$L/c_square.wav" synth 1.5 square 330 fade 0.02 1.5 0.05 vol 0.3
mk "$L/d_organ_quiet.wav" synth 1.5 sine 220 sine 440 sine 660 remix - fade 0.02 1.5 0.05 vol 0.125
mk "$L/e_white.wav" synth 1.5 whitenoise fade 0.02 1.5 0.05 vol 0.2
CAT="$T/cat.db"
"$GRYM" --catalog "$CAT" scan -q "$L" >"$T/scan.out" 2>&1 || { not_ok "scan"; finish; }
printf 'pcm.!default {\n\ttype hw\n\tcard 9\n}\n' >"$T/none.conf"

NSRV=0
SOCK="grym-sim-$$-0"
cleanup() {
	for ((i = 0; i <= NSRV; i++)); do tmux -L "grym-sim-$$-$i" kill-server 2>/dev/null; done
	chmod -R u+rwx "$T" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
start() {
	tm kill-server 2>/dev/null
	NSRV=$((NSRV + 1))
	SOCK="grym-sim-$$-$NSRV"
	tm new-session -d -x 100 -y 30 \
		"cd '$T'; env TERM=xterm-256color LANG=C.UTF-8 HOME='$T/home' XDG_DATA_HOME='$T/data' \
		 XDG_CONFIG_HOME='$T/cfg' ALSA_CONFIG_PATH='$T/none.conf' \"$GRYM\" \
		 --catalog '$CAT' tui --log '$T/tui.log'; echo \$? > exit; exec sleep 600"
	tm set-option -g status off >/dev/null
}
# back_to_files NAME: the similar list goes and the file list's header shows
back_to_files() {
	local i
	for ((i = 0; i < 100; i++)); do
		if ! screen | grep -q 'score  like' && screen | sed -n 1p | grep -q '^name'; then
			ok "$1"; return
		fi
		sleep 0.05
	done
	not_ok "$1"; screen | sed 's/^/# /'
}
# the list rows (between the header and the pane separator)
list_rows() { screen | sed -n '2,8p'; }
cursor_on() { screen | sed -n '1,9p' | grep -F -- "$1" >/dev/null; }

# detail_is NAME: the detail pane shows NAME (the line under its separator)
detail_is() {
	local i
	for ((i = 0; i < 100; i++)); do
		screen | awk '/── (\[detail\]|detail) ──/ { getline; print; exit }' |
			grep -q -- "^$1" && return 0
		sleep 0.05
	done
	screen | sed 's/^/# /'
	return 1
}

start
expect "startup shows the files" "c_square.wav"
keys : "sort name" Enter    # scan order depends on the workers: sort by name
# wait until the list is in name order (on a loaded machine the sort can land
# after the next key otherwise)
for ((i = 0; i < 200; i++)); do
	list_rows | awk 'NF { print $1 }' | head -5 | paste -sd' ' |
		grep -q '^a_pink.wav b_organ.wav c_square.wav' && break
	sleep 0.05
done
detail_is a_pink.wav && ok "the first file's detail" || not_ok "the first file's detail"
keys j
detail_is b_organ.wav && ok "j: the second file's detail" || not_ok "j: the second file's detail"
keys s
expect "s shows what the regions are like" "score  like b_organ.wav #0"
expect "the file itself first, score 1.000" "1.000  b_organ.wav #0"
rows_ok() {
	local r; r=$(list_rows)
	[ "$(printf '%s\n' "$r" | grep -c ' #0')" -eq 5 ] &&
	printf '%s\n' "$r" | sed -n 2p | grep -q 'd_organ_quiet.wav #0'
}
if wait_for "d_organ_quiet.wav #0" && rows_ok; then ok "every region listed, the quieter copy second"
else not_ok "every region listed, the quieter copy second"; screen | sed 's/^/# /'; fi
scores_fall() {
	list_rows | awk '/ #0/ { if (NR > 1 && $1 > last + 1e-9) bad = 1; last = $1 } END { exit bad }'
}
if scores_fall; then ok "scores fall down the list"; else not_ok "scores fall down the list"; fi

# the second row: audition and export act on it
keys j
if detail_is d_organ_quiet.wav; then ok "j selects the next similar region (its detail)"
else not_ok "j selects the next similar region (its detail)"; screen | sed 's/^/# /'; fi
keys space
expect "space auditions it (no sound card here: says why)" "no audio output device"
keys e
expect "e exports the selected region" "1 file written to"
ls_out() { ls "$T/home/grym-export" 2>/dev/null; }
for ((i = 0; i < 100; i++)); do [ -n "$(ls_out)" ] && break; sleep 0.05; done
if ls_out | grep -q '^d_organ_quiet_01\.wav$' && [ "$(ls_out | wc -l)" -eq 1 ]; then
	ok "the export is that region"
else
	not_ok "the export is that region"; ls_out | sed 's/^/# /'
fi

# the ways back
keys s
back_to_files "s again: back to the file list"
keys s
expect "s once more (the cursor is still on the same file)" "score  like b_organ.wav #0"
keys Escape
back_to_files "Esc goes back to the file list"
keys s
expect "and s again" "score  like b_organ.wav #0"
keys BSpace
back_to_files "backspace goes back to the file list"
detail_is b_organ.wav && ok "the cursor is back on the second file" ||
	not_ok "the cursor is back on the second file"
keys j
detail_is c_square.wav && ok "j moves on to the third file" || not_ok "j moves on to the third file"
keys s
expect "s on the third file" "score  like c_square.wav #0"
keys : "similar pitch" Enter
expect ":similar ASPECT searches by that aspect" "score  like c_square.wav #0 (pitch)"
keys : "similar colour" Enter
expect "an unknown aspect says so" "no aspect 'colour'"
keys Escape
back_to_files "Esc goes back from there too"
detail_is c_square.wav && ok "to the same file" || not_ok "to the same file"
keys q
for ((i = 0; i < 100; i++)); do [ -f "$T/exit" ] && break; sleep 0.05; done
[ "$(cat "$T/exit" 2>/dev/null)" = 0 ] && ok "q quits cleanly" || not_ok "q quits cleanly"
finish
