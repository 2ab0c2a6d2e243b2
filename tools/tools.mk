# tools/tools.mk - installation and ABI checks (included by the top Makefile).

VERSION := $(SOVERSION).$(ABI_MINOR).0
PCDIR   ?= $(LIBDIR)/pkgconfig

.PHONY: install check-abi check-install
install: $(STUB_SO) $(STUB_A) $(HUMBOLDT_SO) $(HUMBOLDT_A)
	install -d $(DESTDIR)$(INCDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PCDIR)
	install -m 644 abi/async_std.h $(DESTDIR)$(INCDIR)/async_std.h
	install -m 644 runtimes/humboldt/humboldt.h $(DESTDIR)$(INCDIR)/humboldt.h
	install -m 755 $(STUB_SO) $(DESTDIR)$(LIBDIR)/libasync_std.so.$(VERSION)
	ln -sf libasync_std.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libasync_std.so.$(SOVERSION)
	ln -sf libasync_std.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libasync_std.so
	install -m 644 $(STUB_A) $(DESTDIR)$(LIBDIR)/libasync_std.a
	install -m 755 $(HUMBOLDT_SO) $(DESTDIR)$(LIBDIR)/libhumboldt.so
	install -m 644 $(HUMBOLDT_A) $(DESTDIR)$(LIBDIR)/libhumboldt.a
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
		-e 's|@VERSION@|$(VERSION)|' abi/async_std.pc.in >$(DESTDIR)$(PCDIR)/async_std.pc

check-abi: $(STUB_SO)
	CC=$(CC) tools/abi-check.sh $(STUB_SO)

# Installs into a scratch DESTDIR and builds the README's example with
# pkg-config alone, shared and static, then runs both.
check-install:
	@rm -rf $(BUILD)/stage
	@$(MAKE) --no-print-directory install DESTDIR=$(abspath $(BUILD)/stage) PREFIX=/usr/local >/dev/null
	tools/check-install.sh $(abspath $(BUILD)/stage) /usr/local "$(CC)"
