# shim.mk - unit tests of the shim (settings parser, tested alone).
# Included from the top Makefile; `make test-shim` builds and runs them.

SHIM_UNIT_TESTS := $(BUILD)/tests/unit/test_settings

$(BUILD)/tests/unit/test_settings: tests/unit/test_settings.c shim/settings.c shim/settings.h runtimes/core/say.c
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -o $@ tests/unit/test_settings.c shim/settings.c runtimes/core/say.c $(APP_LDFLAGS) -lcmocka

.PHONY: test-shim
test-shim: $(SHIM_UNIT_TESTS)
	tests/run.sh $(SHIM_UNIT_TESTS)
