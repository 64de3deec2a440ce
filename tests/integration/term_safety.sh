#!/usr/bin/env bash
# Terminal safety of the CLI: a file name, a tag and a decoder message
# carrying escape sequences (OSC title, clear screen, C1 CSI, BEL, CR, BS)
# never reach the terminal raw, from any command: scan (progress lines,
# progress bar on a pseudo-terminal, summary), ls, show, stats, doctor,
# tag, rm --dry-run, plugins.  Without a terminal the output may hold no
# control byte but newline; on a pseudo-terminal (script(1)) none of the
# hostile payloads may appear.
. "$(dirname "$0")/lib.sh"
mk="$GRYM_BUILD/tools/scan_fixture"
lib="$T/lib"
mkdir -p "$lib"
evil=$'e\x1b]0;pwned\x07\x1b[2J\r\bx\xc2\x9b31m\x9b'
"$mk" "$lib/$evil.wav" wav16 22050 1 2 1 &&
	"$mk" "$lib/ok.flac" flac16 22050 1 2 2 || { not_ok "fixtures"; finish; }
printf 'RIFF' >"$lib/bad-$evil.wav"
# a WAV whose chunk list holds an escape-laden chunk id before a truncated
# data chunk (libsndfile quotes chunk ids in its log, which reaches messages)
printf 'RIFF\x40\x00\x00\x00WAVE\x1b[2J\x04\x00\x00\x00abcdfmt \x10\x00\x00\x00\x01\x00\x01\x00\x22\x56\x00\x00\x44\xac\x00\x00\x02\x00\x10\x00' \
	>"$lib/chunk.wav"

# no control byte but \n in plain output; none of the payloads anywhere
clean() { # name file
	if LC_ALL=C grep -aq $'[\x01-\x09\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$2"; then
		not_ok "$1: raw control bytes"
		LC_ALL=C grep -an $'[\x01-\x09\x0b-\x1f\x7f]\|\xc2[\x80-\x9f]' "$2" | cat -v | head -3 | sed 's/^/# /'
	else
		ok "$1: no raw control byte"
	fi
}
payload_free() { # name file
	if LC_ALL=C grep -aq $'\x1b]0;pwned\|\x1b\\[2J\|\x07\|\xc2\x9b\|\x08' "$2"; then
		not_ok "$1: a hostile sequence reached the terminal"
	else
		ok "$1: no hostile sequence"
	fi
}

"$GRYM" scan -j 1 "$lib" >"$T/scan.out" 2>"$T/scan.err"
clean "scan summary" "$T/scan.out"
clean "scan progress and messages" "$T/scan.err"
grep -q 'failed: .*bad-e' "$T/scan.out" && ok "scan: the bad file is listed (escaped)" ||
	not_ok "scan: bad file not listed"
# the progress bar, drawn on a pseudo-terminal
if command -v script >/dev/null; then
	export GRYM_CATALOG="$T/tty.db"
	script -qec "$GRYM scan -j 1 $lib" /dev/null >"$T/tty.out" 2>&1 </dev/null
	payload_free "scan on a terminal (bar)" "$T/tty.out"
	export GRYM_CATALOG="$T/catalog.db"
else
	ok "script(1) missing: terminal bar not checked # SKIP"
fi

id=$("$GRYM" ls --json | python3 -c 'import json,sys; print([f["id"] for f in json.load(sys.stdin) if f["relpath"].startswith("e")][0])')
[ -n "$id" ] || { not_ok "evil file in the catalog"; finish; }
"$GRYM" tag "$id" "+t$evil" >"$T/tag.out" 2>&1
clean "tag with an evil name" "$T/tag.out"
"$GRYM" tag "$id" +plain >/dev/null 2>&1
for c in "ls" "ls --regions" "ls e" "show $id" "stats" "doctor" "plugins" "rm --dry-run $id" \
	"ls status:failed" "show chunk.wav"; do
	# shellcheck disable=SC2086
	"$GRYM" $c >"$T/cmd.out" 2>&1
	clean "grym $c" "$T/cmd.out"
done
"$GRYM" ls >"$T/ls.out" 2>&1
contains "ls shows the name escaped" "$T/ls.out" 'e\x1b]0;pwned\x07\x1b[2J\x0d\x08x'
"$GRYM" show "$lib/$evil.wav" >"$T/show2.out" 2>&1
clean "grym show PATH-with-escapes" "$T/show2.out"
"$GRYM" ls "nosuch$evil" >"$T/q.out" 2>&1
clean "grym ls with an evil query" "$T/q.out"
"$GRYM" ls "bpm:$evil" >"$T/q2.out" 2>&1
clean "grym ls: query error message" "$T/q2.out"
"$GRYM" analyze "$lib/$evil.wav" "$lib/bad-$evil.wav" >"$T/an.out" 2>&1
clean "grym analyze" "$T/an.out"
# JSON carries the exact bytes, escaped by JSON
"$GRYM" ls --json >"$T/ls.json" 2>&1
clean "grym ls --json" "$T/ls.json"
python3 -c "
import json,sys
rows=json.load(open('$T/ls.json'))
assert any('\x1b]0;pwned' in r['relpath'] for r in rows)
" && ok "ls --json keeps the exact name (JSON-escaped)" || not_ok "ls --json name"
finish
