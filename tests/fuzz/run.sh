#!/usr/bin/env bash
# tests/fuzz/run.sh FUZZ_BUILD SECONDS [TARGET...] - run libFuzzer targets.
#
# SECONDS > 0: fuzz each target (every FUZZ_BUILD/fuzz_* binary, or the
# ones named) for SECONDS seconds, one after the other.  New inputs go to
# FUZZ_BUILD/corpus/<target> (the committed seeds in
# tests/fuzz/corpus/<target> are read, never written); crashes, leaks and
# timeouts go to FUZZ_BUILD/artifacts/<target>/.  SECONDS = 0: replay the
# seed corpus once (-runs=0), as `make check` does.
# Prints one line per target: "ok - fuzz_x: N s, N execs, N corpus, no crash"
# or "not ok - fuzz_x: ..." with the artifact's path.
set -u
build=${1:?usage: tests/fuzz/run.sh FUZZ_BUILD SECONDS [TARGET...]}
secs=${2:?usage: tests/fuzz/run.sh FUZZ_BUILD SECONDS [TARGET...]}
shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
	for b in "$build"/fuzz_*; do [ -x "$b" ] && targets+=("$(basename "$b")"); done
fi
[ ${#targets[@]} -gt 0 ] || { echo "not ok - no fuzz targets in $build"; exit 1; }
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/fuzz/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# Decoding needs longer inputs than the parsers.
max_len() { case $1 in fuzz_decode) echo 65536 ;; fuzz_config|fuzz_theme) echo 8192 ;; *) echo 1024 ;; esac; }
# The parsers get dictionaries where one exists.
dict_of() { [ -f "tests/fuzz/$1.dict" ] && echo "-dict=tests/fuzz/$1.dict"; }
fail=0
for t in "${targets[@]}"; do
	bin="$build/$t"
	seeds="tests/fuzz/corpus/$t"
	work="$build/corpus/$t"
	art="$build/artifacts/$t"
	log="$build/$t.log"
	[ "$secs" -eq 0 ] && log="$build/$t.replay.log"
	mkdir -p "$work" "$art" "$seeds"
	if [ "$secs" -eq 0 ]; then
		"$bin" -runs=0 -timeout=20 -rss_limit_mb=2048 -max_len="$(max_len "$t")" \
			$(dict_of "$t") "$seeds" >"$log" 2>&1
	else
		"$bin" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
			-max_len="$(max_len "$t")" -artifact_prefix="$art/" -print_final_stats=1 \
			$(dict_of "$t") "$work" "$seeds" >"$log" 2>&1
	fi
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	[ -n "$execs" ] || execs=$(grep -aoE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
	n=$(ls "$work" "$seeds" 2>/dev/null | grep -vc ':$')
	if [ "$rc" -eq 0 ]; then
		if [ "$secs" -eq 0 ]; then
			echo "ok - $t corpus ($(ls "$seeds" | wc -l) inputs)"
		else
			echo "ok - $t: ${secs} s, ${execs:-?} execs, corpus $n, no crash"
		fi
	else
		fail=1
		echo "not ok - $t: exit $rc (log $log)"
		grep -aE 'ERROR|runtime error|contract violated|Test unit written' "$log" | head -5 |
			sed 's/^/# /'
	fi
done
exit "$fail"
