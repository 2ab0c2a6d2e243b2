# SPDX-License-Identifier: MIT
# bench/io.mk - the I/O benchmarks of issue 3 (included by the top Makefile).
#
#   make bench-io   echo throughput and 4 KiB random file reads, default
#                   runtime vs humboldt, medians of 7 interleaved rounds,
#                   about 3.5 minutes (bench/io/run.sh; the markdown table
#                   goes to stdout and $(BUILD)/bench-io.md)
#
# echo_server is bench/echo/echo_server.c, built here against the abi stub
# (the same binary runs under LD_PRELOAD=libhumboldt.so); echo_load is a
# plain epoll/pthreads client, the same for every runtime; randread is an
# async_std program.  The 1 GiB data file is $(BUILD)/bench-io.dat, created
# once by run.sh and reused.  Sizes come from BENCH_IO_* variables in the
# environment (see bench/io/run.sh).

BENCH_IO_DIR  := $(BUILD)/bench/io
BENCH_IO_BINS := $(BENCH_IO_DIR)/echo_server $(BENCH_IO_DIR)/echo_load $(BENCH_IO_DIR)/randread
# $ORIGIN keeps the build tree relocatable: the stub sits two levels up.
BENCH_IO_RPATH := -Wl,-rpath,'$$ORIGIN/../..'

.PHONY: bench-io bench-io-build
bench-io-build: $(BENCH_IO_BINS)

$(BENCH_IO_DIR)/echo_server: bench/echo/echo_server.c bench/bench.h abi/async_std.h $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< $(STUB_LINK) $(BENCH_IO_RPATH) $(APP_LDFLAGS)

$(BENCH_IO_DIR)/randread: bench/io/randread.c bench/io/cpu_sample.h bench/bench.h bench/latency.h \
		abi/async_std.h $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< $(STUB_LINK) $(BENCH_IO_RPATH) $(APP_LDFLAGS)

# No async_std: the client must not depend on the runtime under test.
$(BENCH_IO_DIR)/echo_load: bench/io/echo_load.c bench/io/cpu_sample.h bench/bench.h bench/latency.h
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< $(APP_LDFLAGS)

bench-io: $(BENCH_IO_BINS) $(HUMBOLDT_SO)
	BUILD=$(BUILD) bench/io/run.sh
