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

# ---- the browser under tmux (tui*.sh): each script sets $SOCK, starts its
# session and may redefine screen() ----------------------------------------
tm() { tmux -L "$SOCK" -f /dev/null "$@"; }
screen() { tm capture-pane -p; }
# wait_for TEXT [SECONDS]: until the pane shows TEXT (fixed string)
wait_for() {
	local i n=$(( ${2:-5} * 20 ))
	for ((i = 0; i < n; i++)); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.05
	done
	return 1
}
# expect NAME TEXT [SECONDS]
expect() {
	if wait_for "$2" "${3:-5}"; then ok "$1"; else
		not_ok "$1 (no '$2')"; screen | sed 's/^/# /'; fi
}
keys() { tm send-keys "$@"; }
