#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# check-install.sh STAGE PREFIX CC - checks an installed tree (make install
# DESTDIR=STAGE PREFIX=PREFIX): its layout; tests/install/hello.c built with
# pkg-config alone, shared and static, run on the default runtime and on
# humboldt (LD_PRELOAD, asrt run, ASYNC_STD_RUNTIME, libhumboldt.a); a
# program using humboldt.h built with humboldt.pc alone; asrt list and
# check; the man page.
#
# The tree lives at STAGE/PREFIX, not at PREFIX: pkg-config gets
# PKG_CONFIG_SYSROOT_DIR=STAGE (so -I and -L point into it), and the
# programs get LD_LIBRARY_PATH=STAGE/PREFIX/lib, which stands in for the
# loader's default path that PREFIX/lib would be on.  Nothing else needs
# telling: the installed asrt finds its runtimes and the stub next to itself
# (../lib), and the shim finds runtimes next to the stub it was loaded from.
set -euo pipefail
stage=$1 prefix=$2 cc=${3:-cc}
root=$stage$prefix
lib=$root/lib
asrt=$root/bin/asrt
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
export LD_LIBRARY_PATH="$lib"
unset LD_PRELOAD ASYNC_STD_RUNTIME ASYNC_STD_RUNTIME_DIR ASRT_STUB

pass=0 fail=0
ok() {
	echo "check-install: $1 ok"
	pass=$((pass + 1))
}
failed() {
	echo "check-install: $1 FAILED: $2"
	fail=$((fail + 1))
}

# ---- layout -----------------------------------------------------------------
# The library's file carries the ABI version of the header: 1.<minor>.0.
minor=$(sed -n 's/^#define ASYNC_STD_ABI_MINOR \([0-9]*\)$/\1/p' abi/async_std.h)
layout() {
	local f missing=
	for f in include/async_std.h include/humboldt.h include/gcd.h lib/libasync_std.so.1.$minor.0 \
		lib/libasync_std.a lib/async_std/runtimes/libhumboldt.so lib/libhumboldt.a \
		lib/async_std/runtimes/libgcd.so lib/libgcd.a lib/pkgconfig/gcd.pc \
		lib/pkgconfig/async_std.pc lib/pkgconfig/humboldt.pc bin/asrt share/man/man1/asrt.1; do
		[ -f "$root/$f" ] && [ ! -L "$root/$f" ] || missing="$missing $f"
	done
	[ "$(readlink "$lib/libasync_std.so.1")" = libasync_std.so.1.$minor.0 ] || missing="$missing lib/libasync_std.so.1 (link)"
	[ "$(readlink -f "$lib/libgcd.so")" = "$(readlink -f "$lib/async_std/runtimes/libgcd.so")" ] ||
		missing="$missing lib/libgcd.so (link to the runtime)"
	[ "$(readlink "$lib/libasync_std.so")" = libasync_std.so.1 ] || missing="$missing lib/libasync_std.so (link)"
	[ "$(readlink -f "$lib/libhumboldt.so")" = "$(readlink -f "$lib/async_std/runtimes/libhumboldt.so")" ] ||
		missing="$missing lib/libhumboldt.so (link to the runtime)"
	[ -x "$asrt" ] || missing="$missing bin/asrt (executable)"
	if [ -z "$missing" ]; then ok "layout"; else failed "layout" "missing or wrong:$missing"; fi
}
layout

# ---- builds with pkg-config alone --------------------------------------------
cflags=$(pkg-config --cflags async_std)
$cc $cflags tests/install/hello.c -o "$out/hello" $(pkg-config --libs async_std)
$cc $cflags tests/install/hello.c -o "$out/hello-static" -Wl,-Bstatic \
	$(pkg-config --libs-only-L async_std) -lasync_std -Wl,-Bdynamic \
	$(pkg-config --static --libs-only-l async_std | sed 's/-lasync_std//')
$cc $cflags tests/install/hello.c -o "$out/hello-humboldt-static" \
	"$lib/libhumboldt.a" -luring \
	$(pkg-config --static --libs-only-l async_std | sed 's/-lasync_std//')
$cc $(pkg-config --cflags humboldt) tests/install/hello_humboldt.c -o "$out/hello-humboldt" \
	$(pkg-config --libs humboldt)

# ---- which runtime ran ------------------------------------------------------
run() { # name, expected runtime, command...
	local name=$1 want=$2 got
	shift 2
	if got=$("$@" 2>&1) && grep -q "^done on the $want runtime\$" <<<"$got"; then
		ok "$name"
	else
		failed "$name" "$got"
	fi
}
run hello default "$out/hello"
run hello-static default "$out/hello-static"
run "hello under LD_PRELOAD=libhumboldt.so" humboldt \
	env LD_PRELOAD="$lib/libhumboldt.so" "$out/hello"
run "hello linked with libhumboldt.a" humboldt "$out/hello-humboldt-static"
run "hello-humboldt (humboldt.h, built with humboldt.pc)" humboldt "$out/hello-humboldt"
run "asrt run hello" default "$asrt" run -- "$out/hello"
run "asrt run -r humboldt hello" humboldt "$asrt" run -r humboldt -- "$out/hello"
run "ASYNC_STD_RUNTIME=default hello" default env ASYNC_STD_RUNTIME=default "$out/hello"
# Needs the shim's selection by name (issue 6): it re-executes hello with
# the runtime it finds in lib/async_std/runtimes next to the stub.
run "ASYNC_STD_RUNTIME=humboldt hello" humboldt env ASYNC_STD_RUNTIME=humboldt "$out/hello"

# ---- asrt on the installed tree ----------------------------------------------
if got=$("$asrt" list 2>&1) &&
	grep -qE "^default +1\.[0-9]+ .* $lib/libasync_std\.so\.1\$" <<<"$got" &&
	grep -qE "^humboldt +1\.[0-9]+ +io_uring.* $lib/async_std/runtimes/libhumboldt\.so\$" <<<"$got"; then
	ok "asrt list (default and humboldt, found next to asrt)"
else
	failed "asrt list" "$got"
fi
if got=$("$asrt" check --runtime humboldt "$out/hello" 2>&1); then
	ok "asrt check --runtime humboldt hello"
else
	failed "asrt check --runtime humboldt hello" "$got"
fi
if ! command -v man >/dev/null; then
	ok "man page installed (man(1) not here to render it)"
elif got=$(MANWIDTH=80 man -l "$root/share/man/man1/asrt.1" 2>&1) && grep -q "EXIT STATUS" <<<"$got"; then
	ok "man -l share/man/man1/asrt.1"
else
	failed "man -l share/man/man1/asrt.1" "$got"
fi

echo "$pass passed, $fail failed"
[ -n "${TEST_SUMMARY:-}" ] && echo "$pass $fail 0" >>"$TEST_SUMMARY"
[ "$fail" = 0 ]
