#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/run.sh - the runtime micro-benchmarks, each run BENCH_RUNS times
# (default 5, interleaved round by round so every benchmark sees the same
# machine state), reported as median, min and max, with the bare switch
# floor measured in the same run and the issue's targets checked.
#
#   BUILD=build bench/run.sh [runtime.so]     (make bench runs it)
#
# With an argument, the benchmarks run with LD_PRELOAD=runtime.so.  Sizes
# come from the environment: BENCH_RUNS, BENCH_N_FLOOR, BENCH_N_YIELD,
# BENCH_N_SPAWN, BENCH_N_SLEEP0, BENCH_N_SLEEPERS, BENCH_SLEEP_MS, BENCH_N_CHAN,
# BENCH_N_CHAN_CROSS, BENCH_N_MUTEX, BENCH_N_DUMP, BENCH_N_TIMERS, BENCH_N_XRT.
# Exit status 1 when a benchmark failed to run; a missed target is reported,
# not an error.
# shellcheck disable=SC2317 # cleanup() runs from the trap
set -u

BUILD=${BUILD:-build}
BIN=$BUILD/bench
PRELOAD=${1:-}
RUNS=${BENCH_RUNS:-5}
N_FLOOR=${BENCH_N_FLOOR:-20000000}
N_YIELD=${BENCH_N_YIELD:-5000000}
N_SPAWN=${BENCH_N_SPAWN:-2000000}
N_SLEEP0=${BENCH_N_SLEEP0:-2000000}
N_SLEEPERS=${BENCH_N_SLEEPERS:-1000000}
N_CHAN=${BENCH_N_CHAN:-2000000}
# Across workers every hand-over wakes the other worker: far slower.
N_CHAN_CROSS=${BENCH_N_CHAN_CROSS:-100000}
N_MUTEX=${BENCH_N_MUTEX:-20000000}
N_DUMP=${BENCH_N_DUMP:-100000}
N_TIMERS=${BENCH_N_TIMERS:-50000}
# humboldt <-> gcd: every hand-over is a cross-thread wake-up.
N_XRT=${BENCH_N_XRT:-50000}
# The common deadline must fall after the last task has started, or the
# late ones never sleep alongside the others (sleepers reports them as late).
SLEEP_MS=${BENCH_SLEEP_MS:-15000}
NPROC=$(nproc)

# Benchmarks: id | ASYNC_STD_THREADS | timeout (s) | command line under $BIN.
# Adding one is one line here plus its rows below.
BENCHES=(
	"floor|-|120|switch_floor $N_FLOOR"
	"yield|1|120|yield $N_YIELD"
	"spawn1|1|120|spawn_join $N_SPAWN 1"
	"spawn1000|1|120|spawn_join $N_SPAWN 1000"
	"spawn1_all|$NPROC|120|spawn_join $N_SPAWN 1"
	"sleep0|1|120|sleep0 $N_SLEEP0"
	"sleepers|$NPROC|300|sleepers $N_SLEEPERS $SLEEP_MS"
	"timers|$NPROC|120|timers $N_TIMERS 50"
	"chan1|1|120|chan_pingpong $N_CHAN same"
	"chan2|2|120|chan_pingpong $N_CHAN_CROSS cross"
	"mutex|1|120|mutex $N_MUTEX"
	"dump|$NPROC|120|dump $N_DUMP"
	"interop|1|120|interop $N_XRT $N_XRT"
)
# Rows of the table: id | key printed by the program | label | unit.
ROWS=(
	"floor|ns_per_switch_ret|switch, runtime form (ret resume)|ns/switch"
	"floor|ns_per_switch_jmp|switch, jmp resume (bare floor)|ns/switch"
	"floor|ns_per_switch|switch floor (lower of the two)|ns/switch"
	"yield|ns_per_yield|yield, 2 tasks SPAWN_LOCAL|ns/yield"
	"yield|ns_per_round_trip|yield round trip (A->B->A)|ns/rtt"
	"spawn1|ns_per_task|spawn+join, batch 1|ns/task"
	"spawn1000|ns_per_task|spawn+join, batch 1000|ns/task"
	"spawn1_all|ns_per_task|spawn+join, batch 1, all workers|ns/task"
	"sleep0|ns_per_call|sleep(0)|ns/call"
	"sleepers|kib_per_task_hwm|${N_SLEEPERS} sleepers: VmHWM growth|KiB/task"
	"sleepers|kib_per_task_rss|${N_SLEEPERS} sleepers: VmRSS asleep|KiB/task"
	"sleepers|spawn_ns_per_task|${N_SLEEPERS} sleepers: spawn|ns/task"
	"sleepers|all_started_ms|${N_SLEEPERS} sleepers: all started|ms"
	"sleepers|wake_all_ms|${N_SLEEPERS} sleepers: deadline->all joined|ms"
	"timers|late_p50_ms|${N_TIMERS} sleepers over 50 ms: lateness p50|ms"
	"timers|late_p99_ms|${N_TIMERS} sleepers over 50 ms: lateness p99|ms"
	"timers|late_max_ms|${N_TIMERS} sleepers over 50 ms: lateness max|ms"
	"chan1|ns_per_round_trip|chan ping-pong, capacity 0, same worker|ns/rtt"
	"chan2|ns_per_round_trip|chan ping-pong, capacity 0, 2 workers|ns/rtt"
	"mutex|ns_per_lock_unlock|mutex lock+unlock, uncontended|ns/pair"
	"mutex|pthread_ns_per_lock_unlock|pthread_mutex lock+unlock (reference)|ns/pair"
	"dump|capture_ns_per_task|task dump of ${N_DUMP}: capture per task|ns/task"
	"dump|pause_total_ms|task dump of ${N_DUMP}: all workers' pauses|ms"
	"dump|pause_max_ms|task dump of ${N_DUMP}: longest worker pause|ms"
	"interop|xrt_chan_ns_per_round_trip|chan ping-pong humboldt <-> gcd (1 worker each)|ns/rtt"
	"interop|xrt_spawn_ns_per_task|spawn onto gcd + join, from humboldt|ns/task"
	"interop|same_spawn_ns_per_task|spawn+join on humboldt (same run)|ns/task"
	"dump|dump_ms_raw|task dump of ${N_DUMP}: whole dump, addresses|ms"
	"dump|dump_ms_symbols|task dump of ${N_DUMP}: whole dump, symbols|ms"
)

tmp=$(mktemp -d)
child=
cleanup() {
	# timeout(1) runs in a process group of its own (group id = its pid)
	[ -n "$child" ] && { kill -KILL -- "-$child" "$child"; wait; } 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

field() { # field ID N -> the N-th |-separated field of a table line
	local -a f
	IFS='|' read -r -a f <<<"$1"
	printf '%s' "${f[$2]}"
}

for b in "${BENCHES[@]}"; do
	prog=$(field "$b" 3); prog=${prog%% *}
	if [ ! -x "$BIN/$prog" ]; then
		echo "bench/run.sh: $BIN/$prog missing; run 'make bench'" >&2
		exit 1
	fi
done
if [ -n "$PRELOAD" ] && [ ! -e "$PRELOAD" ]; then
	echo "bench/run.sh: $PRELOAD not found" >&2
	exit 1
fi

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
[ -n "$cpu" ] || cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)
rtname=$(env ${PRELOAD:+LD_PRELOAD=$PRELOAD} ASYNC_STD_THREADS=1 timeout 20 "$BIN/sleep0" 1 |
	 sed -n 's/.*runtime=\([^ ]*\).*/\1/p')
echo "async_std benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "machine: nproc $NPROC, kernel $(uname -sr) $(uname -m), CPU ${cpu:-unknown}"
echo "load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg) (other processes skew the figures)"
echo "runtime: ${rtname:-?} (${PRELOAD:-$BUILD/libasync_std.so.1}), $RUNS runs each, interleaved"
echo

failures=0
for ((r = 1; r <= RUNS; r++)); do
	printf 'round %d/%d:' "$r" "$RUNS" >&2
	for b in "${BENCHES[@]}"; do
		id=$(field "$b" 0); threads=$(field "$b" 1); limit=$(field "$b" 2); cmd=$(field "$b" 3)
		printf ' %s' "$id" >&2
		envs=()
		[ "$threads" != - ] && envs+=("ASYNC_STD_THREADS=$threads")
		[ -n "$PRELOAD" ] && envs+=("LD_PRELOAD=$PRELOAD")
		# shellcheck disable=SC2086 # cmd is a program and its numeric arguments
		env "${envs[@]}" timeout -k 5 "$limit" $BIN/$cmd >"$tmp/out" 2>"$tmp/err" &
		child=$!
		wait "$child"; status=$?
		child=
		if [ "$status" -ne 0 ] || ! grep -q "^bench=" "$tmp/out"; then
			failures=$((failures + 1))
			why="exit status $status"; [ "$status" -eq 124 ] && why="timed out after ${limit}s"
			{
				echo; echo "FAILED: $id round $r ($cmd, ASYNC_STD_THREADS=$threads): $why"
				tail -n 5 "$tmp/out" "$tmp/err" | sed 's/^/    /'
			} >&2
			echo "$id round $r: $why" >>"$tmp/failures"
		fi
		grep "^bench=" "$tmp/out" >>"$tmp/$id.lines"
	done
	echo >&2
done
echo >&2

# stats ID KEY -> "median min max count" of KEY over ID's runs
. "$(dirname "$0")/stats.sh"
stats() { bench_stats "$tmp/$1.lines" "$2" %.2f; }
threads_of() {
	for b in "${BENCHES[@]}"; do
		[ "$(field "$b" 0)" = "$1" ] && { field "$b" 1; return; }
	done
}

printf '%-40s %7s %-9s %10s %10s %10s %5s\n' benchmark threads unit median min max runs
for row in "${ROWS[@]}"; do
	id=$(field "$row" 0); key=$(field "$row" 1)
	read -r med min max n <<<"$(stats "$id" "$key")"
	printf '%-40s %7s %-9s %10s %10s %10s %5s\n' "$(field "$row" 2)" "$(threads_of "$id")" \
		"$(field "$row" 3)" "$med" "$min" "$max" "$n/$RUNS"
done

# Targets of issue 2, from the same run.
verdict() { awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0) ? "met" : "MISSED" }'; }
echo
echo "targets (issue 2; medians of this run):"
read -r floor _ _ nf <<<"$(stats floor ns_per_switch)"
read -r yield _ _ ny <<<"$(stats yield ns_per_yield)"
if [ "$nf" -gt 0 ] && [ "$ny" -gt 0 ]; then
	ratio=$(awk -v y="$yield" -v f="$floor" 'BEGIN { printf "%.2f", y / f }')
	# per-round ratios show how stable the comparison is
	rr=$(paste -d' ' <(sed -n 's/.* ns_per_yield=\([^ ]*\).*/\1/p' "$tmp/yield.lines") \
		<(sed -n 's/.* ns_per_switch=\([^ ]*\).*/\1/p' "$tmp/floor.lines") |
	     awk 'NF == 2 { printf "%s%.2f", sep, $1 / $2; sep = " " }')
	printf '  yield / switch floor: %sx (%s / %s ns; per round: %s)  target <= 3x: %s\n' \
		"$ratio" "$yield" "$floor" "$rr" "$(verdict "$ratio" 3)"
else
	echo "  yield / switch floor: not measured"
fi
read -r spawn _ _ ns <<<"$(stats spawn1 ns_per_task)"
if [ "$ns" -gt 0 ]; then
	printf '  spawn+join, batch 1, 1 thread: %s ns/task  target <= 150 ns: %s\n' \
		"$spawn" "$(verdict "$spawn" 150)"
	read -r spawnb _ _ _ <<<"$(stats spawn1000 ns_per_task)"
	printf '    (batch 1000: %s ns/task)\n' "$spawnb"
else
	echo "  spawn+join: not measured"
fi
read -r kib _ kibmax nk <<<"$(stats sleepers kib_per_task_hwm)"
ok=$(grep -c ' ok=1' "$tmp/sleepers.lines" 2>/dev/null || true)
late=$(sed -n 's/.* late=\([^ ]*\).*/\1/p' "$tmp/sleepers.lines" 2>/dev/null | sort -g | tail -n1)
if [ "$nk" -gt 0 ]; then
	all=$([ "${ok:-0}" -eq "$RUNS" ] && echo met || echo MISSED)
	printf '  %s sleepers all ran and finished: %s/%s runs  %s\n' "$N_SLEEPERS" "${ok:-0}" \
		"$RUNS" "$all"
	printf '  %s sleepers RSS: %s KiB/task (worst run %s)  target <= 6 KiB: %s\n' \
		"$N_SLEEPERS" "$kib" "$kibmax" "$(verdict "$kib" 6)"
	[ "${late:-0}" != 0 ] && printf '    note: up to %s tasks first ran after the %s ms deadline (not concurrent); raise BENCH_SLEEP_MS\n' \
		"$late" "$SLEEP_MS"
else
	echo "  $N_SLEEPERS sleepers: FAILED in every run"
fi

echo
echo "targets (issue 5; medians of this run):"
read -r chan _ _ nc <<<"$(stats chan1 ns_per_round_trip)"
if [ "$nc" -gt 0 ]; then
	printf '  channel ping-pong round trip, 1 worker: %s ns  target <= 100 ns: %s\n' \
		"$chan" "$(verdict "$chan" 100)"
else
	echo "  channel ping-pong: not measured"
fi
read -r mtx _ _ nm <<<"$(stats mutex ns_per_lock_unlock)"
if [ "$nm" -gt 0 ]; then
	printf '  uncontended mutex lock+unlock: %s ns  target <= 20 ns: %s\n' \
		"$mtx" "$(verdict "$mtx" 20)"
else
	echo "  mutex lock+unlock: not measured"
fi

echo
echo "targets (issue 6; medians of this run):"
read -r cap _ _ nd <<<"$(stats dump capture_ns_per_task)"
if [ "$nd" -gt 0 ]; then
	read -r pause _ _ _ <<<"$(stats dump pause_total_ms)"
	printf '  task dump capture: %s ns per suspended task  target <= 2000 ns: %s\n' \
		"$cap" "$(verdict "$cap" 2000)"
	printf '  task dump of %s tasks: workers paused %s ms in total  target <= 100 ms: %s\n' \
		"$N_DUMP" "$pause" "$(verdict "$pause" 100)"
else
	echo "  task dump: not measured"
fi

echo
echo "targets (issue 12; medians of this run):"
read -r tp99 _ _ nt <<<"$(stats timers late_p99_ms)"
if [ "$nt" -gt 0 ]; then
	printf '  %s sleepers ending in random order over 50 ms, woken late by: p99 %s ms  target < 10 ms: %s\n' \
		"$N_TIMERS" "$tp99" "$(verdict "$tp99" 10)"
else
	echo "  timers at scale: not measured"
fi

if [ -s "$tmp/failures" ]; then
	echo
	echo "failed runs:"
	sed 's/^/  /' "$tmp/failures"
	exit 1
fi
exit 0
