/* SPDX-License-Identifier: MIT */
/*
 * test_binding.c - run under LD_PRELOAD=libhumboldt.so (or linked with
 * libhumboldt.a): the process is bound to humboldt, every ABI symbol binds
 * into the same object, and the reactor really is what the environment
 * allows (io_uring, or epoll after the fallback line).
 */
#include <dlfcn.h>
#include <sys/socket.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "async_std.h"
#include "abi_list.h"
#include "../unit/task_check.h"

#define NAME(major, minor, ret, name, params, args) "async_std_" #name,
static const char *const symbols[] = { AS_ABI_FUNCTIONS(NAME) };

static void test_runtime_is_humboldt(void **state)
{
	(void)state;
	assert_string_equal(async_std_runtime_name(), "humboldt");
	assert_string_equal(async_std_runtime_ops()->runtime, "humboldt");
}

static void test_every_abi_symbol_binds_into_one_object(void **state)
{
	(void)state;
	Dl_info ref, di;
	assert_true(dladdr((void *)async_std_runtime_name, &ref));
	for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
		void *p = dlsym(RTLD_DEFAULT, symbols[i]);
		assert_non_null(p);
		assert_true(dladdr(p, &di));
		if (di.dli_fbase != ref.dli_fbase)
			fail_msg("%s binds into %s, async_std_runtime_name into %s", symbols[i],
				 di.dli_fname, ref.dli_fname);
	}
}

/* Starts the runtime, so the probe (and a fallback line) happens. */
static void *echo_once(void *arg)
{
	int *sv = arg;
	char buf[8] = { 0 };
	TC_CHECK_INT(async_std_write(sv[1], "ping", 4), ==, 4);
	TC_CHECK_INT(async_std_read(sv[0], buf, sizeof buf), ==, 4);
	TC_CHECK(memcmp(buf, "ping", 4) == 0);
	return NULL;
}

static void test_a_task_does_io(void **state)
{
	(void)state;
	int sv[2];
	void *r = (void *)-1;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(async_std_block_on(echo_once, sv, &r), 0);
	tc_assert_none();
	assert_null(r);
	close(sv[0]);
	close(sv[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runtime_is_humboldt),
		cmocka_unit_test(test_every_abi_symbol_binds_into_one_object),
		cmocka_unit_test(test_a_task_does_io),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
