/* SPDX-License-Identifier: MIT */
/*
 * ext_accept.c - humboldt_accept_*: multishot accept
 * (part of test_ext: see test_ext.c).
 */
#include "ext_harness.h"

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

void test_multishot_accept_delivers_every_connection(void **state)
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

void test_multishot_accept_survives_deadline_and_cancel(void **state)
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

void test_multishot_accept_ends_with_ebadf_when_listener_closes(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_MULTISHOT_ACCEPT, accept_unsupported))
		run_in_task(accept_listener_closed, NULL);
}
