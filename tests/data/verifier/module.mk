# One deliberately broken BPF program per verifier error class (tests of the
# plain-language hints) -> build/bpf/verifier/. Each marks the line the
# verifier must point at with "VERIFIER: <class>".
VERIFIER_TEST_OBJS := $(patsubst tests/data/verifier/%.bpf.c,$(BPF_OUT)/verifier/%.bpf.o,\
	$(wildcard tests/data/verifier/*.bpf.c))
bpf: $(VERIFIER_TEST_OBJS)
$(BPF_OUT)/verifier/%.bpf.o: tests/data/verifier/%.bpf.c tests/data/verifier/common.h | $(DEPS_OK)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -Wno-error -w -c $< -o $@
