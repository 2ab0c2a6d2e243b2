/* SPDX-License-Identifier: MIT */
/*
 * dump_print.c - a task dump as text: tasks whose state, wait, name and stack
 * agree become one entry with a count and their ids, then each entry's
 * backtrace, symbolised once per address (dump_symbols.c).
 */
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump.h"
#include "dump_symbols.h"

/* ---- buffered output to a file descriptor --------------------------------- */
struct out {
	int fd;
	int err;
	size_t n;
	char buf[16384];
};

static void out_flush(struct out *o)
{
	size_t off = 0;
	while (!o->err && off < o->n) {
		ssize_t w = write(o->fd, o->buf + off, o->n - off);
		if (w > 0) {
			off += (size_t)w;
		} else if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = o->fd, .events = POLLOUT };
			poll(&p, 1, 1000); /* a non-blocking fd: wait for room */
		} else if (w < 0 && errno != EINTR) {
			o->err = -errno;
		}
	}
	o->n = 0;
}

__attribute__((format(printf, 2, 3))) static void out_printf(struct out *o, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = sizeof(line) - 1;
	if (o->n + (size_t)n > sizeof(o->buf))
		out_flush(o);
	memcpy(o->buf + o->n, line, (size_t)n);
	o->n += (size_t)n;
}

/* ---- merging ----------------------------------------------------------- */
static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

/* Orders records so that the ones to merge are adjacent; ids break ties so
 * each entry lists its ids in order. */
static int cmp_rec(const void *pa, const void *pb, void *arg)
{
	const struct as_dump_set *s = arg;
	const struct as_dump_rec *a = &s->recs[*(const size_t *)pa];
	const struct as_dump_rec *b = &s->recs[*(const size_t *)pb];
	int c;
	if (a->state != b->state)
		return a->state - b->state;
	if ((c = cmp_str(a->reason, b->reason)))
		return c;
	if ((c = strcmp(a->name, b->name)))
		return c;
	if (a->npc != b->npc)
		return a->npc < b->npc ? -1 : 1;
	if ((c = memcmp(&s->pcs[a->pc_first], &s->pcs[b->pc_first], a->npc * sizeof(uintptr_t))))
		return c;
	return a->id < b->id ? -1 : a->id > b->id;
}

static bool same_entry(const struct as_dump_set *s, const struct as_dump_rec *a,
		       const struct as_dump_rec *b)
{
	return a->state == b->state && !cmp_str(a->reason, b->reason) &&
	       !strcmp(a->name, b->name) && a->npc == b->npc &&
	       !memcmp(&s->pcs[a->pc_first], &s->pcs[b->pc_first], a->npc * sizeof(uintptr_t));
}

/* ---- one entry ------------------------------------------------------------- */
static void put_duration(char *buf, size_t size, int64_t ns)
{
	if (ns >= 1000000000)
		snprintf(buf, size, "%.2f s", (double)ns / 1e9);
	else
		snprintf(buf, size, "%.1f ms", (double)ns / 1e6);
}

static void put_state(struct out *o, const struct as_dump_rec *r, int64_t min_wait,
		      int64_t max_wait)
{
	switch (r->state) {
	case AS_DS_WAITING: {
		out_printf(o, "waiting in %s", r->reason ? r->reason : "an unnamed wait");
		if (min_wait >= 0) {
			char a[32], b[32];
			put_duration(a, sizeof(a), min_wait);
			put_duration(b, sizeof(b), max_wait);
			if (strcmp(a, b))
				out_printf(o, " for %s to %s", a, b);
			else
				out_printf(o, " for %s", a);
		}
		break;
	}
	case AS_DS_RUNNABLE: out_printf(o, "runnable"); break;
	case AS_DS_RUNNING: out_printf(o, "running: the fatal signal arrived here"); break;
	case AS_DS_NEW: out_printf(o, "not started"); break;
	case AS_DS_DONE: out_printf(o, "finished, not joined"); break;
	case AS_DS_BUSY: out_printf(o, "on a worker that did not pause (no backtrace)"); break;
	case AS_DS_HOLDING:
		out_printf(o, "running without blocking or yielding: its worker did not pause "
			      "(no backtrace)");
		break;
	default: out_printf(o, "started during the dump (no backtrace)"); break;
	}
}

/* Ids as ranges, "3-1002, 1004"; at most 12 ranges. */
static void put_ids(struct out *o, const struct as_dump_set *s, const size_t *idx, size_t n)
{
	size_t ranges = 0;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j + 1 < n && s->recs[idx[j + 1]].id == s->recs[idx[j]].id + 1)
			j++;
		if (ranges == 12) {
			out_printf(o, ", ... (%zu more)", n - i);
			return;
		}
		out_printf(o, "%s%" PRIu64, ranges ? ", " : "", s->recs[idx[i]].id);
		if (j > i)
			out_printf(o, "-%" PRIu64, s->recs[idx[j]].id);
		ranges++;
		i = j + 1;
	}
}

/* The workers of an entry's tasks: "; worker 0", or with several the count
 * on each, "; workers 0 (96), 1 (4)" (at most 8 named). */
static void put_workers(struct out *o, const struct as_dump_set *s, const size_t *idx, size_t n)
{
	enum { SHOWN = 8 };
	unsigned w[SHOWN];
	size_t count[SHOWN], known = 0, others = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned x = s->recs[idx[i]].worker;
		if (x == UINT_MAX)
			continue;
		size_t k = 0;
		while (k < known && w[k] != x)
			k++;
		if (k < known) {
			count[k]++;
		} else if (known < SHOWN) {
			w[known] = x;
			count[known++] = 1;
		} else {
			others++;
		}
	}
	for (size_t a = 1; a < known; a++) /* by worker number */
		for (size_t b = a; b > 0 && w[b - 1] > w[b]; b--) {
			unsigned tw = w[b];
			size_t tc = count[b];
			w[b] = w[b - 1];
			count[b] = count[b - 1];
			w[b - 1] = tw;
			count[b - 1] = tc;
		}
	if (known == 1 && !others) {
		out_printf(o, "; worker %u", w[0]);
		return;
	}
	for (size_t k = 0; k < known; k++)
		out_printf(o, "%s%u (%zu)", k ? ", " : "; workers ", w[k], count[k]);
	if (others)
		out_printf(o, ", others (%zu)", others);
}

static void put_entry(struct out *o, const struct as_dump_report *rep, struct as_symbolizer *sym,
		      const size_t *idx, size_t n)
{
	const struct as_dump_set *s = rep->set;
	const struct as_dump_rec *r = &s->recs[idx[0]];
	int64_t min_wait = -1, max_wait = -1;
	for (size_t i = 0; i < n; i++) {
		const struct as_dump_rec *x = &s->recs[idx[i]];
		if (x->state != AS_DS_WAITING || x->since <= 0)
			continue;
		int64_t w = rep->now - x->since;
		if (w < 0)
			w = 0;
		if (min_wait < 0 || w < min_wait)
			min_wait = w;
		if (w > max_wait)
			max_wait = w;
	}
	out_printf(o, "\n%zu task%s", n, n == 1 ? "" : "s");
	if (r->name[0])
		out_printf(o, " \"%s\"", r->name);
	out_printf(o, ": ");
	put_state(o, r, min_wait, max_wait);
	out_printf(o, "\n  id%s ", n == 1 ? "" : "s");
	put_ids(o, s, idx, n);
	put_workers(o, s, idx, n);
	out_printf(o, "\n");
	for (uint32_t k = 0; k < r->npc; k++) {
		uintptr_t pc = s->pcs[r->pc_first + k];
		if (rep->flags & ASYNC_STD_DUMP_RAW)
			out_printf(o, "    #%-2u 0x%" PRIxPTR "\n", k, pc);
		else
			out_printf(o, "    #%-2u 0x%" PRIxPTR " %s\n", k, pc, as__sym_lookup(sym, pc));
	}
	if (r->unwind == AS_DU_PARTIAL)
		out_printf(o, "    (the frame-pointer chain ends here: code without frame pointers, "
			      "and libunwind could not be loaded)\n");
}

/* ---- the report --------------------------------------------------------------- */
int as__dump_print(int fd, const struct as_dump_report *rep)
{
	const struct as_dump_set *s = rep->set;
	struct out *o = malloc(sizeof(*o));
	size_t *idx = malloc((s->nrec ? s->nrec : 1) * sizeof(*idx));
	struct as_symbolizer *sym = (rep->flags & ASYNC_STD_DUMP_RAW) ? NULL : as__sym_open();
	int r = -ENOMEM;
	if (!o || !idx || (!sym && !(rep->flags & ASYNC_STD_DUMP_RAW)))
		goto out_free;
	o->fd = fd;
	o->err = 0;
	o->n = 0;

	for (size_t i = 0; i < s->nrec; i++)
		idx[i] = i;
	qsort_r(idx, s->nrec, sizeof(*idx), cmp_rec, (void *)s);

	out_printf(o, "async_std task dump: pid %d, runtime %s, %u worker%s, %zu task%s\n",
		   (int)getpid(), as__ops.runtime, rep->nworkers, rep->nworkers == 1 ? "" : "s",
		   s->nrec, s->nrec == 1 ? "" : "s");
	if (rep->nworkers) {
		out_printf(o, "workers paused:");
		for (unsigned w = 0; w < rep->nworkers; w++) {
			const struct as_dump_holder *h = &rep->holder[w];
			if (rep->pause_ns[w] < 0 && h->id && h->name[0])
				out_printf(o, " %u: did not pause within 1 s (task %" PRIu64
					      " \"%s\" runs without blocking or yielding);", w, h->id,
					   h->name);
			else if (rep->pause_ns[w] < 0 && h->id)
				out_printf(o, " %u: did not pause within 1 s (task %" PRIu64
					      " runs without blocking or yielding);", w, h->id);
			else if (rep->pause_ns[w] < 0)
				out_printf(o, " %u: did not pause within 1 s (a task runs without "
					      "blocking or yielding);", w);
			else if (rep->pause_ns[w] < 1000000)
				out_printf(o, " %u: %.1f us;", w, (double)rep->pause_ns[w] / 1e3);
			else
				out_printf(o, " %u: %.2f ms;", w, (double)rep->pause_ns[w] / 1e6);
		}
		out_printf(o, "\n");
	}
	if (sym && !as__sym_has_lines(sym))
		out_printf(o, "(libdw not found: exported functions only, no file:line)\n");

	for (size_t i = 0; i < s->nrec;) {
		size_t j = i + 1;
		if (!(rep->flags & ASYNC_STD_DUMP_EACH))
			while (j < s->nrec && same_entry(s, &s->recs[idx[i]], &s->recs[idx[j]]))
				j++;
		put_entry(o, rep, sym, &idx[i], j - i);
		i = j;
	}
	out_flush(o);
	r = o->err;

out_free:
	as__sym_close(sym);
	free(idx);
	free(o);
	return r;
}
