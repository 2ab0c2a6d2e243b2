#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# summary.sh FILE - adds up the "pass fail skip" lines the runners appended
# and prints the total as the closing line of `make test`, after the
# FAILED/CRASHED/TIMED OUT lines they appended (which name each group or
# binary lost, how it ended and the test it was in).
set -u
f=${1:?usage: summary.sh FILE}
[ -s "$f" ] || { echo "summary: no test results recorded in $f"; echo "0 passed, 1 failed"; exit 1; }
awk '/^[0-9]+ [0-9]+ [0-9]+$/ {p += $1; f += $2; s += $3; next}
	{notes[n++] = $0}
	END {
	print "== make test total"
	for (i = 0; i < n; i++)
		print notes[i]
	line = p " passed, " f " failed"
	if (s > 0) line = line ", " s " skipped"
	print line
	exit (f > 0 || p == 0)
}' "$f"
