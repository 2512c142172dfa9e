# apps/xdpfw/module.mk — build/bin/xdpfw: the firewall CLI with its datapath
# (build/bpf/xdpfw.bpf.o, built by the top-level BPF rule) embedded.
XDPFW_SRCS := $(filter-out %.bpf.c,$(wildcard apps/xdpfw/*.c))
XDPFW_HDRS := $(wildcard apps/xdpfw/*.h)
# the HTTP server (metrics) and libxdp (--multi) link into xdpfw only, not libbpfkit
XDPFW_LIBS = $(shell pkg-config --libs libmicrohttpd libxdp 2>/dev/null || echo -lmicrohttpd -lxdp)
# the fleet commands (etcd.c, fleet.c, sync.c) talk to etcd with libcurl and
# jansson; they link into xdpfw only, never into libbpfkit
XDPFW_FLEET_LIBS = $(shell pkg-config --libs libcurl jansson 2>/dev/null || echo -lcurl -ljansson)

$(BUILD)/bin/xdpfw: $(XDPFW_SRCS) $(XDPFW_HDRS) $(BPF_OUT)/xdpfw.bpf.o $(LIBA)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(BK_CFLAGS) -Iapps/xdpfw -DXDPFW_OBJ_PATH='"$(BPF_OUT)/xdpfw.bpf.o"' \
		$(BK_LDFLAGS) -o $@ $(XDPFW_SRCS) $(LIBA) $(LDLIBS_ALL) $(XDPFW_LIBS) $(XDPFW_FLEET_LIBS)

all: $(BUILD)/bin/xdpfw
# the measuring tools are built with everything, so a change that breaks them
# shows in `make test`, not first in `make bench` (they are not installed)
all: $(BUILD)/bin/xdpfw-bench $(BUILD)/bin/xdpfw-bench-sets $(BPF_OUT)/xdpfw-floor.bpf.o $(BPF_OUT)/lpm-trie.bpf.o \
     $(BPF_OUT)/tx-cycle.bpf.o
ASAN_EXTRA_TARGETS += build/asan/bin/xdpfw

# the datapath shares its map layouts with user space
$(BPF_OUT)/xdpfw.bpf.o: apps/xdpfw/xdpfw_common.h
# the datapath (and its floor, measured beside it) is built for BPF ISA v3:
# 32-bit ALU and jumps spare the shift pairs clang's default v1 emits for
# every u32 truncation and sign test (~1 ns per packet in bench/xdpfw.sh;
# kernels since 5.1 take v3)
$(BPF_OUT)/xdpfw.bpf.o $(BPF_OUT)/xdpfw-floor.bpf.o: BPF_CFLAGS += -mcpu=v3
# and with clang 19 where there is one (scripts/deps.sh installs it; Debian
# 12 has it beside its default clang 14): its register allocation spills
# less around the inlined map lookups, ~1.5 ns per packet of the blocklist
# mix in bench/xdpfw.sh. Any clang builds it; a user's own BPF programs
# keep $(CLANG). Looked for when the recipe runs, after deps.sh (an
# order-only prerequisite) may have installed it.
XDPFW_CLANG_FALLBACK := $(CLANG)
XDPFW_CLANG ?= $(or $(shell command -v clang-19 2>/dev/null),$(XDPFW_CLANG_FALLBACK))
$(BPF_OUT)/xdpfw.bpf.o $(BPF_OUT)/xdpfw-floor.bpf.o: CLANG = $(XDPFW_CLANG)

# bench/xdpfw.sh's floor: the same datapath with the rule lookup left out
# (parse, counters, verdict), to show what the lookup itself costs
$(BPF_OUT)/xdpfw-floor.bpf.o: apps/xdpfw/xdpfw.bpf.c apps/xdpfw/xdpfw_common.h $(wildcard bpf/include/bpfkit/*.h) | $(DEPS_OK)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -DXDPFW_BENCH_FLOOR -Iapps/xdpfw -c $< -o $@

# bench/xdpfw.sh's measuring tool (not installed)
XDPFW_LIB_SRCS := apps/xdpfw/bgjob.c apps/xdpfw/bigmem.c apps/xdpfw/rules.c apps/xdpfw/compile.c apps/xdpfw/state.c apps/xdpfw/apply.c \
		  apps/xdpfw/table.c apps/xdpfw/applog.c apps/xdpfw/grace.c
$(BUILD)/bin/xdpfw-bench: apps/xdpfw/tools/xdpfw-bench.c $(XDPFW_LIB_SRCS) $(XDPFW_HDRS) apps/xdpfw/tools/bench.h $(LIBA)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(BK_CFLAGS) -Iapps/xdpfw $(BK_LDFLAGS) -o $@ \
		apps/xdpfw/tools/xdpfw-bench.c $(XDPFW_LIB_SRCS) $(LIBA) $(LDLIBS_ALL) -lpthread

# bench/xdpfw.sh's naive anchor: one kernel LPM trie per family, source only
$(BPF_OUT)/lpm-trie.bpf.o: bench/lpm-trie.bpf.c $(wildcard bpf/include/bpfkit/*.h) | $(DEPS_OK)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

# bench/xdpfw.sh's rule-file measurements (blocklist-shaped sets)
$(BUILD)/bin/xdpfw-bench-sets: apps/xdpfw/tools/xdpfw-bench-sets.c $(XDPFW_LIB_SRCS) $(XDPFW_HDRS) apps/xdpfw/tools/bench.h $(LIBA)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(BK_CFLAGS) -Iapps/xdpfw $(BK_LDFLAGS) -o $@ \
		apps/xdpfw/tools/xdpfw-bench-sets.c $(XDPFW_LIB_SRCS) $(LIBA) $(LDLIBS_ALL)

# bench/xdpfw.sh's live sender (cycles through 64k source addresses)
$(BPF_OUT)/tx-cycle.bpf.o: bench/tx-cycle.bpf.c $(wildcard bpf/include/bpfkit/*.h) | $(DEPS_OK)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

# the systemd units: xdpfw@IFACE restores the saved rules at boot (restore.c),
# xdpfw-metrics serves the metrics (metrics.c)
SYSCONFDIR ?= /etc
SYSTEMD_UNIT_DIR ?= $(PREFIX)/lib/systemd/system
.PHONY: install-xdpfw-unit
install: install-xdpfw-unit
XDPFW_UNITS := xdpfw@.service xdpfw-metrics.service
install-xdpfw-unit: $(addprefix apps/xdpfw/,$(addsuffix .in,$(XDPFW_UNITS)))
	$(Q)install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR) $(DESTDIR)$(PREFIX)/share/doc/bpfkit
	$(Q)for u in $(XDPFW_UNITS); do \
		sed -e 's|@BINDIR@|$(PREFIX)/bin|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		    -e 's|@DOCDIR@|$(PREFIX)/share/doc/bpfkit|g' apps/xdpfw/$$u.in >$(DESTDIR)$(SYSTEMD_UNIT_DIR)/$$u && \
		chmod 644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/$$u || exit 1; done
	$(Q)install -m 644 docs/xdpfw-operating.md $(DESTDIR)$(PREFIX)/share/doc/bpfkit/
