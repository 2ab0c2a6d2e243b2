/*
 * runtime_dir.c - finds the runtime directory, the abi stub and a runtime
 * by name or path.  asrt looks next to itself first, so an installed tree
 * works wherever it was copied (a DESTDIR, a relocated prefix).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asrt.h"
#include "runtime.h"

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

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
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
	if (is_file(path))
		return path;
	int n = snprintf(path, sizeof(path), "%s/../lib/%s", self_dir(), ASRT_STUB_SONAME);
	if (self_dir()[0] && n < (int)sizeof(path) && is_file(path))
		return path;
	return ASRT_STUB_PATH;
}

/* "libNAME.so" -> NAME; false for any other file name. */
static bool name_of_file(const char *file, char *name, size_t size)
{
	size_t n = strlen(file);

	if (n <= 6 || strncmp(file, "lib", 3) != 0 || strcmp(file + n - 3, ".so") != 0 ||
	    n - 6 >= size)
		return false;
	memcpy(name, file + 3, n - 6);
	name[n - 6] = '\0';
	return true;
}

static bool looks_like_path(const char *spec)
{
	size_t n = strlen(spec);

	return strchr(spec, '/') || strstr(spec, ".so.") || (n > 3 && strcmp(spec + n - 3, ".so") == 0);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **asrt_runtime_names(size_t *n)
{
	size_t cap = 8;
	char **names = malloc(cap * sizeof(*names));
	struct dirent *e;
	DIR *d;

	*n = 0;
	if (!names)
		return NULL;
	names[(*n)++] = strdup(ASRT_DEFAULT_NAME);
	d = opendir(asrt_runtime_dir());
	while (d && (e = readdir(d))) {
		char name[NAME_MAX + 1], path[PATH_MAX];
		if (!name_of_file(e->d_name, name, sizeof(name)) || strcmp(name, ASRT_DEFAULT_NAME) == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", asrt_runtime_dir(), e->d_name);
		if (!is_file(path))
			continue;
		if (*n == cap) {
			char **more = realloc(names, 2 * cap * sizeof(*names));
			if (!more)
				break;
			names = more;
			cap *= 2;
		}
		names[(*n)++] = strdup(name);
	}
	if (d)
		closedir(d);
	qsort(names + 1, *n - 1, sizeof(*names), cmp_names);
	return names;
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

/* Keeps the last component as given, so a runtime reached through a
 * symlink is named by the link (as in D). */
void asrt_path_absolute(const char *path, char *out, size_t size)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) + 1 : 1, slash ? path : ".");
	if (realpath(dir, out) && strlen(out) + 1 + strlen(base) < size)
		snprintf(out + strlen(out), size - strlen(out), "%s%s", strcmp(out, "/") ? "/" : "",
			 base);
	else
		snprintf(out, size, "%s", path);
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
	asrt_path_absolute(spec, rt->path, sizeof(rt->path));
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

	memset(rt, 0, sizeof(*rt));
	if (looks_like_path(spec))
		return runtime_from_path(spec, rt);
	if (strcmp(spec, ASRT_DEFAULT_NAME) == 0) {
		const char *stub = asrt_stub_path();
		if (!is_file(stub)) {
			asrt_say("cannot find the abi stub %s (looked for %s; set ASRT_STUB to its path)",
				 ASRT_STUB_SONAME, stub);
			return -1;
		}
		snprintf(rt->name, sizeof(rt->name), "%s", ASRT_DEFAULT_NAME);
		asrt_path_absolute(stub, rt->path, sizeof(rt->path));
		rt->is_default = true;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/lib%s.so", asrt_runtime_dir(), spec);
	if (!is_file(path)) {
		say_unknown(spec);
		return -1;
	}
	snprintf(rt->name, sizeof(rt->name), "%s", spec);
	asrt_path_absolute(path, rt->path, sizeof(rt->path));
	return 0;
}
