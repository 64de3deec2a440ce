#!/usr/bin/env bash
# tests/run.sh BUILD_DIR - run every unit test (cmocka, TAP output) and
# every integration script against the binaries in BUILD_DIR.  Each test
# case prints "ok ..." or "not ok ..."; a program that dies without
# reporting a failure counts as one failure.  Writes "passed failed" to
# tests/.results/<build>.counts and prints "N passed, N failed".
set -u
build=${1:?usage: tests/run.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"
results=tests/.results
mkdir -p "$results"
tag=$(basename "$build")
pass=0
fail=0
export GRYM="$root/$build/grym"
export GRYM_BUILD="$root/$build"
export GRYM_ROOT="$root"
export CMOCKA_MESSAGE_OUTPUT=TAP
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0:exitcode=23}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=23}
# Tests never read the user's configuration or catalog.
export XDG_CONFIG_HOME=$(mktemp -d)
export XDG_DATA_HOME=$(mktemp -d)
unset GRYM_CATALOG NO_COLOR
trap 'rm -rf "$XDG_CONFIG_HOME" "$XDG_DATA_HOME"' EXIT

run_one() { # name, command...
	local name=$1; shift
	local log="$results/$tag.$name.log"
	local t0=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	local p f
	p=$(grep -cE '^ok ' "$log")
	f=$(grep -cE '^not ok ' "$log")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name exited with status $rc" >>"$log"
	fi
	if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "not ok - $name ran no test" >>"$log"
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	printf '  %-8s %-36s %4d passed %3d failed %4ds\n' "$tag" "$name" "$p" "$f" $((SECONDS - t0))
	if [ "$f" -ne 0 ]; then
		grep -E '^not ok |^# ' "$log" | head -40 | sed 's/^/      /'
		grep -E 'ERROR: AddressSanitizer|runtime error:' "$log" | head -5 | sed 's/^/      /'
	fi
}

for t in "$build"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
for s in tests/integration/*.sh; do
	[ -f "$s" ] || continue
	case $(basename "$s") in lib.sh) continue ;; esac
	run_one "$(basename "$s" .sh)" timeout 900 bash "$s"
done
echo "$pass $fail" >"$results/$tag.counts"
echo "$tag: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
