/*
 * runtime.c - what makes humboldt a runtime: its configuration (the shim's
 * table plus HUMBOLDT_* rows) and the probe that picks io_uring or the loud
 * epoll fallback before any worker starts.
 */
#include "core.h"
#include "settings.h"
#include "uring.h"

static struct as_config config;
static pthread_once_t config_once = PTHREAD_ONCE_INIT;

static void config_load(void)
{
	const struct as_settings *s = as__settings();
	config.threads = s->threads;
	config.stack_size = s->stack_size;
	config.traceback_tasks = s->traceback == 1;
	config.started = as__shim_runtime_started;
	hb__probe(s->ring_entries, s->require_uring, s->threads);
}

const struct as_config *as__config(void)
{
	pthread_once(&config_once, config_load);
	return &config;
}
