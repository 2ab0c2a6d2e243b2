/*
 * runtime.c - what makes the default runtime a runtime: its configuration,
 * taken from the shim's settings table.  Its reactor is epoll.c, its I/O
 * calls io.c; everything else is core.
 */
#include "core.h"
#include "settings.h"

static struct as_config config;
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void config_load(void)
{
	const struct as_settings *s = as__settings();
	config.threads = s->threads;
	config.stack_size = s->stack_size;
	config.traceback_tasks = s->traceback == 1;
	config.started = as__shim_runtime_started;
}

const struct as_config *as__config(void)
{
	pthread_once(&config_once, config_load);
	return &config;
}
