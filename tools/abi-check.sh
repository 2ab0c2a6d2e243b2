#!/usr/bin/env bash
# abi-check.sh - checks that the four places naming the ABI agree: the public
# header, runtimes/core/abi_list.h, the version script and what the built
# library really exports (with its version node).  Usage: abi-check.sh LIB.so
set -euo pipefail
cd "$(dirname "$0")/.."
lib=${1:?usage: abi-check.sh path/to/libasync_std.so.1}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Functions declared in the header (a line-start return type, then the name).
grep -oE '^[a-z_][a-z0-9_ ]*[ *]async_std_[a-z0-9_]+\(' abi/async_std.h |
	sed -E 's/.*(async_std_[a-z0-9_]+)\($/\1/' | sort -u >"$tmp/header"
# The list, expanded by the preprocessor exactly as exports.c expands it.
printf '#include "abi_list.h"\n#define X(r, n, p, a) ABI_NAME n\nAS_ABI_FUNCTIONS(X)\n' |
	${CC:-cc} -E -P -Iruntimes/core - | grep -oE 'ABI_NAME [a-z0-9_]+' |
	sed 's/ABI_NAME /async_std_/' | sort -u >"$tmp/list"
grep -oE '^\s+async_std_[a-z0-9_]+;' abi/async_std.map | tr -d ' ;' |
	grep -v '^async_std__' | sort -u >"$tmp/map"
nm -D --defined-only "$lib" | awk '{print $3}' | grep '^async_std_' | grep -v '^async_std__' |
	sed 's/@.*//' | sort -u >"$tmp/exports"

status=0
compare() {
	if ! diff -u "$tmp/$1" "$tmp/$2" >"$tmp/diff"; then
		echo "abi-check: $1 and $2 disagree:"
		sed -n '3,$p' "$tmp/diff" | grep -E '^[-+]' | sed 's/^/  /'
		status=1
	fi
}
compare header list
compare list map
compare map exports

# Every export carries the ASYNC_STD_1.0 node.
unversioned=$(objdump -T "$lib" | awk '$NF ~ /^async_std_/ && $(NF-1) !~ /ASYNC_STD_1\.0/ {print $NF}')
if [ -n "$unversioned" ]; then
	echo "abi-check: exported without the ASYNC_STD_1.0 node: $unversioned"
	status=1
fi
# Nothing but the ABI, the shim's main and the thread-owner slot leaks out.
extra=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' |
	grep -vE '^(async_std_[a-z0-9_]+|async_std__thread_ops|main|ASYNC_STD_1\.0)$' || true)
if [ -n "$extra" ]; then
	echo "abi-check: exports outside the ABI: $extra"
	status=1
fi
n=$(wc -l <"$tmp/list")
[ $status = 0 ] && echo "abi-check: $n functions agree across header, list, map and $lib"
[ -n "${TEST_SUMMARY:-}" ] && echo "$((1 - status)) $status 0" >>"$TEST_SUMMARY"
exit $status
