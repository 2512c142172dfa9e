# BPF programs used by the `bpfkit test` / testrun tests -> build/bpf/testrun/
TESTRUN_TEST_OBJS := $(patsubst tests/data/testrun/%.bpf.c,$(BPF_OUT)/testrun/%.bpf.o,\
	$(wildcard tests/data/testrun/*.bpf.c))
bpf: $(TESTRUN_TEST_OBJS)
$(BPF_OUT)/testrun/%.bpf.o: tests/data/testrun/%.bpf.c $(wildcard bpf/include/bpfkit/*.h) | $(DEPS_OK)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@
