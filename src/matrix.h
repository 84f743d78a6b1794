/* The permission matrix of a scan (analysis.md section 5), and the diff
 * of two versions of the rules: the access NEW grants that OLD denied. */
#ifndef RULECHECK_MATRIX_H
#define RULECHECK_MATRIX_H

#include <stdio.h>

#include "access.h"
#include "conf.h"
#include "rules.h"
#include "scan.h"

/* The configuration of a run: each file's .rulecheck.json (or the one
 * forced), and the command line, which wins. */
struct matrix_config {
	struct conf_set *set;
	const struct conf_settings *cli;
};

/* Print the matrix of the files in L as text or JSON, each under the
 * platforms of its configuration; a file found in a directory and
 * excluded there is left out.  Returns the exit status: 0, or 2 when a
 * file could not be read or analysed or a configuration is invalid. */
int matrix_print(const struct scan_list *l, const struct rule_options *ro,
		 const struct access_options *ao,
		 const struct matrix_config *mc, int json, FILE *out);

/* Print every operation where NEW admits a request that OLD denies, for
 * the callers that NEW's configuration serves.  Returns 1 when there is
 * new access, 0 when none, 2 on error. */
int matrix_diff(const char *old, const char *new,
		const struct rule_options *ro,
		const struct access_options *ao,
		const struct matrix_config *mc, int json, FILE *out);

#endif
