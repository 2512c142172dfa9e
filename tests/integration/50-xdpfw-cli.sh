#!/bin/bash
# xdpfw: --help everywhere, usage errors (exit 2), bad rules (exit 1, one line
# with file:line:col, nothing applied), a full rule map, an interface that
# already runs another XDP program, SSH lockout protection, unload/purge.
source "$(dirname "$0")/../lib.sh"
FW=$BINDIR/xdpfw

for c in load unload apply rule policy save check status top log; do
	check "xdpfw help: $c --help" "$FW" "$c" --help
done
check "xdpfw help: --help" "$FW" --help
if "$FW" --help | grep -q "longest source prefix"; then pass "xdpfw help states which rule wins"; else fail "xdpfw help states which rule wins"; fi

expect_fail "xdpfw usage: no command" 2 "Usage: xdpfw" "$FW"
expect_fail "xdpfw usage: unknown command" 2 "unknown command 'frob'" "$FW" frob
expect_fail "xdpfw usage: load without iface" 2 "missing the interface" "$FW" load
expect_fail "xdpfw usage: bad policy" 2 "allow or deny, not 'maybe'" "$FW" load lo --policy maybe
expect_fail "xdpfw usage: bad mode" 2 "--mode is auto, native or skb" "$FW" load lo --mode turbo
expect_fail "xdpfw usage: bad max-rules" 2 "--max-rules wants a positive number" "$FW" load lo --max-rules -5
expect_fail "xdpfw usage: rule verb" 2 "unknown verb 'frob'" "$FW" rule frob
expect_fail "xdpfw usage: unload nothing" 2 "give one interface or --all" "$FW" unload
expect_fail "xdpfw usage: top bad delay" 2 "--delay wants seconds" "$FW" top -d 0

# rule files with errors: exact position, one line, nothing applied
{ echo "policy deny"; for i in $(seq 2 36); do echo "allow src 10.$i.0.0/16 proto tcp dport $i"; done
  echo "deny src 10.99.0.0/16 proto tcp dport 70000"; } >"$TMP/line37.rules"
expect_fail "xdpfw bad rules: error on line 37" 1 "line37.rules:37:39: port 70000 out of range \(0-65535\); nothing loaded" \
	"$FW" --pin-dir /sys/fs/bpf/xdpfw-none-$UNIQ load lo --rules "$TMP/line37.rules"
if [ ! -e /sys/fs/bpf/xdpfw-none-$UNIQ ]; then pass "xdpfw bad rules: nothing loaded"; else fail "xdpfw bad rules: nothing loaded" "state dir exists"; fi
bad() { printf '%b' "$2" >"$TMP/bad.rules"; expect_fail "xdpfw bad rules: $1" 1 "$3" "$FW" check "$TMP/bad.rules"; }
bad "bad CIDR" 'allow\ndeny src 10.0.0.0/33\n' 'bad.rules:2:19: prefix length .33. out of range'
bad "host bits" 'deny src 10.0.0.1/8\n' 'bad.rules:1:10: .10.0.0.1/8. has host bits set \(the network is 10.0.0.0/8\)'
bad "not an address" 'deny dst 300.1.1.1\n' 'bad.rules:1:10: .300.1.1.1. is not an IPv4 or IPv6 address'
bad "port 70000" 'deny proto udp dport 70000\n' 'bad.rules:1:22: port 70000 out of range'
bad "unknown protocol" 'deny proto sctp\n' "bad.rules:1:12: unknown protocol 'sctp'"
bad "duplicate rule" 'deny src 1.2.3.4\nallow\ndeny src 1.2.3.4/32\n' "bad.rules:3:1: 'deny src 1.2.3.4/32' duplicates line 1"
bad "contradictory rule" 'deny src 1.2.3.4 proto tcp\nallow src 1.2.3.4 proto tcp\n' "bad.rules:2:1: .* contradicts line 1"
bad "mixed families" 'deny src ::1 dst 1.2.3.4\n' 'bad.rules:1:18: source is IPv6 but destination is IPv4'
bad "ports without tcp/udp" 'deny proto icmp dport 3\n' 'ports need proto tcp or udp'
bad "binary junk" '\x7fELF\x02\x01' 'bad.rules:1:1: unexpected character 0x7f'
expect_fail "xdpfw bad rules: missing file" 1 "/nonexistent.rules: No such file" "$FW" check /nonexistent.rules
printf 'policy deny\nallow src 10.0.0.0/8 proto tcp dport 22\n' >"$TMP/ok.rules"
check "xdpfw check: good file" "$FW" check "$TMP/ok.rules"
expect_fail "xdpfw: not loaded" 1 "not loaded: no firewall state under '/sys/fs/bpf/xdpfw-none-$UNIQ'" \
	"$FW" --pin-dir /sys/fs/bpf/xdpfw-none-$UNIQ status
expect_fail "xdpfw: unknown interface" 1 "interface 'nope$UNIQ' not found" "$FW" load "nope$UNIQ"

need_root
# our own ids only (other tests load programs concurrently)
fw_ids() { ids_named xdpfw; }
fw_ids >"$TMP/ids.before"
mk_pair || { fail "xdpfw: netns setup"; exit 0; }
export XDPFW_PIN_DIR=/sys/fs/bpf/xdpfw-cli-$UNIQ
on_exit "rm -rf $XDPFW_PIN_DIR"
on_exit "$FW unload --all --purge"
FWN=("$FW" --netns "$NS_B")

# state pinned by another xdpfw version (here: a cfg map and nothing else):
# named as such, never taken for "not loaded" or silently reused
OLD=/sys/fs/bpf/xdpfw-old-$UNIQ
on_exit "rm -rf $OLD"
if mkdir -p "$OLD" && bpftool map create "$OLD/xdpfw_cfg" type array key 4 value 8 entries 1 name xdpfw_cfg; then
	expect_fail "xdpfw other version's state: status" 1 "from another xdpfw version.*unload --all --purge" \
		"$FW" --pin-dir "$OLD" status
	expect_fail "xdpfw other version's state: load" 1 "from another xdpfw version" "$FW" --pin-dir "$OLD" --netns "$NS_B" load "$IF_B"
	check "xdpfw other version's state: purge" "$FW" --pin-dir "$OLD" unload --all --purge
	if [ ! -e "$OLD" ]; then pass "xdpfw other version's state: purged"; else fail "xdpfw other version's state: purged" "$(ls "$OLD")"; fi
else
	fail "xdpfw other version's state: setup" "bpftool map create failed"
fi

# an interface already running another XDP program
ip -n "$NS_B" link set dev "$IF_B" xdp obj "$BPFDIR/xdp-pass.bpf.o" sec xdp 2>/dev/null
expect_fail "xdpfw load: another XDP program on the interface" 1 "already attached.*--force|already attached" \
	"${FWN[@]}" load "$IF_B"
if [ ! -e "$XDPFW_PIN_DIR" ]; then pass "xdpfw load refused: nothing left pinned"; else fail "xdpfw load refused: nothing left pinned" "$(ls $XDPFW_PIN_DIR)"; fi
ip -n "$NS_B" link set dev "$IF_B" xdp off

# lockout: the SSH session's address would be denied
export SSH_CONNECTION="$IP_A 50022 $IP_B 22"
expect_fail "xdpfw lockout: deny policy without an allow" 1 "refusing: the deny policy drops your SSH session from $IP_A port 50022" \
	"${FWN[@]}" load "$IF_B" --policy deny
printf 'deny src %s\n' "$IP_A" >"$TMP/lock.rules"
expect_fail "xdpfw lockout: a rule denies the session" 1 "refusing: rule 'deny src $IP_A/32' denies your SSH session" \
	"${FWN[@]}" load "$IF_B" --rules "$TMP/lock.rules"
printf 'policy deny\nallow src %s proto tcp dport 22\n' "$IP_A" >"$TMP/ssh.rules"
check "xdpfw lockout: allowed session loads" "${FWN[@]}" load "$IF_B" --rules "$TMP/ssh.rules"
expect_fail "xdpfw lockout: rule del of the allow" 1 "refusing: the deny policy drops your SSH session" \
	"$FW" rule del allow src "$IP_A" proto tcp dport 22
# a narrower dport range does not beat the allow (22 is narrower than 20-30) ...
check "xdpfw lockout: a losing deny is fine" "$FW" rule add deny src "$IP_A" proto tcp dport 20-30
# ... a longer destination prefix does
expect_fail "xdpfw lockout: rule add deny" 1 "refusing: rule 'deny src $IP_A/32 dst $IP_B/32 proto tcp' denies" \
	"$FW" rule add deny src "$IP_A" dst "$IP_B" proto tcp
check "xdpfw lockout: --force overrides" "$FW" rule add --force deny src "$IP_A" dst "$IP_B" proto tcp
check "xdpfw lockout: remove it again" "$FW" rule del deny src "$IP_A" dst "$IP_B" proto tcp
unset SSH_CONNECTION
expect_fail "xdpfw load: twice on one interface" 1 "already loaded on '$IF_B'" "${FWN[@]}" load "$IF_B"

# rule add/del: bad input, duplicates, contradictions, ids
expect_fail "xdpfw rule add: bad CIDR" 1 "rule 'deny src 10.0.0.0/40': column 19: prefix length '40' out of range" "$FW" rule add deny src 10.0.0.0/40
expect_fail "xdpfw rule add: duplicate" 1 "duplicates rule" "$FW" rule add allow src "$IP_A" proto tcp dport 22
expect_fail "xdpfw rule add: contradiction" 1 "contradicts rule" "$FW" rule add deny src "$IP_A" proto tcp dport 22
expect_fail "xdpfw rule del: unknown id" 1 "no rule with id 4242" "$FW" rule del 4242
expect_fail "xdpfw rule del: unknown rule" 1 "no such rule" "$FW" rule del deny src 1.2.3.4
check "xdpfw rule add" "$FW" rule add deny src 192.0.2.0/24 proto udp dport 53 log
"$FW" save >"$TMP/save.out"
if diff <(printf 'policy deny\nallow src %s/32 proto tcp dport 22\ndeny src %s/32 proto tcp dport 20-30\ndeny src 192.0.2.0/24 proto udp dport 53 log\n' "$IP_A" "$IP_A") "$TMP/save.out" >/dev/null; then
	pass "xdpfw save prints the rule set"; else fail "xdpfw save prints the rule set" "$(tr '\n' '|' <"$TMP/save.out")"; fi
check "xdpfw apply reads save back" "$FW" apply --force "$TMP/save.out"
id=$("$FW" rule list -j | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if "192.0.2.0" in r["rule"]][0])')
check "xdpfw rule del by id" "$FW" rule del --force "$id"
if ! "$FW" save | grep -q 192.0.2.0; then pass "xdpfw rule del removed it"; else fail "xdpfw rule del removed it"; fi
"${FWN[@]}" status -j >"$TMP/st.json"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["policy"]=="deny" and d["rule_count"]==2 and d["interfaces"][0]["mode"] in ("native","skb")' "$TMP/st.json"; then
	pass "xdpfw status -j"; else fail "xdpfw status -j" "$(head -c 300 "$TMP/st.json")"; fi

# a second interface shares the rule set; unloading one keeps the other
ip -n "$NS_B" link add "dm$UNIQ" type veth peer name "dn$UNIQ" && ip -n "$NS_B" link set "dm$UNIQ" up && ip -n "$NS_B" link set "dn$UNIQ" up
check "xdpfw load: second interface" "${FWN[@]}" load "dm$UNIQ"
n=$("${FWN[@]}" status -j | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["interfaces"]))')
if [ "$n" -eq 2 ]; then pass "xdpfw status: two interfaces"; else fail "xdpfw status: two interfaces" "$n"; fi
check "xdpfw unload: one of two" "${FWN[@]}" unload "dm$UNIQ"
if ip -n "$NS_B" link show "$IF_B" | grep -q "prog/xdp"; then pass "xdpfw unload: the other interface keeps the firewall"
else fail "xdpfw unload: the other interface keeps the firewall" "$(ip -n "$NS_B" link show "$IF_B" | head -3)"; fi

# a full rule map: the old set stays
"$FW" unload --all --purge
check "xdpfw load small map" "${FWN[@]}" load "$IF_B" --max-rules 16 --rules "$TMP/ok.rules" --force
for i in $(seq 1 17); do echo "deny src 10.50.$i.0/24"; done >"$TMP/big.rules"
expect_fail "xdpfw apply: full rule map" 1 "rule map full|do not fit" "$FW" apply "$TMP/big.rules"
if "$FW" save | grep -q "dport 22"; then pass "xdpfw full map: old set kept"; else fail "xdpfw full map: old set kept"; fi

check "xdpfw unload" "$FW" unload "$IF_B"
expect_fail "xdpfw unload: not loaded there" 1 "not loaded on '$IF_B'" "$FW" unload "$IF_B"
if [ -e "$XDPFW_PIN_DIR/xdpfw_rules" ] && "$FW" save | grep -q "dport 22"; then pass "xdpfw unload keeps the rules"; else fail "xdpfw unload keeps the rules"; fi
check "xdpfw unload --purge" "$FW" unload --all --purge
if [ ! -e "$XDPFW_PIN_DIR" ]; then pass "xdpfw purge removes the state"; else fail "xdpfw purge removes the state" "$(ls "$XDPFW_PIN_DIR")"; fi
if ip -n "$NS_B" link show "$IF_B" | grep -q xdp; then fail "xdpfw detached" "$(ip -n "$NS_B" link show "$IF_B")"; else pass "xdpfw detached"; fi
leak_check "xdpfw cli: nothing left in the kernel" "$TMP/ids.before" fw_ids
