# SPDX-License-Identifier: MIT
# bench/peers/report.sh - peers.md and the charts from the recorded runs
# (sourced by run.sh): one table per workload with each system's median,
# min-max spread and our best runtime's lead over it, a summary table with
# the targets of issue 7, and one gnuplot SVG per workload (chart.gp).
# shellcheck shell=bash

env_get() { sed -n "s/^$1=//p" "$tmp/env"; }
sys_label() {
	case $1 in
	default) echo "async_std default (epoll)" ;;
	humboldt) echo "async_std humboldt (io_uring)" ;;
	go) echo "Go $(env_get go | cut -d' ' -f1 | sed 's/^go//')" ;;
	tokio) echo "tokio $(env_get tokio)" ;;
	tokio_mt) echo "tokio $(env_get tokio), multi_thread, 1 worker" ;;
	hyper) echo "hyper $(env_get hyper) (tokio $(env_get tokio))" ;;
	hyper_mt) echo "hyper $(env_get hyper), tokio multi_thread, 1 worker" ;;
	libuv) echo "libuv $(env_get libuv) (1 thread)" ;;
	esac
}
sys_short() {
	case $1 in
	default | humboldt | tokio | libuv | hyper) echo "$1" ;; go) echo Go ;;
	tokio_mt) echo "tokio mt" ;; hyper_mt) echo "hyper mt" ;;
	esac
}
# the colour of a system in every chart: ours in blues, the peers warm
sys_colour() {
	case $1 in
	default) echo "#1f4e9c" ;; humboldt) echo "#5b9bd5" ;; go) echo "#2ca02c" ;;
	tokio | hyper) echo "#d62728" ;; tokio_mt | hyper_mt) echo "#f4a6a6" ;; libuv) echo "#ff7f0e" ;;
	esac
}
cores_txt() { if [ "$1" = 1 ]; then echo "1 core"; else echo "$1 cores"; fi; }
# fmt V: 3 significant digits (integers as they are), thousands separated
fmt() {
	awk -v v="$1" 'BEGIN {
		if (v == "-" || v == "") { print "-"; exit }
		if (v == int(v) && v < 1000) { printf "%d\n", v; exit }
		if (v >= 1000) exit 1
		else if (v >= 100) printf "%.0f\n", v
		else if (v >= 10) printf "%.1f\n", v
		else printf "%.2f\n", v
	}' || thousands "$1"
}
# lead DIR VALUE BEST -> how many times our best beats VALUE (>1: we lead)
lead() {
	awk -v d="$1" -v v="$2" -v b="$3" 'BEGIN {
		if (v == "-" || b == "-" || v <= 0 || b <= 0) { print "-"; exit }
		printf "%.2f\n", d == "low" ? v / b : b / v }'
}
better() { # better DIR A B: A strictly better than B
	awk -v d="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(d == "low" ? a < b : a > b) }'
}

# cell_table FILEPREFIX KEY DIR LABEL UNIT TARGET SYSTEMS... : the rows of
# one cell (first column LABEL) and one summary entry; sets BEST_OURS and
# BEST_PEER (system ids, or empty) for the caller.  With EXTRA_KEYS set
# ("p50_us p99_us ..."), their medians follow as columns.
cell_table() {
	local pre=$1 key=$2 dir=$3 label=$4 unit=$5 target=$6 sys med min max n bv='' pv='' k
	shift 6
	BEST_OURS='' BEST_PEER=''
	local blanks=''
	for k in ${EXTRA_KEYS:-}; do blanks+=" |"; done
	for sys in "$@"; do
		read -r med min max n <<<"$(stats "$pre.$sys" "$key")"
		[ "$n" = 0 ] && continue
		if is_ours "$sys"; then
			if [ -z "$BEST_OURS" ] || better "$dir" "$med" "$bv"; then BEST_OURS=$sys bv=$med; fi
		elif [ -z "$BEST_PEER" ] || better "$dir" "$med" "$pv"; then
			BEST_PEER=$sys pv=$med
		fi
	done
	for sys in "$@"; do
		if ! available "$sys"; then
			echo "| $label | $(sys_label "$sys") | not measured | | |$blanks"
			continue
		fi
		read -r med min max n <<<"$(stats "$pre.$sys" "$key")"
		if [ "$n" = 0 ]; then
			echo "| $label | $(sys_label "$sys") | failed | | |$blanks"
			continue
		fi
		local extra=''
		for k in ${EXTRA_KEYS:-}; do extra+=" $(fmt "$(stats "$pre.$sys" "$k" | cut -d' ' -f1)") |"; done
		local l
		l=$(lead "$dir" "$med" "$bv")
		[ "$sys" = "$BEST_OURS" ] && l="1.00 (our best)"
		echo "| $label | $(sys_label "$sys") | **$(fmt "$med")** | $(fmt "$min") - $(fmt "$max") ($n) | $l |$extra"
	done
	# summary: label, our best, best peer, lead, target, verdict
	local sl='-' v='-'
	[ -n "$BEST_OURS" ] && [ -n "$BEST_PEER" ] && sl=$(lead "$dir" "$pv" "$bv")
	if [ "$target" != - ] && [ "$sl" != - ]; then
		v=$(awk -v l="$sl" -v t="$target" 'BEGIN { print (l >= t) ? "met" : "MISSED" }')
	fi
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "${label% (*}" \
		"${BEST_OURS:+$(fmt "$bv") $unit ($(sys_short "$BEST_OURS"))}" \
		"${BEST_PEER:+$(fmt "$pv") $unit ($(sys_short "$BEST_PEER"))}" "$sl" \
		"$target" "$v" "$BEST_OURS" "$BEST_PEER" >>"$tmp/summary"
}

# chart_head FILE SYSTEMS...: the header row (and FILE.colours);
# chart_row FILE LABEL PREFIX KEY SYSTEMS...: one cluster of medians
chart_head() {
	local f=$1 s
	shift
	{ printf '"cell"'; for s in "$@"; do printf ' "%s"' "$(sys_short "$s")"; done; echo; } >"$f"
	for s in "$@"; do printf '%s ' "$(sys_colour "$s")"; done >"$f.colours"
}
chart_row() {
	local f=$1 label=$2 pre=$3 key=$4 s
	shift 4
	{ printf '"%s"' "$label"; for s in "$@"; do printf ' %s' "$(stats "$pre.$s" "$key" | cut -d' ' -f1)"; done; echo; } >>"$f"
}

report_micro() {
	local c cell w key label unit target dir=low
	echo "## Micro-benchmarks"
	echo
	echo "Each program does the same thing in every language, with the same worker count, pinned to as many CPUs (\`taskset\`); a warm-up of the same shape runs before the clock starts."
	echo
	echo "- **yield**: two tasks on one worker yield to each other; one round trip A -> B -> A is two yields, the figure is the round trip / 2 (ours: \`bench/yield\`, \`async_std_yield\`, tasks \`SPAWN_LOCAL\`; Go: \`runtime.Gosched\`, \`GOMAXPROCS=1\`; tokio: \`tokio::task::yield_now\` on a \`current_thread\` runtime). $(thousands "$N_YIELD") round trips."
	echo "- **spawn + join**: spawn a task that returns its argument, wait for it, then the next one (ours: \`bench/spawn_join N 1\`; Go: \`go f()\` handing its value back over a channel of capacity 1, the usual join; tokio: \`tokio::spawn(..).await\`, the loop itself a task). 1 worker: $(thousands "$N_SPAWN") tasks; 2 workers ($(thousands "$N_SPAWN2") tasks): \`ASYNC_STD_THREADS=2\`, \`GOMAXPROCS=2\`, tokio \`multi_thread\` with 2 workers."
	echo "- **channel round trip**: A sends a number to B, B sends it back, through two channels (ours: capacity 0, \`bench/chan_pingpong\`; Go: unbuffered channels; tokio: \`mpsc::channel(1)\`, it has no rendezvous channel and one element in flight never needs more). Same worker: 1 worker ($(thousands "$N_CHAN") round trips). Two workers ($(thousands "$N_CHAN_CROSS") round trips): each task forced onto its own worker thread: ours \`chan_pingpong cross\`, Go \`runtime.LockOSThread\` in each goroutine with \`GOMAXPROCS=2\`, tokio one \`current_thread\` runtime per thread."
	echo "- **$(thousands "$N_SLEEPERS") sleeping tasks**: spawn them all, each sleeps until one common deadline $(thousands "$SLEEP_MS") ms after the start; the figure is the growth of VmRSS from before the first spawn to when all are asleep, per task (ours: \`bench/sleepers\`, default 256 KiB stacks committed lazily; Go: goroutines in \`time.Sleep\`; tokio: tasks in \`sleep_until\`, \`JoinHandle\`s kept). $NCPU workers."
	echo
	echo "Lead = the system's figure / our best runtime's: above 1 our best is faster (or smaller) by that factor. Other load % = what other processes used of the run's CPUs (median over the runs)."
	echo
	echo "| workload | system | median | min - max (runs) | our best's lead | other load % |"
	echo "|---|---|---|---|---|---|"
	chart_head "$tmp/chart-micro.dat" "${MICRO_SYSTEMS[@]}"
	chart_head "$tmp/chart-memory.dat" "${MICRO_SYSTEMS[@]}"
	for c in "${MICRO_CELLS[@]}"; do
		IFS='|' read -r cell w key label unit target short <<<"$c"
		[ "$target" = go ] && target=1 # memory: no more than Go's
		EXTRA_KEYS=foreign_pct cell_table "$tmp/res/micro.$cell" "$key" "$dir" "$label ($unit)" "$unit" "$target" \
			"${MICRO_SYSTEMS[@]}"
		if [ "$cell" = sleepers ]; then
			# the target compares with Go, not with the best peer
			if [ -n "$BEST_OURS" ] && [ -s "$tmp/res/micro.sleepers.go" ]; then
				local g o
				g=$(stats "$tmp/res/micro.sleepers.go" "$key" | cut -d' ' -f1)
				o=$(stats "$tmp/res/micro.sleepers.$BEST_OURS" "$key" | cut -d' ' -f1)
				sed -i '$d' "$tmp/summary"
				printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$(fmt "$o") KiB ($(sys_short "$BEST_OURS"))" \
					"$(fmt "$g") KiB (Go)" "$(lead low "$g" "$o")" "<= Go" \
					"$(awk -v o="$o" -v g="$g" 'BEGIN { print (o <= g) ? "met" : "MISSED" }')" "$BEST_OURS" go >>"$tmp/summary"
			fi
			chart_row "$tmp/chart-memory.dat" "$short" "$tmp/res/micro.$cell" "$key" "${MICRO_SYSTEMS[@]}"
		else
			chart_row "$tmp/chart-micro.dat" "$short" "$tmp/res/micro.$cell" "$key" "${MICRO_SYSTEMS[@]}"
		fi
	done
	echo
	echo "![micro-benchmarks](peers-micro.svg)"
	echo "![memory per sleeping task](peers-memory.svg)"
	echo
}

report_echo() {
	local cores size conns pin
	echo "## TCP echo"
	echo
	echo "Every server echoes with one task (goroutine, tokio task, libuv handle) per connection, reading up to 16 KiB and writing it back. One client for all: \`bench/io/echo_load\` (plain C, epoll + pthreads, one thread), closed loop with one request in flight per connection, $ECHO_SECS s measured after $ECHO_WARMUP s of warm-up; latency is the client's round trip. Servers: ours \`bench/echo/echo_server\` (\`ASYNC_STD_THREADS=N\`, humboldt by \`LD_PRELOAD\` with \`HUMBOLDT_REQUIRE_URING=1\`), Go \`net\` (\`GOMAXPROCS=N\`), tokio (\`current_thread\` for 1 core, and also \`multi_thread\` with 1 worker as \"tokio mt\" to show which flavour is faster; \`multi_thread\` with N workers otherwise; the accept loop in \`block_on\`), libuv (one loop on one thread whatever N: libuv has no multi-threaded loop). With 2 cores and no third CPU the client runs on the server's CPUs: a server that keeps both busy takes CPU time from its own client, while a single-threaded one (libuv) leaves it a core, which favours it there. Server CPU % is the server's CPU time over the window (100 = one core); other load % is what other processes used of the CPUs involved (this machine was shared)."
	echo
	for cores in $ECHO_CORES; do
		if [ "$NCPU" -gt "$cores" ]; then
			pin="server pinned to CPU $(cpus_first "$cores"), client to CPU $(client_cpus "$cores")"
		else
			pin="server pinned to CPU $(cpus_first "$cores"); the client shares them (no CPU left on this machine)"
		fi
		echo "### Server on $(cores_txt "$cores"): $pin"
		echo
		echo "| payload x connections | system | req/s median | min - max (runs) | our best's lead | p50 us | p99 us | server CPU % | other load % |"
		echo "|---|---|---|---|---|---|---|---|---|"
		local -a systems
		read -r -a systems <<<"$(echo_systems "$cores")"
		chart_head "$tmp/chart-echo-$cores.dat" "${systems[@]}"
		for size in $ECHO_SIZES; do
			for conns in $ECHO_CONNS; do
				local t=-
				[ "$conns" -ge 100 ] && t=1.1
				EXTRA_KEYS="p50_us p99_us srv_cpu_pct foreign_pct" \
					cell_table "$tmp/res/echo.c$cores.s$size.n$conns" rps high \
					"echo $size B x $conns, $(cores_txt "$cores")" "req/s" "$t" "${systems[@]}"
				[ "$t" != - ] && p99_check "$tmp/res/echo.c$cores.s$size.n$conns"
				chart_row "$tmp/chart-echo-$cores.dat" "$size B x $conns" \
					"$tmp/res/echo.c$cores.s$size.n$conns" rps "${systems[@]}"
			done
		done
		echo
		echo "![echo, $(cores_txt "$cores")](peers-echo-${cores}core.svg)"
		echo
	done
}

# p99_check PREFIX: the throughput target also wants our best's p99 no
# worse than the best peer's; rewrites the last summary line accordingly.
p99_check() {
	local line po pp v
	line=$(tail -n1 "$tmp/summary")
	IFS=$'\t' read -r -a f <<<"$line"
	[ -n "${f[6]:-}" ] && [ -n "${f[7]:-}" ] || return
	po=$(stats "$1.${f[6]}" p99_us | cut -d' ' -f1)
	pp=$(stats "$1.${f[7]}" p99_us | cut -d' ' -f1)
	v=${f[5]}
	if [ "$v" = met ] && awk -v a="$po" -v b="$pp" 'BEGIN { exit !(a > b) }'; then v="MISSED (p99)"; fi
	f[5]="$v; p99 $(fmt "$po") vs $(fmt "$pp") us"
	f[4]=">= ${f[4]}x, p99 no worse"
	sed -i '$d' "$tmp/summary"
	(IFS=$'\t'; echo "${f[*]}") >>"$tmp/summary"
}

report_http() {
	local cores conns
	echo "## HTTP/1.1 keep-alive hello"
	echo
	echo "\`GET /\` answered with 200 and the 14-byte body \"Hello, world!\\n\" (Content-Type and Date headers too). Servers: ours \`bench/peers/http_hello.c\` (one task per connection, headers read up to the blank line, pipelined requests answered with one write), Go \`net/http\` (\`GOMAXPROCS=N\`), hyper $(env_get hyper) server connections on tokio (\`current_thread\` for 1 core, and also \`multi_thread\` with 1 worker as \"hyper mt\"; \`multi_thread\` with N workers otherwise). Client: wrk $(env_get wrk) (Debian's), one thread, a ${HTTP_WARMUP} s warm-up run then ${HTTP_SECS} s measured on the same server process; pinned as for echo."
	[ -n "${WHY[hyper]}" ] && echo "hyper could not be built offline here: ${WHY[hyper]}."
	echo
	if [ -n "$WRK_WHY" ]; then
		echo "Not measured: $WRK_WHY."
		echo
		return
	fi
	echo "| cores x connections | system | req/s median | min - max (runs) | our best's lead | p50 us | p99 us | errors | server CPU % | other load % |"
	echo "|---|---|---|---|---|---|---|---|---|---|"
	local -a all systems
	read -r -a all <<<"$(http_systems 1)"
	chart_head "$tmp/chart-http.dat" "${all[@]}"
	for cores in $ECHO_CORES; do
		read -r -a systems <<<"$(http_systems "$cores")"
		for conns in $HTTP_CONNS; do
			local t=-
			[ "$conns" -ge 100 ] && t=1.1
			EXTRA_KEYS="p50_us p99_us errors srv_cpu_pct foreign_pct" cell_table "$tmp/res/http.c$cores.n$conns" rps high \
				"HTTP, $(cores_txt "$cores") x $conns conns" "req/s" "$t" "${systems[@]}"
			[ "$t" != - ] && p99_check "$tmp/res/http.c$cores.n$conns"
			chart_row "$tmp/chart-http.dat" "$(cores_txt "$cores") x $conns" "$tmp/res/http.c$cores.n$conns" rps "${all[@]}"
		done
	done
	echo
	echo "![HTTP hello](peers-http.svg)"
	echo
}

report() {
	local body s wl
	: >"$tmp/summary"
	body=$(for wl in $WORKLOADS; do "report_$wl"; done)
	echo "# async_std against Go, tokio and libuv"
	echo
	echo "Written by \`make bench-peers\` (\`bench/peers/run.sh\`), started $(env_get started), $(( $(env_get elapsed) / 60 )) min of runs; $RUNS round(s), each cell's median of $RUNS.$([ "$QUICK" = 1 ] && echo " **PEERS_QUICK=1: a short development run, not the reference figures.**")"
	echo
	echo "- machine: $(env_get machine)"
	echo "- load average before / after: $(env_get load_before) / $(env_get load_after); the machine may be shared with other work, which moves single runs: compare within this run, not across runs"
	echo "- ours: $(env_get ours); default runtime from \`libasync_std.so.1\`, humboldt by \`LD_PRELOAD=libhumboldt.so\` on the same binaries"
	echo "- Go: $(env_get go) (standard library only, \`GOPROXY=off\`); Rust: $(env_get rust); tokio $(env_get tokio) and hyper $(env_get hyper) from Debian's \`librust-*-dev\` crates, \`cargo --offline --release\`; libuv $(env_get libuv); wrk $(env_get wrk); $(env_get gnuplot)"
	for s in humboldt go tokio hyper libuv; do
		[ -n "${WHY[$s]}" ] && echo "- **not measured: $(sys_short "$s")**: ${WHY[$s]}"
	done
	echo
	echo "Fairness: every system gets the same core count (\`taskset\` plus its own setting: \`ASYNC_STD_THREADS\`, \`GOMAXPROCS\`, tokio's worker count; libuv is single-threaded), release builds (ours \`-O2\`, Go's default, cargo \`--release\`), a warm-up before each measurement, and the runs interleaved: every round runs each cell once per system, the systems' order rotated from round to round. With $NCPU CPUs the client is pinned apart from a 1-core server; a 2-core server shares its CPUs with the client, which then takes CPU time from it (the same for every server). Every run measures what other processes used of its CPUs (from \`/proc/stat\`, less its own processes); a run during which that exceeded ${MAX_FOREIGN}% was made again (up to $RETRIES time(s); the run with the least foreign load counts): $RETRIED run(s) were made again in this run."
	echo
	echo "## Summary"
	echo
	echo "Medians of $RUNS run(s); our best = the better of our two runtimes in that cell, best peer = the best of the others; lead = how many times our best beats the best peer (above 1: we lead). The targets are those of issue 7; for echo and HTTP the p99 of our best must also be no worse than the best peer's. Rows without a target are recorded for information."
	echo
	echo "| workload | our best | best peer | our lead | target | verdict |"
	echo "|---|---|---|---|---|---|"
	while IFS=$'\t' read -r label ours peer l target v _; do
		local tt=$target
		[[ $target =~ ^[0-9.]+$ ]] && tt=">= ${target}x"
		[ "$target" = - ] && tt=-
		echo "| $label | ${ours:--} | ${peer:--} | ${l} | $tt | $v |"
	done <"$tmp/summary"
	echo
	echo "$body"
	if [ -s "$tmp/failures" ]; then
		echo "## Failed runs"
		echo
		sed 's/^/- /' "$tmp/failures"
		echo
	fi
}

# charts: one SVG per workload into $RESULTS (skipped, and said, without gnuplot)
charts() {
	local f
	if ! command -v gnuplot >/dev/null; then
		echo "bench-peers: gnuplot missing, no charts" >&2
		return
	fi
	chart() { # chart DATA OUT TITLE YLABEL LOGY
		[ -s "$1" ] && [ "$(wc -l <"$1")" -gt 1 ] || return 0
		gnuplot -e "data='$1'; out='$2'; ttl='$3'; ylab='$4'; logy=$5; ncols=$(($(wc -w <"$1.colours") + 1)); colours='$(cat "$1.colours")'" \
			"$HERE/chart.gp" 2>>"$tmp/gnuplot.err" || echo "bench-peers: gnuplot failed for $2" >&2
	}
	chart "$tmp/chart-micro.dat" "$RESULTS/peers-micro.svg" "Micro-benchmarks (median; lower is better; 1w, 2w: 1 or 2 workers)" "ns (log scale)" 1
	chart "$tmp/chart-memory.dat" "$RESULTS/peers-memory.svg" "Memory per sleeping task (median; lower is better)" "KiB per task" 0
	for f in $ECHO_CORES; do
		chart "$tmp/chart-echo-$f.dat" "$RESULTS/peers-echo-${f}core.svg" "TCP echo, server on $(cores_txt "$f") (median; higher is better)" "requests/s" 0
	done
	chart "$tmp/chart-http.dat" "$RESULTS/peers-http.svg" "HTTP/1.1 hello, wrk (median; higher is better)" "requests/s" 0
}
