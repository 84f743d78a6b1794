/* An encoding of rule expressions into Z3, written apart from the
 * evaluator and the engine: JavaScript values as a datatype, evaluation
 * as terms for the value, the error and the identity reads of each
 * sub-expression, and the principal classes as constraints, so that Z3
 * answers the same questions as sym_solve with models as requests. */
#ifndef RULECHECK_TESTS_Z3ENC_H
#define RULECHECK_TESTS_Z3ENC_H

#include <stdio.h>

#include <cjson/cJSON.h>

#include "ast.h"
#include "rules.h"
#include "sym.h"

struct z3enc;

struct z3enc_goal {
	const struct ast_node *expr;	/* inside the loaded expression */
	const char *op;
	enum sym_want want;
};

struct z3enc_question {
	enum sym_class cls;
	unsigned callers;	/* 0: all of the class */
	int identity_free;
	int identity_absent;	/* admit callers lacking a field read */
	int fill_absent;	/* admit them with probe values in it */
	const struct z3enc_goal *goals;
	size_t ngoals;
};

enum z3enc_result {
	Z3ENC_UNSAT,
	Z3ENC_SAT,
	Z3ENC_UNKNOWN,		/* Z3 gave up (timeout) */
	Z3ENC_UNSUPPORTED	/* outside the encoded fragment */
};

struct z3enc_get {
	char *path;
	cJSON *doc;		/* cJSON null: absent */
};

/* A model as a request, in the engine's terms. */
struct z3enc_witness {
	enum sym_caller caller;
	cJSON *auth;		/* NULL: unauthenticated */
	cJSON *doc;		/* database doc or storage resource */
	cJSON *data;
	double now;
	struct z3enc_get *gets;
	size_t ngets;
};

/* TIMEOUT_MS bounds each check; 0 means none. */
struct z3enc *z3enc_new(unsigned timeout_ms);
void z3enc_free(struct z3enc *z);

/* Make ROOT, of rule kind KIND, the expression that questions ask about;
 * their goals may name any of its sub-expressions.  Returns 0, or -1
 * when ROOT is outside the fragment. */
int z3enc_load(struct z3enc *z, const struct ast_node *root,
	       enum rule_kind kind);

/* Answer Q; on Z3ENC_SAT fill W (when not NULL) from the model. */
enum z3enc_result z3enc_ask(struct z3enc *z, const struct z3enc_question *q,
			    struct z3enc_witness *w);

/* Write every problem that z3enc_ask() checks to OUT, in SMT-LIB. */
void z3enc_dump(struct z3enc *z, FILE *out);

/* The last model in Z3's own notation; valid until the next call. */
const char *z3enc_model_text(struct z3enc *z);

void z3enc_witness_free(struct z3enc_witness *w);

#endif
