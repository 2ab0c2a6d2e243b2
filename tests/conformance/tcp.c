/* SPDX-License-Identifier: MIT */
/*
 * tcp.c - making connections: tcp_listen and tcp_connect, the manual
 * socket/bind/listen/accept/connect path, flags of the fds they make, and
 * their errors (ECONNREFUSED, EADDRINUSE, EINVAL, ENOENT, ENOTCONN).
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

/* ---- TCP helpers ---------------------------------------------------------- */

CT_TEST(tcp_listen_on_port_0_gives_a_nonblocking_listener_on_an_ephemeral_port)
{
	int fd;
	CHECK_OK(fd = async_std_tcp_listen("127.0.0.1", 0, 8));
	struct sockaddr_in a;
	socklen_t len = sizeof a;
	CHECK_OK(getsockname(fd, (struct sockaddr *)&a, &len));
	CHECK_INT(a.sin_family, ==, AF_INET);
	CHECK_INT(ntohl(a.sin_addr.s_addr), ==, INADDR_LOOPBACK);
	CHECK_INT(ntohs(a.sin_port), !=, 0);
	int on = 0;
	len = sizeof on;
	CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &len));
	CHECK_INT(on, !=, 0);
	on = 0;
	len = sizeof on;
	CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, &len));
	CHECK_MSG(on != 0, "tcp_listen did not set SO_REUSEADDR");
	CHECK_MSG(ct_is_nonblocking_cloexec(fd), "listener is not O_NONBLOCK and FD_CLOEXEC");
	ct_close(fd);
	return NULL;
}

/* ---- the manual path ------------------------------------------------------- */

CT_TEST(socket_adds_nonblock_and_cloexec)
{
	int fd;
	CHECK_OK(fd = async_std_socket(AF_INET, SOCK_STREAM, 0));
	CHECK_MSG(ct_is_nonblocking_cloexec(fd), "socket() fd is not O_NONBLOCK and FD_CLOEXEC");
	ct_close(fd);
	CHECK_OK(fd = async_std_socket(AF_UNIX, SOCK_DGRAM, 0));
	CHECK_MSG(ct_is_nonblocking_cloexec(fd), "socket() fd is not O_NONBLOCK and FD_CLOEXEC");
	ct_close(fd);
	return NULL;
}

struct accepter {
	int lfd, fd, err;
	struct sockaddr_in peer;
	socklen_t len;
};

static void *accept_one(void *p)
{
	struct accepter *a = p;
	a->len = sizeof a->peer;
	errno = 0;
	a->fd = async_std_accept(a->lfd, (struct sockaddr *)&a->peer, &a->len);
	a->err = errno;
	return NULL;
}

CT_TEST(socket_bind_listen_connect_accept_by_hand)
{
	struct accepter *a = ct_alloc(sizeof *a);
	CHECK_OK(a->lfd = async_std_socket(AF_INET, SOCK_STREAM, 0));
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	CHECK_OK(async_std_bind(a->lfd, (struct sockaddr *)&addr, sizeof addr));
	CHECK_OK(async_std_listen(a->lfd, 16));
	addr.sin_port = htons((uint16_t)ct_local_port(a->lfd));
	/* The accept waits first; the connect arrives while it is blocked. */
	async_std_task *t = async_std_spawn(accept_one, a);
	CHECK(t != NULL);
	ct_let_block();
	int c;
	CHECK_OK(c = async_std_socket(AF_INET, SOCK_STREAM, 0));
	CHECK_OK(async_std_connect(c, (struct sockaddr *)&addr, sizeof addr));
	CHECK_OK(async_std_join(t, NULL));
	CHECK_MSG(a->fd >= 0, "accept gave %s", ct_errname(a->err));
	CHECK_MSG(ct_is_nonblocking_cloexec(a->fd), "accepted fd is not O_NONBLOCK and FD_CLOEXEC");
	CHECK_INT(a->len, ==, sizeof a->peer);
	CHECK_INT(a->peer.sin_family, ==, AF_INET);
	CHECK_INT(ntohl(a->peer.sin_addr.s_addr), ==, INADDR_LOOPBACK);
	CHECK_INT(ntohs(a->peer.sin_port), ==, ct_local_port(c));
	CHECK_INT(async_std_write(c, "hi", 2), ==, 2);
	char b[2];
	CHECK_OK(ct_read_all(a->fd, b, 2));
	CHECK(memcmp(b, "hi", 2) == 0);
	ct_close(c);
	ct_close(a->fd);
	ct_close(a->lfd);
	return NULL;
}

CT_TEST(accept_returns_a_nonblocking_cloexec_fd)
{
	struct ct_tcp_pair *p = ct_alloc(sizeof *p);
	if (ct_tcp_pair_open(p))
		return CT_FAIL;
	CHECK_MSG(ct_is_nonblocking_cloexec(p->server), "accepted fd is not O_NONBLOCK and FD_CLOEXEC");
	ct_tcp_pair_close(p);
	return NULL;
}

/* A port with a socket bound to it but nobody listening. */
static int closed_port(int *holder)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	*holder = async_std_socket(AF_INET, SOCK_STREAM, 0);
	if (*holder < 0 || async_std_bind(*holder, (struct sockaddr *)&a, sizeof a) != 0)
		return -1;
	return ct_local_port(*holder);
}

CT_TEST(tcp_connect_to_a_closed_port_fails_with_ECONNREFUSED)
{
	int holder, port;
	CHECK_OK(port = closed_port(&holder));
	CHECK_ERRNO(async_std_tcp_connect("127.0.0.1", port), ECONNREFUSED);
	ct_close(holder);
	return NULL;
}

CT_TEST(connect_to_a_closed_port_fails_with_ECONNREFUSED)
{
	int holder, port, fd;
	CHECK_OK(port = closed_port(&holder));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	CHECK_OK(fd = async_std_socket(AF_INET, SOCK_STREAM, 0));
	CHECK_ERRNO(async_std_connect(fd, (struct sockaddr *)&a, sizeof a), ECONNREFUSED);
	ct_close(fd);
	ct_close(holder);
	return NULL;
}

CT_TEST(tcp_connect_resolves_localhost)
{
	int lfd, c, s;
	CHECK_OK(lfd = async_std_tcp_listen("127.0.0.1", 0, 8));
	CHECK_OK(c = async_std_tcp_connect("localhost", ct_local_port(lfd)));
	CHECK_OK(s = async_std_accept(lfd, NULL, NULL));
	ct_close(c);
	ct_close(s);
	ct_close(lfd);
	return NULL;
}

CT_TEST(tcp_listen_on_every_address_accepts_loopback_connections)
{
	int lfd, c, s;
	CHECK_OK(lfd = async_std_tcp_listen(NULL, 0, 8));
	CHECK_OK(c = async_std_tcp_connect("127.0.0.1", ct_local_port(lfd)));
	CHECK_OK(s = async_std_accept(lfd, NULL, NULL));
	ct_close(c);
	ct_close(s);
	ct_close(lfd);
	return NULL;
}

CT_TEST(tcp_listen_on_a_port_in_use_fails_with_EADDRINUSE)
{
	int lfd;
	CHECK_OK(lfd = async_std_tcp_listen("127.0.0.1", 0, 8));
	CHECK_ERRNO(async_std_tcp_listen("127.0.0.1", ct_local_port(lfd), 8), EADDRINUSE);
	ct_close(lfd);
	return NULL;
}

CT_TEST(tcp_listen_on_a_port_outside_0_65535_fails_with_EINVAL)
{
	CHECK_ERRNO(async_std_tcp_listen("127.0.0.1", 70000, 8), EINVAL);
	CHECK_ERRNO(async_std_tcp_listen("127.0.0.1", 65536, 8), EINVAL);
	CHECK_ERRNO(async_std_tcp_listen("127.0.0.1", -1, 8), EINVAL);
	return NULL;
}

CT_TEST(tcp_connect_to_a_port_outside_0_65535_fails)
{
	/* The header names no errno for this case; it must fail, not wrap
	 * around to port 70000 - 65536. */
	errno = 0;
	CHECK_INT(async_std_tcp_connect("127.0.0.1", 70000), ==, -1);
	CHECK_INT(errno, !=, 0);
	CHECK_INT(async_std_tcp_connect("127.0.0.1", -1), ==, -1);
	return NULL;
}

CT_TEST(tcp_connect_and_listen_on_an_unknown_host_fail_with_ENOENT)
{
	CHECK_ERRNO(async_std_tcp_connect("no-such-host.invalid", 80), ENOENT);
	CHECK_ERRNO(async_std_tcp_listen("no-such-host.invalid", 0, 8), ENOENT);
	return NULL;
}

CT_TEST(shutdown_of_an_unconnected_socket_fails_with_ENOTCONN)
{
	int fd;
	CHECK_OK(fd = async_std_socket(AF_INET, SOCK_STREAM, 0));
	CHECK_ERRNO(async_std_shutdown(fd, SHUT_RDWR), ENOTCONN);
	ct_close(fd);
	return NULL;
}

CT_TEST(connect_on_a_connected_socket_fails_with_EISCONN)
{
	struct ct_tcp_pair *p = ct_alloc(sizeof *p);
	if (ct_tcp_pair_open(p))
		return CT_FAIL;
	struct sockaddr_storage peer;
	socklen_t len = sizeof peer;
	CHECK_OK(getpeername(p->client, (struct sockaddr *)&peer, &len));
	CHECK_ERRNO(async_std_connect(p->client, (struct sockaddr *)&peer, len), EISCONN);
	ct_tcp_pair_close(p);
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(tcp_listen_on_port_0_gives_a_nonblocking_listener_on_an_ephemeral_port),
	cmocka_unit_test(socket_adds_nonblock_and_cloexec),
	cmocka_unit_test(socket_bind_listen_connect_accept_by_hand),
	cmocka_unit_test(accept_returns_a_nonblocking_cloexec_fd),
	cmocka_unit_test(tcp_connect_to_a_closed_port_fails_with_ECONNREFUSED),
	cmocka_unit_test(connect_to_a_closed_port_fails_with_ECONNREFUSED),
	cmocka_unit_test(tcp_connect_resolves_localhost),
	cmocka_unit_test(tcp_listen_on_every_address_accepts_loopback_connections),
	cmocka_unit_test(tcp_listen_on_a_port_in_use_fails_with_EADDRINUSE),
	cmocka_unit_test(tcp_listen_on_a_port_outside_0_65535_fails_with_EINVAL),
	cmocka_unit_test(tcp_connect_to_a_port_outside_0_65535_fails),
	cmocka_unit_test(tcp_connect_and_listen_on_an_unknown_host_fail_with_ENOENT),
	cmocka_unit_test(shutdown_of_an_unconnected_socket_fails_with_ENOTCONN),
	cmocka_unit_test(connect_on_a_connected_socket_fails_with_EISCONN),
};
CT_GROUP(ct_tcp_group, "tcp", tests);
