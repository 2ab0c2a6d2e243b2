#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/peers/build.sh - builds one peer program of issue 7 into OUT, or
# says why not: a failed build writes OUT/NAME.why (first lines of the
# error) and exits 0, so `make bench-peers` goes on and peers.md names it.
#
#   bench/peers/build.sh go|tokio|hyper|uv OUT
#
# Offline only: Go with GOPROXY=off and the standard library; tokio and
# hyper with cargo --offline against Debian's crates in
# /usr/share/cargo/registry (a source replacement in a config file written
# to OUT, never to the source tree; the crates are copied to OUT to build,
# so Cargo.lock lands there too); libuv through pkg-config.
set -u
name=$1
OUT=$(mkdir -p "$2" && cd "$2" && pwd)
SRC=$(cd "$(dirname "$0")" && pwd)
REGISTRY=${PEERS_CARGO_REGISTRY:-/usr/share/cargo/registry}
log=$OUT/$name.log
why=$OUT/$name.why
rm -f "$why"

fail() { # fail REASON: keep the reason and the log's first error lines
	{
		echo "$1"
		grep -m3 -iE 'error|cannot|not found' "$log" 2>/dev/null
	} >"$why"
	echo "bench/peers: $name not built: $1 (see $log)" >&2
	exit 0
}

case $name in
go)
	command -v go >/dev/null || { : >"$log"; fail "go not installed (apt-get install golang-go)"; }
	# GOFLAGS cleared: a user's -mod=vendor or the like must not apply
	(cd "$SRC/go" && env GOPROXY=off GOTOOLCHAIN=local GOFLAGS= GO111MODULE=on \
		GOPATH="$OUT/gopath" GOCACHE="$OUT/gocache" \
		go build -trimpath -o "$OUT/peers_go" .) >"$log" 2>&1 || fail "go build failed"
	;;
tokio | hyper)
	command -v cargo >/dev/null || { : >"$log"; fail "cargo not installed (apt-get install cargo)"; }
	ls -d "$REGISTRY"/tokio-1.* >/dev/null 2>&1 ||
		{ : >"$log"; fail "no tokio in $REGISTRY (apt-get install librust-tokio-dev)"; }
	[ "$name" = tokio ] || ls -d "$REGISTRY"/hyper-0.14.* >/dev/null 2>&1 ||
		{ : >"$log"; fail "no hyper 0.14 in $REGISTRY (apt-get install librust-hyper-dev)"; }
	cat >"$OUT/cargo-config.toml" <<-CFG
		# written by bench/peers/build.sh: crates come from Debian's packages only
		[source.crates-io]
		replace-with = "debian"
		[source.debian]
		directory = "$REGISTRY"
		[net]
		offline = true
	CFG
	# hyper's crate includes two files of the tokio crate by relative path
	mkdir -p "$OUT/rust"
	rm -rf "$OUT/rust/$name" "$OUT/rust/tokio.src"
	cp -r "$SRC/$name" "$OUT/rust/$name"
	[ "$name" = hyper ] && cp -r "$SRC/tokio" "$OUT/rust/tokio.src" &&
		sed -i 's#\.\./\.\./tokio/src/#../../tokio.src/src/#' "$OUT/rust/hyper/src/main.rs"
	(cd "$OUT/rust/$name" && cargo build --offline --release --config "$OUT/cargo-config.toml" \
		--target-dir "$OUT/cargo-target") >"$log" 2>&1 || fail "cargo build --offline failed"
	cp "$OUT/cargo-target/release/peers_$name" "$OUT/peers_$name" || fail "no binary"
	# the versions cargo resolved, for the header of peers.md
	sed -n '/^name = "\(tokio\|hyper\)"/{N;s/name = "\([^"]*\)"\nversion = "\([^"]*\)"/\1 \2/p}' \
		"$OUT/rust/$name/Cargo.lock" >"$OUT/peers_$name.versions"
	;;
uv)
	pkg-config --exists libuv 2>/dev/null || { : >"$log"; fail "libuv not found (apt-get install libuv1-dev)"; }
	# shellcheck disable=SC2046 # pkg-config prints flags
	${CC:-cc} -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE \
		$(pkg-config --cflags libuv) -o "$OUT/uv_echo" "$SRC/uv_echo.c" \
		$(pkg-config --libs libuv) >"$log" 2>&1 || fail "cc failed"
	;;
*)
	echo "usage: $0 go|tokio|hyper|uv OUT" >&2
	exit 2
	;;
esac
rm -f "$why"
