/* SPDX-License-Identifier: MIT */
/*
 * close.c - async_std_close wakes every task blocked on the fd with EBADF
 * (whatever it waits in: read, poll, accept, write; socket or pipe; same or
 * another worker), and the closed fd number is refused afterwards.
 *
 * Only the close can end these waits: peers stay open and silent, so a task
 * that is not woken fails at its deadline instead.
 */
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "conformance.h"

enum wait_kind { WAIT_READ, WAIT_POLL, WAIT_ACCEPT, WAIT_WRITE };

struct waiter {
	enum wait_kind kind;
	int fd;
	atomic_int started;
	long long r;
	int err;
};

static void *wait_on_fd(void *p)
{
	struct waiter *w = p;
	static const char out[4096];
	char in[64];
	atomic_store(&w->started, 1);
	errno = 0;
	switch (w->kind) {
	case WAIT_READ: w->r = async_std_read(w->fd, in, sizeof in); break;
	case WAIT_POLL: w->r = async_std_poll(w->fd, POLLIN); break;
	case WAIT_ACCEPT: w->r = async_std_accept(w->fd, NULL, NULL); break;
	case WAIT_WRITE: w->r = async_std_write(w->fd, out, sizeof out); break;
	}
	w->err = errno;
	return NULL;
}

/* Blocks a task in `kind` on fd, closes fd, and expects EBADF. */
static void *close_wakes(enum wait_kind kind, int fd, unsigned flags)
{
	struct waiter *w = ct_alloc(sizeof *w);
	w->kind = kind;
	w->fd = fd;
	async_std_spawn_attr attr = { .size = sizeof attr, .flags = flags };
	async_std_task *t = async_std_spawn_ex(wait_on_fd, w, &attr);
	CHECK(t != NULL);
	CHECK_OK(ct_wait_flag(&w->started, 1));
	ct_let_block();
	CHECK_OK(async_std_close(fd));
	CHECK_OK(async_std_join(t, NULL));
	CHECK_MSG(w->r == -1 && w->err == EBADF, "the blocked call gave %lld/%s after close",
		  w->r, ct_errname(w->err));
	return NULL;
}

CT_TEST(close_wakes_a_task_blocked_reading_a_socket_with_EBADF)
{
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	void *r = close_wakes(WAIT_READ, sv[0], 0);
	ct_close(sv[1]);
	return r;
}

CT_TEST(close_wakes_a_reader_on_the_closing_tasks_worker_with_EBADF)
{
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	void *r = close_wakes(WAIT_READ, sv[0], ASYNC_STD_SPAWN_LOCAL);
	ct_close(sv[1]);
	return r;
}

CT_TEST(close_wakes_a_task_blocked_in_poll_with_EBADF)
{
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	void *r = close_wakes(WAIT_POLL, sv[0], 0);
	ct_close(sv[1]);
	return r;
}

CT_TEST(close_wakes_a_task_blocked_in_accept_with_EBADF)
{
	int lfd;
	CHECK_OK(lfd = async_std_tcp_listen("127.0.0.1", 0, 8));
	return close_wakes(WAIT_ACCEPT, lfd, 0);
}

CT_TEST(close_wakes_a_task_blocked_writing_a_full_socket_with_EBADF)
{
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	CHECK_OK(ct_fill_sendbuf(sv[0]));
	void *r = close_wakes(WAIT_WRITE, sv[0], 0);
	ct_close(sv[1]);
	return r;
}

CT_TEST(close_wakes_a_task_blocked_reading_a_nonblocking_pipe_with_EBADF)
{
	int p[2];
	CHECK_OK(pipe2(p, O_CLOEXEC | O_NONBLOCK));
	void *r = close_wakes(WAIT_READ, p[0], 0);
	ct_close(p[1]);
	return r;
}

CT_TEST(close_wakes_a_task_blocked_reading_a_blocking_pipe_with_EBADF)
{
	int p[2];
	CHECK_OK(pipe2(p, O_CLOEXEC));
	void *r = close_wakes(WAIT_READ, p[0], 0);
	ct_close(p[1]);
	return r;
}

struct two_waiters {
	struct waiter w[2];
};

CT_TEST(close_wakes_every_task_blocked_on_the_fd)
{
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	struct two_waiters *tw = ct_alloc(sizeof *tw);
	async_std_task *t[2];
	tw->w[0] = (struct waiter){ .kind = WAIT_READ, .fd = sv[0] };
	tw->w[1] = (struct waiter){ .kind = WAIT_POLL, .fd = sv[0] };
	for (int i = 0; i < 2; i++) {
		t[i] = async_std_spawn(wait_on_fd, &tw->w[i]);
		CHECK(t[i] != NULL);
	}
	CHECK_OK(ct_wait_flag(&tw->w[0].started, 1));
	CHECK_OK(ct_wait_flag(&tw->w[1].started, 1));
	ct_let_block();
	CHECK_OK(async_std_close(sv[0]));
	for (int i = 0; i < 2; i++) {
		CHECK_OK(async_std_join(t[i], NULL));
		CHECK_MSG(tw->w[i].r == -1 && tw->w[i].err == EBADF,
			  "waiter %d (%s) gave %lld/%s after close", i, i ? "poll" : "read",
			  tw->w[i].r, ct_errname(tw->w[i].err));
	}
	ct_close(sv[1]);
	return NULL;
}

CT_TEST(read_after_close_of_a_used_socket_fails_with_EBADF)
{
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	char b;
	CHECK_INT(async_std_write(sv[1], "x", 1), ==, 1);
	CHECK_INT(async_std_read(sv[0], &b, 1), ==, 1);
	CHECK_OK(async_std_close(sv[0]));
	CHECK_ERRNO(async_std_read(sv[0], &b, 1), EBADF);
	CHECK_ERRNO(async_std_close(sv[0]), EBADF);
	ct_close(sv[1]);
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(close_wakes_a_task_blocked_reading_a_socket_with_EBADF),
	cmocka_unit_test(close_wakes_a_reader_on_the_closing_tasks_worker_with_EBADF),
	cmocka_unit_test(close_wakes_a_task_blocked_in_poll_with_EBADF),
	cmocka_unit_test(close_wakes_a_task_blocked_in_accept_with_EBADF),
	cmocka_unit_test(close_wakes_a_task_blocked_writing_a_full_socket_with_EBADF),
	cmocka_unit_test(close_wakes_a_task_blocked_reading_a_nonblocking_pipe_with_EBADF),
	cmocka_unit_test(close_wakes_a_task_blocked_reading_a_blocking_pipe_with_EBADF),
	cmocka_unit_test(close_wakes_every_task_blocked_on_the_fd),
	cmocka_unit_test(read_after_close_of_a_used_socket_fails_with_EBADF),
};
CT_GROUP(ct_close_group, "close", tests);
