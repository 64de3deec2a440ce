#!/usr/bin/env bash
# classify_gather.sh [OUT] - builds the extra labelled material for the
# content classifier (scripts/classify_material.py) into OUT (default
# ./bench-data/extra): installs the tools it lacks (root: apt-get), fetches
# and unpacks three sound packages into bench-data/pkgs (only there; no
# audio is ever committed), then synthesises and renders the clips and
# writes OUT/extra_manifest.tsv.  Deterministic; about 10 minutes.
# See bench/README-classify.md.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/bench-data/extra}
pkgs=$root/bench-data/pkgs
cache=${GRYM_CORPUS_CACHE:-$HOME/.cache/grym-bench-classes}/debs
py=/usr/bin/python3
need=()
for p in sox flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts fluidsynth \
	fluid-soundfont-gm python3-numpy; do
	dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "installing ${need[*]}"
	apt-get install -y -qq "${need[@]}" >/dev/null
fi
. "$root/bench/debs.sh"
unpack_debs "$pkgs" "$cache" sound-theme-freedesktop minetest-data hedgewars-data
rm -rf "$out/classes" "$out/parts"
# two runs in parallel (the machine has two cores); the second one joins
# the part manifests when both are done
ONLY=speech,singing "$py" "$root/scripts/classify_material.py" "$out" "$pkgs" &
ONLY=music,percussion,noise,ambience,effect "$py" "$root/scripts/classify_material.py" "$out" "$pkgs"
wait
ONLY=none "$py" "$root/scripts/classify_material.py" "$out" "$pkgs"
