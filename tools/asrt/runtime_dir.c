/* SPDX-License-Identifier: MIT */
/*
 * runtime_dir.c - finds the runtime directory, the abi stub and a runtime
 * by name or path.  asrt looks next to itself first, so an installed tree
 * works wherever it was copied (a DESTDIR, a relocated prefix); what a name
 * resolves to in that directory is the shim's rule (abi/runtime_path.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asrt.h"
#include "runtime.h"
#include "runtime_path.h"

/* Compiled in by tools/tools.mk from $(LIBDIR); these are fallbacks. */
#ifndef ASRT_RUNTIME_DIR
#define ASRT_RUNTIME_DIR "/usr/local/lib/async_std/runtimes"
#endif
#ifndef ASRT_STUB_PATH
#define ASRT_STUB_PATH "/usr/local/lib/" ASRT_STUB_SONAME
#endif

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The directory asrt's own executable is in, or "" when unknown. */
static const char *self_dir(void)
{
	static char dir[PATH_MAX];
	static bool done;

	if (!done) {
		ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
		dir[n > 0 ? n : 0] = '\0';
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		done = true;
	}
	return dir;
}

const char *asrt_runtime_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("ASYNC_STD_RUNTIME_DIR");

	if (env && env[0])
		return env;
	if (!dir[0]) {
		/* Installed (bin/../lib/...), then the build tree, where asrt sits
		 * beside the stub and its async_std/runtimes directory. */
		int n = snprintf(dir, sizeof(dir), "%s/../lib/async_std/runtimes", self_dir());
		if (!self_dir()[0] || n >= (int)sizeof(dir) || !is_dir(dir))
			n = snprintf(dir, sizeof(dir), "%s/async_std/runtimes", self_dir());
		if (!self_dir()[0] || n >= (int)sizeof(dir) || !is_dir(dir))
			snprintf(dir, sizeof(dir), "%s", ASRT_RUNTIME_DIR);
	}
	return dir;
}

const char *asrt_stub_path(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("ASRT_STUB");

	if (env && env[0])
		return env;
	/* <D>/../.. is the library directory both installed (lib/async_std/
	 * runtimes) and in the build tree (build/async_std/runtimes). */
	snprintf(path, sizeof(path), "%s/../../%s", asrt_runtime_dir(), ASRT_STUB_SONAME);
	if (as__runtime_is_file(path))
		return path;
	int n = snprintf(path, sizeof(path), "%s/../lib/%s", self_dir(), ASRT_STUB_SONAME);
	if (self_dir()[0] && n < (int)sizeof(path) && as__runtime_is_file(path))
		return path;
	return ASRT_STUB_PATH;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct name_list {
	char **names;
	size_t n, cap;
};

static void name_add(const char *name, const char *path, void *arg)
{
	struct name_list *l = arg;

	(void)path;
	if (l->n == l->cap) {
		char **more = realloc(l->names, 2 * l->cap * sizeof(*more));
		if (!more)
			return;
		l->names = more;
		l->cap *= 2;
	}
	l->names[l->n++] = strdup(name);
}

char **asrt_runtime_names(size_t *n)
{
	struct name_list l = { .names = malloc(8 * sizeof(char *)), .n = 0, .cap = 8 };
	const char *dir = asrt_runtime_dir();

	*n = 0;
	if (!l.names)
		return NULL;
	l.names[l.n++] = strdup(AS_RUNTIME_DEFAULT_NAME);
	as__runtime_each(&dir, 1, name_add, &l);
	qsort(l.names + 1, l.n - 1, sizeof(*l.names), cmp_names);
	*n = l.n;
	return l.names;
}

void asrt_runtime_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* One line: the unknown name, what is installed and where asrt looked. */
static void say_unknown(const char *spec)
{
	size_t n, len = 0;
	char **names = asrt_runtime_names(&n);
	char list[1024] = "";

	for (size_t i = 0; names && i < n; i++)
		len += snprintf(list + len, len < sizeof(list) ? sizeof(list) - len : 0, "%s%s",
				i ? ", " : "", names[i]);
	asrt_say("no runtime named \"%s\"; installed: %s (in %s; set ASYNC_STD_RUNTIME_DIR "
		 "or give a path)", spec, list, asrt_runtime_dir());
	asrt_runtime_names_free(names, n);
}

static int runtime_from_path(const char *spec, struct asrt_runtime *rt)
{
	struct stat st;
	const char *base = strrchr(spec, '/');

	if (stat(spec, &st) != 0) {
		asrt_say("%s: %s", spec, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		asrt_say("%s: not a regular file", spec);
		return -1;
	}
	as__runtime_path_absolute(spec, rt->path, sizeof(rt->path));
	/* Named after the file: .../libhumboldt.so and partial.so are "humboldt"
	 * and "partial". */
	base = base ? base + 1 : spec;
	if (strncmp(base, "lib", 3) == 0 && base[3])
		base += 3;
	size_t n = strlen(base);
	if (n > 3 && strcmp(base + n - 3, ".so") == 0)
		n -= 3;
	snprintf(rt->name, sizeof(rt->name), "%.*s", (int)n, base);
	return 0;
}

int asrt_runtime_find(const char *spec, struct asrt_runtime *rt)
{
	char path[PATH_MAX];
	const char *dir = asrt_runtime_dir();

	memset(rt, 0, sizeof(*rt));
	if (as__runtime_spec_is_path(spec))
		return runtime_from_path(spec, rt);
	if (strcmp(spec, AS_RUNTIME_DEFAULT_NAME) == 0) {
		const char *stub = asrt_stub_path();
		if (!as__runtime_is_file(stub)) {
			asrt_say("cannot find the abi stub %s (looked for %s; set ASRT_STUB to its path)",
				 ASRT_STUB_SONAME, stub);
			return -1;
		}
		snprintf(rt->name, sizeof(rt->name), "%s", AS_RUNTIME_DEFAULT_NAME);
		as__runtime_path_absolute(stub, rt->path, sizeof(rt->path));
		rt->is_default = true;
		return 0;
	}
	if (!as__runtime_file_find(spec, &dir, 1, path, sizeof(path))) {
		say_unknown(spec);
		return -1;
	}
	snprintf(rt->name, sizeof(rt->name), "%s", spec);
	as__runtime_path_absolute(path, rt->path, sizeof(rt->path));
	return 0;
}
