# bpfkit — top-level build. Quiet by default; `make V=1` shows the commands.
# Everything built goes under build/ (the sanitizer build under build/asan/).

PREFIX    ?= /usr/local
BUILD     ?= build
BPF_OUT   := build/bpf
CC        ?= cc
CLANG     ?= clang
SAN_FLAGS :=
ARCH_INC  := /usr/include/$(shell uname -m)-linux-gnu
VERSION   := 0.1.0
SOVERSION := 0

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Recursive (=) so pkg-config runs after scripts/deps.sh had its chance.
PKG_LIBS   = $(shell pkg-config --libs libbpf libelf zlib libpcap capstone libdw 2>/dev/null || echo -lbpf -lelf -lz -lpcap -lcapstone -ldw)
PKG_CFLAGS = $(shell pkg-config --cflags libbpf libelf libpcap capstone libdw 2>/dev/null)
WARN       := -Wall -Wextra -Werror -Wno-missing-field-initializers
BK_CFLAGS   = -O2 -g -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude $(PKG_CFLAGS) \
	      -fvisibility=hidden -fPIC $(SAN_FLAGS) $(EXTRA_CFLAGS)
BK_LDFLAGS  = $(SAN_FLAGS) $(EXTRA_LDFLAGS)
LDLIBS_ALL  = $(PKG_LIBS) $(EXTRA_LDLIBS)

BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -Wno-unused-function \
	      -Ibpf/include -idirafter $(ARCH_INC) -D__TARGET_ARCH_$(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')

LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(patsubst lib/%.c,$(BUILD)/obj/lib/%.o,$(LIB_SRCS))
CLI_SRCS := $(wildcard cli/*.c)
CLI_OBJS := $(patsubst cli/%.c,$(BUILD)/obj/cli/%.o,$(CLI_SRCS))
LIBA     := $(BUILD)/lib/libbpfkit.a
LIBSO    := $(BUILD)/lib/libbpfkit.so.$(VERSION)

# BPF programs: examples/NAME/NAME.bpf.c and apps/NAME/NAME.bpf.c -> build/bpf/NAME.bpf.o
BPF_SRCS := $(wildcard examples/*/*.bpf.c apps/*/*.bpf.c)
BPF_OBJS := $(patsubst %.bpf.c,$(BPF_OUT)/%.bpf.o,$(notdir $(BPF_SRCS)))
vpath %.bpf.c $(sort $(dir $(BPF_SRCS)))

# Example loaders: examples/NAME/main.c -> build/bin/NAME, embedding NAME.bpf.o
EXAMPLES := $(notdir $(patsubst %/,%,$(dir $(wildcard examples/*/main.c))))
EXAMPLE_BINS := $(addprefix $(BUILD)/bin/,$(EXAMPLES))

DEPS_OK := build/.deps-ok

.PHONY: all lib cli bpf examples asan fuzzlib test demo bench install clean fuzz
all: lib cli bpf examples

# scripts/deps.sh installs what a fresh Debian machine lacks (once).
$(DEPS_OK): scripts/deps.sh
	$(Q)bash scripts/deps.sh
	$(Q)mkdir -p $(@D) && touch $@

lib: $(LIBA) $(LIBSO)
cli: $(BUILD)/bin/bpfkit
bpf: $(BPF_OBJS)
examples: $(EXAMPLE_BINS)

$(BUILD)/obj/lib/%.o: lib/%.c $(wildcard lib/*.h include/bpfkit/*.h) | $(DEPS_OK)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(BK_CFLAGS) -c $< -o $@

$(BUILD)/obj/cli/%.o: cli/%.c $(wildcard cli/*.h include/bpfkit/*.h) | $(DEPS_OK)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(BK_CFLAGS) -c $< -o $@

$(LIBA): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D) && rm -f $@ && ar rcs $@ $^

$(LIBSO): $(LIB_OBJS) lib/libbpfkit.map
	$(call msg,LD,$@)
	$(Q)mkdir -p $(@D) && $(CC) -shared $(BK_LDFLAGS) -Wl,-soname,libbpfkit.so.$(SOVERSION) \
		-Wl,--version-script=lib/libbpfkit.map -o $@ $(LIB_OBJS) $(LDLIBS_ALL)
	$(Q)ln -sf libbpfkit.so.$(VERSION) $(BUILD)/lib/libbpfkit.so.$(SOVERSION)
	$(Q)ln -sf libbpfkit.so.$(SOVERSION) $(BUILD)/lib/libbpfkit.so

# libxdp (run/load --multi) links into the CLI only, not into libbpfkit
CLI_LIBS = $(shell pkg-config --libs libxdp 2>/dev/null || echo -lxdp)
$(BUILD)/bin/bpfkit: $(CLI_OBJS) $(LIBA)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(BK_LDFLAGS) -o $@ $(CLI_OBJS) $(LIBA) $(LDLIBS_ALL) $(CLI_LIBS)

$(BPF_OUT)/%.bpf.o: %.bpf.c $(wildcard bpf/include/bpfkit/*.h) | $(DEPS_OK)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D) && $(CLANG) $(BPF_CFLAGS) -I$(<D) -c $< -o $@

# Loaders embed their object with BPFKIT_EMBED (.incbin), so they depend on it.
$(BUILD)/bin/%: examples/%/main.c $(BPF_OUT)/%.bpf.o $(LIBA)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(BK_CFLAGS) -Iexamples/$* -DBPF_OBJ_PATH='"$(BPF_OUT)/$*.bpf.o"' \
		$(BK_LDFLAGS) -o $@ $< $(LIBA) $(LDLIBS_ALL)

# Components add their own rules (apps/xdpfw/module.mk, tests/module.mk, ...).
-include $(sort $(wildcard */module.mk */*/module.mk */*/*/module.mk))

# The sanitizer build used by the tests: clang, ASan + UBSan, under build/asan.
asan: | $(DEPS_OK)
	$(Q)$(MAKE) --no-print-directory BUILD=build/asan CC=$(CLANG) \
		SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
		lib cli examples $(ASAN_EXTRA_TARGETS)

# The library once more with libFuzzer's coverage instrumentation: the fuzz
# targets link it instead of compiling lib/*.c each.
fuzzlib: | $(DEPS_OK)
	$(Q)$(MAKE) --no-print-directory BUILD=build/fuzzlib CC=$(CLANG) \
		SAN_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined" \
		build/fuzzlib/lib/libbpfkit.a

test: all asan fuzzlib
	$(Q)bash tests/run.sh

demo: all
	$(Q)bash scripts/demo.sh

bench: all
	$(Q)bash bench/run.sh

# Loaders linked against libbpfkit.so find it without LD_LIBRARY_PATH: the
# system prefixes through ld.so's cache (install runs ldconfig), any other
# PREFIX through an rpath that bpfkit.pc's Libs carries.
PC_RPATH = $(if $(filter /usr /usr/local,$(patsubst %/,%,$(PREFIX))),,-Wl,-rpath,$${libdir})

install: all install-templates
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
		$(DESTDIR)$(PREFIX)/include/bpfkit $(DESTDIR)$(PREFIX)/share/bpfkit/bpf/include/bpfkit
	$(Q)install -m 755 $(BUILD)/bin/bpfkit $(DESTDIR)$(PREFIX)/bin/
	$(Q)for b in $(wildcard $(BUILD)/bin/xdpfw); do install -m 755 $$b $(DESTDIR)$(PREFIX)/bin/; done
	$(Q)install -m 644 $(LIBA) $(DESTDIR)$(PREFIX)/lib/
	$(Q)install -m 755 $(LIBSO) $(DESTDIR)$(PREFIX)/lib/
	$(Q)ln -sf libbpfkit.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/libbpfkit.so.$(SOVERSION)
	$(Q)ln -sf libbpfkit.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libbpfkit.so
	$(Q)install -m 644 include/bpfkit/*.h $(DESTDIR)$(PREFIX)/include/bpfkit/
	$(Q)install -m 644 bpf/include/bpfkit/*.h $(DESTDIR)$(PREFIX)/share/bpfkit/bpf/include/bpfkit/
	$(Q)sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' -e 's|@RPATH@|$(PC_RPATH)|' \
		lib/bpfkit.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/bpfkit.pc
	$(Q)install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man8 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/doc/bpfkit
	$(Q)install -m 644 $(MAN_DIR)/man1/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	$(Q)install -m 644 $(MAN_DIR)/man8/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	$(Q)for t in bpfkit xdpfw; do install -m 644 completion/bpfkit.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/$$t; done
	$(Q)install -m 644 docs/loader.md $(DESTDIR)$(PREFIX)/share/doc/bpfkit/
	$(Q)if [ -z "$(DESTDIR)" ] && [ -z "$(PC_RPATH)" ] && [ "$$(id -u)" = 0 ]; then ldconfig || true; fi

clean:
	$(call msg,CLEAN,build)
	$(Q)rm -rf build
