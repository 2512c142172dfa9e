#!/bin/bash
# Foundation: `make install PREFIX=...` installs the CLI, libbpfkit (static +
# shared, only bpfkit_* exported), headers, BPF-side headers and bpfkit.pc;
# a tiny loader builds against the installed copy through pkg-config.
source "$(dirname "$0")/../lib.sh"
P=$TMP/prefix
if make -s -C "$ROOT" install PREFIX="$P" >"$TMP/install.log" 2>&1; then pass "make install"; else fail "make install" "$(tail -3 "$TMP/install.log")"; exit 0; fi
for f in bin/bpfkit lib/libbpfkit.a lib/libbpfkit.so lib/pkgconfig/bpfkit.pc include/bpfkit/bpfkit.h \
	 share/bpfkit/bpf/include/bpfkit/parse.h; do
	[ -e "$P/$f" ] && pass "installed $f" || fail "installed $f"
done
bad=$(nm -D --defined-only "$P/lib/libbpfkit.so" | awk '$2 ~ /[TDBR]/ {print $3}' | grep -v '^bpfkit_' | grep -v '^BPFKIT_' | tr '\n' ' ')
[ -z "$bad" ] && pass "shared library exports only bpfkit_* symbols" || fail "shared library exports only bpfkit_*" "$bad"
nm -D --defined-only "$P/lib/libbpfkit.so" | grep -q ' bpfkit_object__open_file@@BPFKIT_0.1' &&
	pass "symbols carry the version node" || fail "symbols carry the version node"

export PKG_CONFIG_PATH=$P/lib/pkgconfig
cat >"$TMP/tiny.c" <<'C'
#include <stdio.h>
#include <bpfkit/bpfkit.h>
int main(int argc, char **argv)
{
	struct bpfkit_object *obj = bpfkit_object__open_file(argv[1], NULL);
	int err;

	if (!obj)
		return 1;
	err = bpfkit_object__load(obj);
	printf("tiny: load %s\n", err ? "failed" : "ok");
	bpfkit_object__close(obj);
	return err ? 1 : 0;
}
C
if cc -Wall -Werror -o "$TMP/tiny" "$TMP/tiny.c" $(pkg-config --cflags --libs bpfkit) 2>"$TMP/cc.err"; then
	pass "tiny loader builds against the installed library (pkg-config)"
	if [ "$(id -u)" -eq 0 ]; then
		out=$(LD_LIBRARY_PATH=$P/lib "$TMP/tiny" "$BPFDIR/xdp-pass.bpf.o" 2>&1)
		[ "$out" = "tiny: load ok" ] && pass "tiny loader (shared) loads a program" || fail "tiny loader (shared) loads" "$out"
		ldd "$TMP/tiny" | grep -q "libbpfkit.so.0 => $P/lib" || LD_LIBRARY_PATH=$P/lib ldd "$TMP/tiny" | grep -q "libbpfkit.so.0 => $P/lib" &&
			pass "linked to the installed shared library" || fail "linked to the installed shared library"
	else
		skip "tiny loader loads a program" "needs root"
	fi
else
	fail "tiny loader builds against the installed library" "$(head -3 "$TMP/cc.err")"
fi
if cc -o "$TMP/tiny-static" "$TMP/tiny.c" $(pkg-config --cflags bpfkit) -L"$P/lib" -Wl,-Bstatic -lbpfkit -Wl,-Bdynamic \
	$(pkg-config --libs libbpf libelf zlib libpcap capstone) 2>"$TMP/cc2.err"; then
	pass "tiny loader links the static library"
	if [ "$(id -u)" -eq 0 ]; then
		out=$("$TMP/tiny-static" "$BPFDIR/xdp-pass.bpf.o" 2>&1)
		[ "$out" = "tiny: load ok" ] && pass "tiny loader (static) loads a program" || fail "tiny loader (static) loads" "$out"
	fi
else
	fail "tiny loader links the static library" "$(head -3 "$TMP/cc2.err")"
fi
# BPF side: a program builds with the installed BPF headers.
cat >"$TMP/p.bpf.c" <<'C'
#include <bpfkit/parse.h>
SEC("xdp") int p(struct xdp_md *ctx)
{
	struct bk_cursor c = bk_cursor_init(ctx);
	__be16 proto;
	return bk_parse_eth(&c, &proto) ? XDP_PASS : XDP_DROP;
}
char LICENSE[] SEC("license") = "GPL";
C
if clang -target bpf -O2 -g -I"$(pkg-config --variable=bpf_includedir bpfkit)" -idirafter /usr/include/$(uname -m)-linux-gnu \
	-c "$TMP/p.bpf.c" -o "$TMP/p.bpf.o" 2>"$TMP/clang.err"; then
	pass "BPF program builds with the installed bpf_includedir"
else
	fail "BPF program builds with the installed bpf_includedir" "$(head -3 "$TMP/clang.err")"
fi
"$P/bin/bpfkit" version | grep -q "^bpfkit [0-9]" && pass "installed CLI runs" || fail "installed CLI runs"
