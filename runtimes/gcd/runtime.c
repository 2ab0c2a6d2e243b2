/* SPDX-License-Identifier: MIT */
/*
 * runtime.c - what gcd adds to the shared configuration
 * (runtimes/default/runtime.c, built with -DAS_RUNTIME_CONFIGURE=
 * gcd__runtime_configure): its number of workers, from GCD_THREADS.
 */
#include <unistd.h>

#include "core.h"
#include "settings.h"
#include "xrt.h"

unsigned gcd__threads(const struct as_settings *s);

unsigned gcd__threads(const struct as_settings *s)
{
	if (s->gcd_threads)
		return s->gcd_threads;
	if (as__bound)
		return s->threads;
	/* Beside another runtime: fewer workers, so that the two sets do not
	 * oversubscribe the CPUs. */
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n >= 2 ? (unsigned)(n / 2) : 1;
}
