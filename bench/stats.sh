# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# bench/stats.sh - sourced by the benchmark scripts (bench/run.sh,
# bench/io/run.sh, bench/peers/lib.sh): one way to summarise repeated runs.
#
# bench_stats FILE KEY [FMT] -> "median min max count" of KEY=value over the
# key=value lines in FILE ("- - - 0" when there are none); FMT is the awk
# printf format of the three numbers (default %s: as recorded).
bench_stats() {
	[ -f "$1" ] || { echo "- - - 0"; return; }
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" "$1" | sort -g | awk -v f="${3:-%s}" '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "- - - 0"; exit }
			m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf f " " f " " f " %d\n", m, v[1], v[NR], NR
		}'
}
