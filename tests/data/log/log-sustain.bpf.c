// SPDX-License-Identifier: GPL-2.0
/* bench/log.sh's sustained run: log-bench.bpf.c's programs with the default
 * shared ring size (BK_LOG_RING_SLOTS), so the run shows what a default
 * logger keeps up with. */
#define BK_BENCH_DEFAULT_RING
#include "log-bench.bpf.c"
