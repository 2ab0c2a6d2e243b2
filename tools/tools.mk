# SPDX-License-Identifier: MIT
# tools/tools.mk - the asrt tool, installation, and the ABI checks (the
# agreement script and libabigail baselines); included by the top Makefile.

VERSION := $(SOVERSION).$(ABI_MINOR).0
PCDIR   ?= $(LIBDIR)/pkgconfig
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
# Where asrt and the shim look for runtimes by name (lib<NAME>.so).
RUNTIMES_DIR := $(LIBDIR)/async_std/runtimes

# ---- asrt ---------------------------------------------------------------
ASRT      := $(BUILD)/asrt
ASRT_SRC  := $(wildcard tools/asrt/*.c)
# With the parsers it shares with the shim (abi/*.c), so both accept the same.
ASRT_OBJ  := $(patsubst %.c,$(BUILD)/%.o,$(ASRT_SRC)) \
             $(patsubst abi/%.c,$(BUILD)/tools/abi/%.o,$(ABI_SHARED_SRC))
# The installed paths asrt falls back on.  The stamp changes only when they
# do, so `make install PREFIX=/opt/x` rebuilds what depends on them.
ASRT_PATHS := $(BUILD)/tools/asrt-paths
ASRT_PATH_FLAGS := -DASRT_RUNTIME_DIR='"$(RUNTIMES_DIR)"' \
                   -DASRT_STUB_PATH='"$(LIBDIR)/libasync_std.so.$(SOVERSION)"'

$(ASRT_PATHS): asrt-paths-force
	@mkdir -p $(@D)
	@echo '$(ASRT_PATH_FLAGS)' >$@.new
	@if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi
.PHONY: asrt-paths-force
asrt-paths-force:

# The ABI list and version are compiled in (asrt check), hence -Iabi.
$(BUILD)/tools/asrt/%.o: tools/asrt/%.c $(wildcard tools/asrt/*.h) $(wildcard abi/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(SAN_FLAGS) -Iabi $(ASRT_OBJ_FLAGS) $(CFLAGS) -c $< -o $@

$(BUILD)/tools/abi/%.o: abi/%.c $(wildcard abi/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) $(SAN_FLAGS) -Iabi $(CFLAGS) -c $< -o $@

$(BUILD)/tools/asrt/runtime_dir.o: $(ASRT_PATHS)
# The shim compiles the installed runtime directory in too (AS_RUNTIME_DIR).
$(BUILD)/default/shim/select.o $(BUILD)/humboldt/shim/select.o $(BUILD)/gcd/shim/select.o: $(ASRT_PATHS)
$(BUILD)/tools/asrt/runtime_dir.o: ASRT_OBJ_FLAGS := $(ASRT_PATH_FLAGS)

$(ASRT): $(ASRT_OBJ)
	$(CC) -o $@ $(ASRT_OBJ) $(SAN_FLAGS) $(LDFLAGS)

# The build tree mirrors the installed layout, so the shim (which looks in
# <dir of libasync_std.so.1>/async_std/runtimes) finds humboldt by name.
BUILD_RUNTIMES := $(BUILD)/async_std/runtimes
$(BUILD_RUNTIMES)/libhumboldt.so: | $(HUMBOLDT_SO)
	@mkdir -p $(@D)
	ln -sfn ../../libhumboldt.so $@
$(BUILD_RUNTIMES)/libgcd.so: | $(GCD_SO)
	@mkdir -p $(@D)
	ln -sfn ../../libgcd.so $@

.PHONY: asrt
asrt: $(ASRT) $(BUILD_RUNTIMES)/libhumboldt.so $(BUILD_RUNTIMES)/libgcd.so
all: asrt

# ---- install ----------------------------------------------------------------
# pkg-config file from a template: $(call install_pc,template,name).
install_pc = sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
	-e 's|@VERSION@|$(VERSION)|' $(1) >$(DESTDIR)$(PCDIR)/$(2).pc

.PHONY: install abi-check abi-baseline check-abi check-install check-tools
install: $(STUB_SO) $(STUB_A) $(HUMBOLDT_SO) $(HUMBOLDT_A) $(GCD_SO) $(GCD_A) $(GCD_SEC_A) $(ASRT)
	install -d $(DESTDIR)$(INCDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PCDIR) \
		$(DESTDIR)$(RUNTIMES_DIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 644 abi/async_std.h $(DESTDIR)$(INCDIR)/async_std.h
	install -m 644 $(HUMBOLDT_INC)/humboldt.h $(DESTDIR)$(INCDIR)/humboldt.h
	install -m 644 $(GCD_INC)/gcd.h $(DESTDIR)$(INCDIR)/gcd.h
	install -m 755 $(STUB_SO) $(DESTDIR)$(LIBDIR)/libasync_std.so.$(VERSION)
	ln -sf libasync_std.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libasync_std.so.$(SOVERSION)
	ln -sf libasync_std.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libasync_std.so
	install -m 644 $(STUB_A) $(DESTDIR)$(LIBDIR)/libasync_std.a
	@# The runtime lives where it is found by name; lib/libhumboldt.so is
	@# for linking humboldt's extensions (-lhumboldt) and LD_PRELOAD.
	install -m 755 $(HUMBOLDT_SO) $(DESTDIR)$(RUNTIMES_DIR)/libhumboldt.so
	ln -sf async_std/runtimes/libhumboldt.so $(DESTDIR)$(LIBDIR)/libhumboldt.so
	install -m 644 $(HUMBOLDT_A) $(DESTDIR)$(LIBDIR)/libhumboldt.a
	install -m 755 $(GCD_SO) $(DESTDIR)$(RUNTIMES_DIR)/libgcd.so
	ln -sf async_std/runtimes/libgcd.so $(DESTDIR)$(LIBDIR)/libgcd.so
	install -m 644 $(GCD_A) $(DESTDIR)$(LIBDIR)/libgcd.a
	install -m 644 $(GCD_SEC_A) $(DESTDIR)$(LIBDIR)/libgcd-secondary.a
	$(call install_pc,abi/async_std.pc.in,async_std)
	$(call install_pc,tools/humboldt.pc.in,humboldt)
	$(call install_pc,tools/gcd.pc.in,gcd)
	install -m 755 $(ASRT) $(DESTDIR)$(BINDIR)/asrt
	install -m 644 tools/asrt.1 $(DESTDIR)$(MANDIR)/man1/asrt.1

# ---- ABI checks ---------------------------------------------------------
# check-abi: the header, abi_list.h, the generated map and the exports agree, and
# libabigail finds no incompatible change against the baselines in abi/
# (tools/abi-compat.sh says which changes fail).  After an intended change,
# `make abi-baseline` records the new ABI; commit the .abi files with it.
ABI_HEADERS_STUB := abi/async_std.h
ABI_HEADERS_HB   := abi/async_std.h $(HUMBOLDT_INC)/humboldt.h
ABI_HEADERS_GCD  := abi/async_std.h $(GCD_INC)/gcd.h

check-abi: $(STUB_SO) $(HUMBOLDT_SO) $(GCD_SO) $(ABI_MAP)
	@status=0; \
	CC=$(CC) tools/abi-check.sh $(STUB_SO) $(ABI_MAP) || status=1; \
	tools/abi-compat.sh check abi/libasync_std.abi $(STUB_SO) $(ABI_HEADERS_STUB) || status=1; \
	tools/abi-compat.sh check abi/libhumboldt.abi $(HUMBOLDT_SO) $(ABI_HEADERS_HB) || status=1; \
	tools/abi-compat.sh check abi/libgcd.abi $(GCD_SO) $(ABI_HEADERS_GCD) || status=1; \
	exit $$status

abi-check: check-abi

abi-baseline: $(STUB_SO) $(HUMBOLDT_SO) $(GCD_SO)
	tools/abi-compat.sh dump $(STUB_SO) abi/libasync_std.abi $(ABI_HEADERS_STUB)
	tools/abi-compat.sh dump $(HUMBOLDT_SO) abi/libhumboldt.abi $(ABI_HEADERS_HB)
	tools/abi-compat.sh dump $(GCD_SO) abi/libgcd.abi $(ABI_HEADERS_GCD)

# ---- tests --------------------------------------------------------------
# Installs into a scratch DESTDIR and builds the README's example with
# pkg-config alone, then runs it under each runtime, shared and static.
check-install:
	@rm -rf $(BUILD)/stage
	@$(MAKE) --no-print-directory install DESTDIR=$(abspath $(BUILD)/stage) PREFIX=/usr/local >/dev/null
	tools/check-install.sh $(abspath $(BUILD)/stage) /usr/local "$(CC)"

# asrt against the build tree, a partial runtime and a fake dump target;
# abi-compat.sh against deliberately changed small libraries.
-include tests/tools/tools_tests.mk
