#!/usr/bin/env bash
# classify_gather_real2.sh [OUT] - real recordings for the classifier's
# weak classes (scripts/classify_real.py) into OUT (default
# ./bench-data/real2): fetches and unpacks hydrogen-drumkits, klettres-data,
# asterisk-core-sounds-{en,fr,es}-wav and btanks-data into bench-data/pkgs
# (debs cached in ~/.cache/grym-bench-classes/debs, like the corpus's), then
# cuts and joins 158 clips (percussion grooves from real kit hits, real
# speech) into OUT/real2_manifest.tsv, and 16 btanks machinery / ambience
# clips (a rejected candidate) into OUT/real2_btanks_manifest.tsv.  Deterministic (fixed seeds, sox -R);
# about 3 minutes.  Needs sox and python3-numpy (bench/classify_gather.sh).
# See bench/README-classify.md, section 2c.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/bench-data/real2}
pkgs=$root/bench-data/pkgs
cache=${GRYM_CORPUS_CACHE:-$HOME/.cache/grym-bench-classes}/debs
. "$root/bench/debs.sh"
unpack_debs "$pkgs" "$cache" hydrogen-drumkits klettres-data asterisk-core-sounds-en-wav asterisk-core-sounds-fr-wav asterisk-core-sounds-es-wav btanks-data
rm -rf "$out/classes" "$out/parts"
ONLY=percussion /usr/bin/python3 "$root/scripts/classify_real.py" "$out" "$pkgs" &
ONLY=speech,noise,ambience /usr/bin/python3 "$root/scripts/classify_real.py" "$out" "$pkgs"
wait
ONLY=none /usr/bin/python3 "$root/scripts/classify_real.py" "$out" "$pkgs"
