/* SPDX-License-Identifier: MIT */
/*
 * interop.h - what the files of the interop suite share: the verdict of a
 * body (NULL, or a message in iop_msg), the runner, two small task bodies,
 * and each file's list of tests (interop.c runs them all).
 */
#ifndef INTEROP_H
#define INTEROP_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "async_std.h"
#include "gcd.h"
#include "humboldt.h"


#define MS 1000000LL

extern char msg[256];
void *fail_with(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define FAIL(...) fail_with(__VA_ARGS__)
#define CHECK(c)                                                                   \
	do {                                                                       \
		if (!(c))                                                          \
			return FAIL("%s:%d: %s (errno %s)", __FILE__, __LINE__, #c, \
				    strerror(errno));                              \
	} while (0)

/* Runs body as a task of the bound runtime (block_on) and fails the cmocka
 * test, on the main thread, with the message the body returned. */
void run(async_std_fn body);
/* Task bodies: returns (void *)7; sleeps a minute and returns 0 or errno. */
void *returns_7(void *arg);
void *sleeps_long(void *arg);

extern const struct CMUnitTest iop_sync_tests[];
extern const size_t iop_sync_tests_count;
extern const struct CMUnitTest iop_gcd_tests[];
extern const size_t iop_gcd_tests_count;

#endif
