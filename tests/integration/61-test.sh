#!/bin/bash
# 61-test: `bpfkit test` runs programs on packets with BPF_PROG_TEST_RUN:
# verdicts per program type, changed packets, --expect/--cases mismatches,
# pcap in and out (checked by tcpdump), usage errors, nothing leaked.
source "$(dirname "$0")/../lib.sh"
need_root
O=$BPFDIR/testrun/verdicts.bpf.o
[ -f "$O" ] || { fail "test: $O missing (make bpf)"; exit 1; }

"$BK" test "$O" -P xdp_verdict -k 'eth/ipv4 10.0.0.1>10.0.0.2/udp 53>53/len 100' \
	-k 'ipv4 10.0.0.1>10.0.0.2/icmp echo' -k 'ipv6 fd00::1>fd00::2/tcp 1>2/flags S' \
	-k 'arp who-has 10.0.0.2 tell 10.0.0.1' -k 'vlan 7/ipv4 10.0.0.1>10.0.0.2/tcp 1>2' >"$TMP/o" 2>&1
rc=$?
[ $rc -eq 0 ] && pass "test: runs five packets" || fail "test: five packets" "exit $rc: $(tail -2 "$TMP/o")"
v=$(grep -o 'verdict  [A-Z_]*' "$TMP/o" | awk '{print $2}' | tr '\n' ' ')
[ "$v" = "XDP_DROP XDP_TX XDP_REDIRECT XDP_ABORTED XDP_PASS " ] && pass "test: XDP verdicts per packet" \
	|| fail "test: XDP verdicts" "$v"
grep -q 'now      eth 02:00:00:00:00:02>02:00:00:00:00:01/ipv4 10.0.0.2>10.0.0.1 ttl 64/icmp type 0' "$TMP/o" \
	&& pass "test: shows the packet the program rewrote" || fail "test: rewritten packet" "$(grep -A1 changed "$TMP/o")"
[ "$(grep -c 'packet   unchanged' "$TMP/o")" -eq 4 ] && pass "test: untouched packets reported unchanged" \
	|| fail "test: unchanged" "$(grep packet "$TMP/o")"

"$BK" test "$O" -P xdp_trim -k 'ipv4 10.0.0.1>10.0.0.2/udp 1>2/len 64' >"$TMP/o" 2>&1
grep -q 'length 64 -> 60' "$TMP/o" && pass "test: length change shown" || fail "test: length change" "$(cat "$TMP/o")"

check "test: tc verdicts" "$BK" test "$O" -P tc_verdict -k 'ipv4 1.1.1.1>2.2.2.2/udp 1>2' \
	-k 'ipv4 1.1.1.1>2.2.2.2/tcp 1>2' -e TC_ACT_SHOT -e ok
check "test: socket filter verdicts" "$BK" test "$O" -P sock_verdict -k 'ipv4 1.1.1.1>2.2.2.2/udp 1>2' \
	-k 'ipv4 1.1.1.1>2.2.2.2/tcp 1>2' -e drop -e accept
check "test: --expect once for all" "$BK" test "$O" -P xdp_verdict -k 'ipv4 1.1.1.1>2.2.2.2/tcp 1>2' \
	-k 'ipv4 1.1.1.1>2.2.2.2/udp 1>2' --expect PASS

# a mismatch: exit 1, the packet named
expect_fail "test: --expect mismatch names the packet" 1 \
	"1 of 2 packets did not give the expected verdict; first: packet 2 \(ipv4 1.1.1.1>2.2.2.2/udp 1>53\)" \
	"$BK" test "$O" -P xdp_verdict -k 'ipv4 1.1.1.1>2.2.2.2/tcp 1>2' -k 'ipv4 1.1.1.1>2.2.2.2/udp 1>53' -e PASS
grep -q 'expected PASS: MISMATCH' "$TMP/ef.out" && pass "test: mismatch marked in the listing" \
	|| fail "test: mismatch marked" "$(cat "$TMP/ef.out")"

# --cases: packets and expectations in one file
cat >"$TMP/cases" <<'CASES'
# verdict  packet
DROP       ipv4 10.0.0.1>10.0.0.2/udp 9>53
XDP_TX     ipv4 10.0.0.1>10.0.0.2/icmp echo
PASS       ipv4 10.0.0.1>10.0.0.2/udp 9>54
CASES
"$BK" test "$O" -P xdp_verdict --cases "$TMP/cases" >"$TMP/o" 2>&1 && grep -q '3 packets, all as expected' "$TMP/o" \
	&& pass "test: --cases file" || fail "test: --cases" "$(tail -3 "$TMP/o")"
echo 'PASS ipv4 10.0.0.1>10.0.0.2/udp 9>53' >>"$TMP/cases"
expect_fail "test: --cases mismatch" 1 "first: packet 4" "$BK" test "$O" -P xdp_verdict --cases "$TMP/cases"
echo 'PASS ipv4 10.0.0.1>10.0.0.2/udp x>53' >"$TMP/badcases"
expect_fail "test: bad line in --cases" 1 "cases .*badcases:1: packet .*bad port pair" \
	"$BK" test "$O" -P xdp_verdict --cases "$TMP/badcases"
expect_fail "test: --cases names a directory" 1 "cases '$TMP': Is a directory" "$BK" test "$O" -P xdp_verdict --cases "$TMP"

# pcap out, checked by tcpdump (checksums computed right), then pcap in again
"$BK" test "$O" -P xdp_verdict -k 'ipv4 10.0.0.1>10.0.0.2/udp 1000>2000/payload hello' \
	-k 'ipv6 fd00::1>fd00::2/tcp 1>2/flags SA' -k 'ipv4 10.0.0.1>10.0.0.2/icmp echo id 1 seq 1' \
	--out "$TMP/out.pcap" >/dev/null 2>&1
if command -v tcpdump >/dev/null; then
	tcpdump -r "$TMP/out.pcap" -nn -vv >"$TMP/td" 2>&1
	if [ "$(grep -c 'IP' "$TMP/td")" -ge 3 ] && ! grep -qiE 'bad (udp |tcp |icmp |)cksum|incorrect' "$TMP/td" \
		&& grep -q 'ICMP echo reply' "$TMP/td"; then
		pass "test --out: tcpdump reads it, checksums right (even after the program's rewrite)"
	else
		fail "test --out: tcpdump" "$(head -c 400 "$TMP/td")"
	fi
else
	skip "test --out: tcpdump check" "tcpdump missing"
fi
"$BK" test "$O" -P xdp_verdict --pcap "$TMP/out.pcap" -j >"$TMP/j" 2>&1
python3 -c '
import json,sys
a=json.load(open(sys.argv[1]))
assert [e["verdict"] for e in a]==["XDP_PASS","XDP_REDIRECT","XDP_PASS"], a
assert a[2]["describe"].endswith("/icmp type 0/len 42"), a[2]
' "$TMP/j" && pass "test --pcap -j: reads pcap, JSON per packet" || fail "test --pcap -j" "$(head -c 300 "$TMP/j")"

"$BK" test "$O" -P xdp_verdict -k 'ipv4 1.1.1.1>2.2.2.2/tcp 1>2' -n 1000 >"$TMP/o" 2>&1
grep -qE 'time +[0-9]+ ns/run \(1000 runs' "$TMP/o" && pass "test --repeat: ns per run" || fail "test --repeat" "$(cat "$TMP/o")"

# log records the program wrote (bpfkit/log.h), per packet, not mixed up
if [ -f "$BPFDIR/xdp-hello.bpf.o" ]; then
	"$BK" test "$BPFDIR/xdp-hello.bpf.o" -k 'ipv4 10.0.0.7>10.0.0.2/udp 1>2' -k 'arp who-has 10.0.0.2' -n 5 >"$TMP/o" 2>&1
	if grep -A3 '^packet 1' "$TMP/o" | grep -q 'log      INFO xdp_hello: received a packet from 10.0.0.7' &&
	   grep -A3 '^packet 2' "$TMP/o" | grep -q 'log      INFO xdp_hello: received a packet (ethertype 0x0806)' &&
	   [ "$(grep -c 'log ' "$TMP/o")" -eq 2 ]; then
		pass "test: each packet's log records, timed runs' records left out"
	else
		fail "test: log records" "$(cat "$TMP/o")"
	fi
else
	skip "test: log records" "xdp-hello.bpf.o not built"
fi

# bad input
expect_fail "test: no object" 2 "which object" "$BK" test
expect_fail "test: no packets" 2 "exactly one of --packet" "$BK" test "$O" -P xdp_verdict
expect_fail "test: bad spec" 2 "packet 'ipv4 1.1.1.1>2.2.2.2/udp 1>x'.*bad port pair" \
	"$BK" test "$O" -P xdp_verdict -k 'ipv4 1.1.1.1>2.2.2.2/udp 1>x'
expect_fail "test: bad verdict" 2 "'SHOT' is not a verdict of a xdp program" \
	"$BK" test "$O" -P xdp_verdict -k 'ipv4 1.1.1.1>2.2.2.2' -e SHOT
expect_fail "test: expect count" 2 "2 --expect for 1 packets" \
	"$BK" test "$O" -P xdp_verdict -k 'ipv4 1.1.1.1>2.2.2.2' -e PASS -e DROP
expect_fail "test: several programs, none named" 1 "has 4 programs; name one with --prog" \
	"$BK" test "$O" -k 'ipv4 1.1.1.1>2.2.2.2'
expect_fail "test: no such program" 1 "no program named 'nope'" \
	"$BK" test "$O" -P nope -k 'ipv4 1.1.1.1>2.2.2.2'
expect_fail "test: missing object" 1 "nope.o" "$BK" test "$TMP/nope.o" -k 'ipv4 1.1.1.1>2.2.2.2'
echo "not a pcap" >"$TMP/bad.pcap"
expect_fail "test: bad pcap" 1 "pcap '.*bad.pcap'" "$BK" test "$O" -P xdp_verdict --pcap "$TMP/bad.pcap"
if [ -f "$BPFDIR/tracepoint-hello.bpf.o" ]; then
	expect_fail "test: program type without packets" 1 "cannot be run on packets" \
		"$BK" test "$BPFDIR/tracepoint-hello.bpf.o" -k 'ipv4 1.1.1.1>2.2.2.2'
	# one error, not a second one from a run that should not have been tried
	if [ "$(wc -l <"$TMP/ef.err")" -eq 1 ] && ! grep -q "test run failed" "$TMP/ef.err"; then
		pass "test: program type without packets: one error line"
	else
		fail "test: program type without packets: one error line" "$(cat "$TMP/ef.err")"
	fi
fi
# --prog of a name that is not there lists the ones that are
"$BK" test "$O" -P nope -k 'ipv4 1.1.1.1>2.2.2.2' 2>"$TMP/nope.err"
if grep -q "^  xdp_verdict (" "$TMP/nope.err" && grep -q "^  tc_verdict (" "$TMP/nope.err"; then
	pass "test: -P nope lists the programs there are"
else
	fail "test: -P nope lists the programs there are" "$(cat "$TMP/nope.err")"
fi
# a func info record naming a type that is no function: the kernel's
# message has no newline; bpfkit's summary and -v log keep it on its own line
python3 "$ROOT/tests/btfext-patch.py" functype "$BPFDIR/xdp-pass.bpf.o" "$TMP/badfi.o"
"$BK" -v test "$TMP/badfi.o" -k 'ipv4 1.1.1.1>2.2.2.2' >/dev/null 2>"$TMP/badfi.err"
if grep -q "verifier rejected it: invalid type id [0-9]* in func info$" "$TMP/badfi.err" &&
   grep -q "^invalid type id [0-9]* in func info$" "$TMP/badfi.err" && grep -q "^processed [0-9]* insns" "$TMP/badfi.err"; then
	pass "test: 'invalid type id N in func info' is not glued to 'processed N insns'"
else
	fail "test: func info message on its own line" "$(grep -a "func info" "$TMP/badfi.err" | head -3)"
fi
# an old-style section name: the reason and the fix, not "Invalid argument"
expect_fail "test: old-style section name says why and how to fix it" 1 \
	"prog 'xdp_vlan_prog': no program type for section name 'xdp_vlan01'.*use SEC\(\"xdp\"\)" \
	"$BK" test "$BPFDIR/foundation/old-section.bpf.o" -k 'ipv4 1.1.1.1>2.2.2.2'
"$BK" test --help | grep -q 'Usage: bpfkit test' && pass "test --help" || fail "test --help" ""
# other people's tests load programs concurrently: count only ours, by name
sleep 0.3
left=$(bpftool prog show -j 2>/dev/null | python3 -c 'import json,re,sys; print(" ".join(p.get("name","") for p in json.load(sys.stdin) if re.search(r"^(xdp_verdict|xdp_trim|tc_verdict|sock_verdict)$", p.get("name",""))))')
[ -z "$left" ] && pass "test: nothing left in the kernel" || fail "test: nothing left in the kernel" "left in the kernel: $left"
