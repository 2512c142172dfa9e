#!/bin/bash
# 70-docs: the docs cannot rot. tests/doctest.sh runs every shell block of
# docs/tutorial/*.md (in chapter order, one environment: each chapter starts
# where the previous one ended) and of README.md's five-minute tour, in private
# network namespaces, and checks the output the pages show. First it proves the
# checker can fail: a page whose shown output is wrong, or whose command fails,
# must be reported with the right line.
source "$(dirname "$0")/../lib.sh"
need_root
DT=$ROOT/tests/doctest.sh
export BINDIR DT_UNIQ=$UNIQ	# doctest's names: namespaces dta$UNIQ/dtb$UNIQ, pins /sys/fs/bpf/dt$UNIQ-*
[ -x "$BINDIR/bpfkit" ] || { fail "docs: $BINDIR/bpfkit missing (make asan)"; exit 1; }

# --- the checker checks: a wrong output, a failing command, a stale ctrl-c block
cat >"$TMP/bad.md" <<'EOF'
# a page with mistakes

```sh
echo one; echo two
```
```text
one
two
```

```sh
echo alpha; echo beta; echo gamma
```
```text
alpha
...
delta
```
EOF
cat >"$TMP/bad2.md" <<'EOF'
```sh
echo ok
false
echo never
```
```text
ok
```
EOF
cat >"$TMP/bad3.md" <<'EOF'
```sh
printf 'took 12.5 ms at 10:11:12.123456\n'
printf 'extra\n'
```
```text
took 99 ms at 23:59:59.000000
```
EOF
cat >"$TMP/good.md" <<'EOF'
```sh
ip netns add a
ip netns exec a ip -br link show lo
ip netns del a
```
```text
lo               DOWN           00:00:00:00:00:00 <LOOPBACK> 
```

```sh exit=3
echo from a block that fails on purpose; exit 3
```
```text
from a ... that fails on purpose
```

```sh bg
echo started; sleep 30     # runs until Ctrl-C
```
```text ctrl-c
started
```
EOF
(cd "$TMP" && bash "$DT" bad.md) >"$TMP/st1" 2>&1
grep -qx "FAIL: bad.md:17 — shown line not printed (after line 3 of the output): delta" "$TMP/st1" &&
	! grep -q '^PASS' "$TMP/st1" \
	&& pass "docs: the checker names the page line whose shown output was not printed" \
	|| fail "docs: checker self-test (wrong output)" "$(cat "$TMP/st1")"
(cd "$TMP" && bash "$DT" bad2.md) >"$TMP/st2" 2>&1
grep -q "^FAIL: bad2.md:1 — exit 1, the page expects 0" "$TMP/st2" \
	&& pass "docs: the checker fails a block whose command fails, naming its line" \
	|| fail "docs: checker self-test (failing command)" "$(cat "$TMP/st2")"
(cd "$TMP" && bash "$DT" bad3.md) >"$TMP/st3" 2>&1
grep -qx "FAIL: bad3.md:7 — the command printed more than the page shows: extra" "$TMP/st3" \
	&& pass "docs: masked numbers and times match; unshown output lines fail" \
	|| fail "docs: checker self-test (masks, extra output)" "$(cat "$TMP/st3")"
(cd "$TMP" && bash "$DT" good.md) >"$TMP/st4" 2>&1
if grep -qx "PASS: doctest good.md (6 blocks)" "$TMP/st4" && ! ip netns list | grep -q "^dta$UNIQ"; then
	pass "docs: namespace mapping, exit=N, inline '...', background + ctrl-c"
else
	fail "docs: checker self-test (good page)" "$(cat "$TMP/st4")"
fi

(cd "$TMP" && bash "$DT" --section "No such section" good.md) >"$TMP/st5" 2>&1
grep -qx 'FAIL: good.md — no block to run or check under "## No such section"' "$TMP/st5" \
	&& pass "docs: a page or section with nothing to check fails" \
	|| fail "docs: checker self-test (empty section)" "$(cat "$TMP/st5")"

# --- the pages
cd "$ROOT"
bash "$DT" --cwd "$ROOT" --section "A five-minute tour" README.md >"$TMP/readme" 2>&1
cat "$TMP/readme"
bash "$DT" docs/tutorial/[0-9]*.md >"$TMP/tut" 2>&1
cat "$TMP/tut"
[ "$(grep -c '^PASS: doctest docs/tutorial/' "$TMP/tut")" -eq "$(ls docs/tutorial/[0-9]*.md | wc -l)" ] \
	&& pass "docs: every tutorial chapter ran" || fail "docs: chapters" "not every chapter passed"
# the chapters are the pages that run: no other page of the tutorial may hold a shell block
other=$(grep -lE '^```(sh|bash)' docs/tutorial/*.md | grep -v '/[0-9][^/]*\.md$')
[ -z "$other" ] && pass "docs: no shell block outside the chapters" || fail "docs: shell blocks not run" "$other"
# nothing left: pins, namespaces, the tutorial's programs (by their names)
sleep 0.3
left=$(ls -d /sys/fs/bpf/dt$UNIQ-* 2>/dev/null; ip netns list | grep -E "^dt[ab]$UNIQ";
	bpftool prog show 2>/dev/null | grep -E ' name (myxdp|unlinks|kp_unlinks) ')
[ -z "$left" ] && pass "docs: no pin, namespace or program left behind" || fail "docs: left behind" "$left"
