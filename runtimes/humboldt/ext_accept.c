/* SPDX-License-Identifier: MIT */
/*
 * ext_accept.c - multishot accept: one IORING_OP_ACCEPT with
 * IORING_ACCEPT_MULTISHOT stays armed on the listening socket and posts a
 * CQE per connection (IORING_CQE_F_MORE while it stays armed).  The
 * connections queue in the acceptor until a task takes them; past
 * QUEUE_MAX the accept is cancelled, leaving the rest in the listen
 * backlog, and armed again once the queue is empty.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ext.h"

#define QUEUE_MAX 1024u

struct humboldt_acceptor {
	struct uring_cb cb;         /* the multishot accept, while armed */
	struct as_uring *u;         /* the ring it is armed on */
	int fd;
	bool armed;                 /* the kernel has it: its last CQE is to come */
	bool throttled;             /* cancelled because the queue is full */
	bool closed;                /* fd was closed: never armed again */
	int err;                    /* an accept error to report once (-errno) */
	struct as_parker *waiter;   /* the task in next or stop, or NULL */
	int *q;                     /* accepted fds not taken yet (a ring) */
	unsigned head, n, cap;
};

static int queue_push(humboldt_acceptor *a, int fd)
{
	if (a->n == a->cap) {
		unsigned cap = a->cap ? 2 * a->cap : 16;
		int *q = malloc(cap * sizeof(*q));
		if (!q)
			return -ENOMEM;
		for (unsigned i = 0; i < a->n; i++)
			q[i] = a->q[(a->head + i) % a->cap];
		free(a->q);
		a->q = q;
		a->head = 0;
		a->cap = cap;
	}
	a->q[(a->head + a->n++) % a->cap] = fd;
	return 0;
}

static int queue_pop(humboldt_acceptor *a)
{
	int fd = a->q[a->head];
	a->head = (a->head + 1) % a->cap;
	a->n--;
	return fd;
}

static void cancel(humboldt_acceptor *a)
{
	struct io_uring_sqe *sqe = hb__sqe(a->u);
	io_uring_prep_cancel64(sqe, (uint64_t)(uintptr_t)&a->cb.op, 0);
	io_uring_sqe_set_data64(sqe, HB_TOKEN_IGNORE);
}

/* Runs on the worker for each CQE of the armed accept. */
static void accept_cqe(struct as_uring *u, struct uring_cb *cb, const struct io_uring_cqe *cqe)
{
	humboldt_acceptor *a = (humboldt_acceptor *)cb;
	if (cqe->res >= 0 && queue_push(a, cqe->res) < 0)
		close(cqe->res); /* no memory to keep it: the peer sees a reset */
	if (!(cqe->flags & IORING_CQE_F_MORE)) {
		/* The kernel is done with it: an error, a cancel, or a close. */
		a->armed = false;
		cb->op.done = true;
		hb__op_disarm(u, &cb->op);
		if (cb->op.closing)
			a->closed = true;
		else if (cqe->res < 0 && cqe->res != -ECANCELED)
			a->err = cqe->res;
	} else if (a->n >= QUEUE_MAX && !a->throttled) {
		a->throttled = true;
		cancel(a);
	}
	if (a->waiter)
		as__unpark(a->waiter, AS_WAKE_EVENT);
}

static void arm(humboldt_acceptor *a)
{
	struct io_uring_sqe *sqe = hb__sqe(a->u);
	io_uring_prep_multishot_accept(sqe, a->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	hb__use_fixed(a->u, sqe, a->fd);
	a->cb.op.kind = URING_OP_CALLBACK;
	a->cb.on_cqe = accept_cqe;
	hb__op_arm(a->u, &a->cb.op, a->fd);
	io_uring_sqe_set_data64(sqe, (uint64_t)(uintptr_t)&a->cb.op);
	a->armed = true;
	a->throttled = false;
}

HB_EXPORT humboldt_acceptor *humboldt_accept_start(int fd)
{
	struct as_uring *u = hb__ext_ring(HUMBOLDT_MULTISHOT_ACCEPT);
	if (!u) {
		errno = ENOTSUP;
		return NULL;
	}
	if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
		errno = EBADF;
		return NULL;
	}
	humboldt_acceptor *a = calloc(1, sizeof(*a));
	if (!a) {
		errno = ENOMEM;
		return NULL;
	}
	a->u = u;
	a->fd = fd;
	arm(a);
	hb__flush(u); /* connections queue up from now on */
	return a;
}

HB_EXPORT int humboldt_accept_next(humboldt_acceptor *a, struct sockaddr *addr, socklen_t *len)
{
	if (!a)
		return (int)as__ret(-EINVAL);
	if (hb__ring() != a->u)
		return (int)as__ret(-EXDEV);
	AS_ENTER(); /* first: it may yield, and another task may become the waiter */
	if (a->waiter)
		return (int)as__ret(-EBUSY);
	for (;;) {
		if (a->n) {
			int fd = queue_pop(a);
			if (addr && len && getpeername(fd, addr, len) < 0)
				*len = 0;
			return fd;
		}
		if (a->err) {
			int e = a->err;
			a->err = 0;
			return (int)as__ret(e);
		}
		if (a->closed)
			return (int)as__ret(-EBADF);
		if (!a->armed)
			arm(a);
		int r = as__park_prepare(true);
		if (r < 0)
			return (int)as__ret(r);
		a->waiter = as__self_parker();
		r = as__park_wait(as__deadline());
		a->waiter = NULL;
		/* A connection that came with the deadline is still taken. */
		if (r < 0 && !a->n)
			return (int)as__ret(r);
	}
}

HB_EXPORT int humboldt_accept_stop(humboldt_acceptor *a)
{
	if (!a)
		return (int)as__ret(-EINVAL);
	if (hb__ring() != a->u)
		return (int)as__ret(-EXDEV);
	if (a->waiter)
		return (int)as__ret(-EBUSY);
	if (a->armed) {
		/* The acceptor is the operation: keep it until the kernel's
		 * last CQE, whatever the caller's deadline says. */
		cancel(a);
		hb__flush(a->u);
		a->waiter = as__self_parker();
		while (a->armed) {
			as__park_prepare(false);
			as__park_wait(-1);
		}
		a->waiter = NULL;
	}
	while (a->n)
		close(queue_pop(a));
	free(a->q);
	free(a);
	return 0;
}
