#!/bin/bash
# Foundation: the seeds' example programs and their loaders (object embedded,
# -i/--iface), and interop with iproute2 and bpftool.
source "$(dirname "$0")/../lib.sh"
need_root
kernel_ids >"$TMP/ids.before"

# xdp-pass disassembles to exactly "r0 = 2; exit".
dis=$(llvm-objdump -d "$BPFDIR/xdp-pass.bpf.o" | grep -E '^ +[0-9]+:' | sed 's/.*\t//' | tr '\n' ';')
# (clang >= 20 defaults to -mcpu=v3 and writes the 32-bit form, w0 = 2)
[[ $dis =~ ^[rw]0\ =\ 2\;exit\;$ ]] && pass "xdp-pass is r0 = 2; exit" || fail "xdp-pass is r0 = 2; exit" "$dis"

for ex in xdp-pass xdp-hello xdp-firewall tracepoint-hello; do
	check "$ex --help" "$BINDIR/$ex" --help
	# The loader carries its object: it runs from anywhere, without build/bpf.
	if strings "$BINDIR/$ex" | grep -q "$(echo "$ex" | tr - _)"; then pass "$ex embeds its object"; else fail "$ex embeds its object"; fi
done
expect_fail "loader: unknown option" 2 "unknown option '--bogus'" "$BINDIR/xdp-pass" --bogus
expect_fail "loader: bad mode" 2 "unknown mode" "$BINDIR/xdp-pass" --mode warp
expect_fail "loader: missing interface" 1 "iface 'nope$UNIQ': no such interface" \
	unshare -n "$BINDIR/xdp-pass" --iface "nope$UNIQ"

mk_pair || { fail "netns setup"; exit 1; }
run_loader() {	# run_loader NAME SECONDS ARGS...: loader in NS_B, output in $TMP/NAME.out
	local name=$1 secs=$2; shift 2
	: >"$TMP/$name.out"	# (not by the job: see wait_started)
	ip netns exec "$NS_B" "$BINDIR/$name" --iface "$IF_B" --timeout "$secs" "$@" >>"$TMP/$name.out" 2>&1 &
	LOADER_PID=$!
	on_exit kill -9 "$LOADER_PID"
	wait_started "$TMP/$name.out" "running|rror|failed|already attached" "$name $*"
}
# wait_detached: until nothing is attached to IF_B (bounded), so the next
# loader does not meet the previous one's program.
wait_detached() {
	for _ in $(seq 50); do
		"$BK" --netns "$NS_B" -j net --iface "$IF_B" | grep -q '"kind":"xdp"' || return 0
		sleep 0.1
	done
}

# xdp-pass: attached, traffic flows, exits on its own.
run_loader xdp-pass 8
ip netns exec "$NS_B" "$BK" net --iface "$IF_B" | grep -q "name xdp_pass" && pass "xdp-pass loader attaches" || fail "xdp-pass loader attaches" "$(cat "$TMP/xdp-pass.out")"
ip netns exec "$NS_A" ping -c 2 -i 0.2 -W 1 "$IP_B" >/dev/null && pass "xdp-pass passes traffic" || fail "xdp-pass passes traffic"
wait "$LOADER_PID"; rc=$?
wait_detached
[ $rc -eq 0 ] && pass "xdp-pass loader exits 0 at --timeout" || fail "xdp-pass loader exits 0" "rc=$rc"

# xdp-hello loader: a message per packet.
run_loader xdp-hello 30
send_udp "$NS_A" "$IP_B" 9 3
wait_count "$TMP/xdp-hello.out" "received a packet from $IP_A" 3 20
kill -INT "$LOADER_PID"; wait "$LOADER_PID"	# it drains the ring as it exits
n=$(grep -c "received a packet from $IP_A" "$TMP/xdp-hello.out")
[ "$n" -ge 3 ] && pass "xdp-hello loader: a message per packet ($n)" || fail "xdp-hello loader: a message per packet" "saw $n of 3"
wait_detached

# xdp-firewall: permit all; --block drops that source.
run_loader xdp-firewall 60
ip netns exec "$NS_A" ping -c 1 -W 1 "$IP_B" >/dev/null && pass "xdp-firewall permits all" || fail "xdp-firewall permits all"
kill -INT "$LOADER_PID"; wait "$LOADER_PID"
wait_detached
run_loader xdp-firewall 60 --block "$IP_A"
if ! ip netns exec "$NS_A" ping -c 1 -W 1 "$IP_B" >/dev/null; then pass "xdp-firewall --block drops the source"; else fail "xdp-firewall --block drops the source" "$(cat "$TMP/xdp-firewall.out")"; fi
kill -INT "$LOADER_PID"; wait "$LOADER_PID"
expect_fail "xdp-firewall --block bad address" 2 "--block wants an IPv4 address, not '300.1.1.1'" \
	"$BINDIR/xdp-firewall" --block 300.1.1.1

# tracepoint-hello: says hello for an execve (ours, with a unique comm).
# trace_pipe has one reader at a time: while another test file's loader holds
# it, tracepoint-hello runs without output (and says so); start it again then.
for _ in $(seq 30); do
	: >"$TMP/tp.out"
	ip netns exec "$NS_B" "$BINDIR/tracepoint-hello" --timeout 30 >>"$TMP/tp.out" 2>&1 &
	TP_PID=$!; on_exit kill -9 "$TP_PID"
	wait_started "$TMP/tp.out" "running|rror" "tracepoint-hello"
	grep -q "trace_pipe is busy" "$TMP/tp.out" || break
	kill -INT "$TP_PID"; wait "$TP_PID"; sleep 0.5
done
# Other readers of the one trace_pipe (other tests' loaders) may take a line
# first, so exec until one of ours shows (bounded).
cp /bin/true "$TMP/bkhello$UNIQ"; seen=
for _ in $(seq 40); do
	"$TMP/bkhello$UNIQ" & hp=$!; wait $hp
	wait_for "$TMP/tp.out" "hello from execve: pid $hp comm " 1 && { seen=$hp; break; }
done
if [ -n "$seen" ]; then pass "tracepoint-hello sees our execve (pid $seen)"; else fail "tracepoint-hello sees our execve" "$(tail -3 "$TMP/tp.out")"; fi
kill -INT "$TP_PID"; wait "$TP_PID"
if [ -e /sys/bus/event_source/devices/kprobe/type ]; then
	skip "tracepoint-hello --kprobe explains" "this kernel has kprobes"
else
	expect_fail "tracepoint-hello --kprobe explains" 1 "no kprobes \(CONFIG_KPROBES is off\)" \
		"$BINDIR/tracepoint-hello" --kprobe do_sys_openat2
fi
check "bpfkit run attaches a tracepoint program from its section" \
	"$BK" run "$BPFDIR/tracepoint-hello.bpf.o" --timeout 1

# Interop: an object built here loads with iproute2, and bpfkit sees it.
if ip -n "$NS_B" link set dev "$IF_B" xdpgeneric obj "$BPFDIR/xdp-hello.bpf.o" sec xdp 2>"$TMP/ip.err"; then
	pass "iproute2 loads our object (xdpgeneric obj ... sec xdp)"
	"$BK" --netns "$NS_B" net --iface "$IF_B" | grep -q "xdp skb    id [0-9]* name xdp_hello" &&
		pass "bpfkit net shows iproute2's attachment" || fail "bpfkit net shows iproute2's attachment" "$("$BK" --netns "$NS_B" net)"
	check "bpfkit unload --iface detaches a netlink attachment" "$BK" --netns "$NS_B" unload --iface "$IF_B"
else
	fail "iproute2 loads our object" "$(cat "$TMP/ip.err")"
fi
# bpftool lists what bpfkit loaded (while it runs).
ip netns exec "$NS_B" "$BK" run "$BPFDIR/xdp-hello.bpf.o" --iface "$IF_B" --timeout 60 >"$TMP/bt.out" 2>&1 &
BT_PID=$!; on_exit kill -9 "$BT_PID"
wait_started "$TMP/bt.out" running "bpfkit run xdp-hello"
BT_ID=$("$BK" --netns "$NS_B" -j net --iface "$IF_B" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
bpftool prog show id "${BT_ID:-0}" -j 2>/dev/null | grep -q '"type":"xdp","name":"xdp_hello"' &&
	pass "bpftool lists what bpfkit loaded" || fail "bpftool lists what bpfkit loaded" "id '$BT_ID'"
bpftool link show -j 2>/dev/null | grep -qE "\"type\":\"xdp\",\"prog_id\":${BT_ID:-0}[,}]" &&
	pass "bpftool lists bpfkit's bpf_link" || fail "bpftool lists bpfkit's bpf_link" "$(bpftool link show -j | head -c 300)"
kill -INT "$BT_PID"; wait "$BT_PID"

# bpfkit net lists tc (cls_bpf on clsact) programs too, like bpftool net.
tc -n "$NS_B" qdisc add dev "$IF_B" clsact
tc -n "$NS_B" filter add dev "$IF_B" ingress bpf da obj "$BPFDIR/foundation/tc-pass.bpf.o" sec tc
if "$BK" --netns "$NS_B" net --iface "$IF_B" | grep -q "$IF_B([0-9]*) clsact ingress id [0-9]* name tc-pass.bpf.o:\[tc\]" &&
   "$BK" --netns "$NS_B" -j net | grep -q '"kind":"clsact","mode":"ingress"'; then
	pass "bpfkit net lists tc programs (text and JSON)"
else
	fail "bpfkit net lists tc programs" "$("$BK" --netns "$NS_B" net 2>&1)"
fi
tc -n "$NS_B" qdisc del dev "$IF_B" clsact

ip netns del "$NS_A"; ip netns del "$NS_B"
leak_check "no prog/map/link leaked" "$TMP/ids.before"
