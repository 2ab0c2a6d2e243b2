#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/demo.sh - the echo demo: echo_server and echo_client, built once
# against the abi stub, run on each runtime in turn; the default runtime is
# the stub itself, the others are the same binaries under LD_PRELOAD.
#
#   BUILD=build bench/demo.sh        (make demo runs it)
#
# DEMO_SECONDS (default 3), DEMO_CONNS (100) and DEMO_SIZE (64 bytes) set the
# load.  Only 127.0.0.1 is used.  Every process runs under timeout(1) and is
# killed when the script exits.  Exit status 1 when any runtime failed.
# shellcheck disable=SC2317 # cleanup() runs from the trap
set -u

BUILD=${BUILD:-build}
BIN=$BUILD/bench
SECS=${DEMO_SECONDS:-3}
CONNS=${DEMO_CONNS:-100}
SIZE=${DEMO_SIZE:-64}

# Runtimes: name | library to LD_PRELOAD (empty: the stub's own runtime).
# Adding a runtime is one line; one whose library is not built is skipped.
RUNTIMES=(
	"default|"
	"humboldt|$BUILD/libhumboldt.so"
)

tmp=$(mktemp -d)
pids=()
cleanup() {
	# timeout(1) puts itself and its command in a process group of their
	# own, with its pid as the group id: kill the group, not only timeout.
	for p in "${pids[@]}"; do kill -KILL -- "-$p" "$p"; done 2>/dev/null
	wait 2>/dev/null # reap them quietly
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for p in echo_server echo_client; do
	if [ ! -x "$BIN/$p" ]; then
		echo "bench/demo.sh: $BIN/$p missing; run 'make demo'" >&2
		exit 1
	fi
done

# run_runtime NAME LIB: one server + client run; prints the client's line.
run_runtime() {
	local name=$1 lib=$2 port='' server client i
	local -a envs=()
	[ -n "$lib" ] && envs+=("LD_PRELOAD=$lib")

	# The server stops after CONNS connections have closed, or on its own
	# clock (-t), or by timeout(1): whichever comes first.
	env "${envs[@]}" timeout -k 2 $((SECS + 30)) "$BIN/echo_server" -p 0 \
		-t $((SECS + 20)) -n "$CONNS" >"$tmp/server.out" 2>"$tmp/server.err" &
	server=$!
	pids+=("$server")
	for ((i = 0; i < 100; i++)); do # up to 10 s for the port on line 1
		port=$(head -n1 "$tmp/server.out" 2>/dev/null)
		[ -n "$port" ] && break
		kill -0 "$server" 2>/dev/null || break
		sleep 0.1
	done
	if ! [[ "$port" =~ ^[0-9]+$ ]]; then
		echo "runtime $name: FAILED: the server printed no port"
		sed 's/^/    /' "$tmp/server.err"
		return 1
	fi

	env "${envs[@]}" timeout -k 2 $((SECS + 20)) "$BIN/echo_client" -p "$port" \
		-c "$CONNS" -s "$SIZE" -t "$SECS" >"$tmp/client.out" 2>"$tmp/client.err" &
	client=$!
	pids+=("$client")
	wait "$client"
	local cstatus=$?

	for ((i = 0; i < 100; i++)); do # the server exits once its connections close
		kill -0 "$server" 2>/dev/null || break
		sleep 0.1
	done
	local sstatus=0
	if kill -0 "$server" 2>/dev/null; then
		kill -KILL "$server" 2>/dev/null
		wait "$server" 2>/dev/null
		echo "    server did not exit 10 s after the client; killed" >>"$tmp/server.err"
		sstatus=1
	else
		wait "$server"; sstatus=$?
	fi

	local line bound
	line=$(grep '^runtime ' "$tmp/client.out")
	bound=$(sed -n 's/^runtime \([^:]*\):.*/\1/p' <<<"$line")
	if [ "$cstatus" -ne 0 ] || [ "$sstatus" -ne 0 ] || [ -z "$line" ]; then
		echo "runtime $name: FAILED (client exit $cstatus, server exit $sstatus)${line:+: $line}"
		sed 's/^/    client: /' "$tmp/client.err"
		sed 's/^/    server: /' "$tmp/server.err"
		return 1
	fi
	if [ "$bound" != "$name" ]; then
		echo "runtime $name: FAILED: the binaries bound to runtime '$bound': $line"
		return 1
	fi
	echo "$line"
	sed -n '2,$p' "$tmp/server.out" | sed 's/^/    /'
}

echo "echo demo: $CONNS connections x $SIZE B for $SECS s on 127.0.0.1," \
     "ASYNC_STD_THREADS=${ASYNC_STD_THREADS:-unset (one worker per CPU)}, nproc $(nproc)"
failed=0
for rt in "${RUNTIMES[@]}"; do
	name=${rt%%|*}
	lib=${rt#*|}
	if [ -n "$lib" ] && [ ! -e "$lib" ]; then
		echo "runtime $name: skipped ($lib not built)"
		continue
	fi
	run_runtime "$name" "$lib" || failed=1
done
exit "$failed"
