# SPDX-License-Identifier: MIT
# humboldt.mk - humboldt's own checks (included by the top Makefile): the
# unchanged conformance binary under LD_PRELOAD, statically linked with
# libhumboldt.a, and under the seccomp-forced fallback; the binding test; the
# fallback's one line and HUMBOLDT_* validation; the extension API
# (humboldt.h) on io_uring, on the fallback (ENOTSUP), on a kernel without
# the probe (skips), with a low `ulimit -l`, and its weak-symbol idiom both
# ways.

HB_TEST_DIR := $(BUILD)/tests/humboldt
HB_PRELOAD  := $(abspath $(HUMBOLDT_SO))
CONF_HB_STATIC := $(CONF_DIR)/conformance-humboldt-static
# An ASan program must have its runtime first: a preloaded library comes
# before it, which is fine here (the preloaded one is instrumented too).
HB_ENV := ASAN_OPTIONS=verify_asan_link_order=0

$(HB_TEST_DIR)/no_uring: tests/humboldt/no_uring.c
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< $(APP_LDFLAGS)

$(HB_TEST_DIR)/test_binding: tests/humboldt/test_binding.c $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -Iruntimes/core -o $@ $< $(APP_LDFLAGS) -L$(BUILD) -lasync_std \
		-Wl,-rpath,'$$ORIGIN/../..' -ldl -lcmocka

# Cancelled recvs into stack buffers, stacks reused: run on every runtime.
$(HB_TEST_DIR)/test_cancel_reuse: tests/humboldt/test_cancel_reuse.c $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< $(APP_LDFLAGS) -L$(BUILD) -lasync_std \
		-Wl,-rpath,'$$ORIGIN/../..' -lcmocka

$(HB_TEST_DIR)/test_binding-static: tests/humboldt/test_binding.c $(HUMBOLDT_A)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -Iruntimes/core -o $@ $< $(APP_LDFLAGS) -Wl,--export-dynamic \
		$(HUMBOLDT_A) -luring $(RT_LIBS) -lcmocka

$(HB_TEST_DIR)/low_memlock: tests/humboldt/low_memlock.c
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< $(APP_LDFLAGS)

# test_ext: main and the plain-thread test in test_ext.c, the shared harness
# in ext_harness.[ch], one ext_*.c file per extension.
HB_EXT_SRC := tests/humboldt/test_ext.c tests/humboldt/ext_harness.c \
              tests/humboldt/ext_accept.c tests/humboldt/ext_bufring.c \
              tests/humboldt/ext_send_zc.c tests/humboldt/ext_files.c \
              tests/humboldt/ext_buffers.c tests/humboldt/ext_timeout.c
HB_EXT_DEPS := $(HB_EXT_SRC) tests/humboldt/ext_harness.h $(HUMBOLDT_INC)/humboldt.h

# Linked against the abi stub only, with humboldt.h's functions weak: it runs
# under LD_PRELOAD=libhumboldt.so.
$(HB_TEST_DIR)/test_ext: $(HB_EXT_DEPS) $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -I$(HUMBOLDT_INC) -DHUMBOLDT_WEAK -o $@ $(HB_EXT_SRC) $(APP_LDFLAGS) \
		-L$(BUILD) -lasync_std -Wl,-rpath,'$$ORIGIN/../..' -luring -lcmocka

$(HB_TEST_DIR)/test_ext-static: $(HB_EXT_DEPS) $(HUMBOLDT_A)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -I$(HUMBOLDT_INC) -o $@ $(HB_EXT_SRC) $(APP_LDFLAGS) $(HUMBOLDT_A) -luring \
		$(RT_LIBS) -lcmocka

# The idiom of humboldt.h: no humboldt header, no humboldt library.
$(HB_TEST_DIR)/weak_idiom: tests/humboldt/weak_idiom.c $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< $(APP_LDFLAGS) -L$(BUILD) -lasync_std \
		-Wl,-rpath,'$$ORIGIN/../..'

$(CONF_HB_STATIC): $(CONF_OBJ) $(HUMBOLDT_A)
	$(CC) -o $@ $(CONF_OBJ) $(APP_LDFLAGS) $(HUMBOLDT_A) -luring -lcmocka $(RT_LIBS)

HB_TESTS := $(HB_TEST_DIR)/no_uring $(HB_TEST_DIR)/test_binding $(HB_TEST_DIR)/test_cancel_reuse \
            $(HB_TEST_DIR)/test_binding-static $(CONF_HB_STATIC) $(CONF_BIN) \
            $(HB_TEST_DIR)/low_memlock $(HB_TEST_DIR)/test_ext $(HB_TEST_DIR)/test_ext-static \
            $(HB_TEST_DIR)/weak_idiom

.PHONY: check-humboldt
check-humboldt: $(HB_TESTS) $(HUMBOLDT_SO)
	@echo "== humboldt: LD_PRELOAD"
	RUN_PREFIX="env $(HB_ENV) LD_PRELOAD=$(HB_PRELOAD)" tests/run.sh \
		$(HB_TEST_DIR)/test_binding $(HB_TEST_DIR)/test_cancel_reuse --per-group $(CONF_BIN)
	@echo "== cancelled recv, reused stacks: default runtime and humboldt's fallback"
	tests/run.sh $(HB_TEST_DIR)/test_cancel_reuse
	RUN_PREFIX="$(HB_TEST_DIR)/no_uring env $(HB_ENV) LD_PRELOAD=$(HB_PRELOAD)" \
		tests/run.sh $(HB_TEST_DIR)/test_cancel_reuse
	@echo "== humboldt: static link with libhumboldt.a"
	tests/run.sh $(HB_TEST_DIR)/test_binding-static --per-group $(CONF_HB_STATIC)
	@echo "== humboldt: io_uring_setup forbidden by seccomp (epoll fallback)"
	RUN_PREFIX="$(HB_TEST_DIR)/no_uring env $(HB_ENV) LD_PRELOAD=$(HB_PRELOAD)" \
		tests/run.sh --per-group $(CONF_BIN)
	$(HB_ENV) tests/humboldt/fallback.sh $(BUILD)
	@echo "== humboldt: extensions (humboldt.h), preloaded and static"
	RUN_PREFIX="env $(HB_ENV) LD_PRELOAD=$(HB_PRELOAD)" tests/run.sh $(HB_TEST_DIR)/test_ext
	tests/run.sh $(HB_TEST_DIR)/test_ext-static
	@echo "== humboldt: extensions on the epoll fallback (every call: ENOTSUP)"
	RUN_PREFIX="$(HB_TEST_DIR)/no_uring env $(HB_ENV) LD_PRELOAD=$(HB_PRELOAD)" \
		tests/run.sh $(HB_TEST_DIR)/test_ext
	@echo "== humboldt: extensions on a kernel without the io_uring probe (ENOTSUP, skips)"
	RUN_PREFIX="$(HB_TEST_DIR)/no_uring -p env $(HB_ENV) LD_PRELOAD=$(HB_PRELOAD)" \
		tests/run.sh $(HB_TEST_DIR)/test_ext
	@echo "== humboldt: registered buffers with a low ulimit -l"
	$(HB_ENV) tests/humboldt/memlock.sh $(BUILD)
	@echo "== humboldt: the weak-symbol idiom, without and with humboldt"
	tests/run.sh --env 'WEAK_IDIOM_EXPECT=portable' $(HB_TEST_DIR)/weak_idiom
	RUN_PREFIX="env $(HB_ENV) LD_PRELOAD=$(HB_PRELOAD)" \
		tests/run.sh --env 'WEAK_IDIOM_EXPECT=extension' $(HB_TEST_DIR)/weak_idiom
	RUN_PREFIX="$(HB_TEST_DIR)/no_uring env $(HB_ENV) LD_PRELOAD=$(HB_PRELOAD)" \
		tests/run.sh --env 'WEAK_IDIOM_EXPECT=enotsup' $(HB_TEST_DIR)/weak_idiom
