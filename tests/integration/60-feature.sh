#!/bin/bash
# 60-feature: `bpfkit feature` probes the real kernel and reports it readably.
source "$(dirname "$0")/../lib.sh"
need_root

probe_ids() { ids_named bk_probe; }
probe_ids >"$TMP/probe.before"
check "feature: runs" "$BK" feature
"$BK" feature >"$TMP/f.txt" 2>&1
# Each answer against an independent oracle (not this kernel build's config):
# a "no" always carries its reason.
if [ -e /sys/bus/event_source/devices/kprobe/type ]; then kp=yes; else kp=no; fi
grep -qE "^  kprobes +$kp " "$TMP/f.txt" && { [ $kp = yes ] || grep -qE '^  kprobes +no .*CONFIG_KPROBES' "$TMP/f.txt"; } &&
	pass "feature: kprobes $kp, as the kernel's kprobe PMU says (a no names CONFIG_KPROBES)" ||
	fail "feature: kprobes (kprobe PMU says $kp)" "$(grep kprobes "$TMP/f.txt")"
grep -qE '^  fentry +(yes|no +[^ ].*(not permitted|refuses|lacks|no |not ))' "$TMP/f.txt" &&
	pass "feature: fentry answered, a no with its reason" || fail "feature: fentry" "$(grep fentry "$TMP/f.txt")"
[ -r /sys/kernel/btf/vmlinux ] && bt=yes || bt=no
grep -qE "^  btf_vmlinux +$bt " "$TMP/f.txt" && pass "feature: vmlinux BTF $bt, as /sys/kernel/btf/vmlinux says" ||
	fail "feature: btf_vmlinux (want $bt)" "$(grep btf_vmlinux "$TMP/f.txt")"
grep -qE '^  xdp_native_veth +(yes|no +[^ ])' "$TMP/f.txt" && pass "feature: native XDP on veth answered" \
	|| fail "feature: native XDP" "$(grep xdp_native "$TMP/f.txt")"
# program and map types agree with bpftool's own probes
if bpftool feature probe kernel -j >"$TMP/bt.json" 2>/dev/null && python3 - "$TMP/bt.json" "$TMP/f.txt" <<'PY' 2>"$TMP/bt.err"
import json, re, sys
bt = json.load(open(sys.argv[1])); txt = open(sys.argv[2]).read()
checked = 0
for kind, table in (("prog", bt["program_types"]), ("map", bt["map_types"])):
    for key, have in table.items():
        name = re.match(r"have_(.*)_%s_type$" % kind, key).group(1)
        m = re.search(r"^  %s +(yes|no)\b" % re.escape(name), txt, re.M)
        if not m or name in ("kprobe",):	# bpfkit adds attach checks to some
            continue
        assert (m.group(1) == "yes") == have, "%s %s: bpfkit %s, bpftool %s" % (kind, name, m.group(1), have)
        checked += 1
for name in ("xdp", "hash", "ringbuf"):
    assert re.search(r"^  %s +(yes|no)" % name, txt, re.M), name + " not listed"
assert checked > 30, "only %d types compared" % checked
PY
then pass "feature: program and map types agree with bpftool feature probe"
else fail "feature: types vs bpftool" "$(tail -1 "$TMP/bt.err")"; fi

# JSON: a valid array whose entries have the four keys; unknown = null
"$BK" feature -j >"$TMP/f.json" 2>"$TMP/f.err"
if python3 -c '
import json,sys
a=json.load(open(sys.argv[1]))
assert isinstance(a,list) and len(a)>40
for e in a: assert set(e)=={"group","name","supported","detail"}, e
k=[e for e in a if e["name"]=="kprobes"][0]; assert k["supported"] is (sys.argv[2] == "yes")
for e in a:
    if e["supported"] is False: assert e["detail"], e
' "$TMP/f.json" "$kp"; then pass "feature -j: valid JSON with every key"; else fail "feature -j" "$(head -c 200 "$TMP/f.json")"; fi
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
# other tests load programs concurrently (63's fentry programs are probed under
# bk_probe names too): count only ours, by name, until freed
leak_check "feature: nothing left in the kernel" "$TMP/probe.before" probe_ids

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
