/* SPDX-License-Identifier: MIT */
/*
 * offload.c - run_blocking, getaddrinfo/freeaddrinfo and getrandom.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>

#include "conformance.h"

struct offload {
	pthread_t thread;
	uintptr_t value;
};

static void *record_thread(void *p)
{
	struct offload *o = p;
	o->thread = pthread_self();
	return (void *)(o->value * 2);
}

CT_TEST(run_blocking_runs_fn_on_another_thread_and_returns_its_result)
{
	struct offload *o = ct_alloc(sizeof *o);
	o->value = 21;
	void *res = NULL;
	CHECK_OK(async_std_run_blocking(record_thread, o, &res));
	CHECK_INT((uintptr_t)res, ==, 42);
	CHECK_MSG(!pthread_equal(o->thread, pthread_self()),
		  "fn ran on the calling task's worker thread");
	return NULL;
}

CT_TEST(run_blocking_with_a_null_result_pointer_succeeds)
{
	struct offload *o = ct_alloc(sizeof *o);
	CHECK_OK(async_std_run_blocking(record_thread, o, NULL));
	return NULL;
}

CT_TEST(run_blocking_with_null_fn_fails_with_EINVAL)
{
	CHECK_ERRNO(async_std_run_blocking(NULL, NULL, NULL), EINVAL);
	return NULL;
}

static void *offload_many(void *p)
{
	struct offload *o = p;
	for (int i = 0; i < 20; i++) {
		void *res = NULL;
		if (async_std_run_blocking(record_thread, o, &res) != 0 ||
		    (uintptr_t)res != o->value * 2)
			return CT_FAIL;
	}
	return NULL;
}

CT_TEST(run_blocking_from_many_tasks_at_once_returns_each_result)
{
	enum { N = 32 };
	struct offload *o = ct_alloc(N * sizeof *o);
	async_std_task *t[N];
	for (int i = 0; i < N; i++) {
		o[i].value = (uintptr_t)i + 1;
		CHECK((t[i] = async_std_spawn(offload_many, &o[i])) != NULL);
	}
	for (int i = 0; i < N; i++) {
		void *res = CT_FAIL;
		CHECK_OK(async_std_join(t[i], &res));
		CHECK_MSG(res == NULL, "task %d got a wrong run_blocking result", i);
	}
	return NULL;
}

CT_TEST(getaddrinfo_localhost_gives_a_loopback_address)
{
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	int rc = async_std_getaddrinfo("localhost", "80", &hints, &res);
	CHECK_MSG(rc == 0, "getaddrinfo(localhost) gave %d (%s)", rc, gai_strerror(rc));
	CHECK(res != NULL);
	int found = 0;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		CHECK_INT(ai->ai_family, ==, AF_INET);
		struct sockaddr_in *a = (struct sockaddr_in *)ai->ai_addr;
		CHECK_INT(ntohs(a->sin_port), ==, 80);
		if ((ntohl(a->sin_addr.s_addr) >> 24) == 127)
			found = 1;
	}
	CHECK_MSG(found, "no 127.x.x.x address for localhost");
	async_std_freeaddrinfo(res);
	return NULL;
}

CT_TEST(getaddrinfo_of_a_numeric_host_fills_the_address)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	int rc = async_std_getaddrinfo("127.0.0.2", "5353", &hints, &res);
	CHECK_MSG(rc == 0, "getaddrinfo gave %d (%s)", rc, gai_strerror(rc));
	CHECK(res != NULL);
	CHECK_INT(res->ai_family, ==, AF_INET);
	CHECK_INT(res->ai_socktype, ==, SOCK_DGRAM);
	struct sockaddr_in *a = (struct sockaddr_in *)res->ai_addr;
	CHECK_INT(ntohl(a->sin_addr.s_addr), ==, 0x7f000002);
	CHECK_INT(ntohs(a->sin_port), ==, 5353);
	async_std_freeaddrinfo(res);
	return NULL;
}

CT_TEST(getaddrinfo_of_an_unknown_name_fails_with_EAI_NONAME)
{
	struct addrinfo *res = NULL;
	int rc = async_std_getaddrinfo("no-such-host.invalid", NULL, NULL, &res);
	CHECK_MSG(rc == EAI_NONAME, "getaddrinfo(no-such-host.invalid) gave %d (%s)", rc,
		  gai_strerror(rc));
	return NULL;
}

CT_TEST(getaddrinfo_with_a_bad_numeric_host_fails_with_EAI_NONAME)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST };
	struct addrinfo *res = NULL;
	int rc = async_std_getaddrinfo("not-a-number", NULL, &hints, &res);
	CHECK_MSG(rc == EAI_NONAME, "gave %d (%s)", rc, gai_strerror(rc));
	return NULL;
}

CT_TEST(getrandom_fills_the_whole_buffer)
{
	enum { N = 4096 };
	unsigned char *a = ct_alloc(N), *b = ct_alloc(N);
	CHECK_INT(async_std_getrandom(a, N), ==, N);
	CHECK_INT(async_std_getrandom(b, N), ==, N);
	/* An all-zero 64-byte block (odds 2^-512) or two equal buffers mean
	 * the buffer was not filled. */
	for (int blk = 0; blk < N; blk += 64) {
		int nonzero = 0;
		for (int i = blk; i < blk + 64; i++)
			nonzero |= a[i];
		CHECK_MSG(nonzero, "bytes %d..%d are all zero", blk, blk + 63);
	}
	CHECK(memcmp(a, b, N) != 0);
	CHECK_INT(async_std_getrandom(a, 0), ==, 0);
	return NULL;
}

CT_TEST(getrandom_of_more_than_one_getrandom2_call_fills_it_all)
{
	/* getrandom(2) returns at most 32 MiB - 1 bytes per call. */
	size_t n = (32u << 20) + 4096;
	unsigned char *a = ct_alloc(n);
	CHECK_INT(async_std_getrandom(a, n), ==, n);
	for (size_t blk = n - 4096; blk < n; blk += 64) {
		int nonzero = 0;
		for (size_t i = blk; i < blk + 64; i++)
			nonzero |= a[i];
		CHECK_MSG(nonzero, "bytes %zu..%zu are all zero", blk, blk + 63);
	}
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(run_blocking_runs_fn_on_another_thread_and_returns_its_result),
	cmocka_unit_test(run_blocking_with_a_null_result_pointer_succeeds),
	cmocka_unit_test(run_blocking_with_null_fn_fails_with_EINVAL),
	cmocka_unit_test(run_blocking_from_many_tasks_at_once_returns_each_result),
	cmocka_unit_test(getaddrinfo_localhost_gives_a_loopback_address),
	cmocka_unit_test(getaddrinfo_of_a_numeric_host_fills_the_address),
	cmocka_unit_test(getaddrinfo_of_an_unknown_name_fails_with_EAI_NONAME),
	cmocka_unit_test(getaddrinfo_with_a_bad_numeric_host_fails_with_EAI_NONAME),
	cmocka_unit_test(getrandom_fills_the_whole_buffer),
	cmocka_unit_test(getrandom_of_more_than_one_getrandom2_call_fills_it_all),
};
CT_GROUP(ct_offload_group, "offload", tests);
