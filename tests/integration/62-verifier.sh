#!/bin/bash
# 62-verifier: one deliberately broken program per verifier error class
# (tests/data/verifier/); loading each must print the kernel's error, the
# failing instruction, the source file:line the file marks with
# "VERIFIER: <class>", and the plain-language hint of that class.
source "$(dirname "$0")/../lib.sh"
need_root
SRC=$ROOT/tests/data/verifier
OBJS=$BPFDIR/verifier
n=0
for src in "$SRC"/*.bpf.c; do
	name=$(basename "$src" .bpf.c); obj=$OBJS/$name.bpf.o
	[ -f "$obj" ] || { fail "verifier: $name" "$obj not built (make bpf)"; continue; }
	cls=$(grep -oE 'VERIFIER(-NOLINE)?: [a-z0-9-]+' "$src" | head -1 | awk '{print $2}')
	line=$(grep -n 'VERIFIER: ' "$src" | head -1 | cut -d: -f1)
	pre=()
	if grep -q 'VERIFIER-UNPRIV' "$src"; then
		command -v setpriv >/dev/null || { skip "verifier: $name" "setpriv missing"; continue; }
		pre=(setpriv --bounding-set -sys_admin,-perfmon)
	fi
	rc=0
	timeout 120 "${pre[@]}" "$BK" test "$obj" -k 'ipv4 10.0.0.1>10.0.0.2/udp 1>2' >"$TMP/out" 2>"$TMP/err" || rc=$?
	n=$((n + 1))
	why=""
	[ $rc -eq 1 ] || why="exit $rc, wanted 1;"
	grep -q "the verifier rejected it: " "$TMP/err" || why="$why no kernel error line;"
	grep -q "hint \[$cls\]: " "$TMP/err" || why="$why no hint [$cls] (got: $(grep -o 'hint \[[a-z0-9-]*\]' "$TMP/err"));"
	if [ -n "$line" ]; then
		grep -q "source $name.bpf.c:$line: " "$TMP/err" || why="$why no 'source $name.bpf.c:$line' (got: $(grep -o 'source [^:]*:[0-9]*' "$TMP/err"));"
		grep -qE "  at insn [0-9]+: " "$TMP/err" || why="$why no failing instruction;"
	fi
	grep -qE 'AddressSanitizer|runtime error' "$TMP/err" && why="$why sanitizer report;"
	if [ -z "$why" ]; then pass "verifier: $name -> [$cls]${line:+ at line $line}"; else fail "verifier: $name" "$why"; fi
done
[ $n -ge 15 ] && pass "verifier: corpus covers $n classes" || fail "verifier: corpus" "only $n programs"

# -v: the whole log as well
"$BK" -v test "$OBJS/packet_bounds.bpf.o" -k 'ipv4 1.1.1.1>2.2.2.2' >/dev/null 2>"$TMP/err"
grep -q -- '-- verifier log of prog' "$TMP/err" && grep -qE '^[0-9]+: \([0-9a-f]{2}\)' "$TMP/err" \
	&& pass "verifier: -v prints the whole log" || fail "verifier: -v" "$(tail -3 "$TMP/err")"

# every command that loads explains the same way: `bpfkit run` in a private namespace
NS=bkV$UNIQ
ip netns add "$NS" && on_exit ip netns del "$NS"
rc=0
timeout 20 ip netns exec "$NS" "$BK" run "$OBJS/map_null.bpf.o" --iface lo -t 1 >/dev/null 2>"$TMP/err" || rc=$?
[ $rc -eq 1 ] && grep -q 'hint \[map-value-null\]' "$TMP/err" && grep -q 'source map_null.bpf.c:' "$TMP/err" \
	&& pass "verifier: bpfkit run shows the hint too" || fail "verifier: run" "exit $rc: $(head -c 300 "$TMP/err")"
# other people's tests load programs concurrently: count only ours, by name
sleep 0.3
left=$(bpftool prog show -j 2>/dev/null | python3 -c 'import json,re,sys; print(" ".join(p.get("name","") for p in json.load(sys.stdin) if re.search(r"^bad_", p.get("name",""))))')
[ -z "$left" ] && pass "verifier: nothing left in the kernel" || fail "verifier: nothing left in the kernel" "left in the kernel: $left"
