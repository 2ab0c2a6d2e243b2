// SPDX-License-Identifier: MIT
//! peers_hyper - hyper's HTTP/1.1 keep-alive "hello" server for
//! bench/peers/http.sh: one task per connection (hyper's server connection
//! on tokio), the same body as bench/peers/http_hello.c.
//!
//!   peers_hyper -j WORKERS -p PORT -t SECONDS

#[path = "../../tokio/src/rt.rs"]
#[allow(dead_code)]
mod rt;
#[path = "../../tokio/src/server.rs"]
mod server;

use hyper::server::conn::Http;
use hyper::service::service_fn;
use hyper::{Body, Request, Response};
use std::convert::Infallible;

async fn hello(_req: Request<Body>) -> Result<Response<Body>, Infallible> {
    Ok(Response::builder()
        .header("Content-Type", "text/plain")
        .body(Body::from("Hello, world!\n"))
        .unwrap())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let o = server::opts(&args, "peers_hyper");
    let rt = rt::build(o.workers);
    eprintln!(
        "peers_hyper: {} runtime, {} worker(s)",
        rt::kind(o.workers),
        o.workers
    );
    rt.block_on(async move {
        let l = server::listen(o.port);
        server::exit_after(o.seconds);
        let http = Http::new();
        loop {
            if let Ok((s, _)) = l.accept().await {
                let _ = s.set_nodelay(true);
                let conn = http.serve_connection(s, service_fn(hello));
                tokio::spawn(async move {
                    let _ = conn.await;
                });
            }
        }
    });
}
