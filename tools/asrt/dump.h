/* SPDX-License-Identifier: MIT */
/*
 * dump.h - the pieces of `asrt dump`: finding the process's dump signal
 * (dump_signal.c, parsed by abi/signal_name.c as the shim parses it); the
 * socket exchange is in cmd_dump.c.
 */
#ifndef ASRT_DUMP_H
#define ASRT_DUMP_H

#include <sys/types.h>

/* The signal in the process's ASYNC_STD_DUMP_SIGNAL, or -1 after one error
 * line (no such process, no variable, not a signal). */
int asrt_dump_signal_of(pid_t pid);

/* 1 when the process catches or blocks sig (/proc/PID/status), 0 when it
 * does neither (its default action, often death, would run), -1 unknown. */
int asrt_signal_handled(pid_t pid, int sig);

#endif
