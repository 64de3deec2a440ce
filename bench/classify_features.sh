#!/usr/bin/env bash
# classify_features.sh [BUILD_DIR] [DATA] - the training tables for
# scripts/train_classifier.py: runs tools/featdump (the real pipeline) over
# the classes corpus, its augmented copies (bench/classify_augment.sh) and
# the synthetic material, into DATA/../feat/*.tsv (or $FEAT_OUT, a folder
# of its own when the descriptors differ from the shared tables').  About
# 5 minutes.
#
# The whole recipe, from a checkout:
#   bash ../shared/bench/classes/make_classes_corpus.sh
#   bash bench/classify_augment.sh
#   bash bench/classify_gather.sh
#   make BUILD=build/x test-build && bash bench/classify_features.sh build/x
#   (training: see bench/README-classify.md)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
fd=$root/${1:-build/x}/tools/featdump
data=$(cd "${2:-$root/bench-data/classes}" && pwd)
out=${FEAT_OUT:-$(dirname "$data")/feat}
mkdir -p "$out"
cd "$data"
clips=$(awk -F'\t' 'NR > 1 { print $1 }' classes_manifest.tsv)
"$fd" $clips >"$out/feat_orig.tsv"
"$fd" --whole classes/silence/*.wav >"$out/feat_sil.tsv"
for t in quiet noisy band; do
	# shellcheck disable=SC2046
	"$fd" $(for f in $clips; do [ -f "aug/$t/$f" ] && echo "aug/$t/$f"; done) >"$out/feat_aug_$t.tsv"
done
"$fd" --whole aug/quiet/classes/silence/*.wav aug/band/classes/silence/*.wav >"$out/feat_aug_sil.tsv"
"$fd" $(ls aug/synth/classes/*/*.wav | grep -v /silence/) >"$out/feat_synth.tsv"
"$fd" --whole aug/synth/classes/silence/*.wav >"$out/feat_synth_sil.tsv"
"$fd" --zeros >"$out/feat_zeros.tsv"
# the gathered material (bench/classify_gather.sh), when it is there
extra=$(dirname "$data")/extra
if [ -f "$extra/extra_manifest.tsv" ]; then
	cd "$extra"
	# shellcheck disable=SC2046
	"$fd" $(awk -F'\t' 'NR > 1 { print $1 }' extra_manifest.tsv) >"$out/feat_extra.tsv"
fi
# the real kits and voices (bench/classify_gather_real2.sh), when they are there
real2=$(dirname "$data")/real2
if [ -f "$real2/real2_manifest.tsv" ]; then
	cd "$real2"
	# shellcheck disable=SC2046
	"$fd" $(awk -F'\t' 'NR > 1 { print $1 }' real2_manifest.tsv) >"$out/feat_real2.tsv"
	# shellcheck disable=SC2046
	"$fd" $(awk -F'\t' 'NR > 1 { print $1 }' real2_btanks_manifest.tsv) >"$out/feat_real2_btanks.tsv"
fi
echo "feature tables in $out"
