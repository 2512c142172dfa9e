#!/bin/bash
# Foundation: `make demo` (scripts/demo.sh) sees every packet, exits 0, and
# leaves nothing behind: no namespace, no program, map or link.
source "$(dirname "$0")/../lib.sh"
need_root
kernel_ids >"$TMP/ids.before"
if COUNT=10 timeout 120 bash "$ROOT/scripts/demo.sh" >"$TMP/demo.out" 2>&1; then
	pass "make demo exits 0"
else
	fail "make demo exits 0" "$(tail -3 "$TMP/demo.out" | tr '\n' ' ')"
fi
grep -q "demo: OK — 10 of 10 packets seen" "$TMP/demo.out" && pass "demo saw every packet" || fail "demo saw every packet" "$(grep demo: "$TMP/demo.out")"
grep -q "xdp native id [0-9]* name xdp_hello" "$TMP/demo.out" && pass "demo shows bpfkit net" || fail "demo shows bpfkit net"
# its own namespaces, by the names it printed (other tests add theirs meanwhile)
mine=$(grep -oE 'bkdemo[AB][0-9a-zA-Z]+' "$TMP/demo.out" | sort -u)
left=$(ip netns list | awk '{ print $1 }' | grep -xF -f <(echo "$mine") | tr '\n' ' ')
[ -n "$mine" ] && [ -z "$left" ] && pass "demo removed its namespaces" || fail "demo removed its namespaces" "names: $mine; left: $left"
leak_check "demo leaked no prog/map/link" "$TMP/ids.before"
