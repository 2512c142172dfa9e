// SPDX-License-Identifier: GPL-2.0
/* VERIFIER-HINT: data_end
 * Sums the UDP payload bytes in a loop, checking the loop index but not
 * each byte against data_end. */
#include "common.h"

SEC("xdp")
int bad_payload(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	unsigned char *payload = data + 42;
	__u32 sum = 0;

	if ((void *)(payload + 1) > data_end)
		return XDP_PASS;
	for (int i = 0; i < 16; i++)
		sum += payload[i]; /* VERIFIER: packet-bounds */
	return sum & 1 ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
