#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# abi-check.sh - checks that the places naming the ABI agree: the public
# header (its functions and version), abi/abi_list.h (each function with its
# node), the version script generated from it and what the built library
# really exports, in which node.  Usage: abi-check.sh LIB.so MAP
set -euo pipefail
cd "$(dirname "$0")/.."
lib=${1:?usage: abi-check.sh path/to/libasync_std.so.1 path/to/async_std.map}
map=${2:?usage: abi-check.sh path/to/libasync_std.so.1 path/to/async_std.map}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Functions declared in the header (a line-start return type, then the name).
grep -oE '^[a-z_][a-z0-9_ ]*[ *]async_std_[a-z0-9_]+\(' abi/async_std.h |
	sed -E 's/.*(async_std_[a-z0-9_]+)\($/\1/' | sort -u >"$tmp/header"
# The list, expanded by the preprocessor exactly as exports.c expands it:
# "name node" per row.
printf '#include "abi_list.h"\n#define X(maj, min, r, n, p, a) ABI_ROW n ASYNC_STD_ maj . min\nAS_ABI_FUNCTIONS(X)\n' |
	${CC:-cc} -E -P -Iabi - | grep -oE 'ABI_ROW [a-z0-9_]+ ASYNC_STD_ [0-9]+ \. [0-9]+' |
	awk '{print "async_std_" $2, $3 $4 $5 $6}' | sort -u >"$tmp/list_nodes"
cut -d' ' -f1 "$tmp/list_nodes" >"$tmp/list"
grep -oE '^\s+async_std_[a-z0-9_]+;' "$map" | tr -d ' ;' |
	grep -v '^async_std__' | sort -u >"$tmp/map"
nm -D --defined-only "$lib" | awk '{print $3}' | grep '^async_std_' | grep -v '^async_std__' |
	sed 's/@.*//' | sort -u >"$tmp/exports"
# "name node" for every export, its default version (name@@NODE).
nm -D --defined-only "$lib" | awk '{print $3}' | grep -E '^async_std_[a-z0-9_]+@@' |
	grep -v '^async_std__' | sed 's/@@/ /' | sort -u >"$tmp/export_nodes"

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
# Every export is in the node its row names, as its default version.
compare list_nodes export_nodes

# The header's version is the newest node of the list (exports.c asserts
# this too; here it is said in words).
major=$(sed -n 's/^#define ASYNC_STD_ABI_MAJOR \([0-9]*\)$/\1/p' abi/async_std.h)
minor=$(sed -n 's/^#define ASYNC_STD_ABI_MINOR \([0-9]*\)$/\1/p' abi/async_std.h)
newest=$(cut -d' ' -f2 "$tmp/list_nodes" | sort -V | tail -n 1)
if [ "$newest" != "ASYNC_STD_$major.$minor" ]; then
	echo "abi-check: abi/async_std.h says ABI $major.$minor but the newest node of abi_list.h is $newest"
	status=1
fi
# The soname carries the header's major.
soname=$(objdump -p "$lib" | awk '$1 == "SONAME" {print $2}')
if [ "$soname" != "libasync_std.so.$major" ]; then
	echo "abi-check: $lib has soname $soname, not libasync_std.so.$major"
	status=1
fi
# Nothing but the ABI, the shim's main, the thread-owner slot and the version
# nodes themselves leaks out.
extra=$(nm -D --defined-only "$lib" | awk '{print $3}' | sed 's/@.*//' |
	grep -vE '^(async_std_[a-z0-9_]+|async_std__thread_ops|main|ASYNC_STD_[0-9]+\.[0-9]+)$' || true)
if [ -n "$extra" ]; then
	echo "abi-check: exports outside the ABI: $extra"
	status=1
fi
n=$(wc -l <"$tmp/list")
[ $status = 0 ] && echo "abi-check: $n functions agree across header, list, map and $lib (newest node $newest)"
[ -n "${TEST_SUMMARY:-}" ] && echo "$((1 - status)) $status 0" >>"$TEST_SUMMARY"
exit $status
