# BPF programs used by the logging tests (tests/unit/test_log*.c,
# tests/integration/3*-log*.sh, bench/log.sh) -> build/bpf/log/
LOG_TEST_OBJS := $(patsubst tests/data/log/%.bpf.c,$(BPF_OUT)/log/%.bpf.o,\
	$(wildcard tests/data/log/*.bpf.c))
bpf: $(LOG_TEST_OBJS)
$(BPF_OUT)/log/%.bpf.o: tests/data/log/%.bpf.c $(wildcard bpf/include/bpfkit/*.h) | $(DEPS_OK)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -c $< -o $@
