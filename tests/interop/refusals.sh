#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# refusals.sh [BUILD] - what the process table of runtimes refuses, each with
# one line: a runtime built with another layout (ENOTSUP), a 16th runtime
# (EAGAIN); two threads making gcd's first call at once start one runtime;
# and a crash in one runtime's task dumps every runtime once.
set -u
build=${1:-${BUILD:-build}}
bin=$build/tests/interop/xrt_refuse
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { echo "refusals: ok   $1"; pass=$((pass + 1)); }
bad() { echo "refusals: FAIL $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2"; fail=$((fail + 1)); }

"$bin" layout "$(cd "$build" && pwd)/tests/interop/libgcd-layout.so" >"$tmp/out" 2>"$tmp/err"
if [ "$(cat "$tmp/out")" = ENOTSUP ] && [ "$(grep -c 'cannot share this process' "$tmp/err")" = 1 ]; then
	ok "a gcd built with another layout refuses to join: ENOTSUP, one line"
else
	bad "another layout" "$tmp/err"
fi

# humboldt is tag 0; 15 copies of gcd take tags 1..15; the 16th is refused.
# Each copy has initial-exec TLS (about 400 bytes): give dlopen room for
# 16 of them (not much more: static TLS is carved out of each thread's stack).
libs=()
for i in $(seq 16); do
	cp "$build/libgcd.so" "$tmp/libgcd$i.so"
	libs+=("$tmp/libgcd$i.so")
done
GLIBC_TUNABLES=glibc.rtld.optional_static_tls=16384 GCD_THREADS=1 \
	"$bin" many "${libs[@]}" >"$tmp/out" 2>"$tmp/err"
{ printf 'ok\n%.0s' $(seq 15); echo EAGAIN; } >"$tmp/want"
if cmp -s "$tmp/out" "$tmp/want" && [ "$(grep -c 'runtimes already share this process' "$tmp/err")" = 1 ]; then
	ok "15 runtimes join beside the bound one; the 16th gets EAGAIN, one line"
else
	bad "a 16th runtime (got: $(tr '\n' ' ' <"$tmp/out"))" "$tmp/err"
fi

for i in 1 2 3; do
	"$bin" race >"$tmp/out" 2>"$tmp/err" || { bad "race: exit status" "$tmp/err"; break; }
	read -r _ a b <"$tmp/out"
	[ "$a" = "$b" ] && [ "$a" != 0 ] || { bad "race: tags $a and $b" "$tmp/err"; break; }
	[ "$i" = 3 ] && ok "two threads' first gcd calls at once start one runtime (one tag, 3 runs)"
done

# ASYNC_STD_TRACEBACK=tasks: a crash in a gcd task (humboldt's abort handler
# or gcd's overflow handler runs) dumps every runtime exactly once, the
# crashing runtime's section first with the crashed task at its top.
crash=$build/tests/interop/xrt_crash
for mode in abort overflow; do
	ASYNC_STD_TRACEBACK=tasks "$crash" $mode >/dev/null 2>"$tmp/err"
	st=$?
	want=134
	[ $mode = overflow ] && want=139
	headers=$(grep '^async_std task dump:' "$tmp/err" | sed -E 's/.*runtime ([a-z]+),.*/\1/' | tr '\n' ' ')
	first=$(grep -m1 -E '^[0-9]+ task' "$tmp/err")
	if [ $st = $want ] && [ "$(grep -c '^async_std: fatal signal' "$tmp/err")" = 1 ] &&
	   [ "$headers" = "gcd humboldt " ] && [[ $first == *'"gcd-crasher": running: the fatal signal arrived here'* ]] &&
	   grep -q '"hb-sleeper": waiting in sleep' "$tmp/err"; then
		ok "a crash ($mode) in a gcd task dumps gcd (the crashed task first), then humboldt, once"
	else
		bad "crash ($mode): status $st, sections: $headers" "$tmp/err"
	fi
done

echo "refusals: $pass passed, $fail failed"
[ "$fail" = 0 ]
