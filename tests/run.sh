#!/bin/bash
# tests/run.sh — `make test`: unit tests (C, ASan+UBSan), integration tests on
# the real kernel (private network namespaces), bounded fuzz runs. Files run
# in parallel, each its own job with its own log; results are printed as each
# file ends, and the run ends with "N passed, N failed, N skipped".
#   TESTS=pattern  run only files whose path matches the pattern
#   TEST_JOBS=N    files run at once (default 4; 1 runs them one by one)
#   FUZZ_SECONDS=N seconds per fuzz target (default 10)
#   TEST_FILES="a.sh b.sh" run these integration files instead, and
#   TEST_LOG_DIR=DIR       keep the logs there (the runner's own test,
#                          18-runner.sh, uses both)
# Per-file wall times go to build/test-logs/times.tsv (docs/testing.md).
set -u
cd "$(dirname "$0")/.."
ROOT=$PWD
CLANG=${CLANG:-clang}
ASAN=build/asan
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
JOBS=${TEST_JOBS:-4}
LOG=${TEST_LOG_DIR:-build/test-logs}
rm -rf "$LOG"
mkdir -p "$LOG/rc" "$LOG/leaks" "$ASAN/tests" build/fuzz
SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
LIBS="$(pkg-config --libs libbpf libelf zlib libpcap capstone libdw)"
FUZZLIB=build/fuzzlib/lib/libbpfkit.a
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Integration files running side by side see each other's kernel objects:
# leak_check (tests/lib.sh) then records what it found new here, and this
# script checks those ids once every file has ended (check_deferred_leaks).
[ "$JOBS" -gt 1 ] && export BK_LEAK_DEFER=$(cd "$LOG/leaks" && pwd)

source tests/kernel_ids.sh
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
	if [ $((p + f + s)) -eq 0 ] && ! grep -q '^DEFERRED: ' "$out"; then
		echo "FAIL: $name — reported nothing"; f=1
	fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

# The jobs: each writes PASS/FAIL/SKIP lines to its log and returns its status.
unit_job() {
	local src=$1 out=$2 name bin
	name=$(basename "$src" .c); bin=$ASAN/tests/$name
	if ! $CLANG -g -O1 $SAN -std=gnu11 -D_GNU_SOURCE -Wall -Werror -Iinclude -Ilib -Itests/unit \
		-o "$bin" "$src" "$ASAN/lib/libbpfkit.a" $LIBS >"$out" 2>&1; then
		echo "FAIL: $src — does not compile: $(head -5 "$out" | tr '\n' ' ')" >"$out.cc"
		mv "$out.cc" "$out"; return 1
	fi
	(cd tests/unit && timeout 300 "$ROOT/$bin") >"$out" 2>&1
}

# A hang guard, not a speed check: on a shared machine four tests at a time
# have run 4-9 times slower than alone (the slowest, 40-obj-dump, 3.5 min
# alone on such a day).
integration_job() {
	timeout 1200 bash "$1" >"$2" 2>&1
}

# Fuzz targets link the library built once with coverage instrumentation
# (make fuzzlib), not a fresh compile of lib/*.c per target.
fuzz_job() {
	local src=$1 out=$2 name bin corpus work
	name=$(basename "$src" .c); bin=build/fuzz/$name
	corpus=tests/fuzz/corpus/$name; work=build/fuzz/corpus-$name
	if ! $CLANG -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-std=gnu11 -D_GNU_SOURCE -Iinclude -Ilib -o "$bin" "$src" "$FUZZLIB" $LIBS >"$out" 2>&1; then
		echo "FAIL: $src — does not compile: $(head -5 "$out" | tr '\n' ' ')" >"$out.cc"
		mv "$out.cc" "$out"; return 1
	fi
	rm -rf "$work"; mkdir -p "$work"
	[ -d "$corpus" ] && cp -r "$corpus"/. "$work"/
	if timeout $((FUZZ_SECONDS + 120)) "$bin" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 \
		-timeout=10 "$work" >"$out.run" 2>&1; then
		echo "PASS: $src ($(grep -o 'Done [0-9]* runs' "$out.run" | tail -1))" >"$out"
	else
		echo "FAIL: $src — $(grep -m1 -E 'ERROR|runtime error|deadly' "$out.run") (log: $out.run)" >"$out"
	fi
}

# The pool: JOBS files at once; each job leaves LOG/rc/ID = "rc seconds".
declare -a job_ids=() job_names=() job_logs=()
reported=0
start_job() {	# ID NAME LOG FUNC ARGS...
	local id=$1 name=$2 out=$3; shift 3
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; report_finished; done
	job_ids+=("$id"); job_names+=("$name"); job_logs+=("$out")
	(
		t0=$(date +%s%N)
		"$@" "$name" "$out"; rc=$?
		echo "$rc $(( ($(date +%s%N) - t0) / 1000000 ))" >"$LOG/rc/$id"
	) &
}
# report_finished: print, in the order they were started, the files that have
# ended and every one before them (so the output reads in a stable order).
report_finished() {
	local rc ms
	while [ "$reported" -lt "${#job_ids[@]}" ] && [ -e "$LOG/rc/${job_ids[reported]}" ]; do
		read -r rc ms <"$LOG/rc/${job_ids[reported]}"
		echo "-- ${job_names[reported]} ($((ms / 1000)).$(((ms % 1000) / 100)) s)"
		printf '%s\t%s\n' "${job_names[reported]}" "$ms" >>"$LOG/times.tsv"
		account "${job_logs[reported]}" "${job_names[reported]}" "$rc"
		reported=$((reported + 1))
	done
}

# check_deferred_leaks: ids a file's leak_check found new while other files
# ran; any still in the kernel now that every file has ended is that file's.
check_deferred_leaks() {
	local i
	[ -n "$(ls "$LOG/leaks")" ] || return 0
	cat "$LOG"/leaks/* | cut -f2 | tr ' ' '\n' | grep . | sort -u >"$LOG/ids.suspects"
	for ((i = 0; i < 50; i++)); do	# freed after an RCU grace period and deferred work
		kernel_ids >"$LOG/ids.end"
		[ -z "$(comm -12 "$LOG/ids.suspects" "$LOG/ids.end")" ] && break
		sleep 0.1
	done
	# An id several files found new while they ran side by side is blamed on
	# the file whose unique run name is in the path it is pinned at, when one
	# is; otherwise on every file that saw it appear.
	local out
	out=$(python3 - "$LOG/ids.end" "$LOG"/leaks/* <<'PY'
import json, subprocess, sys
alive = set(open(sys.argv[1]).read().split())
rows = [l.rstrip("\n").split("\t") for f in sys.argv[2:] for l in open(f) if l.strip()]
def pins(i):
    kind, num = ("prog", i[4:]) if i.startswith("prog") else ("map", i[3:]) if i.startswith("map") else ("link", i[4:])
    r = subprocess.run(["bpftool", "-f", kind, "show", "id", num, "-j"], capture_output=True, text=True)
    try:
        return " ".join(json.loads(r.stdout).get("pinned", []))
    except ValueError:
        return ""
paths = {i: pins(i) for i in alive}
for name, ids, uniq in (r + [""] * (3 - len(r)) for r in rows):
    left = [i for i in ids.split() if i in alive]
    owners = lambda i: [u for _, x, u in rows if i in x.split() and u and u in paths[i]]
    left = [i for i in left if not owners(i) or uniq in owners(i)]
    print(("FAIL: %s — left in the kernel: %s" % (name, " ".join(left))) if left else "PASS: " + name)
PY
)
	echo "$out"
	passed=$((passed + $(grep -c '^PASS: ' <<<"$out"))); failed=$((failed + $(grep -c '^FAIL: ' <<<"$out")))
}

# Longest first, so the pool ends together: times of the last full run in
# this tree (build/test-times.tsv), else the committed ones (tests/times.tsv),
# else the file's size.
order() {
	local f ms times=build/test-times.tsv
	[ -e "$times" ] || times=tests/times.tsv
	for f in "$@"; do
		ms=$(awk -F'\t' -v n="$f" '$1 == n { t = $2 } END { print t + 0 }' "$times" 2>/dev/null)
		[ "${ms:-0}" -gt 0 ] || ms=$(stat -c %s "$f")
		printf '%s\t%s\n' "$ms" "$f"
	done | sort -t$'\t' -k1,1nr | cut -f2
}

n=0
files=()
for f in ${TEST_FILES:-tests/integration/*.sh tests/fuzz/*.c tests/unit/*.c}; do
	[ -e "$f" ] && selected "$f" && files+=("$f")
done
[ ${#files[@]} -gt 0 ] && [ ! -e "$FUZZLIB" ] && [[ " ${files[*]} " == *" tests/fuzz/"* ]] &&
	echo "FAIL: $FUZZLIB missing (make fuzzlib)" && failed=$((failed + 1))
echo "== ${#files[@]} test files, $JOBS at a time (logs: $LOG/)"
for f in $(order "${files[@]}"); do
	n=$((n + 1))
	base=$(basename "$f"); base=${base%.*}
	case $f in
	tests/unit/*.c) start_job "$n" "$f" "$LOG/unit-$base.log" unit_job ;;
	tests/fuzz/*.c) start_job "$n" "$f" "$LOG/fuzz-$base.log" fuzz_job ;;
	*.sh) start_job "$n" "$f" "$LOG/int-$base.log" integration_job ;;
	esac
done
while [ -n "$(jobs -rp)" ]; do wait -n; report_finished; done
wait
report_finished
[ "$JOBS" -gt 1 ] && check_deferred_leaks
# keep this run's times for the next run's order
[ -z "${TESTS:-}" ] && [ -z "${TEST_FILES:-}" ] && cp "$LOG/times.tsv" build/test-times.tsv 2>/dev/null

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
