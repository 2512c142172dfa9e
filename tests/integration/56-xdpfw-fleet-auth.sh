#!/bin/bash
# xdpfw fleet commands against a secured etcd: TLS with client certificates
# (a CA and certs made here with openssl), then etcd authentication (user and
# password, or a ready token), including an etcd restart that invalidates the
# agent's token. Each etcd is started here on 127.0.0.1 (free ports, temp
# data dir, bounded by timeout) and stopped by PID.
source "$(dirname "$0")/../lib.sh"
FW=$BINDIR/xdpfw
need_root
for t in etcd etcdctl openssl python3 ping curl; do
	command -v $t >/dev/null || { skip "xdpfw fleet auth" "$t missing (scripts/deps.sh)"; exit 0; }
done

source "$(dirname "$0")/../etcd.sh"
CURL_TLS=()
on_exit 'stop_etcd'

mk_pair || { fail "xdpfw fleet auth: netns setup"; exit 0; }
PIN=/sys/fs/bpf/xdpfw-fleetauth-$UNIQ
on_exit "rm -rf $PIN"
on_exit "$FW --pin-dir $PIN unload --all --purge"
KEY=/xdpfw-auth/$UNIQ
APID=
on_exit '[ -n "$APID" ] && kill -9 $(pgrep -P $APID) $APID'
printf 'policy allow\ndeny src %s proto icmp\n' "$IP_A" >"$TMP/deny.rules"
printf 'policy allow\ndeny src %s proto udp\n' "$IP_A" >"$TMP/udp.rules"
blocked() { ! ip netns exec "$NS_A" ping -c2 -W1 -q "$IP_B" >/dev/null 2>&1; }
reaches() { local k; for k in 1 2 3; do ip netns exec "$NS_A" ping -c1 -W1 -q "$IP_B" >/dev/null 2>&1 && return 0; done; return 1; }
# wait_ok REV SECONDS [conn options]: the single host reports REV, no error
wait_ok() {
	local rev=$1 end=$((SECONDS + $2)); shift 2
	while ((SECONDS < end)); do
		"$FW" fleet status -j --etcd "$E" --key "$KEY" "$@" 2>/dev/null | python3 -c '
import json, sys
h = json.load(sys.stdin)["hosts"]
sys.exit(0 if len(h) == 1 and h[0]["state"] == "ok" and h[0]["revision"] == int(sys.argv[1]) else 1)' "$rev" && return 0
		sleep 0.3
	done
	return 1
}
rev_of() { sed -n 's/.*: revision \([0-9]*\),.*/\1/p' "$1"; }

# ---- TLS with client certificates ----------------------------------------------
C=$TMP/pki; mkdir -p "$C"
mkcert() {	# NAME: a P-256 key and a cert for 127.0.0.1 signed by the test CA
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$C/$1.key" \
		-out "$C/$1.csr" -subj "/CN=xdpfw-$1" 2>/dev/null &&
	printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n' >"$C/ext" &&
	openssl x509 -req -in "$C/$1.csr" -CA "$C/ca.crt" -CAkey "$C/ca.key" -CAcreateserial \
		-out "$C/$1.crt" -days 1 -extfile "$C/ext" 2>/dev/null
}
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$C/ca.key" \
	-out "$C/ca.crt" -days 1 -subj "/CN=xdpfw-test-ca" 2>/dev/null && mkcert server && mkcert client ||
	{ fail "xdpfw fleet auth: openssl makes a CA and certificates"; exit 0; }
CURL_TLS=(--cacert "$C/ca.crt" --cert "$C/client.crt" --key "$C/client.key")
ETCD_SCHEME=https start_etcd tls$UNIQ 120 --cert-file "$C/server.crt" --key-file "$C/server.key" \
	--trusted-ca-file "$C/ca.crt" --client-cert-auth ||
	{ fail "xdpfw fleet auth: TLS etcd starts" "$(tail -2 "$TMP/tls$UNIQ.log" | tr '\n' ' ')"; exit 0; }
TLS=(--cacert "$C/ca.crt" --cert "$C/client.crt" --key-file "$C/client.key")
if "$FW" publish "$TMP/deny.rules" --etcd "$E" --key "$KEY" "${TLS[@]}" >"$TMP/pub" 2>&1; then
	pass "xdpfw fleet auth: publish over TLS with a client certificate"
else fail "xdpfw fleet auth: publish over TLS with a client certificate" "$(cat "$TMP/pub")"; fi
R1=$(rev_of "$TMP/pub")
expect_fail "xdpfw fleet auth: TLS without a client certificate is refused" 1 'etcd https://[^ ]+: .+; nothing published' \
	timeout 20 "$FW" publish "$TMP/deny.rules" --etcd "$E" --key "$KEY" --cacert "$C/ca.crt"
expect_fail "xdpfw fleet auth: TLS with an unknown CA is refused" 1 'certificate' \
	timeout 20 "$FW" fleet status --etcd "$E" --key "$KEY"
ETCDCTL_CACERT=$C/ca.crt ETCDCTL_CERT=$C/client.crt ETCDCTL_KEY=$C/client.key \
	"$FW" publish --show --etcd "$E" --key "$KEY" >"$TMP/show" 2>&1
if grep -q "revision ${R1:-x}, 1 rules" "$TMP/show"; then pass "xdpfw fleet auth: ETCDCTL_CACERT/_CERT/_KEY are honoured"
else fail "xdpfw fleet auth: ETCDCTL_* TLS variables" "$(head -2 "$TMP/show" | tr '\n' ' ')"; fi

timeout 100 "$FW" --pin-dir "$PIN" --netns "$NS_B" sync --etcd "$E" --key "$KEY" "${TLS[@]}" --name tlshost "$IF_B" \
	>"$TMP/agent-tls.log" 2>&1 &
APID=$!
if [ -n "$R1" ] && wait_ok "$R1" 30 "${TLS[@]}" && blocked; then pass "xdpfw fleet auth: an agent follows the set over TLS and enforces it"
else fail "xdpfw fleet auth: an agent over TLS" "$(tail -3 "$TMP/agent-tls.log" | tr '\n' ' ')"; fi
"$FW" publish "$TMP/udp.rules" --etcd "$E" --key "$KEY" "${TLS[@]}" >"$TMP/pub" 2>&1
if wait_ok "$(rev_of "$TMP/pub")" 30 "${TLS[@]}" && reaches; then pass "xdpfw fleet auth: ... and gets the next revision through its TLS watch"
else fail "xdpfw fleet auth: next revision over TLS" "$(tail -3 "$TMP/agent-tls.log" | tr '\n' ' ')"; fi
kill -TERM "$(pgrep -P "$APID" | head -1)"; wait "$APID"; rc=$?; APID=
if [ $rc = 0 ]; then pass "xdpfw fleet auth: the TLS agent stops on SIGTERM"; else fail "xdpfw fleet auth: the TLS agent stops" "exit $rc"; fi
stop_etcd

# ---- etcd authentication: user/password, token --------------------------------------
CURL_TLS=()
start_etcd auth$UNIQ 120 || { fail "xdpfw fleet auth: etcd starts" "$(tail -2 "$TMP/auth$UNIQ.log" | tr '\n' ' ')"; exit 0; }
PW=pw$UNIQ
etcdctl --endpoints "$E" user add root --new-user-password="$PW" >/dev/null &&
	etcdctl --endpoints "$E" user grant-role root root >/dev/null &&
	etcdctl --endpoints "$E" auth enable >/dev/null ||
	{ fail "xdpfw fleet auth: etcdctl enables authentication"; exit 0; }
expect_fail "xdpfw fleet auth: no credentials: refused" 1 'etcd http://.*(user name|token|auth|permission)' \
	"$FW" publish "$TMP/deny.rules" --etcd "$E" --key "$KEY"
expect_fail "xdpfw fleet auth: a wrong password: refused" 1 'authentication failed' \
	"$FW" publish "$TMP/deny.rules" --etcd "$E" --key "$KEY" --user root --password wrong
if "$FW" publish "$TMP/deny.rules" --etcd "$E" --key "$KEY" --user "root:$PW" >"$TMP/pub" 2>&1; then
	pass "xdpfw fleet auth: publish with --user NAME:PASSWORD"
else fail "xdpfw fleet auth: publish with --user NAME:PASSWORD" "$(cat "$TMP/pub")"; fi
R3=$(rev_of "$TMP/pub")
TOKEN=$(curl -s "$E/v3/auth/authenticate" -d "{\"name\":\"root\",\"password\":\"$PW\"}" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
if "$FW" publish --show --etcd "$E" --key "$KEY" --token "$TOKEN" | grep -q "revision ${R3:-x}"; then
	pass "xdpfw fleet auth: --token"
else fail "xdpfw fleet auth: --token"; fi
# the firewall stays loaded from the TLS part: sync without interfaces
ETCDCTL_USER=root ETCDCTL_PASSWORD=$PW timeout 100 "$FW" --pin-dir "$PIN" sync --etcd "$E" --key "$KEY" \
	--name authhost >"$TMP/agent-auth.log" 2>&1 &
APID=$!
if [ -n "$R3" ] && wait_ok "$R3" 30 --user "root:$PW" && blocked; then
	pass "xdpfw fleet auth: an agent with ETCDCTL_USER/_PASSWORD follows the set (firewall loaded already)"
else fail "xdpfw fleet auth: an agent with a password" "$(tail -3 "$TMP/agent-auth.log" | tr '\n' ' ')"; fi
# a restart invalidates etcd's simple tokens: the agent must log in again
stop_etcd
RESTART=1 start_etcd auth$UNIQ 120 || { fail "xdpfw fleet auth: etcd restarts" "$(tail -2 "$TMP/auth$UNIQ.log" | tr '\n' ' ')"; exit 0; }
"$FW" publish "$TMP/udp.rules" --etcd "$E" --key "$KEY" --user "root:$PW" >"$TMP/pub" 2>&1
if wait_ok "$(rev_of "$TMP/pub")" 40 --user "root:$PW" && reaches; then
	pass "xdpfw fleet auth: after an etcd restart the agent logs in again and catches up"
else fail "xdpfw fleet auth: re-login after an etcd restart" "$(cat "$TMP/pub") $(tail -3 "$TMP/agent-auth.log" | tr '\n' ' ')"; fi
kill -TERM "$(pgrep -P "$APID" | head -1)"; wait "$APID"; APID=
if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error' "$TMP"/agent-*.log; then
	fail "xdpfw fleet auth: no sanitizer report" "$(grep -hm1 -E 'Sanitizer|runtime error' "$TMP"/agent-*.log)"
else pass "xdpfw fleet auth: no sanitizer report from the agents"; fi
