#!/bin/sh
# tests/test.sh — @NAME@ counts every execve(): run the loader while this
# script starts a few programs, and check that it counted at least those.
# Needs root (it attaches to a tracepoint); `make test` runs it.
set -u
out=$(mktemp)
trap 'rm -f "$out"' EXIT
./build/@NAME@ >"$out" 2>&1 &
pid=$!
i=0
while [ $i -lt 100 ] && ! grep -q "attached" "$out"; do sleep 0.1; i=$((i + 1)); done
for n in 1 2 3; do /bin/true; done
# the count is read from the program's map at exit: stop it now
kill -INT $pid
wait $pid
n=$(sed -n 's/^@NAME@: \([0-9]*\) events$/\1/p' "$out")
if [ "${n:-0}" -ge 3 ]; then
	echo "ok: the loader counted $n execve() calls (3 made here)"
else
	echo "FAIL: the loader counted '${n:-nothing}', at least 3 expected:"
	cat "$out"
	exit 1
fi
