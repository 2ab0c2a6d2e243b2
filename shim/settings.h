/* SPDX-License-Identifier: MIT */
/*
 * settings.h - every environment variable the runtimes read, in one table.
 * The shim parses and validates the table once (a bad value exits with status
 * 2); runtimes read the result through as__settings().
 */
#ifndef AS_SETTINGS_H
#define AS_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* as__say: the one-line printer, shared with core (say.h says why). */
#include "say.h"

enum as_setting_kind {
	AS_SET_NUMBER, /* unsigned decimal in [min, max] */
	AS_SET_CHOICE, /* one word of `choices` ("a|b|c"), stored as its index */
	AS_SET_TEXT,   /* any string, stored as a pointer into the environment */
	AS_SET_SIGNAL, /* a catchable signal, by name (SIGUSR2, USR2) or number; 0: none */
};

enum {
	AS_SET_BYTES = 1u << 0,        /* number of bytes: K, M, G suffixes (x1024) */
	AS_SET_PAGE_ROUND = 1u << 1,   /* rounded up to the page size after the check */
	AS_SET_SELECTS_CODE = 1u << 2, /* loads or selects code: ignored under AT_SECURE */
};

/*
 * The table.  A row is X(field, C type, designated initialisers of struct
 * as_setting); the field of struct as_settings is generated from it, so adding
 * a variable is adding a row.  Numbers and choices are stored in fields of
 * any unsigned or int type wide enough for max; text needs const char *.
 */
#define AS_SETTINGS_CORE(X)                                                          \
	X(threads, unsigned, .name = "ASYNC_STD_THREADS", .kind = AS_SET_NUMBER,     \
	  .min = 1, .max = 1024, .dflt_fn = as__online_cpus, .dflt_doc = "online CPUs", \
	  .doc = "Worker threads that run tasks")                                    \
	X(stack_size, size_t, .name = "ASYNC_STD_STACK_SIZE", .kind = AS_SET_NUMBER, \
	  .flags = AS_SET_BYTES | AS_SET_PAGE_ROUND, .min = 16u << 10,               \
	  .max = 1u << 30, .dflt = 256u << 10, .dflt_doc = "256K",                   \
	  .doc = "Stack reserved per task (committed lazily), rounded up to the page size") \
	X(verbose, int, .name = "ASYNC_STD_VERBOSE", .kind = AS_SET_NUMBER,          \
	  .min = 0, .max = 2, .dflt = 0, .dflt_doc = "0",                            \
	  .doc = "1: one line at start naming the bound runtime, its path, workers and ABI; " \
	         "2: also one line per variable of this table with its value and whether it " \
	         "came from the environment or the default") \
	X(traceback, int, .name = "ASYNC_STD_TRACEBACK", .kind = AS_SET_CHOICE,      \
	  .choices = "none|tasks", .dflt = 0, .dflt_doc = "none",                    \
	  .doc = "tasks: a fatal signal (stack overflow, abort, SIGSEGV, SIGBUS, SIGILL, SIGFPE) " \
	         "also writes a dump of every task to stderr")                      \
	X(stall_ms, unsigned, .name = "ASYNC_STD_STALL_MS", .kind = AS_SET_NUMBER,   \
	  .min = 0, .max = 60000, .dflt = 0, .dflt_doc = "0 (off)",                  \
	  .doc = "A task that holds its worker this many milliseconds without blocking or " \
	         "yielding is named in one line on stderr (a watchdog thread looks 4 times " \
	         "per period); 0: off")                                              \
	X(dump_signal, int, .name = "ASYNC_STD_DUMP_SIGNAL", .kind = AS_SET_SIGNAL,  \
	  .dflt = 0, .dflt_doc = "none",                                             \
	  .doc = "This signal writes a task dump to stderr (or to `asrt dump`); never replaces " \
	         "a handler the program installed")                                 \
	X(runtime, const char *, .name = "ASYNC_STD_RUNTIME", .kind = AS_SET_TEXT,   \
	  .flags = AS_SET_SELECTS_CODE, .dflt_doc = "the linked or preloaded one",   \
	  .doc = "Runtime name (looked up in ASYNC_STD_RUNTIME_DIR) or path: the program re-executes " \
	         "itself once with it preloaded")                                   \
	X(runtime_dir, const char *, .name = "ASYNC_STD_RUNTIME_DIR", .kind = AS_SET_TEXT, \
	  .flags = AS_SET_SELECTS_CODE,                                              \
	  .dflt_doc = "async_std/runtimes/ beside libasync_std.so.1, then the installed one", \
	  .doc = "Where runtimes are found by name, as lib<name>.so")

/*
 * A runtime adds its own rows by compiling the shim with
 * -DAS_RUNTIME_SETTINGS_H='"its_settings.h"', a header that defines
 * AS_SETTINGS_RUNTIME(X) with rows of the same shape (HUMBOLDT_RING_ENTRIES...).
 */
#ifdef AS_RUNTIME_SETTINGS_H
#include AS_RUNTIME_SETTINGS_H
#endif
#ifndef AS_SETTINGS_RUNTIME
#define AS_SETTINGS_RUNTIME(X)
#endif

#define AS_SETTINGS_TABLE(X) AS_SETTINGS_CORE(X) AS_SETTINGS_RUNTIME(X)

struct as_settings {
#define AS_SETTING_FIELD(field, type, ...) type field;
	AS_SETTINGS_TABLE(AS_SETTING_FIELD)
#undef AS_SETTING_FIELD
};

/* One row of the table. */
struct as_setting {
	const char *name;
	enum as_setting_kind kind;
	unsigned flags;                  /* AS_SET_* */
	unsigned long long min, max;     /* AS_SET_NUMBER */
	unsigned long long dflt;         /* number, or index into choices */
	unsigned long long (*dflt_fn)(void); /* computed default, overrides dflt */
	const char *dflt_doc;
	const char *choices;             /* AS_SET_CHOICE: "a|b|c" */
	const char *doc;
	size_t offset, size;             /* the field in struct as_settings */
};

extern const struct as_setting as__setting_table[];
extern const size_t as__setting_count;

/* Online CPUs clamped to 1..1024: the default of ASYNC_STD_THREADS. */
unsigned long long as__online_cpus(void);

/* The process's settings, parsed and validated on the first call (thread
 * safe).  A bad value prints one line and exits with status 2. */
const struct as_settings *as__settings(void);

/*
 * Parses the environment into *out.  secure: the process runs under secure
 * execution (AT_SECURE), so variables that select code are ignored.  Returns
 * 0, with msg holding the line to print when ASYNC_STD_VERBOSE >= 1 (or ""),
 * or -1 with msg holding the error line.  msg carries no newline.
 */
int as__settings_parse(struct as_settings *out, bool secure, char *msg, size_t msglen);

/* as__settings_parse, then on error the line on stderr and exit(2). */
void as__settings_load(struct as_settings *out, bool secure);

/* ASYNC_STD_VERBOSE=2: what row `row` of the table came to in st, as one
 * line into buf: "ASYNC_STD_THREADS=2 (from the environment)",
 * "ASYNC_STD_STACK_SIZE=256K (default)", "ASYNC_STD_RUNTIME unset (default:
 * ...)".  secure: as passed to as__settings_parse. */
void as__settings_explain(char *buf, size_t len, const struct as_settings *st, size_t row,
			  bool secure);
/* Every row's line on stderr, in table order. */
void as__settings_report(const struct as_settings *st, bool secure);

/* The table as documentation, one line per variable. */
void as__settings_doc(FILE *f);

/* A variable's value made safe for a one-line message (control bytes become
 * '?', long values are cut with "..."). */
void as__settings_shown(char *buf, size_t len, const char *v);

/* The load-time binding check (binding.c), run by the shim's constructor:
 * true when this copy of the shim is the bound runtime's. */
bool as__binding_check(char **argv);

/* Whether `want` names the runtime `name` at `path`: its name, its path, the
 * file name of its path (as LD_PRELOAD accepts), or another path to the same
 * file (binding.c). */
bool as__names_runtime(const char *want, const char *name, const char *path);

/* ASYNC_STD_RUNTIME names another runtime than the bound one: re-executes
 * the program (argv) with it preloaded; exits 2 with one line when it
 * cannot (select.c). */
void as__runtime_select(const char *want, const char *bound_name, const char *bound_path,
			char **argv) __attribute__((noreturn));

/* ASYNC_STD_DUMP_SIGNAL (dump_signal.c): the handler, installed by the bound
 * runtime's shim in its constructor, and the thread that writes the dumps,
 * started with the runtime. */
void as__dump_signal_install(void);
void as__shim_runtime_started(void);

#endif
