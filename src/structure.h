/* Checks on the shape of a rule document (analysis.md section 4.1):
 * lenient-JSON events, keys, values, function-rule sets, Firebase syntax. */
#ifndef RULECHECK_STRUCTURE_H
#define RULECHECK_STRUCTURE_H

#include "diag.h"
#include "rules.h"

/* Check RF, loaded without a JSON fault.  EXPLICIT is set when the user
 * named the file, as opposed to finding it in a directory.  Returns 1
 * when the file is a rule file to report on, 0 when a directory scan
 * should pass over it silently (no CloudBase rules in it). */
int structure_check(struct diag_list *d, struct rule_file *rf, int explicit);

#endif
