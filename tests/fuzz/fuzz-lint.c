/* Fuzz target: the whole pipeline from the bytes of one rule file to its
 * findings, as the command line runs it: loading, the structural,
 * expression and symbolic checks, then every output format. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "lint.h"
#include "report.h"

static const enum report_format fuzz_formats[] = {
	REPORT_TTY,   REPORT_GCC,	 REPORT_JSON,
	REPORT_SARIF, REPORT_CHECKSTYLE, REPORT_GITHUB};

#define FUZZ_BUDGET 5000

static FILE *fuzz_sink;

static void fuzz_report(const struct diag_list *d, size_t which)
{
	struct report r;

	report_init(&r, fuzz_formats[which], which == 0, fuzz_sink);
	report_findings(&r, d);
	report_finish(&r);
}

/* The input decides the compliance level and the platforms served, so
 * that every profile of the checks is reached.  The engine's budget is a
 * fortieth of the default: the file-wide bound it implies keeps every
 * input within the time limit of an instrumented build, so a timeout
 * means work that the budget does not bound. */
static void fuzz_options(struct access_options *ao, const uint8_t *data,
			 size_t size)
{
	static const int levels[] = {0, 2, 3};
	static const unsigned callers[] = {0, SYM_CALLERS_MINIPROGRAM,
					   SYM_CALLERS_WEB};
	static const char *const owners[] = {"owner", "createdBy"};
	unsigned h = size ? data[size - 1] : 0;

	memset(ao, 0, sizeof(*ao));
	ao->level = levels[h % 3];
	ao->callers = callers[(h / 3) % 3];
	ao->budget = FUZZ_BUDGET;
	if (h / 9 % 2) {
		ao->owner_fields = owners;
		ao->nowner_fields = 2;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule_options ro;
	struct access_options ao;
	struct rule_file rf;
	struct diag_list d;
	char err[256];
	size_t i;

	if (!fuzz_sink)
		fuzz_sink = fopen("/dev/null", "w");
	rules_default_options(&ro);
	fuzz_options(&ao, data, size);
	diag_init(&d);
	if (rules_load_memory(&rf, "database.rules.json", (const char *)data,
			      size, &ro, &d, err, sizeof(err)) < 0) {
		diag_free(&d);
		return 0;
	}
	lint_file(&d, &rf, 1, &ao, NULL);
	for (i = 0; i < sizeof(fuzz_formats) / sizeof(fuzz_formats[0]); i++)
		fuzz_report(&d, i);
	diag_free(&d);
	rules_free(&rf);
	return 0;
}
