#!/bin/bash
# bench/objdump-source.sh — `bpfkit obj dump -S` vs `llvm-objdump -S` on a
# generated object with a DWARF line table of ~20,000 rows and its source on
# disk: whole process (exec, read, DWARF, source file, print to /dev/null),
# best of 5 runs each, same run. The anchor is llvm-objdump -S.
set -eu
cd "$(dirname "$0")/.."
BK=build/bin/bpfkit
OUT=build/bench/objdump-source
mkdir -p "$OUT"
command -v llvm-objdump >/dev/null || { echo "## obj dump -S vs llvm-objdump -S"; echo; echo "Skipped: llvm-objdump missing."; exit 0; }

# 10,000 statements on lines of their own, each kept apart by an empty asm
python3 - "$OUT/src.bpf.c" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write('__attribute__((section("xdp"), used)) int big(void *ctx)\n{\n\tunsigned long v = (unsigned long)ctx;\n\n')
    for i in range(10000):
        f.write('\tv = v * %d + %d;\n\tasm volatile("" : "+r"(v));\n' % (3 + i % 5, i))
    f.write('\treturn v & 3;\n}\nchar _license[] __attribute__((section("license"), used)) = "GPL";\n')
PY
clang -target bpf -O2 -g -c "$OUT/src.bpf.c" -o "$OUT/src.bpf.o"
insns=$("$BK" obj dump --raw "$OUT/src.bpf.o" | grep -cE '^ +[0-9]+:')
lines=$(llvm-objdump -S "$OUT/src.bpf.o" | grep -c '^; ')
same=no
diff -q <(llvm-objdump -S "$OUT/src.bpf.o" | sed -e 's/[[:space:]]\+/ /g' | grep -v -e '^ *$' -e 'file format') \
	<("$BK" obj dump -S --raw "$OUT/src.bpf.o" | sed -e 's/[[:space:]]\+/ /g' | grep -v -e '^ *$' -e 'file format') >/dev/null && same=yes

best() {	# best wall time in µs of 5 runs of "$@"
	local best=999999999 t0 t1 us
	for _ in 1 2 3 4 5; do
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		us=$(( (t1 - t0) / 1000 ))
		[ "$us" -lt "$best" ] && best=$us
	done
	echo "$best"
}
llvm=$(best llvm-objdump -S "$OUT/src.bpf.o")
bk=$(best "$BK" obj dump -S --raw "$OUT/src.bpf.o")
bkd=$(best "$BK" obj dump --raw "$OUT/src.bpf.o")
ratio() { python3 -c "print('%.1f' % ($1 / max($2, 1)))"; }

echo "## obj dump -S vs llvm-objdump -S"
echo
echo "Generated object: $insns instructions, $lines source lines printed. Whole process, best of 5, output to /dev/null."
echo "Anchor: \`llvm-objdump -S\` ($(llvm-objdump --version | grep -m1 -o 'LLVM version [0-9.]*')) = 1.0; higher is faster."
echo "Listings identical (whitespace normalised): $same."
echo
echo "| command | speed vs llvm-objdump -S |"
echo "|---|---|"
echo "| llvm-objdump -S | 1.0× |"
echo "| bpfkit obj dump -S --raw (same text) | $(ratio "$llvm" "$bk")× |"
echo "| bpfkit obj dump --raw (no source, for scale) | $(ratio "$llvm" "$bkd")× |"
