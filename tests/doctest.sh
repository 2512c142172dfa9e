#!/bin/bash
# tests/doctest.sh — runs the shell blocks of markdown pages and checks the
# output the pages show against what the commands print, so the docs cannot
# rot. Used by tests/integration/70-docs.sh on docs/tutorial/*.md and on
# README.md's five-minute tour; the convention is written up for authors in
# docs/tutorial/README.md ("How these pages are tested").
#
#   tests/doctest.sh [--show] [--keep] [--cwd DIR] [--section TITLE] PAGE.md...
#
# Pages run in order in one environment (a chapter continues where the
# previous one ended): one scratch directory as the starting cwd (--cwd DIR
# instead), the cwd carried from block to block, one set of network
# namespaces. Per page it prints "PASS: doctest PAGE (N blocks)" or
# "FAIL: PAGE:LINE — why" for the first block that fails; that page stops
# there, and the pages after it are skipped (they start where it ended).
# --section TITLE checks only the part of a page under the heading "## TITLE".
# --show prints every block's output (mapped back to the page's names, not
# masked): that is how a page's expected output is written. --keep leaves the
# scratch directory (and the files the pages made, e.g. pictures) behind.
#
# Fenced blocks, by their info string (GitHub renders only the first word):
#   ```sh            run with bash -e; must exit 0; stdout+stderr are its output
#   ```sh exit=N     must exit with status N (no -e)
#   ```sh bg         starts in the background (a command that runs until
#                    Ctrl-C); the runner waits for its first line of output
#                    (at most 10 s; `sh bg silent`: 1.5 s, for one that prints
#                    nothing until something happens). trace_pipe has one reader
#                    at a time: one that exits at once because another process
#                    reads it is started again, for up to 30 tries.
#   ```sh norun      shown, never run (keep these rare)
#   ```text          the output of the sh block just before it
#   ```text ctrl-c   the output of the running `sh bg` block, after the runner
#                    sends it SIGINT (as Ctrl-C would) and it exits
#   ```LANG file=P   (e.g. ```c file=src/fw.bpf.c) the runner writes the
#                    block's text to P, relative to the current directory
# Any other block is not touched. Blocks of a "text" kind compare line by line:
# a line "..." stands for any number of lines, and "..." inside a line for any
# text; trailing blanks are ignored; both sides are masked first (MASKS
# below), so times, ids, tags, pids, MAC addresses and measured numbers may
# differ. trace_pipe lines (bpf_printk output, which `bpfkit run` and
# `bpfkit trace` show) are the whole machine's: printed lines of that form are
# ignored unless the block shows the same line (after masking); so are
# bpfkit's two warnings that another process holds trace_pipe.
#
# Names on the page are mapped onto private, per-run ones, in the shell blocks
# (and mapped back in the output before comparing):
#   namespaces  a, b (after `netns`, `netns add|del|exec`, `-n`, `--netns`)
#   interfaces  va, vb
#   pins        /sys/fs/bpf/NAME   (and xdpfw's default /sys/fs/bpf/xdpfw)
#   binaries    build/bin/X -> $BINDIR/X; bpfkit, xdpfw, ... on PATH -> $BINDIR
# Addresses (10.9.0.x) are left alone: they live inside the private namespaces.
# On exit everything is removed: background jobs (by process group), the
# namespaces, the pins, the scratch directory.
set -u
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BINDIR=${BINDIR:-$ROOT/build/asan/bin}
SHOW=0 KEEP=0 CWD= SECTION=
while [ $# -gt 0 ]; do
	case $1 in
	--show) SHOW=1 ;;
	--keep) KEEP=1 ;;
	--cwd) CWD=$2; shift ;;
	--section) SECTION=$2; shift ;;
	--) shift; break ;;
	-*) echo "doctest: unknown option $1" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || { echo "usage: tests/doctest.sh [--show] [--cwd DIR] [--section TITLE] PAGE.md..." >&2; exit 2; }

U=${DT_UNIQ:-$(printf '%x%x' $$ $((RANDOM % 256)))}
W=$(mktemp -d /tmp/doctest.XXXXXX)
NS_a=dta$U NS_b=dtb$U IF_va=va$U IF_vb=vb$U PINPFX=/sys/fs/bpf/dt$U-
BGPID=
cleanup() {
	stop_bg INT
	ip netns del "$NS_a" 2>/dev/null
	ip netns del "$NS_b" 2>/dev/null
	rm -rf "$PINPFX"* 2>/dev/null
	if [ $KEEP = 1 ]; then echo "doctest: kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The programs the pages call by name run from $BINDIR (the ASan builds in tests).
mkdir -p "$W/bin" "$W/home"
for b in "$BINDIR"/*; do
	[ -x "$b" ] || continue
	printf '#!/bin/sh\nexec %q "$@"\n' "$b" >"$W/bin/${b##*/}"
	chmod +x "$W/bin/${b##*/}"
done
export PATH=$W/bin:$PATH XDPFW_PIN_DIR=${PINPFX}xdpfw
# a reader's shell: not a sub-make of `make test` (which would print
# "Entering directory" lines and pass on -s or -j), no inherited log level
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES BPFKIT_LOG
printf '%s\n' "${CWD:-$W/home}" >"$W/cwd"

# page -> run: the forward mapping of a shell block
map_in() {
	sed -E \
	 -e "s#(^|[[:space:];&|(\`'\"])build/bin/#\1$BINDIR/#g" \
	 -e "s#/sys/fs/bpf/([A-Za-z0-9_])#$PINPFX\1#g" \
	 -e "s/(\<netns( add| del| delete| exec)?|(^|[[:space:]])-n|--netns) a\>/\1 $NS_a/g" \
	 -e "s/(\<netns( add| del| delete| exec)?|(^|[[:space:]])-n|--netns) b\>/\1 $NS_b/g" \
	 -e "s/\<va\>/$IF_va/g; s/\<vb\>/$IF_vb/g"
}
# run -> page: the reverse mapping of the output
map_out() {
	sed -E -e "s#$BINDIR/#build/bin/#g; s#$W/home/?#~/#g; s#$PINPFX#/sys/fs/bpf/#g; s#$ROOT/#~/bpfkit/#g" \
		-e "s/$NS_a/a/g; s/$NS_b/b/g; s/$IF_va/va/g; s/$IF_vb/vb/g"
}
# MASKS: what changes from run to run, masked on both sides before comparing.
mask() {
	sed -E -e '/^[[:space:]]*run_time_ns [0-9]+ run_cnt [0-9]+/d' \
	 -e 's/ +run_time_ns [0-9]+ run_cnt [0-9]+//' -e 's/[[:space:]]+$//' \
	 -e '/^bpfkit: tracefs: .* is busy: another process is reading it/d' \
	 -e '/^(bpfkit: )?tracefs: mounted at /d' \
	 -e '/^bpfkit: bpf_printk output will not be shown here; bpfkit log records will$/d' \
	 -e 's/[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}/HH:MM:SS.us/g' \
	 -e 's/\<(id|link|pid|prog|map|ifindex|btf_id|prog_id|map_id)([ =:]+)[0-9]+/\1\2N/g' \
	 -e 's/"(id|pid|prog_id|map_id|btf_id|link_id|ifindex)": ?[0-9]+/"\1":N/g' \
	 -e 's/\<[0-9a-f]{16}\>/TAG/g' \
	 -e 's/\<([0-9a-f]{2}:){5}[0-9a-f]{2}\>/MAC/g' \
	 -e 's/time[= ][0-9.]+ ?ms/time=T ms/g; s#= [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms#= RTT ms#' \
	 -e 's/[0-9][0-9.]* ?(ns|us|µs|ms)(\/run)?\>/N \1\2/g' \
	 -e 's/\<(loaded_at|loaded at) [^ ]+( [^ ]+)?/\1 T/g' \
	 -e 's/\<(memlock|jited) [0-9]+B/\1 NB/g; s/\<0x[0-9a-f]{8,}\>/0xADDR/g' \
	 -e 's/^[0-9]+: ([a-z_]+  name )/N: \1/' \
	 -e 's/^ *[^ ]+-[0-9]+ +\[[0-9]+\] [^ ]+ +[0-9]+\.[0-9]+: /TASK-PID [CPU] FLAGS SECONDS: /' \
	 -e 's/\[[0-9]{3}\]/[CPU]/g'
}

stop_bg() {	# SIG: stop the background block's process group (SIG, then KILL after 10 s)
	[ -n "$BGPID" ] || return 0
	local i
	kill -"$1" -- -"$BGPID" 2>/dev/null
	for ((i = 0; i < 100; i++)); do kill -0 "$BGPID" 2>/dev/null || break; sleep 0.1; done
	kill -KILL -- -"$BGPID" 2>/dev/null
	wait "$BGPID" 2>/dev/null
	BGPID=
}

# compare PAGE EXPECTED_FILE ACTUAL_FILE FIRST_LINE: "" if they match, else
# "LINE<TAB>why" naming the page line of the first expected line that fails.
compare() {
	mask <"$2" >"$W/exp.m"; map_out <"$3" | mask >"$W/act.m"
	awk -v first="$4" -v TP="TASK-PID [CPU] FLAGS SECONDS: " '
		# an expected line matches itself, or with "..." inside it standing for any text
		function same(act, want,    re) {
			if (act == want) return 1
			if (index(want, "...") == 0) return 0
			re = want
			gsub(/[][\\^$.|()*+?{}]/, "\\\\&", re)
			gsub(/\\\.\\\.\\\./, ".*", re)
			return act ~ ("^" re "$")
		}
		FILENAME == ARGV[1] { e[++ne] = $0; if (index($0, TP) == 1) shown[$0] = 1; next }
		# the trace_pipe is the whole machine'"'"'s: lines of other programs are not ours
		index($0, TP) == 1 && !($0 in shown) { next }
		{ a[++na] = $0 }
		END {
			j = 1; skip = 0
			for (i = 1; i <= ne; i++) {
				if (e[i] == "...") { skip = 1; continue }
				if (skip) {
					while (j <= na && !same(a[j], e[i])) j++
					if (j > na) { printf "%d\tshown line not printed (after line %d of the output): %s\n", first + i - 1, j - 1, e[i]; exit }
					skip = 0
				} else if (j > na) {
					printf "%d\toutput ended; the page shows: %s\n", first + i - 1, e[i]; exit
				} else if (!same(a[j], e[i])) {
					printf "%d\tpage shows \"%s\", the command printed \"%s\"\n", first + i - 1, e[i], a[j]; exit
				}
				j++
			}
			if (!skip && j <= na) printf "%d\tthe command printed more than the page shows: %s\n", first + ne, a[j]
		}' "$W/exp.m" "$W/act.m"
}

# split PAGE: the page's fenced blocks into $W/b.N, a manifest line each:
# N KIND INFO_WORDS... with KIND sh|text|file|other and the block's first line.
split_page() {
	awk -v dir="$W" -v section="$SECTION" '
		BEGIN { in_sec = (section == "") }
		!fence && section != "" && /^## / { in_sec = (substr($0, 4) == section); next }
		!fence && /^```/ {
			if (!in_sec) { fence = 2; next }
			fence = 1; n++; info = substr($0, 4); split(info, w, " ")
			out = dir "/b." n; printf "" >out
			printf "%d\t%d\t%s\n", n, NR + 1, info >(dir "/manifest"); next
		}
		fence && /^```[[:space:]]*$/ { if (fence == 1) close(out); fence = 0; next }
		fence == 1 { print >out }
	' "$1"
}

# run_page PAGE: 0 if every block did what the page says
run_page() {
	local page=$1 n line info kind word exitw bg rc out nblk=0 why
	local last_out= last_sh_line=
	: >"$W/manifest"; rm -f "$W"/b.*
	split_page "$page"
	while IFS=$'\t' read -r n line info; do
		kind=${info%% *}; exitw=0; bg=0; local file= norun=0 ctrlc=0 silent=0
		for word in ${info#"$kind"}; do
			case $word in
			exit=*) exitw=${word#exit=} ;;
			bg) bg=1 ;;
			silent) silent=1 ;;
			norun) norun=1 ;;
			ctrl-c) ctrlc=1 ;;
			file=*) file=${word#file=} ;;
			esac
		done
		if [ -n "$file" ]; then
			(cd "$(cat "$W/cwd")" && mkdir -p "$(dirname "$file")" && cp "$W/b.$n" "$file") ||
				{ echo "FAIL: $page:$((line - 1)) — cannot write $file"; return 1; }
			nblk=$((nblk + 1)); continue
		fi
		case $kind in
		sh | bash)
			[ $norun = 1 ] && continue
			nblk=$((nblk + 1)); last_sh_line=$line
			{ printf 'cd %q || exit 99\n' "$(cat "$W/cwd")"
			  [ $bg = 1 ] || [ "$exitw" != 0 ] || echo 'set -e'
			  map_in <"$W/b.$n"
			  [ $bg = 1 ] || printf '\n__rc=$?; pwd >%q; exit $__rc\n' "$W/cwd"; } >"$W/s.$n"
			if [ $bg = 1 ]; then
				stop_bg INT
				out=$W/o.bg; : >"$out"
				local t0=$EPOCHREALTIME try
				for ((try = 0; try < 30; try++)); do
					# emptied here, not by the job's redirection, which the
					# forked child may do after the first look below
					: >"$out"; set -m; bash "$W/s.$n" >>"$out" 2>&1 </dev/null & BGPID=$!; set +m
					local i wait=100; [ $silent = 1 ] && wait=15
					for ((i = 0; i < wait; i++)); do [ -s "$out" ] && break; kill -0 $BGPID 2>/dev/null || break; sleep 0.1; done
					sleep 0.5
					# trace_pipe has one reader at a time: wait for the other one to finish
					kill -0 $BGPID 2>/dev/null || ! grep -q 'is busy: another process is reading it' "$out" || { BGPID=; sleep 1; continue; }
					break
				done
				if ! kill -0 $BGPID 2>/dev/null; then
					echo "FAIL: $page:$((line - 1)) — the background command exited at once: $(map_out <"$out" | tail -3 | tr '\n' ' ')"; BGPID=; return 1
				fi
				last_out=
				[ $SHOW = 1 ] && echo "--- $page:$((line - 1)) (background, running after $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s)"
				continue
			fi
			out=$W/o.$n; rc=0; local t0=$EPOCHREALTIME
			timeout 120 bash "$W/s.$n" >"$out" 2>&1 </dev/null || rc=$?
			last_out=$out
			if [ $SHOW = 1 ]; then
				echo "--- $page:$((line - 1)) exit $rc ($(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s)"
				map_out <"$out"
			fi
			if [ "$rc" != "$exitw" ]; then
				echo "FAIL: $page:$((line - 1)) — exit $rc, the page expects $exitw: $(map_out <"$out" | tail -3 | tr '\n' ' ')"
				return 1
			fi ;;
		text | output)
			[ $ctrlc = 1 ] || [ -n "$last_out" ] || { echo "FAIL: $page:$((line - 1)) — a text block with no sh block before it"; return 1; }
			if [ $ctrlc = 1 ]; then
				[ -n "$BGPID" ] || { echo "FAIL: $page:$((line - 1)) — 'text ctrl-c' but nothing runs in the background"; return 1; }
				local t0=$EPOCHREALTIME
				sleep 0.5; stop_bg INT; out=$W/o.bg
				[ $SHOW = 1 ] && { echo "--- $page:$((line - 1)) (background, after Ctrl-C, $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s)"; map_out <"$out"; }
			else
				out=$last_out
			fi
			nblk=$((nblk + 1))
			why=$(compare "$page" "$W/b.$n" "$out" "$line")
			if [ -n "$why" ]; then
				echo "FAIL: $page:${why%%$'\t'*} — ${why#*$'\t'}"
				return 1
			fi
			last_out= ;;
		esac
	done <"$W/manifest"
	stop_bg INT
	if [ $nblk = 0 ]; then	# a renamed section or a page without blocks checks nothing
		echo "FAIL: $page — no block to run or check${SECTION:+ under \"## $SECTION\"}"
		return 1
	fi
	echo "PASS: doctest $page ($nblk blocks)"
}

status=0 failed=
for page in "$@"; do
	if [ -n "$failed" ]; then	# it starts where the failed page ended
		echo "SKIP: doctest $page (not run: $failed failed, and each page starts where the previous one ended)"
		continue
	fi
	[ -f "$page" ] || { echo "FAIL: $page — no such page"; status=1; failed=$page; continue; }
	run_page "$page" || { status=1; failed=$page; }
done
exit $status
