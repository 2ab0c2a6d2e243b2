# SPDX-License-Identifier: MIT
# bench/bench.mk - benchmarks and the echo demo (included by the top Makefile).
#
#   make bench   micro-benchmarks, 5 runs each (bench/run.sh), then a soak of
#                10,000 connections for a minute on each runtime (bench/soak.sh)
#   make demo    echo server + load client on every runtime (bench/demo.sh)
#
# Programs link dynamically against the abi stub with an rpath to it, so the
# same binaries also run under LD_PRELOAD of another runtime.  switch_floor
# calls internal core functions and links the static archive instead.

BENCH_DIR   := $(BUILD)/bench
BENCH_PROGS := yield spawn_join sleep0 sleepers timers cancel_storm soak busy_io chan_pingpong mutex dump
ECHO_PROGS  := echo_server echo_client
BENCH_BINS  := $(addprefix $(BENCH_DIR)/,$(BENCH_PROGS) $(ECHO_PROGS)) $(BENCH_DIR)/interop
BENCH_FLOOR := $(BENCH_DIR)/switch_floor
# $ORIGIN keeps the build tree relocatable: the stub sits one level up.
BENCH_RPATH := -Wl,-rpath,'$$ORIGIN/..'

.PHONY: bench demo bench-build
bench-build: $(BENCH_BINS) $(BENCH_FLOOR)

$(BENCH_DIR)/%: bench/%.c bench/bench.h abi/async_std.h $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< $(STUB_LINK) $(BENCH_RPATH) $(APP_LDFLAGS)

$(BENCH_DIR)/%: bench/echo/%.c bench/bench.h bench/latency.h abi/async_std.h $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< $(STUB_LINK) $(BENCH_RPATH) $(APP_LDFLAGS)

# humboldt bound (linked first) and gcd beside it.
$(BENCH_DIR)/interop: bench/interop.c bench/bench.h abi/async_std.h $(GCD_INC)/gcd.h $(HUMBOLDT_SO) $(GCD_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -I$(GCD_INC) -o $@ $< -L$(BUILD) -lhumboldt -lgcd -lasync_std \
		$(BENCH_RPATH) $(APP_LDFLAGS)

FLOOR_ASM := $(wildcard bench/switch_jmp_$(ARCH).S)
$(BENCH_FLOOR): bench/switch_floor.c $(FLOOR_ASM) bench/bench.h $(wildcard runtimes/core/*.h) $(STUB_A)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -o $@ $< $(FLOOR_ASM) $(STUB_A) $(APP_LDFLAGS) $(RT_LIBS)

bench: bench-build $(HUMBOLDT_SO) $(BUILD)/tests/humboldt/no_uring
	BUILD=$(BUILD) bench/run.sh
	BUILD=$(BUILD) bench/soak.sh

demo: need-deps $(addprefix $(BENCH_DIR)/,$(ECHO_PROGS)) $(HUMBOLDT_SO)
	BUILD=$(BUILD) bench/demo.sh
