/* SPDX-License-Identifier: MIT */
/*
 * files.c - openat, pread/pwrite, read/write and fsync on regular files in a
 * temporary directory, and pipes (blocking and non-blocking, made by the
 * application) whose readers are woken by writer tasks.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conformance.h"

struct tmpdir {
	char path[64];
	int dfd;
};

static void *tmpdir_make(struct tmpdir *t)
{
	const char *base = getenv("TMPDIR");
	snprintf(t->path, sizeof t->path, "%s/as-conf-XXXXXX",
		 base && strlen(base) < 40 ? base : "/tmp");
	CHECK_MSG(mkdtemp(t->path) != NULL, "mkdtemp(%s): %s", t->path, ct_errname(errno));
	CHECK_OK(t->dfd = async_std_openat(AT_FDCWD, t->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0));
	return NULL;
}

static void tmpdir_remove(struct tmpdir *t, const char *const *names)
{
	for (; names && *names; names++)
		unlinkat(t->dfd, *names, 0);
	ct_close(t->dfd);
	rmdir(t->path);
}

CT_TEST(openat_pwrite_pread_and_fsync_on_a_regular_file)
{
	struct tmpdir *t = ct_alloc(sizeof *t);
	if (tmpdir_make(t))
		return CT_FAIL;
	char path[96];
	snprintf(path, sizeof path, "%s/data", t->path);
	int fd;
	CHECK_OK(fd = async_std_openat(AT_FDCWD, path, O_CREAT | O_RDWR | O_CLOEXEC, 0600));
	CHECK_INT(async_std_pwrite(fd, "hello", 5, 100), ==, 5);
	CHECK_INT(async_std_pwrite(fd, "HE", 2, 100), ==, 2);
	CHECK_INT(async_std_fsync(fd), ==, 0);
	char b[8] = { 0 };
	CHECK_INT(async_std_pread(fd, b, 5, 100), ==, 5);
	CHECK(memcmp(b, "HEllo", 5) == 0);
	CHECK_INT(async_std_pread(fd, b, 1, 0), ==, 1);
	CHECK_INT(b[0], ==, 0); /* the hole reads as zeros */
	struct stat st;
	CHECK_OK(fstat(fd, &st));
	CHECK_INT(st.st_size, ==, 105);
	/* pread/pwrite leave the file offset alone. */
	CHECK_INT(lseek(fd, 0, SEEK_CUR), ==, 0);
	CHECK_OK(async_std_close(fd));
	static const char *const names[] = { "data", NULL };
	tmpdir_remove(t, names);
	return NULL;
}

CT_TEST(pread_at_or_past_the_end_returns_0)
{
	struct tmpdir *t = ct_alloc(sizeof *t);
	if (tmpdir_make(t))
		return CT_FAIL;
	int fd;
	CHECK_OK(fd = async_std_openat(t->dfd, "short", O_CREAT | O_RDWR | O_CLOEXEC, 0600));
	CHECK_INT(async_std_pwrite(fd, "abc", 3, 0), ==, 3);
	char b[4];
	CHECK_INT(async_std_pread(fd, b, sizeof b, 3), ==, 0);
	CHECK_INT(async_std_pread(fd, b, sizeof b, 1000), ==, 0);
	CHECK_INT(async_std_pread(fd, b, sizeof b, 1), ==, 2);
	CHECK_OK(async_std_close(fd));
	static const char *const names[] = { "short", NULL };
	tmpdir_remove(t, names);
	return NULL;
}

CT_TEST(openat_relative_to_a_directory_fd_and_sequential_read_write)
{
	struct tmpdir *t = ct_alloc(sizeof *t);
	if (tmpdir_make(t))
		return CT_FAIL;
	int fd;
	CHECK_OK(fd = async_std_openat(t->dfd, "seq", O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600));
	CHECK_INT(async_std_write(fd, "first,", 6), ==, 6);
	CHECK_INT(async_std_write(fd, "second", 6), ==, 6);
	/* write advanced the file offset like write(2). */
	CHECK_INT(lseek(fd, 0, SEEK_CUR), ==, 12);
	CHECK_OK(async_std_fsync(fd));
	CHECK_OK(async_std_close(fd));
	CHECK_OK(fd = async_std_openat(t->dfd, "seq", O_RDONLY | O_CLOEXEC, 0));
	char b[16] = { 0 };
	CHECK_INT(async_std_read(fd, b, 6), ==, 6);
	CHECK_INT(async_std_read(fd, b + 6, sizeof b - 6), ==, 6);
	CHECK(memcmp(b, "first,second", 12) == 0);
	CHECK_INT(async_std_read(fd, b, sizeof b), ==, 0);
	struct iovec iov[2] = { { b, 3 }, { b + 8, 3 } };
	CHECK_INT(lseek(fd, 0, SEEK_SET), ==, 0);
	CHECK_INT(async_std_readv(fd, iov, 2), ==, 6);
	CHECK(memcmp(b, "fir", 3) == 0 && memcmp(b + 8, "st,", 3) == 0);
	CHECK_OK(async_std_close(fd));
	static const char *const names[] = { "seq", NULL };
	tmpdir_remove(t, names);
	return NULL;
}

CT_TEST(openat_reports_ENOENT_and_EEXIST)
{
	struct tmpdir *t = ct_alloc(sizeof *t);
	if (tmpdir_make(t))
		return CT_FAIL;
	CHECK_ERRNO(async_std_openat(t->dfd, "missing", O_RDONLY, 0), ENOENT);
	int fd;
	CHECK_OK(fd = async_std_openat(t->dfd, "once", O_CREAT | O_EXCL | O_WRONLY, 0600));
	CHECK_ERRNO(async_std_openat(t->dfd, "once", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
	CHECK_OK(async_std_close(fd));
	static const char *const names[] = { "once", NULL };
	tmpdir_remove(t, names);
	return NULL;
}

CT_TEST(pwrite_and_pread_with_a_negative_offset_fail_with_EINVAL)
{
	struct tmpdir *t = ct_alloc(sizeof *t);
	if (tmpdir_make(t))
		return CT_FAIL;
	int fd;
	CHECK_OK(fd = async_std_openat(t->dfd, "neg", O_CREAT | O_RDWR, 0600));
	char b[2];
	CHECK_ERRNO(async_std_pwrite(fd, "x", 1, -1), EINVAL);
	CHECK_ERRNO(async_std_pread(fd, b, 1, -1), EINVAL);
	CHECK_OK(async_std_close(fd));
	static const char *const names[] = { "neg", NULL };
	tmpdir_remove(t, names);
	return NULL;
}

/* ---- pipes ------------------------------------------------------------- */

struct pipe_reader {
	int fd;
	atomic_int started;
	ssize_t n;
	int err;
	char buf[32];
};

static void *pipe_read_once(void *p)
{
	struct pipe_reader *r = p;
	atomic_store(&r->started, 1);
	errno = 0;
	r->n = async_std_read(r->fd, r->buf, sizeof r->buf);
	r->err = errno;
	return NULL;
}

struct pipe_writer {
	int fd;
	atomic_int *go;
};

static void *pipe_write_later(void *p)
{
	struct pipe_writer *w = p;
	if (ct_wait_flag(w->go, 1) != 0)
		return CT_FAIL;
	ct_let_block();
	if (async_std_write(w->fd, "through", 7) != 7)
		return CT_FAIL;
	return NULL;
}

static void *reader_woken_by_writer(int pipe_flags)
{
	int p[2];
	CHECK_OK(pipe2(p, O_CLOEXEC | pipe_flags));
	struct pipe_reader *r = ct_alloc(sizeof *r);
	struct pipe_writer *w = ct_alloc(sizeof *w);
	r->fd = p[0];
	w->fd = p[1];
	w->go = &r->started;
	async_std_task *tr = async_std_spawn(pipe_read_once, r);
	async_std_task *tw = async_std_spawn(pipe_write_later, w);
	CHECK(tr != NULL && tw != NULL);
	void *wres = CT_FAIL;
	CHECK_OK(async_std_join(tw, &wres));
	CHECK_OK(async_std_join(tr, NULL));
	CHECK_MSG(wres == NULL, "the writer task failed");
	CHECK_MSG(r->n == 7, "pipe read gave %zd/%s", r->n, ct_errname(r->err));
	CHECK(memcmp(r->buf, "through", 7) == 0);
	ct_close(p[0]);
	ct_close(p[1]);
	return NULL;
}

CT_TEST(task_reading_a_blocking_pipe_is_woken_by_a_writer_task)
{
	return reader_woken_by_writer(0);
}

CT_TEST(task_reading_a_nonblocking_pipe_waits_instead_of_EAGAIN)
{
	return reader_woken_by_writer(O_NONBLOCK);
}

CT_TEST(blocked_pipe_reader_does_not_stop_a_writer_on_the_same_worker)
{
	/* Both LOCAL: if the read blocked the worker thread, the writer could
	 * never run. */
	int p[2];
	CHECK_OK(pipe2(p, O_CLOEXEC));
	struct pipe_reader *r = ct_alloc(sizeof *r);
	struct pipe_writer *w = ct_alloc(sizeof *w);
	r->fd = p[0];
	w->fd = p[1];
	w->go = &r->started;
	async_std_spawn_attr attr = { .size = sizeof attr, .flags = ASYNC_STD_SPAWN_LOCAL };
	async_std_task *tr = async_std_spawn_ex(pipe_read_once, r, &attr);
	async_std_task *tw = async_std_spawn_ex(pipe_write_later, w, &attr);
	CHECK(tr != NULL && tw != NULL);
	void *wres = CT_FAIL;
	CHECK_OK(async_std_join(tw, &wres));
	CHECK_OK(async_std_join(tr, NULL));
	CHECK_MSG(wres == NULL, "the writer task failed");
	CHECK_MSG(r->n == 7, "pipe read gave %zd/%s", r->n, ct_errname(r->err));
	ct_close(p[0]);
	ct_close(p[1]);
	return NULL;
}

CT_TEST(pipe_read_returns_0_when_the_write_end_closes)
{
	int p[2];
	CHECK_OK(pipe2(p, O_CLOEXEC));
	struct pipe_reader *r = ct_alloc(sizeof *r);
	r->fd = p[0];
	async_std_task *tr = async_std_spawn(pipe_read_once, r);
	CHECK(tr != NULL);
	CHECK_OK(ct_wait_flag(&r->started, 1));
	ct_let_block();
	CHECK_OK(async_std_close(p[1]));
	CHECK_OK(async_std_join(tr, NULL));
	CHECK_MSG(r->n == 0, "pipe read gave %zd/%s, expected 0 (EOF)", r->n, ct_errname(r->err));
	ct_close(p[0]);
	return NULL;
}

struct pipe_bulk {
	int fd;
	size_t n;
	int rc, err;
	unsigned sum;
};

static void *pipe_bulk_write(void *p)
{
	struct pipe_bulk *b = p;
	char chunk[1000];
	for (size_t i = 0; i < sizeof chunk; i++)
		chunk[i] = (char)i;
	for (size_t sent = 0; sent < b->n; sent += sizeof chunk)
		if (ct_write_all(b->fd, chunk, sizeof chunk) != 0) {
			b->rc = -1;
			b->err = errno;
			break;
		}
	return NULL;
}

static void *pipe_bulk_read(void *p)
{
	struct pipe_bulk *b = p;
	char buf[1500];
	size_t got = 0;
	while (got < b->n) {
		ssize_t r = async_std_read(b->fd, buf, sizeof buf);
		if (r <= 0) {
			b->rc = -1;
			b->err = r == 0 ? ENODATA : errno;
			break;
		}
		for (ssize_t i = 0; i < r; i++)
			b->sum += (unsigned char)buf[i];
		got += (size_t)r;
	}
	return NULL;
}

CT_TEST(pipe_writer_blocked_on_a_full_pipe_is_woken_as_the_reader_drains_it)
{
	enum { TOTAL = 1000 * 1000 };
	int p[2];
	CHECK_OK(pipe2(p, O_CLOEXEC));
	struct pipe_bulk *w = ct_alloc(sizeof *w), *r = ct_alloc(sizeof *r);
	w->fd = p[1];
	r->fd = p[0];
	w->n = r->n = TOTAL;
	async_std_task *tw = async_std_spawn(pipe_bulk_write, w);
	async_std_task *tr = async_std_spawn(pipe_bulk_read, r);
	CHECK(tw != NULL && tr != NULL);
	CHECK_OK(async_std_join(tw, NULL));
	CHECK_OK(async_std_join(tr, NULL));
	CHECK_MSG(w->rc == 0, "writer: %s", ct_errname(w->err));
	CHECK_MSG(r->rc == 0, "reader: %s", ct_errname(r->err));
	unsigned expect = 0;
	for (int i = 0; i < 1000; i++)
		expect += (unsigned char)(char)i;
	CHECK_INT(r->sum, ==, expect * (TOTAL / 1000));
	ct_close(p[0]);
	ct_close(p[1]);
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(openat_pwrite_pread_and_fsync_on_a_regular_file),
	cmocka_unit_test(pread_at_or_past_the_end_returns_0),
	cmocka_unit_test(openat_relative_to_a_directory_fd_and_sequential_read_write),
	cmocka_unit_test(openat_reports_ENOENT_and_EEXIST),
	cmocka_unit_test(pwrite_and_pread_with_a_negative_offset_fail_with_EINVAL),
	cmocka_unit_test(task_reading_a_blocking_pipe_is_woken_by_a_writer_task),
	cmocka_unit_test(task_reading_a_nonblocking_pipe_waits_instead_of_EAGAIN),
	cmocka_unit_test(blocked_pipe_reader_does_not_stop_a_writer_on_the_same_worker),
	cmocka_unit_test(pipe_read_returns_0_when_the_write_end_closes),
	cmocka_unit_test(pipe_writer_blocked_on_a_full_pipe_is_woken_as_the_reader_drains_it),
};
CT_GROUP(ct_files_group, "files", tests);
