#!/usr/bin/env bash
# check-install.sh STAGE PREFIX CC - builds tests/install/hello.c against an
# installed tree using pkg-config only, shared and static, and runs both.
set -euo pipefail
stage=$1 prefix=$2 cc=${3:-cc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export PKG_CONFIG_PATH="$stage$prefix/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
cflags=$(pkg-config --cflags async_std)
$cc $cflags tests/install/hello.c -o "$out/hello" $(pkg-config --libs async_std) \
	-Wl,-rpath,"$stage$prefix/lib"
$cc $cflags tests/install/hello.c -o "$out/hello-static" -Wl,-Bstatic \
	$(pkg-config --libs-only-L async_std) -lasync_std -Wl,-Bdynamic \
	$(pkg-config --static --libs-only-l async_std | sed 's/-lasync_std//')
$cc $cflags tests/install/hello.c -o "$out/hello-humboldt-static" \
	"$stage$prefix/lib/libhumboldt.a" -luring \
	$(pkg-config --static --libs-only-l async_std | sed 's/-lasync_std//')
pass=0 fail=0
run() { # name, expected runtime, command...
	local name=$1 want=$2 got
	shift 2
	if got=$("$@") && grep -q "^done on the $want runtime\$" <<<"$got"; then
		echo "check-install: $name ok"
		pass=$((pass + 1))
	else
		echo "check-install: $name FAILED: $got"
		fail=$((fail + 1))
	fi
}
run hello default "$out/hello"
run hello-static default "$out/hello-static"
run "hello under LD_PRELOAD=libhumboldt.so" humboldt \
	env LD_PRELOAD="$stage$prefix/lib/libhumboldt.so" "$out/hello"
run "hello linked with libhumboldt.a" humboldt "$out/hello-humboldt-static"
echo "$pass passed, $fail failed"
[ -n "${TEST_SUMMARY:-}" ] && echo "$pass $fail 0" >>"$TEST_SUMMARY"
[ "$fail" = 0 ]
