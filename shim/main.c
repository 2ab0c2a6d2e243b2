/* SPDX-License-Identifier: MIT */
/*
 * main.c - the main() the library supplies to programs that define
 * async_main() instead.  A program with its own main() never uses it: the
 * executable's main comes first in lookup order, and a static link only pulls
 * this object in when main is still undefined.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "async_std.h"
#include "settings.h"

/* Weak and undefined here: a program with its own main still links against
 * the shared library (the reference stays NULL); default visibility, so the
 * reference binds to the executable's definition. */
extern int async_main(int argc, char **argv) __attribute__((weak, visibility("default")));

/* Keep exported from the .so despite -fvisibility=hidden: crt1's reference
 * to main must find it. */
int main(int argc, char **argv) __attribute__((visibility("default")));

struct main_call {
	int argc;
	char **argv;
	int status;
	pid_t pid;
};

static void *run_async_main(void *arg)
{
	struct main_call *c = arg;

	c->status = async_main(c->argc, c->argv);
	/* In a child forked by async_main, nobody waits in main: returning
	 * from async_main ends the child as returning from main would. */
	if (getpid() != c->pid)
		exit(c->status);
	return NULL;
}

int main(int argc, char **argv)
{
	struct main_call c = { argc, argv, 0, getpid() };

	if (!async_main) {
		as__say("this program defines neither main nor async_main");
		return 2;
	}
	/* The public entry point, so whichever runtime is bound (preloaded or
	 * linked) runs async_main, never this object's copy by accident. */
	if (async_std_block_on(run_async_main, &c, NULL) != 0) {
		as__say("cannot start async_main: %s", strerror(errno));
		return 2;
	}
	return c.status;
}
