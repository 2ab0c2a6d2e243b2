# SPDX-License-Identifier: MIT
# tests/tools/tools_tests.mk - check-tools: asrt against the build tree, a
# partial runtime, a preload marker and a fake dump target; abi-compat.sh
# against deliberately changed small libraries (included by tools/tools.mk).

TOOLS_TEST_DIR := $(BUILD)/tests/tools

$(TOOLS_TEST_DIR)/partial.so: tests/tools/partial.c tests/tools/partial.map
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -o $@ $< -Wl,--version-script=tests/tools/partial.map \
		-Wl,-soname,partial.so

# The same functions in another node: asrt check must call them misversioned.
$(TOOLS_TEST_DIR)/wrong_node.so: tests/tools/partial.c
	@mkdir -p $(@D)
	echo 'WRONG_1.0 { global: async_std_*; local: *; };' >$(TOOLS_TEST_DIR)/wrong_node.map
	$(CC) $(CFLAGS_BASE) -fPIC -shared -o $@ $< -Wl,--version-script=$(TOOLS_TEST_DIR)/wrong_node.map

$(TOOLS_TEST_DIR)/marker.so: tests/tools/marker.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -fPIC -shared -o $@ $<

# Built against the stub only, like any async_std program.
$(TOOLS_TEST_DIR)/whoami: tests/tools/whoami.c $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< $(APP_LDFLAGS) -L$(BUILD) -lasync_std \
		-Wl,-rpath,'$$ORIGIN/../..' -ldl

$(TOOLS_TEST_DIR)/fake_dump: tests/tools/fake_dump.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_BASE) -o $@ $<

TOOLS_TEST_BINS := $(addprefix $(TOOLS_TEST_DIR)/,partial.so wrong_node.so marker.so whoami fake_dump)

check-tools: asrt $(TOOLS_TEST_BINS)
	@status=0; \
	tests/tools/test_asrt.sh $(BUILD) || status=1; \
	CC="$(CC)" tests/tools/test_abi_compat.sh || status=1; \
	exit $$status
