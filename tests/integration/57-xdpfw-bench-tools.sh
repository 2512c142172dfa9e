#!/bin/bash
# xdpfw's measuring tools (bench/xdpfw.sh) still run: every program the
# blocklist bench compares (xdp-pass, xdpfw and its no-lookup floor build,
# the LPM-trie anchor, xdp-filter) loads with a small seeded blocklist-shaped
# set, and xdpfw gives the verdict the generator meant for every packet
# (the tool checks each against the rules' own evaluator). A layout change
# that leaves the floor object or a tool behind fails here, not first in
# `make bench`. The tools are release builds (not ASan): they are not
# installed, only run by the bench.
source "$(dirname "$0")/../lib.sh"
need_root
S=$ROOT/build/bin/xdpfw-bench-sets
OBJ=$ROOT/build/bpf
for f in "$S" "$OBJ/xdpfw.bpf.o" "$OBJ/xdpfw-floor.bpf.o" "$OBJ/lpm-trie.bpf.o"; do
	[ -e "$f" ] || { fail "xdpfw bench tools: built" "$f missing (make all builds it)"; exit 0; }
done
python3 "$ROOT/bench/gen-blocklist.py" blocklist 300 7 "$TMP/bl" "$TMP/bl.pkts" 64 ||
	{ fail "xdpfw bench tools: gen-blocklist.py"; exit 0; }
progs=(pass=pass:"$TMP/bl":"$TMP/bl.pkts" fw=xdpfw:"$TMP/bl":"$TMP/bl.pkts"
	floor=floor:"$TMP/bl":"$TMP/bl.pkts" lpm=lpm:"$TMP/bl":"$TMP/bl.pkts"
	fwvar="$OBJ/xdpfw.bpf.o":"$TMP/bl":"$TMP/bl.pkts" floorvar="$OBJ/xdpfw-floor.bpf.o":"$TMP/bl":"$TMP/bl.pkts")
[ -e /usr/lib/x86_64-linux-gnu/bpf/xdpfilt_alw_all.o ] && progs+=(filter=filter:"$TMP/bl":"$TMP/bl.pkts")
if ! timeout 120 "$S" cost "$OBJ" 1 "${progs[@]}" >"$TMP/out" 2>"$TMP/err"; then
	fail "xdpfw bench tools: cost" "$(head -c 300 "$TMP/err")"
	exit 0
fi
# NAME NS/PACKET(median) DROPS WRONG TABLE_BYTES APPLY_MS PACKETS DEF_BYTES COUNTER_BYTES MEAN_NS
for p in "${progs[@]}"; do
	name=${p%%=*}
	awk -v n="$name" '$1 == n && $2 > 0 && $10 > 0 && $7 == 64 { ok = 1 } END { exit !ok }' "$TMP/out" ||
		{ fail "xdpfw bench tools: $name ran 64 packets" "$(cat "$TMP/out")"; continue; }
	pass "xdpfw bench tools: $name ran 64 packets"
done
wrong=$(awk '$1 == "fw" { print $4 }' "$TMP/out")
drops=$(awk '$1 == "fw" { print $3 }' "$TMP/out")
# half the generator's packets are built to hit a (deny) rule
if [ "$wrong" = 0 ] && [ "${drops:-0}" -ge 16 ]; then pass "xdpfw bench tools: xdpfw's verdicts are the rules' ($drops of 64 dropped, 0 wrong)"
else fail "xdpfw bench tools: xdpfw's verdicts are the rules'" "$drops dropped, $wrong wrong"; fi
# a datapath variant named by its object's path (A/B of a change) is run
# and its verdicts checked like xdpfw's: the same object gives 0 wrong, the
# floor object (no lookup) gives wrong verdicts on every rule hit
vw=$(awk '$1 == "fwvar" { print $4 }' "$TMP/out")
fw=$(awk '$1 == "floorvar" { print $4 }' "$TMP/out")
if [ "$vw" = 0 ] && [ "${fw:-0}" -ge 16 ]; then pass "xdpfw bench tools: a variant object's verdicts are checked (xdpfw 0 wrong, floor $fw wrong)"
else fail "xdpfw bench tools: a variant object's verdicts are checked" "xdpfw $vw wrong, floor $fw wrong"; fi
# the first-touch anchor bench/xdpfw.sh prints beside the applies: two
# positive times, and a bad size is a usage error, not a run
if out=$("$S" touch 8) && echo "$out" | awk 'NF == 2 && $1 > 0 && $2 > 0 { ok = 1 } END { exit !ok }'; then
	pass "xdpfw bench tools: touch prints 4 KiB and huge-page times ($out)"
else fail "xdpfw bench tools: touch prints 4 KiB and huge-page times" "$out"; fi
"$S" touch 0 >/dev/null 2>&1; rc=$?
if [ "$rc" = 2 ]; then pass "xdpfw bench tools: touch 0 is a usage error"
else fail "xdpfw bench tools: touch 0 is a usage error" "exit $rc"; fi
