/* SPDX-License-Identifier: MIT */
/* The README's example: a task per connection would look the same. */
#include <async_std.h>
#include <stdio.h>

static void *greet(void *arg)
{
	async_std_sleep(1000000); /* 1 ms: suspends this task, not the thread */
	printf("hello from task %llu\n", (unsigned long long)async_std_task_id(async_std_self()));
	return arg;
}

int async_main(int argc, char **argv)
{
	void *result;
	async_std_task *t = async_std_spawn(greet, "done");
	if (!t || async_std_join(t, &result) != 0)
		return 1;
	printf("%s on the %s runtime\n", (char *)result, async_std_runtime_name());
	return 0;
}
