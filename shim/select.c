/* SPDX-License-Identifier: MIT */
/*
 * select.c - ASYNC_STD_RUNTIME: a program bound to one runtime re-executes
 * itself, before main, with the runtime it was asked for preloaded.  Runs in
 * the shim's constructor after the binding check, which knows the bound
 * runtime.  Names and paths are resolved as asrt resolves them, by the same
 * code (abi/runtime_path.c): lib<name>.so in the runtime directories;
 * "default" is the abi stub itself.
 */
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include "runtime_path.h"
#include "settings.h"

#ifndef AS_RUNTIME_DIR
#define AS_RUNTIME_DIR "/usr/local/lib/async_std/runtimes"
#endif
/* Set in the re-executed program's environment: the pid that re-executed
 * itself (exec keeps it).  Our own pid there, and still not bound to the
 * runtime asked for, means preloading cannot bind it (a static link), and
 * re-executing again would loop.  Children (other pids) ignore it, so it is
 * never unset: another copy of the shim in the same process may look later. */
#define REEXEC_GUARD "ASYNC_STD_RUNTIME_REEXEC"

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* ---- where runtimes live ------------------------------------------------ */
static int find_stub(struct dl_phdr_info *info, size_t size, void *data)
{
	(void)size;
	if (strncmp(base_name(info->dlpi_name), "libasync_std.so", 15) != 0)
		return 0;
	snprintf(data, PATH_MAX, "%s", info->dlpi_name);
	return 1;
}

/* The directories to search, in order, separated by NULs in buf. */
static void runtime_dirs(char *buf, size_t len, const char **dirs, int *n)
{
	const char *env = as__settings()->runtime_dir;
	char stub[PATH_MAX] = "";
	*n = 0;
	if (env) {
		dirs[(*n)++] = env;
		return;
	}
	dl_iterate_phdr(find_stub, stub);
	char *slash = strrchr(stub, '/');
	if (slash) {
		*slash = '\0';
		snprintf(buf, len, "%s/async_std/runtimes", stub);
		dirs[(*n)++] = buf;
	}
	dirs[(*n)++] = AS_RUNTIME_DIR;
}

/* The path of runtime `want` (a name or a path) into out; false if none.
 * A path is made absolute: LD_PRELOAD would search a bare "libx.so" in the
 * library path, not where the name was given. */
static bool runtime_path(const char *want, char *out, size_t len)
{
	if (as__runtime_spec_is_path(want)) {
		as__runtime_path_absolute(want, out, len);
		return as__runtime_is_file(out);
	}
	char buf[PATH_MAX];
	const char *dirs[2];
	int n;
	runtime_dirs(buf, sizeof(buf), dirs, &n);
	return as__runtime_file_find(want, dirs, (size_t)n, out, len);
}

struct names_out {
	char *buf;
	size_t len, used;
};

static void name_append(const char *name, const char *path, void *arg)
{
	struct names_out *o = arg;

	(void)path;
	if (o->used < o->len)
		o->used += (size_t)snprintf(o->buf + o->used, o->len - o->used, ", %s", name);
}

/* "default, humboldt" from every directory searched. */
static void installed_names(char *out, size_t len)
{
	char buf[PATH_MAX];
	const char *dirs[2];
	int n;
	struct names_out o = { out, len, 0 };

	o.used = (size_t)snprintf(out, len, "%s", AS_RUNTIME_DEFAULT_NAME);
	runtime_dirs(buf, sizeof(buf), dirs, &n);
	as__runtime_each(dirs, (size_t)n, name_append, &o);
}

/* ---- re-executing --------------------------------------------------------- */
/* LD_PRELOAD without the entries naming the bound runtime, with `first`
 * (if any) in front, so it comes first in lookup order. */
static char *new_preload(const char *first, const char *bound_name, const char *bound_path)
{
	const char *old = getenv("LD_PRELOAD");
	size_t len = (first ? strlen(first) : 0) + (old ? strlen(old) : 0) + 2;
	char *out = malloc(len), *copy = old ? strdup(old) : NULL;
	if (!out || (old && !copy)) {
		free(out);
		free(copy);
		return NULL;
	}
	size_t used = (size_t)snprintf(out, len, "%s", first ? first : "");
	char *save = NULL;
	for (char *tok = copy ? strtok_r(copy, ": ", &save) : NULL; tok;
	     tok = strtok_r(NULL, ": ", &save)) {
		if (as__names_runtime(tok, bound_name, bound_path))
			continue;
		used += (size_t)snprintf(out + used, len - used, "%s%s", used ? ":" : "", tok);
	}
	free(copy);
	return out;
}

void as__runtime_select(const char *want, const char *bound_name, const char *bound_path,
			char **argv)
{
	char shown[80], path[PATH_MAX];
	as__settings_shown(shown, sizeof(shown), want);
	bool to_default = strcmp(want, AS_RUNTIME_DEFAULT_NAME) == 0;

	if (!to_default && !runtime_path(want, path, sizeof(path))) {
		char names[512];
		installed_names(names, sizeof(names));
		as__say("ASYNC_STD_RUNTIME=%s: no such runtime (installed: %s)", shown, names);
		exit(2);
	}
	const char *guard = getenv(REEXEC_GUARD);
	if (guard && strtol(guard, NULL, 10) == (long)getpid()) {
		as__say("ASYNC_STD_RUNTIME=%s: re-executed with it preloaded, but the bound "
			"runtime is still %s (%s): is the program linked statically with a "
			"runtime?", shown, bound_name, bound_path);
		exit(2);
	}
	char pid[24];
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	char *preload = new_preload(to_default ? NULL : path, bound_name, bound_path);
	if (!preload || (preload[0] ? setenv("LD_PRELOAD", preload, 1) : unsetenv("LD_PRELOAD")) ||
	    setenv(REEXEC_GUARD, pid, 1)) {
		as__say("ASYNC_STD_RUNTIME=%s: out of memory", shown);
		exit(2);
	}
	free(preload);
	const char *exe = "/proc/self/exe";
	execv(exe, argv);
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	if (execfn)
		execv(execfn, argv);
	as__say("ASYNC_STD_RUNTIME=%s: cannot re-execute the program (%s)", shown,
		strerror(errno));
	exit(2);
}
