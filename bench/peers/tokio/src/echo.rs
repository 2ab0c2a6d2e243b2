// SPDX-License-Identifier: MIT
//! echo.rs - tokio's echo server for bench/peers/echo.sh: one task per
//! connection, read then write_all, like bench/echo/echo_server.c.  Prints
//! the port alone on stdout line 1 and exits after -t seconds.

use crate::rt;
use crate::server::{exit_after, listen, opts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn conn(mut s: TcpStream) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        if s.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}

pub fn serve(args: &[String]) {
    let o = opts(args, "peers_tokio echo");
    let rt = rt::build(o.workers);
    eprintln!(
        "peers_tokio echo: {} runtime, {} worker(s)",
        rt::kind(o.workers),
        o.workers
    );
    rt.block_on(async move {
        let l = listen(o.port);
        exit_after(o.seconds);
        loop {
            if let Ok((s, _)) = l.accept().await {
                let _ = s.set_nodelay(true);
                tokio::spawn(conn(s));
            }
        }
    });
}
