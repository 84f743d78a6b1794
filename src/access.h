/* The symbolic checks (analysis.md sections 4.3 and 4.4) and the
 * permission matrix: questions about rule objects put to the engine. */
#ifndef RULECHECK_ACCESS_H
#define RULECHECK_ACCESS_H

#include <stdio.h>

#include "diag.h"
#include "rules.h"
#include "sym.h"

/* The widest class an operation admits: the engine's classes, then
 * nobody, and unknown where the engine could not decide. */
enum access_class {
	ACCESS_PUBLIC = SYM_PUBLIC,
	ACCESS_ANONYMOUS = SYM_ANONYMOUS,
	ACCESS_ANY_USER = SYM_ANY_USER,
	ACCESS_ROLE = SYM_ROLE,
	ACCESS_OWNER = SYM_ANY,
	ACCESS_NOBODY,
	ACCESS_UNKNOWN
};

/* The work of the symbolic checks on one file is bounded by this many
 * times the per-question budget, counting every evaluation by the number
 * of nodes in the syntax trees evaluated; the questions left when it is
 * spent are answered unknown. */
#define ACCESS_FILE_WORK 500ull

struct access_options {
	int level;		/* 0, 2 or 3 */
	unsigned callers;	/* the platforms served; 0: all */
	unsigned long budget;	/* per question; 0: the engine's default */
	FILE *dump;		/* --dump-queries, or NULL */
	const char *const *owner_fields;	/* "ownerFields" of the
						   configuration */
	size_t nowner_fields;
};

/* What the scan knows of each named database collection, for
 * role-doc-writable: the widest class that may create or update it. */
struct access_entry {
	char *name;
	char *dir;		/* the directory of the file defining it */
	enum access_class write;
};

struct access_summary {
	struct access_entry *v;
	size_t n, cap;
};

const char *access_class_name(enum access_class cls);

/* The operations of a kind: read, create, update, delete; read, write;
 * or invoke. */
void access_ops(enum rule_kind kind, const char *const **ops, size_t *n);

/* Q asks only about the callers OPT serves, within OPT's budget. */
void access_limit_query(const struct access_options *opt,
			struct sym_query *q);

/* G becomes the goal "OP of OBJ allows", after the write fallback (an
 * absent rule is the literal false).  Returns 0 when the rule governing
 * OP did not compile. */
int access_goal(const struct rule_object *obj, const char *op,
		struct sym_goal *g);

/* The widest class that OP of OBJ admits; W, when not NULL, receives the
 * witness of a class other than nobody and unknown. */
enum access_class access_widest(const struct rule_object *obj,
				const char *op,
				const struct access_options *opt,
				struct sym_witness *w);

/* Record the collections of RF in S. */
void access_summarize(struct access_summary *s, const struct rule_file *rf,
		      const struct access_options *opt);
void access_summary_free(struct access_summary *s);

/* Run every symbolic check on RF but role-doc-writable.  Returns -1 when
 * the engine failed internally (a witness that did not hold), 0
 * otherwise.  The findings of a rule object seen before under the same
 * options are replayed from the memo. */
int access_check(struct diag_list *d, const struct rule_file *rf,
		 const struct access_options *opt);

/* role-doc-writable on RF: the get() reads of collections that SUMMARY,
 * the collections of RF's project, says ordinary users may write. */
void access_role_docs(struct diag_list *d, const struct rule_file *rf,
		      const struct access_options *opt,
		      const struct access_summary *summary);

#endif
