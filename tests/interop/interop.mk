# SPDX-License-Identifier: MIT
# interop.mk - several runtimes in one process (included by the top
# Makefile): tests/interop/interop.c with humboldt bound (linked first), the
# default runtime bound (the stub linked first), gcd bound (preloaded), and
# statically linked; the conformance suite with gcd bound and inside gcd
# (CT_HOST, check-inside-gcd); the refusals (refusals.sh).

IOP_DIR := $(BUILD)/tests/interop
IOP_SRC := tests/interop/interop.c tests/interop/interop_sync.c tests/interop/interop_gcd.c
IOP_DEPS := $(IOP_SRC) tests/interop/interop.h $(GCD_INC)/gcd.h $(HUMBOLDT_INC)/humboldt.h abi/async_std.h
IOP_CFLAGS := $(APP_CFLAGS) -I$(GCD_INC) -I$(HUMBOLDT_INC)
IOP_RPATH := -Wl,-rpath,'$$ORIGIN/../..'

# $(pkg-config --libs humboldt gcd) order: humboldt is the bound runtime.
$(IOP_DIR)/interop: $(IOP_DEPS) $(HUMBOLDT_SO) $(GCD_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(IOP_CFLAGS) -o $@ $(IOP_SRC) $(APP_LDFLAGS) -L$(BUILD) -lhumboldt -lgcd -lasync_std \
		$(IOP_RPATH) -lcmocka

$(IOP_DIR)/interop-default: $(IOP_DEPS) $(HUMBOLDT_SO) $(GCD_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(IOP_CFLAGS) -o $@ $(IOP_SRC) $(APP_LDFLAGS) -L$(BUILD) -Wl,--no-as-needed -lasync_std \
		-lhumboldt -lgcd $(IOP_RPATH) -lcmocka

.PHONY: check-interop
check-interop: $(IOP_DIR)/interop $(IOP_DIR)/interop-default $(IOP_DIR)/interop-static $(CONF_BIN) $(GCD_SO)
	@echo "== interop: humboldt bound, gcd beside it"
	RUN_PREFIX="env $(HB_ENV)" tests/run.sh $(IOP_DIR)/interop
	@echo "== interop: the default runtime bound, humboldt and gcd beside it"
	RUN_PREFIX="env $(HB_ENV)" tests/run.sh $(IOP_DIR)/interop-default
	@echo "== interop: gcd bound (LD_PRELOAD=libgcd.so), humboldt beside it"
	RUN_PREFIX="env $(HB_ENV) LD_PRELOAD=$(abspath $(GCD_SO))" tests/run.sh $(IOP_DIR)/interop
	@echo "== interop: statically linked (libhumboldt.a, libgcd-secondary.a)"
	RUN_PREFIX="env $(HB_ENV)" tests/run.sh $(IOP_DIR)/interop-static

# The conformance suite inside gcd: every body as a gcd task (CT_HOST=gcd)
# and as an item of one serial queue (gcd-serial), with humboldt bound and
# with the default runtime bound; make test runs these four in every build
# (plain, ASan+UBSan, TSan, valgrind).  CT_RUN goes in front of the binary
# (valgrind's command line in that build).  GCD_THREADS=2: with one gcd
# worker, a body that spawns 10,000 tasks without yielding holds 10,000 live
# fibers, past the 8,128 threads TSan can track (it counts each fiber as one).
CT_RUN ?=
.PHONY: check-inside-gcd
check-inside-gcd: $(CONF_BIN) $(GCD_SO) $(HUMBOLDT_SO) $(STUB_SO)
	@status=0; for main in humboldt default; do \
		if [ $$main = humboldt ]; then pre=$(HB_PRELOAD); else pre=$(abspath $(STUB_SO)); fi; \
		for host in gcd gcd-serial; do \
			echo "== the conformance suite inside gcd (CT_HOST=$$host), $$main bound"; \
			RUN_PREFIX="env $(HB_ENV) GCD_THREADS=2 CT_HOST=$$host LD_PRELOAD=$$pre:$(abspath $(GCD_SO)) $(CT_RUN)" \
				tests/run.sh --per-group $(CONF_BIN) || status=1; \
		done; \
	done; exit $$status

# The unchanged suite with gcd as the process's runtime.
.PHONY: check-interop-more
check-interop-more: $(CONF_BIN) $(GCD_SO) $(HUMBOLDT_SO) $(STUB_SO)
	@echo "== gcd bound: the unchanged conformance suite (LD_PRELOAD=libgcd.so)"
	RUN_PREFIX="env $(HB_ENV) LD_PRELOAD=$(abspath $(GCD_SO))" tests/run.sh --per-group $(CONF_BIN)

# Plain build only (make check): 16 dlopen'ed copies of an instrumented
# runtime test the sanitizer more than the table.
.PHONY: check-interop-refusals
check-interop-refusals: $(IOP_DIR)/xrt_crash $(IOP_DIR)/xrt_refuse $(IOP_DIR)/libgcd-layout.so $(GCD_SO)
	@echo "== refusals: another layout, a 16th runtime, the first-call race"
	BUILD=$(BUILD) tests/run.sh tests/interop/refusals.sh

# gcd with another AS_XRT_LAYOUT: every object but xrt.o is gcd's own.
$(IOP_DIR)/xrt-layout.o: runtimes/core/xrt.c $(wildcard runtimes/core/*.h)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) $(GCD_CFLAGS) -DAS_XRT_LAYOUT_BASE=0x5a01fff1u -c $< -o $@

$(IOP_DIR)/libgcd-layout.so: $(filter-out $(BUILD)/gcd/runtimes/core/xrt.o,$(GCD_OBJ)) $(IOP_DIR)/xrt-layout.o $(ABI_MAP)
	$(CC) -shared -o $@ $(filter-out $(BUILD)/gcd/runtimes/core/xrt.o,$(GCD_OBJ)) \
		$(IOP_DIR)/xrt-layout.o $(SAN_FLAGS) -Wl,--version-script=$(ABI_MAP) \
		-Wl,--version-script=runtimes/gcd/gcd.map -Wl,-z,nodelete $(RT_LIBS)

$(IOP_DIR)/xrt_refuse: tests/interop/xrt_refuse.c $(HUMBOLDT_SO) $(GCD_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(IOP_CFLAGS) -o $@ $< $(APP_LDFLAGS) -L$(BUILD) -lhumboldt -lgcd -lasync_std \
		$(IOP_RPATH) -ldl

# Statically linked: humboldt's archive (the bound runtime) and gcd's
# secondary archive (its core made local).
$(IOP_DIR)/interop-static: $(IOP_DEPS) $(HUMBOLDT_A) $(GCD_SEC_A)
	@mkdir -p $(@D)
	$(CC) $(IOP_CFLAGS) -o $@ $(IOP_SRC) $(APP_LDFLAGS) -Wl,--export-dynamic $(HUMBOLDT_A) \
		$(GCD_SEC_A) -luring $(RT_LIBS) -lcmocka

$(IOP_DIR)/xrt_crash: tests/interop/xrt_crash.c $(HUMBOLDT_SO) $(GCD_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(IOP_CFLAGS) -o $@ $< $(APP_LDFLAGS) -L$(BUILD) -lhumboldt -lgcd -lasync_std \
		$(IOP_RPATH)
