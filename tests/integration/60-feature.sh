#!/bin/bash
# 60-feature: `bpfkit feature` probes the real kernel and reports it readably.
source "$(dirname "$0")/../lib.sh"
need_root

check "feature: runs" "$BK" feature
"$BK" feature >"$TMP/f.txt" 2>&1
grep -qE '^  kprobes +no .*CONFIG_KPROBES' "$TMP/f.txt" && pass "feature: kprobes reported missing with the reason" \
	|| fail "feature: kprobes" "$(grep kprobes "$TMP/f.txt")"
if [ -e /sys/bus/event_source/devices/kprobe/type ]; then
	skip "feature: kprobes" "this kernel has kprobes"
fi
grep -qE '^  fentry +no .*(not permitted|refuses)' "$TMP/f.txt" && pass "feature: fentry refused with EPERM explained" \
	|| fail "feature: fentry" "$(grep fentry "$TMP/f.txt")"
grep -qE '^  xdp_native_veth +yes' "$TMP/f.txt" && pass "feature: native XDP on veth" \
	|| fail "feature: native XDP" "$(grep xdp_native "$TMP/f.txt")"
grep -qE '^  ringbuf +yes' "$TMP/f.txt" && pass "feature: ring buffer" || fail "feature: ringbuf" ""
grep -qE '^  btf_vmlinux +yes' "$TMP/f.txt" && pass "feature: vmlinux BTF" || fail "feature: btf" ""
grep -qE '^  xdp +yes' "$TMP/f.txt" && grep -qE '^  hash +yes' "$TMP/f.txt" \
	&& pass "feature: prog and map types listed" || fail "feature: types" ""

# JSON: a valid array whose entries have the four keys; unknown = null
"$BK" feature -j >"$TMP/f.json" 2>"$TMP/f.err"
if python3 -c '
import json,sys
a=json.load(open(sys.argv[1]))
assert isinstance(a,list) and len(a)>40
for e in a: assert set(e)=={"group","name","supported","detail"}, e
k=[e for e in a if e["name"]=="kprobes"][0]; assert k["supported"] is False
x=[e for e in a if e["group"]=="attach" and e["name"]=="xdp_skb_veth"][0]; assert x["supported"] is True
' "$TMP/f.json"; then pass "feature -j: valid JSON with every key"; else fail "feature -j" "$(head -c 200 "$TMP/f.json")"; fi
n=$("$BK" feature -g attach | grep -c '^  ')
[ "$n" -eq 5 ] && pass "feature --group attach: only that group" || fail "feature --group" "$n lines"
"$BK" feature --missing | grep -qE '^  [a-z_]+ +yes ' && fail "feature --missing" "shows supported ones" \
	|| pass "feature --missing: only unsupported"

expect_fail "feature: unknown group" 2 "unknown group 'nope'" "$BK" feature -g nope
expect_fail "feature: unknown option" 2 "unknown option" "$BK" feature --bogus
expect_fail "feature: stray argument" 2 "unknown command 'x'" "$BK" feature x
"$BK" feature --help | grep -q 'Usage: bpfkit feature' && pass "feature --help" || fail "feature --help" ""

# the probes' veths lived in a namespace of their own
ip link show bkprobe0 >/dev/null 2>&1 && fail "feature: no veth left in our namespace" "bkprobe0 exists" \
	|| pass "feature: no veth left in our namespace"
# other people's tests load programs concurrently: count only ours, by name
sleep 0.3
left=$(bpftool prog show -j 2>/dev/null | python3 -c 'import json,re,sys; print(" ".join(p.get("name","") for p in json.load(sys.stdin) if re.search(r"^bk_probe", p.get("name",""))))')
[ -z "$left" ] && pass "feature: nothing left in the kernel" || fail "feature: nothing left in the kernel" "left in the kernel: $left"

# A user without privileges: every bpf() probe fails with EPERM, which says
# nothing about the kernel. Those must read "?" and "needs privileges", never
# "no ... the kernel does not know this program type" (issue 11).
if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
	rc=0
	timeout 60 setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all --bounding-set=-all \
		"$BK" feature >"$TMP/u.txt" 2>"$TMP/u.err" || rc=$?
	bad=$(grep -E '^  (xdp|hash|ringbuf|sched_cls|array|xdp_skb_veth|fentry) +no ' "$TMP/u.txt")
	if [ $rc -eq 0 ] && [ -z "$bad" ] && grep -qE '^  xdp +\? +.*needs privileges' "$TMP/u.txt" \
		&& grep -q 'not probed: probing needs privileges' "$TMP/u.err"; then
		pass "feature: as a non-root user, says probing needs privileges instead of 'no'"
	else
		fail "feature: as a non-root user" "exit $rc; ${bad:-$(grep -E '^  xdp ' "$TMP/u.txt")}; $(head -c 200 "$TMP/u.err")"
	fi
else
	skip "feature: as a non-root user" "setpriv or user nobody missing"
fi
