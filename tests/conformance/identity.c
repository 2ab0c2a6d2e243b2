/*
 * identity.c - runtime_name, abi_version and the function table.
 */
#include <string.h>

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

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(runtime_name_is_a_stable_nonempty_string),
	cmocka_unit_test(abi_version_major_is_1_and_covers_this_header),
	cmocka_unit_test(runtime_ops_describes_the_bound_runtime),
	cmocka_unit_test(runtime_ops_has_every_entry_filled),
	cmocka_unit_test(runtime_ops_identity_entries_match_the_direct_calls),
	cmocka_unit_test(runtime_ops_spawn_join_and_now_work_through_the_table),
};
CT_GROUP(ct_identity_group, "identity", tests);
