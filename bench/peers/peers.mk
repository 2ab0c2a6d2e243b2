# SPDX-License-Identifier: MIT
# bench/peers/peers.mk - our runtimes against Go, tokio and libuv (issue 7),
# included by the top Makefile.
#
#   make bench-peers   installs what is missing (Debian packages only),
#                      builds every peer offline, runs all workloads and
#                      writes bench/results/peers.md and peers-*.svg
#                      (about 16 minutes on 2 cores, more when other load
#                      makes runs repeat; PEERS_QUICK=1: about 3; other
#                      knobs: PEERS_* in bench/peers/run.sh)
#   make peers-build   only the programs, into $(BUILD)/bench/peers/
#
# A peer that fails to build is left out of the run, with its reason in
# peers.md (bench/peers/build.sh never fails the make).  Ours reuse the
# programs of bench.mk and io.mk (yield, spawn_join, chan_pingpong,
# sleepers, echo_server, and echo_load as the one echo client).

PEERS_DIR  := $(BUILD)/bench/peers
PEERS_SRC  := bench/peers
# $ORIGIN keeps the build tree relocatable: the stub sits two levels up.
PEERS_RPATH := -Wl,-rpath,'$$ORIGIN/../..'
PEERS_OURS := $(addprefix $(BENCH_DIR)/,yield spawn_join chan_pingpong sleepers) \
              $(BENCH_IO_DIR)/echo_server $(BENCH_IO_DIR)/echo_load \
              $(PEERS_DIR)/http_hello $(STUB_SO) $(HUMBOLDT_SO)
PEERS_OTHERS := $(PEERS_DIR)/.go.stamp $(PEERS_DIR)/.tokio.stamp \
                $(PEERS_DIR)/.hyper.stamp $(PEERS_DIR)/.uv.stamp

# What the peers need, found by a file or a tool; the Debian package of each.
# Optional: a peer whose tools cannot be installed is skipped, with its reason.
PEERS_NEED := go:golang-go wrk:wrk gnuplot:gnuplot-nox \
              /usr/include/uv.h:libuv1-dev \
              /usr/share/cargo/registry/tokio-1.*:librust-tokio-dev \
              /usr/share/cargo/registry/hyper-0.14.*:librust-hyper-dev cargo:cargo

.PHONY: bench-peers peers-build peers-deps
peers-deps:
	@tools/need.sh --optional bench-peers $(PEERS_NEED)

$(PEERS_DIR)/http_hello: $(PEERS_SRC)/http_hello.c bench/bench.h abi/async_std.h $(STUB_SO) $(STUB_LINK)
	@mkdir -p $(@D)
	$(CC) $(APP_CFLAGS) -o $@ $< $(STUB_LINK) $(PEERS_RPATH) $(APP_LDFLAGS)

# Stamps, not binaries, as targets: a peer that cannot build leaves a .why
# file and no stamp, so the next make tries it again (a quick failure).
$(PEERS_DIR)/.go.stamp: $(wildcard $(PEERS_SRC)/go/*) $(PEERS_SRC)/build.sh
$(PEERS_DIR)/.tokio.stamp: $(wildcard $(PEERS_SRC)/tokio/* $(PEERS_SRC)/tokio/src/*) $(PEERS_SRC)/build.sh
$(PEERS_DIR)/.hyper.stamp: $(wildcard $(PEERS_SRC)/hyper/* $(PEERS_SRC)/hyper/src/*) \
                           $(wildcard $(PEERS_SRC)/tokio/src/*) $(PEERS_SRC)/build.sh
$(PEERS_DIR)/.uv.stamp: $(PEERS_SRC)/uv_echo.c $(PEERS_SRC)/build.sh
$(PEERS_DIR)/.%.stamp:
	@mkdir -p $(@D)
	@echo "bench/peers: building $*"
	@CC=$(CC) bash $(PEERS_SRC)/build.sh $* $(PEERS_DIR); [ -e $(PEERS_DIR)/$*.why ] || touch $@

peers-build: $(PEERS_OURS) $(PEERS_OTHERS)

# Installs first (a sub-make, so the stamps see the new tools).
bench-peers: peers-deps
	@$(MAKE) --no-print-directory peers-build
	BUILD=$(BUILD) bash $(PEERS_SRC)/run.sh
