/* SPDX-License-Identifier: MIT */
/*
 * cmd_check.c - `asrt check`: does a runtime define every ABI function (the
 * list, with each function's node, is compiled in from abi/abi_list.h) in its
 * node, and all PROG imports?
 * Each missing piece gets a line of its own: the answer is exact, not a count.
 */
#include <stdio.h>
#include <string.h>

#include "abi_list.h"
#include "asrt.h"
#include "elf_file.h"
#include "runtime.h"

static const char check_usage[] =
	"usage: asrt check [--runtime NAME|PATH] [PROG]\n"
	"\n"
	"Checks that the runtime (default: \"default\", the abi stub) defines every\n"
	"function of the ABI as NAME@@NODE, in the version node that added it (up to\n"
	ASRT_ABI_NEWEST_NODE "), and, given PROG, that it\n"
	"defines every async_std_* symbol PROG imports (in the version PROG asks for)\n"
	"and every version node PROG needs from " ASRT_STUB_SONAME ".\n"
	"  -r, --runtime NAME|PATH  a runtime name (see asrt list) or a file\n"
	"Each missing piece is one line on stdout:\n"
	"  missing: SYMBOL                     an ABI function the runtime lacks\n"
	"  wrong version: SYMBOL is ...        defined, but not as SYMBOL@@NODE\n"
	"  missing for PROG: SYMBOL@NODE       PROG imports it; the runtime lacks it\n"
	"  missing for PROG: version node NODE PROG needs it; the runtime lacks it\n"
	"then a summary line. Exit status: 0 when nothing is missing, 1 when\n"
	"something is, 2 for bad arguments or a file that is not ELF64.\n";

#define ABI_FUNCTION(major, minor, ret, name, params, args) \
	{ "async_std_" #name, AS_ABI_NODE(major, minor) },
static const struct abi_function {
	const char *name, *node;
} abi_functions[] = { AS_ABI_FUNCTIONS(ABI_FUNCTION) };
#undef ABI_FUNCTION
#define ABI_COUNT (sizeof(abi_functions) / sizeof(abi_functions[0]))

/* Describes how `sym` is defined: "name@@NODE", "name@NODE" or "name". */
static void describe(const struct elf_symbol *sym, char *out, size_t size)
{
	if (sym->version)
		snprintf(out, size, "%s%s%s", sym->name, sym->default_version ? "@@" : "@",
			 sym->version);
	else
		snprintf(out, size, "%s (unversioned)", sym->name);
}

/* (a): one ABI function; 0 when it is name@@<its node>, else 1 line. */
static unsigned check_abi_function(const struct elf_file *lib, const struct abi_function *f)
{
	const char *name = f->name;
	struct elf_symbol s, first = { .name = NULL };

	for (size_t i = 1; i < lib->nsyms; i++) {
		elf_file_symbol(lib, i, &s);
		if (!s.defined || strcmp(s.name, name) != 0)
			continue;
		if (s.function && s.default_version && s.version &&
		    strcmp(s.version, f->node) == 0)
			return 0;
		if (!first.name)
			first = s;
	}
	if (!first.name) {
		printf("missing: %s\n", name);
	} else if (!first.function) {
		printf("wrong type: %s is not a function\n", name);
	} else {
		char how[512];
		describe(&first, how, sizeof(how));
		printf("wrong version: %s is %s, not %s@@%s\n", name, how, name, f->node);
	}
	return 1;
}

/* (b): whether lib can serve PROG's import `want`: the same version (either
 * form) when the import is versioned, else the default definition. */
static bool lib_serves(const struct elf_file *lib, const struct elf_symbol *want)
{
	struct elf_symbol s;

	for (size_t i = 1; i < lib->nsyms; i++) {
		elf_file_symbol(lib, i, &s);
		if (!s.defined || strcmp(s.name, want->name) != 0)
			continue;
		if (want->version ? s.version && strcmp(s.version, want->version) == 0
				  : s.default_version)
			return true;
	}
	return false;
}

struct prog_counts {
	unsigned symbols, nodes, missing_symbols, missing_nodes;
};

static void check_prog(const struct elf_file *lib, const struct elf_file *prog,
		       const char *prog_name, struct prog_counts *c)
{
	struct elf_symbol s;

	for (size_t i = 1; i < prog->nsyms; i++) {
		elf_file_symbol(prog, i, &s);
		if (s.defined || strncmp(s.name, "async_std_", 10) != 0)
			continue;
		c->symbols++;
		if (lib_serves(lib, &s))
			continue;
		c->missing_symbols++;
		if (s.version)
			printf("missing for %s: %s@%s\n", prog_name, s.name, s.version);
		else
			printf("missing for %s: %s\n", prog_name, s.name);
	}
	for (size_t i = 0; i < prog->nneeds; i++) {
		const struct elf_version *v = &prog->needs[i];
		if (strcmp(v->file, ASRT_STUB_SONAME) != 0)
			continue;
		c->nodes++;
		if (elf_file_find_def(lib, v->name))
			continue;
		c->missing_nodes++;
		printf("missing for %s: version node %s (needed from %s)\n", prog_name, v->name,
		       v->file);
	}
}

static const char *plural(unsigned n)
{
	return n == 1 ? "" : "s";
}

static int check_parse(int argc, char **argv, const char **spec, const char **prog)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (asrt_is_help(a)) {
			fputs(check_usage, stdout);
			return ASRT_EXIT_OK;
		} else if (strcmp(a, "-r") == 0 || strcmp(a, "--runtime") == 0) {
			if (++i == argc) {
				asrt_say("check: %s needs a runtime name or path", a);
				return ASRT_EXIT_USAGE;
			}
			*spec = argv[i];
		} else if (strncmp(a, "--runtime=", 10) == 0) {
			*spec = a + 10;
		} else if (a[0] == '-' && a[1]) {
			asrt_say("check: unknown option %s (see asrt check --help)", a);
			return ASRT_EXIT_USAGE;
		} else if (*prog) {
			asrt_say("check: one program at a time (got %s and %s)", *prog, a);
			return ASRT_EXIT_USAGE;
		} else {
			*prog = a;
		}
	}
	return -1;
}

int asrt_check_main(int argc, char **argv)
{
	const char *spec = AS_RUNTIME_DEFAULT_NAME, *prog_path = NULL;
	struct asrt_runtime rt;
	struct elf_file lib, prog;
	struct prog_counts pc = { 0, 0, 0, 0 };
	unsigned abi_missing = 0;
	int status = check_parse(argc, argv, &spec, &prog_path);

	if (status >= 0)
		return status;
	if (asrt_runtime_find(spec, &rt) != 0)
		return ASRT_EXIT_USAGE;
	if (elf_file_open(&lib, rt.path) != 0) {
		asrt_say("check: %s: %s", rt.path, lib.error);
		elf_file_close(&lib);
		return ASRT_EXIT_USAGE;
	}
	if (prog_path && elf_file_open(&prog, prog_path) != 0) {
		asrt_say("check: %s: %s", prog_path, prog.error);
		elf_file_close(&prog);
		elf_file_close(&lib);
		return ASRT_EXIT_USAGE;
	}
	for (size_t i = 0; i < ABI_COUNT; i++)
		abi_missing += check_abi_function(&lib, &abi_functions[i]);
	if (prog_path) {
		check_prog(&lib, &prog, prog_path, &pc);
		elf_file_close(&prog);
	}
	elf_file_close(&lib);

	if (abi_missing == 0 && pc.missing_symbols == 0 && pc.missing_nodes == 0) {
		printf("asrt check: OK: %s (%s) defines all %zu ABI functions in their nodes (up to %s)",
		       rt.name, rt.path, ABI_COUNT, ASRT_ABI_NEWEST_NODE);
		if (prog_path)
			printf(", and the %u async_std_* symbol%s and %u version node%s %s needs",
			       pc.symbols, plural(pc.symbols), pc.nodes, plural(pc.nodes), prog_path);
		printf("\n");
		return ASRT_EXIT_OK;
	}
	printf("asrt check: %s (%s): %u of %zu ABI functions missing or wrongly versioned", rt.name,
	       rt.path, abi_missing, ABI_COUNT);
	if (prog_path)
		printf("; it lacks %u of the %u async_std_* symbol%s and %u of the %u version "
		       "node%s %s needs", pc.missing_symbols, pc.symbols, plural(pc.symbols),
		       pc.missing_nodes, pc.nodes, plural(pc.nodes), prog_path);
	printf("\n");
	return ASRT_EXIT_MISSING;
}
