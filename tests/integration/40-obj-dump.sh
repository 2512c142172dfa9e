#!/bin/bash
# tests/integration/40-obj-dump.sh — `bpfkit obj dump` and `obj sections`
# against the real tools, instruction by instruction: llvm-objdump -d (and -dr
# for relocations), llvm-readelf --sections, over the project's objects, the
# every-opcode object (tests/data/isa) and Debian xdp-tools' objects.
# No kernel needed.
. "$(dirname "$0")/../lib.sh"

command -v llvm-objdump >/dev/null || { skip "obj dump" "llvm-objdump missing"; exit 0; }
CLANG=${CLANG:-clang}

# The every-opcode object is built here (clang, like the Makefile does for
# programs) so the test always exercises the committed source.
ISA=$TMP/isa.bpf.o
if ! $CLANG -target bpf -O2 -g -c "$ROOT/tests/data/isa/isa.bpf.c" -o "$ISA" 2>"$TMP/isa.err"; then
	fail "isa object builds" "$(head -3 "$TMP/isa.err" | tr '\n' ' ')"
	exit 0
fi

# the same object big-endian: bytes, fields and relocations in the other order
ISA_BE=$TMP/isa-be.bpf.o
$CLANG -target bpfeb -O2 -g -c "$ROOT/tests/data/isa/isa.bpf.c" -o "$ISA_BE" 2>/dev/null || ISA_BE=
corpus=("$ISA" ${ISA_BE:+"$ISA_BE"})
while read -r f; do corpus+=("$f"); done < <(find "$BPFDIR" -name '*.o' -type f | sort)
# the project's programs again, compiled the ways users compile them:
# big-endian, ISA v1 (no JMP32, no alu32), v3 (w registers, atomics), -O1
for src in "$ROOT"/examples/*/*.bpf.c "$ROOT"/apps/*/*.bpf.c; do
	[ -f "$src" ] || continue
	for v in "bpfeb -O2 -mcpu=v3" "bpfel -O2 -mcpu=v1" "bpfel -O1 -mcpu=v3"; do
		set -- $v
		out=$TMP/$(basename "$src" .bpf.c)-$1$2${3#-mcpu=}.o
		$CLANG -target "$@" -g -Wno-unused-function -I"$ROOT/bpf/include" -I"$(dirname "$src")" \
			-idirafter "/usr/include/$(uname -m)-linux-gnu" -D__TARGET_ARCH_x86 -c "$src" -o "$out" 2>/dev/null &&
			corpus+=("$out")
	done
done
for f in /usr/lib/x86_64-linux-gnu/bpf/*.o; do [ -f "$f" ] && corpus+=("$f"); done

norm() { sed -e 's/[[:space:]]\+/ /g' -e 's/^ //' -e 's/ $//' | grep -v '^$' | grep -v 'file format'; }
# section table rows -> "nr|name|type|addr|off|size|es|flg|lk|inf|al", for
# each pair of files DIR/N.w (llvm-readelf) and DIR/N.g (bpfkit) whose rows
# differ or are missing: "N" (one python for the whole corpus: a start each
# cost more than the comparisons)
secdiff() {
	python3 - "$1" <<'PY'
import os, re, sys
row = re.compile(r"^\s*\[\s*(\d+)\]\s(.*?)\s+([A-Z_]+|0x[0-9a-f]+: <unknown>)\s+([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)")
def rows(path):
    with open(path, errors="replace") as f:
        return ["|".join(g.strip() for g in m.groups()) for m in map(row.match, f) if m]
d = sys.argv[1]
for n in sorted({x.split(".")[0] for x in os.listdir(d)}, key=int):
    w, g = rows(f"{d}/{n}.w"), rows(f"{d}/{n}.g")
    if not w or w != g:
        print(n)
PY
}
# the instruction lines only: "IDX: BYTES TEXT"
insns() { grep -E '^ *[0-9]+:' ; }

total=0 bad=0 files=0
mkdir -p "$TMP/sec"
for f in "${corpus[@]}"; do
	name=$(basename "$f")
	secopt=()
	# the ISA object's v4 section holds encodings LLVM 14 cannot disassemble; it is checked below
	[ "$f" = "$ISA" ] || [ "$f" = "$ISA_BE" ] && secopt=(--section isa/v3)
	llvm-objdump -d ${secopt:+--section=isa/v3} "$f" | norm >"$TMP/want" 2>/dev/null
	"$BK" obj dump --raw "${secopt[@]}" "$f" 2>"$TMP/err" | norm >"$TMP/got"
	n=$(insns <"$TMP/want" | wc -l)
	total=$((total + n)); files=$((files + 1))
	if ! diff -q "$TMP/want" "$TMP/got" >/dev/null; then
		bad=$((bad + $(diff "$TMP/want" "$TMP/got" | grep -c '^<')))
		fail "obj dump = llvm-objdump -d: $name" "$(diff "$TMP/want" "$TMP/got" | head -4 | tr '\n' ' ')"
	elif [ "$n" -eq 0 ]; then
		fail "obj dump = llvm-objdump -d: $name" "no instructions compared"
	fi
	# relocations: the annotated view equals llvm-objdump -dr once our
	# "# name" comments are removed
	llvm-objdump -dr ${secopt:+--section=isa/v3} "$f" | norm >"$TMP/want.r" 2>/dev/null
	"$BK" obj dump "${secopt[@]}" "$f" 2>/dev/null | sed 's/\t# .*//' | norm >"$TMP/got.r"
	if ! diff -q "$TMP/want.r" "$TMP/got.r" >/dev/null; then
		fail "obj dump relocations = llvm-objdump -dr: $name" "$(diff "$TMP/want.r" "$TMP/got.r" | head -4 | tr '\n' ' ')"
		bad=$((bad + 1))
	fi
	# section table: every field llvm-readelf prints (compared after the loop)
	llvm-readelf --sections "$f" >"$TMP/sec/$files.w"
	"$BK" obj sections "$f" >"$TMP/sec/$files.g"
	# byte for byte, once bpfkit's BPF column is taken off: the header line
	# with its offset, long names pushing the columns as llvm-readelf does,
	# the key to flags
	cp "$TMP/sec/$files.w" "$TMP/sxw"
	sed -E 's/Al  BPF$/Al/;
		s/  (program|functions|license|version|maps|btf|btf\.ext|symbols|relocations|data)( \([^)]*\))?$//' \
		"$TMP/sec/$files.g" >"$TMP/sxg"
	if ! cmp -s "$TMP/sxw" "$TMP/sxg"; then
		fail "obj sections layout = llvm-readelf --sections: $name" "$(diff "$TMP/sxw" "$TMP/sxg" | head -4 | tr '\n' ' ')"
		bad=$((bad + 1))
	fi
done
for n in $(secdiff "$TMP/sec"); do
	fail "obj sections = llvm-readelf --sections: $(basename "${corpus[n - 1]}")" \
		"$(diff "$TMP/sec/$n.w" "$TMP/sec/$n.g" | head -4 | tr '\n' ' ')"
	bad=$((bad + 1))
done
if [ "$bad" -eq 0 ]; then
	pass "obj dump agrees with llvm-objdump on all $total instructions of $files objects (+ relocations, section tables)"
fi
# the checks below run every object through more tools: the verifier
# tests' many small objects (build/bpf/verifier, all compiled the same way)
# are represented there by a few
corpus2=()
nv=0
for f in "${corpus[@]}"; do
	case $f in "$BPFDIR"/verifier/*) nv=$((nv + 1)); [ $((nv % 10)) -eq 1 ] || continue ;; esac
	corpus2+=("$f")
done

# llvm-objdump's own options, with its exact meaning, byte for byte (the
# seeds use them): --print-imm-hex (immediates, memory and jump offsets),
# --no-show-raw-insn, both, and neither.
bad=0
for f in "${corpus2[@]}"; do
	secopt=()
	[ "$f" = "$ISA" ] || [ "$f" = "$ISA_BE" ] && secopt=(--section isa/v3)
	for flags in "" "--print-imm-hex" "--no-show-raw-insn" "--no-show-raw-insn --print-imm-hex"; do
		llvm-objdump -d $flags ${secopt:+--section=isa/v3} "$f" >"$TMP/bw" 2>/dev/null
		"$BK" obj dump --raw $flags "${secopt[@]}" "$f" >"$TMP/bg" 2>&1
		if ! cmp -s "$TMP/bw" "$TMP/bg"; then
			bad=$((bad + 1))
			fail "obj dump --raw $flags = llvm-objdump -d $flags (byte for byte): $(basename "$f")" \
				"$(diff "$TMP/bw" "$TMP/bg" | head -4 | tr '\n' ' ')"
		fi
	done
done
[ "$bad" -eq 0 ] && pass "obj dump --print-imm-hex / --no-show-raw-insn = llvm-objdump's, byte for byte, ${#corpus2[@]} objects"

# -S: the whole listing (source lines and instructions) equals llvm-objdump
# -S's, whitespace normalised, for every corpus object with a DWARF line
# table: the same DWARF rows, the same rule for when a line repeats, nothing
# for line 0 or a missing source file (xdp-tools' objects name sources that
# are not installed).
# Besides the corpus: one program compiled with every DWARF version, 64-bit
# DWARF, -O0, from another directory (relative paths), line tables without
# .debug_info (no CU: no lines), a relative compilation directory, with its
# source embedded (-gembed-source) and then deleted, and with its source
# deleted.
scorpus=("${corpus2[@]}")
mkdir -p "$TMP/src"
cp "$ROOT/examples/xdp-hello/xdp-hello.bpf.c" "$TMP/src/gone.bpf.c"
cp "$ROOT/examples/xdp-hello/xdp-hello.bpf.c" "$TMP/src/embed.bpf.c"
sflags=(-I"$ROOT/bpf/include" -idirafter "/usr/include/$(uname -m)-linux-gnu")
n=0
for v in "-gdwarf-2" "-gdwarf-3" "-gdwarf-4" "-gdwarf-5 -gdwarf64" "-gdwarf-4 -gdwarf64" "-g -O0" "-g -O1 -target bpfeb" \
	"-gline-directives-only" "-g -fdebug-compilation-dir=." "-gline-tables-only -gdwarf-4"; do
	n=$((n + 1))
	(cd "$ROOT/.." && $CLANG -target bpf -O2 $v "${sflags[@]}" -c "$(basename "$ROOT")/examples/xdp-hello/xdp-hello.bpf.c" \
		-o "$TMP/dw$n.o" 2>/dev/null) && scorpus+=("$TMP/dw$n.o")
done
(cd "$TMP/src" && $CLANG -target bpf -O2 -g "${sflags[@]}" -c gone.bpf.c -o "$TMP/gone.o" &&
	$CLANG -target bpf -O2 -g -gdwarf-5 -gembed-source "${sflags[@]}" -c embed.bpf.c -o "$TMP/embed.o") 2>/dev/null &&
	rm "$TMP/src/gone.bpf.c" "$TMP/src/embed.bpf.c" && scorpus+=("$TMP/gone.o" "$TMP/embed.o")
[ "${#scorpus[@]}" -eq $((${#corpus2[@]} + 12)) ] || fail "obj dump -S: variants build" "only $((${#scorpus[@]} - ${#corpus2[@]})) of 12"
stotal=0 sbad=0 sfiles=0
for f in "${scorpus[@]}"; do
	llvm-readelf -S "$f" | grep -q '\.debug_line ' || continue
	name=$(basename "$f")
	secopt=()
	[ "$f" = "$ISA" ] || [ "$f" = "$ISA_BE" ] && secopt=(--section isa/v3)
	llvm-objdump -S ${secopt:+--section=isa/v3} "$f" 2>/dev/null | norm >"$TMP/sw"
	"$BK" obj dump -S --raw "${secopt[@]}" "$f" 2>"$TMP/serr" | norm >"$TMP/sg"
	n=$(grep -c '^; ' "$TMP/sw")
	stotal=$((stotal + n)); sfiles=$((sfiles + 1))
	if ! diff -q "$TMP/sw" "$TMP/sg" >/dev/null; then
		sbad=$((sbad + 1))
		fail "obj dump -S = llvm-objdump -S: $name" "$(diff "$TMP/sw" "$TMP/sg" | head -6 | tr '\n' ' ')"
	elif ! diff -q <(llvm-objdump -dr -S ${secopt:+--section=isa/v3} "$f" 2>/dev/null | norm) \
		<("$BK" obj dump -S "${secopt[@]}" "$f" 2>/dev/null | sed 's/\t# .*//' | norm) >/dev/null; then
		sbad=$((sbad + 1))
		fail "obj dump -S (relocations) = llvm-objdump -dr -S: $name" "listings differ"
	elif grep -q Sanitizer "$TMP/serr"; then
		sbad=$((sbad + 1))
		fail "obj dump -S: $name" "$(grep -m1 Sanitizer "$TMP/serr")"
	fi
done
if [ "$sbad" -eq 0 ] && [ "$sfiles" -gt 10 ] && [ "$stotal" -gt 100 ]; then
	pass "obj dump -S agrees with llvm-objdump -S (and -S with relocations with -dr -S) line by line: $stotal source lines in $sfiles objects"
elif [ "$sbad" -eq 0 ]; then
	fail "obj dump -S vs llvm-objdump -S" "too little compared: $stotal lines in $sfiles objects"
fi

# Without DWARF (stripped), -S falls back to BTF line info; damaged DWARF
# is reported in one line and BTF line info is used, never a crash.
if [ -f "$BPFDIR/xdp-hello.bpf.o" ]; then
	llvm-strip --strip-debug -o "$TMP/nodw.o" "$BPFDIR/xdp-hello.bpf.o"
	out=$("$BK" obj dump -S "$TMP/nodw.o" 2>&1)
	if [ $? -eq 0 ] && [ "$(grep -c '^; ' <<<"$out")" -gt 5 ] && ! grep -q Sanitizer <<<"$out" &&
	   [ "$(llvm-objdump -S "$TMP/nodw.o" | grep -c '^; ')" -eq 0 ]; then
		pass "obj dump -S: stripped object shows BTF line info ($(grep -c '^; ' <<<"$out") lines)"
	else
		fail "obj dump -S: stripped object" "$(head -3 <<<"$out" | tr '\n' ' ')"
	fi
	python3 - "$BPFDIR/xdp-hello.bpf.o" "$TMP/dwbad" <<'PY'
import random, struct, sys
src = open(sys.argv[1], 'rb').read()
shoff, = struct.unpack_from('<Q', src, 0x28)
shnum, shstrndx = struct.unpack_from('<HH', src, 0x3c)
def hdr(i): return shoff + i * 64
so, = struct.unpack_from('<Q', src, hdr(shstrndx) + 24)
def name(i):
    n, = struct.unpack_from('<I', src, hdr(i))
    return src[so + n:src.index(b'\0', so + n)].decode()
i = [i for i in range(shnum) if name(i) == '.debug_line'][0]
off, size = struct.unpack_from('<QQ', src, hdr(i) + 24)
b = bytearray(src); b[off + 4:off + 6] = b'\x63\x00'	# version 99
open(sys.argv[2] + '-ver.o', 'wb').write(b)
b = bytearray(src); struct.pack_into('<I', b, off, 0x7ffffff0)	# unit length past the end
open(sys.argv[2] + '-len.o', 'wb').write(b)
rnd = random.Random(4)
for k in range(20):	# random bytes over the header and program
    b = bytearray(src)
    for _ in range(8):
        b[off + rnd.randrange(size)] = rnd.randrange(256)
    open('%s-rnd%02d.o' % (sys.argv[2], k), 'wb').write(b)
PY
	for v in ver len; do
		out=$("$BK" obj dump -S "$TMP/dwbad-$v.o" 2>&1)
		if [ $? -eq 0 ] && grep -q '\.debug_line is corrupt; using BTF line info' <<<"$out" &&
		   [ "$(grep -c '^; ' <<<"$out")" -gt 5 ] && ! grep -q Sanitizer <<<"$out"; then
			pass "obj dump -S: damaged .debug_line ($v) reported once, BTF line info used"
		else
			fail "obj dump -S: damaged .debug_line ($v)" "$(grep -m2 -E 'debug_line|Sanitizer' <<<"$out" | tr '\n' ' ')"
		fi
	done
	crashed=
	for f in "$TMP"/dwbad-rnd*.o; do
		"$BK" obj dump -S "$f" >/dev/null 2>"$TMP/rnd.err"
		rc=$?
		{ [ $rc -gt 1 ] || grep -q Sanitizer "$TMP/rnd.err"; } && crashed+=" $(basename "$f")($rc)"
	done
	[ -z "$crashed" ] && pass "obj dump -S: 20 randomly damaged line tables, no crash" ||
		fail "obj dump -S: random DWARF damage" "$crashed"
fi

# The v4 section: each raw word's comment in the source is the text we print.
grep -oE '/\* .* \*/' "$ROOT/tests/data/isa/isa.bpf.c" | sed -n '/^\/\* \(r1\|w1\) %= /,$p' |
	sed -e 's|^/\* ||' -e 's| \*/$||' -e 's/\\t/\t/' >"$TMP/v4.want"
"$BK" obj dump --raw --section isa/v4 "$ISA" | grep -E '^ *[0-9]+:' | cut -f3- |
	sed -e 's/ <isa_v4[^>]*>$//' >"$TMP/v4.got"
if [ "$(wc -l <"$TMP/v4.want")" -gt 60 ] && diff "$TMP/v4.want" "$TMP/v4.got" >"$TMP/v4.diff"; then
	pass "obj dump: ISA v4 / later encodings ($(wc -l <"$TMP/v4.want") forms) print the newer LLVM syntax"
else
	fail "obj dump: ISA v4 forms" "$(head -4 "$TMP/v4.diff" | tr '\n' ' ')"
fi

# --visual: every function of the corpus draws a graph graphviz accepts. dot's
# layout grows steeply with a graph's size (xdpfw's 700-line graph takes
# minutes), so big graphs are checked by graphviz's parser (nop) and the rest
# are rendered to SVG as well.
if command -v dot >/dev/null && command -v nop >/dev/null; then
	nf=0 nr=0 badf=
	for f in "${corpus2[@]}"; do
		[ "$f" = "$ISA" ] || [ "$f" = "$ISA_BE" ] && continue
		for p in $(llvm-readelf -s "$f" | awk '$4 == "FUNC" { print $8 }' | sort -u); do
			nf=$((nf + 1))
			"$BK" obj dump "$f" --prog "$p" --visual dot >"$TMP/vis.dot" 2>>"$TMP/vis.err" &&
				nop "$TMP/vis.dot" >/dev/null 2>>"$TMP/vis.err" || { badf+=" $(basename "$f"):$p"; continue; }
			[ "$(wc -l <"$TMP/vis.dot")" -le 300 ] || continue
			nr=$((nr + 1))
			timeout 60 dot -Tsvg -o /dev/null "$TMP/vis.dot" 2>>"$TMP/vis.err" || badf+=" $(basename "$f"):$p(svg)"
		done
	done
	if [ "$nf" -gt 10 ] && [ "$nr" -gt 10 ] && [ -z "$badf" ]; then
		pass "obj dump --visual: all $nf functions parse as graphviz DOT, $nr render to SVG"
	else fail "obj dump --visual" "failed:$badf $(head -2 "$TMP/vis.err" | tr '\n' ' ')"; fi
	# clusters are named after the functions' symbols
	"$BK" obj dump "$BPFDIR/xdp-hello.bpf.o" --section xdp --visual dot >"$TMP/h.dot"
	if grep -q 'label="xdp_hello (insn 0)"' "$TMP/h.dot" && ! grep -q 'label="func_' "$TMP/h.dot"; then
		pass "obj dump --visual: clusters carry the functions' symbol names"
	else
		fail "obj dump --visual: cluster names" "$(grep -m2 'label="[^{]' "$TMP/h.dot" | tr '\n' ' ')"
	fi
	# a graph is never JSON, and -o belongs to --visual: refused, not ignored
	for opt in -S --raw --no-show-raw-insn --explain; do
		expect_fail "obj dump --visual with $opt is refused, not ignored" 2 "$opt is for the listing" \
			"$BK" obj dump "$BPFDIR/xdp-hello.bpf.o" --visual dot $opt
	done
	expect_fail "obj dump --visual with -j is refused" 2 "never JSON" \
		"$BK" -j obj dump "$BPFDIR/xdp-hello.bpf.o" --visual dot
	expect_fail "obj dump -o without --visual is refused" 2 "where --visual writes" \
		"$BK" obj dump "$BPFDIR/xdp-hello.bpf.o" -o "$TMP/nothing.dot"
	if "$BK" obj dump "$BPFDIR/xdp-hello.bpf.o" --prog xdp_hello --visual png -o "$TMP/h.png" &&
	   [ "$(head -c 4 "$TMP/h.png" | od -An -c | tr -d ' ')" = "211PNG" ]; then
		pass "obj dump --visual png"
	else
		fail "obj dump --visual png" "no PNG written"
	fi
else
	skip "obj dump --visual" "graphviz not installed"
fi
# (stack_size: its program and a BPF-to-BPF callee in .text)
expect_fail "obj dump --visual: several sections" 2 "choose with --section or --prog" "$BK" obj dump "$BPFDIR/verifier/stack_size.bpf.o" --visual dot
expect_fail "obj dump --visual svg needs -o" 2 "needs -o FILE" "$BK" obj dump "$BPFDIR/xdp-hello.bpf.o" --visual svg

# Helper names, relocation targets, explain, JSON, -S.
hello=$BPFDIR/xdp-hello.bpf.o
if [ -f "$hello" ]; then
	# (xdp-hello calls no helper since bk_info writes the shared log ring
	# directly: log-bench's ring buffer and bpf_printk programs do)
	out=$("$BK" obj dump "$BPFDIR/log/log-bench.bpf.o")
	if grep -qP 'call [0-9]+\t# bpf_[a-z_]+$' <<<"$out"; then pass "obj dump names helpers"; else fail "obj dump names helpers" "no 'call N # bpf_NAME'"; fi
	callee=$("$BK" obj dump "$BPFDIR/verifier/stack_size.bpf.o")
	if grep -qP 'call -1\t# [a-z_]+$' <<<"$callee" && ! grep -qP 'call -1\t# \.text' <<<"$callee"; then
		pass "obj dump names the callee of BPF-to-BPF calls"
	else
		fail "obj dump BPF-to-BPF callee" "$(grep -P 'call -1' <<<"$callee" | head -2)"
	fi
	ex=$("$BK" obj dump --explain "$hello")
	if grep -q 'class ALU64 (0x07) | op MOV (0xb0) | source K (immediate)' <<<"$ex" &&
	   grep -q 'meaning: returns from the current function' <<<"$ex"; then
		pass "obj dump --explain splits fields and says what each instruction means"
	else
		fail "obj dump --explain" "missing field split or meaning"
	fi
	if "$BK" obj dump -j "$BPFDIR/log/log-bench.bpf.o" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert len(d) > 10 and all("text" in i and "bytes" in i for i in d)
assert any(i.get("comment", "").startswith("bpf_") for i in d)
' 2>"$TMP/j.err"; then pass "obj dump -j is JSON with text and bytes"; else fail "obj dump -j" "$(tail -1 "$TMP/j.err")"; fi
	if "$BK" obj sections -j "$hello" | python3 -c '
import json, sys
d = json.load(sys.stdin)
keys = {"index", "name", "type", "address", "offset", "size", "entsize", "flags", "link", "info", "align"}
assert all(keys <= set(s) for s in d), d[0]
assert any(s.get("role") == "program" and s.get("prog_type") == "xdp" for s in d)
assert any(s.get("role") == "btf" for s in d) and any(s.get("role") == "license" for s in d)
' 2>"$TMP/sj.err" && [ "$("$BK" obj sections -j "$hello" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" -eq "$(llvm-readelf --sections "$hello" | grep -c '^ *\[ *[0-9]')" ]; then
		pass "obj sections -j: every section with every field and its BPF role"
	else
		fail "obj sections -j" "$(tail -1 "$TMP/sj.err")"
	fi
	if "$BK" obj dump --hex --raw "$hello" | grep -qE '\br[0-9] = 0x[0-9a-f]+$' &&
	   "$BK" obj dump --hex --raw "$hello" | grep -qE 'if r[0-9] (==|!=) 0x'; then
		pass "obj dump --hex prints immediates in hex"
	else
		fail "obj dump --hex" "no hex immediates"
	fi
	if "$BK" obj dump --prog xdp_hello "$hello" | grep -q '<xdp_hello>:'; then pass "obj dump --prog"; else fail "obj dump --prog" "function not shown"; fi
	expect_fail "obj dump --prog missing" 1 "no function 'nope'" "$BK" obj dump --prog nope "$hello"
	expect_fail "obj dump --section missing" 1 "no section 'nope' \(bpfkit obj sections lists them\)" "$BK" obj dump --section nope "$hello"
	# a selection that finds nothing says why: no code, empty, or the function is elsewhere
	V=$BPFDIR/testrun/verdicts.bpf.o
	expect_fail "obj dump --section of data" 1 "section 'license' holds no code" "$BK" obj dump --section license "$V"
	expect_fail "obj dump --section empty .text" 1 "section '.text' is empty \(no instructions\)" "$BK" obj dump --section .text "$V"
	expect_fail "obj dump --prog in another section" 1 "no function 'xdp_verdict' in section 'socket' \(it is in section 'xdp'\)" \
		"$BK" obj dump --section socket --prog xdp_verdict "$V"
	expect_fail "obj dump --prog in a missing section: the section is named" 1 "no section 'nope' \(bpfkit obj sections" \
		"$BK" obj dump --section nope --prog xdp_verdict "$V"
	expect_fail "obj dump --visual --prog in another section" 1 "no function 'xdp_verdict' in section 'socket'" \
		"$BK" obj dump --section socket --prog xdp_verdict --visual dot "$V"
	if "$BK" obj sections "$hello" | grep -qE '\] xdp .*program \(xdp\)' &&
	   "$BK" obj sections "$hello" | grep -qE '\] license .*license'; then
		pass "obj sections says which sections are programs (with type) and license"
	else
		fail "obj sections roles" "no 'program (xdp)' / license role"
	fi
	# issue 12: an old-style section name has no program type; an empty
	# .text is no program
	old=$BPFDIR/foundation/old-section.bpf.o
	if "$BK" obj sections "$old" | grep -qE '\] xdp_vlan01 .*  program \(type unknown\)$' &&
	   "$BK" obj sections "$old" | grep -E '\] \.text ' | grep -qvE 'program|functions'; then
		pass "obj sections: 'program (type unknown)' for SEC(\"xdp_vlan01\"), nothing for an empty .text"
	else
		fail "obj sections: type unknown / empty .text" "$("$BK" obj sections "$old" | grep -E 'xdp_vlan01|\.text')"
	fi
fi

# Bad input: one-line errors, never a crash.
printf 'not an elf at all' >"$TMP/junk.o"
expect_fail "obj dump: not ELF" 1 "not an ELF file" "$BK" obj dump "$TMP/junk.o"
head -c 40 "$hello" >"$TMP/trunc.o"
expect_fail "obj dump: truncated ELF" 1 "(truncated|not an ELF|damaged)" "$BK" obj dump "$TMP/trunc.o"
expect_fail "obj dump: wrong e_machine" 1 "e_machine is 62, not BPF" "$BK" obj dump /bin/true
expect_fail "obj dump: missing file" 1 "No such file" "$BK" obj dump "$TMP/nope.o"
expect_fail "obj dump: no FILE" 2 "missing FILE" "$BK" obj dump
expect_fail "obj sections: bad option" 2 "unknown option" "$BK" obj sections --bogus "$hello"
# extended section numbering (e_shnum 0) whose count, in section 0's
# sh_size, runs past the file: refused (libelf quietly reported 0 sections)
python3 - "$hello" "$TMP/shnum0.o" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], 'rb').read())
shoff = struct.unpack_from('<Q', b, 0x28)[0]
struct.pack_into('<H', b, 0x3c, 0)
struct.pack_into('<Q', b, shoff + 32, 100000)
open(sys.argv[2], 'wb').write(b)
PY
expect_fail "obj sections: a section count past the file" 1 "section header table" "$BK" obj sections "$TMP/shnum0.o"
expect_fail "obj dump: a section count past the file" 1 "section header table" "$BK" obj dump "$TMP/shnum0.o"
# a section whose offset points past the end of the file
python3 - "$hello" "$TMP/badoff.o" "$TMP/odd.o" "$TMP/badrel.o" "$TMP/badbtf.o" <<'PY'
import struct, sys
src = open(sys.argv[1], 'rb').read()
shoff, = struct.unpack_from('<Q', src, 0x28)
shnum, shstrndx = struct.unpack_from('<HH', src, 0x3c)
def hdr(i): return shoff + i * 64
def name(i):
    n, = struct.unpack_from('<I', src, hdr(i))
    so, = struct.unpack_from('<Q', src, hdr(shstrndx) + 24)
    return src[so + n:src.index(b'\0', so + n)].decode()
idx = {name(i): i for i in range(shnum)}
b = bytearray(src); struct.pack_into('<Q', b, hdr(idx['xdp']) + 24, len(src) + 4096)
open(sys.argv[2], 'wb').write(b)
b = bytearray(src); sz, = struct.unpack_from('<Q', b, hdr(idx['xdp']) + 32)
struct.pack_into('<Q', b, hdr(idx['xdp']) + 32, sz - 3)
open(sys.argv[3], 'wb').write(b)
b = bytearray(src); ro, = struct.unpack_from('<Q', b, hdr(idx['.relxdp']) + 24)
struct.pack_into('<Q', b, ro, 0x7fffff00)	# first relocation far outside its section
open(sys.argv[4], 'wb').write(b)
b = bytearray(src); bo, = struct.unpack_from('<Q', b, hdr(idx['.BTF']) + 24)
b[bo + 8:bo + 24] = b'\xff' * 16	# BTF header offsets nonsense
open(sys.argv[5], 'wb').write(b)
PY
expect_fail "obj dump: section outside the file" 1 "outside the file" "$BK" obj dump "$TMP/badoff.o"
if out=$("$BK" obj dump "$TMP/odd.o" 2>&1) && grep -q 'not a multiple of 8' <<<"$out" && ! grep -q Sanitizer <<<"$out"; then
	pass "obj dump: program section size not a multiple of 8 is marked"
else
	fail "obj dump: odd section size" "$(tail -2 <<<"$out" | tr '\n' ' ')"
fi
if out=$("$BK" obj dump "$TMP/badrel.o" 2>&1) && ! grep -q Sanitizer <<<"$out" && grep -q 'R_BPF_64_64' <<<"$out"; then
	pass "obj dump: relocation outside its section is ignored, not a crash"
else
	fail "obj dump: bad relocation" "$(tail -2 <<<"$out" | tr '\n' ' ')"
fi
# (without DWARF, since -S then reads BTF line info)
llvm-strip --strip-debug "$TMP/badbtf.o"
if out=$("$BK" obj dump -S "$TMP/badbtf.o" 2>&1) && grep -q 'BTF is corrupt' <<<"$out" && ! grep -q Sanitizer <<<"$out"; then
	pass "obj dump -S: corrupt BTF is reported in one line, disassembly still shown"
else
	fail "obj dump: corrupt BTF" "$(tail -2 <<<"$out" | tr '\n' ' ')"
fi
