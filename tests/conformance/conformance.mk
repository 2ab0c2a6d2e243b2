# SPDX-License-Identifier: MIT
# conformance.mk - the ABI conformance suite, included by the top Makefile.
#
# One cmocka binary from tests/conformance/*.c that uses only abi/async_std.h,
# built twice: linked dynamically against the abi stub (found through an
# $ORIGIN rpath, so it runs without LD_LIBRARY_PATH and can be run under
# another runtime with LD_PRELOAD), and statically against $(STUB_A).
# `make check-conformance` runs both through tests/run.sh, the dynamic one
# also with a single worker; every run takes each group in a process of its
# own (--per-group), so a crash costs one group, not the suite.

CONF_DIR    := $(BUILD)/tests/conformance
CONF_SRC    := $(wildcard tests/conformance/*.c)
CONF_OBJ    := $(patsubst tests/conformance/%.c,$(CONF_DIR)/%.o,$(CONF_SRC))
CONF_BIN    := $(CONF_DIR)/conformance
CONF_STATIC := $(CONF_DIR)/conformance-static

.PHONY: conformance check-conformance
conformance: $(CONF_BIN) $(CONF_STATIC)

$(CONF_OBJ): $(CONF_DIR)/%.o: tests/conformance/%.c tests/conformance/conformance.h \
             abi/async_std.h | need-deps
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -c $< -o $@

# The binary lives in $(BUILD)/tests/conformance, the stub in $(BUILD).
$(CONF_BIN): $(CONF_OBJ) $(STUB_SO) $(STUB_LINK)
	$(CC) -o $@ $(CONF_OBJ) $(APP_LDFLAGS) -L$(BUILD) -lasync_std \
		-Wl,-rpath,'$$ORIGIN/../..' -lcmocka

$(CONF_STATIC): $(CONF_OBJ) $(STUB_A)
	$(CC) -o $@ $(CONF_OBJ) $(APP_LDFLAGS) $(STUB_A) -lcmocka $(RT_LIBS)

check-conformance: $(CONF_BIN) $(CONF_STATIC)
	tests/run.sh --per-group $(CONF_BIN) --env 'ASYNC_STD_THREADS=1' --per-group $(CONF_BIN) \
		--env '' --per-group $(CONF_STATIC)
