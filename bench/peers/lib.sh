# SPDX-License-Identifier: MIT
# bench/peers/lib.sh - what the workload scripts of bench/peers share
# (sourced by run.sh): processes run under timeout(1) in groups of their own
# and are killed when the run ends; the CPUs to pin to; servers that print
# their port on line 1; the statistics of the recorded runs.
# shellcheck shell=bash disable=SC2317

pids=()
cleanup() {
	# timeout(1) puts itself and its command in a process group of their
	# own, with its pid as the group id: kill the group, not only timeout.
	for p in "${pids[@]}"; do kill -KILL -- "-$p" "$p"; done 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
die() { echo "bench/peers/run.sh: $*" >&2; exit 1; }
forget() { # forget PID: reaped, so cleanup must never signal that number again
	local p keep=()
	for p in "${pids[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done
	pids=(${keep[@]+"${keep[@]}"})
}
wait_for() { wait "$1"; local s=$?; forget "$1"; return "$s"; }
kill_group() { kill -TERM -- "-$1" "$1" 2>/dev/null; sleep 0.2; kill -KILL -- "-$1" "$1" 2>/dev/null; wait "$1" 2>/dev/null; forget "$1"; }

# ---- CPUs: the allowed ones, in order; cpus_first N -> "0,1" for taskset
expand_cpus() { # "0-2,5" -> "0 1 2 5"
	local part parts
	IFS=',' read -r -a parts <<<"$1"
	for part in "${parts[@]}"; do
		if [[ $part == *-* ]]; then seq "${part%-*}" "${part#*-}"; else echo "$part"; fi
	done | tr '\n' ' '
}
read -r -a CPUS <<<"$(expand_cpus "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)")"
NCPU=${#CPUS[@]}
cpus_first() { local IFS=,; echo "${CPUS[*]:0:$1}"; }
# client_cpus N: the CPUs left over when the server has the first N, or all
# of them (shared with the server) when none are left
client_cpus() {
	local IFS=,
	if [ "$NCPU" -gt "$1" ]; then echo "${CPUS[*]:$1}"; else echo "${CPUS[*]}"; fi
}

# ---- a one-shot program: run_once LIMIT CPUS OUT ERR CMD... -> exit status
run_once() {
	local limit=$1 cpus=$2 out=$3 err=$4
	shift 4
	timeout -k 2 "$limit" taskset -c "$cpus" "$@" >"$out" 2>"$err" &
	local p=$!
	pids+=("$p")
	wait_for "$p"
}

# ---- a server: server_start CPUS OUT ERR CMD... sets SERVER (timeout's
# pid), SPID (the server's own) and PORT (its stdout line 1); returns 1
# when no port came within 10 s.
server_start() {
	local cpus=$1 out=$2 err=$3 i
	shift 3
	PORT='' SPID=''
	# the old file could still show the last server's port until the new
	# server's redirection truncates it
	rm -f "$out" "$err"
	timeout -k 2 "$SERVER_LIMIT" taskset -c "$cpus" "$@" >"$out" 2>"$err" &
	SERVER=$!
	pids+=("$SERVER")
	for ((i = 0; i < 100; i++)); do
		PORT=$(head -n1 "$out" 2>/dev/null)
		[ -n "$PORT" ] && break
		kill -0 "$SERVER" 2>/dev/null || break
		sleep 0.1
	done
	if ! [[ "$PORT" =~ ^[0-9]+$ ]]; then
		kill_group "$SERVER"
		return 1
	fi
	# taskset execs the server, so timeout's only child is the server
	SPID=$(cat "/proc/$SERVER/task/$SERVER/children" 2>/dev/null)
	SPID=${SPID%% *}
	return 0
}
server_stop() { kill_group "$SERVER"; }

# banner_wait FILE PATTERN: up to 2 s for a line matching PATTERN (our
# runtime prints its ASYNC_STD_VERBOSE banner from a thread of its own, so
# it may come after the port)
banner_wait() {
	local i
	for ((i = 0; i < 40; i++)); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# server_up WHAT CORES SYSTEM BANNER: starts "${CMD[@]}" on the first CORES
# CPUs and, for our runtimes, waits for BANNER (the runtime really bound);
# on failure stops it, records WHAT failed and returns 1.
server_up() {
	local what=$1 cores=$2 sys=$3 banner=$4
	if ! server_start "$(cpus_first "$cores")" "$tmp/srv.out" "$tmp/srv.err" "${CMD[@]}"; then
		failed_run "$what: the server printed no port: $(head -n2 "$tmp/srv.err" | tr '\n' ' ')"
		return 1
	fi
	if is_ours "$sys" && ! banner_wait "$tmp/srv.err" "$banner"; then
		server_stop
		failed_run "$what: bound to another runtime: $(head -n2 "$tmp/srv.err" | tr '\n' ' ')"
		return 1
	fi
}

# ---- statistics of the recorded runs: stats FILE KEY -> "median min max n"
. "$(dirname "${BASH_SOURCE[0]}")/../stats.sh"
stats() { bench_stats "$1" "$2" %.6g; }

# thousands N -> N with commas: 1000000 -> 1,000,000
thousands() {
	awk -v v="$1" 'BEGIN {
		s = sprintf("%.0f", v); o = ""
		while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
		print s o
	}'
}

# ---- where the CPUs went during a run (echo_load measures the same for
# echo itself; wrk and the micro programs do not): cpu_mark CPUS [PID]
# before, cpu_report after sets CPU_LINE="srv_cpu_pct=S foreign_pct=F": the
# server's (PID's) CPU time as a % of one CPU, and what every other process
# used of the CPUs in the comma list CPUS, in % of their capacity, counted
# as echo_load counts it (user + nice + system clock ticks from /proc),
# less the server and what this shell's children used (the client or the
# program run).
CLK_TCK=$(getconf CLK_TCK)
cpu_busy() { # user+nice+system ticks of the CPUs in CPU_WATCH
	awk -v list=",$CPU_WATCH," '$1 ~ /^cpu[0-9]+$/ && index(list, "," substr($1, 4) ",") {
		s += $2 + $3 + $4 } END { print s + 0 }' /proc/stat
}
proc_ticks() { # utime + stime of a process, all its threads (0 without one)
	[ -n "$1" ] && awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat" 2>/dev/null || echo 0
}
children_ticks() { # CPU time of the children this shell has reaped, in ticks
	# not `times | awk`: the left side of a pipe is a fork, whose children's
	# times start at zero
	times >"$tmp/times"
	awk -v hz="$CLK_TCK" 'NR == 2 {
		for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
		printf "%.0f\n", t * hz }' "$tmp/times"
}
cpu_mark() {
	CPU_WATCH=$1 CPU_PID=${2:-}
	children_ticks >"$tmp/ticks"
	CPU_B=$(cpu_busy) CPU_S=$(proc_ticks "$CPU_PID") CPU_C=$(cat "$tmp/ticks") CPU_T=$(date +%s.%N)
}
cpu_report() { # after the client has been reaped, not in $(...): a subshell has no reaped children
	local b s c t n
	children_ticks >"$tmp/ticks"
	b=$(cpu_busy) s=$(proc_ticks "$CPU_PID") c=$(cat "$tmp/ticks") t=$(date +%s.%N)
	n=$(tr ',' '\n' <<<"$CPU_WATCH" | wc -l)
	CPU_LINE=$(awk -v b="$((b - CPU_B))" -v s="$((s - CPU_S))" -v c="$((c - CPU_C))" -v hz="$CLK_TCK" \
		-v n="$n" -v a="$CPU_T" -v z="$t" 'BEGIN {
		secs = z - a; f = b - s - c; if (f < 0) f = 0
		printf "srv_cpu_pct=%.0f foreign_pct=%.0f\n", 100 * s / (hz * secs), 100 * f / (hz * secs * n) }')
}

# ---- measure FILE FN ARGS...: FN does one run and sets RUN_LINE (empty on
# failure, which FN has reported); when other processes used more than
# MAX_FOREIGN % of the run's CPUs, the run is made again, up to RETRIES
# times, and the one with the least foreign load is recorded in FILE.
RETRIED=0
measure() {
	local file=$1 try best='' bestf=101 f
	shift
	for ((try = 0; try <= RETRIES; try++)); do
		RUN_LINE=
		"$@"
		[ -n "$RUN_LINE" ] || return
		f=$(sed -n 's/.* foreign_pct=\([0-9.]*\).*/\1/p' <<<"$RUN_LINE")
		f=${f:-0}
		if awk -v a="$f" -v b="$bestf" 'BEGIN { exit !(a < b) }'; then best=$RUN_LINE bestf=$f; fi
		awk -v a="$f" -v m="$MAX_FOREIGN" 'BEGIN { exit !(a <= m) }' && break
		[ "$try" -lt "$RETRIES" ] && RETRIED=$((RETRIED + 1)) && printf '+' >&2
	done
	echo "$best round=$round" >>"$file"
}
