#!/bin/bash
# bench/log.sh — bpfkit logging (issue 3): what one bk_info call costs in BPF
# instructions and in time, next to the same record written by hand into a
# ring buffer (the anchor) and to bpf_printk; how fast user space formats;
# whether a sustained ~1M records/s run loses anything uncounted. Prints one
# markdown section; needs root. Programs: tests/data/log/log-bench.bpf.c.
set -eu
cd "$(dirname "$0")/.."
OBJ=build/bpf/log/log-bench.bpf.o
BIN=build/bench/log_bench
SECONDS_SUSTAIN=${LOG_BENCH_SECONDS:-10}
mkdir -p build/bench
[ -f "$OBJ" ] || { echo "missing $OBJ: run make" >&2; exit 1; }
${CLANG:-clang} -O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Werror -Iinclude -Ilib -o "$BIN" bench/log_bench.c \
	build/lib/libbpfkit.a $(pkg-config --libs libbpf libelf zlib libpcap capstone) -lpthread

# Instructions per call in the object: each program minus its 4 shared
# instructions (two argument loads, r0 = XDP_PASS, exit).
insns() { readelf -sW "$OBJ" | awk -v f="$1" '$4 == "FUNC" && $8 == f { print $3 / 8 - 4 }'; }
# the out-of-line loss path is one call per site plus a shared 4-insn subprogram
I_BK=$(insns bkinfo); I_RAW=$(insns raw); I_PK=$(insns printk)

"$BIN" "$OBJ" "$SECONDS_SUSTAIN" >build/bench/log.raw
v() { awk -v k="$1" '$1 == k { print $2 }' build/bench/log.raw; }
r() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

E=$(v run_ns_empty); RAW=$(v run_ns_raw); BK=$(v run_ns_bkinfo); PK=$(v run_ns_printk)
NRAW=$(awk -v a="$RAW" -v e="$E" 'BEGIN { printf "%.1f", a - e }')
NBK=$(awk -v a="$BK" -v e="$E" 'BEGIN { printf "%.1f", a - e }')
NPK=$(awk -v a="$PK" -v e="$E" 'BEGIN { printf "%.1f", a - e }')

cat <<EOF
## Logging: bk_info vs a hand-written ring buffer record vs bpf_printk

One call with two u32 arguments (\`bk_info(ctx, "a=%u b=%u", a, b)\`), kernel $(uname -r).
Anchor: the same 12-byte record written by hand (\`bpf_ringbuf_reserve\`, 3 stores,
\`bpf_ringbuf_submit\`) into the same ring buffer, measured in the same run.

| | BPF instructions per call (object; ld_imm64 counts 2) | ns per call (BPF_PROG_TEST_RUN, minus an empty program) | vs anchor |
|---|---|---|---|
| hand-written ring buffer record (anchor) | $I_RAW | $NRAW | 1.00 |
| \`bk_info\` | $I_BK | $NBK | insns $(r "$I_BK" "$I_RAW"), time $(r "$NBK" "$NRAW") |
| \`bpf_printk\` (same arguments) | $I_PK | $NPK | time $(r "$NPK" "$NRAW") |

- \`bk_info\` costs $I_BK instructions (target: ≤ 20; aya-log needs ≈ 175 for a message with no
  argument, per the issue's disassembly): the anchor's $I_RAW plus the load-time level check (5 with
  clang's default -mcpu=v1, 4 with -mcpu=v3; when the level disables the call the verifier
  removes all but its 3-instruction load) and the loss path (2: a jump and a call to a shared
  4-instruction subprogram that counts the lost record).
- \`bpf_printk\` / \`bk_info\` time: **$(r "$NPK" "$NBK")×** (target ≥ 10×: not met here. The hand-written
  record itself is only $(r "$NPK" "$NRAW")× cheaper than bpf_printk on this kernel, so no ring-buffer
  design reaches 10× in this run; the issue measured bpf_printk at 300–550 ns, this run at $NPK ns,
  with nothing reading trace_pipe).
- Timings: best of 5 rounds of 8000 runs, all fitting in the ring buffer (bpf_printk: 2000, it writes to the global trace
  buffer); the kernel reports whole ns, so the empty program's $E ns is subtracted.
  Verifier (xlated) lengths: empty $(v xlated_empty), anchor $(v xlated_raw), bk_info $(v xlated_bkinfo), bpf_printk $(v xlated_printk) insns.

User space, one core:

| | records/s | vs anchor |
|---|---|---|
| anchor: \`snprintf\` + \`fputs\` of the finished line to /dev/null | $(v anchor_snprintf_per_s) | 1.00 |
| formatter alone (\`log_record__format\`) | $(v format_records_per_s) | $(r "$(v format_records_per_s)" "$(v anchor_snprintf_per_s)") |
| whole logger: drain $(v logger_records_drained) records from the ring buffer, format, timestamp, write to /dev/null | $(v logger_records_per_s) | $(r "$(v logger_records_per_s)" "$(v anchor_snprintf_per_s)") |

Target ≥ 2M records/s for the whole logger: $(awk -v x="$(v logger_records_per_s)" 'BEGIN { print (x >= 2000000 ? "met" : "NOT met") }').

Sustained: one thread runs \`bk_info\` 1000 times a millisecond (single BPF_PROG_TEST_RUN calls;
the syscall bounds it near 1M/s) for $(v sustain_seconds) s while the logger drains on the other core:
produced $(v sustain_produced) ($(awk -v p="$(v sustain_produced)" -v s="$(v sustain_seconds)" 'BEGIN { printf "%.0f", p / s }')/s), received $(v sustain_received), dropped (counted and reported) $(v sustain_dropped);
received + dropped = produced: $(awk -v p="$(v sustain_produced)" -v r="$(v sustain_received)" -v d="$(v sustain_dropped)" 'BEGIN { print (r + d == p ? "yes" : "NO") }').

EOF
