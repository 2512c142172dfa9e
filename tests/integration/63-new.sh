#!/bin/bash
# 63-new: `bpfkit new` generates every program type; each project builds with
# -Werror against this tree, and its loader loads + attaches + detaches
# (--check) where this kernel can run the type, or says why not. Packet
# types run their generated cases through `bpfkit test`. Two loaders run for
# real and see events. Names are validated; nothing is ever overwritten.
source "$(dirname "$0")/../lib.sh"
need_root
GEN=$TMP/gen
mkdir -p "$GEN"
[ -f "$ROOT/build/lib/libbpfkit.a" ] || { fail "new: build/lib/libbpfkit.a missing (make all)"; exit 1; }

types=$("$BK" new --list | awk 'NR > 1 {print $1}')
n=$(echo "$types" | wc -w)
[ "$n" -eq 19 ] && pass "new --list: 19 types" || fail "new --list" "$n types: $types"

for t in $types; do
	"$BK" new "p_$t" --type "$t" --dir "$GEN" >"$TMP/new.$t" 2>&1 || fail "new --type $t" "$(tail -2 "$TMP/new.$t")"
done
# build four at a time
printf '%s\n' $types | xargs -P 4 -I{} sh -c 'make -C "$1/p_{}" >"$1/build-{}.log" 2>&1 || echo {} >>"$1/failed"' _ "$GEN"
for t in $types; do
	if [ -x "$GEN/p_$t/build/p_$t" ] && ! grep -qx "$t" "$GEN/failed" 2>/dev/null; then
		pass "new --type $t: builds with -Werror"
	else
		fail "new --type $t: build" "$(grep -m3 -E 'error|Error' "$GEN/build-$t.log" | tr '\n' ' ')"
	fi
done

# --check each loader, against targets of our own
mk_pair
CG=/sys/fs/cgroup/unified
[ -e $CG/cgroup.procs ] || CG=/sys/fs/cgroup
CG=$CG/bkt$UNIQ
mkdir "$CG" && on_exit rmdir "$CG"
for t in $types; do
	bin=$GEN/p_$t/build/p_$t
	[ -x "$bin" ] || continue
	case $t in
	xdp|classifier|socket_filter) cmd=(ip netns exec "$NS_A" "$bin" --check -i "$IF_A") ;;
	cgroup_*|sock_ops) cmd=("$bin" --check -c "$CG") ;;
	*) cmd=("$bin" --check) ;;
	esac
	rc=0
	timeout 30 "${cmd[@]}" >"$TMP/chk" 2>&1 || rc=$?
	case $t in
	kprobe|kretprobe)
		if [ -e /sys/bus/event_source/devices/kprobe/type ]; then
			[ $rc -eq 0 ] && pass "new $t: loads and attaches" || fail "new $t: --check" "$(tail -2 "$TMP/chk")"
		elif [ $rc -eq 1 ] && grep -q "cannot run .*CONFIG_KPROBES" "$TMP/chk"; then
			pass "new $t: loader says why this kernel cannot run it (no kprobes)"
		else
			fail "new $t: no-kprobes explanation" "exit $rc: $(tail -2 "$TMP/chk")"
		fi ;;
	fentry|fexit|lsm)
		if [ $rc -eq 0 ] && grep -q "attached" "$TMP/chk"; then
			pass "new $t: loads and attaches"
		elif [ $rc -eq 1 ] && grep -qE "cannot run .*(trampoline|fentry)" "$TMP/chk"; then
			pass "new $t: loader says why this kernel cannot run it"
		else
			fail "new $t: --check" "exit $rc: $(tail -2 "$TMP/chk")"
		fi ;;
	*)
		if [ $rc -eq 0 ] && grep -q "attached" "$TMP/chk" && grep -qE "^p_$t: [0-9]+ events" "$TMP/chk"; then
			pass "new $t: loads, attaches, detaches"
		elif [ $rc -eq 1 ] && grep -q "cannot run" "$TMP/chk"; then
			skip "new $t: --check" "this kernel cannot run it: $(grep -m1 "cannot run" "$TMP/chk")"
		else
			fail "new $t: --check" "exit $rc: $(tail -3 "$TMP/chk" | tr '\n' ' ')"
		fi ;;
	esac
done

# packet types: their generated cases through bpfkit test (BPF_PROG_TEST_RUN)
for t in xdp classifier socket_filter cgroup_skb; do
	d=$GEN/p_$t
	[ -f "$d/build/p_$t.bpf.o" ] || continue
	if "$BK" test "$d/build/p_$t.bpf.o" --cases "$d/tests/cases.txt" >"$TMP/cases" 2>&1 &&
	   grep -q 'all as expected' "$TMP/cases" && grep -q '  log      INFO p_' "$TMP/cases"; then
		pass "new $t: generated cases pass, the program logs"
	else
		fail "new $t: cases" "$(tail -3 "$TMP/cases" | tr '\n' ' ')"
	fi
done
# the generated `make test` (cases + --check) in our namespace
if ip netns exec "$NS_A" make -s -C "$GEN/p_xdp" test CHECK_ARGS="-i $IF_A" BPFKIT="$BK" >"$TMP/mt" 2>&1; then
	pass "new xdp: generated 'make test' passes"
else
	fail "new xdp: make test" "$(tail -3 "$TMP/mt" | tr '\n' ' ')"
fi

# two loaders for real: XDP sees our packets, the tracepoint sees our execs
# (stopped with SIGINT once the records are in, not by a short -t that a slow
# start could use up)
ip netns exec "$NS_B" timeout 60 "$GEN/p_xdp/build/p_xdp" -i "$IF_B" -t 50 >"$TMP/xdp.out" 2>&1 &
pid=$!
on_exit kill $pid
wait_for "$TMP/xdp.out" "attached" 20
send_udp "$NS_A" "$IP_B" 9999 5
wait_count "$TMP/xdp.out" "INFO +p_xdp: received a packet from $IP_A" 5 20
kill -INT $pid; wait $pid
if grep -qE "INFO +p_xdp: received a packet from $IP_A" "$TMP/xdp.out" &&
   [ "$(grep -oE '^p_xdp: [0-9]+ events' "$TMP/xdp.out" | awk '{print $2}')" -ge 5 ]; then
	pass "new xdp: loader streams the program's log records and counts events"
else
	fail "new xdp: live" "$(tail -4 "$TMP/xdp.out" | tr '\n' ' ')"
fi
timeout 60 "$GEN/p_tracepoint/build/p_tracepoint" -t 50 >"$TMP/tp.out" 2>&1 &
pid=$!
on_exit kill $pid
wait_for "$TMP/tp.out" "attached" 20
for i in 1 2 3; do /bin/true; done
wait_for "$TMP/tp.out" "INFO +p_tracepoint: execve from pid [0-9]+ \\(" 20
kill -INT $pid; wait $pid
grep -qE "INFO +p_tracepoint: execve from pid [0-9]+ \(" "$TMP/tp.out" \
	&& pass "new tracepoint: loader sees execve" || fail "new tracepoint: live" "$(tail -3 "$TMP/tp.out" | tr '\n' ' ')"

# names and directories
"$BK" new my-prog --dir "$GEN" >/dev/null 2>&1 && grep -q 'int my_prog(struct xdp_md' "$GEN/my-prog/src/my-prog.bpf.c" \
	&& pass "new: '-' maps to '_' in C identifiers" || fail "new: my-prog" ""
mkdir "$GEN/taken" && echo keep >"$GEN/taken/marker"
expect_fail "new: existing directory refused" 1 "already exists; bpfkit new never overwrites" \
	"$BK" new taken --dir "$GEN"
[ "$(cat "$GEN/taken/marker")" = keep ] && [ "$(ls "$GEN/taken")" = marker ] \
	&& pass "new: existing directory untouched" || fail "new: existing directory" "changed"
ls -a "$GEN" | grep -q '\.new\.' && fail "new: temporary directories left" "$(ls -a "$GEN")" \
	|| pass "new: no temporary directory left behind"
expect_fail "new: path separator" 2 "contains a path separator" "$BK" new a/b --dir "$GEN"
expect_fail "new: not an identifier" 2 "must start with a letter" "$BK" new 1abc --dir "$GEN"
expect_fail "new: bad character" 2 "not a C identifier" "$BK" new 'a.b' --dir "$GEN"
expect_fail "new: keyword" 2 "C keyword" "$BK" new int --dir "$GEN"
expect_fail "new: unknown type" 2 "unknown type 'nope'" "$BK" new x --type nope --dir "$GEN"
grep -q 'xdp ' "$TMP/ef.err" && pass "new: unknown type lists the types" || fail "new: type list" ""
"$BK" new x --type >"$TMP/menu" 2>&1 && grep -q 'sk_msg' "$TMP/menu" \
	&& pass "new --type (no value): the menu" || fail "new --type menu" "$(cat "$TMP/menu")"
expect_fail "new: no name" 2 "which NAME" "$BK" new
expect_fail "new: missing --dir" 1 "not a directory" "$BK" new x --dir "$TMP/nope"
"$BK" -j new --list | python3 -c 'import json,sys; a=json.load(sys.stdin); assert len(a)==19 and a[0]["type"]=="xdp"' \
	&& pass "new --list -j" || fail "new --list -j" ""
"$BK" new --help | grep -q 'Usage: bpfkit new' && pass "new --help" || fail "new --help" ""
