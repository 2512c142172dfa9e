#!/bin/bash
# Foundation: CLI grammar, --help everywhere, usage errors (exit 2) and bad
# input (exit 1, one line naming the thing) — before anything touches the kernel.
source "$(dirname "$0")/../lib.sh"

for cmd in run load unload net trace; do
	check "help: bpfkit $cmd --help" "$BK" "$cmd" --help
done
check "help: bpfkit --help" "$BK" --help
check "help: bpfkit version" "$BK" version
if "$BK" --help | grep -q '^  run '; then pass "help lists commands"; else fail "help lists commands"; fi

expect_fail "usage: no command" 2 "Usage: bpfkit" "$BK"
expect_fail "usage: unknown command" 2 "unknown command 'frobnicate'" "$BK" frobnicate
expect_fail "usage: unknown option" 2 "unknown option '--bogus'" "$BK" run --bogus x.o
# bpfkit's own options: one line each (getopt's message and the whole help
# went to stderr before)
for a in --bogus -n; do
	rc=0; "$BK" $a >/dev/null 2>"$TMP/top.err" || rc=$?
	if [ "$rc" = 2 ] && [ "$(wc -l <"$TMP/top.err")" = 1 ]; then pass "usage: bpfkit $a is one line, exit 2"
	else fail "usage: bpfkit $a is one line, exit 2" "exit $rc: $(head -3 "$TMP/top.err" | tr '\n' ' ')"; fi
done
"$BK" version --help | grep -q "^Usage: bpfkit version" && pass "usage: version --help" || fail "usage: version --help"
expect_fail "usage: version takes no arguments" 2 "takes no arguments" "$BK" version --bogus
expect_fail "usage: missing option value" 2 "needs a value" "$BK" run "$BPFDIR/xdp-pass.bpf.o" --iface
expect_fail "usage: run without object" 2 "missing the object file" "$BK" run
expect_fail "usage: bad --mode" 2 "unknown --mode 'turbo'" "$BK" run "$BPFDIR/xdp-pass.bpf.o" --iface lo --mode turbo
expect_fail "usage: bad --timeout" 2 "timeout wants seconds" "$BK" run "$BPFDIR/xdp-pass.bpf.o" --timeout -3
expect_fail "usage: load without --pin" 2 "missing --pin" "$BK" load "$BPFDIR/xdp-pass.bpf.o" --iface lo
expect_fail "usage: unload needs one of" 2 "either --pin DIR or --iface IF" "$BK" unload
expect_fail "usage: net unknown verb" 2 "unknown command 'frob'" "$BK" net frob
expect_fail "usage: no prefix matching" 2 "unknown command 'ru'" "$BK" ru
# a noun without its command is a usage error (exit 2), as bpfkit alone is
for noun in obj prog map; do
	expect_fail "usage: '$noun' without a command" 2 "bpfkit $noun: which command\?" "$BK" $noun
done
# bpfkit help COMMAND is that command's --help
for noun in obj load new version; do
	out=$("$BK" help $noun 2>&1); rc=$?
	[ $rc = 0 ] && grep -q "^Usage: bpfkit $noun" <<<"$out" && pass "help $noun: its own usage" ||
		fail "help $noun: its own usage" "rc $rc: $(head -2 <<<"$out" | tr '\n' ' ')"
done
expect_fail "usage: help of an unknown command" 2 "bpfkit help: unknown command 'frob'" "$BK" help frob

expect_fail "bad input: missing object file" 1 "object '/nonexistent/x.o': cannot open: No such file" \
	"$BK" run /nonexistent/x.o --iface lo
echo "hello" >"$TMP/notelf.o"
expect_fail "bad input: not an ELF" 1 "not an ELF file" "$BK" run "$TMP/notelf.o" --iface lo
expect_fail "bad input: ELF for another machine" 1 "ELF for machine 62, not BPF" "$BK" run /bin/true --iface lo
head -c 100 "$BPFDIR/xdp-pass.bpf.o" >"$TMP/trunc.o"
expect_fail "bad input: truncated ELF" 1 "object '.*trunc.o'" "$BK" run "$TMP/trunc.o" --iface lo
expect_fail "bad input: directory as object" 1 "not a regular file" "$BK" run /tmp --iface lo
# a FIFO is refused at once, not waited on for a writer (open blocked)
mkfifo "$TMP/fifo.o"
expect_fail "bad input: FIFO as object (obj sections)" 1 "not a regular file" timeout 10 "$BK" obj sections "$TMP/fifo.o"
expect_fail "bad input: FIFO as object (run)" 1 "not a regular file" timeout 10 "$BK" run "$TMP/fifo.o" --iface lo

# One line: the error must not be a wall of libbpf output.
"$BK" run /bin/true --iface lo 2>"$TMP/err" || true
if [ "$(wc -l <"$TMP/err")" -eq 1 ]; then pass "bad input: error is one line"; else fail "bad input: error is one line" "$(cat "$TMP/err")"; fi

# Writing a listing to a full device is a failure, not silent truncation.
if [ -e /dev/full ]; then
	rc=0; "$BK" --help >/dev/full 2>/dev/null || rc=$?
	if [ "$rc" -ne 0 ]; then pass "stdout write errors are reported"; else fail "stdout write errors are reported" "exit 0 on /dev/full"; fi
fi

# -j is honoured or refused, never silently ignored (issue 12, item 11).
for cmd in run load unload trace; do
	expect_fail "usage: -j $cmd is refused" 2 "bpfkit $cmd: -j/--json is for listings" \
		"$BK" -j "$cmd" "$BPFDIR/xdp-pass.bpf.o" --iface lo
done
expect_fail "usage: -j log (streaming) is refused" 2 "bpfkit log: -j/--json is for .log sites." \
	"$BK" -j log --pin /sys/fs/bpf/none
# --replace is bpfkit's word for --force too (xdpfw's word).
for cmd in run load; do
	if "$BK" "$cmd" --help | grep -q -- "--replace"; then pass "$cmd --help lists --replace"; else fail "$cmd --help lists --replace"; fi
done
expect_fail "usage: run --replace is accepted (fails later, on the missing file)" 1 "cannot open" \
	"$BK" run /nonexistent/x.o --iface lo --replace

# Objects libbpf cannot take say why (issue 12, item 6): byte order first,
# then libbpf's own reason, never "Unknown error 400x" nor "No such file"
# for a file that is there.
if clang -target bpfeb -O2 -g -c "$ROOT/examples/xdp-pass/xdp-pass.bpf.c" -o "$TMP/be.o" \
	-idirafter "/usr/include/$(uname -m)-linux-gnu" 2>/dev/null; then
	expect_fail "bad input: big-endian object" 1 "object '.*be.o': big-endian BPF object; this host is little-endian" \
		"$BK" run "$TMP/be.o" --iface lo
else
	skip "bad input: big-endian object" "clang -target bpfeb failed"
fi
# .BTF.ext given a section type libbpf does not know
python3 "$ROOT/tests/btfext-patch.py" sectype "$BPFDIR/xdp-pass.bpf.o" "$TMP/badtype.o"
expect_fail "bad input: corrupt object names libbpf's reason" 1 "object '.*badtype.o': corrupt or unsupported BPF object: .*\.BTF\.ext" \
	"$BK" test "$TMP/badtype.o" -k 'ipv4 1.1.1.1>2.2.2.2'
if grep -qE "Unknown error|No such file" "$TMP/ef.err"; then fail "bad input: corrupt object: no errno noise" "$(cat "$TMP/ef.err")"
else pass "bad input: corrupt object: no errno noise"; fi
