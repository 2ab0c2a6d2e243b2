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
pass=0 fail=0
for prog in hello hello-static; do
	if got=$("$out/$prog") && grep -q '^done on the default runtime$' <<<"$got"; then
		echo "check-install: $prog ok"
		pass=$((pass + 1))
	else
		echo "check-install: $prog FAILED: $got"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ -n "${TEST_SUMMARY:-}" ] && echo "$pass $fail 0" >>"$TEST_SUMMARY"
[ "$fail" = 0 ]
