#!/usr/bin/env bash
# classify_bench.sh [BUILD_DIR] - content-class and timeline accuracy of the
# analysis on the classes development corpus (../shared/bench/classes):
#   1. per-region accuracy on the clips the classifier never saw in training
#      (bench/classify_holdout.txt, written by scripts/train_classifier.py:
#      whole origins - source packages or synthesisers - held out), per class,
#      confusion matrix, macro average; the same on all clips, for reference
#      (those include training material, so they flatter the model);
#   2. per-file main class, scored with score.py;
#   3. change points of the 20 joined files (mixed_truth.tsv) within 0.5 s,
#      scored with score.py (recall, precision, F1).
# Regions of a clip carry the clip's label.  A silent clip has no region (the
# silence detector finds no sound): it counts as one item whose answer is the
# file's class.
# The corpus is built with: bash ../shared/bench/classes/make_classes_corpus.sh
# (from the checkout; writes ./bench-data/classes), or set GRYM_CLASSES_DATA.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
build=${1:-build/rel}
data=${GRYM_CLASSES_DATA:-$root/bench-data/classes}
shared=${GRYM_SHARED_BENCH:-$root/../shared/bench}
[ -d "$shared" ] || shared=/work/shared/bench
featdump=$root/$build/tools/featdump
py=/usr/bin/python3
[ -x "$py" ] || py=python3

if [ ! -f "$data/classes_manifest.tsv" ]; then
	echo "classify bench: no corpus at $data; build it with"
	echo "  bash ../shared/bench/classes/make_classes_corpus.sh   (from the checkout)"
	exit 0
fi
if ! make -C "$root" --no-print-directory -s BUILD="$build" "$build/tools/featdump" >/dev/null ||
	[ ! -x "$featdump" ]; then
	echo "classify bench: could not build $featdump"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$data" || exit 1
t0=$SECONDS
# shellcheck disable=SC2046
"$featdump" --report $(awk -F'\t' 'NR > 1 { print $1 }' classes_manifest.tsv) \
	$(awk -F'\t' 'NR > 1 { print $1 }' mixed_truth.tsv | sort -u) >"$tmp/report.tsv" \
	2>"$tmp/err.txt" || { echo "featdump failed:"; head "$tmp/err.txt"; }
echo "classify bench: analysed the corpus in $((SECONDS - t0)) s ($data)"

"$py" - "$tmp/report.tsv" classes_manifest.tsv "$root/bench/classify_holdout.txt" <<'EOF'
import sys
rep, man, hold = sys.argv[1:4]
classes = ["silence", "speech", "singing", "music", "percussion", "ambience", "noise", "effect"]
label = {}
for i, line in enumerate(open(man)):
    v = line.rstrip("\n").split("\t")
    if i and len(v) > 1:
        label[v[0]] = "effect" if v[1] == "oneshot" else v[1]
held = set(l.strip() for l in open(hold) if l.strip() and not l.startswith("#"))
regions, files = {}, {}
for line in open(rep):
    v = line.rstrip("\n").split("\t")
    if v[0] == "R":
        regions.setdefault(v[1], []).append(v[5])
    elif v[0] == "F":
        files[v[1]] = v[2]
def table(title, names):
    items = []
    for f in names:
        if f not in files:
            continue
        got = regions.get(f) or [files[f]]
        items += [(label[f], g) for g in got]
    print("\n%s: %d regions of %d clips" % (title, len(items), len(names)))
    print("  %-11s %6s  %s" % ("class", "acc", "  ".join("%5s" % c[:5] for c in classes)))
    accs = []
    for c in classes:
        row = [sum(1 for t, g in items if t == c and g == k) for k in classes]
        n = sum(row)
        if not n:
            continue
        acc = row[classes.index(c)] / n
        accs.append(acc)
        print("  %-11s %5.1f%%  %s" % (c, 100 * acc, "  ".join("%5d" % r for r in row)))
    if accs:
        print("  macro-averaged accuracy: %.1f %% (target >= 90 %%)" % (100 * sum(accs) / len(accs)))
table("HELD-OUT clips (never seen in training)", sorted(f for f in label if f in held))
table("all clips (includes training material)", sorted(label))
with open(rep + ".class", "w") as o:
    o.write("file\tanswer\n")
    for f, c in files.items():
        if f in label:
            o.write("%s\t%s\n" % (f, c))
with open(rep + ".held", "w") as o:
    o.write("file\tanswer\n")
    for f, c in files.items():
        if f in held:
            o.write("%s\t%s\n" % (f, c))
EOF
awk -F'\t' 'BEGIN { print "file\tanswer" } $1 == "C" { print $2 "\t" $3 }' "$tmp/report.tsv" \
	>"$tmp/changes.tsv"
echo
echo "file main class, held-out clips (score.py):"
"$py" "$shared/score.py" classes_manifest.tsv "$tmp/report.tsv.held" | sed 's/^/  /'
echo
echo "timeline change points on the joined files, within 0.5 s (score.py):"
"$py" "$shared/score.py" mixed_truth.tsv "$tmp/changes.tsv" | sed 's/^/  /'
