/* SPDX-License-Identifier: MIT */
/*
 * ext_buffers.c - humboldt_buffers_*: registered buffers
 * (part of test_ext: see test_ext.c).
 */
#include "ext_harness.h"

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

void test_registered_buffers_read_and_write(void **state)
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

void test_registered_buffers_deadline_and_cancel_give_the_buffer_back(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_REGISTERED_BUFFERS, buffers_unsupported))
		run_in_task(buffers_interrupted, NULL);
}
