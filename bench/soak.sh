#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/soak.sh - the soak of `make bench`: bench/soak.c on the default
# runtime, humboldt and humboldt's epoll fallback, one after the other.
#
#   BUILD=build bench/soak.sh     (BENCH_SOAK_CONNS, default 10000;
#                                  BENCH_SOAK_S, default 60 per runtime)
#
# Prints one line per runtime (round trips per second, errors, peak RSS of
# the server and of its client process, the server's fds
# before and after) and exits 1 if any run failed (errors, leaked fds, or a
# crash).
set -u
BUILD=${BUILD:-build}
conns=${BENCH_SOAK_CONNS:-10000}
secs=${BENCH_SOAK_S:-60}
case $conns$secs in
*[!0-9]*) echo "soak.sh: BENCH_SOAK_CONNS and BENCH_SOAK_S take whole numbers" >&2; exit 2 ;;
esac
soak=$BUILD/bench/soak
hb=$(cd "$BUILD" && pwd)/libhumboldt.so
no_uring=$BUILD/tests/humboldt/no_uring
for f in "$soak" "$hb" "$no_uring"; do
	[ -e "$f" ] || { echo "soak.sh: $f missing; run 'make bench'" >&2; exit 1; }
done
echo
echo "soak: $conns connections echoing for $secs s per runtime, every byte checked"
status=0
for rt in default humboldt fallback; do
	case $rt in
	default) cmd=("$soak") ;;
	humboldt) cmd=(env LD_PRELOAD="$hb" "$soak") ;;
	fallback) cmd=("$no_uring" env LD_PRELOAD="$hb" "$soak") ;;
	esac
	out=$(timeout -k 5 $((secs + 120)) "${cmd[@]}" "$conns" "$secs" 2>/tmp/soak.$$.err)
	rc=$?
	line=$(grep '^bench=soak' <<<"$out")
	if [ $rc -ne 0 ] || [ -z "$line" ]; then
		status=1
		echo "  $rt: FAILED (exit status $rc)"
		grep -v 'falling back to epoll' /tmp/soak.$$.err | head -5 | sed 's/^/    /'
	fi
	[ -n "$line" ] && awk -v rt="$rt" '{
		for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		printf "  %-8s %9s round trips/s, %s errors, peak RSS %.0f MiB (client %.0f MiB), fds %s before / %s after\n",
			rt, v["round_trips_per_s"], v["errors"], v["peak_rss_kib"] / 1024,
			v["client_peak_rss_kib"] / 1024, v["fds_before"], v["fds_after"]
	}' <<<"$line"
done
rm -f /tmp/soak.$$.err
exit $status
