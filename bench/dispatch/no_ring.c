/*
 * no_ring.c - runs a command in which io_uring_setup fails with EPERM, so
 * humboldt takes its epoll fallback:  no_ring CMD ARGS...
 *
 * run.sh needs it for callgrind only: valgrind 3.19 keeps its big lock while
 * a thread waits in io_uring_enter, so an idle ring worker would stop every
 * other thread and the program would hang.  The seccomp filter is inherited
 * by valgrind and its client; valgrind itself never calls io_uring_setup.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NO_RING_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define NO_RING_ARCH AUDIT_ARCH_AARCH64
#else
#error "no_ring: unknown architecture"
#endif

int main(int argc, char **argv)
{
	/* A foreign architecture's syscall numbers mean other calls: kill it
	 * rather than filter the wrong one. */
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, NO_RING_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof code / sizeof code[0], .filter = code };

	if (argc < 2) {
		fprintf(stderr, "usage: no_ring CMD ARGS...\n");
		return 2;
	}
	/* Without no_new_privs an unprivileged process may not install a filter. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
		perror("no_ring: seccomp");
		return 2;
	}
	execvp(argv[1], argv + 1);
	perror("no_ring: exec");
	return 127;
}
