#!/usr/bin/env bash
# catalog_cli.sh - grym ls / show / tag / rm / stats / doctor / roots on a
# synthetic catalog made by tests/tools/catgen (48 files, 120 regions,
# files created empty on disk so missing-file checks are real).
#
# catgen's layout: file i is lib/<dirs[i%5]>/<words[i%12]>_<i>.<ext>, with
# words kick(0) .. interview(8) ..; the first 24 files have 3 regions, the
# others 2; kick files carry the user tag "drums".
. "$(dirname "$0")/lib.sh"

g() { "$GRYM" "$@"; }
lines() { "$@" 2>/dev/null | wc -l | tr -d ' '; }
# same NAME WANT GOT
same() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1 (wanted '$2', got '$3')"; fi; }

check_status "ls without a catalog says so" 1 g ls
contains "ls without a catalog hints at scan" "$T/.err" "grym scan"

"$GRYM_BUILD/tools/catgen" "$GRYM_CATALOG" 48 120 --root "$T/lib" --touch >/dev/null ||
	not_ok "catgen built the catalog"

same "ls lists every file" 48 "$(lines g ls -p)"
same "ls free word" 4 "$(lines g ls kick -p)"
same "ls tag" 4 "$(lines g ls tag:drums -p)"
same "ls regions" 120 "$(lines g ls --regions -p)"
same "ls several words are one query" 1 "$(lines g ls kick drums/kick_000000 -p)"
same "ls --limit" 5 "$(lines g ls --limit 5 -p)"
same "ls -p prints absolute paths" "$T/lib/drums/kick_000000.wav" "$(g ls -p kick | head -1)"
g ls --json >"$T/ls.json"
check "ls --json is JSON with every field" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 48, len(rows)
need = {"id", "path", "duration", "class", "class_conf", "key", "bpm", "rate",
        "channels", "format", "status", "missing", "tags", "regions", "loudness"}
assert need <= set(rows[0]), need - set(rows[0])
kick = [r for r in rows if r["name"] == "kick_000000.wav"][0]
assert kick["tags"] == ["drums", "percussion"], kick["tags"]
' "$T/ls.json"
same "ls --csv has a header and a row per file" 49 "$(lines g ls --csv)"
g ls --regions --json 'class:speech' >"$T/reg.json"
check "ls --regions --json" python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
assert len(rows) == 10, len(rows)      # interview files 8, 20, 32, 44: 3+3+2+2
assert all(r["class"] == "speech" for r in rows)
' "$T/reg.json"

check_status "a query syntax error is a usage error" 2 g ls 'bpm:<x'
contains "the error names the character" "$T/.err" "at character 6: expected a number after 'bpm:<'"
contains "a caret points at it" "$T/.err" "       ^"
check_status "SQL in a query is just text" 0 g ls "x'; DROP TABLE files; --"
same "and matched nothing" 48 "$(lines g ls -p)"

g show 1 >"$T/show.txt"
contains "show prints the path" "$T/show.txt" "$T/lib/drums/kick_000000.wav"
contains "show prints regions" "$T/show.txt" "START"
contains "show prints tags" "$T/show.txt" "drums,percussion"
check "show by path" g show "$T/lib/drums/kick_000000.wav"
g show --json 1 >"$T/show.json"
check "show --json has regions and results" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["id"] == 1 and len(d["region_list"]) == 3, d.get("region_list")
assert len(d["results"]) == 15
assert d["region_list"][0]["tempo"] is None or "beats" in d["region_list"][0]["tempo"]
' "$T/show.json"
check_status "show of an unknown file fails" 1 g show "$T/nope.wav"

check "tag +name" g tag 1 +favourite
same "tagged file is found" 1 "$(lines g ls tag:favourite -p)"
check "tag -name" g tag 1 -favourite
same "untagged file is gone from the tag" 0 "$(lines g ls tag:favourite -p)"
g tag class:speech +spoken >"$T/tag.out"
contains "tag by query" "$T/tag.out" "tagged 4 files"
check "tag regions" g tag --regions 'file:1 idx:0' +hit
same "region tag found" 1 "$(lines g ls --regions tag:hit -p)"
check_status "a tag with control characters is refused" 2 g tag 1 $'+\e[31mred'

g rm 2 >"$T/rm.out"
contains "rm by id" "$T/rm.out" "removed 1 files"
same "rm removed it from the catalog" 47 "$(lines g ls -p)"
check "rm left the file on disk" test -e "$T/lib/music/loops/snare_000001.flac"
check_status "rm refuses an empty query" 2 g rm ""

g stats --json >"$T/stats.json"
check "stats --json counts" python3 -c '
import json, sys
s = json.load(open(sys.argv[1]))
assert s["files"] == 47 and s["regions"] == 117, s
assert s["classes"]["percussion"] == 11, s["classes"]   # kick/snare/hat minus one snare
assert s["db_bytes"] > 0
' "$T/stats.json"
g stats >"$T/stats.txt"
contains "stats text" "$T/stats.txt" "regions   117"

g doctor >"$T/doc.txt"
contains "doctor: integrity ok" "$T/doc.txt" "integrity: ok"
contains "doctor: nothing missing" "$T/doc.txt" "missing on disk: 0"
rm "$T/lib/fx/kick_000024.wav"
g doctor >"$T/doc.txt"
contains "doctor finds a file missing on disk" "$T/doc.txt" "missing on disk: 1"
same "ls status:missing" 1 "$(lines g ls status:missing -p)"
same "a missing file keeps its tags" 1 "$(lines g ls 'status:missing tag:drums' -p)"

g roots >"$T/roots.txt"
contains "roots lists the library" "$T/roots.txt" "$T/lib  47 files, 1 missing"
mv "$T/lib" "$T/moved"
g roots >"$T/roots.txt"
contains "roots notices a library that is gone" "$T/roots.txt" "not found"
check "roots move relinks" g roots move "$T/lib" "$T/moved"
same "paths follow the library" "$T/moved/drums/kick_000000.wav" "$(g ls -p kick | head -1)"
g doctor >"$T/doc.txt"
contains "after the move only the deleted file is missing" "$T/doc.txt" "missing on disk: 1"
same "ids and tags survive the move" 1 "$(lines g ls 'id:1 tag:drums' -p)"
check_status "roots move of an unknown root fails" 1 g roots move /no/where /else
finish
