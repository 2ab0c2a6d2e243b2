#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# test_abi_compat.sh - tools/abi-compat.sh (what `make abi-check` runs)
# against a tiny library built in variants: removing a function, changing a
# parameter type or inserting a struct member in the middle must fail;
# adding a function or appending to a size-prefixed struct must pass.  So
# abi-check can fail.  "pass fail skip" goes to $TEST_SUMMARY.
set -u
cd "$(dirname "$0")/../.."
cc=${CC:-cc}
summary=${TEST_SUMMARY:-}
unset TEST_SUMMARY # the script's own verdicts are what is tested here

if ! command -v abidw >/dev/null || ! command -v abidiff >/dev/null; then
	echo "test_abi_compat: abidw/abidiff not found (Debian: apt-get install abigail-tools); skipped"
	[ -n "$summary" ] && echo "0 0 1" >>"$summary"
	exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-abi-compat.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
echo 'ABI_LIB_1.0 { global: abi_lib_*; local: *; };' >"$tmp/abi_lib.map"

build() { # variant -> $tmp/<variant>/libabi_lib.so
	mkdir -p "$tmp/$1"
	$cc -g -O2 -fPIC -shared ${2:+-D$2} -o "$tmp/$1/libabi_lib.so" tests/tools/abi_lib.c \
		-Wl,--version-script="$tmp/abi_lib.map" -Wl,-soname,libabi_lib.so.1
}

pass=0 fail=0
expect() { # variant, define, expected status (0 pass, 1 fail), what
	local rc
	build "$1" "$2" || { echo "test_abi_compat: FAILED: cannot build variant $1"; fail=$((fail + 1)); return; }
	tools/abi-compat.sh check "$tmp/base.abi" "$tmp/$1/libabi_lib.so" tests/tools/abi_lib.h \
		>"$tmp/$1.out" 2>&1
	rc=$?
	if [ $rc = "$3" ]; then
		echo "test_abi_compat: ok: $4 (exit status $rc)"
		pass=$((pass + 1))
	else
		echo "test_abi_compat: FAILED: $4: exit status $rc, expected $3; abi-compat.sh said:"
		sed 's/^/    /' "$tmp/$1.out"
		fail=$((fail + 1))
	fi
}

build base "" && tools/abi-compat.sh dump "$tmp/base/libabi_lib.so" "$tmp/base.abi" \
	tests/tools/abi_lib.h >/dev/null || {
	echo "test_abi_compat: FAILED: cannot write the baseline"
	[ -n "$summary" ] && echo "0 1 0" >>"$summary"
	exit 1
}
expect same "" 0 "an unchanged library passes"
expect removed ABI_VARIANT_REMOVED 1 "a removed function fails"
expect retyped ABI_VARIANT_RETYPED 1 "a parameter and return type changed from int to long fails"
expect inserted ABI_VARIANT_INSERTED 1 "a member inserted in the middle of a struct fails"
expect added ABI_VARIANT_ADDED 0 "an added function passes"
expect grown ABI_VARIANT_GROWN 0 "a member appended to a size-prefixed struct passes"
if grep -q "make abi-baseline" "$tmp/added.out" && grep -q "abi_lib_added" "$tmp/added.out"; then
	echo "test_abi_compat: ok: an addition is reported, with how to record it"
	pass=$((pass + 1))
else
	echo "test_abi_compat: FAILED: the report of an addition does not name it or make abi-baseline"
	fail=$((fail + 1))
fi
if grep -q "abi_lib_yield" "$tmp/removed.out"; then
	echo "test_abi_compat: ok: the report of a failure names the removed function"
	pass=$((pass + 1))
else
	echo "test_abi_compat: FAILED: the report of a removal does not name the function"
	fail=$((fail + 1))
fi

echo "test_abi_compat: $pass passed, $fail failed"
[ -n "$summary" ] && echo "$pass $fail 0" >>"$summary"
[ $fail = 0 ]
