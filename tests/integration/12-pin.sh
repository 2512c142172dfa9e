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

# prog dump xlated -S, as obj dump -S (issue 12, item 11)
if "$BK" prog dump xlated pinned "$PIN/progs/xdp_firewall" -S >"$TMP/xs.out" 2>&1 &&
   grep -q '^; .*bpf_map_lookup_elem(&BLOCKLIST' "$TMP/xs.out" && grep -q '^ *[0-9]*: ' "$TMP/xs.out"; then
	pass "prog dump xlated -S: source lines"
else
	fail "prog dump xlated -S: source lines" "$(head -3 "$TMP/xs.out")"
fi
expect_fail "prog dump jited -S is refused" 2 "-S/--source works on xlated code" \
	"$BK" prog dump jited pinned "$PIN/progs/xdp_firewall" -S
ping_ok && pass "pinned firewall permits all by default" || fail "pinned firewall permits all by default"
key=$(printf '%s' "$IP_A" | awk -F. '{printf "%d %d %d %d", $1, $2, $3, $4}')
bpftool map update pinned "$PIN/maps/BLOCKLIST" key $key value 1 0 0 0
if ! ping_ok; then pass "pinned program still runs: blocked source is dropped"; else fail "blocked source is dropped" "ping went through"; fi
bpftool map delete pinned "$PIN/maps/BLOCKLIST" key $key
ping_ok && pass "unblocked again" || fail "unblocked again"

expect_fail "pin path already exists" 1 "pin '$PIN': already exists; unload it first" \
	B load "$FW" --iface "$IF_B" --pin "$PIN" --force
if B net --iface "$IF_B" | grep -q "name xdp_firewall"; then pass "failed load left the pinned program alone"; else fail "failed load left the pinned program alone"; fi

# something in the pin directory bpfkit did not put there (a file, or a
# second load's pin directory nested inside): unload refuses before it
# detaches anything, and works once it is gone (it used to detach, remove
# half, then stop, leaving a directory neither unload nor load would take)
mkdir "$PIN/extra"
expect_fail "unload refuses a pin directory holding something else" 1 "'extra' in it is not bpfkit's; nothing removed" \
	B unload --pin "$PIN"
rmdir "$PIN/extra"
check "a second load pinned inside the first's links/" "$BK" --netns "$NS_A" load "$BPFDIR/xdp-pass.bpf.o" --iface "$IF_A" --pin "$PIN/links/nested"
expect_fail "unload refuses a pin directory with another load's pins nested in it" 1 "'links/nested' is a directory, not a pin" \
	B unload --pin "$PIN"
if [ -e "$PIN/progs/xdp_firewall" ] && B net --iface "$IF_B" | grep -q "name xdp_firewall"; then
	pass "the refused unload detached and removed nothing"
else fail "the refused unload detached and removed nothing" "$(ls -R "$PIN" 2>&1 | tr '\n' ' ')"; fi
check "unload the nested load" "$BK" --netns "$NS_A" unload --pin "$PIN/links/nested"
# a pin path that cannot be made is refused before the load attaches (with
# --force it replaced the running program first, then rolled back)
expect_fail "load --pin under a pinned file is refused" 1 "is not a directory" \
	"$BK" --netns "$NS_A" load "$BPFDIR/xdp-pass.bpf.o" --iface "$IF_A" --pin "$PIN/progs/xdp_firewall/x"
expect_fail "load --pin with a name past NAME_MAX is refused" 1 "last name is longer than 255" \
	"$BK" --netns "$NS_A" load "$BPFDIR/xdp-pass.bpf.o" --iface "$IF_A" --pin "/sys/fs/bpf/$(printf 'n%.0s' $(seq 300))"
"$BK" --netns "$NS_A" net --iface "$IF_A" | grep -q "xdp_pass" && fail "the refused loads attached nothing" "$("$BK" --netns "$NS_A" net --iface "$IF_A")" ||
	pass "the refused loads attached nothing"
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
# a look-alike directory off bpffs (progs/, maps/ with a user's files):
# refused, nothing removed (every entry was unlinked)
mkdir -p "$TMP/lookalike/progs" "$TMP/lookalike/maps" && echo keep >"$TMP/lookalike/progs/mine.c" &&
	echo keep >"$TMP/lookalike/maps/notes"
expect_fail "unload refuses a pin directory off bpffs" 1 "not on a BPF filesystem.*nothing removed" \
	"$BK" unload --pin "$TMP/lookalike"
[ "$(cat "$TMP/lookalike/progs/mine.c" "$TMP/lookalike/maps/notes")" = "keep
keep" ] && pass "unload off bpffs: the files are untouched" || fail "unload off bpffs: the files are untouched" "$(ls -R "$TMP/lookalike")"
# ... nor through a symlink: a look-alike whose progs/ leads into bpffs, and
# a bpffs pin directory whose maps/ leads out of it
SYMPIN=/sys/fs/bpf/bk-sym-$UNIQ
on_exit "rm -rf $SYMPIN"
mkdir -p "$SYMPIN/progs" "$TMP/lookalike2/maps" "$TMP/victim" && echo keep >"$TMP/lookalike2/maps/notes" &&
	echo keep >"$TMP/victim/file" && ln -s "$SYMPIN/progs" "$TMP/lookalike2/progs" && ln -s "$TMP/victim" "$SYMPIN/maps"
expect_fail "unload: a look-alike whose progs/ links into bpffs" 1 "not on a BPF filesystem" "$BK" unload --pin "$TMP/lookalike2"
expect_fail "unload: a pin directory whose maps/ links out of bpffs" 1 "maps' is not a directory of pins \(a symlink" \
	"$BK" unload --pin "$SYMPIN"
[ -e "$TMP/lookalike2/maps/notes" ] && [ -e "$TMP/victim/file" ] && pass "unload through symlinks: the files are untouched" ||
	fail "unload through symlinks: the files are untouched" "$(ls -R "$TMP/lookalike2" "$TMP/victim")"
rm -f "$SYMPIN/maps"; rmdir "$SYMPIN/progs" "$SYMPIN" 2>/dev/null
expect_fail "unload --pin: a path too long" 1 "the path is longer than" "$BK" unload --pin "/tmp/$(printf 'a%.0s' $(seq 4100))"
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
# trace as non-root: says root is needed, not that tracefs is unmounted
expect_fail "trace as non-root says it needs root" 1 "bpf_printk output needs root" \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$BK" trace --timeout 1
grep -q "not mounted" "$TMP/ef.err" && fail "trace as non-root does not blame the mount" "$(cat "$TMP/ef.err")"
# tracing_on = 0: said, and --enable turns it on. The kernel's switch is
# global (other tests read trace_pipe now), so bpfkit sees a file holding
# "0" bind-mounted over tracing_on in a private mount namespace instead.
if [ -e /sys/kernel/tracing/tracing_on ]; then
	echo 0 >"$TMP/tracing_on"
	unshare -m --propagation private bash -c 'mount --bind "$1" /sys/kernel/tracing/tracing_on && shift && exec "$@"' _ \
		"$TMP/tracing_on" "$BK" trace --timeout 1 >"$TMP/toff.out" 2>&1
	grep -q "tracing is off (tracing_on is 0).*bpfkit trace --enable. turns it on" "$TMP/toff.out" &&
		pass "trace says tracing is off and how to turn it on" || fail "trace says tracing is off" "$(cat "$TMP/toff.out")"
	unshare -m --propagation private bash -c 'mount --bind "$1" /sys/kernel/tracing/tracing_on && shift && exec "$@"' _ \
		"$TMP/tracing_on" "$BK" trace --enable --timeout 1 >"$TMP/ton.out" 2>&1
	if [ "$(cat "$TMP/tracing_on")" = 1 ] && grep -q "tracing turned on" "$TMP/ton.out" && ! grep -q "tracing is off" "$TMP/ton.out"; then
		pass "trace --enable writes tracing_on = 1"
	else
		fail "trace --enable writes tracing_on = 1" "file: $(cat "$TMP/tracing_on"); $(cat "$TMP/ton.out")"
	fi
fi
expect_fail "not root" 1 "load failed: Operation not permitted; loading BPF needs root" \
	unshare -n setpriv --reuid=65534 --regid=65534 --clear-groups "$BK" run "$FW" --iface lo

# LIBBPF_PIN_BY_NAME maps (issue 12, item 14): `test` pins nothing; load
# and run say what they pinned or reused; a pinned map that cannot be
# reused is named, with the way out.
PBN=/sys/fs/bpf/bk_pin_by_name_t12
on_exit rm -f "$PBN"
rm -f "$PBN"
for i in 1 2; do
	check "test of a LIBBPF_PIN_BY_NAME object (run $i)" "$BK" test "$BPFDIR/foundation/pin-by-name1.bpf.o" -k 'ipv4 1.1.1.1>2.2.2.2' -e PASS
done
[ ! -e "$PBN" ] && pass "test pins nothing on bpffs" || fail "test pins nothing on bpffs" "$PBN exists"
B load "$BPFDIR/foundation/pin-by-name1.bpf.o" --iface "$IF_B" --pin "$PIN" >"$TMP/pbn.out" 2>&1
if grep -q "map 'bk_pin_by_name_t12': pinned at $PBN (LIBBPF_PIN_BY_NAME); it stays after bpfkit exits: rm $PBN" "$TMP/pbn.out" &&
   [ -e "$PBN" ] && [ -e "$PIN/maps/bk_pin_by_name_t12" ]; then
	pass "load says where libbpf pinned a LIBBPF_PIN_BY_NAME map (and pins it under --pin too)"
else
	fail "load says where libbpf pinned a LIBBPF_PIN_BY_NAME map" "$(cat "$TMP/pbn.out")"
fi
# net shows the full BTF name (16 characters), not the kernel's 15
B net --iface "$IF_B" | grep -q "name xdp_pin_by_name1\b" && pass "net shows the full program name" ||
	fail "net shows the full program name" "$(B net --iface "$IF_B")"
B unload --pin "$PIN" 2>/dev/null
B run "$BPFDIR/foundation/pin-by-name1.bpf.o" --iface "$IF_B" --timeout 1 >"$TMP/pbn.out" 2>&1
grep -q "map 'bk_pin_by_name_t12': reusing the map pinned at $PBN" "$TMP/pbn.out" &&
	pass "run says it reuses a pinned map" || fail "run says it reuses a pinned map" "$(cat "$TMP/pbn.out")"
expect_fail "a pinned map that cannot be reused is named, with the way out" 1 \
	"map 'bk_pin_by_name_t12': declared LIBBPF_PIN_BY_NAME, but the map pinned at $PBN differs \(max_entries 4 there, 8 here\).*rm $PBN" \
	B run "$BPFDIR/foundation/pin-by-name2.bpf.o" --iface "$IF_B" --timeout 1
rm -f "$PBN"

ip netns del "$NS_A"; ip netns del "$NS_B"
leak_check "no prog/map/link leaked" "$TMP/ids.before"
