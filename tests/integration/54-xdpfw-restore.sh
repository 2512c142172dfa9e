#!/bin/bash
# xdpfw restore and the systemd unit: `make install` installs xdpfw@.service,
# systemd-analyze verify accepts it; a simulated reboot (pins purged, the
# firewall gone from the interface) followed by the unit's ExecStart line
# (installed paths substituted, --netns added) brings back the saved rules and
# policy, and real traffic between two namespaces shows them in force. A
# missing or bad rules file fails and leaves the interface as it was, both
# after a reboot (nothing attached) and on a reload (old rules stay).
source "$(dirname "$0")/../lib.sh"
FW=$BINDIR/xdpfw
T="xdpfw restore"
need_root
command -v python3 >/dev/null || { skip "$T" "python3 missing"; exit 0; }
mk_pair || { fail "$T: netns setup"; exit 0; }
xdpfw_pin_dir restore
CONF=$TMP/etc/xdpfw; mkdir -p "$CONF"
PD=$((20000 + RANDOM % 5000)); PA=$((PD + 5000))

# ---- the unit, as make install writes it ---------------------------------
P=$TMP/prefix
if make -s -C "$ROOT" install-xdpfw-unit PREFIX="$P" SYSCONFDIR="$TMP/etc" >"$TMP/mk.log" 2>&1 &&
   [ -f "$P/lib/systemd/system/xdpfw@.service" ]; then pass "$T: make install installs xdpfw@.service"
else fail "$T: make install installs xdpfw@.service" "$(tail -3 "$TMP/mk.log")"; exit 0; fi
grep -q '^install: .*install-xdpfw-unit\|^install: install-xdpfw-unit' "$ROOT/apps/xdpfw/module.mk" &&
	pass "$T: install depends on install-xdpfw-unit" || fail "$T: install depends on install-xdpfw-unit"
# the unit stops with its device (BindsTo=) and, enabled, starts again
# when the device comes back (wanted by it)
grep -q '^BindsTo=sys-subsystem-net-devices-%i.device' "$P/lib/systemd/system/xdpfw@.service" &&
grep -q '^WantedBy=.*sys-subsystem-net-devices-%i.device' "$P/lib/systemd/system/xdpfw@.service" &&
	pass "$T: the unit follows its device (bound to it, wanted by it)" || fail "$T: the unit follows its device"
UNIT=$TMP/units/xdpfw@.service; mkdir -p "$TMP/units"
sed "s|$P/bin/xdpfw|$FW|g" "$P/lib/systemd/system/xdpfw@.service" >"$UNIT"
if command -v systemd-analyze >/dev/null; then
	if systemd-analyze verify "$TMP/units/xdpfw@$IF_B.service" >"$TMP/verify.out" 2>&1; then
		pass "$T: systemd-analyze verify xdpfw@$IF_B.service"
	else fail "$T: systemd-analyze verify" "$(head -3 "$TMP/verify.out" | tr '\n' ' ')"; fi
	sed "s|$P/bin/xdpfw|$FW|g" "$P/lib/systemd/system/xdpfw-metrics.service" >"$TMP/units/xdpfw-metrics.service"
	if systemd-analyze verify "$TMP/units/xdpfw-metrics.service" >"$TMP/verify2.out" 2>&1 &&
	   grep -q "^ExecStart=$FW metrics --listen 127.0.0.1:9435" "$TMP/units/xdpfw-metrics.service"; then
		pass "$T: systemd-analyze verify xdpfw-metrics.service"
	else fail "$T: systemd-analyze verify xdpfw-metrics.service" "$(head -3 "$TMP/verify2.out" | tr '\n' ' ')"; fi
	# the check can fail: a unit whose ExecStart is not executable is refused
	sed 's|^ExecStart=.*|ExecStart=/nonexistent/xdpfw restore %I|' "$UNIT" >"$TMP/units/xdpfwbad@.service"
	systemd-analyze verify "$TMP/units/xdpfwbad@$IF_B.service" >/dev/null 2>&1 &&
		fail "$T: verify refuses a broken unit" "it accepted it" || pass "$T: verify refuses a broken unit"
else
	skip "$T: systemd-analyze verify" "systemd-analyze missing"
fi
# the unit's lines with the installed paths substituted, for this namespace
unit_line() {	# unit_line KEY: the KEY= command with %I, the binary and --netns filled in
	sed -n "s/^$1=//p" "$UNIT" | sed -e "s|%I|$IF_B|g" -e "s|^$FW |$FW --netns $NS_B |"
}
START=$(unit_line ExecStart); RELOAD=$(unit_line ExecReload); STOP=$(unit_line ExecStop)
case "$START" in *"restore $IF_B --file $CONF/$IF_B.rules") pass "$T: ExecStart restores IFACE from SYSCONFDIR/xdpfw/IFACE.rules" ;;
	*) fail "$T: ExecStart line" "$START" ;; esac

# ---- a running firewall, saved ---------------------------------------------
cat >"$TMP/fw.rules" <<RULES
policy allow
deny src $IP_A proto udp dport $PD
allow src $IP_A proto udp dport $PA
RULES
check "$T: load" "${FWN[@]}" load "$IF_B" --mode native --rules "$TMP/fw.rules"
"$FW" save >"$CONF/$IF_B.rules"
check "$T: saved file checks" "$FW" check "$CONF/$IF_B.rules"

cat >"$TMP/recv.py" <<'PY'
import json, os, select, socket, sys, time
out, stop, ports = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3:]]
socks = {}
for p in ports:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", p)); socks[s] = p
open(out + ".ready", "w").close()
# until the senders are done (STOP exists) and nothing came for half a
# second, at most 18 s: not a fixed window a slow sender could outlast
counts, end, quiet = {str(p): 0 for p in ports}, time.time() + 18, 0
while time.time() < end and not (os.path.exists(stop) and quiet >= 5):
    ready = select.select(list(socks), [], [], 0.1)[0]
    quiet = 0 if ready else quiet + 1
    for s in ready:
        s.recv(2048); counts[str(socks[s])] += 1
json.dump(counts, open(out, "w"))
PY
traffic() {	# 20 datagrams to each port; counts in $TMP/counts
	rm -f "$TMP/counts" "$TMP/counts.ready" "$TMP/sent.done"
	ip netns exec "$NS_B" timeout 20 python3 "$TMP/recv.py" "$TMP/counts" "$TMP/sent.done" "$PD" "$PA" &
	local rpid=$!
	for _ in $(seq 100); do [ -e "$TMP/counts.ready" ] && break; sleep 0.1; done
	send_udp "$NS_A" "$IP_B" "$PD" 20; send_udp "$NS_A" "$IP_B" "$PA" 20
	touch "$TMP/sent.done"
	wait "$rpid"
}
got() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$TMP/counts" "$1"; }
xdp_on() { ip -n "$NS_B" link show "$IF_B" | grep -q 'prog/xdp'; }

# ---- reboot: pins gone, nothing attached ----------------------------------
"$FW" unload --all --purge
if [ ! -e "$XDPFW_PIN_DIR" ] && ! xdp_on; then pass "$T: simulated reboot: no pins, no XDP on $IF_B"
else fail "$T: simulated reboot" "pins or XDP left"; fi

# a missing or bad file: exit 1, one line, nothing attached, nothing pinned
expect_fail "$T: missing file refused" 1 "no saved rules for '$IF_B'.*nothing changed" \
	"${FWN[@]}" restore "$IF_B" --file "$CONF/none.rules"
printf 'policy allow\ndeny src 10.0.0.0/33\n' >"$TMP/bad.rules"
expect_fail "$T: bad file refused" 1 "bad.rules:2.*nothing changed on '$IF_B'" "${FWN[@]}" restore "$IF_B" --file "$TMP/bad.rules"
[ "$(wc -l <"$TMP/ef.err")" = 1 ] && pass "$T: bad file: one-line error" || fail "$T: bad file: one-line error" "$(cat "$TMP/ef.err")"
printf 'deny src 10.9.0.0/16\n' >"$TMP/nopolicy.rules"
expect_fail "$T: file without policy refused" 1 "no 'policy" "${FWN[@]}" restore "$IF_B" --file "$TMP/nopolicy.rules"
if [ ! -e "$XDPFW_PIN_DIR" ] && ! xdp_on; then pass "$T: refused restores left $IF_B as it was (no firewall)"
else fail "$T: refused restores left $IF_B as it was" "pins or XDP appeared"; fi
expect_fail "$T: unknown interface" 1 "not found" "${FWN[@]}" restore nosuch$UNIQ --file "$CONF/$IF_B.rules"

# the unit's ExecStart brings the rules back
if eval "$START" >"$TMP/start.out" 2>&1; then pass "$T: ExecStart after the reboot"
else fail "$T: ExecStart after the reboot" "$(tail -2 "$TMP/start.out" | tr '\n' ' ')"; fi
"$FW" save >"$TMP/after.rules"
cmp -s "$TMP/after.rules" "$CONF/$IF_B.rules" && xdp_on && pass "$T: saved rules and policy in force after restore" ||
	fail "$T: saved rules and policy in force" "$(diff "$CONF/$IF_B.rules" "$TMP/after.rules" | head -3 | tr '\n' ' ')"
traffic
if [ "$(got "$PD")" = 0 ] && [ "$(got "$PA")" -ge 19 ]; then pass "$T: traffic: denied port dropped, allowed port through"
else fail "$T: traffic after restore" "denied port got $(got "$PD"), allowed $(got "$PA")/20"; fi

# --mode and --max-rules are checked even when the firewall is already on
# IFACE (a reload does not use them, and says so): a unit's typo shows now
expect_fail "$T: reload: a bad --mode is refused" 2 "--mode is auto, native or skb, not 'bogus'" \
	"${FWN[@]}" restore "$IF_B" --file "$CONF/$IF_B.rules" --mode bogus
expect_fail "$T: reload: a bad --max-rules is refused" 2 "max-rules" \
	"${FWN[@]}" restore "$IF_B" --file "$CONF/$IF_B.rules" --max-rules abc
if "${FWN[@]}" restore "$IF_B" --file "$CONF/$IF_B.rules" --mode skb >"$TMP/rm.out" 2>"$TMP/rm.err" &&
   grep -q "note: the firewall is already on '$IF_B': a reload applies the rules and leaves --mode as loaded" "$TMP/rm.err"; then
	pass "$T: reload with --mode: applied, and says --mode is not"
else fail "$T: reload with --mode" "$(cat "$TMP/rm.out" "$TMP/rm.err")"; fi

# reload with a bad file: refused, the running rules stay
cp "$CONF/$IF_B.rules" "$TMP/good.rules"
printf 'policy deny\nallow src %s proto udp dport 70000\n' "$IP_A" >"$CONF/$IF_B.rules"
rc=0; eval "$RELOAD" >"$TMP/reload.out" 2>&1 || rc=$?
"$FW" save >"$TMP/after2.rules"
[ $rc = 1 ] && cmp -s "$TMP/after2.rules" "$TMP/good.rules" && xdp_on &&
	pass "$T: ExecReload with a bad file fails, running rules unchanged" ||
	fail "$T: ExecReload with a bad file" "rc $rc; $(head -2 "$TMP/reload.out" | tr '\n' ' ')"
traffic
[ "$(got "$PD")" = 0 ] && [ "$(got "$PA")" -ge 19 ] && pass "$T: still enforcing after the refused reload" ||
	fail "$T: still enforcing after the refused reload" "$(got "$PD") $(got "$PA")"

# reload with a changed file: applied atomically in place
printf 'policy allow\ndeny src %s proto udp dport %s\ndeny src %s proto udp dport %s\n' "$IP_A" "$PD" "$IP_A" "$PA" >"$CONF/$IF_B.rules"
check "$T: ExecReload applies a changed file" eval "$RELOAD"
traffic
[ "$(got "$PD")" = 0 ] && [ "$(got "$PA")" = 0 ] && pass "$T: the reloaded rules are in force" ||
	fail "$T: the reloaded rules are in force" "$(got "$PD") $(got "$PA")"

# a link detached behind xdpfw's back (bpftool link detach; the pin stays):
# the reload attaches again instead of applying to a firewall no packet meets
if bpftool link detach pinned "$XDPFW_PIN_DIR/link_$IF_B" 2>/dev/null && ! xdp_on; then
	rc=0; eval "$RELOAD" >"$TMP/reload3.out" 2>&1 || rc=$?
	[ $rc = 0 ] && xdp_on && pass "$T: ExecReload after the link was detached attaches again" ||
		fail "$T: ExecReload after the link was detached attaches again" \
			"rc $rc, XDP $(xdp_on && echo on || echo off): $(head -2 "$TMP/reload3.out" | tr '\n' ' ')"
else skip "$T: ExecReload after a detached link" "bpftool link detach is not available here"; fi

# the same for a load --multi pin whose program left the dispatcher (the
# interface made again, xdp-loader unload): a pinned program of no
# dispatcher stands in for it (this kernel has no freplace for libxdp)
if bpftool link detach pinned "$XDPFW_PIN_DIR/link_$IF_B" 2>/dev/null && ! xdp_on &&
   rm -f "$XDPFW_PIN_DIR/link_$IF_B" && bpftool prog load "$BPFDIR/xdp-pass.bpf.o" "$XDPFW_PIN_DIR/multi_$IF_B" 2>/dev/null; then
	rc=0; eval "$RELOAD" >"$TMP/reload4.out" 2>&1 || rc=$?
	[ $rc = 0 ] && xdp_on && ! grep -q "applied atomically" "$TMP/reload4.out" && [ ! -e "$XDPFW_PIN_DIR/multi_$IF_B" ] &&
		pass "$T: ExecReload over a stale load --multi pin attaches again" ||
		fail "$T: ExecReload over a stale load --multi pin attaches again" \
			"rc $rc, XDP $(xdp_on && echo on || echo off): $(head -2 "$TMP/reload4.out" | tr '\n' ' ')"
else skip "$T: ExecReload over a stale load --multi pin" "bpftool link detach or prog load is not available here"; fi

check "$T: ExecStop unloads" eval "$STOP"
xdp_on && fail "$T: nothing attached after ExecStop" || pass "$T: nothing attached after ExecStop"
