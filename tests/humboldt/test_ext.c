/*
 * test_ext.c - humboldt's extension API (humboldt.h), run under
 * LD_PRELOAD=libhumboldt.so (built with HUMBOLDT_WEAK: linked against the
 * abi stub only) or linked with libhumboldt.a.
 *
 * Each extension works; on a kernel whose probe lacks what it needs, the
 * call fails with ENOTSUP and the test skips, saying why; when io_uring is
 * not available at all (tests/humboldt/no_uring: the epoll fallback) the
 * call fails with ENOTSUP and the test passes; from a plain thread every
 * call fails with ENOTSUP.  A deadline or a cancel of a blocked call returns
 * only once the kernel has let go of the buffer: the data that arrives next
 * is still there for the next reader, and the buffer was not written to.
 *
 *   test_ext [PATTERN]   runs the tests whose names match PATTERN (cmocka)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>
#include <liburing.h>

#include "async_std.h"
#include "humboldt.h"

#define MS 1000000LL
#define SEC 1000000000LL

/* ---- running a body as a task ---------------------------------------------- */
/* A body returns NULL, or a message saying what failed (file:line). */
typedef char *(*body_fn)(void *arg);

static const char *errname(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";
	return n ? n : "?";
}

static char *failf(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static char *failf(const char *file, int line, const char *fmt, ...)
{
	char *msg, *out;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (asprintf(&out, "%s:%d: %s", file, line, msg ? msg : "?") < 0)
		out = "failed (and no memory for the message)";
	free(msg);
	return out;
}

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond))                                                        \
			return failf(__FILE__, __LINE__, "%s (errno %s)", #cond,   \
				     errname(errno));                               \
	} while (0)

#define CHECK_INT(a, op, b)                                                         \
	do {                                                                        \
		long long a_ = (long long)(a), b_ = (long long)(b);                 \
		if (!(a_ op b_))                                                    \
			return failf(__FILE__, __LINE__, "%s %s %s: %lld vs %lld (errno %s)", \
				     #a, #op, #b, a_, b_, errname(errno));          \
	} while (0)

/* The call must fail with -1 (or NULL) and errno err. */
#define CHECK_ERRNO(call, err)                                                      \
	do {                                                                        \
		errno = 0;                                                          \
		long long r_ = (long long)(intptr_t)(call);                         \
		int e_ = errno;                                                     \
		if ((r_ != -1 && r_ != 0) || e_ != (err))                           \
			return failf(__FILE__, __LINE__,                            \
				     "%s: expected failure with %s, got %lld, errno %s", \
				     #call, errname(err), r_, errname(e_));         \
	} while (0)

#define CHECK_BODY(call)                                                            \
	do {                                                                        \
		char *m_ = (call);                                                  \
		if (m_)                                                             \
			return m_;                                                  \
	} while (0)

struct run {
	body_fn fn;
	void *arg;
	char *msg;
};

static void *trampoline(void *p)
{
	struct run *r = p;
	/* A safety net: a call that hangs fails the test instead. */
	int64_t prev = async_std_deadline_push(async_std_now() + 20 * SEC);
	r->msg = r->fn(r->arg);
	async_std_deadline_pop(prev);
	return NULL;
}

static void run_in_task(body_fn fn, void *arg)
{
	struct run r = { .fn = fn, .arg = arg };
	assert_int_equal(async_std_block_on(trampoline, &r, NULL), 0);
	if (r.msg)
		fail_msg("%s", r.msg);
}

/* Runs on the calling task's worker (so it shares its ring). */
static async_std_task *spawn_local(async_std_fn fn, void *arg)
{
	async_std_spawn_attr at = { .size = sizeof at, .flags = ASYNC_STD_SPAWN_LOCAL };
	return async_std_spawn_ex(fn, arg, &at);
}

/* ---- what the kernel has, by the test's own probe ---------------------------- */
enum { URING_NONE, URING_NO_PROBE, URING_OK };
static int uring_mode;
static struct io_uring_probe *probe;

static const struct {
	int feature;
	int ops[2];
	const char *what;
} kernel_needs[] = {
	{ HUMBOLDT_MULTISHOT_ACCEPT, { IORING_OP_ACCEPT, IORING_OP_SOCKET },
	  "multishot accept (Linux 5.19, IORING_OP_SOCKET's release)" },
	{ HUMBOLDT_BUFFER_RING, { IORING_OP_RECV, IORING_OP_SOCKET },
	  "provided-buffer rings (Linux 5.19, IORING_OP_SOCKET's release)" },
	{ HUMBOLDT_SEND_ZC, { IORING_OP_SEND_ZC, IORING_OP_SEND_ZC },
	  "IORING_OP_SEND_ZC (Linux 6.0)" },
	{ HUMBOLDT_REGISTERED_FILES, { IORING_OP_FILES_UPDATE, IORING_OP_FILES_UPDATE },
	  "IORING_OP_FILES_UPDATE (Linux 5.6)" },
	{ HUMBOLDT_REGISTERED_BUFFERS, { IORING_OP_READ_FIXED, IORING_OP_WRITE_FIXED },
	  "IORING_OP_READ_FIXED (Linux 5.1)" },
	{ HUMBOLDT_LINK_TIMEOUT, { IORING_OP_LINK_TIMEOUT, IORING_OP_RECV },
	  "IORING_OP_LINK_TIMEOUT and IORING_OP_RECV (Linux 5.6)" },
};

static void probe_kernel(void)
{
	struct io_uring r;
	/* As patient as humboldt's own probe: under a low `ulimit -l`, rings of
	 * processes that just ended still count for a few milliseconds. */
	int e = io_uring_queue_init(4, &r, 0);
	for (unsigned ms = 2; e == -ENOMEM && ms <= 32; ms *= 2) {
		usleep(ms * 1000);
		e = io_uring_queue_init(4, &r, 0);
	}
	if (e < 0) {
		uring_mode = URING_NONE;
		return;
	}
	probe = io_uring_get_probe_ring(&r);
	io_uring_queue_exit(&r);
	uring_mode = probe ? URING_OK : URING_NO_PROBE;
}

/* Why the kernel cannot give `feature`, or NULL when it can. */
static const char *kernel_lacks(int feature)
{
	if (uring_mode == URING_NONE)
		return "io_uring itself (humboldt runs on its epoll fallback)";
	if (uring_mode == URING_NO_PROBE)
		return "the io_uring probe (Linux 5.6)";
	for (size_t i = 0; i < sizeof kernel_needs / sizeof kernel_needs[0]; i++) {
		if (kernel_needs[i].feature != feature)
			continue;
		if (!io_uring_opcode_supported(probe, kernel_needs[i].ops[0]) ||
		    !io_uring_opcode_supported(probe, kernel_needs[i].ops[1]))
			return kernel_needs[i].what;
	}
	return NULL;
}

/* True when the test should go on and use `feature`.  Otherwise
 * humboldt_supported must say 0 and `unsupported` (a body that calls the
 * extension with valid arguments) must see ENOTSUP; then the test passes
 * under the epoll fallback, where that is the documented behaviour, and is
 * skipped with the reason on a kernel that lacks the opcode. */
static bool gate(int feature, body_fn unsupported)
{
	const char *why = kernel_lacks(feature);
	if (!why) {
		assert_int_equal(humboldt_supported(feature), 1);
		return true;
	}
	assert_int_equal(humboldt_supported(feature), 0);
	run_in_task(unsupported, NULL);
	if (uring_mode == URING_NONE) {
		print_message("    no io_uring: the call said ENOTSUP, as it must on the "
			      "epoll fallback\n");
		return false;
	}
	print_message("    skipped: the kernel lacks %s; the call said ENOTSUP\n", why);
	skip();
	return false;
}

/* ---- fixtures ---------------------------------------------------------------- */
static int port_of(int lfd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	if (getsockname(lfd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	return ntohs(sa.sin_port);
}

/* A connected TCP pair on the loopback: fds[0] accepted, fds[1] connecting. */
static char *tcp_pair(int fds[2])
{
	int lfd = async_std_tcp_listen("127.0.0.1", 0, 4);
	CHECK(lfd >= 0);
	fds[1] = async_std_tcp_connect("127.0.0.1", port_of(lfd));
	CHECK(fds[1] >= 0);
	fds[0] = async_std_accept(lfd, NULL, NULL);
	CHECK(fds[0] >= 0);
	async_std_close(lfd);
	return NULL;
}

static void close_pair(int fds[2])
{
	async_std_close(fds[0]);
	async_std_close(fds[1]);
}

/* A blocked call in a child task, for the cancellation tests. */
struct blocked {
	int fd;
	void *ctx;                  /* the extension's handle */
	void *buf;                  /* where to read, when not on the stack */
	ssize_t r;
	int err;
	bool buffer_untouched;      /* the child's stack buffer kept its fill */
};

/* Runs child on this worker, lets it block (a yield runs it until it
 * waits), cancels it and joins it.  Had the cancel come first, the outcome
 * would be the same. */
static char *cancel_blocked(async_std_fn child, struct blocked *b)
{
	async_std_task *t = spawn_local(child, b);
	CHECK(t != NULL);
	async_std_yield();
	CHECK_INT(async_std_cancel(t), ==, 0);
	CHECK_INT(async_std_join(t, NULL), ==, 0);
	return NULL;
}

/* fd's next bytes are exactly `want` (what a cancelled call must not have
 * taken). */
static char *next_bytes_are(int fd, const char *want)
{
	char got[64] = { 0 };
	size_t n = strlen(want), have = 0;
	while (have < n) {
		ssize_t r = async_std_read(fd, got + have, n - have);
		CHECK(r > 0);
		have += (size_t)r;
	}
	if (memcmp(got, want, n) != 0)
		return failf(__FILE__, __LINE__, "read \"%.*s\", expected \"%s\"", (int)n, got,
			     want);
	return NULL;
}

/* ---- from a plain thread, every call fails with ENOTSUP ---------------------- */
static char *plain_thread_calls(void *arg)
{
	(void)arg;
	int sv[2];
	char buf[8];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	struct iovec iov = { buf, sizeof buf };
	CHECK_ERRNO(humboldt_accept_start(sv[0]), ENOTSUP);
	CHECK_ERRNO(humboldt_bufring_create(4, 64), ENOTSUP);
	CHECK_ERRNO(humboldt_send_zc(sv[0], "x", 1, 0), ENOTSUP);
	CHECK_ERRNO(humboldt_file_register(sv[0]), ENOTSUP);
	CHECK_ERRNO(humboldt_file_unregister(sv[0]), ENOTSUP);
	CHECK_ERRNO(humboldt_buffers_register(&iov, 1), ENOTSUP);
	CHECK_ERRNO(humboldt_recv_timeout(sv[0], buf, sizeof buf, 0, MS), ENOTSUP);
	CHECK_ERRNO(humboldt_read_timeout(sv[0], buf, sizeof buf, MS), ENOTSUP);
	CHECK_ERRNO(humboldt_supported(0), EINVAL);
	CHECK_ERRNO(humboldt_supported(HUMBOLDT_LINK_TIMEOUT + 1), EINVAL);
	close(sv[0]);
	close(sv[1]);
	return NULL;
}

static void test_plain_thread_gets_enotsup(void **state)
{
	(void)state;
	char *m = plain_thread_calls(NULL);
	if (m)
		fail_msg("%s", m);
}

/* ---- multishot accept ---------------------------------------------------------- */
static char *accept_unsupported(void *arg)
{
	(void)arg;
	int lfd = async_std_tcp_listen("127.0.0.1", 0, 4);
	CHECK(lfd >= 0);
	CHECK_ERRNO(humboldt_accept_start(lfd), ENOTSUP);
	async_std_close(lfd);
	return NULL;
}

enum { CLIENTS = 16 };

struct client {
	int port;
	unsigned char id;
	int err;
};

/* Connects, sends its id, waits for the server to close. */
static void *client_main(void *p)
{
	struct client *c = p;
	char b;
	int fd = async_std_tcp_connect("127.0.0.1", c->port);
	if (fd < 0 || async_std_write(fd, &c->id, 1) != 1 || async_std_read(fd, &b, 1) != 0)
		c->err = errno ? errno : EIO;
	if (fd >= 0)
		async_std_close(fd);
	return NULL;
}

static char *accept_many(void *arg)
{
	(void)arg;
	int lfd = async_std_tcp_listen("127.0.0.1", 0, CLIENTS);
	CHECK(lfd >= 0);
	humboldt_acceptor *a = humboldt_accept_start(lfd);
	CHECK(a != NULL);
	struct client cs[CLIENTS];
	async_std_task *ts[CLIENTS];
	bool seen[CLIENTS] = { false };
	for (int i = 0; i < CLIENTS; i++) {
		cs[i] = (struct client){ .port = port_of(lfd), .id = (unsigned char)i };
		ts[i] = async_std_spawn(client_main, &cs[i]);
		CHECK(ts[i] != NULL);
	}
	for (int i = 0; i < CLIENTS; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int fd = humboldt_accept_next(a, (struct sockaddr *)&ss, &len);
		CHECK(fd >= 0);
		CHECK(len > 0 && ss.ss_family == AF_INET);
		CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
		CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
		unsigned char id = 0xff;
		CHECK_INT(async_std_read(fd, &id, 1), ==, 1);
		CHECK(id < CLIENTS && !seen[id]);
		seen[id] = true;
		async_std_close(fd);
	}
	for (int i = 0; i < CLIENTS; i++) {
		CHECK_INT(async_std_join(ts[i], NULL), ==, 0);
		CHECK_INT(cs[i].err, ==, 0);
	}
	CHECK_INT(humboldt_accept_stop(a), ==, 0);
	async_std_close(lfd);
	return NULL;
}

static void test_multishot_accept_delivers_every_connection(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_MULTISHOT_ACCEPT, accept_unsupported))
		run_in_task(accept_many, NULL);
}

static void *child_accept_next(void *p)
{
	struct blocked *b = p;
	b->r = humboldt_accept_next(b->ctx, NULL, NULL);
	b->err = b->r < 0 ? errno : 0;
	return NULL;
}

struct plain_call {
	humboldt_acceptor *a;
	int next_err, stop_err;
};

static void *plain_uses_acceptor(void *p)
{
	struct plain_call *c = p;
	errno = 0;
	if (humboldt_accept_next(c->a, NULL, NULL) < 0)
		c->next_err = errno;
	errno = 0;
	if (humboldt_accept_stop(c->a) < 0)
		c->stop_err = errno;
	return NULL;
}

static char *accept_interrupted(void *arg)
{
	(void)arg;
	int lfd = async_std_tcp_listen("127.0.0.1", 0, 8);
	CHECK(lfd >= 0);
	humboldt_acceptor *a = humboldt_accept_start(lfd);
	CHECK(a != NULL);

	/* A deadline passes in next: the accept stays armed. */
	int64_t prev = async_std_deadline_push(async_std_now() + 20 * MS);
	CHECK_ERRNO(humboldt_accept_next(a, NULL, NULL), ETIMEDOUT);
	async_std_deadline_pop(prev);
	int c1 = async_std_tcp_connect("127.0.0.1", port_of(lfd));
	CHECK(c1 >= 0);
	int s1 = humboldt_accept_next(a, NULL, NULL);
	CHECK(s1 >= 0);

	/* A task cancelled in next: ECANCELED, still armed, and a second
	 * waiter meanwhile is refused. */
	struct blocked b = { .ctx = a };
	async_std_task *t = spawn_local(child_accept_next, &b);
	CHECK(t != NULL);
	async_std_yield();
	CHECK_ERRNO(humboldt_accept_next(a, NULL, NULL), EBUSY);
	CHECK_INT(async_std_cancel(t), ==, 0);
	CHECK_INT(async_std_join(t, NULL), ==, 0);
	CHECK_INT(b.err, ==, ECANCELED);
	int c2 = async_std_tcp_connect("127.0.0.1", port_of(lfd));
	CHECK(c2 >= 0);
	int s2 = humboldt_accept_next(a, NULL, NULL);
	CHECK(s2 >= 0);

	/* Not this worker's: refused, and nothing changes. */
	struct plain_call pc = { .a = a };
	pthread_t th;
	CHECK(pthread_create(&th, NULL, plain_uses_acceptor, &pc) == 0);
	pthread_join(th, NULL);
	CHECK_INT(pc.next_err, ==, EXDEV);
	CHECK_INT(pc.stop_err, ==, EXDEV);

	/* stop closes what nobody took: the client sees the end. */
	int c3 = async_std_tcp_connect("127.0.0.1", port_of(lfd));
	CHECK(c3 >= 0);
	CHECK_INT(humboldt_accept_stop(a), ==, 0);
	async_std_close(lfd);
	char x;
	ssize_t r = async_std_read(c3, &x, 1);
	CHECK(r == 0 || (r < 0 && errno == ECONNRESET));
	async_std_close(c1);
	async_std_close(c2);
	async_std_close(c3);
	async_std_close(s1);
	async_std_close(s2);
	return NULL;
}

static void test_multishot_accept_survives_deadline_and_cancel(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_MULTISHOT_ACCEPT, accept_unsupported))
		run_in_task(accept_interrupted, NULL);
}

static char *accept_listener_closed(void *arg)
{
	(void)arg;
	int lfd = async_std_tcp_listen("127.0.0.1", 0, 8);
	CHECK(lfd >= 0);
	humboldt_acceptor *a = humboldt_accept_start(lfd);
	CHECK(a != NULL);
	struct blocked b = { .ctx = a };
	async_std_task *t = spawn_local(child_accept_next, &b);
	CHECK(t != NULL);
	async_std_yield();
	CHECK_INT(async_std_close(lfd), ==, 0);
	CHECK_INT(async_std_join(t, NULL), ==, 0);
	CHECK_INT(b.err, ==, EBADF);
	CHECK_ERRNO(humboldt_accept_next(a, NULL, NULL), EBADF);
	CHECK_INT(humboldt_accept_stop(a), ==, 0);
	return NULL;
}

static void test_multishot_accept_ends_with_ebadf_when_listener_closes(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_MULTISHOT_ACCEPT, accept_unsupported))
		run_in_task(accept_listener_closed, NULL);
}

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

static void test_buffer_ring_lends_a_filled_buffer_and_takes_it_back(void **state)
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

static void test_buffer_ring_runs_out_with_enobufs_and_ends_with_zero(void **state)
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

static void test_buffer_ring_deadline_and_cancel_give_the_buffer_back(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_BUFFER_RING, bufring_unsupported))
		run_in_task(bufring_interrupted, NULL);
}

/* ---- zero-copy send --------------------------------------------------------------- */
static char *send_zc_unsupported(void *arg)
{
	(void)arg;
	int fds[2];
	CHECK_BODY(tcp_pair(fds));
	CHECK_ERRNO(humboldt_send_zc(fds[1], "x", 1, 0), ENOTSUP);
	close_pair(fds);
	return NULL;
}

static unsigned char stream_byte(size_t pos)
{
	return (unsigned char)(pos % 251);
}

struct drain {
	int fd;
	size_t want;                /* bytes to read (SIZE_MAX: to the end) */
	size_t got;
	size_t bad_at;              /* first byte off the pattern, or SIZE_MAX */
	int err;
};

/* Reads the stream and checks every byte against stream_byte. */
static void *drain_main(void *p)
{
	struct drain *d = p;
	enum { LEN = 64 << 10 };
	unsigned char *buf = malloc(LEN);
	d->bad_at = SIZE_MAX;
	if (!buf) {
		d->err = ENOMEM;
		return NULL;
	}
	while (d->got < d->want) {
		size_t n = d->want - d->got < LEN ? d->want - d->got : LEN;
		ssize_t r = async_std_read(d->fd, buf, n);
		if (r <= 0) {
			d->err = r < 0 ? errno : 0;
			break;
		}
		for (ssize_t i = 0; i < r; i++)
			if (buf[i] != stream_byte(d->got + (size_t)i) && d->bad_at == SIZE_MAX)
				d->bad_at = d->got + (size_t)i;
		d->got += (size_t)r;
	}
	free(buf);
	return NULL;
}

static char *send_zc_whole(void *arg)
{
	(void)arg;
	enum { TOTAL = 1 << 20, CHUNK = 64 << 10 };
	int fds[2];
	CHECK_BODY(tcp_pair(fds));
	unsigned char *buf = malloc(CHUNK);
	CHECK(buf != NULL);
	struct drain d = { .fd = fds[0], .want = TOTAL };
	async_std_task *t = async_std_spawn(drain_main, &d);
	CHECK(t != NULL);
	for (size_t sent = 0; sent < TOTAL;) {
		size_t n = TOTAL - sent < CHUNK ? TOTAL - sent : CHUNK;
		for (size_t i = 0; i < n; i++)
			buf[i] = stream_byte(sent + i);
		ssize_t r = humboldt_send_zc(fds[1], buf, n, 0);
		CHECK(r > 0);
		/* Returned after the notification: the kernel is done with buf,
		 * so scribbling on it cannot reach the receiver. */
		memset(buf, 0xee, n);
		sent += (size_t)r;
	}
	CHECK_INT(async_std_join(t, NULL), ==, 0);
	CHECK_INT(d.got, ==, TOTAL);
	CHECK_INT(d.bad_at, ==, SIZE_MAX);

	/* Sockets without zero-copy support say so. */
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK_ERRNO(humboldt_send_zc(sv[0], "x", 1, 0), EOPNOTSUPP);
	close(sv[0]);
	close(sv[1]);
	free(buf);
	close_pair(fds);
	return NULL;
}

static void test_send_zc_sends_and_returns_after_the_notification(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_SEND_ZC, send_zc_unsupported))
		run_in_task(send_zc_whole, NULL);
}

static char *send_zc_deadline(void *arg)
{
	(void)arg;
	int fds[2];
	CHECK_BODY(tcp_pair(fds));
	int small = 4096;
	setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
	/* Fill the path until the kernel takes no more. */
	unsigned char chunk[4096];
	size_t filled = 0;
	for (;;) {
		for (size_t i = 0; i < sizeof chunk; i++)
			chunk[i] = stream_byte(filled + i);
		ssize_t r = send(fds[1], chunk, sizeof chunk, MSG_DONTWAIT);
		if (r < 0) {
			CHECK(errno == EAGAIN);
			break;
		}
		filled += (size_t)r;
	}
	enum { BIG = 256 << 10 };
	unsigned char *big = malloc(BIG);
	CHECK(big != NULL);
	for (size_t i = 0; i < BIG; i++)
		big[i] = stream_byte(filled + i);
	int64_t prev = async_std_deadline_push(async_std_now() + 20 * MS);
	errno = 0;
	ssize_t r = humboldt_send_zc(fds[1], big, BIG, 0);
	int err = errno;
	async_std_deadline_pop(prev);
	/* Nothing sent (ETIMEDOUT) or part of it (the count): either way the
	 * call waited for the notification, and the stream holds exactly
	 * that. */
	CHECK(r > 0 || (r < 0 && err == ETIMEDOUT));
	if (r > 0)
		print_message("    the deadline came after %zd of %d bytes\n", r, BIG);
	else
		print_message("    the deadline came before any byte: ETIMEDOUT\n");
	size_t total = filled + (r > 0 ? (size_t)r : 0);
	memset(big, 0xee, BIG);
	CHECK(shutdown(fds[1], SHUT_WR) == 0);
	struct drain d = { .fd = fds[0], .want = SIZE_MAX };
	drain_main(&d);
	CHECK_INT(d.err, ==, 0);
	CHECK_INT(d.got, ==, total);
	CHECK_INT(d.bad_at, ==, SIZE_MAX);
	free(big);
	close_pair(fds);
	return NULL;
}

static void test_send_zc_deadline_waits_for_the_notification(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_SEND_ZC, send_zc_unsupported))
		run_in_task(send_zc_deadline, NULL);
}

/* ---- registered files ------------------------------------------------------------- */
static char *files_unsupported(void *arg)
{
	(void)arg;
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK_ERRNO(humboldt_file_register(sv[0]), ENOTSUP);
	close(sv[0]);
	close(sv[1]);
	return NULL;
}

static char *files_by_slot(void *arg)
{
	(void)arg;
	int sv[2], ov[2];
	char c;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ov) == 0);
	CHECK_ERRNO(humboldt_file_register(-1), EBADF);
	CHECK_INT(humboldt_file_register(sv[0]), ==, 0);
	CHECK_INT(humboldt_file_register(sv[0]), ==, 0); /* already: nothing changes */
	CHECK_INT(async_std_write(sv[1], "a", 1), ==, 1);
	CHECK_INT(async_std_read(sv[0], &c, 1), ==, 1);
	CHECK(c == 'a');
	CHECK_INT(async_std_write(sv[0], "b", 1), ==, 1);
	CHECK_INT(async_std_read(sv[1], &c, 1), ==, 1);
	CHECK(c == 'b');

	/* The I/O goes by the slot: put another file behind the fd number
	 * without telling humboldt, and this worker still reads the
	 * registered one. */
	int saved = dup(sv[0]);
	CHECK(saved >= 0);
	CHECK(dup2(ov[0], sv[0]) == sv[0]);
	CHECK_INT(async_std_write(ov[1], "o", 1), ==, 1);
	CHECK_INT(async_std_write(sv[1], "s", 1), ==, 1);
	CHECK_INT(async_std_read(sv[0], &c, 1), ==, 1);
	CHECK(c == 's');
	CHECK_INT(humboldt_file_unregister(sv[0]), ==, 0);
	CHECK_INT(async_std_read(sv[0], &c, 1), ==, 1);
	CHECK(c == 'o');
	CHECK_ERRNO(humboldt_file_unregister(sv[0]), EINVAL);
	close(saved);
	close(sv[0]);
	close(sv[1]);
	close(ov[0]);
	close(ov[1]);
	return NULL;
}

static void test_registered_file_serves_io_by_its_slot(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_REGISTERED_FILES, files_unsupported))
		run_in_task(files_by_slot, NULL);
}

static char *files_close(void *arg)
{
	(void)arg;
	int sv[2];
	char c;
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK_INT(humboldt_file_register(sv[0]), ==, 0);
	CHECK_INT(async_std_close(sv[0]), ==, 0);
	/* The table let go: the peer sees the end at once. */
	CHECK_INT(async_std_read(sv[1], &c, 1), ==, 0);
	close(sv[1]);

	/* close(2) alone leaves the table's reference, as documented, until
	 * the fd is unregistered. */
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
	CHECK_INT(humboldt_file_register(sv[0]), ==, 0);
	close(sv[0]);
	int64_t prev = async_std_deadline_push(async_std_now() + 20 * MS);
	CHECK_ERRNO(async_std_read(sv[1], &c, 1), ETIMEDOUT);
	async_std_deadline_pop(prev);
	CHECK_INT(humboldt_file_unregister(sv[0]), ==, 0);
	CHECK_INT(async_std_read(sv[1], &c, 1), ==, 0);
	close(sv[1]);
	return NULL;
}

static void test_async_std_close_drops_the_registration(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_REGISTERED_FILES, files_unsupported))
		run_in_task(files_close, NULL);
}

/* ---- registered buffers -------------------------------------------------------------- */
enum { BUF_LEN = 64 << 10 };

static char *buffers_unsupported(void *arg)
{
	(void)arg;
	static char buf[64];
	struct iovec iov = { buf, sizeof buf };
	CHECK_ERRNO(humboldt_buffers_register(&iov, 1), ENOTSUP);
	return NULL;
}

/* 1 or 0 when the test knows whether the kernel will pin 2 x BUF_LEN
 * bytes, -1 when it cannot tell (other processes of the same user count
 * against the same limit). */
static int pinned_expected(void)
{
	const char *v = getenv("HUMBOLDT_REGISTERED_BUFFERS");
	if (v && strcmp(v, "0") == 0)
		return 0;
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) == 0 && (d[0].effective & (1u << CAP_IPC_LOCK)))
		return 1;
	struct rlimit rl;
	if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < 2 * BUF_LEN)
		return 0;
	return -1;
}

static char *buffers_io(void *arg)
{
	(void)arg;
	unsigned char *mem = aligned_alloc(4096, 2 * BUF_LEN);
	CHECK(mem != NULL);
	struct iovec iov[2] = { { mem, BUF_LEN }, { mem + BUF_LEN, BUF_LEN } };
	humboldt_buffers *b = humboldt_buffers_register(iov, 2);
	CHECK(b != NULL);
	int pinned = humboldt_buffers_pinned(b), want = pinned_expected();
	CHECK(pinned == 0 || pinned == 1);
	if (want >= 0)
		CHECK_INT(pinned, ==, want);
	print_message("    buffers %s\n", pinned ? "pinned by the kernel" : "plain (degraded)");
	CHECK_ERRNO(humboldt_buffers_register(iov, 2), EBUSY);

	/* A file at offsets. */
	char path[] = "/tmp/humboldt-ext-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	unlink(path);
	for (size_t i = 0; i < BUF_LEN; i++)
		mem[i] = stream_byte(i);
	CHECK_INT(humboldt_buffers_write(b, 0, fd, mem, BUF_LEN, 4096), ==, BUF_LEN);
	memset(mem + BUF_LEN, 0, BUF_LEN);
	CHECK_INT(humboldt_buffers_read(b, 1, fd, mem + BUF_LEN, BUF_LEN, 4096), ==, BUF_LEN);
	CHECK(memcmp(mem, mem + BUF_LEN, BUF_LEN) == 0);
	close(fd);

	/* A socket at its current position (-1), part of a buffer. */
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) == 0);
	CHECK_INT(humboldt_buffers_write(b, 0, sv[1], mem + 100, 200, -1), ==, 200);
	CHECK_INT(humboldt_buffers_read(b, 1, sv[0], mem + BUF_LEN + 10, 200, -1), ==, 200);
	CHECK(memcmp(mem + 100, mem + BUF_LEN + 10, 200) == 0);

	/* Outside the buffer named, or a bad index or offset. */
	CHECK_ERRNO(humboldt_buffers_read(b, 2, sv[0], mem, 1, -1), EINVAL);
	CHECK_ERRNO(humboldt_buffers_read(b, 0, sv[0], mem + BUF_LEN, 1, -1), EINVAL);
	CHECK_ERRNO(humboldt_buffers_read(b, 1, sv[0], mem, 1, -1), EINVAL);
	CHECK_ERRNO(humboldt_buffers_read(b, 0, sv[0], mem + 1, BUF_LEN, -1), EINVAL);
	CHECK_ERRNO(humboldt_buffers_read(b, 0, sv[0], mem, 1, -2), EINVAL);

	CHECK_INT(humboldt_buffers_unregister(b), ==, 0);
	b = humboldt_buffers_register(iov, 1); /* the ring has room again */
	CHECK(b != NULL);
	CHECK_INT(humboldt_buffers_unregister(b), ==, 0);
	close(sv[0]);
	close(sv[1]);
	free(mem);
	return NULL;
}

static void test_registered_buffers_read_and_write(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_REGISTERED_BUFFERS, buffers_unsupported))
		run_in_task(buffers_io, NULL);
}

static void *child_buffers_read(void *p)
{
	struct blocked *b = p;
	b->r = humboldt_buffers_read(b->ctx, 0, b->fd, b->buf, 16, -1);
	b->err = b->r < 0 ? errno : 0;
	return NULL;
}

static char *buffers_interrupted(void *arg)
{
	(void)arg;
	unsigned char *mem = aligned_alloc(4096, BUF_LEN);
	CHECK(mem != NULL);
	memset(mem, 'P', BUF_LEN);
	struct iovec iov = { mem, BUF_LEN };
	humboldt_buffers *set = humboldt_buffers_register(&iov, 1);
	CHECK(set != NULL);
	int sv[2];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);

	int64_t prev = async_std_deadline_push(async_std_now() + 20 * MS);
	CHECK_ERRNO(humboldt_buffers_read(set, 0, sv[0], mem, 16, -1), ETIMEDOUT);
	async_std_deadline_pop(prev);

	struct blocked b = { .fd = sv[0], .ctx = set, .buf = mem + 64 };
	CHECK_BODY(cancel_blocked(child_buffers_read, &b));
	CHECK_INT(b.err, ==, ECANCELED);
	CHECK_ERRNO(humboldt_buffers_unregister(NULL), EINVAL);

	/* Neither took the data that comes next, nor wrote to the buffer. */
	CHECK_INT(async_std_write(sv[1], "data", 4), ==, 4);
	CHECK_BODY(next_bytes_are(sv[0], "data"));
	for (size_t i = 0; i < 128; i++)
		CHECK(mem[i] == 'P');
	CHECK_INT(humboldt_buffers_unregister(set), ==, 0);
	close(sv[0]);
	close(sv[1]);
	free(mem);
	return NULL;
}

static void test_registered_buffers_deadline_and_cancel_give_the_buffer_back(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_REGISTERED_BUFFERS, buffers_unsupported))
		run_in_task(buffers_interrupted, NULL);
}

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
	CHECK_INT(humboldt_recv_timeout(sv[0], buf, sizeof buf, 0, 10 * SEC), ==, 4);
	CHECK(memcmp(buf, "late", 4) == 0);
	CHECK_INT(async_std_join(w, NULL), ==, 0);

	/* An O_NONBLOCK pipe: the read says EAGAIN, then a poll waits under
	 * the same timeout. */
	CHECK(pipe2(pfd, O_NONBLOCK | O_CLOEXEC) == 0);
	CHECK_ERRNO(humboldt_read_timeout(pfd[0], buf, sizeof buf, 20 * MS), ETIMEDOUT);
	w = spawn_local(writer_main, &pfd[1]);
	CHECK(w != NULL);
	CHECK_INT(humboldt_read_timeout(pfd[0], buf, sizeof buf, 10 * SEC), ==, 4);
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

static void test_linked_timeout_times_out_or_returns_the_data(void **state)
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
	b->r = humboldt_recv_timeout(b->fd, buf, sizeof buf, 0, 10 * SEC);
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

static void test_linked_timeout_cancel_returns_after_the_kernel_let_go(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_LINK_TIMEOUT, timeout_unsupported))
		run_in_task(timeout_cancelled, NULL);
}

/* ---- main ----------------------------------------------------------------------------- */
int main(int argc, char **argv)
{
#ifdef HUMBOLDT_WEAK
	if (!humboldt_supported) {
		fprintf(stderr, "test_ext: humboldt is not loaded: run it under "
				"LD_PRELOAD=libhumboldt.so\n");
		return 2;
	}
#endif
	probe_kernel();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_thread_gets_enotsup),
		cmocka_unit_test(test_multishot_accept_delivers_every_connection),
		cmocka_unit_test(test_multishot_accept_survives_deadline_and_cancel),
		cmocka_unit_test(test_multishot_accept_ends_with_ebadf_when_listener_closes),
		cmocka_unit_test(test_buffer_ring_lends_a_filled_buffer_and_takes_it_back),
		cmocka_unit_test(test_buffer_ring_runs_out_with_enobufs_and_ends_with_zero),
		cmocka_unit_test(test_buffer_ring_deadline_and_cancel_give_the_buffer_back),
		cmocka_unit_test(test_send_zc_sends_and_returns_after_the_notification),
		cmocka_unit_test(test_send_zc_deadline_waits_for_the_notification),
		cmocka_unit_test(test_registered_file_serves_io_by_its_slot),
		cmocka_unit_test(test_async_std_close_drops_the_registration),
		cmocka_unit_test(test_registered_buffers_read_and_write),
		cmocka_unit_test(test_registered_buffers_deadline_and_cancel_give_the_buffer_back),
		cmocka_unit_test(test_linked_timeout_times_out_or_returns_the_data),
		cmocka_unit_test(test_linked_timeout_cancel_returns_after_the_kernel_let_go),
	};
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
