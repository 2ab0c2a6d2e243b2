/* SPDX-License-Identifier: MIT */
/*
 * cmd_list.c - `asrt list`: one row per installed runtime with its ABI
 * version and features, read from the ELF file (version nodes, DT_NEEDED,
 * imports), never by loading it.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asrt.h"
#include "elf_file.h"
#include "runtime.h"

static const char list_usage[] =
	"usage: asrt list\n"
	"\n"
	"Lists the installed runtimes, \"default\" (the abi stub) first, then every\n"
	"libNAME.so in the runtime directory:\n"
	"  NAME      what -r and ASYNC_STD_RUNTIME accept\n"
	"  ABI       the highest ASYNC_STD_<major>.<minor> version node it defines\n"
	"  FEATURES  io_uring (it needs liburing), epoll (it calls epoll_wait), and\n"
	"            its other version nodes: HUMBOLDT_1.0 is \"humboldt extensions 1.0\"\n"
	"  PATH      the file\n"
	"A file that is not a runtime says why in FEATURES, with \"-\" as its ABI.\n";

struct list_row {
	char name[256];
	char abi[32];
	char features[512];
	char path[4096];
};

/* "HUMBOLDT_1.0" -> "humboldt extensions 1.0". */
static void feature_of_node(const char *node, char *out, size_t size)
{
	const char *sep = strrchr(node, '_');
	size_t n = sep ? (size_t)(sep - node) : strlen(node);

	if (!sep || n >= size) {
		snprintf(out, size, "%s", node);
		return;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = (node[i] >= 'A' && node[i] <= 'Z') ? node[i] - 'A' + 'a' : node[i];
	snprintf(out + n, size - n, " extensions %s", sep + 1);
}

static void feature_add(char *features, size_t size, const char *feature)
{
	size_t len = strlen(features);

	snprintf(features + len, size - len, "%s%s", len ? ", " : "", feature);
}

static bool imports_epoll(const struct elf_file *f)
{
	struct elf_symbol s;

	for (size_t i = 1; i < f->nsyms; i++) {
		elf_file_symbol(f, i, &s);
		if (!s.defined && strncmp(s.name, "epoll_wait", 10) == 0)
			return true;
		if (!s.defined && strncmp(s.name, "epoll_pwait", 11) == 0)
			return true;
	}
	return false;
}

/* The highest ASYNC_STD_<major>.<minor> node f defines, as "major.minor". */
static bool abi_version(const struct elf_file *f, char *out, size_t size)
{
	unsigned best_major = 0, best_minor = 0, major, minor;
	bool found = false;
	char tail;

	for (size_t i = 0; i < f->ndefs; i++) {
		if (f->defs[i].base ||
		    sscanf(f->defs[i].name, "ASYNC_STD_%u.%u%c", &major, &minor, &tail) != 2)
			continue;
		if (!found || major > best_major || (major == best_major && minor > best_minor)) {
			best_major = major;
			best_minor = minor;
		}
		found = true;
	}
	if (found)
		snprintf(out, size, "%u.%u", best_major, best_minor);
	return found;
}

static void row_fill(struct list_row *row, const char *name, const char *path)
{
	struct elf_file f;
	char node[128];

	snprintf(row->name, sizeof(row->name), "%s", name);
	snprintf(row->path, sizeof(row->path), "%s", path);
	snprintf(row->abi, sizeof(row->abi), "-");
	row->features[0] = '\0';
	if (elf_file_open(&f, path) != 0) {
		snprintf(row->features, sizeof(row->features), "not a runtime: %s", f.error);
		elf_file_close(&f);
		return;
	}
	if (!abi_version(&f, row->abi, sizeof(row->abi))) {
		snprintf(row->features, sizeof(row->features),
			 "not a runtime: defines no ASYNC_STD_* version node");
		elf_file_close(&f);
		return;
	}
	for (size_t i = 0; i < f.nneeded; i++)
		if (strncmp(f.needed[i], "liburing.so", 11) == 0)
			feature_add(row->features, sizeof(row->features), "io_uring");
	if (imports_epoll(&f))
		feature_add(row->features, sizeof(row->features), "epoll");
	for (size_t i = 0; i < f.ndefs; i++) {
		if (f.defs[i].base || strncmp(f.defs[i].name, "ASYNC_STD_", 10) == 0)
			continue;
		feature_of_node(f.defs[i].name, node, sizeof(node));
		feature_add(row->features, sizeof(row->features), node);
	}
	if (!row->features[0])
		snprintf(row->features, sizeof(row->features), "-");
	elf_file_close(&f);
}

static int width_of(const struct list_row *rows, size_t n, size_t offset, const char *title)
{
	size_t w = strlen(title);

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen((const char *)&rows[i] + offset);
		if (len > w)
			w = len;
	}
	return (int)w;
}

int asrt_list_main(int argc, char **argv)
{
	size_t n;
	char **names;
	struct list_row *rows;

	if (argc > 1 && asrt_is_help(argv[1])) {
		fputs(list_usage, stdout);
		return ASRT_EXIT_OK;
	}
	if (argc > 1) {
		asrt_say("list takes no arguments (see asrt list --help)");
		return ASRT_EXIT_USAGE;
	}
	names = asrt_runtime_names(&n);
	rows = calloc(n ? n : 1, sizeof(*rows));
	if (!names || !rows) {
		asrt_say("out of memory");
		return ASRT_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++) {
		char path[PATH_MAX], abs[PATH_MAX];
		/* The stub's row stays even when it cannot be found: it says so. */
		if (i == 0)
			snprintf(path, sizeof(path), "%s", asrt_stub_path());
		else
			snprintf(path, sizeof(path), "%s/lib%s.so", asrt_runtime_dir(), names[i]);
		as__runtime_path_absolute(path, abs, sizeof(abs));
		row_fill(&rows[i], names[i], abs);
	}
	int wn = width_of(rows, n, offsetof(struct list_row, name), "NAME");
	int wa = width_of(rows, n, offsetof(struct list_row, abi), "ABI");
	int wf = width_of(rows, n, offsetof(struct list_row, features), "FEATURES");
	printf("%-*s  %-*s  %-*s  %s\n", wn, "NAME", wa, "ABI", wf, "FEATURES", "PATH");
	for (size_t i = 0; i < n; i++)
		printf("%-*s  %-*s  %-*s  %s\n", wn, rows[i].name, wa, rows[i].abi, wf,
		       rows[i].features, rows[i].path);
	free(rows);
	asrt_runtime_names_free(names, n);
	return ASRT_EXIT_OK;
}
