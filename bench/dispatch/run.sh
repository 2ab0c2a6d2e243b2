#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/dispatch/run.sh - runs every variant of the dispatch benchmark
# (dispatch.mk builds them) and hands the numbers to report.sh, which writes
# bench/results/dispatch.md and dispatch.svg.  make bench-dispatch runs it.
#
#   BUILD=build bench/dispatch/run.sh
#
# 1. time: DISPATCH_RUNS rounds (default 9), each running every variant once
#    in the same order (A B C ... A B C ...), ASYNC_STD_THREADS=1;
# 2. instructions: each variant twice under callgrind, with the counts of
#    DISPATCH_CG_N and twice those; per call = difference of the loop's
#    counts / difference of the calls, so whatever is constant cancels;
# 3. evidence: objdump of every variant's hot loops (evidence.sh).
# Sizes: DISPATCH_N (calls of self, now, yield, recv; default
# "20000000 5000000 5000000 1000000"), DISPATCH_CG_N (default
# "200000 50000 50000 20000").  Exit status 1 when a run fails or a variant
# is bound to another runtime than its row says.
set -euo pipefail

BUILD=${BUILD:-build}
BIN=$BUILD/bench/dispatch
WORK=$BIN/results
RUNS=${DISPATCH_RUNS:-9}
read -r -a N <<<"${DISPATCH_N:-20000000 5000000 5000000 1000000}"
read -r -a CG_N <<<"${DISPATCH_CG_N:-200000 50000 50000 20000}"
HB=$(readlink -f "$BUILD/libhumboldt.so")
HERE=$(dirname "$0")

# id | binary | LD_PRELOAD humboldt (1/0) | runtime it must report
VARIANTS=(
	"direct|direct|0|default"
	"lto|lto|0|default"
	"static|static|0|default"
	"fno-plt|fno-plt|0|default"
	"plt|plt|0|default"
	"vtable|vtable|0|default"
	"static-humboldt|static-humboldt|0|humboldt"
	"preload|plt|1|humboldt"
)

die() { printf '\nbench/dispatch/run.sh: %s\n' "$*" >&2; exit 1; }
field() { local -a f; IFS='|' read -r -a f <<<"$1"; printf '%s' "${f[$2]}"; }

for v in "${VARIANTS[@]}"; do
	[ -x "$BIN/$(field "$v" 1)" ] || die "$BIN/$(field "$v" 1) missing; run 'make bench-dispatch'"
done
[ -e "$HB" ] || die "$BUILD/libhumboldt.so missing; run 'make bench-dispatch'"
rm -rf "$WORK" && mkdir -p "$WORK/cg"

# run_variant SPEC OUT PREFIX... ARGS: one run, checked for its runtime.
run_variant() {
	local spec=$1 out=$2; shift 2
	local -a envs=(ASYNC_STD_THREADS=1)
	[ "$(field "$spec" 2)" = 1 ] && envs+=("LD_PRELOAD=$HB")
	if ! env "${envs[@]}" timeout -k 5 300 "$@" >"$out" 2>"$out.err"; then
		cat "$out.err" >&2
		die "$(field "$spec" 0) failed: $*"
	fi
	local want got
	want=$(field "$spec" 3)
	got=$(sed -n 's/.* runtime=\([^ ]*\) .*/\1/p' "$out" | sort -u)
	[ "$got" = "$want" ] || die "$(field "$spec" 0) ran on runtime '$got', not '$want' ($*)"
}

{
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)"
	echo "nproc=$(nproc)"
	echo "kernel=$(uname -sr) $(uname -m)"
	echo "cc=$(${CC:-cc} --version | head -n1)"
	echo "valgrind=$(valgrind --version)"
	echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
	echo "runs=$RUNS"
	echo "n=${N[*]}"
	echo "cg_n=${CG_N[*]}"
} >"$WORK/meta"

# ---- 1. time, interleaved rounds ------------------------------------------
for ((r = 1; r <= RUNS; r++)); do
	printf 'round %d/%d:' "$r" "$RUNS" >&2
	for v in "${VARIANTS[@]}"; do
		id=$(field "$v" 0)
		printf ' %s' "$id" >&2
		run_variant "$v" "$WORK/out" "$BIN/$(field "$v" 1)" "${N[@]}"
		sed -n "s/.* runtime=\([^ ]*\) op=\([^ ]*\) .* ns_per_call=\([^ ]*\).*/$id \2 \1 $r \3/p" \
			"$WORK/out" >>"$WORK/time.txt"
	done
	echo >&2
done
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/meta"

# ---- 2. instructions under callgrind ----------------------------------------
# dump_total ID K OP: the total of the dump callgrind wrote after op's loop
# (dispatch.c names the dump after the op; files are ID.K.<pid>.<dump>).
dump_total() {
	local f
	f=$(grep -l "^desc: Trigger: Client Request: $3\$" "$WORK/cg/$1.$2".[0-9]*.[0-9]*) ||
		die "no callgrind dump for $3 of $1 (run $2) in $WORK/cg"
	sed -n 's/^totals: \([0-9]*\).*/\1/p' "$f"
}
printf 'callgrind:' >&2
for v in "${VARIANTS[@]}"; do
	id=$(field "$v" 0)
	printf ' %s' "$id" >&2
	# Humboldt rows on its epoll fallback: valgrind 3.19 hangs a ring worker.
	pre=()
	[ "$(field "$v" 3)" = humboldt ] && pre=("$BUILD/tests/humboldt/no_uring")
	for k in 1 2; do
		args=()
		for n in "${CG_N[@]}"; do args+=($((n * k))); done
		run_variant "$v" "$WORK/cg/$id.$k.out" "${pre[@]}" valgrind --tool=callgrind \
			--callgrind-out-file="$WORK/cg/$id.$k.%p" "$BIN/$(field "$v" 1)" "${args[@]}"
	done
	i=0
	for op in self now yield recv; do
		t1=$(dump_total "$id" 1 "$op")
		t2=$(dump_total "$id" 2 "$op")
		# yield: both tasks made n yields, so 2n calls per run.
		calls=${CG_N[$i]}; [ "$op" = yield ] && calls=$((2 * calls))
		awk -v id="$id" -v op="$op" -v a="$t1" -v b="$t2" -v c="$calls" \
			'BEGIN { printf "%s %s %.1f %d %d\n", id, op, (b - a) / c, a, b }' >>"$WORK/ir.txt"
		i=$((i + 1))
	done
done
echo >&2

# ---- 3. objdump of the hot loops, then the report ------------------------------
ids=(); bins=()
for v in "${VARIANTS[@]}"; do
	[ "$(field "$v" 2)" = 1 ] && continue # the same binary as another row
	ids+=("$(field "$v" 0)"); bins+=("$BIN/$(field "$v" 1)")
done
"$HERE/evidence.sh" "$WORK" "${ids[@]}" -- "${bins[@]}"
"$HERE/report.sh" "$WORK" bench/results
