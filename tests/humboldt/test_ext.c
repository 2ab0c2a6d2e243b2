/* SPDX-License-Identifier: MIT */
/*
 * test_ext.c - humboldt's extension API (humboldt.h), run under
 * LD_PRELOAD=libhumboldt.so (built with HUMBOLDT_WEAK: linked against the
 * abi stub only) or linked with libhumboldt.a.
 *
 * Each extension works; on a kernel whose probe lacks what it needs, the
 * call fails with ENOTSUP and the test skips, saying why; when io_uring is
 * not available at all (tests/humboldt/no_uring: the epoll fallback) the
 * call fails with ENOTSUP and the test passes; from a plain thread every
 * call fails with ENOTSUP.  A deadline or a cancel of a blocked call returns
 * only once the kernel has let go of the buffer: the data that arrives next
 * is still there for the next reader, and the buffer was not written to.
 *
 *   test_ext [PATTERN]   runs the tests whose names match PATTERN (cmocka)
 *
 * This file has main and the plain-thread test; ext_harness.[ch] has the
 * harness (run_in_task, gate, the fixtures); each extension's tests are in
 * their own file: ext_accept.c, ext_bufring.c, ext_send_zc.c, ext_files.c,
 * ext_buffers.c, ext_timeout.c.
 */
#include "ext_harness.h"

/* ---- from a plain thread, every call fails with ENOTSUP ---------------------- */
static char *plain_thread_calls(void *arg)
{
	(void)arg;
	int sv[2];
	char buf[8];
	CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
	struct iovec iov = { buf, sizeof buf };
	CHECK_ERRNO(humboldt_accept_start(sv[0]), ENOTSUP);
	CHECK_ERRNO(humboldt_bufring_create(4, 64), ENOTSUP);
	CHECK_ERRNO(humboldt_send_zc(sv[0], "x", 1, 0), ENOTSUP);
	CHECK_ERRNO(humboldt_file_register(sv[0]), ENOTSUP);
	CHECK_ERRNO(humboldt_file_unregister(sv[0]), ENOTSUP);
	CHECK_ERRNO(humboldt_buffers_register(&iov, 1), ENOTSUP);
	CHECK_ERRNO(humboldt_recv_timeout(sv[0], buf, sizeof buf, 0, MS), ENOTSUP);
	CHECK_ERRNO(humboldt_read_timeout(sv[0], buf, sizeof buf, MS), ENOTSUP);
	CHECK_ERRNO(humboldt_supported(0), EINVAL);
	CHECK_ERRNO(humboldt_supported(HUMBOLDT_LINK_TIMEOUT + 1), EINVAL);
	close(sv[0]);
	close(sv[1]);
	return NULL;
}

void test_plain_thread_gets_enotsup(void **state)
{
	(void)state;
	char *m = plain_thread_calls(NULL);
	if (m)
		fail_msg("%s", m);
}

/* ---- main ----------------------------------------------------------------------------- */
int main(int argc, char **argv)
{
#ifdef HUMBOLDT_WEAK
	if (!humboldt_supported) {
		fprintf(stderr, "test_ext: humboldt is not loaded: run it under "
				"LD_PRELOAD=libhumboldt.so\n");
		return 2;
	}
#endif
	probe_kernel();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_thread_gets_enotsup),
		cmocka_unit_test(test_multishot_accept_delivers_every_connection),
		cmocka_unit_test(test_multishot_accept_survives_deadline_and_cancel),
		cmocka_unit_test(test_multishot_accept_ends_with_ebadf_when_listener_closes),
		cmocka_unit_test(test_buffer_ring_lends_a_filled_buffer_and_takes_it_back),
		cmocka_unit_test(test_buffer_ring_runs_out_with_enobufs_and_ends_with_zero),
		cmocka_unit_test(test_buffer_ring_deadline_and_cancel_give_the_buffer_back),
		cmocka_unit_test(test_send_zc_sends_and_returns_after_the_notification),
		cmocka_unit_test(test_send_zc_deadline_waits_for_the_notification),
		cmocka_unit_test(test_registered_file_serves_io_by_its_slot),
		cmocka_unit_test(test_async_std_close_drops_the_registration),
		cmocka_unit_test(test_registered_buffers_read_and_write),
		cmocka_unit_test(test_registered_buffers_deadline_and_cancel_give_the_buffer_back),
		cmocka_unit_test(test_linked_timeout_times_out_or_returns_the_data),
		cmocka_unit_test(test_linked_timeout_cancel_returns_after_the_kernel_let_go),
	};
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
