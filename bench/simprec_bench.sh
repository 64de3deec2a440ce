#!/usr/bin/env bash
# bench/simprec_bench.sh [BUILD_DIR] - precision at 5 of `grym similar`
# on a labelled corpus: the labelled found-sound corpus that
# ../shared/bench/classes/make_classes_corpus.sh builds into
# bench-data/classes/classes/<class>/ (188 clips in 8 class folders).
#
# Every region of the corpus asks `grym similar ID -n 30 --json`; regions
# of its own file are left out (another region of the same recording says
# nothing about search), and of the next five the share with the target's
# folder class is its precision at 5.  Printed per class, as the macro
# mean over classes and as the overall mean, per aspect, next to the
# figure a random ranking gets on the same regions (the reference measured
# in the same run: the share of other-file regions with the same class).
#   CORPUS=DIR   another folder of <class>/ subfolders
set -eu
build=${1:-build/rel}
here=$(cd "$(dirname "$0")/.." && pwd)
grym="$here/$build/grym"
[ -x "$grym" ] || { echo "build first: make BUILD=$build" >&2; exit 1; }
corpus=${CORPUS:-$here/bench-data/classes/classes}
if [ ! -d "$corpus" ]; then
	if [ -d "$here/../shared/bench/classes" ]; then
		echo "similar precision: no corpus in $corpus;" \
		     "build it with: bash ../shared/bench/classes/make_classes_corpus.sh"
	else
		echo "similar precision: ../shared/bench is not here and no CORPUS= given: skipped"
	fi
	exit 0
fi
dir=$(mktemp -d "${TMPDIR:-/tmp}/grym-simprec.XXXXXX")
trap 'rm -rf "$dir"' EXIT
export GRYM_CATALOG="$dir/catalog.db"
echo "== precision at 5 of grym similar on $corpus"
"$grym" scan -q "$corpus" >/dev/null 2>"$dir/scan.err" || true
"$grym" ls --regions --json >"$dir/regions.json"
/usr/bin/python3 - "$grym" "$dir/regions.json" "$corpus" <<'PY'
import json, os, subprocess, sys
grym, regions_path, corpus = sys.argv[1], sys.argv[2], os.path.realpath(sys.argv[3])
regs = json.load(open(regions_path))
def label(path):
    rel = os.path.relpath(os.path.realpath(path), corpus)
    return rel.split(os.sep)[0]
lab = {r["id"]: label(r["path"]) for r in regs}
fil = {r["id"]: r["file"] for r in regs}
classes = sorted(set(lab.values()))
# the random reference: expected share of same-class regions among the
# other files' regions
rand = {}
for c in classes:
    vals = []
    for r in regs:
        if lab[r["id"]] != c:
            continue
        others = [s for s in regs if s["file"] != r["file"]]
        vals.append(sum(lab[s["id"]] == c for s in others) / max(1, len(others)))
    rand[c] = sum(vals) / max(1, len(vals))
print(f"{len(regs)} regions in {len(set(fil.values()))} files, {len(classes)} classes")
for aspect in ("overall", "timbre", "spectrum", "rhythm"):
    per = {c: [] for c in classes}
    for r in regs:
        out = subprocess.run([grym, "similar", str(r["id"]), "-n", "30", "--aspect", aspect,
                              "--json"], capture_output=True, text=True)
        if out.returncode != 0:
            continue
        res = [x for x in json.loads(out.stdout)["results"] if x["file"] != r["file"]][:5]
        if res:
            per[lab[r["id"]]].append(sum(lab[x["id"]] == lab[r["id"]] for x in res) / len(res))
    print(f"-- aspect {aspect}")
    print(f"{'class':<12} {'regions':>7} {'P@5':>6} {'random':>7}")
    for c in classes:
        v = per[c]
        print(f"{c:<12} {len(v):>7} {100 * sum(v) / max(1, len(v)):>5.1f}% {100 * rand[c]:>6.1f}%")
    macro = sum(sum(per[c]) / max(1, len(per[c])) for c in classes) / len(classes)
    allv = [x for c in classes for x in per[c]]
    rmacro = sum(rand.values()) / len(classes)
    print(f"macro P@5 {100 * macro:.1f}% (random {100 * rmacro:.1f}%, ratio {macro / rmacro:.2f}),"
          f" overall mean {100 * sum(allv) / max(1, len(allv)):.1f}%")
PY
