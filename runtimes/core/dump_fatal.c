/* SPDX-License-Identifier: MIT */
/*
 * dump_fatal.c - ASYNC_STD_TRACEBACK=tasks: a fatal signal (abort, SIGILL,
 * SIGFPE here; SIGSEGV and SIGBUS through stack.c's overflow handler) writes
 * a dump of every task to stderr before the process dies the usual way.
 *
 * A dying process may hold any lock, so this is best effort: the dump is
 * bounded by an alarm, after which SIGALRM ends the process.
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "xrt.h"

/* Seconds a fatal dump may take before SIGALRM ends the process. */
#define FATAL_DUMP_SECONDS 10

static _Atomic int dumping;

void as__fatal_section(int sig, const void *uc)
{
	struct as_task *t = as__current();
	if (t)
		as__say("fatal signal SIG%s in task %llu; every task follows "
			"(ASYNC_STD_TRACEBACK=tasks, runtime %s first)",
			sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", (unsigned long long)t->id,
			as__runtime_name());
	else
		as__say("fatal signal SIG%s outside any task; every task follows "
			"(ASYNC_STD_TRACEBACK=tasks, runtime %s first)",
			sigabbrev_np(sig) ? sigabbrev_np(sig) : "?", as__runtime_name());
	as__dump_fatal(STDERR_FILENO, uc);
}

/* Whichever runtime's handler runs, the runtime that owns the crashing
 * thread writes the first section (the crashed task first, from the
 * signal's context), then every other runtime its own; once per process. */
void as__fatal_dump(int sig, const void *uc)
{
	if (!as__config()->traceback_tasks)
		return;
	struct as_process *p = as__process();
	if (atomic_exchange(p ? &p->fatal_dumping : &dumping, 1))
		return;
	alarm(FATAL_DUMP_SECONDS);
	const struct as_xrt *owner = as__xrt_foreign_caller();
	if (owner)
		owner->fatal_section(sig, uc);
	else
		as__fatal_section(sig, uc);
	/* Then the others: every runtime but the one whose section came first. */
	const struct as_xrt *first = owner ? owner : as__xrt_of(as__tag);
	for (uint32_t i = 0; i < AS_XRT_MAX; i++) {
		const struct as_xrt *x = as__xrt_of(i);
		if (x && x != first)
			x->dump(STDERR_FILENO, 0);
	}
	alarm(0);
}

static void fatal_handler(int sig, siginfo_t *si, void *uc)
{
	as__fatal_dump(sig, uc);
	struct sigaction dfl;
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	/* A fault re-executes and dies; a sent signal (kill, abort's raise) is
	 * raised again, delivered once this handler returns. */
	if (si->si_code <= 0 || sig == SIGABRT)
		raise(sig);
}

void as__fatal_handlers_install(void)
{
	static const int sigs[] = { SIGABRT, SIGILL, SIGFPE };
	as__stack_fatal_hook = as__fatal_dump;
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old, sa;
		/* The application's own handler stays: it decides what happens. */
		if (sigaction(sigs[i], NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO) ||
		    old.sa_handler != SIG_DFL)
			continue;
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = fatal_handler;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		sigaction(sigs[i], &sa, NULL);
	}
}
