// SPDX-License-Identifier: MIT
// server.go - the Go echo and HTTP servers of bench/peers: one goroutine
// per connection (net, net/http), listening on 127.0.0.1, the port alone
// on stdout line 1, exit after -t seconds, as every server of the run.
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"
)

type opts struct{ port, seconds int }

func serverOpts() opts {
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	port := fs.Int("p", 0, "port (0: any free one)")
	secs := fs.Int("t", 60, "seconds before exiting")
	fs.Parse(os.Args[2:])
	return opts{*port, *secs}
}

// listen opens 127.0.0.1:port (Go's backlog is net.core.somaxconn), prints
// the port and arms the exit timer: a server here never runs forever.
func listen(o opts) net.Listener {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", o.port))
	if err != nil {
		fmt.Fprintln(os.Stderr, "peers_go:", err)
		os.Exit(1)
	}
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	time.AfterFunc(time.Duration(o.seconds)*time.Second, func() { os.Exit(0) })
	return l
}

// serveEcho: read then write back, like bench/echo/echo_server.c.  Go sets
// TCP_NODELAY on every TCP connection by default.
func serveEcho(o opts) {
	l := listen(o)
	for {
		c, err := l.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			buf := make([]byte, 16*1024)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}(c)
	}
}

// serveHTTP: net/http, keep-alive, the same body as http_hello.c (net/http
// adds the Date header, as ours does).
func serveHTTP(o opts) {
	l := listen(o)
	body := []byte("Hello, world!\n")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write(body)
	})
	srv := &http.Server{Handler: h}
	fmt.Fprintln(os.Stderr, srv.Serve(l))
	os.Exit(1)
}
