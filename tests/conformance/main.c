/* SPDX-License-Identifier: MIT */
/*
 * main.c - the conformance suite's entry: prints which runtime is bound,
 * starts it once, then runs every group (or one: tests/run.sh --per-group
 * runs each in a process of its own, so a crash costs that group only).
 *
 *   conformance [PATTERN]                  every group
 *   conformance --group NAME [PATTERN]     the group named NAME only
 *   conformance --list-groups              "COUNT NAME" per group, then exit
 *
 * PATTERN is a cmocka glob on test names.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"

static const struct ct_group *const groups[] = {
	&ct_identity_group, &ct_tasks_group, &ct_time_group,
	&ct_cancel_group,   &ct_tcp_group,   &ct_io_group,   &ct_close_group,
	&ct_appfd_group,    &ct_badinput_group, &ct_files_group,
	&ct_offload_group,  &ct_threads_group,
	&ct_sync_locks_group, &ct_sync_chan_group, &ct_sync_waits_group,
	&ct_sync_group_group, &ct_edges_group, &ct_dump_group, &ct_hostile_group,
};
#define NGROUPS (sizeof groups / sizeof groups[0])

static void *warm_up(void *arg)
{
	return arg;
}

static const struct ct_group *group_named(const char *name)
{
	for (size_t i = 0; i < NGROUPS; i++)
		if (strcmp(groups[i]->name, name) == 0)
			return groups[i];
	fprintf(stderr, "conformance: no group named \"%s\"; the groups are:\n", name);
	for (size_t i = 0; i < NGROUPS; i++)
		fprintf(stderr, "  %s\n", groups[i]->name);
	exit(2);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	const struct ct_group *only = NULL;
	if (argc > 1 && strcmp(argv[1], "--list-groups") == 0) {
		/* Before the runtime starts: the runner asks this cheaply. */
		for (size_t i = 0; i < NGROUPS; i++)
			printf("%zu %s\n", groups[i]->count, groups[i]->name);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--group") == 0) {
		if (argc < 3) {
			fprintf(stderr, "conformance: --group needs a group name\n");
			return 2;
		}
		only = group_named(argv[2]);
		argv += 2;
		argc -= 2;
	}
	/* SIGPIPE stays at its default action: a peer that goes away must give
	 * EPIPE from the runtime itself (hostile.c), not because we ignore it. */
	harness_init();

	uint32_t v = async_std_abi_version();
	const char *threads = getenv("ASYNC_STD_THREADS");
	printf("conformance: runtime \"%s\", abi %u.%u (built against %u.%u), "
	       "ASYNC_STD_THREADS=%s, deadline %lld s per test\n",
	       async_std_runtime_name(), v >> 16, v & 0xffff, ASYNC_STD_ABI_MAJOR,
	       ASYNC_STD_ABI_MINOR, threads ? threads : "(unset)",
	       (long long)(ct_deadline_ns / CT_SEC));

	/* Start the runtime once, so that its signal handlers are installed
	 * before cmocka's are saved around each test. */
	void *res = NULL;
	if (async_std_block_on(warm_up, (void *)1, &res) != 0 || res != (void *)1) {
		perror("conformance: async_std_block_on(first task)");
		return 1;
	}
	harness_save_signals();

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);

	int failed = 0;
	for (size_t i = 0; i < NGROUPS; i++)
		if (!only || groups[i] == only)
			failed += _cmocka_run_group_tests(groups[i]->name, groups[i]->tests,
							  groups[i]->count, NULL, NULL);
	return failed ? 1 : 0;
}
