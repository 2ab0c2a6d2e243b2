/* SPDX-License-Identifier: MIT */
/*
 * io.c - moving data: every read/write flavour over TCP, UDP and AF_UNIX
 * sockets, fd passing, EOF, wake-ups of blocked readers and writers, and
 * poll.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

static void fill_pattern(char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (char)((i * 31 + seed) & 0xff);
}

struct echo_server {
	int lfd;
	long bytes;
};

/* Accepts one connection and echoes it until EOF. */
static void *echo_once(void *p)
{
	struct echo_server *s = p;
	int fd = async_std_accept(s->lfd, NULL, NULL);
	CHECK_OK(fd);
	char buf[4096];
	for (;;) {
		ssize_t n = async_std_read(fd, buf, sizeof buf);
		CHECK_OK(n);
		if (n == 0)
			break;
		CHECK_OK(ct_write_all(fd, buf, (size_t)n));
		s->bytes += n;
	}
	ct_close(fd);
	return NULL;
}

static void *start_echo(struct echo_server **out, async_std_task **task, int *port)
{
	struct echo_server *s = ct_alloc(sizeof *s);
	CHECK_OK(s->lfd = async_std_tcp_listen("127.0.0.1", 0, 16));
	*port = ct_local_port(s->lfd);
	CHECK_INT(*port, >, 0);
	CHECK((*task = async_std_spawn(echo_once, s)) != NULL);
	*out = s;
	return NULL;
}

static void *stop_echo(struct echo_server *s, async_std_task *t, long expect_bytes)
{
	void *res = CT_FAIL;
	CHECK_OK(async_std_join(t, &res));
	CHECK(res == NULL);
	CHECK_INT(s->bytes, ==, expect_bytes);
	ct_close(s->lfd);
	return NULL;
}

CT_TEST(tcp_echo_through_read_and_write)
{
	struct echo_server *s;
	async_std_task *t;
	int port;
	if (start_echo(&s, &t, &port))
		return CT_FAIL;
	int c;
	CHECK_OK(c = async_std_tcp_connect("127.0.0.1", port));
	CHECK_MSG(ct_is_nonblocking_cloexec(c), "tcp_connect fd is not O_NONBLOCK and FD_CLOEXEC");
	char out[4000], in[4000];
	for (unsigned round = 0; round < 4; round++) {
		fill_pattern(out, sizeof out, round);
		CHECK_OK(ct_write_all(c, out, sizeof out));
		CHECK_OK(ct_read_all(c, in, sizeof in));
		CHECK(memcmp(in, out, sizeof in) == 0);
	}
	CHECK_OK(async_std_shutdown(c, SHUT_WR));
	char b;
	CHECK_INT(async_std_read(c, &b, 1), ==, 0);
	ct_close(c);
	return stop_echo(s, t, 4 * (long)sizeof out);
}

CT_TEST(tcp_echo_through_readv_and_writev)
{
	struct echo_server *s;
	async_std_task *t;
	int port;
	if (start_echo(&s, &t, &port))
		return CT_FAIL;
	int c;
	CHECK_OK(c = async_std_tcp_connect("127.0.0.1", port));
	char a[] = "hello, ", b[] = "vectored ", d[] = "world";
	struct iovec out[3] = { { a, 7 }, { b, 9 }, { d, 5 } };
	CHECK_INT(async_std_writev(c, out, 3), ==, 21);
	char x[10] = { 0 }, y[11] = { 0 };
	size_t got = 0;
	while (got < 21) {
		/* Resume the scatter list where the last readv stopped. */
		struct iovec rest[2];
		int cnt = 0;
		if (got < 10)
			rest[cnt++] = (struct iovec){ x + got, 10 - got };
		size_t yoff = got > 10 ? got - 10 : 0;
		rest[cnt++] = (struct iovec){ y + yoff, 11 - yoff };
		ssize_t n = async_std_readv(c, rest, cnt);
		CHECK_OK(n);
		CHECK_INT(n, >, 0);
		got += (size_t)n;
	}
	CHECK(memcmp(x, "hello, vec", 10) == 0);
	CHECK(memcmp(y, "tored world", 11) == 0);
	ct_close(c);
	return stop_echo(s, t, 21);
}

CT_TEST(send_and_recv_move_data_and_honour_MSG_PEEK)
{
	struct ct_tcp_pair *p = ct_alloc(sizeof *p);
	if (ct_tcp_pair_open(p))
		return CT_FAIL;
	CHECK_INT(async_std_send(p->client, "ping", 4, MSG_NOSIGNAL), ==, 4);
	char b[8] = { 0 };
	ssize_t n;
	CHECK_OK(n = async_std_recv(p->server, b, 4, MSG_PEEK | MSG_WAITALL));
	CHECK_INT(n, >, 0);
	CHECK(memcmp(b, "ping", (size_t)n) == 0);
	memset(b, 0, sizeof b);
	size_t got = 0;
	while (got < 4) {
		CHECK_OK(n = async_std_recv(p->server, b + got, 4 - got, 0));
		CHECK_INT(n, >, 0);
		got += (size_t)n;
	}
	CHECK(memcmp(b, "ping", 4) == 0);
	ct_tcp_pair_close(p);
	return NULL;
}

CT_TEST(sendto_and_recvfrom_over_udp_report_the_sender_address)
{
	int a, b;
	CHECK_OK(a = async_std_socket(AF_INET, SOCK_DGRAM, 0));
	CHECK_OK(b = async_std_socket(AF_INET, SOCK_DGRAM, 0));
	struct sockaddr_in any = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	CHECK_OK(async_std_bind(a, (struct sockaddr *)&any, sizeof any));
	CHECK_OK(async_std_bind(b, (struct sockaddr *)&any, sizeof any));
	struct sockaddr_in to = any;
	to.sin_port = htons((uint16_t)ct_local_port(b));
	CHECK_INT(async_std_sendto(a, "datagram", 8, 0, (struct sockaddr *)&to, sizeof to), ==, 8);
	char buf[32];
	struct sockaddr_in from;
	socklen_t len = sizeof from;
	memset(&from, 0, sizeof from);
	CHECK_INT(async_std_recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &len), ==, 8);
	CHECK(memcmp(buf, "datagram", 8) == 0);
	CHECK_INT(len, ==, sizeof from);
	CHECK_INT(from.sin_family, ==, AF_INET);
	CHECK_INT(ntohs(from.sin_port), ==, ct_local_port(a));
	CHECK_INT(ntohl(from.sin_addr.s_addr), ==, INADDR_LOOPBACK);
	ct_close(a);
	ct_close(b);
	return NULL;
}

struct udp_wait {
	int fd;
	char buf[16];
	ssize_t n;
	int err;
};

static void *udp_receiver(void *p)
{
	struct udp_wait *w = p;
	errno = 0;
	w->n = async_std_recvfrom(w->fd, w->buf, sizeof w->buf, 0, NULL, NULL);
	w->err = errno;
	return NULL;
}

CT_TEST(recvfrom_waits_for_a_datagram)
{
	struct udp_wait *w = ct_alloc(sizeof *w);
	int s;
	CHECK_OK(w->fd = async_std_socket(AF_INET, SOCK_DGRAM, 0));
	CHECK_OK(s = async_std_socket(AF_INET, SOCK_DGRAM, 0));
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	CHECK_OK(async_std_bind(w->fd, (struct sockaddr *)&to, sizeof to));
	to.sin_port = htons((uint16_t)ct_local_port(w->fd));
	async_std_task *t = async_std_spawn(udp_receiver, w);
	CHECK(t != NULL);
	ct_let_block();
	CHECK_INT(async_std_sendto(s, "late", 4, 0, (struct sockaddr *)&to, sizeof to), ==, 4);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_MSG(w->n == 4, "recvfrom gave %zd/%s", w->n, ct_errname(w->err));
	CHECK(memcmp(w->buf, "late", 4) == 0);
	ct_close(w->fd);
	ct_close(s);
	return NULL;
}

CT_TEST(sendmsg_and_recvmsg_carry_data_and_a_passed_fd)
{
	int sv[2], pfd[2];
	CHECK_OK(ct_socketpair(sv));
	CHECK_OK(pipe2(pfd, O_CLOEXEC));
	char d1[] = "two ", d2[] = "parts";
	struct iovec out[2] = { { d1, 4 }, { d2, 5 } };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	memset(&ctl, 0, sizeof ctl);
	struct msghdr m = { .msg_iov = out, .msg_iovlen = 2,
			    .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &pfd[1], sizeof(int));
	CHECK_INT(async_std_sendmsg(sv[0], &m, 0), ==, 9);

	char in[16] = { 0 };
	struct iovec iv = { in, sizeof in };
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} rctl;
	memset(&rctl, 0, sizeof rctl);
	struct msghdr r = { .msg_iov = &iv, .msg_iovlen = 1,
			    .msg_control = rctl.buf, .msg_controllen = sizeof rctl.buf };
	CHECK_INT(async_std_recvmsg(sv[1], &r, MSG_CMSG_CLOEXEC), ==, 9);
	CHECK(memcmp(in, "two parts", 9) == 0);
	struct cmsghdr *rc = CMSG_FIRSTHDR(&r);
	CHECK_MSG(rc != NULL, "recvmsg dropped the control message");
	CHECK_INT(rc->cmsg_level, ==, SOL_SOCKET);
	CHECK_INT(rc->cmsg_type, ==, SCM_RIGHTS);
	int passed;
	memcpy(&passed, CMSG_DATA(rc), sizeof passed);
	/* The passed fd is the pipe's write end: what goes in comes out. */
	CHECK_INT(async_std_write(passed, "!", 1), ==, 1);
	char x = 0;
	CHECK_INT(async_std_read(pfd[0], &x, 1), ==, 1);
	CHECK_INT(x, ==, '!');
	ct_close(passed);
	ct_close(pfd[0]);
	ct_close(pfd[1]);
	ct_close(sv[0]);
	ct_close(sv[1]);
	return NULL;
}

/* ---- stream behaviour ---------------------------------------------------- */

CT_TEST(shutdown_wr_gives_the_peer_eof_and_keeps_the_other_direction)
{
	struct ct_tcp_pair *p = ct_alloc(sizeof *p);
	if (ct_tcp_pair_open(p))
		return CT_FAIL;
	CHECK_INT(async_std_write(p->client, "last", 4), ==, 4);
	CHECK_OK(async_std_shutdown(p->client, SHUT_WR));
	char b[8];
	CHECK_OK(ct_read_all(p->server, b, 4));
	CHECK_INT(async_std_read(p->server, b, sizeof b), ==, 0);
	CHECK_INT(async_std_write(p->server, "back", 4), ==, 4);
	CHECK_OK(ct_read_all(p->client, b, 4));
	CHECK(memcmp(b, "back", 4) == 0);
	ct_tcp_pair_close(p);
	return NULL;
}

/* Spawns fn(arg), waits until it set *started and lets it reach its
 * blocking call. */
static void *start_blocked(async_std_task **t, async_std_fn fn, void *arg,
			   atomic_int *started)
{
	*t = async_std_spawn(fn, arg);
	CHECK(*t != NULL);
	CHECK_OK(ct_wait_flag(started, 1));
	ct_let_block();
	return NULL;
}

struct reader {
	int fd;
	atomic_int started;
	ssize_t n;
	int err;
	char buf[64];
};

static void *read_once(void *p)
{
	struct reader *r = p;
	atomic_store(&r->started, 1);
	errno = 0;
	r->n = async_std_read(r->fd, r->buf, sizeof r->buf);
	r->err = errno;
	return NULL;
}

CT_TEST(read_returns_0_once_the_peer_closes)
{
	struct reader *r = ct_alloc(sizeof *r);
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	r->fd = sv[0];
	async_std_task *t;
	if (start_blocked(&t, read_once, r, &r->started))
		return CT_FAIL;
	ct_close(sv[1]);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_MSG(r->n == 0, "read gave %zd/%s, expected 0 (EOF)", r->n, ct_errname(r->err));
	ct_close(sv[0]);
	return NULL;
}

CT_TEST(blocked_read_is_woken_by_a_write_from_another_task)
{
	struct reader *r = ct_alloc(sizeof *r);
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	r->fd = sv[0];
	async_std_task *t;
	if (start_blocked(&t, read_once, r, &r->started))
		return CT_FAIL;
	CHECK_INT(async_std_write(sv[1], "wake", 4), ==, 4);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_MSG(r->n == 4, "read gave %zd/%s", r->n, ct_errname(r->err));
	CHECK(memcmp(r->buf, "wake", 4) == 0);
	ct_close(sv[0]);
	ct_close(sv[1]);
	return NULL;
}

struct bulk {
	int fd;
	const char *chunk; /* BULK_CHUNK bytes of fill_pattern(seed 7) */
	size_t n;
	int rc, err;
	unsigned sum;
};

static void *bulk_reader(void *p)
{
	struct bulk *b = p;
	char buf[4096];
	size_t got = 0;
	while (got < b->n) {
		ssize_t r = async_std_read(b->fd, buf, sizeof buf);
		if (r <= 0) {
			b->rc = -1;
			b->err = r == 0 ? ENODATA : errno;
			return NULL;
		}
		for (ssize_t i = 0; i < r; i++)
			b->sum = b->sum * 31 + (unsigned char)buf[i];
		got += (size_t)r;
	}
	return NULL;
}

#define BULK_CHUNK 65536

static void *bulk_writer(void *p)
{
	struct bulk *b = p;
	for (size_t sent = 0; sent < b->n; sent += BULK_CHUNK)
		if (ct_write_all(b->fd, b->chunk, BULK_CHUNK) != 0) {
			b->rc = -1;
			b->err = errno;
			return NULL;
		}
	return NULL;
}

static unsigned bulk_expected(size_t n)
{
	unsigned sum = 0;
	for (size_t i = 0; i < n; i++)
		sum = sum * 31 + (unsigned char)(((i % BULK_CHUNK) * 31 + 7) & 0xff);
	return sum;
}

static const char *bulk_chunk(void)
{
	char *c = ct_alloc(BULK_CHUNK);
	fill_pattern(c, BULK_CHUNK, 7);
	return c;
}

CT_TEST(writer_blocked_on_a_full_socket_is_woken_as_the_reader_drains_it)
{
	enum { TOTAL = 4 << 20 };
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	struct bulk *w = ct_alloc(sizeof *w), *r = ct_alloc(sizeof *r);
	w->fd = sv[0];
	w->chunk = bulk_chunk();
	r->fd = sv[1];
	w->n = r->n = TOTAL;
	async_std_task *tw = async_std_spawn(bulk_writer, w);
	async_std_task *tr = async_std_spawn(bulk_reader, r);
	CHECK(tw != NULL && tr != NULL);
	CHECK_OK(async_std_join(tw, NULL));
	CHECK_OK(async_std_join(tr, NULL));
	CHECK_MSG(w->rc == 0, "writer: %s", ct_errname(w->err));
	CHECK_MSG(r->rc == 0, "reader: %s", ct_errname(r->err));
	CHECK_INT(r->sum, ==, bulk_expected(TOTAL));
	ct_close(sv[0]);
	ct_close(sv[1]);
	return NULL;
}

CT_TEST(one_task_reads_while_another_writes_the_same_tcp_socket)
{
	struct ct_tcp_pair *p = ct_alloc(sizeof *p);
	if (ct_tcp_pair_open(p))
		return CT_FAIL;
	enum { TOTAL = 2 << 20 };
	/* Each end has a writer and a reader task at once: full duplex. */
	struct bulk *b = ct_alloc(4 * sizeof *b);
	int fds[4] = { p->client, p->client, p->server, p->server };
	async_std_task *t[4];
	const char *chunk = bulk_chunk();
	for (int i = 0; i < 4; i++) {
		b[i].fd = fds[i];
		b[i].chunk = chunk;
		b[i].n = TOTAL;
		t[i] = async_std_spawn(i % 2 ? bulk_reader : bulk_writer, &b[i]);
		CHECK(t[i] != NULL);
	}
	for (int i = 0; i < 4; i++)
		CHECK_OK(async_std_join(t[i], NULL));
	for (int i = 0; i < 4; i++)
		CHECK_MSG(b[i].rc == 0, "task %d: %s", i, ct_errname(b[i].err));
	CHECK_INT(b[1].sum, ==, bulk_expected(TOTAL));
	CHECK_INT(b[3].sum, ==, bulk_expected(TOTAL));
	ct_tcp_pair_close(p);
	return NULL;
}

/* ---- poll --------------------------------------------------------------- */

CT_TEST(poll_reports_POLLIN_when_data_waits)
{
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	CHECK_INT(async_std_write(sv[1], "d", 1), ==, 1);
	int ev;
	CHECK_OK(ev = async_std_poll(sv[0], POLLIN));
	CHECK_MSG(ev & POLLIN, "poll returned 0x%x without POLLIN", ev);
	ct_close(sv[0]);
	ct_close(sv[1]);
	return NULL;
}

CT_TEST(poll_reports_POLLOUT_on_a_writable_socket)
{
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	int ev;
	CHECK_OK(ev = async_std_poll(sv[0], POLLOUT));
	CHECK_MSG(ev & POLLOUT, "poll returned 0x%x without POLLOUT", ev);
	CHECK_MSG(!(ev & POLLIN), "poll returned POLLIN (0x%x) which was not asked for", ev);
	ct_close(sv[0]);
	ct_close(sv[1]);
	return NULL;
}

struct poller {
	int fd;
	atomic_int started;
	int ev, err;
};

static void *poll_in(void *p)
{
	struct poller *q = p;
	atomic_store(&q->started, 1);
	errno = 0;
	q->ev = async_std_poll(q->fd, POLLIN);
	q->err = errno;
	return NULL;
}

CT_TEST(poll_waits_until_data_arrives)
{
	struct poller *q = ct_alloc(sizeof *q);
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	q->fd = sv[0];
	async_std_task *t;
	if (start_blocked(&t, poll_in, q, &q->started))
		return CT_FAIL;
	CHECK_INT(async_std_write(sv[1], "p", 1), ==, 1);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_MSG(q->ev > 0 && (q->ev & POLLIN), "poll gave %d/%s", q->ev, ct_errname(q->err));
	/* poll consumed nothing. */
	char b;
	CHECK_INT(async_std_read(sv[0], &b, 1), ==, 1);
	ct_close(sv[0]);
	ct_close(sv[1]);
	return NULL;
}

CT_TEST(poll_reports_POLLHUP_or_POLLIN_when_the_peer_closes)
{
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	ct_close(sv[1]);
	int ev;
	CHECK_OK(ev = async_std_poll(sv[0], POLLIN));
	CHECK_MSG(ev & (POLLIN | POLLHUP), "poll returned 0x%x", ev);
	ct_close(sv[0]);
	return NULL;
}

struct shared_reader {
	int fd;
	atomic_int *started;
	ssize_t n;
	int err;
	char b;
};

static void *read_one_byte(void *p)
{
	struct shared_reader *r = p;
	atomic_fetch_add(r->started, 1);
	errno = 0;
	r->n = async_std_read(r->fd, &r->b, 1);
	r->err = errno;
	return NULL;
}

CT_TEST(two_tasks_reading_one_socket_each_get_their_data)
{
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	atomic_int *started = ct_alloc(sizeof *started);
	struct shared_reader *r = ct_alloc(2 * sizeof *r);
	async_std_task *t[2];
	for (int i = 0; i < 2; i++) {
		r[i].fd = sv[0];
		r[i].started = started;
		CHECK((t[i] = async_std_spawn(read_one_byte, &r[i])) != NULL);
	}
	CHECK_OK(ct_wait_flag(started, 2));
	ct_let_block();
	/* One byte at a time, so that each read can take only one. */
	CHECK_INT(async_std_write(sv[1], "a", 1), ==, 1);
	ct_let_block();
	CHECK_INT(async_std_write(sv[1], "b", 1), ==, 1);
	for (int i = 0; i < 2; i++) {
		CHECK_OK(async_std_join(t[i], NULL));
		CHECK_MSG(r[i].n == 1, "reader %d gave %zd/%s", i, r[i].n, ct_errname(r[i].err));
	}
	CHECK((r[0].b == 'a' && r[1].b == 'b') || (r[0].b == 'b' && r[1].b == 'a'));
	ct_close(sv[0]);
	ct_close(sv[1]);
	return NULL;
}

CT_TEST(four_hundred_tasks_blocked_on_their_own_sockets_are_all_woken)
{
	enum { N = 400 };
	int *sv = ct_alloc(2 * N * sizeof *sv);
	struct shared_reader *r = ct_alloc(N * sizeof *r);
	atomic_int *started = ct_alloc(sizeof *started);
	async_std_task **t = ct_alloc(N * sizeof *t);
	for (int i = 0; i < N; i++) {
		CHECK_OK(ct_socketpair(&sv[2 * i]));
		r[i].fd = sv[2 * i];
		r[i].started = started;
		CHECK((t[i] = async_std_spawn(read_one_byte, &r[i])) != NULL);
	}
	CHECK_OK(ct_wait_flag(started, N));
	ct_let_block();
	/* Wake them in reverse order. */
	for (int i = N - 1; i >= 0; i--) {
		char c = (char)('0' + i % 10);
		CHECK_INT(async_std_write(sv[2 * i + 1], &c, 1), ==, 1);
	}
	for (int i = 0; i < N; i++) {
		CHECK_OK(async_std_join(t[i], NULL));
		CHECK_MSG(r[i].n == 1, "reader %d gave %zd/%s", i, r[i].n, ct_errname(r[i].err));
		CHECK_INT(r[i].b, ==, '0' + i % 10);
		ct_close(sv[2 * i]);
		ct_close(sv[2 * i + 1]);
	}
	return NULL;
}

/* A short read of a stream socket makes the next read on that worker wait
 * for readiness before it tries (runtimes/default/epoll.c).  These make the
 * guess wrong on purpose: the fd number closed behind the runtime's back
 * (close(2), not async_std_close) and reused by another kind of file. */
static int short_read_then_close_behind_the_runtime(int *num)
{
	int sv[2];
	if (ct_socketpair(sv) != 0)
		return -1;
	char b[8];
	if (async_std_write(sv[1], "x", 1) != 1 || async_std_read(sv[0], b, sizeof b) != 1)
		return -1;
	*num = sv[0];
	close(sv[0]); /* the runtime does not see this */
	ct_close(sv[1]);
	return 0;
}

CT_TEST(a_pipe_that_reuses_the_number_of_a_drained_socket_reads_its_data)
{
	int num, pp[2];
	CHECK_OK(short_read_then_close_behind_the_runtime(&num));
	CHECK_OK(pipe(pp));
	if (pp[0] != num) {
		CHECK_INT(dup2(pp[0], num), ==, num);
		close(pp[0]);
	}
	CHECK_INT(write(pp[1], "pipe", 4), ==, 4);
	char b[8] = { 0 };
	CHECK_INT(async_std_read(num, b, sizeof b), ==, 4);
	CHECK(memcmp(b, "pipe", 4) == 0);
	ct_close(num);
	ct_close(pp[1]);
	return NULL;
}

CT_TEST(a_file_that_reuses_the_number_of_a_drained_socket_reads_its_data)
{
	int num;
	CHECK_OK(short_read_then_close_behind_the_runtime(&num));
	char path[] = "/tmp/ct-reuse-XXXXXX";
	int fd;
	CHECK((fd = mkstemp(path)) >= 0);
	unlink(path);
	CHECK_INT(write(fd, "file", 4), ==, 4);
	CHECK_INT(lseek(fd, 0, SEEK_SET), ==, 0);
	if (fd != num) {
		CHECK_INT(dup2(fd, num), ==, num);
		close(fd);
	}
	char b[8] = { 0 };
	CHECK_INT(async_std_read(num, b, sizeof b), ==, 4);
	CHECK(memcmp(b, "file", 4) == 0);
	ct_close(num);
	return NULL;
}

CT_TEST(a_stream_socket_read_short_then_again_gets_data_written_later)
{
	int sv[2];
	CHECK_OK(ct_socketpair(sv));
	char b[8];
	CHECK_INT(async_std_write(sv[1], "a", 1), ==, 1);
	CHECK_INT(async_std_read(sv[0], b, sizeof b), ==, 1);
	/* Data that is already there when the next read starts. */
	CHECK_INT(async_std_write(sv[1], "bc", 2), ==, 2);
	CHECK_INT(async_std_read(sv[0], b, sizeof b), ==, 2);
	CHECK(memcmp(b, "bc", 2) == 0);
	/* And an end of file. */
	ct_close(sv[1]);
	CHECK_INT(async_std_read(sv[0], b, sizeof b), ==, 0);
	ct_close(sv[0]);
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(tcp_echo_through_read_and_write),
	cmocka_unit_test(tcp_echo_through_readv_and_writev),
	cmocka_unit_test(send_and_recv_move_data_and_honour_MSG_PEEK),
	cmocka_unit_test(sendto_and_recvfrom_over_udp_report_the_sender_address),
	cmocka_unit_test(recvfrom_waits_for_a_datagram),
	cmocka_unit_test(sendmsg_and_recvmsg_carry_data_and_a_passed_fd),
	cmocka_unit_test(shutdown_wr_gives_the_peer_eof_and_keeps_the_other_direction),
	cmocka_unit_test(read_returns_0_once_the_peer_closes),
	cmocka_unit_test(blocked_read_is_woken_by_a_write_from_another_task),
	cmocka_unit_test(writer_blocked_on_a_full_socket_is_woken_as_the_reader_drains_it),
	cmocka_unit_test(one_task_reads_while_another_writes_the_same_tcp_socket),
	cmocka_unit_test(poll_reports_POLLIN_when_data_waits),
	cmocka_unit_test(poll_reports_POLLOUT_on_a_writable_socket),
	cmocka_unit_test(poll_waits_until_data_arrives),
	cmocka_unit_test(poll_reports_POLLHUP_or_POLLIN_when_the_peer_closes),
	cmocka_unit_test(two_tasks_reading_one_socket_each_get_their_data),
	cmocka_unit_test(four_hundred_tasks_blocked_on_their_own_sockets_are_all_woken),
	cmocka_unit_test(a_pipe_that_reuses_the_number_of_a_drained_socket_reads_its_data),
	cmocka_unit_test(a_file_that_reuses_the_number_of_a_drained_socket_reads_its_data),
	cmocka_unit_test(a_stream_socket_read_short_then_again_gets_data_written_later),
};
CT_GROUP(ct_io_group, "io", tests);
