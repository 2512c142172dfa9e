#!/bin/bash
# xdpfw load when the kernel refuses a bpf() call part way: strace fails
# every bpf() call from the Nth on (EPERM), for N across a whole first
# load. Each run either loads (the calls left to fail were not needed) or
# exits 1 with an error: never a crash (a failed program load once crashed
# in libbpf's close: the table maps it had been given at their real size),
# never pins left behind, nothing left in the kernel.
source "$(dirname "$0")/../lib.sh"
FW=$BINDIR/xdpfw
T="xdpfw faults"
need_root
command -v strace >/dev/null || { skip "$T" "strace missing (scripts/deps.sh installs it)"; exit 0; }
mk_pair || { fail "$T: netns setup"; exit 0; }
xdpfw_pin_dir faults
# LeakSanitizer cannot run under a tracer; the leak checks are the kernel's
kernel_ids >"$TMP/before"

calls=$(ASAN_OPTIONS=detect_leaks=0 strace -f -c -e trace=bpf "${FWN[@]}" load "$IF_B" 2>&1 >/dev/null |
	awk '$NF == "bpf" { print $4 }')
"${FWN[@]}" unload --all --purge >/dev/null 2>&1
if [ "${calls:-0}" -gt 20 ]; then pass "$T: a good load makes $calls bpf() calls"
else fail "$T: counting a good load's bpf() calls" "got '${calls:-}'"; exit 0; fi

crashed=() bad=() left=() loaded=0 failed=0 at_load=0
for ((n = 1; n <= calls; n += 2)); do
	out=$(ASAN_OPTIONS=detect_leaks=0 timeout 60 strace -f -o /dev/null -e inject=bpf:error=EPERM:when=$n+ \
		"${FWN[@]}" load "$IF_B" 2>&1)
	rc=$?
	if [ "$rc" -ge 124 ] || grep -q "AddressSanitizer\|runtime error" <<<"$out"; then
		crashed+=("$n:rc=$rc")
	elif [ "$rc" = 0 ]; then
		loaded=$((loaded + 1))
		"${FWN[@]}" unload --all --purge >/dev/null 2>&1
	elif [ "$rc" = 1 ] && [ -n "$out" ]; then
		failed=$((failed + 1))
		grep -q 'loading the datapath failed' <<<"$out" && at_load=$((at_load + 1))
		[ -e "$XDPFW_PIN_DIR" ] && left+=("$n:[$(ls "$XDPFW_PIN_DIR" | head -3 | tr '\n' ' ')]")
	else
		bad+=("$n:rc=$rc:$(tail -1 <<<"$out")")
	fi
	rm -rf "$XDPFW_PIN_DIR"
done
[ ${#crashed[@]} = 0 ] && pass "$T: no crash at any failure point ($failed failed, $loaded loaded)" ||
	fail "$T: no crash at any failure point" "${crashed[*]}"
[ ${#bad[@]} = 0 ] && pass "$T: every failure is exit 1 with an error" ||
	fail "$T: every failure is exit 1 with an error" "${bad[*]}"
[ "$at_load" -gt 0 ] && pass "$T: the program load itself was among the failure points ($at_load)" ||
	fail "$T: the program load itself was among the failure points" "none said 'loading the datapath failed'"
[ ${#left[@]} = 0 ] && pass "$T: a failed load leaves no pins, nor their directory" ||
	fail "$T: a failed load leaves no pins, nor their directory" "${left[*]}"
leak_check "$T: nothing left in the kernel" "$TMP/before"

# ---- a purge removes xdpfw's pins only ------------------------------------
# a --pin-dir shared with other tools (or /sys/fs/bpf itself) keeps what
# they pinned there, after a failed first load and after unload --purge
mkdir -p "$XDPFW_PIN_DIR"
bpftool map create "$XDPFW_PIN_DIR/foreign" type array key 4 value 4 entries 1 name bkforeign 2>/dev/null
out=$("${FWN[@]}" load lo --mode native 2>&1); rc=$?
if [ "$rc" = 1 ] && [ -e "$XDPFW_PIN_DIR/foreign" ] && [ -z "$(ls "$XDPFW_PIN_DIR" | grep -v '^foreign$')" ]; then
	pass "$T: a failed first load removes its own pins, not another tool's"
else fail "$T: a failed first load removes its own pins, not another tool's" "rc $rc, left: $(ls "$XDPFW_PIN_DIR" | tr '\n' ' ') — $out"; fi
check "$T: load beside another tool's pin" "${FWN[@]}" load "$IF_B"
out=$("${FWN[@]}" unload --all --purge 2>&1); rc=$?
if [ "$rc" = 0 ] && [ -e "$XDPFW_PIN_DIR/foreign" ] && [ "$(ls -A "$XDPFW_PIN_DIR")" = foreign ] &&
   grep -q "is kept: 1 entry in it is not xdpfw's" <<<"$out"; then
	pass "$T: unload --purge leaves another tool's pin and says why the directory stays"
else fail "$T: unload --purge leaves another tool's pin and says why the directory stays" "rc $rc, left: $(ls -A "$XDPFW_PIN_DIR" | tr '\n' ' ') — $out"; fi
rm -f "$XDPFW_PIN_DIR/foreign"; rmdir "$XDPFW_PIN_DIR" 2>/dev/null

# ---- readers and writers at once ------------------------------------------
# save while applies switch generations: always a whole set (a save that
# caught the old generation being cleared printed the policy alone, and a
# restore of it at boot is an empty set)
for i in $(seq 1 50); do echo "allow src 10.70.$i.0/24"; done >"$TMP/a50.rules"
for i in $(seq 1 60); do echo "allow src 10.71.$i.0/24"; done >"$TMP/b60.rules"
check "$T: load with 50 rules" "${FWN[@]}" load "$IF_B" --policy deny --rules "$TMP/a50.rules" --force
# (the applies go on until 12 saves are done, not for a fixed count a slow
# machine's saves may not keep up with; bounded by 90 s)
rm -f "$TMP/applies.stop"
( end=$((SECONDS + 90))
  while [ ! -e "$TMP/applies.stop" ] && [ $SECONDS -lt $end ]; do
	"${FWN[@]}" apply "$TMP/b60.rules" --force --quiet >/dev/null 2>&1
	"${FWN[@]}" apply "$TMP/a50.rules" --force --quiet >/dev/null 2>&1
  done ) &
applier=$!
partial=() saves=0
deadline=$((SECONDS + 90))
while [ $saves -lt 12 ] && kill -0 "$applier" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
	# every bpf() call of the save returns 20 ms late: the time between
	# reading which generation is in force and reading its rules, when an
	# apply may switch and clear it
	n=$(ASAN_OPTIONS=detect_leaks=0 strace -f -o /dev/null -e inject=bpf:delay_exit=20000 \
		"${FWN[@]}" save 2>/dev/null | grep -c '^allow ')
	saves=$((saves + 1))
	[ "$n" = 50 ] || [ "$n" = 60 ] || partial+=("$n")
done
touch "$TMP/applies.stop"; wait "$applier" 2>/dev/null
if [ ${#partial[@]} = 0 ] && [ "$saves" -ge 12 ]; then pass "$T: $saves saves during applies, each a whole set"
else fail "$T: saves during applies are whole sets" "$saves saves, rule counts seen: ${partial[*]}"; fi

# a load (here onto a second interface, lo in generic mode) that changes
# only the policy reads the set in force under the lock: a rule added while
# the load waits for it is kept (the load's flock is held back 2 s by
# strace, the rule add runs in that time)
check "$T: back to 50 rules" "${FWN[@]}" apply "$TMP/a50.rules" --force --quiet
ASAN_OPTIONS=detect_leaks=0 timeout 60 strace -f -o /dev/null -e inject=flock:delay_enter=2000000:when=1 \
	"${FWN[@]}" load lo --mode skb --policy allow >"$TMP/slow.out" 2>&1 &
slow=$!
sleep 0.7
"${FWN[@]}" rule add allow src 10.72.0.0/16 >/dev/null 2>&1; addrc=$?
wait "$slow"; slowrc=$?
n=$("${FWN[@]}" save 2>/dev/null | grep -c '^allow ')
pol=$("${FWN[@]}" save 2>/dev/null | grep -c '^policy allow')
if [ "$addrc" = 0 ] && [ "$slowrc" = 0 ] && [ "$n" = 51 ] && [ "$pol" = 1 ]; then
	pass "$T: a rule added while a load waited for the lock is kept (51 rules, policy allow)"
else fail "$T: a rule added while a load waited for the lock is kept" "rule add rc $addrc, load rc $slowrc, $n rules, policy allow lines $pol: $(tail -2 "$TMP/slow.out")"; fi
"${FWN[@]}" unload --all --purge >/dev/null 2>&1
leak_check "$T: nothing left in the kernel after the concurrency checks" "$TMP/before"

# a state missing one of its maps (a first load killed while pinning them)
# is named as incomplete, not as another version's, and a purge clears it
check "$T: load for the incomplete-state check" "${FWN[@]}" load "$IF_B"
"${FWN[@]}" unload "$IF_B" >/dev/null 2>&1
rm -f "$XDPFW_PIN_DIR/xdpfw_ptab" "$XDPFW_PIN_DIR/prog"
out=$("${FWN[@]}" status 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "is incomplete" <<<"$out" && ! grep -q "another xdpfw version" <<<"$out" &&
	pass "$T: a state with a map missing is called incomplete" ||
	fail "$T: a state with a map missing is called incomplete" "rc $rc: $out"
check "$T: ... and unload --all --purge clears it" "${FWN[@]}" unload --all --purge
[ ! -e "$XDPFW_PIN_DIR" ] && pass "$T: ... nothing left of it" || fail "$T: ... nothing left of it" "$(ls "$XDPFW_PIN_DIR")"

# ---- refusals that come before anything changes ---------------------------
# a second interface's load that cannot attach (another program is there)
# is refused before its rules are applied: the first interface keeps its
# set and its rule's counter
check "$T: load with one deny rule" "${FWN[@]}" load "$IF_B" --rules <(echo "deny src $IP_A")
send_udp "$NS_A" "$IP_B" 9 3
before_pk=$("${FWN[@]}" status -j | python3 -c 'import json,sys; print(sum(r.get("packets", 0) for r in json.load(sys.stdin).get("rules", [])))')
ip -n "$NS_B" link set dev lo xdpgeneric obj "$BPFDIR/xdp-pass.bpf.o" sec xdp 2>/dev/null
for i in $(seq 1 20); do echo "allow src 10.73.$i.0/24"; done >"$TMP/other.rules"
out=$("${FWN[@]}" load lo --mode skb --rules "$TMP/other.rules" 2>&1); rc=$?
after_pk=$("${FWN[@]}" status -j | python3 -c 'import json,sys; print(sum(r.get("packets", 0) for r in json.load(sys.stdin).get("rules", [])))')
saved=$("${FWN[@]}" save | grep -c '^deny ')
if [ "$rc" = 1 ] && grep -q "already attached .*use --replace" <<<"$out" && [ "$saved" = 1 ] &&
   [ "${before_pk:-0}" -ge 3 ] && [ "$after_pk" = "$before_pk" ]; then
	pass "$T: a load refused on a second interface leaves the first one's rules and counters ($after_pk packets)"
else fail "$T: a load refused on a second interface leaves the first one's rules and counters" "rc $rc, $saved deny rules, packets $before_pk -> $after_pk: $out"; fi
ip -n "$NS_B" link set dev lo xdpgeneric off 2>/dev/null

# --max-rules given to a load that finds the state pinned: said, not ignored
out=$("${FWN[@]}" load lo --mode skb --max-rules 3000000 2>&1); rc=$?
grep -q "note: --max-rules 3000000 is not applied" <<<"$out" && pass "$T: a --max-rules the pinned state does not have is named" ||
	fail "$T: a --max-rules the pinned state does not have is named" "rc $rc: $out"
"${FWN[@]}" unload lo >/dev/null 2>&1

# --max-size: a value whose K/M/G shift would wrap is refused, not taken small
expect_usage() {	# NAME CMD...: exit 2, one line
	local name=$1 out rc; shift
	out=$("$@" 2>&1); rc=$?
	[ "$rc" = 2 ] && [ "$(grep -c . <<<"$out")" = 1 ] && pass "$name" || fail "$name" "rc $rc: $out"
}
expect_usage "$T: --max-size that would wrap is a usage error" "${FWN[@]}" apply "$TMP/other.rules" --max-size 18014398509481985K
expect_usage "$T: --max-size past 1 TiB is a usage error" "${FWN[@]}" apply "$TMP/other.rules" --max-size 2000G

# restore reads a saved set bigger than a hand-written file's 16 MiB bound
# (60000 rules fit the state's default --max-rules; a comment on each line
# takes the file past 16 MiB)
python3 -c '
print("policy allow")
for i in range(60000):
    print("deny src 10.%d.%d.%d/32 # %s" % (100 + i // 65536, i // 256 % 256, i % 256, "x" * 280))
' >"$TMP/big.rules"
size=$(stat -c %s "$TMP/big.rules")
out=$("${FWN[@]}" restore "$IF_B" --file "$TMP/big.rules" 2>&1); rc=$?
if [ "$size" -gt $((16 << 20)) ] && [ "$rc" = 0 ] && [ "$("${FWN[@]}" save | grep -c '^deny ')" = 60000 ]; then
	pass "$T: restore applies a saved set of $((size >> 20)) MiB"
else fail "$T: restore applies a saved set of $((size >> 20)) MiB" "rc $rc: $(tail -2 <<<"$out")"; fi
expect_usage "$T: restore --max-size is checked" "${FWN[@]}" restore "$IF_B" --file "$TMP/big.rules" --max-size x
out=$("${FWN[@]}" restore "$IF_B" --file "$TMP/big.rules" --max-size 1M 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "more than" <<<"$out" && pass "$T: restore --max-size bounds the read" ||
	fail "$T: restore --max-size bounds the read" "rc $rc: $out"
"${FWN[@]}" unload --all --purge >/dev/null 2>&1
leak_check "$T: nothing left in the kernel at the end" "$TMP/before"
