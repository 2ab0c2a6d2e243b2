# SPDX-License-Identifier: MIT
# core.mk - unit tests of core's scheduling pieces: timers, parking, queues.
# They link the static archive so hidden internal symbols are reachable.

CORE_UNIT_TESTS := $(BUILD)/tests/unit/test_timer $(BUILD)/tests/unit/test_park \
                   $(BUILD)/tests/unit/test_sched

$(BUILD)/tests/unit/test_%: tests/unit/test_%.c $(STUB_A) $(wildcard runtimes/core/*.h)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -o $@ $< $(STUB_A) $(APP_LDFLAGS) $(RT_LIBS) -lcmocka

.PHONY: check-core
check-core: $(CORE_UNIT_TESTS)
	tests/run.sh $(CORE_UNIT_TESTS)
	ASYNC_STD_THREADS=1 tests/run.sh $(BUILD)/tests/unit/test_sched
