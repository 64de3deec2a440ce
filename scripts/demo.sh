#!/usr/bin/env bash
# make demo: analyse the bundled samples (and, once the catalog exists,
# scan them into a demo catalog and list them).
set -eu
cd "$(dirname "$0")/.."
echo "== grym analyze samples/*"
./grym analyze samples/*.flac samples/*.wav samples/*.ogg samples/*.aiff
