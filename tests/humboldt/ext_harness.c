/* SPDX-License-Identifier: MIT */
/*
 * ext_harness.c - test_ext's harness: a body run as a task (CHECK's
 * messages), the test's own probe of the kernel and the gate of each test,
 * and the fixtures the extensions' tests share.
 */
#include "ext_harness.h"

/* ---- running a body as a task ---------------------------------------------- */
const char *errname(int e)
{
	const char *n = e ? strerrorname_np(e) : "0";
	return n ? n : "?";
}

char *failf(const char *file, int line, const char *fmt, ...)
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

struct run {
	body_fn fn;
	void *arg;
	char *msg;
};

static void *trampoline(void *p)
{
	struct run *r = p;
	/* A safety net: a call that hangs fails the test instead (generous:
	 * a slow or loaded machine must never meet it). */
	int64_t prev = async_std_deadline_push(async_std_now() + TC_PATIENCE_NS);
	r->msg = r->fn(r->arg);
	async_std_deadline_pop(prev);
	return NULL;
}

void run_in_task(body_fn fn, void *arg)
{
	struct run r = { .fn = fn, .arg = arg };
	assert_int_equal(async_std_block_on(trampoline, &r, NULL), 0);
	if (r.msg)
		fail_msg("%s", r.msg);
}

/* Runs on the calling task's worker (so it shares its ring). */
async_std_task *spawn_local(async_std_fn fn, void *arg)
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

void probe_kernel(void)
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
bool gate(int feature, body_fn unsupported)
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
int port_of(int lfd)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof sa;
	if (getsockname(lfd, (struct sockaddr *)&sa, &len) < 0)
		return -1;
	return ntohs(sa.sin_port);
}

/* A connected TCP pair on the loopback: fds[0] accepted, fds[1] connecting. */
char *tcp_pair(int fds[2])
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

void close_pair(int fds[2])
{
	async_std_close(fds[0]);
	async_std_close(fds[1]);
}

/* Runs child on this worker, lets it block (a yield runs it until it
 * waits), cancels it and joins it.  Had the cancel come first, the outcome
 * would be the same. */
char *cancel_blocked(async_std_fn child, struct blocked *b)
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
char *next_bytes_are(int fd, const char *want)
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

