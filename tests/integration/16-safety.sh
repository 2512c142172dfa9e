#!/bin/bash
# Nothing a failing `bpfkit load`/`run` does may leave an interface without
# the program that protected it (issue 12, item 1). A program that drops
# every packet stands in for a firewall: while it acts, pings from NS_A to
# NS_B fail; the tests prove it still acts after each failed command, for a
# program held by a pinned bpf_link and for one attached through netlink
# (ip link). A --force that succeeds swaps in one step, and undoing it (the
# end of a run, a failure after the attach) puts the old program back.
source "$(dirname "$0")/../lib.sh"
need_root
# this file's programs (and their maps), by the names only it loads
our_ids() { local p; for p in xdp_drop_all xdp_safe_pass xdp_pass_too tp_missing; do ids_named "$p"; done | sort; }
our_ids >"$TMP/ours.before"
mk_pair || { fail "netns setup" "mk_pair failed"; exit 1; }
DROP=$BPFDIR/foundation/xdp-drop.bpf.o
PASS=$BPFDIR/foundation/safe-pass.bpf.o
FWPIN=/sys/fs/bpf/bksafe-fw-$UNIQ
NEWPIN=/sys/fs/bpf/bksafe-new-$UNIQ
on_exit rm -rf "$FWPIN" "$FWPIN-x" "$NEWPIN" "/sys/fs/bpf/bksafe-ro-$UNIQ"
on_exit ip -n "$NS_B" link set dev "$IF_B" xdpgeneric off
B() { "$BK" --netns "$NS_B" "$@"; }
ping_ok() { ip netns exec "$NS_A" ping -c 1 -W 1 "$IP_B" >/dev/null 2>&1; }
on_if() { B -j net --iface "$IF_B" | grep -o '"name":"[a-z_]*"' | head -1 | cut -d'"' -f4; }

# still_drops NAME: the dropping program is on IF_B and pings die.
still_drops() {
	local got; got=$(on_if)
	if [ "$got" = xdp_drop_all ] && ! ping_ok; then
		pass "$1: the old program still acts (pings dropped)"
	else
		fail "$1: the old program still acts" "on $IF_B: '$got'; ping $(ping_ok && echo passed || echo failed)"
	fi
}

ping_ok && pass "baseline: pings pass" || fail "baseline: pings pass"

for how in link netlink; do
	other=native	# the mode the old program is not in
	if [ $how = link ]; then
		other=skb
		check "$how: the dropping program is loaded and pinned" B load "$DROP" --iface "$IF_B" --pin "$FWPIN"
	else
		ip -n "$NS_B" link set dev "$IF_B" xdpgeneric obj "$DROP" sec xdp
	fi
	still_drops "$how: setup"

	# Checkable before the interface is touched: parent missing, not bpffs.
	expect_fail "$how: --pin under a missing directory is refused" 1 \
		"pin '/sys/fs/bpf/bksafe-no-$UNIQ/x': parent directory '/sys/fs/bpf/bksafe-no-$UNIQ': No such file" \
		B load "$PASS" --iface "$IF_B" --force --pin "/sys/fs/bpf/bksafe-no-$UNIQ/x"
	grep -q "replacing" "$TMP/ef.err" && fail "$how: refused before touching the interface" "$(cat "$TMP/ef.err")"
	still_drops "$how: --pin parent missing"
	expect_fail "$how: --pin outside bpffs is refused" 1 "is not on a bpf filesystem" \
		B load "$PASS" --iface "$IF_B" --replace --pin "$TMP/pin"
	still_drops "$how: --pin not on bpffs"
	expect_fail "$how: --mode other than the old program's is refused" 1 \
		"replacing it without a gap works only in that mode" \
		B load "$PASS" --iface "$IF_B" --force --mode $other --pin "$NEWPIN"
	[ -e "$NEWPIN" ] && fail "$how: refused load pinned nothing" "$(ls -R "$NEWPIN")" && B unload --pin "$NEWPIN"
	still_drops "$how: --mode mismatch"
	expect_fail "$how: run of an object with several XDP programs decides first" 1 \
		"several XDP programs; choose one with --prog NAME \(xdp_first, xdp_second\); nothing attached" \
		B run "$BPFDIR/foundation/two-progs.bpf.o" --iface "$IF_B" --force --timeout 1
	still_drops "$how: several XDP programs"
	expect_fail "$how: run with a missing tracepoint leaves the interface alone" 1 \
		"prog 'tp_missing': this kernel has no tracepoint 'bpfkit_nonexistent/no_such_event'.*--prog NAME \(xdp_pass_too\)" \
		B run "$BPFDIR/foundation/tp-missing.bpf.o" --iface "$IF_B" --force --timeout 1
	still_drops "$how: missing tracepoint"

	# Fails after the attach (a bpffs mounted read-only in a private mount
	# namespace: mkdir of the pin fails): the old program is put back.
	rc=0
	unshare -m --propagation private bash -c 'mount -o remount,bind,ro /sys/fs/bpf && exec "$@"' _ \
		"$BK" --netns "$NS_B" load "$PASS" --iface "$IF_B" --force --pin "/sys/fs/bpf/bksafe-ro-$UNIQ" \
		>"$TMP/ro.out" 2>&1 || rc=$?
	if [ $rc = 1 ] && grep -q "Read-only file system" "$TMP/ro.out" &&
	   grep -q "XDP program [0-9]* 'xdp_drop_all' is attached again" "$TMP/ro.out"; then
		pass "$how: pin failing after the attach puts the old program back"
	else
		fail "$how: pin failing after the attach puts the old program back" "rc=$rc $(cat "$TMP/ro.out")"
	fi
	still_drops "$how: pin failed after the attach"

	# run --force: ours acts during the run, the old one is back after it.
	# (no --timeout: it ends when told, after the checks, however slow the
	# machine; bpfkit itself in the background, not a subshell, and SIGTERM,
	# which a script's background jobs do not ignore)
	# (run.out emptied here, not by the job's redirection: the job's child
	# may truncate it only after wait_for has read the previous loop's
	# "running" - the cause of two CI failures)
	: >"$TMP/run.out"
	"$BK" --netns "$NS_B" run "$PASS" --iface "$IF_B" --force >>"$TMP/run.out" 2>&1 &
	RUN_PID=$!
	on_exit kill -9 "$RUN_PID"
	# a bound for a loaded CI machine (4 test files at once, ASan): when
	# it passes unmet, the failure says so instead of naming what is on IF_B
	started=yes
	wait_for "$TMP/run.out" "running|rror|failed" 90 || started="no: nothing within 90 s"
	got=$(on_if)
	[ "$started" = yes ] || got="$got (run started: $started)"
	if [ "$got" = xdp_safe_pass ] && ping_ok; then pass "$how: run --force replaces it"; else fail "$how: run --force replaces it" "on $IF_B: '$got' $(cat "$TMP/run.out")"; fi
	kill -TERM "$RUN_PID"; wait "$RUN_PID"
	grep -q "is attached again" "$TMP/run.out" || fail "$how: run says it put the old program back" "$(cat "$TMP/run.out")"
	still_drops "$how: after run --force ended"

	# load --force that succeeds: ours stays; unload --pin takes it off.
	check "$how: load --force replaces it" B load "$PASS" --iface "$IF_B" --force --pin "$NEWPIN"
	got=$(on_if)
	if [ "$got" = xdp_safe_pass ] && ping_ok; then pass "$how: the new program acts"; else fail "$how: the new program acts" "on $IF_B: '$got'"; fi
	check "$how: unload --pin" B unload --pin "$NEWPIN"
	sleep 0.3
	got=$(on_if)
	[ -z "$got" ] && pass "$how: unload --pin detached the replacement" || fail "$how: unload --pin detached the replacement" "on $IF_B: '$got'"

	other=native	# the mode the old program is not in
	if [ $how = link ]; then
		other=skb
		check "$how: the replaced program's pins are removed" B unload --pin "$FWPIN"
	fi
	ip -n "$NS_B" link set dev "$IF_B" xdpgeneric off 2>/dev/null
done

# Another loader's link that now runs our program is detached only by our
# unload, not by the other loader's (whose program is no longer on it).
B load "$DROP" --iface "$IF_B" --pin "$FWPIN" 2>/dev/null
B load "$PASS" --iface "$IF_B" --force --pin "$NEWPIN" 2>/dev/null
check "unload of the replaced program's pins" B unload --pin "$FWPIN"
[ "$(on_if)" = xdp_safe_pass ] && pass "it leaves the replacement attached" || fail "it leaves the replacement attached" "on $IF_B: '$(on_if)'"
check "unload of the replacement" B unload --pin "$NEWPIN"

# The issue's own case: xdpfw protecting the interface (policy deny).
XDPFW=$BINDIR/xdpfw
XPIN=/sys/fs/bpf/bksafe-xdpfw-$UNIQ
on_exit "$XDPFW" --pin-dir "$XPIN" --netns "$NS_B" unload --all --purge
on_exit rm -rf "$XPIN"
if [ -x "$XDPFW" ] && "$XDPFW" --pin-dir "$XPIN" --netns "$NS_B" load "$IF_B" --policy deny --force >"$TMP/fw.out" 2>&1; then
	if ping_ok; then fail "xdpfw: deny policy drops pings" "ping passed"; fi
	expect_fail "xdpfw: load --force --pin under a missing directory is refused" 1 "parent directory" \
		B load "$PASS" --iface "$IF_B" --force --pin "/sys/fs/bpf/bksafe-no-$UNIQ/x"
	unshare -m --propagation private bash -c 'mount -o remount,bind,ro /sys/fs/bpf && exec "$@"' _ \
		"$BK" --netns "$NS_B" load "$PASS" --iface "$IF_B" --force --pin "/sys/fs/bpf/bksafe-ro-$UNIQ" \
		>"$TMP/ro.out" 2>&1
	got=$(on_if)
	if [ "$got" = xdpfw ] && ! ping_ok; then
		pass "xdpfw: still denies after failed bpfkit loads"
	else
		fail "xdpfw: still denies after failed bpfkit loads" "on $IF_B: '$got'; $(cat "$TMP/ro.out")"
	fi
	"$XDPFW" --pin-dir "$XPIN" --netns "$NS_B" unload --all --purge >/dev/null 2>&1
else
	skip "xdpfw cases" "xdpfw load failed: $(head -2 "$TMP/fw.out" 2>/dev/null)"
fi

# xdpfw's own --replace: a dropping program held by a bpf_link is swapped
# for xdpfw in one step; when pinning xdpfw's link then fails (bpffs read-only
# in a private mount namespace), the dropping program is put back.
if [ -x "$XDPFW" ] && check "xdpfw --replace: the dropping program is loaded" B load "$DROP" --iface "$IF_B" --pin "$FWPIN-x" &&
   "$XDPFW" --pin-dir "$XPIN" --netns "$NS_B" load lo >"$TMP/fwlo.out" 2>&1; then
	rc=0
	unshare -m --propagation private bash -c 'mount -o remount,bind,ro /sys/fs/bpf && exec "$@"' _ \
		"$XDPFW" --pin-dir "$XPIN" --netns "$NS_B" load "$IF_B" --replace >"$TMP/xro.out" 2>&1 || rc=$?
	if [ $rc = 1 ] && grep -q "Read-only file system" "$TMP/xro.out"; then
		pass "xdpfw --replace: pinning its link fails (read-only bpffs), exit 1"
	else
		fail "xdpfw --replace: pin failure" "rc=$rc $(cat "$TMP/xro.out")"
	fi
	still_drops "xdpfw --replace, pin failed"
	if "$XDPFW" --pin-dir "$XPIN" --netns "$NS_B" load "$IF_B" --replace >"$TMP/xok.out" 2>&1 &&
	   [ "$(on_if)" = xdpfw ] && ping_ok; then
		pass "xdpfw --replace: swaps the dropping program for the firewall (policy allow passes pings)"
	else
		fail "xdpfw --replace" "on $IF_B: '$(on_if)'; $(cat "$TMP/xok.out")"
	fi
	"$XDPFW" --pin-dir "$XPIN" --netns "$NS_B" unload "$IF_B" >/dev/null 2>&1
	B unload --pin "$FWPIN-x" >/dev/null 2>&1
	# a netlink attachment has no link to hand over: two steps, and the old
	# program is attached again when pinning the firewall's link fails
	ip -n "$NS_B" link set dev "$IF_B" xdpgeneric obj "$DROP" sec xdp
	rc=0
	unshare -m --propagation private bash -c 'mount -o remount,bind,ro /sys/fs/bpf && exec "$@"' _ \
		"$XDPFW" --pin-dir "$XPIN" --netns "$NS_B" load "$IF_B" --replace >"$TMP/xnl.out" 2>&1 || rc=$?
	if [ $rc = 1 ] && grep -q "in two steps" "$TMP/xnl.out" && grep -q "attached again" "$TMP/xnl.out"; then
		pass "xdpfw --replace of a netlink attachment: says two steps; a failed pin attaches the old program again"
	else
		fail "xdpfw --replace of a netlink attachment" "rc=$rc $(cat "$TMP/xnl.out")"
	fi
	still_drops "xdpfw --replace of a netlink attachment, pin failed"
	ip -n "$NS_B" link set dev "$IF_B" xdpgeneric off
	"$XDPFW" --pin-dir "$XPIN" --netns "$NS_B" unload --all --purge >/dev/null 2>&1
else
	skip "xdpfw --replace cases" "setup failed: $(head -2 "$TMP/fwlo.out" 2>/dev/null)"
fi

# another loader swapping its program into xdpfw's link (bpfkit load
# --force): the firewall no longer filters there, and xdpfw says so - in
# status, after a rule change, in metrics, and when asked to load there -
# instead of claiming the interface
# (without $SSH_CONNECTION: a run over ssh would have the deny policy refused)
X() { env -u SSH_CONNECTION "$XDPFW" --pin-dir "$XPIN" --netns "$NS_B" "$@"; }
printf 'policy deny\n' >"$TMP/deny.rules"
if [ -x "$XDPFW" ] && X load "$IF_B" --rules "$TMP/deny.rules" >"$TMP/xs.out" 2>&1 && ! ping_ok &&
   check "swap: bpfkit load --force into xdpfw's link" B load "$PASS" --iface "$IF_B" --force --pin "$NEWPIN"; then
	ping_ok && pass "swap: the other program runs (pings pass)" || fail "swap: the other program runs" "pings dropped"
	if X -j status | python3 -c 'import json,sys; i=json.load(sys.stdin)["interfaces"][0]; assert i["mode"] == "replaced", i' 2>"$TMP/xs.err"
	then pass "swap: xdpfw status says the interface is replaced"
	else fail "swap: xdpfw status says the interface is replaced" "$(tail -1 "$TMP/xs.err")"; fi
	X apply "$TMP/deny.rules" >"$TMP/xa.out" 2>&1
	grep -q "warning: on '$IF_B' another program (id [0-9]*) runs in xdpfw's link.*not enforced" "$TMP/xa.out" &&
		pass "swap: apply warns that the rules are not enforced there" || fail "swap: apply warns" "$(cat "$TMP/xa.out")"
	X metrics --once | grep -q '^xdpfw_interfaces 0$' && pass "swap: metrics count no interface" ||
		fail "swap: metrics count no interface" "$(X metrics --once | grep '^xdpfw_interfaces')"
	expect_fail "swap: xdpfw load there says another program runs in its link" 1 \
		"on '$IF_B' another program \(id [0-9]+\) runs in xdpfw's link.*xdpfw unload $IF_B, then xdpfw load $IF_B --replace" X load "$IF_B"
	# what it says to do, while the other loader still holds the link
	X unload "$IF_B" >/dev/null 2>&1
	if X load "$IF_B" --replace >"$TMP/xs2.out" 2>&1 && ! ping_ok && X -j status | grep -q '"mode":"\(native\|skb\)"'; then
		pass "swap: unload, then load --replace, puts the firewall back (pings dropped)"
	else fail "swap: unload, then load --replace, puts the firewall back" "$(cat "$TMP/xs2.out")"; fi
	X unload --all --purge >/dev/null 2>&1
	B unload --pin "$NEWPIN" >/dev/null 2>&1
else
	skip "xdpfw swap cases" "setup failed: $(head -2 "$TMP/xs.out" 2>/dev/null)"
	X unload --all --purge >/dev/null 2>&1
fi

# a bpfkit load --pin directory is not taken over as xdpfw's state: its
# log maps have the names xdpfw pins its own under
BKP=/sys/fs/bpf/bksafe-bk-$UNIQ
on_exit rm -rf "$BKP"
if [ -x "$XDPFW" ] && check "foreign dir: bpfkit load --pin of a logging program" \
	B load "$BPFDIR/xdp-hello.bpf.o" --iface lo --pin "$BKP"; then
	expect_fail "foreign dir: xdpfw load refuses bpfkit's pin directory" 1 \
		"state directory '$BKP' holds another program's pins .*maps/_(ro)?data_bklog" \
		"$XDPFW" --pin-dir "$BKP" --netns "$NS_B" load "$IF_B"
	[ -e "$BKP/prog" ] || [ -e "$BKP/xdpfw_cfg" ] && fail "foreign dir: nothing of xdpfw's pinned there" "$(ls "$BKP")"
	check "foreign dir: bpfkit's log still opens" B log --pin "$BKP" --timeout 1
	check "foreign dir: bpfkit unload --pin" B unload --pin "$BKP"
fi

ip netns del "$NS_A"; ip netns del "$NS_B"
leak_check "no prog/link/pin leaked" "$TMP/ours.before" our_ids
