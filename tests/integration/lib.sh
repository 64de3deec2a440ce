# tests/integration/lib.sh - helpers for integration scripts.
# Each check prints "ok - NAME" or "not ok - NAME" (counted by tests/run.sh).
# $GRYM is the binary under test; $GRYM_BUILD its build directory.
set -u
: "${GRYM:?GRYM must name the grym binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/grym-test.XXXXXX")
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
export GRYM_CATALOG="$T/catalog.db"
FAILED=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; FAILED=1; }

# check NAME COMMAND...: passes when COMMAND exits 0
check() {
	local name=$1; shift
	if "$@" >"$T/.out" 2>&1; then ok "$name"; else not_ok "$name"; sed 's/^/# /' "$T/.out" | head -20; fi
}

# check_status NAME STATUS COMMAND...: passes when COMMAND exits with STATUS
check_status() {
	local name=$1 want=$2; shift 2
	"$@" >"$T/.out" 2>"$T/.err"
	local rc=$?
	if [ "$rc" -eq "$want" ]; then ok "$name"; else
		not_ok "$name (exit $rc, wanted $want)"; sed 's/^/# /' "$T/.err" | head -10; fi
}

# contains NAME FILE TEXT: FILE has a line containing TEXT (fixed string)
contains() {
	if grep -qF -- "$3" "$2"; then ok "$1"; else
		not_ok "$1 (no '$3')"; sed 's/^/# /' "$2" | head -10; fi
}

finish() { exit "$FAILED"; }
