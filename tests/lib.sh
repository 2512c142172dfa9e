# tests/lib.sh — shared by the integration tests (bash). Source it first.
# Results are lines "PASS: name", "FAIL: name — why", "SKIP: name (why)";
# tests/run.sh counts them. Everything a test creates is removed on EXIT.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BK=${BPFKIT:-$ROOT/build/asan/bin/bpfkit}
BPFDIR=$ROOT/build/bpf
BINDIR=${BINDIR:-$ROOT/build/asan/bin}
TMP=$(mktemp -d /tmp/bktest.XXXXXX)
UNIQ=$(printf '%x%03x' $$ $((RANDOM % 4096)))	# fixed width: no two (pid, random) pairs collide
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

_CLEANUPS=()
on_exit() { _CLEANUPS+=("$*"); }
_run_cleanups() {
	local i
	for ((i = ${#_CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${_CLEANUPS[i]}" >/dev/null 2>&1 || true; done
	rm -rf "$TMP"
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1 — ${2:-}"; }
skip() { echo "SKIP: $1 (${2:-})"; }

# check NAME CMD...: pass if CMD exits 0.
check() {
	local name=$1; shift
	if "$@" >"$TMP/out" 2>&1; then pass "$name"; else fail "$name" "$(tail -3 "$TMP/out" | tr '\n' ' ')"; fi
}

# expect_fail NAME EXIT_CODE PATTERN CMD...: CMD must exit with EXIT_CODE and
# print PATTERN (grep -E) on stderr in a single line, and not crash.
expect_fail() {
	local name=$1 code=$2 pat=$3; shift 3
	local rc=0
	"$@" >"$TMP/ef.out" 2>"$TMP/ef.err" || rc=$?
	if [ "$rc" != "$code" ]; then
		fail "$name" "exit $rc, wanted $code: $(head -c 300 "$TMP/ef.err" | tr '\n' ' ')"
	elif grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' "$TMP/ef.err"; then
		fail "$name" "sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error' "$TMP/ef.err")"
	elif ! grep -qE -- "$pat" "$TMP/ef.err"; then
		fail "$name" "stderr lacks /$pat/: $(head -c 300 "$TMP/ef.err" | tr '\n' ' ')"
	else
		pass "$name"
	fi
}

# need_root: skip the whole file (with the reason) unless we can touch the kernel.
need_root() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "${1:-$(basename "$0")}" "needs root: loads BPF programs and creates network namespaces"
		exit 0
	fi
	command -v bpftool >/dev/null || { skip "$(basename "$0")" "bpftool missing (scripts/deps.sh)"; exit 0; }
}

source "$ROOT/tests/kernel_ids.sh"
# ids_named PREFIX: kernel_ids' lines for the programs and maps whose name
# starts with PREFIX (the kernel's 15-character names).
ids_named() {
	{ bpftool prog show -j | python3 -c 'import json,sys; [print("prog%d" % o["id"]) for o in json.load(sys.stdin) if o.get("name", "").startswith(sys.argv[1])]' "$1"
	  bpftool map show -j | python3 -c 'import json,sys; [print("map%d" % o["id"]) for o in json.load(sys.stdin) if o.get("name", "").startswith(sys.argv[1])]' "$1"
	} 2>/dev/null | sort
}
# leak_check NAME BEFORE_FILE [LIST_CMD]: pass if no id LIST_CMD prints (default
# kernel_ids: every prog, map and link) is new since BEFORE_FILE. Objects are
# freed after an RCU grace period and deferred work, so it waits up to 5 s.
# When test files run side by side (tests/run.sh sets BK_LEAK_DEFER), ids new
# here may be another file's: they are written down, and run.sh checks them
# once every file has ended.
leak_check() {
	local name=$1 before=$2 list=${3:-kernel_ids} new i
	for ((i = 0; i < 50; i++)); do
		new=$(comm -13 "$before" <($list) | tr '\n' ' ')
		[ -z "$new" ] || [ -n "${BK_LEAK_DEFER:-}" ] && break
		sleep 0.1
	done
	if [ -n "$new" ] && [ -n "${BK_LEAK_DEFER:-}" ]; then
		printf '%s\t%s\t%s\n' "$name" "$new" "$UNIQ" >>"$BK_LEAK_DEFER/$(basename "$0").$$"
		echo "DEFERRED: $name (other files run beside this one: tests/run.sh checks it when all have ended)"
	elif [ -z "$new" ]; then
		pass "$name"
	else
		fail "$name" "left in the kernel: $new"
	fi
}

# xdpfw_pin_dir NAME: this run's own xdpfw state directory
# /sys/fs/bpf/xdpfw-NAME-$UNIQ as $XDPFW_PIN_DIR (purged and removed at
# exit), and FWN: xdpfw ($FW) in $NS_B.
xdpfw_pin_dir() {
	export XDPFW_PIN_DIR=/sys/fs/bpf/xdpfw-$1-$UNIQ
	on_exit "rm -rf $XDPFW_PIN_DIR"
	on_exit "$FW unload --all --purge"
	FWN=("$FW" --netns "$NS_B")
}

# mk_pair: two fresh network namespaces NS_A, NS_B joined by veth IF_A/IF_B,
# addresses IP_A/IP_B (10.199.X.1/2, private to these namespaces), IPv6 off
# so only the traffic we send crosses, static neighbours (no ARP).
mk_pair() {
	NS_A=bkA$UNIQ; NS_B=bkB$UNIQ; IF_A=va$UNIQ; IF_B=vb$UNIQ
	local x=$((RANDOM % 250 + 1))
	IP_A=10.199.$x.1; IP_B=10.199.$x.2
	ip netns add "$NS_A" && on_exit ip netns del "$NS_A"
	ip netns add "$NS_B" && on_exit ip netns del "$NS_B"
	ip link add "$IF_A" netns "$NS_A" type veth peer name "$IF_B" netns "$NS_B" || return 1
	local ns ifc
	for ns in "$NS_A" "$NS_B"; do
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	done
	ip -n "$NS_A" addr add "$IP_A/24" dev "$IF_A"
	ip -n "$NS_B" addr add "$IP_B/24" dev "$IF_B"
	ip -n "$NS_A" link set "$IF_A" up
	ip -n "$NS_B" link set "$IF_B" up
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	local mac_a mac_b
	mac_a=$(ip -n "$NS_A" -br link show "$IF_A" | awk '{print $3}')
	mac_b=$(ip -n "$NS_B" -br link show "$IF_B" | awk '{print $3}')
	ip -n "$NS_A" neigh replace "$IP_B" lladdr "$mac_b" dev "$IF_A" nud permanent
	ip -n "$NS_B" neigh replace "$IP_A" lladdr "$mac_a" dev "$IF_B" nud permanent
}

# send_udp NS DST PORT COUNT: COUNT UDP datagrams from namespace NS (bounded).
send_udp() {
	timeout 10 ip netns exec "$1" bash -c '
		for ((i = 0; i < $3; i++)); do echo "bpfkit test $i" >"/dev/udp/$1/$2"; sleep 0.01; done
	' _ "$2" "$3" "$4"
}

# wait_count FILE PATTERN N SECONDS: wait until N lines of FILE match PATTERN.
wait_count() {
	local i
	for ((i = 0; i < $4 * 10; i++)); do
		[ "$(grep -cE -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# wait_for FILE PATTERN SECONDS: wait until FILE contains PATTERN.
wait_for() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_started FILE PATTERN WHAT: wait_for with a bound for a loaded machine
# (ASan, 4 test files at once; a match returns at once), and a failure that
# says the command did not start instead of a later check's confusing one.
# FILE must have been emptied before the command started: a background
# job's own redirection truncates it only in the forked child, possibly
# after the first look here, which would match a previous run's line.
wait_started() {
	wait_for "$1" "$2" 60 && return 0
	fail "$3 starts" "nothing matching /$2/ within 60 s: $(tail -3 "$1" | tr '\n' ' ')"
	return 1
}

# own_ids PREFIX: like ids_named PREFIX, but only this file's own objects when
# other tests (other runs of the same tool among them) load programs
# concurrently: a program pinned under a path without $UNIQ, and a map of such
# a program, are theirs. Unpinned ones count as ours.
own_ids() {
	{ bpftool -f prog show -j; echo; bpftool -f map show -j; } 2>/dev/null | python3 -c '
import json, sys
prefix, uniq = sys.argv[1], sys.argv[2]
progs, maps = [json.loads(l) for l in sys.stdin if l.strip()][:2]
theirs = lambda o: any(uniq not in p for p in o.get("pinned") or [])
their_maps = {m for o in progs if theirs(o) for m in o.get("map_ids", [])}
for kind, objs in (("prog", progs), ("map", maps)):
    for o in objs:
        if o.get("name", "").startswith(prefix) and not theirs(o) and not (kind == "map" and o["id"] in their_maps):
            print("%s%d" % (kind, o["id"]))' "$1" "$UNIQ" | sort
}
