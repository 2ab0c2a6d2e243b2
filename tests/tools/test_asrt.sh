#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_asrt.sh BUILD - asrt against the build tree: list, check (humboldt, the
# stub, a partial runtime, a runtime with the wrong version node, non-ELF
# files), run (-r by name and path, a kept LD_PRELOAD, unknown names), dump
# (against tests/tools/fake_dump.c), --help; and the shim refusing a partial
# runtime.  One line per test; "pass fail skip" goes to $TEST_SUMMARY.
set -u
cd "$(dirname "$0")/../.."
build=$(cd "${1:?usage: test_asrt.sh BUILD}" && pwd)
asrt=$build/asrt
t=$build/tests/tools
whoami=$t/whoami
humboldt=$build/async_std/runtimes/libhumboldt.so
# Runtimes by name come from the build tree's mirror of the installed layout.
export ASYNC_STD_RUNTIME_DIR=$build/async_std/runtimes
unset ASRT_STUB LD_PRELOAD ASYNC_STD_RUNTIME ASYNC_STD_DUMP_SIGNAL ASYNC_STD_VERBOSE

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-asrt.XXXXXX") || exit 2
fake_pid=
cleanup() {
	[ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

pass=0 fail=0
ok() {
	echo "test_asrt: ok: $1"
	pass=$((pass + 1))
}
bad() { # name, then why
	echo "test_asrt: FAILED: $1: $2"
	echo "  exit status $rc; stdout:"
	sed 's/^/    /' "$tmp/out"
	echo "  stderr:"
	sed 's/^/    /' "$tmp/err"
	fail=$((fail + 1))
}
# Runs a command; its status in $rc, its output in $tmp/out and $tmp/err.
run() {
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
has() { grep -qF -- "$1" "$tmp/${2:-out}"; }
lines() { grep -c '' "$tmp/${1:-out}"; }

# ---- help ------------------------------------------------------------------
test_help() {
	run "$asrt" --help
	[ $rc = 0 ] && has "  list " && has "  run [-r NAME|PATH]" && has "  check [--runtime" &&
		has "  dump PID" || { bad "asrt --help" "expected the overview"; return; }
	for cmd in list run check dump; do
		run "$asrt" "$cmd" --help
		[ $rc = 0 ] && has "usage: asrt $cmd" || { bad "asrt $cmd --help" "no usage"; return; }
		run "$asrt" help "$cmd"
		[ $rc = 0 ] && has "usage: asrt $cmd" || { bad "asrt help $cmd" "no usage"; return; }
	done
	run "$asrt"
	[ $rc = 2 ] && has "usage: asrt" err || { bad "asrt without arguments" "expected usage, 2"; return; }
	run "$asrt" frobnicate
	[ $rc = 2 ] && [ "$(lines err)" = 1 ] && has 'unknown command "frobnicate"' err ||
		{ bad "asrt frobnicate" "expected one line, status 2"; return; }
	ok "--help for asrt and each command; unknown commands exit 2"
}

# ---- list ------------------------------------------------------------------
test_list() {
	run "$asrt" list
	[ $rc = 0 ] || { bad "asrt list" "status"; return; }
	grep -qE "^default +1\.1 +epoll +$build/libasync_std\.so\.1\$" "$tmp/out" ||
		{ bad "asrt list" "no row for default (the stub)"; return; }
	grep -qE "^humboldt +1\.1 +io_uring, epoll, humboldt extensions 1\.0, humboldt extensions 1\.1 +$humboldt\$" "$tmp/out" ||
		{ bad "asrt list" "no row for humboldt"; return; }
	ok "asrt list shows default and humboldt with ABI 1.1, features and paths"
}

test_list_dir() {
	mkdir -p "$tmp/rt"
	cp "$t/partial.so" "$tmp/rt/libpartial.so"
	echo "not a library" >"$tmp/rt/libjunk.so"
	run env ASYNC_STD_RUNTIME_DIR="$tmp/rt" ASRT_STUB="$build/libasync_std.so.1" "$asrt" list
	[ $rc = 0 ] && grep -qE "^partial +1\.0 +- +$tmp/rt/libpartial\.so\$" "$tmp/out" &&
		grep -qE "^junk +- +not a runtime: not an ELF file" "$tmp/out" &&
		grep -qE "^default +1\.1 " "$tmp/out" && ! has humboldt ||
		{ bad "asrt list (ASYNC_STD_RUNTIME_DIR, ASRT_STUB)" "rows"; return; }
	ok "asrt list reads ASYNC_STD_RUNTIME_DIR and ASRT_STUB, and says which files are no runtime"
}

# ---- check -----------------------------------------------------------------
abi_count=0
test_check_complete() {
	run "$asrt" check --runtime humboldt
	[ $rc = 0 ] && has "asrt check: OK: humboldt ($humboldt) defines all" ||
		{ bad "asrt check --runtime humboldt" "expected OK"; return; }
	abi_count=$(sed -nE 's/.*defines all ([0-9]+) ABI functions.*/\1/p' "$tmp/out")
	run "$asrt" check
	[ $rc = 0 ] && has "asrt check: OK: default ($build/libasync_std.so.1) defines all $abi_count" ||
		{ bad "asrt check (the stub)" "expected OK"; return; }
	run "$asrt" check -r "$build/libhumboldt.so" "$whoami"
	[ $rc = 0 ] && [ "$(lines)" = 1 ] && has "and the 4 async_std_* symbols and 1 version node $whoami needs" ||
		{ bad "asrt check -r PATH PROG" "expected OK with whoami's 4 imports"; return; }
	ok "asrt check passes humboldt and the stub ($abi_count functions), and whoami against humboldt"
}

test_check_partial() {
	run "$asrt" check --runtime "$t/partial.so"
	local missing
	missing=$(grep -c '^missing: async_std_' "$tmp/out")
	[ $rc = 1 ] && has "missing: async_std_join" && has "missing: async_std_spawn" &&
		! has "missing: async_std_now" && ! has "missing: async_std_runtime_name" &&
		[ "$missing" = $((abi_count - 3)) ] &&
		has "asrt check: partial ($t/partial.so): $missing of $abi_count ABI functions missing or wrongly versioned" ||
		{ bad "asrt check --runtime partial.so" "expected the $((abi_count - 3)) missing, status 1"; return; }
	ok "asrt check --runtime partial.so names each of the $missing missing functions, exit 1"
}

test_check_partial_prog() {
	# What whoami imports (nm) less what partial.so defines: exactly those.
	local want got
	want=$(nm -D --undefined-only "$whoami" | awk '{print $2}' | grep '^async_std_' |
		grep -vE '^async_std_(runtime_name|abi_version|now)@' | sort)
	cd "$t" && run "$asrt" check --runtime partial.so whoami
	cd - >/dev/null
	got=$(sed -nE 's/^missing for whoami: (async_std_.*)$/\1/p' "$tmp/out" | sort)
	[ $rc = 1 ] && [ -n "$want" ] && [ "$got" = "$want" ] &&
		has "; it lacks 3 of the 4 async_std_* symbols and 0 of the 1 version node whoami needs" ||
		{ bad "asrt check --runtime partial.so whoami" "expected exactly: $(echo $want)"; return; }
	ok "asrt check --runtime partial.so PROG lists the symbols PROG needs that are missing: $(echo $got)"
}

test_check_wrong_node() {
	run "$asrt" check --runtime "$t/wrong_node.so"
	[ $rc = 1 ] && has "wrong version: async_std_now is async_std_now@@WRONG_1.0, not async_std_now@@ASYNC_STD_1.0" ||
		{ bad "asrt check --runtime wrong_node.so" "expected a wrong version line"; return; }
	run "$asrt" check --runtime "$t/wrong_node.so" "$whoami"
	[ $rc = 1 ] && has "missing for $whoami: version node ASYNC_STD_1.0 (needed from libasync_std.so.1)" &&
		has "missing for $whoami: async_std_runtime_name@ASYNC_STD_1.0" ||
		{ bad "asrt check --runtime wrong_node.so PROG" "expected the missing node"; return; }
	ok "asrt check names symbols in the wrong version node, and the node PROG needs"
}

test_check_errors() {
	run "$asrt" check --runtime tests/tools/partial.c
	[ $rc = 2 ] && [ "$(lines err)" = 1 ] && has "tests/tools/partial.c: not an ELF file" err ||
		{ bad "asrt check --runtime FILE.c" "expected: not an ELF file, status 2"; return; }
	run "$asrt" check tests/tools/whoami.c
	[ $rc = 2 ] && has "tests/tools/whoami.c: not an ELF file" err ||
		{ bad "asrt check PROG.c" "expected: not an ELF file, status 2"; return; }
	run "$asrt" check --runtime nosuch
	[ $rc = 2 ] && has 'no runtime named "nosuch"; installed: default, gcd, humboldt' err ||
		{ bad "asrt check --runtime nosuch" "expected the installed names"; return; }
	run "$asrt" check "$tmp/absent"
	[ $rc = 2 ] && has "No such file" err || { bad "asrt check ABSENT" "status 2"; return; }
	ok "asrt check: non-ELF files, unknown names and absent files exit 2 with one line"
}

# The shim's load-time check, which asrt check predicts.
test_shim_refuses_partial() {
	run env LD_PRELOAD="$t/partial.so" "$whoami"
	[ $rc = 2 ] && [ "$(lines err)" = 1 ] && has "$t/partial.so" err && has "libasync_std.so.1" err &&
		[ "$(lines)" = 0 ] ||
		{ bad "LD_PRELOAD=partial.so whoami" "expected one line naming both objects, status 2"; return; }
	ok "LD_PRELOAD=partial.so PROG exits 2 with one line naming both objects"
}

# ---- run -------------------------------------------------------------------
test_run() {
	run "$asrt" run -r humboldt -- "$whoami"
	[ $rc = 0 ] && has "runtime humboldt" && has "LD_PRELOAD $humboldt" ||
		{ bad "asrt run -r humboldt" "expected humboldt bound"; return; }
	run "$asrt" run --runtime=default "$whoami"
	[ $rc = 0 ] && has "runtime default" && has "LD_PRELOAD (unset)" ||
		{ bad "asrt run --runtime=default" "expected default, nothing preloaded"; return; }
	run "$asrt" run -- "$whoami"
	[ $rc = 0 ] && has "runtime default" || { bad "asrt run (no -r)" "expected default"; return; }
	cd "$build" && run "$asrt" run -r ./libhumboldt.so -- "$whoami"
	cd - >/dev/null
	[ $rc = 0 ] && has "runtime humboldt" && has "LD_PRELOAD $build/libhumboldt.so" ||
		{ bad "asrt run -r ./libhumboldt.so" "expected humboldt by path, made absolute"; return; }
	ok "asrt run -r humboldt binds humboldt; default and no -r preload nothing; paths work"
}

test_run_keeps_preload() {
	run env LD_PRELOAD="$t/marker.so" "$asrt" run -r humboldt -- "$whoami"
	[ $rc = 0 ] && has "runtime humboldt" && has "marker yes" &&
		has "LD_PRELOAD $humboldt:$t/marker.so" ||
		{ bad "LD_PRELOAD=marker.so asrt run -r humboldt" "expected both, humboldt first"; return; }
	run env ASYNC_STD_RUNTIME=default "$asrt" run -r humboldt -- "$whoami"
	[ $rc = 0 ] && has "runtime humboldt" ||
		{ bad "ASYNC_STD_RUNTIME=default asrt run -r humboldt" "expected -r to win"; return; }
	ok "asrt run keeps an existing LD_PRELOAD after the runtime; -r wins over ASYNC_STD_RUNTIME"
}

test_run_errors() {
	run "$asrt" run -r nosuch -- "$whoami"
	[ $rc = 2 ] && [ "$(lines err)" = 1 ] &&
		has 'no runtime named "nosuch"; installed: default, gcd, humboldt' err && [ "$(lines)" = 0 ] ||
		{ bad "asrt run -r nosuch" "expected one line with the installed names, status 2"; return; }
	run "$asrt" run -r humboldt -- "$tmp/absent"
	[ $rc = 127 ] && has "cannot execute" err || { bad "asrt run ABSENT" "expected 127"; return; }
	run "$asrt" run -r humboldt
	[ $rc = 2 ] && has "no program given" err || { bad "asrt run (no PROG)" "expected 2"; return; }
	ok "asrt run: an unknown runtime lists the installed names (exit 2); absent programs 127"
}

# ---- dump ------------------------------------------------------------------
# Starts fake_dump with the given environment and waits for its "ready".
fake_start() {
	coproc FAKE { exec env "$@" "$t/fake_dump"; }
	fake_pid=$FAKE_PID
	local line=
	read -r -t 300 line <&"${FAKE[0]}"
	[ "$line" = ready ]
}
fake_stop() {
	kill "$fake_pid" 2>/dev/null
	wait "$fake_pid" 2>/dev/null
	fake_pid=
}

test_dump() {
	local form
	for form in SIGUSR2 USR2 "$(kill -l USR2)"; do
		fake_start ASYNC_STD_DUMP_SIGNAL="$form" || { bad "fake_dump" "did not start"; return; }
		# A stale file where the socket goes must not be in the way.
		: >"/tmp/async_std-dump.$fake_pid"
		run "$asrt" dump --timeout 300 "$fake_pid"
		local sock=/tmp/async_std-dump.$fake_pid
		fake_stop
		[ $rc = 0 ] && has "task dump of fake process" && has "task 1: running" && [ ! -e "$sock" ] ||
			{ bad "asrt dump (ASYNC_STD_DUMP_SIGNAL=$form)" "expected the dump, the socket removed"; return; }
	done
	ok "asrt dump prints the dump (SIGUSR2, USR2 and a number) and removes its socket"
}

# Starts `sleep 60` with the given environment (a process with no handler);
# its pid in $victim once it runs with that environment, so asrt never reads
# the environment of a shell that has not exec'd it yet.
sleeper_start() {
	exec 4< <(exec env "$@" sh -c 'echo $$; exec sleep 60')
	victim=
	read -r -t 30 victim <&4
	[ -n "$victim" ] || return 1
	# The pid is sh's, echoed before its exec of sleep: while that exec
	# runs, /proc/PID/environ reads empty, and asrt would find no dump
	# signal (seen once on a loaded machine).  Wait until sleep runs.
	local i
	for i in $(seq 1000); do
		[ "$(cat "/proc/$victim/comm" 2>/dev/null)" = sleep ] && return 0
		sleep 0.01
	done
	return 1
}
sleeper_stop() {
	kill "$victim" 2>/dev/null
	wait "$victim" 2>/dev/null
	exec 4<&-
}

test_dump_errors() {
	fake_start || { bad "fake_dump" "did not start"; return; }
	run "$asrt" dump "$fake_pid"
	[ $rc = 2 ] && [ "$(lines err)" = 1 ] &&
		has "process $fake_pid has no dump signal: start it with ASYNC_STD_DUMP_SIGNAL=SIGUSR2" err ||
		{ fake_stop; bad "asrt dump (no dump signal)" "expected one line, status 2"; return; }
	fake_stop
	fake_start ASYNC_STD_DUMP_SIGNAL=SIGUSR2 FAKE_DUMP_SILENT=1 || { bad "fake_dump" "did not start"; return; }
	run "$asrt" dump --timeout 1 "$fake_pid"
	local sock=/tmp/async_std-dump.$fake_pid
	[ $rc = 1 ] && has "asrt: process $fake_pid did not answer within 1 s" err && [ ! -e "$sock" ] &&
		kill -0 "$fake_pid" ||
		{ fake_stop; bad "asrt dump --timeout 1 (silent process)" "expected status 1"; return; }
	fake_stop
	# A process without a handler would die of the signal: asrt refuses.
	local victim
	sleeper_start ASYNC_STD_DUMP_SIGNAL=SIGUSR2 || { bad "sleep" "did not start"; return; }
	run "$asrt" dump "$victim"
	local alive=no
	kill -0 "$victim" 2>/dev/null && alive=yes
	sleeper_stop
	[ $rc = 2 ] && [ $alive = yes ] && has "neither catches nor blocks SIGUSR2" err ||
		{ bad "asrt dump (no handler)" "expected a refusal, the process alive"; return; }
	run "$asrt" dump "$victim"
	[ $rc = 2 ] && has "no such process" err || { bad "asrt dump (gone)" "expected status 2"; return; }
	run "$asrt" dump 12x
	[ $rc = 2 ] || { bad "asrt dump 12x" "expected status 2"; return; }
	ok "asrt dump: no dump signal (2), no answer in time (1), no handler (2), no process (2)"
}

# The shim and asrt parse ASYNC_STD_DUMP_SIGNAL with one parser: for each
# value, the shim starts the program (exit 0) exactly when asrt takes the
# value as a signal (it then goes on to find no handler in `sleep`).
test_dump_signal_agreement() {
	local v shim_takes asrt_takes victim
	for v in SIGUSR2 USR2 12 SIGRTMIN RTMIN+2 SIGRTMAX-1 \
		 SIG12 usr2 " 12" +12 0 999 RTMIN-1 RTMAX+1 RTMIN+999 SIGKILL SEGV ""; do
		ASYNC_STD_DUMP_SIGNAL=$v "$whoami" >/dev/null 2>&1 && shim_takes=yes || shim_takes=no
		sleeper_start ASYNC_STD_DUMP_SIGNAL="$v" || { bad "sleep" "did not start"; return; }
		run "$asrt" dump "$victim"
		sleeper_stop
		if has "neither catches nor blocks" err; then
			asrt_takes=yes
		elif has "which the runtime does not accept" err || has "has no dump signal" err; then
			asrt_takes=no
		else
			bad "asrt dump (ASYNC_STD_DUMP_SIGNAL='$v')" "expected a verdict on the value"
			return
		fi
		# The empty value is no value at all, for both.
		[ -z "$v" ] && shim_takes=no
		[ $shim_takes = $asrt_takes ] || {
			bad "ASYNC_STD_DUMP_SIGNAL='$v'" "the shim takes it: $shim_takes, asrt: $asrt_takes"
			return
		}
	done
	ok "the shim and asrt accept the same ASYNC_STD_DUMP_SIGNAL values (18 accepted or refused)"
}

# The shim and asrt find runtimes with one lookup: each spec (a name, a
# path, a bare file name, unknown ones) binds the same runtime either way,
# or is refused by both.
test_lookup_agreement() {
	local spec shim_says asrt_says
	for spec in humboldt default "$humboldt" libhumboldt.so ./libhumboldt.so nosuch libnosuch.so; do
		shim_says=$(cd "$build" && ASYNC_STD_RUNTIME=$spec "$whoami" 2>/dev/null | head -n 1)
		asrt_says=$(cd "$build" && "$asrt" run -r "$spec" -- "$whoami" 2>/dev/null | head -n 1)
		[ "$shim_says" = "$asrt_says" ] || {
			rc=0; : >"$tmp/out"; : >"$tmp/err"
			bad "runtime '$spec'" "the shim gives '${shim_says:-refused}', asrt '${asrt_says:-refused}'"
			return
		}
	done
	ok "the shim and asrt resolve the same runtime names and paths (7 specs)"
}

test_help
test_list
test_list_dir
test_check_complete
test_check_partial
test_check_partial_prog
test_check_wrong_node
test_check_errors
test_shim_refuses_partial
test_run
test_run_keeps_preload
test_run_errors
test_lookup_agreement
test_dump
test_dump_errors
test_dump_signal_agreement

echo "test_asrt: $pass passed, $fail failed"
[ -n "${TEST_SUMMARY:-}" ] && echo "$pass $fail 0" >>"$TEST_SUMMARY"
[ $fail = 0 ]
