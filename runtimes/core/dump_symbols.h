/* SPDX-License-Identifier: MIT */
/*
 * dump_symbols.h - address-to-name lookups for task dumps, cached per dump
 * (dump_symbols.c).
 */
#ifndef AS_DUMP_SYMBOLS_H
#define AS_DUMP_SYMBOLS_H

#include <stdbool.h>
#include <stdint.h>

struct as_symbolizer;

/* NULL when out of memory. */
struct as_symbolizer *as__sym_open(void);
void as__sym_close(struct as_symbolizer *s);
/* "function+0xoff (file:line)", as much as is known; valid until close. */
const char *as__sym_lookup(struct as_symbolizer *s, uintptr_t pc);
/* Whether libdw is in use (static functions and lines are known). */
bool as__sym_has_lines(const struct as_symbolizer *s);

#endif
