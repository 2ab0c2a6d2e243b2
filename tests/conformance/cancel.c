/* SPDX-License-Identifier: MIT */
/*
 * cancel.c - ECANCELED and ETIMEDOUT from every kind of blocking call.
 *
 * One table of operations, each a call that would block (an idle socket, a
 * full send buffer, a listener nobody connects to, a task that never ends...),
 * run in up to four ways (the shared machinery is in waits.c):
 *   cancel_while_blocked_in_<op>  another task cancels the caller while it
 *                                 waits (best effort: the outcome is the same
 *                                 if the cancel comes first);
 *   cancel_before_<op>            the caller was cancelled before the call;
 *   deadline_during_<op>          a deadline 20 ms away passes during the call;
 *   deadline_passed_before_<op>   the deadline had passed before the call.
 * Cancellation is sticky: after ECANCELED the same call fails again.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

enum {
	NEED_SV = 1 << 0,     /* idle socket pair */
	NEED_FULL = 1 << 1,   /* socket pair whose send buffer is full */
	NEED_PIPE = 1 << 2,   /* idle pipe, made by the application (blocking) */
	NEED_LISTEN = 1 << 3, /* listener nobody connects to */
	NEED_BUSY = 1 << 4,   /* listener whose accept queue is full */
	NEED_STUCK = 1 << 5,  /* a task that does not finish by itself */
	NEED_PIPE_NB = 1 << 6, /* idle O_NONBLOCK pipe, made by the application */
	NEED_PIPE_FULL = 1 << 7, /* full pipe, blocking, made by the application */
	NEED_FILE = 1 << 8,   /* a regular file in a temporary directory */
};

/* An op returns the errno of the failed call, OP_COMPLETED if the call
 * succeeded, or OP_EAI_BASE - rc for a getaddrinfo EAI_* result. */
#define OP_COMPLETED (-1)
#define OP_EAI_BASE (1 << 20)

struct op_env;
struct op {
	struct ct_wait_op base;
	unsigned needs;
	int (*run)(struct op_env *e);
};

struct op_env {
	struct ct_wait w; /* first */
	const struct op *op;
	int sv[2], full[2], pipefd[2];
	int lfd, busy_lfd, busy_fill[3];
	struct sockaddr_storage busy_addr;
	socklen_t busy_len;
	int conn_fd[2];
	int nconn;
	async_std_task *stuck;
	char dir[32];
	int file;
};

static const char *op_result_name(int v)
{
	static __thread char buf[64];
	if (v == OP_COMPLETED)
		return "success (the call did not fail)";
	if (v >= OP_EAI_BASE) {
		snprintf(buf, sizeof buf, "EAI code %d (%s)", OP_EAI_BASE - v,
			 gai_strerror(OP_EAI_BASE - v));
		return buf;
	}
	return ct_errname(v);
}

static int result(long long r)
{
	return r < 0 ? errno : OP_COMPLETED;
}

/* ---- the operations ------------------------------------------------------ */

static int op_sleep(struct op_env *e)
{
	(void)e;
	return result(async_std_sleep(CT_FOREVER_NS));
}

static int op_sleep_until(struct op_env *e)
{
	(void)e;
	return result(async_std_sleep_until(async_std_now() + CT_FOREVER_NS));
}

static int op_read(struct op_env *e)
{
	char b[16];
	return result(async_std_read(e->sv[0], b, sizeof b));
}

static int op_readv(struct op_env *e)
{
	char a[4], b[12];
	struct iovec iov[2] = { { a, sizeof a }, { b, sizeof b } };
	return result(async_std_readv(e->sv[0], iov, 2));
}

static int op_recv(struct op_env *e)
{
	char b[16];
	return result(async_std_recv(e->sv[0], b, sizeof b, 0));
}

static int op_recvfrom(struct op_env *e)
{
	char b[16];
	return result(async_std_recvfrom(e->sv[0], b, sizeof b, 0, NULL, NULL));
}

static int op_recvmsg(struct op_env *e)
{
	char b[16];
	struct iovec iov = { b, sizeof b };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	return result(async_std_recvmsg(e->sv[0], &m, 0));
}

static int op_poll(struct op_env *e)
{
	return result(async_std_poll(e->sv[0], POLLIN));
}

static int op_poll_out(struct op_env *e)
{
	return result(async_std_poll(e->full[0], POLLOUT));
}

static int op_pipe_nb_read(struct op_env *e)
{
	char b[16];
	return result(async_std_read(e->pipefd[0], b, sizeof b));
}

static char out_buf[4096];

static int op_pipe_poll(struct op_env *e)
{
	return result(async_std_poll(e->pipefd[0], POLLIN));
}

static int op_pipe_write(struct op_env *e)
{
	return result(async_std_write(e->pipefd[1], out_buf, sizeof out_buf));
}

static int op_openat(struct op_env *e)
{
	int fd = async_std_openat(AT_FDCWD, e->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd >= 0)
		ct_close(fd);
	return result(fd);
}

static int op_fsync(struct op_env *e)
{
	return result(async_std_fsync(e->file));
}

static int op_pread(struct op_env *e)
{
	char b[4];
	return result(async_std_pread(e->file, b, sizeof b, 0));
}

static int op_pwrite(struct op_env *e)
{
	return result(async_std_pwrite(e->file, "data", 4, 0));
}

static int op_tcp_connect(struct op_env *e)
{
	int fd = async_std_tcp_connect("127.0.0.1", ct_local_port(e->lfd));
	if (fd >= 0)
		ct_close(fd);
	return result(fd);
}

static int op_write(struct op_env *e)
{
	return result(async_std_write(e->full[0], out_buf, sizeof out_buf));
}

static int op_writev(struct op_env *e)
{
	struct iovec iov[2] = { { out_buf, 2048 }, { out_buf + 2048, 2048 } };
	return result(async_std_writev(e->full[0], iov, 2));
}

static int op_send(struct op_env *e)
{
	return result(async_std_send(e->full[0], out_buf, sizeof out_buf, 0));
}

static int op_sendto(struct op_env *e)
{
	return result(async_std_sendto(e->full[0], out_buf, sizeof out_buf, 0, NULL, 0));
}

static int op_sendmsg(struct op_env *e)
{
	struct iovec iov = { out_buf, sizeof out_buf };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	return result(async_std_sendmsg(e->full[0], &m, 0));
}

static int op_accept(struct op_env *e)
{
	int fd = async_std_accept(e->lfd, NULL, NULL);
	if (fd >= 0)
		ct_close(fd);
	return result(fd);
}

static int op_connect(struct op_env *e)
{
	int fd = async_std_socket(e->busy_addr.ss_family, SOCK_STREAM, 0);
	if (fd < 0)
		return errno;
	if (e->nconn < 2)
		e->conn_fd[e->nconn++] = fd; /* the parent closes it */
	return result(async_std_connect(fd, (struct sockaddr *)&e->busy_addr, e->busy_len));
}

static int op_join(struct op_env *e)
{
	return result(async_std_join(e->stuck, NULL));
}

static int op_pipe_read(struct op_env *e)
{
	char b[16];
	return result(async_std_read(e->pipefd[0], b, sizeof b));
}

static void *mark_ran(void *p)
{
	atomic_store(&((struct op_env *)p)->w.ran, 1);
	return NULL;
}

static int op_run_blocking(struct op_env *e)
{
	return result(async_std_run_blocking(mark_ran, e, NULL));
}

static void *does_nothing(void *arg)
{
	return arg;
}

static int op_block_on(struct op_env *e)
{
	(void)e;
	/* fn must not touch e: whether it runs is not specified. */
	return result(async_std_block_on(does_nothing, NULL, NULL));
}

static int op_getaddrinfo(struct op_env *e)
{
	(void)e;
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	errno = 0;
	int rc = async_std_getaddrinfo("localhost", "80", &hints, &res);
	if (rc == 0) {
		async_std_freeaddrinfo(res);
		return OP_COMPLETED;
	}
	if (rc == EAI_SYSTEM)
		return errno;
	return OP_EAI_BASE - rc;
}

/* ---- environment --------------------------------------------------------- */

static void *stuck_main(void *unused)
{
	(void)unused;
	int64_t prev = async_std_deadline_push(async_std_now() + ct_deadline_ns);
	async_std_sleep(CT_FOREVER_NS);
	async_std_deadline_pop(prev);
	return NULL;
}

static void *env_setup(struct op_env *e, const struct op *op)
{
	e->op = op;
	e->sv[0] = e->sv[1] = e->full[0] = e->full[1] = -1;
	e->pipefd[0] = e->pipefd[1] = e->lfd = e->busy_lfd = -1;
	e->busy_fill[0] = e->busy_fill[1] = e->busy_fill[2] = -1;
	e->file = -1;
	if (op->needs & NEED_SV)
		CHECK_OK(ct_socketpair(e->sv));
	if (op->needs & NEED_FULL) {
		CHECK_OK(ct_socketpair(e->full));
		CHECK_OK(ct_fill_sendbuf(e->full[0]));
	}
	if (op->needs & NEED_PIPE)
		CHECK_OK(pipe2(e->pipefd, O_CLOEXEC));
	if (op->needs & NEED_PIPE_NB)
		CHECK_OK(pipe2(e->pipefd, O_CLOEXEC | O_NONBLOCK));
	if (op->needs & NEED_PIPE_FULL) {
		/* Filled through a non-blocking moment, then blocking again as
		 * the application made it. */
		CHECK_OK(pipe2(e->pipefd, O_CLOEXEC));
		CHECK_OK(fcntl(e->pipefd[1], F_SETFL, O_NONBLOCK));
		while (write(e->pipefd[1], out_buf, sizeof out_buf) > 0)
			;
		CHECK_MSG(errno == EAGAIN, "filling the pipe: %s", ct_errname(errno));
		CHECK_OK(fcntl(e->pipefd[1], F_SETFL, 0));
	}
	if (op->needs & NEED_FILE) {
		snprintf(e->dir, sizeof e->dir, "/tmp/as-cancel-XXXXXX");
		CHECK(mkdtemp(e->dir) != NULL);
		char path[48];
		snprintf(path, sizeof path, "%s/f", e->dir);
		CHECK_OK(e->file = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0600));
		CHECK_INT(write(e->file, "abcd", 4), ==, 4);
	}
	if (op->needs & NEED_LISTEN)
		CHECK_OK(e->lfd = async_std_tcp_listen("127.0.0.1", 0, 16));
	if (op->needs & NEED_BUSY) {
		/* Backlog 0: one connection fills the accept queue and later
		 * SYNs are dropped, so a further connect stays pending. */
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		CHECK_OK(e->busy_lfd = async_std_socket(AF_INET, SOCK_STREAM, 0));
		CHECK_OK(async_std_bind(e->busy_lfd, (struct sockaddr *)&a, sizeof a));
		CHECK_OK(async_std_listen(e->busy_lfd, 0));
		e->busy_len = sizeof e->busy_addr;
		CHECK_OK(getsockname(e->busy_lfd, (struct sockaddr *)&e->busy_addr, &e->busy_len));
		CHECK_OK(e->busy_fill[0] = async_std_tcp_connect("127.0.0.1",
								 ct_local_port(e->busy_lfd)));
		for (int i = 1; i < 3; i++) {
			CHECK_OK(e->busy_fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK |
								    SOCK_CLOEXEC, 0));
			int rc = connect(e->busy_fill[i], (struct sockaddr *)&e->busy_addr,
					 e->busy_len);
			CHECK_MSG(rc == 0 || errno == EINPROGRESS, "filling connect: %s",
				  ct_errname(errno));
		}
	}
	if (op->needs & NEED_STUCK)
		CHECK((e->stuck = async_std_spawn(stuck_main, NULL)) != NULL);
	return NULL;
}

static void *env_teardown(struct op_env *e)
{
	int fds[] = { e->sv[0], e->sv[1], e->full[0], e->full[1], e->lfd, e->busy_lfd,
		      e->busy_fill[0] };
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
		ct_close(fds[i]);
	for (int i = 0; i < e->nconn; i++)
		ct_close(e->conn_fd[i]);
	for (int i = 1; i < 3; i++)
		if (e->busy_fill[i] >= 0)
			close(e->busy_fill[i]);
	if (e->pipefd[0] >= 0) {
		ct_close(e->pipefd[0]);
		ct_close(e->pipefd[1]);
	}
	if (e->file >= 0) {
		char path[48];
		snprintf(path, sizeof path, "%s/f", e->dir);
		unlink(path);
		rmdir(e->dir);
		ct_close(e->file);
	}
	if (e->stuck) {
		/* A join that failed with ECANCELED/ETIMEDOUT leaves the task
		 * joinable. */
		CHECK_OK(async_std_cancel(e->stuck));
		CHECK_OK(async_std_join(e->stuck, NULL));
	}
	return NULL;
}

static void *env_setup_op(struct ct_wait *w)
{
	return env_setup((struct op_env *)w, (const struct op *)w->op);
}

static void *env_teardown_op(struct ct_wait *w)
{
	return env_teardown((struct op_env *)w);
}

static int env_run(struct ct_wait *w)
{
	struct op_env *e = (struct op_env *)w;
	return e->op->run(e);
}

static const struct ct_wait_kind cancel_ops = {
	.env_size = sizeof(struct op_env),
	.setup = env_setup_op,
	.teardown = env_teardown_op,
	.run = env_run,
	.result_name = op_result_name,
	.child_deadline = 1,
	.check_ran = 1,
};

/* ---- the table ------------------------------------------------------------ */

/* Calls that wait: all four ways. */
#define BLOCKING_OPS(X)                 \
	X(sleep, 0)                     \
	X(sleep_until, 0)               \
	X(read, NEED_SV)                \
	X(readv, NEED_SV)               \
	X(recv, NEED_SV)                \
	X(recvfrom, NEED_SV)            \
	X(recvmsg, NEED_SV)             \
	X(poll, NEED_SV)                \
	X(poll_out, NEED_FULL)          \
	X(write, NEED_FULL)             \
	X(writev, NEED_FULL)            \
	X(send, NEED_FULL)              \
	X(sendto, NEED_FULL)            \
	X(sendmsg, NEED_FULL)           \
	X(accept, NEED_LISTEN)          \
	X(connect, NEED_BUSY)           \
	X(join, NEED_STUCK)             \
	X(pipe_read, NEED_PIPE)         \
	X(pipe_nb_read, NEED_PIPE_NB)   \
	X(pipe_poll, NEED_PIPE)         \
	X(pipe_write, NEED_PIPE_FULL)

/* Calls that finish quickly by themselves: cancelled or timed out only
 * before they start (run_blocking then must not run fn). */
#define IMMEDIATE_OPS(X)                \
	X(run_blocking, 0)              \
	X(block_on, 0)                  \
	X(getaddrinfo, 0)               \
	X(tcp_connect, NEED_LISTEN)     \
	X(openat, NEED_FILE)            \
	X(fsync, NEED_FILE)             \
	X(pread, NEED_FILE)             \
	X(pwrite, NEED_FILE)

#define DEFINE_OP(name, needs) \
	static const struct op op_desc_##name = { { #name, &cancel_ops }, needs, op_##name };
BLOCKING_OPS(DEFINE_OP)
IMMEDIATE_OPS(DEFINE_OP)

#define DEFINE_BLOCKING_TESTS(name, needs) CT_WAYS_ALL_TESTS(name, op_desc_##name)
#define DEFINE_IMMEDIATE_TESTS(name, needs) CT_WAYS_BEFORE_TESTS(name, op_desc_##name)
BLOCKING_OPS(DEFINE_BLOCKING_TESTS)
IMMEDIATE_OPS(DEFINE_IMMEDIATE_TESTS)

/* ---- cancellation semantics beyond single calls ---------------------------- */

struct sticky {
	atomic_int started;
	int sv[2];
	int e_sleep, e_read, e_sleep_again;
	int yield_rc;
};

static void *cancels_itself(void *p)
{
	struct sticky *s = p;
	async_std_cancel(async_std_self());
	s->yield_rc = async_std_yield();
	char b;
	s->e_sleep = async_std_sleep(CT_MS) < 0 ? errno : 0;
	s->e_read = async_std_read(s->sv[0], &b, 1) < 0 ? errno : 0;
	s->e_sleep_again = async_std_sleep(0) < 0 ? errno : 0;
	return (void *)(uintptr_t)0xc0ffee;
}

CT_TEST(cancellation_is_sticky_across_different_calls_and_the_result_survives)
{
	struct sticky *s = ct_alloc(sizeof *s);
	CHECK_OK(ct_socketpair(s->sv));
	async_std_task *t = async_std_spawn(cancels_itself, s);
	CHECK(t != NULL);
	void *res = NULL;
	CHECK_OK(async_std_join(t, &res));
	CHECK_INT((uintptr_t)res, ==, 0xc0ffee);
	CHECK_INT(s->yield_rc, ==, 0);
	CHECK_ERR_VALUE(s->e_sleep, ECANCELED);
	CHECK_ERR_VALUE(s->e_read, ECANCELED);
	CHECK_ERR_VALUE(s->e_sleep_again, ECANCELED);
	ct_close(s->sv[0]);
	ct_close(s->sv[1]);
	return NULL;
}

CT_TEST(read_after_cancel_fails_even_with_data_waiting_and_leaves_the_data)
{
	struct sticky *s = ct_alloc(sizeof *s);
	CHECK_OK(ct_socketpair(s->sv));
	CHECK_INT(async_std_write(s->sv[1], "z", 1), ==, 1);
	async_std_task *t = async_std_spawn(cancels_itself, s);
	CHECK(t != NULL);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_ERR_VALUE(s->e_read, ECANCELED);
	char b = 0;
	CHECK_INT(async_std_read(s->sv[0], &b, 1), ==, 1);
	CHECK_INT(b, ==, 'z');
	ct_close(s->sv[0]);
	ct_close(s->sv[1]);
	return NULL;
}

static void *never_blocks(void *arg)
{
	volatile uintptr_t x = (uintptr_t)arg;
	for (int i = 0; i < 1000; i++)
		x = x * 3 + 1;
	return (void *)(uintptr_t)1234;
}

CT_TEST(cancel_of_a_task_that_never_blocks_keeps_its_result)
{
	async_std_task *t = async_std_spawn(never_blocks, NULL);
	CHECK(t != NULL);
	CHECK_OK(async_std_cancel(t));
	void *res = NULL;
	CHECK_OK(async_std_join(t, &res));
	CHECK_INT((uintptr_t)res, ==, 1234);
	return NULL;
}

struct rb_cancel {
	atomic_int fn_started, release;
	async_std_task *task;
	int rb_rc, rb_err, later_err;
	void *rb_res;
};

static void *waits_for_release(void *p)
{
	struct rb_cancel *c = p;
	atomic_store(&c->fn_started, 1);
	/* On a pool thread: no ABI calls, just wait for the test. */
	while (!atomic_load(&c->release))
		usleep(100);
	return (void *)(uintptr_t)4321;
}

static void *calls_run_blocking(void *p)
{
	struct rb_cancel *c = p;
	errno = 0;
	c->rb_rc = async_std_run_blocking(waits_for_release, c, &c->rb_res);
	c->rb_err = errno;
	c->later_err = async_std_sleep(CT_MS) < 0 ? errno : 0;
	return NULL;
}

CT_TEST(run_blocking_cancelled_while_fn_runs_waits_and_returns_its_result)
{
	struct rb_cancel *c = ct_alloc(sizeof *c);
	async_std_task *t = async_std_spawn(calls_run_blocking, c);
	CHECK(t != NULL);
	int rc = ct_wait_flag(&c->fn_started, 1);
	if (rc == 0)
		rc = async_std_cancel(t);
	atomic_store(&c->release, 1);
	CHECK_OK(rc);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_MSG(c->rb_rc == 0, "run_blocking gave %d/%s", c->rb_rc, ct_errname(c->rb_err));
	CHECK_INT((uintptr_t)c->rb_res, ==, 4321);
	CHECK_ERR_VALUE(c->later_err, ECANCELED); /* still cancelled afterwards */
	return NULL;
}

struct rb_release {
	struct rb_cancel *c;
	atomic_int give_up; /* fn will not run: the call timed out first */
	int64_t after;
};

/* Releases fn once it runs and the caller's deadline has passed. */
static void *release_after(void *p)
{
	struct rb_release *r = p;
	while (!atomic_load(&r->c->fn_started) && !atomic_load(&r->give_up))
		if (async_std_sleep(CT_MS) != 0)
			return CT_FAIL;
	async_std_sleep_until(r->after);
	atomic_store(&r->c->release, 1);
	return NULL;
}

/* One try with the deadline `margin` from now: 0 with *res and the call's
 * result filled in, or 1 if the deadline passed before fn could start (a
 * slow machine; the caller tries again with more time). */
static int rb_deadline_try(int64_t margin, int *rb, int *err, void **res)
{
	struct rb_cancel *c = ct_alloc(sizeof *c);
	struct rb_release *r = ct_alloc(sizeof *r);
	int64_t d = async_std_now() + margin;
	r->c = c;
	r->after = d + CT_MS;
	async_std_task *helper = async_std_spawn(release_after, r);
	if (!helper)
		return -1;
	int64_t prev = async_std_deadline_push(d);
	errno = 0;
	*res = NULL;
	*rb = async_std_run_blocking(waits_for_release, c, res);
	*err = errno;
	async_std_deadline_pop(prev);
	int late = !atomic_load(&c->fn_started) && *rb == -1 && *err == ETIMEDOUT;
	atomic_store(&r->give_up, 1);
	atomic_store(&c->release, 1);
	if (async_std_join(helper, NULL) != 0)
		return -1;
	return late;
}

CT_TEST(run_blocking_whose_deadline_passes_while_fn_runs_returns_its_result)
{
	/* The deadline must still be ahead when fn starts: on a slow machine
	 * 10 ms may not be enough, so the margin grows until it is. */
	int rb = -1, err = 0, late = 1;
	void *res = NULL;
	for (int64_t margin = 10 * CT_MS; late == 1 && margin <= 20 * CT_SEC; margin *= 4)
		late = rb_deadline_try(margin, &rb, &err, &res);
	CHECK_MSG(late != -1, "spawning or joining the helper failed: %s", ct_errname(errno));
	CHECK_MSG(late == 0, "fn never started before a deadline up to 20 s away");
	CHECK_MSG(rb == 0, "run_blocking gave %d/%s", rb, ct_errname(err));
	CHECK_INT((uintptr_t)res, ==, 4321);
	return NULL;
}

CT_TEST(join_interrupted_by_a_deadline_leaves_the_task_joinable)
{
	async_std_task *t = async_std_spawn(stuck_main, NULL);
	CHECK(t != NULL);
	int64_t prev = async_std_deadline_push(async_std_now() + 5 * CT_MS);
	CHECK_ERRNO(async_std_join(t, NULL), ETIMEDOUT);
	async_std_deadline_pop(prev);
	CHECK_OK(async_std_cancel(t));
	CHECK_OK(async_std_join(t, NULL));
	return NULL;
}

#define LIST_BLOCKING_TESTS(name, needs) CT_WAYS_ALL_LIST(name)
#define LIST_IMMEDIATE_TESTS(name, needs) CT_WAYS_BEFORE_LIST(name)

static const struct CMUnitTest tests[] = {
	BLOCKING_OPS(LIST_BLOCKING_TESTS)
	IMMEDIATE_OPS(LIST_IMMEDIATE_TESTS)
	cmocka_unit_test(cancellation_is_sticky_across_different_calls_and_the_result_survives),
	cmocka_unit_test(read_after_cancel_fails_even_with_data_waiting_and_leaves_the_data),
	cmocka_unit_test(cancel_of_a_task_that_never_blocks_keeps_its_result),
	cmocka_unit_test(run_blocking_cancelled_while_fn_runs_waits_and_returns_its_result),
	cmocka_unit_test(run_blocking_whose_deadline_passes_while_fn_runs_returns_its_result),
	cmocka_unit_test(join_interrupted_by_a_deadline_leaves_the_task_joinable),
};
CT_GROUP(ct_cancel_group, "cancellation", tests);
