#!/bin/bash
# Logging (issue 3) through the CLI on the real kernel: `bpfkit run` streams
# xdp-hello's bk_info records on stdout in the documented format, one per
# packet; BPFKIT_LOG filters (and a bad value is named); the example loader
# does the same; `bpfkit load --pin` + `bpfkit log --pin` streams a pinned
# object's records; `bpfkit log sites`; bad input; calls that must not compile.
source "$(dirname "$0")/../lib.sh"
need_root
# Others' tests may run next to this one, and other programs log too (their
# objects come and go; a leak of ours stays): count only xdp_hello programs
# (a leaked one holds its log maps), and pass once none is left that was not
# there before. The pin directory is checked on its own.
our_ids() { ids_named xdp_hello; }
our_ids >"$TMP/ours.before"
HELLO=$BPFDIR/xdp-hello.bpf.o
LINE_RE='^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6} INFO  xdp_hello: received a packet from '

# Calls that must be compile errors, with bpfkit's message where it has one.
for f in "$ROOT"/tests/data/log/compile-fail/*.c; do
	name=$(basename "$f" .c)
	if clang -target bpf -O2 -g -Wall -Werror -I"$ROOT/bpf/include" -idirafter "/usr/include/$(uname -m)-linux-gnu" \
		-c "$f" -o "$TMP/cf.o" >"$TMP/cf.err" 2>&1; then
		fail "compile error: $name" "it compiled"
	else
		case $name in
		struct-arg|float-arg) pat="is not an integer, pointer or array" ;;
		nine-args) pat="at most 8 arguments" ;;
		fmt-too-few-args) pat="the format's conversions and the arguments differ in number" ;;
		fmt-mac-of-ipv6) pat="argument 3 does not fit its conversion" ;;
		fmt-*) pat="argument 1 does not fit its conversion" ;;
		*) pat="error" ;;
		esac
		grep -q "$pat" "$TMP/cf.err" && pass "compile error: $name" || fail "compile error: $name" "$(grep -m1 error "$TMP/cf.err")"
	fi
done

# bpfkit log: bad input
expect_fail "log: missing --pin" 2 "say which program: --pin DIR, or id N" "$BK" log
expect_fail "log: unknown option" 2 "unknown option '--bogus'" "$BK" log --bogus
expect_fail "log: bad level" 2 "--level wants error, warn, info, debug or trace, not 'loud'" "$BK" log --pin /x --level loud
expect_fail "log: not a pin dir" 1 "pin dir '$TMP': no log ring buffer \(maps/_data_bklog\)" "$BK" log --pin "$TMP"
expect_fail "log sites: missing object" 2 "missing the object file" "$BK" log sites
expect_fail "log sites: not an object" 1 "" "$BK" log sites /etc/passwd
check "log --help" "$BK" log --help

# log sites: the table, in text and JSON
out=$("$BK" log sites "$HELLO" 2>&1)
if grep -q 'info  examples/xdp-hello/xdp-hello.bpf.c:[0-9]* xdp_hello "received a packet from %pI4"' <<<"$out"; then
	pass "log sites lists xdp-hello's calls"
else
	fail "log sites lists xdp-hello's calls" "$out"
fi
if "$BK" -j log sites "$HELLO" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d)==2 and d[1]["format"]=="received a packet from %pI4" and d[1]["func"]=="xdp_hello" and d[1]["error"] is None' 2>"$TMP/py.err"; then
	pass "log sites -j"
else
	fail "log sites -j" "$(cat "$TMP/py.err")"
fi
# crafted symbols whose offset + size wraps past 2^64: refused bounds, no
# write before the buffer (was a heap corruption: double free, abort)
cat >"$TMP/symval.py" <<'PY'
import struct, sys
src, dst, want, val = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]) % 2**64
b = bytearray(open(src, 'rb').read())
shoff = struct.unpack_from('<Q', b, 0x28)[0]
shentsize, shnum = struct.unpack_from('<HH', b, 0x3a)
secs = [struct.unpack_from('<IIQQQQIIQQ', b, shoff + i * shentsize) for i in range(shnum)]
for typ_, off, size, link in ((s[1], s[4], s[5], s[6]) for s in secs):
    if typ_ != 2:
        continue
    stroff = secs[link][4]
    for o in range(off, off + size, 24):
        n = struct.unpack_from('<I', b, o)[0]
        name = b[stroff + n:b.index(0, stroff + n)].decode()
        if name == want or (want == '.site' and '.' in name and b[o + 4] & 0xf == 1 and name.startswith('xdp_hello.')):
            struct.pack_into('<Q', b, o + 8, val)
            open(dst, 'wb').write(b)
            sys.exit(0)
sys.exit('no symbol ' + want)
PY
if python3 "$TMP/symval.py" "$HELLO" "$TMP/level-wrap.o" bpfkit_log_level -4 &&
   python3 "$TMP/symval.py" "$HELLO" "$TMP/site-wrap.o" .site -16; then
	rc=0; BPFKIT_LOG=info "$BK" test "$TMP/level-wrap.o" --packet 'eth/ipv4 10.0.0.1>10.0.0.2/udp 53>1234' >"$TMP/wrap.out" 2>&1 || rc=$?
	rc2=0; "$BK" log sites "$TMP/site-wrap.o" >>"$TMP/wrap.out" 2>&1 || rc2=$?
	if [ $rc -le 2 ] && [ $rc2 -le 2 ] && ! grep -qE 'Sanitizer|runtime error|double free' "$TMP/wrap.out"; then
		pass "log: symbols with wrapping offsets are refused, no write out of bounds"
	else fail "log: symbols with wrapping offsets" "rc $rc/$rc2: $(grep -m2 -E 'Sanitizer|runtime error|free' "$TMP/wrap.out")"; fi
else fail "log: crafting symbols with wrapping offsets" "symval.py"; fi
out=$("$BK" log sites "$BPFDIR/log/log-badfmt.bpf.o" 2>/dev/null)
grep -q 'ERROR: %s wants a string' <<<"$out" && pass "log sites shows bad formats" || fail "log sites shows bad formats" "$out"
expect_fail "log sites --check fails on bad formats" 1 "object '.*log-badfmt.bpf.o': 5 log calls can't be formatted" \
	"$BK" log sites --check "$BPFDIR/log/log-badfmt.bpf.o"
check "log sites --check passes xdp-hello" "$BK" log sites --check "$HELLO"

mk_pair || { fail "netns setup" "mk_pair failed"; exit 1; }

# run_bg NAME ENV... -- CMD...: in NS_B, stdout to NAME.out, stderr to NAME.err
run_bg() {
	local name=$1; shift
	local envs=()
	while [ "$1" != "--" ]; do envs+=("$1"); shift; done
	shift
	: >"$TMP/$name.out"; : >"$TMP/$name.err"	# (not by the job: see wait_started)
	ip netns exec "$NS_B" env "${envs[@]}" "$@" >>"$TMP/$name.out" 2>>"$TMP/$name.err" &
	RUN_PID=$!
	on_exit kill -9 "$RUN_PID"
	wait_started "$TMP/$name.err" "running|streaming|rror|failed" "$name"
}

# stop_bg [SECONDS]: (after SECONDS) SIGINT the background command, which
# drains the records still in the ring as it exits; $? is its exit status.
# The counts below are taken after that, so a slow machine only waits longer.
stop_bg() {
	[ -n "${1:-}" ] && sleep "$1"
	kill -INT "$RUN_PID" 2>/dev/null; wait "$RUN_PID"
}

# bpfkit run: one line per packet, on stdout, in the documented format.
run_bg run BPFKIT_LOG= -- "$BK" run "$HELLO" --iface "$IF_B"
send_udp "$NS_A" "$IP_B" 9 5
wait_count "$TMP/run.out" "$LINE_RE$IP_A\$" 5 20
stop_bg; rc=$?
n=$(grep -cE "$LINE_RE$IP_A\$" "$TMP/run.out")
[ "$n" -eq 5 ] && pass "run: 5 packets, 5 log lines on stdout" || fail "run: 5 packets, 5 log lines" "saw $n: $(head -3 "$TMP/run.out") $(tail -3 "$TMP/run.err")"
grep -q "received a packet" "$TMP/run.err" && fail "run: records are not on stderr" "$(cat "$TMP/run.err")" || pass "run: records are not on stderr"
[ $rc -eq 0 ] && pass "run: exits 0 at SIGINT" || fail "run: exits 0 at SIGINT" "rc=$rc"
rc=0; ip netns exec "$NS_B" "$BK" run "$HELLO" --iface "$IF_B" --timeout 1 >/dev/null 2>&1 || rc=$?
[ $rc -eq 0 ] && pass "run: exits 0 at --timeout" || fail "run: exits 0 at --timeout" "rc=$rc"
grep -qE 'AddressSanitizer|runtime error' "$TMP/run.err" && fail "run: sanitizer clean" "$(cat "$TMP/run.err")" || pass "run: sanitizer clean"

# BPFKIT_LOG=off: the calls are disabled in the kernel, nothing arrives.
run_bg off BPFKIT_LOG=off -- "$BK" run "$HELLO" --iface "$IF_B"
send_udp "$NS_A" "$IP_B" 9 3
stop_bg 0.5
n=$(grep -c "received a packet" "$TMP/off.out")
[ "$n" -eq 0 ] && pass "BPFKIT_LOG=off: no lines" || fail "BPFKIT_LOG=off: no lines" "saw $n"
# BPFKIT_LOG=warn is above info: nothing either; a bad value is named, default kept.
run_bg bogus BPFKIT_LOG=loud -- "$BK" run "$HELLO" --iface "$IF_B"
send_udp "$NS_A" "$IP_B" 9 2
wait_count "$TMP/bogus.out" "received a packet from $IP_A" 2 20
stop_bg
grep -q "BPFKIT_LOG='loud' is not a level" "$TMP/bogus.err" && pass "BPFKIT_LOG=loud is named" || fail "BPFKIT_LOG=loud is named" "$(cat "$TMP/bogus.err")"
[ "$(grep -c "received a packet from $IP_A" "$TMP/bogus.out")" -eq 2 ] && pass "bad BPFKIT_LOG keeps the default (info)" || fail "bad BPFKIT_LOG keeps the default" "$(cat "$TMP/bogus.out")"

# The standalone loader (object embedded) logs the same way.
run_bg loader BPFKIT_LOG= -- "$BINDIR/xdp-hello" --iface "$IF_B"
send_udp "$NS_A" "$IP_B" 9 3
wait_count "$TMP/loader.out" "$LINE_RE$IP_A\$" 3 20
stop_bg
n=$(grep -cE "$LINE_RE$IP_A\$" "$TMP/loader.out")
[ "$n" -eq 3 ] && pass "loader: 3 packets, 3 log lines" || fail "loader: 3 log lines" "saw $n: $(cat "$TMP/loader.out" "$TMP/loader.err" | head -5)"

# a pin directory of an object that does not log: said so (not bpffs's
# EPERM for the old '.data.bklog' spelling)
NOLOG=/sys/fs/bpf/bklog-nolog-$UNIQ
on_exit rm -rf "$NOLOG"
if check "load --pin of an object that does not log" "$BK" --netns "$NS_B" load "$BPFDIR/xdp-pass.bpf.o" --iface lo --pin "$NOLOG"; then
	expect_fail "log --pin of an object that does not log: says so" 1 \
		"no log ring buffer \(maps/_data_bklog\): the object does not log" "$BK" log --pin "$NOLOG"
	"$BK" --netns "$NS_B" unload --pin "$NOLOG" >/dev/null 2>&1
fi

# load --pin, then another process streams the pinned object's records.
PIN=/sys/fs/bpf/bklog-$UNIQ
on_exit rm -rf "$PIN"
on_exit "$BK" --netns "$NS_B" unload --pin "$PIN"
# (--netns: pins must outlive bpfkit, which `ip netns exec`'s private mounts would not let them)
check "load --pin" env BPFKIT_LOG=debug "$BK" --netns "$NS_B" load "$HELLO" --iface "$IF_B" --pin "$PIN"
if [ -e "$PIN/maps/_data_bklog" ] && [ -e "$PIN/maps/_rodata_bklog" ]; then
	pass "the log maps are pinned"
else
	fail "the log maps are pinned" "$(ls -a "$PIN/maps" 2>&1 | tr '\n' ' ')"
fi
# (in this namespace: `ip netns exec` would hide the pins)
"$BK" log --pin "$PIN" >"$TMP/pinned.out" 2>"$TMP/pinned.err" &
RUN_PID=$!; on_exit kill -9 "$RUN_PID"
wait_started "$TMP/pinned.err" "streaming|rror" "log --pin"
send_udp "$NS_A" "$IP_B" 9 4
wait_count "$TMP/pinned.out" "$LINE_RE$IP_A\$" 4 20
stop_bg; rc=$?
n=$(grep -cE "$LINE_RE$IP_A\$" "$TMP/pinned.out")
[ "$n" -eq 4 ] && pass "log --pin: 4 packets, 4 lines, function names intact" || fail "log --pin: 4 lines" "saw $n: $(cat "$TMP/pinned.out" "$TMP/pinned.err" | head -5)"
[ $rc -eq 0 ] && pass "log --pin: exits 0 at SIGINT" || fail "log --pin exits 0" "rc=$rc"
rc=0; "$BK" log --pin "$PIN" --timeout 1 >/dev/null 2>&1 || rc=$?
[ $rc -eq 0 ] && pass "log --pin: exits 0 at --timeout" || fail "log --pin: exits 0 at --timeout" "rc=$rc"
grep -q "streaming log records of '$PIN' (2 call sites" "$TMP/pinned.err" && pass "log --pin: says what it streams" || fail "log --pin: says what it streams" "$(cat "$TMP/pinned.err")"
# --level error filters info records out
"$BK" log --pin "$PIN" --level error >"$TMP/pinned-err.out" 2>"$TMP/pinned-err.err" &
RUN_PID=$!; on_exit kill -9 "$RUN_PID"
wait_started "$TMP/pinned-err.err" "streaming|rror" "log --pin --level error"
send_udp "$NS_A" "$IP_B" 9 2
stop_bg 0.5
[ "$(grep -c "received a packet" "$TMP/pinned-err.out")" -eq 0 ] && pass "log --pin --level error filters info" || fail "log --level error filters info" "$(cat "$TMP/pinned-err.out")"
check "unload --pin" "$BK" --netns "$NS_B" unload --pin "$PIN"

# A program loaded by iproute2 (the seeds' way): log id N / log name NAME
# find its object's log ring among its maps; function names from its BTF.
ip -n "$NS_B" link set dev "$IF_B" xdpgeneric obj "$HELLO" sec xdp
on_exit ip -n "$NS_B" link set dev "$IF_B" xdpgeneric off
id=$(ip -n "$NS_B" -j link show "$IF_B" | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
"$BK" log id "$id" >"$TMP/byid.out" 2>"$TMP/byid.err" &
RUN_PID=$!; on_exit kill -9 "$RUN_PID"
wait_started "$TMP/byid.err" "streaming|rror" "log id"
send_udp "$NS_A" "$IP_B" 9 3
wait_count "$TMP/byid.out" "$LINE_RE$IP_A\$" 3 20
stop_bg; rc=$?
n=$(grep -cE "$LINE_RE$IP_A\$" "$TMP/byid.out")
[ $rc -eq 0 ] && [ "$n" -eq 3 ] && pass "log id N: a program ip link loaded: 3 packets, 3 lines, function names" ||
	fail "log id N: a program ip link loaded" "rc=$rc, saw $n: $(cat "$TMP/byid.out" "$TMP/byid.err" | head -5)"
# by name: ours streams, or, while another test file has an xdp_hello loaded
# too, the name is refused as shared with ours among the ids listed
rc=0; "$BK" log name xdp_hello --timeout 1 >"$TMP/byname.out" 2>"$TMP/byname.err" || rc=$?
if [ $rc = 0 ] && grep -q "streaming log records of 'prog name xdp_hello'" "$TMP/byname.err"; then
	pass "log name NAME streams"
elif [ $rc = 1 ] && grep -qE "prog name 'xdp_hello': [0-9]+ programs have this name \(ids ([0-9]+, )*$id[,)]" "$TMP/byname.err"; then
	pass "log name NAME: shared by another test's program, refused with ours among the ids"
else fail "log name NAME" "rc $rc: $(head -c 300 "$TMP/byname.err")"; fi
ip -n "$NS_B" link set dev "$IF_B" xdpgeneric off
ip -n "$NS_B" link set dev lo xdpgeneric obj "$BPFDIR/xdp-pass.bpf.o" sec xdp
id=$(ip -n "$NS_B" -j link show lo | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
expect_fail "log id of a program that does not log" 1 "prog $id 'xdp_pass': has no bpfkit log ring among its maps" \
	"$BK" log id "$id" --timeout 1
ip -n "$NS_B" link set dev lo xdpgeneric off
expect_fail "log id of no program" 1 "prog id 4294967295: no such program" "$BK" log id 4294967295
expect_fail "log: a selector without its value" 2 "log: .id. needs a value" "$BK" log id

leak_check "no xdp_hello program (or its log maps) leaked" "$TMP/ours.before" our_ids
[ ! -e "$PIN" ] && pass "nothing left pinned" || fail "nothing left pinned" "$(ls -R "$PIN" | tr '\n' ' ')"
