#!/bin/bash
# tests/run.sh — `make test`: unit tests (C, ASan+UBSan), integration tests on
# the real kernel (private network namespaces), bounded fuzz runs. Prints each
# result and ends with "N passed, N failed, N skipped".
#   TESTS=pattern  run only files whose path matches the pattern
#   FUZZ_SECONDS=N seconds per fuzz target (default 10)
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
CLANG=${CLANG:-clang}
ASAN=build/asan
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
LOG=build/test-logs
mkdir -p "$LOG" "$ASAN/tests" build/fuzz
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
LIBS="$(pkg-config --libs libbpf libelf zlib libpcap capstone libdw)"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

passed=0 failed=0 skipped=0
selected() { [ -z "${TESTS:-}" ] || [[ $1 == *$TESTS* ]]; }

# account OUTPUT_FILE NAME RC: count the PASS/FAIL/SKIP lines of one test file;
# a file that exits non-zero without reporting a failure counts as one.
account() {
	local out=$1 name=$2 rc=$3 p f s
	p=$(grep -c '^PASS: ' "$out"); f=$(grep -c '^FAIL: ' "$out"); s=$(grep -c '^SKIP: ' "$out")
	grep -E '^(PASS|FAIL|SKIP): ' "$out"
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "FAIL: $name — exited $rc: $(grep -v -E '^(PASS|SKIP): ' "$out" | tail -5 | tr '\n' ' ')"
		f=1
	fi
	if [ $((p + f + s)) -eq 0 ]; then
		echo "FAIL: $name — reported nothing"; f=1
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

echo "== unit tests"
for src in tests/unit/*.c; do
	[ -e "$src" ] || continue
	selected "$src" || continue
	name=$(basename "$src" .c); bin=$ASAN/tests/$name; out=$LOG/unit-$name.log
	if ! $CLANG -g -O1 $SAN -std=gnu11 -D_GNU_SOURCE -Wall -Werror -Iinclude -Ilib -Itests/unit \
		-o "$bin" "$src" "$ASAN/lib/libbpfkit.a" $LIBS >"$out" 2>&1; then
		echo "FAIL: $src — does not compile: $(head -5 "$out" | tr '\n' ' ')"; failed=$((failed + 1)); continue
	fi
	(cd tests/unit && timeout 300 "$ROOT/$bin") >"$out" 2>&1; account "$out" "$src" $?
done

echo "== integration tests"
for t in tests/integration/*.sh; do
	[ -e "$t" ] || continue
	selected "$t" || continue
	name=$(basename "$t" .sh); out=$LOG/int-$name.log
	timeout 600 bash "$t" >"$out" 2>&1; account "$out" "$t" $?
done

echo "== fuzz (bounded: ${FUZZ_SECONDS}s per target)"
for src in tests/fuzz/*.c; do
	[ -e "$src" ] || continue
	selected "$src" || continue
	name=$(basename "$src" .c); bin=build/fuzz/$name; out=$LOG/fuzz-$name.log
	corpus=tests/fuzz/corpus/$name; work=build/fuzz/corpus-$name
	if ! $CLANG -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-std=gnu11 -D_GNU_SOURCE -Iinclude -Ilib -o "$bin" "$src" lib/*.c $LIBS >"$out" 2>&1; then
		echo "FAIL: $src — does not compile: $(head -5 "$out" | tr '\n' ' ')"; failed=$((failed + 1)); continue
	fi
	rm -rf "$work"; mkdir -p "$work"
	[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
	if timeout $((FUZZ_SECONDS + 120)) "$bin" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 \
		-timeout=10 "$work" >"$out" 2>&1; then
		echo "PASS: $src ($(grep -o 'Done [0-9]* runs' "$out" | tail -1))"; passed=$((passed + 1))
	else
		echo "FAIL: $src — $(grep -m1 -E 'ERROR|runtime error|deadly' "$out") (log: $out)"; failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
