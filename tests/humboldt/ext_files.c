/* SPDX-License-Identifier: MIT */
/*
 * ext_files.c - humboldt_file_*: registered files
 * (part of test_ext: see test_ext.c).
 */
#include "ext_harness.h"

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

void test_registered_file_serves_io_by_its_slot(void **state)
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

void test_async_std_close_drops_the_registration(void **state)
{
	(void)state;
	if (gate(HUMBOLDT_REGISTERED_FILES, files_unsupported))
		run_in_task(files_close, NULL);
}
