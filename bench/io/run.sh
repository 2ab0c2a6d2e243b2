#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/io/run.sh - the I/O benchmarks of issue 3, default runtime vs
# humboldt, all in one invocation (make bench-io runs it):
#
#  1. echo throughput: bench/echo/echo_server on each runtime (humboldt by
#     LD_PRELOAD of the server only) against one client for both,
#     echo_load, a plain epoll/pthreads C program; payloads x connections,
#     a fixed time per cell; requests/s and p50/p99 round-trip latency.
#  2. 4 KiB random reads from a 1 GiB file by 1 and 64 tasks (randread):
#     O_DIRECT when the filesystem allows it, else from the page cache (and
#     said so); with BENCH_IO_PAGECACHE=1 (default) the page-cache case is
#     measured as well, as extra rows.
#
# Every cell runs BENCH_IO_RUNS times (default 7), interleaved: each round
# runs every cell, default then humboldt (A B A B ...); the table gives the
# median, min and max of each runtime, and the ratio humboldt/default as the
# median of the per-round ratios (each round's two runs are seconds apart, so
# they share the machine's load; on a shared machine that pairing is what
# keeps the ratio meaningful), with the ratio of the medians and every
# round's ratio next to it.  Targets are checked on the paired median.  The
# markdown goes to stdout and to $BUILD/bench-io.md.  When a target of the
# issue is missed, the cells involved are re-run briefly under strace -c to
# count system calls per request on each runtime.
#
#   BUILD=build bench/io/run.sh
#
# Settings (environment): BENCH_IO_RUNS (7), BENCH_IO_ECHO_SECONDS (1),
# BENCH_IO_READ_SECONDS (1), BENCH_IO_WARMUP (0.3 s, not counted),
# BENCH_IO_SIZES ("64 1024"), BENCH_IO_CONNS ("1 100 1000"),
# BENCH_IO_TASKS ("1 64"), BENCH_IO_FILE ($BUILD/bench-io.dat, created once
# and reused), BENCH_IO_PAGECACHE (1), BENCH_IO_STRACE (missed|all|none).
#
# Only 127.0.0.1 is used; every process runs under timeout(1) and is killed
# when the script exits.  Exit status 1 when a run failed; a missed target
# is reported, not an error.
# shellcheck disable=SC2317 # cleanup() runs from the trap
set -u

BUILD=${BUILD:-build}
BIN=$BUILD/bench/io
HB=$(readlink -f "$BUILD/libhumboldt.so")
RUNS=${BENCH_IO_RUNS:-7}
ECHO_SECS=${BENCH_IO_ECHO_SECONDS:-1}
READ_SECS=${BENCH_IO_READ_SECONDS:-1}
WARMUP=${BENCH_IO_WARMUP:-0.3}
SIZES=${BENCH_IO_SIZES:-64 1024}
CONNS=${BENCH_IO_CONNS:-1 100 1000}
TASKS=${BENCH_IO_TASKS:-1 64}
DATA=${BENCH_IO_FILE:-$BUILD/bench-io.dat}
PAGECACHE=${BENCH_IO_PAGECACHE:-1}
STRACE=${BENCH_IO_STRACE:-missed}
MAX_FOREIGN=${BENCH_IO_MAX_FOREIGN:-10}
OUT=$BUILD/bench-io.md
DATA_BYTES=$((1024 * 1024 * 1024))

tmp=$(mktemp -d)
pids=()
nrun=0
round=0
cached=
cleanup() {
	# timeout(1) puts itself and its command in a process group of their
	# own, with its pid as the group id: kill the group, not only timeout.
	for p in "${pids[@]}"; do kill -KILL -- "-$p" "$p"; done 2>/dev/null
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "bench/io/run.sh: $*" >&2; exit 1; }
forget() { # forget PID: reaped, so cleanup must never signal that number again
	local p keep=()
	for p in "${pids[@]}"; do [ "$p" != "$1" ] && keep+=("$p"); done
	pids=(${keep[@]+"${keep[@]}"})
}
wait_for() { wait "$1"; local s=$?; forget "$1"; return "$s"; } # wait_for PID -> its exit status
kill_group() { kill -KILL -- "-$1" "$1" 2>/dev/null; wait "$1" 2>/dev/null; forget "$1"; }
failed_run() { failures=$((failures + 1)); echo "$*" >>"$tmp/failures"; } # failed_run TEXT

for p in echo_server echo_load randread; do
	[ -x "$BIN/$p" ] || die "$BIN/$p missing; run 'make bench-io'"
done
if [ -z "$HB" ] || [ ! -e "$HB" ]; then die "$BUILD/libhumboldt.so missing; run 'make bench-io'"; fi
command -v timeout >/dev/null || die "timeout(1) is needed"

# ---- cores: the server on the first half of the allowed CPUs, the client on
# the rest; with one CPU they share it.
expand_cpus() { # "0-2,5" -> "0 1 2 5"
	local part lo hi
	IFS=',' read -r -a parts <<<"$1"
	for part in "${parts[@]}"; do
		if [[ $part == *-* ]]; then
			lo=${part%-*}; hi=${part#*-}
			seq "$lo" "$hi"
		else
			echo "$part"
		fi
	done | tr '\n' ' '
}
allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)
read -r -a cpus <<<"$(expand_cpus "${allowed:-0}")"
ncpu=${#cpus[@]}
PIN=()
if [ "$ncpu" -ge 2 ] && command -v taskset >/dev/null; then
	ns=$((ncpu / 2))
	server_cpus=$(IFS=,; echo "${cpus[*]:0:ns}")
	client_cpus=$(IFS=,; echo "${cpus[*]:ns}")
	SERVER_THREADS=$ns
	CLIENT_THREADS=$((ncpu - ns))
	PIN=(yes)
	pin_text="server pinned to CPU $server_cpus ($SERVER_THREADS core(s), ASYNC_STD_THREADS=$SERVER_THREADS), client to CPU $client_cpus ($CLIENT_THREADS core(s), $CLIENT_THREADS thread(s))"
else
	SERVER_THREADS=$ncpu
	CLIENT_THREADS=1
	pin_text="not pinned: $ncpu CPU(s) allowed, server (ASYNC_STD_THREADS=$SERVER_THREADS) and client (1 thread) share them"
fi
pin() { # pin server|client: the taskset prefix, if any
	[ ${#PIN[@]} -eq 0 ] && return
	if [ "$1" = server ]; then echo "taskset -c $server_cpus"; else echo "taskset -c $client_cpus"; fi
}

# ---- runtime environments
rt_env() { # rt_env NAME -> env assignments for a program on that runtime
	# humboldt must really run on io_uring, never on its epoll fallback
	[ "$1" = humboldt ] && echo "LD_PRELOAD=$HB HUMBOLDT_REQUIRE_URING=1"
}
trace_env() { # trace_env NAME: the same as strace -E options, in the caller's array tenv
	tenv=()
	[ "$1" = humboldt ] && tenv=(-E "LD_PRELOAD=$HB" -E HUMBOLDT_REQUIRE_URING=1)
}
# time_limit SECS WARMUP -> whole seconds a run may take: SECS + WARMUP + 30
time_limit() { awk -v s="$1" -v w="$2" 'BEGIN { printf "%d", s + w + 30 }'; }

# ---- the data file: 1 GiB of random bytes, written once and reused
data_note=reused
if [ ! -f "$DATA" ] || [ "$(stat -c %s "$DATA")" != "$DATA_BYTES" ]; then
	echo "bench-io: writing $DATA (1 GiB of random data, once)" >&2
	rm -f "$DATA.tmp"
	fallocate -l "$DATA_BYTES" "$DATA.tmp" 2>/dev/null # extents first, when possible
	if ! timeout 300 dd if=/dev/urandom of="$DATA.tmp" bs=1M count=1024 conv=notrunc,fsync \
		status=none || [ "$(stat -c %s "$DATA.tmp")" != "$DATA_BYTES" ]; then
		rm -f "$DATA.tmp"
		die "could not write $DATA"
	fi
	mv "$DATA.tmp" "$DATA"
	data_note="created by this run"
fi
fstype=$(stat -f -c %T "$DATA" 2>/dev/null)
command -v findmnt >/dev/null && fstype=$(findmnt -n -o FSTYPE,SOURCE -T "$DATA" | tr -s ' ')

# ---- checks before measuring: io_uring usable, O_DIRECT allowed
hb_ok=1
# shellcheck disable=SC2046 # rt_env prints NAME=value words
if ! env $(rt_env humboldt) timeout -k 2 20 "$BIN/randread" -f "$DATA" -t 0.1 -w 0 -m buffered \
	>"$tmp/probe.out" 2>"$tmp/probe.err"; then
	hb_ok=0
	hb_why=$(head -n1 "$tmp/probe.err")
fi
if timeout -k 2 20 "$BIN/randread" -f "$DATA" -t 0.1 -w 0 -m direct >/dev/null 2>"$tmp/direct.err"; then
	MODES=(direct)
	mode_text="O_DIRECT (the filesystem accepts it: no page cache involved)"
else
	MODES=(buffered)
	mode_text="buffered: O_DIRECT was refused ($(head -n1 "$tmp/direct.err")), so the reads were served from the page cache"
fi
[ "$PAGECACHE" = 1 ] && [ "${MODES[0]}" = direct ] && MODES+=(buffered)

# ---- one echo run: run_echo RT SIZE CONNS SECS WARMUP [strace-output]
# Appends the client's line, with the server's request count, to
# $tmp/echo.RT.SIZE.CONNS; returns 1 on failure (the reason on stderr).
run_echo() {
	local rt=$1 size=$2 conns=$3 secs=$4 warm=$5 trace=${6:-} port='' i server client
	local limit
	limit=$(time_limit "$secs" "$warm")
	local -a srv=("$BIN/echo_server" -p 0 -t "$limit" -n "$conns")
	# fresh files per run: a reused one could still show the last server's port
	nrun=$((nrun + 1))
	local sout=$tmp/server.$nrun.out serr=$tmp/server.$nrun.err
	local cout=$tmp/client.$nrun.out cerr=$tmp/client.$nrun.err
	if [ -n "$trace" ]; then
		local -a tenv
		trace_env "$rt"
		# shellcheck disable=SC2046
		env ASYNC_STD_THREADS="$SERVER_THREADS" timeout -k 2 $((limit + 10)) $(pin server) \
			strace -f -c -o "$trace" "${tenv[@]}" "${srv[@]}" >"$sout" 2>"$serr" &
	else
		# shellcheck disable=SC2046
		env $(rt_env "$rt") ASYNC_STD_THREADS="$SERVER_THREADS" timeout -k 2 $((limit + 10)) \
			$(pin server) "${srv[@]}" >"$sout" 2>"$serr" &
	fi
	server=$!
	pids+=("$server")
	for ((i = 0; i < 100; i++)); do # up to 10 s for the port on line 1
		port=$(head -n1 "$sout" 2>/dev/null)
		[ -n "$port" ] && break
		kill -0 "$server" 2>/dev/null || break
		sleep 0.1
	done
	if ! [[ "$port" =~ ^[0-9]+$ ]]; then
		echo "echo $rt ${size}B x $conns: the server printed no port: $(head -n2 "$serr")" >&2
		kill_group "$server"
		return 1
	fi
	# the server's own pid (timeout's child), for the client's CPU report
	local spid=''
	[ -z "$trace" ] && spid=$(cat "/proc/$server/task/$server/children" 2>/dev/null)
	spid=${spid%% *}
	# shellcheck disable=SC2046
	timeout -k 2 "$limit" $(pin client) "$BIN/echo_load" -p "$port" -c "$conns" -s "$size" \
		-t "$secs" -w "$warm" -T "$CLIENT_THREADS" ${spid:+-P "$spid"} >"$cout" 2>"$cerr" &
	client=$!
	pids+=("$client")
	wait_for "$client"
	local cstatus=$? sstatus
	# the server exits once its connections close; a failed client may have
	# left it waiting in accept
	for ((i = 0; i < 100 && cstatus == 0; i++)); do
		kill -0 "$server" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$server" 2>/dev/null; then
		kill_group "$server"
		if [ "$cstatus" -eq 0 ]; then
			echo "echo $rt ${size}B x $conns: the server did not exit 10 s after the client; killed" >&2
			return 1
		fi
		sstatus=killed
	else
		wait_for "$server"; sstatus=$?
	fi
	local line sline bound bytes
	line=$(grep '^bench=echo ' "$cout")
	sline=$(grep '^echo_server: runtime ' "$sout")
	bound=$(sed -n 's/^echo_server: runtime \([^,]*\),.*/\1/p' <<<"$sline")
	bytes=$(sed -n 's/.* \([0-9]*\) bytes echoed.*/\1/p' <<<"$sline")
	if [ "$cstatus" -ne 0 ] || [ "$sstatus" != 0 ] || [ -z "$line" ] || [ "$bound" != "$rt" ]; then
		echo "echo $rt ${size}B x $conns: FAILED (client exit $cstatus, server exit $sstatus, server bound to '${bound:-?}')" >&2
		sed 's/^/    client: /' "$cerr" | head -n3 >&2
		sed 's/^/    server: /' "$serr" | head -n3 >&2
		return 1
	fi
	rm -f "$sout" "$serr" "$cout" "$cerr"
	echo "$line server_requests=$((bytes / size)) round=$round" >>"$tmp/echo.$rt.$size.$conns"
}

# ---- one read run: run_read RT MODE TASKS SECS WARMUP [strace-output]
run_read() {
	local rt=$1 mode=$2 tasks=$3 secs=$4 warm=$5 trace=${6:-} limit status
	limit=$(time_limit "$secs" "$warm")
	local -a cmd=("$BIN/randread" -f "$DATA" -n "$tasks" -t "$secs" -w "$warm" -m "$mode")
	if [ -n "$trace" ]; then
		local -a tenv
		trace_env "$rt"
		timeout -k 2 "$limit" strace -f -c -o "$trace" "${tenv[@]}" "${cmd[@]}" \
			>"$tmp/read.out" 2>"$tmp/read.err" &
	else
		# shellcheck disable=SC2046
		env $(rt_env "$rt") timeout -k 2 "$limit" "${cmd[@]}" >"$tmp/read.out" 2>"$tmp/read.err" &
	fi
	local pid=$!
	pids+=("$pid")
	wait_for "$pid"; status=$?
	local line
	line=$(grep '^bench=randread ' "$tmp/read.out")
	if [ "$status" -ne 0 ] || [ -z "$line" ] || ! grep -q " runtime=$rt " <<<"$line"; then
		echo "randread $rt $mode x $tasks: FAILED (exit $status): $(head -n2 "$tmp/read.err")" >&2
		return 1
	fi
	echo "$line round=$round" >>"$tmp/read.$rt.$mode.$tasks"
}

# ---- the measured rounds
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
[ -n "$cpu" ] || cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n1)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
t0=$SECONDS
rts=(default)
[ "$hb_ok" = 1 ] && rts+=(humboldt)
failures=0
for ((r = 1; r <= RUNS; r++)); do
	round=$r
	printf 'bench-io round %d/%d: echo' "$r" "$RUNS" >&2
	for size in $SIZES; do
		for conns in $CONNS; do
			printf ' %sBx%s' "$size" "$conns" >&2
			for rt in "${rts[@]}"; do
				run_echo "$rt" "$size" "$conns" "$ECHO_SECS" "$WARMUP" ||
					failed_run "echo $rt ${size}B x $conns round $r"
			done
		done
	done
	printf '; reads' >&2
	for mode in "${MODES[@]}"; do
		# the page-cache rows need the file cached: read it once
		if [ "$mode" = buffered ] && [ "$r" = 1 ]; then
			cat "$DATA" >/dev/null
			command -v fincore >/dev/null &&
				cached=$(fincore -n -b -o RES "$DATA" 2>/dev/null | awk -v t="$DATA_BYTES" '{ printf "%.0f%%", 100 * $1 / t }')
		fi
		for tasks in $TASKS; do
			printf ' %s/%s' "$mode" "$tasks" >&2
			for rt in "${rts[@]}"; do
				run_read "$rt" "$mode" "$tasks" "$READ_SECS" "$WARMUP" ||
					failed_run "randread $rt $mode x $tasks round $r"
			done
		done
	done
	echo >&2
done

# ---- statistics
# stats FILE KEY -> "median min max count" of KEY over the runs in FILE
. "$(dirname "$0")/../stats.sh"
stats() { bench_stats "$1" "$2"; }
# ratio A B -> A / B with two decimals, or - when either is missing
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f", a / b }'; }
# keep FILE_D FILE_H -> FILE_D.kept and FILE_H.kept, the runs of the rounds
# where both runtimes ran undisturbed (foreign_pct <= MAX_FOREIGN in both:
# other processes took little of the CPUs); all the rounds when fewer than 3
# (or than all of them) are.  Prints "kept total fallback" (fallback 1: all
# the rounds were kept because too few were undisturbed).
keep() {
	touch "$1" "$2"
	awk -v maxf="$MAX_FOREIGN" -v out1="$1.kept" -v out2="$2.kept" '
		function val(k,   i, f) { for (i = 1; i <= NF; i++) { split($i, f, "="); if (f[1] == k) return f[2] } return "" }
		FNR == 1 { file++ }
		{
			r = val("round"); f = val("foreign_pct") + 0
			line[file, r] = $0; seen[file, r] = 1
			if (f > maxf) bad[r] = 1
			if (r + 0 > max) max = r + 0
		}
		END {
			both = (file == 2)
			for (r = 1; r <= max; r++) {
				if (!seen[1, r] || (both && !seen[2, r])) continue
				total++; if (!(r in bad)) clean++
			}
			need = total < 3 ? total : 3
			for (r = 1; r <= max; r++) {
				if (!seen[1, r] || (both && !seen[2, r])) continue
				if (clean >= need && (r in bad)) continue
				print line[1, r] > out1
				if (both) print line[2, r] > out2
			}
			printf "%d %d %d\n", (clean >= need ? clean : total), total, (clean >= need ? 0 : 1)
		}' "$1" "$2"
	touch "$1.kept" "$2.kept"
}
# per_round FILE_H FILE_D KEY -> the ratio H/D of each round where both ran,
# space-separated, in round order
per_round() {
	[ -f "$1" ] && [ -f "$2" ] || return
	awk -v key="$3" '
		function val(k,   i, f) { for (i = 1; i <= NF; i++) { split($i, f, "="); if (f[1] == k) return f[2] } return "" }
		FNR == 1 { file++ }
		{ r = val("round"); v = val(key); if (file == 1) h[r] = v; else d[r] = v; if (r + 0 > max) max = r + 0 }
		END {
			for (r = 1; r <= max; r++)
				if ((r in h) && (r in d) && d[r] > 0) { printf "%s%.2f", sep, h[r] / d[r]; sep = " " }
		}' "$1" "$2"
}
# median_of "1.2 0.9 1.4" -> 1.20, or -
median_of() {
	tr ' ' '\n' <<<"$1" | sed '/^$/d' | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "-"; exit }
			printf "%.2f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}
fmt_int() { awk -v v="$1" 'BEGIN { if (v == "-") print "-"; else { s = sprintf("%.0f", v); n = ""; while (length(s) > 3) { n = "," substr(s, length(s) - 2) n; s = substr(s, 1, length(s) - 3) } print s n } }'; }
cell() { # cell FILE KEY -> "median (min-max)"
	local m lo hi n
	read -r m lo hi n <<<"$(stats "$1" "$2")"
	[ "$n" = 0 ] && { echo "not measured"; return; }
	echo "$(fmt_int "$m") ($(fmt_int "$lo")-$(fmt_int "$hi"))"
}
lat() { # lat FILE -> "p50 / p99" medians
	local p50 p99
	p50=$(stats "$1" p50_us | cut -d' ' -f1); p99=$(stats "$1" p99_us | cut -d' ' -f1)
	[ "$p50" = - ] && { echo -; return; }
	awk -v a="$p50" -v b="$p99" 'BEGIN { printf "%.1f / %.1f\n", a, b }'
}
med() { # med FILE KEY -> the median of KEY, or -
	stats "$1" "$2" | cut -d' ' -f1
}
cpu_per_read() { # cpu_per_read FILE -> median over the runs of cpu_pct * 10^4 / reads_per_s
	local v
	v=$(awk '{ c = ""; r = ""; for (i = 1; i <= NF; i++) { split($i, f, "="); if (f[1] == "cpu_pct") c = f[2]; if (f[1] == "reads_per_s") r = f[2] }
		if (c != "" && r > 0) print c * 10000 / r }' "$1" | sort -g | awk '{ v[NR] = $1 }
		END { if (NR) printf "%.1f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
	echo "${v:--}"
}
kept_text() { # kept_text KEPT TOTAL FALLBACK
	if [ "$3" = 1 ]; then echo "$1/$2 (too few undisturbed)"; else echo "$1/$2"; fi
}
# compare FILE_D FILE_H KEY: sets fd and fh (the runs kept of the two files),
# nk nt nf (as printed by keep), mm (the ratio humboldt/default of the
# medians of KEY), pr (the per-round ratios) and rr (their median)
compare() {
	read -r nk nt nf <<<"$(keep "$1" "$2")"
	fd=$1.kept; fh=$2.kept
	mm=$(ratio "$(med "$fh" "$3")" "$(med "$fd" "$3")")
	pr=$(per_round "$fh" "$fd" "$3"); rr=$(median_of "$pr")
}
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { if (r == "-") print "not measured"; else print (r + 0 >= t + 0) ? "met" : "MISSED" }'; }

{
echo "# async_std I/O benchmarks: default runtime vs humboldt"
echo
echo "- date: $started, $((SECONDS - t0)) s for the whole matrix"
echo "- machine: $ncpu CPU(s) allowed (nproc $(nproc)), ${cpu:-unknown CPU}, $(uname -sr) $(uname -m); load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg) (other processes on a shared machine move absolute figures; the per-round ratios show how much)"
echo "- runs: $RUNS per cell, interleaved (each round runs every cell, default then humboldt, seconds apart); each runtime: median (min-max) over the runs kept; **ratio humboldt/default: the median of the per-round ratios** (paired, so that both runs of a round share the machine's load), then in brackets the ratio of the two medians and each round's ratio. Targets are checked on the paired median."
echo "- rounds kept: a round of a cell counts when, in both of its runs, other processes used at most $MAX_FOREIGN% of the CPUs that the benchmark ran on (user+system time from /proc over the measured window, less the benchmark's own processes); if fewer than 3 rounds qualify, all are used and the cell says so."
if [ "$hb_ok" = 1 ]; then
	echo "- humboldt: \`LD_PRELOAD=$HB\` with \`HUMBOLDT_REQUIRE_URING=1\` (io_uring, never its epoll fallback)"
else
	echo "- humboldt: NOT MEASURED: it could not run here on io_uring (\`HUMBOLDT_REQUIRE_URING=1\`): $hb_why"
fi
echo
echo "## Echo over 127.0.0.1"
echo
echo "Server: \`bench/echo/echo_server\` (one task per connection, read then write), the same binary on both runtimes, humboldt by \`LD_PRELOAD\` of the server only. Client: \`bench/io/echo_load\`, a plain C program (epoll + pthreads, no async_std), the same for both: closed loop, one request in flight per connection, $ECHO_SECS s measured after $WARMUP s of warm-up. Cores: $pin_text. Latency is the client's round trip."
echo
echo "| payload | conns | default req/s | humboldt req/s | humboldt/default (ratio of medians; per round) | default p50 / p99 us | humboldt p50 / p99 us | server CPU % default / humboldt | rounds kept |"
echo "|---|---|---|---|---|---|---|---|---|"
for size in $SIZES; do
	for conns in $CONNS; do
		compare "$tmp/echo.default.$size.$conns" "$tmp/echo.humboldt.$size.$conns" rps
		echo "| $size B | $conns | $(cell "$fd" rps) | $(cell "$fh" rps) | **$rr** ($mm; $pr) | $(lat "$fd") | $(lat "$fh") | $(med "$fd" srv_cpu_pct) / $(med "$fh" srv_cpu_pct) | $(kept_text "$nk" "$nt" "$nf") |"
		echo "echo $size $conns $rr $pr" >>"$tmp/ratios"
	done
done
echo
echo "## 4 KiB random reads from a 1 GiB file"
echo
echo "\`bench/io/randread\`: N tasks, each with one aligned 4 KiB \`async_std_pread\` in flight at a uniformly random offset, $READ_SECS s measured after $WARMUP s of warm-up; default runtime: each read goes to its blocking pool; humboldt: a read on the worker's ring. Workers: one per CPU (ASYNC_STD_THREADS unset), not pinned. File: \`$DATA\` ($data_note), ${fstype:-unknown filesystem}. Mode measured: $mode_text."
[ " ${MODES[*]} " = " direct buffered " ] &&
	echo "The \`buffered\` rows are extra: the same reads without O_DIRECT, the file read once beforehand so that they come from the page cache${cached:+ ($cached of the file resident after that read, by fincore)}."
echo
echo "| mode | tasks | default reads/s | humboldt reads/s | humboldt/default (ratio of medians; per round) | default p50 / p99 us | humboldt p50 / p99 us | CPU us per read default / humboldt | rounds kept |"
echo "|---|---|---|---|---|---|---|---|---|"
for mode in "${MODES[@]}"; do
	for tasks in $TASKS; do
		compare "$tmp/read.default.$mode.$tasks" "$tmp/read.humboldt.$mode.$tasks" reads_per_s
		label=$mode; [ "$mode" = buffered ] && label="buffered (page cache)"
		echo "| $label | $tasks | $(cell "$fd" reads_per_s) | $(cell "$fh" reads_per_s) | **$rr** ($mm; $pr) | $(lat "$fd") | $(lat "$fh") | $(cpu_per_read "$fd") / $(cpu_per_read "$fh") | $(kept_text "$nk" "$nt" "$nf") |"
		echo "read $mode $tasks $rr $pr" >>"$tmp/ratios"
	done
done
echo
echo "## Targets (issue 3), on the paired medians of this run"
echo
while read -r kind a b rr pr; do
	if [ "$kind" = echo ] && [ "$b" -ge 100 ]; then
		v=$(verdict "$rr" 1.2)
		echo "- echo, $a B x $b connections: humboldt ${rr}x default (per round: ${pr:--}), target >= 1.2x: **$v**"
	elif [ "$kind" = read ] && [ "$a" = "${MODES[0]}" ]; then
		v=$(verdict "$rr" 2)
		echo "- random reads ($a), $b task(s): humboldt ${rr}x the default's blocking pool (per round: ${pr:--}), target >= 2x: **$v**"
	fi
done <"$tmp/ratios"
} >"$tmp/md"

# ---- system calls per request, for the cells that missed a target (or all
# target cells with BENCH_IO_STRACE=all): short runs under strace -c, not
# part of the timings.
profile=()
if [ "$hb_ok" = 1 ] && [ "$STRACE" != none ] && command -v strace >/dev/null; then
	if [ "$STRACE" = all ]; then
		while read -r kind a b _; do
			{ [ "$kind" = echo ] && [ "$b" -ge 100 ]; } && profile+=("echo $a $b")
			{ [ "$kind" = read ] && [ "$a" = "${MODES[0]}" ]; } && profile+=("read $a $b")
		done <"$tmp/ratios"
	else
		mapfile -t profile < <(sed -n 's/^- echo, \([0-9]*\) B x \([0-9]*\) connections:.*MISSED.*/echo \1 \2/p; s/^- random reads (\([a-z]*\)), \([0-9]*\) task.*MISSED.*/read \1 \2/p' "$tmp/md")
	fi
fi
# top_calls TRACE OPS -> "total per op: name per op, ..." of strace -c output
top_calls() {
	awk -v ops="$2" '
		$NF == "total" { total = $4; next }
		$4 ~ /^[0-9]+$/ && NF >= 5 && $1 ~ /^[0-9.]+$/ { n[$NF] = $4 }
		END {
			if (ops <= 0 || total == "") { print "-"; exit }
			printf "%.2f per op:", total / ops
			k = 0
			while (k < 5) {
				best = ""; bv = 0
				for (s in n) if (n[s] > bv) { bv = n[s]; best = s }
				if (best == "" || bv / ops < 0.01) break
				printf "%s %s %.2f", (k ? "," : ""), best, bv / ops
				delete n[best]; k++
			}
			print ""
		}' "$1"
}
if [ ${#profile[@]} -gt 0 ]; then
	printf 'bench-io: strace -c of %d cell(s)' "${#profile[@]}" >&2
	{
		echo
		echo "## System calls per request (strace -c -f, separate 1 s runs, not timed)"
		echo
		echo "| cell | runtime | syscalls per request or read: total, then the top ones |"
		echo "|---|---|---|"
	} >>"$tmp/md"
	for p in "${profile[@]}"; do
		read -r kind a b <<<"$p"
		for rt in "${rts[@]}"; do
			printf ' .' >&2
			tr=$tmp/strace.$kind.$a.$b.$rt
			if [ "$kind" = echo ]; then
				rm -f "$tmp/echo.$rt.$a.$b"
				if run_echo "$rt" "$a" "$b" 1 0 "$tr"; then
					ops=$(sed -n 's/.* server_requests=\([0-9]*\).*/\1/p' "$tmp/echo.$rt.$a.$b")
					echo "| echo $a B x $b conns (server) | $rt | $(top_calls "$tr" "$ops") |" >>"$tmp/md"
				else
					echo "| echo $a B x $b conns (server) | $rt | strace run failed |" >>"$tmp/md"
				fi
			else
				rm -f "$tmp/read.$rt.$a.$b"
				if run_read "$rt" "$a" "$b" 1 0 "$tr"; then
					ops=$(sed -n 's/.* reads=\([0-9]*\).*/\1/p' "$tmp/read.$rt.$a.$b")
					echo "| random reads $a x $b tasks | $rt | $(top_calls "$tr" "$ops") |" >>"$tmp/md"
				else
					echo "| random reads $a x $b tasks | $rt | strace run failed |" >>"$tmp/md"
				fi
			fi
		done
	done
	echo >&2
fi

if [ -s "$tmp/failures" ]; then
	{
		echo
		echo "## Failed runs"
		echo
		sed 's/^/- /' "$tmp/failures"
	} >>"$tmp/md"
fi
cp "$tmp/md" "$OUT"
cat "$tmp/md"
echo >&2
echo "bench-io: written to $OUT" >&2
[ "$failures" -eq 0 ]
