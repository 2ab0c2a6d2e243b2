/* SPDX-License-Identifier: MIT */
/*
 * dump_symbols.c - turns a task dump's return addresses into
 * "function+offset (file:line)", once per distinct address.  Uses elfutils'
 * libdw when the system has it (loaded on first dump, so programs that never
 * dump do not depend on it): it reads symbol tables, so static functions
 * get names too, and DWARF line tables.  Without it, dladdr: exported
 * symbols only, no lines.
 */
#include <dlfcn.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump_symbols.h"

#if __has_include(<elfutils/libdwfl.h>)
#include <elfutils/libdwfl.h>
#define AS_HAVE_LIBDW 1
#else
#define AS_HAVE_LIBDW 0
#endif

struct sym_entry {
	uintptr_t pc;      /* 0: empty slot */
	char *text;
};

struct as_symbolizer {
	struct sym_entry *v;
	size_t n, cap;     /* open addressing, cap a power of two */
#if AS_HAVE_LIBDW
	Dwfl *dwfl;
#endif
};

#if AS_HAVE_LIBDW
static struct {
	Dwfl *(*begin)(const Dwfl_Callbacks *);
	int (*proc_report)(Dwfl *, pid_t);
	int (*report_end)(Dwfl *, int (*)(Dwfl_Module *, void *, const char *, Dwarf_Addr, void *),
			  void *);
	Dwfl_Module *(*addrmodule)(Dwfl *, Dwarf_Addr);
	const char *(*addrinfo)(Dwfl_Module *, GElf_Addr, GElf_Off *, GElf_Sym *, GElf_Word *,
				Elf **, Dwarf_Addr *);
	Dwfl_Line *(*getsrc)(Dwfl_Module *, Dwarf_Addr);
	const char *(*lineinfo)(Dwfl_Line *, Dwarf_Addr *, int *, int *, Dwarf_Word *,
				Dwarf_Word *);
	void (*end)(Dwfl *);
	Dwfl_Callbacks cb;
} dw;
static pthread_once_t dw_once = PTHREAD_ONCE_INIT;
static char *dw_debuginfo_path;

static void dw_load(void)
{
	void *h = dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return;
#define DW_SYM(field, name) *(void **)&dw.field = dlsym(h, name)
	DW_SYM(begin, "dwfl_begin");
	DW_SYM(proc_report, "dwfl_linux_proc_report");
	DW_SYM(report_end, "dwfl_report_end");
	DW_SYM(addrmodule, "dwfl_addrmodule");
	DW_SYM(addrinfo, "dwfl_module_addrinfo");
	DW_SYM(getsrc, "dwfl_module_getsrc");
	DW_SYM(lineinfo, "dwfl_lineinfo");
	DW_SYM(end, "dwfl_end");
	DW_SYM(cb.find_elf, "dwfl_linux_proc_find_elf");
	DW_SYM(cb.find_debuginfo, "dwfl_standard_find_debuginfo");
#undef DW_SYM
	dw.cb.debuginfo_path = &dw_debuginfo_path;
	if (!dw.proc_report || !dw.report_end || !dw.addrmodule || !dw.addrinfo || !dw.getsrc ||
	    !dw.lineinfo || !dw.end || !dw.cb.find_elf || !dw.cb.find_debuginfo)
		dw.begin = NULL;
}
#endif

struct as_symbolizer *as__sym_open(void)
{
	struct as_symbolizer *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cap = 1024;
	s->v = calloc(s->cap, sizeof(*s->v));
	if (!s->v) {
		free(s);
		return NULL;
	}
#if AS_HAVE_LIBDW
	pthread_once(&dw_once, dw_load);
	if (dw.begin) {
		s->dwfl = dw.begin(&dw.cb);
		if (s->dwfl && (dw.proc_report(s->dwfl, getpid()) != 0 ||
				dw.report_end(s->dwfl, NULL, NULL) != 0)) {
			dw.end(s->dwfl);
			s->dwfl = NULL;
		}
	}
#endif
	return s;
}

bool as__sym_has_lines(const struct as_symbolizer *s)
{
#if AS_HAVE_LIBDW
	return s->dwfl != NULL;
#else
	(void)s;
	return false;
#endif
}

void as__sym_close(struct as_symbolizer *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cap; i++)
		free(s->v[i].text);
	free(s->v);
#if AS_HAVE_LIBDW
	if (s->dwfl)
		dw.end(s->dwfl);
#endif
	free(s);
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* A return address points after its call: look up pc - 1, which lies in the
 * calling line, but show the offset of pc itself, as debuggers do. */
static char *describe(struct as_symbolizer *s, uintptr_t pc)
{
	char buf[512];
	uintptr_t at = pc - 1;
	int n = -1;
#if AS_HAVE_LIBDW
	Dwfl_Module *m = s->dwfl ? dw.addrmodule(s->dwfl, at) : NULL;
	if (m) {
		GElf_Off off = 0;
		GElf_Sym sym;
		const char *name = dw.addrinfo(m, at, &off, &sym, NULL, NULL, NULL);
		if (name) {
			n = snprintf(buf, sizeof(buf), "%s+0x%" PRIxPTR, name, (uintptr_t)(off + 1));
			Dwfl_Line *l = dw.getsrc(m, at);
			int line = 0;
			const char *file = l ? dw.lineinfo(l, NULL, &line, NULL, NULL, NULL) : NULL;
			if (file && n > 0 && (size_t)n < sizeof(buf))
				snprintf(buf + n, sizeof(buf) - (size_t)n, " (%s:%d)", file, line);
		}
	}
#endif
	if (n < 0) {
		Dl_info di;
		if (!dladdr((void *)at, &di))
			n = snprintf(buf, sizeof(buf), "?");
		else if (di.dli_sname)
			n = snprintf(buf, sizeof(buf), "%s+0x%" PRIxPTR, di.dli_sname,
				     pc - (uintptr_t)di.dli_saddr);
		else if (di.dli_fname)
			n = snprintf(buf, sizeof(buf), "%s+0x%" PRIxPTR, base_name(di.dli_fname),
				     pc - (uintptr_t)di.dli_fbase);
		else
			n = snprintf(buf, sizeof(buf), "?");
	}
	return strdup(buf);
}

static bool grow(struct as_symbolizer *s)
{
	size_t cap = s->cap * 2;
	struct sym_entry *v = calloc(cap, sizeof(*v));
	if (!v)
		return false;
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->v[i].pc)
			continue;
		size_t j = (s->v[i].pc * 0x9e3779b97f4a7c15ull) >> 20 & (cap - 1);
		while (v[j].pc)
			j = (j + 1) & (cap - 1);
		v[j] = s->v[i];
	}
	free(s->v);
	s->v = v;
	s->cap = cap;
	return true;
}

const char *as__sym_lookup(struct as_symbolizer *s, uintptr_t pc)
{
	if (!pc)
		return "?";
	if (2 * (s->n + 1) > s->cap && !grow(s))
		return "?";
	size_t j = (pc * 0x9e3779b97f4a7c15ull) >> 20 & (s->cap - 1);
	while (s->v[j].pc && s->v[j].pc != pc)
		j = (j + 1) & (s->cap - 1);
	if (!s->v[j].pc) {
		char *text = describe(s, pc);
		if (!text)
			return "?";
		s->v[j].pc = pc;
		s->v[j].text = text;
		s->n++;
	}
	return s->v[j].text;
}
