#!/usr/bin/env bash
# Audition through the real PortAudio -> ALSA path, without a sound card.
#
# How the "device" works: alsa-lib reads its whole configuration from the
# file named by ALSA_CONFIG_PATH (instead of /usr/share/alsa/alsa.conf,
# which would also pull in ~/.asoundrc), so each test writes a private
# asound.conf whose default PCM is the `file` plugin over the `null` PCM.
# The file plugin pipes the samples ("file |cmd") into tests/tools/pacer,
# which reads them at the device's real rate (float32 stereo: 8 bytes a
# frame) into a raw file: `null` alone has no clock and would swallow
# audio as fast as the player could make it.  PortAudio lists that PCM as
# the device "default".  The recording is compared with the file by
# tests/tools/playcmp (cross-correlation for the offset, then every sample).
#
# Tolerances: the player's output must equal the reference (the same
# region mapped to stereo and resampled with the same libsamplerate
# converter) times the gain within 1e-5 of full scale (float rounding of
# the gain and resampler block boundaries; in practice ~1e-8), except the
# first 5 ms, which the player fades in.
. "$(dirname "$0")/lib.sh"
B=$GRYM_BUILD
export GRYM_CATALOG="$T/catalog.db"
unset GRYM_DEBUG

# asoundrc NAME RATE: a config whose default device records to $T/NAME.raw
# at RATE frames/s (the pacer's clock).
asoundrc() {
	cat >"$T/$1.conf" <<EOF
pcm.!default {
	type file
	slave.pcm "nullpcm"
	file "|exec $B/tools/pacer $T/$1.raw $(($2 * 8)) $T/$1.stats"
	format "raw"
}
pcm.nullpcm {
	type null
}
EOF
	echo "$T/$1.conf"
}

# json_field FILE NAME: a number from grym play --json
json_field() { sed -n "s/.*\"$2\":\([-0-9.e+]*\).*/\1/p" "$1"; }

mkdir -p "$T/lib"
if ! "$B/tools/playfix" "$T/lib" "$GRYM_CATALOG" >"$T/fix.sh" 2>"$T/fix.err"; then
	not_ok "fixtures"; cat "$T/fix.err"; finish
fi
. "$T/fix.sh"
[ "$NREG" -eq 3 ] && ok "fixture has 3 regions" || not_ok "fixture has 3 regions ($NREG)"
src="$T/lib/regions.flac"

# 1. one region, device at the file's rate, no level match: bit-exact
conf=$(asoundrc r44 44100)
ALSA_CONFIG_PATH=$conf "$GRYM" play "$ID" --region 0 --no-level-match --volume 1 --rate 44100 \
	--json >"$T/p1.json" 2>"$T/p1.err"
rc=$?
[ $rc -eq 0 ] && ok "play --region 0 exits 0" || { not_ok "play --region 0 exits 0 ($rc)"; sed 's/^/# /' "$T/p1.err"; }
[ ! -s "$T/p1.err" ] && ok "no stderr chatter while playing" || { not_ok "stderr chatter"; sed 's/^/# /' "$T/p1.err" | head -5; }
set -- $R0
if "$B/tools/playcmp" "$T/r44.raw" "$src" 44100 "$1" "$2" 1 1 1e-6 >"$T/c1" 2>&1; then
	ok "region 0 recorded sample for sample (44.1 kHz, gain 1)"
else not_ok "region 0 recorded sample for sample"; sed 's/^/# /' "$T/c1"; fi

# 2. the quiet region, resampled to 48 kHz, level-matched: the samples are
#    the region's, resampled, times the reported gain and volume
conf=$(asoundrc r48 48000)
ALSA_CONFIG_PATH=$conf "$GRYM" play "$src" --region 1 --rate 48000 --volume 0.5 --json \
	>"$T/p2.json" 2>"$T/p2.err"
g=$(json_field "$T/p2.json" gain)
v=$(json_field "$T/p2.json" volume)
gv=$(awk -v g="$g" -v v="$v" 'BEGIN { printf "%.9g", g * v }')
set -- $R1
if [ -n "$g" ] && "$B/tools/playcmp" "$T/r48.raw" "$src" 48000 "$1" "$2" "$gv" 1 1e-5 >"$T/c2" 2>&1; then
	ok "region 1 resampled to 48 kHz, level-matched gain $g x volume $v"
else not_ok "region 1 resampled and level-matched"; sed 's/^/# /' "$T/c2" "$T/p2.err"; fi
# the gain is what the stored loudness asks for: -16 LUFS - (-39.9) ~ +24 dB
awk -v g="$(json_field "$T/p2.json" gain_db)" -v l="$3" 'BEGIN { d = -16 - l; exit !(g > d - 0.1 && g < d + 0.1) }' &&
	ok "level-match gain = target - stored loudness" ||
	not_ok "level-match gain ($(json_field "$T/p2.json" gain_db) dB for $3 LUFS)"

# 3. whisper and gunshot come out at about the same loudness, never clipping
printf 'play:\n  preview_lufs: -20\n  volume: 1\n' >"$T/lufs.yaml"
for r in 0 1; do
	conf=$(asoundrc lm$r 44100)
	ALSA_CONFIG_PATH=$conf "$GRYM" --config "$T/lufs.yaml" play "$ID" --region $r --json \
		>"$T/lm$r.json" 2>&1
	"$B/tools/playcmp" --lufs "$T/lm$r.raw" 44100 >"$T/lm$r.lufs"
done
if awk '{ l[NR] = $2; p[NR] = $4 } END { for (i = 1; i <= 2; i++) if (l[i] < -21 || l[i] > -19 || p[i] > 1) exit 1 }' \
	"$T/lm0.lufs" "$T/lm1.lufs"; then
	ok "gunshot and whisper both play at -20 +- 1 LUFS ($(cut -d' ' -f2 "$T/lm0.lufs") / $(cut -d' ' -f2 "$T/lm1.lufs"))"
else not_ok "level match"; sed 's/^/# /' "$T/lm0.lufs" "$T/lm1.lufs"; fi

# 4. a file that is not in the catalog is measured, then level-matched
conf=$(asoundrc pl 48000)
ALSA_CONFIG_PATH=$conf "$GRYM" --config "$T/lufs.yaml" play "$T/lib/plain.wav" --json >"$T/pl.json" 2>&1
"$B/tools/playcmp" --lufs "$T/pl.raw" 48000 >"$T/pl.lufs"
awk '{ exit !($2 > -21 && $2 < -19) }' "$T/pl.lufs" &&
	ok "file outside the catalog measured and played at -20 LUFS" ||
	{ not_ok "file outside the catalog level-matched"; sed 's/^/# /' "$T/pl.lufs" "$T/pl.json"; }

# 5. --loops 3: exactly three seamless passes, then silence
conf=$(asoundrc lp 44100)
ALSA_CONFIG_PATH=$conf "$GRYM" play "$ID" --region 2 --loops 3 --no-level-match --volume 1 \
	--rate 44100 --json >"$T/lp.json" 2>&1
set -- $R2
if "$B/tools/playcmp" "$T/lp.raw" "$src" 44100 "$1" "$2" 1 3 1e-6 >"$T/c5" 2>&1; then
	ok "region 2 looped exactly 3 times"
else not_ok "region 2 looped 3 times"; sed 's/^/# /' "$T/c5" "$T/lp.json"; fi
grep -q '"passes":3' "$T/lp.json" && ok "--json reports 3 passes" || not_ok "--json passes"

# 6. stopping stops: 4 s of noise, stopped after 0.5 s; what reaches the
#    device is at most 0.5 s plus the device buffer, the status poll and a
#    fade (0.35 s in all), and no sample comes after the fade
conf=$(asoundrc st 44100)
ALSA_CONFIG_PATH=$conf "$GRYM" play "$T/lib/long.wav" --stop-after 0.5 --json >"$T/st.json" 2>&1
rc=$?
"$B/tools/playcmp" --span "$T/st.raw" 44100 >"$T/st.span"
if [ $rc -eq 0 ] && awk '{ exit !($4 > 0.3 && $4 < 0.85) }' "$T/st.span"; then
	ok "stop after 0.5 s: $(cut -d' ' -f4 "$T/st.span") s of sound reached the device"
else not_ok "stop after 0.5 s (exit $rc)"; sed 's/^/# /' "$T/st.span" "$T/st.json"; fi

# 6b. on a terminal a progress line shows the playhead (script(1) gives a pty)
if command -v script >/dev/null; then
	conf=$(asoundrc tty 44100)
	ALSA_CONFIG_PATH=$conf script -qec "$GRYM play $T/lib/plain.wav --stop-after 0.4" /dev/null \
		>"$T/tty.out" 2>&1
	grep -q '> 0:00\.[0-9][0-9] / 0:01\.20' "$T/tty.out" && ok "progress line with the playhead on a terminal" ||
		{ not_ok "progress line"; sed 's/^/# /' "$T/tty.out" | cat -v | head -3; }
fi

# 7. grym devices sees the configured device
conf=$(asoundrc dv 44100)
ALSA_CONFIG_PATH=$conf "$GRYM" devices --json >"$T/dv.json" 2>"$T/dv.err"
grep -q '"name":"default".*"default":true' "$T/dv.json" && ok "devices --json lists the default" ||
	{ not_ok "devices --json"; sed 's/^/# /' "$T/dv.json"; }
ALSA_CONFIG_PATH=$conf "$GRYM" devices >"$T/dv.txt" 2>&1
grep -q '^\* default' "$T/dv.txt" && ok "devices marks the default" || not_ok "devices text"

# 8. no device at all: one clear line on stderr, exit 1
# (an empty configuration makes PortAudio 19.6 abort on an assertion in
# BuildDeviceList; "nothing" here is a default PCM on a card that is not there)
printf 'pcm.!default {\n\ttype hw\n\tcard 9\n}\n' >"$T/empty.conf"
ALSA_CONFIG_PATH="$T/empty.conf" "$GRYM" play "$ID" --region 0 >"$T/nd.out" 2>"$T/nd.err"
rc=$?
[ $rc -eq 1 ] && ok "no device: exit 1" || not_ok "no device: exit $rc"
if [ "$(wc -l <"$T/nd.err")" -eq 1 ] && grep -q "no audio output device" "$T/nd.err"; then
	ok "no device: one clear message"
else not_ok "no device message"; sed 's/^/# /' "$T/nd.err" | head -5; fi
# the system's own configuration, no card, no sound server: ALSA and JACK
# print dozens of lines when probed; none may reach the terminal
(unset ALSA_CONFIG_PATH; HOME=$T XDG_RUNTIME_DIR=$T "$GRYM" play "$T/lib/plain.wav" >"$T/nd2.out" 2>"$T/nd2.err")
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$T/nd2.err")" -eq 1 ]; then
	ok "stock ALSA config without a card: exit 1, one line"
else not_ok "stock ALSA config (exit $rc)"; sed 's/^/# /' "$T/nd2.err" | head -5; fi
ALSA_CONFIG_PATH="$T/empty.conf" "$GRYM" devices >/dev/null 2>"$T/nd3.err"
[ $? -eq 1 ] && [ "$(wc -l <"$T/nd3.err")" -eq 1 ] && ok "devices without any: exit 1, one line" ||
	not_ok "devices without any"
ALSA_CONFIG_PATH=$(asoundrc nn 44100) "$GRYM" play "$T/lib/plain.wav" --device nosuchcard 2>"$T/nn.err"
[ $? -eq 1 ] && grep -q "no audio output device named 'nosuchcard'" "$T/nn.err" &&
	ok "unknown --device named" || { not_ok "unknown --device"; sed 's/^/# /' "$T/nn.err"; }

# 9. the device vanishes mid-play (its reader dies): exit 1 with the reason
conf=$(asoundrc gone 44100)
ALSA_CONFIG_PATH=$conf "$GRYM" play "$T/lib/long.wav" >"$T/gone.out" 2>"$T/gone.err" &
gp=$!
for _ in $(seq 50); do [ -s "$T/gone.raw.pid" ] && [ -s "$T/gone.raw" ] && break; sleep 0.1; done
sleep 0.3
[ -s "$T/gone.raw.pid" ] && kill "$(cat "$T/gone.raw.pid")"
wait $gp
rc=$?
if [ $rc -eq 1 ] && grep -q "audio device 'default' stopped" "$T/gone.err"; then
	ok "device gone mid-play: exit 1, '$(cat "$T/gone.err")'"
else not_ok "device gone mid-play (exit $rc)"; sed "s/^/# /" "$T/gone.err" "$T/gone.out" | head -5; ls -la "$T"/gone* | sed "s/^/# /"; fi

# 10. usage and lookup errors
check_status "play without a file is a usage error" 2 "$GRYM" play
check_status "--region on a file outside the catalog fails" 1 "$GRYM" play "$T/lib/plain.wav" --region 0
contains "--region needs an analysed file" "$T/.err" "--region needs an analysed file"
check_status "unknown id fails" 1 "$GRYM" play 9999
check_status "region out of range fails" 1 "$GRYM" play "$ID" --region 7
# every playback is added to the catalog's audition totals, which doctor shows
"$GRYM" doctor >"$T/doctor.out" 2>&1
if grep -qE '^audition: [0-9]+ underruns in [1-9][0-9]* playbacks \([1-9][0-9]* s played\)' "$T/doctor.out"; then
	ok "grym doctor shows audition underruns and playbacks"
else
	not_ok "grym doctor shows audition totals"; sed 's/^/# /' "$T/doctor.out"
fi
finish
