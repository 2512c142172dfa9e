# apps/xdpfw/module.mk — build/bin/xdpfw: the firewall CLI with its datapath
# (build/bpf/xdpfw.bpf.o, built by the top-level BPF rule) embedded.
XDPFW_SRCS := $(filter-out %.bpf.c,$(wildcard apps/xdpfw/*.c))
XDPFW_HDRS := $(wildcard apps/xdpfw/*.h)

$(BUILD)/bin/xdpfw: $(XDPFW_SRCS) $(XDPFW_HDRS) $(BPF_OUT)/xdpfw.bpf.o $(LIBA)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(BK_CFLAGS) -Iapps/xdpfw -DXDPFW_OBJ_PATH='"$(BPF_OUT)/xdpfw.bpf.o"' \
		$(BK_LDFLAGS) -o $@ $(XDPFW_SRCS) $(LIBA) $(LDLIBS_ALL)

all: $(BUILD)/bin/xdpfw
ASAN_EXTRA_TARGETS += build/asan/bin/xdpfw

# the datapath shares its map layouts with user space
$(BPF_OUT)/xdpfw.bpf.o: apps/xdpfw/xdpfw_common.h

# bench/xdpfw.sh's floor: the same datapath with the rule lookup left out
# (parse, counters, verdict), to show what the lookup itself costs
$(BPF_OUT)/xdpfw-floor.bpf.o: apps/xdpfw/xdpfw.bpf.c apps/xdpfw/xdpfw_common.h $(wildcard bpf/include/bpfkit/*.h) | $(DEPS_OK)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -DXDPFW_BENCH_FLOOR -Iapps/xdpfw -c $< -o $@

# bench/xdpfw.sh's measuring tool (not installed)
XDPFW_LIB_SRCS := apps/xdpfw/rules.c apps/xdpfw/compile.c apps/xdpfw/state.c apps/xdpfw/table.c
$(BUILD)/bin/xdpfw-bench: apps/xdpfw/tools/xdpfw-bench.c $(XDPFW_LIB_SRCS) $(XDPFW_HDRS) $(LIBA)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(BK_CFLAGS) -Iapps/xdpfw $(BK_LDFLAGS) -o $@ \
		apps/xdpfw/tools/xdpfw-bench.c $(XDPFW_LIB_SRCS) $(LIBA) $(LDLIBS_ALL) -lpthread

# bench/xdpfw.sh's naive anchor: one kernel LPM trie per family, source only
$(BPF_OUT)/lpm-trie.bpf.o: bench/lpm-trie.bpf.c $(wildcard bpf/include/bpfkit/*.h) | $(DEPS_OK)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@

# bench/xdpfw.sh's rule-file measurements (blocklist-shaped sets)
$(BUILD)/bin/xdpfw-bench-sets: apps/xdpfw/tools/xdpfw-bench-sets.c $(XDPFW_LIB_SRCS) $(XDPFW_HDRS) $(LIBA)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(BK_CFLAGS) -Iapps/xdpfw $(BK_LDFLAGS) -o $@ \
		apps/xdpfw/tools/xdpfw-bench-sets.c $(XDPFW_LIB_SRCS) $(LIBA) $(LDLIBS_ALL)

# bench/xdpfw.sh's live sender (cycles through 64k source addresses)
$(BPF_OUT)/tx-cycle.bpf.o: bench/tx-cycle.bpf.c $(wildcard bpf/include/bpfkit/*.h) | $(DEPS_OK)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@
