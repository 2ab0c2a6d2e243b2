// SPDX-License-Identifier: MIT
// micro.go - Go's versions of our micro-benchmarks (bench/yield.c,
// spawn_join.c, chan_pingpong.c, sleepers.c): the same shapes, warm-ups and
// output.  Run with GOMAXPROCS=1 for one worker, as ours with
// ASYNC_STD_THREADS=1.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// yieldRTT: two goroutines call runtime.Gosched in turn; a round trip is
// A -> B -> A, two yields.
func yieldRTT(n int64) {
	var ready atomic.Int32
	var wg sync.WaitGroup
	var mu sync.Mutex
	var t0, t1 time.Time
	for p := 0; p < 2; p++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// both runnable before the clock starts
			ready.Add(1)
			for ready.Load() < 2 {
				runtime.Gosched()
			}
			for i := 0; i < 1000; i++ {
				runtime.Gosched()
			}
			s := time.Now()
			for i := int64(0); i < n; i++ {
				runtime.Gosched()
			}
			e := time.Now()
			mu.Lock()
			if t0.IsZero() || s.Before(t0) {
				t0 = s
			}
			if e.After(t1) {
				t1 = e
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	ns := float64(t1.Sub(t0).Nanoseconds())
	fmt.Printf("bench=yield runtime=go gomaxprocs=%d round_trips=%d ns_per_round_trip=%.2f ns_per_yield=%.2f\n",
		runtime.GOMAXPROCS(0), n, ns/float64(n), ns/(2*float64(n)))
}

// spawnJoin: `go` a function that hands its argument back over a channel
// (Go's join), and receive it, one at a time, after a warm-up.
func spawnJoin(n int64) {
	done := make(chan int64, 1)
	run := func(n int64) {
		for i := int64(0); i < n; i++ {
			go func(v int64) { done <- v }(i)
			if v := <-done; v != i {
				panic("spawn_join: wrong value")
			}
		}
	}
	warm := n
	if warm > 10000 {
		warm = 10000
	}
	run(warm)
	t0 := time.Now()
	run(n)
	ns := float64(time.Since(t0).Nanoseconds())
	fmt.Printf("bench=spawn_join runtime=go gomaxprocs=%d tasks=%d batch=1 ns_per_task=%.2f\n",
		runtime.GOMAXPROCS(0), n, ns/float64(n))
}

// chanPingPong: one value back and forth through two unbuffered channels.
// same: GOMAXPROCS=1.  cross: each goroutine locked to its own OS thread
// (runtime.LockOSThread, with GOMAXPROCS=2), the only way to keep two
// goroutines on different threads.
func chanPingPong(n int64, cross bool) {
	ab, ba := make(chan int64), make(chan int64)
	var ns float64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // B
		defer wg.Done()
		if cross {
			runtime.LockOSThread()
		}
		for i := int64(0); i < n+1000; i++ {
			ba <- <-ab
		}
	}()
	go func() { // A
		defer wg.Done()
		if cross {
			runtime.LockOSThread()
		}
		rounds := func(n int64) {
			for i := int64(0); i < n; i++ {
				ab <- i
				if v := <-ba; v != i {
					panic("chan_pingpong: wrong value")
				}
			}
		}
		rounds(1000) // warm-up
		t0 := time.Now()
		rounds(n)
		ns = float64(time.Since(t0).Nanoseconds())
	}()
	wg.Wait()
	place := "same"
	if cross {
		place = "cross"
	}
	fmt.Printf("bench=chan_pingpong runtime=go gomaxprocs=%d placement=%s round_trips=%d ns_per_round_trip=%.2f\n",
		runtime.GOMAXPROCS(0), place, n, ns/float64(n))
}

// sleepers: n goroutines sleep until one common deadline; KiB per task =
// VmRSS growth while they all sleep.
func sleepers(n, sleepMS int64) {
	var started, finished, late atomic.Int64
	var wg sync.WaitGroup
	rss0 := statusKiB("VmRSS")
	t0 := time.Now()
	deadline := t0.Add(time.Duration(sleepMS) * time.Millisecond)
	for i := int64(0); i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Add(1)
			if !time.Now().Before(deadline) {
				late.Add(1)
			}
			time.Sleep(time.Until(deadline))
			finished.Add(1)
		}()
	}
	tSpawned := time.Now()
	for started.Load() < n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	tStarted := time.Now()
	rss := statusKiB("VmRSS")
	wg.Wait()
	hwm := statusKiB("VmHWM")
	if hwm < rss {
		hwm = rss
	}
	ok := 0
	if finished.Load() == n {
		ok = 1
	}
	fmt.Printf("bench=sleepers runtime=go gomaxprocs=%d tasks=%d finished=%d late=%d sleep_ms=%d "+
		"spawn_ns_per_task=%.1f all_started_ms=%.1f rss_before_kib=%d rss_sleeping_kib=%d hwm_kib=%d "+
		"kib_per_task_rss=%.2f kib_per_task_hwm=%.2f ok=%d\n",
		runtime.GOMAXPROCS(0), n, finished.Load(), late.Load(), sleepMS,
		float64(tSpawned.Sub(t0).Nanoseconds())/float64(n),
		float64(tStarted.Sub(t0).Nanoseconds())/1e6, rss0, rss, hwm,
		float64(rss-rss0)/float64(n), float64(hwm-rss0)/float64(n), ok)
	if ok == 0 {
		os.Exit(1)
	}
}
