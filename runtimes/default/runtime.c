/* SPDX-License-Identifier: MIT */
/*
 * runtime.c - what makes a runtime of core + a reactor: its configuration,
 * taken from the shim's settings table.  The default runtime's reactor is
 * epoll.c, its I/O calls io.c; everything else is core.  humboldt builds this
 * file too, with -DAS_RUNTIME_CONFIGURE=<its hook> for what it adds (the
 * io_uring probe) once the settings are read.
 */
#include "core.h"
#include "settings.h"

#ifdef AS_RUNTIME_CONFIGURE
void AS_RUNTIME_CONFIGURE(const struct as_settings *s);
#endif
/* A runtime that counts its workers its own way (gcd: GCD_THREADS). */
#ifdef AS_RUNTIME_THREADS
unsigned AS_RUNTIME_THREADS(const struct as_settings *s);
#endif

static struct as_config config;
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void config_load(void)
{
	const struct as_settings *s = as__settings();
#ifdef AS_RUNTIME_THREADS
	config.threads = AS_RUNTIME_THREADS(s);
#else
	config.threads = s->threads;
#endif
	config.stack_size = s->stack_size;
	config.traceback_tasks = s->traceback == 1;
	config.stall_ms = s->stall_ms;
	config.started = as__shim_runtime_started;
#ifdef AS_RUNTIME_CONFIGURE
	AS_RUNTIME_CONFIGURE(s);
#endif
}

const struct as_config *as__config(void)
{
	pthread_once(&config_once, config_load);
	return &config;
}
