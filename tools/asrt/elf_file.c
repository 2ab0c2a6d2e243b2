/* SPDX-License-Identifier: MIT */
/*
 * elf_file.c - reads .dynsym, the symbol versions and DT_NEEDED of an ELF64
 * file via its section headers.  Every offset is bounds-checked and every
 * struct copied out, so a truncated or hostile file gives an error, not a crash.
 */
#include <elf.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elf_file.h"

static int elf_fail(struct elf_file *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int elf_fail(struct elf_file *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->error, sizeof(f->error), fmt, ap);
	va_end(ap);
	return -1;
}

/* The bytes [off, off + len) of the file, or NULL when they are not all in it. */
static const unsigned char *elf_at(const struct elf_file *f, uint64_t off, uint64_t len)
{
	if (off > f->size || len > f->size - off)
		return NULL;
	return (const unsigned char *)f->map + off;
}

/* A NUL-terminated string at offset `off` of a string table, or NULL. */
static const char *elf_str(const char *tab, size_t tab_size, uint64_t off)
{
	if (!tab || off >= tab_size || !memchr(tab + off, '\0', tab_size - off))
		return NULL;
	return tab + off;
}

struct elf_sections {
	Elf64_Shdr dynsym, versym, verdef, verneed, dynamic;
	bool has_dynsym, has_versym, has_verdef, has_verneed, has_dynamic;
};

static int elf_section(struct elf_file *f, const Elf64_Ehdr *eh, unsigned i, Elf64_Shdr *sh)
{
	const unsigned char *p = elf_at(f, eh->e_shoff + (uint64_t)i * sizeof(*sh), sizeof(*sh));

	if (!p)
		return elf_fail(f, "section header %u lies outside the file (truncated?)", i);
	memcpy(sh, p, sizeof(*sh));
	if (sh->sh_type != SHT_NOBITS && !elf_at(f, sh->sh_offset, sh->sh_size))
		return elf_fail(f, "section %u lies outside the file (truncated?)", i);
	return 0;
}

/* The string table a section names in sh_link. */
static int elf_linked_strs(struct elf_file *f, const Elf64_Ehdr *eh, const Elf64_Shdr *sh,
			   const char **tab, size_t *size)
{
	Elf64_Shdr st;

	if (sh->sh_link >= eh->e_shnum || elf_section(f, eh, sh->sh_link, &st) != 0)
		return elf_fail(f, "a section links to a missing string table");
	if (st.sh_type != SHT_STRTAB)
		return elf_fail(f, "a section links to section %u, which is no string table",
				sh->sh_link);
	*tab = (const char *)elf_at(f, st.sh_offset, st.sh_size);
	*size = st.sh_size;
	return 0;
}

/* .gnu.version_d: a chain of Verdef, each with its names in Verdaux. */
static int elf_read_verdef(struct elf_file *f, const Elf64_Ehdr *eh, const Elf64_Shdr *sh)
{
	const char *tab;
	size_t tab_size;
	uint64_t off = sh->sh_offset, end = sh->sh_offset + sh->sh_size;

	if (elf_linked_strs(f, eh, sh, &tab, &tab_size) != 0)
		return -1;
	f->defs = calloc(sh->sh_info ? sh->sh_info : 1, sizeof(*f->defs));
	if (!f->defs)
		return elf_fail(f, "out of memory");
	for (unsigned i = 0; i < sh->sh_info; i++) {
		Elf64_Verdef vd;
		Elf64_Verdaux va;
		const unsigned char *p = elf_at(f, off, sizeof(vd));
		if (!p || off + sizeof(vd) > end)
			return elf_fail(f, "bad .gnu.version_d section");
		memcpy(&vd, p, sizeof(vd));
		p = elf_at(f, off + vd.vd_aux, sizeof(va));
		if (!p || vd.vd_cnt == 0)
			return elf_fail(f, "bad .gnu.version_d entry %u", i);
		memcpy(&va, p, sizeof(va));
		struct elf_version *v = &f->defs[f->ndefs++];
		v->index = vd.vd_ndx;
		v->base = vd.vd_flags & VER_FLG_BASE;
		v->name = elf_str(tab, tab_size, va.vda_name);
		if (!v->name)
			return elf_fail(f, "bad name in .gnu.version_d entry %u", i);
		if (!vd.vd_next)
			break;
		off += vd.vd_next;
	}
	return 0;
}

/* .gnu.version_r: per needed file a Verneed, per node of it a Vernaux. */
static int elf_read_verneed(struct elf_file *f, const Elf64_Ehdr *eh, const Elf64_Shdr *sh)
{
	const char *tab;
	size_t tab_size, cap = 8;
	uint64_t off = sh->sh_offset;

	if (elf_linked_strs(f, eh, sh, &tab, &tab_size) != 0)
		return -1;
	f->needs = calloc(cap, sizeof(*f->needs));
	if (!f->needs)
		return elf_fail(f, "out of memory");
	for (unsigned i = 0; i < sh->sh_info; i++) {
		Elf64_Verneed vn;
		const unsigned char *p = elf_at(f, off, sizeof(vn));
		if (!p || off + sizeof(vn) > sh->sh_offset + sh->sh_size)
			return elf_fail(f, "bad .gnu.version_r section");
		memcpy(&vn, p, sizeof(vn));
		const char *file = elf_str(tab, tab_size, vn.vn_file);
		uint64_t aux = off + vn.vn_aux;
		for (unsigned j = 0; j < vn.vn_cnt; j++) {
			Elf64_Vernaux va;
			p = elf_at(f, aux, sizeof(va));
			if (!p || !file)
				return elf_fail(f, "bad .gnu.version_r entry %u", i);
			memcpy(&va, p, sizeof(va));
			if (f->nneeds == cap) {
				struct elf_version *n = realloc(f->needs, 2 * cap * sizeof(*n));
				if (!n)
					return elf_fail(f, "out of memory");
				f->needs = n;
				cap *= 2;
			}
			struct elf_version *v = &f->needs[f->nneeds++];
			v->index = va.vna_other;
			v->base = false;
			v->file = file;
			v->name = elf_str(tab, tab_size, va.vna_name);
			if (!v->name)
				return elf_fail(f, "bad name in .gnu.version_r entry %u", i);
			if (!va.vna_next)
				break;
			aux += va.vna_next;
		}
		if (!vn.vn_next)
			break;
		off += vn.vn_next;
	}
	return 0;
}

/* DT_NEEDED and DT_SONAME from .dynamic. */
static int elf_read_dynamic(struct elf_file *f, const Elf64_Ehdr *eh, const Elf64_Shdr *sh)
{
	const char *tab;
	size_t tab_size, n = sh->sh_size / sizeof(Elf64_Dyn);

	if (elf_linked_strs(f, eh, sh, &tab, &tab_size) != 0)
		return -1;
	f->needed = calloc(n ? n : 1, sizeof(*f->needed));
	if (!f->needed)
		return elf_fail(f, "out of memory");
	for (size_t i = 0; i < n; i++) {
		Elf64_Dyn d;
		memcpy(&d, elf_at(f, sh->sh_offset + i * sizeof(d), sizeof(d)), sizeof(d));
		if (d.d_tag == DT_NULL)
			break;
		if (d.d_tag != DT_NEEDED && d.d_tag != DT_SONAME)
			continue;
		const char *s = elf_str(tab, tab_size, d.d_un.d_val);
		if (!s)
			return elf_fail(f, "bad string in .dynamic");
		if (d.d_tag == DT_NEEDED)
			f->needed[f->nneeded++] = s;
		else
			f->soname = s;
	}
	return 0;
}

static int elf_check_header(struct elf_file *f, Elf64_Ehdr *eh)
{
	const unsigned char *p = elf_at(f, 0, EI_NIDENT);
	const unsigned char native = __BYTE_ORDER == __LITTLE_ENDIAN ? ELFDATA2LSB : ELFDATA2MSB;

	if (!p || memcmp(p, ELFMAG, SELFMAG) != 0)
		return elf_fail(f, "not an ELF file");
	if (p[EI_CLASS] != ELFCLASS64)
		return elf_fail(f, "not a 64-bit ELF file (asrt reads ELF64 only)");
	if (p[EI_DATA] != native)
		return elf_fail(f, "an ELF file of the other byte order");
	p = elf_at(f, 0, sizeof(*eh));
	if (!p)
		return elf_fail(f, "truncated ELF header");
	memcpy(eh, p, sizeof(*eh));
	if (eh->e_shnum == 0 || eh->e_shentsize != sizeof(Elf64_Shdr))
		return elf_fail(f, "an ELF file without section headers");
	return 0;
}

static int elf_read(struct elf_file *f)
{
	Elf64_Ehdr eh;
	struct elf_sections s = { .has_dynsym = false };

	if (elf_check_header(f, &eh) != 0)
		return -1;
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		if (elf_section(f, &eh, i, &sh) != 0)
			return -1;
		switch (sh.sh_type) {
		case SHT_DYNSYM: s.dynsym = sh; s.has_dynsym = true; break;
		case SHT_GNU_versym: s.versym = sh; s.has_versym = true; break;
		case SHT_GNU_verdef: s.verdef = sh; s.has_verdef = true; break;
		case SHT_GNU_verneed: s.verneed = sh; s.has_verneed = true; break;
		case SHT_DYNAMIC: s.dynamic = sh; s.has_dynamic = true; break;
		}
	}
	if (!s.has_dynsym)
		return elf_fail(f, "no dynamic symbol table (a statically linked program?)");
	if (s.dynsym.sh_entsize != sizeof(Elf64_Sym))
		return elf_fail(f, "bad .dynsym entry size");
	f->syms = elf_at(f, s.dynsym.sh_offset, s.dynsym.sh_size);
	f->nsyms = s.dynsym.sh_size / sizeof(Elf64_Sym);
	if (elf_linked_strs(f, &eh, &s.dynsym, &f->strs, &f->strs_size) != 0)
		return -1;
	if (s.has_versym) {
		if (s.versym.sh_size / sizeof(Elf64_Half) < f->nsyms)
			return elf_fail(f, ".gnu.version is shorter than .dynsym");
		f->versym = elf_at(f, s.versym.sh_offset, s.versym.sh_size);
	}
	if (s.has_verdef && elf_read_verdef(f, &eh, &s.verdef) != 0)
		return -1;
	if (s.has_verneed && elf_read_verneed(f, &eh, &s.verneed) != 0)
		return -1;
	if (s.has_dynamic && elf_read_dynamic(f, &eh, &s.dynamic) != 0)
		return -1;
	return 0;
}

int elf_file_open(struct elf_file *f, const char *path)
{
	struct stat st;
	int fd;

	memset(f, 0, sizeof(*f));
	f->path = path;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return elf_fail(f, "%s", strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return elf_fail(f, "not a regular file");
	}
	f->size = st.st_size;
	if (f->size == 0) {
		close(fd);
		return elf_fail(f, "not an ELF file (empty)");
	}
	f->map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (f->map == MAP_FAILED) {
		f->map = NULL;
		return elf_fail(f, "mmap: %s", strerror(errno));
	}
	return elf_read(f);
}

void elf_file_close(struct elf_file *f)
{
	if (f->map)
		munmap(f->map, f->size);
	free(f->defs);
	free(f->needs);
	free(f->needed);
	memset(f, 0, sizeof(*f));
}

static const struct elf_version *elf_version_at(const struct elf_version *v, size_t n,
						unsigned index)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].index == index)
			return &v[i];
	return NULL;
}

void elf_file_symbol(const struct elf_file *f, size_t i, struct elf_symbol *s)
{
	Elf64_Sym sym;
	Elf64_Half vs = VER_NDX_GLOBAL;

	memcpy(&sym, f->syms + i * sizeof(sym), sizeof(sym));
	if (f->versym)
		memcpy(&vs, f->versym + i * sizeof(vs), sizeof(vs));
	s->name = elf_str(f->strs, f->strs_size, sym.st_name);
	if (!s->name)
		s->name = "";
	s->defined = sym.st_shndx != SHN_UNDEF;
	s->weak = ELF64_ST_BIND(sym.st_info) == STB_WEAK;
	s->function = ELF64_ST_TYPE(sym.st_info) == STT_FUNC ||
		      ELF64_ST_TYPE(sym.st_info) == STT_GNU_IFUNC;
	/* Bit 15 of a version index marks name@NODE, hidden from unversioned
	 * lookups; the other bits index the version tables. */
	s->default_version = !(vs & 0x8000);
	s->version = NULL;
	s->version_file = NULL;
	vs &= 0x7fff;
	if (vs <= VER_NDX_GLOBAL)
		return;
	const struct elf_version *v = s->defined ? elf_version_at(f->defs, f->ndefs, vs)
						 : elf_version_at(f->needs, f->nneeds, vs);
	if (v && !v->base) {
		s->version = v->name;
		s->version_file = v->file;
	}
}

const struct elf_version *elf_file_find_def(const struct elf_file *f, const char *name)
{
	for (size_t i = 0; i < f->ndefs; i++)
		if (!f->defs[i].base && strcmp(f->defs[i].name, name) == 0)
			return &f->defs[i];
	return NULL;
}
