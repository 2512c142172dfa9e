#!/bin/bash
# 18-runner: tests/run.sh's own promises. With files running side by side, a
# leak check cannot tell another file's objects from its own, so run.sh
# checks the ids it was handed once every file has ended: a file that leaves
# a program pinned must still fail, and one that cleaned up must still pass
# although the leaky file's program existed while it checked. Counts and the
# exit status follow.
source "$(dirname "$0")/../lib.sh"
need_root
# (each file pins under its own run name, as the suite's files do; the
# leaky one writes its pin down so this file removes it)
on_exit 'rm -f $(cat "$TMP/pins" 2>/dev/null)' 
mkdir -p "$TMP/t"
# the inner files count only programs pinned under bkrunner-* (this file's
# own): the suite's other files keep running beside this one, and the inner
# run, which ends first, cannot know their objects. The deferral and the
# attribution by pin path are the same as with every id.
cat >"$TMP/t/ids.sh" <<'SH'
runner_ids() {
	bpftool -f -j prog show 2>/dev/null | python3 -c 'import json,sys
for o in json.load(sys.stdin):
    if any("/bkrunner-" in p for p in o.get("pinned") or []): print("prog%d" % o["id"])' | sort
}
SH
# the leaky file: pins a program (under its own run name) while the clean one
# is checking, and leaves it there
cat >"$TMP/t/leaky.sh" <<SH
source "$ROOT/tests/lib.sh"
source "$TMP/t/ids.sh"
runner_ids >"\$TMP/before"
sleep 1
echo /sys/fs/bpf/bkrunner-leak-\$UNIQ >>"$TMP/pins"
bpftool prog load "$BPFDIR/xdp-pass.bpf.o" /sys/fs/bpf/bkrunner-leak-\$UNIQ || fail "leaky: load"
sleep 2
leak_check "leaky file leaves nothing" "\$TMP/before" runner_ids
SH
# the clean file: its own program comes and goes; it checks while the leaky
# file's program exists
cat >"$TMP/t/clean.sh" <<SH
source "$ROOT/tests/lib.sh"
source "$TMP/t/ids.sh"
runner_ids >"\$TMP/before"
bpftool prog load "$BPFDIR/xdp-pass.bpf.o" /sys/fs/bpf/bkrunner-clean-\$UNIQ || fail "clean: load"
rm -f /sys/fs/bpf/bkrunner-clean-\$UNIQ
sleep 2
leak_check "clean file leaves nothing" "\$TMP/before" runner_ids
SH
rc=0
env -u TESTS TEST_JOBS=2 TEST_LOG_DIR="$TMP/logs" TEST_FILES="$TMP/t/leaky.sh $TMP/t/clean.sh" \
	bash "$ROOT/tests/run.sh" >"$TMP/run.out" 2>&1 || rc=$?
# the leaky file's program, by its pin
leaked=$(bpftool -j prog show pinned "$(head -1 "$TMP/pins" 2>/dev/null)" 2>/dev/null |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' 2>/dev/null)
if [ -n "$leaked" ] && grep -qE "^FAIL: leaky file leaves nothing — left in the kernel: (.* )?prog$leaked( |\$)" "$TMP/run.out"; then
	pass "runner: a file that leaves a program pinned fails, though files ran side by side"
else
	fail "runner: the leaky file" "prog ${leaked:-?} not named: $(tr '\n' ' ' <"$TMP/run.out" | tail -c 400)"
fi
if grep -q "^PASS: clean file leaves nothing" "$TMP/run.out"; then
	pass "runner: a file that cleaned up passes, though another file's program existed as it checked"
else
	fail "runner: the clean file" "$(tr '\n' ' ' <"$TMP/run.out" | tail -c 400)"
fi
if [ $rc -ne 0 ] && [ "$(tail -1 "$TMP/run.out")" = "1 passed, 1 failed, 0 skipped" ]; then
	pass "runner: counts (1 passed, 1 failed) and a non-zero exit"
else
	fail "runner: counts and exit" "rc=$rc, last line '$(tail -1 "$TMP/run.out")'"
fi
# the runner's logs went where it was told, not over this run's own
[ -s "$TMP/logs/times.tsv" ] && pass "runner: TEST_LOG_DIR keeps its logs apart" || fail "runner: TEST_LOG_DIR" "$(ls "$TMP/logs" 2>&1)"
