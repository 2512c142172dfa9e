#!/bin/bash
# bench/run.sh — `make bench`: runs every bench/*.sh (each prints one markdown
# section on stdout, figures as ratios against an anchor measured in the same
# run) and writes them to BENCHMARKS.md. Benchmarks never fail on timing.
#   BENCH=pattern  only benchmarks whose name matches
set -u
cd "$(dirname "$0")/.."
mkdir -p build/bench
{
	echo "# bpfkit benchmarks"
	echo
	echo "Written by \`make bench\` on $(date -u '+%Y-%m-%d %H:%M UTC'), kernel $(uname -r), $(nproc) cores."
	echo "Every figure is a ratio against an anchor measured in the same run."
	echo
} >build/bench/header.md
parts=(build/bench/header.md)
for b in bench/*.sh; do
	[ "$b" = bench/run.sh ] && continue
	name=$(basename "$b" .sh)
	[ -n "${BENCH:-}" ] && [[ $name != *$BENCH* ]] && continue
	echo "bench: $name" >&2
	if timeout 1200 bash "$b" >"build/bench/$name.md" 2>"build/bench/$name.err"; then
		parts+=("build/bench/$name.md")
	else
		{ echo "## $name"; echo; echo "Did not complete: $(tail -3 "build/bench/$name.err" | tr '\n' ' ')"; echo; } >"build/bench/$name.md"
		parts+=("build/bench/$name.md")
	fi
done
if [ -n "${BENCH:-}" ] && [ -f BENCHMARKS.md ]; then
	# partial run: replace only the sections that ran
	python3 - "${parts[@]:1}" <<'PY'
import re, sys
doc = open("BENCHMARKS.md").read()
for p in sys.argv[1:]:
    sec = open(p).read()
    title = sec.splitlines()[0] if sec else ""
    pat = re.compile(re.escape(title) + r"\n.*?(?=\n## |\Z)", re.S)
    doc = pat.sub(lambda m: sec.rstrip("\n") + "\n", doc) if pat.search(doc) else doc.rstrip("\n") + "\n\n" + sec
before = set(re.findall(r"^## .*$", open("BENCHMARKS.md").read(), re.M))
lost = before - set(re.findall(r"^## .*$", doc, re.M))
if lost:  # a partial run must never drop another benchmark's section
    sys.exit("bench: partial run would drop: " + "; ".join(sorted(lost)))
open("BENCHMARKS.md", "w").write(doc)
PY
else
	# one blank line between sections (cat -s squeezes the doubles)
	for p in "${parts[@]}"; do cat "$p"; echo; done | cat -s >BENCHMARKS.md
fi
echo "bench: wrote BENCHMARKS.md" >&2
