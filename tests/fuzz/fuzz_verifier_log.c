/* Fuzz the verifier-log summariser and explainer: any bytes, never a crash
 * or overflow (the explainer walks the path and cuts names out of source
 * lines, so it gets the same bytes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <bpfkit/verifier.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfkit_verifier_summary s;
	struct bpfkit_verifier_explanation *ex = malloc(sizeof(*ex));
	char *log = malloc(size + 1);

	if (!log || !ex) {
		free(log);
		free(ex);
		return 0;
	}
	memcpy(log, data, size);
	log[size] = '\0';
	bpfkit_verifier__summarize(log, &s);
	bpfkit_verifier__explain_log(log, NULL, 0, "prog", ex);
	free(ex);
	free(log);
	return 0;
}
