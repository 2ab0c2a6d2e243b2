#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# spdx.sh - every source file of the tree carries an SPDX licence line (MIT,
# see LICENSE) within its first three lines.  Run by make test.
#
#   tools/spdx.sh          lists the files without one; exit 1 if any
#   tools/spdx.sh --fix    adds the line, in the file's own comment syntax
#
# Covered: what git tracks, except generated reports and baselines
# (bench/results/, abi/*.abi), Markdown and pictures.
set -euo pipefail
cd "$(dirname "$0")/.."
tag='SPDX-License-Identifier: MIT'

comment_for() { # file -> the licence line in its comment syntax, or nothing
	case $1 in
	*.c | *.h | *.S | *.map) echo "/* $tag */" ;;
	*.rs | *.go | */go.mod) echo "// $tag" ;;
	*.1 | *.7 | *.3) echo ".\\\" $tag" ;;
	*.sh | *.mk | */Makefile | Makefile | *.toml | *.in | *.gp | *.suppr | *.supp | .gitignore | .ci/*)
		echo "# $tag" ;;
	esac
}

fix=0
[ "${1:-}" = --fix ] && fix=1
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	# A tarball has no file list to check against; say so rather than pass.
	echo "spdx: not a git checkout, so no list of tracked files; skipped"
	[ -n "${TEST_SUMMARY:-}" ] && echo "0 0 1" >>"$TEST_SUMMARY"
	exit 0
fi
missing=0
while IFS= read -r f; do
	case $f in
	bench/results/* | abi/*.abi | *.md | *.svg | LICENSE) continue ;;
	esac
	[ -f "$f" ] || continue
	line=$(comment_for "$f")
	if [ -z "$line" ]; then
		echo "spdx: $f: no known comment syntax; add a rule to tools/spdx.sh"
		missing=$((missing + 1))
		continue
	fi
	head -n 3 "$f" | grep -qF "$tag" && continue
	if [ $fix = 0 ]; then
		echo "spdx: $f: no '$tag' line in its first three lines"
		missing=$((missing + 1))
		continue
	fi
	tmp=$(mktemp)
	# After a #! line (scripts), else first.
	if head -n 1 "$f" | grep -q '^#!'; then
		{ head -n 1 "$f"; echo "$line"; tail -n +2 "$f"; } >"$tmp"
	else
		{ echo "$line"; cat "$f"; } >"$tmp"
	fi
	cat "$tmp" >"$f" # keeps the file's mode
	rm -f "$tmp"
done < <(git ls-files)

if [ $fix = 0 ]; then
	[ -n "${TEST_SUMMARY:-}" ] && echo "$((missing == 0 ? 1 : 0)) $((missing == 0 ? 0 : 1)) 0" >>"$TEST_SUMMARY"
	if [ $missing -gt 0 ]; then
		echo "spdx: $missing files lack a licence line (tools/spdx.sh --fix adds them)"
		# The total at the end of make test names what failed.
		[ -n "${TEST_SUMMARY:-}" ] &&
			echo "FAILED: check-spdx: $missing files lack a licence line" >>"$TEST_SUMMARY"
		exit 1
	fi
	echo "spdx: every source file names its licence (MIT)"
fi
