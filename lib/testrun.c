/* lib/testrun.c — BPF_PROG_TEST_RUN for packet programs: run a loaded
 * program on a packet without attaching it, name its return value for its
 * program type, and compare it with an expectation (bpfkit test, unit tests). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <bpfkit/object.h>
#include <bpfkit/packet.h>
#include <bpfkit/testrun.h>
#include "internal.h"

struct name { const char *name; unsigned int val; };

static const struct name xdp_names[] = {
	{ "ABORTED", 0 }, { "DROP", 1 }, { "PASS", 2 }, { "TX", 3 }, { "REDIRECT", 4 }, { 0 }
};
static const struct name tc_names[] = {
	{ "UNSPEC", 0xffffffffu }, { "OK", 0 }, { "RECLASSIFY", 1 }, { "SHOT", 2 }, { "PIPE", 3 },
	{ "STOLEN", 4 }, { "QUEUED", 5 }, { "REPEAT", 6 }, { "REDIRECT", 7 }, { 0 }
};
/* socket filters return how many bytes to keep; cgroup_skb 1 = allow */
static const struct name skb_names[] = { { "DROP", 0 }, { "PASS", 1 }, { 0 } };

static const struct name *names_for(int type, const char **prefix)
{
	switch (type) {
	case BPF_PROG_TYPE_XDP:
		*prefix = "XDP_";
		return xdp_names;
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
		*prefix = "TC_ACT_";
		return tc_names;
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_CGROUP_SKB:
		*prefix = "";
		return skb_names;
	default:
		*prefix = "";
		return NULL;
	}
}

const char *bpfkit_testrun__verdict_str(int prog_type, unsigned int retval, char *buf, size_t sz)
{
	const char *prefix;
	const struct name *n = names_for(prog_type, &prefix);

	if (!buf || !sz)
		return "";
	if (prog_type == BPF_PROG_TYPE_SOCKET_FILTER && retval) {
		snprintf(buf, sz, "ACCEPT (keep %u bytes)", retval);
		return buf;
	}
	for (; n && n->name; n++)
		if (n->val == retval) {
			snprintf(buf, sz, "%s%s", prefix, n->name);
			return buf;
		}
	snprintf(buf, sz, "%u", retval);
	return buf;
}

int bpfkit_testrun__parse_verdict(int prog_type, const char *s, unsigned int *retval)
{
	const char *prefix;
	const struct name *n = names_for(prog_type, &prefix);
	char *end;
	unsigned long v;

	if (!s || !*s || !retval)
		return -EINVAL;
	if (*prefix && !strncasecmp(s, prefix, strlen(prefix)))
		s += strlen(prefix);
	if (prog_type == BPF_PROG_TYPE_SOCKET_FILTER && !strcasecmp(s, "ACCEPT")) {
		*retval = 1;	/* any non-zero; see verdict_matches */
		return 0;
	}
	if (prog_type == BPF_PROG_TYPE_CGROUP_SKB && !strcasecmp(s, "ALLOW")) {
		*retval = 1;
		return 0;
	}
	for (; n && n->name; n++)
		if (!strcasecmp(s, n->name)) {
			*retval = n->val;
			return 0;
		}
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || v > 0xffffffffUL)
		return -EINVAL;
	*retval = v;
	return 0;
}

bool bpfkit_testrun__verdict_matches(int prog_type, const char *expect, unsigned int retval)
{
	unsigned int want;
	const char *s = expect;

	if (bpfkit_testrun__parse_verdict(prog_type, expect, &want))
		return false;
	if (prog_type == BPF_PROG_TYPE_SOCKET_FILTER && s &&
	    (!strcasecmp(s, "ACCEPT") || !strcasecmp(s, "PASS")))
		return retval != 0;
	return want == retval;
}

static int packet_type(int type)
{
	switch (type) {
	case BPF_PROG_TYPE_XDP:
	case BPF_PROG_TYPE_SCHED_CLS:
	case BPF_PROG_TYPE_SCHED_ACT:
	case BPF_PROG_TYPE_SOCKET_FILTER:
	case BPF_PROG_TYPE_CGROUP_SKB:
	case BPF_PROG_TYPE_LWT_IN:
	case BPF_PROG_TYPE_LWT_OUT:
	case BPF_PROG_TYPE_LWT_XMIT:
	case BPF_PROG_TYPE_LWT_SEG6LOCAL:
	case BPF_PROG_TYPE_FLOW_DISSECTOR:
		return 1;
	default:
		return 0;
	}
}

bool bpfkit_testrun__takes_packets(int prog_type)
{
	return packet_type(prog_type);
}

int bpfkit_testrun__run(int prog_fd, const void *pkt, size_t len,
			const struct bpfkit_testrun_opts *opts, struct bpfkit_testrun_result *res)
{
	struct bpf_prog_info info = {};
	__u32 info_len = sizeof(info);
	char name[128];
	int err;

	if (!OPTS_VALID(opts, bpfkit_testrun_opts))
		return -EINVAL;
	if (prog_fd < 0 || !pkt || !res)
		return -EINVAL;
	if (len < 14 || len > BPFKIT_PACKET_MAX) {
		pr_warn("test run: a packet of %zu bytes; it must be an Ethernet frame of 14..%d bytes\n",
			len, BPFKIT_PACKET_MAX);
		return -EINVAL;
	}
	if (bpf_obj_get_info_by_fd(prog_fd, &info, &info_len))
		return -errno;
	full_prog_name(prog_fd, &info, name, sizeof(name));	/* not the kernel's 15 chars */
	if (!packet_type(info.type)) {
		const char *t = libbpf_bpf_prog_type_str(info.type);

		pr_warn("prog '%s': a %s program cannot be run on packets; BPF_PROG_TEST_RUN takes "
			"packets for xdp, tc (sched_cls/sched_act), socket_filter, cgroup_skb, lwt and "
			"flow_dissector programs\n", name, t ? t : "?");
		return -ENOTSUP;
	}

	LIBBPF_OPTS(bpf_test_run_opts, to,
		.data_in = pkt,
		.data_size_in = len,
		.data_out = OPTS_GET(opts, data_out, NULL),
		.data_size_out = OPTS_GET(opts, data_out, NULL) ? OPTS_GET(opts, data_out_sz, 0) : 0,
		.repeat = OPTS_GET(opts, repeat, 0) ?: 1,
	);
	err = bpf_prog_test_run_opts(prog_fd, &to);
	if (err) {
		err = -errno;
		if (err == -ENOSPC)
			pr_warn("prog '%s': the packet grew beyond the %zu-byte output buffer\n", name,
				(size_t)OPTS_GET(opts, data_out_sz, 0));
		else
			pr_warn("prog '%s': test run failed: %s\n", name, errstr(err));
		return err;
	}
	res->retval = to.retval;
	res->duration_ns = to.duration;
	res->data_out_len = to.data_out ? to.data_size_out : 0;
	return 0;
}

static void sayf(char *why, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void sayf(char *why, size_t sz, const char *fmt, ...)
{
	va_list ap;

	if (!why || !sz)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sz, fmt, ap);
	va_end(ap);
}

int bpfkit_testrun__expect(struct bpfkit_object *obj, const char *prog, const char *spec,
			   const char *expect, char *why, size_t why_sz)
{
	struct bpfkit_testrun_result res = {};
	unsigned char *pkt;
	struct bpf_program *p;
	char err[160], got[48];
	unsigned int want;
	size_t len;
	int ret, type;

	if (!obj || !prog || !spec || !expect)
		return -EINVAL;
	p = bpfkit_object__find_program(obj, prog);
	if (!p || bpf_program__fd(p) < 0) {
		sayf(why, why_sz, "prog '%s': not found or not loaded", prog);
		return -ENOENT;
	}
	type = bpf_program__type(p);
	if (bpfkit_testrun__parse_verdict(type, expect, &want)) {
		sayf(why, why_sz, "'%s' is not a verdict of a %s program", expect,
		     libbpf_bpf_prog_type_str(type) ?: "?");
		return -EINVAL;
	}
	pkt = malloc(BPFKIT_PACKET_MAX);
	if (!pkt)
		return -ENOMEM;
	ret = bpfkit_packet__from_spec(spec, pkt, BPFKIT_PACKET_MAX, &len, err, sizeof(err));
	if (ret) {
		sayf(why, why_sz, "packet '%s': %s", spec, err);
		goto out;
	}
	ret = bpfkit_testrun__run(bpf_program__fd(p), pkt, len, NULL, &res);
	if (ret) {
		sayf(why, why_sz, "prog '%s': test run failed: %s", prog, errstr(ret));
		goto out;
	}
	bpfkit_testrun__verdict_str(type, res.retval, got, sizeof(got));
	ret = bpfkit_testrun__verdict_matches(type, expect, res.retval) ? 0 : 1;
	sayf(why, why_sz, "prog '%s' on '%s': %s%s%s", prog, spec, got, ret ? ", expected " : "",
	     ret ? expect : "");
out:
	free(pkt);
	return ret;
}
