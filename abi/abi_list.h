/* SPDX-License-Identifier: MIT */
/*
 * abi_list.h - every async_std_* function, listed once: the ABI's source of
 * truth.  Private (never installed); the runtimes, the shim and asrt compile
 * it in, tools/abi-map.sh turns it into the linker's version script.
 *
 * X(major, minor, ret, name, params, args): the version node the function
 * appeared in (ASYNC_STD_<major>.<minor>), then its signature.  The order is
 * the order of struct async_std_ops (exports.c asserts it at compile time),
 * so a new version appends its rows, tagged with its node, after the older
 * ones, and raises ASYNC_STD_ABI_MINOR in async_std.h; the map, the exports,
 * the binding check, asrt and tools/abi-check.sh follow from the rows.
 */
#ifndef AS_ABI_LIST_H
#define AS_ABI_LIST_H

#define AS_ABI_FUNCTIONS(X)                                                                     \
	X(1, 0, const char *, runtime_name, (void), ())                                         \
	X(1, 0, uint32_t, abi_version, (void), ())                                              \
	X(1, 0, const struct async_std_ops *, runtime_ops, (void), ())                          \
	X(1, 0, int, block_on, (async_std_fn fn, void *arg, void **res), (fn, arg, res))        \
	X(1, 0, async_std_task *, spawn, (async_std_fn fn, void *arg), (fn, arg))               \
	X(1, 0, async_std_task *, spawn_ex,                                                     \
		(async_std_fn fn, void *arg, const async_std_spawn_attr *attr), (fn, arg, attr)) \
	X(1, 0, int, join, (async_std_task * t, void **res), (t, res))                          \
	X(1, 0, int, detach, (async_std_task * t), (t))                                         \
	X(1, 0, int, cancel, (async_std_task * t), (t))                                         \
	X(1, 0, int, yield, (void), ())                                                         \
	X(1, 0, async_std_task *, self, (void), ())                                             \
	X(1, 0, uint64_t, task_id, (async_std_task * t), (t))                                   \
	X(1, 0, int64_t, now, (void), ())                                                       \
	X(1, 0, int, sleep, (int64_t ns), (ns))                                                 \
	X(1, 0, int, sleep_until, (int64_t deadline), (deadline))                               \
	X(1, 0, int64_t, deadline_push, (int64_t deadline), (deadline))                         \
	X(1, 0, void, deadline_pop, (int64_t previous), (previous))                             \
	X(1, 0, int, socket, (int domain, int type, int proto), (domain, type, proto))          \
	X(1, 0, int, bind, (int fd, const struct sockaddr *a, socklen_t l), (fd, a, l))         \
	X(1, 0, int, listen, (int fd, int backlog), (fd, backlog))                              \
	X(1, 0, int, accept, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))            \
	X(1, 0, int, connect, (int fd, const struct sockaddr *a, socklen_t l), (fd, a, l))      \
	X(1, 0, ssize_t, read, (int fd, void *b, size_t n), (fd, b, n))                         \
	X(1, 0, ssize_t, write, (int fd, const void *b, size_t n), (fd, b, n))                  \
	X(1, 0, ssize_t, readv, (int fd, const struct iovec *v, int c), (fd, v, c))             \
	X(1, 0, ssize_t, writev, (int fd, const struct iovec *v, int c), (fd, v, c))            \
	X(1, 0, ssize_t, pread, (int fd, void *b, size_t n, off_t o), (fd, b, n, o))            \
	X(1, 0, ssize_t, pwrite, (int fd, const void *b, size_t n, off_t o), (fd, b, n, o))     \
	X(1, 0, ssize_t, recv, (int fd, void *b, size_t n, int f), (fd, b, n, f))               \
	X(1, 0, ssize_t, send, (int fd, const void *b, size_t n, int f), (fd, b, n, f))         \
	X(1, 0, ssize_t, recvfrom,                                                              \
		(int fd, void *b, size_t n, int f, struct sockaddr *a, socklen_t *l),           \
		(fd, b, n, f, a, l))                                                            \
	X(1, 0, ssize_t, sendto,                                                                \
		(int fd, const void *b, size_t n, int f, const struct sockaddr *a, socklen_t l), \
		(fd, b, n, f, a, l))                                                            \
	X(1, 0, ssize_t, recvmsg, (int fd, struct msghdr *m, int f), (fd, m, f))                \
	X(1, 0, ssize_t, sendmsg, (int fd, const struct msghdr *m, int f), (fd, m, f))          \
	X(1, 0, int, shutdown, (int fd, int how), (fd, how))                                    \
	X(1, 0, int, close, (int fd), (fd))                                                     \
	X(1, 0, int, poll, (int fd, short events), (fd, events))                                \
	X(1, 0, int, openat, (int dfd, const char *p, int fl, mode_t m), (dfd, p, fl, m))       \
	X(1, 0, int, fsync, (int fd), (fd))                                                     \
	X(1, 0, int, tcp_listen, (const char *host, int port, int backlog), (host, port, backlog)) \
	X(1, 0, int, tcp_connect, (const char *host, int port), (host, port))                   \
	X(1, 0, int, getaddrinfo,                                                               \
		(const char *node, const char *svc, const struct addrinfo *h, struct addrinfo **r), \
		(node, svc, h, r))                                                              \
	X(1, 0, void, freeaddrinfo, (struct addrinfo * r), (r))                                 \
	X(1, 0, ssize_t, getrandom, (void *b, size_t n), (b, n))                                \
	X(1, 0, int, run_blocking, (async_std_fn fn, void *arg, void **res), (fn, arg, res))    \
	X(1, 0, async_std_mutex *, mutex_create, (void), ())                                    \
	X(1, 0, int, mutex_lock, (async_std_mutex * m), (m))                                    \
	X(1, 0, int, mutex_trylock, (async_std_mutex * m), (m))                                 \
	X(1, 0, int, mutex_unlock, (async_std_mutex * m), (m))                                  \
	X(1, 0, int, mutex_destroy, (async_std_mutex * m), (m))                                 \
	X(1, 0, async_std_cond *, cond_create, (void), ())                                      \
	X(1, 0, int, cond_wait, (async_std_cond * c, async_std_mutex *m), (c, m))               \
	X(1, 0, int, cond_signal, (async_std_cond * c), (c))                                    \
	X(1, 0, int, cond_broadcast, (async_std_cond * c), (c))                                 \
	X(1, 0, int, cond_destroy, (async_std_cond * c), (c))                                   \
	X(1, 0, async_std_chan *, chan_create, (size_t esize, size_t cap), (esize, cap))        \
	X(1, 0, int, chan_send, (async_std_chan * ch, const void *e), (ch, e))                  \
	X(1, 0, int, chan_recv, (async_std_chan * ch, void *e), (ch, e))                        \
	X(1, 0, int, chan_try_send, (async_std_chan * ch, const void *e), (ch, e))              \
	X(1, 0, int, chan_try_recv, (async_std_chan * ch, void *e), (ch, e))                    \
	X(1, 0, int, chan_close, (async_std_chan * ch), (ch))                                   \
	X(1, 0, int, chan_destroy, (async_std_chan * ch), (ch))                                 \
	X(1, 0, int, chan_select, (async_std_chan_op * ops, size_t n), (ops, n))                \
	X(1, 0, async_std_sem *, sem_create, (unsigned value), (value))                         \
	X(1, 0, int, sem_acquire, (async_std_sem * s), (s))                                     \
	X(1, 0, int, sem_try_acquire, (async_std_sem * s), (s))                                 \
	X(1, 0, int, sem_release, (async_std_sem * s), (s))                                     \
	X(1, 0, int, sem_destroy, (async_std_sem * s), (s))                                     \
	X(1, 0, async_std_group *, group_create, (void), ())                                    \
	X(1, 0, int, group_spawn, (async_std_group * g, async_std_fn fn, void *arg), (g, fn, arg)) \
	X(1, 0, int, group_wait, (async_std_group * g), (g))                                    \
	X(1, 0, int, group_cancel, (async_std_group * g), (g))                                  \
	X(1, 0, int, group_destroy, (async_std_group * g), (g))                                 \
	X(1, 0, int, task_dump, (int fd, unsigned flags), (fd, flags))                          \
	X(1, 1, const struct async_std_ops *, runtime_find, (const char *name), (name))

/* Each function's position in the list (and in struct async_std_ops), so
 * code that keeps a value per function never depends on the order. */
enum as_abi_index {
#define AS_ABI_INDEX_ENTRY(major, minor, ret, name, params, args) AS_ABI_##name,
	AS_ABI_FUNCTIONS(AS_ABI_INDEX_ENTRY)
#undef AS_ABI_INDEX_ENTRY
	AS_ABI_COUNT
};

/* A row's version node as a string ("ASYNC_STD_1.0") and as a number in
 * async_std_abi_version()'s form ((major << 16) | minor). */
#define AS_ABI_NODE(major, minor) "ASYNC_STD_" #major "." #minor
#define AS_ABI_VERSION_OF(major, minor) (((major) << 16) | (minor))

/* The calls that may suspend the calling task: their export records the
 * call's name, which a task dump shows as the wait reason when the wait
 * itself names none (join and the sync waits name theirs). */
#define AS_ABI_WAITS(X)                                                                  \
	X(block_on) X(join) X(sleep) X(sleep_until) X(accept) X(connect) X(read)        \
	X(write) X(readv) X(writev) X(pread) X(pwrite) X(recv) X(send) X(recvfrom)      \
	X(sendto) X(recvmsg) X(sendmsg) X(close) X(poll) X(openat) X(fsync)             \
	X(tcp_connect) X(getaddrinfo) X(run_blocking) X(mutex_lock) X(cond_wait)        \
	X(chan_send) X(chan_recv) X(chan_select) X(sem_acquire) X(group_wait)           \
	X(group_cancel) X(group_destroy) X(task_dump)

#endif
