/* tests/fuzz/fuzz_packet_spec.c — any string is either a packet or a clean
 * error; every built packet describes without reading past its end; and any
 * bytes at all describe safely. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/packet.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char pkt[BPFKIT_PACKET_MAX];
	char err[128], desc[256], *spec;
	size_t len = 0;

	spec = malloc(size + 1);
	if (!spec)
		return 0;
	memcpy(spec, data, size);
	spec[size] = 0;
	if (bpfkit_packet__from_spec(spec, pkt, sizeof(pkt), &len, err, sizeof(err)) == 0) {
		unsigned char *exact = malloc(len ? len : 1);

		if (len > sizeof(pkt))
			abort();
		/* an exact-size copy so ASan sees any over-read */
		memcpy(exact, pkt, len);
		bpfkit_packet__describe(exact, len, desc, sizeof(desc));
		free(exact);
	} else if (!err[0]) {
		abort();	/* every failure must say why */
	}
	/* the raw input as a frame */
	unsigned char *raw = malloc(size ? size : 1);
	memcpy(raw, data, size);
	bpfkit_packet__describe(raw, size, desc, sizeof(desc));
	free(raw);
	free(spec);
	return 0;
}
