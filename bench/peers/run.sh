#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/peers/run.sh - our runtimes against Go, tokio and libuv on this
# machine, in one run (issue 7; `make bench-peers` builds everything first).
# Workloads: micro (micro.sh), TCP echo (echo.sh), HTTP hello (http.sh);
# every cell runs PEERS_RUNS times, interleaved round by round with the
# systems' order rotated, and report.sh writes the medians, spreads and
# ratios to $PEERS_RESULTS/peers.md with one SVG chart per workload.
#
#   BUILD=build bench/peers/run.sh
#
# Settings (environment), full run / PEERS_QUICK=1:
#   PEERS_RUNS 3/1, PEERS_WORKLOADS "micro echo http",
#   PEERS_N_YIELD 10M/2M, PEERS_N_SPAWN 2M/400k, PEERS_N_SPAWN2 300k/60k,
#   PEERS_N_CHAN 2M/400k, PEERS_N_CHAN_CROSS 50k/10k, PEERS_N_SLEEPERS 1M/200k,
#   PEERS_SLEEP_MS 10000/3000 (the common wake-up; every task must have
#   started before it), PEERS_ECHO_SECONDS 1.5/0.5, PEERS_ECHO_WARMUP 0.5/0.2,
#   PEERS_SIZES "64 1024", PEERS_CONNS "1 100 1000", PEERS_CORES "1 2",
#   PEERS_HTTP_CONNS "100 1000", PEERS_HTTP_SECONDS 2/1 (whole seconds),
#   PEERS_HTTP_WARMUP 1, PEERS_RESULTS (bench/results), PEERS_OURS_DESC (what
#   peers.md calls our build; git describe), PEERS_MAX_FOREIGN 20
#   and PEERS_RETRIES 1 (a run during which other processes used more than
#   that % of its CPUs is made again, up to that many times; the run with
#   the least foreign load counts).  The data of the last run stays in
#   $BUILD/bench/peers/last-run; PEERS_REPORT_FROM=that-dir only writes the
#   report and charts again from it.
# Exit status 1 when a run failed (named in peers.md); a missed target is
# reported, not an error.
set -u

BUILD=${BUILD:-build}
HERE=$(cd "$(dirname "$0")" && pwd)
PB=$BUILD/bench/peers
RESULTS=${PEERS_RESULTS:-bench/results}
QUICK=${PEERS_QUICK:-0}
q() { if [ "$QUICK" = 1 ]; then echo "$2"; else echo "$1"; fi; } # q FULL QUICK
RUNS=${PEERS_RUNS:-$(q 3 1)}
WORKLOADS=${PEERS_WORKLOADS:-micro echo http}
N_YIELD=${PEERS_N_YIELD:-$(q 10000000 2000000)}
N_SPAWN=${PEERS_N_SPAWN:-$(q 2000000 400000)}
N_SPAWN2=${PEERS_N_SPAWN2:-$(q 300000 60000)}
N_CHAN=${PEERS_N_CHAN:-$(q 2000000 400000)}
N_CHAN_CROSS=${PEERS_N_CHAN_CROSS:-$(q 50000 10000)}
N_SLEEPERS=${PEERS_N_SLEEPERS:-$(q 1000000 200000)}
SLEEP_MS=${PEERS_SLEEP_MS:-$(q 10000 3000)}
ECHO_SECS=${PEERS_ECHO_SECONDS:-$(q 1.5 0.5)}
ECHO_WARMUP=${PEERS_ECHO_WARMUP:-$(q 0.5 0.2)}
ECHO_SIZES=${PEERS_SIZES:-64 1024}
ECHO_CONNS=${PEERS_CONNS:-1 100 1000}
ECHO_CORES=${PEERS_CORES:-1 2}
HTTP_CONNS=${PEERS_HTTP_CONNS:-100 1000}
HTTP_SECS=${PEERS_HTTP_SECONDS:-$(q 2 1)}
HTTP_WARMUP=${PEERS_HTTP_WARMUP:-1}
MAX_FOREIGN=${PEERS_MAX_FOREIGN:-20}
RETRIES=${PEERS_RETRIES:-1}
HB=$(readlink -f "$BUILD/libhumboldt.so" 2>/dev/null)

tmp=$(mktemp -d)
# shellcheck source=bench/peers/lib.sh
. "$HERE/lib.sh"
# PEERS_REPORT_FROM=DIR: no runs, only peers.md and the charts again from
# the data a run kept in DIR (its settings first: the workloads use them)
FROM=${PEERS_REPORT_FROM:-}
if [ -n "$FROM" ]; then
	[ -f "$FROM/settings" ] || die "$FROM/settings missing: not the data of a run"
	# shellcheck source=/dev/null
	. "$FROM/settings"
	cp -r "$FROM/res" "$FROM/env" "$tmp/"
	[ -f "$FROM/failures" ] && cp "$FROM/failures" "$tmp/"
fi
# shellcheck source=bench/peers/micro.sh
. "$HERE/micro.sh"
# shellcheck source=bench/peers/echo.sh
. "$HERE/echo.sh"
# shellcheck source=bench/peers/http.sh
. "$HERE/http.sh"
# shellcheck source=bench/peers/report.sh
. "$HERE/report.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/res"
failures=0
failed_run() { failures=$((failures + 1)); echo "$*" >>"$tmp/failures"; echo " [failed: $*]" >&2; }

# rotate ROUND ITEM... -> the items starting at position (ROUND-1) mod count
rotate() {
	local r=$1
	shift
	local -a a=("$@")
	local n=${#a[@]} i
	for ((i = 0; i < n; i++)); do printf '%s ' "${a[(i + r - 1) % n]}"; done
}
is_ours() { [ "$1" = default ] || [ "$1" = humboldt ]; }
# ours_env SYSTEM: the environment that binds our runtime; humboldt must
# run on io_uring, never on its epoll fallback.
ours_env() { [ "$1" = humboldt ] && echo "LD_PRELOAD=$HB HUMBOLDT_REQUIRE_URING=1"; }

# ---- which systems can run here: WHY[sys] is empty when one can
available() { [ -z "${WHY[$1]}" ]; }
if [ -n "$FROM" ]; then
	mkdir -p "$RESULTS"
	report >"$RESULTS/peers.md"
	charts
	echo "bench-peers: $RESULTS/peers.md and its charts written again from $FROM" >&2
	exit 0
fi
declare -A WHY
for p in yield spawn_join chan_pingpong sleepers io/echo_server io/echo_load; do
	[ -x "$BUILD/bench/$p" ] || die "$BUILD/bench/$p missing; run 'make bench-peers'"
done
[ -x "$PB/http_hello" ] || die "$PB/http_hello missing; run 'make bench-peers'"
WHY[default]=
WHY[humboldt]=
# shellcheck disable=SC2046 # ours_env prints NAME=value words
if [ -z "$HB" ]; then
	WHY[humboldt]="$BUILD/libhumboldt.so missing"
elif ! env $(ours_env humboldt) ASYNC_STD_THREADS=1 timeout 20 "$BUILD/bench/yield" 10 \
	>/dev/null 2>"$tmp/hb.err"; then
	WHY[humboldt]="cannot run on io_uring here: $(head -n1 "$tmp/hb.err")"
fi
why_file() { # why_file NAME BINARY -> the reason BINARY is missing, or nothing
	[ -x "$2" ] && return
	if [ -s "$PB/$1.why" ]; then head -n1 "$PB/$1.why"; else echo "not built ($2 missing)"; fi
}
WHY[go]=$(why_file go "$PB/peers_go")
WHY[tokio]=$(why_file tokio "$PB/peers_tokio")
WHY[hyper]=$(why_file hyper "$PB/peers_hyper")
WHY[libuv]=$(why_file uv "$PB/uv_echo")
WHY[tokio_mt]=${WHY[tokio]}
WHY[hyper_mt]=${WHY[hyper]}
WRK_WHY=
command -v wrk >/dev/null || WRK_WHY="wrk is not installed (apt-get install wrk)"
command -v taskset >/dev/null || die "taskset (util-linux) is needed"
command -v timeout >/dev/null || die "timeout (coreutils) is needed"
# 1,000 connections and two sides of each need more than 1024 descriptors
ulimit -n "$(ulimit -Hn)" 2>/dev/null

CLIENT_LIMIT=$(awk -v s="$ECHO_SECS" -v w="$ECHO_WARMUP" -v h="$HTTP_SECS" -v hw="$HTTP_WARMUP" \
	'BEGIN { m = s + w; if (h + hw > m) m = h + hw; printf "%d", m + 30 }')
SERVER_SECS=$((CLIENT_LIMIT * 2 + 30))
SERVER_LIMIT=$((SERVER_SECS + 10))

# ---- the machine and the versions, before anything runs
{
	cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
	echo "started=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "machine=$NCPU CPUs ($(IFS=,; echo "${CPUS[*]}")), ${cpu:-unknown CPU}, $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(uname -sr) $(uname -m), Debian $(cat /etc/debian_version 2>/dev/null)"
	echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "ours=async_std ${PEERS_OURS_DESC:-$(git -C "$HERE" describe --always --dirty 2>/dev/null || echo '?')}, $(${CC:-cc} --version | head -n1)"
	echo "go=$(command -v go >/dev/null && go version | sed 's/^go version //')"
	echo "rust=$(rustc --version 2>/dev/null), $(cargo --version 2>/dev/null)"
	echo "tokio=$([ -x "$PB/peers_tokio" ] && sed -n 's/^tokio //p' "$PB/peers_tokio.versions" 2>/dev/null | head -n1)"
	echo "hyper=$([ -x "$PB/peers_hyper" ] && sed -n 's/^hyper //p' "$PB/peers_hyper.versions" 2>/dev/null | head -n1)"
	echo "libuv=$(pkg-config --modversion libuv 2>/dev/null)"
	echo "wrk=$(wrk -v 2>&1 | head -n1 | cut -d' ' -f2)"
	echo "gnuplot=$(gnuplot --version 2>/dev/null)"
} >"$tmp/env"

t0=$SECONDS
for ((r = 1; r <= RUNS; r++)); do
	round=$r
	for wl in $WORKLOADS; do
		case $wl in
		micro | echo) ;;
		http) [ -n "$WRK_WHY" ] && continue ;;
		*) die "unknown workload '$wl' in PEERS_WORKLOADS (micro, echo, http)" ;;
		esac
		printf 'bench-peers round %d/%d, %s:' "$r" "$RUNS" "$wl" >&2
		"${wl}_round" "$r"
		echo " ($((SECONDS - t0)) s)" >&2
	done
done
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$tmp/env"
echo "elapsed=$((SECONDS - t0))" >>"$tmp/env"

# keep the data, so that PEERS_REPORT_FROM can write the report again
KEEP=$PB/last-run
rm -rf "$KEEP" && mkdir -p "$KEEP" && cp -r "$tmp/res" "$tmp/env" "$KEEP/"
[ -f "$tmp/failures" ] && cp "$tmp/failures" "$KEEP/"
declare -p RUNS QUICK WORKLOADS N_YIELD N_SPAWN N_SPAWN2 N_CHAN N_CHAN_CROSS N_SLEEPERS SLEEP_MS \
	ECHO_SECS ECHO_WARMUP ECHO_SIZES ECHO_CONNS ECHO_CORES HTTP_CONNS HTTP_SECS HTTP_WARMUP \
	MAX_FOREIGN RETRIES RETRIED failures CPUS NCPU WHY WRK_WHY >"$KEEP/settings"

mkdir -p "$RESULTS"
report >"$tmp/peers.md"
cp "$tmp/peers.md" "$RESULTS/peers.md"
charts
echo "bench-peers: $RESULTS/peers.md and its charts written ($((SECONDS - t0)) s)" >&2
[ "$failures" -eq 0 ]
