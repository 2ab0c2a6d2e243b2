/* SPDX-License-Identifier: MIT */
/*
 * close.c - what closing an fd means to the other workers: each wakes its
 * tasks waiting on the fd (they fail with EBADF) before the close goes on.
 * The request reaches each worker as a close message in its inbox (core.h);
 * a per-fd count of waiters spares the broadcast when nobody waits.
 */
#include <stdlib.h>

#include "core.h"
#include "reactor.h"

/* ---- who waits on which fd ------------------------------------------------ */
/* Waiters per fd across all workers, so that closing an fd nobody waits on
 * costs nothing.  Two levels of chunks that are never freed: readers need no
 * lock.  fds past the table are treated as always waited on. */
#define FDW_CHUNK 4096u
#define FDW_CHUNKS 1024u
static _Atomic int *_Atomic fd_waiting[FDW_CHUNKS];

void as__fd_waiting_add(int fd, int delta)
{
	if (fd < 0 || (unsigned)fd / FDW_CHUNK >= FDW_CHUNKS)
		return;
	_Atomic int *chunk = atomic_load(&fd_waiting[fd / FDW_CHUNK]);
	if (!chunk) {
		_Atomic int *fresh = calloc(FDW_CHUNK, sizeof(*fresh));
		if (!fresh)
			return;
		_Atomic int *expected = NULL;
		if (atomic_compare_exchange_strong(&fd_waiting[fd / FDW_CHUNK], &expected, fresh))
			chunk = fresh;
		else {
			free(fresh);
			chunk = expected;
		}
	}
	atomic_fetch_add(&chunk[fd % FDW_CHUNK], delta);
}

static bool fd_has_waiters(int fd)
{
	if (fd < 0)
		return false;
	if ((unsigned)fd / FDW_CHUNK >= FDW_CHUNKS)
		return true;
	_Atomic int *chunk = atomic_load(&fd_waiting[fd / FDW_CHUNK]);
	return chunk && atomic_load(&chunk[fd % FDW_CHUNK]) > 0;
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
	if (!as__runtime_running() || !fd_has_waiters(fd))
		return;
	unsigned n = as__rt.nworkers;
	struct close_wait cw = { .pending = (int)n, .waiter = as__self_parker() };
	struct close_note *notes = calloc(n, sizeof(*notes));
	if (!notes) {
		/* Degrade: only this worker's waiters are woken. */
		if (as__tls_worker)
			as__reactor_close_fd(as__tls_worker, fd);
		return;
	}
	/* Not cancellable: the notes must outlive every worker's look at them. */
	as__park_prepare(false);
	for (unsigned i = 0; i < n; i++) {
		struct as_worker *w = &as__rt.workers[i];
		if (w == as__tls_worker) {
			close_done(w, fd, &cw);
			continue;
		}
		notes[i].msg.kind = &close_kind;
		notes[i].fd = fd;
		notes[i].wait = &cw;
		as__inbox_post(w, &notes[i].msg);
	}
	while (as__park_wait(-1) != 0 || atomic_load(&cw.pending) > 0)
		as__park_prepare(false);
	free(notes);
}
