/* SPDX-License-Identifier: MIT */
/*
 * ext_harness.h - what the files of test_ext share (see test_ext.c): the
 * includes, the CHECK macros a body uses, the helpers of ext_harness.c, and
 * the test cases of each ext_*.c file.
 */
#ifndef HUMBOLDT_EXT_HARNESS_H
#define HUMBOLDT_EXT_HARNESS_H

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <setjmp.h>
#include <stddef.h>
#include <cmocka.h>
#include <liburing.h>

#include "async_std.h"
#include "humboldt.h"
#include "../unit/task_check.h" /* TC_PATIENCE_NS */

#define MS 1000000LL
#define SEC 1000000000LL

/* A body returns NULL, or a message saying what failed (file:line). */
typedef char *(*body_fn)(void *arg);

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond))                                                        \
			return failf(__FILE__, __LINE__, "%s (errno %s)", #cond,   \
				     errname(errno));                               \
	} while (0)

#define CHECK_INT(a, op, b)                                                         \
	do {                                                                        \
		long long a_ = (long long)(a), b_ = (long long)(b);                 \
		if (!(a_ op b_))                                                    \
			return failf(__FILE__, __LINE__, "%s %s %s: %lld vs %lld (errno %s)", \
				     #a, #op, #b, a_, b_, errname(errno));          \
	} while (0)

/* The call must fail with -1 (or NULL) and errno err. */
#define CHECK_ERRNO(call, err)                                                      \
	do {                                                                        \
		errno = 0;                                                          \
		long long r_ = (long long)(intptr_t)(call);                         \
		int e_ = errno;                                                     \
		if ((r_ != -1 && r_ != 0) || e_ != (err))                           \
			return failf(__FILE__, __LINE__,                            \
				     "%s: expected failure with %s, got %lld, errno %s", \
				     #call, errname(err), r_, errname(e_));         \
	} while (0)

#define CHECK_BODY(call)                                                            \
	do {                                                                        \
		char *m_ = (call);                                                  \
		if (m_)                                                             \
			return m_;                                                  \
	} while (0)

/* A blocked call in a child task, for the cancellation tests. */
struct blocked {
	int fd;
	void *ctx;                  /* the extension's handle */
	void *buf;                  /* where to read, when not on the stack */
	ssize_t r;
	int err;
	bool buffer_untouched;      /* the child's stack buffer kept its fill */
};

static inline unsigned char stream_byte(size_t pos)
{
	return (unsigned char)(pos % 251);
}

/* ext_harness.c: running a body as a task, the kernel probe, fixtures. */
const char *errname(int e);
char *failf(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void run_in_task(body_fn fn, void *arg);
async_std_task *spawn_local(async_std_fn fn, void *arg);
void probe_kernel(void);
bool gate(int feature, body_fn unsupported);
int port_of(int lfd);
char *tcp_pair(int fds[2]);
void close_pair(int fds[2]);
char *cancel_blocked(async_std_fn child, struct blocked *b);
char *next_bytes_are(int fd, const char *want);

/* The test cases, one file per extension (main is in test_ext.c). */
void test_plain_thread_gets_enotsup(void **state);
/* ext_accept.c */
void test_multishot_accept_delivers_every_connection(void **state);
void test_multishot_accept_survives_deadline_and_cancel(void **state);
void test_multishot_accept_ends_with_ebadf_when_listener_closes(void **state);
/* ext_bufring.c */
void test_buffer_ring_lends_a_filled_buffer_and_takes_it_back(void **state);
void test_buffer_ring_runs_out_with_enobufs_and_ends_with_zero(void **state);
void test_buffer_ring_deadline_and_cancel_give_the_buffer_back(void **state);
/* ext_send_zc.c */
void test_send_zc_sends_and_returns_after_the_notification(void **state);
void test_send_zc_deadline_waits_for_the_notification(void **state);
/* ext_files.c */
void test_registered_file_serves_io_by_its_slot(void **state);
void test_async_std_close_drops_the_registration(void **state);
/* ext_buffers.c */
void test_registered_buffers_read_and_write(void **state);
void test_registered_buffers_deadline_and_cancel_give_the_buffer_back(void **state);
/* ext_timeout.c */
void test_linked_timeout_times_out_or_returns_the_data(void **state);
void test_linked_timeout_cancel_returns_after_the_kernel_let_go(void **state);

#endif
