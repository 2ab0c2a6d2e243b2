/* SPDX-License-Identifier: MIT */
/*
 * say.c - the one-line messages of core and the shim (say.h says why the
 * shim may call into core for this).
 */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "say.h"

void as__say(const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n = snprintf(line, sizeof(line), "async_std: ");

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* vsnprintf returns the untruncated length: keep room for '\n'. */
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* Nowhere else to report a failed write. */
	ssize_t w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}
