/* SPDX-License-Identifier: MIT */
/*
 * ext_bufring.c - humboldt_bufring_*: provided-buffer rings
 * (part of test_ext: see test_ext.c).
 */
#include "ext_harness.h"

/* ---- provided-buffer rings ------------------------------------------------------ */
static char *bufring_unsupported(void *arg)
{
	(void)arg;
	CHECK_ERRNO(humboldt_bufring_create(4, 64), ENOTSUP);
	return NULL;
}

static char *bufring_lend(void *arg)
{
	(void)arg;
	int sv[2];
	void *p, *q;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK_ERRNO(humboldt_bufring_create(3, 64), EINVAL);
	CHECK_ERRNO(humboldt_bufring_create(4, 0), EINVAL);
	humboldt_bufring *br = humboldt_bufring_create(4, 64);
	CHECK(br != NULL);

	CHECK_INT(async_std_write(sv[1], "hello", 5), ==, 5);
	CHECK_INT(humboldt_bufring_recv(br, sv[0], 0, &p), ==, 5);
	CHECK(memcmp(p, "hello", 5) == 0);
	CHECK_ERRNO(humboldt_bufring_destroy(br), EBUSY);
	CHECK_INT(humboldt_bufring_return(br, p), ==, 0);
	CHECK_ERRNO(humboldt_bufring_return(br, p), EINVAL); /* twice: one line */
	char outside;
	CHECK_ERRNO(humboldt_bufring_return(br, &outside), EINVAL);

	/* MSG_DONTWAIT: one try. */
	CHECK_ERRNO(humboldt_bufring_recv(br, sv[0], MSG_DONTWAIT, &q), EAGAIN);
	CHECK(q == NULL);
	CHECK_INT(humboldt_bufring_destroy(br), ==, 0);
	close(sv[0]);
	close(sv[1]);
	return NULL;
}

void test_buffer_ring_lends_a_filled_buffer_and_takes_it_back(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_BUFFER_RING, bufring_unsupported))
		run_in_task(bufring_lend, NULL);
}

static char *bufring_exhaust(void *arg)
{
	(void)arg;
	int sv[2];
	void *p[2], *q;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	humboldt_bufring *br = humboldt_bufring_create(2, 16);
	CHECK(br != NULL);
	for (int i = 0; i < 2; i++) {
		CHECK_INT(async_std_write(sv[1], "abc", 3), ==, 3);
		CHECK_INT(humboldt_bufring_recv(br, sv[0], 0, &p[i]), ==, 3);
	}
	CHECK(p[0] != p[1]);
	CHECK_INT(async_std_write(sv[1], "xyz", 3), ==, 3);
	CHECK_ERRNO(humboldt_bufring_recv(br, sv[0], 0, &q), ENOBUFS);
	CHECK_INT(humboldt_bufring_return(br, p[1]), ==, 0);
	CHECK_INT(humboldt_bufring_recv(br, sv[0], 0, &q), ==, 3); /* the data waited */
	CHECK(memcmp(q, "xyz", 3) == 0);
	CHECK_INT(humboldt_bufring_return(br, q), ==, 0);
	CHECK_INT(humboldt_bufring_return(br, p[0]), ==, 0);

	/* End of stream: 0 and nothing borrowed, again and again. */
	CHECK(shutdown(sv[1], SHUT_WR) == 0);
	for (int i = 0; i < 3; i++) {
		CHECK_INT(humboldt_bufring_recv(br, sv[0], 0, &q), ==, 0);
		CHECK(q == NULL);
	}
	CHECK_INT(humboldt_bufring_destroy(br), ==, 0);
	close(sv[0]);
	close(sv[1]);
	return NULL;
}

void test_buffer_ring_runs_out_with_enobufs_and_ends_with_zero(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_BUFFER_RING, bufring_unsupported))
		run_in_task(bufring_exhaust, NULL);
}

static void *child_bufring_recv(void *p)
{
	struct blocked *b = p;
	void *buf;
	b->r = humboldt_bufring_recv(b->ctx, b->fd, 0, &buf);
	b->err = b->r < 0 ? errno : 0;
	return NULL;
}

static char *bufring_interrupted(void *arg)
{
	(void)arg;
	int sv[2];
	void *p;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	/* One buffer: had an interrupted receive kept it, the next one would
	 * fail with ENOBUFS. */
	humboldt_bufring *br = humboldt_bufring_create(1, 32);
	CHECK(br != NULL);
	int64_t prev = async_std_deadline_push(async_std_now() + 20 * MS);
	CHECK_ERRNO(humboldt_bufring_recv(br, sv[0], 0, &p), ETIMEDOUT);
	async_std_deadline_pop(prev);

	struct blocked b = { .fd = sv[0], .ctx = br };
	CHECK_BODY(cancel_blocked(child_bufring_recv, &b));
	CHECK_INT(b.err, ==, ECANCELED);

	CHECK_INT(async_std_write(sv[1], "data", 4), ==, 4);
	CHECK_INT(humboldt_bufring_recv(br, sv[0], 0, &p), ==, 4);
	CHECK(memcmp(p, "data", 4) == 0);
	CHECK_INT(humboldt_bufring_return(br, p), ==, 0);
	CHECK_INT(humboldt_bufring_destroy(br), ==, 0);
	close(sv[0]);
	close(sv[1]);
	return NULL;
}

void test_buffer_ring_deadline_and_cancel_give_the_buffer_back(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_BUFFER_RING, bufring_unsupported))
		run_in_task(bufring_interrupted, NULL);
}
