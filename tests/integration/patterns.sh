#!/usr/bin/env bash
# Repeated sections and groups of like sounds: `grym analyze --json` finds
# a motif planted three times (tests/tools/pattern_fixture) at the planted
# times within 0.1 s and nothing in noise; the catalog keeps them (`grym
# show`, --json); `grym patterns` puts generated clicks together and tones
# together; --tag, `grym tag --accept` and `grym tag --rename` work, and
# an accepted name is not reused by the next --tag run.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
mk="$GRYM_BUILD/tools/pattern_fixture"

mkdir -p "$T/lib/shots"
"$mk" "$T/lib/motif.wav" motif >"$T/planted" || { not_ok "make the motif file"; finish; }
"$mk" "$T/lib/noise.wav" noise || { not_ok "make the noise file"; finish; }
"$mk" "$T/lib/calls.wav" calls || { not_ok "make the calls file"; finish; }
for i in 1 2 3 4; do
	"$mk" "$T/lib/shots/click$i.wav" click "$i" && "$mk" "$T/lib/shots/tone$i.wav" tone "$i" ||
		{ not_ok "make the one-shots"; finish; }
done

check "analyze --json the motif file" "$GRYM" analyze --json "$T/lib/motif.wav"
cp "$T/.out" "$T/motif.json"
check "the planted motif is one group at the planted times (within 0.1 s)" $py - \
	"$T/motif.json" $(cat "$T/planted") <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
at = [float(x) for x in sys.argv[2:5]]
ln = float(sys.argv[5])
occ = [p for r in d["regions"] for p in r["patterns"]]
assert occ, "no patterns"
g = [p for p in occ if p["group"] == occ[0]["group"]]
assert len(g) == 3, g
for p, a in zip(sorted(g, key=lambda p: p["start"]), at):
    assert abs(p["start"] - a) <= 0.1 and abs(p["end"] - (a + ln)) <= 0.1, (p, a)
    assert 0 < p["score"] <= 1, p
names = [u["name"] for u in d["regions"][0]["plugins"]]
assert "patterns" in names, names
PY
check "analyze --json the noise file" "$GRYM" analyze --json "$T/lib/noise.wav"
cp "$T/.out" "$T/noise.json"
check "noise has no patterns" $py -c "
import json; d = json.load(open('$T/noise.json'))
assert all(r['patterns'] == [] for r in d['regions']), d['regions']"

check "scan the library" "$GRYM" scan --quiet "$T/lib"
check "show the motif file" "$GRYM" show "$T/lib/motif.wav"
contains "show lists the repeated section" "$T/.out" "group 1: 3 x 1.5"
check "show --json the motif file" "$GRYM" show --json "$T/lib/motif.wav"
cp "$T/.out" "$T/show.json"
check "show --json carries the patterns" $py -c "
import json; d = json.load(open('$T/show.json'))
p = d['patterns']
assert len(p) == 3 and all(x['region'] == 0 and x['group'] == 0 for x in p), p
assert abs(p[0]['start'] - 2.0) <= 0.1 and abs(p[2]['start'] - 11.0) <= 0.1, p"

# a call repeated across silences: separate regions, shown as alike
check "show --json the calls file" "$GRYM" show --json "$T/lib/calls.wav"
cp "$T/.out" "$T/calls.json"
check "the three calls are alike regions, the noise and the tone are not" $py -c "
import json; d = json.load(open('$T/calls.json'))
starts = [r['start'] for r in d['region_list']]
assert len(starts) == 5, starts
calls = [i for i, t in enumerate(starts) if min(abs(t - c) for c in (0.5, 5.0, 9.5)) < 0.1]
assert calls == [0, 2, 4], starts
assert [sorted(g) for g in d['alike_regions']] == [calls], (d['alike_regions'], starts)"
check "show the calls file" "$GRYM" show "$T/lib/calls.wav"
contains "show names the alike regions" "$T/.out" "regions that sound alike: 0 2 4"

# groups of like sounds: the clicks together, the tones together
check "patterns --json over the one-shots" "$GRYM" patterns --json shots
cp "$T/.out" "$T/groups.json"
check "clicks together, tones together, each with a representative" $py - "$T/groups.json" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
assert d["regions"] == 8 and d["capped"] is False and d["vectors"] == "simvec", d
kinds = []
for g in d["groups"]:
    names = {os.path.basename(m["path"])[:4] for m in g["members"]}
    assert len(names) == 1, "mixed group %s" % names
    assert g["representative"]["region_id"] in [m["region_id"] for m in g["members"]]
    assert g["size"] == len(g["members"]) == 4, g
    assert all(0.5 <= m["score"] <= 1 for m in g["members"]), g
    kinds.append(names.pop())
assert sorted(kinds) == ["clic", "tone"], kinds
PY
check "patterns (text) over the one-shots" "$GRYM" patterns shots
contains "text names the groups" "$T/.out" "2 groups of like sounds among 8 regions"

# automatic tags, accepted and renamed
check "patterns --tag" "$GRYM" patterns --tag shots
"$GRYM" ls --regions -p tag:sound-01 >"$T/s1"
"$GRYM" ls --regions -p tag:sound-02 >"$T/s2"
[ "$(sort -u "$T/s1" | wc -l)" -eq 4 ] && [ "$(sort -u "$T/s2" | wc -l)" -eq 4 ] &&
	ok "each group's regions carry its tag" || not_ok "each group's regions carry its tag"
check "accept sound-01" "$GRYM" tag --accept sound-01
contains "accept says how many" "$T/.out" "accepted sound-01: 4"
check "rename sound-02" "$GRYM" tag --rename sound-02 other-kind
contains "rename says how many" "$T/.out" "renamed sound-02 to other-kind: 4"
check "patterns --tag again" "$GRYM" patterns --tag shots
"$GRYM" ls --regions -p tag:sound-01 >"$T/a1"
cmp -s <(sort "$T/s1") <(sort "$T/a1") && ok "the accepted tag stays on its regions" ||
	not_ok "the accepted tag stays on its regions"
"$GRYM" ls --regions -p tag:other-kind >"$T/ok2"
[ "$(sort -u "$T/ok2" | wc -l)" -eq 4 ] && ok "the renamed tag is on its regions" ||
	not_ok "the renamed tag is on its regions"
"$GRYM" ls --regions -p tag:sound-02,sound-03 >"$T/new"
[ "$(sort -u "$T/new" | wc -l)" -eq 8 ] &&
	ok "the next run names its groups past the accepted sound-01" ||
	{ not_ok "the next run names its groups past the accepted sound-01"; cat "$T/new"; }
# analysing again drops the automatic cluster tags, keeps the accepted and renamed
check "scan the one-shots again with --force" "$GRYM" scan --quiet --force "$T/lib/shots"
"$GRYM" ls --regions -p tag:sound-02,sound-03 >"$T/after"
"$GRYM" ls --regions -p tag:sound-01,other-kind >"$T/kept"
[ ! -s "$T/after" ] && [ "$(sort -u "$T/kept" | wc -l)" -eq 8 ] &&
	ok "re-analysis drops automatic cluster tags, keeps accepted and renamed ones" ||
	not_ok "re-analysis drops automatic cluster tags, keeps accepted and renamed ones"
check_status "accept of an unknown tag fails" 1 "$GRYM" tag --accept no-such-tag
check_status "rename needs two names" 2 "$GRYM" tag --rename only-one

# the browser marks the occurrences on the detail timeline (ASCII mode:
# the group's number where each starts, ':' over the rest)
if command -v tmux >/dev/null; then
	sock="grym-pat-$$"
	mkdir -p "$T/one" "$T/cfg" && cp "$T/lib/motif.wav" "$T/one/"
	GRYM_CATALOG="$T/one.db" "$GRYM" scan --quiet "$T/one"
	tmux -L "$sock" -f /dev/null new-session -d -x 100 -y 30 \
		"env TERM=xterm-256color LANG=C.UTF-8 XDG_CONFIG_HOME='$T/cfg' \
		 '$GRYM' --catalog '$T/one.db' tui --ascii --log '$T/tui.log'; sleep 600"
	found=0
	for ((i = 0; i < 100; i++)); do
		tmux -L "$sock" capture-pane -p >"$T/screen"
		if grep -qE '1:{5,}' "$T/screen"; then found=1; break; fi
		sleep 0.05
	done
	n=$(grep -oE '1:{5,}' "$T/screen" | wc -l)
	[ "$found" = 1 ] && [ "$n" -eq 3 ] && ok "the TUI timeline marks the three occurrences" ||
		{ not_ok "the TUI timeline marks the three occurrences ($n)"; sed 's/^/# /' "$T/screen"; }
	tmux -L "$sock" kill-server 2>/dev/null
fi
finish
