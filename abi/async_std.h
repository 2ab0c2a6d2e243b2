/* SPDX-License-Identifier: MIT */
/*
 * async_std.h - the one public header of the async_std ABI, version 1.
 *
 * A program written against this header links against the abi stub
 * (libasync_std.so.1), whose weak symbols carry the default runtime.  Which
 * runtime serves the calls is decided by the linker: LD_PRELOAD a runtime
 * (e.g. libhumboldt.so) or link one statically, and every call binds to it.
 *
 * Conventions (the whole ABI follows them):
 *  - A call that fails returns -1 (or NULL) and sets errno, like the POSIX
 *    call it mirrors.
 *  - Blocking calls suspend the calling task, never its worker thread.  Called
 *    from a thread that runs no task (a "plain thread"), they block that
 *    thread, still honouring that thread's deadline.
 *  - Times are int64_t nanoseconds on CLOCK_MONOTONIC.  A deadline is an
 *    absolute time; a negative deadline means "none".
 *  - A blocking call fails with ETIMEDOUT once the calling task's deadline has
 *    passed and with ECANCELED once the task has been cancelled.
 *    Cancellation is sticky: every later blocking call fails too.
 *  - Structs that may grow start with `size_t size`; set it to sizeof.
 *  - Every symbol is versioned in the node of the ABI version that added it
 *    (ASYNC_STD_1.0 for all of ABI 1.0); the private list abi/abi_list.h
 *    names each function's node, and the build derives the version script
 *    and the library's soname from it and from the version below.
 */
#ifndef ASYNC_STD_H
#define ASYNC_STD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netdb.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ASYNC_STD_ABI_MAJOR 1
#define ASYNC_STD_ABI_MINOR 1
/* (major << 16) | minor, as returned by async_std_abi_version(). */
#define ASYNC_STD_ABI_VERSION ((ASYNC_STD_ABI_MAJOR << 16) | ASYNC_STD_ABI_MINOR)

/* A task handle.  It is a value, not a pointer to dereference: it encodes a
 * slot and a generation, so a handle that outlived its task (joined or
 * detached and finished) is recognised and refused with EINVAL. */
typedef struct async_std_task async_std_task;

/* The body of a task. */
typedef void *(*async_std_fn)(void *arg);

/* ------------------------------------------------------------------ */
/* Identity                                                            */
/* ------------------------------------------------------------------ */

struct async_std_ops;

/* Name of the runtime bound to this process ("default", "humboldt", ...).
 * Never fails; the string is static. */
const char *async_std_runtime_name(void);

/* ABI version the bound runtime implements, (major << 16) | minor. */
uint32_t async_std_abi_version(void);

/* The current runtime's function table, for programs that want dynamic
 * dispatch on purpose.  Never NULL; the table is static.
 *
 * Several runtimes can share a process (humboldt and gcd, say): every call
 * acts on the runtime that runs the calling task, its "current runtime"; on
 * a plain thread (and a blocking-pool thread) that is the bound runtime.
 * Task handles, mutexes, conds, semaphores, channels and groups work across
 * runtimes. */
const struct async_std_ops *async_std_runtime_ops(void);

/* ASYNC_STD_1.1: the function table of a runtime of this process by name
 * ("humboldt", "gcd", "default"): the current one, or one that has started
 * (its first spawn starts it).  NULL with EINVAL (name is NULL) or ENOENT.
 * Its spawn, join, detach, cancel, task_id, now, sleep and sync calls work
 * from any thread; its I/O calls, made from a task of another runtime,
 * would block that task's worker: use the async_std_* calls for I/O. */
const struct async_std_ops *async_std_runtime_find(const char *name);

/* ------------------------------------------------------------------ */
/* Entry                                                               */
/* ------------------------------------------------------------------ */

/* Runs fn(arg) as a task and waits for it: spawn + join from a plain thread
 * (the first call starts the runtime's workers).  Called from a task, it
 * spawns and joins without blocking the worker.  Stores fn's return value in
 * *result when result is not NULL.
 * Returns 0, or -1 with errno EINVAL (fn is NULL), ENOMEM/EAGAIN (no memory
 * or threads for the task), ETIMEDOUT (the caller's deadline, pushed on a
 * task or a plain thread) or, from a task, ECANCELED; the task is then
 * cancelled and detached. */
int async_std_block_on(async_std_fn fn, void *arg, void **result);

/* Define this instead of main() and the library supplies main(): it starts
 * the runtime, runs async_main as the first task and exits with its return
 * value. */
int async_main(int argc, char **argv);

/* ------------------------------------------------------------------ */
/* Tasks                                                               */
/* ------------------------------------------------------------------ */

/* Never stolen by another worker: runs on the worker that spawned it (or,
 * spawned from a plain thread, on one chosen round-robin). */
#define ASYNC_STD_SPAWN_LOCAL 0x1u

typedef struct async_std_spawn_attr {
	size_t size;        /* sizeof(async_std_spawn_attr); fields past it are ignored */
	const char *name;   /* copied (up to 31 bytes); NULL for none */
	size_t stack_size;  /* 0: ASYNC_STD_STACK_SIZE; at least 16 KiB */
	void *stack;        /* caller-provided stack (no guard page), or NULL */
	unsigned flags;     /* ASYNC_STD_SPAWN_* */
	unsigned reserved0;
	uint64_t reserved[4]; /* zero */
} async_std_spawn_attr;

/* Creates a task that runs fn(arg).  It does not block.  Returns its handle,
 * or NULL with errno EINVAL (fn NULL), ENOMEM (no memory for the task or its
 * stack) or EAGAIN (the runtime could not start its workers). */
async_std_task *async_std_spawn(async_std_fn fn, void *arg);

/* As async_std_spawn with attributes (attr may be NULL).  Extra errno:
 * EINVAL for attr->size smaller than the first version of the struct, an
 * unknown flag, or a stack_size below 16 KiB. */
async_std_task *async_std_spawn_ex(async_std_fn fn, void *arg,
				   const async_std_spawn_attr *attr);

/* Waits until task t has finished and releases it; stores its return value
 * in *result when result is not NULL.  Blocks.  Returns 0, or -1 with errno
 * EINVAL (t is NULL, detached, already joined or being joined: a stale
 * handle), EDEADLK (t is the calling task), ETIMEDOUT or ECANCELED (the
 * caller's deadline or cancellation; t stays joinable). */
int async_std_join(async_std_task *t, void **result);

/* Lets task t release itself when it finishes; t must not be used again.
 * Returns 0, or -1 with EINVAL (NULL, stale, or already detached/joined). */
int async_std_detach(async_std_task *t);

/* Cancels task t: its current and every later blocking call fails with
 * ECANCELED.  Does not block and does not wait for t.  Cancelling a task
 * that has finished but is not yet joined is a no-op.  Returns 0, or -1 with
 * EINVAL (NULL or stale handle). */
int async_std_cancel(async_std_task *t);

/* Lets other runnable tasks of this worker run first.  Returns 0; on a plain
 * thread it calls sched_yield(). */
int async_std_yield(void);

/* The calling task's handle, or NULL on a plain thread. */
async_std_task *async_std_self(void);

/* A task's id: unique for the life of the process, never 0.  Returns 0 with
 * EINVAL for a NULL or stale handle. */
uint64_t async_std_task_id(async_std_task *t);

/* ------------------------------------------------------------------ */
/* Time                                                                */
/* ------------------------------------------------------------------ */

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t async_std_now(void);

/* Sleeps ns nanoseconds (0 lets timers and other tasks run).  Returns 0, or
 * -1 with EINVAL (ns < 0), ETIMEDOUT (the deadline comes first; the call
 * returns at the deadline), ECANCELED. */
int async_std_sleep(int64_t ns);

/* Sleeps until async_std_now() >= deadline.  Same errors as sleep; a
 * deadline in the past returns 0 at once (EINVAL if negative). */
int async_std_sleep_until(int64_t deadline);

/* Narrows the calling task's (or plain thread's) deadline to the earlier of
 * the current one and `deadline` (negative: no change) and returns the
 * previous deadline (-1: none), to be given to async_std_deadline_pop.
 * Nested deadlines can therefore never extend an outer one. */
int64_t async_std_deadline_push(int64_t deadline);

/* Restores the deadline that async_std_deadline_push returned. */
void async_std_deadline_pop(int64_t previous);

/* ------------------------------------------------------------------ */
/* I/O: POSIX-shaped; each suspends the task until the fd is ready     */
/* ------------------------------------------------------------------ */
/*
 * Errors are those of the POSIX call (EBADF for a bad fd, ...), plus
 * ETIMEDOUT and ECANCELED.  No call returns EAGAIN because an fd is not
 * ready: it waits instead, without blocking its worker, whatever the fd's
 * flags; a MSG_DONTWAIT the caller passes means one try (EAGAIN), as in
 * recv(2).  Sockets made by async_std_socket/accept/tcp_listen/tcp_connect are
 * non-blocking and close-on-exec.  The flags of an fd the application passes
 * in are left as they are, except that async_std_accept and async_std_connect
 * set O_NONBLOCK on a socket (Linux has no per-call form); README, "File
 * status flags", has the details.
 */

/* socket(2); SOCK_NONBLOCK and SOCK_CLOEXEC are always added. */
int async_std_socket(int domain, int type, int protocol);
int async_std_bind(int fd, const struct sockaddr *addr, socklen_t len);
int async_std_listen(int fd, int backlog);
/* Waits for a connection; the new fd is non-blocking and close-on-exec. */
int async_std_accept(int fd, struct sockaddr *addr, socklen_t *len);
/* Waits for the connection to complete; errors as connect(2) reports them
 * through SO_ERROR (ECONNREFUSED, ...). */
int async_std_connect(int fd, const struct sockaddr *addr, socklen_t len);
ssize_t async_std_read(int fd, void *buf, size_t n);
ssize_t async_std_write(int fd, const void *buf, size_t n);
ssize_t async_std_readv(int fd, const struct iovec *iov, int iovcnt);
ssize_t async_std_writev(int fd, const struct iovec *iov, int iovcnt);
ssize_t async_std_pread(int fd, void *buf, size_t n, off_t off);
ssize_t async_std_pwrite(int fd, const void *buf, size_t n, off_t off);
ssize_t async_std_recv(int fd, void *buf, size_t n, int flags);
ssize_t async_std_send(int fd, const void *buf, size_t n, int flags);
ssize_t async_std_recvfrom(int fd, void *buf, size_t n, int flags,
			   struct sockaddr *addr, socklen_t *len);
ssize_t async_std_sendto(int fd, const void *buf, size_t n, int flags,
			 const struct sockaddr *addr, socklen_t len);
ssize_t async_std_recvmsg(int fd, struct msghdr *msg, int flags);
ssize_t async_std_sendmsg(int fd, const struct msghdr *msg, int flags);
int async_std_shutdown(int fd, int how);
/* Closes fd.  Tasks of this process blocked on fd wake up with EBADF first,
 * so a reused fd number never reaches a stale waiter. */
int async_std_close(int fd);
/* Waits until fd is ready for `events` (POLLIN, POLLOUT, ...) and returns
 * the ready events (> 0), as poll(2) would report them.  For libraries that
 * do their own I/O (OpenSSL, libpq). */
int async_std_poll(int fd, short events);
/* openat(2) and fsync(2) on the runtime's blocking pool or native path. */
int async_std_openat(int dirfd, const char *path, int flags, mode_t mode);
int async_std_fsync(int fd);

/* A listening TCP socket on host (NULL: every address) and port (0: any;
 * find it with getsockname), with SO_REUSEADDR.  Returns the fd, or -1 with
 * errno (EINVAL for a port outside 0..65535, EADDRINUSE, ...; a name that
 * does not resolve gives ENOENT). */
int async_std_tcp_listen(const char *host, int port, int backlog);
/* Resolves host and connects to the first address that accepts.  Returns the
 * fd, or -1 with errno (EINVAL for a port outside 0..65535, ECONNREFUSED,
 * ENOENT for an unknown name, ...). */
int async_std_tcp_connect(const char *host, int port);

/* getaddrinfo(3) on the blocking pool.  Returns 0 or an EAI_* code;
 * EAI_SYSTEM with errno ETIMEDOUT/ECANCELED for deadline and cancellation. */
int async_std_getaddrinfo(const char *node, const char *service,
			  const struct addrinfo *hints, struct addrinfo **res);
void async_std_freeaddrinfo(struct addrinfo *res);

/* Fills buf with n random bytes from the kernel (getrandom(2) with no flags,
 * retried until n bytes came; it blocks the thread only before the kernel's
 * pool is initialised, early at boot).  Returns n, or -1 with errno: EINVAL
 * when n > SSIZE_MAX, EFAULT for a bad buf. */
ssize_t async_std_getrandom(void *buf, size_t n);

/* ------------------------------------------------------------------ */
/* Offload                                                             */
/* ------------------------------------------------------------------ */

/* Runs fn(arg) on a thread of the blocking pool and waits for it, so a task
 * can call code that blocks its thread.  fn may use the caller's stack, so
 * the call always waits for fn to return, even when the task is cancelled or
 * its deadline passes meanwhile (it then still returns 0 and the result).
 * Returns 0, or -1 with EINVAL (fn NULL), ECANCELED/ETIMEDOUT (before fn
 * started; fn did not run) or EAGAIN (no pool thread could be started). */
int async_std_run_blocking(async_std_fn fn, void *arg, void **result);

/* ------------------------------------------------------------------ */
/* Sync: mutexes, condition variables, channels, semaphores, groups     */
/* ------------------------------------------------------------------ */
/*
 * Opaque objects created by the runtime, usable from tasks on any worker and
 * from plain threads (where a wait blocks the thread).  Shared rules:
 *  - Wake-ups are FIFO: waiters are served in the order they started to
 *    wait, and a wake-up is never lost (a waiter whose deadline or
 *    cancellation came first is skipped and the next one served).
 *  - Every wait fails with ETIMEDOUT once the caller's deadline has passed
 *    and with ECANCELED once the task is cancelled.  A call that must wait
 *    checks this on entry too (mutex_lock only when it has to wait).  A
 *    waiter that was served when its deadline passed keeps what it was
 *    served and succeeds.
 *  - A NULL object gives EINVAL.  destroy fails with EBUSY, changing
 *    nothing, while anyone waits on the object (a mutex: also while it is
 *    locked); the object must not be used after a successful destroy.
 */
typedef struct async_std_mutex async_std_mutex;
typedef struct async_std_cond async_std_cond;
typedef struct async_std_chan async_std_chan;
typedef struct async_std_sem async_std_sem;
typedef struct async_std_group async_std_group;

/* A new unlocked mutex, or NULL with ENOMEM. */
async_std_mutex *async_std_mutex_create(void);
/* Locks m, waiting (FIFO) while another task or thread holds it.  It is not
 * recursive.  Unlocking hands m to the first waiter, so a newcomer cannot
 * overtake waiters.  An uncontended lock costs one atomic operation and
 * succeeds even when the task is cancelled or past its deadline.  Returns 0,
 * or -1 with EINVAL, ETIMEDOUT or ECANCELED (m not locked). */
int async_std_mutex_lock(async_std_mutex *m);
/* Locks m if it is free and nobody waits for it.  Returns 0, or -1 with
 * EBUSY (held by someone) or EINVAL.  Never blocks. */
int async_std_mutex_trylock(async_std_mutex *m);
/* Unlocks m (any task or thread may unlock it).  Returns 0, or -1 with
 * EINVAL, or EPERM (m was not locked; one line on stderr). */
int async_std_mutex_unlock(async_std_mutex *m);
/* Frees m.  Returns 0, or -1 with EBUSY (locked or waited on) or EINVAL. */
int async_std_mutex_destroy(async_std_mutex *m);

/* A new condition variable, or NULL with ENOMEM. */
async_std_cond *async_std_cond_create(void);
/* Unlocks m (which the caller holds), waits for a signal or broadcast on c
 * and locks m again.  m is locked again when it returns, also when it fails
 * with ETIMEDOUT or ECANCELED (the relock itself ignores deadline and
 * cancellation).  As with pthread_cond_wait, re-check the predicate in a
 * loop.  Returns 0, or -1 with EINVAL, EPERM (m not locked; m stays
 * unlocked), ETIMEDOUT or ECANCELED. */
int async_std_cond_wait(async_std_cond *c, async_std_mutex *m);
/* Wakes the longest-waiting waiter of c, if any.  Returns 0 (-1/EINVAL). */
int async_std_cond_signal(async_std_cond *c);
/* Wakes every waiter of c.  Returns 0 (-1/EINVAL). */
int async_std_cond_broadcast(async_std_cond *c);
/* Frees c.  Returns 0, or -1 with EBUSY (waited on) or EINVAL. */
int async_std_cond_destroy(async_std_cond *c);

/* A bounded channel of elements of elem_size bytes (0 is allowed: a channel
 * of events) holding up to capacity elements; capacity 0 is a rendezvous: a
 * send completes only when a receiver takes the element.  NULL with EINVAL
 * (elem_size * capacity overflows) or ENOMEM. */
async_std_chan *async_std_chan_create(size_t elem_size, size_t capacity);
/* Copies elem_size bytes from elem into ch, waiting (FIFO) while the buffer
 * is full or, for capacity 0, until a receiver takes it.  Returns 0, or -1
 * with EPIPE (ch is closed, also while waiting: the element was not sent),
 * EINVAL, ETIMEDOUT or ECANCELED (not sent). */
int async_std_chan_send(async_std_chan *ch, const void *elem);
/* Takes the oldest element of ch into elem (elem_size bytes), waiting
 * (FIFO) while ch is empty.  Returns 0, or -1 with EPIPE (ch is closed and
 * empty), EINVAL, ETIMEDOUT or ECANCELED (nothing received). */
int async_std_chan_recv(async_std_chan *ch, void *elem);
/* As send and recv, without waiting: -1 with EAGAIN when they would wait.
 * They do not check deadline or cancellation. */
int async_std_chan_try_send(async_std_chan *ch, const void *elem);
int async_std_chan_try_recv(async_std_chan *ch, void *elem);
/* Closes ch: waiting and later senders fail with EPIPE; receivers get what
 * is buffered, then EPIPE.  Returns 0, or -1 with EPIPE (already closed) or
 * EINVAL. */
int async_std_chan_close(async_std_chan *ch);
/* Frees ch and whatever it still buffers.  Returns 0, or -1 with EBUSY
 * (someone waits on it, in a send, recv or select) or EINVAL. */
int async_std_chan_destroy(async_std_chan *ch);

#define ASYNC_STD_CHAN_SEND 1
#define ASYNC_STD_CHAN_RECV 2

/* One operation of async_std_chan_select. */
typedef struct async_std_chan_op {
	async_std_chan *chan; /* NULL: the entry is ignored (never ready) */
	int op;               /* ASYNC_STD_CHAN_SEND or ASYNC_STD_CHAN_RECV */
	void *elem;           /* what to send, or where to receive */
	int err;              /* out, for the entry performed: 0, or EPIPE when
	                         its channel was closed (nothing sent or received) */
} async_std_chan_op;

/* Waits until one of the n operations can complete, performs exactly that
 * one and returns its index.  An operation on a closed channel counts as
 * ready (a recv once the buffer is drained): select returns its index with
 * ops[i].err = EPIPE.  When several are ready, each is equally likely to be
 * chosen, so no channel starves.  The same channel may appear more than
 * once.  Returns the index, or -1 with EINVAL (ops NULL, n 0 or above 65536,
 * an unknown op, or no entry with a channel), ENOMEM, ETIMEDOUT or ECANCELED
 * (nothing performed). */
int async_std_chan_select(async_std_chan_op *ops, size_t n);

/* A counting semaphore with `value` permits, or NULL with ENOMEM. */
async_std_sem *async_std_sem_create(unsigned value);
/* Takes a permit, waiting (FIFO) while there is none.  Returns 0, or -1 with
 * EINVAL, ETIMEDOUT or ECANCELED. */
int async_std_sem_acquire(async_std_sem *s);
/* Takes a permit if one is free.  Returns 0, or -1 with EAGAIN or EINVAL. */
int async_std_sem_try_acquire(async_std_sem *s);
/* Returns a permit (to the first waiter, if any).  Returns 0, or -1 with
 * EOVERFLOW (UINT_MAX permits already) or EINVAL. */
int async_std_sem_release(async_std_sem *s);
/* Frees s.  Returns 0, or -1 with EBUSY (waited on) or EINVAL. */
int async_std_sem_destroy(async_std_sem *s);

/* A task group: tasks that can be waited for and cancelled together.  A new
 * empty group, or NULL with ENOMEM. */
async_std_group *async_std_group_create(void);
/* Spawns fn(arg) as a member of g (its return value is dropped).  A member
 * spawned while a cancel of g is in progress is cancelled at once.  Does not
 * block.  Returns 0, or -1 with EINVAL (g or fn NULL), ENOMEM or EAGAIN. */
int async_std_group_spawn(async_std_group *g, async_std_fn fn, void *arg);
/* Waits until every member of g has finished (at once if none).  Returns 0,
 * or -1 with EINVAL, EDEADLK (the caller is a member of g), ETIMEDOUT or
 * ECANCELED. */
int async_std_group_wait(async_std_group *g);
/* Cancels every member of g (their blocking calls fail with ECANCELED, from
 * now until the group is empty again) and waits until all have ended.
 * Returns 0, or -1 with EINVAL, ETIMEDOUT or ECANCELED (the members are
 * cancelled but may still be running); a member cancelling its own group
 * cancels itself too, so it gets ECANCELED. */
int async_std_group_cancel(async_std_group *g);
/* Cancels what is left of g, waits until every member has ended (this wait
 * ignores the caller's deadline and cancellation: the members use g) and
 * frees g.  Returns 0, or -1 with EINVAL, EDEADLK (the caller is a member)
 * or EBUSY (someone waits on g: nothing was cancelled). */
int async_std_group_destroy(async_std_group *g);

/* ------------------------------------------------------------------ */
/* Debugging                                                           */
/* ------------------------------------------------------------------ */

/* Flags of async_std_task_dump. */
#define ASYNC_STD_DUMP_RAW 0x1u   /* addresses only: no symbol or line lookup */
#define ASYNC_STD_DUMP_EACH 0x2u  /* one entry per task: do not merge tasks
                                     whose state, wait, name and stack agree */
#define ASYNC_STD_DUMP_DWARF 0x4u /* unwind every task with libunwind (for code
                                     built without frame pointers); slower */

/* Writes every task of the runtime to fd, as text: id, name, state, what it
 * waits for and for how long, and its backtrace (function+offset, file:line
 * when debug information exists).  Tasks whose state, wait reason, name and
 * backtrace agree are merged into one entry with a count, unless
 * ASYNC_STD_DUMP_EACH.  Each worker pauses only while it copies its own
 * tasks' stacks; a worker that does not reach a switch within a second (a
 * task that runs without blocking) is named, and its tasks are listed
 * without backtraces.  Callable from tasks and plain threads.  Returns the
 * number of tasks written, or -1 with EINVAL (unknown flags), EBADF, ENOMEM,
 * or the errno of a failed write. */
int async_std_task_dump(int fd, unsigned flags);

/* ------------------------------------------------------------------ */
/* The function table                                                  */
/* ------------------------------------------------------------------ */

/* One entry per function above, in this order.  New entries are only ever
 * appended; check `size` before using one newer than your header.  (The
 * order is abi/abi_list.h's; the build fails when the two differ.) */
struct async_std_ops {
	size_t size;        /* sizeof the table the runtime was built with */
	const char *runtime; /* same as runtime_name() */
	uint32_t version;   /* same as abi_version() */
	uint32_t reserved0;

	const char *(*runtime_name)(void);
	uint32_t (*abi_version)(void);
	const struct async_std_ops *(*runtime_ops)(void);
	int (*block_on)(async_std_fn, void *, void **);

	async_std_task *(*spawn)(async_std_fn, void *);
	async_std_task *(*spawn_ex)(async_std_fn, void *, const async_std_spawn_attr *);
	int (*join)(async_std_task *, void **);
	int (*detach)(async_std_task *);
	int (*cancel)(async_std_task *);
	int (*yield)(void);
	async_std_task *(*self)(void);
	uint64_t (*task_id)(async_std_task *);

	int64_t (*now)(void);
	int (*sleep)(int64_t);
	int (*sleep_until)(int64_t);
	int64_t (*deadline_push)(int64_t);
	void (*deadline_pop)(int64_t);

	int (*socket)(int, int, int);
	int (*bind)(int, const struct sockaddr *, socklen_t);
	int (*listen)(int, int);
	int (*accept)(int, struct sockaddr *, socklen_t *);
	int (*connect)(int, const struct sockaddr *, socklen_t);
	ssize_t (*read)(int, void *, size_t);
	ssize_t (*write)(int, const void *, size_t);
	ssize_t (*readv)(int, const struct iovec *, int);
	ssize_t (*writev)(int, const struct iovec *, int);
	ssize_t (*pread)(int, void *, size_t, off_t);
	ssize_t (*pwrite)(int, const void *, size_t, off_t);
	ssize_t (*recv)(int, void *, size_t, int);
	ssize_t (*send)(int, const void *, size_t, int);
	ssize_t (*recvfrom)(int, void *, size_t, int, struct sockaddr *, socklen_t *);
	ssize_t (*sendto)(int, const void *, size_t, int, const struct sockaddr *, socklen_t);
	ssize_t (*recvmsg)(int, struct msghdr *, int);
	ssize_t (*sendmsg)(int, const struct msghdr *, int);
	int (*shutdown)(int, int);
	int (*close)(int);
	int (*poll)(int, short);
	int (*openat)(int, const char *, int, mode_t);
	int (*fsync)(int);
	int (*tcp_listen)(const char *, int, int);
	int (*tcp_connect)(const char *, int);
	int (*getaddrinfo)(const char *, const char *, const struct addrinfo *,
			   struct addrinfo **);
	void (*freeaddrinfo)(struct addrinfo *);
	ssize_t (*getrandom)(void *, size_t);

	int (*run_blocking)(async_std_fn, void *, void **);

	async_std_mutex *(*mutex_create)(void);
	int (*mutex_lock)(async_std_mutex *);
	int (*mutex_trylock)(async_std_mutex *);
	int (*mutex_unlock)(async_std_mutex *);
	int (*mutex_destroy)(async_std_mutex *);
	async_std_cond *(*cond_create)(void);
	int (*cond_wait)(async_std_cond *, async_std_mutex *);
	int (*cond_signal)(async_std_cond *);
	int (*cond_broadcast)(async_std_cond *);
	int (*cond_destroy)(async_std_cond *);
	async_std_chan *(*chan_create)(size_t, size_t);
	int (*chan_send)(async_std_chan *, const void *);
	int (*chan_recv)(async_std_chan *, void *);
	int (*chan_try_send)(async_std_chan *, const void *);
	int (*chan_try_recv)(async_std_chan *, void *);
	int (*chan_close)(async_std_chan *);
	int (*chan_destroy)(async_std_chan *);
	int (*chan_select)(async_std_chan_op *, size_t);
	async_std_sem *(*sem_create)(unsigned);
	int (*sem_acquire)(async_std_sem *);
	int (*sem_try_acquire)(async_std_sem *);
	int (*sem_release)(async_std_sem *);
	int (*sem_destroy)(async_std_sem *);
	async_std_group *(*group_create)(void);
	int (*group_spawn)(async_std_group *, async_std_fn, void *);
	int (*group_wait)(async_std_group *);
	int (*group_cancel)(async_std_group *);
	int (*group_destroy)(async_std_group *);
	int (*task_dump)(int, unsigned);
	/* ASYNC_STD_1.1 */
	const struct async_std_ops *(*runtime_find)(const char *);
};

#ifdef __cplusplus
}
#endif

#endif /* ASYNC_STD_H */
