/*
 * abi_list.h - every async_std_* function, listed once.
 *
 * X(ret, name, params, args): the exports (exports.c), the function table and
 * the shim's binding check are all generated from this list, so adding a
 * function here is the one step that makes a runtime export it.  The order is
 * the order of struct async_std_ops.  tools/abi-check.sh checks that the
 * header, this list and abi/async_std.map agree.
 */
#ifndef AS_ABI_LIST_H
#define AS_ABI_LIST_H

#define AS_ABI_FUNCTIONS(X)                                                              \
	X(const char *, runtime_name, (void), ())                                        \
	X(uint32_t, abi_version, (void), ())                                             \
	X(const struct async_std_ops *, runtime_ops, (void), ())                         \
	X(int, block_on, (async_std_fn fn, void *arg, void **res), (fn, arg, res))       \
	X(async_std_task *, spawn, (async_std_fn fn, void *arg), (fn, arg))              \
	X(async_std_task *, spawn_ex,                                                    \
	  (async_std_fn fn, void *arg, const async_std_spawn_attr *attr), (fn, arg, attr)) \
	X(int, join, (async_std_task * t, void **res), (t, res))                         \
	X(int, detach, (async_std_task * t), (t))                                        \
	X(int, cancel, (async_std_task * t), (t))                                        \
	X(int, yield, (void), ())                                                        \
	X(async_std_task *, self, (void), ())                                            \
	X(uint64_t, task_id, (async_std_task * t), (t))                                  \
	X(int64_t, now, (void), ())                                                      \
	X(int, sleep, (int64_t ns), (ns))                                                \
	X(int, sleep_until, (int64_t deadline), (deadline))                              \
	X(int64_t, deadline_push, (int64_t deadline), (deadline))                        \
	X(void, deadline_pop, (int64_t previous), (previous))                            \
	X(int, socket, (int domain, int type, int proto), (domain, type, proto))         \
	X(int, bind, (int fd, const struct sockaddr *a, socklen_t l), (fd, a, l))        \
	X(int, listen, (int fd, int backlog), (fd, backlog))                             \
	X(int, accept, (int fd, struct sockaddr *a, socklen_t *l), (fd, a, l))           \
	X(int, connect, (int fd, const struct sockaddr *a, socklen_t l), (fd, a, l))     \
	X(ssize_t, read, (int fd, void *b, size_t n), (fd, b, n))                        \
	X(ssize_t, write, (int fd, const void *b, size_t n), (fd, b, n))                 \
	X(ssize_t, readv, (int fd, const struct iovec *v, int c), (fd, v, c))            \
	X(ssize_t, writev, (int fd, const struct iovec *v, int c), (fd, v, c))           \
	X(ssize_t, pread, (int fd, void *b, size_t n, off_t o), (fd, b, n, o))           \
	X(ssize_t, pwrite, (int fd, const void *b, size_t n, off_t o), (fd, b, n, o))    \
	X(ssize_t, recv, (int fd, void *b, size_t n, int f), (fd, b, n, f))              \
	X(ssize_t, send, (int fd, const void *b, size_t n, int f), (fd, b, n, f))        \
	X(ssize_t, recvfrom,                                                             \
	  (int fd, void *b, size_t n, int f, struct sockaddr *a, socklen_t *l),          \
	  (fd, b, n, f, a, l))                                                           \
	X(ssize_t, sendto,                                                               \
	  (int fd, const void *b, size_t n, int f, const struct sockaddr *a, socklen_t l), \
	  (fd, b, n, f, a, l))                                                           \
	X(ssize_t, recvmsg, (int fd, struct msghdr *m, int f), (fd, m, f))               \
	X(ssize_t, sendmsg, (int fd, const struct msghdr *m, int f), (fd, m, f))         \
	X(int, shutdown, (int fd, int how), (fd, how))                                   \
	X(int, close, (int fd), (fd))                                                    \
	X(int, poll, (int fd, short events), (fd, events))                               \
	X(int, openat, (int dfd, const char *p, int fl, mode_t m), (dfd, p, fl, m))      \
	X(int, fsync, (int fd), (fd))                                                    \
	X(int, tcp_listen, (const char *host, int port, int backlog), (host, port, backlog)) \
	X(int, tcp_connect, (const char *host, int port), (host, port))                  \
	X(int, getaddrinfo,                                                              \
	  (const char *node, const char *svc, const struct addrinfo *h, struct addrinfo **r), \
	  (node, svc, h, r))                                                             \
	X(void, freeaddrinfo, (struct addrinfo * r), (r))                                \
	X(ssize_t, getrandom, (void *b, size_t n), (b, n))                               \
	X(int, run_blocking, (async_std_fn fn, void *arg, void **res), (fn, arg, res))       \
	X(async_std_mutex *, mutex_create, (void), ())                                   \
	X(int, mutex_lock, (async_std_mutex * m), (m))                                   \
	X(int, mutex_trylock, (async_std_mutex * m), (m))                                \
	X(int, mutex_unlock, (async_std_mutex * m), (m))                                 \
	X(int, mutex_destroy, (async_std_mutex * m), (m))                                \
	X(async_std_cond *, cond_create, (void), ())                                     \
	X(int, cond_wait, (async_std_cond * c, async_std_mutex *m), (c, m))              \
	X(int, cond_signal, (async_std_cond * c), (c))                                   \
	X(int, cond_broadcast, (async_std_cond * c), (c))                                \
	X(int, cond_destroy, (async_std_cond * c), (c))                                  \
	X(async_std_chan *, chan_create, (size_t esize, size_t cap), (esize, cap))       \
	X(int, chan_send, (async_std_chan * ch, const void *e), (ch, e))                 \
	X(int, chan_recv, (async_std_chan * ch, void *e), (ch, e))                       \
	X(int, chan_try_send, (async_std_chan * ch, const void *e), (ch, e))             \
	X(int, chan_try_recv, (async_std_chan * ch, void *e), (ch, e))                   \
	X(int, chan_close, (async_std_chan * ch), (ch))                                  \
	X(int, chan_destroy, (async_std_chan * ch), (ch))                                \
	X(int, chan_select, (async_std_chan_op * ops, size_t n), (ops, n))               \
	X(async_std_sem *, sem_create, (unsigned value), (value))                        \
	X(int, sem_acquire, (async_std_sem * s), (s))                                    \
	X(int, sem_try_acquire, (async_std_sem * s), (s))                                \
	X(int, sem_release, (async_std_sem * s), (s))                                    \
	X(int, sem_destroy, (async_std_sem * s), (s))                                    \
	X(async_std_group *, group_create, (void), ())                                   \
	X(int, group_spawn, (async_std_group * g, async_std_fn fn, void *arg), (g, fn, arg)) \
	X(int, group_wait, (async_std_group * g), (g))                                   \
	X(int, group_cancel, (async_std_group * g), (g))                                 \
	X(int, group_destroy, (async_std_group * g), (g))                                \
	X(int, task_dump, (int fd, unsigned flags), (fd, flags))

/* Each function's position in the list (and in struct async_std_ops), so
 * code that keeps a value per function never depends on the order. */
enum as_abi_index {
#define AS_ABI_INDEX_ENTRY(ret, name, params, args) AS_ABI_##name,
	AS_ABI_FUNCTIONS(AS_ABI_INDEX_ENTRY)
#undef AS_ABI_INDEX_ENTRY
	AS_ABI_COUNT
};

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
