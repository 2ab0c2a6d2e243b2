/* SPDX-License-Identifier: MIT */
/*
 * main.c - asrt, the async_std runtime tool: dispatches to list, run, check
 * and dump (one cmd_*.c each) and prints the overview for --help.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "asrt.h"

static const char asrt_usage[] =
	"usage: asrt COMMAND [ARGS]\n"
	"\n"
	"Inspects and selects async_std runtimes (see asrt(1)).\n"
	"\n"
	"commands:\n"
	"  list                              the installed runtimes: name, ABI version,\n"
	"                                    features and path\n"
	"  run [-r NAME|PATH] [--] PROG ARGS run PROG with that runtime preloaded\n"
	"  check [--runtime NAME|PATH] [PROG]\n"
	"                                    does the runtime define every ABI function,\n"
	"                                    and everything PROG needs? (exit 1 if not)\n"
	"  dump PID [--timeout SEC]          ask a running process for a task dump\n"
	"  help [COMMAND]                    this text, or a command's\n"
	"\n"
	"Runtimes are found by name as DIR/libNAME.so; \"default\" is the abi stub.\n"
	"DIR is $ASYNC_STD_RUNTIME_DIR, else ../lib/async_std/runtimes next to asrt\n"
	"(or async_std/runtimes beside it, in the build tree),\n"
	"else the installed one. $ASRT_STUB overrides where the stub is looked for.\n"
	"`asrt COMMAND --help` describes each command.\n";

void asrt_say(const char *fmt, ...)
{
	va_list ap;

	fputs("asrt: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool asrt_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

static const struct asrt_command {
	const char *name;
	int (*main)(int argc, char **argv);
} asrt_commands[] = {
	{ "list", asrt_list_main },
	{ "run", asrt_run_main },
	{ "check", asrt_check_main },
	{ "dump", asrt_dump_main },
};

static const struct asrt_command *command_find(const char *name)
{
	for (size_t i = 0; i < sizeof(asrt_commands) / sizeof(asrt_commands[0]); i++)
		if (strcmp(asrt_commands[i].name, name) == 0)
			return &asrt_commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct asrt_command *cmd;

	if (argc < 2) {
		fputs(asrt_usage, stderr);
		return ASRT_EXIT_USAGE;
	}
	if (asrt_is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
		if (argc > 2 && (cmd = command_find(argv[2]))) {
			char *help[] = { argv[2], "--help", NULL };
			return cmd->main(2, help);
		}
		fputs(asrt_usage, stdout);
		return ASRT_EXIT_OK;
	}
	cmd = command_find(argv[1]);
	if (!cmd) {
		asrt_say("unknown command \"%s\" (commands: list, run, check, dump; see asrt --help)",
			 argv[1]);
		return ASRT_EXIT_USAGE;
	}
	/* Each command sees itself as argv[0]. */
	return cmd->main(argc - 1, argv + 1);
}
