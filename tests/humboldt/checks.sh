# SPDX-License-Identifier: MIT
# checks.sh - sourced by humboldt's shell checks: `check NAME CMD...` counts
# a pass when CMD succeeds, else a failure and shows the captured output.
# The sourcing script sets `who` (its name in the lines) and `out` (a file
# holding the output of the command under test).
pass=0 fail=0

check() { # name, then a command that succeeds when the check holds
	local name=$1
	shift
	if "$@"; then
		echo "$who: ok   $name"
		pass=$((pass + 1))
	else
		echo "$who: FAIL $name"
		sed 's/^/    /' "$out"
		fail=$((fail + 1))
	fi
}
