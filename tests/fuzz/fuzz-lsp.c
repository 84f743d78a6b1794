/* Fuzz target: the language server fed one byte stream as its standard
 * input: the message reader (headers, Content-Length, resynchronisation),
 * JSON-RPC dispatch, and the checks of every document the stream opens.
 * The engine's budget is that of fuzz-lint, for the same reason. */
#include <stdint.h>
#include <stdio.h>

#include "lsp.h"

static FILE *fuzz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule_options ro;
	struct access_options ao = {0, 0, 5000, NULL};
	FILE *in;

	if (!size)
		return 0;
	if (!fuzz_sink)
		fuzz_sink = fopen("/dev/null", "w");
	in = fmemopen((void *)data, size, "r");
	if (!in)
		return 0;
	rules_default_options(&ro);
	lsp_main(in, fuzz_sink, &ro, &ao);
	fclose(in);
	return 0;
}
