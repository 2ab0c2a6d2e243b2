/* SPDX-License-Identifier: MIT */
/* Built with `pkg-config --cflags --libs humboldt` alone: a program that
 * calls humboldt's extensions (humboldt.h) links and runs on humboldt. */
#include <async_std.h>
#include <humboldt.h>
#include <stdio.h>

int async_main(int argc, char **argv)
{
	/* 0 or 1 by kernel; -1 only if the call did not reach humboldt. */
	if (humboldt_supported(HUMBOLDT_LINK_TIMEOUT) < 0)
		return 1;
	printf("done on the %s runtime\n", async_std_runtime_name());
	return 0;
}
