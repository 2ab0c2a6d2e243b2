/* SPDX-License-Identifier: MIT */
/*
 * binding.c - the load-time check that one runtime serves every async_std_*
 * symbol and implements the ABI version the program was built against, plus
 * the ASYNC_STD_VERBOSE banner.  Run once by the shim's constructor.
 */
#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "async_std.h"
#include "abi_list.h"
#include "settings.h"

#define AS_ABI_ENTRY(major, minor, ret, name, params, args)                                  \
	{ "async_std_" #name, AS_ABI_NODE(major, minor), (void *)async_std_##name },
static const struct abi_symbol {
	const char *name;
	const char *node; /* the version node it is defined in (abi_list.h) */
	void *linked;     /* what this object's own references bind to */
} abi_symbols[] = {
	AS_ABI_FUNCTIONS(AS_ABI_ENTRY)
};
#undef AS_ABI_ENTRY

/* ---- the executable: load range and version needs ------------------------ */

struct exe_info {
	bool found;
	ElfW(Addr) base;
	const ElfW(Phdr) *phdr;
	ElfW(Half) phnum;
	/* The highest ASYNC_STD_<major>.<minor> node the executable needs. */
	bool needs;
	unsigned need_major, need_minor;
	const char *need_file;
};

static bool exe_contains(const struct exe_info *e, const void *p)
{
	uintptr_t a = (uintptr_t)p;

	for (ElfW(Half) i = 0; i < e->phnum; i++) {
		const ElfW(Phdr) *ph = &e->phdr[i];
		if (ph->p_type == PT_LOAD && a >= e->base + ph->p_vaddr &&
		    a < e->base + ph->p_vaddr + ph->p_memsz)
			return true;
	}
	return false;
}

/* ld.so relocates some dynamic entries in place (DT_STRTAB) but not others
 * (DT_VERNEED), so an address already inside the mapping is taken as is. */
static const void *dyn_ptr(const struct exe_info *e, ElfW(Addr) v)
{
	if (exe_contains(e, (const void *)v))
		return (const void *)v;
	return (const void *)(v + e->base);
}

/* Parses "ASYNC_STD_<major>.<minor>" exactly. */
static bool parse_node(const char *s, unsigned *major, unsigned *minor)
{
	char tail;

	if (strncmp(s, "ASYNC_STD_", 10) != 0)
		return false;
	return sscanf(s + 10, "%u.%u%c", major, minor, &tail) == 2;
}

static void scan_verneed(struct exe_info *e, const ElfW(Dyn) *dyn)
{
	ElfW(Addr) strtab = 0, verneed = 0;
	ElfW(Word) count = 0;

	for (; dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_STRTAB)
			strtab = dyn->d_un.d_ptr;
		else if (dyn->d_tag == DT_VERNEED)
			verneed = dyn->d_un.d_ptr;
		else if (dyn->d_tag == DT_VERNEEDNUM)
			count = (ElfW(Word))dyn->d_un.d_val;
	}
	if (!strtab || !verneed)
		return;
	const char *str = dyn_ptr(e, strtab);
	const char *vn = dyn_ptr(e, verneed);
	for (ElfW(Word) i = 0; i < count; i++) {
		const ElfW(Verneed) *need = (const void *)vn;
		const char *aux = vn + need->vn_aux;
		for (ElfW(Half) j = 0; j < need->vn_cnt; j++) {
			const ElfW(Vernaux) *a = (const void *)aux;
			unsigned major, minor;
			if (parse_node(str + a->vna_name, &major, &minor) &&
			    (!e->needs || major > e->need_major ||
			     (major == e->need_major && minor > e->need_minor))) {
				e->needs = true;
				e->need_major = major;
				e->need_minor = minor;
				e->need_file = str + need->vn_file;
			}
			if (!a->vna_next)
				break;
			aux += a->vna_next;
		}
		if (!need->vn_next)
			break;
		vn += need->vn_next;
	}
}

static int exe_callback(struct dl_phdr_info *info, size_t size, void *data)
{
	struct exe_info *e = data;

	/* The first object dl_iterate_phdr reports is the executable. */
	e->found = true;
	e->base = info->dlpi_addr;
	e->phdr = info->dlpi_phdr;
	e->phnum = info->dlpi_phnum;
	for (ElfW(Half) i = 0; i < e->phnum; i++)
		if (e->phdr[i].p_type == PT_DYNAMIC)
			scan_verneed(e, (const void *)(e->base + e->phdr[i].p_vaddr));
	return 1;
}

/* ---- which object a symbol lives in ------------------------------------- */

static const char *exe_name(void)
{
	static char path[PATH_MAX];

	if (!path[0]) {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);
		if (n > 0)
			path[n] = '\0';
		else
			snprintf(path, sizeof(path), "%s", program_invocation_name);
	}
	return path;
}

static const char *object_path(const struct exe_info *e, const void *p)
{
	Dl_info di;

	/* dladdr names the executable by argv[0]; a real path is clearer. */
	if (exe_contains(e, p))
		return exe_name();
	if (dladdr(p, &di) && di.dli_fname && di.dli_fname[0])
		return di.dli_fname;
	return "(unknown object)";
}

/* An identity for the object holding p: its base, or the executable's marker
 * (dladdr knows nothing in a fully static link). */
static const void *object_of(const struct exe_info *e, const void *p)
{
	Dl_info di;

	if (exe_contains(e, p))
		return e;
	if (dladdr(p, &di))
		return di.dli_fbase;
	return NULL;
}

/*
 * A non-PIE executable that takes the address of an async_std_* function
 * gets a canonical PLT entry, and dlsym returns that entry, inside the
 * executable.  Calls still land in the first shared object that defines the
 * symbol, so look for it there, in load (= lookup) order.
 */
struct past_exe {
	const char *names[64];
	unsigned n;
	bool first_seen;
};

static int collect_objects(struct dl_phdr_info *info, size_t size, void *data)
{
	struct past_exe *pe = data;

	if (!pe->first_seen) {
		pe->first_seen = true;
		return 0;
	}
	if (info->dlpi_name && info->dlpi_name[0] && pe->n < 64)
		pe->names[pe->n++] = info->dlpi_name;
	return 0;
}

static void *resolve_past_exe(const struct abi_symbol *sym)
{
	struct past_exe pe = { .n = 0 };

	dl_iterate_phdr(collect_objects, &pe);
	for (unsigned i = 0; i < pe.n; i++) {
		void *h = dlopen(pe.names[i], RTLD_LAZY | RTLD_NOLOAD);
		if (!h)
			continue;
		void *p = dlsym(h, sym->name);
		if (!p)
			p = dlvsym(h, sym->name, sym->node);
		dlclose(h);
		Dl_info di;
		/* dlsym on a handle also searches its dependencies: keep only a
		 * definition in this very object, so load order decides. */
		if (p && dladdr(p, &di) && di.dli_fname && strcmp(di.dli_fname, pe.names[i]) == 0)
			return p;
	}
	return NULL;
}

/*
 * Where the process's calls to `name` land.  In a static link (this object is
 * inside the executable) the program calls what it was linked with, which
 * nothing can interpose, and which dlsym may not even see: that is what this
 * object references.  Otherwise dlsym(RTLD_DEFAULT) answers, in the lookup
 * order the program's PLT uses (LD_PRELOAD first).  It comes before dlvsym
 * because the PLT also binds to an unversioned definition (an -rdynamic
 * executable, an interposer built without the map), which dlvsym refuses.
 */
static void *resolve(const struct exe_info *e, const struct abi_symbol *sym)
{
	if (exe_contains(e, (const void *)as__binding_check))
		return sym->linked;

	void *p = dlsym(RTLD_DEFAULT, sym->name);
	const ElfW(Sym) *es = NULL;
	Dl_info di;

	if (!p)
		p = dlvsym(RTLD_DEFAULT, sym->name, sym->node);
	if (!p)
		return sym->linked;
	/* A canonical PLT entry is an undefined symbol with a value. */
	if (exe_contains(e, p) && dladdr1(p, &di, (void **)&es, RTLD_DL_SYMENT) && es &&
	    es->st_shndx == SHN_UNDEF) {
		void *q = resolve_past_exe(sym);
		if (q)
			return q;
	}
	return p;
}

/* ---- ASYNC_STD_RUNTIME ---------------------------------------------------- */

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

bool as__names_runtime(const char *want, const char *name, const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return strcmp(want, name) == 0 || strcmp(want, path) == 0 ||
	       strcmp(want, base) == 0 || (strchr(want, '/') && same_file(want, path));
}

/* ---- the check ------------------------------------------------------------- */

bool as__binding_check(char **argv)
{
	const struct as_settings *s = as__settings();
	struct exe_info exe = { .found = false };
	void *addr[AS_ABI_COUNT];

	dl_iterate_phdr(exe_callback, &exe);

	/* The object that answers async_std_runtime_name is the bound runtime,
	 * and every other symbol must land in it too. */
	for (size_t i = 0; i < AS_ABI_COUNT; i++)
		addr[i] = resolve(&exe, &abi_symbols[i]);
	const void *bound = object_of(&exe, addr[AS_ABI_runtime_name]);
	for (size_t i = 0; i < AS_ABI_COUNT; i++) {
		if (object_of(&exe, addr[i]) == bound)
			continue;
		char other[PATH_MAX];
		snprintf(other, sizeof(other), "%s", object_path(&exe, addr[i]));
		as__say("%s resolves into %s but async_std_runtime_name into %s: "
			"one runtime must provide every async_std_* symbol "
			"(preload or link a complete runtime)",
			abi_symbols[i].name, other, object_path(&exe, addr[AS_ABI_runtime_name]));
		exit(2);
	}

	/* Called through the resolved addresses, i.e. the public, interposable
	 * symbols: the bound runtime answers, not this object's copy. */
	const char *name = ((const char *(*)(void))addr[AS_ABI_runtime_name])();
	uint32_t version = ((uint32_t(*)(void))addr[AS_ABI_abi_version])();
	unsigned major = version >> 16, minor = version & 0xffff;
	const char *path = object_path(&exe, addr[AS_ABI_runtime_name]);

	/* A static link has no version needs: it carries its runtime inside. */
	if (exe.needs && (exe.need_major != major || exe.need_minor > minor)) {
		as__say("%s was built against ABI %u.%u (%s) but the bound runtime %s (%s) "
			"implements ABI %u.%u: use a runtime that implements it, or rebuild",
			exe_name(), exe.need_major, exe.need_minor, exe.need_file, name, path,
			major, minor);
		exit(2);
	}

	if (s->runtime && !as__names_runtime(s->runtime, name, path))
		as__runtime_select(s->runtime, name, path, argv); /* does not return */

	/* The failed lookups above must not show up in the program's dlerror(). */
	(void)dlerror();

	/* Every runtime carries a copy of the shim (a preloaded one and the stub
	 * both run this); only the copy inside the bound runtime speaks. */
	bool mine = object_of(&exe, (const void *)as__binding_check) == bound;
	if (s->verbose >= 1 && mine)
		as__say("runtime %s (%s), %u workers, abi %u.%u", name, path, s->threads,
			major, minor);
	if (s->verbose >= 2 && mine)
		as__settings_report(s, getauxval(AT_SECURE) != 0);
	return mine;
}
