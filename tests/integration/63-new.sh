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

# issue 12, item 9: the generated loader has bpfkit's loader options (-m,
# -f, -q), no default interface; the README tries it in a private netns;
# the tracepoint project has tests/ and its make test runs them.
X=$GEN/p_xdp/build/p_xdp
if [ -x "$X" ]; then
	help=$("$X" --help)
	for o in "-m, --mode" "-f, --force" "-q, --quiet"; do
		grep -q -- "$o" <<<"$help" && pass "new xdp: loader has $o" || fail "new xdp: loader has $o" "$help"
	done
	grep -q "eth0" <<<"$help" && fail "new xdp: no eth0 in the loader's help" "$help"
	expect_fail "new xdp: no default interface" 2 "say which interface with -i IFACE" "$X" --check
	# -m skb, -q: attached in skb mode; nothing on stdout but the records
	# (no -t: stopped by SIGINT once the checks are done, however slow the machine)
	ip netns exec "$NS_B" timeout 60 "$X" -i "$IF_B" -m skb -q >"$TMP/q.out" 2>"$TMP/q.err" &
	pid=$!
	on_exit kill $pid
	for _ in $(seq 100); do "$BK" --netns "$NS_B" -j net --iface "$IF_B" | grep -q '"mode":"skb"' && break; sleep 0.1; done
	"$BK" --netns "$NS_B" -j net --iface "$IF_B" | grep -q '"mode":"skb"' && pass "new xdp: -m skb attaches in skb mode" ||
		fail "new xdp: -m skb" "$("$BK" --netns "$NS_B" net --iface "$IF_B") $(cat "$TMP/q.err")"
	send_udp "$NS_A" "$IP_B" 9999 2
	wait_count "$TMP/q.out" "received a packet" 2 20
	kill -INT $pid; wait $pid
	if [ -z "$(grep -v 'received a packet' "$TMP/q.out")" ] && grep -q "received a packet" "$TMP/q.out" && [ ! -s "$TMP/q.err" ]; then
		pass "new xdp: -q prints only the program's records"
	else
		fail "new xdp: -q" "stdout: $(head -3 "$TMP/q.out" | tr '\n' ' ') stderr: $(head -3 "$TMP/q.err")"
	fi
	# -f over a program already there; it is put back at exit
	"$BK" --netns "$NS_B" load "$BPFDIR/xdp-pass.bpf.o" --iface "$IF_B" --pin "/sys/fs/bpf/bknew-$UNIQ" >/dev/null 2>&1
	on_exit rm -rf "/sys/fs/bpf/bknew-$UNIQ"
	expect_fail "new xdp: refuses to replace without -f" 1 "already attached" ip netns exec "$NS_B" "$X" -i "$IF_B" --check
	check "new xdp: -f replaces" ip netns exec "$NS_B" "$X" -i "$IF_B" -f --check
	"$BK" --netns "$NS_B" net --iface "$IF_B" | grep -q "name xdp_pass" && pass "new xdp: -f puts the old program back at exit" ||
		fail "new xdp: -f puts the old program back" "$("$BK" --netns "$NS_B" net --iface "$IF_B")"
	"$BK" --netns "$NS_B" unload --pin "/sys/fs/bpf/bknew-$UNIQ" >/dev/null 2>&1
fi
R=$GEN/p_xdp/README.md
if grep -q "ip netns add" "$R" && grep -q "ip netns exec p_xdp-b ./build/p_xdp -i veth-b" "$R" && ! grep -q eth0 "$R"; then
	pass "new xdp: README runs it in a private netns, no eth0"
else
	fail "new xdp: README netns example" "$(grep -n 'build/p_xdp' "$R")"
fi
if [ -f "$GEN/p_tracepoint/tests/test.sh" ]; then
	if make -s -C "$GEN/p_tracepoint" test BPFKIT="$BK" >"$TMP/tpt" 2>&1 && grep -q "ok: the loader counted" "$TMP/tpt"; then
		pass "new tracepoint: tests/ exists and make test runs it"
	else
		fail "new tracepoint: make test" "$(tail -3 "$TMP/tpt" | tr '\n' ' ')"
	fi
else
	fail "new tracepoint: has tests/" "$(ls "$GEN/p_tracepoint")"
fi

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
# a --dir that exists but leaves no room for the project's deepest paths
LONGD=$TMP/long; while [ $((${#LONGD} + 201)) -lt 4030 ]; do LONGD=$LONGD/$(printf 'd%.0s' {1..200}); done
LONGD=$LONGD/$(printf 'e%.0s' $(seq $((4030 - ${#LONGD} - 1))))
mkdir -p "$LONGD" && expect_fail "new: a --dir too long for the project's files" 2 "is too long for the project's files" \
	"$BK" new toolong --dir "$LONGD"
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
for order in "--list -j" "-j --list"; do
	"$BK" new $order | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 19' 2>/dev/null &&
		pass "new $order: JSON whatever the order" || fail "new $order: JSON whatever the order" ""
done
expect_fail "new: a long name is cut in the message, with the limit" 2 "name 'a{60}\.\.\.' is longer than 48 characters" \
	"$BK" new "$(printf 'a%.0s' $(seq 500))"
"$BK" new --help | grep -q 'Usage: bpfkit new' && pass "new --help" || fail "new --help" ""
# a full disk: one line naming ENOSPC, nothing reported created, nothing
# left (a private mount namespace holds the tiny tmpfs)
mkdir -p "$TMP/full"
rc=0
unshare -m sh -c 'mount -t tmpfs -o size=12k none "$1" && shift && "$@"' sh "$TMP/full" \
	"$BK" new baz --dir "$TMP/full" >"$TMP/full.out" 2>"$TMP/full.err" || rc=$?
if [ "$rc" = 1 ] && grep -q "No space left on device" "$TMP/full.err" && ! grep -q created "$TMP/full.out" &&
   [ "$(wc -l <"$TMP/full.err")" = 1 ]; then pass "new: a full disk is one ENOSPC line, nothing reported created"
else fail "new: a full disk is one ENOSPC line, nothing reported created" "rc $rc: $(cat "$TMP/full.out" "$TMP/full.err" | head -4 | tr '\n' ' ')"; fi
