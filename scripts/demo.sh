#!/bin/bash
# scripts/demo.sh — `make demo`: the seeds' core loop on a real kernel, in two
# private network namespaces joined by a veth pair: run xdp-hello on one end,
# send a bounded burst of UDP packets from the other, show a message per packet
# and `bpfkit net`, detach, remove everything. Exits 0 only if every packet
# was seen.
set -u
cd "$(dirname "$0")/.."
BK=build/bin/bpfkit
COUNT=${COUNT:-10}
if [ "$(id -u)" -ne 0 ]; then
	echo "demo: needs root (it loads a BPF program and creates network namespaces)" >&2
	exit 1
fi
U=$(printf '%x%x' $$ $((RANDOM % 4096)))
NS_A=bkdemoA$U NS_B=bkdemoB$U IF_A=dA$U IF_B=dB$U
X=$((RANDOM % 250 + 1)); IP_A=10.198.$X.1; IP_B=10.198.$X.2
OUT=$(mktemp /tmp/bkdemo.XXXXXX)
RUN_PID=
cleanup() {
	[ -n "$RUN_PID" ] && kill -INT "$RUN_PID" 2>/dev/null && sleep 0.5 && kill -9 "$RUN_PID" 2>/dev/null
	ip netns del "$NS_A" 2>/dev/null
	ip netns del "$NS_B" 2>/dev/null
	rm -f "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "two private network namespaces, $NS_A ($IP_A) and $NS_B ($IP_B), joined by a veth pair"
ip netns add "$NS_A" && ip netns add "$NS_B" || exit 1
ip link add "$IF_A" netns "$NS_A" type veth peer name "$IF_B" netns "$NS_B" || exit 1
for ns in "$NS_A" "$NS_B"; do ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
ip -n "$NS_A" addr add "$IP_A/24" dev "$IF_A" && ip -n "$NS_A" link set "$IF_A" up
ip -n "$NS_B" addr add "$IP_B/24" dev "$IF_B" && ip -n "$NS_B" link set "$IF_B" up
ip -n "$NS_A" neigh replace "$IP_B" lladdr "$(ip -n "$NS_B" -br link show "$IF_B" | awk '{print $3}')" dev "$IF_A" nud permanent

step "bpfkit run build/bpf/xdp-hello.bpf.o --iface $IF_B   (in $NS_B)"
"$BK" --netns "$NS_B" run build/bpf/xdp-hello.bpf.o --iface "$IF_B" --timeout 60 >"$OUT" 2>&1 &
RUN_PID=$!
for _ in $(seq 100); do grep -qE "running|rror|failed" "$OUT" && break; sleep 0.1; done
if ! grep -q running "$OUT"; then cat "$OUT"; echo "demo: bpfkit run did not start" >&2; exit 1; fi
cat "$OUT"

step "bpfkit net   (in $NS_B)"
"$BK" --netns "$NS_B" net

step "sending $COUNT UDP packets from $NS_A to $IP_B"
timeout 20 ip netns exec "$NS_A" bash -c '
	for ((i = 0; i < $3; i++)); do echo "hello $i" >"/dev/udp/$1/$2"; sleep 0.05; done' _ "$IP_B" 9 "$COUNT"
seen=0
for _ in $(seq 50); do
	seen=$(grep -c "received a packet from $IP_A" "$OUT")
	[ "$seen" -ge "$COUNT" ] && break
	sleep 0.1
done

step "what xdp-hello printed"
grep "received a packet" "$OUT"

step "Ctrl-C (SIGINT): bpfkit detaches"
kill -INT "$RUN_PID"; wait "$RUN_PID"; rc=$?; RUN_PID=
tail -1 "$OUT"
"$BK" --netns "$NS_B" net
if [ "$rc" -ne 0 ]; then echo "demo: bpfkit run exited $rc" >&2; exit 1; fi

step "result"
if [ "$seen" -ge "$COUNT" ]; then
	echo "demo: OK — $seen of $COUNT packets seen by xdp-hello; namespaces removed, nothing left attached"
	exit 0
fi
echo "demo: FAILED — only $seen of $COUNT packets seen" >&2
exit 1
