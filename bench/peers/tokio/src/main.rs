// SPDX-License-Identifier: MIT
//! peers_tokio - tokio's side of bench/peers (issue 7): one binary, one
//! subcommand per workload, printing the same key=value line as our C
//! benchmarks so bench/peers/run.sh reads every system alike.
//!
//!   peers_tokio yield N | spawn N [workers] | chan N same|cross | sleepers N MS [workers]
//!   peers_tokio echo -j WORKERS -p PORT -t SECONDS

mod echo;
mod micro;
mod rt;
mod server;

fn usage() -> ! {
    eprintln!(
        "usage: peers_tokio yield N | spawn N [workers] | chan N same|cross | sleepers N MS [workers]\n\
         \x20      peers_tokio echo -j WORKERS -p PORT -t SECONDS"
    );
    std::process::exit(2)
}

/// argv[i] as a number in lo..=hi, or def when absent; exits 2 otherwise.
pub fn arg(args: &[String], i: usize, what: &str, def: u64, lo: u64, hi: u64) -> u64 {
    match args.get(i) {
        None => def,
        Some(s) => match s.parse::<u64>() {
            Ok(v) if v >= lo && v <= hi => v,
            _ => {
                eprintln!("peers_tokio: {what} must be an integer in {lo}..{hi}, got '{s}'");
                std::process::exit(2)
            }
        },
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("yield") => micro::yield_rtt(arg(&args, 2, "round_trips", 2_000_000, 1, 1 << 32)),
        Some("spawn") => micro::spawn_join(
            arg(&args, 2, "tasks", 1_000_000, 1, 1 << 32),
            arg(&args, 3, "workers", 1, 1, 1024) as usize,
        ),
        Some("chan") => {
            let cross = match args.get(3).map(String::as_str) {
                None | Some("same") => false,
                Some("cross") => true,
                Some(_) => usage(),
            };
            micro::chan_pingpong(arg(&args, 2, "round_trips", 1_000_000, 1, 1 << 32), cross)
        }
        Some("sleepers") => micro::sleepers(
            arg(&args, 2, "tasks", 1_000_000, 1, 100_000_000),
            arg(&args, 3, "sleep_ms", 1000, 0, 3_600_000),
            arg(&args, 4, "workers", 2, 1, 1024) as usize,
        ),
        Some("echo") => echo::serve(&args[2..]),
        _ => usage(),
    }
}
