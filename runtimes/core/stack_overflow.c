/* SPDX-License-Identifier: MIT */
/*
 * stack_overflow.c - what happens when a task runs off its stack: the
 * SIGSEGV/SIGBUS handler asks the pool whose guard page the fault hit
 * (stack.c), names that task in one line (and the running task, when a frame
 * larger than a page jumped its own guard into that stack) and dies the default way (after the
 * task dump of ASYNC_STD_TRACEBACK=tasks, when set); a fault elsewhere goes to
 * the handler it replaced.  The handler runs on a per-thread alternate stack,
 * installed here too.  Everything the handler calls is async-signal-safe.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core.h"
#include "stack.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102 /* Linux 6.13+ */
#endif

/* Reserved, touched only as used: a fatal signal's task dump
 * (ASYNC_STD_TRACEBACK=tasks) runs here too, symbol lookups included. */
#ifdef AS_ASAN
#define ALTSTACK_BYTES (1024 * 1024) /* instrumented frames are larger */
#else
#define ALTSTACK_BYTES (256 * 1024)
#endif

static __thread void *altstack_map __attribute__((tls_model("initial-exec")));

static struct sigaction old_segv, old_bus;
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static int handler_err;

/* ---- the report (async-signal-safe) ---------------------------------------- */
static char *put_str(char *p, char *end, const char *s)
{
	while (*s && p < end)
		*p++ = *s++;
	return p;
}

static char *put_u64(char *p, char *end, uint64_t v)
{
	char digits[20];
	int n = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n && p < end)
		*p++ = digits[--n];
	return p;
}

static char *put_task(char *p, char *end, uint64_t id, const char *name)
{
	p = put_str(p, end, "task ");
	p = put_u64(p, end, id);
	if (name && name[0]) {
		char copy[64], *q = copy;

		/* Bounded copy: a long name must not push out the advice. */
		for (const char *s = name; *s && q < copy + sizeof copy - 1; s++)
			*q++ = *s;
		*q = 0;
		p = put_str(p, end, " '");
		p = put_str(p, end, copy);
		p = put_str(p, end, "'");
	}
	return p;
}

/* l: whose guard page was hit.  run: the task running on this thread (NULL
 * in scheduler code).  When they differ, the running task's frame jumped its
 * own guard and ran on through the stack below: both are named. */
static void overflow_report(const struct as_stack_owner *l, const struct as_task *run)
{
	char buf[512], *p = buf, *end = buf + sizeof buf - 1;
	ssize_t r;

	p = put_str(p, end, "async_std: stack overflow in ");
	if (run && run->id != l->task_id) {
		p = put_task(p, end, run->id, run->name);
		p = put_str(p, end, " (stack ");
		p = put_u64(p, end, run->stack.size / 1024);
		p = put_str(p, end, " KiB): a frame larger than the guard page jumped it and ran "
				    "into the guard of ");
		if (l->task_id)
			p = put_task(p, end, l->task_id, l->name);
		else
			p = put_str(p, end, "a free stack");
		p = put_str(p, end, ", whose stack it may have overwritten; raise "
				    "ASYNC_STD_STACK_SIZE and build with -fstack-clash-protection\n");
	} else {
		p = put_task(p, end, l->task_id, l->name);
		p = put_str(p, end, " (stack ");
		p = put_u64(p, end, l->stack_size / 1024);
		p = put_str(p, end, " KiB); raise ASYNC_STD_STACK_SIZE\n");
	}
	r = write(STDERR_FILENO, buf, (size_t)(p - buf));
	(void)r; /* nothing better to do in a dying process */
}

static void handler_default(int sig)
{
	struct sigaction dfl;

	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	sigaction(sig, &dfl, NULL);
}

void (*as__stack_fatal_hook)(int sig, const void *uc);

static void overflow_handler(int sig, siginfo_t *si, void *uctx)
{
	const struct sigaction *old = sig == SIGSEGV ? &old_segv : &old_bus;
	int saved_errno = errno;
	struct as_stack_owner owner;

	/* si_code > 0: raised by the kernel for a fault, not sent by kill. */
	if (si->si_code > 0 && as__stack_guard_owner((uintptr_t)si->si_addr, &owner)) {
		overflow_report(&owner, as__current());
		if (as__stack_fatal_hook)
			as__stack_fatal_hook(sig, uctx);
		/* Returning re-executes the access, which now kills the process
		 * the default way (core dump and exit status as usual). */
		handler_default(sig);
	} else if (old->sa_flags & SA_SIGINFO) {
		old->sa_sigaction(sig, si, uctx);
	} else if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
		old->sa_handler(sig);
	} else if (si->si_code > 0 || old->sa_handler == SIG_DFL) {
		/* A fault cannot be ignored: the kernel would kill us anyway. */
		if (as__stack_fatal_hook)
			as__stack_fatal_hook(sig, uctx);
		handler_default(sig);
		if (si->si_code <= 0)
			raise(sig); /* blocked until we return, then fatal */
	}
	errno = saved_errno;
}

static void handler_install(void)
{
	static const int sigs[] = { SIGSEGV, SIGBUS };
	struct sigaction *olds[] = { &old_segv, &old_bus };

	for (int i = 0; i < 2; i++) {
		struct sigaction sa;

		/* Read the application's handler first: ours chains to it and
		 * runs with the mask it asked for. */
		if (sigaction(sigs[i], NULL, olds[i]) != 0) {
			handler_err = -errno;
			return;
		}
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = overflow_handler;
		sa.sa_mask = olds[i]->sa_mask;
		sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
		if (sigaction(sigs[i], &sa, NULL) != 0) {
			handler_err = -errno;
			return;
		}
	}
}

int as__stack_thread_init(void)
{
	size_t guard = (size_t)sysconf(_SC_PAGESIZE);
	stack_t ss, old;
	char *map;

	pthread_once(&handler_once, handler_install);
	if (handler_err)
		return handler_err;
	if (altstack_map)
		return 0;
	if (sigaltstack(NULL, &old) != 0)
		return -errno;
	/* The thread has one already that is large enough: keep it.  (Workers
	 * are the runtime's own threads, so a smaller one is ASan's 32 KiB,
	 * which a crash dump of ASYNC_STD_TRACEBACK=tasks would overflow.) */
	if (!(old.ss_flags & SS_DISABLE) && old.ss_size >= ALTSTACK_BYTES)
		return 0;

	map = mmap(NULL, ALTSTACK_BYTES + guard, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
	if (map == MAP_FAILED)
		return -errno;
	/* A guard below, so a handler overflowing the altstack dies here
	 * instead of writing into whatever is mapped below. */
	if (madvise(map, guard, MADV_GUARD_INSTALL) != 0 && mprotect(map, guard, PROT_NONE) != 0)
		goto out_unmap;
	memset(&ss, 0, sizeof ss);
	ss.ss_sp = map + guard;
	ss.ss_size = ALTSTACK_BYTES;
	if (sigaltstack(&ss, NULL) != 0)
		goto out_unmap;
	altstack_map = map;
	return 0;

out_unmap: {
	int err = -errno;

	munmap(map, ALTSTACK_BYTES + guard);
	return err;
}
}

void as__stack_altstack_fini(void)
{
	if (altstack_map) {
		stack_t ss;

		memset(&ss, 0, sizeof ss);
		ss.ss_flags = SS_DISABLE;
		sigaltstack(&ss, NULL);
		munmap(altstack_map, ALTSTACK_BYTES + (size_t)sysconf(_SC_PAGESIZE));
		altstack_map = NULL;
	}
}
