/* The permission matrix of a scan (analysis.md section 5), and the diff
 * of two versions of the rules: the access NEW grants that OLD denied. */
#ifndef RULECHECK_MATRIX_H
#define RULECHECK_MATRIX_H

#include <stdio.h>

#include "access.h"
#include "rules.h"
#include "scan.h"

/* Print the matrix of the files in L as text or JSON.  Returns the exit
 * status: 0, or 2 when a file could not be read or analysed. */
int matrix_print(const struct scan_list *l, const struct rule_options *ro,
		 const struct access_options *ao, int json, FILE *out);

/* Print every operation where NEW admits a request that OLD denies.
 * Returns 1 when there is new access, 0 when none, 2 on error. */
int matrix_diff(const char *old, const char *new,
		const struct rule_options *ro,
		const struct access_options *ao, int json, FILE *out);

#endif
