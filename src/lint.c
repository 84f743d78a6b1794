/* The checks on one file, in the order the pipeline runs them. */
#include <string.h>

#include "exprlint.h"
#include "lint.h"
#include "structure.h"

static void lint_expressions(struct diag_list *d, const struct rule_file *rf)
{
	size_t i, j;

	for (i = 0; i < rf->nobjects; i++) {
		const struct rule_object *obj = &rf->objects[i];

		for (j = 0; j < obj->nvalues; j++)
			if (obj->values[j].ast &&
			    !obj->values[j].member->shadowed)
				exprlint_check(d, rf, obj, &obj->values[j]);
	}
}

/* In a directory scan, a file that is not JSON is reported only when its
 * content looks meant to hold rules: an operation key or a root of the
 * rule language, whatever the file is called. */
static int looks_like_rules(const struct rule_file *rf)
{
	static const char *const marks[] = {"\"read\"",	  "\"write\"",
					    "\"invoke\"", "auth.",
					    "doc.",	  "resource."};
	size_t i;

	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
		if (memmem(rf->src.buf, rf->src.len, marks[i],
			   strlen(marks[i])))
			return 1;
	return 0;
}

static int calls_get(const struct ast_node *n)
{
	size_t i;

	if (!n)
		return 0;
	if (n->kind == AST_CALL && n->a && n->a->kind == AST_IDENT &&
	    strcmp(n->a->text, "get") == 0)
		return 1;
	if (calls_get(n->a) || calls_get(n->b) || calls_get(n->c))
		return 1;
	for (i = 0; i < n->nlist; i++)
		if (calls_get(n->list[i]))
			return 1;
	return 0;
}

int lint_reads_documents(const struct rule_file *rf)
{
	size_t i, j;

	for (i = 0; i < rf->nobjects; i++)
		for (j = 0; j < rf->objects[i].nvalues; j++)
			if (calls_get(rf->objects[i].values[j].ast))
				return 1;
	return 0;
}

enum lint_result lint_file(struct diag_list *d, struct rule_file *rf,
			   int explicit, const struct access_options *ao,
			   const struct access_summary *summary)
{
	if (!rf->json.root)
		return explicit || looks_like_rules(rf) ? LINT_DONE : LINT_SKIP;
	if (!structure_check(d, rf, explicit))
		return LINT_SKIP;
	lint_expressions(d, rf);
	if (access_check(d, rf, ao) < 0)
		return LINT_INTERNAL;
	if (summary)
		access_role_docs(d, rf, ao, summary);
	return LINT_DONE;
}
