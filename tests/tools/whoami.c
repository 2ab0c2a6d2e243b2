/* SPDX-License-Identifier: MIT */
/*
 * whoami.c - an async_std program built against the stub that says which
 * runtime served it, whether marker.so was preloaded too, and LD_PRELOAD:
 * what the asrt tests look at after `asrt run`.
 */
#include <async_std.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static void *whoami_task(void *arg)
{
	async_std_sleep(1000); /* a real call, served by the bound runtime */
	return (void *)async_std_runtime_name();
}

int async_main(int argc, char **argv)
{
	void *name;
	const char *preload = getenv("LD_PRELOAD");
	async_std_task *t = async_std_spawn(whoami_task, NULL);

	if (!t || async_std_join(t, &name) != 0)
		return 1;
	printf("runtime %s\n", (const char *)name);
	printf("marker %s\n", dlsym(RTLD_DEFAULT, "asrt_test_marker") ? "yes" : "no");
	printf("LD_PRELOAD %s\n", preload ? preload : "(unset)");
	return 0;
}
