/* SPDX-License-Identifier: MIT */
/*
 * ext_send_zc.c - humboldt_send_zc: zero-copy send
 * (part of test_ext: see test_ext.c).
 */
#include "ext_harness.h"

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

void test_send_zc_sends_and_returns_after_the_notification(void **state)
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

void test_send_zc_deadline_waits_for_the_notification(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_SEND_ZC, send_zc_unsupported))
		run_in_task(send_zc_deadline, NULL);
}
