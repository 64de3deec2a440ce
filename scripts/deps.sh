#!/usr/bin/env bash
# scripts/deps.sh - install the Debian 12 packages grym builds, tests and
# benchmarks with.  As root it runs apt-get; otherwise it prints the exact
# command to run and fails if something is missing.
set -eu
pkgs="build-essential pkg-config
libsndfile1-dev libfftw3-dev libsamplerate0-dev libsqlite3-dev sqlite3
portaudio19-dev libasound2-dev libasound2-plugins alsa-utils libyaml-dev libncurses-dev
libebur128-dev libxxhash-dev libjansson-dev libcmocka-dev
libavformat-dev libavcodec-dev libavutil-dev libswresample-dev libchromaprint-dev
mandoc tmux sox libsox-fmt-base flac ffmpeg python3 python3-numpy clang aubio-tools libclang-rt-14-dev"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	echo "deps: all $(echo $pkgs | wc -w) Debian packages present"
	exit 0
fi
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -eq 0 ]; then
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
else
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run: sudo $cmd" >&2
	exit 1
fi
