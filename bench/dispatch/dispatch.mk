# SPDX-License-Identifier: MIT
# bench/dispatch/dispatch.mk - the dispatch benchmark of issue 4 (included by
# the top Makefile): one source, bench/dispatch/dispatch.c, built once per
# way of binding a call, all run by bench/dispatch/run.sh.
#
#   make bench-dispatch   ns per call (median, min, max of 9 interleaved
#                         runs) and instructions per call (callgrind) for
#                         every variant; writes bench/results/dispatch.md
#                         and dispatch.svg (about 2 minutes)
#
# Variants ($(BUILD)/bench/dispatch/<name>):
#   plt        dynamic link to the abi stub (also run with LD_PRELOAD=libhumboldt.so)
#   fno-plt    the same, compiled with -fno-plt (calls through the GOT)
#   vtable     every call through async_std_runtime_ops(), stub linked
#   static     default runtime linked statically, strong exports
#   lto        the same with -flto on the program and the runtime
#   direct     the runtime's internal as__<name> called directly
#   static-humboldt   libhumboldt.a linked statically
# The default runtime's strong objects are compiled here, from the same
# sources and flags as the stub's (DEFAULT_CFLAGS, without the stub's weak
# exports), once plain (obj/strong/) and once with -flto (obj/lto/).

DISPATCH_DIR  := $(BUILD)/bench/dispatch
DISPATCH_SRC  := bench/dispatch/dispatch.c
DISPATCH_DEPS := $(DISPATCH_SRC) bench/dispatch/call.h bench/bench.h abi/async_std.h
# $ORIGIN keeps the build tree relocatable: the stub sits two levels up.
DISPATCH_RPATH := -Wl,-rpath,'$$ORIGIN/../..'
DISPATCH_VARIANTS := plt fno-plt vtable static lto direct static-humboldt
DISPATCH_BINS := $(addprefix $(DISPATCH_DIR)/,$(DISPATCH_VARIANTS))
# Runs a command with io_uring_setup refused (humboldt under callgrind): the
# launcher humboldt's fallback test uses (tests/humboldt/humboldt.mk).
DISPATCH_NO_RING := $(BUILD)/tests/humboldt/no_uring

DISPATCH_RT_SRC := $(CORE_SRC) $(DEFAULT_SRC) $(SHIM_SRC)
DISPATCH_RT_HDR := $(wildcard abi/*.h runtimes/core/*.h runtimes/default/*.h shim/*.h)
DISPATCH_STRONG_OBJ := $(patsubst %,$(DISPATCH_DIR)/obj/strong/%.o,$(basename $(DISPATCH_RT_SRC)))
DISPATCH_LTO_OBJ    := $(patsubst %,$(DISPATCH_DIR)/obj/lto/%.o,$(basename $(DISPATCH_RT_SRC)))
DISPATCH_STRONG_A   := $(DISPATCH_DIR)/libdefault-strong.a
DISPATCH_LTO_A      := $(DISPATCH_DIR)/libdefault-lto.a
# -flto=auto: the link's LTRANS jobs run in parallel (no serial-build note).
DISPATCH_LTO := -flto=auto

.PHONY: bench-dispatch bench-dispatch-build bench-dispatch-deps
bench-dispatch-build: $(DISPATCH_BINS) $(DISPATCH_NO_RING)

# ---- the default runtime with strong exports, plain and LTO ---------------
$(DISPATCH_DIR)/obj/strong/%.o: %.c $(DISPATCH_RT_HDR)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) $(DEFAULT_CFLAGS) -c $< -o $@

$(DISPATCH_DIR)/obj/lto/%.o: %.c $(DISPATCH_RT_HDR)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) $(DEFAULT_CFLAGS) $(DISPATCH_LTO) -c $< -o $@

# Assembly has no LTO form: the same object in both archives (two rules: a
# pattern rule with two targets would be one recipe making both).
$(DISPATCH_DIR)/obj/strong/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -c $< -o $@

$(DISPATCH_DIR)/obj/lto/%.o: %.S
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -c $< -o $@

# Archives, as a user links a runtime (shim/main.o, the library's main, is
# pulled in only by a program without main).  gcc-ar indexes LTO objects.
$(DISPATCH_STRONG_A): $(DISPATCH_STRONG_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(DISPATCH_LTO_A): $(DISPATCH_LTO_OBJ)
	@rm -f $@
	gcc-ar rcs $@ $^

# ---- the variants -----------------------------------------------------------
$(DISPATCH_DIR)/plt: $(DISPATCH_DEPS) $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $(DISPATCH_SRC) $(STUB_LINK) $(DISPATCH_RPATH) $(APP_LDFLAGS)

$(DISPATCH_DIR)/fno-plt: $(DISPATCH_DEPS) $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -fno-plt -o $@ $(DISPATCH_SRC) $(STUB_LINK) $(DISPATCH_RPATH) \
		$(APP_LDFLAGS)

$(DISPATCH_DIR)/vtable: $(DISPATCH_DEPS) $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -DDISPATCH_VTABLE -o $@ $(DISPATCH_SRC) $(STUB_LINK) \
		$(DISPATCH_RPATH) $(APP_LDFLAGS)

$(DISPATCH_DIR)/static: $(DISPATCH_DEPS) $(DISPATCH_STRONG_A)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $(DISPATCH_SRC) $(DISPATCH_STRONG_A) $(APP_LDFLAGS) $(RT_LIBS)

$(DISPATCH_DIR)/lto: $(DISPATCH_DEPS) $(DISPATCH_LTO_A)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) $(DISPATCH_LTO) -o $@ $(DISPATCH_SRC) $(DISPATCH_LTO_A) \
		$(APP_LDFLAGS) $(RT_LIBS)

# RT_CFLAGS: the internal headers and the runtime's own flags, as switch_floor.
$(DISPATCH_DIR)/direct: $(DISPATCH_DEPS) $(DISPATCH_STRONG_A) $(wildcard runtimes/core/*.h)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -DDISPATCH_DIRECT -o $@ $(DISPATCH_SRC) $(DISPATCH_STRONG_A) \
		$(APP_LDFLAGS) $(RT_LIBS)

$(DISPATCH_DIR)/static-humboldt: $(DISPATCH_DEPS) $(HUMBOLDT_A)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $(DISPATCH_SRC) $(HUMBOLDT_A) -luring $(APP_LDFLAGS) $(RT_LIBS)

# ---- tools and the run --------------------------------------------------------
# gnuplot draws the chart, valgrind counts instructions (callgrind.h too),
# objdump shows the loops; all required.
DISPATCH_NEED := gnuplot:gnuplot-nox valgrind:valgrind objdump:binutils gcc-ar:gcc \
                 /usr/include/valgrind/callgrind.h:valgrind
bench-dispatch-deps:
	@tools/need.sh bench-dispatch $(DISPATCH_NEED)

bench-dispatch: bench-dispatch-deps
	@$(MAKE) --no-print-directory need-deps
	@$(MAKE) --no-print-directory bench-dispatch-build $(HUMBOLDT_SO)
	BUILD=$(BUILD) bench/dispatch/run.sh
