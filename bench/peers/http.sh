# SPDX-License-Identifier: MIT
# bench/peers/http.sh - the HTTP/1.1 keep-alive "hello" workload of issue 7
# (sourced by run.sh): http_hello on our two runtimes, Go net/http and
# hyper, each loaded by wrk (Debian's) with one thread, a warm-up run and
# then the measured one on the same server process.
# shellcheck shell=bash

# http_systems CORES: the servers of a cell (hyper_mt: hyper on a
# one-worker multi_thread runtime, as tokio_mt in echo.sh)
http_systems() {
	if [ "$1" = 1 ]; then echo default humboldt go hyper hyper_mt
	else echo default humboldt go hyper; fi
}

# http_server_cmd SYSTEM WORKERS -> CMD
http_server_cmd() {
	local sys=$1 w=$2
	case $sys in
	default | humboldt)
		# shellcheck disable=SC2207 # NAME=value words, no spaces
		CMD=(env $(ours_env "$sys") ASYNC_STD_THREADS="$w" ASYNC_STD_VERBOSE=1
		     "$PB/http_hello" -p 0 -t "$SERVER_SECS") ;;
	go) CMD=(env GOMAXPROCS="$w" "$PB/peers_go" http -p 0 -t "$SERVER_SECS") ;;
	hyper) CMD=("$PB/peers_hyper" -j "$w" -p 0 -t "$SERVER_SECS") ;;
	hyper_mt) CMD=(env PEERS_TOKIO_FLAVOR=multi_thread "$PB/peers_hyper" -j "$w" -p 0
		       -t "$SERVER_SECS") ;;
	esac
}

# wrk_line FILE: wrk's --latency report as one key=value line (latencies
# in microseconds; errors = socket errors + non-2xx answers)
wrk_line() {
	awk '
		function us(s) {
			if (s ~ /us$/) return s + 0
			if (s ~ /ms$/) return s * 1000
			if (s ~ /s$/) return s * 1000000
			return s + 0
		}
		$1 == "50%" { p50 = us($2) }
		$1 == "99%" { p99 = us($2) }
		/^Requests\/sec:/ { rps = $2 }
		/requests in/ { n = $1 }
		/Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
		/Non-2xx or 3xx/ { err += $NF }
		END {
			if (rps == "") exit 1
			printf "bench=http requests=%d rps=%.0f p50_us=%.1f p99_us=%.1f errors=%d\n",
				n, rps, p50, p99, err
		}' "$1"
}

# http_run SYSTEM CORES CONNS: one measured run; sets RUN_LINE
http_run() {
	local sys=$1 cores=$2 conns=$3 st url what="http ${2}c x $3 $1 round $round"
	http_server_cmd "$sys" "$cores"
	server_up "$what" "$cores" "$sys" "^http_hello: runtime $sys" || return
	url=http://127.0.0.1:$PORT/
	# warm-up: connections, caches and the server's pools, not counted
	run_once "$CLIENT_LIMIT" "$(client_cpus "$cores")" "$tmp/wrk.warm" "$tmp/wrk.err" \
		wrk -t1 -c"$conns" -d"${HTTP_WARMUP}s" "$url"
	cpu_mark "$(IFS=,; echo "${CPUS[*]}")" "$SPID"
	run_once "$CLIENT_LIMIT" "$(client_cpus "$cores")" "$tmp/wrk.out" "$tmp/wrk.err" \
		wrk -t1 -c"$conns" -d"${HTTP_SECS}s" --timeout 5s --latency "$url"
	st=$?
	cpu_report
	server_stop
	if [ "$st" -ne 0 ] || ! wrk_line "$tmp/wrk.out" >"$tmp/wrk.line"; then
		failed_run "$what: wrk exit $st: $(head -n2 "$tmp/wrk.err" | tr '\n' ' ')"
		return
	fi
	RUN_LINE="$(cat "$tmp/wrk.line") $CPU_LINE"
}

http_round() {
	local r=$1 cores conns sys
	for cores in $ECHO_CORES; do
		for conns in $HTTP_CONNS; do
			printf ' %sc/%s' "$cores" "$conns" >&2
			# shellcheck disable=SC2046 # a list of names
			for sys in $(rotate "$r" $(http_systems "$cores")); do
				available "$sys" && measure "$tmp/res/http.c$cores.n$conns.$sys" \
					http_run "$sys" "$cores" "$conns"
			done
		done
	done
}
