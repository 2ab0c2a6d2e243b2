// SPDX-License-Identifier: MIT
// peers_go - Go's side of bench/peers (issue 7): one binary, one subcommand
// per workload, the standard library only (built offline with GOPROXY=off),
// printing the same key=value lines as our C benchmarks.  The number of
// Ps comes from GOMAXPROCS in the environment, set by bench/peers/run.sh.
//
//	peers_go yield N | spawn N | chan N same|cross | sleepers N MS
//	peers_go echo -p PORT -t SECONDS | http -p PORT -t SECONDS
package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

func usage() {
	fmt.Fprintln(os.Stderr, "usage: peers_go yield N | spawn N | chan N same|cross | sleepers N MS\n"+
		"       peers_go echo -p PORT -t SECONDS | http -p PORT -t SECONDS")
	os.Exit(2)
}

// arg returns os.Args[i] as an integer in [lo, hi], or def when absent;
// exits with status 2 and one line naming it otherwise.
func arg(i int, what string, def, lo, hi int64) int64 {
	if i >= len(os.Args) {
		return def
	}
	v, err := strconv.ParseInt(os.Args[i], 10, 64)
	if err != nil || v < lo || v > hi {
		fmt.Fprintf(os.Stderr, "peers_go: %s must be an integer in %d..%d, got '%s'\n",
			what, lo, hi, os.Args[i])
		os.Exit(2)
	}
	return v
}

// statusKiB returns the value of a "Key:   123 kB" line of
// /proc/self/status in KiB, or -1.
func statusKiB(key string) int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// strings.CutPrefix is Go 1.20; Debian 12 has 1.19
		if line := sc.Text(); strings.HasPrefix(line, key+":") {
			rest := strings.TrimSpace(strings.TrimPrefix(line, key+":"))
			v, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(rest, "kB")), 10, 64)
			if err == nil {
				return v
			}
		}
	}
	return -1
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	switch os.Args[1] {
	case "yield":
		yieldRTT(arg(2, "round_trips", 2000000, 1, 1<<32))
	case "spawn":
		spawnJoin(arg(2, "tasks", 1000000, 1, 1<<32))
	case "chan":
		place := "same"
		if len(os.Args) > 3 {
			place = os.Args[3]
		}
		if place != "same" && place != "cross" {
			usage()
		}
		chanPingPong(arg(2, "round_trips", 1000000, 1, 1<<32), place == "cross")
	case "sleepers":
		sleepers(arg(2, "tasks", 1000000, 1, 100000000), arg(3, "sleep_ms", 1000, 0, 3600000))
	case "echo":
		serveEcho(serverOpts())
	case "http":
		serveHTTP(serverOpts())
	default:
		usage()
	}
}
