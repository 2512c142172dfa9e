#!/bin/bash
# bench/objdump.sh — `bpfkit obj dump` vs `llvm-objdump -d` on a generated
# 100k-instruction object: whole process (exec, read, decode, print to
# /dev/null), best of 5 runs each, same run. The anchor is llvm-objdump.
set -eu
cd "$(dirname "$0")/.."
BK=build/bin/bpfkit
OUT=build/bench/objdump
mkdir -p "$OUT"
command -v llvm-objdump >/dev/null || { echo "## obj dump vs llvm-objdump"; echo; echo "Skipped: llvm-objdump missing."; exit 0; }

# 25,000 repetitions of 6 instructions (ALU, conditional jump, load, store,
# ld_imm64, helper call) = 150,000 instructions in 175,000 slots.
cat >"$OUT/big.bpf.c" <<'C'
__attribute__((section("xdp"), used, naked)) int big(void)
{
	asm volatile(".rept 25000\n"
		     "r1 += 1\n"
		     "if r1 > 5 goto +1\n"
		     "r2 = *(u32 *)(r1 + 4)\n"
		     "*(u64 *)(r10 - 8) = r2\n"
		     "r3 = 81985529216486895 ll\n"
		     "call 6\n"
		     ".endr\n"
		     "r0 = 2\n"
		     "exit\n");
}
char _license[] __attribute__((section("license"), used)) = "GPL";
C
clang -target bpf -O2 -c "$OUT/big.bpf.c" -o "$OUT/big.bpf.o"
insns=$("$BK" obj dump --raw "$OUT/big.bpf.o" | grep -cE '^ +[0-9]+:')

best() {	# best wall time in ms of 5 runs of "$@"
	local best=999999 t0 t1 ms
	for _ in 1 2 3 4 5; do
		t0=$(date +%s%N)
		"$@" >/dev/null
		t1=$(date +%s%N)
		ms=$(( (t1 - t0) / 1000 ))
		[ "$ms" -lt "$best" ] && best=$ms
	done
	echo "$best"
}
llvm=$(best llvm-objdump -d "$OUT/big.bpf.o")
raw=$(best "$BK" obj dump --raw "$OUT/big.bpf.o")
ann=$(best "$BK" obj dump "$OUT/big.bpf.o")
json=$(best "$BK" obj dump -j "$OUT/big.bpf.o")
ratio() { python3 -c "print('%.1f' % ($1 / max($2, 1)))"; }

echo "## obj dump vs llvm-objdump"
echo
echo "Generated object: $insns instructions. Whole process, best of 5, output to /dev/null."
echo "Anchor: \`llvm-objdump -d\` ($(llvm-objdump --version | grep -m1 -o 'LLVM version [0-9.]*')) = 1.0; higher is faster."
echo
echo "| command | speed vs llvm-objdump -d |"
echo "|---|---|"
echo "| llvm-objdump -d | 1.0× |"
echo "| bpfkit obj dump --raw (same text) | $(ratio "$llvm" "$raw")× |"
echo "| bpfkit obj dump (helper names, relocations) | $(ratio "$llvm" "$ann")× |"
echo "| bpfkit obj dump -j | $(ratio "$llvm" "$json")× |"
echo
echo "Target: ≥10× for \`obj dump\`."
