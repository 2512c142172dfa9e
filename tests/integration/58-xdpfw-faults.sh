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
export XDPFW_PIN_DIR=/sys/fs/bpf/xdpfw-faults-$UNIQ
on_exit "rm -rf $XDPFW_PIN_DIR"
on_exit "$FW unload --all --purge"
FWN=("$FW" --netns "$NS_B")
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
	elif [ "$rc" = 1 ] && grep -q '^xdpfw: ' <<<"$out"; then
		failed=$((failed + 1))
		grep -q 'loading the datapath failed' <<<"$out" && at_load=$((at_load + 1))
		[ -n "$(ls -A "$XDPFW_PIN_DIR" 2>/dev/null)" ] && left+=("$n:$(ls "$XDPFW_PIN_DIR" | head -3 | tr '\n' ' ')")
	else
		bad+=("$n:rc=$rc:$(tail -1 <<<"$out")")
	fi
	rm -rf "$XDPFW_PIN_DIR"
done
[ ${#crashed[@]} = 0 ] && pass "$T: no crash at any failure point ($failed failed, $loaded loaded)" ||
	fail "$T: no crash at any failure point" "${crashed[*]}"
[ ${#bad[@]} = 0 ] && pass "$T: every failure is exit 1 with an xdpfw: error" ||
	fail "$T: every failure is exit 1 with an xdpfw: error" "${bad[*]}"
[ "$at_load" -gt 0 ] && pass "$T: the program load itself was among the failure points ($at_load)" ||
	fail "$T: the program load itself was among the failure points" "none said 'loading the datapath failed'"
[ ${#left[@]} = 0 ] && pass "$T: a failed load leaves no pins" || fail "$T: a failed load leaves no pins" "${left[*]}"
leak_check "$T: nothing left in the kernel" "$TMP/before"
