/* SPDX-License-Identifier: MIT */
/*
 * runtime_path.c - finds runtimes by name or path (rule in runtime_path.h).
 * It lives in abi/ because the shim and asrt must resolve a name to the same
 * file, and asrt may depend on abi only; it uses nothing but libc, so each
 * compiles it in (hidden inside a runtime), none installs it.  Which
 * directories to search is the caller's: the shim looks beside the loaded
 * stub, asrt beside itself.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime_path.h"

bool as__runtime_spec_is_path(const char *spec)
{
	size_t n = strlen(spec);

	return strchr(spec, '/') || strstr(spec, ".so.") ||
	       (n >= 3 && strcmp(spec + n - 3, ".so") == 0);
}

bool as__runtime_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

bool as__runtime_name_of_file(const char *file, char *name, size_t size)
{
	size_t n = strlen(file);

	if (n <= 6 || strncmp(file, "lib", 3) != 0 || strcmp(file + n - 3, ".so") != 0 ||
	    n - 6 >= size)
		return false;
	memcpy(name, file + 3, n - 6);
	name[n - 6] = '\0';
	return true;
}

bool as__runtime_file_find(const char *name, const char *const *dirs, size_t ndirs, char *out,
		      size_t size)
{
	for (size_t i = 0; i < ndirs; i++) {
		int n = snprintf(out, size, "%s/lib%s.so", dirs[i], name);
		if (n >= 0 && (size_t)n < size && as__runtime_is_file(out))
			return true;
	}
	return false;
}

void as__runtime_each(const char *const *dirs, size_t ndirs,
		      void (*fn)(const char *name, const char *path, void *arg), void *arg)
{
	for (size_t i = 0; i < ndirs; i++) {
		/* In name order: readdir's depends on the file system. */
		struct dirent **list;
		int n = scandir(dirs[i], &list, NULL, alphasort);
		for (int k = 0; k < n; k++) {
			char name[NAME_MAX + 1], path[PATH_MAX];
			const char *file = list[k]->d_name;
			/* Listed where the lookup finds it, so never twice. */
			if (as__runtime_name_of_file(file, name, sizeof(name)) &&
			    strcmp(name, AS_RUNTIME_DEFAULT_NAME) != 0 &&
			    as__runtime_file_find(name, dirs, i + 1, path, sizeof(path)) &&
			    !as__runtime_file_find(name, dirs, i, path, sizeof(path)))
				fn(name, path, arg);
		}
		for (int k = 0; k < n; k++)
			free(list[k]);
		if (n >= 0)
			free(list);
	}
}

void as__runtime_path_absolute(const char *path, char *out, size_t size)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;

	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (realpath(dir, real) && strlen(real) + 1 + strlen(base) < size)
		snprintf(out, size, "%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
	else
		snprintf(out, size, "%s", path);
}
