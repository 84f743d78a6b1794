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

/* What the symbolic engine leaves open in a request it is building.  The
 * evaluator calls MISSING when it reads something the request does not
 * hold: member KEY of the object OBJ, the document at get() PATH (OBJ is
 * NULL, KEY is the path), or now (OBJ and KEY NULL) when now_open is set.
 * AT is the node being evaluated.  A nonzero return suspends the
 * evaluation; zero lets it go on with the member absent. */
struct eval_hook {
	int (*missing)(void *ctx, const cJSON *obj, const char *key,
		       size_t len, const struct ast_node *at);
	void *ctx;
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
	const struct eval_hook *hook;	/* NULL outside the engine */
	int now_open;		/* now is not decided yet */
	/* The engine's probe: the node OVERRIDE evaluates to OVERRIDE_VALUE
	 * (NULL: undefined) whatever it says. */
	const struct ast_node *override;
	const cJSON *override_value;
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

enum eval_status {
	EVAL_ST_FALSE,		/* evaluated, falsy */
	EVAL_ST_TRUE,		/* evaluated, truthy: the rule allows */
	EVAL_ST_ERROR,		/* an evaluation error: the rule denies */
	EVAL_ST_SUSPENDED	/* the hook stopped it */
};

/* The verdict alone, without the explanation, for the symbolic engine:
 * it must run in the C locale, which the caller sets up once. */
enum eval_status eval_quick(const struct ast_node *expr,
			    const struct eval_request *req);

#endif
