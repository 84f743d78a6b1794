/* All checks on one loaded rule file, in pipeline order: structure,
 * expressions, then the symbolic checks.  Shared by the command line and
 * the language server. */
#ifndef RULECHECK_LINT_H
#define RULECHECK_LINT_H

#include "access.h"
#include "diag.h"
#include "rules.h"

enum lint_result {
	LINT_SKIP,    /* a directory scan passes over this file */
	LINT_DONE,    /* the findings are in the list */
	LINT_INTERNAL /* as DONE, but the engine failed internally */
};

/* Check RF (loaded by rules_load) into D.  EXPLICIT is set when the user
 * named the file; SUMMARY may be NULL. */
enum lint_result lint_file(struct diag_list *d, struct rule_file *rf,
			   int explicit, const struct access_options *ao,
			   const struct access_summary *summary);

/* Does some rule of RF read a document through get()?  Such a file needs
 * the rules of the collections it reads (role-doc-writable) before it is
 * checked. */
int lint_reads_documents(const struct rule_file *rf);

#endif
