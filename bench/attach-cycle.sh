#!/bin/bash
# bench/attach-cycle.sh — load + attach + detach of the same object (xdp-pass,
# skb mode on a veth in a private netns): `bpfkit load --pin` + `bpfkit unload`
# vs `ip link set ... xdpgeneric obj` + `off` (the anchor) vs `xdp-loader
# load` + `unload`. Median of RUNS cycles each, interleaved, whole processes.
set -u
cd "$(dirname "$0")/.."
RUNS=${RUNS:-25}
BK=build/bin/bpfkit
OBJ=build/bpf/xdp-pass.bpf.o
U=$(printf '%x' $$); NS=bkbench$U; IF=bb$U; PIN=/sys/fs/bpf/bkbench$U
cleanup() { rm -rf "$PIN"; ip netns del "$NS" 2>/dev/null; }
trap cleanup EXIT
ip netns add "$NS" && ip -n "$NS" link add "$IF" type veth peer name "p$IF" &&
	ip -n "$NS" link set "$IF" up && ip -n "$NS" link set "p$IF" up || exit 1

now() { date +%s%N; }
bk_cycle() {
	"$BK" -q --netns "$NS" load "$OBJ" --iface "$IF" --mode skb --pin "$PIN" &&
	"$BK" -q --netns "$NS" unload --pin "$PIN"
}
ip_cycle() {
	ip -n "$NS" link set dev "$IF" xdpgeneric obj "$OBJ" sec xdp &&
	ip -n "$NS" link set dev "$IF" xdpgeneric off
}
xl_cycle() {
	ip netns exec "$NS" xdp-loader load -m skb "$IF" "$OBJ" 2>/dev/null &&
	ip netns exec "$NS" xdp-loader unload "$IF" --all 2>/dev/null
}
declare -A T
for tool in bk ip xl; do T[$tool]=""; done
for ((i = 0; i < RUNS; i++)); do
	for tool in ip bk xl; do
		t0=$(now)
		if ! ${tool}_cycle >/dev/null 2>&1; then echo "bench: $tool cycle failed" >&2; exit 1; fi
		T[$tool]+="$(( ($(now) - t0) / 1000 )) "
	done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ip_us=$(echo "${T[ip]}" | median); bk_us=$(echo "${T[bk]}" | median); xl_us=$(echo "${T[xl]}" | median)
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
cat <<MD
## Load + attach + detach cycle (xdp-pass, skb mode, veth in a private netns)

Median of $RUNS cycles each, whole processes, interleaved. Anchor: iproute2.
Target: bpfkit ≤ 1.0× ip link.

| tool | commands | median µs/cycle | × ip link |
|---|---|---:|---:|
| iproute2 (anchor) | \`ip link set dev IF xdpgeneric obj … sec xdp\` + \`… xdpgeneric off\` | $ip_us | 1.00 |
| bpfkit | \`bpfkit load … --pin DIR\` + \`bpfkit unload --pin DIR\` | $bk_us | $(ratio "$bk_us" "$ip_us") |
| xdp-loader | \`xdp-loader load -m skb\` + \`xdp-loader unload --all\` | $xl_us | $(ratio "$xl_us" "$ip_us") |

MD
