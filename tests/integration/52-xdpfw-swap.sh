#!/bin/bash
# xdpfw atomic swaps under live traffic: 1000 rule-set swaps while two
# sources send continuously; the denied source never reaches the receiver
# and the counters never go backwards. Then an apply of a 100k-rule set is
# killed (SIGKILL) at random points: the datapath and `save` show the old or
# the new set, never a mix, and the next apply cleans up what was left.
source "$(dirname "$0")/../lib.sh"
FW=$BINDIR/xdpfw
SWAPS=${XDPFW_SWAPS:-1000}
need_root
command -v python3 >/dev/null || { skip "xdpfw swap" "python3 missing"; exit 0; }
mk_pair || { fail "xdpfw swap: netns setup"; exit 0; }
xdpfw_pin_dir swap
IP_A2=${IP_A%.1}.3
ip -n "$NS_A" addr add "$IP_A2/24" dev "$IF_A"
PORT=$((20000 + RANDOM % 10000))

cat >"$TMP/recv.py" <<'PY'
import json, os, socket, sys, time
port, out, stop = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", port)); s.settimeout(0.2)
open(out + ".ready", "w").close()
counts, end, quiet = {}, time.time() + 120, 0
while time.time() < end and not (os.path.exists(stop) and quiet >= 2):
    try:
        _, (a, _) = s.recvfrom(2048); counts[a] = counts.get(a, 0) + 1
    except socket.timeout:
        quiet += 1
json.dump(counts, open(out, "w"))
PY
cat >"$TMP/send.py" <<'PY'
import json, os, socket, sys, time
dst, port, stop, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
socks = []
for src in sys.argv[5:]:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((src, 40000)); socks.append((src, s))
# at least SEND_MIN rounds before honouring stop, so a slow start still sends
sent, end, rounds, least = {}, time.time() + 90, 0, int(os.environ.get("SEND_MIN", "0"))
open(out + ".started", "w").close()	# python can take longer to start than a short window
while time.time() < end and not (os.path.exists(stop) and rounds >= least):
    rounds += 1
    for src, s in socks:
        s.sendto(b"swap", (dst, port)); sent[src] = sent.get(src, 0) + 1
    time.sleep(0.0005)
json.dump(sent, open(out, "w"))
PY

{ echo "policy allow"; echo "deny src $IP_A2 proto udp"; echo "allow src $IP_A"
  for i in $(seq 1 50); do echo "deny src 172.16.$i.0/24"; done; } >"$TMP/a.rules"
{ echo "policy deny"; echo "allow src $IP_A proto udp dport $PORT"; echo "deny src $IP_A2 proto udp"
  for i in $(seq 1 50); do echo "deny src 172.17.$i.0/24 proto tcp dport $i-$((i + 100))"; done; } >"$TMP/b.rules"
# maps for XDPFW_TRIE_BIG_RULES (262144) rules or more: the source tries'
# roots are 2^20 wide, so these swaps run the datapath's other walk
check "xdpfw swap: load" "${FWN[@]}" load "$IF_B" --mode native --max-rules 300000 --rules "$TMP/a.rules"
bits=$("$FW" status -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["trie_root_bits"])')
[ "$bits" = 20 ] && pass "xdpfw swap: maps for 300000 rules have 2^20 source roots" ||
	fail "xdpfw swap: maps for 300000 rules have 2^20 source roots" "status says trie_root_bits '$bits'"
deny_pkts() { "$FW" rule list -j | python3 -c 'import json,sys; print(sum(r["packets"] for r in json.load(sys.stdin) if r["rule"].startswith("deny src '"$IP_A2"'/32")))'; }

ip netns exec "$NS_B" timeout 150 python3 "$TMP/recv.py" "$PORT" "$TMP/counts" "$TMP/stop" &
RPID=$!
for _ in $(seq 50); do [ -e "$TMP/counts.ready" ] && break; sleep 0.1; done
ip netns exec "$NS_A" timeout 120 python3 "$TMP/send.py" "$IP_B" "$PORT" "$TMP/stop" "$TMP/sent" "$IP_A" "$IP_A2" &
SPID=$!
on_exit "touch $TMP/stop; kill $SPID $RPID"
sleep 0.3
prev=0 backwards=0 failed_applies=0 t0=$SECONDS
for ((i = 0; i < SWAPS; i++)); do
	f=$TMP/a.rules; ((i % 2)) && f=$TMP/b.rules
	# every other pair of swaps waits out the old generation by a map-of-maps
	# update, as on nohz_full kernels, which refuse membarrier (grace.c)
	nomb=; ((i % 4 >= 2)) && nomb=1
	env ${nomb:+XDPFW_TEST_NO_MEMBARRIER=1} "$FW" apply -q "$f" || failed_applies=$((failed_applies + 1))
	if ((i % 50 == 0)); then
		cur=$(deny_pkts)
		((cur < prev)) && backwards=$((backwards + 1))
		prev=$cur
	fi
done
secs=$((SECONDS - t0))
sleep 0.3
touch "$TMP/stop"
wait "$SPID"; wait "$RPID"
cur=$(deny_pkts)
((cur < prev)) && backwards=$((backwards + 1))
read -r sa sa2 < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get(sys.argv[2],0), d.get(sys.argv[3],0))' "$TMP/sent" "$IP_A" "$IP_A2")
read -r ga ga2 < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d.get(sys.argv[2],0), d.get(sys.argv[3],0))' "$TMP/counts" "$IP_A" "$IP_A2")
echo "# $SWAPS swaps in ${secs}s; sent $sa/$sa2, received $ga/$ga2, deny counter $cur"
if [ "$failed_applies" -eq 0 ]; then pass "xdpfw swap: $SWAPS applies succeeded"; else fail "xdpfw swap: $SWAPS applies succeeded" "$failed_applies failed"; fi
if [ "$sa2" -gt 1000 ] && [ "$ga2" -eq 0 ]; then pass "xdpfw swap: zero packets from the denied source reached the receiver ($sa2 sent)"
else fail "xdpfw swap: zero packets from the denied source reached the receiver" "sent $sa2, received $ga2"; fi
if [ "$ga" -gt $((sa * 9 / 10)) ]; then pass "xdpfw swap: the allowed source got through ($ga/$sa)"; else fail "xdpfw swap: the allowed source got through" "$ga/$sa"; fi
# every packet that reached the receiving veth was counted (the veth itself
# may drop some under load before XDP sees them: its peer counts those)
drops=$(ip -n "$NS_A" -s -j link show "$IF_A" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["stats64"]["tx"]["dropped"])')
if [ "$backwards" -eq 0 ] && [ "$cur" -le "$sa2" ] && [ $((cur + drops)) -ge "$sa2" ]; then pass "xdpfw swap: the deny counter never went backwards and counted every packet ($cur, $drops dropped by the veth)"
else fail "xdpfw swap: counters" "backwards $backwards times; counter $cur, sent $sa2, veth drops $drops"; fi

# kill an apply of 100k rules half-way, several times
python3 - "$TMP/c.rules" "$IP_A" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("policy allow\ndeny src %s\n" % sys.argv[2])
    for i in range(100000):
        f.write("deny src 100.%d.%d.%d proto tcp dport %d\n" % (64 + i // 65536, (i // 256) % 256, i % 256, 1 + i % 1000))
PY
"$FW" apply -q "$TMP/a.rules"
"$FW" save >"$TMP/a.saved"
mixed=0 old=0 new=0
# (the last one is not killed: the new set's outcome must not depend on how
# fast this machine applies 100k rules)
for delay in 0.05 0.15 0.3 0.45 0.6 none; do
	"$FW" apply -q "$TMP/c.rules" &
	apid=$!
	if [ "$delay" != none ]; then sleep "$delay"; kill -9 "$apid" 2>/dev/null; fi
	wait "$apid" 2>/dev/null
	"$FW" save >"$TMP/now.saved"
	n=$(wc -l <"$TMP/now.saved")
	# the datapath agrees with what save shows
	rm -f "$TMP/counts" "$TMP/counts.ready" "$TMP/stop" "$TMP/sent" "$TMP/sent.started"
	ip netns exec "$NS_B" timeout 30 python3 "$TMP/recv.py" "$PORT" "$TMP/counts" "$TMP/stop" &
	RPID=$!
	for _ in $(seq 50); do [ -e "$TMP/counts.ready" ] && break; sleep 0.1; done
	ip netns exec "$NS_A" env SEND_MIN=100 timeout 20 python3 "$TMP/send.py" "$IP_B" "$PORT" "$TMP/stop" "$TMP/sent" "$IP_A" &
	SPID=$!
	for _ in $(seq 100); do [ -e "$TMP/sent.started" ] && break; sleep 0.1; done
	sleep 0.3; touch "$TMP/stop"; wait "$SPID"; wait "$RPID"
	ga=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2],0))' "$TMP/counts" "$IP_A")
	if cmp -s "$TMP/now.saved" "$TMP/a.saved" && [ "$ga" -gt 0 ]; then old=$((old + 1))
	elif [ "$n" -eq 100002 ] && [ "$ga" -eq 0 ]; then new=$((new + 1)); "$FW" apply -q "$TMP/a.rules"
	else mixed=$((mixed + 1)); echo "# after kill at ${delay}s: $n lines saved, $ga packets from $IP_A passed"; fi
done
echo "# killed applies: $old left the old set, $new the new set, $mixed a mix"
if [ "$mixed" -eq 0 ] && [ "$old" -ge 1 ] && [ "$new" -ge 1 ]; then pass "xdpfw swap: a killed apply leaves the old or the new set ($old old, $new new)"
else fail "xdpfw swap: a killed apply leaves the old or the new set" "$old old, $new new, $mixed mixed"; fi
out=$("$FW" apply "$TMP/a.rules")
want=$(echo "$out" | sed -n 's/.*(\([0-9]*\) entries.*/\1/p')
# class, IPv6-table and port-table entries of both generations (status
# scans both halves of the IPv6 and port tables) with the active trie's
# (the apply counts them too), and the inactive generation's trie: empty
have=$("$FW" status -j | python3 -c 'import json,sys; t=json.load(sys.stdin)["tables"]; print(sum(v["active_entries"] + v["inactive_entries"] for k, v in t.items() if k != "trie") + t["trie"]["active_entries"], t["trie"]["inactive_entries"])')
if [ -n "$want" ] && [ "$have" = "$want 0" ]; then pass "xdpfw swap: the next apply removed every leftover (${have% *} entries, inactive trie empty)"
else fail "xdpfw swap: the next apply removed every leftover" "maps hold $have (entries, inactive trie entries), the rule set needs ${want:-?}"; fi
check "xdpfw swap: unload --purge" "$FW" unload --all --purge
