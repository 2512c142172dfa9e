#!/bin/bash
# Foundation: `make install PREFIX=...` installs the CLI, libbpfkit (static +
# shared, only bpfkit_* exported), headers, BPF-side headers and bpfkit.pc;
# a tiny loader builds against the installed copy through pkg-config and runs
# without LD_LIBRARY_PATH; `pkg-config --static` flags link; man pages and
# bash completion are installed and work; docs/loader.md's loader builds
# and runs as printed.
source "$(dirname "$0")/../lib.sh"
P=$TMP/prefix
if make -s -C "$ROOT" install PREFIX="$P" >"$TMP/install.log" 2>&1; then pass "make install"; else fail "make install" "$(tail -3 "$TMP/install.log")"; exit 0; fi
for f in bin/bpfkit lib/libbpfkit.a lib/libbpfkit.so lib/pkgconfig/bpfkit.pc include/bpfkit/bpfkit.h \
	 share/bpfkit/bpf/include/bpfkit/parse.h share/man/man1/bpfkit.1 share/man/man1/bpfkit-run.1 \
	 share/man/man8/xdpfw.8 share/man/man8/xdpfw-apply.8 share/bash-completion/completions/bpfkit \
	 share/bash-completion/completions/xdpfw share/doc/bpfkit/loader.md; do
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
		# a custom PREFIX: found through bpfkit.pc's rpath, no LD_LIBRARY_PATH
		out=$(env -u LD_LIBRARY_PATH "$TMP/tiny" "$BPFDIR/xdp-pass.bpf.o" 2>&1)
		[ "$out" = "tiny: load ok" ] && pass "tiny loader (shared) loads a program without LD_LIBRARY_PATH" ||
			fail "tiny loader (shared) loads without LD_LIBRARY_PATH" "$out"
		env -u LD_LIBRARY_PATH ldd "$TMP/tiny" | grep -q "libbpfkit.so.0 => $P/lib" &&
			pass "linked to the installed shared library" || fail "linked to the installed shared library" "$(ldd "$TMP/tiny" | grep bpfkit)"
	else
		skip "tiny loader loads a program" "needs root"
	fi
else
	fail "tiny loader builds against the installed library" "$(head -3 "$TMP/cc.err")"
fi
if cc -o "$TMP/tiny-static" "$TMP/tiny.c" $(pkg-config --cflags bpfkit) -L"$P/lib" -Wl,-Bstatic -lbpfkit -Wl,-Bdynamic \
	$(pkg-config --libs libbpf libelf zlib libpcap capstone libdw) 2>"$TMP/cc2.err"; then
	pass "tiny loader links the static library"
	if [ "$(id -u)" -eq 0 ]; then
		out=$("$TMP/tiny-static" "$BPFDIR/xdp-pass.bpf.o" 2>&1)
		[ "$out" = "tiny: load ok" ] && pass "tiny loader (static) loads a program" || fail "tiny loader (static) loads" "$out"
	fi
else
	fail "tiny loader links the static library" "$(head -3 "$TMP/cc2.err")"
fi
# the flags `pkg-config --static` gives link (libpcap's private -lsystemd
# used to break them)
if cc -o "$TMP/tiny-pcs" "$TMP/tiny.c" $(pkg-config --cflags bpfkit) -L"$P/lib" -Wl,-Bstatic -lbpfkit -Wl,-Bdynamic \
	$(pkg-config --static --libs bpfkit | sed 's/-lbpfkit//') 2>"$TMP/cc3.err" &&
   cc -o "$TMP/tiny-pcs2" "$TMP/tiny.c" $(pkg-config --static --cflags --libs bpfkit) 2>>"$TMP/cc3.err"; then
	pass "pkg-config --static --libs bpfkit links"
else
	fail "pkg-config --static --libs bpfkit links" "$(head -3 "$TMP/cc3.err" | tr '\n' ' ')"
fi

# man pages: found by man through the installed MANPATH, rendered cleanly
if command -v man >/dev/null; then
	for pg in bpfkit bpfkit-run xdpfw xdpfw-apply; do
		out=$(MANPATH=$P/share/man MANWIDTH=80 man "$pg" 2>&1)
		if printf '%s\n' "$out" | grep -q "^NAME" && printf '%s\n' "$out" | grep -q "^SYNOPSIS"; then pass "man $pg (installed)"
		else fail "man $pg (installed)" "$(printf '%s\n' "$out" | head -3 | tr '\n' ' ')"; fi
	done
else
	skip "man pages render" "man not installed"
fi

# bash completion: commands, verbs, options from the installed tools
comp() {	# comp WORD... (the last one is completed): the candidates, one line
	PATH=$P/bin:$PATH bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _bpfkit_complete
		echo "${COMPREPLY[*]}"' _ "$P/share/bash-completion/completions/${1}" "$@"
}
cw() {	# cw NAME WANT WORD...
	local name=$1 want=$2; shift 2
	local got; got=$(comp "$@")
	[[ " $got " == *" $want "* ]] && pass "completion: $name" || fail "completion: $name" "'$*' gave '$got', wanted $want"
}
cw "bpfkit commands" run bpfkit ""
cw "bpfkit run options" --iface bpfkit run --i
cw "bpfkit prog verbs" dump bpfkit prog d
cw "bpfkit --iface interfaces" lo bpfkit run x.o --iface l
cw "xdpfw commands" apply xdpfw ap
cw "xdpfw load options" --max-rules xdpfw load --max-r
cw "xdpfw rule verbs" del xdpfw rule d
cw "xdpfw after global options" status xdpfw --pin-dir /sys/fs/bpf/x -j st

# docs/loader.md: its loader, exactly as printed, against the installed copy
awk '/^```c$/ { on = 1; next } /^```$/ { if (on) exit } on' "$ROOT/docs/loader.md" >"$TMP/my-loader.c"
if [ -s "$TMP/my-loader.c" ] && cc -O2 -Wall -Wextra -Werror -o "$TMP/my-loader" "$TMP/my-loader.c" \
	$(pkg-config --cflags --libs bpfkit) 2>"$TMP/ml.err"; then
	pass "docs/loader.md: the loader builds against the installed bpfkit"
	if [ "$(id -u)" -eq 0 ]; then
		NSL=bkL$UNIQ
		ip netns add "$NSL" && on_exit ip netns del "$NSL"
		ip -n "$NSL" link add "la$UNIQ" type veth peer name "lb$UNIQ"
		ip -n "$NSL" addr add 10.77.0.1/24 dev "la$UNIQ"
		ip -n "$NSL" link set "la$UNIQ" up; ip -n "$NSL" link set "lb$UNIQ" up
		env -u LD_LIBRARY_PATH ip netns exec "$NSL" timeout 20 "$TMP/my-loader" "$BPFDIR/xdp-hello.bpf.o" "lb$UNIQ" 4 \
			>"$TMP/ml.out" 2>&1 &
		mpid=$!
		wait_started "$TMP/ml.out" "attached to lb$UNIQ" "docs/loader.md: the loader"
		ip netns exec "$NSL" ping -c 3 -i 0.2 -W 1 -I "la$UNIQ" 10.77.0.2 >/dev/null 2>&1
		wait "$mpid"; rc=$?
		if [ "$rc" -eq 0 ] && grep -q "INFO  xdp_hello: received a packet" "$TMP/ml.out"; then
			pass "docs/loader.md: the loader attaches and prints the program's log"
		else fail "docs/loader.md: the loader attaches and prints the program's log" "exit $rc: $(head -3 "$TMP/ml.out" | tr '\n' ' ')"; fi
		if ! ip -n "$NSL" link show "lb$UNIQ" | grep -q xdp; then pass "docs/loader.md: detached at exit"
		else fail "docs/loader.md: detached at exit"; fi
	else
		skip "docs/loader.md: the loader runs" "needs root"
	fi
else
	fail "docs/loader.md: the loader builds against the installed bpfkit" "$(head -3 "$TMP/ml.err" | tr '\n' ' ')"
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
