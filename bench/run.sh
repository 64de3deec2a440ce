#!/usr/bin/env bash
# make bench: every benchmark, printing figures (none of them are tests).
# Benchmarks that need ../shared/bench say so when it is absent.
set -u
cd "$(dirname "$0")/.."
if [ -d ../shared/bench ]; then
	echo "development corpora: ../shared/bench present"
else
	echo "development corpora: ../shared/bench absent; accuracy benchmarks will be skipped"
fi
echo "machine: $(nproc) cores, $(uname -m), load $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
for b in bench/analyze_bench.sh bench/*_bench.sh; do
	[ -f "$b" ] || continue
	case " ${done_list:-} " in *" $b "*) continue ;; esac
	done_list="${done_list:-} $b"
	echo
	echo "#### $b"
	bash "$b" || { echo "($b failed)"; status=1; }
done
exit $status
