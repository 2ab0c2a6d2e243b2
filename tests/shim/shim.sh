#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shim.sh BUILD - the shim end to end, from outside the process: the dump
# signal (and an application's own handler), ASYNC_STD_TRACEBACK=tasks on
# abort and stack overflow, ASYNC_STD_VERBOSE's levels, and ASYNC_STD_RUNTIME selection (by name, by
# path, back to default, unknown names, the loop guard, secure execution).
set -u
build=${1:?usage: shim.sh BUILD}
dir=$build/tests/shim
victim=$dir/victim
static=$dir/victim-static
hb=$(cd "$build" && pwd)/libhumboldt.so
gcd=$(cd "$build" && pwd)/libgcd.so
out=$(mktemp)
tmp=$(mktemp -d)
trap 'rm -rf "$out" "$tmp"' EXIT

who=shim
. "$(dirname "$0")/../humboldt/checks.sh"
has() { grep -q -- "$1" "$out"; }
lacks() { ! grep -q -- "$1" "$out"; }
lines() { [ "$(grep -c -- "$1" "$out")" = "$2" ]; }

# ---- ASYNC_STD_DUMP_SIGNAL ---------------------------------------------------
ASYNC_STD_DUMP_SIGNAL=SIGUSR2 "$victim" signal >/dev/null 2>"$out"
status=$?
check "dump signal: the process goes on (exit 0)" test "$status" = 0
check "dump signal: a dump on stderr" has '^async_std task dump: pid [0-9]*, runtime default'
check "dump signal: names the sleeping tasks" has '^3 tasks "idle": waiting in sleep'

(trap '' USR2; ASYNC_STD_DUMP_SIGNAL=SIGUSR2 exec "$victim" signal) >/dev/null 2>"$out"
status=$?
check "ignored by the parent: left ignored (exit 0)" test "$status" = 0
check "ignored by the parent: one line says so" \
	lines 'ASYNC_STD_DUMP_SIGNAL=USR2: the program already handles or ignores that signal' 1
check "ignored by the parent: no dump" lacks '^async_std task dump'

ASYNC_STD_DUMP_SIGNAL=SIGUSR2 "$victim" own-handler >"$tmp/stdout" 2>"$out"
status=$?
check "application's own handler: it runs (exit 0)" test "$status" = 0
check "application's own handler: its output" grep -q 'app handler ran' "$tmp/stdout"
check "application's own handler: no dump" lacks '^async_std task dump'

ASYNC_STD_DUMP_SIGNAL=SIGNOPE "$victim" name >/dev/null 2>"$out"
status=$?
check "bad signal name: exit status 2" test "$status" = 2
check "bad signal name: one line names the variable" \
	lines '^async_std: ASYNC_STD_DUMP_SIGNAL=SIGNOPE is not accepted' 1

# `asrt dump PID` asks a running program through the same signal.
# The victim prints its pid once its tasks are parked and waits until it is
# ended; nothing here depends on how fast the machine is.
ASYNC_STD_DUMP_SIGNAL=SIGUSR2 "$victim" wait >"$tmp/pid" 2>/dev/null &
waiter=$!
while [ ! -s "$tmp/pid" ] && kill -0 $waiter 2>/dev/null; do sleep 0.05; done
"$build/asrt" dump --timeout 300 "$(cat "$tmp/pid")" >"$out" 2>&1
status=$?
kill $waiter 2>/dev/null
wait $waiter 2>/dev/null
check "asrt dump: exit 0" test "$status" = 0
check "asrt dump: the running program's tasks" has '^3 tasks "idle": waiting in sleep'

# ---- ASYNC_STD_TRACEBACK=tasks -------------------------------------------------
ASYNC_STD_TRACEBACK=tasks "$victim" abort >/dev/null 2>"$out"
status=$?
check "abort with tasks: dies of SIGABRT (134)" test "$status" = 134
check "abort with tasks: one line names the signal and task" \
	lines '^async_std: fatal signal SIGABRT in task [0-9]*; every task follows' 1
check "abort with tasks: the crashed task's stack shows abort" \
	eval 'grep -A8 "running: the fatal signal arrived here" "$out" | grep -q " abort+0x"'
check "abort with tasks: the other tasks are listed" has '^3 tasks "idle": waiting in sleep'

"$victim" abort >/dev/null 2>"$out"
status=$?
check "abort without: dies of SIGABRT (134)" test "$status" = 134
check "abort without: no dump" lacks '^async_std task dump'

ASYNC_STD_TRACEBACK=tasks ASYNC_STD_STACK_SIZE=64K "$victim" overflow >/dev/null 2>"$out"
status=$?
check "overflow with tasks: dies of SIGSEGV (139)" test "$status" = 139
check "overflow with tasks: the overflow line" has '^async_std: stack overflow in task'
check "overflow with tasks: then every task" has '^3 tasks "idle": waiting in sleep'

# ---- ASYNC_STD_STALL_MS ---------------------------------------------------------
for rt in default humboldt; do
	pre=; [ $rt = humboldt ] && pre=$hb
	LD_PRELOAD=$pre ASYNC_STD_STALL_MS=100 "$victim" stall >/dev/null 2>"$out"
	status=$?
	check "stall on $rt: the program goes on (exit 0)" test "$status" = 0
	check "stall on $rt: one line names the task that holds its worker" \
		lines '^async_std: task [0-9]* "cruncher" has held worker [0-9]* for [0-9]* ms without blocking or yielding (ASYNC_STD_STALL_MS=100)$' 1
done
"$victim" stall-short >/dev/null 2>"$out"
check "stall with the watchdog off: nothing said" lacks 'has held worker'
ASYNC_STD_STALL_MS=60001 "$victim" name >/dev/null 2>"$out"
check "stall: a value out of range names the variable and the range" \
	lines '^async_std: ASYNC_STD_STALL_MS=60001 is out of range (accepted: 0..60000)$' 1
GCD_THREADS=1025 LD_PRELOAD="$gcd" "$victim" name >/dev/null 2>"$out"
status=$?
check "GCD_THREADS out of range: exit status 2" test "$status" = 2
check "GCD_THREADS out of range: one line names the variable and the range" \
	lines '^async_std: GCD_THREADS=1025 is out of range (accepted: 0..1024)$' 1

# ---- fork ----------------------------------------------------------------------
for rt in default humboldt; do
	pre=; [ $rt = humboldt ] && pre=$hb
	LD_PRELOAD=$pre "$victim" fork >"$out.o" 2>"$out"
	status=$?
	check "fork on $rt: the child writes through the runtime" grep -qx 'child wrote' "$out.o"
	check "fork on $rt: the child's return from async_main is its exit status" \
		grep -qx 'child status 3' "$out.o"
	check "fork on $rt: the parent goes on" test "$status" = 0
	LD_PRELOAD=$pre "$victim" fork-task >"$out.o" 2>"$out"
	check "fork on $rt: a task returning in the child exits it with status 1" \
		grep -qx 'child status 1' "$out.o"
	check "fork on $rt: and one line says why" lines '^async_std: a task returned in a forked child' 1
done
rm -f "$out.o"

ASYNC_STD_STACK_SIZE=64K "$victim" jump >/dev/null 2>"$out"
status=$?
check "guard jumped: dies of SIGSEGV (139)" test "$status" = 139
check "guard jumped: one line names the task that jumped and whose guard it hit" \
	lines "^async_std: stack overflow in task [0-9]* 'deep' (stack 64 KiB): a frame larger than the guard page jumped it and ran into the guard of \(task [0-9]*\|a free stack\)" 1

# ---- ASYNC_STD_VERBOSE ---------------------------------------------------------------
ASYNC_STD_VERBOSE=1 "$victim" name >/dev/null 2>"$out"
check "verbose 1: one banner line" lines '^async_std: runtime default (.*), [0-9]* workers, abi ' 1
check "verbose 1: no settings" lacks '^async_std: ASYNC_STD_'

ASYNC_STD_VERBOSE=2 ASYNC_STD_THREADS=2 LD_PRELOAD="$hb" "$victim" name >/dev/null 2>"$out"
check "verbose 2: the banner" lines '^async_std: runtime humboldt (' 1
check "verbose 2: a variable set by the environment" \
	lines '^async_std: ASYNC_STD_THREADS=2 (from the environment)$' 1
check "verbose 2: a default" lines '^async_std: ASYNC_STD_STACK_SIZE=256K (default)$' 1
check "verbose 2: the runtime's own variables" lines '^async_std: HUMBOLDT_RING_ENTRIES=' 1

ASYNC_STD_VERBOSE=3 "$victim" name >/dev/null 2>"$out"
status=$?
check "verbose 3: exit status 2" test "$status" = 2
check "verbose 3: one line names the range" \
	lines '^async_std: ASYNC_STD_VERBOSE=3 is out of range (accepted: 0..2)$' 1

# ---- ASYNC_STD_RUNTIME -------------------------------------------------------------
ASYNC_STD_RUNTIME=humboldt "$victim" name >"$tmp/stdout" 2>"$out"
check "by name: runs on humboldt" grep -qx humboldt "$tmp/stdout"
check "by name: says nothing" test ! -s "$out"

ASYNC_STD_RUNTIME="$hb" "$victim" name >"$tmp/stdout" 2>"$out"
check "by path: runs on humboldt" grep -qx humboldt "$tmp/stdout"

LD_PRELOAD="$hb" ASYNC_STD_RUNTIME=default "$victim" name >"$tmp/stdout" 2>"$out"
check "default under a preloaded humboldt: runs on default" grep -qx default "$tmp/stdout"

# Already bound: no lookup at all (the directory does not exist).
LD_PRELOAD="$hb" ASYNC_STD_RUNTIME=humboldt ASYNC_STD_RUNTIME_DIR=/nonexistent \
	"$victim" name >"$tmp/stdout" 2>"$out"
check "already bound: runs as it is" grep -qx humboldt "$tmp/stdout"

ASYNC_STD_RUNTIME=nosuch "$victim" name >/dev/null 2>"$out"
status=$?
check "unknown name: exit status 2" test "$status" = 2
check "unknown name: one line lists the installed ones" \
	lines '^async_std: ASYNC_STD_RUNTIME=nosuch: no such runtime (installed: default, gcd, humboldt)$' 1

ASYNC_STD_RUNTIME=/nonexistent/libnope.so "$victim" name >/dev/null 2>"$out"
status=$?
check "missing path: exit status 2" test "$status" = 2
check "missing path: one line names it" \
	lines '^async_std: ASYNC_STD_RUNTIME=/nonexistent/libnope.so: no such runtime (installed: ' 1

# A static program has no stub to look beside: it is given a path.
ASYNC_STD_RUNTIME="$hb" "$static" name >/dev/null 2>"$out"
status=$?
check "static link: no re-exec loop (exit 2)" test "$status" = 2
check "static link: one line says why" \
	lines 're-executed with it preloaded, but the bound runtime is still default' 1

# Secure execution: a setuid copy run by another user ignores the variable.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$victim"; then
	cp "$dir/victim-abs" "$tmp/victim-setuid"
	chmod 4755 "$tmp/victim-setuid"
	chmod 755 "$tmp"
	ASYNC_STD_RUNTIME=humboldt setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$tmp/victim-setuid" name >"$tmp/stdout" 2>"$out"
	check "setuid copy: ignores ASYNC_STD_RUNTIME" grep -qx default "$tmp/stdout"
	check "setuid copy: one line says so" \
		lines '^async_std: secure execution (AT_SECURE): ignoring ASYNC_STD_RUNTIME' 1
else
	echo "$who: skip setuid copy (needs root, setpriv, and the build readable by nobody)"
	skipped=1
fi

echo "$pass passed, $fail failed, ${skipped:-0} skipped"
[ -n "${TEST_SUMMARY:-}" ] && echo "$pass $fail ${skipped:-0}" >>"$TEST_SUMMARY"
[ "$fail" = 0 ]
