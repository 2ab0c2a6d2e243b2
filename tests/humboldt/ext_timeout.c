/* SPDX-License-Identifier: MIT */
/*
 * ext_timeout.c - humboldt_recv_timeout, humboldt_read_timeout: linked timeouts
 * (part of test_ext: see test_ext.c).
 */
#include "ext_harness.h"

/* ---- linked timeouts --------------------------------------------------------------- */
static char *timeout_unsupported(void *arg)
{
	(void)arg;
	int sv[2];
	char buf[8];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK_ERRNO(humboldt_recv_timeout(sv[0], buf, sizeof buf, 0, MS), ENOTSUP);
	CHECK_ERRNO(humboldt_read_timeout(sv[0], buf, sizeof buf, MS), ENOTSUP);
	close(sv[0]);
	close(sv[1]);
	return NULL;
}

static void *writer_main(void *p)
{
	int fd = *(int *)p;
	return async_std_write(fd, "late", 4) == 4 ? NULL : (void *)1;
}

static char *timeout_basics(void *arg)
{
	(void)arg;
	int sv[2], pfd[2];
	char buf[16];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK_ERRNO(humboldt_recv_timeout(sv[0], buf, sizeof buf, 0, -1), EINVAL);
	CHECK_ERRNO(humboldt_recv_timeout(sv[0], buf, sizeof buf, 0, 20 * MS), ETIMEDOUT);
	CHECK_ERRNO(humboldt_read_timeout(sv[0], buf, sizeof buf, 20 * MS), ETIMEDOUT);

	/* Data already there comes back even with no time at all. */
	CHECK_INT(async_std_write(sv[1], "hi", 2), ==, 2);
	CHECK_INT(humboldt_recv_timeout(sv[0], buf, sizeof buf, 0, 0), ==, 2);
	CHECK(memcmp(buf, "hi", 2) == 0);

	/* Data that comes while waiting. */
	async_std_task *w = spawn_local(writer_main, &sv[1]);
	CHECK(w != NULL);
	CHECK_INT(humboldt_recv_timeout(sv[0], buf, sizeof buf, 0, TC_PATIENCE_NS), ==, 4);
	CHECK(memcmp(buf, "late", 4) == 0);
	CHECK_INT(async_std_join(w, NULL), ==, 0);

	/* An O_NONBLOCK pipe: the read says EAGAIN, then a poll waits under
	 * the same timeout. */
	CHECK(pipe2(pfd, O_NONBLOCK | O_CLOEXEC) == 0);
	CHECK_ERRNO(humboldt_read_timeout(pfd[0], buf, sizeof buf, 20 * MS), ETIMEDOUT);
	w = spawn_local(writer_main, &pfd[1]);
	CHECK(w != NULL);
	CHECK_INT(humboldt_read_timeout(pfd[0], buf, sizeof buf, TC_PATIENCE_NS), ==, 4);
	CHECK_INT(async_std_join(w, NULL), ==, 0);

	/* The task's deadline, when it comes first. */
	int64_t prev = async_std_deadline_push(async_std_now() + 20 * MS);
	CHECK_ERRNO(humboldt_recv_timeout(sv[0], buf, sizeof buf, 0, 10 * SEC), ETIMEDOUT);
	async_std_deadline_pop(prev);
	close(pfd[0]);
	close(pfd[1]);
	close(sv[0]);
	close(sv[1]);
	return NULL;
}

void test_linked_timeout_times_out_or_returns_the_data(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_LINK_TIMEOUT, timeout_unsupported))
		run_in_task(timeout_basics, NULL);
}

static void *child_recv_timeout(void *p)
{
	struct blocked *b = p;
	char buf[64]; /* on the child's stack, which is freed when it ends */
	memset(buf, 'P', sizeof buf);
	b->r = humboldt_recv_timeout(b->fd, buf, sizeof buf, 0, TC_PATIENCE_NS);
	b->err = b->r < 0 ? errno : 0;
	b->buffer_untouched = buf[0] == 'P';
	return NULL;
}

static char *timeout_cancelled(void *arg)
{
	(void)arg;
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	for (int round = 0; round < 3; round++) {
		struct blocked b = { .fd = sv[0] };
		CHECK_BODY(cancel_blocked(child_recv_timeout, &b));
		CHECK_INT(b.err, ==, ECANCELED);
		CHECK(b.buffer_untouched);
		/* The child's stack is gone (and reused by the next round): the
		 * kernel must not write there any more. */
		CHECK_INT(async_std_write(sv[1], "data", 4), ==, 4);
		CHECK_BODY(next_bytes_are(sv[0], "data"));
	}
	close(sv[0]);
	close(sv[1]);
	return NULL;
}

void test_linked_timeout_cancel_returns_after_the_kernel_let_go(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_LINK_TIMEOUT, timeout_unsupported))
		run_in_task(timeout_cancelled, NULL);
}
