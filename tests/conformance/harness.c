/* SPDX-License-Identifier: MIT */
/*
 * harness.c - runs each conformance test body as a task and reports.
 *
 * Failures are recorded from any task or thread (first one wins, the rest are
 * counted) and raised with cmocka's fail_msg on the main thread once
 * async_std_block_on has returned.  A watchdog thread aborts the process if a
 * test outlives its safety deadline by far, so a runtime that ignores
 * deadlines makes the suite fail rather than hang.
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conformance.h"

char ct_fail_marker;
static void host_init(void);
/* The safety deadline only ends a test that hangs, so it is generous: a slow
 * or loaded machine must never meet it.  Sanitizers and valgrind make every
 * step many times slower (valgrind also runs one thread at a time). */
#if defined(AS_VALGRIND)
#define DEFAULT_DEADLINE_S 1200
#elif defined(AS_TSAN)
#define DEFAULT_DEADLINE_S 600
#elif defined(AS_ASAN)
#define DEFAULT_DEADLINE_S 360
#else
#define DEFAULT_DEADLINE_S 120
#endif
int64_t ct_deadline_ns = DEFAULT_DEADLINE_S * CT_SEC;
_Atomic int64_t ct_body_deadline = -1;

static pthread_mutex_t record_lock = PTHREAD_MUTEX_INITIALIZER;
static int fail_count;
static char fail_text[1024];
static int skip_count;
static char skip_text[512];

static void record(int *count, char *text, size_t cap, const char *file, int line,
		   const char *fmt, va_list ap)
{
	pthread_mutex_lock(&record_lock);
	if ((*count)++ == 0) {
		int n = snprintf(text, cap, "%s:%d: ", file, line);
		if (n > 0 && (size_t)n < cap)
			vsnprintf(text + n, cap - (size_t)n, fmt, ap);
	}
	pthread_mutex_unlock(&record_lock);
}

void ct_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(&fail_count, fail_text, sizeof fail_text, file, line, fmt, ap);
	va_end(ap);
}

void ct_skip(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	record(&skip_count, skip_text, sizeof skip_text, file, line, fmt, ap);
	va_end(ap);
}

const char *ct_errname(int err)
{
	static __thread char buf[32];
	const char *name = err ? strerrorname_np(err) : NULL;
	if (name)
		return name;
	snprintf(buf, sizeof buf, err ? "errno %d" : "0 (no error)", err);
	return buf;
}

/* ---- arena: memory shared with tasks, freed only after a passing test ---- */

struct arena_block {
	struct arena_block *next;
	max_align_t data[];
};
static struct arena_block *arena;
/* Arenas of failed tests: never freed, but kept reachable so that leak
 * checkers do not report them. */
static struct arena_block *graveyard;

void *ct_alloc(size_t n)
{
	struct arena_block *b = calloc(1, sizeof *b + n);
	if (!b) {
		fprintf(stderr, "conformance: out of memory\n");
		abort();
	}
	pthread_mutex_lock(&record_lock);
	b->next = arena;
	arena = b;
	pthread_mutex_unlock(&record_lock);
	return b->data;
}

static void arena_bury(void)
{
	pthread_mutex_lock(&record_lock);
	while (arena) {
		struct arena_block *b = arena;
		arena = b->next;
		b->next = graveyard;
		graveyard = b;
	}
	pthread_mutex_unlock(&record_lock);
}

static void arena_free(void)
{
	pthread_mutex_lock(&record_lock);
	struct arena_block *list = arena;
	arena = NULL;
	pthread_mutex_unlock(&record_lock);
	while (list) {
		struct arena_block *b = list;
		list = b->next;
		free(b);
	}
}

/* ---- watchdog ---------------------------------------------------------- */

static pthread_mutex_t dog_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t dog_cond;
static const char *dog_test;
static struct timespec dog_expiry;

static void *watchdog_main(void *unused)
{
	(void)unused;
	pthread_mutex_lock(&dog_lock);
	for (;;) {
		if (!dog_test) {
			pthread_cond_wait(&dog_cond, &dog_lock);
			continue;
		}
		const char *armed = dog_test;
		struct timespec expiry = dog_expiry;
		int rc = pthread_cond_timedwait(&dog_cond, &dog_lock, &expiry);
		if (rc == ETIMEDOUT && dog_test == armed && dog_expiry.tv_sec == expiry.tv_sec &&
		    dog_expiry.tv_nsec == expiry.tv_nsec) {
			fprintf(stderr,
				"conformance: test %s still running %lld s past its %lld s deadline: "
				"hung (a blocking call ignored its deadline?); aborting\n",
				armed, (long long)(HARNESS_GRACE_S),
				(long long)(ct_deadline_ns / CT_SEC));
			abort();
		}
	}
	return NULL;
}

static void watchdog_arm(const char *test)
{
	pthread_mutex_lock(&dog_lock);
	clock_gettime(CLOCK_MONOTONIC, &dog_expiry);
	dog_expiry.tv_sec += ct_deadline_ns / CT_SEC + HARNESS_GRACE_S;
	dog_test = test;
	pthread_cond_signal(&dog_cond);
	pthread_mutex_unlock(&dog_lock);
}

static void watchdog_disarm(void)
{
	pthread_mutex_lock(&dog_lock);
	dog_test = NULL;
	pthread_cond_signal(&dog_cond);
	pthread_mutex_unlock(&dog_lock);
}

/* ---- signals: give crashes back to the runtime ------------------------- */

/* cmocka installs its own handlers for these around every test (with
 * signal(), which drops SA_ONSTACK/SA_SIGINFO) and longjmps from them, which
 * must never happen on a fiber stack or a worker thread.  Each test therefore
 * reinstalls what the runtime had installed after it started. */
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGSYS };
static struct sigaction runtime_actions[sizeof crash_signals / sizeof crash_signals[0]];

void harness_save_signals(void)
{
	for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
		sigaction(crash_signals[i], NULL, &runtime_actions[i]);
}

static void restore_signals(void)
{
	for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
		sigaction(crash_signals[i], &runtime_actions[i], NULL);
}

void harness_init(void)
{
	const char *s = getenv("CONFORMANCE_DEADLINE");
	if (s && *s) {
		char *end;
		long v = strtol(s, &end, 10);
		if (*end || v < 1 || v > 3600) {
			fprintf(stderr, "conformance: CONFORMANCE_DEADLINE=%s: "
					"expected seconds in 1..3600\n", s);
			exit(2);
		}
		ct_deadline_ns = v * CT_SEC;
	}
	host_init();
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&dog_cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_t dog;
	if (pthread_create(&dog, NULL, watchdog_main, NULL) == 0)
		pthread_detach(dog);
}

/* ---- running a body ---------------------------------------------------- */

struct body_call {
	async_std_fn body;
	void *arg;
};

static void *body_trampoline(void *p)
{
	struct body_call *c = p;
	int64_t deadline = async_std_now() + ct_deadline_ns;
	atomic_store(&ct_body_deadline, deadline);
	int64_t prev = async_std_deadline_push(deadline);
	void *res = c->body(c->arg);
	async_std_deadline_pop(prev);
	return res;
}

/* ---- CT_HOST: bodies as tasks of a second runtime ---------------------- */
/* CT_HOST=gcd runs every body as an item of gcd's global queue, CT_HOST=
 * gcd-serial as items of one serial queue, while the bound runtime (humboldt,
 * default) runs the harness: with LD_PRELOAD="libhumboldt.so libgcd.so",
 * every call of the suite then acts on gcd beside humboldt.  The suite itself
 * is unchanged; it only needs gcd loaded (weak references otherwise). */
typedef struct gcd_queue gcd_queue;
extern async_std_task *gcd_spawn(gcd_queue *q, async_std_fn fn, void *arg) __attribute__((weak));
extern gcd_queue *gcd_global_queue(int qos) __attribute__((weak));
extern gcd_queue *gcd_queue_create(const char *label, unsigned flags) __attribute__((weak));

static gcd_queue *host_queue;

static void host_init(void)
{
	const char *h = getenv("CT_HOST");
	if (!h || !*h)
		return;
	bool serial = strcmp(h, "gcd-serial") == 0;
	if (strcmp(h, "gcd") != 0 && !serial) {
		fprintf(stderr, "conformance: CT_HOST=%s: expected gcd or gcd-serial\n", h);
		exit(2);
	}
	if (!gcd_spawn || !gcd_global_queue || !gcd_queue_create) {
		fprintf(stderr, "conformance: CT_HOST=%s needs gcd loaded "
				"(LD_PRELOAD=\"libhumboldt.so libgcd.so\")\n", h);
		exit(2);
	}
	host_queue = serial ? gcd_queue_create("conformance", 0u) : gcd_global_queue(0);
	if (!host_queue) {
		perror("conformance: gcd_queue_create");
		exit(2);
	}
}

static void *body_trampoline(void *p);

/* A task of the bound runtime: hands the body to gcd and waits for it. */
static void *host_trampoline(void *p)
{
	async_std_task *t = gcd_spawn(host_queue, body_trampoline, p);
	if (!t)
		return CT_FAIL;
	void *res = CT_FAIL;
	if (async_std_join(t, &res) != 0)
		return CT_FAIL;
	return res;
}

void harness_run(const char *name, async_std_fn body, void *arg)
{
	struct body_call call = { body, arg };
	void *res = &call; /* neither NULL nor CT_FAIL until the body returns */

	restore_signals();
	pthread_mutex_lock(&record_lock);
	fail_count = skip_count = 0;
	fail_text[0] = skip_text[0] = '\0';
	pthread_mutex_unlock(&record_lock);

	watchdog_arm(name);
	errno = 0;
	int rc = async_std_block_on(host_queue ? host_trampoline : body_trampoline, &call, &res);
	int err = errno;
	watchdog_disarm();

	pthread_mutex_lock(&record_lock);
	int nfail = fail_count, nskip = skip_count;
	pthread_mutex_unlock(&record_lock);
	if (nfail) {
		/* Tasks of a failed test may still use its memory. */
		arena_bury();
		if (nfail > 1)
			fail_msg("%s (and %d more failed checks)", fail_text, nfail - 1);
		fail_msg("%s", fail_text);
	}
	if (rc != 0) {
		arena_bury();
		fail_msg("async_std_block_on(test body) returned %d, errno %s", rc,
			 ct_errname(err));
	}
	if (res != NULL) {
		arena_bury();
		fail_msg("test body returned %p without recording a failure", res);
	}
	arena_free();
	if (nskip) {
		print_message("[  SKIP    ] %s\n", skip_text);
		skip();
	}
}

/* ---- helpers ------------------------------------------------------------ */

int ct_wait_flag(atomic_int *flag, int value)
{
	while (atomic_load(flag) < value)
		if (async_std_sleep(CT_MS) != 0)
			return -1;
	return 0;
}

void ct_let_block(void)
{
	int saved = errno;
	async_std_sleep(20 * CT_MS);
	errno = saved;
}

int ct_socketpair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv);
}

void ct_close(int fd)
{
	if (fd >= 0 && async_std_close(fd) != 0 && errno != EBADF)
		close(fd);
}

int ct_closed_fd(void)
{
	int fd = async_std_socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -1;
	/* Far above the fds anyone opens meanwhile, so it stays closed. */
	int high = fcntl(fd, F_DUPFD_CLOEXEC, 700);
	ct_close(fd);
	if (high < 0)
		return -1;
	if (async_std_close(high) != 0)
		close(high);
	return high;
}

int ct_fill_sendbuf(int fd)
{
	int small = 4096;
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
	static const char junk[4096];
	for (long i = 0; i < 1000000; i++) {
		if (send(fd, junk, sizeof junk, MSG_DONTWAIT) < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	}
	errno = ENOBUFS;
	return -1;
}

int ct_is_nonblocking_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL), fd_fl = fcntl(fd, F_GETFD);
	return fl >= 0 && fd_fl >= 0 && (fl & O_NONBLOCK) && (fd_fl & FD_CLOEXEC);
}

void *ct_tcp_pair_open(struct ct_tcp_pair *p)
{
	p->lfd = p->client = p->server = -1;
	CHECK_OK(p->lfd = async_std_tcp_listen("127.0.0.1", 0, 16));
	int port = ct_local_port(p->lfd);
	CHECK_INT(port, >, 0);
	CHECK_OK(p->client = async_std_tcp_connect("127.0.0.1", port));
	CHECK_OK(p->server = async_std_accept(p->lfd, NULL, NULL));
	return NULL;
}

void ct_tcp_pair_close(struct ct_tcp_pair *p)
{
	ct_close(p->client);
	ct_close(p->server);
	ct_close(p->lfd);
}

int ct_local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return -1;
}

int ct_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n) {
		ssize_t r = async_std_write(fd, p, n);
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = EIO;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

int ct_read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	while (n) {
		ssize_t r = async_std_read(fd, p, n);
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = ENODATA; /* early EOF */
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

struct plain_thread {
	void *(*fn)(void *);
	void *arg;
	void *res;
	int with_deadline;
	atomic_int done;
};

static void *plain_thread_main(void *p)
{
	struct plain_thread *t = p;
	int64_t prev = -1;
	if (t->with_deadline)
		prev = async_std_deadline_push(async_std_now() + ct_deadline_ns);
	t->res = t->fn(t->arg);
	if (t->with_deadline)
		async_std_deadline_pop(prev);
	atomic_store(&t->done, 1);
	return NULL;
}

void *ct_in_plain_thread_ex(void *(*fn)(void *), void *arg, int with_deadline)
{
	struct plain_thread *t = ct_alloc(sizeof *t);
	t->fn = fn;
	t->arg = arg;
	t->with_deadline = with_deadline;
	pthread_t tid;
	int rc = pthread_create(&tid, NULL, plain_thread_main, t);
	CHECK_MSG(rc == 0, "pthread_create: %s", ct_errname(rc));
	/* Polling, not pthread_join: a task must not block its worker, and the
	 * plain thread may need this very worker to make progress. */
	if (ct_wait_flag(&t->done, 1) != 0) {
		int e = errno;
		pthread_detach(tid);
		CHECK_MSG(0, "plain thread did not finish: waiting gave %s", ct_errname(e));
	}
	pthread_join(tid, NULL);
	return t->res;
}

void *ct_in_plain_thread(void *(*fn)(void *), void *arg)
{
	return ct_in_plain_thread_ex(fn, arg, 1);
}
