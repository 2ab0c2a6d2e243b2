# SPDX-License-Identifier: MIT
# tests/shim/shim.mk - the shim end to end (included by the top Makefile):
# `make check-shim` runs tests/shim/shim.sh against three builds of one
# program: linked with the stub ($ORIGIN rpath), with an absolute rpath (for
# the setuid copy: ld.so ignores $ORIGIN under secure execution) and
# statically with the stub's archive; and tests/shim/sigpipe.sh.

SHIM_TEST_DIR := $(BUILD)/tests/shim
SHIM_VICTIMS  := $(SHIM_TEST_DIR)/victim $(SHIM_TEST_DIR)/victim-abs $(SHIM_TEST_DIR)/victim-static

$(SHIM_TEST_DIR)/victim: tests/shim/victim.c abi/async_std.h $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< -L$(BUILD) -lasync_std -Wl,-rpath,'$$ORIGIN/../..' $(APP_LDFLAGS)

$(SHIM_TEST_DIR)/victim-abs: tests/shim/victim.c abi/async_std.h $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< -L$(BUILD) -lasync_std -Wl,-rpath,$(abspath $(BUILD)) $(APP_LDFLAGS)

$(SHIM_TEST_DIR)/victim-static: tests/shim/victim.c abi/async_std.h $(STUB_A)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< $(STUB_A) $(APP_LDFLAGS) $(RT_LIBS)

# The SIGPIPE policy, on every runtime (sigpipe.sh).
$(SHIM_TEST_DIR)/sigpipe: tests/shim/sigpipe.c abi/async_std.h $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< -L$(BUILD) -lasync_std -Wl,-rpath,'$$ORIGIN/../..' $(APP_LDFLAGS)

.PHONY: check-shim
check-shim: $(SHIM_VICTIMS) $(SHIM_TEST_DIR)/sigpipe $(HB_TEST_DIR)/no_uring $(HUMBOLDT_SO) $(GCD_SO) \
            $(BUILD)/async_std/runtimes/libhumboldt.so $(BUILD)/async_std/runtimes/libgcd.so $(BUILD)/asrt
	$(HB_ENV) tests/shim/shim.sh $(BUILD)
	$(HB_ENV) tests/shim/sigpipe.sh $(BUILD)
