# SPDX-License-Identifier: MIT
# bench/peers/echo.sh - the TCP echo workload of issue 7 (sourced by
# run.sh): every server (ours on both runtimes, Go, tokio, libuv) against
# the one client, bench/io/echo_load (plain C, epoll + pthreads, closed
# loop, fixed duration, p50/p99), pinned apart from the server when there
# are CPUs left for it.
# shellcheck shell=bash

# echo_systems CORES: the servers of a cell; with one core tokio also runs
# as a one-worker multi_thread runtime (tokio_mt), next to current_thread,
# so that the table shows which of its two flavours is faster here.
echo_systems() {
	if [ "$1" = 1 ]; then echo default humboldt go tokio tokio_mt libuv
	else echo default humboldt go tokio libuv; fi
}

# echo_server_cmd SYSTEM WORKERS -> CMD
echo_server_cmd() {
	local sys=$1 w=$2
	case $sys in
	default | humboldt)
		# shellcheck disable=SC2207 # NAME=value words, no spaces
		CMD=(env $(ours_env "$sys") ASYNC_STD_THREADS="$w" ASYNC_STD_VERBOSE=1
		     "$BUILD/bench/io/echo_server" -p 0 -t "$SERVER_SECS") ;;
	go) CMD=(env GOMAXPROCS="$w" "$PB/peers_go" echo -p 0 -t "$SERVER_SECS") ;;
	tokio) CMD=("$PB/peers_tokio" echo -j "$w" -p 0 -t "$SERVER_SECS") ;;
	tokio_mt) CMD=(env PEERS_TOKIO_FLAVOR=multi_thread "$PB/peers_tokio" echo -j "$w" -p 0
		       -t "$SERVER_SECS") ;;
	libuv) CMD=("$PB/uv_echo" -p 0 -t "$SERVER_SECS") ;; # one loop, one thread
	esac
}

# echo_run SYSTEM CORES SIZE CONNS: one measured run; sets RUN_LINE
echo_run() {
	local sys=$1 cores=$2 size=$3 conns=$4 st what="echo ${2}c ${3}B x $4 $1 round $round"
	echo_server_cmd "$sys" "$cores"
	server_up "$what" "$cores" "$sys" "^async_std: runtime $sys " || return
	run_once "$CLIENT_LIMIT" "$(client_cpus "$cores")" "$tmp/cli.out" "$tmp/cli.err" \
		"$BUILD/bench/io/echo_load" -p "$PORT" -c "$conns" -s "$size" -t "$ECHO_SECS" \
		-w "$ECHO_WARMUP" -T 1 ${SPID:+-P "$SPID"}
	st=$?
	server_stop
	if [ "$st" -ne 0 ] || ! grep -q '^bench=echo ' "$tmp/cli.out"; then
		failed_run "$what: client exit $st: $(head -n2 "$tmp/cli.err" | tr '\n' ' ')"
		return
	fi
	RUN_LINE=$(grep '^bench=echo ' "$tmp/cli.out")
}

echo_round() {
	local r=$1 cores size conns sys
	for cores in $ECHO_CORES; do
		for size in $ECHO_SIZES; do
			for conns in $ECHO_CONNS; do
				printf ' %sc/%sB/%s' "$cores" "$size" "$conns" >&2
				# shellcheck disable=SC2046 # a list of names
				for sys in $(rotate "$r" $(echo_systems "$cores")); do
					available "$sys" && measure "$tmp/res/echo.c$cores.s$size.n$conns.$sys" \
						echo_run "$sys" "$cores" "$size" "$conns"
				done
			done
		done
	done
}
