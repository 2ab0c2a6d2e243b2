# SPDX-License-Identifier: MIT
# async_std - one async ABI, runtimes swapped at link or load time.
#
#   make demo      build and run the echo demo on every runtime
#   make test      unit tests + conformance suite (shared, static, ASan+UBSan)
#   make bench     micro-benchmarks (medians of 5 runs)
#   make install   PREFIX=/usr/local DESTDIR=
#   make SANITIZE=address,undefined|thread ...   sanitizer build in build/<san>/
#
# Both `demo` and `test` run `deps` first when a header or tool is missing.

ARCH    ?= $(shell uname -m)
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
CC      ?= cc
SANITIZE ?=

ifneq ($(SANITIZE),)
BUILD   ?= build/$(subst $(comma),-,$(SANITIZE))
else ifeq ($(VALGRIND),1)
BUILD   ?= build/valgrind
else
BUILD   ?= build
endif
comma := ,

# The ABI version is abi/async_std.h's; the soname carries its major.
abi_define = $(shell sed -n 's/^\#define ASYNC_STD_ABI_$(1) \([0-9][0-9]*\)$$/\1/p' abi/async_std.h)
SOVERSION := $(call abi_define,MAJOR)
ABI_MINOR := $(call abi_define,MINOR)
$(if $(SOVERSION),,$(error abi/async_std.h defines no ASYNC_STD_ABI_MAJOR))
$(if $(ABI_MINOR),,$(error abi/async_std.h defines no ASYNC_STD_ABI_MINOR))

WARN    := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wstrict-prototypes -Wmissing-prototypes
OPT     ?= -O2
CFLAGS_BASE := -std=gnu11 -g $(OPT) -fno-omit-frame-pointer $(WARN) -D_GNU_SOURCE -pthread
SAN_FLAGS :=
ifneq ($(SANITIZE),)
SAN_FLAGS := -fsanitize=$(SANITIZE) -fno-sanitize-recover=undefined
endif
ifneq ($(findstring address,$(SANITIZE)),)
SAN_FLAGS += -DAS_ASAN=1
endif
ifneq ($(findstring thread,$(SANITIZE)),)
SAN_FLAGS += -DAS_TSAN=1
endif
ifeq ($(VALGRIND),1)
SAN_FLAGS += -DAS_VALGRIND=1
endif

# Runtime objects: hidden visibility, position independent; exports come only
# from runtimes/core/exports.c and the shim.  RT_OBJ_FLAGS is also what
# check-cross gives the cross compiler.
RT_OBJ_FLAGS := -fPIC -fvisibility=hidden -Iabi -Iruntimes/core -Ishim
RT_CFLAGS := $(CFLAGS_BASE) $(SAN_FLAGS) $(RT_OBJ_FLAGS) \
             -DAS_RUNTIME_DIR='"$(LIBDIR)/async_std/runtimes"' $(CFLAGS)
# Programs written against the ABI (tests, benchmarks, demo).
APP_CFLAGS := $(CFLAGS_BASE) $(SAN_FLAGS) -Iabi $(CFLAGS)
APP_LDFLAGS := $(SAN_FLAGS) -pthread $(LDFLAGS)

CORE_SRC := $(filter-out runtimes/core/switch_%.S,$(wildcard runtimes/core/*.c)) \
            runtimes/core/switch_$(ARCH).S
# abi/*.c: small libc-only pieces the shim shares with asrt (private).
ABI_SHARED_SRC := $(wildcard abi/*.c)
SHIM_SRC := $(wildcard shim/*.c) $(ABI_SHARED_SRC)
DEFAULT_SRC := $(wildcard runtimes/default/*.c)
# The default runtime's own flags, for every build of it (the stub, its
# aarch64 check, the dispatch benchmark's strong copies): AS_RUNTIME_DEFAULT
# makes epoll.c's and io.c's functions its as__reactor_*, as__read...
DEFAULT_CFLAGS := -DAS_RUNTIME_DEFAULT=1 -DAS_RUNTIME_NAME='"default"'
# In the abi stub its exports are weak, so a runtime linked statically wins.
STUB_CFLAGS := $(DEFAULT_CFLAGS) -DAS_EXPORT_WEAK=1

DEFAULT_OBJ := $(patsubst %,$(BUILD)/default/%.o,$(basename $(CORE_SRC) $(DEFAULT_SRC) $(SHIM_SRC)))

# humboldt: core + its io_uring reactor + the epoll reactor for its fallback
# (as__epoll_*, without the default's aliases) + the shim with humboldt's
# settings rows.
HUMBOLDT_SRC := $(CORE_SRC) runtimes/default/epoll.c runtimes/default/io.c runtimes/default/runtime.c \
                $(wildcard runtimes/humboldt/*.c) $(SHIM_SRC)
HUMBOLDT_OBJ := $(patsubst %,$(BUILD)/humboldt/%.o,$(basename $(HUMBOLDT_SRC)))
# The folder of humboldt's public header (humboldt.h, installed as
# include/humboldt.h); runtimes/humboldt/ itself holds its private headers.
HUMBOLDT_INC := runtimes/humboldt/include
HB_CFLAGS := -DAS_RUNTIME_NAME='"humboldt"' -Iruntimes/default \
             -DAS_RUNTIME_CONFIGURE=hb__runtime_configure \
             -Iruntimes/humboldt -I$(HUMBOLDT_INC) \
             -DAS_RUNTIME_SETTINGS_H='"humboldt_settings.h"'
HUMBOLDT_SO := $(BUILD)/libhumboldt.so
HUMBOLDT_A  := $(BUILD)/libhumboldt.a

# gcd: core + the epoll reactor and I/O calls (the default's, under its own
# name) + its dispatch queues + the shim with gcd's settings rows.
GCD_SRC := $(CORE_SRC) $(DEFAULT_SRC) $(wildcard runtimes/gcd/*.c) $(SHIM_SRC)
GCD_OBJ := $(patsubst %,$(BUILD)/gcd/%.o,$(basename $(GCD_SRC)))
GCD_INC := runtimes/gcd/include
GCD_CFLAGS := -DAS_RUNTIME_DEFAULT=1 -DAS_RUNTIME_NAME='"gcd"' -Iruntimes/default \
              -DAS_RUNTIME_THREADS=gcd__threads -Iruntimes/gcd -I$(GCD_INC) \
              -DAS_RUNTIME_SETTINGS_H='"gcd_settings.h"'
GCD_SO := $(BUILD)/libgcd.so
GCD_A  := $(BUILD)/libgcd.a

STUB_SO   := $(BUILD)/libasync_std.so.$(SOVERSION)
# The version script, generated from abi/abi_list.h (tools/abi-map.sh).
ABI_MAP   := $(BUILD)/async_std.map
STUB_LINK := $(BUILD)/libasync_std.so
STUB_A    := $(BUILD)/libasync_std.a
RT_LIBS   := -ldl -lpthread

.PHONY: all deps need-deps test demo bench install clean
all: $(STUB_SO) $(STUB_LINK) $(STUB_A) $(HUMBOLDT_SO) $(HUMBOLDT_A) $(GCD_SO) $(GCD_A) $(GCD_SEC_A)

# ---- the abi stub with the default runtime (weak exports) -----------------
$(BUILD)/default/%.o: %.c $(wildcard abi/*.h runtimes/core/*.h runtimes/default/*.h shim/*.h)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) $(STUB_CFLAGS) -c $< -o $@

$(BUILD)/default/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -c $< -o $@

$(ABI_MAP): abi/abi_list.h tools/abi-map.sh
	@mkdir -p $(@D)
	CC="$(CC)" tools/abi-map.sh $@

$(STUB_SO): $(DEFAULT_OBJ) $(ABI_MAP)
	$(CC) -shared -o $@ $(DEFAULT_OBJ) $(SAN_FLAGS) -Wl,-soname,libasync_std.so.$(SOVERSION) \
		-Wl,--version-script=$(ABI_MAP) -Wl,-z,now -Wl,--no-undefined $(RT_LIBS)

$(STUB_LINK): $(STUB_SO)
	ln -sf libasync_std.so.$(SOVERSION) $@

$(STUB_A): $(DEFAULT_OBJ)
	@rm -f $@
	ar rcs $@ $(DEFAULT_OBJ)

# ---- humboldt: strong exports, preloadable -----------------------------------
$(BUILD)/humboldt/%.o: %.c $(wildcard abi/*.h runtimes/*/*.h $(HUMBOLDT_INC)/*.h shim/*.h)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) $(HB_CFLAGS) -c $< -o $@

$(BUILD)/humboldt/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -c $< -o $@

# Two version scripts, merged by ld: the ABI's node and HUMBOLDT_1.0.
$(HUMBOLDT_SO): $(HUMBOLDT_OBJ) $(ABI_MAP) runtimes/humboldt/humboldt.map
	$(CC) -shared -o $@ $(HUMBOLDT_OBJ) $(SAN_FLAGS) -Wl,-soname,libhumboldt.so \
		-Wl,--version-script=$(ABI_MAP) \
		-Wl,--version-script=runtimes/humboldt/humboldt.map -Wl,-z,now -Wl,-z,nodelete \
		-Wl,--no-undefined \
		-luring $(RT_LIBS)

$(HUMBOLDT_A): $(HUMBOLDT_OBJ)
	@rm -f $@
	ar rcs $@ $(HUMBOLDT_OBJ)

# ---- gcd: strong exports, preloadable, and loadable beside another runtime -
$(BUILD)/gcd/%.o: %.c $(wildcard abi/*.h runtimes/*/*.h $(GCD_INC)/*.h shim/*.h)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) $(GCD_CFLAGS) -c $< -o $@

$(BUILD)/gcd/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -c $< -o $@

# -z nodelete: its workers, handlers and its entry in the process's table of
# runtimes point into it; it is never unloaded.
$(GCD_SO): $(GCD_OBJ) $(ABI_MAP) runtimes/gcd/gcd.map
	$(CC) -shared -o $@ $(GCD_OBJ) $(SAN_FLAGS) -Wl,-soname,libgcd.so \
		-Wl,--version-script=$(ABI_MAP) \
		-Wl,--version-script=runtimes/gcd/gcd.map -Wl,-z,now -Wl,-z,nodelete \
		-Wl,--no-undefined $(RT_LIBS)

$(GCD_A): $(GCD_OBJ)
	@rm -f $@
	ar rcs $@ $(GCD_OBJ)

# libgcd-secondary.a: gcd to link statically beside another runtime (cc app.c
# libhumboldt.a libgcd-secondary.a).  One relocatable object whose hidden
# symbols, async_std_* exports and main are made local, so that the two
# cores never meet at link time; only gcd_* and the weak symbols every
# runtime shares (async_std__process, __thread_ops, __epipe_ok) stay global.
GCD_SEC_OBJ := $(patsubst %,$(BUILD)/gcd-secondary/%.o,$(basename $(GCD_SRC)))
GCD_SEC_A := $(BUILD)/libgcd-secondary.a
$(BUILD)/gcd-secondary/%.o: %.c $(wildcard abi/*.h runtimes/*/*.h $(GCD_INC)/*.h shim/*.h)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) $(GCD_CFLAGS) -DAS_SECONDARY=1 -c $< -o $@

$(BUILD)/gcd-secondary/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -c $< -o $@

$(GCD_SEC_A): $(GCD_SEC_OBJ)
	@rm -f $@ $(BUILD)/gcd-secondary.o
	$(LD) -r -o $(BUILD)/gcd-secondary.o $(GCD_SEC_OBJ)
	objcopy --localize-hidden --wildcard --localize-symbol='async_std_[a-z]*' \
		--localize-symbol=main $(BUILD)/gcd-secondary.o
	ar rcs $@ $(BUILD)/gcd-secondary.o

# ---- dependencies -------------------------------------------------------
# What the build needs, each found by a file or a tool, with its Debian
# package; tools/need.sh installs the missing ones (and is silent when none is).
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
DEPS_NEED := gcc:build-essential pkg-config:pkg-config \
             /usr/include/liburing.h:liburing-dev \
             /usr/include/$(MULTIARCH)/libunwind.h:libunwind-dev \
             /usr/include/elfutils/libdwfl.h:libdw-dev /usr/include/cmocka.h:libcmocka-dev \
             /usr/include/valgrind/valgrind.h:valgrind \
             aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu abidw:abigail-tools

# `need-deps` is what demo and test depend on; `deps` is its name for people.
deps need-deps:
	@tools/need.sh "make deps" $(DEPS_NEED)

# ---- fragments: tests, benchmarks, demo, install --------------------------
-include tests/unit/unit.mk
-include tests/unit/shim.mk
-include tests/unit/core.mk
-include tests/conformance/conformance.mk
-include bench/bench.mk
-include bench/io.mk
-include bench/dispatch/dispatch.mk
-include bench/peers/peers.mk
-include tools/tools.mk
-include tests/humboldt/humboldt.mk
-include tests/interop/interop.mk
-include tests/shim/shim.mk

# `make bench` also runs the I/O benchmarks (echo and random reads, default
# vs humboldt, about 4 minutes).
bench: bench-io

# ---- make test --------------------------------------------------------
# Everything in build/, then the same suites in build/address-undefined/
# under ASan+UBSan.  Each runner adds its counts to $(TEST_SUMMARY); the last
# line is the total.
TEST_SUMMARY ?= $(abspath build/test-summary)
export TEST_SUMMARY

.PHONY: check check-san check-valgrind check-valgrind-plain check-tsan
# The interop suite and the conformance suite inside gcd under
# ThreadSanitizer, with the fiber annotations (a report makes the binary exit
# non-zero, which counts as a failure).  The suite on its own runtimes is
# the same core under TSan; make test stays short.
check-tsan: check-interop check-inside-gcd

# Under valgrind, built with its stack annotations: the conformance suite
# inside gcd (the four runs of check-inside-gcd; humboldt falls back to
# epoll there, so both copies of core and the epoll reactor run), and the
# interop suite.  --fair-sched=yes: valgrind runs one thread at a time, and
# its default lock lets a thread that spins by design (the dump group's
# spinner) take it back at once, for as long as the machine's load lets it.
VG_RUN := valgrind -q --fair-sched=yes --error-exitcode=9 --suppressions=$(abspath tests/valgrind.supp)
ifeq ($(VALGRIND),1)
CT_RUN := $(VG_RUN)
check-valgrind: export TEST_TIMEOUT := 3600
endif
check-valgrind: check-inside-gcd $(BUILD)/tests/interop/interop
	@echo "== interop under valgrind"
	RUN_PREFIX="$(VG_RUN)" tests/run.sh $(BUILD)/tests/interop/interop

# The plain build (what `make install` installs) under plain valgrind: the
# stacks are registered in every build, so valgrind reports no false errors.
check-valgrind-plain: $(BUILD)/tests/conformance/conformance
	@log=$(BUILD)/valgrind-plain.log; \
	if $(VG_RUN) $(BUILD)/tests/conformance/conformance --group tasks \
		>$$log 2>&1; then \
		echo "check-valgrind-plain: the tasks group of the plain build, no valgrind errors"; \
		echo "1 0 0" >>$(TEST_SUMMARY); \
	else \
		tail -40 $$log; echo "check-valgrind-plain: FAILED (valgrind errors or a failed test; $$log)"; \
		echo "0 1 0" >>$(TEST_SUMMARY); false; \
	fi

check: all check-abi check-cross check-unit test-shim check-core check-conformance check-humboldt \
       check-interop check-inside-gcd check-interop-more check-interop-refusals check-shim check-tools \
       check-install check-spdx check-valgrind-plain

# Every tracked source file carries the MIT SPDX line (tools/spdx.sh --fix adds it).
.PHONY: check-spdx
check-spdx:
	@tools/spdx.sh

# aarch64 must at least compile: every runtime source with the cross compiler.
CROSS_CC ?= aarch64-linux-gnu-gcc
CROSS_SRC := $(filter-out runtimes/core/switch_%.S,$(CORE_SRC)) runtimes/core/switch_aarch64.S \
             $(DEFAULT_SRC) $(SHIM_SRC)
.PHONY: check-cross
check-cross:
	@mkdir -p $(BUILD)/cross
	@ok=0; bad=0; for f in $(CROSS_SRC); do \
		if $(CROSS_CC) $(CFLAGS_BASE) $(RT_OBJ_FLAGS) $(STUB_CFLAGS) -c $$f -o $(BUILD)/cross/x.o; \
		then ok=$$((ok+1)); else bad=$$((bad+1)); echo "check-cross: $$f does not compile for aarch64"; fi; \
	done; echo "check-cross: $$ok sources compile for aarch64, $$bad do not"; \
	echo "$$([ $$bad = 0 ] && echo 1 || echo 0) $$([ $$bad = 0 ] && echo 0 || echo 1) 0" >>$(TEST_SUMMARY); [ $$bad = 0 ]
check-san: all check-unit test-shim check-core check-conformance check-humboldt check-interop \
           check-inside-gcd check-interop-more check-shim

# What each leg of make test runs, built first: the four builds at once
# (building is a third of make test's time, and serial).  A binary
# missing from a list is still built by its check target, only not in
# parallel.
BUILD_INTEROP := $(CONF_BIN) $(GCD_SO) $(HUMBOLDT_SO) $(STUB_SO) \
	$(IOP_DIR)/interop $(IOP_DIR)/interop-default $(IOP_DIR)/interop-static
BUILD_SAN := all $(ASRT) $(BUILD_RUNTIMES)/libhumboldt.so $(BUILD_RUNTIMES)/libgcd.so \
	$(UNIT_TESTS) $(SHIM_UNIT_TESTS) $(CORE_UNIT_TESTS) $(CONF_BIN) $(CONF_STATIC) $(HB_TESTS) \
	$(BUILD_INTEROP) $(SHIM_VICTIMS) $(SHIM_TEST_DIR)/sigpipe
BUILD_PLAIN := $(BUILD_SAN) $(IOP_DIR)/xrt_crash $(IOP_DIR)/xrt_refuse $(IOP_DIR)/libgcd-layout.so \
	$(TOOLS_TEST_BINS)
.PHONY: build-plain build-san build-interop test-build
build-plain: $(BUILD_PLAIN)
build-san: $(BUILD_SAN)
build-interop: $(BUILD_INTEROP)
test-build:
	@$(MAKE) --no-print-directory build-plain & p1=$$!; \
	$(MAKE) --no-print-directory SANITIZE=address,undefined build-san & p2=$$!; \
	$(MAKE) --no-print-directory VALGRIND=1 build-interop & p3=$$!; \
	$(MAKE) --no-print-directory SANITIZE=thread build-interop & p4=$$!; \
	s=0; for p in $$p1 $$p2 $$p3 $$p4; do wait $$p || s=1; done; exit $$s

# The plain and ASan legs one after the other, then the valgrind leg (one
# core: valgrind runs one thread at a time) beside the TSan leg; the
# valgrind leg's output follows the TSan leg's.
test: need-deps
	@mkdir -p build && rm -f $(TEST_SUMMARY)
	@status=0; \
	$(MAKE) --no-print-directory test-build || status=1; \
	$(MAKE) --no-print-directory check || status=1; \
	$(MAKE) --no-print-directory SANITIZE=address,undefined check-san || status=1; \
	vlog=build/check-valgrind.log; \
	{ $(MAKE) --no-print-directory VALGRIND=1 check-valgrind >$$vlog 2>&1; echo $$? >$$vlog.status; } & \
	$(MAKE) --no-print-directory SANITIZE=thread check-tsan || status=1; \
	wait; echo "== the valgrind leg (build/check-valgrind.log)"; cat $$vlog; \
	[ "$$(cat $$vlog.status)" = 0 ] || status=1; \
	tests/summary.sh $(TEST_SUMMARY); s2=$$?; \
	[ $$status = 0 ] && [ $$s2 = 0 ]

clean:
	rm -rf build
