#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# need.sh - installs the Debian packages a make target needs, when something
# is missing: the one apt-get recipe of the tree (make deps, bench-dispatch,
# bench-peers).
#
#   tools/need.sh [--optional] WHO PROBE:PACKAGE...
#
# PROBE is an absolute path (a glob is fine) or a command name; when it is
# not found, PACKAGE is installed.  Nothing missing: silent, exit 0.  A
# required set (the default) that cannot be installed, for lack of root or
# sudo or because apt-get failed, or that is still missing afterwards, says so
# in one line naming WHO and the packages and exits 1.  With --optional the
# same line ends in "skipped" and the exit status is 0: the caller goes on
# without what needs them.
set -u

optional=0
if [ "${1:-}" = --optional ]; then
	optional=1
	shift
fi
who=${1:?usage: tools/need.sh [--optional] WHO PROBE:PACKAGE...}
shift

found() { # probe -> 0 when present
	case $1 in
	/*) compgen -G "$1" >/dev/null ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

missing_pkgs() {
	local item pkgs=()
	for item in "$@"; do
		found "${item%:*}" || pkgs+=("${item##*:}")
	done
	[ ${#pkgs[@]} -gt 0 ] && printf '%s\n' "${pkgs[@]}" | sort -u | tr '\n' ' ' | sed 's/ $//'
}

give_up() { # reason
	if [ $optional = 1 ]; then
		echo "$who: $1; skipped what needs them"
		exit 0
	fi
	echo "$who: $1"
	exit 1
}

missing=$(missing_pkgs "$@")
[ -z "$missing" ] && exit 0
echo "$who: installing $missing"
sudo=
if [ "$(id -u)" != 0 ]; then
	command -v sudo >/dev/null || give_up "need root (or sudo) to apt-get install $missing"
	sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # the package list is words
$sudo apt-get update -qq && $sudo apt-get install -y -qq $missing ||
	give_up "apt-get install $missing failed"
still=$(missing_pkgs "$@")
[ -z "$still" ] || give_up "still missing after apt-get: $still"
exit 0
