/* SPDX-License-Identifier: MIT */
/*
 * appfd.c - fds the application made itself (README, "File status flags"):
 * a blocking socket or pipe waits without blocking the worker, data calls
 * leave its flags alone, and a MSG_DONTWAIT the caller passes means one try.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

static const async_std_spawn_attr local_attr = {
	.size = sizeof(async_std_spawn_attr), .flags = ASYNC_STD_SPAWN_LOCAL,
};

struct rw {
	int rfd, wfd;
	atomic_int reader_started;
	ssize_t n;
	int err;
	char buf[16];
};

static void *rw_reader(void *p)
{
	struct rw *x = p;
	atomic_store(&x->reader_started, 1);
	errno = 0;
	x->n = async_std_read(x->rfd, x->buf, sizeof x->buf);
	x->err = errno;
	return NULL;
}

static void *rw_writer(void *p)
{
	struct rw *x = p;
	CHECK_OK(ct_wait_flag(&x->reader_started, 1));
	ct_let_block();
	CHECK_INT(async_std_write(x->wfd, "app-fd", 6), ==, 6);
	return NULL;
}

/* Reader and writer are LOCAL, on one worker: if the read blocked the
 * worker thread, the writer could never run and the test would hang (the
 * harness's watchdog then aborts it). */
static void *read_on_app_fd(int rfd, int wfd)
{
	int rflags = fcntl(rfd, F_GETFL), wflags = fcntl(wfd, F_GETFL);
	struct rw *x = ct_alloc(sizeof *x);
	x->rfd = rfd;
	x->wfd = wfd;
	async_std_task *tr = async_std_spawn_ex(rw_reader, x, &local_attr);
	async_std_task *tw = async_std_spawn_ex(rw_writer, x, &local_attr);
	CHECK(tr != NULL && tw != NULL);
	void *wres = CT_FAIL;
	CHECK_OK(async_std_join(tw, &wres));
	CHECK_OK(async_std_join(tr, NULL));
	CHECK(wres == NULL);
	CHECK_MSG(x->n == 6, "read gave %zd/%s", x->n, ct_errname(x->err));
	CHECK(memcmp(x->buf, "app-fd", 6) == 0);
	CHECK_MSG(fcntl(rfd, F_GETFL) == rflags, "read changed the reader's flags 0%o -> 0%o",
		  rflags, fcntl(rfd, F_GETFL));
	CHECK_MSG(fcntl(wfd, F_GETFL) == wflags, "write changed the writer's flags 0%o -> 0%o",
		  wflags, fcntl(wfd, F_GETFL));
	return NULL;
}

CT_TEST(blocking_socket_made_by_the_app_waits_without_blocking_the_worker_and_keeps_its_flags)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	void *r = read_on_app_fd(sv[0], sv[1]);
	ct_close(sv[0]);
	ct_close(sv[1]);
	return r;
}

CT_TEST(blocking_pipe_made_by_the_app_waits_without_blocking_the_worker_and_keeps_its_flags)
{
	int p[2];
	CHECK_OK(pipe2(p, O_CLOEXEC));
	void *r = read_on_app_fd(p[0], p[1]);
	ct_close(p[0]);
	ct_close(p[1]);
	return r;
}

CT_TEST(nonblocking_pipe_made_by_the_app_waits_and_keeps_its_flags)
{
	int p[2];
	CHECK_OK(pipe2(p, O_CLOEXEC | O_NONBLOCK));
	void *r = read_on_app_fd(p[0], p[1]);
	ct_close(p[0]);
	ct_close(p[1]);
	return r;
}

CT_TEST(recv_with_the_callers_MSG_DONTWAIT_returns_EAGAIN_at_once)
{
	int sv[2];
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	char b;
	errno = 0;
	ssize_t r = async_std_recv(sv[0], &b, 1, MSG_DONTWAIT);
	CHECK_MSG(r == -1 && (errno == EAGAIN || errno == EWOULDBLOCK),
		  "recv(MSG_DONTWAIT) on an idle socket gave %zd/%s", r, ct_errname(errno));
	CHECK_INT(async_std_send(sv[1], "d", 1, MSG_DONTWAIT), ==, 1);
	CHECK_INT(async_std_recv(sv[0], &b, 1, MSG_DONTWAIT), ==, 1);
	ct_close(sv[0]);
	ct_close(sv[1]);
	return NULL;
}

struct app_accept {
	int lfd, fd, err;
};

static void *app_accept_one(void *p)
{
	struct app_accept *a = p;
	errno = 0;
	a->fd = async_std_accept(a->lfd, NULL, NULL);
	a->err = errno;
	return NULL;
}

struct app_connect {
	int port, fd, rc, err;
};

static void *app_connect_one(void *p)
{
	struct app_connect *c = p;
	ct_let_block();
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)c->port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); /* blocking */
	errno = 0;
	c->rc = c->fd < 0 ? -1 : async_std_connect(c->fd, (struct sockaddr *)&a, sizeof a);
	c->err = errno;
	return NULL;
}

CT_TEST(accept_and_connect_on_blocking_sockets_made_by_the_app_do_not_block_the_worker)
{
	struct app_accept *a = ct_alloc(sizeof *a);
	struct app_connect *c = ct_alloc(sizeof *c);
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	CHECK_OK(a->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
	CHECK_OK(bind(a->lfd, (struct sockaddr *)&addr, sizeof addr));
	CHECK_OK(listen(a->lfd, 8));
	c->port = ct_local_port(a->lfd);
	async_std_task *ta = async_std_spawn_ex(app_accept_one, a, &local_attr);
	async_std_task *tc = async_std_spawn_ex(app_connect_one, c, &local_attr);
	CHECK(ta != NULL && tc != NULL);
	CHECK_OK(async_std_join(tc, NULL));
	CHECK_OK(async_std_join(ta, NULL));
	CHECK_MSG(c->rc == 0, "connect gave %s", ct_errname(c->err));
	CHECK_MSG(a->fd >= 0, "accept gave %s", ct_errname(a->err));
	CHECK_INT(async_std_write(c->fd, "ok", 2), ==, 2);
	char b[2];
	CHECK_OK(ct_read_all(a->fd, b, 2));
	ct_close(a->fd);
	ct_close(c->fd);
	ct_close(a->lfd);
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(blocking_socket_made_by_the_app_waits_without_blocking_the_worker_and_keeps_its_flags),
	cmocka_unit_test(blocking_pipe_made_by_the_app_waits_without_blocking_the_worker_and_keeps_its_flags),
	cmocka_unit_test(nonblocking_pipe_made_by_the_app_waits_and_keeps_its_flags),
	cmocka_unit_test(recv_with_the_callers_MSG_DONTWAIT_returns_EAGAIN_at_once),
	cmocka_unit_test(accept_and_connect_on_blocking_sockets_made_by_the_app_do_not_block_the_worker),
};
CT_GROUP(ct_appfd_group, "fds made by the application", tests);
