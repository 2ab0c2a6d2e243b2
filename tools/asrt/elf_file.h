/* SPDX-License-Identifier: MIT */
/*
 * elf_file.h - a small reader of what the dynamic linker sees in an ELF64
 * file: .dynsym/.dynstr, symbol versions (.gnu.version, _d, _r), DT_NEEDED.
 * asrt reads runtimes this way instead of dlopen, whose constructors would run.
 */
#ifndef ASRT_ELF_FILE_H
#define ASRT_ELF_FILE_H

#include <stdbool.h>
#include <stddef.h>

/* A version node the file defines (.gnu.version_d) or needs (.gnu.version_r). */
struct elf_version {
	unsigned index;   /* what .gnu.version entries refer to */
	bool base;        /* the file's own name (VER_FLG_BASE), not a node */
	const char *name; /* e.g. "ASYNC_STD_1.0" */
	const char *file; /* needs only: the soname it is needed from */
};

struct elf_symbol {
	const char *name;
	bool defined;
	bool weak;
	bool function;       /* STT_FUNC or STT_GNU_IFUNC */
	bool default_version; /* name@@NODE (or unversioned), not name@NODE */
	const char *version; /* NULL: unversioned */
	const char *version_file; /* undefined: the soname the version comes from */
};

struct elf_file {
	const char *path;
	char error[256]; /* why elf_file_open failed, without the path */
	void *map;
	size_t size;
	const unsigned char *syms; /* Elf64_Sym[nsyms], read through memcpy */
	size_t nsyms;
	const char *strs; /* .dynstr */
	size_t strs_size;
	const unsigned char *versym; /* Elf64_Half[nsyms] or NULL */
	struct elf_version *defs;
	size_t ndefs;
	struct elf_version *needs;
	size_t nneeds;
	const char **needed; /* DT_NEEDED sonames */
	size_t nneeded;
	const char *soname; /* DT_SONAME or NULL */
};

/* 0, or -1 with f->error set ("not an ELF file", ...); close it either way. */
int elf_file_open(struct elf_file *f, const char *path);
void elf_file_close(struct elf_file *f);

/* Fills *s with dynamic symbol i (1 .. nsyms-1; 0 is the null symbol). */
void elf_file_symbol(const struct elf_file *f, size_t i, struct elf_symbol *s);

/* The node named `name` that f defines (not the base entry), or NULL. */
const struct elf_version *elf_file_find_def(const struct elf_file *f, const char *name);

#endif
