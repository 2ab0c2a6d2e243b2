/* SPDX-License-Identifier: MIT */
/*
 * say.h - the one printer of the runtime's one-line messages (a misuse, a bad
 * setting, a fallback), shared by core and the shim.
 *
 * It lives in core but includes nothing of core or of the ABI, so the shim,
 * which may depend on the ABI only, can use it without depending on core's
 * internals: every build that contains the shim contains core (the shim is
 * compiled into each runtime), and the shim's unit test links say.c alone.
 */
#ifndef AS_SAY_H
#define AS_SAY_H

/* Writes "async_std: <formatted>\n" to stderr in one write(2), so lines from
 * several threads or processes never interleave; a line longer than 1 KiB is
 * cut.  Best effort: a failed write is not reported. */
void as__say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
