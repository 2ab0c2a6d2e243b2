#!/usr/bin/env bash
# summary.sh FILE - adds up the "pass fail skip" lines the runners appended
# and prints the total as the closing line of `make test`.
set -u
f=${1:?usage: summary.sh FILE}
[ -s "$f" ] || { echo "summary: no test results recorded in $f"; echo "0 passed, 1 failed"; exit 1; }
awk '{p += $1; f += $2; s += $3} END {
	line = p " passed, " f " failed"
	if (s > 0) line = line ", " s " skipped"
	print "== make test total"
	print line
	exit (f > 0 || p == 0)
}' "$f"
