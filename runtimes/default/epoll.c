/* SPDX-License-Identifier: MIT */
/*
 * epoll.c - the default runtime's reactor: one epoll instance per worker.
 *
 * A task that must wait for an fd links a waiter into its worker's slot for
 * that fd and arms the fd EPOLLONESHOT with the union of the slot's events.
 * Everything here runs on the owner worker's thread, except
 * as__epoll_reactor_notify (an eventfd write), so the slots need no locks.
 * In the default runtime these are the reactor of reactor.h (aliases at the
 * end); humboldt calls them for its fallback.
 */
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core.h"
#include "default.h"

#define EVENTS_PER_POLL 256
#define NOTIFY_TOKEN UINT64_MAX

struct fd_waiter {
	struct fd_waiter *next, *prev;
	struct as_parker *parker;
	uint32_t events;
	int err;                    /* EBADF when the fd was closed under us */
	bool linked;
};

/* What a task's last socket read on this worker learnt about an fd (hints,
 * below): a guess, which only ever costs time when wrong. */
#define HINT_DRAINED 1u     /* a short read emptied its queue */
#define HINT_TYPE_KNOWN 2u  /* HINT_STREAM is valid */
#define HINT_STREAM 4u      /* SOCK_STREAM: a short read means drained */

struct as_reactor {
	int epfd;
	int evfd;
	struct fd_waiter **slots;   /* per fd: list of waiters */
	uint8_t *hints;             /* per fd: HINT_* */
	size_t nslots;
	struct epoll_event ev[EVENTS_PER_POLL];
};

int as__epoll_reactor_init(struct as_worker *w)
{
	struct as_reactor *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0)
		goto out_free;
	r->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->evfd < 0)
		goto out_close_ep;
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = NOTIFY_TOKEN };
	if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->evfd, &ev) < 0)
		goto out_close_ev;
	w->reactor = r;
	return 0;

out_close_ev:
	close(r->evfd);
out_close_ep:
	close(r->epfd);
out_free:;
	int e = errno;
	free(r);
	return -e;
}

void as__epoll_reactor_notify(struct as_worker *w)
{
	uint64_t one = 1;
	ssize_t unused = write(w->reactor->evfd, &one, sizeof one);
	(void)unused; /* EAGAIN: the counter is already non-zero, it will wake */
}

static void unlink_waiter(struct as_reactor *r, int fd, struct fd_waiter *wt)
{
	if (!wt->linked)
		return;
	if (wt->prev)
		wt->prev->next = wt->next;
	else
		r->slots[fd] = wt->next;
	if (wt->next)
		wt->next->prev = wt->prev;
	wt->linked = false;
}

static uint32_t slot_events(struct as_reactor *r, int fd)
{
	uint32_t ev = 0;
	for (struct fd_waiter *wt = r->slots[fd]; wt; wt = wt->next)
		ev |= wt->events;
	return ev;
}

/* Arms fd for the events its waiters want; -errno on failure. */
static int arm(struct as_reactor *r, int fd)
{
	struct epoll_event ev = {
		.events = slot_events(r, fd) | EPOLLONESHOT,
		.data.u64 = (uint64_t)fd,
	};
	if (epoll_ctl(r->epfd, EPOLL_CTL_MOD, fd, &ev) == 0)
		return 0;
	if (errno == ENOENT && epoll_ctl(r->epfd, EPOLL_CTL_ADD, fd, &ev) == 0)
		return 0;
	return -errno;
}

static void dispatch(struct as_reactor *r, int fd, uint32_t revents)
{
	if (fd < 0 || (size_t)fd >= r->nslots)
		return;
	struct fd_waiter *wt = r->slots[fd];
	while (wt) {
		struct fd_waiter *next = wt->next;
		if (revents & (wt->events | EPOLLERR | EPOLLHUP)) {
			unlink_waiter(r, fd, wt);
			as__unpark(wt->parker, AS_WAKE_EVENT);
		}
		wt = next;
	}
	/* ONESHOT disarmed the fd: re-arm it for those still waiting.  If that
	 * fails, wake them: each retries its call and meets the error itself. */
	if (r->slots[fd] && arm(r, fd) < 0) {
		wt = r->slots[fd];
		while (wt) {
			struct fd_waiter *next = wt->next;
			unlink_waiter(r, fd, wt);
			as__unpark(wt->parker, AS_WAKE_EVENT);
			wt = next;
		}
	}
}

void as__epoll_reactor_poll(struct as_worker *w, int64_t timeout_ns)
{
	struct as_reactor *r = w->reactor;
	struct timespec ts, *tsp = NULL;
	if (timeout_ns >= 0) {
		ts = as__timespec_from_ns(timeout_ns);
		tsp = &ts;
	}
	/* Kernels before 5.11 (and valgrind 3.19) lack epoll_pwait2: learnt
	 * once, so later polls cost one system call, not two. */
	static _Atomic int no_pwait2;
	int n = -1;
	if (!atomic_load_explicit(&no_pwait2, memory_order_relaxed)) {
		n = epoll_pwait2(r->epfd, r->ev, EVENTS_PER_POLL, tsp, NULL);
		if (n < 0 && errno == ENOSYS)
			atomic_store_explicit(&no_pwait2, 1, memory_order_relaxed);
	}
	if (atomic_load_explicit(&no_pwait2, memory_order_relaxed)) {
		/* Millisecond timeouts, rounded up. */
		int ms = timeout_ns < 0 ? -1 : (int)((timeout_ns + 999999) / 1000000);
		n = epoll_wait(r->epfd, r->ev, EVENTS_PER_POLL, ms);
	}
	for (int i = 0; i < n; i++) {
		if (r->ev[i].data.u64 == NOTIFY_TOKEN) {
			uint64_t v;
			ssize_t unused = read(r->evfd, &v, sizeof v);
			(void)unused;
			continue;
		}
		dispatch(r, (int)r->ev[i].data.u64, r->ev[i].events);
	}
}

void as__epoll_reactor_close_fd(struct as_worker *w, int fd)
{
	struct as_reactor *r = w->reactor;
	if (fd < 0 || (size_t)fd >= r->nslots)
		return;
	r->hints[fd] = 0;
	if (!r->slots[fd])
		return;
	struct fd_waiter *wt = r->slots[fd];
	while (wt) {
		struct fd_waiter *next = wt->next;
		unlink_waiter(r, fd, wt);
		wt->err = EBADF;
		as__unpark(wt->parker, AS_WAKE_EVENT);
		wt = next;
	}
	epoll_ctl(r->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static int grow_slots(struct as_reactor *r, int fd)
{
	size_t n = r->nslots ? r->nslots : 256;
	while (n <= (size_t)fd)
		n *= 2;
	struct fd_waiter **s = realloc(r->slots, n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memset(s + r->nslots, 0, (n - r->nslots) * sizeof(*s));
	r->slots = s;
	uint8_t *h = realloc(r->hints, n);
	if (!h)
		return -ENOMEM; /* slots grew, nslots did not: still consistent */
	memset(h + r->nslots, 0, n - r->nslots);
	r->hints = h;
	r->nslots = n;
	return 0;
}

/* ---- read hints: no read that is known to say EAGAIN ---------------------
 * A read of a stream socket that returns less than it asked for emptied the
 * socket's queue at that moment, so the task's next read would most likely
 * fail with EAGAIN (a request-response connection: the peer waits for our
 * answer first).  That read waits for readiness first instead, one system
 * call fewer per request; when the guess is wrong, arming reports the data
 * that is already there and the wait ends at the worker's next poll.  The
 * hint is per worker and per fd number, reset by this worker's accept,
 * socket and close of the number; a stale one (the number reused past
 * another worker or outside the ABI) only costs that poll. */
static struct as_reactor *task_reactor(void)
{
	struct as_task *t = as__current();
	return t ? t->worker->reactor : NULL;
}

bool as__epoll_read_drained(int fd)
{
	struct as_reactor *r = task_reactor();
	return r && fd >= 0 && (size_t)fd < r->nslots && (r->hints[fd] & HINT_DRAINED);
}

void as__epoll_read_note(int fd, size_t asked, ssize_t got)
{
	struct as_reactor *r = task_reactor();
	if (!r || fd < 0)
		return;
	if ((size_t)fd >= r->nslots) {
		if (got <= 0 || (size_t)got >= asked || grow_slots(r, fd) < 0)
			return;
	}
	uint8_t h = r->hints[fd];
	if (got <= 0 || (size_t)got >= asked) {
		r->hints[fd] = h & (uint8_t)~HINT_DRAINED;
		return;
	}
	if (!(h & HINT_TYPE_KNOWN)) {
		/* Once per fd: a datagram shorter than the buffer says nothing
		 * about the next one. */
		int type = 0;
		socklen_t len = sizeof type;
		h |= HINT_TYPE_KNOWN;
		if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 && type == SOCK_STREAM)
			h |= HINT_STREAM;
	}
	if (h & HINT_STREAM)
		h |= HINT_DRAINED;
	r->hints[fd] = h;
}

void as__epoll_fd_new(int fd)
{
	struct as_reactor *r = task_reactor();
	if (r && fd >= 0 && (size_t)fd < r->nslots)
		r->hints[fd] = 0;
}

/* A plain thread waits with poll(2), still honouring its deadline. */
static int wait_thread(int fd, uint32_t events)
{
	for (;;) {
		int64_t d = as__deadline();
		int ms = -1;
		if (d >= 0) {
			int64_t left = d - as__now();
			if (left <= 0)
				return -ETIMEDOUT;
			ms = (int)((left + 999999) / 1000000);
		}
		struct pollfd p = { .fd = fd, .events = (short)events };
		int n = poll(&p, 1, ms);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n > 0)
			return (p.revents & POLLNVAL) ? -EBADF : 0;
	}
}

int as__fd_wait(int fd, uint32_t events)
{
	struct as_task *t = as__current();
	if (!t)
		return wait_thread(fd, events);
	int ret = as__check_interrupt();
	if (ret < 0)
		return ret;
	if (fd < 0)
		return -EBADF;

	struct as_reactor *r = t->worker->reactor;
	if ((size_t)fd >= r->nslots && (ret = grow_slots(r, fd)) < 0)
		return ret;
	struct fd_waiter wt = {
		.next = r->slots[fd],
		.parker = &t->parker,
		.events = events,
		.linked = true,
	};
	if (wt.next)
		wt.next->prev = &wt;
	r->slots[fd] = &wt;

	/* Counted before arming: a close that starts after we armed must see
	 * us and send its note, or we would sleep on a dead registration. */
	as__fd_waiting_add(fd, 1);
	ret = arm(r, fd);
	if (ret < 0) {
		unlink_waiter(r, fd, &wt);
		as__fd_waiting_add(fd, -1);
		/* -EPERM: epoll cannot watch it (a regular file, /dev/null):
		 * the caller decides what that means for its call. */
		return ret;
	}
	ret = as__park_prepare(true);
	if (ret == 0)
		ret = as__park_wait(as__deadline());
	unlink_waiter(r, fd, &wt);
	as__fd_waiting_add(fd, -1);
	if (ret == 0 && wt.err)
		ret = -wt.err;
	return ret;
}

#ifdef AS_RUNTIME_DEFAULT
/* The default runtime's reactor (reactor.h) is this one: aliases, which must
 * be in the file that defines their targets. */
int as__reactor_init(struct as_worker *w) __attribute__((alias("as__epoll_reactor_init")));
void as__reactor_notify(struct as_worker *w) __attribute__((alias("as__epoll_reactor_notify")));
void as__reactor_poll(struct as_worker *w, int64_t timeout_ns)
	__attribute__((alias("as__epoll_reactor_poll")));
void as__reactor_close_fd(struct as_worker *w, int fd)
	__attribute__((alias("as__epoll_reactor_close_fd")));
#endif
