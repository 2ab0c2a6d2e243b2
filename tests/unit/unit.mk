# SPDX-License-Identifier: MIT
# unit.mk - cmocka unit tests of the fiber switch and the stack pool, included
# by the top Makefile.  Each test links the static archive, so the hidden as__*
# symbols resolve; the tests define main, so the shim's main is not pulled in.

UNIT_TESTS := $(BUILD)/tests/unit/test_fiber $(BUILD)/tests/unit/test_stack

# A static pattern rule: it takes precedence over the generic test_% rules
# of the other fragments (these tests need -lm for fenv).
$(UNIT_TESTS): $(BUILD)/tests/unit/%: tests/unit/%.c $(STUB_A) $(wildcard runtimes/core/*.h)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -o $@ $< $(STUB_A) $(APP_LDFLAGS) -lcmocka -lm -ldl

.PHONY: check-unit
check-unit: $(UNIT_TESTS)
	tests/run.sh $(UNIT_TESTS)
