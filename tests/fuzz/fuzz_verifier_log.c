/* Fuzz the verifier-log summariser: any bytes, never a crash or overflow. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/verifier.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfkit_verifier_summary s;
	char *log = malloc(size + 1);

	if (!log)
		return 0;
	memcpy(log, data, size);
	log[size] = '\0';
	bpfkit_verifier__summarize(log, &s);
	free(log);
	return 0;
}
