/* SPDX-License-Identifier: MIT */
/*
 * dispatch.c - what one ABI call costs under each way of binding it: function
 * table, PLT, GOT (-fno-plt), static link, LTO, or the runtime's internal
 * function called directly.  One source, built once per variant (call.h);
 * bench/dispatch/run.sh runs them all and writes bench/results/dispatch.md.
 *
 *   dispatch [n_self [n_now [n_yield [n_recv]]]]
 *
 * Ops, each timed in a loop of its own inside a task on one worker (the
 * fastest of DISPATCH_SLICES slices of the loop, see run_op):
 * async_std_self, async_std_now, async_std_yield between two tasks (n_yield
 * yields by each), and async_std_recv(MSG_PEEK | MSG_DONTWAIT) on a socket
 * with data waiting (completes at once and leaves the data for the next call;
 * MSG_DONTWAIT makes every runtime, humboldt included, do one recv(2)).
 * Prints one key=value line per op.  Under callgrind the counters are zeroed
 * before each loop and dumped after it (a dump named after the op), so
 * run.sh counts the loop's instructions alone; natively those requests are a
 * few no-op instructions outside the loops.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
#include <valgrind/callgrind.h>

#include "call.h"
#include "../bench.h"

#define RECV_BYTES 64
#define DISPATCH_SLICES 20

struct dispatch_run {
	long n[4];             /* self, now, yield, recv */
	double ns[4];
	int sock;              /* a socket with RECV_BYTES waiting */
	long recv_bad;         /* recvs that did not return RECV_BYTES */
	atomic_int ready;      /* yield: tasks at the start line */
};

enum { OP_SELF, OP_NOW, OP_YIELD, OP_RECV };
static const char *const op_names[4] = { "self", "now", "yield", "recv" };

/* The hot loops: noinline and noclone so each stays one function that
 * run.sh finds by name in objdump's output (the LTO evidence). */
__attribute__((noinline, noclone)) static void dispatch_loop_self(long n)
{
	DISPATCH_BEGIN;
	for (long i = 0; i < n; i++)
		BENCH_KEEP(DISPATCH(self)());
}

__attribute__((noinline, noclone)) static void dispatch_loop_now(long n)
{
	DISPATCH_BEGIN;
	for (long i = 0; i < n; i++)
		BENCH_KEEP(DISPATCH(now)());
}

__attribute__((noinline, noclone)) static void dispatch_loop_yield(long n)
{
	DISPATCH_BEGIN;
	for (long i = 0; i < n; i++)
		DISPATCH(yield)();
}

__attribute__((noinline, noclone)) static long dispatch_loop_recv(long n, int fd)
{
	char buf[RECV_BYTES];
	long bad = 0;

	DISPATCH_BEGIN;
	for (long i = 0; i < n; i++)
		bad += DISPATCH(recv)(fd, buf, sizeof buf, MSG_PEEK | MSG_DONTWAIT) != RECV_BYTES;
	return bad;
}

/* One op's loop for k calls (yield: k by each task). */
static void run_loop(struct dispatch_run *r, int op, long k)
{
	switch (op) {
	case OP_SELF: dispatch_loop_self(k); break;
	case OP_NOW: dispatch_loop_now(k); break;
	case OP_YIELD: dispatch_loop_yield(k); break;
	case OP_RECV: r->recv_bad += dispatch_loop_recv(k, r->sock); break;
	}
}

/* Runs op's loop n times after a short warm-up, in DISPATCH_SLICES timed
 * slices of about n / DISPATCH_SLICES calls, and keeps the fastest slice:
 * on a shared machine a slice that lost the CPU to another process is slow,
 * while the fastest one shows what the call costs.  The callgrind requests
 * bracket all slices (their count is fixed, so their cost cancels in
 * run.sh's difference of two runs). */
static void run_op(struct dispatch_run *r, int op)
{
	long n = r->n[op];
	/* Two yields per call of the loop: each of the two tasks made one. */
	double per = op == OP_YIELD ? 2.0 : 1.0;

	run_loop(r, op, n / 100 + 1);
	CALLGRIND_ZERO_STATS;
	r->ns[op] = -1;
	for (long s = 0; s < DISPATCH_SLICES; s++) {
		long k = n / DISPATCH_SLICES + (s < n % DISPATCH_SLICES);
		int64_t t0 = bench_now_ns();

		run_loop(r, op, k);
		double ns = (double)(bench_now_ns() - t0) / (per * (double)k);
		if (r->ns[op] < 0 || ns < r->ns[op])
			r->ns[op] = ns;
	}
	CALLGRIND_DUMP_STATS_AT(op_names[op]);
}

/* Both tasks must be runnable before the clock starts, or the first yields
 * would find nobody to hand over to. */
static void yield_start_line(struct dispatch_run *r)
{
	atomic_fetch_add(&r->ready, 1);
	while (atomic_load(&r->ready) < 2)
		async_std_yield();
}

static void *yield_peer(void *arg)
{
	struct dispatch_run *r = arg;

	yield_start_line(r);
	dispatch_loop_yield(r->n[OP_YIELD] / 100 + 1 + r->n[OP_YIELD]);
	return NULL;
}

static void *dispatch_task(void *arg)
{
	struct dispatch_run *r = arg;
	async_std_spawn_attr attr = { .size = sizeof attr, .name = "yield_peer",
				      .flags = ASYNC_STD_SPAWN_LOCAL };

	run_op(r, OP_SELF);
	run_op(r, OP_NOW);
	run_op(r, OP_RECV);

	async_std_task *peer = async_std_spawn_ex(yield_peer, r, &attr);
	if (!peer)
		return "async_std_spawn_ex failed";
	yield_start_line(r);
	run_op(r, OP_YIELD);
	if (async_std_join(peer, NULL) != 0)
		return "async_std_join failed";
	return NULL;
}

int main(int argc, char **argv)
{
	struct dispatch_run r = {
		.n = { bench_arg(argc, argv, 1, "n_self", 20000000, DISPATCH_SLICES, 10000000000LL),
		       bench_arg(argc, argv, 2, "n_now", 5000000, DISPATCH_SLICES, 10000000000LL),
		       bench_arg(argc, argv, 3, "n_yield", 5000000, DISPATCH_SLICES, 10000000000LL),
		       bench_arg(argc, argv, 4, "n_recv", 1000000, DISPATCH_SLICES, 10000000000LL) },
	};
	char data[RECV_BYTES] = { 0 };
	int sv[2];
	void *err = NULL;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
	    write(sv[1], data, sizeof data) != (ssize_t)sizeof data) {
		perror("dispatch: socketpair");
		return 1;
	}
	r.sock = sv[0];
	if (async_std_block_on(dispatch_task, &r, &err) != 0 || err) {
		fprintf(stderr, "dispatch: %s\n", err ? (char *)err : "async_std_block_on failed");
		return 1;
	}
	if (r.recv_bad) {
		fprintf(stderr, "dispatch: %ld recvs did not return %d bytes\n", r.recv_bad,
			RECV_BYTES);
		return 1;
	}
	for (int op = 0; op < 4; op++)
		printf("bench=dispatch how=%s runtime=%s op=%s calls=%ld ns_per_call=%.3f\n",
		       DISPATCH_HOW, async_std_runtime_name(), op_names[op], r.n[op], r.ns[op]);
	return 0;
}
