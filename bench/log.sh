#!/bin/bash
# bench/log.sh — bpfkit logging (issue 3): what one bk_info call costs in BPF
# instructions and in time, next to the same record written by hand into a
# BPF_MAP_TYPE_RINGBUF (the anchor), into bpfkit's shared ring by hand, and to bpf_printk; how fast user space formats;
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
I_BK=$(insns bkinfo); I_RAW=$(insns raw); I_SLOT=$(insns slot); I_PK=$(insns printk)

"$BIN" "$OBJ" "$SECONDS_SUSTAIN" build/bpf/log/log-sustain.bpf.o >build/bench/log.raw
v() { awk -v k="$1" '$1 == k { print $2 }' build/bench/log.raw; }
r() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }

# per call: (a run of the 8-call program - an empty run) / 8
E=$(v run_ns_empty)
net() { awk -v a="$(v "run_ns_${1}8")" -v e="$E" 'BEGIN { printf "%.2f", (a - e) / 8 }'; }
NRAW=$(net raw); NBK=$(net bkinfo); NSLOT=$(net slot); NPK=$(net printk)
# two CPUs at once: (a run of the 8-call program - an empty run) / 8
PE=$(v pair_ns_empty)
pnet() { awk -v a="$(v "pair_ns_${1}8")" -v e="$PE" 'BEGIN { if (a == "" || e == "") print "n/a"; else printf "%.2f", (a - e) / 8 }'; }
PRAW=$(pnet raw); PBK=$(pnet bkinfo); PSLOT=$(pnet slot)

cat <<EOF
## Logging: bk_info vs a hand-written ring buffer record vs bpf_printk

One call with two u32 arguments (\`bk_info(ctx, "a=%u b=%u", a, b)\`), kernel $(uname -r).
Anchor: the same 12-byte record written by hand into a \`BPF_MAP_TYPE_RINGBUF\`
(\`bpf_ringbuf_reserve\`, 3 stores, \`bpf_ringbuf_submit\`), measured in the same run.
\`bk_info\` writes into bpfkit's own transport: one ring shared by the object's programs and CPUs,
a global variable in \`.data.bklog\` whose slots a call claims with one atomic add (docs/logging.md);
"shared-ring record" is that write done by hand, without the level check.

| | BPF instructions per call (object; ld_imm64 counts 2) | ns per call (BPF_PROG_TEST_RUN of 8 calls, minus an empty program, / 8) | vs anchor |
|---|---|---|---|
| hand-written \`BPF_MAP_TYPE_RINGBUF\` record (anchor) | $I_RAW | $NRAW | 1.00 |
| \`bk_info\` | $I_BK | $NBK | insns $(r "$I_BK" "$I_RAW"), time $(r "$NBK" "$NRAW") |
| hand-written shared-ring record | $I_SLOT | $NSLOT | insns $(r "$I_SLOT" "$I_RAW"), time $(r "$NSLOT" "$NRAW") |
| \`bpf_printk\` (same arguments) | $I_PK | $NPK | time $(r "$NPK" "$NRAW") |

- \`bk_info\` costs $I_BK instructions (target ≤ 20: $(awk -v i="$I_BK" 'BEGIN { print (i <= 20 ? "met" : "NOT met") }'); aya-log needs ≈ 175 for a message with no
  argument, per the issue's disassembly): the hand-written record's $I_SLOT plus the load-time
  level check (5 with clang's default -mcpu=v1; when the level disables the call the verifier
  removes all but its 3-instruction load). The record: the ring's address (ld_imm64, 2: no map
  lookup, no NULL check, no CPU id), the increment (records << 32 | slots, ld_imm64, 2) and the
  atomic add (1), the slot address (4), the header (2: clang 14 has no store-immediate), the
  arguments (2), the seq that publishes the record (2).
- \`bk_info\` time: $(r "$NBK" "$NRAW")× the anchor (target ≤ 1.2×: $(awk -v a="$NBK" -v b="$NRAW" 'BEGIN { print (a <= 1.2 * b ? "met" : "NOT met") }')).
- \`bpf_printk\` / \`bk_info\` time: **$(r "$NPK" "$NBK")×** (target ≥ 10×: $(awk -v a="$NPK" -v b="$NBK" 'BEGIN { print (a >= 10 * b ? "met" : "NOT met") }')).
- Timings: best of 5 rounds of 8000 runs (bpf_printk: 2000, it writes to the global trace
  buffer) of programs making the call 8 times, all records fitting in the rings; the kernel
  reports whole ns per run, so a run's time minus the empty program's ($E ns) divided by 8 is
  known to 1/8 ns. Single calls, same way: anchor $(v run_ns_raw), bk_info $(v run_ns_bkinfo),
  shared-ring record $(v run_ns_slot), bpf_printk $(v run_ns_printk) ns per run.
  Verifier (xlated) lengths: empty $(v xlated_empty), anchor $(v xlated_raw), bk_info $(v xlated_bkinfo),
  shared-ring record $(v xlated_slot), bpf_printk $(v xlated_printk) insns.

Contention: the same 8-call programs run by two threads on two CPUs at once (4000 runs each,
best of 5; minus the empty program on two CPUs, $PE ns, / 8). Every call of both CPUs adds to
the one head of the shared ring, so its cache line moves between the CPUs; the ring buffer
takes a spinlock per reserve instead.

| ns per call | one CPU | two CPUs at once | two / one |
|---|---|---|---|
| \`BPF_MAP_TYPE_RINGBUF\` record (anchor) | $NRAW | $PRAW | $(r "$PRAW" "$NRAW") |
| \`bk_info\` | $NBK | $PBK | $(r "$PBK" "$NBK") |
| hand-written shared-ring record | $NSLOT | $PSLOT | $(r "$PSLOT" "$NSLOT") |

Under contention \`bk_info\` costs $(r "$PBK" "$PRAW")× the ring buffer record.

User space, one core:

| | records/s | vs anchor |
|---|---|---|
| anchor: \`snprintf\` + \`fputs\` of the finished line to /dev/null | $(v anchor_snprintf_per_s) | 1.00 |
| formatter alone (\`log_record__format\`) | $(v format_records_per_s) | $(r "$(v format_records_per_s)" "$(v anchor_snprintf_per_s)") |
| whole logger: drain $(v logger_records_drained) records from the shared ring (10 batches of 60000), format, timestamp, write to /dev/null | $(v logger_records_per_s) | $(r "$(v logger_records_per_s)" "$(v anchor_snprintf_per_s)") |

Target ≥ 2M records/s for the whole logger: $(awk -v x="$(v logger_records_per_s)" 'BEGIN { print (x >= 2000000 ? "met" : "NOT met") }').

Sustained: one thread runs \`bk_info\` 1000 times a millisecond (single BPF_PROG_TEST_RUN calls;
the syscall bounds it near 1M/s) for $(v sustain_seconds) s while the logger polls the ring
(\`bpfkit_logger__poll(lg, 10)\`: drain, else re-check every 5 ms) on the other core; default ring size
($(v sustain_ring_slots) slots of 32 bytes, shared):
produced $(v sustain_produced) ($(awk -v p="$(v sustain_produced)" -v s="$(v sustain_seconds)" 'BEGIN { printf "%.0f", p / s }')/s), received $(v sustain_received), dropped (counted and reported) $(v sustain_dropped);
received + dropped = produced: $(awk -v p="$(v sustain_produced)" -v r="$(v sustain_received)" -v d="$(v sustain_dropped)" 'BEGIN { print (r + d == p ? "yes" : "NO") }').

EOF
