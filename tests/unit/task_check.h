/* SPDX-License-Identifier: MIT */
/*
 * task_check.h - checks for code that runs in a task or on a thread other
 * than cmocka's, where an assert_* must never run (it longjmps, which must
 * not cross fiber stacks or threads, and kills the binary when it fails
 * there).  TC_CHECK* record the first failure with file:line and the values
 * and return TC_FAILED from the enclosing function (which returns void *);
 * tc_assert_none() raises the record as a cmocka failure on the test's own
 * thread, after the tasks and threads were joined.  Include after cmocka.h.
 */
#ifndef TASK_CHECK_H
#define TASK_CHECK_H

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static struct {
	pthread_mutex_t lock;
	int count;
	char text[512];
} tc_record = { PTHREAD_MUTEX_INITIALIZER, 0, "" };

#define TC_FAILED ((void *)&tc_record)

/* How long a test waits for what must happen before it calls it a failure.
 * It only ends a hang, so a slow or loaded machine must never meet it;
 * sanitizers and valgrind make every step slower. */
#if defined(AS_VALGRIND)
#define TC_PATIENCE_NS (1200 * 1000000000LL)
#elif defined(AS_TSAN)
#define TC_PATIENCE_NS (600 * 1000000000LL)
#elif defined(AS_ASAN)
#define TC_PATIENCE_NS (360 * 1000000000LL)
#else
#define TC_PATIENCE_NS (120 * 1000000000LL)
#endif

__attribute__((format(printf, 3, 4), unused))
static void tc_fail(const char *file, int line, const char *fmt, ...)
{
	pthread_mutex_lock(&tc_record.lock);
	if (tc_record.count++ == 0) {
		int n = snprintf(tc_record.text, sizeof tc_record.text, "%s:%d: ", file, line);
		va_list ap;
		va_start(ap, fmt);
		if (n > 0 && (size_t)n < sizeof tc_record.text)
			vsnprintf(tc_record.text + n, sizeof tc_record.text - (size_t)n, fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&tc_record.lock);
}

#define TC_CHECK(cond)                                                            \
	do {                                                                      \
		if (!(cond)) {                                                    \
			tc_fail(__FILE__, __LINE__, "check failed: %s", #cond);  \
			return TC_FAILED;                                         \
		}                                                                 \
	} while (0)

/* TC_CHECK_INT(a, ==, b): compares as long long and prints both values. */
#define TC_CHECK_INT(a, op, b)                                                    \
	do {                                                                      \
		long long a_ = (long long)(a), b_ = (long long)(b);               \
		if (!(a_ op b_)) {                                                \
			tc_fail(__FILE__, __LINE__, "%s %s %s: %lld vs %lld",     \
				#a, #op, #b, a_, b_);                             \
			return TC_FAILED;                                         \
		}                                                                 \
	} while (0)

/* On cmocka's thread: fails the test with the first recorded failure (and
 * how many more there were), reported at the caller's line, and clears the
 * record for the next test. */
#define tc_assert_none() tc_assert_none_at(__FILE__, __LINE__)
__attribute__((unused))
static void tc_assert_none_at(const char *file, int line)
{
	pthread_mutex_lock(&tc_record.lock);
	int n = tc_record.count;
	char text[sizeof tc_record.text];
	snprintf(text, sizeof text, "%s", tc_record.text);
	tc_record.count = 0;
	tc_record.text[0] = '\0';
	pthread_mutex_unlock(&tc_record.lock);
	if (!n)
		return;
	if (n > 1)
		print_error("ERROR: %s (and %d more failed checks)\n", text, n - 1);
	else
		print_error("ERROR: %s\n", text);
	_fail(file, line);
}

#endif
