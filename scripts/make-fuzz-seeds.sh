#!/usr/bin/env bash
# scripts/make-fuzz-seeds.sh [BUILD] - (re)generate the audio seed corpus
# of the decode fuzzer, tests/fuzz/corpus/fuzz_decode/: one short (0.3 s,
# 8 kHz) file per container/codec grym reads, written by BUILD/tools/
# scan_fixture (default build/rel) and, for M4A/ADTS/Matroska/WMA, by the
# ffmpeg command.  Everything is deterministic except the lossy encoders'
# framing; the total stays under ~100 KB.  Regression inputs (files named
# crash-*, leak-*, timeout-*) in the same folder are kept.
set -eu
build=${1:-build/rel}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mk="$build/tools/scan_fixture"
[ -x "$mk" ] || { echo "make-fuzz-seeds: build $mk first (make BUILD=$build test-build)" >&2; exit 1; }
out=tests/fuzz/corpus/fuzz_decode
mkdir -p "$out"
find "$out" -name 'seed-*' -delete
for f in wav16:wav wav24:wav wavf:wav wavd:wav wavex16:wav aiff16:aiff aiff24:aiff \
	flac16:flac flac24:flac ogg:ogg opus:opus mp3:mp3 caf16:caf; do
	fmt=${f%%:*} ext=${f##*:}
	"$mk" "$out/seed-$fmt.$ext" "$fmt" 8000 1 0.3 1
done
"$mk" "$out/seed-stereo-wav16.wav" wav16 11025 2 0.2 2
"$mk" "$out/seed-stereo-flac16.flac" flac16 11025 2 0.2 3
if command -v ffmpeg >/dev/null; then
	src="$out/seed-wav16.wav"
	ff() { ffmpeg -nostdin -loglevel error -y -i "$src" "$@"; }
	ff -c:a aac -b:a 16k "$out/seed-aac.m4a"
	ff -c:a alac "$out/seed-alac.m4a"
	ff -c:a aac -b:a 16k -f adts "$out/seed-adts.aac"
	ff -c:a pcm_s16le -f matroska "$out/seed-pcm.mka"
	ff -c:a wmav2 -b:a 32k "$out/seed-wma.wma"
	ff -c:a pcm_mulaw "$out/seed-mulaw.wav"
fi
# crafted headers: the smallest valid shapes the decoders branch on
printf 'RIFF\044\000\000\000WAVEfmt \020\000\000\000\001\000\001\000\100\037\000\000\200\076\000\000\002\000\020\000data\000\000\000\000' >"$out/seed-wav-empty.wav"
printf 'fLaC' >"$out/seed-flac-magic"
printf 'OggS' >"$out/seed-ogg-magic"
printf 'ID3\003\000\000\000\000\000\000\377\373\220\000' >"$out/seed-id3-mp3"
du -sh "$out"
