/* SPDX-License-Identifier: MIT */
/*
 * sigpipe.c - a write to a peer that left fails with EPIPE; it never kills
 * the process.
 *
 * Socket calls pass MSG_NOSIGNAL, so the kernel sends no signal at all.
 * Writes that have no such flag (write, writev, pwrite on pipes and FIFOs,
 * humboldt's ring writes, which the kernel runs inside io_uring_enter) mark
 * the calling thread for the length of the system call; if SIGPIPE is at
 * its default action when the runtime starts, a handler is installed that
 * lets a marked thread's signal go (the call returns EPIPE) and applies the
 * default action to any other, so a plain write(2) to a closed pipe outside
 * async_std_* still ends the program as it always did.  A handler (unlike
 * SIG_IGN) is reset by exec, so child processes start with the default.  A
 * program that handles or ignores SIGPIPE itself is left alone.
 */
#include <signal.h>
#include <string.h>

#include "core.h"

/* Shared by every runtime of the process (weak, exported in ASYNC_STD_1.1,
 * so ld.so binds all copies to one): the handler installed by the first
 * runtime to start must see the mark a write of another one sets. */
__attribute__((visibility("default"), weak, tls_model("initial-exec")))
__thread int async_std__epipe_ok;

static void on_sigpipe(int sig)
{
	if (async_std__epipe_ok)
		return; /* the call in progress returns EPIPE */
	/* Not ours: what SIG_DFL would have done.  The signal is blocked while
	 * this handler runs, so it is delivered, with the default action, as
	 * the handler returns. */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
	raise(sig);
}

static pthread_once_t install_once = PTHREAD_ONCE_INIT;

static void install(void)
{
	struct sigaction old, sa;
	if (sigaction(SIGPIPE, NULL, &old) != 0 || (old.sa_flags & SA_SIGINFO) ||
	    old.sa_handler != SIG_DFL)
		return; /* the program's own policy */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigpipe;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGPIPE, &sa, NULL);
}

void as__sigpipe_install(void)
{
	pthread_once(&install_once, install);
}
