/* SPDX-License-Identifier: MIT */
/*
 * conformance.h - shared harness of the ABI conformance suite.
 *
 * The suite uses only abi/async_std.h and runs unchanged under every runtime
 * (linked against the stub, LD_PRELOADed, or statically linked).  Each cmocka
 * test runs its body as a task through async_std_block_on.  Bodies must not
 * use cmocka's assert_* (they longjmp, which must never cross fiber stacks or
 * threads): they use the CHECK_* macros below, which record the first failure
 * with file:line and the values, and return CT_FAIL from the enclosing
 * function (which must return void *).  ct_run() turns the record into a
 * cmocka failure on the main thread.
 */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "async_std.h"

#define CT_MS  1000000LL
#define CT_SEC 1000000000LL

/* Returned by a body or helper whose check failed. */
extern char ct_fail_marker;
#define CT_FAIL ((void *)&ct_fail_marker)

/* The safety deadline every body runs under (default minutes, more under
 * sanitizers and valgrind; CONFORMANCE_DEADLINE=<seconds> overrides), as an
 * absolute time; set by the trampoline before the body starts.  It ends a
 * hung test: no verdict may depend on it being short. */
extern int64_t ct_deadline_ns;
extern _Atomic int64_t ct_body_deadline;
/* A sleep that outlasts any test, for tasks that must still be asleep when
 * the test (however slow the machine) gets round to them. */
#define CT_FOREVER_NS (2 * ct_deadline_ns)

void ct_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void ct_skip(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const char *ct_errname(int err);

#define CHECK(cond)                                                               \
	do {                                                                      \
		if (!(cond)) {                                                    \
			ct_fail(__FILE__, __LINE__, "check failed: %s", #cond);  \
			return CT_FAIL;                                           \
		}                                                                 \
	} while (0)

#define CHECK_MSG(cond, ...)                                                      \
	do {                                                                      \
		if (!(cond)) {                                                    \
			ct_fail(__FILE__, __LINE__, __VA_ARGS__);                 \
			return CT_FAIL;                                           \
		}                                                                 \
	} while (0)

/* CHECK_INT(a, ==, b): compares as long long and prints both values. */
#define CHECK_INT(a, op, b)                                                       \
	do {                                                                      \
		long long a_ = (long long)(a), b_ = (long long)(b);               \
		if (!(a_ op b_)) {                                                \
			ct_fail(__FILE__, __LINE__, "%s %s %s: %lld vs %lld",     \
				#a, #op, #b, a_, b_);                             \
			return CT_FAIL;                                           \
		}                                                                 \
	} while (0)

/* The call must succeed (return >= 0); prints errno otherwise. */
#define CHECK_OK(call)                                                            \
	do {                                                                      \
		errno = 0;                                                        \
		long long r_ = (long long)(call);                                 \
		if (r_ < 0) {                                                     \
			int e_ = errno;                                           \
			ct_fail(__FILE__, __LINE__, "%s failed: returned %lld, errno %s", \
				#call, r_, ct_errname(e_));                        \
			return CT_FAIL;                                           \
		}                                                                 \
	} while (0)

/* The call must return -1 and set errno to err. */
#define CHECK_ERRNO(call, err)                                                    \
	do {                                                                      \
		errno = 0;                                                        \
		long long r_ = (long long)(call);                                 \
		int e_ = errno;                                                   \
		if (r_ != -1 || e_ != (err)) {                                    \
			ct_fail(__FILE__, __LINE__,                               \
				"%s: expected -1 with errno %s, got %lld with errno %s", \
				#call, ct_errname(err), r_, ct_errname(e_));      \
			return CT_FAIL;                                           \
		}                                                                 \
	} while (0)

/* The pointer-returning call must return NULL and set errno to err. */
#define CHECK_NULL_ERRNO(call, err)                                               \
	do {                                                                      \
		errno = 0;                                                        \
		const void *p_ = (const void *)(call);                            \
		int e_ = errno;                                                   \
		if (p_ != NULL || e_ != (err)) {                                  \
			ct_fail(__FILE__, __LINE__,                               \
				"%s: expected NULL with errno %s, got %p with errno %s", \
				#call, ct_errname(err), p_, ct_errname(e_));      \
			return CT_FAIL;                                           \
		}                                                                 \
	} while (0)

/* An errno value an op helper returned (0 = no error) must equal err. */
#define CHECK_ERR_VALUE(got, err)                                                 \
	do {                                                                      \
		int g_ = (got);                                                   \
		if (g_ != (err)) {                                                \
			ct_fail(__FILE__, __LINE__, "%s: expected %s, got %s",   \
				#got, ct_errname(err), ct_errname(g_));           \
			return CT_FAIL;                                           \
		}                                                                 \
	} while (0)

/* Marks the running test skipped, with a reason, and leaves the body. */
#define CT_SKIP(...)                                                              \
	do {                                                                      \
		ct_skip(__FILE__, __LINE__, __VA_ARGS__);                         \
		return NULL;                                                      \
	} while (0)

/* Runs body(arg) as a task under the safety deadline and reports to
 * cmocka; call it from a cmocka test function (main thread). */
void harness_run(const char *name, async_std_fn body, void *arg);
void harness_init(void);
void harness_save_signals(void);
/* How long past its deadline a test may run before the watchdog aborts. */
#define HARNESS_GRACE_S 30

/* Defines the cmocka test `name` whose body runs as a task. */
#define CT_TEST(name)                                                             \
	static void *name##_body(void *arg);                                      \
	static void name(void **state)                                            \
	{                                                                         \
		(void)state;                                                      \
		harness_run(#name, name##_body, NULL);                            \
	}                                                                         \
	static void *name##_body(void *arg)

/* Memory that lives until the test passed (leaked if it failed, since tasks
 * of a failed test may still use it).  Zeroed; never NULL. */
void *ct_alloc(size_t n);

/* Waits (polling with 1 ms sleeps, which honour deadline and cancellation)
 * until *flag >= value.  Works in tasks and plain threads.  0 or -1/errno. */
int ct_wait_flag(atomic_int *flag, int value);
/* "Some time passes": lets a task that was just released reach its blocking
 * call.  Tests never depend on it for their outcome. */
void ct_let_block(void);

/* A connected AF_UNIX stream pair, non-blocking and close-on-exec. */
int ct_socketpair(int sv[2]);
/* Closes fd (async_std_close, falling back to close(2) if that fails). */
void ct_close(int fd);
/* An fd number that is not open (it was open and was closed). */
int ct_closed_fd(void);
/* Fills fd's send buffer so that the next write would block. */
int ct_fill_sendbuf(int fd);
/* True if fd is O_NONBLOCK and FD_CLOEXEC. */
int ct_is_nonblocking_cloexec(int fd);
/* A TCP connection on loopback: listener, client and accepted server end. */
struct ct_tcp_pair {
	int lfd, client, server;
};
void *ct_tcp_pair_open(struct ct_tcp_pair *p); /* NULL, or CT_FAIL */
void ct_tcp_pair_close(struct ct_tcp_pair *p);
/* Port of a bound socket (host byte order), or -1. */
int ct_local_port(int fd);
/* Writes/reads exactly n bytes with async_std_write/read. */
int ct_write_all(int fd, const void *buf, size_t n);
int ct_read_all(int fd, void *buf, size_t n);

/* Runs fn(arg) on a new plain pthread; the calling task waits for it without
 * blocking its worker.  Returns fn's result (CT_FAIL if it failed). */
void *ct_in_plain_thread(void *(*fn)(void *), void *arg);
/* The same, without the safety deadline that ct_in_plain_thread pushes on
 * the new thread before calling fn. */
void *ct_in_plain_thread_ex(void *(*fn)(void *), void *arg, int with_deadline);

/* ---- interrupted waits (waits.c), shared by cancel.c and sync_waits.c ----
 * A file's table of blocking calls: each op descriptor begins with a
 * struct ct_wait_op and each environment with a struct ct_wait. */
struct ct_wait;
struct ct_wait_kind {
	size_t env_size; /* of the file's environment */
	/* Prepares the zeroed environment for w->op: NULL, or CT_FAIL. */
	void *(*setup)(struct ct_wait *w);
	void *(*teardown)(struct ct_wait *w); /* NULL, or CT_FAIL */
	/* One call of w->op: 0 or its errno (or the file's own codes). */
	int (*run)(struct ct_wait *w);
	/* Names a run result in messages; NULL: 0 is "success", else errno. */
	const char *(*result_name)(int result);
	int child_deadline; /* the cancelled child runs under the safety deadline */
	int check_ran;      /* calls not made must leave ct_wait.ran at 0 */
};
struct ct_wait_op {
	const char *name;
	const struct ct_wait_kind *kind;
};
struct ct_wait {
	const struct ct_wait_op *op;
	atomic_int started, gate, ran;
	int err1, err2;
};
/* The four ways; each is a test body whose argument is a struct ct_wait_op. */
void *ct_cancel_while_blocked(void *op);
void *ct_cancel_before(void *op);
void *ct_deadline_during(void *op);
void *ct_deadline_passed_before(void *op);

/* Defines the test fn that runs way on the op descriptor desc. */
#define CT_WAY_TEST(fn, way, desc)                                                \
	static void fn(void **state)                                              \
	{                                                                         \
		(void)state;                                                      \
		harness_run(#fn, way, (void *)&(desc).base);                      \
	}
/* All four ways on op `name` (whose descriptor is desc), and their list. */
#define CT_WAYS_ALL_TESTS(name, desc)                                             \
	CT_WAY_TEST(cancel_while_blocked_in_##name##_gives_ECANCELED,             \
		    ct_cancel_while_blocked, desc)                                \
	CT_WAYS_BEFORE_TESTS(name, desc)                                          \
	CT_WAY_TEST(deadline_during_##name##_gives_ETIMEDOUT, ct_deadline_during, desc)
#define CT_WAYS_ALL_LIST(name)                                                    \
	cmocka_unit_test(cancel_while_blocked_in_##name##_gives_ECANCELED),       \
	cmocka_unit_test(cancel_before_##name##_gives_ECANCELED),                 \
	cmocka_unit_test(deadline_during_##name##_gives_ETIMEDOUT),               \
	cmocka_unit_test(deadline_passed_before_##name##_gives_ETIMEDOUT),
/* Only the two ways that interrupt before the call. */
#define CT_WAYS_BEFORE_TESTS(name, desc)                                          \
	CT_WAY_TEST(cancel_before_##name##_gives_ECANCELED, ct_cancel_before, desc) \
	CT_WAY_TEST(deadline_passed_before_##name##_gives_ETIMEDOUT,              \
		    ct_deadline_passed_before, desc)
#define CT_WAYS_BEFORE_LIST(name)                                                 \
	cmocka_unit_test(cancel_before_##name##_gives_ECANCELED),                 \
	cmocka_unit_test(deadline_passed_before_##name##_gives_ETIMEDOUT),

/* Test tables, one per file. */
struct ct_group {
	const char *name;
	const struct CMUnitTest *tests;
	size_t count;
};
#define CT_GROUP(var, tname, arr)                                                 \
	const struct ct_group var = { tname, arr, sizeof(arr) / sizeof((arr)[0]) }

extern const struct ct_group ct_identity_group, ct_tasks_group, ct_time_group,
	ct_cancel_group, ct_tcp_group, ct_io_group, ct_close_group, ct_appfd_group,
	ct_files_group,
	ct_offload_group, ct_threads_group, ct_badinput_group, ct_sync_locks_group,
	ct_sync_chan_group, ct_sync_waits_group, ct_sync_group_group, ct_edges_group, ct_dump_group,
	ct_hostile_group;

#endif
