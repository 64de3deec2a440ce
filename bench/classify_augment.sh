#!/usr/bin/env bash
# classify_augment.sh [DATA] - augmented copies of the classes corpus for
# training the content classifier (scripts/train_classifier.py), with sox:
#   aug/quiet/  the clip 15 dB quieter
#   aug/noisy/  pink noise added 20 dB below the clip's RMS (not for silence)
#   aug/band/   band-limited to 250-4000 Hz (a small speaker / phone line)
#   aug/synth/  synthetic material: chord progressions (music), click and
#               drum-like patterns (percussion), noise bursts (effect),
#               digital silence and a -90 dBFS noise floor (silence)
# Copies keep the clip's path under aug/<tag>/, so the trainer maps them to
# the original's label and origin (they share its train / held-out side).
# Deterministic (sox -R).  DATA defaults to ./bench-data/classes.
set -eu
data=${1:-bench-data/classes}
cd "$data"
[ -f classes_manifest.tsv ] || { echo "no classes_manifest.tsv in $data" >&2; exit 1; }
tmp_noise=$(mktemp --suffix=.wav)
trap 'rm -f "$tmp_noise"' EXIT
awk -F'\t' 'NR > 1 { print $1 "\t" $2 }' classes_manifest.tsv | while IFS=$'\t' read -r f cls; do
	for tag in quiet noisy band; do
		out=aug/$tag/$f
		[ -f "$out" ] && continue
		mkdir -p "$(dirname "$out")"
		case $tag in
		quiet) sox -R "$f" "$out" gain -15 ;;
		band) sox -R "$f" "$out" sinc 250-4000 ;;
		noisy)
			[ "$cls" = silence ] && continue
			rms=$(sox "$f" -n stats 2>&1 | awk '/^RMS lev dB/ { print $4 }')
			case $rms in ''|-inf) continue ;; esac
			vol=$(awk -v r="$rms" 'BEGIN { printf "%.6f", 10 ^ ((r - 20 + 6) / 20) }')
			sox -R -n -r "$(soxi -r "$f")" -c "$(soxi -c "$f")" "$tmp_noise" \
				synth "$(soxi -D "$f")" pinknoise vol "$vol"
			sox -R -m "$f" "$tmp_noise" "$out"
			;;
		esac
	done
done

# Synthetic material, with its own manifest (same columns as the corpus's).
man=aug/synth_manifest.tsv
mkdir -p aug/synth/classes/music aug/synth/classes/percussion aug/synth/classes/oneshot
printf 'file\tclass\tconfidence\torigin\tduration_s\tchannels\tcontent_end_s\tsource_package\n' >"$man"
roots=(C3 D3 E3 F3 G3 A3 B3 C4)
voices=(pluck sine triangle square sawtooth pluck triangle pluck)
for k in 0 1 2 3 4 5 6 7; do
	f=aug/synth/classes/music/synth_chords_$k.wav
	parts=()
	for step in 0 5 3 4; do            # I - vi - IV - V style progressions
		r=${roots[$(((k + step) % 8))]}
		v=${voices[$(((k + step) % 8))]}
		sox -R -n -r 44100 -c 1 "$tmp_noise.$step.wav" synth 1.6 $v "$r" $v "%4" $v "%7" \
			$v "%12" remix - fade 0.02 1.6 0.3 norm -6
		parts+=("$tmp_noise.$step.wav")
	done
	sox -R "${parts[@]}" "$f" repeat 1
	rm -f "${parts[@]}"
	printf '%s\tmusic\thigh\tsynthetic\t\t1\t\tsynthgen-music\n' "${f#aug/synth/}" >>"$man"
done
for k in 0 1 2 3 4 5; do
	f=aug/synth/classes/percussion/synth_beat_$k.wav
	period=$(awk -v k=$k 'BEGIN { printf "%.3f", 0.3 + 0.06 * k }')
	sox -R -n -r 44100 -c 1 "$tmp_noise.k.wav" synth 0.12 sine $((60 + 10 * k))-40 \
		fade 0 0.12 0.11 pad 0 "$(awk -v p="$period" 'BEGIN { print p - 0.12 }')"
	sox -R -n -r 44100 -c 1 "$tmp_noise.h.wav" synth 0.04 whitenoise fade 0 0.04 0.035 \
		highpass 5000 pad "$(awk -v p="$period" 'BEGIN { print p / 2 }')" \
		"$(awk -v p="$period" 'BEGIN { print p / 2 - 0.04 }')"
	sox -R -m "$tmp_noise.k.wav" "$tmp_noise.h.wav" "$f" repeat 24 norm -3
	rm -f "$tmp_noise.k.wav" "$tmp_noise.h.wav"
	printf '%s\tpercussion\thigh\tsynthetic\t\t1\t\tsynthgen-percussion\n' "${f#aug/synth/}" >>"$man"
	f=aug/synth/classes/percussion/synth_clicks_$k.wav
	sox -R -n -r 44100 -c 1 "$tmp_noise.c.wav" synth 0.003 square 1000 \
		pad 0 "$(awk -v p="$period" 'BEGIN { print p - 0.003 }')"
	sox -R "$tmp_noise.c.wav" "$f" repeat 30 norm -6
	rm -f "$tmp_noise.c.wav"
	printf '%s\tpercussion\thigh\tsynthetic\t\t1\t\tsynthgen-clicks\n' "${f#aug/synth/}" >>"$man"
	f=aug/synth/classes/oneshot/synth_hit_$k.wav
	sox -R -n -r 44100 -c 1 "$f" synth 0.6 pinknoise fade 0.002 0.6 0.58 \
		lowpass $((800 + 900 * k)) norm -3 pad 0.05 0.8
	printf '%s\toneshot\thigh\tsynthetic\t\t1\t\tsynthgen-oneshot\n' "${f#aug/synth/}" >>"$man"
done
mkdir -p aug/synth/classes/silence
for k in 0 1 2 3; do
	f=aug/synth/classes/silence/synth_zero_$k.wav
	sox -R -D -n -r 44100 -c 1 "$f" synth $((3 + 2 * k)) sine 0 vol 0
	printf '%s\tsilence\thigh\tsynthetic\t\t1\t\tsynthgen-silence\n' "${f#aug/synth/}" >>"$man"
	f=aug/synth/classes/silence/synth_floor_$k.wav
	sox -R -D -n -r 44100 -c 1 "$f" synth $((3 + 2 * k)) pinknoise vol 0.0000$((2 + 2 * k))
	printf '%s\tsilence\thigh\tsynthetic\t\t1\t\tsynthgen-silence\n' "${f#aug/synth/}" >>"$man"
done
# rows made by featdump --zeros (digital zeros straight through dsp; no file)
for k in 0 1 2 3 4 5; do
	printf 'classes/silence/digital_zero_%d.wav\tsilence\thigh\tsynthetic\t\t1\t\tsynthgen-silence\n' $k >>"$man"
done
echo "augmented copies in $data/aug"
