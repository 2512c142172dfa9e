/* tests/unit/test_testrun.c — the testrun C API on the real kernel: verdict
 * names both ways, bpfkit_testrun__expect on matches and mismatches, bad
 * input, and the packet the program leaves. */
#include <errno.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/bpfkit.h>
#include <bpfkit/packet.h>
#include <bpfkit/testrun.h>
#include "test.h"

#define OBJ "../../build/bpf/testrun/verdicts.bpf.o"

static int quiet(enum bpfkit_print_level l, const char *f, va_list a)
{
	(void)l; (void)f; (void)a;
	return 0;
}

int main(void)
{
	struct bpfkit_object *obj;
	unsigned int v = 99;
	char buf[64], why[256];

	/* names, no kernel needed */
	CHECK_STR("verdict_str xdp", bpfkit_testrun__verdict_str(BPF_PROG_TYPE_XDP, 3, buf, sizeof(buf)), "XDP_TX");
	CHECK_STR("verdict_str tc", bpfkit_testrun__verdict_str(BPF_PROG_TYPE_SCHED_CLS, 2, buf, sizeof(buf)),
		  "TC_ACT_SHOT");
	CHECK_STR("verdict_str tc unspec",
		  bpfkit_testrun__verdict_str(BPF_PROG_TYPE_SCHED_CLS, 0xffffffffu, buf, sizeof(buf)), "TC_ACT_UNSPEC");
	CHECK_STR("verdict_str unknown", bpfkit_testrun__verdict_str(BPF_PROG_TYPE_XDP, 77, buf, sizeof(buf)), "77");
	CHECK("parse PASS", !bpfkit_testrun__parse_verdict(BPF_PROG_TYPE_XDP, "PASS", &v) && v == 2);
	CHECK("parse xdp_drop", !bpfkit_testrun__parse_verdict(BPF_PROG_TYPE_XDP, "xdp_drop", &v) && v == 1);
	CHECK("parse TC_ACT_OK", !bpfkit_testrun__parse_verdict(BPF_PROG_TYPE_SCHED_CLS, "TC_ACT_OK", &v) && v == 0);
	CHECK("parse number", !bpfkit_testrun__parse_verdict(BPF_PROG_TYPE_XDP, "0x4", &v) && v == 4);
	CHECK("parse bad", bpfkit_testrun__parse_verdict(BPF_PROG_TYPE_XDP, "SHOT", &v) == -EINVAL);
	CHECK("parse empty", bpfkit_testrun__parse_verdict(BPF_PROG_TYPE_XDP, "", &v) == -EINVAL);
	CHECK("parse junk number", bpfkit_testrun__parse_verdict(BPF_PROG_TYPE_XDP, "12x", &v) == -EINVAL);
	CHECK("socket ACCEPT matches any length",
	      bpfkit_testrun__verdict_matches(BPF_PROG_TYPE_SOCKET_FILTER, "ACCEPT", 40) &&
	      !bpfkit_testrun__verdict_matches(BPF_PROG_TYPE_SOCKET_FILTER, "ACCEPT", 0));

	if (geteuid()) {
		printf("SKIP: %s:kernel (needs root to load programs)\n", __FILE__);
		TEST_EXIT();
	}
	bpfkit_set_print(quiet);
	obj = bpfkit_object__open_file(OBJ, NULL);
	CHECK("open object", obj != NULL);
	if (!obj)
		TEST_EXIT();
	CHECK("load object", bpfkit_object__load(obj) == 0);

	CHECK("expect DROP for udp/53",
	      bpfkit_testrun__expect(obj, "xdp_verdict", "ipv4 10.0.0.1>10.0.0.2/udp 1>53", "DROP", why, sizeof(why)) == 0);
	CHECK("expect TX for echo",
	      bpfkit_testrun__expect(obj, "xdp_verdict", "ipv4 10.0.0.1>10.0.0.2/icmp echo", "XDP_TX", why, sizeof(why)) == 0);
	CHECK("expect PASS for tcp",
	      bpfkit_testrun__expect(obj, "xdp_verdict", "ipv4 10.0.0.1>10.0.0.2/tcp 1>2", "PASS", why, sizeof(why)) == 0);
	CHECK("expect ABORTED for arp",
	      bpfkit_testrun__expect(obj, "xdp_verdict", "arp who-has 10.0.0.2", "ABORTED", why, sizeof(why)) == 0);
	CHECK("mismatch returns 1",
	      bpfkit_testrun__expect(obj, "xdp_verdict", "ipv4 10.0.0.1>10.0.0.2/udp 1>53", "PASS", why, sizeof(why)) == 1);
	CHECK_STR("mismatch says what it got", why,
		  "prog 'xdp_verdict' on 'ipv4 10.0.0.1>10.0.0.2/udp 1>53': XDP_DROP, expected PASS");
	CHECK("tc SHOT", bpfkit_testrun__expect(obj, "tc_verdict", "ipv4 1.1.1.1>2.2.2.2/udp 1>2", "SHOT", why,
						   sizeof(why)) == 0);
	CHECK("socket filter DROP", bpfkit_testrun__expect(obj, "sock_verdict", "ipv4 1.1.1.1>2.2.2.2/udp 1>2",
							     "DROP", why, sizeof(why)) == 0);
	CHECK("bad spec", bpfkit_testrun__expect(obj, "xdp_verdict", "ipv4 1.2.3>4.5.6.7", "PASS", why, sizeof(why)) == -EINVAL &&
	      strstr(why, "bad address pair"));
	CHECK("bad verdict", bpfkit_testrun__expect(obj, "xdp_verdict", "ipv4 1.1.1.1>2.2.2.2", "SHOT", why,
						      sizeof(why)) == -EINVAL && strstr(why, "not a verdict of a xdp"));
	CHECK("no such prog", bpfkit_testrun__expect(obj, "nope", "ipv4 1.1.1.1>2.2.2.2", "PASS", why, sizeof(why)) ==
	      -ENOENT);

	/* the packet after the program: xdp_trim cuts 4 bytes */
	{
		unsigned char pkt[128], out[256];
		size_t len;
		struct bpf_program *p = bpfkit_object__find_program(obj, "xdp_trim");
		struct bpfkit_testrun_opts o = { .sz = sizeof(o), .data_out = out, .data_out_sz = sizeof(out) };
		struct bpfkit_testrun_result r = {};

		CHECK("spec for trim", !bpfkit_packet__from_spec("ipv4 1.1.1.1>2.2.2.2/udp 1>2/len 80", pkt,
								   sizeof(pkt), &len, NULL, 0));
		CHECK("run trim", p && !bpfkit_testrun__run(bpf_program__fd(p), pkt, len, &o, &r));
		CHECK("trim: 4 bytes shorter, same start", r.data_out_len == 76 && !memcmp(out, pkt, 76));
		/* repeated runs share the buffer: the 20th trim of an 80-byte frame fails */
		o.repeat = 20;
		o.data_out = NULL;
		CHECK("repeat runs on one buffer", !bpfkit_testrun__run(bpf_program__fd(p), pkt, len, &o, &r) &&
		      r.retval == 0 /* XDP_ABORTED */);
		CHECK("short packet refused", bpfkit_testrun__run(bpf_program__fd(p), pkt, 10, NULL, &r) == -EINVAL);
		struct { struct bpfkit_testrun_opts o; long future; } big = { { .sz = sizeof(big) }, 1 };
		CHECK("unknown opts field refused", bpfkit_testrun__run(bpf_program__fd(p), pkt, len, &big.o, &r) == -EINVAL);
	}
	bpfkit_object__close(obj);
	TEST_EXIT();
}
