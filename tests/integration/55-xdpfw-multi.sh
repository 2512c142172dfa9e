#!/bin/bash
# xdpfw load --multi: the firewall beside other XDP programs through libxdp's
# dispatcher (xdp-tools' convention). Where the kernel can run the dispatcher
# (it needs extension/freplace programs, i.e. BPF trampolines): xdpfw first
# and xdp-hello (loaded by xdp-loader) after it on one veth; denied packets
# never reach xdp-hello, allowed ones all do; xdp-loader status lists both;
# unloading one leaves the other working; a SIGKILLed CLI leaves both
# attached. Where it cannot: --multi refuses with one line and changes
# nothing (no attach, no pins, the running firewall's rules untouched), and
# libxdp's single-program fallback is detected and undone. Always: usage
# errors, and without --multi today's behaviour.
source "$(dirname "$0")/../lib.sh"
FW=$BINDIR/xdpfw
T="xdpfw multi"
need_root
command -v python3 >/dev/null || { skip "$T" "python3 missing"; exit 0; }
# our objects only (other tests load xdpfw at the same time): the maps pinned
# under our state dir, and every program using one of them
our_maps() { for f in "$XDPFW_PIN_DIR"/xdpfw_*; do bpftool map show pinned "$f" -j 2>/dev/null; echo; done |
	python3 -c 'import json,sys; [print(json.loads(l)["id"]) for l in sys.stdin if l.strip()]' | sort -u; }
left_of() { { bpftool map show -j; echo; bpftool prog show -j; } 2>/dev/null | python3 -c '
import json, sys
ours = set(int(x) for x in open(sys.argv[1]).read().split())
for line in sys.stdin:
    if not line.strip(): continue
    for o in json.loads(line):
        if o["id"] in ours and "map_ids" not in o and o.get("type") != "xdp": print("map", o["id"])
        if set(o.get("map_ids", [])) & ours: print("prog", o["id"], o.get("name"))' "$1"; }
mk_pair || { fail "$T: netns setup"; exit 0; }
export XDPFW_PIN_DIR=/sys/fs/bpf/xdpfw-multi-$UNIQ
on_exit "rm -rf $XDPFW_PIN_DIR"
on_exit "$FW --netns $NS_B unload --all --purge"
FWA=("$FW" --netns "$NS_A"); FWB=("$FW" --netns "$NS_B")
xdp_on() { ip -n "$1" link show "$2" | grep -q 'prog/xdp'; }
PD=$((20000 + RANDOM % 5000)); PA=$((PD + 5000))
cat >"$TMP/fw.rules" <<RULES
policy allow
deny src $IP_A proto udp dport $PD
RULES

# ---- usage ------------------------------------------------------------------
expect_fail "$T: --priority needs --multi" 2 "--priority needs --multi" "${FWB[@]}" load "$IF_B" --priority 5
expect_fail "$T: --priority range" 2 "--priority wants" "${FWB[@]}" load "$IF_B" --multi --priority -1
expect_fail "$T: --replace with --multi" 2 "replaces nothing" "${FWB[@]}" load "$IF_B" --multi --replace
expect_fail "$T: --multi and hw mode" 1 "not hw" "${FWB[@]}" load "$IF_B" --multi --mode hw
# a pin dir that exists but leaves no room for DIR/multi_IFACE: one line, no
# read past the path buffer (was an ASan stack-buffer-overflow in multi_path)
LONGD=$TMP/long; while [ ${#LONGD} -lt 3880 ]; do LONGD=$LONGD/$(printf 'd%.0s' {1..200}); done
LONGD=$LONGD/$(printf 'e%.0s' $(seq $((4090 - ${#LONGD} - 1))))
mkdir -p "$LONGD" && expect_fail "$T: a pin dir too long for its pins is refused" 2 "--pin-dir .* longer than" \
	"$FW" --pin-dir "$LONGD" unload "$IF_B"
"$FW" load --help | grep -q -- '--multi' && "$FW" load --help | grep -q -- '--priority N' &&
	pass "$T: load --help explains --multi and --priority" || fail "$T: load --help explains --multi"

if "$BINDIR/bpfkit" feature 2>/dev/null | grep -qE '^ *ext +yes'; then EXT=1; else EXT=0; fi

if [ $EXT = 0 ]; then
	# a first load with --multi: refused, nothing attached, nothing pinned
	expect_fail "$T: refused where the kernel cannot run the dispatcher" 1 \
		"refuses the extension \(freplace\) programs.*nothing changed on '$IF_B'" \
		"${FWB[@]}" load "$IF_B" --multi --rules "$TMP/fw.rules"
	[ "$(wc -l <"$TMP/ef.err")" = 1 ] && pass "$T: refusal is one line" || fail "$T: refusal is one line" "$(cat "$TMP/ef.err")"
	if ! xdp_on "$NS_B" "$IF_B" && [ ! -e "$XDPFW_PIN_DIR" ]; then pass "$T: refused load left no attach and no pins"
	else fail "$T: refused load left no attach and no pins" "$(ls "$XDPFW_PIN_DIR" 2>&1)"; fi
	# beside a running firewall: the refusal changes neither its rules nor its attach
	check "$T: load without --multi (today's behaviour)" "${FWB[@]}" load "$IF_B" --rules "$TMP/fw.rules"
	"$FW" save >"$TMP/before.rules"
	printf 'policy deny\n' >"$TMP/other.rules"
	expect_fail "$T: refused beside a running firewall" 1 "nothing changed" \
		"${FWA[@]}" load "$IF_A" --multi --rules "$TMP/other.rules"
	"$FW" save >"$TMP/after.rules"
	cmp -s "$TMP/before.rules" "$TMP/after.rules" && xdp_on "$NS_B" "$IF_B" && ! xdp_on "$NS_A" "$IF_A" &&
		pass "$T: the running firewall's rules and attach untouched" ||
		fail "$T: the running firewall untouched" "$(diff "$TMP/before.rules" "$TMP/after.rules" | tr '\n' ' ')"
	# past the probe (test hook), libxdp falls back to a lone program: detected and undone
	rc=0; XDPFW_TEST_MULTI_NO_PROBE=1 "${FWA[@]}" load "$IF_A" --multi >"$TMP/fb.out" 2>&1 || rc=$?
	if [ $rc = 1 ] && grep -q "without its dispatcher.*detached again" "$TMP/fb.out" && ! xdp_on "$NS_A" "$IF_A" &&
	   ! ls "$XDPFW_PIN_DIR" | grep -q '^multi_' && ! grep -qE 'Sanitizer|runtime error' "$TMP/fb.out"; then
		pass "$T: libxdp's single-program fallback is detected and undone"
	else fail "$T: libxdp's fallback undone" "rc $rc: $(head -3 "$TMP/fb.out" | tr '\n' ' ')"; fi
	"${FWB[@]}" status | grep -q "interfaces: $IF_B(native)" && pass "$T: status lists only the real attach" ||
		fail "$T: status" "$("${FWB[@]}" status | head -3 | tr '\n' ' ')"
	our_maps >"$TMP/ours"
	check "$T: unload --purge" "${FWB[@]}" unload --all --purge
	for _ in $(seq 50); do left=$(left_of "$TMP/ours"); [ -z "$left" ] && break; sleep 0.1; done
	[ -s "$TMP/ours" ] && [ -z "$left" ] && pass "$T: nothing of this firewall left in the kernel ($(wc -l <"$TMP/ours") maps gone, no program uses them)" ||
		fail "$T: nothing left" "$(wc -l <"$TMP/ours") maps recorded; left: $(echo $left)"
	# bpfkit run/load --multi: the same refusal, and the same fallback detection
	BKB=("$BK" --netns "$NS_B"); HPIN=/sys/fs/bpf/bk-multi-$UNIQ
	on_exit "$BK unload --pin $HPIN"
	expect_fail "$T: bpfkit run --multi refused here" 1 "refuses the extension \(freplace\)" \
		"${BKB[@]}" run "$BPFDIR/xdp-hello.bpf.o" --iface "$IF_B" --multi --timeout 2
	expect_fail "$T: bpfkit load --multi refused here" 1 "refuses the extension \(freplace\)" \
		"${BKB[@]}" load "$BPFDIR/xdp-hello.bpf.o" --iface "$IF_B" --pin "$HPIN" --multi
	expect_fail "$T: bpfkit run --priority needs --multi" 2 "--priority needs --multi" \
		"${BKB[@]}" run "$BPFDIR/xdp-hello.bpf.o" --iface "$IF_B" --priority 3
	rc=0; BPFKIT_TEST_MULTI_NO_PROBE=1 "${BKB[@]}" load "$BPFDIR/xdp-hello.bpf.o" --iface "$IF_B" --pin "$HPIN" \
		--multi >"$TMP/bk.out" 2>&1 || rc=$?
	if [ $rc = 1 ] && grep -q "without its dispatcher.*detached again" "$TMP/bk.out" && ! xdp_on "$NS_B" "$IF_B" &&
	   [ ! -e "$HPIN" ] && ! grep -qE 'Sanitizer|runtime error' "$TMP/bk.out"; then
		pass "$T: bpfkit load --multi: libxdp's fallback detected and undone, nothing pinned"
	else fail "$T: bpfkit load --multi fallback" "rc $rc: $(head -3 "$TMP/bk.out" | tr '\n' ' ')"; fi
	skip "$T: xdpfw and xdp-hello on one veth through libxdp's dispatcher" \
		"this kernel refuses BPF_PROG_TYPE_EXT (freplace) programs, which the dispatcher needs: bpfkit feature says ext no"
	exit 0
fi

# ---- the kernel runs libxdp's dispatcher: real coexistence ------------------
# (never run on the kernel this was written on, which refuses extensions)
BKB=("$BK" --netns "$NS_B"); HPIN=/sys/fs/bpf/bk-multi-$UNIQ
XL=(nsenter --net="/run/netns/$NS_B" xdp-loader)	# same bpffs as ours, unlike ip netns exec
on_exit "$BK unload --pin $HPIN"
on_exit "${XL[*]} unload --all $IF_B"
IP_A2=${IP_A%.1}.3
ip -n "$NS_A" addr add "$IP_A2/24" dev "$IF_A"
ip -n "$NS_B" neigh replace "$IP_A2" lladdr "$(ip -n "$NS_A" -br link show "$IF_A" | awk '{print $3}')" dev "$IF_B" nud permanent
send_from() {	# send_from SRC PORT COUNT: UDP from SRC in NS_A to IP_B
	ip netns exec "$NS_A" timeout 20 python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 0))
for i in range(int(sys.argv[4])):
    s.sendto(b"multi", (sys.argv[2], int(sys.argv[3]))); time.sleep(0.01)' "$1" "$IP_B" "$2" "$3"
}
printf 'policy allow\ndeny src %s proto udp\n' "$IP_A2" >"$TMP/fw2.rules"
check "$T: xdpfw load --multi --priority 10" "${FWB[@]}" load "$IF_B" --multi --priority 10 --rules "$TMP/fw2.rules"
check "$T: bpfkit load --multi xdp-hello (priority 50)" "${BKB[@]}" load "$BPFDIR/xdp-hello.bpf.o" --iface "$IF_B" \
	--pin "$HPIN" --multi --priority 50
"${XL[@]}" status "$IF_B" >"$TMP/xl.txt" 2>&1
grep -q xdp_dispatcher "$TMP/xl.txt" && grep -q xdpfw "$TMP/xl.txt" && grep -q xdp_hello "$TMP/xl.txt" &&
	pass "$T: xdp-loader status lists the dispatcher, xdpfw and xdp-hello" || fail "$T: xdp-loader status" "$(tr '\n' ' ' <"$TMP/xl.txt")"
"$BK" log --pin "$HPIN" --timeout 8 >"$TMP/hello.log" 2>&1 &
LOGP=$!
sleep 1
send_from "$IP_A2" "$PD" 20	# denied by xdpfw: xdp-hello never sees them
send_from "$IP_A" "$PA" 15	# allowed: xdp-hello logs them
wait $LOGP
den=$("$FW" rule list -j | python3 -c 'import json,sys; print(sum(r["packets"] for r in json.load(sys.stdin) if r["action"]=="deny"))')
seen_a=$(grep -c "received a packet from $IP_A\$" "$TMP/hello.log"); seen_a2=$(grep -c "received a packet from $IP_A2\$" "$TMP/hello.log")
[ "$den" = 20 ] && [ "$seen_a2" = 0 ] && [ "$seen_a" = 15 ] &&
	pass "$T: denied packets stop at xdpfw (20), allowed ones are logged by xdp-hello (15)" ||
	fail "$T: chain" "xdpfw denied $den/20; xdp-hello logged $seen_a from $IP_A (want 15), $seen_a2 from $IP_A2 (want 0)"

# a SIGKILLed CLI (a bpfkit run --multi) leaves everything attached
"${BKB[@]}" run "$BPFDIR/xdp-pass.bpf.o" --iface "$IF_B" --multi --priority 60 >/dev/null 2>&1 & RP=$!
for _ in $(seq 300); do "${XL[@]}" status "$IF_B" 2>/dev/null | grep -q xdp_pass && break; sleep 0.1; done
kill -KILL $RP; wait $RP 2>/dev/null
"${XL[@]}" status "$IF_B" >"$TMP/xl2.txt" 2>&1
grep -q xdpfw "$TMP/xl2.txt" && grep -q xdp_hello "$TMP/xl2.txt" && grep -q xdp_pass "$TMP/xl2.txt" &&
	pass "$T: a SIGKILLed CLI leaves all three attached" || fail "$T: SIGKILL leaves all attached" "$(tr '\n' ' ' <"$TMP/xl2.txt")"
PASSID=$(bpftool prog show -j | python3 -c 'import json,sys; print(max(p["id"] for p in json.load(sys.stdin) if p.get("name")=="xdp_pass"))')
check "$T: xdp-loader removes the killed run's program" "${XL[@]}" unload -i "$PASSID" "$IF_B"

# unloading xdp-hello leaves the firewall working
check "$T: bpfkit unload --pin takes xdp-hello out of the dispatcher" "${BKB[@]}" unload --pin "$HPIN"
send_from "$IP_A2" "$PD" 10
den=$("$FW" rule list -j | python3 -c 'import json,sys; print(sum(r["packets"] for r in json.load(sys.stdin) if r["action"]=="deny"))')
"${XL[@]}" status "$IF_B" >"$TMP/xl3.txt" 2>&1
[ "$den" = 30 ] && grep -q xdpfw "$TMP/xl3.txt" && ! grep -q xdp_hello "$TMP/xl3.txt" &&
	pass "$T: xdpfw still filters after xdp-hello left" || fail "$T: xdpfw after xdp-hello left" "deny count $den (want 30)"

# and unloading xdpfw leaves xdp-hello running
check "$T: xdp-hello again" "${BKB[@]}" load "$BPFDIR/xdp-hello.bpf.o" --iface "$IF_B" --pin "$HPIN" --multi
check "$T: xdpfw unload" "${FWB[@]}" unload "$IF_B"
"$BK" log --pin "$HPIN" --timeout 5 >"$TMP/hello2.log" 2>&1 &
LOGP=$!
sleep 1
send_from "$IP_A2" "$PD" 10
wait $LOGP
"${XL[@]}" status "$IF_B" >"$TMP/xl4.txt" 2>&1
n=$(grep -c "received a packet from $IP_A2\$" "$TMP/hello2.log")
[ "$n" = 10 ] && ! grep -q xdpfw "$TMP/xl4.txt" && pass "$T: xdp-hello keeps running (sees all 10) after xdpfw left" ||
	fail "$T: xdp-hello after xdpfw left" "logged $n/10; $(tr '\n' ' ' <"$TMP/xl4.txt")"
