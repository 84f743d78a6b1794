/* The symbolic engine: decides whether some request of a principal class
 * makes rule expressions allow or deny (analysis.md sections 1-3), and
 * gives a witness request for every yes.  The search runs the concrete
 * evaluator on requests it builds lazily, deciding each value only when
 * the evaluation first reads it, so that the engine and the evaluator can
 * never disagree about what an expression means. */
#ifndef RULECHECK_SYM_H
#define RULECHECK_SYM_H

#include <cjson/cJSON.h>

#include "ast.h"
#include "rules.h"

/* The callers of rule-language.md section 3.3. */
enum sym_caller {
	SYM_CALLER_NONE,		/* unauthenticated: auth is null */
	SYM_CALLER_MINIPROGRAM,		/* openid only */
	SYM_CALLER_WECHAT_PUBLIC,	/* openid, uid, loginType */
	SYM_CALLER_WECHAT_OPEN,		/* openid, uid, loginType */
	SYM_CALLER_ANONYMOUS,		/* uid, loginType ANONYMOUS */
	SYM_CALLER_EMAIL,		/* uid, loginType EMAIL */
	SYM_CALLER_CUSTOM,		/* uid, loginType CUSTOM */
	SYM_CALLER_COUNT
};

#define SYM_CALLER_BIT(c) (1u << (c))
#define SYM_CALLERS_ALL ((1u << SYM_CALLER_COUNT) - 1)
#define SYM_CALLERS_MINIPROGRAM SYM_CALLER_BIT(SYM_CALLER_MINIPROGRAM)
#define SYM_CALLERS_WEB \
	(SYM_CALLER_BIT(SYM_CALLER_WECHAT_PUBLIC) | \
	 SYM_CALLER_BIT(SYM_CALLER_WECHAT_OPEN) | \
	 SYM_CALLER_BIT(SYM_CALLER_ANONYMOUS) | \
	 SYM_CALLER_BIT(SYM_CALLER_EMAIL) | SYM_CALLER_BIT(SYM_CALLER_CUSTOM))

/* Principal classes, widest first (analysis.md section 2).  In the
 * classes up to SYM_ROLE the caller's identity is unrelated: it differs
 * from every value the request or the database holds and from every
 * literal, and is no element of any of them; up to SYM_ANY_USER the
 * documents whose get() path holds the identity are absent.  Unless the
 * query says otherwise, a class holds only the callers that have every
 * identity field (uid, openid) the expressions read (identity_absent
 * admits the others as they are; fill_absent gives them the fields they
 * lack, with values nothing else holds).  SYM_ANY is
 * every caller with no such restriction: a rule satisfiable only there is
 * owner-based.  The platform sets doc._id, doc._openid and resource.openid
 * on every record and file, so the engine never leaves them absent.  A
 * get() path built from an identity field the caller lacks ("...undefined")
 * is keyed by the caller's identity too. */
enum sym_class {
	SYM_PUBLIC,
	SYM_ANONYMOUS,
	SYM_ANY_USER,
	SYM_ROLE,
	SYM_ANY,
	SYM_CLASS_COUNT
};

/* What one goal asks of the evaluation of one expression. */
enum sym_want {
	SYM_WANT_ALLOW,		/* truthy, without error */
	SYM_WANT_DENY,		/* falsy or an error */
	SYM_WANT_FALSE,		/* falsy, without error */
	SYM_WANT_ERROR		/* an evaluation error */
};

struct sym_goal {
	const struct ast_node *expr;	/* NULL: the constant LITERAL */
	int literal;
	const char *op;		/* read, create, update, delete, write, invoke */
	enum sym_want want;
	/* EXPR as the memo writes it (memo_tree_key), when the caller
	 * keeps that: a rule asked about many times is written once, and
	 * its questions' keys hold it as one kept copy.  The engine itself
	 * never reads it. */
	const char *key;
	size_t key_len;
	int key_kept;	/* KEY is the copy memo_intern returned, which its
			   address stands for */
};

struct sym_query {
	enum rule_kind kind;
	enum sym_class cls;
	unsigned callers;	/* allowed callers; 0: all of the class */
	int identity_free;	/* SYM_ANY only: identity may equal literals */
	int identity_absent;	/* admit callers lacking an identity field
				   that the rules read (by default a class
				   holds only callers that have them) */
	int fill_absent;	/* admit them with those fields filled in */
	const struct sym_goal *goals;	/* all must hold on one request */
	size_t ngoals;
	unsigned long budget;	/* evaluations; 0: the default */
	/* The caller reads no more of a witness than its text: an answer
	 * the memo holds with its text then comes back with the text alone,
	 * and the members auth, doc, data and gets NULL.  Not part of the
	 * question. */
	int text_only;
};

enum sym_result {
	SYM_UNSAT,		/* proved: no request of the class */
	SYM_SAT,		/* the witness is such a request */
	SYM_UNKNOWN,		/* over budget, or outside what is decided */
	SYM_FAILED		/* internal error: a witness did not hold */
};

struct sym_get {
	char *path;
	cJSON *doc;		/* cJSON null: absent */
};

struct sym_witness {
	enum sym_caller caller;
	cJSON *auth;		/* NULL: unauthenticated */
	cJSON *doc;		/* database doc or storage resource */
	cJSON *data;		/* request.data; NULL: undefined */
	double now;
	struct sym_get *gets;
	size_t ngets;
	unsigned long evaluations;	/* work done, for --dump-queries */
	/* The witness as sym_witness_json writes it for the question's
	 * kind, on one line, when the memo has it: kept for the run, never
	 * freed by sym_witness_free.  NULL otherwise. */
	const char *text;
};

#define SYM_BUDGET_DEFAULT 200000ul

/* Decide Q.  On SYM_SAT, W holds a witness that the concrete evaluator
 * has confirmed; release it with sym_witness_free.  W may be NULL. */
enum sym_result sym_solve(const struct sym_query *q, struct sym_witness *w);

void sym_witness_free(struct sym_witness *w);

/* The witness as {auth, doc, data, now, get}: a new cJSON object. */
cJSON *sym_witness_json(const struct sym_witness *w, enum rule_kind kind);

const char *sym_class_name(enum sym_class cls);
const char *sym_caller_name(enum sym_caller caller);

#endif
