#!/usr/bin/env bash
# Replay every fuzz target's seed corpus (tests/fuzz/corpus/<target>: seeds
# and the inputs of crashes found and fixed) once, with the libFuzzer
# binaries of build/fuzz (clang, ASan+UBSan), built here if they are
# missing or stale.  One "ok - fuzz_x corpus" line per target.  Long runs:
# make fuzz FUZZ_SECONDS=N.
. "$(dirname "$0")/lib.sh"
root=${GRYM_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$root" || exit 1
if ! command -v clang >/dev/null; then
	not_ok "fuzz: clang is missing (scripts/deps.sh installs it)"
	finish
fi
# One build at a time (the release and the sanitizer passes of make check
# both come here; the second finds everything up to date).
if ! make --no-print-directory -j2 BUILD=build/fuzz CC=clang FUZZ=1 fuzz-build >"$T/build.log" 2>&1; then
	not_ok "fuzz: build the fuzz targets (make BUILD=build/fuzz CC=clang FUZZ=1 fuzz-build)"
	grep -E 'error|cannot find' "$T/build.log" | head -5 | sed 's/^/# /'
	finish
fi
ok "fuzz: targets built"
tests/fuzz/run.sh build/fuzz 0 || FAILED=1
finish
