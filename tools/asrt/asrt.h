/* SPDX-License-Identifier: MIT */
/*
 * asrt.h - what the asrt subcommands (one cmd_*.c each) share: their entry
 * points, the one-line error helper, the ABI's newest version node and the
 * stub's soname (both from the version in abi/async_std.h).
 */
#ifndef ASRT_H
#define ASRT_H

#include <stdbool.h>

#include "async_std.h"

#define ASRT_STR(x) #x
#define ASRT_XSTR(x) ASRT_STR(x)
/* The newest version node; each function's own is in abi_list.h. */
#define ASRT_ABI_NEWEST_NODE \
	"ASYNC_STD_" ASRT_XSTR(ASYNC_STD_ABI_MAJOR) "." ASRT_XSTR(ASYNC_STD_ABI_MINOR)
/* The soname programs are linked against; its version needs are checked. */
#define ASRT_STUB_SONAME "libasync_std.so." ASRT_XSTR(ASYNC_STD_ABI_MAJOR)

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
