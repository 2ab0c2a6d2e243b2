/* SPDX-License-Identifier: MIT */
/*
 * edges.c - corners found by review, kept so they stay fixed: a reader and a
 * writer of one blocking pipe both finish, poll on an fd epoll cannot watch
 * waits instead of spinning, plain threads honour deadlines on blocking
 * pipes, readv refuses more than IOV_MAX vectors, and a full AF_UNIX backlog
 * makes connect wait (never EAGAIN).
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "conformance.h"

/* ---- a blocking pipe: reader queued before its writer ---------------------- */
struct pipe_ends {
	int rd, wr;
	long long got;
	int err;
};

static void *pipe_reader(void *p)
{
	struct pipe_ends *e = p;
	char b[4];
	e->got = async_std_read(e->rd, b, sizeof b);
	e->err = errno;
	return NULL;
}

static void *pipe_writer(void *p)
{
	struct pipe_ends *e = p;
	return async_std_write(e->wr, "ping", 4) == 4 ? NULL : CT_FAIL;
}

static void *nothing(void *p)
{
	return p;
}

CT_TEST(reader_and_writer_of_one_blocking_pipe_both_finish)
{
	struct pipe_ends *e = ct_alloc(sizeof *e);
	int p[2];
	CHECK_OK(pipe(p)); /* blocking: the pool (or the ring) does the calls */
	e->rd = p[0];
	e->wr = p[1];
	/* One pool thread exists and is idle: the case that once let the
	 * reader hold the only thread while the writer waited behind it. */
	CHECK_OK(async_std_run_blocking(nothing, NULL, NULL));
	async_std_spawn_attr local = { .size = sizeof local, .flags = ASYNC_STD_SPAWN_LOCAL };
	async_std_task *r = async_std_spawn_ex(pipe_reader, e, &local);
	async_std_task *w = async_std_spawn_ex(pipe_writer, e, &local);
	CHECK(r && w);
	void *wres;
	CHECK_OK(async_std_join(w, &wres));
	CHECK_OK(async_std_join(r, NULL));
	CHECK(wres == NULL);
	CHECK_MSG(e->got == 4, "reader got %lld (%s)", e->got, ct_errname(e->err));
	ct_close(p[0]);
	ct_close(p[1]);
	return NULL;
}

/* ---- poll on an fd epoll cannot watch ------------------------------------- */
struct poll_watch {
	int fd;
	async_std_task *poller;
	atomic_int polling;
	atomic_int ticks;
	int r, err;
};

static void *polls_for_pri(void *p)
{
	struct poll_watch *w = p;
	/* Ends the poll if the ticker never gets to cancel it (a spinning
	 * poll starves it), long before the test's own deadline. */
	int64_t prev = async_std_deadline_push(async_std_now() + ct_deadline_ns / 4);
	atomic_store(&w->polling, 1);
	errno = 0;
	w->r = async_std_poll(w->fd, POLLPRI);
	w->err = errno;
	async_std_deadline_pop(prev);
	return NULL;
}

/* Runs on the poller's worker: it gets to tick only while the poll waits
 * without holding the worker, and then ends the poll by cancelling it. */
static void *ticker(void *p)
{
	struct poll_watch *w = p;
	while (!atomic_load(&w->polling) || atomic_load(&w->ticks) < 3) {
		if (async_std_sleep(CT_MS) < 0)
			return CT_FAIL;
		if (atomic_load(&w->polling))
			atomic_fetch_add(&w->ticks, 1);
	}
	return async_std_cancel(w->poller) == 0 ? NULL : CT_FAIL;
}

CT_TEST(poll_for_an_event_a_regular_file_never_reports_waits_without_starving_its_worker)
{
	char path[] = "/tmp/async_std_edges_XXXXXX";
	struct poll_watch *w = ct_alloc(sizeof *w);
	w->fd = mkstemp(path);
	CHECK(w->fd >= 0);
	unlink(path);
	async_std_spawn_attr local = { .size = sizeof local, .flags = ASYNC_STD_SPAWN_LOCAL };
	w->poller = async_std_spawn_ex(polls_for_pri, w, &local);
	CHECK(w->poller != NULL);
	async_std_task *t = async_std_spawn_ex(ticker, w, &local);
	CHECK(t != NULL);
	CHECK_OK(async_std_join(w->poller, NULL));
	/* A spinning poll kept the ticker from running: it is still waiting
	 * for its ticks, and would never cancel anyone. */
	int ticks = atomic_load(&w->ticks);
	if (ticks < 3)
		async_std_cancel(t);
	void *tr;
	CHECK_OK(async_std_join(t, &tr));
	close(w->fd);
	CHECK_MSG(ticks >= 3, "the worker's other task never ran while poll waited "
		  "(poll gave %d/%s)", w->r, ct_errname(w->err));
	CHECK_MSG(w->r == -1 && w->err == ECANCELED, "poll gave %d (%s), expected ECANCELED",
		  w->r, ct_errname(w->err));
	CHECK(tr == NULL);
	return NULL;
}

/* ---- plain threads and blocking pipes ------------------------------------- */
static void *plain_read_with_deadline(void *p)
{
	int *fds = p;
	char b;
	int64_t prev = async_std_deadline_push(async_std_now() + 100 * CT_MS);
	ssize_t r = async_std_read(fds[0], &b, 1);
	int err = errno;
	async_std_deadline_pop(prev);
	CHECK_MSG(r == -1 && err == ETIMEDOUT, "read gave %zd (%s)", r, ct_errname(err));
	return NULL;
}

CT_TEST(plain_thread_read_of_a_blocking_pipe_honours_its_deadline)
{
	int p[2];
	CHECK_OK(pipe(p));
	void *r = ct_in_plain_thread(plain_read_with_deadline, p);
	close(p[0]);
	close(p[1]);
	return r;
}

/* ---- readv's limits ------------------------------------------------------- */
CT_TEST(readv_with_more_than_IOV_MAX_vectors_fails_with_EINVAL)
{
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	struct iovec *v = ct_alloc((IOV_MAX + 1) * sizeof *v);
	char b;
	for (int i = 0; i <= IOV_MAX; i++)
		v[i] = (struct iovec){ .iov_base = &b, .iov_len = 1 };
	CHECK_ERRNO(async_std_readv(sv[0], v, IOV_MAX + 1), EINVAL);
	CHECK_ERRNO(async_std_writev(sv[1], v, IOV_MAX + 1), EINVAL);
	ct_close(sv[0]);
	ct_close(sv[1]);
	return NULL;
}

/* ---- AF_UNIX connect with a full backlog ------------------------------------ */
CT_TEST(unix_connect_to_a_full_backlog_waits_instead_of_failing_with_EAGAIN)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	/* Abstract address: nothing to clean up on disk. */
	snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "async_std_edges_%d", (int)getpid());
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
				    strlen(a.sun_path + 1));
	int l = async_std_socket(AF_UNIX, SOCK_STREAM, 0);
	CHECK(l >= 0);
	CHECK_OK(async_std_bind(l, (struct sockaddr *)&a, len));
	CHECK_OK(async_std_listen(l, 0));
	int fds[8], n = 0, r = 0, err = 0;
	int64_t prev = async_std_deadline_push(async_std_now() + 100 * CT_MS);
	/* Nobody accepts: after the backlog fills, a connect must wait for its
	 * deadline like a blocking connect(2), not report EAGAIN. */
	while (n < 8) {
		fds[n] = async_std_socket(AF_UNIX, SOCK_STREAM, 0);
		r = async_std_connect(fds[n++], (struct sockaddr *)&a, len);
		err = errno;
		if (r < 0)
			break;
	}
	async_std_deadline_pop(prev);
	for (int i = 0; i < n; i++)
		ct_close(fds[i]);
	ct_close(l);
	CHECK_MSG(r == -1 && err == ETIMEDOUT, "connect #%d gave %d (%s)", n, r, ct_errname(err));
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(reader_and_writer_of_one_blocking_pipe_both_finish),
	cmocka_unit_test(poll_for_an_event_a_regular_file_never_reports_waits_without_starving_its_worker),
	cmocka_unit_test(plain_thread_read_of_a_blocking_pipe_honours_its_deadline),
	cmocka_unit_test(readv_with_more_than_IOV_MAX_vectors_fails_with_EINVAL),
	cmocka_unit_test(unix_connect_to_a_full_backlog_waits_instead_of_failing_with_EAGAIN),
};
CT_GROUP(ct_edges_group, "edges", tests);
