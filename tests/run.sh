#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run.sh - runs test binaries with a time limit each and sums up their results
# (after liburing's runtests.sh).
#
#   tests/run.sh [--env 'VAR=val ...'] [--per-group] BIN... [--env ... BIN...]
#
# Each BIN runs with the environment assignments of the last --env before it
# (--env '' clears them), under `timeout` (TEST_TIMEOUT seconds, default 1800:
# it only ends a run that hangs, so it must not trip on a slow machine),
# behind RUN_PREFIX if set (e.g. RUN_PREFIX="env LD_PRELOAD=libhumboldt.so"),
# so the same binary can run under another runtime.  `--per-group BIN` runs
# BIN once per test group, each in its own process (`BIN --list-groups`
# prints "COUNT NAME" lines, `BIN --group NAME` runs one), so a crash costs
# that group only.  Output is shown as it comes; a cmocka test that took
# TEST_SLOW seconds or more (default 10) gets a line saying how long.
#
# cmocka binaries are counted per test case from their summary lines
# ("[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)" / "[  SKIPPED ] N
# test(s)"); any other binary counts as one test (exit 0 passed, 77 skipped,
# anything else failed).  A binary that crashed, timed out, or exited non-zero
# although all its tests passed counts one failure more; the list at the end
# names it with its signal or exit status and the last test it started.
#
# The last line is "N passed, N failed" (", N skipped" when some were).  When
# TEST_SUMMARY names a file, "passed failed skipped" is appended to it, and
# the FAILED/CRASHED/TIMED OUT lines, for tests/summary.sh.  Exit status: 1
# if anything failed, else 0.
set -u

timeout_s=${TEST_TIMEOUT:-1800}
case $timeout_s in
'' | *[!0-9]*) echo "run.sh: TEST_TIMEOUT=$timeout_s: expected seconds (1..86400)" >&2; exit 2 ;;
esac
slow_s=${TEST_SLOW:-10}
case $slow_s in
'' | *[!0-9]*) echo "run.sh: TEST_SLOW=$slow_s: expected seconds" >&2; exit 2 ;;
esac
read -r -a prefix <<<"${RUN_PREFIX:-}"

passed=0 failed=0 skipped=0
failures=() timeouts=() skips=() crashes=()
env_words=()
ran=0
per_group=0

log=$(mktemp "${TMPDIR:-/tmp}/run-sh.XXXXXX") || exit 2
trap 'rm -f "$log"' EXIT

count_lines() { # pattern -> number of matching lines in $log
	grep -cE "$1" "$log" || true
}

sum_summary() { # label -> sum of N over "[  label ] N test(s)" lines
	sed -nE "s/^\[  $1 *\] ([0-9]+) test\(s\).*/\1/p" "$log" | awk '{s += $1} END {print s + 0}'
}

# Copies a binary's output to stdout and to $log; after a cmocka test that
# took $slow_s seconds or more, adds a line saying how long.
show_and_log() {
	local line name='' t0=0 us
	while IFS= read -r line || [ -n "$line" ]; do
		printf '%s\n' "$line"
		printf '%s\n' "$line" >&3
		case $line in
		'[ RUN      ] '*)
			name=${line#'[ RUN      ] '}
			t0=${EPOCHREALTIME/[.,]/}
			;;
		'[       OK ] '* | '[  FAILED  ] '* | '[  SKIPPED ] '* | '[  ERROR   ] '*)
			[ -n "$name" ] || continue
			us=$((${EPOCHREALTIME/[.,]/} - t0))
			if [ $us -ge $((slow_s * 1000000)) ]; then
				line=$(printf '    slow: %s took %d.%d s' "$name" $((us / 1000000)) \
					$((us / 100000 % 10)))
				printf '%s\n' "$line"
				printf '%s\n' "$line" >&3
			fi
			name=''
			;;
		esac
	done 3>"$log"
}

# "killed by SIGSEGV" for a status above 128, else "exit status N".
how_it_ended() {
	local rc=$1 sig
	if [ "$rc" -gt 128 ] && [ "$rc" -lt 160 ] && sig=$(kill -l $((rc - 128)) 2>/dev/null); then
		echo "killed by SIG$sig"
	else
		echo "exit status $rc"
	fi
}

# run_one EXPECTED BIN ARG...: EXPECTED is the number of tests the run should
# report (0: unknown), to name those a crash kept from running.
run_one() {
	local expected=$1 bin=$2 label=$2 rc start end secs
	shift 2
	local a
	for a in "$@"; do
		case $a in
		*[!A-Za-z0-9_./=-]*) label="$label '$a'" ;;
		*) label="$label $a" ;;
		esac
	done
	[ ${#env_words[@]} -gt 0 ] && label="${env_words[*]} $label"
	[ ${#prefix[@]} -gt 0 ] && label="${prefix[*]} $label"
	echo "==> $label"
	if [ ! -x "$bin" ]; then
		echo "run.sh: $bin: not an executable file"
		failures+=("$label (missing)")
		failed=$((failed + 1))
		return
	fi
	start=$(date +%s)
	# The prefix goes after timeout: a RUN_PREFIX of "valgrind ..." must run
	# the test, not timeout (valgrind does not follow children).
	env ${env_words[@]+"${env_words[@]}"} timeout -k 10 "$timeout_s" \
		${prefix[@]+"${prefix[@]}"} "$bin" "$@" 2>&1 | show_and_log
	rc=${PIPESTATUS[0]}
	end=$(date +%s)
	secs=$((end - start))

	local runs pass fail skip err has_summary=0
	runs=$(count_lines '^\[ RUN      \] ')
	if grep -qE '^\[  PASSED  \] [0-9]+ test\(s\)' "$log"; then
		has_summary=1
	fi

	if [ "$runs" -eq 0 ] && [ $has_summary = 0 ]; then
		# Not a cmocka binary: one test.
		case $rc in
		0) passed=$((passed + 1)) ;;
		77) skipped=$((skipped + 1)); skips+=("$label") ;;
		124 | 137) failed=$((failed + 1)); timeouts+=("$label (after ${timeout_s} s)") ;;
		*) failed=$((failed + 1)); failures+=("$label ($(how_it_ended "$rc"))") ;;
		esac
		echo "<== $label: exit status $rc, ${secs} s"
		return
	fi

	# Per-test names for the lists at the end.
	local name
	while IFS= read -r name; do
		failures+=("$label: $name")
	done < <(sed -nE '/^\[  (FAILED|ERROR) *\] [0-9]+ test\(s\)/d; /^\[  (FAILED|ERROR) *\] ---/d;
		s/^\[  (FAILED|ERROR) *\] (.+)$/\2/p' "$log" | sort -u)
	while IFS= read -r name; do
		skips+=("$label: $name")
	done < <(sed -nE '/^\[  SKIPPED \] [0-9]+ test\(s\)/d; s/^\[  SKIPPED \] (.+)$/\1/p' "$log" | sort -u)

	if [ $has_summary = 1 ]; then
		pass=$(sum_summary PASSED)
		fail=$(sum_summary FAILED)
		skip=$(sum_summary SKIPPED)
		# Tests whose setup or teardown failed are listed as ERROR only.
		err=$(sed -nE '/^\[  ERROR   \] ---/d; /^\[  ERROR   \] [^ ]/p' "$log" | wc -l)
		fail=$((fail + err))
	else
		pass=$(count_lines '^\[       OK \] ')
		fail=$(count_lines '^\[  (FAILED|ERROR) *\] [^-0-9]')
		skip=$(count_lines '^\[  SKIPPED \] [^0-9]')
	fi
	passed=$((passed + pass))
	failed=$((failed + fail))
	skipped=$((skipped + skip))

	local extra="" last not_run=""
	last=$(sed -nE 's/^\[ RUN      \] //p' "$log" | tail -1)
	if [ "$expected" -gt 0 ] && [ $((pass + fail + skip)) -lt "$expected" ]; then
		not_run="; $((expected - pass - fail - skip)) of its $expected tests did not finish"
	fi
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		failed=$((failed + 1))
		extra=" (+1 failed: timed out)"
		timeouts+=("$label (after ${timeout_s} s, in ${last:-no test}$not_run)")
	elif [ $has_summary = 0 ]; then
		failed=$((failed + 1))
		extra=" (+1 failed: crashed)"
		crashes+=("$label ($(how_it_ended "$rc"), in ${last:-no test}$not_run)")
	elif [ "$fail" -eq 0 ] && [ "$rc" != 0 ]; then
		failed=$((failed + 1))
		extra=" (+1 failed: bad exit status)"
		crashes+=("$label ($(how_it_ended "$rc") after all its tests passed)")
	fi
	echo "<== $label: $pass passed, $fail failed, $skip skipped, $(how_it_ended "$rc"), ${secs} s$extra"
}

# Runs bin once per group it lists; a binary that cannot list its groups
# counts as one failure.
run_groups() {
	local bin=$1 count name listed=0 groups
	if [ ! -x "$bin" ]; then
		run_one 0 "$bin"
		return
	fi
	if ! groups=$(env ${env_words[@]+"${env_words[@]}"} "$bin" --list-groups); then
		echo "run.sh: $bin --list-groups failed"
		failures+=("$bin --list-groups (could not list the groups)")
		failed=$((failed + 1))
		return
	fi
	while read -r count name; do
		[ -n "$name" ] || continue
		run_one "$count" "$bin" --group "$name"
		listed=$((listed + 1))
	done <<<"$groups"
	if [ $listed = 0 ]; then
		failures+=("$bin --list-groups (listed no group)")
		failed=$((failed + 1))
	fi
}

while [ $# -gt 0 ]; do
	case $1 in
	--env)
		[ $# -ge 2 ] || { echo "run.sh: --env needs an argument" >&2; exit 2; }
		read -r -a env_words <<<"$2"
		shift 2
		;;
	--env=*)
		read -r -a env_words <<<"${1#--env=}"
		shift
		;;
	--per-group)
		per_group=1
		shift
		;;
	-h | --help)
		sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		if [ $per_group = 1 ]; then
			run_groups "$1"
		else
			run_one 0 "$1"
		fi
		per_group=0
		ran=$((ran + 1))
		shift
		;;
	esac
done

if [ $ran = 0 ]; then
	echo "usage: tests/run.sh [--env 'VAR=val ...'] [--per-group] BIN..." >&2
	exit 2
fi

echo
for x in ${failures[@]+"${failures[@]}"}; do echo "FAILED:    $x"; done
for x in ${crashes[@]+"${crashes[@]}"}; do echo "CRASHED:   $x"; done
for x in ${timeouts[@]+"${timeouts[@]}"}; do echo "TIMED OUT: $x"; done
for x in ${skips[@]+"${skips[@]}"}; do echo "SKIPPED:   $x"; done

line="$passed passed, $failed failed"
[ $skipped -gt 0 ] && line="$line, $skipped skipped"
if [ -n "${TEST_SUMMARY:-}" ]; then
	{
		echo "$passed $failed $skipped"
		for x in ${failures[@]+"${failures[@]}"}; do echo "FAILED:    $x"; done
		for x in ${crashes[@]+"${crashes[@]}"}; do echo "CRASHED:   $x"; done
		for x in ${timeouts[@]+"${timeouts[@]}"}; do echo "TIMED OUT: $x"; done
	} >>"$TEST_SUMMARY"
fi
echo "$line"
[ $failed -eq 0 ]
