/* SPDX-License-Identifier: MIT */
/*
 * identity.c - runtime_name, abi_version and the function table.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conformance.h"

CT_TEST(runtime_name_is_a_stable_nonempty_string)
{
	const char *a = async_std_runtime_name();
	CHECK(a != NULL);
	CHECK(a[0] != '\0');
	const char *b = async_std_runtime_name();
	CHECK(b != NULL);
	CHECK(strcmp(a, b) == 0);
	return NULL;
}

CT_TEST(abi_version_major_is_1_and_covers_this_header)
{
	uint32_t v = async_std_abi_version();
	CHECK_INT(v >> 16, ==, 1);
	CHECK_INT(v, >=, ASYNC_STD_ABI_VERSION);
	return NULL;
}

CT_TEST(runtime_ops_describes_the_bound_runtime)
{
	const struct async_std_ops *ops = async_std_runtime_ops();
	CHECK(ops != NULL);
	CHECK_INT(ops->size, >=, sizeof(struct async_std_ops));
	CHECK(ops->runtime != NULL);
	CHECK_MSG(strcmp(ops->runtime, async_std_runtime_name()) == 0,
		  "ops->runtime \"%s\" != runtime_name() \"%s\"", ops->runtime,
		  async_std_runtime_name());
	CHECK_INT(ops->version, ==, async_std_abi_version());
	CHECK(async_std_runtime_ops() == ops);
	return NULL;
}

CT_TEST(runtime_ops_has_every_entry_filled)
{
	const struct async_std_ops *ops = async_std_runtime_ops();
	/* The function pointers run from runtime_name to run_blocking. */
	const char *first = (const char *)&ops->runtime_name;
	const char *end = (const char *)&ops->run_blocking + sizeof ops->run_blocking;
	for (const char *p = first; p < end; p += sizeof(void (*)(void))) {
		void (*fp)(void);
		memcpy(&fp, p, sizeof fp);
		CHECK_MSG(fp != NULL, "ops entry at offset %zu is NULL",
			  (size_t)(p - (const char *)ops));
	}
	return NULL;
}

CT_TEST(runtime_ops_identity_entries_match_the_direct_calls)
{
	const struct async_std_ops *ops = async_std_runtime_ops();
	CHECK(strcmp(ops->runtime_name(), async_std_runtime_name()) == 0);
	CHECK_INT(ops->abi_version(), ==, async_std_abi_version());
	CHECK(ops->runtime_ops() == ops);
	return NULL;
}

static void *times_three(void *arg)
{
	return (void *)((uintptr_t)arg * 3);
}

CT_TEST(runtime_ops_spawn_join_and_now_work_through_the_table)
{
	const struct async_std_ops *ops = async_std_runtime_ops();
	int64_t t0 = ops->now();
	CHECK_INT(t0, >, 0);
	async_std_task *t = ops->spawn(times_three, (void *)14);
	CHECK(t != NULL);
	void *res = NULL;
	CHECK_OK(ops->join(t, &res));
	CHECK_INT((uintptr_t)res, ==, 42);
	CHECK_INT(async_std_now(), >=, t0);
	CHECK_INT(ops->now(), >=, t0);
	CHECK_OK(ops->sleep(0));
	CHECK(ops->self() == async_std_self());
	return NULL;
}

static void *echo_byte_through_ops(void *p)
{
	const struct async_std_ops *ops = async_std_runtime_ops();
	int fd = *(int *)p;
	char b;
	if (ops->read(fd, &b, 1) != 1 || ops->write(fd, &b, 1) != 1)
		return CT_FAIL;
	return NULL;
}

/* Each entry is called the way its function is and must behave like it:
 * an entry in the wrong slot or pointing at the wrong function fails. */
CT_TEST(every_runtime_ops_entry_behaves_like_the_function_it_stands_for)
{
	const struct async_std_ops *o = async_std_runtime_ops();
	void *res = NULL;
	CHECK_OK(o->block_on(times_three, (void *)5, &res));
	CHECK_INT((uintptr_t)res, ==, 15);
	async_std_spawn_attr attr = { .size = sizeof attr };
	async_std_task *t = o->spawn_ex(times_three, (void *)2, &attr);
	CHECK(t != NULL);
	CHECK_INT(o->task_id(t), ==, async_std_task_id(t));
	CHECK_OK(o->join(t, &res));
	CHECK_INT((uintptr_t)res, ==, 6);
	CHECK_ERRNO(o->detach(NULL), EINVAL);
	CHECK_ERRNO(o->cancel(NULL), EINVAL);
	CHECK_INT(o->yield(), ==, 0);
	CHECK_ERRNO(o->sleep(-1), EINVAL);
	CHECK_ERRNO(o->sleep_until(-1), EINVAL);
	int64_t cur = o->deadline_push(-1);
	o->deadline_pop(cur);
	CHECK_INT(cur, ==, atomic_load(&ct_body_deadline));
	int64_t prev = o->deadline_push(async_std_now() - 1);
	CHECK_ERRNO(async_std_sleep(CT_MS), ETIMEDOUT);
	o->deadline_pop(prev);

	/* Sockets, by hand and with the helpers. */
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t alen = sizeof a;
	int lfd, c, s, l2, c2;
	CHECK_OK(lfd = o->socket(AF_INET, SOCK_STREAM, 0));
	CHECK_OK(o->bind(lfd, (struct sockaddr *)&a, sizeof a));
	CHECK_OK(o->listen(lfd, 4));
	CHECK_OK(getsockname(lfd, (struct sockaddr *)&a, &alen));
	CHECK_OK(c = o->socket(AF_INET, SOCK_STREAM, 0));
	CHECK_OK(o->connect(c, (struct sockaddr *)&a, sizeof a));
	CHECK_OK(s = o->accept(lfd, NULL, NULL));
	CHECK_INT(o->send(c, "1", 1, 0), ==, 1);
	char b[4];
	CHECK_INT(o->recv(s, b, 1, 0), ==, 1);
	CHECK_INT(o->sendto(c, "2", 1, 0, NULL, 0), ==, 1);
	CHECK_INT(o->recvfrom(s, b, 1, 0, NULL, NULL), ==, 1);
	struct iovec iov = { b, 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	CHECK_INT(o->sendmsg(c, &m, 0), ==, 1);
	CHECK_INT(o->recvmsg(s, &m, 0), ==, 1);
	CHECK_INT(o->writev(c, &iov, 1), ==, 1);
	CHECK_INT(o->readv(s, &iov, 1), ==, 1);
	CHECK_INT(o->poll(c, POLLOUT) & POLLOUT, ==, POLLOUT);
	int fds[2] = { s, c };
	async_std_task *e = async_std_spawn(echo_byte_through_ops, &fds[0]);
	CHECK(e != NULL);
	CHECK_INT(o->write(c, "3", 1), ==, 1);
	CHECK_INT(o->read(c, b, 1), ==, 1);
	CHECK_INT(b[0], ==, '3');
	CHECK_OK(async_std_join(e, &res));
	CHECK(res == NULL);
	CHECK_OK(o->shutdown(c, SHUT_WR));
	CHECK_INT(o->read(s, b, 1), ==, 0);
	CHECK_OK(l2 = o->tcp_listen("127.0.0.1", 0, 4));
	CHECK_OK(c2 = o->tcp_connect("127.0.0.1", ct_local_port(l2)));
	CHECK_OK(o->close(c2));
	CHECK_OK(o->close(l2));
	CHECK_OK(o->close(s));
	CHECK_OK(o->close(c));
	CHECK_OK(o->close(lfd));
	CHECK_ERRNO(o->close(lfd), EBADF);

	/* Files. */
	char dir[] = "/tmp/as-ops-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	int dfd, f;
	CHECK_OK(dfd = o->openat(AT_FDCWD, dir, O_RDONLY | O_DIRECTORY, 0));
	CHECK_OK(f = o->openat(dfd, "x", O_CREAT | O_RDWR, 0600));
	CHECK_INT(o->pwrite(f, "abc", 3, 1), ==, 3);
	CHECK_OK(o->fsync(f));
	CHECK_INT(o->pread(f, b, 3, 1), ==, 3);
	CHECK(memcmp(b, "abc", 3) == 0);
	CHECK_OK(o->close(f));
	unlinkat(dfd, "x", 0);
	CHECK_OK(o->close(dfd));
	rmdir(dir);

	/* The rest. */
	struct addrinfo *ai = NULL;
	CHECK_INT(o->getaddrinfo("127.0.0.1", "7", NULL, &ai), ==, 0);
	CHECK(ai != NULL);
	o->freeaddrinfo(ai);
	unsigned char r[32] = { 0 };
	CHECK_INT(o->getrandom(r, sizeof r), ==, sizeof r);
	CHECK_OK(o->run_blocking(times_three, (void *)7, &res));
	CHECK_INT((uintptr_t)res, ==, 21);
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(runtime_name_is_a_stable_nonempty_string),
	cmocka_unit_test(abi_version_major_is_1_and_covers_this_header),
	cmocka_unit_test(runtime_ops_describes_the_bound_runtime),
	cmocka_unit_test(runtime_ops_has_every_entry_filled),
	cmocka_unit_test(runtime_ops_identity_entries_match_the_direct_calls),
	cmocka_unit_test(runtime_ops_spawn_join_and_now_work_through_the_table),
	cmocka_unit_test(every_runtime_ops_entry_behaves_like_the_function_it_stands_for),
};
CT_GROUP(ct_identity_group, "identity", tests);
