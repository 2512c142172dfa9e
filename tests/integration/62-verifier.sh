#!/bin/bash
# 62-verifier: the refused-program corpus (tests/data/verifier/), loaded on
# the real kernel. Each program is written the way learners write them and
# says in comments what bpfkit must answer:
#   /* VERIFIER: <class> */   on the line the explanation must point at
#   VERIFIER-HINT: a, b       words the hint (or its fix line) must contain
#   VERIFIER-UNPRIV           load without CAP_PERFMON/CAP_SYS_ADMIN (setpriv)
#   VERIFIER-OK               must load, with no invented error or hint
#   VERIFIER-SLOW             takes the verifier long: loaded alongside the rest
# Checked: exit 1, the kernel's error, exactly one hint and of that class, the
# source file:line (never 0), the key words, and the same in -j's JSON
# (class, insn, file, line, hint). Classes, not kernel wording, are checked.
source "$(dirname "$0")/../lib.sh"
need_root
SRC=$ROOT/tests/data/verifier
OBJS=$BPFDIR/verifier
PKT='ipv4 10.0.0.1>10.0.0.2/udp 1>2'
UNPRIV=(setpriv --bounding-set -sys_admin,-perfmon)
command -v setpriv >/dev/null || UNPRIV=()

# load NAME as its file says; output in $TMP/NAME.{out,err,rc}
run_one() {
	local name=$1 src=$SRC/$1.bpf.c pre=() rc=0
	grep -q 'VERIFIER-UNPRIV' "$src" && pre=("${UNPRIV[@]}")
	timeout 120 "${pre[@]}" "$BK" -j test "$OBJS/$name.bpf.o" -k "$PKT" >"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
	echo $rc >"$TMP/$name.rc"
}

# -j: the same explanation as fields (JSON FILE, class, file, line)
check_json() {
	python3 - "$@" <<'PY'
import json, sys
o = json.load(open(sys.argv[1]))
want = {"class": sys.argv[2], "file": sys.argv[3], "line": int(sys.argv[4])}
bad = [f"{k}={o.get(k)!r}" for k, v in want.items() if o.get(k) != v]
if not isinstance(o.get("insn"), int) or not o.get("hint"):
    bad.append(f"insn={o.get('insn')!r} hint={o.get('hint')!r:.40}")
if bad:
    print("wrong " + " ".join(bad)); sys.exit(1)
PY
}

# judge what run_one left for NAME against the file's promises
judge() {
	local name=$1 src=$SRC/$1.bpf.c rc why="" cls line hints kw w words
	rc=$(cat "$TMP/$name.rc")
	grep -qE 'AddressSanitizer|runtime error' "$TMP/$name.err" && why="sanitizer report;"
	if grep -q 'VERIFIER-OK' "$src"; then
		n_ok=$((n_ok + 1))
		[ "$rc" -eq 0 ] || why="$why exit $rc, wanted 0;"
		grep -qE 'verifier rejected|hint \[' "$TMP/$name.err" && why="$why invented an error: $(head -c 200 "$TMP/$name.err");"
		if [ -z "$why" ]; then pass "verifier: $name loads, nothing invented"; else fail "verifier: $name" "$why"; fi
		return
	fi
	n=$((n + 1))
	cls=$(grep -oE 'VERIFIER: [a-z0-9-]+' "$src" | head -1 | awk '{print $2}')
	line=$(grep -n 'VERIFIER: ' "$src" | head -1 | cut -d: -f1)
	[ "$rc" -eq 1 ] || why="$why exit $rc, wanted 1;"
	grep -q "the verifier rejected it: " "$TMP/$name.err" || why="$why no kernel error line;"
	hints=$(grep -o 'hint \[[a-z0-9-]*\]' "$TMP/$name.err" | sort -u | tr '\n' ' ')
	[ "$hints" = "hint [$cls] " ] || why="$why wanted hint [$cls], got: ${hints:-none};"
	grep -q "source $name.bpf.c:$line: " "$TMP/$name.err" || why="$why no 'source $name.bpf.c:$line' (got: $(grep -o 'source [^:]*:[0-9]*' "$TMP/$name.err"));"
	grep -q "source [^ ]*:0: " "$TMP/$name.err" && why="$why source line 0;"
	# the key words, in the hint or the fix line
	grep -E '^bpfkit:   (hint|fix)' "$TMP/$name.err" >"$TMP/$name.hint"
	kw=$(sed -n 's/.*VERIFIER-HINT: *//p' "$src" | head -1)
	IFS=',' read -ra words <<<"$kw"
	for w in "${words[@]}"; do
		w=$(echo "$w" | sed 's/^ *//; s/ *$//')
		[ -z "$w" ] || grep -qiF -- "$w" "$TMP/$name.hint" || why="$why hint lacks '$w';"
	done
	grep -q '^bpfkit:   fix: ' "$TMP/$name.err" || why="$why no fix line;"
	check_json "$TMP/$name.out" "$cls" "$name.bpf.c" "$line" >"$TMP/jerr" 2>&1 || why="$why -j: $(head -c 200 "$TMP/jerr");"
	if [ -z "$why" ]; then pass "verifier: $name -> [$cls] at line $line"; else fail "verifier: $name" "$why"; fi
}

n=0; n_ok=0; n_unpriv=0; types=""; names=(); slow=()
for src in "$SRC"/*.bpf.c; do
	name=$(basename "$src" .bpf.c)
	[ -f "$OBJS/$name.bpf.o" ] || { fail "verifier: $name" "$OBJS/$name.bpf.o not built (make bpf)"; continue; }
	if grep -q 'VERIFIER-UNPRIV' "$src"; then
		[ ${#UNPRIV[@]} -gt 0 ] || { skip "verifier: $name" "setpriv missing"; continue; }
		n_unpriv=$((n_unpriv + 1))
	fi
	types="$types $(grep -oE 'SEC\("[a-z_]+' "$src" | head -1 | cut -d'"' -f2)"
	# the verifier walks a million instructions for these: start them first
	# and judge them last, so they overlap the rest
	if grep -q 'VERIFIER-SLOW' "$src"; then
		run_one "$name" &
		slow+=("$name")
	else
		names+=("$name")
	fi
done
for name in "${names[@]}"; do
	run_one "$name"
	judge "$name"
done
wait
for name in "${slow[@]}"; do
	judge "$name"
done
[ $n -ge 45 ] && pass "verifier: corpus has $n refused programs" || fail "verifier: corpus" "only $n refused programs"
[ $n_ok -ge 5 ] && pass "verifier: corpus has $n_ok programs that must load" || fail "verifier: corpus" "only $n_ok good programs"
kinds=$(echo $types | tr ' ' '\n' | sed 's/[/_].*//' | sort | uniq -c | awk '$1 >= 3 {print $2}' | tr '\n' ' ')
for t in xdp tc tracepoint cgroup socket; do
	echo " $kinds " | grep -q " $t " || fail "verifier: corpus" "fewer than 3 $t programs"
done
pass "verifier: program types with 3+ programs each: $kinds($n_unpriv loaded without CAP_PERFMON)"

# Fully unprivileged (no capabilities at all): only if this kernel lets
# unprivileged users load BPF. The socket filter corpus is what they may load.
if [ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled 2>/dev/null)" != 0 ]; then
	skip "verifier: loads by an unprivileged user" "kernel.unprivileged_bpf_disabled=$(cat /proc/sys/kernel/unprivileged_bpf_disabled 2>/dev/null || echo ?): this kernel refuses BPF to users without CAP_BPF"
else
	rc=0
	timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		"$BK" test "$OBJS/sock_leak_to_map.bpf.o" -k "$PKT" >/dev/null 2>"$TMP/err" || rc=$?
	[ $rc -eq 1 ] && grep -q 'hint \[pointer-leak\]' "$TMP/err" \
		&& pass "verifier: unprivileged user gets the pointer-leak hint" \
		|| fail "verifier: unprivileged user" "exit $rc: $(head -c 300 "$TMP/err")"
fi

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
left=$(bpftool prog show -j 2>/dev/null | python3 -c 'import json,re,sys; print(" ".join(p.get("name","") for p in json.load(sys.stdin) if re.search(r"^(bad_|ok_)", p.get("name",""))))')
[ -z "$left" ] && pass "verifier: nothing left in the kernel" || fail "verifier: nothing left in the kernel" "left in the kernel: $left"
