/* bpfkit/testrun.h — run a loaded program on packets with BPF_PROG_TEST_RUN
 * (nothing attached), name its verdicts, and check them: the library behind
 * `bpfkit test`, usable from unit tests:
 *
 *   char why[256];
 *   if (bpfkit_testrun__expect(obj, "xdp_fw", "ipv4 10.0.0.1>10.0.0.2/udp 1>53",
 *                              "DROP", why, sizeof(why)))
 *           fprintf(stderr, "%s\n", why);
 */
#ifndef BPFKIT_TESTRUN_H
#define BPFKIT_TESTRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <bpfkit/print.h>

#ifdef __cplusplus
extern "C" {
#endif

struct bpfkit_object;

struct bpfkit_testrun_opts {
	size_t sz;		/* sizeof(struct bpfkit_testrun_opts) */
	unsigned int repeat;	/* run N times in the kernel (0 = 1); duration is per run.
				 * The runs share one buffer: run 2 sees what run 1 wrote,
				 * and retval/data_out are the last run's. */
	void *data_out;		/* the packet after the program, or NULL */
	size_t data_out_sz;
};
#define bpfkit_testrun_opts__last_field data_out_sz

struct bpfkit_testrun_result {
	unsigned int retval;		/* the program's return value */
	unsigned int duration_ns;	/* kernel-measured mean time per run */
	size_t data_out_len;		/* length of the packet after the program */
};

/* Runs PROG_FD once (or opts->repeat times) on PKT. 0 or -errno (-ENOTSUP:
 * this program type cannot be test-run; a message says which types can). */
/* Does BPF_PROG_TEST_RUN take packets for this program type (xdp, tc,
 * socket_filter, cgroup_skb, lwt, flow_dissector)? */
BPFKIT_API bool bpfkit_testrun__takes_packets(int prog_type);

BPFKIT_API int bpfkit_testrun__run(int prog_fd, const void *pkt, size_t len,
				   const struct bpfkit_testrun_opts *opts,
				   struct bpfkit_testrun_result *res);

/* The name of RETVAL for a program of PROG_TYPE (enum bpf_prog_type):
 * "XDP_PASS", "TC_ACT_SHOT", "DROP"/"ACCEPT" for socket filters and
 * cgroup_skb. Writes "RETVAL" as a number when it has no name. */
BPFKIT_API const char *bpfkit_testrun__verdict_str(int prog_type, unsigned int retval,
						   char *buf, size_t sz);

/* Parses an expected verdict: a name with or without its prefix ("PASS",
 * "XDP_PASS", "shot", "TC_ACT_OK"), or a number. 0 or -EINVAL. */
BPFKIT_API int bpfkit_testrun__parse_verdict(int prog_type, const char *s, unsigned int *retval);

/* Does RETVAL satisfy the expectation EXPECT (as parsed above)? For socket
 * filters "ACCEPT" matches any non-zero length. */
BPFKIT_API bool bpfkit_testrun__verdict_matches(int prog_type, const char *expect,
						unsigned int retval);

/* One call for unit tests: builds SPEC (bpfkit/packet.h), runs program PROG
 * of the loaded OBJ on it, compares the verdict with EXPECT. 0 on a match;
 * 1 on a mismatch; -errno on error. WHY (optional) gets a sentence either way. */
BPFKIT_API int bpfkit_testrun__expect(struct bpfkit_object *obj, const char *prog,
				      const char *spec, const char *expect,
				      char *why, size_t why_sz);

#ifdef __cplusplus
}
#endif
#endif
