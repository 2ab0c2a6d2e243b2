#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# abi-compat.sh - ABI baselines with libabigail: `dump` writes a library's ABI
# (abidw) to a baseline file, `check` compares a fresh build with it (abidiff)
# and fails on a change that can break programs built against the baseline.
#
#   abi-compat.sh dump  LIB BASELINE.abi PUBLIC_HEADER...
#   abi-compat.sh check BASELINE.abi LIB PUBLIC_HEADER...
#
# What fails: abidiff's exit status with the added symbols left out
# (--no-added-syms) and tools/abi.suppr applied.  Bit 8 (incompatible: a
# function or variable removed) fails, and so does bit 4 (a harmful change
# such as a parameter or return type or a struct layout that changed):
# abidiff 2.2 reports `int f(int)` becoming `long f(long)` as bit 4 only.
# Compatible, so passing: added functions and variables, and members appended
# to the size-prefixed structs listed in abi.suppr.  The full report is
# printed either way; additions come with a reminder to record them.
# Both sides are written by the same abidw command, so both are filtered
# alike.  Appends "pass fail skip" to $TEST_SUMMARY when it is set (check).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
[ $# -ge 4 ] && { [ "$mode" = dump ] || [ "$mode" = check ]; } || {
	echo "usage: abi-compat.sh dump LIB OUT.abi HEADER... | check BASELINE.abi LIB HEADER..." >&2
	exit 2
}
suppr=tools/abi.suppr

record() { # pass fail skip
	[ -n "${TEST_SUMMARY:-}" ] && echo "$1 $2 $3" >>"$TEST_SUMMARY"
	return 0
}

# The ABI of the library's exported interfaces, with nothing that depends on
# where or when it was built (no paths, no line numbers, hashed type ids).
abi_dump() { # lib out headers...
	local lib=$1 out=$2 h
	shift 2
	local args=()
	for h in "$@"; do args+=(--header-file "$h"); done
	abidw "${args[@]}" --drop-private-types --exported-interfaces-only \
		--no-corpus-path --no-comp-dir-path --no-show-locs --type-id-style hash \
		--out-file "$out" "$lib"
}

if ! command -v abidw >/dev/null || ! command -v abidiff >/dev/null; then
	if [ "$mode" = dump ]; then
		echo "abi-compat: abidw not found (Debian: apt-get install abigail-tools)"
		exit 1
	fi
	echo "abi-compat: abidw/abidiff not found (Debian: apt-get install abigail-tools); skipped"
	record 0 0 1
	exit 0
fi

if [ "$mode" = dump ]; then
	lib=$2 out=$3
	shift 3
	abi_dump "$lib" "$out.tmp" "$@"
	mv "$out.tmp" "$out"
	echo "abi-compat: wrote $out from $lib"
	exit 0
fi

baseline=$2 lib=$3
shift 3
if [ ! -f "$baseline" ]; then
	echo "abi-compat: no baseline $baseline: make abi-baseline writes it"
	record 0 1 0
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
abi_dump "$lib" "$tmp/new.abi" "$@"

set +e
abidiff --no-added-syms --suppressions "$suppr" "$baseline" "$tmp/new.abi" >"$tmp/verdict"
verdict=$?
abidiff --suppressions "$suppr" "$baseline" "$tmp/new.abi" >"$tmp/report"
set -e

if [ $((verdict & 3)) != 0 ]; then # 1: abidiff failed, 2: usage error
	echo "abi-compat: abidiff could not compare $baseline with $lib (exit status $verdict):"
	sed 's/^./  &/' "$tmp/verdict"
	record 0 1 0
	exit 1
fi
added=$({ grep 'changes summary' "$tmp/report" || true; } | { grep -oE '[0-9]+ Added' || true; } |
	awk '{s += $1} END {print s + 0}')
if [ "$verdict" = 0 ]; then
	if [ "$added" != 0 ]; then
		sed 's/^./  &/' "$tmp/report"
		echo "abi-compat: $lib adds $added symbol$([ "$added" = 1 ] || echo s) to $baseline" \
			"(compatible); record with make abi-baseline"
	else
		echo "abi-compat: $lib matches $baseline"
	fi
	record 1 0 0
	exit 0
fi
sed 's/^./  &/' "$tmp/report"
if [ $((verdict & 8)) != 0 ]; then
	why="an incompatible ABI change (something was removed)"
else
	why="a harmful ABI change (a type, a parameter or a layout changed)"
fi
echo "abi-compat: $lib has $why against $baseline (report above)." \
	"If it is intended (before the first tagged release, or with a new version node), record it with make abi-baseline"
record 0 1 0
exit 1
