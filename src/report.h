/* Reporters: findings as GNU-style lines, as a terminal view with the
 * source line and a caret under the span, as one JSON or SARIF document,
 * as checkstyle XML, or as GitHub Actions workflow commands. */
#ifndef RULECHECK_REPORT_H
#define RULECHECK_REPORT_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "diag.h"

/* The project's home: SARIF names it as the tool's informationUri, and the
 * help of every rule points at doc/checks/ID.md under it. */
#define REPORT_HOME_URI "https://rulecheck.invalid/"

enum report_format {
	REPORT_TTY,
	REPORT_GCC,
	REPORT_JSON,
	REPORT_SARIF,
	REPORT_CHECKSTYLE,
	REPORT_GITHUB
};

struct report_mark;

struct report {
	enum report_format format;
	int color;
	FILE *out;
	cJSON *root;		/* REPORT_JSON, REPORT_SARIF: the document */
	cJSON *findings;	/* its findings or results array */
	struct report_mark *marks;	/* REPORT_SARIF: one per result */
	size_t nmarks, capmarks;
	size_t count[SEV_ERROR + 1];
};

void report_init(struct report *r, enum report_format format, int color,
		 FILE *out);

/* Print (or collect) the findings of D, sorted, and count them. */
void report_findings(struct report *r, const struct diag_list *d);

/* Print what was collected.  Returns -1 when the output failed. */
int report_finish(struct report *r);

/* The documentation page of a check, relative to the source tree. */
void report_doc_path(char *buf, size_t len, enum check_id check);

#endif
