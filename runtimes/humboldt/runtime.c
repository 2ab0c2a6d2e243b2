/* SPDX-License-Identifier: MIT */
/*
 * runtime.c - what humboldt adds to the shared configuration
 * (runtimes/default/runtime.c, built with -DAS_RUNTIME_CONFIGURE=
 * hb__runtime_configure): the probe that picks io_uring or the loud epoll
 * fallback, from its HUMBOLDT_* settings, before any worker starts.
 */
#include "core.h"
#include "settings.h"
#include "uring.h"

void hb__runtime_configure(const struct as_settings *s);

void hb__runtime_configure(const struct as_settings *s)
{
	hb__probe(s->ring_entries, s->require_uring, s->threads);
}
