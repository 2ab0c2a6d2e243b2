/* SPDX-License-Identifier: MIT */
/*
 * test_stack.c - unit tests of the stack pool (runtimes/core/stack.h): what an
 * allocation returns, reuse, the cost in VMAs and RSS, and the one-line report
 * when a stack overflows into its guard page (checked in forked children).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fiber.h"
#include "stack.h"

#define STACK_BYTES (64 * 1024)

static size_t page(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

static int maps_lines(void)
{
	char buf[65536];
	ssize_t r;
	int lines = 0;
	FILE *f = fopen("/proc/self/maps", "r");

	assert_non_null(f);
	while ((r = (ssize_t)fread(buf, 1, sizeof buf, f)) > 0)
		for (ssize_t i = 0; i < r; i++)
			lines += buf[i] == '\n';
	fclose(f);
	return lines;
}

static long rss_kib(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	assert_non_null(f);
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "VmRSS:", 6) == 0)
			v = strtol(line + 6, NULL, 10);
	fclose(f);
	assert_true(v >= 0);
	return v;
}

/* Runs fn in a child with its stderr captured; returns the wait status and
 * fills out with what the child wrote. */
static int run_child(void (*fn)(void), char *out, size_t cap)
{
	int fds[2], status;
	size_t n = 0;
	ssize_t r;
	pid_t pid;

	assert_int_equal(pipe(fds), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit no_core = { 0, 0 };

		setrlimit(RLIMIT_CORE, &no_core); /* the deaths here are expected */
		/* A plain process: not cmocka's handlers, which catch crashes. */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		fn();
		_exit(0);
	}
	close(fds[1]);
	while (n < cap - 1 && (r = read(fds[0], out + n, cap - 1 - n)) > 0)
		n += (size_t)r;
	out[n] = 0;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void assert_died_of_sigsegv(int status)
{
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSEGV);
}

/* ---- allocation -------------------------------------------------------- */

static void test_alloc_returns_page_aligned_writable_memory(void **state)
{
	struct as_stack s;

	assert_int_equal(as__stack_alloc(&s, 40000), 0);
	assert_true(s.size >= 40000);
	assert_int_equal(s.size % page(), 0);
	assert_int_equal((uintptr_t)s.lo % page(), 0);
	memset(s.lo, 0xa5, s.size);
	assert_int_equal(((unsigned char *)s.lo)[s.size - 1], 0xa5);
	as__stack_free(&s);
}

static void test_free_then_alloc_reuses_without_new_mapping(void **state)
{
	struct as_stack a, b;
	void *lo;
	int before;

	assert_int_equal(as__stack_alloc(&a, STACK_BYTES), 0);
	lo = a.lo;
	as__stack_free(&a);
	before = maps_lines();
	assert_int_equal(as__stack_alloc(&b, STACK_BYTES), 0);
	assert_ptr_equal(b.lo, lo);
	assert_int_equal(maps_lines(), before);
	as__stack_free(&b);
}

#define MANY 20000

static bool guards_by_mprotect(void)
{
	struct as_stack s;

	/* The kind is known once a stack has been carved. */
	assert_int_equal(as__stack_alloc(&s, STACK_BYTES), 0);
	as__stack_free(&s);
	return strcmp(as__stack_guard_kind(), "mprotect") == 0;
}

/* The next two tests use sizes of their own so that their stacks are carved
 * fresh, not taken from the pool earlier tests filled. */
static void test_20000_stacks_share_few_vmas(void **state)
{
	struct as_stack *s;
	int before;

	if (guards_by_mprotect()) {
		print_message("skipped: no MADV_GUARD_INSTALL (kernel < 6.13), so the "
			      "mprotect fallback uses two VMAs per stack by design\n");
		skip();
	}
	s = calloc(MANY, sizeof *s);
	assert_non_null(s);
	before = maps_lines();
	for (int i = 0; i < MANY; i++)
		assert_int_equal(as__stack_alloc(&s[i], 2 * STACK_BYTES), 0);
	/* A few slabs, not a VMA (or two) per stack. */
	assert_true(maps_lines() - before < 200);
	for (int i = 0; i < MANY; i++)
		as__stack_free(&s[i]);
	free(s);
}

static void test_alloc_commits_no_stack_pages(void **state)
{
	/* Fewer with the mprotect fallback, which caps stacks at ~32k. */
	int n = guards_by_mprotect() ? MANY / 10 : MANY;
	struct as_stack *s = calloc((size_t)n, sizeof *s);
	long before;

	assert_non_null(s);
	before = rss_kib();
	for (int i = 0; i < n; i++)
		assert_int_equal(as__stack_alloc(&s[i], 3 * STACK_BYTES), 0);
	/* One page per stack would be 80 MiB; metadata is ~16 bytes each. */
	assert_true(rss_kib() - before < 8 * 1024);
	for (int i = 0; i < n; i++)
		as__stack_free(&s[i]);
	free(s);
}

/* Big stacks keep the count low: the pool keeps AS_STACK_WARM_BYTES of them
 * resident, TOUCHED_EXTRA more must be released. */
#define BIG_STACK ((size_t)1 << 20)
#define TOUCHED_EXTRA 1000
#define TOUCHED ((int)(AS_STACK_WARM_BYTES / BIG_STACK) + TOUCHED_EXTRA)

static void test_freeing_many_stacks_releases_their_pages(void **state)
{
	struct as_stack *s = calloc(TOUCHED, sizeof *s);
	long touched, freed;

	assert_non_null(s);
	for (int i = 0; i < TOUCHED; i++) {
		assert_int_equal(as__stack_alloc(&s[i], BIG_STACK), 0);
		memset((char *)s[i].lo + s[i].size - 16384, 1, 16384);
	}
	touched = rss_kib();
	for (int i = 0; i < TOUCHED; i++)
		as__stack_free(&s[i]);
	/* 16 KiB touched per stack; all but the warm ones (and the thread
	 * cache) must give theirs back: 1000 x 16 KiB = 15.6 MiB, allow for the
	 * cache and a partial trim batch.  The trimmer thread does it a little
	 * later: wait for it (the bound only ends a trimmer that never runs). */
	const long want = TOUCHED_EXTRA * 16 * 8 / 10;
	for (int tries = 0; tries < 6000; tries++) {
		freed = rss_kib();
		if (touched - freed > want)
			break;
		struct timespec ms10 = { 0, 10 * 1000 * 1000 };
		nanosleep(&ms10, NULL);
	}
	assert_true(touched - freed > want);
	free(s);
}

/* Every recycled stack still has its guard, also those whose pages were
 * released (MADV_DONTNEED must keep guard markers). */
static sigjmp_buf probe_jmp;
static volatile sig_atomic_t probe_faults;

static void probe_handler(int sig)
{
	probe_faults++;
	siglongjmp(probe_jmp, 1);
}

static struct as_stack *recycled;

static void probe_guards_child(void)
{
	static int i; /* static: survives the siglongjmp */
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = probe_handler;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	for (i = 0; i < TOUCHED; i++) {
		if (sigsetjmp(probe_jmp, 1) == 0)
			*((volatile char *)recycled[i].lo - 1) = 1;
	}
	fprintf(stderr, "faults=%d\n", (int)probe_faults);
}

static void test_recycled_stacks_keep_their_guard_pages(void **state)
{
	char out[256], want[64];
	int status;

	recycled = calloc(TOUCHED, sizeof *recycled);
	assert_non_null(recycled);
	for (int i = 0; i < TOUCHED; i++) {
		assert_int_equal(as__stack_alloc(&recycled[i], BIG_STACK), 0);
		memset((char *)recycled[i].lo + recycled[i].size - 4096, 1, 4096);
	}
	for (int i = 0; i < TOUCHED; i++)
		as__stack_free(&recycled[i]);
	for (int i = 0; i < TOUCHED; i++)
		assert_int_equal(as__stack_alloc(&recycled[i], BIG_STACK), 0);

	status = run_child(probe_guards_child, out, sizeof out);
	assert_true(WIFEXITED(status));
	snprintf(want, sizeof want, "faults=%d\n", TOUCHED);
	assert_string_equal(out, want);
	for (int i = 0; i < TOUCHED; i++)
		as__stack_free(&recycled[i]);
	free(recycled);
}

/* ---- overflow report --------------------------------------------------- */

static void guard_write_child(void)
{
	struct as_stack s;

	if (as__stack_thread_init() != 0 || as__stack_alloc(&s, STACK_BYTES) != 0)
		_exit(3);
	as__stack_label(&s, 42, "worker");
	*((volatile char *)s.lo - 1) = 1;
	_exit(4); /* not reached */
}

static void test_guard_page_write_dies_with_one_line_report(void **state)
{
	char out[512];
	int status = run_child(guard_write_child, out, sizeof out);

	assert_died_of_sigsegv(status);
	assert_string_equal(out, "async_std: stack overflow in task 42 'worker' (stack 64 KiB); "
				 "raise ASYNC_STD_STACK_SIZE\n");
}

static struct as_fiber overflow_main_ctx, overflow_f;

__attribute__((noinline)) static int recurse(int depth)
{
	volatile char frame[1024];

	frame[0] = (char)depth;
	if (depth > 1 << 30)
		return 0;
	return recurse(depth + 1) + frame[0];
}

static void overflow_entry(void *arg)
{
	recurse(0);
	as__fiber_switch_final(&overflow_f, &overflow_main_ctx);
}

static void fiber_overflow_child(void)
{
	struct as_stack s;

	if (as__stack_thread_init() != 0 || as__stack_alloc(&s, STACK_BYTES) != 0)
		_exit(3);
	as__stack_label(&s, 7, NULL);
	as__fiber_init_thread(&overflow_main_ctx);
	as__fiber_make(&overflow_f, s.lo, s.size, overflow_entry, NULL);
	as__fiber_switch(&overflow_main_ctx, &overflow_f);
	_exit(4); /* not reached */
}

static void test_fiber_overflow_is_reported_from_the_altstack(void **state)
{
	char out[512];
	int status = run_child(fiber_overflow_child, out, sizeof out);

	assert_died_of_sigsegv(status);
	assert_string_equal(out, "async_std: stack overflow in task 7 (stack 64 KiB); "
				 "raise ASYNC_STD_STACK_SIZE\n");
}

static void *wild_page;

static void wild_fault_child(void)
{
	struct as_stack s;

	if (as__stack_thread_init() != 0 || as__stack_alloc(&s, STACK_BYTES) != 0)
		_exit(3);
	*(volatile char *)wild_page = 1;
	_exit(4); /* not reached */
}

static void test_other_faults_die_without_report(void **state)
{
	char out[512];
	int status;

	wild_page = mmap(NULL, page(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(wild_page != MAP_FAILED);
	status = run_child(wild_fault_child, out, sizeof out);
	assert_died_of_sigsegv(status);
	assert_string_equal(out, "");
	munmap(wild_page, page());
}

static sigjmp_buf app_jmp;

static void app_handler(int sig, siginfo_t *si, void *uctx)
{
	siglongjmp(app_jmp, 1);
}

static void app_handler_child(void)
{
	struct sigaction sa;
	struct as_stack s;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = app_handler;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	if (as__stack_thread_init() != 0 || as__stack_alloc(&s, STACK_BYTES) != 0)
		_exit(3);
	if (sigsetjmp(app_jmp, 1) == 0)
		*(volatile char *)wild_page = 1;
	else
		fprintf(stderr, "application handler ran\n");
	_exit(0);
}

static void test_other_faults_chain_to_application_handler(void **state)
{
	char out[512];
	int status;

	wild_page = mmap(NULL, page(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(wild_page != MAP_FAILED);
	status = run_child(app_handler_child, out, sizeof out);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_string_equal(out, "application handler ran\n");
	munmap(wild_page, page());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_returns_page_aligned_writable_memory),
		cmocka_unit_test(test_free_then_alloc_reuses_without_new_mapping),
		cmocka_unit_test(test_20000_stacks_share_few_vmas),
		cmocka_unit_test(test_alloc_commits_no_stack_pages),
		cmocka_unit_test(test_freeing_many_stacks_releases_their_pages),
		cmocka_unit_test(test_recycled_stacks_keep_their_guard_pages),
		cmocka_unit_test(test_guard_page_write_dies_with_one_line_report),
		cmocka_unit_test(test_fiber_overflow_is_reported_from_the_altstack),
		cmocka_unit_test(test_other_faults_die_without_report),
		cmocka_unit_test(test_other_faults_chain_to_application_handler),
	};

	return cmocka_run_group_tests_name("stack", tests, NULL, NULL);
}
