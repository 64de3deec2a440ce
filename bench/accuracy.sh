#!/usr/bin/env bash
# bench/accuracy.sh - `make accuracy`: tempo and key accuracy of grym on the
# development sets in ../shared/bench (pop909: key + tempo; groove: tempo),
# scored by their score.py, beside an open peer (aubio's beat tracker,
# `aubiotrack`, Debian package aubio-tools) on the same files in the same
# run, with real-time factors.
#
# Environment: GRYM_BENCH (default ../shared/bench beside the checkout),
# GRYM_BENCH_DATA (default ./bench-data: where render.py puts the audio),
# BUILD (default build/rel), ACC_OUT (default build/accuracy), ACC_LIMIT
# (score only the first N files of each set, for a quick look).
# Renders the audio first when it is missing (5-10 minutes on two cores).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bench=${GRYM_BENCH:-}
if [ -z "$bench" ]; then   # beside the checkout (or beside a worktree's parent)
	bench=$root/../shared/bench
	[ -d "$bench" ] || [ ! -d "$root/../../shared/bench" ] || bench=$root/../../shared/bench
fi
data=${GRYM_BENCH_DATA:-$root/bench-data}
build=${BUILD:-build/rel}
out=${ACC_OUT:-$build/accuracy}
limit=${ACC_LIMIT:-0}

if [ ! -f "$bench/score.py" ] || [ ! -f "$bench/render.py" ]; then
	echo "accuracy: no development sets: $bench (../shared/bench beside the checkout) is absent;"
	echo "accuracy: set GRYM_BENCH to a copy of grym's bench folder. Nothing measured."
	exit 0
fi
command -v python3 >/dev/null && command -v soxi >/dev/null ||
	{ echo "accuracy: python3 and sox are needed: run scripts/deps.sh" >&2; exit 1; }

# 1. audio (render.py keeps files that exist)
need=0
for set in pop909 groove; do
	want=$(($(wc -l <"$bench/$set/truth.tsv") - 1))
	have=$(ls "$data/$set"/*.flac 2>/dev/null | wc -l)
	[ "$have" -ge "$want" ] || need=1
done
if [ "$need" -eq 1 ]; then
	command -v fluidsynth >/dev/null && [ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ] || {
		echo "accuracy: rendering needs: apt-get install fluidsynth fluid-soundfont-gm" >&2
		exit 1
	}
	echo "accuracy: rendering the development sets into $data (5-10 minutes)..."
	(mkdir -p "$data" && cd "$data/.." && python3 "$bench/render.py" all --jobs 2)
fi

# 2. grym's tool
make --no-print-directory BUILD="$build" "$build/tools/musical_eval" >/dev/null
mkdir -p "$out/pop909" "$out/groove"

files() { # set -> the set's audio files, in truth order, ACC_LIMIT applied
	local n=0
	tail -n +2 "$bench/$1/truth.tsv" | while IFS=$'\t' read -r c1 c2 _; do
		local f=$c1
		[ "$1" = pop909 ] && f=$c2
		[ -f "$data/$1/$f" ] || continue
		echo "$data/$1/$f"
		n=$((n + 1))
		[ "$limit" -gt 0 ] && [ "$n" -ge "$limit" ] && break
	done
}

now() { date +%s.%N; }
dur_of() { # sum of durations of the given files, s
	for f in "$@"; do soxi -D "$f"; done | awk '{ s += $1 } END { printf "%.1f", s }'
}

declare -A secs audio
for set in pop909 groove; do
	mapfile -t list < <(files "$set")
	[ "${#list[@]}" -gt 0 ] || { echo "accuracy: no audio for $set" >&2; exit 1; }
	audio[$set]=$(dur_of "${list[@]}")
	echo "accuracy: $set: grym on ${#list[@]} files (${audio[$set]} s of audio)..."
	t0=$(now)
	"$build/tools/musical_eval" "$out/$set" "${list[@]}" >"$out/$set/plugins.txt"
	secs[grym_$set]=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	echo "accuracy: $set: aubiotrack on the same files..."
	if command -v aubiotrack >/dev/null; then
		t0=$(now)
		bench/aubio_tempo.sh "$out/$set/aubio-tempo.tsv" "${list[@]}"
		secs[aubio_$set]=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	else
		echo "accuracy: aubiotrack missing (apt-get install aubio-tools); no peer" >&2
		secs[aubio_$set]=0
	fi
done

# 3. scores
score() { python3 "$bench/score.py" "$@"; }
cp "$out/pop909/tempo.tsv" "$out/grym-tempo-pop.tsv"
cp "$out/groove/tempo.tsv" "$out/grym-tempo-drums.tsv"
cp "$out/pop909/key.tsv" "$out/grym-key.tsv"
[ -f "$out/pop909/aubio-tempo.tsv" ] && cp "$out/pop909/aubio-tempo.tsv" "$out/aubio-tempo-pop.tsv"
[ -f "$out/groove/aubio-tempo.tsv" ] && cp "$out/groove/aubio-tempo.tsv" "$out/aubio-tempo-drums.tsv"

echo
echo "== key, pop909 =="
score "$bench/pop909/truth.tsv" "$out/grym-key.tsv" --task key
echo "grym key confidence, right vs wrong answers: $(python3 bench/conf_auc.py \
	"$bench/score.py" "$bench/pop909/truth.tsv" "$out/grym-key.tsv" key)"
echo
echo "== tempo, pop909 =="
score "$bench/pop909/truth.tsv" "$out/grym-tempo-pop.tsv" \
	$( [ -f "$out/aubio-tempo-pop.tsv" ] && echo "$out/aubio-tempo-pop.tsv") --task tempo
echo "grym labelled tempo among answer + alternates: $(python3 bench/tempo_cover.py \
	"$bench/pop909/truth.tsv" "$out/grym-tempo-pop.tsv")"
echo "grym tempo confidence, right (Acc1) vs wrong answers: $(python3 bench/conf_auc.py \
	"$bench/score.py" "$bench/pop909/truth.tsv" "$out/grym-tempo-pop.tsv" tempo)"
echo
echo "== tempo, groove (drums) =="
score "$bench/groove/truth.tsv" "$out/grym-tempo-drums.tsv" \
	$( [ -f "$out/aubio-tempo-drums.tsv" ] && echo "$out/aubio-tempo-drums.tsv") --task tempo
echo "grym labelled tempo among answer + alternates: $(python3 bench/tempo_cover.py \
	"$bench/groove/truth.tsv" "$out/grym-tempo-drums.tsv")"
echo "grym tempo confidence, right (Acc1) vs wrong answers: $(python3 bench/conf_auc.py \
	"$bench/score.py" "$bench/groove/truth.tsv" "$out/grym-tempo-drums.tsv" tempo)"

# grym / peer ratios from score.py's table rows (| name | n | Acc1 | Acc2 | ...)
ratio() { # truth grym.tsv peer.tsv label
	[ -f "$3" ] || return 0
	score "$1" "$2" "$3" --task tempo | awk -F'|' -v label="$4" '
		/^\| (grym|aubio)-/ { gsub(/ /, "", $2); a1[$2 ~ /^grym/] = $4; a2[$2 ~ /^grym/] = $5 }
		END { if (a1[0] > 0 && a2[0] > 0)
			printf "%-7s grym / aubiotrack: Acc1 %.2fx, Acc2 %.2fx\n", label, a1[1] / a1[0], a2[1] / a2[0] }'
}
echo
echo "== accuracy ratios =="
ratio "$bench/pop909/truth.tsv" "$out/grym-tempo-pop.tsv" "$out/aubio-tempo-pop.tsv" pop909
ratio "$bench/groove/truth.tsv" "$out/grym-tempo-drums.tsv" "$out/aubio-tempo-drums.tsv" groove

echo
echo "== speed (x real time, one process, FLAC input) =="
for set in pop909 groove; do
	a=${audio[$set]}
	awk -v set="$set" -v a="$a" -v g="${secs[grym_$set]}" -v p="${secs[aubio_$set]}" 'BEGIN {
		printf "%-7s whole grym pipeline (decode, dsp, all plugins): %6.0fx   aubiotrack: %s\n",
			set, a / g, (p > 0 ? sprintf("%.0fx", a / p) : "n/a") }'
	awk -v set="$set" '$1 == "plugin" { printf "%-7s plugin %-9s %5d runs %8.3f s  %8.0fx real time\n",
		set, $2, $4, $6, $10 }' "$out/$set/plugins.txt"
done
echo
echo "answers: $out (grym-key.tsv, grym-tempo-*.tsv, aubio-tempo-*.tsv)"
