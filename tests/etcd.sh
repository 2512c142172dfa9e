# tests/etcd.sh — a throwaway etcd on 127.0.0.1 for the fleet tests (56-*)
# and bench/fleet.sh. Source it after TMP is set (tests/lib.sh sets it).
# The server gets free ports, a data dir under $TMP, is bounded by timeout
# and is stopped by PID (stop_etcd / kill_etcd), never by name.

# free_port: a TCP port nothing on this machine listens on, picked at random.
free_port() {
	local p i
	for ((i = 0; i < 50; i++)); do
		p=$((20000 + RANDOM % 30000))
		ss -Htan "( sport = :$p )" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
	done
	return 1
}

ETCD_TO= ETCD_PID=
# start_etcd NAME SECONDS [etcd options...]: start etcd NAME (data in
# $TMP/NAME, log $TMP/NAME.log), killed by timeout after SECONDS. Sets E, the
# client URL (scheme ETCD_SCHEME, default http), CPORT/PPORT (fresh free ports,
# or with RESTART=1 the last ones again, same data), ETCD_TO (the timeout's
# PID) and ETCD_PID (etcd's). Returns 0 once /health answers true (curl, with
# the options in the array CURL_TLS if set), 1 after ~20 s.
start_etcd() {
	local name=$1 secs=$2 i; shift 2
	if [ -z "${RESTART:-}" ]; then
		CPORT=$(free_port); PPORT=$(free_port)
		while [ "$PPORT" = "$CPORT" ]; do PPORT=$(free_port); done
	fi
	E=${ETCD_SCHEME:-http}://127.0.0.1:$CPORT
	timeout "$secs" etcd --name "$name" --data-dir "$TMP/$name" \
		--listen-client-urls "$E" --advertise-client-urls "$E" \
		--listen-peer-urls "http://127.0.0.1:$PPORT" --initial-advertise-peer-urls "http://127.0.0.1:$PPORT" \
		--initial-cluster "$name=http://127.0.0.1:$PPORT" "$@" >>"$TMP/$name.log" 2>&1 &
	ETCD_TO=$!
	for ((i = 0; i < 100; i++)); do
		ETCD_PID=$(pgrep -P "$ETCD_TO" 2>/dev/null | head -1)
		[ -n "$ETCD_PID" ] && curl -s --max-time 1 ${CURL_TLS[@]+"${CURL_TLS[@]}"} "$E/health" 2>/dev/null |
			grep -q true && return 0
		sleep 0.2
	done
	return 1
}
# stop_etcd: SIGTERM etcd by PID and reap it; kill_etcd: SIGKILL, as a crash would.
stop_etcd() { [ -n "$ETCD_PID" ] && kill "$ETCD_PID" 2>/dev/null; [ -n "$ETCD_TO" ] && wait "$ETCD_TO" 2>/dev/null; ETCD_PID=; }
kill_etcd() { [ -n "$ETCD_PID" ] && kill -9 "$ETCD_PID" 2>/dev/null; [ -n "$ETCD_TO" ] && wait "$ETCD_TO" 2>/dev/null; ETCD_PID=; }
