/* What a scan counted (files, rule objects, findings by severity and by
 * check), the summary printed at its end, and the progress bar drawn on
 * a terminal while a long scan runs. */
#ifndef RULECHECK_TALLY_H
#define RULECHECK_TALLY_H

#include <stdio.h>

#include "diag.h"

struct tally {
	size_t files;	   /* files read */
	size_t rule_files; /* of them, files checked as rule files */
	size_t objects;	   /* rule objects in those files */
	size_t findings;
	size_t by_severity[SEV_ERROR + 1];
	size_t by_check[CHECK_COUNT];
	/* the progress bar */
	FILE *bar; /* a terminal, or NULL: no bar */
	size_t total;
	double start, drawn; /* seconds on a monotonic clock */
	double delay;	     /* before the bar appears */
	int visible;
};

/* Count the findings of D, as they are reported. */
void tally_findings(struct tally *t, const struct diag_list *d);

/* The summary: one line of totals, then one line per check that fired,
 * the most frequent first. */
void tally_print(const struct tally *t, FILE *out);

/* Start the bar on OUT (a terminal) for TOTAL files; it appears only
 * when the scan is still running after a second, or after the seconds
 * that the environment variable RULECHECK_PROGRESS_DELAY gives. */
void tally_progress_start(struct tally *t, FILE *out, size_t total);

/* DONE files of the total are finished. */
void tally_progress(struct tally *t, size_t done);

/* Erase the bar before anything else is written to the terminal. */
void tally_progress_clear(struct tally *t);

#endif
