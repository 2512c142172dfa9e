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
fw_ids() { { bpftool prog show -j; bpftool map show -j; } 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    for o in json.loads(line):
        if o.get("name", "").startswith("xdpfw"): print(o["id"], o["name"])' | sort; }
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
"$FW" load --help | grep -q -- '--multi' && "$FW" load --help | grep -q -- '--priority N' &&
	pass "$T: load --help explains --multi and --priority" || fail "$T: load --help explains --multi"

if "$BINDIR/bpfkit" feature 2>/dev/null | grep -qE '^ *ext +yes'; then EXT=1; else EXT=0; fi

if [ $EXT = 0 ]; then
	fw_ids >"$TMP/ids.before"
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
	check "$T: unload --purge" "${FWB[@]}" unload --all --purge
	for _ in $(seq 50); do fw_ids >"$TMP/ids.after"; [ -z "$(comm -13 "$TMP/ids.before" "$TMP/ids.after")" ] && break; sleep 0.1; done
	[ -z "$(comm -13 "$TMP/ids.before" "$TMP/ids.after")" ] && pass "$T: nothing of xdpfw left in the kernel" ||
		fail "$T: nothing left" "$(comm -13 "$TMP/ids.before" "$TMP/ids.after" | tr '\n' ' ')"
	skip "$T: xdpfw and xdp-hello on one veth through libxdp's dispatcher" \
		"this kernel refuses BPF_PROG_TYPE_EXT (freplace) programs, which the dispatcher needs: bpfkit feature says ext no"
	exit 0
fi

# ---- the kernel runs libxdp's dispatcher: real coexistence ------------------
# (nsenter --net: xdp-loader must see the same bpffs as xdpfw, which
# `ip netns exec` would hide behind a private /sys)
XL=(nsenter --net="/run/netns/$NS_B" xdp-loader)
on_exit "${XL[*]} unload --all $IF_B"
check "$T: xdpfw load --multi --priority 10" "${FWB[@]}" load "$IF_B" --multi --priority 10 --rules "$TMP/fw.rules"
check "$T: xdp-hello through xdp-loader (priority 50)" "${XL[@]}" load -m native -P 50 "$IF_B" "$BPFDIR/xdp-hello.bpf.o"
"${XL[@]}" status "$IF_B" >"$TMP/xl.txt" 2>&1
grep -q xdp_dispatcher "$TMP/xl.txt" && grep -q xdpfw "$TMP/xl.txt" && grep -q xdp_hello "$TMP/xl.txt" &&
	pass "$T: xdp-loader status lists the dispatcher, xdpfw and xdp-hello" || fail "$T: xdp-loader status" "$(cat "$TMP/xl.txt" | tr '\n' ' ')"
HELLO=$(bpftool prog show -j | python3 -c 'import json,sys; print(max(p["id"] for p in json.load(sys.stdin) if p.get("name")=="xdp_hello"))')
runs() { bpftool prog show id "$1" -j | python3 -c 'import json,sys; print(json.load(sys.stdin).get("run_cnt", 0))'; }
# the kernel counts program runs while someone holds BPF stats enabled
"$FW" metrics --listen 127.0.0.1:0 --bpf-stats >"$TMP/m.out" 2>&1 &
MPID=$!; on_exit "kill $MPID"
wait_for "$TMP/m.out" serving 10
r0=$(runs "$HELLO")
send_udp "$NS_A" "$IP_B" "$PD" 20	# denied by xdpfw
send_udp "$NS_A" "$IP_B" "$PA" 15	# allowed: xdp-hello sees them
r1=$(runs "$HELLO")
den=$("$FW" rule list -j | python3 -c 'import json,sys; print(sum(r["packets"] for r in json.load(sys.stdin) if r["action"]=="deny"))')
[ "$den" = 20 ] && [ $((r1 - r0)) = 15 ] && pass "$T: denied packets stop at xdpfw, allowed ones reach xdp-hello (20 / 15)" ||
	fail "$T: chain" "xdpfw denied $den/20, xdp-hello ran $((r1 - r0)) times (want 15)"

# a SIGKILLed CLI leaves both attached
"${FWB[@]}" log -t 30 >/dev/null 2>&1 & LP=$!
sleep 0.5; kill -KILL $LP; wait $LP 2>/dev/null
"${XL[@]}" status "$IF_B" >"$TMP/xl2.txt" 2>&1
grep -q xdpfw "$TMP/xl2.txt" && grep -q xdp_hello "$TMP/xl2.txt" && pass "$T: a SIGKILLed xdpfw CLI leaves both attached" ||
	fail "$T: SIGKILL leaves both attached" "$(cat "$TMP/xl2.txt" | tr '\n' ' ')"

# unloading xdp-hello leaves the firewall working
check "$T: xdp-loader unloads xdp-hello" "${XL[@]}" unload -i "$HELLO" "$IF_B"
send_udp "$NS_A" "$IP_B" "$PD" 10
den=$("$FW" rule list -j | python3 -c 'import json,sys; print(sum(r["packets"] for r in json.load(sys.stdin) if r["action"]=="deny"))')
[ "$den" = 30 ] && pass "$T: xdpfw still filters after xdp-hello left" || fail "$T: xdpfw after xdp-hello left" "deny count $den (want 30)"

# and the other way round: unloading xdpfw leaves xdp-hello running
check "$T: xdp-hello again" "${XL[@]}" load -m native -P 50 "$IF_B" "$BPFDIR/xdp-hello.bpf.o"
HELLO=$(bpftool prog show -j | python3 -c 'import json,sys; print(max(p["id"] for p in json.load(sys.stdin) if p.get("name")=="xdp_hello"))')
check "$T: xdpfw unload" "${FWB[@]}" unload "$IF_B"
r0=$(runs "$HELLO"); send_udp "$NS_A" "$IP_B" "$PD" 10; r1=$(runs "$HELLO")
"${XL[@]}" status "$IF_B" >"$TMP/xl3.txt" 2>&1
[ $((r1 - r0)) = 10 ] && ! grep -q xdpfw "$TMP/xl3.txt" && pass "$T: xdp-hello keeps running (sees all 10) after xdpfw left" ||
	fail "$T: xdp-hello after xdpfw left" "ran $((r1 - r0))/10; $(tr '\n' ' ' <"$TMP/xl3.txt")"
kill $MPID 2>/dev/null
