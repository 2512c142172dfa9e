#!/bin/bash
# Foundation: `bpfkit load --pin` keeps a program running after bpfkit exits
# (proved with real traffic: a BLOCKLIST entry added through the pinned map
# drops pings); `unload` removes exactly the pins and nothing leaks; bad input.
source "$(dirname "$0")/../lib.sh"
need_root
kernel_ids >"$TMP/ids.before"
mk_pair || { fail "netns setup" "mk_pair failed"; exit 1; }
FW=$BPFDIR/xdp-firewall.bpf.o
PIN=/sys/fs/bpf/bktest-$UNIQ
on_exit rm -rf "$PIN"	# bpffs pins are files: last-resort cleanup
B() { "$BK" --netns "$NS_B" "$@"; }
ping_ok() { ip netns exec "$NS_A" ping -c 1 -W 1 "$IP_B" >/dev/null 2>&1; }

check "load --pin exits 0" B load "$FW" --iface "$IF_B" --pin "$PIN"
if [ -e "$PIN/progs/xdp_firewall" ] && [ -e "$PIN/maps/BLOCKLIST" ] && [ -e "$PIN/links/xdp_firewall" ]; then
	pass "program, map and link are pinned"
else
	fail "program, map and link are pinned" "$(ls -R "$PIN" 2>&1 | tr '\n' ' ')"
fi
if B net --iface "$IF_B" | grep -q "xdp native id [0-9]* name xdp_firewall link [0-9]"; then
	pass "still attached after bpfkit exited"
else
	fail "still attached after bpfkit exited" "$(B net)"
fi
# Interop: bpftool sees what bpfkit loaded and pinned.
if bpftool prog show pinned "$PIN/progs/xdp_firewall" -j | grep -q '"type":"xdp","name":"xdp_firewall"'; then
	pass "bpftool lists the pinned program"
else
	fail "bpftool lists the pinned program" "$(bpftool prog show pinned "$PIN/progs/xdp_firewall" 2>&1)"
fi

ping_ok && pass "pinned firewall permits all by default" || fail "pinned firewall permits all by default"
key=$(printf '%s' "$IP_A" | awk -F. '{printf "%d %d %d %d", $1, $2, $3, $4}')
bpftool map update pinned "$PIN/maps/BLOCKLIST" key $key value 1 0 0 0
if ! ping_ok; then pass "pinned program still runs: blocked source is dropped"; else fail "blocked source is dropped" "ping went through"; fi
bpftool map delete pinned "$PIN/maps/BLOCKLIST" key $key
ping_ok && pass "unblocked again" || fail "unblocked again"

expect_fail "pin path already exists" 1 "pin '$PIN': already exists; unload it first" \
	B load "$FW" --iface "$IF_B" --pin "$PIN" --force
if B net --iface "$IF_B" | grep -q "name xdp_firewall"; then pass "failed load left the pinned program alone"; else fail "failed load left the pinned program alone"; fi

check "unload --pin" B unload --pin "$PIN"
[ ! -e "$PIN" ] && pass "unload removed the pin directory" || fail "unload removed the pin directory" "$(ls -R "$PIN")"
# the link goes when its last reference does: after the pin's inode is
# evicted (an RCU grace period and deferred work), so wait for it, bounded
for _ in $(seq 50); do B -j net --iface "$IF_B" | grep -q xdp_firewall || break; sleep 0.1; done
[ -z "$(B -j net --iface "$IF_B" | grep -o xdp_firewall)" ] && pass "unload detached the program" || fail "unload detached the program" "$(B net)"
expect_fail "unload --pin of nothing" 1 "pin '$PIN': nothing is pinned there" B unload --pin "$PIN"
mkdir -p "$PIN-foreign/x"
on_exit rm -rf "$PIN-foreign"
expect_fail "unload refuses a directory bpfkit did not make" 1 "not a bpfkit pin directory" B unload --pin "$PIN-foreign"
[ -d "$PIN-foreign/x" ] && pass "foreign directory untouched" || fail "foreign directory untouched"

expect_fail "pin outside bpffs" 1 "is not on a bpf filesystem" B load "$FW" --iface "$IF_B" --pin "$TMP/pin"
[ -z "$(B -j net --iface "$IF_B" | grep -o xdp_firewall)" ] && pass "failed pin leaves nothing attached" || fail "failed pin leaves nothing attached"

# unload --iface detaches whatever is there (here: a pinned link's program).
B load "$FW" --iface "$IF_B" --pin "$PIN" 2>/dev/null
check "unload --iface" B unload --iface "$IF_B"
[ -z "$(B -j net --iface "$IF_B" | grep -o xdp_firewall)" ] && pass "unload --iface detached it" || fail "unload --iface detached it"
check "unload --pin after --iface" B unload --pin "$PIN"
expect_fail "unload --iface with nothing attached" 1 "iface '$IF_B': no XDP program is attached" B unload --iface "$IF_B"
expect_fail "unknown netns" 1 "netns 'nope$UNIQ': no such network namespace" "$BK" --netns "nope$UNIQ" net

# Under `ip netns exec` (private /sys) a pin would die with bpfkit: refused.
expect_fail "load under ip netns exec is refused" 1 "pins would vanish when bpfkit exits" \
	ip netns exec "$NS_B" "$BK" load "$FW" --iface "$IF_B" --pin "$PIN"

# bpffs missing and cannot be mounted (no CAP_SYS_ADMIN; private mount and
# network namespaces, so even a regression could only touch their own lo).
expect_fail "bpffs not mounted" 1 "bpffs: not mounted at /sys/fs/bpf and mounting it failed: Operation not permitted" \
	unshare -m -n bash -c 'umount -l /sys/fs/bpf 2>/dev/null; exec setpriv --bounding-set -sys_admin "$@"' _ \
	"$BK" load "$FW" --iface lo --pin "$PIN"
# bpffs missing but mountable: bpfkit mounts it (private mount + net
# namespaces, so the mount and the pins die with this test's subshell).
if unshare -m -n bash -c 'umount -l /sys/fs/bpf 2>/dev/null; ip link set lo up; exec "$@"' _ \
	"$BK" load "$FW" --iface lo --pin "/sys/fs/bpf/bkmount$UNIQ" >"$TMP/mnt.out" 2>&1 &&
   grep -q "bpffs: mounted at /sys/fs/bpf" "$TMP/mnt.out"; then
	pass "bpffs is mounted when missing"
else
	fail "bpffs is mounted when missing" "$(cat "$TMP/mnt.out")"
fi
expect_fail "tracefs missing" 1 "tracefs: not mounted and mounting it at /sys/kernel/tracing failed" \
	unshare -m bash -c 'umount -l /sys/kernel/tracing 2>/dev/null; umount -l /sys/kernel/debug 2>/dev/null; exec setpriv --bounding-set -sys_admin "$@"' _ \
	"$BK" trace --timeout 1
expect_fail "not root" 1 "load failed: Operation not permitted; loading BPF needs root" \
	unshare -n setpriv --reuid=65534 --regid=65534 --clear-groups "$BK" run "$FW" --iface lo

ip netns del "$NS_A"; ip netns del "$NS_B"
leak_check "no prog/map/link leaked" "$TMP/ids.before"
