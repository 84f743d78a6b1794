/* The concrete evaluator: the exact meaning of a rule expression on one
 * request, as JavaScript would compute it.  This is the reference that
 * the symbolic engine is tested against. */
#ifndef RULECHECK_EVAL_H
#define RULECHECK_EVAL_H

#include <cjson/cJSON.h>

#include "ast.h"

struct eval_get {
	const char *path;	/* database.<collection>.<id> */
	const cJSON *doc;	/* the document; NULL or cJSON null: absent */
};

struct eval_request {
	const char *op;		/* read, create, update, delete, write, invoke */
	const cJSON *auth;	/* NULL or cJSON null: unauthenticated */
	const cJSON *doc;	/* database doc; NULL: an empty object */
	const cJSON *data;	/* request.data; NULL: undefined */
	const cJSON *resource;	/* storage resource; NULL: empty object */
	double now;
	const struct eval_get *gets;
	size_t ngets;
};

enum eval_verdict {
	EVAL_DENY,
	EVAL_ALLOW
};

struct eval_outcome {
	enum eval_verdict verdict;
	int error;		/* evaluation raised an error (denies) */
	const struct ast_node *decider;	/* the sub-expression that decided */
	char reason[256];	/* lower case: why it decided so */
};

/* Evaluate EXPR on REQ.  Never fails: an evaluation error is a denial
 * with error set and reason naming it. */
void eval_expr(const struct ast_node *expr, const struct eval_request *req,
	       struct eval_outcome *out);

#endif
