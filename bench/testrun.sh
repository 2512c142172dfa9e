#!/bin/bash
# bench/testrun.sh — what a packet costs each program, as the kernel measures
# it with BPF_PROG_TEST_RUN (`bpfkit test --repeat`): median of 5 runs of
# 200,000 repetitions each, 64-byte UDP frame. The anchor is xdp-pass (return
# XDP_PASS, nothing else), measured in the same run.
set -eu
cd "$(dirname "$0")/.."
BK=build/bin/bpfkit
B=build/bpf
PKT='eth/ipv4 10.0.0.1>10.0.0.2/udp 1234>53/len 64'
N=200000

ns() {	# median ns/run of 5 runs: OBJ PROG
	local v=()
	for _ in 1 2 3 4 5; do
		v+=("$("$BK" test "$1" ${2:+-P "$2"} -k "$PKT" -n $N -j 2>/dev/null |
			python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["ns_per_run"])')")
	done
	printf '%s\n' "${v[@]}" | sort -n | sed -n 3p
}

anchor=$(ns $B/xdp-pass.bpf.o "")
[ "$anchor" -gt 0 ] || anchor=1
row() {	# LABEL OBJ PROG
	local t
	t=$(ns "$2" "$3")
	printf '| %s | %s | %s× |\n' "$1" "$t" "$(awk -v a="$t" -v b="$anchor" 'BEGIN { printf "%.1f", a / b }')"
}

echo "## Per-packet cost under BPF_PROG_TEST_RUN (bpfkit test --repeat)"
echo
echo "Kernel-measured time per run, median of 5 × $N runs on a 64-byte UDP frame;"
echo "the ratio is against the anchor, xdp-pass (return XDP_PASS), measured in this run."
echo "Absolute ns vary with the machine; the ratios are the figures."
echo
echo "| program | ns/run | vs xdp-pass |"
echo "|---|---|---|"
printf '| xdp-pass (anchor) | %s | 1.0× |\n' "$anchor"
row "xdp_verdict: parse eth/IPv4/UDP, DROP port 53" $B/testrun/verdicts.bpf.o xdp_verdict
row "xdp-hello: one bk_info() log record per packet" $B/xdp-hello.bpf.o ""
row "tc_verdict: tc classifier, bpf_skb_load_bytes" $B/testrun/verdicts.bpf.o tc_verdict
row "sock_verdict: socket filter" $B/testrun/verdicts.bpf.o sock_verdict
echo
echo "The log record is one claimed slot in the object's shared log ring per packet (docs/logging.md);"
echo "here $N records per run lap the ring, so most are counted as lost rather than read."
