#!/bin/bash
# tests/integration/41-prog-map.sh — `bpfkit prog show|list|dump` and `bpfkit
# map show|dump` against bpftool on programs loaded by bpftool (pinned under a
# unique bpffs path) and by bpfkit (`bpfkit run` inside a private network
# namespace, so the pids field is exercised). Cleans up; checks for leaks.
. "$(dirname "$0")/../lib.sh"
need_root
kernel_ids >"$TMP/ids.before"
CLANG=${CLANG:-clang}

PIN=/sys/fs/bpf/bk41-$UNIQ
mkdir -p "$PIN" && on_exit rm -rf "$PIN"

# A program whose name is longer than the kernel's 15 characters, and a map
# with BTF types, loaded by bpftool ("by others").
cat >"$TMP/long.bpf.c" <<'EOF'
#include <linux/bpf.h>
#define SEC(n) __attribute__((section(n), used))
struct pair { unsigned int a; unsigned short b; };
struct {
	int (*type)[BPF_MAP_TYPE_HASH];
	int (*max_entries)[8];
	unsigned int *key;
	struct pair *value;
} bk41_pairs SEC(".maps");
struct {
	int (*type)[BPF_MAP_TYPE_PERCPU_ARRAY];
	int (*max_entries)[1];
	unsigned int *key;
	unsigned long long *value;
} bk41_pcpu SEC(".maps");
static void *(*lookup)(void *map, const void *key) = (void *)1;
static __attribute__((noinline)) int bk41_verdict(struct pair *p)
{
	return p && p->a ? XDP_DROP : XDP_PASS;
}
SEC("xdp") int bk41_a_rather_long_program_name(struct xdp_md *ctx)
{
	unsigned int k = 7;

	return bk41_verdict(lookup(&bk41_pairs, &k));
}
char LICENSE[] SEC("license") = "GPL";
EOF
if ! $CLANG -target bpf -O2 -g -idirafter /usr/include/$(uname -m)-linux-gnu -c "$TMP/long.bpf.c" -o "$TMP/long.bpf.o" 2>"$TMP/cc.err"; then
	fail "test program builds" "$(head -3 "$TMP/cc.err" | tr '\n' ' ')"; exit 0
fi
if ! bpftool prog load "$TMP/long.bpf.o" "$PIN/long" pinmaps "$PIN/maps" 2>"$TMP/load.err"; then
	fail "bpftool loads the test program" "$(tail -2 "$TMP/load.err" | tr '\n' ' ')"; exit 0
fi
LONG_ID=$(bpftool prog show pinned "$PIN/long" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# A program loaded by bpfkit (load --pin in a private namespace; not `run`,
# which reads the global trace_pipe), and a process of ours holding an fd to
# it so the pids field has something to show.
mk_pair || { fail "netns setup" "mk_pair failed"; exit 0; }
if ! "$BK" --netns "$NS_A" load "$BPFDIR/xdp-pass.bpf.o" --iface "$IF_A" --pin "$PIN/bk" >"$TMP/load.out" 2>&1; then
	fail "bpfkit load --pin xdp_pass" "$(tail -3 "$TMP/load.out" | tr '\n' ' ')"; exit 0
fi
on_exit "$BK" --netns "$NS_A" unload --pin "$PIN/bk"
python3 - "$PIN/bk/progs/xdp_pass" <<'PY' &
import ctypes, ctypes.util, os, struct, sys, time
libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
path = ctypes.create_string_buffer(sys.argv[1].encode())
attr = ctypes.create_string_buffer(struct.pack("=QII", ctypes.addressof(path), 0, 0) + bytes(104))
fd = libc.syscall(321, 7, attr, ctypes.sizeof(attr))	# bpf(BPF_OBJ_GET)
if fd < 0:
    sys.exit("BPF_OBJ_GET: errno %d" % ctypes.get_errno())
import signal; signal.pause()	# until the test ends (killed on exit)
PY
HOLD_PID=$!
on_exit kill "$HOLD_PID"
RUN_ID= RUN_PID=$HOLD_PID
for _ in $(seq 50); do
	RUN_ID=$(grep -h '^prog_id:' /proc/"$HOLD_PID"/fdinfo/* 2>/dev/null | awk '{print $2}' | head -1)
	[ -n "$RUN_ID" ] && break
	sleep 0.1
done
[ -n "$RUN_ID" ] || { fail "a process holds the bpfkit-loaded program" "no prog fd in /proc/$HOLD_PID"; exit 0; }

# show -j agrees with bpftool on every field both print
cmp_show() {	# NAME ID
	"$BK" prog show -j id "$2" >"$TMP/bk.json" 2>"$TMP/bk.err"
	bpftool prog show -j id "$2" >"$TMP/bt.json"
	if python3 - "$TMP/bk.json" "$TMP/bt.json" >"$TMP/cmp.out" 2>&1 <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
common = [k for k in a if k in b and k not in ("run_time_ns", "run_cnt")]
need = {"id", "type", "name", "tag", "gpl_compatible", "loaded_at", "uid", "bytes_xlated",
        "jited", "bytes_jited", "bytes_memlock", "btf_id"} | ({"map_ids"} & set(b))
missing = need - set(a)
if missing:
    sys.exit("bpfkit lacks %s" % sorted(missing))
# the pids field is two snapshots taken apart: short-lived listers (another
# test's bpftool or bpfkit listing) may hold every program for a moment
norm = lambda k, v: sorted((p for p in v if p.get("comm") not in ("bpftool", "bpfkit")), key=lambda p: p["pid"]) if k == "pids" else v
diff = [(k, a[k], b[k]) for k in common if norm(k, a[k]) != norm(k, b[k])]
if diff:
    sys.exit("differ: %s" % diff)
print(len(common), "fields")
PY
	then pass "prog show -j = bpftool prog show -j: $1 ($(cat "$TMP/cmp.out"))"
	else fail "prog show -j = bpftool: $1" "$(tail -1 "$TMP/cmp.out") $(head -1 "$TMP/bk.err")"; fi
}
cmp_show "loaded by bpftool, long name" "$LONG_ID"
cmp_show "loaded by bpfkit (load --pin), held by a process" "$RUN_ID"

if "$BK" prog show id "$LONG_ID" | grep -q "name bk41_a_rather_long_program_name "; then
	pass "prog show gives the full BTF name, not the kernel's 15 characters"
else
	fail "prog show full name" "$("$BK" prog show id "$LONG_ID" | head -1)"
fi
if "$BK" prog show -j id "$RUN_ID" | grep -q "\"pid\":$RUN_PID,\"comm\":\"python3\"" &&
   "$BK" prog show id "$RUN_ID" | grep -q "name xdp_pass"; then
	pass "prog show lists the pid of the process holding the program"
else
	fail "prog show pids" "$("$BK" prog show -j id "$RUN_ID")"
fi
# list: every program bpftool lists (that still exists) is in ours
"$BK" prog list -j | python3 -c 'import json,sys; print("\n".join(str(p["id"]) for p in json.load(sys.stdin)))' | sort >"$TMP/ids.bk"
if grep -qx "$LONG_ID" "$TMP/ids.bk" && grep -qx "$RUN_ID" "$TMP/ids.bk"; then
	pass "prog list -j includes both programs"
else
	fail "prog list -j" "ids $LONG_ID/$RUN_ID missing"
fi
check "prog show name NAME" bash -c "'$BK' prog show name bk41_a_rather_long_program_name | grep -q '^$LONG_ID: xdp'"
TAG=$(bpftool prog show id "$LONG_ID" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["tag"])')
check "prog show tag HEX" bash -c "'$BK' prog show tag $TAG | grep -q '^$LONG_ID: xdp'"
check "prog show pinned PATH" bash -c "'$BK' prog show pinned '$PIN/long' | grep -q '^$LONG_ID: xdp'"

# dump xlated: map references and helper calls read as bpftool reads them
"$BK" prog dump xlated id "$LONG_ID" >"$TMP/xl.bk" 2>&1
bpftool prog dump xlated id "$LONG_ID" >"$TMP/xl.bt"
grep -oE '(map\[id:[0-9]+\](\[0\]\+[0-9]+)?|call [a-z_0-9]+#-?[0-9]+)' "$TMP/xl.bk" >"$TMP/xl.bk.refs"
grep -oE '(map\[id:[0-9]+\](\[0\]\+[0-9]+)?|call [a-z_0-9]+#-?[0-9]+)' "$TMP/xl.bt" >"$TMP/xl.bt.refs"
if [ -s "$TMP/xl.bt.refs" ] && diff -q "$TMP/xl.bk.refs" "$TMP/xl.bt.refs" >/dev/null &&
   [ "$(grep -c '^ *[0-9]*:' "$TMP/xl.bk")" -eq "$(grep -cE '^ *[0-9]+: \(' "$TMP/xl.bt")" ]; then
	pass "prog dump xlated: same instructions, map ids and helper names as bpftool"
else
	fail "prog dump xlated vs bpftool" "$(diff "$TMP/xl.bk.refs" "$TMP/xl.bt.refs" | head -3 | tr '\n' ' ')"
fi
if grep -q '^; .*return bk41_verdict(lookup(&bk41_pairs, &k));' "$TMP/xl.bk"; then
	pass "prog dump xlated interleaves source lines from the program's BTF line info"
else
	fail "prog dump xlated source lines" "$(grep '^;' "$TMP/xl.bk" | head -2 | tr '\n' ' ')"
fi
# jited: what bpfkit promises, whatever this kernel's JIT emits. Every
# function has an exit (a `ret`, or a jump out of it: the return thunk under
# CONFIG_MITIGATION_RETHUNK/ITS is __x86_return_thunk, its_return_thunk, ...);
# calls and jumps that leave a function carry the kernel symbol there, the
# helper calls the very names bpftool shows in the translated code.
"$BK" prog dump jited id "$LONG_ID" >"$TMP/jit.bk" 2>&1
"$BK" prog dump jited -j id "$LONG_ID" >"$TMP/jit.json" 2>&1
if [ "$(bpftool prog show id "$LONG_ID" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["bytes_jited"])')" -eq 0 ]; then
	skip "prog dump jited" "the JIT is off (net.core.bpf_jit_enable=0)"
else
	if python3 - "$TMP/jit.json" <<'PY' 2>"$TMP/jx.err"
import json, sys
ins = json.load(open(sys.argv[1]))
funcs = {}
for i in ins:
    funcs.setdefault(i["func"], []).append(i)
assert len(funcs) == 2, "%d functions, wanted 2 (BPF-to-BPF call)" % len(funcs)
for f, body in funcs.items():
    assert any(i["insn"].split()[0] == "ret" or (i["insn"].split()[0] == "jmp" and "target" in i) for i in body), \
        "function %d has no ret and no jump out of it" % f
PY
	then pass "prog dump jited disassembles x86-64 (capstone): every function has its exit path"
	else fail "prog dump jited: exit path" "$(tail -1 "$TMP/jx.err") $(tail -2 "$TMP/jit.bk" | tr '\n' ' ')"; fi
	# names need the JIT's symbols in kallsyms (net.core.bpf_jit_kallsyms=1,
	# no hardening hiding them, addresses not hidden by kptr_restrict)
	if ! grep -q "^[0-9a-f]* t bpf_prog_${TAG}_" /proc/kallsyms; then
		skip "prog dump jited: names" "this kernel hides JIT symbols in /proc/kallsyms (bpf_jit_kallsyms, bpf_jit_harden, kptr_restrict)"
	elif grep -q "^bpf_prog_${TAG}_" "$TMP/jit.bk" &&
	     python3 - "$TMP/jit.json" "$TMP/xl.bt" <<'PY' 2>"$TMP/jn.err"
import json, re, sys
ins = json.load(open(sys.argv[1]))
helpers = set(re.findall(r"call ([A-Za-z_0-9.]+)#", open(sys.argv[2]).read()))
out = [i for i in ins if "target" in i]
assert out, "no call or jump leaves a function"
unnamed = [i["insn"] for i in out if not i.get("target_name")]
assert not unnamed, "unnamed targets: %s" % unnamed
assert all("<" + i["target_name"] in i["insn"] for i in out), "text lacks <name>"
called = {i["target_name"] for i in out if i["insn"].startswith("call")}
assert helpers and helpers <= called, "xlated calls %s, jited names %s" % (helpers, called)
assert any(n.startswith("bpf_prog_") for n in called), "the subprogram call is not named"
PY
	then pass "prog dump jited names every call and jump out of a function: helpers as in xlated ($(grep -oE 'call [A-Za-z_0-9.]+#' "$TMP/xl.bt" | sort -u | tr '\n' ' ')), the subprogram"
	else fail "prog dump jited: target names" "$(tail -1 "$TMP/jn.err")"; fi
fi
# CFG: DOT with one cluster per function, blocks, true/false edges; SVG and PNG through dot
"$BK" prog dump xlated id "$LONG_ID" --visual dot -o "$TMP/g.dot"
if grep -q 'subgraph cluster_0' "$TMP/g.dot" && grep -q 'subgraph cluster_1' "$TMP/g.dot" &&
   grep -q 'label="true"' "$TMP/g.dot" && grep -q 'call pc+[0-9]* <insn [0-9]*>' "$TMP/xl.bk" &&
   { ! command -v dot >/dev/null || dot -Tsvg "$TMP/g.dot" -o /dev/null; }; then
	pass "prog dump --visual dot: a cluster per function (BPF-to-BPF call), blocks, edges; graphviz accepts it"
else
	fail "prog dump --visual dot" "$(head -5 "$TMP/g.dot" | tr '\n' ' ')"
fi
# clusters are named after the functions (BTF func_info: the full names)
if grep -q 'label="bk41_a_rather_long_program_name (insn 0)"' "$TMP/g.dot" &&
   grep -qE 'label="bk41_verdict \(insn [1-9][0-9]*\)"' "$TMP/g.dot" && ! grep -q 'label="func_' "$TMP/g.dot"; then
	pass "prog dump --visual: clusters carry the functions' BTF names"
else
	fail "prog dump --visual: cluster names" "$(grep 'label="[^{]' "$TMP/g.dot" | head -3 | tr '\n' ' ')"
fi
# without BTF (no func_info) the clusters take the kernel symbols of the jited functions
cat >"$TMP/nobtf.bpf.c" <<'EOF'
#include <linux/bpf.h>
static __attribute__((noinline)) int bk41_nb_verdict(int x)
{
	return x > 10 ? XDP_DROP : XDP_PASS;
}
__attribute__((section("xdp"), used)) int bk41_nobtf(struct xdp_md *ctx)
{
	return bk41_nb_verdict(ctx->data_end - ctx->data);
}
char LICENSE[] __attribute__((section("license"), used)) = "GPL";
EOF
if $CLANG -target bpf -O2 -idirafter /usr/include/$(uname -m)-linux-gnu -c "$TMP/nobtf.bpf.c" -o "$TMP/nobtf.bpf.o" 2>"$TMP/nb.err" &&
   bpftool prog load "$TMP/nobtf.bpf.o" "$PIN/nobtf" 2>>"$TMP/nb.err" &&
   "$BK" prog dump xlated pinned "$PIN/nobtf" --visual dot -o "$TMP/nb.dot" 2>>"$TMP/nb.err"; then
	if ! grep -q "^[0-9a-f]* t bpf_prog_[0-9a-f]*_bk41_nobtf" /proc/kallsyms; then
		skip "prog dump --visual: kallsyms cluster names" "this kernel hides JIT symbols in /proc/kallsyms"
	elif grep -qE 'label="bpf_prog_[0-9a-f]{16}_bk41_nobtf \(insn 0\)"' "$TMP/nb.dot" &&
	   [ "$(grep -cE 'label="bpf_prog_[0-9a-f]{16}_[A-Za-z0-9_]+ \(insn [0-9]+\)"' "$TMP/nb.dot")" -eq 2 ]; then
		pass "prog dump --visual: without BTF, clusters carry the kernel symbols"
	else
		fail "prog dump --visual: kallsyms cluster names" "$(grep 'label="[^{]' "$TMP/nb.dot" | head -3 | tr '\n' ' ')"
	fi
else
	fail "prog dump --visual without BTF" "$(tail -2 "$TMP/nb.err" | tr '\n' ' ')"
fi
if command -v dot >/dev/null; then
	"$BK" prog dump xlated id "$LONG_ID" --visual png -o "$TMP/g.png" &&
	[ "$(head -c 4 "$TMP/g.png" | od -An -c | tr -d ' ')" = "211PNG" ] &&
	"$BK" prog dump xlated id "$LONG_ID" --visual svg -o "$TMP/g.svg" && grep -q '<svg' "$TMP/g.svg" &&
		pass "prog dump --visual png/svg render through graphviz" || fail "prog dump --visual png/svg" "no PNG/SVG written"
	mkdir -p "$TMP/nodot"
	ln -sf "$(command -v env)" "$TMP/nodot/env"
	expect_fail "prog dump --visual png without graphviz" 1 "graphviz's 'dot' is not installed" \
		env PATH="$TMP/nodot" "$BK" prog dump xlated id "$LONG_ID" --visual png -o "$TMP/g2.png"
else
	skip "prog dump --visual png/svg" "graphviz not installed"
fi

# maps: show agrees with bpftool; dump prints BTF-typed entries
MAP_ID=$(bpftool map show pinned "$PIN/maps/bk41_pairs" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
bpftool map update id "$MAP_ID" key 7 0 0 0 value 5 0 0 0 9 0 0 0
"$BK" map show -j id "$MAP_ID" >"$TMP/m.bk"; bpftool map show -j id "$MAP_ID" >"$TMP/m.bt"
if python3 - "$TMP/m.bk" "$TMP/m.bt" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
keys = [k for k in ("id", "type", "name", "flags", "bytes_key", "bytes_value", "max_entries", "bytes_memlock", "frozen", "btf_id") if k in b]
bad = [(k, a.get(k), b[k]) for k in keys if a.get(k) != b[k]]
sys.exit("differ: %s" % bad if bad else 0)
PY
then pass "map show -j = bpftool map show -j"; else fail "map show -j vs bpftool" "$(cat "$TMP/m.bk")"; fi
out=$("$BK" map dump id "$MAP_ID")
if grep -q 'key: (unsigned int)7  value: (struct pair){.a = (unsigned int)5,.b = (unsigned short)9,}' <<<"$out"; then
	pass "map dump prints entries by their BTF types"
else
	fail "map dump BTF" "$out"
fi
if "$BK" map dump -j pinned "$PIN/maps/bk41_pairs" | python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d[0]["key"] == "07 00 00 00" and d[0]["value"] == "05 00 00 00 09 00 00 00", d
'; then pass "map dump -j: hex key/value"; else fail "map dump -j"; fi
ncpu=$(python3 -c 'import os; s=open("/sys/devices/system/cpu/possible").read().strip(); print(sum(int(b)-int(a)+1 if "-" in r else 1 for r in s.split(",") for a,b in [r.split("-") if "-" in r else (r,r)]))')
bpftool map update pinned "$PIN/maps/bk41_pcpu" key 0 0 0 0 value 42 0 0 0 0 0 0 0
out=$("$BK" map dump pinned "$PIN/maps/bk41_pcpu")
if [ "$(grep -c '^	cpu[0-9]*: (unsigned long long)42$' <<<"$out")" -eq "$ncpu" ]; then
	pass "map dump: per-CPU values, one per possible CPU ($ncpu)"
else
	fail "map dump per-CPU" "$(head -4 <<<"$out" | tr '\n' ' ')"
fi
check "map list includes the map" bash -c "'$BK' map list | grep -q '^$MAP_ID: hash  name bk41_pairs'"

# a name (or tag) several programs share: show lists each (-j: an array, as
# bpftool); what acts on one program refuses it and names the ids, rather
# than pick one. A second copy loaded like the first shares its program
# name, tag and map names.
if bpftool prog load "$TMP/long.bpf.o" "$PIN/long2" pinmaps "$PIN/maps2" 2>"$TMP/load2.err"; then
	LONG2_ID=$(bpftool prog show pinned "$PIN/long2" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	MAP2_ID=$(bpftool map show pinned "$PIN/maps2/bk41_pairs" -j | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
	for sel in "name bk41_a_rather_long_program_name" "tag $TAG"; do
		out=$("$BK" prog show $sel 2>&1)
		if grep -q "^$LONG_ID: xdp  name bk41_a_rather_long_program_name " <<<"$out" &&
		   grep -q "^$LONG2_ID: xdp  name bk41_a_rather_long_program_name " <<<"$out"; then
			pass "prog show ${sel%% *}: every program that has it ($LONG_ID, $LONG2_ID)"
		else fail "prog show ${sel%% *}: every program that has it" "$(grep -E '^[0-9]+:' <<<"$out" | tr '\n' ' ')"; fi
	done
	if "$BK" prog show -j name bk41_a_rather_long_program_name | python3 -c '
import json, sys
v = json.load(sys.stdin)
assert isinstance(v, list), type(v)
assert {int(a) for a in sys.argv[1:]} <= {p["id"] for p in v}, v' "$LONG_ID" "$LONG2_ID" 2>"$TMP/j2.err"
	then pass "prog show -j name: several matches are an array"
	else fail "prog show -j name: several matches are an array" "$(tail -1 "$TMP/j2.err")"; fi
	# (ids in order, the first 8 named: a concurrent run of this file may
	# hold more copies, and ours may fall in "and N more")
	ids="\(ids (([0-9]+, )*$LONG_ID, ([0-9]+, )*$LONG2_ID[,)]|([0-9]+, ){7}[0-9]+ and [0-9]+ more\))"
	expect_fail "prog dump: a shared name is refused, with the ids" 1 \
		"prog name 'bk41_a_rather_long_program_name': [0-9]+ programs have this name $ids.*choose one with 'id N'" \
		"$BK" prog dump xlated name bk41_a_rather_long_program_name
	expect_fail "prog dump: a shared tag is refused, with the ids" 1 "prog tag '$TAG': [0-9]+ programs have this tag $ids" \
		"$BK" prog dump jited tag "$TAG"
	expect_fail "log: a shared name is refused, with the ids" 1 "programs have this name $ids" \
		"$BK" log name bk41_a_rather_long_program_name --timeout 1
	out=$("$BK" map show name bk41_pairs 2>&1)
	grep -q "^$MAP_ID: hash  name bk41_pairs" <<<"$out" && grep -q "^$MAP2_ID: hash  name bk41_pairs" <<<"$out" &&
		pass "map show name: every map that has it" || fail "map show name: every map that has it" "$(tr '\n' ' ' <<<"$out")"
	expect_fail "map dump: a shared name is refused, with the ids" 1 \
		"map name 'bk41_pairs': [0-9]+ maps have this name \(ids ([0-9]+, )*$MAP_ID, ([0-9]+, )*$MAP2_ID[,)]" \
		"$BK" map dump name bk41_pairs
	rm -rf "$PIN/long2" "$PIN/maps2"
	# the copy gone, the name is ours alone again (or shared only with a
	# concurrent run's copies: refused, but no longer naming our copy)
	for _ in $(seq 50); do "$BK" prog dump xlated name bk41_a_rather_long_program_name >/dev/null 2>"$TMP/again.err" && break
		grep -q "have this name" "$TMP/again.err" && ! grep -qE "[ (]$LONG2_ID[,)]" "$TMP/again.err" && break; sleep 0.1; done
	! grep -qE "[ (]$LONG2_ID[,)]" "$TMP/again.err" && ! grep -q "not loaded" "$TMP/again.err" &&
		pass "prog dump: the copy gone, its id is no longer among the name's" ||
		fail "prog dump: the copy gone, its id is no longer among the name's" "$(cat "$TMP/again.err")"
else fail "bpftool loads a second copy" "$(tail -2 "$TMP/load2.err" | tr '\n' ' ')"; fi

# bad input: one-line errors, exit 1 (missing) or 2 (usage), never a crash
expect_fail "prog show: id that does not exist" 1 "prog id 4294967295: no such program" "$BK" prog show id 4294967295
expect_fail "prog show: pin that does not exist" 1 "pinned '$PIN/nope'" "$BK" prog show pinned "$PIN/nope"
expect_fail "prog show: map pin is not a program" 1 "not a program" "$BK" prog show pinned "$PIN/maps/bk41_pairs"
expect_fail "prog show: name not loaded" 1 "not loaded" "$BK" prog show name bk41_no_such_prog
expect_fail "prog show: bad selector" 1 "unknown selector" "$BK" prog show bogus 1
expect_fail "prog show: id not a number" 1 "not an id \(a number from 1" "$BK" prog show id abc
expect_fail "prog show: id past 32 bits" 1 "not an id" "$BK" prog show id 99999999999
# a negative id is not an unknown option '-1'
expect_fail "prog show: negative id" 1 "prog id '-1': not an id \(a number from 1" "$BK" prog show id -1
expect_fail "prog dump: negative id" 1 "prog id '-3': not an id" "$BK" prog dump xlated id -3
expect_fail "map show: negative id" 1 "map id '-5': not an id" "$BK" map show id -5
expect_fail "map dump: negative id" 1 "map id '-2': not an id" "$BK" map dump id -2
# list takes no PROG/MAP, and its errors name list, not show
expect_fail "prog list: an argument is refused" 2 "bpfkit prog list: unexpected argument 'foo' \(one program: bpfkit prog show PROG\)" \
	"$BK" prog list foo
expect_fail "map list: an argument is refused" 2 "bpfkit map list: unexpected argument 'id' \(one map: bpfkit map show MAP\)" \
	"$BK" map list id 1
expect_fail "prog dump: bad kind" 2 "unknown kind" "$BK" prog dump foo id 1
expect_fail "prog dump: bad --visual" 2 "--visual wants dot, svg or png" "$BK" prog dump xlated id "$LONG_ID" --visual gif
expect_fail "prog dump: png needs -o" 2 "needs -o FILE" "$BK" prog dump xlated id "$LONG_ID" --visual png
expect_fail "map dump: id that does not exist" 1 "map id 4294967295: no such map" "$BK" map dump id 4294967295
expect_fail "map dump: missing MAP" 2 "expected MAP" "$BK" map dump
if command -v setpriv >/dev/null; then
	expect_fail "prog list without privileges: says why" 1 "cannot list programs: Operation not permitted" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$BK" prog list
	expect_fail "map list without privileges: says why" 1 "cannot list maps: Operation not permitted" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$BK" map list
	# a name is found by listing: a refused list is said, not "not loaded"
	expect_fail "prog show name without privileges: says why" 1 \
		"prog name 'bk41_a_rather_long_program_name': cannot list programs: Operation not permitted" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$BK" prog show name bk41_a_rather_long_program_name
	expect_fail "map dump name without privileges: says why" 1 "map name 'bk41_pairs': cannot list maps: Operation not permitted" \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$BK" map dump name bk41_pairs
fi

kill "$HOLD_PID" 2>/dev/null; wait "$HOLD_PID" 2>/dev/null
"$BK" --netns "$NS_A" unload --pin "$PIN/bk" >/dev/null 2>&1
rm -rf "$PIN"
# Others' tests load programs concurrently, so check the ids this test made.
for _ in $(seq 50); do	# freed after an RCU grace period and deferred work
	left=
	bpftool prog show id "$LONG_ID" >/dev/null 2>&1 && left+=" prog $LONG_ID"
	bpftool prog show id "$RUN_ID" >/dev/null 2>&1 && left+=" prog $RUN_ID"
	bpftool map show id "$MAP_ID" >/dev/null 2>&1 && left+=" map $MAP_ID"
	[ -z "$left" ] && break; sleep 0.1
done
[ -z "$left" ] && pass "nothing this test loaded is left in the kernel" || fail "leak" "left:$left"
