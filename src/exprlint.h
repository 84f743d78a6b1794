/* Checks on one compiled expression (analysis.md section 4.2), from the
 * syntax tree alone: variables, fields, constructs, get() limits, types. */
#ifndef RULECHECK_EXPRLINT_H
#define RULECHECK_EXPRLINT_H

#include "diag.h"
#include "rules.h"

/* Check the expression of V, the value of key V->key in OBJ of file RF,
 * and report findings into D.  V->ast is non-NULL. */
void exprlint_check(struct diag_list *d, const struct rule_file *rf,
		    const struct rule_object *obj, const struct rule_value *v);

#endif
