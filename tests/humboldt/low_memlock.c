/* SPDX-License-Identifier: MIT */
/*
 * low_memlock.c - runs a command with a small RLIMIT_MEMLOCK that the kernel
 * enforces, as for an unprivileged user with `ulimit -l 64`, so that
 * humboldt's registered buffers degrade for real:  low_memlock KIB CMD ARGS...
 * Root is exempt through CAP_IPC_LOCK, so the capability is dropped from the
 * bounding set (execve would give it back otherwise) and from every set.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	unsigned long kib = argc > 2 ? strtoul(argv[1], &end, 10) : 0;
	if (argc < 3 || *end) {
		fprintf(stderr, "usage: low_memlock KIB CMD ARGS...\n");
		return 2;
	}
	/* EPERM: no CAP_SETPCAP, so not root either: nothing to drop. */
	if (prctl(PR_CAPBSET_DROP, CAP_IPC_LOCK, 0, 0, 0) < 0 && errno != EPERM) {
		perror("low_memlock: PR_CAPBSET_DROP");
		return 2;
	}
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) == 0) {
		d[0].effective &= ~(1u << CAP_IPC_LOCK);
		d[0].permitted &= ~(1u << CAP_IPC_LOCK);
		d[0].inheritable &= ~(1u << CAP_IPC_LOCK);
		if (syscall(SYS_capset, &h, d) < 0) {
			perror("low_memlock: capset");
			return 2;
		}
	}
	struct rlimit rl = { .rlim_cur = kib << 10, .rlim_max = kib << 10 };
	if (setrlimit(RLIMIT_MEMLOCK, &rl) < 0) {
		perror("low_memlock: setrlimit");
		return 2;
	}
	execvp(argv[2], argv + 2);
	perror("low_memlock: exec");
	return 127;
}
