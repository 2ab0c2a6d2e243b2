/* SPDX-License-Identifier: MIT */
/*
 * dump.h - what a task dump passes between its parts: the request each
 * worker fills with its own tasks (dump_capture.c), the records the dumper
 * collects and merges (dump.c), and the printer (dump_print.c).
 */
#ifndef AS_DUMP_H
#define AS_DUMP_H

#include <stddef.h>
#include <stdint.h>
#include <ucontext.h>

#include "core.h"

/* Deepest backtrace kept per task. */
#define AS_DUMP_MAX_FRAMES 48

enum as_dump_state {
	AS_DS_RUNNING,   /* the task a fatal signal interrupted */
	AS_DS_WAITING,   /* suspended in a blocking call */
	AS_DS_RUNNABLE,  /* suspended, ready to run */
	AS_DS_NEW,       /* spawned, not started */
	AS_DS_DONE,      /* finished, not joined yet */
	AS_DS_BUSY,      /* started on a worker that did not pause in time */
	AS_DS_LATE,      /* started while the dump ran: not captured */
	AS_DS_HOLDING,   /* running on a worker that did not pause: it holds it */
};

/* The task running on a worker that did not pause (id 0: none known). */
struct as_dump_holder {
	uint64_t id;
	char name[32];
};

enum as_dump_unwind {
	AS_DU_NONE,      /* no stack (not started, finished, not captured) */
	AS_DU_FP,        /* frame pointers, complete chain */
	AS_DU_DWARF,     /* libunwind */
	AS_DU_PARTIAL,   /* frame-pointer chain broke and libunwind is missing */
};

struct as_dump_rec {
	uint64_t id;
	char name[32];
	const char *reason;    /* static strings of the runtime */
	int64_t since;         /* worker clock when it parked, 0: unknown */
	unsigned worker;
	unsigned char state, unwind;
	uint32_t pc_first, npc;  /* into the owning array of pcs */
};

/* A growable list of records and the program counters they point into. */
struct as_dump_set {
	struct as_dump_rec *recs;
	size_t nrec, caprec;
	uintptr_t *pcs;
	size_t npc, cappc;
	int err;               /* -ENOMEM once an append failed */
};

enum { AS_DR_POSTED, AS_DR_TAKEN, AS_DR_DONE, AS_DR_ABANDONED };

struct as_dump_req {
	struct as_msg msg;        /* posted to the worker's inbox */
	_Atomic uint32_t state;   /* AS_DR_*: a futex the dumper waits on */
	unsigned flags;           /* ASYNC_STD_DUMP_* */
	struct as_dump_set set;
	int64_t pause_ns;         /* how long the worker spent copying */
	const ucontext_t *uc;     /* a fatal signal's context: the running task's */
};

/* Asks worker w for its tasks: its scheduler loop copies them into req
 * (as__dump_capture) and hands it back, or frees it if the dumper gave up. */
void as__dump_post(struct as_worker *w, struct as_dump_req *req);
/* Run by worker w on its own stack (or in a fatal signal's handler, req->uc
 * set): copies the stacks of its started tasks into req and hands it back to
 * the dumper. */
void as__dump_capture(struct as_worker *w, struct as_dump_req *req);

#define AS_TASK_NAME_MAX sizeof(((struct as_task *)0)->name)
/* Copies a task's name that another thread may be rewriting. */
void as__dump_copy_name(char *dst, const char *src);

/* Appends a record (pcs copied); false when out of memory. */
bool as__dump_set_add(struct as_dump_set *s, const struct as_dump_rec *r,
		      const uintptr_t *pcs, uint32_t npc);
void as__dump_set_free(struct as_dump_set *s);

/* Backtrace of a suspended fiber whose stack spans [lo, hi): returns the
 * number of pcs written and how they were found (enum as_dump_unwind). */
uint32_t as__dump_backtrace(const struct as_fiber *f, uintptr_t lo, uintptr_t hi, bool dwarf,
			    uintptr_t *pcs, unsigned char *how);

/* Writes the merged, symbolised report to fd; 0 or -errno. */
struct as_dump_report {
	struct as_dump_set *set;  /* every record, pcs into set->pcs */
	unsigned flags;
	unsigned nworkers;
	const int64_t *pause_ns;  /* per worker, -1: did not pause */
	const struct as_dump_holder *holder; /* per worker, for those that did not */
	int64_t now;
};
int as__dump_print(int fd, const struct as_dump_report *rep);

#endif
