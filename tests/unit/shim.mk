# SPDX-License-Identifier: MIT
# shim.mk - unit tests of the shim (settings parser, runtime lookup, tested alone).
# Included from the top Makefile; `make test-shim` builds and runs them.

SHIM_UNIT_TESTS := $(BUILD)/tests/unit/test_settings $(BUILD)/tests/unit/test_runtime_path

$(BUILD)/tests/unit/test_settings: tests/unit/test_settings.c shim/settings.c shim/settings.h \
                                   runtimes/core/say.c $(ABI_SHARED_SRC) $(wildcard abi/*.h)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -o $@ tests/unit/test_settings.c shim/settings.c runtimes/core/say.c \
		$(ABI_SHARED_SRC) $(APP_LDFLAGS) -lcmocka

# The runtime lookup the shim shares with asrt (abi/runtime_path.c), alone.
$(BUILD)/tests/unit/test_runtime_path: tests/unit/test_runtime_path.c abi/runtime_path.c \
                                       abi/runtime_path.h
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ tests/unit/test_runtime_path.c abi/runtime_path.c \
		$(APP_LDFLAGS) -lcmocka

.PHONY: test-shim
test-shim: $(SHIM_UNIT_TESTS)
	tests/run.sh $(SHIM_UNIT_TESTS)
