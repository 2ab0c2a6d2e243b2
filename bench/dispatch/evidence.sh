#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/dispatch/evidence.sh - what the compiler and linker made of each hot
# loop: objdump of dispatch_loop_<op> in every variant's binary, and the
# calls left in it (none of async_std_* or as__* means the call was inlined).
#
#   evidence.sh WORK ID... -- BINARY...     (run.sh calls it)
#
# Writes WORK/asm/ID.OP.s (the loop's disassembly) and WORK/calls.txt, one
# line "ID OP target,target,..." ("-" when the loop calls nothing).
set -euo pipefail

work=$1; shift
ids=()
while [ "$1" != -- ]; do ids+=("$1"); shift; done
shift
[ "$#" = "${#ids[@]}" ] || { echo "evidence.sh: ${#ids[@]} ids but $# binaries" >&2; exit 1; }
mkdir -p "$work/asm"
: >"$work/calls.txt"

for ((i = 0; i < ${#ids[@]}; i++)); do
	id=${ids[$i]}; bin=$1; shift
	objdump -d --no-show-raw-insn "$bin" >"$work/asm/$id.all.s"
	for op in self now yield recv; do
		# The function, however LTO suffixed its name (.lto_priv.0 ...).
		awk -v fn="dispatch_loop_$op" '
			/^[0-9a-f]+ <.*>:$/ { name = $2; gsub(/[<>:]/, "", name); sub(/\..*/, "", name);
			                      p = name == fn }
			p && NF' "$work/asm/$id.all.s" >"$work/asm/$id.$op.s"
		[ -s "$work/asm/$id.$op.s" ] || { echo "evidence.sh: no dispatch_loop_$op in $bin" >&2; exit 1; }
		# Call targets: a symbol (direct, or *name@GOT when objdump names the
		# slot), else the indirect operand itself (a table slot).
		targets=$(awk '$2 == "call" {
				t = $0; sub(/.*\tcall +/, "", t)
				if (t ~ /^\*.*# [0-9a-f]+ </) { sub(/.*</, "", t); sub(/>.*/, "", t);
				                                sub(/@.*/, "", t); t = "*" t "@GOT" }
				else if (t ~ /</) { sub(/.*</, "", t); sub(/>.*/, "", t) }
				print t
			}' "$work/asm/$id.$op.s" | sort -u | paste -sd, -)
		echo "$id $op ${targets:--}" >>"$work/calls.txt"
	done
	rm -f "$work/asm/$id.all.s"
done
