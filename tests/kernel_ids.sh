# tests/kernel_ids.sh — sourced by tests/lib.sh and tests/run.sh.
# kernel_ids: the sorted ids of every program, map and link in the kernel,
# one "prog12" / "map34" / "link5" a line.
kernel_ids() {
	{ bpftool prog show -j | grep -o '"id":[0-9]*' | sed 's/"id":/prog/'
	  bpftool map show -j | grep -o '"id":[0-9]*' | sed 's/"id":/map/'
	  bpftool link show -j | grep -o '"id":[0-9]*' | sed 's/"id":/link/'; } 2>/dev/null | sort
}
