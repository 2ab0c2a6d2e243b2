/* SPDX-License-Identifier: MIT */
/*
 * sync_chan.c - channels and select: order, capacity 0, close, try-calls,
 * destroy while in use, exact counts under many producers and consumers on
 * every worker, plain threads, select's exactly-one and fairness.
 * (Deadlines and cancellation of every sync wait: sync_waits.c.)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "conformance.h"

static const async_std_spawn_attr local_attr = {
	.size = sizeof(async_std_spawn_attr), .flags = ASYNC_STD_SPAWN_LOCAL,
};

/* ---- basics ----------------------------------------------------------------- */

CT_TEST(chan_buffered_keeps_FIFO_order_and_try_calls_give_EAGAIN)
{
	async_std_chan *ch = async_std_chan_create(sizeof(int), 3);
	CHECK(ch != NULL);
	int v = -1;
	CHECK_ERRNO(async_std_chan_try_recv(ch, &v), EAGAIN);
	for (int i = 0; i < 3; i++)
		CHECK_OK(async_std_chan_send(ch, &i));
	int x = 99;
	CHECK_ERRNO(async_std_chan_try_send(ch, &x), EAGAIN);
	for (int i = 0; i < 3; i++) {
		CHECK_OK(async_std_chan_recv(ch, &v));
		CHECK_INT(v, ==, i);
	}
	CHECK_ERRNO(async_std_chan_try_recv(ch, &v), EAGAIN);
	CHECK_OK(async_std_chan_try_send(ch, &x));
	CHECK_OK(async_std_chan_try_recv(ch, &v));
	CHECK_INT(v, ==, 99);
	CHECK_OK(async_std_chan_destroy(ch));
	return NULL;
}

struct rv {
	async_std_chan *ch;
	atomic_int started, sent;
	int value, err;
};

static void *rv_sender(void *p)
{
	struct rv *r = p;
	atomic_store(&r->started, 1);
	r->err = async_std_chan_send(r->ch, &r->value) == 0 ? 0 : errno;
	atomic_store(&r->sent, 1);
	return NULL;
}

static void *rv_receiver(void *p)
{
	struct rv *r = p;
	atomic_store(&r->started, 1);
	r->err = async_std_chan_recv(r->ch, &r->value) == 0 ? 0 : errno;
	atomic_store(&r->sent, 1);
	return NULL;
}

/* Spawns fn(r) and waits until it is about to call into the channel. */
static void *rv_start(async_std_task **t, async_std_fn fn, struct rv *r)
{
	*t = async_std_spawn_ex(fn, r, &local_attr);
	CHECK(*t != NULL);
	while (!atomic_load(&r->started))
		async_std_yield();
	return NULL;
}

CT_TEST(chan_rendezvous_send_completes_only_when_a_receiver_takes_it)
{
	struct rv *r = ct_alloc(sizeof *r);
	CHECK((r->ch = async_std_chan_create(sizeof(int), 0)) != NULL);
	r->value = 42;
	CHECK_ERRNO(async_std_chan_try_send(r->ch, &r->value), EAGAIN);
	async_std_task *t;
	if (rv_start(&t, rv_sender, r))
		return CT_FAIL;
	CHECK_INT(atomic_load(&r->sent), ==, 0); /* blocked: nobody received */
	int v = 0;
	CHECK_OK(async_std_chan_recv(r->ch, &v));
	CHECK_INT(v, ==, 42);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_ERR_VALUE(r->err, 0);
	CHECK_ERRNO(async_std_chan_try_recv(r->ch, &v), EAGAIN);
	CHECK_OK(async_std_chan_destroy(r->ch));
	return NULL;
}

CT_TEST(chan_rendezvous_try_send_succeeds_when_a_receiver_waits)
{
	struct rv *r = ct_alloc(sizeof *r);
	CHECK((r->ch = async_std_chan_create(sizeof(int), 0)) != NULL);
	async_std_task *t;
	if (rv_start(&t, rv_receiver, r))
		return CT_FAIL;
	int v = 7;
	CHECK_OK(async_std_chan_try_send(r->ch, &v));
	CHECK_OK(async_std_join(t, NULL));
	CHECK_ERR_VALUE(r->err, 0);
	CHECK_INT(r->value, ==, 7);
	CHECK_OK(async_std_chan_destroy(r->ch));
	return NULL;
}

CT_TEST(chan_close_fails_sends_with_EPIPE_and_recv_drains_then_EPIPE)
{
	async_std_chan *ch = async_std_chan_create(sizeof(int), 4);
	CHECK(ch != NULL);
	for (int i = 0; i < 2; i++)
		CHECK_OK(async_std_chan_send(ch, &i));
	CHECK_OK(async_std_chan_close(ch));
	int v = 5;
	CHECK_ERRNO(async_std_chan_send(ch, &v), EPIPE);
	CHECK_ERRNO(async_std_chan_try_send(ch, &v), EPIPE);
	for (int i = 0; i < 2; i++) {
		CHECK_OK(async_std_chan_recv(ch, &v));
		CHECK_INT(v, ==, i);
	}
	CHECK_ERRNO(async_std_chan_recv(ch, &v), EPIPE);
	CHECK_ERRNO(async_std_chan_try_recv(ch, &v), EPIPE);
	CHECK_ERRNO(async_std_chan_close(ch), EPIPE);
	CHECK_OK(async_std_chan_destroy(ch));
	return NULL;
}

CT_TEST(chan_close_wakes_a_blocked_receiver_and_a_blocked_sender_with_EPIPE)
{
	struct rv *rx = ct_alloc(sizeof *rx), *tx = ct_alloc(sizeof *tx);
	async_std_chan *empty = async_std_chan_create(sizeof(int), 1);
	async_std_chan *full = async_std_chan_create(sizeof(int), 1);
	CHECK(empty && full);
	int one = 1;
	CHECK_OK(async_std_chan_send(full, &one));
	rx->ch = empty;
	tx->ch = full;
	async_std_task *a = async_std_spawn(rv_receiver, rx);
	async_std_task *b = async_std_spawn(rv_sender, tx);
	CHECK(a && b);
	CHECK_OK(ct_wait_flag(&rx->started, 1));
	CHECK_OK(ct_wait_flag(&tx->started, 1));
	ct_let_block();
	CHECK_OK(async_std_chan_close(empty));
	CHECK_OK(async_std_chan_close(full));
	CHECK_OK(async_std_join(a, NULL));
	CHECK_OK(async_std_join(b, NULL));
	CHECK_ERR_VALUE(rx->err, EPIPE);
	CHECK_ERR_VALUE(tx->err, EPIPE);
	/* The buffered element survives the close. */
	int v = 0;
	CHECK_OK(async_std_chan_recv(full, &v));
	CHECK_INT(v, ==, 1);
	CHECK_OK(async_std_chan_destroy(empty));
	CHECK_OK(async_std_chan_destroy(full));
	return NULL;
}

CT_TEST(chan_destroy_with_a_waiter_gives_EBUSY_and_with_buffered_elements_succeeds)
{
	struct rv *r = ct_alloc(sizeof *r);
	CHECK((r->ch = async_std_chan_create(sizeof(int), 1)) != NULL);
	async_std_task *t;
	if (rv_start(&t, rv_receiver, r))
		return CT_FAIL;
	CHECK_ERRNO(async_std_chan_destroy(r->ch), EBUSY);
	int v = 3;
	CHECK_OK(async_std_chan_send(r->ch, &v));
	CHECK_OK(async_std_join(t, NULL));
	CHECK_INT(r->value, ==, 3);
	CHECK_OK(async_std_chan_send(r->ch, &v)); /* left in the buffer */
	CHECK_OK(async_std_chan_destroy(r->ch));
	return NULL;
}

CT_TEST(chan_create_with_an_overflowing_size_gives_EINVAL)
{
	CHECK_NULL_ERRNO(async_std_chan_create(SIZE_MAX / 2, 3), EINVAL);
	CHECK_NULL_ERRNO(async_std_chan_create(SIZE_MAX, SIZE_MAX), EINVAL);
	return NULL;
}

CT_TEST(chan_of_zero_sized_elements_counts_events)
{
	async_std_chan *ch = async_std_chan_create(0, 2);
	CHECK(ch != NULL);
	CHECK_OK(async_std_chan_send(ch, NULL));
	CHECK_OK(async_std_chan_send(ch, NULL));
	CHECK_ERRNO(async_std_chan_try_send(ch, NULL), EAGAIN);
	CHECK_OK(async_std_chan_recv(ch, NULL));
	CHECK_OK(async_std_chan_recv(ch, NULL));
	CHECK_ERRNO(async_std_chan_try_recv(ch, NULL), EAGAIN);
	CHECK_OK(async_std_chan_destroy(ch));
	return NULL;
}

/* ---- FIFO ------------------------------------------------------------------- */

#define NFIFO 16

struct fifo {
	async_std_chan *ch;
	atomic_int tickets;
	int got[NFIFO];     /* by ticket: what that waiter received */
};

static void *fifo_receiver(void *p)
{
	struct fifo *f = p;
	int ticket = atomic_fetch_add(&f->tickets, 1);
	CHECK_OK(async_std_chan_recv(f->ch, &f->got[ticket]));
	return NULL;
}

static void *fifo_sender(void *p)
{
	struct fifo *f = p;
	int ticket = atomic_fetch_add(&f->tickets, 1);
	CHECK_OK(async_std_chan_send(f->ch, &ticket));
	return NULL;
}

static void *line_up(async_std_task **t, int n, async_std_fn fn, struct fifo *f)
{
	for (int i = 0; i < n; i++)
		CHECK((t[i] = async_std_spawn_ex(fn, f, &local_attr)) != NULL);
	while (atomic_load(&f->tickets) < n)
		async_std_yield();
	return NULL;
}

CT_TEST(chan_blocked_receivers_are_served_in_FIFO_order)
{
	struct fifo *f = ct_alloc(sizeof *f);
	async_std_task *t[NFIFO];
	CHECK((f->ch = async_std_chan_create(sizeof(int), 2)) != NULL);
	if (line_up(t, NFIFO, fifo_receiver, f))
		return CT_FAIL;
	for (int i = 0; i < NFIFO; i++)
		CHECK_OK(async_std_chan_send(f->ch, &i));
	for (int i = 0; i < NFIFO; i++)
		CHECK_OK(async_std_join(t[i], NULL));
	for (int i = 0; i < NFIFO; i++)
		CHECK_INT(f->got[i], ==, i);
	CHECK_OK(async_std_chan_destroy(f->ch));
	return NULL;
}

CT_TEST(chan_senders_blocked_on_a_full_buffer_are_served_in_FIFO_order)
{
	struct fifo *f = ct_alloc(sizeof *f);
	async_std_task *t[NFIFO];
	CHECK((f->ch = async_std_chan_create(sizeof(int), 1)) != NULL);
	int first = -1;
	CHECK_OK(async_std_chan_send(f->ch, &first));
	if (line_up(t, NFIFO, fifo_sender, f))
		return CT_FAIL;
	int v;
	CHECK_OK(async_std_chan_recv(f->ch, &v));
	CHECK_INT(v, ==, -1);
	for (int i = 0; i < NFIFO; i++) {
		CHECK_OK(async_std_chan_recv(f->ch, &v));
		CHECK_INT(v, ==, i);
	}
	for (int i = 0; i < NFIFO; i++)
		CHECK_OK(async_std_join(t[i], NULL));
	CHECK_OK(async_std_chan_destroy(f->ch));
	return NULL;
}

/* ---- many producers and consumers ------------------------------------------- */

enum { NPROD = 8, NCONS = 8, PER_PRODUCER = 5000 };

struct mpmc {
	async_std_chan *ch;
	atomic_int next_producer;
	atomic_uchar seen[NPROD * PER_PRODUCER];
	atomic_long received;
};

static void *mpmc_producer(void *p)
{
	struct mpmc *m = p;
	int id = atomic_fetch_add(&m->next_producer, 1);
	for (int i = 0; i < PER_PRODUCER; i++) {
		int v = id * PER_PRODUCER + i;
		CHECK_OK(async_std_chan_send(m->ch, &v));
	}
	return NULL;
}

static void *mpmc_consumer(void *p)
{
	struct mpmc *m = p;
	int v;
	while (async_std_chan_recv(m->ch, &v) == 0) {
		CHECK(v >= 0 && v < NPROD * PER_PRODUCER);
		atomic_fetch_add(&m->seen[v], 1);
		atomic_fetch_add(&m->received, 1);
	}
	CHECK_ERR_VALUE(errno, EPIPE);
	return NULL;
}

struct spread {
	async_std_task **t;
	int n;
	async_std_fn fn;
	void *arg;
};

/* SPAWN_LOCAL from a plain thread: the tasks land on the workers
 * round-robin, so producers and consumers run on every worker. */
static void *spawn_spread(void *p)
{
	struct spread *s = p;
	for (int i = 0; i < s->n; i++)
		CHECK((s->t[i] = async_std_spawn_ex(s->fn, s->arg, &local_attr)) != NULL);
	return NULL;
}

static void *mpmc_run(size_t capacity)
{
	struct mpmc *m = ct_alloc(sizeof *m);
	CHECK((m->ch = async_std_chan_create(sizeof(int), capacity)) != NULL);
	async_std_task *prod[NPROD], *cons[NCONS];
	struct spread *sp = ct_alloc(2 * sizeof *sp);
	sp[0] = (struct spread){ cons, NCONS, mpmc_consumer, m };
	sp[1] = (struct spread){ prod, NPROD, mpmc_producer, m };
	if (ct_in_plain_thread(spawn_spread, &sp[0]) || ct_in_plain_thread(spawn_spread, &sp[1]))
		return CT_FAIL;
	for (int i = 0; i < NPROD; i++)
		CHECK_OK(async_std_join(prod[i], NULL));
	CHECK_OK(async_std_chan_close(m->ch));
	for (int i = 0; i < NCONS; i++)
		CHECK_OK(async_std_join(cons[i], NULL));
	CHECK_INT(atomic_load(&m->received), ==, NPROD * PER_PRODUCER);
	for (int v = 0; v < NPROD * PER_PRODUCER; v++)
		CHECK_MSG(atomic_load(&m->seen[v]) == 1, "value %d received %d times", v,
			  (int)atomic_load(&m->seen[v]));
	CHECK_OK(async_std_chan_destroy(m->ch));
	return NULL;
}

CT_TEST(chan_8_producers_8_consumers_buffered_every_value_exactly_once)
{
	return mpmc_run(16);
}

CT_TEST(chan_8_producers_8_consumers_rendezvous_every_value_exactly_once)
{
	return mpmc_run(0);
}

/* ---- plain threads ------------------------------------------------------------ */

struct feed {
	async_std_chan *ch;
	int n;
	atomic_int ready;
	int got;
};

static void *feeder(void *p)
{
	struct feed *f = p;
	for (int i = 0; i < f->n; i++)
		CHECK_OK(async_std_chan_send(f->ch, &i));
	CHECK_OK(async_std_chan_close(f->ch));
	return NULL;
}

CT_TEST(plain_thread_feeds_a_task_through_a_rendezvous_channel)
{
	struct feed *f = ct_alloc(sizeof *f);
	f->n = 20000;
	CHECK((f->ch = async_std_chan_create(sizeof(int), 0)) != NULL);
	pthread_t th;
	CHECK(pthread_create(&th, NULL, feeder, f) == 0);
	int v;
	for (int i = 0; i < f->n; i++) {
		CHECK_OK(async_std_chan_recv(f->ch, &v));
		CHECK_INT(v, ==, i);
	}
	CHECK_ERRNO(async_std_chan_recv(f->ch, &v), EPIPE);
	pthread_join(th, NULL);
	CHECK_OK(async_std_chan_destroy(f->ch));
	return NULL;
}

static void *plain_receiver(void *p)
{
	struct feed *f = p;
	atomic_store(&f->ready, 1);
	CHECK_OK(async_std_chan_recv(f->ch, &f->got));
	return NULL;
}

CT_TEST(plain_thread_blocked_in_recv_is_woken_by_a_task_send)
{
	struct feed *f = ct_alloc(sizeof *f);
	CHECK((f->ch = async_std_chan_create(sizeof(int), 0)) != NULL);
	pthread_t th;
	CHECK(pthread_create(&th, NULL, plain_receiver, f) == 0);
	CHECK_OK(ct_wait_flag(&f->ready, 1));
	int v = 1234;
	CHECK_OK(async_std_chan_send(f->ch, &v)); /* waits for the thread */
	pthread_join(th, NULL);
	CHECK_INT(f->got, ==, 1234);
	CHECK_OK(async_std_chan_destroy(f->ch));
	return NULL;
}

/* ---- select ------------------------------------------------------------------ */

CT_TEST(select_performs_exactly_one_of_several_ready_operations)
{
	async_std_chan *a = async_std_chan_create(sizeof(int), 1);
	async_std_chan *b = async_std_chan_create(sizeof(int), 1);
	async_std_chan *c = async_std_chan_create(sizeof(int), 1);
	CHECK(a && b && c);
	int one = 1, two = 2, out = 3;
	CHECK_OK(async_std_chan_send(a, &one));
	CHECK_OK(async_std_chan_send(b, &two));
	int ra = 0, rb = 0;
	async_std_chan_op ops[] = {
		{ a, ASYNC_STD_CHAN_RECV, &ra, -1 },
		{ b, ASYNC_STD_CHAN_RECV, &rb, -1 },
		{ c, ASYNC_STD_CHAN_SEND, &out, -1 },
	};
	int i = async_std_chan_select(ops, 3);
	CHECK_OK(i);
	CHECK_INT(ops[i].err, ==, 0);
	int v;
	int left_a = async_std_chan_try_recv(a, &v) == 0;
	int left_b = async_std_chan_try_recv(b, &v) == 0;
	int in_c = async_std_chan_try_recv(c, &v) == 0;
	CHECK_INT(left_a + left_b + !in_c, ==, 2); /* exactly one was performed */
	CHECK_INT(left_a, ==, i != 0);
	CHECK_INT(left_b, ==, i != 1);
	CHECK_INT(in_c, ==, i == 2);
	if (i == 0)
		CHECK_INT(ra, ==, 1);
	if (i == 1)
		CHECK_INT(rb, ==, 2);
	CHECK_OK(async_std_chan_destroy(a));
	CHECK_OK(async_std_chan_destroy(b));
	CHECK_OK(async_std_chan_destroy(c));
	return NULL;
}

/* Selects `rounds` times over n channels of which `ready` (a bit mask) hold
 * elements all along, and checks that every ready one was chosen at least
 * min_share of its fair share. */
static void *fairness(int n, unsigned ready, int rounds, double min_share)
{
	async_std_chan *ch[8];
	async_std_chan_op ops[8];
	int counts[8] = { 0 };
	int nready = __builtin_popcount(ready);
	int v = 0;
	for (int i = 0; i < n; i++) {
		CHECK((ch[i] = async_std_chan_create(sizeof(int), (size_t)rounds)) != NULL);
		ops[i] = (async_std_chan_op){ ch[i], ASYNC_STD_CHAN_RECV, &v, 0 };
		if (ready & (1u << i))
			for (int k = 0; k < rounds; k++)
				CHECK_OK(async_std_chan_send(ch[i], &k));
	}
	for (int r = 0; r < rounds; r++) {
		int i = async_std_chan_select(ops, (size_t)n);
		CHECK_OK(i);
		CHECK_MSG(ready & (1u << i), "select chose channel %d, which is empty", i);
		counts[i]++;
	}
	for (int i = 0; i < n; i++) {
		if (!(ready & (1u << i)))
			continue;
		double fair = (double)rounds / nready;
		CHECK_MSG(counts[i] >= min_share * fair,
			  "channel %d of %d chosen %d times in %d rounds (fair share %.0f)", i, n,
			  counts[i], rounds, fair);
	}
	for (int i = 0; i < n; i++)
		CHECK_OK(async_std_chan_destroy(ch[i]));
	return NULL;
}

CT_TEST(select_chooses_evenly_among_4_ready_channels)
{
	return fairness(4, 0xf, 8000, 0.8);
}

CT_TEST(select_chooses_evenly_between_2_adjacent_ready_channels_of_6)
{
	return fairness(6, 0x6, 8000, 0.8);
}

struct later {
	async_std_chan *ch;
	atomic_int go;
	int value;
};

static void *send_when_told(void *p)
{
	struct later *l = p;
	while (!atomic_load(&l->go))
		async_std_yield();
	CHECK_OK(async_std_chan_send(l->ch, &l->value));
	return NULL;
}

CT_TEST(select_waits_until_an_operation_can_complete)
{
	struct later *l = ct_alloc(sizeof *l);
	async_std_chan *idle = async_std_chan_create(sizeof(int), 0);
	CHECK(idle != NULL);
	CHECK((l->ch = async_std_chan_create(sizeof(int), 0)) != NULL);
	l->value = 77;
	async_std_task *t = async_std_spawn(send_when_told, l);
	CHECK(t != NULL);
	atomic_store(&l->go, 1);
	int v = 0, w = 0;
	async_std_chan_op ops[] = {
		{ idle, ASYNC_STD_CHAN_RECV, &w, 0 },
		{ l->ch, ASYNC_STD_CHAN_RECV, &v, 0 },
	};
	CHECK_INT(async_std_chan_select(ops, 2), ==, 1);
	CHECK_INT(v, ==, 77);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_OK(async_std_chan_destroy(idle));
	CHECK_OK(async_std_chan_destroy(l->ch));
	return NULL;
}

CT_TEST(select_on_a_closed_channel_returns_its_index_with_EPIPE)
{
	async_std_chan *idle = async_std_chan_create(sizeof(int), 0);
	async_std_chan *gone = async_std_chan_create(sizeof(int), 0);
	CHECK(idle && gone);
	CHECK_OK(async_std_chan_close(gone));
	int v = 0;
	async_std_chan_op ops[] = {
		{ idle, ASYNC_STD_CHAN_RECV, &v, 0 },
		{ gone, ASYNC_STD_CHAN_RECV, &v, 0 },
	};
	CHECK_INT(async_std_chan_select(ops, 2), ==, 1);
	CHECK_INT(ops[1].err, ==, EPIPE);
	ops[1].op = ASYNC_STD_CHAN_SEND;
	CHECK_INT(async_std_chan_select(ops, 2), ==, 1);
	CHECK_INT(ops[1].err, ==, EPIPE);
	/* Disabled with a NULL channel, the closed one is out of the way. */
	ops[1].chan = NULL;
	int64_t prev = async_std_deadline_push(async_std_now() + 10 * CT_MS);
	CHECK_ERRNO(async_std_chan_select(ops, 2), ETIMEDOUT);
	async_std_deadline_pop(prev);
	CHECK_OK(async_std_chan_destroy(idle));
	CHECK_OK(async_std_chan_destroy(gone));
	return NULL;
}

struct closer {
	async_std_chan *ch;
	atomic_int go;
};

static void *close_when_told(void *p)
{
	struct closer *c = p;
	while (!atomic_load(&c->go))
		async_std_yield();
	CHECK_OK(async_std_chan_close(c->ch));
	return NULL;
}

CT_TEST(select_blocked_on_a_channel_is_woken_by_its_close_with_EPIPE)
{
	struct closer *c = ct_alloc(sizeof *c);
	async_std_chan *idle = async_std_chan_create(sizeof(int), 0);
	CHECK(idle != NULL);
	CHECK((c->ch = async_std_chan_create(sizeof(int), 0)) != NULL);
	async_std_task *t = async_std_spawn(close_when_told, c);
	CHECK(t != NULL);
	atomic_store(&c->go, 1);
	int v = 0;
	async_std_chan_op ops[] = {
		{ idle, ASYNC_STD_CHAN_RECV, &v, 0 },
		{ c->ch, ASYNC_STD_CHAN_SEND, &v, 0 },
	};
	CHECK_INT(async_std_chan_select(ops, 2), ==, 1);
	CHECK_INT(ops[1].err, ==, EPIPE);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_OK(async_std_chan_destroy(idle));
	CHECK_OK(async_std_chan_destroy(c->ch));
	return NULL;
}

CT_TEST(select_send_hands_the_element_to_a_waiting_receiver)
{
	struct rv *r = ct_alloc(sizeof *r);
	CHECK((r->ch = async_std_chan_create(sizeof(int), 0)) != NULL);
	async_std_task *t;
	if (rv_start(&t, rv_receiver, r))
		return CT_FAIL;
	int v = 31;
	async_std_chan_op op = { r->ch, ASYNC_STD_CHAN_SEND, &v, -1 };
	CHECK_INT(async_std_chan_select(&op, 1), ==, 0);
	CHECK_INT(op.err, ==, 0);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_INT(r->value, ==, 31);
	CHECK_OK(async_std_chan_destroy(r->ch));
	return NULL;
}

CT_TEST(select_with_bad_arguments_fails_with_EINVAL)
{
	async_std_chan *ch = async_std_chan_create(sizeof(int), 1);
	CHECK(ch != NULL);
	int v = 0;
	async_std_chan_op ops[2] = {
		{ ch, ASYNC_STD_CHAN_RECV, &v, 0 },
		{ NULL, ASYNC_STD_CHAN_RECV, &v, 0 },
	};
	CHECK_ERRNO(async_std_chan_select(NULL, 1), EINVAL);
	CHECK_ERRNO(async_std_chan_select(ops, 0), EINVAL);
	CHECK_ERRNO(async_std_chan_select(&ops[1], 1), EINVAL); /* no channel at all */
	ops[0].op = 0;
	CHECK_ERRNO(async_std_chan_select(ops, 2), EINVAL);
	ops[0].op = 3;
	CHECK_ERRNO(async_std_chan_select(ops, 2), EINVAL);
	CHECK_OK(async_std_chan_destroy(ch));
	return NULL;
}

CT_TEST(select_never_pairs_its_own_send_with_its_own_recv)
{
	async_std_chan *ch = async_std_chan_create(sizeof(int), 0);
	CHECK(ch != NULL);
	int out = 1, in = 0;
	async_std_chan_op ops[] = {
		{ ch, ASYNC_STD_CHAN_SEND, &out, 0 },
		{ ch, ASYNC_STD_CHAN_RECV, &in, 0 },
	};
	int64_t prev = async_std_deadline_push(async_std_now() + 20 * CT_MS);
	CHECK_ERRNO(async_std_chan_select(ops, 2), ETIMEDOUT);
	async_std_deadline_pop(prev);
	CHECK_INT(in, ==, 0);
	CHECK_OK(async_std_chan_destroy(ch)); /* left no registration behind */
	return NULL;
}

CT_TEST(select_over_40_channels_finds_the_one_that_becomes_ready)
{
	enum { N = 40 };
	struct later *l = ct_alloc(sizeof *l);
	async_std_chan *ch[N];
	async_std_chan_op *ops = ct_alloc(N * sizeof *ops);
	int v = 0;
	for (int i = 0; i < N; i++) {
		CHECK((ch[i] = async_std_chan_create(sizeof(int), 0)) != NULL);
		ops[i] = (async_std_chan_op){ ch[i], ASYNC_STD_CHAN_RECV, &v, 0 };
	}
	l->ch = ch[29];
	l->value = 29;
	async_std_task *t = async_std_spawn(send_when_told, l);
	CHECK(t != NULL);
	atomic_store(&l->go, 1);
	CHECK_INT(async_std_chan_select(ops, N), ==, 29);
	CHECK_INT(v, ==, 29);
	CHECK_OK(async_std_join(t, NULL));
	for (int i = 0; i < N; i++)
		CHECK_OK(async_std_chan_destroy(ch[i]));
	return NULL;
}

/* Consumers select over three channels fed by their own producers; every
 * value must arrive exactly once, whichever select wins each race. */
enum { SEL_CHANS = 3, SEL_CONSUMERS = 4, SEL_PER_CHAN = 5000 };

struct selrace {
	async_std_chan *ch[SEL_CHANS];
	atomic_int next_chan;
	atomic_uchar seen[SEL_CHANS * SEL_PER_CHAN];
	atomic_long received;
};

static void *selrace_producer(void *p)
{
	struct selrace *s = p;
	int c = atomic_fetch_add(&s->next_chan, 1);
	for (int i = 0; i < SEL_PER_CHAN; i++) {
		int v = c * SEL_PER_CHAN + i;
		CHECK_OK(async_std_chan_send(s->ch[c], &v));
	}
	CHECK_OK(async_std_chan_close(s->ch[c]));
	return NULL;
}

static void *selrace_consumer(void *p)
{
	struct selrace *s = p;
	int v;
	async_std_chan_op ops[SEL_CHANS];
	for (int c = 0; c < SEL_CHANS; c++)
		ops[c] = (async_std_chan_op){ s->ch[c], ASYNC_STD_CHAN_RECV, &v, 0 };
	for (int open = SEL_CHANS; open > 0;) {
		int i = async_std_chan_select(ops, SEL_CHANS);
		CHECK_OK(i);
		if (ops[i].err == EPIPE) {
			ops[i].chan = NULL;
			open--;
			continue;
		}
		CHECK(v >= 0 && v < SEL_CHANS * SEL_PER_CHAN);
		atomic_fetch_add(&s->seen[v], 1);
		atomic_fetch_add(&s->received, 1);
	}
	return NULL;
}

CT_TEST(competing_selects_receive_every_value_exactly_once)
{
	struct selrace *s = ct_alloc(sizeof *s);
	for (int c = 0; c < SEL_CHANS; c++)
		CHECK((s->ch[c] = async_std_chan_create(sizeof(int), (size_t)c)) != NULL);
	async_std_task *cons[SEL_CONSUMERS], *prod[SEL_CHANS];
	struct spread *sp = ct_alloc(2 * sizeof *sp);
	sp[0] = (struct spread){ cons, SEL_CONSUMERS, selrace_consumer, s };
	sp[1] = (struct spread){ prod, SEL_CHANS, selrace_producer, s };
	if (ct_in_plain_thread(spawn_spread, &sp[0]) || ct_in_plain_thread(spawn_spread, &sp[1]))
		return CT_FAIL;
	for (int i = 0; i < SEL_CHANS; i++)
		CHECK_OK(async_std_join(prod[i], NULL));
	for (int i = 0; i < SEL_CONSUMERS; i++)
		CHECK_OK(async_std_join(cons[i], NULL));
	CHECK_INT(atomic_load(&s->received), ==, SEL_CHANS * SEL_PER_CHAN);
	for (int v = 0; v < SEL_CHANS * SEL_PER_CHAN; v++)
		CHECK_MSG(atomic_load(&s->seen[v]) == 1, "value %d received %d times", v,
			  (int)atomic_load(&s->seen[v]));
	for (int c = 0; c < SEL_CHANS; c++)
		CHECK_OK(async_std_chan_destroy(s->ch[c]));
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(chan_buffered_keeps_FIFO_order_and_try_calls_give_EAGAIN),
	cmocka_unit_test(chan_rendezvous_send_completes_only_when_a_receiver_takes_it),
	cmocka_unit_test(chan_rendezvous_try_send_succeeds_when_a_receiver_waits),
	cmocka_unit_test(chan_close_fails_sends_with_EPIPE_and_recv_drains_then_EPIPE),
	cmocka_unit_test(chan_close_wakes_a_blocked_receiver_and_a_blocked_sender_with_EPIPE),
	cmocka_unit_test(chan_destroy_with_a_waiter_gives_EBUSY_and_with_buffered_elements_succeeds),
	cmocka_unit_test(chan_create_with_an_overflowing_size_gives_EINVAL),
	cmocka_unit_test(chan_of_zero_sized_elements_counts_events),
	cmocka_unit_test(chan_blocked_receivers_are_served_in_FIFO_order),
	cmocka_unit_test(chan_senders_blocked_on_a_full_buffer_are_served_in_FIFO_order),
	cmocka_unit_test(chan_8_producers_8_consumers_buffered_every_value_exactly_once),
	cmocka_unit_test(chan_8_producers_8_consumers_rendezvous_every_value_exactly_once),
	cmocka_unit_test(plain_thread_feeds_a_task_through_a_rendezvous_channel),
	cmocka_unit_test(plain_thread_blocked_in_recv_is_woken_by_a_task_send),
	cmocka_unit_test(select_performs_exactly_one_of_several_ready_operations),
	cmocka_unit_test(select_chooses_evenly_among_4_ready_channels),
	cmocka_unit_test(select_chooses_evenly_between_2_adjacent_ready_channels_of_6),
	cmocka_unit_test(select_waits_until_an_operation_can_complete),
	cmocka_unit_test(select_on_a_closed_channel_returns_its_index_with_EPIPE),
	cmocka_unit_test(select_blocked_on_a_channel_is_woken_by_its_close_with_EPIPE),
	cmocka_unit_test(select_send_hands_the_element_to_a_waiting_receiver),
	cmocka_unit_test(select_with_bad_arguments_fails_with_EINVAL),
	cmocka_unit_test(select_never_pairs_its_own_send_with_its_own_recv),
	cmocka_unit_test(select_over_40_channels_finds_the_one_that_becomes_ready),
	cmocka_unit_test(competing_selects_receive_every_value_exactly_once),
};
CT_GROUP(ct_sync_chan_group, "sync: channels and select", tests);
