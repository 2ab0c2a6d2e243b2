// SPDX-License-Identifier: MIT
// bench/peers/go: the Go peer of issue 7 (peers_go), standard library only,
// so it builds offline (GOPROXY=off) with Debian's golang-go 1.19.
module peers

go 1.19
