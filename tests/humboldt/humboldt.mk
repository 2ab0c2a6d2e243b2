# humboldt.mk - humboldt's own checks (included by the top Makefile): the
# unchanged conformance binary under LD_PRELOAD, statically linked with
# libhumboldt.a, and under the seccomp-forced fallback; the binding test; the
# fallback's one line and HUMBOLDT_* validation.

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

$(HB_TEST_DIR)/test_binding-static: tests/humboldt/test_binding.c $(HUMBOLDT_A)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -Iruntimes/core -o $@ $< $(APP_LDFLAGS) -Wl,--export-dynamic \
		$(HUMBOLDT_A) -luring $(RT_LIBS) -lcmocka

$(CONF_HB_STATIC): $(CONF_OBJ) $(HUMBOLDT_A)
	$(CC) -o $@ $(CONF_OBJ) $(APP_LDFLAGS) $(HUMBOLDT_A) -luring -lcmocka $(RT_LIBS)

HB_TESTS := $(HB_TEST_DIR)/no_uring $(HB_TEST_DIR)/test_binding \
            $(HB_TEST_DIR)/test_binding-static $(CONF_HB_STATIC) $(CONF_BIN)

.PHONY: check-humboldt
check-humboldt: $(HB_TESTS) $(HUMBOLDT_SO)
	@echo "== humboldt: LD_PRELOAD"
	RUN_PREFIX="env $(HB_ENV) LD_PRELOAD=$(HB_PRELOAD)" tests/run.sh \
		$(HB_TEST_DIR)/test_binding $(CONF_BIN)
	@echo "== humboldt: static link with libhumboldt.a"
	tests/run.sh $(HB_TEST_DIR)/test_binding-static $(CONF_HB_STATIC)
	@echo "== humboldt: io_uring_setup forbidden by seccomp (epoll fallback)"
	RUN_PREFIX="$(HB_TEST_DIR)/no_uring env $(HB_ENV) LD_PRELOAD=$(HB_PRELOAD)" \
		tests/run.sh $(CONF_BIN)
	$(HB_ENV) tests/humboldt/fallback.sh $(BUILD)
