/*
 * asrt.h - what the asrt subcommands (one cmd_*.c each) share: their entry
 * points, the one-line error helper, the ABI's version node and stub name.
 */
#ifndef ASRT_H
#define ASRT_H

#include <stdbool.h>

/* The node every ABI function is defined in (abi/async_std.map). */
#define ASRT_ABI_NODE "ASYNC_STD_1.0"
/* The soname programs are linked against; its version needs are checked. */
#define ASRT_STUB_SONAME "libasync_std.so.1"

/* Exit statuses shared by the subcommands (see asrt.1, EXIT STATUS). */
enum {
	ASRT_EXIT_OK = 0,
	ASRT_EXIT_MISSING = 1, /* check: something is missing; dump: no answer */
	ASRT_EXIT_USAGE = 2,   /* bad arguments, unreadable or non-ELF files */
};

int asrt_list_main(int argc, char **argv);
int asrt_run_main(int argc, char **argv);
int asrt_check_main(int argc, char **argv);
int asrt_dump_main(int argc, char **argv);

/* Prints "asrt: <message>" as one line on stderr. */
void asrt_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether arg asks for help (-h, --help). */
bool asrt_is_help(const char *arg);

#endif
