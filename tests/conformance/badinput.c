/* SPDX-License-Identifier: MIT */
/*
 * badinput.c - every fd-taking call fails with EBADF on a negative fd and on
 * an fd that was closed, instead of blocking or crashing.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>

#include "conformance.h"

static char buf[16];

static long long call_fd(int which, int fd)
{
	struct iovec iov = { buf, sizeof buf };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;

	switch (which) {
	case 0: return async_std_read(fd, buf, sizeof buf);
	case 1: return async_std_write(fd, buf, sizeof buf);
	case 2: return async_std_readv(fd, &iov, 1);
	case 3: return async_std_writev(fd, &iov, 1);
	case 4: return async_std_pread(fd, buf, sizeof buf, 0);
	case 5: return async_std_pwrite(fd, buf, sizeof buf, 0);
	case 6: return async_std_recv(fd, buf, sizeof buf, 0);
	case 7: return async_std_send(fd, buf, sizeof buf, 0);
	case 8: return async_std_recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&a, &alen);
	case 9: return async_std_sendto(fd, buf, sizeof buf, 0, (struct sockaddr *)&a, sizeof a);
	case 10: return async_std_recvmsg(fd, &m, 0);
	case 11: return async_std_sendmsg(fd, &m, 0);
	case 12: return async_std_shutdown(fd, SHUT_RDWR);
	case 13: return async_std_poll(fd, POLLIN);
	case 14: return async_std_fsync(fd);
	case 15: return async_std_bind(fd, (struct sockaddr *)&a, sizeof a);
	case 16: return async_std_listen(fd, 8);
	case 17: return async_std_accept(fd, NULL, NULL);
	case 18: return async_std_connect(fd, (struct sockaddr *)&a, sizeof a);
	case 19: return async_std_openat(fd, "relative-name", O_RDONLY, 0);
	case 20: return async_std_close(fd);
	}
	return 0;
}

#define FD_CALLS(X)                                                               \
	X(read, 0) X(write, 1) X(readv, 2) X(writev, 3) X(pread, 4) X(pwrite, 5)   \
	X(recv, 6) X(send, 7) X(recvfrom, 8) X(sendto, 9) X(recvmsg, 10)           \
	X(sendmsg, 11) X(shutdown, 12) X(poll, 13) X(fsync, 14) X(bind, 15)        \
	X(listen, 16) X(accept, 17) X(connect, 18) X(openat_dirfd, 19) X(close, 20)

/* One call on a negative fd and on an fd that was open and got closed. */
static void *bad_fd_gives_EBADF(void *p)
{
	int which = (int)(intptr_t)p;
	int closed = ct_closed_fd();
	CHECK_MSG(closed >= 0, "could not make a closed fd: %s", ct_errname(errno));
	CHECK_MSG(fcntl(closed, F_GETFD) == -1, "fd %d is open", closed);
	int fds[] = { -1, -42, closed };
	for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++) {
		errno = 0;
		long long r = call_fd(which, fds[i]);
		int e = errno;
		CHECK_MSG(r == -1 && e == EBADF, "fd %d: expected -1/EBADF, got %lld/%s",
			  fds[i], r, ct_errname(e));
	}
	return NULL;
}

#define DEFINE_TEST(name, which)                                                  \
	static void name##_on_a_negative_or_closed_fd_fails_with_EBADF(void **state) \
	{                                                                         \
		(void)state;                                                      \
		harness_run(#name, bad_fd_gives_EBADF, (void *)(intptr_t)(which)); \
	}
FD_CALLS(DEFINE_TEST)

#define LIST_TEST(name, which) \
	cmocka_unit_test(name##_on_a_negative_or_closed_fd_fails_with_EBADF),

static const struct CMUnitTest tests[] = {
	FD_CALLS(LIST_TEST)
};
CT_GROUP(ct_badinput_group, "bad fds", tests);
