/* SPDX-License-Identifier: MIT */
/*
 * runtime_path.h - the one rule for finding a runtime by name or path,
 * shared by the shim (ASYNC_STD_RUNTIME) and asrt (-r).  Private, never
 * installed; runtime_path.c says why it lives in abi/.
 */
#ifndef AS_RUNTIME_PATH_H
#define AS_RUNTIME_PATH_H

#include <stdbool.h>
#include <stddef.h>

/* The abi stub's own runtime: nothing to preload, no file to look up. */
#define AS_RUNTIME_DEFAULT_NAME "default"

/* Whether spec is a path rather than a name: it has a '/', ends in ".so" or
 * has ".so." ("./libx.so", "libx.so", "libx.so.1"); anything else is a name. */
bool as__runtime_spec_is_path(const char *spec);

/* Whether path is a regular file (through symlinks) we may read. */
bool as__runtime_is_file(const char *path);

/* "libNAME.so" -> NAME in name; false for any other file name or one that
 * does not fit. */
bool as__runtime_name_of_file(const char *file, char *name, size_t size);

/* The file of runtime `name`: <dir>/lib<name>.so in the first of dirs that
 * has it, into out; false when none does (or it does not fit). */
bool as__runtime_file_find(const char *name, const char *const *dirs, size_t ndirs, char *out,
		      size_t size);

/* Calls fn once per runtime the dirs provide, as as__runtime_file_find would
 * resolve it: a name shadowed by an earlier directory is skipped, and so is
 * "default".  Order: directory order, then readdir's. */
void as__runtime_each(const char *const *dirs, size_t ndirs,
		      void (*fn)(const char *name, const char *path, void *arg), void *arg);

/* path with its directory made absolute, its last component kept as given,
 * so a runtime reached through a symlink is named by the link; path itself
 * when the directory cannot be resolved. */
void as__runtime_path_absolute(const char *path, char *out, size_t size);

#endif
