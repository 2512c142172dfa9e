#!/bin/bash
# bench/xdpfw.sh — xdpfw against xdp-filter (Debian xdp-tools' xdpfilt_dny_all.o)
# and against a program that only returns XDP_PASS, measured in the same run:
# per-packet cost through BPF_PROG_TEST_RUN on a mixed packet set, rule-update
# speed; then blocklist-shaped rule sets (bench/gen-blocklist.py) against the
# one-length set, xdp-filter and a naive LPM-trie program, their apply speed
# and memory, and each program's own time on live traffic (BPF statistics).
# Prints one markdown section; never fails on timing.
set -u
cd "$(dirname "$0")/.."
flock /tmp/bpfkit-build.lock make -s build/bin/xdpfw-bench build/bin/xdpfw build/bpf/xdpfw.bpf.o \
	build/bpf/xdpfw-floor.bpf.o build/bpf/xdp-pass.bpf.o >&2 || exit 1
B=build/bin/xdpfw-bench
TMP=$(mktemp -d /tmp/xdpfw-bench.XXXXXX)
trap 'rm -rf "$TMP"; ip netns del "bfA$$" 2>/dev/null; ip netns del "bfB$$" 2>/dev/null' EXIT

echo "## xdpfw: per-packet cost, rule updates, blocklist-shaped sets, live cost"
echo
# apply times and ns per packet move with the host (a shared VM ran the same
# work 2-3x slower on some days): say which kind of day this run had
t0=$(date +%s%N); for _ in $(seq 200); do /bin/true; done; t1=$(date +%s%N)
echo "Host speed at this section's start: 200 runs of \`/bin/true\` took $(( (t1 - t0) / 1000000 )) ms"
echo "(fork and exec; 720 ms on the slow day of 2026-12-01, when the apply figures doubled)."
echo "A slow host inflates absolute figures (apply ms, ns per packet) more than the ratios."
# the machine under the VM and the kernel's mitigations change between runs
# (a bpf-to-bpf call cost ~2.4 ns on one, ~10 ns on another with SRSO's
# return thunks): name them
cpu=$(awk -F': ' '/^model name/ { m = $2 } /^cpu family/ { f = $2 } END { print m ", family " f }' /proc/cpuinfo)
srso=$(cat /sys/devices/system/cpu/vulnerabilities/spec_rstack_overflow 2>/dev/null || echo unknown)
echo "Host: $cpu, $(nproc) CPUs, kernel $(uname -r); SRSO: $srso."
echo
echo "Per-packet cost: kernel-timed BPF_PROG_TEST_RUN (200k repetitions per packet), mean over a"
echo "16-packet mix (IPv4/IPv6, TCP/UDP/ICMP, rule hits and misses). xdp-filter is"
echo "\`xdpfilt_dny_all.o\` with 8k IPv4 + 2k IPv6 addresses and 2000 ports; xdpfw has N"
echo "CIDR+port rules (IPv4 /24 and IPv6 /64 sources, each with a TCP or UDP port)."
echo
# three runs, the median of each program's figure
for r in 1 2 3; do $B testrun build/bpf 10000 1000000 >"$TMP/tr.$r" || exit 1; done
med() { for r in 1 2 3; do awk -v n="$1" '$1 == n { print $2 }' "$TMP/tr.$r"; done | sort -g | sed -n 2p; }
pass=$(med xdp-pass); filt=$(med xdp-filter-10k); fw10k=$(med xdpfw-10000); fw1m=$(med xdpfw-1000000)
floor=$(med xdpfw-floor-10000)
r() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "| program | ns/packet | × XDP_PASS | × xdp-filter | target |"
echo "|---|---:|---:|---:|---|"
echo "| xdp-pass (anchor) | $pass | 1.00 | $(r "$pass" "$filt") | |"
echo "| xdp-filter, 10k IPs + ports | $filt | $(r "$filt" "$pass") | 1.00 | |"
echo "| xdpfw, 10k rules | $fw10k | $(r "$fw10k" "$pass") | $(r "$fw10k" "$filt") | ≤ 0.6× xdp-filter, ≤ 2.5× XDP_PASS |"
echo "| xdpfw, 1M rules | $fw1m | $(r "$fw1m" "$pass") | $(r "$fw1m" "$filt") | ≤ 1.2× the 10k figure: **$(r "$fw1m" "$fw10k")×** |"
echo "| xdpfw without its rule lookup (floor) | $floor | $(r "$floor" "$pass") | $(r "$floor" "$filt") | |"
echo
echo "The floor is the same program with the classification left out (parse, VLAN/options/"
echo "extension headers, fragment checks, per-action totals, verdict): what any rule lookup"
echo "adds to. The lookup itself is the difference: $(awk -v a="$fw10k" -v b="$floor" 'BEGIN { printf "%.1f", a - b }') ns per packet."
echo

echo "Rule updates (in-process apply: parse, write the new generation, switch, remove the old one):"
echo
echo "| rules | step | parse ms | write ms | switch ms | cleanup ms | total ms | rules/s |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|"
for n in 100000 1000000; do
	$B apply build/bpf "$n" >"$TMP/ap" || { echo "| $n | failed | | | | | | |"; continue; }
	while read -r step parse write sw clean total entries; do
		echo "| $n | $step | $parse | $write | $sw | $clean | $total | $(awk -v n="$n" -v t="$total" 'BEGIN { printf "%.0f", n / t * 1000 }') |"
	done <"$TMP/ap"
done
echo
echo "\"switch\" is the atomic part (one store of the generation number: packets see the old set"
echo "or the new one); \"first\" applies into empty maps, \"swap\" replaces a full set by another."
echo

# ---- blocklist-shaped rule sets (issue 15) ---------------------------------
S=build/bin/xdpfw-bench-sets
G="python3 bench/gen-blocklist.py"
flock /tmp/bpfkit-build.lock make -s "$S" build/bpf/lpm-trie.bpf.o build/bpf/tx-cycle.bpf.o >&2 || exit 1
$G blocklist 10000 1 "$TMP/bl10k" "$TMP/bl10k.pkts"
$G onelen 10000 1 "$TMP/ol10k" "$TMP/ol10k.pkts"
$G blocklist 100000 2 "$TMP/bl100k" "$TMP/bl100k.pkts"
$G blocklist 100000 3 "$TMP/bl100k.b" /dev/null
$G blocklist 1000000 4 "$TMP/bl1m" "$TMP/bl1m.pkts"
$G blocklist 1000000 5 "$TMP/bl1m.b" /dev/null
$G porthosts 100000 6 "$TMP/ph100k" /dev/null
$G porthosts 1000000 7 "$TMP/ph1m" /dev/null
$G nestedports 1000000 8 "$TMP/np1m" /dev/null
echo "### Blocklist-shaped rule sets"
echo
echo "Rule sets from \`bench/gen-blocklist.py\` (seeded): deny rules, policy allow; 80% IPv4 sources with"
echo "prefix lengths spread over /8../32 like a routing table (18 distinct lengths, /24 the most common,"
echo "15% /32 hosts), 20% IPv6 over 10 lengths /16../128; 40% with proto tcp|udp and a dport range;"
echo "random prefixes, so they nest and overlap. The one-length set has the same counts with every IPv4"
echo "source a /24 and every IPv6 a /64. Packets: 256 distinct per set, half built to hit a rule."
echo "All programs loaded at once and run interleaved packet by packet (BPF_PROG_TEST_RUN, 2000"
echo "repetitions each, 5 rounds): a machine whose load changes meanwhile slows all alike. A program's"
echo "figure is the mean over the packets of each packet's median over the rounds, so a round the host"
echo "slowed moves no packet's figure (runs before 2026-12 took the mean of every run; that figure is"
echo "given for the classification below)."
echo "xdp-filter is \`xdpfilt_alw_all.o\` with the 10k rules' network addresses as exact IPs and"
echo "2000 ports; \"LPM trie\" is \`bench/lpm-trie.bpf.c\`: one kernel LPM trie per family, source only."
echo
grep '^4 ' "$TMP/bl10k.pkts" >"$TMP/bl10k.pkts4"; grep '^6 ' "$TMP/bl10k.pkts" >"$TMP/bl10k.pkts6"
# The classification target's anchor: the datapath before issue 15 (ANCHOR:
# one hash probe per prefix length in use) on its one-length 10k set, its
# lookup (program minus floor) as the table at this section's top measures
# it; 6.1 ns on the host of 2026-11-22, which the target quotes. Built from
# the repository's history beside this run (git archive: no worktree),
# median of 9 runs; absent from a checkout without that history.
ANCHOR=45c2e5b
anchor= anchor_why="its datapath, $ANCHOR, is not in this checkout's history to measure here"
if git cat-file -e "$ANCHOR^{commit}" 2>/dev/null; then
	anchor_why="building or running $ANCHOR's bench tool failed here"
	# .deps-ok: this checkout's scripts/deps.sh has run; the old one's must not
	if mkdir -p "$TMP/anchor/build" && git archive "$ANCHOR" | tar -x -C "$TMP/anchor" &&
		touch "$TMP/anchor/build/.deps-ok" &&
		make -s -C "$TMP/anchor" build/bin/xdpfw-bench build/bpf/xdpfw.bpf.o build/bpf/xdpfw-floor.bpf.o \
			build/bpf/xdp-pass.bpf.o >/dev/null 2>&1; then
		for k in 1 2 3 4 5 6 7 8 9; do
			(cd "$TMP/anchor" && build/bin/xdpfw-bench testrun build/bpf 10000 2>/dev/null) |
				awk '$1 == "xdpfw-10000" { a = $2 } $1 == "xdpfw-floor-10000" { f = $2 }
				     END { if (a && f) printf "%.2f\n", a - f }'
		done | sort -g >"$TMP/anchor.runs"
		# the median only when all 9 runs gave a figure
		[ "$(grep -c . "$TMP/anchor.runs")" -eq 9 ] && anchor=$(sed -n 5p "$TMP/anchor.runs")
	fi
fi
$S cost build/bpf 5 pass=pass:"$TMP/bl10k":"$TMP/bl10k.pkts" filter=filter:"$TMP/bl10k":"$TMP/bl10k.pkts" \
	lpm=lpm:"$TMP/bl10k":"$TMP/bl10k.pkts" bl10k=xdpfw:"$TMP/bl10k":"$TMP/bl10k.pkts" \
	ol10k=xdpfw:"$TMP/ol10k":"$TMP/ol10k.pkts" floor=floor:"$TMP/bl10k":"$TMP/bl10k.pkts" \
	bl100k=xdpfw:"$TMP/bl100k":"$TMP/bl100k.pkts" bl1m=xdpfw:"$TMP/bl1m":"$TMP/bl1m.pkts" \
	bl4=xdpfw:"$TMP/bl10k":"$TMP/bl10k.pkts4" fl4=floor:"$TMP/bl10k":"$TMP/bl10k.pkts4" \
	bl6=xdpfw:"$TMP/bl10k":"$TMP/bl10k.pkts6" fl6=floor:"$TMP/bl10k":"$TMP/bl10k.pkts6" >"$TMP/sets" || exit 1
v() { awk -v n="$1" -v c="${2:-2}" '$1 == n { print $c }' "$TMP/sets"; }
P=$(v pass); F=$(v filter); L=$(v lpm); B10=$(v bl10k); O10=$(v ol10k); FL=$(v floor); B100=$(v bl100k); B1M=$(v bl1m)
echo "| program | ns/packet | × XDP_PASS | × xdp-filter | × LPM trie | wrong verdicts | target |"
echo "|---|---:|---:|---:|---:|---:|---|"
echo "| xdp-pass (anchor) | $P | 1.00 | | | | |"
echo "| xdp-filter, 10k IPs + ports | $F | $(r "$F" "$P") | 1.00 | $(r "$F" "$L") | | |"
echo "| LPM trie per family, 10k source prefixes | $L | $(r "$L" "$P") | $(r "$L" "$F") | 1.00 | | |"
echo "| xdpfw, 10k one-length | $O10 | $(r "$O10" "$P") | $(r "$O10" "$F") | $(r "$O10" "$L") | $(v ol10k 4)/256 | |"
echo "| **xdpfw, 10k blocklist** | $B10 | $(r "$B10" "$P") | **$(r "$B10" "$F")** | **$(r "$B10" "$L")** | $(v bl10k 4)/256 | ≤ 0.5× xdp-filter, ≤ 0.6× LPM; **$(r "$B10" "$O10")× one-length** (≤ 1.15) |"
echo "| xdpfw, 100k blocklist | $B100 | $(r "$B100" "$P") | $(r "$B100" "$F") | $(r "$B100" "$L") | $(v bl100k 4)/256 | |"
echo "| xdpfw, 1M blocklist | $B1M | $(r "$B1M" "$P") | $(r "$B1M" "$F") | $(r "$B1M" "$L") | $(v bl1m 4)/256 | ≤ 1.2× 10k: **$(r "$B1M" "$B10")×** |"
echo "| xdpfw without its lookup (floor), 10k blocklist | $FL | $(r "$FL" "$P") | $(r "$FL" "$F") | | | |"
echo
echo "Classification's own cost (program minus floor): blocklist $(awk -v a="$B10" -v b="$FL" 'BEGIN { printf "%.1f", a - b }') ns,"
echo "one-length $(awk -v a="$O10" -v b="$FL" 'BEGIN { printf "%.1f", a - b }') ns. Target: no more than the one-length lookup before issue 15 (6.1 ns on"
if [ -n "$anchor" ]; then
	echo "2026-11-22's host); that datapath ($ANCHOR, a hash probe per prefix length) measured beside"
	echo "this run on this host, its lookup on its one-length 10k set (median of 9 runs): $anchor ns, so the"
	echo "blocklist's classification is **$(awk -v a="$B10" -v b="$FL" -v c="$anchor" 'BEGIN { printf "%.2f", (a - b) / c }')×** it (≤ 1). The anchor is that commit's own"
	echo "harness (\`xdpfw-bench testrun\`: its 16-packet mix, each program run apart, built with the"
	echo "default clang), as the 6.1 ns was measured; the current datapath's lookup on that mix, same"
	echo "run, is the first table's: $(awk -v a="$fw10k" -v b="$floor" 'BEGIN { printf "%.1f", a - b }') ns;"
else
	echo "2026-11-22's host; $anchor_why);"
fi
echo "as the mean of every run (the earlier method, which a slowed round moves): blocklist $(awk -v a="$(v bl10k 10)" -v b="$(v floor 10)" 'BEGIN { printf "%.1f", a - b }') ns,"
echo "one-length $(awk -v a="$(v ol10k 10)" -v b="$(v floor 10)" 'BEGIN { printf "%.1f", a - b }') ns."
echo "By family (the blocklist mix's $(grep -c . "$TMP/bl10k.pkts4") IPv4 and $(grep -c . "$TMP/bl10k.pkts6") IPv6 packets run apart, same run):"
echo "IPv4 $(v bl4) ns, floor $(v fl4), classification $(awk -v a="$(v bl4)" -v b="$(v fl4)" 'BEGIN { printf "%.1f", a - b }') ns;"
echo "IPv6 $(v bl6) ns, floor $(v fl6), classification $(awk -v a="$(v bl6)" -v b="$(v fl6)" 'BEGIN { printf "%.1f", a - b }') ns."
echo
bpr() { awk -v b="$(v "$1" 5)" -v n="$2" 'BEGIN { printf "%.0f", b / n }'; }
echo "Memory (\`xdpfw status\`: the prefix and port tables, both generations, preallocated for"
echo "\`--max-rules\` = the set's size): 10k rules $(awk -v b="$(v bl10k 5)" 'BEGIN { printf "%.1f", b / 1e6 }') MB = $(bpr bl10k 10000) bytes/rule;"
echo "1M rules $(awk -v b="$(v bl1m 5)" 'BEGIN { printf "%.1f", b / 1e6 }') MB = $(bpr bl1m 1000000) bytes/rule (target ≤ ~470 MB)."
echo "Beside the tables (both generations' slots): rule definitions $(awk -v b="$(v bl10k 8)" 'BEGIN { printf "%.1f", b / 1e6 }') MB at 10k,"
echo "$(awk -v b="$(v bl1m 8)" 'BEGIN { printf "%.1f", b / 1e6 }') MB at 1M; per-rule counters $(awk -v b="$(v bl10k 9)" 'BEGIN { printf "%.2f", b / 1e6 }') MB per CPU at 10k, $(awk -v b="$(v bl1m 9)" 'BEGIN { printf "%.1f", b / 1e6 }') MB per CPU at 1M."
echo
# apply: each line of $TMP/ap.NAME is "STEP WALL_MS CPU_MS ENTRIES RULES"
# (first load of A, then a swap to B, or B refused)
# apply3 NAME PAUSE A B: three runs, each after PAUSE seconds; NAME gets,
# per step, the run with the median wall time (one slow run on a shared
# host moves no figure)
apply3() {
	local name=$1 pause=$2 k
	for k in 1 2 3; do
		sleep "$pause"
		$S apply build/bpf "$3" "$4" >"$TMP/ap.$name.$k" || echo "apply of $3 then $4 failed"
	done
	cat "$TMP/ap.$name".[123] | sort -k1,1 -k2,2n | awk '{ n[$1]++; if (n[$1] == 2) print }' >"$TMP/ap.$name"
}
# applies run on two threads where there are two CPUs (apps/xdpfw/bgjob.c);
# the *1 rows on one (XDPFW_APPLY_THREADS=1)
apply3 100k 1 "$TMP/bl100k" "$TMP/bl100k.b"
XDPFW_APPLY_THREADS=1 apply3 100k1 1 "$TMP/bl100k" "$TMP/bl100k.b"
# the 1M apply after a pause, so the memory the runs before freed has gone
# back to the host (where the VM returns free pages: the cold case a CLI
# apply meets), then once at once again, on the pages the last just freed
apply3 1m 5 "$TMP/bl1m" "$TMP/bl1m.b"
$S apply build/bpf "$TMP/bl1m" "$TMP/bl1m.b" >"$TMP/ap.1mw" || echo "apply of the 1M blocklist sets failed"
XDPFW_APPLY_THREADS=1 apply3 1m1 5 "$TMP/bl1m" "$TMP/bl1m.b"
# refused: B's port tables (or, at 1M, its IPv4 trie) do not fit maps sized
# for B's rule count; beside it the same B applied where it fits (maps sized
# for about twice as many rules)
$S apply build/bpf "$TMP/bl100k" "$TMP/ph100k" refused >"$TMP/ap.r100k" 2>/dev/null || echo "the 100k refused apply was not refused"
XDPFW_BENCH_MAX_RULES=200128 $S apply build/bpf "$TMP/bl100k" "$TMP/ph100k" >"$TMP/ap.s100k" || echo "the 100k port-host set failed on larger maps"
$S apply build/bpf "$TMP/bl1m" "$TMP/ph1m" refused >"$TMP/ap.r1m" 2>/dev/null || echo "the 1M refused apply was not refused"
XDPFW_BENCH_MAX_RULES=2200000 $S apply build/bpf "$TMP/bl1m" "$TMP/ph1m" >"$TMP/ap.s1m" || echo "the 1M port-host set failed on larger maps"
$S apply build/bpf "$TMP/np1m" "$TMP/np1m" >"$TMP/ap.np1m" || echo "the 1M nested-port set failed"
# the machine's cost of memory new to a process (an apply's arrays are):
# "MS_4K MS_THP" for 256 MB
touch256=$($S touch 256 || echo "? ?")
a() { awk -v s="$2" -v c="$3" '$1 == s { print $c }' "$TMP/ap.$1"; }
rps() { awk -v n="$2" -v t="$1" 'BEGIN { if (t > 0) printf "%.0f", n / t * 1000 }'; }
arow() {	# SET-LABEL FILE STEP RULES TARGET
	echo "| $1 | $3 | $(a "$2" "$3" 2) | $(a "$2" "$3" 3) | $(rps "$(a "$2" "$3" 2)" "$4") | $(rps "$(a "$2" "$3" 3)" "$4") | $(a "$2" "$3" 4) | $5 |"
}
echo "Applying blocklist-shaped sets (in-process, parse excluded; wall time on a shared machine"
echo "includes waiting for a CPU, so this process's CPU time beside it). An apply of 8192 rules or more"
echo "runs on two threads where there are two CPUs (IPv6 compiled beside IPv4, a first set's definitions and the IPv4"
echo "trie written beside the rest: \`apps/xdpfw/bgjob.c\`), so its CPU time counts both; the \"one"
echo "thread\" rows are \`XDPFW_APPLY_THREADS=1\`. The 100k and 1M blocklist rows are the median of"
echo "3 runs (the 1M ones each after a 5 s pause). \"refused\" applies, after"
echo "the first load, a set of as many rules whose port tables do not fit"
echo "the maps (\`gen-blocklist.py porthosts\`: two single-port TCP rules per /32 host); the row"
echo "below it is the same set applied where it fits (maps sized for about twice the rules). \"nested ports\""
echo "(\`gen-blocklist.py nestedports\`): /24s with a port rule each inside /12s with 100 ports each:"
echo "10.2M port-table entries for 100k of them before parent tables (refused), now 1.4M for 1M:"
echo
echo "| set | step | wall ms | CPU ms | rules/s (wall) | rules/s (CPU) | entries | target |"
echo "|---|---|---:|---:|---:|---:|---:|---|"
arow "100k blocklist" 100k first 100000 "≥ 1M rules/s (≤ 100 ms)"
arow "100k blocklist" 100k swap 100000 "< 150 ms"
arow "100k blocklist, one thread" 100k1 first 100000 ""
arow "100k blocklist, one thread" 100k1 swap 100000 ""
arow "100k port hosts, maps for 100k" r100k refused 100000 "≤ the successful apply below"
arow "100k port hosts, maps for 200k" s100k swap 100000 ""
arow "1M blocklist" 1m first 1000000 "≥ 1M rules/s (≤ 1000 ms)"
arow "1M blocklist" 1m swap 1000000 ""
arow "1M blocklist, run again at once" 1mw first 1000000 "(memory warm)"
arow "1M blocklist, one thread" 1m1 first 1000000 ""
arow "1M blocklist, one thread" 1m1 swap 1000000 ""
arow "1M port hosts, maps for 1M" r1m refused 1000000 "≤ the successful apply below"
arow "1M port hosts, maps for 2.2M" s1m swap 1000000 ""
arow "1M nested ports" np1m first 1000000 "entries grow with the rules"
echo
echo "An apply's arrays (several hundred MB at 1M rules) are memory new to the process. Touching"
echo "256 MB of it here, same run: $(echo "$touch256" | awk '{ print $1 }') ms as 4 KiB pages,"
echo "$(echo "$touch256" | awk '{ print $2 }') ms advised for transparent huge pages, which is how"
echo "\`apps/xdpfw/bigmem.c\` gets them (docs/xdpfw.md). A first apply also pays for memory the"
echo "machine has not used lately (on a VM, the hypervisor backing it; this one returns free"
echo "pages to its host within seconds); a swap reuses what the first apply just freed. The 1M"
echo "first applies ran after a 5 s pause (cold: as a CLI apply meets it), then once again at once"
echo "(\"run again at once\": mostly on the pages the first run just freed, as on a machine without"
echo "that cost; how much of it is still warm varies from run to run)."
echo

# a small set applied by the CLI, a new process each time (as an operator
# or the fleet agent applies): what the maps' size costs every apply
# cli_apply MAX_RULES: ms per apply, the median of 3 runs of 10 applies
cli_apply() {
	local pin=/sys/fs/bpf/xdpfw-bench$$ ns=bfC$$
	(
		trap 'build/bin/xdpfw --pin-dir '"$pin"' unload --all --purge >/dev/null 2>&1; ip netns del '"$ns"' 2>/dev/null' EXIT
		ip netns add "$ns" && ip -n "$ns" link add c0 type veth peer name c1 && ip -n "$ns" link set c0 up || exit 1
		build/bin/xdpfw --pin-dir "$pin" --netns "$ns" load c0 --mode skb --max-rules "$1" \
			--rules "$TMP/cli.a" >/dev/null || exit 1
		for r in 1 2 3; do
			t0=$(date +%s%N)
			for i in 1 2 3 4 5 6 7 8 9 10; do
				f=$TMP/cli.a; ((i % 2)) && f=$TMP/cli.b
				build/bin/xdpfw --pin-dir "$pin" apply -q "$f" || exit 1
			done
			awk -v n="$(($(date +%s%N) - t0))" 'BEGIN { printf "%.1f\n", n / 10 / 1e6 }'
		done | sort -g | sed -n 2p
	)
}
if [ "$(id -u)" -eq 0 ]; then
	for i in $(seq 1 50); do echo "deny src 172.16.$i.0/24"; done >"$TMP/cli.a"
	for i in $(seq 1 50); do echo "deny src 172.17.$i.0/24 proto tcp dport $i-$((i + 100))"; done >"$TMP/cli.b"
	echo "A 50-rule set applied by the CLI (\`xdpfw apply\`, a new process each time, the set"
	echo "alternating with another of 50: ms per apply, parse and process start included, median of 3"
	echo "runs of 10) on maps sized for more rules. Big maps have 2^20-entry roots (two, 8 MB a"
	echo "generation); an apply writes only the pages its set paints and clears only the pages the"
	echo "old set left non-zero, since a process's first write to a page of a map is this VM's"
	echo "dearest memory access (docs/xdpfw.md, \"Atomic swaps\"):"
	echo
	echo "| maps sized for (\`--max-rules\`) | ms per apply |"
	echo "|---|---:|"
	for m in 65536 300000 1000000; do
		echo "| $m | $(cli_apply "$m" || echo failed) |"
	done
	echo
fi

# live: the programs' own time per packet from the kernel's BPF statistics
# (run_time_ns / run_cnt), attached natively to a veth in a private namespace,
# traffic from the peer namespace cycling through 65536 distinct sources
# (half inside the rules' prefixes) so caches behave as on a real link.
if [ "$(id -u)" -eq 0 ]; then
	A=bfA$$; Bn=bfB$$
	ip netns add "$A" && ip netns add "$Bn" &&
	ip link add "va$$" netns "$A" type veth peer name "vb$$" netns "$Bn" &&
	ip -n "$A" link set "va$$" up && ip -n "$Bn" link set "vb$$" up && ip -n "$Bn" addr add 10.198.0.2/24 dev "vb$$"
	mac=$(ip -n "$Bn" -br link show "vb$$" | awk '{print $3}')
	stats_old=$(sysctl -n kernel.bpf_stats_enabled)
	trap 'rm -rf "$TMP"; sysctl -qw kernel.bpf_stats_enabled="$stats_old"; ip netns del "bfA$$" 2>/dev/null; ip netns del "bfB$$" 2>/dev/null' EXIT
	sysctl -qw kernel.bpf_stats_enabled=1
	for round in 1 2 3 4 5; do
		for which in xdpfw filter floor pass; do
			$S live build/bpf "$Bn" "vb$$" "$which" "$TMP/bl10k" 2 >"$TMP/live.$which.$round" &
			livepid=$!
			sleep 1.5	# loaded and attached
			timeout 20 $S blast build/bpf "$A" "va$$" "$mac" "$TMP/bl10k" 2.5 >/dev/null
			wait "$livepid"
		done
	done
	# the 1M set live: xdpfw against the LPM-trie program and xdp-pass
	# (xdp-filter's address maps hold 10,000 entries, not a million); the
	# sender runs long enough to cover a 1M load and the 2 s measured
	for round in 1 2 3; do
		for which in xdpfw lpm pass; do
			$S live build/bpf "$Bn" "vb$$" "$which" "$TMP/bl1m" 2 >"$TMP/live1m.$which.$round" &
			livepid=$!
			sleep 1.5
			timeout 30 $S blast build/bpf "$A" "va$$" "$mac" "$TMP/bl1m" 9 >/dev/null
			wait "$livepid"
		done
	done
	sysctl -qw kernel.bpf_stats_enabled="$stats_old"
	lmed() { for r in 1 2 3 4 5; do awk -v c="${2:-1}" '{ print $c }' "$TMP/live.$1.$r"; done | sort -g | sed -n 3p; }
	lp=$(lmed xdpfw); lf=$(lmed filter); lfl=$(lmed floor); lpa=$(lmed pass)
	echo "Live: each program's own time per packet from the kernel's BPF statistics"
	echo "(\`kernel.bpf_stats_enabled\` on for the measurement only; run_time_ns / run_cnt), attached"
	echo "natively to a veth, the 10k blocklist set, traffic from the peer namespace (XDP live frames)"
	echo "cycling through 65536 distinct IPv4 sources, half inside the rules' prefixes; median of 5"
	echo "alternating 2 s rounds:"
	echo
	own() { awk -v a="$1" -v b="$lpa" 'BEGIN { printf "%.2f", a - b }'; }
	echo "| program | ns/packet (bpf_stats) | packets measured | × xdp-filter | own time: − xdp-pass | own × xdp-filter's | target |"
	echo "|---|---:|---:|---:|---:|---:|---|"
	echo "| xdp-filter, 10k IPs + ports | $lf | $(lmed filter 2) | 1.00 | $(own "$lf") | 1.00 | |"
	echo "| xdpfw, 10k blocklist | $lp | $(lmed xdpfw 2) | **$(r "$lp" "$lf")** | $(own "$lp") | **$(r "$(own "$lp")" "$(own "$lf")")** | ≤ 0.5× |"
	echo "| xdpfw without its lookup (floor) | $lfl | $(lmed floor 2) | $(r "$lfl" "$lf") | $(own "$lfl") | $(r "$(own "$lfl")" "$(own "$lf")") | |"
	echo "| xdp-pass | $lpa | $(lmed pass 2) | $(r "$lpa" "$lf") | 0 | 0 | |"
	echo
	cs=$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null || echo unknown)
	echo "bpf_stats times each run between two sched_clock() reads (clock source here: $cs; with"
	echo "kvm-clock a pvclock page read and an ordered rdtsc each), so every program is charged that"
	echo "fixed cost: the xdp-pass row, a program that does nothing, is almost all of it. Against"
	echo "xdp-filter's raw figure that fixed part alone is $(r "$lpa" "$lf")×; a raw ≤ 0.5× leaves xdpfw"
	echo "$(awk -v f="$lf" -v p="$lpa" -v fl="$lfl" 'BEGIN { printf "%.1f", f / 2 - fl }') ns beyond its floor for"
	echo "classifying and counting 64k distinct sources (the per-rule counter update alone cost 4.8 ns"
	echo "live on 2026-12-01's host, measured by taking it out). The program's own time (the figure"
	echo "minus xdp-pass's, same run) is the comparison that means something; both are shown."
	echo
	echo "On live frames every program's first read of the packet misses the cache (a fresh page"
	echo "per frame): the floor row is xdpfw's parse alone. The lookup's own live cost is xdpfw minus"
	echo "its floor: $(awk -v a="$lp" -v b="$lfl" 'BEGIN { printf "%.1f", a - b }') ns."
	echo
	echo "Each round's ratio, raw (own time): $(for r in 1 2 3 4 5; do
		awk -v a="$(awk '{print $1}' "$TMP/live.xdpfw.$r")" -v b="$(awk '{print $1}' "$TMP/live.filter.$r")" \
			-v p="$(awk '{print $1}' "$TMP/live.pass.$r")" 'BEGIN { printf "%.2f (%.2f) ", a / b, (a - p) / (b - p) }'
	done)"
	echo
	m1() { for r in 1 2 3; do awk -v c="${2:-1}" '{ print $c }' "$TMP/live1m.$1.$r"; done | sort -g | sed -n 2p; }
	mp=$(m1 xdpfw); ml=$(m1 lpm); mpa=$(m1 pass)
	echo "The 1M blocklist set live, same setup (its sources, half inside its prefixes), median of 3"
	echo "alternating rounds; no xdp-filter row: its address maps hold 10,000 entries. Not a target:"
	echo "what a million rules cost on live traffic beside the simple program a user would write."
	echo
	echo "| program | ns/packet (bpf_stats) | packets measured | × LPM trie | own time: − xdp-pass |"
	echo "|---|---:|---:|---:|---:|"
	echo "| LPM trie per family, 1M source prefixes | $ml | $(m1 lpm 2) | 1.00 | $(awk -v a="$ml" -v b="$mpa" 'BEGIN { printf "%.2f", a - b }') |"
	echo "| xdpfw, 1M blocklist | $mp | $(m1 xdpfw 2) | $(r "$mp" "$ml") | $(awk -v a="$mp" -v b="$mpa" 'BEGIN { printf "%.2f", a - b }') |"
	echo "| xdp-pass | $mpa | $(m1 pass 2) | $(r "$mpa" "$ml") | 0 |"
else
	echo "Live: skipped (needs root)."
fi
echo
