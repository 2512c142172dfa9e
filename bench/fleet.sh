#!/bin/bash
# bench/fleet.sh — xdpfw for a fleet: N `xdpfw sync` agents on this machine
# (each in its own network namespace, firewall on its lo, own pin dir)
# follow one rule set in a local etcd. Measures the time from `xdpfw publish`
# of a 10k-rule set to each host enforcing it (the agent's own timestamp
# taken when the atomic switch is done), over several publishes, and etcd's
# load per agent (its /metrics: gRPC messages, bytes to clients, CPU), idle
# and per publish. Anchor, same run: one local `xdpfw apply` of the same set.
# Prints one markdown section; never fails on timing.
#   FLEET_AGENTS (50), FLEET_PUBLISHES (7), FLEET_RULES (10000)
set -u
cd "$(dirname "$0")/.."
flock /tmp/bpfkit-build.lock make -s build/bin/xdpfw >&2 || exit 1
FW=$PWD/build/bin/xdpfw
N=${FLEET_AGENTS:-50} PUBS=${FLEET_PUBLISHES:-7} RULES=${FLEET_RULES:-10000}
for t in etcd curl python3; do command -v $t >/dev/null || { echo "bench fleet: $t missing" >&2; exit 1; }; done
TMP=$(mktemp -d /tmp/xdpfw-fleet.XXXXXX)
U=$(printf '%x%x' $$ $((RANDOM % 4096)))
APIDS=() ETCD_TO=
cleanup() {
	local p i
	for p in "${APIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${APIDS[@]}"; do wait "$p" 2>/dev/null; done
	[ -n "$ETCD_TO" ] && kill "$ETCD_TO" 2>/dev/null && wait "$ETCD_TO" 2>/dev/null
	for ((i = 1; i <= N; i++)); do
		"$FW" --pin-dir "/sys/fs/bpf/xdpfw-fb$U-$i" unload --all --purge >/dev/null 2>&1
		rm -rf "/sys/fs/bpf/xdpfw-fb$U-$i"
		ip netns del "fb$U-$i" 2>/dev/null
	done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

source tests/etcd.sh
KEY=/xdpfw-bench/$U
# the whole benchmark is bounded by etcd's own timeout
start_etcd "fb$U" 290 || { echo "bench fleet: etcd did not start: $(tail -2 "$TMP/fb$U.log")" >&2; exit 1; }

python3 - "$TMP/set.rules" "$RULES" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("policy allow\n")
    for i in range(int(sys.argv[2])):
        f.write("deny src 10.%d.%d.0/24 proto %s dport %d\n" % (i // 256 % 256, i % 256, "tcp" if i % 2 else "udp", 1 + i % 1000))
PY

for ((i = 1; i <= N; i++)); do
	ip netns add "fb$U-$i" && ip -n "fb$U-$i" link set lo up &&
		"$FW" --netns "fb$U-$i" --pin-dir "/sys/fs/bpf/xdpfw-fb$U-$i" load lo --mode skb \
			--max-rules $((RULES + 256)) >/dev/null || exit 1
	timeout 280 "$FW" --pin-dir "/sys/fs/bpf/xdpfw-fb$U-$i" sync --etcd "$E" --key "$KEY" --name "h$i" \
		>"$TMP/agent$i.log" 2>&1 &
	APIDS+=($!)
done

status() { "$FW" fleet status -j --etcd "$E" --key "$KEY"; }
# wait_all COND SECONDS: until the python condition on hosts holds
wait_all() {
	local end=$((SECONDS + $2))
	while ((SECONDS < end)); do
		status 2>/dev/null | python3 -c '
import json, sys
hosts = json.load(sys.stdin)["hosts"]
sys.exit(0 if len(hosts) == '"$N"' and ('"$1"') else 1)' && return 0
		sleep 0.2
	done
	return 1
}
wait_all True 60 || { echo "bench fleet: $N agents did not all report: $(status | head -c 300)" >&2; exit 1; }

metrics() { curl -s --max-time 5 "$E/metrics" >"$1"; }
# anchor: the same set applied locally by one xdpfw apply (median of 3)
for r in 1 2 3; do
	t0=$(date +%s%N); "$FW" --pin-dir "/sys/fs/bpf/xdpfw-fb$U-1" apply -q "$TMP/set.rules"; t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000))
done | sort -n | sed -n 2p >"$TMP/anchor"

# idle load: agents only keep their leases and watches
sleep 2
metrics "$TMP/m0"; t_idle0=$(date +%s%N); sleep 10; metrics "$TMP/m1"; t_idle1=$(date +%s%N)

metrics "$TMP/m2"
for ((k = 1; k <= PUBS; k++)); do
	t0=$(date +%s%3N)
	R=$("$FW" publish "$TMP/set.rules" --etcd "$E" --key "$KEY" | sed -n 's/.*: revision \([0-9]*\),.*/\1/p')
	t1=$(date +%s%3N)
	[ -n "$R" ] || { echo "bench fleet: publish $k failed" >&2; exit 1; }
	wait_all "all(h['revision'] == $R and h['state'] == 'ok' for h in hosts)" 60 ||
		{ echo "bench fleet: publish $k (revision $R) did not reach all hosts: $(status | head -c 400)" >&2; exit 1; }
	status | python3 -c '
import json, sys
t0 = int(sys.argv[1])
print(" ".join(str(h["time_ms"] - t0) for h in json.load(sys.stdin)["hosts"]))' "$t0" >"$TMP/lat.$k"
	echo "$((t1 - t0))" >"$TMP/pub.$k"
	sleep 0.5
done
metrics "$TMP/m3"

python3 - "$TMP" "$N" "$PUBS" "$RULES" "$(cat "$TMP/anchor")" "$(((t_idle1 - t_idle0) / 1000000))" \
	"$(stat -c %s "$TMP/set.rules")" <<'PY'
import re, sys
tmp, n, pubs, rules, anchor_us, idle_ms, setbytes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]), int(sys.argv[7])
def load(p):
    d = {}
    for line in open(p):
        if line.startswith("#"):
            continue
        m = re.match(r"(\S+?)(\{.*\})?\s+(\S+)$", line.strip())
        if m:
            d[(m.group(1), m.group(2) or "")] = float(m.group(3))
    return d
def total(d, name, where=""):
    return sum(v for (k, lab), v in d.items() if k == name and where in lab)
m = [load("%s/m%d" % (tmp, i)) for i in range(4)]
def delta(a, b, name, where=""):
    return total(m[b], name, where) - total(m[a], name, where)
def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]
lat = [[int(x) for x in open("%s/lat.%d" % (tmp, k)).read().split()] for k in range(1, pubs + 1)]
pubms = [int(open("%s/pub.%d" % (tmp, k)).read()) for k in range(1, pubs + 1)]
last = [max(l) for l in lat]
first = [min(l) for l in lat]
every = [x for l in lat for x in l]
anchor = anchor_us / 1000.0
r = lambda v: "%.1f" % (v / anchor)
print("## xdpfw fleet: publish to enforcement on %d hosts through etcd" % n)
print()
print("%d `xdpfw sync` agents on this machine (%s cores, shared with everything else), each in its own" % (n, open("/proc/cpuinfo").read().count("processor\t")))
print("network namespace with the firewall on its `lo` (skb mode) and its own pin dir, follow one key in a")
print("local etcd 3.4 (one member, 127.0.0.1, through its JSON gateway). %d publishes of a %d-rule set" % (pubs, rules))
print("(%d KiB of text); a host counts as enforcing when its agent's atomic switch is done (its own" % (setbytes // 1024))
print("timestamp, same clock). Anchor: one local `xdpfw apply` of the same set (process start to exit).")
print()
print("| figure | ms | × anchor |")
print("|---|---:|---:|")
print("| one local `xdpfw apply` of the set (anchor) | %.0f | 1.0 |" % anchor)
print("| `xdpfw publish` (check + put), median | %d | %s |" % (pct(pubms, 50), r(pct(pubms, 50))))
print("| publish → first host enforcing, median | %d | %s |" % (pct(first, 50), r(pct(first, 50))))
print("| publish → last of %d hosts enforcing, p50 over %d publishes | %d | %s |" % (n, pubs, pct(last, 50), r(pct(last, 50))))
print("| publish → last of %d hosts enforcing, p99 (= max of %d) | %d | %s |" % (n, pubs, pct(last, 99), r(pct(last, 99))))
print("| publish → a host enforcing, p50 over %d host-publishes | %d | %s |" % (len(every), pct(every, 50), r(pct(every, 50))))
print("| publish → a host enforcing, p99 | %d | %s |" % (pct(every, 99), r(pct(every, 99))))
print()
idle_s = idle_ms / 1000.0
def per_agent_idle(name, where=""):
    return delta(0, 1, name, where) / n / idle_s
def per_agent_pub(name, where=""):
    return delta(2, 3, name, where) / n / pubs
print("etcd's load per agent (from etcd's /metrics; idle = leases and watches only, over %.0f s):" % idle_s)
print()
print("| per agent | idle, per second | per publish |")
print("|---|---:|---:|")
print("| gRPC messages received (gateway calls, keep-alives, watch) | %.2f | %.1f |" % (per_agent_idle("grpc_server_msg_received_total"), per_agent_pub("grpc_server_msg_received_total")))
print("| gRPC messages sent | %.2f | %.1f |" % (per_agent_idle("grpc_server_msg_sent_total"), per_agent_pub("grpc_server_msg_sent_total")))
print("| bytes etcd's gRPC server sent (to its own JSON gateway, which sends the agent 4/3 of that as base64) | %.0f | %.0f KiB |" % (per_agent_idle("etcd_network_client_grpc_sent_bytes_total"), per_agent_pub("etcd_network_client_grpc_sent_bytes_total") / 1024))
print("| etcd CPU time | %.2f ms | %.1f ms |" % (per_agent_idle("process_cpu_seconds_total") * 1000, per_agent_pub("process_cpu_seconds_total") * 1000))
print()
print("etcd held %d watchers and %.0f MiB resident at the end; the %d publishes cost it %.1f s of CPU in all." % (
    total(m[3], "etcd_debugging_mvcc_watcher_total"), total(m[3], "process_resident_memory_bytes") / 2**20,
    pubs, delta(2, 3, "process_cpu_seconds_total")))
print("On one machine the agents' own work (parse, compile and write %d rules each) competes for the" % rules)
print("same cores, so the spread between first and last host is mostly CPU queueing here, not etcd;")
print("docs/fleet.md says how this extrapolates.")
PY
