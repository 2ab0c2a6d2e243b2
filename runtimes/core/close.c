/* SPDX-License-Identifier: MIT */
/*
 * close.c - what closing an fd means to the other workers: each that has
 * tasks waiting on the fd wakes them (they fail with EBADF) before the close
 * goes on.  The request reaches such a worker as a close message in its
 * inbox (core.h).  Each worker counts its own waiters per fd, so a close
 * asks only the workers that have some: a worker busy with a task that does
 * not yield delays only the closes of fds its own tasks wait on.
 */
#include <stdlib.h>

#include "core.h"
#include "xrt.h"
#include "reactor.h"

/* ---- who waits on which fd ------------------------------------------------ */
/* Per worker, two levels of chunks that are never freed, so a closer on
 * another thread reads them without a lock.  fds past the table count as
 * always waited on. */
static _Atomic int *fd_count(struct as_worker *w, int fd, bool make)
{
	_Atomic int *_Atomic *slot = &w->fd_waiting[(unsigned)fd / AS_FDW_CHUNK];
	_Atomic int *chunk = atomic_load_explicit(slot, memory_order_acquire);
	if (!chunk && make) {
		/* Only the owner makes its chunks: no race to lose. */
		chunk = calloc(AS_FDW_CHUNK, sizeof(*chunk));
		if (chunk)
			atomic_store_explicit(slot, chunk, memory_order_release);
	}
	return chunk ? &chunk[(unsigned)fd % AS_FDW_CHUNK] : NULL;
}

void as__fd_waiting_add(int fd, int delta)
{
	struct as_worker *w = as__tls_worker;
	if (!w || fd < 0 || (unsigned)fd / AS_FDW_CHUNK >= AS_FDW_CHUNKS)
		return;
	_Atomic int *n = fd_count(w, fd, delta > 0);
	/* Counted before the waiter arms (seq_cst): a close that starts after
	 * that must see it and ask this worker. */
	if (n)
		atomic_fetch_add(n, delta);
}

static bool worker_waits_on(struct as_worker *w, int fd)
{
	if ((unsigned)fd / AS_FDW_CHUNK >= AS_FDW_CHUNKS)
		return true;
	_Atomic int *n = fd_count(w, fd, false);
	return n && atomic_load(n) > 0;
}

/* ---- the broadcast -------------------------------------------------------- */
/* One close seen by every worker; the last to handle it wakes the closer. */
struct close_wait {
	_Atomic int pending;
	struct as_parker *waiter;
};

/* The message each other worker gets. */
struct close_note {
	struct as_msg msg;
	int fd;
	struct close_wait *wait;
};

/* Wakes w's waiters on fd; the last worker to do so wakes the closer. */
static void close_done(struct as_worker *w, int fd, struct close_wait *cw)
{
	as__reactor_close_fd(w, fd);
	/* Read before the decrement: once it reaches 0 the closer may return
	 * and cw (on its stack) is gone, and the notes with it. */
	struct as_parker *closer = cw->waiter;
	if (atomic_fetch_sub(&cw->pending, 1) == 1)
		as__unpark(closer, AS_WAKE_EVENT);
}

static void close_handle(struct as_worker *w, struct as_msg *m)
{
	struct close_note *note = AS_CONTAINER_OF(m, struct close_note, msg);
	close_done(w, note->fd, note->wait);
}

static const struct as_msg_kind close_kind = { .handle = close_handle };

void as__close_broadcast(int fd)
{
	if (!as__runtime_running() || fd < 0)
		return;
	struct as_worker *self = as__tls_worker;
	if (self && worker_waits_on(self, fd))
		as__reactor_close_fd(self, fd);
	unsigned n = as__rt.nworkers, first = 0;
	while (first < n && (&as__rt.workers[first] == self ||
			     !worker_waits_on(&as__rt.workers[first], fd)))
		first++;
	if (first == n)
		return; /* no other worker waits on it: nothing to wait for */
	struct close_note *notes = calloc(n, sizeof(*notes));
	if (!notes)
		return; /* degrade: only this worker's waiters were woken */
	/* The closer holds one count until every note is out. */
	struct close_wait cw = { .pending = 1, .waiter = as__self_parker() };
	/* Not cancellable: the notes must outlive every worker's look at them. */
	as__park_prepare(false);
	for (unsigned i = first; i < n; i++) {
		struct as_worker *w = &as__rt.workers[i];
		if (w == self || !worker_waits_on(w, fd))
			continue;
		notes[i].msg.kind = &close_kind;
		notes[i].fd = fd;
		notes[i].wait = &cw;
		atomic_fetch_add(&cw.pending, 1);
		as__inbox_post(w, &notes[i].msg);
	}
	if (atomic_fetch_sub(&cw.pending, 1) == 1)
		as__unpark(cw.waiter, AS_WAKE_EVENT); /* all done already */
	while (as__park_wait(-1) != 0 || atomic_load(&cw.pending) > 0)
		as__park_prepare(false);
	free(notes);
}

/* This runtime's waiters on fd: its workers' and its blocking pool's. */
void as__close_local(int fd)
{
	as__close_broadcast(fd);
	as__blocking_close_fd(fd);
}

void as__close_wake(int fd)
{
	as__close_local(fd);
	/* The other runtimes of the process: a close wakes every task
	 * blocked on fd, whichever runtime runs it. */
	for (uint32_t i = 0; i < AS_XRT_MAX; i++) {
		const struct as_xrt *x = as__xrt_other(i);
		if (x)
			x->close_fd(fd);
	}
}
