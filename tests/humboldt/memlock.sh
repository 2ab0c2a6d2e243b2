#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# memlock.sh BUILD - registered buffers degrade for real: under the common
# `ulimit -l 64` that the kernel enforces (low_memlock drops CAP_IPC_LOCK,
# which would exempt root), the registered-buffer tests pass on plain
# buffers and the process says so in exactly one line, however many sets it
# registers; HUMBOLDT_REGISTERED_BUFFERS=0 gives plain buffers silently.
# Newer kernels count the rings themselves against the limit too, so this
# runs one worker with a small ring.
set -u
build=${1:?usage: memlock.sh BUILD}
dir=$build/tests/humboldt
hb=$(cd "$build" && pwd)/libhumboldt.so
tests='test_registered_buffers*'
skip=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

who=memlock
. "$(dirname "$0")/checks.sh"
lines() { # how many lines of the output match $1
	grep -c -- "$1" "$out"
}
degrade_line='humboldt: registered buffers: Cannot allocate memory (.* KiB to pin, ulimit -l is 64 KiB); using plain buffers'

"$dir/low_memlock" 64 env LD_PRELOAD="$hb" ASYNC_STD_THREADS=1 HUMBOLDT_RING_ENTRIES=8 \
	"$dir/test_ext" "$tests" >"$out" 2>&1
status=$?
if grep -q 'skipped: the kernel lacks' "$out"; then
	echo "memlock: skipped: $(grep -m1 'skipped: the kernel lacks' "$out" | sed 's/^ *//')"
	skip=1
else
	check "ulimit -l 64: the tests pass (exit 0)" test "$status" = 0
	check "ulimit -l 64: the buffers are plain" eval '[ "$(lines "buffers plain (degraded)")" -ge 1 ]'
	check "ulimit -l 64: exactly one line says why" eval '[ "$(lines "$degrade_line")" = 1 ]'

	env LD_PRELOAD="$hb" HUMBOLDT_REGISTERED_BUFFERS=0 "$dir/test_ext" "$tests" >"$out" 2>&1
	status=$?
	check "HUMBOLDT_REGISTERED_BUFFERS=0: the tests pass (exit 0)" test "$status" = 0
	check "HUMBOLDT_REGISTERED_BUFFERS=0: plain buffers, no line" \
		eval '[ "$(lines "buffers plain")" -ge 1 ] && [ "$(lines "registered buffers:")" = 0 ]'
fi

echo "$pass passed, $fail failed$([ $skip = 0 ] || echo ", $skip skipped")"
[ -n "${TEST_SUMMARY:-}" ] && echo "$pass $fail $skip" >>"$TEST_SUMMARY"
[ "$fail" = 0 ]
