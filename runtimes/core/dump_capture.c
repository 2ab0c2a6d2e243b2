/* SPDX-License-Identifier: MIT */
/*
 * dump_capture.c - the part of a task dump that runs on each worker: with
 * every one of its tasks suspended (the worker is in its scheduler loop), it
 * copies their states and backtraces into the dumper's request, which came
 * as a message in its inbox.  Backtraces follow frame pointers from the
 * context the switch saved; when that chain breaks (code built without frame
 * pointers), libunwind unwinds from the saved registers instead, loaded on
 * first need so no program pays for it.
 */
#include <dlfcn.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dump.h"

#if defined(__x86_64__) && __has_include(<libunwind.h>)
#define AS_HAVE_LIBUNWIND 1
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#else
#define AS_HAVE_LIBUNWIND 0
#endif

bool as__dump_set_add(struct as_dump_set *s, const struct as_dump_rec *r, const uintptr_t *pcs,
		      uint32_t npc)
{
	if (s->err)
		return false;
	if (s->nrec == s->caprec) {
		size_t cap = s->caprec ? s->caprec * 2 : 256;
		struct as_dump_rec *v = realloc(s->recs, cap * sizeof(*v));
		if (!v)
			goto out_nomem;
		s->recs = v;
		s->caprec = cap;
	}
	if (s->npc + npc > s->cappc) {
		size_t cap = s->cappc ? s->cappc * 2 : 4096;
		while (cap < s->npc + npc)
			cap *= 2;
		uintptr_t *v = realloc(s->pcs, cap * sizeof(*v));
		if (!v)
			goto out_nomem;
		s->pcs = v;
		s->cappc = cap;
	}
	struct as_dump_rec *d = &s->recs[s->nrec++];
	*d = *r;
	d->pc_first = (uint32_t)s->npc;
	d->npc = npc;
	if (npc)
		memcpy(&s->pcs[s->npc], pcs, npc * sizeof(*pcs));
	s->npc += npc;
	return true;

out_nomem:
	s->err = -ENOMEM;
	return false;
}

void as__dump_set_free(struct as_dump_set *s)
{
	free(s->recs);
	free(s->pcs);
	memset(s, 0, sizeof(*s));
}

/* A task's name, read while another thread may be spawning into the slot
 * (the id, read after it, tells the dumper whether that happened): byte by
 * byte and atomically, so neither the compiler nor TSan sees a plain race. */
void as__dump_copy_name(char *dst, const char *src)
{
	for (size_t i = 0; i < AS_TASK_NAME_MAX; i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
	dst[AS_TASK_NAME_MAX - 1] = '\0';
}

/* ---- frame pointers ----------------------------------------------------- */
/* Where as__ctx_switch (switch_<arch>.S) saved the frame pointer and the
 * return address, as word offsets from the saved stack pointer. */
#if defined(__x86_64__)
enum { SAVED_FP = 6, SAVED_PC = 7 };
#elif defined(__aarch64__)
enum { SAVED_FP = 10, SAVED_PC = 11 };
#endif

/* Reads another fiber's stack, which ASan may have poisoned in parts (only
 * saved frame-pointer/return-address pairs are read here, never locals). */
__attribute__((no_sanitize_address)) static uintptr_t stack_word(uintptr_t addr)
{
	return *(const uintptr_t *)addr;
}

/* Follows the frame-pointer chain from pc and fp (sp: the lowest address a
 * frame may start at); true when it ended where every task's does (a zero
 * frame pointer: the fiber trampoline clears it). */
static bool walk_frames(uintptr_t pc, uintptr_t fp, uintptr_t sp, uintptr_t lo, uintptr_t hi,
			uintptr_t *pcs, uint32_t *n)
{
	pcs[(*n)++] = pc;
	while (*n < AS_DUMP_MAX_FRAMES) {
		if (fp == 0)
			return true;
		/* Every frame lies inside this stack, above the previous one. */
		if (fp < sp || fp < lo || fp > hi - 2 * sizeof(uintptr_t) ||
		    (fp & (sizeof(uintptr_t) - 1)))
			return false;
		uintptr_t next = stack_word(fp);
		pcs[(*n)++] = stack_word(fp + sizeof(uintptr_t));
		if (next != 0 && next <= fp)
			return false;
		sp = fp;
		fp = next;
	}
	return true; /* deeper than we keep: truncated, not broken */
}

/* The same walk for a context saved by as__ctx_switch. */
static bool walk_saved(uintptr_t sp, uintptr_t lo, uintptr_t hi, uintptr_t *pcs, uint32_t *n)
{
	return walk_frames(stack_word(sp + SAVED_PC * sizeof(uintptr_t)),
			   stack_word(sp + SAVED_FP * sizeof(uintptr_t)), sp, lo, hi, pcs, n);
}

/* ---- libunwind, loaded on first need ------------------------------------ */
#if AS_HAVE_LIBUNWIND
static struct {
	int (*init_local)(unw_cursor_t *, unw_context_t *);
	int (*step)(unw_cursor_t *);
	int (*get_reg)(unw_cursor_t *, unw_regnum_t, unw_word_t *);
} unw;
static pthread_once_t unw_once = PTHREAD_ONCE_INIT;

static void unw_load(void)
{
	void *h = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return;
	unw.step = (int (*)(unw_cursor_t *))dlsym(h, "_ULx86_64_step");
	unw.get_reg = (int (*)(unw_cursor_t *, unw_regnum_t, unw_word_t *))
		dlsym(h, "_ULx86_64_get_reg");
	unw.init_local = (int (*)(unw_cursor_t *, unw_context_t *))
		dlsym(h, "_ULx86_64_init_local");
	if (!unw.step || !unw.get_reg)
		unw.init_local = NULL;
}

/* One unwinder at a time: libunwind's caches are shared, and workers copy
 * their stacks in parallel; the lock makes that visible to TSan too. */
static pthread_mutex_t unw_lock = PTHREAD_MUTEX_INITIALIZER;

static bool unwind_from(unw_context_t *ctx, uintptr_t *pcs, uint32_t *n)
{
	pthread_once(&unw_once, unw_load);
	unw_cursor_t c;
	if (!unw.init_local)
		return false;
	pthread_mutex_lock(&unw_lock);
	*n = 0;
	if (unw.init_local(&c, ctx) >= 0) {
		do {
			unw_word_t ip;
			if (unw.get_reg(&c, UNW_REG_IP, &ip) < 0 || ip == 0)
				break;
			pcs[(*n)++] = (uintptr_t)ip;
		} while (*n < AS_DUMP_MAX_FRAMES && unw.step(&c) > 0);
	}
	pthread_mutex_unlock(&unw_lock);
	return *n > 0;
}

/* Unwinds from the registers as__ctx_switch saved, as if it had just
 * returned: the same state the fiber resumes in. */
static bool unwind_dwarf(uintptr_t sp, uintptr_t *pcs, uint32_t *n)
{
	const uintptr_t *w = (const uintptr_t *)sp;
	unw_context_t ctx;
	memset(&ctx, 0, sizeof(ctx));
	greg_t *g = ctx.uc_mcontext.gregs;
	g[REG_R15] = (greg_t)w[1];
	g[REG_R14] = (greg_t)w[2];
	g[REG_R13] = (greg_t)w[3];
	g[REG_R12] = (greg_t)w[4];
	g[REG_RBX] = (greg_t)w[5];
	g[REG_RBP] = (greg_t)w[6];
	g[REG_RIP] = (greg_t)w[7];
	g[REG_RSP] = (greg_t)(sp + 8 * sizeof(uintptr_t));
	return unwind_from(&ctx, pcs, n);
}

/* Unwinds from a signal's context (on x86-64 libunwind's context is a
 * ucontext_t). */
static bool unwind_signal(const ucontext_t *uc, uintptr_t *pcs, uint32_t *n)
{
	unw_context_t ctx;
	memcpy(&ctx, uc, sizeof(ctx));
	return unwind_from(&ctx, pcs, n);
}
#else
static bool unwind_dwarf(uintptr_t sp, uintptr_t *pcs, uint32_t *n)
{
	(void)sp, (void)pcs, (void)n;
	return false;
}

static bool unwind_signal(const ucontext_t *uc, uintptr_t *pcs, uint32_t *n)
{
	(void)uc, (void)pcs, (void)n;
	return false;
}
#endif

uint32_t as__dump_backtrace(const struct as_fiber *f, uintptr_t lo, uintptr_t hi, bool dwarf,
			    uintptr_t *pcs, unsigned char *how)
{
	uintptr_t sp = (uintptr_t)f->sp;
	uint32_t n = 0;

	if (sp < lo || sp > hi - (SAVED_PC + 1) * sizeof(uintptr_t)) {
		*how = AS_DU_NONE;
		return 0;
	}
	if (!dwarf && walk_saved(sp, lo, hi, pcs, &n)) {
		*how = AS_DU_FP;
		return n;
	}
	uint32_t fp_n = n;
	if (unwind_dwarf(sp, pcs, &n)) {
		*how = AS_DU_DWARF;
		return n;
	}
	if (dwarf) {
		n = 0;
		walk_saved(sp, lo, hi, pcs, &n);
		fp_n = n;
	}
	*how = AS_DU_PARTIAL;
	return fp_n;
}

/* The task a fatal signal interrupted: frame pointers from the signal's
 * context (its stack pointer may lie in the guard page, after an overflow). */
static uint32_t backtrace_signal(const ucontext_t *uc, uintptr_t lo, uintptr_t hi,
				 uintptr_t *pcs, unsigned char *how)
{
	uintptr_t pc, fp;
#if defined(__x86_64__)
	pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
	fp = (uintptr_t)uc->uc_mcontext.gregs[REG_RBP];
#elif defined(__aarch64__)
	pc = (uintptr_t)uc->uc_mcontext.pc;
	fp = (uintptr_t)uc->uc_mcontext.regs[29];
#endif
	uint32_t n = 0;
	/* The interrupted pc is not a return address: +1 so the printer's
	 * "pc - 1" lookup lands on it. */
	if (walk_frames(pc + 1, fp, lo, lo, hi, pcs, &n)) {
		*how = AS_DU_FP;
		return n;
	}
	uint32_t fp_n = n;
	if (unwind_signal(uc, pcs, &n)) {
		pcs[0] += 1; /* the same correction for the interrupted pc */
		*how = AS_DU_DWARF;
		return n;
	}
	*how = AS_DU_PARTIAL;
	return fp_n;
}

/* ---- the worker's part ------------------------------------------------------- */
static void req_free(struct as_dump_req *req)
{
	as__dump_set_free(&req->set);
	free(req);
}

struct capture {
	struct as_worker *w;
	struct as_dump_req *req;
};

static void capture_task(struct as_task *t, void *arg)
{
	struct capture *c = arg;
	if (atomic_load_explicit(&t->life, memory_order_relaxed) != AS_LIFE_STARTED ||
	    as__task_worker_racy(t) != c->w)
		return;
	/* Started on this worker, which is in its scheduler loop (or in a fatal
	 * signal's handler): every other task of it is suspended, and nothing
	 * but this thread resumes them. */
	bool running = t == c->w->cur;
	if (running && !c->req->uc)
		return;
	uint32_t phase = atomic_load_explicit(&t->parker.state, memory_order_relaxed) & 3u;
	struct as_dump_rec r = {
		.id = t->id,
		.worker = c->w->index,
		.state = running ? AS_DS_RUNNING
			 : phase == AS_PK_PARKED ? AS_DS_WAITING : AS_DS_RUNNABLE,
	};
	as__dump_copy_name(r.name, t->name);
	if (r.state == AS_DS_WAITING) {
		r.reason = t->wait_reason ? t->wait_reason : t->wait_call;
		r.since = t->wait_since;
	}
	uintptr_t pcs[AS_DUMP_MAX_FRAMES];
	uintptr_t lo = (uintptr_t)t->stack.lo, hi = lo + t->stack.size;
	uint32_t n = running ? backtrace_signal(c->req->uc, lo, hi, pcs, &r.unwind)
			     : as__dump_backtrace(&t->fiber, lo, hi,
						  c->req->flags & ASYNC_STD_DUMP_DWARF, pcs,
						  &r.unwind);
	as__dump_set_add(&c->req->set, &r, pcs, n);
}

void as__dump_capture(struct as_worker *w, struct as_dump_req *req)
{
	uint32_t expect = AS_DR_POSTED;
	if (!atomic_compare_exchange_strong(&req->state, &expect, AS_DR_TAKEN)) {
		/* The dumper gave up waiting for this worker: ours to free. */
		req_free(req);
		return;
	}
	int64_t t0 = as__now();
	struct capture c = { .w = w, .req = req };
	as__task_slots_each(capture_task, &c);
	req->pause_ns = as__now() - t0;
	atomic_store(&req->state, AS_DR_DONE);
	syscall(SYS_futex, &req->state, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

/* A dump request in the worker's inbox: copied from the scheduler loop,
 * where every task of the worker is suspended. */
static void dump_handle(struct as_worker *w, struct as_msg *m)
{
	as__dump_capture(w, AS_CONTAINER_OF(m, struct as_dump_req, msg));
}

static const struct as_msg_kind dump_kind = { .handle = dump_handle, .on_sched_stack = true };

void as__dump_post(struct as_worker *w, struct as_dump_req *req)
{
	req->msg.kind = &dump_kind;
	as__inbox_post(w, &req->msg);
}
