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
expect_fail "xdpfw usage: max-rules past what the tables can hold" 2 "--max-rules is at most" "$FW" load lo --max-rules 4000000
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
# warns NAME TEXT N PATTERN...: `check` takes TEXT (exit 0) and warns in N
# lines, among them one matching each PATTERN
warns() {
	local name=$1 text=$2 n=$3 ok=1; shift 3
	printf '%b' "$text" >"$TMP/warn.rules"
	"$FW" check "$TMP/warn.rules" >"$TMP/warn.out" 2>"$TMP/warn.err" || ok=0
	for p in "$@"; do grep -q -- "$p" "$TMP/warn.err" || ok=0; done
	[ "$(wc -l <"$TMP/warn.err")" -eq "$n" ] || ok=0
	[ $ok = 1 ] && pass "xdpfw check: $name" || fail "xdpfw check: $name" "$(cat "$TMP/warn.err")"
}
# a rule that only a written /0 tells from an earlier one never decides:
# warned about (sets of older versions held them; a restore must not fail)
warns "a rule only a /0 prefix tells apart is warned about, not refused" \
	'deny src 1.2.3.4\nallow src 1.2.3.4 dst 0.0.0.0/0\ndeny src ::/0 dst 2001:db8::/32\ndeny dst 2001:db8::/32\n' 2 \
	"warning: .*warn.rules:2:1: 'allow src 1.2.3.4/32 dst 0.0.0.0/0' matches the same packets as line 1" \
	"warn.rules:4:1: .* matches the same packets as line 3"
# a rule on an IPv4-mapped IPv6 address (::ffff:a.b.c.d) can never match:
# warned about with the IPv4 form to write, not refused
warns "a rule on an IPv4-mapped IPv6 address is warned about, with the IPv4 form" \
	'allow src ::ffff:10.0.0.1\ndeny dst ::ffff:10.9.0.0/112 proto tcp\ndeny src ::fffe:0:0/95\n' 2 \
	"warning: .*warn.rules:1:1: 'allow src ::ffff:10.0.0.1/128' never matches: .*(write 10.0.0.1/32)" \
	"warn.rules:2:1: .* never matches: .*(write 10.9.0.0/16)"
# every port with proto any is tcp and udp only (before 2026-12-02 every
# protocol): said, since a set written then now lets ICMP through
warns "'dport 0-65535' with proto any: warned that it is tcp and udp only" \
	'deny dport 0-65535\ndeny proto tcp dport 0-65535\ndeny src 10.0.0.0/8 dport any\n' 1 \
	"warning: .*warn.rules:1:1: 'deny dport 0-65535' matches tcp and udp only"
bad "a /0 twin still refuses its duplicate" 'deny src 1.2.3.4\nallow src 1.2.3.4 dst 0.0.0.0/0\ndeny src 1.2.3.4 dst 0.0.0.0/0\n' "bad.rules:3:1: .* contradicts line 2"
bad "mixed families" 'deny src ::1 dst 1.2.3.4\n' 'bad.rules:1:18: source is IPv6 but destination is IPv4'
bad "ports without tcp/udp" 'deny proto icmp dport 3\n' 'ports need proto tcp or udp'
printf '\xef\xbb\xbfpolicy deny\nallow src 10.0.0.0/8\n' >"$TMP/bom.rules"
check "xdpfw check: a UTF-8 byte-order mark at the start is skipped" "$FW" check "$TMP/bom.rules"
bad "a byte-order mark later is not" 'policy deny\n\xef\xbb\xbfallow\n' 'bad.rules:2:1: unexpected character 0xef'
# -j: a bad file's verdict is JSON on stdout too, besides the one-line error
printf 'allow src 1.2.3.4/33\n' >"$TMP/badj.rules"
rc=0; "$FW" check -j "$TMP/badj.rules" >"$TMP/badj.out" 2>"$TMP/badj.err" || rc=$?
if [ $rc = 1 ] && [ "$(wc -l <"$TMP/badj.err")" = 1 ] && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False and d["file"].endswith("badj.rules") and "1:19: prefix length" in d["error"], d' "$TMP/badj.out"
then pass "xdpfw check -j: a bad file gives {ok: false, error} and exit 1"
else fail "xdpfw check -j: a bad file" "rc $rc: $(cat "$TMP/badj.out" "$TMP/badj.err")"; fi
bad "binary junk" '\x7fELF\x02\x01' 'bad.rules:1:1: unexpected character 0x7f'
expect_fail "xdpfw bad rules: missing file" 1 "/nonexistent.rules: No such file" "$FW" check /nonexistent.rules
printf 'policy deny\nallow src 10.0.0.0/8 proto tcp dport 22\n' >"$TMP/ok.rules"
check "xdpfw check: good file" "$FW" check "$TMP/ok.rules"
printf 'deny src 0.0.0.0/0\nallow\n' >"$TMP/fam.rules"
check "xdpfw check: 'src 0.0.0.0/0' (IPv4) beside a rule for every family" "$FW" check "$TMP/fam.rules"
expect_fail "xdpfw: not loaded" 1 "not loaded: no firewall state under '/sys/fs/bpf/xdpfw-none-$UNIQ'" \
	"$FW" --pin-dir /sys/fs/bpf/xdpfw-none-$UNIQ status
expect_fail "xdpfw: unknown interface" 1 "interface 'nope$UNIQ' not found" "$FW" load "nope$UNIQ"

# unbounded input: bounded in time (timeout) and memory (the largest peak
# RSS of any process of the command, ASan build), refused with a one-line reason
bounded() {	# bounded NAME MAX_MIB PATTERN SHELL-CMD: exit 1, stderr PATTERN, peak RSS < MAX_MIB
	local name=$1 max=$2 pat=$3 cmd=$4 out
	out=$(timeout 60 python3 - "$cmd" "$TMP/bd.err" <<'PY'
import resource, subprocess, sys
with open(sys.argv[2], "w") as err:
    p = subprocess.run(["timeout", "40", "bash", "-c", sys.argv[1]], stdout=subprocess.DEVNULL, stderr=err)
print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PY
)
	local rc=${out% *} mib=${out#* }
	if [ "$rc" != 1 ]; then fail "$name" "exit ${rc:-?}, wanted 1 (124: timed out): $(head -c 200 "$TMP/bd.err")"
	elif ! grep -qE -- "$pat" "$TMP/bd.err"; then fail "$name" "stderr lacks /$pat/: $(head -c 200 "$TMP/bd.err")"
	elif [ "$(grep -c . "$TMP/bd.err")" -ne 1 ]; then fail "$name" "not one line: $(head -c 300 "$TMP/bd.err")"
	elif [ "$mib" -ge "$max" ]; then fail "$name" "peak RSS $mib MiB >= $max MiB"
	else pass "$name (peak $mib MiB)"; fi
}
export ASAN_OPTIONS_SMALL="$ASAN_OPTIONS:quarantine_size_mb=16"
bounded "xdpfw input bound: apply /dev/zero" 200 "/dev/zero:1:1: NUL byte: binary data, not a rules file" \
	"ASAN_OPTIONS=\$ASAN_OPTIONS_SMALL $FW --pin-dir /sys/fs/bpf/xdpfw-none-$UNIQ apply /dev/zero"
# random bytes: which error depends on them (an odd character, a NUL, a
# first word that is no keyword, no newline in 4096 bytes), but it names
# the file and line, and is one line
bounded "xdpfw input bound: check /dev/urandom" 200 "^xdpfw: /dev/urandom:[0-9]+(:[0-9]+)?: " \
	"ASAN_OPTIONS=\$ASAN_OPTIONS_SMALL $FW check /dev/urandom"
bounded "xdpfw input bound: endless rules on stdin" 1024 "-: more than 16 MiB of rules, the limit; stopped reading \(--max-size raises it\)" \
	"yes 'deny src 10.0.0.0/8 proto tcp dport 22' | ASAN_OPTIONS=\$ASAN_OPTIONS_SMALL $FW check -"
bounded "xdpfw input bound: endless line" 200 "-:1: line longer than 4096 characters" \
	"yes | tr -d '\\n' | ASAN_OPTIONS=\$ASAN_OPTIONS_SMALL $FW check -"
# a big file is refused before it is read; --max-size raises the bound
{ echo "deny src 10.0.0.0/8"; for i in $(seq 1 400); do printf '#%.0s' $(seq 1 100); echo; done; } >"$TMP/40k.rules"
expect_fail "xdpfw input bound: file over --max-size" 1 "40k.rules: [0-9]+ bytes, more than the 32 KiB a rules file may have \(--max-size raises the limit\)" \
	"$FW" check --max-size 32K "$TMP/40k.rules"
check "xdpfw input bound: --max-size raises it" "$FW" check --max-size 64K "$TMP/40k.rules"
expect_fail "xdpfw usage: bad --max-size" 2 "--max-size wants a size in bytes" "$FW" apply --max-size lots "$TMP/40k.rules"
if "$FW" check --help | grep -q -- "--max-size" && "$FW" apply --help | grep -q "16 MiB" && "$FW" load --help | grep -q -- "--max-size"; then
	pass "xdpfw input bound: --help states it"; else fail "xdpfw input bound: --help states it"; fi

# errors that say what happened
expect_fail "xdpfw bad rules: a directory" 1 "xdpfw: $TMP: is a directory, not a rules file" "$FW" check "$TMP"
bad "dport -1" 'deny proto udp dport -1\n' "bad.rules:1:22: '-1' is not a port or port range"

# one grammar: -j before the command, refused where there is no listing
expect_fail "xdpfw -j status (global -j) reaches status" 1 "not loaded: no firewall state" \
	"$FW" --pin-dir /sys/fs/bpf/xdpfw-none-$UNIQ -j status
expect_fail "xdpfw -j apply: refused" 2 "-j is for status, rule list, top, check, fleet status and publish --show; 'apply' has no JSON output" "$FW" -j apply "$TMP/ok.rules"
# -j before fleet status / publish --show is theirs (here they stop at the missing --etcd, not at -j)
expect_fail "xdpfw -j fleet status: -j taken" 2 "fleet status: missing --etcd URL" "$FW" -j fleet status
expect_fail "xdpfw -j publish --show: -j taken" 2 "publish: missing --etcd URL" "$FW" -j publish --show
expect_fail "xdpfw -j publish FILE: -j is for --show" 2 "publish: -j is for --show" "$FW" -j publish "$TMP/ok.rules" --etcd http://127.0.0.1:9 --key k
# a huge argument is echoed cut, not whole
big=$(printf '1%.0s' $(seq 5000))
"$FW" --pin-dir /sys/fs/bpf/xdpfw-none-$UNIQ rule add deny src "$big" 2>"$TMP/big.err"; rc=$?
[ $rc = 1 ] && [ "$(wc -l <"$TMP/big.err")" = 1 ] && [ "$(wc -c <"$TMP/big.err")" -lt 600 ] &&
	pass "xdpfw rule add: a 5000-character argument is echoed cut, one line" ||
	fail "xdpfw rule add: a 5000-character argument" "rc $rc, $(wc -c <"$TMP/big.err") bytes"
"$FW" --pin-dir /sys/fs/bpf/xdpfw-none-$UNIQ rule del "$(printf '9%.0s' $(seq 5000))" 2>"$TMP/big.err"; rc=$?
[ $rc = 2 ] && [ "$(wc -c <"$TMP/big.err")" -lt 300 ] && pass "xdpfw rule del: a 5000-digit id is echoed cut" ||
	fail "xdpfw rule del: a 5000-digit id" "rc $rc, $(wc -c <"$TMP/big.err") bytes"
# global options: a missing value is named; NAME=VALUE works
expect_fail "xdpfw --pin-dir without a value" 2 "--pin-dir DIR needs a value" "$FW" --pin-dir
expect_fail "xdpfw --pin-dir= empty" 2 "--pin-dir DIR needs a value" "$FW" --pin-dir= status
expect_fail "xdpfw --netns without a value" 2 "--netns NAME needs a value" "$FW" --netns
expect_fail "xdpfw --pin-dir=DIR" 1 "not loaded: no firewall state under '/sys/fs/bpf/xdpfw-eq-$UNIQ'" \
	"$FW" --pin-dir=/sys/fs/bpf/xdpfw-eq-$UNIQ status
expect_fail "xdpfw --pin-dirx: unknown, not a --pin-dir" 2 "unknown option '--pin-dirx'" "$FW" --pin-dirx /tmp status
# output that cannot be written is an error that says so
expect_fail "xdpfw check >/dev/full: says the output failed" 1 "writing the output failed: No space left on device" \
	bash -c '"$0" check "$1" >/dev/full' "$FW" "$TMP/ok.rules"
expect_fail "xdpfw -j rule add: refused" 2 "'rule add' has no JSON output" "$FW" -j rule add deny

need_root
# our own ids only: other tests load xdpfw programs concurrently
fw_ids() { own_ids xdpfw; }
fw_ids >"$TMP/ids.before"
mk_pair || { fail "xdpfw: netns setup"; exit 0; }
xdpfw_pin_dir cli

# other_version LABEL DIR: state under DIR pinned by another xdpfw version
# is named as such by status (opening it) and load (reusing its maps), never
# taken for "not loaded" or silently reused, and purge removes it
other_version() {
	expect_fail "xdpfw $1: status" 1 "from another xdpfw version.*unload --all --purge" "$FW" --pin-dir "$2" status
	expect_fail "xdpfw $1: load" 1 "from another xdpfw version" "$FW" --pin-dir "$2" --netns "$NS_B" load "$IF_B"
	check "xdpfw $1: purge" "$FW" --pin-dir "$2" unload --all --purge
	if [ ! -e "$2" ]; then pass "xdpfw $1: purged"; else fail "xdpfw $1: purged" "$(ls "$2")"; fi
}
# a cfg map and nothing else
OLD=/sys/fs/bpf/xdpfw-old-$UNIQ
on_exit "rm -rf $OLD"
if mkdir -p "$OLD" && bpftool map create "$OLD/xdpfw_cfg" type array key 4 value 8 entries 1 name xdpfw_cfg 2>"$TMP/old.err"; then
	other_version "other version's state" "$OLD"
else
	fail "xdpfw other version's state: setup" "bpftool map create failed: $(head -c 300 "$TMP/old.err")"
fi
# every map pinned, but the trie in the layout xdpfw had before its halves
# became one value each (16-entry blocks)
OLD2=/sys/fs/bpf/xdpfw-old2-$UNIQ
on_exit "rm -rf $OLD2"
if "$FW" --pin-dir "$OLD2" --netns "$NS_B" load "$IF_B" >/dev/null 2>&1 &&
   "$FW" --pin-dir "$OLD2" --netns "$NS_B" unload "$IF_B" >/dev/null 2>&1 &&
   rm -f "$OLD2/prog" "$OLD2/xdpfw_trie" &&
   bpftool map create "$OLD2/xdpfw_trie" type array key 4 value 64 entries 16384 name xdpfw_trie flags 1024; then
	other_version "old trie layout" "$OLD2"
else
	fail "xdpfw old trie layout: setup" "load, unload or bpftool map create failed"
fi
# every map pinned as the xdpfw before trie records pinned them: its trie
# map under its old name (that datapath would read a record as a chunk)
OLD3=/sys/fs/bpf/xdpfw-old3-$UNIQ
on_exit "rm -rf $OLD3"
if "$FW" --pin-dir "$OLD3" --netns "$NS_B" load "$IF_B" >/dev/null 2>&1 &&
   "$FW" --pin-dir "$OLD3" --netns "$NS_B" unload "$IF_B" >/dev/null 2>&1 &&
   mv "$OLD3/xdpfw_trie" "$OLD3/xdpfw_trie4"; then
	other_version "trie before records" "$OLD3"
else
	fail "xdpfw trie before records: setup" "load, unload or mv failed"
fi
# every map pinned, but one replaced (the first word: which) by another
# version's: the per-rule counters as the xdpfw before them pinned its own
# (a per-CPU array, xdpfw_counters: no map of this name), two counter maps
# of this name in other layouts (a per-CPU array; an mmapable array whose
# values hold too few slots), and a cfg, totals and definitions of other
# sizes (user space copies their values whole: a bigger one would overrun)
NCPU=$(awk -F'[-,]' '{ print $NF + 1 }' /sys/devices/system/cpu/possible)
n=4
for layout in "xdpfw_rulecnt xdpfw_counters percpu_array key 4 value 16 entries 131072" \
	      "xdpfw_rulecnt xdpfw_rulecnt percpu_array key 4 value 16 entries 131072" \
	      "xdpfw_rulecnt xdpfw_rulecnt array key 4 value 16 entries $NCPU flags 1024" \
	      "xdpfw_cfg xdpfw_cfg array key 4 value 4096 entries 1 flags 1024" \
	      "xdpfw_totals xdpfw_totals percpu_array key 4 value 32 entries 8" \
	      "xdpfw_rules xdpfw_rules array key 4 value 64 entries 65536 flags 1024"; do
	set -- $layout
	OLDN=/sys/fs/bpf/xdpfw-old$n-$UNIQ
	on_exit "rm -rf $OLDN"
	gone=$1 name=$2
	shift 2
	if "$FW" --pin-dir "$OLDN" --netns "$NS_B" load "$IF_B" >/dev/null 2>&1 &&
	   "$FW" --pin-dir "$OLDN" --netns "$NS_B" unload "$IF_B" >/dev/null 2>&1 &&
	   rm -f "$OLDN/prog" "$OLDN/$gone" &&
	   bpftool map create "$OLDN/$name" type "$@" name "$name"; then
		other_version "$name $1 value $5" "$OLDN"
	else
		fail "xdpfw $name $1 value $5: setup" "load, unload or bpftool map create failed"
	fi
	n=$((n + 1))
done

# an interface already running another XDP program
ip -n "$NS_B" link set dev "$IF_B" xdp obj "$BPFDIR/xdp-pass.bpf.o" sec xdp 2>/dev/null
expect_fail "xdpfw load: another XDP program on the interface" 1 "XDP program [0-9]+ .* is already attached \(.* mode\); use --replace to replace it" \
	"${FWN[@]}" load "$IF_B"
if [ ! -e "$XDPFW_PIN_DIR" ]; then pass "xdpfw load refused: nothing left pinned"; else fail "xdpfw load refused: nothing left pinned" "$(ls $XDPFW_PIN_DIR)"; fi
# --force (bpfkit's word) replaces it, as --replace does
check "xdpfw load --force replaces another XDP program" "${FWN[@]}" load "$IF_B" --force
if ip -n "$NS_B" -d link show "$IF_B" | grep -q "name xdpfw"; then pass "xdpfw load --force: xdpfw is attached"
else fail "xdpfw load --force: xdpfw is attached" "$(ip -n "$NS_B" -d link show "$IF_B" | grep prog)"; fi
"$FW" unload --all --purge

# state directory not on bpffs: said up front, as bpfkit load --pin does
mkdir -p "$TMP/notbpf"
expect_fail "xdpfw --pin-dir off bpffs: named" 1 "state directory '$TMP/notbpf/fw': '$TMP/notbpf' is not on a bpf filesystem" \
	"$FW" --pin-dir "$TMP/notbpf/fw" --netns "$NS_B" load "$IF_B"
if [ -z "$(ls -A "$TMP/notbpf")" ] && ! ip -n "$NS_B" link show "$IF_B" | grep -q xdp; then pass "xdpfw --pin-dir off bpffs: nothing left"
else fail "xdpfw --pin-dir off bpffs: nothing left" "$(ls -A "$TMP/notbpf")"; fi
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
# a link-local peer comes with its zone; an unreadable value is said, not skipped in silence
printf 'deny src fe80::/10\n' >"$TMP/ll.rules"
SSH_CONNECTION="fe80::1%eth0 50000 fe80::2%eth0 22" "$FW" check "$TMP/ll.rules" >/dev/null 2>"$TMP/ll.err"
grep -q "apply would refuse it from this session: rule 'deny src fe80::/10' denies your SSH session from fe80::1 " "$TMP/ll.err" &&
	pass "xdpfw lockout: a link-local SSH peer (with %zone) is checked" || fail "xdpfw lockout: link-local peer" "$(cat "$TMP/ll.err")"
SSH_CONNECTION="garbage" "$FW" check "$TMP/ll.rules" >/dev/null 2>"$TMP/ll.err"
grep -q "SSH_CONNECTION ('garbage') is not 'ADDR PORT ADDR PORT': the check .* is skipped" "$TMP/ll.err" &&
	pass "xdpfw lockout: an unreadable \$SSH_CONNECTION is said" || fail "xdpfw lockout: unreadable SSH_CONNECTION" "$(cat "$TMP/ll.err")"
# the program is shared by the interfaces: a second load's --log-rate is not
# applied, and says so (as --max-rules does)
if "${FWN[@]}" load lo --log-rate 5 >/dev/null 2>"$TMP/lr.err" && grep -q "note: --log-rate 5 is not applied" "$TMP/lr.err"; then
	pass "xdpfw load --log-rate on a second interface: says it is not applied"
else fail "xdpfw load --log-rate on a second interface" "$(cat "$TMP/lr.err")"; fi
# --purge with another interface still attached: nothing purged, and said
if "${FWN[@]}" unload lo --purge 2>"$TMP/up.err" && grep -q "note: --purge waits for the last interface: the firewall is still on 1" "$TMP/up.err" &&
   "${FWN[@]}" status >/dev/null 2>&1; then
	pass "xdpfw unload IFACE --purge with another interface left: state kept, and says so"
else fail "xdpfw unload IFACE --purge with another interface left" "$(cat "$TMP/up.err")"; fi
# a second firewall's state inside this one's directory: refused, nothing made
expect_fail "xdpfw --pin-dir inside another state: refused" 1 \
	"state directory '$XDPFW_PIN_DIR/inner/' is inside the xdpfw state in '$XDPFW_PIN_DIR'" \
	"$FW" --pin-dir "$XDPFW_PIN_DIR/inner/" --netns "$NS_B" load lo
if [ ! -e "$XDPFW_PIN_DIR/inner" ]; then pass "xdpfw --pin-dir inside another state: nothing made"
else fail "xdpfw --pin-dir inside another state: nothing made" "$(ls -A "$XDPFW_PIN_DIR/inner")"; fi
expect_fail "xdpfw --pin-dir inside another state, relative: refused" 1 \
	"state directory 'inner' is inside the xdpfw state in '$XDPFW_PIN_DIR'" \
	bash -c "cd '$XDPFW_PIN_DIR' && '$FW' --pin-dir inner --netns '$NS_B' load lo"
expect_fail "xdpfw --pin-dir around another state: refused" 1 \
	"state directory '$(dirname "$XDPFW_PIN_DIR")' holds another xdpfw state in '.*'" \
	"$FW" --pin-dir "$(dirname "$XDPFW_PIN_DIR")" --netns "$NS_B" load lo
# the same directory spelled another way is the same state, not one inside it
check "xdpfw --pin-dir DIR/. is DIR's state" "$FW" --pin-dir "$XDPFW_PIN_DIR/." --netns "$NS_B" load lo
check "xdpfw --pin-dir DIR/.: unload" "$FW" --netns "$NS_B" unload lo
# a state two levels down counts too
DEEP=/sys/fs/bpf/xdpfw-deep-$UNIQ
on_exit "rm -rf $DEEP"
mkdir -p "$DEEP/a"
check "xdpfw --pin-dir: a state two levels down loads" "$FW" --pin-dir "$DEEP/a/b" --netns "$NS_B" load lo
expect_fail "xdpfw --pin-dir around a state two levels down: refused" 1 \
	"state directory '$DEEP' holds another xdpfw state in '$DEEP/a/b'" \
	"$FW" --pin-dir "$DEEP" --netns "$NS_A" load lo
check "xdpfw --pin-dir: the deep state goes" "$FW" --pin-dir "$DEEP/a/b" --netns "$NS_B" unload --all --purge
expect_fail "xdpfw lockout: rule del of the allow" 1 "refusing: the deny policy drops your SSH session" \
	"$FW" rule del allow src "$IP_A" proto tcp dport 22
# a narrower dport range does not beat the allow (22 is narrower than 20-30) ...
check "xdpfw lockout: a losing deny is fine" "$FW" rule add deny src "$IP_A" proto tcp dport 20-30
# ... a longer destination prefix does
expect_fail "xdpfw lockout: rule add deny" 1 "refusing: rule 'deny src $IP_A/32 dst $IP_B/32 proto tcp' denies" \
	"$FW" rule add deny src "$IP_A" dst "$IP_B" proto tcp
check "xdpfw lockout: --force overrides" "$FW" rule add --force deny src "$IP_A" dst "$IP_B" proto tcp
check "xdpfw lockout: remove it again" "$FW" rule del deny src "$IP_A" dst "$IP_B" proto tcp
# check warns where apply would refuse (exit 0: it depends on the session);
# a file without a policy line runs under the loaded one (deny here)
printf 'deny src 192.0.2.0/24\n' >"$TMP/nopol.rules"
if "$FW" check "$TMP/lock.rules" 2>"$TMP/lw.err" >/dev/null && "$FW" check "$TMP/nopol.rules" 2>"$TMP/lw2.err" >/dev/null &&
   grep -q "warning: .*lock.rules: apply would refuse it from this session: rule 'deny src $IP_A/32' denies" "$TMP/lw.err" &&
   grep -q "nopol.rules: apply would refuse it .*the deny policy drops your SSH session" "$TMP/lw2.err" &&
   "$FW" check "$TMP/ssh.rules" 2>&1 >/dev/null | { ! grep -q warning; }; then
	pass "xdpfw lockout: check warns where apply would refuse"
else fail "xdpfw lockout: check warns where apply would refuse" "$(cat "$TMP/lw.err" "$TMP/lw2.err")"; fi
# sshd on a dual-stack socket names an IPv4 peer ::ffff:a.b.c.d: the session
# is IPv4 on the wire, and an IPv4 rule denying it is caught
if SSH_CONNECTION="::ffff:$IP_A 50022 ::ffff:$IP_B 22" "$FW" check "$TMP/lock.rules" 2>"$TMP/lw3.err" >/dev/null &&
   grep -q "apply would refuse it from this session: rule 'deny src $IP_A/32' denies your SSH session" "$TMP/lw3.err"; then
	pass "xdpfw lockout: an IPv4-mapped SSH peer is checked as IPv4"
else fail "xdpfw lockout: an IPv4-mapped SSH peer is checked as IPv4" "$(cat "$TMP/lw3.err")"; fi
unset SSH_CONNECTION
expect_fail "xdpfw load: twice on one interface" 1 "already loaded on '$IF_B'" "${FWN[@]}" load "$IF_B"

# rule add/del: bad input, duplicates, contradictions, ids
expect_fail "xdpfw rule add: bad CIDR" 1 "rule 'deny src 10.0.0.0/40': column 19: prefix length '40' out of range" "$FW" rule add deny src 10.0.0.0/40
sshid=$("$FW" rule list -j | python3 -c 'import json,sys; print([r["id"] for r in json.load(sys.stdin) if r["rule"].startswith("allow")][0])')
expect_fail "xdpfw rule add: duplicate names the rule's id" 1 "'allow src $IP_A/32 proto tcp dport 22' duplicates rule $sshid \('allow src" \
	"$FW" rule add allow src "$IP_A" proto tcp dport 22
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
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["policy"]=="deny" and d["rule_count"]==2 and d["interfaces"][0]["mode"] in ("native","skb") and d["trie_root_bits"]==16' "$TMP/st.json"; then
	pass "xdpfw status -j"; else fail "xdpfw status -j" "$(head -c 300 "$TMP/st.json")"; fi
"$FW" --netns "$NS_B" -j status >"$TMP/st2.json" 2>&1
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["rule_count"]==2 and d["max_rules"]==65536' "$TMP/st2.json"; then
	pass "xdpfw -j status (global -j) prints the JSON"; else fail "xdpfw -j status (global -j)" "$(head -c 300 "$TMP/st2.json")"; fi
# memory beside the tables: 2N slots of definitions (56 bytes) and, per CPU
# id (the possible list's highest + 1), of counters (16 bytes)
NCPU_IDS=$(awk -F'[-,]' '{ print $NF + 1 }' /sys/devices/system/cpu/possible)
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); n=int(sys.argv[2]); assert d["rule_def_bytes"]==2*65536*56 and d["counter_bytes_per_cpu"]==2*65536*16 and d["counter_cpus"]==n, d' "$TMP/st2.json" "$NCPU_IDS" &&
   "${FWN[@]}" status | grep -q "^memory: *rule definitions 7.3 MB, per-rule counters 2.1 MB per CPU$"; then
	pass "xdpfw status: definitions' and counters' memory"
else
	fail "xdpfw status: definitions' and counters' memory" "$(grep -o '"rule_def_bytes.*counter_cpus":[0-9]*' "$TMP/st2.json")"
fi
if "$FW" -j rule list | python3 -c 'import json,sys; assert len(json.load(sys.stdin)) == 2'; then pass "xdpfw -j rule list"
else fail "xdpfw -j rule list" "$("$FW" -j rule list 2>&1 | head -c 200)"; fi

# detached behind xdpfw's back: status says so, load attaches again
check "bpfkit unload --iface detaches xdpfw" "$BK" --netns "$NS_B" unload --iface "$IF_B"
if "${FWN[@]}" status | grep -q "$IF_B(detached)"; then pass "xdpfw status: detached"; else fail "xdpfw status: detached" "$("${FWN[@]}" status | sed -n 2p)"; fi
# the exporter counts it off too (XdpfwNotLoaded fires on xdpfw_interfaces == 0)
nif=$("$FW" metrics --once | awk '$1 == "xdpfw_interfaces" { print $2 }')
[ "$nif" = 0 ] && pass "xdpfw metrics: a detached link is no interface" || fail "xdpfw metrics: a detached link" "xdpfw_interfaces $nif"
check "xdpfw load re-attaches a detached interface" "${FWN[@]}" load "$IF_B"
nif=$("$FW" metrics --once | awk '$1 == "xdpfw_interfaces" { print $2 }')
[ "$nif" = 1 ] && pass "xdpfw metrics: re-attached, one interface" || fail "xdpfw metrics: re-attached" "xdpfw_interfaces $nif"
if "${FWN[@]}" status | grep -qE "$IF_B\((native|skb)\)" && ip -n "$NS_B" -d link show "$IF_B" | grep -q "name xdpfw" &&
   "$FW" save | grep -q "dport 22"; then pass "xdpfw load re-attached, rules kept"
else fail "xdpfw load re-attached, rules kept" "$("${FWN[@]}" status | sed -n 2p)"; fi
expect_fail "xdpfw load: attached is still 'already loaded'" 1 "already loaded on '$IF_B'" "${FWN[@]}" load "$IF_B"

# a second interface shares the rule set; unloading one keeps the other
ip -n "$NS_B" link add "dm$UNIQ" type veth peer name "dn$UNIQ" && ip -n "$NS_B" link set "dm$UNIQ" up && ip -n "$NS_B" link set "dn$UNIQ" up
check "xdpfw load: second interface" "${FWN[@]}" load "dm$UNIQ"
n=$("${FWN[@]}" status -j | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["interfaces"]))')
if [ "$n" -eq 2 ]; then pass "xdpfw status: two interfaces"; else fail "xdpfw status: two interfaces" "$n"; fi
check "xdpfw unload: one of two" "${FWN[@]}" unload "dm$UNIQ"
# a load on a second interface that cannot attach (another program there)
# is refused before it applies its rules: the first interface's set is
# never swapped (it used to be applied, then put back)
ip -n "$NS_B" link set dev "dm$UNIQ" xdp obj "$BPFDIR/xdp-pass.bpf.o" sec xdp 2>/dev/null
"$FW" save >"$TMP/before.rules"
printf 'policy allow\ndeny src 198.51.100.0/24\n' >"$TMP/other.rules"
expect_fail "xdpfw load: a second interface's failed load" 1 "already attached .*use --replace" "${FWN[@]}" load "dm$UNIQ" --rules "$TMP/other.rules"
if ! grep -q "is back" "$TMP/ef.err" && "$FW" save | cmp -s - "$TMP/before.rules"; then
	pass "xdpfw load: ... leaves the first interface's rule set as it was"
else fail "xdpfw load: a failed load leaves the rule set as it was" "$("$FW" save | head -3 | tr '\n' ' ')"; fi
ip -n "$NS_B" link set dev "dm$UNIQ" xdp off
if ip -n "$NS_B" link show "$IF_B" | grep -q "prog/xdp"; then pass "xdpfw unload: the other interface keeps the firewall"
else fail "xdpfw unload: the other interface keeps the firewall" "$(ip -n "$NS_B" link show "$IF_B" | head -3)"; fi
# two loads creating the state at once (two interfaces' units at boot):
# one creates it, the other waits on its lock and attaches to the same one
"$FW" unload --all --purge >/dev/null 2>&1
ok=0 why=""
for round in 1 2 3 4 5; do
	"${FWN[@]}" load "$IF_B" --rules "$TMP/ok.rules" >"$TMP/race1.out" 2>&1 & p1=$!
	"${FWN[@]}" load "dm$UNIQ" --rules "$TMP/ok.rules" >"$TMP/race2.out" 2>&1 & p2=$!
	r1=0 r2=0; wait $p1 || r1=$?; wait $p2 || r2=$?
	n=$("${FWN[@]}" status -j 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["interfaces"]))' 2>/dev/null)
	if [ $r1 = 0 ] && [ $r2 = 0 ] && [ "$n" = 2 ]; then ok=$((ok + 1))
	else why="round $round: exits $r1 $r2, $n interfaces: $(cat "$TMP/race1.out" "$TMP/race2.out" | tr '\n' ' ' | head -c 300)"; fi
	"$FW" unload --all --purge >/dev/null 2>&1
done
if [ $ok = 5 ]; then pass "xdpfw load: two at once on a fresh state share it (5 rounds)"
else fail "xdpfw load: two at once on a fresh state share it" "$ok/5; $why"; fi

# --max-rules N is one whole set: 600 rules swap for 600 others at N = 1000
"$FW" unload --all --purge
check "xdpfw --max-rules 1000: load" "${FWN[@]}" load "$IF_B" --max-rules 1000
for i in $(seq 1 600); do echo "deny src 10.61.$((i / 250)).$((i % 250)) proto udp dport $i"; done >"$TMP/s1.rules"
for i in $(seq 1 600); do echo "deny src 10.62.$((i / 250)).$((i % 250)) dst 10.63.0.0/16"; done >"$TMP/s2.rules"
for i in $(seq 1 1000); do echo "deny src 10.64.$((i / 250)).$((i % 250))"; done >"$TMP/s3.rules"
check "xdpfw --max-rules 1000: 600 rules" "$FW" apply "$TMP/s1.rules"
check "xdpfw --max-rules 1000: swapped for 600 others" "$FW" apply "$TMP/s2.rules"
check "xdpfw --max-rules 1000: swapped for 1000 others" "$FW" apply "$TMP/s3.rules"
check "xdpfw --max-rules 1000: and back to 600" "$FW" apply "$TMP/s1.rules"
if "$FW" status | grep -q "rules:      600 of 1000"; then pass "xdpfw status: rules N of max"; else fail "xdpfw status: rules N of max" "$("$FW" status | grep rules:)"; fi
{ cat "$TMP/s3.rules"; echo "deny src 10.65.0.1"; } >"$TMP/s4.rules"
expect_fail "xdpfw --max-rules 1000: 1001 refused, named" 1 "1001 rules do not fit: this firewall holds 1000 rules per set" "$FW" apply "$TMP/s4.rules"

# check --compile: the apply's own code on a scratch firewall sized like the
# loaded one; says what apply would say, touches nothing loaded, leaves nothing
check_out() { "$FW" check "$@" >"$TMP/ck.out" 2>"$TMP/ck.err"; }
gen_before=$("$FW" status | awk '/^generation:/ { print $2 }')
if check_out --compile "$TMP/s3.rules" && grep -q "fits --max-rules 1000 (the loaded firewall's): [1-9][0-9]* entries" "$TMP/ck.out"; then
	pass "xdpfw check --compile: fits, sized like the loaded firewall"
else fail "xdpfw check --compile: fits, sized like the loaded firewall" "$(cat "$TMP/ck.out" "$TMP/ck.err" | head -5)"; fi
expect_fail "xdpfw check --compile: 1001 rules do not fit, named" 1 "s4.rules: 1001 rules do not fit --max-rules 1000 \(the loaded firewall's\): a larger --max-rules" \
	"$FW" check --compile "$TMP/s4.rules"
check "xdpfw check --max-rules: a larger firewall takes them" "$FW" check --max-rules 2000 "$TMP/s4.rules"
# 400 hosts each with a destination rule beside 400 destination rules: each
# host's destination stage holds all 401, more than the class pool holds
for i in $(seq 0 399); do echo "allow dst 10.$((i / 256)).$((i % 256)).0/24"; echo "deny src 11.$((i / 256)).$((i % 256)).1 dst 12.0.0.1"; done >"$TMP/dcopies.rules"
expect_fail "xdpfw check --compile: a set the tables cannot hold, named" 1 "is full" "$FW" check --compile "$TMP/dcopies.rules"
if grep -q "dcopies.rules does not fit a firewall loaded with --max-rules 1000 (the loaded firewall's): a larger --max-rules" "$TMP/ef.err"; then
	pass "xdpfw check --compile: says what to change"; else fail "xdpfw check --compile: says what to change" "$(tr '\n' ' ' <"$TMP/ef.err")"; fi
expect_fail "xdpfw apply agrees with check: refused" 1 "is full.*nothing applied" "$FW" apply "$TMP/dcopies.rules"
"$FW" check -j --compile "$TMP/dcopies.rules" >"$TMP/dcj.out" 2>/dev/null
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["ok"] is False and "does not fit" in d["error"], d' "$TMP/dcj.out" 2>/dev/null &&
	pass "xdpfw check -j --compile: a set that does not fit gives {ok: false, error}" ||
	fail "xdpfw check -j --compile: a set that does not fit" "$(head -c 300 "$TMP/dcj.out")"
if check_out -j --compile "$TMP/s1.rules" && python3 - "$TMP/ck.out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["compiled"]
assert d["ok"] is True and d["rule_count"] == 600 and d["policy"] is None, d
assert c["max_rules"] == 1000 and c["sized_as"] == "the loaded firewall's", c
assert c["entries"] >= 600 and c["tables"]["classes"]["entries"] >= 600 and c["tables"]["trie"]["entries"] > 0, c
assert all(t["entries"] <= t["capacity_per_generation"] for t in c["tables"].values()), c
PY
then pass "xdpfw check -j --compile: tables and entries"; else fail "xdpfw check -j --compile: tables and entries" "$(head -c 300 "$TMP/ck.out")"; fi
# five checks and a refused apply later: the same generation (an apply by
# mistake would have switched it), the same set
if [ "$("$FW" status | awk '/^generation:/ { print $2 }')" = "$gen_before" ] && "$FW" status | grep -q "rules:      600 of 1000" &&
   "$FW" save | grep -q "dport 600$" && ! "$FW" save | grep -q "dst 12.0.0.1"; then
	pass "xdpfw check --compile: the loaded firewall untouched"
else fail "xdpfw check --compile: the loaded firewall untouched" "$("$FW" status | grep -E 'rules:|generation:') (was $gen_before)"; fi
# (its scratch firewalls are unpinned: the leak check at the end counts them)
"$FW" --pin-dir /sys/fs/bpf/xdpfw-none-$UNIQ check --compile "$TMP/ok.rules" >"$TMP/ck.out" 2>&1
if grep -q "fits --max-rules 65536 (a new load's default)" "$TMP/ck.out" && [ ! -e /sys/fs/bpf/xdpfw-none-$UNIQ ]; then
	pass "xdpfw check --compile: no firewall loaded: a new load's size, no state made"
else fail "xdpfw check --compile: no firewall loaded: a new load's size, no state made" "$(head -3 "$TMP/ck.out")"; fi
expect_fail "xdpfw check: --max-rules 0" 2 "--max-rules wants a positive number, not '0'" "$FW" check --max-rules 0 "$TMP/ok.rules"
expect_fail "xdpfw check: --max-rules too large" 2 "--max-rules is at most" "$FW" check --max-rules 99999999 "$TMP/ok.rules"
if command -v setpriv >/dev/null; then
	expect_fail "xdpfw check --compile unprivileged: says it needs root" 1 "which failed: .*needs root, or CAP_BPF and CAP_NET_ADMIN" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$FW" check --compile - <"$TMP/ok.rules"
	check "xdpfw check unprivileged: parsing needs no root" setpriv --reuid=65534 --regid=65534 --clear-groups "$FW" check - <"$TMP/ok.rules"
else
	skip "xdpfw check --compile unprivileged" "no setpriv"
fi
"$FW" unload --all --purge

# a full rule map: the old set stays
check "xdpfw load small map" "${FWN[@]}" load "$IF_B" --max-rules 16 --rules "$TMP/ok.rules" --force
for i in $(seq 1 17); do echo "deny src 10.50.$i.0/24"; done >"$TMP/big.rules"
expect_fail "xdpfw apply: full rule map" 1 "rule map full|do not fit" "$FW" apply "$TMP/big.rules"
if "$FW" save | grep -q "dport 22"; then pass "xdpfw full map: old set kept"; else fail "xdpfw full map: old set kept"; fi

# unload --all with an attachment it cannot detach (here a stray directory
# where a --multi pin would be): the others are detached, it says which and
# exits 1, and nothing is purged
mkdir "$XDPFW_PIN_DIR/multi_bogus0"
expect_fail "xdpfw unload --all: an attachment it cannot read" 1 "multi_bogus0.*remove it by hand" \
	"$FW" unload --all --purge
if grep -q "1 attachment could not be detached.*nothing purged" "$TMP/ef.err" && [ -e "$XDPFW_PIN_DIR/xdpfw_rules" ] &&
   ! ip -n "$NS_B" link show "$IF_B" | grep -q xdp; then
	pass "xdpfw unload --all: the rest detached, the state kept"
else fail "xdpfw unload --all: the rest detached, the state kept" "$(cat "$TMP/ef.err"; ls "$XDPFW_PIN_DIR")"; fi
expect_fail "xdpfw unload IFACE: an attachment it cannot read" 1 "multi_bogus0.*remove it by hand" \
	"$FW" unload bogus0
rmdir "$XDPFW_PIN_DIR/multi_bogus0"
check "xdpfw load again after the failed unload" "${FWN[@]}" load "$IF_B"

check "xdpfw unload" "$FW" unload "$IF_B"
expect_fail "xdpfw unload: not loaded there" 1 "not loaded on '$IF_B'" "$FW" unload "$IF_B"
if [ -e "$XDPFW_PIN_DIR/xdpfw_rules" ] && "$FW" save | grep -q "dport 22"; then pass "xdpfw unload keeps the rules"; else fail "xdpfw unload keeps the rules"; fi
# a datapath loaded over kept tables (an earlier load's, maybe an earlier
# version's layout) gets them written again from the kept rules: the
# generation moves on, the rules stay
gen_of() { "$FW" status | awk '/^generation:/ { print $2 }'; }
g1=$(gen_of)
check "xdpfw load over kept rules" "${FWN[@]}" load "$IF_B"
g2=$(gen_of)
if [ -n "$g1" ] && [ "$g1" != "$g2" ] && "$FW" save | grep -q "dport 22"; then
	pass "xdpfw load over kept rules: written again for the new datapath (generation $g1 -> $g2)"
else fail "xdpfw load over kept rules: written again" "generation $g1 -> $g2"; fi
check "xdpfw unload (again)" "$FW" unload "$IF_B"
# ... and when that load then fails (another program on the interface),
# the kept rules stay as unload left them: only a first load leaves nothing
ip -n "$NS_B" link set dev "$IF_B" xdp obj "$BPFDIR/xdp-pass.bpf.o" sec xdp 2>/dev/null
expect_fail "xdpfw load over kept rules, refused" 1 "already attached .*use --replace" "${FWN[@]}" load "$IF_B"
if "$FW" save | grep -q "dport 22" && [ ! -e "$XDPFW_PIN_DIR/prog" ]; then pass "xdpfw load over kept rules, refused: the rules stay"
else fail "xdpfw load over kept rules, refused: the rules stay" "$(ls "$XDPFW_PIN_DIR" 2>&1 | tr '\n' ' ')"; fi
ip -n "$NS_B" link set dev "$IF_B" xdp off
check "xdpfw unload --purge" "$FW" unload --all --purge
if [ ! -e "$XDPFW_PIN_DIR" ]; then pass "xdpfw purge removes the state"; else fail "xdpfw purge removes the state" "$(ls "$XDPFW_PIN_DIR")"; fi
if ip -n "$NS_B" link show "$IF_B" | grep -q xdp; then fail "xdpfw detached" "$(ip -n "$NS_B" link show "$IF_B")"; else pass "xdpfw detached"; fi
leak_check "xdpfw cli: nothing left in the kernel" "$TMP/ids.before" fw_ids
