#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sigpipe.sh BUILD - the SIGPIPE policy on every runtime (default, humboldt,
# humboldt's epoll fallback): async_std_* writes to a peer that left give
# EPIPE; a plain write(2) still dies of SIGPIPE; the program's own handler
# is kept; a child the program execs starts with SIGPIPE at its default.
set -u
build=${1:?usage: sigpipe.sh BUILD}
prog=$build/tests/shim/sigpipe
hb=$(cd "$build" && pwd)/libhumboldt.so
no_uring=$build/tests/humboldt/no_uring
out=$(mktemp)
trap 'rm -f "$out"' EXIT

who=sigpipe
. "$(dirname "$0")/../humboldt/checks.sh"
has() { grep -q -- "$1" "$out"; }

for rt in default humboldt fallback; do
	case $rt in
	default) run=(env) ;;
	humboldt) run=(env LD_PRELOAD="$hb") ;;
	fallback) run=("$no_uring" env LD_PRELOAD="$hb") ;;
	esac
	"${run[@]}" "$prog" epipe >"$out" 2>&1
	status=$?
	check "$rt: writes to a pipe and a socket whose reader left: exit 0" test "$status" = 0
	check "$rt: both give EPIPE" has '^EPIPE EPIPE$'

	"${run[@]}" "$prog" plain >"$out" 2>&1
	status=$?
	check "$rt: a plain write(2) still dies of SIGPIPE (141)" test "$status" = 141

	SIGPIPE_MODE=own-handler "${run[@]}" "$prog" own-handler >"$out" 2>&1
	status=$?
	check "$rt: own handler: exit 0" test "$status" = 0
	check "$rt: own handler: EPIPE, and the handler is still the program's" \
		eval 'has "^EPIPE EPIPE$" && has "^own handler kept$"'

	"${run[@]}" "$prog" exec >"$out" 2>&1
	status=$?
	mask=$(sed -n 's/^SigIgn:[[:space:]]*//p' "$out")
	check "$rt: exec: the child ran" test -n "$mask"
	check "$rt: exec: the child does not ignore SIGPIPE" \
		test $(((16#${mask:-0} >> 12) & 1)) = 0
done

echo "$pass passed, $fail failed"
[ -n "${TEST_SUMMARY:-}" ] && echo "$pass $fail 0" >>"$TEST_SUMMARY"
[ "$fail" = 0 ]
