// SPDX-License-Identifier: MIT
//! server.rs - what the tokio and hyper servers share (hyper's crate
//! includes this file by path): the options -j -p -t, a 127.0.0.1 listener
//! that prints its port on stdout line 1, and the exit after -t seconds.

use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpSocket;

/// The options shared by the servers: -j workers, -p port, -t seconds.
pub struct Opts {
    pub workers: usize,
    pub port: u16,
    pub seconds: u64,
}

pub fn opts(args: &[String], prog: &str) -> Opts {
    let mut o = Opts {
        workers: 1,
        port: 0,
        seconds: 60,
    };
    let mut i = 0;
    while i + 1 < args.len() {
        let v = num(&args[i], &args[i + 1]);
        match args[i].as_str() {
            "-j" => o.workers = v.max(1) as usize,
            "-p" => o.port = v as u16,
            "-t" => o.seconds = v.max(1),
            _ => break,
        }
        i += 2;
    }
    if i != args.len() {
        eprintln!("usage: {prog} -j WORKERS -p PORT -t SECONDS");
        std::process::exit(2);
    }
    o
}

/// A listener with the same backlog as ours (4096), so 1,000 connections
/// opened at once never wait for a full accept queue.
pub fn listen(port: u16) -> tokio::net::TcpListener {
    let addr: SocketAddr = ([127, 0, 0, 1], port).into();
    let s = TcpSocket::new_v4().expect("socket");
    s.set_reuseaddr(true).expect("SO_REUSEADDR");
    s.bind(addr).expect("bind 127.0.0.1");
    let l = s.listen(4096).expect("listen");
    println!("{}", l.local_addr().unwrap().port());
    l
}

/// Ends the process after `seconds`, whatever it is doing: a server of the
/// benchmark never runs forever.
pub fn exit_after(seconds: u64) {
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(seconds)).await;
        std::process::exit(0);
    });
}

fn num(opt: &str, s: &str) -> u64 {
    match s.parse::<u64>() {
        Ok(v) if v <= 65535 => v,
        _ => {
            eprintln!("{opt} must be an integer in 0..65535, got '{s}'");
            std::process::exit(2)
        }
    }
}
