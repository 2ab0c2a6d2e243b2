/* SPDX-License-Identifier: MIT */
/*
 * signal_name.h - the one grammar of ASYNC_STD_DUMP_SIGNAL, shared by the
 * shim (which installs the signal) and asrt (which sends it).  Private, never
 * installed; signal_name.c says why it lives in abi/.
 */
#ifndef AS_SIGNAL_NAME_H
#define AS_SIGNAL_NAME_H

/* What the grammar accepts, for error lines and documentation. */
#define AS_DUMP_SIGNAL_ACCEPTED                                                          \
	"a signal name such as SIGUSR2 or USR2, or its number; "                         \
	"not SIGKILL, SIGSTOP, SIGSEGV or SIGBUS"

/*
 * The signal v names, or 0 when it names none or one that cannot serve as
 * the dump signal.  Accepted, case-sensitive, nothing around it:
 *   - a decimal number 1..SIGRTMAX ("12");
 *   - a standard signal's name with or without "SIG" ("SIGUSR2", "USR2");
 *   - RTMIN, RTMIN+n, RTMAX, RTMAX-n, with or without "SIG", inside
 *     SIGRTMIN..SIGRTMAX ("SIGRTMIN+2", "RTMAX-1").
 * Refused although signals: SIGKILL and SIGSTOP (no handler can catch
 * them), SIGSEGV and SIGBUS (the runtime's stack-overflow handling owns them).
 */
int as__dump_signal_parse(const char *v);

#endif
