#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# fallback.sh BUILD - humboldt's loud fallback, for real: a seccomp filter
# makes io_uring_setup fail, and the program must say why in one line and
# run on epoll; with HUMBOLDT_REQUIRE_URING=1 it must exit with status 2.
set -u
build=${1:?usage: fallback.sh BUILD}
no_uring=$build/tests/humboldt/no_uring
probe=$build/tests/humboldt/test_binding
hb=$(cd "$build" && pwd)/libhumboldt.so
out=$(mktemp)
trap 'rm -f "$out"' EXIT

who=fallback
. "$(dirname "$0")/checks.sh"
one_line() { # the output has exactly one line matching $1
	[ "$(grep -c -- "$1" "$out")" = 1 ]
}

"$no_uring" env LD_PRELOAD="$hb" "$probe" >/dev/null 2>"$out"
status=$?
check "EPERM: runs on epoll (exit 0)" test "$status" = 0
check "EPERM: one line names the reason" \
	one_line 'humboldt: io_uring_setup: Operation not permitted (a seccomp filter or container policy forbids io_uring); falling back to epoll'

"$no_uring" -e 38 env LD_PRELOAD="$hb" "$probe" >/dev/null 2>"$out"
status=$?
check "ENOSYS: runs on epoll (exit 0)" test "$status" = 0
check "ENOSYS: one line names the reason" one_line 'io_uring_setup: Function not implemented (no io_uring in this kernel, or a seccomp filter hides it); falling back to epoll'

"$no_uring" env LD_PRELOAD="$hb" HUMBOLDT_REQUIRE_URING=1 "$probe" >/dev/null 2>"$out"
status=$?
check "HUMBOLDT_REQUIRE_URING=1: exit status 2" test "$status" = 2
check "HUMBOLDT_REQUIRE_URING=1: one line says why" \
	one_line 'and HUMBOLDT_REQUIRE_URING=1'

env LD_PRELOAD="$hb" HUMBOLDT_RING_ENTRIES=4 "$probe" >/dev/null 2>"$out"
status=$?
check "HUMBOLDT_RING_ENTRIES=4: exit status 2" test "$status" = 2
check "HUMBOLDT_RING_ENTRIES=4: one line names the range" \
	one_line 'HUMBOLDT_RING_ENTRIES=4 is out of range (accepted: 8..32768)'

env LD_PRELOAD="$hb" "$probe" >/dev/null 2>"$out"
check "io_uring allowed: no fallback line" eval '! grep -q "falling back" "$out"'

# Every size of the documented range sets up a ring (the kernel rounds the
# SQ up to a power of two, and its CQ limit once refused 16,385 and up).
for n in 8 4097 16384 16385 32768; do
	env LD_PRELOAD="$hb" HUMBOLDT_RING_ENTRIES=$n HUMBOLDT_REQUIRE_URING=1 "$probe" \
		>/dev/null 2>"$out"
	status=$?
	check "HUMBOLDT_RING_ENTRIES=$n: a ring, no fallback (exit 0)" test "$status" = 0
done

# Every ring counts against a low `ulimit -l` (charged to the user, freed a
# little after each ring ends): whether a given worker's ring fits depends on
# timing, so check what must hold either way: the program works, and the only
# thing it may say is the per-worker fallback line.
"$build/tests/humboldt/low_memlock" 64 env LD_PRELOAD="$hb" ASYNC_STD_THREADS=8 \
	HUMBOLDT_RING_ENTRIES=8 "$probe" >/dev/null 2>"$out"
status=$?
check "ulimit -l 64, 8 workers: runs (exit 0)" test "$status" = 0
check "ulimit -l 64, 8 workers: nothing but per-worker fallback lines" \
	eval '! grep -v "^async_std: humboldt: worker [0-9]*: io_uring_setup: Cannot allocate memory (ulimit -l is 64 KiB); this worker falls back to epoll (same semantics)$" "$out" | grep -q "^async_std:"'

echo "$pass passed, $fail failed"
[ -n "${TEST_SUMMARY:-}" ] && echo "$pass $fail 0" >>"$TEST_SUMMARY"
[ "$fail" = 0 ]
