/* SPDX-License-Identifier: MIT */
/*
 * cmd_run.c - `asrt run [-r NAME|PATH] [--] PROG ARGS`: execs PROG with the
 * runtime first in LD_PRELOAD (an existing LD_PRELOAD is kept after it), so
 * every async_std_* call of the unchanged program binds to that runtime.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asrt.h"
#include "runtime.h"

static const char run_usage[] =
	"usage: asrt run [-r NAME|PATH] [--] PROG [ARGS...]\n"
	"\n"
	"Runs PROG with the runtime preloaded: LD_PRELOAD=<runtime path>, followed by\n"
	"the LD_PRELOAD already in the environment, if any.\n"
	"  -r, --runtime NAME|PATH  a runtime name (see asrt list) or a file; \"default\"\n"
	"                           (the abi stub) preloads nothing\n"
	"With -r, ASYNC_STD_RUNTIME is removed from PROG's environment, so the runtime\n"
	"chosen here is the one that runs. Without -r, PROG runs on the default runtime\n"
	"and its environment is left as it is.\n"
	"Exit status: PROG's; 2 for an unknown runtime (the installed names are\n"
	"listed); 126 or 127 when PROG cannot be executed or found.\n";

static int run_with_preload(const char *path)
{
	const char *old = getenv("LD_PRELOAD");
	size_t n = strlen(path) + (old ? strlen(old) : 0) + 2;
	char *value = malloc(n);

	if (!value) {
		asrt_say("out of memory");
		return -1;
	}
	if (strpbrk(path, ": \t")) {
		asrt_say("run: %s cannot be preloaded: LD_PRELOAD splits paths at colons and "
			 "spaces", path);
		free(value);
		return -1;
	}
	/* ld.so splits LD_PRELOAD at colons and spaces; ours comes first so
	 * that it answers every async_std_* lookup before any other object. */
	snprintf(value, n, "%s%s%s", path, old && old[0] ? ":" : "", old && old[0] ? old : "");
	if (setenv("LD_PRELOAD", value, 1) != 0) {
		asrt_say("setenv LD_PRELOAD: %s", strerror(errno));
		free(value);
		return -1;
	}
	free(value);
	return 0;
}

int asrt_run_main(int argc, char **argv)
{
	const char *spec = NULL;
	struct asrt_runtime rt;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (asrt_is_help(a)) {
			fputs(run_usage, stdout);
			return ASRT_EXIT_OK;
		} else if (strcmp(a, "--") == 0) {
			i++;
			break;
		} else if (strcmp(a, "-r") == 0 || strcmp(a, "--runtime") == 0) {
			if (++i == argc) {
				asrt_say("run: %s needs a runtime name or path", a);
				return ASRT_EXIT_USAGE;
			}
			spec = argv[i];
		} else if (strncmp(a, "--runtime=", 10) == 0) {
			spec = a + 10;
		} else if (a[0] == '-') {
			asrt_say("run: unknown option %s (see asrt run --help)", a);
			return ASRT_EXIT_USAGE;
		} else {
			break;
		}
	}
	if (i >= argc) {
		asrt_say("run: no program given (usage: asrt run [-r NAME|PATH] -- PROG ARGS)");
		return ASRT_EXIT_USAGE;
	}
	if (spec) {
		if (asrt_runtime_find(spec, &rt) != 0)
			return ASRT_EXIT_USAGE;
		/* The shim would otherwise re-select the runtime that variable names. */
		unsetenv("ASYNC_STD_RUNTIME");
		if (!rt.is_default && run_with_preload(rt.path) != 0)
			return ASRT_EXIT_USAGE;
	}
	execvp(argv[i], argv + i);
	int err = errno;
	asrt_say("run: cannot execute %s: %s", argv[i], strerror(err));
	return err == ENOENT ? 127 : 126;
}
