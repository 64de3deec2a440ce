#!/usr/bin/env bash
# bench/play_bench.sh [BUILD] - audition figures, without a sound card:
#   1. start latency: time from a start request (play_start, i.e. a key
#      press in the TUI) to the first sample handed to PortAudio; the first
#      start of a process (PortAudio probes ALSA/JACK and opens the device)
#      and the median of 20 starts with the device already open, with the
#      default device latency (50 ms) and 10 ms: the player has the first
#      block queued within ~1 ms, the rest is waiting for the device's next
#      callback (one period);
#   2. underruns during 60 s of playback (44.1 kHz stereo FLAC resampled to
#      48 kHz) while two `yes > /dev/null` load both cores.
# The device is ALSA's file plugin over the null PCM, paced at 48 kHz by
# tests/tools/pacer (see tests/integration/play.sh); the pacer also counts
# reads more than 20 ms late (a real device would have glitched).
set -eu
build=${1:-build/rel}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
B=$root/$build
[ -x "$B/tools/playbench" ] || make --no-print-directory BUILD="$build" test-build >/dev/null
T=$(mktemp -d "${TMPDIR:-/tmp}/grym-playbench.XXXXXX")
loads=""
cleanup() { for p in $loads; do kill "$p" 2>/dev/null || true; done; rm -rf "$T"; }
trap cleanup EXIT

cat >"$T/asound.conf" <<CONF
pcm.!default {
	type file
	slave.pcm "nullpcm"
	file "|exec $B/tools/pacer $T/out.raw 384000 $T/pacer.stats"
	format "raw"
}
pcm.nullpcm {
	type null
}
CONF
export ALSA_CONFIG_PATH=$T/asound.conf
"$B/tools/make_fixture" "$T/music.flac" flac16 44100 2 30 >/dev/null

echo "play_bench: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for ms in 50 10; do
	lat=$("$B/tools/playbench" latency "$T/music.flac" 21 $ms)
	set -- $lat
	echo "start latency, play.latency_ms $ms: first start ${2} ms (PortAudio init + device open), then median ${4} ms, max ${6} ms (20 starts, device open)"
done

yes >/dev/null & loads="$loads $!"
yes >/dev/null & loads="$loads $!"
run=$("$B/tools/playbench" run "$T/music.flac" 60)
for p in $loads; do kill "$p" 2>/dev/null || true; done
loads=""
sleep 0.5
set -- $run
late=$(cat "$T/pacer.stats" 2>/dev/null || echo "?")
echo "60 s under 2x yes: ${2} underruns (player), pacer: $late"
