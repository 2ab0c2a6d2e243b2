// SPDX-License-Identifier: MIT
//! micro.rs - tokio's versions of our micro-benchmarks (bench/yield.c,
//! spawn_join.c, chan_pingpong.c, sleepers.c): the same shapes, the same
//! warm-ups, the same key=value output.  Both players of yield and chan are
//! spawned tasks, as in ours, never the block_on future itself.

use crate::rt::{self, ns};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::*};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::mpsc;
use tokio::task::yield_now;

/// Two tasks on one current_thread runtime yield to each other; a round
/// trip is A -> B -> A, two yields.
pub fn yield_rtt(n: u64) {
    let rt = rt::build(1);
    let ready = Arc::new(AtomicUsize::new(0));
    let span = Arc::new(Mutex::new((None::<Instant>, None::<Instant>)));
    rt.block_on(async {
        let mut hs = Vec::new();
        for _ in 0..2 {
            let (ready, span) = (ready.clone(), span.clone());
            hs.push(tokio::spawn(async move {
                // both runnable before the clock starts
                ready.fetch_add(1, SeqCst);
                while ready.load(SeqCst) < 2 {
                    yield_now().await;
                }
                for _ in 0..1000 {
                    yield_now().await;
                }
                let t0 = Instant::now();
                for _ in 0..n {
                    yield_now().await;
                }
                let t1 = Instant::now();
                let mut s = span.lock().unwrap();
                s.0 = Some(s.0.map_or(t0, |x| x.min(t0)));
                s.1 = Some(s.1.map_or(t1, |x| x.max(t1)));
            }));
        }
        for h in hs {
            h.await.unwrap();
        }
    });
    let s = span.lock().unwrap();
    let t = ns(s.0.unwrap(), s.1.unwrap());
    println!(
        "bench=yield runtime=tokio flavor=current_thread round_trips={n} ns_per_round_trip={:.2} ns_per_yield={:.2}",
        t / n as f64,
        t / (2.0 * n as f64)
    );
}

/// Spawns a task that returns its argument and awaits its JoinHandle, one
/// at a time, after a warm-up of the same shape.
pub fn spawn_join(n: u64, workers: usize) {
    async fn run(n: u64) {
        for i in 0..n {
            let v = tokio::spawn(async move { i }).await.unwrap();
            assert_eq!(v, i);
        }
    }
    // The loop is a task itself, so that with several workers it runs on
    // one of them (as async_main does on ours), not on the block_on thread.
    let t = rt::build(workers).block_on(async move {
        tokio::spawn(async move {
            run(n.min(10_000)).await;
            let t0 = Instant::now();
            run(n).await;
            ns(t0, Instant::now())
        })
        .await
        .unwrap()
    });
    println!(
        "bench=spawn_join runtime=tokio flavor={} workers={workers} tasks={n} batch=1 ns_per_task={:.2}",
        rt::kind(workers),
        t / n as f64
    );
}

async fn player_b(mut rx: mpsc::Receiver<u64>, tx: mpsc::Sender<u64>) {
    while let Some(v) = rx.recv().await {
        if tx.send(v).await.is_err() {
            break;
        }
    }
}

async fn round_trips(tx: &mpsc::Sender<u64>, rx: &mut mpsc::Receiver<u64>, n: u64) {
    for i in 0..n {
        tx.send(i).await.unwrap();
        assert_eq!(rx.recv().await, Some(i));
    }
}

async fn player_a(tx: mpsc::Sender<u64>, mut rx: mpsc::Receiver<u64>, n: u64) -> f64 {
    round_trips(&tx, &mut rx, 1000).await; // warm-up
    let t0 = Instant::now();
    round_trips(&tx, &mut rx, n).await;
    ns(t0, Instant::now())
}

/// One element back and forth through two mpsc channels of capacity 1
/// (tokio has no rendezvous channel; with one element in flight a capacity
/// of 1 never holds more).  same: both tasks on one current_thread runtime.
/// cross: each task on its own current_thread runtime on its own thread,
/// the only way to keep two tokio tasks on different workers.
pub fn chan_pingpong(n: u64, cross: bool) {
    let (ab_tx, ab_rx) = mpsc::channel::<u64>(1);
    let (ba_tx, ba_rx) = mpsc::channel::<u64>(1);
    let t = if cross {
        let b = std::thread::spawn(move || rt::build(1).block_on(player_b(ab_rx, ba_tx)));
        let t = rt::build(1).block_on(player_a(ab_tx, ba_rx, n));
        b.join().unwrap();
        t
    } else {
        rt::build(1).block_on(async move {
            let b = tokio::spawn(player_b(ab_rx, ba_tx));
            let t = tokio::spawn(player_a(ab_tx, ba_rx, n)).await.unwrap();
            b.await.unwrap();
            t
        })
    };
    println!(
        "bench=chan_pingpong runtime=tokio placement={} round_trips={n} ns_per_round_trip={:.2}",
        if cross { "cross" } else { "same" },
        t / n as f64
    );
}

/// n tasks sleep until one common deadline on a runtime of the given
/// size; KiB per task = VmRSS growth while they all sleep.
pub fn sleepers(n: u64, sleep_ms: u64, workers: usize) {
    let rt = rt::build(workers);
    let started = Arc::new(AtomicU64::new(0));
    let finished = Arc::new(AtomicU64::new(0));
    let late = Arc::new(AtomicU64::new(0));
    // Spawned from a task, as ours spawns from async_main on a worker.
    let main = async move {
        let mut hs = Vec::with_capacity(n as usize);
        let rss0 = rt::status_kib("VmRSS");
        let t0 = Instant::now();
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(sleep_ms);
        for i in 0..n {
            let (s, f, l) = (started.clone(), finished.clone(), late.clone());
            hs.push(tokio::spawn(async move {
                s.fetch_add(1, Relaxed);
                if tokio::time::Instant::now() >= deadline {
                    l.fetch_add(1, Relaxed);
                }
                tokio::time::sleep_until(deadline).await;
                f.fetch_add(1, Relaxed);
                i
            }));
        }
        let t_spawned = Instant::now();
        while started.load(SeqCst) < n && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
        }
        let t_started = Instant::now();
        let rss = rt::status_kib("VmRSS");
        let mut joined = 0u64;
        for (i, h) in hs.into_iter().enumerate() {
            if h.await.ok() == Some(i as u64) {
                joined += 1;
            }
        }
        let hwm = rt::status_kib("VmHWM").max(rss);
        let ok = joined == n && finished.load(SeqCst) == n;
        println!(
            "bench=sleepers runtime=tokio workers={} tasks={n} finished={} joined={joined} late={} \
             sleep_ms={sleep_ms} spawn_ns_per_task={:.1} all_started_ms={:.1} rss_before_kib={rss0} \
             rss_sleeping_kib={rss} hwm_kib={hwm} kib_per_task_rss={:.2} kib_per_task_hwm={:.2} ok={}",
            workers,
            finished.load(SeqCst),
            late.load(SeqCst),
            ns(t0, t_spawned) / n as f64,
            ns(t0, t_started) / 1e6,
            (rss - rss0) as f64 / n as f64,
            (hwm - rss0) as f64 / n as f64,
            ok as i32
        );
        if !ok {
            std::process::exit(1);
        }
    };
    rt.block_on(async move { tokio::spawn(main).await.unwrap() });
}
