/* SPDX-License-Identifier: MIT */
/*
 * dump.c - async_std_task_dump: what a dump says about each task (name,
 * state, wait reason), merging, its flags and its errors.  A dump is a
 * snapshot taken while tasks move, so tests that wait for tasks to park
 * re-take it until it shows what they expect, within the safety deadline.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <valgrind/valgrind.h>

#include "conformance.h"

/* ---- reading a dump ------------------------------------------------------ */
/* The dump of every task, NUL-terminated (malloc'd), or NULL. */
static char *take_dump(unsigned flags, int *ntasks)
{
	int fd = memfd_create("dump", MFD_CLOEXEC);
	if (fd < 0)
		return NULL;
	*ntasks = async_std_task_dump(fd, flags);
	off_t len = lseek(fd, 0, SEEK_END);
	char *out = *ntasks >= 0 && len >= 0 ? malloc((size_t)len + 1) : NULL;
	if (out && pread(fd, out, (size_t)len, 0) != len) {
		free(out);
		out = NULL;
	}
	if (out)
		out[len] = '\0';
	close(fd);
	return out;
}

/* Tasks in entries whose header names `name` (NULL: unnamed) and contains
 * `state` ("waiting in recv", "runnable", ...). */
static long count_tasks(const char *dump, const char *name, const char *state)
{
	long total = 0;
	char want_name[64];
	snprintf(want_name, sizeof(want_name), " \"%s\": ", name ? name : "");
	for (const char *l = dump; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL) {
		char *end;
		long n = strtol(l, &end, 10);
		if (end == l || strncmp(end, " task", 5) != 0)
			continue;
		const char *eol = strchr(l, '\n');
		size_t len = eol ? (size_t)(eol - l) : strlen(l);
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)len, l);
		bool named = name ? strstr(line, want_name) != NULL : strchr(line, '"') == NULL;
		if (named && strstr(line, state))
			total += n;
	}
	return total;
}

/* Dumps until `want` tasks named `name` are in `state` (they park at their
 * own pace), giving up shortly before the test's safety deadline; returns
 * the last dump (malloc'd) or NULL. */
static char *dump_until(const char *name, const char *state, long want)
{
	char *d = NULL;
	int n;
	int64_t give_up = atomic_load(&ct_body_deadline) - 2 * CT_SEC;
	for (;;) {
		free(d);
		d = take_dump(0, &n);
		if (!d || count_tasks(d, name, state) == want || async_std_now() >= give_up)
			break;
		async_std_sleep(10 * CT_MS);
	}
	return d;
}

/* ---- tasks that wait on purpose --------------------------------------------- */
struct waits {
	int sv[2];
	async_std_chan *chan;
	async_std_mutex *mutex;
	async_std_sem *sem;
	async_std_task *sleeper;
};

static void *wait_sleep(void *arg)
{
	(void)arg;
	async_std_sleep(CT_FOREVER_NS);
	return NULL;
}

static void *wait_recv(void *arg)
{
	struct waits *w = arg;
	char c;
	async_std_recv(w->sv[0], &c, 1, 0);
	return NULL;
}

static void *wait_chan(void *arg)
{
	struct waits *w = arg;
	int v;
	async_std_chan_recv(w->chan, &v);
	return NULL;
}

static void *wait_mutex(void *arg)
{
	struct waits *w = arg;
	if (async_std_mutex_lock(w->mutex) == 0)
		async_std_mutex_unlock(w->mutex);
	return NULL;
}

static void *wait_sem(void *arg)
{
	struct waits *w = arg;
	async_std_sem_acquire(w->sem);
	return NULL;
}

static void *wait_join(void *arg)
{
	struct waits *w = arg;
	async_std_join(w->sleeper, NULL);
	return NULL;
}

static const struct kind {
	const char *name, *reason;
	async_std_fn fn;
	int count;
} kinds[] = {
	{ "sleeper", "sleep", wait_sleep, 2000 },
	{ "reader", "recv", wait_recv, 2000 },
	{ "chan", "chan_recv", wait_chan, 2000 },
	{ "locker", "mutex_lock", wait_mutex, 2000 },
	{ "sem", "sem_acquire", wait_sem, 1999 },
	{ "joiner", "join", wait_join, 1 },
};

static async_std_task *spawn_named(const char *name, async_std_fn fn, void *arg)
{
	async_std_spawn_attr a = { .size = sizeof(a), .name = name };
	return async_std_spawn_ex(fn, arg, &a);
}

/* TSan counts each fiber as a thread and dies past 8128; valgrind runs on
 * one core: a tenth of the tasks there. */
static int scale(void)
{
#ifdef __SANITIZE_THREAD__
	return 10;
#endif
	return RUNNING_ON_VALGRIND ? 10 : 1;
}

static int count_of(const struct kind *k)
{
	return k->count > 1 ? k->count / scale() : k->count;
}

static bool dump_shows_every_kind(const char *dump, int total, int expected)
{
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		char state[64];
		snprintf(state, sizeof(state), "waiting in %s", kinds[k].reason);
		if (count_tasks(dump, kinds[k].name, state) != count_of(&kinds[k]))
			return false;
	}
	return count_tasks(dump, "target", "waiting in sleep") == 1 && total >= expected;
}

CT_TEST(a_dump_of_ten_thousand_tasks_names_each_wait_reason_and_task_name)
{
	struct waits w;
	CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, w.sv));
	w.chan = async_std_chan_create(sizeof(int), 1);
	w.mutex = async_std_mutex_create();
	w.sem = async_std_sem_create(0);
	CHECK(w.chan && w.mutex && w.sem);
	CHECK_OK(async_std_mutex_lock(w.mutex));
	w.sleeper = spawn_named("target", wait_sleep, NULL);
	CHECK(w.sleeper);

	size_t n = 0, cap = 10000;
	async_std_task **tasks = ct_alloc(cap * sizeof(*tasks));
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		for (int i = 0; i < count_of(&kinds[k]); i++) {
			tasks[n] = spawn_named(kinds[k].name, kinds[k].fn, &w);
			CHECK(tasks[n]);
			n++;
		}

	char *dump = NULL;
	int total = 0;
	bool ok = false;
	int64_t give_up = atomic_load(&ct_body_deadline) - 2 * CT_SEC;
	while (!ok && async_std_now() < give_up) {
		free(dump);
		dump = take_dump(0, &total);
		CHECK(dump);
		ok = dump_shows_every_kind(dump, total, (int)n + 1);
		if (!ok)
			async_std_sleep(10 * CT_MS);
	}
	CHECK(dump);
	/* Ours, who waits in the dump itself, is in it too. */
	bool self_seen = strstr(dump, "waiting in task_dump") != NULL;
	char head[2048];
	snprintf(head, sizeof(head), "%s", dump);
	free(dump);

	for (size_t i = 0; i < n; i++)
		async_std_cancel(tasks[i]);
	async_std_mutex_unlock(w.mutex);
	for (size_t i = 0; i < n; i++)
		CHECK_OK(async_std_join(tasks[i], NULL));
	async_std_cancel(w.sleeper);
	CHECK_OK(async_std_join(w.sleeper, NULL));
	async_std_chan_destroy(w.chan);
	async_std_mutex_destroy(w.mutex);
	async_std_sem_destroy(w.sem);
	close(w.sv[0]);
	close(w.sv[1]);
	CHECK_MSG(ok, "the dump never showed every task as expected; it began:\n%s", head);
	CHECK(self_seen);
	return NULL;
}

CT_TEST(identical_tasks_merge_into_one_entry_and_each_flag_splits_them)
{
	async_std_task *t[5];
	for (int i = 0; i < 5; i++)
		CHECK(t[i] = spawn_named("five", wait_sleep, NULL));
	int n;
	char *merged = dump_until("five", "waiting in sleep", 5);
	CHECK(merged);
	char *each = take_dump(ASYNC_STD_DUMP_EACH, &n);
	for (int i = 0; i < 5; i++)
		async_std_cancel(t[i]);
	for (int i = 0; i < 5; i++)
		async_std_join(t[i], NULL);
	CHECK(each);
	bool merged_ok = strstr(merged, "5 tasks \"five\": waiting in sleep") != NULL;
	long singles = count_tasks(each, "five", "waiting in sleep");
	bool no_group = strstr(each, "5 tasks \"five\"") == NULL;
	free(merged);
	free(each);
	CHECK(merged_ok);
	CHECK_INT(singles, ==, 5);
	CHECK(no_group);
	return NULL;
}

CT_TEST(a_dump_names_the_functions_on_each_stack)
{
	async_std_task *t = spawn_named("fn", wait_sleep, NULL);
	CHECK(t);
	int n;
	char *fp = dump_until("fn", "waiting in sleep", 1);
	CHECK(fp);
	char *dwarf = take_dump(ASYNC_STD_DUMP_DWARF, &n);
	char *raw = take_dump(ASYNC_STD_DUMP_RAW, &n);
	async_std_cancel(t);
	async_std_join(t, NULL);
	CHECK(dwarf && raw);
	/* wait_sleep is static: named only through the symbol table. */
	bool in_fp = strstr(fp, " wait_sleep+0x") != NULL;
	bool in_dwarf = strstr(dwarf, " wait_sleep+0x") != NULL;
	bool raw_plain = strstr(raw, "+0x") == NULL && strstr(raw, "    #0  0x") != NULL;
	free(fp);
	free(dwarf);
	free(raw);
	CHECK_MSG(in_fp, "frame-pointer backtrace does not name wait_sleep");
	CHECK_MSG(in_dwarf, "libunwind backtrace does not name wait_sleep");
	CHECK_MSG(raw_plain, "ASYNC_STD_DUMP_RAW printed symbols");
	return NULL;
}

static void *finish_at_once(void *arg)
{
	atomic_store((_Atomic int *)arg, 1);
	return NULL;
}

CT_TEST(a_finished_task_not_yet_joined_is_listed_as_such)
{
	_Atomic int done = 0;
	async_std_task *t = spawn_named("over", finish_at_once, &done);
	CHECK(t);
	char *d = dump_until("over", "finished, not joined", 1);
	CHECK(d);
	long listed = count_tasks(d, "over", "finished, not joined");
	free(d);
	CHECK_OK(async_std_join(t, NULL));
	CHECK_INT(listed, ==, 1);
	return NULL;
}

/* Holds its worker in bursts longer than a dump waits for a worker (1 s),
 * yielding in between so that, on a single worker, the test gets to run.
 * A dump asked for within (burst - 1 s) of a burst's start finds the worker
 * busy; each burst is twice as long as the one before, so however slow the
 * machine is at asking again after a dump that caught a yield, a later try
 * lands in time. */
static void *spin_unyielding(void *arg)
{
	_Atomic int *stop = arg;
	int64_t burst = 1200 * CT_MS;
	while (!atomic_load(stop)) {
		int64_t end = async_std_now() + burst;
		while (!atomic_load(stop) && async_std_now() < end)
			;
		async_std_yield();
		if (burst < 32 * CT_SEC)
			burst *= 2;
	}
	return NULL;
}

CT_TEST(a_worker_that_never_switches_is_named_and_the_dump_still_returns)
{
	_Atomic int stop = 0;
	async_std_task *t = spawn_named("spinner", spin_unyielding, &stop);
	CHECK(t);
	int n;
	char *d = NULL;
	/* Until a dump is asked for while the spinner holds its worker (on a
	 * single worker, the dump may instead get it between two bursts). */
	for (int tries = 0; tries < 6; tries++) {
		free(d);
		d = take_dump(0, &n);
		CHECK(d);
		if (strstr(d, "did not pause"))
			break;
	}
	atomic_store(&stop, 1);
	CHECK_OK(async_std_join(t, NULL));
	bool named = strstr(d, "did not pause") != NULL &&
		     count_tasks(d, "spinner", "did not pause") == 1;
	/* The workers line names the task that holds the worker, too. */
	bool holder = strstr(d, "\"spinner\" runs without blocking or yielding") != NULL;
	free(d);
	CHECK(named);
	CHECK_MSG(holder, "the worker that did not pause is not blamed on the spinner");
	return NULL;
}

/* ---- a merged entry names every worker of its tasks ------------------------ */
struct spread {
	pthread_t thread[8];
	async_std_task *task[8];
	atomic_int parked;
};

struct spread_one {
	struct spread *sp;
	int i;
};

static void *spread_sleep(void *arg)
{
	struct spread_one *o = arg;
	o->sp->thread[o->i] = pthread_self();
	atomic_fetch_add(&o->sp->parked, 1);
	async_std_sleep(CT_FOREVER_NS);
	return NULL;
}

/* From a plain thread, LOCAL spawns go to the workers in turn. */
static void *spawn_spread(void *arg)
{
	struct spread *sp = arg;
	async_std_spawn_attr a = { .size = sizeof a, .name = "spread",
				   .flags = ASYNC_STD_SPAWN_LOCAL };
	for (int i = 0; i < 8; i++) {
		struct spread_one *o = ct_alloc(sizeof *o);
		o->sp = sp;
		o->i = i;
		sp->task[i] = async_std_spawn_ex(spread_sleep, o, &a);
		CHECK(sp->task[i] != NULL);
	}
	return NULL;
}

CT_TEST(a_merged_entry_names_the_workers_of_all_its_tasks)
{
	struct spread *sp = ct_alloc(sizeof *sp);
	if (ct_in_plain_thread(spawn_spread, sp))
		return CT_FAIL;
	CHECK_OK(ct_wait_flag(&sp->parked, 8));
	int workers = 1;
	for (int i = 1; i < 8; i++) {
		bool seen = false;
		for (int j = 0; j < i; j++)
			seen = seen || pthread_equal(sp->thread[i], sp->thread[j]);
		workers += !seen;
	}
	char *d = dump_until("spread", "waiting in sleep", 8);
	CHECK(d);
	const char *entry = strstr(d, "8 tasks \"spread\"");
	const char *ids = entry ? strstr(entry, "\n  ids ") : NULL;
	const char *eol = ids ? strchr(ids + 1, '\n') : NULL;
	char line[256] = "";
	if (ids && eol)
		snprintf(line, sizeof line, "%.*s", (int)(eol - ids - 1), ids + 1);
	free(d);
	for (int i = 0; i < 8; i++) {
		CHECK_OK(async_std_cancel(sp->task[i]));
		CHECK_OK(async_std_join(sp->task[i], NULL));
	}
	CHECK_MSG(line[0], "no merged entry of the 8 tasks");
	printf("  (%s)\n", line);
	if (workers == 1)
		CHECK_MSG(strstr(line, "; worker ") != NULL, "one worker, but: %s", line);
	else
		CHECK_MSG(strstr(line, "; workers ") != NULL,
			  "the tasks are on %d workers, but the entry says: %s", workers, line);
	return NULL;
}

CT_TEST(task_dump_with_unknown_flags_fails_with_EINVAL)
{
	CHECK_ERRNO(async_std_task_dump(STDERR_FILENO, 0x100), EINVAL);
	return NULL;
}

CT_TEST(task_dump_to_a_closed_fd_fails_with_EBADF)
{
	int fd = dup(STDERR_FILENO);
	CHECK_OK(fd);
	close(fd);
	CHECK_ERRNO(async_std_task_dump(fd, 0), EBADF);
	CHECK_ERRNO(async_std_task_dump(-1, 0), EBADF);
	return NULL;
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(a_dump_of_ten_thousand_tasks_names_each_wait_reason_and_task_name),
	cmocka_unit_test(identical_tasks_merge_into_one_entry_and_each_flag_splits_them),
	cmocka_unit_test(a_dump_names_the_functions_on_each_stack),
	cmocka_unit_test(a_finished_task_not_yet_joined_is_listed_as_such),
	cmocka_unit_test(a_worker_that_never_switches_is_named_and_the_dump_still_returns),
	cmocka_unit_test(a_merged_entry_names_the_workers_of_all_its_tasks),
	cmocka_unit_test(task_dump_with_unknown_flags_fails_with_EINVAL),
	cmocka_unit_test(task_dump_to_a_closed_fd_fails_with_EBADF),
};
CT_GROUP(ct_dump_group, "dump", tests);
