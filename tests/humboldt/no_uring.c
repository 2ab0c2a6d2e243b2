/* SPDX-License-Identifier: MIT */
/*
 * no_uring.c - runs a command in a process where io_uring_setup fails with
 * EPERM, as under Docker's and containerd's default seccomp profiles, so the
 * fallback is tested for real:  no_uring [-e ERRNO] CMD ARGS...
 *
 * no_uring -p CMD ARGS... leaves io_uring alone but makes its probe
 * (io_uring_register IORING_REGISTER_PROBE) fail with EINVAL, as on a kernel
 * before 5.6: humboldt then runs on io_uring with no extension.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define AUDIT_ARCH_SELF AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define AUDIT_ARCH_SELF AUDIT_ARCH_AARCH64
#else
#error "no_uring: unknown architecture"
#endif

int main(int argc, char **argv)
{
	int err = EPERM, first = 1, probe_only = 0;
	if (argc > 2 && strcmp(argv[1], "-e") == 0) {
		err = atoi(argv[2]);
		first = 3;
	} else if (argc > 1 && strcmp(argv[1], "-p") == 0) {
		probe_only = 1;
		err = EINVAL;
		first = 2;
	}
	if (first >= argc || err <= 0 || err > 4095) {
		fprintf(stderr, "usage: no_uring [-e ERRNO | -p] CMD ARGS...\n");
		return 2;
	}
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_SELF, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	/* io_uring_register(fd, IORING_REGISTER_PROBE, ...): the opcode is the
	 * second argument's low word (both architectures are little-endian). */
	struct sock_filter probe_filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_SELF, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_register, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IORING_REGISTER_PROBE, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof filter / sizeof filter[0], .filter = filter };
	if (probe_only)
		prog = (struct sock_fprog){ .len = sizeof probe_filter / sizeof probe_filter[0],
					    .filter = probe_filter };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		perror("no_uring: seccomp");
		return 2;
	}
	execvp(argv[first], argv + first);
	perror("no_uring: exec");
	return 127;
}
