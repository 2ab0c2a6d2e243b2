# SPDX-License-Identifier: MIT
# bench/peers/micro.sh - the micro workloads of issue 7 (sourced by run.sh):
# the same five shapes on our runtimes (bench/yield.c, spawn_join.c,
# chan_pingpong.c, sleepers.c), Go (peers_go) and tokio (peers_tokio), with
# the same worker count and pinned to as many CPUs.
# shellcheck shell=bash

# cell | workers | key printed by every program | label | unit | target lead
# (go: no more than Go's) | chart label
MICRO_CELLS=(
	"yield|1|ns_per_yield|yield, two tasks on one worker|ns per yield|5|yield"
	"spawn1|1|ns_per_task|spawn + join, one at a time, 1 worker|ns per task|5|spawn+join 1w"
	"spawn2|2|ns_per_task|spawn + join, one at a time, 2 workers|ns per task|-|spawn+join 2w"
	"chan_same|1|ns_per_round_trip|channel round trip, both tasks on one worker|ns per round trip|4|channel 1w"
	"chan_cross|2|ns_per_round_trip|channel round trip, the tasks on two workers|ns per round trip|-|channel 2w"
	"sleepers|$NCPU|kib_per_task_rss|$(thousands "$N_SLEEPERS") sleeping tasks: RSS per task|KiB per task|go|$(thousands "$N_SLEEPERS") sleeping tasks"
)
MICRO_SYSTEMS=(default humboldt go tokio)

# micro_cmd SYSTEM CELL WORKERS -> CMD, the command line (env first)
micro_cmd() {
	local sys=$1 cell=$2 w=$3 n
	case $cell in
	yield) n=$N_YIELD ;; spawn1 | spawn2) n=$N_SPAWN ;; chan_same) n=$N_CHAN ;;
	chan_cross) n=$N_CHAN_CROSS ;; sleepers) n=$N_SLEEPERS ;;
	esac
	local place=same
	[ "$cell" = chan_cross ] && place=cross
	case $sys in
	default | humboldt)
		# shellcheck disable=SC2207 # NAME=value words, no spaces
		CMD=(env $(ours_env "$sys") ASYNC_STD_THREADS="$w")
		case $cell in
		yield) CMD+=("$BUILD/bench/yield" "$n") ;;
		spawn*) CMD+=("$BUILD/bench/spawn_join" "$n" 1) ;;
		chan*) CMD+=("$BUILD/bench/chan_pingpong" "$n" "$place") ;;
		sleepers) CMD+=("$BUILD/bench/sleepers" "$n" "$SLEEP_MS") ;;
		esac ;;
	go)
		CMD=(env GOMAXPROCS="$w" "$PB/peers_go")
		case $cell in
		yield) CMD+=(yield "$n") ;; spawn*) CMD+=(spawn "$n") ;;
		chan*) CMD+=(chan "$n" "$place") ;; sleepers) CMD+=(sleepers "$n" "$SLEEP_MS") ;;
		esac ;;
	tokio)
		CMD=("$PB/peers_tokio")
		case $cell in
		yield) CMD+=(yield "$n") ;; spawn*) CMD+=(spawn "$n" "$w") ;;
		chan*) CMD+=(chan "$n" "$place") ;; sleepers) CMD+=(sleepers "$n" "$SLEEP_MS" "$w") ;;
		esac ;;
	esac
}

# micro_run SYSTEM CELL WORKERS KEY LIMIT: one run; sets RUN_LINE
micro_run() {
	local sys=$1 cell=$2 w=$3 key=$4 limit=$5 st out=$tmp/run.out cpus
	local what="micro $cell $sys round $round"
	micro_cmd "$sys" "$cell" "$w"
	cpus=$(cpus_first "$w")
	cpu_mark "$cpus"
	run_once "$limit" "$cpus" "$out" "$tmp/run.err" "${CMD[@]}"
	st=$?
	cpu_report
	if [ "$st" -ne 0 ] || ! grep -q "^bench=.* $key=" "$out"; then
		failed_run "$what: exit $st: $(tail -n2 "$tmp/run.err" | tr '\n' ' ')"
		return
	fi
	# ours must have run on the runtime asked for
	if is_ours "$sys" && ! grep -q " runtime=$sys " "$out"; then
		failed_run "$what: bound to another runtime: $(head -c 200 "$out")"
		return
	fi
	RUN_LINE="$(grep '^bench=' "$out") ${CPU_LINE#* }"
}

# micro_round ROUND: every cell once on every available system, the
# systems' order rotated by the round (A B C, B C A, ...).
micro_round() {
	local r=$1 c cell w key sys limit
	for c in "${MICRO_CELLS[@]}"; do
		IFS='|' read -r cell w key _ <<<"$c"
		printf ' %s' "$cell" >&2
		limit=120
		[ "$cell" = sleepers ] && limit=$((SLEEP_MS / 1000 + 120))
		for sys in $(rotate "$r" "${MICRO_SYSTEMS[@]}"); do
			available "$sys" &&
				measure "$tmp/res/micro.$cell.$sys" micro_run "$sys" "$cell" "$w" "$key" "$limit"
		done
	done
}
