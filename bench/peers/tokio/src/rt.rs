// SPDX-License-Identifier: MIT
//! rt.rs - the runtime of a given size, and the small helpers every
//! subcommand shares: elapsed ns and a /proc/self/status reader.  Written
//! for Debian's rustc 1.63 too (no OnceLock, no let-else).

use std::time::Instant;
use tokio::runtime::{Builder, Runtime};

/// One worker: the current_thread runtime (the tasks and the I/O driver on
/// the calling thread), unless PEERS_TOKIO_FLAVOR=multi_thread asks for a
/// one-worker multi_thread runtime (to check which is faster: see peers.md).
/// More: multi_thread with exactly that many workers.
pub fn build(workers: usize) -> Runtime {
    let mut b = if workers == 1 && !multi_forced() {
        Builder::new_current_thread()
    } else {
        let mut m = Builder::new_multi_thread();
        m.worker_threads(workers);
        m
    };
    b.enable_all().build().expect("peers_tokio: runtime")
}

fn multi_forced() -> bool {
    std::env::var("PEERS_TOKIO_FLAVOR").map_or(false, |v| v == "multi_thread")
}

pub fn kind(workers: usize) -> &'static str {
    if workers == 1 && !multi_forced() {
        "current_thread"
    } else {
        "multi_thread"
    }
}

/// Nanoseconds from a to b (monotonic clock).
pub fn ns(a: Instant, b: Instant) -> f64 {
    b.duration_since(a).as_nanos() as f64
}

/// The value of a "Key:   123 kB" line of /proc/self/status in KiB, or -1.
pub fn status_kib(key: &str) -> i64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    for line in s.lines() {
        if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
            return rest
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .unwrap_or(-1);
        }
    }
    -1
}
