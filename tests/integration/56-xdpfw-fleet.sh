#!/bin/bash
# xdpfw for a fleet: a real etcd (started here on 127.0.0.1, free ports, temp
# data dir, bounded by timeout, stopped by PID) and three "hosts" — network
# namespaces with their own veth pair and xdpfw pin dir — each running
# `xdpfw sync`. Published sets reach every host and filter its traffic; a bad
# revision is refused by publish, and one forced in with etcdctl is reported
# by every agent while the old set stays; killing etcd leaves the last set
# enforced and the agents catch up after its restart; a SIGKILLed agent
# leaves its set in force, is flagged behind, and catches up when restarted;
# --if-revision refuses a stale compare-and-swap. Plus bad input.
source "$(dirname "$0")/../lib.sh"
FW=$BINDIR/xdpfw
need_root
for t in etcd etcdctl python3 ping curl; do
	command -v $t >/dev/null || { skip "xdpfw fleet" "$t missing (scripts/deps.sh)"; exit 0; }
done

# ---- etcd -----------------------------------------------------------------
source "$(dirname "$0")/../etcd.sh"
on_exit 'kill_etcd'
start_etcd fleet$UNIQ 900 || { fail "xdpfw fleet: etcd starts" "$(tail -3 "$TMP/fleet$UNIQ.log" | tr '\n' ' ')"; exit 0; }
KEY=/xdpfw-test/$UNIQ/rules
DEAD=http://127.0.0.1:$(free_port)	# nothing listens: agents must skip it
EPS=$DEAD,$E

# ---- hosts: namespaces h1..h3 on veth pairs to one sender namespace ----------
S=flS$UNIQ
ip netns add "$S" && on_exit ip netns del "$S"
ip netns exec "$S" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
X=$((RANDOM % 240 + 1))
H=() IFH=() IPH=() PIN=() APID=()
for i in 1 2 3; do
	H[i]=flH$i$UNIQ IFH[i]=fh$i$UNIQ IPH[i]=10.196.$((X + i)).2 PIN[i]=/sys/fs/bpf/xdpfw-fleet$i-$UNIQ
	ip netns add "${H[i]}" && on_exit ip netns del "${H[i]}"
	ip netns exec "${H[i]}" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip link add "fs$i$UNIQ" netns "$S" type veth peer name "${IFH[i]}" netns "${H[i]}" || { fail "xdpfw fleet: netns setup"; exit 0; }
	ip -n "$S" addr add "10.196.$((X + i)).1/24" dev "fs$i$UNIQ"
	ip -n "${H[i]}" addr add "${IPH[i]}/24" dev "${IFH[i]}"
	ip -n "$S" link set "fs$i$UNIQ" up
	ip -n "${H[i]}" link set "${IFH[i]}" up
	on_exit "rm -rf ${PIN[i]}"
	on_exit "$FW --pin-dir ${PIN[i]} unload --all --purge"
done

# pings NS->host i: 0 if it answers (a few tries: the first may meet ARP)
reaches() { local k; for k in 1 2 3; do ip netns exec "$S" ping -c1 -W1 -q "${IPH[$1]}" >/dev/null 2>&1 && return 0; done; return 1; }
blocked() { ! ip netns exec "$S" ping -c2 -W1 -q "${IPH[$1]}" >/dev/null 2>&1; }

start_agent() {	# i (the bound is a hang guard: on a loaded CI machine this
		# file has run 283 s, and an agent that outlives it is killed)
	timeout -k 5 900 "$FW" --pin-dir "${PIN[$1]}" --netns "${H[$1]}" sync --etcd "$EPS" --key "$KEY" \
		--name "h$1" --ttl 30 --max-rules 1000 "${IFH[$1]}" >>"$TMP/agent$1.log" 2>&1 &
	APID[$1]=$!
}
on_exit 'for p in "${APID[@]}"; do kill -9 $(pgrep -P $p) $p; done'

fleet_json() { "$FW" fleet status -j --etcd "$E" --key "$KEY" 2>/dev/null; }
# wait_hosts PYTHON-CONDITION SECONDS: until the condition on (hosts, top) holds
wait_hosts() {
	local end=$((SECONDS + $2))
	while ((SECONDS < end)); do
		fleet_json | python3 -c '
import json, sys
top = json.load(sys.stdin); hosts = {h["host"]: h for h in top["hosts"]}
sys.exit(0 if ('"$1"') else 1)' 2>/dev/null && return 0
		sleep 0.2
	done
	return 1
}
all_at() { wait_hosts "len(hosts) == 3 and all(h['state'] == 'ok' and h['revision'] == $1 for h in hosts.values())" "${2:-30}"; }
stored_rev() { "$FW" publish --show -j --etcd "$E" --key "$KEY" | python3 -c 'import json,sys; print(json.load(sys.stdin)["revision"])'; }
publish_rev() { "$FW" publish "$@" --etcd "$EPS" --key "$KEY" | sed -n 's/.*: revision \([0-9]*\),.*/\1/p'; }

cat >"$TMP/deny-icmp.rules" <<EOF
policy allow
deny src 10.196.0.0/16 proto icmp
EOF
cat >"$TMP/allow-icmp.rules" <<EOF
# default deny; only pings get in
policy deny
allow src 10.196.0.0/16 proto icmp
EOF
printf 'policy allow\ndeny src 10.196.0.0/33\n' >"$TMP/bad.rules"

# ---- help and bad input ----------------------------------------------------------
for c in publish sync fleet "fleet status"; do
	check "xdpfw fleet: $c --help" "$FW" $c --help
done
expect_fail "xdpfw fleet: publish refuses an invalid set" 1 'bad.rules:2:.*nothing published' \
	"$FW" publish "$TMP/bad.rules" --etcd "$E" --key "$KEY"
expect_fail "xdpfw fleet: ... and stored nothing" 1 'no rule set at' "$FW" publish --show --etcd "$E" --key "$KEY"
# publish reads its file as check does: bounded (a 17 MiB file or stdin is
# refused before anything is sent), and a directory is named as such
python3 -c 'import sys; sys.stdout.write("# padding\n" * ((17 << 20) // 10))' >"$TMP/huge.rules"
expect_fail "xdpfw fleet: publish refuses a file over the rules-file limit" 1 'more than 16 MiB.*nothing published' \
	timeout 20 "$FW" publish "$TMP/huge.rules" --etcd "$E" --key "$KEY"
expect_fail "xdpfw fleet: publish stops reading stdin at the limit" 1 'more than 16 MiB.*stopped reading.*nothing published' \
	timeout 20 bash -c '"$0" publish - --etcd "$1" --key "$2" <"$3"' "$FW" "$E" "$KEY" "$TMP/huge.rules"
# a set over etcd's request limit (3 MiB; etcd's gRPC server refuses above 2 MiB
# in its own words): the hint names etcd's --max-request-bytes
python3 -c 'import sys; sys.stdout.write("# padding\n" * ((3 << 20) // 10))' >"$TMP/big.rules"
expect_fail "xdpfw fleet: publish of a set over etcd's limit says which limit" 1 'max-request-bytes' \
	timeout 20 "$FW" publish "$TMP/big.rules" --etcd "$E" --key "$KEY"
expect_fail "xdpfw fleet: publish of a directory says so" 1 'is a directory.*nothing published' \
	"$FW" publish "$TMP" --etcd "$E" --key "$KEY"
expect_fail "xdpfw fleet: unreachable endpoint: one-line error" 1 "$DEAD.*(connect|refused)" \
	timeout 20 "$FW" publish "$TMP/deny-icmp.rules" --etcd "$DEAD" --key "$KEY"
# a server that accepts but never answers: bounded by --command-timeout
SILENT=$(free_port)
timeout 60 python3 -c 'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); time.sleep(60)' "$SILENT" &
SPID=$!; on_exit "kill $SPID"
for _ in $(seq 300); do ss -Hltn "( sport = :$SILENT )" | grep -q . && break; sleep 0.1; done
expect_fail "xdpfw fleet: silent endpoint: timeout, one-line error" 1 'timed out|Timeout' \
	timeout 20 "$FW" fleet status --etcd "http://127.0.0.1:$SILENT" --key "$KEY" --command-timeout 1s
NOTETCD=$(free_port)
(cd "$TMP" && exec timeout 60 python3 -m http.server --bind 127.0.0.1 "$NOTETCD" >/dev/null 2>&1) &
HPID=$!; on_exit "kill $HPID"
for _ in $(seq 300); do (echo >/dev/tcp/127.0.0.1/$NOTETCD) 2>/dev/null && break; sleep 0.1; done
expect_fail "xdpfw fleet: an HTTP server that is not etcd" 1 'HTTP [0-9]+.*etcd' \
	timeout 20 "$FW" publish "$TMP/deny-icmp.rules" --etcd "http://127.0.0.1:$NOTETCD" --key "$KEY"
# fake_etcd STATUS BODY: a server that answers every POST with STATUS and
# BODY; sets FAKE (its URL). Bounded by timeout, stopped by PID.
fake_etcd() {
	local port; port=$(free_port)
	timeout 60 python3 -c '
import http.server, sys
code, body = int(sys.argv[2]), sys.argv[3].encode()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(code); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()' "$port" "$1" "$2" &
	on_exit "kill $!"
	for _ in $(seq 300); do (echo >/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
	FAKE=http://127.0.0.1:$port
}
# an answer like etcd's that lists a key outside the prefix asked for:
# refused with one line, never read past that key (was an ASan
# heap-buffer-overflow in fleet status)
fake_etcd 200 '{"header": {"revision": "5"}, "kvs": [{"key": "YQ==", "value": "e30=", "mod_revision": "3"}]}'
expect_fail "xdpfw fleet: an answer listing a key outside the prefix" 1 "key 'a' outside '$KEY/hosts/'" \
	timeout 20 "$FW" fleet status --etcd "$FAKE" --key "$KEY"
# an error answer whose message holds a newline and a terminal escape: still
# one line, the escape made harmless
fake_etcd 400 '{"error": "x", "message": "bad\nthing\u001b[2J", "code": 3}'
expect_fail "xdpfw fleet: an error answer with control characters" 1 "bad.thing" \
	timeout 20 "$FW" fleet status --etcd "$FAKE" --key "$KEY"
if [ "$(wc -l <"$TMP/ef.err")" = 1 ] && ! grep -q $'\e' "$TMP/ef.err"; then pass "xdpfw fleet: ... printed as one harmless line"
else fail "xdpfw fleet: ... printed as one harmless line" "$(cat -v "$TMP/ef.err" | tr '\n' '|')"; fi
# a status forced in with etcdctl (not written by an agent) holding a newline
# and a terminal escape: fleet status prints it on its one line, made harmless
EK=$KEY-forged
etcdctl --endpoints "$E" put "$EK/hosts/forged" '{"error":"x\nFAKE-HOST ok\u001b[2J","revision":1}' >/dev/null
"$FW" fleet status --etcd "$E" --key "$EK" >"$TMP/forged.out" 2>&1
if [ "$(wc -l <"$TMP/forged.out")" = 3 ] && ! grep -q '^FAKE-HOST' "$TMP/forged.out" && ! grep -q $'\e' "$TMP/forged.out"; then
	pass "xdpfw fleet: status prints a forged report's control characters harmlessly"
else fail "xdpfw fleet: status prints a forged report's control characters harmlessly" "$(cat -v "$TMP/forged.out" | tr '\n' '|')"; fi
# a report under a host name that is not UTF-8 (only etcdctl can put one):
# still listed in the JSON, as every host counted is
etcdctl --endpoints "$E" put "$EK/hosts/bad"$'\xff' '{"revision":1}' >/dev/null
if "$FW" fleet status -j --etcd "$E" --key "$EK" 2>/dev/null | python3 -c '
import json, sys
t = json.load(sys.stdin)
sys.exit(not (len(t["hosts"]) == 2 == t["ok"] + t["behind"] + t["failing"]))'; then
	pass "xdpfw fleet: status -j lists a host whose name is not UTF-8"
else fail "xdpfw fleet: status -j lists a host whose name is not UTF-8" "$("$FW" fleet status -j --etcd "$E" --key "$EK" 2>&1 | tr '\n' ' ')"; fi
expect_fail "xdpfw fleet: empty key" 2 "key '' is empty" "$FW" publish "$TMP/deny-icmp.rules" --etcd "$E" --key ""
expect_fail "xdpfw fleet: key with a space" 2 "space" "$FW" fleet status --etcd "$E" --key "a b"
expect_fail "xdpfw fleet: key under hosts/" 2 "hosts" "$FW" publish --show --etcd "$E" --key "$KEY/hosts/x"
expect_fail "xdpfw fleet: no --etcd" 2 'missing --etcd' "$FW" publish "$TMP/deny-icmp.rules" --key "$KEY"
expect_fail "xdpfw fleet: not an http URL" 2 'not an http' "$FW" fleet status --etcd "ftp://127.0.0.1:$CPORT" --key "$KEY"
expect_fail "xdpfw fleet: bad --if-revision" 2 'if-revision' "$FW" publish "$TMP/deny-icmp.rules" --etcd "$E" --key "$KEY" --if-revision -3
expect_fail "xdpfw fleet: bad --dial-timeout" 2 'duration' "$FW" fleet status --etcd "$E" --key "$KEY" --dial-timeout soon
expect_fail "xdpfw fleet: --dial-timeout nan" 2 'duration' "$FW" fleet status --etcd "$E" --key "$KEY" --dial-timeout nan
expect_fail "xdpfw fleet: --cert without --key-file" 2 'go together' "$FW" fleet status --etcd "$E" --key "$KEY" --cert /nonexistent
# credentials longer than the client keeps: refused, not cut and sent
expect_fail "xdpfw fleet: a --token longer than 1023 bytes" 2 'token.*longer' \
	"$FW" fleet status --etcd "$E" --key "$KEY" --token "$(printf 't%.0s' {1..1100})"
expect_fail "xdpfw fleet: a --user name longer than 255 bytes" 2 'user.*longer' \
	"$FW" fleet status --etcd "$E" --key "$KEY" --user "$(printf 'u%.0s' {1..300}):pw"
expect_fail "xdpfw fleet: unknown fleet verb" 2 'unknown verb' "$FW" fleet stats
expect_fail "xdpfw fleet: sync on a missing interface" 1 "interface 'nosuch0' not found" \
	"$FW" --pin-dir "${PIN[1]}" --netns "${H[1]}" sync --etcd "$E" --key "$KEY" nosuch0
expect_fail "xdpfw fleet: sync without interfaces needs a loaded firewall" 1 'not loaded' \
	"$FW" --pin-dir "${PIN[1]}" sync --etcd "$E" --key "$KEY"
expect_fail "xdpfw fleet: sync with a bad --max-rules" 2 'max-rules' \
	"$FW" --pin-dir "${PIN[1]}" sync --etcd "$E" --key "$KEY" --max-rules 0 "${IFH[1]}"
expect_fail "xdpfw fleet: sync with a bad host name" 2 'not a DNS-like name' \
	"$FW" --pin-dir "${PIN[1]}" sync --etcd "$E" --key "$KEY" --name 'a/b' "${IFH[1]}"
if [ ! -e "${PIN[1]}" ]; then pass "xdpfw fleet: refused syncs left no state"; else fail "xdpfw fleet: refused syncs left no state" "${PIN[1]} exists"; fi

# ---- three hosts converge -----------------------------------------------------
for i in 1 2 3; do reaches $i || fail "xdpfw fleet: host $i reachable before" "no ping answer"; done
for i in 1 2 3; do start_agent $i; done
# before any set exists the agents wait (reporting it), attached to nothing
if wait_hosts "len(hosts) == 3 and all('no rule set' in h['error'] for h in hosts.values())" 30; then
	pass "xdpfw fleet: 3 agents report 'no rule set yet' before the first publish"
else fail "xdpfw fleet: 3 agents report before the first publish" "$(fleet_json | tr '\n' ' ' | head -c 400)"; fi
R1=$(publish_rev "$TMP/deny-icmp.rules")
if [ -n "$R1" ] && all_at "$R1"; then pass "xdpfw fleet: 3 hosts converge on revision $R1"
else fail "xdpfw fleet: 3 hosts converge" "revision '$R1': $(fleet_json | tr '\n' ' ' | head -c 400)"; fi
ok=0; for i in 1 2 3; do blocked $i && ok=$((ok + 1)); done
hits=0; for i in 1 2 3; do
	n=$("$FW" --pin-dir "${PIN[i]}" rule list -j | python3 -c 'import json,sys; print(sum(r["packets"] for r in json.load(sys.stdin) if r["action"] == "deny"))')
	[ "${n:-0}" -gt 0 ] && hits=$((hits + 1))
done
if [ $ok = 3 ] && [ $hits = 3 ]; then pass "xdpfw fleet: every host drops the denied traffic (and counts it)"
else fail "xdpfw fleet: every host drops the denied traffic" "$ok blocked, $hits counted"; fi
# an agent whose state would sit inside a host's: refused before it makes anything
expect_fail "xdpfw fleet: sync with a --pin-dir inside another state" 1 \
	"state directory '${PIN[1]}/inner' is inside the xdpfw state in '${PIN[1]}'" \
	"$FW" --pin-dir "${PIN[1]}/inner" --netns "${H[1]}" sync --etcd "$E" --key "$KEY" lo
if [ ! -e "${PIN[1]}/inner" ]; then pass "xdpfw fleet: the refused nested sync made nothing"
else fail "xdpfw fleet: the refused nested sync made nothing" "$(ls -A "${PIN[1]}/inner")"; fi

# the longest key (512 bytes) and host name (253) an agent accepts: it reports
# under KEY/hosts/NAME whole, not under a cut-off name. It follows a key
# with no set, so host 1's rules stay as they are. -k: once, under load, an
# agent's exit hung in LeakSanitizer's stop-the-world with TERM blocked, and
# held the test for its whole time limit.
LK=$KEY/$(printf 'k%.0s' $(seq $((512 - ${#KEY} - 1)))); LN=$(printf 'n%.0s' $(seq 253))
timeout -k 5 60 "$FW" --pin-dir "${PIN[1]}" sync --etcd "$E" --key "$LK" --name "$LN" >"$TMP/long.log" 2>&1 &
LPID=$!
long_host() { "$FW" fleet status -j --etcd "$E" --key "$LK" 2>/dev/null |
	python3 -c 'import json,sys; h = json.load(sys.stdin)["hosts"]; sys.exit(not (len(h) == 1 and h[0]["host"] == sys.argv[1]))' "$LN"; }
ok=0; for _ in $(seq 50); do long_host && { ok=1; break; }; sleep 0.2; done
if [ $ok = 1 ]; then pass "xdpfw fleet: a 512-byte key and a 253-byte host name: reported whole"
else fail "xdpfw fleet: a 512-byte key and a 253-byte host name: reported whole" \
	"$("$FW" fleet status --etcd "$E" --key "$LK" 2>&1 | tail -1 | cut -c1-60)... $(tail -2 "$TMP/long.log")"; fi
kill "$LPID" 2>/dev/null; wait "$LPID" 2>/dev/null

"$FW" publish --show -j --etcd "$E" --key "$KEY" | python3 -c 'import json,sys; sys.exit(json.load(sys.stdin)["value"] != open(sys.argv[1]).read())' "$TMP/deny-icmp.rules" &&
	pass "xdpfw fleet: the stored set is the published file, byte for byte" ||
	fail "xdpfw fleet: the stored set is the published file, byte for byte"

# host 1's link detached behind the agent's back (bpftool link detach; the
# pin stays): the agent's look every 2 s attaches it again, no new revision
# needed
xdp_h1() { ip -n "${H[1]}" link show "${IFH[1]}" | grep -q 'prog/xdp'; }
DETACHED=0
att0=$(grep -c "attached to '${IFH[1]}'" "$TMP/agent1.log")
if bpftool link detach pinned "${PIN[1]}/link_${IFH[1]}" 2>/dev/null; then
	DETACHED=1
	for _ in $(seq 50); do xdp_h1 && break; sleep 0.2; done
fi
# host 2 unloaded whole behind its agent (the program's pin goes, the rules
# stay): the next revision's load loads the datapath anew, which writes the
# kept tables again; the agent must not take that for a local change
xdp_h2() { ip -n "${H[2]}" link show "${IFH[2]}" | grep -q 'prog/xdp'; }
UNLOADED2=0
"$FW" --pin-dir "${PIN[2]}" unload --all >/dev/null 2>&1 && ! xdp_h2 && UNLOADED2=1
# ---- a new revision, with compare-and-swap ---------------------------------------
R2=$(publish_rev - --if-revision "$R1" <"$TMP/allow-icmp.rules")
if [ -n "$R2" ] && all_at "$R2"; then pass "xdpfw fleet: a new revision ($R2, from stdin, --if-revision $R1) reaches all hosts"
else fail "xdpfw fleet: a new revision reaches all hosts" "revision '$R2': $(fleet_json | tr '\n' ' ' | head -c 400)"; fi
ok=0; for i in 1 2 3; do reaches $i && ok=$((ok + 1)); done
if [ $ok = 3 ]; then pass "xdpfw fleet: ... and every host enforces it (pings pass again)"; else fail "xdpfw fleet: every host enforces the new revision" "$ok/3 answer"; fi
if [ $DETACHED = 0 ]; then skip "xdpfw fleet: a detached link is attached again" "bpftool link detach is not available here"
elif xdp_h1 && [ "$(grep -c "attached to '${IFH[1]}'" "$TMP/agent1.log")" -gt "$att0" ]; then pass "xdpfw fleet: host 1's link, detached behind the agent's back, is attached again by the agent"
else fail "xdpfw fleet: a detached link is attached again" "$(tail -3 "$TMP/agent1.log" | tr '\n' ' ')"; fi
sleep 3	# past the agents' drift check (every 2 s)
if [ $UNLOADED2 = 1 ] && xdp_h2 && wait_hosts "hosts['h2']['state'] == 'ok' and hosts['h2']['revision'] == $R2" 5; then
	pass "xdpfw fleet: host 2, unloaded whole behind the agent, is loaded again with the next revision, no local change reported"
else fail "xdpfw fleet: host 2 unloaded whole, loaded again" "unloaded $UNLOADED2: $(fleet_json | tr '\n' ' ' | head -c 400)"; fi
expect_fail "xdpfw fleet: --if-revision with a stale revision is refused" 1 "is at revision $R2, not $R1" \
	"$FW" publish "$TMP/deny-icmp.rules" --etcd "$E" --key "$KEY" --if-revision "$R1"
expect_fail "xdpfw fleet: --if-revision 0 on an existing key is refused" 1 "already exists" \
	"$FW" publish "$TMP/deny-icmp.rules" --etcd "$E" --key "$KEY" --if-revision 0
if [ "$(stored_rev)" = "$R2" ]; then pass "xdpfw fleet: refused publishes changed nothing"; else fail "xdpfw fleet: refused publishes changed nothing" "stored $(stored_rev)"; fi

# ---- a bad revision -----------------------------------------------------------------
expect_fail "xdpfw fleet: publish refuses a bad revision" 1 'nothing published' \
	"$FW" publish "$TMP/bad.rules" --etcd "$E" --key "$KEY"
etcdctl --endpoints "$E" put "$KEY" "$(cat "$TMP/bad.rules")" >/dev/null
RB=$(stored_rev)
if wait_hosts "len(hosts) == 3 and all(h['state'] == 'failing' and h['failed_revision'] == $RB and h['revision'] == $R2 and \"'33'\" in h['error'] for h in hosts.values())" 30; then
	pass "xdpfw fleet: a bad revision forced in with etcdctl is reported by every agent"
else fail "xdpfw fleet: a bad revision forced in is reported by every agent" "$(fleet_json | tr '\n' ' ' | head -c 500)"; fi
# bytes that are not UTF-8 cannot go into the JSON reports as they are
etcdctl --endpoints "$E" put "$KEY" $'policy allow\ndeny src \xff\xfe' >/dev/null
RB2=$(stored_rev)
if [ -n "$RB2" ] && wait_hosts "len(hosts) == 3 and all(h['state'] == 'failing' and h['failed_revision'] == $RB2 and h['revision'] == $R2 for h in hosts.values())" 30; then
	pass "xdpfw fleet: a forced revision that is not UTF-8 is reported by every agent"
else fail "xdpfw fleet: a forced non-UTF-8 revision" "revision '$RB2': $(fleet_json | tr '\n' ' ' | head -c 400)"; fi
ok=0; for i in 1 2 3; do
	reaches $i && "$FW" --pin-dir "${PIN[i]}" save | grep -q '^policy deny' && ok=$((ok + 1))
done
if [ $ok = 3 ]; then pass "xdpfw fleet: ... while every host keeps revision $R2"; else fail "xdpfw fleet: hosts keep the old set" "$ok/3"; fi
if "$FW" publish --show --etcd "$E" --key "$KEY" | head -1 | grep -q INVALID; then pass "xdpfw fleet: publish --show flags the stored set invalid"
else fail "xdpfw fleet: publish --show flags the stored set invalid"; fi

# a valid set that does not fit the hosts' maps (--max-rules 1000): publish
# takes it, every agent reports the apply failure and keeps its set
python3 -c 'import sys
print("policy allow")
for i in range(1200): print("deny src 172.%d.%d.0/24" % (16 + i // 256, i % 256))' >"$TMP/big.rules"
RBIG=$(publish_rev "$TMP/big.rules")
if [ -n "$RBIG" ] && wait_hosts "len(hosts) == 3 and all(h['state'] == 'failing' and h['failed_revision'] == $RBIG and h['revision'] == $R2 and 'more rules than' in h['error'] for h in hosts.values())" 30; then
	ok=0; for i in 1 2 3; do reaches $i && "$FW" --pin-dir "${PIN[i]}" save | grep -q '^policy deny' && ok=$((ok + 1)); done
	if [ $ok = 3 ]; then pass "xdpfw fleet: a set that fails to apply (too many rules) is reported by every agent, the old set stays"
	else fail "xdpfw fleet: a set that fails to apply: old set stays" "$ok/3"; fi
else fail "xdpfw fleet: a set that fails to apply is reported" "revision '$RBIG': $(fleet_json | tr '\n' ' ' | head -c 400)"; fi

# the operator does what host 1's failure says (load again with a larger
# --max-rules): its agent tries the revision again by itself
"$FW" --pin-dir "${PIN[1]}" unload --all --purge >/dev/null 2>&1
# (purged meanwhile: reported, and not made again behind the operator)
if wait_hosts "hosts['h1']['state'] == 'failing' and 'unloaded with --purge' in hosts['h1']['error']" 10 && [ ! -e "${PIN[1]}/prog" ]; then
	pass "xdpfw fleet: a purged firewall is reported, not loaded again by the agent"
else fail "xdpfw fleet: a purged firewall is reported" "$(ls "${PIN[1]}" 2>&1 | head -3 | tr '\n' ' ') $(fleet_json | tr '\n' ' ' | head -c 300)"; fi
"$FW" --pin-dir "${PIN[1]}" --netns "${H[1]}" load "${IFH[1]}" --max-rules 2000 >/dev/null 2>&1
if wait_hosts "hosts['h1']['state'] == 'ok' and hosts['h1']['revision'] == $RBIG and hosts['h2']['state'] == 'failing'" 20 &&
   grep -q "trying revision $RBIG again" "$TMP/agent1.log"; then
	pass "xdpfw fleet: a set that did not fit is applied once the host is loaded larger, no new revision needed"
else fail "xdpfw fleet: a set that did not fit is retried on a larger host" "$(fleet_json | tr '\n' ' ' | head -c 400) $(tail -2 "$TMP/agent1.log" | tr '\n' ' ')"; fi

# a local change on a host already failing (RBIG did not fit host 2) is
# reported beside that failure, not hidden by it
"$FW" --pin-dir "${PIN[2]}" rule add deny src 192.0.2.2 >/dev/null
if wait_hosts "'more rules than' in hosts['h2']['error'] and 'changed locally after revision $R2' in hosts['h2']['error']" 15; then
	pass "xdpfw fleet: a local change beside a reported failure is reported too"
else fail "xdpfw fleet: a local change beside a failure is reported" "$(fleet_json | tr '\n' ' ' | head -c 400)"; fi

# publish --max-rules 1000: the same set compiled here first, as on the
# hosts, and refused before etcd sees it; a set that fits goes out
before=$(stored_rev)
expect_fail "xdpfw fleet: publish --max-rules refuses a set the hosts cannot hold" 1 \
	"1200 rules do not fit --max-rules 1000 \(as the hosts' sync --max-rules\)" \
	"$FW" publish "$TMP/big.rules" --max-rules 1000 --etcd "$EPS" --key "$KEY"
if grep -q "nothing published" "$TMP/ef.err" && [ "$(stored_rev)" = "$before" ]; then pass "xdpfw fleet: ... and stores nothing"
else fail "xdpfw fleet: publish --max-rules: stores nothing" "revision $(stored_rev), was $before"; fi
expect_fail "xdpfw fleet: publish --show --max-rules" 2 "--show takes neither" \
	"$FW" publish --show --max-rules 1000 --etcd "$EPS" --key "$KEY"

# ---- etcd killed, restarted -----------------------------------------------------------
R3=$(publish_rev "$TMP/deny-icmp.rules" --max-rules 1000)
all_at "$R3" || fail "xdpfw fleet: hosts converge on $R3" "$(fleet_json | tr '\n' ' ' | head -c 300)"
# host 3's interface deleted and created again (a replugged NIC, a VLAN
# remade): the agent reports it unfiltered, then attaches again by itself
ip -n "$S" link del "fs3$UNIQ"
if wait_hosts "hosts['h3']['state'] == 'failing' and 'attaching to' in hosts['h3']['error']" 15; then
	pass "xdpfw fleet: an interface gone is reported failing"
else fail "xdpfw fleet: an interface gone is reported failing" "$(fleet_json | tr '\n' ' ' | head -c 400)"; fi
# ... and a local change made meanwhile: reported beside it, and still
# reported (alone) once the interface is attached again
"$FW" --pin-dir "${PIN[3]}" rule add deny src 192.0.2.3 >/dev/null
wait_hosts "'attaching to' in hosts['h3']['error'] and 'changed locally' in hosts['h3']['error']" 10 ||
	fail "xdpfw fleet: a local change beside an interface gone is reported" "$(fleet_json | tr '\n' ' ' | head -c 400)"
ip link add "fs3$UNIQ" netns "$S" type veth peer name "${IFH[3]}" netns "${H[3]}" &&
ip -n "$S" addr add "10.196.$((X + 3)).1/24" dev "fs3$UNIQ" && ip -n "${H[3]}" addr add "${IPH[3]}/24" dev "${IFH[3]}" &&
ip -n "$S" link set "fs3$UNIQ" up && ip -n "${H[3]}" link set "${IFH[3]}" up
if wait_hosts "len(hosts) == 3 and all(h['revision'] == $R3 for h in hosts.values()) and hosts['h1']['state'] == 'ok' and hosts['h2']['state'] == 'ok' and 'changed locally' in hosts['h3']['error'] and 'attaching to' not in hosts['h3']['error']" 25 &&
   ip -n "${H[3]}" link show "${IFH[3]}" | grep -q 'prog/xdp' && blocked 3; then
	pass "xdpfw fleet: ... created again, the agent attaches and filters again (revision $R3)"
else fail "xdpfw fleet: an interface created again is attached again" "$(ip -n "${H[3]}" link show "${IFH[3]}" | head -2 | tr '\n' ' ') $(tail -3 "$TMP/agent3.log" | tr '\n' ' ')"; fi
# host 2 unloaded (rules kept) and another XDP program put on its interface:
# the agent's loads write its own rules again and fail to attach; that is
# reported as unfiltered, not as a local change, and clears once the
# interface is free
for _ in 1 2 3; do
	"$FW" --pin-dir "${PIN[2]}" unload "${IFH[2]}" >/dev/null 2>&1
	ip -n "${H[2]}" link set dev "${IFH[2]}" xdp obj "$BPFDIR/xdp-pass.bpf.o" sec xdp 2>/dev/null && break
done
if wait_hosts "'attaching to' in hosts['h2']['error']" 15 && sleep 3 &&
   wait_hosts "'attaching to' in hosts['h2']['error'] and 'changed locally' not in hosts['h2']['error']" 2; then
	pass "xdpfw fleet: a failed attach after an unload is not taken for a local change"
else fail "xdpfw fleet: a failed attach is not a local change" "$(fleet_json | tr '\n' ' ' | head -c 400)"; fi
# a new revision meanwhile is applied, and the interface still reported
# unfiltered (was: the error cleared with the apply, 'ok' while unfiltered)
{ cat "$TMP/deny-icmp.rules"; echo "# the same rules, another revision"; } >"$TMP/deny-icmp2.rules"
R3B=$(publish_rev "$TMP/deny-icmp2.rules")
if [ -n "$R3B" ] && wait_hosts "hosts['h2']['revision'] == $R3B and hosts['h1']['revision'] == $R3B" 15 && sleep 2.5 &&
   wait_hosts "hosts['h2']['state'] == 'failing' and 'attaching to' in hosts['h2']['error']" 2; then
	pass "xdpfw fleet: a revision applied while an interface cannot attach leaves it reported unfiltered"
else fail "xdpfw fleet: a revision applied during a failed attach" "$(fleet_json | tr '\n' ' ' | head -c 400)"; fi
ip -n "${H[2]}" link set dev "${IFH[2]}" xdp off
if wait_hosts "hosts['h2']['state'] == 'ok' and hosts['h2']['revision'] == $R3B" 25 && blocked 2; then
	pass "xdpfw fleet: ... and once the interface is free the agent attaches again, ok"
else fail "xdpfw fleet: attached again once free" "$(fleet_json | tr '\n' ' ' | head -c 400)"; fi
# the same rules written again by an operator's own unload and load (the
# datapath loaded anew stamps them anew): not a local change
"$FW" --pin-dir "${PIN[1]}" unload "${IFH[1]}" >/dev/null 2>&1
"$FW" --pin-dir "${PIN[1]}" --netns "${H[1]}" load "${IFH[1]}" >/dev/null 2>&1
# (the agent may try to attach meanwhile and fail once: retried in 10 s)
sleep 4.5
if wait_hosts "hosts['h1']['state'] == 'ok' and hosts['h1']['revision'] == $R3B" 15 && blocked 1; then
	pass "xdpfw fleet: the same rules written again by an unload and load are not a local change"
else fail "xdpfw fleet: unload and load are not a local change" "$(fleet_json | tr '\n' ' ' | head -c 400)"; fi
# a local change on a synced host is reported (and replaced by the next revision)
"$FW" --pin-dir "${PIN[1]}" rule add deny src 192.0.2.1 >/dev/null
if wait_hosts "hosts['h1']['state'] == 'failing' and 'changed locally' in hosts['h1']['error'] and hosts['h2']['state'] == 'ok'" 15; then
	pass "xdpfw fleet: a local change on a synced host is reported"
else fail "xdpfw fleet: a local change is reported" "$(fleet_json | tr '\n' ' ' | head -c 400)"; fi

n0=$(wc -l <"$TMP/agent1.log")	# (the log is the whole run's: look past here)
kill_etcd
sleep 1
ok=0; for i in 1 2 3; do blocked $i && kill -0 "${APID[i]}" 2>/dev/null && ok=$((ok + 1)); done
if [ $ok = 3 ]; then pass "xdpfw fleet: etcd killed: every host still filters with revision $R3, agents keep running"
else fail "xdpfw fleet: etcd killed: hosts keep filtering" "$ok/3"; fi
tail -n +$((n0 + 1)) "$TMP/agent1.log" >"$TMP/agent1.new"
for _ in $(seq 300); do
	grep -qE 'retrying with backoff|lost etcd' "$TMP/agent1.new" && break
	sleep 0.1; tail -n +$((n0 + 1)) "$TMP/agent1.log" >"$TMP/agent1.new"
done
if grep -qE 'retrying with backoff|lost etcd' "$TMP/agent1.new"; then pass "xdpfw fleet: the agents notice and retry"
else fail "xdpfw fleet: the agents notice and retry" "$(tail -2 "$TMP/agent1.new" | tr '\n' ' ')"; fi
RESTART=1 start_etcd fleet$UNIQ 900 || { fail "xdpfw fleet: etcd restarts" "$(tail -3 "$TMP/fleet$UNIQ.log" | tr '\n' ' ')"; exit 0; }
R4=$(publish_rev "$TMP/allow-icmp.rules")
if [ -n "$R4" ] && all_at "$R4" 40; then
	ok=0; for i in 1 2 3; do reaches $i && ok=$((ok + 1)); done
	if [ $ok = 3 ]; then pass "xdpfw fleet: etcd restarted: every agent catches up with revision $R4"
	else fail "xdpfw fleet: etcd restarted: agents catch up" "status ok but $ok/3 hosts enforce it"; fi
else fail "xdpfw fleet: etcd restarted: agents catch up" "revision '$R4': $(fleet_json | tr '\n' ' ' | head -c 400)"; fi

# ---- agent SIGKILL and restart ----------------------------------------------------------
kill -9 "$(pgrep -P "${APID[2]}" | head -1)" 2>/dev/null; wait "${APID[2]}" 2>/dev/null
R5=$(publish_rev "$TMP/deny-icmp.rules")
if wait_hosts "hosts['h1']['revision'] == $R5 and hosts['h3']['revision'] == $R5 and hosts['h2']['state'] == 'behind' and hosts['h2']['revision'] == $R4" 30; then
	pass "xdpfw fleet: a killed agent's host is flagged behind"
else fail "xdpfw fleet: a killed agent's host is flagged behind" "$(fleet_json | tr '\n' ' ' | head -c 400)"; fi
if reaches 2 && "$FW" --pin-dir "${PIN[2]}" save | grep -q '^policy deny'; then pass "xdpfw fleet: ... and still enforces revision $R4"
else fail "xdpfw fleet: a killed agent's host still enforces its set"; fi
start_agent 2
if all_at "$R5" && blocked 2; then pass "xdpfw fleet: the restarted agent catches up with revision $R5"
else fail "xdpfw fleet: the restarted agent catches up" "$(fleet_json | tr '\n' ' ' | head -c 400)"; fi
"$FW" fleet status --etcd "$E" --key "$KEY" --check >"$TMP/fs.out" 2>&1
if [ $? = 0 ] && grep -q "3 hosts: 3 ok" "$TMP/fs.out"; then pass "xdpfw fleet: fleet status --check"; else fail "xdpfw fleet: fleet status --check" "$(head -2 "$TMP/fs.out" | tr '\n' ' ')"; fi

"$FW" fleet status --etcd "$E" --key "$KEY" --expect h1,h2,h3,h9 >"$TMP/fs.out" 2>&1
rc1=$?
"$FW" fleet status --etcd "$E" --key "$KEY" --expect h1,h2,h3,h9 --check >/dev/null 2>&1
rc2=$?
if [ $rc1 = 0 ] && [ $rc2 = 1 ] && grep -q "3 ok, 0 behind, 0 failing, 1 missing" "$TMP/fs.out" && grep -qE '^h9 +missing' "$TMP/fs.out"; then
	pass "xdpfw fleet: fleet status --expect flags a host that does not report"
else fail "xdpfw fleet: fleet status --expect" "exits $rc1/$rc2: $(head -6 "$TMP/fs.out" | tr '\n' ' ')"; fi

etcdctl --endpoints "$E" put "$KEY/hosts/junk" 'not {json' >/dev/null
if wait_hosts "hosts['junk']['state'] == 'failing' and 'not JSON' in hosts['junk']['error'] and hosts['h1']['state'] == 'ok'" 5; then
	pass "xdpfw fleet: fleet status survives a report that is not JSON (flagged failing)"
else fail "xdpfw fleet: fleet status with a junk report" "$(fleet_json 2>&1 | head -c 300)"; fi
etcdctl --endpoints "$E" del "$KEY/hosts/junk" >/dev/null

# ---- compaction: a watch that starts below the compacted revision ------------------------
# agent 3 restarts and (test hook) waits between its read and its watch
# until the gate file exists; meanwhile two revisions are published and etcd
# compacts past them, so etcd cancels the watch the agent then opens; the
# agent must read again. (A gate, not a fixed delay: on a loaded machine
# publishing twice and compacting took more than 6 s.)
kill -TERM "$(pgrep -P "${APID[3]}" | head -1)"; wait "${APID[3]}"
XDPFW_SYNC_TEST_WATCH_GATE=$TMP/watch.gate start_agent 3
if wait_for "$TMP/agent3.log" 'test: waiting' 60; then
	publish_rev "$TMP/allow-icmp.rules" >/dev/null
	R7=$(publish_rev "$TMP/deny-icmp.rules")
	etcdctl --endpoints "$E" compact "$(stored_rev)" >/dev/null
	touch "$TMP/watch.gate"
	if all_at "$R7" && wait_for "$TMP/agent3.log" 'compacted; reading' 10; then
		pass "xdpfw fleet: a watch cancelled by compaction is recovered by reading again"
	else fail "xdpfw fleet: compaction" "$(tail -3 "$TMP/agent3.log" | tr '\n' ' ')"; fi
else fail "xdpfw fleet: compaction" "agent 3 did not restart: $(tail -2 "$TMP/agent3.log" | tr '\n' ' ')"; fi

# ---- clean stop: reports withdrawn, rules stay, no sanitizer report ------------------------
for i in 1 2 3; do kill -TERM "$(pgrep -P "${APID[i]}" | head -1)" 2>/dev/null; done
rcs=""; for i in 1 2 3; do wait "${APID[i]}"; rcs="$rcs$?"; done
APID=()
if [ "$rcs" = 000 ] && wait_hosts "len(hosts) == 0" 10 && blocked 1; then
	pass "xdpfw fleet: SIGTERM stops the agents (exit 0), withdraws their reports, leaves the rules"
else fail "xdpfw fleet: SIGTERM stops the agents" "exits $rcs; $(fleet_json | tr '\n' ' ' | head -c 300)"; fi
if grep -lE 'AddressSanitizer|LeakSanitizer|runtime error' "$TMP"/agent*.log >/dev/null; then
	fail "xdpfw fleet: no sanitizer report from the agents" "$(grep -hm1 -E 'Sanitizer|runtime error' "$TMP"/agent*.log)"
else pass "xdpfw fleet: no sanitizer report from the agents"; fi
gone=0; for i in 1 2 3; do "$FW" --pin-dir "${PIN[i]}" unload --all --purge && [ ! -e "${PIN[i]}" ] && gone=$((gone + 1)); done
if [ $gone = 3 ]; then pass "xdpfw fleet: unload --purge removes each host's state"; else fail "xdpfw fleet: unload --purge" "$gone/3"; fi
