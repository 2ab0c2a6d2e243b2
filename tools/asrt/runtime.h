/* SPDX-License-Identifier: MIT */
/*
 * runtime.h - where asrt finds runtimes: by name as <D>/lib<NAME>.so, where
 * D is the runtime directory, and "default" is the abi stub itself.  The
 * rule is the shim's ASYNC_STD_RUNTIME lookup, the same code
 * (abi/runtime_path.h); only D is asrt's own (see asrt.1).
 */
#ifndef ASRT_RUNTIME_H
#define ASRT_RUNTIME_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "runtime_path.h"

struct asrt_runtime {
	char name[NAME_MAX + 1];
	char path[PATH_MAX]; /* absolute when the file exists */
	bool is_default;     /* the abi stub: nothing to preload */
};

/* D: $ASYNC_STD_RUNTIME_DIR, <asrt's dir>/../lib/async_std/runtimes if it
 * exists, else the directory compiled in at build time. */
const char *asrt_runtime_dir(void);

/* The abi stub: $ASRT_STUB, <D>/../../libasync_std.so.1, <asrt's
 * dir>/../lib/libasync_std.so.1, else the compiled-in path (may be missing). */
const char *asrt_stub_path(void);

/* Resolves NAME or PATH (as__runtime_spec_is_path tells which).  0, or -1
 * after one error line (an unknown name lists the installed ones). */
int asrt_runtime_find(const char *spec, struct asrt_runtime *rt);

/* The installed names, "default" first, then those in D sorted; free with
 * asrt_runtime_names_free. */
char **asrt_runtime_names(size_t *n);
void asrt_runtime_names_free(char **names, size_t n);

#endif
