/* SPDX-License-Identifier: MIT */
/*
 * sync_chan.c - bounded channels with close, and select over several of them
 * (sync.h has the waiting protocol).
 *
 * A channel is a ring buffer plus a FIFO queue of waiting senders and one of
 * waiting receivers, all under one spin lock.  Elements go straight from a
 * sender to a waiting receiver (and from a waiting sender into the slot a
 * receiver freed), so capacity 0 is a rendezvous and the queues are served
 * in order.  Receivers wait only while the buffer is empty, senders only
 * while it is full.
 */
#include <stdlib.h>
#include <string.h>

#include "sync.h"

#define SELECT_MAX 65536u
/* Selects over at most this many operations need no allocation. */
#define SELECT_STACK 8u

struct async_std_chan {
	as_spin lock;
	bool closed;
	unsigned nwait;
	size_t elem_size, cap;
	size_t head, count;         /* ring buffer: oldest element, how many */
	struct as_wq sendq, recvq;
	unsigned char buf[];        /* cap * elem_size */
};

async_std_chan *as__chan_create(size_t elem_size, size_t capacity)
{
	size_t bytes;
	if (__builtin_mul_overflow(elem_size, capacity, &bytes) ||
	    bytes > SIZE_MAX - sizeof(async_std_chan)) {
		errno = EINVAL;
		return NULL;
	}
	async_std_chan *ch = as__sync_alloc(sizeof *ch + bytes);
	if (!ch)
		return NULL;
	ch->elem_size = elem_size;
	ch->cap = capacity;
	return ch;
}

/* The i-th buffered element (i < cap); no division on the hot path. */
static inline unsigned char *slot(async_std_chan *ch, size_t i)
{
	size_t j = ch->head + i;
	if (j >= ch->cap)
		j -= ch->cap;
	return ch->buf + j * ch->elem_size;
}

/* Copies one element: fixed sizes compile to plain moves, and elements of 0
 * bytes may come with NULL pointers. */
static inline void elem_copy(const async_std_chan *ch, void *dst, const void *src)
{
	switch (ch->elem_size) {
	case 0:
		return;
	case 4:
		memcpy(dst, src, 4);
		return;
	case 8:
		memcpy(dst, src, 8);
		return;
	case 16:
		memcpy(dst, src, 16);
		return;
	default:
		memcpy(dst, src, ch->elem_size);
	}
}

/* Under ch->lock: sends elem if that needs no wait.  0, -EPIPE or -EAGAIN. */
static inline __attribute__((always_inline)) int send_locked(async_std_chan *ch, const void *elem)
{
	if (ch->closed)
		return -EPIPE;
	/* A receiver waits only while the buffer is empty: hand it over. */
	struct as_waiter *w = as__wq_claim(&ch->recvq);
	if (w) {
		elem_copy(ch, w->elem, elem);
		ch->nwait--;
		as__wait_finish(w, 0);
		return 0;
	}
	if (ch->count < ch->cap) {
		elem_copy(ch, slot(ch, ch->count), elem);
		ch->count++;
		return 0;
	}
	return -EAGAIN;
}

/* Under ch->lock: receives into elem if that needs no wait.  0, -EPIPE or
 * -EAGAIN. */
static inline __attribute__((always_inline)) int recv_locked(async_std_chan *ch, void *elem)
{
	struct as_waiter *w;
	if (ch->count) {
		elem_copy(ch, elem, slot(ch, 0));
		if (++ch->head == ch->cap)
			ch->head = 0;
		ch->count--;
		/* The freed slot goes to the first waiting sender, in order. */
		w = as__wq_claim(&ch->sendq);
		if (w) {
			elem_copy(ch, slot(ch, ch->count), w->elem);
			ch->count++;
			ch->nwait--;
			as__wait_finish(w, 0);
		}
		return 0;
	}
	w = as__wq_claim(&ch->sendq);
	if (w) {
		elem_copy(ch, elem, w->elem);
		ch->nwait--;
		as__wait_finish(w, 0);
		return 0;
	}
	return ch->closed ? -EPIPE : -EAGAIN;
}

static inline __attribute__((always_inline)) int op_locked(async_std_chan *ch, int op,
								void *elem)
{
	return op == ASYNC_STD_CHAN_SEND ? send_locked(ch, elem) : recv_locked(ch, elem);
}

/* send or recv, waiting if need be; inlined into both, the hot path. */
static inline __attribute__((always_inline)) int chan_op(async_std_chan *ch, int op, void *elem)
{
	if (AS_UNLIKELY(!ch))
		return -EINVAL;
	struct as_task *me = as__current();
	int r = as__sync_interrupt(me);
	if (AS_UNLIKELY(r < 0))
		return r;
	as__spin_lock(&ch->lock);
	r = op_locked(ch, op, elem);
	if (r != -EAGAIN) {
		as__spin_unlock(&ch->lock);
		return r;
	}
	r = as__park_prepare(true);
	if (AS_UNLIKELY(r < 0)) {
		as__spin_unlock(&ch->lock);
		return r;
	}
	/* Only what the protocol reads before a claimer writes it. */
	struct as_wait wt;
	struct as_waiter node;
	wt.parker = as__sync_parker(me);
	atomic_init(&wt.done, 0);
	node.wait = &wt;
	node.elem = elem;
	node.index = 0;
	bool send = op == ASYNC_STD_CHAN_SEND;
	r = as__sync_block(me, &ch->lock, &ch->nwait, send ? &ch->sendq : &ch->recvq, &node,
			   true, send ? "chan_send" : "chan_recv");
	if (r == 0)
		return wt.status;
	as__spin_unlock(&ch->lock);
	return r;
}

int as__chan_send(async_std_chan *ch, const void *elem)
{
	return (int)as__ret(chan_op(ch, ASYNC_STD_CHAN_SEND, (void *)elem));
}

int as__chan_recv(async_std_chan *ch, void *elem)
{
	return (int)as__ret(chan_op(ch, ASYNC_STD_CHAN_RECV, elem));
}

static int chan_try(async_std_chan *ch, int op, void *elem)
{
	if (!ch)
		return -EINVAL;
	as__spin_lock(&ch->lock);
	int r = op_locked(ch, op, elem);
	as__spin_unlock(&ch->lock);
	return r;
}

int as__chan_try_send(async_std_chan *ch, const void *elem)
{
	return (int)as__ret(chan_try(ch, ASYNC_STD_CHAN_SEND, (void *)elem));
}

int as__chan_try_recv(async_std_chan *ch, void *elem)
{
	return (int)as__ret(chan_try(ch, ASYNC_STD_CHAN_RECV, elem));
}

int as__chan_close(async_std_chan *ch)
{
	if (!ch)
		return (int)as__ret(-EINVAL);
	as__spin_lock(&ch->lock);
	if (ch->closed) {
		as__spin_unlock(&ch->lock);
		return (int)as__ret(-EPIPE);
	}
	ch->closed = true;
	/* Waiting receivers: the buffer is empty.  Waiting senders: their
	 * elements are not sent. */
	struct as_waiter *w;
	while ((w = as__wq_claim(&ch->recvq)) != NULL) {
		ch->nwait--;
		as__wait_finish(w, -EPIPE);
	}
	while ((w = as__wq_claim(&ch->sendq)) != NULL) {
		ch->nwait--;
		as__wait_finish(w, -EPIPE);
	}
	as__spin_unlock(&ch->lock);
	return 0;
}

int as__chan_destroy(async_std_chan *ch)
{
	return ch ? as__sync_free_idle(ch, &ch->lock, &ch->nwait) : (int)as__ret(-EINVAL);
}

/* ---- select ------------------------------------------------------------- */

/* A per-thread xorshift generator: select's scan order. */
static __thread uint64_t rng_state __attribute__((tls_model("initial-exec")));

static uint32_t rng_next(void)
{
	uint64_t x = rng_state;
	if (AS_UNLIKELY(!x))
		x = ((uint64_t)(uintptr_t)&rng_state ^ (uint64_t)as__now()) | 1;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rng_state = x;
	return (uint32_t)(x >> 32);
}

static size_t gcd(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* A random permutation of 0..n-1 as start + k * stride (mod n), stride
 * coprime with n: when several operations are ready, each is equally likely
 * to come first in the scan, so no channel starves. */
struct scan_order {
	size_t start, stride, n;
};

static void scan_order_init(struct scan_order *o, size_t n)
{
	o->n = n;
	o->start = rng_next() % n;
	o->stride = 1;
	if (n > 2) {
		for (int tries = 0; tries < 8; tries++) {
			size_t s = 1 + rng_next() % (n - 1);
			if (gcd(s, n) == 1) {
				o->stride = s;
				break;
			}
		}
	}
}

static inline size_t scan_at(const struct scan_order *o, size_t k)
{
	return (o->start + k * o->stride) % o->n;
}

static int cmp_chan(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (async_std_chan *const *)a;
	uintptr_t y = (uintptr_t) * (async_std_chan *const *)b;
	return x < y ? -1 : x > y;
}

/* Locks every distinct channel in address order, the one order every
 * multi-channel locker uses, so two selects cannot deadlock. */
static size_t lock_all(async_std_chan **chans, const async_std_chan_op *ops, size_t n)
{
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (ops[i].chan)
			chans[m++] = ops[i].chan;
	qsort(chans, m, sizeof *chans, cmp_chan);
	size_t u = 0;
	for (size_t i = 0; i < m; i++)
		if (u == 0 || chans[u - 1] != chans[i])
			chans[u++] = chans[i];
	for (size_t i = 0; i < u; i++)
		as__spin_lock(&chans[i]->lock);
	return u;
}

static void unlock_all(async_std_chan **chans, size_t u)
{
	for (size_t i = 0; i < u; i++)
		as__spin_unlock(&chans[i]->lock);
}

/* Tries ops in scan order, each under its own lock.  The index performed,
 * or -EAGAIN. */
static long try_each(async_std_chan_op *ops, const struct scan_order *o, bool locked)
{
	for (size_t k = 0; k < o->n; k++) {
		size_t i = scan_at(o, k);
		async_std_chan *ch = ops[i].chan;
		if (!ch)
			continue;
		if (!locked)
			as__spin_lock(&ch->lock);
		int r = op_locked(ch, ops[i].op, ops[i].elem);
		if (!locked)
			as__spin_unlock(&ch->lock);
		if (r != -EAGAIN) {
			ops[i].err = -r;
			return (long)i;
		}
	}
	return -EAGAIN;
}

static long select_wait(async_std_chan_op *ops, size_t n, const struct scan_order *o,
			async_std_chan **chans, struct as_waiter *nodes)
{
	/* Everything under all the locks: nobody can claim us before every
	 * registration is in place, and nothing became ready unnoticed. */
	size_t u = lock_all(chans, ops, n);
	long r = try_each(ops, o, true);
	if (r != -EAGAIN) {
		unlock_all(chans, u);
		return r;
	}
	r = as__park_prepare(true);
	if (r < 0) {
		unlock_all(chans, u);
		return r;
	}
	struct as_task *me = as__current();
	struct as_wait wt = { .parker = as__sync_parker(me) };
	for (size_t i = 0; i < n; i++) {
		async_std_chan *ch = ops[i].chan;
		nodes[i] = (struct as_waiter){ .wait = &wt, .elem = ops[i].elem, .index = i };
		if (!ch)
			continue;
		as__wq_push(ops[i].op == ASYNC_STD_CHAN_SEND ? &ch->sendq : &ch->recvq, &nodes[i]);
		ch->nwait++;
	}
	unlock_all(chans, u);

	if (me)
		me->wait_reason = "chan_select";
	int pr = as__park_wait(as__deadline());
	if (me)
		me->wait_reason = NULL;
	size_t fired = SIZE_MAX;
	if (pr == 0) {
		as__wait_settle(&wt);
		fired = wt.fired;
		ops[fired].err = -wt.status;
	}
	/* Leave every other queue; the claimer of `fired` took it off its
	 * queue and out of its channel's count. */
	for (size_t i = 0; i < n; i++) {
		async_std_chan *ch = ops[i].chan;
		if (!ch || i == fired)
			continue;
		as__spin_lock(&ch->lock);
		if (nodes[i].queued)
			as__wq_remove(ops[i].op == ASYNC_STD_CHAN_SEND ? &ch->sendq : &ch->recvq,
				      &nodes[i]);
		ch->nwait--;
		as__spin_unlock(&ch->lock);
	}
	return pr < 0 ? pr : (long)fired;
}

static long chan_select(async_std_chan_op *ops, size_t n)
{
	if (!ops || n == 0 || n > SELECT_MAX)
		return -EINVAL;
	size_t nchan = 0;
	for (size_t i = 0; i < n; i++) {
		if (ops[i].op != ASYNC_STD_CHAN_SEND && ops[i].op != ASYNC_STD_CHAN_RECV)
			return -EINVAL;
		nchan += ops[i].chan != NULL;
	}
	if (!nchan)
		return -EINVAL;
	int ir = as__check_interrupt();
	if (ir < 0)
		return ir;
	struct scan_order o;
	scan_order_init(&o, n);
	/* First without registering anywhere, one lock at a time: cheap when
	 * something is ready, which is the common case. */
	long r = try_each(ops, &o, false);
	if (r != -EAGAIN)
		return r;

	async_std_chan *chans_small[SELECT_STACK];
	struct as_waiter nodes_small[SELECT_STACK];
	async_std_chan **chans = chans_small;
	struct as_waiter *nodes = nodes_small;
	if (n > SELECT_STACK) {
		chans = malloc(n * sizeof *chans);
		nodes = malloc(n * sizeof *nodes);
		if (!chans || !nodes) {
			free(chans);
			free(nodes);
			return -ENOMEM;
		}
	}
	r = select_wait(ops, n, &o, chans, nodes);
	if (n > SELECT_STACK) {
		free(chans);
		free(nodes);
	}
	return r;
}

int as__chan_select(async_std_chan_op *ops, size_t n)
{
	return (int)as__ret(chan_select(ops, n));
}
