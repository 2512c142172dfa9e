# BPF programs used by the foundation's integration tests -> build/bpf/foundation/
FOUNDATION_TEST_OBJS := $(patsubst tests/data/foundation/%.bpf.c,$(BPF_OUT)/foundation/%.bpf.o,\
	$(wildcard tests/data/foundation/*.bpf.c))
bpf: $(FOUNDATION_TEST_OBJS)
$(BPF_OUT)/foundation/%.bpf.o: tests/data/foundation/%.bpf.c $(wildcard bpf/include/bpfkit/*.h) | $(DEPS_OK)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@
