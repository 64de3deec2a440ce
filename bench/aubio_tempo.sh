#!/usr/bin/env bash
# bench/aubio_tempo.sh OUT.tsv FILE... - the open peer: aubio's beat tracker
# (aubiotrack, Debian package aubio-tools) on each file, summarised as
# 60 / median inter-beat interval.  Writes "file<TAB>answer" rows.
set -u
out=$1; shift
printf 'file\tanswer\n' >"$out"
for f in "$@"; do
	bpm=$(aubiotrack -i "$f" 2>/dev/null | awk '
		{ t[n++] = $1 }
		END {
			if (n < 3) { exit }
			for (i = 1; i < n; i++) d[i - 1] = t[i] - t[i - 1]
			m = n - 1
			# insertion sort: a few hundred intervals
			for (i = 1; i < m; i++) { v = d[i]; j = i - 1
				while (j >= 0 && d[j] > v) { d[j + 1] = d[j]; j-- } d[j + 1] = v }
			med = (m % 2) ? d[(m - 1) / 2] : (d[m / 2 - 1] + d[m / 2]) / 2
			if (med > 0) printf "%.2f", 60 / med
		}')
	printf '%s\t%s\n' "$(basename "$f")" "$bpm" >>"$out"
done
