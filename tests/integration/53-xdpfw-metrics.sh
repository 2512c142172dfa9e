#!/bin/bash
# xdpfw metrics: the exporter serves the Prometheus text format (checked by
# promtool) and OpenMetrics on request; a real Prometheus server on 127.0.0.1
# scrapes it every second while real UDP traffic crosses the firewall between
# two namespaces, and its query API must give the same per-rule counters as
# `xdpfw status -j`. Also: applies and failed applies, BPF run statistics,
# the per-rule series cap, scrapes during applies (one generation, never a
# mix), bad --listen values, and the docs' alert rules and dashboard queries.
source "$(dirname "$0")/../lib.sh"
FW=$BINDIR/xdpfw
T="xdpfw metrics"
need_root
for c in prometheus promtool curl python3; do
	command -v $c >/dev/null || { skip "$T" "$c missing (scripts/deps.sh installs prometheus)"; exit 0; }
done
mk_pair || { fail "$T: netns setup"; exit 0; }
xdpfw_pin_dir metrics
PD=$((20000 + RANDOM % 5000)); PA=$((PD + 5000))

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# jq-free JSON picking
pyj() { python3 -c "import json,sys; d=json.load(sys.stdin); $1"; }

cat >"$TMP/fw.rules" <<RULES
policy allow
deny src $IP_A proto udp dport $PD
allow src $IP_A proto udp dport $PA
allow src 192.0.2.0/24 proto tcp dport 443
RULES
check "$T: load with rules" "${FWN[@]}" load "$IF_B" --mode native --rules "$TMP/fw.rules" --max-rules 64

# ---- bad --listen: one line, exit 1 -------------------------------------
expect_fail "$T: bad address" 1 "not ADDR:PORT" "$FW" metrics --listen 999.1.2.3:9435
expect_fail "$T: no port" 1 "not ADDR:PORT" "$FW" metrics --listen 127.0.0.1
expect_fail "$T: port out of range" 1 "not ADDR:PORT" "$FW" metrics --listen 127.0.0.1:70000
expect_fail "$T: bad --max-rule-series" 2 "max-rule-series" "$FW" metrics --max-rule-series -3
expect_fail "$T: a --prog-dir with nothing pinned is named" 1 "prog-dir '$TMP': no programs pinned there" \
	"$FW" metrics --once --prog-dir "$TMP"

# a program of bpfkit's (xdp-pass on the other end), exported with --prog-dir
BKPIN=/sys/fs/bpf/bk-metrics-$UNIQ
on_exit "$BK unload --pin $BKPIN"
check "$T: bpfkit load xdp-pass --pin" "$BK" --netns "$NS_A" load "$BPFDIR/xdp-pass.bpf.o" --iface "$IF_A" --pin "$BKPIN"

# ---- the exporter --------------------------------------------------------
"$FW" metrics --listen 127.0.0.1:0 --bpf-stats --prog-dir "$BKPIN" >"$TMP/m.out" 2>"$TMP/m.err" &
MPID=$!
on_exit "kill $MPID"
if ! wait_for "$TMP/m.out" "serving http://127.0.0.1:[0-9]+/" 10; then
	fail "$T: exporter starts" "$(cat "$TMP/m.err")"; exit 0
fi
MADDR=$(grep -oE '127\.0\.0\.1:[0-9]+' "$TMP/m.out" | head -1)
pass "$T: exporter starts ($MADDR)"
expect_fail "$T: --openmetrics without --once" 2 "--openmetrics is for --once" "$FW" metrics --openmetrics --listen 127.0.0.1:0
expect_fail "$T: port in use" 1 "cannot listen on $MADDR: Address already in use" "$FW" metrics --listen "$MADDR"
[ "$(wc -l <"$TMP/ef.err")" -eq 1 ] && pass "$T: port in use is one line" || fail "$T: port in use is one line" "$(cat "$TMP/ef.err")"

curl -sS -m 5 -D "$TMP/h.txt" "http://$MADDR/metrics" >"$TMP/m.txt"
if grep -qi '^content-type: text/plain; version=0.0.4' "$TMP/h.txt" && grep -q '^# TYPE xdpfw_rule_packets_total counter' "$TMP/m.txt"
then pass "$T: text format served"; else fail "$T: text format served" "$(head -3 "$TMP/h.txt" "$TMP/m.txt" | tr '\n' ' ')"; fi
if promtool check metrics <"$TMP/m.txt" >"$TMP/lint" 2>&1; then pass "$T: promtool check metrics"
else fail "$T: promtool check metrics" "$(head -5 "$TMP/lint" | tr '\n' ' ')"; fi
curl -sS -m 5 -D "$TMP/h2.txt" -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;q=0.5' \
	"http://$MADDR/metrics" >"$TMP/m.om"
if grep -qi '^content-type: application/openmetrics-text' "$TMP/h2.txt" && [ "$(tail -1 "$TMP/m.om")" = "# EOF" ] &&
   grep -q '^# TYPE xdpfw_rule_packets counter' "$TMP/m.om" && grep -q '^xdpfw_rule_packets_total{' "$TMP/m.om"
then pass "$T: OpenMetrics when asked"; else fail "$T: OpenMetrics when asked" "$(head -3 "$TMP/h2.txt" | tr '\n' ' ')"; fi
code=$(curl -s -m 5 -o /dev/null -w '%{http_code}' "http://$MADDR/nothing")
[ "$code" = 404 ] && pass "$T: unknown path is 404" || fail "$T: unknown path is 404" "got $code"

# label escaping per the exposition format (rule text holds no quote, so
# check the escaper through a HELP-free path: every label value must parse)
if python3 - "$TMP/m.txt" <<'PY'
import re, sys
lab = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="(\\.|[^"\\\n])*"(,|(?=\})))*\})? \S+$')
for l in open(sys.argv[1]):
    l = l.rstrip("\n")
    if l and not l.startswith("#"):
        assert lab.match(l), l
PY
then pass "$T: every sample line is well formed"; else fail "$T: every sample line is well formed"; fi

# ---- a real Prometheus scraping it ------------------------------------------
PPORT=$(free_port)
mkdir -p "$TMP/prom"
cat >"$TMP/prom.yml" <<YML
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: ["$ROOT/docs/xdpfw-monitoring/xdpfw-alerts.yml"]
scrape_configs:
  - job_name: xdpfw
    static_configs: [{targets: ["$MADDR"]}]
YML
timeout 120 prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/prom" \
	--web.listen-address="127.0.0.1:$PPORT" --log.level=warn >"$TMP/prom.log" 2>&1 &
PPID_=$!
on_exit "kill $PPID_; wait $PPID_"
PROM="http://127.0.0.1:$PPORT"
for _ in $(seq 100); do curl -sf -m 1 "$PROM/-/ready" >/dev/null && break; sleep 0.2; done
if ! curl -sf -m 2 "$PROM/-/ready" >/dev/null; then fail "$T: prometheus starts" "$(tail -3 "$TMP/prom.log")"; exit 0; fi
pass "$T: prometheus starts on 127.0.0.1:$PPORT"
# promq EXPR: the first result's value ("" if none)
promq() { curl -sf -m 3 "$PROM/api/v1/query" --data-urlencode "query=$1" |
	pyj 'r=d["data"]["result"]; print(r[0]["value"][1] if r else "")'; }

send_udp "$NS_A" "$IP_B" "$PD" 30
send_udp "$NS_A" "$IP_B" "$PA" 20
send_udp "$NS_B" "$IP_A" "$PA" 12	# through xdp-pass on IF_A
"${FWN[@]}" status -j >"$TMP/st.json"
ids=$(pyj 'print(" ".join("%d:%d:%d" % (r["id"], r["packets"], r["bytes"]) for r in d["rules"]))' <"$TMP/st.json")
dpk=$(pyj 'print([r["packets"] for r in d["rules"] if r["rule"].startswith("deny")][0])' <"$TMP/st.json")
[ "$dpk" -eq 30 ] && pass "$T: traffic hit the deny rule (30 packets)" || fail "$T: traffic hit the deny rule" "$dpk"
ok=0
for _ in $(seq 40); do	# scrapes every 1 s; bounded wait for the last one
	ok=1
	for t in $ids; do
		IFS=: read -r id pk by <<<"$t"
		[ "$(promq "xdpfw_rule_packets_total{id=\"$id\"}")" = "$pk" ] || ok=0
		[ "$(promq "xdpfw_rule_bytes_total{id=\"$id\"}")" = "$by" ] || ok=0
	done
	[ $ok = 1 ] && break
	sleep 0.5
done
if [ $ok = 1 ]; then pass "$T: Prometheus' per-rule counters equal xdpfw status -j ($ids)"
else fail "$T: Prometheus' per-rule counters equal xdpfw status -j" "status $ids; prometheus $(curl -s "$PROM/api/v1/query" --data-urlencode 'query=xdpfw_rule_packets_total' | head -c 400)"; fi
[ "$(promq 'up{job="xdpfw"}')" = 1 ] && pass "$T: target up (scraped via OpenMetrics)" || fail "$T: target up" "$(promq 'up')"
drop=$(promq 'xdpfw_dropped_packets_total{reason="rule"}')
[ "$drop" = 30 ] && pass "$T: drops by reason" || fail "$T: drops by reason" "rule drops $drop"
runs=$(promq 'sum(xdpfw_prog_runs_total)')
rt=$(promq 'sum(xdpfw_prog_run_seconds_total) > 0')
[ -n "$runs" ] && [ "$runs" -ge 50 ] && [ -n "$rt" ] && [ "$(promq 'xdpfw_bpf_stats_enabled')" = 1 ] &&
	pass "$T: BPF run count and time from the kernel's statistics ($runs runs, ${rt}s)" || fail "$T: BPF run statistics" "runs '$runs'"

bk=""
for _ in $(seq 20); do bk=$(promq 'bpfkit_prog_runs_total{prog="xdp_pass"}'); [ -n "$bk" ] && [ "$bk" -ge 12 ] && break; sleep 0.5; done
[ -n "$bk" ] && [ "$bk" -ge 12 ] && pass "$T: --prog-dir: bpfkit-pinned xdp-pass run count ($bk)" ||
	fail "$T: --prog-dir run count" "'$bk' (want >= 12)"

# applies: one ok at load; a failed one (too many rules for --max-rules 64)
a0=$(promq 'xdpfw_applies_total')
for i in $(seq 70); do echo "deny src 10.77.$i.0/24"; done >"$TMP/big.rules"
"$FW" apply "$TMP/big.rules" >/dev/null 2>&1 && fail "$T: an oversized apply fails" "it did not"
"$FW" apply "$TMP/fw.rules" >/dev/null
for _ in $(seq 20); do [ "$(promq 'xdpfw_apply_failures_total')" = 1 ] && [ "$(promq 'xdpfw_applies_total')" = $((a0 + 1)) ] && break; sleep 0.5; done
f=$(promq 'xdpfw_apply_failures_total'); a1=$(promq 'xdpfw_applies_total')
[ "$a0" -ge 1 ] && [ "$f" = 1 ] && [ "$a1" = $((a0 + 1)) ] && pass "$T: applies and failed applies counted ($a1, $f)" ||
	fail "$T: applies and failed applies counted" "applies $a0 -> $a1, failed $f"

# every query of the Grafana dashboard is valid PromQL and finds data
if python3 - "$ROOT/docs/xdpfw-monitoring/xdpfw-grafana-dashboard.json" "$PROM" <<'PY'
import json, sys, urllib.parse, urllib.request
d = json.load(open(sys.argv[1]))
for p in d["panels"]:
    for t in p["targets"]:
        q = t["expr"].replace("$instance", ".*").replace("$__rate_interval", "1m")
        r = json.load(urllib.request.urlopen(sys.argv[2] + "/api/v1/query?" + urllib.parse.urlencode({"query": q}), timeout=3))
        assert r["status"] == "success", (p["title"], r)
PY
then pass "$T: dashboard queries run in Prometheus"; else fail "$T: dashboard queries run in Prometheus"; fi
rules_ok=$(curl -sf -m 3 "$PROM/api/v1/rules" | pyj 'print(sum(len(g["rules"]) for g in d["data"]["groups"]))')
promtool check rules "$ROOT/docs/xdpfw-monitoring/xdpfw-alerts.yml" >/dev/null 2>&1 && [ "${rules_ok:-0}" -ge 5 ] &&
	pass "$T: alert rules valid and loaded by Prometheus ($rules_ok)" || fail "$T: alert rules" "loaded ${rules_ok:-0}"

# ---- cardinality cap ----------------------------------------------------
"$FW" metrics --once --max-rule-series 1 >"$TMP/cap.txt"
n=$(grep -c '^xdpfw_rule_packets_total{' "$TMP/cap.txt")
fo=$(awk '$1=="xdpfw_rule_series_folded"{print $2}' "$TMP/cap.txt")
fp=$(awk '$1=="xdpfw_folded_rule_packets"{print $2}' "$TMP/cap.txt")
grep -q '^# TYPE xdpfw_folded_rule_packets gauge$' "$TMP/cap.txt" && pass "$T: folded rules' sum is a gauge (it drops when a folded rule goes)" ||
	fail "$T: folded rules' sum is a gauge" "$(grep 'folded_rule_packets' "$TMP/cap.txt" | head -2)"
[ "$n" = 1 ] && [ "$fo" = 2 ] && [ -n "$fp" ] && pass "$T: --max-rule-series caps series, folded counted" ||
	fail "$T: --max-rule-series" "series $n, folded $fo"
"$FW" metrics --help | grep -q -- '--max-rule-series N' && pass "$T: --help states the cap" || fail "$T: --help states the cap"
# capacity is one set's rules (load --max-rules 64), what the near-capacity
# alert divides by, not the 2N slots both generations share
cap=$(awk '$1=="xdpfw_rule_capacity"{print $2}' "$TMP/cap.txt")
[ "$cap" = 64 ] && pass "$T: xdpfw_rule_capacity is --max-rules" || fail "$T: xdpfw_rule_capacity" "got '$cap', want 64"
# every table a set can fill, from what status shows (the trie and the
# port tables fill first on host lists and port-heavy sets), counted so
# that full is 1: the trie beside its two 2^16 roots (status counts it so
# too), the IPv6 table up to its half-full limit (a set of 64 rules at
# --max-rules 64 fits: < 1)
"$FW" status -j >"$TMP/st.json"
if python3 - "$TMP/cap.txt" "$TMP/st.json" <<'PY'
import json, re, sys
t, st = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))["tables"]
for name in ("classes", "trie", "ipv6", "ports"):
    ent = int(re.search(r'^xdpfw_table_entries\{table="%s"\} (\d+)' % name, t, re.M).group(1))
    cap = int(re.search(r'^xdpfw_table_slots\{table="%s"\} (\d+)' % name, t, re.M).group(1))
    exp = (st[name]["active_entries"], st[name]["capacity_per_generation"])
    assert (ent, cap) == exp, (name, ent, cap, exp)
    assert cap == (st[name]["slots_per_generation"] // 2 if name == "ipv6" else st[name]["slots_per_generation"]), name
    assert cap > 0 and ent < cap and (name in ("ipv6", "ports") or ent > 0), (name, ent, cap)
PY
then pass "$T: xdpfw_table_entries/slots: classes, trie, ipv6, ports, full at 1"
else fail "$T: table metrics" "$(grep '^xdpfw_table_' "$TMP/cap.txt" | tr '\n' ' ')"; fi

# ---- scrapes during applies: one generation, never a mix ----------------
printf 'policy allow\ndeny src 10.50.0.0/16\ndeny src 10.51.0.0/16\n' >"$TMP/A.rules"
printf 'policy deny\nallow src 10.60.0.0/16\nallow src 10.61.0.0/16\nallow src 10.62.0.0/16\nallow src 10.63.0.0/16\nallow src %s\n' "$IP_A" >"$TMP/B.rules"
"$FW" apply -q --force "$TMP/A.rules"
( for i in $(seq 60); do "$FW" apply -q --force "$TMP/A.rules" && "$FW" apply -q --force "$TMP/B.rules" || exit 1; done ) &
APID=$!
# scrape as fast as one client can until the applies are done (bounded)
read -r scrapes bad < <(timeout 90 python3 - "http://$MADDR/metrics" $APID <<'PY'
import os, re, sys, time, urllib.request
url, apid = sys.argv[1], int(sys.argv[2])
scrapes = bad = 0
end = time.time() + 80
def alive():
    try: os.kill(apid, 0); return True
    except OSError: return False
while alive() and time.time() < end:
    try: t = urllib.request.urlopen(url, timeout=5).read().decode()
    except Exception: continue
    scrapes += 1
    rules = sorted(re.findall(r'^xdpfw_rule_packets_total\{.*rule="([^"]*)"', t, re.M))
    n = int(re.search(r'^xdpfw_rules (\d+)', t, re.M).group(1))
    deny = re.search(r'^xdpfw_policy\{policy="deny"\} 1', t, re.M) is not None
    A = all(r.startswith("deny src 10.5") for r in rules) and len(rules) == 2 and not deny
    B = all(r.startswith("allow src") for r in rules) and len(rules) == 5 and deny
    if not (n == len(rules) and (A or B)):
        bad += 1
        open("/dev/stderr", "w").write("mixed: %r %r %r\n" % (n, rules, deny))
print(scrapes, bad)
PY
)
wait $APID; arc=$?
[ $bad = 0 ] && [ $scrapes -ge 5 ] && [ $arc = 0 ] && pass "$T: $scrapes scrapes during 120 applies each saw one whole rule set" ||
	fail "$T: scrapes during applies" "$bad of $scrapes mixed, applies rc $arc"

# deterministic: a scrape whose first read waits (test hook: after reading
# the rules, until a gate file exists) while an apply switches generations
# under it must read again and show the new set whole (without the re-check
# it shows set A's rules with the table of a cleared generation: 0 entries)
"$FW" apply -q --force "$TMP/A.rules"
XDPFW_TEST_SCRAPE_GATE=$TMP/scrape.gate "$FW" metrics --once >"$TMP/slow.txt" 2>"$TMP/slow.err" &
SLOW=$!
wait_for "$TMP/slow.err" "rules read; waiting" 60 || fail "$T: the gated scrape reads the rules" "$(cat "$TMP/slow.err")"
"$FW" apply -q --force "$TMP/B.rules"
touch "$TMP/scrape.gate"
wait $SLOW
if python3 - "$TMP/slow.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
rules = re.findall(r'^xdpfw_rule_packets_total\{.*rule="([^"]*)"', t, re.M)
trie = int(re.search(r'^xdpfw_table_entries\{table="trie"\} (\d+)', t, re.M).group(1))
assert len(rules) == 5 and all(r.startswith("allow src") for r in rules), rules
# set B's table: its /32 host takes trie entries past the roots; a cleared
# generation's table has none, and so has set A's (two /16s: root entries)
assert trie > 0, trie
PY
then pass "$T: a scrape that an apply overtook reads again: one whole generation"
else fail "$T: a scrape that an apply overtook" "$(grep -E '^xdpfw_(rules|table_entries|rule_packets)' "$TMP/slow.txt" | tr '\n' ' ')"; fi

# an applies map of another shape (another version's): never read into our
# struct; its series left out rather than shown as 0 (a counter reset), and
# applies still work
"$FW" metrics --once >"$TMP/al0.txt"
mv_ok=0
if rm -f "$XDPFW_PIN_DIR/xdpfw_applies" &&
   bpftool map create "$XDPFW_PIN_DIR/xdpfw_applies" type array key 4 value 64 entries 1 name xdpfw_applies 2>"$TMP/al.err"; then
	"$FW" apply -q --force "$TMP/A.rules" && "$FW" metrics --once >"$TMP/al.txt" && mv_ok=1
fi
if [ $mv_ok = 1 ] && grep -q '^xdpfw_applies_total ' "$TMP/al0.txt" && ! grep -q '^xdpfw_applies_total' "$TMP/al.txt" &&
   grep -q '^xdpfw_rules ' "$TMP/al.txt"; then pass "$T: an applies map of another shape: its series left out, applies work"
else fail "$T: an applies map of another shape" "$(head -c 300 "$TMP/al.err") $(grep -c applies "$TMP/al.txt" 2>/dev/null)"; fi

# slow clients (slowloris): 40 connections that send a header byte a second
# and never finish would hold all 32 the server allows (the idle timeout never
# fires); each request's absolute deadline (3 s here by the test hook, 20 s
# by default) cuts them, and a scrape waiting behind them gets through
XDPFW_TEST_HTTP_DEADLINE_S=3 "$FW" metrics --listen 127.0.0.1:0 >"$TMP/sl.out" 2>"$TMP/sl.err" &
SLPID=$!
on_exit "kill $SLPID"
for _ in $(seq 100); do grep -q serving "$TMP/sl.out" && break; sleep 0.1; done
SLADDR=$(grep -oE '127\.0\.0\.1:[0-9]+' "$TMP/sl.out" | head -1)
timeout 40 python3 - "$SLADDR" >"$TMP/sl.res" <<'PY' &
import socket, sys, time
host, port = sys.argv[1].rsplit(':', 1)
socks = []
for i in range(40):
    s = socket.create_connection((host, int(port)), timeout=2)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n")
    socks.append(s)
t0 = time.time(); cut = {}
while time.time() - t0 < 20 and len(cut) < len(socks):
    for i, s in enumerate(socks):
        if i not in cut:
            try:
                s.sendall(b"X")
            except OSError:
                cut[i] = time.time() - t0
    time.sleep(1)
print(len(cut), len(socks))
PY
SLOWPID=$!
sleep 1.5
t0=$(date +%s%N)
code=$(curl -s -m 12 -o "$TMP/sl.txt" -w '%{http_code}' "http://$SLADDR/metrics")
ms=$((($(date +%s%N) - t0) / 1000000))
wait $SLOWPID
read -r ncut nsocks <"$TMP/sl.res"
if [ "$code" = 200 ] && grep -q '^xdpfw_rules ' "$TMP/sl.txt" && [ "$ms" -lt 9000 ] && [ "${ncut:-0}" = 40 ]; then
	pass "$T: slow clients holding every connection are cut at the request deadline; a scrape gets through (${ms} ms)"
else fail "$T: slow clients are cut, a scrape gets through" "http $code after $ms ms; $ncut of $nsocks slow connections cut"; fi
# ... and clients that trickle a cheap request and finish it every 2.4 s (a
# completed request restarts the clock only when it came soon enough: 1.5 s
# under the 3 s hook, 12 s under the default 20) are cut all the same
timeout 40 python3 - "$SLADDR" >"$TMP/sl2.res" <<'PY'
import socket, sys, time
host, port = sys.argv[1].rsplit(':', 1)
socks = [socket.create_connection((host, int(port)), timeout=2) for _ in range(8)]
t0 = time.time(); cut = {}
while time.time() - t0 < 20 and len(cut) < len(socks):
    for part in (b"GET /x HTTP/1.1\r\n", b"Host: x\r\n", b"\r\n"):
        for i, s in enumerate(socks):
            if i not in cut:
                try:
                    s.sendall(part)
                except OSError:
                    cut[i] = time.time() - t0
        time.sleep(0.8)
    for i, s in enumerate(socks):     # read the 404 (or the close)
        if i not in cut:
            try:
                s.settimeout(0.2)
                if not s.recv(65536):
                    cut[i] = time.time() - t0
            except socket.timeout:
                pass
            except OSError:
                cut[i] = time.time() - t0
print(len(cut), len(socks), round(max(cut.values()), 1) if cut else -1)
PY
read -r ncut nsocks tmax <"$TMP/sl2.res"
if [ "${ncut:-0}" = 8 ]; then pass "$T: clients finishing a trickled request every 2.4 s are cut too (all 8 within ${tmax} s)"
else fail "$T: clients finishing trickled requests are cut" "$ncut of $nsocks cut (last at $tmax s)"; fi
kill $SLPID; wait $SLPID 2>/dev/null

kill -TERM $MPID; wait $MPID; rc=$?
if [ $rc = 0 ] && ! grep -qE 'Sanitizer|runtime error' "$TMP/m.err"; then pass "$T: exporter stops cleanly on SIGTERM"
else fail "$T: exporter stops cleanly" "rc $rc $(head -3 "$TMP/m.err")"; fi
